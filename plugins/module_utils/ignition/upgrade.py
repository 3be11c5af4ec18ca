# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Upgrade a config to a newer spec version, as Ignition does before it merges or applies it.

Every newer spec keeps the older fields, so the translation is a copy of what the old spec
knows (unknown keys are dropped, as Go's decoder drops them), with the version set to the
target.  One detail matters for the written JSON: a field that was a plain Go string (always
present, ``""`` when unset) and becomes a pointer keeps the empty string, as Ignition's
translators do (``util.StrToPtr``): 3.0 CA ``source``; 3.2 RAID ``level``, link ``target``,
Clevis custom ``pin`` and ``config``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import model as M
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.validate import check_version, spec_version


def _copy(old_types, new_types, old_struct, new_struct, value):
    old_fields, _oi = old_types[old_struct]
    _nf, new_index = new_types[new_struct]
    out = {}
    for key, kind, target in old_fields:
        new = new_index.get(key)
        if new is None:
            continue
        new_kind, new_target = new
        v = value.get(key)
        if v is None:
            if kind == M.KIND_REQ_STR and new_kind in (M.KIND_STR, M.KIND_STR_NULL):
                out[key] = ""
            continue
        if kind in M.LIST_KINDS:
            if target == "string":
                out[key] = list(v)
            else:
                out[key] = [_copy(old_types, new_types, target, new_target, item) if isinstance(item, dict) else item
                            for item in v]
        elif kind in M.STRUCT_KINDS:
            out[key] = _copy(old_types, new_types, target, new_target, v) if isinstance(v, dict) else v
        else:
            out[key] = v
    return out


def upgrade(config: dict, version: str = M.LATEST_VERSION) -> dict:
    """The config upgraded to ``version`` (default 3.3.0); the input is not modified.

    :raises NestosError: the config's version is not supported or is newer than ``version``.
    """
    if not isinstance(config, dict):
        raise NestosError("an Ignition config must be an object", path="$")
    ign = config.get("ignition")
    old = ign.get("version") if isinstance(ign, dict) else None
    if not isinstance(old, str) or check_version(old):
        raise NestosError("cannot translate: unsupported config version %r" % (old,), path="$.ignition.version")
    old = spec_version(old)
    if version not in M.SUPPORTED_VERSIONS:
        raise NestosError("cannot translate to unsupported version %r" % (version,))
    if M.version_tuple(old) > M.version_tuple(version):
        raise NestosError("cannot translate spec %s down to %s" % (old, version), path="$.ignition.version")
    out = _copy(M.model(old), M.model(version), "Config", "Config", config)
    out.setdefault("ignition", {})["version"] = version
    return out
