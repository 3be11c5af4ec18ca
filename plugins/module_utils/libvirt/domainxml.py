# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The libvirt renderer of the machine model, and the reverse: the managed fields of a domain.

A :class:`~model.MachineDef` holds only the fields this collection manages. :func:`render` turns it
into libvirt domain XML; :func:`parse` reads those fields back from the XML libvirt returns
(which carries many defaults libvirt added). Comparing two ``MachineDef`` objects tells whether
a domain must be redefined, and rendering both gives a readable XML diff of exactly the
managed fields.

Pure stdlib (xml.etree); no libvirt import, so it is unit-testable anywhere.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import xml.etree.ElementTree as ET

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
# The model lives in model.py; its names stay importable from here.
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt.model import (  # noqa: F401
    ARCH_DEFAULTS, DISK_OPTIONS, FWCFG_NAME, MAC_RE, MANAGED_BY, NAME_RE, Interface, MachineDef, derive_mac)

# The ownership mark lives in <metadata> under this namespace.
META_NS = "https://nestos.openeuler.org/xmlns/lifecycle/1.0"
META_PREFIX = "nestos"
QEMU_NS = "http://libvirt.org/schemas/domain/qemu/1.0"
# libvirt gained <sysinfo type='fwcfg'> in 6.5.0; older ones get a qemu:commandline -fw_cfg.
FWCFG_SYSINFO_MIN_VERSION = 6005000

ET.register_namespace(META_PREFIX, META_NS)
ET.register_namespace("qemu", QEMU_NS)


def _sub(parent, tag, text=None, **attrs):
    elem = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        elem.text = str(text)
    return elem


def render(mdef, pretty=True):
    # type: (MachineDef, bool) -> str
    """Domain XML (str) for ``mdef``."""
    if not NAME_RE.match(mdef.name or ""):
        raise NestosError("invalid machine name %r: use letters, digits and . _ + - (at most 63)"
                          % mdef.name, path="name")
    root = ET.Element("domain", {"type": mdef.domain_type})
    _render_identity(root, mdef)
    _render_platform(root, mdef)
    _sub(root, "on_poweroff", "destroy")
    _sub(root, "on_reboot", "restart")
    _sub(root, "on_crash", "destroy")
    _render_devices(_sub(root, "devices"), mdef)
    if mdef.ignition_file and mdef.fwcfg_style == "commandline":
        cmdline = _sub(root, "{%s}commandline" % QEMU_NS)
        _sub(cmdline, "{%s}arg" % QEMU_NS, value="-fw_cfg")
        _sub(cmdline, "{%s}arg" % QEMU_NS, value="name=%s,file=%s" % (FWCFG_NAME, mdef.ignition_file))
    if pretty:
        _indent(root)
    return ET.tostring(root, encoding="unicode") + ("\n" if pretty else "")


def _render_identity(root, mdef):
    # type: (ET.Element, MachineDef) -> None
    """Name, UUID, the ownership mark, memory, vCPUs and the fw_cfg entry."""
    _sub(root, "name", mdef.name)
    if mdef.uuid:
        _sub(root, "uuid", mdef.uuid)
    if mdef.metadata:
        meta = _sub(root, "metadata")
        mark = _sub(meta, "{%s}machine" % META_NS)
        for key in sorted(mdef.metadata):
            _sub(mark, "{%s}%s" % (META_NS, key), mdef.metadata[key])
    _sub(root, "memory", mdef.memory_mib, unit="MiB")
    _sub(root, "currentMemory", mdef.memory_mib, unit="MiB")
    _sub(root, "vcpu", mdef.vcpus, placement="static")
    if mdef.ignition_file and mdef.fwcfg_style == "sysinfo":
        sysinfo = _sub(root, "sysinfo", type="fwcfg")
        _sub(sysinfo, "entry", name=FWCFG_NAME, file=mdef.ignition_file)


