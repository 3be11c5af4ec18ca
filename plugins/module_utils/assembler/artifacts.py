# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Streaming sha256 of build artifacts.

Files are read with unbuffered ``readinto`` into one reused buffer (no per-block
allocations); hashlib releases the GIL on large blocks, so several artifacts are hashed
in parallel threads.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor

BLOCK = 1024 * 1024


def sha256_stream(path, block=BLOCK):
    """(hex sha256, size) of ``path``, streaming."""
    digest = hashlib.sha256()
    buf = bytearray(block)
    view = memoryview(buf)
    size = 0
    with open(path, "rb", buffering=0) as handle:
        try:
            os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
        except (AttributeError, OSError):
            pass
        while True:
            n = handle.readinto(buf)
            if not n:
                break
            digest.update(view[:n])
            size += n
    return digest.hexdigest(), size


def verify_many(paths, workers=None):
    """{path: (sha256, size)} for every path, hashed in parallel."""
    paths = list(paths)
    if not paths:
        return {}
    if workers is None:
        workers = min(len(paths), max(1, min(4, os.cpu_count() or 1)))
    if workers <= 1:
        return dict((p, sha256_stream(p)) for p in paths)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(paths, pool.map(sha256_stream, paths)))
