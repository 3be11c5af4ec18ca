# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read Butane YAML the way Butane (Go yaml.v3) reads it, keeping line and column.

PyYAML only builds the node tree here; scalars are typed against the Butane model, with
yaml.v3's rules (``0644`` and ``0o644`` are octal, ``yes`` is a bool only for a bool field,
``name: 0644`` stays the string ``"0644"``), not with PyYAML's YAML 1.1 rules.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

from ansible_collections.nestos.lifecycle.plugins.module_utils.butane import libyaml
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane import schema
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.limits import MAX_EXPANDED_BYTES

PLAIN = libyaml.PLAIN
_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_BINARY_TAG = "tag:yaml.org,2002:binary"


def has_yaml():
    """Whether PyYAML can be loaded (its parser is loaded by this call)."""
    try:
        libyaml.parser()
    except libyaml.Unavailable:
        return False
    return True


# node kinds, by PyYAML's own ``id`` class attribute (no PyYAML import needed to ask)
def _is_scalar(node):
    return node.id == "scalar"


def _is_seq(node):
    return node.id == "sequence"


def _is_map(node):
    return node.id == "mapping"


class YamlSyntaxError(Exception):
    def __init__(self, message, line=None, column=None):
        super(YamlSyntaxError, self).__init__(message)
        self.message = message
        self.line = line
        self.column = column


def compose(text):
    """The first document's root node (or None for an empty document).

    The text goes to libyaml as UTF-8 bytes, so reader errors read as yaml.v3's (both come
    from libyaml). Nesting deeper than :data:`MAX_DEPTH` is refused before the tree is built,
    as yaml.v3 refuses it (PyYAML's composer recurses and, in some builds, crashes).
    """
    try:
        loader_class = libyaml.parser()
    except libyaml.Unavailable:
        raise YamlSyntaxError("PyYAML is required to read Butane configs")
    yaml_error = libyaml.yaml_error()
    if isinstance(text, str):
        try:
            # libyaml takes exact str/bytes only; templating engines hand over subclasses
            text = str.__str__(text).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise YamlSyntaxError("yaml: invalid Unicode: lone surrogate U+%04X at character %d"
                                  % (ord(exc.object[exc.start]), exc.start))
    else:
        text = bytes(text)
    try:
        _check_depth(text, loader_class)
        loader = loader_class(text)
    except yaml_error as exc:
        raise _syntax_error(exc, text)
    try:
        if loader.check_node():
            return loader.get_node()
        return None
    except yaml_error as exc:
        raise _syntax_error(exc, text)
    except (ValueError, RecursionError, MemoryError) as exc:  # libyaml raises these for odd inputs
        raise YamlSyntaxError("yaml: %s" % exc)
    finally:
        try:
            loader.dispose()
        except Exception:  # pragma: no cover - nothing to clean up
            pass


def _flow_depth(data):
    """The deepest ``[``/``{`` nesting of ``data`` (quotes ignored: an estimate)."""
    depth = deepest = 0
    for byte in data:
        if byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _syntax_error(exc, data=b""):
    """yaml.v3's text for a libyaml error: the line of the context mark (0-based, as yaml.v3
    prints it), else of the problem mark; scanner errors count lines from 1."""
    reason = getattr(exc, "reason", None)
    if reason is not None:  # reader error: yaml.v3 gives no line
        return YamlSyntaxError("yaml: %s" % reason)
    problem = getattr(exc, "problem", None) or "unknown problem parsing YAML content"
    if problem.startswith("found undefined alias") and getattr(exc, "problem_mark", None) is not None:
        # yaml.v3 resolves aliases itself and words it so (no line)
        start = exc.problem_mark.index + 1
        end = start
        while end < len(data) and data[end:end + 1] not in b" \t\r\n,[]{}":
            end += 1
        return YamlSyntaxError("yaml: unknown anchor '%s' referenced" % data[start:end].decode("utf-8", "replace"))
    if problem == "exceeded maximum nesting depth":
        # the libyaml bundled with PyYAML >= 6.0.4 stops at 1,000 levels
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else 0
        if _flow_depth(data) > MAX_DEPTH:
            return YamlSyntaxError("yaml: line %d: exceeded max depth of %d" % (line, MAX_DEPTH), line)
        return YamlSyntaxError("yaml: line %d: exceeded max depth of %d (the limit of the libyaml in this "
                               "PyYAML)" % (line, LIBYAML_MAX_DEPTH), line)
    scanner = type(exc).__name__ == "ScannerError"
    line = 0
    for mark in (getattr(exc, "context_mark", None), getattr(exc, "problem_mark", None)):
        if mark is not None and mark.line != 0:
            line = mark.line + (1 if scanner else 0)
            break
    if line:
        return YamlSyntaxError("yaml: line %d: %s" % (line, problem), line, None)
    return YamlSyntaxError("yaml: %s" % problem)


