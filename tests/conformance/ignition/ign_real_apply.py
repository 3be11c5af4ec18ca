"""Run the real Ignition binary (Debian's ignition 2.14.0) on a config and snapshot what it wrote.

Ignition applies a config to a directory tree on the host with ``-platform file -stage
fetch-offline`` then ``-stage files -root DIR`` (see shared/reference/ci-machine.md): the
root needs etc/passwd, group, shadow, gshadow and an SELinux config, and a no-op
``setfiles`` must come first on PATH because Debian's build always relabels.
"""
import json
import os
import shutil
import stat
import subprocess
import tempfile

IGNITION = "/usr/lib/dracut/modules.d/30ignition/ignition"


class IgnitionFailed(AssertionError):
    pass


def _prepare(work):
    root = os.path.join(work, "root")
    os.makedirs(os.path.join(root, "etc", "selinux"))
    for name in ("passwd", "group", "shadow", "gshadow"):
        shutil.copy("/etc/" + name, os.path.join(root, "etc", name))
    with open(os.path.join(root, "etc", "selinux", "config"), "w") as f:
        f.write("SELINUX=disabled\nSELINUXTYPE=targeted\n")
    bindir = os.path.join(work, "bin")
    os.makedirs(bindir)
    setfiles = os.path.join(bindir, "setfiles")
    with open(setfiles, "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    os.chmod(setfiles, 0o755)
    os.makedirs(os.path.join(work, "run"))
    return root, bindir


def snapshot(root):
    """{relative path: description} of everything Ignition created under root."""
    out = {}
    skip = {"etc/passwd", "etc/group", "etc/shadow", "etc/gshadow", "etc/selinux", "etc/selinux/config",
            "etc/.ignition-result.json", "etc"}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            if rel in skip:
                continue
            st = os.lstat(full)
            mode = stat.S_IMODE(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(full))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", oct(mode))
            else:
                with open(full, "rb") as f:
                    body = f.read()
                if rel.startswith("etc/systemd/system-preset/"):
                    # Ignition collects presets in a Go map: their order varies from run to run
                    body = b"".join(sorted(body.splitlines(True)))
                out[rel] = ("file", oct(mode), body, st.st_nlink)
    return out


def outcome(config_text):
    """("ok", snapshot) or ("failed", None) when Ignition refuses or fails to apply the config."""
    try:
        return "ok", apply(config_text)
    except IgnitionFailed:
        return "failed", None


def apply(config_text):
    """Apply a config with the real Ignition; returns the snapshot of the written tree."""
    work = tempfile.mkdtemp(prefix="ign-apply-")
    try:
        root, bindir = _prepare(work)
        cfg = os.path.join(work, "config.ign")
        with open(cfg, "w") as f:
            f.write(config_text if isinstance(config_text, str) else json.dumps(config_text))
        env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""), IGNITION_CONFIG_FILE=cfg)
        common = ["-log-to-stdout", "-config-cache", os.path.join(work, "run", "cache.json"),
                  "-state-file", os.path.join(work, "run", "state")]
        for args in (["-platform", "file", "-stage", "fetch-offline", "-neednet", os.path.join(work, "run", "neednet")],
                     ["-platform", "file", "-stage", "files", "-root", root]):
            p = subprocess.run([IGNITION] + args + common, env=env, capture_output=True, timeout=120, check=False)
            if p.returncode != 0:
                raise IgnitionFailed("ignition %s failed:\n%s" % (" ".join(args[:4]), p.stdout.decode("utf-8", "replace")[-3000:]))
        return snapshot(root)
    finally:
        shutil.rmtree(work, ignore_errors=True)
