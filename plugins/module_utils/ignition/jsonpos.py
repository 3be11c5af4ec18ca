# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A JSON reader that remembers where every value and key is.

Positions follow Ignition's (coreos/go-json + vcontext): a scalar is at its first
character, an object or array at the character after its opening bracket, a key at its
opening quote; lines are 1-based and columns count bytes (UTF-8), 1-based.
A path is a tuple of keys and indexes, as in :mod:`report`.

Numbers are kept as Python int when written as integers and float otherwise, so a
caller can reject ``1.0`` where Go wants an int, as Go does.

Speed: :func:`loads` first reads the text with the C ``json`` module and finds positions only
when asked (the first :meth:`Positions.lookup`, for a report entry). Whatever that fast read
refuses or cannot tell apart from Go's reading (a syntax error, a key written twice, ``NaN``,
an integer longer than :data:`MAX_INT_DIGITS`, nesting deeper than :data:`MAX_DEPTH`) goes
through the positioned parser below, which gives Go's messages and offsets.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import bisect

from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.model import DupValues
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.unitfile import go_quote

try:
    from _json import scanstring as _scanstring   # what json.decoder.scanstring is (C), without json's import
except ImportError:  # pragma: no cover
    from json.decoder import py_scanstring as _scanstring

MAX_DEPTH = 400
MAX_INT_DIGITS = 4300  # ignition/limits.py MAX_INT_DIGITS (Python's own int() limit)
_WS = " \t\n\r"
_WS_PATTERN = r"[ \t\n\r]*"
_DIGITS = "0123456789"
_HEX = "0123456789abcdefABCDEF"
_LITERALS = {"t": ("true", True), "f": ("false", False), "n": ("null", None)}


class JSONSyntaxError(ValueError):
    """Malformed JSON; ``offset`` is the character index of the problem."""

    def __init__(self, message, offset):
        super(JSONSyntaxError, self).__init__(message)
        self.message = message
        self.offset = offset


class Positions(object):
    """Character offsets of values and keys by path; line/column computed on demand.

    The offsets (``values``, ``keys``) are found on first use when the text was read by the
    fast path of :func:`loads`."""

    def __init__(self, text, values=None, keys=None):
        self.text = text
        self._values = values
        self._keys = keys
        self.has_duplicates = False
        self._line_starts = None

    @property
    def values(self):
        if self._values is None:
            self._find()
        return self._values

    @property
    def keys(self):
        if self._keys is None:
            self._find()
        return self._keys

    def _find(self):
        self._values, self._keys = {}, {}
        parser = _Parser(self.text, self)
        try:
            parser.run()
        except JSONSyntaxError:
            pass  # Positions of a text that does not parse: only line_col is of use

    def forget(self, path):
        """Drop the positions at and below a path (a key written again replaces them)."""
        n = len(path)
        for table in (self.values, self.keys):
            for p in [p for p in table if p[:n] == path]:
                del table[p]

    def _lines(self):
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i >= 0:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._line_starts = starts
        return self._line_starts

    def line_col(self, offset):
        """(line, column) of a character offset; column in bytes like Go."""
        starts = self._lines()
        li = bisect.bisect_right(starts, offset) - 1
        start = starts[li]
        seg = self.text[start:offset]
        try:
            col = len(seg.encode("utf-8")) + 1
        except UnicodeEncodeError:
            col = len(seg.encode("utf-8", "surrogatepass")) + 1
        return li + 1, col

    def lookup(self, path, key=False):
        """(line, col) of a path, falling back to its deepest known ancestor (as vcontext does)."""
        path = tuple(path)
        if key and path in self.keys:
            return self.line_col(self.keys[path])
        values = self.values
        while True:
            off = values.get(path)
            if off is not None:
                return self.line_col(off)
            if not path:
                return None, None
            path = path[:-1]


def _syntax_error(text, pos, context, in_token=False):
    if pos >= len(text):
        if in_token:
            # Go's scanner feeds a space at the end: an unfinished number or literal
            # fails on that space rather than with "unexpected end"
            raise JSONSyntaxError("invalid character ' ' %s" % context, len(text))
        raise JSONSyntaxError("unexpected end of JSON input", len(text))
    c = text[pos]
    raise JSONSyntaxError("invalid character %s %s" % (_quote_char(c), context), pos)


