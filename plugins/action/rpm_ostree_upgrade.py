# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""rpm_ostree_upgrade: check for, download or apply an upgrade of the followed ref/image."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import plan as planner
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import fleet as specs
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import HostAction, HostCommandError

_NOTHING = ("no upgrade available", "no updates available", "no change")


class ActionModule(HostAction):
    ARGSPEC = specs.RPM_OSTREE_UPGRADE

    def _check(self, remote, status):
        argv = ["rpm-ostree", "upgrade", "--check"]
        res = remote.run(argv)
        if res.rc not in (0, 77):
            err = HostCommandError(res)
            if err.kind != "driver":
                raise err
            res = remote.run(argv + ["--bypass-driver"])
            if res.rc not in (0, 77):
                raise HostCommandError(res)
        return planner.parse_upgrade_check(res.rc, res.stdout)

    def _run(self, args, task_vars, remote):
        mode = args["mode"]
        status = remote.wait_idle(remote.status(), args["busy_timeout"])
        plan = planner.plan_upgrade(status, mode, bypass_driver=args["bypass_driver"])
        if args["allow_downgrade"] and mode != "check":
            plan.commands[0].insert(2, "--allow-downgrade")
        result = {"mode": mode}
        if mode == "check" or self.check_mode:
            available, info = self._check(remote, status)
            result.update(available=available, update=info)
            if mode == "check":
                plan.commands = [["rpm-ostree", "upgrade", "--check"]]
            plan.changed = bool(available) and mode != "check"
            if not plan.changed or mode == "download_only":
                plan.after = list(status.deployments)
            if not available:
                plan.msg = "no update available"
            result.update(self._deployments_result(plan))
            return result
        argv = plan.commands[0]
        res = None
        deadline = time.time() + args["busy_timeout"]
        while True:
            res = remote.run(argv)
            if res.rc in (0, 77):
                break
            err = HostCommandError(res)
            if err.kind == "busy" and time.time() < deadline:
                time.sleep(5)
                continue
            raise err
        after = remote.status()
        if mode == "apply":
            plan.changed = res.rc == 0
        else:
            low = res.stdout.lower()
            plan.changed = not any(n in low for n in _NOTHING)
            plan.after = list(after.deployments)
        plan.msg = ("upgrade %s" % ("staged a new deployment" if mode == "apply" else "downloaded")) if plan.changed \
            else "no update available"
        result.update(self._deployments_result(plan, after))
        result["stdout"] = res.stdout
        default = after.default
        result["default"] = default.summary() if default is not None else None
        return result
