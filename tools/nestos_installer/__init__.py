# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""nestos-installer / coreos-installer command line over the collection's live-media engine.

The package holds only command-line glue: argument grammar (:mod:`.cli`), the handlers of
each command family (:mod:`.iso_cmds`, :mod:`.pxe_cmds`, :mod:`.dev_cmds`) and shared I/O
rules (:mod:`.io`). Formats are the engine's (``plugins/module_utils/live``); the only
format code here is :mod:`.isoinfo`, a reader for what ``dev show iso`` prints and the engine
does not expose (volume descriptors, explicit ``pad``/``end`` of kargs.json entries).
"""

import os
import sys
import types

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))


def bootstrap():
    """Make the collection importable as ``ansible_collections.nestos.lifecycle``.

    Always this checkout (the program lives in it), through namespace stubs: importing
    Ansible's collection loader would cost start-up time and nothing here needs it.
    """
    if "ansible_collections.nestos.lifecycle" in sys.modules:
        return
    for name, path in (("ansible_collections", None), ("ansible_collections.nestos", None),
                       ("ansible_collections.nestos.lifecycle", ROOT)):
        if name in sys.modules:
            continue
        module = types.ModuleType(name)
        module.__path__ = [path] if path else []
        sys.modules[name] = module
        parent, _sep, child = name.rpartition(".")
        if parent:
            setattr(sys.modules[parent], child, module)
