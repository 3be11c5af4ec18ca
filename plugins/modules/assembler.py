#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: assembler
short_description: Run a nestos-assembler (nosa) command and collect the build as facts
description:
  - Runs one C(nosa) command (init, fetch, build, buildextend-*, compress, uncompress, prune, clean,
    list, kola, push-container, ...) in a build workdir through the C(nosa) wrapper that the
    M(nestos.lifecycle.build_host) role writes.
  - Every line the assembler prints goes to a log file; C(<log>.status.json) holds the current step
    so that a poller (the C(nestos_build) role runs long commands with C(async)) can show progress.
    On failure the result carries the log path and its last lines.
  - Afterwards reads C(builds/builds.json) and the build's C(meta.json), validates them (against
    nestos-assembler's C(src/v1.json) when O(schema) is given, else against the built-in contract)
    and returns the build id, arch and every artifact with absolute path, size, sha256 and
    compression state as the fact C(nestos_build).
  - Idempotent where nosa is. C(init) is skipped in an initialised workdir, C(buildextend-X) when the
    build already has that image; for other commands C(changed) tells whether builds or meta.json
    changed (a C(build) with no input change creates no build).
  - Commands removed in the NestOS fork (for example C(buildextend-aws)) are refused before running.
version_added: "1.0.0"
author: nestos.lifecycle contributors (@nestos-lifecycle)
options:
  workdir:
    description: The build workdir (created if missing); nosa runs with it as current directory.
    type: path
    required: true
  command:
    description:
      - The nosa command. Use V(facts) to only read the build metadata.
    type: str
    required: true
  args:
    description: Arguments after the command (for example V([qemu, metal]) for C(build)).
    type: list
    elements: str
    default: []
  nosa:
    description: Path of the nosa wrapper.
    type: path
    default: /usr/local/bin/nosa
  environment:
    description: Extra environment for the wrapper (for example C(COREOS_ASSEMBLER_CONTAINER)).
    type: dict
    default: {}
  log:
    description: Log file; default C(<workdir>/logs/nosa-<command>-<time>.log).
    type: path
  timeout:
    description: Kill the command after this many seconds (0 = no limit).
    type: int
    default: 0
  tail_lines:
    description: How many log lines to return on failure.
    type: int
    default: 40
  collect:
    description:
      - Read builds.json and meta.json afterwards and return them as facts. V(auto) does so when
        the workdir has a build.
    type: str
    choices: [auto, 'yes', 'no']
    default: auto
  build:
    description: Build id to report (default the latest).
    type: str
  arch:
    description: Architecture to report (default the host's, else the build's first).
    type: str
  verify:
    description: Recompute every artifact's sha256 and size and compare with meta.json.
    type: bool
    default: false
  schema:
    description: Path of a meta.json JSON schema (nestos-assembler's C(src/v1.json)).
    type: path
notes:
  - Check mode predicts whether the command would run; it does not run it.
  - Supports diff mode (the build list before and after).
seealso:
  - module: nestos.lifecycle.build_config
  - module: nestos.lifecycle.oci_image
"""

EXAMPLES = r"""
- name: Initialise the workdir from a nestos-config checkout
  nestos.lifecycle.assembler:
    workdir: /srv/nestos-build
    command: init
    args: [https://atomgit.com/openeuler/nestos-config]

- name: Build the ostree commit, OCI archive and QEMU image
  nestos.lifecycle.assembler:
    workdir: /srv/nestos-build
    command: build
    args: [qemu, metal, metal4k]
  async: 7200
  poll: 30

- name: Live ISO and PXE media, then verify every artifact
  nestos.lifecycle.assembler:
    workdir: /srv/nestos-build
    command: buildextend-live
    verify: true
"""

RETURN = r"""
rc:
  description: Exit code of nosa (absent when it did not run).
  returned: when the command ran
  type: int
log:
  description: Path of the log file.
  returned: when the command ran
  type: str
  sample: /srv/nestos-build/logs/nosa-build-20240903T080000.log
tail:
  description: The last lines of the log.
  returned: always
  type: list
  elements: str
skipped_reason:
  description: Why the command did not need to run.
  returned: when it did not run
  type: str
elapsed:
  description: Seconds the command ran.
  returned: when the command ran
  type: float
build:
  description: The build (same as the C(nestos_build) fact).
  returned: when a build exists and collect allows
  type: dict
  contains:
    build_id:
      description: Build id.
      type: str
      sample: 24.03-LTS.20240903.0
    arch:
      description: Architecture.
      type: str
      sample: x86_64
    build_dir:
      description: Absolute path of C(builds/<id>/<arch>).
      type: str
    oci_archive:
      description: Absolute path of the OCI archive (the C(ostree) image).
      type: str
    artifacts:
      description: Image key to record (path, file, size, sha256, compressed, compression,
        uncompressed_sha256, uncompressed_size, skip_compression, exists, verified).
      type: dict
ansible_facts:
  description: C(nestos_build), the same dict as RV(build).
  returned: when a build exists and collect allows
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler import runner


def main():
    module = AnsibleModule(
        argument_spec=dict(
            workdir=dict(type="path", required=True),
            command=dict(type="str", required=True),
            args=dict(type="list", elements="str", default=[]),
            nosa=dict(type="path", default="/usr/local/bin/nosa"),
            environment=dict(type="dict", default={}),
            log=dict(type="path"),
            timeout=dict(type="int", default=0),
            tail_lines=dict(type="int", default=40),
            collect=dict(type="str", choices=["auto", "yes", "no"], default="auto"),
            build=dict(type="str"),
            arch=dict(type="str"),
            verify=dict(type="bool", default=False),
            schema=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    try:
        result = runner.execute(p, check_mode=module.check_mode)
    except NestosError as err:
        module.fail_json(msg=str(err), log=getattr(err, "log", None), tail=getattr(err, "tail", []),
                         rc=getattr(err, "rc", None), **err.details())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
