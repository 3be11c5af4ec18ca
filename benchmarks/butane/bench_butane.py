# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the Butane engine (make bench-butane).

Cases: a small config (in process, and per process: ``tools/nestos-butane`` against a bare
``python3 -c pass`` and against ``python3 -c "import yaml"`` (the whole PyYAML; the CLI loads
only its parser, see plugins/module_utils/butane/libyaml.py), all without PYTHONWARNINGS; a
module run with an Ignition input and with a Butane input, and a live module run
(``iso_kargs`` querying a small xorriso-built ISO; it must not load PyYAML or the Butane engine),
against an empty AnsibleModule run), the NestOS guide's examples, a large config (5,000 files through
storage.trees plus 500 units; NESTOS_BENCH_BUTANE_FILES / _UNITS scale it), and the cost of the
``butane`` filter per call inside a Jinja2 template compared with the same template without
the filter, measured in the same run. Prints a table and writes JSON (--json PATH).
"""

import argparse
import glob
import json
import os
import platform
import shutil
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
sys.path.insert(0, os.path.join(TOP, ".build", "collections"))

import jinja2  # noqa: E402

from ansible_collections.nestos.lifecycle.plugins.filter.butane import butane as butane_filter  # noqa: E402
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.to_ignition import translate  # noqa: E402

SMALL = """variant: nestos
version: 1.0.0
passwd:
  users:
    - name: nest
      ssh_authorized_keys: [ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIexample]
storage:
  files:
    - path: /etc/hostname
      mode: 0644
      contents:
        inline: node1
systemd:
  units:
    - name: hello.service
      enabled: true
      contents: |
        [Service]
        ExecStart=/bin/echo hello
        [Install]
        WantedBy=multi-user.target
"""


def timed(fn, min_time=0.5, min_runs=3):
    """Run until min_time elapsed (at least min_runs); returns (best, median, runs).

    Best and median, not mean: CI machines are shared and the mean follows the scheduler."""
    runs = []
    start = time.perf_counter()
    while len(runs) < min_runs or time.perf_counter() - start < min_time:
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
        if len(runs) >= 10000:
            break
    runs.sort()
    return runs[0], runs[len(runs) // 2], len(runs)


MODULE_EMPTY = """
import json, sys
from ansible.module_utils import basic
basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": {}}).encode()
basic._ANSIBLE_PROFILE = "legacy"
m = basic.AnsibleModule(argument_spec={})
m.exit_json(changed=False)
"""

MODULE_IGNITION = """
import json, sys
sys.path.insert(0, %(path)r)
from ansible.module_utils import basic
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.ignition_input import (
    IGNITION_INPUT_ARGSPEC, ignition_input_from_params)
basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": %(args)s}).encode()
basic._ANSIBLE_PROFILE = "legacy"
m = basic.AnsibleModule(argument_spec=IGNITION_INPUT_ARGSPEC)
data, warnings = ignition_input_from_params(m.params)
assert %(check)s, sorted(k for k in sys.modules if "yaml" in k or "to_ignition" in k)
m.exit_json(changed=False, size=len(data))
"""


MODULE_ISO_KARGS = """
import json, os, sys
sys.path.insert(0, %(path)r)
from ansible.module_utils import basic
basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": {"src": %(iso)r, "state": "query"}}).encode()
basic._ANSIBLE_PROFILE = "legacy"
from ansible_collections.nestos.lifecycle.plugins.modules import iso_kargs
try:
    iso_kargs.main()
finally:
    # butane.api is the lazy resolver (light); the engine is to_ignition, yamlin, schema, sugar
    loaded = sorted(k for k in sys.modules if k == "yaml" or k.startswith("yaml.") or
                    (".module_utils.butane." in k and not k.endswith(".butane.api")))
    if loaded:
        sys.stderr.write("iso_kargs loaded %%s" %% loaded)
        os._exit(3)
