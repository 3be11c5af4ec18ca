"""A small, deterministic writer for "newc" cpio archives (the format the Linux kernel
unpacks as an initramfs).

Used by the lab media builder and by tests that need an extra initrd (for example a
``config.ign`` appended to the PXE initramfs). Every entry gets uid/gid 0 and mtime 0,
so the same input always gives the same bytes. Compression helpers produce what the
kernel accepts: gzip, or xz with a CRC32 check (the kernel's XZ decoder rejects CRC64).
"""
import gzip
import lzma
import stat

TRAILER = "TRAILER!!!"


def _pad4(n):
    return (4 - n % 4) % 4


class Archive:
    """Collects entries in order and serializes them as one newc archive.

    Parent directories are not implied: add them explicitly (``add_dir``) before their
    contents, as the kernel needs a directory to exist before it creates a file in it.
    """

    def __init__(self):
        self._entries = []
        self._names = set()

    def __contains__(self, name):
        return name.strip("/") in self._names

    def _add(self, name, mode, data=b"", rdev=(0, 0)):
        name = name.strip("/")
        if not name or name.startswith("..") or "/../" in "/%s/" % name:
            raise ValueError("bad archive member name %r" % name)
        self._names.add(name)
        self._entries.append((name, mode, data, rdev))

    def add_dir(self, name, mode=0o755):
        self._add(name, stat.S_IFDIR | mode)

    def add_dirs(self, path, mode=0o755):
        """Add ``path`` and every missing parent of it as directories."""
        parts = path.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            sub = "/".join(parts[:i])
            if sub not in self._names:
                self.add_dir(sub, mode)

    def add_file(self, name, data, mode=0o644):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self._add(name, stat.S_IFREG | mode, data)

    def add_symlink(self, name, target):
        self._add(name, stat.S_IFLNK | 0o777, target.encode("utf-8"))

    def add_chardev(self, name, major, minor, mode=0o600):
        self._add(name, stat.S_IFCHR | mode, b"", (major, minor))

    def to_bytes(self):
        out = bytearray()
        entries = list(self._entries) + [(TRAILER, 0, b"", (0, 0))]
        for ino, (name, mode, data, rdev) in enumerate(entries):
            raw_name = name.encode("utf-8") + b"\0"
            fields = (
                ino if name != TRAILER else 0,
                mode,
                0,  # uid
                0,  # gid
                1 if name == TRAILER else (2 if stat.S_ISDIR(mode) else 1),
                0,  # mtime
                len(data),
                0, 0,  # devmajor, devminor
                rdev[0], rdev[1],
                len(raw_name),
                0,  # check
            )
            header = b"070701" + b"".join(b"%08x" % f for f in fields)
            out += header + raw_name + b"\0" * _pad4(len(header) + len(raw_name))
            out += data + b"\0" * _pad4(len(data))
        return bytes(out)


def xz_crc32(data, preset=6):
    """xz container with a CRC32 check: the only integrity check the kernel accepts."""
    return lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32, preset=preset)


def gzip_bytes(data, level=6):
    return gzip.compress(data, compresslevel=level, mtime=0)


def pad4(data):
    """NUL-pad so a following archive starts on a 4-byte boundary (kernel requirement)."""
    return data + b"\0" * _pad4(len(data))


def config_initrd(config, extra=None):
    """An xz(CRC32) newc archive holding ``config.ign`` (and optional extra members,
    a mapping path -> bytes), the shape ``nestos-installer pxe ignition wrap`` makes."""
    arc = Archive()
    members = dict(extra or {})
    if config is not None:
        members["config.ign"] = config if isinstance(config, bytes) else config.encode("utf-8")
    for path in sorted(members):
        parent = path.rpartition("/")[0]
        if parent:
            arc.add_dirs(parent)
        arc.add_file(path, members[path], 0o600)
    return xz_crc32(arc.to_bytes(), preset=9)
