import gzip
import lzma

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.initrd import (
    Initrd, make_newc, read_initrd, safe_member_path)


def test_single_member_layout_matches_reference_example():
    data = b"x" * 34
    raw = make_newc({"config.ign": data})
    fields = ["00000000", "00008180", "00000000", "00000000", "00000001", "00000000", "00000022",
              "00000000", "00000000", "00000000", "00000000", "0000000b", "00000000"]
    head = b"070701" + "".join(fields).encode()
    assert raw.startswith(head + b"config.ign\0" + b"\0" * 3 + data + b"\0\0")
    trailer = raw[len(head) + 14 + 36:]
    assert trailer[:6] == b"070701"
    assert trailer[6 + 8:6 + 16] == b"00000000"  # mode 0
    assert trailer[6 + 32:6 + 40] == b"00000001"  # nlink 1
    assert trailer[110:110 + 11] == b"TRAILER!!!\0"
    assert len(trailer) == 124  # no block padding after the trailer


def test_directories_emitted_like_upstream():
    members = dict((p, b"") for p in ("c/f", "c/a/b/d/f", "d", "c/g", "c/a/c/f", "a/b/c/d/e/f"))
    raw = make_newc(members)
    entries = []
    pos = 0
    while True:
        mode = int(raw[pos + 14:pos + 22], 16)
        namesize = int(raw[pos + 94:pos + 102], 16)
        size = int(raw[pos + 54:pos + 62], 16)
        name = raw[pos + 110:pos + 110 + namesize - 1].decode()
        if name == "TRAILER!!!":
            break
        entries.append((mode & 0o170000 == 0o040000, name, int(raw[pos + 6:pos + 14], 16)))
        pos += 110 + namesize
        pos += (4 - pos % 4) % 4
        pos += size + (4 - size % 4) % 4
    assert [(d, n) for d, n, _ino in entries] == [
        (True, "a"), (True, "a/b"), (True, "a/b/c"), (True, "a/b/c/d"), (True, "a/b/c/d/e"), (False, "a/b/c/d/e/f"),
        (True, "c"), (True, "c/a"), (True, "c/a/b"), (True, "c/a/b/d"), (False, "c/a/b/d/f"), (True, "c/a/c"),
        (False, "c/a/c/f"), (False, "c/f"), (False, "c/g"), (False, "d")]
    assert [i for _isdir, _name, i in entries] == list(range(16))


def test_concatenated_mixed_and_zero_padding():
    a = make_newc({"a/x": b"1"})
    b = gzip.compress(make_newc({"b/x": b"2", "a/x": b"override"}))
    c = Initrd({"c": b"3"}).to_bytes()
    data = a + b"\0" * 7 + b + b"\0" * 4 + c
    assert read_initrd(data) == {"a/x": b"override", "b/x": b"2", "c": b"3"}


def test_trailing_garbage_inside_compressed_archive_refused():
    blob = lzma.compress(make_newc({"a": b"1"}) + b"garbage", check=lzma.CHECK_CRC32)
    with pytest.raises(NestosError, match="trailing garbage"):
        read_initrd(blob)


def test_unknown_format_and_truncation_are_clear():
    with pytest.raises(NestosError, match="unknown archive format"):
        read_initrd(b"hello world")
    with pytest.raises(NestosError, match="truncated"):
        read_initrd(make_newc({"a": b"1" * 100})[:150])


@pytest.mark.parametrize("name", ["/etc/passwd", "../x", "a/../../b"])
def test_traversal_refused(name, tmp_path):
    with pytest.raises(NestosError, match="path traversal"):
        safe_member_path(name)
    with pytest.raises(NestosError, match="path traversal"):
        Initrd({name: b"x", "ok": b"y"}).extract(str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_extract_writes_members(tmp_path):
    written = Initrd({"a/b": b"1", "c": b"2"}).extract(str(tmp_path))
    assert (tmp_path / "a" / "b").read_bytes() == b"1"
    assert len(written) == 2
