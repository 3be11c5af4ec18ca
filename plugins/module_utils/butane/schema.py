# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Butane config model for fcos 1.0.0-1.4.0 (and nestos 1.0.0 = fcos 1.4.0).

Each struct is a list of fields in Butane's (and Ignition's) Go struct order. A field is
``(yaml_name, kind, arg, since, flags)``:

- ``kind``: ``str``, ``int``, ``bool``, ``list`` (``arg`` = item kind or struct name),
  ``struct`` (``arg`` = struct name);
- ``since``: the first fcos minor version (0-4) that has the field;
- ``flags``: ``sugar`` (Butane-only, never copied to Ignition), ``req`` (a non-pointer Go
  string: emitted even when empty), ``omitzero`` (a non-pointer int with omitempty).

The Ignition JSON name of a field is ``camel(yaml_name)``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

S, I, B = "str", "int", "bool"


def F(name, kind, arg=None, since=0, flags=()):
    return (name, kind, arg, since, frozenset(flags))


NODE = [
    F("group", "struct", "NodeGroup"),
    F("overwrite", B),
    F("path", S, flags=("req",)),
    F("user", "struct", "NodeUser"),
]

STRUCTS = {
    "Config": [
        F("version", S, flags=("sugar",)),
        F("variant", S, flags=("sugar",)),
        F("ignition", "struct", "Ignition"),
        F("kernel_arguments", "struct", "KernelArguments", since=4),
        F("passwd", "struct", "Passwd"),
        F("storage", "struct", "Storage"),
        F("systemd", "struct", "Systemd"),
        F("boot_device", "struct", "BootDevice", since=3, flags=("sugar",)),
    ],
    "Ignition": [
        F("config", "struct", "IgnitionConfig"),
        F("proxy", "struct", "Proxy", since=1),
        F("security", "struct", "Security"),
        F("timeouts", "struct", "Timeouts"),
    ],
    "IgnitionConfig": [
        F("merge", "list", "Resource"),
        F("replace", "struct", "Resource"),
    ],
    "Proxy": [
        F("http_proxy", S),
        F("https_proxy", S),
        F("no_proxy", "list", S),
    ],
    "Security": [F("tls", "struct", "TLS")],
    "TLS": [F("certificate_authorities", "list", "Resource")],
    "Timeouts": [F("http_response_headers", I), F("http_total", I)],
    "KernelArguments": [F("should_exist", "list", S), F("should_not_exist", "list", S)],
    "Passwd": [F("groups", "list", "PasswdGroup"), F("users", "list", "PasswdUser")],
    "PasswdGroup": [
        F("gid", I),
        F("name", S, flags=("req",)),
        F("password_hash", S),
        F("should_exist", B, since=2),
        F("system", B),
    ],
    "PasswdUser": [
        F("gecos", S),
        F("groups", "list", S),
        F("home_dir", S),
        F("name", S, flags=("req",)),
        F("no_create_home", B),
        F("no_log_init", B),
        F("no_user_group", B),
        F("password_hash", S),
        F("primary_group", S),
        F("should_exist", B, since=2),
        F("ssh_authorized_keys", "list", S),
        F("shell", S),
        F("system", B),
        F("uid", I),
    ],
    "Storage": [
        F("directories", "list", "Directory"),
        F("disks", "list", "Disk"),
        F("files", "list", "File"),
        F("filesystems", "list", "Filesystem"),
        F("links", "list", "Link"),
        F("luks", "list", "Luks", since=2),
        F("raid", "list", "Raid"),
        F("trees", "list", "Tree", since=1, flags=("sugar",)),
    ],
    "NodeGroup": [F("id", I), F("name", S)],
    "NodeUser": [F("id", I), F("name", S)],
    "Directory": NODE + [F("mode", I)],
    "File": NODE + [
        F("append", "list", "Resource"),
        F("contents", "struct", "Resource"),
        F("mode", I),
    ],
    "Link": NODE + [F("hard", B), F("target", S)],
    "Disk": [
        F("device", S, flags=("req",)),
        F("partitions", "list", "Partition"),
        F("wipe_table", B),
    ],
    "Partition": [
        F("guid", S),
        F("label", S),
        F("number", I, flags=("omitzero",)),
        F("resize", B, since=2),
        F("should_exist", B),
        F("size_mib", I),
        F("start_mib", I),
        F("type_guid", S),
        F("wipe_partition_entry", B),
    ],
    "Filesystem": [
        F("device", S, flags=("req",)),
        F("format", S),
        F("label", S),
        F("mount_options", "list", S, since=1),
        F("options", "list", S),
        F("path", S),
        F("uuid", S),
        F("wipe_filesystem", B),
        F("with_mount_unit", B, since=1, flags=("sugar",)),
    ],
    "Luks": [
        F("clevis", "struct", "Clevis"),
        F("device", S),
        F("key_file", "struct", "Resource"),
        F("label", S),
        F("name", S, flags=("req",)),
        F("options", "list", S),
        F("uuid", S),
        F("wipe_volume", B),
    ],
    "Clevis": [
        F("custom", "struct", "ClevisCustom"),
        F("tang", "list", "Tang"),
        F("threshold", I),
        F("tpm2", B),
    ],
    "ClevisCustom": [F("config", S), F("needs_network", B), F("pin", S)],
    "Tang": [F("thumbprint", S), F("url", S, flags=("req",))],
    "Raid": [
        F("devices", "list", S),
        F("level", S),
        F("name", S, flags=("req",)),
        F("options", "list", S),
        F("spares", I),
    ],
    "Resource": [
        F("compression", S),
        F("http_headers", "list", "HTTPHeader", since=1),
        F("source", S),
        F("inline", S, flags=("sugar",)),
        F("local", S, since=1, flags=("sugar",)),
        F("verification", "struct", "Verification"),
    ],
    "HTTPHeader": [F("name", S, flags=("req",)), F("value", S)],
    # fcos 1.0.0 (Ignition 3.0.0) only: configs and CAs are plain references
    "ConfigReference": [F("source", S), F("verification", "struct", "Verification")],
    "CaReference": [F("source", S, flags=("req",)), F("verification", "struct", "Verification")],
    "Verification": [F("hash", S)],
    "Tree": [F("local", S), F("path", S)],
    "Systemd": [F("units", "list", "Unit")],
    "Unit": [
        F("contents", S),
        F("dropins", "list", "Dropin"),
        F("enabled", B),
        F("mask", B),
        F("name", S, flags=("req",)),
    ],
    "Dropin": [F("contents", S), F("name", S, flags=("req",))],
    "BootDevice": [
        F("layout", S),
        F("luks", "struct", "BootDeviceLuks"),
        F("mirror", "struct", "BootDeviceMirror"),
    ],
    "BootDeviceLuks": [F("tang", "list", "Tang"), F("threshold", I), F("tpm2", B)],
    "BootDeviceMirror": [F("devices", "list", S)],
}

