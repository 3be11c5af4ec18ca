# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The error raised when a Butane config cannot be translated."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError


class ButaneError(NestosError):
    """A fatal translation problem.

    ``str(err)`` is every report line (as upstream Butane prints them on stderr) followed by the
    reason, so the user sees all problems at once. ``file``/``path``/``line``/``column`` point at
    the first error; ``report`` holds the whole report (may be None); ``reason`` is upstream's
    error text alone (e.g. ``source config is invalid``).
    """

    def __init__(self, message, file=None, path=None, line=None, column=None, report=None, reason=None):
        super(ButaneError, self).__init__(message, file=file, path=path, line=line, column=column)
        self.report = report
        # upstream's error value (what `butane` prints after "Error translating config: ")
        self.reason = reason if reason is not None else message

    def __str__(self):
        text = self.message
        if self.file and not text.startswith(str(self.file)):
            text = "%s: %s" % (self.file, text)
        return text
