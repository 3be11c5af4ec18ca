"""`make fuzz`: a resumable fuzz campaign of a million inputs per engine, in chunks.

    fuzz_campaign.py [--per-engine N] [--chunk C] [--jobs J] [--state FILE] [--reset]
                     [--until HH:MM|SECONDS] [ENGINE ...]

Each engine is a ``tests/fuzz/test_fuzz_<engine>.py`` file. A chunk runs that file once with
``NESTOS_FUZZ_EXAMPLES=C`` (shared between its tests, as in ``make test``), random generation and
a seed of its own, and counts the inputs hypothesis actually ran from its statistics (passing and
failing test cases of the generate phase; rejected draws are not counted). Chunks are recorded in
the state file (``.cache/fuzz/campaign.json``) as they finish, so a campaign stopped by the
session or by ``--until`` goes on where it stopped when run again. A failing chunk is kept with
its seed and pytest's output (hypothesis prints the falsifying input and a reproduction blob) and
the campaign stops asking that engine for more; the exit status is 1 when any chunk failed.

Progress: one line per finished chunk (engine, inputs so far, rate); a table at the end.
Standard library only.
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUZZ_DIR = os.path.join(TOP, "tests", "fuzz")
PHASE = re.compile(r"^\s*- during (\w+) phase")
COUNTS = re.compile(r"^\s*- (\d+) passing, (\d+) failing, and (\d+) invalid")
OUTPUT_TAIL = 6000  # characters of a failing chunk's pytest output kept in the state file


def engines_available():
    names = []
    for name in sorted(os.listdir(FUZZ_DIR)):
        match = re.match(r"^test_fuzz_(\w+)\.py$", name)
        if match:
            names.append(match.group(1))
    return names


def count_inputs(output):
    """Inputs run in the generate phase, summed over the file's tests: (passing, failing)."""
    passing = failing = 0
    phase = None
    for line in output.splitlines():
        match = PHASE.match(line)
        if match:
            phase = match.group(1)
            continue
        match = COUNTS.match(line)
        if match and phase == "generate":
            passing += int(match.group(1))
            failing += int(match.group(2))
    return passing, failing


def load_state(path, per_engine, chunk):
    try:
        with open(path) as handle:
            state = json.load(handle)
    except (OSError, ValueError):
        state = {}
    if state.get("per_engine") != per_engine or state.get("chunk") != chunk:
        state = {"per_engine": per_engine, "chunk": chunk, "engines": {}}
    return state


def save_state(path, state):
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=".campaign.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "w") as out:
            json.dump(state, out, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def run_chunk(engine, chunk, seed, python):
    env = dict(os.environ, NESTOS_FUZZ_EXAMPLES=str(chunk), NESTOS_FUZZ_RANDOM="1")
    argv = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
            "--hypothesis-show-statistics", "--hypothesis-seed=%d" % seed,
            os.path.join("tests", "fuzz", "test_fuzz_%s.py" % engine)]
    started = time.monotonic()
    proc = subprocess.run(argv, cwd=TOP, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          stdin=subprocess.DEVNULL, universal_newlines=True, errors="replace", check=False)
    seconds = time.monotonic() - started
    passing, failing = count_inputs(proc.stdout)
    return {"seed": seed, "asked": chunk, "inputs": passing + failing, "failing": failing,
            "rc": proc.returncode, "seconds": round(seconds, 1),
            "output": proc.stdout[-OUTPUT_TAIL:] if proc.returncode else ""}


def engine_totals(record):
    chunks = record.get("chunks", [])
    return {
        "asked": sum(c["asked"] for c in chunks),
        "inputs": sum(c["inputs"] for c in chunks),
        "seconds": sum(c["seconds"] for c in chunks),
        "failed": any(c["rc"] != 0 for c in chunks),
    }


def parse_until(text):
    if not text:
        return None
    if ":" in text:
        hours, minutes = (int(part) for part in text.split(":", 1))
        now = time.localtime()
        target = time.mktime(now[:3] + (hours, minutes, 0) + now[6:])
        if target < time.time():
            target += 86400
        return target
    return time.time() + float(text)


