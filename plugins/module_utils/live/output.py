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

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import AtomicFile, copy_range

CHUNK = 4 * 1024 * 1024


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


def write_in_place(path, regions):
    size = os.path.getsize(path)
    regions = check_regions(regions, size, path)
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError as err:
        raise NestosError("cannot open for writing: %s" % err.strerror, file=path)
    try:
        for offset, data in regions:
            os.lseek(fd, offset, os.SEEK_SET)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)


def write_new_file(src, dest, regions, mode=None, clobber=False):
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
                copy_range(source, target)
                target.flush()
                for offset, data in regions:
                    target.seek(offset)
                    target.write(data)
    except (IOError, OSError) as err:
        raise NestosError("cannot write output: %s" % (err.strerror or err), file=dest)
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
