# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one ``ensure`` loop: bring a NestOS machine to a wanted state, whichever backend runs it.

:func:`ensure` reads the machine through a :class:`Backend` (libvirt in ``machine.py``, plain
qemu in ``qemu_direct.py``), decides what has to change, acts (unless in check mode) and returns
a result dict with ``changed``, ``actions``, ``diff``, ``warnings`` and the machine's facts.

Rules (the same for both backends):
- A machine is ours when the backend finds our mark (domain <metadata>, or the state file).
  Others are never touched unless ``adopt`` is set.
- The machine's identity (UUID, MACs) is kept across runs; MACs not given are derived from the
  name (see :func:`model.derive_mac`), so they also survive a re-creation.
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

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import check_destination
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt import host, model, storage
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt.model import MachineDef

try:
    from typing import Dict, List, Optional, Tuple  # noqa: F401  (type comments)
except ImportError:  # pragma: no cover
    pass

STATES = ("present", "running", "stopped", "restarted", "absent")
DEFAULT_STORAGE_DIR = "/var/lib/libvirt/images"
DEFAULT_LOG_DIR = "/var/log/libvirt/qemu"
# Platforms a machine can be: NestOS's Ignition and Afterburn read the platform from the
# kernel argument ignition.platform.id, which the image carries (the qemu image says qemu).
# Under libvirt or plain qemu a machine is always the qemu platform (config on fw_cfg).
PLATFORMS = ("qemu",)
PANIC_RE = re.compile(r"Kernel panic - not syncing:[^\n]*")
CONSOLE_POLL = 0.5
# size of the empty disk of an ISO machine without a base image (unless disk_size says otherwise)
BLANK_DISK_GIB = 10
_PREDICTED_STATE = {"running": "running", "restarted": "running", "stopped": "shutoff"}


class Request(object):
    """The parameters of one ``ensure`` call (module options, already type-checked)."""

    def __init__(self, name, state="running", uri="qemu:///system", image=None, disk_size=None, vcpus=2,
                 memory=2048, networks=None, arch=None, domain_type="auto", machine=None, firmware="auto",
                 storage_dir=DEFAULT_STORAGE_DIR, console_log=None, ignition_bytes=None, recreate=False,
                 adopt=False, on_config_change="warn", wait_for="none", ssh_port=22, wait_timeout=300,
                 wait_for_console=None, stop_timeout=60, disk_options=None, platform="qemu", cdrom=None,
                 shares=None):
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
        self.disk_options = dict(disk_options or {})
        self.platform = platform
        self.cdrom = cdrom
        self.shares = list(shares or [])

    def validate(self):
        # type: () -> None
        checks = (
            (not model.NAME_RE.match(self.name or ""), "name",
             "invalid machine name %r: use letters, digits and . _ + - (at most 63, starting with a letter or"
             " digit)" % self.name),
            (self.state not in STATES, "state", "state must be one of %s" % ", ".join(STATES)),
            (self.arch not in model.ARCH_DEFAULTS, "arch", "arch %s is not supported; use x86_64 or aarch64"
             % self.arch),
            (self.vcpus is not None and self.vcpus < 1, "vcpus", "must be at least 1"),
            (self.memory is not None and self.memory < 128, "memory", "must be at least 128 (MiB)"),
            (not os.path.isabs(self.storage_dir), "storage_dir", "must be an absolute path"),
            (bool(self.console_log) and not os.path.isabs(self.console_log), "console_log",
             "must be an absolute path"),
            (self.firmware == "bios" and self.arch == "aarch64", "firmware",
             "aarch64 guests boot UEFI only; use firmware: auto or efi"),
            (bool(self.cdrom) and not os.path.isabs(self.cdrom or ""), "cdrom", "must be an absolute path"),
            (self.platform not in PLATFORMS, "platform",
             "a libvirt or qemu machine is the %s platform (the image's ignition.platform.id); for other"
             " platforms use their own tooling (see docs/afterburn.md)" % " or ".join(PLATFORMS)),
        )
        for failed, path, msg in checks:
            if failed:
                raise NestosError(msg, path=path)
        model.check_disk_options(self.disk_options)
        self.shares = model.check_shares(self.shares)
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


