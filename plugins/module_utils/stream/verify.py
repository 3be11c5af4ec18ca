# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verification and decompression of downloaded artifacts.

* :func:`gpg_verify` checks a detached OpenPGP signature with the real ``gpg``: the user's key
  file (armored or binary, one or more public keys, or a keyring) is imported into a fresh
  temporary GNUPGHOME, ``gpg --verify`` runs there with ``--trust-model always`` (the key file
  *is* the trust decision), and only a ``VALIDSIG`` status line counts as good;
  the temporary home is removed afterwards.
* :func:`decompress_file` decompresses xz, gzip or zstd (by magic bytes) into an open file with
  the collection's one decompressing reader (``decompress.py``), refusing output above ``limit``
  bytes (:data:`MAX_DECOMPRESSED_BYTES` by default).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import subprocess
import tempfile

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.stream import decompress

MAX_DECOMPRESSED_BYTES = decompress.DEFAULT_MAX_SIZE
MAX_KEY_BYTES = 1024 * 1024
GPG_TIMEOUT = 120

SUFFIXES = {".xz": "xz", ".gz": "gzip", ".zst": "zstd"}


def compression_of(path):
    """``"xz"``, ``"gzip"``, ``"zstd"`` or None, from the file's first bytes."""
    with open(path, "rb") as handle:
        return decompress.compression_of_head(handle.read(8))


def decompressed_name(name):
    """The file name without its compression suffix (``x.raw.xz`` -> ``x.raw``), as upstream names it."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[:-len(suffix)]
    return name


def decompress_file(path, out, limit=MAX_DECOMPRESSED_BYTES, digest=None):
    """Decompress ``path`` (xz/gzip/zstd by magic) into the open binary file ``out`` with the
    collection's one decompressing reader (``stream/decompress.py``).

    Returns the decompressed size; ``digest`` (a hashlib object) is fed the output. A corrupt or
    truncated stream, or output beyond ``limit`` bytes, is a NestosError naming ``path``.
    """
    total = 0
    with open(path, "rb") as handle:
        if decompress.compression_of_head(handle.read(8)) is None:
            raise NestosError("decompress was asked for but the file is not xz, gzip or zstd", file=path)
        for block in decompress.decompressed(handle, path, limit, field="max_decompressed_size"):
            total += len(block)
            if digest is not None:
                digest.update(block)
            out.write(block)
    return total


def _run_gpg(args, home, what, pass_fds=()):
    try:
        proc = subprocess.run(["gpg", "--homedir", home, "--batch", "--no-tty", "--no-autostart"] + args,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=GPG_TIMEOUT,
                              stdin=subprocess.DEVNULL, check=False, pass_fds=tuple(pass_fds))
    except FileNotFoundError:
        raise NestosError("gpg is not installed; it is needed to check signatures (or set insecure)")
    except subprocess.TimeoutExpired:
        raise NestosError("gpg %s timed out after %d s" % (what, GPG_TIMEOUT))
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def _check_key_file(keyring):
    try:
        size = os.path.getsize(keyring)
    except OSError as err:
        raise NestosError("cannot read the GPG key file: %s" % (err.strerror or err), file=keyring, path="gpg_keyring")
    if size == 0 or size > MAX_KEY_BYTES:
        raise NestosError("GPG key file is empty or larger than %d bytes" % MAX_KEY_BYTES, file=keyring,
                          path="gpg_keyring")


def gpg_verify(data_path, signature, keyring, label=None, data_fd=None):
    """Check the detached ``signature`` (bytes) of ``data_path`` against the keys in ``keyring``.

    ``data_fd``: an open descriptor of the data instead of a path (gpg reads ``/dev/fd/N``, the
    very file the caller opened, even if its path was replaced since).
    Returns the fingerprint that signed; a bad or unknown signature is a NestosError naming the
    file, with path ``signature``.
    """
    if data_fd is not None:
        data_path = "/dev/fd/%d" % data_fd
    _check_key_file(keyring)
    home = tempfile.mkdtemp(prefix="nestos-gpg-")
    try:
        os.chmod(home, 0o700)
        rc, dummy, err = _run_gpg(["--import", os.path.abspath(keyring)], home, "import")
        if rc != 0:
            raise NestosError("gpg could not import the key file: %s" % _last_line(err), file=keyring,
                              path="gpg_keyring")
        sig_path = os.path.join(home, "artifact.sig")
        with open(sig_path, "wb") as handle:
            handle.write(signature)
        rc, status, err = _run_gpg(["--status-fd", "1", "--trust-model", "always", "--verify", sig_path,
                                    os.path.abspath(data_path)], home, "verify",
                                   pass_fds=() if data_fd is None else (data_fd,))
        good = [line.split()[2] for line in status.splitlines() if line.startswith("[GNUPG:] VALIDSIG ")]
        if rc != 0 or not good:
            raise NestosError("signature check failed: %s" % _last_line(err), file=label or data_path,
                              path="signature")
        return good[0]
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "gpg gave no reason"
