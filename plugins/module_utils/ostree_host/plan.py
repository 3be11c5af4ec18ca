# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plans: from a parsed status and the desired state, decide which rpm-ostree command(s)
to run, whether anything changes, and what the deployment list should look like after.

rpm-ostree has no dry run for rebase, rollback, kargs or cleanup, so check mode relies on
these predictions. A prediction is a list of deployment labels in index order; deployments
that do not exist yet are shown with ``(new)`` in place of their checksum.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import imageref
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host.status import Deployment

RPM_OSTREE = "rpm-ostree"
NEW = "(new)"


class Plan(object):
    """What to do on one host.

    ``commands`` is a list of argv lists run in order; ``after`` the predicted deployments
    (Deployment objects, index order); ``reboot_required`` whether the default deployment
    after the plan differs from the booted one.
    """

    def __init__(self, status, changed, commands=None, after=None, msg="", target=None):
        self.status = status
        self.changed = changed
        self.commands = commands or []
        self.after = after if after is not None else list(status.deployments)
        self.msg = msg
        self.target = target

    @property
    def reboot_required(self):
        return bool(self.after) and not self.after[0].booted

    def before_labels(self):
        return _labels(self.status.deployments)

    def after_labels(self):
        return _labels(self.after)

    def diff(self):
        return {"before": "\n".join(self.before_labels()) + "\n",
                "after": "\n".join(self.after_labels()) + "\n",
                "before_header": "deployments (rpm-ostree status)",
                "after_header": "deployments (predicted)" if self.changed else "deployments (unchanged)"}

    def result(self):
        return {"changed": self.changed, "commands": [list(c) for c in self.commands], "msg": self.msg,
                "reboot_required": self.reboot_required,
                "deployments_before": self.before_labels(), "deployments_after": self.after_labels()}


def _labels(deployments):
    return ["%d %s" % (i, d.label()) for i, d in enumerate(deployments)]


def _predict(base, **changes):
    """A not-yet-existing deployment derived from ``base`` with JSON keys overridden."""
    raw = copy.deepcopy(base.raw) if base is not None else {"osname": "nestos"}
    for key in ("booted", "staged", "pinned", "finalization-locked", "pending-base-checksum",
                "pending-base-version", "pending-base-timestamp", "live-inprogress", "live-replaced"):
        raw.pop(key, None)
    raw.update({"checksum": NEW, "id": "%s-%s" % (raw.get("osname") or "nestos", NEW), "booted": False,
                "staged": True, "serial": 0})
    for key, value in changes.items():
        key = key.replace("_", "-")
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
    return Deployment(raw, 0)


def _new_list(status, new):
    """Deployment list after writing ``new``: it goes on top, the previous pending one is
    replaced, booted and the rollback stay, pinned ones are kept."""
    out = [new]
    pending = status.pending
    for dep in status.deployments:
        if pending is not None and dep is pending and not dep.pinned:
            continue
        out.append(dep)
    return out


def _without(deployments, drop):
    return [d for d in deployments if all(d is not x for x in drop)]


def bypass_needed(status, mode):
    """``--bypass-driver``: always / never / auto (when an update driver is registered)."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    return status.update_driver is not None


def experimental_needed(ref, mode):
    """``--experimental`` for container refs: rpm-ostree <= 2022.15 requires it, 2022.16+
    accepts and ignores it, so auto passes it for every container reference."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    return ref.is_container


def _check_booted(status):
    if status.booted is None:
        raise NestosError("no deployment is marked booted; is this host booted into an ostree deployment?",
                          file="rpm-ostree status --json", path="$.deployments")


