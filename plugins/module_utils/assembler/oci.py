# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Push a build's OCI archive with skopeo and build/push derived images (guide 6.4.4, 10).

Push follows nestos-assembler's push-container: default tag ``<build>-<arch>``, transports
docker / dir / docker-archive / containers-storage / docker-daemon (and nosa's names
registry / podman / docker for them), ``--authfile``, ``--dest-tls-verify``; the pushed
digest is recorded in meta.json as ``base-oscontainer`` like nosa does (compact, sorted
keys). Derived images are built from a Containerfile with buildah, podman or docker and
labelled with a hash of their inputs, so an unchanged Containerfile on an unchanged base
is not rebuilt.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import atomic_write

# transport name -> skopeo prefix; nosa's own names (push-container --transport) are aliases
TRANSPORTS = {
    "docker": "docker://",
    "registry": "docker://",
    "dir": "dir:",
    "docker-archive": "docker-archive:",
    "containers-storage": "containers-storage:",
    "podman": "containers-storage:",
    "docker-daemon": "docker-daemon:",
}
INPUT_LABEL = "org.nestos.lifecycle.input-sha256"
DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")


def split_name(name):
    """(repository, tag or None): the tag is after the last ':' that follows the last '/'."""
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        return name[:colon], name[colon + 1:]
    return name, None