class Backend(object):
    """What the loop needs from a hypervisor. ``run`` (the :class:`Run`) collects actions and facts."""

    kind = "abstract"
    nic_backend = "libvirt"

    def __init__(self):
        self.run = None  # type: Optional[Run]

    def load(self):
        # type: () -> Optional[MachineDef]
        """The current machine (None when there is none); refuses machines that are not ours."""
        raise NotImplementedError

    def describe(self, mdef):
        # type: (Optional[MachineDef]) -> str
        """The text a diff shows for ``mdef`` ('' for none)."""
        raise NotImplementedError

    def changes(self, current, wanted):
        # type: (MachineDef, MachineDef) -> List[str]
        """Names of what differs between the current and the wanted definition."""
        raise NotImplementedError

    def domain_type(self, current):
        # type: (Optional[MachineDef]) -> Tuple[str, str]
        raise NotImplementedError

    def fwcfg_style(self):
        # type: () -> str
        return "sysinfo"

    def console_path(self):
        # type: () -> str
        """Where the serial console is written when ``console_log`` is not given."""
        return self.run.req.console_path

    def define(self, mdef, changed):
        # type: (MachineDef, Optional[List[str]]) -> None
        """Define a new machine (``changed`` None) or redefine one (``changed``: what differs)."""
        raise NotImplementedError

    def remove(self, current):
        # type: (MachineDef) -> None
        raise NotImplementedError

    def prepare_create(self):
        # type: () -> None
        """Clear what a fresh machine replaces (a stray process of the same name)."""

    def is_active(self):
        # type: () -> bool
        raise NotImplementedError

    def start(self, mdef):
        # type: (MachineDef) -> None
        raise NotImplementedError

    def stop(self):
        # type: () -> None
        raise NotImplementedError

    def grow(self, disk, size):
        # type: (str, int) -> None
        raise NotImplementedError

    def report(self, mdef):
        # type: (Optional[MachineDef]) -> None
        """Add the machine's facts to ``run.result`` (and wait for it when asked)."""
        raise NotImplementedError


class Run(object):
    """One ensure() pass: collects actions, warnings and the facts to return."""

    def __init__(self, req, backend, check_mode):
        # type: (Request, Backend, bool) -> None
        self.req = req
        self.backend = backend
        self.check_mode = check_mode
        self.actions = []  # type: List[str]
        self.warnings = []  # type: List[str]
        self.result = {}  # type: Dict[str, object]
        self.base_info = None  # type: Optional[Dict[str, object]]
        backend.run = self

    def act(self, action):
        # type: (str) -> None
        self.actions.append(action)


def ensure(req, backend, check_mode=False):
    # type: (Request, Backend, bool) -> Dict[str, object]
    """Run one pass for ``req`` with ``backend``; returns the result dict."""
    run = Run(req, backend, check_mode)
    req.validate()
    current = backend.load()
    before = backend.describe(current)
    if req.state == "absent":
        if current is not None:
            backend.remove(current)
        return _finish(run, before, "", None)
    ignition, sha, previous, current = _provisioning(run, current)
    wanted = _desired(run, current if current is not None else previous, sha, keep_paths=current is not None)
    if current is None:
        _create(run, wanted, ignition)
    else:
        _update(run, current, wanted, ignition, sha)
    _power(run, wanted)
    return _finish(run, before, backend.describe(wanted), wanted)


def _provisioning(run, current):
    # type: (Run, Optional[MachineDef]) -> Tuple[Optional[bytes], Optional[str], Optional[MachineDef], Optional[MachineDef]]
    """(ignition bytes to place, its digest, the removed definition, the current one) after deciding
    whether a changed Ignition or base re-provisions the machine."""
    req = run.req
    ignition = req.ignition_bytes
    sha = config_digest(ignition) if ignition is not None else None
    if current is None and ignition is None and not blank_disk(req):
        raise NestosError("an Ignition config (ignition, ignition_content or butane) is required to create"
                          " machine %s" % req.name, path="ignition")
    if req.image or (current is None and not blank_disk(req)):
        run.base_info = storage.check_base(req.image)
    reprovision = _reprovision_reasons(req, current, sha)
    if not reprovision:
        if current is not None and sha is None:
            sha = current.metadata.get("ignition-sha256")
        return ignition, sha, None, current
    if req.recreate:
        run.act("re-provision %s: %s changed" % (req.name, " and ".join(reprovision)))
        run.backend.remove(current)
        return ignition, sha, current, None
    msg = ("machine %s: %s changed since it was provisioned; Ignition runs only on first boot, so the"
           " change needs a re-provision: set recreate: true to delete and re-create the machine"
           % (req.name, " and ".join(reprovision)))
    if req.on_config_change == "fail":
        raise NestosError(msg, path="recreate")
    run.warnings.append(msg + " (left unchanged)")
    run.result.update(reprovision_required=True, msg=msg + " (left unchanged)")
    # keep what the machine was provisioned with
    req.image = current.metadata.get("base") or req.image
    return None, current.metadata.get("ignition-sha256"), None, current


