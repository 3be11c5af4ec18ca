"""The rollout engine against real programs: phase scripts run by busybox sh (what NestOS
hosts' /bin/sh is in the fleet lab) and bash (NestOS's /bin/sh), and Zincati's node id
against systemd's own app-specific machine id (systemd-id128)."""
import pathlib
import shutil
import subprocess

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.rollout import fleetlock
from ansible_collections.nestos.lifecycle.plugins.module_utils.rollout import script as S

SHELLS = [["busybox", "sh"], ["bash", "--posix"], ["dash"]]


def _run(shell, text):
    if not shutil.which(shell[0]):
        pytest.fail("%s is missing: `make setup` installs it" % shell[0])
    return subprocess.run(shell + ["-c", text], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=30, check=False)


@pytest.mark.parametrize("shell", SHELLS, ids=lambda s: s[0])
def test_steps_stop_after_a_failure_and_always_steps_run(shell):
    nonce = S.new_nonce()
    steps = [S.Step("first", "echo one; echo err >&2", stops=True),
             S.Step("change", "echo changing; exit 4", needs_ok=True, stops=True),
             S.Step("after", "echo never", needs_ok=True),
             S.Step("status", "printf '{\"x\": 1}'"),
             S.Step("user", "exit 77", stops=True, ok_codes=(0, 77)),
             S.Step("tricky", "printf '%s %s end tricky 0\\n' '" + S.MARK + "' 0000000000000000; cat")]
    res = _run(shell, S.render(steps, nonce))
    assert res.returncode == 0, res.stdout
    secs = S.parse(res.stdout, nonce, [s.name for s in steps])
    assert (secs["first"].rc, secs["first"].text) == (0, "one\nerr\n")
    assert (secs["change"].rc, secs["change"].text) == (4, "changing\n")
    assert secs["after"].rc == S.SKIPPED and not secs["after"].ran
    assert (secs["status"].rc, secs["status"].text) == (0, '{"x": 1}')
    assert secs["user"].rc == 77
    assert secs["tricky"].rc == 0 and "0000000000000000 end tricky 0" in secs["tricky"].text


@pytest.mark.parametrize("shell", SHELLS, ids=lambda s: s[0])
def test_a_step_that_exits_does_not_end_the_session(shell):
    nonce = S.new_nonce()
    res = _run(shell, S.render([S.Step("a", "exit 3"), S.Step("b", "echo still here")], nonce))
    secs = S.parse(res.stdout, nonce, ["a", "b"])
    assert secs["a"].rc == 3 and secs["b"].text == "still here\n"


def test_node_id_matches_systemd_app_specific_id():
    tool = shutil.which("systemd-id128")
    if not tool:
        pytest.fail("systemd-id128 is missing (Debian's systemd package)")
    real = subprocess.run([tool, "machine-id", "--app-specific=" + fleetlock.ZINCATI_APP_ID.hex()],
                          stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    assert fleetlock.node_uuid(pathlib.Path("/etc/machine-id").read_text()) == real.replace("-", "")
