"""Builder for the lab media: a NestOS-shaped live ISO, its PXE trio and a QCOW2 disk.

Everything comes from Debian packages: a Debian kernel fetched with ``apt-get download``
(cached as a .deb), ``busybox-static``, the real Ignition binary from Debian's
``ignition`` package (plus ``useradd``/``usermod``/``groupadd`` from ``passwd``, which
Ignition calls, and the shared libraries these need), ``genisoimage`` and ``isolinux``
for the ISO, ``syslinux``/``mtools``/``dosfstools`` for the disk (no loop mounts)
and ``qemu-utils`` for the QCOW2 conversion.

Outputs go to ``$NESTOS_LAB_CACHE`` (default ``<repo>/.cache/lab``) and are rebuilt only
when the builder (this file, newc.py, the guest scripts), the kernel package or the
binaries taken from the machine change (stamp file ``lab-media.json``).

    python -m tests.lab.media            # build if needed, print the paths
    python -m tests.lab.media --force    # rebuild
"""
import argparse
import fcntl
import gzip
import hashlib
import json
import lzma
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time

try:  # works both as tests.lab.media and as a plain script
    from tests.lab import newc
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
    from tests.lab import newc

HERE = pathlib.Path(__file__).resolve().parent
TOP = HERE.parents[1]
CACHE = pathlib.Path(os.environ.get("NESTOS_LAB_CACHE", str(TOP / ".cache" / "lab"))).resolve()

NAMES = {
    "iso": "nestos-lab-live.x86_64.iso",
    "kernel": "nestos-lab-live-kernel-x86_64",
    "initramfs": "nestos-lab-live-initramfs.x86_64.img",
    "rootfs": "nestos-lab-live-rootfs.x86_64.img",
    "qcow2": "nestos-lab-qemu.x86_64.qcow2",
    # not a NestOS artifact: the same kernel as an uncompressed ELF, booted PVH by the
    # harness for -kernel boots (about twice as fast as the bzImage under TCG)
    "vmlinux": "nestos-lab-live-vmlinux-x86_64",
    # not a NestOS artifact: the initramfs without the live stamps, as the QCOW2 disk boots it;
    # tests/lab/metal.py puts it into the metal image's boot partition
    "disk_initramfs": "nestos-lab-disk-initramfs.x86_64.img",
}
STAMP = "lab-media.json"

IGNITION_BIN = "/usr/lib/dracut/modules.d/30ignition/ignition"
BUSYBOX = "/bin/busybox"
SHADOW_TOOLS = ("/usr/sbin/useradd", "/usr/sbin/usermod", "/usr/sbin/groupadd")
# mtools (one binary, applets by name) edits the FAT boot partition for the installer double
MTOOLS = "/usr/bin/mtools"
MTOOLS_APPLETS = ("mcopy", "mtype", "mmd", "mdir", "mdel", "mattrib")
INSTALLER_DOUBLE = HERE / "doubles" / "nestos-installer"
# mtools converts FAT names through iconv's CP850: glibc's gconv module and a one-entry index
GCONV_DIR = "/usr/lib/x86_64-linux-gnu/gconv"
GCONV_CP850 = GCONV_DIR + "/IBM850.so"
GCONV_MODULES = "alias\tCP850//\tIBM850//\nmodule\tIBM850//\tINTERNAL\tIBM850\t1\nmodule\tINTERNAL\tIBM850//\tIBM850\t1\n"
ISOLINUX_BIN = "/usr/lib/ISOLINUX/isolinux.bin"
LDLINUX_C32 = "/usr/lib/syslinux/modules/bios/ldlinux.c32"
SYSLINUX_MBR = "/usr/lib/syslinux/mbr/mbr.bin"
# kernel modules the guest loads, in an order that satisfies their dependencies
MODULES = ("qemu_fw_cfg", "failover", "net_failover", "virtio_ring", "virtio",
           "virtio_pci_modern_dev", "virtio_pci_legacy_dev", "virtio_pci", "virtio_net", "e1000",
           # disks and the boot partition (FAT in the lab), for installed-disk boots and installs
           "virtio_blk", "fat", "vfat", "nls_cp437", "nls_ascii")

