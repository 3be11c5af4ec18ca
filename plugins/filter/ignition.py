# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters ``nestos.lifecycle.ignition_validate`` and ``nestos.lifecycle.ignition_merge``.

Documentation: ``ignition_validate.yml`` and ``ignition_merge.yml`` next to this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.errors import AnsibleFilterError

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.merge import merge
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.parse import parse
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.validate import validate


def _plain(value, what):
    """Native Python data (drops Ansible's tagged/unsafe wrappers) or JSON text as str."""
    if hasattr(value, "_strip_unsafe"):
        value = value._strip_unsafe()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return str(value)
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError) as e:
        raise AnsibleFilterError("%s: expected an Ignition config (dict or JSON text): %s" % (what, e))


def _read(value, what, newer_checks=True):
    """(config or None, report) from a dict or JSON text."""
    value = _plain(value, what)
    if isinstance(value, str):
        return parse(value, newer_checks=newer_checks)
    return (value if isinstance(value, dict) else None), validate(value, newer_checks=newer_checks)


def ignition_validate(data, strict=False, output="config", newer_checks=True):
    """Validate an Ignition config; return it (or the report) or fail with the report."""
    if output not in ("config", "report"):
        raise AnsibleFilterError("ignition_validate: output must be 'config' or 'report', got %r" % (output,))
    config, report = _read(data, "ignition_validate", newer_checks=bool(newer_checks))
    fatal = config is None or report.is_fatal(strict=bool(strict))
    if output == "report":
        return {
            "valid": not fatal,
            "errors": [e.format() for e in report.errors],
            "warnings": [e.format() for e in report.warnings],
            "entries": report.to_list(),
        }
    if fatal:
        raise AnsibleFilterError("ignition_validate: config is not valid%s:\n%s" % (
            " (strict: warnings count)" if strict and not report.errors else "", report.format().rstrip("\n")))
    return config


def ignition_merge(parent, *children, **kwargs):
    """Merge one or more child configs over a parent, as Ignition merges configs."""
    validate_result = kwargs.pop("validate", True)
    if kwargs:
        raise AnsibleFilterError("ignition_merge: unknown option(s): %s" % ", ".join(sorted(kwargs)))
    configs = []
    for i, item in enumerate((parent,) + children):
        what = "ignition_merge (%s)" % ("parent" if i == 0 else "child %d" % i)
        if i > 0 and isinstance(item, (list, tuple)):
            subs = list(item)
        else:
            subs = [item]
        for sub in subs:
            config, report = _read(sub, what)
            if config is None or report.is_fatal():
                raise AnsibleFilterError("%s is not a valid Ignition config:\n%s" % (what, report.format().rstrip("\n")))
            configs.append(config)
    try:
        result = configs[0]
        for child in configs[1:]:
            result = merge(result, child)
    except NestosError as e:
        raise AnsibleFilterError("ignition_merge: %s" % e)
    if validate_result:
        report = validate(result)
        if report.is_fatal():
            raise AnsibleFilterError("ignition_merge: the merged config is not valid:\n%s" % report.format().rstrip("\n"))
    return result


class FilterModule(object):
    def filters(self):
        return {
            "ignition_validate": ignition_validate,
            "ignition_merge": ignition_merge,
        }
