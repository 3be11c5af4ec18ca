# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Operations on live ISOs and PXE initramfs images (what the modules call).

``plan_*`` functions read an image and return a :class:`Plan`: the regions to write, the
state before and after (for check and diff mode) and messages. Nothing is written until
:func:`apply_plan`, so check mode is exact: a plan with no changed region is a no-op.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import AtomicFile, check_destination, copy_range
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.customize import MSG_LIVE_KARGS, MSG_NETWORK, build_customization
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.flavour import IGNITION_MEMBER, Flavour
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.initrd import Initrd, read_initrd, xz_check_type
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.iso import LiveIso, normalize_features, write_regions  # noqa: F401
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.kargs import edit_kargs, has_edits
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.pxe import copy_and_append, pxe_inspect  # noqa: F401
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.pxe import plan_write_config as plan_copy_out  # noqa: F401
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.pxe import write_plan as write_copy_out  # noqa: F401

SECRET_FILE_MODE = 0o600

MSG_ALREADY_IGN = "This ISO image already has an embedded Ignition config; use force to replace it."
MSG_ALREADY_NET = "This ISO image already has embedded network settings; use force to replace them."
MSG_CUSTOMIZED = "This ISO image is already customized; use force to replace the customization."


class Plan(object):
    """Result of planning a change on an image."""

    def __init__(self, path, regions, before, after, messages=None):
        self.path = path
        self.all_regions = regions
        self.regions = regions
        self.before = before
        self.after = after
        self.messages = list(messages or [])

    @property
    def changed(self):
        return bool(self.regions)


def _state(iso, initrd=None, kargs=None):
    initrd = iso.initrd if initrd is None else initrd
    ign = initrd.get(IGNITION_MEMBER)
    prefix = iso.flavour.network_dir + "/"
    return {
        "ignition": ign.decode("utf-8", "replace") if ign is not None else None,
        "network_keyfiles": sorted(p[len(prefix):] for p in initrd.members if p.startswith(prefix)),
        "members": sorted(initrd.members),
        "kargs": iso.kargs if kargs is None else kargs,
    }


def _finish(iso, regions, initrd=None, kargs=None, messages=None):
    plan = Plan(iso.path, regions, _state(iso), _state(iso, initrd, kargs), messages)
    plan.regions = iso.changed_regions(regions)
    return plan


def open_iso(path: str, expect: Optional[str] = None) -> LiveIso:
    """Open a live ISO; ``expect`` ('nestos'/'coreos') makes a flavour mismatch an error."""
    iso = LiveIso(path)
    if expect and iso.flavour.name != expect:
        iso.close()
        raise NestosError("this is a %s live ISO, but flavour %s was expected (set flavour: auto or %s)"
                          % (iso.flavour.title, Flavour(expect).title, iso.flavour.name), file=path)
    return iso


def show(iso: LiveIso) -> Dict[str, Any]:
    desc = iso.describe()
    out = _state(iso)
    out["ignition_area"] = desc["ignition"]
    out["kargs_areas"] = desc["kargs"]
    for key in ("flavour", "volume_id", "features"):
        out[key] = desc[key]
    out["kargs_default"] = iso.kargs_default
    out["customized"] = iso.is_customized()
    return out


def plan_ignition_embed(iso: LiveIso, config: bytes, force: bool = False) -> Plan:
    return plan_embed(iso, config=config, force=force)


def plan_ignition_remove(iso: LiveIso) -> Plan:
    initrd = Initrd(iso.initrd.members)
    initrd.remove(IGNITION_MEMBER)
    return _finish(iso, [iso.initrd_region(initrd)], initrd)


def plan_network_embed(iso: LiveIso, keyfiles: List[Tuple[str, bytes]], force: bool = False) -> Plan:
    """``keyfiles``: list of (name, bytes)."""
    return plan_embed(iso, keyfiles=keyfiles, force=force)


