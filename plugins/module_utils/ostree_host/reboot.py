# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reboot planner for nestos_reboot: whether a reboot is due, what must be booted after it,
and whether it was. The action only issues the command and waits for a new boot id."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Dict, List, Optional, Tuple


class RebootPlan(object):
    def __init__(self, status, expected, needed, msg):
        self.status = status
        self.expected = expected      # [(what, value)]
        self.needed = needed
        self.msg = msg

    def facts(self) -> Dict[str, Any]:
        booted = self.status.booted
        return {"booted_before": booted.summary() if booted is not None else None, "expected": dict(self.expected)}

    def diff(self) -> Dict[str, str]:
        booted, default = self.status.booted, self.status.default
        return {"before": "booted: %s\n" % (booted.label() if booted else "-"),
                "after": "booted: %s\n" % (default.label() if default else "-")}


def plan_reboot(status: Any,
                expect_checksum: Optional[str] = None,
                expect_image: Optional[str] = None,
                expect_version: Optional[str] = None,
                verify_default: bool = True,
                only_if_pending: bool = False) -> RebootPlan:
    expected = [(what, value) for what, value in (("checksum", expect_checksum), ("image", expect_image),
                                                  ("version", expect_version)) if value]
    default = status.default
    if not expected and verify_default and default is not None and default.checksum:
        expected.append(("checksum", default.checksum))
    if only_if_pending and not status.pending_reboot:
        return RebootPlan(status, expected, False, "no pending deployment; reboot not needed")
    return RebootPlan(status, expected, True, "would reboot into %s" % (default.label() if default else "?"))


def wrong_deployment(after: Any, expected: List[Tuple[str, str]]) -> Optional[str]:
    """None when the booted deployment is the expected one, else what is wrong."""
    booted = after.booted
    if booted is None:
        return "no deployment is marked booted"
    wrong = [(what, value) for what, value in expected if not booted.matches(value)]
    if wrong:
        return "booted %s, expected %s" % (booted.label(), ", ".join("%s %s" % w for w in wrong))
    return None