def destination(name, transport="docker", tag=None, build_id=None, arch=None, tag_suffix=None):
    """(reference without transport, full skopeo destination, tag)."""
    if transport not in TRANSPORTS:
        raise NestosError("unsupported transport %r; use one of %s" % (transport, ", ".join(sorted(TRANSPORTS))),
                          path="transport")
    repo, name_tag = split_name(name)
    if tag is None:
        tag = name_tag
    if tag is None:
        if not (build_id and arch):
            raise NestosError("no tag given and no build to derive the default <build>-<arch> tag from", path="tag")
        tag = "%s-%s" % (build_id, arch)
    if tag_suffix:
        tag = "%s-%s" % (tag, tag_suffix)
    if not re.match(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", tag):
        raise NestosError("invalid image tag %r" % tag, path="tag")
    prefix = TRANSPORTS[transport]
    if transport in ("dir", "docker-archive"):
        ref = repo if transport == "dir" else "%s:%s:%s" % (repo, os.path.basename(repo.rstrip("/")), tag)
        return ref, prefix + ref, tag
    ref = "%s:%s" % (repo, tag)
    return ref, prefix + ref, tag


def rebase_ref(ref):
    """The reference a NestOS host rebases to (``rpm-ostree rebase <this>``)."""
    return "ostree-unverified-registry:%s" % ref


class Tools(object):
    """Runs skopeo and container engines; ``env`` adds CONTAINERS_CONF and the like."""

    def __init__(self, env=None, runner=None):
        self.env = os.environ.copy()
        self.env.update(dict((k, str(v)) for k, v in (env or {}).items()))
        self.runner = runner

    def run(self, cmd, check=True, stdin=None):
        if self.runner is not None:
            return self.runner(cmd, check, stdin)
        try:
            proc = subprocess.run(cmd, env=self.env, input=stdin, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, check=False)
        except OSError as err:
            raise NestosError("cannot run %s: %s" % (cmd[0], err.strerror or err), path=cmd[0])
        out = proc.stdout.decode("utf-8", "replace")
        errtext = proc.stderr.decode("utf-8", "replace")
        if check and proc.returncode != 0:
            raise NestosError("%s failed (exit %d): %s" % (" ".join(_redact(cmd)), proc.returncode,
                                                           (errtext or out).strip()[-2000:]))
        return proc.returncode, out, errtext


def _redact(cmd):
    out, hide = [], False
    for part in cmd:
        if hide:
            out.append("********")
            hide = False
            continue
        if part in ("--creds", "--src-creds", "--dest-creds"):
            hide = True
        if part.startswith("--creds=") or part.startswith("--dest-creds="):
            part = part.split("=", 1)[0] + "=********"
        out.append(part)
    return out


def _auth_args(prefix, authfile=None, creds=None, tls_verify=True):
    args = []
    if authfile:
        args.append("--%sauthfile=%s" % (prefix, authfile))
    if creds:
        args.append("--%screds=%s" % (prefix, creds))
    if tls_verify is False:
        args.append("--%stls-verify=false" % prefix)
    return args


def remote_digest(tools, dest, authfile=None, creds=None, tls_verify=True):
    """Manifest digest of ``dest`` (a docker:// reference) or None when it does not exist."""
    if not dest.startswith("docker://"):
        return None
    cmd = ["skopeo", "inspect", "--format", "{{.Digest}}"] + _auth_args("", authfile, creds, tls_verify) + [dest]
    rc, out, err = tools.run(cmd, check=False)
    if rc != 0:
        if re.search(r"manifest unknown|not found|name unknown|404", err + out, re.I):
            return None
        raise NestosError("skopeo inspect %s failed: %s" % (dest, (err or out).strip()[-1000:]))
    digest = out.strip()
    return digest if DIGEST_RE.match(digest) else None


def remote_labels(tools, dest, authfile=None, creds=None, tls_verify=True):
    cmd = ["skopeo", "inspect", "--config"] + _auth_args("", authfile, creds, tls_verify) + [dest]
    rc, out, _err = tools.run(cmd, check=False)
    if rc != 0:
        return None
    try:
        return (json.loads(out).get("config") or {}).get("Labels") or {}
    except ValueError:
        return None


def config_digest(tools, ref, authfile=None, creds=None, tls_verify=True):
    """Digest of the image config blob behind ``ref`` (any skopeo transport), or None.

    The config (with the layers' uncompressed diff_ids) survives the layer compression a
    push applies, so equal config digests mean the same image content.
    """
    cmd = ["skopeo", "inspect", "--raw"]
    if ref.startswith("docker://"):
        cmd += _auth_args("", authfile, creds, tls_verify)
    rc, out, _err = tools.run(cmd + [ref], check=False)
    if rc != 0:
        return None
    try:
        manifest = json.loads(out)
    except ValueError:
        return None
    digest = (manifest.get("config") or {}).get("digest") if isinstance(manifest, dict) else None
    return digest if digest and DIGEST_RE.match(digest) else None


def push(tools, src, dest, src_transport="oci-archive", authfile=None, creds=None, tls_verify=True,
         known_digest=None, check_mode=False, manifest_format=None, force=False):
    """Copy ``src`` to ``dest`` with skopeo; returns (changed, digest).

    Idempotent: when ``known_digest`` (recorded at the last push of this build) is what the
    registry serves under ``dest``, or when ``dest`` holds an image with the same config
    blob as ``src``, nothing is copied.
    """
    if src_transport == "oci-archive" and not os.path.isfile(src):
        raise NestosError("OCI archive not found; build first", file=src)
    current = remote_digest(tools, dest, authfile, creds, tls_verify)
    if not force and known_digest and current == known_digest:
        return False, current
    if not force and (current or not dest.startswith("docker://")):
        there = config_digest(tools, dest, authfile, creds, tls_verify)
        if there and there == config_digest(tools, "%s:%s" % (src_transport, src)):
            return False, current or _local_digest(tools, dest)
    if check_mode:
        return True, current
    tmp = tempfile.mkdtemp(prefix="nestos-push-")
    try:
        digestfile = os.path.join(tmp, "digest")
        cmd = ["skopeo", "copy", "--retry-times", "2", "--digestfile", digestfile]
        cmd += _auth_args("dest-", authfile, creds, tls_verify)
        if manifest_format:
            cmd += ["--format", manifest_format]
        if dest.startswith("dir:"):
            folder = dest[len("dir:"):]
            if not os.path.isdir(folder):
                os.makedirs(folder)
        cmd += ["%s:%s" % (src_transport, src), dest]
        tools.run(cmd)
        with open(digestfile) as handle:
            digest = handle.read().strip()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not DIGEST_RE.match(digest):
        raise NestosError("skopeo reported no valid digest (%r)" % digest)
    return True, digest


def _local_digest(tools, ref):
    """Manifest digest of a non-registry destination (dir:, docker-archive:, containers-storage:)."""
    rc, out, _err = tools.run(["skopeo", "inspect", "--raw", ref], check=False)
    if rc != 0:
        return None
    return "sha256:" + hashlib.sha256(out.encode("utf-8")).hexdigest()


def record_push(meta_path, image, digest, key="base-oscontainer", check_mode=False):
    """Write ``{image, digest}`` into meta.json as nosa push-container does; returns changed."""
    with open(meta_path) as handle:
        meta = json.load(handle)
    entry = {"image": image, "digest": digest}
    if meta.get(key) == entry:
        return False
    if not check_mode:
        meta[key] = entry
        mode = os.stat(meta_path).st_mode & 0o7777
        atomic_write(meta_path, json.dumps(meta, sort_keys=True), mode=mode)
    return True


def containerfile_text(containerfile=None, content=None):
    if content is not None:
        return content
    try:
        with open(containerfile, "rb") as handle:
            return handle.read().decode("utf-8")
    except (IOError, OSError) as err:
        raise NestosError("cannot read Containerfile: %s" % (err.strerror or err), file=containerfile)


def derive_inputs_hash(text, base_digest, build_args, context):
    digest = hashlib.sha256()
    digest.update(text.encode("utf-8"))
    digest.update(("\0base=%s" % base_digest).encode("utf-8"))
    for key in sorted(build_args or {}):
        digest.update(("\0arg:%s=%s" % (key, build_args[key])).encode("utf-8"))
    if context and os.path.isdir(context):
        for root, dirs, files in os.walk(context):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                digest.update(("\0file:%s" % os.path.relpath(path, context)).encode("utf-8"))
                with open(path, "rb") as handle:
                    digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()


def base_image_of(text):
    for line in text.splitlines():
        match = re.match(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)", line, re.I)
        if match:
            return match.group(1)
    raise NestosError("the Containerfile has no FROM line", path="containerfile")


def derive(tools, builder, containerfile_content, context, dest_ref, authfile=None, creds=None, tls_verify=True,
           build_args=None, builder_args=None, check_mode=False, force=False):
    """Build a derived image and push it to ``dest_ref`` (registry/name:tag, docker transport).

    Returns a dict: changed, digest, reference, rebase_ref, base, input_hash.
    """
    if builder not in ("buildah", "podman", "docker"):
        raise NestosError("builder must be buildah, podman or docker", path="builder")
    base = base_image_of(containerfile_content)
    base_digest = remote_digest(tools, "docker://" + base, authfile, creds, tls_verify)
    if base_digest is None:
        raise NestosError("base image %s is not in its registry (push the NestOS image first)" % base,
                          path="containerfile")
    input_hash = derive_inputs_hash(containerfile_content, base_digest, build_args, context)
    dest = "docker://" + dest_ref
    result = {"reference": dest_ref, "rebase_ref": rebase_ref(dest_ref), "base": base,
              "base_digest": base_digest, "input_hash": input_hash}
    labels = remote_labels(tools, dest, authfile, creds, tls_verify)
    if not force and labels is not None and labels.get(INPUT_LABEL) == input_hash:
        result.update({"changed": False, "digest": remote_digest(tools, dest, authfile, creds, tls_verify)})
        return result
    if check_mode:
        result.update({"changed": True, "digest": None})
        return result
    tmp = tempfile.mkdtemp(prefix="nestos-derive-")
    try:
        cfile = os.path.join(tmp, "Containerfile")
        atomic_write(cfile, containerfile_content, mode=0o600)
        local_tag = "localhost/nestos-derived-%s:latest" % input_hash[:12]
        cmd = [builder]
        if builder == "buildah":
            cmd += ["bud", "--isolation", "chroot"]
        else:
            cmd += ["build"]
        if builder != "buildah":
            # buildah's chroot isolation creates no network namespace (and refuses --network);
            # podman and docker get none so that no CNI bridge appears on the host
            cmd += ["--network", "none"]
        cmd += ["-f", cfile, "-t", local_tag, "--label", "%s=%s" % (INPUT_LABEL, input_hash)]
        if builder != "docker":
            cmd += _auth_args("", authfile, creds, tls_verify)
        for key in sorted(build_args or {}):
            cmd += ["--build-arg", "%s=%s" % (key, build_args[key])]
        cmd += list(builder_args or [])
        cmd.append(context or tmp)
        tools.run(cmd)
        digestfile = os.path.join(tmp, "digest")
        if builder == "docker":
            tools.run(["docker", "tag", local_tag, dest_ref])
            tools.run(["docker", "push", dest_ref])
            digest = remote_digest(tools, dest, authfile, creds, tls_verify)
        else:
            cmd = [builder, "push", "--digestfile", digestfile] + _auth_args("", authfile, creds, tls_verify)
            tools.run(cmd + [local_tag, dest])
            with open(digestfile) as handle:
                digest = handle.read().strip()
        tools.run([builder, "rmi", local_tag], check=False)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result.update({"changed": True, "digest": digest})
    return result
