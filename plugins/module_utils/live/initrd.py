# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Initramfs archives: newc cpio writer and a reader for concatenated archives.

Writing follows nestos-installer byte for byte: members sorted by path, parent
directories emitted as they are entered (mode 040755), files mode 0100600, uid/gid/mtime
0, ``ino`` = index in the entry list, no block padding after the trailer, and the whole
archive in one xz stream (preset 9, CRC32 — the kernel accepts no other check).

Reading accepts one or more archives back to back, each uncompressed newc, gzip, xz or
zstd, with zero padding between them. zstd has no stdlib decoder before Python 3.14
(``compression.zstd``); on older Pythons the ``zstd`` program is used when it is on PATH,
otherwise such an initrd is refused with a clear message.

Reading streams: archives are decompressed and parsed piece by piece, members that are not
wanted are skipped without being held, and :class:`Limits` caps what a hostile archive can
cost (decompressed bytes per member, in total, and the members kept in memory; see
docs/live.md). A cap reached is a :class:`NestosError` naming the file and the member.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import lzma
import os
import shutil
import subprocess
import tempfile
import zlib
from typing import Any, Callable, Dict, Optional

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

NEWC_MAGIC = b"070701"
NEWC_CRC_MAGIC = b"070702"
GZIP_MAGIC = b"\x1f\x8b"
XZ_MAGIC = b"\xfd7zXZ\x00"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
TRAILER = "TRAILER!!!"
S_IFMT = 0o170000
S_IFREG = 0o100000
S_IFDIR = 0o040000

NEWC_HEADER_SIZE = 110          # magic (6) + 13 fields of 8 hex digits
NEWC_FIELDS = 13
NEWC_NAME_MAX = 4096            # PATH_MAX: a longer name is a damaged archive
MiB = 1024 * 1024
# Documented limits (docs/live.md "Limits"):
MEMBER_MAX_BYTES = 1024 * MiB   # one member, decompressed (kept or skipped)
TOTAL_MAX_BYTES = 4096 * MiB    # everything decompressed from one initrd
KEPT_MAX_BYTES = 128 * MiB      # members held in memory at once
READ_CHUNK = 1 * MiB

__all__ = ["Initrd", "Limits", "make_newc", "compress_xz", "read_initrd", "safe_member_path",
           "MEMBER_MAX_BYTES", "TOTAL_MAX_BYTES", "KEPT_MAX_BYTES"]


class Limits(object):
    """Caps for reading one initrd (bytes)."""

    def __init__(self, member: int = MEMBER_MAX_BYTES, total: int = TOTAL_MAX_BYTES,
                 kept: int = KEPT_MAX_BYTES) -> None:
        self.member = member
        self.total = total
        self.kept = kept


def _pad4(n):
    return (4 - n % 4) % 4


def _header(ino, mode, size, name):
    namesize = len(name) + 1
    fields = (ino, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, namesize, 0)
    head = NEWC_MAGIC + "".join("%08x" % f for f in fields).encode("ascii")
    head += name + b"\x00"
    return head + b"\x00" * _pad4(len(head))


def make_newc(members):
    """Uncompressed newc archive of ``members`` (dict path -> bytes), nestos-installer layout."""
    out = []
    ino = 0
    cwd = []
    for path in sorted(members, key=lambda p: p.encode("utf-8", "surrogateescape")):
        data = members[path]
        parts = path.split("/")
        parent = parts[:-1]
        common = 0
        while common < len(cwd) and common < len(parent) and cwd[common] == parent[common]:
            common += 1
        del cwd[common:]
        for comp in parent[common:]:
            cwd.append(comp)
            out.append(_header(ino, S_IFDIR | 0o755, 0, "/".join(cwd).encode("utf-8", "surrogateescape")))
            ino += 1
        out.append(_header(ino, S_IFREG | 0o600, len(data), path.encode("utf-8", "surrogateescape")))
        out.append(bytes(data) + b"\x00" * _pad4(len(data)))
        ino += 1
    out.append(_header(0, 0, 0, TRAILER.encode("ascii")))
    return b"".join(out)


def compress_xz(raw):
    """xz stream the kernel can unpack: preset 9, CRC32 integrity check."""
    return lzma.compress(raw, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32, preset=9)


def safe_member_path(name):
    """Raise when ``name`` would escape the extraction folder."""
    parts = name.split("/")
    if name.startswith("/") or ".." in parts:
        raise NestosError("path %s contains path traversal" % name)
    if "\x00" in name:
        raise NestosError("path %r contains a NUL byte" % name)
    return name


