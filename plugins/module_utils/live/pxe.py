# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PXE initrds: wrapping a config or keyfiles as an extra initrd, unwrapping one, inspecting
a live initramfs. Planners decide; :func:`write_plan` carries a plan out.

The split follows community.crypto's ``needs_regeneration()``/``dump()``: ``plan_wrap`` and
``plan_unwrap`` read what is on disk and return a plan (what to write, whether anything
changes, the before/after configs for a diff); nothing is written until ``write_plan``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
from typing import Dict, List, Optional, Tuple

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import (
    AtomicFile, atomic_write, check_destination, copy_range)
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.flavour import FLAVOURS, IGNITION_MEMBER, Flavour
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.initrd import Initrd, read_initrd
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.metadata import decode_json, normalize_features

SECRET_FILE_MODE = 0o600

__all__ = ["PxePlan", "plan_wrap", "plan_unwrap", "write_plan", "pxe_inspect", "network_dirs",
           "keyfiles_of", "copy_and_append", "already_appended", "read_members", "plan_write_config"]


def network_dirs() -> List[str]:
    return [Flavour(fl).network_dir + "/" for fl in FLAVOURS]


def keyfiles_of(members: Dict[str, bytes]) -> Dict[str, bytes]:
    """Network keyfiles (by base name) in initrd members, of either flavour."""
    out = {}
    for prefix in network_dirs():
        out.update((m[len(prefix):], v) for m, v in members.items() if m.startswith(prefix))
    return out


def _wanted_member(member: str) -> bool:
    """Members a PXE planner reads; everything else in a live initramfs is skipped unread."""
    if member == IGNITION_MEMBER or any(member.startswith(p) for p in network_dirs()):
        return True
    return any(member in (Flavour(fl).live_initramfs_stamp, Flavour(fl).initrd_features) for fl in FLAVOURS)


def read_members(path: str) -> Dict[str, bytes]:
    """The config, keyfiles, stamps and features of an initrd file (streamed, with the caps)."""
    if check_destination(path) != "file":
        raise NestosError("initrd not found", file=path)
    try:
        with open(path, "rb") as handle:
            return read_initrd(handle, name=path, keep=_wanted_member)
    except (IOError, OSError) as err:
        raise NestosError("cannot read initrd: %s" % (err.strerror or err), file=path)


class PxePlan(object):
    """What a PXE operation writes: ``data`` to ``dest`` when ``changed``."""

    def __init__(self, dest: Optional[str], data: Optional[bytes], changed: bool, before: Optional[bytes],
                 after: Optional[bytes], keyfiles: List[str]) -> None:
        self.dest = dest
        self.data = data
        self.changed = changed
        self.before = before
        self.after = after
        self.keyfiles = keyfiles


def _current_bytes(dest: str) -> Optional[bytes]:
    """What a regular-file destination holds now (None when absent); refuses other kinds."""
    if check_destination(dest) == "absent":
        return None
    try:
        with open(dest, "rb") as handle:
            return handle.read()
    except (IOError, OSError) as err:
        raise NestosError("cannot read destination: %s" % (err.strerror or err), file=dest)


def plan_wrap(dest: str, config: Optional[bytes], keyfiles: List[Tuple[str, bytes]],
              flavour: str = "nestos") -> PxePlan:
    """``pxe ignition wrap`` / ``pxe network wrap``: one xz newc initrd holding the inputs."""
    if not dest:
        raise NestosError("dest is required to wrap")
    members = {}
    if config is not None:
        members[IGNITION_MEMBER] = bytes(config)
    fl = Flavour(flavour)
    for name, data in keyfiles:
        base = os.path.basename(name)
        member = "%s/%s" % (fl.network_dir, base)
        if not base or member in members:
            raise NestosError("multiple input files named '%s'" % base, file=name)
        members[member] = bytes(data)
    if not members:
        raise NestosError("nothing to wrap: give ignition, ignition_content, butane or network_keyfile")
    blob = Initrd(members).to_bytes()
    current = _current_bytes(dest)
    before = None
    if current is not None and current != blob:
        try:
            before = read_initrd(current, name=dest, keep=_wanted_member).get(IGNITION_MEMBER)
        except NestosError:
            before = None
    elif current is not None:
        before = members.get(IGNITION_MEMBER)
    return PxePlan(dest, blob, current != blob, before, members.get(IGNITION_MEMBER),
                   sorted(os.path.basename(m) for m in members if m != IGNITION_MEMBER))