def table(state, engines):
    rows = []
    for engine in engines:
        totals = engine_totals(state["engines"].get(engine, {}))
        rate = totals["inputs"] / totals["seconds"] if totals["seconds"] else 0.0
        status = "FAILED" if totals["failed"] else (
            "done" if totals["asked"] >= state["per_engine"] else "partial")
        rows.append((engine, totals["inputs"], totals["asked"], rate, totals["seconds"], status))
    print("%-10s %12s %12s %10s %10s  %s" % ("engine", "inputs run", "asked", "inputs/s", "seconds", "status"))
    for engine, inputs, asked, rate, seconds, status in rows:
        print("%-10s %12s %12s %10.0f %10.0f  %s"
              % (engine, "{:,}".format(inputs), "{:,}".format(asked), rate, seconds, status))
    return rows


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("engines", nargs="*", help="engines (default: every tests/fuzz/test_fuzz_<engine>.py)")
    parser.add_argument("--per-engine", type=int, default=1000000)
    parser.add_argument("--chunk", type=int, default=50000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--state", default=os.path.join(TOP, ".cache", "fuzz", "campaign.json"))
    parser.add_argument("--reset", action="store_true", help="forget earlier chunks")
    parser.add_argument("--until", help="stop asking for chunks at HH:MM or after SECONDS")
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args(argv)
    available = engines_available()
    unknown = sorted(set(args.engines) - set(available))
    if unknown:
        parser.error("no tests/fuzz/test_fuzz_<engine>.py for: %s (have: %s)" % (", ".join(unknown), ", ".join(available)))
    args.engines = args.engines or available
    return args


class Campaign(object):
    """Chunks in flight over a thread pool; each finished chunk is saved to the state file at once."""

    def __init__(self, args, state):
        self.args = args
        self.state = state
        self.in_flight = {}
        self.rng = random.SystemRandom()

    def _asked(self, engine):
        asked = engine_totals(self.state["engines"].get(engine, {}))["asked"]
        return asked + sum(self.args.chunk for e in self.in_flight.values() if e == engine)

    def _ready(self):
        return [engine for engine in self.args.engines
                if not engine_totals(self.state["engines"].get(engine, {}))["failed"]
                and self._asked(engine) < self.args.per_engine]

    def submit_ready(self, pool):
        """Start chunks until --jobs run at once, each for the ready engine (neither failed nor at its
        count) with the fewest chunks in flight, so engines take turns and one left gets every job."""
        while len(self.in_flight) < self.args.jobs:
            ready = self._ready()
            if not ready:
                return
            running = list(self.in_flight.values())
            engine = min(ready, key=running.count)
            future = pool.submit(run_chunk, engine, self.args.chunk, self.rng.randrange(2 ** 32), self.args.python)
            self.in_flight[future] = engine

    def collect_one(self):
        """Wait for the next chunk, save it, print its progress line (and pytest's tail if it failed)."""
        future = next(as_completed(self.in_flight))
        engine = self.in_flight.pop(future)
        result = future.result()
        record = self.state["engines"].setdefault(engine, {"chunks": []})
        record["chunks"].append(result)
        save_state(self.args.state, self.state)
        totals = engine_totals(record)
        per_engine = self.args.per_engine
        rate = result["inputs"] / result["seconds"] if result["seconds"] else 0.0
        print("fuzz %-8s %9s/%s inputs (%3.0f%%) %6.0f inputs/s%s" % (
            engine, "{:,}".format(totals["asked"]), "{:,}".format(per_engine), 100.0 * totals["asked"] / per_engine,
            rate, "  FAILED (seed %d): see %s" % (result["seed"], self.args.state) if result["rc"] else ""),
            flush=True)
        if result["rc"]:
            print(result["output"][-2000:], flush=True)


def summary(state, args):
    rows = table(state, args.engines)
    failed = [row[0] for row in rows if row[5] == "FAILED"]
    partial = [row[0] for row in rows if row[5] == "partial"]
    if failed:
        print("fuzz: FAILED in %s" % ", ".join(failed))
        return 1
    if partial:
        print("fuzz: stopped before the end (%s); run `make fuzz` again to go on" % ", ".join(partial))
        return 0
    print("proved: %s inputs per engine over %d engine%s, only NestosError left an engine"
          % ("{:,}".format(args.per_engine), len(args.engines), "" if len(args.engines) == 1 else "s"))
    return 0


def main(argv=None):
    args = parse_args(argv)
    if args.reset and os.path.exists(args.state):
        os.unlink(args.state)
    state = load_state(args.state, args.per_engine, args.chunk)
    deadline = parse_until(args.until)
    print("fuzz: %s inputs per engine in chunks of %s, %d at a time; state %s"
          % ("{:,}".format(args.per_engine), "{:,}".format(args.chunk), args.jobs, args.state))
    campaign = Campaign(args, state)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        while True:
            if deadline is None or time.time() < deadline:
                campaign.submit_ready(pool)
            if not campaign.in_flight:
                break
            campaign.collect_one()
    print()
    return summary(state, args)


if __name__ == "__main__":
    sys.exit(main())
