"""stream_info lists what the generated stream document holds (compared with the document, not
with the engine), and `nestos-installer download` fetches from the same nginx."""
import os

import pytest

from tests.lab import stream as lab
from tests.integration.stream.conftest import installer, run_module
from tests.support import install

pytestmark = [pytest.mark.slow]


def _rows_of(doc):
    rows = []
    for arch, body in doc["architectures"].items():
        for platform, plat in body["artifacts"].items():
            for fmt in plat["formats"]:
                rows.append({"architecture": arch, "platform": platform, "format": fmt})
    return sorted(rows, key=lambda r: (r["architecture"], r["platform"], r["format"]))


def test_stream_info_lists_the_document(stream_lab):
    doc = stream_lab.docs["lab"]
    res, out = install.run_task("stream_info", dict(stream="lab", stream_base_url=stream_lab.base), flags=["--check"])
    assert res["changed"] is False and not res.get("failed"), out[-3000:]
    assert res["rows"] == _rows_of(doc)
    assert res["stream"] == "lab" and res["last_modified"] == doc["metadata"]["last-modified"]
    assert res["architectures"] == sorted(doc["architectures"])


def test_stream_info_selection(stream_lab, tmp_path):
    doc = stream_lab.docs["lab"]
    res = run_module("stream_info", dict(stream_url=stream_lab.base + "lab.json", platform="metal", format="raw.xz"),
                     tmp=tmp_path)
    assert not res.get("failed"), res
    want = doc["architectures"]["x86_64"]["artifacts"]["metal"]["formats"]["raw.xz"]["disk"]
    got = res["artifacts"]["disk"]
    assert (got["location"], got["signature"], got["sha256"], got["uncompressed_sha256"]) == (
        want["location"], want["signature"], want["sha256"], want["uncompressed-sha256"])
    assert res["release"] == doc["architectures"]["x86_64"]["artifacts"]["metal"]["release"]
    missing = run_module("stream_info", dict(stream_url=stream_lab.base + "lab.json", platform="azure", format="vhd"),
                         tmp=tmp_path)
    assert missing.get("failed") and "no platform azure" in missing["msg"] and "metal" in missing["msg"], missing


def test_stream_info_http_error_names_the_url(stream_lab, tmp_path):
    res = run_module("stream_info", dict(stream="nosuch", stream_base_url=stream_lab.base), tmp=tmp_path)
    assert res.get("failed") and "404" in res["msg"] and stream_lab.base + "nosuch.json" in res["msg"], res


def test_cli_download_verifies_and_reports(stream_lab, tmp_path):
    args = ["download", "-s", "lab", "--stream-base-url", stream_lab.base, "-p", "metal", "-f", "raw",
            "-C", str(tmp_path), "--gpg-keyring", stream_lab.keyring]
    proc = installer(*args)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == str(tmp_path / "img.raw") + "\n"
    assert lab.sha256(tmp_path / "img.raw") == lab.sha256(stream_lab.files["img"])
    assert "(100%)" in proc.stderr and "Signature verified" in proc.stderr
    # as upstream without --decompress: the checked signature is kept beside the image
    with open(str(stream_lab.files["img"]) + ".sig", "rb") as served:
        assert (tmp_path / "img.raw.sig").read_bytes() == served.read()
    assert sorted(os.listdir(tmp_path)) == ["img.raw", "img.raw.sig"]
    again = installer(*args)
    assert again.returncode == 0 and "already present and verified" in again.stderr, again.stderr


def test_cli_download_image_url_and_decompress(stream_lab, tmp_path):
    proc = installer("download", "-u", stream_lab.base + "img.raw.xz", "-d", "-C", str(tmp_path), "--gpg-keyring",
                     stream_lab.keyring)
    assert proc.returncode == 0, proc.stderr
    assert lab.sha256(tmp_path / "img.raw") == stream_lab.files["inner_sha"]
    assert os.listdir(tmp_path) == ["img.raw"]      # decompressed: no signature kept, as upstream


def test_cli_download_bad_signature(stream_lab, tmp_path):
    proc = installer("download", "-u", stream_lab.base + "bad.raw", "-C", str(tmp_path), "--gpg-keyring",
                     stream_lab.keyring)
    assert proc.returncode == 1 and "signature check failed" in proc.stderr and "Traceback" not in proc.stderr
    assert os.listdir(tmp_path) == []
