"""Boot the lab media under qemu (TCG) and read back what the real Ignition did.

    from tests.lab import harness, media
    m = media.paths()
    report = harness.boot_disk(m["qcow2"], ignition=b'{"ignition":{"version":"3.3.0"}}')
    assert report.succeeded
    report.file("/etc/hostname")["sha256"]

Every boot runs ``qemu-system-x86_64 -accel tcg`` with ``-no-reboot``, the first serial
port written to a file, and a timeout that kills qemu and raises ``LabBootError`` with
the tail of the console. The guest (tests/lab/guest/init) prints a report between
``NESTOS-LAB-REPORT-BEGIN`` and ``NESTOS-LAB-REPORT-END``; ``parse_console`` turns it
into a ``BootReport``. ``read_serial_log`` does the same for a libvirt serial log file.
The report line format is described in docs/lab.md.
"""
import base64
import contextlib
import hashlib
import http.server
import json
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import threading
import time

from tests.lab import iso9660, media

QEMU = "qemu-system-x86_64"
BEGIN = "NESTOS-LAB-REPORT-BEGIN"
END = "NESTOS-LAB-REPORT-END"
MEMORY_MB = 768
# written by useradd/groupadd or Ignition itself on every run; kept out of .files
BOOKKEEPING = frozenset(("/etc/.pwd.lock", "/etc/passwd-", "/etc/group-", "/etc/shadow-",
                         "/etc/gshadow-", "/etc/.ignition-result.json"))
LOCKED_HASHES = ("", "*", "!", "!!", "x")


class LabBootError(RuntimeError):
    """qemu failed, timed out, or the console holds no complete report."""

    def __init__(self, message, console=""):
        tail = "\n".join(console.replace("\r", "").splitlines()[-40:])
        super().__init__("%s\n--- console tail ---\n%s" % (message, tail) if console else message)
        self.console = console


def _b64(text):
    return base64.b64decode(text.strip()) if text.strip() else b""


class BootReport(dict):
    """What the guest reported. A dict (keys below) with attribute access and helpers.

    cmdline            kernel command line (str)
    ignition           {"outcome": "success"|"failure"|"skipped", "stages": {stage: rc},
                        "platform": str, "user_config": "initrd"|"boot"|"none" ("boot": the
                        installed disk's boot partition, ignition/config.ign),
                        "messages": [CRITICAL/ERROR lines], "warnings": [...], "log": str}
    files              {path: {"mode", "uid", "gid", "size", "sha256", "content" (bytes|None)}}
    dirs               {path: {"mode", "uid", "gid"}}
    links              {path: {"target", "uid", "gid"}}
    users              {name: {"uid", "gid", "home", "shell", "groups", "ssh_authorized_keys",
                               "password_hash_set"}}   (added or changed by Ignition)
    groups             {name: {"gid", "members"}}      (added or changed by Ignition)
    units              {name: {"contents", "enabled", "masked", "dropins": {name: text}}}
    installer_d        {file name: text} under /etc/nestos/installer.d
    dest_ign           text of /etc/nestos/dest.ign or None
    firstboot_network  {file name: text} from etc/nestos-firstboot-network in the initramfs
                       (appended/embedded initrd) and in the written root
    initrd_config      bytes of /config.ign found in the initramfs, or None
    stamps             {"nestos-live-initramfs": build id, "nestos-live-rootfs": ...}
    network            {"interface", "address"} when the guest configured its NIC (only
                       when Ignition needed the network), else None
    bookkeeping        entries for /etc/.pwd.lock, *- backups, /etc/.ignition-result.json
    installer          {"rc", "log"} when the live guest ran nestos-installer (nestos.inst.*),
                       else None
    bls                (boot_installed only) the BLS entry and stamp the boot was made from
    console            the raw console text
    """

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def succeeded(self):
        return self["ignition"]["outcome"] == "success"

    def file(self, path):
        """The entry of a regular file Ignition wrote; KeyError naming what was written."""
        try:
            return self["files"][path]
        except KeyError:
            raise KeyError("%s not written; files written: %s" % (path, sorted(self["files"]))) from None

    def text(self, path):
        content = self.file(path)["content"]
        if content is None:
            raise KeyError("%s is larger than the report carries (64 KiB)" % path)
        return content.decode("utf-8")

    def summary(self):
        """A short human-readable account (used by `make demo`)."""
        ign = self["ignition"]
        lines = ["Ignition: %s (platform %s; stages %s)" % (
            ign["outcome"], ign["platform"] or "-",
            ", ".join("%s: %s" % (stage, "ok" if rc == 0 else "failed (exit %s)" % rc)
                      for stage, rc in ign["stages"].items()) or "none ran")]
        lines += ["  ! %s" % m for m in ign["messages"]]
        lines.append("kernel command line: %s" % self["cmdline"])
        for path, f in sorted(self["files"].items()):
            lines.append("  file %-45s %04o %d:%d %6d bytes sha256 %s…" % (
                path, f["mode"], f["uid"], f["gid"], f["size"], f["sha256"][:12]))
        for path, d in sorted(self["dirs"].items()):
            lines.append("  dir  %-45s %04o %d:%d" % (path, d["mode"], d["uid"], d["gid"]))
        for path, link in sorted(self["links"].items()):
            lines.append("  link %-45s -> %s" % (path, link["target"]))
        for name, u in sorted(self["users"].items()):
            lines.append("  user %s uid %s groups %s, %d ssh key(s), password %s" % (
                name, u["uid"], ",".join(u["groups"]) or "-", len(u["ssh_authorized_keys"]),
                "set" if u["password_hash_set"] else "locked"))
        for name, g in sorted(self["groups"].items()):
            lines.append("  group %s gid %s members %s" % (name, g["gid"], ",".join(g["members"]) or "-"))
        for name, unit in sorted(self["units"].items()):
            state = "masked" if unit["masked"] else {True: "enabled", False: "disabled", None: "-"}[unit["enabled"]]
            lines.append("  unit %s: %s%s%s" % (
                name, state, ", contents" if unit["contents"] is not None else "",
                ", drop-ins " + ",".join(sorted(unit["dropins"])) if unit["dropins"] else ""))
        for name in sorted(self["installer_d"]):
            lines.append("  installer.d/%s" % name)
        if self["dest_ign"] is not None:
            lines.append("  /etc/nestos/dest.ign (%d bytes)" % len(self["dest_ign"]))
        for name in sorted(self["firstboot_network"]):
            lines.append("  firstboot network keyfile %s" % name)
        return "\n".join(lines)


