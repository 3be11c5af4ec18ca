"""`list-stream` of tools/nestos-installer against a real HTTP server serving the upstream fixture."""
import functools
import http.server
import shutil
import threading

import pytest

from tests.support import cli


@pytest.fixture
def server(upstream, tmp_path):
    (tmp_path / "streams").mkdir()
    shutil.copy(upstream / "stream-metadata-go/stream/fixtures/fcos-stream.json", tmp_path / "streams/stable.json")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d/streams/" % httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_list_stream_prints_upstream_table(server, upstream):
    import json
    raw = json.loads((upstream / "stream-metadata-go/stream/fixtures/fcos-stream.json").read_text())
    want = sorted((a, p, f) for a, body in raw["architectures"].items()
                  for p, art in body["artifacts"].items() for f in art["formats"])
    proc = cli.run(["list-stream", "--stream-base-url", server], name="coreos-installer")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.decode().splitlines()
    assert lines[0].split() == ["Architecture", "Platform", "Format"]
    assert [tuple(line.split()) for line in lines[1:]] == want


def test_list_stream_missing_stream_is_an_error(server):
    proc = cli.run(["list-stream", "-s", "nonexistent", "--stream-base-url", server])
    assert proc.returncode == 1 and b"404" in proc.stderr and b"Traceback" not in proc.stderr
