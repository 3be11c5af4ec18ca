# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""butane: translate Butane to Ignition on the controller; optionally write it on the target.

The target may have no Python (NestOS): the file is written through the collection's one
remote writer (``plugin_utils/remote.Remote.write_file``: put_file, ``install -m 0600``, ``mv``),
atomically and with mode 0600. Password hashes and SSH keys are masked in the returned
``ignition``, the diff, warnings and errors (``common/secrets``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_bytes, to_native
from ansible.plugins.action import ActionBase

from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.errors import ButaneError
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.to_ignition import translate
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.secrets import (
    config_secrets, mask_config, redact)
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.butane import BUTANE
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.limits import read_config_file
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import Remote

DEST_MODE = "0600"
_REGULAR = ("regular file", "regular empty file")


class ActionModule(ActionBase):
    TRANSFERS_FILES = True
    _requires_connection = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        try:
            _validation, args = self.validate_argument_spec(**BUTANE)
        except AnsibleError as exc:
            result.update(failed=True, msg=to_native(exc.message if hasattr(exc, "message") else exc))
            return result
        self._secrets = []
        try:
            return self._run(args, result)
        except NestosError as exc:
            result.update(failed=True, msg=str(exc))
            result.update(exc.details())
            return redact(result, self._secrets)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)

    def _find(self, what, name, kind):
        try:
            return self._find_needle(kind, name)
        except AnsibleError as exc:
            raise ButaneError("%s %s not found: %s" % (what, name, to_native(exc)))

    def _source(self, args):
        """(Butane text or dict, name for messages)."""
        if args["src"] is not None:
            src = self._find("src", args["src"], "files")
            return read_config_file(to_bytes(src, errors="surrogate_or_strict"), what="Butane file"), args["src"]
        text = args["content"]
        if not isinstance(text, (dict, str, bytes)):
            raise ButaneError("content must be Butane YAML text or a dictionary")
        return text, "content"

    def _run(self, args, result):
        text, source = self._source(args)
        files_dir = args["files_dir"]
        if files_dir is not None and not os.path.isabs(files_dir):
            files_dir = self._find("files_dir", files_dir, "files")

        translated = translate(text, files_dir=files_dir, strict=args["strict"], pretty=args["pretty"],
                               source=source)
        self._secrets = config_secrets(translated.config)
        # The result is shown at -v: secrets never leave masked (docs/butane.md).
        result["ignition"] = mask_config(translated.config)
        result["changed"] = False
        if translated.warnings:
            result["warnings"] = redact(list(translated.warnings), self._secrets)
        if not args["dest"]:
            return result

        dest = args["dest"]
        if not dest.startswith("/"):
            raise ButaneError("dest must be an absolute path on the target", file=dest)
        data = translated.output()
        result["dest"] = dest
        remote = Remote(self)
        before_mode, before = self._read_remote(remote, dest)
        changed = before != data or before_mode != DEST_MODE
        result["changed"] = changed
        if self._play_context.diff:
            result["diff"] = self._diff(dest, before, before_mode, translated)
        if changed and not self._play_context.check_mode:
            remote.write_file(dest, data, mode=DEST_MODE)
        return result

    def _diff(self, dest, before, before_mode, translated):
        before_secrets = config_secrets(before) if before else []
        self._secrets = sorted(set(self._secrets) | set(before_secrets), key=lambda s: (-len(s), s))

        def render(text):
            if text is None:
                return ""
            try:
                return json.dumps(mask_config(json.loads(text)), indent=2) + "\n"
            except ValueError:
                return "<%d bytes that are not JSON>\n" % len(text)
        after = json.dumps(mask_config(translated.config), indent=2) + "\n"
        out = {"before": render(before), "after": after,
               "before_header": "%s (mode %s)" % (dest, before_mode or "-"),
               "after_header": "%s (mode %s)" % (dest, DEST_MODE)}
        return redact(out, self._secrets)

    @staticmethod
    def _read_remote(remote, dest):
        """(mode as 4 octal digits, content) of dest on the target, (None, None) when absent;
        anything but a regular file is refused (never replaced)."""
        st = remote.stat(dest)
        if not st["exists"]:
            return None, None
        if st["type"] not in _REGULAR:
            raise ButaneError("destination is a %s on the target, not a regular file; refusing to replace it"
                              % st["type"], file=dest)
        return st["mode"], remote.read_file(dest)
