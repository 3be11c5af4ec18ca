"""The stream engine on stream-metadata-go's real fixture (fcos-stream.json)."""
import json

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.stream.metadata import (
    format_rows, parse_stream, stream_url)


@pytest.fixture
def document(upstream):
    return (upstream / "stream-metadata-go/stream/fixtures/fcos-stream.json").read_bytes()


def test_rows_are_every_format_the_document_holds(document):
    raw = json.loads(document)
    want = sorted((arch, platform, fmt) for arch, body in raw["architectures"].items()
                  for platform, art in body["artifacts"].items() for fmt in art["formats"])
    stream = parse_stream(document, "fcos-stream.json")
    assert stream.name == "stable" and stream.last_modified == "2020-12-17T14:18:43Z"
    assert stream.rows() == want
    lines = format_rows(stream.rows()).splitlines()
    assert lines[0].split() == ["Architecture", "Platform", "Format"]
    assert [tuple(line.split()) for line in lines[1:]] == want
    assert len(set(line.index(line.split()[1]) for line in lines)) == 1  # aligned columns


def test_select_gives_the_documented_artifact(document):
    release, kinds = parse_stream(document).select("x86_64", "metal", "iso")
    assert release == "33.20201201.3.0"
    disk = kinds["disk"]
    assert disk.location.endswith("fedora-coreos-33.20201201.3.0-live.x86_64.iso")
    assert disk.signature == disk.location + ".sig"
    assert disk.sha256 == "2f62f8f4813bbf584945052d54746cb83101b2c643705a33711ae26fce15fcba"


@pytest.mark.parametrize("args,words", [(("aarch64", "metal", "iso"), "no architecture aarch64"),
                                        (("x86_64", "nowhere", "iso"), "no platform nowhere"),
                                        (("x86_64", "metal", "zip"), "no format zip")])
def test_select_refusals_list_what_exists(document, args, words):
    with pytest.raises(NestosError, match=words) as err:
        parse_stream(document).select(*args)
    assert "it has:" in str(err.value)


def test_bad_documents_name_the_field(document):
    raw = json.loads(document)
    raw["architectures"]["x86_64"]["artifacts"]["metal"]["formats"]["iso"]["disk"]["sha256"] = "XYZ"
    with pytest.raises(NestosError) as err:
        parse_stream(json.dumps(raw), "bad.json")
    assert err.value.file == "bad.json"
    assert err.value.path == "$.architectures.x86_64.artifacts.metal.formats.iso.disk.sha256"


def test_stream_url_joins_like_upstream():
    assert stream_url("stable") == "https://builds.coreos.fedoraproject.org/streams/stable.json"
    assert stream_url("next", "http://127.0.0.1:8080/streams/") == "http://127.0.0.1:8080/streams/next.json"
    assert stream_url("next", "http://127.0.0.1:8080/streams") == "http://127.0.0.1:8080/next.json"
    with pytest.raises(NestosError):
        stream_url("../etc/passwd")
