"""Zincati metrics read command: the plain-sh reader a NestOS host runs (no Python), run by a real sh."""
import subprocess

from ansible_collections.nestos.lifecycle.plugins.module_utils.zincati import metrics


def test_read_command_is_plain_sh_and_reports_a_missing_socket(tmp_path):
    cmd = metrics.read_command(str(tmp_path / "nope.sock"))
    res = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, check=False)
    assert res.returncode == metrics.NO_SOCKET_RC and "is zincati.service running?" in res.stderr
