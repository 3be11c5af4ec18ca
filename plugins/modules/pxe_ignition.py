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
    description: The initrd to write (V(wrap), required), or the file to write the unwrapped config to.
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
  description: The unwrapped config (V(unwrap)); null when the initrd holds none.
  returned: when state is unwrap
  type: str
network_keyfiles:
  description: Names of the keyfiles wrapped or found.
  returned: always
  type: list
  elements: str
'''

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import atomic_write, same_content
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.flavour import IGNITION_MEMBER, Flavour
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.initrd import Initrd, read_initrd
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.modhelp import (
    IGNITION_INPUT_SPEC, check_output_folder, given_ignition, pretty_ignition, read_input, resolve_ignition)


def _current(path):
    if not path or not os.path.isfile(path):
        return None
    try:
        return read_initrd(read_input(path), name=path)
    except NestosError:
        return None


def wrap(module, p):
    if not p["dest"]:
        raise NestosError("dest is required to wrap")
    check_output_folder(p["dest"])
    members = {}
    warnings = []
    if given_ignition(p):
        data, warnings = resolve_ignition(p)
        members[IGNITION_MEMBER] = data
    fl = Flavour(p["flavour"])
    for path in p["network_keyfile"]:
        name = "%s/%s" % (fl.network_dir, os.path.basename(path))
        if name in members:
            raise NestosError("multiple input files named '%s'" % os.path.basename(path))
        members[name] = read_input(path)
    if not members:
        raise NestosError("nothing to wrap: give ignition, ignition_content, butane or network_keyfile")
    blob = Initrd(members).to_bytes()
    changed = not same_content(p["dest"], blob)
    old = _current(p["dest"]) or {}
    if changed and not module.check_mode:
        atomic_write(p["dest"], blob, mode=0o600)
    diff = {"before": pretty_ignition((old.get(IGNITION_MEMBER) or b"").decode("utf-8", "replace") or None),
            "after": pretty_ignition((members.get(IGNITION_MEMBER) or b"").decode("utf-8", "replace") or None)}
    return dict(changed=changed, path=p["dest"], network_keyfiles=sorted(os.path.basename(m) for m in members
                                                                         if m != IGNITION_MEMBER),
                warnings_butane=warnings, diff=diff if changed else {})


def unwrap(module, p):
    if not p["src"]:
        raise NestosError("src is required to unwrap")
    members = read_initrd(read_input(p["src"]), name=p["src"])
    config = members.get(IGNITION_MEMBER)
    keyfiles = {}
    for fl in ("nestos", "coreos"):
        prefix = Flavour(fl).network_dir + "/"
        keyfiles.update((m[len(prefix):], v) for m, v in members.items() if m.startswith(prefix))
    if config is None and not keyfiles:
        raise NestosError("No embedded Ignition config or network settings.", file=p["src"])
    changed = False
    if p["dest"] and config is not None:
        check_output_folder(p["dest"])
        changed = not same_content(p["dest"], config)
        if changed and not module.check_mode:
            atomic_write(p["dest"], config, mode=0o600)
    return dict(changed=changed, path=p["src"], network_keyfiles=sorted(keyfiles),
                ignition_content=config.decode("utf-8", "replace") if config is not None else None)


def main():
    spec = dict(state=dict(type="str", choices=["wrap", "unwrap"], default="wrap"), src=dict(type="path"),
                dest=dict(type="path"), network_keyfile=dict(type="list", elements="path", no_log=False, default=[]),
                flavour=dict(type="str", choices=["nestos", "coreos"], default="nestos"))
    spec.update(IGNITION_INPUT_SPEC)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True,
                           mutually_exclusive=[("ignition", "ignition_content", "butane")])
    try:
        result = wrap(module, module.params) if module.params["state"] == "wrap" else unwrap(module, module.params)
    except NestosError as err:
        module.fail_json(msg=str(err), **err.details())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