# ---- parsing ------------------------------------------------------------------------------

def _report_lines(text):
    text = text.replace("\r", "")
    end = text.rfind(END)
    begin = text.rfind(BEGIN, 0, end if end >= 0 else len(text))
    if begin < 0 or end < 0:
        raise LabBootError("no complete %s…%s block on the console" % (BEGIN, END), text)
    body = text[begin:end]
    return body.split("\n")[1:]


def _passwd(text):
    out = {}
    for line in text.splitlines():
        fields = line.split(":")
        if len(fields) >= 7:
            out[fields[0]] = fields
    return out


def _group(text):
    out = {}
    for line in text.splitlines():
        fields = line.split(":")
        if len(fields) >= 4:
            out[fields[0]] = fields
    return out


def parse_console(text):
    """BootReport from console text holding a report (the last one if several)."""
    entries, contents, before, stamps, initrd = [], {}, {}, {}, {}
    installer = None
    head = {"K": "", "O": "", "S": "", "P": "", "U": "none", "L": "", "N": ""}
    for line in _report_lines(text):
        if len(line) < 1 or line[1:2] not in (" ", ""):
            continue
        tag, dummy, rest = line.partition(" ")
        if tag in head:
            head[tag] = rest
        elif tag == "E":
            entries.append(rest)
        elif tag == "C":
            data, dummy, label = rest.partition(" ")
            if label.startswith("initrd:"):
                initrd[label[7:]] = _b64(data)
            else:
                contents[label] = _b64(data)
        elif tag == "T":
            pass  # a file too large to carry; its entry still has size and sha256
        elif tag == "B":
            label, dummy, data = rest.partition(" ")
            before[label] = _b64(data).decode("utf-8", "replace")
        elif tag == "M":
            name, dummy, data = rest.partition(" ")
            stamps[name] = _b64(data).decode("utf-8", "replace").strip()
        elif tag == "I":
            rc, dummy, data = rest.partition(" ")
            installer = {"rc": int(rc) if rc.lstrip("-").isdigit() else rc,
                         "log": _b64(data).decode("utf-8", "replace")}
    log = _b64(head["L"]).decode("utf-8", "replace")
    stages = {}
    for item in head["S"].split():
        stage, dummy, rc = item.partition(":")
        stages[stage] = int(rc) if rc.lstrip("-").isdigit() else rc
    ignition = {
        "outcome": head["O"].strip() or "unknown",
        "stages": stages,
        "platform": head["P"].strip(),
        "user_config": head["U"].strip(),
        "messages": [ln.strip() for ln in log.splitlines() if re.match(r"\s*(CRITICAL|ERROR)\b", ln)],
        "warnings": [ln.strip() for ln in log.splitlines() if re.match(r"\s*WARNING\b", ln)],
        "log": log,
    }
    files, dirs, links, book = {}, {}, {}, {}
    for entry in entries:
        parts = entry.split(" ", 6)
        if len(parts) != 7:
            continue
        kind, mode, uid, gid, size, extra, path = parts
        meta = {"mode": int(mode, 8), "uid": int(uid), "gid": int(gid)}
        if kind == "f":
            meta.update(size=int(size), sha256=extra, content=contents.get(path))
            (book if path in BOOKKEEPING else files)[path] = meta
        elif kind == "d":
            dirs[path] = meta
        elif kind == "l":
            meta["target"] = _b64(extra).decode("utf-8", "replace").rstrip("\n")
            del meta["mode"]
            links[path] = meta
    report = BootReport(
        cmdline=_b64(head["K"]).decode("utf-8", "replace").strip(),
        ignition=ignition, files=files, dirs=dirs, links=links, bookkeeping=book,
        stamps=stamps, console=text, network=_network(head["N"]),
        initrd_config=initrd.get("/config.ign"), installer=installer,
    )
    report.update(_accounts(files, before))
    report["units"] = _units(files, links, dirs)
    report["installer_d"] = {p.rsplit("/", 1)[1]: _text(f) for p, f in files.items()
                             if p.startswith("/etc/nestos/installer.d/")}
    dest = files.get("/etc/nestos/dest.ign")
    report["dest_ign"] = _text(dest) if dest else None
    network = {p.rsplit("/", 1)[1]: data.decode("utf-8", "replace") for p, data in initrd.items()
               if p.startswith("/etc/nestos-firstboot-network/")}
    network.update({p.rsplit("/", 1)[1]: _text(f) for p, f in files.items()
                    if p.startswith("/etc/nestos-firstboot-network/")})
    report["firstboot_network"] = network
    return report


