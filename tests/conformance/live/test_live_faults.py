"""Fault injection (issue 11): ENOSPC, EROFS, kill -9 mid-write, sparse sources, memory caps.

File-system faults use real small tmpfs mounts (the CI machine runs tests as root); the source
is checked with sha256 before and after in every case.
"""
import lzma
import os
import shutil
import signal
import subprocess
import sys

import pytest

from tests.support.live_media import run_module, sha256

IGN = '{"ignition":{"version":"3.3.0"},"passwd":{"users":[{"name":"core","passwordHash":"$6$fault"}]}}'
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


@pytest.fixture
def tmpfs(tmp_path):
    mounts = []

    def make(size):
        point = tmp_path / ("fs%d" % len(mounts))
        point.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % size, "tmpfs", str(point)], check=True)
        mounts.append(point)
        return point
    yield make
    for point in reversed(mounts):
        subprocess.run(["umount", "-l", str(point)], check=False)


def sparse_copy_of(src, dest):
    subprocess.run(["cp", "--sparse=always", str(src), str(dest)], check=True)
    return dest


def fill(folder):
    """Fill a file system to the last block."""
    fd = os.open(str(folder / "filler"), os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 512):
            try:
                while True:
                    os.write(fd, b"\xaa" * size)
            except OSError:
                pass
    finally:
        os.close(fd)


def allocated(path):
    return os.stat(str(path)).st_blocks * 512


def test_enospc_in_place_leaves_the_source_unchanged(nestos_iso, tmpfs):
    src, _info = nestos_iso
    fs = tmpfs("8m")
    iso = sparse_copy_of(src, fs / "live.iso")
    assert allocated(iso) < os.path.getsize(str(iso)), "the copy must have holes (the Ignition area)"
    orig = sha256(iso)
    fill(fs)
    res = run_module("iso_ignition", {"src": str(iso), "ignition_content": IGN})
    assert res["failed"] and res["file"] == str(iso) and "No space left" in res["msg"], res
    assert "nothing was changed" in res["msg"] or "put back" in res["msg"]
    assert sha256(iso) == orig


def test_enospc_to_dest_leaves_no_partial_file(nestos_iso, tmpfs):
    src, _info = nestos_iso
    orig = sha256(src)
    fs = tmpfs("64k")
    res = run_module("iso_customize", {"src": str(src), "dest": str(fs / "out.iso"), "ignition_content": IGN})
    assert res["failed"] and "No space left" in res["msg"] and "$6$fault" not in res["msg"], res
    assert os.listdir(str(fs)) == [] and sha256(src) == orig


def test_erofs_is_a_clean_error(nestos_iso, tmpfs):
    src, _info = nestos_iso
    fs = tmpfs("64m")
    iso = fs / "live.iso"
    shutil.copyfile(str(src), str(iso))
    orig = sha256(iso)
    subprocess.run(["mount", "-o", "remount,ro", str(fs)], check=True)
    res = run_module("iso_kargs", {"src": str(iso), "append": ["x=1"]})
    assert res["failed"] and "read-only" in res["msg"].lower() and res["file"] == str(iso), res
    res = run_module("iso_ignition", {"src": str(src), "dest": str(fs / "out.iso"), "ignition_content": IGN})
    assert res["failed"] and "read-only" in res["msg"].lower() or "not writable" in res["msg"], res
    assert sha256(iso) == orig


def test_read_only_source_with_dest(nestos_iso, tmpfs, tmp_path):
    src, _info = nestos_iso
    fs = tmpfs("64m")
    iso = fs / "live.iso"
    shutil.copyfile(str(src), str(iso))
    orig = sha256(iso)
    subprocess.run(["mount", "-o", "remount,ro", str(fs)], check=True)
    res = run_module("iso_ignition", {"src": str(iso), "dest": str(tmp_path / "out.iso"), "ignition_content": IGN})
    assert res["changed"] and sha256(iso) == orig


