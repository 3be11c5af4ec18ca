# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A hand-written model of the Ignition config specs 3.0.0 to 3.3.0.

Each spec version is a table of structs.  A struct is an ordered list of fields in the
order of the Go struct that Ignition generates for that version (alphabetical by Go field
name, embedded ``Node`` fields first), which is also the key order Go's encoder writes.

A field is ``(json_key, kind, target)``:

``KIND_REQ_STR``     ``string`` without omitempty: always written (missing -> ``""``)
``KIND_STR``         ``*string`` with omitempty: written when present (even ``""``)
``KIND_STR_OMIT``    ``string`` with omitempty: written when not ``""``
``KIND_STR_NULL``    ``*string`` without omitempty: written always (missing -> ``null``)
``KIND_INT``         ``*int``; ``KIND_INT_OMIT`` ``int`` with omitempty (``0`` dropped)
``KIND_BOOL``        ``*bool``
``KIND_LIST``        slice with omitempty; target is ``"string"`` or a struct name
``KIND_LIST_NULL``   slice without omitempty (missing -> ``null``)
``KIND_STRUCT``      struct value with omitempty (dropped when it has nothing to write)
``KIND_PSTRUCT``     pointer to struct (written when present, even empty)

Stdlib only, Python 3.9 compatible, no Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

KIND_REQ_STR = "S"
KIND_STR = "s"
KIND_STR_OMIT = "so"
KIND_STR_NULL = "sn"
KIND_INT = "i"
KIND_INT_OMIT = "io"
KIND_BOOL = "b"
KIND_LIST = "list"
KIND_LIST_NULL = "listn"
KIND_STRUCT = "struct"
KIND_PSTRUCT = "pstruct"

STRING_KINDS = (KIND_REQ_STR, KIND_STR, KIND_STR_OMIT, KIND_STR_NULL)
INT_KINDS = (KIND_INT, KIND_INT_OMIT)
LIST_KINDS = (KIND_LIST, KIND_LIST_NULL)
STRUCT_KINDS = (KIND_STRUCT, KIND_PSTRUCT)

SUPPORTED_VERSIONS = ("3.0.0", "3.1.0", "3.2.0", "3.3.0")
LATEST_VERSION = "3.3.0"

# Go's int is 64 bits on the platforms Ignition runs on.
INT_MIN = -(1 << 63)
INT_MAX = (1 << 63) - 1


def _vt(version):
    return tuple(int(x) for x in version.split("."))


