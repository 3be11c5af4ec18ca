# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Face glue for the build area: build_config's argument spec and how the module carries out the edit."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler import config
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.common import fail

STATE = dict(type="str", choices=["present", "absent"], default="present")
LIST_EDIT = dict(add=dict(type="list", elements="str"), remove=dict(type="list", elements="str"), file=dict(type="str"))
FILE_SPEC = dict(path=dict(type="str", required=True), content=dict(type="str"), src=dict(type="path"),
                 mode=dict(type="raw"), state=STATE)

BUILD_CONFIG_ARGSPEC = dict(
    path=dict(type="path"),
    manifest=dict(type="str", default="manifest.yaml"),
    repos=dict(type="list", elements="dict", options=dict(
        id=dict(type="str", required=True), file=dict(type="str"), name=dict(type="str"),
        baseurl=dict(type="str"), metalink=dict(type="str"), mirrorlist=dict(type="str"),
        enabled=dict(type="bool"), gpgcheck=dict(type="bool"), gpgkey=dict(type="str", no_log=False),
        options=dict(type="dict"), lockfile=dict(type="bool", default=True), state=STATE)),
    lockfile_repos=dict(type="list", elements="str"),
    packages=dict(type="dict", options=LIST_EDIT),
    packages_arch=dict(type="dict"),
    exclude_packages=dict(type="dict", options=LIST_EDIT),
    remove_files=dict(type="dict", options=LIST_EDIT),
    initramfs_args=dict(type="dict", options=LIST_EDIT),
    extra_kargs=dict(type="dict", options=LIST_EDIT),
    remove_from_packages=dict(type="list", elements="dict", options=dict(
        package=dict(type="str", required=True), paths=dict(type="list", elements="str"), file=dict(type="str"),
        state=STATE)),
    default_target=dict(type="str"),
    postprocess=dict(type="list", elements="dict", options=dict(
        name=dict(type="str", required=True), script=dict(type="str"), file=dict(type="str"), state=STATE),
        required_if=[("state", "present", ("script",))]),
    releasever=dict(type="str"),
    rojig=dict(type="dict", options=dict(name=dict(type="str"), summary=dict(type="str"),
                                         license=dict(type="str"))),
    os_release=dict(type="dict"),
    os_release_buildid_date=dict(type="bool", default=False),
    os_release_file=dict(type="str"),
    overlay_files=dict(type="list", elements="dict", options=FILE_SPEC),
    workdir=dict(type="path"),
    overrides_rootfs=dict(type="list", elements="dict", options=FILE_SPEC),
    overrides_rpm=dict(type="list", elements="dict", options=dict(src=dict(type="path", required=True), state=STATE)),
)
BUILD_CONFIG_KWARGS = dict(argument_spec=BUILD_CONFIG_ARGSPEC, required_one_of=[["path", "workdir"]],
                           supports_check_mode=True)


def run_build_config(module):
    """Carry out build_config: the engine collects and writes the edits; the module reports them."""
    if not config.HAS_RUAMEL:
        module.fail_json(msg=missing_required_lib("ruamel.yaml"), exception=str(config.RUAMEL_IMPORT_ERROR))
    try:
        result = config.execute(module.params, check_mode=module.check_mode)
    except NestosError as err:
        fail(module, err)
    module.exit_json(**result)
