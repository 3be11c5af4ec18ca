# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The few pieces of the Ignition engine the Butane engine needs, in one place.

The Ignition engine (``module_utils/ignition``) owns reports, JSON layout, data URLs and
validation. This module imports them; where a piece is not importable (the Ignition engine
is developed alongside), it falls back to a minimal local implementation that follows the
same upstream rules, so the translator keeps working.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import gzip
import json

try:
    from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import report as _ign_report
except ImportError:  # pragma: no cover - depends on the Ignition engine having landed
    _ign_report = None

try:
    from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import serialize as _ign_serialize
except ImportError:  # pragma: no cover
    _ign_serialize = None

try:
    from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import dataurl as _ign_dataurl
except ImportError:  # pragma: no cover
    _ign_dataurl = None

try:
    from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import validate as _ign_validate
except ImportError:  # pragma: no cover
    _ign_validate = None

try:
    from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import parse as _ign_parse
except ImportError:  # pragma: no cover
    _ign_parse = None


# ---- reports ---------------------------------------------------------------------------

def _path_text(path):
    out = "$"
    for part in path:
        out += "." + str(part)
    return out


class _Entry(object):
    """Fallback report entry (same line format as vcontext's ``report.Entry.String``)."""

    def __init__(self, kind, path, message, line=None, column=None):
        self.kind = kind
        self.path = tuple(path or ())
        self.message = message
        self.line = line
        self.column = column

    def format(self):
        where = []
        if self.path:
            where.append("at " + _path_text(self.path))
        pos = ""
        if self.line is not None:
            pos = "line %d col %d" % (self.line, self.column or 0)
        if where and pos:
            return "%s %s, %s: %s" % (self.kind, where[0], pos, self.message)
        if where:
            return "%s %s: %s" % (self.kind, where[0], self.message)
        if pos:
            return "%s at %s: %s" % (self.kind, pos, self.message)
        return "%s: %s" % (self.kind, self.message)

    def __str__(self):
        return self.format()


class _Report(list):
    """Fallback report: a list of entries."""

    @property
    def entries(self):
        return list(self)

    @property
    def errors(self):
        return [e for e in self if e.kind == "error"]

    @property
    def warnings(self):
        return [e for e in self if e.kind == "warning"]

    def is_fatal(self, strict=False):
        if strict:
            return any(e.kind in ("error", "warning") for e in self)
        return any(e.kind == "error" for e in self)

    def format(self):
        return "".join(e.format() + "\n" for e in self)


if _ign_report is not None and hasattr(_ign_report, "Entry") and hasattr(_ign_report, "Report"):
    Entry = _ign_report.Entry
    Report = _ign_report.Report
else:  # TODO: drop once module_utils/ignition/report.py is always there
    Entry = _Entry
    Report = _Report


def entries_of(report):
    """The entries of a report, whatever the report class keeps them in."""
    if report is None:
        return []
    if isinstance(report, list):
        return list(report)
    for attr in ("entries", "_entries"):
        value = getattr(report, attr, None)
        if value is not None:
            return list(value)
    return list(iter(report))


def make_report(entries):
    """Build a :data:`Report` holding ``entries`` (a list of :data:`Entry`)."""
    report = Report()
    for item in entries:
        report.append(item)
    return report


def entry(kind, path, message, line=None, column=None):
    return Entry(kind, tuple(path), message, line=line, column=column)


def entry_text(e):
    fmt = getattr(e, "format", None)
    return fmt() if callable(fmt) else str(e)


# ---- JSON bytes --------------------------------------------------------------------------

_ESCAPES = {
    ord('"'): '\\"', ord('\\'): '\\\\', ord('\n'): '\\n', ord('\r'): '\\r', ord('\t'): '\\t',
    ord('<'): '\\u003c', ord('>'): '\\u003e', ord('&'): '\\u0026',
    0x2028: '\\u2028', 0x2029: '\\u2029',
}
for _c in range(0x20):
    _ESCAPES.setdefault(_c, '\\u%04x' % _c)
del _c


