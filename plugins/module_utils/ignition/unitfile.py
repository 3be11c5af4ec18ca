# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""systemd unit file reading as Ignition does it (go-systemd v22 ``unit.Deserialize``).

Returns the options as ``(section, name, value)``; raises :class:`UnitParseError` with
the error text go-systemd gives (Ignition prefixes it with ``invalid unit content: ``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

LINE_MAX = 2048
# a run that could reach LINE_MAX bytes (UTF-8 needs at most 4 bytes a character)
_LONG_LINE = re.compile(r"[^\r\n]{%d,}" % (LINE_MAX // 4))


class UnitParseError(ValueError):
    def __init__(self, message):
        super(UnitParseError, self).__init__(message)
        self.message = message


def _go_quote(s):
    out = []
    for c in s:
        o = ord(c)
        if c in '"\\':
            out.append("\\" + c)
        elif o < 0x20 or o == 0x7F:
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(c, "\\x%02x" % o))
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def parse(text):
    """Parse unit file text; returns a list of ``(section, name, value)``."""
    # go-systemd refuses LINE_MAX bytes in a row without a line break
    for m in _LONG_LINE.finditer(text):
        if len(m.group(0).encode("utf-8", "surrogatepass")) >= LINE_MAX:
            raise UnitParseError("line too long (max %d bytes)" % LINE_MAX)
    opts = []
    n = len(text)
    i = 0
    section = None  # None: before the first section
    while i < n:
        c = text[i]
        if section is None:
            # lexNextSection: skip until '[' or a comment
            if c == "[":
                i, section = _section_name(text, i + 1)
            elif c in "#;":
                i = _ignore_lines(text, i + 1)
            else:
                i += 1
            continue
        # lexNextSectionOrOption
        if c.isspace():
            i += 1
            continue
        if c == "[":
            i, section = _section_name(text, i + 1)
            continue
        if c in "#;":
            i = _ignore_lines(text, i + 1)
            continue
        # option name up to '='
        j = i
        while True:
            if j >= n:
                raise UnitParseError("EOF")
            cj = text[j]
            if cj in "\r\n":
                raise UnitParseError("unexpected newline encountered while parsing option name")
            if cj == "=":
                break
            j += 1
        name = text[i:j].strip()
        i = j + 1
        value_parts = []
        while True:
            line, i, eof = _to_eol(text, i)
            if not line.strip():
                break
            value_parts.append(line)
            idx = line.rfind("\\")
            if idx == -1 or idx != len(line) - 1:
                break
            if not eof:
                value_parts.append("\n")
        val = "".join(value_parts)
        val = val.strip() + "\n" if val.endswith("\n") else val.strip()
        opts.append((section, name, val))
    return opts


def _section_name(text, i):
    j = text.find("]", i)
    if j < 0:
        raise UnitParseError("unable to find end of section")
    name = text[i:j]
    garbage, k, _eof = _to_eol(text, j + 1)
    if garbage.strip():
        # Debian's ignition 2.14.0 build prints the garbage with %q
        raise UnitParseError("found garbage after section name : %s" % _go_quote(garbage.strip()))
    return k, name


def _to_eol(text, i):
    j = text.find("\n", i)
    if j < 0:
        line = text[i:]
        if line.endswith("\r"):
            line = line[:-1]
        return line, len(text), True
    # Go trims "\r" before "\n", so a CRLF line keeps its "\r" here
    return text[i:j], j + 1, False


def _ignore_lines(text, i):
    while True:
        line, i, eof = _to_eol(text, i)
        if line.endswith(" "):
            line = line[:-1]
        if not line.endswith("\\") or eof:
            return i


def has_install_section(opts):
    return any(sec == "Install" for sec, _n, _v in opts)
