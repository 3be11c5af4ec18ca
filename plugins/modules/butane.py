#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: butane
short_description: Translate Butane to Ignition on the controller, optionally write it on the target
version_added: 0.1.0
description:
  - Translates a Butane config to an Ignition config with the collection's pure-Python Butane engine,
    which gives the same JSON bytes as upstream Butane (gzip-compressed data URLs excepted).
  - "Supported variants: C(variant: nestos) C(version: 1.0.0) (fcos 1.4.0 semantics, Ignition spec 3.3.0),
    and C(variant: fcos) C(version: 1.0.0) to C(1.4.0) (Ignition 3.0.0, 3.1.0, 3.2.0, 3.2.0, 3.3.0)."
  - The translation runs on the controller. When O(dest) is set, the result is written on the target
    with plain shell commands (no Python needed there), atomically, with mode C(0600).
  - "Warnings of the translation (unused keys, decimal-looking modes, ...) are shown as task warnings,
    in upstream Butane's C(warning at $.path, line L col C: message) form."
author: nestos.lifecycle contributors (@nestos-lifecycle)
attributes:
  check_mode:
    description: Translates and predicts whether O(dest) would change, without writing it.
    support: full
  diff_mode:
    description: Shows the Ignition JSON before and after (password hashes masked).
    support: full
  platform:
    description: Translation on the controller; the target only needs a POSIX shell, C(stat), C(mktemp) and C(mv).
    support: full
    platforms: posix
  action:
    description: Runs as an action plugin on the controller.
    support: full
  become:
    description: Writing O(dest) honours become.
    support: full
options:
  src:
    description:
      - Butane file on the controller. A relative path is searched like M(ansible.builtin.template) does
        (the role's or play's C(files/) folders, then the play directory).
      - Mutually exclusive with O(content).
    type: str
  content:
    description:
      - Butane config given inline, as YAML text or as a dictionary.
      - Never logged, since Butane configs usually carry password hashes and keys.
      - Mutually exclusive with O(src).
    type: raw
  files_dir:
    description:
      - Directory that C(local) references and C(storage.trees) are resolved against (C(butane --files-dir)).
        A relative path is searched like O(src). Paths that leave it are refused.
    type: str
  strict:
    description: Fail when the translation produces any warning (C(butane --strict)).
    type: bool
    default: false
  pretty:
    description: Write indented JSON (C(butane --pretty)) to O(dest); the returned RV(ignition) is a dictionary either way.
    type: bool
    default: false
  dest:
    description:
      - Absolute path on the target to write the Ignition config to (mode C(0600), atomic rename in the same
        directory). The parent directory must exist. The task is changed only when content or mode differ.
      - When not set, the config is only returned.
    type: str
notes:
  - "The returned RV(ignition) holds the whole config, including password hashes and inline file contents.
    Set C(no_log: true) on the task when the config holds secrets you do not want in logs."
  - "Playbooks aimed at NestOS hosts should set C(gather_facts: false); this action needs no Python on the target."
seealso:
  - name: Butane config spec (fcos 1.4.0)
    description: "Upstream specification of the Butane format that C(variant: nestos) C(version: 1.0.0) follows."
    link: https://coreos.github.io/butane/config-fcos-v1_4/
'''

EXAMPLES = r'''
- name: Translate a Butane file from the play's files/ folder and keep the result
  nestos.lifecycle.butane:
    src: node.bu
    files_dir: butane-files
  register: node_ign
  delegate_to: localhost

- name: Write the Ignition config for a PXE server, strictly
  nestos.lifecycle.butane:
    content: |
      variant: nestos
      version: 1.0.0
      passwd:
        users:
          - name: nest
            ssh_authorized_keys:
              - "{{ lookup('ansible.builtin.file', 'id_ed25519.pub') }}"
    strict: true
    dest: /srv/www/ignition/node1.ign

- name: Butane given as a dictionary
  nestos.lifecycle.butane:
    content:
      variant: nestos
      version: 1.0.0
      storage:
        files:
          - path: /etc/hostname
            mode: 420  # octal 0644
            contents:
              inline: node1
  register: out
'''

RETURN = r'''
ignition:
  description: The translated Ignition config.
  returned: success
  type: dict
  sample:
    ignition: {version: 3.3.0}
    storage:
      files:
        - {path: /etc/hostname, contents: {compression: "", source: "data:,node1"}, mode: 420}
warnings:
  description: The translation's warnings, one upstream-style report line each.
  returned: when there are warnings
  type: list
  elements: str
  sample:
    - "warning at $.storage.files.0.mode, line 6 col 13: unreasonable mode would be reasonable if specified in octal;
      remember to add a leading zero"
dest:
  description: The path written (or that would be written) on the target.
  returned: when O(dest) is set
  type: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.butane import BUTANE


def main():
    module = AnsibleModule(supports_check_mode=True, **BUTANE)
    module.fail_json(msg="nestos.lifecycle.butane is an action plugin: it translates on the controller "
                         "and needs no Python on the target")


if __name__ == "__main__":
    main()
