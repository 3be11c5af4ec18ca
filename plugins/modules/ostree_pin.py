#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ostree_pin
short_description: Pin or unpin a deployment (ostree admin pin) on a Python-less host
version_added: 0.2.0
description:
  - Runs C(ostree admin pin INDEX) (or C(--unpin)) unless the deployment's C(pinned) already says so;
    a pinned deployment is never garbage-collected by later updates, so a known-good one stays bootable.
author: nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.host_action
options:
  deployment:
    description:
      - Which deployment, C(booted), C(pending), C(rollback), an index of C(rpm-ostree status), or a checksum
        (7+ hex digits), version or image that names exactly one deployment.
    type: str
    default: booted
  pinned:
    description: Pin (V(true)) or unpin (V(false)).
    type: bool
    default: true
'''

EXAMPLES = r'''
- name: Keep the deployment that works, whatever the next updates do
  nestos.lifecycle.ostree_pin:
    deployment: booted
  become: true
'''

RETURN = r'''
commands:
  description: The command lines the plan runs (or would run in check mode).
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
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.fleet import OSTREE_PIN


def main():
    module = AnsibleModule(supports_check_mode=True, **OSTREE_PIN)
    module.fail_json(msg="nestos.lifecycle.ostree_pin is an action plugin; it needs the collection's "
                         "action plugin on the controller and no Python on the host")


if __name__ == "__main__":
    main()
