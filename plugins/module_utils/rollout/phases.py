# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rollout planner: which commands each phase's single shell session carries, and what
the controller concludes from the sections it gets back.

Phases and their sessions (one each, see docs/fleet.md):

- ``read``: status, boot id, machine id, Zincati's state and drop-ins (+ ``rpm-ostree kargs``
  when kernel arguments are managed, + ``upgrade --check`` for an upgrade);
- ``prefetch``: ``--download-only`` of the target;
- ``apply``: pause Zincati, rebase/upgrade/rollback, packages, kernel arguments, status after;
- ``reboot``: the reboot command (the FleetLock slot is taken before, from the controller);
- ``verify``: boot id, ``systemctl is-system-running`` polled in the session, status, the
  user's health checks, Zincati put back.

Nothing here talks to a host: :func:`read_steps` and friends return steps, the ``judge_*``
functions read sections. Decisions live here; the action only carries them out.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import shlex

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import plan as planner
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host.status import Status
from ansible_collections.nestos.lifecycle.plugins.module_utils.rollout import fleetlock
from ansible_collections.nestos.lifecycle.plugins.module_utils.rollout.script import Step
from ansible_collections.nestos.lifecycle.plugins.module_utils.zincati import config as zconfig
from ansible_collections.nestos.lifecycle.plugins.module_utils.zincati import toml

from typing import Any, Dict, List, Optional

ZINCATI = "zincati.service"
BOOT_ID = "/proc/sys/kernel/random/boot_id"
MACHINE_ID = "/etc/machine-id"
ACTIONS = ("rebase", "upgrade", "rollback", "none")
SETTLING = ("initializing", "starting")


def _q(argv: List[str]) -> str:
    return " ".join(shlex.quote(str(a)) for a in argv)


class Spec(object):
    """What the user asked for (validated action options)."""

    def __init__(self, action="rebase", ref=None, rollback_to=None, packages=None, packages_absent=None,
                 kargs_append=None, kargs_delete=None, kargs_replace=None, pause_zincati=True, digest=None,
                 health_checks=None, check_system_running=True, health_retries=10, health_delay=3):
        if action not in ACTIONS:
            raise NestosError("action must be one of %s, got %r" % (", ".join(ACTIONS), action), path="action")
        if action == "rebase" and ref is None:
            raise NestosError("a rebase needs a target (image or ref)", path="image")
        self.action = action
        self.ref = ref
        self.rollback_to = rollback_to or None
        self.packages = list(packages or [])
        self.packages_absent = list(packages_absent or [])
        self.kargs_append = list(kargs_append or [])
        self.kargs_delete = list(kargs_delete or [])
        self.kargs_replace = list(kargs_replace or [])
        self.pause_zincati = pause_zincati
        self.digest = digest or None
        self.health_checks = check_health_checks(health_checks or [])
        self.check_system_running = check_system_running
        self.health_retries = max(0, int(health_retries))
        self.health_delay = max(0, int(health_delay))

    @property
    def manages_kargs(self) -> bool:
        return bool(self.kargs_append or self.kargs_delete or self.kargs_replace)


def check_health_checks(checks: list) -> List[Dict[str, Any]]:
    out = []
    for i, item in enumerate(checks):
        path = "health_checks[%d]" % i
        if not isinstance(item, dict) or not isinstance(item.get("command"), str) or not item["command"].strip():
            raise NestosError("a health check needs a command (a shell command line)", path=path + ".command")
        rc = item.get("rc", 0)
        try:
            rc = int(rc)
        except (TypeError, ValueError):
            raise NestosError("rc must be an integer, got %r" % (rc,), path=path + ".rc")
        stdout = item.get("stdout")
        if stdout is not None and not isinstance(stdout, str):
            raise NestosError("stdout must be a string (a substring to find)", path=path + ".stdout")
        out.append({"name": str(item.get("name") or item["command"]), "command": item["command"], "rc": rc,
                    "stdout": stdout})
    return out


# ---- read --------------------------------------------------------------------------------
def read_steps(spec: Spec) -> List[Step]:
    steps = [Step("status", "rpm-ostree status --json"),
             Step("boot_id", "cat %s" % BOOT_ID),
             Step("machine_id", "cat %s" % MACHINE_ID),
             Step("zincati", "systemctl is-active %s" % ZINCATI),
             Step("zincati_config", zconfig.listing_command(zconfig.DIRS))]
    if spec.manages_kargs:
        steps.append(Step("kargs", "rpm-ostree kargs"))
    if spec.action == "upgrade":
        steps.append(Step("upgrade_check", "rpm-ostree upgrade --check", ok_codes=(0, 77)))
    return steps


