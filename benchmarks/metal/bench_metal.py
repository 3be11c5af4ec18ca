"""Metal write throughput: the metal engine writing an image onto a disk-image file, as a ratio
to `dd` of the same uncompressed image to the same target, and to `xz -dc | dd` for the same
image compressed with xz, one run each in the same process.

    python -m benchmarks.metal.bench_metal          # 256 MiB image
    NESTOS_BENCH_METAL_MIB=1024 python -m benchmarks.metal.bench_metal

The image is the lab's NestOS metal image (tests/lab/metal.py, `make lab`) extended to the size
with incompressible data and zeros (half each), so it has a real GPT and boot partition. Both
sides end with the data on disk (dd conv=fsync; the engine fsyncs before its rename). The
engine's figure includes what dd does not do: reading the target's state first, the GPT
rewrite and an Ignition config written into the boot partition. Results: .cache/bench/metal.json.
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

from ansible_collections.nestos.lifecycle.plugins.module_utils.metal import api  # noqa: E402
from tests.lab import metal  # noqa: E402

MIB = 1 << 20
SIZE = int(os.environ.get("NESTOS_BENCH_METAL_MIB", "256")) * MIB
CONFIG = '{"ignition":{"version":"3.3.0"}}'


def make_image(base, path):
    shutil.copyfile(base, path)
    rand = os.urandom(MIB)
    with open(path, "ab") as handle:
        left = SIZE - os.path.getsize(path)
        i = 0
        while left > 0:
            block = (rand[i % 7:] + rand[:i % 7]) if i % 2 == 0 else b"\0" * MIB
            handle.write(block[:min(MIB, left)])
            left -= min(MIB, left)
            i += 1
    xz = path + ".xz"
    with open(path, "rb") as src, open(xz, "wb") as dst:
        subprocess.run(["xz", "-T2", "-1", "-c"], stdin=src, stdout=dst, check=True)
    return xz


def timed(fn):
    started = time.monotonic()
    fn()
    return time.monotonic() - started


def dd(src_cmd, image, target):
    if os.path.exists(target):
        os.unlink(target)
    if src_cmd is None:
        subprocess.run(["dd", "if=" + image, "of=" + target, "bs=4M", "conv=fsync", "status=none"], check=True)
    else:
        subprocess.run("%s %s | dd of=%s bs=4M iflag=fullblock conv=fsync status=none" % (src_cmd, image, target),
                       shell=True, check=True)


def engine(image, target):
    if os.path.exists(target):
        os.unlink(target)
    result = api.install({"dest": target, "image_file": image, "insecure": True, "ignition": CONFIG})
    assert result["changed"] and result["state_after"] == "installed", result


def main():
    base = metal.paths()["raw"]
    out = TOP / ".cache" / "bench" / "metal.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-metal-", dir=str(TOP / ".cache")) as work:
        image = os.path.join(work, "metal.raw")
        print("metal bench: preparing a %d MiB image (lab metal image + data) and its xz" % (SIZE // MIB))
        xz = make_image(base, image)
        target = os.path.join(work, "target.raw")
        figures = {}
        for name, fn in (("dd_raw", lambda: dd(None, image, target)),
                         ("metal_raw", lambda: engine(image, target)),
                         ("xz_dd", lambda: dd("xz -dc", xz, target)),
                         ("metal_xz", lambda: engine(xz, target))):
            figures[name] = round(timed(fn), 3)
            print("  %-10s %7.2f s" % (name, figures[name]))
        result = {
            "image_mib": SIZE // MIB, "xz_mib": round(os.path.getsize(xz) / MIB, 1),
            "seconds": figures,
            "ratio_raw_vs_dd": round(figures["metal_raw"] / figures["dd_raw"], 2),
            "ratio_xz_vs_xz_dd": round(figures["metal_xz"] / figures["xz_dd"], 2),
            "throughput_mib_s": {k: round(SIZE / MIB / v, 1) for k, v in figures.items()},
            "load_average": round(os.getloadavg()[0], 1), "cpus": os.cpu_count(),
        }
    out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    print("metal write vs dd (raw): %.2fx the time; vs xz -dc | dd: %.2fx  (written to %s)"
          % (result["ratio_raw_vs_dd"], result["ratio_xz_vs_xz_dd"], out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
