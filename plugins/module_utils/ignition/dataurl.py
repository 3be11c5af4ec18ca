# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""RFC 2397 ``data:`` URLs as Butane writes them and Ignition reads them.

``encode`` follows Butane's ``MakeDataURL``: the shorter of percent-escaped and base64, and,
when the resource has no compression of its own, gzip+base64 if that is more than 4 bytes
(``len("gzip")``) shorter still.  Python's gzip output differs from Go's byte for byte, so
compare gzip-encoded contents after decoding.

``decode`` follows the parser Ignition uses (vincent-petithory/dataurl 1.0.0): the same
accepted syntax and the same error messages, which Ignition reports as validation errors.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import binascii
import zlib

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import escapes

GZIP_LEVEL = 9  # Go's gzip.BestCompression
MAX_GUNZIP_BYTES = 256 << 20  # a gzip data URL never expands beyond this (docs/ignition.md "Limits")

_UNRESERVED = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!~*'()")
_ESCAPE_TABLE = [chr(b) if b in _UNRESERVED else "%%%02X" % b for b in range(256)]


class DataURLError(NestosError):
    """A ``data:`` URL that Ignition's parser rejects; ``message`` is the parser's own text."""


def escape(data):
    """Percent-escape bytes the way the dataurl package does (uppercase hex)."""
    table = _ESCAPE_TABLE
    return "".join([table[b] for b in bytearray(data)])


def gzip_bytes(data, mtime=0):
    """gzip at level 9 with mtime 0 and no file name (header like Go's ``1f8b 0800 00000000 02ff``)."""
    # zlib writes the gzip wrapper itself (wbits 31): the same deflate stream as the gzip
    # module, without importing it (start-up cost of every Butane run)
    comp = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
    out = bytearray(comp.compress(data) + comp.flush())
    out[4:8] = (mtime & 0xFFFFFFFF).to_bytes(4, "little")
    # Header bytes as Go writes them: XFL=2 (best compression), OS=255 (unknown).
    out[8] = 2
    out[9] = 255
    return bytes(out)


