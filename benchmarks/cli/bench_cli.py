# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start-up of tools/nestos-installer (make bench-cli).

One run of each, per process, on the same machine in the same script:
``nestos-installer iso kargs show ISO`` (a whole process: interpreter, argument parsing, the
ISO read) against a bare ``python3 -c pass`` (the floor any Python program pays), and, for
scale, ``nestos-installer --help`` (the grammar alone). The ISO is the lab ISO when it is
built, else an upstream fixture ISO. Figures go to .cache/bench/cli.json.
"""

import json
import lzma
import os
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
TOOL = os.path.join(TOP, "tools", "nestos-installer")
SHARED = os.environ.get("NESTOS_SHARED", os.path.join(os.path.dirname(TOP), "shared"))
LAB_ISO = os.path.join(os.environ.get("NESTOS_LAB_CACHE", os.path.join(TOP, ".cache", "lab")),
                       "nestos-lab-live.x86_64.iso")
FIXTURE = os.path.join(SHARED, "fixtures", "upstream", "coreos-installer", "fixtures", "iso",
                       "embed-areas-2023-07.x86_64.iso.xz")


def timed(argv):
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit("benchmark command failed: %s\n%s" % (" ".join(argv), proc.stderr.decode()))
    return elapsed


def main():
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as work:
        if os.path.isfile(LAB_ISO):
            iso, which = LAB_ISO, "lab ISO"
        else:
            iso, which = os.path.join(work, "fixture.iso"), "upstream fixture embed-areas-2023-07.x86_64"
            with open(iso, "wb") as handle:
                handle.write(lzma.decompress(open(FIXTURE, "rb").read()))
        python = sys.executable
        # warm the page cache and .pyc files once (not measured), then one measured run each
        timed([python, TOOL, "iso", "kargs", "show", iso])
        bare = timed([python, "-c", "pass"])
        show = timed([python, TOOL, "iso", "kargs", "show", iso])
        helps = timed([python, TOOL, "--help"])
    result = {
        "iso": which,
        "python_c_pass_s": round(bare, 4),
        "iso_kargs_show_s": round(show, 4),
        "help_s": round(helps, 4),
        "iso_kargs_show_ratio_vs_python_c_pass": round(show / bare, 2),
        "help_ratio_vs_python_c_pass": round(helps / bare, 2),
        "runs": 1,
    }
    out = os.path.join(TOP, ".cache", "bench")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "cli.json"), "w") as handle:
        json.dump(result, handle, indent=2)
        handle.write("\n")
    print("start-up, one run each (%s):" % which)
    print("  python3 -c pass            %7.1f ms" % (bare * 1000))
    print("  nestos-installer --help    %7.1f ms  (%.2fx)" % (helps * 1000, helps / bare))
    print("  nestos-installer iso kargs show  %7.1f ms  (%.2fx python3 -c pass)" % (show * 1000, show / bare))
    print("bench-cli: per-process start-up of iso kargs show measured against python3 -c pass -> .cache/bench/cli.json")


if __name__ == "__main__":
    main()
