# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run nosa commands in a workdir with a log file, a status file and a clear failure.

The log gets every line the assembler prints; ``<log>.status.json`` holds the current
step (the last line that looks like a step), so a poller (the role runs long commands
with ``async``) can show progress. On failure the error carries the log's tail and path.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import hashlib
import json
import os
import re
import subprocess
import time

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import atomic_write
from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler.meta import Workdir

# Commands of nestos-assembler 0e6572f5 (cmd/coreos-assembler.go) that this module runs.
KNOWN = set("""init fetch build build-fast buildextend-live buildextend-metal buildextend-metal4k
buildextend-qemu buildextend-openstack buildextend-extensions buildextend-extensions-container
buildextend-legacy-oscontainer buildextend-secex compress uncompress decompress prune clean list
kola kola-run push-container push-container-manifest copy-container tag meta basearch
generate-release-meta runc virt-install""".split())
# Removed in the NestOS fork ("Command X is not applicable to NestOS").
REMOVED = set("""aliyun-replicate aws-replicate buildinitramfs-fast dev-overlay dev-synthesize-osupdate
dev-synthesize-osupdatecontainer koji-upload oc-adm-release powervs-replicate remote-prune sign
update-variant upload-oscontainer buildextend-aliyun buildextend-applehv buildextend-aws
buildextend-azure buildextend-azurestack buildextend-dasd buildextend-digitalocean buildextend-exoscale
buildextend-gcp buildextend-hyperv buildextend-ibmcloud buildextend-kubevirt buildextend-nutanix
buildextend-powervs buildextend-virtualbox buildextend-vmware buildextend-vultr""".split())
READ_ONLY = set(["list", "basearch", "meta", "kola", "kola-run"])
BUILD_TARGETS = set(["container", "ostree", "qemu", "metal", "metal4k", "secex"])
# image key in meta.json that a buildextend command creates
EXTEND_KEYS = {
    "buildextend-live": "live-iso",
    "buildextend-metal": "metal",
    "buildextend-metal4k": "metal4k",
    "buildextend-qemu": "qemu",
    "buildextend-openstack": "openstack",
}
# build targets that add an image to meta.json
EXTEND_TARGETS = {"qemu": "qemu", "metal": "metal", "metal4k": "metal4k"}
STEP_RE = re.compile(r"^(\+ |==> |Running |Committing|Building|Generating|Fetching|Downloading|Compressing|"
                     r"Uncompressing|Writing|Copying|Creating|Pruning|Cloning|Initializing|Skipping|New build|"
                     r"Step )")


def validate_command(command, args):
    if command in REMOVED:
        raise NestosError("Command %s is not applicable to NestOS (removed in nestos-assembler)" % command,
                          path="command")
    if command == "run":
        raise NestosError("nosa run opens an interactive qemu console, which a task cannot hold; boot the build with"
                          " the nestos_build role's run entry point instead (include_role tasks_from: run, with"
                          " nestos_build_run_qemu_image or nestos_build_run_qemu_iso for --qemu-image/--qemu-iso):"
                          " the same machine under plain qemu, the workdir at /var/mnt/workdir (docs/build.md)",
                          path="command")
    if command not in KNOWN:
        raise NestosError("unknown nosa command %r; known commands: %s" % (command, ", ".join(sorted(KNOWN))),
                          path="command")
    if command == "build":
        for arg in args:
            if not arg.startswith("-") and arg not in BUILD_TARGETS and not _is_option_value(args, arg):
                raise NestosError("unknown build target %r; targets are %s" % (arg, ", ".join(sorted(BUILD_TARGETS))),
                                  path="args")


def _is_option_value(args, arg):
    index = args.index(arg)
    return index > 0 and args[index - 1] in ("--tag", "--version", "--parent", "--parent-build")


