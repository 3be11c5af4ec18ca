"""The fleet lab: many "NestOS hosts" on 127.0.0.1, one sshd per host.

Each host is a real OpenSSH sshd (Debian's) listening on its own port in 22100-22599 with
``ChrootDirectory`` set to the host's own root folder. The root holds busybox-static applets,
a few real Debian binaries that NestOS also ships (sudo, coreutils' install/nohup, bash, jq)
with their libraries, and the test doubles from tests/lab/doubles (rpm-ostree, systemctl,
reboot). There is no Python in it: Ansible's interpreter discovery finds nothing and
``ansible.builtin.setup`` fails, just as on NestOS.

Login: user ``nestlab`` (a system user this module creates on the machine, no password, shell
/bin/sh) with an ed25519 key generated for the lab; inside the chroot the user is in group
``sudo`` and /etc/sudoers.d/nestos-sudo-group says ``%sudo ALL=(ALL) NOPASSWD: ALL`` (NestOS's
own rule), so become with the real sudo works.

A supervisor process (tests/lab/fleet/supervisor.py) owns the sshd processes and performs
"reboots" that the doubles request. Use :class:`Fleet` from tests, ``python -m tests.lab.fleet``
from a shell or make.
"""
import fcntl
import hashlib
import json
import os
import pathlib
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid

TOP = pathlib.Path(__file__).resolve().parents[3]
DOUBLES = TOP / "tests" / "lab" / "doubles"
LAB_CACHE = pathlib.Path(os.environ.get("NESTOS_LAB_CACHE", TOP / ".cache" / "lab")).resolve()


def _chroot_safe(path):
    """sshd's ChrootDirectory demands that every component of the path be a root-owned folder
    that no group or other user may write (so a checkout under /tmp cannot hold the roots)."""
    path = pathlib.Path(path)
    for part in [path] + list(path.parents):
        try:
            st = part.stat()
        except OSError:
            continue  # made later, by root, without group/other write
        if st.st_uid != 0 or st.st_mode & 0o022:
            return False
    return True


def _fleet_cache():
    wanted = os.environ.get("NESTOS_FLEET_DIR")
    if wanted:
        return pathlib.Path(wanted).resolve()
    if _chroot_safe(LAB_CACHE / "fleet"):
        return LAB_CACHE / "fleet"
    # Same checkout, same folder: keyed by the lab cache's path.
    return pathlib.Path("/var/lib/nestos-lab") / ("fleet-" + hashlib.sha256(str(LAB_CACHE).encode()).hexdigest()[:12])


FLEET_CACHE = _fleet_cache()
FIXTURES = pathlib.Path(os.environ.get("NESTOS_FIXTURES", TOP.parent / "shared" / "fixtures" / "upstream"))
LAB_USER = "nestlab"
PORT_MIN, PORT_MAX = 22100, 22599
OSNAME = "nestos"

# Real Debian binaries that NestOS also ships (coreutils, sudo, bash, jq); busybox gives the rest.
REAL_BINARIES = ["/usr/bin/sudo", "/usr/bin/install", "/usr/bin/nohup", "/usr/bin/bash", "/usr/bin/jq",
                 "/usr/bin/stat", "/usr/bin/sha256sum", "/usr/bin/mktemp", "/usr/bin/env",
                 # Debian's grub-editenv (grub-common): NestOS ships the same tool as grub2-editenv;
                 # socat: Fedora CoreOS's networking-tools manifest (inherited by nestos-config)
                 "/usr/bin/grub-editenv", "/usr/bin/socat"]
REAL_EXTRA_FILES = ["/usr/libexec/sudo/sudoers.so", "/usr/libexec/sudo/libsudo_util.so.0",
                    "/usr/lib/x86_64-linux-gnu/security/pam_permit.so"]
# busybox applets we do not install: real binaries above or doubles take their place, and
# nothing that could look like a package manager or another init.
SKIP_APPLETS = {"reboot", "poweroff", "halt", "rpm", "rpm2cpio", "dpkg", "dpkg-deb", "init", "linuxrc",
                "install", "nohup", "stat", "sha256sum", "mktemp", "env", "sh", "ash"}
