# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain qemu backend of the machine loop: the same NestOS machine as under libvirt, for hosts without libvirt.

Like the guide's section 8.2.1: a qcow2 overlay on the base image, the Ignition config as the
fw_cfg entry ``opt/com.coreos/config``, started as a daemonized qemu with a pid file and the
serial console written to a log file. Files live in ``storage_dir``:

  <name>.qcow2   overlay          <name>.ign    Ignition copy (0600)
  <name>.pid     qemu's pid file  <name>.json   what the machine was made from (the ownership mark)
  <name>-console.log  serial console (unless console_log says otherwise)

A machine is ours when its ``<name>.json`` exists and names this collection. The loop is
``converge.ensure`` (the same rules as under libvirt: identity kept, a changed Ignition or base
means re-provisioning only with ``recreate``, check mode predicts, absent never touches the
base); the command line comes from ``qemuargv.render``, the plain qemu renderer of the model.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import signal
import subprocess
import time

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import atomic_write, check_destination
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt import address, converge, host, model, qemuargv, storage
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt.converge import Backend, Request  # noqa: F401
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt.model import Interface, MachineDef
# kept importable from here
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt.qemuargv import (  # noqa: F401
    AARCH64_FIRMWARE, X86_64_FIRMWARE)

try:
    from typing import Dict, List, Optional  # noqa: F401  (type comments)
except ImportError:  # pragma: no cover
    pass

STOP_POLL = 0.2
SSH_POLL = 1
# qemu gets at least this long to exit on SIGTERM before SIGKILL
MIN_STOP_TIMEOUT = 5


def _paths(req):
    # type: (Request) -> Dict[str, str]
    base = os.path.join(req.storage_dir, req.name)
    return {"overlay": base + ".qcow2", "ignition": base + ".ign", "pid": base + ".pid", "state": base + ".json",
            "console": req.console_log or base + "-console.log"}


def _nics(req, previous):
    # type: (Request, Optional[Dict[str, object]]) -> List[Interface]
    old = [Interface.from_state(nic) for nic in ((previous or {}).get("nics") or []) if isinstance(nic, dict)]
    return model.resolve_interfaces(req.name, req.networks, old, "qemu")


def _machine_def(req, paths, nics, accel):
    # type: (Request, Dict[str, str], List[Interface], str) -> MachineDef
    return MachineDef(name=req.name, domain_type="kvm" if accel == "kvm" else "qemu", arch=req.arch,
                      machine=req.machine, memory_mib=req.memory, vcpus=req.vcpus,
                      firmware=None if req.firmware == "auto" else req.firmware, disk=paths["overlay"],
                      ignition_file=paths["ignition"], console_log=paths["console"], interfaces=nics,
                      disk_options=req.disk_options, cdrom=req.cdrom, shares=req.shares)


def build_argv(req, paths, nics, accel, binary=None):
    # type: (Request, Dict[str, str], List[Interface], str, Optional[str]) -> List[str]
    """The qemu command line (list) for the machine ``req`` describes."""
    return qemuargv.render(_machine_def(req, paths, nics, accel), paths["pid"], binary)


def running_pid(paths, name):
    # type: (Dict[str, str], str) -> Optional[int]
    """The pid of this machine's qemu, or None (a stale pid file, or a pid now used by another process)."""
    try:
        with open(paths["pid"]) as handle:
            pid = int(handle.read().strip() or 0)
    except (IOError, OSError, ValueError):
        return None
    if pid <= 0:
        return None
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            cmdline = handle.read().split(b"\0")
    except (IOError, OSError):
        return None
    if qemuargv.process_name(name).encode() not in cmdline:
        return None
    return pid


def _load_state(paths):
    try:
        with open(paths["state"]) as handle:
            state = json.load(handle)
    except (IOError, OSError):
        return None
    except ValueError:
        raise NestosError("machine state file is not JSON; remove it or the machine by hand", file=paths["state"])
    if not isinstance(state, dict):
        raise NestosError("machine state file is not a JSON object; remove it or the machine by hand",
                          file=paths["state"])
    if state.get("managed-by") == model.MANAGED_BY:
        _check_state(state, paths["state"])
    return state


_NIC_FIELDS = (("kind", lambda v: v in ("user", "bridge")), ("source", lambda v: v is None or isinstance(v, str)),
               ("mac", lambda v: isinstance(v, str) and model.MAC_RE.match(v)),
               ("model", lambda v: isinstance(v, str) and v),
               ("ssh_forward", lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool) and 0 < v < 65536)))


