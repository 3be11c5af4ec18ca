# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rollout report: a fleet run's JSON record, checked, and drawn as one HTML page.

The ``os_update`` role writes one JSON document per run (shape below); :func:`load_report`
checks it field by field (errors name the field path), :func:`render_html` draws a
self-contained page (inline CSS and SVG, no script, no network): a summary, then per batch
one row per host with its timeline (prefetch, apply, lock, reboot, health, verify, rollback)
on a common time axis, and the image and digest before and after.

Shape::

    {"play": str, "action": str, "started": float, "finished": float,
     "hosts": [{"host": str, "batch": int, "result": str,
                "before": {"image", "digest", "checksum", "version"},   # each str or null
                "after": {...},
                "events": [{"phase": str, "start": float, "end": float,
                            "status": str, "detail": str}]}]}

Limits: at most MAX_HOSTS hosts and MAX_EVENTS events per host are drawn (the rest are
counted in the page); strings longer than MAX_TEXT characters are cut.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import html

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

RESULTS = ("ok", "changed", "failed", "rolled_back", "unreachable", "skipped", "unchanged")
PHASES = ("prefetch", "lock", "apply", "reboot", "health", "verify", "rollback")
STATUSES = ("ok", "changed", "failed", "skipped")
MAX_HOSTS = 20000
MAX_EVENTS = 200
MAX_TEXT = 400
NOTE_CHARS = 160  # a failure's reason as printed beside its row (the full text is in the JSON)
MAX_EPOCH = 10 ** 11  # far beyond any rollout; keeps dates printable

PHASE_COLOURS = {"prefetch": "#8fb8de", "lock": "#c9a0dc", "apply": "#5b8def", "reboot": "#f0ad4e",
                 "health": "#5cb85c", "verify": "#3c9d9b", "rollback": "#d9534f"}
RESULT_COLOURS = {"ok": "#2e7d32", "changed": "#1565c0", "unchanged": "#555", "failed": "#c62828",
                  "rolled_back": "#e65100", "unreachable": "#6a1b9a", "skipped": "#777"}


def _fail(path, message):
    raise NestosError(message, path=path)


def _text(value, path, optional=True):
    if value is None and optional:
        return None
    if not isinstance(value, str):
        _fail(path, "must be a string%s" % (" or null" if optional else ""))
    return value[:MAX_TEXT]


def _number(value, path):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_EPOCH:
        _fail(path, "must be a number of seconds since the epoch, 0 to %d" % MAX_EPOCH)
    return float(value)


def _choice(value, path, choices):
    if value not in choices:
        _fail(path, "must be one of %s, not %r" % (", ".join(choices), value if isinstance(value, str) else type(value).__name__))
    return value


def _image(value, path):
    if value is None:
        value = {}
    if not isinstance(value, dict):
        _fail(path, "must be a mapping with image, digest, checksum, version")
    return dict((key, _text(value.get(key), "%s.%s" % (path, key))) for key in ("image", "digest", "checksum", "version"))


def _event(value, path):
    if not isinstance(value, dict):
        _fail(path, "must be a mapping with phase, start, end, status")
    start = _number(value.get("start"), path + ".start")
    end = _number(value.get("end", start), path + ".end")
    if end < start:
        _fail(path + ".end", "ends before it starts")
    return {"phase": _choice(value.get("phase"), path + ".phase", PHASES), "start": start, "end": end,
            "status": _choice(value.get("status", "ok"), path + ".status", STATUSES),
            "detail": _text(value.get("detail"), path + ".detail") or ""}


def _host(value, path):
    if not isinstance(value, dict):
        _fail(path, "must be a mapping")
    batch = value.get("batch", 0)
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 0:
        _fail(path + ".batch", "must be a whole number >= 0")
    events = value.get("events") or []
    if not isinstance(events, list):
        _fail(path + ".events", "must be a list")
    return {"host": _text(value.get("host"), path + ".host", optional=False), "batch": batch,
            "result": _choice(value.get("result"), path + ".result", RESULTS),
            "before": _image(value.get("before"), path + ".before"), "after": _image(value.get("after"), path + ".after"),
            "events": [_event(e, "%s.events.%d" % (path, i)) for i, e in enumerate(events[:MAX_EVENTS])],
            "events_cut": max(0, len(events) - MAX_EVENTS)}


def load_report(data):
    """The checked report (a new dict); NestosError names the first wrong field."""
    if not isinstance(data, dict):
        _fail("$", "a rollout report must be a mapping")
    hosts = data.get("hosts")
    if not isinstance(hosts, list):
        _fail("$.hosts", "must be a list")
    started = _number(data.get("started"), "$.started")
    finished = _number(data.get("finished", started), "$.finished")
    return {"play": _text(data.get("play"), "$.play") or "rollout", "action": _text(data.get("action"), "$.action") or "",
            "started": started, "finished": max(started, finished),
            "hosts": [_host(h, "$.hosts.%d" % i) for i, h in enumerate(hosts[:MAX_HOSTS])],
            "hosts_cut": max(0, len(hosts) - MAX_HOSTS)}


def counts(report):
    """Hosts per result, in RESULTS order (results with no host left out)."""
    out = {}
    for result in RESULTS:
        n = sum(1 for h in report["hosts"] if h["result"] == result)
        if n:
            out[result] = n
    return out


def summary_line(report):
    parts = ["%d %s" % (n, result.replace("_", " ")) for result, n in counts(report).items()]
    return "%s (%s): %d hosts in %d batches, %s, %.0f s" % (
        report["play"], report["action"] or "rollout", len(report["hosts"]),
        len(set(h["batch"] for h in report["hosts"])), ", ".join(parts) or "no hosts",
        report["finished"] - report["started"])


