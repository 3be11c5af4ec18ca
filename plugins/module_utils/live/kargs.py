# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kernel-argument editing with nestos-installer's string semantics.

Operations run on ``" " + kargs + " "`` in a fixed order whatever order they were
given in: delete, append, append-if-missing, replace ``KEY=OLD=NEW``; then the result
is trimmed. ``delete_if_present`` is accepted as a clearer name for delete (deleting an
absent argument is already a no-op).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

_REPLACE = re.compile(r"^([^=]+)=([^=]+)=([^=]+)$")


def edit_kargs(current, append=None, delete=None, append_if_missing=None, replace=None,
               delete_if_present=None):
    """Return the new kargs string."""
    text = " %s " % current
    for karg in list(delete or []) + list(delete_if_present or []):
        text = text.replace(" %s " % karg.strip(), " ")
    for karg in append or []:
        text += karg.strip() + " "
    for karg in append_if_missing or []:
        karg = karg.strip()
        if " %s " % karg not in text:
            text += karg + " "
    for karg in replace or []:
        match = _REPLACE.match(karg)
        if match is None:
            raise NestosError("Wrong input, format should be: KEY=OLD=NEW (got %r)" % karg)
        key, old, new = match.groups()
        text = text.replace(" %s=%s " % (key, old), " %s=%s " % (key, new))
    return text.strip()


def has_edits(append=None, delete=None, append_if_missing=None, replace=None, delete_if_present=None):
    return any([append, delete, append_if_missing, replace, delete_if_present])
