# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ostree_pin: pin or unpin a deployment (ostree admin pin) on a Python-less host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import fleet as specs
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import operations
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import HostAction


class ActionModule(HostAction):
    ARGSPEC = specs.OSTREE_PIN

    def _run(self, args, task_vars, remote):
        status = remote.status()
        plan = operations.plan_pin(status, args["deployment"], pinned=args["pinned"])
        out = {"deployment": plan.deployment.summary() if plan.changed else None}
        if not plan.changed or self.check_mode:
            out.update(self._deployments_result(plan))
            return out
        after = self._execute(remote, plan)
        out.update(self._deployments_result(plan, after))
        return out
