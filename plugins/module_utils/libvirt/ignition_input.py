# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Ignition input options of libvirt_vm, resolved through the Butane engine's entry point.

``butane.api.resolve_ignition`` turns a path, inline content or a Butane config into validated
Ignition bytes. When the Butane engine is not part of the installed collection (a partial
install), paths and inline Ignition JSON still work through a small local reader that checks the
JSON and its ``ignition.version``; Butane input then fails with a clear message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

try:
    from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.api import resolve_ignition
    HAS_BUTANE_API = True
except ImportError:
    resolve_ignition = None
    HAS_BUTANE_API = False

IGNITION_ARGSPEC = dict(
    ignition=dict(type="path"),
    ignition_content=dict(type="raw", no_log=True),
    butane=dict(type="raw", no_log=True),
    butane_files_dir=dict(type="path"),
    butane_strict=dict(type="bool", default=False),
)
IGNITION_EXCLUSIVE = [("ignition", "ignition_content", "butane")]


def _local_resolve(ignition=None, ignition_content=None, butane=None):
    if butane is not None:
        raise NestosError("Butane input needs the collection's Butane engine (plugins/module_utils/butane), which"
                          " is not installed; give ignition or ignition_content instead", path="butane")
    if ignition is not None:
        try:
            with open(ignition, "rb") as handle:
                data = handle.read()
        except (IOError, OSError) as exc:
            raise NestosError("cannot read Ignition file: %s" % (exc.strerror or exc), file=ignition)
        where = ignition
    elif isinstance(ignition_content, dict):
        data = json.dumps(ignition_content, separators=(",", ":")).encode("utf-8")
        where = "ignition_content"
    elif isinstance(ignition_content, (str, bytes)):
        data = ignition_content if isinstance(ignition_content, bytes) else ignition_content.encode("utf-8")
        where = "ignition_content"
    else:
        raise NestosError("must be Ignition JSON text or a dictionary", path="ignition_content")
    try:
        doc = json.loads(data.decode("utf-8"))
    except ValueError as exc:
        raise NestosError("not valid JSON: %s" % exc, file=where)
    if not isinstance(doc, dict) or not isinstance(doc.get("ignition"), dict) or "version" not in doc["ignition"]:
        raise NestosError("an Ignition config needs ignition.version", file=where, path="$.ignition.version")
    return data, []


def resolve(params):
    """(bytes or None, warnings) from the module parameters; None when no input was given."""
    given = [key for key in ("ignition", "ignition_content", "butane") if params.get(key) not in (None, "")]
    if not given:
        return None, []
    if HAS_BUTANE_API:
        return resolve_ignition(ignition=params.get("ignition"), ignition_content=params.get("ignition_content"),
                                butane=params.get("butane"), files_dir=params.get("butane_files_dir"),
                                strict=bool(params.get("butane_strict")))
    return _local_resolve(params.get("ignition"), params.get("ignition_content"), params.get("butane"))
