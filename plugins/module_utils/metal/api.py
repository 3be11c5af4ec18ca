# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Entry point of the metal engine: ``install(opts)`` reads the target, plans, and (unless in
check mode) writes. ``opts`` uses the ``metal_image`` module's option names."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import tempfile

from ansible_collections.nestos.lifecycle.plugins.module_utils.common import fileutil
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.metal import plan, source, writer

MAX_CONFIG = 16 * 1024 * 1024


def check_ignition_hash(config, digest, path="ignition_hash"):
    """``digest`` is TYPE-VALUE (sha256-…, sha512-…) as nestos-installer's --ignition-hash."""
    if not digest:
        return
    kind, _sep, value = digest.partition("-")
    if kind not in ("sha256", "sha512") or not value:
        raise NestosError("Invalid hash type or format %r (want sha256-HEX or sha512-HEX)" % digest, path=path)
    have = hashlib.new(kind, config).hexdigest()
    if have != value.lower():
        raise NestosError("failed to validate Ignition configuration digest: hash mismatch, calculated '%s' but "
                          "expected '%s'" % (have, value), path=path)


def ignition_bytes(opts):
    """The Ignition config the task names, as bytes (None: no config)."""
    config = None
    if opts.get("ignition") is not None:
        value = opts["ignition"]
        config = (json.dumps(value, sort_keys=True, separators=(",", ":")) if isinstance(value, dict)
                  else str(value)).encode("utf-8")
    elif opts.get("ignition_file"):
        try:
            with open(opts["ignition_file"], "rb") as handle:
                config = handle.read(MAX_CONFIG + 1)
        except (IOError, OSError) as err:
            raise NestosError("cannot read the Ignition config: %s" % (err.strerror or err),
                              file=opts["ignition_file"], path="ignition_file")
    elif opts.get("ignition_url"):
        url = opts["ignition_url"]
        if url.startswith("http://") and not (opts.get("ignition_hash") or opts.get("insecure_ignition")):
            raise NestosError("refusing to fetch Ignition config over HTTP without ignition_hash or insecure_ignition",
                              path="ignition_url")
        if not url.startswith(("http://", "https://")):
            raise NestosError("unknown protocol for URL '%s'" % url, path="ignition_url")
        with tempfile.TemporaryFile() as handle:
            source.fetch_to(url, handle, opts.get("fetch_retries", 3), opts.get("timeout", 60),
                            limit=MAX_CONFIG)
            handle.seek(0)
            config = handle.read()
    if config is not None:
        if len(config) > MAX_CONFIG:
            raise NestosError("the Ignition config is larger than %d bytes" % MAX_CONFIG, path="ignition")
        check_ignition_hash(config, opts.get("ignition_hash"))
    return config


def desired_from(opts, config, image_table):
    return plan.Desired(config=config, firstboot_args=opts.get("firstboot_args"),
                        append=opts.get("append_kargs") or (), delete=opts.get("delete_kargs") or (),
                        platform=opts.get("platform"), console=opts.get("console") or (),
                        save_labels=opts.get("save_partlabel") or (), save_indexes=opts.get("save_partindex") or (),
                        image_table=image_table, force=opts.get("force", False))


def install(opts, check_mode=False, log=None):
    """Plan and carry out a metal install; returns the result dict (changed, reasons, before/after
    summaries, partitions, steps). NestosError on bad input or a failed verification."""
    steps = []
    log = log or steps.append
    dest = opts["dest"]
    kind = fileutil.check_destination(dest, write_through=bool(opts.get("write_through")))
    if kind == "device" and not writer.is_device(dest):
        raise NestosError("write_through is set but the destination is a character device, not a disk",
                          file=dest)
    before = writer.read_state(dest) if kind != "absent" else plan.DiskState()
    src = writer.Source(opts)
    image_table = src.image_table()
    config = ignition_bytes(opts)
    desired = desired_from(opts, config, image_table)
    decision = plan.plan(desired, before)
    image_options = None
    result = {"changed": decision.install, "reasons": decision.reasons, "dest": dest,
              "destination_kind": kind, "state_before": before.kind,
              "saved_partitions": [p.as_dict() for p in decision.saved],
              "before": before.summary(), "after": decision.after_summary(desired, image_options)}
    if not decision.install or check_mode:
        result["state_after"] = "installed" if decision.install else before.kind
        return result
    art = src.open_verified(writer.tmp_dir_for(dest, opts))
    try:
        result["signature"] = art.verdict
        result["image_sha256"] = art.digest()
        if kind == "device":
            written = writer.write_device_target(dest, art, src, opts, image_table, decision.saved, config, log)
        else:
            written = writer.write_file_target(dest, art, src, opts, image_table, decision.saved, config, log)
    finally:
        art.close()
    after = writer.read_state(dest)
    result.update(image_bytes=written, state_after=after.kind, after=after.summary(),
                  partitions=after.table.as_list() if after.table else [], steps=steps,
                  kargs=after.entry.options if after.entry else None,
                  ignition_sha256=after.config_sha256)
    return result


__all__ = ["install", "ignition_bytes", "check_ignition_hash", "source"]
