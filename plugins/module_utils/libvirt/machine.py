# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The libvirt backend of the machine loop (``converge.ensure``): a NestOS machine as a libvirt domain.

:func:`ensure` is the engine behind ``nestos.lifecycle.libvirt_vm`` with the default backend.
The domain XML comes from ``domainxml.render`` (the libvirt renderer of the machine model).

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

import os
import time
import traceback
import xml.etree.ElementTree as ET

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt import address, converge, domainxml, host, storage
# Request, the constants and helpers kept importable from here (callers and tests use machine.*).
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt.converge import (  # noqa: F401
    DEFAULT_LOG_DIR, DEFAULT_STORAGE_DIR, PLATFORMS, STATES, Backend, Request, check_console_for_panic,
    config_digest, read_text)
try:
    from typing import Dict, List, Optional, Tuple  # noqa: F401  (type comments)
except ImportError:  # pragma: no cover
    pass

try:
    import libvirt
    HAS_LIBVIRT = True
    LIBVIRT_IMPORT_ERROR = None
except ImportError:
    libvirt = None
    HAS_LIBVIRT = False
    LIBVIRT_IMPORT_ERROR = traceback.format_exc()

# virDomainState values
_ACTIVE_STATES = (1, 2, 3, 4, 7)  # running, blocked, paused, shutting down, pmsuspended
_STATE_NAMES = {0: "nostate", 1: "running", 2: "blocked", 3: "paused", 4: "shutdown", 5: "shutoff",
                6: "crashed", 7: "pmsuspended"}
STOP_POLL = 0.5


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


def _is_active(dom):
    return dom.state()[0] in _ACTIVE_STATES


def _libvirt_call(what, func, *args):
    try:
        return func(*args)
    except libvirt.libvirtError as exc:
        raise NestosError("%s failed: %s" % (what, exc.get_error_message()))


def advertised_types(caps_xml, arch):
    # type: (str, str) -> Tuple[List[str], Optional[str]]
    """Domain types a libvirt capabilities document offers for ``arch``, and the emulator it uses."""
    try:
        root = ET.fromstring(caps_xml)
    except ET.ParseError as exc:
        raise NestosError("libvirt returned capabilities XML that does not parse: %s" % exc)
    for guest in root.findall("guest"):
        arch_elem = guest.find("arch")
        if guest.findtext("os_type") == "hvm" and arch_elem is not None and arch_elem.get("name") == arch:
            return [d.get("type") for d in arch_elem.findall("domain")], arch_elem.findtext("emulator")
    return [], None


