# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bring a NestOS machine under libvirt to a wanted state, idempotently.

:func:`ensure` is the whole engine behind ``nestos.lifecycle.libvirt_vm``: it reads the
domain (if any), decides what has to change, acts (unless in check mode) and returns a result
dict with ``changed``, ``actions``, ``diff``, ``warnings`` and the machine's facts.

Rules:
- A domain is ours when its <metadata> carries our mark. Others are never touched unless
  ``adopt`` is set.
- The machine's identity (UUID, MACs) is kept across runs; MACs not given are derived from
  the name (see :func:`domainxml.derive_mac`), so they also survive a re-creation.
- Ignition runs only on a machine's first boot, so a changed Ignition (or base image) means
  re-provisioning: done only with ``recreate``; otherwise the machine is left as it is and the
  result says ``reprovision_required`` (or the call fails with ``on_config_change=fail``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import re
import time
import traceback

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt import address, domainxml, host, storage
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt.domainxml import Interface, MachineDef

try:
    import libvirt
    HAS_LIBVIRT = True
    LIBVIRT_IMPORT_ERROR = None
except ImportError:
    libvirt = None
    HAS_LIBVIRT = False
    LIBVIRT_IMPORT_ERROR = traceback.format_exc()

STATES = ("present", "running", "stopped", "restarted", "absent")
DEFAULT_STORAGE_DIR = "/var/lib/libvirt/images"
DEFAULT_LOG_DIR = "/var/log/libvirt/qemu"
# virDomainState values
_ACTIVE_STATES = (1, 2, 3, 4, 7)  # running, blocked, paused, shutting down, pmsuspended
_STATE_NAMES = {0: "nostate", 1: "running", 2: "blocked", 3: "paused", 4: "shutdown", 5: "shutoff",
                6: "crashed", 7: "pmsuspended"}


def _quiet(_ctx, _err):
    return None


def connect(uri):
    if not HAS_LIBVIRT:
        raise NestosError("libvirt-python is required (pip install libvirt-python, or the python3-libvirt package)")
    # libvirt's default error handler prints every error to stderr; errors reach us as exceptions.
    libvirt.registerErrorHandler(_quiet, None)
    try:
        return libvirt.open(uri)
    except libvirt.libvirtError as exc:
        raise NestosError("cannot connect to libvirt at %s: %s" % (uri, exc.get_error_message()), path="uri")


def _lookup(conn, name):
    try:
        return conn.lookupByName(name)
    except libvirt.libvirtError as exc:
        if exc.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
            return None
        raise NestosError("libvirt lookup of %s failed: %s" % (name, exc.get_error_message()))


def _inactive_xml(dom):
    return dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)


def _is_active(dom):
    return dom.state()[0] in _ACTIVE_STATES


def _libvirt_call(what, func, *args):
    try:
        return func(*args)
    except libvirt.libvirtError as exc:
        raise NestosError("%s failed: %s" % (what, exc.get_error_message()))


def _interfaces(name, networks, current):
    """Wanted NICs; MACs: given > the current NIC at the same position > derived from the name."""
    out = []
    for index, net in enumerate(networks):
        where = "networks[%d]" % index
        if not isinstance(net, dict):
            raise NestosError("must be a dictionary with network or bridge", path=where)
        unknown = set(net) - set(("network", "bridge", "mac", "model"))
        if unknown:
            raise NestosError("unknown key(s) %s; use network, bridge, mac, model" % ", ".join(sorted(unknown)),
                              path=where)
        if bool(net.get("network")) == bool(net.get("bridge")):
            raise NestosError("give exactly one of network (a libvirt network) or bridge (a host bridge)",
                              path=where)
        kind = "network" if net.get("network") else "bridge"
        mac = (net.get("mac") or "").lower() or None
        if mac and not domainxml.MAC_RE.match(mac):
            raise NestosError("invalid MAC address %r" % net.get("mac"), path=where + ".mac")
        if mac is None and current is not None and index < len(current.interfaces) and current.interfaces[index].mac:
            mac = current.interfaces[index].mac
        if mac is None:
            mac = domainxml.derive_mac(name, index)
        out.append(Interface(kind, net.get(kind), mac, net.get("model") or "virtio"))
    macs = [nic.mac for nic in out]
    if len(set(macs)) != len(macs):
        raise NestosError("two NICs have the same MAC address", path="networks")
    return out