def _network(line):
    """{"interface", "address"} when the guest brought its network up (DHCP), else None;
    address None when no DHCP server answered."""
    parts = line.split()
    if len(parts) != 2:
        return None
    return {"interface": None if parts[0] == "-" else parts[0],
            "address": None if parts[1] == "-" else parts[1]}


def _text(entry):
    return None if entry["content"] is None else entry["content"].decode("utf-8", "replace")


def _accounts(files, before):
    def after(path):
        f = files.get(path)
        return f["content"].decode("utf-8", "replace") if f and f["content"] is not None else before.get(path, "")

    old_pw, new_pw = _passwd(before.get("/etc/passwd", "")), _passwd(after("/etc/passwd"))
    old_gr, new_gr = _group(before.get("/etc/group", "")), _group(after("/etc/group"))
    old_sh, new_sh = _passwd_like(before.get("/etc/shadow", "")), _passwd_like(after("/etc/shadow"))
    groups = {}
    for name, fields in new_gr.items():
        if old_gr.get(name) != fields:
            groups[name] = {"gid": int(fields[2]), "members": [m for m in fields[3].split(",") if m]}
    users = {}
    for name, fields in new_pw.items():
        if old_pw.get(name) == fields and old_sh.get(name) == new_sh.get(name):
            continue
        home = fields[5]
        keys = []
        for path in sorted(files):
            if path.startswith(home.rstrip("/") + "/.ssh/authorized_keys") and files[path]["content"]:
                keys += [k for k in files[path]["content"].decode("utf-8", "replace").splitlines()
                         if k.strip() and not k.startswith("#")]
        pw_hash = new_sh.get(name, ["", ""])[1] if name in new_sh else ""
        users[name] = {
            "uid": int(fields[2]), "gid": int(fields[3]), "gecos": fields[4], "home": home,
            "shell": fields[6],
            "groups": sorted(g for g, f in new_gr.items() if name in f[3].split(",")),
            "ssh_authorized_keys": keys,
            "password_hash_set": not (pw_hash in LOCKED_HASHES or pw_hash.startswith("!")),
        }
    return {"users": users, "groups": groups}


