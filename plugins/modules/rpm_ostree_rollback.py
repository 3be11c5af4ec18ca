#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: rpm_ostree_rollback
short_description: Roll a Python-less rpm-ostree host back to its previous deployment
version_added: 0.1.0
description:
  - Follows C(rpm-ostree rollback) exactly - the rollback deployment (the one after the booted one)
    becomes the default; with no rollback deployment but a pending one, the booted deployment goes
    back on top (undo). With neither it fails with rpm-ostree's "No rollback deployment found".
  - A staged pending deployment makes rpm-ostree refuse ("remove with cleanup -p"), so it is removed
    first with C(rpm-ostree cleanup -p); when that alone makes the booted deployment the default, no
    rollback command is run.
  - rpm-ostree rollback flips back and forth when repeated. Give O(to) to make it idempotent - nothing
    happens when the default deployment already is O(to), and the task fails when the rollback
    target is something else.
  - The change applies at the next boot (M(nestos.lifecycle.nestos_reboot)).
author: nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.host_action
  - nestos.lifecycle.rpm_ostree_transaction
options:
  to:
    description:
      - Checksum (or prefix of 7+ hex digits), version, image reference or image digest that the
        default deployment must be after the rollback.
    type: str
seealso:
  - module: nestos.lifecycle.nestos_reboot
  - module: nestos.lifecycle.rpm_ostree_cleanup
'''

EXAMPLES = r'''
- name: Roll back to the deployment recorded before the rebase
  nestos.lifecycle.rpm_ostree_rollback:
    to: "{{ before.rpm_ostree.checksum }}"
  become: true
'''

RETURN = r'''
target:
  description: Summary of the deployment that is (or would be) the default after the rollback.
  returned: success
  type: dict
booted_before:
  description: Summary of the booted deployment.
  returned: always
  type: dict
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
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.fleet import RPM_OSTREE_ROLLBACK


def main():
    module = AnsibleModule(supports_check_mode=True, **RPM_OSTREE_ROLLBACK)
    module.fail_json(msg="nestos.lifecycle.rpm_ostree_rollback is an action plugin; it needs the collection's "
                         "action plugin on the controller and no Python on the host")


if __name__ == "__main__":
    main()
