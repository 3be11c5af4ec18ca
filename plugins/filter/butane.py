# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``nestos.lifecycle.butane``: Butane (YAML text or dict) -> Ignition dict."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: butane
short_description: Translate a Butane config to an Ignition config
version_added: 0.1.0
author: nestos.lifecycle contributors (@nestos-lifecycle)
description:
  - "Translates a Butane config (C(variant: nestos) C(version: 1.0.0), or C(variant: fcos) C(1.0.0) to C(1.4.0))
    to an Ignition config dictionary with the collection's pure-Python Butane engine."
  - Warnings fail the filter only with O(strict=true); otherwise they are dropped (use the
    M(nestos.lifecycle.butane) action to see them).
  - Serialize the result with P(ansible.builtin.to_json#filter) or pass it on to a module.
options:
  _input:
    description: The Butane config, as YAML text or as a dictionary.
    type: raw
    required: true
  files_dir:
    description: Directory for C(local) references and C(storage.trees) (C(butane --files-dir)).
    type: path
  strict:
    description: Fail when the translation produces warnings.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Build an Ignition config in a template
  ansible.builtin.copy:
    dest: /srv/ignition/node1.ign
    mode: "0600"
    content: "{{ lookup('ansible.builtin.template', 'node1.bu.j2') | nestos.lifecycle.butane | ansible.builtin.to_json }}"

- name: Translate a dictionary
  ansible.builtin.debug:
    msg: "{{ {'variant': 'nestos', 'version': '1.0.0'} | nestos.lifecycle.butane }}"
'''

RETURN = r'''
_value:
  description: The Ignition config.
  type: dict
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.to_ignition import translate


def butane(data, files_dir=None, strict=False):
    if hasattr(data, "_strip_unsafe"):
        data = data._strip_unsafe()
    if isinstance(data, dict):
        data = dict(data)
    elif not isinstance(data, (str, bytes)):
        data = str(data)
    try:
        return translate(data, files_dir=files_dir, strict=bool(strict)).config
    except NestosError as exc:
        raise AnsibleFilterError("butane: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"butane": butane}
