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
import re

try:
    import yaml
    HAS_YAML = True
    try:
        _BaseLoader = yaml.CSafeLoader
    except AttributeError:  # pragma: no cover - libyaml missing
        _BaseLoader = yaml.SafeLoader
except ImportError:  # pragma: no cover - guarded for ansible-test's import sanity test
    yaml = None
    HAS_YAML = False
    _BaseLoader = object

from ansible_collections.nestos.lifecycle.plugins.module_utils.butane import schema

PLAIN = "?plain"
_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_MERGE_TAG = "tag:yaml.org,2002:merge"

if HAS_YAML:
    class _Loader(_BaseLoader):
        """Leaves plain scalars untyped (tag ``?plain``) so the model can type them."""

        def resolve(self, kind, value, implicit):
            if kind is yaml.ScalarNode:
                if implicit[0]:
                    return PLAIN
                return _STR_TAG
            return _BaseLoader.resolve(self, kind, value, implicit)
else:  # pragma: no cover
    _Loader = None


class YamlSyntaxError(Exception):
    def __init__(self, message, line=None, column=None):
        super(YamlSyntaxError, self).__init__(message)
        self.message = message
        self.line = line
        self.column = column


def compose(text):
    """The first document's root node (or None for an empty document)."""
    if not HAS_YAML:
        raise YamlSyntaxError("PyYAML is required to read Butane configs")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise YamlSyntaxError("yaml: invalid UTF-8 at byte %d" % exc.start)
    # libyaml's reader takes exact str objects only; templating engines (ansible-core 2.19's
    # tagged strings among them) hand over str subclasses.
    text = str.__str__(text)
    loader = _Loader(text)
    try:
        if loader.check_node():
            return loader.get_node()
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        if line is not None:
            raise YamlSyntaxError("yaml: line %d: %s" % (line, problem), line, col)
        raise YamlSyntaxError("yaml: %s" % problem)
    except (ValueError, RecursionError) as exc:  # libyaml raises these for odd inputs
        raise YamlSyntaxError("yaml: %s" % exc)
    finally:
        try:
            loader.dispose()
        except Exception:  # pragma: no cover - nothing to clean up
            pass


# ---- scalars ---------------------------------------------------------------------------

