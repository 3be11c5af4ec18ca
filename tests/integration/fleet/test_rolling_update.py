"""The rolling playbooks and roles on the fleet lab (real ansible-playbook, real sshd + sudo,
E1's action plugins, the rpm-ostree/systemctl/reboot doubles)."""
import json
import re
import time
import tomllib

import pytest

from tests.lab.fleet.lab import BASE_ORIGIN, BASE_VERSION, REGISTRY, TOP
from tests.integration.fleet.conftest import recap, run_playbook
from tests.support import chromium

pytestmark = pytest.mark.fleet

OLD = BASE_ORIGIN
TAG = "22.03-LTS-SP4.20240901.0-x86_64"
NEW = "ostree-unverified-registry:%s:%s" % (REGISTRY, TAG)
PB = TOP / "playbooks"
FAST = {"os_update_reboot_delay": 1, "os_update_health_delay": 1, "os_update_health_retries": 3,
        "os_update_busy_timeout": 20}
REBASE = dict(FAST, os_update_image="%s:%s" % (REGISTRY, TAG), os_update_signature="unverified",
              os_update_allow_unverified=True)
MUTATING = ("rpm-ostree rebase", "rpm-ostree upgrade", "rpm-ostree rollback", "rpm-ostree install",
            "rpm-ostree uninstall", "rpm-ostree kargs --", "rpm-ostree cleanup", "systemctl stop",
            "systemctl start", "systemctl restart", "systemctl reboot")


def booted(host):
    d = host.deployment()
    return d["ref"] or d["origin"]


def deployments(host):
    return host.read("order").split()


def staged(host):
    p = host.state / "staged"
    return p.read_text().strip() if p.exists() else ""


def mutations(host):
    return [c for c in host.commands()
            if c.startswith(MUTATING) and "--download-only" not in c]


def test_rebase_20_hosts_stops_at_max_fail_rolls_back_and_reruns_clean(make_fleet):
    fleet = make_fleet("roll20", 20, images=[TAG])
    h = {x.name: x for x in fleet.hosts}
    h["nestos-03"].set_fault("rebase-fail")            # rpm-ostree rebase fails on the host
    h["nestos-04"].set_fault("degraded-image", TAG)     # health check fails after the reboot
    h["nestos-12"].set_fault("busy", "upgrade")         # a transaction in flight (ends by itself)
    h["nestos-12"].set_fault("busy-until", str(int(time.time()) + 4))
    ev = dict(REBASE, nestos_serial=[1, 4, "100%"], nestos_max_fail_percentage=25)
    r = run_playbook(fleet, PB / "rebase.yml", ev, forks=20)
    out = r.stdout
    assert r.returncode != 0, out[-3000:]
    # canary + batch 2 ran; the batch had 2 of 4 failures (50% > 25%), so batch 3 never started
    for name in ("nestos-01", "nestos-02", "nestos-05"):
        assert booted(h[name]) == NEW, name
        assert not staged(h[name]) and len(h[name].boots()) == 1
    # the host whose rebase failed: nothing staged, still the old deployment, never rebooted
    assert booted(h["nestos-03"]) == OLD and deployments(h["nestos-03"]) == [h["nestos-03"].booted()]
    assert h["nestos-03"].boots() == []
    # the unhealthy host: rolled back and rebooted into the old deployment again
    assert booted(h["nestos-04"]) == OLD and not staged(h["nestos-04"])
    assert len(h["nestos-04"].boots()) == 2
    assert any(c.startswith("rpm-ostree rollback") for c in h["nestos-04"].commands())
    # no host is half-done: the rest only prefetched (download-only), nothing staged or rebooted
    for i in range(6, 21):
        x = h["nestos-%02d" % i]
        assert booted(x) == OLD and not staged(x) and x.boots() == [], x.name
        assert mutations(x) == [], (x.name, mutations(x))
        assert any("--download-only" in c for c in x.commands()) or x.name == "nestos-12"
    # Zincati is back on every host that was touched
    for x in fleet.hosts:
        assert x.unit("zincati.service")[1] == "active", x.name
    assert "nestos-04    rolled back" in out and "nestos-03    failed" in out
    assert "nestos-20    not reached" in out
    rc = recap(out)
    assert rc["nestos-03"]["failed"] == 1 and rc["nestos-04"]["failed"] == 1

    # faults cleared: the same playbook finishes the fleet (the busy host waits for its transaction)
    h["nestos-03"].clear_fault("rebase-fail")
    h["nestos-04"].clear_fault("degraded-image")
    h["nestos-12"].set_fault("busy", "upgrade")
    h["nestos-12"].set_fault("busy-until", str(int(time.time()) + 6))
    ev2 = dict(ev, nestos_serial=[1, "100%"])
    r = run_playbook(fleet, PB / "rebase.yml", ev2, forks=20)
    assert r.returncode == 0, r.stdout[-4000:]
    for x in fleet.hosts:
        assert booted(x) == NEW and not staged(x), x.name
    assert "nestos-12    updated" in r.stdout
    # a second run changes nothing
    r = run_playbook(fleet, PB / "rebase.yml", ev2, forks=20)
    assert r.returncode == 0, r.stdout[-3000:]
    rc = recap(r.stdout)
    assert len(rc) == 20 and all(v["changed"] == 0 for v in rc.values()), rc
    # one boot into the new image each; nestos-04 also booted back once after its failed check
    assert {x.name: len(x.boots()) for x in fleet.hosts} == {x.name: 3 if x.name == "nestos-04" else 1 for x in fleet.hosts}


