# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Metal image sources: a local file, a URL, or a NestOS stream; verification; decompression.

Order of work (nothing reaches the target before verification succeeds):

1. The artifact as published (compressed, e.g. ``.raw.xz``) is made local: a file is opened
   once and used through that one descriptor; a URL is streamed to a temporary file (beside the
   target, or ``tmp_dir``) while its sha256 is computed. It is the compressed artifact that
   NestOS's stream metadata and signatures describe, and a signature can only be judged once
   every byte has been seen -- so the download is complete before anything else happens.
2. sha256 (when given) and the detached GPG signature (the stream engine's ``gpg`` check, with
   the key file the user names) are checked on that descriptor.
3. Only then is it decompressed, on the fly, into the target (see writer.py).

Network, stream metadata and signatures come from the stream engine (``stream/http.py``,
``metadata.py``, ``verify.py``): one HTTP client, one stream reader, one gpg check in the
collection.

Decompression is the stream engine's one reader (``stream/decompress.py``: xz, gzip, zstd or
raw, bounded steps, ``max_image_size`` limit, truncation is an error); :func:`prefetch` here runs
it a few blocks ahead of the disk writes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import shutil
import tempfile
import threading
import time

from queue import Full, Queue

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.stream import http, metadata, verify


CHUNK = 1024 * 1024
MAX_SIGNATURE = 64 * 1024
DEFAULT_STREAM_BASE = "https://nestos.org.cn/stream"


def open_http(url, timeout):
    """A streaming response for ``url`` (the stream engine's HTTP client); NestosError on failure."""
    status, _headers, resp = http.open_url(url, timeout=timeout)
    if status != 200:
        resp.close()
        raise NestosError("fetching %s failed: HTTP %s" % (url, status))
    return resp


def _copy(url, dest, timeout, limit):
    """One attempt: ``(sha256, None)``, or ``(None, error)`` for a network error worth a retry."""
    try:
        resp = open_http(url, timeout)
    except NestosError as err:
        return None, err
    total = 0
    hasher = hashlib.sha256()
    with resp:
        length = http.parse_content_length(resp.headers.get("Content-Length"), url) \
            if url.startswith("http") and resp.headers is not None else None
        while True:
            try:
                block = http.read_block(resp, CHUNK, url)
            except NestosError as err:
                return None, err
            if not block:
                break
            total += len(block)
            if limit is not None and total > limit:
                raise NestosError("%s is larger than %d bytes" % (url, limit))
            hasher.update(block)
            dest.write(block)
    if length is not None and total != length:
        return None, NestosError("truncated body (%d of %d bytes)" % (total, length))
    dest.flush()
    return hasher.hexdigest(), None


def fetch_to(url, dest, retries, timeout, limit=None):
    """Stream ``url`` into the open file ``dest`` (retrying ``retries`` times; -1 forever);
    returns the sha256 of what was written."""
    attempt = 0
    while True:
        dest.seek(0)
        dest.truncate()
        digest, err = _copy(url, dest, timeout, limit)
        if err is None:
            return digest
        attempt += 1
        if retries >= 0 and attempt > retries:
            raise NestosError("cannot download %s: %s" % (url, err.message))
        time.sleep(min(attempt, 5))


def stream_location(stream, arch, base_url, retries, timeout):
    """(url, sha256, signature url) of the metal raw.xz disk in NestOS stream metadata, read by
    the stream engine's reader (the one ``stream_info`` and ``image_download`` use)."""
    url = "%s/%s.json" % (base_url.rstrip("/"), stream)
    with tempfile.TemporaryFile() as handle:
        fetch_to(url, handle, retries, timeout, limit=metadata.MAX_METADATA_BYTES)
        handle.seek(0)
        data = handle.read()
    dummy, kinds = metadata.parse_stream(data, source=url).select(arch, "metal", "raw.xz")
    disk = kinds.get("disk")
    if disk is None:
        raise NestosError("stream metadata has no disk artifact for %s metal raw.xz (it has: %s)"
                          % (arch, ", ".join(sorted(kinds)) or "none"), file=url,
                          path="$.architectures.%s.artifacts.metal.formats.raw.xz" % arch)
    return disk.location, disk.sha256, disk.signature


