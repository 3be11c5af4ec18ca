# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_service: systemd unit state on a Python-less host, idempotent by is-enabled/is-active."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import shlex

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import fleet as specs
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import HostAction, HostCommandError

# `systemctl is-enabled` answers that count as enabled / as nothing-to-enable
ENABLED = ("enabled", "enabled-runtime", "alias", "static", "indirect", "generated", "transient")
DISABLED = ("disabled", "static", "indirect", "generated", "transient")
ACTIVE = ("active", "activating", "reloading", "refreshing")


def query_command(name):
    q = shlex.quote(name)
    return ('e=$(systemctl is-enabled %s 2>/dev/null); a=$(systemctl is-active %s 2>/dev/null); '
            'printf "enabled=%%s\\nactive=%%s\\n" "$e" "$a"' % (q, q))


def parse_query(text):
    out = {"enabled": "", "active": ""}
    for line in text.splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            if key in out:
                out[key] = value.strip().splitlines()[0] if value.strip() else ""
    return out


class ActionModule(HostAction):
    ARGSPEC = specs.HOST_SERVICE

    def _query(self, remote, name):
        res = remote.run(query_command(name))
        if res.rc != 0:
            raise HostCommandError(res, "cannot query %s" % name)
        return parse_query(res.stdout)

    def _run(self, args, task_vars, remote):
        name = args["name"]
        if not name or any(c.isspace() for c in name) or name.startswith("-"):
            raise NestosError("%r is not a unit name" % name, path="name")
        if args["enabled"] is None and args["state"] is None and not args["daemon_reload"]:
            raise NestosError("give at least one of enabled, state or daemon_reload", path="state")
        if args["daemon_reload"] and not self.check_mode:
            res = remote.run(["systemctl", "daemon-reload"])
            if res.rc != 0:
                raise HostCommandError(res, "systemctl daemon-reload failed")
        before = self._query(remote, name)
        steps = []
        if args["enabled"] is not None:
            if before["enabled"] == "masked" or before["enabled"] == "masked-runtime":
                raise NestosError("%s is masked; unmask it before enabling or disabling it" % name, path="enabled")
            if not before["enabled"]:
                raise NestosError("unit %s not found (systemctl is-enabled gave no answer)" % name, path="name")
            if args["enabled"] and before["enabled"] not in ENABLED:
                steps.append(["systemctl", "enable", name])
            if not args["enabled"] and before["enabled"] not in DISABLED:
                steps.append(["systemctl", "disable", name])
        state = args["state"]
        if state == "started" and before["active"] not in ACTIVE:
            steps.append(["systemctl", "start", name])
        elif state == "stopped" and before["active"] in ACTIVE + ("deactivating",):
            steps.append(["systemctl", "stop", name])
        elif state == "restarted":
            steps.append(["systemctl", "restart", name])
        elif state == "reloaded":
            steps.append(["systemctl", "reload-or-restart" if before["active"] not in ACTIVE else "reload", name])
        result = {"name": name, "status_before": before, "changed": bool(steps), "commands": steps}
        predicted = dict(before)
        for argv in steps:
            verb = argv[1]
            if verb == "enable":
                predicted["enabled"] = "enabled"
            elif verb == "disable":
                predicted["enabled"] = "disabled"
            elif verb in ("start", "restart", "reload", "reload-or-restart"):
                predicted["active"] = "active"
            elif verb == "stop":
                predicted["active"] = "inactive"
        if self.diff_mode:
            result["diff"] = {"before": "enabled: %(enabled)s\nactive: %(active)s\n" % before,
                              "after": "enabled: %(enabled)s\nactive: %(active)s\n" % predicted,
                              "before_header": name, "after_header": name}
        if not steps or self.check_mode:
            result["status"] = predicted
            return result
        for argv in steps:
            res = remote.run(argv)
            if res.rc != 0:
                raise HostCommandError(res, "`%s` failed" % " ".join(argv))
        after = self._query(remote, name)
        result["status"] = after
        if state in ("started", "restarted", "reloaded") and after["active"] not in ACTIVE:
            raise NestosError("%s is %s after %s" % (name, after["active"] or "unknown", state), path="state")
        return result
