"""nestos_reboot's planner."""
import json

from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import reboot
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host.status import Status

A, B = "a" * 64, "b" * 64


def status(*deps):
    return Status.from_json(json.dumps({"deployments": [
        {"id": "nestos-%s.0" % c, "osname": "nestos", "checksum": c, "booted": bt, "staged": st, "version": v,
         "origin": "o:r"} for c, bt, st, v in deps]}))


def test_reboot_due_and_expected():
    st = status((B, False, True, "v2"), (A, True, False, "v1"))
    plan = reboot.plan_reboot(st, only_if_pending=True)
    assert plan.needed and plan.expected == [("checksum", B)] and "booted: " in plan.diff()["after"]
    assert reboot.plan_reboot(st, expect_version="v2").expected == [("version", "v2")]
    idle = reboot.plan_reboot(status((A, True, False, "v1")), only_if_pending=True)
    assert not idle.needed and "not needed" in idle.msg
    assert reboot.plan_reboot(st, verify_default=False).expected == []


def test_wrong_deployment():
    after = status((A, True, False, "v1"))
    assert reboot.wrong_deployment(after, [("checksum", A)]) is None
    assert "expected checksum " + B in reboot.wrong_deployment(after, [("checksum", B)])
    assert reboot.wrong_deployment(status((A, False, False, "v1")), []) == "no deployment is marked booted"
