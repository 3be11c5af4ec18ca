# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Zincati configuration drop-ins (Zincati 0.0.24 on NestOS, reference/hosts-and-updates.md 3):
validate the wanted settings, render one deterministic TOML drop-in, and merge drop-ins the
way Zincati does (file name order, same name in a later folder replaces, windows accumulate)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.zincati import toml

DIRS = ("/usr/lib/zincati/config.d", "/run/zincati/config.d", "/etc/zincati/config.d")
HEADER = "# Managed by nestos.lifecycle (zincati action); local edits are overwritten.\n"

_GROUP = re.compile(r"^[a-zA-Z0-9.-]+$")
_UUID = re.compile(r"^[0-9a-f]{32}$")
_TIME = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")
DAYS = {"mon": "Mon", "monday": "Mon", "tue": "Tue", "tuesday": "Tue", "wed": "Wed", "wednesday": "Wed",
        "thu": "Thu", "thursday": "Thu", "fri": "Fri", "friday": "Fri", "sat": "Sat", "saturday": "Sat",
        "sun": "Sun", "sunday": "Sun"}
STRATEGIES = ("immediate", "periodic", "fleet_lock")


def _url(value, path):
    if not isinstance(value, str) or not _URL.match(value):
        raise NestosError("%r is not an http(s) URL" % (value,), path=path)
    return value


def _identity(group, node_uuid, rollout_wariness):
    ident = {}
    if group is not None:
        if not _GROUP.match(group):
            raise NestosError("%r is not a valid group: use letters, digits, '.' and '-'" % group, path="group")
        ident["group"] = group
    if node_uuid is not None:
        if not _UUID.match(node_uuid):
            raise NestosError("node_uuid must be 32 lowercase hex digits (sd-id128), got %r" % node_uuid,
                              path="node_uuid")
        ident["node_uuid"] = node_uuid
    if rollout_wariness is not None:
        if not 0.0 <= float(rollout_wariness) <= 1.0:
            raise NestosError("rollout_wariness must be between 0.0 and 1.0, got %r" % rollout_wariness,
                              path="rollout_wariness")
        ident["rollout_wariness"] = float(rollout_wariness)
    return ident


def _fleet_lock(upd, strategy, fleet_lock_base_url, warnings):
    if fleet_lock_base_url is not None:
        upd["fleet_lock"] = {"base_url": _url(fleet_lock_base_url, "fleet_lock_base_url")}
        if not fleet_lock_base_url.endswith("/"):
            warnings.append("fleet_lock_base_url has no trailing '/': Zincati joins v1/pre-reboot with URL-join "
                            "rules, so the last path segment would be replaced")
        if strategy not in (None, "fleet_lock"):
            warnings.append("fleet_lock_base_url is set but strategy is %s" % strategy)
    if strategy == "fleet_lock" and fleet_lock_base_url is None:
        raise NestosError("strategy fleet_lock needs fleet_lock_base_url", path="fleet_lock_base_url")


def _periodic(upd, strategy, periodic_time_zone, periodic_windows):
    if periodic_time_zone is not None or periodic_windows:
        periodic = {}
        if periodic_time_zone is not None:
            if not periodic_time_zone or any(c.isspace() for c in periodic_time_zone):
                raise NestosError("time zone must be an IANA name such as UTC or Europe/Paris, or localtime",
                                  path="periodic_time_zone")
            periodic["time_zone"] = periodic_time_zone
        windows = [_window(win, "periodic_windows[%d]" % i) for i, win in enumerate(periodic_windows or [])]
        if windows:
            periodic["window"] = windows
        upd["periodic"] = periodic
    if strategy == "periodic" and not periodic_windows:
        raise NestosError("strategy periodic needs at least one entry in periodic_windows", path="periodic_windows")


def _updates(updates_enabled, allow_downgrade, strategy):
    upd = {}
    if updates_enabled is not None:
        upd["enabled"] = bool(updates_enabled)
    if allow_downgrade is not None:
        upd["allow_downgrade"] = bool(allow_downgrade)
    if strategy is not None:
        if strategy not in STRATEGIES:
            raise NestosError("unsupported strategy %r; use one of %s" % (strategy, ", ".join(STRATEGIES)),
                              path="strategy")
        upd["strategy"] = strategy
    return upd


def build(updates_enabled=None, allow_downgrade=None, strategy=None, fleet_lock_base_url=None,
          periodic_time_zone=None, periodic_windows=None, group=None, node_uuid=None, rollout_wariness=None,
          cincinnati_base_url=None, steady_interval_secs=None):
    """Validate the options and return (config dict shaped like the TOML, warnings)."""
    warnings = []
    cfg = {}
    if steady_interval_secs is not None:
        if isinstance(steady_interval_secs, bool) or not isinstance(steady_interval_secs, int) \
                or steady_interval_secs <= 0:
            raise NestosError("must be a positive number of seconds", path="steady_interval_secs")
        cfg.setdefault("agent", {}).setdefault("timing", {})["steady_interval_secs"] = steady_interval_secs
    ident = _identity(group, node_uuid, rollout_wariness)
    if ident:
        cfg["identity"] = ident
    if cincinnati_base_url is not None:
        cfg["cincinnati"] = {"base_url": _url(cincinnati_base_url, "cincinnati_base_url")}
    upd = _updates(updates_enabled, allow_downgrade, strategy)
    _fleet_lock(upd, strategy, fleet_lock_base_url, warnings)
    _periodic(upd, strategy, periodic_time_zone, periodic_windows)
    if upd:
        cfg["updates"] = upd
    return cfg, warnings