BASE_KARGS = "ignition.firstboot ignition.platform.id=metal console=ttyS0,115200n8 loglevel=3"
# no_timer_check: under TCG on a loaded 2-core host the kernel's IO-APIC timer check can fail and
# panic ("IO-APIC + timer doesn't work"); the lab disk is booted by libvirt on such hosts.
DISK_KARGS = "ignition.firstboot ignition.platform.id=qemu console=ttyS0,115200n8 loglevel=3 no_timer_check"
KARGS_MARKER = " NESTOS_KARG_EMBED_AREA"
KARGS_PAD_LEN = 1024  # NC's marker lines: 1024 '#' then the marker word
IGNITION_AREA = 256 * 1024
INSTALLER_CONFIG_KEYS = (
    "stream", "image-url", "image-file", "ignition-file", "ignition-url", "ignition-hash",
    "architecture", "platform", "console", "append-karg", "delete-karg", "copy-network",
    "network-dir", "save-partlabel", "save-partindex", "offline", "insecure",
    "insecure-ignition", "stream-base-url", "preserve-on-error", "fetch-retries",
    "secure-ipl", "dest-device",
)

# The root Ignition writes into, as shipped in the initramfs (and reported against).
PRISTINE_ROOT = {
    "etc/passwd": "root:x:0:0:root:/root:/bin/sh\n"
                  "nobody:x:65534:65534:Kernel Overflow User:/:/sbin/nologin\n",
    "etc/group": "root:x:0:\nwheel:x:10:\nusers:x:100:\nnobody:x:65534:\n",
    "etc/shadow": "root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n",
    "etc/gshadow": "root:*::\nwheel:*::\nusers:*::\nnobody:*::\n",
    "etc/selinux/config": "SELINUX=disabled\nSELINUXTYPE=targeted\n",
    "etc/login.defs": "UID_MIN 1000\nUID_MAX 60000\nGID_MIN 1000\nGID_MAX 60000\n"
                      "SYS_UID_MIN 201\nSYS_UID_MAX 999\nSYS_GID_MIN 201\nSYS_GID_MAX 999\n"
                      "CREATE_HOME yes\nUSERGROUPS_ENAB yes\nUMASK 022\nENCRYPT_METHOD SHA512\n",
    "etc/os-release": 'NAME="NestOS lab"\nID=nestos\nVERSION_ID=lab\n',
}
PRISTINE_DIRS = ("etc/skel", "etc/systemd/system", "home", "root", "usr/local/bin", "var/lib", "tmp")

SETFILES_NOOP = "#!/bin/sh\n# lab: no SELinux in the guest; Ignition always runs setfiles\nexit 0\n"


class LabMediaMissing(RuntimeError):
    pass


class BuildError(RuntimeError):
    pass


def _run(cmd, **kw):
    check = kw.pop("check", True)
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.STDOUT)
    try:
        return subprocess.run(cmd, check=check, **kw)
    except FileNotFoundError as exc:
        raise BuildError("%s not found; run `make apt` (package list in mk/lab.mk)" % cmd[0]) from exc
    except subprocess.CalledProcessError as exc:
        out = (exc.stdout or b"").decode("utf-8", "replace")[-2000:]
        raise BuildError("command failed (%d): %s\n%s" % (exc.returncode, " ".join(map(str, cmd)), out)) from exc