class Artifact(object):
    """The compressed artifact, local and open, verified by :meth:`verify`."""

    def __init__(self, handle, name, cleanup=None, sha256=None):
        self.handle = handle
        self.name = name
        self.cleanup = cleanup or []
        self.sha256 = sha256

    def close(self):
        self.handle.close()
        for path in self.cleanup:
            if os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            elif os.path.exists(path):
                os.unlink(path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def digest(self):
        if self.sha256 is None:
            self.handle.seek(0)
            hasher = hashlib.sha256()
            for block in iter(lambda: self.handle.read(CHUNK), b""):
                hasher.update(block)
            self.sha256 = hasher.hexdigest()
        return self.sha256

    def verify(self, sha256=None, signature=None, keyring=None, insecure=False):
        """Check sha256 and the detached signature (bytes); NestosError on any mismatch."""
        if sha256:
            want = sha256.lower().split(":", 1)[-1]
            if self.digest() != want:
                raise NestosError("sha256 mismatch: %s is %s, expected %s; nothing was written"
                                  % (self.name, self.digest(), want), path="image_sha256")
        if signature is None:
            if not insecure:
                raise NestosError("no signature for %s and insecure is not set (give image_signature and "
                                  "gpg_keyring, or insecure: true to skip signature verification)" % self.name,
                                  path="image_signature")
            return "skipped"
        if not keyring:
            raise NestosError("a signature needs gpg_keyring (the public key file to verify %s with)" % self.name,
                              path="gpg_keyring")
        return _gpg_verify(self.handle, signature, keyring, self.name)


def _gpg_verify(handle, signature, keyring, name):
    """The stream engine's gpg check on the open artifact itself (``/dev/fd/N``)."""
    try:
        verify.gpg_verify(None, signature, keyring, label=name, data_fd=handle.fileno())
    except NestosError as err:
        if err.path != "signature":
            raise
        raise NestosError("bad signature on %s; nothing was written: %s" % (name, err.message),
                          path="image_signature")
    return "verified"


def open_artifact(image_file=None, image_url=None, tmp_dir=None, retries=3, timeout=60):
    """An :class:`Artifact` for a local file or a downloaded URL."""
    if image_file:
        try:
            handle = open(image_file, "rb")
        except (IOError, OSError) as err:
            raise NestosError("cannot open the image: %s" % (err.strerror or err), file=image_file, path="image_file")
        return Artifact(handle, image_file)
    fd, path = tempfile.mkstemp(prefix=".nestos-image-", suffix=".download", dir=tmp_dir)
    handle = os.fdopen(fd, "w+b")
    art = Artifact(handle, image_url, cleanup=[path])
    try:
        art.sha256 = fetch_to(image_url, handle, retries, timeout)
    except Exception:
        art.close()
        raise
    return art


def read_signature(location, retries=3, timeout=60):
    """Bytes of a detached signature (a path or an http(s) URL); None when a default location
    (``<image>.sig``) does not exist."""
    if location.startswith(("http://", "https://")):
        with tempfile.TemporaryFile() as handle:
            fetch_to(location, handle, retries, timeout, limit=MAX_SIGNATURE)
            handle.seek(0)
            return handle.read()
    if not os.path.isfile(location):
        return None
    if os.path.getsize(location) > MAX_SIGNATURE:
        raise NestosError("signature file is larger than %d bytes" % MAX_SIGNATURE, file=location)
    with open(location, "rb") as handle:
        return handle.read()


_DONE = object()


def prefetch(chunks, depth=8):
    """Run the decompression generator ``chunks`` in a thread, ``depth`` blocks ahead of the
    consumer: lzma, zlib and file writes release the GIL, so decompressing and writing overlap
    as in ``xz -dc | dd``. Errors are raised in the consumer; closing stops the thread."""
    queue = Queue(maxsize=depth)
    stop = threading.Event()

    def produce():
        try:
            for block in chunks:
                while not stop.is_set():
                    try:
                        queue.put(block, timeout=0.2)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
            item = _DONE
        except Exception as err:  # handed to the consumer, which raises it
            item = err
        finally:
            if stop.is_set():
                chunks.close()
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.2)
                return
            except Full:
                continue

    thread = threading.Thread(target=produce)
    thread.daemon = True
    thread.start()
    try:
        while True:
            item = queue.get()
            if item is _DONE:
                return
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()
