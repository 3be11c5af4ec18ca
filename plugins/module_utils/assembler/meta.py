# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build metadata of a nosa workdir: ``builds/builds.json`` and ``builds/<id>/<arch>/meta.json``.

Reads and validates both documents, and turns a build's ``images`` into artifact
records with absolute paths, sizes, sha256 (verified on request) and compression state.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import platform

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler.schema import (
    BUILDS_SCHEMA,
    BUILTIN_META_SCHEMA,
    SchemaValidator,
)
from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler.artifacts import (
    verify_many,
)

COMPRESSED_SUFFIXES = {".gz": "gzip", ".xz": "xz", ".zst": "zstd"}
# Limits for the metadata documents a workdir holds (real ones are a few KiB, nesting depth < 10).
MAX_METADATA_BYTES = 16 << 20
MAX_METADATA_DEPTH = 64
# A build id or arch is one path component.
_BAD_COMPONENTS = ("", ".", "..")
ARCH_ALIASES = {"amd64": "x86_64", "arm64": "aarch64"}


def host_arch():
    machine = platform.machine()
    return ARCH_ALIASES.get(machine, machine)


def _depth_ok(text, limit=MAX_METADATA_DEPTH):
    """True when brackets nest at most ``limit`` deep (strings skipped), checked before json.loads recurses."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return False
        elif char in "]}":
            depth -= 1
    return True


def load_json(path):
    """Parse a JSON file; errors name the file, line and column. Limits: MAX_METADATA_BYTES, MAX_METADATA_DEPTH."""
    try:
        if os.path.getsize(path) > MAX_METADATA_BYTES:
            raise NestosError("larger than %d MiB; build metadata is a few KiB, this is not it"
                              % (MAX_METADATA_BYTES >> 20), file=path)
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
    except (IOError, OSError) as err:
        raise NestosError("cannot read: %s" % (err.strerror or err), file=path)
    except UnicodeDecodeError:
        raise NestosError("not UTF-8 text", file=path)
    if not _depth_ok(text):
        raise NestosError("nested more than %d levels deep" % MAX_METADATA_DEPTH, file=path)
    try:
        return json.loads(text)
    except RecursionError:
        raise NestosError("nested too deep", file=path)
    except ValueError as err:
        raise NestosError("invalid JSON: %s" % getattr(err, "msg", err), file=path,
                          line=getattr(err, "lineno", None), column=getattr(err, "colno", None))


def load_schema(path=None):
    if not path:
        return BUILTIN_META_SCHEMA
    schema = load_json(path)
    if not isinstance(schema, dict):
        raise NestosError("a JSON schema must be an object", file=path)
    return schema


def validate(doc, schema, path):
    errors = SchemaValidator(schema).errors(doc)
    if errors:
        first_path, first_msg = errors[0]
        more = "" if len(errors) == 1 else " (and %d more: %s)" % (
            len(errors) - 1, "; ".join("%s: %s" % e for e in errors[1:4]))
        raise NestosError(first_msg + more, file=path, path=first_path)
    return doc


class Workdir(object):
    """A nosa build workdir (the folder ``nosa init`` made)."""

    def __init__(self, path):
        self.path = os.path.abspath(path)
        self.builds_dir = os.path.join(self.path, "builds")
        self.builds_json = os.path.join(self.builds_dir, "builds.json")

    def is_initialized(self):
        return os.path.isdir(os.path.join(self.path, "src", "config")) and os.path.isdir(self.builds_dir)

    def builds(self):
        """The validated builds.json document (an empty index when there is none yet)."""
        if not os.path.exists(self.builds_json):
            return {"schema-version": "1.0.0", "builds": []}
        doc = load_json(self.builds_json)
        validate(doc, BUILDS_SCHEMA, self.builds_json)
        major = doc["schema-version"].split(".")[0]
        if major != "1":
            raise NestosError("unsupported build metadata version %s" % doc["schema-version"],
                              file=self.builds_json, path="$.schema-version")
        return doc

    def build_ids(self):
        return [b["id"] for b in self.builds()["builds"]]

    def resolve(self, build_id=None, arch=None):
        """(build id, arch) of the requested build, defaulting to the newest one."""
        entries = self.builds()["builds"]
        if not entries:
            raise NestosError("no build in this workdir yet; run `nosa build` first", file=self.builds_json)
        if build_id in (None, "", "latest"):
            entry = entries[0]
        else:
            match = [b for b in entries if b["id"] == build_id]
            if not match:
                raise NestosError("build %r not found; builds are: %s" % (
                    build_id, ", ".join(b["id"] for b in entries)), file=self.builds_json)
            entry = match[0]
        if not arch:
            arch = host_arch() if host_arch() in entry["arches"] else entry["arches"][0]
        elif arch not in entry["arches"]:
            raise NestosError("build %s has no %s architecture (has %s)" % (
                entry["id"], arch, ", ".join(entry["arches"])), file=self.builds_json)
        return entry["id"], arch

    def build_dir(self, build_id, arch):
        for what, value in (("build id", build_id), ("arch", arch)):
            if not isinstance(value, str) or value in _BAD_COMPONENTS or "/" in value or "\0" in value:
                raise NestosError("%s %r is not a folder name" % (what, value), file=self.builds_json)
        return os.path.join(self.builds_dir, build_id, arch)

    def meta_path(self, build_id, arch):
        return os.path.join(self.build_dir(build_id, arch), "meta.json")

    def meta(self, build_id, arch, schema=None):
        path = self.meta_path(build_id, arch)
        doc = load_json(path)
        validate(doc, schema or BUILTIN_META_SCHEMA, path)
        return doc

    def fingerprint(self):
        """A cheap summary of build state to tell whether a command changed anything."""
        state = []
        for root in (self.builds_json,):
            try:
                st = os.stat(root)
                state.append((root, st.st_size, st.st_mtime_ns))
            except OSError:
                state.append((root, None, None))
        if os.path.isdir(self.builds_dir):
            for build in sorted(os.listdir(self.builds_dir)):
                folder = os.path.join(self.builds_dir, build)
                if not os.path.isdir(folder) or os.path.islink(folder):
                    continue
                for arch in sorted(os.listdir(folder)):
                    meta = os.path.join(folder, arch, "meta.json")
                    try:
                        with open(meta, "rb") as handle:
                            state.append((meta, handle.read()))
                    except OSError:
                        continue
        return state


def compression_of(path):
    for suffix, name in COMPRESSED_SUFFIXES.items():
        if path.endswith(suffix):
            return name
    return None


def artifacts_of(meta, build_dir, verify=False, workers=None):
    """Artifact records for every image in ``meta`` (dict keyed by image name).

    With ``verify`` each file's sha256 and size are recomputed (in parallel, streaming)
    and compared with meta.json; a mismatch or a missing file raises NestosError.
    """
    records = {}
    images = meta.get("images") or {}
    for key in sorted(images):
        art = images[key]
        if not isinstance(art, dict) or not isinstance(art.get("path"), str):
            continue
        path = _inside(build_dir, art["path"], key)
        compression = compression_of(art["path"])
        record = {
            "name": key,
            "path": path,
            "file": art["path"],
            "sha256": art.get("sha256"),
            "size": art.get("size"),
            "compressed": bool(compression or "uncompressed-sha256" in art),
            "compression": compression,
            "uncompressed_sha256": art.get("uncompressed-sha256"),
            "uncompressed_size": art.get("uncompressed-size"),
            "skip_compression": bool(art.get("skip-compression", False)),
            "exists": os.path.exists(path),
            "verified": False,
        }
        if record["exists"] and record["size"] is None:
            record["size"] = os.path.getsize(path)
        records[key] = record
    if verify:
        missing = [r for r in records.values() if not r["exists"]]
        if missing:
            raise NestosError("artifact %s is listed in meta.json but the file is missing" % missing[0]["name"],
                              file=missing[0]["path"], path="$.images.%s.path" % missing[0]["name"])
        sums = verify_many([r["path"] for r in records.values()], workers=workers)
        for record in records.values():
            digest, size = sums[record["path"]]
            if digest != record["sha256"]:
                raise NestosError("sha256 mismatch: meta.json says %s, the file has %s" % (record["sha256"], digest),
                                  file=record["path"], path="$.images.%s.sha256" % record["name"])
            meta_size = meta["images"][record["name"]].get("size")
            if meta_size is not None and meta_size != size:
                raise NestosError("size mismatch: meta.json says %s, the file has %s bytes" % (meta_size, size),
                                  file=record["path"], path="$.images.%s.size" % record["name"])
            record["verified"] = True
    return records


def _inside(build_dir, rel, key):
    """The artifact's path; meta.json names files inside the build folder, never elsewhere."""
    if "\0" in rel or not rel or os.path.isabs(rel):
        raise NestosError("artifact path %r is not a file name inside the build folder" % rel[:80],
                          file=os.path.join(build_dir, "meta.json"), path="$.images.%s.path" % key)
    path = os.path.normpath(os.path.join(build_dir, rel))
    if not path.startswith(os.path.normpath(build_dir) + os.sep):
        raise NestosError("artifact path %r leaves the build folder" % rel[:80],
                          file=os.path.join(build_dir, "meta.json"), path="$.images.%s.path" % key)
    return path


def build_facts(workdir, build_id=None, arch=None, verify=False, schema_path=None):
    """The facts later stages consume: build id, arch, meta summary and artifacts."""
    wd = workdir if isinstance(workdir, Workdir) else Workdir(workdir)
    build_id, arch = wd.resolve(build_id, arch)
    schema = load_schema(schema_path)
    meta = wd.meta(build_id, arch, schema)
    build_dir = wd.build_dir(build_id, arch)
    artifacts = artifacts_of(meta, build_dir, verify=verify)
    ostree = artifacts.get("ostree")
    return {
        "workdir": wd.path,
        "build_id": build_id,
        "arch": arch,
        "name": meta.get("name"),
        "build_dir": build_dir,
        "meta_path": wd.meta_path(build_id, arch),
        "ostree_commit": meta.get("ostree-commit"),
        "ostree_version": meta.get("ostree-version"),
        "ref": meta.get("ref"),
        "builds": wd.build_ids(),
        "oci_archive": ostree["path"] if ostree else None,
        "base_oscontainer": meta.get("base-oscontainer"),
        "artifacts": artifacts,
    }