def plan_rebase(status, ref, download_only=False, bypass_driver="auto", experimental="auto",
                cleanup_other_pending=True, extra_args=None):
    """Rebase the host to ``ref`` (an ImageRef). Idempotent against the booted and the
    pending/staged deployment."""
    _check_booted(status)
    booted = status.booted
    pending = status.pending
    if pending is not None and pending.matches_ref(ref):
        return Plan(status, False, msg="%s is already %s; it boots next" %
                    (ref.canonical(), "staged" if pending.staged else "the pending deployment"), target=ref)
    if booted.matches_ref(ref):
        if pending is None or download_only or not cleanup_other_pending:
            return Plan(status, False, msg="%s is already booted" % ref.canonical(), target=ref)
        return Plan(status, True, [[RPM_OSTREE, "cleanup", "-p"]], after=_without(status.deployments, [pending]),
                    msg="%s is already booted; dropping the pending deployment %s so it stays the default"
                    % (ref.canonical(), pending.target()), target=ref)
    argv = [RPM_OSTREE, "rebase"]
    if experimental_needed(ref, experimental):
        argv.append("--experimental")
    if bypass_needed(status, bypass_driver):
        argv.append("--bypass-driver")
    if download_only:
        argv.append("--download-only")
    argv.extend(extra_args or [])
    argv.append(ref.original if ref.original else ref.canonical())
    if download_only:
        return Plan(status, True, [argv], msg="prefetch %s (no new deployment)" % ref.canonical(), target=ref)
    if ref.is_container:
        new = _predict(booted, container_image_reference=ref.canonical(),
                       container_image_reference_digest=ref.digest, origin=None, version=None,
                       base_commit_meta=None)
    else:
        origin = ref.canonical() if ref.remote else (
            "%s:%s" % (booted.origin_ref.remote, ref.ref) if booted.origin_ref is not None and booted.origin_ref.remote
            else ref.ref)
        new = _predict(booted, origin=origin, container_image_reference=None,
                       container_image_reference_digest=None, version=None, base_commit_meta=None)
    return Plan(status, True, [argv], after=_new_list(status, new),
                msg="rebase from %s to %s" % (booted.target(), ref.canonical()), target=ref)


def plan_upgrade(status, mode="apply", bypass_driver="auto", extra_args=None):
    """Commands for ``rpm-ostree upgrade`` in mode check / download_only / apply.

    ``changed`` cannot be known before the command runs: the action decides from the exit
    code (77 with ``--unchanged-exit-77``) or, in check mode, from ``upgrade --check``."""
    _check_booted(status)
    argv = [RPM_OSTREE, "upgrade"]
    if mode == "check":
        argv.append("--check")
    else:
        if bypass_needed(status, bypass_driver):
            argv.append("--bypass-driver")
        if mode == "download_only":
            argv.append("--download-only")
        else:
            argv.append("--unchanged-exit-77")
    argv.extend(extra_args or [])
    base = status.default
    new = _predict(base, version=None)
    return Plan(status, None, [argv], after=_new_list(status, new), msg="upgrade (%s)" % mode)


def parse_upgrade_check(rc, stdout):
    """Interpret ``rpm-ostree upgrade --check``: rc 77 → nothing new; rc 0 → the
    ``AvailableUpdate:`` block (Version, Commit, ...) as a dict."""
    if rc == 77:
        return False, None
    info = {}
    seen = False
    for line in (stdout or "").splitlines():
        if line.strip().startswith("AvailableUpdate"):
            seen = True
            continue
        if seen and ":" in line:
            key, value = line.split(":", 1)
            key = key.strip().lower().replace(" ", "_")
            if key and key not in info:
                info[key] = value.strip()
    if "version" in info:
        info["version"] = info["version"].split(" (")[0]
    if "no updates available" in (stdout or "").lower():
        return False, None
    return True, info or None


def plan_rollback(status, to=None):
    """rpm-ostree rollback semantics: the rollback deployment (after the booted one) goes on
    top; with none but a pending one, the booted one goes back on top (undo). A staged
    deployment makes rollback fail ("remove with cleanup -p"), so it is dropped first.

    ``to``: optional checksum / version / image the default deployment must be after the
    rollback; when it already is, nothing changes (idempotent)."""
    _check_booted(status)
    booted = status.booted
    if to and status.default is not None and status.default.matches(to):
        return Plan(status, False, msg="%s is already the default deployment" % to)
    pending = status.pending
    rollback = status.rollback
    commands = []
    current = list(status.deployments)
    staged = status.staged
    if staged is not None and staged is pending:
        commands.append([RPM_OSTREE, "cleanup", "-p"])
        current = _without(current, [staged])
        pending = None
    if rollback is not None:
        target = rollback
        commands.append([RPM_OSTREE, "rollback"])
        after = [target] + [d for d in current if d is not target]
    elif pending is not None:
        target = booted
        commands.append([RPM_OSTREE, "rollback"])
        after = [target] + [d for d in current if d is not target]
    elif commands:
        target = booted
        after = current
    else:
        raise NestosError("No rollback deployment found: the host has only the booted deployment %s"
                          % booted.target(), file="rpm-ostree status --json", path="$.deployments")
    if to and not target.matches(to):
        raise NestosError("rollback would make %s the default deployment, not %s"
                          % (target.label(), to), path="to")
    return Plan(status, True, commands, after=after,
                msg="roll back: %s becomes the default deployment" % target.label())


