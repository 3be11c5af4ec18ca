# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``iso ...`` subcommands over the live engine's public API (``live/api.py``, ``live/miniso.py``)."""

import os
import sys

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from nestos_installer import streams


class _Api(object):
    """live/api.py, imported on first use (it pulls in customize and YAML)."""

    def __getattr__(self, name):
        from ansible_collections.nestos.lifecycle.plugins.module_utils.live import api as module
        return getattr(module, name)


api = _Api()

MSG_HAVE_IGNITION = "This ISO image already has an embedded Ignition config; use -f to force."
MSG_HAVE_NETWORK = "This ISO image already has embedded network settings; use -f to force."
MSG_CUSTOMIZED = "This ISO image is already customized; use -f to force."
MSG_NO_IGNITION = "No embedded Ignition config."
MSG_NO_NETWORK = "No embedded network settings."
MSG_NETWORK_UNSUPPORTED = "This OS image does not support customizing network settings."


def _early_stdout(output):
    """Refuse a terminal before any work when the image goes to stdout."""
    if output == "-":
        streams.binary_stdout()


# ------------------------------------------------------------------ ignition

def ignition_embed(args, ctx):
    _early_stdout(args.output)
    label = args.ignition_file if args.ignition_file is not None else "stdin"
    config = streams.validate_ignition(streams.read_path_or_stdin(args.ignition_file), label)
    with streams.open_iso(args.input) as iso:
        if iso.ignition is not None and not args.force:
            raise NestosError(MSG_HAVE_IGNITION)
        plan = api.plan_ignition_embed(iso, config, force=True)
    streams.write_iso(plan, args.output)


def ignition_show(args, ctx):
    with streams.open_iso(args.input) as iso:
        config = iso.ignition
    if config is None:
        raise NestosError(MSG_NO_IGNITION)
    out = sys.stdout.buffer
    out.write(config)
    out.flush()


def ignition_remove(args, ctx):
    _early_stdout(args.output)
    with streams.open_iso(args.input) as iso:
        plan = api.plan_ignition_remove(iso)
    streams.write_iso(plan, args.output)


def deprecated_embed(args, ctx):
    streams.warn("`iso embed` is deprecated; use `iso ignition embed`.  Continuing.")
    args.ignition_file = args.config
    return ignition_embed(args, ctx)


def deprecated_show(args, ctx):
    streams.warn("`iso show` is deprecated; use `iso ignition show`.  Continuing.")
    return ignition_show(args, ctx)


def deprecated_remove(args, ctx):
    streams.warn("`iso remove` is deprecated; use `iso ignition remove`.  Continuing.")
    return ignition_remove(args, ctx)


# ------------------------------------------------------------------ network

def read_keyfiles(paths):
    out = []
    for path in paths:
        name = os.path.basename(path.rstrip("/")) if path else ""
        if not name or name in (".", ".."):
            raise NestosError("missing filename in %s" % path)
        out.append((name, streams.read_path(path)))
    return out


def network_embed(args, ctx):
    _early_stdout(args.output)
    keyfiles = read_keyfiles(args.keyfile)
    with streams.open_iso(args.input) as iso:
        if not iso.features.get("live-initrd-network"):
            raise NestosError(MSG_NETWORK_UNSUPPORTED)
        if iso.network_keyfiles and not args.force:
            raise NestosError(MSG_HAVE_NETWORK)
        plan = api.plan_network_embed(iso, keyfiles, force=True)
    streams.write_iso(plan, args.output)


def write_keyfiles(files, directory):
    """Keyfiles (name -> bytes) to a folder (new files only, printed) or to stdout (upstream's framing)."""
    if not files:
        raise NestosError(MSG_NO_NETWORK)
    names = sorted(files)
    if directory is not None:
        if not os.path.isdir(directory):
            try:
                os.makedirs(directory)
            except OSError as err:
                raise NestosError("creating %s: %s" % (directory, err.strerror or err))
        for name in names:
            path = os.path.join(directory, name)
            streams.create_exclusive(path, files[name])
            sys.stdout.write(path + "\n")
        return
    out = sys.stdout.buffer
    for idx, name in enumerate(names):
        if idx:
            out.write(b"\n")
        out.write(("########## %s ##########\n" % name).encode("utf-8"))
        out.write(files[name])
    out.flush()


def network_extract(args, ctx):
    with streams.open_iso(args.input) as iso:
        files = iso.network_keyfiles
    write_keyfiles(files, args.directory)


