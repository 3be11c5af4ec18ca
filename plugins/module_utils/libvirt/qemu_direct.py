# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain qemu mode: the same NestOS machine as under libvirt, for hosts without libvirt.

Like the guide's section 8.2.1: a qcow2 overlay on the base image, the Ignition config as the
fw_cfg entry ``opt/com.coreos/config``, started as a daemonized qemu with a pid file and the
serial console written to a log file. Files live in ``storage_dir``:

  <name>.qcow2   overlay          <name>.ign    Ignition copy (0600)
  <name>.pid     qemu's pid file  <name>.json   what the machine was made from (the ownership mark)
  <name>-console.log  serial console (unless console_log says otherwise)

A machine is ours when its ``<name>.json`` exists and names this collection. The same rules as
the libvirt engine apply: identity (MACs) kept, a changed Ignition or base means re-provisioning
only with ``recreate``, check mode predicts, absent never touches the base.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import signal
import subprocess
import time

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import atomic_write
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt import address, domainxml, host, storage
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt.machine import check_console_for_panic, config_digest

AARCH64_FIRMWARE = ("/usr/share/qemu-efi-aarch64/QEMU_EFI.fd", "/usr/share/edk2/aarch64/QEMU_EFI.fd",
                    "/usr/share/AAVMF/AAVMF_CODE.fd", "/usr/share/edk2/aarch64/QEMU_EFI-pflash.raw")


X86_64_FIRMWARE = ("/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/edk2/ovmf/OVMF_CODE.fd")


def _paths(req):
    base = os.path.join(req.storage_dir, req.name)
    return {"overlay": base + ".qcow2", "ignition": base + ".ign", "pid": base + ".pid", "state": base + ".json",
            "console": req.console_log or base + "-console.log"}


def _nics(req, previous):
    out = []
    old = (previous or {}).get("nics") or []
    for index, net in enumerate(req.networks):
        where = "networks[%d]" % index
        if not isinstance(net, dict):
            raise NestosError("must be a dictionary with user or bridge", path=where)
        if net.get("network"):
            raise NestosError("libvirt networks need the libvirt backend; with backend qemu use user: true"
                              " (user-mode networking) or bridge: <host bridge>", path=where)
        unknown = set(net) - set(("user", "bridge", "mac", "model", "ssh_forward"))
        if unknown:
            raise NestosError("unknown key(s) %s; use user, bridge, mac, model, ssh_forward"
                              % ", ".join(sorted(unknown)), path=where)
        if bool(net.get("user")) == bool(net.get("bridge")):
            raise NestosError("give exactly one of user: true or bridge", path=where)
        mac = (net.get("mac") or "").lower() or (old[index]["mac"] if index < len(old) else None) \
            or domainxml.derive_mac(req.name, index)
        if not domainxml.MAC_RE.match(mac):
            raise NestosError("invalid MAC address %r" % mac, path=where + ".mac")
        nic = {"kind": "user" if net.get("user") else "bridge", "source": net.get("bridge"), "mac": mac,
               "model": net.get("model") or "virtio-net-pci"}
        if net.get("ssh_forward"):
            if nic["kind"] != "user":
                raise NestosError("ssh_forward needs user-mode networking", path=where + ".ssh_forward")
            nic["ssh_forward"] = int(net["ssh_forward"])
        out.append(nic)
    return out


def build_argv(req, paths, nics, accel, binary=None):
    """The qemu command line (list) for the machine."""
    arch = req.arch
    qemu = binary or "qemu-system-%s" % arch
    machine = req.machine or domainxml.ARCH_DEFAULTS[arch]["machine"]
    argv = [qemu, "-name", "%s,process=nestos-%s" % (req.name, req.name), "-machine", machine,
            "-accel", accel, "-m", str(req.memory), "-smp", str(req.vcpus),
            "-display", "none", "-monitor", "none", "-daemonize", "-pidfile", paths["pid"],
            "-serial", "file:%s" % paths["console"],
            "-drive", "if=virtio,format=qcow2,file=%s" % paths["overlay"],
            "-fw_cfg", "name=%s,file=%s" % (domainxml.FWCFG_NAME, paths["ignition"]),
            "-device", "virtio-rng-pci"]
    if accel == "kvm":
        argv += ["-cpu", "host"]
    elif arch == "aarch64":
        argv += ["-cpu", "cortex-a57"]
    firmware = req.firmware if req.firmware != "auto" else domainxml.ARCH_DEFAULTS[arch]["firmware"]
    if firmware == "efi":
        candidates = AARCH64_FIRMWARE if arch == "aarch64" else X86_64_FIRMWARE
        found = [path for path in candidates if os.path.exists(path)]
        if not found:
            raise NestosError("no UEFI firmware found (looked for %s); install qemu-efi-aarch64 / ovmf"
                              % ", ".join(candidates), path="firmware")
        argv += ["-bios", found[0]]
    if not nics:
        argv += ["-nic", "none"]
    for nic in nics:
        if nic["kind"] == "user":
            spec = "user,model=%s,mac=%s" % (nic["model"], nic["mac"])
            if nic.get("ssh_forward"):
                spec += ",hostfwd=tcp:127.0.0.1:%d-:22" % nic["ssh_forward"]
        else:
            spec = "bridge,br=%s,model=%s,mac=%s" % (nic["source"], nic["model"], nic["mac"])
        argv += ["-nic", spec]
    return argv


