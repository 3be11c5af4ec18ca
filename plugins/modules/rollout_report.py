#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rollout_report
short_description: Draw a fleet rollout's JSON report as a self-contained HTML page
version_added: 0.2.0
description:
  - Reads the JSON rollout report the C(nestos.lifecycle.os_update) role writes for every run and
    writes one HTML page with a per-host timeline (prefetch, lock, apply, reboot, health, verify,
    rollback) grouped by batch, and the image and digest before and after.
  - The page has no script and loads nothing from the network (inline CSS and SVG).
  - Runs where the report is, usually the controller (C(delegate_to=localhost)).
options:
  src:
    description: Path of the JSON report.
    type: path
  report:
    description: The report itself, as a mapping (instead of I(src)).
    type: dict
  dest:
    description: Path of the HTML page. Only a regular file is replaced there.
    type: path
    required: true
  mode:
    description: File mode of the page.
    type: raw
    default: "0644"
attributes:
  check_mode:
    description: Says whether the page would change, writes nothing.
    support: full
  diff_mode:
    description: The page is not shown as a diff; the result says whether it changed.
    support: none
author:
  - nestos.lifecycle contributors (@nestos-lifecycle)
"""

EXAMPLES = r"""
- name: Draw the rollout
  nestos.lifecycle.rollout_report:
    src: /var/log/nestos/rollout.json
    dest: /var/log/nestos/rollout.html
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
dest:
  description: Path of the page.
  returned: always
  type: str
summary:
  description: One line on the rollout (hosts, batches, results, duration).
  returned: always
  type: str
counts:
  description: Hosts per result.
  returned: always
  type: dict
"""

import json

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import atomic_write, same_content
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.common import fail
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.report import ROLLOUT_REPORT
from ansible_collections.nestos.lifecycle.plugins.module_utils.report import rollout


def _read(path):
    try:
        with open(path, "rb") as handle:
            return json.loads(handle.read().decode("utf-8"))
    except (OSError, IOError) as err:
        raise NestosError("cannot read the report: %s" % (err.strerror or err), file=path)
    except ValueError as err:
        raise NestosError("not a JSON report: %s" % err, file=path)


def _mode(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(str(value), 8)
    except ValueError:
        raise NestosError("mode must be octal digits such as '0644', not %r" % (value,), path="mode")


def main():
    module = AnsibleModule(**ROLLOUT_REPORT)
    params = module.params
    try:
        data = _read(params["src"]) if params["src"] else params["report"]
        try:
            report = rollout.load_report(data)
        except NestosError as err:
            err.file = err.file or params["src"]
            raise
        page = rollout.render_html(report).encode("utf-8")
        mode = _mode(params["mode"])
        changed = not same_content(params["dest"], page)
        if changed and not module.check_mode:
            atomic_write(params["dest"], page, mode=mode)
    except NestosError as err:
        fail(module, err)
    module.exit_json(changed=changed, dest=params["dest"], summary=rollout.summary_line(report),
                     counts=rollout.counts(report))


if __name__ == "__main__":
    main()
