"""The ISO install path: the lab live ISO booted with nestos.inst.install_dev=/dev/vdb (plus
nestos.inst.image_url and nestos.inst.ignition_url, as a PXE/ISO user passes them) runs the
installer like nestos-installer-service does, onto a second disk; booting that disk shows the
real Ignition applying the config it got. A second run takes the destination config from an
ISO customized with an embedded dest.ign + installer.d config (iso_customize's layout)."""
import json
import os
import pathlib
import urllib.parse

import pytest

from tests.lab import harness, media, metal
from tests.support import install

pytestmark = [pytest.mark.lab, pytest.mark.slow]


def _config(text):
    return json.dumps({"ignition": {"version": "3.3.0"}, "storage": {"files": [
        {"path": "/etc/motd", "mode": 420, "contents": {"source": "data:," + urllib.parse.quote(text)}}]}})


def _drives(work):
    spare = pathlib.Path(work) / "vda.raw"
    target = pathlib.Path(work) / "vdb.raw"
    for path, size in ((spare, 1), (target, 96)):
        with open(path, "wb") as handle:
            handle.truncate(size * 1024 * 1024)
    args = []
    for path in (spare, target):
        args += ["-drive", "file=%s,if=virtio,format=raw" % path]
    return target, args


def test_live_iso_installs_with_install_dev_then_disk_boots(tmp_path):
    image = metal.paths()
    iso = media.paths()["iso"]
    serve = tmp_path / "www"
    serve.mkdir()
    os.link(image["xz"], serve / "metal.raw.xz") if os.stat(image["xz"]).st_dev == os.stat(serve).st_dev \
        else serve.joinpath("metal.raw.xz").write_bytes(pathlib.Path(image["xz"]).read_bytes())
    (serve / "dest.ign").write_text(_config("installed from the live ISO\n"))
    target, drives = _drives(tmp_path)
    with install.http_folder(serve) as port:
        base = "http://10.0.2.2:%d" % port
        append = ("nestos.inst.install_dev=/dev/vdb nestos.inst.image_url=%s/metal.raw.xz "
                  "nestos.inst.ignition_url=%s/dest.ign nestos.inst.insecure" % (base, base))
        live = harness.boot_iso(iso, append=append, timeout=600, extra_qemu=drives, network=True)
    assert live.installer is not None, live.console[-3000:]
    assert live.installer["rc"] == 0, live.installer["log"]
    assert "--ignition-url %s/dest.ign --insecure-ignition" % base in live.installer["log"]
    assert "Install complete." in live.installer["log"]

    report = harness.boot_installed(str(target), timeout=300)
    assert report.succeeded, report.ignition["log"]
    assert report.ignition["user_config"] == "boot"
    assert report.text("/etc/motd") == "installed from the live ISO\n"
    assert "ignition.firstboot" in report.cmdline.split()


def test_customized_iso_with_dest_ignition_installs(tmp_path):
    image = metal.paths()
    iso = media.paths()["iso"]
    serve = tmp_path / "www"
    serve.mkdir()
    serve.joinpath("metal.raw.xz").write_bytes(pathlib.Path(image["xz"]).read_bytes())
    target, drives = _drives(tmp_path)
    with install.http_folder(serve) as port:
        # what iso_customize --dest-ignition --dest-device writes into the live config
        yaml = "dest-device: /dev/vdb\nignition-file: /etc/nestos/dest.ign\nimage-url: http://10.0.2.2:%d/metal.raw.xz\n" \
               "insecure: true\nappend-karg:\n  - lab.dest=customized\n" % port
        live_config = json.dumps({"ignition": {"version": "3.3.0"}, "storage": {"files": [
            {"path": "/etc/nestos/dest.ign", "mode": 384,
             "contents": {"source": "data:," + urllib.parse.quote(_config("from dest.ign\n"))}},
            {"path": "/etc/nestos/installer.d/0000-customize.yaml", "mode": 384,
             "contents": {"source": "data:," + urllib.parse.quote(yaml)}}]}}).encode()
        custom = harness.copy_iso_with_config(iso, str(tmp_path / "custom.iso"), config=live_config)
        live = harness.boot_iso(custom, append="", timeout=600, extra_qemu=drives, network=True)
    assert live.installer is not None and live.installer["rc"] == 0, live.installer or live.console[-3000:]
    report = harness.boot_installed(str(target), timeout=300)
    assert report.succeeded and report.text("/etc/motd") == "from dest.ign\n"
    assert "lab.dest=customized" in report.cmdline.split()
