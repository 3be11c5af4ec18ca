# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""File helpers shared by every engine: atomic writes, fast copies, hashing.

Writes go to a temporary file in the destination's folder, are fsynced, then renamed
over the destination, so a failure never leaves a partial output behind.

The destination rule (one rule for every writer in the collection, see
docs/architecture.md): a destination that is absent or a regular file is replaced
atomically. Anything else -- a symlink, a block or character device, a FIFO, a socket,
a folder -- is refused with an error naming it, unless the caller passes
``write_through=True`` because the user asked for it explicitly (for instance a block
device as the target of a disk write); then a symlink is followed and a device is written
in place (no rename). Folders, FIFOs and sockets are refused always.

Temporary files are named ``.<name>.<pid>.<random>.tmp``; a writer removes the ones a
killed earlier run left beside the same destination (their pid no longer runs) before it
starts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import hashlib
import os
import stat
import tempfile

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

CHUNK = 4 * 1024 * 1024


def sha256_file(path, chunk=CHUNK):
    """Hex sha256 of a file, read in large chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while True:
            block = handle.read(chunk)
            if not block:
                break
            digest.update(block)
    return digest.hexdigest()


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def _check_dest_dir(path):
    folder = os.path.dirname(os.path.abspath(path)) or "."
    if not os.path.isdir(folder):
        raise NestosError("output folder does not exist; create it first", file=folder)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise NestosError("output folder is not writable", file=folder)
    return folder


_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def destination_kind(path):
    """``"absent"``, ``"file"`` or what else sits at ``path`` (without following a symlink)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return "absent"
    except (OSError, ValueError) as err:
        raise NestosError("cannot inspect destination: %s" % (getattr(err, "strerror", None) or err), file=path)
    if stat.S_ISREG(mode):
        return "file"
    for test, name in _KINDS:
        if test(mode):
            return name
    return "a special file"


def check_destination(path, write_through=False):
    """Apply the destination rule; returns ``"absent"``, ``"file"`` or ``"device"``.

    ``"device"`` is only returned with ``write_through=True`` and means: open and write in
    place, never rename over it.
    """
    kind = destination_kind(path)
    if kind in ("absent", "file"):
        return kind
    if write_through and kind == "a symbolic link":
        real = os.path.realpath(path)
        if real == os.path.abspath(path):
            raise NestosError("destination is a symbolic link loop", file=path)
        return check_destination(real, write_through=True)
    if write_through and kind in ("a block device", "a character device"):
        return "device"
    hint = (" (write_through/the option that writes through a device was not set)"
            if kind in ("a symbolic link", "a block device", "a character device") else "")
    raise NestosError("destination is %s, not a regular file; refusing to replace it%s" % (kind, hint), file=path)


def _temp_prefix(path):
    return ".%s." % os.path.basename(path)


def remove_stale_temps(path):
    """Remove temp files a killed earlier writer left beside ``path``; returns their names."""
    folder = os.path.dirname(os.path.abspath(path)) or "."
    prefix = _temp_prefix(path)
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        pid_part = name[len(prefix):].split(".", 1)[0]
        if not pid_part.isdigit():
            continue
        pid = int(pid_part)
        if pid != os.getpid() and _pid_alive(pid):
            continue
        try:
            os.unlink(os.path.join(folder, name))
            removed.append(name)
        except OSError:
            pass
    return removed


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


class AtomicFile(object):
    """Context manager: a temp file beside ``path`` that replaces it on success.

    >>> with AtomicFile('/x/out.iso', mode=0o644) as f: f.write(b'...')
    On an exception the temp file is removed and ``path`` is untouched.
    """

    def __init__(self, path, mode=0o644, owner=None):
        self.path = path
        self.mode = mode
        self.owner = owner
        self.folder = _check_dest_dir(path)
        check_destination(path)
        self.handle = None
        self.tmp = None

    def __enter__(self):
        remove_stale_temps(self.path)
        fd, self.tmp = tempfile.mkstemp(prefix="%s%d." % (_temp_prefix(self.path), os.getpid()), suffix=".tmp",
                                        dir=self.folder)
        os.fchmod(fd, self.mode)
        self.handle = os.fdopen(fd, "w+b")
        return self.handle

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.handle.flush()
                os.fsync(self.handle.fileno())
                self.handle.close()
                if self.owner is not None:
                    os.chown(self.tmp, self.owner[0], self.owner[1])
                os.rename(self.tmp, self.path)
                self.tmp = None
                dirfd = os.open(self.folder, os.O_RDONLY)
                try:
                    os.fsync(dirfd)
                finally:
                    os.close(dirfd)
        finally:
            if self.handle is not None and not self.handle.closed:
                self.handle.close()
            if self.tmp is not None and os.path.exists(self.tmp):
                os.unlink(self.tmp)
        return False


