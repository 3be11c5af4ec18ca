#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: iso_extract
short_description: Extract the PXE kernel, initramfs and rootfs from a NestOS live ISO
version_added: "0.1.0"
description:
  - Pure-Python equivalent of C(nestos-installer iso extract pxe). Every file of C(images/pxeboot) is written to
    O(dest) as C(<stem>-<name>), e.g. C(nestos-live-vmlinuz), C(nestos-live-initrd.img), C(nestos-live-rootfs.img)
    for C(nestos-live.iso), using C(copy_file_range) so large files copy at disk speed.
  - Idempotent - files that already hold the same bytes are left alone.
author:
  - nestos.lifecycle contributors (@nestos-lifecycle)
options:
  src:
    description: The live ISO.
    type: path
    required: true
  dest:
    description: Existing folder to write the files into.
    type: path
    required: true
  what:
    description: What to extract. Only V(pxe) is implemented (see notes).
    type: str
    choices: [pxe]
    default: pxe
  stem:
    description: Prefix of the written names; default the ISO file name without its extension.
    type: str
notes:
  - C(extract minimal-iso) is not implemented - it rewrites the ISO9660 tree and the C(miniso.dat) table, which
    is outside this collection's scope; use nestos-installer for it.
'''

EXAMPLES = r'''
- name: PXE artifacts next to the TFTP root
  nestos.lifecycle.iso_extract:
    src: /srv/nestos/nestos-live.x86_64.iso
    dest: /srv/tftp
    stem: nestos-live
'''

RETURN = r'''
files:
  description: Paths of the extracted files.
  returned: always
  type: list
  elements: str
'''

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.live import api


def main():
    module = AnsibleModule(argument_spec=dict(
        src=dict(type="path", required=True), dest=dict(type="path", required=True),
        what=dict(type="str", choices=["pxe"], default="pxe"), stem=dict(type="str")), supports_check_mode=True)
    p = module.params
    try:
        files, changed = api.plan_extract_pxe(p["src"], p["dest"], p["stem"])
        if changed and not module.check_mode:
            api.extract_pxe(p["src"], p["dest"], p["stem"])
    except NestosError as err:
        module.fail_json(msg=str(err), **err.details())
    module.exit_json(changed=bool(changed), files=files, written=[os.path.basename(f) for f in changed])


if __name__ == "__main__":
    main()