def paths(cache=None):
    """Absolute paths of the lab media; raises LabMediaMissing("run `make lab`") when absent.

    With NESTOS_MEDIA_FROM_BUILD set to the facts file `playbooks/build.yml` wrote (make demo
    does this after its build stage), the NestOS artifacts come from that build instead.
    """
    root = pathlib.Path(cache or CACHE)
    result = {key: str(root / name) for key, name in NAMES.items()}
    missing = [p for p in result.values() if not os.path.isfile(p)]
    if missing or not (root / STAMP).is_file():
        raise LabMediaMissing("lab media missing in %s (%s): run `make lab`"
                              % (root, ", ".join(os.path.basename(m) for m in missing) or STAMP))
    facts = os.environ.get("NESTOS_MEDIA_FROM_BUILD")
    if facts and cache is None:
        result.update(build_paths(facts))
    return result


# artifact names in meta.json -> keys of paths()
BUILD_ARTIFACTS = {"live-iso": "iso", "live-kernel": "kernel", "live-initramfs": "initramfs",
                   "live-rootfs": "rootfs", "qemu": "qcow2"}


def build_paths(facts_file):
    """The media of a build made by playbooks/build.yml, from the facts file it wrote.

    A compressed artifact (the qcow2 after `nosa compress`) is unpacked once beside the facts
    file and checked against the uncompressed sha256 that meta.json records.
    """
    facts = json.loads(pathlib.Path(facts_file).read_text())
    artifacts = facts["build"]["artifacts"]
    out = {}
    for name, key in BUILD_ARTIFACTS.items():
        art = artifacts.get(name)
        if not art or not os.path.isfile(art["path"]):
            raise LabMediaMissing("build facts %s name no %s artifact on disk: run `make demo-build`"
                                  % (facts_file, name))
        path = art["path"]
        if art.get("compressed"):
            if art.get("compression") != "gzip":
                raise LabMediaMissing("cannot unpack %s (%s)" % (path, art.get("compression")))
            plain = pathlib.Path(facts_file).resolve().parent / art["file"][:-len(".gz")]
            if not plain.is_file() or _sha256(plain) != art["uncompressed_sha256"]:
                tmp = plain.with_name(plain.name + ".tmp")
                with gzip.open(path, "rb") as src, open(tmp, "wb") as dst:
                    shutil.copyfileobj(src, dst, 4 << 20)
                if _sha256(tmp) != art["uncompressed_sha256"]:
                    tmp.unlink()
                    raise LabMediaMissing("%s does not unpack to the sha256 its meta.json records" % path)
                os.replace(tmp, plain)
            path = str(plain)
        out[key] = path
    return out


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(4 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def info(cache=None):
    """The build metadata written next to the media (build id, volume id, kargs, sizes)."""
    root = pathlib.Path(cache or CACHE)
    paths(root)
    return json.loads((root / STAMP).read_text())


# ---- inputs ----------------------------------------------------------------------------

def _kernel_package():
    """linux-image-<abi>-amd64, the package Debian's linux-image-amd64 points at now."""
    for attempt in (1, 2):
        proc = _run(["apt-cache", "depends", "linux-image-amd64"], check=False)
        out = proc.stdout.decode("utf-8", "replace")
        match = re.search(r"Depends:\s*(linux-image-[0-9][^\s]*-amd64)", out)
        if match:
            return match.group(1)
        if attempt == 1:  # a fresh machine may have no package lists yet
            _run(["apt-get", "update", "-qq"], check=False)
    raise BuildError("apt-cache does not offer a linux-image-*-amd64 package:\n" + out)


def kernel_deb(cache):
    """Path of the cached kernel .deb, downloading it with apt-get when needed."""
    debs = cache / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    try:
        pkg = _kernel_package()
    except BuildError:
        found = sorted(debs.glob("linux-image-*-amd64_*.deb"))
        if found:
            return found[-1]
        raise
    found = sorted(debs.glob(pkg + "_*.deb"))
    if found:
        return found[-1]
    _run(["apt-get", "download", "-q", pkg], cwd=str(debs))
    found = sorted(debs.glob(pkg + "_*.deb"))
    if not found:
        raise BuildError("apt-get download %s left no .deb in %s" % (pkg, debs))
    return found[-1]


def _builder_digest(deb):
    h = hashlib.sha256()
    for path in sorted([HERE / "media.py", HERE / "newc.py", INSTALLER_DOUBLE] + list((HERE / "guest").iterdir())):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    h.update(deb.name.encode())
    for binary in (IGNITION_BIN, BUSYBOX, MTOOLS, GCONV_CP850) + SHADOW_TOOLS:
        st = os.stat(binary)
        h.update(("%s %d %d" % (binary, st.st_size, int(st.st_mtime))).encode())
    return h.hexdigest()


def _modinfo_depends(data):
    match = re.search(rb"depends=([^\0]*)\0", data)
    return [d for d in (match.group(1).decode().split(",") if match else []) if d]


def extract_kernel(deb):
    """(kernel version, bzImage bytes, {module name: .ko bytes}) from the kernel .deb."""
    proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
    bzimage, version, modules = None, None, {}
    with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
        for member in tar:
            name = member.name
            if re.match(r"^\./boot/vmlinuz-", name):
                bzimage = tar.extractfile(member).read()
                version = name.split("vmlinuz-", 1)[1]
            elif name.endswith(".ko") and "/kernel/" in name:
                mod = os.path.basename(name)[:-3]
                if mod in MODULES:
                    modules[mod] = tar.extractfile(member).read()
    proc.wait()
    if proc.returncode or bzimage is None:
        raise BuildError("could not read a kernel from %s" % deb)
    missing = [m for m in MODULES if m not in modules]
    if missing:
        raise BuildError("kernel package %s lacks modules %s" % (deb.name, missing))
    seen = []
    for mod in MODULES:
        for dep in _modinfo_depends(modules[mod]):
            if dep not in seen:
                raise BuildError("module %s needs %s loaded before it (fix MODULES)" % (mod, dep))
        seen.append(mod)
    return version, bzimage, modules


def vmlinux_from_bzimage(bzimage):
    """The uncompressed ELF kernel inside a bzImage (its payload is one xz stream)."""
    start = 0
    while True:
        pos = bzimage.find(b"\xfd7zXZ\x00", start)
        if pos < 0:
            raise BuildError("no xz payload decompressing to an ELF in the kernel image")
        try:
            elf = lzma.LZMADecompressor().decompress(bzimage[pos:])
        except lzma.LZMAError:
            elf = b""
        if elf.startswith(b"\x7fELF"):
            return elf
        start = pos + 1


def _libs(binaries):
    """Shared libraries (and the loader) the given dynamic binaries need, per ldd."""
    libs = set()
    for binary in binaries:
        out = _run(["ldd", binary]).stdout.decode()
        for line in out.splitlines():
            match = re.search(r"(/\S+)\s+\(0x", line)
            if match:
                libs.add(match.group(1))
    return sorted(libs)


# ---- initramfs ---------------------------------------------------------------------------

def _check_static(binary):
    proc = _run(["ldd", binary], check=False)
    if proc.returncode == 0 and b"=>" in proc.stdout:
        raise BuildError("%s is dynamically linked; install busybox-static (mk/lab.mk)" % binary)


def _busybox_applets():
    _check_static(BUSYBOX)
    out = _run([BUSYBOX, "--list"]).stdout.decode()
    return sorted(a for a in out.split() if a and "/" not in a and a != "busybox")


def build_initramfs(version, modules, build_id, features):
    """The lab initramfs: busybox, Ignition and its helpers, a pristine /sysroot, the init.

    Returns (base, live): ``base`` (gzip newc, padded to 4 bytes) boots the QCOW2 disk;
    ``live`` is ``base`` followed by the live stamps archive, like nestos-assembler appends
    its stamps to the live initramfs.
    """
    arc = newc.Archive()
    for d in ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "usr/lab", "usr/lab/bin", "usr/lib",
              "etc", "etc/lab", "dev", "proc", "sys", "run", "tmp", "sysroot", "lib", "lib/modules",
              "lib64", "var", "mnt", "root"):
        arc.add_dir(d, 0o1777 if d == "tmp" else 0o755)
    arc.add_chardev("dev/console", 5, 1)
    arc.add_chardev("dev/null", 1, 3, 0o666)
    arc.add_chardev("dev/ttyS0", 4, 64)
    arc.add_file("bin/busybox", pathlib.Path(BUSYBOX).read_bytes(), 0o755)
    for applet in _busybox_applets():
        if "bin/" + applet not in arc:
            arc.add_symlink("bin/" + applet, "busybox")
    arc.add_file("init", (HERE / "guest" / "init").read_bytes(), 0o755)
    arc.add_file("usr/lab/udhcpc.script", (HERE / "guest" / "udhcpc.script").read_bytes(), 0o755)
    arc.add_file("usr/lab/bin/setfiles", SETFILES_NOOP, 0o755)
    arc.add_file("usr/bin/ignition", pathlib.Path(IGNITION_BIN).read_bytes(), 0o755)
    for tool in SHADOW_TOOLS:
        arc.add_file(tool.lstrip("/"), pathlib.Path(tool).read_bytes(), 0o755)
    arc.add_file("usr/bin/mtools", pathlib.Path(MTOOLS).read_bytes(), 0o755)
    for applet in MTOOLS_APPLETS:
        arc.add_symlink("usr/bin/" + applet, "mtools")
    arc.add_file("usr/bin/nestos-installer", INSTALLER_DOUBLE.read_bytes(), 0o755)
    arc.add_dirs(GCONV_DIR.lstrip("/"))
    arc.add_file(GCONV_CP850.lstrip("/"), pathlib.Path(GCONV_CP850).read_bytes(), 0o644)
    arc.add_file(GCONV_DIR.lstrip("/") + "/gconv-modules", GCONV_MODULES)
    for lib in _libs((IGNITION_BIN, MTOOLS) + SHADOW_TOOLS):
        real = os.path.realpath(lib)
        arc.add_dirs(os.path.dirname(lib.lstrip("/")))
        arc.add_file(lib.lstrip("/"), pathlib.Path(real).read_bytes(), 0o755)
    # /lib/modules/<version>/ with a modules.dep, so that the `modprobe qemu_fw_cfg` Ignition
    # runs itself (busybox modprobe) finds the module already loaded
    moddir = "lib/modules/" + version
    arc.add_dirs(moddir)
    dep_lines = []
    for mod in MODULES:
        arc.add_file("%s/%s.ko" % (moddir, mod), modules[mod], 0o644)
        deps = " ".join("%s.ko" % d for d in _modinfo_depends(modules[mod]))
        dep_lines.append(("%s.ko: %s" % (mod, deps)).rstrip() + "\n")
    arc.add_file(moddir + "/modules.dep", "".join(dep_lines))
    arc.add_file("etc/lab/modules", "".join("%s/%s.ko\n" % (version, m) for m in MODULES))
    arc.add_file("etc/lab/kernel-version", version + "\n")
    arc.add_file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
    arc.add_file("etc/group", "root:x:0:\n")
    arc.add_file("etc/resolv.conf", "")
    arc.add_file("etc/initrd-release", 'NAME="NestOS lab initramfs"\nID=nestos\n')
    arc.add_dirs("etc/nestos")
    arc.add_file("etc/nestos/features.json", features)
    for d in PRISTINE_DIRS:
        arc.add_dirs("sysroot/" + d, 0o700 if d == "root" else 0o755)
    for path, text in sorted(PRISTINE_ROOT.items()):
        arc.add_dirs("sysroot/" + os.path.dirname(path))
        mode = 0o600 if path in ("etc/shadow", "etc/gshadow") else 0o644
        arc.add_file("sysroot/" + path, text, mode)
    base = newc.pad4(newc.gzip_bytes(arc.to_bytes(), level=6))
    stamps = newc.Archive()
    stamps.add_dir("etc")
    stamps.add_file("etc/nestos-live-initramfs", build_id + "\n")
    live = base + newc.pad4(newc.gzip_bytes(stamps.to_bytes(), level=9))
    return base, live


