# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate an Ignition config (spec 3.0.0 to 3.3.0) as Ignition 2.14.0 does.

Three passes, as in Ignition's ``ValidateWithContext``:

1. shape: every value has the type the spec's Go struct field has (a mismatch is what Go's
   decoder refuses: the report then holds only those errors); keys the spec does not know
   are warnings ``Unused key K``;
2. the rules of each type (paths, modes, links, units, filesystems, partitions, RAID, LUKS,
   URL schemes, hashes, proxies, headers...);
3. duplicates (``duplicate entry defined``), with the shared key spaces of files,
   directories and links, and of ``kernelArguments``.

Entries carry JSON paths, and line/column when ``positions`` (from :mod:`jsonpos`) is given.
With ``newer_checks`` (default) the rule newer Ignition releases add is applied too: a file,
directory or link at the path of a configured systemd unit or drop-in is an error.
With ``butane_rules`` the warnings of Ignition 2.16.2 (the release Butane v0.19.0 vendors and
validates its output with) are added: owner of a hard link ignored, a filesystem on a disk
that is also partitioned or has ``wipeTable``, an enabled instance of a template unit whose
template has no ``[Install]`` section.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath

from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import model as M
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import unitfile, urls
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.unitfile import go_quote
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.model import DupValues
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.report import Report, format_path

# ---- messages (Ignition config/shared/errors) ----------------------------------------
E_DUPLICATE = "duplicate entry defined"
E_INVALID_VERSION = "invalid config version (couldn't parse)"
E_UNKNOWN_VERSION = "unsupported config version"
E_COMPRESSION = "invalid compression method"
E_FILE_SYMLINK = "file path includes link in config"
E_DIR_SYMLINK = "directory path includes link in config"
E_LINK_SYMLINK = "link path includes link in config"
E_LINK_TARGET = "link target is required"
E_HARDLINK_DIR = "hard link target is a directory"
E_DISK_DEVICE = "disk device is required"
E_PART_COLLIDE = "partition numbers collide"
E_PART_OVERLAP = "partitions overlap"
E_OVERWRITE = "overwrite must be false if source is unspecified"
E_VERIFICATION = "source must be specified if verification is specified"
E_FS_FORMAT = "invalid filesystem format"
E_LABEL_FORMAT = "filesystem must specify format if label is specified"
E_FORMAT_NIL = ("format cannot be empty when path, label, uuid, wipeFilesystem, options, "
                "or mountOptions is specified")
FS_LABEL_MAX = {"ext4": 16, "btrfs": 256, "xfs": 12, "swap": 15, "vfat": 11}
E_LUKS_LABEL = "luks device labels cannot be longer than 47 characters"
E_LUKS_SLASH = "device names cannot contain slashes"
E_LUKS_KEYFILE = "invalid key-file source"
E_CLEVIS_PIN_REQ = "missing required custom clevis pin"
E_CLEVIS_PIN = "unsupported clevis pin"
E_CLEVIS_CONFIG = "missing required custom clevis config"
E_CLEVIS_OTHERS = "cannot use custom clevis config with tpm2, tang, or threshold"
E_TANG_THUMB = "thumbprint is required"
E_MODE = "illegal file mode"
W_MODE_SPECIAL = "setuid/setgid/sticky bits are not supported in spec versions older than 3.4.0"
E_ID_NAME = "cannot set both id and name"
E_PART_LABEL_LEN = "partition labels may not exceed 36 characters"
E_GUID = 'doesn\'t match the form "01234567-89AB-CDEF-EDCB-A98765432101"'
E_PART_LABEL_COLON = "partition label will be truncated to text before the colon"
E_NO_PATH = "path not specified"
E_PATH_RELATIVE = "path not absolute"
E_DIRTY_PATH = "path is not fully simplified"
E_RAID_LEVEL_REQ = "raid level is required"
E_RAID_SPARES = "spares unsupported for linear and raid0 arrays"
E_RAID_LEVEL = "unrecognized raid level"
E_RAID_DEVICES = "raid devices required"
E_SHOULD_NOT_EXIST = "shouldExist specified false with other options also specified"
E_ZEROES_NOT_EXIST = "shouldExist is false for a partition and other partition(s) has start or size 0"
E_LABEL_OR_NUMBER = "a partition number >= 1 or a label must be specified"
E_DUP_LABELS = "cannot use the same partition label twice"
E_PROXY = "proxies must be http(s)"
W_PROXY_INSECURE = "insecure plaintext HTTP proxy specified for HTTPS resources"
E_UNIT_EXT = "invalid systemd unit extension"
E_DROPIN_EXT = "invalid systemd drop-in extension"
E_SOURCE_REQUIRED = "source is required"
E_HTTP_HEADER = "unable to parse HTTP header"
E_HTTP_HEADER_NAME = "HTTP header name can't be empty"
E_HTTP_HEADER_SCHEME = "cannot use HTTP headers with this source scheme"
E_HASH_MALFORMED = "malformed hash specifier"
E_HASH_SIZE = "incorrect size for hash sum"
E_HASH_FUNCTION = "unrecognized hash function"
E_SYSTEMD_PATH = "path conflicts with systemd unit or dropin"
W_NULL_OBJECT = ("context tree does not match content tree at %s. Line and column reporting may be "
                 "inconsistent. Unused keys may not be reported.")
W_NO_INSTALL = 'unit %s is enabled, but has no install section so enable does nothing'

