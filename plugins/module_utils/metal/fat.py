# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Files on a FAT boot partition, edited in place with mtools (no mount, no root needed).

mtools addresses a file system inside a disk or image with ``-i DISK@@OFFSET``; this works
for image files and block devices alike. The lab's boot partition is FAT (see docs/install.md);
a NestOS metal image whose boot partition is ext4 is refused with a clear message by
:meth:`BootFs.check`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import tempfile

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

FAT_MAGIC = (b"FAT12", b"FAT16", b"FAT32", b"FAT")
MAX_FILE = 64 * 1024 * 1024


class BootFs(object):
    def __init__(self, disk, offset):
        self.disk = disk
        self.offset = offset
        self.image = "%s@@%d" % (disk, offset)

    def _run(self, argv, data=None):
        env = dict(os.environ, MTOOLS_SKIP_CHECK="1", MTOOLS_NO_VFAT="0")
        cmd = [argv[0], "-i", self.image] + list(argv[1:])
        try:
            proc = subprocess.run(cmd, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                  check=False)
        except OSError as err:
            raise NestosError("%s cannot run (%s): install mtools, which edits the FAT boot partition"
                              % (argv[0], err.strerror or err))
        return proc

    def check(self, boot_sector):
        """Refuse a boot partition that is not FAT (``boot_sector``: its first 512 bytes)."""
        if boot_sector[510:512] != b"\x55\xaa" or not any(
                m in boot_sector[54:62] or m in boot_sector[82:90] for m in FAT_MAGIC):
            raise NestosError("the boot partition of %s is not a FAT file system; this engine edits FAT boot "
                              "partitions only (use nestos_install on a live-booted host for ext4)" % self.disk)

    def listdir(self, path):
        proc = self._run(["mdir", "-b", "::/" + path.strip("/")])
        if proc.returncode:
            return []
        names = []
        for line in proc.stdout.decode("utf-8", "replace").splitlines():
            line = line.strip().rstrip("/")
            if line:
                names.append(line.rsplit("/", 1)[-1])
        return names

    def read(self, path):
        """Bytes of ``path`` or None when absent."""
        proc = self._run(["mtype", "::/" + path.strip("/")])
        if proc.returncode:
            return None
        if len(proc.stdout) > MAX_FILE:
            raise NestosError("%s on the boot partition is larger than %d bytes" % (path, MAX_FILE))
        return proc.stdout

    def mkdir(self, path):
        if path.strip("/").rsplit("/", 1)[-1] in self.listdir(os.path.dirname(path.strip("/"))):
            return
        proc = self._run(["mmd", "::/" + path.strip("/")])
        if proc.returncode:
            raise NestosError("cannot create %s on the boot partition of %s: %s"
                              % (path, self.disk, proc.stderr.decode("utf-8", "replace").strip()))

    def write(self, path, data):
        fd, tmp = tempfile.mkstemp(prefix=".nestos-fat-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            proc = self._run(["mcopy", "-o", "-n", tmp, "::/" + path.strip("/")])
            if proc.returncode:
                raise NestosError("cannot write %s on the boot partition of %s: %s"
                                  % (path, self.disk, proc.stderr.decode("utf-8", "replace").strip()))
        finally:
            os.unlink(tmp)