def _render_platform(root, mdef):
    # type: (ET.Element, MachineDef) -> None
    """Firmware, machine type, boot order, features, CPU model and clock."""
    defaults = ARCH_DEFAULTS.get(mdef.arch, {"machine": None, "firmware": "bios"})
    firmware = mdef.firmware or defaults["firmware"]
    os_elem = _sub(root, "os", **({"firmware": "efi"} if firmware == "efi" else {}))
    _sub(os_elem, "type", "hvm", arch=mdef.arch, machine=mdef.machine or defaults["machine"])
    if mdef.cdrom:
        _sub(os_elem, "boot", dev="cdrom")
    _sub(os_elem, "boot", dev="hd")
    features = _sub(root, "features")
    _sub(features, "acpi")
    if mdef.arch == "x86_64":
        _sub(features, "apic")
    else:
        _sub(features, "gic", version="3")
    if mdef.domain_type == "kvm":
        _sub(root, "cpu", mode="host-passthrough")
    elif mdef.arch == "aarch64":
        cpu = _sub(root, "cpu", mode="custom")
        _sub(cpu, "model", "cortex-a57")
    if mdef.arch == "x86_64":
        # Like virt-install: PIT ticks delayed (not lost) and RTC catching up, so a guest on a busy host does not
        # fail the kernel's timer check ("IO-APIC + timer doesn't work"); no HPET.
        clock = _sub(root, "clock", offset="utc")
        _sub(clock, "timer", name="rtc", tickpolicy="catchup")
        _sub(clock, "timer", name="pit", tickpolicy="delay")
        _sub(clock, "timer", name="hpet", present="no")


def _render_devices(devices, mdef):
    # type: (ET.Element, MachineDef) -> None
    if mdef.disk:
        disk = _sub(devices, "disk", type="file", device="disk")
        driver = dict((attr, mdef.disk_options[name]) for name, attr, _key, _default in DISK_OPTIONS
                      if name in mdef.disk_options)
        _sub(disk, "driver", name="qemu", type="qcow2", **driver)
        _sub(disk, "source", file=mdef.disk)
        _sub(disk, "target", dev="vda", bus="virtio")
    _render_media(devices, mdef)
    for nic in mdef.interfaces:
        iface = _sub(devices, "interface", type=nic.kind)
        _sub(iface, "mac", address=nic.mac)
        if nic.kind == "network":
            _sub(iface, "source", network=nic.source)
        else:
            _sub(iface, "source", bridge=nic.source)
        _sub(iface, "model", type=nic.model)
    if mdef.console_log:
        for tag, target in (("serial", {"port": "0"}), ("console", {"type": "serial", "port": "0"})):
            elem = _sub(devices, tag, type="file")
            _sub(elem, "source", path=mdef.console_log)
            _sub(elem, "target", **target)
    rng = _sub(devices, "rng", model="virtio")
    _sub(rng, "backend", "/dev/urandom", model="random")


def _render_media(devices, mdef):
    # type: (ET.Element, MachineDef) -> None
    """The ISO (read-only CD-ROM) and the 9p shares."""
    if mdef.cdrom:
        cdrom = _sub(devices, "disk", type="file", device="cdrom")
        _sub(cdrom, "driver", name="qemu", type="raw")
        _sub(cdrom, "source", file=mdef.cdrom)
        if mdef.arch == "x86_64" and (mdef.machine_type() or "pc").startswith("pc"):
            _sub(cdrom, "target", dev="hdc", bus="ide")
        else:
            _sub(cdrom, "target", dev="sda", bus="scsi")
        _sub(cdrom, "readonly")
    for source, tag in mdef.shares:
        share = _sub(devices, "filesystem", type="mount", accessmode="passthrough")
        _sub(share, "source", dir=source)
        _sub(share, "target", dir=tag)


def _parse_media(devices, mdef):
    # type: (ET.Element, MachineDef) -> None
    for disk in devices.findall("disk"):
        source = disk.find("source")
        if disk.get("device") == "cdrom" and source is not None and source.get("file"):
            mdef.cdrom = source.get("file")
            break
    for share in devices.findall("filesystem"):
        source, target = share.find("source"), share.find("target")
        if share.get("type", "mount") == "mount" and source is not None and target is not None:
            mdef.shares.append((source.get("dir"), target.get("dir")))


def _indent(elem, level=0):
    pad = "\n" + "  " * level
    if len(elem):
        if not (elem.text or "").strip():
            elem.text = pad + "  "
        for child in elem:
            _indent(child, level + 1)
        if not (child.tail or "").strip():  # pylint: disable=undefined-loop-variable
            child.tail = pad  # pylint: disable=undefined-loop-variable
    if level and not (elem.tail or "").strip():
        elem.tail = pad


def _memory_mib(elem):
    if elem is None or not (elem.text or "").strip():
        return None
    try:
        value = int(elem.text.strip())
    except ValueError:
        raise NestosError("domain XML: <memory> is not a whole number: %r" % elem.text[:40], path="memory")
    unit = (elem.get("unit") or "KiB").lower()
    factor = {"b": 1.0 / (1 << 20), "bytes": 1.0 / (1 << 20), "k": 1.0 / 1024, "kib": 1.0 / 1024,
              "m": 1, "mib": 1, "g": 1024, "gib": 1024, "t": 1 << 20, "tib": 1 << 20,
              "kb": 1000.0 / (1 << 20), "mb": 1000000.0 / (1 << 20), "gb": 1e9 / (1 << 20)}.get(unit, 1.0 / 1024)
    return int(round(value * factor))