def _advertised_types(conn, arch):
    """Domain types libvirt offers for ``arch``, and the emulator it uses."""
    caps = conn.getCapabilities()
    import xml.etree.ElementTree as ET
    root = ET.fromstring(caps)
    for guest in root.findall("guest"):
        arch_elem = guest.find("arch")
        if guest.findtext("os_type") == "hvm" and arch_elem is not None and arch_elem.get("name") == arch:
            return [d.get("type") for d in arch_elem.findall("domain")], arch_elem.findtext("emulator")
    return [], None


def _xml_diff(before, after, name):
    return {"before": before, "after": after,
            "before_header": "libvirt domain %s (managed fields)" % name,
            "after_header": "libvirt domain %s (managed fields)" % name}


class Request(object):
    """The parameters of one ``ensure`` call (module options, already type-checked)."""

    def __init__(self, name, state="running", uri="qemu:///system", image=None, disk_size=None, vcpus=2,
                 memory=2048, networks=None, arch=None, domain_type="auto", machine=None, firmware="auto",
                 storage_dir=DEFAULT_STORAGE_DIR, console_log=None, ignition_bytes=None, recreate=False,
                 adopt=False, on_config_change="warn", wait_for="none", ssh_port=22, wait_timeout=300,
                 wait_for_console=None, stop_timeout=60):
        self.name = name
        self.state = state
        self.uri = uri
        self.image = image
        self.disk_size = disk_size
        self.vcpus = vcpus
        self.memory = memory
        self.networks = [{"network": "default"}] if networks is None else networks
        self.arch = arch or host.host_arch()
        self.domain_type = domain_type
        self.machine = machine
        self.firmware = firmware
        self.storage_dir = storage_dir
        self.console_log = console_log
        self.ignition_bytes = ignition_bytes
        self.recreate = recreate
        self.adopt = adopt
        self.on_config_change = on_config_change
        self.wait_for = wait_for
        self.ssh_port = ssh_port
        self.wait_timeout = wait_timeout
        self.wait_for_console = wait_for_console
        self.stop_timeout = stop_timeout

    def validate(self):
        if not domainxml.NAME_RE.match(self.name or ""):
            raise NestosError("invalid machine name %r: use letters, digits and . _ + - (at most 63, starting with"
                              " a letter or digit)" % self.name, path="name")
        if self.state not in STATES:
            raise NestosError("state must be one of %s" % ", ".join(STATES), path="state")
        if self.arch not in domainxml.ARCH_DEFAULTS:
            raise NestosError("arch %s is not supported; use x86_64 or aarch64" % self.arch, path="arch")
        if self.vcpus is not None and self.vcpus < 1:
            raise NestosError("must be at least 1", path="vcpus")
        if self.memory is not None and self.memory < 128:
            raise NestosError("must be at least 128 (MiB)", path="memory")
        if not os.path.isabs(self.storage_dir):
            raise NestosError("must be an absolute path", path="storage_dir")
        if self.console_log and not os.path.isabs(self.console_log):
            raise NestosError("must be an absolute path", path="console_log")
        if self.firmware == "bios" and self.arch == "aarch64":
            raise NestosError("aarch64 guests boot UEFI only; use firmware: auto or efi", path="firmware")
        if self.wait_for_console:
            try:
                re.compile(self.wait_for_console)
            except re.error as exc:
                raise NestosError("not a valid regular expression: %s" % exc, path="wait_for_console")

    @property
    def overlay(self):
        return os.path.join(self.storage_dir, "%s.qcow2" % self.name)

    @property
    def ignition_file(self):
        return os.path.join(self.storage_dir, "%s.ign" % self.name)

    @property
    def console_path(self):
        return self.console_log or os.path.join(DEFAULT_LOG_DIR, "%s-console.log" % self.name)


