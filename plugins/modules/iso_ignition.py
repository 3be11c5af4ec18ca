#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: iso_ignition
short_description: Embed, remove or read the live Ignition config of a NestOS live ISO
version_added: "0.1.0"
description:
  - Pure-Python equivalent of C(nestos-installer iso ignition embed|remove|show) (and C(iso network embed|remove)).
  - The config is stored as C(config.ign) in the ISO's 256 KiB Ignition embed area as an xz (CRC32) newc archive,
    byte for byte as nestos-installer writes it. Removing the config restores the original bytes (and SHA-256).
  - Works on NestOS media (C(/nestos/)) and on upstream CoreOS media (C(/coreos/)).
  - Idempotent; check mode predicts; diff mode shows the embedded config before and after.
author:
  - nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.ignition_input
  - nestos.lifecycle.live_media.flavour
options:
  src:
    description: The live ISO image.
    type: path
    required: true
  dest:
    description:
      - Write the result to this new file (atomically, mode 0600, the source left untouched) instead of modifying
        O(src) in place. An existing O(dest) that already holds the wanted result is left alone.
      - Only a regular file is replaced; a symlink, device, FIFO or folder at O(dest) is refused
        (the collection's destination rule, see docs/live.md).
    type: path
  mode:
    description:
      - Mode of the written image. By default an image that holds a config or keyfiles is made V(0600) (also when
        modified in place), a new O(dest) without either is V(0600), and an image modified in place without either
        keeps its mode.
    type: raw
  state:
    description:
      - V(present) embeds the config given with O(ignition), O(ignition_content) or O(butane) (and O(network_keyfile)).
      - V(absent) removes the embedded config (and with O(network_keyfile=[]) given explicitly, nothing else).
      - V(query) only reads; the config is returned in RV(ignition_content) with password hashes and SSH keys
        masked (write it out with O(dest) to get it whole).
    type: str
    choices: [present, absent, query]
    default: present
  network_keyfile:
    description:
      - NetworkManager keyfiles to embed for the live system (C(etc/nestos-firstboot-network/)), like
        C(nestos-installer iso network embed). With O(state=absent), removes the embedded keyfiles when set.
    type: list
    elements: path
  force:
    description: Replace an embedded config (or keyfiles) that differ from the ones given.
    type: bool
    default: false
notes:
  - For O(state=present) one Ignition input or O(network_keyfile) is required.
seealso:
  - module: nestos.lifecycle.iso_customize
'''

EXAMPLES = r'''
- name: Embed a Butane config into a copy of the live ISO
  nestos.lifecycle.iso_ignition:
    src: /srv/nestos/nestos-live.x86_64.iso
    dest: /srv/nestos/web1.iso
    butane: "{{ lookup('file', 'web1.bu') }}"

- name: Remove the embedded config in place
  nestos.lifecycle.iso_ignition:
    src: /srv/nestos/web1.iso
    state: absent

- name: Read the embedded config
  nestos.lifecycle.iso_ignition:
    src: /srv/nestos/web1.iso
    state: query
  register: embedded
'''

RETURN = r'''
path:
  description: The image written (O(dest), or O(src) when modified in place).
  returned: always
  type: str
flavour:
  description: Media flavour found (nestos or coreos).
  returned: always
  type: str
before:
  description: Embedded state before (presence and size of the config, keyfile names, initrd members, kargs).
  returned: always
  type: dict
after:
  description: Embedded state after the change (or that check mode predicts).
  returned: always
  type: dict
ignition_content:
  description:
    - The embedded config (with O(state=query)), pretty-printed with password hashes and SSH keys replaced by
      C(********); null when none. With O(dest) the config is also written whole to that file (mode 0600).
  returned: when state is query
  type: str
warnings_butane:
  description: Warnings from translating O(butane).
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.live import (
    FLAVOUR_SPEC, ISO_OUTPUT_SPEC, Secrets, expected_flavour, fail, given_ignition, ignition_module, masked_ignition,
    printable, read_input, resolve_ignition, run_iso_plan)
from ansible_collections.nestos.lifecycle.plugins.module_utils.live import api


def plan_for(params, config):
    keyfiles = params["network_keyfile"]

    def planner(iso):
        if params["state"] == "absent":
            return api.plan_network_remove(iso) if keyfiles is not None else api.plan_ignition_remove(iso)
        pairs = [(p, read_input(p)) for p in keyfiles] if keyfiles else None
        return api.plan_embed(iso, config=config, keyfiles=pairs, force=params["force"])
    return planner


def query(params, check_mode, secrets):
    with api.open_iso(params["src"], expect=expected_flavour(params)) as iso:
        info = api.show(iso)
        raw = iso.ignition
    secrets.add(raw)
    changed = False
    if params["dest"] and raw is not None:
        plan = api.plan_copy_out(params["dest"], raw)
        changed = plan.changed
        if changed and not check_mode:
            api.write_copy_out(plan)
    return secrets.mask(dict(changed=changed, path=params["src"], flavour=info["flavour"],
                             ignition_content=masked_ignition(raw) if raw is not None else None,
                             network_keyfiles=printable(info["network_keyfiles"]), kargs=info["kargs"]))


def main():
    spec = dict(src=dict(type="path", required=True), dest=dict(type="path"),
                state=dict(type="str", choices=["present", "absent", "query"], default="present"),
                network_keyfile=dict(type="list", elements="path", no_log=False), force=dict(type="bool", default=False))
    module = ignition_module(AnsibleModule, spec, FLAVOUR_SPEC, ISO_OUTPUT_SPEC)
    params = module.params
    secrets = Secrets()
    try:
        if params["state"] == "query":
            module.exit_json(**query(params, module.check_mode, secrets))
        config, warnings = None, []
        if params["state"] == "present":
            if given_ignition(params):
                config, warnings = resolve_ignition(params, secrets)
            elif not params["network_keyfile"]:
                raise NestosError("state=present needs ignition, ignition_content, butane or network_keyfile")
        result = run_iso_plan(params, plan_for(params, config), module.check_mode, secrets)
    except NestosError as err:
        fail(module, err, secrets)
    module.exit_json(warnings_butane=secrets.mask(warnings), **result)


if __name__ == "__main__":
    main()
