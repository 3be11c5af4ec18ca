#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: image_download
short_description: Download a NestOS image from stream metadata or a URL, verified and resumable
version_added: "0.1.0"
description:
  - Equivalent of C(nestos-installer download) for the controller or a build host (where Python runs).
  - Chooses the artifact by O(stream) (or O(stream_url)), O(architecture), O(platform) and O(format) from stream
    metadata, or takes a direct O(url) with an optional O(sha256) and O(signature_url). Every kind of the format
    is downloaded (a C(pxe) format is kernel, initramfs and rootfs); then O(dest) must be a folder.
  - The body streams into a hidden partial file C(.<name>.partial) beside the destination while its sha256 is
    computed. An interrupted transfer leaves that file; the next run resumes it with an HTTP C(Range) request
    (a server that answers with 200 instead of 206 restarts it from byte 0).
  - The sha256 is compared and the detached signature checked with the real C(gpg) against O(gpg_keyring); a
    failure removes the partial file, so nothing is left at O(dest). Only then is the file renamed into place
    (or decompressed into place with O(decompress)).
  - Idempotent - a file already at the destination whose sha256 matches (and whose signature verifies) is kept.
    A present file that nothing can verify (no digest known) is kept unless O(force).
author:
  - nestos.lifecycle contributors (@nestos-lifecycle)
options:
  stream:
    description: Stream name; its metadata is C(<stream_base_url>/<stream>.json).
    type: str
  stream_base_url:
    description: Base URL of stream metadata (as upstream, a base without a trailing slash loses its last segment).
    type: str
  stream_url:
    description: Full URL of a stream metadata document (instead of O(stream)).
    type: str
  architecture:
    description: Architecture in the stream.
    type: str
    default: x86_64
  platform:
    description: Platform in the stream (C(metal), C(qemu), ...).
    type: str
    default: metal
  format:
    description: Format in the stream (C(raw.xz), C(iso), C(pxe), C(qcow2.xz), ...).
    type: str
    default: raw.xz
  url:
    description: Direct URL of the file (instead of a stream).
    type: str
  sha256:
    description: Expected sha256 of the file at O(url).
    type: str
  signature_url:
    description: URL of the detached OpenPGP signature of the file at O(url).
    type: str
  gpg_keyring:
    description:
      - Public key file (armored or binary; one or more keys) that signatures must verify against.
      - Required when the artifact has a signature, unless O(insecure).
    type: path
  insecure:
    description: Skip the signature check (the sha256 is still compared when known); like upstream's C(--insecure).
    type: bool
    default: false
  decompress:
    description:
      - Decompress an xz, gzip or zstd artifact after verifying it; the saved name loses its C(.xz)/C(.gz)/C(.zst)
        suffix. The output's sha256 is checked against the stream's C(uncompressed-sha256) when it has one.
    type: bool
    default: false
  save_signature:
    description:
      - Keep the checked detached signature as C(<path>.sig) beside a compressed artifact, as
        C(nestos-installer download) does unless it decompresses. Nothing is kept with O(decompress) or
        O(insecure) (no signature is fetched then). A C(.sig) that is absent makes the task changed (in
        check mode too); one that differs from the fetched signature is rewritten.
    type: bool
    default: false
  max_decompressed_size:
    description: Largest decompressed output accepted, in bytes.
    type: int
    default: 68719476736
  dest:
    description: An existing folder (the file keeps the URL's name) or a file path (single artifact only).
    type: path
    required: true
  force:
    description: Download even when the destination is already there and verified.
    type: bool
    default: false
  fetch_retries:
    description: How many times a broken transfer is resumed at once before the task fails.
    type: int
    default: 3
  progress_file:
    description:
      - File to append progress lines to (C(<url> <bytes> <total> <percent>), one per 10%); a module cannot print
        progress, so tail this file to follow a long download.
    type: path
  validate_certs:
    description: Verify TLS certificates.
    type: bool
    default: true
  timeout:
    description: Seconds to wait for the server (connect and each read).
    type: int
    default: 60
notes:
  - Supports check mode (only the stream metadata is fetched; the decision rests on the local file's sha256) and
    diff mode (each destination's sha256, or C(absent), before and after).
  - Requires C(gpg) where the module runs when a signature is checked.
seealso:
  - module: nestos.lifecycle.stream_info
'''

EXAMPLES = r'''
- name: The metal image of a stream, signature checked
  nestos.lifecycle.image_download:
    stream: stable
    stream_base_url: https://mirror.example.com/nestos/streams/
    platform: metal
    format: raw.xz
    gpg_keyring: /etc/pki/nestos/nestos.asc
    dest: /srv/nestos

- name: One file by URL and digest, decompressed
  nestos.lifecycle.image_download:
    url: https://mirror.example.com/nestos/nestos-qemu.x86_64.qcow2.xz
    sha256: 0c5b1f6a8d1d6f6cbf4a3b3c8bbd1d6a0f0e2e6f7f5e3d2c1b0a998877665544
    insecure: true
    decompress: true
    dest: /var/lib/libvirt/images/nestos.qcow2
'''

RETURN = r'''
path:
  description: Where the file is (single artifact).
  returned: one artifact
  type: str
url:
  description: Where it came from (single artifact).
  returned: one artifact
  type: str
sha256:
  description: sha256 of the file at O(dest) (single artifact; in check mode the present file's, or null).
  returned: one artifact
  type: str
size:
  description: Size in bytes (single artifact; not in check mode).
  returned: one artifact
  type: int
resumed:
  description: Bytes kept from an interrupted earlier transfer (0 when the transfer started at byte 0).
  returned: one artifact
  type: int
artifacts:
  description: Per artifact - path, url, kind, action (keep, fetch or resume), sha256, size, resumed, signature
    (verified, skipped or none), signature_path (the kept C(.sig) with O(save_signature), else null), changed.
  returned: always
  type: list
  elements: dict
stream_url:
  description: The stream metadata URL used.
  returned: with a stream
  type: str
release:
  description: The release the stream names for the platform.
  returned: with a stream
  type: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import stream as face
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.common import fail
from ansible_collections.nestos.lifecycle.plugins.module_utils.stream import download


def main():
    module = AnsibleModule(**face.IMAGE_DOWNLOAD)
    try:
        opts = face.options(module.params)
        metadata_url, release, sources = face.sources(module.params)
        steps = download.plan_download(sources, module.params["dest"], opts)
        results = None if module.check_mode else download.run_download(steps, opts)
    except NestosError as err:
        fail(module, err)
        return
    module.exit_json(**face.download_result(metadata_url, release, steps, results, module.check_mode, module._diff))


if __name__ == "__main__":
    main()
