"""Fleet benchmarks on the fleet lab (make bench-fleet).

One run measures, against a naive playbook of ansible.builtin.raw tasks (status, rebase,
reboot, wait, status: no prefetch, no Zincati pause, no health check, no rollback) run the
same way in the same script:

1. ssh sessions and host tool calls per host for one rebase of a one-host fleet: sessions are
   counted by sshd ("Starting session:" lines of the host's log: one per command line, also
   over a multiplexed connection), tool calls by the doubles' command log.
2. Wall time of a rebase of N hosts (FLEET_BENCH_SIZES, default "50 200"), forks=25: the naive
   playbook (all hosts at once) and playbooks/rebase.yml with every safety on (prefetch,
   canary + batches of 25% and the rest, Zincati paused, FleetLock-free lab, health checks,
   automatic rollback armed); per host, ssh sessions per host, and the controller's peak memory
   (proportional set size of ansible-playbook and its workers, sampled every 0.2 s).
3. The slope: extra seconds of wall per extra host from the smallest to the largest size.

Results: printed and written to .cache/bench/fleet.json (LAB_CACHE/../bench).
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import threading
import time

from tests.lab.fleet.lab import LAB_CACHE, REGISTRY, TOP, Fleet

TAG = "22.03-LTS-SP4.20240901.0-x86_64"
IMAGE = "%s:%s" % (REGISTRY, TAG)
REF = "ostree-unverified-registry:" + IMAGE
FORKS = 25
OURS_VARS = {"os_update_image": IMAGE, "os_update_signature": "unverified", "os_update_allow_unverified": True,
             "os_update_reboot_delay": 1, "os_update_health_delay": 1, "os_update_report_dir": ""}
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
        seconds: 1
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
                ANSIBLE_HOST_KEY_CHECKING="false", ANSIBLE_NOCOLOR="1", ANSIBLE_PYTHON_INTERPRETER="auto_silent",
                ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")


def _tree_pss(root_pid):
    """Proportional set size (bytes) of a process and all its descendants: the forked workers
    share most pages with ansible-playbook, PSS counts each shared page once in total."""
    parents, rss = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            rss[int(entry)] = None
        except (OSError, ValueError, IndexError):
            continue
    tree, grew = {root_pid}, True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    total = 0
    for pid in tree:
        try:
            with open("/proc/%d/smaps_rollup" % pid) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError):
            continue
    return total


def _playbook(fleet, path, extra=None, forks=FORKS):
    """(seconds, peak controller memory in MiB)."""
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", str(fleet.inventory),
           "-f", str(forks), str(path)]
    if extra:
        cmd += ["-e", json.dumps(extra)]
    out = tempfile.TemporaryFile(mode="w+")
    t0 = time.time()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, text=True, env=_env(), cwd=str(TOP))
    peak = [0]

    def sample():
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_pss(proc.pid))
            time.sleep(0.2)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    rc = proc.wait()
    secs = time.time() - t0
    sampler.join()
    if rc != 0:
        out.seek(0)
        text = out.read()
        bad = [ln for ln in text.splitlines() if ln.startswith(("fatal:", "failed:")) or "FAILED" in ln]
        raise SystemExit("bench-fleet: %s failed:\n%s\n...\n%s" % (path, "\n".join(bad[:20]), text[-1500:]))
    return secs, round(peak[0] / 1048576.0, 1)


def _fleet(kind, n):
    # above the range where tests and demos start their fleets (they take the lowest free ports)
    fleet = Fleet("bench-%s-%d" % (kind, os.getpid()), n, reboot_delay=1.0, port_floor=22300 if n <= 300 else 22100)
    fleet.add_image(TAG)
    fleet.create().start(timeout=max(30, n), owner_pid=os.getpid())
    return fleet


def commands_per_rebase(playbook, extra=None):
    fleet = _fleet("cmd", 1)
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


def wall_time(playbook, n, extra=None):
    fleet = _fleet("wall", n)
    try:
        secs, mem = _playbook(fleet, playbook, extra)
        ok = sum(1 for h in fleet.hosts if h.deployment()["ref"] == REF)
        assert ok == n, "%d of %d hosts rebased" % (ok, n)
        sessions = sum(h.sshd_sessions() for h in fleet.hosts)
        return {"hosts": n, "forks": FORKS, "seconds": round(secs, 1), "seconds_per_host": round(secs / n, 3),
                "ssh_sessions_per_host": round(sessions / float(n), 2), "controller_peak_mib": mem}
    finally:
        fleet.remove()


def main():
    sizes = [int(x) for x in os.environ.get("FLEET_BENCH_SIZES", "50 200").split()]
    ours_pb = TOP / "playbooks" / "rebase.yml"
    results = {"reference": "naive playbook of raw tasks (status, rebase, reboot, wait, status), same lab, "
                            "same forks, same run", "sizes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        naive_pb = pathlib.Path(tmp) / "naive.yml"
        naive_pb.write_text(NAIVE.format(ref=REF))
        naive = commands_per_rebase(naive_pb)
        ours = commands_per_rebase(ours_pb, OURS_VARS)
        results["commands_per_rebase"] = {"naive": naive, "ours": ours}
        print("commands per host for one rebase (ssh sessions / rpm-ostree+systemctl+reboot calls):")
        print("  naive raw playbook : %(ssh_sessions)3d / %(host_tool_calls)3d" % naive)
        print("  playbooks/rebase   : %(ssh_sessions)3d / %(host_tool_calls)3d" % ours)
        for n in sizes:
            print("%d hosts, forks=%d ..." % (n, FORKS), flush=True)
            nv = wall_time(naive_pb, n)
            us = wall_time(ours_pb, n, OURS_VARS)
            ratio = round(us["seconds_per_host"] / nv["seconds_per_host"], 2)
            results["sizes"][str(n)] = {"naive": nv, "ours": us, "wall_ratio_ours_to_naive": ratio}
            for name, r in (("naive", nv), ("ours ", us)):
                print("  %s: %6.1f s wall, %.3f s per host, %.2f ssh sessions per host, controller peak %.0f MiB"
                      % (name, r["seconds"], r["seconds_per_host"], r["ssh_sessions_per_host"],
                         r["controller_peak_mib"]), flush=True)
            print("  wall per host ours/naive = %.2f" % ratio, flush=True)
    if len(sizes) > 1:
        lo, hi = str(min(sizes)), str(max(sizes))
        slope = {}
        for kind in ("naive", "ours"):
            a, b = results["sizes"][lo][kind], results["sizes"][hi][kind]
            slope[kind] = round((b["seconds"] - a["seconds"]) / (int(hi) - int(lo)), 3)
        results["slope_seconds_per_extra_host"] = slope
        print("slope %s->%s hosts: ours %.3f s per extra host, naive %.3f" % (lo, hi, slope["ours"], slope["naive"]))
    out = LAB_CACHE.parent / "bench" / "fleet.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    print("results: %s" % out)


if __name__ == "__main__":
    main()
