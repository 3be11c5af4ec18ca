# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rebase targets as rpm-ostree understands them: container image references and
classic ostree refspecs, parsed into one normalized shape so that two spellings of
the same target compare equal.

Container forms (rpm-ostree / ostree-ext, see reference/hosts-and-updates.md 2.2)::

    ostree-unverified-registry:IMG              == ostree-unverified-image:registry:IMG
    ostree-unverified-image:TRANSPORT:REF       (registry:, docker://, oci:, oci-archive:,
                                                 containers-storage:, dir:)
    ostree-remote-registry:REMOTE:IMG           == ostree-remote-image:REMOTE:registry:IMG
    ostree-remote-image:REMOTE:TRANSPORT:REF
    ostree-image-signed:TRANSPORT:REF

Classic forms: ``REMOTE:REF``, ``REF``, ``/path/to/repo:REF``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

# signature policies
UNVERIFIED = "unverified"
REMOTE = "remote"
SIGNED = "signed"
POLICIES = (SIGNED, REMOTE, UNVERIFIED)

# transports (canonical names)
REGISTRY = "registry"
OCI = "oci"
OCI_ARCHIVE = "oci-archive"
CONTAINERS_STORAGE = "containers-storage"
DIR = "dir"
TRANSPORTS = (REGISTRY, OCI, OCI_ARCHIVE, CONTAINERS_STORAGE, DIR)

# spelling on input -> canonical transport; longest prefixes first
_TRANSPORT_PREFIXES = (
    ("docker://", REGISTRY),
    ("registry:", REGISTRY),
    ("oci-archive:", OCI_ARCHIVE),
    ("oci:", OCI),
    ("containers-storage:", CONTAINERS_STORAGE),
    ("dir:", DIR),
)

_DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
_REMOTE_NAME_RE = re.compile(r"^[A-Za-z0-9._-]+$")
_IMAGE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$")


class ImageRef(object):
    """A parsed rebase target.

    ``kind`` is ``container`` or ``ostree``. For containers: ``policy`` (signed, remote,
    unverified), ``remote`` (ostree remote name for the remote policy), ``transport``,
    ``name`` (the image without transport, with tag and/or digest), ``digest``
    (``sha256:…`` when the name pins one) and ``tag``. For classic refs: ``remote`` and
    ``ref``.
    """

    def __init__(self, kind, original, policy=None, remote=None, transport=None, name=None, ref=None):
        self.kind = kind
        self.original = original
        self.policy = policy
        self.remote = remote
        self.transport = transport
        self.name = name
        self.ref = ref
        self.repository, self.tag, self.digest = _split_name(name) if name is not None else (None, None, None)

    @property
    def is_container(self):
        return self.kind == "container"

    def canonical(self):
        """The spelling rpm-ostree prints in ``container-image-reference`` / ``origin``."""
        if not self.is_container:
            return "%s:%s" % (self.remote, self.ref) if self.remote else self.ref
        if self.policy == UNVERIFIED and self.transport == REGISTRY:
            return "ostree-unverified-registry:%s" % self.name
        imgref = "%s%s" % ("docker://" if self.transport == REGISTRY else self.transport + ":", self.name)
        if self.policy == UNVERIFIED:
            return "ostree-unverified-image:%s" % imgref
        if self.policy == REMOTE:
            return "ostree-remote-image:%s:%s" % (self.remote, imgref)
        return "ostree-image-signed:%s" % imgref

    def key(self):
        """Identity used to decide whether two references name the same target."""
        if not self.is_container:
            return ("ostree", self.remote, self.ref)
        return ("container", self.policy, self.remote, self.transport, self.name)

    def same_image(self, other):
        """Same image name (repository + tag/digest) and transport, whatever the policy."""
        return other is not None and other.is_container and self.is_container and \
            (self.transport, self.name) == (other.transport, other.name)

    def with_digest(self, digest):
        """A copy pinned to ``digest`` (replaces a tag or an existing digest)."""
        if not self.is_container:
            raise NestosError("a digest can only pin a container image reference", path="digest")
        check_digest(digest)
        return ImageRef("container", self.original, policy=self.policy, remote=self.remote,
                        transport=self.transport, name="%s@%s" % (self.repository, digest))

    def as_dict(self):
        out = {"kind": self.kind, "original": self.original, "canonical": self.canonical()}
        if self.is_container:
            out.update(policy=self.policy, remote=self.remote, transport=self.transport, name=self.name,
                       repository=self.repository, tag=self.tag, digest=self.digest)
        else:
            out.update(remote=self.remote, ref=self.ref)
        return out

    def __eq__(self, other):
        return isinstance(other, ImageRef) and self.key() == other.key()

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self.key())

    def __repr__(self):
        return "ImageRef(%r)" % self.canonical()


def check_digest(digest, path="digest"):
    if not isinstance(digest, str) or not _DIGEST_RE.match(digest):
        raise NestosError("%r is not a digest; expected sha256: followed by 64 lowercase hex digits"
                          % (digest,), path=path)
    return digest


def _split_name(name):
    """``host:5000/ns/img:tag@sha256:x`` -> (``host:5000/ns/img``, ``tag``, ``sha256:x``)."""
    digest = None
    rest = name
    if "@" in rest:
        rest, digest = rest.split("@", 1)
    tag = None
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > slash:
        rest, tag = rest[:colon], rest[colon + 1:]
    return rest, tag, digest


