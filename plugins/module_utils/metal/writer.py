# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write a NestOS metal image onto a disk or image file, then do what nestos-installer does
after the copy: Ignition config, first-boot arguments, kernel arguments, platform, console,
network keyfiles, saved partitions.

Targets (the collection's destination rule, ``fileutil.check_destination``):

- absent or a regular file: the image is written into a temporary file beside the target
  (sparse: all-zero MiB blocks are skipped with a seek), saved partitions are copied over from
  the old file, everything is post-processed there, fsynced and renamed over the target. Any
  failure -- bad checksum, bad signature, truncated or corrupt stream, a post-processing error
  -- leaves the target exactly as it was. The file keeps its size when it is larger than the
  image (a disk image stays a disk), or grows to ``size``.
- a block device (or a symlink to one): only with ``write_through``. Written in place, every
  byte (no holes). A device cannot be replaced atomically, so an unverified image (neither
  sha256 nor signature) is decompressed once to nowhere first: a truncated or corrupt stream
  is found before the device is touched.

The GPT is rewritten for the target's size (backup header at the disk's end, as ``sgdisk -e``
does) with the image's partitions plus the saved ones.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import io
import os
import stat
import tempfile

from ansible_collections.nestos.lifecycle.plugins.module_utils.common import fileutil
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.metal import bls, fat, gpt, plan, source
from ansible_collections.nestos.lifecycle.plugins.module_utils.stream import decompress

CHUNK = source.CHUNK
ZERO = b"\0" * CHUNK
HEAD = 64 * 1024
URL_HEAD_BYTES = 4 * 1024 * 1024


# ---- reading a disk ---------------------------------------------------------------------------

def _disk_size(handle):
    handle.seek(0, os.SEEK_END)
    return handle.tell()


def read_state(path):
    """:class:`plan.DiskState` of the disk or image file at ``path`` (empty when absent)."""
    if not os.path.exists(path):
        return plan.DiskState()
    try:
        with open(path, "rb") as handle:
            data = handle.read(HEAD)
            need = gpt.array_bytes_needed(data, path) if len(data) >= 2 * gpt.SECTOR else 0
            if need > len(data):
                handle.seek(0)
                data = handle.read(need)
            size = _disk_size(handle)
            table = gpt.parse(data, path) if len(data) >= 2 * gpt.SECTOR else None
            boot = table.by_label(plan.BOOT_LABEL) if table else None
            if boot is None:
                return plan.DiskState(table=table, size=size)
            handle.seek(boot.start)
            sector = handle.read(gpt.SECTOR)
    except (IOError, OSError) as err:
        raise NestosError("cannot read the disk: %s" % (err.strerror or err), file=path)
    return _boot_state(path, table, boot, sector, size)


def _boot_state(path, table, boot, sector, size):
    bootfs = fat.BootFs(path, boot.start)
    try:
        bootfs.check(sector)
    except NestosError:
        return plan.DiskState(table=table, size=size)
    names = bootfs.listdir(bls.ENTRIES_DIR)
    if not any(n.endswith(".conf") for n in names):
        return plan.DiskState(table=table, size=size)
    name = bls.pick_entry(names)
    entry = bls.Entry.parse(name, bootfs.read(bls.ENTRIES_DIR + "/" + name) or b"")
    stamp = bootfs.read(bls.STAMP)
    config = bootfs.read(bls.CONFIG)
    digest = hashlib.sha256(config).hexdigest() if config is not None else None
    return plan.DiskState(table=table, entry=entry, stamp=stamp, config_sha256=digest, size=size)


# ---- sources --------------------------------------------------------------------------------

