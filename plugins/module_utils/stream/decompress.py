# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's one decompressing reader: xz (Python's lzma), gzip (zlib), zstd (the ``zstd``
program, fed through a pipe), raw when no magic matches; used by ``image_download`` (to a file)
and ``metal_image`` (to a disk, block by block).

Limits (docs/download.md, docs/install.md): the output is refused beyond ``max_size`` bytes (the
caller's option, named by ``field``), and no single step expands more than :data:`OUT_CHUNK`
bytes, so a small hostile input cannot grow in memory before the limit is checked. A stream
that ends early (truncated) is an error, not a short image.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import lzma
import subprocess
import threading
import zlib

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

_MAGIC = ((b"\xfd7zXZ\x00", "xz"), (b"\x1f\x8b", "gzip"), (b"\x28\xb5\x2f\xfd", "zstd"))
CHUNK = 1024 * 1024
OUT_CHUNK = 4 * CHUNK
DEFAULT_MAX_SIZE = 64 * 1024 ** 3     # a NestOS metal image is ~10 GiB raw


def compression_of_head(head):
    """``"xz"``, ``"gzip"``, ``"zstd"`` or None, from a file's first bytes (8 are enough)."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


def _limit(total, max_size, name, field):
    if total > max_size:
        raise NestosError("%s decompresses to more than %s (%d bytes); raise %s if the image is really that "
                          "large" % (name, field, max_size, field), path=field)


def _next_input(handle, decomp, kind, data):
    """The input for the next bounded step; None at the end of the file with nothing pending."""
    if kind == "xz":
        return handle.read(CHUNK) if decomp.needs_input else b""
    return data if data else handle.read(CHUNK)


def _python_stream(handle, decomp, name, max_size, kind, field):
    """Decompress in bounded steps: no single call returns more than OUT_CHUNK bytes, so a
    small hostile input cannot expand in memory before ``max_size`` is checked."""
    total = 0
    data = b""
    drained = False
    while not decomp.eof:
        data = _next_input(handle, decomp, kind, data)
        if not data and (kind == "xz" and decomp.needs_input or drained):
            break
        try:
            out = decomp.decompress(data, OUT_CHUNK)
        except (lzma.LZMAError, zlib.error) as err:
            raise NestosError("%s is not a valid %s stream: %s" % (name, kind, err))
        # zlib hands back the input it did not consume; lzma keeps it (needs_input is False then)
        data = decomp.unconsumed_tail if kind == "gzip" else b""
        drained = not data and not out
        total += len(out)
        _limit(total, max_size, name, field)
        if out:
            yield out
    if not decomp.eof:
        raise NestosError("%s is truncated (the %s stream ends early)" % (name, kind))


def _zstd_stream(handle, name, max_size, field):
    try:
        proc = subprocess.Popen(["zstd", "-dcq"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
    except OSError as err:
        raise NestosError("zstd cannot run (%s): install zstd to read zstd-compressed images" % (err.strerror or err))

    def feed():
        try:
            for block in iter(lambda: handle.read(CHUNK), b""):
                proc.stdin.write(block)
        except (IOError, OSError):
            pass
        finally:
            try:
                proc.stdin.close()
            except (IOError, OSError):
                pass

    thread = threading.Thread(target=feed)
    thread.daemon = True
    thread.start()
    total = 0
    complete = False
    try:
        for block in iter(lambda: proc.stdout.read(CHUNK), b""):
            total += len(block)
            _limit(total, max_size, name, field)
            yield block
        complete = True
    finally:
        if not complete and proc.poll() is None:
            proc.kill()     # stopped early (a head, the limit, the consumer's error): the rest is not needed
        proc.stdout.close()
        err = proc.stderr.read().decode("utf-8", "replace").strip()
        proc.stderr.close()
        rc = proc.wait()
        thread.join()
    if rc:
        raise NestosError("%s is not a valid zstd stream (truncated or corrupt): %s" % (name, err))


def _raw_stream(handle, name, max_size, field):
    total = 0
    for block in iter(lambda: handle.read(CHUNK), b""):
        total += len(block)
        _limit(total, max_size, name, field)
        yield block


def decompressed(handle, name, max_size=DEFAULT_MAX_SIZE, field="max_image_size"):
    """Yield the raw bytes of the artifact ``handle`` (read from offset 0), decompressed by its
    magic bytes; ``field`` names the option that sets ``max_size`` in the error."""
    handle.seek(0)
    kind = compression_of_head(handle.read(8)) or "raw"
    handle.seek(0)
    if kind == "xz":
        return _python_stream(handle, lzma.LZMADecompressor(), name, max_size, kind, field)
    if kind == "gzip":
        return _python_stream(handle, zlib.decompressobj(31), name, max_size, kind, field)
    if kind == "zstd":
        return _zstd_stream(handle, name, max_size, field)
    return _raw_stream(handle, name, max_size, field)


def head(handle, name, size, max_size=DEFAULT_MAX_SIZE):
    """The first ``size`` raw bytes of the image (decompressing only what that takes)."""
    out = bytearray()
    gen = decompressed(handle, name, max_size)
    try:
        for block in gen:
            out += block
            if len(out) >= size:
                break
    except NestosError:
        if len(out) < size:
            raise
    finally:
        gen.close()
    return bytes(out[:size])
