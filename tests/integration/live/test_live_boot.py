"""Boot media customized by the live engine and modules in the lab (qemu TCG, real Ignition 2.14).

Each test changes the lab ISO or PXE initramfs with our code, boots it, and reads back what
the real kernel and Ignition did from the guest's report.
"""
import json
import lzma

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.live import api
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.initrd import make_newc
from tests.lab import harness, media
from tests.support.live_media import sha256
from tests.support.live_media import run_module

pytestmark = [pytest.mark.lab, pytest.mark.slow]
TIMEOUT = 180
PXE_KARGS = "ignition.firstboot ignition.platform.id=metal console=ttyS0,115200n8 loglevel=3"


def config_writing(path, text):
    return json.dumps({"ignition": {"version": "3.3.0"}, "storage": {"files": [
        {"path": path, "mode": 420, "contents": {"source": "data:," + text}}]}}, separators=(",", ":"))


@pytest.fixture(scope="module")
def lab():
    return media.paths()


def test_embedded_config_and_live_kargs_boot(lab, tmp_path):
    out = tmp_path / "embedded.iso"
    src_hash = sha256(lab["iso"])
    res = run_module("iso_ignition", {"src": lab["iso"], "dest": str(out),
                                      "ignition_content": config_writing("/etc/embedded-by-us", "yes")})
    assert res["changed"], res
    res = run_module("iso_kargs", {"src": str(out), "append_if_missing": ["nestos.lab.marker=live-kargs"]})
    assert res["changed"], res
    assert sha256(lab["iso"]) == src_hash
    report = harness.boot_iso(str(out), timeout=TIMEOUT)  # SeaBIOS + isolinux: kargs from the ISO's areas
    assert report.succeeded, report.ignition
    assert report.text("/etc/embedded-by-us") == "yes"
    assert "nestos.lab.marker=live-kargs" in report.cmdline.split()


def test_dest_device_and_dest_ignition_boot(lab, tmp_path):
    dest_cfg = config_writing("/etc/installed-marker", "dest")
    keyfile = tmp_path / "eth0.nmconnection"
    keyfile.write_text("[connection]\nid=eth0\ntype=ethernet\n")
    out = tmp_path / "install.iso"
    res = run_module("iso_customize", {"src": lab["iso"], "dest": str(out), "ignition_content": dest_cfg,
                                       "dest_device": "/dev/vda", "dest_console": ["ttyS0,115200n8"],
                                       "dest_karg_append": ["nestos.lab=1"], "network_keyfile": [str(keyfile)]})
    assert res["changed"], res
    report = harness.boot_iso(str(out), timeout=TIMEOUT)
    assert report.succeeded, report.ignition
    assert report.dest_ign is not None and json.loads(report.dest_ign) == json.loads(dest_cfg)
    assert report.file("/etc/nestos/dest.ign")["mode"] == 0o600
    assert report.installer_d == {"0000-customize.yaml": "ignition-file: /etc/nestos/dest.ign\nconsole:\n- ttyS0,115200n8\n"
                                  "append-karg:\n- nestos.lab=1\ncopy-network: true\ndest-device: /dev/vda\n"}
    assert report.firstboot_network.get("eth0.nmconnection") == keyfile.read_text()


def test_pxe_customize_boot(lab, tmp_path):
    out = tmp_path / "initramfs-custom.img"
    live = config_writing("/etc/pxe-live", "applied")
    res = run_module("pxe_customize", {"src": lab["initramfs"], "dest": str(out), "ignition_target": "live",
                                       "ignition_content": live, "dest_device": "/dev/vda"})
    assert res["changed"], res
    report = harness.boot_pxe(lab["kernel"], [str(out), lab["rootfs"]], PXE_KARGS, timeout=TIMEOUT)
    assert report.succeeded, report.ignition
    assert report.text("/etc/pxe-live") == "applied"
    assert "0000-customize.yaml" in report.installer_d


def test_pxe_wrapped_ignition_boot(lab, tmp_path):
    wrapped = tmp_path / "ignition.img"
    res = run_module("pxe_ignition", {"dest": str(wrapped), "ignition_content": config_writing("/etc/wrapped", "ok")})
    assert res["changed"], res
    report = harness.boot_pxe(lab["kernel"], [lab["initramfs"], str(wrapped)], PXE_KARGS, timeout=TIMEOUT)
    assert report.succeeded, report.ignition
    assert report.text("/etc/wrapped") == "ok"


def test_kernel_refuses_crc64_xz_negative_control(lab):
    """The same archive with xz's default CRC64 check: the kernel cannot unpack it, so Ignition
    sees no config. Shows that the boot tests above can fail."""
    cfg = config_writing("/etc/crc64", "never").encode()
    bad = lzma.compress(make_newc({"config.ign": cfg}), format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, preset=9)
    with pytest.raises(Exception, match="check type 4"):
        api.check_kernel_xz(bad)
    report = harness.boot_pxe(lab["kernel"], [lab["initramfs"], bad], PXE_KARGS, timeout=TIMEOUT)
    assert "Initramfs unpacking failed" in report.console
    assert report.initrd_config is None
    assert "/etc/crc64" not in report.files
