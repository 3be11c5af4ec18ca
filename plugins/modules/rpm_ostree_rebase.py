#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: rpm_ostree_rebase
short_description: Rebase a Python-less rpm-ostree host to a container image or ostree ref
version_added: 0.1.0
description:
  - Runs C(rpm-ostree rebase) on the host when, and only when, neither the booted nor the
    pending (staged) deployment already follows the target. Two spellings of the same image
    (C(ostree-unverified-registry:X) and C(ostree-unverified-image:docker://X)) count as the same.
  - The signature policy is explicit. Unverified images need O(allow_unverified=true).
  - Check mode predicts the deployments after the rebase from C(rpm-ostree status --json);
    diff mode shows the deployment list before and after.
  - When the target is already booted but another deployment is pending, that pending deployment
    is removed with C(rpm-ostree cleanup -p) so the host stays on the target (disable with O(keep_pending)).
  - The new deployment applies at the next boot; use M(nestos.lifecycle.nestos_reboot).
author: nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.host_action
options:
  ref:
    description:
      - The full target as rpm-ostree takes it, for example
        C(ostree-unverified-registry:registry.example.com/nestos:1.0),
        C(ostree-image-signed:docker://registry.example.com/nestos:1.0),
        C(ostree-remote-image:openEuler:docker://registry.example.com/nestos:1.0),
        C(ostree-unverified-image:oci-archive:/var/tmp/nestos.ociarchive) or a classic ref
        C(openEuler:openEuler/x86_64/nestos/stable).
      - Mutually exclusive with O(image).
    type: str
  image:
    description:
      - The container image without transport, e.g. C(registry.example.com/nestos:1.0) or
        C(registry.example.com/nestos@sha256:...). Needs O(signature).
      - Mutually exclusive with O(ref).
    type: str
  signature:
    description:
      - How the image is verified, with O(image).
      - V(signed) uses C(ostree-image-signed:) (C(/etc/containers/policy.json)); rpm-ostree documents it
        from 2023 on, so check it on 2022.x hosts first.
      - V(remote) uses C(ostree-remote-image:REMOTE:) (the GPG settings of ostree remote O(remote)).
      - V(unverified) uses C(ostree-unverified-registry:)/C(ostree-unverified-image:) and needs O(allow_unverified=true).
    type: str
    choices: [signed, remote, unverified]
  transport:
    description: Transport of O(image).
    type: str
    default: registry
    choices: [registry, oci, oci-archive, containers-storage, dir]
  remote:
    description: The ostree remote whose GPG configuration verifies the image, with O(signature=remote).
    type: str
  digest:
    description:
      - Pin the image to this manifest digest (C(sha256:) + 64 hex digits); replaces the tag in the
        reference. A deployment built from this digest counts as already rebased.
    type: str
  allow_unverified:
    description: Accept an image whose signature is not checked (C(ostree-unverified-*) references).
    type: bool
    default: false
  download_only:
    description:
      - Only fetch the target (C(--download-only)), for a prefetch phase before reboots.
        No new deployment is made; skipped when the target is already booted or pending.
    type: bool
    default: false
  experimental:
    description:
      - Pass C(--experimental). rpm-ostree up to 2022.15 (NestOS 22.03, 22.09, 22.03-SP1) refuses
        container references without it; 2022.16 and later accept and ignore it.
      - V(auto) passes it for container references only.
    type: str
    default: auto
    choices: [auto, always, never]
  bypass_driver:
    description:
      - Pass C(--bypass-driver) so the rebase proceeds while Zincati is the registered update driver.
      - V(auto) passes it when C(rpm-ostree status --json) shows an C(update-driver).
    type: str
    default: auto
    choices: [auto, always, never]
  keep_pending:
    description: When the target is already booted, leave another pending deployment in place instead of removing it.
    type: bool
    default: false
  busy_timeout:
    description:
      - Seconds to wait for another rpm-ostree transaction to finish (polling status every 5 s) before
        failing with rpm-ostree's "Transaction in progress" message. V(0) fails at once.
    type: int
    default: 0
seealso:
  - module: nestos.lifecycle.rpm_ostree_facts
  - module: nestos.lifecycle.nestos_reboot
  - module: nestos.lifecycle.rpm_ostree_rollback
'''

EXAMPLES = r'''
- name: Rebase to an unsigned image from the local registry (NestOS guide section 10)
  nestos.lifecycle.rpm_ostree_rebase:
    image: registry.example.com/nestos:1.0.20240903.0-x86_64
    signature: unverified
    allow_unverified: true
  become: true

- name: Prefetch a pinned, signed image before the reboot window
  nestos.lifecycle.rpm_ostree_rebase:
    image: registry.example.com/nestos
    digest: sha256:ca99893c80a7b84dd84d4143bd27538207c2f38ab6647a58d9c8caa251f9a087
    signature: signed
    download_only: true
  become: true

- name: Back to the classic stable stream
  nestos.lifecycle.rpm_ostree_rebase:
    ref: openEuler:openEuler/x86_64/nestos/stable
  become: true
'''

RETURN = r'''
target:
  description: The target reference in rpm-ostree's canonical spelling.
  returned: always
  type: str
  sample: ostree-unverified-registry:registry.example.com/nestos:1.0
target_ref:
  description: The target parsed (kind, policy, remote, transport, name, repository, tag, digest, canonical).
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
booted_before:
  description: Summary of the booted deployment before the task.
  returned: always
  type: dict
default:
  description: Summary of the deployment that boots next, after the rebase.
  returned: changed and not check mode
  type: dict
image_digest:
  description: Manifest digest of the new default deployment.
  returned: changed and not check mode
  type: str
download_only:
  description: Whether only a prefetch was done.
  returned: always
  type: bool
msg:
  description: What was (or would be) done.
  returned: always
  type: str
error_kind:
  description:
    - On failure, the kind of rpm-ostree error - V(busy), V(driver), V(experimental), V(staged),
      V(signature), V(not_found), V(auth), V(network) or V(error); V(unexpected_state) when rpm-ostree
      succeeded but the status does not show the target as the default deployment.
  returned: failure
  type: str
host_commands:
  description: Command lines sent to the host.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.fleet import RPM_OSTREE_REBASE


def main():
    module = AnsibleModule(supports_check_mode=True, **RPM_OSTREE_REBASE)
    module.fail_json(msg="nestos.lifecycle.rpm_ostree_rebase is an action plugin; it needs the collection's "
                         "action plugin on the controller and no Python on the host")


if __name__ == "__main__":
    main()
