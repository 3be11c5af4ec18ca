"""The host actions end to end on the fleet lab (real sshd + real sudo in a Python-free root;
rpm-ostree/systemctl/reboot doubles from tests/lab/doubles that print what the real tools print)."""
import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

from tests.lab.fleet.lab import Fleet, image_ref

pytestmark = pytest.mark.fleet

TOP = pathlib.Path(__file__).resolve().parents[3]
PLAYBOOKS = pathlib.Path(__file__).resolve().parent / "playbooks"
TAG = "22.03-LTS-SP4.20241001.0-x86_64"
MUTATING = re.compile(r"^rpm-ostree (rebase|upgrade|rollback|install|uninstall|kargs .*--|cleanup)|^systemctl "
                      r"(start|stop|restart|enable|disable|reboot)")


def _env():
    env = dict(os.environ)
    env.update({"ANSIBLE_COLLECTIONS_PATH": str(TOP / ".build" / "collections"),
                "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false", "ANSIBLE_HOST_KEY_CHECKING": "false",
                "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "false",
                "ANSIBLE_LOCAL_TEMP": str(TOP / ".build" / "ansible-tmp")})
    return env


def play(fleet, name, extra=None, args=()):
    cmd = [str(pathlib.Path(sys.executable).with_name("ansible-playbook")), "-i", str(fleet.inventory), "-f", "5",
           str(PLAYBOOKS / name), "-e", json.dumps(extra or {})] + list(args)
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env(), check=False,
                          timeout=600, cwd=str(TOP))


def recap(out):
    rows = {}
    for line in out.split("PLAY RECAP")[-1].splitlines():
        if " : " in line:
            host, rest = line.split(" : ", 1)
            rows[host.strip()] = {k: int(v) for k, v in (kv.split("=") for kv in rest.split())}
    return rows


@pytest.fixture
def fleet():
    f = Fleet("fleet-actions", 2, reboot_delay=0.3)
    f.add_image(TAG)
    f.create()
    f.start()
    yield f
    f.stop()


def test_converge_check_then_apply_then_idempotent_then_rollback(fleet):
    target = image_ref(TAG)
    base = {h.name: h.deployment() for h in fleet.hosts}
    base_boot = {h.name: h.boot_id() for h in fleet.hosts}
    logged = {h.name: len(h.commands()) for h in fleet.hosts}

    # --check --diff: the plan is shown, nothing on the hosts changes
    r = play(fleet, "converge.yml", {"target_image": target}, ["--check", "--diff"])
    assert "ostree-unverified-registry:registry.nestos.lab/nestos/nestos:%s - ((new))" % TAG in r.stdout \
        or "(new)" in r.stdout, r.stdout
    for h in fleet.hosts:
        new = h.commands()[logged[h.name]:]
        assert new and not [c for c in new if MUTATING.search(c)], new
        assert h.boot_id() == base_boot[h.name]
        assert h.deployment() == base[h.name]

    # apply
    r = play(fleet, "converge.yml", {"target_image": target})
    rows = recap(r.stdout)
    assert all(v["failed"] == 0 and v["unreachable"] == 0 and v["changed"] >= 6 for v in rows.values()), r.stdout
    for h in fleet.hosts:
        assert h.boot_id() != base_boot[h.name]
        assert h.unit("docker.service")[1] == "active"

    # second run changes nothing
    r = play(fleet, "converge.yml", {"target_image": target})
    rows = recap(r.stdout)
    assert rows and all(v["changed"] == 0 and v["failed"] == 0 for v in rows.values()), r.stdout

    # the base commit is two deployments back now: a rollback cannot reach it, and says so
    r = play(fleet, "rollback.yml", {"rollback_to": base[fleet.hosts[0].name]["checksum"]})
    assert "rollback would make" in r.stdout and all(v["failed"] == 1 for v in recap(r.stdout).values()), r.stdout

    # roll back to the rollback deployment with `to`: once changes, twice does not
    status = json.loads(fleet.ssh(fleet.hosts[0], "rpm-ostree status --json").stdout)
    booted_i = [i for i, d in enumerate(status["deployments"]) if d["booted"]][0]
    to = status["deployments"][booted_i + 1]["checksum"]
    r = play(fleet, "rollback.yml", {"rollback_to": to})
    rows = recap(r.stdout)
    assert all(v["failed"] == 0 and v["changed"] == 2 for v in rows.values()), r.stdout
    assert all(h.deployment()["checksum"] == to for h in fleet.hosts)
    r = play(fleet, "rollback.yml", {"rollback_to": to})
    assert all(v["changed"] == 0 and v["failed"] == 0 for v in recap(r.stdout).values()), r.stdout


def test_missing_image_is_quoted(fleet):
    r = play(fleet, "errors.yml")
    kinds = re.findall(r"KIND=(\w+) MSG=([^\"]*)", r.stdout)
    assert len(kinds) == 2, r.stdout
    for kind, msg in kinds:
        assert kind == "not_found", r.stdout
        assert "rpm-ostree rebase" in msg and "no-such-tag" in msg
