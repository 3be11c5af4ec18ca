# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The small Ignition 3.3.0 configs that customize generates, serialized like nestos-installer.

Key order and the ``null`` fields follow the serde layout of ignition-config-rs v3_3:
file ``overwrite``, unit ``mask`` are written as ``null`` when unset; every embedded blob
is a ``gzip`` data-URL resource. gzip output is made with mtime 0 (deterministic, but not
byte-identical to flate2: compare decoded contents with nestos-installer's output).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import gzip
import json
from collections import OrderedDict

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

SUPPORTED_VERSIONS = ("3.0.0", "3.1.0", "3.2.0", "3.3.0", "3.4.0")


def make_resource(data):
    packed = gzip.compress(bytes(data), compresslevel=9, mtime=0)
    return OrderedDict([("compression", "gzip"),
                        ("source", "data:;base64," + base64.b64encode(packed).decode("ascii"))])


def decode_resource(resource):
    """Bytes a generated resource stands for (data URL, optional gzip)."""
    source = resource.get("source") or ""
    if not source.startswith("data:"):
        raise NestosError("not a data URL: %s" % source[:40])
    head, dummy, payload = source[5:].partition(",")
    if head.endswith(";base64"):
        data = base64.b64decode(payload)
    else:
        from urllib.parse import unquote_to_bytes
        data = unquote_to_bytes(payload)
    if resource.get("compression") == "gzip":
        data = gzip.decompress(data)
    return data


def parse_config(data, label):
    """Parse an Ignition config (3.0.0-3.4.0); returns the decoded object (key order kept)."""
    try:
        text = bytes(data).decode("utf-8")
        obj = json.loads(text, object_pairs_hook=OrderedDict)
    except (UnicodeDecodeError, ValueError) as err:
        raise NestosError("parsing Ignition config: %s" % err, file=label)
    if not isinstance(obj, dict):
        raise NestosError("parsing Ignition config: top level is not an object", file=label)
    version = (obj.get("ignition") or {}).get("version") if isinstance(obj.get("ignition"), dict) else None
    if version is None:
        raise NestosError("parsing Ignition config: ignition.version is missing", file=label, path="$.ignition.version")
    if version not in SUPPORTED_VERSIONS:
        raise NestosError("parsing Ignition config: unsupported config version %s (3.0.0-3.4.0)" % version,
                          file=label, path="$.ignition.version")
    return obj


def compact(obj):
    return (json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")


class Config(object):
    """A generated 3.3.0 config: merges, CAs, files, units."""

    def __init__(self):
        self.merge = []
        self.cas = []
        self.files = []
        self.units = []

    def is_empty(self):
        return not (self.merge or self.cas or self.files or self.units)

    def merge_config(self, obj):
        self.merge.append(make_resource(compact(obj)[:-1]))

    def add_ca(self, data):
        self.cas.append(make_resource(data))

    def have_path(self, path):
        return any(f["path"] == path for f in self.files)

    def add_file(self, path, data, mode):
        if self.have_path(path):
            raise NestosError("config already specifies path %s" % path)
        self.files.append(OrderedDict([("contents", make_resource(data)), ("mode", mode),
                                       ("overwrite", None), ("path", path)]))

    def add_unit(self, name, contents, enabled=True):
        if any(u["name"] == name for u in self.units):
            raise NestosError("config already specifies unit %s" % name)
        self.units.append(OrderedDict([("contents", contents), ("enabled", enabled), ("mask", None), ("name", name)]))

    def to_object(self):
        ign = OrderedDict()
        if self.merge:
            ign["config"] = OrderedDict([("merge", self.merge)])
        if self.cas:
            ign["security"] = OrderedDict([("tls", OrderedDict([("certificateAuthorities", self.cas)]))])
        ign["version"] = "3.3.0"
        out = OrderedDict([("ignition", ign)])
        if self.files:
            out["storage"] = OrderedDict([("files", self.files)])
        if self.units:
            out["systemd"] = OrderedDict([("units", self.units)])
        return out

    def to_bytes(self):
        return compact(self.to_object())
