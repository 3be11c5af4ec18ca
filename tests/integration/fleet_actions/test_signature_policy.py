"""The os_update role installs the image signature policy files it is given (the AWX credential
type's policy.json, public keys, registries.d lookaside) on a Python-less lab host, idempotently."""
import os
import stat

import pytest

from tests.integration.fleet_actions.test_fleet_actions import play, recap
from tests.lab.fleet.lab import Fleet

pytestmark = pytest.mark.fleet
POLICY = ('{"default": [{"type": "reject"}], "transports": {"docker": {"registry.nestos.lab": [{"type": '
          '"signedBy", "keyType": "GPGKeys", "keyPath": "/etc/containers/nestos-lifecycle-signing-keys.pub"}]}}}\n')
KEYS = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBGV0ZXN0\n-----END PGP PUBLIC KEY BLOCK-----\n"
LOOKASIDE = "docker:\n  registry.nestos.lab:\n    lookaside: http://sigs.nestos.lab/\n"


@pytest.fixture
def host():
    f = Fleet("sigpolicy-%d" % os.getpid(), 1, reboot_delay=0.3)
    f.create()
    f.start(owner_pid=os.getpid())
    yield f, f.hosts[0]
    f.remove()


def test_policy_keys_lookaside_installed_once(host, tmp_path):
    f, h = host
    files = {"os_update_signature_policy_file": POLICY, "os_update_signature_keys_file": KEYS,
             "os_update_signature_registries_d_file": LOOKASIDE}
    extra = {}
    for var, text in files.items():
        p = tmp_path / var
        p.write_text(text)
        extra[var] = str(p)
    r = play(f, "signature_policy.yml", extra)
    assert recap(r.stdout)["nestos-01"]["changed"] == 3 and recap(r.stdout)["nestos-01"]["failed"] == 0, r.stdout
    for rel, text in (("etc/containers/policy.json", POLICY), ("etc/containers/nestos-lifecycle-signing-keys.pub", KEYS),
                      ("etc/containers/registries.d/nestos-lifecycle.yaml", LOOKASIDE)):
        path = h.root / rel
        assert path.read_text() == text and stat.S_IMODE(path.stat().st_mode) == 0o644 and path.stat().st_uid == 0
    r = play(f, "signature_policy.yml", extra)
    assert recap(r.stdout)["nestos-01"]["changed"] == 0, r.stdout

    # no keys, no lookaside: only the policy is managed
    (tmp_path / "os_update_signature_keys_file").write_text("")
    r = play(f, "signature_policy.yml", {"os_update_signature_policy_file": extra["os_update_signature_policy_file"],
                                         "os_update_signature_keys_file": extra["os_update_signature_keys_file"]})
    rows = recap(r.stdout)["nestos-01"]
    assert rows["changed"] == 0 and rows["skipped"] == 2, r.stdout
