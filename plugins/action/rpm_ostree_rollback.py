# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""rpm_ostree_rollback: make the previous deployment the default, with rpm-ostree's semantics."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import plan as planner
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import fleet as specs
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import HostAction, kinded


class ActionModule(HostAction):
    ARGSPEC = specs.RPM_OSTREE_ROLLBACK

    def _run(self, args, task_vars, remote):
        status = remote.wait_idle(remote.status(), args["busy_timeout"])
        plan = planner.plan_rollback(status, to=args["to"])
        result = {"booted_before": status.booted.summary()}
        if not plan.changed or self.check_mode:
            result.update(self._deployments_result(plan))
            result["target"] = plan.after[0].summary() if plan.after else None
            return result
        expected = plan.after[0].checksum
        after = self._execute(remote, plan, args["busy_timeout"])
        result.update(self._deployments_result(plan, after))
        default = after.default
        result["target"] = default.summary() if default is not None else None
        if default is None or default.checksum != expected:
            raise kinded(NestosError("rpm-ostree rollback finished but the default deployment is %s, expected %s"
                                     % (default.label() if default is not None else "missing", expected)),
                         "unexpected_state")
        return result