def atomic_write(path, data, mode=0o644, owner=None):
    """Write ``data`` (bytes or str) to ``path`` atomically with ``mode``."""
    if not isinstance(data, bytes):
        data = data.encode("utf-8")
    with AtomicFile(path, mode=mode, owner=owner) as handle:
        handle.write(data)


# copy_file_range errors that mean "not here" (another file system, no such call, a file it
# cannot handle): the caller copies through user space instead
_NO_KERNEL_COPY = (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF)


def _kernel_copy(src_fd, dst_fd, length, offset=None):
    """Copy up to ``length`` bytes with ``os.copy_file_range`` (which reflinks where it can).

    With ``offset`` the bytes at that offset go to the same offset and the file positions do
    not move; without it the copy starts at, and advances, both positions. Returns the bytes
    copied: fewer than ``length`` when the source ends or the kernel cannot copy here.
    """
    copier = getattr(os, "copy_file_range", None)
    done = 0
    while done < length and copier is not None:
        count = min(length - done, 1 << 30)
        try:
            if offset is None:
                n = copier(src_fd, dst_fd, count)
            else:
                n = copier(src_fd, dst_fd, count, offset + done, offset + done)
        except OSError as err:
            if err.errno in _NO_KERNEL_COPY:
                break
            raise
        if n == 0:
            break
        done += n
    return done


def pwrite_all(fd, offset, data):
    """Write all of ``data`` at ``offset`` of ``fd`` (``os.pwrite`` may write less at once)."""
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view = view[written:]
        offset += written


def copy_range(src_handle, dst_handle, length=None):
    """Copy ``length`` bytes (default: all) between open files, as fast as the kernel can.

    Uses ``os.copy_file_range`` (which reflinks on filesystems that can), falling back to
    a buffered copy. Returns the number of bytes copied.
    """
    src_fd, dst_fd = src_handle.fileno(), dst_handle.fileno()
    if length is None:
        length = os.fstat(src_fd).st_size - src_handle.tell()
    done = _kernel_copy(src_fd, dst_fd, length)
    if done < length:
        # copy_file_range is unavailable here: fall back to a plain buffered copy
        # from the same file positions.
        src_handle.seek(os.lseek(src_fd, 0, os.SEEK_CUR))
        dst_handle.seek(os.lseek(dst_fd, 0, os.SEEK_CUR))
        while done < length:
            block = src_handle.read(min(CHUNK, length - done))
            if not block:
                break
            dst_handle.write(block)
            done += len(block)
    return done


def copy_extent(src_fd, dst_fd, offset, length):
    """Copy ``length`` bytes at ``offset`` of one file to the same offset of another, without
    moving either file position (``copy_file_range``, else ``pread``/``pwrite``).

    :raises NestosError: when the source ends before ``offset + length``.
    """
    done = _kernel_copy(src_fd, dst_fd, length, offset)
    while done < length:
        block = os.pread(src_fd, min(CHUNK, length - done), offset + done)
        if not block:
            raise NestosError("source shrank while reading")
        pwrite_all(dst_fd, offset + done, block)
        done += len(block)


def copy_file(src, dst, mode=None):
    """Atomically copy ``src`` to ``dst`` using :func:`copy_range`; returns ``dst``."""
    if mode is None:
        mode = os.stat(src).st_mode & 0o7777
    with open(src, "rb") as source:
        with AtomicFile(dst, mode=mode) as target:
            copy_range(source, target)
            target.flush()
    return dst


def same_content(path, data):
    """True when ``path`` exists and holds exactly ``data`` (bytes)."""
    try:
        if os.path.getsize(path) != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


__all__ = ["AtomicFile", "atomic_write", "check_destination", "destination_kind", "remove_stale_temps", "copy_file",
           "copy_range", "copy_extent", "pwrite_all", "sha256_file", "sha256_bytes", "same_content"]
