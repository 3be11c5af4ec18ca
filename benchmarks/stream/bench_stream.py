"""Download benchmark, ratios against ``curl`` measured in the same run from the same nginx:

- throughput of the image_download engine (sha256 computed while downloading, partial file,
  rename) and of ``nestos-installer download`` against ``curl -o`` of the same file (one run each),
  and against ``curl -o`` followed by a sha256 of the file (what a verified download costs with curl);
- cost of a resume: a transfer interrupted at half (the partial file truncated to half) resumed
  with a Range request - bytes the server sent (from its access log) against the file size, and
  time of the resume against the full download.

    python -m benchmarks.stream.bench_stream      # results in .cache/bench/stream.json
    NESTOS_BENCH_STREAM_MIB=128 ...               # file size (default 512 MiB)
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

from ansible_collections.nestos.lifecycle.plugins.module_utils.stream import download  # noqa: E402
from tests.lab import stream as lab  # noqa: E402

MIB = 1 << 20
SIZE = int(os.environ.get("NESTOS_BENCH_STREAM_MIB", "512")) * MIB
OUT = TOP / ".cache" / "bench" / "stream.json"


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def engine_download(url, sha, dest):
    opts = download.Options(insecure=True)
    steps = download.plan_download([download.direct_source(url, sha)], str(dest), opts)
    return download.run_download(steps, opts)[0]


def sent_bytes(server, uri):
    return sum(entry[2] for entry in server.log() if entry[3] == uri)


def measure(work, server):
    src = lab.random_file(server.www / "bench.raw", SIZE, b"bench")
    sha = lab.sha256(src)
    url = server.base + "bench.raw"
    curl_out = work / "curl.raw"
    curl = timed(lambda: subprocess.run(["curl", "-sSf", "-o", str(curl_out), url], check=True))
    from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import sha256_file
    hash_after = timed(lambda: sha256_file(str(curl_out)))
    curl_out.unlink()
    ours_dest = work / "ours"
    ours_dest.mkdir()
    ours = timed(lambda: engine_download(url, sha, ours_dest))
    assert lab.sha256(ours_dest / "bench.raw") == sha
    cli_dest = work / "cli"
    cli_dest.mkdir()
    cli = timed(lambda: subprocess.run([str(TOP / "tools" / "nestos-installer"), "download", "-u", url, "--insecure",
                                        "-C", str(cli_dest)], check=True, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, env=dict(os.environ,
                                                                           NESTOS_INSTALLER_PYTHON=sys.executable)))
    shutil.rmtree(str(cli_dest))
    final = ours_dest / "bench.raw"
    partial = ours_dest / ".bench.raw.partial"
    os.rename(str(final), str(partial))
    os.truncate(str(partial), SIZE // 2)
    server.clear_log()
    resume = {}
    resume_time = timed(lambda: resume.update(engine_download(url, sha, ours_dest)))
    assert resume["resumed"] == SIZE // 2 and resume["sha256"] == sha
    refetched = sent_bytes(server, "/bench.raw")
    return {
        "size_bytes": SIZE,
        "curl_seconds": round(curl, 3),
        "engine_seconds": round(ours, 3),
        "cli_seconds": round(cli, 3),
        "curl_mib_per_s": round(SIZE / MIB / curl, 1),
        "engine_mib_per_s": round(SIZE / MIB / ours, 1),
        "curl_then_sha256_seconds": round(curl + hash_after, 3),
        "engine_vs_curl_time_ratio": round(ours / curl, 2),
        "engine_vs_curl_then_sha256_time_ratio": round(ours / (curl + hash_after), 2),
        "cli_vs_curl_time_ratio": round(cli / curl, 2),
        "resume_kept_bytes": resume["resumed"],
        "resume_refetched_bytes": refetched,
        "resume_refetched_fraction": round(refetched / SIZE, 3),
        "resume_seconds": round(resume_time, 3),
        "resume_vs_full_time_ratio": round(resume_time / ours, 2),
    }


def main():
    work = pathlib.Path(tempfile.mkdtemp(prefix="nestos-bench-stream-"))
    server = lab.Nginx(work / "nginx")
    try:
        result = measure(work, server)
    finally:
        server.stop()
        shutil.rmtree(str(work), ignore_errors=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    print(json.dumps(result, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