class Source(object):
    """The image as the options name it: resolved location, expected sha256, signature location."""

    def __init__(self, opts):
        self.opts = opts
        self.file = opts.get("image_file")
        self.url = opts.get("image_url")
        self.sha256 = opts.get("image_sha256")
        self.signature = opts.get("image_signature")
        if opts.get("stream"):
            self.url, sha, sig = source.stream_location(opts["stream"], opts.get("architecture") or "x86_64",
                                                        opts.get("stream_base_url") or source.DEFAULT_STREAM_BASE,
                                                        opts.get("fetch_retries", 3), opts.get("timeout", 60))
            self.sha256 = self.sha256 or sha
            self.signature = self.signature or sig
        self.name = self.file or self.url

    def image_table(self):
        """The image's own GPT, read from its first bytes (decompressing only those)."""
        max_size = self.opts.get("max_image_size") or decompress.DEFAULT_MAX_SIZE
        if self.file:
            with source.open_artifact(image_file=self.file) as art:
                data = decompress.head(art.handle, self.file, HEAD, max_size)
        else:
            resp = source.open_http(self.url, self.opts.get("timeout", 60))
            try:
                blob = resp.read(URL_HEAD_BYTES)
            finally:
                resp.close()
            data = decompress.head(io.BytesIO(blob), self.url, HEAD, max_size)
        table = gpt.parse(data, self.name)
        if table is None or table.by_label(plan.BOOT_LABEL) is None:
            raise NestosError("not a NestOS metal image: no GPT with a partition labelled boot", file=self.name)
        return table

    def signature_bytes(self):
        location = self.signature or (self.name + ".sig")
        data = source.read_signature(location, self.opts.get("fetch_retries", 3), self.opts.get("timeout", 60)) \
            if (self.signature or self.file) else _optional_url(location, self.opts)
        if data is None and self.signature:
            raise NestosError("signature file not found", file=self.signature, path="image_signature")
        return data

    def open_verified(self, tmp_dir):
        art = source.open_artifact(image_file=self.file, image_url=self.url if not self.file else None,
                                   tmp_dir=tmp_dir, retries=self.opts.get("fetch_retries", 3),
                                   timeout=self.opts.get("timeout", 60))
        try:
            signature = None if self.opts.get("insecure") and not self.signature else self.signature_bytes()
            art.verdict = art.verify(self.sha256, signature, self.opts.get("gpg_keyring"), self.opts.get("insecure"))
        except Exception:
            art.close()
            raise
        return art


def _optional_url(location, opts):
    try:
        return source.read_signature(location, 0, opts.get("timeout", 60))
    except NestosError:
        return None


# ---- writing --------------------------------------------------------------------------------

def _write_stream(chunks, out, sparse):
    """Write ``chunks`` to ``out`` from offset 0; returns bytes written (holes for zeros if sparse)."""
    out.seek(0)
    total = 0
    pending = b""
    for block in chunks:
        if pending:
            block = pending + block
            pending = b""
        usable = len(block) - len(block) % CHUNK if sparse else len(block)
        if sparse and usable == 0:
            pending = block
            continue
        view = memoryview(block)
        for start in range(0, usable, CHUNK) if sparse else [0]:
            piece = view[start:start + CHUNK] if sparse else view
            if sparse and piece == ZERO:
                out.seek(len(piece), os.SEEK_CUR)
            else:
                out.write(piece)
        pending = bytes(view[usable:]) if sparse else b""
        total += usable
    if pending:
        out.write(pending)
        total += len(pending)
    return total


def _copy_range(src, dst, start, length):
    src.seek(start)
    dst.seek(start)
    left = length
    while left > 0:
        block = src.read(min(CHUNK, left))
        if not block:
            break
        if block == ZERO[:len(block)]:
            dst.seek(len(block), os.SEEK_CUR)
        else:
            dst.write(block)
        left -= len(block)


def _write_table(out, image_table, saved, disk_bytes):
    table = gpt.new_table_like(image_table, list(image_table.partitions) + list(saved))
    primary, (backup_at, backup) = gpt.render(table, disk_bytes)
    out.seek(446)  # keep the image's MBR boot code, replace only the partition records + GPT
    out.write(primary[446:])
    out.seek(backup_at)
    out.write(backup)


