"""TEST DOUBLE for a FleetLock server (what Airlock or the Kubernetes FleetLock operator is to
Zincati): no such server can be installed on this machine, so the fleet lab runs this one.

It follows zincati's docs/development/fleetlock/protocol.md: POST ``/v1/pre-reboot`` and
``/v1/steady-state`` with header ``fleet-lock-protocol: true`` and body
``{"client_params": {"id": ..., "group": ...}}``; 200 when done, otherwise a 4xx/5xx with a
JSON error ``{"kind": ..., "value": ...}``. Each group is a counting semaphore with ``slots``
(``--slots N`` for every group, ``--group NAME=N`` per group); locks are owned by the client
id and recursive (a holder asking again gets 200; releasing a lock one does not hold is 200,
as Airlock does). Every request is appended to a JSON-lines log (time, op, id, group, answer,
holders) that tests read to prove that reboots under one lock never overlap.

Run: ``python tests/lab/doubles/fleetlock.py --port 0 --log FILE [--slots 1]``; it prints
``listening on http://127.0.0.1:PORT`` and serves until killed. ``hold`` is a test helper
(POST with a foreign id, to keep a slot busy).
"""
import argparse
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GROUP = re.compile(r"^[a-zA-Z0-9.-]+$")


class Semaphores:
    def __init__(self, default_slots, per_group):
        self.default = default_slots
        self.per_group = per_group
        self.holders = {}      # group -> [ids]
        self.lock = threading.Lock()

    def slots(self, group):
        return self.per_group.get(group, self.default)

    def pre_reboot(self, group, cid):
        with self.lock:
            held = self.holders.setdefault(group, [])
            if cid in held:
                return 200, None, list(held)
            if len(held) >= self.slots(group):
                return 409, {"kind": "failed_lock_semaphore_full",
                             "value": "semaphore currently full, all slots are locked already"}, list(held)
            held.append(cid)
            return 200, None, list(held)

    def steady_state(self, group, cid):
        with self.lock:
            held = self.holders.setdefault(group, [])
            if cid in held:
                held.remove(cid)
            return 200, None, list(held)


def handler(sem, log_path):
    log_lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):  # quiet
            pass

        def _answer(self, code, error=None):
            body = json.dumps(error).encode() if error else b""
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _record(self, op, cid, group, code, held):
            with log_lock, open(log_path, "a") as f:
                f.write(json.dumps({"time": time.time(), "op": op, "id": cid, "group": group, "code": code,
                                    "holders": held}) + "\n")

        def do_POST(self):
            ops = {"/v1/pre-reboot": sem.pre_reboot, "/v1/steady-state": sem.steady_state}
            if self.path not in ops:
                return self._answer(404, {"kind": "not_found", "value": "no such endpoint %s" % self.path})
            if self.headers.get("fleet-lock-protocol") != "true":
                return self._answer(400, {"kind": "missing_header", "value": "fleet-lock-protocol: true is required"})
            length = int(self.headers.get("Content-Length") or 0)
            try:
                params = json.loads(self.rfile.read(length))["client_params"]
                cid, group = params["id"], params["group"]
                if not isinstance(cid, str) or not cid or not isinstance(group, str) or not GROUP.match(group):
                    raise ValueError("bad id or group")
            except (ValueError, KeyError, TypeError) as exc:
                return self._answer(400, {"kind": "invalid_client_params", "value": str(exc)})
            code, error, held = ops[self.path](group, cid)
            self._record(self.path.rsplit("/", 1)[1], cid, group, code, held)
            return self._answer(code, error)

    return Handler


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--slots", type=int, default=1)
    ap.add_argument("--group", action="append", default=[], help="NAME=SLOTS")
    ap.add_argument("--log", required=True)
    a = ap.parse_args(argv)
    per = {}
    for g in a.group:
        name, n = g.split("=", 1)
        per[name] = int(n)
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), handler(Semaphores(a.slots, per), a.log))
    print("listening on http://127.0.0.1:%d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
