# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Face glue for libvirt_vm: the argument spec, parameters -> :class:`converge.Request`, the
backend choice, and the result with every Ignition secret masked."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.secrets import config_secrets, redact
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.common import fail
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt import converge, machine, model, qemu_direct
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt.ignition_input import (
    IGNITION_ARGSPEC, IGNITION_EXCLUSIVE, resolve)

# disk_options' suboptions come from the model's table: a new disk option is one row there.
DISK_OPTIONS_SPEC = dict((name, dict(type="str", choices=list(model.DISK_OPTION_CHOICES[name])))
                         for name, _attr, _key, _default in model.DISK_OPTIONS)

ARGSPEC = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", default="running", choices=list(converge.STATES)),
    uri=dict(type="str", default="qemu:///system"),
    image=dict(type="path"),
    disk_size=dict(type="str"),
    disk_options=dict(type="dict", options=DISK_OPTIONS_SPEC),
    vcpus=dict(type="int", default=2),
    memory=dict(type="int", default=2048),
    networks=dict(type="list", elements="dict"),
    backend=dict(type="str", default="libvirt", choices=["libvirt", "qemu"]),
    qemu_binary=dict(type="str"),
    arch=dict(type="str", choices=["x86_64", "aarch64"]),
    domain_type=dict(type="str", default="auto", choices=["auto", "kvm", "qemu"]),
    machine=dict(type="str"),
    firmware=dict(type="str", default="auto", choices=["auto", "bios", "efi"]),
    platform=dict(type="str", default="qemu", choices=list(converge.PLATFORMS)),
    cdrom=dict(type="path"),
    shares=dict(type="list", elements="dict", options=dict(source=dict(type="path", required=True),
                                                           tag=dict(type="str", required=True))),
    storage_dir=dict(type="path", default=converge.DEFAULT_STORAGE_DIR),
    console_log=dict(type="path"),
    recreate=dict(type="bool", default=False),
    on_config_change=dict(type="str", default="warn", choices=["warn", "fail"]),
    adopt=dict(type="bool", default=False),
    wait_for=dict(type="str", default="none", choices=["none", "address", "ssh"]),
    ssh_port=dict(type="int", default=22),
    wait_for_console=dict(type="str"),
    wait_timeout=dict(type="int", default=300),
    stop_timeout=dict(type="int", default=60),
)
ARGSPEC.update(IGNITION_ARGSPEC)
MODULE_KWARGS = dict(argument_spec=ARGSPEC, mutually_exclusive=IGNITION_EXCLUSIVE, supports_check_mode=True)
DEFAULT_NETWORKS = {"libvirt": [{"network": "default"}], "qemu": [{"user": True}]}


def request_from_params(params, ignition):
    """The engine's request for the module parameters and the resolved Ignition bytes."""
    p = params
    networks = p["networks"] if p["networks"] is not None else DEFAULT_NETWORKS[p["backend"]]
    disk_options = dict((k, v) for k, v in (p.get("disk_options") or {}).items() if v is not None)
    return converge.Request(
        name=p["name"], state=p["state"], uri=p["uri"], image=p["image"], disk_size=p["disk_size"],
        vcpus=p["vcpus"], memory=p["memory"], networks=networks, arch=p["arch"],
        domain_type=p["domain_type"], machine=p["machine"], firmware=p["firmware"],
        storage_dir=p["storage_dir"], console_log=p["console_log"], ignition_bytes=ignition,
        recreate=p["recreate"], adopt=p["adopt"], on_config_change=p["on_config_change"],
        wait_for=p["wait_for"], ssh_port=p["ssh_port"], wait_timeout=p["wait_timeout"],
        wait_for_console=p["wait_for_console"], stop_timeout=p["stop_timeout"],
        disk_options=disk_options, platform=p.get("platform") or "qemu", cdrom=p.get("cdrom"),
        shares=p.get("shares"))


def _input_secrets(params):
    """Secrets of an inline Ignition input, known before it is resolved (for errors while resolving)."""
    content = params.get("ignition_content")
    return config_secrets(content) if content is not None and not isinstance(content, dict) else (
        config_secrets(content) if isinstance(content, dict) else [])


def converge_machine(params, check_mode):
    """(result, warnings, secrets): resolve the Ignition input and run the engine for ``params``."""
    ignition, warnings = resolve(params) if params["state"] != "absent" else (None, [])
    secrets = config_secrets(ignition) if ignition is not None else []
    req = request_from_params(params, ignition)
    if params["backend"] == "qemu":
        result = qemu_direct.ensure(req, check_mode=check_mode, binary=params["qemu_binary"])
    else:
        result = machine.ensure(req, check_mode=check_mode)
    return result, warnings + result.pop("warnings"), secrets


def run_module(module):
    """Carry out libvirt_vm for ``module``: the result and diff never hold an Ignition secret."""
    p = module.params
    if p["backend"] == "libvirt" and not machine.HAS_LIBVIRT:
        module.fail_json(msg=missing_required_lib("libvirt-python"), exception=machine.LIBVIRT_IMPORT_ERROR)
    try:
        result, warnings, secrets = converge_machine(p, module.check_mode)
    except NestosError as err:
        fail(module, err, _input_secrets(p))
    for warning in warnings:
        module.warn(redact(warning, secrets))
    diff = result.pop("diff", None)
    if module._diff and diff is not None:
        result["diff"] = diff
    module.exit_json(**redact(result, secrets))
