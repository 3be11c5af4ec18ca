"""Domain XML rendering and parsing for NestOS machines."""
import re
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt import domainxml
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt.domainxml import Interface, MachineDef


def sample(**kw):
    args = dict(name="nestos-01", domain_type="qemu", arch="x86_64", memory_mib=1536, vcpus=3,
                disk="/var/lib/libvirt/images/nestos-01.qcow2", ignition_file="/var/lib/libvirt/images/nestos-01.ign",
                console_log="/var/log/libvirt/qemu/nestos-01-console.log",
                interfaces=[Interface("network", "default", "52:54:00:aa:bb:cc"),
                            Interface("bridge", "br0", "52:54:00:11:22:33", "e1000")],
                uuid="0b5b2f4e-6b2d-4f55-9d8f-0f0b5a1c2d3e",
                metadata={"managed-by": domainxml.MANAGED_BY, "ignition-sha256": "ab" * 32, "base": "/b.qcow2"})
    args.update(kw)
    return MachineDef(**args)


def test_render_has_fwcfg_sysinfo_and_the_managed_devices():
    root = ET.fromstring(domainxml.render(sample()))
    assert root.get("type") == "qemu"
    entry = root.find("sysinfo[@type='fwcfg']/entry")
    assert entry.get("name") == "opt/com.coreos/config"
    assert entry.get("file") == "/var/lib/libvirt/images/nestos-01.ign"
    assert root.find("memory").text == "1536" and root.find("memory").get("unit") == "MiB"
    assert root.findtext("vcpu") == "3"
    assert root.find("devices/disk/driver").get("type") == "qcow2"
    assert [m.get("address") for m in root.findall("devices/interface/mac")] == ["52:54:00:aa:bb:cc", "52:54:00:11:22:33"]
    assert root.find("devices/interface[@type='bridge']/source").get("bridge") == "br0"
    assert root.find("devices/serial[@type='file']/source").get("path").endswith("nestos-01-console.log")
    assert root.find("os").get("firmware") is None


def test_parse_reads_back_what_render_wrote():
    mdef = sample()
    back = domainxml.parse(domainxml.render(mdef))
    assert back.differences(mdef) == []
    assert back.uuid == mdef.uuid
    assert back.metadata == mdef.metadata
    assert back.owned()


def test_commandline_fallback_for_old_libvirt_round_trips():
    mdef = sample(fwcfg_style="commandline")
    text = domainxml.render(mdef)
    assert "<sysinfo" not in text
    root = ET.fromstring(text)
    args = [a.get("value") for a in root.findall("{%s}commandline/{%s}arg" % (domainxml.QEMU_NS, domainxml.QEMU_NS))]
    assert args == ["-fw_cfg", "name=opt/com.coreos/config,file=/var/lib/libvirt/images/nestos-01.ign"]
    back = domainxml.parse(text)
    assert back.ignition_file == mdef.ignition_file and back.fwcfg_style == "commandline"


def test_aarch64_is_uefi_on_virt():
    root = ET.fromstring(domainxml.render(sample(arch="aarch64")))
    assert root.find("os").get("firmware") == "efi"
    assert root.find("os/type").get("machine") == "virt"
    assert domainxml.parse(ET.tostring(root, encoding="unicode")).firmware == "efi"


def test_kvm_gets_host_passthrough_cpu_and_qemu_none():
    assert ET.fromstring(domainxml.render(sample(domain_type="kvm"))).find("cpu").get("mode") == "host-passthrough"
    assert ET.fromstring(domainxml.render(sample())).find("cpu") is None


def test_differences_name_the_changed_fields():
    a, b = sample(), sample(memory_mib=4096, vcpus=1)
    assert sorted(a.differences(b)) == ["memory_mib", "vcpus"]
    c = sample(interfaces=[Interface("network", "default", "52:54:00:aa:bb:cd")])
    assert a.differences(c) == ["interfaces"]


def test_parse_of_a_foreign_domain_is_not_owned():
    text = "<domain type='kvm'><name>other</name><memory unit='GiB'>2</memory><vcpu>1</vcpu>" \
           "<os><type arch='x86_64'>hvm</type></os><devices/></domain>"
    mdef = domainxml.parse(text)
    assert not mdef.owned()
    assert mdef.memory_mib == 2048 and mdef.vcpus == 1 and mdef.domain_type == "kvm"


def test_bad_xml_is_a_nestos_error():
    with pytest.raises(NestosError, match="does not parse"):
        domainxml.parse("<domain>")


@pytest.mark.parametrize("name", ["", "-x", "a b", "a/b", "x" * 64])
def test_render_refuses_bad_names(name):
    with pytest.raises(NestosError) as err:
        domainxml.render(sample(name=name))
    assert err.value.path == "name"


def test_derived_macs_are_stable_local_and_distinct():
    mac = domainxml.derive_mac("nestos-01", 0)
    assert mac == domainxml.derive_mac("nestos-01", 0)
    assert re.match(r"^52:54:00(:[0-9a-f]{2}){3}$", mac)
    others = {domainxml.derive_mac("nestos-01", 1), domainxml.derive_mac("nestos-02", 0)}
    assert mac not in others and len(others) == 2


def test_x86_clock_like_virt_install():
    clock = ET.fromstring(domainxml.render(sample())).find("clock")
    assert {t.get("name"): (t.get("tickpolicy"), t.get("present")) for t in clock.findall("timer")} == {
        "rtc": ("catchup", None), "pit": ("delay", None), "hpet": (None, "no")}
    assert ET.fromstring(domainxml.render(sample(arch="aarch64"))).find("clock") is None


def test_domain_without_type_is_a_clean_error():
    # found by tests/fuzz/test_fuzz_libvirt.py: a domain without type= parsed into a machine
    # that could not be rendered again (TypeError from ElementTree)
    with pytest.raises(NestosError) as err:
        domainxml.parse("<domain><name>m1</name></domain>")
    assert err.value.path == "domain/@type"
    with pytest.raises(NestosError):
        domainxml.parse('<network type="qemu"><name>m1</name></network>')
