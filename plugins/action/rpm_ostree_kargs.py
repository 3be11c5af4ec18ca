# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""rpm_ostree_kargs: append / delete / replace kernel arguments, idempotent."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import plan as planner
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import fleet as specs
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import HostAction, HostCommandError


class ActionModule(HostAction):
    ARGSPEC = specs.RPM_OSTREE_KARGS

    def _kargs(self, remote):
        res = remote.run(["rpm-ostree", "kargs"])
        if res.rc != 0:
            raise HostCommandError(res, "cannot read the kernel arguments")
        return res.stdout.strip()

    def _run(self, args, task_vars, remote):
        status = remote.wait_idle(remote.status(), args["busy_timeout"])
        current = self._kargs(remote)
        kplan = planner.plan_kargs(current, append=args["append"], append_if_missing=args["append_if_missing"],
                                   delete=args["delete"], delete_if_present=args["delete_if_present"],
                                   replace=args["replace"])
        plan = planner.plan_kargs_deployments(status, kplan)
        result = {"kargs_before": kplan.before, "kargs_after": kplan.after}
        if not plan.changed or self.check_mode:
            result.update(self._deployments_result(plan))
            if self.diff_mode and plan.changed:
                result["diff"] = [result["diff"], self._kdiff(kplan.before, kplan.after)]
            return result
        after = self._execute(remote, plan, args["busy_timeout"])
        result.update(self._deployments_result(plan, after))
        result["kargs_after"] = planner.split_kargs(self._kargs(remote))
        if self.diff_mode:
            result["diff"] = [result["diff"], self._kdiff(kplan.before, result["kargs_after"])]
        return result

    @staticmethod
    def _kdiff(before, after):
        return {"before": "\n".join(before) + "\n", "after": "\n".join(after) + "\n",
                "before_header": "kernel arguments", "after_header": "kernel arguments"}
