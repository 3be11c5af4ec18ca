# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP for the stream engine, over the standard library only (``urllib``).

* :func:`open_url` sends one GET (optionally with ``Range: bytes=N-``) with a timeout and turns
  every failure (HTTP status, connection refused, name resolution, TLS, timeout) into a
  :class:`NestosError` naming the URL;
* :func:`parse_content_range` and :func:`parse_content_length` read the server's answer headers
  (never trusted: a malformed value is an error, not an exception);
* :func:`fetch_bytes` reads a small document (stream metadata, a signature) with a size cap.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import socket
import ssl

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

DEFAULT_TIMEOUT = 60
USER_AGENT = "nestos.lifecycle-download"
_CONTENT_RANGE = re.compile(r"^bytes (?:(\d{1,19})-(\d{1,19})|\*)/(\d{1,19}|\*)$")
_DIGITS = re.compile(r"^\d{1,19}$")


class ContentRange(object):
    """A parsed ``Content-Range``: ``first``/``last`` (None for ``bytes */T``), ``total`` (None for ``*``)."""

    __slots__ = ("first", "last", "total")

    def __init__(self, first, last, total):
        self.first = first
        self.last = last
        self.total = total

    def __repr__(self):
        return "ContentRange(%r, %r, %r)" % (self.first, self.last, self.total)


def parse_content_range(value, url=None):
    """``bytes A-B/T``, ``bytes A-B/*`` or ``bytes */T`` (RFC 9110 14.4); anything else is an error."""
    if not isinstance(value, str):
        raise NestosError("server sent no usable Content-Range header", file=url, path="Content-Range")
    match = _CONTENT_RANGE.match(value.strip())
    if not match:
        raise NestosError("server sent a malformed Content-Range header: %r" % value[:80], file=url,
                          path="Content-Range")
    first = int(match.group(1)) if match.group(1) is not None else None
    last = int(match.group(2)) if match.group(2) is not None else None
    total = int(match.group(3)) if match.group(3) != "*" else None
    if first is None and total is None:
        raise NestosError("server sent a Content-Range with neither range nor length: %r" % value[:80], file=url,
                          path="Content-Range")
    if first is not None and (last < first or (total is not None and last >= total)):
        raise NestosError("server sent an impossible Content-Range: %r" % value[:80], file=url, path="Content-Range")
    return ContentRange(first, last, total)


def parse_content_length(value, url=None):
    """The body length the server announced, or None when it announced none."""
    if value is None:
        return None
    if not isinstance(value, str) or not _DIGITS.match(value.strip()):
        raise NestosError("server sent a malformed Content-Length header: %r" % str(value)[:80], file=url,
                          path="Content-Length")
    return int(value.strip())


def _context(validate_certs):
    ctx = ssl.create_default_context()
    if validate_certs:
        return ctx
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def describe_oserror(err):
    """A short reason for a network error, without a traceback."""
    if isinstance(err, ConnectionRefusedError):
        return "connection refused"
    if isinstance(err, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(err, ssl.SSLError):
        return "TLS error: %s" % (getattr(err, "reason", None) or err)
    return getattr(err, "strerror", None) or str(err) or type(err).__name__


def open_url(url, offset=0, timeout=DEFAULT_TIMEOUT, validate_certs=True):
    """GET ``url`` (``Range: bytes=offset-`` when offset > 0); returns ``(status, headers, response)``.

    416 (range not satisfiable) is returned, not raised, so the caller can decide; every other
    HTTP error status is a NestosError naming the URL and status.
    """
    from urllib.error import HTTPError, URLError
    from urllib.request import HTTPSHandler, Request, build_opener
    if not re.match(r"^(https?|file)://", url or ""):
        raise NestosError("not an http(s) or file URL: %r" % (url or "")[:200], path="url")
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = "bytes=%d-" % offset
    try:
        opener = build_opener(HTTPSHandler(context=_context(validate_certs)))
        resp = opener.open(Request(url, headers=headers), timeout=timeout)
    except HTTPError as err:
        if err.code == 416:
            return 416, err.headers, err
        err.close()
        raise NestosError("fetching %s failed: HTTP %s %s" % (url, err.code, err.reason))
    except URLError as err:
        reason = err.reason if isinstance(err.reason, BaseException) else OSError(str(err.reason))
        raise NestosError("fetching %s failed: %s" % (url, describe_oserror(reason)))
    except (OSError, ValueError) as err:
        raise NestosError("fetching %s failed: %s" % (url, describe_oserror(err)))
    return getattr(resp, "status", None) or 200, resp.headers, resp


def read_block(resp, size, url):
    """One block of a response body; a network error is a NestosError naming the URL."""
    from http.client import HTTPException
    try:
        return resp.read(size)
    except (OSError, HTTPException) as err:
        reason = describe_oserror(err) if isinstance(err, OSError) else "connection broken (%s)" % type(err).__name__
        raise NestosError("reading %s failed: %s" % (url, reason))


def fetch_bytes(url, limit, timeout=DEFAULT_TIMEOUT, validate_certs=True, what="document"):
    """The whole body at ``url`` (http, https or file), at most ``limit`` bytes."""
    status, headers, resp = open_url(url, timeout=timeout, validate_certs=validate_certs)
    with resp:
        if status != 200:
            raise NestosError("fetching %s %s failed: HTTP %s" % (what, url, status))
        data = read_block(resp, limit + 1, url)
        length = parse_content_length(headers.get("Content-Length"), url) if headers is not None else None
    if len(data) > limit:
        raise NestosError("%s at %s is larger than %d bytes" % (what, url, limit))
    if length is not None and len(data) != length and url.startswith("http"):
        raise NestosError("fetching %s %s: truncated body (%d of %d bytes)" % (what, url, len(data), length))
    return data