def _reprovision_reasons(req, current, sha):
    # type: (Request, Optional[MachineDef], Optional[str]) -> List[str]
    if current is None or not current.owned():
        return []
    out = []
    meta = current.metadata
    if sha is not None and meta.get("ignition-sha256") and meta["ignition-sha256"] != sha:
        out.append("the Ignition config")
    if req.image and meta.get("base") and meta["base"] != req.image:
        out.append("the base image")
    return out


def _kept_paths(run, current, adopted):
    # type: (Run, MachineDef, bool) -> Tuple[str, str]
    """An existing machine keeps its disk and Ignition copy where they are (like its UUID and MACs),
    even if ``storage_dir`` changed since."""
    req = run.req
    disk = current.disk or req.overlay
    ign_file = current.ignition_file or req.ignition_file
    moved = [what for what, have, want in (("disk", disk, req.overlay), ("Ignition copy", ign_file,
                                           req.ignition_file)) if have != want]
    if moved and not adopted:
        many = len(moved) > 1
        where = ", ".join(p for p in (disk, ign_file) if p not in (req.overlay, req.ignition_file))
        run.warnings.append("the %s of %s stay%s where %s (%s); re-create the machine to move %s"
                            % (" and ".join(moved), req.name, "" if many else "s", "they are" if many else "it is",
                               where, "them" if many else "it"))
    return disk, ign_file


def _desired(run, current, sha, keep_paths=False):
    # type: (Run, Optional[MachineDef], Optional[str], bool) -> MachineDef
    """The wanted definition; ``current`` (or the definition just removed) lends its identity."""
    req = run.req
    adopted = current is not None and (not current.owned() or current.metadata.get("adopted") == "yes")
    disk, ign_file = req.overlay, req.ignition_file
    if keep_paths and current is not None:
        disk, ign_file = _kept_paths(run, current, adopted)
    dtype, reason = run.backend.domain_type(current)
    run.result.update(domain_type=dtype, domain_type_reason=reason)
    base = req.image
    if keep_paths and current is not None and current.metadata.get("base"):
        base = req.image or current.metadata.get("base")
    mdef = MachineDef(
        name=req.name, domain_type=dtype, arch=req.arch, machine=req.machine,
        firmware=model.ARCH_DEFAULTS[req.arch]["firmware"] if req.firmware == "auto" else req.firmware,
        memory_mib=req.memory, vcpus=req.vcpus, disk=disk, ignition_file=ign_file,
        console_log=run.backend.console_path(), uuid=current.uuid if current is not None else None,
        interfaces=model.resolve_interfaces(req.name, req.networks, current.interfaces if current else [],
                                            run.backend.nic_backend),
        fwcfg_style=run.backend.fwcfg_style(), disk_options=req.disk_options, cdrom=req.cdrom, shares=req.shares,
        metadata=dict((k, v) for k, v in (("managed-by", model.MANAGED_BY), ("ignition-sha256", sha),
                                          ("base", base)) if v is not None))
    if adopted:
        mdef.metadata["adopted"] = "yes"
    if sha is None and (current is None or not current.ignition_file):
        mdef.ignition_file = None  # an ISO machine without a config: no fw_cfg entry
    if current is not None and not req.machine:
        mdef.machine = current.machine
    return mdef


def _create(run, mdef, ignition):
    # type: (Run, MachineDef, bytes) -> None
    req = run.req
    if os.path.lexists(mdef.disk):
        check_destination(mdef.disk)
        if not req.recreate:
            raise NestosError("overlay %s already exists but no machine %s does; remove it or set recreate: true"
                              % (mdef.disk, req.name), file=mdef.disk)
    if req.cdrom and not os.path.isfile(req.cdrom):
        raise NestosError("ISO not found", file=req.cdrom, path="cdrom")
    if blank_disk(req):
        run.act("create empty disk %s (%s)" % (mdef.disk, req.disk_size or "%d GiB" % BLANK_DISK_GIB))
    else:
        run.act("create overlay %s on %s" % (mdef.disk, req.image))
    if mdef.ignition_file:
        check_destination(mdef.ignition_file)
        run.act("write Ignition %s" % mdef.ignition_file)
    if run.check_mode:
        run.backend.define(mdef, None)
        return
    if not os.path.isdir(req.storage_dir):
        raise NestosError("storage folder does not exist", file=req.storage_dir, path="storage_dir")
    run.backend.prepare_create()
    storage.remove(mdef.disk)
    if blank_disk(req):
        storage.qemu_img(["create", "-q", "-f", "qcow2", mdef.disk,
                          str(storage.parse_size(req.disk_size) or BLANK_DISK_GIB << 30)],
                         "creating disk %s" % mdef.disk)
    else:
        storage.create_overlay(req.image, mdef.disk, storage.parse_size(req.disk_size), run.base_info)
    try:
        if mdef.ignition_file:
            storage.place_ignition(mdef.ignition_file, ignition)
        log_dir = os.path.dirname(mdef.console_log)
        if not os.path.isdir(log_dir):
            raise NestosError("console log folder does not exist", file=log_dir, path="console_log")
        run.backend.define(mdef, None)
    except Exception:
        storage.remove(mdef.disk)
        storage.remove(mdef.ignition_file)
        raise


