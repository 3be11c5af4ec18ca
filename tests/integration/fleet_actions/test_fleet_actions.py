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
    f = Fleet("fleet-actions-%d" % os.getpid(), 2, reboot_delay=0.3)
    f.add_image(TAG)
    f.create()
    f.start(owner_pid=os.getpid())
    yield f
    f.remove()


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


def test_operations_pin_deploy_override_initramfs_apply_live(fleet):
    from tests.lab.fleet.lab import BASE_ORIGIN, BASE_VERSION
    newer = "22.03-LTS-SP4.20240728.0"
    fleet.add_commit(BASE_ORIGIN, newer)
    rpm = "/var/tmp/podman-4.9.5-1.oe2203sp4.x86_64.rpm"
    for h in fleet.hosts:
        (h.root / rpm.lstrip("/")).write_bytes(b"\xed\xab\xee\xdb lab rpm")
    start = {h.name: h.booted() for h in fleet.hosts}
    extra = {"deploy_version": newer, "replacement_rpm": rpm, "keep_version": BASE_VERSION}
    # check mode: the plan, nothing on the hosts changes
    r = play(fleet, "operations.yml", extra, args=["--check", "--diff"])
    assert r.returncode == 0, r.stdout[-3000:]
    assert ("+0 %s %s ((new)) [staged]" % (BASE_ORIGIN, newer)) in r.stdout     # the predicted deployment
    for h in fleet.hosts:
        assert h.booted() == start[h.name] and not any(
            c.startswith(("rpm-ostree deploy", "rpm-ostree override", "rpm-ostree initramfs", "ostree admin",
                          "rpm-ostree apply-live", "systemctl reboot")) for c in h.commands()), h.commands()
    r = play(fleet, "operations.yml", extra)
    assert r.returncode == 0, r.stdout[-4000:]
    for h in fleet.hosts:
        d = h.deployment()
        assert d["version"] == newer and d["origin"] == BASE_ORIGIN
        assert d["removals"] == "nano" and d["replacements"] == "podman-4.9.5-1.oe2203sp4.x86_64"
        assert d["initramfs"] == "true" and d["initramfs_args"] == "-I /etc/crypttab"
        order = h.read("order").split()
        assert start[h.name] in order                                 # pinned: survived two reboots
        assert h.deployment(start[h.name])["pinned"] == "true" and h.deployment(start[h.name])["version"] == BASE_VERSION
        staged = h.read("staged").strip()
        assert d["live"] == h.deployment(staged)["checksum"]          # applied live
        assert h.deployment(staged)["packages"] == "htop"
        status = json.loads(fleet.ssh(h, "rpm-ostree status --json").stdout)
        booted = [x for x in status["deployments"] if x["booted"]][0]
        assert booted["requested-base-removals"] == ["nano"]
        assert booted["base-removals"][0][:2] == ["nano-6.0-3.oe2203sp4.x86_64", "nano"]
        assert booted["base-local-replacements"][0][0][0] == "podman-4.9.5-1.oe2203sp4.x86_64"
        assert booted["regenerate-initramfs"] is True and booted["initramfs-args"] == ["-I", "/etc/crypttab"]
        assert booted["live-replaced"] == h.deployment(staged)["checksum"]
        assert [x["pinned"] for x in status["deployments"] if x["id"] == start[h.name]] == [True]
    r = play(fleet, "operations.yml", extra)
    assert r.returncode == 0 and all(v["changed"] == 0 for v in recap(r.stdout).values()), r.stdout[-3000:]
    # undo: overrides reset, initramfs off, unpinned
    undo = PLAYBOOKS / "operations_undo.yml"
    undo.write_text(
        "- hosts: all\n  gather_facts: false\n  become: true\n  tasks:\n"
        "    - nestos.lifecycle.rpm_ostree_override:\n        reset_all: true\n"
        "    - nestos.lifecycle.rpm_ostree_initramfs:\n        enabled: false\n"
        "    - nestos.lifecycle.ostree_pin:\n        deployment: \"%s\"\n        pinned: false\n"
        % fleet.hosts[0].deployment(start[fleet.hosts[0].name])["checksum"][:12])
    try:
        r = play(fleet, "operations_undo.yml")
        assert r.returncode == 0, r.stdout[-3000:]
        for h in fleet.hosts:
            new = h.deployment(h.read("order").split()[0])
            assert new["removals"] == "" and new["replacements"] == "" and new["initramfs"] == "false"
            assert h.deployment(start[h.name])["pinned"] == "false"
    finally:
        undo.unlink()