def network_remove(args, ctx):
    _early_stdout(args.output)
    with streams.open_iso(args.input) as iso:
        plan = api.plan_network_remove(iso)
    streams.write_iso(plan, args.output)


# ------------------------------------------------------------------ kargs

def kargs_modify(args, ctx):
    _early_stdout(args.output)
    with streams.open_iso(args.input) as iso:
        plan = api.plan_kargs_modify(iso, append=args.append, delete=args.delete, replace=args.replace)
    streams.write_iso(plan, args.output)


def kargs_reset(args, ctx):
    _early_stdout(args.output)
    with streams.open_iso(args.input) as iso:
        plan = api.plan_kargs_reset(iso)
    streams.write_iso(plan, args.output)


def kargs_show(args, ctx):
    with streams.open_iso(args.input) as iso:
        if args.header:
            from nestos_installer.isoinfo import kargs_header_json
            sys.stdout.write(kargs_header_json(iso))
            return
        areas = iso.require_kargs()
        text = areas.default if args.default else areas.kargs
    sys.stdout.write(text + "\n")


# ------------------------------------------------------------------ customize / reset

def customize_options(args):
    """Flags -> the engine's customize options; file options read, Ignition validated."""
    opts = {}
    for key in ("dest_ignition", "live_ignition"):
        opts[key] = [(path, streams.validate_ignition(streams.read_path(path), path)) for path in getattr(args, key)]
    for key in ("network_keyfile", "network_nmstate", "ignition_ca", "pre_install", "post_install",
                "installer_config"):
        opts[key] = [(path, streams.read_path(path)) for path in getattr(args, key)]
    for key in ("dest_device", "dest_console", "dest_karg_append", "dest_karg_delete"):
        opts[key] = getattr(args, key)
    return opts


def customize(args, ctx):
    _early_stdout(args.output)
    options = customize_options(args)
    with streams.open_iso(args.input) as iso:
        if iso.is_customized() and not args.force:
            raise NestosError(MSG_CUSTOMIZED)
        plan = api.plan_customize(iso, options, live_karg_append=args.live_karg_append,
                                  live_karg_delete=args.live_karg_delete,
                                  live_karg_replace=args.live_karg_replace, force=True)
    for message in plan.messages:
        streams.warn(message)
    streams.write_iso(plan, args.output)


def reset(args, ctx):
    _early_stdout(args.output)
    with streams.open_iso(args.input) as iso:
        plan = api.plan_reset(iso)
    streams.write_iso(plan, args.output)


# ------------------------------------------------------------------ extract

def extract_pxe(args, ctx):
    folder = args.output_dir
    if not os.path.isdir(folder):
        try:
            os.makedirs(folder)
        except OSError as err:
            raise NestosError("creating %s: %s" % (folder, err.strerror or err))
    targets, dummy = api.plan_extract_pxe(args.input, folder)
    for target in targets:
        if os.path.lexists(target):
            raise NestosError("opening %s: File exists (files are never overwritten; remove it first)" % target)
    api.extract_pxe(args.input, folder)
    for target in targets:
        sys.stdout.write(target + "\n")


def extract_minimal_iso(args, ctx):
    from ansible_collections.nestos.lifecycle.plugins.module_utils.live.miniso import extract_minimal_iso as extract
    with streams.open_iso(args.input) as iso:
        if not iso.initrd.is_empty() or iso.require_kargs().kargs != iso.kargs_default:
            raise NestosError("Cannot operate on ISO with embedded customizations.\n"
                              "Reset it with `%s iso reset` and try again." % ctx.name)
    if args.output_rootfs is not None:
        streams.check_new_output(args.output_rootfs)
    if args.output != "-":
        streams.check_new_output(args.output)
        extract(args.input, args.output, rootfs_url=args.rootfs_url, output_rootfs=args.output_rootfs)
        return
    out = streams.binary_stdout()
    import tempfile
    tmpdir = tempfile.mkdtemp(prefix=".nestos-installer-")
    try:
        path = os.path.join(tmpdir, "minimal.iso")
        extract(args.input, path, rootfs_url=args.rootfs_url, output_rootfs=args.output_rootfs)
        from ansible_collections.nestos.lifecycle.plugins.module_utils.live.output import write_stream
        write_stream(path, out, [])
    finally:
        import shutil
        shutil.rmtree(tmpdir, ignore_errors=True)
