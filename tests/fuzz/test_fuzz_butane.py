"""Fuzzing the Butane engine: whatever comes in (bytes, text, YAML of the model's shape, Python
objects of any kind), a translation or the project's own error comes out; never another
exception, a hang or a crash. Counts: the nestos-fuzz profile (10,000 per test in CI)."""
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.api import resolve_ignition
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.schema import STRUCTS
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.to_ignition import translate
from tests.support.fuzzing import only_nestos_errors
from tests.support.light_yaml import LightServer, outcome_here

HEADS = st.sampled_from(["variant: nestos\nversion: 1.0.0\n", "variant: fcos\nversion: 1.0.0\n",
                         "variant: fcos\nversion: 1.2.0\n", "variant: fcos\nversion: 1.3.0\n",
                         "variant: fcos\nversion: 1.4.0\n", ""])
KEYS = sorted({f[0] for fields in STRUCTS.values() for f in fields} | {"<<", "x"})
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70), st.floats(),
    st.sampled_from(["/etc/x", "yes", "on", "0644", "0o755", "1e400", "!!binary aGk=", "!!binary ***", "*a", "&a x",
                     "'q'", "\"\\ud800\"", "[", "{", "- x", "|\n  x", "1" * 60, ".inf", "~", "/dev/vda", "x86_64",
                     "a@.service", "[Install]\nWantedBy=x\n"]),
    st.text(max_size=12))


def _containers(inner):
    return st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5))


VALUES = st.recursive(SCALARS, _containers, max_leaves=30)
ODD = st.recursive(
    st.one_of(SCALARS, st.binary(max_size=4), st.sets(st.integers(), max_size=2), st.complex_numbers(),
              st.tuples(st.integers())),
    lambda children: st.one_of(st.lists(children, max_size=3), st.tuples(children, children),
                               st.dictionaries(st.one_of(st.sampled_from(KEYS), st.integers(), st.tuples(st.integers()),
                                                         st.none()), children, max_size=4)),
    max_leaves=15)


def _check(value, **kwargs):
    result, err = only_nestos_errors(translate, value, **kwargs)
    if err is None:
        json.loads(result.json)
        assert all(isinstance(line, str) for line in result.warnings)
    return err


def _yaml(value):
    # flow style: JSON is YAML; the head lines stay on top
    return json.dumps(value, ensure_ascii=False)


@given(HEADS, st.binary(max_size=300))
def test_bytes(head, data):
    _check(head.encode() + data)


@given(HEADS, st.text(max_size=300))
def test_text(head, text):
    _check(head + text)


@given(HEADS, st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6))
def test_model_shaped_yaml(head, body):
    _check(head + "\n".join("%s: %s" % (json.dumps(k), _yaml(v)) for k, v in body.items()) + "\n")


@given(st.sampled_from([("nestos", "1.0.0"), ("fcos", "1.1.0"), ("fcos", "1.4.0")]),
       st.dictionaries(st.sampled_from(KEYS), ODD, max_size=5))
def test_python_objects(head, body):
    doc = dict(body)
    doc["variant"], doc["version"] = head
    _check(doc)


@given(st.sampled_from(["[", "{", "- ", "a:\n  "]), st.one_of(st.integers(1, 50), st.integers(990, 1010), st.integers(9990, 10010)))
def test_nesting(opener, depth):
    closer = {"[": "]", "{": "}"}.get(opener, "")
    body = "x: " + opener * depth + ("a" if opener in ("- ", "a:\n  ") else "") + closer * depth
    _check("variant: fcos\nversion: 1.4.0\n" + body + "\n")


@given(st.integers(0, 400), st.integers(0, 300))
def test_aliases(size, count):
    text = ("variant: fcos\nversion: 1.4.0\ns: &s %s\nkernel_arguments:\n  should_exist: [%s]\n"
            % ("x" * size or "y", ", ".join(["*s"] * count)))
    _check(text)


@given(st.one_of(st.binary(max_size=200), st.text(max_size=200), VALUES))
def test_resolver(butane):
    """The resolver the live and libvirt modules call with ``butane=``."""
    only_nestos_errors(resolve_ignition, butane=butane)


@pytest.fixture(scope="module")
def light():
    server = LightServer()
    yield server
    server.close()


@given(HEADS, st.one_of(st.binary(max_size=200), st.text(max_size=200).map(lambda t: t.encode("utf-8", "replace")),
                        VALUES.map(lambda v: _yaml(v).encode())))
def test_light_load_reads_like_whole_pyyaml(light, head, data):
    """The CLI's light-loaded PyYAML parser builds the same node tree (tags, values, styles,
    marks) or the same error as the whole PyYAML in this process."""
    how, result = light.outcome(head.encode() + data)
    assert how == "light"
    assert result == outcome_here(head.encode() + data)
