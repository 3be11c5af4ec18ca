#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: iso_kargs
short_description: Show, modify or reset the live kernel arguments of a NestOS live ISO
version_added: "0.1.0"
description:
  - Pure-Python equivalent of C(nestos-installer iso kargs show|modify|reset).
  - Rewrites every kernel-argument embed area (GRUB and isolinux configs) with the same text, padded as
    nestos-installer pads it; the Ignition embed area is not touched. Resetting restores the original bytes.
  - Edits follow nestos-installer's order whatever order they are given in - delete, append,
    append-if-missing, replace.
  - Idempotent; check mode predicts; diff mode shows the kernel arguments before and after.
author:
  - nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.live_media.flavour
options:
  src:
    description: The live ISO image.
    type: path
    required: true
  dest:
    description: Write the result to this file (atomically) instead of modifying O(src) in place.
    type: path
  state:
    description:
      - V(present) applies O(append), O(delete), O(replace), O(append_if_missing) and O(delete_if_present).
      - V(reset) restores the default kernel arguments the ISO was built with.
      - V(query) only reads them (RV(kargs), RV(kargs_default)).
    type: str
    choices: [present, reset, query]
    default: present
  append:
    description: Arguments to append (always, even if present).
    type: list
    elements: str
    default: []
  append_if_missing:
    description: Arguments to append unless already present (exact word match).
    type: list
    elements: str
    default: []
  delete:
    description: Arguments (or space-separated sequences) to delete.
    type: list
    elements: str
    default: []
  delete_if_present:
    description: Same as O(delete); deleting an argument that is absent changes nothing.
    type: list
    elements: str
    default: []
  replace:
    description: Replacements written C(KEY=OLD=NEW); a replacement whose C(KEY=OLD) is absent does nothing.
    type: list
    elements: str
    default: []
notes:
  - With O(append) the module is idempotent only while the argument is not appended twice; use
    O(append_if_missing) for arguments that must appear once.
'''

EXAMPLES = r'''
- name: Serial console on the live system
  nestos.lifecycle.iso_kargs:
    src: /srv/nestos/web1.iso
    append_if_missing: ["console=ttyS0,115200n8"]
    delete_if_present: [console=tty1]

- name: Back to the defaults
  nestos.lifecycle.iso_kargs:
    src: /srv/nestos/web1.iso
    state: reset
'''

RETURN = r'''
kargs:
  description: Kernel arguments after the change (or now, for V(query)).
  returned: always
  type: str
kargs_default:
  description: The ISO's default kernel arguments.
  returned: always
  type: str
path:
  description: The image written.
  returned: always
  type: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.live import (
    FLAVOUR_SPEC, expected_flavour, fail, run_iso_plan)
from ansible_collections.nestos.lifecycle.plugins.module_utils.live import api


def main():
    lists = dict(type="list", elements="str", default=[])
    spec = dict(src=dict(type="path", required=True), dest=dict(type="path"),
                state=dict(type="str", choices=["present", "reset", "query"], default="present"),
                append=lists, append_if_missing=lists, delete=lists, delete_if_present=lists, replace=lists)
    spec.update(FLAVOUR_SPEC)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    p = module.params
    try:
        with api.open_iso(p["src"], expect=expected_flavour(p)) as iso:
            areas = iso.require_kargs()
            default, current = areas.default, areas.kargs
        if p["state"] == "query":
            module.exit_json(changed=False, kargs=current, kargs_default=default, path=p["src"])

        def planner(iso):
            if p["state"] == "reset":
                return api.plan_kargs_reset(iso)
            return api.plan_kargs_modify(iso, append=p["append"], delete=p["delete"], replace=p["replace"],
                                         append_if_missing=p["append_if_missing"],
                                         delete_if_present=p["delete_if_present"])
        result = run_iso_plan(p, planner, module.check_mode)
    except NestosError as err:
        fail(module, err)
    module.exit_json(kargs=result["after"]["kargs"], kargs_default=default, **result)


if __name__ == "__main__":
    main()
