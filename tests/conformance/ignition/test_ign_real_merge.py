"""merge() against the real Ignition 2.14.0 binary.

For a parent and a child config, the real Ignition applies the parent with the child listed in
``ignition.config.merge`` (as a data URL: Ignition merges it itself), and separately applies
our ``merge(parent, child)``.  The two trees it writes must be identical (paths, kinds, modes,
contents, link targets, unit files and presets).
"""
import json
import os
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.merge import merge
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.serialize import dumps
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.validate import validate
from tests.conformance.ignition.ign_real_apply import IGNITION, apply, outcome

UNIT = "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n"


def v33(**kw):
    d = {"ignition": {"version": "3.3.0"}}
    d.update(kw)
    return d


def with_child(parent, child):
    p = json.loads(json.dumps(parent))
    url = "data:," + quote(json.dumps(child), safe="")
    p["ignition"].setdefault("config", {}).setdefault("merge", []).append({"source": url})
    return p


def data(s):
    return {"source": "data:," + quote(s, safe="")}


PAIRS = {
    "file-fields": (
        v33(storage={"files": [{"path": "/etc/a", "mode": 0o600, "contents": data("parent")},
                               {"path": "/etc/b", "contents": data("b")}]}),
        v33(storage={"files": [{"path": "/etc/a", "overwrite": True, "contents": data("child")},
                               {"path": "/etc/c", "mode": 0o640, "contents": data("c")}]})),
    "append-concatenates": (
        v33(storage={"files": [{"path": "/etc/log", "contents": data("0\n"), "append": [data("1\n")]}]}),
        v33(storage={"files": [{"path": "/etc/log", "append": [data("2\n"), data("1\n")]}]})),
    "file-replaced-by-directory": (
        v33(storage={"files": [{"path": "/var/x", "contents": data("f")}], "directories": [{"path": "/var/d", "mode": 0o700}]}),
        v33(storage={"directories": [{"path": "/var/x", "mode": 0o750}, {"path": "/var/d", "mode": 0o711}]})),
    "link-replaced-and-retargeted": (
        v33(storage={"links": [{"path": "/usr/local/bin/t", "target": "/bin/true"},
                               {"path": "/usr/local/bin/u", "target": "/bin/false"}],
                     "files": [{"path": "/usr/local/bin/v", "contents": data("v")}]}),
        v33(storage={"links": [{"path": "/usr/local/bin/t", "target": "/bin/sh"},
                               {"path": "/usr/local/bin/v", "target": "/bin/true"}]})),
    "units-and-dropins": (
        v33(systemd={"units": [{"name": "a.service", "enabled": True, "contents": UNIT,
                                "dropins": [{"name": "10-x.conf", "contents": "[Service]\nEnvironment=A=1\n"}]},
                               {"name": "b.service", "enabled": True, "contents": UNIT}]}),
        v33(systemd={"units": [{"name": "a.service", "dropins": [{"name": "10-x.conf", "contents": "[Service]\nEnvironment=A=2\n"},
                                                                 {"name": "20-y.conf", "contents": "[Unit]\n"}]},
                               {"name": "b.service", "enabled": False},
                               {"name": "c.service", "mask": True}]})),
    "older-child": (
        v33(storage={"files": [{"path": "/etc/a", "contents": data("p")}]}),
        {"ignition": {"version": "3.0.0"}, "storage": {"files": [{"path": "/etc/a", "overwrite": True, "mode": 0o444,
                                                                  "contents": {"source": "data:,c"}}]}}),
}


@pytest.fixture(scope="module", autouse=True)
def _need_root_and_binary():
    assert os.path.exists(IGNITION), "Debian's ignition package provides %s" % IGNITION
    assert os.geteuid() == 0, "the real Ignition chowns what it writes: run as root (CI does)"


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_merge_matches_real_ignition(name):
    parent, child = PAIRS[name]
    ours = merge(parent, child)
    assert not validate(ours).is_fatal()
    real_tree = apply(dumps(with_child(parent, child)))
    our_tree = apply(dumps(ours))
    assert real_tree, "Ignition wrote nothing: the test would prove nothing"
    assert our_tree == real_tree


paths = st.sampled_from(["/etc/a", "/etc/b", "/etc/d", "/etc/d/x"])
node = st.fixed_dictionaries({"path": paths}, optional={"overwrite": st.just(True)})
file_ = st.builds(lambda n, m, c, a: dict(n, **{k: v for k, v in (("mode", m), ("contents", c), ("append", a)) if v is not None}),
                  node, st.sampled_from([None, 0o600, 0o644]), st.sampled_from([None, data("x"), data("y")]),
                  st.sampled_from([None, [data("+")]]))
directory = st.builds(lambda n, m: dict(n, **({"mode": m} if m else {})), node, st.sampled_from([None, 0o700, 0o755]))
link = st.builds(lambda n, t: dict(n, target=t), node, st.sampled_from(["/bin/true", "/bin/sh"]))
unit = st.fixed_dictionaries({"name": st.sampled_from(["a.service", "b.service"])},
                             optional={"enabled": st.booleans(), "contents": st.just(UNIT), "mask": st.booleans()})
config = st.builds(lambda f, d, l, u: v33(storage={"files": f, "directories": d, "links": l}, systemd={"units": u}),
                   st.lists(file_, max_size=2, unique_by=lambda x: x["path"]),
                   st.lists(directory, max_size=1, unique_by=lambda x: x["path"]),
                   st.lists(link, max_size=1, unique_by=lambda x: x["path"]),
                   st.lists(unit, max_size=2, unique_by=lambda x: x["name"]))


@settings(max_examples=int(os.environ.get("IGN_MERGE_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(config, config)
def test_random_merges_match_real_ignition(parent, child):
    ours = merge(parent, child)
    # only pairs that are valid alone and together (Ignition refuses the others before applying)
    if any(validate(c).is_fatal() for c in (parent, child, ours, with_child(parent, child))):
        return
    # both applied the same way, or both failed (e.g. a file where a later path needs a directory)
    assert outcome(dumps(ours)) == outcome(dumps(with_child(parent, child)))