DOUBLE_PLACES = {
    "rpm-ostree": ["usr/bin/rpm-ostree"],
    "systemctl": ["usr/bin/systemctl"],
    "reboot": ["usr/sbin/reboot", "usr/sbin/poweroff", "usr/sbin/halt", "usr/sbin/shutdown"],
    "lab-boot": ["usr/libexec/nestos-lab/boot"],
    "ostree": ["usr/bin/ostree"],
    "lab-bls": ["usr/libexec/nestos-lab/bls"],
}
# Stand-in for NestOS's /boot/grub2/grub.cfg (openeuler-mirror/nestos-assembler src/grub.cfg), in
# our words, reduced to what the lab's boot double acts on: the environment block is loaded and
# $prefix/user.cfg sourced before the BLS menu; NestOS's file has no next_entry logic of its own.
GRUB_CFG = """# nestos fleet lab: what NestOS's grub.cfg does with the environment block and user.cfg
if [ -f ${config_directory}/grubenv ]; then
  load_env -f ${config_directory}/grubenv
elif [ -s $prefix/grubenv ]; then
  load_env
fi
if [ -f $prefix/user.cfg ]; then
  source $prefix/user.cfg
fi
blscfg
"""

DEFAULT_STREAM = "LTS"
REGISTRY = "registry.nestos.lab/nestos/nestos"
# The starting point of every lab host: a NestOS 22.03-LTS-SP4 install (classic ostree origin).
BASE_ORIGIN = "openEuler:openEuler/x86_64/nestos/stable"
BASE_VERSION = "22.03-LTS-SP4.20240628.0"
UNITS = {  # unit: (enabled, active) at first boot, as NestOS presets them
    "zincati.service": ("enabled", "active"),
    "sshd.service": ("enabled", "active"),
    "rpm-ostreed.service": ("static", "active"),
    "chronyd.service": ("enabled", "active"),
    "docker.service": ("disabled", "inactive"),
    "nestos-update-ca-trust.service": ("enabled", "active"),
}
PACKAGES = ["htop", "tmux", "strace", "vim-enhanced", "tcpdump", "nmap-ncat", "cowsay-free"]
# packages of the base image (NAME VERSION RELEASE), what `override remove/replace` acts on
BASE_PACKAGES = [("kernel", "5.10.0", "216.0.0.115.oe2203sp4"), ("openssl", "1.1.1wa", "3.oe2203sp4"),
                 ("podman", "4.9.4", "1.oe2203sp4"), ("docker-engine", "18.09.0", "336.oe2203sp4"),
                 ("chrony", "4.1", "5.oe2203sp4"), ("nano", "6.0", "3.oe2203sp4"), ("zincati", "0.0.24", "5.oe2203sp4")]


class LabError(RuntimeError):
    pass


def digest_of(text):
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def image_ref(tag):
    """Container reference as a user writes it for rpm-ostree rebase."""
    return "ostree-unverified-registry:%s:%s" % (REGISTRY, tag)


# --------------------------------------------------------------------------------------------
def _run(cmd, **kw):
    kw.setdefault("check", True)  # pylint: disable=subprocess-run-check
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    kw.setdefault("text", True)
    try:
        return subprocess.run(cmd, **kw)  # pylint: disable=subprocess-run-check
    except subprocess.CalledProcessError as e:
        raise LabError("%s failed (rc %s): %s" % (" ".join(cmd), e.returncode, (e.stderr or "").strip()))


def _libs(binary):
    out = _run(["ldd", binary], check=False).stdout
    libs = []
    for line in out.splitlines():
        parts = line.split()
        if "=>" in parts and len(parts) >= 3 and parts[2].startswith("/"):
            libs.append(parts[2])
        elif parts and parts[0].startswith("/"):
            libs.append(parts[0])
    return libs


def _fingerprint():
    h = hashlib.sha256()
    for p in [DOUBLES / n for n in sorted(DOUBLE_PLACES)] + [pathlib.Path(__file__)]:
        h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()[:16]


def ensure_user():
    """The login user sshd authenticates on the machine (sshd looks users up before chroot)."""
    try:
        pw = pwd.getpwnam(LAB_USER)
    except KeyError:
        _run(["useradd", "--system", "--no-create-home", "--home-dir", "/home/" + LAB_USER,
              "--shell", "/bin/sh", LAB_USER])
        pw = pwd.getpwnam(LAB_USER)
    # '*' = no password but not locked (sshd without PAM refuses locked '!' accounts)
    _run(["usermod", "-p", "*", LAB_USER])
    return pw