def plan_embed(iso: LiveIso, config: Optional[bytes] = None, keyfiles: Optional[List[Tuple[str, bytes]]] = None,
               force: bool = False) -> Plan:
    """Embed a config and/or keyfiles in one write of the Ignition area."""
    initrd = Initrd(iso.initrd.members)
    if config is not None:
        config = bytes(config)
        if iso.ignition is not None and iso.ignition != config and not force:
            raise NestosError(MSG_ALREADY_IGN, file=iso.path)
        initrd.add(IGNITION_MEMBER, config)
    if keyfiles is not None:
        if not iso.features.get("live-initrd-network"):
            raise NestosError(MSG_NETWORK, file=iso.path)
        wanted = {}
        for name, data in keyfiles:
            base = os.path.basename(name)
            if base in wanted:
                raise NestosError("multiple input files named '%s'" % base)
            wanted[base] = bytes(data)
        existing = iso.network_keyfiles
        if existing and existing != wanted and not force:
            raise NestosError(MSG_ALREADY_NET, file=iso.path)
        prefix = iso.flavour.network_dir + "/"
        for path in list(initrd.members):
            if path.startswith(prefix):
                initrd.remove(path)
        for base, data in wanted.items():
            initrd.add(prefix + base, data)
    return _finish(iso, [iso.initrd_region(initrd)], initrd)


def plan_network_remove(iso: LiveIso) -> Plan:
    initrd = Initrd(iso.initrd.members)
    prefix = iso.flavour.network_dir + "/"
    for path in list(initrd.members):
        if path.startswith(prefix):
            initrd.remove(path)
    return _finish(iso, [iso.initrd_region(initrd)], initrd)


def plan_kargs_modify(iso: LiveIso, append: Optional[List[str]] = None, delete: Optional[List[str]] = None,
                      replace: Optional[List[str]] = None, append_if_missing: Optional[List[str]] = None,
                      delete_if_present: Optional[List[str]] = None) -> Plan:
    areas = iso.require_kargs()
    new = edit_kargs(areas.kargs, append=append, delete=delete, replace=replace,
                     append_if_missing=append_if_missing, delete_if_present=delete_if_present)
    return _finish(iso, areas.regions_for(new), kargs=areas.check(new))


def plan_kargs_reset(iso: LiveIso) -> Plan:
    areas = iso.require_kargs()
    return _finish(iso, areas.regions_for(areas.default), kargs=areas.default)


def plan_reset(iso: LiveIso) -> Plan:
    """Remove everything embedded and restore the default kargs."""
    regions = [iso.initrd_region(Initrd())]
    kargs = None
    if iso.kargs_areas is not None:
        kargs = iso.kargs_areas.default
        regions += iso.kargs_areas.regions_for(kargs)
    return _finish(iso, regions, Initrd(), kargs)


def plan_customize(iso: LiveIso, options: Dict[str, Any], live_karg_append: Optional[List[str]] = None,
                   live_karg_delete: Optional[List[str]] = None, live_karg_replace: Optional[List[str]] = None,
                   force: bool = False) -> Plan:
    """``iso customize``: options as for :func:`customize.build_customization`."""
    initrd, messages = build_customization(options, iso.features, iso.flavour, "iso")
    regions = []
    kargs = None
    if has_edits(live_karg_append, live_karg_delete, live_karg_replace):
        if iso.kargs_areas is None:
            raise NestosError(MSG_LIVE_KARGS, file=iso.path)
        kargs = edit_kargs(iso.kargs_areas.default, append=live_karg_append, delete=live_karg_delete,
                           replace=live_karg_replace)
        regions += iso.kargs_areas.regions_for(kargs)
        kargs = iso.kargs_areas.check(kargs)
    regions.insert(0, iso.initrd_region(initrd))
    plan = _finish(iso, regions, initrd, kargs, messages)
    if iso.is_customized() and not force and plan.changed:
        raise NestosError(MSG_CUSTOMIZED, file=iso.path)
    return plan


def apply_plan(plan: Plan, output: Optional[str] = None, stream: Any = None, clobber: bool = False,
               mode: Optional[int] = None) -> Optional[str]:
    """Write a plan: in place (no output), to a new file, or to a stream.

    With ``output``/``stream`` the full image is written even when nothing changed. In place,
    ``mode`` (when given) is applied after the regions are written.
    """
    if stream is not None:
        return write_regions(plan.path, plan.all_regions, stream=stream)
    if output is None:
        if plan.regions:
            write_regions(plan.path, plan.regions)
        if mode_differs(plan.path, mode):
            try:
                os.chmod(plan.path, mode)
            except OSError as err:
                raise NestosError("cannot set mode %04o: %s" % (mode, err.strerror), file=plan.path)
        return plan.path
    return write_regions(plan.path, plan.all_regions, dest=output, clobber=clobber, mode=mode)


