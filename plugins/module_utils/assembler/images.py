# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The `oci_image` module's logic: push a build's OCI archive, derive images."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler import oci
from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler.meta import Workdir, artifacts_of


def execute(params, check_mode=False, tools=None):
    tools = tools or oci.Tools(env=params.get("environment"))
    creds = None
    if params.get("username"):
        creds = "%s:%s" % (params["username"], params["password"])
    if params.get("operation", "push") == "derive":
        return _derive(params, tools, creds, check_mode)
    return _push(params, tools, creds, check_mode)


def _push(params, tools, creds, check_mode):
    build_id = arch = meta_path = None
    known = None
    src = params.get("src")
    key = params.get("image_key") or "ostree"
    if params.get("workdir"):
        wd = Workdir(params["workdir"])
        build_id, arch = wd.resolve(params.get("build"), params.get("arch"))
        meta = wd.meta(build_id, arch)
        meta_path = wd.meta_path(build_id, arch)
        arts = artifacts_of(meta, wd.build_dir(build_id, arch))
        if not src:
            if key not in arts:
                raise NestosError("build %s has no %s image" % (build_id, key), file=meta_path, path="$.images." + key)
            src = arts[key]["path"]
    elif not src:
        raise NestosError("give workdir (a nosa build) or src (an OCI archive)", path="src")
    ref, dest, tag = oci.destination(params["name"], params.get("transport") or "docker", params.get("tag"),
                                     build_id, arch, params.get("tag_suffix"))
    record_key = "base-oscontainer" if key == "ostree" else "extensions-container"
    image_name = oci.split_name(params["name"])[0]
    if meta_path:
        recorded = (meta.get(record_key) or {})
        if recorded.get("image") == image_name:
            known = recorded.get("digest")
    before = oci.remote_digest(tools, dest, params.get("authfile"), creds, params.get("tls_verify", True))
    changed, digest = oci.push(tools, src, dest, authfile=params.get("authfile"), creds=creds,
                               tls_verify=params.get("tls_verify", True), known_digest=known,
                               check_mode=check_mode, manifest_format=params.get("manifest_format"),
                               force=params.get("force", False))
    recorded_changed = False
    if meta_path and params.get("record", True) and digest:
        recorded_changed = oci.record_push(meta_path, image_name, digest, record_key, check_mode)
    result = {
        "changed": changed or recorded_changed,
        "digest": digest,
        "reference": ref,
        "destination": dest,
        "tag": tag,
        "source": src,
        "rebase_ref": oci.rebase_ref(ref),
        "build_id": build_id,
        "arch": arch,
    }
    if changed:
        result["diff"] = {"before": "%s\n" % (before or "(absent)"), "after": "%s\n" % (digest or "(new image)"),
                          "before_header": dest, "after_header": dest}
    return result


def _derive(params, tools, creds, check_mode):
    text = oci.containerfile_text(params.get("containerfile"), params.get("containerfile_content"))
    repo, tag = oci.split_name(params["name"])
    tag = params.get("tag") or tag
    if not tag:
        raise NestosError("a derived image needs a tag (name: REG/NAME:TAG or tag:)", path="tag")
    if params.get("transport") not in (None, "docker", "registry"):
        raise NestosError("derived images are pushed to a registry (transport docker)", path="transport")
    result = oci.derive(tools, params.get("builder") or "buildah", text, params.get("context"),
                        "%s:%s" % (repo, tag), authfile=params.get("authfile"), creds=creds,
                        tls_verify=params.get("tls_verify", True), build_args=params.get("build_args"),
                        builder_args=params.get("builder_args"), check_mode=check_mode,
                        force=params.get("force", False))
    result["tag"] = tag
    return result
