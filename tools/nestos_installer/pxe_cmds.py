# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``pxe ...`` subcommands over the live engine's public API."""

import os
import sys

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.live import api
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.flavour import IGNITION_MEMBER
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.initrd import read_initrd

from nestos_installer import streams
from nestos_installer.iso_cmds import customize_options, read_keyfiles, write_keyfiles

NETWORK_DIRS = ("etc/nestos-firstboot-network/", "etc/coreos-firstboot-network/")


def _emit(data, output):
    """A generated initrd to ``-o FILE`` (replacing only a regular file) or to stdout."""
    if output is None:
        out = streams.binary_stdout()
        out.write(data)
        out.flush()
    else:
        streams.write_new_bytes(output, data)


def _read_initrd_input(path):
    label = path if path is not None else "stdin"
    data = streams.read_path_or_stdin(path)
    return read_initrd(data, name=label)


def ignition_wrap(args, ctx):
    if args.output is None:
        streams.binary_stdout()
    label = args.ignition_file if args.ignition_file is not None else "stdin"
    config = streams.validate_ignition(streams.read_path_or_stdin(args.ignition_file), label)
    _emit(api.wrap_ignition(config), args.output)


def ignition_unwrap(args, ctx):
    members = _read_initrd_input(args.input)
    if IGNITION_MEMBER not in members:
        raise NestosError("couldn't find Ignition config in archive")
    out = sys.stdout.buffer
    out.write(members[IGNITION_MEMBER])
    out.flush()


def network_wrap(args, ctx):
    if args.output is None:
        streams.binary_stdout()
    _emit(api.wrap_network(read_keyfiles(args.keyfile), flavour=ctx.flavour), args.output)


def network_unwrap(args, ctx):
    members = _read_initrd_input(args.input)
    files = {}
    for path, data in members.items():
        for prefix in NETWORK_DIRS:
            if path.startswith(prefix) and "/" not in path[len(prefix):]:
                files[path[len(prefix):]] = data
    write_keyfiles(files, args.directory)


def customize(args, ctx):
    if args.output == "-":
        streams.binary_stdout()
    else:
        streams.check_new_output(args.output)
    if not os.path.isfile(args.input):
        raise NestosError("opening %s: No such file or directory" % args.input)
    options = customize_options(args)
    dummy, appended, messages, dummy = api.plan_pxe_customize(args.input, options)
    for message in messages:
        streams.warn(message)
    if args.output == "-":
        api.write_pxe_customized(args.input, appended, stream=streams.binary_stdout())
    else:
        api.write_pxe_customized(args.input, appended, output=args.output, clobber=False)
