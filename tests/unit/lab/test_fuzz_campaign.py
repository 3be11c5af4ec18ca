"""The `make fuzz` campaign: counting what hypothesis ran, resuming where a campaign stopped."""
import json
import os
import subprocess
import sys

from tools import fuzz_campaign

# Captured from a real run: pytest --hypothesis-show-statistics on tests/fuzz/test_fuzz_stream.py.
STATISTICS = """
tests/fuzz/test_fuzz_stream.py::test_arbitrary_bytes:

  - during reuse phase (0.00 seconds):
    - Typical runtimes: < 1ms, of which < 1ms in data generation
    - 3 passing, 0 failing, and 0 invalid test cases

  - during generate phase (0.16 seconds):
    - Typical runtimes: < 1ms, of which < 1ms in data generation
    - 167 passing, 0 failing, and 0 invalid test cases

  - Stopped because settings.max_examples=167


tests/fuzz/test_fuzz_stream.py::test_arbitrary_json:

  - during generate phase (0.40 seconds):
    - Typical runtimes: ~ 0-5 ms, of which ~ 0-4 ms in data generation
    - 160 passing, 1 failing, and 20 invalid test cases

  - during shrink phase (0.20 seconds):
    - Typical runtimes: ~ 0-5 ms, of which ~ 0-4 ms in data generation
    - 40 passing, 9 failing, and 2 invalid test cases
"""


def test_counts_generate_phase_only_and_not_invalid_draws():
    assert fuzz_campaign.count_inputs(STATISTICS) == (167 + 160, 1)


def test_every_fuzz_file_is_an_engine():
    names = sorted(n for n in os.listdir(fuzz_campaign.FUZZ_DIR) if n.startswith("test_fuzz_"))
    assert ["test_fuzz_%s.py" % e for e in fuzz_campaign.engines_available()] == names
    assert "stream" in fuzz_campaign.engines_available()


def run(state, *extra):
    return subprocess.run(
        [sys.executable, os.path.join(fuzz_campaign.TOP, "tools", "fuzz_campaign.py"),
         "--per-engine", "120", "--chunk", "60", "--jobs", "1", "--state", str(state)] + list(extra),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)


def test_campaign_runs_in_chunks_and_resumes(tmp_path):
    state = tmp_path / "campaign.json"
    first = run(state, "stream")
    assert first.returncode == 0, first.stdout
    chunks = json.loads(state.read_text())["engines"]["stream"]["chunks"]
    assert [c["asked"] for c in chunks] == [60, 60]
    assert all(c["rc"] == 0 and c["inputs"] >= 60 for c in chunks)
    assert len({c["seed"] for c in chunks}) == 2
    assert "proved: 120 inputs per engine over 1 engine," in first.stdout
    again = run(state, "stream")
    assert again.returncode == 0, again.stdout
    assert len(json.loads(state.read_text())["engines"]["stream"]["chunks"]) == 2  # nothing re-run


def test_unknown_engine_is_refused(tmp_path):
    result = run(tmp_path / "s.json", "nosuch")
    assert result.returncode == 2
    assert "no tests/fuzz/test_fuzz_<engine>.py for: nosuch" in result.stdout


class _Pool(object):
    """Records submissions instead of running chunks."""

    def __init__(self):
        self.calls = []

    def submit(self, func, engine, *args):
        self.calls.append(engine)
        return object()


def _campaign(engines, jobs, state_engines):
    args = fuzz_campaign.parse_args(["--jobs", str(jobs), "--per-engine", "200", "--chunk", "50"] + engines)
    return fuzz_campaign.Campaign(args, {"engines": state_engines})


def test_one_engine_left_gets_every_job():
    campaign = _campaign(["stream"], 2, {})
    pool = _Pool()
    campaign.submit_ready(pool)
    assert pool.calls == ["stream", "stream"]


def test_no_more_is_asked_than_the_count_nor_of_a_failed_engine():
    done = {"chunks": [{"asked": 150, "inputs": 150, "seconds": 1, "rc": 0}]}
    failed = {"chunks": [{"asked": 50, "inputs": 10, "seconds": 1, "rc": 1}]}
    campaign = _campaign(["stream", "report"], 4, {"stream": done, "report": failed})
    pool = _Pool()
    campaign.submit_ready(pool)
    assert pool.calls == ["stream"]
