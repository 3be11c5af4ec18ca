"""The download lab for these tests: Debian's nginx on 127.0.0.1 (tests/lab/stream.py), a GPG key
made here, signed artifacts and stream documents pointing at the server; and two ways to run the
real modules: through ansible-playbook (tests/support/install.run_task) and as a module process
with an args file (faster, same code)."""
import json
import lzma
import os
import pathlib
import subprocess
import sys

import pytest

from tests.lab import stream as lab

TOP = pathlib.Path(__file__).resolve().parents[3]
COLLROOT = TOP / ".build" / "collections"
MODULES = COLLROOT / "ansible_collections" / "nestos" / "lifecycle" / "plugins" / "modules"
INSTALLER = TOP / "tools" / "nestos-installer"
RELEASE = "24.03.20261201.0"


class Lab(object):
    pass


def _artifacts(www, key):
    files = {}
    files["img"] = lab.random_file(www / "img.raw", 3 * 1024 * 1024 + 17, b"img")
    files["big"] = lab.random_file(www / "big.raw", 8 * 1024 * 1024, b"big")
    raw = lab.random_file(www / "inner.raw", 2 * 1024 * 1024, b"inner")
    (www / "img.raw.xz").write_bytes(lzma.compress(raw.read_bytes(), preset=0))
    files["xz"], files["inner_sha"] = www / "img.raw.xz", lab.sha256(raw)
    raw.unlink()
    for kind in ("kernel", "initramfs.img", "rootfs.img"):
        files[kind] = lab.random_file(www / ("pxe-" + kind), 256 * 1024, kind.encode())
    files["bad"] = lab.random_file(www / "bad.raw", 1024 * 1024, b"bad")
    other = lab.random_file(www / "other.raw", 1024 * 1024, b"other")
    key.sign(other, www / "bad.raw.sig")  # a good signature of other bytes
    other.unlink()
    sigs = {}
    for name, path in files.items():
        if name not in ("bad", "inner_sha"):
            sigs[name] = key.sign(path)
    sigs["bad"] = www / "bad.raw.sig"
    return files, sigs


def _documents(www, base, files, sigs):
    def art(name, prefix=""):
        return files[name], sigs[name]
    entries = {("x86_64", "metal", "raw", "disk"): art("img"),
               ("x86_64", "metal", "raw.xz", "disk"): art("xz"),
               ("x86_64", "qemu", "raw", "disk"): art("big"),
               ("aarch64", "metal", "raw", "disk"): art("bad")}
    for kind in ("kernel", "initramfs.img", "rootfs.img"):
        entries[("x86_64", "metal", "pxe", kind.split(".", maxsplit=1)[0])] = art(kind)
    docs = {"lab": lab.stream_document("lab", base, entries, {"img.raw.xz": files["inner_sha"]})}
    docs["slow"] = lab.stream_document("slow", base + "slow/", entries)
    wrong = lab.stream_document("wrongsha", base, {("x86_64", "metal", "raw", "disk"): art("img")})
    wrong["architectures"]["x86_64"]["artifacts"]["metal"]["formats"]["raw"]["disk"]["sha256"] = "0" * 64
    docs["wrongsha"] = wrong
    for name, doc in docs.items():
        lab.write_stream(www, name, doc)
    return docs


@pytest.fixture(scope="session")
def stream_lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("stream-lab")
    server = lab.Nginx(root / "nginx")
    key = lab.GpgKey(root / "gnupg")
    try:
        out = Lab()
        out.server, out.key, out.www, out.base = server, key, server.www, server.base
        out.files, out.sigs = _artifacts(server.www, key)
        out.docs = _documents(server.www, server.base, out.files, out.sigs)
        out.keyring = str(key.public)
        yield out
    finally:
        key.stop()
        server.stop()


def run_module(name, args, check=False, diff=False, tmp=None):
    """Run a module file as Ansible runs it (args file), return its JSON result."""
    payload = dict(args, _ansible_check_mode=check, _ansible_diff=diff)
    argsfile = pathlib.Path(tmp) / ("%s-args.json" % name)
    argsfile.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": payload}))
    env = dict(os.environ, PYTHONPATH=str(COLLROOT))
    proc = subprocess.run([sys.executable, str(MODULES / (name + ".py")), str(argsfile)], capture_output=True,
                          text=True, env=env, timeout=300, check=False)
    try:
        return json.loads(proc.stdout)
    except ValueError:
        raise AssertionError("module printed no JSON (rc %d): %s %s" % (proc.returncode, proc.stdout, proc.stderr))


def installer(*args, timeout=300):
    return subprocess.run([str(INSTALLER)] + list(args), capture_output=True, text=True, timeout=timeout,
                          check=False, env=dict(os.environ, NESTOS_INSTALLER_PYTHON=sys.executable))