def build_rootfs(build_id):
    """Stands in for the live rootfs image: an uncompressed newc archive carrying the
    ``etc/nestos-live-rootfs`` stamp, as nestos-assembler appends to its rootfs.img. The
    lab initramfs is self-contained, so nothing else is needed from it."""
    arc = newc.Archive()
    arc.add_dir("etc")
    arc.add_file("etc/nestos-live-rootfs", build_id + "\n")
    return newc.pad4(arc.to_bytes())


# ---- bootloader configs with kargs embed areas ---------------------------------------------

def karg_area(kargs):
    """The bytes of a kargs embed area holding ``kargs`` (size = len(kargs) + 1024)."""
    return kargs + "\n" + "#" * (KARGS_PAD_LEN - 1)


def isolinux_cfg(kargs):
    head = ("serial 0 115200\n"
            "default linux\n"
            "prompt 0\n"
            "timeout 0\n"
            "\n"
            "label linux\n"
            "  menu label ^NestOS (Live)\n"
            "  menu default\n"
            "  kernel /images/pxeboot/vmlinuz\n"
            "  append initrd=/images/pxeboot/initrd.img,/images/ignition.img ")
    return head, head + karg_area(kargs) + "#" + KARGS_MARKER + "\n"


def grub_cfg(kargs):
    head = ("set default=\"0\"\n"
            "set timeout=0\n"
            "serial --unit=0 --speed=115200\n"
            "terminal_input serial console\n"
            "terminal_output serial console\n"
            "\n"
            "menuentry 'NestOS (Live)' --class openeuler --class gnu-linux --class gnu --class os {\n"
            "\tlinux /images/pxeboot/vmlinuz ")
    tail = "#" + KARGS_MARKER + "\n\tinitrd /images/pxeboot/initrd.img /images/ignition.img\n}\n"
    return head, head + karg_area(kargs) + tail