def test_check_diff_shows_plan_and_touches_nothing(make_fleet):
    fleet = make_fleet("rollcheck", 3, images=[TAG])
    ids = {x.name: (x.boot_id(), x.read("order")) for x in fleet.hosts}
    r = run_playbook(fleet, PB / "rebase.yml", dict(REBASE, nestos_serial=[1, "100%"]), args=["--check", "--diff"])
    assert r.returncode == 0, r.stdout[-3000:]
    assert NEW in r.stdout and "would update" in r.stdout
    assert ("+0 %s" % NEW) in r.stdout and "[staged]" in r.stdout  # the --diff of the plan
    for x in fleet.hosts:
        assert (x.boot_id(), x.read("order")) == ids[x.name]
        assert mutations(x) == [] and not any("--download-only" in c for c in x.commands()), x.commands()
        assert x.unit("zincati.service") == ("enabled", "active")


def test_unreachable_after_reboot_is_reported(make_fleet):
    fleet = make_fleet("rollhang", 2, images=[TAG])
    fleet.hosts[1].set_fault("reboot-hang")
    ev = dict(REBASE, os_update_reboot_timeout=6, nestos_serial=[2], nestos_max_fail_percentage=0)
    r = run_playbook(fleet, PB / "rebase.yml", ev)
    assert r.returncode != 0
    assert booted(fleet.hosts[0]) == NEW
    assert not fleet.hosts[1].is_up()
    assert "nestos-02" in r.stdout and "did not come back" in r.stdout
    fleet.revive(fleet.hosts[1])


def _rebase_by_hand(fleet):
    for x in fleet.hosts:
        res = fleet.ssh(x, "sudo rpm-ostree rebase --bypass-driver %s && sudo systemctl reboot" % NEW)
        assert res.returncode == 0, res.stderr
    time.sleep(1.0)
    fleet.wait_all_up(30)
    for x in fleet.hosts:
        assert booted(x) == NEW


def test_rollback_fleet_and_rerun(make_fleet):
    fleet = make_fleet("rollback", 4, images=[TAG])
    _rebase_by_hand(fleet)
    ev = dict(FAST, os_update_rollback_to=BASE_VERSION, nestos_serial=[1, "100%"])
    r = run_playbook(fleet, PB / "rollback.yml", ev)
    assert r.returncode == 0, r.stdout[-4000:]
    for x in fleet.hosts:
        assert booted(x) == OLD and not staged(x), x.name
        assert deployments(x)[0] == x.booted()
    r = run_playbook(fleet, PB / "rollback.yml", ev)
    assert r.returncode == 0, r.stdout[-3000:]
    assert all(v["changed"] == 0 for v in recap(r.stdout).values()), recap(r.stdout)


