# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one machine model: what a NestOS machine is, whichever hypervisor runs it.

A :class:`MachineDef` holds the fields this collection manages (CPU, memory, firmware, the
disk, the NICs, the Ignition copy, the console log, the platform). Two renderers turn it into
what a hypervisor reads: ``domainxml.render`` (libvirt domain XML) and ``qemuargv.render``
(a plain qemu command line). Options that both renderers spell differently live in tables
here (:data:`DISK_OPTIONS`), so a new disk option is one row.

Pure stdlib; no libvirt, no Ansible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import re

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

try:
    from typing import Dict, List, Optional, Sequence, Tuple  # noqa: F401  (type comments)
except ImportError:  # pragma: no cover
    pass

MANAGED_BY = "nestos.lifecycle.libvirt_vm"
# The fw_cfg key NestOS's Ignition reads on the qemu platform (ignition.platform.id=qemu).
FWCFG_NAME = "opt/com.coreos/config"

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,62}$")
MAC_RE = re.compile(r"^([0-9a-f]{2}:){5}[0-9a-f]{2}$")
SHARE_TAG_RE = re.compile(r"^[A-Za-z0-9_-]{1,31}$")

# aarch64 guests boot UEFI on the 'virt' machine; x86_64 on 'pc' (SeaBIOS) unless efi asked.
ARCH_DEFAULTS = {
    "x86_64": {"machine": "pc", "firmware": "bios"},
    "aarch64": {"machine": "virt", "firmware": "efi"},
}

# The disk's driver options: option -> (libvirt <driver> attribute, qemu -drive key, default).
# Both renderers loop over this table; a new disk option is one row here (and, to expose it to
# users, one entry in faces/libvirt.py's ``disk_options`` suboptions, which are built from it).
DISK_OPTIONS = (
    # name       libvirt attr   qemu key     default
    ("discard", "discard", "discard", "unmap"),
    ("cache", "cache", "cache", None),
    ("io", "io", "aio", None),
    ("detect_zeroes", "detect_zeroes", "detect-zeroes", None),
)
DISK_OPTION_CHOICES = {
    "discard": ("unmap", "ignore"),
    "cache": ("none", "writeback", "writethrough", "directsync", "unsafe"),
    "io": ("native", "threads", "io_uring"),
    "detect_zeroes": ("off", "on", "unmap"),
}

# NIC kinds per backend: libvirt networks and host bridges under libvirt; user-mode
# networking (with an optional forwarded SSH port) and host bridges under plain qemu.
NIC_KEYS = {
    "libvirt": ("network", "bridge", "mac", "model"),
    "qemu": ("user", "bridge", "mac", "model", "ssh_forward"),
}
NIC_DEFAULT_MODEL = {"libvirt": "virtio", "qemu": "virtio-net-pci"}


def derive_mac(name, index):
    # type: (str, int) -> str
    """A stable locally administered MAC in qemu's 52:54:00 range for NIC ``index`` of ``name``.

    The same machine name always gets the same MAC, so a machine deleted and created again
    keeps its DHCP lease and its address.
    """
    digest = hashlib.sha256(("nestos.lifecycle/%s/%d" % (name, index)).encode("utf-8")).digest()
    return "52:54:00:%02x:%02x:%02x" % (digest[0], digest[1], digest[2])


