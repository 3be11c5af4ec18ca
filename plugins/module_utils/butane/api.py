# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One entry point for every module that takes an Ignition config as input.

A module documents the options with the ``nestos.lifecycle.ignition_input`` doc fragment and
calls :func:`resolve_ignition` with them; it gets the Ignition bytes to embed, plus the
warnings to show the user.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane import ign

# Options in the doc fragment, as a module's argument_spec needs them.
IGNITION_INPUT_ARGSPEC = dict(
    ignition=dict(type="path"),
    ignition_content=dict(type="raw", no_log=True),
    butane=dict(type="raw", no_log=True),
    butane_files_dir=dict(type="path"),
    butane_strict=dict(type="bool", default=False),
)
IGNITION_INPUT_EXCLUSIVE = [("ignition", "ignition_content", "butane")]


def _given(value):
    return value is not None and not (isinstance(value, (str, bytes)) and not value.strip())


def resolve_ignition(ignition=None, ignition_content=None, butane=None, files_dir=None, strict=False):
    """Turn exactly one of the three inputs into validated Ignition bytes.

    :param ignition: path to an Ignition JSON file; its bytes are returned unchanged.
    :param ignition_content: Ignition JSON as text/bytes, or as a dict (serialized compactly).
    :param butane: a Butane config as YAML text or as a dict; translated with our engine.
    :param files_dir: Butane ``--files-dir`` for ``local`` and ``storage.trees``.
    :param strict: fail on Butane warnings.
    :returns: ``(ignition_bytes, warnings)``, warnings being report lines (str).
    :raises NestosError: on no/too many inputs, unreadable files, invalid configs.
    """
    named = [("ignition", ignition), ("ignition_content", ignition_content), ("butane", butane)]
    given = [name for name, value in named if _given(value)]
    if len(given) != 1:
        if not given:
            raise NestosError("one of ignition, ignition_content or butane is required")
        raise NestosError("ignition, ignition_content and butane are mutually exclusive; got %s"
                          % ", ".join(given))

    if given[0] == "butane":
        from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.translate import translate
        result = translate(butane, files_dir=files_dir, strict=strict, source="butane")
        warnings = [ign.entry_text(e) for e in ign.entries_of(result.report)]
        return result.json.encode("utf-8"), warnings

    if given[0] == "ignition":
        name = str(ignition)
        try:
            with open(name, "rb") as handle:
                data = handle.read()
        except (IOError, OSError) as exc:
            raise NestosError("cannot read Ignition file: %s" % (exc.strerror or exc), file=name)
    else:
        name = "ignition_content"
        if isinstance(ignition_content, dict):
            try:
                data = ign.dumps(ignition_content).encode("utf-8")
            except NestosError as exc:
                raise NestosError("invalid Ignition content: %s" % exc.message, file=name, path=exc.path)
            except (TypeError, ValueError, AttributeError) as exc:
                raise NestosError("cannot serialize Ignition content: %s" % exc, file=name)
        elif isinstance(ignition_content, bytes):
            data = ignition_content
        elif isinstance(ignition_content, str):
            data = ignition_content.encode("utf-8")
        else:
            raise NestosError("must be Ignition JSON text or a dictionary, not %s"
                              % type(ignition_content).__name__, file=name)

    config, entries = ign.check_ignition(data, source=name)
    errors = [e for e in entries if e.kind == "error"]
    if config is None or errors:
        lines = [ign.entry_text(e) for e in (errors or entries)] or ["not a valid Ignition config"]
        first = (errors or entries or [None])[0]
        raise NestosError("invalid Ignition config:\n" + "\n".join(lines), file=name,
                          path=_path_of(first), line=getattr(first, "line", None),
                          column=getattr(first, "column", None))
    return data, [ign.entry_text(e) for e in entries]


def _path_of(entry):
    path = getattr(entry, "path", None)
    if not path:
        return None
    if isinstance(path, str):
        return path
    return "$" + "".join("." + str(p) for p in path)


def ignition_input_from_params(params):
    """Call :func:`resolve_ignition` with a module's parameters (doc fragment names)."""
    return resolve_ignition(
        ignition=params.get("ignition"),
        ignition_content=params.get("ignition_content"),
        butane=params.get("butane"),
        files_dir=params.get("butane_files_dir"),
        strict=bool(params.get("butane_strict")),
    )


__all__ = ["resolve_ignition", "ignition_input_from_params", "IGNITION_INPUT_ARGSPEC",
           "IGNITION_INPUT_EXCLUSIVE"]