"""


def interleaved(commands, runs):
    """Run every command once per round, ``runs`` rounds (one more first, discarded: it writes the
    bytecode caches and fills the page cache); ``{name: (best, median, median CPU)}`` seconds.

    Rounds, not one command after another: a shared machine's load then weighs on every command
    alike, and the ratios of the medians compare like with like."""
    import resource
    import subprocess

    walls = dict((name, []) for name, _argv, _env in commands)
    cpus = dict((name, []) for name, _argv, _env in commands)
    for k in range(runs + 1):
        for name, argv, env in commands:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
            wall = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if k:
                walls[name].append(wall)
                cpus[name].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    out = {}
    for name in walls:
        w, c = sorted(walls[name]), sorted(cpus[name])
        out[name] = (w[0], w[len(w) // 2], c[len(c) // 2])
    return out


def per_process(rows, runs):
    """Start-up: tools/nestos-butane on the small config as a process against a bare
    ``python3 -c pass`` (the same interpreter) and ``python3 -c "import yaml"``; module runs
    (Ignition input, Butane input, iso_kargs query) against an empty AnsibleModule run; all in
    this run, interleaved."""
    sys.path.insert(0, TOP)
    from tests.support.live_media import build_iso

    py = sys.executable
    tmp = tempfile.mkdtemp(prefix="bench-butane-proc-")
    try:
        small = os.path.join(tmp, "small.bu")
        with open(small, "w") as handle:
            handle.write(SMALL)
        iso = os.path.join(tmp, "live.iso")
        build_iso(iso, tmp)
        path = os.path.join(TOP, ".build", "collections")
        # No PYTHONWARNINGS for any process here: the Makefile sets one (Ansible's DSA warning), and
        # warning filters from the environment make every interpreter import re at start-up; a
        # "bare" start measured with it would be a third slower than a user's bare start.
        penv = dict((k, v) for k, v in os.environ.items() if k != "PYTHONWARNINGS")
        # module runs: Python's default bytecode cache (kept out of the checkout)
        menv = dict(penv, PYTHONPYCACHEPREFIX=os.path.join(TOP, ".cache", "bench", "pycache"))
        menv.pop("PYTHONDONTWRITEBYTECODE", None)
        ign_args = json.dumps({"ignition_content": '{"ignition":{"version":"3.3.0"}}'})
        bu_args = json.dumps({"butane": SMALL})
        commands = [
            ("bare", [py, "-c", "pass"], penv),
            ("floor", [py, "-c", "import yaml"], penv),
            ("cli", [os.path.join(TOP, "tools", "nestos-butane"), small], dict(penv, NESTOS_BUTANE_PYTHON=py)),
            ("empty", [py, "-c", MODULE_EMPTY], menv),
            ("ign", [py, "-c", MODULE_IGNITION % {"path": path, "args": ign_args,
                                                  "check": "'yaml' not in sys.modules"}], menv),
            ("bu", [py, "-c", MODULE_IGNITION % {"path": path, "args": bu_args, "check": "True"}], menv),
            ("live", [py, "-c", MODULE_ISO_KARGS % {"path": path, "iso": iso}], menv),
        ]
        res = interleaved(commands, runs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    bare, floor, cli, empty, ign, bu, live = (res[k] for k in ("bare", "floor", "cli", "empty", "ign", "bu", "live"))
    out = {"runs": runs, "interleaved": True, "bare_python_ms": round(bare[1] * 1000, 2),
           "nestos_butane_small_ms": round(cli[1] * 1000, 2),
           "cli_vs_bare_python": round(cli[1] / bare[1], 2),
           "import_yaml_ms": round(floor[1] * 1000, 2),
           "import_yaml_vs_bare_python": round(floor[1] / bare[1], 2),
           "cli_vs_import_yaml": round(cli[1] / floor[1], 2),
           "module_iso_kargs_ms": round(live[1] * 1000, 2),
           "module_iso_kargs_vs_empty": round(live[1] / empty[1], 2),
           "cpu_module_iso_kargs_vs_empty": round(live[2] / empty[2], 2) if empty[2] else None,
           "empty_module_ms": round(empty[1] * 1000, 2),
           "module_ignition_input_ms": round(ign[1] * 1000, 2),
           "module_ignition_vs_empty": round(ign[1] / empty[1], 2),
           "module_butane_input_ms": round(bu[1] * 1000, 2),
           "module_butane_vs_empty": round(bu[1] / empty[1], 2),
           "cpu_bare_python_ms": round(bare[2] * 1000, 2), "cpu_nestos_butane_small_ms": round(cli[2] * 1000, 2),
           "cpu_cli_vs_bare_python": round(cli[2] / bare[2], 2) if bare[2] else None,
           "cpu_import_yaml_vs_bare_python": round(floor[2] / bare[2], 2) if bare[2] else None,
           "cpu_module_ignition_vs_empty": round(ign[2] / empty[2], 2) if empty[2] else None,
           "cpu_module_butane_vs_empty": round(bu[2] / empty[2], 2) if empty[2] else None,
           "load_average": os.getloadavg()[0]}
    rows.append({"case": "per process (medians of %d runs)" % runs, "input_bytes": len(SMALL.encode()),
                 "best_ms": out["nestos_butane_small_ms"], "median_ms": out["nestos_butane_small_ms"],
                 "runs": runs, "mb_per_s": None, "per_process": out})
    return out


def make_large(root, files, units):
    tree = os.path.join(root, "tree")
    for i in range(files):
        d = os.path.join(tree, "d%02d" % (i % 50))
        if not os.path.isdir(d):
            os.makedirs(d)
        with open(os.path.join(d, "f%05d.conf" % i), "w") as handle:
            handle.write(("key%d=value %d\n" % (i, i)) * (1 + i % 7))
    lines = ["variant: nestos", "version: 1.0.0", "storage:", "  trees:", "    - local: tree", "      path: /etc/app",
             "systemd:", "  units:"]
    for i in range(units):
        lines += ["    - name: app%04d.service" % i, "      enabled: true", "      contents: |",
                  "        [Unit]", "        Description=app %d" % i, "        [Service]",
                  "        ExecStart=/usr/bin/app --instance %d" % i, "        [Install]",
                  "        WantedBy=multi-user.target"]
    text = "\n".join(lines) + "\n"
    tree_bytes = sum(os.path.getsize(os.path.join(dp, f)) for dp, _dn, fn in os.walk(tree) for f in fn)
    return text, tree_bytes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", help="write results to this file")
    args = parser.parse_args()
    n_files = int(os.environ.get("NESTOS_BENCH_BUTANE_FILES", "5000"))
    n_units = int(os.environ.get("NESTOS_BENCH_BUTANE_UNITS", "500"))
    rows = []

    def add(case, nbytes, best, median, runs, extra=None):
        row = {"case": case, "input_bytes": nbytes, "best_ms": round(best * 1000, 3), "median_ms": round(median * 1000, 3),
               "runs": runs, "mb_per_s": round(nbytes / best / 1e6, 3) if best > 0 else None}
        row.update(extra or {})
        rows.append(row)

    best, median, runs = timed(lambda: translate(SMALL))
    add("small config", len(SMALL.encode()), best, median, runs)
    proc = per_process(rows, int(os.environ.get("NESTOS_BENCH_PROCESS_RUNS", "30")))

    guide = [open(p, "rb").read() for p in sorted(glob.glob(os.path.join(TOP, "playbooks", "files", "guide", "*.bu")))]
    best, median, runs = timed(lambda: [translate(t) for t in guide])
    add("guide examples (%d, all)" % len(guide), sum(len(t) for t in guide), best, median, runs)

    tmp = tempfile.mkdtemp(prefix="bench-butane-")
    try:
        text, tree_bytes = make_large(tmp, n_files, n_units)
        result = translate(text, files_dir=tmp)
        out_bytes = len(result.json)
        assert len(result.config["storage"]["files"]) == n_files
        assert len(result.config["systemd"]["units"]) == n_units
        best, median, runs = timed(lambda: translate(text, files_dir=tmp), min_time=0.1, min_runs=2)
        add("large: %d files (trees) + %d units" % (n_files, n_units), len(text.encode()) + tree_bytes, best, median,
            runs, {"output_bytes": out_bytes})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    env = jinja2.Environment()
    env.filters["butane"] = butane_filter
    with_filter = env.from_string("{{ src | butane | tojson }}")
    without = env.from_string("{{ src | tojson }}")
    best_f, med_f, runs_f = timed(lambda: with_filter.render(src=SMALL))
    best_n, med_n, _runs_n = timed(lambda: without.render(src=SMALL))
    rows.append({"case": "filter per call in a template (small config)", "input_bytes": len(SMALL.encode()),
                 "best_ms": round((best_f - best_n) * 1000, 4), "median_ms": round((med_f - med_n) * 1000, 4),
                 "runs": runs_f, "mb_per_s": None,
                 "template_with_filter_ms": round(best_f * 1000, 4),
                 "template_without_filter_ms": round(best_n * 1000, 4)})

    print("%-48s %10s %10s %10s %6s" % ("butane benchmark", "bytes in", "best ms", "median ms", "MB/s"))
    for r in rows:
        print("%-48s %10d %10s %10s %6s" % (r["case"], r["input_bytes"], r["best_ms"],
                                            "-" if r["median_ms"] is None else r["median_ms"],
                                            "-" if r["mb_per_s"] is None else r["mb_per_s"]))
    print("per process (median): nestos-butane small %.1f ms = %.2fx a bare python3 -c pass (%.1f ms; goal <= 2x)"
          % (proc["nestos_butane_small_ms"], proc["cli_vs_bare_python"], proc["bare_python_ms"]))
    print("whole PyYAML (median): python3 -c 'import yaml' %.1f ms = %.2fx a bare python3; nestos-butane "
          "(PyYAML's parser alone) = %.2fx that"
          % (proc["import_yaml_ms"], proc["import_yaml_vs_bare_python"], proc["cli_vs_import_yaml"]))
    print("per process CPU (median): nestos-butane %.1f ms = %s x a bare python3 (%.1f ms); load average %.0f"
          % (proc["cpu_nestos_butane_small_ms"], proc["cpu_cli_vs_bare_python"], proc["cpu_bare_python_ms"],
             proc["load_average"]))
    print("module run (median): Ignition input %.1f ms = %.2fx an empty AnsibleModule run (%.1f ms); Butane input "
          "%.1f ms = %.2fx" % (proc["module_ignition_input_ms"], proc["module_ignition_vs_empty"],
                               proc["empty_module_ms"], proc["module_butane_input_ms"], proc["module_butane_vs_empty"]))
    print("live module run (median): iso_kargs query %.1f ms = %.2fx an empty AnsibleModule run (no PyYAML, no Butane)"
          % (proc["module_iso_kargs_ms"], proc["module_iso_kargs_vs_empty"]))
    f = rows[-1]
    print("template render per call (best): %.4f ms with the filter, %.4f ms without (same run)"
          % (f["template_with_filter_ms"], f["template_without_filter_ms"]))
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as handle:
            json.dump({"benchmark": "butane", "python": platform.python_version(), "results": rows}, handle, indent=2)
            handle.write("\n")
        print("results: %s" % args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
