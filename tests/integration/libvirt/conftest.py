"""Integration fixtures for libvirt_vm: the real libvirtd (qemu:///system) that `make lab` starts inside the
network namespace $NESTOS_LIBVIRT_NETNS, the lab QCOW2, and a runner that executes the real module inside
that namespace (so waiting for a guest address or port happens where the guest network is)."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

libvirt = pytest.importorskip("libvirt", reason="libvirt-python is in requirements-dev.txt; `make venv` installs it")

TOP = pathlib.Path(__file__).resolve().parents[3]
COLLROOT = TOP / ".build" / "collections"
MODULE = TOP / "plugins" / "modules" / "libvirt_vm.py"
NETNS = os.environ.get("NESTOS_LIBVIRT_NETNS", "nestos-lab")
URI = "qemu:///system"
STORAGE = "/var/lib/libvirt/images/nestos-tests"
PREFIX = "nestos-test-"


def _require_daemon():
    if not os.path.exists("/run/netns/%s" % NETNS):
        raise RuntimeError("network namespace %s missing: run `make lab` (target libvirt-daemon)" % NETNS)
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    try:
        conn = libvirt.open(URI)
    except libvirt.libvirtError as exc:
        raise RuntimeError("libvirtd does not answer on %s (%s): run `make lab`" % (URI, exc))
    return conn


@pytest.fixture(scope="session")
def conn():
    handle = _require_daemon()
    yield handle
    handle.close()


@pytest.fixture(scope="session")
def storage_dir():
    os.makedirs(STORAGE, exist_ok=True)
    os.chmod(STORAGE, 0o755)
    return STORAGE


@pytest.fixture(scope="session")
def lab_qcow2(storage_dir):
    """A private copy of the lab QCOW2 (the lab may rebuild its own while other tests run)."""
    from tests.lab import media
    from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import copy_file
    source = media.paths()["qcow2"]
    dest = os.path.join(storage_dir, "base-lab.qcow2")
    copy_file(source, dest, mode=0o644)
    return dest


def _purge(conn, name):
    try:
        dom = conn.lookupByName(name)
    except libvirt.libvirtError:
        dom = None
    if dom is not None:
        if dom.isActive():
            try:
                dom.destroy()
            except libvirt.libvirtError:
                if dom.isActive():  # not a guest that just powered itself off
                    raise
        dom.undefine()
    for suffix in (".qcow2", ".ign"):
        path = os.path.join(STORAGE, name + suffix)
        if os.path.exists(path):
            os.unlink(path)


@pytest.fixture()
def machine_name(conn, request):
    """A fresh machine name for one test; whatever the test left is removed afterwards."""
    name = PREFIX + request.node.name.replace("test_", "").replace("_", "-")[:40]
    _purge(conn, name)
    yield name
    _purge(conn, name)


class ModuleRunner:
    """Runs plugins/modules/libvirt_vm.py the way Ansible does (arguments file, JSON on stdout),
    under `ip netns exec` so that address and port waits happen inside the lab's namespace."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.count = 0

    def __call__(self, check=False, diff=False, **args):
        self.count += 1
        argsfile = self.tmp_path / ("args-%d.json" % self.count)
        payload = dict(args)
        payload.update(_ansible_check_mode=check, _ansible_diff=diff)
        argsfile.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": payload}))
        env = dict(os.environ, PYTHONPATH=str(COLLROOT))
        proc = subprocess.run(["ip", "netns", "exec", NETNS, sys.executable, str(MODULE), str(argsfile)],
                              capture_output=True, text=True, env=env, timeout=600, check=False)
        try:
            result = json.loads(proc.stdout)
        except ValueError:
            raise AssertionError("module printed no JSON (rc %d): %s %s" % (proc.returncode, proc.stdout, proc.stderr))
        return result


@pytest.fixture()
def run_module(tmp_path):
    return ModuleRunner(tmp_path)


@pytest.fixture(scope="session")
def netns_http():
    """Start an HTTP server inside the namespace on the libvirt network's gateway (192.168.122.1)."""
    servers = []

    def start(directory, port):
        proc = subprocess.Popen(["ip", "netns", "exec", NETNS, sys.executable, "-m", "http.server", str(port),
                                 "--bind", "192.168.122.1", "--directory", str(directory)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        servers.append(proc)
        probe = ["ip", "netns", "exec", NETNS, sys.executable, "-c",
                 "import socket,time\nfor i in range(100):\n"
                 "    try: socket.create_connection(('192.168.122.1', %d), 1).close(); break\n"
                 "    except OSError: time.sleep(0.1)\nelse: raise SystemExit(1)" % port]
        subprocess.run(probe, check=True, timeout=30)
        return "http://192.168.122.1:%d" % port

    yield start
    for proc in servers:
        proc.terminate()
        proc.wait(timeout=10)


def sha256_of(path):
    from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import sha256_file
    return sha256_file(path)


def warnings_of(result):
    """Warning texts of a module result (ansible-core 2.19 returns them as structured events)."""
    out = []
    for item in result.get("warnings", []):
        out.append(item["event"]["msg"] if isinstance(item, dict) else str(item))
    return out