def parse(xml_text):
    # type: (str) -> MachineDef
    """The managed fields of a domain, read from libvirt's XML."""
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError as exc:
        raise NestosError("libvirt returned domain XML that does not parse: %s" % exc)
    if root.tag != "domain" or not root.get("type"):
        raise NestosError("libvirt returned domain XML without <domain type=...>", path="domain/@type")
    mdef = MachineDef(name=root.findtext("name"), domain_type=root.get("type"))
    mdef.uuid = root.findtext("uuid")
    _parse_platform(root, mdef)
    mark = root.find("metadata/{%s}machine" % META_NS)
    if mark is not None:
        prefix = "{%s}" % META_NS
        mdef.metadata = dict((child.tag[len(prefix):], child.text or "") for child in mark
                             if isinstance(child.tag, str) and child.tag.startswith(prefix))
    mdef.disk = None
    mdef.console_log = None
    devices = root.find("devices")
    if devices is not None:
        _parse_media(devices, mdef)
        _parse_devices(devices, mdef)
    _parse_fwcfg(root, mdef)
    return mdef


def _parse_platform(root, mdef):
    # type: (ET.Element, MachineDef) -> None
    os_type = root.find("os/type")
    if os_type is not None:
        mdef.arch = os_type.get("arch")
        mdef.machine = os_type.get("machine")
    os_elem = root.find("os")
    efi = os_elem is not None and (os_elem.get("firmware") == "efi" or os_elem.find("loader") is not None)
    mdef.firmware = "efi" if efi else "bios"
    mdef.memory_mib = _memory_mib(root.find("memory"))
    vcpu = (root.findtext("vcpu") or "").strip()
    mdef.vcpus = int(vcpu) if vcpu.isascii() and vcpu.isdigit() else None


def _parse_devices(devices, mdef):
    # type: (ET.Element, MachineDef) -> None
    """The disk (and its driver options), the NICs and the serial console."""
    for disk in devices.findall("disk"):
        source = disk.find("source")
        if disk.get("device", "disk") == "disk" and source is not None and source.get("file"):
            mdef.disk = source.get("file")
            driver = disk.find("driver")
            attrs = driver.attrib if driver is not None else {}
            mdef.disk_options = dict((name, attrs[attr]) for name, attr, _key, _default in DISK_OPTIONS
                                     if attrs.get(attr))
            break
    for iface in devices.findall("interface"):
        kind = iface.get("type")
        source, mac, model = iface.find("source"), iface.find("mac"), iface.find("model")
        src = None
        if source is not None:
            src = source.get("network") if kind == "network" else source.get("bridge")
        mdef.interfaces.append(Interface(kind, src, mac.get("address") if mac is not None else None,
                                         model.get("type") if model is not None else None))
    for serial in devices.findall("serial"):
        source = serial.find("source")
        if serial.get("type") == "file" and source is not None:
            mdef.console_log = source.get("path")
            break


def _parse_fwcfg(root, mdef):
    # type: (ET.Element, MachineDef) -> None
    """Where the Ignition copy is: <sysinfo type='fwcfg'>, else a qemu:commandline -fw_cfg argument."""
    mdef.ignition_file = None
    mdef.fwcfg_style = "sysinfo"
    for entry in root.findall("sysinfo[@type='fwcfg']/entry"):
        if entry.get("name") == FWCFG_NAME:
            mdef.ignition_file = entry.get("file")
    if mdef.ignition_file is not None:
        return
    args = [arg.get("value") or "" for arg in root.findall("{%s}commandline/{%s}arg" % (QEMU_NS, QEMU_NS))]
    for index, value in enumerate(args[:-1]):
        if value == "-fw_cfg":
            spec = dict(part.split("=", 1) for part in args[index + 1].split(",") if "=" in part)
            if spec.get("name") == FWCFG_NAME:
                mdef.ignition_file = spec.get("file")
                mdef.fwcfg_style = "commandline"


# the model's names stay importable from here (callers and tests use domainxml.*)
__all__ = ["ARCH_DEFAULTS", "DISK_OPTIONS", "FWCFG_NAME", "MAC_RE", "MANAGED_BY", "NAME_RE", "Interface", "MachineDef",
           "derive_mac", "META_NS", "QEMU_NS", "FWCFG_SYSINFO_MIN_VERSION", "render", "parse"]
