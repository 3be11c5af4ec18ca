#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: rpm_ostree_cleanup
short_description: Remove pending or rollback deployments and caches on a Python-less rpm-ostree host
version_added: 0.1.0
description:
  - Runs C(rpm-ostree cleanup) with C(-p) only when a pending deployment exists and C(-r) only when a
    rollback deployment exists, so a second run changes nothing.
  - C(-b) and C(-m) run whenever asked; they do not change deployments and do not report a change.
author: nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.host_action
  - nestos.lifecycle.rpm_ostree_transaction
options:
  pending:
    description: Remove the pending (or staged) deployment (C(-p)).
    type: bool
    default: false
  rollback:
    description: Remove the rollback deployment(s) (C(-r)); pinned deployments stay.
    type: bool
    default: false
  base:
    description: Clear temporary files (C(-b)).
    type: bool
    default: false
  repomd:
    description: Delete cached rpm repo metadata (C(-m)).
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Drop a staged update that should not be booted
  nestos.lifecycle.rpm_ostree_cleanup:
    pending: true
  become: true
'''

RETURN = r'''
commands:
  description: The rpm-ostree command lines the plan runs (or would run in check mode).
  returned: always
  type: list
  elements: list
deployments_before:
  description: Deployments before, one line each (index, target, version, checksum, flags).
  returned: always
  type: list
  elements: str
deployments_after:
  description: Deployments after (read back from the host; predicted in check mode).
  returned: always
  type: list
  elements: str
reboot_required:
  description: True when the next boot starts a deployment other than the booted one.
  returned: always
  type: bool
msg:
  description: What was (or would be) done.
  returned: always
  type: str
error_kind:
  description: On failure, the kind of rpm-ostree error (V(busy), V(driver), V(staged), V(no_rollback), V(not_found), V(error) ...).
  returned: failure
  type: str
host_commands:
  description: Command lines sent to the host.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.fleet import RPM_OSTREE_CLEANUP


def main():
    module = AnsibleModule(supports_check_mode=True, **RPM_OSTREE_CLEANUP)
    module.fail_json(msg="nestos.lifecycle.rpm_ostree_cleanup is an action plugin; it needs the collection's "
                         "action plugin on the controller and no Python on the host")


if __name__ == "__main__":
    main()
