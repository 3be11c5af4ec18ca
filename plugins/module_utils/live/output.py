# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The three ways to write a modified image; all give the same bytes.

A change is a list of regions ``(offset, bytes)``.

* in place: only the regions are written into the source;
* new file: the source is copied with ``copy_file_range`` (reflink where the filesystem
  can) into a temp file beside the destination, the regions are written, the temp file
  is renamed (atomic; never clobbers unless asked);
* stream: the source is copied to a writable binary stream with regions substituted.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
from typing import Any, Iterator, List, Optional, Tuple

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import AtomicFile
# the collection's one copy routine; sparse_copy calls it through this module's name
# (a fault test replaces output._copy_extent to stop a copy half-way)
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import copy_extent as _copy_extent
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import pwrite_all as _pwrite_all

CHUNK = 4 * 1024 * 1024
Region = Tuple[int, bytes]


def check_regions(regions, size, name=None):
    """Sort regions, refuse overlaps or regions beyond the end of the image."""
    ordered = sorted(regions, key=lambda r: r[0])
    end = 0
    for offset, data in ordered:
        if offset < end:
            raise NestosError("internal error: overlapping write regions at offset %d" % offset, file=name)
        if offset + len(data) > size:
            raise NestosError("write region at %d beyond the end of the image" % offset, file=name)
        end = offset + len(data)
    return ordered


def _os_error(err: OSError, what: str, path: str) -> NestosError:
    reason = err.strerror or str(err)
    if err.errno == errno.ENOSPC:
        reason += " (free some space on that file system, or write to dest on another one)"
    elif err.errno == errno.EROFS:
        reason += " (the file system is mounted read-only; give a dest on a writable one)"
    return NestosError("%s: %s" % (what, reason), file=path)


def _preallocate(fd: int, regions: List[Region], path: str) -> None:
    """Make sure every region has blocks before a byte is written (a sparse image may not).

    ``posix_fallocate`` on a region that already has blocks changes nothing; on a hole it
    allocates zeroed blocks, so the content is unchanged. It fails with ENOSPC before any
    write, which keeps the source untouched when the file system is full.
    """
    allocate = getattr(os, "posix_fallocate", None)
    if allocate is None:
        return
    for offset, data in regions:
        try:
            allocate(fd, offset, len(data))
        except OSError as err:
            if err.errno in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                return
            raise _os_error(err, "cannot reserve space to write in place; nothing was changed", path)


def write_in_place(path: str, regions: List[Region]) -> str:
    """Write ``regions`` into ``path``; on a failure the old bytes are put back (source unchanged)."""
    size = os.path.getsize(path)
    regions = check_regions(regions, size, path)
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError as err:
        raise _os_error(err, "cannot open for writing", path)
    try:
        _preallocate(fd, regions, path)
        saved = [(offset, os.pread(fd, len(data), offset)) for offset, data in regions]
        done = []
        try:
            for offset, data in regions:
                done.append((offset, data))
                _pwrite_all(fd, offset, data)
            os.fsync(fd)
        except OSError as err:
            for offset, old in saved[:len(done)]:
                try:
                    _pwrite_all(fd, offset, old)
                except OSError:
                    break
            raise _os_error(err, "cannot write in place; the old contents were put back", path)
    finally:
        os.close(fd)
    return path


def _data_extents(fd: int, size: int) -> Iterator[Tuple[int, int]]:
    """(offset, length) of the data extents of a file; holes are skipped (SEEK_DATA/SEEK_HOLE)."""
    seek_data = getattr(os, "SEEK_DATA", None)
    seek_hole = getattr(os, "SEEK_HOLE", None)
    if seek_data is None or seek_hole is None:
        yield 0, size
        return
    pos = 0
    while pos < size:
        try:
            start = os.lseek(fd, pos, seek_data)
        except OSError as err:
            if err.errno == errno.ENXIO:  # only a hole is left
                return
            if err.errno in (errno.EINVAL, errno.EOPNOTSUPP):
                yield pos, size - pos
                return
            raise
        end = min(os.lseek(fd, start, seek_hole), size)
        yield start, end - start
        pos = end


def sparse_copy(src_handle: Any, dst_handle: Any) -> int:
    """Copy a whole file keeping its holes: only data extents are copied, then the size is set.

    A sparse source stays sparse in the copy (``copy_file_range`` alone fills holes on most
    file systems). Returns the size copied.
    """
    src_fd, dst_fd = src_handle.fileno(), dst_handle.fileno()
    size = os.fstat(src_fd).st_size
    for offset, length in _data_extents(src_fd, size):
        _copy_extent(src_fd, dst_fd, offset, length)
    os.ftruncate(dst_fd, size)
    return size


def write_new_file(src: str, dest: str, regions: List[Region], mode: Optional[int] = None,
                   clobber: bool = False) -> str:
    """Copy ``src`` to ``dest`` (atomic, sparse-preserving) with ``regions`` written in."""
    if os.path.abspath(src) == os.path.abspath(dest):
        return write_in_place(src, regions)
    if not clobber and os.path.lexists(dest):
        raise NestosError("output file already exists; remove it or allow overwriting", file=dest)
    size = os.path.getsize(src)
    regions = check_regions(regions, size, src)
    if mode is None:
        mode = os.stat(src).st_mode & 0o777
    try:
        with open(src, "rb") as source:
            with AtomicFile(dest, mode=mode) as target:
                sparse_copy(source, target)
                for offset, data in regions:
                    _pwrite_all(target.fileno(), offset, data)
    except (IOError, OSError) as err:
        raise _os_error(err, "cannot write output (no partial file was left)", dest)
    return dest


def _stream_fd(stream):
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError/ValueError
        return None
    return fd if hasattr(os, "sendfile") else None


def _send(src_fd, dst_fd, offset, count):
    """Kernel copy of ``count`` bytes at ``offset`` of src to dst (file or pipe)."""
    while count > 0:
        sent = os.sendfile(dst_fd, src_fd, offset, min(count, 1 << 30))
        if sent == 0:
            raise NestosError("source shrank while reading")
        offset += sent
        count -= sent


def write_stream(src, stream, regions):
    size = os.path.getsize(src)
    regions = check_regions(regions, size, src)
    dst_fd = _stream_fd(stream)
    with open(src, "rb") as source:
        pos = 0
        if dst_fd is not None:
            stream.flush()
            try:
                for offset, data in regions + [(size, b"")]:
                    _send(source.fileno(), dst_fd, pos, offset - pos)
                    view = memoryview(data)
                    while view:
                        view = view[os.write(dst_fd, view):]
                    pos = offset + len(data)
                return
            except OSError as err:
                if pos != 0 or err.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
                    raise
        for offset, data in regions + [(size, b"")]:
            remaining = offset - pos
            source.seek(pos)
            while remaining > 0:
                block = source.read(min(CHUNK, remaining))
                if not block:
                    raise NestosError("source shrank while reading", file=src)
                stream.write(block)
                remaining -= len(block)
            stream.write(data)
            pos = offset + len(data)
    stream.flush()
