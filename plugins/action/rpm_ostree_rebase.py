# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""rpm_ostree_rebase: rebase a Python-less host to a container image or ostree ref."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import plan as planner
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import fleet as specs
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import HostAction, kinded


class ActionModule(HostAction):
    ARGSPEC = specs.RPM_OSTREE_REBASE

    def _run(self, args, task_vars, remote):
        ref = planner.parse_ref_option(ref=args["ref"], image=args["image"], signature=args["signature"],
                                       transport=args["transport"], remote=args["remote"], digest=args["digest"],
                                       allow_unverified=args["allow_unverified"])
        status = remote.wait_idle(remote.status(), args["busy_timeout"])
        plan = planner.plan_rebase(status, ref, download_only=args["download_only"],
                                   bypass_driver=args["bypass_driver"], experimental=args["experimental"],
                                   cleanup_other_pending=not args["keep_pending"])
        result = {"target": ref.canonical(), "target_ref": ref.as_dict(), "download_only": args["download_only"],
                  "booted_before": status.booted.summary()}
        if not plan.changed or self.check_mode:
            result.update(self._deployments_result(plan))
            return result
        after = self._execute(remote, plan, args["busy_timeout"])
        result.update(self._deployments_result(plan, after))
        default = after.default
        result["default"] = default.summary() if default is not None else None
        result["image_digest"] = default.container_image_reference_digest if default is not None else None
        if not args["download_only"] and (default is None or not default.matches_ref(ref)):
            raise kinded(NestosError("rpm-ostree reported success but the default deployment is %s, not %s"
                                     % (default.label() if default is not None else "missing", ref.canonical())),
                         "unexpected_state")
        return result
