# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Face glue: argument specs, parameter-to-engine mapping, result and diff shaping, ``fail``.

Modules and action plugins (the faces) import from here; engines never do. One file per
area (``faces/live.py``, ``faces/butane.py``, ``faces/fleet.py`` ...) plus ``faces/common.py``
for what all areas share. Files here may import ``ansible.module_utils`` but hold no
decision an engine could hold.
"""
