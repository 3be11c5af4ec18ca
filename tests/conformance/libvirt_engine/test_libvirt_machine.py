"""The libvirt_vm engine against libvirt's real test driver (test:///default) and real qemu-img files."""
import json
import os
import pwd

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import sha256_file
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt import domainxml, machine, storage

IGN_A = json.dumps({"ignition": {"version": "3.3.0"},
                    "storage": {"files": [{"path": "/etc/a", "contents": {"source": "data:,a"}}]}}).encode()
IGN_B = json.dumps({"ignition": {"version": "3.3.0"},
                    "storage": {"files": [{"path": "/etc/b", "contents": {"source": "data:,b"}}]}}).encode()


def request(name, base, workdir, **kw):
    args = dict(name=name, image=base, storage_dir=str(workdir), console_log=str(workdir / ("%s.log" % name)),
                ignition_bytes=IGN_A, memory=256, vcpus=1, domain_type="test", stop_timeout=0)
    args.update(kw)
    return machine.Request(**args)


def test_create_then_second_run_changes_nothing(conn, base, workdir):
    first = machine.ensure(request("m-create", base, workdir), conn=conn)
    assert first["changed"] is True
    assert first["state"] == "running"
    overlay = workdir / "m-create.qcow2"
    ign = workdir / "m-create.ign"
    info = storage.image_info(str(overlay))
    assert info["format"] == "qcow2"
    assert info["backing-filename"] == base
    assert info["backing-filename-format"] == "qcow2"
    assert ign.read_bytes() == IGN_A
    st = os.stat(str(ign))
    assert st.st_mode & 0o777 == 0o600
    if os.geteuid() == 0:
        assert st.st_uid == pwd.getpwnam("libvirt-qemu").pw_uid
    assert first["diff"]["before"] == "" and "opt/com.coreos/config" in first["diff"]["after"]

    second = machine.ensure(request("m-create", base, workdir), conn=conn)
    assert second["changed"] is False and second["actions"] == []
    assert second["uuid"] == first["uuid"] and second["mac"] == first["mac"]
    assert "diff" not in second


def test_reformatted_ignition_is_not_a_change(conn, base, workdir):
    machine.ensure(request("m-fmt", base, workdir), conn=conn)
    pretty = json.dumps(json.loads(IGN_A), indent=4, sort_keys=True).encode()
    again = machine.ensure(request("m-fmt", base, workdir, ignition_bytes=pretty), conn=conn)
    assert again["changed"] is False
    assert not again.get("reprovision_required")


def test_check_mode_predicts_and_creates_nothing(conn, base, workdir):
    result = machine.ensure(request("m-check", base, workdir), check_mode=True, conn=conn)
    assert result["changed"] is True
    assert any(a.startswith("create overlay") for a in result["actions"])
    assert any(a.startswith("start domain") for a in result["actions"])
    assert result["uuid"] is None
    assert result["mac"] == domainxml.derive_mac("m-check", 0)
    assert not (workdir / "m-check.qcow2").exists() and not (workdir / "m-check.ign").exists()
    assert "m-check" not in [d.name() for d in conn.listAllDomains()]


def test_changed_memory_redefines_with_an_xml_diff(conn, base, workdir):
    machine.ensure(request("m-mem", base, workdir, state="present"), conn=conn)
    checked = machine.ensure(request("m-mem", base, workdir, state="present", memory=512), check_mode=True, conn=conn)
    assert checked["changed"] is True
    assert conn.lookupByName("m-mem").maxMemory() == 256 * 1024
    result = machine.ensure(request("m-mem", base, workdir, state="present", memory=512), conn=conn)
    assert result["changed"] is True
    assert '<memory unit="MiB">256</memory>' in result["diff"]["before"]
    assert '<memory unit="MiB">512</memory>' in result["diff"]["after"]
    assert conn.lookupByName("m-mem").maxMemory() == 512 * 1024
    assert machine.ensure(request("m-mem", base, workdir, state="present", memory=512), conn=conn)["changed"] is False


def test_changed_ignition_without_recreate_is_reported_not_applied(conn, base, workdir):
    first = machine.ensure(request("m-ign", base, workdir), conn=conn)
    result = machine.ensure(request("m-ign", base, workdir, ignition_bytes=IGN_B), conn=conn)
    assert result["changed"] is False
    assert result["reprovision_required"] is True
    assert any("recreate: true" in w for w in result["warnings"])
    assert (workdir / "m-ign.ign").read_bytes() == IGN_A
    assert result["uuid"] == first["uuid"]
    with pytest.raises(NestosError, match="re-provision") as err:
        machine.ensure(request("m-ign", base, workdir, ignition_bytes=IGN_B, on_config_change="fail"), conn=conn)
    assert err.value.path == "recreate"


