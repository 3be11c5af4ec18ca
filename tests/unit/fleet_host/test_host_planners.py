"""The planners behind host_service and host_file (pure: answers of systemctl / stat in,
commands and diffs out)."""
import hashlib

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.host import files, service


def test_service_plan_is_idempotent_and_predicts():
    before = service.parse_query("enabled=disabled\nactive=inactive\n")
    plan = service.plan_service("zincati.service", before, enabled=True, state="started")
    assert plan.steps == [["systemctl", "enable", "zincati.service"], ["systemctl", "start", "zincati.service"]]
    assert plan.predicted == {"enabled": "enabled", "active": "active"}
    assert "active: active" in plan.diff()["after"]
    now = {"enabled": "enabled", "active": "active"}
    assert not service.plan_service("zincati.service", now, enabled=True, state="started").changed
    assert service.plan_service("x", now, state="restarted").steps == [["systemctl", "restart", "x"]]
    assert service.plan_service("x", {"enabled": "static", "active": "inactive"}, state="reloaded").steps == [
        ["systemctl", "reload-or-restart", "x"]]
    assert service.plan_service("x", {"enabled": "static", "active": "deactivating"}, state="stopped").steps == [
        ["systemctl", "stop", "x"]]


def test_service_errors():
    with pytest.raises(NestosError, match="masked"):
        service.plan_service("x", {"enabled": "masked", "active": "inactive"}, enabled=True)
    with pytest.raises(NestosError, match="not found"):
        service.plan_service("x", {"enabled": "", "active": ""}, enabled=False)
    for bad in ("", "-x", "a b"):
        with pytest.raises(NestosError):
            service.check_args(bad, True, None, False)
    with pytest.raises(NestosError, match="at least one"):
        service.check_args("x", None, None, False)
    with pytest.raises(NestosError, match="failed after started|is failed after"):
        service.check_after("x", {"enabled": "enabled", "active": "failed"}, "started")


def stat(data, mode="0644", owner="root", group="root", kind="regular file"):
    return {"exists": True, "sha256": hashlib.sha256(data).hexdigest(), "mode": mode, "owner": owner,
            "group": group, "oid": "0", "gid": "0", "type": kind}


def test_file_plan():
    assert files.plan_file("/etc/x", {"exists": False}, b"a", "0644", "root", "root").changes == ["content"]
    same = files.plan_file("/etc/x", stat(b"a"), b"a", "0644", "root", "root")
    assert not same.changed
    attrs = files.plan_file("/etc/x", stat(b"a", mode="0600", owner="core"), b"a", "0644", "root", "root")
    assert attrs.changes == ["mode", "owner"]
    assert attrs.attribute_commands() == [["chmod", "0644", "--", "/etc/x"], ["chown", "root:root", "--", "/etc/x"]]
    gone = files.plan_file("/etc/x", stat(b"a"), None, "0644", "root", "root")
    assert gone.changes == ["remove"]
    assert files.plan_file("/etc/x", {"exists": False}, None, "0644", None, None).changes == []
    d = files.plan_file("/etc/x", stat(b"old\n"), b"new\n", "0640", "root", "root").diff("old\n")
    assert d["before"] == "mode 0644 owner root:root\nold\n" and d["after"] == "mode 0640 owner root:root\nnew\n"
    assert "binary" in files.plan_file("/etc/x", {"exists": False}, b"\xff\xfe", "0644", "root", "root").diff(
        None)["after"]


def test_file_plan_refuses_non_regular_and_relative():
    with pytest.raises(NestosError, match="not a regular file"):
        files.plan_file("/dev/sda", stat(b"", kind="block special file"), b"x", "0644", None, None)
    with pytest.raises(NestosError):
        files.check_path("etc/x")
    with pytest.raises(NestosError):
        files.check_path("/etc/")
