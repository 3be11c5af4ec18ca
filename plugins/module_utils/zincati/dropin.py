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
