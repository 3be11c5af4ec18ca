# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the hypervisor host can really do: domain type, the qemu user, SELinux labels.

libvirt advertises ``type='kvm'`` whenever ``/dev/kvm`` exists, even where KVM cannot run a
guest (a nested, software-emulated KVM hangs kernels). :func:`choose_domain_type` therefore
requires more than libvirt's word before picking ``kvm``:

1. libvirt's domain capabilities list ``kvm`` for the guest arch;
2. ``/dev/kvm`` opens read-write;
3. the guest arch is the host arch;
4. the host is not itself a virtual machine (no ``hypervisor`` CPU flag): nested KVM is where
   guests hang, and no short probe catches that hang reliably;
5. qemu boots a 512-byte probe under KVM that switches to 64-bit long mode and writes ``OK``
   to the serial port within a few seconds (catches KVMs that cannot run a vCPU at all).

Any failure selects ``qemu`` (TCG). The user can always force ``kvm`` or ``qemu``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import binascii
import errno
import os
import platform
import pwd
import grp
import shutil
import subprocess
import tempfile

# A boot sector (x86, 512 bytes): real mode -> page tables -> PAE + EFER.LME -> long mode,
# then writes "OK\n" to COM1 and halts. Assembled from this source (GNU as, ld -Ttext 0x7c00
# --oformat binary): cli; zero ds/es/ss; sp=0x7c00; zero 0x1000-0x3fff; PML4[0]=0x2003,
# PDPT[0]=0x3003, PD[0]=0x83 (2 MiB page); lgdt; cr4|=PAE; cr3=0x1000; EFER|=LME;
# cr0|=PG|PE; ljmp 0x08:lm; lm: out 'O','K','\n' to 0x3f8; hlt loop. GDT: null, code64, data.
_PROBE_HEX = (
    "fa31c08ed88ec08ed0bc007cbf00106631c0b9000c66f3ab66c70600100320000066c7060020"
    "0330000066c7060030830000000f0116987c0f20e06683c8200f22e066b8001000000f22d866"
    "b9800000c00f32660d000100000f300f20c0660d010000800f22c0ea6c7c080066baf803b04f"
    "eeb04beeb00aeef4ebfd0f1f40000000000000000000ffff0000009aaf00ffff00000092af00"
    "1700807c"
)
PROBE_TIMEOUT = 6


def probe_boot_sector():
    """The 512-byte probe image: the code above, zero padding, the 0x55AA boot signature."""
    code = binascii.unhexlify(_PROBE_HEX)
    return code + b"\x00" * (510 - len(code)) + b"\x55\xaa"


def host_arch():
    machine = platform.machine()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def host_is_virtual():
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith(("flags", "Features")) and " hypervisor" in line:
                    return True
    except (IOError, OSError):
        return False
    return False


def kvm_device_usable(path="/dev/kvm"):
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    os.close(fd)
    return True


def boot_probe(emulator, accel="kvm", timeout=PROBE_TIMEOUT):
    """Boot the long-mode probe with ``emulator`` under ``accel``; True when it printed OK."""
    if not emulator or not os.access(emulator, os.X_OK):
        return False
    workdir = tempfile.mkdtemp(prefix="nestos-kvm-probe-")
    try:
        image = os.path.join(workdir, "probe.img")
        serial = os.path.join(workdir, "serial.txt")
        with open(image, "wb") as handle:
            handle.write(probe_boot_sector())
        cmd = [emulator, "-accel", accel, "-machine", "pc", "-m", "16", "-nodefaults",
               "-display", "none", "-no-reboot", "-serial", "file:%s" % serial,
               "-drive", "format=raw,file=%s,if=floppy" % image]
        with open(os.devnull, "wb") as null:
            proc = subprocess.Popen(cmd, stdout=null, stderr=null)
        try:
            deadline = timeout
            step = 0.1
            waited = 0.0
            while waited < deadline:
                if os.path.exists(serial):
                    with open(serial, "rb") as handle:
                        if b"OK" in handle.read():
                            return True
                if proc.poll() is not None:
                    return False
                _sleep(step)
                waited += step
            return False
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _sleep(seconds):
    import time
    time.sleep(seconds)


def choose_domain_type(requested, arch, advertised, emulator=None, probe=boot_probe):
    """Pick 'kvm' or 'qemu'.

    :param requested: 'auto', 'kvm' or 'qemu' (the user's choice; 'kvm'/'qemu' are obeyed).
    :param arch: guest arch.
    :param advertised: domain types libvirt lists for ``arch`` (e.g. ['qemu', 'kvm']).
    :param emulator: qemu binary libvirt uses for ``arch`` (for the boot probe).
    :returns: (domain_type, reason)
    """
    if requested in ("kvm", "qemu"):
        return requested, "requested"
    if "kvm" not in advertised:
        return "qemu", "libvirt offers no kvm domain for %s" % arch
    if arch != host_arch():
        return "qemu", "guest arch %s differs from host arch %s" % (arch, host_arch())
    if not kvm_device_usable():
        return "qemu", "/dev/kvm cannot be opened read-write"
    if host_is_virtual():
        return "qemu", "the host is a virtual machine: nested KVM is not trusted (set domain_type: kvm to force it)"
    if arch == "x86_64" and not probe(emulator):
        return "qemu", "a KVM boot probe did not reach long mode in %ss" % PROBE_TIMEOUT
    return "kvm", "kvm available and probe passed"


def qemu_owner():
    """(uid, gid) that qemu:///system runs guests as: libvirt-qemu (Debian) or qemu (Fedora, openEuler)."""
    for user in ("libvirt-qemu", "qemu"):
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            continue
        gid = entry.pw_gid
        for group in ("kvm", "qemu"):
            try:
                gid = grp.getgrnam(group).gr_gid
                break
            except KeyError:
                continue
        return entry.pw_uid, gid
    return None


def selinux_enabled():
    return os.path.exists("/sys/fs/selinux/enforce")


SELINUX_VIRT_CONTENT = b"system_u:object_r:virt_content_t:s0\x00"


def label_for_hypervisor(path):
    """Give ``path`` the SELinux type qemu may read (virt_content_t) when SELinux is on.

    Returns True when a label was set, False when SELinux is off.
    """
    if not selinux_enabled():
        return False
    try:
        os.setxattr(path, "security.selinux", SELINUX_VIRT_CONTENT)
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
            return False
        raise
    return True