def holds_config(plan: Plan) -> bool:
    """True when the image after ``plan`` holds an Ignition config or network keyfiles (secrets)."""
    return plan.after.get("ignition") is not None or bool(plan.after.get("network_keyfiles"))


def output_mode(plan: Plan, mode: Optional[int] = None, default: Optional[int] = None,
                current: Optional[str] = None) -> Optional[int]:
    """The mode an image written by ``plan`` gets.

    The user's ``mode`` wins. Otherwise an image that holds a config or keyfiles is made
    owner-only (``0600``), in place too; a new file gets ``default``; an image modified in
    place that holds none keeps its mode (``None``). ``current`` is accepted for symmetry.
    """
    if mode is not None:
        return mode
    if holds_config(plan):
        return SECRET_FILE_MODE
    return default


def mode_differs(path: str, mode: Optional[int]) -> bool:
    if mode is None:
        return False
    try:
        return os.stat(path).st_mode & 0o7777 != mode
    except OSError:
        return True


def output_matches(plan: Plan, output: str) -> bool:
    """True when ``output`` already holds exactly what applying ``plan`` would write."""
    if not os.path.isfile(output) or os.path.getsize(output) != os.path.getsize(plan.path):
        return False
    # same source image: the system area and volume descriptors (first 64 KiB) are identical
    with open(plan.path, "rb") as one, open(output, "rb") as two:
        if one.read(65536) != two.read(65536):
            return False
    try:
        with LiveIso(output) as other:
            return not other.changed_regions(plan.all_regions) and _state(other) == plan.after
    except NestosError:
        return False


# ---------------------------------------------------------------------------------- PXE

def wrap_ignition(config: bytes) -> bytes:
    """xz newc archive holding only ``config.ign`` (``pxe ignition wrap``)."""
    return Initrd({IGNITION_MEMBER: bytes(config)}).to_bytes()


def wrap_network(keyfiles: List[Tuple[str, bytes]], flavour: str = "nestos") -> bytes:
    fl = Flavour(flavour)
    initrd = Initrd()
    for name, data in keyfiles:
        base = os.path.basename(name)
        path = "%s/%s" % (fl.network_dir, base)
        if path in initrd:
            raise NestosError("multiple input files named '%s'" % base)
        initrd.add(path, data)
    return initrd.to_bytes()


def unwrap_ignition(data: bytes, name: Optional[str] = None) -> bytes:
    members = read_initrd(data, name=name)
    if IGNITION_MEMBER not in members:
        raise NestosError("No embedded Ignition config.", file=name)
    return members[IGNITION_MEMBER]


def unwrap_network(data: bytes, name: Optional[str] = None) -> Dict[str, bytes]:
    members = read_initrd(data, name=name)
    out = {}
    for fl in ("nestos", "coreos"):
        prefix = Flavour(fl).network_dir + "/"
        for path, content in members.items():
            if path.startswith(prefix):
                out[path[len(prefix):]] = content
    if not out:
        raise NestosError("No embedded network settings.", file=name)
    return out


def plan_pxe_customize(path: str, options: Dict[str, Any]) -> Tuple[Dict[str, Any], bytes, List[str], Initrd]:
    info = pxe_inspect(path)
    if info["customized"]:
        raise NestosError("input is already customized", file=path)
    initrd, messages = build_customization(options, info["features"], info["flavour"], "pxe")
    return info, initrd.to_bytes(), messages, initrd


def write_pxe_customized(src: str, appended: bytes, output: Optional[str] = None, stream: Any = None,
                         clobber: bool = False) -> Optional[str]:
    """Copy ``src`` verbatim and append ``appended`` (to ``output`` atomically, or a stream)."""
    if stream is not None:
        with open(src, "rb") as source:
            while True:
                block = source.read(4 << 20)
                if not block:
                    break
                stream.write(block)
        stream.write(appended)
        stream.flush()
        return None
    if not clobber and os.path.lexists(output):
        raise NestosError("output file already exists; remove it or allow overwriting", file=output)
    return copy_and_append(src, appended, output)


