# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""rpm_ostree_facts: `rpm-ostree status --json` as facts, without Python on the host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import fleet as specs
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import HostAction


class ActionModule(HostAction):
    ARGSPEC = specs.RPM_OSTREE_FACTS

    def _run(self, args, task_vars, remote):
        status = remote.status()
        facts = status.facts()
        if args["raw"]:
            facts["raw"] = status.raw
        return {"changed": False, "ansible_facts": {"rpm_ostree": facts}, "rpm_ostree": facts}
