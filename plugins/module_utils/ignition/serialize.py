# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write an Ignition config exactly as Butane (Go ``encoding/json`` on Ignition's structs) does.

- key order = the Go struct field order of the config's spec version (see ``model``);
- ``omitempty``: absent/None pointers, empty lists and structs with nothing to write are
  dropped; fields Go writes without omitempty (``path``, ``name``, ``device``...) are always
  written; an explicit ``""``/``false``/``0`` in a pointer field is kept
  (``"compression": ""``, ``"enabled": false``); ``partition.number: 0`` is dropped;
- strings escaped like Go: ``<`` ``>`` ``&`` U+2028 U+2029 as ``\\u....``, control
  characters other than ``\\n`` ``\\r`` ``\\t`` as ``\\u00xx`` (lowercase hex), other
  characters as raw UTF-8; lone surrogates become U+FFFD;
- compact form, or ``pretty`` = 2-space indent with ``": "`` after keys (``MarshalIndent``);
- the Butane CLI appends one ``\\n``: ``dumps`` does too unless ``newline=False``.

Unknown keys and values of the wrong type raise :class:`NestosError` naming the JSON path.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import model as M
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.report import format_path

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_NEEDS_ESCAPE = u'[\\x00-\\x1f"\\\\<>&\u2028\u2029\ud800-\udfff]'
# the escapes str.replace can do, backslash first (the others add backslashes)
_REPLACED = tuple((c, _ESCAPES[c]) for c in ("\\", '"', "\n", "\r", "\t", "<", ">", "&", "\u2028", "\u2029"))


def _escape_char(match):
    c = match.group(0)
    out = _ESCAPES.get(c)
    if out is not None:
        return out
    code = ord(c)
    if 0xD800 <= code <= 0xDFFF:
        return u"\ufffd"
    return "\\u%04x" % code


def encode_string(s):
    """A JSON string literal as Go's encoder writes it (with HTML escaping).

    The common characters are escaped with str.replace; a string that still holds a character
    ``isprintable`` rejects (another control character, a surrogate, or one that needs no
    escape such as U+00A0) takes the regular expression over the whole string. The Butane
    CLI's start-up then does without the re module for ordinary configs."""
    if s.isprintable() and '"' not in s and "\\" not in s and "<" not in s and ">" not in s and "&" not in s:
        return '"' + s + '"'     # most strings: nothing to escape
    out = s
    for char, escaped in _REPLACED:
        if char in out:
            out = out.replace(char, escaped)
    if out.isprintable():
        return '"' + out + '"'
    import re

    return '"' + re.compile(_NEEDS_ESCAPE).sub(_escape_char, s) + '"'


class SerializeError(NestosError):
    """The dict cannot be written as an Ignition config of its version."""


def _fail(path, message):
    raise SerializeError(message, path=format_path(path))


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _scalar(kind, value, path):
    """Return the encoded scalar or None when Go would omit it."""
    if kind in M.STRING_KINDS:
        if value is None:
            if kind == M.KIND_REQ_STR:
                return '""'
            if kind == M.KIND_STR_NULL:
                return "null"
            return None
        if not isinstance(value, str):
            _fail(path, "expected a string, got %s" % type(value).__name__)
        if kind == M.KIND_STR_OMIT and value == "":
            return None
        return encode_string(value)
    if kind in M.INT_KINDS:
        if value is None:
            return None
        if not _is_int(value):
            _fail(path, "expected an integer, got %s" % type(value).__name__)
        if not (M.INT_MIN <= value <= M.INT_MAX):
            _fail(path, "integer out of range: %d" % value)
        if kind == M.KIND_INT_OMIT and value == 0:
            return None
        return "%d" % value
    if kind == M.KIND_BOOL:
        if value is None:
            return None
        if not isinstance(value, bool):
            _fail(path, "expected a boolean, got %s" % type(value).__name__)
        return "true" if value else "false"
    raise AssertionError("unknown kind %r" % (kind,))


