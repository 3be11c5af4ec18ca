"""One machine model, two renderers: what the libvirt domain XML and the qemu command line say for the same
MachineDef, the XML read back, and the disk-option table both renderers loop over."""
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import libvirt as face
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt import domainxml, model, qemuargv
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt.model import Interface, MachineDef


def machine(**kw):
    args = dict(name="m1", domain_type="qemu", arch="x86_64", memory_mib=512, vcpus=1, disk="/s/m1.qcow2",
                ignition_file="/s/m1.ign", console_log="/s/m1.log",
                interfaces=[Interface("user", None, "52:54:00:aa:bb:cc", "virtio-net-pci", 2222)])
    args.update(kw)
    return MachineDef(**args)


def test_defaults_render_the_same_disk_in_both():
    mdef = machine()
    xml = ET.fromstring(domainxml.render(mdef))
    assert xml.find("devices/disk/driver").get("discard") == "unmap"
    argv = qemuargv.render(mdef, "/s/m1.pid")
    assert argv[argv.index("-drive") + 1] == "if=virtio,format=qcow2,file=/s/m1.qcow2,discard=unmap"


def test_every_disk_option_reaches_both_renderers_and_the_argspec():
    """A new disk option is one row of model.DISK_OPTIONS: this fails when a renderer or the face misses it."""
    for name, attr, key, _default in model.DISK_OPTIONS:
        value = model.DISK_OPTION_CHOICES[name][-1]
        mdef = machine(disk_options={name: value})
        driver = ET.fromstring(domainxml.render(mdef)).find("devices/disk/driver")
        assert driver.get(attr) == value
        argv = qemuargv.render(mdef, "/s/m1.pid")
        assert ",%s=%s" % (key, value) in argv[argv.index("-drive") + 1]
        assert face.ARGSPEC["disk_options"]["options"][name]["choices"] == list(model.DISK_OPTION_CHOICES[name])
        assert domainxml.parse(domainxml.render(mdef)).disk_options == mdef.disk_options


def test_cdrom_and_shares_in_both_and_read_back():
    mdef = machine(cdrom="/iso/live.iso", shares=[("/srv/build", "workdir")])
    text = domainxml.render(mdef)
    root = ET.fromstring(text)
    assert [b.get("dev") for b in root.findall("os/boot")] == ["cdrom", "hd"]
    cd = [d for d in root.findall("devices/disk") if d.get("device") == "cdrom"][0]
    assert cd.find("source").get("file") == "/iso/live.iso" and cd.find("readonly") is not None
    fs = root.find("devices/filesystem")
    assert (fs.find("source").get("dir"), fs.find("target").get("dir")) == ("/srv/build", "workdir")
    back = domainxml.parse(text)
    assert back.cdrom == "/iso/live.iso" and back.shares == [("/srv/build", "workdir")]
    assert back.disk == "/s/m1.qcow2"
    argv = " ".join(qemuargv.render(mdef, "/s/m1.pid"))
    assert "file=/iso/live.iso,media=cdrom,readonly=on" in argv and "-boot order=dc" in argv
    assert "-virtfs local,path=/srv/build,mount_tag=workdir,security_model=passthrough" in argv


def test_round_trip_has_no_differences():
    mdef = machine(interfaces=[Interface("network", "default", "52:54:00:01:02:03", "virtio")],
                   disk_options={"cache": "none"}, cdrom="/iso/x.iso", shares=[("/a", "t")])
    assert mdef.differences(domainxml.parse(domainxml.render(mdef))) == []


def test_no_ignition_no_fw_cfg():
    argv = qemuargv.render(machine(ignition_file=None), "/s/m1.pid")
    assert "-fw_cfg" not in argv
    assert "sysinfo" not in domainxml.render(machine(ignition_file=None))


@pytest.mark.parametrize("shares,path", [
    ([{"source": "relative", "tag": "t"}], "shares[0].source"),
    ([{"source": "/a", "tag": "bad tag"}], "shares[0].tag"),
    ([{"source": "/a", "tag": "t"}, {"source": "/b", "tag": "t"}], "shares"),
    (["x"], "shares[0]"),
])
def test_bad_shares_name_the_field(shares, path):
    with pytest.raises(NestosError) as err:
        model.check_shares(shares)
    assert err.value.path == path


def test_bad_disk_option_names_the_field():
    with pytest.raises(NestosError) as err:
        model.check_disk_options({"cache": "fast"})
    assert err.value.path == "disk_options.cache"
    with pytest.raises(NestosError) as err:
        model.check_disk_options({"speed": "x"})
    assert err.value.path == "disk_options"