def test_upgrade_follows_the_tag(make_fleet):
    fleet = make_fleet("rollupg", 2, images=[TAG])
    _rebase_by_hand(fleet)
    old = fleet.hosts[0].deployment()["digest"]
    new = fleet.add_image(TAG, version="22.03-LTS-SP4.20240915.0")  # the tag moves to a new digest
    assert new != old
    r = run_playbook(fleet, PB / "upgrade.yml", dict(FAST, nestos_serial=[1, "100%"]))
    assert r.returncode == 0, r.stdout[-4000:]
    for x in fleet.hosts:
        d = x.deployment()
        assert d["ref"] == NEW and d["digest"] == new and d["version"] == "22.03-LTS-SP4.20240915.0"
        assert not staged(x) and len(x.boots()) == 2
    assert "sha256:%s" % new[7:19] in r.stdout  # the report shows the new digest
    r = run_playbook(fleet, PB / "upgrade.yml", dict(FAST, nestos_serial=[1, "100%"]))
    assert r.returncode == 0 and all(v["changed"] == 0 for v in recap(r.stdout).values()), r.stdout[-3000:]


def test_packages_and_kargs_idempotent(make_fleet, tmp_path):
    fleet = make_fleet("rollpkg", 2)
    ev = dict(FAST, os_update_action="none", os_update_packages=["htop", "tmux"],
              os_update_kargs_append=["nosmt", "mitigations=auto"], os_update_kargs_delete=["$ignition_firstboot"])
    pb = tmp_path / "layer.yml"
    pb.write_text(
        "- hosts: nestos\n  gather_facts: false\n  become: true\n  tasks:\n"
        "    - ansible.builtin.include_role:\n        name: nestos.lifecycle.os_update\n"
        "      vars:\n        os_update_phase: apply\n")
    r = run_playbook(fleet, pb, ev)
    assert r.returncode == 0, r.stdout[-4000:]
    for x in fleet.hosts:
        d = x.deployment()
        assert d["packages"].split() == ["htop", "tmux"]
        k = d["kargs"].split()
        assert "nosmt" in k and "mitigations=auto" in k and "$ignition_firstboot" not in k
        assert not staged(x) and len(x.boots()) == 1
    r = run_playbook(fleet, pb, ev)
    assert r.returncode == 0
    assert all(v["changed"] == 0 for v in recap(r.stdout).values()), r.stdout[-3000:]
    assert all(len(x.boots()) == 1 for x in fleet.hosts)


def test_zincati_dropins_parse_back(make_fleet, tmp_path):
    fleet = make_fleet("rollzinc", 2)
    pb = tmp_path / "zincati.yml"
    pb.write_text(json.dumps([{
        "hosts": "nestos", "gather_facts": False, "become": True,
        "roles": [{"role": "nestos.lifecycle.zincati",
                   "zincati_dropin": "96-updates.toml",
                   "zincati_strategy": "periodic",
                   "zincati_periodic_time_zone": "Asia/Shanghai",
                   "zincati_periodic_windows": [{"days": ["Sat", "Sun"], "start_time": "23:30", "length_minutes": 60}],
                   "zincati_group": "workers",
                   "zincati_cincinnati_base_url": "http://nestos.org.cn:8080"}]}]))
    r = run_playbook(fleet, pb)
    assert r.returncode == 0, r.stdout[-3000:]
    for x in fleet.hosts:
        f = x.root / "etc/zincati/config.d/96-updates.toml"
        assert oct(f.stat().st_mode & 0o777) == "0o644" and f.stat().st_uid == 0
        doc = tomllib.loads(f.read_text())
        assert doc["updates"]["enabled"] is True and doc["updates"]["strategy"] == "periodic"
        assert doc["updates"]["periodic"]["time_zone"] == "Asia/Shanghai"
        assert doc["updates"]["periodic"]["window"] == [{"days": ["Sat", "Sun"], "start_time": "23:30", "length_minutes": 60}]
        assert doc["identity"]["group"] == "workers"
        assert doc["cincinnati"]["base_url"] == "http://nestos.org.cn:8080"
        # NestOS's own dev drop-in is left alone
        assert (x.root / "etc/zincati/config.d/95-disable-on-dev.toml").read_text() == "[updates]\nenabled = false\n"
    r = run_playbook(fleet, pb)
    assert r.returncode == 0 and all(v["changed"] == 0 for v in recap(r.stdout).values()), r.stdout[-3000:]


