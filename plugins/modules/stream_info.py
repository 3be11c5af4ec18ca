#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: stream_info
short_description: Read NestOS stream metadata - what C(nestos-installer list-stream) lists, as data
version_added: "0.1.0"
description:
  - Fetches a stream metadata document (C(<stream_base_url>/<stream>.json) or O(stream_url); http, https or file)
    and returns its (architecture, platform, format) rows, sorted as C(list-stream) prints them.
  - With O(platform) and O(format), also the artifacts of that selection (location, signature, sha256,
    uncompressed_sha256 per kind) and the release.
  - Reads only; never changed.
author:
  - nestos.lifecycle contributors (@nestos-lifecycle)
options:
  stream:
    description: Stream name; default C(stable) when O(stream_url) is not given.
    type: str
  stream_base_url:
    description: Base URL of stream metadata.
    type: str
  stream_url:
    description: Full URL of a stream metadata document.
    type: str
  architecture:
    description: Architecture of the selection.
    type: str
    default: x86_64
  platform:
    description: Platform of the selection (with O(format)).
    type: str
  format:
    description: Format of the selection (with O(platform)).
    type: str
  validate_certs:
    description: Verify TLS certificates.
    type: bool
    default: true
  timeout:
    description: Seconds to wait for the server.
    type: int
    default: 60
notes:
  - Supports check mode (it only reads).
seealso:
  - module: nestos.lifecycle.image_download
'''

EXAMPLES = r'''
- name: What the stable stream offers
  nestos.lifecycle.stream_info:
    stream: stable
    stream_base_url: https://mirror.example.com/nestos/streams/
  register: info

- name: The metal image's location and digest
  nestos.lifecycle.stream_info:
    stream_url: https://mirror.example.com/nestos/streams/stable.json
    platform: metal
    format: raw.xz
  register: metal
'''

RETURN = r'''
stream:
  description: The stream's name as the document gives it.
  returned: always
  type: str
stream_url:
  description: The metadata URL read.
  returned: always
  type: str
last_modified:
  description: The document's C(metadata.last-modified).
  returned: always
  type: str
rows:
  description: Sorted rows, each with architecture, platform and format.
  returned: always
  type: list
  elements: dict
architectures:
  description: The architectures the stream has.
  returned: always
  type: list
  elements: str
release:
  description: The selection's release.
  returned: with platform and format
  type: str
artifacts:
  description: The selection's artifacts by kind (location, signature, sha256, uncompressed_sha256).
  returned: with platform and format
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import stream as face
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.common import fail
from ansible_collections.nestos.lifecycle.plugins.module_utils.stream import download


def main():
    module = AnsibleModule(**face.STREAM_INFO)
    params = module.params
    try:
        url, stream = download.fetch_stream(params["stream"], params["stream_base_url"], params["stream_url"],
                                            params["timeout"], params["validate_certs"])
        result = face.info_result(url, stream, params)
    except NestosError as err:
        fail(module, err)
        return
    module.exit_json(**result)


if __name__ == "__main__":
    main()
