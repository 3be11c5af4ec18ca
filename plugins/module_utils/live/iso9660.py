# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only ISO9660 access: the Primary Volume Descriptor tree only.

Rock Ridge and Joliet are ignored, as nestos-installer does. Names are the level-1
names genisoimage writes (upper case, ``;1`` and a trailing ``.`` removed). A lookup
tries the exact upper-cased component first, then its level-1 form (directories cut to
8 characters, files to 8.3, other characters mapped to ``_``), which is how
``EFI/openEuler/grub.cfg`` finds ``EFI/OPENEULE/GRUB.CFG``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import struct

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

SECTOR = 2048
PVD_OFFSET = 16 * SECTOR


class NotFound(NestosError):
    """A path is not in the ISO."""


class Record(object):
    """One directory record: a file or a directory."""

    __slots__ = ("name", "lba", "length", "is_dir")

    def __init__(self, name, lba, length, is_dir):
        self.name = name
        self.lba = lba
        self.length = length
        self.is_dir = is_dir

    @property
    def offset(self):
        """Byte offset of the extent inside the ISO."""
        return self.lba * SECTOR

    def __repr__(self):
        return "Record(%r, lba=%d, length=%d, dir=%r)" % (self.name, self.lba, self.length, self.is_dir)


_BAD = re.compile(r"[^A-Z0-9_]")


def level1_dir(name):
    """Level-1 form of a directory name (8 characters)."""
    return _BAD.sub("_", name.upper())[:8]


def level1_file(name):
    """Level-1 form of a file name (8.3)."""
    upper = name.upper()
    if "." in upper:
        stem, ext = upper.rsplit(".", 1)
    else:
        stem, ext = upper, ""
    stem = _BAD.sub("_", stem.replace(".", "_"))[:8]
    ext = _BAD.sub("_", ext)[:3]
    return stem + ("." + ext if ext else "")


def _parse_record(buf, pos):
    (length,) = struct.unpack_from("<B", buf, pos)
    lba = struct.unpack_from("<I", buf, pos + 2)[0]
    size = struct.unpack_from("<I", buf, pos + 10)[0]
    flags = buf[pos + 25]
    name_len = buf[pos + 32]
    raw = bytes(buf[pos + 33:pos + 33 + name_len])
    return length, Record(raw, lba, size, bool(flags & 2))


def _clean_name(raw):
    if raw in (b"\x00", b"\x01"):
        return None
    name = raw.decode("ascii", "replace")
    if ";" in name:
        name = name.split(";", 1)[0]
    if name.endswith(".") and len(name) > 1:
        name = name[:-1]
    return name


class IsoFs(object):
    """An ISO9660 image opened from a binary file handle (any readable, seekable file)."""

    def __init__(self, handle, name=None):
        self.handle = handle
        self.name = name
        handle.seek(0, 2)
        self.size = handle.tell()
        pvd = self._pread(PVD_OFFSET, SECTOR)
        if len(pvd) < SECTOR or pvd[0:1] != b"\x01" or pvd[1:6] != b"CD001":
            raise NestosError(
                "not an ISO9660 image (no CD001 primary volume descriptor at sector 16)", file=name)
        self.volume_id = pvd[40:72].decode("ascii", "replace").rstrip(" \x00")
        root = _parse_record(pvd, 156)[1]
        root.name = ""
        self.root = root
        self._cache = {}

    def _pread(self, offset, length):
        self.handle.seek(offset)
        return self.handle.read(length)

    def list_dir(self, record):
        """Records in directory ``record`` (no ``.``/``..``)."""
        key = record.lba
        if key in self._cache:
            return self._cache[key]
        if record.offset + record.length > self.size:
            raise NestosError("corrupted ISO: directory extent beyond end of image", file=self.name)
        buf = self._pread(record.offset, record.length)
        out = []
        pos = 0
        while pos < len(buf):
            length = buf[pos]
            if length == 0:
                # records never cross a sector: skip to the next one
                pos = (pos // SECTOR + 1) * SECTOR
                continue
            if length < 34 or pos + length > len(buf):
                raise NestosError("corrupted ISO: bad directory record", file=self.name)
            rec = _parse_record(buf, pos)[1]
            name = _clean_name(rec.name)
            if name is not None:
                rec.name = name
                out.append(rec)
            pos += length
        self._cache[key] = out
        return out

    def _find(self, directory, component, last):
        entries = self.list_dir(directory)
        wanted = component.upper()
        for rec in entries:
            if rec.name == wanted:
                return rec
        forms = [level1_dir(component)]
        if last:
            forms.insert(0, level1_file(component))
        for form in forms:
            for rec in entries:
                if rec.name == form:
                    return rec
        return None

    def get_path(self, path):
        """Record for ``path`` (``/``-separated, case-insensitive); raises NotFound."""
        parts = [p for p in path.split("/") if p]
        cur = self.root
        for idx, comp in enumerate(parts):
            if not cur.is_dir:
                raise NotFound("%s: not a directory in the ISO" % "/".join(parts[:idx]), file=self.name)
            rec = self._find(cur, comp, idx == len(parts) - 1)
            if rec is None:
                raise NotFound("%s not found in the ISO" % path, file=self.name)
            cur = rec
        return cur

    def exists(self, path):
        try:
            self.get_path(path)
            return True
        except NotFound:
            return False

    def get_file(self, path):
        rec = self.get_path(path)
        if rec.is_dir:
            raise NestosError("%s is a directory, expected a file" % path, file=self.name)
        if rec.offset + rec.length > self.size:
            raise NestosError("corrupted ISO: %s extends beyond the end of the image" % path, file=self.name)
        return rec

    def read_file(self, path_or_record):
        rec = path_or_record if isinstance(path_or_record, Record) else self.get_file(path_or_record)
        return self._pread(rec.offset, rec.length)

    def walk(self, record=None, prefix=""):
        """Yield (path, record) for every entry below ``record`` (default: root)."""
        record = record or self.root
        for rec in self.list_dir(record):
            path = prefix + rec.name
            yield path, rec
            if rec.is_dir:
                yield from self.walk(rec, path + "/")
