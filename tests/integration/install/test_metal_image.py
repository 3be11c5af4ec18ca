"""metal_image end to end: the module (through ansible-playbook) writes the lab's NestOS metal
image onto a disk image, and booting that disk under qemu shows the real Ignition applying the
installed config and the first-boot and permanent kernel arguments on /proc/cmdline. Bad images
leave the target byte-for-byte as it was."""
import json
import os
import pathlib
import shutil
import subprocess

import pytest

from tests.lab import harness, metal
from tests.support import install

pytestmark = [pytest.mark.lab, pytest.mark.slow]

MOTD = "installed by metal_image\n"


def config(text=MOTD):
    return {"ignition": {"version": "3.3.0"},
            "storage": {"files": [{"path": "/etc/motd", "mode": 420,
                                   "contents": {"source": "data:," + text.replace("\n", "%0A").replace(" ", "%20")}}]}}


@pytest.fixture(scope="module")
def image():
    return metal.paths()


def test_install_check_idempotent_and_boot(image, tmp_path):
    disk = tmp_path / "node.raw"
    args = {"dest": str(disk), "image_file": image["xz"], "gpg_keyring": image["keyring"], "ignition": config(),
            "firstboot_args": "lab.firstboot=metal", "append_kargs": ["lab.permanent=metal"],
            "delete_kargs": ["loglevel=3"], "platform": "qemu", "size": 128 * 1024 * 1024}
    res, _out = install.run_task("metal_image", args, flags=["--check", "--diff"])
    assert res["changed"] and not res.get("failed"), res
    assert not disk.exists(), "check mode wrote the target"
    assert "firstboot args: lab.firstboot=metal" in res["diff"]["after"]

    res, _out = install.run_task("metal_image", args)
    assert res["changed"] and res["signature"] == "verified" and res["state_after"] == "installed", res
    assert disk.stat().st_size == 128 * 1024 * 1024
    assert disk.stat().st_blocks * 512 < disk.stat().st_size, "a file target is written sparse"
    assert [p["name"] for p in install.partitions(disk)] == ["BIOS-BOOT", "EFI-SYSTEM", "boot", "root"]
    assert oct(disk.stat().st_mode & 0o777) == "0o600"
    before = install.sha256(disk)

    res, _out = install.run_task("metal_image", args, flags=["--diff"])
    assert not res["changed"] and not res.get("failed"), res
    assert install.sha256(disk) == before

    report = harness.boot_installed(str(disk), timeout=300)
    assert report.succeeded, report.ignition["log"]
    assert report.ignition["user_config"] == "boot"
    assert report.text("/etc/motd") == MOTD
    words = report.cmdline.split()
    assert "ignition.firstboot" in words and "lab.firstboot=metal" in words
    assert "lab.permanent=metal" in words and "ignition.platform.id=qemu" in words
    assert "loglevel=3" not in words


def test_bad_images_leave_the_target_untouched(image, tmp_path):
    disk = tmp_path / "node.raw"
    res, _out = install.run_task("metal_image", {"dest": str(disk), "image_file": image["raw"], "insecure": True,
                                                 "ignition": config("first\n")})
    assert res["changed"], res
    before = install.sha256(disk)
    xz = pathlib.Path(image["xz"]).read_bytes()
    truncated = {}
    for key in ("xz", "gz", "zst", "raw"):
        data = pathlib.Path(image[key]).read_bytes()
        truncated[key] = tmp_path / ("short." + key)
        truncated[key].write_bytes(data[:len(data) * 2 // 3])
    wrong_sig = tmp_path / "wrong.sig"
    shutil.copy(image["gz"] + ".sig", wrong_sig)
    unsigned = tmp_path / "unsigned.raw.xz"
    shutil.copy(image["xz"], unsigned)
    cases = [
        ({"image_file": image["xz"], "image_sha256": "0" * 64, "insecure": True}, "sha256 mismatch"),
        ({"image_file": image["xz"], "image_signature": str(wrong_sig), "gpg_keyring": image["keyring"]},
         "bad signature"),
        ({"image_file": image["xz"]}, "a signature needs gpg_keyring"),
        ({"image_file": str(unsigned), "gpg_keyring": image["keyring"]}, "insecure is not set"),
    ] + [({"image_file": str(truncated[k]), "insecure": True}, "truncated") for k in truncated]
    for extra, message in cases:
        args = {"dest": str(disk), "ignition": config("second\n"), "force": True}
        args.update(extra)
        res, _out = install.run_task("metal_image", args)
        assert res.get("failed") and message in res["msg"], (extra, res)
        assert install.sha256(disk) == before, extra
        assert sorted(os.listdir(tmp_path)) == sorted(["node.raw", "wrong.sig", unsigned.name] + [p.name for p in truncated.values()]), \
            "a temp file was left behind"
    assert len(xz) > 0


def test_url_zstd_saved_partition_and_device_rule(image, tmp_path):
    disk = tmp_path / "node.raw"
    res, _out = install.run_task("metal_image", {"dest": str(disk), "image_file": image["raw"], "insecure": True,
                                                 "size": 96 * 1024 * 1024})
    assert res["changed"], res
    # a data partition after the image's partitions, with content
    subprocess.run(["sgdisk", "-n", "5:100000:+8M", "-c", "5:data", str(disk)], check=True,
                   stdout=subprocess.DEVNULL)
    data_part = [p for p in install.partitions(disk) if p.get("name") == "data"][0]
    with open(disk, "r+b") as handle:
        handle.seek(int(data_part["start"]) * 512 + 4096)
        handle.write(b"precious user data" * 100)
    data_sha = install.partition_sha256(disk, data_part)

    args = {"dest": str(disk), "image_url": None, "gpg_keyring": image["keyring"], "ignition": config("url\n"),
            "save_partlabel": ["da*"]}
    with install.http_folder(image["dir"]) as port:
        args["image_url"] = "http://127.0.0.1:%d/%s" % (port, os.path.basename(image["zst"]))
        res, _out = install.run_task("metal_image", args)
        assert res["changed"] and res["signature"] == "verified", res
        assert [p["label"] for p in res["saved_partitions"]] == ["data"]
        again, _out = install.run_task("metal_image", args)
        assert not again["changed"], again
        without_save = dict(args, save_partlabel=[])
        planned, _out = install.run_task("metal_image", without_save, flags=["--check"])
        assert planned["changed"] and any("would not be saved" in r for r in planned["reasons"]), planned
    parts = {p.get("name"): p for p in install.partitions(disk)}
    assert sorted(parts) == ["BIOS-BOOT", "EFI-SYSTEM", "boot", "data", "root"]
    assert install.partition_sha256(disk, parts["data"]) == data_sha
    report = harness.boot_installed(str(disk), timeout=300)
    assert report.succeeded and report.text("/etc/motd") == "url\n"

    # the destination rule: a symlink (or a device) is refused without write_through
    link = tmp_path / "link.raw"
    link.symlink_to(disk)
    res, _out = install.run_task("metal_image", {"dest": str(link), "image_file": image["raw"], "insecure": True})
    assert res.get("failed") and "symbolic link" in res["msg"], res
    assert json.dumps(res).count("precious") == 0
