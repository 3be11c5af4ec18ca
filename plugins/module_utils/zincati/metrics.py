# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Zincati's metrics: the Prometheus text exposition format (version 0.0.4) read from the
Unix socket /run/zincati/public/metrics.promsock (upstream docs/usage/metrics.md; zincati
writes the text on connect and closes, it reads nothing).

:func:`read_command` is the plain shell the zincati action runs on the host (socat, else ncat); :func:`parse` turns the text into facts:
``{name: {"type", "help", "samples": [{"labels": {...}, "value": v}], "value": v}}``
(``value`` only when the family has one sample without labels). Values are ints when the text
is an integer, floats otherwise, and the strings ``+Inf``, ``-Inf``, ``NaN`` as written.

Limits (docs/fleet.md): MAX_BYTES of text, MAX_LINES lines, MAX_LABELS labels per sample.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import re

from typing import Any, Dict, List, Tuple, Union

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

SOCKET = "/run/zincati/public/metrics.promsock"
SOURCE = SOCKET
MAX_BYTES = 1024 * 1024
MAX_LINES = 20000
MAX_LABELS = 64
NO_SOCKET_RC = 3
NO_CLIENT_RC = 4
_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_TYPES = ("counter", "gauge", "histogram", "summary", "untyped")
_SUFFIXES = ("_bucket", "_sum", "_count")
_SPECIAL = {"+Inf": "+Inf", "Inf": "+Inf", "-Inf": "-Inf", "NaN": "NaN"}
Value = Union[int, float, str]


def read_command(socket: str = SOCKET) -> str:
    """Read the socket with what the host has: ``socat`` (Fedora CoreOS's networking-tools
    manifest, which nestos-config inherits), else ``ncat --recv-only`` (nmap-ncat). Both only
    read. Not curl: zincati writes and closes without reading a request, so ``curl --http0.9
    --unix-socket`` races it and fails with 7, 55 or 56 (seen against the lab's double).
    Exit 3: no socket (zincati not running); 4: no client."""
    s = socket.replace("'", "")
    return " ".join([
        "s='%s';" % s,
        "if [ ! -S \"$s\" ]; then echo \"no socket $s: is zincati.service running?\" >&2; exit %d; fi;" % NO_SOCKET_RC,
        "if command -v socat >/dev/null 2>&1; then exec socat -u \"UNIX-CONNECT:$s\" -;",
        "elif command -v ncat >/dev/null 2>&1; then exec ncat --recv-only -U \"$s\";",
        "else echo 'neither socat nor ncat is on the host' >&2; exit %d; fi" % NO_CLIENT_RC,
    ])


def _err(message, line):
    return NestosError(message, file=SOURCE, line=line)


def _value(text: str, line: int) -> Value:
    if text in _SPECIAL:
        return _SPECIAL[text]
    try:
        if re.match(r"^[+-]?\d+$", text):
            return int(text)
        value = float(text)
    except ValueError:
        raise _err("not a number: %r" % text[:40], line)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return value


def _label_value(text: str, pos: int, line: int) -> Tuple[str, int]:
    out = []
    while pos < len(text):
        ch = text[pos]
        if ch == "\\":
            nxt = text[pos + 1:pos + 2]
            if nxt not in ("\\", '"', "n"):
                raise _err("bad escape \\%s in a label value" % nxt, line)
            out.append("\n" if nxt == "n" else nxt)
            pos += 2
        elif ch == '"':
            return "".join(out), pos + 1
        else:
            out.append(ch)
            pos += 1
    raise _err("unterminated label value", line)


def _labels(text: str, pos: int, line: int) -> Tuple[Dict[str, str], int]:
    """``text[pos]`` is ``{``; returns the labels and the position after ``}``."""
    labels = {}        # type: Dict[str, str]
    pos += 1
    while True:
        while text[pos:pos + 1] == " ":
            pos += 1
        if text[pos:pos + 1] == "}":
            return labels, pos + 1
        m = _LABEL.match(text, pos)
        if not m or text[m.end():m.end() + 2] != '="':
            raise _err("expected label=\"value\" at column %d" % (pos + 1), line)
        if len(labels) >= MAX_LABELS:
            raise _err("more than %d labels" % MAX_LABELS, line)
        value, pos = _label_value(text, m.end() + 2, line)
        labels[m.group(0)] = value
        while text[pos:pos + 1] == " ":
            pos += 1
        if text[pos:pos + 1] == ",":
            pos += 1
        elif text[pos:pos + 1] != "}":
            raise _err("expected , or } at column %d" % (pos + 1), line)


def _sample(text: str, line: int) -> Tuple[str, Dict[str, str], Value]:
    m = _NAME.match(text)
    if not m:
        raise _err("expected a metric name, got %r" % text[:40], line)
    name, pos = m.group(0), m.end()
    labels = {}        # type: Dict[str, str]
    if text[pos:pos + 1] == "{":
        labels, pos = _labels(text, pos, line)
    rest = text[pos:].split()
    if not rest or len(rest) > 2 or not text[pos:pos + 1].isspace():
        raise _err("expected NAME[{labels}] VALUE [TIMESTAMP], got %r" % text[:80], line)
    if len(rest) == 2 and not re.match(r"^-?\d+$", rest[1]):
        raise _err("bad timestamp %r" % rest[1][:40], line)
    return name, labels, _value(rest[0], line)


def _family(families: Dict[str, Dict[str, Any]], name: str) -> Dict[str, Any]:
    if name not in families:
        families[name] = {"type": "untyped", "help": "", "samples": []}
    return families[name]


def _comment(families: Dict[str, Dict[str, Any]], text: str, line: int) -> None:
    parts = text[1:].strip().split(None, 2)
    if len(parts) < 2 or parts[0] not in ("HELP", "TYPE"):
        return                           # an ordinary comment
    if not _NAME.fullmatch(parts[1]):
        raise _err("bad metric name %r" % parts[1][:40], line)
    fam = _family(families, parts[1])
    if parts[0] == "HELP":
        fam["help"] = parts[2] if len(parts) > 2 else ""
    else:
        kind = parts[2].strip() if len(parts) > 2 else ""
        if kind not in _TYPES:
            raise _err("unknown metric type %r" % kind[:40], line)
        fam["type"] = kind


def _owner(families: Dict[str, Dict[str, Any]], name: str) -> str:
    for suffix in _SUFFIXES:
        base = name[:-len(suffix)]
        if name.endswith(suffix) and families.get(base, {}).get("type") in ("histogram", "summary"):
            return base
    return name


def parse(text: str) -> Dict[str, Dict[str, Any]]:
    """The exposition text as facts; NestosError (socket path, line) on malformed text."""
    if len(text) > MAX_BYTES:
        raise NestosError("more than %d bytes of metrics" % MAX_BYTES, file=SOURCE)
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise NestosError("more than %d lines of metrics" % MAX_LINES, file=SOURCE)
    families = {}      # type: Dict[str, Dict[str, Any]]
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            _comment(families, line, lineno)
            continue
        name, labels, value = _sample(line, lineno)
        sample = {"labels": labels, "value": value}   # type: Dict[str, Any]
        owner = _owner(families, name)
        if owner != name:
            sample["name"] = name
        _family(families, owner)["samples"].append(sample)
    for fam in families.values():
        samples = fam["samples"]    # type: List[Dict[str, Any]]
        if len(samples) == 1 and not samples[0]["labels"] and "name" not in samples[0]:
            fam["value"] = samples[0]["value"]
    return families
