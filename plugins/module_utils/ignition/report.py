# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validation reports in the line format Ignition and Butane print.

One entry is printed as (vcontext ``report.Entry.String``)::

    <kind> at <path>, line <L> col <C>: <message>
    <kind> at <path>: <message>              (no position)
    <kind> at line <L> col <C>: <message>    (no path)
    <kind>: <message>                        (neither)

``<path>`` is ``$`` followed by the ``.``-joined elements (array indexes as plain numbers).
An empty path counts as "no path", as in vcontext.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

ERROR = "error"
WARNING = "warning"
INFO = "info"
KINDS = (ERROR, WARNING, INFO)


def format_path(path):
    """``('storage', 'files', 0, 'mode')`` -> ``$.storage.files.0.mode``."""
    return ".".join(["$"] + ["%s" % (p,) for p in path])


class Entry(object):
    """One report entry.

    :param kind: ``'error'``, ``'warning'`` or ``'info'``.
    :param path: tuple of keys (str) and indexes (int); ``()`` for the document itself.
    :param message: the message, as upstream words it.
    :param line: 1-based line, or None.
    :param column: 1-based column, or None.
    """

    __slots__ = ("kind", "path", "message", "line", "column")

    def __init__(self, kind, path, message, line=None, column=None):
        if kind not in KINDS:
            raise ValueError("unknown report entry kind %r" % (kind,))
        self.kind = kind
        self.path = tuple(path or ())
        self.message = message
        self.line = line
        self.column = column

    @property
    def is_error(self):
        return self.kind == ERROR

    @property
    def path_string(self):
        return format_path(self.path)

    def format(self):
        has_pos = self.line is not None
        pos = "line %d col %d" % (self.line, self.column if self.column is not None else 0) if has_pos else ""
        if has_pos and self.path:
            at = " at %s, %s" % (format_path(self.path), pos)
        elif has_pos:
            at = " at %s" % pos
        elif self.path:
            at = " at %s" % format_path(self.path)
        else:
            at = ""
        return "%s%s: %s" % (self.kind, at, self.message)

    __str__ = format

    def to_dict(self):
        out = {"kind": self.kind, "path": format_path(self.path), "message": self.message}
        if self.line is not None:
            out["line"] = self.line
            out["column"] = self.column
        return out

    def _key(self):
        return (self.kind, self.path, self.message, self.line, self.column)

    def __eq__(self, other):
        return isinstance(other, Entry) and self._key() == other._key()

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return "Entry(%r, %r, %r, line=%r, column=%r)" % self._key()


class Report(object):
    """An ordered list of :class:`Entry`."""

    def __init__(self, entries=None):
        self.entries = list(entries or [])

    # list-like behaviour
    def __iter__(self):
        return iter(self.entries)

    def __len__(self):
        return len(self.entries)

    def __getitem__(self, index):
        return self.entries[index]

    def __bool__(self):
        return bool(self.entries)

    __nonzero__ = __bool__

    def __repr__(self):
        return "Report(%r)" % (self.entries,)

    def append(self, entry):
        self.entries.append(entry)

    def add(self, kind, path, message, line=None, column=None):
        entry = Entry(kind, path, message, line, column)
        self.entries.append(entry)
        return entry

    def error(self, path, message, line=None, column=None):
        return self.add(ERROR, path, message, line, column)

    def warning(self, path, message, line=None, column=None):
        return self.add(WARNING, path, message, line, column)

    def info(self, path, message, line=None, column=None):
        return self.add(INFO, path, message, line, column)

    def extend(self, other):
        """Append the entries of another Report (or any iterable of Entry)."""
        self.entries.extend(other.entries if isinstance(other, Report) else list(other))
        return self

    @property
    def errors(self):
        return [e for e in self.entries if e.kind == ERROR]

    @property
    def warnings(self):
        return [e for e in self.entries if e.kind == WARNING]

    @property
    def infos(self):
        return [e for e in self.entries if e.kind == INFO]

    def is_fatal(self, strict=False):
        """True if an error is present; with ``strict``, any entry at all (butane --strict)."""
        if strict:
            return bool(self.entries)
        return any(e.kind == ERROR for e in self.entries)

    def format(self):
        """One line per entry, each ending in a newline (as butane prints to stderr)."""
        return "".join(e.format() + "\n" for e in self.entries)

    __str__ = format

    def to_list(self):
        return [e.to_dict() for e in self.entries]
