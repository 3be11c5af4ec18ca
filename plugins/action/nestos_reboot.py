# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""nestos_reboot: reboot a Python-less host and wait until it is back on the expected
deployment (boot id changed, booted checksum/image/version as expected)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.utils.display import Display

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import fleet as specs
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import HostAction, HostCommandError, kinded

display = Display()


class ActionModule(HostAction):
    ARGSPEC = specs.NESTOS_REBOOT

    def _set_timeout(self, value):
        for option in ("connection_timeout", "timeout"):
            try:
                old = self._connection.get_option(option)
                self._connection.set_option(option, value)
                return option, old
            except (AnsibleError, KeyError, AttributeError):
                continue
        return None, None

    def _run(self, args, task_vars, remote):
        status = remote.status()
        default = status.default
        expected = []
        if args["expect_checksum"]:
            expected.append(("checksum", args["expect_checksum"]))
        if args["expect_image"]:
            expected.append(("image", args["expect_image"]))
        if args["expect_version"]:
            expected.append(("version", args["expect_version"]))
        if not expected and args["verify_default"] and default is not None and default.checksum:
            expected.append(("checksum", default.checksum))
        result = {"booted_before": status.booted.summary() if status.booted is not None else None,
                  "expected": dict(expected)}
        if self.diff_mode:
            result["diff"] = {"before": "booted: %s\n" % (status.booted.label() if status.booted else "-"),
                              "after": "booted: %s\n" % (default.label() if default else "-")}
        if args["only_if_pending"] and not status.pending_reboot:
            result.update(changed=False, rebooted=False, msg="no pending deployment; reboot not needed")
            return result
        if self.check_mode:
            result.update(changed=True, rebooted=False, msg="would reboot into %s" % (default.label() if default else "?"))
            return result

        old_boot = remote.boot_id()
        result["boot_id_before"] = old_boot
        # Like ansible.builtin.reboot, the reboot command runs in the foreground: `systemctl reboot`
        # only queues the reboot job and returns; if the connection drops first, that is expected.
        # (A nohup'd background job is not reliable: a closing session may take it down before it
        # runs.) The session's streams are detached so a dying sshd cannot leave the call hanging.
        cmd = "%s </dev/null >/dev/null 2>&1" % args["reboot_command"]
        try:
            res = remote.run(cmd)
            if res.rc != 0:
                raise HostCommandError(res, "cannot issue the reboot")
        except AnsibleError as exc:       # the connection may drop while the command returns
            display.vvv("nestos_reboot: connection dropped while issuing the reboot: %s" % to_text(exc))

        start = time.time()
        deadline = start + args["reboot_timeout"]
        option, old_timeout = self._set_timeout(args["connect_timeout"])
        last_error = "no answer yet"
        went_down = False
        new_boot = None
        try:
            time.sleep(max(args["delay"], 0))
            while True:
                try:
                    self._connection.reset()
                except AnsibleError as exc:
                    display.vvv("nestos_reboot: reset failed: %s" % to_text(exc))
                try:
                    new_boot = remote.boot_id()
                    if new_boot != old_boot:
                        break
                    last_error = "the host still answers with the old boot id %s (it has not rebooted yet)" % old_boot
                except (AnsibleError, NestosError) as exc:
                    went_down = True
                    last_error = to_text(exc).strip().splitlines()[-1] if to_text(exc).strip() else repr(exc)
                if time.time() >= deadline:
                    raise kinded(NestosError("%s did not come back within reboot_timeout=%ss (%s; last error: %s)" % (
                        task_vars.get("inventory_hostname", "host"), args["reboot_timeout"],
                        "it went down" if went_down else "it never went down", last_error), path="reboot_timeout"),
                        "reboot_timeout")
                time.sleep(max(args["delay"], 0))
        finally:
            if option:
                try:
                    self._connection.set_option(option, old_timeout)
                except (AnsibleError, KeyError):
                    pass
        elapsed = int(time.time() - start)
        if args["post_reboot_delay"]:
            time.sleep(args["post_reboot_delay"])
        after = remote.status()
        booted = after.booted
        result.update(changed=True, rebooted=True, elapsed=elapsed, boot_id_after=new_boot,
                      booted=booted.summary() if booted is not None else None,
                      deployments_after=after.labels(), reboot_required=after.pending_reboot)
        if booted is None:
            raise NestosError("after the reboot no deployment is marked booted")
        wrong = [(what, value) for what, value in expected if not booted.matches(value)]
        if wrong:
            result.update(failed=True, error_kind="wrong_deployment",
                          msg="%s rebooted but booted %s, expected %s" % (
                              task_vars.get("inventory_hostname", "host"), booted.label(),
                              ", ".join("%s %s" % w for w in wrong)))
            return result
        result["msg"] = "rebooted in %ss into %s" % (elapsed, booted.label())
        return result
