# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Download planner and verifier: what to fetch, what to do about what is at ``dest``, and the
verified transfer itself.

Choosing: :func:`select_sources` takes a stream's format (every kind of it: a ``pxe`` format is
kernel, initramfs and rootfs) or :func:`direct_source` one URL with an optional sha256 and
signature URL.

Deciding (:func:`plan_download`), for each artifact and its final path:

* ``keep``   - a regular file is at the path and matches the expected sha256 (the
  ``uncompressed-sha256`` when decompressing), or nothing could verify it (no digest known:
  kept like Ansible's ``get_url`` keeps an unverifiable file) unless ``force``;
* ``resume`` - the hidden partial file ``.<name>.partial`` beside the path holds bytes of an
  earlier interrupted transfer: fetch the rest with ``Range: bytes=<size>-``; only when a sha256
  or a signature will check the joined file;
* ``fetch``  - everything else.

Transferring (:func:`run_download`): the body streams into the partial file while its sha256 is
computed (a resumed transfer first hashes the bytes it keeps). A server that answers a range
request with 200 restarts the file from byte 0; a 206 whose range does not start where asked also
restarts; a 416 whose length equals the partial's size means the partial is already complete.
A transfer error (timeout, reset, truncated body) keeps the partial for the next run to resume,
after ``retries`` immediate resumes. Then the sha256 is compared and the detached signature
checked with the real gpg (unless ``insecure``); a failure removes the partial, so nothing is left
at ``dest``. Then the partial is renamed onto the path (or decompressed into it atomically, with
the output's sha256 checked against ``uncompressed-sha256``). The destination rule of
``common/fileutil.py`` applies to the path and to the partial.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import posixpath
from typing import Callable, List, Optional, Tuple
from urllib.parse import unquote, urlparse

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import (
    AtomicFile, atomic_write, check_destination, sha256_file)
from ansible_collections.nestos.lifecycle.plugins.module_utils.stream import http, verify

PARTIAL_SUFFIX = ".partial"
MAX_SIGNATURE_BYTES = 64 * 1024
BLOCK = 1024 * 1024
_HEX = frozenset("0123456789abcdef")

Progress = Optional[Callable[[str, int, Optional[int]], None]]


class TransferError(NestosError):
    """A network problem during the body; the partial file is kept for a resume."""


class Source(object):
    """One artifact to fetch: URL, expected digests, detached signature URL."""

    __slots__ = ("url", "sha256", "signature_url", "uncompressed_sha256", "kind")

    def __init__(self, url, sha256=None, signature_url=None, uncompressed_sha256=None, kind=None):
        self.url = url
        self.sha256 = sha256
        self.signature_url = signature_url
        self.uncompressed_sha256 = uncompressed_sha256
        self.kind = kind

    @property
    def name(self):
        """The file name the URL ends with (what upstream saves it as)."""
        name = posixpath.basename(unquote(urlparse(self.url).path))
        if name in ("", ".", "..") or "/" in name or "\x00" in name:
            raise NestosError("cannot derive a file name from the URL %s; give dest as a file path" % self.url,
                              path="url")
        return name


class Step(object):
    """What :func:`plan_download` decided for one artifact."""

    __slots__ = ("source", "path", "partial", "action", "reason", "before", "offset", "decompress", "signature_data",
                 "signature_file")

    def __init__(self, source, path, partial, action, reason, before, offset, decompress):
        self.signature_data = None      # the detached signature, once fetched and checked
        self.signature_file = None      # with save_signature: "absent" or "present" (<path>.sig)
        self.source = source
        self.path = path
        self.partial = partial
        self.action = action
        self.reason = reason
        self.before = before
        self.offset = offset
        self.decompress = decompress

    def to_dict(self):
        return {"url": self.source.url, "path": self.path, "action": self.action, "reason": self.reason,
                "before": self.before or "absent", "resume_from": self.offset, "kind": self.source.kind}


class Options(object):
    """How to fetch and verify (the module's and the CLI's options)."""

    def __init__(self, insecure=False, gpg_keyring=None, decompress=False, force=False, timeout=http.DEFAULT_TIMEOUT,
                 validate_certs=True, retries=0, decompress_limit=verify.MAX_DECOMPRESSED_BYTES, progress=None,
                 save_signature=False):
        # type: (bool, Optional[str], bool, bool, float, bool, int, int, Progress, bool) -> None
        self.save_signature = save_signature    # keep <path>.sig beside a compressed artifact (upstream's CLI)
        self.insecure = insecure
        self.gpg_keyring = gpg_keyring
        self.decompress = decompress
        self.force = force
        self.timeout = timeout
        self.validate_certs = validate_certs
        self.retries = retries
        self.decompress_limit = decompress_limit
        self.progress = progress


def _digest(value, field):
    if value is None:
        return None
    value = value.strip().lower()
    if len(value) != 64 or not set(value) <= _HEX:
        raise NestosError("not a sha256 digest (64 hex digits)", path=field)
    return value


def direct_source(url, sha256=None, signature_url=None):
    # type: (str, Optional[str], Optional[str]) -> Source
    """A Source for a URL the user gave (sha256 and signature URL optional)."""
    if not url or not isinstance(url, str):
        raise NestosError("a URL is required", path="url")
    return Source(url, _digest(sha256, "sha256"), signature_url or None)


def select_sources(stream, architecture, platform, fmt):
    # type: (object, str, str, str) -> Tuple[str, List[Source]]
    """(release, Sources) of every kind of one format of a parsed stream, sorted by kind."""
    release, kinds = stream.select(architecture, platform, fmt)
    return release, [Source(art.location, art.sha256, art.signature, art.uncompressed_sha256, kind)
                     for kind, art in sorted(kinds.items())]


def partial_path(path):
    # type: (str) -> str
    """``<folder>/.<name>.partial``: where an unfinished transfer to ``path`` is kept."""
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.join(folder, "." + name + PARTIAL_SUFFIX)


def final_path(source, dest, count, decompress):
    # type: (Source, str, int, bool) -> str
    """The path an artifact is saved at: inside ``dest`` when it is a folder, else ``dest``."""
    if os.path.isdir(dest) and not os.path.islink(dest):
        name = source.name
        return os.path.join(dest, verify.decompressed_name(name) if decompress else name)
    if count > 1:
        raise NestosError("this format has %d artifacts; dest must be an existing folder" % count, file=dest,
                          path="dest")
    return dest


def _verifiable(source, opts):
    return bool(source.sha256 or (source.signature_url and not opts.insecure))


def check_policy(source, opts):
    """Refuse what cannot be verified as asked: a signature without a key, nothing to check."""
    if source.signature_url and not opts.insecure and not opts.gpg_keyring:
        raise NestosError("%s has a signature but no gpg_keyring was given to check it (or set insecure)"
                          % source.url, path="gpg_keyring")
    if not _verifiable(source, opts) and not opts.insecure:
        raise NestosError("nothing to verify %s with: give sha256 or signature_url, or set insecure" % source.url,
                          path="sha256")


def _expected_final(source, decompress):
    if not decompress:
        return source.sha256
    if verify.decompressed_name(source.name) != source.name:
        return source.uncompressed_sha256
    return source.sha256


def _partial_size(partial):
    if check_destination(partial) == "absent":
        return 0
    return os.path.getsize(partial)


def _saves_signature(source, opts):
    return bool(opts.save_signature and not opts.decompress and not opts.insecure and source.signature_url)


def plan_one(source, path, opts):
    # type: (Source, str, Options) -> Step
    """Decide keep / resume / fetch for one artifact (reads only local files)."""
    check_policy(source, opts)
    partial = partial_path(path)
    kind = check_destination(path)
    before = sha256_file(path) if kind == "file" else None
    expected = _expected_final(source, opts.decompress)
    step = Step(source, path, partial, "fetch", "absent", before, 0, opts.decompress)
    if _saves_signature(source, opts):
        step.signature_file = "present" if check_destination(path + ".sig") == "file" else "absent"
    if before is not None:
        if opts.force:
            step.reason = "force"
        elif expected and before == expected:
            step.action, step.reason = "keep", "sha256 matches"
            if step.signature_file == "absent":
                step.reason += "; %s.sig absent (save_signature)" % os.path.basename(path)
            return step
        elif not expected:
            step.action, step.reason = "keep", "present; no digest to compare it with (force refetches)"
            return step
        else:
            step.reason = "sha256 differs"
    size = _partial_size(partial)
    if size and _verifiable(source, opts):
        step.action, step.offset = "resume", size
        step.reason += "; resuming from byte %d" % size
    return step


def plan_download(sources, dest, opts):
    # type: (List[Source], str, Options) -> List[Step]
    """One Step per Source; dest is an existing folder, or a file path for a single artifact."""
    if not sources:
        raise NestosError("nothing to download")
    steps = [plan_one(src, final_path(src, dest, len(sources), opts.decompress), opts) for src in sources]
    paths = [s.path for s in steps]
    if len(set(paths)) != len(paths):
        raise NestosError("two artifacts would be saved under the same name in %s" % dest, file=dest, path="dest")
    return steps


def _hash_prefix(partial, offset):
    digest = hashlib.sha256()
    with open(partial, "rb") as handle:
        left = offset
        while left:
            block = handle.read(min(BLOCK, left))
            if not block:
                raise NestosError("partial file shrank while reading it", file=partial)
            digest.update(block)
            left -= len(block)
    return digest


def _range_answer(status, headers, offset, url):
    """Where the body starts: ``offset`` (206 as asked), 0 (restart) or None (416: already complete)."""
    if status == 416:
        cr = http.parse_content_range(headers.get("Content-Range") if headers else None, url)
        return None if cr.total == offset else 0
    if status == 206:
        cr = http.parse_content_range(headers.get("Content-Range"), url)
        return offset if cr.first == offset else 0
    if status == 200:
        return 0
    raise NestosError("fetching %s: unexpected HTTP status %s" % (url, status))


def _open_body(step, offset, opts):
    """(start, expected_total, response) or (None, None, None) when the partial is complete."""
    url = step.source.url
    status, headers, resp = http.open_url(url, offset, opts.timeout, opts.validate_certs)
    start = _range_answer(status, headers, offset, url) if offset else (0 if status == 200 else None)
    if start is None and not offset:
        resp.close()
        raise NestosError("fetching %s: unexpected HTTP status %s" % (url, status))
    if start is None:
        resp.close()
        return None, None, None
    if offset and start == 0 and status == 206:
        resp.close()  # a range we did not ask for: fetch it whole
        status, headers, resp = http.open_url(url, 0, opts.timeout, opts.validate_certs)
        if status != 200:
            resp.close()
            raise NestosError("fetching %s: unexpected HTTP status %s" % (url, status))
    length = http.parse_content_length(headers.get("Content-Length"), url)
    return start, (start + length if length is not None else None), resp


def _copy_body(resp, handle, digest, done, total, url, progress):
    while True:
        try:
            block = http.read_block(resp, BLOCK, url)
        except NestosError as err:
            raise TransferError(err.message, file=err.file)
        if not block:
            break
        handle.write(block)
        digest.update(block)
        done += len(block)
        if total is not None and done > total:
            raise TransferError("fetching %s: server sent more than the %d bytes it announced" % (url, total))
        if progress is not None:
            progress(url, done, total)
    if total is not None and done < total:
        raise TransferError("fetching %s: truncated body (%d of %d bytes); the partial file is kept to resume"
                            % (url, done, total))
    return done


def _transfer(step, offset, opts):
    """Fetch into the partial from ``offset``; returns (sha256 hex, size, bytes reused)."""
    check_destination(step.partial)
    start, total, resp = _open_body(step, offset, opts)
    if resp is None:
        return _hash_prefix(step.partial, offset).hexdigest(), offset, offset
    digest = _hash_prefix(step.partial, start) if start else hashlib.sha256()
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    with resp, os.fdopen(os.open(step.partial, flags, 0o644), "wb") as handle:
        handle.seek(start)
        handle.truncate(start)
        done = _copy_body(resp, handle, digest, start, total, step.source.url, opts.progress)
        handle.flush()
        os.fsync(handle.fileno())
    return digest.hexdigest(), done, start


def _transfer_with_retries(step, opts):
    """``_transfer``, resuming up to ``opts.retries`` times after a transfer error."""
    offset, attempt = step.offset, 0
    while True:
        try:
            return _transfer(step, offset, opts)
        except TransferError:
            if attempt >= opts.retries:
                raise
            attempt += 1
            offset = _partial_size(step.partial) if _verifiable(step.source, opts) else 0


def _discard(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _check_signature(step, path, opts):
    """``"verified"``, ``"skipped"`` (insecure) or ``"none"`` (the artifact has no signature)."""
    src = step.source
    if not src.signature_url:
        return "none"
    if opts.insecure:
        return "skipped"
    sig = http.fetch_bytes(src.signature_url, MAX_SIGNATURE_BYTES, opts.timeout, opts.validate_certs, "signature")
    verify.gpg_verify(path, sig, opts.gpg_keyring, label=src.url)
    step.signature_data = sig
    return "verified"


def _save_signature(step, opts):
    """``<path>.sig``, the checked signature, beside a compressed artifact (what upstream's
    ``download`` keeps unless it decompresses); rewritten only when it differs. Returns
    ``(path or None, changed)``."""
    if not _saves_signature(step.source, opts) or step.signature_data is None:
        return None, False
    sig_path = step.path + ".sig"
    if check_destination(sig_path) == "file" and os.path.getsize(sig_path) == len(step.signature_data):
        with open(sig_path, "rb") as handle:
            if handle.read() == step.signature_data:
                return sig_path, False
    atomic_write(sig_path, step.signature_data, mode=0o644)
    return sig_path, True


def _verify_partial(step, sha, opts):
    src = step.source
    if src.sha256 and sha != src.sha256:
        raise NestosError("sha256 mismatch: expected %s, got %s; the download was removed" % (src.sha256, sha),
                          file=src.url, path="sha256")
    return _check_signature(step, step.partial, opts)


def _install(step, sha, opts):
    """Move the verified partial onto the path (or decompress it there); returns the path's sha256."""
    check_destination(step.path)
    if step.decompress and verify.compression_of(step.partial) is not None:
        digest = hashlib.sha256()
        with AtomicFile(step.path, mode=0o644) as out:
            verify.decompress_file(step.partial, out, opts.decompress_limit, digest)
            expected = step.source.uncompressed_sha256
            if expected and digest.hexdigest() != expected:
                raise NestosError("uncompressed sha256 mismatch: expected %s, got %s" % (expected, digest.hexdigest()),
                                  file=step.source.url, path="uncompressed-sha256")
        _discard(step.partial)
        return digest.hexdigest()
    os.rename(step.partial, step.path)
    dirfd = os.open(os.path.dirname(step.path) or ".", os.O_RDONLY)
    try:
        os.fsync(dirfd)
    finally:
        os.close(dirfd)
    return sha


def _keep(step, opts):
    signature = "none"
    if step.source.signature_url and not step.decompress:
        try:
            signature = _check_signature(step, step.path, opts)
        except NestosError:
            return None  # the file is not what the signature covers: fetch it again
    sig_path, sig_changed = _save_signature(step, opts)
    return {"path": step.path, "url": step.source.url, "sha256": step.before, "size": os.path.getsize(step.path),
            "resumed": 0, "changed": sig_changed, "action": "keep", "signature": signature, "kind": step.source.kind,
            "before": step.before, "signature_path": sig_path}


def run_step(step, opts):
    # type: (Step, Options) -> dict
    """Carry out one Step; returns the artifact's result (path, url, sha256, size, resumed, changed)."""
    if step.action == "keep":
        kept = _keep(step, opts)
        if kept is not None:
            return kept
        step.action, step.reason = "fetch", "signature does not verify the present file"
    sha, size, resumed = _transfer_with_retries(step, opts)
    try:
        signature = _verify_partial(step, sha, opts)
        final_sha = _install(step, sha, opts)
    except BaseException:
        _discard(step.partial)
        raise
    sig_path, sig_changed = _save_signature(step, opts)
    return {"path": step.path, "url": step.source.url, "sha256": final_sha, "size": os.path.getsize(step.path),
            "resumed": resumed, "changed": final_sha != step.before or sig_changed, "action": step.action,
            "signature": signature, "kind": step.source.kind, "before": step.before, "signature_path": sig_path}


def run_download(steps, opts):
    # type: (List[Step], Options) -> List[dict]
    """Carry out every Step in order (stops at the first error)."""
    return [run_step(step, opts) for step in steps]


def fetch_stream(stream=None, base_url=None, url=None, timeout=http.DEFAULT_TIMEOUT, validate_certs=True):
    """(metadata URL, parsed Stream): ``url`` as given, or ``<base_url>/<stream>.json``."""
    from ansible_collections.nestos.lifecycle.plugins.module_utils.stream.metadata import (
        MAX_METADATA_BYTES, parse_stream, stream_url)
    if not url:
        url = stream_url(stream or "stable", base_url)
    data = http.fetch_bytes(url, MAX_METADATA_BYTES, timeout, validate_certs, "stream metadata")
    return url, parse_stream(data, url)
