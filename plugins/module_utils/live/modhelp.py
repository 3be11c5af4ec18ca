# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared glue for the iso_* and pxe_* modules: argument specs, input reading, diffs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.ignition_input import IGNITION_INPUT_ARGSPEC
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.api import resolve_ignition as _resolve
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

# The options of the nestos.lifecycle.ignition_input doc fragment, owned by the Butane engine's API.
IGNITION_INPUT_SPEC = IGNITION_INPUT_ARGSPEC

COMMON_CUSTOMIZE_SPEC = dict(
    dest_ignition=dict(type="list", elements="path", default=[]),
    dest_device=dict(type="str"),
    dest_console=dict(type="list", elements="str", default=[]),
    dest_karg_append=dict(type="list", elements="str", default=[]),
    dest_karg_delete=dict(type="list", elements="str", default=[]),
    network_keyfile=dict(type="list", elements="path", default=[], no_log=False),
    network_nmstate=dict(type="list", elements="path", default=[]),
    ignition_ca=dict(type="list", elements="path", default=[]),
    pre_install=dict(type="list", elements="path", default=[]),
    post_install=dict(type="list", elements="path", default=[]),
    installer_config=dict(type="list", elements="path", default=[]),
    live_ignition=dict(type="list", elements="path", default=[]),
    ignition_target=dict(type="str", choices=["dest", "live"], default="dest"),
)

PATH_OPTIONS = ("dest_ignition", "network_keyfile", "network_nmstate", "ignition_ca", "pre_install",
                "post_install", "installer_config", "live_ignition")


def given_ignition(params):
    return any(params.get(k) not in (None, "", {}) for k in ("ignition", "ignition_content", "butane"))


def resolve_ignition(params):
    """Ignition bytes from the ignition/ignition_content/butane inputs; (bytes, warnings)."""
    return _resolve(ignition=params.get("ignition"), ignition_content=params.get("ignition_content"),
                    butane=params.get("butane"), files_dir=params.get("butane_files_dir"),
                    strict=bool(params.get("butane_strict")))


def validate_ignition_file(path):
    """Bytes of an Ignition file, checked by the Ignition engine; (bytes, warnings)."""
    return _resolve(ignition=path)


def read_input(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except (IOError, OSError) as err:
        raise NestosError("cannot read input: %s" % (err.strerror or err), file=path)


def customize_options(params):
    """Module parameters -> engine options (file options read into (path, bytes) pairs)."""
    opts = {}
    warnings = []
    for key in PATH_OPTIONS:
        if key in ("dest_ignition", "live_ignition"):
            # validated by the collection's Ignition engine: errors name file, field, line and column
            opts[key] = []
            for path in params.get(key) or []:
                data, found = validate_ignition_file(path)
                opts[key].append((path, data))
                warnings.extend(found)
        else:
            opts[key] = [(p, read_input(p)) for p in params.get(key) or []]
    for key in ("dest_device", "dest_console", "dest_karg_append", "dest_karg_delete"):
        opts[key] = params.get(key)
    if given_ignition(params):
        data, found = resolve_ignition(params)
        warnings.extend(found)
        label = params.get("ignition") or ("butane" if params.get("butane") not in (None, "") else "ignition_content")
        target = "live_ignition" if params.get("ignition_target") == "live" else "dest_ignition"
        opts[target] = [(label, data)] + opts[target]
    return opts, warnings


def pretty_ignition(text):
    if text is None:
        return ""
    try:
        return json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
    except ValueError:
        return text


def diff_of(plan, label):
    before, after = plan.before, plan.after
    out = []
    if before.get("ignition") != after.get("ignition"):
        out.append({"before_header": "%s (embedded Ignition)" % label, "after_header": "%s (embedded Ignition)" % label,
                    "before": pretty_ignition(before.get("ignition")), "after": pretty_ignition(after.get("ignition"))})
    if before.get("kargs") != after.get("kargs"):
        out.append({"before_header": "%s (kernel arguments)" % label, "after_header": "%s (kernel arguments)" % label,
                    "before": (before.get("kargs") or "") + "\n", "after": (after.get("kargs") or "") + "\n"})
    if before.get("members") != after.get("members"):
        out.append({"before_header": "%s (initrd members)" % label, "after_header": "%s (initrd members)" % label,
                    "before": "\n".join(before.get("members") or []) + "\n",
                    "after": "\n".join(after.get("members") or []) + "\n"})
    return out


def public_state(state):
    """State for results: Ignition content is a secret, report only its presence and size."""
    ign = state.get("ignition")
    return {"ignition_embedded": ign is not None, "ignition_size": len(ign) if ign is not None else 0,
            "network_keyfiles": state.get("network_keyfiles", []), "members": state.get("members", []),
            "kargs": state.get("kargs")}


def check_output_folder(dest):
    folder = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(folder):
        raise NestosError("output folder does not exist; create it first", file=folder)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise NestosError("output folder is not writable", file=folder)


def fail(module, err):
    module.fail_json(msg=str(err), **err.details())
