"""image_download against Debian's nginx on 127.0.0.1 with a key made by the test: verified
downloads, idempotence, check mode, resume of an interrupted transfer (the server log shows the
206), a server that ignores ranges, refusals of a bad signature and a bad sha256 with nothing left
at dest, decompression, and clean errors for a refused connection and a truncated body."""
import os
import signal
import socket
import subprocess
import threading
import time

import pytest

from tests.lab import stream as lab
from tests.integration.stream.conftest import INSTALLER, run_module
from tests.support import install

pytestmark = [pytest.mark.slow]


def _stream_args(stream_lab, stream, dest, **extra):
    args = dict(stream=stream, stream_base_url=stream_lab.base, gpg_keyring=stream_lab.keyring, dest=str(dest))
    args.update(extra)
    return args


def _requests(stream_lab, uri):
    return [entry for entry in stream_lab.server.log() if entry[3] == uri]


def test_verified_download_then_unchanged(stream_lab, tmp_path):
    stream_lab.server.clear_log()
    args = _stream_args(stream_lab, "lab", tmp_path, platform="metal", format="raw")
    res, out = install.run_task("image_download", args, flags=["--diff"])
    assert res["changed"] is True and not res.get("failed"), out[-3000:]
    want = lab.sha256(stream_lab.files["img"])
    assert res["path"] == str(tmp_path / "img.raw") and res["sha256"] == want
    assert lab.sha256(tmp_path / "img.raw") == want
    assert res["size"] == os.path.getsize(stream_lab.files["img"]) and res["resumed"] == 0
    assert res["artifacts"][0]["signature"] == "verified" and res["release"] == "24.03.20261201.0"
    assert "absent" in res["diff"]["before"] and want in res["diff"]["after"]
    assert sorted(os.listdir(tmp_path)) == ["img.raw"]
    again, out = install.run_task("image_download", args)
    assert again["changed"] is False and again["sha256"] == want, out[-3000:]
    assert [e[0] for e in _requests(stream_lab, "/img.raw")] == [200], "the second run fetched the image again"


def test_check_mode_fetches_nothing(stream_lab, tmp_path):
    stream_lab.server.clear_log()
    res, out = install.run_task("image_download", _stream_args(stream_lab, "lab", tmp_path, format="raw"),
                                flags=["--check", "--diff"])
    assert res["changed"] is True and not res.get("failed"), out[-3000:]
    assert res["artifacts"][0]["action"] == "fetch"
    assert os.listdir(tmp_path) == []
    assert _requests(stream_lab, "/img.raw") == [] and _requests(stream_lab, "/img.raw.sig") == []


def test_save_signature_keeps_the_checked_sig_and_reports_a_missing_one(stream_lab, tmp_path):
    args = _stream_args(stream_lab, "lab", tmp_path, format="raw", save_signature=True)
    res, out = install.run_task("image_download", args)
    assert res["changed"] is True and not res.get("failed"), out[-3000:]
    with open(str(stream_lab.files["img"]) + ".sig", "rb") as served:
        assert (tmp_path / "img.raw.sig").read_bytes() == served.read()
    assert res["artifacts"][0]["signature_path"] == str(tmp_path / "img.raw.sig")
    assert oct(os.stat(tmp_path / "img.raw.sig").st_mode & 0o777) == "0o644"
    again, out = install.run_task("image_download", args)
    assert again["changed"] is False, out[-3000:]
    os.unlink(tmp_path / "img.raw.sig")
    check, out = install.run_task("image_download", args, flags=["--check"])
    assert check["changed"] is True and "img.raw.sig absent" in check["artifacts"][0]["reason"], out[-3000:]
    assert not (tmp_path / "img.raw.sig").exists()
    back, out = install.run_task("image_download", args)
    assert back["changed"] is True and (tmp_path / "img.raw.sig").exists(), out[-3000:]
    assert back["artifacts"][0]["action"] == "keep"     # the image itself was not fetched again


def test_interrupted_download_resumes_with_a_range_request(stream_lab, tmp_path):
    partial = tmp_path / ".big.raw.partial"
    proc = subprocess.Popen([str(INSTALLER), "download", "-s", "slow", "--stream-base-url",
                             stream_lab.base, "-p", "qemu", "-f", "raw", "-C", str(tmp_path), "--gpg-keyring",
                             stream_lab.keyring], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not partial.exists() or partial.stat().st_size < 1024 * 1024):
            time.sleep(0.05)
        assert partial.exists(), "the slow transfer never started"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    kept = partial.stat().st_size
    total = os.path.getsize(stream_lab.files["big"])
    assert 0 < kept < total and not (tmp_path / "big.raw").exists()
    stream_lab.server.clear_log()
    res = run_module("image_download", _stream_args(stream_lab, "lab", tmp_path, platform="qemu", format="raw"),
                     tmp=tmp_path.parent)
    assert res["changed"] and not res.get("failed"), res
    assert res["resumed"] == kept and res["artifacts"][0]["action"] == "resume"
    assert lab.sha256(tmp_path / "big.raw") == lab.sha256(stream_lab.files["big"])
    assert _requests(stream_lab, "/big.raw") == [(206, "bytes=%d-" % kept, total - kept, "/big.raw")]
    assert sorted(os.listdir(tmp_path)) == ["big.raw"]