def encode(data, compress_allowed=True, compression=None):
    """Butane's MakeDataURL.

    :param data: the contents (bytes; str is encoded as UTF-8).
    :param compress_allowed: allow gzip (butane ``--raw``/``compression`` rules may forbid it).
    :param compression: the resource's own ``compression`` value.  When it is set and not
        empty, the contents are taken as already compressed: no gzip is tried and the
        returned compression is None (leave the field as the user wrote it).
    :returns: ``(source_url, compression)``; compression is ``"gzip"`` when gzip won,
        ``""`` when the resource had no compression and gzip lost (written explicitly so a
        child config never inherits a parent's compression), None as described above.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    user_compressed = bool(compression)
    out_compression = None if user_compressed else ""

    opaque = "," + escape(data)
    b64 = ";base64," + _b64encode(data)
    if len(b64) < len(opaque):
        opaque = b64
    if not user_compressed and compress_allowed:
        gz = ";base64," + _b64encode(gzip_bytes(data))
        if len(gz) + len("gzip") < len(opaque):
            opaque = gz
            out_compression = "gzip"
    return "data:" + opaque, out_compression


def _b64encode(data):
    """base64.b64encode as text, from binascii (the base64 module imports re: start-up cost)."""
    return binascii.b2a_base64(data, newline=False).decode("ascii")


def _regex(pattern):
    """A compiled pattern; re is imported on first use (the Butane CLI's start-up), and
    re.compile's own cache keeps the pattern."""
    import re

    return re.compile(pattern)


# ---- decoding (mirrors the dataurl lexer) ----------------------------------------------

_TSPECIALS = frozenset('()<>@,;:\\"/[]?=')


def _is_token(c):
    o = ord(c)
    return o < 0x80 and o > 0x20 and o != 0x7F and c not in _TSPECIALS


def _is_url_char(c):
    o = ord(c)
    return o < 0x80 and o > 0x20 and o != 0x7F and c not in '<>#"{}|\\^[]`'


# what the dataurl lexer takes as data outside base64 (Go: isURLCharRune); translate() deletes
# them, so a body made of them alone comes out empty (no re module: the Butane CLI's start-up)
_URL_CHARS = dict.fromkeys(map(ord, "!$%&'()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
                                    "abcdefghijklmnopqrstuvwxyz~"))
# every two-digit hex escape (either case) and its byte
_HEX_BYTES = dict((a + b, bytes.fromhex(a + b)) for a in "0123456789abcdefABCDEF" for b in "0123456789abcdefABCDEF")


def _percent_decoded(body):
    """The bytes of a body of URL characters, or None when a ``%`` is not followed by two hex
    digits (then :func:`_unescape` gives Go's message)."""
    parts = body.split("%")
    out = [parts[0].encode("ascii")]
    hex_bytes = _HEX_BYTES
    for part in parts[1:]:
        byte = hex_bytes.get(part[:2])
        if byte is None:
            return None
        out.append(byte)
        out.append(part[2:].encode("ascii"))
    return b"".join(out)


_BASE64_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=\n")
_DISCRETE = ("text", "image", "audio", "video", "application")
_COMPOSITE = ("message", "multipart")


_UNESCAPE_ERRORS = {
    escapes.END: "rfc2396: unexpected end of unescape sequence",
    escapes.BAD_HEX: "rfc2396: invalid char 0x25 in unescape sequence",
    escapes.NON_ASCII: "rfc2396: non-ASCII char detected",
}


def _unescape(s):
    try:
        return escapes.unescape(s, ascii_only=True)
    except escapes.EscapeError as e:
        raise DataURLError(_UNESCAPE_ERRORS[e.kind])


_QUOTED_ESCAPE = r'(?s)\\(.)'


def _at(s, i):
    return s[i] if i < len(s) else None


def _scan_token(s, pos, eof_msg, bad_msg):
    """Index of the ``;`` or ``,`` that ends the token starting at ``pos``."""
    while True:
        c = _at(s, pos)
        if c in (";", ","):
            return pos
        if c is None:
            raise DataURLError(eof_msg)
        if not _is_token(c):
            raise DataURLError(bad_msg)
        pos += 1


def _media_type_start(s, pos):
    """Where the type word's scan goes on, and whether the word must be a known type."""
    c = s[pos]
    if c in "xX" and _at(s, pos + 1) == "-":
        return pos + 2, False
    if c in "xX":
        # the lexer reads the character after 'x' to look for '-', and keeps it read
        return (pos + 2 if pos + 1 < len(s) else pos + 1), True
    return pos + 1, True


def _parse_media_type(s, start):
    """``type/subtype`` at ``start``: returns ``(mtype, subtype, pos)``, ``s[pos]`` in ``;,``."""
    pos, discrete_check = _media_type_start(s, start)
    while True:
        c = _at(s, pos)
        if c == "/":
            word = s[start:pos]
            if discrete_check and not (word.startswith(_DISCRETE) or word.startswith(_COMPOSITE)):
                raise DataURLError("invalid media type")
            break
        if c is None:
            raise DataURLError("missing media type slash")
        if not _is_token(c):
            raise DataURLError("invalid character for media type")
        pos += 1
    mtype = s[start:pos]
    sub_start = pos + 1  # after the slash
    pos = _scan_token(s, sub_start, "incomplete media type", "invalid character for media subtype")
    return mtype, (s[sub_start:pos] if pos > sub_start else "plain"), pos


def _parse_attribute(s, pos):
    """A parameter's attribute at ``pos``: ``(attr, pos)`` at its ``=``, or ``(None, pos)`` at
    the ``,`` after ``;base64``."""
    c = _at(s, pos)
    if c is None or c in "=,":
        raise DataURLError("unterminated parameter sequence")
    start = pos
    while True:
        if not _is_token(c):
            raise DataURLError("invalid character for parameter attribute")
        pos += 1
        c = _at(s, pos)
        if c == "=":
            return s[start:pos], pos
        if c == ",":
            word = s[start:pos]
            if word != "base64":
                raise DataURLError("expected base64, got %s" % word)
            return None, pos
        if c is None:
            raise DataURLError("unterminated parameter sequence")


def _parse_quoted(s, pos):
    """A quoted parameter value whose opening quote is at ``pos - 1``: ``(value, pos)``."""
    start = pos
    while True:
        c = _at(s, pos)
        if c is None:
            raise DataURLError("unclosed quoted string")
        if c == "\\":
            nxt = _at(s, pos + 1)
            if nxt is None:
                raise DataURLError("unexpected eof")
            if ord(nxt) > 0x7F:
                raise DataURLError("invalid escaped character")
            pos += 2
            continue
        if c == '"':
            break
        if ord(c) > 0x7F:
            raise DataURLError("invalid character for parameter value")
        pos += 1
    return _regex(_QUOTED_ESCAPE).sub(lambda m: m.group(1), s[start:pos]), pos + 1


def _parse_value(s, pos):
    """A parameter value at ``pos`` (after ``=``): ``(value, pos)``."""
    c = _at(s, pos)
    if c == '"':
        return _parse_quoted(s, pos + 1)
    if c is None:
        raise DataURLError("missing comma before data")
    if not _is_token(c):
        raise DataURLError("invalid character for parameter value")
    end = _scan_token(s, pos, "missing comma before data", "invalid character for parameter value")
    return _unescape(s[pos:end]).decode("latin-1"), end


def _parse_params(s, pos, params):
    """The ``;attr=value`` list from the ``;`` at ``pos``: returns ``(is_base64, pos)`` at the
    comma before the data; fills ``params``."""
    while True:
        attr, pos = _parse_attribute(s, pos + 1)
        if attr is None:
            return True, pos
        params[attr], pos = _parse_value(s, pos + 1)
        c = _at(s, pos)
        if c == ",":
            return False, pos
        if c is None:
            raise DataURLError("missing comma before data")
        if c != ";":
            raise DataURLError("expected semicolon or comma")


def _decode_body(body, is_b64):
    if is_b64:
        for ch in body:
            if ch not in _BASE64_CHARS:
                raise DataURLError("invalid data character")
        try:
            import base64

            return base64.b64decode(body.replace("\n", ""), validate=True) if body else b""
        except (binascii.Error, ValueError):
            # Go: "illegal base64 data at input byte N"
            raise DataURLError("illegal base64 data at input byte %d" % _b64_error_offset(body))
    if body.translate(_URL_CHARS):
        raise DataURLError("invalid data character")
    if "%" not in body:
        return body.encode("ascii")
    data = _percent_decoded(body)
    if data is not None:
        return data
    return _unescape(body)  # for the exact error message


def parse(url):
    """Parse a data URL: returns ``(mediatype, params, is_base64, data_bytes)``.

    :raises DataURLError: with the message Ignition's parser gives.
    """
    if not url.startswith("data:"):
        raise DataURLError("missing data prefix")
    pos = 5
    mediatype = "text/plain"
    params = {"charset": "US-ASCII"}
    c = _at(url, pos)
    if c is None:
        raise DataURLError("missing comma before data")
    if c not in ";," and (c in "xX" or _is_token(c)):
        mtype, subtype, pos = _parse_media_type(url, pos)
        mediatype = "%s/%s" % (mtype, subtype)
        params.pop("charset", None)
        c = url[pos]
    elif c not in ";,":
        raise DataURLError("invalid character after data prefix")
    is_b64 = False
    if c == ";":
        is_b64, pos = _parse_params(url, pos, params)
    return mediatype, params, is_b64, _decode_body(url[pos + 1:], is_b64)


def _b64_error_offset(body):
    """Best effort at Go's CorruptInputError offset (index of the first bad quantum byte)."""
    stripped = body.replace("\n", "")
    pad = stripped.find("=")
    if pad >= 0:
        return pad
    return len(stripped) - (len(stripped) % 4 or 4) if len(stripped) % 4 else len(stripped)


def decode(url):
    """The bytes a ``data:`` URL carries (percent or base64 form)."""
    return parse(url)[3]


def decode_contents(source, compression=None):
    """Bytes of a resource whose source is a data URL, gunzipped when compression is gzip."""
    data = decode(source)
    if compression in (None, ""):
        return data
    if compression != "gzip":
        raise DataURLError("invalid compression method")
    try:
        inflater = zlib.decompressobj(31)
        out = inflater.decompress(data, MAX_GUNZIP_BYTES + 1)
    except zlib.error as e:
        raise DataURLError("invalid gzip data in data URL: %s" % e)
    if len(out) > MAX_GUNZIP_BYTES:
        raise DataURLError("gzip data in data URL expands to more than %d bytes (the limit)" % MAX_GUNZIP_BYTES)
    if not inflater.eof:
        raise DataURLError("invalid gzip data in data URL: Compressed file ended before the end-of-stream "
                           "marker was reached")
    return out