def _json(obj):
    return json.dumps(obj, indent=2, sort_keys=True) + "\n"


def features_json():
    return _json({
        "installer-config": True,
        "installer-config-directives": {k: True for k in INSTALLER_CONFIG_KEYS},
        "live-initrd-network": True,
    })


# ---- ISO --------------------------------------------------------------------------------------

def iso_file_extent(iso_path, name):
    """Byte offset of an ISO9660 level-1 name (e.g. 'ISOLINUX/ISOLINUX.CFG') in the image."""
    from tests.lab import iso9660
    with open(iso_path, "rb") as handle:
        return iso9660.IsoReader(handle).lookup(name)


def build_iso(work, out, kernel, initrd, rootfs, volid, kargs):
    tree = work / "iso"
    shutil.rmtree(tree, ignore_errors=True)
    for d in ("nestos", "images/pxeboot", "isolinux", "EFI/openEuler"):
        (tree / d).mkdir(parents=True)
    (tree / "images/pxeboot/vmlinuz").write_bytes(kernel)
    (tree / "images/pxeboot/initrd.img").write_bytes(initrd)
    (tree / "images/pxeboot/rootfs.img").write_bytes(rootfs)
    (tree / "images/ignition.img").write_bytes(b"\0" * IGNITION_AREA)
    iso_head, iso_text = isolinux_cfg(kargs)
    grub_head, grub_text = grub_cfg(kargs)
    (tree / "isolinux/isolinux.cfg").write_text(iso_text)
    (tree / "EFI/openEuler/grub.cfg").write_text(grub_text)
    shutil.copy(ISOLINUX_BIN, tree / "isolinux/isolinux.bin")
    shutil.copy(LDLINUX_C32, tree / "isolinux/ldlinux.c32")
    size = len(kargs) + KARGS_PAD_LEN
    kargs_json = {
        "default": kargs,
        "files": [
            {"end": "\n", "offset": len(grub_head.encode()), "pad": "#", "path": "EFI/openEuler/grub.cfg"},
            {"end": "\n", "offset": len(iso_head.encode()), "pad": "#", "path": "isolinux/isolinux.cfg"},
        ],
        "size": size,
    }
    (tree / "nestos/kargs.json").write_text(_json(kargs_json))
    (tree / "nestos/igninfo.json").write_text(_json({"file": "images/ignition.img"}))
    (tree / "nestos/features.json").write_text(features_json())
    tmp = out.with_name(out.name + ".tmp")
    # genisoimage like nestos-assembler (ISO9660 level-1 names such as EFI/OPENEULE/GRUB.CFG;
    # xorriso keeps mixed-case names once an El Torito image is given)
    _run(["genisoimage", "-quiet", "-o", str(tmp), "-V", volid, "-rational-rock", "-J",
          "-joliet-long", "-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat",
          "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table", str(tree)])
    # Check, like nestos-assembler does after genisoimage, that every area sits where
    # kargs.json says in the image, and that the Ignition area is where igninfo.json says.
    image = tmp.read_bytes()
    for entry in kargs_json["files"]:
        level1 = {"EFI/openEuler/grub.cfg": "EFI/OPENEULE/GRUB.CFG",
                  "isolinux/isolinux.cfg": "ISOLINUX/ISOLINUX.CFG"}[entry["path"]]
        where = iso_file_extent(tmp, level1) + entry["offset"]
        if image[where:where + size].decode() != karg_area(kargs):
            raise BuildError("kargs area of %s not at ISO offset %d" % (entry["path"], where))
    areas = [m.start() + 1 for m in re.finditer(rb"\n#{%d}" % (KARGS_PAD_LEN - 1), image)]
    if len(areas) != 2:
        raise BuildError("expected 2 kargs marker runs in the ISO, found %d" % len(areas))
    where = iso_file_extent(tmp, "IMAGES/IGNITION.IMG")
    if image[where:where + IGNITION_AREA] != b"\0" * IGNITION_AREA:
        raise BuildError("Ignition embed area is not zero-filled at offset %d" % where)
    os.replace(tmp, out)
    return kargs_json


