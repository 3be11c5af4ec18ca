# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Glue every face shares: turning the project's error into a failed result."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.secrets import redact


def error_result(err, secrets=()):
    """A failed-result dict for a :class:`NestosError` (message and location), secrets masked."""
    out = dict(failed=True, msg=str(err))
    out.update(err.details())
    return redact(out, secrets) if secrets else out


def fail(module, err, secrets=()):
    """``module.fail_json`` for a :class:`NestosError`: the message names file, field path, line."""
    result = error_result(err, secrets)
    result.pop("failed")
    module.fail_json(**result)
