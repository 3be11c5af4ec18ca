# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A model of ``rpm-ostree status --json``.

Follows the 2022.16 document (reference/hosts-and-updates.md 2.5) and tolerates the older
shapes seen in real captures: no ``staged`` key (treated as false), no ``update-driver``
key (no driver), classic ``origin`` without a remote, layered deployments with
``base-checksum``. Unknown keys are kept in ``raw`` and ignored.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import imageref

SOURCE = "rpm-ostree status --json"

_LIST_KEYS = (
    "packages", "modules", "base-removals", "requested-packages", "requested-local-packages",
    "requested-local-fileoverride-packages", "requested-base-removals",
    "requested-base-local-replacements", "requested-modules", "requested-modules-enabled",
    "initramfs-args", "initramfs-etc",
)
_STR_KEYS = (
    "id", "osname", "checksum", "unlocked", "version", "origin", "container-image-reference",
    "container-image-reference-digest", "base-checksum", "base-version", "pending-base-checksum",
    "pending-base-version",
)
_INT_KEYS = ("serial", "timestamp", "base-timestamp", "pending-base-timestamp")
_BOOL_KEYS = ("booted", "staged", "pinned", "finalization-locked", "regenerate-initramfs", "gpg-enabled")


def _is_str(value):
    return isinstance(value, str)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_bool(value):
    return isinstance(value, bool)


def _is_list(value):
    return isinstance(value, list)


def _err(message, path):
    return NestosError(message, file=SOURCE, path=path)


