"""Fixtures for the fleet lab tests: fresh lab fleets (real sshd + sudo, doubles for
rpm-ostree/systemctl/reboot) and a helper that runs real ansible-playbook against them."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

from tests.lab.fleet.lab import Fleet, TOP

COLLROOT = TOP / ".build" / "collections"
ANSIBLE_PLAYBOOK = pathlib.Path(sys.executable).with_name("ansible-playbook")


def ansible_env(extra=None):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": str(COLLROOT),
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "ANSIBLE_HOST_KEY_CHECKING": "false",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_STDOUT_CALLBACK": "default",
        "ANSIBLE_SSH_PIPELINING": "true",
        "ANSIBLE_LOCAL_TEMP": str(TOP / ".build" / "ansible-tmp"),
    })
    env.update(extra or {})
    return env


def run_playbook(fleet, playbook, extra_vars=None, args=(), forks=10, timeout=600, limit=None):
    """Run ansible-playbook against the fleet; returns CompletedProcess (text)."""
    cmd = [str(ANSIBLE_PLAYBOOK), "-i", str(fleet.inventory), "-f", str(forks), str(playbook)]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    if limit:
        cmd += ["--limit", limit]
    cmd += list(args)
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
                          env=ansible_env(), timeout=timeout, cwd=str(TOP))


def recap(output):
    """PLAY RECAP -> {host: {ok: n, changed: n, unreachable: n, failed: n, ...}}."""
    out = {}
    seen = False
    for line in output.splitlines():
        if line.startswith("PLAY RECAP"):
            seen = True
            out = {}
            continue
        if seen and " : " in line:
            host, rest = line.split(" : ", 1)
            out[host.strip()] = {k: int(v) for k, v in (kv.split("=") for kv in rest.split())}
    return out


@pytest.fixture
def make_fleet():
    fleets = []

    def _make(name, count, base_port=None, reboot_delay=0.5, images=()):
        # one folder per test session: parallel sessions on the machine do not share hosts
        f = Fleet("%s-%d" % (name, os.getpid()), count, base_port=base_port, reboot_delay=reboot_delay)
        for tag in images:
            f.add_image(tag)
        f.create()
        f.start(owner_pid=os.getpid())
        fleets.append(f)
        return f

    yield _make
    for f in fleets:
        f.remove()
