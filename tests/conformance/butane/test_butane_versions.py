"""Variants, versions and the fields each version accepts (butane config/config.go,
base/v0_1..v0_4 schemas, docs/specs.md)."""
import json

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.errors import ButaneError
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.to_ignition import translate
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError


@pytest.mark.parametrize("variant,version,spec", [
    ("fcos", "1.0.0", "3.0.0"), ("fcos", "1.1.0", "3.1.0"), ("fcos", "1.2.0", "3.2.0"),
    ("fcos", "1.3.0", "3.2.0"), ("fcos", "1.4.0", "3.3.0"), ("nestos", "1.0.0", "3.3.0"),
])
def test_spec_version(tr, variant, version, spec):
    result = tr("variant: %s\nversion: %s\n" % (variant, version))
    assert result.json == '{"ignition":{"version":"%s"}}' % spec
    assert result.spec == spec


@pytest.mark.parametrize("text,message", [
    ("variant: fcos\nversion: 1.5.0\n", "No translator exists for variant fcos with version 1.5.0"),
    ("variant: nestos\nversion: 1.1.0\n", "No translator exists for variant nestos with version 1.1.0"),
    ("variant: rhcos\nversion: 1.0.0\n", "rhcos variant has been removed; use openshift variant instead: "
                                        "https://coreos.github.io/butane/upgrading-openshift/"),
    ("version: 1.4.0\n", "error parsing variant; must be specified"),
    ("variant: fcos\n", "error parsing version; must be a valid semver"),
    ("variant: fcos\nversion: 1.4\n", "error parsing version; must be a valid semver"),
    ("", "error parsing variant; must be specified"),
])
def test_bad_variant_or_version(text, message):
    with pytest.raises(ButaneError) as err:
        translate(text, source="x.bu")
    assert str(err.value) == "x.bu: " + message
    assert isinstance(err.value, NestosError)


def test_yaml_syntax_error_has_line():
    with pytest.raises(ButaneError) as err:
        translate("variant: fcos\nversion: 1.4.0\nstorage: [\n")
    assert str(err.value).startswith("Error unmarshaling yaml: yaml: line ")
    assert err.value.line is not None


@pytest.mark.parametrize("version,key,path", [
    ("1.0.0", "trees", "$.storage.trees"),
    ("1.1.0", "luks", "$.storage.luks"),
    ("1.2.0", "boot_device", "$.boot_device"),
    ("1.3.0", "kernel_arguments", "$.kernel_arguments"),
])
def test_newer_fields_are_unused_keys(tr, version, key, path):
    body = {
        "trees": "storage:\n  trees:\n    - local: x\n",
        "luks": "storage:\n  luks:\n    - name: x\n      device: /dev/sda\n",
        "boot_device": "boot_device:\n  luks:\n    tpm2: true\n",
        "kernel_arguments": "kernel_arguments:\n  should_exist: [quiet]\n",
    }[key]
    result = tr("variant: fcos\nversion: %s\n%s" % (version, body))
    line = 4 if key in ("trees", "luks") else 3
    col = 3 if key in ("trees", "luks") else 1
    assert result.warnings == ["warning at %s, line %d col %d: Unused key %s" % (path, line, col, key)]
    # the field is not translated
    assert key not in result.json


def test_fcos_1_0_inline_is_plain_data_url_without_compression(tr_json):
    out = tr_json("variant: fcos\nversion: 1.0.0\nstorage:\n  files:\n    - path: /etc/motd\n"
                  "      contents:\n        inline: " + "a" * 400 + "\n")
    assert out["storage"]["files"][0]["contents"] == {"source": "data:," + "a" * 400}


def test_fcos_1_1_local_and_proxy(tr_json, tmp_path):
    (tmp_path / "f").write_text("hi")
    out = tr_json("variant: fcos\nversion: 1.1.0\nignition:\n  proxy:\n    http_proxy: http://p:3128\n"
                  "storage:\n  files:\n    - path: /f\n      contents:\n        local: f\n", files_dir=str(tmp_path))
    assert out == {"ignition": {"proxy": {"httpProxy": "http://p:3128"}, "version": "3.1.0"},
                   "storage": {"files": [{"path": "/f", "contents": {"compression": "", "source": "data:,hi"}}]}}


