"""Zincati metrics: the Prometheus text parser and the gather_metrics read through the fake host."""
import pathlib

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.zincati import metrics
from tests.support.fleet_harness import FakeConnection, Reply, run_action

SAMPLE = (pathlib.Path(__file__).resolve().parents[2] / "lab/doubles/zincati-metrics/sample.prom").read_text()


def test_sample_as_facts():
    fams = metrics.parse(SAMPLE)
    assert fams["zincati_update_agent_updates_enabled"] == {
        "type": "gauge", "help": "Whether auto-updates logic is enabled.",
        "samples": [{"labels": {}, "value": 1}], "value": 1}
    assert fams["zincati_cincinnati_update_checks_total"]["type"] == "counter"
    assert fams["zincati_cincinnati_update_checks_total"]["value"] == 12
    errs = fams["zincati_cincinnati_update_checks_errors_total"]
    assert errs["samples"] == [{"labels": {"kind": "server-side"}, "value": 2}] and "value" not in errs
    info = fams["zincati_identity_os_info"]["samples"][0]["labels"]
    assert info == {"basearch": "x86_64", "os_version": "22.03-LTS-SP4.20240628.0", "platform": "qemu",
                    "stream": "LTS"}
    assert len(fams) == 9


def test_values_escapes_timestamps_histograms():
    text = "\n".join([
        "# a plain comment", "",
        "# TYPE lat histogram",
        'lat_bucket{le="0.5"} 3', 'lat_bucket{le="+Inf"} 4', "lat_sum 1.5e0", "lat_count 4",
        'esc{path="a\\\\b",q="say \\"hi\\"",nl="x\\ny"} -2 1563360122000',
        "f 0.25", "inf +Inf", "nan NaN", "neg -Inf", "big 1e400",
    ])
    fams = metrics.parse(text)
    assert [s["name"] for s in fams["lat"]["samples"]] == ["lat_bucket", "lat_bucket", "lat_sum", "lat_count"]
    assert fams["lat"]["samples"][1]["labels"] == {"le": "+Inf"} and fams["lat"]["samples"][2]["value"] == 1.5
    assert fams["esc"]["samples"][0] == {"labels": {"path": "a\\b", "q": 'say "hi"', "nl": "x\ny"}, "value": -2}
    assert fams["f"]["value"] == 0.25 and fams["inf"]["value"] == "+Inf" and fams["nan"]["value"] == "NaN"
    assert fams["neg"]["value"] == "-Inf" and fams["big"]["value"] == "+Inf"
    assert fams["f"]["type"] == "untyped"


@pytest.mark.parametrize("text, words, line", [
    ("a 1\nb{x=1} 2", 'expected label="value"', 2),
    ('a{x="1} 2', "unterminated label value", 1),
    ('a{x="\\t"} 2', "bad escape", 1),
    ("a one", "not a number", 1),
    ("a 1 2 3", "expected NAME", 1),
    ("a 1 soon", "bad timestamp", 1),
    ("# TYPE a gauge\n# TYPE a weird", "unknown metric type", 2),
    ("# HELP 9a x", "bad metric name", 1),
    ("{x=\"1\"} 1", "expected a metric name", 1),
    ('a{x="1" y="2"} 1', "expected , or }", 1),
])
def test_malformed_named_with_line(text, words, line):
    with pytest.raises(NestosError) as exc:
        metrics.parse(text)
    assert words in exc.value.message and exc.value.line == line and exc.value.file == metrics.SOCKET


def test_limits():
    with pytest.raises(NestosError, match="more than 1048576 bytes"):
        metrics.parse("a 1\n" * 300000)
    with pytest.raises(NestosError, match="more than 20000 lines"):
        metrics.parse("\n" * 20001)
    labels = ",".join('l%d="v"' % i for i in range(metrics.MAX_LABELS + 1))
    with pytest.raises(NestosError, match="more than 64 labels"):
        metrics.parse("a{%s} 1" % labels)


def test_action_gathers_facts_and_leaves_the_dropins_alone():
    conn = FakeConnection().on(r"^s='/run/zincati/public/metrics.promsock'", Reply(0, SAMPLE))
    res = run_action("zincati", {"gather_metrics": True}, conn)
    assert not res.get("failed"), res
    assert res["changed"] is False
    assert res["ansible_facts"]["zincati_metrics"]["zincati_update_agent_updates_enabled"]["value"] == 1
    assert len(conn.commands) == 1

    missing = "no socket /run/zincati/public/metrics.promsock: is zincati.service running?\n"
    conn = FakeConnection().on(r"^s=", Reply(3, "", missing))
    res = run_action("zincati", {"gather_metrics": True}, conn)
    assert res["failed"] and res["error_kind"] == "no_metrics_socket" and "is zincati.service running" in res["msg"]
    conn = FakeConnection().on(r"^s=", Reply(0, "a{ 1\n"))
    res = run_action("zincati", {"gather_metrics": True}, conn)
    assert res["failed"] and res["line"] == 1 and "Traceback" not in res["msg"]
