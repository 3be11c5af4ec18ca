"""Hostile ISO metadata and hostile destinations (issue 11): a clean error naming the file and the
field, the source unchanged (sha256 before/after), nothing written outside the named areas."""
import json
import os

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.live import api
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.iso9660 import IsoFs
from tests.support.live_media import build_iso, run_module, sha256

IGN = '{"ignition":{"version":"3.3.0"},"passwd":{"users":[{"name":"core","passwordHash":"$6$hostile"}]}}'


@pytest.fixture
def nestos_iso(tmp_path_factory):
    """A live ISO whose metadata files have room for other contents."""
    work = tmp_path_factory.mktemp("hostile-iso")
    path = work / "live.iso"
    info = build_iso(str(path), str(work), meta_space=1024)
    return path, info


def patch_meta(iso_path, inner, obj):
    """Replace a metadata file inside the ISO (same extent; padded with spaces, which readers strip)."""
    with open(str(iso_path), "r+b") as handle:
        rec = IsoFs(handle).get_file(inner)
        data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
        assert len(data) <= rec.length, "test input does not fit the file's extent"
        handle.seek(rec.offset)
        handle.write(data + b" " * (rec.length - len(data)))


def kargs_json(iso_path):
    with open(str(iso_path), "rb") as handle:
        return json.loads(IsoFs(handle).read_file("NESTOS/KARGS.JSO").decode().rstrip(" \0"))


def all_modules(path, tmp_path):
    """Every ISO module that reads the metadata, with arguments that would write."""
    return [
        ("iso_ignition", {"src": str(path), "ignition_content": IGN}),
        ("iso_kargs", {"src": str(path), "state": "reset"}),
        ("iso_kargs", {"src": str(path), "append": ["x=1"], "dest": str(tmp_path / "k.iso")}),
        ("iso_extract", {"src": str(path), "dest": str(tmp_path)}),
        ("iso_customize", {"src": str(path), "ignition_content": IGN, "dest": str(tmp_path / "c.iso")}),
    ]


def test_negative_kargs_offset_refused_before_any_write(nestos_iso, tmp_path):
    path, _info = nestos_iso
    info = kargs_json(path)
    info["files"][0]["offset"] = -970
    patch_meta(path, "NESTOS/KARGS.JSO", info)
    orig = sha256(path)
    res = run_module("iso_kargs", {"src": str(path), "state": "reset"})
    assert res["failed"] and res["path"] == "$.files[0].offset" and "kargs.json" in res["file"], res
    assert "non-negative integer" in res["msg"] and "the number -970" in res["msg"]
    assert sha256(path) == orig


def test_kargs_offset_past_its_file_refused(nestos_iso):
    path, _info = nestos_iso
    info = kargs_json(path)
    info["files"][1]["offset"] = 5000  # inside the image, but past the end of isolinux.cfg
    patch_meta(path, "NESTOS/KARGS.JSO", info)
    orig = sha256(path)
    with pytest.raises(NestosError, match="runs past the end of") as err:
        api.open_iso(str(path))
    assert err.value.path == "$.files[1].offset"
    assert sha256(path) == orig


@pytest.mark.parametrize("inner,obj,field", [
    ("NESTOS/IGNINFO.JSO", {"file": "images/ignition.img", "offset": "abc"}, "$.offset"),
    ("NESTOS/IGNINFO.JSO", {"file": "images/ignition.img", "length": -5}, "$.length"),
    ("NESTOS/IGNINFO.JSO", {"file": 7}, "$.file"),
    ("NESTOS/IGNINFO.JSO", [1, 2], "$"),
    ("NESTOS/KARGS.JSO", {"default": "a", "size": 100, "files": "x"}, "$.files"),
    ("NESTOS/KARGS.JSO", {"default": "a", "size": "100", "files": []}, "$.size"),
    ("NESTOS/KARGS.JSO", {"default": "a", "size": 100, "files": [{"path": "isolinux/isolinux.cfg", "pad": "##"}]},
     "$.files[0].pad"),
    ("NESTOS/KARGS.JSO", {"default": "a", "size": 100, "files": [7]}, "$.files[0]"),
])
def test_metadata_of_wrong_type_is_a_clean_error_in_every_module(nestos_iso, tmp_path, inner, obj, field):
    path, _info = nestos_iso
    patch_meta(path, inner, obj)
    orig = sha256(path)
    for name, args in all_modules(path, tmp_path):
        res = run_module(name, args)
        assert res.get("failed"), (name, res)
        assert res.get("path") == field and inner.split("/")[1].lower()[:6] in res["file"].lower(), (name, res)
        assert "Traceback" not in json.dumps(res)
        assert sha256(path) == orig
    assert not (tmp_path / "k.iso").exists() and not (tmp_path / "c.iso").exists()


