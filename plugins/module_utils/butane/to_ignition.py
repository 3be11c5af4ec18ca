# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Butane (``variant: nestos`` 1.0.0, ``variant: fcos`` 1.0.0-1.4.0) -> Ignition 3.0.0-3.3.0.

The pipeline follows upstream Butane (``config/config.go``, ``config/util/util.go``):

1. read ``variant``/``version``; pick the spec;
2. decode the YAML against the model of that spec (type errors are fatal; unknown keys are
   ``Unused key`` warnings);
3. validate the source (resources with two sources, decimal-looking modes, mount units,
   trees, boot device);
4. translate: copy fields, desugar ``inline``/``local``, ``storage.trees``,
   ``with_mount_unit`` and ``boot_device``; remember which YAML path each generated JSON
   path came from;
5. validate the result as Ignition (the Ignition engine), reporting at YAML paths;
6. write the bytes upstream Butane writes.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import os
import posixpath
import stat

from ansible_collections.nestos.lifecycle.plugins.module_utils.butane import libyaml
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane import schema
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane import yamlin
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.errors import ButaneError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import dataurl
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import limits
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import serialize
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import validate as ign_validate
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.report import Entry, Report
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.sugar import (
    add_mount_units, process_boot_device, partition_warnings, merge_configs)

ERR_NO_VARIANT = "error parsing variant; must be specified"
ERR_RHCOS = ("rhcos variant has been removed; use openshift variant instead: "
             "https://coreos.github.io/butane/upgrading-openshift/")
ERR_INVALID_VERSION = "error parsing version; must be a valid semver"
ERR_SOURCE_INVALID = "source config is invalid"
ERR_GENERATED_INVALID = "config generated was invalid"
ERR_TOO_MANY_SOURCES = "only one of the following can be set: inline, local, source"
ERR_FILES_DIR_ESCAPE = "local file path traverses outside the files directory"
ERR_FILE_TYPE = "trees may only contain files, directories, and symlinks"
ERR_NUL_PATH = "local file path holds a NUL character"
ERR_NOT_REGULAR = "not a regular file (a FIFO, socket or device is never read)"
ERR_LOCAL_LIMIT = "local files of this config are more than the limit of %d bytes together"
ERR_NODE_EXISTS = "matching filesystem node has existing contents or different type"
ERR_NO_FILES_DIR = "local file paths are relative to a files directory that must be specified with -d/--files-dir"
ERR_TREE_NOT_DIR = "root of tree must be a directory"
ERR_TREE_NO_LOCAL = "local is required"
ERR_DECIMAL_MODE = ("unreasonable mode would be reasonable if specified in octal; remember to add a "
                    "leading zero")
ERR_MOUNT_NO_PATH = "path is required if with_mount_unit is true and format is not swap"
ERR_MOUNT_NO_FORMAT = "format is required if with_mount_unit is true"
ERR_LAYOUT = "layout must be one of: aarch64, ppc64le, x86_64"
ERR_FEW_MIRRORS = "mirroring requires at least two devices"
ERR_UNKNOWN_IGN_VERSION = ("skipping validation for the merge/replace ignition config due to an "
                           "unkown version")

_SEMVER = (r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
           r"(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$")


_KNOWN_VERSIONS = frozenset(version for _variant, version in schema.VERSIONS)


def _is_semver(version):
    """Whether ``version`` passes Butane's semver check; the versions it knows skip the regular
    expression (re is imported on first use: the CLI's start-up)."""
    if version in _KNOWN_VERSIONS:
        return True
    import re

    return re.match(_SEMVER, version) is not None


class Result(object):
    """A translation: ``config`` (Ignition dict), ``json`` (upstream text, no trailing
    newline), ``report`` (an Ignition Report), ``variant``, ``version``, ``spec``."""

    def __init__(self, config, text, report, variant, version, spec):
        self.config = config
        self.json = text
        self.report = report
        self.variant = variant
        self.version = version
        self.spec = spec

    @property
    def warnings(self):
        return [e.format() for e in self.report]

    def output(self):
        """What the butane CLI writes: the JSON plus a newline."""
        return self.json + "\n"


# ---- report helpers -------------------------------------------------------------------

