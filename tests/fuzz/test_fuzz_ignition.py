"""Fuzzing the Ignition engine: any input gives a Report (or the project's own error), never a
traceback; round trips hold. Byte-level (raw bytes, text), structured (JSON shapes of the
model, Python objects) and the resolver the modules call."""
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import dataurl
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import model as M
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.merge import merge
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.parse import parse
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.report import Report
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.serialize import dumps
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.validate import validate
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.api import resolve_ignition
from tests.support.fuzzing import only_nestos_errors

# Counts come from the nestos-fuzz profile (tests/fuzz/conftest.py: NESTOS_FUZZ_EXAMPLES).
SETTINGS = settings()

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70), st.floats(allow_nan=False, allow_infinity=False),
                    st.sampled_from(["", "/", "/a", "a", "data:,x", "http://h/x", "sha512-", "3.3.0", "gzip", "xfs",
                                     "a.service", "[Unit]\nA=b\n", "/dev/sda"]),
                    st.text(max_size=8))
KEYS = sorted({k for v in M.SUPPORTED_VERSIONS for _n, (fields, _i) in M.model(v).items() for k, _kind, _t in fields})
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=4)), children, max_size=5)),
    max_leaves=30)


@SETTINGS
@given(st.binary(max_size=200))
def test_parse_bytes_never_raises(data):
    config, report = parse(data)
    assert isinstance(report, Report)
    assert config is None or isinstance(config, dict)
    if config is None:
        assert report.is_fatal()
    for e in report:
        e.format()


@SETTINGS
@given(json_values, st.sampled_from(M.SUPPORTED_VERSIONS))
def test_validate_any_shape(value, version):
    config = {"ignition": {"version": version}}
    if isinstance(value, dict):
        config.update(value)
        config["ignition"] = {"version": version}
    text = json.dumps(config)
    parsed, report = parse(text)
    assert isinstance(report, Report)
    assert parsed == json.loads(text)
    for e in report:
        assert e.line is not None and e.line >= 1
    if not report.is_fatal() and not any(e.message.startswith("Unused key") for e in report):
        again, report2 = parse(dumps(parsed, pretty=True))
        assert not report2.is_fatal()
        assert dumps(again) == dumps(parsed)


@SETTINGS
@given(json_values, json_values)
def test_merge_of_valid_shapes_stays_valid_shape(a, b):
    def as_cfg(v):
        c = {"ignition": {"version": "3.3.0"}}
        if isinstance(v, dict):
            c.update(v)
            c["ignition"] = {"version": "3.3.0"}
        return c

    p, c = as_cfg(a), as_cfg(b)
    shape_ok = all(not (e.is_error and e.message.startswith("json:")) for e in validate(p).entries + validate(c).entries)
    if not shape_ok:
        return
    out = merge(p, c)
    assert not any(e.message.startswith("json:") for e in validate(out))
    dumps(out)


@SETTINGS
@given(st.binary(max_size=3000), st.booleans())
def test_dataurl_roundtrip(data, allow):
    url, comp = dataurl.encode(data, compress_allowed=allow)
    assert dataurl.decode_contents(url, comp) == data
    assert comp in ("", "gzip")


@SETTINGS
@given(st.text(max_size=40))
def test_dataurl_decode_text_never_crashes(s):
    try:
        dataurl.decode("data:" + s)
    except dataurl.DataURLError as e:
        assert e.message


@SETTINGS
@given(st.text(max_size=120))
def test_parse_text_never_raises(text):
    config, report = parse(text)
    assert isinstance(report, Report)
    assert (config is None) <= report.is_fatal()


odd_values = st.recursive(
    st.one_of(scalars, st.tuples(st.integers()), st.binary(max_size=3), st.sets(st.integers(), max_size=2)),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.one_of(st.sampled_from(KEYS), st.integers(), st.none()), children, max_size=4)),
    max_leaves=20)


@SETTINGS
@given(odd_values)
def test_validate_python_objects_never_raises(value):
    for cfg in (value, {"ignition": {"version": "3.3.0"}, "storage": value, "systemd": {"units": value}}):
        report = validate(cfg)
        assert isinstance(report, Report)
        report.format()


@SETTINGS
@given(st.one_of(st.binary(max_size=400), st.text(max_size=200), json_values.map(json.dumps),
                 st.integers(0, 6000).map(lambda n: '{"ignition":{"version":"3.3.0"},"x":1%s}' % ("0" * n))))
def test_resolver_only_nestos_errors(data):
    """What iso_ignition/libvirt_vm call: bytes or text in, bytes or a NestosError out."""
    result, err = only_nestos_errors(resolve_ignition, ignition_content=data)
    if err is None:
        assert isinstance(result[0], bytes)


@SETTINGS
@given(odd_values)
def test_resolver_python_objects(value):
    only_nestos_errors(resolve_ignition, ignition_content={"ignition": {"version": "3.3.0"}, "passwd": value})
