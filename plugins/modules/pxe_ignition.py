#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: pxe_ignition
short_description: Wrap an Ignition config (or network keyfiles) as an extra PXE initrd, or unwrap one
version_added: "0.1.0"
description:
  - Pure-Python equivalent of C(nestos-installer pxe ignition wrap|unwrap) and C(pxe network wrap|unwrap).
  - V(wrap) writes an xz (CRC32) newc archive holding C(config.ign) and/or
    C(etc/nestos-firstboot-network/<keyfile>), byte for byte as nestos-installer writes it, to boot as an extra
    initrd after the live initramfs (with kernel arguments C(ignition.firstboot ignition.platform.id=metal)).
  - V(unwrap) reads any initrd (concatenated archives; uncompressed, gzip, xz or zstd) and returns the config and
    keyfiles, optionally writing the config to O(dest).
  - Idempotent; check mode predicts; diff mode shows the config before and after. Files are written mode 0600.
author:
  - nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.ignition_input
options:
  state:
    description: V(wrap) or V(unwrap).
    type: str
    choices: [wrap, unwrap]
    default: wrap
  src:
    description: The initrd to read (V(unwrap)).
    type: path
  dest:
    description:
      - The initrd to write (V(wrap), required), or the file to write the unwrapped config to. Written atomically
        with mode 0600. Only a regular file is replaced; a symlink, device, FIFO or folder is refused
        (the collection's destination rule, see docs/live.md).
    type: path
  network_keyfile:
    description: NetworkManager keyfiles to wrap (C(pxe network wrap)).
    type: list
    elements: path
    default: []
  flavour:
    description: Names to use for the keyfile folder (V(nestos) C(etc/nestos-firstboot-network), V(coreos) upstream).
    type: str
    choices: [nestos, coreos]
    default: nestos
'''

EXAMPLES = r'''
- name: Ignition as an extra PXE initrd
  nestos.lifecycle.pxe_ignition:
    butane: "{{ lookup('file', 'node.bu') }}"
    dest: /srv/tftp/node-ignition.img

- name: Read it back
  nestos.lifecycle.pxe_ignition:
    state: unwrap
    src: /srv/tftp/node-ignition.img
  register: wrapped
'''

RETURN = r'''
path:
  description: The file written (V(wrap)) or read (V(unwrap)).
  returned: always
  type: str
ignition_content:
  description:
    - The unwrapped config (V(unwrap)), pretty-printed with password hashes and SSH keys replaced by C(********);
      null when the initrd holds none. Give O(dest) to get the config whole in a file.
  returned: when state is unwrap
  type: str
network_keyfiles:
  description: Names of the keyfiles wrapped or found.
  returned: always
  type: list
  elements: str
'''


from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.live import (
    Secrets, fail, given_ignition, ignition_module, masked_ignition, printable, read_input, resolve_ignition)
from ansible_collections.nestos.lifecycle.plugins.module_utils.live import pxe


def wrap(module, p, secrets):
    config, warnings = None, []
    if given_ignition(p):
        config, warnings = resolve_ignition(p, secrets)
    plan = pxe.plan_wrap(p["dest"], config, [(path, read_input(path)) for path in p["network_keyfile"]],
                         flavour=p["flavour"])
    secrets.add(plan.before)
    if plan.changed and not module.check_mode:
        pxe.write_plan(plan)
    diff = {"before": masked_ignition(plan.before), "after": masked_ignition(plan.after)}
    return dict(changed=plan.changed, path=p["dest"], network_keyfiles=plan.keyfiles, warnings_butane=warnings,
                diff=diff if plan.changed else {})


def unwrap(module, p, secrets):
    plan = pxe.plan_unwrap(p["src"], p["dest"])
    secrets.add(plan.after)
    if plan.changed and not module.check_mode:
        pxe.write_plan(plan)
    return dict(changed=plan.changed, path=p["src"], network_keyfiles=printable(plan.keyfiles),
                ignition_content=masked_ignition(plan.after) if plan.after is not None else None)


def main():
    spec = dict(state=dict(type="str", choices=["wrap", "unwrap"], default="wrap"), src=dict(type="path"),
                dest=dict(type="path"), network_keyfile=dict(type="list", elements="path", no_log=False, default=[]),
                flavour=dict(type="str", choices=["nestos", "coreos"], default="nestos"))
    module = ignition_module(AnsibleModule, spec)
    secrets = Secrets()
    try:
        act = wrap if module.params["state"] == "wrap" else unwrap
        result = act(module, module.params, secrets)
    except NestosError as err:
        fail(module, err, secrets)
    module.exit_json(**secrets.mask(result))


if __name__ == "__main__":
    main()