def test_sparse_source_stays_sparse(nestos_iso, tmp_path):
    src, _info = nestos_iso
    sparse = sparse_copy_of(src, tmp_path / "sparse.iso")
    # a larger hole, as in a real 3 GB image: grow the file (the ISO's own size is what readers use)
    with open(str(sparse), "r+b") as handle:
        handle.truncate(os.path.getsize(str(sparse)) + 256 * 1024 * 1024)
    orig = sha256(sparse)
    dest = tmp_path / "out.iso"
    res = run_module("iso_ignition", {"src": str(sparse), "dest": str(dest), "ignition_content": IGN})
    assert res["changed"], res
    assert os.path.getsize(str(dest)) == os.path.getsize(str(sparse))
    assert allocated(dest) < allocated(sparse) + 1024 * 1024, (allocated(dest), allocated(sparse))
    assert sha256(sparse) == orig


KILL_SCRIPT = r"""
import sys, time
from ansible_collections.nestos.lifecycle.plugins.module_utils.live import api, output
real = output._copy_extent
def slow(*args):
    real(*args)
    sys.stdout.write("copying\n"); sys.stdout.flush()
    time.sleep(600)
output._copy_extent = slow
with api.open_iso(sys.argv[1]) as iso:
    plan = api.plan_ignition_embed(iso, b'{"ignition":{"version":"3.3.0"}}')
api.apply_plan(plan, output=sys.argv[2], clobber=True, mode=0o600)
"""


def test_kill_9_mid_write_leaves_no_output_and_next_run_cleans(nestos_iso, tmp_path):
    src, _info = nestos_iso
    orig = sha256(src)
    out = tmp_path / "out"
    out.mkdir()
    dest = out / "copy.iso"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(src), str(dest)], stdout=subprocess.PIPE,
                            env=env, cwd=TOP)
    assert proc.stdout.readline() == b"copying\n"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    temps = [n for n in os.listdir(str(out)) if n.endswith(".tmp")]
    assert len(temps) == 1 and not dest.exists(), os.listdir(str(out))
    res = run_module("iso_ignition", {"src": str(src), "dest": str(dest), "ignition_content": IGN})
    assert res["changed"], res
    assert os.listdir(str(out)) == ["copy.iso"] and sha256(src) == orig


BOMB_SCRIPT = r"""
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), int(sys.argv[2])))
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.initrd import read_initrd
keep = None if sys.argv[3] == "all" else (lambda m: m == "config.ign")
try:
    with open(sys.argv[1], "rb") as handle:
        members = read_initrd(handle, name=sys.argv[1], keep=keep)
    print("ok %d" % len(members))
except NestosError as err:
    print("error: %s" % err)
"""


def _bomb(path, size):
    """An xz newc archive whose one member is ``size`` zero bytes (plus config.ign)."""
    from ansible_collections.nestos.lifecycle.plugins.module_utils.live.initrd import _header, make_newc
    comp = lzma.LZMACompressor(format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32, preset=0)
    with open(str(path), "wb") as handle:
        handle.write(comp.compress(_header(1, 0o100600, size, b"zeros")))
        block = b"\0" * (8 << 20)
        left = size
        while left:
            handle.write(comp.compress(block[:min(left, len(block))]))
            left -= min(left, len(block))
        handle.write(comp.compress(b"\0" * ((4 - size % 4) % 4) + make_newc({"config.ign": b"{}"})))
        handle.write(comp.flush())


@pytest.mark.parametrize("keep,expect", [("all", "error: "), ("config", "ok 1")])
def test_xz_bomb_under_rlimit_as(tmp_path, keep, expect):
    bomb = tmp_path / "bomb.img"
    _bomb(bomb, 400 * 1024 * 1024)
    assert os.path.getsize(str(bomb)) < 1024 * 1024
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.run([sys.executable, "-c", BOMB_SCRIPT, str(bomb), str(768 * 1024 * 1024), keep],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=TOP, timeout=600,
                          check=False)
    out = proc.stdout.decode()
    assert proc.returncode == 0 and out.startswith(expect), (out, proc.stderr.decode()[-2000:])
    if keep == "all":
        assert "more than 134217728 bytes" in out or "exceed 134217728 bytes" in out