def test_deeply_nested_and_oversized_metadata_are_clean_errors(tmp_path):
    path = tmp_path / "deep.iso"
    build_iso(str(path), str(tmp_path), meta_space=62000)
    patch_meta(path, "NESTOS/FEATURES.JSO", b"[" * 30000 + b"]" * 30000)
    with pytest.raises(NestosError, match="not valid JSON"):
        api.open_iso(str(path))
    big = tmp_path / "big.iso"
    build_iso(str(big), str(tmp_path), meta_space=70000)
    with pytest.raises(NestosError, match="more than the 65536 bytes allowed"):
        api.open_iso(str(big))
    path = big
    build_iso(str(path), str(tmp_path), meta_space=1024)
    patch_meta(path, "NESTOS/FEATURES.JSO", b"\xff\xfe")
    with pytest.raises(NestosError, match="not valid JSON"):
        api.open_iso(str(path))


def test_lone_surrogate_default_fails_before_dest_is_written(nestos_iso, tmp_path):
    path, _info = nestos_iso
    info = kargs_json(path)
    info["default"] = "a\ud800b"
    patch_meta(path, "NESTOS/KARGS.JSO", json.dumps(info, ensure_ascii=True).encode())
    dest = tmp_path / "out.iso"
    orig = sha256(path)
    res = run_module("iso_kargs", {"src": str(path), "state": "reset", "dest": str(dest)})
    assert res["failed"] and res["path"] == "$.default" and "surrogate" in res["msg"], res
    assert not dest.exists() and sha256(path) == orig
    assert not [n for n in os.listdir(str(tmp_path)) if n.endswith(".tmp")]


def test_extract_stem_cannot_leave_dest(nestos_iso, tmp_path):
    path, _info = nestos_iso
    out = tmp_path / "tftp"
    out.mkdir()
    for stem in ("../x", "a/b", "..", "x\0y"):
        res = run_module("iso_extract", {"src": str(path), "dest": str(out), "stem": stem})
        assert res["failed"] and res["path"] == "stem", res
    assert os.listdir(str(out)) == [] and not (tmp_path / "x-vmlinuz").exists()


@pytest.mark.parametrize("kind", ["fifo", "symlink", "chardev", "dir"])
def test_destinations_other_than_regular_files_are_refused(nestos_iso, tmp_path, kind):
    path, _info = nestos_iso
    orig = sha256(path)
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep me")
    dest = tmp_path / "dest"
    if kind == "fifo":
        os.mkfifo(str(dest))
    elif kind == "symlink":
        os.symlink(str(victim), str(dest))
    elif kind == "chardev":
        dest = tmp_path / "null"
        os.mknod(str(dest), 0o600 | 0o020000, os.makedev(1, 3))
    else:
        dest.mkdir()
    runs = [
        ("iso_ignition", {"src": str(path), "dest": str(dest), "ignition_content": IGN}),
        ("iso_customize", {"src": str(path), "dest": str(dest), "ignition_content": IGN}),
        ("iso_kargs", {"src": str(path), "dest": str(dest), "append": ["a=1"]}),
        ("pxe_ignition", {"dest": str(dest), "ignition_content": IGN}),
        ("iso_extract", {"src": str(path), "dest": str(dest), "what": "minimal-iso"}),
    ]
    for name, args in runs:
        for check in (True, False):
            res = run_module(name, args, check=check)
            assert res.get("failed"), (name, check, res)
            assert "refusing to replace it" in res["msg"] or "folder" in res["msg"], (name, res)
            assert "$6$hostile" not in json.dumps(res)
    assert victim.read_bytes() == b"keep me" and sha256(path) == orig
    if kind == "symlink":
        assert os.path.islink(str(dest))
    if kind == "chardev":
        assert not os.path.isfile(str(dest))
