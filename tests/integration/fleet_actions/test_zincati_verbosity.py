"""Zincati log verbosity end to end on the fleet lab: the zincati.service drop-in upstream's
docs/usage/logging.md describes, written over ssh + sudo without Python; daemon-reload and a
restart of zincati only when the drop-in changed (the systemctl double logs every call)."""
import os
import stat

import pytest

from tests.integration.fleet_actions.test_fleet_actions import play, recap
from tests.lab.fleet.lab import Fleet

pytestmark = pytest.mark.fleet
DROPIN = "etc/systemd/system/zincati.service.d/10-nestos-lifecycle-verbosity.conf"


@pytest.fixture
def host():
    f = Fleet("zincati-verbosity-%d" % os.getpid(), 1, reboot_delay=0.3)
    f.create()
    f.start(owner_pid=os.getpid())
    yield f, f.hosts[0]
    f.remove()


def test_verbosity_dropin_check_apply_idempotent_remove(host):
    f, h = host
    path = h.root / DROPIN
    r = play(f, "zincati_verbosity.yml", {"level": "debug"}, ["--check", "--diff"])
    assert recap(r.stdout)["nestos-01"]["changed"] == 1 and 'ZINCATI_VERBOSITY="-vv"' in r.stdout, r.stdout
    assert not path.exists()

    n = len(h.commands())
    r = play(f, "zincati_verbosity.yml", {"level": "debug"})
    assert recap(r.stdout)["nestos-01"]["changed"] == 1, r.stdout
    text = path.read_text()
    assert '[Service]\nEnvironment=ZINCATI_VERBOSITY="-vv"\n' in text and stat.S_IMODE(path.stat().st_mode) == 0o644
    assert not (h.root / "etc/zincati/config.d/99-nestos-lifecycle.toml").exists()
    calls = [c for c in h.commands()[n:] if c.startswith("systemctl")]
    assert calls == ["systemctl daemon-reload", "systemctl try-restart zincati.service"], calls

    n = len(h.commands())
    r = play(f, "zincati_verbosity.yml", {"level": "debug"})
    assert recap(r.stdout)["nestos-01"]["changed"] == 0, r.stdout
    assert not [c for c in h.commands()[n:] if c.startswith("systemctl")]

    r = play(f, "zincati_verbosity.yml", {"role_level": "trace"})
    assert recap(r.stdout)["nestos-01"]["failed"] == 0, r.stdout
    assert 'ZINCATI_VERBOSITY="-vvv"' in path.read_text()

    n = len(h.commands())
    r = play(f, "zincati_verbosity.yml", {"level": "default"})
    assert recap(r.stdout)["nestos-01"]["changed"] == 1 and not path.exists(), r.stdout
    assert "systemctl daemon-reload" in h.commands()[n:]
