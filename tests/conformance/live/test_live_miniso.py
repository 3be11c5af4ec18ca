"""iso extract minimal-iso on upstream fixtures: the rebuilt image must match the SHA-256 that
miniso.dat records (checked by the engine), then carry no *.liveiso karg."""
import lzma
import os

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.live import api
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.iso import LiveIso
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.miniso import extract_minimal_iso, parse_miniso
from tests.support.live_media import run_module

WITH_MINISO = ["embed-areas-2021-12", "embed-areas-2022-02", "embed-areas-2022-09", "embed-areas-2023-03.x86_64",
               "embed-areas-2023-07.x86_64", "embed-areas-2023-07.s390x"]


def unpack(upstream, tmp_path, name):
    dest = tmp_path / (name + ".iso")
    dest.write_bytes(lzma.decompress((upstream / "coreos-installer" / "fixtures" / "iso" / (name + ".iso.xz")).read_bytes()))
    return dest


@pytest.mark.parametrize("name", WITH_MINISO)
def test_minimal_iso_digest_and_kargs(upstream, tmp_path, name):
    src = unpack(upstream, tmp_path, name)
    out = tmp_path / "mini.iso"
    extract_minimal_iso(str(src), str(out), rootfs_url="http://example.com/rootfs.img")
    with LiveIso(str(src)) as full:
        full_default = full.kargs_default
    with LiveIso(str(out)) as mini:
        assert "coreos.liveiso=" in full_default
        assert not any(t.startswith("coreos.liveiso=") for t in mini.kargs.split())
        assert mini.kargs.endswith(" coreos.live.rootfs_url=http://example.com/rootfs.img")
        assert mini.kargs_default == " ".join(t for t in full_default.split() if not t.startswith("coreos.liveiso="))
        assert mini.iso.exists("IMAGES/PXEBOOT/VMLINUZ") and not mini.iso.exists("IMAGES/PXEBOOT/ROOTFS.IMG")
    # resetting the kargs of the minimal ISO must not bring coreos.liveiso back
    with api.open_iso(str(out)) as mini:
        assert "coreos.liveiso" not in api.plan_kargs_reset(mini).after["kargs"]


def test_minimal_iso_bad_inputs(upstream, tmp_path):
    src = unpack(upstream, tmp_path, "embed-areas-2023-07.x86_64")
    with pytest.raises(NestosError, match="forbidden whitespace"):
        extract_minimal_iso(str(src), str(tmp_path / "a.iso"), rootfs_url="http://x y")
    with api.open_iso(str(src)) as iso:
        api.apply_plan(api.plan_kargs_modify(iso, append=["x"]))
    with pytest.raises(NestosError, match="Cannot operate on ISO with embedded customizations"):
        extract_minimal_iso(str(src), str(tmp_path / "b.iso"))
    old = unpack(upstream, tmp_path, "embed-areas-2021-09")
    with pytest.raises(NestosError, match="does not support extracting a minimal ISO"):
        extract_minimal_iso(str(old), str(tmp_path / "c.iso"))
    assert not [n for n in os.listdir(str(tmp_path)) if n.endswith(".tmp")]


def test_miniso_table_parses(upstream, tmp_path):
    src = unpack(upstream, tmp_path, "embed-areas-2022-09")
    with LiveIso(str(src)) as iso:
        entries, digest, xz = parse_miniso(iso.iso.read_file("COREOS/MINISO.DAT"))
    assert entries and len(digest) == 32 and xz.startswith(b"\xfd7zXZ\x00")
    with pytest.raises(NestosError, match="not a miniso file"):
        parse_miniso(b"\0" * 64)


def test_iso_extract_module_minimal_iso_idempotent(upstream, tmp_path):
    src = unpack(upstream, tmp_path, "embed-areas-2023-07.x86_64")
    dest = tmp_path / "mini.iso"
    rootfs = tmp_path / "rootfs.img"
    args = {"src": str(src), "dest": str(dest), "what": "minimal-iso", "rootfs_url": "http://h/r.img",
            "output_rootfs": str(rootfs)}
    res = run_module("iso_extract", args, check=True)
    assert res["changed"] and not dest.exists()
    res = run_module("iso_extract", args)
    assert res["changed"] and dest.exists() and rootfs.exists()
    assert run_module("iso_extract", args)["changed"] is False
