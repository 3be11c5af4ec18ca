# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument spec of the rollout_report module."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

ROLLOUT_REPORT = dict(
    argument_spec=dict(
        src=dict(type="path"),
        report=dict(type="dict"),
        dest=dict(type="path", required=True),
        mode=dict(type="raw", default="0644"),
    ),
    mutually_exclusive=[("src", "report")],
    required_one_of=[("src", "report")],
    supports_check_mode=True,
)
