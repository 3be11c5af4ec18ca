#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: rpm_ostree_upgrade
short_description: Check for, download or apply an rpm-ostree upgrade on a Python-less host
version_added: 0.1.0
description:
  - Runs C(rpm-ostree upgrade) for the ref or container image the host follows.
  - V(check) runs C(rpm-ostree upgrade --check) and reports whether an update is available (never changed).
  - V(download_only) fetches the update without making a deployment (C(--download-only)).
  - V(apply) stages a new deployment; C(--unchanged-exit-77) tells whether one was made, so a second
    run with nothing new reports no change.
  - Check mode runs the read-only C(upgrade --check) to predict the change.
author: nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.host_action
  - nestos.lifecycle.rpm_ostree_transaction
options:
  mode:
    description: What to do.
    type: str
    default: apply
    choices: [apply, check, download_only]
  bypass_driver:
    description: Pass C(--bypass-driver) - V(auto) when an update driver (Zincati) is registered.
    type: str
    default: auto
    choices: [auto, always, never]
  allow_downgrade:
    description: Pass C(--allow-downgrade).
    type: bool
    default: false
seealso:
  - module: nestos.lifecycle.rpm_ostree_rebase
  - module: nestos.lifecycle.nestos_reboot
'''

EXAMPLES = r'''
- name: Is there an update?
  nestos.lifecycle.rpm_ostree_upgrade:
    mode: check
  register: upd

- name: Stage it
  nestos.lifecycle.rpm_ostree_upgrade:
  become: true
  when: upd.available
'''

RETURN = r'''
mode:
  description: The mode used.
  returned: always
  type: str
available:
  description: Whether C(upgrade --check) saw an update.
  returned: when O(mode=check) or in check mode
  type: bool
update:
  description: The C(AvailableUpdate) block of C(upgrade --check) (keys lowercased, e.g. C(version), C(commit)).
  returned: when an update is available and O(mode=check) or in check mode
  type: dict
default:
  description: Summary of the deployment that boots next.
  returned: when not in check mode and O(mode) is not V(check)
  type: dict
stdout:
  description: Output of C(rpm-ostree upgrade).
  returned: when not in check mode and O(mode) is not V(check)
  type: str
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
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.fleet import RPM_OSTREE_UPGRADE


def main():
    module = AnsibleModule(supports_check_mode=True, **RPM_OSTREE_UPGRADE)
    module.fail_json(msg="nestos.lifecycle.rpm_ostree_upgrade is an action plugin; it needs the collection's "
                         "action plugin on the controller and no Python on the host")


if __name__ == "__main__":
    main()