def _passwd_like(text):
    return {line.split(":")[0]: line.split(":") for line in text.splitlines() if ":" in line}


def _units(files, links, dirs):
    base = "/etc/systemd/system/"
    units = {}

    def unit(name):
        return units.setdefault(name, {"contents": None, "enabled": None, "masked": False, "dropins": {}})

    for path, f in files.items():
        if not path.startswith(base):
            continue
        rest = path[len(base):]
        if "/" not in rest:
            unit(rest)["contents"] = _text(f)
        elif rest.count("/") == 1 and rest.split("/")[0].endswith(".d"):
            owner, dropin = rest.split("/")
            unit(owner[:-2])["dropins"][dropin] = _text(f)
    for path, link in links.items():
        if path.startswith(base) and "/" not in path[len(base):] and link["target"] == "/dev/null":
            unit(path[len(base):])["masked"] = True
    for path, f in files.items():
        if path.startswith("/etc/systemd/system-preset/") and f["content"] is not None:
            for line in f["content"].decode("utf-8", "replace").splitlines():
                words = line.split()
                if len(words) == 2 and words[0] in ("enable", "disable"):
                    unit(words[1])["enabled"] = words[0] == "enable"
    return units


def read_serial_log(path):
    """BootReport from a serial log file (e.g. libvirt's <serial type='file'>)."""
    with open(path, "rb") as handle:
        return parse_console(handle.read().decode("utf-8", "replace"))


# ---- booting ---------------------------------------------------------------------------------

PANIC = "Kernel panic - not syncing"


def _run_qemu(args, timeout, workdir):
    """Run qemu until it powers off; stop early on a kernel panic (the guest would hang
    until the timeout) or when the report is complete but the guest does not power off."""
    serial = os.path.join(workdir, "serial.log")
    qemu_out = os.path.join(workdir, "qemu.out")
    cmd = [QEMU, "-accel", "tcg", "-m", str(MEMORY_MB), "-nographic", "-no-reboot",
           "-monitor", "none", "-serial", "file:" + serial] + list(args)
    if shutil.which(QEMU) is None:
        raise LabBootError("%s not found; run `make apt` (mk/lab.mk installs qemu-system-x86)" % QEMU)
    started = time.monotonic()
    with open(qemu_out, "wb") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    reported_at = None
    try:
        while proc.poll() is None:
            time.sleep(0.2)
            now = time.monotonic()
            console = _read(serial)
            if PANIC in console:
                time.sleep(0.5)
                raise LabBootError("the guest kernel panicked", _read(serial))
            if END in console:
                reported_at = reported_at or now
                if now - reported_at > 15:
                    break  # report complete, guest did not power off: good enough
            if now - started > timeout:
                raise LabBootError("qemu did not power off within %s s" % timeout, console)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    console = _read(serial)
    if proc.returncode not in (0, -9) or (proc.returncode == -9 and END not in console):
        raise LabBootError("qemu exited with %d: %s" % (proc.returncode, _read(qemu_out)[-1500:]), console)
    report = parse_console(console)
    report["boot_seconds"] = round(time.monotonic() - started, 2)
    report["qemu_args"] = cmd
    return report


def _read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


def _net_args(append, network):
    if network or (append and "ignition.config.url=" in append):
        # romfile= drops the iPXE option ROM: SeaBIOS boots faster without it
        return ["-netdev", "user,id=lab0", "-device", "virtio-net-pci,netdev=lab0,romfile="]
    return ["-nic", "none"]


def _combine_initrds(initrds, dest):
    with open(dest, "wb") as out:
        for path in initrds:
            data = pathlib.Path(path).read_bytes() if not isinstance(path, (bytes, bytearray)) else bytes(path)
            out.write(data)
            out.write(b"\0" * ((4 - len(data) % 4) % 4))


