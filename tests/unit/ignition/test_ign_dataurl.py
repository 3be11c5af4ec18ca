"""Data URLs: Butane's MakeDataURL choice and the dataurl parser Ignition uses."""
import base64
import gzip
import re
from urllib.parse import unquote_to_bytes

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import dataurl


def test_percent_form_for_short_text():
    assert dataurl.encode(b"hello world") == ("data:,hello%20world", "")


def test_escape_keeps_only_unreserved():
    assert dataurl.escape(b"Az09-_.!~*'()") == "Az09-_.!~*'()"
    assert dataurl.escape(b" /:\n\xff") == "%20%2F%3A%0A%FF"


def test_base64_when_shorter():
    data = bytes(range(200, 216))  # binary: percent form triples its length
    url, comp = dataurl.encode(data, compress_allowed=False)
    assert url == "data:;base64," + base64.b64encode(data).decode()
    assert comp == ""


def test_gzip_when_much_shorter():
    data = b"x" * 4096
    url, comp = dataurl.encode(data)
    assert comp == "gzip"
    assert url.startswith("data:;base64,H4sIAAAAAAAC/")
    assert gzip.decompress(base64.b64decode(url[len("data:;base64,"):])) == data
    assert dataurl.decode_contents(url, comp) == data


def test_gzip_needs_more_than_four_bytes_gain():
    # 'aaaa' percent form is ',aaaa' (5); gzip+base64 is far longer: no gzip
    assert dataurl.encode(b"aaaa") == ("data:,aaaa", "")


def test_user_compression_is_respected():
    data = gzip.compress(b"y" * 1000)
    url, comp = dataurl.encode(data, compression="gzip")
    assert comp is None
    assert dataurl.decode(url) == data


def test_compression_disallowed():
    url, comp = dataurl.encode(b"z" * 1000, compress_allowed=False)
    assert comp == ""
    assert url == "data:," + "z" * 1000


def test_str_input_is_utf8():
    assert dataurl.encode(u"é") == ("data:,%C3%A9", "")


@pytest.mark.parametrize("url, data", [
    ("data:,", b""),
    ("data:,a%20b", b"a b"),
    ("data:;base64,aGk=", b"hi"),
    ("data:text/plain;charset=utf-8;base64,aG\nk=", b"hi"),
    ("data:text/plain;charset=\"x y\",ok", b"ok"),
    ("data:application/octet-stream,%00%FF", b"\x00\xff"),
    ("data:x-foo/bar,1", b"1"),
])
def test_decode_ok(url, data):
    assert dataurl.decode(url) == data


@pytest.mark.parametrize("url, message", [
    ("http://x", "missing data prefix"),
    ("data:", "missing comma before data"),
    ("data:foo/bar,x", "invalid media type"),
    ("data:text,x", "invalid character for media type"),
    ("data:text/plain;foo,x", "expected base64, got foo"),
    ("data:,a b", "invalid data character"),
    ("data:,%4", "rfc2396: unexpected end of unescape sequence"),
    ("data:,%zz", "rfc2396: invalid char 0x25 in unescape sequence"),
    ("data:;base64,a", "illegal base64 data at input byte 0"),
    ("data:;base64,a b", "invalid data character"),
])
def test_decode_errors(url, message):
    with pytest.raises(dataurl.DataURLError) as ei:
        dataurl.decode(url)
    assert ei.value.message == message


def test_decode_contents_bad_compression():
    with pytest.raises(dataurl.DataURLError):
        dataurl.decode_contents("data:,x", "zstd")
    with pytest.raises(dataurl.DataURLError):
        dataurl.decode_contents("data:,notgzip", "gzip")


# The percent form is checked and decoded without the re module (the Butane CLI's start-up).
# Reference: Go's rules as urllib and a regular expression state them.
_URL_CHARS_RE = re.compile(r"[!$%&'()*+,\-./0-9:;=?@A-Z_a-z~]*\Z")
_BAD_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="%aF0z9-~ \"\n\u00e9^`", max_size=20))
def test_percent_form_against_reference(body):
    if not _URL_CHARS_RE.match(body):
        with pytest.raises(dataurl.DataURLError) as ei:
            dataurl.decode("data:," + body)
        assert ei.value.message == "invalid data character"
    elif _BAD_PERCENT_RE.search(body):
        with pytest.raises(dataurl.DataURLError) as ei:
            dataurl.decode("data:," + body)
        assert ei.value.message.startswith("rfc2396: ")
    else:
        assert dataurl.decode("data:," + body) == unquote_to_bytes(body)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=200))
def test_encode_round_trips_through_decode(data):
    url, compression = dataurl.encode(data)
    raw = dataurl.decode(url)
    assert (gzip.decompress(raw) if compression == "gzip" else raw) == data
    if ";base64," in url and compression != "gzip":
        assert url.endswith(base64.b64encode(data).decode("ascii"))
