# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""rpm_ostree_pkg: layer or remove packages, idempotent from the status document."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import plan as planner
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import fleet as specs
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import HostAction


class ActionModule(HostAction):
    ARGSPEC = specs.RPM_OSTREE_PKG

    def _run(self, args, task_vars, remote):
        names = [n.strip() for n in args["name"] if n and n.strip()]
        if not names:
            raise NestosError("name must list at least one package", path="name")
        status = remote.wait_idle(remote.status(), args["busy_timeout"])
        present = names if args["state"] == "present" else []
        absent = names if args["state"] == "absent" else []
        plan = planner.plan_packages(status, present=present, absent=absent, allow_inactive=args["allow_inactive"])
        result = {"state": args["state"], "packages": names,
                  "installed": getattr(plan, "installed", []), "removed": getattr(plan, "removed", [])}
        if not plan.changed or self.check_mode:
            result.update(self._deployments_result(plan))
            return result
        after = self._execute(remote, plan, args["busy_timeout"])
        result.update(self._deployments_result(plan, after))
        requested = set(after.default.requested_packages) | set(after.default.requested_local_packages)
        missing = [p for p in present if p not in requested]
        left = [p for p in absent if p in requested]
        if missing or left:
            raise NestosError("rpm-ostree finished but the default deployment %s" % (
                "does not request %s" % ", ".join(missing) if missing else "still requests %s" % ", ".join(left)))
        return result