UNIT_EXTENSIONS = (".service", ".socket", ".device", ".mount", ".automount", ".swap", ".target",
                   ".path", ".timer", ".snapshot", ".slice", ".scope")
RAID_LEVELS = ("linear", "raid0", "0", "stripe", "raid1", "1", "mirror", "raid4", "4",
               "raid5", "5", "raid6", "6", "raid10", "10")
# regular expressions: compiled on first use (re.compile's own cache keeps them), not at import
_GUID = r"(|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\Z"
_SEMVER = (r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
           r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?\Z")
_NUMBER_LITERAL = r"-?[0-9][0-9.eE+-]*"

# list fields not checked for duplicates (IgnoreDuplicates in Ignition)
_NO_DUPS = {("File", "append"), ("FileContents", "append"), ("Filesystem", "options"),
            ("Filesystem", "mountOptions"), ("Luks", "options"), ("Raid", "options")}
_MERGED_KEYS = {
    "Storage": {"directories": "Node", "files": "Node", "links": "Node"},
    "KernelArguments": {"shouldExist": "KernelArgument", "shouldNotExist": "KernelArgument"},
}


def _guid_ok(guid):
    import re

    return re.match(_GUID, guid) is not None


def parse_semver(version):
    """(major, minor, patch, prerelease) of a semantic version string, or None."""
    if not isinstance(version, str):
        return None
    if version in M.SUPPORTED_VERSIONS:     # plain x.y.z: no need for re (the Butane CLI's start-up)
        major, minor, patch = version.split(".")
        return int(major), int(minor), int(patch), ""
    import re

    m = re.match(_SEMVER, version)
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4) or ""


def check_version(version):
    """None if the version is one we model, else Ignition's message."""
    sv = parse_semver(version)
    if sv is None:
        return E_INVALID_VERSION
    if sv[3] or "%d.%d.%d" % sv[:3] not in M.SUPPORTED_VERSIONS:
        return E_UNKNOWN_VERSION
    return None


def spec_version(version):
    """Normalise a parseable supported version (e.g. '3.3.0+meta') to the model key."""
    sv = parse_semver(version)
    return "%d.%d.%d" % sv[:3]


def validate_path(p):
    if not p:
        return E_NO_PATH
    if not p.startswith("/"):
        return E_PATH_RELATIVE
    if posixpath.normpath(p) != p or p.startswith("//"):
        return E_DIRTY_PATH
    return None


def _go_clean(p):
    """Go's path.Clean (posixpath.normpath keeps a leading '//')."""
    if p == "":
        return "."
    c = posixpath.normpath(p)
    if c.startswith("//"):
        c = "/" + c.lstrip("/")
    return c


def _go_join(*elems):
    """Go's path.Join: empty elements ignored, "" if all are empty, else cleaned."""
    parts = [e for e in elems if e]
    if not parts:
        return ""
    return _go_clean("/".join(parts))


def _go_ext(name):
    """Go's path.Ext."""
    i = len(name) - 1
    while i >= 0 and name[i] != "/":
        if name[i] == ".":
            return name[i:]
        i -= 1
    return ""


def _nil_or_empty(v):
    return v is None or v == ""


def _g(d, key):
    try:
        return d.get(key)     # only a JSON object (dict) has .get: this is the hot path
    except AttributeError:
        return None


def _lst(d, key):
    v = _g(d, key)
    return v if isinstance(v, list) else []


def _dct(d, key):
    v = _g(d, key)
    return v if isinstance(v, dict) else {}


class _Ctx(object):
    def __init__(self, version, report, newer_checks):
        self.version = version
        self.v = M.version_tuple(version)
        self.types = M.model(version)
        self.report = report
        self.newer_checks = newer_checks

    def err(self, path, msg):
        if msg:
            self.report.error(path, msg)

    def warn(self, path, msg):
        if msg:
            self.report.warning(path, msg)


# ---- pass 1: shape ---------------------------------------------------------------------

