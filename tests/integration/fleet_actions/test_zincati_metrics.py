"""Zincati metrics as facts on the fleet lab: the zincati action reads the Unix socket with the
host's real socat (no Python on the host) over ssh + sudo; the socket is served by the metrics
double (tests/lab/doubles/zincati-metrics) inside the host's root."""
import os
import pathlib
import subprocess
import sys

import pytest

from tests.integration.fleet_actions.test_fleet_actions import play, recap
from tests.lab.fleet.lab import DOUBLES, Fleet

pytestmark = pytest.mark.fleet
SERVER = DOUBLES / "zincati-metrics" / "server.py"
SAMPLE = DOUBLES / "zincati-metrics" / "sample.prom"


@pytest.fixture
def host():
    f = Fleet("zincati-metrics-%d" % os.getpid(), 1, reboot_delay=0.3)
    f.create()
    f.start(owner_pid=os.getpid())
    yield f, f.hosts[0]
    f.remove()


def test_metrics_facts_from_the_socket_and_a_clean_error_without_it(host):
    f, h = host
    r = play(f, "zincati_metrics.yml")
    assert recap(r.stdout)["nestos-01"]["failed"] == 1, r.stdout
    assert "no socket /run/zincati/public/metrics.promsock: is zincati.service running?" in r.stdout, r.stdout
    assert "Traceback" not in r.stdout

    sock = h.root / "run/zincati/public/metrics.promsock"
    proc = subprocess.Popen([sys.executable, str(SERVER), str(sock), str(SAMPLE)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        r = play(f, "zincati_metrics.yml")
        rows = recap(r.stdout)["nestos-01"]
        assert rows["failed"] == 0 and rows["changed"] == 0, r.stdout
        assert "METRICS enabled=1 checks=12 os=22.03-LTS-SP4.20240628.0 families=9" in r.stdout, r.stdout
        assert not (h.root / "etc/zincati/config.d/99-nestos-lifecycle.toml").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert not pathlib.Path(sock).exists()
