"""Harness for the host action plugins: a fake connection that records every command line
and replays outputs (captured real rpm-ostree documents, or documents a test derives from
them). It stands in for an SSH connection only; the end-to-end proof against sshd hosts is
the fleet lab (tests/integration/fleet). It reads no fixtures itself: the tests that replay
upstream rpm-ostree documents load them with tests/conformance/ostree_host/upstream_status.py."""
import copy
import json
import re
import shlex

from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.plugins.loader import shell_loader
from ansible.template import Templar


def with_new_deployment(doc, checksum, staged=True, **keys):
    """A copy of ``doc`` with a new deployment (based on the booted one) on top, as rpm-ostree
    writes it after a rebase/upgrade/install: the previous pending deployment is replaced."""
    doc = copy.deepcopy(doc)
    deps = doc["deployments"]
    booted_i = [i for i, d in enumerate(deps) if d.get("booted")][0]
    new = copy.deepcopy(deps[booted_i])
    new.update(booted=False, staged=staged, checksum=checksum,
               id="%s-%s.0" % (new["osname"], checksum))
    for key, value in keys.items():
        if value is None:
            new.pop(key, None)
        else:
            new[key] = value
    doc["deployments"] = [new] + deps[booted_i:]
    return doc


class Reply(object):
    def __init__(self, rc=0, stdout="", stderr="", raise_exc=None, effect=None, func=None):
        self.rc, self.stdout, self.stderr, self.raise_exc, self.effect = rc, stdout, stderr, raise_exc, effect
        self.func = func


def _mktemp_reply(inner):
    """What the shell prints for ActionBase._make_tmp_path's mkdir command."""
    base = re.search(r"(ansible-tmp-[0-9.\-_]+)=", inner).group(1)
    return 0, "%s=/home/core/.ansible/tmp/%s\n" % (base, base), ""


class FakeConnection(object):
    """Enough of a connection plugin for ActionBase._low_level_execute_command."""
    transport = "fake"
    allow_executable = True
    become = None
    has_pipelining = False

    def __init__(self):
        self._shell = shell_loader.get("sh")
        self._shell.set_options()
        self.rules = []
        self.commands = []      # inner command lines, in order
        self.raw_commands = []  # what exec_command received
        self.files = {}         # remote path -> bytes written by put_file
        self.resets = 0
        self.options = {"remote_user": "core", "connection_timeout": 10}
        # ActionBase._make_tmp_path / _remove_tmp_path, used when a file is copied
        self.on(r"^echo ~", Reply(0, "/home/core\n"))
        self.on(r"umask 77 && mkdir", Reply(func=_mktemp_reply))
        self.on(r"^rm -f -r ", Reply(0, ""))

    def on(self, pattern, *replies):
        """Reply to commands matching regex ``pattern`` with ``replies`` in turn (last one repeats)."""
        self.rules.append([re.compile(pattern), list(replies)])
        return self

    def get_option(self, name):
        return self.options[name]

    def set_option(self, name, value):
        self.options[name] = value

    def reset(self):
        self.resets += 1

    def put_file(self, src, dest):
        with open(src, "rb") as handle:
            self.files[dest] = handle.read()

    def exec_command(self, cmd, in_data=None, sudoable=True):
        self.raw_commands.append(cmd)
        inner = cmd
        parts = shlex.split(cmd)
        if len(parts) == 3 and parts[1] == "-c":
            inner = parts[2]
        inner = re.sub(r"\s*(;|&&)\s*sleep 0$", "", inner)
        self.commands.append(inner)
        for rule in self.rules:
            if rule[0].search(inner):
                reply = rule[1].pop(0) if len(rule[1]) > 1 else rule[1][0]
                if reply.effect:
                    reply.effect(inner)
                if reply.raise_exc is not None:
                    raise reply.raise_exc
                if reply.func is not None:
                    rc, out, err = reply.func(inner)
                    return rc, out.encode(), err.encode()
                return reply.rc, reply.stdout.encode(), reply.stderr.encode()
        raise AssertionError("unexpected command on the fake host: %r" % inner)


def status_reply(doc):
    return Reply(0, json.dumps(doc, indent=2))


def make_action(name, args, conn, check_mode=False, diff=False):
    """Load the collection's action plugin ``name`` wired to ``conn``."""
    import importlib
    module = importlib.import_module("ansible_collections.nestos.lifecycle.plugins.action.%s" % name)
    task = Task()
    task.action = "nestos.lifecycle.%s" % name
    task.args = dict(args)
    task.check_mode = check_mode
    task.diff = diff
    pc = PlayContext()
    loader = DataLoader()
    templar = Templar(loader=loader)
    action = module.ActionModule(task, conn, pc, loader, templar, None)
    action._load_name = "nestos.lifecycle.%s" % name
    return action


def run_action(name, args, conn, check_mode=False, diff=False, task_vars=None):
    action = make_action(name, args, conn, check_mode=check_mode, diff=diff)
    return action.run(task_vars=task_vars or {"inventory_hostname": "node1"})
