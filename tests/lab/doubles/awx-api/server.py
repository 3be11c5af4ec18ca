"""TEST DOUBLE for the AWX REST API (/api/v2/), AWX 24.6.1, the version awx.awx 24.6.1 (the
collection PyPI's `ansible` 12 carries) is made for. It stands in for the AWX server itself,
which cannot run here (it needs Kubernetes or a compose stack of PostgreSQL, Redis, receptor and
the task/web containers). It serves the subset of the API awx.awx's modules use to configure a
controller, with the shapes awx.awx's plugins/module_utils/controller_api.py reads and the AWX API
documents (https://docs.ansible.com/automation-controller/latest/html/controllerapi/):

- /api/v2/tokens/ (POST with Basic auth -> {id, token}; DELETE), Bearer or Basic auth elsewhere,
  401 {"detail": ...} without; headers X-API-Product-Name: AWX, X-API-Product-Version.
- Lists: {count, next, previous, results}, page / page_size (default 25, at most 200), field
  filters (?name=, ?organization=, ?identifier=, or__id / or__name as get_one sends them);
  an unknown filter field is a 400.
- Details by id or by named URL (organizations "name", credential_types "name+kind", projects /
  inventories / job_templates / workflow_job_templates "name++org", credentials
  "name++type+kind++org", groups / hosts "name++inventory++org", nodes "identifier++wfjt++org").
- POST 201 with the object, PATCH 200 with the object, DELETE 204; errors 400 {"field": [msg]},
  {"__all__": [msg]} for a name taken, 404 {"detail": "Not found."}, 405.
- Related lists that associate (POST {"id"} / {"id", "disassociate": true} -> 204): credentials,
  labels, galaxy_credentials, instance_groups, hosts, children, success/failure/always nodes
  (a cycle is refused as AWX does), survey_spec (GET {} when none, POST 200, DELETE 200) with
  AWX's survey validation, create_approval_template, settings/all, unified_job_templates (one id
  space for job templates, workflows, projects and approval templates, as in AWX).
- A project update really clones the project's git URL (git clone --depth 1 --branch) and lists
  its playbooks as AWX does; a job template whose playbook is not in that list is refused.
- Credentials read back secret inputs as "$encrypted$"; PATCHing "$encrypted$" keeps the value.
- Workflow nodes refuse prompts (limit, job_slice_count, extra_data ...) the template does not ask
  for, with AWX's "Field is not configured to prompt on launch."

Every request that is not a GET is appended as one JSON line to --log (method, path, status),
so tests can prove that a run changed nothing. Usage:
  python3 server.py --port 0 --ready FILE [--log FILE] [--user admin --password PW] [--parent PID]
The port it listens on is written to --ready once it serves.
"""
import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from model import API, ApiError  # noqa: E402  pylint: disable=wrong-import-position


class Handler(BaseHTTPRequestHandler):
    server_version = "nginx"
    api = None  # type: API

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        return  # quiet: the request log is --log

    def _send(self, status, body):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-API-Product-Name", "AWX")
        self.send_header("X-API-Product-Version", self.api.version)
        self.end_headers()
        if data:
            self.wfile.write(data)

    def _auth(self):
        header = self.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return self.api.token_valid(header[7:])
        if header.startswith("Basic "):
            try:
                user, _sep, password = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                return False
            return self.api.login_valid(user, password)
        return False

    def _handle(self, method):
        parsed = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = None
        if body is None:
            status, answer = 400, {"detail": "JSON parse error - Expecting value"}
        elif not self._auth() and not (method == "GET" and parsed.path in ("/api/", "/api/v2/ping/")):
            status, answer = 401, {"detail": "Authentication credentials were not provided."}
        else:
            try:
                status, answer = self.api.dispatch(method, parsed.path, query, body)
            except ApiError as exc:
                status, answer = exc.status, exc.body
        self.api.record(method, parsed.path, status)
        self._send(status, answer)

    def do_GET(self):  # noqa: N802
        self._handle("GET")

    def do_POST(self):  # noqa: N802
        self._handle("POST")

    def do_PATCH(self):  # noqa: N802
        self._handle("PATCH")

    def do_PUT(self):  # noqa: N802
        self._handle("PUT")

    def do_DELETE(self):  # noqa: N802
        self._handle("DELETE")


def project_update(url, branch, install_collections):
    """Update the project as AWX's project update does: clone it, then (when the setting
    AWX_COLLECTIONS_ENABLED is on) install collections/requirements.yml with ansible-galaxy into
    a scratch folder, as AWX does before every job. Returns (ok, revision, playbooks, output)."""
    work = tempfile.mkdtemp(prefix="awx-double-project-")
    try:
        cmd = ["git", "clone", "--quiet", "--depth", "1"] + (["--branch", branch] if branch else []) + [url, work + "/p"]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=300)
        if proc.returncode != 0:
            return False, "", [], proc.stderr
        rev = subprocess.run(["git", "-C", work + "/p", "rev-parse", "HEAD"], capture_output=True, text=True,
                             check=False).stdout.strip()
        output = proc.stderr
        requirements = os.path.join(work, "p", "collections", "requirements.yml")
        if install_collections and os.path.isfile(requirements):
            galaxy = subprocess.run(
                [sys.executable, "-m", "ansible.cli.galaxy", "collection", "install", "-r", requirements,
                 "-p", work + "/collections", "--force"], cwd=work + "/p", capture_output=True, text=True,
                check=False, timeout=600, env=dict(os.environ, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false"))
            output += galaxy.stdout + galaxy.stderr
            if galaxy.returncode != 0:
                return False, rev, [], output
        return True, rev, find_playbooks(work + "/p"), output
    finally:
        shutil.rmtree(work, ignore_errors=True)


SKIP_DIRS = {"roles", "tasks", "group_vars", "host_vars", "handlers", "templates", "files", "vars", "defaults",
             "meta", "collections"}
PLAY_RE = re.compile(r"^\s*-?\s*(hosts|include|import_playbook|ansible\.builtin\.import_playbook)\s*:", re.M)


def find_playbooks(root):
    """Playbooks of a project as AWX lists them: .yml/.yaml files outside role folders and
    hidden folders whose text has a play (hosts:, import_playbook:)."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(files):
            if not name.endswith((".yml", ".yaml")):
                continue
            path = os.path.join(folder, name)
            try:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    text = handle.read(100000)
            except OSError:
                continue
            if PLAY_RE.search(text):
                found.append(os.path.relpath(path, root))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready", required=True)
    parser.add_argument("--log")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="password")
    parser.add_argument("--parent", type=int, help="exit when this process is gone (no leftover server)")
    args = parser.parse_args(argv)
    Handler.api = API(args.user, args.password, args.log, project_update)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    tmp = args.ready + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(str(server.server_address[1]))
    os.replace(tmp, args.ready)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(1.0)
            if args.parent and not parent_alive(args.parent):
                break
    except KeyboardInterrupt:
        pass
    server.shutdown()
    return 0


def parent_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return os.getppid() == pid


if __name__ == "__main__":
    sys.exit(main())
