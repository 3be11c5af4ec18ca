"""The collection's one decompressing reader (stream/decompress.py), used by image_download and
metal_image: bounded steps, the limit named by the caller's option, truncation is an error; zstd
through the real zstd program."""
import gzip
import io
import lzma
import shutil
import subprocess

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.stream import decompress, verify

RAW = b"NestOS" * 1000 + b"\0" * (3 << 20) + b"end"
XZ = lzma.compress(RAW, check=lzma.CHECK_CRC32)
GZ = gzip.compress(RAW)


def _zstd(data):
    if shutil.which("zstd") is None:
        raise RuntimeError("zstd is not installed (the Makefile installs it)")
    return subprocess.run(["zstd", "-q", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout


ZST = _zstd(RAW)
KINDS = [(XZ, "xz"), (GZ, "gzip"), (ZST, "zstd"), (RAW, "raw")]


@pytest.mark.parametrize("data,kind", KINDS, ids=[k for _d, k in KINDS])
def test_round_trip_in_bounded_blocks(data, kind):
    assert (decompress.compression_of_head(data[:8]) or "raw") == kind
    blocks = list(decompress.decompressed(io.BytesIO(data), "img"))
    assert b"".join(blocks) == RAW
    assert max(len(b) for b in blocks) <= decompress.OUT_CHUNK


@pytest.mark.parametrize("data", [XZ, GZ, ZST], ids=["xz", "gzip", "zstd"])
def test_truncated_and_oversized_streams_are_errors(data):
    with pytest.raises(NestosError, match="truncated"):
        b"".join(decompress.decompressed(io.BytesIO(data[:len(data) // 2]), "img"))
    with pytest.raises(NestosError, match="more than max_image_size") as err:
        b"".join(decompress.decompressed(io.BytesIO(data), "img", max_size=1 << 20))
    assert err.value.path == "max_image_size"
    with pytest.raises(NestosError, match="more than max_decompressed_size") as err:
        b"".join(decompress.decompressed(io.BytesIO(data), "img", 1 << 20, field="max_decompressed_size"))
    assert err.value.path == "max_decompressed_size"


def test_a_decompression_bomb_stops_at_the_limit_without_expanding_first():
    bomb = lzma.compress(b"\0" * (64 << 20), preset=1, check=lzma.CHECK_CRC32)
    assert len(bomb) < 100000
    seen = []
    with pytest.raises(NestosError, match="max_image_size"):
        for block in decompress.decompressed(io.BytesIO(bomb), "bomb", max_size=8 << 20):
            seen.append(len(block))
    assert max(seen) <= decompress.OUT_CHUNK and sum(seen) <= 8 << 20


@pytest.mark.parametrize("data", [XZ, GZ, ZST], ids=["xz", "gzip", "zstd"])
def test_head_decompresses_only_the_start_and_stops_the_rest(data):
    assert decompress.head(io.BytesIO(data), "img", 4096) == RAW[:4096]


@pytest.mark.parametrize("data,kind", KINDS[:3], ids=[k for _d, k in KINDS[:3]])
def test_decompress_file_uses_the_same_reader(tmp_path, data, kind):
    import hashlib

    src = tmp_path / ("img." + kind)
    src.write_bytes(data)
    out, digest = io.BytesIO(), hashlib.sha256()
    assert verify.decompress_file(str(src), out, digest=digest) == len(RAW)
    assert out.getvalue() == RAW and digest.hexdigest() == hashlib.sha256(RAW).hexdigest()
    with pytest.raises(NestosError, match="more than max_decompressed_size"):
        verify.decompress_file(str(src), io.BytesIO(), limit=1 << 20)
    (tmp_path / "plain").write_bytes(RAW)
    with pytest.raises(NestosError, match="not xz, gzip or zstd"):
        verify.decompress_file(str(tmp_path / "plain"), io.BytesIO())
