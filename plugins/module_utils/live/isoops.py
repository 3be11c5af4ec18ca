# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run an ISO plan the way a module needs it: check mode, output file, idempotency."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.nestos.lifecycle.plugins.module_utils.live import api
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.modhelp import check_output_folder, diff_of, public_state


def run_iso_plan(iso_path, dest, planner, check_mode, expect=None, mode=0o600):
    """Plan with ``planner(iso)``; apply in place or into ``dest``. Returns a result dict."""
    with api.open_iso(iso_path, expect=expect) as iso:
        plan = planner(iso)
        flavour = iso.flavour.name
    target = dest or iso_path
    if dest and os.path.abspath(dest) != os.path.abspath(iso_path):
        check_output_folder(dest)
        changed = not api.output_matches(plan, dest)
        if changed and not check_mode:
            api.apply_plan(plan, output=dest, clobber=True, mode=mode)
    else:
        changed = plan.changed
        if changed and not check_mode:
            api.apply_plan(plan)
    return {
        "changed": changed,
        "path": target,
        "flavour": flavour,
        "before": public_state(plan.before),
        "after": public_state(plan.after),
        "messages": plan.messages,
        "diff": diff_of(plan, target) if changed else [],
    }