def plan(workdir, command, args):
    """Decide whether a command has work to do: (run, reason).

    Read-only commands always run and change nothing; ``init`` is skipped in an
    initialised workdir (unless --force); ``buildextend-X`` is skipped when the latest
    build already has the image (unless --force), as nosa itself does.
    """
    wd = Workdir(workdir)
    force = "--force" in args
    if command == "init":
        if wd.is_initialized() and not force:
            return False, "workdir is already initialised (src/config and builds/ exist)"
        return True, "initialise the workdir"
    if command in EXTEND_KEYS and not force:
        if os.path.exists(wd.builds_json) and wd.build_ids():
            build_id = None
            if "--build" in args and args.index("--build") + 1 < len(args):
                build_id = args[args.index("--build") + 1]
            bid, arch = wd.resolve(build_id)
            meta = wd.meta(bid, arch)
            if EXTEND_KEYS[command] in (meta.get("images") or {}):
                return False, "build %s already has the %s image" % (bid, EXTEND_KEYS[command])
    return True, "run nosa %s" % command


STATE_FILE = os.path.join("tmp", "nestos-lifecycle-build-input.json")


def build_input_hash(workdir):
    """Hash of what a build reads from the workdir: src/config and overrides/ (paths, modes, bytes)."""
    digest = hashlib.sha256()
    for sub in ("src/config", "src/config.json", "overrides"):
        top = os.path.join(workdir, sub)
        if os.path.isfile(top):
            with open(top, "rb") as handle:
                digest.update(sub.encode() + b"\0" + handle.read())
            continue
        for root, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d != ".git")
            for name in sorted(files):
                path = os.path.join(root, name)
                digest.update(os.path.relpath(path, workdir).encode() + b"\0")
                try:
                    digest.update(("%o" % (os.lstat(path).st_mode & 0o7777)).encode())
                    if os.path.islink(path):
                        digest.update(os.readlink(path).encode())
                    else:
                        with open(path, "rb") as handle:
                            digest.update(hashlib.sha256(handle.read()).digest())
                except OSError:
                    continue
    return digest.hexdigest()


def record_build_input(workdir):
    """Remember which inputs produced the latest build (for check-mode predictions)."""
    wd = Workdir(workdir)
    try:
        ids = wd.build_ids()
    except NestosError:
        return
    if not ids or not os.path.isdir(os.path.join(workdir, "tmp")):
        return
    write_status(os.path.join(workdir, STATE_FILE), {"input": build_input_hash(workdir), "build": ids[0]})


def predict(workdir, command, args):
    """Check mode: (would change, why). nosa itself is not run."""
    wd = Workdir(workdir)
    if command in READ_ONLY or command == "fetch":
        return False, "%s does not change builds" % command
    if not os.path.exists(wd.builds_json) or not wd.build_ids():
        if command in ("build", "build-fast"):
            return True, "no build yet"
        if command in ("compress", "uncompress", "decompress", "prune", "clean"):
            return False, "no build yet"
        return True, "workdir not built yet"
    for commands, predictor in _PREDICTORS:
        if command in commands:
            return predictor(wd, workdir, command, args)
    return True, "nosa %s may change the workdir" % command


def _predict_build(wd, workdir, _command, args):
    if "--force" in args or "--force-image" in args:
        return True, "--force"
    try:
        with open(os.path.join(workdir, STATE_FILE)) as handle:
            state = json.load(handle)
    except (IOError, OSError, ValueError):
        return True, "inputs of the latest build unknown"
    if not isinstance(state, dict) or state.get("build") != wd.build_ids()[0] \
            or state.get("input") != build_input_hash(workdir):
        return True, "config or overrides changed since the latest build"
    extra = [t for t in args if t in EXTEND_TARGETS]
    bid, arch = wd.resolve()
    images = wd.meta(bid, arch).get("images") or {}
    missing = [t for t in extra if EXTEND_TARGETS[t] not in images]
    if missing:
        return True, "latest build lacks %s" % ", ".join(missing)
    return False, "config and overrides unchanged since build %s (package updates in the repos are not predicted)" % bid