def test_rollout_report_json_with_injected_failures(make_fleet, tmp_path):
    fleet = make_fleet("rollrep", 5, images=[TAG])
    h = {x.name: x for x in fleet.hosts}
    h["nestos-02"].set_fault("degraded-image", TAG)     # health check fails -> rolled back
    h["nestos-03"].set_fault("rebase-fail")             # the rebase itself fails
    ev = dict(REBASE, nestos_serial=[1, 3, "100%"], nestos_max_fail_percentage=70,
              os_update_report_dir=str(tmp_path / "reports"))
    r = run_playbook(fleet, PB / "rebase.yml", ev, forks=5)
    assert r.returncode != 0
    assert "nestos-02    rolled back" in r.stdout          # the text report is still printed
    (path,) = list((tmp_path / "reports").glob("*.json"))
    doc = json.loads(path.read_text())
    assert path.name.endswith("-Rebase-in-batches---a-canary-first-then-growing-batches.json")
    assert doc["action"] == "rebase" and doc["play"].startswith("Rebase in batches")
    hosts = {x["host"]: x for x in doc["hosts"]}
    assert [x["host"] for x in doc["hosts"]] == ["nestos-%02d" % i for i in range(1, 6)]
    batches = {"nestos-01": 0, "nestos-02": 1, "nestos-03": 1, "nestos-04": 1, "nestos-05": 2}
    assert {n: x["batch"] for n, x in hosts.items()} == batches
    assert {n: x["result"] for n, x in hosts.items()} == {
        "nestos-01": "changed", "nestos-02": "rolled_back", "nestos-03": "failed", "nestos-04": "changed",
        "nestos-05": "changed"}
    for x in doc["hosts"]:
        assert x["before"]["image"] == OLD and x["before"]["version"] == BASE_VERSION
        starts = [e["start"] for e in x["events"]]
        assert starts == sorted(starts) and all(e["start"] <= e["end"] for e in x["events"])
        assert all(doc["started"] <= e["start"] and e["end"] <= doc["finished"] for e in x["events"])
    phases = {n: [(e["phase"], e["status"]) for e in x["events"]] for n, x in hosts.items()}
    assert phases["nestos-01"] == [("prefetch", "changed"), ("apply", "changed"), ("reboot", "changed"),
                                   ("health", "ok"), ("verify", "ok")]
    assert phases["nestos-02"] == [("prefetch", "changed"), ("apply", "changed"), ("reboot", "changed"),
                                   ("health", "failed"), ("verify", "ok"), ("rollback", "changed")]
    assert phases["nestos-03"][-1] == ("apply", "failed") and "rebase" in hosts["nestos-03"]["events"][-1]["detail"]
    assert hosts["nestos-01"]["after"]["image"] == NEW and hosts["nestos-01"]["after"]["digest"].startswith("sha256:")
    assert hosts["nestos-02"]["after"]["image"] == OLD and hosts["nestos-03"]["after"]["image"] == OLD
    # the report stage's reader (module_utils/report/rollout.py) accepts it as it is
    from ansible_collections.nestos.lifecycle.plugins.module_utils.report import rollout
    assert rollout.counts(rollout.load_report(doc)) == {"changed": 3, "rolled_back": 1, "failed": 1}
    # batches run in order: every event of batch 0 ends before batch 1's first apply starts
    first_apply = {n: [e for e in x["events"] if e["phase"] == "apply"][0]["start"] for n, x in hosts.items()}
    end_of = {n: x["events"][-1]["end"] for n, x in hosts.items()}
    assert end_of["nestos-01"] < min(first_apply[n] for n in ("nestos-02", "nestos-03", "nestos-04"))
    assert max(end_of[n] for n in ("nestos-02", "nestos-03", "nestos-04")) < first_apply["nestos-05"]
    # the HTML page beside it, as a person sees it in a browser
    page = path.with_suffix(".html")
    dom = chromium.rendered_dom(page)
    rows = dict(re.findall(r'<tr class="host" data-host="(nestos-\d+)"(.*?)</tr>', dom, re.S))
    assert sorted(rows) == ["nestos-%02d" % i for i in range(1, 6)]
    assert ">rolled back<" in rows["nestos-02"] and "health failed" in rows["nestos-02"]
    assert "rollback changed" in rows["nestos-02"]
    assert ">failed<" in rows["nestos-03"] and "apply failed" in rows["nestos-03"]
    assert re.findall(r'<h2 id="batch-\d+">([^<]+)</h2>', dom) == [
        "Batch 0 (1 host)", "Batch 1 (3 hosts)", "Batch 2 (1 host)"]
    chromium.screenshot(page, TOP / ".cache" / "report" / "rollout-fleet-lab.png", 1600, 800)
