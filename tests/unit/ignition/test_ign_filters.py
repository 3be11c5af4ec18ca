"""Filters ignition_validate / ignition_merge (called as Ansible calls them)."""
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.nestos.lifecycle.plugins.filter.ignition import FilterModule

F = FilterModule().filters()
GOOD = {"ignition": {"version": "3.3.0"}, "storage": {"files": [{"path": "/etc/a", "mode": 420}]}}


def test_registered():
    assert set(F) == {"ignition_validate", "ignition_merge"}


def test_validate_returns_config():
    assert F["ignition_validate"](GOOD) == GOOD
    assert F["ignition_validate"]('{"ignition":{"version":"3.2.0"}}') == {"ignition": {"version": "3.2.0"}}


def test_validate_fails_with_report_lines():
    with pytest.raises(AnsibleFilterError) as ei:
        F["ignition_validate"]('{"ignition":{"version":"3.3.0"},\n"storage":{"files":[{"path":"x"}]}}')
    assert "error at $.storage.files.0.path, line 2 col 29: path not absolute" in str(ei.value)


def test_validate_report_output_and_strict():
    rep = F["ignition_validate"]({"ignition": {"version": "3.3.0"}, "x": 1}, output="report")
    assert rep["valid"] is True and rep["warnings"] == ["warning at $.x: Unused key x"]
    rep = F["ignition_validate"]({"ignition": {"version": "3.3.0"}, "x": 1}, output="report", strict=True)
    assert rep["valid"] is False
    with pytest.raises(AnsibleFilterError):
        F["ignition_validate"]({"ignition": {"version": "3.3.0"}}, output="nope")


def test_merge_children_in_order():
    a = {"ignition": {"version": "3.3.0"}, "systemd": {"units": [{"name": "x.service", "enabled": True}]}}
    b = '{"ignition":{"version":"3.3.0"},"systemd":{"units":[{"name":"x.service","enabled":false}]}}'
    out = F["ignition_merge"](GOOD, a, [b])
    assert out["systemd"]["units"] == [{"name": "x.service", "enabled": False}]
    assert out["storage"] == GOOD["storage"]


def test_merge_rejects_invalid_input_and_result():
    with pytest.raises(AnsibleFilterError) as ei:
        F["ignition_merge"](GOOD, {"ignition": {"version": "3.3.0"}, "storage": {"files": [{"path": "rel"}]}})
    assert "child 1" in str(ei.value)
    # each valid alone, the merge makes a file live under a link
    link = {"ignition": {"version": "3.3.0"}, "storage": {"links": [{"path": "/etc", "target": "/x"}]}}
    with pytest.raises(AnsibleFilterError) as ei:
        F["ignition_merge"](GOOD, link)
    assert "file path includes link in config" in str(ei.value)
    assert F["ignition_merge"](GOOD, link, validate=False)["storage"]["links"][0]["path"] == "/etc"
