# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rollout report: one JSON document per run, written on the controller.

Shape (docs/fleet.md "Rollout report"): ``play``, ``started``, ``finished``, ``action`` and
``hosts``; each host has its ``batch``, ``result``, ``before``/``after`` deployment and
timed ``events`` (phase, start, end, status, detail). The actions record events as they go;
this module only assembles, validates and names the file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import time

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

from typing import Any, Dict, List, Optional

PHASES = ("prefetch", "apply", "reboot", "health", "rollback", "verify", "lock")
EVENT_STATUS = ("ok", "changed", "failed", "skipped")
RESULTS = ("ok", "changed", "failed", "rolled_back", "unreachable", "skipped")
REPORT_ACTIONS = ("rebase", "upgrade", "rollback")
EMPTY_DEPLOYMENT = {"image": None, "digest": None, "checksum": None, "version": None}
DETAIL_LIMIT = 2000


def event(phase: str, start: float, end: float, status: str, detail: str = '') -> Dict[str, Any]:
    if phase not in PHASES:
        raise NestosError("unknown report phase %r" % (phase,))
    if status not in EVENT_STATUS:
        raise NestosError("unknown event status %r" % (status,))
    return {"phase": phase, "start": round(float(start), 3), "end": round(float(max(start, end)), 3),
            "status": status, "detail": str(detail)[:DETAIL_LIMIT]}


class Timer(object):
    """``with Timer(events, "apply") as t: ...; t.status = "changed"`` records one event."""

    def __init__(self, events, phase, clock=time.time):
        self.events = events
        self.phase = phase
        self.clock = clock
        self.status = "ok"
        self.detail = ""
        self.start = None

    def __enter__(self):
        self.start = self.clock()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is not None and self.status != "failed":
            self.status = "failed"
            self.detail = self.detail or str(exc)
        self.events.append(event(self.phase, self.start, self.clock(), self.status, self.detail))
        return False


def host_result(text: Optional[str]) -> str:
    """The role's words (updated, unchanged, rolled back, ...) as the report's results."""
    table = {"updated": "changed", "would update": "changed", "unchanged": "ok", "failed": "failed",
             "rolled back": "rolled_back", "unreachable": "unreachable", "not reached": "skipped"}
    return table.get(text or "", text if text in RESULTS else "skipped")


def _deployment(value):
    out = dict(EMPTY_DEPLOYMENT)
    if isinstance(value, dict):
        for key in out:
            item = value.get(key)
            out[key] = item if isinstance(item, str) and item else None
    return out


def host_entry(name: str, state: Optional[Dict[str, Any]], batch: int, result_text: Optional[str]) -> Dict[str, Any]:
    state = state if isinstance(state, dict) else {}
    events = [e for e in state.get("events") or [] if isinstance(e, dict)]
    events.sort(key=lambda e: (e.get("start", 0), e.get("end", 0)))
    return {"host": name, "batch": int(batch), "result": host_result(result_text),
            "before": _deployment(state.get("before")), "after": _deployment(state.get("after") or state.get("before")),
            "events": events}


def build(play: str,
          action: str,
          hosts: List[Dict[str, Any]],
          finished: Optional[float] = None,
          started: Optional[float] = None) -> Dict[str, Any]:
    if action not in REPORT_ACTIONS:
        raise NestosError("the rollout report covers %s, not %r" % (", ".join(REPORT_ACTIONS), action))
    starts = [e["start"] for h in hosts for e in h["events"]]
    ends = [e["end"] for h in hosts for e in h["events"]]
    finished = finished if finished is not None else time.time()
    starts += [started] if isinstance(started, (int, float)) and not isinstance(started, bool) else []
    started = min(starts) if starts else finished
    return {"play": str(play), "started": round(started, 3), "finished": round(max([finished] + ends), 3),
            "action": action, "hosts": hosts}


def file_name(started: float, play: str) -> str:
    """``<UTC timestamp>-<play>.json`` with the play name made file-safe."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(started))
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", play).strip("-.")[:60] or "play"
    return "%s-%s.json" % (stamp, slug)


def dumps(report: Dict[str, Any]) -> str:
    return json.dumps(report, indent=1, sort_keys=True) + "\n"
