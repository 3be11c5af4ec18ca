"""Host probes (domain type, KVM boot probe), sizes, ARP parsing and the TCP port check (the probe
under a real qemu: tests/conformance/libvirt/test_libvirt_probe.py)."""
import socket

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt import address, host, storage


@pytest.mark.parametrize("value,expected", [
    (20, 20 << 30), ("20", 20 << 30), ("20G", 20 << 30), ("20GiB", 20 << 30), ("512M", 512 << 20),
    ("1.5G", 3 << 29), ("1T", 1 << 40), (None, None), ("", None),
])
def test_parse_size(value, expected):
    assert storage.parse_size(value) == expected


@pytest.mark.parametrize("value", ["big", "-1G", "0", 0, True, "12Q"])
def test_parse_size_errors_name_the_field(value):
    with pytest.raises(NestosError) as err:
        storage.parse_size(value)
    assert err.value.path == "disk_size"


def test_probe_image_is_a_boot_sector():
    image = host.probe_boot_sector()
    assert len(image) == 512 and image[-2:] == b"\x55\xaa"


def test_probe_fails_without_an_emulator(tmp_path):
    assert host.boot_probe(str(tmp_path / "no-qemu")) is False


def test_choose_domain_type(monkeypatch):
    monkeypatch.setattr(host, "host_arch", lambda: "x86_64")
    monkeypatch.setattr(host, "kvm_device_usable", lambda: True)
    monkeypatch.setattr(host, "host_is_virtual", lambda: False)

    def ok(emulator):
        return True

    def bad(emulator):
        return False

    assert host.choose_domain_type("qemu", "x86_64", ["qemu", "kvm"], probe=ok)[0] == "qemu"
    assert host.choose_domain_type("kvm", "x86_64", ["qemu"], probe=bad)[0] == "kvm"
    assert host.choose_domain_type("auto", "x86_64", ["qemu", "kvm"], probe=ok)[0] == "kvm"
    assert host.choose_domain_type("auto", "x86_64", ["qemu", "kvm"], probe=bad)[0] == "qemu"
    assert host.choose_domain_type("auto", "x86_64", ["qemu"], probe=ok)[0] == "qemu"
    assert host.choose_domain_type("auto", "aarch64", ["qemu", "kvm"], probe=ok)[0] == "qemu"
    monkeypatch.setattr(host, "host_is_virtual", lambda: True)
    kind, reason = host.choose_domain_type("auto", "x86_64", ["qemu", "kvm"], probe=ok)
    assert kind == "qemu" and "virtual machine" in reason
    monkeypatch.setattr(host, "host_is_virtual", lambda: False)
    monkeypatch.setattr(host, "kvm_device_usable", lambda: False)
    assert host.choose_domain_type("auto", "x86_64", ["qemu", "kvm"], probe=ok)[0] == "qemu"


def test_arp_table_parsing(tmp_path):
    table = tmp_path / "arp"
    table.write_text(
        "IP address       HW type     Flags       HW address            Mask     Device\n"
        "192.168.122.50   0x1         0x2         52:54:00:aa:bb:cc     *        virbr0\n"
        "192.168.122.51   0x1         0x0         52:54:00:aa:bb:dd     *        virbr0\n"
        "10.0.0.9         0x1         0x2         52:54:00:00:00:01     *        br0\n")
    found = address.arp_addresses(["52:54:00:AA:BB:CC", "52:54:00:aa:bb:dd"], path=str(table))
    assert found == [("52:54:00:aa:bb:cc", "192.168.122.50")]  # incomplete entries (flags 0x0) are skipped
    assert address.arp_addresses(["52:54:00:00:00:02"], path=str(tmp_path / "missing")) == []


def test_port_open_against_a_real_listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    try:
        assert address.port_open("127.0.0.1", port) is True
    finally:
        server.close()
    assert address.port_open("127.0.0.1", port, timeout=0.5) is False
