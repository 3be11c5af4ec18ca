#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: zincati
short_description: Zincati configuration drop-in on a Python-less NestOS host
version_added: 0.1.0
description:
  - Renders one deterministic TOML drop-in (Zincati 0.0.24 keys) and writes it to
    O(path)/O(name) through the connection - C(put_file), then C(install -m MODE -o OWNER -g GROUP)
    to a temporary name in the same folder and C(mv) - only when its bytes, mode or owner differ.
  - Reads all drop-ins in C(/usr/lib/zincati/config.d), C(/run/zincati/config.d) and
    C(/etc/zincati/config.d), merges them as Zincati does (file name order, a same-named file in a later
    folder replaces the earlier one, periodic windows accumulate) and returns the effective
    configuration; warns when a drop-in read after this one overrides a key set here.
  - NestOS ships C(95-disable-on-dev.toml) with C(updates.enabled = false); the default O(name)
    sorts after it so O(updates_enabled) takes effect.
  - Only the options given are written; an option left out stays as the other drop-ins say.
author: nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.host_action
options:
  name:
    description: File name of the drop-in (must end in C(.toml)).
    type: str
    default: 99-nestos-lifecycle.toml
  path:
    description: Folder of the drop-in.
    type: path
    default: /etc/zincati/config.d
  state:
    description: Whether the drop-in exists.
    type: str
    default: present
    choices: [present, absent]
  updates_enabled:
    description: C([updates] enabled) - turn automatic updates on or off.
    type: bool
  allow_downgrade:
    description: C([updates] allow_downgrade).
    type: bool
  strategy:
    description: C([updates] strategy) - how Zincati finalizes (reboots into) an update.
    type: str
    choices: [immediate, periodic, fleet_lock]
  fleet_lock_base_url:
    description:
      - C([updates.fleet_lock] base_url) of the FleetLock server; required with O(strategy=fleet_lock).
        End it with C(/) (Zincati URL-joins C(v1/pre-reboot) to it).
    type: str
  periodic_time_zone:
    description: C([updates.periodic] time_zone) - C(UTC) (Zincati's default), an IANA name or C(localtime).
    type: str
  periodic_windows:
    description: C([[updates.periodic.window]]) entries; at least one with O(strategy=periodic).
    type: list
    elements: dict
    suboptions:
      days:
        description: English weekday names (C(Mon) or C(Monday) ...).
        type: list
        elements: str
        required: true
      start_time:
        description: Start of the window, C(hh:mm) 24 h.
        type: str
        required: true
      length_minutes:
        description: Length of the window in minutes (may cross days).
        type: int
        required: true
  group:
    description: C([identity] group) - the FleetLock group (letters, digits, C(.) and C(-)).
    type: str
  node_uuid:
    description: C([identity] node_uuid) - 32 lowercase hex digits.
    type: str
  rollout_wariness:
    description: C([identity] rollout_wariness) - 0.0 (bold) to 1.0 (cautious).
    type: float
  cincinnati_base_url:
    description: C([cincinnati] base_url) - the update graph server (NestOS - C(http://nestos.org.cn:8080)).
    type: str
  steady_interval_secs:
    description: C([agent.timing] steady_interval_secs).
    type: int
  owner:
    description: Owner of the drop-in.
    type: str
    default: root
  file_group:
    description: Group owning the drop-in file (O(group) is Zincati's identity group).
    type: str
    default: root
  mode:
    description: Octal mode of the drop-in.
    type: str
    default: '0644'
  restart:
    description: After a change, C(systemctl try-restart zincati.service) (restarts it only when it runs).
    type: bool
    default: true
  log_verbosity:
    description:
      - Zincati's log level, as upstream C(docs/usage/logging.md) sets it - a systemd drop-in
        C(/etc/systemd/system/zincati.service.d/10-nestos-lifecycle-verbosity.conf) with
        C(Environment=ZINCATI_VERBOSITY="-v") (V(info), the unit's own default), C("-vv") (V(debug)) or
        C("-vvv") (V(trace), for short debugging sessions only). V(default) removes the drop-in.
      - When the drop-in changes - C(systemctl daemon-reload), then the restart of O(restart).
      - Given alone (no TOML option and O(state=present)), the TOML drop-in is not touched.
    type: str
    choices: [default, info, debug, trace]
  gather_metrics:
    description:
      - Read Zincati's Prometheus metrics from C(/run/zincati/public/metrics.promsock) (upstream
        C(docs/usage/metrics.md)) and return them as the fact C(zincati_metrics) - name to
        C(type), C(help), C(samples) (C(labels), C(value)) and C(value) when there is one unlabeled sample.
      - Needs become (the socket belongs to root/zincati), a running zincati.service and C(socat)
        (or C(ncat)) on the host - no Python. Limits - 1 MiB, 20000 lines, 64 labels per sample.
      - Given alone (no TOML option and O(state=present)), the TOML drop-in is not touched.
    type: bool
    default: false
seealso:
  - module: nestos.lifecycle.host_service
'''

EXAMPLES = r'''
- name: Zincati's metrics as facts
  nestos.lifecycle.zincati:
    gather_metrics: true
  become: true

- name: Debug logging for Zincati (journalctl -u zincati.service)
  nestos.lifecycle.zincati:
    log_verbosity: debug
  become: true

- name: Updates on, NestOS update server, reboots coordinated by FleetLock
  nestos.lifecycle.zincati:
    updates_enabled: true
    cincinnati_base_url: http://nestos.org.cn:8080
    strategy: fleet_lock
    fleet_lock_base_url: http://fleetlock.example.com:8080/
    group: workers
  become: true

- name: Weekend reboot window
  nestos.lifecycle.zincati:
    name: 90-reboot-window.toml
    strategy: periodic
    periodic_time_zone: Europe/Paris
    periodic_windows:
      - days: [Sat, Sun]
        start_time: "23:00"
        length_minutes: 120
  become: true

- name: Pause automatic updates during a rollout
  nestos.lifecycle.zincati:
    name: 99-rollout-pause.toml
    updates_enabled: false
  become: true
'''

RETURN = r'''
zincati_metrics:
  description: With O(gather_metrics) - Zincati's metrics (also set as the fact of that name).
  returned: when gather_metrics is true
  type: dict
  sample: {"zincati_update_agent_updates_enabled": {"type": "gauge", "help": "Whether auto-updates logic is enabled.",
           "samples": [{"labels": {}, "value": 1}], "value": 1}}
verbosity:
  description: With O(log_verbosity) - the systemd drop-in path, the level, the C(-v) flags and whether it changed.
  returned: when log_verbosity is set
  type: dict
path:
  description: The drop-in path.
  returned: always
  type: str
content:
  description: The drop-in text (null with O(state=absent)).
  returned: always
  type: str
config:
  description: The settings of this drop-in as a dict shaped like the TOML.
  returned: always
  type: dict
effective:
  description: All drop-ins merged as Zincati reads them (after this task).
  returned: always
  type: dict
dropins:
  description: Drop-ins Zincati reads, in order (after this task).
  returned: always
  type: list
  elements: str
restarted:
  description: Whether zincati.service was restarted.
  returned: always
  type: bool
host_commands:
  description: Command lines sent to the host.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.fleet import ZINCATI


def main():
    module = AnsibleModule(supports_check_mode=True, **ZINCATI)
    module.fail_json(msg="nestos.lifecycle.zincati is an action plugin; it needs the collection's "
                         "action plugin on the controller and no Python on the host")


if __name__ == "__main__":
    main()
