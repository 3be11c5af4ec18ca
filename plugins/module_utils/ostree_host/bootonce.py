# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Temporary rollback: boot another deployment ONCE, the default left alone (guide 9.4.1).

The mechanism is GRUB's: the environment block (/boot/grub2/grubenv) gets
``next_entry=<BLS entry id>``; GRUB boots that entry once and clears the variable
(``save_env next_entry``). The entry id of a BLS entry is its file name without ``.conf``.

Formats (ostree ``src/libostree/ostree-sysroot-deploy.c``, install_deployment_kernel):
ostree writes one entry per (non-staged) deployment as ``ostree-<N>-<osname>.conf`` (or
``ostree-<N>.conf`` with the newer naming), N = number of deployments - deployment index,
with ``title <PRETTY_NAME> <version> (ostree:<index>)`` (``(ostree:<osname>:<index>)`` when
several osnames exist), ``version <N>`` and an options line holding
``ostree=/ostree/boot.<bootversion>/<osname>/<bootcsum>/<bootserial>``; that path is a symlink to
the deployment folder ``/ostree/deploy/<osname>/deploy/<checksum>.<deployserial>``.

NestOS's grub.cfg (openeuler-mirror/nestos-assembler src/grub.cfg, like coreos-assembler's
since 2019) loads the environment block and sources ``$prefix/user.cfg`` but has NO
``next_entry`` logic of its own; so the plan adds a small marked block to
/boot/grub2/user.cfg (kept content, 0600) when neither file handles ``next_entry`` yet.

Pure: the action runs :func:`probe_command` on the host, hands the output to
:func:`parse_probe`, then asks :func:`plan_boot_once`; after the reboot
:func:`verify_boot_once` says whether the chosen deployment booted and the default stayed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re
import shlex

from typing import Any, Dict, List, Optional

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

GRUBENV = "/boot/grub2/grubenv"
ENTRIES = "/boot/loader/entries"
GRUB_CFG = "/boot/grub2/grub.cfg"
USER_CFG = "/boot/grub2/user.cfg"
SOURCE = "boot entries probe"
# limits on what the host sends back (documented in docs/fleet-actions.md)
MAX_PROBE_BYTES = 1024 * 1024
MAX_ENTRIES = 64
MARK = "@@nestos-bootonce@@"
BLOCK_BEGIN = "# BEGIN nestos.lifecycle boot-once (nestos_reboot boot_once)"
BLOCK_END = "# END nestos.lifecycle boot-once"
USER_CFG_BLOCK = "\n".join([
    BLOCK_BEGIN,
    "# NestOS's grub.cfg loads grubenv but does not act on next_entry: boot it once, then clear it",
    'if [ "${next_entry}" ] ; then',
    '  set default="${next_entry}"',
    "  set next_entry=",
    "  save_env next_entry",
    "fi",
    BLOCK_END,
    "",
])
_HANDLES = re.compile(r"^\s*save_env\s+(?:[^#\n]*\s)?next_entry\b", re.M)
_TITLE_INDEX = re.compile(r"\(ostree:(?:[^:()]+:)?(\d+)\)\s*$")
_FILE_NUMBER = re.compile(r"^ostree-(\d+)(?:-(.+))?$")
_ENTRY_ID = re.compile(r"^[A-Za-z0-9._+@-]+$")


