# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument spec of the ``nestos.lifecycle.ignition_input`` doc fragment.

A module that takes an Ignition config as input adds :data:`IGNITION_INPUT_ARGSPEC` to its
argument spec, :data:`IGNITION_INPUT_EXCLUSIVE` to its ``mutually_exclusive`` list, and calls
``butane.api.resolve_ignition`` (the engine) with the values, e.g. through
:func:`ignition_input_from_params`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.api import resolve_ignition

# Options in the doc fragment, as a module's argument_spec needs them.
IGNITION_INPUT_ARGSPEC = dict(
    ignition=dict(type="path"),
    ignition_content=dict(type="raw", no_log=True),
    butane=dict(type="raw", no_log=True),
    butane_files_dir=dict(type="path"),
    butane_strict=dict(type="bool", default=False),
)
IGNITION_INPUT_EXCLUSIVE = [("ignition", "ignition_content", "butane")]


def ignition_input_from_params(params):
    """Call ``resolve_ignition`` with a module's parameters (doc fragment names)."""
    return resolve_ignition(
        ignition=params.get("ignition"),
        ignition_content=params.get("ignition_content"),
        butane=params.get("butane"),
        files_dir=params.get("butane_files_dir"),
        strict=bool(params.get("butane_strict")),
    )


__all__ = ["IGNITION_INPUT_ARGSPEC", "IGNITION_INPUT_EXCLUSIVE", "ignition_input_from_params"]
