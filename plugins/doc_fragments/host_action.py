# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Attributes and notes shared by every action that works on a Python-less NestOS host.
    DOCUMENTATION = r'''
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: posix
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
  become:
    description: Is usable alongside become keywords (sudo on NestOS).
    support: full
notes:
  - This is an action plugin. It runs plain shell commands over the connection and parses
    their output on the controller, so the managed host needs no Python (NestOS ships none).
    Set C(gather_facts) to C(false) in plays aimed at NestOS hosts.
  - Every command the action sent to the host is returned in C(host_commands).
'''
