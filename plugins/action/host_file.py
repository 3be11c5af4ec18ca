# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_file: a file on a Python-less host, idempotent by sha256, written atomically."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import posixpath

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_bytes, to_text

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import fleet as specs
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import HostAction, HostCommandError, check_mode_arg

DIFF_LIMIT = 64 * 1024


class ActionModule(HostAction):
    ARGSPEC = specs.HOST_FILE

    def _run(self, args, task_vars, remote):
        path = args["path"]
        if not posixpath.isabs(path) or path.endswith("/"):
            raise NestosError("path must be an absolute file path on the host, got %r" % path, path="path")
        mode = check_mode_arg(args["mode"])
        present = args["state"] == "present"
        data = None
        if present:
            if args["content"] is None and args["src"] is None:
                raise NestosError("state=present needs content or src", path="content")
            if args["src"] is not None:
                try:
                    local = self._find_needle("files", args["src"])
                except AnsibleError as exc:
                    raise NestosError("cannot find %s on the controller: %s" % (args["src"], to_text(exc)), path="src")
                with open(local, "rb") as handle:
                    data = handle.read()
            else:
                data = to_bytes(args["content"])
        st = remote.stat(path)
        if st.get("exists") and not st["type"].startswith("regular"):
            raise NestosError("%s exists and is a %s, not a regular file" % (path, st["type"]), path="path")
        result = {"path": path, "state": args["state"]}
        actions = []
        if present:
            sha = hashlib.sha256(data).hexdigest()
            result["sha256"] = sha
            if not st.get("exists") or st.get("sha256") != sha:
                actions.append("content")
            else:
                if int(st["mode"], 8) != int(mode, 8):
                    actions.append("mode")
                if not _same(st, "owner", "oid", args["owner"]) or not _same(st, "group", "gid", args["group"]):
                    actions.append("owner")
        elif st.get("exists"):
            actions.append("remove")
        result["changed"] = bool(actions)
        result["changes"] = actions
        if self.diff_mode and result["changed"]:
            result["diff"] = self._diff(remote, path, st, data, mode, args)
        if not actions or self.check_mode:
            return result
        if "remove" in actions:
            res = remote.run(["rm", "-f", "--", path])
            if res.rc != 0:
                raise HostCommandError(res, "cannot remove %s" % path)
        elif "content" in actions:
            remote.write_file(path, data, mode=mode, owner=args["owner"], group=args["group"])
        else:
            cmds = []
            if "mode" in actions:
                cmds.append(["chmod", mode, "--", path])
            if "owner" in actions:
                cmds.append(["chown", "%s:%s" % (args["owner"], args["group"]), "--", path])
            for argv in cmds:
                res = remote.run(argv)
                if res.rc != 0:
                    raise HostCommandError(res, "cannot set %s on %s" % (argv[0], path))
        return result

    def _diff(self, remote, path, st, data, mode, args):
        before_attrs = "mode %s owner %s:%s\n" % (st["mode"], st["owner"], st["group"]) if st.get("exists") else ""
        after_attrs = "mode %s owner %s:%s\n" % (mode, args["owner"], args["group"]) if data is not None else ""
        diff = {"before_header": path, "after_header": path}
        before = ""
        if st.get("exists"):
            text = remote.read_file(path)
            before = text if text is not None and len(text) <= DIFF_LIMIT else "(%s, not shown)" % path
        after = ""
        if data is not None:
            try:
                after = data.decode("utf-8") if len(data) <= DIFF_LIMIT else "(%d bytes, not shown)" % len(data)
            except UnicodeDecodeError:
                after = "(binary, %d bytes)" % len(data)
        diff["before"] = before_attrs + before
        diff["after"] = after_attrs + after
        return diff


def _same(st, name_key, id_key, want):
    return want is None or str(want) in (st.get(name_key), st.get(id_key))