def _option_value(args, flag):
    return args[args.index(flag) + 1] if flag in args and args.index(flag) + 1 < len(args) else None


def _predict_compress(wd, _workdir, command, args):
    only = [args[i + 1] for i, a in enumerate(args) if a == "--artifact" and i + 1 < len(args)]
    bid, arch = wd.resolve(_option_value(args, "--build"))
    images = wd.meta(bid, arch).get("images") or {}
    todo = []
    for key, art in images.items():
        if only and key not in only or art.get("skip-compression"):
            continue
        done = "uncompressed-sha256" in art
        if (command == "compress") != done:
            todo.append(key)
    return bool(todo), ("would %s %s" % (command, ", ".join(sorted(todo)))) if todo else "nothing to %s" % command


def _predict_prune(wd, _workdir, _command, args):
    keep = 3
    for flag in ("--keep-last-n", "--keep"):
        value = _option_value(args, flag)
        if value is not None:
            try:
                keep = int(value)
            except ValueError:
                raise NestosError("%s takes a number, not %r" % (flag, value), path="args")
    count = len(wd.build_ids())
    return count > keep, "%d builds, keeping %d" % (count, keep)


_PREDICTORS = (
    (("build", "build-fast"), _predict_build),
    (("compress", "uncompress", "decompress"), _predict_compress),
    (("prune",), _predict_prune),
    (("clean",), lambda *_a: (True, "builds would be removed")),
)


def tail_file(path, lines=40):
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            data = handle.read().decode("utf-8", "replace")
    except OSError:
        return []
    return data.splitlines()[-lines:]


