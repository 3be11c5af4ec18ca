# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The install planner shared by ``metal_image`` (Python on the host) and ``nestos_install``
(nestos-installer over a Python-less connection): what is on the target disk, what the task
asks for, and whether an install is needed.

The target's state is read from the disk itself (:class:`DiskState`): its GPT, and on the
partition labelled ``boot`` the BLS entry's ``options``, the first-boot stamp and the sha256 of
``ignition/config.ign``. Rules (docs/install.md):

- no GPT, or no ``boot`` partition with a BLS entry: install;
- a NestOS install whose first-boot stamp is gone (the machine has booted): leave it alone
  (``force`` reinstalls) -- re-running a playbook must never wipe a running machine;
- an install not booted yet: install again only when something differs -- the image (its
  partition entries, when the image's head can be read), the Ignition config's sha256, the
  kernel arguments, the first-boot arguments, or a partition that would not be saved;
- ``force``: install.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import hashlib

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.metal import bls

BOOT_LABEL = "boot"
# the partitions of a NestOS metal image (used when the image's own table cannot be read)
IMAGE_LABELS = ("BIOS-BOOT", "EFI-SYSTEM", "PowerPC-PReP-boot", "reserved", "boot", "root")


def part_line(part, suffix=""):
    return "partition %d %-12s LBA %d..%d %s%s" % (part.index, part.name or "-", part.first_lba, part.last_lba,
                                                   part.unique_guid, suffix)


class DiskState(object):
    """What is installed on a disk. ``table``: gpt.Table or None; ``entry``: bls.Entry or None;
    ``stamp``: bytes of ignition.firstboot or None; ``config_sha256``: of ignition/config.ign or None."""

    def __init__(self, table=None, entry=None, stamp=None, config_sha256=None, size=None):
        self.table = table
        self.entry = entry
        self.stamp = stamp
        self.config_sha256 = config_sha256
        self.size = size

    @property
    def kind(self):
        if self.table is None or self.table.by_label(BOOT_LABEL) is None or self.entry is None:
            return "empty"
        return "installed" if self.stamp is not None else "booted"

    def summary(self):
        """Text for diffs: partitions, kernel arguments, first-boot stamp, Ignition config hash."""
        lines = ["state: %s" % self.kind]
        if self.table is not None:
            lines += [part_line(part) for part in self.table.partitions]
        if self.entry is not None:
            lines.append("bls %s: %s" % (self.entry.name, self.entry.get("title") or ""))
            lines.append("options %s" % self.entry.options)
        if self.stamp is not None:
            fb = bls.firstboot_args(self.stamp)
            lines.append("ignition.firstboot present%s" % ("" if fb is None else ", firstboot args: %s" % fb))
        lines.append("ignition/config.ign %s" % ("sha256 " + self.config_sha256 if self.config_sha256 else "absent"))
        return "\n".join(lines) + "\n"


def parse_filters(labels=(), indexes=()):
    """Partition filters as upstream parses --save-partlabel globs and --save-partindex ranges."""
    ranges = []
    for text in indexes:
        text = str(text).strip()
        parts = text.split("-")
        if len(parts) > 2:
            raise NestosError("couldn't parse partition index range '%s'" % text, path="save_partindex")
        ends = []
        for part in (parts if len(parts) == 2 else parts * 2):
            if part == "":
                ends.append(None)
                continue
            if not part.isdigit():
                raise NestosError("couldn't parse partition index '%s'" % part, path="save_partindex")
            if int(part) == 0:
                raise NestosError("partition index cannot be zero", path="save_partindex")
            ends.append(int(part))
        if ends == [None, None]:
            raise NestosError("both ends of partition index range '%s' cannot be open" % text, path="save_partindex")
        if None not in ends and ends[0] > ends[1]:
            raise NestosError("start of partition index range '%s' cannot be greater than end" % text,
                              path="save_partindex")
        ranges.append(tuple(ends))
    return [str(g) for g in labels], ranges


def wanted(part, filters):
    labels, ranges = filters
    if any(fnmatch.fnmatchcase(part.name, glob) for glob in labels):
        return True
    for low, high in ranges:
        if (low is None or part.index >= low) and (high is None or part.index <= high):
            return True
    return False


def saved_partitions(table, filters, image_table=None):
    """Partitions of ``table`` the filters keep, checked against the image's partitions."""
    if table is None:
        return []
    keep = [p for p in table.partitions if wanted(p, filters)]
    if image_table is not None:
        for part in keep:
            for img in image_table.partitions:
                if part.index == img.index:
                    raise NestosError("saved partition %d (\"%s\") has the number of image partition %d (\"%s\")"
                                      % (part.index, part.name, img.index, img.name), path="save_partindex")
                if part.overlaps(img):
                    raise NestosError("saved partition %d (\"%s\") overlaps image partition %d (\"%s\")"
                                      % (part.index, part.name, img.index, img.name), path="save_partlabel")
    return keep


class Desired(object):
    """What the task asks for (engine terms; the faces map their options onto it)."""

    def __init__(self, config=None, config_sha256=None, firstboot_args=None, append=(), delete=(),
                 platform=None, console=(), save_labels=(), save_indexes=(), image_table=None, force=False):
        if config is not None:
            config_sha256 = hashlib.sha256(config).hexdigest()
        self.config = config
        self.config_sha256 = config_sha256
        self.firstboot_args = firstboot_args
        self.append = list(append)
        self.delete = list(delete)
        self.platform = platform
        self.console = list(console)
        self.filters = parse_filters(save_labels, save_indexes)
        self.image_table = image_table
        self.force = force
        if firstboot_args is not None and ('"' in firstboot_args or "\n" in firstboot_args):
            raise NestosError("must not contain double quotes or newlines", path="firstboot_args")


class Plan(object):
    def __init__(self, install, reasons, before, saved):
        self.install = install
        self.reasons = reasons
        self.before = before
        self.saved = saved

    @property
    def changed(self):
        return self.install

    def after_summary(self, desired, image_options=None):
        """The expected state after the install (for check-mode diffs)."""
        if not self.install:
            return self.before.summary()
        lines = ["state: installed"]
        if desired.image_table is not None:
            lines += [part_line(part) for part in desired.image_table.partitions]
        lines += [part_line(part, " (saved)") for part in self.saved]
        if image_options is not None:
            edited = bls.edit_options(image_options, desired.delete, desired.append, desired.platform,
                                      desired.console)
            lines.append("options %s" % edited)
        lines.append("ignition.firstboot present%s" % (
            "" if desired.firstboot_args is None else ", firstboot args: %s" % desired.firstboot_args))
        lines.append("ignition/config.ign %s" % (
            "sha256 " + desired.config_sha256 if desired.config_sha256 else "absent"))
        return "\n".join(lines) + "\n"


def _differences(desired, state):
    reasons = []
    if desired.image_table is not None:
        have = dict((p.index, p.identity()) for p in state.table.partitions)
        for part in desired.image_table.partitions:
            if have.get(part.index) != part.identity():
                reasons.append("the installed image differs from the requested one (partition %d)" % part.index)
                break
    if state.config_sha256 != desired.config_sha256:
        reasons.append("the Ignition config differs (installed %s, wanted %s)"
                       % (state.config_sha256 or "none", desired.config_sha256 or "none"))
    if not bls.options_satisfied(state.entry.options, desired.delete, desired.append, desired.platform,
                                 desired.console):
        reasons.append("the kernel arguments differ (%s)" % state.entry.options)
    if bls.firstboot_args(state.stamp) != desired.firstboot_args:
        reasons.append("the first-boot arguments differ")
    image_numbers = set(p.index for p in desired.image_table.partitions) if desired.image_table else None
    for part in state.table.partitions:
        ours = part.index in image_numbers if image_numbers is not None else part.name in IMAGE_LABELS
        if not ours and not wanted(part, desired.filters):
            reasons.append("partition %d (\"%s\") would not be saved" % (part.index, part.name))
    return reasons


def plan(desired, state):
    """A :class:`Plan`: whether to install, why, and which partitions would be saved."""
    saved = saved_partitions(state.table, desired.filters, desired.image_table)
    kind = state.kind
    if desired.force:
        reasons = ["force is set"]
    elif kind == "empty":
        reasons = ["the disk holds no NestOS install"]
    elif kind == "booted":
        return Plan(False, ["NestOS is installed and has booted (no first-boot stamp); force: true reinstalls"],
                    state, saved)
    else:
        reasons = _differences(desired, state)
        if not reasons:
            return Plan(False, ["the disk already holds this install, not booted yet"], state, saved)
    return Plan(True, reasons, state, saved)