def _pvh_kernel(kernel):
    """The uncompressed ELF of the lab kernel when ``kernel`` is the lab bzImage: qemu boots
    it PVH, skipping the in-guest decompression (about 2x faster under TCG)."""
    try:
        meta = media.info()
        vmlinux = media.paths()["vmlinux"]
    except media.LabMediaMissing:
        return kernel
    digest = hashlib.sha256(pathlib.Path(kernel).read_bytes()).hexdigest()
    return vmlinux if digest == meta.get("kernel_sha256") else kernel


def boot_pxe(kernel, initrds, append, timeout=90, extra_qemu=(), network=False, pvh=True):
    """Boot ``kernel`` with ``initrds`` (paths or bytes, concatenated like a bootloader does,
    each padded to 4 bytes) and kernel arguments ``append`` (used verbatim; add
    ``console=ttyS0`` to see kernel messages on the console tail)."""
    with tempfile.TemporaryDirectory(prefix="nestos-lab-") as work:
        initrd = os.path.join(work, "initrd.img")
        _combine_initrds(initrds, initrd)
        kern = _pvh_kernel(kernel) if pvh else kernel
        args = ["-kernel", str(kern), "-initrd", initrd, "-append", append]
        return _run_qemu(args + _net_args(append, network) + list(extra_qemu), timeout, work)


def iso_kargs(iso):
    """Current kernel arguments of a NestOS ISO, read from its isolinux.cfg kargs area."""
    with open(iso, "rb") as handle:
        reader = iso9660.IsoReader(handle)
        info = json.loads(reader.read("NESTOS/KARGS.JSO"))
        for entry in info["files"]:
            if entry["path"].lower() == "isolinux/isolinux.cfg":
                data = reader.read("ISOLINUX/ISOLINUX.CFG")
                area = data[entry["offset"]:entry["offset"] + info["size"]].decode("utf-8")
                return area.rstrip(entry.get("pad", "#")).rstrip(entry.get("end", "\n")).strip()
    raise LabBootError("%s has no isolinux kargs area in nestos/kargs.json" % iso)


def boot_iso(iso, timeout=90, append=None, extra_qemu=(), network=False):
    """Boot a live ISO. With ``append=None`` it boots through SeaBIOS and isolinux, so the
    kargs in the ISO's embed areas and its embedded Ignition initrd are used as they are.
    With ``append`` the kernel, initrd.img and the Ignition embed area are taken out of the
    ISO and booted directly (PVH) with the ISO's kargs plus ``append``; the ISO is still
    attached as a CD-ROM."""
    if append is None:
        args = ["-cdrom", str(iso), "-boot", "d"]
        with tempfile.TemporaryDirectory(prefix="nestos-lab-") as work:
            return _run_qemu(args + _net_args(iso_kargs(iso), network) + list(extra_qemu), timeout, work)
    with open(iso, "rb") as handle:
        reader = iso9660.IsoReader(handle)
        ign = json.loads(reader.read("NESTOS/IGNINFO.JSO"))
        embed = reader.read(ign["file"].upper())
        offset = ign.get("offset", 0)
        embed = embed[offset:offset + ign.get("length", len(embed) - offset)]
        kernel = reader.read("IMAGES/PXEBOOT/VMLINUZ")
        initrd = reader.read("IMAGES/PXEBOOT/INITRD.IMG")
    kargs = (iso_kargs(iso) + " " + append).strip()
    with tempfile.TemporaryDirectory(prefix="nestos-lab-") as work:
        kpath = os.path.join(work, "vmlinuz")
        pathlib.Path(kpath).write_bytes(kernel)
        return boot_pxe(kpath, [initrd, embed], kargs, timeout=timeout,
                        extra_qemu=["-cdrom", str(iso)] + list(extra_qemu), network=network)


