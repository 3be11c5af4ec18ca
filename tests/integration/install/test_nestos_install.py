"""nestos_install end to end: the action runs over real ssh + sudo against a fleet-lab host (a
Python-free root standing in for a live-booted machine) whose nestos-installer is the double
from tests/lab/doubles; the installed disk then boots under qemu and the real Ignition applies
the config. The test only adds files to the host's root (installer double, mtools, the image,
the target disk file); tests/lab/fleet is not changed."""
import os
import pathlib
import shutil
import subprocess

import pytest

from tests.lab import harness, media, metal
from tests.lab.fleet.lab import Fleet
from tests.support import install

pytestmark = [pytest.mark.lab, pytest.mark.fleet, pytest.mark.slow]

DOUBLE = pathlib.Path(__file__).resolve().parents[2] / "lab" / "doubles" / "nestos-installer"
MTOOLS_APPLETS = ("mcopy", "mtype", "mmd", "mdir", "mdel")
DISK = "var/lib/nestos-lab/disk.img"
MOTD = "installed by nestos_install over ssh\n"


def _add_live_tools(root, image):
    """What a NestOS live system has that the fleet root lacks: the installer (here the double,
    with mtools to edit the lab's FAT boot partition), the image and a target disk."""
    shutil.copy2(DOUBLE, root / "usr/bin/nestos-installer")
    os.chmod(root / "usr/bin/nestos-installer", 0o755)
    shutil.copy2("/usr/bin/mtools", root / "usr/bin/mtools")
    for applet in MTOOLS_APPLETS:
        target = root / "usr/bin" / applet
        if not target.exists():
            os.symlink("mtools", target)
    gconv = root / media.GCONV_DIR.lstrip("/")
    gconv.mkdir(parents=True, exist_ok=True)
    shutil.copy2(media.GCONV_CP850, gconv)
    (gconv / "gconv-modules").write_text(media.GCONV_MODULES)
    shutil.copy2(image["xz"], root / "var/tmp/metal.raw.xz")
    with open(root / DISK, "wb") as handle:
        handle.truncate(96 * 1024 * 1024)


@pytest.fixture
def live_host():
    image = metal.paths()
    fleet = Fleet("install", 1, reboot_delay=0.3)
    fleet.create()
    host = fleet.hosts[0]
    _add_live_tools(host.root, image)
    fleet.start(owner_pid=os.getpid())
    yield fleet, host
    fleet.stop()


def test_install_over_ssh_then_boot(live_host, tmp_path):
    fleet, host = live_host
    ign = tmp_path / "node.ign"
    ign.write_text('{"ignition":{"version":"3.3.0"},"storage":{"files":[{"path":"/etc/motd","mode":420,'
                   '"contents":{"source":"data:,%s"}}]}}' % MOTD.replace(" ", "%20").replace("\n", "%0A"))
    args = {"dest_device": "/" + DISK, "image_file": "/var/tmp/metal.raw.xz", "insecure": True,
            "ignition_src": str(ign), "firstboot_args": "lab.firstboot=ssh", "append_kargs": ["lab.permanent=ssh"],
            "platform": "qemu", "console": ["ttyS0,115200n8"]}
    disk = host.root / DISK
    empty = install.sha256(disk)

    res, out = install.run_task("nestos_install", args, hosts="nestos", inventory=fleet.inventory, become=True,
                                flags=["--check", "--diff"])
    assert res["changed"] and not res.get("failed"), out
    assert install.sha256(disk) == empty, "check mode touched the disk"
    assert not [c for c in res["host_commands"] if "nestos-installer" in c and "install" in c.split()], res

    res, out = install.run_task("nestos_install", args, hosts="nestos", inventory=fleet.inventory, become=True)
    assert res["changed"] and not res.get("failed"), out
    assert "--insecure" in res["cmd"] and res["steps"][-1] == "Install complete.", res
    assert "Writing Ignition config" in res["steps"] and res["state_after"] == "installed"
    installed = install.sha256(disk)

    res, out = install.run_task("nestos_install", args, hosts="nestos", inventory=fleet.inventory, become=True)
    assert not res["changed"] and not res.get("failed"), out
    assert install.sha256(disk) == installed

    # the uploaded config is gone from the host; it was written 0600 while it existed
    assert not list((host.root / "tmp").glob(".nestos-install-*"))

    report = harness.boot_installed(str(disk), timeout=300)
    assert report.succeeded, report.ignition["log"]
    assert report.text("/etc/motd") == MOTD
    words = report.cmdline.split()
    assert {"ignition.firstboot", "lab.firstboot=ssh", "lab.permanent=ssh", "ignition.platform.id=qemu"} <= set(words)

    # a booted machine (stamp gone) is never reinstalled without force
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    offset = int([p for p in install.partitions(disk) if p["name"] == "boot"][0]["start"]) * 512
    subprocess.run(["mdel", "-i", "%s@@%d" % (disk, offset), "::/ignition.firstboot"], check=True, env=env)
    booted = install.sha256(disk)
    res, out = install.run_task("nestos_install", dict(args, firstboot_args="other"), hosts="nestos",
                                inventory=fleet.inventory, become=True)
    assert not res["changed"] and res["state_before"] == "booted", out
    assert install.sha256(disk) == booted


def test_wrong_image_sha256_leaves_the_disk_untouched(live_host):
    fleet, host = live_host
    disk = host.root / DISK
    before = install.sha256(disk)
    res, out = install.run_task("nestos_install", {"dest_device": "/" + DISK, "image_file": "/var/tmp/metal.raw.xz",
                                                   "image_sha256": "0" * 64, "insecure": True},
                                hosts="nestos", inventory=fleet.inventory, become=True)
    assert res.get("failed") and "sha256 mismatch" in res["msg"], out
    assert install.sha256(disk) == before
    res, out = install.run_task("nestos_install", {"dest_device": "/" + DISK, "image_file": "/var/tmp/metal.raw.xz"},
                                hosts="nestos", inventory=fleet.inventory, become=True)
    assert res.get("failed") and "--insecure not specified and signature not found" in res["msg"], out
    assert install.sha256(disk) == before
