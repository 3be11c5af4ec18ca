#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: rpm_ostree_facts
short_description: Deployments of a Python-less rpm-ostree host as facts
version_added: 0.1.0
description:
  - Runs C(rpm-ostree status --json) on the host and returns the deployments as the fact
    C(rpm_ostree) - booted, staged, pending and rollback deployments, the booted image
    reference and digest, version, layered packages and whether a reboot is pending.
  - Tolerates the older status shapes (no C(staged) key, no C(update-driver) key).
author: nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.host_action
options:
  raw:
    description: Also return the unmodified status document as C(rpm_ostree.raw).
    type: bool
    default: false
seealso:
  - module: nestos.lifecycle.rpm_ostree_rebase
  - module: nestos.lifecycle.nestos_reboot
'''

EXAMPLES = r'''
- name: Read the deployments
  nestos.lifecycle.rpm_ostree_facts:

- name: Show the booted image
  ansible.builtin.debug:
    msg: "{{ rpm_ostree.image }} @ {{ rpm_ostree.image_digest }} (reboot pending: {{ rpm_ostree.pending_reboot }})"
'''

RETURN = r'''
rpm_ostree:
  description:
    - The facts (also set as the host fact C(rpm_ostree)). Deployment entries are summaries with
      C(id), C(osname), C(checksum), C(version), C(timestamp), C(booted), C(staged), C(pinned),
      C(origin), C(container_image_reference), C(container_image_digest), C(base_checksum),
      C(base_version), C(packages), C(requested_packages), C(requested_local_packages),
      C(base_removals), C(requested_base_removals), C(stream).
  returned: success
  type: dict
  contains:
    deployments:
      description: All deployments, index order (index 0 boots next).
      type: list
      elements: dict
      returned: success
    booted:
      description: The booted deployment.
      type: dict
      returned: success
    staged:
      description: The staged deployment, or null.
      type: dict
      returned: success
    pending:
      description: The deployment before the booted one (boots next), or null.
      type: dict
      returned: success
    rollback:
      description: The deployment after the booted one (target of a rollback), or null.
      type: dict
      returned: success
    default:
      description: Deployment at index 0.
      type: dict
      returned: success
    pending_reboot:
      description: True when index 0 is not the booted deployment.
      type: bool
      returned: success
    image:
      description: Container image reference of the booted deployment, null for classic origins.
      type: str
      returned: success
      sample: ostree-unverified-registry:registry.example.com/nestos:1.0.20240903.0-x86_64
    image_digest:
      description: Manifest digest of the booted container image.
      type: str
      returned: success
      sample: sha256:ca99893c80a7b84dd84d4143bd27538207c2f38ab6647a58d9c8caa251f9a087
    image_ref:
      description: The booted image reference parsed (policy, transport, name, repository, tag, digest, canonical).
      type: dict
      returned: success
    origin:
      description: Classic refspec of the booted deployment, null for container deployments.
      type: str
      returned: success
    version:
      description: Version of the booted deployment.
      type: str
      returned: success
    checksum:
      description: Commit checksum of the booted deployment.
      type: str
      returned: success
    osname:
      description: OS name of the booted deployment.
      type: str
      returned: success
    stream:
      description: Stream from the base commit metadata (C(nestos.stream), C(fedora-coreos.stream)) or image annotations.
      type: str
      returned: success
    layered_packages:
      description: Packages layered on the booted deployment.
      type: list
      elements: str
      returned: success
    requested_packages:
      description: Packages the booted deployment's origin requests.
      type: list
      elements: str
      returned: success
    transaction:
      description: The active rpm-ostree transaction, or null.
      type: list
      elements: str
      returned: success
    cached_update:
      description: The cached update summary, or null.
      type: dict
      returned: success
    update_driver:
      description: The registered update driver (C(driver-name), C(driver-sd-unit)), or null.
      type: dict
      returned: success
    raw:
      description: The status document as printed by rpm-ostree.
      type: dict
      returned: when O(raw=true)
host_commands:
  description: Command lines sent to the host.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.fleet import RPM_OSTREE_FACTS


def main():
    module = AnsibleModule(supports_check_mode=True, **RPM_OSTREE_FACTS)
    module.fail_json(msg="nestos.lifecycle.rpm_ostree_facts is an action plugin; it needs the collection's "
                         "action plugin on the controller and no Python on the host")


if __name__ == "__main__":
    main()
