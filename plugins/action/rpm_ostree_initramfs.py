# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""rpm_ostree_initramfs: carry out the plan of ostree_host/operations.py on a Python-less host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import fleet as specs
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import operations
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import HostAction


class ActionModule(HostAction):
    ARGSPEC = specs.RPM_OSTREE_INITRAMFS

    def _run(self, args, task_vars, remote):
        status = remote.wait_idle(remote.status(), args["busy_timeout"])
        plan = operations.plan_initramfs(status, args["enabled"], args["args"])
        return self._carry_out(remote, plan, args["busy_timeout"])