# ---- disk -------------------------------------------------------------------------------------

def build_disk(work, out, kernel, initrd):
    """A QCOW2 that boots by itself: MBR (syslinux mbr.bin) + one FAT partition holding
    syslinux, the kernel and the initramfs. Made with mkfs.fat --offset, mtools and
    `syslinux --offset`: no loop devices, no root-only mounts."""
    raw = work / "disk.raw"
    part_start = 2048  # sectors (1 MiB)
    total_mib = 8 + (len(kernel) + len(initrd)) // (1024 * 1024) + 8
    with open(raw, "wb") as handle:
        handle.truncate(total_mib * 1024 * 1024)
    part_sectors = total_mib * 2048 - part_start
    _run(["mkfs.fat", "-F", "16", "-n", "NESTOSBOOT", "--offset", str(part_start), str(raw),
          str(part_sectors // 2)])
    img = "%s@@%d" % (raw, part_start * 512)
    cfg = ("serial 0 115200\nDEFAULT nestos\nPROMPT 0\nTIMEOUT 0\n"
           "LABEL nestos\n  KERNEL /vmlinuz\n  APPEND initrd=/initrd.img %s\n" % DISK_KARGS)
    (work / "syslinux.cfg").write_text(cfg)
    (work / "vmlinuz").write_bytes(kernel)
    (work / "initrd.img").write_bytes(initrd)
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    for name in ("syslinux.cfg", "vmlinuz", "initrd.img"):
        _run(["mcopy", "-o", "-i", img, str(work / name), "::/" + name], env=env)
    _run(["syslinux", "--install", "--offset", str(part_start * 512), str(raw)], env=env)
    # MBR: syslinux's boot code, then one active FAT16-LBA partition entry and the signature
    entry = struct.pack("<B3sB3sII", 0x80, b"\xfe\xff\xff", 0x0E, b"\xfe\xff\xff",
                        part_start, part_sectors)
    with open(raw, "r+b") as handle:
        handle.write(pathlib.Path(SYSLINUX_MBR).read_bytes()[:440])
        handle.seek(446)
        handle.write(entry + b"\0" * 48 + b"\x55\xaa")
    tmp = out.with_name(out.name + ".tmp")
    _run(["qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", str(raw), str(tmp)])
    os.replace(tmp, out)


# ---- driver -------------------------------------------------------------------------------

def build(force=False, cache=None, log=print):
    """Build (or reuse) the lab media; returns paths() of the result. Concurrent callers
    (several `make lab` at once) wait for each other on a lock file in the cache."""
    cache = pathlib.Path(cache or CACHE)
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lab-media.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build_locked(force, cache, log)


def _build_locked(force, cache, log):
    started = time.monotonic()
    deb = kernel_deb(cache)
    digest = _builder_digest(deb)
    stamp = cache / STAMP
    if not force and stamp.is_file():
        try:
            current = json.loads(stamp.read_text())
        except ValueError:
            current = {}
        if current.get("builder") == digest:
            try:
                return paths(cache)
            except LabMediaMissing:
                pass
    stamp.unlink(missing_ok=True)
    build_id = "lab." + digest[:8]
    volid = ("nestos-lab-" + digest[:8])[:32]
    kargs = "nestos.liveiso=%s %s" % (volid, BASE_KARGS)
    log("lab: building media (kernel %s) into %s" % (deb.name, cache))
    version, bzimage, modules = extract_kernel(deb)
    vmlinux = vmlinux_from_bzimage(bzimage)
    features = features_json()
    base, live = build_initramfs(version, modules, build_id, features)
    rootfs = build_rootfs(build_id)
    with tempfile.TemporaryDirectory(dir=str(cache), prefix=".build-") as tmpdir:
        work = pathlib.Path(tmpdir)
        out = {key: cache / name for key, name in NAMES.items()}
        kargs_json = build_iso(work, out["iso"], bzimage, live, rootfs, volid, kargs)
        build_disk(work, out["qcow2"], bzimage, base)
        for key, data in (("kernel", bzimage), ("initramfs", live), ("rootfs", rootfs),
                          ("vmlinux", vmlinux), ("disk_initramfs", base)):
            tmp = out[key].with_name(out[key].name + ".tmp")
            tmp.write_bytes(data)
            os.replace(tmp, out[key])
    meta = {
        "builder": digest,
        "build_id": build_id,
        "volume_id": volid,
        "kernel_package": deb.name,
        "kernel_version": version,
        "live_kargs": kargs,
        "disk_kargs": DISK_KARGS,
        "kargs_json": kargs_json,
        "kernel_sha256": hashlib.sha256(bzimage).hexdigest(),
        "sizes": {key: os.path.getsize(cache / name) for key, name in NAMES.items()},
        "build_seconds": round(time.monotonic() - started, 1),
    }
    stamp.write_text(_json(meta))
    log("lab: media built in %.1f s" % meta["build_seconds"])
    return paths(cache)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if the stamp matches")
    parser.add_argument("--list", action="store_true", help="list the media even when nothing was built")
    args = parser.parse_args(argv)
    built = []

    def log(message):
        built.append(message)
        print(message)

    try:
        result = build(force=args.force, log=log)
    except BuildError as exc:
        print("lab: build failed: %s" % exc, file=sys.stderr)
        return 1
    if built or args.list:
        for key in sorted(result):
            print("%-9s %s (%d bytes)" % (key, result[key], os.path.getsize(result[key])))
    else:  # cached: one line, not the listing again (make demo calls this from several stages)
        total = sum(os.path.getsize(path) for path in result.values())
        print("lab media: up to date, %d files (%d MiB) in %s" % (
            len(result), total >> 20, os.path.dirname(next(iter(result.values())))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
