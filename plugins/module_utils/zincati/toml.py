# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A tiny TOML reader and writer for Zincati drop-ins (modules must run on Python 3.9, which
has no tomllib). The reader covers what Zincati configs use: comments, [tables],
[[arrays of tables]], dotted keys, basic and literal strings, integers, floats, booleans
and (multi-line) arrays of those. Errors name the file and line."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_INT = re.compile(r"^[+-]?(0|[1-9](_?[0-9])*)$")
_FLOAT = re.compile(r"^[+-]?(0|[1-9](_?[0-9])*)(\.[0-9](_?[0-9])*)?([eE][+-]?[0-9](_?[0-9])*)?$")
_ESCAPES = {'"': '"', "\\": "\\", "b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r"}


class _Reader(object):
    def __init__(self, text, name):
        self.text = text
        self.name = name
        self.pos = 0
        self.line = 1

    def err(self, message):
        return NestosError(message, file=self.name, line=self.line)

    def peek(self):
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def advance(self, n=1):
        for _dummy in range(n):
            if self.peek() == "\n":
                self.line += 1
            self.pos += 1

    def skip_ws(self, newlines=False):
        while True:
            ch = self.peek()
            if ch in (" ", "\t") or (newlines and ch in ("\n", "\r")):
                self.advance()
            elif newlines and ch == "#":
                self.skip_comment()
            else:
                return

    def skip_comment(self):
        while self.peek() not in ("", "\n"):
            self.advance()

    def end_of_line(self):
        self.skip_ws()
        if self.peek() == "#":
            self.skip_comment()
        if self.peek() == "\r":
            self.advance()
        if self.peek() not in ("", "\n"):
            raise self.err("unexpected %r after the value" % self.peek())

    def key(self):
        parts = []
        while True:
            self.skip_ws()
            ch = self.peek()
            if ch == '"':
                parts.append(self.basic_string())
            elif ch == "'":
                parts.append(self.literal_string())
            else:
                m = _BARE_KEY.match(self.text, self.pos)
                if not m:
                    raise self.err("expected a key, found %r" % (ch or "end of file"))
                parts.append(m.group(0))
                self.advance(m.end() - self.pos)
            self.skip_ws()
            if self.peek() == ".":
                self.advance()
                continue
            return parts

    def basic_string(self):
        self.advance()
        out = []
        while True:
            ch = self.peek()
            if ch in ("", "\n"):
                raise self.err("unterminated string")
            self.advance()
            if ch == '"':
                return "".join(out)
            if ch == "\\":
                esc = self.peek()
                self.advance()
                if esc in _ESCAPES:
                    out.append(_ESCAPES[esc])
                elif esc in ("u", "U"):
                    size = 4 if esc == "u" else 8
                    digits = self.text[self.pos:self.pos + size]
                    if not re.match(r"^[0-9A-Fa-f]{%d}$" % size, digits):
                        raise self.err("bad unicode escape")
                    out.append(chr(int(digits, 16)))
                    self.advance(size)
                else:
                    raise self.err("bad escape \\%s" % esc)
            else:
                out.append(ch)

    def literal_string(self):
        self.advance()
        end = self.text.find("'", self.pos)
        nl = self.text.find("\n", self.pos)
        if end < 0 or (0 <= nl < end):
            raise self.err("unterminated literal string")
        value = self.text[self.pos:end]
        self.advance(end + 1 - self.pos)
        return value

    def value(self):
        ch = self.peek()
        if ch == '"':
            if self.text.startswith('"""', self.pos):
                raise self.err("multi-line strings are not supported in Zincati drop-ins here")
            return self.basic_string()
        if ch == "'":
            return self.literal_string()
        if ch == "[":
            return self.array()
        if ch == "{":
            raise self.err("inline tables are not supported here; use a [table]")
        m = re.compile(r"[^\s,\]#]+").match(self.text, self.pos)
        if not m:
            raise self.err("expected a value")
        token = m.group(0)
        self.advance(len(token))
        if token == "true":
            return True
        if token == "false":
            return False
        if _INT.match(token):
            return int(token.replace("_", ""))
        if _FLOAT.match(token):
            return float(token.replace("_", ""))
        raise self.err("cannot read value %r" % token)

    def array(self):
        self.advance()
        out = []
        while True:
            self.skip_ws(newlines=True)
            if self.peek() == "]":
                self.advance()
                return out
            out.append(self.value())
            self.skip_ws(newlines=True)
            if self.peek() == ",":
                self.advance()
            elif self.peek() == "]":
                continue
            else:
                raise self.err("expected ',' or ']' in array")


def loads(text, name="<toml>"):
    """Parse ``text``; returns nested dicts (arrays of tables as lists of dicts)."""
    r = _Reader(text, name)
    root = {}
    current = root
    defined = set()
    while True:
        r.skip_ws(newlines=True)
        ch = r.peek()
        if ch == "":
            return root
        if ch == "[":
            is_array = r.text.startswith("[[", r.pos)
            r.advance(2 if is_array else 1)
            parts = r.key()
            if not r.text.startswith("]]" if is_array else "]", r.pos):
                raise r.err("expected %s to close the table header" % ("]]" if is_array else "]"))
            r.advance(2 if is_array else 1)
            r.end_of_line()
            table = root
            for part in parts[:-1]:
                table = table.setdefault(part, {})
                if isinstance(table, list):
                    table = table[-1]
                if not isinstance(table, dict):
                    raise r.err("%s is not a table" % ".".join(parts))
            last = parts[-1]
            if is_array:
                arr = table.setdefault(last, [])
                if not isinstance(arr, list):
                    raise r.err("%s is already a table, not an array of tables" % ".".join(parts))
                current = {}
                arr.append(current)
            else:
                if tuple(parts) in defined:
                    raise r.err("table [%s] defined twice" % ".".join(parts))
                defined.add(tuple(parts))
                current = table.setdefault(last, {})
                if not isinstance(current, dict):
                    raise r.err("%s is not a table" % ".".join(parts))
            continue
        parts = r.key()
        if r.peek() != "=":
            raise r.err("expected '=' after key %s" % ".".join(parts))
        r.advance()
        r.skip_ws()
        value = r.value()
        r.end_of_line()
        table = current
        for part in parts[:-1]:
            table = table.setdefault(part, {})
            if not isinstance(table, dict):
                raise r.err("%s is not a table" % ".".join(parts))
        if parts[-1] in table:
            raise r.err("key %s defined twice" % ".".join(parts))
        table[parts[-1]] = value


def dump_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return text if ("." in text or "e" in text or "inf" in text or "nan" in text) else text + ".0"
    if isinstance(value, str):
        out = ['"']
        for ch in value:
            if ch == '"':
                out.append('\\"')
            elif ch == "\\":
                out.append("\\\\")
            elif ch == "\n":
                out.append("\\n")
            elif ch == "\t":
                out.append("\\t")
            elif ord(ch) < 0x20 or ord(ch) == 0x7f:
                out.append("\\u%04x" % ord(ch))
            else:
                out.append(ch)
        out.append('"')
        return "".join(out)
    if isinstance(value, (list, tuple)):
        return "[ " + ", ".join(dump_value(v) for v in value) + " ]" if value else "[]"
    raise TypeError("cannot write %r as TOML" % (value,))
