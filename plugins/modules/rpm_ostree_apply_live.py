#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: rpm_ostree_apply_live
short_description: Apply the pending deployment to the running system (rpm-ostree apply-live)
version_added: 0.2.0
description:
  - Runs C(rpm-ostree apply-live) when a pending deployment exists and the booted deployment's
    C(live-replaced) is not already that deployment's commit, so a second run changes nothing.
  - Without O(allow_replacement) rpm-ostree refuses a pending deployment that changes or removes packages
    (only added packages, such as freshly layered ones, go live).
author: nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.host_action
  - nestos.lifecycle.rpm_ostree_transaction
options:
  allow_replacement:
    description: Pass C(--allow-replacement) (also apply changed or removed packages).
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Layer htop and use it without a reboot
  nestos.lifecycle.rpm_ostree_pkg:
    name: [htop]
  become: true
- name: Apply it live
  nestos.lifecycle.rpm_ostree_apply_live:
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
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.fleet import RPM_OSTREE_APPLY_LIVE


def main():
    module = AnsibleModule(supports_check_mode=True, **RPM_OSTREE_APPLY_LIVE)
    module.fail_json(msg="nestos.lifecycle.rpm_ostree_apply_live is an action plugin; it needs the collection's "
                         "action plugin on the controller and no Python on the host")


if __name__ == "__main__":
    main()
