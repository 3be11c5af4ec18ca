"""The fleet lab itself: real sshd + real sudo in a Python-free root, doubles that print what
the real rpm-ostree prints, reboots that drop the connection and change the boot id, faults."""
import json
import subprocess
import time

import pytest

from tests.lab.fleet.lab import REGISTRY, image_ref
from tests.integration.fleet.conftest import ansible_env, ANSIBLE_PLAYBOOK

pytestmark = pytest.mark.fleet

TAG = "22.03-LTS-SP4.20240901.0-x86_64"


def _ssh_ok(fleet, host, cmd):
    r = fleet.ssh(host, cmd)
    assert r.returncode == 0, (cmd, r.stdout, r.stderr)
    return r.stdout


def test_setup_fails_without_python(make_fleet):
    fleet = make_fleet("lab-nopy", 1)
    adhoc = str(ANSIBLE_PLAYBOOK).replace("ansible-playbook", "ansible")
    r = subprocess.run([adhoc, "-i", str(fleet.inventory), "all", "-m", "ansible.builtin.setup"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ansible_env(), timeout=120, check=False)
    assert r.returncode != 0
    assert "nestos-01 | FAILED" in r.stdout, r.stdout
    # nothing that looks like an interpreter anywhere in the host's root
    out = _ssh_ok(fleet, fleet.hosts[0], "find / -xdev \\( -name 'python*' -o -name 'perl*' \\) 2>/dev/null | head")
    assert out.strip() == ""
    # while raw commands and become (the real sudo, setuid) work
    r = subprocess.run([adhoc, "-i", str(fleet.inventory), "all", "-b", "-m", "ansible.builtin.raw", "-a", "id -u"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ansible_env(), timeout=120, check=False)
    assert r.returncode == 0, r.stdout
    assert "\n0" in r.stdout
    assert _ssh_ok(fleet, fleet.hosts[0], "stat -c %a:%U /usr/bin/sudo").strip() == "4755:root"


def _types(value):
    return {bool: "bool", int: "int", str: "str", list: "list", dict: "dict", type(None): "null"}[type(value)]


def _real_shapes(upstream):
    files = list((upstream / "zincati/tests/fixtures").glob("rpm-ostree-*.json"))
    files.append(upstream / "rpm-ostree/rust/rpmostree-client/tests/fixtures/workstation-status.json")
    keys, top = {}, {}
    for f in files:
        doc = json.loads(f.read_text())
        for k, v in doc.items():
            top.setdefault(k, set()).add(_types(v))
        for dep in doc["deployments"]:
            for k, v in dep.items():
                keys.setdefault(k, set()).add(_types(v))
    return top, keys


def test_status_json_follows_real_fixtures(make_fleet, upstream):
    fleet = make_fleet("lab-shape", 1, images=[TAG])
    h = fleet.hosts[0]
    _ssh_ok(fleet, h, "sudo rpm-ostree rebase --bypass-driver " + image_ref(TAG))
    _ssh_ok(fleet, h, "sudo rpm-ostree install htop")
    doc = json.loads(_ssh_ok(fleet, h, "rpm-ostree status --json"))
    top, keys = _real_shapes(upstream)
    assert set(doc) == set(top)
    for k, v in doc.items():
        assert _types(v) in top[k], k
    kinds = set()
    for dep in doc["deployments"]:
        for k, v in dep.items():
            assert k in keys, "the double prints %r, which no real status document has" % k
            assert _types(v) in keys[k], (k, v)
        kinds.add("container-image-reference" in dep)
        assert dep["id"] == "%s-%s.%d" % (dep["osname"], dep["checksum"], dep["serial"])
    assert kinds == {True, False}
    staged = doc["deployments"][0]
    assert staged["staged"] is True and staged["booted"] is False
    assert staged["container-image-reference"] == "ostree-unverified-registry:%s:%s" % (REGISTRY, TAG)
    assert staged["container-image-reference-digest"] == staged["base-commit-meta"]["ostree.manifest-digest"]
    assert staged["packages"] == ["htop"] and staged["base-checksum"] != staged["checksum"]
    booted = json.loads(_ssh_ok(fleet, h, "rpm-ostree status --json --booted"))["deployments"]
    assert len(booted) == 1 and booted[0]["booted"] is True and booted[0]["origin"].startswith("openEuler:")
    assert doc["update-driver"] == {"driver-name": "Zincati", "driver-sd-unit": "zincati.service"}
    r = fleet.ssh(h, "rpm-ostree status --pending-exit-77 >/dev/null")
    assert r.returncode == 77


def test_reboot_drops_connection_and_boots_staged(make_fleet):
    fleet = make_fleet("lab-reboot", 1, images=[TAG])
    h = fleet.hosts[0]
    _ssh_ok(fleet, h, "sudo systemctl stop zincati.service && sudo rpm-ostree rebase " + image_ref(TAG))
    staged = json.loads(_ssh_ok(fleet, h, "rpm-ostree status --json"))["deployments"][0]["id"]
    before = _ssh_ok(fleet, h, "cat /proc/sys/kernel/random/boot_id").strip()
    assert before == h.boot_id()
    # like nestos_reboot: fire and forget, the command itself returns
    _ssh_ok(fleet, h, "sudo nohup sh -c 'sleep 0.3; systemctl reboot' >/dev/null 2>&1 &")
    t0 = time.time()
    while h.is_up() and time.time() - t0 < 10:
        time.sleep(0.05)
    assert not h.is_up(), "sshd did not go away"
    fleet.wait_all_up(20)
    after = _ssh_ok(fleet, h, "cat /proc/sys/kernel/random/boot_id").strip()
    assert after != before
    doc = json.loads(_ssh_ok(fleet, h, "rpm-ostree status --json"))
    assert [d["booted"] for d in doc["deployments"]] == [True, False]
    assert doc["deployments"][0]["id"] == staged and doc["deployments"][0]["staged"] is False
    # zincati was stopped by hand but is enabled: a boot starts it again
    assert _ssh_ok(fleet, h, "systemctl is-active zincati.service").strip() == "active"
    # non-root cannot reboot, as with logind's polkit check
    r = fleet.ssh(h, "systemctl reboot")
    assert r.returncode == 1 and "Access denied" in r.stderr


def test_rollback_semantics(make_fleet):
    fleet = make_fleet("lab-rollback", 1, images=[TAG])
    h = fleet.hosts[0]
    r = fleet.ssh(h, "sudo rpm-ostree rollback")
    assert r.returncode == 1 and "error: No rollback deployment found" in r.stderr
    _ssh_ok(fleet, h, "sudo rpm-ostree rebase --bypass-driver " + image_ref(TAG))
    r = fleet.ssh(h, "sudo rpm-ostree rollback")
    assert r.returncode == 1 and "Staged deployment (remove with cleanup -p)" in r.stderr
    _ssh_ok(fleet, h, "sudo rpm-ostree cleanup -p")
    doc = json.loads(_ssh_ok(fleet, h, "rpm-ostree status --json"))
    assert len(doc["deployments"]) == 1


def test_injected_faults(make_fleet):
    fleet = make_fleet("lab-faults", 2, images=[TAG])
    h, h2 = fleet.hosts
    h.set_fault("busy", "upgrade")
    r = fleet.ssh(h, "sudo rpm-ostree rebase --bypass-driver " + image_ref(TAG))
    assert r.returncode == 1
    assert r.stderr.startswith("error: Transaction in progress: upgrade\n You can cancel the current transaction with `rpm-ostree cancel`")
    assert json.loads(_ssh_ok(fleet, h, "rpm-ostree status --json"))["transaction"][0] == "upgrade"
    _ssh_ok(fleet, h, "sudo rpm-ostree cancel")
    assert json.loads(_ssh_ok(fleet, h, "rpm-ostree status --json"))["transaction"] is None
    r = fleet.ssh(h, "sudo rpm-ostree rebase --bypass-driver " + image_ref("missing-tag"))
    assert r.returncode == 1 and "manifest unknown" in r.stderr
    r = fleet.ssh(h, "sudo rpm-ostree rebase --bypass-driver ostree-image-signed:docker://%s:%s" % (REGISTRY, TAG))
    assert r.returncode == 1 and "A signature was required, but no signature exists" in r.stderr
    h.set_fault("rebase-fail")
    r = fleet.ssh(h, "sudo rpm-ostree rebase --bypass-driver " + image_ref(TAG))
    assert r.returncode == 1 and r.stderr.startswith("error: Importing")
    assert len(json.loads(_ssh_ok(fleet, h, "rpm-ostree status --json"))["deployments"]) == 1
    # an older rpm-ostree (NestOS 22.09: 2022.8) wants --experimental for container refs
    h2._write("var/lib/nestos-lab/version", "2022.8\n")
    r = fleet.ssh(h2, "sudo rpm-ostree rebase --bypass-driver " + image_ref(TAG))
    assert r.returncode == 1 and "requires --experimental" in r.stderr
    _ssh_ok(fleet, h2, "sudo rpm-ostree rebase --experimental --bypass-driver " + image_ref(TAG))
    # health check failing after the reboot into the new image, and a reboot that never returns
    h2.set_fault("degraded-image", TAG)
    h2.set_fault("reboot-hang")
    assert _ssh_ok(fleet, h2, "systemctl is-system-running").strip() == "running"
    _ssh_ok(fleet, h2, "sudo systemctl reboot")
    time.sleep(2.0)
    assert not h2.is_up()
    fleet.revive(h2)
    r = fleet.ssh(h2, "systemctl is-system-running")
    assert r.returncode == 1 and r.stdout.strip() == "degraded"


def test_layering_and_kargs_follow_rpm_ostree(make_fleet):
    fleet = make_fleet("lab-pkg", 1)
    h = fleet.hosts[0]
    r = fleet.ssh(h, "rpm-ostree install htop")
    assert r.returncode == 1 and "Authorization" in r.stderr
    _ssh_ok(fleet, h, "sudo rpm-ostree install htop tmux")
    r = fleet.ssh(h, "sudo rpm-ostree install htop")
    assert r.returncode == 1 and "Package/capability 'htop' is already requested" in r.stderr
    _ssh_ok(fleet, h, "sudo rpm-ostree install --idempotent htop")
    r = fleet.ssh(h, "sudo rpm-ostree install no-such-pkg")
    assert r.returncode == 1 and "Packages not found: no-such-pkg" in r.stderr
    _ssh_ok(fleet, h, "sudo rpm-ostree uninstall tmux")
    dep = json.loads(_ssh_ok(fleet, h, "rpm-ostree status --json"))["deployments"][0]
    assert dep["requested-packages"] == ["htop"] and dep["staged"] is True
    _ssh_ok(fleet, h, "sudo rpm-ostree kargs --append=nosmt --append-if-missing=console=ttyS0,115200n8")
    kargs = _ssh_ok(fleet, h, "rpm-ostree kargs").split()
    assert kargs.count("nosmt") == 1 and kargs.count("console=ttyS0,115200n8") == 1
    r = fleet.ssh(h, "sudo rpm-ostree kargs --delete-if-present=nope --unchanged-exit-77")
    assert r.returncode == 77
    r = fleet.ssh(h, "sudo rpm-ostree kargs --delete=nope")
    assert r.returncode == 1 and "No karg 'nope' found" in r.stderr
    _ssh_ok(fleet, h, "sudo rpm-ostree kargs --replace=console=ttyS0,115200n8=ttyS1")
    assert "console=ttyS1" in _ssh_ok(fleet, h, "rpm-ostree kargs").split()


def test_systemctl_enable_disable_exit_like_systemd(make_fleet):
    """Real systemctl exits 0 for enable/disable with or without --now; the double must too,
    or host_service (which trusts the exit code) fails on lab hosts where NestOS would not."""
    fleet = make_fleet("lab-systemctl", 1)
    h = fleet.hosts[0]
    _ssh_ok(fleet, h, "sudo systemctl disable zincati.service")
    assert fleet.ssh(h, "systemctl is-enabled zincati.service").stdout.strip() == "disabled"
    assert _ssh_ok(fleet, h, "systemctl is-active zincati.service").strip() == "active"
    _ssh_ok(fleet, h, "sudo systemctl enable zincati.service")
    assert _ssh_ok(fleet, h, "systemctl is-enabled zincati.service").strip() == "enabled"
    _ssh_ok(fleet, h, "sudo systemctl disable --now zincati.service")
    assert fleet.ssh(h, "systemctl is-active zincati.service").stdout.strip() == "inactive"
    _ssh_ok(fleet, h, "sudo systemctl enable --now zincati.service")
    assert _ssh_ok(fleet, h, "systemctl is-active zincati.service").strip() == "active"