# Go package of each struct, for yaml.v3-like type error texts.
GO_PACKAGE = {"BootDevice": "fcos", "BootDeviceLuks": "fcos", "BootDeviceMirror": "fcos"}

# Variants and versions: (variant, version) -> (fcos minor, Ignition spec version)
VERSIONS = {
    ("fcos", "1.0.0"): (0, "3.0.0"),
    ("fcos", "1.1.0"): (1, "3.1.0"),
    ("fcos", "1.2.0"): (2, "3.2.0"),
    ("fcos", "1.3.0"): (3, "3.2.0"),
    ("fcos", "1.4.0"): (4, "3.3.0"),
    ("nestos", "1.0.0"): (4, "3.3.0"),
}

_CACHE = {}


def fields(struct, minor):
    """The fields of ``struct`` that fcos 1.``minor`` knows."""
    key = (struct, minor)
    got = _CACHE.get(key)
    if got is None:
        got = [_override(struct, f, minor) for f in STRUCTS[struct] if f[3] <= minor]
        _CACHE[key] = got
    return got


def _override(struct, field, minor):
    """Differences of older specs that are not plain additions."""
    name = field[0]
    if minor == 0 and struct == "IgnitionConfig":
        return (name, field[1], "ConfigReference", field[3], field[4])
    if minor == 0 and struct == "TLS":
        return (name, field[1], "CaReference", field[3], field[4])
    if minor <= 3 and ((struct == "Raid" and name == "level") or (struct == "ClevisCustom" and name in ("config", "pin"))):
        return (name, field[1], field[2], field[3], field[4] | frozenset(["req"]))
    if minor <= 3 and struct == "Link" and name == "target":
        # Ignition <= 3.2: a plain string, always written
        return (name, field[1], field[2], field[3], field[4] | frozenset(["req"]))
    return field


def camel(name):
    """Butane's snake_case -> Ignition's camelCase (``_mib`` -> ``MiB``)."""
    if name.endswith("_mib"):
        name = name[:-4] + "MiB"
    parts = name.split("_")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


_SNAKE_CACHE = {}


def snake(name):
    """Ignition's camelCase -> Butane's snake_case (as butane's ``Snake``)."""
    got = _SNAKE_CACHE.get(name)
    if got is None:
        out = []
        i = 0
        while i < len(name):
            if name.startswith("MiB", i):
                out.append("_mib")
                i += 3
                continue
            c = name[i]
            out.append("_" + c.lower() if c.isupper() else c)
            i += 1
        got = "".join(out)
        _SNAKE_CACHE[name] = got
    return got


_JSON_CACHE = {}


def json_fields(struct, minor):
    """(yaml_name, json_name, kind, arg, flags) of the fields copied into Ignition."""
    key = (struct, minor)
    got = _JSON_CACHE.get(key)
    if got is None:
        got = [(f[0], camel(f[0]), f[1], f[2], f[4]) for f in fields(struct, minor) if "sugar" not in f[4]]
        _JSON_CACHE[key] = got
    return got