def running_pid(paths, name):
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
    if ("%s,process=nestos-%s" % (name, name)).encode() not in cmdline:
        return None
    return pid


def _load_state(paths):
    try:
        with open(paths["state"]) as handle:
            return json.load(handle)
    except (IOError, OSError):
        return None
    except ValueError:
        raise NestosError("machine state file is not JSON; remove it or the machine by hand", file=paths["state"])


class QemuRun(object):
    def __init__(self, req, check_mode, binary=None):
        self.req = req
        self.check_mode = check_mode
        self.binary = binary
        self.actions = []
        self.warnings = []
        self.result = {}

    def act(self, what):
        self.actions.append(what)

    def accel(self, previous):
        req = self.req
        if req.domain_type in ("kvm", "qemu"):
            kind, reason = req.domain_type, "requested"
        elif previous and previous.get("accel"):
            kind, reason = ("kvm" if previous["accel"] == "kvm" else "qemu"), "kept from the existing machine"
        else:
            advertised = ["qemu", "kvm"] if os.path.exists("/dev/kvm") else ["qemu"]
            kind, reason = host.choose_domain_type("auto", req.arch, advertised, self.binary or "/usr/bin/qemu-system-%s"
                                                   % req.arch)
        self.result.update(domain_type=kind, domain_type_reason=reason)
        return "kvm" if kind == "kvm" else "tcg"

    def stop(self, pid, paths):
        req = self.req
        self.act("stop qemu of %s (pid %d)" % (req.name, pid))
        if self.check_mode:
            return
        os.kill(pid, signal.SIGTERM)  # qemu exits cleanly on SIGTERM
        deadline = time.time() + max(req.stop_timeout, 5)
        while time.time() < deadline and running_pid(paths, req.name):
            time.sleep(0.2)
        if running_pid(paths, req.name):
            os.kill(pid, signal.SIGKILL)
            self.result["forced_stop"] = True
        storage.remove(paths["pid"])

    def start(self, argv, paths):
        self.act("start qemu for %s" % self.req.name)
        if self.check_mode:
            return
        with open(os.devnull, "rb") as null_in:
            proc = subprocess.Popen(argv, stdin=null_in, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    close_fds=True)
            out, err = proc.communicate()
        if proc.returncode != 0:
            raise NestosError("qemu failed to start (rc %d): %s" % (
                proc.returncode, (err or out).decode("utf-8", "replace").strip()))

    def ensure(self):
        req = self.req
        req.validate()
        paths = _paths(req)
        previous = _load_state(paths)
        if previous is not None and previous.get("managed-by") != domainxml.MANAGED_BY:
            previous = None
        pid = running_pid(paths, req.name)
        if previous is None and not req.adopt and (pid or os.path.exists(paths["overlay"])) and not req.recreate:
            raise NestosError("%s exists but was not created by nestos.lifecycle; it is left alone (set recreate:"
                              " true to replace it)" % paths["overlay"], file=paths["overlay"], path="name")
        before = json.dumps(previous, indent=2, sort_keys=True) + "\n" if previous else ""
        self.result.update(name=req.name, backend="qemu", pidfile=paths["pid"], console_log=paths["console"],
                           overlay=paths["overlay"], ignition_file=paths["ignition"])

        if req.state == "absent":
            if pid:
                self.stop(pid, paths)
            for key in ("overlay", "ignition", "state", "pid"):
                if os.path.exists(paths[key]) and (previous is not None or key != "overlay" or req.recreate):
                    self.act("remove %s" % paths[key])
                    if not self.check_mode:
                        storage.remove(paths[key])
            return self.finish(before, "", None, state_name="absent")

        ignition = req.ignition_bytes
        sha = config_digest(ignition) if ignition is not None else None
        reprovision = []
        if previous is not None:
            if sha and previous.get("ignition-sha256") != sha:
                reprovision.append("the Ignition config")
            if req.image and previous.get("base") != req.image:
                reprovision.append("the base image")
        if reprovision and not req.recreate:
            msg = ("machine %s: %s changed since it was provisioned; Ignition runs only on first boot, so the change"
                   " needs a re-provision: set recreate: true to delete and re-create the machine"
                   % (req.name, " and ".join(reprovision)))
            if req.on_config_change == "fail":
                raise NestosError(msg, path="recreate")
            self.warnings.append(msg + " (left unchanged)")
            self.result.update(reprovision_required=True, msg=msg + " (left unchanged)")
            sha, ignition, req.image = previous.get("ignition-sha256"), None, previous.get("base")
        fresh = previous is None or bool(reprovision and req.recreate)
        if fresh:
            if ignition is None:
                raise NestosError("an Ignition config (ignition, ignition_content or butane) is required to create"
                                  " machine %s" % req.name, path="ignition")
            base_info = storage.check_base(req.image)
            if pid:
                self.stop(pid, paths)
                pid = None
            if reprovision:
                self.act("re-provision %s: %s changed" % (req.name, " and ".join(reprovision)))
            self.act("create overlay %s on %s" % (paths["overlay"], req.image))
            self.act("write Ignition %s" % paths["ignition"])
            if not self.check_mode:
                storage.remove(paths["overlay"])
                storage.create_overlay(req.image, paths["overlay"], storage.parse_size(req.disk_size), base_info)
                storage.place_ignition(paths["ignition"], ignition)
        nics = _nics(req, previous if not fresh or reprovision else None)
        state = {"managed-by": domainxml.MANAGED_BY, "ignition-sha256": sha,
                 "base": req.image or (previous or {}).get("base"), "nics": nics,
                 "accel": self.accel(previous if not fresh else None)}
        argv = build_argv(req, paths, nics, state["accel"], self.binary)
        state["argv"] = argv
        if previous != state:
            if previous is not None and not fresh:
                self.act("update machine definition %s" % paths["state"])
                if pid:
                    self.warnings.append("%s is running: the new definition applies at its next start" % req.name)
                    self.result["restart_required"] = True
            else:
                self.act("write machine definition %s" % paths["state"])
            if not self.check_mode:
                atomic_write(paths["state"], json.dumps(state, indent=2, sort_keys=True) + "\n", mode=0o644)
        if req.state == "running" and not pid:
            self.start(argv, paths)
        elif req.state == "stopped" and pid:
            self.stop(pid, paths)
        elif req.state == "restarted":
            if pid:
                self.stop(pid, paths)
            self.start(argv, paths)
        after = json.dumps(state, indent=2, sort_keys=True) + "\n"
        return self.finish(before, after, state)

    def finish(self, before, after, state, state_name=None):
        req = self.req
        paths = _paths(req)
        changed = bool(self.actions)
        self.result.update(changed=changed, actions=self.actions, warnings=self.warnings)
        if changed:
            self.result["diff"] = {"before": before, "after": after, "before_header": "%s (qemu machine)" % req.name,
                                   "after_header": "%s (qemu machine)" % req.name}
        if state_name == "absent" or state is None:
            self.result.update(state="absent", uuid=None, mac=None, macs=[], ip=None, xml="", pid=None)
            return self.result
        macs = [nic["mac"] for nic in state["nics"]]
        forward = [nic.get("ssh_forward") for nic in state["nics"] if nic.get("ssh_forward")]
        self.result.update(uuid=None, mac=macs[0] if macs else None, macs=macs, xml="", base=state["base"],
                           argv=state["argv"], ssh_forward=forward[0] if forward else None)
        pid = None if self.check_mode else running_pid(paths, req.name)
        if self.check_mode:
            self.result["state"] = {"running": "running", "restarted": "running", "stopped": "shutoff"}.get(
                req.state, "running" if running_pid(paths, req.name) else "shutoff")
        else:
            self.result["state"] = "running" if pid else "shutoff"
        self.result["pid"] = pid
        # user-mode networking: the guest is reached through the forwarded port on 127.0.0.1
        self.result["ip"] = "127.0.0.1" if forward else None
        if not self.check_mode and pid and req.state in ("running", "restarted"):
            self.wait(paths, forward)
        return self.result

    def wait(self, paths, forward):
        req = self.req
        start = time.time()
        if req.wait_for_console:
            pattern = re.compile(req.wait_for_console)
            while not pattern.search(_read_text(paths["console"])):
                check_console_for_panic(_read_text(paths["console"]), req.name, paths["console"])
                if time.time() - start >= req.wait_timeout:
                    raise NestosError("console of %s did not show %r within %ds (log: %s)" % (
                        req.name, req.wait_for_console, req.wait_timeout, paths["console"]), path="wait_for_console")
                time.sleep(0.5)
            self.result["console_matched"] = True
        if req.wait_for == "ssh":
            if not forward:
                raise NestosError("wait_for: ssh with backend qemu needs a user-mode NIC with ssh_forward",
                                  path="wait_for")
            while not address.port_open("127.0.0.1", forward[0]):
                if time.time() - start >= req.wait_timeout:
                    raise NestosError("port %d (forwarded to the guest's 22) did not answer within %ds"
                                      % (forward[0], req.wait_timeout), path="wait_timeout")
                time.sleep(1)
        elif req.wait_for == "address" and not forward:
            raise NestosError("wait_for: address with backend qemu needs a user-mode NIC with ssh_forward (there is"
                              " no DHCP server on the host side to ask)", path="wait_for")


def _read_text(path):
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except (IOError, OSError):
        return ""


def ensure(req, check_mode=False, binary=None):
    return QemuRun(req, check_mode, binary).ensure()