class Initrd(object):
    """Regular-file members of an initramfs, path -> bytes (later entries replace earlier)."""

    def __init__(self, members=None):
        self.members = dict(members or {})

    def __len__(self):
        return len(self.members)

    def __contains__(self, path):
        return path in self.members

    def get(self, path):
        return self.members.get(path)

    def add(self, path, data):
        self.members[path] = bytes(data)

    def remove(self, path):
        self.members.pop(path, None)

    def is_empty(self):
        return not self.members

    def paths_under(self, folder):
        prefix = folder.rstrip("/") + "/"
        return sorted(p for p in self.members if p.startswith(prefix))

    def to_bytes(self):
        return compress_xz(make_newc(self.members))

    @classmethod
    def from_bytes(cls, data, name=None, limits=None):
        return cls(read_initrd(data, name=name, limits=limits))

    def extract(self, folder, only=None):
        """Write members (all, or those in ``only``) below ``folder``; refuses traversal.

        Files are created exclusively (an existing file is an error). Returns the paths written.
        """
        written = []
        selected = sorted(only if only is not None else self.members)
        for path in selected:
            safe_member_path(path)
        for path in selected:
            target = os.path.join(folder, path)
            parent = os.path.dirname(target)
            if parent and not os.path.isdir(parent):
                os.makedirs(parent)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(self.members[path])
            written.append(target)
        return written