def test_recreate_reprovisions_with_same_identity(conn, base, workdir):
    first = machine.ensure(request("m-re", base, workdir), conn=conn)
    (workdir / "m-re.qcow2").write_bytes(b"")  # mark the old overlay: re-provisioning must replace it
    result = machine.ensure(request("m-re", base, workdir, ignition_bytes=IGN_B, recreate=True), conn=conn)
    assert result["changed"] is True
    assert any(a.startswith("re-provision") for a in result["actions"])
    assert (workdir / "m-re.ign").read_bytes() == IGN_B
    assert storage.image_info(str(workdir / "m-re.qcow2"))["backing-filename"] == base
    assert (result["mac"], result["uuid"]) == (first["mac"], first["uuid"])
    assert domainxml.parse(result["xml"]).metadata["ignition-sha256"] == machine.config_digest(IGN_B)
    assert machine.ensure(request("m-re", base, workdir, ignition_bytes=IGN_B, recreate=True),
                          conn=conn)["changed"] is False


def test_stopped_running_restarted(conn, base, workdir):
    machine.ensure(request("m-pow", base, workdir), conn=conn)
    stopped = machine.ensure(request("m-pow", base, workdir, state="stopped"), conn=conn)
    assert stopped["changed"] is True and stopped["state"] == "shutoff"
    assert machine.ensure(request("m-pow", base, workdir, state="stopped"), conn=conn)["changed"] is False
    running = machine.ensure(request("m-pow", base, workdir, state="running"), conn=conn)
    assert running["changed"] is True and running["state"] == "running"
    restarted = machine.ensure(request("m-pow", base, workdir, state="restarted"), conn=conn)
    assert restarted["changed"] is True and restarted["state"] == "running"
    assert [a.split()[0] for a in restarted["actions"]] == ["destroy", "start"]


def test_absent_removes_overlay_and_ignition_never_the_base(conn, base, workdir):
    before = sha256_file(base)
    machine.ensure(request("m-gone", base, workdir), conn=conn)
    checked = machine.ensure(request("m-gone", base, workdir, state="absent"), check_mode=True, conn=conn)
    assert checked["changed"] is True and (workdir / "m-gone.qcow2").exists()
    result = machine.ensure(request("m-gone", base, workdir, state="absent"), conn=conn)
    assert result["changed"] is True and result["state"] == "absent"
    assert not (workdir / "m-gone.qcow2").exists() and not (workdir / "m-gone.ign").exists()
    assert os.path.exists(base) and sha256_file(base) == before
    assert "m-gone" not in [d.name() for d in conn.listAllDomains()]
    assert machine.ensure(request("m-gone", base, workdir, state="absent"), conn=conn)["changed"] is False


FOREIGN = """<domain type='test'><name>%s</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type></os><devices/></domain>"""


@pytest.mark.parametrize("state", ["present", "running", "stopped", "absent"])
def test_foreign_domain_is_left_alone(conn, base, workdir, state):
    name = "foreign-" + state
    conn.defineXML(FOREIGN % name)
    xml_before = conn.lookupByName(name).XMLDesc(0)
    with pytest.raises(NestosError, match="not created by nestos.lifecycle") as err:
        machine.ensure(request(name, base, workdir, state=state), conn=conn)
    assert err.value.path == "name"
    assert conn.lookupByName(name).XMLDesc(0) == xml_before
    assert not (workdir / ("%s.qcow2" % name)).exists()


def test_adopt_takes_over_a_foreign_domain(conn, base, workdir):
    conn.defineXML(FOREIGN % "adoptee")
    uuid = conn.lookupByName("adoptee").UUIDString()
    result = machine.ensure(request("adoptee", base, workdir, state="present", adopt=True), conn=conn)
    assert result["changed"] is True and result["uuid"] == uuid
    assert domainxml.parse(result["xml"]).owned()
    assert machine.ensure(request("adoptee", base, workdir, state="present"), conn=conn)["changed"] is False


def test_mac_given_then_kept_when_omitted(conn, base, workdir):
    nets = [{"network": "default", "mac": "52:54:00:12:34:56"}]
    machine.ensure(request("m-mac", base, workdir, state="present", networks=nets), conn=conn)
    result = machine.ensure(request("m-mac", base, workdir, state="present"), conn=conn)
    assert result["changed"] is False and result["mac"] == "52:54:00:12:34:56"


@pytest.mark.parametrize("networks,path", [
    ([{"network": "default", "bridge": "br0"}], "networks[0]"),
    ([{}], "networks[0]"),
    ([{"network": "default", "mac": "zz:54:00:12:34:56"}], "networks[0].mac"),
    ([{"network": "default", "colour": "red"}], "networks[0]"),
    ([{"network": "a", "mac": "52:54:00:00:00:01"}, {"network": "b", "mac": "52:54:00:00:00:01"}], "networks"),
])
def test_bad_networks_are_named(conn, base, workdir, networks, path):
    with pytest.raises(NestosError) as err:
        machine.ensure(request("m-badnet", base, workdir, networks=networks), conn=conn)
    assert err.value.path == path
    assert not (workdir / "m-badnet.qcow2").exists()