_NULLS = frozenset(["", "~", "null", "Null", "NULL"])
_TRUE = frozenset(["true", "True", "TRUE"])
_FALSE = frozenset(["false", "False", "FALSE"])
_TRUE_11 = frozenset(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"])
_FALSE_11 = frozenset(["n", "N", "no", "No", "NO", "off", "Off", "OFF"])
_FLOAT_RE = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_DIGITS = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


def go_parse_int(text):
    """Go's strconv.ParseInt(text, 0, 64) after yaml.v3 removed underscores; None if invalid."""
    s = text.replace("_", "")
    if not s:
        return None
    sign = 1
    if s[0] in "+-":
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
    if not s or any(c not in _DIGITS[base] for c in s):
        return None
    value = sign * int(s, base)
    if value < INT64_MIN or value > INT64_MAX:
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
        if iv is not None:
            return "!!int", iv
        if _FLOAT_RE.match(value.replace("_", "")) and any(c.isdigit() for c in value):
            try:
                return "!!float", float(value.replace("_", ""))
            except ValueError:
                pass
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
    if isinstance(node, yaml.MappingNode):
        return "!!map"
    if isinstance(node, yaml.SequenceNode):
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


def _go_type(kind, arg):
    if kind == "struct":
        return "%s.%s" % (schema.GO_PACKAGE.get(arg, "base"), arg)
    if kind == "list":
        if arg in schema.STRUCTS:
            return "[]" + _go_type("struct", arg)
        return "[]" + arg.replace("str", "string")
    return {"str": "string", "int": "int", "bool": "bool"}[kind]


class Decoder(object):
    def __init__(self, minor):
        self.minor = minor
        self.out = Decoded()
        self._depth = 0

    def error(self, node, path, kind, arg):
        tag = _short_tag(node)
        line, col = _mark(node)
        if isinstance(node, yaml.ScalarNode):
            text = node.value
            if len(text) > 20 and tag != "!!str":
                text = text[:17] + "..."
            msg = "cannot unmarshal %s `%s` into %s" % (tag, text, _go_type(kind, arg))
        else:
            msg = "cannot unmarshal %s into %s" % (tag, _go_type(kind, arg))
        self.out.errors.append((path, msg, line, col))

    def decode(self, node, kind, arg, path):
        """Decode ``node`` as ``kind``; returns (value, is_set)."""
        self.out.pos[path] = _mark(node)
        if isinstance(node, yaml.ScalarNode) and node.tag == PLAIN and node.value in _NULLS:
            return None, False
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG:
            return None, False
        if kind == "struct":
            if not isinstance(node, yaml.MappingNode):
                self.error(node, path, kind, arg)
                return None, False
            return self.decode_struct(node, arg, path), True
        if kind == "list":
            if not isinstance(node, yaml.SequenceNode):
                self.error(node, path, kind, arg)
                return None, False
            items = []
            if arg in schema.STRUCTS:
                for i, child in enumerate(node.value):
                    value, is_set = self.decode(child, "struct", arg, path + (i,))
                    items.append(value if is_set else {})
            else:
                for i, child in enumerate(node.value):
                    value, is_set = self.decode(child, arg, None, path + (i,))
                    items.append(value if is_set else _zero(arg))
            return items, True
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, path, kind, arg)
            return None, False
        return self.decode_scalar(node, kind, path)

    def decode_scalar(self, node, kind, path):
        value = node.value
        plain = node.tag == PLAIN
        if kind == "str":
            if plain or node.tag in (_STR_TAG, _INT_TAG, _BOOL_TAG, _FLOAT_TAG):
                return value, True
            self.error(node, path, kind, None)
            return None, False
        tag, typed = plain_kind(value) if plain else (_short_tag(node), None)
        if not plain and node.tag in (_INT_TAG, _BOOL_TAG, _FLOAT_TAG):
            tag, typed = plain_kind(value)
        if kind == "int":
            if tag == "!!int":
                return typed, True
            if tag == "!!float" and not math.isnan(typed) and not math.isinf(typed) \
                    and INT64_MIN <= typed <= INT64_MAX:
                return int(typed), True
            self.error(node, path, kind, None)
            return None, False
        if kind == "bool":
            if tag == "!!bool":
                return typed, True
            if plain and value in _TRUE_11:
                return True, True
            if plain and value in _FALSE_11:
                return False, True
            self.error(node, path, kind, None)
            return None, False
        raise ValueError("unknown kind %r" % kind)  # pragma: no cover - model bug

    def _pairs(self, node, path, seen_nodes=None):
        """Key/value pairs of a mapping with ``<<`` merge keys applied (explicit keys win)."""
        pairs = []
        merged = []
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "<<" and key.tag in (PLAIN, _MERGE_TAG):
                sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
                for src in sources:
                    if isinstance(src, yaml.MappingNode):
                        if seen_nodes is None:
                            seen_nodes = set()
                        if id(src) in seen_nodes:
                            continue
                        seen_nodes.add(id(src))
                        merged.extend(self._pairs(src, path, seen_nodes))
                    else:
                        line, col = _mark(src)
                        self.out.errors.append((path, "map merge requires map or sequence of maps as the value",
                                                line, col))
                continue
            pairs.append((key, value))
        if merged:
            explicit = set(pair[0].value for pair in pairs if isinstance(pair[0], yaml.ScalarNode))
            pairs = [(k, v) for k, v in merged if not (isinstance(k, yaml.ScalarNode) and k.value in explicit)] + pairs
        return pairs

    def decode_struct(self, node, struct, path):
        self._depth += 1
        try:
            if self._depth > 64:
                line, col = _mark(node)
                self.out.errors.append((path, "document nested too deeply", line, col))
                return {}
            fields = dict((f[0], f) for f in schema.fields(struct, self.minor))
            result = {}
            seen = {}
            for key, value in self._pairs(node, path):
                if isinstance(key, yaml.ScalarNode):
                    name = key.value
                else:
                    name = "<%s>" % _short_tag(key)
                kline, kcol = _mark(key)
                if name in seen and isinstance(key, yaml.ScalarNode):
                    self.out.errors.append((path + (name,), 'mapping key "%s" already defined at line %d'
                                            % (name, seen[name]), kline, kcol))
                    continue
                seen[name] = kline
                self.out.keypos[path + (name,)] = (kline, kcol)
                field = fields.get(name)
                if field is None:
                    self.out.unused.append((path + (name,), "Unused key %s" % name, kline, kcol))
                    self.out.pos.setdefault(path + (name,), _mark(value))
                    continue
                decoded, is_set = self.decode(value, field[1], field[2], path + (name,))
                if is_set:
                    result[name] = decoded
            return result
        finally:
            self._depth -= 1


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
    if not isinstance(node, yaml.MappingNode):
        return None, None, "yaml: unmarshal errors:\n  line %d: cannot unmarshal %s into config.commonFields" % (
            _mark(node)[0], _short_tag(node))
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.value not in ("variant", "version"):
            continue
        if not isinstance(value, yaml.ScalarNode):
            return None, None, "yaml: unmarshal errors:\n  line %d: cannot unmarshal %s into string" % (
                _mark(value)[0], _short_tag(value))
        text = "" if (value.tag == PLAIN and value.value in _NULLS) else value.value
        if key.value == "variant":
            variant = text
        else:
            version = text
    return variant, version, None
