# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""URL checks as Ignition makes them (Go ``net/url.Parse`` + Ignition's scheme rules).

Only what decides accept/reject is modelled: control characters, the scheme, an
opaque part, the authority (userinfo, host, port), percent escapes in host, path and
fragment, and the query for ``s3`` ``versionId``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import dataurl
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.escapes import EscapeError, escaped_byte, unescape

ERR_INVALID_URL = "unable to parse url"
ERR_INVALID_SCHEME = "invalid url scheme"
ERR_S3_VERSION = "invalid S3 object VersionId"

_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
# characters Go accepts unescaped in a host (RFC 3986 unreserved + sub-delims + a few Go allows)
_HOST_OK = _ALNUM | frozenset("-._~!$&'()*+,;=:[]<>\"")
_USERINFO_OK = _ALNUM | frozenset("-._:~!$&'()*+,;=%@")


class URLError(ValueError):
    pass


class ParsedURL(object):
    __slots__ = ("scheme", "opaque", "host", "path", "query", "fragment")

    def __init__(self):
        self.scheme = ""
        self.opaque = ""
        self.host = ""
        self.path = ""
        self.query = ""
        self.fragment = ""


def _check_escapes(s, host=False):
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c == "%":
            try:
                byte = escaped_byte(s, i)
            except EscapeError:
                raise URLError("invalid URL escape")
            # in a host, %-encoding is only for non-ASCII bytes (and %25 in IPv6 zones)
            if host and byte < 0x80 and s[i:i + 3] != "%25":
                raise URLError("invalid URL escape")
            i += 3
            continue
        if host and ord(c) < 0x80 and c not in _HOST_OK:
            raise URLError("invalid character in host name")
        i += 1


def _get_scheme(raw):
    for i, c in enumerate(raw):
        if c.isalpha() and ord(c) < 0x80:
            continue
        if (c.isdigit() and ord(c) < 0x80) or c in "+-.":
            if i == 0:
                return "", raw
            continue
        if c == ":":
            if i == 0:
                raise URLError("missing protocol scheme")
            return raw[:i].lower(), raw[i + 1:]
        return "", raw
    return "", raw


def _valid_optional_port(port):
    if port == "":
        return True
    if port[0] != ":":
        return False
    return all("0" <= c <= "9" for c in port[1:])


def _parse_host(host):
    if host.startswith("["):
        i = host.rfind("]")
        if i < 0:
            raise URLError("missing ']' in host")
        colon_port = host[i + 1:]
        if not _valid_optional_port(colon_port):
            raise URLError("invalid port")
        _check_escapes(host[:i + 1], host=True)
        return host
    i = host.rfind(":")
    if i >= 0:
        colon_port = host[i:]
        if not _valid_optional_port(colon_port):
            raise URLError("invalid port")
    _check_escapes(host, host=True)
    return host


def parse(raw):
    """Parse like Go's url.Parse; raises URLError where Go returns an error."""
    u = ParsedURL()
    rest, sep, frag = raw.partition("#")
    # Go checks control characters before the fragment only (isprintable() is False for every
    # control character: the common URL skips the loop)
    if not rest.isprintable():
        for c in rest:
            o = ord(c)
            if o < 0x20 or o == 0x7F:
                raise URLError("invalid control character in URL")
    if sep:
        _check_escapes(frag)
        u.fragment = frag
    if rest == "":
        return u
    u.scheme, rest = _get_scheme(rest)
    if rest.endswith("?") and rest.count("?") == 1:
        rest = rest[:-1]
    else:
        rest, _sep, u.query = rest.partition("?")
    if not rest.startswith("/"):
        if u.scheme:
            u.opaque = rest
            return u
        seg = rest.split("/", 1)[0]
        if ":" in seg:
            raise URLError("first path segment in URL cannot contain colon")
    if (u.scheme or not rest.startswith("///")) and rest.startswith("//"):
        authority = rest[2:]
        slash = authority.find("/")
        if slash >= 0:
            authority, rest = authority[:slash], authority[slash:]
        else:
            rest = ""
        at = authority.rfind("@")
        if at >= 0:
            userinfo = authority[:at]
            if any(c not in _USERINFO_OK for c in userinfo):
                raise URLError("net/url: invalid userinfo")
            _check_escapes(userinfo)
            authority = authority[at + 1:]
        u.host = _parse_host(authority)
    _check_escapes(rest)
    u.path = rest
    return u


def _query_has_empty_version_id(query):
    """Go's url.ParseQuery(...)["versionId"]: True if present with an empty first value."""
    first = None
    for part in query.split("&"):
        if not part or ";" in part:
            continue
        key, _eq, value = part.partition("=")
        try:
            key = unescape(key, plus_space=True).decode("utf-8", "replace")
            value = unescape(value, plus_space=True).decode("utf-8", "replace")
        except EscapeError:
            continue
        if key == "versionId" and first is None:
            first = value
    return first is not None and first == ""


def scheme_of(raw):
    """The lowercased scheme Go would see, or None when the URL does not parse."""
    try:
        return parse(raw).scheme
    except URLError:
        return None


def validate_url(raw, version=(3, 3, 0)):
    """Ignition's validateURL: None when fine, else the error message."""
    try:
        u = parse(raw)
    except URLError:
        return ERR_INVALID_URL
    schemes = ("http", "https", "tftp") if version < (3, 2, 0) else ("http", "https", "tftp", "gs")
    if u.scheme in schemes:
        return None
    if u.scheme == "s3" and version >= (3, 0, 0):
        if _query_has_empty_version_id(u.query):
            return ERR_S3_VERSION
        return None
    if u.scheme == "data":
        try:
            dataurl.parse(raw)
        except dataurl.DataURLError as e:
            return e.message
        return None
    return ERR_INVALID_SCHEME
