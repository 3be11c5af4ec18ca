"""parse(): positions like Ignition's (go-json offsets), version handling, JSON errors."""
import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import jsonpos
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.parse import (
    IgnitionConfigError, load_and_validate, parse)

PRETTY = b"""{
  "ignition": {
    "version": "3.3.0"
  },
  "storage": {
    "files": [
      {
        "path": "/etc/x",
        "mode": 65536
      }
    ]
  }
}
"""


def test_positions_pretty():
    config, report = parse(PRETTY)
    assert config["storage"]["files"][0]["mode"] == 65536
    assert report.format() == "error at $.storage.files.0.mode, line 9 col 17: illegal file mode\n"


def test_position_of_object_is_after_brace():
    _v, pos = jsonpos.loads('{"a": [ {"b": 1} ]}')
    assert pos.lookup(("a",)) == (1, 8)       # after '['
    assert pos.lookup(("a", 0)) == (1, 10)    # after '{'
    assert pos.lookup(("a", 0, "b")) == (1, 15)
    assert pos.lookup(("a", 0, "b"), key=True) == (1, 10)
    assert pos.lookup(("a", 0, "zz")) == (1, 10)   # deepest known ancestor


def test_columns_count_bytes():
    _v, pos = jsonpos.loads(u'{"é": "x", "b": 1}')
    assert pos.lookup(("b",)) == (1, 18)


def test_numbers_keep_int_or_float():
    v, _pos = jsonpos.loads('[1, 1.0, 1e2, -0]')
    assert [type(x) for x in v] == [int, float, float, int]


@pytest.mark.parametrize("text, message, line, col", [
    ("", "not a config (empty)", None, None),
    ('{"ignition":{"version":"3.3.0"},}', "invalid character '}' looking for beginning of object key string", 1, 33),
    ('{"ignition":{"version":"3.3.0"}}\n x', "invalid character 'x' after top-level value", 2, 2),
    ('{"a" 1}', "invalid character '1' after object key", 1, 6),
    ("[1 2]", "invalid character '2' after array element", 1, 4),
    ('{"a":tru}', "invalid character '}' in literal true (expecting 'e')", 1, 9),
    ('{"a":"x\ty"}', "invalid character '\\t' in string literal", 1, 8),  # Go quotes like strconv.Quote
    ('{"a":', "unexpected end of JSON input", 1, 6),
])
def test_json_errors(text, message, line, col):
    config, report = parse(text)
    assert config is None
    assert [(e.message, e.line, e.column) for e in report] == [(message, line, col)]


@pytest.mark.parametrize("text, message", [
    ("[]", "json: cannot unmarshal array into Go value of type util.versionStub"),
    ("{}", "invalid config version (couldn't parse)"),
    ('{"ignition":{"version":"2.3.0"}}', "unsupported config version"),
    ('{"ignition":{"version":"3.4.0-experimental"}}', "unsupported config version"),
    ('{"ignition":{"version":"3.3.0.0"}}', "invalid config version (couldn't parse)"),
    ('{"ignition":{"version":7}}',
     "json: cannot unmarshal number into Go struct field .Ignition.Version of type string"),
])
def test_version_errors(text, message):
    config, report = parse(text)
    assert config is None
    assert [e.message for e in report] == [message]


def test_older_versions_accepted():
    for v in ("3.0.0", "3.1.0", "3.2.0", "3.3.0"):
        config, report = parse('{"ignition":{"version":"%s"}}' % v)
        assert config == {"ignition": {"version": v}} and len(report) == 0


def test_invalid_utf8_does_not_crash():
    config, report = parse(b'{"ignition":{"version":"3.3.0"},"passwd":{"users":[{"name":"\xff"}]}}')
    assert config["passwd"]["users"][0]["name"] == u"\ufffd"


def test_deep_nesting_is_an_error_not_a_crash():
    config, report = parse("[" * 5000)
    assert config is None and report.is_fatal()


def test_load_and_validate_raises_with_location():
    with pytest.raises(IgnitionConfigError) as ei:
        load_and_validate(PRETTY, source="x.ign")
    err = ei.value
    assert (err.file, err.path, err.line, err.column) == ("x.ign", "$.storage.files.0.mode", 9, 17)
    assert str(err).startswith("x.ign, $.storage.files.0.mode, line 9 col 17: config is not valid")


def test_load_and_validate_strict():
    text = '{"ignition":{"version":"3.3.0"},"x":1}'
    config, report = load_and_validate(text)
    assert config["x"] == 1 and len(report.warnings) == 1
    with pytest.raises(IgnitionConfigError):
        load_and_validate(text, strict=True)