class Run(object):
    """One ensure() pass: collects actions, warnings and the facts to return."""

    def __init__(self, conn, req, check_mode):
        self.conn = conn
        self.req = req
        self.check_mode = check_mode
        self.actions = []
        self.warnings = []
        self.result = {}

    def act(self, action):
        self.actions.append(action)

    # ---- helpers -----------------------------------------------------------
    def fwcfg_style(self):
        try:
            version = self.conn.getLibVersion()
        except Exception:  # pylint: disable=broad-except  # test driver may not say
            return "sysinfo"
        return "sysinfo" if version >= domainxml.FWCFG_SYSINFO_MIN_VERSION else "commandline"

    def domain_type(self, current):
        req = self.req
        if req.domain_type != "auto":
            return req.domain_type, "requested"
        if current is not None and current.domain_type in ("kvm", "qemu"):
            return current.domain_type, "kept from the existing domain"
        advertised, emulator = _advertised_types(self.conn, req.arch)
        if not advertised:
            raise NestosError("libvirt at %s cannot run %s guests" % (self.conn.getURI(), req.arch), path="arch")
        if req.domain_type == "auto" and "kvm" not in advertised and "qemu" not in advertised:
            return advertised[0], "only type libvirt offers"
        return host.choose_domain_type("auto", req.arch, advertised, emulator)

    def desired(self, current, sha, base, keep_paths=False):
        """The wanted definition. ``keep_paths``: an existing machine keeps its disk and Ignition copy where they
        are (like its UUID and MACs), even if ``storage_dir`` changed since."""
        req = self.req
        disk, ign_file = req.overlay, req.ignition_file
        adopted = current is not None and (not current.owned() or current.metadata.get("adopted") == "yes")
        if keep_paths and current is not None:
            disk = current.disk or disk
            ign_file = current.ignition_file or ign_file
            moved = [what for what, have, want in (("disk", disk, req.overlay), ("Ignition copy", ign_file,
                                                   req.ignition_file)) if have != want]
            if moved and not adopted:
                self.warnings.append("the %s of %s stay%s where %s (%s); re-create the machine to move %s"
                                     % (" and ".join(moved), req.name, "" if len(moved) > 1 else "s",
                                        "they are" if len(moved) > 1 else "it is", ", ".join(
                                            p for p in (disk, ign_file) if p not in (req.overlay, req.ignition_file)),
                                        "them" if len(moved) > 1 else "it"))
        dtype, reason = self.domain_type(current)
        self.result["domain_type"] = dtype
        self.result["domain_type_reason"] = reason
        firmware = None if req.firmware == "auto" else req.firmware
        mdef = MachineDef(
            name=req.name, domain_type=dtype, arch=req.arch, machine=req.machine,
            firmware=firmware or domainxml.ARCH_DEFAULTS[req.arch]["firmware"],
            memory_mib=req.memory, vcpus=req.vcpus, disk=disk, ignition_file=ign_file,
            console_log=req.console_path, interfaces=_interfaces(req.name, req.networks, current),
            uuid=current.uuid if current is not None else None, fwcfg_style=self.fwcfg_style(),
            metadata={"managed-by": domainxml.MANAGED_BY, "ignition-sha256": sha, "base": base})
        if adopted:
            mdef.metadata["adopted"] = "yes"
        if current is not None and not req.machine:
            mdef.machine = current.machine
        return mdef

    # ---- creation / removal -----------------------------------------------
    def create(self, mdef, ignition, base_info):
        req = self.req
        for path, what in ((req.overlay, "overlay"),):
            if os.path.exists(path):
                if not req.recreate:
                    raise NestosError("%s %s already exists but no domain %s does; remove it or set recreate: true"
                                      % (what, path, req.name), file=path)
        self.act("create overlay %s on %s" % (req.overlay, req.image))
        self.act("write Ignition %s" % req.ignition_file)
        self.act("define domain %s" % req.name)
        if self.check_mode:
            return None
        if not os.path.isdir(req.storage_dir):
            raise NestosError("storage folder does not exist", file=req.storage_dir, path="storage_dir")
        storage.remove(req.overlay)
        storage.create_overlay(req.image, req.overlay, storage.parse_size(req.disk_size), base_info)
        try:
            storage.place_ignition(req.ignition_file, ignition)
            log_dir = os.path.dirname(req.console_path)
            if not os.path.isdir(log_dir):
                raise NestosError("console log folder does not exist", file=log_dir, path="console_log")
            dom = _libvirt_call("defining domain %s" % req.name, self.conn.defineXML, domainxml.render(mdef))
        except Exception:
            storage.remove(req.overlay)
            storage.remove(req.ignition_file)
            raise
        return dom

    def remove(self, dom, current):
        """Destroy and undefine ``dom``; remove the overlay and the Ignition copy (never the base)."""
        req = self.req
        if _is_active(dom):
            self.act("destroy domain %s" % req.name)
            if not self.check_mode:
                _libvirt_call("stopping %s" % req.name, dom.destroy)
        self.act("undefine domain %s" % req.name)
        files = []
        adopted = not current.owned() or current.metadata.get("adopted") == "yes"
        for path in (current.disk, current.ignition_file):
            if not path or not os.path.exists(path) or path == current.metadata.get("base"):
                continue
            if adopted and path not in (req.overlay, req.ignition_file):
                self.warnings.append("kept %s: it belonged to the domain before it was adopted" % path)
                continue
            files.append(path)
        for path in files:
            self.act("remove %s" % path)
        if self.check_mode:
            return
        flags = libvirt.VIR_DOMAIN_UNDEFINE_NVRAM | libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
        try:
            dom.undefineFlags(flags)
        except libvirt.libvirtError:
            _libvirt_call("undefining %s" % req.name, dom.undefine)
        for path in files:
            storage.remove(path)

    # ---- power -------------------------------------------------------------
    def start(self, dom):
        self.act("start domain %s" % self.req.name)
        if not self.check_mode:
            _libvirt_call("starting %s" % self.req.name, dom.create)

    def stop(self, dom):
        req = self.req
        if self.check_mode:
            self.act("shut down domain %s" % req.name)
            return
        if req.stop_timeout > 0:
            self.act("shut down domain %s" % req.name)
            try:
                dom.shutdown()
            except libvirt.libvirtError as exc:
                self.warnings.append("ACPI shutdown request failed (%s); stopping it hard" % exc.get_error_message())
            deadline = time.time() + req.stop_timeout
            while time.time() < deadline and _is_active(dom):
                time.sleep(0.5)
        if _is_active(dom):
            self.act("destroy domain %s (did not shut down within %ss)" % (req.name, req.stop_timeout))
            self.result["forced_stop"] = True
            try:
                dom.destroy()
            except libvirt.libvirtError as exc:
                if _is_active(dom):
                    raise NestosError("stopping %s failed: %s" % (req.name, exc.get_error_message()))

    # ---- main ---------------------------------------------------------------
    def ensure(self):
        req = self.req
        req.validate()
        dom = _lookup(self.conn, req.name)
        current = domainxml.parse(_inactive_xml(dom)) if dom is not None else None
        if current is not None and not current.owned() and not req.adopt:
            raise NestosError("domain %s exists and was not created by nestos.lifecycle; it is left alone"
                              " (set adopt: true to manage it)" % req.name, path="name")
        before_xml = domainxml.render(current) if current is not None else ""

        if req.state == "absent":
            if dom is not None:
                self.remove(dom, current)
            self.result.update(name=req.name, state="absent")
            self.finish(None, before_xml, "")
            return self.result

        ignition = req.ignition_bytes
        sha = config_digest(ignition) if ignition is not None else None
        base_info = None
        if dom is None:
            if ignition is None:
                raise NestosError("an Ignition config (ignition, ignition_content or butane) is required to create"
                                  " machine %s" % req.name, path="ignition")
            base_info = storage.check_base(req.image)
        elif req.image:
            base_info = storage.check_base(req.image)

        reprovision = []
        previous = None
        if current is not None and current.owned():
            if sha is not None and current.metadata.get("ignition-sha256") and current.metadata["ignition-sha256"] != sha:
                reprovision.append("the Ignition config")
            if req.image and current.metadata.get("base") and current.metadata["base"] != req.image:
                reprovision.append("the base image")
        if reprovision and req.recreate:
            self.act("re-provision %s: %s changed" % (req.name, " and ".join(reprovision)))
            self.remove(dom, current)
            previous = current
            dom, current = None, None
        elif reprovision:
            msg = ("machine %s: %s changed since it was provisioned; Ignition runs only on first boot, so the"
                   " change needs a re-provision: set recreate: true to delete and re-create the machine"
                   % (req.name, " and ".join(reprovision)))
            if req.on_config_change == "fail":
                raise NestosError(msg, path="recreate")
            self.warnings.append(msg + " (left unchanged)")
            self.result["reprovision_required"] = True
            self.result["msg"] = msg + " (left unchanged)"
            # keep what the machine was provisioned with
            sha = current.metadata.get("ignition-sha256")
            ignition = None
            req.image = current.metadata.get("base") or req.image

        base = req.image if dom is None or not current.metadata.get("base") else (
            req.image or current.metadata.get("base"))
        if current is not None and sha is None:
            sha = current.metadata.get("ignition-sha256")
        # after a re-provision removal, the old definition still lends its identity (UUID, MACs)
        mdef = self.desired(current if current is not None else previous, sha, base, keep_paths=current is not None)

        if dom is None:
            dom = self.create(mdef, ignition if ignition is not None else req.ignition_bytes, base_info)
        else:
            changed_fields = mdef.differences(current) or (["metadata"] if mdef.metadata != current.metadata else [])
            if changed_fields:
                self.act("redefine domain %s (%s)" % (req.name, ", ".join(changed_fields)))
                if _is_active(dom) and set(changed_fields) - set(["metadata"]):
                    self.warnings.append("%s is running: the new definition (%s) applies at its next start"
                                         % (req.name, ", ".join(f for f in changed_fields if f != "metadata")))
                    self.result["restart_required"] = True
                if not self.check_mode:
                    dom = _libvirt_call("redefining %s" % req.name, self.conn.defineXML, domainxml.render(mdef))
            if ignition is not None:
                # A copy with the same content in another layout is kept as it is.
                on_disk = _read_bytes(mdef.ignition_file)
                if on_disk is not None and config_digest(on_disk) == sha:
                    ignition = on_disk
                if storage.place_ignition(mdef.ignition_file, ignition, check_mode=self.check_mode):
                    self.act("write Ignition %s" % mdef.ignition_file)
            self.grow(dom, mdef.disk)

        if dom is not None or self.check_mode:
            self.power(dom)
        self.finish(dom, before_xml, domainxml.render(mdef), mdef)
        return self.result

    def grow(self, dom, disk):
        req = self.req
        size = storage.parse_size(req.disk_size)
        if size is None or not disk or not os.path.exists(disk):
            return
        current = int(storage.image_info(disk)["virtual-size"])
        if size < current:
            self.warnings.append("disk_size is smaller than the disk (%d bytes); disks are never shrunk" % current)
            return
        if size == current:
            return
        self.act("grow disk %s to %d bytes" % (disk, size))
        if self.check_mode:
            return
        if _is_active(dom):
            _libvirt_call("growing disk of %s" % req.name, dom.blockResize, "vda", size,
                          libvirt.VIR_DOMAIN_BLOCK_RESIZE_BYTES)
        else:
            storage.resize_overlay(disk, size)

    def power(self, dom):
        req = self.req
        active = dom is not None and _is_active(dom)
        if req.state == "running" and not active:
            self.start_or_predict(dom)
        elif req.state == "stopped" and active:
            self.stop(dom)
        elif req.state == "restarted":
            if active:
                self.stop(dom)
            self.start_or_predict(dom)

    def start_or_predict(self, dom):
        if dom is None:  # check mode, machine not created yet
            self.act("start domain %s" % self.req.name)
            return
        self.start(dom)

    def finish(self, dom, before_xml, after_xml, mdef=None):
        req = self.req
        changed = bool(self.actions)
        self.result.update(changed=changed, actions=self.actions, warnings=self.warnings, name=req.name)
        if changed or before_xml != after_xml:
            self.result["diff"] = _xml_diff(before_xml, after_xml if req.state != "absent" else "", req.name)
        if req.state == "absent":
            self.result.update(uuid=None, mac=None, macs=[], ip=None, xml="")
            return
        self.result.update(overlay=mdef.disk if mdef else req.overlay,
                           ignition_file=mdef.ignition_file if mdef else req.ignition_file, console_log=req.console_path,
                           base=mdef.metadata.get("base") if mdef else None)
        self.result["mac"] = mdef.interfaces[0].mac if mdef and mdef.interfaces else None
        self.result["macs"] = mdef.macs() if mdef else []
        self.result["ip"] = None
        if dom is None:  # check mode before creation
            self.result.update(uuid=None, xml=after_xml, state=req.state if req.state != "restarted" else "running")
            return
        self.result["uuid"] = dom.UUIDString()
        self.result["xml"] = dom.XMLDesc(0)
        active = _is_active(dom)
        self.result["state"] = _STATE_NAMES.get(dom.state()[0], "unknown")
        if self.check_mode:
            self.result["state"] = {"running": "running", "restarted": "running", "stopped": "shutoff"}.get(
                req.state, self.result["state"])
            return
        if active and req.state in ("running", "restarted", "present"):
            self.wait(dom, mdef)
            # the power state after the wait (a guest may power itself off once provisioned)
            self.result["state"] = _STATE_NAMES.get(dom.state()[0], "unknown")
        elif req.state in ("running", "restarted") and req.wait_for in ("address", "ssh"):
            # Asked to be running and reachable, but the guest already stopped on its own.
            tail = "\n".join(_read_text(req.console_path).splitlines()[-15:])
            raise NestosError("%s stopped on its own before it got an address (console log %s ends with:\n%s)"
                              % (req.name, req.console_path, tail or "(empty)"), path="wait_for")

    def wait(self, dom, mdef):
        req = self.req
        start = time.time()
        if req.wait_for_console:
            pattern = re.compile(req.wait_for_console)
            while True:
                text = _read_text(req.console_path)
                if pattern.search(text):
                    break
                check_console_for_panic(text, req.name, req.console_path)
                if time.time() - start >= req.wait_timeout:
                    raise NestosError("console of %s did not show %r within %ds (log: %s)"
                                      % (req.name, req.wait_for_console, req.wait_timeout, req.console_path),
                                      path="wait_for_console")
                time.sleep(0.5)
            self.result["console_matched"] = True
        if req.wait_for in ("address", "ssh") and _is_active(dom):
            port = req.ssh_port if req.wait_for == "ssh" else None
            remaining = max(1, req.wait_timeout - int(time.time() - start))
            ip, source, waited = address.wait_for(self.conn, dom, mdef.interfaces, port=port, timeout=remaining,
                                                  is_running=lambda: _is_active(dom))
            self.result.update(ip=ip, ip_source=source, waited=waited)
        elif _is_active(dom):
            ip, source = address.find_address(self.conn, dom, mdef.interfaces)
            self.result.update(ip=ip, ip_source=source)


PANIC_RE = re.compile(r"Kernel panic - not syncing:[^\n]*")


def check_console_for_panic(text, name, path):
    """Fail at once (instead of at the timeout) when the guest's kernel panicked."""
    match = PANIC_RE.search(text)
    if match:
        raise NestosError("the kernel of %s panicked: %s (console log: %s)" % (name, match.group(0).strip(), path),
                          path="wait_for_console")


def config_digest(data):
    """sha256 of an Ignition config in a canonical JSON form (sorted keys, no spaces).

    Re-formatting a config (indentation, key order) is not a change; any change of a value is.
    """
    try:
        canonical = json.dumps(json.loads(data.decode("utf-8")), sort_keys=True, separators=(",", ":"))
    except ValueError:
        return hashlib.sha256(data).hexdigest()
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _read_bytes(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def _read_text(path):
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except (IOError, OSError):
        return ""


def ensure(req, check_mode=False, conn=None):
    """Run one pass for ``req`` (a :class:`Request`); returns the result dict."""
    own = conn is None
    if own:
        conn = connect(req.uri)
    try:
        return Run(conn, req, check_mode).ensure()
    finally:
        if own:
            try:
                conn.close()
            except libvirt.libvirtError:  # the daemon went away; nothing left to close
                conn = None
