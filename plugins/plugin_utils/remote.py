# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Work on a host that has no Python: plain shell commands over the task's connection.

Every action plugin of the collection that touches a NestOS host goes through
:class:`Remote`: commands run with ``_low_level_execute_command`` (become/sudo applied by
Ansible), files are copied with ``put_file`` and moved into place with
``install -m MODE -o OWNER -g GROUP`` + ``mv`` (same folder, so the rename is atomic),
checksums come from ``sha256sum``. Nothing on the host needs Python.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shlex
import tempfile
import time

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_bytes
from ansible.plugins.action import ActionBase

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import messages
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host.status import Status
from ansible_collections.nestos.lifecycle.plugins.module_utils.rollout import script as phase_script

ABSENT = "__NESTOS_ABSENT__"


class CommandResult(object):
    def __init__(self, argv, rc, stdout, stderr):
        self.argv = argv
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr

    @property
    def ok(self):
        return self.rc == 0

    def as_dict(self):
        return {"cmd": self.argv, "rc": self.rc, "stdout": self.stdout, "stderr": self.stderr}


def kinded(error, kind):
    """Tag a NestosError with an ``error_kind`` for the task result."""
    error.kind = kind
    return error


class HostCommandError(NestosError):
    """A command failed on the host; ``kind`` classifies rpm-ostree's message."""

    def __init__(self, result, message=None):
        msg, kind = messages.command_failure(result.argv, result.rc, result.stdout, result.stderr)
        super(HostCommandError, self).__init__(message + ": " + msg if message else msg)
        self.result = result
        self.kind = kind


def check_mode_arg(mode, path="mode"):
    """An octal file mode as a 4-digit string; symbolic modes are refused."""
    text = str(mode).strip()
    if not text or any(c not in "01234567" for c in text) or len(text) > 4:
        raise NestosError("mode must be octal digits such as 0644, got %r" % (mode,), path=path)
    return text.zfill(4)


def quote(argv):
    if isinstance(argv, str):
        return argv
    return " ".join(shlex.quote(str(a)) for a in argv)


