import copy
import re

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.report import rollout
from tests.support.rollout_sample import sample


def test_summary_counts_results_and_batches():
    report = rollout.load_report(sample())
    assert rollout.counts(report) == {"changed": 2, "rolled_back": 1, "unreachable": 1}
    assert rollout.summary_line(report) == (
        "Rebase the fleet (rebase): 4 hosts in 3 batches, 2 changed, 1 rolled back, 1 unreachable, 80 s")


def test_page_groups_hosts_by_batch_and_marks_failures():
    page = rollout.render_html(rollout.load_report(sample()))
    assert [int(b) for b in re.findall(r'<h2 id="batch-(\d+)">', page)] == [0, 1, 2]
    rows = re.findall(r'<tr class="host" data-host="([^"]+)" data-result="([^"]+)" data-batch="(\d)"', page)
    assert rows == [("canary-1", "changed", "0"), ("web-1", "changed", "1"), ("web-2", "rolled_back", "1"),
                    ("db-1", "unreachable", "2")]
    # the failed health check is outlined and its reason printed
    assert page.count('st-failed') == 2
    assert "check &#x27;curl -fsS localhost:8080/healthz&#x27; exited 7" in page
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")


def test_text_is_escaped():
    data = sample()
    data["hosts"][0]["host"] = "<img src=x onerror=alert(1)>"
    page = rollout.render_html(rollout.load_report(data))
    assert "<img" not in page and "&lt;img src=x" in page


@pytest.mark.parametrize("mutate,path", [
    (lambda d: d.update(hosts="x"), "$.hosts"),
    (lambda d: d["hosts"][1].update(result="weird"), "$.hosts.1.result"),
    (lambda d: d["hosts"][2]["events"][0].update(phase="dance"), "$.hosts.2.events.0.phase"),
    (lambda d: d["hosts"][2]["events"][0].update(end=0), "$.hosts.2.events.0.end"),
    (lambda d: d["hosts"][0].update(batch=-1), "$.hosts.0.batch"),
    (lambda d: d["hosts"][0]["before"].update(image=3), "$.hosts.0.before.image"),
    (lambda d: d.update(started=float("nan")), "$.started"),
])
def test_bad_report_names_the_field(mutate, path):
    data = copy.deepcopy(sample())
    mutate(data)
    with pytest.raises(NestosError) as err:
        rollout.load_report(data)
    assert err.value.path == path
