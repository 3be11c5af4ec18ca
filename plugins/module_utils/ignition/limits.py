# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Limits on what the Ignition and Butane engines read, and the checks that apply them.

Every limit is documented in docs/ignition.md and docs/butane.md ("Limits"):

- :data:`MAX_CONFIG_BYTES`: a Butane or Ignition config read from a file, stdin or a
  module option (64 MiB; NestOS configs are kilobytes, big payloads belong in ``local`` files
  or remote sources);
- :data:`MAX_LOCAL_BYTES`: all ``local`` files and ``storage.trees`` files one Butane config
  embeds, together (256 MiB);
- :data:`MAX_NESTING`: nesting of YAML/JSON collections (10,000, Go yaml.v3's and
  encoding/json's own limit);
- :data:`MAX_INT_DIGITS`: digits of an integer literal taken as a number (4,300, Python's
  own limit for decimal conversion; a longer literal is out of any Ignition field's range
  and is read as an out-of-range number, as Go reads it);
- :data:`MAX_EXPANDED_BYTES`: text a YAML document may reach through aliases (64 MiB);
- :data:`MAX_PY_NESTING`: nesting of a config handed over as Python objects (512).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

MiB = 1 << 20
MAX_CONFIG_BYTES = 64 * MiB
MAX_LOCAL_BYTES = 256 * MiB
MAX_NESTING = 10000
MAX_INT_DIGITS = 4300
MAX_EXPANDED_BYTES = 64 * MiB
# Nesting of a config handed over as Python objects (walked recursively; Ansible variables
# and Butane/Ignition configs nest a dozen levels).
MAX_PY_NESTING = 512
_MAX_INT_BITS = int(MAX_INT_DIGITS * 3.3219)  # 10 ** 4300 < 2 ** 14284


def read_config_file(path: str, what: str = "config", limit: int | None = None) -> bytes:
    """The bytes of a config file, refusing anything but a regular file (a FIFO would block)
    and more than ``limit`` bytes.

    :raises NestosError: naming the file.
    """
    import os
    import stat

    limit = MAX_CONFIG_BYTES if limit is None else limit
    if "\0" in str(path):
        raise NestosError("%s path holds a NUL character" % what, file=repr(str(path)))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError) as exc:
        raise NestosError("cannot read %s: %s" % (what, getattr(exc, "strerror", None) or exc), file=str(path))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NestosError("cannot read %s: not a regular file" % what, file=str(path))
        if st.st_size > limit:
            raise NestosError("%s is %d bytes, more than the limit of %d bytes" % (what, st.st_size, limit),
                              file=str(path))
        chunks = []
        total = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise NestosError("%s is more than the limit of %d bytes" % (what, limit), file=str(path))
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise NestosError("cannot read %s: %s" % (what, exc.strerror or exc), file=str(path))
    finally:
        os.close(fd)


def check_size(data, what: str = "config", limit: int | None = None, file: str | None = None) -> None:
    """Refuse text or bytes longer than ``limit`` (default MAX_CONFIG_BYTES)."""
    limit = MAX_CONFIG_BYTES if limit is None else limit
    if data is not None and len(data) > limit:
        raise NestosError("%s is %d %s long, more than the limit of %d bytes"
                          % (what, len(data), "characters" if isinstance(data, str) else "bytes", limit),
                          file=file)


def first_surrogate(text: str) -> int:
    """Index of the first lone surrogate (U+D800-U+DFFF) in ``text``, -1 when there is none."""
    try:
        text.encode("utf-8")
        return -1
    except UnicodeEncodeError as exc:
        return exc.start


def plain_data(value, what: str = "value"):
    """``value`` as plain JSON/YAML data (dict with str keys, list, str, int, float, bool,
    None), for configs handed over as Python objects (Ansible variables, the Python API).

    Subclasses become their base types; tuples become lists.

    :raises NestosError: naming the field path of a set, complex number, bytes, a non-string
        key, a self-reference, a lone surrogate or an integer longer than MAX_INT_DIGITS.
    """
    return _plain(value, what, set(), 0)


def _plain(value, path, active, depth):
    if depth > MAX_PY_NESTING:
        raise NestosError("nested more than %d levels deep" % MAX_PY_NESTING, path=path)
    if value is None or isinstance(value, bool):
        return value if value is None else bool(value)
    if isinstance(value, str):
        bad = first_surrogate(value)
        if bad >= 0:
            raise NestosError("text holds a lone surrogate (U+%04X) at character %d; it is not valid Unicode"
                              % (ord(value[bad]), bad), path=path)
        return str.__str__(value)
    if isinstance(value, int):
        if value.bit_length() > _MAX_INT_BITS:
            raise NestosError("integer has more than %d digits" % MAX_INT_DIGITS, path=path)
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, (dict, list, tuple)):
        if id(value) in active:
            raise NestosError("the value contains itself (a self-reference)", path=path)
        active.add(id(value))
        try:
            if isinstance(value, dict):
                out = {}
                for key, item in value.items():
                    if not isinstance(key, str):
                        raise NestosError("keys must be strings, not %s (%r)" % (type(key).__name__, key), path=path)
                    name = _plain(key, path, active, depth + 1)
                    out[name] = _plain(item, "%s.%s" % (path, name), active, depth + 1)
                return out
            return [_plain(item, "%s.%d" % (path, i), active, depth + 1) for i, item in enumerate(value)]
        finally:
            active.discard(id(value))
    raise NestosError("a %s is not a JSON/YAML value (use a string, number, boolean, list or dictionary)"
                      % type(value).__name__, path=path)


__all__ = ["MAX_CONFIG_BYTES", "MAX_LOCAL_BYTES", "MAX_NESTING", "MAX_INT_DIGITS", "MAX_EXPANDED_BYTES",
           "MAX_PY_NESTING",
           "read_config_file", "check_size", "first_surrogate", "plain_data"]