def _post_process(path, image_table, opts, config):
    boot = image_table.by_label(plan.BOOT_LABEL)
    with open(path, "rb") as handle:
        handle.seek(boot.start)
        sector = handle.read(gpt.SECTOR)
    bootfs = fat.BootFs(path, boot.start)
    bootfs.check(sector)
    done = []
    if config is not None:
        bootfs.mkdir(bls.CONFIG_DIR)
        bootfs.write(bls.CONFIG, config)
        done.append("Writing Ignition config")
    if opts.get("firstboot_args") is not None:
        stamp = bootfs.read(bls.STAMP)
        if stamp is None:
            raise NestosError("the image has no first-boot stamp %s on its boot partition" % bls.STAMP)
        bootfs.write(bls.STAMP, bls.append_firstboot(stamp, opts["firstboot_args"]).encode("utf-8"))
        done.append("Writing first-boot kernel arguments")
    if opts.get("append_kargs") or opts.get("delete_kargs") or opts.get("platform") or opts.get("console"):
        name = bls.pick_entry(bootfs.listdir(bls.ENTRIES_DIR))
        entry = bls.Entry.parse(name, bootfs.read(bls.ENTRIES_DIR + "/" + name) or b"")
        options = bls.edit_options(entry.options, opts.get("delete_kargs") or (), opts.get("append_kargs") or (),
                                   opts.get("platform"), opts.get("console") or ())
        bootfs.write(bls.ENTRIES_DIR + "/" + name, entry.with_options(options).render().encode("utf-8"))
        done.append("Modifying kernel arguments")
    if opts.get("copy_network"):
        folder = opts.get("network_dir") or "/etc/NetworkManager/system-connections"
        bootfs.mkdir(bls.NETWORK_DIR)
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            full = os.path.join(folder, name)
            if os.path.isfile(full):
                with open(full, "rb") as handle:
                    bootfs.write(bls.NETWORK_DIR + "/" + name, handle.read())
                done.append("Copying %s to installed system" % full)
    return done


def _preflight(art, name, max_size):
    """Decompress once to nowhere: a truncated or corrupt stream fails here, before a device is touched."""
    for _block in decompress.decompressed(art.handle, name, max_size):
        pass


def write_file_target(dest, art, src, opts, image_table, saved, config, log):
    """Image into a temp file beside ``dest``, post-processed, renamed over ``dest``."""
    max_size = opts.get("max_image_size") or decompress.DEFAULT_MAX_SIZE
    old_size = os.path.getsize(dest) if os.path.isfile(dest) else 0
    atomic = fileutil.AtomicFile(dest, mode=0o600)  # the disk holds the Ignition config: secrets
    with atomic as out:
        log("Writing %s to %s" % (src.name, dest))
        written = _write_stream(source.prefetch(decompress.decompressed(art.handle, src.name, max_size)), out,
                                sparse=True)
        if written < image_table.end_lba * gpt.SECTOR + gpt.SECTOR:
            raise NestosError("%s is truncated: %d bytes, its partitions end at %d"
                              % (src.name, written, image_table.end_lba * gpt.SECTOR + gpt.SECTOR))
        size = max(written, old_size, int(opts.get("size") or 0))
        size -= size % gpt.SECTOR
        if saved:
            with open(dest, "rb") as old:
                for part in saved:
                    _copy_range(old, out, part.start, part.size)
                    log("Saving partition %d (\"%s\")" % (part.index, part.name))
        out.truncate(size)
        _write_table(out, image_table, saved, size)
        out.flush()
        log("Read disk %d MiB (100%%)" % (written // (1024 * 1024)))
        steps = _post_process(atomic.tmp, image_table, opts, config)
        for step in steps:
            log(step)
        out.seek(0, os.SEEK_END)
    return written


def write_device_target(dest, art, src, opts, image_table, saved, config, log):
    max_size = opts.get("max_image_size") or decompress.DEFAULT_MAX_SIZE
    if getattr(art, "verdict", None) != "verified" and not src.sha256:
        log("Checking the unverified image before writing to a device")
        _preflight(art, src.name, max_size)
    real = os.path.realpath(dest)
    with open(real, "r+b") as out:
        size = _disk_size(out)
        for part in saved:
            if part.last_lba * gpt.SECTOR >= size:
                raise NestosError("saved partition %d does not fit the device" % part.index)
        log("Writing %s to %s" % (src.name, real))
        written = _write_stream(source.prefetch(decompress.decompressed(art.handle, src.name, max_size)), out,
                                sparse=False)
        if written > size:
            raise NestosError("the image (%d bytes) is larger than %s (%d bytes)" % (written, real, size))
        _write_table(out, image_table, saved, size)
        out.flush()
        os.fsync(out.fileno())
    steps = _post_process(real, image_table, opts, config)
    for step in steps:
        log(step)
    with open(real, "rb") as handle:
        os.fsync(handle.fileno())
    return written


def is_device(path):
    try:
        return stat.S_ISBLK(os.stat(path).st_mode)
    except OSError:
        return False


def tmp_dir_for(dest, opts):
    """Where a downloaded artifact waits for verification: ``tmp_dir``, else beside a file
    target (same file system as the result), else the system's temp folder."""
    if opts.get("tmp_dir"):
        return opts["tmp_dir"]
    if is_device(dest):
        return tempfile.gettempdir()
    return os.path.dirname(os.path.abspath(dest))
