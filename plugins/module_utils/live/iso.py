# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A NestOS (or upstream CoreOS) live ISO: its Ignition embed area, kargs areas and features.

Reading never modifies the file. Changes are computed as regions ``(offset, bytes)``
that :mod:`output` writes in place, to a new file or to a stream.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import struct

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.flavour import Flavour, IGNITION_MEMBER
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.initrd import Initrd
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.iso9660 import IsoFs, NotFound
from ansible_collections.nestos.lifecycle.plugins.module_utils.live import output

DEFAULT_EMBED_PATH = "IMAGES/IGNITION.IMG"
KARG_HEADER_MAGIC = b"coreKarg"
KARG_HEADER_OFFSET = 32768 - 24 - 72
KARG_AREA_MAX = 2048
KARG_HEADER_MAX_OFFSETS = 6


class KargRegion(object):
    __slots__ = ("offset", "length", "pad", "end", "contents")

    def __init__(self, offset, length, pad, end, contents):
        self.offset = offset
        self.length = length
        self.pad = pad
        self.end = end
        self.contents = contents

    def parse(self):
        try:
            text = self.contents.decode("utf-8")
        except UnicodeDecodeError:
            raise NestosError("invalid UTF-8 in karg area at offset %d" % self.offset)
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
        trimmed = kargs.strip()
        if len(trimmed.encode("utf-8")) >= self.length:
            raise NestosError("kargs too large for area: %d vs %d" % (len(trimmed.encode("utf-8")) + 1, self.length),
                              file=self.name)
        return trimmed

    def regions_for(self, kargs):
        trimmed = self.check(kargs)
        return [(r.offset, r.render(trimmed)) for r in self.regions]

    def describe(self):
        return {"length": self.length, "default": self.default, "kargs": [r.describe() for r in self.regions]}


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
        try:
            raw = self.iso.read_file(path)
        except NotFound:
            return None
        try:
            return json.loads(raw.decode("utf-8").rstrip(" \x00"))
        except ValueError as err:
            raise NestosError("decoding %s: %s" % (what, err), file=self.path, path=path)

    def _ignition_area(self):
        info = None
        for meta in ("NESTOS/IGNINFO.JSO", "COREOS/IGNINFO.JSO"):
            info = self._read_json(meta, "igninfo")
            if info is not None:
                break
        if info is None:
            info = {"file": DEFAULT_EMBED_PATH}
        if not isinstance(info, dict) or not isinstance(info.get("file"), str):
            raise NestosError("igninfo.json has no 'file' entry", file=self.path)
        try:
            rec = self.iso.get_file(info["file"].upper())
        except NotFound:
            raise NestosError("Unrecognized %s ISO image. (finding initrd embed area: %s not found)"
                              % (self.flavour.title, info["file"]), file=self.path)
        offset = int(info.get("offset") or 0)
        length = info.get("length")
        length = int(length) if length is not None else rec.length - offset
        return rec.offset + offset, length

    def _kargs_areas(self):
        info = self._read_json(self._meta("KARGS.JSO"), "kargs embed area info")
        if info is None:
            return self._kargs_legacy()
        size = int(info.get("size", 0))
        default = info.get("default", "")
        if size > KARG_AREA_MAX:
            raise NestosError("karg embed area size larger than %d (found %d)" % (KARG_AREA_MAX, size), file=self.path)
        if len(default) > size:
            raise NestosError("default kargs size %d larger than embed areas (%d)" % (len(default), size), file=self.path)
        regions = []
        for entry in info.get("files") or []:
            try:
                rec = self.iso.get_file(entry["path"].upper())
            except NotFound:
                raise NestosError("looking up '%s' listed in kargs.json: not found" % entry["path"], file=self.path)
            offset = rec.offset + int(entry.get("offset", 0))
            data = _read_at(self.handle, offset, size, self.size, "kargs embed area", self.path)
            regions.append(KargRegion(offset, size, entry.get("pad") or "#", entry.get("end") or "\n", data))
        return KargAreas(size, default, regions, name=self.path)

    def _kargs_legacy(self):
        header = _read_at(self.handle, KARG_HEADER_OFFSET, 72, self.size, "kargs header", self.path)
        if header[:8] != KARG_HEADER_MAGIC:
            return None
        length, default_off = struct.unpack_from("<QQ", header, 8)
        if length > KARG_AREA_MAX:
            raise NestosError("karg embed area length larger than %d (found %d)" % (KARG_AREA_MAX, length), file=self.path)
        default_region = KargRegion(default_off, length, "#", "\n",
                                    _read_at(self.handle, default_off, length, self.size, "default kargs", self.path))
        regions = []
        for idx in range(KARG_HEADER_MAX_OFFSETS):
            (off,) = struct.unpack_from("<Q", header, 24 + 8 * idx)
            if off == 0:
                break
            regions.append(KargRegion(off, length, "#", "\n",
                                      _read_at(self.handle, off, length, self.size, "kargs embed area", self.path)))
        return KargAreas(length, default_region.parse(), regions, name=self.path)

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


def normalize_features(data):
    data = data if isinstance(data, dict) else {}
    directives = data.get("installer-config-directives")
    directives = directives if isinstance(directives, dict) else {}
    return {
        "installer-config": bool(data.get("installer-config", False)),
        "installer-config-directives": dict((k, bool(v)) for k, v in directives.items()),
        "live-initrd-network": bool(data.get("live-initrd-network", False)),
    }


def write_regions(src, regions, dest=None, stream=None, clobber=False, mode=None):
    """Apply ``regions`` in place (no dest/stream), to ``dest``, or to ``stream``."""
    if stream is not None:
        return output.write_stream(src, stream, regions)
    if dest is None:
        return output.write_in_place(src, regions)
    return output.write_new_file(src, dest, regions, mode=mode, clobber=clobber)