def plan_cleanup(status, pending=False, rollback=False, base=False, repomd=False):
    """``rpm-ostree cleanup``: -p drops the pending deployment, -r the rollback one(s),
    -b temporary/base data, -m cached rpm-md. Only -p/-r change deployments; -b/-m run
    when asked and report no change to deployments."""
    flags = []
    drop = []
    if pending and status.pending is not None and not status.pending.booted:
        flags.append("-p")
        drop.append(status.pending)
    if rollback and status.booted is not None:
        rb = [d for d in status.deployments[status.booted.index + 1:] if not d.pinned]
        if rb:
            flags.append("-r")
            drop.extend(rb)
    if base:
        flags.append("-b")
    if repomd:
        flags.append("-m")
    if not flags:
        return Plan(status, False, msg="nothing to clean up")
    return Plan(status, bool(drop), [[RPM_OSTREE, "cleanup"] + flags], after=_without(status.deployments, drop),
                msg="cleanup %s" % " ".join(flags))


def plan_packages(status, present=None, absent=None, allow_inactive=False, extra_args=None):
    """Layer (``present``) and remove (``absent``) packages, judged from the requested
    packages of the default deployment (the one new layering builds on)."""
    _check_booted(status)
    present = list(present or [])
    absent = list(absent or [])
    both = set(present) & set(absent)
    if both:
        raise NestosError("packages both present and absent: %s" % ", ".join(sorted(both)), path="absent")
    base = status.default
    requested = set(base.requested_packages) | set(base.requested_local_packages)
    to_install = [p for p in _uniq(present) if p not in requested]
    to_remove = [p for p in _uniq(absent) if p in requested]
    if not to_install and not to_remove:
        return Plan(status, False, msg="packages already as requested")
    if to_install:
        argv = [RPM_OSTREE, "install", "--idempotent"]
        if allow_inactive:
            argv.append("--allow-inactive")
        argv.extend("--uninstall=%s" % p for p in to_remove)
        argv.extend(extra_args or [])
        argv.extend(to_install)
    else:
        argv = [RPM_OSTREE, "uninstall"] + list(extra_args or []) + to_remove
    new_req = sorted((set(base.requested_packages) - set(to_remove)) | set(to_install))
    new = _predict(base, requested_packages=new_req,
                   packages=sorted((set(base.packages) - set(to_remove)) | set(to_install)))
    msg = []
    if to_install:
        msg.append("layer %s" % ", ".join(to_install))
    if to_remove:
        msg.append("remove %s" % ", ".join(to_remove))
    plan = Plan(status, True, [argv], after=_new_list(status, new), msg="; ".join(msg))
    plan.installed = to_install
    plan.removed = to_remove
    return plan


def _uniq(items):
    seen = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


# ---- kernel arguments ------------------------------------------------------------------

def split_kargs(text):
    """Split a kernel command line, keeping double-quoted values together."""
    out = []
    cur = []
    quoted = False
    for ch in (text or "").strip():
        if ch == '"':
            quoted = not quoted
            cur.append(ch)
        elif ch.isspace() and not quoted:
            if cur:
                out.append("".join(cur))
                cur = []
        else:
            cur.append(ch)
    if cur:
        out.append("".join(cur))
    return out


def _kv(karg):
    if "=" in karg:
        key, value = karg.split("=", 1)
        return key, value
    return karg, None


def _fmt(key, value):
    return key if value is None else "%s=%s" % (key, value)


class KargsPlan(object):
    def __init__(self, before, after, flags):
        self.before = before
        self.after = after
        self.flags = flags

    @property
    def changed(self):
        return bool(self.flags)


def _entries(after, key):
    return [a for a in after if _kv(a)[0] == key]


def _kargs_delete(after, flags, delete, delete_if_present):
    for field, items in (("delete", delete), ("delete_if_present", delete_if_present)):
        for i, item in enumerate(items or []):
            key, value = _kv(_check_karg(item, "%s[%d]" % (field, i)))
            if value is None:
                for entry in _entries(after, key):
                    after.remove(entry)
                    flags.append("--delete=%s" % entry)
            elif item in after:
                after.remove(item)
                flags.append("--delete=%s" % item)