def check_kernel_xz(data: bytes) -> None:
    """Raise when an xz stream uses an integrity check the kernel cannot verify."""
    check = xz_check_type(data)
    if check not in (0, 1):
        raise NestosError("xz stream uses check type %d; the kernel accepts only none or CRC32" % check)


# ---------------------------------------------------------------------------------- extract

def _same_file(path, handle, rec):
    if not os.path.isfile(path) or os.path.getsize(path) != rec.length:
        return False
    handle.seek(rec.offset)
    left = rec.length
    with open(path, "rb") as mine:
        while left > 0:
            want = min(4 << 20, left)
            if mine.read(want) != handle.read(want):
                return False
            left -= want
    return True


def check_stem(stem: Optional[str], iso_path: str) -> str:
    """The file-name stem of extracted files: a plain name, never a path (no ``/``, ``..``, NUL)."""
    if stem is None or stem == "":
        return os.path.splitext(os.path.basename(iso_path))[0]
    if "/" in stem or "\x00" in stem or stem in (".", ".."):
        raise NestosError("stem must be a plain file-name prefix without '/', '..' or NUL (got %r); files are "
                          "written only inside dest" % stem, path="stem")
    return stem


def _pxe_records(iso, iso_path):
    try:
        pxedir = iso.iso.get_path("IMAGES/PXEBOOT")
    except NestosError:
        raise NestosError("Unrecognized %s ISO image. (no images/pxeboot)" % iso.flavour.title, file=iso_path)
    return [rec for rec in iso.iso.list_dir(pxedir) if not rec.is_dir]


def _pxe_target(folder, stem, rec):
    name = rec.name.lower()
    if "/" in name or name in (".", "..") or "\x00" in name:
        raise NestosError("refusing PXE file name %r from the image" % rec.name, file=folder)
    return os.path.join(folder, "%s-%s" % (stem, name))


def plan_extract_pxe(iso_path: str, folder: str, stem: Optional[str] = None) -> "tuple[list, list]":
    """``iso extract pxe``: (all target paths, the ones that need writing)."""
    if not os.path.isdir(folder):
        raise NestosError("output folder does not exist; create it first", file=folder)
    stem = check_stem(stem, iso_path)
    targets = []
    todo = []
    with LiveIso(iso_path) as iso:
        for rec in _pxe_records(iso, iso_path):
            target = _pxe_target(folder, stem, rec)
            check_destination(target)
            targets.append(target)
            if not _same_file(target, iso.handle, rec):
                todo.append(target)
    return targets, todo


def extract_pxe(iso_path: str, folder: str, stem: Optional[str] = None) -> list:
    """Write every file of IMAGES/PXEBOOT as ``<stem>-<lowercased name>``; returns all paths."""
    targets, todo = plan_extract_pxe(iso_path, folder, stem)
    if todo and not os.access(folder, os.W_OK | os.X_OK):
        raise NestosError("output folder is not writable", file=folder)
    stem = check_stem(stem, iso_path)
    with LiveIso(iso_path) as iso:
        for rec in _pxe_records(iso, iso_path):
            target = _pxe_target(folder, stem, rec)
            if target not in todo:
                continue
            try:
                with open(iso_path, "rb", buffering=0) as raw:
                    with AtomicFile(target, mode=0o644) as out:
                        raw.seek(rec.offset)
                        copy_range(raw, out, rec.length)
            except (IOError, OSError) as err:
                raise NestosError("cannot write: %s" % (err.strerror or err), file=target)
    return targets


__all__ = [
    "Plan", "SECRET_FILE_MODE", "apply_plan", "check_kernel_xz", "check_stem", "copy_and_append", "extract_pxe",
    "holds_config", "mode_differs", "normalize_features", "open_iso", "output_matches", "output_mode",
    "plan_copy_out", "plan_customize", "plan_embed", "plan_extract_pxe", "plan_ignition_embed",
    "plan_ignition_remove", "plan_kargs_modify", "plan_kargs_reset", "plan_network_embed", "plan_network_remove",
    "plan_pxe_customize", "plan_reset", "pxe_inspect", "show", "unwrap_ignition", "unwrap_network",
    "wrap_ignition", "wrap_network", "write_copy_out", "write_pxe_customized"
]
