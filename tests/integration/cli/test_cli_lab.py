"""tools/nestos-installer on the lab media: the image scripts over the lab (NestOS-layout) ISO,
PXE customize on the lab initramfs, and boots (qemu TCG, the real Ignition) of media made only
with the command line."""
import json

import pytest

from tests.lab import harness, media
from tests.support import cli

pytestmark = [pytest.mark.lab, pytest.mark.slow]
TIMEOUT = 240
PXE_KARGS = "ignition.firstboot ignition.platform.id=metal console=ttyS0,115200n8 loglevel=3"


@pytest.fixture(scope="module")
def lab():
    return media.paths()


def config_writing(path, text):
    return json.dumps({"ignition": {"version": "3.3.0"}, "storage": {"files": [
        {"path": path, "mode": 420, "contents": {"source": "data:," + text}}]}}, separators=(",", ":"))


@pytest.mark.parametrize("script", cli.SCRIPTS)
def test_image_script_on_the_lab_iso(lab, upstream, script):
    code, output = cli.run_script(script, lab["iso"], NI="nestos-installer", FLAVOUR="nestos",
                                  FIXTURES=upstream / "coreos-installer/fixtures", KARGS=1, NETWORK=1, CONSOLE=1,
                                  MINISO_ERROR="does not support extracting a minimal ISO")
    assert code == 0 and output.rstrip().endswith("Success."), output[-3000:]


def test_pxe_customize_stream_and_file_agree(lab, upstream, tmp_path):
    live = upstream / "coreos-installer/fixtures/customize/live.ign"
    args = ["pxe", "customize", "--live-ignition", live, "--dest-device", "/dev/vda"]
    streamed = cli.run(args + ["-o", "-", lab["initramfs"]])
    assert streamed.returncode == 0, streamed.stderr
    assert b"ignition.firstboot ignition.platform.id=metal" in streamed.stderr
    made = cli.run(args + ["-o", tmp_path / "custom.img", lab["initramfs"]])
    assert made.returncode == 0, made.stderr
    data = (tmp_path / "custom.img").read_bytes()
    assert data == streamed.stdout
    original = open(lab["initramfs"], "rb").read()
    assert data.startswith(original) and len(data) > len(original)  # the base is copied verbatim
    again = cli.run(["pxe", "customize", "--dest-device", "/dev/vdb", "-o", tmp_path / "twice.img",
                     tmp_path / "custom.img"])
    assert again.returncode == 1 and b"already customized" in again.stderr
    assert not (tmp_path / "twice.img").exists()
    exists = cli.run(args + ["-o", tmp_path / "custom.img", lab["initramfs"]])
    assert exists.returncode == 1 and b"File exists" in exists.stderr


def test_boot_iso_made_with_the_command_line(lab, tmp_path):
    cfg = tmp_path / "live.ign"
    cfg.write_text(config_writing("/etc/made-by-cli", "yes"))
    out = tmp_path / "cli.iso"
    proc = cli.run(["iso", "ignition", "embed", "-i", cfg, "-o", out, lab["iso"]])
    assert proc.returncode == 0, proc.stderr
    proc = cli.run(["iso", "kargs", "modify", "-a", "nestos.lab.marker=cli", out])
    assert proc.returncode == 0, proc.stderr
    report = harness.boot_iso(str(out), timeout=TIMEOUT)  # SeaBIOS + isolinux: the ISO's own kargs area
    assert report.succeeded, report.ignition
    assert report.text("/etc/made-by-cli") == "yes"
    assert "nestos.lab.marker=cli" in report.cmdline.split()


def test_boot_pxe_made_with_the_command_line(lab, tmp_path):
    cfg = tmp_path / "pxe.ign"
    cfg.write_text(config_writing("/etc/pxe-by-cli", "wrapped"))
    wrapped = tmp_path / "ignition.img"
    proc = cli.run(["pxe", "ignition", "wrap", "-i", cfg, "-o", wrapped])
    assert proc.returncode == 0, proc.stderr
    report = harness.boot_pxe(lab["kernel"], [lab["initramfs"], str(wrapped)], PXE_KARGS, timeout=TIMEOUT)
    assert report.succeeded, report.ignition
    assert report.text("/etc/pxe-by-cli") == "wrapped"
