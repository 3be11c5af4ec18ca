# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible glue of the iso_* and pxe_* modules: argument specs, inputs, masked diffs, plan runs.

The decisions live in the live engine (``module_utils/live``); this module turns module
parameters into engine inputs, carries out the engine's plans, and shapes results. Every
diff and result that can hold Ignition content goes through ``common/secrets``: password
hashes and SSH keys are masked at any verbosity.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.ignition_input import IGNITION_INPUT_ARGSPEC
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.api import resolve_ignition as _resolve
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import check_destination
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.secrets import config_secrets, mask_config, redact
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.common import fail as _fail
from ansible_collections.nestos.lifecycle.plugins.module_utils.live import api

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

# ISO writers: the mode of a written image that holds a config, and the explicit write-through.
ISO_OUTPUT_SPEC = dict(
    mode=dict(type="raw"),
)

FLAVOUR_SPEC = dict(flavour=dict(type="str", choices=["auto", "nestos", "coreos"], default="auto"))

IGNITION_INPUT_EXCLUSIVE = [("ignition", "ignition_content", "butane")]


def ignition_module(module_class, spec, *more_specs):
    """The module object of a live media face taking an Ignition input: its own ``spec``, the
    shared ``more_specs`` (FLAVOUR_SPEC, ...) and the Ignition input options (mutually
    exclusive); check mode supported. ``module_class`` is AnsibleModule."""
    spec = dict(spec)
    for extra in more_specs + (IGNITION_INPUT_SPEC,):
        spec.update(extra)
    return module_class(argument_spec=spec, supports_check_mode=True, mutually_exclusive=IGNITION_INPUT_EXCLUSIVE)


PATH_OPTIONS = ("dest_ignition", "network_keyfile", "network_nmstate", "ignition_ca", "pre_install",
                "post_install", "installer_config", "live_ignition")
CONFIG_OPTIONS = ("dest_ignition", "live_ignition")


class Secrets(object):
    """The secret strings of every config a task has seen (inputs and the image's own)."""

    def __init__(self):
        self.found = set()

    def add(self, config):
        if config is not None:
            self.found.update(config_secrets(config))
        return config

    def all(self):
        return sorted(self.found, key=lambda s: (-len(s), s))

    def mask(self, value):
        return redact(value, self.all())


def expected_flavour(params):
    flavour = params.get("flavour")
    return None if flavour in (None, "auto") else flavour


def given_ignition(params):
    return any(params.get(k) not in (None, "", {}) for k in ("ignition", "ignition_content", "butane"))


def resolve_ignition(params, secrets=None):
    """Ignition bytes from the ignition/ignition_content/butane inputs; (bytes, warnings)."""
    data, warnings = _resolve(ignition=params.get("ignition"), ignition_content=params.get("ignition_content"),
                              butane=params.get("butane"), files_dir=params.get("butane_files_dir"),
                              strict=bool(params.get("butane_strict")))
    if secrets is not None:
        secrets.add(data)
    return data, warnings


