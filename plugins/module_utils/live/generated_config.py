# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The small Ignition 3.3.0 configs ``customize`` generates, laid out like nestos-installer's.

Parsing and validating user configs, data URLs and gzip all come from the one Ignition core
(:mod:`...ignition.parse`, :mod:`...ignition.dataurl`). This module only holds what is
particular to nestos-installer's output: the serde layout of ignition-config-rs v3_3 (keys
in alphabetical order, ``overwrite`` and ``mask`` written as ``null`` when unset, every
embedded blob a ``gzip`` base64 data-URL resource).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
from collections import OrderedDict
from typing import Any, Dict, List

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.dataurl import decode_contents, gzip_bytes
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.parse import load_and_validate

GENERATED_VERSION = "3.3.0"

__all__ = ["GeneratedConfig", "compact", "decode_resource", "make_resource", "parse_user_config"]


def make_resource(data: bytes) -> Dict[str, str]:
    """A ``gzip`` base64 data-URL resource holding ``data`` (as nestos-installer embeds blobs)."""
    packed = gzip_bytes(bytes(data))
    return OrderedDict([("compression", "gzip"),
                        ("source", "data:;base64," + base64.b64encode(packed).decode("ascii"))])


def decode_resource(resource: Dict[str, Any]) -> bytes:
    """Bytes a generated resource stands for (data URL, optional gzip), via the Ignition core."""
    return decode_contents(resource.get("source") or "", resource.get("compression"))


def parse_user_config(data: bytes, label: str) -> Dict[str, Any]:
    """A user's Ignition config (3.0.0-3.3.0), validated by the Ignition core; errors name file, path, line."""
    config, _report = load_and_validate(bytes(data), source=label)
    return config


def compact(obj: Any) -> bytes:
    """Compact JSON with a trailing newline, key order kept (serde_json's ``to_writer`` + ``\\n``)."""
    try:
        return (json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError) as err:
        raise NestosError("cannot encode the generated Ignition config: %s" % err)


class GeneratedConfig(object):
    """A generated 3.3.0 config: merged configs, CAs, files, units."""

    def __init__(self) -> None:
        self.merge: List[Dict[str, Any]] = []
        self.cas: List[Dict[str, Any]] = []
        self.files: List[Dict[str, Any]] = []
        self.units: List[Dict[str, Any]] = []

    def is_empty(self) -> bool:
        return not (self.merge or self.cas or self.files or self.units)

    def merge_config(self, obj: Dict[str, Any]) -> None:
        self.merge.append(make_resource(compact(obj)[:-1]))

    def add_ca(self, data: bytes) -> None:
        self.cas.append(make_resource(data))

    def have_path(self, path: str) -> bool:
        return any(f["path"] == path for f in self.files)

    def add_file(self, path: str, data: bytes, mode: int) -> None:
        if self.have_path(path):
            raise NestosError("config already specifies path %s" % path)
        self.files.append(OrderedDict([("contents", make_resource(data)), ("mode", mode),
                                       ("overwrite", None), ("path", path)]))

    def add_unit(self, name: str, contents: str, enabled: bool = True) -> None:
        if any(u["name"] == name for u in self.units):
            raise NestosError("config already specifies unit %s" % name)
        self.units.append(OrderedDict([("contents", contents), ("enabled", enabled), ("mask", None), ("name", name)]))

    def to_object(self) -> Dict[str, Any]:
        ign: Dict[str, Any] = OrderedDict()
        if self.merge:
            ign["config"] = OrderedDict([("merge", self.merge)])
        if self.cas:
            ign["security"] = OrderedDict([("tls", OrderedDict([("certificateAuthorities", self.cas)]))])
        ign["version"] = GENERATED_VERSION
        out: Dict[str, Any] = OrderedDict([("ignition", ign)])
        if self.files:
            out["storage"] = OrderedDict([("files", self.files)])
        if self.units:
            out["systemd"] = OrderedDict([("units", self.units)])
        return out

    def to_bytes(self) -> bytes:
        return compact(self.to_object())
