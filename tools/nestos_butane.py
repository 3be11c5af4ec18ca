# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""nestos-butane: the collection's Butane engine with upstream butane's command line.

    nestos-butane [-p] [-s] [-c] [-d DIR] [-o FILE] [INPUT]

Reads INPUT (or stdin), prints the report to stderr (one `<kind> at <path>, line L col C: msg`
line per entry) and the Ignition JSON plus a newline to stdout or FILE. Exit codes as upstream:
0 success, 1 translation failure / --strict with warnings / unreadable input or unwritable
output, 2 bad usage.
"""

import argparse
import os
import re
import sys
import types


def _bootstrap():
    """Make the collection importable as ansible_collections.nestos.lifecycle from this checkout."""
    try:
        import ansible_collections.nestos.lifecycle.plugins.module_utils.butane.translate  # noqa: F401
        return
    except ImportError:
        pass
    root = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    for name, path in (("ansible_collections", None), ("ansible_collections.nestos", None),
                       ("ansible_collections.nestos.lifecycle", root)):
        if name in sys.modules and path is None:
            continue
        module = types.ModuleType(name)
        module.__path__ = [path] if path else []
        sys.modules[name] = module
        parent, _sep, child = name.rpartition(".")
        if parent:
            setattr(sys.modules[parent], child, module)


def _version():
    root = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    try:
        with open(os.path.join(root, "galaxy.yml")) as handle:
            m = re.search(r"^version:\s*(\S+)", handle.read(), re.M)
            if m:
                return m.group(1)
    except OSError:
        pass
    return "unknown"


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        sys.stderr.write("%s: %s\n" % (self.prog, message))
        sys.exit(2)


def main(argv=None):
    parser = _Parser(prog="nestos-butane", add_help=False,
                     usage="%(prog)s [options] [input-file]",
                     description="Translate a Butane config (variant nestos 1.0.0, fcos 1.0.0-1.4.0) to Ignition.")
    parser.add_argument("-h", "--help", action="store_true", help="show usage and exit")
    parser.add_argument("-V", "--version", action="store_true", help="print the version and exit")
    parser.add_argument("-c", "--check", action="store_true", help="check config without producing output")
    parser.add_argument("-s", "--strict", action="store_true", help="fail on any warning")
    parser.add_argument("-p", "--pretty", action="store_true", help="output formatted json")
    parser.add_argument("-r", "--raw", action="store_true",
                        help="never wrap in a MachineConfig; force Ignition output (always the case here)")
    parser.add_argument("--raw-errors", action="store_true", help="show raw errors (always the case here)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to output file instead of stdout (mode 0600)")
    parser.add_argument("-d", "--files-dir", metavar="DIR", help="allow embedding local files from this directory")
    parser.add_argument("input", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if len(args.input) > 1:
        parser.print_usage(sys.stderr)
        return 2
    if args.help:
        parser.print_help(sys.stdout)
        return 0
    if args.version:
        print("nestos-butane %s (nestos.lifecycle; variants: nestos 1.0.0, fcos 1.0.0-1.4.0)" % _version())
        return 0

    _bootstrap()
    from ansible_collections.nestos.lifecycle.plugins.module_utils.butane import ign
    from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.errors import ButaneError
    from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.translate import translate
    from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
    from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import atomic_write

    if args.input:
        filename = args.input[0]
        try:
            with open(filename, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            sys.stderr.write("failed to open %s: %s\n" % (filename, exc.strerror or exc))
            return 1
    else:
        filename = "<stdin>"
        data = sys.stdin.buffer.read()

    try:
        result = translate(data, files_dir=args.files_dir or None, pretty=args.pretty)
    except ButaneError as exc:
        for entry in ign.entries_of(exc.report):
            sys.stderr.write(ign.entry_text(entry) + "\n")
        sys.stderr.write("Error translating config: %s\n" % exc.reason)
        return 1
    for entry in ign.entries_of(result.report):
        sys.stderr.write(ign.entry_text(entry) + "\n")
    if args.strict and ign.entries_of(result.report):
        sys.stderr.write("Config produced warnings and --strict was specified\n")
        return 1
    if args.check:
        return 0
    out = result.output().encode("utf-8")
    if args.output:
        try:
            atomic_write(args.output, out, mode=0o600)
        except (OSError, NestosError) as exc:
            sys.stderr.write("failed to open %s: %s\n" % (args.output, getattr(exc, "strerror", None) or exc))
            return 1
    else:
        sys.stdout.buffer.write(out)
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
