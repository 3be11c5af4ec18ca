# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plain qemu renderer of the machine model: a daemonized qemu command line.

Like the NestOS guide's section 8.2.1: the qcow2 overlay as a virtio drive, the Ignition config
as the fw_cfg entry ``opt/com.coreos/config``, the serial console written to a file, a pid file.
The same :class:`~model.MachineDef` that ``domainxml.render`` turns into a libvirt domain.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt.model import (
    DISK_OPTIONS, FWCFG_NAME, MachineDef)

try:
    from typing import List, Optional, Sequence  # noqa: F401  (type comments)
except ImportError:  # pragma: no cover
    pass

AARCH64_FIRMWARE = ("/usr/share/qemu-efi-aarch64/QEMU_EFI.fd", "/usr/share/edk2/aarch64/QEMU_EFI.fd",
                    "/usr/share/AAVMF/AAVMF_CODE.fd", "/usr/share/edk2/aarch64/QEMU_EFI-pflash.raw")
X86_64_FIRMWARE = ("/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_CODE_4M.fd",
                   "/usr/share/edk2/ovmf/OVMF_CODE.fd")


def process_name(name):
    # type: (str) -> str
    """The ``-name`` value; also how a running qemu is recognized in /proc/<pid>/cmdline."""
    return "%s,process=nestos-%s" % (name, name)


def accel_of(mdef):
    # type: (MachineDef) -> str
    return "kvm" if mdef.domain_type == "kvm" else "tcg"


def uefi_firmware(arch, exists=os.path.exists):
    # type: (str, object) -> str
    candidates = AARCH64_FIRMWARE if arch == "aarch64" else X86_64_FIRMWARE
    found = [path for path in candidates if exists(path)]
    if not found:
        raise NestosError("no UEFI firmware found (looked for %s); install qemu-efi-aarch64 / ovmf"
                          % ", ".join(candidates), path="firmware")
    return found[0]


def _drive(mdef):
    # type: (MachineDef) -> str
    spec = "if=virtio,format=qcow2,file=%s" % mdef.disk
    for name, _attr, key, _default in DISK_OPTIONS:
        if name in mdef.disk_options:
            spec += ",%s=%s" % (key, mdef.disk_options[name])
    return spec


def _nic_args(interfaces):
    # type: (Sequence[object]) -> List[str]
    if not interfaces:
        return ["-nic", "none"]
    argv = []
    for nic in interfaces:
        if nic.kind == "user":
            spec = "user,model=%s,mac=%s" % (nic.model, nic.mac)
            if nic.ssh_forward:
                spec += ",hostfwd=tcp:127.0.0.1:%d-:22" % nic.ssh_forward
        else:
            spec = "bridge,br=%s,model=%s,mac=%s" % (nic.source, nic.model, nic.mac)
        argv += ["-nic", spec]
    return argv


def _media_args(mdef):
    # type: (MachineDef) -> List[str]
    """The ISO (read-only CD-ROM, booted first) and the 9p shares."""
    argv = []
    if mdef.cdrom:
        if mdef.arch == "x86_64" and (mdef.machine_type() or "pc").startswith("pc"):
            argv += ["-drive", "file=%s,media=cdrom,readonly=on,if=ide,index=2" % mdef.cdrom, "-boot", "order=dc"]
        else:
            argv += ["-device", "virtio-scsi-pci,id=scsi0", "-drive",
                     "file=%s,media=cdrom,readonly=on,if=none,id=cd0" % mdef.cdrom, "-device", "scsi-cd,drive=cd0"]
    for source, tag in mdef.shares:
        argv += ["-virtfs", "local,path=%s,mount_tag=%s,security_model=passthrough" % (source, tag)]
    return argv


def render(mdef, pidfile, binary=None):
    # type: (MachineDef, str, Optional[str]) -> List[str]
    """The qemu command line (list) for ``mdef``; qemu daemonizes and writes ``pidfile``."""
    accel = accel_of(mdef)
    argv = [binary or "qemu-system-%s" % mdef.arch, "-name", process_name(mdef.name),
            "-machine", mdef.machine_type(), "-accel", accel, "-m", str(mdef.memory_mib), "-smp", str(mdef.vcpus),
            "-display", "none", "-monitor", "none", "-daemonize", "-pidfile", pidfile,
            "-serial", "file:%s" % mdef.console_log,
            "-drive", _drive(mdef)]
    if mdef.ignition_file:
        argv += ["-fw_cfg", "name=%s,file=%s" % (FWCFG_NAME, mdef.ignition_file)]
    argv += ["-device", "virtio-rng-pci"] + _media_args(mdef)
    if accel == "kvm":
        argv += ["-cpu", "host"]
    elif mdef.arch == "aarch64":
        argv += ["-cpu", "cortex-a57"]
    if mdef.firmware == "efi":
        argv += ["-bios", uefi_firmware(mdef.arch)]
    return argv + _nic_args(mdef.interfaces)
