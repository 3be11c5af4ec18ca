"""Rebase and rollback jobs run the AWX way against the fleet lab: the project update's
collections, ansible-runner with process isolation in the EE (podman, --network=host to reach
the lab hosts' sshd on 127.0.0.1), the machine credential's key through ssh-agent, survey
defaults from the os_update argument spec plus a few answers as extra vars. The assertions
read the job's event stream (what AWX shows), per task and host, and the hosts' own state."""
import os
from pathlib import Path

import pytest

from tests.lab.fleet.lab import BASE_ORIGIN, BASE_VERSION, LAB_USER, REGISTRY, Fleet
from tests.support import awx_runner

pytestmark = [pytest.mark.fleet, pytest.mark.slow]

TAG = "22.03-LTS-SP4.20240901.0-x86_64"
NEW = "ostree-unverified-registry:%s:%s" % (REGISTRY, TAG)
# the playbooks set these themselves (include_role vars): a survey does not ask for them
PLAYBOOK_SET = ("os_update_action", "os_update_phase")
# what an operator answers in the rebase survey
ANSWERS = {"os_update_image": "%s:%s" % (REGISTRY, TAG), "os_update_signature": "unverified",
           "os_update_allow_unverified": True, "nestos_serial": [1, "100%"]}


def awx_inventory(fleet):
    """The inventory as AWX hands it to a job: hosts and connection vars, no key file (the
    machine credential's key goes to ssh-agent)."""
    lines = ["[nestos]"] + ["%s ansible_host=127.0.0.1 ansible_port=%d" % (h.name, h.port) for h in fleet.hosts]
    lines += ["", "[nestos:vars]", "ansible_user=%s" % LAB_USER, "ansible_become_method=sudo",
              "ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR'",
              ""]
    return "\n".join(lines)


@pytest.fixture
def fleet():
    f = Fleet("awx-%d" % os.getpid(), 3, reboot_delay=0.5)
    f.add_image(TAG)
    f.create()
    f.start(owner_pid=os.getpid())
    yield f
    f.remove()


def ssh_key(fleet):
    return Path(fleet.keys / "id_ed25519").read_text(encoding="utf-8")


def booted(host):
    d = host.deployment()
    return d["ref"] or d["origin"]


APPLY_TASK = "Update, reboot, health checks (roll back on failure)"


def phases_per_host(job, task):
    """{host: [(phase, status), ...]} from the os_update_state each host's result carries."""
    out = {}
    for e in job.task_events(task, kinds=("runner_on_ok",)):
        data = e["event_data"]
        state = data.get("res", {}).get("ansible_facts", {}).get("os_update_state", {})
        out[data.get("host")] = [(ev.get("phase"), ev.get("status")) for ev in state.get("events", [])]
    return out


def test_rebase_then_rollback_jobs_in_the_ee(ee_image, pdd, fleet):
    extravars = dict(awx_runner.survey_defaults("os_update", exclude=PLAYBOOK_SET), **ANSWERS)
    assert extravars["os_update_reboot_delay"] == 2  # a survey default, not a test speed-up
    job = awx_runner.run_job(pdd, "playbooks/rebase.yml", awx_inventory(fleet), extravars, ssh_key=ssh_key(fleet),
                             image=ee_image, container_options=["--network=host"], ident="rebase")
    assert job.status == "successful" and job.rc == 0, job.summary()
    # the event stream: the rebase task changed each host, in batches (canary first), and rebooted it
    rebase = job.per_host(APPLY_TASK)
    assert sorted(rebase) == [h.name for h in fleet.hosts], job.tasks()
    assert all(results == [("runner_on_ok", True)] for results in rebase.values()), rebase
    for host, phases in phases_per_host(job, APPLY_TASK).items():  # the one task's recorded phases
        assert [p for p in phases if p[0] in ("apply", "reboot", "verify")] == [
            ("apply", "changed"), ("reboot", "changed"), ("verify", "ok")], (host, phases)
    batches = [e["event_data"]["name"] for e in job.events if e["event"] == "playbook_on_play_start"]
    assert batches.count("Rebase in batches - a canary first, then growing batches") == 2  # serial [1, 100%]
    assert job.stats()["changed"].keys() == {h.name for h in fleet.hosts}
    assert not job.stats().get("failures")
    for h in fleet.hosts:  # what the hosts say, not only the job
        assert booted(h) == NEW and len(h.boots()) == 1, h.name

    # rollback of one host, a limit as an AWX job template's "Limit" field sets it
    canary = fleet.hosts[0]
    roll = dict(awx_runner.survey_defaults("os_update", exclude=PLAYBOOK_SET), os_update_rollback_to=BASE_VERSION,
                nestos_serial=[1])
    job2 = awx_runner.run_job(pdd, "playbooks/rollback.yml", awx_inventory(fleet), roll, ssh_key=ssh_key(fleet),
                              image=ee_image, container_options=["--network=host"], limit=canary.name,
                              ident="rollback")
    assert job2.status == "successful", job2.summary()
    assert job2.per_host(APPLY_TASK) == {canary.name: [("runner_on_ok", True)]}, job2.tasks()
    phases = phases_per_host(job2, APPLY_TASK)[canary.name]
    assert ("apply", "changed") in phases and ("reboot", "changed") in phases, phases
    assert booted(canary) == BASE_ORIGIN and len(canary.boots()) == 2
    for h in fleet.hosts[1:]:
        assert booted(h) == NEW and len(h.boots()) == 1, h.name


def test_rebase_job_fails_per_host_when_the_image_is_not_there(ee_image, pdd, fleet):
    """A wrong survey answer: the event stream shows the failed host, the job fails, no host moves."""
    extravars = dict(awx_runner.survey_defaults("os_update", exclude=PLAYBOOK_SET), **ANSWERS)
    extravars["os_update_image"] = "%s:no-such-tag" % REGISTRY
    extravars["nestos_max_fail_percentage"] = 0
    job = awx_runner.run_job(pdd, "playbooks/rebase.yml", awx_inventory(fleet), extravars, ssh_key=ssh_key(fleet),
                             image=ee_image, container_options=["--network=host"], ident="rebase-bad")
    assert job.status == "failed" and job.rc != 0, job.summary()
    failed = [e["event_data"]["host"] for e in job.events if e["event"] == "runner_on_failed"
              and not e["event_data"].get("ignore_errors")]
    assert failed and set(failed) <= {h.name for h in fleet.hosts}
    for h in fleet.hosts:
        assert booted(h) == BASE_ORIGIN and h.boots() == [], h.name