def ensure_keys():
    keys = FLEET_CACHE / "keys"
    keys.mkdir(parents=True, exist_ok=True)
    os.chmod(keys, 0o755)
    for name in ("id_ed25519", "ssh_host_ed25519_key"):
        if not (keys / name).exists():
            _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "nestos-fleet-lab", "-f", str(keys / name)])
    ak = keys / "authorized_keys"
    ak.write_text((keys / "id_ed25519.pub").read_text())
    os.chmod(ak, 0o644)
    return keys


def build_template():
    """Root folder shared (by hard links) by every lab host; rebuilt when the doubles change."""
    if os.geteuid() != 0:
        raise LabError("the fleet lab needs root (sshd with ChrootDirectory, sudo inside the chroot)")
    for tool in ("sshd", "busybox", "sudo", "jq"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
            raise LabError("%s is missing: run `make lab` (mk/fleet.mk installs it)" % tool)
    pw = ensure_user()
    fp = _fingerprint()
    tpl = FLEET_CACHE / ("template-" + fp)
    if (tpl / ".complete").exists():
        return tpl, pw
    FLEET_CACHE.mkdir(parents=True, exist_ok=True)
    with open(FLEET_CACHE / ".template.lock", "w") as lock:  # several test sessions may start at once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (tpl / ".complete").exists():
            return tpl, pw
        return _build_template(tpl, fp, pw)


def _build_template(tpl, fp, pw):
    for old in FLEET_CACHE.glob("template-*"):
        if old.name != tpl.name:  # hosts made from an old template are hard-link copies: safe to drop
            shutil.rmtree(old, ignore_errors=True)
    tmp = FLEET_CACHE / ("template-" + fp + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    os.chmod(FLEET_CACHE, 0o755)
    for d in ("usr/bin", "usr/sbin", "usr/lib/x86_64-linux-gnu/security", "usr/lib64", "usr/libexec/sudo",
              "usr/libexec/nestos-lab", "usr/share/nestos-lab", "etc/sudoers.d", "etc/pam.d", "etc/zincati/config.d",
              "usr/lib/zincati/config.d", "etc/ostree/remotes.d", "etc/ssh/sshd_config.d", "etc/containers",
              "etc/containers/registries.d",
              "boot/grub2", "boot/loader/entries", "sysroot/ostree/deploy/nestos/deploy", "dev", "run", "tmp",
              "var/tmp", "var/lib", "root", "home", "proc/sys/kernel/random"):
        (tmp / d).mkdir(parents=True, exist_ok=True)
    for link, target in (("bin", "usr/bin"), ("sbin", "usr/sbin"), ("lib", "usr/lib"), ("lib64", "usr/lib64")):
        os.symlink(target, tmp / link)
    os.chmod(tmp / "tmp", 0o1777)
    os.chmod(tmp / "var/tmp", 0o1777)
    # busybox applets
    bb = tmp / "usr/bin/busybox"
    shutil.copy2(shutil.which("busybox"), bb)
    os.symlink("busybox", tmp / "usr/bin/sh")
    os.symlink("busybox", tmp / "usr/bin/ash")
    applets = _run([str(bb), "--list"]).stdout.split()
    for a in applets:
        if a in SKIP_APPLETS or (tmp / "usr/bin" / a).exists():
            continue
        os.symlink("busybox", tmp / "usr/bin" / a)
    # real binaries + their libraries
    libs = set()
    for b in REAL_BINARIES + REAL_EXTRA_FILES:
        src = os.path.realpath(b)
        dst = tmp / b.lstrip("/")
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
        libs.update(_libs(src))
    for lib in libs:
        real = os.path.realpath(lib)
        dst = tmp / "usr/lib/x86_64-linux-gnu" / os.path.basename(lib)
        if not dst.exists():
            shutil.copy2(real, dst)
    ld = tmp / "usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
    if not ld.exists():
        shutil.copy2(os.path.realpath("/lib64/ld-linux-x86-64.so.2"), ld)
    if not (tmp / "usr/lib64/ld-linux-x86-64.so.2").exists():
        os.symlink("../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", tmp / "usr/lib64/ld-linux-x86-64.so.2")
    os.chmod(tmp / "usr/bin/sudo", 0o4755)
    # doubles
    for name, places in DOUBLE_PLACES.items():
        for place in places:
            dst = tmp / place
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(DOUBLES / name, dst)
            os.chmod(dst, 0o755)
    _write_etc(tmp / "etc", pw)
    (tmp / "boot/grub2/grub.cfg").write_text(GRUB_CFG)
    zdist = FIXTURES / "zincati" / "dist" / "config.d"
    if zdist.is_dir():  # the shipped Zincati defaults, as /usr/lib/zincati/config.d holds them
        for f in zdist.glob("*.toml"):
            shutil.copy2(f, tmp / "usr/lib/zincati/config.d" / f.name)
    (tmp / "usr/share/nestos-lab/packages").write_text("\n".join(PACKAGES) + "\n")
    (tmp / "usr/share/nestos-lab/base-packages").write_text("".join("%s %s %s\n" % p for p in BASE_PACKAGES))
    home = tmp / "home" / LAB_USER
    home.mkdir()
    os.chown(home, pw.pw_uid, pw.pw_gid)
    os.chmod(home, 0o700)
    (tmp / ".complete").write_text(fp + "\n")
    tmp.rename(tpl)
    return tpl, pw


def _write_etc(etc, pw):
    """The host's /etc: users, sudo (NestOS's rule), PAM, nsswitch, os-release, Zincati's dev drop-in."""
    (etc / "passwd").write_text(
        "root:x:0:0:root:/root:/bin/sh\n%s:x:%d:%d:NestOS fleet lab:/home/%s:/bin/sh\n"
        % (LAB_USER, pw.pw_uid, pw.pw_gid, LAB_USER))
    (etc / "group").write_text(
        "root:x:0:\nsudo:x:16:%s\nwheel:x:10:%s\n%s:x:%d:\n" % (LAB_USER, LAB_USER, LAB_USER, pw.pw_gid))
    (etc / "shadow").write_text("root:*:19000:0:99999:7:::\n%s:*:19000:0:99999:7:::\n" % LAB_USER)
    os.chmod(etc / "shadow", 0o600)
    (etc / "nsswitch.conf").write_text("passwd: files\ngroup: files\nshadow: files\nhosts: files\n")
    # sudo resolves the kernel's host name, which is the machine's (no UTS namespace here)
    (etc / "hosts").write_text("127.0.0.1 localhost nestos %s\n" % socket.gethostname())
    (etc / "hostname").write_text("nestos\n")
    (etc / "os-release").write_text(
        'NAME="NestOS"\nVERSION="%s"\nID="nestos"\nVERSION_ID="22.03"\nPRETTY_NAME="NestOS For Container %s"\n'
        'ANSI_COLOR="0;31"\nVARIANT="NestOS For Container"\nVARIANT_ID="nestos"\n' % (BASE_VERSION, BASE_VERSION))
    (etc / "sudoers").write_text(
        "Defaults env_reset\nDefaults !lecture\nDefaults !pam_session\nDefaults !syslog\n"
        "root ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n")
    (etc / "sudoers.d/nestos-sudo-group").write_text("%sudo ALL=(ALL) NOPASSWD: ALL\n")
    os.chmod(etc / "sudoers", 0o440)
    os.chmod(etc / "sudoers.d/nestos-sudo-group", 0o440)
    # sshd sets the supplementary groups from the machine's /etc/group before chroot; make sudo
    # read the host's own group file (inside the root) so that NestOS's %sudo rule applies
    (etc / "sudo.conf").write_text("Set disable_coredump false\nSet group_source dynamic\n")
    (etc / "pam.d/sudo").write_text(
        "auth sufficient pam_permit.so\naccount required pam_permit.so\nsession required pam_permit.so\n")
    (etc / "pam.d/other").write_text((etc / "pam.d/sudo").read_text())
    (etc / "profile").write_text("PATH=/usr/local/bin:/usr/bin:/usr/sbin\nexport PATH\n")
    (etc / "containers/policy.json").write_text(
        '{"default": [{"type": "insecureAcceptAnything"}],\n "transports": {"docker-daemon": '
        '{"": [{"type": "insecureAcceptAnything"}]}}}\n')
    (etc / "zincati/config.d/95-disable-on-dev.toml").write_text("[updates]\nenabled = false\n")
    (etc / "ssh/sshd_config.d/.keep").write_text("")


def _make_devices(root):
    dev = root / "dev"
    for name, major, minor in (("null", 1, 3), ("zero", 1, 5), ("urandom", 1, 9), ("random", 1, 8), ("tty", 5, 0)):
        p = dev / name
        if not p.exists():
            os.mknod(p, 0o666 | 0o020000, os.makedev(major, minor))
            os.chmod(p, 0o666)


def _listening(port):
    s = socket.socket()
    s.settimeout(0.5)
    try:
        s.connect(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


# --------------------------------------------------------------------------------------------
class Host:
    """One lab host: its root (chroot), its state folder, its port."""

    def __init__(self, fleet, name, port):
        self.fleet = fleet
        self.name = name
        self.port = port
        self.dir = fleet.dir / "hosts" / name
        self.root = self.dir / "root"
        self.state = self.root / "var/lib/nestos-lab"

    # --- state as the doubles keep it ---
    def _write(self, rel, text, mode=0o644):
        p = self.root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name("." + p.name + ".labtmp")
        tmp.write_text(text)
        os.chmod(tmp, mode)
        os.replace(tmp, p)

    def create(self, template, pw, images_text):
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        _run(["cp", "-al", str(template), str(self.root)])
        os.chmod(self.root, 0o755)
        # per-host writable things must not be hard links into the template
        for rel in ("etc/zincati/config.d/95-disable-on-dev.toml", "etc/os-release", "etc/hostname"):
            p = self.root / rel
            data = p.read_bytes()
            p.unlink()
            p.write_bytes(data)
        self._write("etc/hostname", self.name + "\n")
        self._write("etc/machine-id", uuid.uuid4().hex + "\n", 0o444)
        _make_devices(self.root)
        for d in ("run/nestos-lab", "var/lib/nestos-lab/d", "var/lib/nestos-lab/units", "var/lib/nestos-lab/faults"):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        (self.root / "run/nestos-lab").chmod(0o755)
        self._write("usr/share/nestos-lab/images", images_text)
        self._write("usr/share/nestos-lab/history", self.fleet._history_text())
        # a NestOS 22.03-LTS-SP4 install: one booted deployment on the classic origin
        checksum = hashlib.sha256(("commit " + BASE_VERSION).encode()).hexdigest()
        did = "%s-%s.0" % (OSNAME, checksum)
        self._write("var/lib/nestos-lab/d/" + did, "\n".join([
            "id=" + did, "checksum=" + checksum, "serial=0", "version=" + BASE_VERSION,
            "timestamp=1719532800", "kind=classic", "ref=''", "digest=''", "origin='%s'" % BASE_ORIGIN,
            "stream='%s'" % DEFAULT_STREAM, "packages=''",
            "kargs='root=UUID=4f8a0c4e-7a0e-4e6b-9f0b-1a2b3c4d5e6f rw rootflags=prjquota "
            "boot=UUID=a1b2c3d4-0000-4000-8000-000000000001 console=tty0 console=ttyS0,115200n8 "
            "ignition.platform.id=qemu $ignition_firstboot ostree=/ostree/boot.1/nestos/%s/0'" % checksum[:16],
            "base_checksum=''", "base_version=''", "base_timestamp=0", "pinned=false", ""]))
        self._write("var/lib/nestos-lab/order", did + "\n")
        self._write("var/lib/nestos-lab/booted", did + "\n")
        self._write("var/lib/nestos-lab/driver", "Zincati zincati.service\n")
        self._write("var/lib/nestos-lab/version", "2022.16\n")
        self._write("var/lib/nestos-lab/commands.log", "", 0o666)
        # the boot entries ostree wrote at install time, and GRUB's environment block
        _run(["chroot", str(self.root), "/usr/libexec/nestos-lab/bls"], env={"PATH": "/usr/bin:/usr/sbin"})
        _run(["chroot", str(self.root), "grub-editenv", "/boot/grub2/grubenv", "create"],
             env={"PATH": "/usr/bin:/usr/sbin"})
        for unit, (enabled, active) in UNITS.items():
            self._write("var/lib/nestos-lab/units/%s.enabled" % unit, enabled + "\n")
            self._write("var/lib/nestos-lab/units/%s.active" % unit, active + "\n")
        self.new_boot_id()
        (self.root / "home" / LAB_USER).mkdir(exist_ok=True)
        os.chown(self.root / "home" / LAB_USER, pw.pw_uid, pw.pw_gid)
        self._write_sshd_config()

    def new_boot_id(self):
        bid = str(uuid.uuid4())
        self._write("proc/sys/kernel/random/boot_id", bid + "\n", 0o444)
        return bid

    def _write_sshd_config(self):
        keys = FLEET_CACHE / "keys"
        cfg = "\n".join([
            "Port %d" % self.port,
            "ListenAddress 127.0.0.1",
            "HostKey %s" % (keys / "ssh_host_ed25519_key"),
            "PidFile %s" % (self.dir / "sshd.pid"),
            "AuthorizedKeysFile %s" % (keys / "authorized_keys"),
            "AllowUsers %s" % LAB_USER,
            "PermitRootLogin no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "UseDNS no",
            "StrictModes no",
            "ChrootDirectory %s" % self.root,
            "Subsystem sftp internal-sftp",
            "MaxStartups 200:30:400",
            "MaxSessions 100",
            "LogLevel VERBOSE",
            "PrintMotd no",
            "SetEnv PATH=/usr/local/bin:/usr/bin:/usr/sbin",
            "",
        ])
        (self.dir / "sshd_config").write_text(cfg)

    # --- introspection used by tests ---
    def read(self, rel):
        return (self.state / rel).read_text()

    def booted(self):
        return self.read("booted").strip()

    def deployment(self, did=None):
        did = did or self.booted()
        out = {}
        for line in self.read("d/" + did).splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                out[k] = v.strip("'")
        return out

    def boot_id(self):
        return (self.root / "proc/sys/kernel/random/boot_id").read_text().strip()

    def commands(self):
        return self.read("commands.log").splitlines()

    def boots(self):
        p = self.state / "boot.log"
        return p.read_text().splitlines() if p.exists() else []

    def reboot_windows(self):
        """[(down, up)] epoch seconds of every reboot the supervisor performed (up None while down)."""
        p = self.dir / "reboots.log"
        out = []
        for line in (p.read_text().splitlines() if p.exists() else []):
            what, when = line.split()
            if what == "down":
                out.append([float(when), None])
            elif out and out[-1][1] is None:
                out[-1][1] = float(when)
        return [tuple(w) for w in out]

    def machine_id(self):
        return (self.root / "etc/machine-id").read_text().strip()

    def grubenv(self):
        """GRUB's environment block as Debian's real grub-editenv lists it."""
        out = _run(["grub-editenv", str(self.root / "boot/grub2/grubenv"), "list"]).stdout
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def boot_entries(self):
        return sorted(p.name for p in (self.root / "boot/loader/entries").glob("ostree-*.conf"))

    def write_zincati(self, name, text):
        """A Zincati drop-in in /etc/zincati/config.d (files nobody reads but the actions)."""
        self._write("etc/zincati/config.d/" + name, text)

    def set_fault(self, name, value="1"):
        """Faults: rebase-fail, busy (value = transaction title), busy-count, degraded-image
        (value = substring of the booted deployment's state), reboot-hang."""
        self._write("var/lib/nestos-lab/faults/" + name, value + "\n")

    def clear_fault(self, name):
        p = self.state / "faults" / name
        if p.exists():
            p.unlink()

    def unit(self, unit):
        return (self.read("units/%s.enabled" % unit).strip(), self.read("units/%s.active" % unit).strip())

    def sshd_sessions(self):
        """Number of sessions sshd started for this host (exec + subsystem), from its log."""
        log = self.dir / "sshd.log"
        if not log.exists():
            return 0
        return sum(1 for line in log.read_text(errors="replace").splitlines() if "Starting session:" in line)

    def is_up(self):
        return _listening(self.port)


class Fleet:
    """A set of lab hosts under $NESTOS_LAB_CACHE/fleet/<name>, served by one supervisor."""

    def __init__(self, name="default", count=5, base_port=None, reboot_delay=1.0, port_floor=PORT_MIN):
        """base_port=None picks the lowest free range in 22100-22599 that no running fleet
        (of this or another test session) uses."""
        self.name = name
        self.dir = FLEET_CACHE / "fleets" / name
        self.count = count
        self.reboot_delay = reboot_delay
        self.keys = FLEET_CACHE / "keys"
        self.images = {}
        self.stop()  # a leftover of this very fleet (interrupted run)
        if base_port is None:
            base_port = self._free_base(count, port_floor)
        if base_port < PORT_MIN or base_port + count - 1 > PORT_MAX:
            raise LabError("fleet ports must stay in %d-%d" % (PORT_MIN, PORT_MAX))
        self.hosts = [Host(self, "nestos-%02d" % (i + 1), base_port + i) for i in range(count)]

    @staticmethod
    def running_ports():
        used = set()
        for sup in (FLEET_CACHE / "fleets").glob("*/supervisor.pid"):
            try:
                pid = int(sup.read_text().strip())
                os.kill(pid, 0)
                spec = json.loads((sup.parent / "fleet.json").read_text())
            except (OSError, ValueError):
                continue
            used.update(h["port"] for h in spec["hosts"])
        return used

    def _reserved(self):
        """Ports other live processes reserved for fleets they are still creating."""
        used = set()
        for res in (FLEET_CACHE / "reservations").glob("*"):
            try:
                spec = json.loads(res.read_text())
                os.kill(spec["pid"], 0)
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if res.name != self.name:
                used.update(range(spec["ports"][0], spec["ports"][1] + 1))
        return used

    def _free_base(self, count, floor=PORT_MIN):
        """The lowest free range, chosen under a lock and reserved (test sessions running at
        the same time would otherwise pick the same range before either fleet listens)."""
        (FLEET_CACHE / "reservations").mkdir(parents=True, exist_ok=True)
        with open(FLEET_CACHE / ".ports.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            used = self.running_ports() | self._reserved()
            for base in range(max(floor, PORT_MIN), PORT_MAX - count + 2):
                ports = range(base, base + count)
                if used.isdisjoint(ports) and not any(_listening(p) for p in ports):
                    (FLEET_CACHE / "reservations" / self.name).write_text(
                        json.dumps({"pid": os.getpid(), "ports": [base, base + count - 1]}))
                    return base
        raise LabError("no %d free ports left in %d-%d (running fleets: %s)" % (count, PORT_MIN, PORT_MAX, sorted(used)))

    def __getitem__(self, name):
        for h in self.hosts:
            if h.name == name:
                return h
        raise KeyError(name)

    # --- images ---
    def add_image(self, tag, version=None, signed=False, stream=DEFAULT_STREAM):
        """Publish REGISTRY:tag (or move the tag to a new digest). Returns the digest."""
        version = version or tag.rsplit("-", 1)[0]
        self._pushes = getattr(self, "_pushes", 0) + 1
        digest = digest_of("%s %s %d" % (tag, version, self._pushes))
        self.images["%s:%s" % (REGISTRY, tag)] = (digest, version, stream, "signed" if signed else "")
        self._publish_images()
        return digest

    def add_commit(self, ref, version, stream=DEFAULT_STREAM):
        """Publish a commit of an ostree ref (the ref's newest); older ones stay in its history
        (what `rpm-ostree deploy VERSION` finds)."""
        commit = hashlib.sha256(("commit " + version).encode()).hexdigest()
        self.images[ref] = (commit, version, stream, "")
        self.history = getattr(self, "history", [])
        if (ref, version, commit) not in self.history:
            self.history.append((ref, version, commit))
        self._publish_images()
        return commit

    def _history_text(self):
        return "".join("%s %s %s\n" % h for h in getattr(self, "history", []))

    def _images_text(self):
        return "".join("%s %s %s %s %s\n" % (k, d, v, s, f) for k, (d, v, s, f) in self.images.items())

    def _publish_images(self):
        if self.dir.exists():
            for h in self.hosts:
                if h.root.exists():
                    h._write("usr/share/nestos-lab/images", self._images_text())
                    h._write("usr/share/nestos-lab/history", self._history_text())

    # --- life cycle ---
    def create(self):
        self.stop()
        template, pw = build_template()
        ensure_keys()
        os.makedirs("/run/sshd", exist_ok=True)
        if self.dir.exists():
            shutil.rmtree(self.dir)
        (self.dir / "hosts").mkdir(parents=True)
        if BASE_ORIGIN not in self.images:
            self.add_commit(BASE_ORIGIN, BASE_VERSION)
        for h in self.hosts:
            h.create(template, pw, self._images_text())
        (self.dir / "fleet.json").write_text(json.dumps({
            "reboot_delay": self.reboot_delay,
            "hosts": [{"name": h.name, "port": h.port, "dir": str(h.dir), "root": str(h.root)} for h in self.hosts],
        }, indent=1))
        self.write_inventory()
        return self

    def start(self, timeout=30, owner_pid=None):
        """Start the supervisor (and the hosts' sshd). With owner_pid, the supervisor shuts the
        fleet down by itself when that process is gone (an interrupted test run)."""
        busy = [h.port for h in self.hosts if h.is_up()]
        if busy:
            raise LabError("ports %s are already in use on 127.0.0.1" % busy)
        log = open(self.dir / "supervisor.log", "ab")
        cmd = [sys.executable, str(pathlib.Path(__file__).with_name("supervisor.py")), str(self.dir)]
        if owner_pid:
            cmd.append(str(owner_pid))
        proc = subprocess.Popen(cmd,
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        log.close()
        self._proc = proc
        deadline = time.time() + timeout
        while time.time() < deadline:
            if proc.poll() is not None:
                raise LabError("fleet supervisor exited: %s" % (self.dir / "supervisor.log").read_text()[-2000:])
            if all(h.is_up() for h in self.hosts):
                return self
            time.sleep(0.1)
        raise LabError("fleet hosts did not come up within %ss; see %s" % (timeout, self.dir / "supervisor.log"))

    def stop(self):
        Fleet.stop_dir(self.dir)
        proc = getattr(self, "_proc", None)
        if proc is not None:
            try:  # a loaded machine may need a while to stop hundreds of sshd processes
                proc.wait(timeout=30 + len(self.hosts))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
            self._proc = None

    @staticmethod
    def stop_dir(fleet_dir):
        sup = fleet_dir / "supervisor.pid"
        if not sup.exists():
            return
        try:
            pid = int(sup.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            for _attempt in range(100):
                os.kill(pid, 0)
                with open("/proc/%d/stat" % pid) as f:
                    if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                        break
                time.sleep(0.05)
        except (ValueError, OSError):
            pass
        if sup.exists():
            sup.unlink()

    def remove(self):
        """Stop the fleet and delete its folder (hosts, logs)."""
        self.stop()
        res = FLEET_CACHE / "reservations" / self.name
        if res.exists():
            res.unlink()
        for _attempt in range(20):
            shutil.rmtree(self.dir, ignore_errors=True)
            if not self.dir.exists():
                return
            time.sleep(0.2)  # a dying sshd may still be writing its log

    def revive(self, host):
        """Bring back a host left down by the reboot-hang fault (the fault is cleared)."""
        host.clear_fault("reboot-hang")
        (self.dir / "hosts" / host.name / "revive").write_text("1\n")
        deadline = time.time() + 20
        while time.time() < deadline:
            if host.is_up():
                return
            time.sleep(0.1)
        raise LabError("%s did not come back" % host.name)

    def write_inventory(self, path=None, group="nestos"):
        path = pathlib.Path(path or self.dir / "inventory.ini")
        lines = ["[%s]" % group]
        for h in self.hosts:
            lines.append("%s ansible_host=127.0.0.1 ansible_port=%d" % (h.name, h.port))
        lines += [
            "", "[%s:vars]" % group,
            "ansible_user=%s" % LAB_USER,
            "ansible_ssh_private_key_file=%s" % (self.keys / "id_ed25519"),
            "ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR'",
            "ansible_become_method=sudo",
            # one TCP connection per host for all of a play's sessions (ssh multiplexing), and
            # modules piped to the interpreter (no temp files); the os_update role opens one
            # session per phase over it
            "ansible_ssh_pipelining=true",
            "ansible_ssh_args='-C -o ControlMaster=auto -o ControlPersist=120s'",
            "",
        ]
        path.write_text("\n".join(lines))
        return path

    @property
    def inventory(self):
        return self.dir / "inventory.ini"

    def ssh(self, host, command, timeout=20):
        """Run a command on a lab host the way Ansible's ssh connection does."""
        return subprocess.run(
            ["ssh", "-p", str(host.port), "-i", str(self.keys / "id_ed25519"), "-o", "BatchMode=yes",
             "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
             "%s@127.0.0.1" % LAB_USER, command],
            # ssh marks its stdin non-blocking; an inherited one would be shared with the test run
            # and every later ansible-playbook would refuse to start.
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            timeout=timeout, check=False)

    def wait_all_up(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if all(h.is_up() for h in self.hosts):
                return
            time.sleep(0.1)
        raise LabError("hosts down: %s" % [h.name for h in self.hosts if not h.is_up()])
