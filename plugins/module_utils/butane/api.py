# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One entry point for every module that takes an Ignition config as input.

A module documents the options with the ``nestos.lifecycle.ignition_input`` doc fragment,
takes their argument spec from ``faces/ignition_input.py`` and calls :func:`resolve_ignition`
with them; it gets the Ignition bytes to embed, plus the warnings to show the user.

Only what a run needs is imported: the Butane translator (and PyYAML) only when a Butane
input is given, the Ignition parser only when an Ignition input is given.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError


def _given(value) -> bool:
    return value is not None and not (isinstance(value, (str, bytes)) and not value.strip())


def resolve_ignition(ignition: str | None = None, ignition_content=None, butane=None,
                     files_dir: str | None = None, strict: bool = False) -> tuple[bytes, list[str]]:
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
        from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.to_ignition import translate

        result = translate(butane, files_dir=files_dir, strict=strict, source="butane")
        return result.json.encode("utf-8"), [e.format() for e in result.report]
    if given[0] == "ignition":
        from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.limits import read_config_file

        name = str(ignition)
        data = read_config_file(ignition, what="Ignition file")
    else:
        name = "ignition_content"
        data = _content_bytes(ignition_content, name)
    return data, _check(data, name)


def _content_bytes(content, name: str) -> bytes:
    from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import limits

    if isinstance(content, dict):
        from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import serialize

        plain = limits.plain_data(content, "$")
        try:
            data = serialize.dumps(plain, newline=False).encode("utf-8")
        except NestosError as exc:
            raise NestosError("invalid Ignition content: %s" % exc.message, file=name, path=exc.path)
    elif isinstance(content, bytes):
        data = bytes(content)
    elif isinstance(content, str):
        bad = limits.first_surrogate(content)
        if bad >= 0:
            raise NestosError("Ignition content holds a lone surrogate (U+%04X) at character %d; it is not "
                              "valid Unicode" % (ord(content[bad]), bad), file=name)
        data = content.encode("utf-8")
    else:
        raise NestosError("must be Ignition JSON text or a dictionary, not %s" % type(content).__name__, file=name)
    limits.check_size(data, "Ignition content", file=name)
    return data


def _check(data: bytes, name: str) -> list[str]:
    from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.parse import parse

    config, report = parse(data, source=name)
    entries = list(report)
    errors = [e for e in entries if e.kind == "error"]
    if config is None or errors:
        lines = [e.format() for e in (errors or entries)] or ["not a valid Ignition config"]
        first = (errors or entries or [None])[0]
        raise NestosError("invalid Ignition config:\n" + "\n".join(lines), file=name,
                          path=_path_of(first), line=getattr(first, "line", None),
                          column=getattr(first, "column", None))
    return [e.format() for e in entries]


def _path_of(entry) -> str | None:
    path = getattr(entry, "path", None)
    if not path:
        return None
    return "$" + "".join("." + str(p) for p in path)


__all__ = ["resolve_ignition"]
