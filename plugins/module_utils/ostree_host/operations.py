# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planners for the rpm-ostree operations beyond rebase/upgrade/rollback: base package
overrides, deploying a version or commit, initramfs regeneration, apply-live, and pinning a
deployment (ostree admin pin). Each one reads the parsed status (the fields these commands
change: requested-base-removals, requested-base-local-replacements, regenerate-initramfs,
initramfs-args, live-replaced, pinned) and returns a :class:`Plan`; nothing runs here."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host.plan import (
    RPM_OSTREE, Plan, _check_booted, _new_list, _predict, _without, bypass_needed)

from typing import List, Optional

OSTREE = "ostree"
_NEVRA = re.compile(r"^(?P<name>[^/\s]+)-(?P<version>[^-/\s]+)-(?P<release>[^-/\s]+)\.(?P<arch>[^.\-/\s]+)$")
_PKG = re.compile(r"^[A-Za-z0-9_.+-]+$")
_CHECKSUM = re.compile(r"^[0-9a-f]{64}$")
WHICH = ("booted", "pending", "rollback")


def nevra_of(path: str, field: str = 'replace') -> tuple:
    """(nevra, name) of a local RPM file name such as ``/var/tmp/podman-4.9.5-1.oe2203sp4.x86_64.rpm``."""
    base = posixpath.basename(path or "")
    if not base.endswith(".rpm"):
        raise NestosError("%r is not a local RPM file (NAME-VERSION-RELEASE.ARCH.rpm)" % (path,), path=field)
    m = _NEVRA.match(base[:-4])
    if not m:
        raise NestosError("cannot read NAME-VERSION-RELEASE.ARCH from %r" % (base,), path=field)
    return base[:-4], m.group("name")


def _names(items, field):
    for i, name in enumerate(items):
        if not isinstance(name, str) or not _PKG.match(name):
            raise NestosError("%r is not a package name" % (name,), path="%s[%d]" % (field, i))
    return list(items)


def _current_overrides(base):
    replaced = {}
    for nevra in base.requested_base_local_replacements:
        m = _NEVRA.match(nevra) if isinstance(nevra, str) else None
        replaced[m.group("name") if m else nevra] = nevra
    return set(base.requested_base_removals), replaced


def _override_resets(removals, replaced, reset, reset_all):
    commands, msgs = [], []
    if reset_all and (removals or replaced):
        commands.append([RPM_OSTREE, "override", "reset", "--all"])
        msgs.append("reset every override")
        removals.clear()
        replaced.clear()
    undo = [n for n in reset if n in removals or n in replaced]
    if undo:
        commands.append([RPM_OSTREE, "override", "reset"] + undo)
        msgs.append("reset %s" % ", ".join(undo))
        removals.difference_update(undo)
        for n in undo:
            replaced.pop(n, None)
    return commands, msgs


def plan_override(status: object,
                  remove: Optional[List[str]] = None,
                  replace: Optional[List[str]] = None,
                  reset: Optional[List[str]] = None,
                  reset_all: bool = False) -> Plan:
    """``rpm-ostree override remove|replace|reset``, judged from the default deployment's
    requested-base-removals and requested-base-local-replacements."""
    _check_booted(status)
    base = status.default
    removals, replaced = _current_overrides(base)
    remove = _names(remove or [], "remove")
    reset = _names(reset or [], "reset")
    clash = set(remove) & set(reset)
    if clash:
        raise NestosError("packages both removed and reset: %s" % ", ".join(sorted(clash)), path="reset")
    commands, msgs = _override_resets(removals, replaced, reset, reset_all)
    drop = [n for n in remove if n not in removals]
    if drop:
        commands.append([RPM_OSTREE, "override", "remove"] + drop)
        msgs.append("remove %s" % ", ".join(drop))
        removals |= set(drop)
    files = []
    for i, path in enumerate(replace or []):
        nevra, name = nevra_of(path, "replace[%d]" % i)
        if replaced.get(name) != nevra:
            files.append(path)
            replaced[name] = nevra
    if files:
        commands.append([RPM_OSTREE, "override", "replace"] + files)
        msgs.append("replace with %s" % ", ".join(posixpath.basename(f) for f in files))
    if not commands:
        return Plan(status, False, msg="overrides already as requested")
    new = _predict(base, requested_base_removals=sorted(removals),
                   requested_base_local_replacements=sorted(replaced.values()))
    return Plan(status, True, commands, after=_new_list(status, new), msg="; ".join(msgs))


