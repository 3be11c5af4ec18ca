"""The rollout report reader and renderer: any JSON value in, only NestosError out."""
from hypothesis import given, settings, strategies as st

from ansible_collections.nestos.lifecycle.plugins.module_utils.report import rollout
from tests.support.fuzzing import only_nestos_errors, share
from tests.support.rollout_sample import sample

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=25)
KEYS = st.sampled_from(["play", "action", "started", "finished", "hosts", "host", "batch", "result", "before",
                        "after", "events", "phase", "start", "end", "status", "detail", "image", "digest"])


def _render(data):
    report = rollout.load_report(data)
    return rollout.render_html(report)


@settings(max_examples=share(2))
@given(JSON)
def test_any_json_value(data):
    only_nestos_errors(_render, data)


@settings(max_examples=share(2))
@given(st.lists(st.tuples(st.integers(0, 3), KEYS, JSON), max_size=6))
def test_mutated_sample(edits):
    data = sample()
    for index, key, value in edits:
        try:  # an earlier edit may have replaced the container this one reaches into
            target = data["hosts"][index]
            if key in ("phase", "start", "end", "status", "detail"):
                target = target["events"][0]
            elif key in ("image", "digest"):
                target = target["before"]
            elif key in ("play", "action", "started", "finished") or key == "hosts":
                target = data
            target[key] = value
        except (LookupError, TypeError):
            continue
    only_nestos_errors(_render, data)