def _quote_char(c):
    """Go's encoding/json quoteChar: the scanner works on bytes, so a non-ASCII character
    is named by its first UTF-8 byte read as a rune (0xEF -> 'ï')."""
    if c == "'":
        return "'\\''"
    if c == '"':
        return "'\"'"
    if ord(c) >= 0x80:
        c = chr(bytearray(c.encode("utf-8", "surrogatepass"))[0])
    return "'" + go_quote(c)[1:-1] + "'"


class _Parser(object):
    """The positioned parser: Go's messages and offsets, positions of every value and key."""

    def __init__(self, text, positions):
        self.text = text
        self.n = len(text)
        self.pos = positions
        self.values = positions._values
        self.keys = positions._keys
        import re   # on first use: the Butane CLI's start-up does without it

        self._ws = re.compile(_WS_PATTERN).match   # re.compile's own cache keeps the pattern

    def run(self):
        result, i = self.value(0, (), 0)
        i = self.ws(i)
        if i < self.n:
            _syntax_error(self.text, i, "after top-level value")
        return result

    def ws(self, i):
        return self._ws(self.text, i).end()

    def _need(self, i):
        if i >= self.n:
            raise JSONSyntaxError("unexpected end of JSON input", self.n)
        return self.text[i]

    def value(self, i, path, depth):
        read, i = self.start(i, path, depth)
        return read(i, path, depth) if read is not None else self.scalar(i)

    def start(self, i, path, depth):
        """Skip to a value and note its position: ``(reader of the container or None, i)``.

        The readers of objects and arrays call themselves for nested containers: one Python
        frame per level, as MAX_DEPTH assumes."""
        i = self.ws(i)
        c = self._need(i)
        if depth > MAX_DEPTH:
            # Go allows 10000 levels; Python's recursion limit does not.  No config nests this deep.
            raise JSONSyntaxError("exceeded max depth", i)
        if c == "{":
            self.values[path] = i + 1
            return self.object, i + 1
        if c == "[":
            self.values[path] = i + 1
            return self.array, i + 1
        self.values[path] = i
        return None, i

    def scalar(self, i):
        c = self.text[i]
        if c == '"':
            return self.string(i)
        if c == "-" or "0" <= c <= "9":
            return self.number(i)
        if c in _LITERALS:
            return self.literal(i, *_LITERALS[c])
        _syntax_error(self.text, i, "looking for beginning of value")

    def object(self, i, path, depth):
        obj = {}
        i = self.ws(i)
        if i < self.n and self.text[i] == "}":
            return obj, i + 1
        while True:
            if self._need(i) != '"':
                _syntax_error(self.text, i, "looking for beginning of object key string")
            kstart = i
            key, i = self.string(i)
            i = self.ws(i)
            if self._need(i) != ":":
                _syntax_error(self.text, i, "after object key")
            kpath = path + (key,)
            again = key in obj
            if again:
                self.pos.forget(kpath)
            self.keys[kpath] = kstart
            read, i = self.start(i + 1, kpath, depth + 1)
            v, i = read(i, kpath, depth + 1) if read is not None else self.scalar(i)
            if again:
                self._again(obj, key, v)
            else:
                obj[key] = v
            i = self.ws(i)
            c = self._need(i)
            if c == ",":
                i = self.ws(i + 1)
                continue
            if c == "}":
                return obj, i + 1
            _syntax_error(self.text, i, "after object key:value pair")

    def _again(self, obj, key, v):
        self.pos.has_duplicates = True
        prev = obj[key]
        if isinstance(prev, DupValues):
            prev.append(v)
        else:
            obj[key] = DupValues([prev, v])

    def array(self, i, path, depth):
        arr = []
        i = self.ws(i)
        if i < self.n and self.text[i] == "]":
            return arr, i + 1
        while True:
            ipath = path + (len(arr),)
            read, i = self.start(i, ipath, depth + 1)
            v, i = read(i, ipath, depth + 1) if read is not None else self.scalar(i)
            arr.append(v)
            i = self.ws(i)
            c = self._need(i)
            if c == ",":
                i += 1
                continue
            if c == "]":
                return arr, i + 1
            _syntax_error(self.text, i, "after array element")

    def _digits(self, i):
        text, n = self.text, self.n
        while i < n and text[i] in _DIGITS:
            i += 1
        return i

    def number(self, i):
        """A number as Go's scanner reads it: int when written as an integer, else float."""
        text, n = self.text, self.n
        start = i
        if text[i] == "-":
            i += 1
            if i >= n or text[i] not in _DIGITS:
                _syntax_error(text, i, "in numeric literal", True)
        i = i + 1 if text[i] == "0" else self._digits(i)
        frac = i < n and text[i] == "."
        if frac:
            if i + 1 >= n or text[i + 1] not in _DIGITS:
                _syntax_error(text, i + 1, "after decimal point in numeric literal", True)
            i = self._digits(i + 1)
        exp = i < n and text[i] in "eE"
        if exp:
            j = i + 1
            if j < n and text[j] in "+-":
                j += 1
            if j >= n or text[j] not in _DIGITS:
                _syntax_error(text, j, "in exponent of numeric literal", True)
            i = self._digits(j)
        s = text[start:i]
        if frac or exp or len(s) > MAX_INT_DIGITS:
            # a literal longer than MAX_INT_DIGITS is out of every field's range: read it
            # as an out-of-range number (Python refuses int() of it); messages quote the text
            return float(s), i
        return int(s), i

    def literal(self, i, word, val):
        text, n = self.text, self.n
        for k, wc in enumerate(word):
            if i + k >= n or text[i + k] != wc:
                _syntax_error(text, i + k, "in literal %s (expecting '%s')" % (word, wc), True)
        return val, i + len(word)

    def _unterminated_string_message(self, k):
        text, n = self.text, self.n
        while k < n:
            if text[k] != "\\":
                k += 1
                continue
            if k + 1 >= n:
                return "invalid character ' ' in string escape code"
            if text[k + 1] == "u":
                if n - (k + 2) < 4:
                    return "invalid character ' ' in \\u hexadecimal character escape"
                k += 6
            else:
                k += 2
        return "unexpected end of JSON input"

    def string(self, i):
        # i points at the opening quote
        try:
            return _scanstring(self.text, i + 1, True)
        except ValueError as e:
            self._string_error(i, e)

    def _string_error(self, i, e):
        text, n = self.text, self.n
        off = getattr(e, "pos", i)
        if off >= n or "Unterminated string" in str(e):
            # Go's scanner feeds a space at the end: inside an escape that is an error
            raise JSONSyntaxError(self._unterminated_string_message(i + 1), n)
        c = text[off] if off < n else ""
        if "uXXXX" in str(e):
            j = off + 2
            while j < n and j < off + 6 and text[j] in _HEX:
                j += 1
            if j >= n:
                raise JSONSyntaxError("invalid character ' ' in \\u hexadecimal character escape", n)
            raise JSONSyntaxError("invalid character %s in \\u hexadecimal character escape" % _quote_char(text[j]), j)
        if "Invalid control character" in str(e):
            raise JSONSyntaxError("invalid character %s in string literal" % _quote_char(c), off)
        raise JSONSyntaxError("invalid character %s in string escape code" % _quote_char(text[min(off + 1, n - 1)]), off)