def _kargs_replace_one(after, flags, item, path):
    key, value = _kv(item)
    if value is None:
        raise NestosError("replace needs KEY=VALUE or KEY=OLD=NEW, got %r" % item, path=path)
    found = _entries(after, key)
    if "=" in value:
        old, new = value.split("=", 1)
        if _fmt(key, old) in after:
            after[after.index(_fmt(key, old))] = _fmt(key, new)
            flags.append("--replace=%s" % item)
        elif _fmt(key, new) not in after:
            raise NestosError("cannot replace %s=%s: the kernel arguments have no such entry (%s)"
                              % (key, old, " ".join(found) or "key absent"), path=path)
        return
    if found == [item]:
        return
    if not found:
        after.append(item)
        flags.append("--append=%s" % item)
    elif len(found) == 1:
        after[after.index(found[0])] = item
        flags.append("--replace=%s" % item)
    else:
        raise NestosError("%s has several values (%s); use KEY=OLD=NEW to pick one"
                          % (key, " ".join(found)), path=path)


def plan_kargs(current, append=None, append_if_missing=None, delete=None, delete_if_present=None,
               replace=None):
    """Compute the rpm-ostree kargs flags that bring ``current`` (a command line string) to
    the desired state. Every option is idempotent: only real changes become flags, so the
    plain ``--append``/``--delete``/``--replace`` forms are used (they exist in every
    rpm-ostree NestOS ships)."""
    before = split_kargs(current)
    after = list(before)
    flags = []
    _kargs_delete(after, flags, delete, delete_if_present)
    for i, item in enumerate(replace or []):
        _kargs_replace_one(after, flags, _check_karg(item, "replace[%d]" % i), "replace[%d]" % i)
    for i, item in enumerate(append or []):
        item = _check_karg(item, "append[%d]" % i)
        if item not in after:
            after.append(item)
            flags.append("--append=%s" % item)
    for i, item in enumerate(append_if_missing or []):
        key, _value = _kv(_check_karg(item, "append_if_missing[%d]" % i))
        if not _entries(after, key):
            after.append(item)
            flags.append("--append=%s" % item)
    return KargsPlan(before, after, flags)


def _check_karg(item, path):
    if not isinstance(item, str) or not item or item.startswith("=") or any(
            c.isspace() for c in item.replace('"', "") if '"' not in item):
        raise NestosError("%r is not a kernel argument (KEY or KEY=VALUE without spaces)" % (item,), path=path)
    return item


def kargs_argv(plan, bypass=False, extra_args=None):
    argv = [RPM_OSTREE, "kargs"] + list(plan.flags)
    argv.extend(extra_args or [])
    return argv


def plan_kargs_deployments(status, kplan):
    """Predicted deployments for a kargs change: a new deployment of the default one."""
    if not kplan.changed:
        return Plan(status, False, msg="kernel arguments already as requested")
    base = status.default
    new = _predict(base, staged=False)
    return Plan(status, True, [kargs_argv(kplan)], after=_new_list(status, new),
                msg="kernel arguments: %s" % " ".join(kplan.flags))


def parse_ref_option(ref=None, image=None, signature=None, transport="registry", remote=None, digest=None,
                     allow_unverified=False):
    """Resolve the rebase target from either ``ref`` (full reference) or ``image`` +
    ``signature`` (+ transport/remote/digest). Unverified images need explicit consent."""
    if bool(ref) == bool(image):
        raise NestosError("give exactly one of ref (a full reference) or image (with signature)", path="ref")
    if ref:
        parsed = imageref.parse(ref, field="ref")
        if digest:
            if parsed.digest and parsed.digest != digest:
                raise NestosError("ref pins %s but digest says %s" % (parsed.digest, digest), path="digest")
            parsed = parsed.with_digest(digest)
            parsed.original = parsed.canonical()
        if parsed.is_container and parsed.policy == imageref.UNVERIFIED and not allow_unverified:
            raise NestosError("%s is an unverified image reference: its signature is not checked. Set "
                              "allow_unverified=true to accept that, or use ostree-image-signed: with a "
                              "policy.json that trusts the registry" % ref, path="ref")
        return parsed
    if signature is None:
        raise NestosError("signature is required with image: signed (policy.json), remote (ostree remote "
                          "GPG) or unverified", path="signature")
    if signature == imageref.UNVERIFIED and not allow_unverified:
        raise NestosError("signature=unverified needs allow_unverified=true", path="allow_unverified")
    return imageref.build(image, signature, transport=transport, remote=remote, digest=digest)
