"""FleetLock on the fleet lab: the rolling playbook takes the host's Zincati reboot slot
(POST /v1/pre-reboot) before each reboot and releases it (POST /v1/steady-state) once the host
is healthy, as Zincati's own fleet_lock strategy would; the server is the lab's FleetLock
double (tests/lab/doubles/fleetlock.py, a counting semaphore per group)."""
import json
import subprocess
import sys

import pytest

from ansible_collections.nestos.lifecycle.plugins.action.os_update_host import http_post
from ansible_collections.nestos.lifecycle.plugins.module_utils.rollout import fleetlock
from tests.integration.fleet.conftest import recap, run_playbook
from tests.lab.fleet.lab import BASE_ORIGIN, REGISTRY, TOP

pytestmark = pytest.mark.fleet

TAG = "22.03-LTS-SP4.20240901.0-x86_64"
NEW = "ostree-unverified-registry:%s:%s" % (REGISTRY, TAG)
REBASE = {"os_update_image": "%s:%s" % (REGISTRY, TAG), "os_update_signature": "unverified",
          "os_update_allow_unverified": True, "os_update_reboot_delay": 1, "os_update_health_delay": 1,
          "os_update_fleet_lock_delay": 1}


@pytest.fixture
def lock_server(tmp_path):
    servers = []

    def _start(*args):
        log = tmp_path / ("fleetlock-%d.log" % len(servers))
        proc = subprocess.Popen([sys.executable, str(TOP / "tests/lab/doubles/fleetlock.py"), "--log", str(log)]
                                + list(args), stdout=subprocess.PIPE, text=True)
        servers.append(proc)
        url = proc.stdout.readline().strip().rsplit(" ", 1)[1]
        return url, log
    yield _start
    for proc in servers:
        proc.terminate()
        proc.wait(timeout=10)


def use_fleet_lock(host, url, group="workers"):
    host.write_zincati("96-lock.toml", '[updates]\nstrategy = "fleet_lock"\n[updates.fleet_lock]\n'
                       'base_url = "%s"\n[identity]\ngroup = "%s"\n' % (url, group))


def records(log):
    return [json.loads(line) for line in log.read_text().splitlines()]


def held_windows(log):
    """{client id: [(granted, released)]} from the double's log."""
    out = {}
    for r in records(log):
        if r["op"] == "pre-reboot" and r["code"] == 200:
            wins = out.setdefault(r["id"], [])
            if not wins or wins[-1][1] is not None:
                wins.append([r["time"], None])
        elif r["op"] == "steady-state":
            wins = out.get(r["id"]) or []
            if wins and wins[-1][1] is None:
                wins[-1][1] = r["time"]
    return out


def test_one_slot_serializes_reboots_of_one_batch(make_fleet, lock_server):
    url, log = lock_server("--slots", "1")
    fleet = make_fleet("lock", 4, images=[TAG])
    for h in fleet.hosts:
        use_fleet_lock(h, url)
    r = run_playbook(fleet, TOP / "playbooks/rebase.yml", dict(REBASE, nestos_serial=[4]), forks=4)
    assert r.returncode == 0, r.stdout[-4000:]
    ids = {fleetlock.node_uuid(h.machine_id()): h for h in fleet.hosts}
    wins = held_windows(log)
    assert set(wins) == set(ids), (wins, ids)          # Zincati's identity of every host, group workers
    assert all(r["group"] == "workers" for r in records(log))
    assert any(r["code"] == 409 for r in records(log))  # somebody had to wait: the slot was taken
    spans = []
    for cid, host in ids.items():
        (granted, released), = wins[cid]
        (down, up), = host.reboot_windows()
        assert released is not None and granted < down < up < released, (host.name, granted, down, up, released)
        assert host.deployment()["ref"] == NEW
        spans.append((granted, released))
    spans.sort()
    for (_g1, r1), (g2, _r2) in zip(spans, spans[1:]):
        assert r1 <= g2, spans                           # never two hosts inside the lock at once
    report = r.stdout
    assert all(("%s    updated" % h.name) in report for h in fleet.hosts)
    # rerun: nothing to reboot, so no lock is taken
    before = len(records(log))
    r = run_playbook(fleet, TOP / "playbooks/rebase.yml", dict(REBASE, nestos_serial=[4]), forks=4)
    assert r.returncode == 0 and all(v["changed"] == 0 for v in recap(r.stdout).values())
    assert len(records(log)) == before


def test_slot_not_granted_fails_the_host_and_leaves_nothing_staged(make_fleet, lock_server):
    url, log = lock_server("--slots", "1")
    fleet = make_fleet("lockbusy", 2, images=[TAG])
    h1, h2 = fleet.hosts
    use_fleet_lock(h1, url)                               # h2 does not use FleetLock
    other = fleetlock.Settings(url, "workers", "f" * 32)  # another node holds the only slot
    assert fleetlock.operate(other, fleetlock.PRE_REBOOT, 5, http_post).done
    ev = dict(REBASE, nestos_serial=[2], nestos_max_fail_percentage=100, os_update_fleet_lock_timeout=3)
    r = run_playbook(fleet, TOP / "playbooks/rebase.yml", ev, forks=2)
    assert r.returncode != 0
    assert "nestos-01    failed" in r.stdout and "failed_lock_semaphore_full" in r.stdout
    d1 = h1.deployment()
    assert d1["origin"] == BASE_ORIGIN and h1.boots() == [] and not (h1.state / "staged").exists()
    assert h1.read("order").split() == [h1.booted()]      # the staged deployment was dropped
    assert h1.unit("zincati.service")[1] == "active"
    assert h2.deployment()["ref"] == NEW                  # the host without FleetLock went on
    attempts = [x for x in records(log) if x["id"] == fleetlock.node_uuid(h1.machine_id())]
    assert len(attempts) >= 2 and all(x["code"] == 409 for x in attempts)
    # once the slot is free the same playbook finishes the host and releases the slot
    assert fleetlock.operate(other, fleetlock.STEADY_STATE, 5, http_post).done
    r = run_playbook(fleet, TOP / "playbooks/rebase.yml", ev, forks=2)
    assert r.returncode == 0, r.stdout[-3000:]
    assert h1.deployment()["ref"] == NEW
    last = [x for x in records(log) if x["id"] == fleetlock.node_uuid(h1.machine_id())][-1]
    assert last["op"] == "steady-state" and last["holders"] == []
