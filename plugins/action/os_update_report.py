# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""os_update_report: write the rollout report on the controller from the hosts'
``os_update_state`` facts: the JSON record and, beside it, the HTML page drawn by
``module_utils/report/rollout.py`` (docs/rollout-report.md). Runs on the controller only;
the host is never contacted."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.plugins.action import ActionBase

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import atomic_write
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import fleet as specs
from ansible_collections.nestos.lifecycle.plugins.module_utils.report import rollout as page
from ansible_collections.nestos.lifecycle.plugins.module_utils.rollout import report as rreport

STATE_FACT = "os_update_state"


def host_entries(names, hostvars, live_hosts):
    """Entries in inventory order. Batches count from 0 (the canary), by the first host of each
    batch; a host no batch reached gets the number after the last batch that ran."""
    states = {}
    for name in names:
        state = (hostvars.get(name) or {}).get(STATE_FACT)
        states[name] = state if isinstance(state, dict) else None
    keys = sorted(set(s["batch_key"] for s in states.values() if s and isinstance(s.get("batch_key"), int)))
    entries = []
    for name in names:
        state = states[name]
        if state and state.get("result"):
            text = state["result"]
        elif name not in live_hosts:
            text = "unreachable"
        else:
            text = "not reached"
        key = state.get("batch_key") if state else None
        entries.append(rreport.host_entry(name, state, keys.index(key) if key in keys else len(keys), text))
    return entries


def _states(names, hostvars):
    out = []
    for name in names:
        state = (hostvars.get(name) or {}).get(STATE_FACT)
        if isinstance(state, dict):
            out.append(state)
    return out


def run_facts(names, hostvars, play_arg, action_arg, play_name):
    """(play, action, started) of the run, from what the hosts recorded."""
    states = _states(names, hostvars)
    plays = [s.get("play") for s in states if isinstance(s.get("play"), str) and s.get("play")]
    actions = [s.get("action") for s in states if s.get("action") in rreport.REPORT_ACTIONS]
    firsts = [s.get("started") for s in states
              if isinstance(s.get("started"), (int, float)) and not isinstance(s.get("started"), bool)]
    play = play_arg or (plays[0] if plays else None) or play_name or "rollout"
    action = (actions[0] if actions else None) or action_arg or "rebase"
    return play, action, (min(firsts) if firsts else None)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        _dummy, args = self.validate_argument_spec(**specs.OS_UPDATE_REPORT)
        hostvars = task_vars.get("hostvars") or {}
        try:
            entries = host_entries(args["hosts"], hostvars, set(task_vars.get("ansible_play_hosts") or []))
            play, action, started = run_facts(args["hosts"], hostvars, args["play"], args["action"],
                                              task_vars.get("ansible_play_name"))
            doc = rreport.build(play, action, entries, started=started)
            path = os.path.join(args["dest_dir"], rreport.file_name(doc["started"], play))
            os.makedirs(args["dest_dir"], exist_ok=True)
            atomic_write(path, rreport.dumps(doc).encode("utf-8"), mode=0o644)
            html_path = os.path.splitext(path)[0] + ".html"
            atomic_write(html_path, page.render_html(page.load_report(doc)).encode("utf-8"), mode=0o644)
        except (NestosError, OSError) as exc:
            result.update(failed=True, msg="cannot write the rollout report: %s" % exc)
            return result
        counts = {}
        for entry in entries:
            counts[entry["result"]] = counts.get(entry["result"], 0) + 1
        result.update(changed=False, path=path, html=html_path, results=counts, msg="rollout report: %s and %s (%s)" % (
            path, os.path.basename(html_path), ", ".join("%d %s" % (v, k) for k, v in sorted(counts.items()))))
        return result
