"""Build the nestos.lifecycle execution environment and push it to a registry.

    python ee/build.py [--push 127.0.0.1:5005] [--force]

1. the base image: $EE_BASE_IMAGE if set (a user with a normal registry), else the Debian image
   ee/base-image.sh builds once from Debian packages (cached by hash outside the checkout);
2. the collection tarball (`ansible-galaxy collection build` of its runtime parts: galaxy.yml,
   meta, plugins, roles, playbooks, ...; not tests or docs) into ee/dist/;
3. `ansible-builder build -f ee/execution-environment.yml` with podman, never pulling
   (``--pull=never``): the image is localhost/nestos/lifecycle-ee:<hash>, where <hash> covers
   the base image, the EE definition and every file of the collection (FILES.json checksums);
   an image with that tag is reused as it is;
4. tags :latest, pushes both tags to the registry as <registry>/nestos/lifecycle-ee:<tag>;
5. writes what it did to .cache/ee/ee.json (image, hash, size, build seconds, cached or not)
   and appends it to .cache/ee/builds.json.

Progress lines go to stdout; the full builder log to .cache/ee/build.log.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

TOP = Path(__file__).resolve().parent.parent
EE_DIR = TOP / "ee"
DEFINITION = EE_DIR / "execution-environment.yml"
DIST = EE_DIR / "dist"
TARBALL = DIST / "nestos-lifecycle.tar.gz"
CACHE = Path(os.environ.get("NESTOS_EE_STATE", TOP / ".cache" / "ee"))
CONTEXT = CACHE / "context"
LOG = CACHE / "build.log"
RESULT = CACHE / "ee.json"
IMAGE_REPO = "localhost/nestos/lifecycle-ee"
REGISTRY_REPO = "nestos/lifecycle-ee"
VENV_BIN = Path(sys.executable).parent


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, text=True, **kw)


def base_image() -> str:
    """The base image: EE_BASE_IMAGE, else the Debian one (built once, cached by hash)."""
    env = os.environ.get("EE_BASE_IMAGE", "").strip()
    if env:
        return env
    out = _run(["bash", str(EE_DIR / "base-image.sh")], stdout=subprocess.PIPE).stdout
    return out.strip().splitlines()[-1]


# What goes into the EE's copy of the collection: what runs (the rest - tests, docs, the EE's
# own build files - would only make every test or doc edit rebuild the image).
RUNTIME_PARTS = ("galaxy.yml", "README.md", "LICENSE", "COPYING", "meta", "plugins", "roles", "playbooks",
                 "changelogs", "requirements.txt", "bindep.txt")


def build_collection() -> str:
    """Build the collection tarball from its runtime parts; return a hash of its content
    (MANIFEST.json + FILES.json, which holds every file's sha256)."""
    DIST.mkdir(parents=True, exist_ok=True)
    for old in DIST.glob("nestos-lifecycle-*.tar.gz"):
        old.unlink()
    stage = CACHE / "collection-src"
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    for part in RUNTIME_PARTS:
        src = TOP / part
        if src.is_dir():
            shutil.copytree(src, stage / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif src.is_file():
            shutil.copy2(src, stage / part)
    _run([str(VENV_BIN / "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(DIST), str(stage)],
         stdout=subprocess.DEVNULL)
    shutil.rmtree(stage)
    built = sorted(DIST.glob("nestos-lifecycle-*.tar.gz"))
    if len(built) != 1:
        raise SystemExit("ee/build.py: expected one collection tarball in %s, found %d" % (DIST, len(built)))
    os.replace(built[0], TARBALL)
    digest = hashlib.sha256()
    with tarfile.open(TARBALL) as tar:
        for name in ("MANIFEST.json", "FILES.json"):
            member = tar.extractfile(name)
            if member is None:
                raise SystemExit("ee/build.py: %s has no %s" % (TARBALL, name))
            digest.update(member.read())
    return digest.hexdigest()


def ee_hash(base: str, collection_hash: str) -> str:
    base_id = subprocess.run(["podman", "image", "inspect", "--format", "{{.Id}}", base],
                             text=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False).stdout.strip()
    digest = hashlib.sha256()
    for part in (base, base_id, DEFINITION.read_text(), (EE_DIR / "ee-pkg").read_text(), collection_hash):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()[:16]


def image_exists(ref: str) -> bool:
    return subprocess.run(["podman", "image", "exists", ref], check=False).returncode == 0


def image_size(ref: str) -> int:
    out = _run(["podman", "image", "inspect", "--format", "{{.Size}}", ref], stdout=subprocess.PIPE).stdout
    return int(out.strip())


def builder(base: str, tag: str) -> None:
    """ansible-builder build, podman never pulling; progress (podman STEP lines) on stdout."""
    if CONTEXT.exists():
        shutil.rmtree(CONTEXT)
    CONTEXT.parent.mkdir(parents=True, exist_ok=True)
    pkgmgr = os.environ.get("EE_PKGMGR", "")
    cmd = [str(VENV_BIN / "ansible-builder"), "build", "-f", str(DEFINITION), "-t", tag,
           "--context", str(CONTEXT), "--container-runtime", "podman", "-v", "3",
           "--build-arg", "EE_BASE_IMAGE=" + base,
           # the base image is local (or already pulled by the user): never reach a registry
           "--extra-build-cli-args=--pull=never"]
    if pkgmgr:
        cmd += ["--build-arg", "PKGMGR=" + pkgmgr]
    with open(LOG, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=str(TOP))
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            text = line.strip()
            if "] STEP " in text or text.startswith("STEP "):
                print("  ee: " + text[:150], flush=True)
        rc = proc.wait()
    if rc != 0:
        tail = LOG.read_text(encoding="utf-8", errors="replace").splitlines()[-30:]
        sys.stderr.write("\n".join(tail) + "\n")
        raise SystemExit("ee/build.py: ansible-builder failed (rc %d); full log: %s" % (rc, LOG))


def push(ref: str, registry: str, tags: list[str]) -> list[str]:
    pushed = []
    for tag in tags:
        dest = "%s/%s:%s" % (registry, REGISTRY_REPO, tag)
        _run(["podman", "push", "--quiet", "--tls-verify=false", ref, "docker://" + dest],
             stdout=subprocess.DEVNULL)
        pushed.append(dest)
    return pushed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--push", metavar="REGISTRY", default=os.environ.get("EE_REGISTRY", "127.0.0.1:5005"),
                    help="registry to push to (empty: no push)")
    ap.add_argument("--force", action="store_true", help="rebuild even if the image for this hash exists")
    args = ap.parse_args(argv)
    CACHE.mkdir(parents=True, exist_ok=True)

    t0 = time.monotonic()
    base_cached = not os.environ.get("EE_BASE_IMAGE") and image_exists(
        subprocess.run(["bash", str(EE_DIR / "base-image.sh"), "--name"], text=True,
                       stdout=subprocess.PIPE, check=True).stdout.strip())
    base = base_image()
    base_seconds = time.monotonic() - t0
    collection_hash = build_collection()
    digest = ee_hash(base, collection_hash)
    ref = "%s:%s" % (IMAGE_REPO, digest)
    cached = image_exists(ref) and not args.force
    t1 = time.monotonic()
    if cached:
        print("ee: %s already built (same base, definition and collection)" % ref, flush=True)
    else:
        print("ee: building %s from %s (log: %s)" % (ref, base, LOG), flush=True)
        builder(base, ref)
    build_seconds = time.monotonic() - t1
    _run(["podman", "tag", ref, IMAGE_REPO + ":latest"])
    pushed = push(ref, args.push, [digest, "latest"]) if args.push else []
    size = image_size(ref)
    result = {
        "image": ref, "hash": digest, "base_image": base, "base_cached": base_cached,
        "base_seconds": round(base_seconds, 1), "cached": cached, "build_seconds": round(build_seconds, 1),
        "size_bytes": size, "pushed": pushed,
    }
    RESULT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    # every build's figures, so cold and cached times stay on record (bench-awx reports them)
    history_path = CACHE / "builds.json"
    try:
        history = json.loads(history_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        history = []
    history.append({k: result[k] for k in ("hash", "base_cached", "base_seconds", "cached", "build_seconds",
                                           "size_bytes")} | {"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    history_path.write_text(json.dumps(history[-20:], indent=1) + "\n", encoding="utf-8")
    print("ee: %s, %.0f MiB, %s in %.0f s (base %s, %.0f s)%s" % (
        ref, size / 2**20, "reused" if cached else "built", build_seconds,
        "cached" if base_cached else "built", base_seconds,
        ("; pushed " + ", ".join(pushed)) if pushed else ""), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
