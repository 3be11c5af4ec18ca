# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The live ISO's own metadata files, checked field by field before anything trusts them.

``igninfo.json`` (where the Ignition embed area is), ``kargs.json`` (where the kernel-argument
areas are) and ``features.json`` come from the image: a damaged or hostile image must give an
error naming the file and the field, never a traceback and never a write outside the areas.
Every offset and length is checked against the file it points into (its ISO9660 extent), so
a write can only land inside the file the metadata names.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from typing import Any, Dict, List, Optional

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

# The largest metadata JSON file read from an image (upstream's are a few hundred bytes).
METADATA_MAX_BYTES = 64 * 1024
# nestos-installer's limit on a kargs embed area ("karg embed area size larger than 2048").
KARG_AREA_MAX = 2048

HINT = "the image's metadata is damaged; rebuild or download the image again"

__all__ = ["METADATA_MAX_BYTES", "KARG_AREA_MAX", "IgnInfo", "KargsInfo", "KargsFile", "decode_json",
           "parse_igninfo", "parse_kargs_info", "normalize_features", "check_text"]


def _err(message: str, file: str, field: Optional[str] = None) -> NestosError:
    return NestosError("%s; %s" % (message, HINT), file=file, path=field)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_text(value: Any, file: str, field: str) -> str:
    """A metadata string that can be written back as UTF-8 (no lone surrogate, no NUL)."""
    if not isinstance(value, str):
        raise _err("expected a string, got %s" % _type(value), file, field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _err("string holds a character that cannot be written as UTF-8 (a lone surrogate)", file, field)
    return value


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if _is_int(value):
        return "the number %d" % value
    if isinstance(value, float):
        return "a number with a fraction"
    if isinstance(value, str):
        return "the string %s" % json.dumps(value[:40])
    if isinstance(value, list):
        return "a list"
    return "an object"


def _count(value: Any, file: str, field: str, minimum: int = 0) -> int:
    if not _is_int(value) or value < minimum:
        what = "a non-negative integer" if minimum == 0 else "an integer >= %d" % minimum
        raise _err("expected %s, got %s" % (what, _type(value)), file, field)
    return value


def decode_json(raw: bytes, file: str) -> Any:
    """Parse a metadata file (trailing spaces and NULs of the ISO extent ignored)."""
    if len(raw) > METADATA_MAX_BYTES:
        raise _err("metadata file is %d bytes, more than the %d bytes allowed" % (len(raw), METADATA_MAX_BYTES),
                   file)
    try:
        return json.loads(bytes(raw).decode("utf-8").rstrip(" \x00"))
    except (ValueError, RecursionError) as err:  # UnicodeDecodeError is a ValueError
        raise _err("not valid JSON: %s" % err, file)


class IgnInfo(object):
    """Where the Ignition embed area is: ``file`` inside the ISO, ``offset``/``length`` in it."""

    def __init__(self, file: str, offset: int = 0, length: Optional[int] = None) -> None:
        self.file = file
        self.offset = offset
        self.length = length

    def area(self, file_length: int, meta: str) -> "tuple[int, int]":
        """(offset, length) of the area inside the file, checked against its extent."""
        if self.offset > file_length:
            raise _err("offset %d is beyond the end of %s (%d bytes)" % (self.offset, self.file, file_length),
                       meta, "$.offset")
        length = file_length - self.offset if self.length is None else self.length
        if self.offset + length > file_length:
            raise _err("area offset %d + length %d runs past the end of %s (%d bytes)"
                       % (self.offset, length, self.file, file_length), meta, "$.length")
        if length == 0:
            raise _err("the Ignition embed area in %s is empty" % self.file, meta, "$.length")
        return self.offset, length


def parse_igninfo(obj: Any, meta: str) -> IgnInfo:
    if not isinstance(obj, dict):
        raise _err("expected an object, got %s" % _type(obj), meta, "$")
    if "file" not in obj:
        raise _err("igninfo.json has no 'file' entry", meta, "$.file")
    path = check_text(obj["file"], meta, "$.file")
    if not path or "\x00" in path:
        raise _err("expected a path inside the ISO", meta, "$.file")
    offset = _count(obj.get("offset", 0) if obj.get("offset") is not None else 0, meta, "$.offset")
    length = obj.get("length")
    if length is not None:
        length = _count(length, meta, "$.length", minimum=1)
    return IgnInfo(path, offset, length)


class KargsFile(object):
    """One kargs area: ``path`` inside the ISO, ``offset`` in it, ``pad`` and ``end`` characters."""

    def __init__(self, path: str, offset: int, pad: str, end: str) -> None:
        self.path = path
        self.offset = offset
        self.pad = pad
        self.end = end

    def check_extent(self, size: int, file_length: int, meta: str, field: str) -> None:
        if self.offset + size > file_length:
            raise _err("area at offset %d of %d bytes runs past the end of %s (%d bytes)"
                       % (self.offset, size, self.path, file_length), meta, field + ".offset")


class KargsInfo(object):
    def __init__(self, size: int, default: str, files: List[KargsFile]) -> None:
        self.size = size
        self.default = default
        self.files = files


def _char(entry: Dict[str, Any], key: str, fallback: str, meta: str, field: str) -> str:
    value = entry.get(key)
    if value in (None, ""):
        return fallback
    value = check_text(value, meta, field)
    if len(value.encode("utf-8")) != 1:
        raise _err("expected a single one-byte character, got %s" % _type(value), meta, field)
    return value


def parse_kargs_info(obj: Any, meta: str) -> KargsInfo:
    if not isinstance(obj, dict):
        raise _err("expected an object, got %s" % _type(obj), meta, "$")
    size = _count(obj.get("size", 0), meta, "$.size", minimum=1)
    if size > KARG_AREA_MAX:
        raise _err("karg embed area size larger than %d (found %d)" % (KARG_AREA_MAX, size), meta, "$.size")
    default = check_text(obj.get("default", ""), meta, "$.default")
    if len(default.encode("utf-8")) > size:
        raise _err("default kargs size %d larger than embed areas (%d)" % (len(default.encode("utf-8")), size),
                   meta, "$.default")
    files = obj.get("files")
    if files is None:
        files = []
    if not isinstance(files, list):
        raise _err("expected a list of areas, got %s" % _type(files), meta, "$.files")
    out = []
    for idx, entry in enumerate(files):
        field = "$.files[%d]" % idx
        if not isinstance(entry, dict):
            raise _err("expected an object, got %s" % _type(entry), meta, field)
        path = check_text(entry.get("path"), meta, field + ".path")
        if not path or "\x00" in path:
            raise _err("expected a path inside the ISO", meta, field + ".path")
        offset = _count(entry.get("offset", 0), meta, field + ".offset")
        out.append(KargsFile(path, offset, _char(entry, "pad", "#", meta, field + ".pad"),
                             _char(entry, "end", "\n", meta, field + ".end")))
    return KargsInfo(size, default, out)


def normalize_features(data: Any) -> Dict[str, Any]:
    """``features.json`` as booleans; anything of another shape counts as absent."""
    data = data if isinstance(data, dict) else {}
    directives = data.get("installer-config-directives")
    directives = directives if isinstance(directives, dict) else {}
    return {
        "installer-config": data.get("installer-config") is True,
        "installer-config-directives": dict((str(k), v is True) for k, v in directives.items()),
        "live-initrd-network": data.get("live-initrd-network") is True,
    }
