# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Ignition input options of libvirt_vm, resolved through the Butane engine's entry point.

``butane.api.resolve_ignition`` turns a path, inline content or a Butane config into validated
Ignition bytes; this module only adds "no input given" (a machine may be defined without one).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.api import resolve_ignition
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.ignition_input import (
    IGNITION_INPUT_ARGSPEC as IGNITION_ARGSPEC,
    IGNITION_INPUT_EXCLUSIVE as IGNITION_EXCLUSIVE,
)

__all__ = ["IGNITION_ARGSPEC", "IGNITION_EXCLUSIVE", "resolve"]


def resolve(params):
    """(bytes or None, warnings) from the module parameters; None when no input was given."""
    given = [key for key in ("ignition", "ignition_content", "butane") if params.get(key) not in (None, "")]
    if not given:
        return None, []
    return resolve_ignition(ignition=params.get("ignition"), ignition_content=params.get("ignition_content"),
                            butane=params.get("butane"), files_dir=params.get("butane_files_dir"),
                            strict=bool(params.get("butane_strict")))