class Deployment(object):
    """One entry of ``deployments``; attribute names are the JSON keys with ``_``."""

    def __init__(self, data, index):
        where = "$.deployments[%d]" % index
        if not isinstance(data, dict):
            raise _err("a deployment must be an object, got %s" % type(data).__name__, where)
        self.raw = data
        self.index = index
        for keys, check, what, default in ((_STR_KEYS, _is_str, "a string", None),
                                           (_INT_KEYS, _is_int, "an integer", None),
                                           (_BOOL_KEYS, _is_bool, "true or false", False),
                                           (_LIST_KEYS, _is_list, "a list", None)):
            for key in keys:
                value = data.get(key, default)
                if (value is not None or check is _is_bool) and not check(value):
                    raise _err("expected %s, got %r" % (what, value), "%s.%s" % (where, key))
                if value is None and check is _is_list:
                    value = []
                setattr(self, key.replace("-", "_"), value)
        if not self.checksum:
            raise _err("deployment has no checksum", "%s.checksum" % where)
        self.base_commit_meta = data.get("base-commit-meta") or {}
        self.layered_commit_meta = data.get("layered-commit-meta") or {}
        self.custom_origin = data.get("custom-origin")
        self.base_local_replacements = data.get("base-local-replacements") or []
        self.base_remote_replacements = data.get("base-remote-replacements") or {}
        self.requested_base_remote_replacements = data.get("requested-base-remote-replacements") or {}
        self.signatures = data.get("signatures") or []
        self.live_inprogress = data.get("live-inprogress")
        self.live_replaced = data.get("live-replaced")
        self._parse_refs(where)

    def _parse_refs(self, where):
        self.image = None
        if self.container_image_reference:
            try:
                self.image = imageref.parse(self.container_image_reference,
                                            field="%s.container-image-reference" % where)
            except NestosError as exc:
                raise _err(exc.message, "%s.container-image-reference" % where)
        self.origin_ref = None
        if self.origin and not self.image:
            try:
                self.origin_ref = imageref.parse(self.origin, field="%s.origin" % where)
            except NestosError:
                self.origin_ref = None

    @property
    def is_container(self):
        return self.image is not None

    @property
    def base_commit(self):
        """The base commit: ``base-checksum`` when packages are layered, else ``checksum``."""
        return self.base_checksum or self.checksum

    @property
    def stream(self):
        """NestOS/FCOS stream from base-commit-meta or the OCI manifest annotations."""
        for key in ("nestos.stream", "fedora-coreos.stream"):
            if isinstance(self.base_commit_meta.get(key), str):
                return self.base_commit_meta[key]
        manifest = self.base_commit_meta.get("ostree.manifest")
        if isinstance(manifest, str):
            try:
                annotations = json.loads(manifest).get("annotations") or {}
            except (ValueError, AttributeError):
                annotations = {}
            for key in ("nestos.stream", "fedora-coreos.stream"):
                if isinstance(annotations.get(key), str):
                    return annotations[key]
        return None

    @property
    def basearch(self):
        value = self.base_commit_meta.get("coreos-assembler.basearch")
        return value if isinstance(value, str) else None

    def target(self):
        """What this deployment follows: the image reference or the classic origin."""
        if self.image is not None:
            return self.image.canonical()
        return self.origin

    def matches_ref(self, ref):
        """True when this deployment is the rebase target ``ref`` (an ImageRef)."""
        if ref.is_container:
            if self.image is None:
                return False
            if self.image.key() == ref.key():
                return True
            # the user pinned a digest: the deployment built from that digest counts too
            if ref.digest and self.image.policy == ref.policy and self.image.remote == ref.remote \
                    and self.image.transport == ref.transport and self.image.repository == ref.repository \
                    and self.container_image_reference_digest == ref.digest:
                return True
            return False
        if self.origin_ref is None:
            return False
        if ref.remote is None or self.origin_ref.remote is None:
            return self.origin_ref.ref == ref.ref
        return self.origin_ref.key() == ref.key()

    def matches(self, spec):
        """``spec`` is this deployment's checksum (full or a prefix of 7+ hex digits), its version or
        id, its image digest, or an image/ostree ref it follows."""
        if not spec:
            return False
        if len(spec) >= 7 and all(c in "0123456789abcdef" for c in spec):
            # a commit checksum names this deployment only, not the ones sharing its base commit
            return self.checksum.startswith(spec)
        if spec in (self.version, self.id):
            return True
        if self.container_image_reference_digest and spec == self.container_image_reference_digest:
            return True
        try:
            ref = imageref.parse(spec)
        except NestosError:
            return False
        return self.matches_ref(ref) if (ref.is_container or ":" in spec) else False

    def summary(self):
        """A compact, stable description used in facts and in diffs."""
        out = {
            "id": self.id,
            "osname": self.osname,
            "checksum": self.checksum,
            "version": self.version,
            "timestamp": self.timestamp,
            "booted": self.booted,
            "staged": self.staged,
            "pinned": self.pinned,
            "origin": self.origin,
            "container_image_reference": self.container_image_reference,
            "container_image_digest": self.container_image_reference_digest,
            "base_checksum": self.base_checksum,
            "base_version": self.base_version,
            "packages": list(self.packages),
            "requested_packages": list(self.requested_packages),
            "requested_local_packages": list(self.requested_local_packages),
            "base_removals": list(self.base_removals),
            "requested_base_removals": list(self.requested_base_removals),
            "stream": self.stream,
        }
        if self.finalization_locked:
            out["finalization_locked"] = True
        if self.pending_base_checksum:
            out["pending_base_checksum"] = self.pending_base_checksum
            out["pending_base_version"] = self.pending_base_version
        return out

    def label(self):
        """One line for diffs: ``* 0 <target> <version> (<checksum>) [staged]``."""
        flags = [f for f, on in (("booted", self.booted), ("staged", self.staged), ("pinned", self.pinned)) if on]
        text = "%s %s (%s)" % (self.target() or "?", self.version or "-", self.checksum[:12] if self.checksum
                               and len(self.checksum) >= 12 else self.checksum)
        if self.requested_packages:
            text += " +" + ",".join(sorted(self.requested_packages))
        if flags:
            text += " [%s]" % ", ".join(flags)
        return text