class _NotPlain(ValueError):
    """The fast read met something only the positioned parser reads as Go does."""


def _pairs(pairs):
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _NotPlain("a key written twice")
    return obj


def _constant(name):
    raise _NotPlain(name)   # NaN, Infinity, -Infinity: not JSON for Go


def _too_deep(value, limit):
    """Whether a value nests deeper than ``limit`` (a value inside more than ``limit`` containers).

    Level by level over the containers only (no recursion)."""
    level = [value]
    for _depth in range(limit):
        level = [c for v in level for c in (v.values() if isinstance(v, dict) else v) if isinstance(c, _CONTAINERS)]
        if not level:
            return False
    return any(level)


_CONTAINERS = (dict, list)
_FAST = []


def _decoder():
    """The C ``json`` decoder of the fast read, made on first use (json is not imported before)."""
    if not _FAST:
        import json

        _FAST.append(json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant))
    return _FAST[0]


def _fast(text):
    """The value read by the C ``json`` module, or None when the positioned parser must read it."""
    try:
        value, end = _decoder().raw_decode(text, len(text) - len(text.lstrip(_WS)))
    except (ValueError, RecursionError):
        return None
    if end != len(text) and text[end:].strip(_WS):
        return None
    if not isinstance(value, (dict, list)):
        return None
    if text.count("{") + text.count("[") > MAX_DEPTH and _too_deep(value, MAX_DEPTH):
        return None
    return value


def loads(text):
    """Parse JSON text; returns ``(value, Positions)``.

    :raises JSONSyntaxError: with a Go-like message and the offset of the problem.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if text.startswith(u"\ufeff"):
        # Go's decoder rejects a BOM as an invalid character
        raise JSONSyntaxError("invalid character 'ï' looking for beginning of value", 0)
    value = _fast(text)
    if value is not None:
        return value, Positions(text)
    positions = Positions(text, {}, {})
    return _Parser(text, positions).run(), positions