class LibvirtBackend(Backend):
    """A machine as a libvirt domain on ``conn``."""

    kind = "libvirt domain"
    nic_backend = "libvirt"

    def __init__(self, conn, req):
        # type: (object, Request) -> None
        Backend.__init__(self)
        self.conn = conn
        self.req = req
        self.dom = None

    # ---- reading -----------------------------------------------------------
    def load(self):
        req = self.req
        self.dom = _lookup(self.conn, req.name)
        if self.dom is None:
            return None
        current = domainxml.parse(self.dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        if not current.owned() and not req.adopt:
            raise NestosError("domain %s exists and was not created by nestos.lifecycle; it is left alone"
                              " (set adopt: true to manage it)" % req.name, path="name")
        return current

    def describe(self, mdef):
        return domainxml.render(mdef) if mdef is not None else ""

    def changes(self, current, wanted):
        return wanted.differences(current) or (["metadata"] if wanted.metadata != current.metadata else [])

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
        advertised, emulator = advertised_types(self.conn.getCapabilities(), req.arch)
        if not advertised:
            raise NestosError("libvirt at %s cannot run %s guests" % (self.conn.getURI(), req.arch), path="arch")
        if "kvm" not in advertised and "qemu" not in advertised:
            return advertised[0], "only type libvirt offers"
        return host.choose_domain_type("auto", req.arch, advertised, emulator)

    def is_active(self):
        return self.dom is not None and _is_active(self.dom)

    # ---- changing ----------------------------------------------------------
    def define(self, mdef, changed):
        run, req = self.run, self.req
        fresh = changed is None
        if fresh:
            run.act("define domain %s" % req.name)
        else:
            run.act("redefine domain %s (%s)" % (req.name, ", ".join(changed)))
            if self.is_active() and set(changed) - set(["metadata"]):
                run.warnings.append("%s is running: the new definition (%s) applies at its next start"
                                    % (req.name, ", ".join(f for f in changed if f != "metadata")))
                run.result["restart_required"] = True
        if not run.check_mode:
            self.dom = _libvirt_call("%s domain %s" % ("defining" if fresh else "redefining", req.name),
                                     self.conn.defineXML, domainxml.render(mdef))

    def remove(self, current):
        """Destroy and undefine the domain; remove the overlay and the Ignition copy (never the base)."""
        run, req, dom = self.run, self.req, self.dom
        if _is_active(dom):
            run.act("destroy domain %s" % req.name)
            if not run.check_mode:
                _libvirt_call("stopping %s" % req.name, dom.destroy)
        run.act("undefine domain %s" % req.name)
        files = self._owned_files(current)
        for path in files:
            run.act("remove %s" % path)
        if run.check_mode:
            return
        flags = libvirt.VIR_DOMAIN_UNDEFINE_NVRAM | libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
        try:
            dom.undefineFlags(flags)
        except libvirt.libvirtError:
            _libvirt_call("undefining %s" % req.name, dom.undefine)
        for path in files:
            storage.remove(path)
        self.dom = None

    def _owned_files(self, current):
        req = self.req
        files = []
        adopted = not current.owned() or current.metadata.get("adopted") == "yes"
        for path in (current.disk, current.ignition_file):
            if not path or not os.path.exists(path) or path == current.metadata.get("base"):
                continue
            if adopted and path not in (req.overlay, req.ignition_file):
                self.run.warnings.append("kept %s: it belonged to the domain before it was adopted" % path)
                continue
            files.append(path)
        return files

    def start(self, mdef):
        self.run.act("start domain %s" % self.req.name)
        if not self.run.check_mode and self.dom is not None:
            _libvirt_call("starting %s" % self.req.name, self.dom.create)

    def stop(self):
        run, req, dom = self.run, self.req, self.dom
        if run.check_mode:
            run.act("shut down domain %s" % req.name)
            return
        if req.stop_timeout > 0:
            run.act("shut down domain %s" % req.name)
            try:
                dom.shutdown()
            except libvirt.libvirtError as exc:
                run.warnings.append("ACPI shutdown request failed (%s); stopping it hard" % exc.get_error_message())
            deadline = time.time() + req.stop_timeout
            while time.time() < deadline and _is_active(dom):
                time.sleep(STOP_POLL)
        if _is_active(dom):
            run.act("destroy domain %s (did not shut down within %ss)" % (req.name, req.stop_timeout))
            run.result["forced_stop"] = True
            try:
                dom.destroy()
            except libvirt.libvirtError as exc:
                if _is_active(dom):
                    raise NestosError("stopping %s failed: %s" % (req.name, exc.get_error_message()))

    def grow(self, disk, size):
        run = self.run
        run.act("grow disk %s to %d bytes" % (disk, size))
        if run.check_mode:
            return
        if self.is_active():
            _libvirt_call("growing disk of %s" % self.req.name, self.dom.blockResize, "vda", size,
                          libvirt.VIR_DOMAIN_BLOCK_RESIZE_BYTES)
        else:
            storage.resize_overlay(disk, size)

    # ---- facts -------------------------------------------------------------
    def report(self, mdef):
        run, req, dom = self.run, self.req, self.dom
        if mdef is None:
            return
        if dom is None:  # check mode before creation
            run.result.update(uuid=None, xml=domainxml.render(mdef),
                              state=req.state if req.state != "restarted" else "running")
            return
        run.result["uuid"] = dom.UUIDString()
        run.result["xml"] = dom.XMLDesc(0)
        run.result["state"] = _STATE_NAMES.get(dom.state()[0], "unknown")
        if run.check_mode:
            return
        if _is_active(dom) and req.state in ("running", "restarted", "present"):
            self.wait(mdef)
            # the power state after the wait (a guest may power itself off once provisioned)
            run.result["state"] = _STATE_NAMES.get(dom.state()[0], "unknown")
        elif req.state in ("running", "restarted") and req.wait_for in ("address", "ssh"):
            # Asked to be running and reachable, but the guest already stopped on its own.
            tail = "\n".join(read_text(req.console_path).splitlines()[-15:])
            raise NestosError("%s stopped on its own before it got an address (console log %s ends with:\n%s)"
                              % (req.name, req.console_path, tail or "(empty)"), path="wait_for")

    def wait(self, mdef):
        run, req, dom = self.run, self.req, self.dom
        start = time.time()
        if converge.wait_for_console(req, req.console_path, start):
            run.result["console_matched"] = True
        if req.wait_for in ("address", "ssh") and _is_active(dom):
            port = req.ssh_port if req.wait_for == "ssh" else None
            remaining = max(1, req.wait_timeout - int(time.time() - start))
            ip, source, waited = address.wait_for(self.conn, dom, mdef.interfaces, port=port, timeout=remaining,
                                                  is_running=lambda: _is_active(dom))
            run.result.update(ip=ip, ip_source=source, waited=waited)
        elif _is_active(dom):
            ip, source = address.find_address(self.conn, dom, mdef.interfaces)
            run.result.update(ip=ip, ip_source=source)


def ensure(req, check_mode=False, conn=None):
    # type: (Request, bool, object) -> Dict[str, object]
    """Run one pass for ``req`` (a :class:`Request`) against libvirt; returns the result dict."""
    own = conn is None
    if own:
        conn = connect(req.uri)
    try:
        return converge.ensure(req, LibvirtBackend(conn, req), check_mode)
    finally:
        if own:
            try:
                conn.close()
            except libvirt.libvirtError:  # the daemon went away; nothing left to close
                conn = None


# Request, the constants and helpers of converge stay importable from here (callers and tests use machine.*)
__all__ = ["DEFAULT_LOG_DIR", "DEFAULT_STORAGE_DIR", "PLATFORMS", "STATES", "HAS_LIBVIRT", "LIBVIRT_IMPORT_ERROR",
           "LibvirtBackend", "Request", "check_console_for_panic", "config_digest", "connect", "ensure"]