class _Ctx(object):
    def __init__(self, decoded, minor, files_dir, with_positions):
        self.decoded = decoded
        self.minor = minor
        self.files_dir = files_dir
        self.with_positions = with_positions
        self.entries = []
        self.tmap = {}      # json path tuple -> yaml path tuple (exact)
        self.tprefix = {}   # json path prefix tuple -> yaml path tuple (generated nodes)
        self.tmove = {}     # json path prefix tuple -> yaml path prefix (user nodes moved by a merge)
        self.local_bytes = 0  # bytes read from local files and trees (MAX_LOCAL_BYTES)

    def where(self, ypath, key=False):
        if not self.with_positions:
            return None, None
        if key and ypath in self.decoded.keypos:
            return self.decoded.keypos[ypath]
        p = tuple(ypath)
        while True:
            got = self.decoded.pos.get(p)
            if got is not None:
                return got
            if not p:
                return None, None
            p = p[:-1]

    def add(self, kind, ypath, message, key=False):
        line, col = self.where(ypath, key=key)
        self.entries.append(Entry(kind, ypath, message, line, col))

    def fatal(self):
        return any(e.kind == "error" for e in self.entries)

    def yaml_path(self, jpath, exists=True):
        """The YAML path a report entry at JSON ``jpath`` belongs to. A field the generated
        config does not hold (``exists`` false) has no translation in upstream's translation
        set: it keeps its JSON path, as upstream reports it."""
        jpath = tuple(jpath)
        got = self.tmap.get(jpath)
        if got is not None:
            return got
        for n in range(len(jpath), 0, -1):
            got = self.tmove.get(jpath[:n])
            if got is not None:
                return tuple(got) + _snake_path(jpath[n:])
            got = self.tprefix.get(jpath[:n])
            if got is not None:
                return got if exists else jpath
        return _snake_path(jpath)


def _exists(config, jpath):
    node = config
    for part in jpath:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return False
    return True


def _snake_path(jpath):
    return tuple(schema.snake(p) if isinstance(p, str) else p for p in jpath)


# ---- source validation (Butane's Validate methods) --------------------------------------------

