"""The download lab: Debian's real nginx serving a folder on 127.0.0.1, a GPG key made for the
run, and a stream metadata document pointing at the server.

nginx runs in the foreground as a child of the test (``daemon off``) with its own config, pid
file, logs and temp folders under the lab folder, on a free unprivileged port. Locations:

* ``/``         the folder, ranges honoured (206);
* ``/slow/``    the same folder at ``limit_rate`` (a transfer that can be interrupted);
* ``/norange/`` the same folder with ``max_ranges 0`` (a server that ignores Range: 200).

The access log records ``status``, ``Range`` header and bytes sent per request, one line each:
``<status> <range or -> <bytes> <uri>``.
"""
import hashlib
import json
import os
import pathlib
import shutil
import socket
import subprocess
import time

from tests.support.install import sha256  # noqa: F401  (re-exported for the stream tests)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

CONF = """
worker_processes 1;
{user}
pid {root}/nginx.pid;
error_log {root}/error.log warn;
daemon off;
events {{ worker_connections 64; }}
http {{
    log_format lab '$status "$http_range" $body_bytes_sent $uri';
    access_log {root}/access.log lab;
    client_body_temp_path {root}/tmp/body;
    proxy_temp_path {root}/tmp/proxy;
    fastcgi_temp_path {root}/tmp/fastcgi;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
    types {{ application/json json; application/octet-stream xz gz zst raw iso sig; }}
    default_type application/octet-stream;
    sendfile on;
    server {{
        listen 127.0.0.1:{port};
        root {www};
        location /slow/ {{ alias {www}/; limit_rate {rate}; }}
        location /norange/ {{ alias {www}/; max_ranges 0; }}
    }}
}}
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Nginx(object):
    """A running nginx serving ``www``; stop() ends it (the process this object started)."""

    def __init__(self, root, rate="512k"):
        self.root = pathlib.Path(root)
        self.www = self.root / "www"
        self.www.mkdir(parents=True, exist_ok=True)
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.root / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base = "http://127.0.0.1:%d/" % self.port
        user = "user root root;" if os.geteuid() == 0 else ""
        self.conf = self.root / "nginx.conf"
        self.conf.write_text(CONF.format(user=user, root=self.root, www=self.www, port=self.port, rate=rate))
        self.proc = subprocess.Popen([NGINX, "-p", str(self.root), "-e", str(self.root / "error.log"),
                                      "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait()

    def _wait(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("nginx exited: %s" % self.proc.stderr.read().decode())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("nginx did not listen on %d" % self.port)

    def log(self):
        """Access log lines as (status, range, bytes, uri) tuples."""
        path = self.root / "access.log"
        if not path.exists():
            return []
        out = []
        for line in path.read_text().splitlines():
            status, rng, sent, uri = line.split(" ", 3)
            out.append((int(status), rng.strip("\""), int(sent), uri))
        return out

    def clear_log(self):
        (self.root / "access.log").write_text("")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stderr.close()


class GpgKey(object):
    """A signing key made for the run in a temporary GNUPGHOME (no passphrase)."""

    def __init__(self, home, uid="NestOS lab signer <lab@nestos.invalid>"):
        self.home = pathlib.Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        os.chmod(self.home, 0o700)
        self.env = dict(os.environ, GNUPGHOME=str(self.home))
        self._gpg("--quick-gen-key", "--passphrase", "", uid, "ed25519", "sign", "never")
        self.public = self.home / "public.asc"
        self.public.write_bytes(self._gpg("--armor", "--export", uid))

    def _gpg(self, *args):
        return subprocess.run(["gpg", "--batch", "--pinentry-mode", "loopback", "--quiet"] + list(args),
                              env=self.env, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout

    def sign(self, path, out=None):
        out = pathlib.Path(out or str(path) + ".sig")
        if out.exists():
            out.unlink()
        self._gpg("--detach-sign", "--output", str(out), str(path))
        return out

    def stop(self):
        subprocess.run(["gpgconf", "--kill", "all"], env=self.env, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def random_file(path, size, seed=b"nestos"):
    """``size`` bytes of deterministic pseudo-random data (sha256 counter stream)."""
    with open(path, "wb") as handle:
        counter = 0
        left = size
        block = b""
        while left > 0:
            if not block:
                block = b"".join(hashlib.sha256(seed + (counter + i).to_bytes(8, "big")).digest()
                                 for i in range(2048))
                counter += 2048
            chunk = block[:left]
            handle.write(chunk)
            left -= len(chunk)
            block = block[len(chunk):]
    return path


def stream_document(name, base, artifacts, uncompressed=None):
    """A stream metadata document: ``artifacts`` maps (arch, platform, format, kind) to a file
    name in the served folder (``<www>/<name>``, its ``.sig`` beside it) -> dict."""
    uncompressed = uncompressed or {}
    arches = {}
    for (arch, platform, fmt, kind), (path, sig) in sorted(artifacts.items()):
        entry = {"location": base + path.name, "sha256": sha256(path)}
        if sig is not None:
            entry["signature"] = base + sig.name
        if path.name in uncompressed:
            entry["uncompressed-sha256"] = uncompressed[path.name]
        plat = arches.setdefault(arch, {"artifacts": {}})["artifacts"].setdefault(
            platform, {"release": "24.03.20261201.0", "formats": {}})
        plat["formats"].setdefault(fmt, {})[kind] = entry
    return {"stream": name, "metadata": {"last-modified": "2026-12-01T00:00:00Z", "generator": "nestos lab"},
            "architectures": arches}


def write_stream(www, name, doc):
    path = pathlib.Path(www) / (name + ".json")
    path.write_text(json.dumps(doc, indent=2, sort_keys=True))
    return path