def default_log(workdir, command):
    """<workdir>/logs/nosa-<command>-<time>.log; for init (which needs an empty workdir)
    <workdir>.nosa-init-<time>.log beside the workdir."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    workdir = os.path.abspath(workdir)
    if command == "init":
        return "%s.nosa-init-%s.log" % (workdir, stamp)
    return os.path.join(workdir, "logs", "nosa-%s-%s.log" % (command, stamp))


def write_status(path, status):
    atomic_write(path, json.dumps(status, sort_keys=True) + "\n", mode=0o644)


def run(nosa, workdir, command, args=None, env=None, log=None, timeout=None, tail_lines=40):
    """Run ``nosa command args…`` in ``workdir``; returns a result dict.

    Raises NestosError (with ``tail`` and ``log`` attributes) when the command fails.
    """
    args = list(args or [])
    workdir = os.path.abspath(workdir)
    if not os.path.isdir(workdir):
        os.makedirs(workdir)
    log = os.path.abspath(log or default_log(workdir, command))
    if not os.path.isdir(os.path.dirname(log)):
        os.makedirs(os.path.dirname(log))
    status_path = log + ".status.json"
    cmd = [nosa, command] + args
    run_env = os.environ.copy()
    run_env.update(dict((k, str(v)) for k, v in (env or {}).items()))
    started = time.time()
    status = {"command": " ".join(cmd), "log": log, "step": "starting", "started": started,
              "elapsed": 0.0, "finished": False, "rc": None, "pid": None}
    last = collections.deque(maxlen=max(1, tail_lines))
    write_status(status_path, status)
    with open(log, "ab") as out:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        header = "# nosa %s (in %s) at %s\n" % (" ".join([command] + args), workdir, stamp)
        out.write(header.encode())
        out.flush()
        try:
            proc = subprocess.Popen(cmd, cwd=workdir, env=run_env, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        except OSError as err:
            raise NestosError("cannot run %s: %s (is the build host prepared? run the build_host role)" % (
                nosa, err.strerror or err), file=nosa)
        status["pid"] = proc.pid
        write_status(status_path, status)
        last_status = time.time()
        for raw in iter(proc.stdout.readline, b""):
            out.write(raw)
            line = raw.decode("utf-8", "replace").rstrip()
            new_step = False
            if line:
                last.append(line)
                if STEP_RE.match(line):
                    status["step"] = line[:200]
                    new_step = True
            now = time.time()
            if new_step or now - last_status > 1.0:
                out.flush()
                status["elapsed"] = round(now - started, 1)
                write_status(status_path, status)
                last_status = now
            if timeout and now - started > timeout:
                proc.kill()
                break
        proc.stdout.close()
        rc = proc.wait()
    elapsed = round(time.time() - started, 2)
    status.update({"finished": True, "rc": rc, "elapsed": elapsed})
    write_status(status_path, status)
    timed_out = bool(timeout and elapsed > timeout and rc != 0)
    result = {"cmd": cmd, "rc": rc, "log": log, "status_file": status_path, "elapsed": elapsed,
              "stdout_tail": list(last)}
    if rc != 0:
        tail = tail_file(log, tail_lines)
        why = "timed out after %ss" % timeout if timed_out else "failed with exit code %d" % rc
        err = NestosError("nosa %s %s; log: %s; last lines:\n%s" % (command, why, log, "\n".join(tail)), file=log)
        err.tail = tail
        err.log = log
        err.rc = rc
        raise err
    return result


def _build_list(workdir):
    wd = Workdir(workdir)
    try:
        return "\n".join(wd.build_ids()) + "\n"
    except NestosError:
        return ""


def execute(params, check_mode=False):
    """The whole `assembler` module: plan, run, compare state, collect facts."""
    result = {"changed": False, "tail": []}
    if params["command"] != "facts":
        _run_command(params, check_mode, result)
    _collect(params, check_mode, result)
    return result


def _run_command(params, check_mode, result):
    workdir, command = params["workdir"], params["command"]
    args = list(params.get("args") or [])
    validate_command(command, args)
    if command == "init" and os.path.isdir(workdir) and not Workdir(workdir).is_initialized() \
            and os.listdir(workdir) and "--force" not in args:
        raise NestosError("init: the workdir is not empty and not a nosa workdir; use an empty folder "
                          "or pass --force", file=workdir)
    wd = Workdir(workdir)
    needed, reason = plan(workdir, command, args)
    before_list = _build_list(workdir)
    if not needed:
        result["skipped_reason"] = reason
    elif check_mode:
        result["changed"], why = predict(workdir, command, args)
        result["msg"] = "would %s (%s)" % (reason, why)
    else:
        before = wd.fingerprint()
        if command == "init" and not os.path.isdir(workdir):
            os.makedirs(workdir)
        run_result = run(params.get("nosa") or "/usr/local/bin/nosa", workdir, command, args,
                         env=params.get("environment"), log=params.get("log"),
                         timeout=params.get("timeout") or None, tail_lines=params.get("tail_lines") or 40)
        result.update({"rc": run_result["rc"], "log": run_result["log"], "elapsed": run_result["elapsed"],
                       "tail": run_result["stdout_tail"], "cmd": run_result["cmd"],
                       "status_file": run_result["status_file"]})
        if command == "init":
            result["changed"] = True
        elif command not in READ_ONLY:
            result["changed"] = wd.fingerprint() != before
        if command in ("build", "build-fast"):
            record_build_input(workdir)
    after_list = _build_list(workdir)
    if before_list != after_list:
        result["diff"] = {"before_header": "builds", "after_header": "builds",
                          "before": before_list, "after": after_list}


def _collect(params, check_mode, result):
    from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler.meta import build_facts

    workdir = params["workdir"]
    collect = params.get("collect", "auto")
    wd = Workdir(workdir)
    has_build = os.path.exists(wd.builds_json) and bool(wd.build_ids())
    if collect == "yes" or (collect == "auto" and has_build):
        if not has_build and not check_mode:
            raise NestosError("no build in this workdir yet; run `nosa build` first", file=wd.builds_json)
        if has_build:
            facts = build_facts(workdir, build_id=params.get("build"), arch=params.get("arch"),
                                verify=params.get("verify", False), schema_path=params.get("schema"))
            result["build"] = facts
            result["ansible_facts"] = {"nestos_build": facts}
