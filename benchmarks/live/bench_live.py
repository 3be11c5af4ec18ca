"""Live media benchmark: customize an ISO in place, to a new file and as a stream, each as a
ratio to `cp` of the same file in the same run; and in-place embed time as the ISO grows.

    python -m benchmarks.live.bench_live            # CI sizes: 256 MiB; growth 64..512 MiB
    NESTOS_BENCH_FULL=1 python -m benchmarks.live.bench_live   # 1 GiB; growth 64 MiB..2 GiB

Images are real (non-sparse) files: a small NestOS-layout ISO made with xorriso, extended with
zeros written in 4 MiB blocks. Everything is removed afterwards. Results go to
.cache/bench/live.json.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

TOP = pathlib.Path(__file__).resolve().parents[2]
for extra in (TOP / ".build" / "collections", TOP):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from ansible_collections.nestos.lifecycle.plugins.module_utils.live import api  # noqa: E402
from tests.support.live_media import build_iso  # noqa: E402

MIB = 1 << 20
FULL = os.environ.get("NESTOS_BENCH_FULL") == "1"
CUSTOMIZE_SIZE = (1024 if FULL else 256) * MIB
GROWTH = [64, 128, 256, 512, 1024, 2048] if FULL else [64, 128, 256, 512]
OPTIONS = {
    "dest_ignition": [("dest.ign", b'{"ignition":{"version":"3.3.0"},"passwd":{"users":[{"name":"core"}]}}')],
    "dest_device": "/dev/sda",
    "network_keyfile": [("eth0.nmconnection", b"[connection]\nid=eth0\ntype=ethernet\n")],
}


def make_image(path, size, work):
    build_iso(str(path), str(work))
    block = b"\0" * (4 * MIB)
    with open(str(path), "ab") as handle:
        left = size - os.path.getsize(str(path))
        while left > 0:
            n = min(len(block), left)
            handle.write(block[:n])
            left -= n
        handle.flush()
        os.fsync(handle.fileno())


def fsync_path(path):
    fd = os.open(str(path), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def best(fn, setup=None, runs=2):
    times = []
    for _run in range(runs):
        if setup:
            setup()
        times.append(timed(fn))
    return min(times)


def plan_for(path):
    with api.open_iso(str(path)) as iso:
        return api.plan_customize(iso, OPTIONS, live_karg_append=["console=ttyS0"], force=True)


def customize_modes(work):
    src = work / "src.iso"
    make_image(src, CUSTOMIZE_SIZE, work)
    copy = work / "copy.iso"
    out = work / "out.iso"
    streamed = work / "stream.iso"

    def rm(*paths):
        for p in paths:
            if p.exists():
                p.unlink()

    def do_cp():
        subprocess.run(["cp", str(src), str(copy)], check=True)

    def do_cp_sync():
        do_cp()
        fsync_path(copy)

    def do_stream():
        with open(str(streamed), "wb") as handle:
            api.apply_plan(plan_for(src), stream=handle)

    def reset_copy():
        rm(copy)
        shutil.copyfile(str(src), str(copy))
        fsync_path(copy)  # so in-place timing does not pay for the set-up copy's writeback

    def do_in_place():
        plan = None
        with api.open_iso(str(copy)) as iso:
            plan = api.plan_customize(iso, OPTIONS, live_karg_append=["console=ttyS0"], force=True)
        api.apply_plan(plan)

    def do_new():
        api.apply_plan(plan_for(src), output=str(out))

    # interleaved rounds, best of each: the machine is shared, so noise hits every mode alike
    times = {"cp": [], "cp_sync": [], "new": [], "stream": [], "inplace": []}
    for _run in range(3):
        rm(copy)
        times["cp"].append(timed(do_cp))
        rm(copy)
        times["cp_sync"].append(timed(do_cp_sync))
        rm(out)
        times["new"].append(timed(do_new))
        rm(streamed)
        times["stream"].append(timed(do_stream))
        reset_copy()
        times["inplace"].append(timed(do_in_place))
    t_cp, t_cp_sync, t_new, t_stream, t_inplace = (min(times[k]) for k in ("cp", "cp_sync", "new", "stream", "inplace"))
    identical = (api.output_matches(plan_for(src), str(out)) and
                 open(str(out), "rb").read() == open(str(streamed), "rb").read() == open(str(copy), "rb").read())
    rm(src, copy, out, streamed)
    return {
        "size_mib": CUSTOMIZE_SIZE // MIB,
        "cp_s": round(t_cp, 4), "cp_fsync_s": round(t_cp_sync, 4),
        "new_file_s": round(t_new, 4), "stream_s": round(t_stream, 4), "in_place_s": round(t_inplace, 4),
        "new_file_vs_cp_fsync": round(t_new / t_cp_sync, 3),
        "new_file_vs_cp": round(t_new / t_cp, 3),
        "stream_vs_cp": round(t_stream / t_cp, 3),
        "in_place_vs_cp": round(t_inplace / t_cp, 4),
        "three_modes_identical": identical,
    }


def growth(work):
    rows = []
    for size in GROWTH:
        path = work / ("grow-%d.iso" % size)
        make_image(path, size * MIB, work)

        def embed():
            with api.open_iso(str(path)) as iso:
                plan = api.plan_ignition_embed(iso, b'{"ignition":{"version":"3.3.0"}}', force=True)
            api.apply_plan(plan)

        def remove():
            with api.open_iso(str(path)) as iso:
                api.apply_plan(api.plan_ignition_remove(iso))

        t = best(embed, remove, runs=5)
        rows.append({"size_mib": size, "embed_in_place_s": round(t, 4)})
        path.unlink()
    return rows


def main():
    out_dir = TOP / ".cache" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    work = pathlib.Path(tempfile.mkdtemp(prefix="bench-live-", dir=str(out_dir)))
    try:
        modes = customize_modes(work)
        grow = growth(work)
    finally:
        shutil.rmtree(str(work), ignore_errors=True)
    flat = max(r["embed_in_place_s"] for r in grow) / max(min(r["embed_in_place_s"] for r in grow), 1e-6)
    result = {"full": FULL, "customize": modes, "embed_growth": grow, "embed_growth_max_over_min": round(flat, 2)}
    (out_dir / "live.json").write_text(json.dumps(result, indent=2) + "\n")
    print("live media benchmark (%s sizes)" % ("full" if FULL else "CI"))
    print("customize a %d MiB ISO:" % modes["size_mib"])
    print("  %-22s %9s %10s" % ("mode", "seconds", "ratio"))
    print("  %-22s %9.3f %10s" % ("cp", modes["cp_s"], "1.000"))
    print("  %-22s %9.3f %10s" % ("cp + fsync", modes["cp_fsync_s"], "1.000"))
    print("  %-22s %9.3f %10.3f  (vs cp + fsync; ours fsyncs)" % ("new file (atomic)", modes["new_file_s"],
                                                                  modes["new_file_vs_cp_fsync"]))
    print("  %-22s %9.3f %10.3f  (vs cp)" % ("stream", modes["stream_s"], modes["stream_vs_cp"]))
    print("  %-22s %9.3f %10.4f  (vs cp)" % ("in place", modes["in_place_s"], modes["in_place_vs_cp"]))
    print("  three modes give identical bytes: %s" % modes["three_modes_identical"])
    print("in-place embed as the ISO grows:")
    for row in grow:
        print("  %6d MiB  %8.4f s" % (row["size_mib"], row["embed_in_place_s"]))
    print("  max/min = %.2f (flat when close to 1)" % flat)
    if not modes["three_modes_identical"]:
        print("ERROR: output modes differ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