def _tree(types, struct, value, path):
    """Build [(key, node)] for a struct; nodes are str (encoded scalars), list or tuple-list."""
    if not isinstance(value, dict):
        _fail(path, "expected an object, got %s" % type(value).__name__)
    fields, index = types[struct]
    for key in value:
        if key not in index:
            _fail(path + (key,), "unknown key %r for spec version %s (%s)" % (key, types["_version"], struct))
    out = []
    for key, kind, target in fields:
        v = value.get(key)
        p = path + (key,)
        if kind in M.LIST_KINDS:
            if v is None:
                if kind == M.KIND_LIST_NULL:
                    out.append((key, "null"))
                continue
            if not isinstance(v, (list, tuple)):
                _fail(p, "expected a list, got %s" % type(v).__name__)
            if not v and kind == M.KIND_LIST:
                continue
            items = []
            for i, item in enumerate(v):
                if target == "string":
                    if item is None:
                        items.append('""')
                    else:
                        items.append(_scalar(M.KIND_REQ_STR, item, p + (i,)))
                else:
                    if item is None:
                        item = {}
                    items.append(_tree(types, target, item, p + (i,)))
            out.append((key, items))
        elif kind in M.STRUCT_KINDS:
            if v is None:
                continue
            sub = _tree(types, target, v, p)
            if not sub and kind == M.KIND_STRUCT:
                continue
            out.append((key, sub))
        else:
            enc = _scalar(kind, v, p)
            if enc is not None:
                out.append((key, enc))
    return _Obj(out)


class _Obj(list):
    """Ordered (key, node) pairs of one JSON object."""


def _emit_compact(node, parts):
    if isinstance(node, _Obj):
        parts.append("{")
        first = True
        for key, sub in node:
            if not first:
                parts.append(",")
            first = False
            parts.append(encode_string(key))
            parts.append(":")
            _emit_compact(sub, parts)
        parts.append("}")
    elif isinstance(node, list):
        parts.append("[")
        for i, sub in enumerate(node):
            if i:
                parts.append(",")
            _emit_compact(sub, parts)
        parts.append("]")
    else:
        parts.append(node)


def _emit_pretty(node, parts, indent):
    if not isinstance(node, list):  # a scalar, already encoded (an object is an _Obj, a list too)
        parts.append(node)
        return
    is_obj = isinstance(node, _Obj)
    opening, closing = "{}" if is_obj else "[]"
    if not node:
        parts.append(opening + closing)
        return
    inner = indent + "  "
    parts.append(opening)
    separator = "\n" + inner
    for sub in node:
        parts.append(separator)
        separator = ",\n" + inner
        if is_obj:
            key, sub = sub
            parts.append(encode_string(key))
            parts.append(": ")
        _emit_pretty(sub, parts, inner)
    parts.append("\n" + indent + closing)


def config_version(config):
    """The spec version a config dict declares, checked to be one we model."""
    if not isinstance(config, dict):
        raise SerializeError("an Ignition config must be an object, got %s" % type(config).__name__, path="$")
    ign = config.get("ignition")
    version = ign.get("version") if isinstance(ign, dict) else None
    if version not in M.SUPPORTED_VERSIONS:
        raise SerializeError(
            "unsupported config version %r (supported: %s)" % (version, ", ".join(M.SUPPORTED_VERSIONS)),
            path="$.ignition.version")
    return version


def to_tree(config, version=None):
    """The ordered, omitempty-filtered tree that :func:`dumps` writes."""
    version = version or config_version(config)
    types = dict(M.model(version))
    types["_version"] = version
    return _tree(types, "Config", config, ())


def dumps(config, pretty=False, newline=True, version=None):
    """Serialize an Ignition config dict as Butane writes it.

    :param config: the config (plain dicts/lists/str/int/bool).
    :param pretty: 2-space indented form (``butane -p``), else compact.
    :param newline: append the ``\\n`` the Butane CLI writes after the JSON.
    :param version: override the spec version read from ``config['ignition']['version']``.
    :raises SerializeError: unknown keys, wrong types, unsupported version.
    """
    tree = to_tree(config, version)
    parts = []
    if pretty:
        _emit_pretty(tree, parts, "")
    else:
        _emit_compact(tree, parts)
    if newline:
        parts.append("\n")
    return "".join(parts)


def dumps_bytes(config, pretty=False, newline=True, version=None):
    """:func:`dumps` encoded as UTF-8."""
    return dumps(config, pretty=pretty, newline=newline, version=version).encode("utf-8")


def normalize(config, version=None):
    """The config as Go would read it back after writing (omitempty applied), as plain data."""
    import json
    return json.loads(dumps(config, version=version))
