"""merge(): Ignition's config merging rules (config/merge, docs 'Config merging')."""
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.merge import merge


def base(**kw):
    d = {"ignition": {"version": "3.3.0"}}
    d.update(kw)
    return d


def test_child_pointer_wins_parent_kept_otherwise():
    p = base(storage={"files": [{"path": "/a", "mode": 420, "overwrite": False}]})
    c = base(storage={"files": [{"path": "/a", "overwrite": True}]})
    assert merge(p, c)["storage"]["files"] == [{"path": "/a", "mode": 420, "overwrite": True}]


def test_keyed_lists_merge_in_place_and_append_new():
    p = base(systemd={"units": [{"name": "a.service", "enabled": True}, {"name": "b.service"}]})
    c = base(systemd={"units": [{"name": "c.service"}, {"name": "a.service", "enabled": False}]})
    assert merge(p, c)["systemd"]["units"] == [
        {"name": "a.service", "enabled": False}, {"name": "b.service"}, {"name": "c.service"}]


def test_nodes_share_one_key_space():
    p = base(storage={"files": [{"path": "/x"}, {"path": "/y"}]})
    c = base(storage={"directories": [{"path": "/x", "mode": 493}]})
    out = merge(p, c)["storage"]
    assert out["files"] == [{"path": "/y"}]
    assert out["directories"] == [{"path": "/x", "mode": 493}]


def test_kernel_arguments_share_one_key_space():
    p = base(kernelArguments={"shouldExist": ["a", "b"]})
    c = base(kernelArguments={"shouldNotExist": ["a"]})
    assert merge(p, c)["kernelArguments"] == {"shouldExist": ["b"], "shouldNotExist": ["a"]}


def test_append_and_options_concatenate():
    p = base(storage={"files": [{"path": "/a", "append": [{"source": "data:,1"}]}],
                      "filesystems": [{"device": "/dev/a", "format": "xfs", "options": ["-f"]}]})
    c = base(storage={"files": [{"path": "/a", "append": [{"source": "data:,1"}]}],
                      "filesystems": [{"device": "/dev/a", "options": ["-f", "-K"]}]})
    out = merge(p, c)["storage"]
    assert out["files"][0]["append"] == [{"source": "data:,1"}, {"source": "data:,1"}]
    assert out["filesystems"][0] == {"device": "/dev/a", "format": "xfs", "options": ["-f", "-f", "-K"]}


def test_header_without_value_removes():
    res = {"source": "http://x", "httpHeaders": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}
    p = base(storage={"files": [{"path": "/a", "contents": res}]})
    c = base(storage={"files": [{"path": "/a", "contents": {"httpHeaders": [{"name": "A"}]}}]})
    assert merge(p, c)["storage"]["files"][0]["contents"]["httpHeaders"] == [{"name": "B", "value": "2"}]


def test_partitions_by_number_then_label():
    p = base(storage={"disks": [{"device": "/dev/a", "partitions": [{"number": 1, "sizeMiB": 5}, {"label": "x"}]}]})
    c = base(storage={"disks": [{"device": "/dev/a", "wipeTable": True,
                                 "partitions": [{"label": "x", "sizeMiB": 9}, {"number": 1, "startMiB": 2}]}]})
    d = merge(p, c)["storage"]["disks"][0]
    assert d["wipeTable"] is True
    assert d["partitions"] == [{"number": 1, "sizeMiB": 5, "startMiB": 2}, {"label": "x", "sizeMiB": 9}]


def test_empty_child_struct_keeps_parent_and_inputs_untouched():
    p = base(passwd={"users": [{"name": "core", "sshAuthorizedKeys": ["k1"]}]})
    c = base(passwd={}, storage={})
    snapshot = repr(p), repr(c)
    out = merge(p, c)
    assert out["passwd"] == p["passwd"] and "storage" not in out
    assert (repr(p), repr(c)) == snapshot
    out["passwd"]["users"][0]["name"] = "changed"
    assert p["passwd"]["users"][0]["name"] == "core"


def test_string_lists_dedupe_by_value():
    p = base(passwd={"users": [{"name": "core", "sshAuthorizedKeys": ["k1", "k2"]}]})
    c = base(passwd={"users": [{"name": "core", "sshAuthorizedKeys": ["k2", "k3"]}]})
    assert merge(p, c)["passwd"]["users"][0]["sshAuthorizedKeys"] == ["k1", "k2", "k3"]


def test_version_is_childs_or_parents_when_missing():
    # an older child is upgraded first (Ignition translates to its own version before merging)
    assert merge(base(), {"ignition": {"version": "3.2.0"}})["ignition"]["version"] == "3.3.0"
    v32 = {"ignition": {"version": "3.2.0"}}
    assert merge(v32, {"ignition": {"version": "3.2.0"}})["ignition"]["version"] == "3.2.0"
    assert merge(base(), {"systemd": {"units": [{"name": "a.service"}]}})["ignition"]["version"] == "3.3.0"
