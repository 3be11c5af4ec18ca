# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""os_update_host: one host's part of a rollout, one shell session per phase.

The planner (module_utils/rollout/phases.py) decides what each session runs and what its
output means; this action only opens the sessions, talks to the FleetLock server, waits for
the reboot and records timed events for the rollout report."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import open_url
from ansible.utils.display import Display

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import fleet as specs
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import messages
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import plan as planner
from ansible_collections.nestos.lifecycle.plugins.module_utils.rollout import fleetlock, phases
from ansible_collections.nestos.lifecycle.plugins.module_utils.rollout import report as rreport
from ansible_collections.nestos.lifecycle.plugins.module_utils.rollout.script import Section
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import HostAction, connection_timeout, kinded

display = Display()
STATE_FACT = "os_update_state"


def http_post(url, headers, body, timeout):
    """One FleetLock request from the controller: (status code, body); NestosError when the
    server cannot be reached."""
    try:
        resp = open_url(url, data=body, headers=headers, method="POST", timeout=timeout, follow_redirects="none")
        return resp.getcode(), resp.read(fleetlock.MAX_ANSWER)
    except HTTPError as exc:
        return exc.code, exc.read(fleetlock.MAX_ANSWER) if exc.fp is not None else b""
    except (URLError, OSError, ValueError) as exc:
        raise NestosError("FleetLock server %s cannot be reached: %s" % (url, getattr(exc, "reason", exc)))


def spec_from_args(args):
    ref = None
    if args["action"] == "rebase":
        ref = planner.parse_ref_option(ref=args["ref"], image=args["image"] if not args["ref"] else None,
                                       signature=args["signature"], remote=args["remote"], digest=args["digest"],
                                       allow_unverified=args["allow_unverified"])
    return phases.Spec(action=args["action"], ref=ref, rollback_to=args["rollback_to"], packages=args["packages"],
                       packages_absent=args["packages_absent"], kargs_append=args["kargs_append"],
                       kargs_delete=args["kargs_delete"], kargs_replace=args["kargs_replace"],
                       pause_zincati=args["pause_zincati"], digest=args["digest"],
                       health_checks=args["health_checks"], check_system_running=args["check_system_running"],
                       health_retries=args["health_retries"], health_delay=args["health_delay"])


