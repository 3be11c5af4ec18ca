#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: rpm_ostree_kargs
short_description: Manage kernel arguments of a Python-less rpm-ostree host
version_added: 0.1.0
description:
  - Reads the current kernel arguments with C(rpm-ostree kargs), works out which changes are needed
    and runs one C(rpm-ostree kargs) with only those, so every option is idempotent and only the
    plain C(--append)/C(--delete)/C(--replace) flags (present in every rpm-ostree NestOS ships) are used.
  - Order of evaluation - deletions, replacements, then appends.
  - The change makes a new deployment that applies at the next boot.
author: nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.host_action
  - nestos.lifecycle.rpm_ostree_transaction
options:
  append:
    description: Arguments (C(KEY) or C(KEY=VALUE)) that must be present; added when that exact argument is missing.
    type: list
    elements: str
    default: []
  append_if_missing:
    description: Arguments added only when no argument with the same key exists (rpm-ostree's C(--append-if-missing)).
    type: list
    elements: str
    default: []
  delete:
    description:
      - Arguments that must be absent. C(KEY=VALUE) removes that exact argument, C(KEY) every argument
        with that key. Absent ones are ignored.
    type: list
    elements: str
    default: []
  delete_if_present:
    description: Same as O(delete) (rpm-ostree's C(--delete-if-present) spelling).
    type: list
    elements: str
    default: []
  replace:
    description:
      - C(KEY=VALUE) - the single argument with that key gets that value (added when the key is absent;
        an error when the key has several values). C(KEY=OLD=NEW) - replaces C(KEY=OLD) by C(KEY=NEW).
    type: list
    elements: str
    default: []
seealso:
  - module: nestos.lifecycle.nestos_reboot
'''

EXAMPLES = r'''
- name: Serial console and no SMT
  nestos.lifecycle.rpm_ostree_kargs:
    append: [nosmt]
    append_if_missing: ["console=ttyS0,115200n8"]
    delete: [quiet]
  become: true
'''

RETURN = r'''
kargs_before:
  description: Kernel arguments before.
  returned: always
  type: list
  elements: str
kargs_after:
  description: Kernel arguments after (read back; predicted in check mode).
  returned: always
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
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.fleet import RPM_OSTREE_KARGS


def main():
    module = AnsibleModule(supports_check_mode=True, **RPM_OSTREE_KARGS)
    module.fail_json(msg="nestos.lifecycle.rpm_ostree_kargs is an action plugin; it needs the collection's "
                         "action plugin on the controller and no Python on the host")


if __name__ == "__main__":
    main()