def _check_state(state, path):
    # type: (Dict[str, object], str) -> None
    """A state file of ours holds what this backend wrote; anything else is named, never half-used."""
    def bad(where):
        raise NestosError("unexpected value in the machine state file; remove the machine (state: absent) or the"
                          " file by hand", file=path, path="$." + where)
    for key in ("ignition-sha256", "base"):
        if not (state.get(key) is None or isinstance(state.get(key), str)):
            bad(key)
    if state.get("accel") not in ("kvm", "tcg"):
        bad("accel")
    nics = state.get("nics")
    if not isinstance(nics, list):
        bad("nics")
    for index, nic in enumerate(nics):
        if not isinstance(nic, dict):
            bad("nics[%d]" % index)
        for field, valid in _NIC_FIELDS:
            if not valid(nic.get(field)):
                bad("nics[%d].%s" % (index, field))


def _dump(state):
    return json.dumps(state, indent=2, sort_keys=True) + "\n"


class QemuBackend(Backend):
    """A machine as a daemonized qemu process with its files in ``storage_dir``."""

    kind = "qemu machine"
    nic_backend = "qemu"

    def __init__(self, req, binary=None):
        # type: (Request, Optional[str]) -> None
        Backend.__init__(self)
        self.req = req
        self.binary = binary
        self.paths = _paths(req)
        self.previous = None  # type: Optional[Dict[str, object]]
        self.current = None  # type: Optional[MachineDef]

    # ---- reading -----------------------------------------------------------
    def load(self):
        req, paths = self.req, self.paths
        previous = _load_state(paths)
        if previous is not None and previous.get("managed-by") != model.MANAGED_BY:
            previous = None
        if previous is None:
            if not req.adopt and not req.recreate and (self.is_active() or os.path.lexists(paths["overlay"])):
                raise NestosError("%s exists but was not created by nestos.lifecycle; it is left alone (set recreate:"
                                  " true to replace it)" % paths["overlay"], file=paths["overlay"], path="name")
            return None
        self.previous = previous
        nics = [Interface.from_state(nic) for nic in previous["nics"]]
        self.current = _machine_def(req, paths, nics, previous["accel"])
        self.current.metadata = {"managed-by": model.MANAGED_BY, "ignition-sha256": previous.get("ignition-sha256"),
                                 "base": previous.get("base")}
        if previous.get("ignition-sha256") is None:
            self.current.ignition_file = None  # an ISO machine made without a config
        return self.current

    def state_of(self, mdef):
        # type: (MachineDef) -> Dict[str, object]
        """What the state file holds for ``mdef`` (also the text of the diff)."""
        return {"managed-by": model.MANAGED_BY, "ignition-sha256": mdef.metadata.get("ignition-sha256"),
                "base": mdef.metadata.get("base"), "nics": [nic.to_state() for nic in mdef.interfaces],
                "accel": qemuargv.accel_of(mdef), "argv": qemuargv.render(mdef, self.paths["pid"], self.binary)}

    def describe(self, mdef):
        if mdef is None:
            return ""
        return _dump(self.previous if mdef is self.current else self.state_of(mdef))

    def changes(self, current, wanted):
        return ["definition"] if self.describe(current) != self.describe(wanted) else []

    def domain_type(self, current):
        req = self.req
        if req.domain_type in ("kvm", "qemu"):
            return req.domain_type, "requested"
        if current is not None and current.domain_type:
            return current.domain_type, "kept from the existing machine"
        advertised = ["qemu", "kvm"] if os.path.exists("/dev/kvm") else ["qemu"]
        return host.choose_domain_type("auto", req.arch, advertised, self.binary or "/usr/bin/qemu-system-%s"
                                       % req.arch)

    def console_path(self):
        return self.paths["console"]

    def is_active(self):
        return running_pid(self.paths, self.req.name) is not None

    # ---- changing ----------------------------------------------------------
    def define(self, mdef, changed):
        run, req, paths = self.run, self.req, self.paths
        if changed is None:
            run.act("write machine definition %s" % paths["state"])
        else:
            run.act("update machine definition %s" % paths["state"])
            if self.is_active():
                run.warnings.append("%s is running: the new definition applies at its next start" % req.name)
                run.result["restart_required"] = True
        state = self.state_of(mdef)
        check_destination(paths["state"])
        if not run.check_mode:
            atomic_write(paths["state"], _dump(state), mode=0o644)

    def prepare_create(self):
        if self.is_active():
            self.stop()

    def remove(self, current):
        run, paths = self.run, self.paths
        if self.is_active():
            self.stop()
        for key in ("overlay", "ignition", "state", "pid"):
            if os.path.lexists(paths[key]):
                run.act("remove %s" % paths[key])
                if not run.check_mode:
                    storage.remove(paths[key])

    def start(self, mdef):
        run = self.run
        run.act("start qemu for %s" % self.req.name)
        if run.check_mode:
            return
        argv = qemuargv.render(mdef, self.paths["pid"], self.binary)
        with open(os.devnull, "rb") as null_in:
            proc = subprocess.Popen(argv, stdin=null_in, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    close_fds=True)
            out, err = proc.communicate()
        if proc.returncode != 0:
            raise NestosError("qemu failed to start (rc %d): %s" % (
                proc.returncode, (err or out).decode("utf-8", "replace").strip()))

    def stop(self):
        run, req, paths = self.run, self.req, self.paths
        pid = running_pid(paths, req.name)
        run.act("stop qemu of %s (pid %d)" % (req.name, pid))
        if run.check_mode:
            return
        os.kill(pid, signal.SIGTERM)  # qemu exits cleanly on SIGTERM
        deadline = time.time() + max(req.stop_timeout, MIN_STOP_TIMEOUT)
        while time.time() < deadline and running_pid(paths, req.name):
            time.sleep(STOP_POLL)
        if running_pid(paths, req.name):
            os.kill(pid, signal.SIGKILL)
            run.result["forced_stop"] = True
        storage.remove(paths["pid"])

    def grow(self, disk, size):
        run = self.run
        if self.is_active():
            run.warnings.append("%s is running: stop it to grow its disk to %d bytes" % (self.req.name, size))
            return
        run.act("grow disk %s to %d bytes" % (disk, size))
        if not run.check_mode:
            storage.resize_overlay(disk, size)

    # ---- facts -------------------------------------------------------------
    def report(self, mdef):
        run, req, paths = self.run, self.req, self.paths
        run.result.update(backend="qemu", pidfile=paths["pid"], console_log=paths["console"],
                          overlay=paths["overlay"], ignition_file=paths["ignition"])
        if mdef is None:
            run.result["pid"] = None
            return
        forward = [nic.ssh_forward for nic in mdef.interfaces if nic.ssh_forward]
        pid = running_pid(paths, req.name)
        run.result.update(uuid=None, xml="", argv=qemuargv.render(mdef, paths["pid"], self.binary),
                          ssh_forward=forward[0] if forward else None, state="running" if pid else "shutoff",
                          pid=None if run.check_mode else pid,
                          # user-mode networking: the guest is reached through the forwarded port on 127.0.0.1
                          ip="127.0.0.1" if forward else None)
        if not run.check_mode and pid and req.state in ("running", "restarted"):
            self.wait(forward)

    def wait(self, forward):
        run, req = self.run, self.req
        start = time.time()
        if converge.wait_for_console(req, self.paths["console"], start):
            run.result["console_matched"] = True
        if req.wait_for == "ssh":
            if not forward:
                raise NestosError("wait_for: ssh with backend qemu needs a user-mode NIC with ssh_forward",
                                  path="wait_for")
            while not address.port_open("127.0.0.1", forward[0]):
                if time.time() - start >= req.wait_timeout:
                    raise NestosError("port %d (forwarded to the guest's 22) did not answer within %ds"
                                      % (forward[0], req.wait_timeout), path="wait_timeout")
                time.sleep(SSH_POLL)
        elif req.wait_for == "address" and not forward:
            raise NestosError("wait_for: address with backend qemu needs a user-mode NIC with ssh_forward (there is"
                              " no DHCP server on the host side to ask)", path="wait_for")


def ensure(req, check_mode=False, binary=None):
    # type: (Request, bool, Optional[str]) -> Dict[str, object]
    """Run one pass for ``req`` with plain qemu; returns the result dict."""
    return converge.ensure(req, QemuBackend(req, binary), check_mode)


__all__ = ["AARCH64_FIRMWARE", "X86_64_FIRMWARE", "QemuBackend", "Request", "build_argv", "ensure", "running_pid"]
