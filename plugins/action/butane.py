# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""butane: translate Butane to Ignition on the controller; optionally write it on the target.

The target may have no Python (NestOS): the file is written with ``put_file`` and plain
shell commands (mktemp, cat, chmod, mv), atomically and with mode 0600.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shlex
import tempfile

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible.plugins.action import ActionBase

from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.errors import ButaneError
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.specs import BUTANE
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.translate import translate
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

_MARK = "NESTOS-BUTANE-STATE"


def _mask_secrets(config):
    """A copy of the config for diff output with password hashes masked."""
    out = json.loads(json.dumps(config))
    for user in (out.get("passwd") or {}).get("users") or []:
        if user.get("passwordHash"):
            user["passwordHash"] = "********"
    for group in (out.get("passwd") or {}).get("groups") or []:
        if group.get("passwordHash"):
            group["passwordHash"] = "********"
    return out


class ActionModule(ActionBase):
    TRANSFERS_FILES = True
    _requires_connection = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        try:
            validation, args = self.validate_argument_spec(**BUTANE)
        except AnsibleError as exc:
            result.update(failed=True, msg=to_native(exc.message if hasattr(exc, "message") else exc))
            return result
        try:
            return self._run(args, result)
        except NestosError as exc:
            result.update(failed=True, msg=str(exc))
            result.update(exc.details())
            return result
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)

    def _find(self, what, name, kind):
        try:
            return self._find_needle(kind, name)
        except AnsibleError as exc:
            raise ButaneError("%s %s not found: %s" % (what, name, to_native(exc)))

    def _run(self, args, result):
        if args["src"] is not None:
            src = self._find("src", args["src"], "files")
            try:
                with open(to_bytes(src, errors="surrogate_or_strict"), "rb") as handle:
                    text = handle.read()
            except (IOError, OSError) as exc:
                raise ButaneError("cannot read: %s" % exc.strerror, file=src)
            source = args["src"]
        else:
            text = args["content"]
            if not isinstance(text, (dict, str, bytes)):
                raise ButaneError("content must be Butane YAML text or a dictionary")
            source = "content"
        files_dir = args["files_dir"]
        if files_dir is not None and not os.path.isabs(files_dir):
            files_dir = self._find("files_dir", files_dir, "files")

        translated = translate(text, files_dir=files_dir, strict=args["strict"], pretty=args["pretty"],
                               source=source)
        warnings = translated.warnings
        result["ignition"] = translated.config
        result["changed"] = False
        if warnings:
            result["warnings"] = list(warnings)
        if not args["dest"]:
            return result

        dest = args["dest"]
        if not dest.startswith("/"):
            raise ButaneError("dest must be an absolute path on the target", file=dest)
        data = translated.output()
        result["dest"] = dest
        before_mode, before = self._read_remote(dest)
        changed = before != data or before_mode != "600"
        result["changed"] = changed
        if self._play_context.diff:
            result["diff"] = self._diff(dest, before, before_mode, translated)
        if changed and not self._play_context.check_mode:
            self._write_remote(dest, data)
        return result

    def _diff(self, dest, before, before_mode, translated):
        def render(text):
            if text is None:
                return ""
            try:
                return json.dumps(_mask_secrets(json.loads(text)), indent=2, sort_keys=False) + "\n"
            except ValueError:
                return "<%d bytes that are not JSON>\n" % len(text)
        after = json.dumps(_mask_secrets(translated.config), indent=2) + "\n"
        out = {"before": render(before), "after": after, "before_header": "%s (mode %s)" % (dest, before_mode or "-"),
               "after_header": "%s (mode 600)" % dest}
        return out

    def _shell(self, cmd, what):
        res = self._low_level_execute_command(cmd, sudoable=True)
        if res.get("rc") != 0:
            detail = to_text(res.get("stderr") or res.get("stdout")).strip()
            raise ButaneError("%s failed (rc=%s): %s" % (what, res.get("rc"), detail))
        return to_text(res.get("stdout", ""), errors="surrogate_or_strict")

    def _read_remote(self, dest):
        """(mode as octal text, content) of dest on the target, (None, None) when absent."""
        q = shlex.quote(dest)
        cmd = ("if [ -f %s ]; then printf '%s %%s\\n' \"$(stat -c %%a %s)\"; cat %s; "
               "elif [ -e %s ]; then echo 'not a regular file' >&2; exit 3; else echo '%s ABSENT'; fi"
               % (q, _MARK, q, q, q, _MARK))
        out = self._shell("/bin/sh -c %s" % shlex.quote(cmd), "reading %s" % dest)
        first, _sep, rest = out.partition("\n")
        if not first.startswith(_MARK + " "):
            raise ButaneError("unexpected answer while reading %s on the target" % dest)
        state = first[len(_MARK) + 1:]
        if state == "ABSENT":
            return None, None
        return state, rest

    def _write_remote(self, dest, data):
        fd, local = tempfile.mkstemp(prefix="nestos-butane-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data.encode("utf-8"))
            tmpdir = self._make_tmp_path()
            remote_src = self._connection._shell.join_path(tmpdir, "ignition.json")
            self._transfer_file(local, remote_src)
            self._fixup_perms2((tmpdir, remote_src))
        finally:
            os.unlink(local)
        q = shlex.quote(dest)
        cmd = ("umask 077 && d=$(dirname %s) && b=$(basename %s) && t=$(mktemp \"$d/.$b.XXXXXX\") && "
               "{ cat %s > \"$t\" && chmod 0600 \"$t\" && mv -f \"$t\" %s; } || { rc=$?; rm -f \"$t\"; exit $rc; }"
               % (q, q, shlex.quote(remote_src), q))
        self._shell("/bin/sh -c %s" % shlex.quote(cmd), "writing %s" % dest)
