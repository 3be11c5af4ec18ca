"""upgrade(): upgrading 3.0-3.2 configs (Ignition config/v3_x/translate)."""
import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.merge import merge
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.serialize import dumps
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.upgrade import upgrade
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.validate import validate


def test_30_to_33_resources_and_ca_source():
    old = {"ignition": {"version": "3.0.0",
                        "config": {"merge": [{"source": "http://a/", "verification": {"hash": "sha512-" + "0" * 128}}]},
                        "security": {"tls": {"certificateAuthorities": [{"verification": {}}]}}},
           "storage": {"files": [{"path": "/a", "contents": {"compression": "gzip", "source": "data:,x"}}]}}
    new = upgrade(old)
    assert new["ignition"]["version"] == "3.3.0"
    assert new["ignition"]["config"]["merge"] == old["ignition"]["config"]["merge"]
    # CaReference.Source was a plain string: an unset one becomes a pointer to ""
    assert new["ignition"]["security"]["tls"]["certificateAuthorities"] == [{"source": "", "verification": {}}]
    assert new["storage"] == old["storage"]
    assert old["ignition"]["version"] == "3.0.0"


def test_32_to_33_pointers_keep_empty_strings():
    old = {"ignition": {"version": "3.2.0"},
           "storage": {"raid": [{"name": "md", "devices": ["/dev/a"]}], "links": [{"path": "/l"}],
                       "luks": [{"name": "r", "device": "/dev/a", "clevis": {"custom": {"needsNetwork": True}}}]}}
    new = upgrade(old)
    assert new["storage"]["raid"][0]["level"] == ""
    assert new["storage"]["links"][0]["target"] == ""
    assert new["storage"]["luks"][0]["clevis"]["custom"] == {"config": "", "needsNetwork": True, "pin": ""}
    assert dumps(new).count('"level":""') == 1


def test_unknown_keys_dropped_and_no_downgrade():
    new = upgrade({"ignition": {"version": "3.1.0"}, "kernelArguments": {"shouldExist": ["a"]}, "x": 1})
    assert new == {"ignition": {"version": "3.3.0"}}
    with pytest.raises(NestosError):
        upgrade({"ignition": {"version": "3.3.0"}}, "3.2.0")
    with pytest.raises(NestosError):
        upgrade({"ignition": {"version": "3.5.0"}})


def test_merge_upgrades_older_child():
    parent = {"ignition": {"version": "3.3.0"}, "storage": {"links": [{"path": "/l", "target": "/t"}]}}
    child = {"ignition": {"version": "3.0.0"}, "storage": {"files": [{"path": "/f", "mode": 420}]}}
    out = merge(parent, child)
    assert out["ignition"]["version"] == "3.3.0"
    assert out["storage"]["files"] == [{"path": "/f", "mode": 420}]
    assert not validate(out).is_fatal()
