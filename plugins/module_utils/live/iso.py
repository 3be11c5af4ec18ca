# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A NestOS (or upstream CoreOS) live ISO: its Ignition embed area, kargs areas and features.

Reading never modifies the file. Changes are computed as regions ``(offset, bytes)``
that :mod:`output` writes in place, to a new file or to a stream.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import struct

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.flavour import Flavour, IGNITION_MEMBER
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.initrd import Initrd
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.iso9660 import PVD_OFFSET, IsoFs, NotFound
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.metadata import (
    KARG_AREA_MAX, METADATA_MAX_BYTES, check_text, decode_json, normalize_features, parse_igninfo, parse_kargs_info)
from ansible_collections.nestos.lifecycle.plugins.module_utils.live import output

DEFAULT_EMBED_PATH = "IMAGES/IGNITION.IMG"

# On-disk layout of the legacy (2021) embed headers, which sit at the end of the ISO9660
# system area, just before the Primary Volume Descriptor (reference: live-image-formats.md
# section 4.2; coreos-installer src/live/embed.rs):
#   [... system area ...][kargs header: 72 bytes][Ignition header "coreiso+": 24 bytes][PVD @ 32768]
SYSTEM_AREA_END = PVD_OFFSET                        # 16 sectors of 2048 bytes = 32768
IGNITION_HEADER_SIZE = 24                           # magic "coreiso+" (8), u64 offset, u64 length
KARG_HEADER_SIZE = 72                               # magic (8), u64 length, u64 default offset, 6 x u64
KARG_HEADER_OFFSET = SYSTEM_AREA_END - IGNITION_HEADER_SIZE - KARG_HEADER_SIZE  # 32672
KARG_HEADER_MAGIC = b"coreKarg"
KARG_HEADER_FIELDS = struct.Struct("<QQ")           # area length, offset of the default-kargs area
KARG_HEADER_OFFSETS_AT = len(KARG_HEADER_MAGIC) + KARG_HEADER_FIELDS.size   # 24
KARG_HEADER_MAX_OFFSETS = 6                         # u64 area offsets, list ended by 0
KARG_OFFSET = struct.Struct("<Q")


class KargRegion(object):
    """One kargs embed area: ``length`` bytes at ISO ``offset``; ``meta``/``field`` name its origin."""

    __slots__ = ("offset", "length", "pad", "end", "contents", "meta", "field")

    def __init__(self, offset, length, pad, end, contents, meta=None, field=None):
        self.offset = offset
        self.length = length
        self.pad = pad
        self.end = end
        self.contents = contents
        self.meta = meta
        self.field = field

    def parse(self):
        try:
            text = self.contents.decode("utf-8")
        except UnicodeDecodeError:
            raise NestosError("invalid UTF-8 in karg area at offset %d" % self.offset, file=self.meta, path=self.field)
        return text.rstrip(self.pad).rstrip(self.end).strip()

    def render(self, kargs):
        data = (kargs + self.end).encode("utf-8")
        return data + self.pad.encode("utf-8") * (self.length - len(data))

    def describe(self):
        out = {"offset": self.offset, "length": self.length}
        if self.pad != "#":
            out["pad"] = self.pad
        if self.end != "\n":
            out["end"] = self.end
        return out


class KargAreas(object):
    """Every kargs embed area of an ISO; they always hold the same kargs."""

    def __init__(self, length, default, regions, name=None):
        if not regions:
            raise NestosError("No karg embed areas found; old or corrupted NestOS ISO image.", file=name)
        self.length = length
        self.default = default
        self.regions = sorted(regions, key=lambda r: r.offset)
        self.name = name
        first = self.regions[0].parse()
        for region in self.regions[1:]:
            other = region.parse()
            if other != first:
                raise NestosError("kargs don't match at all offsets! (expected '%s', but offset %d has: '%s')"
                                  % (first, region.offset, other), file=name)
        self.kargs = first

    def check(self, kargs):
        trimmed = check_text(kargs, self.name, "kargs").strip()
        if len(trimmed.encode("utf-8")) >= self.length:
            raise NestosError("kargs too large for area: %d vs %d" % (len(trimmed.encode("utf-8")) + 1, self.length),
                              file=self.name)
        return trimmed

    def regions_for(self, kargs):
        trimmed = self.check(kargs)
        return [(r.offset, r.render(trimmed)) for r in self.regions]

    def describe(self):
        return {"length": self.length, "default": self.default, "kargs": [r.describe() for r in self.regions]}


def _no_overlap(regions, ign_offset, ign_length, meta):
    """Kargs areas may not overlap each other or the Ignition embed area."""
    spans = sorted([(r.offset, r.length, r.field) for r in regions] + [(ign_offset, ign_length, "the Ignition area")])
    for (off1, len1, what1), (off2, dummy, what2) in zip(spans, spans[1:]):
        if off1 + len1 > off2:
            field = what2 if what2 != "the Ignition area" else what1
            raise NestosError("kargs area at ISO offset %d overlaps %s at offset %d"
                              % (off1, what2, off2), file=meta, path=field)


