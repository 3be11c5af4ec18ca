# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The zincati action's planner: from the wanted settings, the drop-ins the host has (listing)
and the stat of ours, whether the drop-in changes, what Zincati's effective configuration
becomes, and which of our keys a later drop-in overrides. The action writes or removes the
file through Remote.write_file and restarts Zincati."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import posixpath

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.zincati import config, toml

from typing import Any, Dict, List, Optional


def dropin_path(folder: str, name: str) -> str:
    if "/" in name or not name.endswith(".toml"):
        raise NestosError("name must be a file name ending in .toml (Zincati ignores other files), got %r"
                          % name, path="name")
    return posixpath.join(folder.rstrip("/") or "/", name)


def listing_folders(folder: str) -> List[str]:
    folder = folder.rstrip("/") or "/"
    return list(config.DIRS) + ([folder] if folder not in config.DIRS else [])


def _same_id(st, key, want):
    return want is None or str(want) in (st.get(key), st.get(key[0] + "id"))


def _parse(text, path, warnings):
    try:
        return toml.loads(text or "", path)
    except NestosError as exc:
        warnings.append("cannot read %s: %s" % (path, exc))
        return {}


class DropinPlan(object):
    def __init__(self, path, cfg, content, changed, files, warnings):
        self.path = path
        self.cfg = cfg
        self.content = content            # None: the drop-in must be absent
        self.changed = changed
        self.before = files.get(path)
        after = dict(files)
        if content is None:
            after.pop(path, None)
        else:
            after[path] = content
        self.dropins = config.effective_order(after)
        self.warnings = warnings
        self.effective = config.merge([_parse(after[p], p, warnings) for p in self.dropins])

    def result(self) -> Dict[str, Any]:
        out = {"path": self.path, "changed": self.changed, "config": self.cfg, "effective": self.effective,
               "content": self.content, "dropins": self.dropins}
        if self.warnings:
            out["warnings"] = self.warnings
        return out

    def diff(self) -> Dict[str, str]:
        return {"before": self.before or "", "after": self.content or "", "before_header": self.path,
                "after_header": self.path}


def plan_dropin(path: str,
                cfg: Dict[str, Any],
                warnings: List[str],
                present: bool,
                files: Dict[str, str],
                st: Dict[str, Any],
                mode: str,
                owner: Optional[str],
                group: Optional[str]) -> DropinPlan:
    """``files``: the host's drop-ins ({path: text}); ``st``: Remote.stat of ``path``."""
    warnings = list(warnings)
    if not st.get("exists"):
        files = dict((p, t) for p, t in files.items() if p != path)
    if not present:
        return DropinPlan(path, cfg, None, bool(st.get("exists")), files, warnings)
    content = config.render(cfg)
    want = hashlib.sha256(content.encode("utf-8")).hexdigest()
    changed = (not st.get("exists") or st.get("sha256") != want or int(st["mode"], 8) != int(mode, 8)
               or not _same_id(st, "owner", owner) or not _same_id(st, "group", group))
    for key, other in config.overridden(files, path, cfg):
        warnings.append("%s set here is overridden by %s, which Zincati reads later" % (key, other))
    return DropinPlan(path, cfg, content, changed, files, warnings)


# ---- log verbosity: a systemd drop-in for zincati.service -----------------------------------
# zincati's dist/systemd/system/zincati.service runs `/usr/libexec/zincati agent ${ZINCATI_VERBOSITY}`
# with Environment=ZINCATI_VERBOSITY="-v" (info); upstream docs/usage/logging.md raises it with a
# drop-in in /etc/systemd/system/zincati.service.d/ setting ZINCATI_VERBOSITY="-vv" (debug) or
# "-vvv" (trace, development only).
UNIT_DROPIN_DIR = "/etc/systemd/system/zincati.service.d"
VERBOSITY_DROPIN = "10-nestos-lifecycle-verbosity.conf"
VERBOSITY = {"info": "-v", "debug": "-vv", "trace": "-vvv"}
VERBOSITY_CHOICES = ["default", "info", "debug", "trace"]


def verbosity_content(level: str) -> Optional[str]:
    """The drop-in text for ``level``; None for ``default`` (the drop-in is removed, the unit's
    own -v applies)."""
    if level == "default":
        return None
    if level not in VERBOSITY:
        raise NestosError("log_verbosity must be one of %s, got %r" % (", ".join(VERBOSITY_CHOICES), level),
                          path="log_verbosity")
    return ("# nestos.lifecycle.zincati log_verbosity=%s (upstream docs/usage/logging.md)\n"
            "[Service]\nEnvironment=ZINCATI_VERBOSITY=\"%s\"\n" % (level, VERBOSITY[level]))


class VerbosityPlan(object):
    def __init__(self, path, level, content, changed, before):
        self.path = path
        self.level = level
        self.content = content            # None: the drop-in must be absent
        self.changed = changed
        self.before = before

    def result(self) -> Dict[str, Any]:
        return {"path": self.path, "log_verbosity": self.level, "changed": self.changed,
                "flags": VERBOSITY.get(self.level, "-v")}

    def diff(self) -> Dict[str, str]:
        return {"before": self.before or "", "after": self.content or "", "before_header": self.path,
                "after_header": self.path}


def plan_verbosity(level: str, st: Dict[str, Any], before: Optional[str], folder: str = UNIT_DROPIN_DIR,
                   name: str = VERBOSITY_DROPIN) -> VerbosityPlan:
    """``st``: Remote.stat of the drop-in; ``before``: its text (None when absent). Changed when the
    content, mode 0644 or root ownership differ, or when it exists and ``default`` is asked."""
    path = posixpath.join(folder, name)
    content = verbosity_content(level)
    if content is None:
        return VerbosityPlan(path, level, None, bool(st.get("exists")), before)
    want = hashlib.sha256(content.encode("utf-8")).hexdigest()
    changed = (not st.get("exists") or st.get("sha256") != want or int(st.get("mode", "0"), 8) != 0o644
               or not _same_id(st, "owner", "root") or not _same_id(st, "group", "root"))
    return VerbosityPlan(path, level, content, changed, before if st.get("exists") else None)
