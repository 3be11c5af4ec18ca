#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: iso_customize
short_description: Customize a NestOS live ISO for automatic installation (nestos-installer iso customize)
version_added: "0.1.0"
description:
  - Pure-Python equivalent of C(nestos-installer iso customize), with every option it has except
    C(--network-nmstate) (see notes).
  - Generates exactly what nestos-installer generates - a live Ignition 3.3.0 config holding
    C(/etc/nestos/dest.ign), C(/etc/nestos/installer.d/NNNN-*.yaml), pre/post-install scripts and their units,
    NetworkManager keyfiles under C(etc/nestos-firstboot-network/) - and the live kernel arguments.
  - The Ignition config given with O(ignition), O(ignition_content) or O(butane) becomes the destination config
    (C(--dest-ignition)), or the live config with O(ignition_target=live).
  - Idempotent (the same inputs twice report no change), check mode predicts, diff mode shows the embedded
    config and the kernel arguments before and after. The result is written atomically with mode 0600 when
    O(dest) is given; the source is never modified then.
author:
  - nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.ignition_input
  - nestos.lifecycle.live_media.customize
  - nestos.lifecycle.live_media.flavour
options:
  src:
    description: The NestOS (or CoreOS) live ISO.
    type: path
    required: true
  dest:
    description:
      - The customized ISO to write (atomically; a sparse source stays sparse). Without it O(src) is modified in
        place. Only a regular file is replaced; a symlink, device, FIFO or folder is refused (see docs/live.md).
    type: path
  mode:
    description:
      - Mode of the written image. By default a customized image (it holds the config) is made V(0600), also when
        modified in place; a reset image modified in place keeps its mode.
    type: raw
  state:
    description:
      - V(present) customizes.
      - V(absent) removes every customization (C(nestos-installer iso reset)) - the embedded initrd and modified
        kernel arguments - which gives back the original bytes of an ISO as it was built.
    type: str
    choices: [present, absent]
    default: present
  force:
    description: Replace an existing customization (embedded config, keyfiles or modified kernel arguments).
    type: bool
    default: false
  live_karg_append:
    description: Kernel arguments added to the ISO's defaults for the live boot.
    type: list
    elements: str
    default: []
  live_karg_delete:
    description: Kernel arguments removed from the ISO's defaults for the live boot.
    type: list
    elements: str
    default: []
  live_karg_replace:
    description: Replacements C(KEY=OLD=NEW) applied to the ISO's default kernel arguments.
    type: list
    elements: str
    default: []
notes:
  - The embedded gzip data URLs are not byte-identical to nestos-installer's (different deflate encoder); their
    decoded contents are.
'''

EXAMPLES = r'''
- name: Undo every customization (like nestos-installer iso reset)
  nestos.lifecycle.iso_customize:
    src: /srv/nestos/web1-install.iso
    state: absent

- name: ISO that installs to /dev/sda with a Butane config
  nestos.lifecycle.iso_customize:
    src: /srv/nestos/nestos-live.x86_64.iso
    dest: /srv/nestos/web1-install.iso
    butane: "{{ lookup('file', 'web1.bu') }}"
    dest_device: /dev/sda
    dest_console: ["ttyS0,115200n8"]
    network_keyfile: [/srv/nestos/web1/eth0.nmconnection]
    live_karg_append: ["console=ttyS0,115200n8"]
'''

RETURN = r'''
path:
  description: The image written.
  returned: always
  type: str
before:
  description: Embedded state before.
  returned: always
  type: dict
after:
  description: Embedded state after (members of the live initrd, kernel arguments).
  returned: always
  type: dict
messages:
  description: What nestos-installer would print, e.g. that the media installs without confirmation.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.live import (
    COMMON_CUSTOMIZE_SPEC, FLAVOUR_SPEC, ISO_OUTPUT_SPEC, Secrets, customize_options, fail, ignition_module,
    run_iso_plan)
from ansible_collections.nestos.lifecycle.plugins.module_utils.live import api


def main():
    spec = dict(src=dict(type="path", required=True), dest=dict(type="path"), force=dict(type="bool", default=False),
                state=dict(type="str", choices=["present", "absent"], default="present"),
                live_karg_append=dict(type="list", elements="str", default=[]),
                live_karg_delete=dict(type="list", elements="str", default=[]),
                live_karg_replace=dict(type="list", elements="str", default=[]))
    module = ignition_module(AnsibleModule, spec, FLAVOUR_SPEC, ISO_OUTPUT_SPEC, COMMON_CUSTOMIZE_SPEC)
    p = module.params
    secrets = Secrets()
    try:
        opts, warnings = customize_options(p, secrets) if p["state"] == "present" else ({}, [])

        def planner(iso):
            if p["state"] == "absent":
                return api.plan_reset(iso)
            return api.plan_customize(iso, opts, live_karg_append=p["live_karg_append"],
                                      live_karg_delete=p["live_karg_delete"],
                                      live_karg_replace=p["live_karg_replace"], force=p["force"])
        result = run_iso_plan(p, planner, module.check_mode, secrets)
    except NestosError as err:
        fail(module, err, secrets)
    module.exit_json(warnings_butane=secrets.mask(warnings), **result)


if __name__ == "__main__":
    main()