class ActionModule(HostAction):
    ARGSPEC = specs.OS_UPDATE_HOST

    def _run(self, args, task_vars, remote):
        self.args = args
        self.remote = remote
        self.spec = spec_from_args(args)
        self.host = task_vars.get("inventory_hostname", "host")
        old = task_vars.get(STATE_FACT) if isinstance(task_vars.get(STATE_FACT), dict) else {}
        self.state = {"events": list(old.get("events") or []), "before": old.get("before"),
                      "read": old.get("read"), "action": args["action"],
                      "started": old.get("started") or round(time.time(), 3)}
        self.verify_window = None
        batch = task_vars.get("ansible_play_batch") or []
        every = task_vars.get("ansible_play_hosts_all") or []
        if args["phase"] == "apply":
            self.state["play"] = task_vars.get("ansible_play_name")
            if batch and batch[0] in every:
                self.state["batch_key"] = every.index(batch[0])
        try:
            if args["phase"] == "read":
                facts = self._read()
                out = {"changed": False, "host": facts.as_dict(), "msg": "read %s" % (
                    facts.status.booted.label() if facts.status.booted is not None else "the host")}
            else:
                out = self._prefetch() if args["phase"] == "prefetch" else self._apply()
        except NestosError as exc:
            self.state.update(result="failed", error=str(exc))
            exc.rollout_state = self.state
            raise
        finally:
            self.state["sessions"] = int(old.get("sessions") or 0) + remote.sessions
        out["ansible_facts"] = {STATE_FACT: self.state}
        out["sessions"] = remote.sessions
        return out

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        if result.get("failed") and "ansible_facts" not in result and getattr(self, "state", None) is not None:
            result["ansible_facts"] = {STATE_FACT: self.state}
        return result

    # ---- read / prefetch -----------------------------------------------------------------
    def _read(self):
        """The read session (or the one the prefetch phase of this run already made)."""
        stored = self.state.get("read")
        if stored and self.args["phase"] != "read" and self.args["action"] != "rollback":
            sections = dict((k, Section(k, v[0], v[1])) for k, v in stored.items())
            facts = phases.judge_read(sections, self.spec)
            if not facts.status.busy:
                return facts
        deadline = time.time() + self.args["busy_timeout"]
        while True:
            sections = self.remote.session(phases.read_steps(self.spec))
            facts = phases.judge_read(sections, self.spec)
            if not facts.status.busy or time.time() >= deadline:
                break
            time.sleep(3)
        if facts.status.busy:
            raise kinded(NestosError("rpm-ostree is busy: Transaction in progress: %s (waited %ss)"
                                     % (facts.status.transaction_text(), self.args["busy_timeout"])), "busy")
        self.state["read"] = dict((k, [v.rc, v.text]) for k, v in sections.items())
        if not self.state.get("before"):
            self.state["before"] = phases.deployment_info(facts.status)
        return facts

    def _prefetch(self):
        facts = self._read()
        steps = phases.prefetch_steps(facts, self.spec)
        out = {"changed": False, "host": facts.as_dict(), "msg": "nothing to prefetch"}
        if not steps or self.check_mode:
            out["msg"] = "would prefetch" if steps else out["msg"]
            return out
        with rreport.Timer(self.state["events"], "prefetch") as t:
            sec = self.remote.session(steps)["prefetch"]
            if sec.rc != 0:
                t.status, t.detail = "failed", messages.quote_output(sec.text, "")
                out.update(prefetch_failed=True, msg="prefetch failed (the apply phase tries again): " + t.detail)
            else:
                t.status, t.detail = "changed", steps[0].command
                out.update(changed=True, msg="prefetched: " + steps[0].command)
        return out

    # ---- apply ---------------------------------------------------------------------------
    def _apply(self):
        facts = self._read()
        plan = phases.plan_change(facts, self.spec)
        out = {"msg": plan.msg, "commands": plan.commands, "host": facts.as_dict(), "changed": bool(plan.changed)}
        if self.diff_mode:
            out["diff"] = plan.diff()
        if not plan.changed:
            now = time.time()
            self.state["events"].append(rreport.event("apply", now, now, "ok", "nothing to do: %s" % (
                plan.status.booted.label() if plan.status.booted is not None else "?")))
            return self._finish(out, "unchanged", facts.status)
        if self.check_mode:
            return self._finish(out, "would update", facts.status)
        applied = self._change(plan, facts)
        if not applied.ok:
            status = self._cleanup(applied.status, facts)
            return self._finish(out, "failed", status, self._failure_text(applied))
        if not applied.status.pending_reboot or not self.args["reboot"]:
            out["changed"] = applied.changed
            return self._finish(out, "updated" if applied.changed else "unchanged", applied.status)
        if not self._lock(facts, fleetlock.PRE_REBOOT):
            status = self._cleanup(applied.status, facts)
            return self._finish(out, "failed", status, self.lock_error)
        return self._reboot_verify(out, facts, plan, applied.status)

    def _finish(self, out, result, status, error=""):
        self.state.update(result=result, error=error, after=phases.deployment_info(status))
        out.update(os_update_result=result, error=error, before=self.state.get("before"),
                   after=self.state["after"], events=self.state["events"])
        if result in ("updated", "rolled back", "failed"):
            out["changed"] = True
        return out

    def _change(self, plan, facts):
        """The apply session; a busy daemon is waited for (re-planned from the status after)."""
        deadline = time.time() + self.args["busy_timeout"]
        with rreport.Timer(self.state["events"], "apply") as t:
            while True:
                restore = not self.args["reboot"] and self.spec.pause_zincati and facts.zincati_active
                steps = phases.apply_steps(plan, facts, self.spec)
                if restore:
                    steps.append(phases.Step("zincati_start", "systemctl start %s" % phases.ZINCATI))
                sections = self.remote.session(steps)
                applied = phases.judge_apply(sections, plan, self.spec)
                kind = messages.classify(applied.failed_step.text)[0] if applied.failed_step is not None else None
                if kind != "busy" or time.time() >= deadline:
                    break
                time.sleep(3)
                facts.status = applied.status
                plan = phases.plan_change(facts, self.spec)
            t.status = "changed" if applied.ok else "failed"
            t.detail = plan.msg if applied.ok else self._failure_text(applied)
        return applied

    @staticmethod
    def _failure_text(applied):
        if applied.failed_step is None:
            return applied.error
        return "%s: %s" % (applied.error, messages.quote_output(applied.failed_step.text, ""))

    def _cleanup(self, status, facts):
        """Nothing half-done: drop a staged deployment, put Zincati back."""
        steps = phases.cleanup_steps(status, self.spec.pause_zincati and facts.zincati_active)
        if not steps:
            return status
        sections = self.remote.session(steps)
        return phases.status_of(sections.get("status"))

    # ---- FleetLock -----------------------------------------------------------------------
    def _lock(self, facts, operation):
        """Take (pre-reboot) or release (steady-state) the host's FleetLock slot; True when done
        or when the host does not use FleetLock."""
        if facts.lock is None or self.args["fleet_lock"] == "never":
            return True
        timeout = self.args["fleet_lock_timeout"] if operation == fleetlock.PRE_REBOOT else 30
        with rreport.Timer(self.state["events"], "lock") as t:
            got = fleetlock.operate(facts.lock, operation, timeout, http_post, delay=self.args["fleet_lock_delay"])
            what = "reboot slot" if operation == fleetlock.PRE_REBOOT else "release"
            t.detail = "%s %s %s/%s as %s after %d attempt(s), %.1fs: %s" % (
                operation, what, facts.lock.base_url, facts.lock.group, facts.lock.node_id, got.attempts,
                got.waited, got.text)
            t.status = "ok" if got.done else "failed"
        if not got.done:
            self.lock_error = "FleetLock %s not granted within %ss by %s (group %s): %s: %s" % (
                operation, timeout, facts.lock.base_url, facts.lock.group, got.kind, got.text)
        return got.done

    # ---- reboot and verify ---------------------------------------------------------------
    def _reboot(self, old_boot_id, restore, check_health=True, first_steps=None):
        """Issue the reboot (after ``first_steps`` in the same session), then retry the verify
        session until the host answers with a new boot id. Returns its sections or None."""
        steps = list(first_steps or []) + phases.reboot_steps(self.args["reboot_command"])
        if first_steps:
            steps[-1].needs_ok = True
        try:
            sections = self.remote.session(steps, expected=[s.name for s in first_steps or []])
            if first_steps and any(sections[s.name].rc != 0 for s in first_steps):
                return sections
        except AnsibleError as exc:       # the connection may drop while the reboot is queued
            display.vvv("os_update_host: connection dropped while issuing the reboot: %s" % to_text(exc))
        verify = phases.verify_steps(old_boot_id, self.spec, restore, check_health)
        deadline = time.time() + self.args["reboot_timeout"]
        with connection_timeout(self, self.args["connect_timeout"]):
            while True:
                time.sleep(max(self.args["reboot_delay"], 0))
                try:
                    self._connection.reset()
                except AnsibleError as exc:
                    display.vvv("os_update_host: reset failed: %s" % to_text(exc))
                try:
                    t0 = time.time()
                    sections = self.remote.session(verify, expected=["boot_id"])
                    if sections["boot_id"].rc == 0:
                        self.verify_window = (t0, time.time())
                        return sections
                except (AnsibleError, NestosError) as exc:
                    display.vvv("os_update_host: %s not back yet: %s" % (self.host, to_text(exc)))
                if time.time() >= deadline:
                    return None

    def _reboot_verify(self, out, facts, plan, staged_status):
        restore = self.spec.pause_zincati and facts.zincati_active
        expect = plan.target if self.spec.action == "rebase" else None
        self.verify_window = None
        with rreport.Timer(self.state["events"], "reboot", clock=self._reboot_clock) as t:
            sections = self._reboot(facts.boot_id, restore)
            t.status = "changed" if sections else "failed"
            t.detail = "booted %s" % staged_status.default.label() if sections else \
                "no new boot id within reboot_timeout=%ss" % self.args["reboot_timeout"]
        if sections is None:
            return self._finish(out, "failed", staged_status, "%s did not come back within reboot_timeout=%ss" % (
                self.host, self.args["reboot_timeout"]))
        verdict = self._verdict(sections, expect, None if expect else staged_status.default.checksum)
        if verdict.healthy:
            self._lock(facts, fleetlock.STEADY_STATE)
            return self._finish(out, "updated", verdict.status)
        error = "; ".join(d for _p, d in verdict.problems)
        if not self.args["auto_rollback"]:
            return self._finish(out, "failed", verdict.status, error)
        return self._rollback(out, facts, verdict, error)

    def _reboot_clock(self):
        """The reboot ends when the verify session starts (the host answers a new boot id)."""
        return self.verify_window[0] if self.verify_window else time.time()

    def _verdict(self, sections, expect, checksum):
        start, end = self.verify_window or (time.time(), time.time())
        verdict = phases.judge_verify(sections, self.spec, expect, checksum)
        for phase in ("health", "verify"):
            bad = [d for p, d in verdict.problems if p == phase]
            self.state["events"].append(rreport.event(phase, start, end, "failed" if bad else "ok",
                                                      "; ".join(bad) or "%s ok" % phase))
        return verdict

    def _rollback(self, out, facts, verdict, error):
        """Back to the deployment booted before, in one session with its reboot."""
        before = verdict.status.booted
        with rreport.Timer(self.state["events"], "rollback") as t:
            steps = phases.rollback_steps(verdict.status)
            sections = self._reboot(verdict.boot_id, self.spec.pause_zincati and facts.zincati_active,
                                    check_health=False, first_steps=steps)
            ok = sections is not None and "boot_id" in sections
            t.status = "changed" if ok else "failed"
            t.detail = "%s; rolled back from %s" % (error, before.label() if before else "?")
        if not ok:
            detail = "rollback failed" if sections else "no new boot id after the rollback"
            return self._finish(out, "failed", verdict.status, "%s; %s" % (error, detail))
        after = phases.judge_verify(sections, self.spec)
        if after.status is not None and after.status.booted is not None:
            self._lock(facts, fleetlock.STEADY_STATE)
        return self._finish(out, "rolled back", after.status, error)
