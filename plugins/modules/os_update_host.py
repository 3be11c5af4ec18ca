#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: os_update_host
short_description: One NestOS host's part of a rollout, one shell session per phase
version_added: 0.2.0
description:
  - The engine of the M(nestos.lifecycle.os_update) role. Works on hosts without Python; every
    phase is ONE shell session whose sections (status JSON, boot id, exit codes ...) are parsed on
    the controller, where every decision is taken.
  - O(phase=prefetch) reads the host (C(rpm-ostree status --json), boot id, C(/etc/machine-id),
    Zincati's state and drop-ins) in one session and, when the target is not there yet, downloads
    it with C(--download-only) in a second one. A failed download is reported, not fatal.
  - O(phase=apply) reuses that read (or reads now), plans, and when something changes opens the
    apply session (Zincati stopped, rebase/upgrade/rollback, packages, kernel arguments, status after),
    takes the FleetLock reboot slot when the host's Zincati uses the C(fleet_lock) strategy, opens
    the reboot session, waits for a new boot id and opens the verify session (C(systemctl
    is-system-running) polled inside it, status, the O(health_checks), Zincati started again). When
    a check fails it rolls back and reboots in one more session. Once the host is healthy the
    FleetLock slot is released. A failed change leaves nothing half-done (C(rpm-ostree cleanup -p)).
  - Returns and sets the fact C(os_update_state) (before/after deployment, result, error, timed
    events, sessions used) that M(nestos.lifecycle.os_update_report) turns into the rollout report.
  - "FleetLock requests are sent from the controller: it must reach the server named in the host's
    Zincati configuration (C(updates.fleet_lock.base_url)). The node id is Zincati's own: C(identity.node_uuid)
    or the application-specific id derived from C(/etc/machine-id); the group is C(identity.group) or C(default)."
author: nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.host_action
options:
  phase:
    description:
      - C(read) (one session; the result is kept in the C(os_update_state) fact for the next phases),
        C(prefetch) (read unless already read in this run, then download only) or C(apply)
        (change, reboot, verify, roll back).
    type: str
    choices: [read, prefetch, apply]
    default: apply
  action:
    description: What to do with the deployment.
    type: str
    choices: [rebase, upgrade, rollback, none]
    default: rebase
  ref:
    description: Full rpm-ostree target reference (instead of O(image)), for O(action=rebase).
    type: str
  image:
    description: Target container image without transport, with O(signature), for O(action=rebase).
    type: str
  signature:
    description: How the image is verified.
    type: str
    choices: [signed, remote, unverified]
    default: signed
  allow_unverified:
    description: Accept an unverified image reference.
    type: bool
    default: false
  remote:
    description: ostree remote for O(signature=remote).
    type: str
  digest:
    description: Manifest digest the image must have; checked after the reboot.
    type: str
  rollback_to:
    description: For O(action=rollback), the checksum, version or image the host must end on (idempotent).
    type: str
  packages:
    description: Packages to layer with the same deployment.
    type: list
    elements: str
    default: []
  packages_absent:
    description: Layered packages to remove with the same deployment.
    type: list
    elements: str
    default: []
  kargs_append:
    description: Kernel arguments to append.
    type: list
    elements: str
    default: []
  kargs_delete:
    description: Kernel arguments to delete.
    type: list
    elements: str
    default: []
  kargs_replace:
    description: Kernel arguments to replace (C(KEY=VALUE) or C(KEY=OLD=NEW)).
    type: list
    elements: str
    default: []
  pause_zincati:
    description: Stop C(zincati.service) in the apply session when it runs; start it again afterwards.
    type: bool
    default: true
  reboot:
    description: Reboot when a new deployment is due (otherwise Zincati is started again in the apply session).
    type: bool
    default: true
  reboot_command:
    description: The command that queues the reboot.
    type: str
    default: systemctl reboot
  reboot_timeout:
    description: Seconds to wait for the host to come back with a new boot id.
    type: int
    default: 600
  reboot_delay:
    description: Seconds between connection attempts while the host reboots (and before the first).
    type: int
    default: 2
  connect_timeout:
    description: Connection timeout for each attempt while waiting.
    type: int
    default: 10
  busy_timeout:
    description: Seconds to wait for a running rpm-ostree transaction to end.
    type: int
    default: 60
  check_system_running:
    description: After the reboot, C(systemctl is-system-running) must print C(running) (polled while it says C(starting)).
    type: bool
    default: true
  health_retries:
    description: How many times C(is-system-running) is polled while it says C(starting) or C(initializing).
    type: int
    default: 10
  health_delay:
    description: Seconds between those polls.
    type: int
    default: 3
  health_checks:
    description:
      - Extra checks after the reboot, run in the verify session as root, each
        C({name, command, rc (default 0), stdout (a substring that must appear)}).
    type: list
    elements: dict
    default: []
  auto_rollback:
    description: When a check fails after the reboot, roll back and reboot into the previous deployment.
    type: bool
    default: true
  fleet_lock:
    description: C(auto) takes the FleetLock slot when the host's Zincati uses C(fleet_lock); C(never) does not.
    type: str
    choices: [auto, never]
    default: auto
  fleet_lock_timeout:
    description: Seconds to wait for a reboot slot; when none is granted the host fails and its staged deployment is dropped.
    type: int
    default: 600
  fleet_lock_delay:
    description: Seconds between lock attempts.
    type: int
    default: 5
seealso:
  - module: nestos.lifecycle.os_update_report
  - module: nestos.lifecycle.rpm_ostree_rebase
  - module: nestos.lifecycle.nestos_reboot
'''

EXAMPLES = r'''
- name: Rebase, reboot and check one host (what the os_update role does per batch)
  nestos.lifecycle.os_update_host:
    action: rebase
    image: registry.example.com/nestos/nestos:22.03-LTS-SP4.20240901.0-x86_64
    signature: signed
    health_checks:
      - name: kubelet
        command: systemctl is-active kubelet
        stdout: active
  become: true
'''

RETURN = r'''
os_update_result:
  description: C(updated), C(unchanged), C(would update), C(failed) or C(rolled back).
  returned: phase=apply
  type: str
error:
  description: Why the host failed or was rolled back.
  returned: phase=apply
  type: str
before:
  description: The booted deployment before (image, digest, checksum, version).
  returned: phase=apply
  type: dict
after:
  description: The booted deployment after.
  returned: phase=apply
  type: dict
events:
  description: Timed events (phase, start, end, status, detail) for the rollout report.
  returned: phase=apply
  type: list
  elements: dict
commands:
  description: The planned rpm-ostree commands.
  returned: phase=apply
  type: list
  elements: list
host:
  description: What the read found (boot id, Zincati state, FleetLock settings, strategy).
  returned: always
  type: dict
sessions:
  description: Shell sessions this task opened on the host.
  returned: always
  type: int
msg:
  description: What happened.
  returned: always
  type: str
host_commands:
  description: Command lines and sessions sent to the host.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.fleet import OS_UPDATE_HOST


def main():
    module = AnsibleModule(supports_check_mode=True, **OS_UPDATE_HOST)
    module.fail_json(msg="nestos.lifecycle.os_update_host is an action plugin; it needs the collection's "
                         "action plugin on the controller and no Python on the host")


if __name__ == "__main__":
    main()
