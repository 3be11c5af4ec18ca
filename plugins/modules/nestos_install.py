#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: nestos_install
short_description: Install NestOS to disk from a live-booted host with its own nestos-installer
version_added: 0.2.0
description:
  - For a machine booted from the NestOS live ISO or PXE images (no Python there) - runs the host's
    own C(nestos-installer install) over the connection with the options below (the upstream
    coreos-installer C(install) flags the fork keeps).
  - Idempotent from the target disk's state, read with plain commands (C(head), C(od), C(base64),
    C(sha256sum), mtools or a read-only mount) - the GPT, the C(boot) partition's BLS entry, its
    first-boot stamp C(ignition.firstboot) and the sha256 of C(ignition/config.ign). A disk that
    already holds the requested install and has not booted yet is left alone; a disk that has
    booted (stamp gone) is never reinstalled without O(force=true).
  - With O(image_sha256) the image is checked on the host before the installer runs (a URL is
    downloaded to the host first), so a wrong image never touches the disk.
author: nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.host_action
options:
  dest_device:
    description: Target disk on the host (C(/dev/sda), C(/dev/disk/by-id/...)).
    type: str
    required: true
  image_file:
    description: Metal image on the host (C(--image-file)).
    type: path
  image_url:
    description: Metal image URL (C(--image-url)).
    type: str
  image_sha256:
    description: sha256 the image must have, checked on the host before installing (not an upstream flag).
    type: str
  stream:
    description: NestOS stream to install (C(--stream)).
    type: str
  stream_base_url:
    description: Base URL for stream metadata (C(--stream-base-url)).
    type: str
  offline:
    description: Install from the live ISO's own metadata (C(--offline)).
    type: bool
    default: false
  architecture:
    description: Target CPU architecture (C(--architecture)).
    type: str
    default: x86_64
  ignition:
    description: Ignition config (JSON text or dict) uploaded to the host (mode 0600) and installed. Never logged.
    type: raw
  ignition_src:
    description: Ignition config file on the controller, uploaded like O(ignition).
    type: path
  ignition_file:
    description: Ignition config file already on the host (C(--ignition-file)).
    type: path
  ignition_url:
    description:
      - Ignition config URL (C(--ignition-url)); plain http needs O(ignition_hash) or O(insecure_ignition).
      - Give O(ignition_hash) C(sha256-...) for idempotence; without it the installed config is assumed current.
    type: str
  ignition_hash:
    description: Digest C(sha256-HEX) or C(sha512-HEX) of the config (C(--ignition-hash)).
    type: str
  insecure_ignition:
    description: Allow an Ignition URL over http without a hash (C(--insecure-ignition)).
    type: bool
    default: false
  platform:
    description: Ignition platform ID (C(--platform)).
    type: str
  console:
    description: Kernel and bootloader consoles (C(--console)), e.g. C(ttyS0,115200n8).
    type: list
    elements: str
    default: []
  append_kargs:
    description: Permanent kernel arguments to append (C(--append-karg)).
    type: list
    elements: str
    default: []
  delete_kargs:
    description: Permanent kernel arguments to delete (C(--delete-karg)).
    type: list
    elements: str
    default: []
  firstboot_args:
    description: First-boot kernel arguments (C(--firstboot-args)), e.g. C(ip=dhcp rd.neednet=1).
    type: str
  copy_network:
    description: Copy the live system's NetworkManager keyfiles to the installed system (C(--copy-network)).
    type: bool
    default: false
  network_dir:
    description: Source folder for O(copy_network) (C(--network-dir)).
    type: path
    default: /etc/NetworkManager/system-connections
  save_partlabel:
    description: Keep partitions whose label matches these globs (C(--save-partlabel)).
    type: list
    elements: str
    default: []
  save_partindex:
    description: Keep partitions with these numbers or ranges (C(--save-partindex)).
    type: list
    elements: str
    default: []
  insecure:
    description: Skip signature verification (C(--insecure)); only passed when set.
    type: bool
    default: false
  fetch_retries:
    description: Download retries, a number or C(infinite) (C(--fetch-retries)).
    type: str
    default: "3"
  preserve_on_error:
    description: Keep the partition table after a failed install, for debugging (C(--preserve-on-error)).
    type: bool
    default: false
  force:
    description: Install even when the disk already holds this install or has booted.
    type: bool
    default: false
  installer:
    description: The installer command on the host.
    type: str
    default: nestos-installer
seealso:
  - module: nestos.lifecycle.metal_image
  - module: nestos.lifecycle.iso_customize
'''

EXAMPLES = r'''
- name: Install the live-booted machine onto its first disk
  hosts: installing
  gather_facts: false
  become: true
  tasks:
    - nestos.lifecycle.nestos_install:
        dest_device: /dev/sda
        ignition_src: files/node.ign
        firstboot_args: ip=dhcp rd.neednet=1
        append_kargs: [mitigations=auto,nosmt]
        save_partlabel: [data]
'''

RETURN = r'''
reasons:
  description: Why an install was (or was not) needed.
  returned: always
  type: list
  elements: str
state_before:
  description: C(empty), C(installed) (not booted yet) or C(booted).
  returned: always
  type: str
state_after:
  description: State after the task.
  returned: always
  type: str
saved_partitions:
  description: Partitions that are (or would be) kept.
  returned: always
  type: list
  elements: dict
cmd:
  description: The nestos-installer command line that ran.
  returned: changed and not check mode
  type: list
  elements: str
steps:
  description: nestos-installer's progress messages.
  returned: changed and not check mode
  type: list
  elements: str
kargs:
  description: Permanent kernel arguments of the installed BLS entry.
  returned: changed and not check mode
  type: str
ignition_sha256:
  description: sha256 of the installed Ignition config.
  returned: changed and not check mode
  type: str
partitions:
  description: GPT partitions after the install.
  returned: changed and not check mode
  type: list
  elements: dict
host_commands:
  description: Every command sent to the host.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.install import NESTOS_INSTALL


def main():
    module = AnsibleModule(supports_check_mode=True, **NESTOS_INSTALL)
    module.fail_json(msg="nestos.lifecycle.nestos_install is an action plugin; it needs the collection's "
                         "action plugin on the controller and no Python on the host")


if __name__ == "__main__":
    main()