class HostFacts(object):
    """What the read session found."""

    def __init__(self, status, boot_id, machine_id, zincati_active, zincati_cfg, lock, kargs=None,
                 upgrade=None):
        self.status = status
        self.boot_id = boot_id
        self.machine_id = machine_id
        self.zincati_active = zincati_active
        self.zincati_cfg = zincati_cfg
        self.lock = lock              # fleetlock.Settings or None
        self.kargs = kargs
        self.upgrade = upgrade        # (available, info) for an upgrade

    def as_dict(self) -> Dict[str, Any]:
        return {"boot_id": self.boot_id, "zincati_active": self.zincati_active,
                "fleet_lock": self.lock.as_dict() if self.lock is not None else None,
                "strategy": (self.zincati_cfg.get("updates") or {}).get("strategy")
                if isinstance(self.zincati_cfg.get("updates"), dict) else None}


def status_of(section: Any, what: str = 'rpm-ostree status --json') -> Status:
    if section is None or not section.ran:
        raise NestosError("%s did not run" % what)
    if section.rc != 0:
        raise NestosError("%s failed (rc %d): %s" % (what, section.rc, section.text.strip()[:500]))
    return Status.from_json(section.text)


def zincati_config(files: Dict[str, str]) -> Dict[str, Any]:
    """Merge the drop-ins the way Zincati does; a broken one is an error naming the file."""
    fragments = []
    for path in zconfig.effective_order(list(files)):
        fragments.append(toml.loads(files[path], path))
    return zconfig.merge(fragments)


def judge_read(sections: Dict[str, Any], spec: Spec) -> HostFacts:
    status = status_of(sections.get("status"))
    boot = sections["boot_id"]
    if boot.rc != 0 or not boot.text.strip():
        raise NestosError("cannot read the boot id (%s): %s" % (BOOT_ID, boot.text.strip()[:200]))
    mid = sections["machine_id"]
    machine_id = mid.text.strip() if mid.rc == 0 and mid.text.strip() else None
    zincati_active = sections["zincati"].text.strip() == "active"
    cfg = zincati_config(zconfig.split_listing(sections["zincati_config"].text))
    lock = fleetlock.settings_from_config(cfg, machine_id)
    kargs = None
    if spec.manages_kargs:
        sec = sections["kargs"]
        if sec.rc != 0:
            raise NestosError("rpm-ostree kargs failed (rc %d): %s" % (sec.rc, sec.text.strip()[:300]))
        kargs = sec.text.strip()
    upgrade = None
    if spec.action == "upgrade":
        sec = sections["upgrade_check"]
        if sec.rc not in (0, 77):
            raise NestosError("rpm-ostree upgrade --check failed (rc %d): %s" % (sec.rc, sec.text.strip()[:300]))
        upgrade = planner.parse_upgrade_check(sec.rc, sec.text)
    return HostFacts(status, boot.text.strip(), machine_id, zincati_active, cfg, lock, kargs, upgrade)


# ---- change ------------------------------------------------------------------------------
class ChangePlan(object):
    """The commands of the apply session and what they should lead to."""

    def __init__(self, status, commands, changed, msgs, after_labels, target=None):
        self.status = status
        self.commands = commands          # argv lists, in order
        self.changed = changed            # True / False / None (an upgrade only knows afterwards)
        self.msgs = msgs
        self.after_labels = after_labels
        self.target = target              # ImageRef for a rebase

    @property
    def msg(self) -> str:
        return "; ".join(self.msgs) or "nothing to do"

    def diff(self) -> Dict[str, str]:
        return {"before": "\n".join(self.status.labels()) + "\n", "after": "\n".join(self.after_labels) + "\n",
                "before_header": "deployments (rpm-ostree status)",
                "after_header": "deployments (predicted)" if self.changed is not False else "deployments (unchanged)"}


def _main_plan(facts, spec):
    status = facts.status
    if spec.action == "rebase":
        return planner.plan_rebase(status, spec.ref)
    if spec.action == "rollback":
        return planner.plan_rollback(status, to=spec.rollback_to)
    if spec.action == "upgrade":
        available = facts.upgrade[0] if facts.upgrade else False
        if not available:
            return planner.Plan(status, False, msg="no upgrade available")
        plan = planner.plan_upgrade(status, "apply")
        plan.changed = True
        plan.msg = "upgrade to %s" % ((facts.upgrade[1] or {}).get("version") or "the newest commit")
        return plan
    return planner.Plan(status, False, msg="")