def probe_command() -> str:
    """One shell command, plain POSIX sh + coreutils: which grub editenv tool exists, the GRUB
    environment, the BLS entries with the deployment each ``ostree=`` path resolves to, whether
    grub.cfg / user.cfg handle next_entry, whether /boot is mounted read-only."""
    m = MARK
    return " ".join([
        "t=; for c in grub2-editenv grub-editenv; do command -v $c >/dev/null 2>&1 && { t=$c; break; }; done;",
        "echo '%s tool' \"$t\";" % m,
        "echo '%s env';" % m,
        "[ -n \"$t\" ] && [ -e %s ] && $t %s list;" % (GRUBENV, GRUBENV),
        "for f in %s/ostree-*.conf; do [ -f \"$f\" ] || continue;" % ENTRIES,
        "echo '%s entry' \"${f##*/}\"; cat -- \"$f\";" % m,
        "p=$(sed -n 's/^options.*[[:space:]]ostree=\\([^[:space:]]*\\).*/\\1/p' \"$f\" | head -n 1);",
        "echo '%s target' \"$( [ -n \"$p\" ] && readlink -f -- \"$p\" )\"; done;" % m,
        "echo '%s grubcfg'; grep -c 'save_env[^#]*next_entry' %s 2>/dev/null;" % (m, GRUB_CFG),
        "echo '%s usercfg'; [ -f %s ] && cat -- %s && echo '%s usercfg-exists';" % (m, USER_CFG, USER_CFG, m),
        "echo '%s bootro'; grep -E '^[^ ]+ /boot [^ ]+ ro[, ]' /proc/mounts 2>/dev/null | head -n 1;" % m,
        "echo '%s end'; true" % m,
    ])


class BlsEntry(object):
    def __init__(self, name: str, text: str, target: str):
        self.name = name
        self.id = name[:-len(".conf")] if name.endswith(".conf") else name
        self.keys = {}                     # type: Dict[str, str]
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, _sep, value = line.partition(" ")
            self.keys.setdefault(key, value.strip())
        self.title = self.keys.get("title", "")
        self.options = self.keys.get("options", "")
        self.ostree = None                 # type: Optional[str]
        for karg in self.options.split():
            if karg.startswith("ostree="):
                self.ostree = karg[len("ostree="):]
        self.target = target.strip() or None

    def deploy_name(self) -> Optional[str]:
        """``<checksum>.<deployserial>`` of the deployment folder the ostree= path resolves to."""
        if not self.target or "/ostree/deploy/" not in self.target:
            return None
        return posixpath.basename(self.target.rstrip("/")) or None

    def index(self, count: int) -> Optional[int]:
        """The deployment index: from the title's ``(ostree:N)``, else from the file name."""
        m = _TITLE_INDEX.search(self.title)
        if m:
            return int(m.group(1))
        m = _FILE_NUMBER.match(self.id)
        if m and 0 < int(m.group(1)) <= count:
            return count - int(m.group(1))
        return None

    def summary(self) -> Dict[str, Any]:
        return {"id": self.id, "title": self.title, "ostree": self.ostree, "target": self.target}


class Probe(object):
    def __init__(self):
        self.tool = None                   # type: Optional[str]
        self.env = {}                      # type: Dict[str, str]
        self.entries = []                  # type: List[BlsEntry]
        self.grub_cfg_handles = False
        self.user_cfg = None               # type: Optional[str]
        self.boot_ro = False

    @property
    def next_entry(self) -> str:
        return self.env.get("next_entry", "")

    @property
    def handles_next_entry(self) -> bool:
        return self.grub_cfg_handles or bool(self.user_cfg and _HANDLES.search(self.user_cfg))


def _sections(text):
    if len(text) > MAX_PROBE_BYTES:
        raise NestosError("the host's answer is larger than %d bytes" % MAX_PROBE_BYTES, file=SOURCE)
    out, current = [], None
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.startswith(MARK + " "):
            kind, _sep, arg = line[len(MARK) + 1:].partition(" ")
            current = [kind, arg, [], lineno]
            out.append(current)
        elif current is not None:
            current[2].append(line)
    if not out or out[-1][0] != "end":
        raise NestosError("the host's answer was cut short (no end marker)", file=SOURCE)
    return out


