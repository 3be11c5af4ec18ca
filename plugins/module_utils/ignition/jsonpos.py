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
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import bisect
import json
import re

from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.unitfile import go_quote

try:
    from json.decoder import scanstring as _scanstring
except ImportError:  # pragma: no cover
    _scanstring = json.decoder.py_scanstring

MAX_DEPTH = 400
_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")


class JSONSyntaxError(ValueError):
    """Malformed JSON; ``offset`` is the character index of the problem."""

    def __init__(self, message, offset):
        super(JSONSyntaxError, self).__init__(message)
        self.message = message
        self.offset = offset


class DupValues(list):
    """The values of a key written more than once in one object, in document order.

    Go decodes each occurrence into the same struct field in turn (objects merge, arrays
    are decoded element by element into the existing elements): ``validate.go_decode``
    resolves these with the spec model.  Positions keep only the last occurrence, as
    Ignition's position tree does."""


class Positions(object):
    """Character offsets of values and keys by path; line/column computed on demand."""

    def __init__(self, text):
        self.text = text
        self.values = {}
        self.keys = {}
        self.has_duplicates = False
        self._line_starts = None

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
        while True:
            off = self.values.get(path)
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


MAX_INT_DIGITS = 4300  # ignition/limits.py MAX_INT_DIGITS (Python's own int() limit)


def loads(text):
    """Parse JSON text; returns ``(value, Positions)``.

    :raises JSONSyntaxError: with a Go-like message and the offset of the problem.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if text.startswith(u"\ufeff"):
        # Go's decoder rejects a BOM as an invalid character
        raise JSONSyntaxError("invalid character 'ï' looking for beginning of value", 0)
    pos_obj = Positions(text)
    values = pos_obj.values
    keys = pos_obj.keys
    ws = _WS.match
    num = _NUMBER.match
    n = len(text)

    def value(i, path, depth):
        i = ws(text, i).end()
        if i >= n:
            raise JSONSyntaxError("unexpected end of JSON input", n)
        c = text[i]
        if depth > MAX_DEPTH:
            # Go allows 10000 levels; Python's recursion limit does not.  No config nests this deep.
            raise JSONSyntaxError("exceeded max depth", i)
        if c == "{":
            values[path] = i + 1
            obj = {}
            i = ws(text, i + 1).end()
            if i < n and text[i] == "}":
                return obj, i + 1
            while True:
                if i >= n:
                    raise JSONSyntaxError("unexpected end of JSON input", n)
                if text[i] != '"':
                    _syntax_error(text, i, "looking for beginning of object key string")
                kstart = i
                key, i = _string(i)
                i = ws(text, i).end()
                if i >= n:
                    raise JSONSyntaxError("unexpected end of JSON input", n)
                if text[i] != ":":
                    _syntax_error(text, i, "after object key")
                kpath = path + (key,)
                again = key in obj
                if again:
                    pos_obj.forget(kpath)
                keys[kpath] = kstart
                v, i = value(i + 1, kpath, depth + 1)
                if again:
                    pos_obj.has_duplicates = True
                    prev = obj[key]
                    if isinstance(prev, DupValues):
                        prev.append(v)
                    else:
                        obj[key] = DupValues([prev, v])
                else:
                    obj[key] = v
                i = ws(text, i).end()
                if i >= n:
                    raise JSONSyntaxError("unexpected end of JSON input", n)
                c = text[i]
                if c == ",":
                    i = ws(text, i + 1).end()
                    continue
                if c == "}":
                    return obj, i + 1
                _syntax_error(text, i, "after object key:value pair")
        if c == "[":
            values[path] = i + 1
            arr = []
            i = ws(text, i + 1).end()
            if i < n and text[i] == "]":
                return arr, i + 1
            while True:
                v, i = value(i, path + (len(arr),), depth + 1)
                arr.append(v)
                i = ws(text, i).end()
                if i >= n:
                    raise JSONSyntaxError("unexpected end of JSON input", n)
                c = text[i]
                if c == ",":
                    i += 1
                    continue
                if c == "]":
                    return arr, i + 1
                _syntax_error(text, i, "after array element")
        values[path] = i
        if c == '"':
            return _string(i)
        if c == "-" or "0" <= c <= "9":
            m = num(text, i)
            if m is None:
                _syntax_error(text, i + 1, "in numeric literal", True)
            s = m.group(0)
            end = m.end()
            if end < n and text[end] == "." and not m.group(1) and not m.group(2):
                _syntax_error(text, end + 1, "after decimal point in numeric literal", True)
            if end < n and text[end] in "eE" and not m.group(2):
                j = end + 1
                if j < n and text[j] in "+-":
                    j += 1
                _syntax_error(text, j, "in exponent of numeric literal", True)
            if m.group(1) or m.group(2) or len(s) > MAX_INT_DIGITS:
                # a literal longer than MAX_INT_DIGITS is out of every field's range: read it
                # as an out-of-range number (Python refuses int() of it); messages quote the text
                return float(s), m.end()
            return int(s), m.end()
        for word, val in (("true", True), ("false", False), ("null", None)):
            if c == word[0]:
                for k, wc in enumerate(word):
                    if i + k >= n or text[i + k] != wc:
                        _syntax_error(text, i + k, "in literal %s (expecting '%s')" % (word, wc), True)
                return val, i + len(word)
        _syntax_error(text, i, "looking for beginning of value")

    def _unterminated_string_message(k):
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

    def _string(i):
        # i points at the opening quote
        try:
            s, end = _scanstring(text, i + 1, True)
        except ValueError as e:
            off = getattr(e, "pos", i)
            if off >= n or "Unterminated string" in str(e):
                # Go's scanner feeds a space at the end: inside an escape that is an error
                raise JSONSyntaxError(_unterminated_string_message(i + 1), n)
            c = text[off] if off < n else ""
            if "uXXXX" in str(e):
                j = off + 2
                while j < n and j < off + 6 and text[j] in "0123456789abcdefABCDEF":
                    j += 1
                if j >= n:
                    raise JSONSyntaxError("invalid character ' ' in \\u hexadecimal character escape", n)
                raise JSONSyntaxError("invalid character %s in \\u hexadecimal character escape" % _quote_char(text[j]), j)
            if "Invalid control character" in str(e):
                raise JSONSyntaxError("invalid character %s in string literal" % _quote_char(c), off)
            raise JSONSyntaxError("invalid character %s in string escape code" % _quote_char(text[min(off + 1, n - 1)]), off)
        return s, end

    result, i = value(0, (), 0)
    i = ws(text, i).end()
    if i < n:
        _syntax_error(text, i, "after top-level value")
    return result, pos_obj
