# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the Butane engine (make bench-butane).

Cases: a small config, the NestOS guide's examples, a large config (5,000 files through
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