def _read_at(handle, offset, length, size, what, name):
    if offset + length > size or offset < 0:
        raise NestosError("%s at offset %d length %d is beyond the end of the image" % (what, offset, length), file=name)
    handle.seek(offset)
    return handle.read(length)


class LiveIso(object):
    """Parsed view of a live ISO. Use as a context manager or call close()."""

    def __init__(self, path):
        self.path = path
        if not os.path.exists(path):
            raise NestosError("ISO image not found", file=path)
        if os.path.isdir(path):
            raise NestosError("is a directory, expected a live ISO image", file=path)
        try:
            self.handle = open(path, "rb")
        except OSError as err:
            raise NestosError("cannot read ISO image: %s" % err.strerror, file=path)
        try:
            self.iso = IsoFs(self.handle, name=path)
            self.size = self.iso.size
            self.flavour = self._detect_flavour()
            self.ign_offset, self.ign_length = self._ignition_area()
            area = _read_at(self.handle, self.ign_offset, self.ign_length, self.size, "Ignition embed area", path)
            self.ign_original = area
            if area.strip(b"\x00"):
                self.initrd = Initrd.from_bytes(area, name="%s (Ignition embed area)" % path)
            else:
                self.initrd = Initrd()
            self.kargs_areas = self._kargs_areas()
            if self.flavour_guessed and self.kargs_areas and "coreos.liveiso=" in self.kargs_areas.default:
                self.flavour = Flavour("coreos")
            self.features = self._features()
        except Exception:
            self.handle.close()
            raise

    # -- context manager
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        if not self.handle.closed:
            self.handle.close()

    # -- discovery
    def _detect_flavour(self):
        self.flavour_guessed = False
        for name in ("nestos", "coreos"):
            if self.iso.exists(Flavour(name).meta_dir):
                return Flavour(name)
        # old media without metadata folder: decided from the default kargs later; default NestOS
        self.flavour_guessed = True
        return Flavour("nestos")

    def _meta(self, fname):
        return "%s/%s" % (self.flavour.meta_dir, fname)

    @property
    def volume_id(self):
        return self.iso.volume_id

    def _read_json(self, path, what):
        """Parsed metadata file ``path`` of the ISO, or None when absent."""
        try:
            rec = self.iso.get_file(path)
        except NotFound:
            return None
        label = "%s:/%s" % (self.path, path.lower())
        if rec.length > METADATA_MAX_BYTES:
            raise NestosError("%s is %d bytes, more than the %d bytes allowed" % (what, rec.length, METADATA_MAX_BYTES),
                              file=label)
        return decode_json(self.iso.read_file(rec), label)

    def _file_extent(self, path, meta, field):
        """The ISO9660 record of a file named by metadata (an error naming the field when absent)."""
        try:
            rec = self.iso.get_file(path.upper())
        except NotFound:
            raise NestosError("%s not found in the image" % path, file=meta, path=field)
        if rec.offset + rec.length > self.size:
            raise NestosError("%s extends past the end of the image" % path, file=meta, path=field)
        return rec

    def _ignition_area(self):
        info, meta = None, None
        for name in ("NESTOS/IGNINFO.JSO", "COREOS/IGNINFO.JSO"):
            info = self._read_json(name, "igninfo.json")
            if info is not None:
                meta = "%s:/%s" % (self.path, name.lower().replace(".jso", ".json"))
                break
        if info is None:
            info, meta = {"file": DEFAULT_EMBED_PATH}, self.path
        area = parse_igninfo(info, meta)
        try:
            rec = self.iso.get_file(area.file.upper())
        except NotFound:
            raise NestosError("Unrecognized %s ISO image. (finding initrd embed area: %s not found)"
                              % (self.flavour.title, area.file), file=self.path)
        if rec.offset + rec.length > self.size:
            raise NestosError("%s extends past the end of the image" % area.file, file=meta, path="$.file")
        offset, length = area.area(rec.length, meta)
        return rec.offset + offset, length

    def _kargs_areas(self):
        raw = self._read_json(self._meta("KARGS.JSO"), "kargs.json")
        if raw is None:
            return self._kargs_legacy()
        meta = "%s:/%s" % (self.path, self._meta("kargs.json").lower())
        info = parse_kargs_info(raw, meta)
        regions = []
        for idx, entry in enumerate(info.files):
            field = "$.files[%d]" % idx
            rec = self._file_extent(entry.path, meta, field + ".path")
            entry.check_extent(info.size, rec.length, meta, field)
            offset = rec.offset + entry.offset
            data = _read_at(self.handle, offset, info.size, self.size, "kargs embed area", self.path)
            regions.append(KargRegion(offset, info.size, entry.pad, entry.end, data, meta, field))
        _no_overlap(regions, self.ign_offset, self.ign_length, meta)
        return KargAreas(info.size, info.default, regions, name=self.path)

    def _kargs_legacy(self):
        header = _read_at(self.handle, KARG_HEADER_OFFSET, KARG_HEADER_SIZE, self.size, "kargs header", self.path)
        if header[:len(KARG_HEADER_MAGIC)] != KARG_HEADER_MAGIC:
            return None
        label = "%s (legacy kargs header at offset %d)" % (self.path, KARG_HEADER_OFFSET)
        length, default_off = KARG_HEADER_FIELDS.unpack_from(header, len(KARG_HEADER_MAGIC))
        if length > KARG_AREA_MAX or length == 0:
            raise NestosError("karg embed area length must be 1..%d (found %d)" % (KARG_AREA_MAX, length), file=label,
                              path="length")
        default_region = KargRegion(default_off, length, "#", "\n", self._legacy_area(default_off, length, label,
                                                                                      "default offset"),
                                    label, "default offset")
        regions = []
        for idx in range(KARG_HEADER_MAX_OFFSETS):
            (off,) = KARG_OFFSET.unpack_from(header, KARG_HEADER_OFFSETS_AT + KARG_OFFSET.size * idx)
            if off == 0:
                break
            field = "offset %d" % idx
            regions.append(KargRegion(off, length, "#", "\n", self._legacy_area(off, length, label, field),
                                      label, field))
        _no_overlap(regions, self.ign_offset, self.ign_length, label)
        return KargAreas(length, default_region.parse(), regions, name=self.path)

    def _legacy_area(self, offset, length, label, field):
        """A legacy area must lie past the system area and inside the image."""
        if offset < SYSTEM_AREA_END or offset + length > self.size:
            raise NestosError("kargs area at offset %d (%d bytes) lies outside the image's files (%d..%d)"
                              % (offset, length, SYSTEM_AREA_END, self.size), file=label, path=field)
        self.handle.seek(offset)
        return self.handle.read(length)

    def _features(self):
        data = self._read_json(self._meta("FEATURES.JSO"), "OS features")
        return normalize_features(data)

    # -- queries
    @property
    def ignition(self):
        """Embedded live Ignition config bytes, or None."""
        return self.initrd.get(IGNITION_MEMBER)

    @property
    def network_keyfiles(self):
        prefix = self.flavour.network_dir + "/"
        return dict((p[len(prefix):], d) for p, d in self.initrd.members.items() if p.startswith(prefix))

    @property
    def kargs(self):
        return self.kargs_areas.kargs if self.kargs_areas else None

    @property
    def kargs_default(self):
        return self.kargs_areas.default if self.kargs_areas else None

    def is_customized(self):
        """True when anything is embedded or the kargs differ from the default."""
        if self.ignition is not None or self.network_keyfiles:
            return True
        return bool(self.kargs_areas and self.kargs_areas.kargs != self.kargs_areas.default)

    def require_kargs(self):
        if self.kargs_areas is None:
            raise NestosError("No karg embed areas found; old or corrupted %s ISO image." % self.flavour.title,
                              file=self.path)
        return self.kargs_areas

    def describe(self):
        """What ``dev show iso`` prints, as a dict."""
        return {
            "ignition": {"offset": self.ign_offset, "length": self.ign_length},
            "kargs": self.kargs_areas.describe() if self.kargs_areas else None,
            "flavour": self.flavour.name,
            "volume_id": self.volume_id,
            "features": self.features,
        }

    # -- changes
    def initrd_region(self, initrd):
        """The Ignition area rewritten in full for ``initrd`` (zeros when empty)."""
        data = b"" if initrd.is_empty() else initrd.to_bytes()
        if len(data) > self.ign_length:
            raise NestosError("Compressed initramfs is too large: %d > %d" % (len(data), self.ign_length), file=self.path)
        return (self.ign_offset, data + b"\x00" * (self.ign_length - len(data)))

    def kargs_regions(self, kargs):
        return self.require_kargs().regions_for(kargs)

    def changed_regions(self, regions):
        """Only the regions whose bytes differ from what the file holds."""
        out = []
        for offset, data in regions:
            self.handle.seek(offset)
            if self.handle.read(len(data)) != data:
                out.append((offset, data))
        return out


def write_regions(src, regions, dest=None, stream=None, clobber=False, mode=None):
    """Apply ``regions`` in place (no dest/stream), to ``dest``, or to ``stream``."""
    if stream is not None:
        return output.write_stream(src, stream, regions)
    if dest is None:
        return output.write_in_place(src, regions)
    return output.write_new_file(src, dest, regions, mode=mode, clobber=clobber)
