# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""rpm_ostree_cleanup: drop the pending / rollback deployments, clear caches."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import plan as planner
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import fleet as specs
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import HostAction


class ActionModule(HostAction):
    ARGSPEC = specs.RPM_OSTREE_CLEANUP

    def _run(self, args, task_vars, remote):
        status = remote.wait_idle(remote.status(), args["busy_timeout"])
        plan = planner.plan_cleanup(status, pending=args["pending"], rollback=args["rollback"], base=args["base"],
                                    repomd=args["repomd"])
        if not plan.commands or self.check_mode:
            return self._deployments_result(plan)
        after = self._execute(remote, plan, args["busy_timeout"])
        plan.changed = after.labels() != status.labels()
        return self._deployments_result(plan, after)
