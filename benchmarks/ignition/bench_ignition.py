"""Benchmark: validate a large Ignition config, against the real ignition-validate as reference.

Builds a spec 3.3.0 config with N files (default 5,000; env IGN_BENCH_FILES), plus units,
directories, links and users, writes it pretty-printed to a temp file, and times:
- ours in process: parse (positions) + validate, and serialize.dumps (pretty);
- ours as a process: a new Python process that reads the file, parses and validates it (start-up
  and imports included): the honest comparison with a whole ignition-validate run;
- reference: /usr/bin/ignition-validate on the same file (process time included).
The two processes run in pairs, one after the other, R times (env IGN_BENCH_RUNS, default 7);
the figures are medians (and the median of the per-pair ratios), wall and CPU time of the child.
The first pair is a warm-up and is discarded: it writes our bytecode cache (Python's default;
kept under .cache/bench/pycache so the checkout stays clean, also when PYTHONDONTWRITEBYTECODE
is set) and fills the page cache for both programs.
Prints a table; --json FILE writes the figures.  Ratios are ours / reference (lower is better):
``ratio_process_over_reference`` (process against process) next to
``ratio_ours_over_reference`` (our in-process parse against a whole process).
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, ".build", "collections"))
sys.path.insert(0, TOP)

from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import dataurl  # noqa: E402
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.parse import parse  # noqa: E402
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.serialize import dumps  # noqa: E402


def build_config(n):
    files = []
    for i in range(n):
        src, comp = dataurl.encode(("setting-%d=value %d\n" % (i, i * 7)).encode() * (1 + i % 4), compress_allowed=False)
        f = {"path": "/etc/bench/d%03d/file-%05d.conf" % (i % 100, i), "mode": 0o644 if i % 3 else 0o600,
             "overwrite": True, "contents": {"source": src, "compression": comp}}
        if i % 10 == 0:
            f["user"] = {"name": "core"}
            f["contents"]["verification"] = {"hash": "sha512-" + "ab" * 64}
            f["contents"]["source"] = "https://example.com/f/%d" % i
            f["contents"]["httpHeaders"] = [{"name": "X-Node", "value": "n%d" % i}]
        files.append(f)
    dirs = [{"path": "/etc/bench/d%03d" % j, "mode": 0o755} for j in range(100)]
    links = [{"path": "/usr/local/bin/tool-%d" % j, "target": "/usr/bin/true"} for j in range(200)]
    unit = "[Unit]\nDescription=bench %d\n\n[Service]\nExecStart=/bin/true\n\n[Install]\nWantedBy=multi-user.target\n"
    units = [{"name": "bench-%d.service" % j, "enabled": True, "contents": unit % j,
              "dropins": [{"name": "10-env.conf", "contents": "[Service]\nEnvironment=A=%d\n" % j}]} for j in range(200)]
    users = [{"name": "user%d" % j, "sshAuthorizedKeys": ["ssh-ed25519 AAAA%d" % j], "groups": ["wheel"]} for j in range(50)]
    return {"ignition": {"version": "3.3.0"}, "passwd": {"users": users},
            "storage": {"files": files, "directories": dirs, "links": links}, "systemd": {"units": units}}


def best(fn, runs):
    times = []
    out = None
    for _run in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def child_run(argv, env=None):
    """(wall, CPU of the child) seconds of one process run; exits when it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(argv, capture_output=True, check=False, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit("%s rejected the benchmark config:\n%s" % (argv[0], (p.stdout + p.stderr).decode()))
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def paired(ref_argv, ours_argv, runs, env):
    """Run reference and ours one after the other ``runs`` times (first pair discarded)."""
    pairs = []
    for k in range(runs + 1):
        ref, ours = child_run(ref_argv), child_run(ours_argv, env)
        if k:
            pairs.append((ref, ours))
    return pairs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=int(os.environ.get("IGN_BENCH_FILES", "5000")))
    ap.add_argument("--runs", type=int, default=int(os.environ.get("IGN_BENCH_RUNS", "7")))
    ap.add_argument("--json", help="write the figures to this file")
    args = ap.parse_args()

    config = build_config(args.files)
    text = dumps(config, pretty=True)
    size = len(text.encode("utf-8"))
    tmp = tempfile.mkdtemp(prefix="ign-bench-")
    path = os.path.join(tmp, "bench.ign")
    with open(path, "w") as f:
        f.write(text)

    t_ours, (cfg, report) = best(lambda: parse(text), args.runs)
    if cfg is None or report.is_fatal():
        sys.exit("benchmark config is invalid for our validator:\n" + report.format())
    t_dump, out = best(lambda: dumps(cfg, pretty=True), args.runs)
    if out != text:
        sys.exit("dumps(parse(x)) != x on the benchmark config")

    tool = shutil.which("ignition-validate")
    if not tool:
        sys.exit("ignition-validate not found (apt package 'ignition')")

    driver = ("import sys; sys.path.insert(0, %r)\n"
              "from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.parse import parse\n"
              "with open(sys.argv[1], 'rb') as f: data = f.read()\n"
              "config, report = parse(data)\n"
              "sys.exit(1 if config is None or report.is_fatal() else 0)\n" % os.path.join(TOP, ".build", "collections"))
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(TOP, ".cache", "bench", "pycache")
    pairs = paired([tool, path], [sys.executable, "-c", driver, path], args.runs, env)
    t_ref = median(r[0] for r, _o in pairs)
    t_proc = median(o[0] for _r, o in pairs)
    cpu_ref = median(r[1] for r, _o in pairs)
    cpu_proc = median(o[1] for _r, o in pairs)
    pair_ratio = median(o[0] / r[0] for r, o in pairs)
    shutil.rmtree(tmp)
    mb = size / 1e6
    fig = {
        "files": args.files, "bytes": size, "entries": len(report),
        "ours_validate_ms": round(t_ours * 1000, 1), "ours_validate_MBps": round(mb / t_ours, 2),
        "ours_dumps_ms": round(t_dump * 1000, 1), "ours_dumps_MBps": round(mb / t_dump, 2),
        "ignition_validate_ms": round(t_ref * 1000, 1), "ignition_validate_MBps": round(mb / t_ref, 2),
        "ratio_ours_over_reference": round(t_ours / t_ref, 2),
        "ours_process_ms": round(t_proc * 1000, 1),
        "ratio_process_over_reference": round(t_proc / t_ref, 2),
        "ratio_process_over_reference_pairs_median": round(pair_ratio, 2),
        "ours_process_cpu_ms": round(cpu_proc * 1000, 1), "ignition_validate_cpu_ms": round(cpu_ref * 1000, 1),
        "ratio_process_over_reference_cpu": round(cpu_proc / cpu_ref, 2) if cpu_ref else None,
        "process_runs": len(pairs),
        "load_average": os.getloadavg()[0],
    }
    print("ignition bench: %d files, %.2f MB pretty JSON" % (args.files, mb))
    print("  ours  parse+validate  %8.1f ms  %7.2f MB/s" % (fig["ours_validate_ms"], fig["ours_validate_MBps"]))
    print("  ours  dumps (pretty)  %8.1f ms  %7.2f MB/s" % (fig["ours_dumps_ms"], fig["ours_dumps_MBps"]))
    print("  ignition-validate     %8.1f ms  %7.2f MB/s  (reference, process included)"
          % (fig["ignition_validate_ms"], fig["ignition_validate_MBps"]))
    print("  ours  as a process    %8.1f ms  (start-up, imports, read, parse+validate)" % fig["ours_process_ms"])
    print("  ratio process/process %8.2f  (medians of %d paired runs; median of the pair ratios %.2f; goal <= 0.4)"
          % (fig["ratio_process_over_reference"], len(pairs), fig["ratio_process_over_reference_pairs_median"]))
    print("  ratio process/process CPU %4s  (ours %.1f ms, ignition-validate %.1f ms)"
          % (fig["ratio_process_over_reference_cpu"], fig["ours_process_cpu_ms"], fig["ignition_validate_cpu_ms"]))
    print("  ratio in-process/process %5.2f" % fig["ratio_ours_over_reference"])
    if args.json:
        with open(args.json, "w") as f:
            json.dump(fig, f, indent=2, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main()
