# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``iso extract minimal-iso``: rebuild the minimal ISO a live ISO carries in ``miniso.dat``.

``miniso.dat`` (version 1) is a bincode document (little endian, variable-length integers):
header (magic ``MINISO\\0\\0``, version, writer version) then a table of
``(minimal sector, full sector, length)`` entries, the SHA-256 of the minimal ISO and an xz
stream with every byte of the minimal ISO that is not a file shared with the full ISO. The
minimal ISO is rebuilt by interleaving the two, checked against the digest, then its
``*.liveiso=`` karg is removed (also from its kargs.json default) and an optional
``*.live.rootfs_url=`` is appended.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import lzma
import os
import struct
from collections import OrderedDict

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import (
    AtomicFile, check_destination, copy_range, destination_kind, sha256_file)
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.iso import LiveIso
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.iso9660 import SECTOR, NotFound
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.kargs import edit_kargs
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.output import write_in_place

MAGIC = b"MINISO\x00\x00"
VERSION = 1
CHUNK = 1 << 20


class _Cursor(object):
    def __init__(self, data, name):
        self.data = data
        self.pos = 0
        self.name = name

    def _need(self, n):
        if self.pos + n > len(self.data):
            raise NestosError("truncated miniso data", file=self.name)

    def raw(self, n):
        self._need(n)
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def varint(self):
        self._need(1)
        first = self.data[self.pos]
        self.pos += 1
        if first < 251:
            return first
        fmt = {251: "<H", 252: "<I", 253: "<Q"}.get(first)
        if fmt is None:
            raise NestosError("unsupported integer encoding in miniso data", file=self.name)
        size = struct.calcsize(fmt)
        self._need(size)
        value = struct.unpack_from(fmt, self.data, self.pos)[0]
        self.pos += size
        return value


def parse_miniso(data, name=None):
    """(entries [(minimal offset, full offset, length)], digest bytes, xz bytes)."""
    cur = _Cursor(bytes(data), name)
    if cur.raw(8) != MAGIC:
        raise NestosError("not a miniso file!", file=name)
    version = cur.varint()
    app_version = cur.raw(cur.varint()).decode("utf-8", "replace")
    if version != VERSION:
        raise NestosError("incompatible miniso file version: %d vs %d (created by %s)" % (VERSION, version, app_version),
                          file=name)
    entries = []
    for dummy in range(cur.varint()):
        minimal, full, length = cur.varint(), cur.varint(), cur.varint()
        entries.append((minimal * SECTOR, full * SECTOR, length))
    digest = cur.raw(32)
    xz = cur.raw(cur.varint())
    end = 0
    for minimal, _full, length in entries:
        if minimal < end:
            raise NestosError("Files at offsets overlap in miniso table", file=name)
        end = minimal + length
    return entries, digest, xz


class _XzReader(object):
    def __init__(self, data):
        self.dec = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
        self.pending = data

    def read(self, n):
        out = []
        got = 0
        while got < n:
            try:
                block = self.dec.decompress(self.pending, max_length=n - got)
            except EOFError:  # the stream already ended
                break
            self.pending = b""
            if not block:
                break
            out.append(block)
            got += len(block)
        return b"".join(out)


def _copy_hashed(read, left, hasher, target, ended, name):
    """Copy ``left`` bytes from ``read`` to ``target``, hashing them; NestosError(``ended``)
    when the source ends first."""
    while left > 0:
        block = read(min(CHUNK, left))
        if not block:
            raise NestosError(ended, file=name)
        hasher.update(block)
        target.write(block)
        left -= len(block)


def _unpack(entries, digest, xz, full_handle, target, name):
    reader = _XzReader(xz)
    hasher = hashlib.sha256()
    offset = 0
    for minimal, full, length in entries:
        if minimal > offset:
            _copy_hashed(reader.read, minimal - offset, hasher, target, "miniso packed data ended early", name)
        full_handle.seek(full)
        _copy_hashed(full_handle.read, length, hasher, target,
                     "full ISO ended early while unpacking the minimal ISO", name)
        offset = minimal + length
    while True:
        block = reader.read(CHUNK)
        if not block:
            break
        hasher.update(block)
        target.write(block)
    if hasher.digest() != digest:
        raise NestosError("wrong final digest: expected %s, found %s" % (digest.hex(), hasher.hexdigest()), file=name)


