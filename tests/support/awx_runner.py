"""Run playbooks the way AWX does: a project update, then a job inside the execution environment.

AWX's project update installs ``collections/requirements.yml`` with ``ansible-galaxy`` into a
folder of the job's private data dir; the job is ``ansible-runner`` with process isolation
(podman) in the EE image, collections taken from that folder first (ANSIBLE_COLLECTIONS_PATH),
the machine credential's key handed to an ssh-agent, and what AWX shows is the job's event
stream, ``artifacts/<ident>/job_events/*.json``. :func:`run_job` does exactly that with the real
ansible-galaxy, ansible-runner and podman; :class:`Job` reads the events back per task and host.

The EE is the one ``make ee`` built and pushed (``.cache/ee/ee.json``); :func:`ee_image` pulls
it back from the lab registry, as AWX pulls an EE, so the job runs what the registry holds.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
EE_STATE = Path(os.environ.get("NESTOS_EE_STATE", TOP / ".cache" / "ee")) / "ee.json"
REGISTRY = os.environ.get("EE_REGISTRY", "127.0.0.1:5005")
REGISTRY_REPO = "nestos/lifecycle-ee"
VENV_BIN = Path(sys.executable).parent
# where the project update puts the collections inside the private data dir, as AWX does
REQ_COLLECTIONS = "requirements_collections"
# AWX's job environment: its collections first, then the EE's own; no host key prompts
JOB_ENV = {
    "ANSIBLE_COLLECTIONS_PATH": "/runner/%s:/usr/share/ansible/collections" % REQ_COLLECTIONS,
    "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
    "ANSIBLE_HOST_KEY_CHECKING": "False",
    "ANSIBLE_RETRY_FILES_ENABLED": "False",
    "ANSIBLE_SSH_PIPELINING": "True",
    "ANSIBLE_NOCOLOR": "1",
    "ANSIBLE_FORCE_COLOR": "False",
}
# Rootful podman here: the job runs as root in the container (AWX runs it rootless as uid
# 1000 with its own user namespace); never pull, the image is already local (see ee_image).
# podman raises nofile/nproc to its maxima by default, which this machine's sandbox refuses
# (runc: "error setting rlimit ... operation not permitted"): ask for the ones the build
# area's containers.conf uses (roles/build_host defaults).
LAB_ULIMITS = ["--ulimit=nofile=20000:20000", "--ulimit=nproc=32768:32768"]
BASE_CONTAINER_OPTIONS = ["--user=0", "--pull=never"] + LAB_ULIMITS


class EEMissing(RuntimeError):
    """The EE was not built (run `make ee`)."""


def ee_state() -> dict:
    try:
        return json.loads(EE_STATE.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EEMissing("no execution environment: %s (run `make ee`)" % exc) from exc


def ee_image(from_registry: bool = True) -> str:
    """The EE image ref for this checkout. With from_registry, pull it from the lab registry
    first (as AWX does) and return the registry ref."""
    state = ee_state()
    if not from_registry:
        return state["image"]
    ref = "%s/%s:%s" % (REGISTRY, REGISTRY_REPO, state["hash"])
    subprocess.run(["podman", "pull", "--quiet", "--tls-verify=false", ref], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return ref


def project_update(dest: Path, project: Path = TOP) -> Path:
    """AWX's project update: `ansible-galaxy collection install -r collections/requirements.yml`
    from the project's root into a fresh folder (no collections path from the checkout)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_COLLECTIONS_")}
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(VENV_BIN / "ansible-galaxy"), "collection", "install", "--force",
                    "-r", "collections/requirements.yml", "-p", str(dest)],
                   cwd=str(project), env=env, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return dest


