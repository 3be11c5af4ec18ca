# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Percent escapes (``%XX``) as Ignition's two URL readers see them.

One reader for both: ``urls`` (Go's ``net/url`` rules) and ``dataurl`` (the dataurl
package's ``rfc2396`` unescaper) differ only in what they call a failure, so the reader
reports *which* failure it met and each caller words it its own way.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

HEX = "0123456789abcdefABCDEF"

# what went wrong, in the order the dataurl unescaper checks
END = "end"  # the string ends inside an escape
BAD_HEX = "bad-hex"  # a character after ``%`` is not a hex digit
NON_ASCII = "non-ascii"  # a raw non-ASCII character where only ASCII may stand


class EscapeError(ValueError):
    """A malformed escape; ``kind`` is END, BAD_HEX or NON_ASCII."""

    def __init__(self, kind: str) -> None:
        ValueError.__init__(self, kind)
        self.kind = kind


def escaped_byte(s: str, i: int) -> int:
    """The byte of the escape starting at ``s[i] == "%"``; raises EscapeError."""
    n = len(s)
    if i + 1 >= n:
        raise EscapeError(END)
    if s[i + 1] not in HEX:
        raise EscapeError(BAD_HEX)
    if i + 2 >= n:
        raise EscapeError(END)
    if s[i + 2] not in HEX:
        raise EscapeError(BAD_HEX)
    return int(s[i + 1:i + 3], 16)


def unescape(s: str, plus_space: bool = False, ascii_only: bool = False) -> bytes:
    """Bytes of ``s`` with every ``%XX`` decoded.

    :param plus_space: read ``+`` as a space (query strings).
    :param ascii_only: reject raw non-ASCII characters (else they stand as UTF-8).
    :raises EscapeError: at the first malformed escape or forbidden character.
    """
    out = bytearray()
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c == "%":
            out.append(escaped_byte(s, i))
            i += 3
            continue
        if ord(c) > 0x7F:
            if ascii_only:
                raise EscapeError(NON_ASCII)
            out.extend(c.encode("utf-8"))
        else:
            out.append(32 if plus_space and c == "+" else ord(c))
        i += 1
    return bytes(out)
