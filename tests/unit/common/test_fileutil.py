import os

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common import fileutil
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError


def test_atomic_write_sets_mode_and_content(tmp_path):
    dest = tmp_path / "secret.ign"
    fileutil.atomic_write(str(dest), b'{"ignition":{}}', mode=0o600)
    assert dest.read_bytes() == b'{"ignition":{}}'
    assert (dest.stat().st_mode & 0o777) == 0o600


def test_atomic_write_failure_leaves_old_file_and_no_temp(tmp_path):
    dest = tmp_path / "out"
    dest.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with fileutil.AtomicFile(str(dest)) as handle:
            handle.write(b"half")
            raise RuntimeError("boom")
    assert dest.read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(NestosError) as err:
        fileutil.atomic_write(str(tmp_path / "nope" / "x"), b"")
    assert str(tmp_path / "nope") in str(err.value)


def test_copy_file_matches_sha256(tmp_path):
    src = tmp_path / "src"
    src.write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    dst = tmp_path / "dst"
    fileutil.copy_file(str(src), str(dst))
    assert fileutil.sha256_file(str(dst)) == fileutil.sha256_file(str(src))


def test_copy_range_fallback_without_copy_file_range(tmp_path, monkeypatch):
    src = tmp_path / "src"
    src.write_bytes(b"abc" * 100000)
    monkeypatch.delattr(os, "copy_file_range", raising=False)
    with open(src, "rb") as s, open(tmp_path / "dst", "wb") as d:
        assert fileutil.copy_range(s, d) == 300000
    assert (tmp_path / "dst").read_bytes() == src.read_bytes()


@pytest.mark.parametrize("kernel_copy", [True, False])
def test_copy_extent_copies_at_offset_without_moving_positions(tmp_path, monkeypatch, kernel_copy):
    if not kernel_copy:
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    data = os.urandom(4096 + 5 * 1024 * 1024 + 3)
    (tmp_path / "src").write_bytes(data)
    (tmp_path / "dst").write_bytes(b"\0" * len(data))
    with open(tmp_path / "src", "rb") as s, open(tmp_path / "dst", "r+b") as d:
        fileutil.copy_extent(s.fileno(), d.fileno(), 4096, 5 * 1024 * 1024)
        assert (s.tell(), d.tell()) == (0, 0)
    out = (tmp_path / "dst").read_bytes()
    assert out[:4096] == b"\0" * 4096
    assert out[4096:4096 + 5 * 1024 * 1024] == data[4096:4096 + 5 * 1024 * 1024]
    assert out[4096 + 5 * 1024 * 1024:] == b"\0" * 3


def test_copy_extent_past_the_source_end_is_an_error(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "copy_file_range", raising=False)
    (tmp_path / "src").write_bytes(b"x" * 100)
    with open(tmp_path / "src", "rb") as s, open(tmp_path / "dst", "wb") as d:
        with pytest.raises(NestosError, match="source shrank"):
            fileutil.copy_extent(s.fileno(), d.fileno(), 50, 100)


def test_error_location_format():
    err = NestosError("bad mode", file="x.bu", path="$.storage.files.0.mode", line=3, column=7)
    assert str(err) == "x.bu, $.storage.files.0.mode, line 3 col 7: bad mode"
    assert err.details() == {"file": "x.bu", "path": "$.storage.files.0.mode", "line": 3, "column": 7}


# ---- the destination rule -------------------------------------------------------------


def test_destination_rule_refuses_symlink_fifo_device_folder(tmp_path):
    target = tmp_path / "target"
    target.write_bytes(b"keep")
    link = tmp_path / "link"
    link.symlink_to(target)
    fifo = tmp_path / "fifo"
    os.mkfifo(str(fifo))
    folder = tmp_path / "folder"
    folder.mkdir()
    for path, word in ((link, "symbolic link"), (fifo, "FIFO"), (folder, "folder"), ("/dev/full", "character device")):
        with pytest.raises(NestosError) as err:
            fileutil.atomic_write(str(path), b"new")
        assert word in str(err.value)
        assert err.value.file == str(path)
    assert target.read_bytes() == b"keep"
    assert link.is_symlink()
    assert os.path.exists("/dev/full") and not os.path.isfile("/dev/full")


def test_destination_rule_write_through_only_when_asked(tmp_path):
    dev_link = tmp_path / "disk"
    dev_link.symlink_to("/dev/null")
    assert fileutil.check_destination(str(dev_link), write_through=True) == "device"
    assert fileutil.check_destination(str(tmp_path / "absent")) == "absent"
    regular = tmp_path / "regular"
    regular.write_bytes(b"")
    assert fileutil.check_destination(str(regular)) == "file"
    fifo = tmp_path / "fifo"
    os.mkfifo(str(fifo))
    with pytest.raises(NestosError):
        fileutil.check_destination(str(fifo), write_through=True)


def test_stale_temp_of_a_dead_writer_is_removed_by_the_next_write(tmp_path):
    dead_pid = os.fork()
    if dead_pid == 0:  # the child: a writer that is gone by the time the next write looks
        os._exit(0)
    os.waitpid(dead_pid, 0)
    stale = tmp_path / (".out.%d.abcd.tmp" % dead_pid)
    stale.write_bytes(b"x" * 1000)
    alive = tmp_path / (".out.%d.efgh.tmp" % os.getppid())
    alive.write_bytes(b"y")
    fileutil.atomic_write(str(tmp_path / "out"), b"new")
    assert not stale.exists()
    assert alive.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out", alive.name])