def plan_change(facts: HostFacts, spec: Spec) -> ChangePlan:
    """rebase/upgrade/rollback, then packages, then kernel arguments: one staged deployment."""
    main = _main_plan(facts, spec)
    commands = [list(c) for c in main.commands]
    msgs = [main.msg] if main.changed and main.msg else []
    after = main.after_labels()
    changed = bool(main.changed)
    if spec.packages or spec.packages_absent:
        pkg = planner.plan_packages(facts.status, spec.packages, spec.packages_absent)
        if pkg.changed:
            commands.extend(pkg.commands)
            msgs.append(pkg.msg)
            changed = True
    if spec.manages_kargs:
        kplan = planner.plan_kargs(facts.kargs or "", append=spec.kargs_append, delete=spec.kargs_delete,
                                   replace=spec.kargs_replace)
        if kplan.changed:
            commands.append(planner.kargs_argv(kplan))
            msgs.append("kernel arguments: %s" % " ".join(kplan.flags))
            changed = True
    if changed and after == facts.status.labels():
        after = after + ["(new deployment with the changes above)"]
    return ChangePlan(facts.status, commands, changed, msgs, after, target=main.target)


def prefetch_steps(facts: HostFacts, spec: Spec) -> List[Step]:
    """The download-only command, or nothing when no new content is due."""
    if spec.action == "rebase":
        plan = planner.plan_rebase(facts.status, spec.ref, download_only=True)
    elif spec.action == "upgrade" and facts.upgrade and facts.upgrade[0]:
        plan = planner.plan_upgrade(facts.status, "download_only")
    else:
        return []
    if not plan.commands or plan.changed is False:
        return []
    return [Step("prefetch", _q(plan.commands[0]))]


def apply_steps(plan: ChangePlan, facts: HostFacts, spec: Spec) -> List[Step]:
    steps = []
    if spec.pause_zincati and facts.zincati_active:
        steps.append(Step("zincati_stop", "systemctl stop %s" % ZINCATI))
    for i, argv in enumerate(plan.commands):
        codes = (0, 77) if "--unchanged-exit-77" in argv else (0,)
        steps.append(Step("change.%d" % i, _q(argv), needs_ok=True, stops=True, ok_codes=codes))
    steps.append(Step("status", "rpm-ostree status --json"))
    steps.append(Step("boot_id", "cat %s" % BOOT_ID))
    return steps


class Applied(object):
    def __init__(self, ok, changed, failed_step, error, status, unchanged_upgrade=False):
        self.ok = ok
        self.changed = changed
        self.failed_step = failed_step    # Section of the command that failed, or None
        self.error = error
        self.status = status
        self.unchanged_upgrade = unchanged_upgrade


def judge_apply(sections: Dict[str, Any], plan: ChangePlan, spec: Spec) -> Applied:
    status = status_of(sections.get("status"), "rpm-ostree status --json (after the change)")
    unchanged = False
    for i, argv in enumerate(plan.commands):
        sec = sections.get("change.%d" % i)
        if sec is None or not sec.ran:
            continue
        if sec.rc == 77 and "--unchanged-exit-77" in argv:
            unchanged = True
            continue
        if sec.rc != 0:
            return Applied(False, False, sec, "%s failed (rc %d)" % (" ".join(argv[:3]), sec.rc), status)
    if spec.action == "rebase" and plan.target is not None and status.default is not None \
            and not status.default.matches_ref(plan.target):
        return Applied(False, False, None, "rpm-ostree reported success but the default deployment is %s, not %s"
                       % (status.default.label(), plan.target.canonical()), status)
    changed = bool(plan.commands) and not (unchanged and len(plan.commands) == 1)
    return Applied(True, changed, None, "", status, unchanged)


# ---- reboot and verify -------------------------------------------------------------------
def reboot_steps(command: str) -> List[Step]:
    # Like ansible.builtin.reboot: the command runs in the foreground (systemctl reboot only queues
    # the job) with the session's streams detached, so a dying sshd cannot leave it hanging.
    return [Step("reboot", "%s </dev/null >/dev/null 2>&1" % command)]


