"""Zincati log verbosity: the zincati.service drop-in planner and the action through the fake host."""
import hashlib

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.zincati import dropin
from tests.support.fleet_harness import FakeConnection, Reply, run_action

PATH = "/etc/systemd/system/zincati.service.d/10-nestos-lifecycle-verbosity.conf"


def st(content=None, mode="0644"):
    if content is None:
        return {"exists": False}
    return {"exists": True, "sha256": hashlib.sha256(content.encode()).hexdigest(), "mode": mode,
            "owner": "root", "group": "root"}


def test_content_follows_upstream_logging_doc():
    assert dropin.verbosity_content("debug").endswith('[Service]\nEnvironment=ZINCATI_VERBOSITY="-vv"\n')
    assert 'ZINCATI_VERBOSITY="-vvv"' in dropin.verbosity_content("trace")
    assert 'ZINCATI_VERBOSITY="-v"' in dropin.verbosity_content("info")
    assert dropin.verbosity_content("default") is None
    with pytest.raises(NestosError) as exc:
        dropin.verbosity_content("loud")
    assert exc.value.path == "log_verbosity"


def test_plan_changed_idempotent_mode_and_removal():
    text = dropin.verbosity_content("debug")
    plan = dropin.plan_verbosity("debug", st(), None)
    assert plan.changed and plan.path == PATH and plan.diff()["after"] == text and plan.diff()["before"] == ""
    assert not dropin.plan_verbosity("debug", st(text), text).changed
    assert dropin.plan_verbosity("debug", st(text, "0600"), text).changed
    assert dropin.plan_verbosity("trace", st(text), text).changed
    gone = dropin.plan_verbosity("default", st(text), text)
    assert gone.changed and gone.content is None and gone.diff()["after"] == ""
    assert not dropin.plan_verbosity("default", st(), None).changed


def stat_reply(content=None):
    if content is None:
        return Reply(0, "__NESTOS_ABSENT__\n")
    return Reply(0, "644 root root 0 0 regular file\n%s  /x\n" % hashlib.sha256(content.encode()).hexdigest())


def test_action_writes_reloads_restarts_only_on_change():
    conn = FakeConnection().on(r"^if \[ -e ", stat_reply(None))
    conn.on(r"^mkdir -p -- /etc/systemd/system/zincati.service.d$", Reply(0, ""))
    conn.on(r"^install -m 0644 -o root -g root -- ", Reply(0, ""))
    conn.on(r"^systemctl daemon-reload$", Reply(0, ""))
    conn.on(r"^systemctl try-restart zincati.service$", Reply(0, ""))
    res = run_action("zincati", {"log_verbosity": "debug"}, conn, diff=True)
    assert not res.get("failed"), res
    assert res["changed"] and res["restarted"] and res["verbosity"]["flags"] == "-vv"
    assert [d.decode() for d in conn.files.values()] == [dropin.verbosity_content("debug")]
    cmds = [c for c in conn.commands if c.startswith("systemctl")]
    assert cmds == ["systemctl daemon-reload", "systemctl try-restart zincati.service"]
    assert not [c for c in conn.commands if c.startswith("for d in ")]   # the TOML drop-in is left alone

    text = dropin.verbosity_content("debug")
    conn = FakeConnection().on(r"^if \[ -e .*; then cat -- ", Reply(0, text)).on(r"^if \[ -e ", stat_reply(text))
    res = run_action("zincati", {"log_verbosity": "debug"}, conn, diff=True)
    assert res["changed"] is False and not res.get("failed"), res
    assert res["diff"]["before"] == res["diff"]["after"] == text
    assert not [c for c in conn.commands if c.startswith(("install", "systemctl"))]


def test_action_check_mode_changes_nothing():
    conn = FakeConnection().on(r"^if \[ -e ", stat_reply(None))
    res = run_action("zincati", {"log_verbosity": "trace"}, conn, check_mode=True, diff=True)
    assert res["changed"] and conn.files == {} and 'ZINCATI_VERBOSITY="-vvv"' in res["diff"]["after"]
    assert not [c for c in conn.commands if c.startswith(("install", "systemctl", "mkdir"))]