def plan_unwrap(src: str, dest: Optional[str] = None) -> PxePlan:
    """``pxe ignition unwrap``: the config of a wrapped initrd, written to ``dest`` when given."""
    if not src:
        raise NestosError("src is required to unwrap")
    members = read_members(src)
    config = members.get(IGNITION_MEMBER)
    keyfiles = sorted(keyfiles_of(members))
    if config is None and not keyfiles:
        raise NestosError("No embedded Ignition config or network settings.", file=src)
    changed = False
    if dest and config is not None:
        changed = _current_bytes(dest) != config
    return PxePlan(dest if config is not None else None, config, changed, None, config, keyfiles)


def plan_write_config(dest: str, config: bytes) -> PxePlan:
    """Write a config read from an image to ``dest`` (regular file, 0600) unless it holds it already."""
    return PxePlan(dest, bytes(config), _current_bytes(dest) != bytes(config), None, config, [])


def write_plan(plan: PxePlan) -> None:
    """Carry out a plan: the destination is replaced atomically, mode 0600 (it holds secrets)."""
    if plan.changed and plan.dest and plan.data is not None:
        try:
            atomic_write(plan.dest, plan.data, mode=SECRET_FILE_MODE)
        except (IOError, OSError) as err:
            raise NestosError("cannot write: %s" % (err.strerror or err), file=plan.dest)


def pxe_inspect(path: str) -> dict:
    """Flavour, features and customization state of a live initramfs (streamed, with caps)."""
    members = read_members(path)
    flavour = None
    for fl in FLAVOURS:
        if Flavour(fl).live_initramfs_stamp in members:
            flavour = Flavour(fl)
            break
    if flavour is None:
        raise NestosError("not a NestOS live initramfs image (no etc/nestos-live-initramfs or "
                          "etc/coreos-live-initramfs stamp)", file=path)
    raw = members.get(flavour.initrd_features)
    features = normalize_features(decode_json(raw, "%s:%s" % (path, flavour.initrd_features)) if raw else None)
    prefix = flavour.network_dir + "/"
    customized = IGNITION_MEMBER in members or any(p.startswith(prefix) for p in members)
    return {"flavour": flavour, "features": features, "customized": customized, "size": os.path.getsize(path),
            "members": members}


def copy_and_append(src: str, appended: bytes, output: str) -> str:
    """Copy ``src`` verbatim into ``output`` (atomic, 0600) and append ``appended``."""
    if os.path.abspath(src) == os.path.abspath(output):
        raise NestosError("output must differ from the input initramfs", file=output)
    try:
        with open(src, "rb") as source:
            with AtomicFile(output, mode=SECRET_FILE_MODE) as target:
                copy_range(source, target)
                target.flush()
                target.seek(0, 2)
                target.write(appended)
    except (IOError, OSError) as err:
        raise NestosError("cannot write: %s" % (err.strerror or err), file=output)
    return output


def already_appended(src: str, dest: str, appended: bytes) -> bool:
    """True when ``dest`` is ``src`` followed by ``appended`` (nothing to write)."""
    if check_destination(dest) != "file":
        return False
    if os.path.getsize(dest) != os.path.getsize(src) + len(appended):
        return False
    with open(src, "rb") as one, open(dest, "rb") as two:
        while True:
            block = one.read(4 << 20)
            if not block:
                return two.read() == appended
            if two.read(len(block)) != block:
                return False
