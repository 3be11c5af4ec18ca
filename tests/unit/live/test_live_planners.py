"""Pure parts of the live engine: metadata checks, PXE planners, initrd limits, output modes."""
import gzip
import lzma
import os

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.live import api, metadata, pxe
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.initrd import Limits, make_newc, read_initrd
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.iso import KARG_HEADER_OFFSET
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.output import sparse_copy

CONFIG = b'{"ignition":{"version":"3.3.0"}}'


def test_legacy_header_offset_is_the_documented_one():
    assert KARG_HEADER_OFFSET == 32672  # 32768 - 24 - 72 (reference 4.2)


@pytest.mark.parametrize("obj,field,words", [
    ({"file": "f", "offset": "abc"}, "$.offset", "the string \"abc\""),
    ({"file": "f", "length": -5}, "$.length", "the number -5"),
    ({"file": "f", "offset": True}, "$.offset", "a boolean"),
    ({"offset": 1}, "$.file", "no 'file' entry"),
    ("x", "$", "the string"),
])
def test_igninfo_fields(obj, field, words):
    with pytest.raises(NestosError) as err:
        metadata.parse_igninfo(obj, "igninfo.json")
    assert err.value.path == field and words in err.value.message and err.value.file == "igninfo.json"


def test_igninfo_area_inside_its_file():
    info = metadata.parse_igninfo({"file": "f", "offset": 10, "length": 20}, "m")
    assert info.area(30, "m") == (10, 20)
    with pytest.raises(NestosError, match="runs past the end"):
        info.area(29, "m")
    assert metadata.parse_igninfo({"file": "f"}, "m").area(100, "m") == (0, 100)


@pytest.mark.parametrize("obj,field", [
    ({"size": 10, "default": "a", "files": "x"}, "$.files"),
    ({"size": 10, "default": "a", "files": [{"path": "p", "offset": -970}]}, "$.files[0].offset"),
    ({"size": 3000, "default": "a"}, "$.size"),
    ({"size": 10, "default": "a" * 11}, "$.default"),
    ({"size": 10, "default": "\ud800"}, "$.default"),
    ({"size": 10, "default": "a", "files": [{"path": "p", "end": "ab"}]}, "$.files[0].end"),
])
def test_kargs_json_fields(obj, field):
    with pytest.raises(NestosError) as err:
        metadata.parse_kargs_info(obj, "kargs.json")
    assert err.value.path == field


def test_wrap_plan_is_idempotent_and_refuses_a_fifo(tmp_path):
    dest = tmp_path / "ign.img"
    plan = pxe.plan_wrap(str(dest), CONFIG, [])
    assert plan.changed and plan.before is None and plan.after == CONFIG
    pxe.write_plan(plan)
    assert oct(dest.stat().st_mode & 0o777) == "0o600"
    again = pxe.plan_wrap(str(dest), CONFIG, [])
    assert not again.changed
    fifo = tmp_path / "fifo"
    os.mkfifo(str(fifo))
    with pytest.raises(NestosError, match="a FIFO"):
        pxe.plan_wrap(str(fifo), CONFIG, [])
    with pytest.raises(NestosError, match="multiple input files"):
        pxe.plan_wrap(str(dest), None, [("a/eth0", b"1"), ("b/eth0", b"2")])


def test_unwrap_plan(tmp_path):
    src = tmp_path / "w.img"
    src.write_bytes(api.wrap_ignition(CONFIG))
    plan = pxe.plan_unwrap(str(src), str(tmp_path / "out.ign"))
    assert plan.changed and plan.after == CONFIG
    with pytest.raises(NestosError, match="initrd not found"):
        pxe.plan_unwrap(str(tmp_path / "missing.img"))
    src.write_bytes(api.wrap_network([("eth0", b"[c]")]))
    plan = pxe.plan_unwrap(str(src), str(tmp_path / "out2.ign"))
    assert plan.keyfiles == ["eth0"] and plan.after is None and not plan.changed


def test_initrd_limits_name_the_member():
    raw = make_newc({"big": b"x" * 5000, "config.ign": CONFIG})
    for packed in (raw, gzip.compress(raw), lzma.compress(raw)):
        with pytest.raises(NestosError, match="member big is 5000 bytes, more than the 4096") as err:
            read_initrd(packed, name="i.img", limits=Limits(member=4096))
        assert err.value.file == "i.img" and err.value.path == "big"
        # skipped members still count per member, but are not kept
        assert read_initrd(packed, keep=lambda m: m == "config.ign", limits=Limits(kept=100)) == {"config.ign": CONFIG}
    with pytest.raises(NestosError, match="more than 3000 bytes"):
        read_initrd(gzip.compress(raw), limits=Limits(total=3000))


def test_stem_is_a_plain_name():
    assert api.check_stem(None, "/x/live.iso") == "live"
    assert api.check_stem("web", "/x/live.iso") == "web"
    for bad in ("../x", "a/b", "..", ".", "a\0b"):
        with pytest.raises(NestosError):
            api.check_stem(bad, "/x/live.iso")


def test_sparse_copy_keeps_holes(tmp_path):
    src = tmp_path / "src"
    with open(str(src), "wb") as handle:
        handle.write(b"head")
        handle.seek(64 << 20)
        handle.write(b"tail")
    dst = tmp_path / "dst"
    with open(str(src), "rb") as one, open(str(dst), "wb") as two:
        assert sparse_copy(one, two) == src.stat().st_size
    assert dst.read_bytes() == src.read_bytes()
    assert dst.stat().st_blocks * 512 < 1 << 20


class _Plan(object):
    def __init__(self, ignition=None, keyfiles=()):
        self.after = {"ignition": ignition, "network_keyfiles": list(keyfiles)}


def test_output_mode_rule():
    assert api.output_mode(_Plan("{}"), None) == 0o600
    assert api.output_mode(_Plan(None, ["eth0"]), None) == 0o600
    assert api.output_mode(_Plan("{}"), 0o640) == 0o640
    assert api.output_mode(_Plan(None), None) is None
    assert api.output_mode(_Plan(None), None, default=0o600) == 0o600


def test_non_utf8_member_names_reach_the_result_without_a_traceback(tmp_path):
    from tests.support.live_media import run_module
    src = tmp_path / "w.img"
    src.write_bytes(lzma.compress(make_newc({"etc/nestos-firstboot-network/eth\udcff": b"[c]"}),
                                  check=lzma.CHECK_CRC32))
    res = run_module("pxe_ignition", {"state": "unwrap", "src": str(src)})
    assert not res.get("failed") and res["network_keyfiles"] == ["eth\ufffd"], res