def _window(win, path):
    if not isinstance(win, dict):
        raise NestosError("a window is a mapping with days, start_time and length_minutes", path=path)
    days = win.get("days")
    if not days or not isinstance(days, (list, tuple)):
        raise NestosError("days must list weekday names (Mon, Tuesday, ...)", path=path + ".days")
    norm = []
    for j, day in enumerate(days):
        key = str(day).strip().lower()
        if key not in DAYS:
            raise NestosError("%r is not a weekday name" % (day,), path="%s.days[%d]" % (path, j))
        if DAYS[key] not in norm:
            norm.append(DAYS[key])
    start = win.get("start_time")
    if not isinstance(start, str) or not _TIME.match(start):
        raise NestosError("start_time must be hh:mm (24 h), got %r" % (start,), path=path + ".start_time")
    length = win.get("length_minutes")
    if isinstance(length, bool) or not isinstance(length, int) or length <= 0:
        raise NestosError("length_minutes must be a positive integer, got %r" % (length,),
                          path=path + ".length_minutes")
    return {"days": norm, "start_time": start, "length_minutes": length}


def render(cfg):
    """Deterministic TOML for a config dict from build()."""
    out = [HEADER]

    def section(name, items):
        out.append("\n[%s]\n" % name)
        for key, value in items:
            out.append("%s = %s\n" % (key, toml.dump_value(value)))

    timing = cfg.get("agent", {}).get("timing")
    if timing:
        section("agent.timing", sorted(timing.items()))
    if cfg.get("identity"):
        ident = cfg["identity"]
        section("identity", [(k, ident[k]) for k in ("group", "node_uuid", "rollout_wariness") if k in ident])
    if cfg.get("cincinnati"):
        section("cincinnati", [("base_url", cfg["cincinnati"]["base_url"])])
    upd = cfg.get("updates")
    if upd:
        scalars = [(k, upd[k]) for k in ("enabled", "allow_downgrade", "strategy") if k in upd]
        if scalars:
            section("updates", scalars)
        if "fleet_lock" in upd:
            section("updates.fleet_lock", [("base_url", upd["fleet_lock"]["base_url"])])
        periodic = upd.get("periodic")
        if periodic is not None:
            if "time_zone" in periodic or not periodic.get("window"):
                section("updates.periodic", [(k, periodic[k]) for k in ("time_zone",) if k in periodic])
            for win in periodic.get("window", []):
                out.append("\n[[updates.periodic.window]]\n")
                for key in ("days", "start_time", "length_minutes"):
                    out.append("%s = %s\n" % (key, toml.dump_value(win[key])))
    return "".join(out)


def effective_order(paths):
    """Drop-in paths in the order Zincati applies them: by file name; a same-named file in a
    later folder (/usr/lib < /run < /etc, the code's scan order) replaces the earlier one."""
    chosen = {}
    rank = {d: i for i, d in enumerate(DIRS)}
    for path in paths:
        folder, name = posixpath.split(path)
        if not name.endswith(".toml"):
            continue
        prev = chosen.get(name)
        if prev is None or rank.get(folder, -1) >= rank.get(posixpath.dirname(prev), -1):
            chosen[name] = path
    return [chosen[name] for name in sorted(chosen)]


def merge(fragments):
    """Merge parsed fragments (in effective order): scalar keys last-wins, windows accumulate."""
    out = {}

    def deep(dst, src):
        for key, value in src.items():
            if key == "window" and isinstance(value, list):
                dst.setdefault("window", []).extend(value)
            elif isinstance(value, dict):
                deep(dst.setdefault(key, {}), value)
            else:
                dst[key] = value
    for frag in fragments:
        deep(out, frag)
    return out


END_MARK = "==<nestos-end>=="


def listing_command(folders):
    """Shell that prints every ``*.toml`` in ``folders`` as ``==> path <==``, the content, a
    newline and the end mark (so a missing final newline survives)."""
    quoted = " ".join("'%s'" % f.replace("'", "'\\''") for f in folders)
    return ("for d in %s; do for f in \"$d\"/*.toml; do [ -e \"$f\" ] || continue; "
            "printf '==> %%s <==\\n' \"$f\"; cat -- \"$f\"; printf '\\n%s\\n'; done; done" % (quoted, END_MARK))


def split_listing(text):
    """Parse listing_command() output into {path: content}."""
    files = {}
    current = None
    buf = []
    for line in text.splitlines(True):
        if current is None:
            if line.startswith("==> ") and line.rstrip("\n").endswith(" <=="):
                current = line[4:].rstrip("\n")[:-4]
                buf = []
            continue
        if line.rstrip("\n") == END_MARK:
            content = "".join(buf)
            files[current] = content[:-1] if content.endswith("\n") else content
            current = None
        else:
            buf.append(line)
    return files


def _flatten(cfg, prefix=""):
    out = {}
    for key, value in cfg.items():
        name = prefix + key
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


def overridden(files, ours_path, ours_cfg):
    """Keys set by our drop-in that a drop-in applied after it sets again: [(key, path)]."""
    order = effective_order(list(files) + [ours_path])
    if ours_path not in order:
        return [("*", [p for p in order if posixpath.basename(p) == posixpath.basename(ours_path)][0])]
    later = order[order.index(ours_path) + 1:]
    mine = _flatten(ours_cfg)
    out = []
    for path in later:
        try:
            frag = _flatten(toml.loads(files.get(path, ""), path))
        except NestosError:
            continue
        for key in sorted(mine):
            if key in frag and not key.endswith(".window") and frag[key] != mine[key]:
                out.append((key, path))
    return out
