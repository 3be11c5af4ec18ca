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
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import lzma
import os
import shutil
import subprocess
import zlib

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

__all__ = ["Initrd", "make_newc", "compress_xz", "read_initrd", "safe_member_path"]


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
    for path in sorted(members, key=lambda p: p.encode("utf-8")):
        data = members[path]
        parts = path.split("/")
        parent = parts[:-1]
        common = 0
        while common < len(cwd) and common < len(parent) and cwd[common] == parent[common]:
            common += 1
        del cwd[common:]
        for comp in parent[common:]:
            cwd.append(comp)
            out.append(_header(ino, S_IFDIR | 0o755, 0, "/".join(cwd).encode("utf-8")))
            ino += 1
        out.append(_header(ino, S_IFREG | 0o600, len(data), path.encode("utf-8")))
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
    def from_bytes(cls, data, name=None):
        return cls(read_initrd(data, name=name))

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


def _parse_newc(buf, pos, name, compressed):
    """Parse one newc archive starting at ``pos``; returns (entries, end position)."""
    entries = []
    total = len(buf)
    base = pos
    while True:
        if pos + 110 > total:
            raise NestosError("truncated cpio header at offset %d" % pos, file=name)
        magic = bytes(buf[pos:pos + 6])
        if magic not in (NEWC_MAGIC, NEWC_CRC_MAGIC):
            raise NestosError("bad cpio magic at offset %d (expected newc 070701)" % pos, file=name)
        try:
            fields = [int(bytes(buf[pos + 6 + 8 * i:pos + 14 + 8 * i]), 16) for i in range(13)]
        except ValueError:
            raise NestosError("bad cpio header at offset %d" % pos, file=name)
        mode, filesize, namesize = fields[1], fields[6], fields[11]
        name_start = pos + 110
        raw_name = bytes(buf[name_start:name_start + namesize])
        if len(raw_name) < namesize:
            raise NestosError("truncated cpio name at offset %d" % pos, file=name)
        # dracut pads names with NULs to a block boundary: the name ends at the first NUL
        member = raw_name.split(b"\x00", 1)[0].decode("utf-8", "surrogateescape")
        data_start = name_start + namesize
        data_start += _pad4(data_start - base)
        data_end = data_start + filesize
        if data_end > total:
            raise NestosError("truncated cpio data for %s" % member, file=name)
        pos = data_end + _pad4(data_end - base)
        if member == TRAILER:
            return entries, min(pos, total)
        if mode & S_IFMT == S_IFREG:
            if member.startswith("./"):
                member = member[2:]
            entries.append((member, bytes(buf[data_start:data_end])))


def _zstd_frame_length(buf, pos):
    """Length in bytes of the zstd frame at ``pos`` (parsed from its block headers)."""
    start = pos
    pos += 4
    fhd = buf[pos]
    pos += 1
    single_segment = (fhd >> 5) & 1
    checksum = (fhd >> 2) & 1
    dict_id_flag = fhd & 3
    fcs_flag = fhd >> 6
    if not single_segment:
        pos += 1
    pos += (0, 1, 2, 4)[dict_id_flag]
    pos += (1 if single_segment else 0, 2, 4, 8)[fcs_flag]
    while True:
        if pos + 3 > len(buf):
            raise NestosError("truncated zstd frame")
        hdr = buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16)
        pos += 3
        last = hdr & 1
        btype = (hdr >> 1) & 3
        bsize = hdr >> 3
        pos += 1 if btype == 1 else bsize
        if last:
            break
    if checksum:
        pos += 4
    return pos - start


def _zstd_decompress(frame):
    try:
        from compression import zstd  # novermin (optional: Python 3.14+, guarded)
        return zstd.decompress(frame)
    except ImportError:
        pass
    exe = shutil.which("zstd")
    if exe is None:
        raise NestosError("this initrd holds a zstd-compressed archive: needs Python 3.14 or the zstd program on PATH")
    proc = subprocess.run([exe, "-dc", "-q"], input=frame, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        raise NestosError("zstd could not decompress the archive: %s" % proc.stderr.decode("utf-8", "replace").strip())
    return proc.stdout


def _decompress(buf, pos, name):
    """Decompress the stream at ``pos``; returns (plain bytes, position after the stream)."""
    head = bytes(buf[pos:pos + 6])
    rest = bytes(buf[pos:])
    try:
        if head.startswith(GZIP_MAGIC):
            dec = zlib.decompressobj(31)
            plain = dec.decompress(rest) + dec.flush()
            if not dec.eof:
                raise NestosError("truncated gzip archive at offset %d" % pos, file=name)
            return plain, len(buf) - len(dec.unused_data)
        if head == XZ_MAGIC:
            dec = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
            plain = dec.decompress(rest)
            if not dec.eof:
                raise NestosError("truncated xz archive at offset %d" % pos, file=name)
            return plain, len(buf) - len(dec.unused_data)
        if head.startswith(ZSTD_MAGIC):
            length = _zstd_frame_length(buf, pos)
            return _zstd_decompress(rest[:length]), pos + length
    except (zlib.error, lzma.LZMAError, IndexError) as err:
        raise NestosError("corrupted compressed archive at offset %d: %s" % (pos, err), file=name)
    raise NestosError("unknown archive format at offset %d (not newc cpio, gzip, xz or zstd)" % pos, file=name)


def read_initrd(data, name=None):
    """Members of concatenated archives in ``data``; a later copy of a path wins."""
    members = {}
    buf = memoryview(data)
    pos = 0
    total = len(buf)
    while pos < total:
        if buf[pos] == 0:
            # skip zero padding between archives quickly, 64 KiB at a time
            chunk = bytes(buf[pos:pos + 65536])
            pos += len(chunk) - len(chunk.lstrip(b"\x00"))
            continue
        if bytes(buf[pos:pos + 6]) in (NEWC_MAGIC, NEWC_CRC_MAGIC):
            entries, pos = _parse_newc(buf, pos, name, False)
        else:
            plain, pos = _decompress(buf, pos, name)
            entries, end = _parse_newc(plain, 0, name, True)
            if plain[end:].strip(b"\x00"):
                raise NestosError("found trailing garbage inside compressed archive", file=name)
        for member, content in entries:
            members[member] = content
    return members


def xz_check_type(data):
    """Integrity check id of the xz stream at the start of ``data`` (1 = CRC32, 4 = CRC64)."""
    if not data.startswith(XZ_MAGIC):
        raise NestosError("not an xz stream")
    return bytearray(data[7:8])[0] & 0x0F