# ---- HTML ---------------------------------------------------------------------------------

_E = html.escape
AXIS_WIDTH = 640
ROW_HEIGHT = 18

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 6px}
.sub{color:#555;margin-bottom:12px}
.counts span{display:inline-block;margin-right:12px;padding:2px 8px;border-radius:10px;color:#fff}
table{border-collapse:collapse;table-layout:fixed;width:%dpx}
td:first-child{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
td,th{padding:2px 8px;text-align:left;vertical-align:middle}
th{border-bottom:1px solid #ccc;font-weight:600}tr.host td{border-bottom:1px solid #eee}
.result{font-weight:600}.img{font:12px monospace;color:#333;word-break:break-all}.phases{word-break:break-word}.legend span{margin-right:14px}
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
"""


def _when(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _image_text(image):
    if not any(image.values()):
        return "unknown"
    ref = image.get("image") or "(ostree)"
    ident = image.get("digest") or image.get("checksum") or ""
    ver = image.get("version")
    return "%s%s%s" % (ref, (" " + ver) if ver else "", (" " + ident[:19]) if ident else "")


def _timeline(host, start, span):
    scale = AXIS_WIDTH / span if span > 0 else 0.0
    bars = []
    for event in host["events"]:
        x = (event["start"] - start) * scale
        w = max(2.0, (event["end"] - event["start"]) * scale)
        stroke = ' stroke="#b71c1c" stroke-width="2"' if event["status"] == "failed" else ""
        title = "%s %s %.1f s%s" % (event["phase"], event["status"], event["end"] - event["start"],
                                    (": " + event["detail"]) if event["detail"] else "")
        rect = '<rect class="ev ev-%s st-%s" x="%.1f" y="3" width="%.1f" height="%d" rx="2" fill="%s"%s>' % (
            event["phase"], event["status"], x, w, ROW_HEIGHT - 6, PHASE_COLOURS[event["phase"]], stroke)
        bars.append('%s<title>%s</title></rect>' % (rect, _E(title)))
    return ('<svg width="%d" height="%d" role="img" aria-label="timeline of %s">%s</svg>'
            % (AXIS_WIDTH, ROW_HEIGHT, _E(host["host"]), "".join(bars)))


def _cut(text, limit):
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def _host_row(host, start, span):
    phases = ", ".join("%s %s" % (e["phase"], e["status"]) for e in host["events"]) or "no events"
    failed = [e for e in host["events"] if e["status"] == "failed"]
    note = "; ".join(_E(_cut(e["detail"] or e["phase"], NOTE_CHARS)) for e in failed)
    return ('<tr class="host" data-host="%s" data-result="%s" data-batch="%d"><td>%s</td>'
            '<td class="result" style="color:%s">%s</td><td>%s</td><td class="img">%s<br>&rarr; %s</td>'
            '<td class="phases">%s%s</td></tr>'
            % (_E(host["host"]), host["result"], host["batch"], _E(host["host"]), RESULT_COLOURS[host["result"]],
               host["result"].replace("_", " "), _timeline(host, start, span), _E(_image_text(host["before"])),
               _E(_image_text(host["after"])), _E(phases), ("<br><b>%s</b>" % note) if note else ""))


def render_html(report):
    """The whole page as a string (self-contained: no script, no external asset)."""
    start, span = report["started"], max(1e-9, report["finished"] - report["started"])
    for host in report["hosts"]:
        for event in host["events"]:
            start = min(start, event["start"])
            span = max(span, event["end"] - start)
    title = _E("Rollout report: " + report["play"])
    style = CSS % (130 + 100 + AXIS_WIDTH + 16 + 660)
    parts = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
             '<title>%s</title><style>%s</style></head><body>' % (title, style),
             '<h1>Rollout report: %s</h1>' % _E(report["play"]),
             '<div class="sub" id="summary">%s<br>%s &ndash; %s</div>' % (
                 _E(summary_line(report)), _when(report["started"]), _when(report["finished"])),
             '<div class="counts">%s</div>' % "".join(
                 '<span class="count-%s" style="background:%s">%d %s</span>' % (r, RESULT_COLOURS[r], n, r.replace("_", " "))
                 for r, n in counts(report).items()),
             '<p class="legend">%s</p>' % "".join(
                 '<span><i style="background:%s"></i>%s</span>' % (c, p) for p, c in PHASE_COLOURS.items())]
    for batch in sorted(set(h["batch"] for h in report["hosts"])):
        hosts = [h for h in report["hosts"] if h["batch"] == batch]
        parts.append('<h2 id="batch-%d">Batch %d (%d host%s)</h2>' % (batch, batch, len(hosts), "" if len(hosts) == 1 else "s"))
        parts.append('<table><colgroup><col style="width:130px"><col style="width:100px"><col style="width:%dpx">'
                     '<col style="width:330px"><col style="width:330px"></colgroup>' % (AXIS_WIDTH + 16))
        parts.append('<tr><th>host</th><th>result</th><th>timeline (%.0f s)</th><th>image before &rarr; after</th>'
                     '<th>phases</th></tr>%s</table>' % (span, "".join(_host_row(h, start, span) for h in hosts)))
    if report["hosts_cut"]:
        parts.append("<p>%d more hosts not drawn (limit %d).</p>" % (report["hosts_cut"], MAX_HOSTS))
    parts.append("</body></html>\n")
    return "".join(parts)


__all__ = ["load_report", "render_html", "summary_line", "counts", "PHASES", "RESULTS"]
