# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ``dev show iso`` prints and the engine does not expose (a thin adapter, read-only).

* the volume descriptors of the image (upstream serializes its ``IsoFs`` header);
* the kargs header with the ``pad``/``end`` fields exactly when ``kargs.json`` names them
  (upstream keeps them as ``Option<char>``; the engine only keeps the effective value).

The JSON is laid out as serde_json's pretty printer does (two-space indent, ``": "``).
"""

import json
import struct
from collections import OrderedDict

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

SECTOR = 2048
DESCRIPTORS_START = 16  # first volume descriptor sector (ECMA-119 8.1)
MAX_DESCRIPTORS = 64  # a real image has 3-5; stop reading garbage early
TYPE_BOOT, TYPE_PRIMARY, TYPE_SUPPLEMENTARY, TYPE_TERMINATOR = 0, 1, 2, 255
_FILE_CHARS = set(b"!\"%&'()*+,-.:<=>?")
_A_CHARS = set(b";/")


def pretty(obj):
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def _string(raw, kind, name):
    """ISO 9660 string as upstream decodes it (``kind``: 'a' for a-characters, 'file' for names)."""
    if kind == "file":
        if raw.endswith(b";1"):
            raw = raw[:-2]
        if raw.endswith(b"."):
            raw = raw[:-1]
    out = []
    for byte in bytearray(raw):
        char = chr(byte)
        if (char.isascii() and char.isalnum()) or char in "_ ":
            out.append(char)
        elif byte in _FILE_CHARS:
            out.append(char)
        elif byte in _A_CHARS:
            out.append(char if kind == "a" else ".")
        elif byte == 0:
            break
        else:
            raise NestosError("invalid string name %r" % bytes(raw), file=name)
    text = "".join(out)
    return text.rstrip(" ") if kind == "a" else text


def _descriptor(buf, name):
    kind = buf[0]
    if kind == TYPE_TERMINATOR:
        return None
    if kind in (TYPE_BOOT, TYPE_PRIMARY) and (buf[1:6] != b"CD001" or buf[6] != 1):
        raise NestosError("unknown volume descriptor id or version in sector", file=name)
    if kind == TYPE_BOOT:
        return OrderedDict([("type", "boot"), ("boot_system_id", _string(buf[7:39], "a", name)),
                            ("boot_id", _string(buf[39:71], "a", name))])
    if kind == TYPE_PRIMARY:
        root = buf[156:190]
        return OrderedDict([
            ("type", "primary"),
            ("system_id", _string(buf[8:40], "a", name)),
            ("volume_id", _string(buf[40:72], "a", name)),
            ("volume_space_size", struct.unpack_from("<I", buf, 80)[0]),
            ("root", OrderedDict([("name", "."), ("address", struct.unpack_from("<I", root, 2)[0]),
                                  ("length", struct.unpack_from("<I", root, 10)[0])])),
        ])
    if kind == TYPE_SUPPLEMENTARY:
        return OrderedDict([("type", "supplementary")])
    return OrderedDict([("type", "unknown"), ("type_id", kind)])


def volume_descriptors(handle, name=None):
    out = []
    for index in range(MAX_DESCRIPTORS):
        handle.seek((DESCRIPTORS_START + index) * SECTOR)
        buf = handle.read(SECTOR)
        if len(buf) < SECTOR:
            raise NestosError("reading volume descriptor #%d: image ends early" % (index + 1), file=name)
        desc = _descriptor(buf, name)
        if desc is None:
            return out
        out.append(desc)
    raise NestosError("no volume descriptor set terminator in the first %d descriptors" % MAX_DESCRIPTORS, file=name)


def show_iso_json(path):
    """``dev show iso`` without flags: header (descriptors) and every record path (any ISO 9660 image)."""
    from ansible_collections.nestos.lifecycle.plugins.module_utils.live.iso9660 import IsoFs
    try:
        handle = open(path, "rb")
    except (IOError, OSError) as err:
        raise NestosError("opening %s: %s" % (path, err.strerror or err))
    with handle:
        descriptors = volume_descriptors(handle, path)
        records = [name for name, dummy in IsoFs(handle, name=path).walk()]
    info = OrderedDict([("header", OrderedDict([("descriptors", descriptors)])), ("records", records)])
    return pretty(info)


def ignition_header_json(iso):
    return pretty(OrderedDict([("offset", iso.ign_offset), ("length", iso.ign_length)]))


def _kargs_json_entries(iso):
    """{absolute offset: (pad, end) as kargs.json writes them (None when absent)} in file order, or None."""
    try:
        raw = iso.iso.read_file("%s/KARGS.JSO" % iso.flavour.meta_dir)
        info = json.loads(raw.decode("utf-8").rstrip(" \x00"))
        out = OrderedDict()
        for entry in info.get("files") or []:
            rec = iso.iso.get_file(entry["path"].upper())
            out[rec.offset + int(entry.get("offset", 0))] = (entry.get("pad"), entry.get("end"))
        return out
    except (NestosError, ValueError, AttributeError, TypeError, KeyError):
        return None  # legacy header only: the engine read it from the system area


def kargs_header_json(iso):
    """``dev show iso --kargs``: length, default and every area, ``null`` without kargs areas."""
    areas = iso.kargs_areas
    if areas is None:
        return "null\n"
    by_offset = dict((r.offset, r) for r in areas.regions)
    explicit = _kargs_json_entries(iso)
    if explicit is None or set(explicit) != set(by_offset):
        explicit = OrderedDict((r.offset, (r.pad if r.pad != "#" else None, r.end if r.end != "\n" else None))
                               for r in areas.regions)
    regions = []
    for offset, (pad, end) in explicit.items():
        item = OrderedDict([("offset", offset), ("length", by_offset[offset].length)])
        if pad is not None:
            item["pad"] = pad
        if end is not None:
            item["end"] = end
        regions.append(item)
    return pretty(OrderedDict([("length", areas.length), ("default", areas.default), ("kargs", regions)]))
