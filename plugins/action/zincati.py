# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""zincati: one Zincati drop-in in /etc/zincati/config.d, written without Python on the host.
Decisions: module_utils/zincati/dropin.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import fleet as specs
from ansible_collections.nestos.lifecycle.plugins.module_utils.zincati import config, dropin
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import HostAction, check_mode_arg


class ActionModule(HostAction):
    ARGSPEC = specs.ZINCATI

    def _run(self, args, task_vars, remote):
        path = dropin.dropin_path(args["path"], args["name"])
        mode = check_mode_arg(args["mode"])
        cfg, warnings = config.build(
            updates_enabled=args["updates_enabled"], allow_downgrade=args["allow_downgrade"],
            strategy=args["strategy"], fleet_lock_base_url=args["fleet_lock_base_url"],
            periodic_time_zone=args["periodic_time_zone"], periodic_windows=args["periodic_windows"],
            group=args["group"], node_uuid=args["node_uuid"], rollout_wariness=args["rollout_wariness"],
            cincinnati_base_url=args["cincinnati_base_url"], steady_interval_secs=args["steady_interval_secs"])
        res = remote.run(config.listing_command(dropin.listing_folders(args["path"])), check=True,
                         what="cannot list the Zincati drop-ins")
        plan = dropin.plan_dropin(path, cfg, warnings, args["state"] == "present", config.split_listing(res.stdout),
                                  remote.stat(path), mode, args["owner"], args["file_group"])
        result = plan.result()
        result["restarted"] = False
        if self.diff_mode:
            result["diff"] = plan.diff()
        if not plan.changed or self.check_mode:
            return result
        if plan.content is not None:
            remote.write_file(path, plan.content, mode=mode, owner=args["owner"], group=args["file_group"])
        else:
            remote.run(["rm", "-f", "--", path], check=True, what="cannot remove %s" % path)
        if args["restart"]:
            remote.run(["systemctl", "try-restart", "zincati.service"], check=True,
                       what="drop-in written, but zincati.service did not restart")
            result["restarted"] = True
        return result
