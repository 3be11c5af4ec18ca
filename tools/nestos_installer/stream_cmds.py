# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``list-stream`` over the stream engine (``plugins/module_utils/stream``)."""

import os
import sys

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.stream import download, http
from ansible_collections.nestos.lifecycle.plugins.module_utils.stream.metadata import (
    MAX_METADATA_BYTES, format_rows, parse_stream, stream_url)
from nestos_installer.streams import warn

FETCH_TIMEOUT = 60


def fetch(url):
    """Bytes at ``url`` (http, https or file), at most MAX_METADATA_BYTES (the stream engine's reader)."""
    return http.fetch_bytes(url, MAX_METADATA_BYTES, FETCH_TIMEOUT, what="stream metadata")


def list_stream(args, ctx):
    url = stream_url(args.stream, args.stream_base_url)
    stream = parse_stream(fetch(url), url)
    sys.stdout.write(format_rows(stream.rows()))


def _retries(value):
    if value == "infinite":
        return 1 << 30
    if not value.isdigit():
        raise NestosError("--fetch-retries: expected a number or \"infinite\", got %r" % value)
    return int(value)


def _size(n):
    return "%.1f MiB" % (n / 1048576.0)


class StderrProgress(object):
    """Upstream-like progress on stderr, one line per 10% (``> Read disk 10.0 MiB/100.0 MiB (10%)``)."""

    def __init__(self):
        self.last = {}

    def __call__(self, url, done, total):
        step = done * 10 // total if total else done // (256 * 1048576)
        if self.last.get(url, -1) == step:
            return
        self.last[url] = step
        if total:
            warn("> Read %s %s/%s (%d%%)" % (url.rsplit("/", 1)[-1], _size(done), _size(total), done * 100 // total))
        else:
            warn("> Read %s %s" % (url.rsplit("/", 1)[-1], _size(done)))


def _sources(args):
    if args.image_url:
        sig = None if args.insecure else args.image_url + ".sig"
        return [download.direct_source(args.image_url, signature_url=sig)]
    url, stream = download.fetch_stream(args.stream, args.stream_base_url, timeout=FETCH_TIMEOUT)
    return download.select_sources(stream, args.architecture, args.platform, args.format)[1]


def download_cmd(args, ctx):
    """``download``: every artifact of the format (or the --image-url) into -C, verified."""
    # as upstream: the signature is kept beside the image unless it is decompressed
    opts = download.Options(insecure=args.insecure, gpg_keyring=args.gpg_keyring, decompress=args.decompress,
                            timeout=FETCH_TIMEOUT, retries=_retries(args.fetch_retries), progress=StderrProgress(),
                            save_signature=not args.decompress)
    if not os.path.isdir(args.directory):
        raise NestosError("destination directory does not exist", file=args.directory)
    steps = download.plan_download(_sources(args), args.directory, opts)
    for step in steps:
        if step.action == "resume":
            warn("Resuming %s at byte %d" % (step.source.url, step.offset))
        elif step.action == "fetch":
            warn("Downloading %s to %s" % (step.source.url, step.path))
        result = download.run_step(step, opts)
        if result["action"] == "keep":
            warn("%s already present and verified" % step.path)
        elif result["signature"] == "verified":
            warn("Signature verified: %s" % step.path)
        sys.stdout.write(step.path + "\n")
