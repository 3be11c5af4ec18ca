# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``dev show iso``, ``dev show initrd``, ``dev extract initrd``."""

import fnmatch
import os
import sys

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.initrd import Initrd, read_initrd, safe_member_path

from nestos_installer import isoinfo, streams


def show_iso(args, ctx):
    if not (args.ignition or args.kargs):
        sys.stdout.write(isoinfo.show_iso_json(args.input))
        return
    with streams.open_iso(args.input) as iso:
        text = isoinfo.ignition_header_json(iso) if args.ignition else isoinfo.kargs_header_json(iso)
    sys.stdout.write(text)


def _members(args):
    data = streams.read_stdin() if args.input == "-" else streams.read_path(args.input)
    members = read_initrd(data, name="stdin" if args.input == "-" else args.input)
    patterns = args.filter or ["*"]
    return dict((path, content) for path, content in members.items()
                if any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns))


def show_initrd(args, ctx):
    for path in sorted(_members(args)):
        sys.stdout.write(path + "\n")


def extract_initrd(args, ctx):
    members = _members(args)
    for path in sorted(members):
        try:
            safe_member_path(path)
        except NestosError:
            raise NestosError("path %s contains path traversal" % path)
    for path in sorted(members):
        target = os.path.join(args.directory, path)
        if os.path.lexists(target):
            raise NestosError("opening %s: File exists (files are never overwritten; remove it first)" % target)
    for path in Initrd(members).extract(args.directory):
        if args.verbose:
            sys.stdout.write(path + "\n")
