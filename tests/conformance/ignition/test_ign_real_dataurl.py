"""Data URLs against the real Ignition 2.14.0 binary: what we encode, Ignition writes back
byte for byte (percent, base64 and gzip forms); what Ignition reads from a data URL, our
decoder reads too."""
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import dataurl
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.serialize import dumps
from tests.conformance.ignition.ign_real_apply import IGNITION, apply


@pytest.fixture(scope="module", autouse=True)
def _need_root_and_binary():
    assert os.path.exists(IGNITION), "Debian's ignition package provides %s" % IGNITION
    assert os.geteuid() == 0, "the real Ignition chowns what it writes: run as root (CI does)"


def written(files):
    """Apply files [(path, source, compression)] with the real Ignition; {path: bytes}."""
    entries = []
    for path, source, compression in files:
        contents = {"source": source}
        if compression is not None:
            contents["compression"] = compression
        entries.append({"path": path, "contents": contents})
    tree = apply(dumps({"ignition": {"version": "3.3.0"}, "storage": {"files": entries}}))
    return {"/" + k: v[2] for k, v in tree.items() if v[0] == "file"}


SAMPLES = [b"", b"hello world\n", bytes(range(256)), b"x" * 5000, b"\x1f\x8b not gzip", u"é<&>".encode("utf-8"),
           b"[Unit]\nDescription=x\n" * 40]


def test_encoded_samples_roundtrip_through_ignition():
    files = []
    forms = set()
    for i, data in enumerate(SAMPLES):
        for allow in (True, False):
            url, comp = dataurl.encode(data, compress_allowed=allow)
            forms.add((url.startswith("data:;base64,"), comp))
            files.append(("/etc/s%d-%d" % (i, int(allow)), url, comp, data))
    got = written([(p, u, c) for p, u, c, _d in files])
    assert {(True, "gzip"), (False, ""), (True, "")} <= forms  # all three encodings exercised
    for path, _u, _c, data in files:
        assert got[path] == data, path


@settings(max_examples=int(os.environ.get("IGN_DATAURL_EXAMPLES", "15")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(max_size=600) | st.text(max_size=300).map(lambda s: s.encode("utf-8")), min_size=1, max_size=6))
def test_random_contents_roundtrip_through_ignition(datas):
    files = []
    for i, data in enumerate(datas):
        url, comp = dataurl.encode(data)
        files.append(("/etc/r%d" % i, url, comp))
    got = written(files)
    assert [got["/etc/r%d" % i] for i in range(len(datas))] == datas


HANDWRITTEN = [
    "data:,a%20b%0A", "data:text/plain;charset=utf-8,%C3%A9", "data:application/octet-stream;base64,AAEC",
    "data:text/plain;foo=\"a;b\",q", "data:x-custom/thing,1", "data:text/plain;charset=US-ASCII;base64,", "data:,",
    "data:,!$&'()*+,;=:@~-._", "data:;base64,H4sIAAAAAAAC/0tMHAWjYBQMdwAAA9o4mugDAAA=",
]


def test_handwritten_urls_decode_like_ignition():
    files = [("/etc/h%d" % i, u, None) for i, u in enumerate(HANDWRITTEN)]
    got = written(files)
    for i, u in enumerate(HANDWRITTEN):
        assert dataurl.decode(u) == got["/etc/h%d" % i], u
    # and with compression=gzip, Ignition gunzips like decode_contents
    url = HANDWRITTEN[-1]
    assert written([("/etc/g", url, "gzip")])["/etc/g"] == dataurl.decode_contents(url, "gzip") == b"a" * 1000
