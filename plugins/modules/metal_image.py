#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: metal_image
short_description: Write a NestOS metal image onto a disk or disk image, as nestos-installer install does
version_added: 0.2.0
description:
  - Runs where Python runs (hypervisor, build host, rescue system) and does what
    C(nestos-installer install) does on a live-booted machine - writes the metal image, places the
    Ignition config where NestOS's first boot reads it (C(ignition/config.ign) on the C(boot)
    partition), writes first-boot arguments into the C(ignition.firstboot) stamp, edits the BLS
    entry's permanent kernel arguments, and keeps partitions chosen by label or number.
  - The image comes from a file, a URL or NestOS stream metadata, compressed with xz, gzip or zstd
    (the C(zstd) program) or raw, and is decompressed on the fly. Its sha256 and detached GPG
    signature (checked with C(gpg)) are verified before anything is written; a download is kept in
    a temporary file until then.
  - A regular file target is written sparse into a temporary file beside it and renamed over it, so
    a bad image (wrong sha256, bad signature, truncated or corrupt stream) leaves the target as it
    was. A block device is written in place and only with O(write_through=true).
  - Idempotent from the disk itself - a disk that already holds this image, config, kernel and
    first-boot arguments and has not booted yet is left alone; a disk whose first-boot stamp is gone
    (the machine has booted) is never overwritten without O(force=true).
  - The boot partition is edited with mtools, so it must be FAT (the lab's metal image). Needs the
    C(mtools) package, C(gpg) for signatures and C(zstd) for zstd images.
author: nestos.lifecycle contributors (@nestos-lifecycle)
options:
  dest:
    description: Disk image file or block device to install onto.
    type: path
    required: true
  write_through:
    description:
      - Write onto O(dest) when it is a block device (or a symbolic link to one). Without it only an
        absent path or a regular file is accepted.
    type: bool
    default: false
  size:
    description: Size in bytes a file target grows to (it never shrinks below the image or its old size).
    type: int
  image_file:
    description: Local metal image (C(.raw), C(.raw.xz), C(.raw.gz), C(.raw.zst)).
    type: path
  image_url:
    description: URL of the metal image (http or https), streamed.
    type: str
  stream:
    description: NestOS stream whose metal C(raw.xz) to install (its sha256 and signature come from the metadata).
    type: str
  stream_base_url:
    description: Base URL of the stream metadata (C(<base>/<stream>.json)).
    type: str
  architecture:
    description: Architecture to pick from the stream metadata.
    type: str
    default: x86_64
  image_sha256:
    description: Expected sha256 of the image artifact as given (the compressed file), checked before writing.
    type: str
  image_signature:
    description: Detached GPG signature (path or URL); default C(<image>.sig) when it exists.
    type: str
  gpg_keyring:
    description: Public key file (armored or binary) or keyring the signature is checked against (with C(gpg)).
    type: path
  insecure:
    description: Allow an image without signature (nestos-installer's C(--insecure)).
    type: bool
    default: false
  max_image_size:
    description: Limit of the decompressed image in bytes (a larger stream is refused before it fills the disk).
    type: int
    default: 68719476736
  tmp_dir:
    description: Folder a downloaded image waits in until it is verified (default beside O(dest)).
    type: path
  timeout:
    description: Seconds per network read.
    type: int
    default: 60
  fetch_retries:
    description: Retries of a failed download.
    type: int
    default: 3
  ignition:
    description: Ignition config (JSON text or a dict) to place on the boot partition. Never logged.
    type: raw
  ignition_file:
    description: Ignition config file on the host the module runs on.
    type: path
  ignition_url:
    description: Ignition config URL; plain http needs O(ignition_hash) or O(insecure_ignition).
    type: str
  ignition_hash:
    description: Digest C(sha256-HEX) or C(sha512-HEX) the config must have.
    type: str
  insecure_ignition:
    description: Allow O(ignition_url) over plain http without a hash.
    type: bool
    default: false
  platform:
    description: Ignition platform ID written into the kernel arguments (C(ignition.platform.id=)).
    type: str
  console:
    description: Kernel consoles (e.g. C(ttyS0,115200n8)); replace the image's C(console=) arguments.
    type: list
    elements: str
    default: []
  append_kargs:
    description: Permanent kernel arguments appended to the BLS entry.
    type: list
    elements: str
    default: []
  delete_kargs:
    description: Permanent kernel arguments removed from the BLS entry (exact match).
    type: list
    elements: str
    default: []
  firstboot_args:
    description: Kernel arguments for the first boot only (C(ignition.firstboot) stamp), e.g. C(ip=dhcp).
    type: str
  copy_network:
    description: Copy NetworkManager keyfiles from O(network_dir) to the installed system's first boot.
    type: bool
    default: false
  network_dir:
    description: Source folder for O(copy_network).
    type: path
    default: /etc/NetworkManager/system-connections
  save_partlabel:
    description: Keep partitions whose GPT label matches these globs.
    type: list
    elements: str
    default: []
  save_partindex:
    description: Keep partitions with these numbers or ranges (C(5), C(5-), C(5-7)).
    type: list
    elements: str
    default: []
  force:
    description: Install even when the disk already holds this install, or has booted.
    type: bool
    default: false
seealso:
  - module: nestos.lifecycle.nestos_install
notes:
  - Supports check mode (nothing is downloaded beyond the image's first megabytes) and diff mode
    (partitions, kernel arguments, first-boot arguments and the Ignition config's sha256 before and after).
'''

EXAMPLES = r'''
- name: Install NestOS onto a disk image for a VM, with a config and a static first-boot network
  nestos.lifecycle.metal_image:
    dest: /var/lib/libvirt/images/node1.raw
    size: 21474836480
    image_file: /srv/nestos/nestos-22.03-LTS-SP4.x86_64-metal.raw.xz
    gpg_keyring: /etc/pki/nestos/nestos.gpg
    ignition: "{{ lookup('file', 'node1.ign') }}"
    firstboot_args: ip=10.0.0.5::10.0.0.1:255.255.255.0:node1:ens3:none
    append_kargs:
      - "mitigations=auto,nosmt"

- name: Reinstall a spare disk from a rescue system, keeping its data partition
  nestos.lifecycle.metal_image:
    dest: /dev/sdb
    write_through: true
    image_url: https://mirror.example.com/nestos/metal.raw.xz
    image_sha256: 3f1d...
    insecure: true
    ignition_file: /root/node2.ign
    save_partlabel: [data*]
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
  description: Partitions kept from the old disk.
  returned: always
  type: list
  elements: dict
partitions:
  description: GPT partitions after the install.
  returned: changed and not check mode
  type: list
  elements: dict
kargs:
  description: Permanent kernel arguments of the installed BLS entry.
  returned: changed and not check mode
  type: str
ignition_sha256:
  description: sha256 of the installed Ignition config.
  returned: changed and not check mode
  type: str
signature:
  description: C(verified) or C(skipped) (O(insecure)).
  returned: changed and not check mode
  type: str
steps:
  description: What was done, in nestos-installer's words.
  returned: changed and not check mode
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.secrets import redact
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import install as face
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.common import fail
from ansible_collections.nestos.lifecycle.plugins.module_utils.metal import api


def main():
    module = AnsibleModule(**face.METAL_IMAGE)
    secrets = face.secrets_of(module.params)
    try:
        result = api.install(module.params, check_mode=module.check_mode)
    except NestosError as err:
        fail(module, err, secrets)
        return
    module.exit_json(**redact(face.metal_result(result, module._diff), secrets))


if __name__ == "__main__":
    main()
