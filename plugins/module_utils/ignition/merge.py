# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Merge two Ignition configs the way Ignition merges ``ignition.config.merge`` children.

Rules (Ignition ``config/merge``), field by field through the spec's structs:

- plain values (``name``, ``path``, ``device``, ``version``, ``number``...): the child's;
- optional values (pointers: ``mode``, ``enabled``, ``contents``...): the child's when the
  child sets one, else the parent's;
- nested objects: the non-empty side, or both merged;
- lists whose items have a key (files/directories/links by ``path`` in one shared key
  space, units and dropins by ``name``, disks and filesystems by ``device``, partitions by
  number or label, resources by ``source``, strings by value, ``kernelArguments``
  ``shouldExist``/``shouldNotExist`` in one key space...): a parent item whose key the child
  also has is merged with the child's item in place (or dropped when the child's item sits
  in another list of the same key space, e.g. a file replaced by a directory); then the
  child's new items are appended.  An HTTP header the child lists without a value removes
  the parent's header of that name;
- ``append``, filesystem ``options``/``mountOptions``, LUKS and RAID ``options``: parent's
  items then child's.

The result is a new dict; the inputs are not modified.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import model as M
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.validate import (
    _MERGED_KEYS, _NO_DUPS, _item_key, check_version, known_only, spec_version)
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.upgrade import upgrade


def _is_zero(types, struct, value):
    if not isinstance(value, dict):
        return value is None
    fields, _index = types[struct]
    for key, kind, target in fields:
        v = value.get(key)
        if v is None:
            continue
        if kind in M.LIST_KINDS:
            if v:
                return False
        elif kind == M.KIND_STRUCT:
            if not _is_zero(types, target, v):
                return False
        elif kind in (M.KIND_REQ_STR, M.KIND_STR_OMIT):
            if v != "":
                return False
        elif kind == M.KIND_INT_OMIT:
            if v != 0:
                return False
        else:
            return False  # a set pointer
    return True


_UNSET = object()  # a merge helper's answer for "leave the field out"
_PLAIN_KINDS = (M.KIND_REQ_STR, M.KIND_STR_OMIT, M.KIND_INT_OMIT)
_OPTIONAL_KINDS = (M.KIND_STR, M.KIND_STR_NULL, M.KIND_INT, M.KIND_BOOL)


def _child_entries(types, struct, child):
    """The child's keyed list items of ``struct``: ``(handle, key) -> (list name, item)``."""
    fields, _index = types[struct]
    merged_keys = _MERGED_KEYS.get(struct, {})
    entries = {}
    for key, kind, target in fields:
        if kind in M.LIST_KINDS and (struct, key) not in _NO_DUPS:
            handle = merged_keys.get(key, key)
            for item in child.get(key) or []:
                entries[(handle, _item_key(target, item))] = (key, item)
    return entries


def _merge_pointer_struct(types, kind, target, pv, cv):
    if pv is not None and cv is not None:
        return _merge_struct(types, target, pv, cv)
    if cv is not None:
        return known_only(types, kind, target, cv)
    if pv is not None:
        return known_only(types, kind, target, pv)
    return _UNSET


def _merge_nested_struct(types, kind, target, pv, cv):
    if _is_zero(types, target, cv):
        return _UNSET if pv is None else known_only(types, kind, target, pv)
    if _is_zero(types, target, pv):
        return known_only(types, kind, target, cv)
    return _merge_struct(types, target, pv, cv)


def _merge_keyed_item(types, key, target, item, found):
    """A parent list item against the child's item of the same key (``found``)."""
    if found is None:
        return known_only(types, M.KIND_LIST, target, [item])[0]
    clist_name, citem = found
    if clist_name != key:
        return _UNSET  # the child moved this key to another list of the space
    if target == "string":
        return citem
    if target == "HTTPHeader" and (citem or {}).get("value") is None:
        return _UNSET  # a header without value removes the parent's header
    return _merge_struct(types, target, item, citem)


def _merge_keyed_list(types, key, target, handle, pv, cv, child_entries):
    plist = list(pv or [])
    clist = list(cv or [])
    if not plist and not clist:
        return _UNSET
    result = []
    for item in plist:
        merged = _merge_keyed_item(types, key, target, item, child_entries.get((handle, _item_key(target, item))))
        if merged is not _UNSET:
            result.append(merged)
    parent_keys = set(_item_key(target, item) for item in plist)
    for item in clist:
        if _item_key(target, item) not in parent_keys:
            result.append(known_only(types, M.KIND_LIST, target, [item])[0])
    return result


def _merge_field(types, struct, field, parent, child, child_entries):
    """The merged value of one field of ``struct``, or _UNSET."""
    key, kind, target = field
    pv = parent.get(key)
    cv = child.get(key)
    if kind in _PLAIN_KINDS:
        return cv if key in child and cv is not None else _UNSET
    if kind in _OPTIONAL_KINDS:
        if cv is not None:
            return cv
        return pv if pv is not None else _UNSET
    if kind == M.KIND_PSTRUCT:
        return _merge_pointer_struct(types, kind, target, pv, cv)
    if kind == M.KIND_STRUCT:
        return _merge_nested_struct(types, kind, target, pv, cv)
    if (struct, key) in _NO_DUPS:
        items = list(pv or []) + list(cv or [])
        return known_only(types, kind, target, items) if items else _UNSET
    handle = _MERGED_KEYS.get(struct, {}).get(key, key)
    return _merge_keyed_list(types, key, target, handle, pv, cv, child_entries)


def _merge_struct(types, struct, parent, child):
    parent = parent or {}
    child = child or {}
    fields, _index = types[struct]
    child_entries = _child_entries(types, struct, child)
    out = {}
    for field in fields:
        value = _merge_field(types, struct, field, parent, child, child_entries)
        if value is not _UNSET:
            out[field[0]] = value
    return out


def _upgrade(config, version):
    v = (config.get("ignition") or {}).get("version") if isinstance(config.get("ignition"), dict) else None
    if isinstance(v, str) and not check_version(v) and spec_version(v) != version \
            and M.version_tuple(spec_version(v)) < M.version_tuple(version):
        return upgrade(config, version)
    return config


def merge(parent, child, version=None):
    """Merge ``child`` over ``parent`` (both Ignition config dicts); returns a new dict.

    Both are upgraded (:func:`translate.translate`) to ``version`` (default: the newer of
    the two declared versions) and merged with that version's struct model; the result's ``ignition.version`` is the child's, as in Ignition
    (the parent's when the child declares none).
    """
    if version is None:
        versions = []
        for c in (parent, child):
            v = (c.get("ignition") or {}).get("version") if isinstance(c, dict) else None
            if v is not None and not check_version(v):
                versions.append(spec_version(v))
        if not versions:
            raise NestosError("cannot merge: neither config declares a supported ignition.version",
                              path="$.ignition.version")
        version = max(versions, key=M.version_tuple)
    types = M.model(version)
    for name, c in (("parent", parent), ("child", child)):
        if not isinstance(c, dict):
            raise NestosError("cannot merge: the %s config is not an object" % name)
    # Ignition upgrades older configs before merging
    parent = _upgrade(parent, version)
    child = _upgrade(child, version)
    out = _merge_struct(types, "Config", parent, child)
    # Go copies the child's version even when empty; a child snippet without a version
    # (common in templates) keeps the parent's instead.
    pver = (parent.get("ignition") or {}).get("version")
    if pver and not (out.get("ignition") or {}).get("version"):
        out.setdefault("ignition", {})["version"] = pver
    return out
