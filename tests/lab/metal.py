"""Builder for the lab's NestOS-shaped metal image (what `nestos-installer install` writes).

Layout (GPT made with Debian's ``sgdisk``, no loop mounts, every file system made into the
image file at an offset):

    p1 BIOS-BOOT   1 MiB   BIOS boot partition (empty: no bootloader is installed, see below)
    p2 EFI-SYSTEM  4 MiB   FAT (mkfs.fat --offset), holding an empty EFI/ folder
    p3 boot        FAT16   loader/entries/ostree-1-nestos.conf (a BLS entry), the kernel and
                           initramfs under ostree/nestos-<id>/, and the first-boot stamp
                           ``ignition.firstboot`` (empty, as NestOS images ship it)
    p4 root        ext4    (mke2fs -d) /etc/os-release and /.nestos-aleph-version.json

Departures from a real NestOS metal image, all forced by what Debian offers without a loop
mount: the boot partition is FAT (NestOS: ext4 labelled ``boot``) so mtools can edit it;
there is no GRUB with blscfg, so nothing in the image boots by itself. The lab harness plays
GRUB's part (``harness.boot_installed``): it reads the BLS entry and the first-boot stamp from
the installed disk exactly as NestOS's grub.cfg does (``$ignition_firstboot`` expands to
``ignition.firstboot`` plus the stamp's ``ignition_network_kcmdline``) and boots qemu with
``-kernel/-initrd/-append`` taken from that entry, the disk attached as /dev/vda.

The image is cached by the content hash of its inputs (this file, the kernel, the disk
initramfs) under ``$NESTOS_LAB_CACHE/metal/<hash>/``: `make lab` returns at once when the
cache is current. Also written there: the image compressed with xz, gzip and zstd, their
sha256 files and detached GPG signatures made with a lab-only key (``keyring.gpg`` holds its
public half), so tests can check verification with the real gpg.

    python -m tests.lab.metal            # build if needed, print the paths
"""
import argparse
import fcntl
import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

try:
    from tests.lab import media
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
    from tests.lab import media

HERE = pathlib.Path(__file__).resolve().parent
SECTOR = 512
MIB = 1024 * 1024
NAME = "nestos-lab-metal.x86_64.raw"
STAMP = "metal.json"
VERSION = "22.03-LTS-SP4.lab"
# the fixed disk GUID NestOS/FCOS metal images carry until first boot randomizes it
DISK_GUID = "00000000-0000-4000-A000-000000000001"
PARTITIONS = (  # number, name, size MiB (None = computed), sgdisk type code
    (1, "BIOS-BOOT", 1, "EF02"),
    (2, "EFI-SYSTEM", 4, "EF00"),
    (3, "boot", None, "8300"),
    (4, "root", 8, "8304"),
)
BASE_OPTIONS = ("ignition.platform.id=metal console=ttyS0,115200n8 loglevel=3 no_timer_check "
                "$ignition_firstboot")
GPG_UID = "NestOS lab image signing <lab@nestos.invalid>"


class MetalBuildError(RuntimeError):
    pass


def _run(cmd, **kw):
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.STDOUT)
    try:
        return subprocess.run(cmd, check=True, **kw)
    except FileNotFoundError as exc:
        raise MetalBuildError("%s not found; run `make apt` (mk/metal.mk lists gdisk, mtools, "
                              "dosfstools, e2fsprogs, zstd, gpg)" % cmd[0]) from exc
    except subprocess.CalledProcessError as exc:
        raise MetalBuildError("command failed (%d): %s\n%s" % (
            exc.returncode, " ".join(map(str, cmd)), (exc.stdout or b"").decode("utf-8", "replace")[-2000:])) from exc


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(4 * MIB), b""):
            digest.update(block)
    return digest.hexdigest()


def inputs_digest(paths):
    h = hashlib.sha256()
    h.update(pathlib.Path(__file__).read_bytes())
    for key in ("kernel", "disk_initramfs"):
        h.update(key.encode() + bytes.fromhex(_sha256(paths[key])))
    return h.hexdigest()