class Status(object):
    """The whole document: deployments plus transaction, cached update and update driver."""

    def __init__(self, data):
        if not isinstance(data, dict):
            raise _err("expected a JSON object", "$")
        deps = data.get("deployments")
        if not isinstance(deps, list):
            raise _err("missing or invalid 'deployments' list", "$.deployments")
        self.raw = data
        self.deployments = [Deployment(d, i) for i, d in enumerate(deps)]
        self.transaction = data.get("transaction")
        if self.transaction is not None and not isinstance(self.transaction, list):
            raise _err("expected null or a list, got %r" % (self.transaction,), "$.transaction")
        self.cached_update = data.get("cached-update")
        driver = data.get("update-driver")
        if driver is not None and not isinstance(driver, dict):
            raise _err("expected null or an object, got %r" % (driver,), "$.update-driver")
        self.update_driver = driver
        booted = [d for d in self.deployments if d.booted]
        if len(booted) > 1:
            raise _err("more than one deployment is marked booted", "$.deployments[%d].booted" % booted[1].index)

    @classmethod
    def from_json(cls, text):
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        try:
            data = json.loads(text)
        except ValueError as exc:
            snippet = text.strip().splitlines()[0][:200] if text.strip() else "(empty output)"
            raise NestosError("output is not JSON (%s): %s" % (exc, snippet), file=SOURCE,
                              line=getattr(exc, "lineno", None), column=getattr(exc, "colno", None))
        return cls(data)

    @property
    def booted(self):
        for dep in self.deployments:
            if dep.booted:
                return dep
        return None

    @property
    def default(self):
        """Deployment that the next boot starts (index 0)."""
        return self.deployments[0] if self.deployments else None

    @property
    def staged(self):
        for dep in self.deployments:
            if dep.staged:
                return dep
        return None

    def _booted_index(self):
        booted = self.booted
        return booted.index if booted is not None else None

    @property
    def pending(self):
        """The deployment before the booted one of the same OS (index 0 when not booted)."""
        idx = self._booted_index()
        if idx is None:
            return self.default
        osname = self.deployments[idx].osname
        for dep in self.deployments[:idx]:
            if dep.osname == osname:
                return dep
        return None

    @property
    def rollback(self):
        """The first deployment after the booted one of the same OS."""
        idx = self._booted_index()
        if idx is None:
            return None
        osname = self.deployments[idx].osname
        for dep in self.deployments[idx + 1:]:
            if dep.osname == osname:
                return dep
        return None

    @property
    def pending_reboot(self):
        default = self.default
        return default is not None and not default.booted

    @property
    def driver_name(self):
        return (self.update_driver or {}).get("driver-name")

    @property
    def driver_unit(self):
        return (self.update_driver or {}).get("driver-sd-unit")

    @property
    def busy(self):
        return bool(self.transaction)

    def transaction_text(self):
        if not self.transaction:
            return None
        return " ".join(str(p) for p in self.transaction if p)

    def labels(self):
        """Deployments as lines, index order, for diff before/after."""
        return ["%d %s" % (d.index, d.label()) for d in self.deployments]

    def facts(self):
        """Everything the facts action returns (JSON-serializable)."""
        booted = self.booted
        staged = self.staged
        pending = self.pending
        rollback = self.rollback

        def summ(dep):
            return dep.summary() if dep is not None else None

        image = booted.image if booted is not None else None
        return {
            "deployments": [d.summary() for d in self.deployments],
            "booted": summ(booted),
            "staged": summ(staged),
            "pending": summ(pending),
            "rollback": summ(rollback),
            "default": summ(self.default),
            "pending_reboot": self.pending_reboot,
            "image": booted.container_image_reference if booted is not None else None,
            "image_digest": booted.container_image_reference_digest if booted is not None else None,
            "image_ref": image.as_dict() if image is not None else None,
            "origin": booted.origin if booted is not None else None,
            "version": booted.version if booted is not None else None,
            "checksum": booted.checksum if booted is not None else None,
            "osname": booted.osname if booted is not None else None,
            "stream": booted.stream if booted is not None else None,
            "layered_packages": list(booted.packages) if booted is not None else [],
            "requested_packages": list(booted.requested_packages) if booted is not None else [],
            "transaction": self.transaction,
            "cached_update": self.cached_update,
            "update_driver": self.update_driver,
        }
