"""The rollout report document."""
import json

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.rollout import report as R


def test_event_and_timer():
    events = []
    ticks = iter([10.0, 12.5])
    with R.Timer(events, "apply", clock=lambda: next(ticks)) as t:
        t.status = "changed"
    assert events == [{"phase": "apply", "start": 10.0, "end": 12.5, "status": "changed", "detail": ""}]
    ticks = iter([1.0, 2.0])
    with pytest.raises(RuntimeError):
        with R.Timer(events, "reboot", clock=lambda: next(ticks)):
            raise RuntimeError("down")
    assert events[-1]["status"] == "failed" and events[-1]["detail"] == "down"
    with pytest.raises(NestosError):
        R.event("coffee", 0, 1, "ok")
    with pytest.raises(NestosError):
        R.event("apply", 0, 1, "great")


def test_host_entry_and_build():
    state = {"before": {"image": "a", "version": "1", "digest": "", "checksum": "c1"},
             "after": {"image": "b", "version": "2", "digest": "sha256:x", "checksum": "c2"},
             "events": [R.event("reboot", 5, 6, "changed"), R.event("apply", 3, 4, "changed")]}
    h = R.host_entry("n1", state, 2, "rolled back")
    assert h["result"] == "rolled_back" and h["batch"] == 2
    assert [e["phase"] for e in h["events"]] == ["apply", "reboot"]
    assert h["before"]["digest"] is None and h["after"]["digest"] == "sha256:x"
    none = R.host_entry("n2", None, 0, "not reached")
    assert none["result"] == "skipped" and none["before"] == R.EMPTY_DEPLOYMENT and none["events"] == []
    doc = R.build("Rebase", "rebase", [h, none], finished=9.0, started=1.0)
    assert (doc["started"], doc["finished"]) == (1.0, 9.0)
    assert json.loads(R.dumps(doc)) == doc
    with pytest.raises(NestosError):
        R.build("x", "dance", [])


@pytest.mark.parametrize("text, result", [("updated", "changed"), ("unchanged", "ok"), ("failed", "failed"),
                                          ("unreachable", "unreachable"), ("would update", "changed"),
                                          (None, "skipped")])
def test_results(text, result):
    assert R.host_result(text) == result


def test_file_name_is_safe():
    assert R.file_name(0, "Rebase in batches / canary") == "19700101T000000Z-Rebase-in-batches-canary.json"
    assert R.file_name(0, "../..") == "19700101T000000Z-play.json"


def test_the_report_stage_reads_what_we_write():
    from ansible_collections.nestos.lifecycle.plugins.module_utils.report import rollout
    events = [R.event(p, 10 + i, 11 + i, s, "d") for i, (p, s) in enumerate(
        [("prefetch", "changed"), ("apply", "changed"), ("lock", "ok"), ("reboot", "changed"),
         ("health", "failed"), ("verify", "ok"), ("rollback", "changed"), ("lock", "ok")])]
    hosts = [R.host_entry("n1", {"events": events, "before": {"image": "a", "checksum": "c"}}, 0, "rolled back"),
             R.host_entry("n2", None, 1, "not reached"), R.host_entry("n3", None, 1, "unreachable")]
    doc = json.loads(R.dumps(R.build("Rebase", "rebase", hosts, finished=30.0)))
    loaded = rollout.load_report(doc)
    assert rollout.counts(loaded) == {"rolled_back": 1, "unreachable": 1, "skipped": 1}