def boot_disk(qcow2, ignition=None, timeout=90, snapshot=True, extra_qemu=(), network=False):
    """Boot a disk image (qcow2 or raw) through SeaBIOS; ``ignition`` (bytes, str or a path) is passed as
    fw_cfg ``opt/com.coreos/config`` like NestOS on QEMU expects. ``snapshot`` keeps the
    image unchanged."""
    with tempfile.TemporaryDirectory(prefix="nestos-lab-") as work:
        with open(qcow2, "rb") as handle:
            fmt = "qcow2" if handle.read(4) == b"QFI\xfb" else "raw"
        args = ["-drive", "file=%s,if=virtio,format=%s%s" % (qcow2, fmt, ",snapshot=on" if snapshot else "")]
        if ignition is not None:
            if isinstance(ignition, (bytes, bytearray, str)) and not (
                    isinstance(ignition, str) and os.path.isfile(ignition)):
                path = os.path.join(work, "config.ign")
                data = ignition.encode("utf-8") if isinstance(ignition, str) else bytes(ignition)
                pathlib.Path(path).write_bytes(data)
                os.chmod(path, 0o600)
            else:
                path = str(ignition)
            args += ["-fw_cfg", "name=opt/com.coreos/config,file=%s" % path]
        return _run_qemu(args + _net_args(None, network) + list(extra_qemu), timeout, work)


# ---- installed disks: the harness plays GRUB's part --------------------------------------------

FIRSTBOOT_SET = re.compile(r'^\s*set\s+ignition_network_kcmdline=(["\'])(.*)\1\s*$')


def _partitions(disk):
    """GPT partitions of a raw disk as util-linux sfdisk reads them: [{"node", "start",
    "size", "name", ...}] (sectors of 512 bytes)."""
    try:
        out = subprocess.run(["sfdisk", "--json", str(disk)], check=True, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE).stdout
    except FileNotFoundError:
        raise LabBootError("sfdisk not found; run `make apt` (mk/metal.mk installs fdisk)") from None
    except subprocess.CalledProcessError as exc:
        raise LabBootError("%s has no readable partition table: %s" % (disk, exc.stderr.decode().strip())) from None
    return json.loads(out)["partitiontable"].get("partitions", [])


def _mtools(args, disk, offset, **kw):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    cmd = [args[0], "-i", "%s@@%d" % (disk, offset)] + list(args[1:])
    return subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False, **kw)


def read_installed(disk):
    """What GRUB would read from an installed disk's boot partition (FAT in the lab):
    {"entry": name, "bls": {key: value}, "firstboot": stamp text or None, "offset": bytes,
    "ignition_config": bytes or None}."""
    boot = [p for p in _partitions(disk) if p.get("name") == "boot"]
    if not boot:
        raise LabBootError("%s has no partition named boot" % disk)
    offset = int(boot[0]["start"]) * 512
    listing = _mtools(["mdir", "-b", "::/loader/entries"], disk, offset)
    entries = sorted(line.strip().rsplit("/", 1)[-1] for line in listing.stdout.decode().splitlines()
                     if line.strip().endswith(".conf"))
    if not entries:
        raise LabBootError("no BLS entry in %s boot partition loader/entries: %s" % (disk, listing.stderr.decode()))
    text = _mtools(["mtype", "::/loader/entries/" + entries[-1]], disk, offset).stdout.decode()
    bls = {}
    for line in text.splitlines():
        key, dummy, value = line.strip().partition(" ")
        if key and not key.startswith("#"):
            bls[key] = value.strip()
    stamp = _mtools(["mtype", "::/ignition.firstboot"], disk, offset)
    config = _mtools(["mtype", "::/ignition/config.ign"], disk, offset)
    return {"entry": entries[-1], "bls": bls, "offset": offset,
            "firstboot": stamp.stdout.decode() if stamp.returncode == 0 else None,
            "ignition_config": config.stdout if config.returncode == 0 else None}


def installed_cmdline(installed):
    """The kernel command line NestOS's grub.cfg builds from the BLS entry: with the stamp
    ``ignition.firstboot`` present, ``$ignition_firstboot`` becomes ``ignition.firstboot`` and
    the stamp's ``ignition_network_kcmdline`` (the last ``set`` wins, default empty)."""
    options = installed["bls"].get("options", "")
    expand = ""
    if installed["firstboot"] is not None:
        network = ""
        for line in installed["firstboot"].splitlines():
            match = FIRSTBOOT_SET.match(line)
            if match:
                network = match.group(2)
        expand = ("ignition.firstboot " + network).strip()
    return " ".join(options.replace("${ignition_firstboot}", expand).replace("$ignition_firstboot", expand).split())


