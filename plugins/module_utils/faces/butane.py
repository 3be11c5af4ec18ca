# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument spec of the ``nestos.lifecycle.butane`` action (shared with its docs module)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

BUTANE = dict(
    argument_spec=dict(
        src=dict(type="str"),
        content=dict(type="raw", no_log=True),
        files_dir=dict(type="str"),
        strict=dict(type="bool", default=False),
        pretty=dict(type="bool", default=False),
        dest=dict(type="str"),
    ),
    mutually_exclusive=[("src", "content")],
    required_one_of=[("src", "content")],
)
