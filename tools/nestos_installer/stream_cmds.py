# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``list-stream`` over the stream engine (``plugins/module_utils/stream``)."""

import sys

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.stream.metadata import (
    MAX_METADATA_BYTES, format_rows, parse_stream, stream_url)

FETCH_TIMEOUT = 60


def fetch(url):
    """Bytes at ``url`` (http, https or file), at most MAX_METADATA_BYTES."""
    from urllib.error import HTTPError, URLError
    from urllib.request import urlopen
    try:
        with urlopen(url, timeout=FETCH_TIMEOUT) as resp:
            status = getattr(resp, "status", None) or 200
            if status != 200:
                raise NestosError("stream metadata fetch from %s failed: %s" % (url, status))
            data = resp.read(MAX_METADATA_BYTES + 1)
    except HTTPError as err:
        raise NestosError("stream metadata fetch from %s failed: %s %s" % (url, err.code, err.reason))
    except URLError as err:
        raise NestosError("fetching stream metadata from %s: %s" % (url, getattr(err, "reason", err)))
    except (OSError, ValueError) as err:
        raise NestosError("fetching stream metadata from %s: %s" % (url, err))
    if len(data) > MAX_METADATA_BYTES:
        raise NestosError("stream metadata from %s is larger than %d bytes" % (url, MAX_METADATA_BYTES))
    return data


def list_stream(args, ctx):
    url = stream_url(args.stream, args.stream_base_url)
    stream = parse_stream(fetch(url), url)
    sys.stdout.write(format_rows(stream.rows()))