def _fix_kargs(path, flavour, rootfs_url):
    """Drop ``*.liveiso=`` from the minimal ISO's kargs and default; append the rootfs URL."""
    with LiveIso(path) as mini:
        areas = mini.require_kargs()
        prefix = flavour.liveiso_karg + "="
        token = next((t for t in areas.kargs.split() if t.startswith(prefix)), None)
        if token is None:
            raise NestosError("minimal ISO does not have %s karg" % prefix, file=path)
        default = edit_kargs(areas.kargs, delete=[token])
        kargs = default
        if rootfs_url:
            kargs = edit_kargs(default, append=["%s=%s" % (flavour.rootfs_url_karg, rootfs_url)])
        regions = areas.regions_for(kargs)
        rec = mini.iso.get_file("%s/KARGS.JSO" % flavour.meta_dir)
        info = json.loads(mini.iso.read_file(rec).decode("utf-8").rstrip(" \x00"))
        files = []
        for entry in info.get("files") or []:
            item = OrderedDict([("path", entry["path"]), ("offset", entry["offset"])])
            for key in ("pad", "end"):
                if entry.get(key) is not None:
                    item[key] = entry[key]
            files.append(item)
        new = json.dumps(OrderedDict([("default", default), ("files", files), ("size", info["size"])]),
                         indent=2, ensure_ascii=False).encode("utf-8")
        if len(new) > rec.length:
            raise NestosError("New version of kargs.json does not fit in space (%d vs %d)" % (len(new), rec.length),
                              file=path)
        regions.append((rec.offset, new + b" " * (rec.length - len(new))))
    write_in_place(path, regions)


def extract_minimal_iso(iso_path, output, rootfs_url=None, output_rootfs=None, clobber=False):
    """Write the minimal ISO of ``iso_path`` to ``output`` (atomically); returns ``output``."""
    if rootfs_url is not None and len(rootfs_url.split()) != 1:
        raise NestosError("forbidden whitespace found in '%s'" % rootfs_url)
    if not clobber and os.path.lexists(output):
        raise NestosError("output file already exists", file=output)
    atomic = AtomicFile(output, mode=0o644)
    with atomic as target:
        _write_minimal(iso_path, atomic, target, rootfs_url, output_rootfs)
    return output


class _Unchanged(Exception):
    """Raised inside the atomic writer to discard a rebuilt image that changes nothing."""


def update_minimal_iso(iso_path, output, rootfs_url=None, check_mode=False):
    """Rebuild the minimal ISO into a temp file beside ``output``; replace ``output`` only when
    it differs (and not in check mode). Returns True when ``output`` changed (or would).

    The temp file follows the fileutil rule: a killed run's temp is removed by the next run.
    """
    check_destination(output)
    atomic = AtomicFile(output, mode=0o644)
    try:
        with atomic as target:
            _write_minimal(iso_path, atomic, target, rootfs_url)
            target.flush()
            differs = destination_kind(output) != "file" or sha256_file(output) != sha256_file(atomic.tmp)
            if not differs or check_mode:
                raise _Unchanged(differs)
    except _Unchanged as unchanged:
        return bool(unchanged.args[0])
    return True


def _write_minimal(iso_path, atomic, target, rootfs_url, output_rootfs=None):
    if rootfs_url is not None and len(rootfs_url.split()) != 1:
        raise NestosError("forbidden whitespace found in '%s'" % rootfs_url)
    with LiveIso(iso_path) as iso:
        if not iso.initrd.is_empty() or (iso.kargs_areas and iso.kargs != iso.kargs_default):
            raise NestosError("Cannot operate on ISO with embedded customizations. Reset it first "
                              "(iso_customize state=absent) and try again.", file=iso_path)
        try:
            rec = iso.iso.get_file("%s/MINISO.DAT" % iso.flavour.meta_dir)
        except NotFound:
            raise NestosError("This ISO image does not support extracting a minimal ISO.", file=iso_path)
        entries, digest, xz = parse_miniso(iso.iso.read_file(rec), name=iso_path)
        if output_rootfs:
            extract_rootfs(iso_path, output_rootfs)
        _unpack(entries, digest, xz, iso.handle, target, iso_path)
        target.flush()
        _fix_kargs(atomic.tmp, iso.flavour, rootfs_url)


def extract_rootfs(iso_path, output, check_mode=False):
    """Copy the ISO's ``images/pxeboot/rootfs.img`` to ``output``; False when it already matches."""
    from ansible_collections.nestos.lifecycle.plugins.module_utils.live.api import _same_file
    with LiveIso(iso_path) as iso:
        try:
            root = iso.iso.get_file("IMAGES/PXEBOOT/ROOTFS.IMG")
        except NotFound:
            raise NestosError("looking up 'images/pxeboot/rootfs.img': not found", file=iso_path)
        if _same_file(output, iso.handle, root):
            return False
    if not check_mode:
        with open(iso_path, "rb", buffering=0) as raw:
            with AtomicFile(output, mode=0o644) as out:
                raw.seek(root.offset)
                copy_range(raw, out, root.length)
    return True
