# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The option of every rpm_ostree_* action that starts an rpm-ostree transaction."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  busy_timeout:
    description:
      - Seconds to wait for another rpm-ostree transaction to finish before failing with
        rpm-ostree's "Transaction in progress" message. V(0) fails at once.
    type: int
    default: 0
'''
