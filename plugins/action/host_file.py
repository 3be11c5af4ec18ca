# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_file: a file on a Python-less host, idempotent by sha256, written atomically through
Remote.write_file. Decisions: module_utils/host/files.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_bytes, to_text

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import fleet as specs
from ansible_collections.nestos.lifecycle.plugins.module_utils.host import files
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import HostAction, check_mode_arg


class ActionModule(HostAction):
    ARGSPEC = specs.HOST_FILE

    def _data(self, args):
        if args["state"] != "present":
            return None
        if args["content"] is None and args["src"] is None:
            raise NestosError("state=present needs content or src", path="content")
        if args["src"] is None:
            return to_bytes(args["content"])
        try:
            local = self._find_needle("files", args["src"])
        except AnsibleError as exc:
            raise NestosError("cannot find %s on the controller: %s" % (args["src"], to_text(exc)), path="src")
        with open(local, "rb") as handle:
            return handle.read()

    def _run(self, args, task_vars, remote):
        path = files.check_path(args["path"])
        mode = check_mode_arg(args["mode"])
        data = self._data(args)
        plan = files.plan_file(path, remote.stat(path), data, mode, args["owner"], args["group"])
        result = {"path": path, "state": args["state"], "changed": plan.changed, "changes": plan.changes}
        if data is not None:
            result["sha256"] = hashlib.sha256(data).hexdigest()
        if self.diff_mode and plan.changed:
            result["diff"] = plan.diff(remote.read_file(path) if plan.st.get("exists") else None)
        if not plan.changed or self.check_mode:
            return result
        if "remove" in plan.changes:
            remote.run(["rm", "-f", "--", path], check=True, what="cannot remove %s" % path)
        elif "content" in plan.changes:
            remote.write_file(path, data, mode=mode, owner=args["owner"], group=args["group"])
        for argv in plan.attribute_commands():
            remote.run(argv, check=True, what="cannot set %s on %s" % (argv[0], path))
        return result
