#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: host_service
short_description: systemd unit state on a Python-less host
version_added: 0.1.0
description:
  - Reads C(systemctl is-enabled) and C(systemctl is-active) in one command and runs
    C(systemctl enable/disable/start/stop) only when the unit is not already as asked;
    V(restarted) and V(reloaded) always act.
  - Static, indirect and generated units count as enabled (and as nothing to disable); a masked unit is an error.
  - For example section 4 of the NestOS guide (docker is present but disabled).
author: nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.host_action
options:
  name:
    description: Unit name (C(docker), C(docker.service), C(zincati.service) ...).
    type: str
    required: true
  enabled:
    description: Whether the unit starts at boot.
    type: bool
  state:
    description: V(started)/V(stopped) are idempotent; V(restarted) and V(reloaded) always run.
    type: str
    choices: [started, stopped, restarted, reloaded]
  daemon_reload:
    description: Run C(systemctl daemon-reload) first (not counted as a change).
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Docker on (NestOS guide section 4)
  nestos.lifecycle.host_service:
    name: docker
    enabled: true
    state: started
  become: true

- name: Pause Zincati during a rollout
  nestos.lifecycle.host_service:
    name: zincati.service
    state: stopped
  become: true
'''

RETURN = r'''
name:
  description: The unit name.
  returned: always
  type: str
status_before:
  description: C(enabled) (is-enabled answer) and C(active) (is-active answer) before.
  returned: always
  type: dict
status:
  description: The same after the task (predicted in check mode).
  returned: success
  type: dict
commands:
  description: systemctl command lines run (or that would run).
  returned: always
  type: list
  elements: list
host_commands:
  description: Command lines sent to the host.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.fleet import HOST_SERVICE


def main():
    module = AnsibleModule(supports_check_mode=True, **HOST_SERVICE)
    module.fail_json(msg="nestos.lifecycle.host_service is an action plugin; it needs the collection's "
                         "action plugin on the controller and no Python on the host")


if __name__ == "__main__":
    main()
