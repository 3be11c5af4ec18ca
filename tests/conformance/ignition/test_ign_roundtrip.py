"""Upstream Butane output (coreos-installer fixtures, `butane -p`) is reproduced byte for byte."""
import json

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.parse import parse
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.serialize import dumps

NAMES = ["live", "live-2", "dest", "dest-2"]


@pytest.mark.parametrize("name", NAMES)
def test_pretty_roundtrip(upstream, name):
    raw = (upstream / "coreos-installer" / "fixtures" / "customize" / (name + ".ign")).read_text(encoding="utf-8")
    assert dumps(json.loads(raw), pretty=True) == raw
    config, report = parse(raw.encode("utf-8"))
    assert len(report) == 0
    assert dumps(config, pretty=True) == raw


@pytest.mark.parametrize("name", NAMES)
def test_compact_matches_go_compact(upstream, name):
    raw = (upstream / "coreos-installer" / "fixtures" / "customize" / (name + ".ign")).read_text(encoding="utf-8")
    compact = dumps(json.loads(raw))
    assert "\n" not in compact[:-1] and compact.endswith("}\n")
    assert json.loads(compact) == json.loads(raw)