class Interface(object):
    """One NIC: ``kind`` is 'network' (a libvirt network), 'bridge' (a host bridge) or 'user'
    (qemu user-mode networking, optionally forwarding ``ssh_forward`` on 127.0.0.1 to port 22)."""

    __slots__ = ("kind", "source", "mac", "model", "ssh_forward")

    def __init__(self, kind, source, mac, model="virtio", ssh_forward=None):
        # type: (str, Optional[str], Optional[str], Optional[str], Optional[int]) -> None
        self.kind = kind
        self.source = source
        self.mac = mac.lower() if mac else mac
        self.model = model
        self.ssh_forward = ssh_forward

    def key(self):
        return (self.kind, self.source, self.mac, self.model)

    def as_dict(self):
        # type: () -> Dict[str, object]
        return {"type": self.kind, "source": self.source, "mac": self.mac, "model": self.model}

    def to_state(self):
        # type: () -> Dict[str, object]
        """The form the plain qemu backend keeps in its state file."""
        out = {"kind": self.kind, "source": self.source, "mac": self.mac, "model": self.model}
        if self.ssh_forward:
            out["ssh_forward"] = self.ssh_forward
        return out

    @classmethod
    def from_state(cls, data):
        # type: (Dict[str, object]) -> Interface
        return cls(data.get("kind"), data.get("source"), data.get("mac"), data.get("model"), data.get("ssh_forward"))

    def __eq__(self, other):
        return isinstance(other, Interface) and self.key() == other.key() and self.ssh_forward == other.ssh_forward

    def __ne__(self, other):
        return not self == other

    def __repr__(self):
        return "Interface(%r, %r, %r, %r)" % self.key()


class MachineDef(object):
    """The managed fields of a NestOS machine (one model, rendered for libvirt or plain qemu)."""

    COMPARED = ("name", "domain_type", "arch", "firmware", "memory_mib", "vcpus", "disk",
                "ignition_file", "console_log", "interfaces", "fwcfg_style", "disk_options", "cdrom", "shares")

    def __init__(self, name, domain_type="qemu", arch="x86_64", machine=None, firmware=None,
                 memory_mib=2048, vcpus=2, disk=None, ignition_file=None, console_log=None,
                 interfaces=None, uuid=None, metadata=None, fwcfg_style="sysinfo", disk_options=None,
                 cdrom=None, shares=None):
        self.name = name
        self.domain_type = domain_type
        self.arch = arch
        self.machine = machine
        self.firmware = firmware or ARCH_DEFAULTS.get(arch, {}).get("firmware", "bios")
        self.memory_mib = memory_mib
        self.vcpus = vcpus
        self.disk = disk
        self.ignition_file = ignition_file
        self.console_log = console_log
        self.interfaces = list(interfaces or [])
        self.uuid = uuid
        self.metadata = dict(metadata or {})
        self.fwcfg_style = fwcfg_style
        self.disk_options = disk_driver_options(disk_options)
        # an ISO attached read-only, booted before the disk (nosa run --qemu-iso)
        self.cdrom = cdrom
        # host folders shared over virtio-9p: [(host folder, mount tag)] (nosa run's /var/mnt/workdir)
        self.shares = [tuple(share) for share in shares or []]

    def owned(self):
        # type: () -> bool
        return self.metadata.get("managed-by") == MANAGED_BY

    def differences(self, other):
        # type: (MachineDef) -> List[str]
        """Names of the compared fields whose values differ from ``other``'s."""
        return [field for field in self.COMPARED if getattr(self, field) != getattr(other, field)]

    def macs(self):
        # type: () -> List[str]
        return [nic.mac for nic in self.interfaces]

    def machine_type(self):
        # type: () -> Optional[str]
        return self.machine or ARCH_DEFAULTS.get(self.arch, {}).get("machine")


def check_shares(shares):
    # type: (Sequence[object]) -> List[Tuple[str, str]]
    """``shares`` option items ({source, tag}) as (host folder, mount tag) pairs."""
    out = []
    for index, share in enumerate(shares or []):
        where = "shares[%d]" % index
        if not isinstance(share, dict) or set(share) - set(("source", "tag")):
            raise NestosError("must be a dictionary with source (a host folder) and tag (the 9p mount tag)", path=where)
        source, tag = str(share.get("source") or ""), str(share.get("tag") or "")
        if not source.startswith("/") or "," in source:
            raise NestosError("must be an absolute path without commas", path=where + ".source")
        if not SHARE_TAG_RE.match(tag):
            raise NestosError("must be 1-31 characters A-Z a-z 0-9 _ - (the guest mounts it by this tag)",
                              path=where + ".tag")
        out.append((source, tag))
    if len(set(tag for _s, tag in out)) != len(out):
        raise NestosError("two shares have the same tag", path="shares")
    return out


