# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The machine's files: a qcow2 overlay on a base image, and the Ignition copy qemu reads.

The overlay is made with ``qemu-img create -f qcow2 -F qcow2 -b BASE OVERLAY [SIZE]``; the base
is opened read-only by qemu-img and never written. Growing an existing overlay uses
``qemu-img resize`` (offline) or libvirt's ``blockResize`` (online, done by the caller).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import subprocess

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import atomic_write, same_content
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt import host

SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(i?B?)?\s*$", re.IGNORECASE)
UNITS = {"": 1 << 30, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(value, field="disk_size"):
    """Bytes from 20, '20', '20G', '20GiB', '512M' (a bare number means GiB)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise NestosError("must be a size such as 20G, not a boolean", path=field)
    if isinstance(value, (int, float)):
        if value <= 0:
            raise NestosError("must be positive, got %s" % value, path=field)
        return int(value * UNITS[""])
    match = SIZE_RE.match(str(value))
    if not match:
        raise NestosError("cannot read size %r; use a number of GiB or a size like 20G, 512M" % value, path=field)
    size = int(float(match.group(1)) * UNITS[match.group(2).upper()])
    if size <= 0:
        raise NestosError("must be positive, got %r" % value, path=field)
    return size


def qemu_img(args, what):
    cmd = ["qemu-img"] + list(args)
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        raise NestosError("cannot run qemu-img (install qemu-img / qemu-utils): %s" % exc)
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise NestosError("%s failed: %s" % (what, err.decode("utf-8", "replace").strip() or out.decode("utf-8", "replace")))
    return out.decode("utf-8", "replace")


def image_info(path):
    """qemu-img info as a dict (format, virtual-size, backing-filename, ...).

    ``-U`` (force share) lets this read an image a running guest holds open.
    """
    return json.loads(qemu_img(["info", "-U", "--output=json", path], "reading image %s" % path))


def check_base(base):
    """The base must be an absolute path to a readable qcow2 image; returns its info."""
    if not base:
        raise NestosError("image (the base QCOW2) is required to create the machine", path="image")
    if not os.path.isabs(base):
        raise NestosError("must be an absolute path (libvirt and qemu resolve it on the hypervisor)",
                          file=base, path="image")
    if not os.path.isfile(base):
        raise NestosError("base image not found", file=base, path="image")
    info = image_info(base)
    if info.get("format") != "qcow2":
        raise NestosError("base image is %s, expected qcow2" % info.get("format"), file=base, path="image")
    return info


def create_overlay(base, overlay, size=None, base_info=None):
    """Create ``overlay`` backed by ``base``, grown to ``size`` bytes when larger than the base."""
    info = base_info or check_base(base)
    args = ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", base, overlay]
    if size is not None:
        if size < int(info["virtual-size"]):
            raise NestosError("disk_size %d bytes is smaller than the base image (%d bytes); qcow2 overlays only grow"
                              % (size, int(info["virtual-size"])), path="disk_size")
        args.append(str(size))
    try:
        qemu_img(args, "creating overlay %s" % overlay)
    except NestosError:
        if os.path.exists(overlay):
            os.unlink(overlay)
        raise


def resize_overlay(overlay, size):
    qemu_img(["resize", "-q", "-f", "qcow2", overlay, str(size)], "growing overlay %s" % overlay)


def place_ignition(path, data, check_mode=False):
    """Write the Ignition copy where qemu may read it: mode 0600, owned by the qemu user, SELinux label.

    Returns True when the file changed (or would change in check mode).
    """
    owner = host.qemu_owner()
    if same_content(path, data):
        st = os.stat(path)
        if (st.st_mode & 0o777) == 0o600 and (owner is None or (st.st_uid, st.st_gid) == owner):
            return False
        if check_mode:
            return True
        os.chmod(path, 0o600)
        if owner is not None:
            os.chown(path, owner[0], owner[1])
        host.label_for_hypervisor(path)
        return True
    if check_mode:
        return True
    atomic_write(path, data, mode=0o600, owner=owner)
    host.label_for_hypervisor(path)
    return True


def remove(path):
    """Remove ``path`` if it exists; True when something was removed."""
    try:
        os.unlink(path)
    except OSError:
        if os.path.lexists(path):
            raise
        return False
    return True
