"""The download planner and the readers of server answers (pure: local files only)."""
import hashlib
import os

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.stream import download, http, verify

DATA = b"nestos image bytes\n" * 1000
SHA = hashlib.sha256(DATA).hexdigest()
URL = "http://mirror.invalid/builds/nestos-metal.x86_64.raw.xz"


def _opts(**kw):
    kw.setdefault("gpg_keyring", "/keys/nestos.asc")
    return download.Options(**kw)


def _src(**kw):
    return download.Source(kw.pop("url", URL), kw.pop("sha256", SHA), kw.pop("signature_url", URL + ".sig"), **kw)


@pytest.mark.parametrize("value, want", [
    ("bytes 100-199/200", (100, 199, 200)),
    ("bytes 0-0/1", (0, 0, 1)),
    ("bytes 5-9/*", (5, 9, None)),
    ("bytes */4096", (None, None, 4096)),
])
def test_content_range_good(value, want):
    cr = http.parse_content_range(value, "u")
    assert (cr.first, cr.last, cr.total) == want


@pytest.mark.parametrize("value", [None, "", "bytes", "bytes 10-5/100", "bytes 0-100/100", "items 0-1/2",
                                   "bytes */*", "bytes -1-2/3", "bytes 1-2/3 junk", "bytes 99999999999999999999-1/2"])
def test_content_range_bad(value):
    with pytest.raises(NestosError) as err:
        http.parse_content_range(value, "http://x/y")
    assert err.value.path == "Content-Range" and err.value.file == "http://x/y"


def test_content_length():
    assert http.parse_content_length(None) is None
    assert http.parse_content_length(" 42 ") == 42
    for bad in ("-1", "4 2", "0x10", "1" * 30):
        with pytest.raises(NestosError):
            http.parse_content_length(bad, "u")


@pytest.mark.parametrize("status, header, offset, want", [
    (206, "bytes 100-999/1000", 100, 100),   # resume as asked
    (206, "bytes 0-999/1000", 100, 0),       # a range we did not ask for: restart
    (200, None, 100, 0),                     # server ignored Range: restart
    (416, "bytes */100", 100, None),         # partial already complete
    (416, "bytes */50", 100, 0),             # partial longer than the file: restart
])
def test_range_answer(status, header, offset, want):
    headers = {"Content-Range": header} if header else {}
    assert download._range_answer(status, headers, offset, "u") == want


def test_range_answer_unexpected_status():
    with pytest.raises(NestosError, match="unexpected HTTP status 204"):
        download._range_answer(204, {}, 10, "u")


def test_names_and_paths(tmp_path):
    src = _src()
    assert src.name == "nestos-metal.x86_64.raw.xz"
    assert verify.decompressed_name(src.name) == "nestos-metal.x86_64.raw"
    assert verify.decompressed_name(".xz") == ".xz"
    assert download.partial_path(str(tmp_path / "a.iso")) == str(tmp_path / ".a.iso.partial")
    assert download.final_path(src, str(tmp_path), 1, True) == str(tmp_path / "nestos-metal.x86_64.raw")
    assert download.final_path(src, str(tmp_path / "x.raw"), 1, True) == str(tmp_path / "x.raw")
    with pytest.raises(NestosError, match="existing folder"):
        download.final_path(src, str(tmp_path / "x.raw"), 3, False)
    with pytest.raises(NestosError, match="file name"):
        download.Source("http://host/").name


def test_plan_absent_then_keep_then_differs(tmp_path):
    path = tmp_path / "img.raw.xz"
    step = download.plan_one(_src(), str(path), _opts())
    assert (step.action, step.before, step.offset) == ("fetch", None, 0)
    path.write_bytes(DATA)
    step = download.plan_one(_src(), str(path), _opts())
    assert (step.action, step.before) == ("keep", SHA)
    assert download.plan_one(_src(), str(path), _opts(force=True)).action == "fetch"
    path.write_bytes(DATA + b"x")
    step = download.plan_one(_src(), str(path), _opts())
    assert step.action == "fetch" and step.reason == "sha256 differs"


def test_plan_resume_only_when_something_verifies(tmp_path):
    path = tmp_path / "img.raw"
    (tmp_path / ".img.raw.partial").write_bytes(DATA[:777])
    assert download.plan_one(_src(), str(path), _opts()).offset == 777
    step = download.plan_one(_src(sha256=None, signature_url=None), str(path), _opts(insecure=True))
    assert (step.action, step.offset) == ("fetch", 0)


def test_plan_decompress_compares_the_uncompressed_digest(tmp_path):
    path = tmp_path / "img.raw"
    path.write_bytes(DATA)
    src = _src(sha256="a" * 64, uncompressed_sha256=SHA)
    assert download.plan_one(src, str(path), _opts(decompress=True)).action == "keep"
    assert download.plan_one(src, str(path), _opts()).action == "fetch"
    bare = _src(sha256="a" * 64)
    assert download.plan_one(bare, str(path), _opts(decompress=True)).action == "keep"  # nothing to compare
    assert download.plan_one(bare, str(path), _opts(decompress=True, force=True)).action == "fetch"


def test_policy(tmp_path):
    with pytest.raises(NestosError) as err:
        download.plan_one(_src(), str(tmp_path / "a"), download.Options())
    assert err.value.path == "gpg_keyring"
    with pytest.raises(NestosError) as err:
        download.plan_one(_src(sha256=None, signature_url=None), str(tmp_path / "a"), _opts())
    assert err.value.path == "sha256"
    assert download.plan_one(_src(), str(tmp_path / "a"), download.Options(insecure=True)).action == "fetch"


def test_destination_rule(tmp_path):
    os.symlink("/etc/hostname", str(tmp_path / "link"))
    with pytest.raises(NestosError, match="symbolic link"):
        download.plan_one(_src(), str(tmp_path / "link"), _opts())
    os.mkdir(str(tmp_path / ".d.partial"))
    with pytest.raises(NestosError, match="folder"):
        download.plan_one(_src(), str(tmp_path / "d"), _opts())


def test_plan_download_same_name_twice(tmp_path):
    with pytest.raises(NestosError, match="same name"):
        download.plan_download([_src(), _src()], str(tmp_path), _opts())
    with pytest.raises(NestosError, match="nothing to download"):
        download.plan_download([], str(tmp_path), _opts())


def test_direct_source_digest():
    assert download.direct_source(URL, SHA.upper()).sha256 == SHA
    with pytest.raises(NestosError) as err:
        download.direct_source(URL, "abc")
    assert err.value.path == "sha256"


def test_open_url_refuses_other_schemes():
    with pytest.raises(NestosError, match="not an http"):
        http.open_url("ftp://x/y")
