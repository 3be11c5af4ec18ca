"""The rollout planner: what each phase session carries and what the controller concludes."""
import json

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import imageref
from ansible_collections.nestos.lifecycle.plugins.module_utils.rollout import fleetlock
from ansible_collections.nestos.lifecycle.plugins.module_utils.rollout import phases as P
from ansible_collections.nestos.lifecycle.plugins.module_utils.rollout.script import SKIPPED, Section

OLD = "openEuler:openEuler/x86_64/nestos/stable"
NEW = "ostree-unverified-registry:registry.nestos.lab/nestos/nestos:22.03-LTS-SP4.20240901.0-x86_64"
MID = "b08dfa6083e7567a1921a715000001fb"


def dep(checksum, booted=False, staged=False, image=None, version="v1", **extra):
    d = {"id": "nestos-%s.0" % checksum, "osname": "nestos", "checksum": checksum, "booted": booted,
         "staged": staged, "version": version, "serial": 0, "timestamp": 1, "requested-packages": [],
         "packages": []}
    if image:
        d.update({"container-image-reference": image, "container-image-reference-digest": "sha256:" + "1" * 64})
    else:
        d["origin"] = OLD
    d.update(extra)
    return d


def status(*deps, driver=True):
    doc = {"deployments": list(deps), "transaction": None, "cached-update": None}
    if driver:
        doc["update-driver"] = {"driver-name": "Zincati", "driver-sd-unit": "zincati.service"}
    return json.dumps(doc)


def sections(status_json, zincati="active", dropins=None, machine_id=MID, **more):
    listing = "".join("==> %s <==\n%s\n==<nestos-end>==\n" % (p, t) for p, t in (dropins or {}).items())
    out = {"status": Section("status", 0, status_json), "boot_id": Section("boot_id", 0, "boot-1\n"),
           "machine_id": Section("machine_id", 0 if machine_id else 1, (machine_id or "cat: no such file") + "\n"),
           "zincati": Section("zincati", 0 if zincati == "active" else 3, zincati + "\n"),
           "zincati_config": Section("zincati_config", 0, listing)}
    out.update(more)
    return out


def rebase_spec(**kw):
    return P.Spec(action="rebase", ref=imageref.parse(NEW), **kw)


def test_read_steps_grow_with_what_is_managed():
    assert [s.name for s in P.read_steps(rebase_spec())] == ["status", "boot_id", "machine_id", "zincati",
                                                             "zincati_config"]
    names = [s.name for s in P.read_steps(P.Spec(action="upgrade", kargs_append=["nosmt"]))]
    assert names[-2:] == ["kargs", "upgrade_check"]


def test_judge_read_finds_fleet_lock_identity():
    drop = {"/etc/zincati/config.d/90-lock.toml":
            '[updates]\nstrategy = "fleet_lock"\n[updates.fleet_lock]\nbase_url = "http://127.0.0.1:9"\n'
            '[identity]\ngroup = "workers"\n'}
    facts = P.judge_read(sections(status(dep("a" * 64, booted=True)), dropins=drop), rebase_spec())
    assert facts.zincati_active and facts.boot_id == "boot-1"
    assert facts.lock.as_dict() == {"base_url": "http://127.0.0.1:9", "group": "workers",
                                    "id": fleetlock.node_uuid(MID)}
    # a later drop-in switching the strategy wins, as in Zincati
    drop["/etc/zincati/config.d/99-off.toml"] = '[updates]\nstrategy = "immediate"\n'
    assert P.judge_read(sections(status(dep("a" * 64, booted=True)), dropins=drop), rebase_spec()).lock is None


def test_judge_read_errors_name_the_file():
    drop = {"/etc/zincati/config.d/90-bad.toml": "[updates\n"}
    with pytest.raises(NestosError) as err:
        P.judge_read(sections(status(dep("a" * 64, booted=True)), dropins=drop), rebase_spec())
    assert "90-bad.toml" in str(err.value)
    bad = sections("not json")
    with pytest.raises(NestosError, match="not JSON"):
        P.judge_read(bad, rebase_spec())
    failed = sections(status(dep("a" * 64, booted=True)))
    failed["status"] = Section("status", 1, "error: Could not connect to rpm-ostreed")
    with pytest.raises(NestosError, match="rc 1"):
        P.judge_read(failed, rebase_spec())


def test_plan_change_rebase_packages_kargs_in_one_session():
    spec = rebase_spec(packages=["htop"], kargs_append=["nosmt"])
    secs = sections(status(dep("a" * 64, booted=True)), kargs=Section("kargs", 0, "rw quiet\n"))
    facts = P.judge_read(secs, spec)
    plan = P.plan_change(facts, spec)
    assert plan.changed and [c[1] for c in plan.commands] == ["rebase", "install", "kargs"]
    assert plan.commands[0][-1] == NEW and "--bypass-driver" in plan.commands[0]
    steps = P.apply_steps(plan, facts, spec)
    assert [s.name for s in steps] == ["zincati_stop", "change.0", "change.1", "change.2", "status", "boot_id"]
    assert all(s.needs_ok and s.stops for s in steps[1:4])
    assert "0 %s" % NEW in plan.diff()["after"]


