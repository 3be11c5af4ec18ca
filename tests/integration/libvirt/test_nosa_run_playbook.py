"""`nosa run --qemu-image` (guide 6.6.2) through the nestos_build role's run entry point: the image boots with plain
qemu, the guest's Ignition reads its config from fw_cfg as the qemu platform, the workdir share is mounted by a
unit the config carries, and absent removes the machine and leaves the image alone."""
import json
import os
import re
import subprocess
import sys

import pytest

from tests.integration.libvirt.conftest import COLLROOT, sha256_of
from tests.lab import harness

pytestmark = [pytest.mark.libvirt, pytest.mark.lab, pytest.mark.slow]

HERE = os.path.dirname(os.path.abspath(__file__))


def play(tmp_path, extra):
    varsfile = tmp_path / ("vars-%d.json" % len(list(tmp_path.glob("vars-*.json"))))
    varsfile.write_text(json.dumps(extra))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLROOT), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
               ANSIBLE_NOCOLOR="1")
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", "-c", "local",
           "-e", "ansible_python_interpreter=%s" % sys.executable, "-e", "@%s" % varsfile,
           os.path.join(HERE, "files", "nosa_run.yml")]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1200, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "FAILED - RETRYING" not in proc.stdout
    return int(re.search(r"localhost\s+: ok=\d+\s+changed=(\d+)", proc.stdout).group(1)), proc.stdout


def test_nosa_run_qemu_image(tmp_path, lab_qcow2):
    workdir = tmp_path / "workdir"
    (workdir / "builds").mkdir(parents=True)
    runs = tmp_path / "run"
    base_sha = sha256_of(lab_qcow2)
    extra = {"nestos_build_workdir": str(workdir), "nestos_build_run_storage_dir": str(runs),
             "nestos_build_run_qemu_image": lab_qcow2, "nestos_build_run_name": "nestos-test-run",
             "nestos_build_run_memory": 256, "nestos_build_run_vcpus": 1, "nestos_build_run_domain_type": "qemu",
             "nestos_build_run_ssh_port": 22022, "nestos_build_run_wait_for_console": "NESTOS-LAB-REPORT-END"}
    runs.mkdir()
    changed, out = play(tmp_path, extra)
    assert changed >= 1, out
    assert "ssh -p 22022 nest@127.0.0.1" in out
    report = harness.read_serial_log(str(runs / "nestos-test-run-console.log"))
    assert report.succeeded, report.ignition["messages"]
    assert "ignition.platform.id=qemu" in report.cmdline.split()
    assert report.ignition["platform"] == "qemu"
    unit = report.units["var-mnt-workdir.mount"]
    assert unit["enabled"] is True and "Where=/var/mnt/workdir" in unit["contents"]
    state = json.loads((runs / "nestos-test-run.json").read_text())
    argv = " ".join(state["argv"])
    assert "-virtfs local,path=%s,mount_tag=workdir" % workdir in argv
    assert "hostfwd=tcp:127.0.0.1:22022-:22" in argv
    extra["nestos_build_run_state"] = "absent"
    play(tmp_path, extra)
    assert sorted(os.listdir(str(runs))) == ["nestos-test-run-console.log"]
    assert sha256_of(lab_qcow2) == base_sha
