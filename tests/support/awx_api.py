"""The AWX API double (tests/lab/doubles/awx-api/) and the awx.awx collection for tests.

awx.awx is not installed in the project's venv and not a dependency of the collection. PyPI's
``ansible`` 12 package carries it (13 and later dropped it); only its ``ansible_collections/awx/awx``
folder is unpacked from the wheel into a folder of its own (default
/var/cache/nestos-lifecycle/awx/ansible-<version>, or $NESTOS_AWX_COLLECTIONS), and tests that run
the awx_config role add that folder to ANSIBLE_COLLECTIONS_PATH for that one ansible-playbook.
The rest of the venv never sees the 12.x bundle.

    python -m tests.support.awx_api install     # what `make awx-collection` runs
"""
from __future__ import annotations

import base64
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from typing import Any, Dict, List, Optional

TOP = pathlib.Path(__file__).resolve().parents[2]
DOUBLE = TOP / "tests" / "lab" / "doubles" / "awx-api" / "server.py"
ANSIBLE_BUNDLE = "12.3.0"
AWX_COLLECTION_VERSION = "24.6.1"
CACHE = pathlib.Path(os.environ.get("NESTOS_AWX_CACHE", "/var/cache/nestos-lifecycle/awx"))
MEMBER_PREFIX = "ansible_collections/awx/awx/"
MAX_MEMBER_BYTES = 16 * 1024 * 1024  # no single file of awx.awx is near this; a bigger one is refused


def awx_collections_dir() -> pathlib.Path:
    """The folder to add to ANSIBLE_COLLECTIONS_PATH (it holds ansible_collections/awx/awx)."""
    override = os.environ.get("NESTOS_AWX_COLLECTIONS")
    return pathlib.Path(override) if override else CACHE / ("ansible-%s" % ANSIBLE_BUNDLE)


def install_awx_collection(python: str = sys.executable) -> pathlib.Path:
    """Unpack awx.awx from the ansible wheel once; later calls return at once."""
    dest = awx_collections_dir()
    if (dest / MEMBER_PREFIX / "MANIFEST.json").is_file():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = pathlib.Path(tempfile.mkdtemp(prefix=".awx-", dir=dest.parent))
    try:
        subprocess.run([python, "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps",
                        "-d", str(work), "ansible==%s" % ANSIBLE_BUNDLE], check=True)
        wheel = next(work.glob("ansible-%s-*.whl" % ANSIBLE_BUNDLE))
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.infolist():
                if not member.filename.startswith(MEMBER_PREFIX) or member.is_dir():
                    continue
                if member.file_size > MAX_MEMBER_BYTES or ".." in member.filename.split("/"):
                    raise RuntimeError("%s: refusing member %s" % (wheel, member.filename))
                archive.extract(member, work / "tree")
        manifest = json.loads((work / "tree" / MEMBER_PREFIX / "MANIFEST.json").read_text())
        if manifest["collection_info"]["version"] != AWX_COLLECTION_VERSION:
            raise RuntimeError("ansible %s carries awx.awx %s, expected %s" % (
                ANSIBLE_BUNDLE, manifest["collection_info"]["version"], AWX_COLLECTION_VERSION))
        shutil.rmtree(dest, ignore_errors=True)
        os.replace(work / "tree", dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return dest


class AwxDouble:
    """The AWX API double as a process, and a small client that speaks to it as awx.awx does."""

    def __init__(self, workdir: pathlib.Path, user: str = "admin", password: str = "lab-password"):
        self.workdir = workdir
        self.user, self.password = user, password
        self.log = workdir / "awx-api-writes.jsonl"
        self.proc: Optional[subprocess.Popen] = None
        self.url = ""
        self._token = ""

    def start(self, timeout: float = 60) -> "AwxDouble":
        ready = self.workdir / "awx-api.port"
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, str(DOUBLE), "--port", "0", "--ready", str(ready), "--log", str(self.log),
             "--user", self.user, "--password", self.password, "--parent", str(os.getpid())],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(self.workdir / "awx-api.err", "w"))
        deadline = time.monotonic() + timeout
        while not ready.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("AWX API double did not start: %s" % (self.workdir / "awx-api.err").read_text())
            time.sleep(0.05)
        self.url = "http://127.0.0.1:%s" % ready.read_text().strip()
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    def writes(self) -> List[Dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]

    def request(self, method: str, path: str, body: Any = None, auth: bool = True) -> Any:
        headers = {"Content-Type": "application/json"}
        if auth:
            basic = base64.b64encode(("%s:%s" % (self.user, self.password)).encode()).decode()
            headers["Authorization"] = "Basic " + basic
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:  # nosec: the local double
                raw = resp.read()
                return resp.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            return exc.code, (json.loads(raw) if raw else None)

    def get(self, path: str) -> Any:
        status, body = self.request("GET", path)
        if status != 200:
            raise AssertionError("GET %s: %s %s" % (path, status, body))
        return body

    def all(self, path: str) -> List[Dict[str, Any]]:
        """Every item of a list endpoint, following `next` as awx.awx does."""
        page = self.get(path)
        items = list(page["results"])
        while page["next"]:
            page = self.get(page["next"])
            items.extend(page["results"])
        return items

    def one(self, kind: str, **filters: Any) -> Dict[str, Any]:
        query = "&".join("%s=%s" % (k, urllib.request.quote(str(v))) for k, v in filters.items())
        items = self.all("/api/v2/%s/?%s" % (kind, query))
        if len(items) != 1:
            raise AssertionError("%s %s: %d objects" % (kind, filters, len(items)))
        return items[0]


def main(argv: List[str]) -> int:
    if argv[:1] == ["install"]:
        print("awx.awx %s (from ansible %s): %s" % (AWX_COLLECTION_VERSION, ANSIBLE_BUNDLE, install_awx_collection()))
        return 0
    if argv[:1] == ["path"]:
        print(awx_collections_dir())
        return 0
    print("usage: python -m tests.support.awx_api install|path", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
