"""The initrd writer against the real xz and cpio programs."""
import lzma
import subprocess

from ansible_collections.nestos.lifecycle.plugins.module_utils.live.initrd import (
    Initrd, make_newc, read_initrd, xz_check_type)


def test_xz_is_crc32_and_identical_to_xz_cli():
    raw = make_newc({"config.ign": b'{"ignition":{"version":"3.3.0"}}'})
    ours = Initrd({"config.ign": b'{"ignition":{"version":"3.3.0"}}'}).to_bytes()
    cli = subprocess.run(["xz", "-9", "--check=crc32", "-c"], input=raw, stdout=subprocess.PIPE, check=True).stdout
    assert ours == cli
    assert xz_check_type(ours) == 1


def test_roundtrip_and_kernel_list_cpio(tmp_path):
    members = {"config.ign": b"{}", "etc/nestos-firstboot-network/eth0.nmconnection": b"[connection]\n"}
    blob = Initrd(members).to_bytes()
    assert read_initrd(blob) == members
    # the real cpio tool reads our archive too
    listing = subprocess.run(["cpio", "-t", "--quiet"], input=lzma.decompress(blob), stdout=subprocess.PIPE,
                             check=True).stdout.decode().split()
    assert listing == ["config.ign", "etc", "etc/nestos-firstboot-network",
                       "etc/nestos-firstboot-network/eth0.nmconnection"]
