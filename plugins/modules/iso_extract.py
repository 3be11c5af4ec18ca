#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: iso_extract
short_description: Extract the PXE files or the minimal ISO from a NestOS live ISO
version_added: "0.1.0"
description:
  - Pure-Python equivalent of C(nestos-installer iso extract pxe). Every file of C(images/pxeboot) is written to
    O(dest) as C(<stem>-<name>), e.g. C(nestos-live-vmlinuz), C(nestos-live-initrd.img), C(nestos-live-rootfs.img)
    for C(nestos-live.iso), using C(copy_file_range) so large files copy at disk speed.
  - With O(what=minimal-iso), equivalent of C(nestos-installer iso extract minimal-iso) - rebuilds the minimal ISO
    stored in C(nestos/miniso.dat) (checked against its recorded SHA-256), removes its C(nestos.liveiso=) karg and
    optionally adds C(nestos.live.rootfs_url=) (O(rootfs_url)). The source ISO must not be customized.
  - Idempotent - files that already hold the same bytes are left alone.
author:
  - nestos.lifecycle contributors (@nestos-lifecycle)
options:
  src:
    description: The live ISO.
    type: path
    required: true
  dest:
    description: Existing folder to write the PXE files into (V(pxe)), or the minimal ISO file to write (V(minimal-iso)).
    type: path
    required: true
  what:
    description: What to extract.
    type: str
    choices: [pxe, minimal-iso]
    default: pxe
  rootfs_url:
    description: With V(minimal-iso), the URL the minimal ISO fetches the rootfs from (C(nestos.live.rootfs_url)).
    type: str
  output_rootfs:
    description: With V(minimal-iso), also write the ISO's rootfs image to this path.
    type: path
  stem:
    description: Prefix of the written names; default the ISO file name without its extension.
    type: str
'''

EXAMPLES = r'''
- name: PXE artifacts next to the TFTP root
  nestos.lifecycle.iso_extract:
    src: /srv/nestos/nestos-live.x86_64.iso
    dest: /srv/tftp
    stem: nestos-live

- name: Minimal ISO that fetches its rootfs over HTTP
  nestos.lifecycle.iso_extract:
    src: /srv/nestos/nestos-live.x86_64.iso
    dest: /srv/nestos/nestos-minimal.x86_64.iso
    what: minimal-iso
    rootfs_url: http://192.0.2.1/nestos/nestos-live-rootfs.x86_64.img
'''

RETURN = r'''
files:
  description: Paths of the extracted files (the minimal ISO for V(minimal-iso)).
  returned: always
  type: list
  elements: str
'''

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.live import check_output_folder, fail
from ansible_collections.nestos.lifecycle.plugins.module_utils.live import api
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.miniso import extract_rootfs, update_minimal_iso


def minimal_iso(module, p):
    dest = p["dest"]
    check_output_folder(dest)
    changed = update_minimal_iso(p["src"], dest, rootfs_url=p["rootfs_url"], check_mode=module.check_mode)
    files = [dest]
    if p["output_rootfs"]:
        check_output_folder(p["output_rootfs"])
        changed = extract_rootfs(p["src"], p["output_rootfs"], check_mode=module.check_mode) or changed
        files.append(p["output_rootfs"])
    return changed, files


def main():
    module = AnsibleModule(argument_spec=dict(
        src=dict(type="path", required=True), dest=dict(type="path", required=True),
        what=dict(type="str", choices=["pxe", "minimal-iso"], default="pxe"), stem=dict(type="str"),
        rootfs_url=dict(type="str"), output_rootfs=dict(type="path")), supports_check_mode=True)
    p = module.params
    try:
        if p["what"] == "minimal-iso":
            changed, files = minimal_iso(module, p)
            module.exit_json(changed=changed, files=files)
        files, todo = api.plan_extract_pxe(p["src"], p["dest"], p["stem"])
        if todo and not module.check_mode:
            api.extract_pxe(p["src"], p["dest"], p["stem"])
    except NestosError as err:
        fail(module, err)
    module.exit_json(changed=bool(todo), files=files, written=[os.path.basename(f) for f in todo])


if __name__ == "__main__":
    main()
