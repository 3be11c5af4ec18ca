"""resolve_ignition: the one entry point live-media and libvirt modules use."""
import json

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.api import resolve_ignition
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.errors import ButaneError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from tests.support.ignition_validate import assert_real_valid

BU = "variant: nestos\nversion: 1.0.0\npasswd:\n  users:\n    - name: core\n      ssh_authorized_keys: [ssh-ed25519 AAAA]\n"


def test_butane_text():
    data, warnings = resolve_ignition(butane=BU)
    assert data == (b'{"ignition":{"version":"3.3.0"},"passwd":{"users":[{"name":"core",'
                    b'"sshAuthorizedKeys":["ssh-ed25519 AAAA"]}]}}')
    assert warnings == []
    assert_real_valid(data)


def test_butane_dict():
    data, warnings = resolve_ignition(butane={"variant": "fcos", "version": "1.1.0",
                                              "systemd": {"units": [{"name": "a.service", "mask": True}]}})
    assert warnings == []
    assert json.loads(data) == {"ignition": {"version": "3.1.0"},
                                "systemd": {"units": [{"mask": True, "name": "a.service"}]}}


def test_butane_warnings_returned_and_strict_fails():
    bu = BU + "extra: 1\n"
    warnings = resolve_ignition(butane=bu)[1]
    assert warnings == ["warning at $.extra, line 7 col 1: Unused key extra"]
    with pytest.raises(ButaneError) as err:
        resolve_ignition(butane=bu, strict=True)
    assert "Unused key extra" in str(err.value)
    assert "--strict" in str(err.value)


def test_ignition_file_bytes_unchanged(tmp_path):
    raw = b'{ "ignition": {"version": "3.2.0"} }\n'
    path = tmp_path / "c.ign"
    path.write_bytes(raw)
    assert resolve_ignition(ignition=str(path)) == (raw, [])


def test_ignition_content_dict_and_text():
    data, warnings = resolve_ignition(ignition_content={"ignition": {"version": "3.3.0"}})
    assert warnings == []
    assert data == b'{"ignition":{"version":"3.3.0"}}'
    text = '{"ignition":{"version":"3.3.0"}}'
    assert resolve_ignition(ignition_content=text)[0] == text.encode()


@pytest.mark.parametrize("kwargs", [{}, {"ignition": "/x", "butane": BU}, {"ignition_content": "{}", "butane": BU}])
def test_exactly_one_input(kwargs):
    with pytest.raises(NestosError) as err:
        resolve_ignition(**kwargs)
    assert "ignition" in str(err.value)


def test_missing_file_names_it(tmp_path):
    missing = str(tmp_path / "nope.ign")
    with pytest.raises(NestosError) as err:
        resolve_ignition(ignition=missing)
    assert err.value.file == missing
    assert missing in str(err.value)


@pytest.mark.parametrize("content", ["{", '{"ignition":{"version":"9.9.9"}}', ""])
def test_invalid_ignition_content(content):
    with pytest.raises(NestosError):
        resolve_ignition(ignition_content=content or "   ")


def test_invalid_ignition_names_input():
    with pytest.raises(NestosError) as err:
        resolve_ignition(ignition_content='{"ignition":{"version":"2.2.0"}}')
    assert err.value.file == "ignition_content"


def test_butane_error_names_field():
    with pytest.raises(ButaneError) as err:
        resolve_ignition(butane="variant: nestos\nversion: 1.0.0\nstorage:\n  files:\n    - path: /a\n      mode: x\n")
    assert err.value.path == "$.storage.files.0.mode"
    assert err.value.line == 6


@pytest.mark.parametrize("content", [{"storage": {}}, {"ignition": {"version": "3.3.0"}, "bogus": 1},
                                     {"ignition": {"version": "3.3.0"}, "storage": {"files": "x"}}])
def test_bad_ignition_dict_names_input(content):
    with pytest.raises(NestosError) as err:
        resolve_ignition(ignition_content=content)
    assert err.value.file == "ignition_content"


class _TaggedStr(str):
    """Stands for a templating engine's str subclass (ansible-core 2.19 tags template results)."""


def test_translate_accepts_str_subclass():
    from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.to_ignition import translate
    text = _TaggedStr('variant: nestos\nversion: 1.0.0\nstorage:\n  files:\n    - path: /etc/hostname\n'
                      '      contents:\n        inline: web1\n')
    result = translate(text)
    assert result.config["storage"]["files"][0]["path"] == "/etc/hostname"
    assert result.config["storage"]["files"][0]["contents"]["source"] == "data:,web1"