def test_plan_change_idempotent_when_target_booted():
    spec = rebase_spec()
    facts = P.judge_read(sections(status(dep("b" * 64, booted=True, image=NEW))), spec)
    plan = P.plan_change(facts, spec)
    assert plan.changed is False and plan.commands == [] and P.prefetch_steps(facts, spec) == []


def test_prefetch_is_download_only():
    spec = rebase_spec()
    facts = P.judge_read(sections(status(dep("a" * 64, booted=True))), spec)
    (step,) = P.prefetch_steps(facts, spec)
    assert "--download-only" in step.command and NEW in step.command


def test_upgrade_plan_follows_the_check():
    spec = P.Spec(action="upgrade")
    st = status(dep("b" * 64, booted=True, image=NEW))
    none = sections(st, upgrade_check=Section("upgrade_check", 77, "No updates available.\n"))
    assert P.plan_change(P.judge_read(none, spec), spec).changed is False
    some = sections(st, upgrade_check=Section("upgrade_check", 0, "AvailableUpdate:\n  Version: v2 (x)\n"))
    plan = P.plan_change(P.judge_read(some, spec), spec)
    assert plan.changed and "--unchanged-exit-77" in plan.commands[0] and "v2" in plan.msg


def test_judge_apply():
    spec = rebase_spec()
    facts = P.judge_read(sections(status(dep("a" * 64, booted=True))), spec)
    plan = P.plan_change(facts, spec)
    after = status(dep("c" * 64, staged=True, image=NEW), dep("a" * 64, booted=True))
    ok = P.judge_apply({"change.0": Section("change.0", 0, ""), "status": Section("status", 0, after)}, plan, spec)
    assert ok.ok and ok.changed and ok.status.pending_reboot
    bad = P.judge_apply({"change.0": Section("change.0", 1, "error: manifest unknown"),
                         "status": Section("status", 0, status(dep("a" * 64, booted=True)))}, plan, spec)
    assert not bad.ok and bad.failed_step.text == "error: manifest unknown"
    wrong = P.judge_apply({"change.0": Section("change.0", 0, ""),
                           "status": Section("status", 0, status(dep("a" * 64, booted=True)))}, plan, spec)
    assert not wrong.ok and "not %s" % NEW in wrong.error


def test_verify_steps_and_verdicts():
    spec = rebase_spec(health_checks=[{"name": "kubelet", "command": "systemctl is-active kubelet",
                                       "stdout": "active"}])
    steps = P.verify_steps("boot-1", spec, restore_zincati=True)
    assert [s.name for s in steps] == ["boot_id", "system", "status", "check.0", "zincati_start"]
    assert "boot-1" in steps[0].command and steps[0].stops and all(s.needs_ok for s in steps[1:])
    target = imageref.parse(NEW)
    good = status(dep("c" * 64, booted=True, image=NEW), dep("a" * 64))
    secs = {"boot_id": Section("boot_id", 0, "boot-2"), "system": Section("system", 0, "running"),
            "status": Section("status", 0, good), "check.0": Section("check.0", 0, "active\n")}
    v = P.judge_verify(secs, spec, target)
    assert v.rebooted and v.healthy and v.boot_id == "boot-2"
    secs["system"] = Section("system", 1, "degraded")
    secs["check.0"] = Section("check.0", 3, "inactive")
    v = P.judge_verify(secs, spec, target)
    assert not v.healthy and [p for p, _d in v.problems] == ["health", "health"]
    old_boot = {"boot_id": Section("boot_id", 1, "boot-1"), "status": Section("status", SKIPPED, "")}
    assert not P.judge_verify(old_boot, spec, target).rebooted
    wrong = dict(secs, system=Section("system", 0, "running"), **{"check.0": Section("check.0", 0, "active")})
    wrong["status"] = Section("status", 0, status(dep("a" * 64, booted=True)))
    v = P.judge_verify(wrong, spec, target)
    assert [p for p, _d in v.problems] == ["verify"] and "expected %s" % NEW in v.problems[0][1]


def test_rollback_and_cleanup_steps():
    st = P.status_of(Section("status", 0, status(dep("c" * 64, booted=True, image=NEW), dep("a" * 64))))
    assert [s.command for s in P.rollback_steps(st)] == ["rpm-ostree rollback"]
    doc = status(dep("c" * 64, staged=True, image=NEW), dep("a" * 64, booted=True))
    staged = P.status_of(Section("status", 0, doc))
    assert [s.name for s in P.cleanup_steps(staged, True)] == ["cleanup", "zincati_start", "status"]
    booted = P.status_of(Section("status", 0, status(dep("a" * 64, booted=True))))
    assert P.cleanup_steps(booted, False) == []


def test_health_check_validation():
    with pytest.raises(NestosError) as err:
        P.Spec(action="none", health_checks=[{"name": "x"}])
    assert err.value.path == "health_checks[0].command"
    with pytest.raises(NestosError):
        P.Spec(action="none", health_checks=[{"command": "true", "rc": "zero"}])
    with pytest.raises(NestosError):
        P.Spec(action="rebase")
    with pytest.raises(NestosError):
        P.Spec(action="dance")


def test_deployment_info():
    st = P.status_of(Section("status", 0, status(dep("c" * 64, booted=True, image=NEW, version="v9"))))
    assert P.deployment_info(st) == {"image": NEW, "digest": "sha256:" + "1" * 64, "checksum": "c" * 64,
                                     "version": "v9"}
    assert P.deployment_info(None)["image"] is None