def plan_deploy(status: object, revision: str, bypass_driver: str = 'auto') -> Plan:
    """``rpm-ostree deploy`` of a version or a commit checksum of the current (ostree) origin."""
    _check_booted(status)
    if not isinstance(revision, str) or not revision.strip() or any(c.isspace() for c in revision):
        raise NestosError("revision must be a version or a commit checksum, got %r" % (revision,), path="revision")
    revision = revision[len("version="):] if revision.startswith("version=") else revision
    default = status.default
    if default.is_container:
        raise NestosError("%s follows a container image; deploy a version with rpm_ostree_rebase and a digest "
                          "(image@sha256:...) instead" % default.target(), path="revision")
    is_commit = bool(_CHECKSUM.match(revision))

    def hit(dep):
        return dep is not None and ((dep.base_commit == revision) if is_commit else
                                    (revision in (dep.version, dep.base_version)))
    pending, booted = status.pending, status.booted
    if hit(pending) and pending is default:
        return Plan(status, False, msg="%s is already the pending deployment" % revision)
    if hit(booted) and (pending is None or pending is booted):
        return Plan(status, False, msg="%s is already booted" % revision)
    if hit(booted):
        return Plan(status, True, [[RPM_OSTREE, "cleanup", "-p"]], after=_without(status.deployments, [pending]),
                    msg="%s is booted; dropping the pending deployment %s" % (revision, pending.label()))
    argv = [RPM_OSTREE, "deploy"]
    if bypass_needed(status, bypass_driver):
        argv.append("--bypass-driver")
    argv.append(revision if is_commit else "version=%s" % revision)
    new = _predict(default, version=None if is_commit else revision)
    return Plan(status, True, [argv], after=_new_list(status, new), msg="deploy %s" % revision)


def plan_initramfs(status: object, enabled: bool, args: Optional[List[str]] = None) -> Plan:
    """``rpm-ostree initramfs --enable [--arg=ARG]... | --disable`` from the default
    deployment's regenerate-initramfs and initramfs-args."""
    _check_booted(status)
    args = list(args or [])
    for i, arg in enumerate(args):
        if not isinstance(arg, str) or not arg or "\n" in arg:
            raise NestosError("%r is not a dracut argument" % (arg,), path="args[%d]" % i)
    if args and not enabled:
        raise NestosError("args need enabled=true (rpm-ostree: --arg must be used with --enable)", path="args")
    base = status.default
    current = list(base.initramfs_args) if base.regenerate_initramfs else []
    if bool(base.regenerate_initramfs) == bool(enabled) and current == args:
        return Plan(status, False, msg="initramfs regeneration already %s" % ("enabled" if enabled else "disabled"))
    argv = [RPM_OSTREE, "initramfs", "--enable" if enabled else "--disable"] + ["--arg=%s" % a for a in args]
    new = _predict(base, regenerate_initramfs=bool(enabled), initramfs_args=args if enabled else None)
    return Plan(status, True, [argv], after=_new_list(status, new),
                msg="initramfs regeneration %s%s" % ("on" if enabled else "off",
                                                     (" with " + " ".join(args)) if args else ""))


def plan_apply_live(status: object, allow_replacement: bool = False) -> Plan:
    """``rpm-ostree apply-live``: the pending deployment's changes into the running system;
    nothing to do when there is no pending deployment or it is already applied."""
    _check_booted(status)
    pending, booted = status.pending, status.booted
    if pending is None or pending is booted:
        return Plan(status, False, msg="no pending deployment to apply live")
    if booted.live_replaced == pending.checksum:
        return Plan(status, False, msg="%s is already applied live" % pending.label())
    argv = [RPM_OSTREE, "apply-live"] + (["--allow-replacement"] if allow_replacement else [])
    plan = Plan(status, True, [argv], msg="apply %s live" % pending.label())
    plan.live_target = pending.checksum
    return plan


def _pick(status, which):
    if which in WHICH:
        dep = {"booted": status.booted, "pending": status.pending, "rollback": status.rollback}[which]
        if dep is None or (which == "pending" and dep is status.booted):
            raise NestosError("the host has no %s deployment" % which, path="deployment")
        return dep
    if isinstance(which, str) and which.isdigit():
        index = int(which)
        if index >= len(status.deployments):
            raise NestosError("deployment index %d is out of range (the host has %d)"
                              % (index, len(status.deployments)), path="deployment")
        return status.deployments[index]
    found = [d for d in status.deployments if d.matches(which)]
    if len(found) != 1:
        raise NestosError("%r names %d deployments; give booted, pending, rollback, an index, a checksum, version "
                          "or image that names one" % (which, len(found)), path="deployment")
    return found[0]


def plan_pin(status: object, which: str, pinned: bool = True) -> Plan:
    """``ostree admin pin [--unpin] INDEX`` so an update cannot garbage-collect a deployment."""
    dep = _pick(status, str(which))
    if bool(dep.pinned) == bool(pinned):
        return Plan(status, False, msg="%s is already %s" % (dep.label(), "pinned" if pinned else "unpinned"))
    argv = [OSTREE, "admin", "pin"] + ([] if pinned else ["--unpin"]) + [str(dep.index)]
    raw = dict(dep.raw, pinned=bool(pinned))
    after = list(status.deployments)
    after[dep.index] = type(dep)(raw, dep.index)
    plan = Plan(status, True, [argv], after=after, msg="%s %s" % ("pin" if pinned else "unpin", dep.label()))
    plan.deployment = dep
    return plan