def disk_driver_options(given=None):
    # type: (Optional[Dict[str, Optional[str]]]) -> Dict[str, str]
    """The disk's driver options: the table's defaults overlaid with ``given`` (None = default)."""
    out = {}
    for name, _attr, _key, default in DISK_OPTIONS:
        value = (given or {}).get(name)
        value = default if value is None else value
        if value is not None:
            out[name] = value
    return out


def check_disk_options(given):
    # type: (Optional[Dict[str, Optional[str]]]) -> None
    known = [row[0] for row in DISK_OPTIONS]
    for name, value in sorted((given or {}).items()):
        if name not in known:
            raise NestosError("unknown disk option %s; use %s" % (name, ", ".join(known)), path="disk_options")
        if value is not None and value not in DISK_OPTION_CHOICES[name]:
            raise NestosError("must be one of %s" % ", ".join(DISK_OPTION_CHOICES[name]),
                              path="disk_options.%s" % name)


def resolve_interfaces(name, networks, current, backend="libvirt"):
    # type: (str, Sequence[object], Sequence[Interface], str) -> List[Interface]
    """Wanted NICs from the ``networks`` option; MACs: given > the current NIC at the same position >
    derived from the name. ``backend`` says which NIC kinds are allowed."""
    out = []
    for index, net in enumerate(networks):
        out.append(_interface(name, index, net, current, backend))
    macs = [nic.mac for nic in out]
    if len(set(macs)) != len(macs):
        raise NestosError("two NICs have the same MAC address", path="networks")
    return out


def _nic_kind(net, backend, where):
    # type: (Dict[str, object], str, str) -> str
    if backend == "qemu":
        if net.get("network"):
            raise NestosError("libvirt networks need the libvirt backend; with backend qemu use user: true"
                              " (user-mode networking) or bridge: <host bridge>", path=where)
        if bool(net.get("user")) == bool(net.get("bridge")):
            raise NestosError("give exactly one of user: true or bridge", path=where)
        return "user" if net.get("user") else "bridge"
    if bool(net.get("network")) == bool(net.get("bridge")):
        raise NestosError("give exactly one of network (a libvirt network) or bridge (a host bridge)", path=where)
    return "network" if net.get("network") else "bridge"


def _interface(name, index, net, current, backend):
    # type: (str, int, object, Sequence[Interface], str) -> Interface
    where = "networks[%d]" % index
    allowed = NIC_KEYS[backend]
    if not isinstance(net, dict):
        raise NestosError("must be a dictionary with %s or bridge" % allowed[0], path=where)
    unknown = set(net) - set(allowed)
    if unknown:
        raise NestosError("unknown key(s) %s; use %s" % (", ".join(sorted(unknown)), ", ".join(allowed)), path=where)
    kind = _nic_kind(net, backend, where)
    mac = (net.get("mac") or "")
    mac = mac.lower() if isinstance(mac, str) else str(mac)
    if mac and not MAC_RE.match(mac):
        raise NestosError("invalid MAC address %r" % net.get("mac"), path=where + ".mac")
    if not mac and current and index < len(current) and current[index].mac:
        mac = current[index].mac
    mac = mac or derive_mac(name, index)
    source = None if kind == "user" else net.get(kind)
    forward = net.get("ssh_forward")
    if forward:
        if kind != "user":
            raise NestosError("ssh_forward needs user-mode networking", path=where + ".ssh_forward")
        try:
            forward = int(forward)
        except (TypeError, ValueError):
            raise NestosError("must be a port number", path=where + ".ssh_forward")
        if not 0 < forward < 65536:
            raise NestosError("must be a port number (1-65535)", path=where + ".ssh_forward")
    return Interface(kind, source, mac, net.get("model") or NIC_DEFAULT_MODEL[backend], forward or None)


__all__ = ["MANAGED_BY", "FWCFG_NAME", "NAME_RE", "MAC_RE", "ARCH_DEFAULTS", "DISK_OPTIONS", "Interface",
           "MachineDef", "derive_mac", "disk_driver_options", "check_disk_options", "check_shares",
           "resolve_interfaces"]
