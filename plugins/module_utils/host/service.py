# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""systemd unit state on a Python-less host: the query, what it means, and the plan
(``systemctl`` commands, the state they lead to). The host_service action only runs it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import shlex

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

from typing import Dict, List, Optional

# `systemctl is-enabled` answers that count as enabled / as nothing-to-enable
ENABLED = ("enabled", "enabled-runtime", "alias", "static", "indirect", "generated", "transient")
DISABLED = ("disabled", "static", "indirect", "generated", "transient")
ACTIVE = ("active", "activating", "reloading", "refreshing")
MASKED = ("masked", "masked-runtime")
_PREDICT = {"enable": ("enabled", "enabled"), "disable": ("enabled", "disabled"), "start": ("active", "active"),
            "restart": ("active", "active"), "reload": ("active", "active"),
            "reload-or-restart": ("active", "active"), "stop": ("active", "inactive")}


def check_args(name: str, enabled: Optional[bool], state: Optional[str], daemon_reload: bool) -> None:
    if not name or any(c.isspace() for c in name) or name.startswith("-"):
        raise NestosError("%r is not a unit name" % name, path="name")
    if enabled is None and state is None and not daemon_reload:
        raise NestosError("give at least one of enabled, state or daemon_reload", path="state")


def query_command(name: str) -> str:
    q = shlex.quote(name)
    return ('e=$(systemctl is-enabled %s 2>/dev/null); a=$(systemctl is-active %s 2>/dev/null); '
            'printf "enabled=%%s\\nactive=%%s\\n" "$e" "$a"' % (q, q))


def parse_query(text: str) -> Dict[str, str]:
    out = {"enabled": "", "active": ""}
    for line in text.splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            if key in out:
                out[key] = value.strip().splitlines()[0] if value.strip() else ""
    return out


class ServicePlan(object):
    def __init__(self, name: str, before: Dict[str, str], steps: List[List[str]]) -> None:
        self.name = name
        self.before = before
        self.steps = steps
        self.predicted = dict(before)
        for argv in steps:
            key, value = _PREDICT[argv[1]]
            self.predicted[key] = value

    @property
    def changed(self) -> bool:
        return bool(self.steps)

    def diff(self) -> Dict[str, str]:
        return {"before": "enabled: %(enabled)s\nactive: %(active)s\n" % self.before,
                "after": "enabled: %(enabled)s\nactive: %(active)s\n" % self.predicted,
                "before_header": self.name, "after_header": self.name}


def _enable_steps(name, before, enabled):
    if enabled is None:
        return []
    if before["enabled"] in MASKED:
        raise NestosError("%s is masked; unmask it before enabling or disabling it" % name, path="enabled")
    if not before["enabled"]:
        raise NestosError("unit %s not found (systemctl is-enabled gave no answer)" % name, path="name")
    if enabled and before["enabled"] not in ENABLED:
        return [["systemctl", "enable", name]]
    if not enabled and before["enabled"] not in DISABLED:
        return [["systemctl", "disable", name]]
    return []


def _state_steps(name, before, state):
    active = before["active"] in ACTIVE
    if state == "started" and not active:
        return [["systemctl", "start", name]]
    if state == "stopped" and (active or before["active"] == "deactivating"):
        return [["systemctl", "stop", name]]
    if state == "restarted":
        return [["systemctl", "restart", name]]
    if state == "reloaded":
        return [["systemctl", "reload" if active else "reload-or-restart", name]]
    return []


def plan_service(name: str,
                 before: Dict[str, str],
                 enabled: Optional[bool] = None,
                 state: Optional[str] = None) -> ServicePlan:
    """From the query's answer and the wanted state: the systemctl commands (none when the unit
    already is as asked; restarted/reloaded always act)."""
    return ServicePlan(name, before, _enable_steps(name, before, enabled) + _state_steps(name, before, state))


def check_after(name: str, after: Dict[str, str], state: Optional[str]) -> None:
    """A unit asked to run must be running afterwards."""
    if state in ("started", "restarted", "reloaded") and after["active"] not in ACTIVE:
        raise NestosError("%s is %s after %s" % (name, after["active"] or "unknown", state), path="state")
