#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: rpm_ostree_initramfs
short_description: Turn local initramfs regeneration on or off on a Python-less rpm-ostree host
version_added: 0.2.0
description:
  - Runs C(rpm-ostree initramfs --enable [--arg=ARG]...) or C(--disable) unless the default deployment's
    C(regenerate-initramfs) and C(initramfs-args) already say so. The change is a new staged deployment.
author: nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.host_action
  - nestos.lifecycle.rpm_ostree_transaction
options:
  enabled:
    description: Regenerate the initramfs locally with dracut.
    type: bool
    required: true
  args:
    description: Extra dracut arguments (C(--arg=)), only with O(enabled=true); compared in order.
    type: list
    elements: str
    default: []
'''

EXAMPLES = r'''
- name: Put /etc/crypttab into the initramfs
  nestos.lifecycle.rpm_ostree_initramfs:
    enabled: true
    args: ["-I", "/etc/crypttab"]
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
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.fleet import RPM_OSTREE_INITRAMFS


def main():
    module = AnsibleModule(supports_check_mode=True, **RPM_OSTREE_INITRAMFS)
    module.fail_json(msg="nestos.lifecycle.rpm_ostree_initramfs is an action plugin; it needs the collection's "
                         "action plugin on the controller and no Python on the host")


if __name__ == "__main__":
    main()
