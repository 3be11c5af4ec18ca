"""Sources of the metal engine: verification order, fetches, stream metadata (decompression is the stream
engine's: tests/unit/stream/test_decompress.py)."""
import gzip
import hashlib
import lzma

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.metal import api, source

RAW = b"NestOS" * 1000 + b"\0" * (3 << 20) + b"end"
XZ = lzma.compress(RAW, check=lzma.CHECK_CRC32)
GZ = gzip.compress(RAW)


def test_prefetch_passes_blocks_and_errors_through():
    assert list(source.prefetch(iter([b"a", b"b"]))) == [b"a", b"b"]

    def failing():
        yield b"x"
        raise NestosError("boom")

    with pytest.raises(NestosError, match="boom"):
        list(source.prefetch(failing()))


def test_sha256_is_checked_and_a_missing_signature_needs_insecure(tmp_path):
    path = tmp_path / "img.raw.xz"
    path.write_bytes(XZ)
    with source.open_artifact(image_file=str(path)) as art:
        with pytest.raises(NestosError, match="sha256 mismatch"):
            art.verify(sha256="0" * 64, insecure=True)
        with pytest.raises(NestosError, match="insecure is not set"):
            art.verify(sha256=hashlib.sha256(XZ).hexdigest())
        assert art.verify(sha256="sha256:" + hashlib.sha256(XZ).hexdigest(), insecure=True) == "skipped"
        with pytest.raises(NestosError, match="gpg_keyring"):
            art.verify(signature=b"sig")


def test_ignition_sources_and_hash(tmp_path):
    assert api.ignition_bytes({"ignition": {"ignition": {"version": "3.3.0"}}}) == b'{"ignition":{"version":"3.3.0"}}'
    cfg = tmp_path / "c.ign"
    cfg.write_bytes(b"{}")
    digest = "sha256-" + hashlib.sha256(b"{}").hexdigest()
    assert api.ignition_bytes({"ignition_file": str(cfg), "ignition_hash": digest}) == b"{}"
    with pytest.raises(NestosError, match="hash mismatch"):
        api.ignition_bytes({"ignition_file": str(cfg), "ignition_hash": "sha256-" + "0" * 64})
    with pytest.raises(NestosError, match="Invalid hash type"):
        api.ignition_bytes({"ignition_file": str(cfg), "ignition_hash": "md5-00"})
    with pytest.raises(NestosError, match="refusing to fetch"):
        api.ignition_bytes({"ignition_url": "http://example.invalid/c.ign"})
    with pytest.raises(NestosError) as err:
        api.ignition_bytes({"ignition_file": str(tmp_path / "missing.ign")})
    assert err.value.path == "ignition_file"


# Network, stream metadata and signatures come from the stream engine (metal -> stream).

def test_stream_location_reads_the_real_stream_fixture_through_the_stream_engine(tmp_path, upstream):
    import json

    doc = (upstream / "stream-metadata-go/stream/fixtures/fcos-stream.json").read_bytes()
    (tmp_path / "stable.json").write_bytes(doc)
    disk = json.loads(doc)["architectures"]["x86_64"]["artifacts"]["metal"]["formats"]["raw.xz"]["disk"]
    got = source.stream_location("stable", "x86_64", "file://%s/" % tmp_path, 0, 10)
    assert got == (disk["location"], disk["sha256"], disk.get("signature"))


def test_stream_location_errors_are_the_stream_readers(tmp_path, upstream):
    import json

    raw = json.loads((upstream / "stream-metadata-go/stream/fixtures/fcos-stream.json").read_bytes())
    del raw["architectures"]["x86_64"]["artifacts"]["metal"]
    (tmp_path / "stable.json").write_text(json.dumps(raw))
    with pytest.raises(NestosError, match="stream stable has no platform metal for x86_64 \\(it has: "):
        source.stream_location("stable", "x86_64", "file://%s" % tmp_path, 0, 10)
    raw["architectures"]["x86_64"]["artifacts"]["qemu"]["formats"]["qcow2.xz"]["disk"]["sha256"] = "XYZ"
    (tmp_path / "stable.json").write_text(json.dumps(raw))
    with pytest.raises(NestosError) as err:
        source.stream_location("stable", "x86_64", "file://%s" % tmp_path, 0, 10)
    assert err.value.path == "$.architectures.x86_64.artifacts.qemu.formats.qcow2.xz.disk.sha256"


def test_fetch_to_hashes_what_it_writes_and_stops_at_the_limit(tmp_path):
    src = tmp_path / "blob"
    src.write_bytes(GZ)
    with open(tmp_path / "out", "w+b") as out:
        assert source.fetch_to("file://%s" % src, out, 0, 10) == hashlib.sha256(GZ).hexdigest()
        out.seek(0)
        assert out.read() == GZ
        with pytest.raises(NestosError, match="is larger than 100 bytes"):
            source.fetch_to("file://%s" % src, out, 5, 10, limit=100)


def test_fetch_to_retries_then_names_the_url(tmp_path, monkeypatch):
    sleeps = []
    monkeypatch.setattr(source.time, "sleep", sleeps.append)
    with open(tmp_path / "out", "w+b") as out:
        with pytest.raises(NestosError, match="cannot download file://%s/missing: " % tmp_path):
            source.fetch_to("file://%s/missing" % tmp_path, out, 2, 10)
    assert sleeps == [1, 2]     # two retries after the first attempt
