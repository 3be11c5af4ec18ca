"""Bad input against the real lab media through the modules: a clear message naming the file,
and the source image unchanged (sha256)."""
import base64
import json
import lzma
import os
import shutil

import pytest

from tests.lab import media
from tests.support.live_media import sha256
from tests.support.live_media import run_module

pytestmark = [pytest.mark.lab]
IGN = '{"ignition":{"version":"3.3.0"}}'


@pytest.fixture
def lab_iso(tmp_path):
    src = media.paths()["iso"]
    dest = tmp_path / "lab.iso"
    shutil.copyfile(src, str(dest))
    return dest


@pytest.fixture
def coreos_iso(upstream, tmp_path):
    dest = tmp_path / "fcos.iso"
    dest.write_bytes(lzma.decompress(
        (upstream / "coreos-installer" / "fixtures" / "iso" / "embed-areas-2023-07.x86_64.iso.xz").read_bytes()))
    return dest


def failed(result, *needles):
    assert result.get("failed"), result
    for needle in needles:
        assert needle in result["msg"], result["msg"]
    return result


def test_not_an_iso():
    kernel = media.paths()["kernel"]
    before = sha256(kernel)
    failed(run_module("iso_customize", {"src": kernel, "dest_device": "/dev/sda"}), "not an ISO9660 image", kernel)
    assert sha256(kernel) == before


def test_flavour_mismatch_both_ways(lab_iso, coreos_iso):
    h1, h2 = sha256(str(lab_iso)), sha256(str(coreos_iso))
    failed(run_module("iso_ignition", {"src": str(coreos_iso), "ignition_content": IGN, "flavour": "nestos"}),
           "CoreOS live ISO, but flavour NestOS was expected")
    failed(run_module("iso_ignition", {"src": str(lab_iso), "ignition_content": IGN, "flavour": "coreos"}),
           "NestOS live ISO, but flavour CoreOS was expected")
    assert (sha256(str(lab_iso)), sha256(str(coreos_iso))) == (h1, h2)
    # with flavour auto both are handled, each with its own names
    res = run_module("iso_customize", {"src": str(coreos_iso), "dest_device": "/dev/sda"}, check=True)
    assert res["changed"] and res["flavour"] == "coreos"
    res = run_module("iso_customize", {"src": str(lab_iso), "dest_device": "/dev/sda"}, check=True)
    assert res["changed"] and res["flavour"] == "nestos"
    assert sha256(str(coreos_iso)) == h2


def test_customized_without_force(lab_iso):
    assert run_module("iso_ignition", {"src": str(lab_iso), "ignition_content": IGN})["changed"]
    before = sha256(str(lab_iso))
    failed(run_module("iso_customize", {"src": str(lab_iso), "dest_device": "/dev/sda"}),
           "already customized; use force", str(lab_iso))
    assert sha256(str(lab_iso)) == before
    assert run_module("iso_customize", {"src": str(lab_iso), "dest_device": "/dev/sda", "force": True})["changed"]


def test_config_too_large(lab_iso):
    before = sha256(str(lab_iso))
    big = json.dumps({"ignition": {"version": "3.3.0"}, "storage": {"files": [
        {"path": "/big", "contents": {"source": "data:;base64," + base64.b64encode(os.urandom(300 * 1024)).decode()}}]}})
    failed(run_module("iso_ignition", {"src": str(lab_iso), "ignition_content": big}),
           "Compressed initramfs is too large", "> 262144")
    assert sha256(str(lab_iso)) == before


def test_missing_and_readonly_output_folder(lab_iso, tmp_path):
    before = sha256(str(lab_iso))
    failed(run_module("iso_customize", {"src": str(lab_iso), "dest": str(tmp_path / "nope" / "x.iso"),
                                        "dest_device": "/dev/sda"}), "output folder does not exist")
    # /proc refuses new regular files even for root: a read-only place for the output
    res = failed(run_module("iso_customize", {"src": str(lab_iso), "dest": "/proc/nestos-out.iso",
                                              "dest_device": "/dev/sda"}))
    assert "/proc" in res["msg"]
    assert sha256(str(lab_iso)) == before