def _json_type(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


# Go element types of the string lists (named string types in Ignition's schema.go)
_STRING_ELEM = {
    ("PasswdUser", "groups"): "types.Group", ("PasswdUser", "sshAuthorizedKeys"): "types.SSHAuthorizedKey",
    ("Raid", "devices"): "types.Device", ("Raid", "options"): "types.RaidOption",
    ("Filesystem", "mountOptions"): "types.MountOption", ("Filesystem", "options"): "types.FilesystemOption",
    ("Luks", "options"): "types.LuksOption", ("Proxy", "noProxy"): "types.NoProxyItem",
    ("KernelArguments", "shouldExist"): "types.KernelArgument",
    ("KernelArguments", "shouldNotExist"): "types.KernelArgument",
}


def _go_type(struct, key, kind, target, item=False):
    """The Go type name Go's decoder names in an UnmarshalTypeError."""
    if kind in M.STRING_KINDS:
        return "string"
    if kind in M.INT_KINDS:
        return "int"
    if kind == M.KIND_BOOL:
        return "bool"
    if kind in M.LIST_KINDS:
        if target == "string":
            elem = _STRING_ELEM.get((struct, key), "string")
        else:
            elem = "types." + target
        if item:
            return elem
        if target == "HTTPHeader":
            return "types.HTTPHeaders"
        return "[]" + elem
    return "types." + target


def _shape(ctx, struct, value, path, gopath, errors, unused, nulls):
    """Pass 1 over one object of Go type ``struct``: type mismatches go to ``errors``, unknown keys
    to ``unused``, null objects to ``nulls``."""
    index = ctx.types[struct][1]
    for key, v in value.items():
        spec = index.get(key)
        p = path + (key,)
        if spec is None:
            unused.append(p)
            continue
        kind, target = spec
        if v is None:
            if kind in M.STRUCT_KINDS:
                nulls.append(p)
            continue
        gp = gopath + (key,)
        if kind in M.LIST_KINDS:
            _shape_list(ctx, (struct, key, gp, kind, target), v, p, errors, unused, nulls)
        elif kind in M.STRUCT_KINDS:
            if not isinstance(v, dict):
                errors.append((p, struct, key, gp, v, kind, target, False))
            else:
                _shape(ctx, target, v, p, gp, errors, unused, nulls)
        elif not _scalar_fits(kind, v):
            errors.append((p, struct, key, gp, v, kind, target, False))


def _shape_list(ctx, field, v, p, errors, unused, nulls):
    """Pass 1 over a list field; ``field`` is ``(struct, key, gopath, kind, target)``."""
    struct, key, gp, kind, target = field
    if not isinstance(v, list):
        errors.append((p, struct, key, gp, v, kind, target, False))
        return
    strings = target == "string"
    for i, item in enumerate(v):
        if item is None:
            if not strings:
                nulls.append(p + (i,))
        elif strings:
            if not isinstance(item, str):
                errors.append((p + (i,), struct, key, gp, item, kind, target, True))
        elif not isinstance(item, dict):
            errors.append((p + (i,), struct, key, gp, item, kind, target, True))
        else:
            _shape(ctx, target, item, p + (i,), gp, errors, unused, nulls)


def _scalar_fits(kind, v):
    """Whether Go decodes the (non-null) JSON value ``v`` into a field of a scalar kind."""
    if kind in M.STRING_KINDS:
        return isinstance(v, str)
    if kind in M.INT_KINDS:
        return isinstance(v, int) and not isinstance(v, bool) and M.INT_MIN <= v <= M.INT_MAX
    if kind == M.KIND_BOOL:
        return isinstance(v, bool)
    return True


def _shape_message(error, positions=None):
    path, struct, key, gopath, v, kind, target, item = error
    jt = _json_type(v)
    if jt == "number" and kind in M.INT_KINDS and not item:
        # Go names the literal when a number does not fit an int (1.0, 4e2, 2**64)
        literal = None
        if positions is not None and path in positions.values:
            import re

            m = re.compile(_NUMBER_LITERAL).match(positions.text, positions.values[path])
            literal = m.group(0) if m else None
        if literal is None:
            literal = repr(v) if isinstance(v, float) else "%d" % v
        jt = "number " + literal
    return "json: cannot unmarshal %s into Go struct field %s.%s of type %s" % (
        jt, struct, ".".join(gopath), _go_type(struct, key, kind, target, item))


def known_only(types, kind, target, value):
    """A copy holding only what the model knows: what Go's decoder would have filled in."""
    if value is None:
        return None
    if kind in M.LIST_KINDS:
        if target == "string" or not isinstance(value, list):
            return list(value) if isinstance(value, list) else value
        return [known_only(types, M.KIND_STRUCT, target, item) if isinstance(item, dict) else item for item in value]
    if kind in M.STRUCT_KINDS:
        if not isinstance(value, dict):
            return value
        fields, _index = types[target]
        out = {}
        for key, k, t in fields:
            if key in value:
                out[key] = known_only(types, k, t, value[key])
        return out
    return value


_ABSENT = object()
_NIL_ON_NULL = (M.KIND_STR, M.KIND_STR_NULL, M.KIND_INT, M.KIND_BOOL, M.KIND_PSTRUCT, M.KIND_LIST, M.KIND_LIST_NULL)


def _last_wins(value):
    if isinstance(value, DupValues):
        return _last_wins(value[-1])
    if isinstance(value, dict):
        return dict((k, _last_wins(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_last_wins(v) for v in value]
    return value


def _decode_into(types, kind, target, old, new):
    """Go's json decoding of ``new`` into a value that already holds ``old``."""
    if isinstance(new, DupValues):
        for item in new:
            old = _decode_into(types, kind, target, old, item)
        return old
    if new is None:
        # null sets pointers and slices to nil and leaves other values as they are
        if kind in _NIL_ON_NULL or old is _ABSENT:
            return None
        return old
    if kind in M.STRUCT_KINDS:
        if not isinstance(new, dict):
            return _last_wins(new)
        base = old if isinstance(old, dict) else {}
        _fields, index = types[target]
        # fields only earlier occurrences set keep their values, but Ignition's position tree
        # (the last occurrence) does not have them: no unknown-key warnings from inside them
        out = dict((k, known_only(types, index[k][0], index[k][1], v)) for k, v in base.items() if k in index)
        for k, v in new.items():
            spec = index.get(k)
            if spec is None:
                out[k] = _last_wins(v)  # unknown keys: only the last object's count
            else:
                out[k] = _decode_into(types, spec[0], spec[1], base.get(k, _ABSENT), v)
        return out
    if kind in M.LIST_KINDS:
        if not isinstance(new, list):
            return _last_wins(new)
        base = old if isinstance(old, list) else []
        if target == "string":
            ekind, etarget = M.KIND_REQ_STR, None
        else:
            ekind, etarget = M.KIND_STRUCT, target
        return [_decode_into(types, ekind, etarget, base[i] if i < len(base) else _ABSENT, v)
                for i, v in enumerate(new)]
    return _last_wins(new)


def go_decode(value, version):
    """Resolve keys written twice in one JSON object the way Go's decoder does for the
    spec ``version`` (see :class:`model.DupValues`)."""
    if not isinstance(value, dict):
        return _last_wins(value)
    return _decode_into(M.model(version), M.KIND_STRUCT, "Config", _ABSENT, value)


# ---- pass 2: rules ---------------------------------------------------------------------

def _validate_url_nil_ok(ctx, s):
    if _nil_or_empty(s):
        return None
    return urls.validate_url(s, ctx.v)


def _required_source(ctx, res):
    src = _g(res, "source")
    if _nil_or_empty(src):
        return E_SOURCE_REQUIRED
    return urls.validate_url(src, ctx.v)


def _verification(ctx, ver, path):
    h = _g(ver, "hash")
    if h is None:
        return
    p = path + ("hash",)
    if "-" not in h:
        ctx.err(p, E_HASH_MALFORMED)
        return
    func, _dash, digest = h.partition("-")
    sizes = {"sha512": 128} if ctx.v < (3, 1, 0) else {"sha512": 128, "sha256": 64}
    if func not in sizes:
        ctx.err(p, E_HASH_FUNCTION)
        return
    if len(digest.encode("utf-8", "surrogatepass")) != sizes[func]:
        ctx.err(p, E_HASH_SIZE)


def _resource(ctx, res, path, kind="Resource"):
    """Resource (3.1+), FileContents / ConfigReference / CaReference (3.0)."""
    if not isinstance(res, dict):
        return
    src = _g(res, "source")
    if kind in ("Resource", "FileContents"):
        comp = _g(res, "compression")
        if comp is not None and comp not in ("", "gzip"):
            ctx.err(path + ("compression",), E_COMPRESSION)
        if _g(_dct(res, "verification"), "hash") is not None and src is None:
            ctx.err(path + ("verification", "hash"), E_VERIFICATION)
    if kind == "CaReference":
        ctx.err(path + ("source",), urls.validate_url(src or "", ctx.v))
    else:
        ctx.err(path + ("source",), _validate_url_nil_ok(ctx, src))
    if kind == "Resource":
        headers = _lst(res, "httpHeaders")
        if headers:
            if _nil_or_empty(src):
                ctx.err(path + ("httpHeaders",), urls.ERR_INVALID_URL)
            else:
                scheme = urls.scheme_of(src)
                if scheme is None:
                    ctx.err(path + ("httpHeaders",), urls.ERR_INVALID_URL)
                elif scheme not in ("http", "https"):
                    ctx.err(path + ("httpHeaders",), E_HTTP_HEADER_SCHEME)
        for i, h in enumerate(headers):
            hp = path + ("httpHeaders", i)
            if not _g(h, "name"):
                ctx.err(hp + ("name",), E_HTTP_HEADER_NAME)
            val = _g(h, "value")
            if val is not None and val == "":
                ctx.err(hp + ("value",), E_HTTP_HEADER)
    _verification(ctx, _dct(res, "verification"), path + ("verification",))


def _ignition(ctx, ign):
    base = ("ignition",)
    cfg = _dct(ign, "config")
    ref = "Resource" if ctx.v >= (3, 1, 0) else "ConfigReference"
    for i, res in enumerate(_lst(cfg, "merge")):
        p = base + ("config", "merge", i)
        if ref == "Resource":
            ctx.err(p, _required_source(ctx, res))
        _resource(ctx, res, p, ref)
    if "replace" in cfg and isinstance(cfg.get("replace"), dict):
        _resource(ctx, cfg["replace"], base + ("config", "replace"), ref)
    if ctx.v >= (3, 1, 0):
        proxy = _dct(ign, "proxy")
        for key, http_ok in (("httpProxy", True), ("httpsProxy", False)):
            s = _g(proxy, key)
            if s is None:
                continue
            scheme = urls.scheme_of(s)
            p = base + ("proxy", key)
            if scheme is None:
                ctx.err(p, urls.ERR_INVALID_URL)
            elif scheme not in ("http", "https"):
                ctx.err(p, E_PROXY)
            elif scheme == "http" and not http_ok:
                ctx.warn(p, W_PROXY_INSECURE)
    cas = _lst(_dct(_dct(ign, "security"), "tls"), "certificateAuthorities")
    for i, ca in enumerate(cas):
        p = base + ("security", "tls", "certificateAuthorities", i)
        if ctx.v >= (3, 1, 0):
            ctx.err(p, _required_source(ctx, ca))
            _resource(ctx, ca, p, "Resource")
        else:
            _resource(ctx, ca, p, "CaReference")


def _mode(ctx, node, path):
    m = _g(node, "mode")
    if m is None:
        return
    if m < 0 or m > 0o7777:
        ctx.err(path + ("mode",), E_MODE)
    if (m & 0xFFFFFFFF) & 0o7000:
        ctx.warn(path + ("mode",), W_MODE_SPECIAL)


def _node(ctx, node, path):
    ctx.err(path + ("path",), validate_path(_g(node, "path") or ""))
    for who in ("group", "user"):
        d = _dct(node, who)
        if _g(d, "id") is not None and not _nil_or_empty(_g(d, "name")):
            ctx.err(path + (who,), E_ID_NAME)


def _storage(ctx, st):
    base = ("storage",)
    dirs = _lst(st, "directories")
    files = _lst(st, "files")
    links = _lst(st, "links")
    _storage_links(ctx, dirs, files, links)
    for i, d in enumerate(dirs):
        p = base + ("directories", i)
        _node(ctx, d, p)
        _mode(ctx, d, p)
    for i, disk in enumerate(_lst(st, "disks")):
        _disk(ctx, disk, base + ("disks", i))
    _files(ctx, files)
    for i, fs in enumerate(_lst(st, "filesystems")):
        _filesystem(ctx, fs, base + ("filesystems", i))
    for i, ln in enumerate(links):
        _node(ctx, ln, base + ("links", i))
    for i, luks in enumerate(_lst(st, "luks")):
        _luks(ctx, luks, base + ("luks", i))
    for i, raid in enumerate(_lst(st, "raid")):
        _raid(ctx, raid, base + ("raid", i))


def _files(ctx, files):
    contents_kind = "Resource" if ctx.v >= (3, 1, 0) else "FileContents"
    for i, f in enumerate(files):
        p = ("storage", "files", i)
        _node(ctx, f, p)
        _mode(ctx, f, p)
        contents = _dct(f, "contents")
        if _g(f, "overwrite") is True and _g(contents, "source") is None:
            ctx.err(p + ("overwrite",), E_OVERWRITE)
        for j, res in enumerate(_lst(f, "append")):
            _resource(ctx, res, p + ("append", j), contents_kind)
        _resource(ctx, contents, p + ("contents",), contents_kind)


class _LinkPrefixes(object):
    """The configured links, to count how many a path goes through (Go reports each)."""

    def __init__(self, link_paths):
        self.count = {}
        for lp in link_paths:
            self.count[lp] = self.count.get(lp, 0) + 1

    def under(self, p):
        """How many links ``l`` have ``p.startswith(l + "/")``."""
        if not self.count:
            return 0
        get = self.count.get
        n = 0
        i = p.find("/")
        while i >= 0:
            n += get(p[:i], 0)
            i = p.find("/", i + 1)
        return n


def _storage_links(ctx, dirs, files, links):
    """Nodes below a configured link, link targets, hard links to directories."""
    base = ("storage",)
    link_paths = [(_g(ln, "path") or "") for ln in links]
    prefixes = _LinkPrefixes(link_paths)
    for key, nodes, message in (("directories", dirs, E_DIR_SYMLINK), ("files", files, E_FILE_SYMLINK)):
        for i, node in enumerate(nodes):
            for _k in range(prefixes.under(_g(node, "path") or "")):
                ctx.err(base + (key, i), message)
    dir_paths = [(_g(d, "path") or "") for d in dirs]
    for i, ln in enumerate(links):
        for _k in range(prefixes.under(link_paths[i])):
            ctx.err(base + ("links", i), E_LINK_SYMLINK)
        target = _g(ln, "target")
        if ctx.v >= (3, 3, 0):
            if _nil_or_empty(target):
                ctx.err(base + ("links", i, "target"), E_LINK_TARGET)
                continue
        else:
            target = target or ""
        if _g(ln, "hard") is not True:
            continue
        t = _go_clean(target)
        if not t.startswith("/"):
            t = _go_join(link_paths[i], target)
        for dp in dir_paths:
            if t == dp:
                ctx.err(base + ("links", i), E_HARDLINK_DIR)


def _part_end(p):
    if p["sizeMiB"] == 0:
        return p["startMiB"]
    return p["startMiB"] + p["sizeMiB"] - 1


def _disk(ctx, disk, path):
    parts = [p if isinstance(p, dict) else {} for p in _lst(disk, "partitions")]
    device = _g(disk, "device") or ""
    if not device:
        ctx.err(path + ("device",), E_DISK_DEVICE)
    else:
        ctx.err(path + ("device",), validate_path(device))
        numbers = {}
        for i, p in enumerate(parts):
            num = _g(p, "number") or 0
            if num:
                numbers.setdefault(num, []).append(i)
        for num in sorted(numbers):
            if len(numbers[num]) > 1:
                ctx.err(path + ("partitions", numbers[num][1]), E_PART_COLLIDE)
                break
        overlap = _overlap(parts)
        if overlap is not None:
            ctx.err(path + ("partitions", overlap), E_PART_OVERLAP)
        has_zero = any(not (_g(p, "number") or 0) for p in parts)
        has_not_exist = any(_g(p, "shouldExist") is False for p in parts)
        if has_zero and has_not_exist:
            ctx.err(path + ("partitions",), E_ZEROES_NOT_EXIST)
        seen = set()
        for i, p in enumerate(parts):
            label = _g(p, "label")
            if label is not None:
                if label in seen:
                    ctx.err(path + ("partitions", i), E_DUP_LABELS)
                    break
                seen.add(label)
    for i, p in enumerate(parts):
        _partition(ctx, p, path + ("partitions", i))


def _overlap(parts):
    def usable(p):
        return _g(p, "startMiB") is not None and _g(p, "sizeMiB") is not None and p["startMiB"] != 0

    for j, p in enumerate(parts):
        if not usable(p):
            continue
        for i, o in enumerate(parts):
            # Go compares the structs (``p == o``); their pointer fields differ unless
            # both are the same element
            if not usable(o) or i == j:
                continue
            ps, pe, os_, oe = p["startMiB"], _part_end(p), o["startMiB"], _part_end(o)
            if os_ <= ps <= oe or os_ <= pe <= oe or (ps < os_ and pe > oe):
                return i
    return None


def _partition(ctx, p, path):
    if _g(p, "shouldExist") is False and (
            _g(p, "label") is not None or not _nil_or_empty(_g(p, "typeGuid")) or
            not _nil_or_empty(_g(p, "guid")) or _g(p, "startMiB") is not None or _g(p, "sizeMiB") is not None):
        ctx.err(path, E_SHOULD_NOT_EXIST)
    if not (_g(p, "number") or 0) and _g(p, "label") is None:
        ctx.err(path, E_LABEL_OR_NUMBER)
    label = _g(p, "label")
    if label is not None:
        if len(label.encode("utf-8", "surrogatepass")) > 36:
            ctx.err(path + ("label",), E_PART_LABEL_LEN)
        elif ":" in label:
            ctx.err(path + ("label",), E_PART_LABEL_COLON)
    for key in ("guid", "typeGuid"):
        g = _g(p, key)
        if g is not None and not _guid_ok(g):
            ctx.err(path + (key,), E_GUID)


def _filesystem(ctx, fs, path):
    fpath = _g(fs, "path")
    if not _nil_or_empty(fpath):
        ctx.err(path + ("path",), validate_path(fpath))
    ctx.err(path + ("device",), validate_path(_g(fs, "device") or ""))
    fmt = _g(fs, "format")
    formats = ("ext4", "btrfs", "xfs", "swap", "vfat", "none") if ctx.v >= (3, 3, 0) else \
        ("ext4", "btrfs", "xfs", "swap", "vfat")
    if _nil_or_empty(fmt):
        if (not _nil_or_empty(fpath) or not _nil_or_empty(_g(fs, "label")) or not _nil_or_empty(_g(fs, "uuid"))
                or _g(fs, "wipeFilesystem") is True or _lst(fs, "mountOptions") or _lst(fs, "options")):
            ctx.err(path + ("format",), E_FORMAT_NIL)
    elif fmt not in formats:
        ctx.err(path + ("format",), E_FS_FORMAT)
    label = _g(fs, "label")
    if not _nil_or_empty(label):
        if _nil_or_empty(fmt):
            ctx.err(path + ("label",), E_LABEL_FORMAT)
        elif fmt in FS_LABEL_MAX and len(label.encode("utf-8", "surrogatepass")) > FS_LABEL_MAX[fmt]:
            ctx.err(path + ("label",), "filesystem labels cannot be longer than %d characters when using %s"
                    % (FS_LABEL_MAX[fmt], fmt))


def _luks(ctx, luks, path):
    name = _g(luks, "name") or ""
    if "/" in name:
        ctx.err(path + ("name",), E_LUKS_SLASH)
    label = _g(luks, "label")
    if not _nil_or_empty(label) and len(label.encode("utf-8", "surrogatepass")) > 47:
        ctx.err(path + ("label",), E_LUKS_LABEL)
    device = _g(luks, "device")
    if _nil_or_empty(device):
        ctx.err(path + ("device",), E_DISK_DEVICE)
    else:
        ctx.err(path + ("device",), validate_path(device))
    clevis = _dct(luks, "clevis")
    custom_raw = _g(clevis, "custom")
    custom = custom_raw if isinstance(custom_raw, dict) else {}
    others = bool(_lst(clevis, "tang")) or _g(clevis, "tpm2") is True or (_g(clevis, "threshold") or 0) != 0
    if ctx.v >= (3, 3, 0):
        if not _nil_or_empty(_g(custom, "pin")) and others:
            ctx.err(path + ("clevis",), E_CLEVIS_OTHERS)
    elif custom_raw is not None and others:
        ctx.err(path + ("clevis",), E_CLEVIS_OTHERS)
    keyfile = _dct(luks, "keyFile")
    if _validate_url_nil_ok(ctx, _g(keyfile, "source")):
        ctx.err(path + ("keys",), E_LUKS_KEYFILE)
    # children: keyFile resource, clevis custom, tang
    _resource(ctx, keyfile, path + ("keyFile",), "Resource")
    if ctx.v >= (3, 3, 0):
        _clevis_custom(ctx, custom, path + ("clevis", "custom"))
    elif custom_raw is not None:
        _clevis_custom_old(ctx, custom, path + ("clevis", "custom"))
    _tangs(ctx, _lst(clevis, "tang"), path + ("clevis", "tang"))


def _clevis_custom(ctx, custom, cp):
    """ClevisCustom (3.3): a pin of tpm2/tang/sss and a config, once anything is set."""
    pin, conf = _g(custom, "pin"), _g(custom, "config")
    if _nil_or_empty(pin) and _nil_or_empty(conf) and _g(custom, "needsNetwork") is not True:
        return
    if not _nil_or_empty(pin):
        if pin not in ("tpm2", "tang", "sss"):
            ctx.err(cp + ("pin",), E_CLEVIS_PIN)
    else:
        ctx.err(cp + ("pin",), E_CLEVIS_PIN_REQ)
    if _nil_or_empty(conf):
        ctx.err(cp + ("config",), E_CLEVIS_CONFIG)


def _clevis_custom_old(ctx, custom, cp):
    """Custom (3.2 and older, a pointer): pin and config, both non-pointer strings."""
    pin, conf = custom.get("pin") or "", custom.get("config") or ""
    if pin == "" and conf == "":
        return
    if pin not in ("tpm2", "tang", "sss"):
        ctx.err(cp + ("pin",), E_CLEVIS_PIN)
    if conf == "":
        ctx.err(cp + ("config",), E_CLEVIS_CONFIG)


def _tangs(ctx, tangs, path):
    for j, tang in enumerate(tangs):
        tp = path + (j,)
        scheme = urls.scheme_of(_g(tang, "url") or "")
        if scheme is None:
            ctx.err(tp + ("url",), urls.ERR_INVALID_URL)
        elif scheme not in ("http", "https"):
            ctx.err(tp + ("url",), urls.ERR_INVALID_SCHEME)
        if _nil_or_empty(_g(tang, "thumbprint")):
            ctx.err(tp + ("thumbprint",), E_TANG_THUMB)


def _raid(ctx, raid, path):
    level = _g(raid, "level")
    if ctx.v >= (3, 3, 0) and _nil_or_empty(level):
        ctx.err(path + ("level",), E_RAID_LEVEL_REQ)
    else:
        level = level or ""
        if level in ("linear", "raid0", "0", "stripe"):
            if (_g(raid, "spares") or 0) != 0:
                ctx.err(path + ("level",), E_RAID_SPARES)
        elif level not in RAID_LEVELS:
            ctx.err(path + ("level",), E_RAID_LEVEL)
    devices = _lst(raid, "devices")
    if not devices:
        ctx.err(path + ("devices",), E_RAID_DEVICES)
    for i, dev in enumerate(devices):
        ctx.err(path + ("devices", i), validate_path(dev or ""))


def _unit_content(contents):
    """(options or None, error message or None)."""
    if contents is None:
        return [], None
    try:
        return unitfile.parse(contents), None
    except unitfile.UnitParseError as e:
        return None, "invalid unit content: %s" % e.message


def _systemd(ctx, sd):
    for i, unit in enumerate(_lst(sd, "units")):
        p = ("systemd", "units", i)
        name = _g(unit, "name") or ""
        if _go_ext(name) not in UNIT_EXTENSIONS:
            ctx.err(p + ("name",), E_UNIT_EXT)
        contents = _g(unit, "contents")
        opts, error = _unit_content(contents)
        ctx.err(p + ("contents",), error)
        if _g(unit, "enabled") is True and not _nil_or_empty(contents) and opts is not None \
                and not unitfile.has_install_section(opts):
            ctx.warn(p + ("contents",), W_NO_INSTALL % go_quote(name))
        for j, dropin in enumerate(_lst(unit, "dropins")):
            dp = p + ("dropins", j)
            _opts, error = _unit_content(_g(dropin, "contents"))
            ctx.err(dp + ("contents",), error)
            if _go_ext(_g(dropin, "name") or "") != ".conf":
                ctx.err(dp + ("name",), E_DROPIN_EXT)


def _systemd_paths(ctx, config):
    """Ignition >= 2.15: storage nodes must not shadow a configured unit or drop-in."""
    paths = set()
    for unit in _lst(_dct(config, "systemd"), "units"):
        name = _g(unit, "name") or ""
        if not _nil_or_empty(_g(unit, "contents")):
            paths.add("/etc/systemd/system/" + name)
        for dropin in _lst(unit, "dropins"):
            if not _nil_or_empty(_g(dropin, "contents")):
                paths.add("/etc/systemd/system/" + name + ".d/" + (_g(dropin, "name") or ""))
    if not paths:
        return
    st = _dct(config, "storage")
    for key in ("files", "directories", "links"):
        for i, node in enumerate(_lst(st, key)):
            if (_g(node, "path") or "") in paths:
                ctx.err(("storage", key, i, "path"), E_SYSTEMD_PATH)


# ---- pass 3: duplicates ----------------------------------------------------------------

def _item_key(struct, item):
    if not isinstance(item, dict):
        return "" if item is None else item
    if struct == "Partition":
        num = item.get("number") or 0
        if num:
            return "number:%d" % num
        if item.get("label") is not None:
            return "label:%s" % item["label"]
        return ""
    if struct in ("Resource", "ConfigReference", "CaReference", "FileContents"):
        return item.get("source") or ""
    if struct in ("File", "Directory", "Link"):
        return item.get("path") or ""
    if struct in ("Disk", "Filesystem"):
        return item.get("device") or ""
    if struct == "Tang":
        return item.get("url") or ""
    return item.get("name") or ""


def _dups(ctx, struct, value, path):
    fields, _index = ctx.types[struct]
    merged = _MERGED_KEYS.get(struct, {})
    spaces = {}
    for key, kind, target in fields:
        v = value.get(key)
        if kind in M.LIST_KINDS:
            if not isinstance(v, list):
                continue
            if (struct, key) not in _NO_DUPS:
                space = spaces.setdefault(merged.get(key, key), set())
                for i, item in enumerate(v):
                    k = _item_key(target, item)
                    if k in space:
                        ctx.err(path + (key, i), E_DUPLICATE)
                    space.add(k)
            if target != "string":
                for i, item in enumerate(v):
                    if isinstance(item, dict):
                        _dups(ctx, target, item, path + (key, i))
        elif kind in M.STRUCT_KINDS and isinstance(v, dict):
            _dups(ctx, target, v, path + (key,))


# ---- entry point -----------------------------------------------------------------------

def _locate(report, positions, unused=()):
    if positions is None:
        return
    unused = set(unused)
    for e in report.entries:
        if e.line is None:
            e.line, e.column = positions.lookup(e.path, key=e.path in unused)


W_HARDLINK_OWNER = "user/group ignored for hard link"
W_PARTITIONS_OVERWRITTEN = "filesystem overwrites partitioned device"
W_IMPLICIT_WIPE = "device matches disk with wipeTable enabled; filesystem will be wiped"
W_TEMPLATE_NO_INSTALL = "template unit %s for %s doesn't have Install section"


def _butane_rules(ctx, config):
    """Warnings Ignition 2.16.2 adds (see the module docstring)."""
    st = _dct(config, "storage")
    _hardlink_owners(ctx, st)
    _filesystem_disks(ctx, st)
    _template_units(ctx, _lst(_dct(config, "systemd"), "units"))


def _hardlink_owners(ctx, st):
    for i, ln in enumerate(_lst(st, "links")):
        if _nil_or_empty(_g(ln, "target")) or _g(ln, "hard") is not True:
            continue
        for who in ("user", "group"):
            for key in ("id", "name"):
                if _g(_dct(ln, who), key) is not None:
                    ctx.warn(("storage", "links", i, who, key), W_HARDLINK_OWNER)


def _filesystem_disks(ctx, st):
    disks = dict(((_g(d, "device") or ""), d) for d in _lst(st, "disks"))
    for i, fs in enumerate(_lst(st, "filesystems")):
        disk = disks.get(_g(fs, "device") or "")
        if disk is None:
            continue
        if _lst(disk, "partitions"):
            ctx.warn(("storage", "filesystems", i, "device"), W_PARTITIONS_OVERWRITTEN)
        elif _g(fs, "wipeFilesystem") is not True and _g(disk, "wipeTable") is True:
            ctx.warn(("storage", "filesystems", i, "device"), W_IMPLICIT_WIPE)


def _template_of(name):
    """``foo@.service`` for an instance name ``foo@bar.service`` (Ignition's ``^(.+?)@(.+?)\\.service$``)."""
    at = name.find("@")
    if at < 1 or not name.endswith(".service") or len(name) - len(".service") <= at + 1:
        return None
    return name[:at] + "@.service"


def _template_units(ctx, unit_list):
    units = dict(((_g(u, "name") or ""), u) for u in unit_list)
    for i, unit in enumerate(unit_list):
        name = _g(unit, "name") or ""
        template_name = _template_of(name)
        if template_name is None or _g(unit, "enabled") is not True:
            continue
        template = units.get(template_name)
        if template is None or _nil_or_empty(_g(template, "contents")):
            continue
        opts, error = _unit_content(_g(template, "contents"))
        if error or opts is None or unitfile.has_install_section(opts):
            continue
        ctx.warn(("systemd", "units", i, "contents"), W_TEMPLATE_NO_INSTALL % (go_quote(template_name), go_quote(name)))


def validate(config, version=None, positions=None, newer_checks=True, butane_rules=False):
    """Validate a parsed config; returns a :class:`Report`.

    :param config: the config as plain data (dict).
    :param version: the spec version; default: ``config['ignition']['version']``.
    :param positions: a :class:`jsonpos.Positions` to add line/column to entries.
    :param newer_checks: also apply the rule newer Ignition adds (paths of units/drop-ins).
    :param butane_rules: also give the warnings of Ignition 2.16.2 (what Butane reports).
    """
    report = Report()
    if not isinstance(config, dict):
        report.error((), "json: cannot unmarshal %s into Go value of type types.Config" % _json_type(config))
        _locate(report, positions)
        return report
    if version is None:
        ign = config.get("ignition")
        version = ign.get("version") if isinstance(ign, dict) else None
        if version is not None and not isinstance(version, str):
            report.error(("ignition", "version"),
                         "json: cannot unmarshal %s into Go struct field Ignition.ignition.version of type string"
                         % _json_type(version))
            _locate(report, positions)
            return report
        version = version or ""
    problem = check_version(version)
    if problem:
        report.error(("ignition", "version"), problem)
        _locate(report, positions)
        return report
    version = spec_version(version)
    ctx = _Ctx(version, report, newer_checks)

    errors = []
    unused = []
    nulls = []
    _shape(ctx, "Config", config, (), (), errors, unused, nulls)
    if errors:
        for error in errors:
            report.error(error[0], _shape_message(error, positions))
        _locate(report, positions)
        return report

    if unused:
        # without unknown keys the copy would equal the config: the rules below only read it
        config = known_only(ctx.types, M.KIND_STRUCT, "Config", config)
    if ctx.newer_checks:
        _systemd_paths(ctx, config)
    _ignition(ctx, _dct(config, "ignition"))
    _storage(ctx, _dct(config, "storage"))
    _systemd(ctx, _dct(config, "systemd"))
    if butane_rules:
        _butane_rules(ctx, config)
    _dups(ctx, "Config", config, ())
    for p in unused:
        report.warning(p, "Unused key %s" % p[-1])
    for p in nulls:
        # Ignition's unused-key pass finds null where it expects an object
        report.warning(p, W_NULL_OBJECT % format_path(p))
    _locate(report, positions, unused)
    return report
