# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""nestos_reboot: reboot a Python-less host and wait until it is back on the expected
deployment (boot id changed, booted checksum/image/version as expected). Decisions:
module_utils/ostree_host/reboot.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.utils.display import Display

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import fleet as specs
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import bootonce
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import reboot as planner
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import (
    HostAction, HostCommandError, connection_timeout, kinded)

display = Display()


class ActionModule(HostAction):
    ARGSPEC = specs.NESTOS_REBOOT

    def _run(self, args, task_vars, remote):
        if args["boot_once"]:
            return self._boot_once(args, task_vars, remote)
        host = task_vars.get("inventory_hostname", "host")
        plan = planner.plan_reboot(remote.status(), args["expect_checksum"], args["expect_image"],
                                   args["expect_version"], args["verify_default"], args["only_if_pending"])
        result = plan.facts()
        if self.diff_mode:
            result["diff"] = plan.diff()
        if not plan.needed or self.check_mode:
            result.update(changed=plan.needed, rebooted=False, msg=plan.msg)
            return result
        after, elapsed = self._reboot(remote, args, host, result)
        result.update(changed=True, rebooted=True, elapsed=elapsed,
                      booted=after.booted.summary() if after.booted is not None else None,
                      deployments_after=after.labels(), reboot_required=after.pending_reboot)
        wrong = planner.wrong_deployment(after, plan.expected)
        if wrong:
            result.update(failed=True, error_kind="wrong_deployment", msg="%s rebooted but %s" % (host, wrong))
            return result
        result["msg"] = "rebooted in %ss into %s" % (elapsed, after.booted.label())
        return result

    def _reboot(self, remote, args, host, result):
        """Issue the reboot, wait for a new boot id; the status read afterwards and the seconds taken."""
        old_boot = remote.boot_id()
        result["boot_id_before"] = old_boot
        self._issue(remote, args["reboot_command"])
        start = time.time()
        result["boot_id_after"] = self._wait(remote, args, old_boot, host)
        elapsed = int(time.time() - start)
        if args["post_reboot_delay"]:
            time.sleep(args["post_reboot_delay"])
        return remote.status(), elapsed

    @staticmethod
    def _probe(remote):
        res = remote.run(bootonce.probe_command(), check=True, what="cannot read the boot entries")
        return bootonce.parse_probe(res.stdout)

    def _boot_once(self, args, task_vars, remote):
        """Temporary rollback: next_entry on the chosen deployment's BLS entry, reboot, verify."""
        host = task_vars.get("inventory_hostname", "host")
        status = remote.status()
        plan = bootonce.plan_boot_once(status, self._probe(remote), args["boot_once"])
        result = plan.facts()
        result["booted_before"] = status.booted.summary() if status.booted is not None else None
        result["expected"] = {"checksum": plan.target.checksum}
        if self.diff_mode:
            result["diff"] = plan.diff()
        if not plan.needed or self.check_mode:
            result.update(changed=plan.needed, rebooted=False, msg=plan.msg())
            return result
        if plan.user_cfg is not None:
            self._write_boot_file(remote, plan, bootonce.USER_CFG, plan.user_cfg)
        remote.run(plan.set_command(), check=True, what="cannot set next_entry in %s" % bootonce.GRUBENV)
        after, elapsed = self._reboot(remote, args, host, result)
        result.update(changed=True, rebooted=True, elapsed=elapsed, booted=after.booted.summary()
                      if after.booted is not None else None, deployments_after=after.labels(),
                      reboot_required=after.pending_reboot)
        wrong = bootonce.verify_boot_once(plan, after, self._probe(remote))
        if wrong:
            result.update(failed=True, error_kind="wrong_deployment", msg="%s rebooted but %s" % (host, wrong))
            return result
        result["msg"] = "booted once in %ss into %s (entry %s); the default is still %s" % (
            elapsed, after.booted.label(), plan.entry.id, plan.default_id)
        return result

    @staticmethod
    def _write_boot_file(remote, plan, path, content):
        if plan.probe.boot_ro:
            remote.run(["mount", "-o", "remount,rw", "/boot"], check=True, what="cannot remount /boot read-write")
        try:
            remote.write_file(path, content, mode="0600", owner="root", group="root")
        finally:
            if plan.probe.boot_ro:
                remote.run(["mount", "-o", "remount,ro", "/boot"])

    @staticmethod
    def _issue(remote, command):
        # Like ansible.builtin.reboot, the reboot command runs in the foreground: `systemctl reboot`
        # only queues the reboot job and returns; if the connection drops first, that is expected.
        # (A nohup'd background job is not reliable: a closing session may take it down before it
        # runs.) The session's streams are detached so a dying sshd cannot leave the call hanging.
        try:
            res = remote.run("%s </dev/null >/dev/null 2>&1" % command)
            if res.rc != 0:
                raise HostCommandError(res, "cannot issue the reboot")
        except AnsibleError as exc:       # the connection may drop while the command returns
            display.vvv("nestos_reboot: connection dropped while issuing the reboot: %s" % to_text(exc))

    def _wait(self, remote, args, old_boot, host):
        """Retry every ``delay`` seconds until the host answers with a new boot id."""
        deadline = time.time() + args["reboot_timeout"]
        last_error, went_down = "no answer yet", False
        with connection_timeout(self, args["connect_timeout"]):
            time.sleep(max(args["delay"], 0))
            while True:
                try:
                    self._connection.reset()
                except AnsibleError as exc:
                    display.vvv("nestos_reboot: reset failed: %s" % to_text(exc))
                try:
                    new_boot = remote.boot_id()
                    if new_boot != old_boot:
                        return new_boot
                    last_error = "the host still answers with the old boot id %s (it has not rebooted yet)" % old_boot
                except (AnsibleError, NestosError) as exc:
                    went_down = True
                    last_error = to_text(exc).strip().splitlines()[-1] if to_text(exc).strip() else repr(exc)
                if time.time() >= deadline:
                    raise kinded(NestosError("%s did not come back within reboot_timeout=%ss (%s; last error: %s)" % (
                        host, args["reboot_timeout"], "it went down" if went_down else "it never went down",
                        last_error), path="reboot_timeout"), "reboot_timeout")
                time.sleep(max(args["delay"], 0))
