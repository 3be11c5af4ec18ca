#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: build_config
short_description: Edit a nestos-config checkout (repos, packages, kargs, postprocess, release, overlay files)
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
  initramfs_args:
    description: C(initramfs-args) (dracut arguments of the initramfs build) to add and remove.
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
  extra_kargs:
    description:
      - C(extra-kargs) (kernel arguments the disk images boot with) to add and remove.
      - They live in C(image.yaml) and its includes (not in the manifest chain); a missing C(image.yaml) is an error.
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
  remove_from_packages:
    description:
      - C(remove-from-packages) entries (C([package, path-regex, ...])). Each item makes the package's entry hold exactly
        O(remove_from_packages[].paths); a package keeps one entry.
    type: list
    elements: dict
    suboptions:
      package:
        description: Package name.
        type: str
        required: true
      paths:
        description: Regular expressions of the paths to remove from it (required with V(present)).
        type: list
        elements: str
      file:
        description: Edit only this file (default the file that has the key, else the manifest).
        type: str
      state:
        description: V(absent) drops the package's entry.
        type: str
        choices: [present, absent]
        default: present
  default_target:
    description: C(default-target), the systemd target the system boots into (for example V(multi-user.target)).
    type: str
  postprocess:
    description:
      - "Named C(postprocess) scripts. Each script gets a marker line C(# nestos.lifecycle: postprocess <name>) after its
        C(#!) line, so a changed script replaces its earlier version and other scripts are left alone."
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the script (A-Z a-z 0-9 . _ -).
        type: str
        required: true
      script:
        description: The script, starting with its interpreter line (C(#!/usr/bin/env bash)). Required with V(present).
        type: str
      file:
        description: YAML file to put it in (default the file that has C(postprocess), else the manifest).
        type: str
      state:
        description: V(absent) removes the script.
        type: str
        choices: [present, absent]
        default: present
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.build import BUILD_CONFIG_KWARGS, run_build_config


def main():
    run_build_config(AnsibleModule(**BUILD_CONFIG_KWARGS))


if __name__ == "__main__":
    main()
