#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: pxe_customize
short_description: Customize a NestOS live PXE initramfs (nestos-installer pxe customize)
version_added: "0.1.0"
description:
  - Pure-Python equivalent of C(nestos-installer pxe customize). Copies the live initramfs O(src) verbatim to
    O(dest) and appends an xz (CRC32) newc archive with the generated live config (destination Ignition,
    installer configs, hook scripts) and network keyfiles - the same content C(iso customize) embeds in an ISO.
  - O(src) must be a live initramfs (it holds C(etc/nestos-live-initramfs)) that is not already customized;
    the OS features are read from its C(etc/nestos/features.json).
  - Idempotent (an O(dest) that already holds the result is left alone); check mode predicts; diff mode shows the
    generated live config. O(dest) is written atomically with mode 0600.
author:
  - nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.ignition_input
  - nestos.lifecycle.live_media.customize
options:
  src:
    description: The live initramfs (C(images/pxeboot/initrd.img) of the ISO, or the PXE C(live-initramfs)).
    type: path
    required: true
  dest:
    description: The customized initramfs to write.
    type: path
    required: true
notes:
  - Boot the result with C(ignition.firstboot ignition.platform.id=metal) on the kernel command line.
'''

EXAMPLES = r'''
- name: PXE initramfs that installs to /dev/sda
  nestos.lifecycle.pxe_customize:
    src: /srv/tftp/nestos-live-initramfs.x86_64.img
    dest: /srv/tftp/web1-initramfs.img
    butane: "{{ lookup('file', 'web1.bu') }}"
    dest_device: /dev/sda
'''

RETURN = r'''
path:
  description: The customized initramfs.
  returned: always
  type: str
members:
  description: Files in the appended archive.
  returned: always
  type: list
  elements: str
messages:
  description: What nestos-installer would print (e.g. the kernel arguments PXE needs).
  returned: always
  type: list
  elements: str
'''


from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.live import (
    COMMON_CUSTOMIZE_SPEC, Secrets, check_output_folder, customize_options, fail, ignition_module, masked_ignition)
from ansible_collections.nestos.lifecycle.plugins.module_utils.live import api
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.pxe import already_appended


def main():
    spec = dict(src=dict(type="path", required=True), dest=dict(type="path", required=True))
    module = ignition_module(AnsibleModule, spec, COMMON_CUSTOMIZE_SPEC)
    p = module.params
    secrets = Secrets()
    try:
        check_output_folder(p["dest"])
        opts, warnings = customize_options(p, secrets)
        info, appended, messages, initrd = api.plan_pxe_customize(p["src"], opts)
        changed = not already_appended(p["src"], p["dest"], appended)
        if changed and not module.check_mode:
            api.write_pxe_customized(p["src"], appended, output=p["dest"], clobber=True)
    except NestosError as err:
        fail(module, err, secrets)
    config = initrd.get("config.ign")
    diff = {"before": "", "after": masked_ignition(config)} if changed else {}
    module.exit_json(**secrets.mask(dict(changed=changed, path=p["dest"], members=sorted(initrd.members),
                                         messages=messages, flavour=info["flavour"].name, warnings_butane=warnings,
                                         diff=diff)))


if __name__ == "__main__":
    main()
