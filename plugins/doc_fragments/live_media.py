# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options shared by the live media modules (argument specs in module_utils/faces/live.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # FLAVOUR_SPEC: iso_customize, iso_ignition, iso_kargs
    FLAVOUR = r'''
options:
  flavour:
    description: Expected media flavour; V(auto) accepts both NestOS and CoreOS media.
    type: str
    choices: [auto, nestos, coreos]
    default: auto
'''

    # COMMON_CUSTOMIZE_SPEC: what nestos-installer's iso customize and pxe customize both take
    CUSTOMIZE = r'''
options:
  ignition_target:
    description: Where the O(ignition)/O(ignition_content)/O(butane) config goes - the installed system or the live one.
    type: str
    choices: [dest, live]
    default: dest
  dest_ignition:
    description: Ignition config files for the installed system (C(--dest-ignition)).
    type: list
    elements: path
    default: []
  dest_device:
    description: Install automatically to this disk (C(--dest-device)).
    type: str
  dest_console:
    description: Kernel consoles for the installed system, e.g. C(ttyS0,115200n8) (C(--dest-console)).
    type: list
    elements: str
    default: []
  dest_karg_append:
    description: Kernel arguments to add on the installed system.
    type: list
    elements: str
    default: []
  dest_karg_delete:
    description: Kernel arguments to remove on the installed system.
    type: list
    elements: str
    default: []
  network_keyfile:
    description: NetworkManager keyfiles for the live system (copied to the installed system when it installs).
    type: list
    elements: path
    default: []
  network_nmstate:
    description: Not supported (no maintained pure-Python nmstate, see notes); giving a file fails with an explanation.
    type: list
    elements: path
    default: []
  ignition_ca:
    description: CA certificates Ignition trusts (live and installed system).
    type: list
    elements: path
    default: []
  pre_install:
    description: Scripts to run before installing.
    type: list
    elements: path
    default: []
  post_install:
    description: Scripts to run after installing.
    type: list
    elements: path
    default: []
  installer_config:
    description: nestos-installer config files (YAML) for the automatic install.
    type: list
    elements: path
    default: []
  live_ignition:
    description: Ignition configs merged into the live system's config.
    type: list
    elements: path
    default: []
notes:
  - O(network_nmstate) (C(--network-nmstate)) needs the nmstate library (Rust, with libnmstate bindings) to turn
    nmstate documents into keyfiles; there is no maintained pure-Python nmstate, so it is left out. Use
    O(network_keyfile).
'''