def blank_disk(req):
    # type: (Request) -> bool
    """An ISO machine without a base image gets an empty disk (like nosa run --qemu-iso)."""
    return bool(req.cdrom) and not req.image


def _update(run, current, mdef, ignition, sha):
    # type: (Run, MachineDef, MachineDef, Optional[bytes], Optional[str]) -> None
    changed = run.backend.changes(current, mdef)
    if changed:
        run.backend.define(mdef, changed)
    if ignition is not None and mdef.ignition_file:
        # A copy with the same content in another layout is kept as it is.
        on_disk = _read_bytes(mdef.ignition_file)
        if on_disk is not None and config_digest(on_disk) == sha:
            ignition = on_disk
        check_destination(mdef.ignition_file)
        if storage.place_ignition(mdef.ignition_file, ignition, check_mode=run.check_mode):
            run.act("write Ignition %s" % mdef.ignition_file)
    _grow(run, mdef.disk)


def _grow(run, disk):
    # type: (Run, Optional[str]) -> None
    size = storage.parse_size(run.req.disk_size)
    if size is None or not disk or not os.path.exists(disk):
        return
    current = int(storage.image_info(disk)["virtual-size"])
    if size < current:
        run.warnings.append("disk_size is smaller than the disk (%d bytes); disks are never shrunk" % current)
    elif size > current:
        run.backend.grow(disk, size)


def _power(run, mdef):
    # type: (Run, MachineDef) -> None
    state = run.req.state
    active = run.backend.is_active()
    if state == "restarted" and active:
        run.backend.stop()
    if state in ("running", "restarted") and (state == "restarted" or not active):
        run.backend.start(mdef)
    elif state == "stopped" and active:
        run.backend.stop()


def _finish(run, before, after, mdef):
    # type: (Run, str, str, Optional[MachineDef]) -> Dict[str, object]
    req = run.req
    changed = bool(run.actions)
    run.result.update(changed=changed, actions=run.actions, warnings=run.warnings, name=req.name)
    if changed or before != after:
        run.result["diff"] = {"before": before, "after": after,
                              "before_header": "%s %s (managed fields)" % (run.backend.kind, req.name),
                              "after_header": "%s %s (managed fields)" % (run.backend.kind, req.name)}
    if mdef is None:
        run.result.update(state="absent", uuid=None, mac=None, macs=[], ip=None, xml="")
    else:
        run.result.update(overlay=mdef.disk, ignition_file=mdef.ignition_file, console_log=mdef.console_log,
                          base=mdef.metadata.get("base"), mac=mdef.interfaces[0].mac if mdef.interfaces else None,
                          macs=mdef.macs(), ip=None, platform=req.platform)
    run.backend.report(mdef)
    if run.check_mode and mdef is not None:
        run.result["state"] = _PREDICTED_STATE.get(req.state, run.result.get("state"))
    return run.result


def predicted_state(req, actual):
    # type: (Request, str) -> str
    return _PREDICTED_STATE.get(req.state, actual)


def wait_for_console(req, console_path, deadline_from=None):
    # type: (Request, str, Optional[float]) -> bool
    """Wait until the console log matches ``wait_for_console``; fail at once on a kernel panic."""
    if not req.wait_for_console:
        return False
    start = time.time() if deadline_from is None else deadline_from
    pattern = re.compile(req.wait_for_console)
    while True:
        text = read_text(console_path)
        if pattern.search(text):
            return True
        check_console_for_panic(text, req.name, console_path)
        if time.time() - start >= req.wait_timeout:
            raise NestosError("console of %s did not show %r within %ds (log: %s)"
                              % (req.name, req.wait_for_console, req.wait_timeout, console_path),
                              path="wait_for_console")
        time.sleep(CONSOLE_POLL)


def check_console_for_panic(text, name, path):
    # type: (str, str, str) -> None
    """Fail at once (instead of at the timeout) when the guest's kernel panicked."""
    match = PANIC_RE.search(text)
    if match:
        raise NestosError("the kernel of %s panicked: %s (console log: %s)" % (name, match.group(0).strip(), path),
                          path="wait_for_console")


def config_digest(data):
    # type: (bytes) -> str
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


def read_text(path):
    # type: (str) -> str
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except (IOError, OSError):
        return ""
