#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: rpm_ostree_pkg
short_description: Layer or remove packages on a Python-less rpm-ostree host
version_added: 0.1.0
description:
  - Decides from C(rpm-ostree status --json) (the requested packages of the default deployment, the
    one new layering builds on), not from exit codes, so a second run changes nothing.
  - Layers with C(rpm-ostree install --idempotent) (removals in the same transaction with
    C(--uninstall=)) and removes with C(rpm-ostree uninstall).
  - Unlike M(community.general.rpm_ostree_pkg) it needs no Python on the host.
author: nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.host_action
  - nestos.lifecycle.rpm_ostree_transaction
options:
  name:
    description: Package names as requested from rpm-ostree.
    type: list
    elements: str
    required: true
  state:
    description: Whether the packages are layered (V(present)) or not (V(absent)).
    type: str
    default: present
    choices: [present, absent]
  allow_inactive:
    description: Pass C(--allow-inactive) (accept packages already in the base image).
    type: bool
    default: false
seealso:
  - module: nestos.lifecycle.nestos_reboot
'''

EXAMPLES = r'''
- name: Layer htop and strace
  nestos.lifecycle.rpm_ostree_pkg:
    name: [htop, strace]
  become: true

- name: Remove them again
  nestos.lifecycle.rpm_ostree_pkg:
    name: [htop, strace]
    state: absent
  become: true
'''

RETURN = r'''
state:
  description: The requested state.
  returned: always
  type: str
packages:
  description: The packages named.
  returned: always
  type: list
  elements: str
installed:
  description: Packages that are (or would be) layered by this task.
  returned: success
  type: list
  elements: str
removed:
  description: Packages that are (or would be) removed by this task.
  returned: success
  type: list
  elements: str
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
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.fleet import RPM_OSTREE_PKG


def main():
    module = AnsibleModule(supports_check_mode=True, **RPM_OSTREE_PKG)
    module.fail_json(msg="nestos.lifecycle.rpm_ostree_pkg is an action plugin; it needs the collection's "
                         "action plugin on the controller and no Python on the host")


if __name__ == "__main__":
    main()