def go_string(text):
    """A JSON string literal as Go's encoding/json writes it (HTML-safe, lowercase \\u00xx)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = "".join(u"\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    return '"' + text.translate(_ESCAPES) + '"'


def _dump(value, out, indent, level):
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        out.append("{")
        first = True
        for key, item in value.items():
            if not first:
                out.append(",")
            first = False
            if indent:
                out.append("\n" + "  " * (level + 1))
            out.append(go_string(key))
            out.append(": " if indent else ":")
            _dump(item, out, indent, level + 1)
        if indent:
            out.append("\n" + "  " * level)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        out.append("[")
        first = True
        for item in value:
            if not first:
                out.append(",")
            first = False
            if indent:
                out.append("\n" + "  " * (level + 1))
            _dump(item, out, indent, level + 1)
        if indent:
            out.append("\n" + "  " * level)
        out.append("]")
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(json.dumps(value))
    elif value is None:
        out.append("null")
    else:
        out.append(go_string(value))


def dumps_ordered(config, pretty=False):
    """Serialize a dict whose keys are already in Go struct order (no trailing newline)."""
    out = []
    _dump(config, out, pretty, 0)
    return "".join(out)


def dumps(config, pretty=False):
    """Upstream Butane's bytes for ``config`` (as text, no trailing newline).

    Uses the Ignition engine's serializer when present; the Butane translator already emits
    keys in Go struct order, so the local writer gives the same bytes.
    """
    if _ign_serialize is not None and hasattr(_ign_serialize, "dumps"):
        return _ign_serialize.dumps(config, pretty=pretty, newline=False)
    return dumps_ordered(config, pretty)


# ---- data URLs ---------------------------------------------------------------------------

_URL_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()")
_PCT = ["%%%02X" % i for i in range(256)]


def url_escape(data):
    """Percent-escape as vincent-petithory/dataurl.Escape does."""
    return "".join(chr(b) if b in _URL_SAFE else _PCT[b] for b in bytearray(data))


def gzip_bytes(data):
    """gzip at best compression with Go's header (mtime 0, XFL 2, OS 255)."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def make_data_url(data, compression=None, allow_compression=True):
    """Butane's MakeDataURL: returns (url, compression_to_set).

    ``compression_to_set`` is ``None`` when the user set a compression (leave it alone),
    otherwise ``""`` or ``"gzip"``.
    """
    if _ign_dataurl is not None and hasattr(_ign_dataurl, "encode"):
        return _ign_dataurl.encode(data, compress_allowed=allow_compression, compression=compression)
    user_set = compression not in (None, "")
    opaque = "," + url_escape(data)
    b64 = ";base64," + base64.b64encode(data).decode("ascii")
    if len(b64) < len(opaque):
        opaque = b64
    result = None if user_set else ""
    if not user_set and allow_compression:
        gz = ";base64," + base64.b64encode(gzip_bytes(data)).decode("ascii")
        if len(gz) + len("gzip") < len(opaque):
            opaque = gz
            result = "gzip"
    return "data:" + opaque, result


def legacy_data_url(data):
    """Butane's fcos 1.0 (base v0_1) inline rule: always percent-escaped, no compression."""
    return "data:," + url_escape(data)


# ---- validation --------------------------------------------------------------------------

def validate_config(config):
    """Ignition validation of a translated config (a Report); empty report if the Ignition
    engine is not importable."""
    if _ign_validate is not None and hasattr(_ign_validate, "validate"):
        return _ign_validate.validate(config)
    return make_report([])  # TODO: drop once module_utils/ignition/validate.py is always there


def parse_ignition(data, source=None):
    """Parse Ignition JSON bytes: (config dict or None, report)."""
    if _ign_parse is not None and hasattr(_ign_parse, "parse"):
        return _ign_parse.parse(data, source=source)
    # Minimal fallback: JSON syntax and the version rule of Ignition's parser.
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            return None, make_report([entry("error", (), "invalid UTF-8 in config")])
    if not data.strip():
        return None, make_report([entry("error", (), "not a config (empty)")])
    try:
        config = json.loads(data)
    except ValueError as exc:
        return None, make_report([entry("error", (), str(exc))])
    if not isinstance(config, dict):
        return None, make_report([entry("error", (), "config must be a JSON object")])
    version = (config.get("ignition") or {}).get("version") if isinstance(config.get("ignition"), dict) else None
    if version not in ("3.0.0", "3.1.0", "3.2.0", "3.3.0"):
        msg = "invalid config version (couldn't parse)" if not version else "unsupported config version"
        return None, make_report([entry("error", ("ignition", "version"), msg)])
    return config, make_report([])


def check_ignition(data, source=None):
    """Parse and validate Ignition JSON bytes: (config or None, list of report entries).

    The Ignition engine's ``parse`` validates too; the fallback only checks JSON and version.
    """
    if _ign_parse is not None and hasattr(_ign_parse, "parse"):
        config, report = _ign_parse.parse(data, source=source)
        return config, entries_of(report)
    config, report = parse_ignition(data, source=source)
    return config, entries_of(report)