@dataclass
class Job:
    """A finished job: its status, rc, wall time and the event stream AWX would show."""
    ident: str
    status: str
    rc: int
    wall: float
    artifacts: Path
    events: list = field(default_factory=list)

    @property
    def stdout(self) -> str:
        path = self.artifacts / "stdout"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def task_events(self, task: str, kinds=("runner_on_ok", "runner_on_failed", "runner_on_skipped",
                                            "runner_on_unreachable")) -> list:
        return [e for e in self.events if e.get("event") in kinds
                and e.get("event_data", {}).get("task") == task]

    def per_host(self, task: str) -> dict:
        """{host: [(event, changed), ...]} for every result of the task named `task`."""
        out: dict = {}
        for e in self.task_events(task):
            data = e["event_data"]
            out.setdefault(data.get("host"), []).append((e["event"], bool(data.get("res", {}).get("changed"))))
        return out

    def tasks(self) -> list:
        return [e["event_data"].get("task") for e in self.events if e.get("event") == "playbook_on_task_start"]

    def stats(self) -> dict:
        for e in reversed(self.events):
            if e.get("event") == "playbook_on_stats":
                return e["event_data"]
        return {}

    def summary(self, tail: int = 60) -> str:
        lines = self.stdout.splitlines()[-tail:]
        return "job %s: %s rc=%s (%.1fs)\n%s" % (self.ident, self.status, self.rc, self.wall, "\n".join(lines))


def read_events(artifacts: Path) -> list:
    events = []
    for path in (artifacts / "job_events").glob("*.json"):
        events.append(json.loads(path.read_text(encoding="utf-8")))
    events.sort(key=lambda e: e.get("counter", 0))
    return events


def prepare(pdd: Path, playbooks=(), project: Path = TOP, collections: Path | None = None) -> Path:
    """A private data dir as AWX lays it: project/ (the synced project), and the collections
    the project update installed (`collections`: a folder an earlier project update filled,
    copied; else a project update now)."""
    proj = pdd / "project"
    proj.mkdir(parents=True, exist_ok=True)
    for sub in ("playbooks", "collections"):
        if (project / sub).is_dir():
            shutil.copytree(project / sub, proj / sub, dirs_exist_ok=True)
    for extra in playbooks:
        shutil.copy2(extra, proj / Path(extra).name)
    if collections is not None:
        shutil.copytree(collections, pdd / REQ_COLLECTIONS, symlinks=False, dirs_exist_ok=True)
    else:
        project_update(pdd / REQ_COLLECTIONS, project)
    return pdd


def run_job(pdd: Path, playbook: str, inventory: str, extravars: dict | None = None, ssh_key: str | None = None,
            image: str | None = None, container_options=(), volumes=(), env: dict | None = None,
            limit: str | None = None, forks: int = 10, timeout: int = 900, ident: str = "job",
            process_isolation: bool = True, cmdline: str | None = None) -> Job:
    """Run `playbook` (a path relative to project/) with ansible-runner, inside the EE."""
    import ansible_runner  # the job executor AWX uses (requirements-dev.txt)

    inv_dir = pdd / "inventory"
    inv_dir.mkdir(parents=True, exist_ok=True)
    (inv_dir / "hosts").write_text(inventory, encoding="utf-8")
    kwargs = dict(
        private_data_dir=str(pdd), playbook=playbook, ident=ident, extravars=extravars or {},
        envvars=dict(JOB_ENV, **(env or {})), forks=forks, timeout=timeout, quiet=True,
        limit=limit, ssh_key=ssh_key, cmdline=cmdline,
    )
    if process_isolation:
        kwargs.update(process_isolation=True, process_isolation_executable="podman",
                      container_image=image or ee_image(),
                      container_options=BASE_CONTAINER_OPTIONS + list(container_options),
                      container_volume_mounts=list(volumes))
    else:
        host_env = dict(JOB_ENV, ANSIBLE_COLLECTIONS_PATH=str(pdd / REQ_COLLECTIONS),
                        PATH="%s:%s" % (VENV_BIN, os.environ.get("PATH", "/usr/bin:/bin")))
        host_env.update(env or {})
        kwargs["envvars"] = host_env
    t0 = time.monotonic()
    r = ansible_runner.run(**kwargs)
    wall = time.monotonic() - t0
    artifacts = pdd / "artifacts" / ident
    return Job(ident=ident, status=r.status, rc=r.rc, wall=wall, artifacts=artifacts, events=read_events(artifacts))


def survey_defaults(role: str, entry_point: str = "main", exclude=(), project: Path = TOP) -> dict:
    """What a survey built from the role's argument spec sends when nobody changes an answer:
    every option's default (options the playbook sets itself go in `exclude`)."""
    import yaml

    spec = yaml.safe_load((project / "roles" / role / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))
    options = spec["argument_specs"][entry_point].get("options", {})
    return {name: opt["default"] for name, opt in options.items() if "default" in opt and name not in exclude}
