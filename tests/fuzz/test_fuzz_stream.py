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


# ---- what parses server answers during a download (stream/http.py, stream/download.py) ----

from ansible_collections.nestos.lifecycle.plugins.module_utils.stream import download, http, verify  # noqa: E402

range_text = st.one_of(
    st.text(max_size=40),
    st.builds(lambda a, b, t: "bytes %s-%s/%s" % (a, b, t), st.integers(-5, 10 ** 20), st.integers(-5, 10 ** 20),
              st.one_of(st.just("*"), st.integers(-5, 10 ** 20))),
    st.builds(lambda t: "bytes */%s" % t, st.one_of(st.just("*"), st.integers(-5, 10 ** 20), st.text(max_size=5))))


@given(range_text, st.integers(0, 10 ** 12), st.sampled_from([200, 206, 416, 204, 301]))
def test_range_answers(value, offset, status):
    cr, err = only_nestos_errors(http.parse_content_range, value, "http://x/y")
    if cr is not None:
        assert cr.first is None or (0 <= cr.first <= cr.last)
        assert cr.total is None or cr.last is None or cr.last < cr.total
    start, err = only_nestos_errors(download._range_answer, status, {"Content-Range": value}, offset, "http://x/y")
    assert start in (None, 0, offset) or err is not None


@given(st.one_of(st.none(), st.text(max_size=30)))
def test_content_length(value):
    length, err = only_nestos_errors(http.parse_content_length, value, "http://x/y")
    assert length is None or length >= 0


@given(st.binary(max_size=512), st.sampled_from([b"", b"\xfd7zXZ\x00", b"\x1f\x8b", b"\x28\xb5\x2f\xfd"]))
def test_decompress_arbitrary_bytes(data, magic):
    import io
    import tempfile
    with tempfile.NamedTemporaryFile(prefix="nestos-fuzz-", suffix=".xz") as handle:
        handle.write(magic + data)
        handle.flush()
        out = io.BytesIO()
        size, err = only_nestos_errors(verify.decompress_file, handle.name, out, 4096)
        assert size is None or size == len(out.getvalue()) <= 4096