def test_creation_needs_ignition_and_a_base(conn, base, workdir):
    with pytest.raises(NestosError) as err:
        machine.ensure(request("m-noign", base, workdir, ignition_bytes=None), conn=conn)
    assert err.value.path == "ignition"
    with pytest.raises(NestosError) as err:
        machine.ensure(request("m-nobase", str(workdir / "missing.qcow2"), workdir), conn=conn)
    assert err.value.path == "image"
    with pytest.raises(NestosError, match="absolute"):
        machine.ensure(request("m-relbase", "base.qcow2", workdir), conn=conn)


def test_stale_overlay_is_not_overwritten_without_recreate(conn, base, workdir):
    stale = workdir / "m-stale.qcow2"
    stale.write_bytes(b"keep me")
    with pytest.raises(NestosError, match="already exists"):
        machine.ensure(request("m-stale", base, workdir), conn=conn)
    assert stale.read_bytes() == b"keep me"


def test_disk_size_grows_and_never_shrinks(conn, base, workdir):
    machine.ensure(request("m-disk", base, workdir, state="present", disk_size="128M"), conn=conn)
    overlay = str(workdir / "m-disk.qcow2")
    assert storage.image_info(overlay)["virtual-size"] == 128 << 20
    grown = machine.ensure(request("m-disk", base, workdir, state="present", disk_size="256M"), conn=conn)
    assert grown["changed"] is True and storage.image_info(overlay)["virtual-size"] == 256 << 20
    smaller = machine.ensure(request("m-disk", base, workdir, state="present", disk_size="200M"), conn=conn)
    assert smaller["changed"] is False and any("never shrunk" in w for w in smaller["warnings"])
    with pytest.raises(NestosError) as err:
        machine.ensure(request("m-disk2", base, workdir, disk_size="32M"), conn=conn)
    assert err.value.path == "disk_size"
    assert not (workdir / "m-disk2.qcow2").exists()


def test_define_failure_leaves_no_files(conn, base, workdir):
    with pytest.raises(NestosError, match="defining domain"):
        machine.ensure(request("m-fail", base, workdir, domain_type="no-such-type"), conn=conn)
    assert not (workdir / "m-fail.qcow2").exists() and not (workdir / "m-fail.ign").exists()


def test_wait_for_address_times_out_naming_the_mac(conn, base, workdir):
    # The test driver has no DHCP leases; an unknown network gives no ARP entry either.
    nets = [{"network": "nowhere", "mac": "52:54:00:de:ad:01"}]
    with pytest.raises(NestosError, match="52:54:00:de:ad:01") as err:
        machine.ensure(request("m-wait", base, workdir, networks=nets, wait_for="address", wait_timeout=1),
                       conn=conn)
    assert err.value.path == "wait_timeout"


def test_console_pattern_wait(conn, base, workdir):
    log = workdir / "m-console.log"
    log.write_text("boot...\nIgnition finished successfully\n")
    result = machine.ensure(request("m-console", base, workdir, console_log=str(log),
                                    wait_for_console="Ignition finished", wait_timeout=5), conn=conn)
    assert result["console_matched"] is True
    with pytest.raises(NestosError, match="did not show") as err:
        machine.ensure(request("m-console", base, workdir, console_log=str(log), state="restarted",
                               wait_for_console="login:", wait_timeout=1), conn=conn)
    assert err.value.path == "wait_for_console"


@pytest.mark.parametrize("kw,path", [
    (dict(name="bad name"), "name"), (dict(vcpus=0), "vcpus"), (dict(memory=16), "memory"),
    (dict(arch="mips"), "arch"), (dict(storage_dir="rel"), "storage_dir"),
    (dict(arch="aarch64", firmware="bios"), "firmware"), (dict(wait_for_console="("), "wait_for_console"),
])
def test_parameter_errors_name_the_field(conn, base, workdir, kw, path):
    name = kw.get("name", "m-param")
    extra = dict((key, value) for key, value in kw.items() if key != "name")
    with pytest.raises(NestosError) as err:
        machine.ensure(request(name, base, workdir, **extra), conn=conn)
    assert err.value.path == path


def test_console_wait_stops_at_a_kernel_panic(conn, base, workdir):
    log = workdir / "m-panic.log"
    log.write_text("[    0.05] ---[ end Kernel panic - not syncing: IO-APIC + timer doesn't work!  Boot with apic=debug\n")
    with pytest.raises(NestosError, match="panicked: Kernel panic - not syncing: IO-APIC") as err:
        machine.ensure(request("m-panic", base, workdir, console_log=str(log), wait_for_console="login:",
                               wait_timeout=60), conn=conn)
    assert err.value.path == "wait_for_console"