def test_kernel_arguments(tr):
    result = tr("variant: nestos\nversion: 1.0.0\nkernel_arguments:\n  should_exist: [quiet, 'console=ttyS0']\n"
                "  should_not_exist: [rhgb]\n")
    assert result.json == ('{"ignition":{"version":"3.3.0"},"kernelArguments":{"shouldExist":["quiet",'
                           '"console=ttyS0"],"shouldNotExist":["rhgb"]}}')


def test_pretty_form(tr):
    result = tr("variant: nestos\nversion: 1.0.0\nsystemd:\n  units:\n    - name: a.service\n      mask: true\n",
                pretty=True)
    assert result.output() == ('{\n  "ignition": {\n    "version": "3.3.0"\n  },\n  "systemd": {\n    "units": [\n'
                               '      {\n        "mask": true,\n        "name": "a.service"\n      }\n    ]\n  }\n}\n')


def test_dict_input(tr_json):
    out = tr_json({"variant": "nestos", "version": "1.0.0",
                   "storage": {"directories": [{"path": "/var/x", "mode": 0o750}]}})
    assert out["storage"] == {"directories": [{"path": "/var/x", "mode": 488}]}


def test_result_json_is_valid_json(tr):
    result = tr("variant: nestos\nversion: 1.0.0\npasswd:\n  groups:\n    - name: g\n      gid: 1001\n")
    assert json.loads(result.json)["passwd"] == {"groups": [{"gid": 1001, "name": "g"}]}


def test_fcos_1_0_config_references_have_no_inline(tr):
    result = tr("variant: fcos\nversion: 1.0.0\nignition:\n  config:\n    merge:\n      - source: https://e.com/a.ign\n"
                "        inline: x\n  security:\n    tls:\n      certificate_authorities:\n"
                "        - source: https://e.com/ca.pem\n")
    assert result.warnings == ["warning at $.ignition.config.merge.0.inline, line 7 col 9: Unused key inline"]
    assert result.json == ('{"ignition":{"config":{"merge":[{"source":"https://e.com/a.ign"}]},"security":{"tls":'
                           '{"certificateAuthorities":[{"source":"https://e.com/ca.pem"}]}},"version":"3.0.0"}}')


def test_fcos_1_0_too_many_sources_reported_at_inline():
    with pytest.raises(ButaneError) as err:
        translate("variant: fcos\nversion: 1.0.0\nstorage:\n  files:\n    - path: /a\n      contents:\n"
                  "        source: https://e.com/x\n        inline: y\n")
    assert "error at $.storage.files.0.contents.inline, line 8 col 17: only one of the following" in str(err.value)


def test_link_target_is_a_plain_string_before_3_3(tr):
    # Ignition <= 3.2 has a non-pointer target: Go writes "target": "" (and the 3.2 validator accepts it)
    result = tr("variant: fcos\nversion: 1.2.0\nstorage:\n  links:\n    - path: /etc/l\n")
    assert result.json == '{"ignition":{"version":"3.2.0"},"storage":{"links":[{"path":"/etc/l","target":""}]}}'


def test_link_target_required_in_3_3():
    with pytest.raises(ButaneError) as err:
        translate("variant: fcos\nversion: 1.4.0\nstorage:\n  links:\n    - path: /etc/l\n")
    assert "error at $.storage.links.0" in str(err.value)


def test_plain_strings_of_ignition_3_2(tr_json):
    # Ignition 3.2: raid.level and clevis custom config/pin are non-pointer strings
    out = tr_json("variant: fcos\nversion: 1.3.0\nstorage:\n  luks:\n    - name: d\n      device: /dev/vdb\n"
                  "      clevis:\n        custom:\n          needs_network: false\n          pin: tpm2\n"
                  "          config: '{}'\n")
    assert out["storage"]["luks"][0]["clevis"] == {"custom": {"config": "{}", "needsNetwork": False, "pin": "tpm2"}}
