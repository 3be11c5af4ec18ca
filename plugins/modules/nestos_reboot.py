#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: nestos_reboot
short_description: Reboot a Python-less NestOS host and wait for the expected deployment
version_added: 0.1.0
description:
  - Remembers C(/proc/sys/kernel/random/boot_id) and issues O(reboot_command) with its streams
    detached (C(systemctl reboot) only queues the reboot job and returns; a connection that drops
    meanwhile is expected), then resets the connection and retries every O(delay) seconds until
    the host answers with a new boot id or O(reboot_timeout) passes.
  - After the reboot it reads C(rpm-ostree status --json) and checks that the expected deployment
    is booted - O(expect_checksum), O(expect_image), O(expect_version), or by default the
    deployment that was at index 0 (the one due to boot) before the reboot.
  - Unlike M(ansible.builtin.reboot) it does not run the C(setup) module, so it works on hosts without Python.
author: nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.host_action
options:
  reboot_timeout:
    description: Seconds to wait for the host to come back with a new boot id.
    type: int
    default: 600
  connect_timeout:
    description: Connection timeout (seconds) for each attempt while waiting.
    type: int
    default: 10
  delay:
    description: Seconds between attempts (and before the first one).
    type: int
    default: 2
  post_reboot_delay:
    description: Seconds to wait after the host is back, before verifying the deployment.
    type: int
    default: 0
  reboot_command:
    description:
      - The command that reboots the host. It must return once the reboot is queued, as
        C(systemctl reboot) does; C(systemd-run --on-active=2 systemctl reboot) delays it further.
    type: str
    default: systemctl reboot
  only_if_pending:
    description: Reboot only when a deployment other than the booted one is due to boot (C(changed=false) otherwise).
    type: bool
    default: false
  expect_checksum:
    description: Commit checksum (or a prefix of at least 7 hex digits) that must be booted after the reboot.
    type: str
  expect_image:
    description: Image reference (any spelling rpm-ostree accepts) or digest that must be booted after the reboot.
    type: str
  expect_version:
    description: Version that must be booted after the reboot.
    type: str
  verify_default:
    description:
      - Without O(expect_checksum), O(expect_image) or O(expect_version), check that the deployment
        that was at index 0 before the reboot is the booted one after it.
    type: bool
    default: true
  boot_once:
    description:
      - Temporary rollback (NestOS guide 9.4.1) - boot this deployment once and leave the default alone.
        V(rollback) is the deployment that is not the default (index 1 of two); an index, a commit
        checksum (7+ hex digits), a version or a deployment id name another one.
      - Sets GRUB's C(next_entry) in C(/boot/grub2/grubenv) (with C(grub2-editenv), else C(grub-editenv))
        to the id of that deployment's BLS entry in C(/boot/loader/entries), found by the folder its
        C(ostree=) path resolves to (else by ostree's entry numbering).
      - NestOS's C(grub.cfg) loads C(grubenv) but does not act on C(next_entry); when neither it nor
        C(/boot/grub2/user.cfg) does, a small marked block is added to C(user.cfg) (content kept, mode 0600).
      - After the reboot it checks that the chosen deployment booted, that the default (index 0) is the
        one before, and that GRUB cleared C(next_entry). The next ordinary reboot boots the default again.
      - Refused while a staged deployment exists (its finalization renumbers the entries). Already booted
        into the chosen deployment - C(changed=false). Check mode and diff mode show C(next_entry) before and after.
      - Use M(nestos.lifecycle.rpm_ostree_rollback) for the permanent way.
    type: str
  msg:
    description: Message for the log; kept for compatibility with M(ansible.builtin.reboot) (not sent to users).
    type: str
    default: Reboot initiated by Ansible (nestos.lifecycle)
seealso:
  - module: nestos.lifecycle.rpm_ostree_rebase
  - module: ansible.builtin.reboot
'''

EXAMPLES = r'''
- name: Reboot into the staged deployment when there is one
  nestos.lifecycle.nestos_reboot:
    only_if_pending: true
    reboot_timeout: 900
  become: true

- name: Reboot and insist on the pinned image
  nestos.lifecycle.nestos_reboot:
    expect_image: sha256:ca99893c80a7b84dd84d4143bd27538207c2f38ab6647a58d9c8caa251f9a087
  become: true

- name: Temporary rollback - boot the previous deployment once, the default stays
  nestos.lifecycle.nestos_reboot:
    boot_once: rollback
  become: true
'''

RETURN = r'''
boot_once:
  description: With O(boot_once) - the chosen deployment, its BLS entry, the default deployment id, next_entry before.
  returned: when boot_once is set
  type: dict
rebooted:
  description: Whether the host was rebooted.
  returned: always
  type: bool
elapsed:
  description: Seconds from issuing the reboot until the new boot id was seen.
  returned: when rebooted
  type: int
boot_id_before:
  description: Boot id before the reboot.
  returned: when rebooted
  type: str
boot_id_after:
  description: Boot id after the reboot.
  returned: when rebooted
  type: str
booted_before:
  description: Summary of the booted deployment before the reboot.
  returned: always
  type: dict
booted:
  description: Summary of the booted deployment after the reboot.
  returned: when rebooted
  type: dict
expected:
  description: What was checked after the reboot (checksum, image, version).
  returned: always
  type: dict
deployments_after:
  description: Deployments after the reboot, one line each.
  returned: when rebooted
  type: list
  elements: str
reboot_required:
  description: Whether yet another deployment is due after this reboot.
  returned: when rebooted
  type: bool
error_kind:
  description:
    - V(wrong_deployment) when the host came back on another deployment than expected,
      V(reboot_timeout) when it did not come back within O(reboot_timeout).
  returned: failure
  type: str
msg:
  description: What happened.
  returned: always
  type: str
host_commands:
  description: Command lines sent to the host.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.fleet import NESTOS_REBOOT


def main():
    module = AnsibleModule(supports_check_mode=True, **NESTOS_REBOOT)
    module.fail_json(msg="nestos.lifecycle.nestos_reboot is an action plugin; it needs the collection's "
                         "action plugin on the controller and no Python on the host")


if __name__ == "__main__":
    main()
