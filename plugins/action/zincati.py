# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""zincati: one Zincati drop-in in /etc/zincati/config.d and, with log_verbosity, a systemd
drop-in for zincati.service, written without Python on the host.
Decisions: module_utils/zincati/dropin.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import fleet as specs
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.zincati import config, dropin, metrics
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import (
    HostAction, HostCommandError, check_mode_arg, kinded)


class ActionModule(HostAction):
    ARGSPEC = specs.ZINCATI

    def _run(self, args, task_vars, remote):
        others = args["log_verbosity"] is not None or args["gather_metrics"]
        toml_wanted = args["state"] == "absent" or not others or any(
            args[k] is not None for k in specs.ZINCATI_TOML_KEYS)
        result = {"changed": False, "restarted": False}
        if args["gather_metrics"]:
            facts = self._metrics(remote)
            result["zincati_metrics"] = facts
            result["ansible_facts"] = {"zincati_metrics": facts}
        diffs = []
        if toml_wanted:
            plan = self._toml_plan(args, remote)
            result.update(plan.result())
            diffs.append(plan.diff())
            if plan.changed and not self.check_mode:
                self._apply(remote, plan.path, plan.content, check_mode_arg(args["mode"]), args["owner"],
                            args["file_group"])
        reload_unit = False
        if args["log_verbosity"] is not None:
            vplan = self._verbosity_plan(args, remote)
            result["verbosity"] = vplan.result()
            diffs.append(vplan.diff())
            result["changed"] = result["changed"] or vplan.changed
            reload_unit = vplan.changed
            if vplan.changed and not self.check_mode:
                self._apply(remote, vplan.path, vplan.content, "0644", "root", "root", mkdir=True)
        if self.diff_mode and diffs:
            result["diff"] = diffs if len(diffs) > 1 else diffs[0]
        if self.check_mode or not result["changed"]:
            return result
        if reload_unit:
            remote.run(["systemctl", "daemon-reload"], check=True, what="drop-in written, but daemon-reload failed")
        if args["restart"]:
            remote.run(["systemctl", "try-restart", "zincati.service"], check=True,
                       what="drop-in written, but zincati.service did not restart")
            result["restarted"] = True
        return result

    @staticmethod
    def _metrics(remote):
        """Zincati's Prometheus text from its Unix socket, parsed on the controller."""
        res = remote.run(metrics.read_command())
        if res.rc == metrics.NO_SOCKET_RC:
            # with sudo over ssh, stderr may arrive merged into stdout
            text = (res.stderr or res.stdout or "").strip()[-300:] or "no metrics socket"
            raise kinded(NestosError(text, file=metrics.SOCKET, path="gather_metrics"), "no_metrics_socket")
        if res.rc != 0:
            raise HostCommandError(res, "cannot read Zincati's metrics")
        return metrics.parse(res.stdout)

    @staticmethod
    def _toml_plan(args, remote):
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
        return dropin.plan_dropin(path, cfg, warnings, args["state"] == "present", config.split_listing(res.stdout),
                                  remote.stat(path), mode, args["owner"], args["file_group"])

    @staticmethod
    def _verbosity_plan(args, remote):
        path = "%s/%s" % (dropin.UNIT_DROPIN_DIR, dropin.VERBOSITY_DROPIN)
        st = remote.stat(path)
        before = remote.read_file(path) if st.get("exists") else None
        return dropin.plan_verbosity(args["log_verbosity"], st, before)

    @staticmethod
    def _apply(remote, path, content, mode, owner, group, mkdir=False):
        if content is not None:
            if mkdir:
                remote.run(["mkdir", "-p", "--", path.rsplit("/", 1)[0]], check=True,
                           what="cannot create the folder of %s" % path)
            remote.write_file(path, content, mode=mode, owner=owner, group=group)
        else:
            remote.run(["rm", "-f", "--", path], check=True, what="cannot remove %s" % path)
