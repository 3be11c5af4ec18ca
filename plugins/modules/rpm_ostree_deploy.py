#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: rpm_ostree_deploy
short_description: Deploy a given version or commit of the current ostree origin on a Python-less host
version_added: 0.2.0
description:
  - Runs C(rpm-ostree deploy version=VERSION) or C(rpm-ostree deploy CHECKSUM) unless that version or
    commit is already booted (a pending deployment is then dropped) or already pending.
  - For hosts that follow a container image, deploy a version with M(nestos.lifecycle.rpm_ostree_rebase)
    and an image digest; this module refuses them with that advice.
author: nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.host_action
  - nestos.lifecycle.rpm_ostree_transaction
options:
  revision:
    description: A version (C(22.03-LTS-SP4.20240628.0), optionally C(version=...)) or a 64-hex commit checksum.
    type: str
    required: true
  bypass_driver:
    description: Pass C(--bypass-driver) (C(auto) when an update driver such as Zincati is registered).
    type: str
    choices: [auto, always, never]
    default: auto
'''

EXAMPLES = r'''
- name: Go back to a known-good version of the stream
  nestos.lifecycle.rpm_ostree_deploy:
    revision: 22.03-LTS-SP4.20240628.0
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
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.fleet import RPM_OSTREE_DEPLOY


def main():
    module = AnsibleModule(supports_check_mode=True, **RPM_OSTREE_DEPLOY)
    module.fail_json(msg="nestos.lifecycle.rpm_ostree_deploy is an action plugin; it needs the collection's "
                         "action plugin on the controller and no Python on the host")


if __name__ == "__main__":
    main()