def test_adopted_domain_keeps_its_disk_and_absent_keeps_it(conn, base, workdir):
    theirs = workdir / "their-disk.qcow2"
    theirs.write_bytes(b"their data")
    conn.defineXML("""<domain type='test'><name>adopt-disk</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type></os><devices><disk type='file' device='disk'><source file='%s'/>
<target dev='vda' bus='virtio'/></disk></devices></domain>""" % theirs)
    result = machine.ensure(request("adopt-disk", base, workdir, state="present", adopt=True), conn=conn)
    assert result["overlay"] == str(theirs)
    assert domainxml.parse(result["xml"]).disk == str(theirs)
    assert domainxml.parse(result["xml"]).metadata["adopted"] == "yes"
    gone = machine.ensure(request("adopt-disk", base, workdir, state="absent"), conn=conn)
    assert gone["changed"] is True
    assert theirs.read_bytes() == b"their data"
    assert any("belonged to the domain before it was adopted" in w for w in gone["warnings"])
    assert not (workdir / "adopt-disk.ign").exists()


def test_changed_storage_dir_keeps_the_machine_files(conn, base, workdir, tmp_path):
    first = machine.ensure(request("m-move", base, workdir, state="present"), conn=conn)
    other = tmp_path / "elsewhere"
    other.mkdir()
    again = machine.ensure(request("m-move", base, other, state="present", console_log=first["console_log"]),
                           conn=conn)
    assert again["changed"] is False
    assert again["overlay"] == first["overlay"] and again["ignition_file"] == first["ignition_file"]
    assert any("re-create the machine to move" in w for w in again["warnings"])


def test_running_guest_that_stopped_on_its_own_is_an_error_when_waiting(conn, base, workdir, monkeypatch):
    """state=running + wait_for=address on a guest that is already shut off again: say so, with
    the console tail, instead of returning a result without an address."""
    name = "m-stopped"
    console = workdir / ("%s.log" % name)
    console.write_text("booting\nreport done\nreboot: Power down\n")
    machine.ensure(request(name, base, workdir, state="running"), conn=conn)
    conn.lookupByName(name).destroy()  # the guest powers itself off
    original = machine.LibvirtBackend.start

    def start_and_power_off(self, mdef):
        original(self, mdef)
        self.dom.destroy()

    monkeypatch.setattr(machine.LibvirtBackend, "start", start_and_power_off)
    with pytest.raises(NestosError) as err:
        machine.ensure(request(name, base, workdir, state="running", wait_for="address"), conn=conn)
    assert "stopped on its own" in str(err.value)
    assert "Power down" in str(err.value)
    assert err.value.path == "wait_for"


def test_iso_machine_without_image_gets_an_empty_disk_and_no_fw_cfg(conn, workdir):
    iso = workdir / "live.iso"
    iso.write_bytes(b"\0" * 4096)
    req = machine.Request(name="m-iso", cdrom=str(iso), storage_dir=str(workdir), disk_size="1G",
                          console_log=str(workdir / "m-iso.log"), memory=256, vcpus=1, domain_type="test",
                          stop_timeout=0)
    result = machine.ensure(req, conn=conn)
    assert result["changed"] is True
    assert any(a.startswith("create empty disk") for a in result["actions"])
    info = storage.image_info(str(workdir / "m-iso.qcow2"))
    assert int(info["virtual-size"]) == 1 << 30 and "backing-filename" not in info
    assert not (workdir / "m-iso.ign").exists()
    parsed = domainxml.parse(result["xml"])
    assert parsed.cdrom == str(iso) and parsed.ignition_file is None
    again = machine.ensure(machine.Request(name="m-iso", cdrom=str(iso), storage_dir=str(workdir), disk_size="1G",
                                           console_log=str(workdir / "m-iso.log"), memory=256, vcpus=1,
                                           domain_type="test", stop_timeout=0), conn=conn)
    assert again["changed"] is False, again["actions"]


def test_missing_iso_is_a_clear_error(conn, workdir):
    with pytest.raises(NestosError) as err:
        machine.ensure(machine.Request(name="m-noiso", cdrom=str(workdir / "nope.iso"), storage_dir=str(workdir),
                                       domain_type="test"), conn=conn)
    assert err.value.path == "cdrom"
    assert os.listdir(str(workdir)) == []


def test_overlay_destination_that_is_a_symlink_is_refused(conn, base, workdir):
    target = workdir / "elsewhere.qcow2"
    target.write_bytes(b"keep me")
    (workdir / "m-link.qcow2").symlink_to(target)
    with pytest.raises(NestosError, match="symbolic link"):
        machine.ensure(request("m-link", base, workdir, recreate=True), conn=conn)
    assert target.read_bytes() == b"keep me"