def _decimal_to_octal(mode):
    if mode < 0 or mode > 7777:
        return None
    ret = 0
    for divisor in (1000, 100, 10, 1):
        digit = (mode // divisor) % 10
        if digit > 7:
            return None
        ret = (ret << 3) | digit
    return ret


def _permission_triads(mode):
    """Whether the rwx triads (other, group, owner) only add rights going up, and which rights
    any triad has: ``(ok, had_r, had_w, had_x)``."""
    had_r = had_w = had_x = False
    for perm in (mode & 0o7, (mode & 0o70) >> 3, (mode & 0o700) >> 6):
        r, w, x = bool(perm & 4), bool(perm & 2), bool(perm & 1)
        if (not r and had_r) or (not w and had_w) or (not x and had_x):
            return False, had_r, had_w, had_x
        if x and had_r and not had_x:
            return False, had_r, had_w, had_x
        if (w or x) and not r:
            return False, had_r, had_w, had_x
        had_r, had_w, had_x = had_r or r, had_w or w, had_x or x
    return True, had_r, had_w, had_x


def _typical_special_bits(mode, directory, had_w, had_x):
    """setuid/setgid/sticky as they usually stand on a directory or a file."""
    if directory:
        if not had_x or mode & 0o4000:
            return False
        return not (mode & 0o3000 and not had_w)
    if mode & 0o6000 and (not had_x or mode & 2):
        return False
    return not mode & 0o1000


def _typical_mode(mode, directory):
    if mode == 0:
        return True
    ok, had_r, had_w, had_x = _permission_triads(mode)
    if not ok or not had_r:
        return False
    return _typical_special_bits(mode, directory, had_w, had_x)


def decimal_mode_suspicious(mode, directory):
    """Butane's CheckForDecimalMode: True if ``mode`` looks like octal digits typed in decimal."""
    corrected = _decimal_to_octal(mode)
    if corrected is None:
        return False
    return not _typical_mode(mode, directory) and _typical_mode(corrected, directory)


def _validate_resource(ctx, res, ypath):
    sources = [name for name in ("local", "inline", "source") if name in res and res[name] is not None]
    if len(sources) > 1:
        # fcos 1.0.0 (base v0_1) reports at inline, newer versions at the last field checked
        ctx.add("error", ypath + ("inline" if ctx.minor == 0 else sources[-1],), ERR_TOO_MANY_SOURCES)
        return
    if ctx.minor >= 4 and "inline" in res and ypath[:2] == ("ignition", "config"):
        _validate_embedded(ctx, res["inline"].encode("utf-8", "surrogateescape"), ypath, "inline")


def _validate_embedded(ctx, data, ypath, field):
    from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import parse as ign_parse

    config, entries = ign_parse.parse(data)
    for e in entries:
        if e.message in ("unsupported config version", "invalid config version (couldn't parse)") \
                and config is None and e.kind == "error":
            ctx.add("warning", ypath + ("version",), ERR_UNKNOWN_IGN_VERSION)
            return
    for e in entries:
        ctx.add(e.kind, ypath + (field,), e.message)


def _check_file_mode(ctx, value, ypath, directory):
    if value.get("mode") is not None and decimal_mode_suspicious(value["mode"], directory):
        ctx.add("warning", ypath + ("mode",), ERR_DECIMAL_MODE)


def _check_mount_unit(ctx, value, ypath):
    if value.get("with_mount_unit") is not True:
        return
    fmt = value.get("format")
    if ctx.minor >= 4:
        if not fmt:
            ctx.add("error", ypath + ("format",), ERR_MOUNT_NO_FORMAT)
        elif fmt != "swap" and not value.get("path"):
            ctx.add("error", ypath + ("path",), ERR_MOUNT_NO_PATH)
        return
    if not value.get("path"):
        ctx.add("error", ypath + ("path",), ERR_MOUNT_NO_PATH)
    if not fmt:
        ctx.add("error", ypath + ("format",), ERR_MOUNT_NO_FORMAT)


def _check_tree(ctx, value, ypath):
    if not value.get("local"):
        ctx.add("error", ypath, ERR_TREE_NO_LOCAL)


def _check_boot_device(ctx, value, ypath):
    mirror = value.get("mirror") or {}
    if value.get("layout") is not None and value["layout"] not in ("aarch64", "ppc64le", "x86_64"):
        ctx.add("error", ypath + ("layout",), ERR_LAYOUT)
    if len(mirror.get("devices") or []) == 1:
        # Butane v0.19.0 reports this one twice (its BootDeviceMirror is validated twice)
        ctx.add("error", ypath + ("mirror", "devices"), ERR_FEW_MIRRORS)
        ctx.add("error", ypath + ("mirror", "devices"), ERR_FEW_MIRRORS)


# the checks of one struct's own fields: struct name -> check(ctx, value, ypath)
_STRUCT_CHECKS = {
    "Resource": _validate_resource,
    "File": lambda ctx, value, ypath: _check_file_mode(ctx, value, ypath, False),
    "Directory": lambda ctx, value, ypath: _check_file_mode(ctx, value, ypath, True),
    "Filesystem": _check_mount_unit,
    "Tree": _check_tree,
    "BootDevice": _check_boot_device,
}


def _walk_validate(ctx, value, struct, ypath):
    """Depth-first, in field order, like vcontext's validate.Validate."""
    check = _STRUCT_CHECKS.get(struct)
    if check is not None:
        check(ctx, value, ypath)
    for f in schema.fields(struct, ctx.minor):
        name, kind, arg = f[0], f[1], f[2]
        if name not in value:
            continue
        if kind == "struct":
            _walk_validate(ctx, value[name], arg, ypath + (name,))
        elif kind == "list" and arg in schema.STRUCTS:
            for i, item in enumerate(value[name]):
                _walk_validate(ctx, item, arg, ypath + (name, i))


# ---- translation ---------------------------------------------------------------------------

def _read_local(ctx, local):
    """Read ``local`` below the files dir; returns bytes or raises _LocalError(msg)."""
    if not ctx.files_dir:
        raise _LocalError(ERR_NO_FILES_DIR)
    if "\0" in local:
        raise _LocalError(ERR_NUL_PATH)
    path = os.path.join(ctx.files_dir, *local.split("/"))
    check_within(path, ctx.files_dir)
    return _read_regular(ctx, path)


def _read_regular(ctx, path):
    """The bytes of a regular file (a FIFO or device is refused, never opened for a blocking
    read), counted against MAX_LOCAL_BYTES for the whole config."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError) as exc:
        raise _LocalError("open %s: %s" % (path, (getattr(exc, "strerror", None) or str(exc)).lower()))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _LocalError("open %s: %s" % (path, ERR_NOT_REGULAR))
        ctx.local_bytes += st.st_size
        if ctx.local_bytes > limits.MAX_LOCAL_BYTES:
            raise _LocalError(ERR_LOCAL_LIMIT % limits.MAX_LOCAL_BYTES)
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    except OSError as exc:
        raise _LocalError("read %s: %s" % (path, (exc.strerror or str(exc)).lower()))
    finally:
        os.close(fd)


class _LocalError(Exception):
    pass


def check_within(path, files_dir):
    """Refuse a path outside the files dir, by name (``..``) or through a symlink."""
    if "\0" in path:
        raise _LocalError(ERR_NUL_PATH)
    base = os.path.abspath(files_dir)
    full = os.path.abspath(path)
    for inner, outer in ((full, base), (os.path.realpath(full), os.path.realpath(base))):
        if inner != outer and not inner.startswith(outer.rstrip(os.sep) + os.sep):
            raise _LocalError(ERR_FILES_DIR_ESCAPE)


def _tr_resource(ctx, res, ypath, jpath):
    out = _tr_struct(ctx, res, "Resource", ypath, jpath)
    for field in ("local", "inline"):
        if field not in res or res[field] is None:
            continue
        if field == "local":
            try:
                data = _read_local(ctx, res["local"])
            except _LocalError as exc:
                ctx.add("error", ypath + ("local",), str(exc))
                continue
            if ctx.minor >= 4 and ypath[:2] == ("ignition", "config"):
                before = len(ctx.entries)
                _validate_embedded(ctx, data, ypath, "local")
                if any(e.kind == "error" for e in ctx.entries[before:]):
                    continue
        else:
            data = res["inline"].encode("utf-8", "surrogateescape")
        if ctx.minor == 0:
            url, compression = "data:," + dataurl.escape(data), None
        else:
            url, compression = dataurl.encode(data, compression=res.get("compression"))
        out["source"] = url
        ctx.tmap[jpath + ("source",)] = ypath + (field,)
        if compression is not None:
            out["compression"] = compression
            ctx.tmap[jpath + ("compression",)] = ypath + (field,)
    return _ordered(out, "Resource", ctx.minor)


def _ordered(out, struct, minor):
    order = [j for _y, j, _k, _a, _f in schema.json_fields(struct, minor)]
    return dict((k, out[k]) for k in order if k in out)


def _tr_struct(ctx, value, struct, ypath, jpath):
    out = {}
    for yname, jname, kind, arg, flags in schema.json_fields(struct, ctx.minor):
        if yname not in value:
            if "req" in flags:
                out[jname] = ""
            continue
        v = value[yname]
        if kind == "struct":
            if arg == "Resource":
                sub = _tr_resource(ctx, v, ypath + (yname,), jpath + (jname,))
            else:
                sub = _tr_struct(ctx, v, arg, ypath + (yname,), jpath + (jname,))
            if sub:
                out[jname] = sub
        elif kind == "list":
            if arg == "Resource":
                items = [_tr_resource(ctx, item, ypath + (yname, i), jpath + (jname, i))
                         for i, item in enumerate(v)]
            elif arg in schema.STRUCTS:
                items = [_tr_struct(ctx, item, arg, ypath + (yname, i), jpath + (jname, i))
                         for i, item in enumerate(v)]
            else:
                items = list(v)
            if items:
                out[jname] = items
        else:
            if "omitzero" in flags and not v:
                continue
            out[jname] = v
    return out


class _TreeNodes(object):
    """The config's files and links by path, as trees add to them."""

    def __init__(self, storage):
        self.lists = {"files": storage.setdefault("files", []), "links": storage.setdefault("links", [])}
        self.maps = dict((name, dict((f.get("path"), i) for i, f in enumerate(items)))
                         for name, items in self.lists.items())
        self.dir_paths = set(d.get("path") for d in storage.get("directories") or [])

    def claim(self, ctx, kind, dest, ypath, is_set):
        """The index and entry of ``kind`` ("files"/"links") at ``dest`` for a tree to fill,
        a new one if none; None (an error added) when another node or a set value is there."""
        own = self.maps[kind]
        other = self.maps["links" if kind == "files" else "files"]
        if dest in own:
            idx = own[dest]
            entry = self.lists[kind][idx]
            if is_set(entry):
                ctx.add("error", ypath, ERR_NODE_EXISTS)
                return None
            return idx, entry
        if dest in other or dest in self.dir_paths:
            ctx.add("error", ypath, ERR_NODE_EXISTS)
            return None
        idx = len(self.lists[kind])
        entry = {"path": dest}
        self.lists[kind].append(entry)
        own[dest] = idx
        ctx.tprefix[("storage", kind, idx)] = ypath
        return idx, entry


def _tree_source(ctx, tree, ypath):
    """The tree's local directory, or None with an error added."""
    src_base = os.path.join(ctx.files_dir, *tree.get("local", "").split("/"))
    try:
        check_within(src_base, ctx.files_dir)
    except _LocalError as exc:
        ctx.add("error", ypath, str(exc))
        return None
    try:
        st = os.stat(src_base)
    except OSError as exc:
        ctx.add("error", ypath, "stat %s: %s" % (src_base, (exc.strerror or str(exc)).lower()))
        return None
    if not stat.S_ISDIR(st.st_mode):
        ctx.add("error", ypath, ERR_TREE_NOT_DIR)
        return None
    return src_base


def _tree_file(ctx, nodes, dest, full, mode, ypath):
    claimed = nodes.claim(ctx, "files", dest, ypath, lambda e: (e.get("contents") or {}).get("source"))
    if claimed is None:
        return
    idx, entry = claimed
    try:
        data = _read_regular(ctx, full)
    except _LocalError as exc:
        ctx.add("error", ypath, str(exc))
        return
    contents = dict(entry.get("contents") or {})
    url, compression = dataurl.encode(data, compression=contents.get("compression"))
    contents["source"] = url
    if compression is not None:
        contents["compression"] = compression
    entry["contents"] = _ordered(contents, "Resource", ctx.minor)
    ctx.tmap[("storage", "files", idx, "contents", "source")] = ypath
    ctx.tmap[("storage", "files", idx, "contents", "compression")] = ypath
    if entry.get("mode") is None:
        entry["mode"] = 0o755 if mode & 0o111 else 0o644
        ctx.tmap[("storage", "files", idx, "mode")] = ypath
    nodes.lists["files"][idx] = _ordered(entry, "File", ctx.minor)


def _tree_link(ctx, nodes, dest, full, ypath):
    claimed = nodes.claim(ctx, "links", dest, ypath, lambda e: e.get("target"))
    if claimed is None:
        return
    idx, entry = claimed
    try:
        entry["target"] = os.readlink(full)
    except OSError as exc:
        ctx.add("error", ypath, "readlink %s: %s" % (full, (exc.strerror or str(exc)).lower()))
        return
    ctx.tmap[("storage", "links", idx, "target")] = ypath
    nodes.lists["links"][idx] = _ordered(entry, "Link", ctx.minor)


def _process_tree(ctx, nodes, tree, ypath):
    src_base = _tree_source(ctx, tree, ypath)
    if src_base is None:
        return
    dest_base = tree.get("path") or "/"
    for rel, full, lst in _walk(src_base):
        dest = posixpath.normpath(posixpath.join(dest_base, rel)) if dest_base else rel
        if dest.startswith("//"):
            dest = "/" + dest.lstrip("/")
        mode = lst.st_mode
        if stat.S_ISDIR(mode):
            continue
        if stat.S_ISREG(mode):
            _tree_file(ctx, nodes, dest, full, mode, ypath)
        elif stat.S_ISLNK(mode):
            _tree_link(ctx, nodes, dest, full, ypath)
        else:
            ctx.add("error", ypath, ERR_FILE_TYPE)


def _process_trees(ctx, config, trees):
    storage = config.setdefault("storage", {})
    nodes = _TreeNodes(storage)
    for ti, tree in enumerate(trees):
        ypath = ("storage", "trees", ti)
        if not ctx.files_dir:
            ctx.add("error", ypath, ERR_NO_FILES_DIR)
            break
        _process_tree(ctx, nodes, tree, ypath)
    for kind in ("files", "links"):
        if not nodes.lists[kind]:
            storage.pop(kind, None)
    if not storage:
        config.pop("storage", None)


def _walk(base):
    """Go filepath.Walk order: lexical, directories entered, symlinks not followed."""
    stack = [("", base)]
    while stack:
        rel, full = stack.pop()
        try:
            lst = os.lstat(full)
        except OSError:
            continue
        if rel:
            yield rel, full, lst
        if stat.S_ISDIR(lst.st_mode):
            try:
                names = sorted(os.listdir(full))
            except OSError:
                continue
            for name in reversed(names):
                stack.append((posixpath.join(rel, name) if rel else name, os.path.join(full, name)))


def _config_order(config, minor):
    """Put every object of ``config`` in Go struct order (after merges)."""
    return _order_struct(config, "Config", minor)


_TOP_JSON = {"Config": None}


def _order_struct(value, struct, minor):
    if not isinstance(value, dict):
        return value
    out = {}
    if struct == "Config" and "ignition" in value:
        out["ignition"] = _order_ignition(value["ignition"], minor)
    for yname, jname, kind, arg, flags in schema.json_fields(struct, minor):
        if struct == "Config" and jname == "ignition":
            continue
        if jname not in value:
            continue
        v = value[jname]
        if kind == "struct":
            v = _order_struct(v, arg, minor)
        elif kind == "list" and arg in schema.STRUCTS:
            v = [_order_struct(item, arg, minor) for item in v]
        out[jname] = v
    return out


def _order_ignition(value, minor):
    out = _order_struct(value, "Ignition", minor)
    result = {}
    for key in ("config", "proxy", "security", "timeouts"):
        if key in out:
            result[key] = out[key]
    result["version"] = value.get("version")
    return result


# ---- entry point ---------------------------------------------------------------------------

def _to_text(text, source):
    """(YAML text or bytes, whether positions mean anything) for a config given as text,
    bytes or a dict; a dict is checked as plain data first (no sets, self-references ...)."""
    if isinstance(text, dict):
        try:
            plain = limits.plain_data(text, "$")
        except NestosError as exc:
            raise ButaneError("invalid Butane config: %s" % exc.message, file=source, path=exc.path)
        try:
            yaml = libyaml.full()
        except libyaml.Unavailable as exc:
            raise ButaneError("cannot write the config as YAML: %s" % exc, file=source)
        try:
            return yaml.safe_dump(plain, default_flow_style=False, sort_keys=False, allow_unicode=True), False
        except (yaml.YAMLError, ValueError, TypeError) as exc:
            raise ButaneError("cannot write the config as YAML: %s" % exc, file=source)
    if text is None:
        return "", True
    if not isinstance(text, (str, bytes)):
        raise ButaneError("a Butane config must be YAML text or a dictionary, not %s" % type(text).__name__,
                          file=source)
    try:
        limits.check_size(text, "Butane config")
    except NestosError as exc:
        raise ButaneError(exc.message, file=source)
    return text, True


def _fail(message, entries, source, strict_msg=False):
    lines = [e.format() for e in entries]
    text = "\n".join(lines + [message]) if lines else message
    first = None
    for e in entries:
        if e.kind == "error" or strict_msg:
            first = e
            break
    path = None
    if first is not None and first.path:
        path = "$" + "".join("." + str(p) for p in first.path)
    raise ButaneError(text, file=source, path=path, line=getattr(first, "line", None),
                      column=getattr(first, "column", None), report=Report(entries), reason=message)


def _unmarshal_errors(errors, source, with_positions):
    """yaml.v3's type errors: one fatal error listing ``line N: ...`` (no report lines, as
    upstream prints them); the exception still points at the first one's path and line."""
    details = "\n".join("  line %d: %s" % (line, msg) for _p, msg, line, _c in errors)
    reason = "yaml: unmarshal errors:\n" + details if with_positions else "yaml: unmarshal errors"
    path, _msg, line, col = errors[0]
    raise ButaneError(reason, file=source, path=_path_text(path) if path else None,
                      line=line if with_positions else None, column=col if with_positions else None,
                      report=Report(), reason=reason)


def _path_text(path):
    return "$" + "".join("." + str(p) for p in path)


def _spec(root, source):
    """(variant, version, fcos minor, Ignition version) from the first pass over the document."""
    variant, version, err = yamlin.read_common(root)
    if err is not None:
        raise ButaneError("Error unmarshaling yaml: %s" % err, file=source)
    if not variant:
        raise ButaneError(ERR_NO_VARIANT, file=source)
    if variant == "rhcos":
        raise ButaneError(ERR_RHCOS, file=source)
    if not _is_semver(version or ""):
        raise ButaneError(ERR_INVALID_VERSION, file=source)
    spec = schema.VERSIONS.get((variant, version))
    if spec is None:
        raise ButaneError("No translator exists for variant %s with version %s" % (variant, version),
                          file=source)
    return variant, version, spec[0], spec[1]


def _decode(root, minor, files_dir, with_positions, source):
    """The decoded document and a report context holding its unused-key warnings."""
    try:
        decoded = yamlin.decode(root, minor)
    except yamlin.YamlDecodeError as exc:
        raise ButaneError(exc.message, file=source, report=Report())
    ctx = _Ctx(decoded, minor, files_dir, with_positions)
    if decoded.errors:
        _unmarshal_errors(decoded.errors, source, with_positions)
    for path, msg, line, col in decoded.unused:
        ctx.entries.append(Entry("warning", path, msg, line if with_positions else None,
                                 col if with_positions else None))
    return decoded.value, ctx


def _generate(ctx, value, ign_version, source):
    """Butane's translation and sugar: the Ignition config in Go struct order."""
    minor = ctx.minor
    config = _tr_struct(ctx, value, "Config", (), ())
    ignition = config.get("ignition", {})
    ignition["version"] = ign_version
    config["ignition"] = ignition
    if minor >= 1:
        add_mount_units(ctx, config, value, merge_configs)
        trees = (value.get("storage") or {}).get("trees")
        if trees:
            _process_trees(ctx, config, trees)
    if ctx.fatal():
        _fail(ERR_SOURCE_INVALID, ctx.entries, source)
    if minor >= 3:
        process_boot_device(ctx, config, value, merge_configs)
        partition_warnings(ctx, config)
    if ctx.fatal():
        _fail(ERR_SOURCE_INVALID, ctx.entries, source)
    return _config_order(config, minor)


def translate(text, files_dir: str | None = None, strict: bool = False, pretty: bool = False,
              source: str | None = None) -> Result:
    """Translate a Butane config (YAML text, bytes or a dict) to Ignition.

    :returns: :class:`Result`.
    :raises ButaneError: fatal errors; ``str(err)`` lists every report line and the reason.
    """
    if not yamlin.has_yaml():
        raise ButaneError("translating Butane needs the Python library PyYAML on this host "
                          "(python3 -m pip install PyYAML, or the distribution's python3-pyyaml)", file=source)
    text, with_positions = _to_text(text, source)
    try:
        root = yamlin.compose(text)
    except yamlin.YamlSyntaxError as exc:
        raise ButaneError("Error unmarshaling yaml: %s" % exc.message, file=source, line=exc.line,
                          column=exc.column)
    variant, version, minor, ign_version = _spec(root, source)
    value, ctx = _decode(root, minor, files_dir, with_positions, source)
    _walk_validate(ctx, value, "Config", ())
    if ctx.fatal():
        _fail(ERR_SOURCE_INVALID, ctx.entries, source)
    config = _generate(ctx, value, ign_version, source)

    for e in ign_validate.validate(config, butane_rules=True):
        jpath = getattr(e, "path", ()) or ()
        ctx.add(e.kind, ctx.yaml_path(jpath, _exists(config, jpath)), e.message)
    if ctx.fatal():
        _fail(ERR_GENERATED_INVALID, ctx.entries, source)
    if strict and ctx.entries:
        _fail("Config produced warnings and --strict was specified", ctx.entries, source, strict_msg=True)
    try:
        text_out = serialize.dumps(config, pretty=pretty, newline=False)
    except (NestosError, TypeError, ValueError) as exc:  # a model mismatch, never expected
        raise ButaneError("cannot write the Ignition config: %s" % exc, file=source)
    return Result(config, text_out, Report(ctx.entries), variant, version, ign_version)