class Remote(object):
    """Commands, files and facts on the task's host, without Python there."""

    def __init__(self, action):
        self.action = action
        self.commands = []          # every command line sent, for results and benchmarks
        self.sessions = 0           # shell sessions opened by session()

    # ---- commands ----------------------------------------------------------------------
    def run(self, argv, sudoable=True, check=False, in_data=None, what=None):
        cmd = quote(argv)
        self.commands.append(cmd)
        self.sessions += 1
        res = self.action._low_level_execute_command(cmd, sudoable=sudoable, in_data=in_data)
        result = CommandResult(argv, res.get("rc", 0), res.get("stdout", ""), res.get("stderr", ""))
        if check and result.rc != 0:
            raise HostCommandError(result, what)
        return result

    def session(self, steps, expected=None):
        """Run several steps in ONE shell session (one ssh session) and return their sections
        ({name: Section}), parsed on the controller. ``expected``: step names whose end must be
        seen (default: all); a session cut short raises NestosError."""
        nonce = phase_script.new_nonce()
        text = phase_script.render(steps, nonce)
        self.commands.append("session: " + ", ".join(s.name for s in steps))
        self.sessions += 1
        res = self.action._low_level_execute_command(text, sudoable=True)
        names = [s.name for s in steps] if expected is None else expected
        return phase_script.parse(res.get("stdout", "") or "", nonce, names)

    def status(self):
        """``rpm-ostree status --json`` parsed into a Status."""
        res = self.run(["rpm-ostree", "status", "--json"], check=True, what="cannot read the deployments")
        return Status.from_json(res.stdout)

    def wait_idle(self, status, timeout, delay=5):
        """Poll status while a transaction is active, up to ``timeout`` seconds."""
        deadline = time.time() + (timeout or 0)
        while status.busy:
            if time.time() >= deadline:
                raise kinded(NestosError("rpm-ostree is busy: Transaction in progress: %s (waited %ss; raise "
                                         "busy_timeout or run `rpm-ostree cancel`)"
                                         % (status.transaction_text(), timeout or 0)), "busy")
            time.sleep(delay)
            status = self.status()
        return status

    # ---- files -------------------------------------------------------------------------
    def stat(self, path):
        """{'exists', 'sha256', 'mode', 'owner', 'group', 'type'} via sha256sum/stat."""
        p = shlex.quote(path)
        cmd = ("if [ -e %s ] || [ -L %s ]; then stat -c '%%a %%U %%G %%u %%g %%F' -- %s && "
               "{ [ -f %s ] && sha256sum -- %s || echo -; }; else echo %s; fi" % (p, p, p, p, p, ABSENT))
        res = self.run(cmd)
        if res.rc != 0:
            raise HostCommandError(res, "cannot inspect %s" % path)
        lines = res.stdout.strip().splitlines()
        if not lines or lines[-1].strip() == ABSENT:
            return {"exists": False}
        head = lines[0].split(" ", 5)
        if len(head) < 6:
            raise NestosError("unexpected output of stat for %s: %r" % (path, res.stdout))
        sha = lines[1].split()[0] if len(lines) > 1 and lines[1].strip() != "-" else None
        return {"exists": True, "mode": head[0].zfill(4), "owner": head[1], "group": head[2],
                "oid": head[3], "gid": head[4], "type": head[5], "sha256": sha}

    def read_file(self, path):
        """Text of ``path``, or None when it does not exist."""
        p = shlex.quote(path)
        res = self.run("if [ -e %s ]; then cat -- %s; else echo %s >&2; exit 3; fi" % (p, p, ABSENT))
        if res.rc == 3 and ABSENT in res.stderr:
            return None
        if res.rc != 0:
            raise HostCommandError(res, "cannot read %s" % path)
        return res.stdout

    def write_file(self, path, data, mode="0644", owner=None, group=None):
        """Copy ``data`` to ``path`` atomically: put_file to a private temp dir, then
        ``install`` into a temp name beside ``path`` and ``mv`` over it."""
        action = self.action
        data = to_bytes(data)
        fd, local = tempfile.mkstemp(prefix="nestos-put-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            tmpdir = action._connection._shell.tmpdir or action._make_tmp_path()
            remote_src = action._connection._shell.join_path(tmpdir, "content")
            action._transfer_file(local, remote_src)
            self.commands.append("put_file %s" % remote_src)
            folder = os.path.dirname(path) or "/"
            tmp_dest = os.path.join(folder, ".%s.nestos-tmp" % os.path.basename(path))
            argv = ["install", "-m", mode]
            if owner:
                argv += ["-o", owner]
            if group:
                argv += ["-g", group]
            argv += ["--", remote_src, tmp_dest]
            cmd = "%s && mv -f -- %s %s || { rc=$?; rm -f -- %s; exit $rc; }" % (
                quote(argv), shlex.quote(tmp_dest), shlex.quote(path), shlex.quote(tmp_dest))
            res = self.run(cmd)
            if res.rc != 0:
                raise HostCommandError(res, "cannot write %s" % path)
        finally:
            os.unlink(local)
            try:
                if action._connection._shell.tmpdir:
                    action._remove_tmp_path(action._connection._shell.tmpdir)
            except AnsibleError:
                pass

    def boot_id(self):
        res = self.run(["cat", "/proc/sys/kernel/random/boot_id"], sudoable=False)
        if res.rc != 0 or not res.stdout.strip():
            raise HostCommandError(res, "cannot read the boot id")
        return res.stdout.strip()


class connection_timeout(object):
    """``with connection_timeout(action, 10):`` lowers the connection's timeout while waiting
    for a rebooting host, and puts the old value back."""

    def __init__(self, action, value):
        self.action = action
        self.value = value
        self.option = None
        self.old = None

    def __enter__(self):
        conn = self.action._connection
        for option in ("connection_timeout", "timeout"):
            try:
                self.old = conn.get_option(option)
                conn.set_option(option, self.value)
                self.option = option
                break
            except (AnsibleError, KeyError, AttributeError):
                continue
        return self

    def __exit__(self, exc_type, exc, tb):
        if self.option:
            try:
                self.action._connection.set_option(self.option, self.old)
            except (AnsibleError, KeyError):
                pass
        return False


class HostAction(ActionBase):
    """Base for actions on Python-less hosts: validate options against the argument spec
    shared with the docs module, run ``_run`` with a Remote, turn NestosError into a clean
    failure that names the field and quotes the host's message."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False
    ARGSPEC = None          # {'argument_spec': {...}, 'mutually_exclusive': [...], ...}

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(HostAction, self).run(tmp, task_vars)
        del tmp
        spec = dict(self.ARGSPEC or {})
        _dummy, args = self.validate_argument_spec(**spec)
        remote = Remote(self)
        self.check_mode = bool(self._task.check_mode)
        self.diff_mode = bool(self._task.diff)
        try:
            result.update(self._run(args, task_vars, remote))
        except HostCommandError as exc:
            result.update(failed=True, msg=str(exc), error_kind=exc.kind, rc=exc.result.rc,
                          stdout=exc.result.stdout, stderr=exc.result.stderr)
        except NestosError as exc:
            result.update(failed=True, msg=str(exc), **exc.details())
            if getattr(exc, "kind", None):
                result["error_kind"] = exc.kind
        result.setdefault("changed", False)
        result["host_commands"] = list(remote.commands)
        return result

    def _run(self, args, task_vars, remote):
        raise NotImplementedError

    def _execute(self, remote, plan, busy_timeout=0, delay=5):
        """Run the plan's commands; a busy daemon is waited for (up to ``busy_timeout``)
        and the command retried. Returns the status read afterwards."""
        for argv in plan.commands:
            deadline = time.time() + (busy_timeout or 0)
            while True:
                res = remote.run(argv)
                if res.rc == 0:
                    break
                err = HostCommandError(res)
                if err.kind == "busy" and time.time() < deadline:
                    time.sleep(delay)
                    continue
                raise err
        return remote.status()

    def _carry_out(self, remote, plan, busy_timeout):
        """The deployments result of a plan: predicted when nothing changes or in check mode,
        else the plan is executed and the status read back."""
        if not plan.changed or self.check_mode:
            return self._deployments_result(plan)
        return self._deployments_result(plan, self._execute(remote, plan, busy_timeout))

    def _deployments_result(self, plan, after_status=None):
        """changed/commands/msg plus before/after deployments and, in diff mode, the diff."""
        out = plan.result()
        if after_status is not None:
            out["deployments_after"] = after_status.labels()
            out["reboot_required"] = after_status.pending_reboot
        if self.diff_mode:
            diff = plan.diff()
            if after_status is not None:
                diff["after"] = "\n".join(after_status.labels()) + "\n"
                diff["after_header"] = "deployments (rpm-ostree status after)"
            out["diff"] = diff
        return out
