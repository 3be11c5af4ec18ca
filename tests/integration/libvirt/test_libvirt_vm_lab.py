"""libvirt_vm against the real libvirtd and the lab QCOW2: the real Ignition applies the fw_cfg config.

Each boot is asserted from the guest's own report on its serial console (tests/lab/harness.py)."""
import base64
import hashlib
import ipaddress
import json
import os

import pytest

from tests.integration.libvirt.conftest import NETNS, sha256_of, warnings_of
from tests.lab import harness

pytestmark = [pytest.mark.libvirt, pytest.mark.lab, pytest.mark.slow]

REPORT_END = "NESTOS-LAB-REPORT-END"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDn3Z3n3Z3n3Z3n3Z3n3Z3n3Z3n3Z3n3Z3n3Z3n3Z3n3 lab@test"

BUTANE_V1 = """variant: nestos
version: 1.0.0
passwd:
  users:
    - name: nest
      ssh_authorized_keys:
        - %s
storage:
  files:
    - path: /etc/nestos-lab/generation
      mode: 0640
      contents:
        inline: "one\\n"
""" % KEY

BUTANE_V2 = BUTANE_V1.replace('inline: "one\\n"', 'inline: "two\\n"')


def common(name, base, storage_dir, **kw):
    args = dict(name=name, image=base, storage_dir=storage_dir, memory=256, vcpus=1,
                wait_for_console=REPORT_END, wait_timeout=180, stop_timeout=5)
    args.update(kw)
    return args


def wait_report(result):
    assert result.get("failed") is not True, result.get("msg")
    report = harness.read_serial_log(result["console_log"])
    return report


def test_provision_idempotence_reprovision_and_removal(run_module, machine_name, lab_qcow2, storage_dir, conn):
    base_sha = sha256_of(lab_qcow2)

    # check mode predicts and creates nothing
    checked = run_module(check=True, diff=True, state="running", butane=BUTANE_V1,
                         **common(machine_name, lab_qcow2, storage_dir))
    assert checked["changed"] is True and checked["uuid"] is None
    assert "opt/com.coreos/config" in checked["diff"]["after"]
    assert KEY not in json.dumps(checked)  # the config's SSH key is in neither the result nor the diff
    assert machine_name not in [d.name() for d in conn.listAllDomains()]
    assert not os.path.exists(os.path.join(storage_dir, machine_name + ".qcow2"))

    first = run_module(state="running", butane=BUTANE_V1, **common(machine_name, lab_qcow2, storage_dir))
    assert first.get("failed") is not True, first.get("msg")
    assert first["changed"] is True and first["domain_type"] == "qemu"
    report = wait_report(first)
    assert report.succeeded, report.ignition["messages"]
    assert "ignition.platform.id=qemu" in report.cmdline
    assert report.ignition["platform"] == "qemu" and first["platform"] == "qemu"
    assert KEY not in json.dumps(first)
    assert report.text("/etc/nestos-lab/generation") == "one\n"
    assert report.file("/etc/nestos-lab/generation")["mode"] == 0o640
    assert report.file("/etc/nestos-lab/generation")["sha256"] == hashlib.sha256(b"one\n").hexdigest()
    assert report.users["nest"]["ssh_authorized_keys"] == [KEY]
    ign = os.path.join(storage_dir, machine_name + ".ign")
    assert os.stat(ign).st_mode & 0o777 == 0o600
    assert json.loads(open(ign, "rb").read())["ignition"]["version"] == "3.3.0"

    # a second run (the lab guest powers itself off after its report) changes nothing
    second = run_module(state="present", butane=BUTANE_V1, diff=True, **common(machine_name, lab_qcow2, storage_dir))
    assert second["changed"] is False and "diff" not in second
    assert (second["uuid"], second["mac"]) == (first["uuid"], first["mac"])
    stopped = run_module(state="stopped", **common(machine_name, lab_qcow2, storage_dir))
    assert stopped["changed"] is False and stopped["state"] == "shutoff"

    # a changed config without recreate: reported, nothing changed
    warned = run_module(state="present", butane=BUTANE_V2, **common(machine_name, lab_qcow2, storage_dir))
    assert warned["changed"] is False and warned["reprovision_required"] is True
    assert any("recreate: true" in w for w in warnings_of(warned))
    assert "re-provision" in warned["msg"]
    assert warned["state"] == "shutoff"
    failed = run_module(state="running", butane=BUTANE_V2, on_config_change="fail",
                        **common(machine_name, lab_qcow2, storage_dir))
    assert failed["failed"] is True and "recreate" in failed["msg"]

    # with recreate: re-provisioned, Ignition applies the new config on the new first boot
    again = run_module(state="running", butane=BUTANE_V2, recreate=True, **common(machine_name, lab_qcow2, storage_dir))
    assert again["changed"] is True and (again["uuid"], again["mac"]) == (first["uuid"], first["mac"])
    report = wait_report(again)
    assert report.succeeded and report.text("/etc/nestos-lab/generation") == "two\n"

    # restarted boots it again; absent removes it all but the base
    restarted = run_module(state="restarted", **common(machine_name, lab_qcow2, storage_dir))
    assert restarted["changed"] is True
    assert wait_report(restarted).succeeded
    gone = run_module(state="absent", name=machine_name, storage_dir=storage_dir)
    assert gone["changed"] is True and gone["state"] == "absent"
    assert machine_name not in [d.name() for d in conn.listAllDomains()]
    assert not os.path.exists(os.path.join(storage_dir, machine_name + ".qcow2"))
    assert not os.path.exists(ign)
    assert sha256_of(lab_qcow2) == base_sha
    assert run_module(state="absent", name=machine_name, storage_dir=storage_dir)["changed"] is False


