# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Boot Loader Specification entries and the first-boot stamp, as nestos-installer edits them.

- A BLS entry (``loader/entries/*.conf`` on the boot partition) is ``key value`` lines;
  ``options`` holds the permanent kernel arguments. nestos-installer (coreos-installer
  ``bls_entry_options_delete_and_append_kargs``) deletes ``--delete-karg`` arguments (exact
  matches), then appends ``--append-karg`` ones; ``--platform`` rewrites
  ``ignition.platform.id=``; ``--console`` replaces the ``console=`` arguments.
- The stamp ``ignition.firstboot`` (root of the boot partition) marks a first boot; GRUB sources
  it, and ``--firstboot-args`` appends ``set ignition_network_kcmdline="ARGS"`` to it. Its
  presence makes ``$ignition_firstboot`` in the options expand to ``ignition.firstboot ARGS``.

Limits: an entry or stamp larger than :data:`MAX_TEXT` bytes is refused.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

ENTRIES_DIR = "loader/entries"
STAMP = "ignition.firstboot"
CONFIG_DIR = "ignition"
CONFIG = "ignition/config.ign"
NETWORK_DIR = "nestos-firstboot-network"
MAX_TEXT = 64 * 1024
FIRSTBOOT_LINE = re.compile(r'^\s*set\s+ignition_network_kcmdline=(["\'])(.*)\1\s*$')
PLATFORM_KEY = "ignition.platform.id"


def _text(data, what):
    if isinstance(data, bytes):
        if len(data) > MAX_TEXT:
            raise NestosError("%s is larger than %d bytes" % (what, MAX_TEXT))
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise NestosError("%s is not UTF-8 text (byte %d)" % (what, err.start))
    if len(data) > MAX_TEXT:
        raise NestosError("%s is larger than %d bytes" % (what, MAX_TEXT))
    return data


class Entry(object):
    """A parsed BLS entry; keeps its lines so that writing it back changes only ``options``."""

    def __init__(self, name, lines):
        self.name = name
        self.lines = lines

    @classmethod
    def parse(cls, name, data):
        text = _text(data, "BLS entry %s" % name)
        lines = text.splitlines()
        entry = cls(name, lines)
        for number, line in enumerate(lines, 1):
            if line.strip() and not line.lstrip().startswith("#") and " " not in line.strip() \
                    and "\t" not in line.strip():
                raise NestosError("key without a value", file=name, line=number)
        if entry.get("linux") is None:
            raise NestosError("BLS entry has no linux line", file=name)
        return entry

    def get(self, key):
        value = None
        for line in self.lines:
            parts = line.strip().split(None, 1)
            if parts and parts[0] == key:
                value = parts[1].strip() if len(parts) > 1 else ""
        return value

    @property
    def options(self):
        return self.get("options") or ""

    def with_options(self, options):
        lines, done = [], False
        for line in self.lines:
            parts = line.strip().split(None, 1)
            if parts and parts[0] == "options" and not done:
                lines.append("options " + options)
                done = True
            elif not (parts and parts[0] == "options"):
                lines.append(line)
        if not done:
            lines.append("options " + options)
        return Entry(self.name, lines)

    def render(self):
        return "\n".join(self.lines) + "\n"


def pick_entry(names):
    """The entry nestos-installer edits: the single ``*.conf`` (several: the last by name, as
    GRUB shows the newest first)."""
    confs = sorted(n for n in names if n.endswith(".conf"))
    if not confs:
        raise NestosError("no BLS entry (*.conf) under %s on the boot partition" % ENTRIES_DIR)
    return confs[-1]


def split(options):
    return options.split()


def edit_options(options, delete=(), append=(), platform=None, console=()):
    """``options`` after the installer's edits (delete exact args, append, platform, console)."""
    args = [a for a in split(options) if a not in set(delete)]
    args += list(append)
    if console:
        args = [a for a in args if not a.startswith("console=")] + ["console=" + c for c in console]
    if platform:
        key = PLATFORM_KEY + "="
        if any(a.startswith(key) for a in args):
            args = [key + platform if a.startswith(key) else a for a in args]
        else:
            args.append(key + platform)
    return " ".join(args)


def options_satisfied(options, delete=(), append=(), platform=None, console=()):
    """Whether ``options`` already is what the edits would give (used to decide idempotence)."""
    args = split(options)
    if any(a in args for a in delete):
        return False
    if any(a not in args for a in append):
        return False
    if console and [a[len("console="):] for a in args if a.startswith("console=")] != list(console):
        return False
    if platform and (PLATFORM_KEY + "=" + platform) not in args:
        return False
    return True


def firstboot_args(stamp):
    """The ``ignition_network_kcmdline`` a stamp sets (the last ``set`` wins; None: not set)."""
    text = _text(stamp, STAMP)
    value = None
    for line in text.splitlines():
        match = FIRSTBOOT_LINE.match(line)
        if match:
            value = match.group(2)
    return value


def append_firstboot(stamp, args):
    """The stamp after ``--firstboot-args ARGS`` (upstream appends one ``set`` line)."""
    if '"' in args or "\n" in args:
        raise NestosError("firstboot_args must not contain double quotes or newlines", path="firstboot_args")
    text = _text(stamp, STAMP)
    return text + 'set ignition_network_kcmdline="%s"\n' % args


def expand(options, stamp):
    """The kernel command line GRUB builds: ``$ignition_firstboot`` expanded from the stamp."""
    value = ""
    if stamp is not None:
        value = ("ignition.firstboot " + (firstboot_args(stamp) or "")).strip()
    return " ".join(options.replace("${ignition_firstboot}", value).replace("$ignition_firstboot", value).split())
