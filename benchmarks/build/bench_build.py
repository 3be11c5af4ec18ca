"""Build pipeline benchmark (make bench-build).

1. Overhead of playbooks/build.yml over running the same nosa commands directly: the lab
   assembler (podman, --network none) in two fresh workdirs; init, fetch, build,
   buildextend-metal/-metal4k/-live, compress. The playbook run includes the build_host
   role (checks, engine config, image present, wrapper) and the fact collection with
   sha256 verification; push and derive are off. Reported as playbook / direct.
2. sha256 verification of artifacts (plugins/module_utils/assembler/artifacts.py) against
   coreutils `sha256sum` on the same file, page cache warm for both: one file, and two
   files at once (our thread pool vs `sha256sum a b`).
   BUILD_BENCH_SHA_MB=2048 for the 2 GiB file (CI default: 256 MiB).
Results: .cache/bench/build.json.
"""
import importlib.util
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

from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler import artifacts  # noqa: E402

_spec = importlib.util.spec_from_file_location("nestos_lab_build", TOP / "tests" / "lab" / "doubles" / "nestos-assembler" / "lab.py")
lab = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lab)

MIB = 1 << 20
SHA_MB = int(os.environ.get("BUILD_BENCH_SHA_MB", "256"))
VENV = TOP / ".venv" / "bin"
STEPS = [["init", "/lab-config"], ["fetch"], ["build"], ["buildextend-metal"], ["buildextend-metal4k"],
         ["buildextend-live"], ["compress"]]


def run_playbook(work, media):
    extra = lab.lab_vars(str(work / "pb" / "nestos-build"), media=media, push=False, derive=False, config_edits={})
    extra["nestos_build_poll_seconds"] = 1
    vars_file = work / "vars.json"
    vars_file.write_text(json.dumps(extra))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(TOP / ".build" / "collections"))
    cmd = [str(VENV / "ansible-playbook"), "-i", "localhost,", "-c", "local",
           "-e", "ansible_python_interpreter=%s" % (VENV / "python"), "-e", "@%s" % vars_file,
           str(TOP / "playbooks" / "build.yml")]
    start = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, check=False)
    took = time.monotonic() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout.decode()[-4000:])
        raise SystemExit("playbook failed")
    return took, extra


def run_direct(work, extra):
    wd = work / "direct"
    wd.mkdir()
    env = dict(os.environ, **lab.container_env())
    start = time.monotonic()
    for step in STEPS:
        subprocess.run([extra["nestos_build_nosa"]] + step, cwd=str(wd), env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    return time.monotonic() - start


def best(fn, repeat=2):
    times = []
    for _round in range(repeat):
        start = time.monotonic()
        fn()
        times.append(time.monotonic() - start)
    return min(times)


def bench_sha(work):
    big = work / "artifact.raw"
    block = os.urandom(4 * MIB)
    with open(big, "wb") as handle:
        for _block in range(SHA_MB // 4):
            handle.write(block)
    half = [work / "a.raw", work / "b.raw"]
    for path in half:
        with open(path, "wb") as handle:
            for _block in range(SHA_MB // 8):
                handle.write(block)
    ours_digest = artifacts.sha256_stream(str(big))[0]
    ref_digest = subprocess.run(["sha256sum", str(big)], stdout=subprocess.PIPE, check=True).stdout.split()[0].decode()
    assert ours_digest == ref_digest
    t_ours = best(lambda: artifacts.sha256_stream(str(big)))
    t_ref = best(lambda: subprocess.run(["sha256sum", str(big)], stdout=subprocess.DEVNULL, check=True))
    t_ours2 = best(lambda: artifacts.verify_many([str(p) for p in half]))
    t_ref2 = best(lambda: subprocess.run(["sha256sum"] + [str(p) for p in half], stdout=subprocess.DEVNULL, check=True))
    return {"size_mib": SHA_MB, "ours_s": round(t_ours, 3), "sha256sum_s": round(t_ref, 3),
            "ours_mib_s": round(SHA_MB / t_ours, 1), "sha256sum_mib_s": round(SHA_MB / t_ref, 1),
            "ratio_ours_over_sha256sum": round(t_ours / t_ref, 3),
            "two_files_ours_s": round(t_ours2, 3), "two_files_sha256sum_s": round(t_ref2, 3),
            "two_files_ratio": round(t_ours2 / t_ref2, 3)}


def main():
    media = lab.media_paths()
    work = pathlib.Path(tempfile.mkdtemp(prefix="bench-build-", dir=str(TOP / ".cache")))
    try:
        t_play, extra = run_playbook(work, media)
        t_direct = run_direct(work, extra)
        overhead = {"playbook_s": round(t_play, 2), "direct_nosa_s": round(t_direct, 2),
                    "ratio_playbook_over_direct": round(t_play / t_direct, 2), "nosa_commands": len(STEPS)}
        sha = bench_sha(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {"overhead": overhead, "sha256": sha}
    out = TOP / ".cache" / "bench" / "build.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print("build.yml vs direct nosa (%d commands): %.1f s vs %.1f s -> ratio %.2f" % (
        len(STEPS), t_play, t_direct, overhead["ratio_playbook_over_direct"]))
    print("sha256 %d MiB: ours %.0f MiB/s, sha256sum %.0f MiB/s -> time ratio %.2f; two files in parallel: ratio %.2f" % (
        SHA_MB, sha["ours_mib_s"], sha["sha256sum_mib_s"], sha["ratio_ours_over_sha256sum"], sha["two_files_ratio"]))
    print("results: %s" % out)


if __name__ == "__main__":
    main()
