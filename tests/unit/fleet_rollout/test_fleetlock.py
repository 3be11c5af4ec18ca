"""FleetLock client: identity, requests, answers, waiting (no network: post is injected)."""
import json

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.rollout import fleetlock as F

# (the derivation is checked against the real systemd-id128 in tests/conformance/fleet_rollout)
MID = "b08dfa6083e7567a1921a715000001fb"


def test_node_uuid_is_a_v4_uuid_and_stable():
    node = F.node_uuid(MID)
    assert len(node) == 32 and node[12] == "4" and node[16] in "89ab"
    assert node == F.node_uuid(MID + "\n")
    assert node != F.node_uuid("b08dfa6083e7567a1921a715000001fc")


@pytest.mark.parametrize("bad", ["", "xyz", "B08DFA6083E7567A1921A715000001FB", "00" * 17, None])
def test_node_uuid_refuses_bad_machine_ids(bad):
    with pytest.raises(NestosError, match="machine-id"):
        F.node_uuid(bad)


def cfg(**identity):
    return {"updates": {"strategy": "fleet_lock", "fleet_lock": {"base_url": "http://lock.lab:3333/"}},
            "identity": identity}


def test_settings_follow_zincati_rules():
    s = F.settings_from_config(cfg(), MID)
    assert (s.base_url, s.group, s.node_id) == ("http://lock.lab:3333", "default", F.node_uuid(MID))
    s = F.settings_from_config(cfg(group="workers", node_uuid="E0F3745B-108F-471C-BD48-83C6FBED8CDD"), None)
    assert s.group == "workers" and s.node_id == "e0f3745b108f471cbd4883c6fbed8cdd"
    assert F.settings_from_config({"updates": {"strategy": "periodic"}}, MID) is None
    assert F.settings_from_config({}, MID) is None


@pytest.mark.parametrize("doc, path", [
    ({"updates": {"strategy": "fleet_lock"}}, "updates.fleet_lock.base_url"),
    (cfg(group="bad group"), "identity.group"),
    (cfg(node_uuid="nope"), "identity.node_uuid"),
])
def test_settings_errors_name_the_field(doc, path):
    with pytest.raises(NestosError) as err:
        F.settings_from_config(doc, MID)
    assert err.value.path == path


def test_settings_without_machine_id():
    with pytest.raises(NestosError, match="machine-id is missing"):
        F.settings_from_config(cfg(), None)


def test_request_shape_is_the_protocol():
    s = F.Settings("http://l:1/base", "workers", "c988d2509fdf4cdcbed39037c56406fb")
    url, headers, body = F.request(s, F.PRE_REBOOT)
    assert url == "http://l:1/base/v1/pre-reboot" and headers["fleet-lock-protocol"] == "true"
    assert json.loads(body) == {"client_params": {"id": "c988d2509fdf4cdcbed39037c56406fb", "group": "workers"}}
    assert F.request(s, F.STEADY_STATE)[0].endswith("/v1/steady-state")
    with pytest.raises(NestosError):
        F.request(s, "/v1/other")


def test_answers():
    assert F.parse_answer(200, b"") == (True, "ok", "granted")
    full = json.dumps({"kind": "failed_lock_semaphore_full", "value": "semaphore currently full"}).encode()
    assert F.parse_answer(409, full) == (False, "failed_lock_semaphore_full", "semaphore currently full")
    assert F.parse_answer(500, b"<html>oops</html>") == (False, "http_500", "<html>oops</html>")
    assert F.parse_answer(404, b"") == (False, "http_404", "(empty answer)")
    with pytest.raises(NestosError):
        F.parse_answer("200", b"")


class Clock(object):
    def __init__(self):
        self.now = 0.0

    def time(self):
        return self.now

    def sleep(self, secs):
        self.now += secs


def test_operate_waits_until_granted_and_gives_up_at_the_timeout():
    s = F.Settings("http://l:1", "default", "a" * 32)
    clock = Clock()
    answers = [(409, b'{"kind": "full", "value": "busy"}')] * 3 + [(200, b"")]
    calls = []

    def post(url, headers, body, timeout):
        calls.append(url)
        return answers[len(calls) - 1]
    got = F.operate(s, F.PRE_REBOOT, 60, delay=5, post=post, clock=clock.time, sleep=clock.sleep)
    assert got.done and got.attempts == 4 and clock.now == 15
    clock = Clock()
    got = F.operate(s, F.PRE_REBOOT, 12, delay=5, post=lambda *a: (409, b'{"kind": "full", "value": "busy"}'),
                    clock=clock.time, sleep=clock.sleep)
    assert not got.done and got.kind == "full" and got.attempts == 3 and clock.now <= 12


def test_operate_unreachable_server_is_not_granted():
    def post(*_a):
        raise NestosError("FleetLock server http://l:1 cannot be reached: refused")
    clock = Clock()
    got = F.operate(F.Settings("http://l:1", "g", "a" * 32), F.PRE_REBOOT, 0, post=post, clock=clock.time,
                    sleep=clock.sleep)
    assert not got.done and got.kind == "unreachable" and "refused" in got.text
