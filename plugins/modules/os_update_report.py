#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: os_update_report
short_description: Write the JSON rollout report of a NestOS fleet update on the controller
version_added: 0.2.0
description:
  - Collects the C(os_update_state) facts that M(nestos.lifecycle.os_update_host) left on each host
    and writes one JSON document to O(dest_dir) on the controller, named
    C(<UTC timestamp of the first event>-<play>.json); written again at the end of every batch, so
    it is complete even when C(max_fail_percentage) stops the run.
  - Shape, C(play), C(started), C(finished) (epoch seconds), C(action), C(hosts) - each with C(host),
    C(batch) (0 = the canary; hosts no batch reached get the number after the last batch),
    C(result) (C(ok), C(changed), C(failed), C(rolled_back), C(unreachable), C(skipped)),
    C(before) and C(after) (C(image), C(digest), C(checksum), C(version)) and C(events)
    (C(phase) one of C(prefetch), C(apply), C(lock), C(reboot), C(health), C(verify), C(rollback);
    C(start), C(end), C(status), C(detail)).
  - Runs on the controller only; the file is replaced atomically.
author: nestos.lifecycle contributors (@nestos-lifecycle)
attributes:
  check_mode:
    description: Writes the report in check mode too (results are what would happen).
    support: full
  diff_mode:
    description: No diff.
    support: none
  platform:
    description: Runs on the controller.
    support: full
    platforms: posix
options:
  dest_dir:
    description: Folder on the controller for the report (created when missing).
    type: path
    required: true
  hosts:
    description: Hosts to report, in order (hosts with no state are C(skipped), or C(unreachable) when the play lost them).
    type: list
    elements: str
    required: true
  action:
    description: The rollout's action when no host recorded one.
    type: str
    choices: [rebase, upgrade, rollback]
  play:
    description: Play name for the report and its file name (default, the play that applied the update).
    type: str
'''

EXAMPLES = r'''
- name: Write the rollout report
  nestos.lifecycle.os_update_report:
    dest_dir: "{{ playbook_dir }}/../.cache/rollout"
    hosts: "{{ ansible_play_hosts_all }}"
  run_once: true
'''

RETURN = r'''
path:
  description: The JSON report file written.
  returned: success
  type: str
html:
  description: The HTML page written beside it (same name, C(.html)); self-contained, see docs/rollout-report.md.
  returned: success
  type: str
results:
  description: Hosts per result.
  returned: success
  type: dict
msg:
  description: Where the report is and the counts.
  returned: always
  type: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.fleet import OS_UPDATE_REPORT


def main():
    module = AnsibleModule(supports_check_mode=True, **OS_UPDATE_REPORT)
    module.fail_json(msg="nestos.lifecycle.os_update_report is an action plugin that runs on the controller")


if __name__ == "__main__":
    main()
