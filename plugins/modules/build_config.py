#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: build_config
short_description: Edit a nestos-config checkout (repos, packages, release, os-release, overlay files)
description:
  - Edits the build configuration of a nosa workdir (C(src/config), guide section 5.5) idempotently,
    with a per-file diff; check mode shows the diff without writing.
  - YAML files are edited with ruamel.yaml in round-trip mode, so comments, key order, quoting,
    indentation and the block-scalar postprocess scripts are kept; files whose values do not
    change are not rewritten. C(.repo) files are edited line by line (comments kept).
  - List keys are found along the treefile C(include) chain from C(manifest.yaml). New items go to
    the first file that already has the key (or C(manifest.yaml)); removed items are removed
    from every file.
  - Also writes files under the workdir's C(overrides/rootfs) and RPMs into C(overrides/rpm).
version_added: "1.0.0"
author: nestos.lifecycle contributors (@nestos-lifecycle)
requirements:
  - ruamel.yaml >= 0.17 on the build host
options:
  path:
    description: The nestos-config checkout (usually C(<workdir>/src/config)).
    type: path
  manifest:
    description: Top manifest, relative to O(path).
    type: str
    default: manifest.yaml
  repos:
    description: Repositories in the C(.repo) files; their ids are added to (or removed from) C(lockfile-repos).
    type: list
    elements: dict
    suboptions:
      id:
        description: Repo id (the bracketed name).
        type: str
        required: true
      file:
        description: C(.repo) file relative to O(path) (default the file that has the id, else the first C(.repo) file).
        type: str
      name:
        description: C(name=).
        type: str
      baseurl:
        description: C(baseurl=).
        type: str
      metalink:
        description: C(metalink=).
        type: str
      mirrorlist:
        description: C(mirrorlist=).
        type: str
      enabled:
        description: C(enabled=).
        type: bool
      gpgcheck:
        description: C(gpgcheck=).
        type: bool
      gpgkey:
        description: C(gpgkey=).
        type: str
      options:
        description: Other C(key=value) options.
        type: dict
      lockfile:
        description: Also add the id to (or remove it from) C(lockfile-repos).
        type: bool
        default: true
      state:
        description: Whether the repo section exists.
        type: str
        choices: [present, absent]
        default: present
  lockfile_repos:
    description: The exact C(lockfile-repos) list (overrides what O(repos) would add).
    type: list
    elements: str
  packages:
    description: C(packages) to add and remove.
    type: dict
    suboptions:
      add:
        description: Items to add.
        type: list
        elements: str
      remove:
        description: Items to remove.
        type: list
        elements: str
      file:
        description: Edit only this file (relative to O(path)).
        type: str
  packages_arch:
    description: C(packages-<arch>) edits, keyed by C(x86_64) / C(aarch64), each with C(add), C(remove), C(file).
    type: dict
  exclude_packages:
    description: C(exclude-packages) to add and remove.
    type: dict
    suboptions:
      add:
        description: Items to add.
        type: list
        elements: str
      remove:
        description: Items to remove.
        type: list
        elements: str
      file:
        description: Edit only this file.
        type: str
  remove_files:
    description: C(remove-files) to add and remove.
    type: dict
    suboptions:
      add:
        description: Items to add.
        type: list
        elements: str
      remove:
        description: Items to remove.
        type: list
        elements: str
      file:
        description: Edit only this file.
        type: str
  releasever:
    description: C(releasever) (goes into build ids).
    type: str
  rojig:
    description: C(rojig) fields (C(name) is the image name in artifact names).
    type: dict
    suboptions:
      name:
        description: Image name.
        type: str
      summary:
        description: Summary.
        type: str
      license:
        description: License.
        type: str
  os_release:
    description:
      - Fields of C(/etc/os-release) (for example C(NAME), C(VERSION_ID), C(PRETTY_NAME)). Adds or
        replaces the postprocess script of guide section 5.5.4 that rewrites C(/usr/lib/os-release) and
        C(/etc/os-release), keeping rpm-ostree's C(OSTREE_VERSION) line.
    type: dict
  os_release_buildid_date:
    description: Append C(BUILDID=<build date>) as the guide's script does.
    type: bool
    default: false
  os_release_file:
    description: YAML file for that script (default C(manifests/system-configuration.yaml) when it exists).
    type: str
  overlay_files:
    description: Files under C(overlay.d/) (path like C(15nestos/etc/test/test.txt)).
    type: list
    elements: dict
    suboptions:
      path:
        description: Path below C(overlay.d/).
        type: str
        required: true
      content:
        description: File content.
        type: str
      src:
        description: File on the build host to copy.
        type: path
      mode:
        description: Octal mode.
        type: raw
      state:
        description: Whether the file exists.
        type: str
        choices: [present, absent]
        default: present
  workdir:
    description: The nosa workdir, for O(overrides_rootfs) and O(overrides_rpm).
    type: path
  overrides_rootfs:
    description: Files for C(<workdir>/overrides/rootfs) (overlaid onto the next build's rootfs).
    type: list
    elements: dict
    suboptions:
      path:
        description: Path in the rootfs.
        type: str
        required: true
      content:
        description: File content.
        type: str
      src:
        description: File on the build host to copy.
        type: path
      mode:
        description: Octal mode.
        type: raw
      state:
        description: Whether the file exists.
        type: str
        choices: [present, absent]
        default: present
  overrides_rpm:
    description: RPM files to put into C(<workdir>/overrides/rpm).
    type: list
    elements: dict
    suboptions:
      src:
        description: The C(.rpm) on the build host.
        type: path
        required: true
      state:
        description: Whether the RPM is there.
        type: str
        choices: [present, absent]
        default: present
notes:
  - Supports check mode and diff mode.
seealso:
  - module: nestos.lifecycle.assembler
"""

EXAMPLES = r"""
- name: Own repo, nano, a release name and an overlay file
  nestos.lifecycle.build_config:
    path: /srv/nestos-build/src/config
    repos:
      - id: myrepo
        name: My packages
        baseurl: https://repo.example.com/openEuler-24.03-LTS/
        enabled: true
        gpgcheck: false
    packages:
      add: [nano]
    exclude_packages:
      remove: [perl]
    releasever: 24.03-LTS
    rojig:
      name: mynestos
      summary: My NestOS
    os_release:
      NAME: openEuler NestOS
      VERSION_ID: 24.03-LTS
      PRETTY_NAME: My NestOS
    os_release_buildid_date: true
    overlay_files:
      - path: 15nestos/etc/test/test.txt
        content: "This is a test message !\n"
"""

RETURN = r"""
changes:
  description: One line per change (file and what changed).
  returned: always
  type: list
  elements: str
  sample: ["manifests/nestos.yaml: packages: added nano"]
files:
  description: Files written or removed.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler import config

LIST_EDIT = dict(add=dict(type="list", elements="str"), remove=dict(type="list", elements="str"), file=dict(type="str"))
FILE_SPEC = dict(path=dict(type="str", required=True), content=dict(type="str"), src=dict(type="path"),
                 mode=dict(type="raw"), state=dict(type="str", choices=["present", "absent"], default="present"))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path"),
            manifest=dict(type="str", default="manifest.yaml"),
            repos=dict(type="list", elements="dict", options=dict(
                id=dict(type="str", required=True), file=dict(type="str"), name=dict(type="str"),
                baseurl=dict(type="str"), metalink=dict(type="str"), mirrorlist=dict(type="str"),
                enabled=dict(type="bool"), gpgcheck=dict(type="bool"), gpgkey=dict(type="str", no_log=False),
                options=dict(type="dict"), lockfile=dict(type="bool", default=True),
                state=dict(type="str", choices=["present", "absent"], default="present"))),
            lockfile_repos=dict(type="list", elements="str"),
            packages=dict(type="dict", options=LIST_EDIT),
            packages_arch=dict(type="dict"),
            exclude_packages=dict(type="dict", options=LIST_EDIT),
            remove_files=dict(type="dict", options=LIST_EDIT),
            releasever=dict(type="str"),
            rojig=dict(type="dict", options=dict(name=dict(type="str"), summary=dict(type="str"),
                                                 license=dict(type="str"))),
            os_release=dict(type="dict"),
            os_release_buildid_date=dict(type="bool", default=False),
            os_release_file=dict(type="str"),
            overlay_files=dict(type="list", elements="dict", options=FILE_SPEC),
            workdir=dict(type="path"),
            overrides_rootfs=dict(type="list", elements="dict", options=FILE_SPEC),
            overrides_rpm=dict(type="list", elements="dict", options=dict(
                src=dict(type="path", required=True),
                state=dict(type="str", choices=["present", "absent"], default="present"))),
        ),
        required_one_of=[["path", "workdir"]],
        supports_check_mode=True,
    )
    if not config.HAS_RUAMEL:
        module.fail_json(msg=missing_required_lib("ruamel.yaml"), exception=str(config.RUAMEL_IMPORT_ERROR))
    try:
        result = config.execute(module.params, check_mode=module.check_mode)
    except NestosError as err:
        module.fail_json(msg=str(err), **err.details())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
