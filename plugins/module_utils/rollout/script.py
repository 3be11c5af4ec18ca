# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One shell session per rollout phase: several host commands in one script whose output is
cut into named sections and parsed on the controller.

A script is a list of :class:`Step`. Each step's command runs in a subshell with stdin from
/dev/null and stderr folded into stdout; its output is framed by marker lines that carry a
per-run nonce (so a command's own output cannot fake a frame) and its exit code. A step
with ``needs_ok`` is skipped (rc ``SKIPPED``) once a step with ``stops`` has failed, which
is how "rebase, then layer packages" stops at the first failure while "status after" still
runs. Nothing is decided on the host: the controller reads the sections and decides.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

from typing import Dict, List, Optional

MARK = "@@nestos-step"
SKIPPED = -1
MAX_OUTPUT = 16 * 1024 * 1024       # bytes of script output the parser accepts
_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
_NONCE = re.compile(r"^[0-9a-f]{16}$")


class Step(object):
    """One command of a phase script."""

    def __init__(self,
                 name: str,
                 command: str,
                 needs_ok: bool = False,
                 stops: bool = False,
                 ok_codes: tuple = (0,)) -> None:
        if not _NAME.match(name):
            raise NestosError("step name %r must be lower-case letters, digits, '_', '.', '-'" % (name,))
        self.name = name
        self.command = command
        self.needs_ok = needs_ok
        self.stops = stops
        self.ok_codes = tuple(ok_codes)


class Section(object):
    """The output and exit code of one step (rc SKIPPED when it did not run)."""

    def __init__(self, name: str, rc: int, text: str) -> None:
        self.name = name
        self.rc = rc
        self.text = text

    @property
    def ran(self) -> bool:
        return self.rc != SKIPPED

    def as_dict(self):
        return {"name": self.name, "rc": self.rc, "output": self.text}


def new_nonce() -> str:
    return os.urandom(8).hex()


def render(steps: List[Step], nonce: str) -> str:
    """The shell text of one session (POSIX sh; busybox ash and bash run it alike)."""
    if not _NONCE.match(nonce):
        raise NestosError("bad nonce %r" % (nonce,))
    names = set()
    lines = ["nestos_fail=0"]
    for step in steps:
        if step.name in names:
            raise NestosError("step %r appears twice" % step.name)
        names.add(step.name)
        ok = " || ".join("[ $nestos_rc = %d ]" % c for c in step.ok_codes)
        run = "( %s ) </dev/null 2>&1; nestos_rc=$?" % step.command
        if step.needs_ok:
            run = "if [ $nestos_fail = 0 ]; then %s; else nestos_rc=%d; fi" % (run, SKIPPED)
        lines.append("printf '\\n%s %s begin %s\\n'" % (MARK, nonce, step.name))
        lines.append(run)
        lines.append("printf '\\n%s %s end %s %%s\\n' \"$nestos_rc\"" % (MARK, nonce, step.name))
        if step.stops:
            lines.append("if [ $nestos_rc != %d ] && ! { %s; }; then nestos_fail=1; fi" % (SKIPPED, ok))
    lines.append("exit 0")
    return "\n".join(lines) + "\n"


def parse(stdout: str, nonce: str, expected: Optional[List[str]] = None) -> Dict[str, Section]:
    """Cut the session's output into sections. ``expected``: names that must be present
    (a missing one means the session ended early: connection lost, host rebooted)."""
    if not isinstance(stdout, str):
        raise NestosError("the phase output must be text")
    if len(stdout) > MAX_OUTPUT:
        raise NestosError("the phase output is larger than %d bytes" % MAX_OUTPUT)
    # with become, Ansible's ssh connection runs the command on a terminal, which turns every
    # newline into CR LF: undo that so every section reads the same as without a terminal
    stdout = stdout.replace("\r\n", "\n")
    begin = "%s %s begin " % (MARK, nonce)
    end = "%s %s end " % (MARK, nonce)
    out: Dict[str, Section] = {}
    current = None
    buf: List[str] = []
    for line in stdout.splitlines(True):
        bare = line.rstrip("\r\n")
        if bare.startswith(begin):
            current = bare[len(begin):]
            buf = []
        elif current is not None and bare.startswith(end):
            name, _sep, code = bare[len(end):].rpartition(" ")
            if name != current:
                raise NestosError("phase output: step %r ended inside step %r" % (name, current))
            try:
                rc = int(code)
            except ValueError:
                raise NestosError("phase output: step %r ended with exit code %r" % (name, code))
            text = "".join(buf)
            text = text[:-1] if text.endswith("\n") else text
            out[name] = Section(name, rc, text)
            current = None
        elif current is not None:
            buf.append(line)
    missing = [n for n in (expected or []) if n not in out]
    if missing:
        raise NestosError("the phase session ended before step(s) %s finished (connection lost or host "
                          "rebooted?); output tail: %s" % (", ".join(missing), stdout[-300:].strip() or "(none)"))
    return out