def verify_steps(old_boot_id: str, spec: Spec, restore_zincati: bool, check_health: bool = True) -> List[Step]:
    """Boot id first: while it is still the old one the other steps are skipped (the host has
    not gone down yet) and the controller tries again."""
    steps = [Step("boot_id", "b=$(cat %s) && echo \"$b\" && [ \"$b\" != %s ]" % (BOOT_ID, shlex.quote(old_boot_id)),
                  stops=True)]
    if check_health and spec.check_system_running:
        loop = ("n=0; while s=$(systemctl is-system-running 2>/dev/null); "
                "[ \"$s\" = initializing ] || [ \"$s\" = starting ]; do "
                "[ $n -ge %d ] && break; n=$((n+1)); sleep %d; done; echo \"$s\"; [ \"$s\" = running ]"
                % (spec.health_retries, spec.health_delay))
        steps.append(Step("system", loop, needs_ok=True))
    steps.append(Step("status", "rpm-ostree status --json", needs_ok=True))
    if check_health:
        for i, check in enumerate(spec.health_checks):
            steps.append(Step("check.%d" % i, check["command"], needs_ok=True))
    if restore_zincati:
        steps.append(Step("zincati_start", "systemctl start %s" % ZINCATI, needs_ok=True))
    return steps


class Verdict(object):
    def __init__(self, rebooted, healthy, problems, status, boot_id):
        self.rebooted = rebooted
        self.healthy = healthy
        self.problems = problems      # [(phase, detail)]
        self.status = status
        self.boot_id = boot_id


def judge_verify(sections: Dict[str, Any],
                 spec: Spec,
                 expect_target: Any = None,
                 expect_checksum: Optional[str] = None) -> Verdict:
    """Has the host rebooted (new boot id), is it healthy, is the expected deployment booted?"""
    boot = sections["boot_id"]
    boot_id = boot.text.strip()
    if boot.rc != 0:
        return Verdict(False, False, [], None, boot_id)
    problems = []
    sys_sec = sections.get("system")
    if sys_sec is not None and sys_sec.rc != 0:
        problems.append(("health", "systemctl is-system-running: %s" % (sys_sec.text.strip() or "rc %d" % sys_sec.rc)))
    status = status_of(sections.get("status"), "rpm-ostree status --json (after the reboot)")
    booted = status.booted
    if booted is None:
        problems.append(("verify", "no deployment is marked booted"))
    else:
        if status.pending_reboot:
            problems.append(("verify", "a deployment is still pending: %s" % status.default.label()))
        if expect_target is not None and not booted.matches_ref(expect_target):
            problems.append(("verify", "expected %s booted, found %s" % (expect_target.canonical(), booted.label())))
        if expect_checksum and not booted.matches(expect_checksum):
            problems.append(("verify", "expected %s booted, found %s" % (expect_checksum, booted.label())))
        if spec.digest and booted.container_image_reference_digest != spec.digest:
            problems.append(("verify", "expected digest %s, booted %s" % (
                spec.digest, booted.container_image_reference_digest)))
    for i, check in enumerate(spec.health_checks):
        sec = sections.get("check.%d" % i)
        if sec is None:
            continue
        if sec.rc != check["rc"]:
            problems.append(("health", "%s: rc %d, expected %d" % (check["name"], sec.rc, check["rc"])))
        elif check["stdout"] is not None and check["stdout"] not in sec.text:
            problems.append(("health", "%s: output lacks %r" % (check["name"], check["stdout"])))
    return Verdict(True, not problems, problems, status, boot_id)


def rollback_steps(status: Status) -> List[Step]:
    """Roll back to the deployment booted before (and drop a staged one first)."""
    plan = planner.plan_rollback(status)
    return [Step("rollback.%d" % i, _q(argv), needs_ok=True, stops=True) for i, argv in enumerate(plan.commands)]


def cleanup_steps(status: Optional[Status], restore_zincati: bool) -> List[Step]:
    """After a failed change: drop a staged, never booted deployment; put Zincati back."""
    steps = []
    if status is not None and status.pending_reboot:
        steps.append(Step("cleanup", "rpm-ostree cleanup -p"))
    if restore_zincati:
        steps.append(Step("zincati_start", "systemctl start %s" % ZINCATI))
    if steps:
        steps.append(Step("status", "rpm-ostree status --json"))
    return steps


def deployment_info(status: Optional[Status]) -> Dict[str, Optional[str]]:
    """The report's before/after record of the booted deployment."""
    booted = status.booted if status is not None else None
    if booted is None:
        return {"image": None, "digest": None, "checksum": None, "version": None}
    return {"image": booted.container_image_reference or booted.origin,
            "digest": booted.container_image_reference_digest, "checksum": booted.checksum,
            "version": booted.version}
