# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Grammar of ``nestos-installer`` / ``coreos-installer``: the command tree, clap-like help and
usage errors, and dispatch to the handler of the one command asked for.

Start-up is kept small: only this module and argparse load before the command is known, and
only the handler module of that command (with the engine modules it needs) loads after.

Exit codes as upstream: 0 success, 1 an error (``Error: ...`` on stderr), 2 bad usage.
"""

import os
import sys

from nestos_installer.grammar import COMMON_CUSTOMIZE, ROOT

EXIT_ERROR = 1
EXIT_USAGE = 2


class Context(object):
    """What a handler needs to know about how it was called."""

    def __init__(self, argv0):
        name = os.path.basename(argv0 or "nestos-installer")
        self.name = "coreos-installer" if name.startswith("coreos-installer") else "nestos-installer"
        self.flavour = "coreos" if self.name == "coreos-installer" else "nestos"


def _version():
    from nestos_installer import ROOT as top
    try:
        with open(os.path.join(top, "galaxy.yml")) as handle:
            for line in handle:
                if line.startswith("version:"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _usage_error(prog, message, usage):
    sys.stderr.write("error: %s\n\nUsage: %s\n\nFor more information, try '--help'.\n" % (message, usage))
    return EXIT_USAGE


def _options_rows(args):
    rows = []
    for flags, opts in args:
        if opts.get("hidden") or not flags[0].startswith("-"):
            continue
        short = [f for f in flags if not f.startswith("--")]
        longs = [f for f in flags if f.startswith("--")]
        text = ", ".join(short + longs) if short else "    " + ", ".join(longs)
        if opts.get("metavar"):
            text += " <%s>" % opts["metavar"]
        help_text = opts.get("help", "")
        if opts.get("default") not in (None, False, []) and opts.get("action") not in ("store_true",):
            help_text += " [default: %s]" % opts["default"]
        rows.append((text, help_text))
    rows.append(("-h, --help", "Print help"))
    return rows


def _table(rows):
    width = max(len(r[0]) for r in rows) + 2
    return "".join("  %s%s\n" % (left.ljust(width), right) for left, right in rows)


def _positionals(args):
    return [(opts.get("metavar"), opts) for flags, opts in args if not flags[0].startswith("-")]


def leaf_usage(prog, args):
    parts = [prog, "[OPTIONS]"]  # -h/--help at least
    for flags, opts in args:
        if flags[0].startswith("-") and opts.get("required"):
            parts.append("%s <%s>" % ([f for f in flags if f.startswith("--")][0], opts["metavar"]))
    for metavar, opts in _positionals(args):
        nargs = opts.get("nargs")
        if nargs == "*":
            parts.append("[%s]..." % metavar)
        elif nargs == "?":
            parts.append("[%s]" % metavar)
        else:
            parts.append("<%s>" % metavar)
    return " ".join(parts)


def leaf_help(prog, leaf):
    args = leaf["args"]
    out = ["%s\n\nUsage: %s\n" % (leaf["about"], leaf_usage(prog, args))]
    pos = _positionals(args)
    if pos:
        rows = []
        for metavar, opts in pos:
            help_text = opts.get("help", "")
            if opts.get("default") not in (None, []):
                help_text += " [default: %s]" % opts["default"]
            rows.append(("[%s]" % metavar if opts.get("nargs") in ("?", "*") else "<%s>" % metavar, help_text))
        out.append("\nArguments:\n" + _table(rows))
    out.append("\nOptions:\n" + _table(_options_rows(args)))
    if leaf.get("long"):
        out.append("\n" + leaf["long"].rstrip("\n") + "\n")
    return "".join(out)


def group_help(prog, group, root=False):
    rows = [(name, node["about"]) for name, node in group["children"] if not node.get("hidden")]
    opts = [("-h, --help", "Print help")]
    if root:
        opts.append(("-V, --version", "Print version"))
    return ("%s\n\nUsage: %s <COMMAND>\n\nCommands:\n%s\nOptions:\n%s"
            % (group["about"], prog, _table(rows), _table(opts)))


def _build_parser(prog, args):
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message):
            sys.exit(_usage_error(prog, message, leaf_usage(prog, args)))

    parser = Parser(prog=prog, add_help=False, allow_abbrev=False)
    for flags, opts in args:
        kwargs = dict((k, v) for k, v in opts.items() if k not in ("hidden",))
        if not flags[0].startswith("-"):
            kwargs.pop("metavar", None)
            parser.add_argument(flags[0], **kwargs)
        else:
            parser.add_argument(*flags, **kwargs)
    return parser


def _wants_help(argv):
    for arg in argv:
        if arg == "--":
            return False
        if arg in ("-h", "--help"):
            return True
    return False


def _find(argv, ctx):
    """Walk the command tree; returns (leaf, its prog, remaining argv) or an exit code."""
    node, prog, pos = ROOT, ctx.name, 0
    while "children" in node:
        word = argv[pos] if pos < len(argv) else None
        if word in ("-h", "--help"):
            sys.stdout.write(group_help(prog, node, node is ROOT))
            return 0
        if node is ROOT and word in ("-V", "--version"):
            sys.stdout.write("%s %s (nestos.lifecycle)\n" % (ctx.name, _version()))
            return 0
        if word is None:
            sys.stderr.write(group_help(prog, node, node is ROOT))
            return EXIT_USAGE
        children = dict(node["children"])
        if word not in children:
            what = "unexpected argument" if word.startswith("-") else "unrecognized subcommand"
            return _usage_error(prog, "%s '%s' found" % (what, word), "%s <COMMAND>" % prog)
        node, prog, pos = children[word], "%s %s" % (prog, word), pos + 1
    return node, prog, argv[pos:]


def main(argv=None, argv0=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    ctx = Context(argv0 if argv0 is not None else sys.argv[0])
    found = _find(argv, ctx)
    if isinstance(found, int):
        return found
    leaf, prog, rest = found
    if _wants_help(rest):
        sys.stdout.write(leaf_help(prog, leaf))
        return 0
    args = _build_parser(prog, leaf["args"]).parse_args(rest)
    for check in leaf.get("conflicts", ()):
        if all(getattr(args, dest) for dest in check):
            return _usage_error(prog, "the argument '--%s' cannot be used with '--%s'"
                                % tuple(d.replace("_", "-") for d in check), leaf_usage(prog, leaf["args"]))
    return run(leaf, args, ctx)


def run(leaf, args, ctx):
    """Call the handler; turn every failure into ``Error: ...`` and exit code 1."""
    import importlib
    module_name, func_name = leaf["handler"].split(":")
    if leaf.get("sigpipe"):
        import signal
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # die quietly on a closed pipe, like upstream
    from nestos_installer import bootstrap
    bootstrap()
    from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
    try:
        handler = getattr(importlib.import_module("nestos_installer." + module_name), func_name)
        code = handler(args, ctx)
        sys.stdout.flush()
        return code or 0
    except NestosError as err:
        return _error(_flavoured(str(err), ctx))
    except BrokenPipeError:
        return _error("writing output: Broken pipe")
    except (IOError, OSError) as err:
        where = " %s" % err.filename if getattr(err, "filename", None) else ""
        return _error("%s%s" % (err.strerror or err, where and ":" + where))
    except KeyboardInterrupt:
        return 130
    except MemoryError:
        return _error("out of memory")


def _flavoured(text, ctx):
    """As coreos-installer, an image whose flavour could not be told is called a CoreOS image
    (the engine guesses NestOS when an image has no metadata folder)."""
    if ctx.flavour == "coreos":
        for phrase in ("Unrecognized NestOS ISO image", "old or corrupted NestOS ISO image"):
            text = text.replace(phrase, phrase.replace("NestOS", "CoreOS"))
    return text


def _error(text):
    try:
        sys.stdout.flush()
    except (IOError, OSError):
        pass
    sys.stderr.write("Error: %s\n" % text)
    return EXIT_ERROR


COMMON = COMMON_CUSTOMIZE  # re-exported for the tests of the grammar
