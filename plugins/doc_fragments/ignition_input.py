# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options shared by every module that takes an Ignition config as input."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  ignition:
    description:
      - Path to an Ignition JSON file (spec 3.0.0 to 3.3.0).
      - The file is validated with the collection's Ignition engine and used byte for byte.
      - Mutually exclusive with O(ignition_content) and O(butane).
    type: path
  ignition_content:
    description:
      - An Ignition config given inline, either as JSON text or as a dictionary.
      - A dictionary is serialized the way upstream Butane writes JSON (compact form).
      - The value usually holds secrets (password hashes, keys), so it is never logged.
      - Mutually exclusive with O(ignition) and O(butane).
    type: raw
  butane:
    description:
      - "A Butane config (C(variant: nestos) C(version: 1.0.0), or C(variant: fcos) C(version: 1.0.0) to C(1.4.0)),
        either as YAML text or as a dictionary. It is translated to Ignition on the controller with the
        collection's pure-Python Butane engine (no Butane binary needed)."
      - The value usually holds secrets, so it is never logged.
      - Mutually exclusive with O(ignition) and O(ignition_content).
    type: raw
  butane_files_dir:
    description:
      - Directory that C(local) references and C(storage.trees) in O(butane) are resolved against
        (like C(butane --files-dir)). Paths that leave this directory are refused.
    type: path
  butane_strict:
    description:
      - Fail when translating O(butane) produces warnings (like C(butane --strict)).
    type: bool
    default: false
notes:
  - Exactly one of O(ignition), O(ignition_content) and O(butane) must be given.
'''