class _Input(object):
    """The initrd bytes, read forward in chunks, with push-back (a file or bytes)."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.pending = b""
        self.offset = 0      # offset in the input of the next byte read

    def read(self, n: int) -> bytes:
        if len(self.pending) < n:
            self.pending += self.handle.read(max(n - len(self.pending), READ_CHUNK))
        out, self.pending = self.pending[:n], self.pending[n:]
        self.offset += len(out)
        return out

    def unread(self, data: bytes) -> None:
        self.pending = bytes(data) + self.pending
        self.offset -= len(data)

    def peek(self, n: int) -> bytes:
        data = self.read(n)
        self.unread(data)
        return data

    def skip_zeros(self) -> None:
        while True:
            block = self.read(READ_CHUNK)
            if not block:
                return
            rest = block.lstrip(b"\x00")
            if rest:
                self.unread(rest)
                return


class _Budget(object):
    """Counts decompressed bytes against the caps."""

    def __init__(self, limits: Limits, name: Optional[str]) -> None:
        self.limits = limits
        self.name = name
        self.total = 0
        self.kept = 0

    def produced(self, n: int, where: int) -> None:
        self.total += n
        if self.total > self.limits.total:
            raise NestosError("initrd decompresses to more than %d bytes (limit on the total; the archive at "
                              "offset %d is too large or a decompression bomb)" % (self.limits.total, where),
                              file=self.name)

    def keep(self, member: str, size: int) -> None:
        if size > self.limits.member:
            raise NestosError("member %s is %d bytes, more than the %d bytes allowed per member"
                              % (member, size, self.limits.member), file=self.name, path=member)
        self.kept += size
        if self.kept > self.limits.kept:
            raise NestosError("members kept from this initrd exceed %d bytes (at %s)" % (self.limits.kept, member),
                              file=self.name, path=member)


class _RawStream(object):
    """An uncompressed archive: read straight from the input."""

    def __init__(self, source: _Input) -> None:
        self.source = source

    def read(self, n: int) -> bytes:
        return self.source.read(n)


class _Decompressed(object):
    """A gzip or xz stream decompressed on demand, at most ``n`` bytes at a time."""

    def __init__(self, source: _Input, kind: str, budget: _Budget) -> None:
        self.source = source
        self.kind = kind
        self.start = source.offset
        self.budget = budget
        self.dec = zlib.decompressobj(31) if kind == "gzip" else lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
        self.buffer = b""
        self.eof = False

    def _more(self, want: int) -> bytes:
        dec = self.dec
        if self.kind == "gzip":
            data = dec.unconsumed_tail or self.source.read(READ_CHUNK)
            out = dec.decompress(data, want) if data else dec.flush()
            if dec.eof:
                self.source.unread(dec.unused_data)
                self.eof = True
            elif not data and not out:
                raise NestosError("truncated gzip archive at offset %d" % self.start, file=self.budget.name)
            return out
        data = b"" if not dec.needs_input else self.source.read(READ_CHUNK)
        if dec.needs_input and not data:
            raise NestosError("truncated xz archive at offset %d" % self.start, file=self.budget.name)
        out = dec.decompress(data, want)
        if dec.eof:
            self.source.unread(dec.unused_data)
            self.eof = True
        return out

    def read(self, n: int) -> bytes:
        parts = [self.buffer]
        have = len(self.buffer)
        try:
            while have < n and not self.eof:
                out = self._more(min(n - have, READ_CHUNK))
                self.budget.produced(len(out), self.start)
                parts.append(out)
                have += len(out)
        except (zlib.error, lzma.LZMAError, EOFError) as err:
            raise NestosError("corrupted compressed archive at offset %d: %s" % (self.start, err),
                              file=self.budget.name)
        data = b"".join(parts)
        self.buffer = data[n:]
        return data[:n]


def _exact(stream: Any, n: int, what: str, where: int, name: Optional[str]) -> bytes:
    data = stream.read(n)
    if len(data) < n:
        raise NestosError("truncated cpio %s at offset %d" % (what, where), file=name)
    return data


def _skip(stream: Any, n: int, member: str, name: Optional[str]) -> None:
    while n > 0:
        block = stream.read(min(n, READ_CHUNK))
        if not block:
            raise NestosError("truncated cpio data for %s" % member, file=name)
        n -= len(block)


def _newc_fields(head: bytes, where: int, name: Optional[str]) -> "list[int]":
    if head[:6] not in (NEWC_MAGIC, NEWC_CRC_MAGIC):
        raise NestosError("bad cpio magic at offset %d (expected newc 070701)" % where, file=name)
    digits = head[6:NEWC_HEADER_SIZE]
    if digits.strip(b"0123456789abcdefABCDEF"):
        raise NestosError("bad cpio header at offset %d (fields must be hex digits)" % where, file=name)
    return [int(digits[8 * i:8 * i + 8], 16) for i in range(NEWC_FIELDS)]


def _parse_newc(stream: Any, where: int, budget: _Budget, keep: Callable[[str], bool],
                members: Dict[str, bytes]) -> None:
    """Parse one newc archive from ``stream`` up to its trailer, keeping the wanted members."""
    name = budget.name
    pos = 0
    while True:
        fields = _newc_fields(_exact(stream, NEWC_HEADER_SIZE, "header", where + pos, name), where + pos, name)
        mode, filesize, namesize = fields[1], fields[6], fields[11]
        if namesize == 0 or namesize > NEWC_NAME_MAX:
            raise NestosError("bad cpio name size %d at offset %d" % (namesize, where + pos), file=name)
        raw_name = _exact(stream, namesize, "name", where + pos, name)
        # dracut pads names with NULs to a block boundary: the name ends at the first NUL
        member = raw_name.split(b"\x00", 1)[0].decode("utf-8", "surrogateescape")
        pos += NEWC_HEADER_SIZE + namesize
        _exact(stream, _pad4(pos), "name padding", where + pos, name)
        pos += _pad4(pos)
        if member == TRAILER:
            return
        if filesize > budget.limits.member:
            raise NestosError("member %s is %d bytes, more than the %d bytes allowed per member"
                              % (member, filesize, budget.limits.member), file=name, path=member)
        if member.startswith("./"):
            member = member[2:]
        if mode & S_IFMT == S_IFREG and keep(member):
            budget.keep(member, filesize)
            members[member] = _exact(stream, filesize, "data for %s" % member, where + pos, name)
        else:
            _skip(stream, filesize, member, name)
        pos += filesize
        stream.read(_pad4(pos))
        pos += _pad4(pos)


def _zstd_frame_length(buf: bytes, pos: int = 0) -> int:
    """Length in bytes of the zstd frame at ``pos`` (parsed from its block headers)."""
    try:
        start = pos
        pos += 4
        fhd = buf[pos]
        pos += 1
        single_segment = (fhd >> 5) & 1
        checksum = (fhd >> 2) & 1
        pos += 0 if single_segment else 1
        pos += (0, 1, 2, 4)[fhd & 3]
        pos += (1 if single_segment else 0, 2, 4, 8)[fhd >> 6]
        while True:
            if pos + 3 > len(buf):
                raise NestosError("truncated zstd frame")
            hdr = buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16)
            pos += 3
            pos += 1 if (hdr >> 1) & 3 == 1 else hdr >> 3
            if hdr & 1:
                break
        pos += 4 if checksum else 0
    except IndexError:
        raise NestosError("truncated zstd frame")
    if pos > len(buf):
        raise NestosError("truncated zstd frame")
    return pos - start


def _zstd_decompress(frame: bytes, budget: _Budget, where: int) -> bytes:
    """Decompress one zstd frame with the caps (Python 3.14's module, else the zstd program)."""
    cap = min(budget.limits.total - budget.total, budget.limits.kept + budget.limits.member)
    try:
        from compression import zstd  # novermin (optional: Python 3.14+, guarded)
        dec = zstd.ZstdDecompressor()
        out = dec.decompress(frame, max_length=cap + 1)
    except ImportError:
        out = _zstd_program(frame, cap + 1, budget.name)
    if len(out) > cap:
        raise NestosError("zstd archive at offset %d decompresses to more than %d bytes (limit)" % (where, cap),
                          file=budget.name)
    budget.produced(len(out), where)
    return out


def _zstd_program(frame: bytes, cap: int, name: Optional[str]) -> bytes:
    exe = shutil.which("zstd")
    if exe is None:
        raise NestosError("this initrd holds a zstd-compressed archive: needs Python 3.14 or the zstd program on PATH",
                          file=name)
    with tempfile.TemporaryFile() as src:
        src.write(frame)
        src.seek(0)
        proc = subprocess.Popen([exe, "-dc", "-q"], stdin=src, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out = proc.stdout.read(cap)
        if len(out) >= cap:
            proc.kill()
        proc.stdout.close()
        err = proc.stderr.read()
        proc.stderr.close()
        proc.wait()
    if len(out) < cap and proc.returncode != 0:
        raise NestosError("zstd could not decompress the archive: %s" % err.decode("utf-8", "replace").strip(),
                          file=name)
    return out


def _check_trailing(stream: _Decompressed, where: int, name: Optional[str]) -> None:
    while not stream.eof or stream.buffer:
        block = stream.read(READ_CHUNK)
        if not block:
            break
        if block.strip(b"\x00"):
            raise NestosError("found trailing garbage inside compressed archive at offset %d" % where, file=name)


def _read_compressed(source: _Input, head: bytes, budget: _Budget, keep: Callable[[str], bool],
                     members: Dict[str, bytes]) -> None:
    where = source.offset
    name = budget.name
    if head.startswith(GZIP_MAGIC) or head == XZ_MAGIC:
        stream = _Decompressed(source, "gzip" if head.startswith(GZIP_MAGIC) else "xz", budget)
        _parse_newc(stream, where, budget, keep, members)
        _check_trailing(stream, where, name)
        return
    if head.startswith(ZSTD_MAGIC):
        rest = source.read(1 << 62)
        length = _zstd_frame_length(rest)
        source.unread(rest[length:])
        plain = _zstd_decompress(rest[:length], budget, where)
        inner = _Input(io.BytesIO(plain))
        _parse_newc(_RawStream(inner), where, budget, keep, members)
        if inner.read(len(plain)).strip(b"\x00"):
            raise NestosError("found trailing garbage inside compressed archive at offset %d" % where, file=name)
        return
    raise NestosError("unknown archive format at offset %d (not newc cpio, gzip, xz or zstd)" % where, file=name)


def read_initrd(data: Any, name: Optional[str] = None, keep: Optional[Callable[[str], bool]] = None,
                limits: Optional[Limits] = None) -> Dict[str, bytes]:
    """Members of concatenated archives in ``data`` (bytes or a binary file); a later copy wins.

    :param keep: which regular-file members to return (default: all); others are skipped
        while streaming, never held in memory.
    :param limits: caps (default :class:`Limits`); reaching one raises :class:`NestosError`.
    """
    source = _Input(data if hasattr(data, "read") else io.BytesIO(bytes(data)))
    budget = _Budget(limits or Limits(), name)
    keep = keep or (lambda member: True)
    members: Dict[str, bytes] = {}
    while True:
        source.skip_zeros()
        head = source.peek(6)
        if not head:
            return members
        if head in (NEWC_MAGIC, NEWC_CRC_MAGIC):
            _parse_newc(_RawStream(source), source.offset, budget, keep, members)
        else:
            _read_compressed(source, head, budget, keep, members)


def xz_check_type(data: bytes) -> int:
    """Integrity check id of the xz stream at the start of ``data`` (1 = CRC32, 4 = CRC64)."""
    if bytes(data[:6]) != XZ_MAGIC or len(data) < 8:
        raise NestosError("not an xz stream")
    return bytearray(data[7:8])[0] & 0x0F
