# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input and output rules every subcommand shares.

* ``-o -`` streams to stdout and, like upstream, refuses a terminal;
* ``-o FILE`` never replaces anything: an existing file is refused (upstream's
  ``persist_noclobber``) and so is anything the destination rule forbids (symlink, device,
  FIFO, folder), checked before any work is done; the file is written beside its
  destination and renamed into place, so an error leaves nothing behind;
* no ``-o``: the ISO is edited in place (only the bytes that change are written);
* Ignition input is validated by the collection's Ignition engine.
"""

import os
import sys

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

ISO_OUTPUT_MODE = 0o600  # upstream's temp files are 0600 and are renamed into place as they are


def warn(text):
    sys.stderr.write(text.rstrip("\n") + "\n")


def binary_stdout():
    """The binary stdout; refuses a terminal like upstream."""
    if os.isatty(1):
        raise NestosError("Refusing to write binary data to terminal")
    return sys.stdout.buffer


def read_path(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except (IOError, OSError) as err:
        raise NestosError("reading %s: %s" % (path, err.strerror or err))


def read_stdin():
    try:
        return sys.stdin.buffer.read()
    except (IOError, OSError) as err:
        raise NestosError("reading stdin: %s" % (err.strerror or err))


def read_path_or_stdin(path):
    return read_path(path) if path is not None else read_stdin()


def validate_ignition(data, label):
    """Check an Ignition config with the Ignition engine; warnings go to stderr as upstream words them."""
    from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.parse import load_and_validate
    dummy, report = load_and_validate(data, source=label)
    for entry in report:
        if entry.kind == "warning":
            warn("Warning parsing %s: %s" % (label, entry.format()))
    return data


def check_new_output(path):
    """Destination rule for ``-o FILE``: only a path where nothing exists yet."""
    from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import check_destination
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise NestosError("output folder does not exist; create it first", file=folder)
    if check_destination(path) == "file":
        raise NestosError("persisting output file to %s: File exists (files are never overwritten; remove it first)"
                          % path)


def write_iso(plan, output):
    """Write an ISO plan: in place (``None``), to stdout (``-``) or to a new file."""
    from ansible_collections.nestos.lifecycle.plugins.module_utils.live import api
    if output is None:
        api.apply_plan(plan)
    elif output == "-":
        api.apply_plan(plan, stream=binary_stdout())
    else:
        check_new_output(output)
        api.apply_plan(plan, output=output, clobber=False, mode=ISO_OUTPUT_MODE)


def write_new_bytes(path, data, mode=0o600):
    """``-o FILE`` for generated data (PXE images): atomic, destination rule, replaces a regular file."""
    from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import atomic_write
    atomic_write(path, data, mode=mode)


def create_exclusive(path, data, mode=0o600):
    """Create ``path`` (never replacing anything); upstream's ``create_new``."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except (IOError, OSError) as err:
        raise NestosError("opening %s: %s" % (path, err.strerror or err))
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def open_iso(path):
    """The format module's reader (not api.open_iso: api pulls in customize and YAML, which
    read-only commands do not need and whose import would double their start-up)."""
    from ansible_collections.nestos.lifecycle.plugins.module_utils.live.iso import LiveIso
    return LiveIso(path)
