# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read an Ignition config (JSON text) the way Ignition does, with positions.

``parse(data)`` never raises for bad input: it returns ``(config, report)`` where
``config`` is the decoded dict (None when the text is not a JSON object with a usable
version) and ``report`` holds what is wrong, each entry with its JSON path and line/column.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import jsonpos
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.report import Report, format_path
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import model as M
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.validate import (
    check_version, go_decode, spec_version, validate, _json_type)

E_EMPTY = "not a config (empty)"


def decode(data, source=None):
    """JSON text -> (value, Positions, Report): syntax errors go to the report."""
    report = Report()
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Go reads invalid UTF-8 inside strings as U+FFFD; do the same
            text = data.decode("utf-8", "replace")
    else:
        text = data
    if text is None or len(text) == 0:
        report.error((), E_EMPTY)
        return None, None, report
    try:
        value, positions = jsonpos.loads(text)
    except jsonpos.JSONSyntaxError as e:
        pos = jsonpos.Positions(text)
        line, col = pos.line_col(min(e.offset, len(text)))
        report.error((), e.message, line, col)
        return None, None, report
    return value, positions, report


def parse(data, source=None, newer_checks=True):
    """Parse and validate an Ignition config.

    :param data: JSON text (bytes or str).
    :param source: a name for the input (kept for callers' messages; not used in entries).
    :returns: ``(config or None, Report)``.
    """
    value, positions, report = decode(data, source)
    if report.is_fatal():
        return None, report
    raw = value
    if positions.has_duplicates:
        # a key written twice: decode as Go would (first the version, then the whole config)
        value = go_decode(raw, M.LATEST_VERSION)
        stub_version = (value.get("ignition") or {}).get("version") if isinstance(value, dict) and \
            isinstance(value.get("ignition"), dict) else None
        if isinstance(stub_version, str) and not check_version(stub_version) and \
                spec_version(stub_version) != M.LATEST_VERSION:
            value = go_decode(raw, spec_version(stub_version))
    if not isinstance(value, dict):
        line, col = positions.lookup(())
        report.error((), "json: cannot unmarshal %s into Go value of type util.versionStub" % _json_type(value),
                     line, col)
        return None, report
    ign = value.get("ignition")
    if ign is not None and not isinstance(ign, dict):
        line, col = positions.lookup(("ignition",))
        report.error(("ignition",), "json: cannot unmarshal %s into Go struct field versionStub.Ignition of type "
                     "struct { Version string }" % _json_type(ign), line, col)
        return None, report
    version = ign.get("version") if isinstance(ign, dict) else None
    if version is not None and not isinstance(version, str):
        line, col = positions.lookup(("ignition", "version"))
        report.error(("ignition", "version"), "json: cannot unmarshal %s into Go struct field "
                     ".Ignition.Version of type string" % _json_type(version), line, col)
        return None, report
    problem = check_version(version or "")
    if problem:
        line, col = positions.lookup(("ignition", "version"))
        report.error(("ignition", "version"), problem, line, col)
        return None, report
    report.extend(validate(value, positions=positions, newer_checks=newer_checks))
    return value, report


class IgnitionConfigError(NestosError):
    """An Ignition config that does not validate; ``report`` holds every entry."""

    def __init__(self, message, report, file=None):
        first = report.errors[0] if report.errors else None
        super(IgnitionConfigError, self).__init__(
            message, file=file,
            path=format_path(first.path) if first is not None and first.path else None,
            line=first.line if first is not None else None,
            column=first.column if first is not None else None)
        self.report = report


def load_and_validate(data, source=None, strict=False, newer_checks=True):
    """Parse, validate and return ``(config, report)``; raise when the config is invalid.

    :param strict: warnings count as failures too.
    :raises IgnitionConfigError: naming the file, JSON path and line/column of the first error.
    """
    config, report = parse(data, source=source, newer_checks=newer_checks)
    if config is None or report.is_fatal(strict=strict):
        lines = report.format().rstrip("\n")
        what = "config is not valid" if report.errors else "config produced warnings and strict mode is on"
        err = IgnitionConfigError("%s:\n%s" % (what, lines) if lines else what, report, file=source)
        raise err
    return config, report