# yaml.v3's max_flow_level and max_indents
MAX_DEPTH = 10000
# the nesting limit of the libyaml bundled with PyYAML >= 6.0.4 (Debian's libyaml has none)
LIBYAML_MAX_DEPTH = 1000
_DEPTH_BYTES = (b"[", b"{", b"-", b"?", b":")


def _check_depth(data, loader_class):
    """Refuse collections nested deeper than MAX_DEPTH (yaml.v3: ``exceeded max depth of
    10000``). A cheap bound skips the event scan for every ordinary document."""
    if sum(data.count(c) for c in _DEPTH_BYTES) < MAX_DEPTH:
        return
    depth = 0
    events = libyaml.events()
    start = (events.SequenceStartEvent, events.MappingStartEvent)
    end = (events.SequenceEndEvent, events.MappingEndEvent)
    parser = loader_class(data)
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, start):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlSyntaxError("yaml: line %d: exceeded max depth of %d"
                                          % (event.start_mark.line + 1, MAX_DEPTH), event.start_mark.line + 1)
            elif isinstance(event, end):
                depth -= 1
    finally:
        parser.dispose()


# ---- scalars ---------------------------------------------------------------------------

_NULLS = frozenset(["", "~", "null", "Null", "NULL"])
_TRUE = frozenset(["true", "True", "TRUE"])
_FALSE = frozenset(["false", "False", "FALSE"])
_TRUE_11 = frozenset(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"])
_FALSE_11 = frozenset(["n", "N", "no", "No", "NO", "off", "Off", "OFF"])
_FLOAT_PATTERN = r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"
_FLOAT_RE = []


def _float_re():
    """yaml.v3's yamlStyleFloat, compiled on first use (start-up cost matters for the CLI)."""
    if not _FLOAT_RE:
        import re

        _FLOAT_RE.append(re.compile(_FLOAT_PATTERN))
    return _FLOAT_RE[0]


_DIGITS = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
UINT64_MAX = (1 << 64) - 1


def go_parse_int(text, unsigned=False):
    """Go's strconv.ParseInt(text, 0, 64) (ParseUint with ``unsigned``) after yaml.v3 removed
    underscores; None if invalid or out of range."""
    s = text.replace("_", "")
    if not s:
        return None
    sign = 1
    if s[0] in "+-":
        if unsigned and s[0] == "-":
            return None
        if s[0] == "-":
            sign = -1
        s = s[1:]
    base = 10
    low = s[:2].lower()
    if low == "0x":
        base, s = 16, s[2:]
    elif low == "0b":
        base, s = 2, s[2:]
    elif low == "0o":
        base, s = 8, s[2:]
    elif len(s) > 1 and s[0] == "0":
        base, s = 8, s[1:]
    if not s or len(s) > 70 or any(c not in _DIGITS[base] for c in s):
        return None     # 70 digits: more than any 64-bit value in any base; never int() a huge text
    value = sign * int(s, base)
    if unsigned:
        return value if value <= UINT64_MAX else None
    if value < INT64_MIN or value > INT64_MAX:
        return None
    return value


def _go_float(text):
    """strconv.ParseFloat(text, 64) for a yaml.v3 float literal; None when Go reports a
    range error (the scalar then resolves to a string)."""
    try:
        value = float(text)
    except (ValueError, OverflowError):
        return None
    if math.isinf(value):
        return None
    if value == 0.0 and any(c in "123456789" for c in text.lower().split("e")[0]):
        return None
    return value


def plain_kind(value):
    """yaml.v3's resolved tag for a plain scalar: (tag, python value)."""
    if value in _NULLS:
        return "!!null", None
    if value in _TRUE:
        return "!!bool", True
    if value in _FALSE:
        return "!!bool", False
    if value and (value[0] in "+-0123456789."):
        iv = go_parse_int(value)
        if iv is None:
            iv = go_parse_int(value, unsigned=True)
        if iv is not None:
            return "!!int", iv
        plain = value.replace("_", "")
        if _float_re().match(plain) and any(c.isdigit() for c in value):
            fv = _go_float(plain)
            if fv is not None:
                return "!!float", fv
    if value in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"):
        return "!!float", float("inf")
    if value in ("-.inf", "-.Inf", "-.INF"):
        return "!!float", float("-inf")
    if value in (".nan", ".NaN", ".NAN"):
        return "!!float", float("nan")
    return "!!str", value


def _short_tag(node):
    tag = node.tag
    if tag == PLAIN:
        return plain_kind(node.value)[0]
    if _is_map(node):
        return "!!map"
    if _is_seq(node):
        return "!!seq"
    if tag and tag.startswith("tag:yaml.org,2002:"):
        return "!!" + tag[len("tag:yaml.org,2002:"):]
    return tag or "!!str"


# ---- decoding against the model -----------------------------------------------------------

class Decoded(object):
    """Result of decoding: ``value`` (dicts of set fields), positions of values and keys,
    unmarshal errors and unused keys (each ``(path, message, line, col)``)."""

    def __init__(self):
        self.value = None
        self.pos = {}
        self.keypos = {}
        self.errors = []
        self.unused = []


def _mark(node):
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _value_text(node):
    """yaml.v3's terror text: the tag, and for a scalar its value (cut to 7 bytes + ``...``
    beyond 10 bytes)."""
    tag = _short_tag(node)
    if not _is_scalar(node):
        return tag
    raw = node.value.encode("utf-8", "surrogateescape")
    if len(raw) > 10:
        return "%s `%s...`" % (tag, raw[:7].decode("utf-8", "replace"))
    return "%s `%s`" % (tag, node.value)


# Butane's base package for each fcos minor (fcos 1.3 shares base v0_3 with 1.2)
_BASE_PACKAGE = {0: "v0_1", 1: "v0_2", 2: "v0_3", 3: "v0_3", 4: "v0_4"}
# named string types of list items in Butane's Go schema: (struct, field) -> (type, first minor, last minor)
_NAMED_ITEMS = {
    ("PasswdUser", "groups"): ("Group", 0, 4),
    ("PasswdUser", "ssh_authorized_keys"): ("SSHAuthorizedKey", 0, 4),
    ("Raid", "devices"): ("Device", 0, 4),
    ("Raid", "options"): ("RaidOption", 0, 4),
    ("Luks", "options"): ("LuksOption", 0, 4),
    ("KernelArguments", "should_exist"): ("KernelArgument", 0, 4),
    ("KernelArguments", "should_not_exist"): ("KernelArgument", 0, 4),
    ("Filesystem", "options"): ("FilesystemOption", 0, 0),
}


def _go_type(kind, arg, minor=4):
    if kind == "struct":
        if schema.GO_PACKAGE.get(arg) == "fcos":
            return "v1_%d.%s" % (minor, arg)
        return "%s.%s" % (_BASE_PACKAGE.get(minor, "base"), arg)
    if kind == "list":
        if arg in schema.STRUCTS:
            return "[]" + _go_type("struct", arg, minor)
        return "[]" + arg.replace("str", "string")
    return {"str": "string", "int": "int", "bool": "bool"}[kind]


def _item_type(struct, field, minor):
    """Go type of the items of a list of named strings, or None."""
    named = _NAMED_ITEMS.get((struct, field))
    if named is None or not named[1] <= minor <= named[2]:
        return None
    return "%s.%s" % (_BASE_PACKAGE.get(minor, "base"), named[0])


class YamlDecodeError(Exception):
    """A fatal decoding failure yaml.v3 raises with ``failf`` (no line list)."""

    def __init__(self, message):
        super(YamlDecodeError, self).__init__(message)
        self.message = message


# yaml.v3's alias budget (decode.go allowedAliasRatio)
_ALIAS_LOW, _ALIAS_HIGH = 400000, 4000000


def allowed_alias_ratio(count):
    if count <= _ALIAS_LOW:
        return 0.99
    if count >= _ALIAS_HIGH:
        return 0.10
    return 0.99 - 0.89 * (float(count - _ALIAS_LOW) / (_ALIAS_HIGH - _ALIAS_LOW))


def _is_merge(key):
    return _is_scalar(key) and key.value == "<<" and key.tag in (PLAIN, _MERGE_TAG)


class Decoder(object):
    """Decode a composed node tree against the Butane model, as yaml.v3 decodes into Go
    structs: type errors are collected (``line N: cannot unmarshal ...``), duplicate keys
    make a mapping fail, ``<<`` merges apply (explicit keys and earlier maps win), aliases
    count against yaml.v3's alias budget and against MAX_EXPANDED_BYTES of text."""

    def __init__(self, minor):
        self.minor = minor
        self.out = Decoded()
        self._depth = 0
        self._seen = set()
        self._alias_depth = 0
        self._decodes = 0
        self._aliases = 0
        self._expanded = 0

    def error(self, node, path, kind, arg, gotype=None):
        line, col = _mark(node)
        msg = "cannot unmarshal %s into %s" % (_value_text(node), gotype or _go_type(kind, arg, self.minor))
        self.out.errors.append((path, msg, line, col))

    def _count(self, node):
        self._decodes += 1
        if self._alias_depth > 0:
            self._aliases += 1
            if _is_scalar(node):
                self._expanded += len(node.value)
                if self._expanded > MAX_EXPANDED_BYTES:
                    raise YamlDecodeError("yaml: document expands through aliases to more than %d bytes of text"
                                          % MAX_EXPANDED_BYTES)
        if self._aliases > 100 and self._decodes > 1000 and \
                float(self._aliases) / self._decodes > allowed_alias_ratio(self._decodes):
            raise YamlDecodeError("yaml: document contains excessive aliasing")

    def decode(self, node, kind, arg, path, pos=True, named=None):
        """Decode ``node`` as ``kind``; returns (value, is_set)."""
        alias = id(node) in self._seen
        if alias:
            self._alias_depth += 1
        else:
            self._seen.add(id(node))
        try:
            self._count(node)
            return self._decode(node, kind, arg, path, pos, named)
        finally:
            if alias:
                self._alias_depth -= 1

    def _decode(self, node, kind, arg, path, pos, named=None):
        if pos:
            self.out.pos[path] = _mark(node)
        if _is_null(node):
            if kind == "struct" and pos:
                # Butane's unused-key pass expects a map here (vcontext: context tree mismatch)
                line, col = _mark(node)
                self.out.unused.append((path, W_CONTEXT_MISMATCH % _path_text(path), line, col))
            return None, False
        if kind == "struct":
            if not _is_map(node):
                self.error(node, path, kind, arg)
                return None, False
            return self.decode_struct(node, arg, path), True
        if kind == "list":
            if not _is_seq(node):
                self.error(node, path, kind, arg, named and "[]" + named)
                return None, False
            return self._decode_list(node, arg, path, pos, named), True
        if not _is_scalar(node):
            self.error(node, path, kind, arg, named)
            return None, False
        return self.decode_scalar(node, kind, path, named)

    def _decode_list(self, node, arg, path, pos, named=None):
        items = []
        struct = arg in schema.STRUCTS
        for child in node.value:
            if _is_null(child):
                continue    # yaml.v3 leaves a null item out of a slice of non-pointers
            value, is_set = self.decode(child, "struct" if struct else arg, arg if struct else None,
                                        path + (len(items),), pos, named)
            if is_set:
                items.append(value)
        return items

    def decode_scalar(self, node, kind, path, named=None):
        value = node.value
        plain = node.tag == PLAIN
        if node.tag == _BINARY_TAG:
            value = _binary(value)
        if kind == "str":
            return value, True
        if plain or node.tag in (_INT_TAG, _BOOL_TAG, _FLOAT_TAG):
            tag, typed = plain_kind(value)
        else:  # quoted, !!str, !!binary or an application tag: yaml.v3 resolves a string
            tag, typed = "!!str", value
        if kind == "int":
            if tag == "!!int" and INT64_MIN <= typed <= INT64_MAX:
                return typed, True
            if tag == "!!float" and not math.isnan(typed) and typed <= INT64_MAX:
                # Go converts with int64(f): truncation; on amd64 anything below the range is MinInt64
                return (INT64_MIN if typed == float("-inf") or typed < INT64_MIN else int(typed)), True
            self.error(node, path, kind, None, named)
            return None, False
        if kind == "bool":
            if tag == "!!bool":
                return typed, True
            # yaml.v3 takes YAML 1.1 booleans for a bool field when the value resolved to a string
            if tag == "!!str" and value in _TRUE_11:
                return True, True
            if tag == "!!str" and value in _FALSE_11:
                return False, True
            self.error(node, path, kind, None, named)
            return None, False
        raise ValueError("unknown kind %r" % kind)  # pragma: no cover - model bug

    def _merged(self, node, value, path):
        """The pairs a ``<<`` value brings (maps in order; earlier maps win)."""
        sources = value.value if _is_seq(value) else [value]
        pairs = []
        for src in sources:
            if not _is_map(src):
                raise YamlDecodeError("yaml: map merge requires map or sequence of maps as the value")
            for key, item in src.value:
                if _is_merge(key):
                    pairs.extend(self._merged(src, item, path))
                else:
                    pairs.append((key, item))
        return pairs

    def _duplicates(self, node):
        """yaml.v3's unique-keys check: every later key equal to an earlier one is an error."""
        found = False
        keys = [key for key, _value in node.value]
        for i, first in enumerate(keys):
            for later in keys[i + 1:]:
                if type(first) is type(later) and _is_scalar(first) and first.value == later.value:
                    found = True
                    self.out.errors.append((None, 'mapping key "%s" already defined at line %d'
                                            % (later.value, _mark(first)[0]), _mark(later)[0], _mark(later)[1]))
        return found

    def decode_struct(self, node, struct, path):
        self._depth += 1
        try:
            if self._duplicates(node):
                return {}
            fields = dict((f[0], f) for f in schema.fields(struct, self.minor))
            result = {}
            merge = None
            for key, value in node.value:
                if _is_merge(key):
                    merge = value
                    # Butane's unused-key check sees the ``<<`` key itself
                    self._unused(path, "<<", key, value)
                    continue
                self._field(struct, fields, result, key, value, path, True)
            if merge is not None:
                explicit = set(k.value for k, _v in node.value if _is_scalar(k))
                for key, value in self._merged(node, merge, path):
                    if _is_scalar(key) and key.value in explicit:
                        continue
                    explicit.add(getattr(key, "value", None))
                    self._field(struct, fields, result, key, value, path, False)
            return result
        finally:
            self._depth -= 1

    def _unused(self, path, name, key, value):
        kline, kcol = _mark(key)
        self.out.keypos[path + (name,)] = (kline, kcol)
        self.out.unused.append((path + (name,), "Unused key %s" % name, kline, kcol))
        self.out.pos.setdefault(path + (name,), _mark(value))

    def _field(self, struct, fields, result, key, value, path, pos):
        name = key.value if _is_scalar(key) else "<%s>" % _short_tag(key)
        field = fields.get(name)
        if field is None:
            if pos:
                self._unused(path, name, key, value)
            return
        if pos:
            self.out.keypos[path + (name,)] = _mark(key)
        named = _item_type(struct, name, self.minor) if field[1] == "list" else None
        decoded, is_set = self.decode(value, field[1], field[2], path + (name,), pos, named)
        if is_set:
            result[name] = decoded


W_CONTEXT_MISMATCH = ("context tree does not match content tree at %s. Line and column reporting may be "
                      "inconsistent. Unused keys may not be reported.")


def _path_text(path):
    return "$" + "".join("." + str(p) for p in path)


def _is_null(node):
    return _is_scalar(node) and (node.tag == _NULL_TAG or (node.tag == PLAIN and node.value in _NULLS))


def _binary(text):
    """``!!binary`` contents (standard base64; line breaks ignored), as a string."""
    import base64
    import binascii

    try:
        data = base64.b64decode("".join(text.split()).encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise YamlDecodeError("yaml: !!binary value contains invalid base64 data")
    return data.decode("utf-8", "surrogateescape")


def _zero(kind):
    return {"str": "", "int": 0, "bool": False}.get(kind)


def decode(node, minor):
    """Decode a composed root node against the Butane model for fcos 1.``minor``."""
    dec = Decoder(minor)
    if node is None:
        dec.out.value = {}
        return dec.out
    value, is_set = dec.decode(node, "struct", "Config", ())
    dec.out.value = value if is_set else {}
    return dec.out


def read_common(node):
    """``variant`` and ``version`` as strings, as butane's first pass reads them.

    Returns (variant, version, error message or None).
    """
    variant = version = ""
    if node is None:
        return variant, version, None
    if not _is_map(node):
        return None, None, "yaml: unmarshal errors:\n  line %d: cannot unmarshal %s into config.commonFields" % (
            _mark(node)[0], _value_text(node))
    dups = Decoder(0)
    if dups._duplicates(node):
        return None, None, "yaml: unmarshal errors:\n" + "\n".join(
            "  line %d: %s" % (line, msg) for _p, msg, line, _c in dups.out.errors)
    for key, value in node.value:
        if _is_merge(key):
            try:
                dups._merged(node, value, ())
            except YamlDecodeError as exc:
                return None, None, exc.message
        if not _is_scalar(key) or key.value not in ("variant", "version"):
            continue
        if not _is_scalar(value):
            return None, None, "yaml: unmarshal errors:\n  line %d: cannot unmarshal %s into string" % (
                _mark(value)[0], _value_text(value))
        text = "" if (value.tag == PLAIN and value.value in _NULLS) else value.value
        if key.value == "variant":
            variant = text
        else:
            version = text
    return variant, version, None
