# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stream metadata (the ``<stream>.json`` documents of stream-metadata-go's ``stream`` package).

Layout::

    {"stream": NAME, "metadata": {"last-modified": ..., "generator": ...},
     "architectures": {ARCH: {"artifacts": {PLATFORM: {"release": R,
         "formats": {FORMAT: {KIND: {"location", "signature", "sha256", "uncompressed-sha256"}}}}},
                             "images": {...}}}}

Reading never trusts the document: sizes, nesting and every field's type are checked and a
problem is a :class:`NestosError` naming the JSON path (``$.architectures.x86_64...``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

MAX_METADATA_BYTES = 32 * 1024 * 1024  # real documents are ~100 KiB
DEFAULT_BASE_URL = "https://builds.coreos.fedoraproject.org/streams/"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


class Artifact(object):
    """One downloadable file of a stream."""

    __slots__ = ("location", "signature", "sha256", "uncompressed_sha256")

    def __init__(self, location, signature=None, sha256=None, uncompressed_sha256=None):
        self.location = location
        self.signature = signature
        self.sha256 = sha256
        self.uncompressed_sha256 = uncompressed_sha256

    def to_dict(self):
        out = {"location": self.location, "signature": self.signature, "sha256": self.sha256}
        if self.uncompressed_sha256:
            out["uncompressed_sha256"] = self.uncompressed_sha256
        return out


class Stream(object):
    """A parsed stream: ``artifacts[arch][platform] = (release, {format: {kind: Artifact}})``."""

    def __init__(self, name, last_modified, artifacts):
        self.name = name
        self.last_modified = last_modified
        self.artifacts = artifacts

    def rows(self):
        """Sorted (architecture, platform, format) triples, what ``list-stream`` prints."""
        out = []
        for arch, platforms in self.artifacts.items():
            for platform, (dummy, formats) in platforms.items():
                for fmt in formats:
                    out.append((arch, platform, fmt))
        return sorted(out)

    def select(self, architecture, platform, fmt):
        """(release, {kind: Artifact}) of one format; errors list what the stream offers."""
        platforms = self.artifacts.get(architecture)
        if platforms is None:
            raise NestosError("stream %s has no architecture %s (it has: %s)"
                              % (self.name, architecture, ", ".join(sorted(self.artifacts)) or "none"))
        entry = platforms.get(platform)
        if entry is None:
            raise NestosError("stream %s has no platform %s for %s (it has: %s)"
                              % (self.name, platform, architecture, ", ".join(sorted(platforms)) or "none"))
        release, formats = entry
        if fmt not in formats:
            raise NestosError("stream %s has no format %s for %s %s (it has: %s)"
                              % (self.name, fmt, architecture, platform, ", ".join(sorted(formats)) or "none"))
        return release, formats[fmt]

    def to_dict(self):
        out = {}
        for arch, platforms in self.artifacts.items():
            for platform, (release, formats) in platforms.items():
                out.setdefault(arch, {})[platform] = {
                    "release": release,
                    "formats": dict((fmt, dict((kind, art.to_dict()) for kind, art in kinds.items()))
                                    for fmt, kinds in formats.items())}
        return {"stream": self.name, "last_modified": self.last_modified, "architectures": out}


def _object(value, path, source):
    if not isinstance(value, dict):
        raise NestosError("expected an object", file=source, path=path)
    return value


def _string(value, path, source, optional=False):
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value:
        raise NestosError("expected a non-empty string", file=source, path=path)
    return value


def _name(value, path, source):
    if not _NAME.match(value) or len(value) > 128:
        raise NestosError("not a valid name: %r" % value[:80], file=source, path=path)
    return value


def _artifact(value, path, source):
    value = _object(value, path, source)
    location = _string(value.get("location"), path + ".location", source)
    if not re.match(r"^(https?|file)://", location):
        raise NestosError("location must be an http(s) or file URL", file=source, path=path + ".location")
    digests = {}
    for key in ("sha256", "uncompressed-sha256"):
        digest = _string(value.get(key), "%s.%s" % (path, key), source, optional=key != "sha256")
        if digest is not None and not _SHA256.match(digest):
            raise NestosError("not a sha256 digest (64 lowercase hex digits)", file=source, path="%s.%s" % (path, key))
        digests[key] = digest
    return Artifact(location, _string(value.get("signature"), path + ".signature", source, optional=True),
                    digests["sha256"], digests["uncompressed-sha256"])


def _platform(value, path, source):
    value = _object(value, path, source)
    release = _string(value.get("release"), path + ".release", source)
    formats = {}
    for fmt, kinds in _object(value.get("formats"), path + ".formats", source).items():
        fpath = "%s.formats.%s" % (path, fmt)
        _name(fmt, fpath, source)
        formats[fmt] = dict((_name(kind, "%s.%s" % (fpath, kind), source),
                             _artifact(art, "%s.%s" % (fpath, kind), source))
                            for kind, art in _object(kinds, fpath, source).items())
    return release, formats


def parse_stream(data, source=None):
    """Parse a stream metadata document (bytes or str); returns a :class:`Stream`."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if len(data) > MAX_METADATA_BYTES:
        raise NestosError("stream metadata larger than %d bytes" % MAX_METADATA_BYTES, file=source)
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise NestosError("stream metadata is not JSON: %s" % err, file=source)
    doc = _object(doc, "$", source)
    name = _string(doc.get("stream"), "$.stream", source)
    meta = doc.get("metadata")
    last_modified = None
    if meta is not None:
        last_modified = _string(_object(meta, "$.metadata", source).get("last-modified"),
                                "$.metadata.last-modified", source, optional=True)
    artifacts = {}
    for arch, body in _object(doc.get("architectures"), "$.architectures", source).items():
        apath = "$.architectures.%s" % arch
        _name(arch, apath, source)
        platforms = _object(_object(body, apath, source).get("artifacts", {}), apath + ".artifacts", source)
        artifacts[arch] = dict((_name(p, "%s.artifacts.%s" % (apath, p), source),
                                _platform(v, "%s.artifacts.%s" % (apath, p), source)) for p, v in platforms.items())
    return Stream(name, last_modified, artifacts)


def stream_url(stream, base_url=None):
    """``<base>/<stream>.json`` (the base as given ends the path, like upstream's URL join)."""
    from urllib.parse import urljoin
    _name(stream, "stream", None)
    return urljoin(base_url or DEFAULT_BASE_URL, stream + ".json")


def format_rows(rows):
    """``list-stream``'s table: header row, two-space gaps, last column unpadded."""
    table = [("Architecture", "Platform", "Format")] + list(rows)
    one = max(len(r[0]) for r in table)
    two = max(len(r[1]) for r in table)
    return "".join("%s  %s  %s\n" % (a.ljust(one), p.ljust(two), f) for a, p, f in table)