def _parse_env(lines, lineno):
    env = {}
    for offset, line in enumerate(lines, 1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise NestosError("expected NAME=VALUE from grub-editenv list, got %r" % line[:80],
                              file=GRUBENV, line=lineno + offset)
        env[key] = value
    return env


def parse_probe(text: str) -> Probe:
    """The output of :func:`probe_command` as a :class:`Probe`; NestosError on a malformed answer."""
    probe = Probe()
    pending = None
    for kind, arg, lines, lineno in _sections(text):
        if kind == "tool":
            probe.tool = arg.strip() or None
        elif kind == "env":
            probe.env = _parse_env(lines, lineno)
        elif kind == "entry":
            if len(probe.entries) >= MAX_ENTRIES:
                raise NestosError("more than %d boot entries in %s" % (MAX_ENTRIES, ENTRIES), file=SOURCE,
                                  line=lineno)
            pending = (arg.strip(), "\n".join(lines))
        elif kind == "target":
            if pending is None:
                raise NestosError("a target line without an entry", file=SOURCE, line=lineno)
            probe.entries.append(BlsEntry(pending[0], pending[1], arg))
            pending = None
        elif kind == "grubcfg":
            probe.grub_cfg_handles = any(x.strip().isdigit() and int(x.strip()) > 0 for x in lines)
        elif kind == "usercfg-exists":
            probe.user_cfg = probe.user_cfg or ""
        elif kind == "usercfg":
            probe.user_cfg = "\n".join(lines) + ("\n" if lines else "")
        elif kind == "bootro":
            probe.boot_ro = any(x.strip() for x in lines)
    if probe.user_cfg is not None and MARK + " usercfg-exists" not in text:
        probe.user_cfg = None
    return probe


def _non_staged(status):
    return [d for d in status.deployments if not d.staged]


def select_deployment(status: Any, spec: str) -> Any:
    """``rollback`` (the deployment that is not the default), an index, or a checksum
    (prefix of 7+ hex digits), version or id that rpm-ostree status shows."""
    spec = (spec or "").strip()
    deps = _non_staged(status)
    if not spec:
        raise NestosError("boot_once is empty", path="boot_once")
    if spec == "rollback":
        others = [d for d in deps if d.index != 0]
        if not others:
            raise NestosError("boot_once=rollback: there is no deployment besides the default (rpm-ostree "
                              "status shows one deployment)", path="boot_once")
        return others[0]
    if spec.isdigit():
        found = [d for d in status.deployments if d.index == int(spec)]
        if not found:
            raise NestosError("boot_once=%s: no deployment with that index (there are %d)"
                              % (spec, len(status.deployments)), path="boot_once")
        return found[0]
    found = [d for d in status.deployments if d.matches(spec)]
    if len(found) != 1:
        raise NestosError("boot_once=%s matches %s deployments; give the index or a longer checksum"
                          % (spec, len(found) or "no"), path="boot_once")
    return found[0]


def match_entry(status: Any, entries: List[BlsEntry], dep: Any) -> BlsEntry:
    """The BLS entry of deployment ``dep``: by the folder its ostree= path resolves to, else by
    the index in its title / file name (ostree's numbering)."""
    want = "%s.%s" % (dep.checksum, dep.serial if dep.serial is not None else 0)
    by_target = [e for e in entries if e.deploy_name() == want]
    if len(by_target) == 1:
        return by_target[0]
    count = len(_non_staged(status))
    by_index = [e for e in entries if e.deploy_name() is None and e.index(count) == dep.index]
    if len(by_index) == 1:
        return by_index[0]
    raise NestosError("no boot entry in %s belongs to deployment %d (%s); entries: %s"
                      % (ENTRIES, dep.index, dep.label(), ", ".join(e.id for e in entries) or "none"),
                      path="boot_once")


class BootOncePlan(object):
    def __init__(self, status, probe, target, entry):
        self.status = status
        self.probe = probe
        self.target = target
        self.entry = entry
        self.default_id = status.default.id if status.default is not None else None
        booted = status.booted
        self.already = booted is not None and booted.checksum == target.checksum \
            and booted.serial == target.serial
        self.user_cfg = None               # new user.cfg content when GRUB needs the block
        if not probe.handles_next_entry:
            self.user_cfg = (probe.user_cfg or "")
            if self.user_cfg and not self.user_cfg.endswith("\n"):
                self.user_cfg += "\n"
            self.user_cfg += USER_CFG_BLOCK

    @property
    def needed(self) -> bool:
        return not self.already

    def editenv(self, value: str) -> List[str]:
        if not _ENTRY_ID.match(value or "x"):
            raise NestosError("refusing boot entry id %r (unexpected characters)" % value, path="boot_once")
        return [self.probe.tool, GRUBENV, "set", "next_entry=%s" % value]

    def set_command(self) -> str:
        """The command that sets next_entry; in a private mount namespace with /boot remounted
        read-write when /boot is mounted read-only (as ostree itself does)."""
        cmd = " ".join(shlex.quote(a) for a in self.editenv(self.entry.id))
        if self.probe.boot_ro:
            return "unshare -m sh -c %s" % shlex.quote("mount -o remount,rw /boot && " + cmd)
        return cmd

    def facts(self) -> Dict[str, Any]:
        return {"boot_once": {"deployment": self.target.summary(), "entry": self.entry.summary(),
                              "default_id": self.default_id, "next_entry_before": self.probe.next_entry,
                              "grub_support_added": self.user_cfg is not None and self.needed,
                              "editenv": self.probe.tool}}

    def diff(self) -> Dict[str, str]:
        before = "next_entry=%s\n" % self.probe.next_entry
        after = "next_entry=%s\n" % (self.entry.id if self.needed else self.probe.next_entry)
        if self.user_cfg is not None and self.needed:
            before += "--- %s\n%s" % (USER_CFG, self.probe.user_cfg or "(absent)\n")
            after += "--- %s\n%s" % (USER_CFG, self.user_cfg)
        return {"before": before, "after": after, "before_header": GRUBENV, "after_header": GRUBENV}

    def msg(self) -> str:
        if self.already:
            return "already booted once into deployment %d (%s); the default is still %s" % (
                self.target.index, self.target.label(), self.default_id)
        return "boot entry %s (deployment %d, %s) set to boot once; the default stays %s" % (
            self.entry.id, self.target.index, self.target.label(), self.default_id)


def plan_boot_once(status: Any, probe: Probe, spec: str) -> BootOncePlan:
    if status.staged is not None:
        raise NestosError("a staged deployment (%s) would be finalized at this reboot and the boot entries "
                          "renumbered; reboot into it first or drop it (rpm-ostree cleanup -p)"
                          % status.staged.label(), path="boot_once")
    target = select_deployment(status, spec)
    if target.staged:
        raise NestosError("boot_once: deployment %d is staged, it has no boot entry yet" % target.index,
                          path="boot_once")
    if target.index == 0:
        raise NestosError("boot_once: deployment 0 is the default; an ordinary reboot boots it", path="boot_once")
    if not probe.tool:
        raise NestosError("neither grub2-editenv nor grub-editenv is on the host", path="boot_once")
    return BootOncePlan(status, probe, target, match_entry(status, probe.entries, target))


def verify_boot_once(plan: BootOncePlan, after: Any, probe_after: Probe) -> Optional[str]:
    """None when the chosen deployment booted, the default is the one before and GRUB cleared
    next_entry; else what is wrong."""
    booted = after.booted
    if booted is None or booted.checksum != plan.target.checksum or booted.serial != plan.target.serial:
        return "booted %s, expected deployment %s (boot entry %s)" % (
            booted.label() if booted is not None else "nothing", plan.target.label(), plan.entry.id)
    default = after.default
    if default is None or default.id != plan.default_id:
        return "the default deployment changed from %s to %s" % (plan.default_id, default.id if default else None)
    if probe_after.next_entry:
        return "GRUB did not clear next_entry (still %r)" % probe_after.next_entry
    return None
