"""Run the stages of `make test` / `make demo` and end with one summary table.

    stages.py run --log L --name NAME [--junit X.xml] [--after STAGE] [--each A B ...] -- CMD ...
    stages.py summary --log L --title "make test" [--proved]

``run`` runs CMD (once, or once per ``--each`` item appended to it), streams its output, and
appends one JSON line to the log: name, result (passed/failed/skipped), counts, seconds, and the
line the stage printed to say what it proved (its last line starting with ``proved:``, else its
last non-empty line). Counts come from a pytest JUnit XML file (``--junit``), from the
``--each`` items, or from a JSON file the command may write to ``$NESTOS_STAGE_COUNTS``
(``{"passed": n, "failed": n, "skipped": n}``); otherwise the stage counts as one check.
``--after STAGE`` skips the stage when STAGE failed or was skipped (integration needs the lab).
It always exits 0 so that the next stage runs; ``summary`` prints the table and exits 1 when a
stage failed.

Standard library only: it runs before the project's virtualenv exists.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

PROVED = re.compile(r"^\s*proved:\s*(.+)$")
STAGE_PREFIX = re.compile(r"^(?:demo|make)[-\w]*:\s+")
PROVED_WIDTH = 150  # characters of a stage's result line in the summary table


def _read_log(path):
    entries = []
    try:
        with open(path) as handle:
            for line in handle:
                line = line.strip()
                if line:
                    entries.append(json.loads(line))
    except OSError:
        pass
    return entries


def _junit_counts(path):
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    for suite in suites:
        tests = int(suite.get("tests", 0))
        failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped = int(suite.get("skipped", 0))
        counts["failed"] += failed
        counts["skipped"] += skipped
        counts["passed"] += tests - failed - skipped
    return counts


def _stream(cmd, env):
    """Run cmd, echo its output line by line; return (rc, proved line, last line)."""
    proved = last = ""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                            stdin=subprocess.DEVNULL)
    for raw in proc.stdout:
        line = raw.decode("utf-8", "replace")
        sys.stdout.write(line)
        sys.stdout.flush()
        text = line.strip()
        if text:
            last = text
            found = PROVED.match(text)
            if found:
                proved = found.group(1)
    return proc.wait(), proved, last


def _fmt_seconds(seconds):
    seconds = int(round(seconds))
    if seconds < 60:
        return "%ds" % seconds
    return "%dm%02ds" % (seconds // 60, seconds % 60)


def _skipped_after(args, entries):
    """The skip entry when the stage this one runs after did not pass, else None."""
    if not args.after:
        return None
    before = [e for e in entries if e["name"] == args.after]
    if not before or before[-1]["result"] == "passed":
        return None
    print("== stage %s: skipped (%s %s)" % (args.name, args.after, before[-1]["result"]), flush=True)
    return {"name": args.name, "result": "skipped", "counts": None, "seconds": 0.0,
            "proved": "not run: %s %s" % (args.after, before[-1]["result"])}


def _run_each(cmd, items, env):
    """Run cmd once per item (e.g. each benchmark target); one count per item."""
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    failed_items, proved_lines = [], []
    for item in items:
        rc, proved, _last = _stream(cmd + [item], env)
        counts["passed" if rc == 0 else "failed"] += 1
        if rc != 0:
            failed_items.append(item)
        if proved:
            proved_lines.append(proved)
    result = "failed" if failed_items else "passed"
    proved = ("failed: " + ", ".join(failed_items)) if failed_items else "; ".join(proved_lines)
    return result, counts, proved


def _read_counts(path):
    if not os.path.exists(path):
        return None
    try:
        with open(path) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def _run_once(cmd, env, junit, counts_file):
    """Run cmd once; counts from its junit file, else from the counts file it wrote, else one."""
    if junit and os.path.exists(junit):
        os.unlink(junit)
    rc, proved, last = _stream(cmd, env)
    counts = _junit_counts(junit) if junit else None
    if counts is None:
        counts = _read_counts(counts_file)
    if counts is None:
        counts = {"passed": 1 if rc == 0 else 0, "failed": 0 if rc == 0 else 1, "skipped": 0}
    if rc != 0 and counts.get("failed", 0) == 0:
        counts["failed"] = counts.get("failed", 0) + 1  # the command failed outside any counted test
    return ("passed" if rc == 0 else "failed"), counts, proved or STAGE_PREFIX.sub("", last)


def cmd_run(args):
    skipped = _skipped_after(args, _read_log(args.log))
    if skipped:
        _append(args.log, skipped)
        return 0
    cmd = list(args.cmd)
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    fd, counts_file = tempfile.mkstemp(prefix="stage-counts-", suffix=".json")
    os.close(fd)
    os.unlink(counts_file)
    env["NESTOS_STAGE_COUNTS"] = counts_file
    start = time.monotonic()
    try:
        if args.each:
            result, counts, proved = _run_each(cmd, args.each, env)
        else:
            result, counts, proved = _run_once(cmd, env, args.junit, counts_file)
    finally:
        if os.path.exists(counts_file):
            os.unlink(counts_file)
    entry = {"name": args.name, "result": result, "counts": counts,
             "seconds": round(time.monotonic() - start, 1), "proved": proved}
    print("== stage %s: %s (%d passed, %d failed, %d skipped, %s)" % (
        args.name, result, counts.get("passed", 0), counts.get("failed", 0), counts.get("skipped", 0),
        _fmt_seconds(entry["seconds"])), flush=True)
    _append(args.log, entry)
    return 0


def _append(path, entry):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "a") as handle:
        handle.write(json.dumps(entry) + "\n")


def _table(rows, headers):
    widths = [max(len(str(r[i])) for r in rows + [headers]) for i in range(len(headers))]
    sep = "  "
    out = [sep.join(str(h).ljust(w) for h, w in zip(headers, widths)).rstrip(),
           sep.join("-" * w for w in widths)]
    for row in rows:
        out.append(sep.join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())
    return "\n".join(out)


def cmd_summary(args):
    entries = _read_log(args.log)
    if not entries:
        print("%s: no stages ran" % args.title)
        return 1
    total = {"passed": 0, "failed": 0, "skipped": 0}
    rows = []
    seconds = 0.0
    for e in entries:
        c = e.get("counts") or {}
        for key in total:
            total[key] += c.get(key, 0)
        seconds += e.get("seconds", 0.0)
        if args.proved:
            said = e.get("proved", "")
            said = said if len(said) <= PROVED_WIDTH else said[:PROVED_WIDTH - 1] + "\u2026"
            rows.append((e["name"], e["result"], said, _fmt_seconds(e.get("seconds", 0.0))))
        else:
            rows.append((e["name"], e["result"], c.get("passed", 0), c.get("failed", 0), c.get("skipped", 0),
                         _fmt_seconds(e.get("seconds", 0.0))))
    headers = (("stage", "result", "what it proved", "time") if args.proved
               else ("stage", "result", "passed", "failed", "skipped", "time"))
    bad = [e["name"] for e in entries if e["result"] != "passed"]
    print("")
    print("==== %s summary" % args.title)
    print(_table(rows, headers))
    print("")
    if args.proved:
        print("%s: %d of %d stages passed in %s%s" % (
            args.title, len(entries) - len(bad), len(entries), _fmt_seconds(seconds),
            (" (not passed: %s)" % ", ".join(bad)) if bad else ""))
    else:
        print("%d passed, %d failed" % (total["passed"], total["failed"])
              + (", %d skipped" % total["skipped"] if total["skipped"] else "")
              + " in %s%s" % (_fmt_seconds(seconds), (" (stages not passed: %s)" % ", ".join(bad)) if bad else ""))
    return 1 if bad else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    run = sub.add_parser("run")
    run.add_argument("--log", required=True)
    run.add_argument("--name", required=True)
    run.add_argument("--junit")
    run.add_argument("--after")
    run.add_argument("--each", nargs="+")
    run.add_argument("cmd", nargs=argparse.REMAINDER)
    summary = sub.add_parser("summary")
    summary.add_argument("--log", required=True)
    summary.add_argument("--title", required=True)
    summary.add_argument("--proved", action="store_true")
    args = parser.parse_args(argv)
    return cmd_run(args) if args.what == "run" else cmd_summary(args)


if __name__ == "__main__":
    sys.exit(main())
