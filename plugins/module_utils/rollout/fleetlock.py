# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""FleetLock client side, as Zincati speaks it (zincati docs/development/fleetlock/protocol.md).

Two operations, each a JSON POST to a base URL: ``/v1/pre-reboot`` takes (recursively) a
reboot slot of a group, ``/v1/steady-state`` releases it. Body
``{"client_params": {"id": <node id>, "group": <group>}}``, header
``fleet-lock-protocol: true``; 200 = done, any other code = not done, ideally with a JSON
error ``{"kind": ..., "value": ...}``.

The node id is Zincati's: ``identity.node_uuid`` from its configuration, else the
application-specific machine id (systemd's ``sd_id128_get_machine_app_specific``:
HMAC-SHA256 keyed with /etc/machine-id over Zincati's application id, first 16 bytes made a
version-4 UUID) in lower-case hex without dashes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import hmac
import json
import re
import time

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

from typing import Callable, Dict, Optional, Tuple

ZINCATI_APP_ID = bytes.fromhex("de35106b6ec24688b63afddaa156679b")
PRE_REBOOT = "/v1/pre-reboot"
STEADY_STATE = "/v1/steady-state"
HEADERS = {"fleet-lock-protocol": "true", "Content-Type": "application/json"}
DEFAULT_GROUP = "default"
MAX_ANSWER = 64 * 1024          # bytes of an answer body that are read
_MACHINE_ID = re.compile(r"^[0-9a-f]{32}$")
_GROUP = re.compile(r"^[a-zA-Z0-9.-]+$")
_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")


def node_uuid(machine_id: str, app_id: bytes = ZINCATI_APP_ID) -> str:
    """Zincati's node id for a host with this /etc/machine-id content."""
    text = machine_id.strip() if isinstance(machine_id, str) else ""
    if not _MACHINE_ID.match(text):
        raise NestosError("/etc/machine-id must hold 32 lower-case hex digits, got %r" % (machine_id,)[:80],
                          file="/etc/machine-id")
    digest = bytearray(hmac.new(bytes.fromhex(text), app_id, hashlib.sha256).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x40
    digest[8] = (digest[8] & 0x3F) | 0x80
    return bytes(digest).hex()


class Settings(object):
    """Whether a host reboots under FleetLock, and as whom."""

    def __init__(self, base_url: str, group: str, node_id: str) -> None:
        self.base_url = base_url
        self.group = group
        self.node_id = node_id

    def as_dict(self):
        return {"base_url": self.base_url, "group": self.group, "id": self.node_id}


def settings_from_config(cfg: dict, machine_id: Optional[str], source: str = 'zincati config') -> Optional[Settings]:
    """From a merged Zincati configuration: None unless updates use the fleet_lock strategy."""
    if not isinstance(cfg, dict):
        raise NestosError("the Zincati configuration must be a table", file=source)
    updates = cfg.get("updates") if isinstance(cfg.get("updates"), dict) else {}
    if updates.get("strategy") != "fleet_lock":
        return None
    fl = updates.get("fleet_lock") if isinstance(updates.get("fleet_lock"), dict) else {}
    url = fl.get("base_url")
    if not isinstance(url, str) or not _URL.match(url):
        raise NestosError("strategy is fleet_lock but base_url is missing or not an http(s) URL: %r" % (url,),
                          file=source, path="updates.fleet_lock.base_url")
    identity = cfg.get("identity") if isinstance(cfg.get("identity"), dict) else {}
    group = identity.get("group") or DEFAULT_GROUP
    if not isinstance(group, str) or not _GROUP.match(group):
        raise NestosError("group %r does not match ^[a-zA-Z0-9.-]+$" % (group,), file=source, path="identity.group")
    node = identity.get("node_uuid")
    if node:
        if not isinstance(node, str) or not re.match(r"^[0-9a-fA-F]{32}$", node.replace("-", "")):
            raise NestosError("node_uuid %r is not a UUID" % (node,), file=source, path="identity.node_uuid")
        node = node.replace("-", "").lower()
    else:
        if machine_id is None:
            raise NestosError("cannot compute the Zincati node id: /etc/machine-id is missing",
                              file="/etc/machine-id")
        node = node_uuid(machine_id)
    return Settings(url.rstrip("/"), group, node)


def request(settings: Settings, operation: str) -> Tuple[str, Dict[str, str], bytes]:
    """URL, headers and body of one FleetLock operation."""
    if operation not in (PRE_REBOOT, STEADY_STATE):
        raise NestosError("unknown FleetLock operation %r" % (operation,))
    body = json.dumps({"client_params": {"id": settings.node_id, "group": settings.group}}, sort_keys=True)
    return settings.base_url + operation, dict(HEADERS), body.encode("utf-8")


def parse_answer(code: int, body: bytes) -> Tuple[bool, str, str]:
    """(done, kind, text) from an answer: done for 200; otherwise the protocol's error kind and
    value when the body carries them, else a generic kind and the start of the body."""
    if not isinstance(code, int) or isinstance(code, bool):
        raise NestosError("FleetLock answer: status code must be an integer, got %r" % (code,))
    if isinstance(body, str):
        body = body.encode("utf-8", "replace")
    if not isinstance(body, (bytes, bytearray)):
        raise NestosError("FleetLock answer: body must be bytes")
    if code == 200:
        return True, "ok", "granted"
    text = bytes(body[:MAX_ANSWER]).decode("utf-8", "replace")
    kind, value = "http_%d" % code, text.strip()[:200] or "(empty answer)"
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    except RecursionError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("kind"), str) and data.get("kind"):
        kind = data["kind"][:80]
        if isinstance(data.get("value"), str) and data["value"]:
            value = data["value"][:200]
    return False, kind, value


class Outcome(object):
    def __init__(self, done: bool, kind: str, text: str, attempts: int, waited: float) -> None:
        self.done = done
        self.kind = kind
        self.text = text
        self.attempts = attempts
        self.waited = waited


def operate(settings: Settings, operation: str, timeout: float, post: Callable, delay: float = 2.0,
            clock: Callable = time.time, sleep: Callable = time.sleep) -> Outcome:
    """Repeat one operation until the server says 200 or ``timeout`` seconds have passed.
    ``post(url, headers, body, timeout) -> (status code, body)`` sends one request with the
    caller's HTTP client and raises NestosError when the server cannot be reached; that counts
    as "not granted" and is retried the same way."""
    url, headers, body = request(settings, operation)
    start = clock()
    attempts = 0
    while True:
        attempts += 1
        try:
            code, answer = post(url, headers, body, max(1.0, min(30.0, timeout or 1.0)))
            done, kind, text = parse_answer(code, answer)
        except NestosError as exc:
            done, kind, text = False, "unreachable", exc.message
        waited = clock() - start
        if done:
            return Outcome(True, kind, text, attempts, waited)
        if waited + delay > (timeout or 0):
            return Outcome(False, kind, text, attempts, waited)
        sleep(delay)