def _parse_transport(text, field):
    for prefix, transport in _TRANSPORT_PREFIXES:
        if text.startswith(prefix):
            name = text[len(prefix):]
            if not name:
                raise NestosError("image reference %r has no image after %r" % (text, prefix), path=field)
            if transport == REGISTRY:
                _check_registry_name(name, field)
            return transport, name
    raise NestosError("image reference %r has no known transport; use one of docker://, registry:, oci:, "
                      "oci-archive:, containers-storage:, dir:" % (text,), path=field)


def _check_registry_name(name, field):
    if not _IMAGE_RE.match(name) or name.endswith((":", "@", "/")):
        raise NestosError("%r is not a valid registry image name (expected host/path[:tag][@sha256:...])"
                          % (name,), path=field)
    if "@" in name:
        check_digest(name.split("@", 1)[1], path=field)


def parse(text, field="ref"):
    """Parse any rebase target rpm-ostree accepts. Raises NestosError naming ``field``."""
    if not isinstance(text, str) or not text.strip():
        raise NestosError("an image reference or ostree ref is required", path=field)
    text = text.strip()
    if any(c.isspace() for c in text):
        raise NestosError("reference %r contains white space" % (text,), path=field)
    if text.startswith("ostree-unverified-registry:"):
        name = text[len("ostree-unverified-registry:"):]
        _check_registry_name(name, field)
        return ImageRef("container", text, policy=UNVERIFIED, transport=REGISTRY, name=name)
    if text.startswith("ostree-unverified-image:"):
        transport, name = _parse_transport(text[len("ostree-unverified-image:"):], field)
        return ImageRef("container", text, policy=UNVERIFIED, transport=transport, name=name)
    if text.startswith("ostree-image-signed:"):
        transport, name = _parse_transport(text[len("ostree-image-signed:"):], field)
        return ImageRef("container", text, policy=SIGNED, transport=transport, name=name)
    for prefix in ("ostree-remote-registry:", "ostree-remote-image:"):
        if text.startswith(prefix):
            rest = text[len(prefix):]
            if ":" not in rest:
                raise NestosError("%r needs REMOTE:IMAGE after %r" % (text, prefix), path=field)
            remote, rest = rest.split(":", 1)
            if not _REMOTE_NAME_RE.match(remote):
                raise NestosError("%r is not a valid ostree remote name" % (remote,), path=field)
            if prefix == "ostree-remote-registry:":
                _check_registry_name(rest, field)
                transport, name = REGISTRY, rest
            else:
                transport, name = _parse_transport(rest, field)
            return ImageRef("container", text, policy=REMOTE, remote=remote, transport=transport, name=name)
    if text.startswith("ostree-"):
        raise NestosError("unknown container reference type in %r; expected ostree-unverified-registry:, "
                          "ostree-unverified-image:, ostree-remote-registry:, ostree-remote-image: or "
                          "ostree-image-signed:" % (text,), path=field)
    if text.startswith(("docker://", "registry:", "oci:", "oci-archive:", "containers-storage:")):
        raise NestosError("%r has no signature policy; prefix it with ostree-image-signed: (verified by "
                          "/etc/containers/policy.json), ostree-remote-image:REMOTE: or, only if you accept "
                          "unsigned images, ostree-unverified-image:" % (text,), path=field)
    # classic ostree refspec
    remote, ref = None, text
    if ":" in text:
        remote, ref = text.split(":", 1)
        if not remote or not ref:
            raise NestosError("%r is not a valid ostree refspec (REMOTE:REF)" % (text,), path=field)
    return ImageRef("ostree", text, remote=remote, ref=ref)


def build(image, policy, transport=REGISTRY, remote=None, digest=None, field="image"):
    """Compose a container reference from parts (the action's ``image``/``signature`` options)."""
    if policy not in POLICIES:
        raise NestosError("signature must be one of %s, not %r" % (", ".join(POLICIES), policy), path="signature")
    if transport not in TRANSPORTS:
        raise NestosError("transport must be one of %s, not %r" % (", ".join(TRANSPORTS), transport),
                          path="transport")
    if not image or not isinstance(image, str):
        raise NestosError("image is required", path=field)
    for prefix, _dummy in _TRANSPORT_PREFIXES:
        if image.startswith(prefix):
            raise NestosError("give the image without its transport prefix %r (use the transport option)"
                              % prefix, path=field)
    if image.startswith("ostree-"):
        raise NestosError("image %r is a full reference; pass it as ref instead" % image, path=field)
    if policy == REMOTE and not remote:
        raise NestosError("signature=remote needs the ostree remote name in remote", path="remote")
    if policy != REMOTE and remote:
        raise NestosError("remote is only used with signature=remote", path="remote")
    if transport == REGISTRY:
        _check_registry_name(image, field)
    ref = ImageRef("container", image, policy=policy, remote=remote, transport=transport, name=image)
    if digest:
        if ref.digest and ref.digest != digest:
            raise NestosError("image %r pins %s but digest says %s" % (image, ref.digest, digest), path="digest")
        ref = ref.with_digest(digest)
    ref.original = ref.canonical()
    return ref
