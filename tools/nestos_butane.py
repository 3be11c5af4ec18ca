# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""nestos-butane: the collection's Butane engine with upstream butane's command line.

    nestos-butane [-p] [-s] [-c] [-d DIR] [-o FILE] [INPUT]

Reads INPUT (or stdin), prints the report to stderr (one `<kind> at <path>, line L col C: msg`
line per entry) and the Ignition JSON plus a newline to stdout or FILE. Exit codes as upstream:
0 success, 1 translation failure / --strict with warnings / unreadable input or unwritable
output, 2 bad usage.

Start-up matters (one process per config in scripts): the common flags are read by a small
parser; argparse is only imported to print the help or a usage error.
"""

import os
import sys

if sys.dont_write_bytecode and sys.pycache_prefix is None:
    # Compiling the engine from source costs more than the whole translation. With
    # PYTHONDONTWRITEBYTECODE set (CI images do), keep the bytecode out of the checkout, in the
    # user's cache folder, instead of compiling on every run. (tools/nestos-butane starts through
    # nestos_butane_start.py, which does the same before importing this module.)
    sys.pycache_prefix = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                                      "nestos-lifecycle", "pycache")
    sys.dont_write_bytecode = False

_FLAGS = {"-c": "check", "--check": "check", "-s": "strict", "--strict": "strict", "-p": "pretty",
          "--pretty": "pretty", "-r": "raw", "--raw": "raw", "--raw-errors": "raw_errors", "-h": "help",
          "--help": "help", "-V": "version", "--version": "version"}
_VALUES = {"-o": "output", "--output": "output", "-d": "files_dir", "--files-dir": "files_dir"}


class UsageError(Exception):
    pass


def _bootstrap():
    """Make the collection importable as ansible_collections.nestos.lifecycle from this checkout
    (or installed collection: this file lives in its tools folder). No import is tried first:
    a failed search of every path entry costs more than setting up the three packages."""
    root = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    module_type = type(sys)     # types.ModuleType without importing types
    for name, path in (("ansible_collections", None), ("ansible_collections.nestos", None),
                       ("ansible_collections.nestos.lifecycle", root)):
        if name in sys.modules and path is None:
            continue
        module = module_type(name)
        module.__path__ = [path] if path else []
        sys.modules[name] = module
        parent, _sep, child = name.rpartition(".")
        if parent:
            setattr(sys.modules[parent], child, module)


def _version():
    root = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    try:
        with open(os.path.join(root, "galaxy.yml")) as handle:
            for line in handle:
                if line.startswith("version:"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _argparser():
    import argparse

    parser = argparse.ArgumentParser(
        prog="nestos-butane", add_help=False, usage="%(prog)s [options] [input-file]",
        description="Translate a Butane config (variant nestos 1.0.0, fcos 1.0.0-1.4.0) to Ignition.")
    parser.add_argument("-h", "--help", action="store_true", help="show usage and exit")
    parser.add_argument("-V", "--version", action="store_true", help="print the version and exit")
    parser.add_argument("-c", "--check", action="store_true", help="check config without producing output")
    parser.add_argument("-s", "--strict", action="store_true", help="fail on any warning")
    parser.add_argument("-p", "--pretty", action="store_true", help="output formatted json")
    parser.add_argument("-r", "--raw", action="store_true",
                        help="never wrap in a MachineConfig; force Ignition output (always the case here)")
    parser.add_argument("--raw-errors", action="store_true", help="show raw errors (always the case here)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write to output file instead of stdout (mode 0600; a character device such as "
                             "/dev/stdout is written through, anything else but a regular file is refused)")
    parser.add_argument("-d", "--files-dir", metavar="DIR", help="allow embedding local files from this directory")
    parser.add_argument("input", nargs="?", help="Butane config (default: stdin)")
    return parser


def parse_args(argv):
    """``(options dict, inputs list)``; raises UsageError on an unknown flag or a missing value."""
    opts = dict((name, False) for name in _FLAGS.values())
    opts.update(output=None, files_dir=None)
    inputs = []
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--":
            inputs.extend(args)
            break
        if arg.startswith("--") and "=" in arg:
            name, value = arg.split("=", 1)
            if name not in _VALUES:
                raise UsageError("unknown flag: %s" % name)
            opts[_VALUES[name]] = value
        elif arg in _FLAGS:
            opts[_FLAGS[arg]] = True
        elif arg in _VALUES:
            if not args:
                raise UsageError("flag needs an argument: %s" % arg)
            opts[_VALUES[arg]] = args.pop(0)
        elif arg.startswith("-") and len(arg) > 1:
            if arg.startswith("--") or arg[:2] not in _FLAGS and arg[:2] not in _VALUES:
                raise UsageError("unknown flag: %s" % arg)
            if arg[:2] in _VALUES:           # -oFILE, -dDIR
                opts[_VALUES[arg[:2]]] = arg[2:]
            else:                            # -ps: several short flags
                args.insert(0, "-" + arg[2:])
                opts[_FLAGS[arg[:2]]] = True
        else:
            inputs.append(arg)
    return opts, inputs


def _usage_error(message):
    _argparser().print_usage(sys.stderr)
    sys.stderr.write("nestos-butane: %s\n" % message)
    return 2


def _read_input(filename):
    from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
    from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.limits import (
        MAX_CONFIG_BYTES, read_config_file)

    if filename is None:
        data = sys.stdin.buffer.read(MAX_CONFIG_BYTES + 1)
        if len(data) > MAX_CONFIG_BYTES:
            raise NestosError("config is more than the limit of %d bytes" % MAX_CONFIG_BYTES, file="<stdin>")
        return data
    return read_config_file(filename, what="config")


def _write_output(path, data):
    """Write ``data`` to ``path`` by the collection's destination rule: a regular file is
    replaced atomically (mode 0600); a character device (or a symlink to one, as /dev/stdout)
    is written through, never replaced; a FIFO, socket, folder or block device is refused."""
    from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import (
        atomic_write, check_destination)

    if check_destination(path, write_through=True) == "device" and \
            check_destination(os.path.realpath(path), write_through=True) == "device":
        import stat

        if not stat.S_ISCHR(os.stat(path).st_mode):
            from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

            raise NestosError("destination is a block device; refusing to write a config onto a disk", file=path)
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        return
    atomic_write(path, data, mode=0o600)


def _report(entries):
    for entry in entries:
        sys.stderr.write(entry.format() + "\n")


def run(opts, inputs, own_process=False):
    """Translate as the flags say; ``own_process``: this process does nothing else, so PyYAML's
    parser may be loaded alone (see plugins/module_utils/butane/libyaml.py)."""
    _bootstrap()
    if own_process:
        from ansible_collections.nestos.lifecycle.plugins.module_utils.butane import libyaml

        libyaml.light_load()
    from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.errors import ButaneError
    from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.to_ignition import translate
    from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

    filename = inputs[0] if inputs else None
    try:
        data = _read_input(filename)
    except NestosError as exc:
        sys.stderr.write("failed to open %s: %s\n" % (filename or "<stdin>", exc.message))
        return 1
    try:
        result = translate(data, files_dir=opts["files_dir"] or None, pretty=opts["pretty"])
    except ButaneError as exc:
        _report(exc.report or ())
        sys.stderr.write("Error translating config: %s\n" % exc.reason)
        return 1
    _report(result.report)
    if opts["strict"] and len(result.report):
        sys.stderr.write("Config produced warnings and --strict was specified\n")
        return 1
    if opts["check"]:
        return 0
    out = result.output().encode("utf-8")
    try:
        if opts["output"]:
            _write_output(opts["output"], out)
        else:
            sys.stdout.buffer.write(out)
            sys.stdout.flush()
    except (OSError, NestosError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        sys.stderr.write("failed to write %s: %s\n" % (opts["output"] or "<stdout>", reason))
        return 1
    return 0


def main(argv=None, own_process=False):
    try:
        opts, inputs = parse_args(sys.argv[1:] if argv is None else argv)
    except UsageError as exc:
        return _usage_error(str(exc))
    if len(inputs) > 1:
        return _usage_error("too many input files: %s" % " ".join(inputs))
    if opts["help"]:
        _argparser().print_help(sys.stdout)
        return 0
    if opts["version"]:
        print("nestos-butane %s (nestos.lifecycle; variants: nestos 1.0.0, fcos 1.0.0-1.4.0)" % _version())
        return 0
    return run(opts, inputs, own_process)


if __name__ == "__main__":
    sys.exit(main(own_process=True))
