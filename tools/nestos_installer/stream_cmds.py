# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``list-stream`` over the stream engine (``plugins/module_utils/stream``)."""

import sys

from ansible_collections.nestos.lifecycle.plugins.module_utils.stream import http
from ansible_collections.nestos.lifecycle.plugins.module_utils.stream.metadata import (
    MAX_METADATA_BYTES, format_rows, parse_stream, stream_url)

FETCH_TIMEOUT = 60


def fetch(url):
    """Bytes at ``url`` (http, https or file), at most MAX_METADATA_BYTES (the stream engine's reader)."""
    return http.fetch_bytes(url, MAX_METADATA_BYTES, FETCH_TIMEOUT, what="stream metadata")


def list_stream(args, ctx):
    url = stream_url(args.stream, args.stream_base_url)
    stream = parse_stream(fetch(url), url)
    sys.stdout.write(format_rows(stream.rows()))
