# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors that name the thing that is wrong.

Every engine raises :class:`NestosError` (or a subclass) for user mistakes. Faces turn it
into ``fail_json(msg=str(err), **err.details())``; no traceback ever reaches the user.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class NestosError(Exception):
    """A user-facing error with an optional location.

    :param message: what is wrong and, where possible, what would fix it.
    :param file: the file the problem is in (a path as the user gave it).
    :param path: the field path inside the document, e.g. ``$.storage.files.0.mode``.
    :param line: 1-based line, when known.
    :param column: 1-based column, when known.
    """

    def __init__(self, message, file=None, path=None, line=None, column=None):
        super(NestosError, self).__init__(message)
        self.message = message
        self.file = file
        self.path = path
        self.line = line
        self.column = column

    def location(self):
        parts = []
        if self.file:
            parts.append(str(self.file))
        if self.path:
            parts.append(str(self.path))
        if self.line is not None:
            parts.append("line %d" % self.line + (" col %d" % self.column if self.column is not None else ""))
        return ", ".join(parts)

    def __str__(self):
        where = self.location()
        return "%s: %s" % (where, self.message) if where else self.message

    def details(self):
        """Structured location for ``fail_json`` (keys with a value only)."""
        out = {}
        for key in ("file", "path", "line", "column"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out
