"""Fuzz the stream metadata reader: arbitrary bytes, arbitrary JSON, and mutations of the
real upstream document; only NestosError may escape, and what parses lists consistently."""
import json
import pathlib

from hypothesis import given, strategies as st

from ansible_collections.nestos.lifecycle.plugins.module_utils.stream.metadata import format_rows, parse_stream
from tests.support.fuzzing import only_nestos_errors

SHARED = pathlib.Path(__file__).resolve().parents[2].parent / "shared"
REAL = json.loads((SHARED / "fixtures/upstream/stream-metadata-go/stream/fixtures/fcos-stream.json").read_text())

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=30)


def _check(data):
    stream, err = only_nestos_errors(parse_stream, data, "fuzz.json")
    if stream is not None:
        rows = stream.rows()
        assert rows == sorted(rows)
        text = format_rows(rows)
        assert text.count("\n") == len(rows) + 1
        for arch, platform, fmt in rows:
            release, kinds = stream.select(arch, platform, fmt)
            assert isinstance(release, str) and all(a.location for a in kinds.values())


@given(st.binary(max_size=2048))
def test_arbitrary_bytes(data):
    _check(data)


@given(json_values)
def test_arbitrary_json(value):
    _check(json.dumps(value))


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, prefix + (key,))


PATHS = list(_paths(REAL))


@given(st.sampled_from(PATHS), json_values)
def test_mutated_real_document(path, replacement):
    doc = json.loads(json.dumps(REAL))
    if not path:
        doc = replacement
    else:
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = replacement
    _check(json.dumps(doc))
