"""The lab's newc/xz writer checked with the real cpio and xz tools."""
import subprocess

import pytest

from tests.lab import newc


def test_newc_archive_unpacks_with_real_cpio(tmp_path):
    arc = newc.Archive()
    arc.add_dirs("etc/nestos")
    arc.add_file("etc/nestos/a.txt", "hello\n", 0o640)
    arc.add_symlink("etc/link", "nestos/a.txt")
    data = arc.to_bytes()
    assert len(data) % 4 == 0
    listing = subprocess.run(["cpio", "-it", "--quiet"], input=data, stdout=subprocess.PIPE, check=True).stdout.decode()
    assert listing.split() == ["etc", "etc/nestos", "etc/nestos/a.txt", "etc/link"]
    out = tmp_path / "x"
    out.mkdir()
    subprocess.run(["cpio", "-id", "--quiet", "--no-absolute-filenames"], input=data, cwd=str(out), check=True)
    assert (out / "etc/nestos/a.txt").read_text() == "hello\n"
    assert (out / "etc/nestos/a.txt").stat().st_mode & 0o777 == 0o640
    assert (out / "etc/link").is_symlink()
    with pytest.raises(ValueError):
        arc.add_file("../escape", "x")


def test_config_initrd_is_xz_with_crc32(tmp_path):
    blob = newc.config_initrd(b'{"ignition":{"version":"3.3.0"}}', {"etc/nestos-firstboot-network/a": b"k"})
    path = tmp_path / "c.img"
    path.write_bytes(blob)
    robot = subprocess.run(["xz", "--robot", "--list", str(path)], stdout=subprocess.PIPE, check=True).stdout.decode()
    assert "\tCRC32\t" in robot
    raw = subprocess.run(["xz", "-dc", str(path)], stdout=subprocess.PIPE, check=True).stdout
    listing = subprocess.run(["cpio", "-it", "--quiet"], input=raw, stdout=subprocess.PIPE, check=True).stdout.decode()
    assert listing.split() == ["config.ign", "etc", "etc/nestos-firstboot-network", "etc/nestos-firstboot-network/a"]
