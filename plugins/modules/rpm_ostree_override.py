#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: rpm_ostree_override
short_description: Override base packages (remove, replace with local RPMs, reset) on a Python-less rpm-ostree host
version_added: 0.2.0
description:
  - Runs C(rpm-ostree override remove), C(override replace) and C(override reset) only for what the
    default deployment's C(requested-base-removals) and C(requested-base-local-replacements) do not
    already say, so a second run changes nothing. The change is a new staged deployment (reboot, or
    M(nestos.lifecycle.rpm_ostree_apply_live) where that is safe).
  - Replacement RPMs are local files on the host (copy them first, e.g. with M(nestos.lifecycle.host_file));
    their file names must be C(NAME-VERSION-RELEASE.ARCH.rpm).
author: nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.host_action
  - nestos.lifecycle.rpm_ostree_transaction
options:
  remove:
    description: Base packages to remove (C(override remove)).
    type: list
    elements: str
    default: []
  replace:
    description: Local RPM files on the host that replace base packages of the same name (C(override replace)).
    type: list
    elements: str
    default: []
  reset:
    description: Packages whose removal or replacement is undone (C(override reset)).
    type: list
    elements: str
    default: []
  reset_all:
    description: Undo every override first (C(override reset --all)).
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Drop nano from the base image and pin podman to a local build
  nestos.lifecycle.rpm_ostree_override:
    remove: [nano]
    replace: [/var/tmp/podman-4.9.5-1.oe2203sp4.x86_64.rpm]
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
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.fleet import RPM_OSTREE_OVERRIDE


def main():
    module = AnsibleModule(supports_check_mode=True, **RPM_OSTREE_OVERRIDE)
    module.fail_json(msg="nestos.lifecycle.rpm_ostree_override is an action plugin; it needs the collection's "
                         "action plugin on the controller and no Python on the host")


if __name__ == "__main__":
    main()