def bls_entry(build_id, kver):
    """The BLS entry as rpm-ostree writes it on NestOS (ostree-1-nestos.conf)."""
    return ("title NestOS %s (ostree:0)\n"
            "version 1\n"
            "options %s ostree=/ostree/boot.1/nestos/%s/0\n"
            "linux /ostree/nestos-%s/vmlinuz-%s\n"
            "initrd /ostree/nestos-%s/initramfs-%s.img\n"
            % (VERSION, BASE_OPTIONS, build_id, build_id, kver, build_id, kver))


def _layout(boot_mib):
    start, out = 2048, []
    for number, name, size, code in PARTITIONS:
        sectors = (size or boot_mib) * MIB // SECTOR
        out.append((number, name, start, start + sectors - 1, code))
        start += sectors
    total = start + 2048  # room for the backup GPT
    return out, total * SECTOR


def _guid(seed, what):
    h = hashlib.sha256((seed + what).encode()).hexdigest()
    return "%s-%s-4%s-a%s-%s" % (h[:8], h[8:12], h[13:16], h[17:20], h[20:32])


def build_raw(work, out, kernel, initrd, kver, seed):
    """Write the raw metal image to ``out``; returns {"boot_offset", "size", ...}."""
    build_id = seed[:16]
    boot_mib = 8 + (len(kernel) + len(initrd)) // MIB + 4
    parts, size = _layout(boot_mib)
    raw = work / "metal.raw"
    with open(raw, "wb") as handle:
        handle.truncate(size)
    cmd = ["sgdisk", "-o", "--disk-guid=" + DISK_GUID]
    for number, name, first, last, code in parts:
        cmd += ["-n", "%d:%d:%d" % (number, first, last), "-t", "%d:%s" % (number, code),
                "-c", "%d:%s" % (number, name), "-u", "%d:%s" % (number, _guid(seed, name))]
    _run(cmd + [str(raw)])
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    offsets = {name: first * SECTOR for _n, name, first, _l, _c in parts}
    sizes = {name: (last - first + 1) * SECTOR for _n, name, first, last, _c in parts}
    _run(["mkfs.fat", "-F", "12", "-n", "EFI-SYSTEM", "-i", seed[:8], "--offset", str(parts[1][2]),
          str(raw), str(sizes["EFI-SYSTEM"] // 1024)])
    _run(["mmd", "-i", "%s@@%d" % (raw, offsets["EFI-SYSTEM"]), "::/EFI"], env=env)
    _run(["mkfs.fat", "-F", "16", "-n", "boot", "-i", seed[8:16], "--offset", str(parts[2][2]),
          str(raw), str(sizes["boot"] // 1024)])
    img = "%s@@%d" % (raw, offsets["boot"])
    tree = work / "boot"
    ostree_dir = tree / "ostree" / ("nestos-" + build_id)
    ostree_dir.mkdir(parents=True)
    (ostree_dir / ("vmlinuz-" + kver)).write_bytes(kernel)
    (ostree_dir / ("initramfs-%s.img" % kver)).write_bytes(initrd)
    (tree / "loader" / "entries").mkdir(parents=True)
    (tree / "loader" / "entries" / "ostree-1-nestos.conf").write_text(bls_entry(build_id, kver))
    (tree / "ignition.firstboot").write_bytes(b"")
    for child in sorted(tree.iterdir()):
        _run(["mcopy", "-s", "-i", img, str(child), "::/"], env=env)
    root = work / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "os-release").write_text(
        'NAME="NestOS"\nID="nestos"\nVERSION="%s"\nVERSION_ID="22.03"\n' % VERSION)
    (root / ".nestos-aleph-version.json").write_text(json.dumps(
        {"build": VERSION, "imgid": NAME, "ref": "nestos/x86_64/lab"}, sort_keys=True) + "\n")
    rootfs = work / "root.img"
    _run(["mke2fs", "-q", "-t", "ext4", "-L", "root", "-U", _guid(seed, "rootfs"), "-E",
          "root_owner=0:0,hash_seed=" + _guid(seed, "hash"), "-d", str(root), str(rootfs),
          str(sizes["root"] // 1024) + "k"], env=dict(os.environ, E2FSPROGS_FAKE_TIME="1700000000"))
    with open(raw, "r+b") as dst, open(rootfs, "rb") as src:
        dst.seek(offsets["root"])
        shutil.copyfileobj(src, dst)
    os.replace(raw, out)
    return {"size": size, "build_id": build_id, "bls_title": "NestOS %s (ostree:0)" % VERSION,
            "partitions": [{"number": n, "label": name, "first_lba": f, "last_lba": l}
                           for n, name, f, l, _c in parts]}


def _gpg_key(gnupg):
    gnupg.mkdir(mode=0o700)
    _run(["gpg", "--homedir", str(gnupg), "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
          "--quick-gen-key", GPG_UID, "ed25519", "sign", "never"])


def _compress_and_sign(work, raw, outdir):
    gnupg = work / "gnupg"
    _gpg_key(gnupg)
    files = {"raw": raw}
    for key, cmd, suffix in (("xz", ["xz", "-T2", "-3", "-c"], ".xz"),
                             ("gz", ["gzip", "-6", "-n", "-c"], ".gz"),
                             ("zst", ["zstd", "-q", "-3", "-c"], ".zst")):
        path = outdir / (raw.name + suffix)
        with open(raw, "rb") as src, open(path, "wb") as dst:
            _run(cmd, stdin=src, stdout=dst)
        files[key] = path
    for key, path in files.items():
        _run(["gpg", "--homedir", str(gnupg), "--batch", "--yes", "--detach-sign", "-o",
              str(path) + ".sig", str(path)])
        pathlib.Path(str(path) + ".sha256").write_text("%s  %s\n" % (_sha256(path), path.name))
    with open(outdir / "keyring.gpg", "wb") as keyring:
        _run(["gpg", "--homedir", str(gnupg), "--batch", "--export", GPG_UID], stdout=keyring)
    return {key: str(path) for key, path in files.items()}


def paths(cache=None):
    """{"raw", "xz", "gz", "zst", "keyring", "dir", "meta": {...}} of the cached metal image;
    raises media.LabMediaMissing("run `make lab`") when absent or stale."""
    m = media.paths(cache)
    root = pathlib.Path(cache or media.CACHE) / "metal" / inputs_digest(m)[:16]
    stamp = root / STAMP
    if not stamp.is_file():
        raise media.LabMediaMissing("lab metal image missing in %s: run `make lab`" % root)
    meta = json.loads(stamp.read_text())
    out = {key: str(root / name) for key, name in meta["files"].items()}
    out.update(keyring=str(root / "keyring.gpg"), dir=str(root), meta=meta)
    return out


def build(cache=None, log=print):
    m = media.build(cache=cache, log=log)
    base = pathlib.Path(cache or media.CACHE) / "metal"
    base.mkdir(parents=True, exist_ok=True)
    digest = inputs_digest(m)
    root = base / digest[:16]
    with open(base / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (root / STAMP).is_file():
            return paths(cache)
        for old in base.iterdir():
            if old.is_dir() and old.name != root.name:
                shutil.rmtree(old, ignore_errors=True)
        log("lab: building the metal image into %s" % root)
        with tempfile.TemporaryDirectory(dir=str(base), prefix=".build-") as tmpdir:
            work = pathlib.Path(tmpdir)
            outdir = work / "out"
            outdir.mkdir()
            kver = media.info(cache)["kernel_version"]
            raw = outdir / NAME
            meta = build_raw(work, raw, pathlib.Path(m["kernel"]).read_bytes(),
                             pathlib.Path(m["disk_initramfs"]).read_bytes(), kver, digest)
            files = _compress_and_sign(work, raw, outdir)
            meta.update(files={k: os.path.basename(v) for k, v in files.items()},
                        sha256={k: _sha256(v) for k, v in files.items()}, inputs=digest,
                        kernel_version=kver)
            (outdir / STAMP).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
            os.replace(outdir, root)
    return paths(cache)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.parse_args(argv)
    try:
        result = build()
    except (MetalBuildError, media.BuildError) as exc:
        print("lab: metal image build failed: %s" % exc, file=sys.stderr)
        return 1
    for key in ("raw", "xz", "gz", "zst", "keyring"):
        print("%-8s %s (%d bytes)" % (key, result[key], os.path.getsize(result[key])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
