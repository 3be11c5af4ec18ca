# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_service: systemd unit state on a Python-less host; decisions in module_utils/host/service.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import fleet as specs
from ansible_collections.nestos.lifecycle.plugins.module_utils.host import service
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import HostAction, HostCommandError


class ActionModule(HostAction):
    ARGSPEC = specs.HOST_SERVICE

    def _query(self, remote, name):
        res = remote.run(service.query_command(name))
        if res.rc != 0:
            raise HostCommandError(res, "cannot query %s" % name)
        return service.parse_query(res.stdout)

    def _run(self, args, task_vars, remote):
        name = args["name"]
        service.check_args(name, args["enabled"], args["state"], args["daemon_reload"])
        if args["daemon_reload"] and not self.check_mode:
            remote.run(["systemctl", "daemon-reload"], check=True, what="systemctl daemon-reload failed")
        plan = service.plan_service(name, self._query(remote, name), args["enabled"], args["state"])
        result = {"name": name, "status_before": plan.before, "changed": plan.changed, "commands": plan.steps}
        if self.diff_mode:
            result["diff"] = plan.diff()
        if not plan.changed or self.check_mode:
            result["status"] = plan.predicted
            return result
        for argv in plan.steps:
            remote.run(argv, check=True, what="`%s` failed" % " ".join(argv))
        result["status"] = self._query(remote, name)
        service.check_after(name, result["status"], args["state"])
        return result