def test_server_ignoring_the_range_restarts(stream_lab, tmp_path):
    (tmp_path / ".img.raw.partial").write_bytes(b"\xff" * 100000)
    stream_lab.server.clear_log()
    url = stream_lab.base + "norange/img.raw"
    res = run_module("image_download", dict(url=url, sha256=lab.sha256(stream_lab.files["img"]), insecure=True,
                                            dest=str(tmp_path)), tmp=tmp_path.parent)
    assert res["changed"] and res["resumed"] == 0, res
    assert lab.sha256(tmp_path / "img.raw") == lab.sha256(stream_lab.files["img"])
    log = _requests(stream_lab, "/norange/img.raw")
    assert [(e[0], e[1]) for e in log] == [(200, "bytes=100000-")]


def test_bad_signature_refused_nothing_left(stream_lab, tmp_path):
    args = _stream_args(stream_lab, "lab", tmp_path, architecture="aarch64", format="raw")
    res, out = install.run_task("image_download", args)
    assert res.get("failed") and "signature check failed" in res["msg"], out[-3000:]
    assert "bad.raw" in res["msg"]
    assert os.listdir(tmp_path) == []


def test_bad_sha256_refused_nothing_left(stream_lab, tmp_path):
    res = run_module("image_download", _stream_args(stream_lab, "wrongsha", tmp_path, format="raw"),
                     tmp=tmp_path.parent)
    assert res.get("failed") and "sha256 mismatch" in res["msg"], res
    assert os.listdir(tmp_path) == []
    direct = run_module("image_download", dict(url=stream_lab.base + "img.raw", sha256="1" * 64, insecure=True,
                                               dest=str(tmp_path / "x.raw")), tmp=tmp_path.parent)
    assert direct.get("failed") and "sha256 mismatch" in direct["msg"] and os.listdir(tmp_path) == []


def test_missing_keyring_and_unverifiable_url_are_refused(stream_lab, tmp_path):
    res = run_module("image_download", dict(stream="lab", stream_base_url=stream_lab.base, format="raw",
                                            dest=str(tmp_path)), tmp=tmp_path.parent)
    assert res.get("failed") and "gpg_keyring" in res["msg"], res
    res = run_module("image_download", dict(url=stream_lab.base + "img.raw", dest=str(tmp_path)), tmp=tmp_path.parent)
    assert res.get("failed") and "nothing to verify" in res["msg"], res
    assert os.listdir(tmp_path) == []


def test_decompress(stream_lab, tmp_path):
    res = run_module("image_download", _stream_args(stream_lab, "lab", tmp_path, format="raw.xz", decompress=True),
                     tmp=tmp_path.parent)
    assert res["changed"] and not res.get("failed"), res
    assert res["path"] == str(tmp_path / "img.raw")
    assert lab.sha256(tmp_path / "img.raw") == stream_lab.files["inner_sha"] == res["sha256"]
    assert sorted(os.listdir(tmp_path)) == ["img.raw"]
    again = run_module("image_download", _stream_args(stream_lab, "lab", tmp_path, format="raw.xz", decompress=True),
                       tmp=tmp_path.parent)
    assert again["changed"] is False, again


def test_decompress_limit(stream_lab, tmp_path):
    res = run_module("image_download", _stream_args(stream_lab, "lab", tmp_path, format="raw.xz", decompress=True,
                                                    max_decompressed_size=1024 * 1024), tmp=tmp_path.parent)
    assert res.get("failed") and "decompresses to more than max_decompressed_size" in res["msg"], res
    assert os.listdir(tmp_path) == []


def test_pxe_format_downloads_every_kind_into_a_folder(stream_lab, tmp_path):
    res = run_module("image_download", _stream_args(stream_lab, "lab", tmp_path, format="pxe"), tmp=tmp_path.parent)
    assert res["changed"] and len(res["artifacts"]) == 3, res
    for kind in ("kernel", "initramfs.img", "rootfs.img"):
        assert lab.sha256(tmp_path / ("pxe-" + kind)) == lab.sha256(stream_lab.files[kind])
    single = run_module("image_download", _stream_args(stream_lab, "lab", tmp_path / "one", format="pxe"),
                        tmp=tmp_path.parent)
    assert single.get("failed") and "must be an existing folder" in single["msg"], single


def test_connection_refused_is_a_clean_error(tmp_path):
    port = lab.free_port()
    res = run_module("image_download", dict(url="http://127.0.0.1:%d/x.raw" % port, sha256="2" * 64,
                                            dest=str(tmp_path), timeout=5), tmp=tmp_path.parent)
    assert res.get("failed") and "connection refused" in res["msg"] and "127.0.0.1:%d" % port in res["msg"], res
    assert os.listdir(tmp_path) == []


def _short_server(body, claimed):
    """A real socket server that announces ``claimed`` bytes, sends ``body`` and closes."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)

    def serve():
        for dummy in range(2):
            try:
                conn, dummy_addr = sock.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % claimed + body)
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return sock, "http://127.0.0.1:%d/short.raw" % sock.getsockname()[1]


def test_truncated_body_keeps_the_partial_for_a_resume(tmp_path):
    sock, url = _short_server(b"x" * 5000, 10000)
    try:
        res = run_module("image_download", dict(url=url, sha256="3" * 64, dest=str(tmp_path), fetch_retries=0),
                         tmp=tmp_path.parent)
    finally:
        sock.close()
    assert res.get("failed") and url in res["msg"], res
    assert "truncated" in res["msg"] or "broken" in res["msg"], res
    assert os.listdir(tmp_path) == [".short.raw.partial"]
    assert (tmp_path / ".short.raw.partial").stat().st_size == 5000