def test_guest_address_from_the_namespace_dhcp(run_module, machine_name, lab_qcow2, storage_dir, conn, netns_http,
                                               tmp_path):
    # The fw_cfg config merges a second config served over HTTP from the libvirt network's gateway, so
    # Ignition asks for the network and the guest brings its NIC up with DHCP from the network's dnsmasq
    # (inside the namespace); libvirt_vm waits for that lease.
    served = tmp_path / "www"
    served.mkdir()
    payload = b"fetched over the libvirt network\n"
    extra = {"ignition": {"version": "3.3.0"},
             "storage": {"files": [{"path": "/etc/nestos-lab/fetched", "mode": 420,
                                    "contents": {"source": "data:;base64," + base64.b64encode(payload).decode()}}]}}
    (served / "extra.ign").write_text(json.dumps(extra))
    url = netns_http(served, 18080)
    config = {"ignition": {"version": "3.3.0", "config": {"merge": [{"source": url + "/extra.ign"}]}}}
    result = run_module(state="running", ignition_content=json.dumps(config), wait_for="address",
                        **common(machine_name, lab_qcow2, storage_dir))
    assert result.get("failed") is not True, result.get("msg")
    assert result.get("ip_source") == "lease", result
    assert ipaddress.ip_address(result["ip"]) in ipaddress.ip_network("192.168.122.0/24")
    leases = conn.networkLookupByName("default").DHCPLeases(result["mac"])
    assert result["ip"] in [lease["ipaddr"] for lease in leases]
    report = wait_report(result)
    assert report.succeeded, report.ignition["messages"]
    assert report.file("/etc/nestos-lab/fetched")["sha256"] == hashlib.sha256(payload).hexdigest()


FOREIGN = """<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type></os><devices/></domain>"""


def test_a_domain_not_ours_is_left_alone(run_module, machine_name, lab_qcow2, storage_dir, conn):
    conn.defineXML(FOREIGN % machine_name)
    before = conn.lookupByName(machine_name).XMLDesc(0)
    for state in ("running", "absent"):
        result = run_module(state=state, ignition_content='{"ignition":{"version":"3.3.0"}}',
                            **common(machine_name, lab_qcow2, storage_dir))
        assert result["failed"] is True and "not created by nestos.lifecycle" in result["msg"]
    assert conn.lookupByName(machine_name).XMLDesc(0) == before
    assert not conn.lookupByName(machine_name).isActive()


def test_bad_ignition_is_refused_before_anything_is_made(run_module, machine_name, lab_qcow2, storage_dir, conn):
    result = run_module(state="running", ignition_content='{"ignition": {"version": "3.3.0"}, "storage": {"files": '
                        '[{"path": "relative/path"}]}}', **common(machine_name, lab_qcow2, storage_dir))
    assert result["failed"] is True
    assert "Traceback" not in result["msg"]
    assert machine_name not in [d.name() for d in conn.listAllDomains()]
    assert not os.path.exists(os.path.join(storage_dir, machine_name + ".qcow2"))


def test_namespace_is_the_module_network(run_module):
    # the runner really executes inside the lab namespace: its routes know the libvirt bridge
    assert os.path.exists("/run/netns/%s" % NETNS)