def read_input(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except (IOError, OSError, ValueError) as err:
        raise NestosError("cannot read input: %s" % (getattr(err, "strerror", None) or err), file=path)


def customize_options(params, secrets=None):
    """Module parameters -> engine options (file options read into (path, bytes) pairs)."""
    opts = {}
    warnings = []
    for key in PATH_OPTIONS:
        opts[key] = []
        for path in params.get(key) or []:
            if key in CONFIG_OPTIONS:
                # validated by the collection's Ignition engine: errors name file, field, line and column
                data, found = _resolve(ignition=path)
                warnings.extend(found)
                if secrets is not None:
                    secrets.add(data)
            else:
                data = read_input(path)
            opts[key].append((path, data))
    for key in ("dest_device", "dest_console", "dest_karg_append", "dest_karg_delete"):
        opts[key] = params.get(key)
    if given_ignition(params):
        data, found = resolve_ignition(params, secrets)
        warnings.extend(found)
        label = params.get("ignition") or ("butane" if params.get("butane") not in (None, "") else "ignition_content")
        target = "live_ignition" if params.get("ignition_target") == "live" else "dest_ignition"
        opts[target] = [(label, data)] + opts[target]
    return opts, warnings


def masked_ignition(text):
    """Pretty JSON of a config with password hashes and SSH keys masked ("" for None)."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    try:
        obj = json.loads(text)
    except ValueError:
        return redact(text, config_secrets(text))
    return json.dumps(mask_config(obj), indent=2, sort_keys=True) + "\n"


# kept for callers of the old name
pretty_ignition = masked_ignition


def _section(label, what, before, after):
    header = "%s (%s)" % (label, what)
    return {"before_header": header, "after_header": header, "before": before, "after": after}


def diff_of(plan, label, secrets=None):
    """Diff sections of an ISO plan; Ignition content masked."""
    before, after = plan.before, plan.after
    out = []
    if before.get("ignition") != after.get("ignition"):
        out.append(_section(label, "embedded Ignition", masked_ignition(before.get("ignition")),
                            masked_ignition(after.get("ignition"))))
    if before.get("kargs") != after.get("kargs"):
        out.append(_section(label, "kernel arguments", (before.get("kargs") or "") + "\n",
                            (after.get("kargs") or "") + "\n"))
    if before.get("members") != after.get("members"):
        out.append(_section(label, "initrd members", "\n".join(printable(before.get("members"))) + "\n",
                            "\n".join(printable(after.get("members"))) + "\n"))
    return secrets.mask(out) if secrets is not None else out


def printable(names):
    """Member names as valid UTF-8 (an image's non-UTF-8 bytes shown as U+FFFD, never a traceback)."""
    return [n.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for n in names or []]


def public_state(state):
    """State for results: Ignition content is a secret, report only its presence and size."""
    ign = state.get("ignition")
    return {"ignition_embedded": ign is not None, "ignition_size": len(ign) if ign is not None else 0,
            "network_keyfiles": printable(state.get("network_keyfiles")), "members": printable(state.get("members")),
            "kargs": state.get("kargs")}


def check_output_folder(dest):
    """The destination rule at plan time (check mode fails the same way a real run would)."""
    folder = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(folder):
        raise NestosError("output folder does not exist; create it first", file=folder)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise NestosError("output folder is not writable", file=folder)
    check_destination(dest)


def parse_mode(mode):
    """A file mode option (octal string or int) -> int, or None when unset."""
    if mode in (None, ""):
        return None
    try:
        value = int(mode, 8) if isinstance(mode, str) else int(mode)
    except (TypeError, ValueError):
        raise NestosError("mode must be an octal number such as '0600' (got %r)" % (mode,), path="mode")
    if not 0 <= value <= 0o7777:
        raise NestosError("mode out of range: %r" % (mode,), path="mode")
    return value


def run_iso_plan(params, planner, check_mode, secrets=None):
    """Plan with ``planner(iso)``; apply in place or into ``dest``. Returns a result dict."""
    iso_path, dest = params["src"], params.get("dest")
    mode = parse_mode(params.get("mode"))
    with api.open_iso(iso_path, expect=expected_flavour(params)) as iso:
        if secrets is not None:
            secrets.add(iso.ignition)
        plan = planner(iso)
        flavour = iso.flavour.name
    target = dest or iso_path
    if dest and os.path.abspath(dest) != os.path.abspath(iso_path):
        check_output_folder(dest)
        out_mode = api.output_mode(plan, mode, default=0o600)
        changed = not api.output_matches(plan, dest) or api.mode_differs(dest, out_mode)
        if changed and not check_mode:
            api.apply_plan(plan, output=dest, clobber=True, mode=out_mode)
    else:
        out_mode = api.output_mode(plan, mode, current=iso_path)
        changed = plan.changed or api.mode_differs(iso_path, out_mode)
        if changed and not check_mode:
            api.apply_plan(plan, mode=out_mode)
    result = {
        "changed": changed,
        "path": target,
        "flavour": flavour,
        "before": public_state(plan.before),
        "after": public_state(plan.after),
        "messages": plan.messages,
        "diff": diff_of(plan, target, secrets) if changed else [],
    }
    return secrets.mask(result) if secrets is not None else result


def fail(module, err, secrets=None):
    """``module.fail_json`` naming file, field path and line; secrets masked."""
    _fail(module, err, secrets.all() if secrets is not None else ())
