"""Fleet benchmarks on the fleet lab (make bench-fleet).

1. Commands sent per host for one rebase: playbooks/rebase.yml (ours) against a naive playbook of
   ansible.builtin.raw tasks (status, rebase, reboot, wait, status), both on a fresh one-host
   fleet. Counted twice: ssh sessions sshd started ("Starting session:" lines in the host's sshd
   log, each one command line over the connection) and the rpm-ostree/systemctl/reboot calls the
   doubles logged.
2. Wall time of a 50-host rebase with forks=25 (FLEET_BENCH_HOSTS=N for another size), default
   batches of playbooks/rebase.yml (canary, 25%, rest), and that time per host.
Results: printed and written to $NESTOS_LAB_CACHE/../bench/fleet.json.
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

from tests.lab.fleet.lab import LAB_CACHE, REGISTRY, TOP, Fleet

TAG = "22.03-LTS-SP4.20240901.0-x86_64"
IMAGE = "%s:%s" % (REGISTRY, TAG)
REF = "ostree-unverified-registry:" + IMAGE
OURS_VARS = {"os_update_image": IMAGE, "os_update_signature": "unverified", "os_update_allow_unverified": True,
             "os_update_reboot_delay": 1, "os_update_health_delay": 1}
NAIVE = """- hosts: nestos
  gather_facts: false
  become: true
  tasks:
    - name: status
      ansible.builtin.raw: rpm-ostree status --json
      changed_when: false
    - name: rebase
      ansible.builtin.raw: rpm-ostree rebase --experimental --bypass-driver {ref}
    - name: reboot
      ansible.builtin.raw: systemctl reboot
      failed_when: false
    - name: give the host time to go down
      ansible.builtin.pause:
        seconds: 3
    - name: wait for sshd to come back
      ansible.builtin.wait_for:
        host: 127.0.0.1
        port: "{{{{ ansible_port }}}}"
        timeout: 120
      delegate_to: localhost
      become: false
    - name: status
      ansible.builtin.raw: rpm-ostree status --json
      changed_when: false
"""
DOUBLE_CALLS = ("rpm-ostree ", "systemctl ", "reboot")


def _env():
    return dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(TOP / ".build" / "collections"),
                ANSIBLE_HOST_KEY_CHECKING="false", ANSIBLE_NOCOLOR="1", ANSIBLE_SSH_PIPELINING="true",
                ANSIBLE_PYTHON_INTERPRETER="auto_silent")


def _playbook(fleet, path, extra=None, forks=10):
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", str(fleet.inventory),
           "-f", str(forks), str(path)]
    if extra:
        cmd += ["-e", json.dumps(extra)]
    t0 = time.time()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env(), check=False)
    if r.returncode != 0:
        raise SystemExit("bench-fleet: %s failed:\n%s" % (path, r.stdout[-3000:]))
    return time.time() - t0


def commands_per_rebase(playbook, extra=None):
    fleet = Fleet("bench-cmd-%d" % os.getpid(), 1, reboot_delay=1.0)
    fleet.add_image(TAG)
    fleet.create().start(owner_pid=os.getpid())
    try:
        h = fleet.hosts[0]
        _playbook(fleet, playbook, extra)
        d = h.deployment()
        assert (d["ref"] or d["origin"]) == REF, d
        calls = [c for c in h.commands() if c.startswith(DOUBLE_CALLS)]
        return {"ssh_sessions": h.sshd_sessions(), "host_tool_calls": len(calls),
                "mutating_calls": sum(1 for c in calls if c.split()[1] in ("rebase", "stop", "start", "reboot"))}
    finally:
        fleet.remove()


def wall_time(n, forks=25):
    fleet = Fleet("bench-wall-%d" % os.getpid(), n, reboot_delay=1.0)
    fleet.add_image(TAG)
    fleet.create().start(owner_pid=os.getpid())
    try:
        secs = _playbook(fleet, TOP / "playbooks" / "rebase.yml", OURS_VARS, forks=forks)
        ok = sum(1 for h in fleet.hosts if h.deployment()["ref"] == REF)
        assert ok == n, "%d of %d hosts rebased" % (ok, n)
        sessions = sum(h.sshd_sessions() for h in fleet.hosts)
        return {"hosts": n, "forks": forks, "seconds": round(secs, 1), "seconds_per_host": round(secs / n, 2),
                "ssh_sessions_per_host": round(sessions / n, 1)}
    finally:
        fleet.remove()


def main():
    n = int(os.environ.get("FLEET_BENCH_HOSTS", "50"))
    with tempfile.TemporaryDirectory() as tmp:
        naive_pb = pathlib.Path(tmp) / "naive.yml"
        naive_pb.write_text(NAIVE.format(ref=REF))
        naive = commands_per_rebase(naive_pb)
    ours = commands_per_rebase(TOP / "playbooks" / "rebase.yml", OURS_VARS)
    print("commands per host for one rebase (ssh sessions / rpm-ostree+systemctl+reboot calls):")
    print("  naive raw playbook : %(ssh_sessions)3d / %(host_tool_calls)3d" % naive)
    print("  playbooks/rebase   : %(ssh_sessions)3d / %(host_tool_calls)3d" % ours)
    print("  ratio ours/naive   : %.1f x sessions" % (ours["ssh_sessions"] / float(naive["ssh_sessions"])))
    wall = wall_time(n)
    print("%(hosts)d-host rebase, forks=%(forks)d: %(seconds).1f s wall, %(seconds_per_host).2f s per host, "
          "%(ssh_sessions_per_host).1f ssh sessions per host" % wall)
    out = LAB_CACHE.parent / "bench" / "fleet.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"commands_per_rebase": {"naive": naive, "ours": ours}, "wall": wall}, indent=1) + "\n")
    print("results: %s" % out)


if __name__ == "__main__":
    main()