def boot_installed(disk, timeout=120, extra_qemu=(), network=False, snapshot=True):
    """Boot an installed raw disk like NestOS's GRUB (blscfg) would: kernel, initramfs and
    options from the boot partition's BLS entry, ``$ignition_firstboot`` from the first-boot
    stamp; the disk is attached as /dev/vda (``snapshot`` keeps it unchanged). The report
    gets ``bls`` (what was read)."""
    installed = read_installed(disk)
    with tempfile.TemporaryDirectory(prefix="nestos-lab-") as work:
        files = {}
        for key in ("linux", "initrd"):
            path = installed["bls"].get(key)
            if not path:
                raise LabBootError("BLS entry %s has no %s line" % (installed["entry"], key))
            files[key] = os.path.join(work, key)
            res = _mtools(["mcopy", "-n", "::" + path, files[key]], disk, installed["offset"])
            if res.returncode:
                raise LabBootError("cannot read %s from the boot partition: %s" % (path, res.stderr.decode()))
        drive = "file=%s,if=virtio,format=raw%s" % (disk, ",snapshot=on" if snapshot else "")
        report = boot_pxe(files["linux"], [files["initrd"]], installed_cmdline(installed), timeout=timeout,
                          extra_qemu=["-drive", drive] + list(extra_qemu), network=network)
    report["bls"] = installed
    return report


# ---- config server for ignition.config.url ------------------------------------------------------

class ConfigServer:
    """An HTTP server on 127.0.0.1 for the duration of a boot. Guests on qemu user-mode
    networking reach it at 10.0.2.2. ``files`` maps URL paths to bytes."""

    GUEST_HOST = "10.0.2.2"

    def __init__(self, files):
        self.files = {("/" + k.lstrip("/")): (v.encode() if isinstance(v, str) else v) for k, v in files.items()}
        self.requests = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server naming)
                server.requests.append(self.path)
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path="config.ign"):
        """The URL as the guest sees it."""
        return "http://%s:%d/%s" % (self.GUEST_HOST, self.port, path.lstrip("/"))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@contextlib.contextmanager
def serve_config(config, path="config.ign"):
    """Serve ``config`` (bytes/str) at http://10.0.2.2:PORT/<path> for the guest; yields the
    ConfigServer (``.url()``, ``.requests``)."""
    with ConfigServer({path: config}) as server:
        yield server


# ---- ISO helpers for tests (independent of the collection's live engine) -------------------------

def copy_iso_with_config(iso, dest, config=None, kargs=None, extra_members=None):
    """Copy ``iso`` to ``dest`` and write, like ``nestos-installer iso ignition embed`` and
    ``iso kargs modify`` would: ``config`` (bytes) as ``config.ign`` in an xz(CRC32) cpio in
    the Ignition embed area named by /nestos/igninfo.json, and ``kargs`` (str) into every
    kargs area of /nestos/kargs.json. Returns ``dest``."""
    from tests.lab import newc
    shutil.copyfile(iso, dest)
    with open(dest, "r+b") as handle:
        reader = iso9660.IsoReader(handle)
        if config is not None or extra_members:
            ign = json.loads(reader.read("NESTOS/IGNINFO.JSO"))
            rec = reader.record(ign["file"].upper())
            offset = rec["extent"] * iso9660.SECTOR + ign.get("offset", 0)
            length = ign.get("length", rec["size"] - ign.get("offset", 0))
            blob = newc.config_initrd(config, extra_members)
            if len(blob) > length:
                raise ValueError("config initrd of %d bytes does not fit the %d-byte area" % (len(blob), length))
            handle.seek(offset)
            handle.write(blob + b"\0" * (length - len(blob)))
        if kargs is not None:
            info = json.loads(reader.read("NESTOS/KARGS.JSO"))
            if len(kargs) >= info["size"]:
                raise ValueError("kargs too large for area: %d vs %d" % (len(kargs) + 1, info["size"]))
            for entry in info["files"]:
                level1 = "/".join(p[:8] for p in entry["path"].upper().split("/")[:-1])
                name = entry["path"].upper().split("/")[-1]
                stem, dummy, ext = name.partition(".")
                path = (level1 + "/" if level1 else "") + stem[:8] + ("." + ext[:3] if ext else "")
                where = reader.lookup(path) + entry["offset"]
                area = kargs + entry.get("end", "\n")
                area += entry.get("pad", "#") * (info["size"] - len(area))
                handle.seek(where)
                handle.write(area.encode("utf-8"))
    return dest
