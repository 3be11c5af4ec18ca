"""playbooks/deploy.yml (role libvirt_deploy) with ansible-playbook inside the lab namespace: machines deployed in
parallel, Ignition applied (asserted from each console report), hosts added with ansible_host, re-run unchanged."""
import json
import os
import re
import subprocess
import sys

import pytest

from tests.integration.libvirt.conftest import COLLROOT, NETNS, sha256_of
from tests.lab import harness

pytestmark = [pytest.mark.libvirt, pytest.mark.lab, pytest.mark.slow]

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT_END = "NESTOS-LAB-REPORT-END"


def play(tmp_path, extra, *args):
    varsfile = tmp_path / ("vars-%d.json" % len(list(tmp_path.glob("vars-*.json"))))
    varsfile.write_text(json.dumps(extra))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLROOT), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
               ANSIBLE_NOCOLOR="1", ANSIBLE_HOST_KEY_CHECKING="false")
    cmd = ["ip", "netns", "exec", NETNS, os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
           "-i", "localhost,", "-c", "local", "-e", "ansible_python_interpreter=%s" % sys.executable,
           "-e", "@%s" % varsfile, os.path.join(HERE, "files", "deploy_and_dump.yml")] + list(args)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    recap = re.search(r"localhost\s+: ok=(\d+)\s+changed=(\d+)", proc.stdout)
    return int(recap.group(2)), proc.stdout


def machines(names):
    return [
        {"name": names[0], "butane": "variant: nestos\nversion: 1.0.0\nstorage:\n  files:\n"
                                     "    - path: /etc/hostname\n      contents:\n        inline: %s\n" % names[0]},
        {"name": names[1], "ignition_content": json.dumps({
            "ignition": {"version": "3.3.0"},
            "storage": {"files": [{"path": "/etc/hostname", "contents": {"source": "data:," + names[1]}}]}})},
    ]


@pytest.fixture()
def two_names(conn):
    from tests.integration.libvirt.conftest import _purge
    names = ["nestos-test-deploy-a", "nestos-test-deploy-b"]
    for name in names:
        _purge(conn, name)
    yield names
    for name in names:
        _purge(conn, name)


def test_deploy_playbook_libvirt(tmp_path, two_names, lab_qcow2, storage_dir, conn):
    base_sha = sha256_of(lab_qcow2)
    dump = tmp_path / "hosts.json"
    extra = {"libvirt_deploy_image": lab_qcow2, "libvirt_deploy_storage_dir": storage_dir,
             "libvirt_deploy_memory": 256, "libvirt_deploy_vcpus": 1, "libvirt_deploy_wait_for_console": REPORT_END,
             "libvirt_deploy_wait_timeout": 300, "libvirt_deploy_machines": machines(two_names),
             "dump_path": str(dump)}
    changed, _out = play(tmp_path, extra, "--check")
    assert changed >= 1
    assert not [n for n in two_names if n in [d.name() for d in conn.listAllDomains()]]

    changed, out = play(tmp_path, extra)
    assert changed >= 1, out
    hosts = {h["inventory_hostname"]: h for h in json.loads(dump.read_text())}
    assert sorted(hosts) == sorted(two_names)
    for name in two_names:
        report = harness.read_serial_log(hosts[name]["nestos_vm_console_log"])
        assert report.succeeded, report.ignition["messages"]
        assert report.text("/etc/hostname").strip() == name
        dom = conn.lookupByName(name)
        assert dom.UUIDString() == hosts[name]["nestos_vm_uuid"]
        assert hosts[name]["nestos_vm_mac"] in dom.XMLDesc(0)
        assert hosts[name]["ansible_user"] == "nest"

    # The lab guests power themselves off after their report, so the idempotent re-run asks for `present`.
    extra["libvirt_deploy_state"] = "present"
    changed, out = play(tmp_path, extra)
    assert changed == 0, out
    again = {h["inventory_hostname"]: h for h in json.loads(dump.read_text())}
    assert [again[n]["nestos_vm_uuid"] for n in two_names] == [hosts[n]["nestos_vm_uuid"] for n in two_names]

    extra["libvirt_deploy_state"] = "absent"
    changed, out = play(tmp_path, extra)
    assert changed >= 1
    assert not [n for n in two_names if n in [d.name() for d in conn.listAllDomains()]]
    assert sha256_of(lab_qcow2) == base_sha


def test_deploy_playbook_plain_qemu(tmp_path, lab_qcow2):
    """The qemu backend: no libvirt involved; qemu daemonized with pid file, fw_cfg and serial log."""
    storage = tmp_path / "vms"
    storage.mkdir()
    dump = tmp_path / "hosts.json"
    name = "nestos-test-qemu-a"
    extra = {"libvirt_deploy_backend": "qemu", "libvirt_deploy_image": lab_qcow2,
             "libvirt_deploy_storage_dir": str(storage), "libvirt_deploy_memory": 256, "libvirt_deploy_vcpus": 1,
             "libvirt_deploy_domain_type": "qemu", "libvirt_deploy_wait_for_console": REPORT_END,
             "libvirt_deploy_machines": machines([name, "unused"])[:1], "dump_path": str(dump)}
    changed, out = play(tmp_path, extra)
    assert changed >= 1, out
    report = harness.read_serial_log(str(storage / ("%s-console.log" % name)))
    assert report.succeeded, report.ignition["messages"]
    assert report.text("/etc/hostname").strip() == name
    assert "ignition.platform.id=qemu" in report.cmdline
    state = json.loads((storage / ("%s.json" % name)).read_text())
    assert "name=opt/com.coreos/config,file=%s" % (storage / ("%s.ign" % name)) in state["argv"]
    extra["libvirt_deploy_state"] = "present"
    changed, out = play(tmp_path, extra)
    assert changed == 0, out
    extra["libvirt_deploy_state"] = "absent"
    play(tmp_path, extra)
    assert sorted(os.listdir(str(storage))) == ["%s-console.log" % name]
