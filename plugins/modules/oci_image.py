#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: oci_image
short_description: Push a NestOS build's OCI image, or build and push a derived image
description:
  - O(operation=push) copies the build's OCI archive (the C(ostree) image of meta.json) with
    C(skopeo copy), like C(nosa push-container) does, and records the pushed digest in the
    build's meta.json as C(base-oscontainer). Default tag C(<build>-<arch>).
  - O(operation=derive) builds an image from a Containerfile (C(FROM) the NestOS image, C(RUN
    rpm-ostree install ... && ostree container commit), guide section 10) with buildah, podman or
    docker and pushes it. The image is labelled with a hash of its inputs (Containerfile, base
    image digest, build args, context files); when the registry already holds that image nothing
    is rebuilt.
  - Both return the reference NestOS hosts rebase to (C(ostree-unverified-registry:REG/NAME:TAG)).
version_added: "1.0.0"
author: nestos.lifecycle contributors (@nestos-lifecycle)
requirements:
  - skopeo
  - buildah, podman or docker for O(operation=derive)
options:
  operation:
    description: What to do.
    type: str
    choices: [push, derive]
    default: push
  name:
    description:
      - Destination C(REGISTRY/NAME[:TAG]) (for C(dir) and C(docker-archive) a local path).
        Without a tag the tag is O(tag) or C(<build>-<arch>).
    type: str
    required: true
  tag:
    description: Tag (overrides a tag in O(name)).
    type: str
  tag_suffix:
    description: Appended to the tag as C(-SUFFIX) (nosa's C(--tag-suffix)).
    type: str
  transport:
    description:
      - skopeo destination transport. nosa's names C(registry), C(podman) are accepted for C(docker)
        and C(containers-storage).
    type: str
    default: docker
    choices: [docker, registry, dir, docker-archive, containers-storage, podman, docker-daemon]
  workdir:
    description: nosa workdir of the build to push (for the OCI archive, default tag and meta.json record).
    type: path
  build:
    description: Build id (default the latest).
    type: str
  arch:
    description: Architecture (default the host's).
    type: str
  src:
    description: OCI archive to push instead of the build's.
    type: path
  image_key:
    description: meta.json image key to push (nosa's C(--image)).
    type: str
    default: ostree
    choices: [ostree, extensions-container]
  record:
    description: Record C({image, digest}) in the build's meta.json.
    type: bool
    default: true
  manifest_format:
    description: Manifest format (C(oci) or C(v2s2)); default keeps the source's.
    type: str
    choices: [oci, v2s2]
  authfile:
    description: Registry auth file (C(REGISTRY_AUTH_FILE) format).
    type: path
  username:
    description: Registry user (with O(password)).
    type: str
  password:
    description: Registry password.
    type: str
  tls_verify:
    description: Verify the registry's TLS certificate (C(false) = nosa's C(--no-tls-verify)).
    type: bool
    default: true
  force:
    description: Push or rebuild even when the registry already has the image.
    type: bool
    default: false
  containerfile:
    description: Containerfile path (O(operation=derive)).
    type: path
  containerfile_content:
    description: Containerfile text (O(operation=derive)), instead of O(containerfile).
    type: str
  context:
    description: Build context folder (O(operation=derive)).
    type: path
  builder:
    description: Tool that builds the derived image.
    type: str
    default: buildah
    choices: [buildah, podman, docker]
  builder_args:
    description: Extra arguments for the build command.
    type: list
    elements: str
    default: []
  build_args:
    description: C(--build-arg) values.
    type: dict
    default: {}
  environment:
    description: Environment for skopeo and the builder (for example C(CONTAINERS_CONF)).
    type: dict
    default: {}
notes:
  - Check mode tells whether a push or build would happen; diff mode shows the registry digest before and after.
"""

EXAMPLES = r"""
- name: Push the latest build to a registry (tag <build>-<arch>)
  nestos.lifecycle.oci_image:
    workdir: /srv/nestos-build
    name: registry.example.com/nestos
    authfile: /root/.config/containers/auth.json
  register: pushed

- name: Build a derived image with strace layered and push it
  nestos.lifecycle.oci_image:
    operation: derive
    name: registry.example.com/nestos-strace:1.0
    containerfile_content: |
      FROM {{ pushed.reference }}
      RUN rpm-ostree install strace && rm -rf /var/cache && ostree container commit
  register: derived

- name: Rebase hosts later with
  ansible.builtin.debug:
    msg: "rpm-ostree rebase {{ derived.rebase_ref }}"
"""

RETURN = r"""
digest:
  description: Manifest digest of the pushed image.
  returned: success (null in check mode when nothing was pushed yet)
  type: str
  sample: sha256:2e980b39e4a533b7a64660fbcd323b770a93b684b5cbef211e9c9ed2368f5d5d
reference:
  description: The pushed reference without transport (C(REGISTRY/NAME:TAG)).
  returned: success
  type: str
destination:
  description: The skopeo destination with transport.
  returned: O(operation=push)
  type: str
tag:
  description: The tag used.
  returned: O(operation=push)
  type: str
rebase_ref:
  description: What NestOS hosts rebase to.
  returned: success
  type: str
  sample: ostree-unverified-registry:registry.example.com/nestos:24.03-LTS.20240903.0-x86_64
base:
  description: The C(FROM) image of a derived build.
  returned: O(operation=derive)
  type: str
input_hash:
  description: Hash of the derived image's inputs (also its label C(org.nestos.lifecycle.input-sha256)).
  returned: O(operation=derive)
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler import images


def main():
    module = AnsibleModule(
        argument_spec=dict(
            operation=dict(type="str", choices=["push", "derive"], default="push"),
            name=dict(type="str", required=True),
            tag=dict(type="str"),
            tag_suffix=dict(type="str"),
            transport=dict(type="str", default="docker", choices=["docker", "registry", "dir", "docker-archive",
                                                                  "containers-storage", "podman", "docker-daemon"]),
            workdir=dict(type="path"),
            build=dict(type="str"),
            arch=dict(type="str"),
            src=dict(type="path"),
            image_key=dict(type="str", default="ostree", choices=["ostree", "extensions-container"]),
            record=dict(type="bool", default=True),
            manifest_format=dict(type="str", choices=["oci", "v2s2"]),
            authfile=dict(type="path"),
            username=dict(type="str"),
            password=dict(type="str", no_log=True),
            tls_verify=dict(type="bool", default=True),
            force=dict(type="bool", default=False),
            containerfile=dict(type="path"),
            containerfile_content=dict(type="str"),
            context=dict(type="path"),
            builder=dict(type="str", default="buildah", choices=["buildah", "podman", "docker"]),
            builder_args=dict(type="list", elements="str", default=[]),
            build_args=dict(type="dict", default={}),
            environment=dict(type="dict", default={}),
        ),
        required_together=[["username", "password"]],
        mutually_exclusive=[["containerfile", "containerfile_content"]],
        supports_check_mode=True,
    )
    try:
        result = images.execute(module.params, check_mode=module.check_mode)
    except NestosError as err:
        module.fail_json(msg=str(err), **err.details())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
