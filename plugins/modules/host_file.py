#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: host_file
short_description: A file on a Python-less host, idempotent by sha256
version_added: 0.1.0
description:
  - Compares C(sha256sum) and C(stat) of O(path) with the wanted content, mode and owner, and only
    then copies - C(put_file) to a private temporary folder, C(install -m MODE -o OWNER -g GROUP) to a
    temporary name beside O(path) and C(mv) over it, so a failure never leaves a half-written file.
  - When only the mode or owner differ it runs C(chmod)/C(chown).
  - For example section 9.2 of the NestOS guide's C(/etc/ssh/sshd_config.d/40-disable-passwords.conf).
  - Secret content - set C(no_log) on the task and a restrictive O(mode) such as C(0600).
author: nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.host_action
options:
  path:
    description: Absolute path of the file on the host.
    type: str
    required: true
  content:
    description:
      - The file content. Mutually exclusive with O(src).
      - Not logged; diff mode still shows it unless the task has C(no_log).
    type: str
  src:
    description: A file on the controller (searched like M(ansible.builtin.copy) does, in the role's C(files/)).
    type: path
  state:
    description: Whether the file exists.
    type: str
    default: present
    choices: [present, absent]
  mode:
    description: Octal mode.
    type: str
    default: '0644'
  owner:
    description: Owner (name or uid).
    type: str
    default: root
  group:
    description: Group (name or gid).
    type: str
    default: root
'''

EXAMPLES = r'''
- name: No SSH passwords (NestOS guide 9.2)
  nestos.lifecycle.host_file:
    path: /etc/ssh/sshd_config.d/40-disable-passwords.conf
    content: |
      PasswordAuthentication no
    mode: "0600"
  become: true
'''

RETURN = r'''
path:
  description: The file path.
  returned: always
  type: str
state:
  description: The requested state.
  returned: always
  type: str
sha256:
  description: sha256 of the wanted content.
  returned: when O(state=present)
  type: str
changes:
  description: What differed - V(content), V(mode), V(owner) or V(remove).
  returned: always
  type: list
  elements: str
host_commands:
  description: Command lines sent to the host.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.fleet import HOST_FILE


def main():
    module = AnsibleModule(supports_check_mode=True, **HOST_FILE)
    module.fail_json(msg="nestos.lifecycle.host_file is an action plugin; it needs the collection's "
                         "action plugin on the controller and no Python on the host")


if __name__ == "__main__":
    main()