def _build(version):
    """Return {struct_name: [(key, kind, target), ...]} for one spec version."""
    v = _vt(version)
    v31 = v >= (3, 1, 0)
    v32 = v >= (3, 2, 0)
    v33 = v >= (3, 3, 0)
    t = {}

    config = [("ignition", KIND_STRUCT, "Ignition")]
    if v33:
        config.append(("kernelArguments", KIND_STRUCT, "KernelArguments"))
    config += [
        ("passwd", KIND_STRUCT, "Passwd"),
        ("storage", KIND_STRUCT, "Storage"),
        ("systemd", KIND_STRUCT, "Systemd"),
    ]
    t["Config"] = config

    ign = [("config", KIND_STRUCT, "IgnitionConfig")]
    if v31:
        ign.append(("proxy", KIND_STRUCT, "Proxy"))
    ign += [
        ("security", KIND_STRUCT, "Security"),
        ("timeouts", KIND_STRUCT, "Timeouts"),
        ("version", KIND_STR_OMIT, None),
    ]
    t["Ignition"] = ign

    if v31:
        t["IgnitionConfig"] = [("merge", KIND_LIST, "Resource"), ("replace", KIND_STRUCT, "Resource")]
        t["TLS"] = [("certificateAuthorities", KIND_LIST, "Resource")]
        t["Resource"] = [
            ("compression", KIND_STR, None),
            ("httpHeaders", KIND_LIST, "HTTPHeader"),
            ("source", KIND_STR, None),
            ("verification", KIND_STRUCT, "Verification"),
        ]
        t["HTTPHeader"] = [("name", KIND_REQ_STR, None), ("value", KIND_STR, None)]
        t["Proxy"] = [
            ("httpProxy", KIND_STR, None),
            ("httpsProxy", KIND_STR, None),
            ("noProxy", KIND_LIST, "string"),
        ]
        contents = "Resource"
    else:
        t["IgnitionConfig"] = [("merge", KIND_LIST, "ConfigReference"), ("replace", KIND_STRUCT, "ConfigReference")]
        t["TLS"] = [("certificateAuthorities", KIND_LIST, "CaReference")]
        t["ConfigReference"] = [("source", KIND_STR_NULL, None), ("verification", KIND_STRUCT, "Verification")]
        t["CaReference"] = [("source", KIND_REQ_STR, None), ("verification", KIND_STRUCT, "Verification")]
        t["FileContents"] = [
            ("compression", KIND_STR, None),
            ("source", KIND_STR, None),
            ("verification", KIND_STRUCT, "Verification"),
        ]
        contents = "FileContents"
    t["Security"] = [("tls", KIND_STRUCT, "TLS")]
    t["Timeouts"] = [("httpResponseHeaders", KIND_INT, None), ("httpTotal", KIND_INT, None)]
    t["Verification"] = [("hash", KIND_STR, None)]

    if v33:
        t["KernelArguments"] = [("shouldExist", KIND_LIST, "string"), ("shouldNotExist", KIND_LIST, "string")]

    t["Passwd"] = [("groups", KIND_LIST, "PasswdGroup"), ("users", KIND_LIST, "PasswdUser")]
    group = [
        ("gid", KIND_INT, None),
        ("name", KIND_REQ_STR, None),
        ("passwordHash", KIND_STR, None),
    ]
    if v32:
        group.append(("shouldExist", KIND_BOOL, None))
    group.append(("system", KIND_BOOL, None))
    t["PasswdGroup"] = group
    user = [
        ("gecos", KIND_STR, None),
        ("groups", KIND_LIST, "string"),
        ("homeDir", KIND_STR, None),
        ("name", KIND_REQ_STR, None),
        ("noCreateHome", KIND_BOOL, None),
        ("noLogInit", KIND_BOOL, None),
        ("noUserGroup", KIND_BOOL, None),
        ("passwordHash", KIND_STR, None),
        ("primaryGroup", KIND_STR, None),
        ("sshAuthorizedKeys", KIND_LIST, "string"),
        ("shell", KIND_STR, None),
    ]
    if v32:
        user.append(("shouldExist", KIND_BOOL, None))
    user += [("system", KIND_BOOL, None), ("uid", KIND_INT, None)]
    t["PasswdUser"] = user

    storage = [
        ("directories", KIND_LIST, "Directory"),
        ("disks", KIND_LIST, "Disk"),
        ("files", KIND_LIST, "File"),
        ("filesystems", KIND_LIST, "Filesystem"),
        ("links", KIND_LIST, "Link"),
    ]
    if v32:
        storage.append(("luks", KIND_LIST, "Luks"))
    storage.append(("raid", KIND_LIST, "Raid"))
    t["Storage"] = storage

    node = [
        ("group", KIND_STRUCT, "NodeGroup"),
        ("overwrite", KIND_BOOL, None),
        ("path", KIND_REQ_STR, None),
        ("user", KIND_STRUCT, "NodeUser"),
    ]
    t["NodeGroup"] = [("id", KIND_INT, None), ("name", KIND_STR, None)]
    t["NodeUser"] = [("id", KIND_INT, None), ("name", KIND_STR, None)]
    t["File"] = node + [
        ("append", KIND_LIST, contents),
        ("contents", KIND_STRUCT, contents),
        ("mode", KIND_INT, None),
    ]
    t["Directory"] = node + [("mode", KIND_INT, None)]
    t["Link"] = node + [
        ("hard", KIND_BOOL, None),
        ("target", KIND_STR if v33 else KIND_REQ_STR, None),
    ]

    t["Disk"] = [
        ("device", KIND_REQ_STR, None),
        ("partitions", KIND_LIST, "Partition"),
        ("wipeTable", KIND_BOOL, None),
    ]
    part = [
        ("guid", KIND_STR, None),
        ("label", KIND_STR, None),
        ("number", KIND_INT_OMIT, None),
    ]
    if v32:
        part.append(("resize", KIND_BOOL, None))
    part += [
        ("shouldExist", KIND_BOOL, None),
        ("sizeMiB", KIND_INT, None),
        ("startMiB", KIND_INT, None),
        ("typeGuid", KIND_STR, None),
        ("wipePartitionEntry", KIND_BOOL, None),
    ]
    t["Partition"] = part

    fs = [
        ("device", KIND_REQ_STR, None),
        ("format", KIND_STR, None),
        ("label", KIND_STR, None),
    ]
    if v31:
        fs.append(("mountOptions", KIND_LIST, "string"))
    fs += [
        ("options", KIND_LIST, "string"),
        ("path", KIND_STR, None),
        ("uuid", KIND_STR, None),
        ("wipeFilesystem", KIND_BOOL, None),
    ]
    t["Filesystem"] = fs

    if v33:
        t["Raid"] = [
            ("devices", KIND_LIST, "string"),
            ("level", KIND_STR, None),
            ("name", KIND_REQ_STR, None),
            ("options", KIND_LIST, "string"),
            ("spares", KIND_INT, None),
        ]
    else:
        t["Raid"] = [
            ("devices", KIND_LIST_NULL, "string"),
            ("level", KIND_REQ_STR, None),
            ("name", KIND_REQ_STR, None),
            ("options", KIND_LIST, "string"),
            ("spares", KIND_INT, None),
        ]

    if v32:
        t["Luks"] = [
            ("clevis", KIND_STRUCT if v33 else KIND_PSTRUCT, "Clevis"),
            ("device", KIND_STR, None),
            ("keyFile", KIND_STRUCT, "Resource"),
            ("label", KIND_STR, None),
            ("name", KIND_REQ_STR, None),
            ("options", KIND_LIST, "string"),
            ("uuid", KIND_STR, None),
            ("wipeVolume", KIND_BOOL, None),
        ]
        t["Clevis"] = [
            ("custom", KIND_STRUCT if v33 else KIND_PSTRUCT, "ClevisCustom"),
            ("tang", KIND_LIST, "Tang"),
            ("threshold", KIND_INT, None),
            ("tpm2", KIND_BOOL, None),
        ]
        if v33:
            t["ClevisCustom"] = [
                ("config", KIND_STR, None),
                ("needsNetwork", KIND_BOOL, None),
                ("pin", KIND_STR, None),
            ]
        else:
            t["ClevisCustom"] = [
                ("config", KIND_REQ_STR, None),
                ("needsNetwork", KIND_BOOL, None),
                ("pin", KIND_REQ_STR, None),
            ]
        t["Tang"] = [("thumbprint", KIND_STR, None), ("url", KIND_STR_OMIT, None)]

    t["Systemd"] = [("units", KIND_LIST, "Unit")]
    t["Unit"] = [
        ("contents", KIND_STR, None),
        ("dropins", KIND_LIST, "Dropin"),
        ("enabled", KIND_BOOL, None),
        ("mask", KIND_BOOL, None),
        ("name", KIND_REQ_STR, None),
    ]
    t["Dropin"] = [("contents", KIND_STR, None), ("name", KIND_REQ_STR, None)]

    # index: struct -> {key: (kind, target)}
    return dict((name, (fields, dict((k, (kind, tgt)) for k, kind, tgt in fields))) for name, fields in t.items())


_MODELS = {}


def model(version):
    """The struct table of a spec version: {name: (ordered fields, {key: (kind, target)})}."""
    if version not in SUPPORTED_VERSIONS:
        raise KeyError(version)
    m = _MODELS.get(version)
    if m is None:
        m = _MODELS[version] = _build(version)
    return m


def version_tuple(version):
    return _vt(version)


class DupValues(list):
    """The values of a key written more than once in one object, in document order.

    Go decodes each occurrence into the same struct field in turn (objects merge, arrays
    are decoded element by element into the existing elements): ``validate.go_decode``
    resolves these with the spec model.  Positions keep only the last occurrence, as
    Ignition's position tree does."""
