# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""systemd unit file reading as Ignition does it (go-systemd v22 ``unit.Deserialize``).

Returns the options as ``(section, name, value)``; raises :class:`UnitParseError` with
the error text go-systemd gives (Ignition prefixes it with ``invalid unit content: ``).

go-systemd reads through a 4096-byte ``bufio.Reader`` and, before every lexer step, refuses
the input when at least 2048 bytes are buffered and the next 2048 hold no line break
(``line too long``).  Whether that fires depends on how the buffer happens to be filled, so
the reader is simulated exactly: same buffer size, same refill points.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

LINE_MAX = 2048
BUF_SIZE = 4096

# Go's unicode.IsSpace
_GO_SPACE = frozenset(u"\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
                      u"\u200a\u2028\u2029\u202f\u205f\u3000")


class UnitParseError(ValueError):
    def __init__(self, message):
        super(UnitParseError, self).__init__(message)
        self.message = message


def _go_trim_space(s):
    i, j = 0, len(s)
    while i < j and s[i] in _GO_SPACE:
        i += 1
    while j > i and s[j - 1] in _GO_SPACE:
        j -= 1
    return s[i:j]


_QUOTE_SHORT = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
                "\v": "\\v", '"': '\\"', "\\": "\\\\"}


def go_quote(s):
    """Go's strconv.Quote (what ``%q`` prints) for a decoded string."""
    out = []
    for c in s:
        o = ord(c)
        short = _QUOTE_SHORT.get(c)
        if short is not None:
            out.append(short)
        elif o < 0x20 or o == 0x7F:
            out.append("\\x%02x" % o)
        elif c.isprintable():
            out.append(c)
        elif o < 0x10000:
            out.append("\\u%04x" % o)
        else:
            out.append("\\U%08x" % o)
    return '"' + "".join(out) + '"'


def _rune_len(lead):
    if lead < 0x80:
        return 1
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 1  # invalid lead byte: one byte, decoded as U+FFFD


class _Reader(object):
    """bufio.Reader(4096) over the bytes, tracking absolute read (r) and fill (w) positions."""

    def __init__(self, data):
        self.data = data
        self.n = len(data)
        self.r = 0
        self.w = 0
        self.last_rune = -1

    def buffered(self):
        return self.w - self.r

    def _fill(self):
        # slide, then one Read of as much as fits (strings.Reader copies all it can)
        space = BUF_SIZE - (self.w - self.r)
        self.w = min(self.n, self.w + space)

    def _full_rune(self):
        if self.w <= self.r:
            return False
        need = _rune_len(self.data[self.r])
        return self.w - self.r >= need

    def read_rune(self):
        """Returns the rune (str) or None at EOF."""
        while self.r + 4 > self.w and not self._full_rune() and self.w < self.n and self.w - self.r < BUF_SIZE:
            self._fill()
        if self.r == self.w:
            self.last_rune = -1
            return None
        size = min(_rune_len(self.data[self.r]), self.w - self.r)
        chunk = self.data[self.r:self.r + size]
        try:
            c = chunk.decode("utf-8")
        except UnicodeDecodeError:
            c, size = u"\ufffd", 1
        self.r += size
        self.last_rune = size
        return c

    def unread_rune(self):
        if self.last_rune > 0:
            self.r -= self.last_rune
            self.last_rune = -1

    def read_bytes(self, delim):
        """(bytes including delim, eof) like ReadBytes; eof True when the delimiter was not found."""
        self.last_rune = -1
        start = self.r
        while True:
            i = self.data.find(delim, self.r, self.w)
            if i >= 0:
                self.r = i + 1
                return self.data[start:self.r], False
            if self.w >= self.n:
                self.r = self.w
                return self.data[start:self.r], True
            if self.w - self.r >= BUF_SIZE:
                # ErrBufferFull: the fragment is kept, the buffer emptied, reading goes on
                self.r = self.w
            self._fill()

    def peek_has_break(self):
        window = self.data[self.r:self.r + LINE_MAX]
        return b"\n" in window or b"\r" in window


def _to_eol(rd):
    line, eof = rd.read_bytes(b"\n")
    if line.endswith(b"\r"):
        line = line[:-1]
    if line.endswith(b"\n"):
        line = line[:-1]
    return line.decode("utf-8", "replace"), eof


def _next_section(rd, _state, _opts):
    c = rd.read_rune()
    if c is None:
        return None
    if c == "[":
        return ("section_name",)
    if c in "#;":
        return ("ignore", ("next_section",))
    return ("next_section",)


def _section_name(rd, _state, _opts):
    sec, eof = rd.read_bytes(b"]")
    if eof:
        raise UnitParseError("unable to find end of section")
    return ("section_suffix", sec[:-1].decode("utf-8", "replace"))


def _section_suffix(rd, state, _opts):
    garbage, _eof = _to_eol(rd)
    garbage = _go_trim_space(garbage)
    if garbage:
        # Debian's ignition 2.14.0 build prints the garbage with %q
        raise UnitParseError("found garbage after section name : %s" % go_quote(garbage))
    return ("section_or_option", state[1])


def _ignore(rd, state, _opts):
    while True:
        line, _eof = _to_eol(rd)
        if line.endswith(" "):
            line = line[:-1]
        if not line.endswith("\\"):
            return state[1]


def _section_or_option(rd, state, _opts):
    section = state[1]
    c = rd.read_rune()
    if c is None:
        return None
    if c in _GO_SPACE:
        return ("section_or_option", section)
    if c == "[":
        return ("section_name",)
    if c in "#;":
        return ("ignore", ("section_or_option", section))
    rd.unread_rune()
    return ("option_name", section)


def _option_name(rd, state, _opts):
    partial = []
    while True:
        c = rd.read_rune()
        if c is None:
            raise UnitParseError("EOF")
        if c in "\r\n":
            raise UnitParseError("unexpected newline encountered while parsing option name")
        if c == "=":
            break
        partial.append(c)
    return ("option_value", state[1], _go_trim_space("".join(partial)), "")


def _option_value(rd, state, opts):
    _k, section, name, partial = state
    line, eof = _to_eol(rd)
    if _go_trim_space(line):
        partial += line
        idx = line.rfind("\\")
        if idx != -1 and idx == len(line) - 1:
            if not eof:
                partial += "\n"
            return ("option_value", section, name, partial)
    val = _go_trim_space(partial) + "\n" if partial.endswith("\n") else _go_trim_space(partial)
    opts.append((section, name, val))
    return ("section_or_option", section)


# the lexer's states: name -> handler(reader, state, options) returning the next state
_STATES = {
    "next_section": _next_section,
    "section_name": _section_name,
    "section_suffix": _section_suffix,
    "ignore": _ignore,
    "section_or_option": _section_or_option,
    "option_name": _option_name,
    "option_value": _option_value,
}


def parse(text):
    """Parse unit file text; returns a list of ``(section, name, value)``."""
    rd = _Reader(text.encode("utf-8", "surrogatepass"))
    opts = []
    state = ("next_section",)
    while state is not None:
        if rd.buffered() >= LINE_MAX and not rd.peek_has_break():
            raise UnitParseError("line too long (max %d bytes)" % LINE_MAX)
        state = _STATES[state[0]](rd, state, opts)
    return opts


def has_install_section(opts):
    return any(sec == "Install" for sec, _n, _v in opts)
