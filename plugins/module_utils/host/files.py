# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A file on a Python-less host: from the remote ``stat`` (sha256, mode, owner) and the wanted
content, what changes (content / mode / owner / remove) and the diff. The host_file action
only reads the stat and carries the plan out (Remote.write_file, chmod, chown, rm)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import posixpath

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

from typing import Any, Dict, List, Optional

DIFF_LIMIT = 64 * 1024


def check_path(path: str) -> str:
    if not posixpath.isabs(path) or path.endswith("/"):
        raise NestosError("path must be an absolute file path on the host, got %r" % path, path="path")
    return path


def _same(st, name_key, id_key, want):
    return want is None or str(want) in (st.get(name_key), st.get(id_key))


class FilePlan(object):
    def __init__(self, path, st, data, mode, owner, group, changes):
        self.path = path
        self.st = st
        self.data = data
        self.mode = mode
        self.owner = owner
        self.group = group
        self.changes = changes            # subset of content, mode, owner, remove

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def attribute_commands(self) -> List[List[str]]:
        cmds = []
        if "mode" in self.changes:
            cmds.append(["chmod", self.mode, "--", self.path])
        if "owner" in self.changes:
            cmds.append(["chown", "%s:%s" % (self.owner, self.group), "--", self.path])
        return cmds

    def diff(self, before_text: Optional[str]) -> Dict[str, str]:
        """``before_text``: the file's current text (None when it cannot be read)."""
        st = self.st
        before_attrs = "mode %s owner %s:%s\n" % (st["mode"], st["owner"], st["group"]) if st.get("exists") else ""
        after_attrs = "mode %s owner %s:%s\n" % (self.mode, self.owner, self.group) if self.data is not None else ""
        before = ""
        if st.get("exists"):
            before = before_text if before_text is not None and len(before_text) <= DIFF_LIMIT else \
                "(%s, not shown)" % self.path
        after = ""
        if self.data is not None:
            try:
                after = self.data.decode("utf-8") if len(self.data) <= DIFF_LIMIT else \
                    "(%d bytes, not shown)" % len(self.data)
            except UnicodeDecodeError:
                after = "(binary, %d bytes)" % len(self.data)
        return {"before_header": self.path, "after_header": self.path,
                "before": before_attrs + before, "after": after_attrs + after}


def plan_file(path: str,
              st: Dict[str, Any],
              data: Optional[bytes],
              mode: str,
              owner: Optional[str],
              group: Optional[str]) -> FilePlan:
    """``data`` None = the file must be absent. Only a regular file is ever replaced."""
    if st.get("exists") and not st["type"].startswith("regular"):
        raise NestosError("%s exists and is a %s, not a regular file" % (path, st["type"]), path="path")
    changes = []
    if data is None:
        if st.get("exists"):
            changes.append("remove")
    elif not st.get("exists") or st.get("sha256") != hashlib.sha256(data).hexdigest():
        changes.append("content")
    else:
        if int(st["mode"], 8) != int(mode, 8):
            changes.append("mode")
        if not _same(st, "owner", "oid", owner) or not _same(st, "group", "gid", group):
            changes.append("owner")
    return FilePlan(path, st, data, mode, owner, group, changes)
