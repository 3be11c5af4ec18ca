# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument specs and glue of the install faces: ``metal_image`` (module, Python on the host)
and ``nestos_install`` (action, nestos-installer on a live-booted host without Python)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.secrets import config_secrets

# options both faces share, with nestos-installer's meaning
_COMMON = dict(
    image_file=dict(type="path"),
    image_url=dict(type="str"),
    stream=dict(type="str"),
    stream_base_url=dict(type="str"),
    architecture=dict(type="str", default="x86_64"),
    ignition=dict(type="raw", no_log=True),
    ignition_file=dict(type="path"),
    ignition_url=dict(type="str"),
    ignition_hash=dict(type="str"),
    insecure_ignition=dict(type="bool", default=False),
    platform=dict(type="str"),
    console=dict(type="list", elements="str", default=[]),
    append_kargs=dict(type="list", elements="str", default=[]),
    delete_kargs=dict(type="list", elements="str", default=[]),
    firstboot_args=dict(type="str"),
    copy_network=dict(type="bool", default=False),
    network_dir=dict(type="path", default="/etc/NetworkManager/system-connections"),
    save_partlabel=dict(type="list", elements="str", default=[]),
    save_partindex=dict(type="list", elements="str", default=[]),
    insecure=dict(type="bool", default=False),
    fetch_retries=dict(type="int", default=3),
    force=dict(type="bool", default=False),
)
_EXCLUSIVE = [["image_file", "image_url", "stream"], ["ignition", "ignition_file", "ignition_url"]]

METAL_IMAGE = dict(
    argument_spec=dict(
        dest=dict(type="path", required=True),
        write_through=dict(type="bool", default=False),
        size=dict(type="int"),
        image_sha256=dict(type="str"),
        image_signature=dict(type="str"),
        gpg_keyring=dict(type="path"),
        max_image_size=dict(type="int", default=64 * 1024 ** 3),
        tmp_dir=dict(type="path"),
        timeout=dict(type="int", default=60),
        **_COMMON
    ),
    mutually_exclusive=_EXCLUSIVE,
    required_one_of=[["image_file", "image_url", "stream"]],
    supports_check_mode=True,
)

NESTOS_INSTALL = dict(
    argument_spec=dict(
        dest_device=dict(type="str", required=True),
        ignition_src=dict(type="path"),
        image_sha256=dict(type="str"),
        offline=dict(type="bool", default=False),
        preserve_on_error=dict(type="bool", default=False),
        fetch_retries=dict(type="str", default="3"),
        installer=dict(type="str", default="nestos-installer"),
        **dict((k, v) for k, v in _COMMON.items() if k != "fetch_retries")
    ),
    mutually_exclusive=[["image_file", "image_url", "stream", "offline"],
                        ["ignition", "ignition_file", "ignition_url", "ignition_src"]],
)


def secrets_of(params):
    """The secret strings an Ignition option holds (masked in every result and diff)."""
    value = params.get("ignition")
    return config_secrets(value) if value is not None else []


def metal_result(result, diff_mode):
    """The module's result from the engine's: the diff only in diff mode."""
    out = dict(result)
    before, after = out.pop("before"), out.pop("after")
    if diff_mode:
        out["diff"] = {"before": before, "after": after, "before_header": "%s (disk)" % result["dest"],
                       "after_header": "%s (disk)" % result["dest"]}
    return out
