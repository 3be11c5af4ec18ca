"""Shared helpers of the live-media tests (unit, conformance, integration, benchmarks).

- :func:`build_iso`: a small NestOS-layout live ISO built with xorriso, as nestos-assembler
  lays it out (so its users are conformance/integration tests, not unit tests);
- :func:`run_module`: a module's ``main()`` in-process, returning its JSON result;
- :func:`sha256`: digest of a file, for "the source is unchanged" checks.
"""
import contextlib
import gzip
import hashlib
import importlib
import io
import json
import os
import shutil
import subprocess

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.nestos.lifecycle.plugins.module_utils.live.initrd import make_newc

MARKER = " NESTOS_KARG_EMBED_AREA"
PLACEHOLDER = "@@KERNEL-ARGS@@"
AREA_SIZE = 256 * 1024


def _features(network=True, installer=True, console=True):
    feats = {}
    if installer:
        feats["installer-config"] = True
        directives = ["append-karg", "delete-karg", "copy-network", "dest-device", "ignition-file"]
        if console:
            directives.append("console")
        feats["installer-config-directives"] = dict((k, True) for k in sorted(directives))
    if network:
        feats["live-initrd-network"] = True
    return feats


def _with_area(template, kargs, marker_len=1024, tag="NESTOS"):
    """Substitute the placeholder as NA does; return (text, area offset)."""
    marker = "#" * marker_len + " %s_KARG_EMBED_AREA\n" % tag
    text = template.replace("@@MARKER@@", marker)
    offset = text.index(PLACEHOLDER)
    text = text.replace(PLACEHOLDER, kargs)
    return text, offset


GRUB = ("set timeout=1\nmenuentry 'NestOS' {\n\tlinux /images/pxeboot/vmlinuz @@KERNEL-ARGS@@ "
        "ignition.firstboot ignition.platform.id=metal console=tty1\n@@MARKER@@\tinitrd /images/pxeboot/initrd.img\n}\n")
ISOLINUX = ("default nestos\nlabel nestos\n  kernel /images/pxeboot/vmlinuz\n  append initrd=/images/pxeboot/initrd.img "
            "@@KERNEL-ARGS@@ ignition.firstboot ignition.platform.id=metal console=tty1\n@@MARKER@@")


def build_iso(dest, workdir, volid="nestos-22.03.20240903.0", flavour="nestos", features=None,
              kernel=b"KERNEL", initramfs=b"INITRD", rootfs=b"ROOTFS", extra_kargs="mitigations=auto,nosmt",
              with_kargs=True, with_igninfo=True, pad=None, meta_space=0):
    """Build a live ISO at ``dest``; returns a dict describing it (default kargs, area size).

    ``meta_space``: trailing spaces added to each metadata JSON file, so tests can put other
    (hostile) contents in place later without moving extents (readers strip trailing spaces).
    """
    tree = os.path.join(workdir, "tree")
    if os.path.exists(tree):
        shutil.rmtree(tree)
    meta = "nestos" if flavour == "nestos" else "coreos"
    efi = "openEuler" if flavour == "nestos" else "fedora"
    tag = "NESTOS" if flavour == "nestos" else "COREOS"
    for sub in (meta, "images/pxeboot", "isolinux", "EFI/%s" % efi):
        os.makedirs(os.path.join(tree, sub))
    default = "%s %s.liveiso=%s ignition.firstboot ignition.platform.id=metal" % (extra_kargs, meta, volid)
    files = []
    marker_len = 1024
    # the area: from the placeholder to just before the last '#': kargs + suffix + '\n' + '#'*(marker_len-1)
    # here the area holds the kargs and the fixed suffix as "default" (as NA records it)
    for rel, template in (("EFI/%s/grub.cfg" % efi, GRUB), ("isolinux/isolinux.cfg", ISOLINUX)):
        tpl = template.replace(" ignition.firstboot ignition.platform.id=metal console=tty1", "")
        text, offset = _with_area(tpl, default, marker_len, tag)
        with open(os.path.join(tree, rel), "w") as handle:
            handle.write(text)
        files.append({"end": "\n", "offset": offset, "pad": "#", "path": rel})
    size = len(default) + marker_len
    if with_kargs:
        with open(os.path.join(tree, meta, "kargs.json"), "w") as handle:
            json.dump({"default": default, "files": sorted(files, key=lambda f: f["path"]), "size": size},
                      handle, indent=2, sort_keys=True)
            handle.write("\n")
    if with_igninfo:
        with open(os.path.join(tree, meta, "igninfo.json"), "w") as handle:
            json.dump({"file": "images/ignition.img"}, handle, indent=2, sort_keys=True)
            handle.write("\n")
    feats = _features() if features is None else features
    with open(os.path.join(tree, meta, "features.json"), "w") as handle:
        json.dump(feats, handle, indent=2, sort_keys=True)
        handle.write("\n")
    with open(os.path.join(tree, meta, "miniso.dat"), "wb") as handle:
        handle.write(b"\0" * 16384)
    with open(os.path.join(tree, "images", "ignition.img"), "wb") as handle:
        handle.write(b"\0" * AREA_SIZE)
    for name, data in (("vmlinuz", kernel), ("initrd.img", initramfs), ("rootfs.img", rootfs)):
        path = os.path.join(tree, "images", "pxeboot", name)
        if isinstance(data, str):
            shutil.copyfile(data, path)
        else:
            with open(path, "wb") as handle:
                handle.write(data)
    if pad:
        with open(os.path.join(tree, "images", "pad.img"), "wb") as handle:
            handle.truncate(pad)
    for name in ("kargs.json", "igninfo.json", "features.json"):
        meta_file = os.path.join(tree, meta, name)
        if meta_space and os.path.exists(meta_file):
            with open(meta_file, "a") as handle:
                handle.write(" " * meta_space)
    if os.path.exists(dest):
        os.unlink(dest)
    subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-joliet-long", "-V", volid[:32],
                    "-o", dest, tree], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    shutil.rmtree(tree)
    return {"default": default, "size": size, "volid": volid[:32], "features": feats, "flavour": flavour}


def run_module(name, args, check=False, diff=False):
    mod = importlib.import_module("ansible_collections.nestos.lifecycle.plugins.modules.%s" % name)
    payload = dict(args)
    payload["_ansible_check_mode"] = check
    payload["_ansible_diff"] = diff
    payload["_ansible_remote_tmp"] = "/tmp"
    payload["_ansible_keep_remote_files"] = False
    basic._ANSIBLE_ARGS = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": payload}))
    basic._ANSIBLE_PROFILE = "legacy"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            mod.main()
        except SystemExit:
            pass
    return json.loads(out.getvalue())


def sha256(path):
    digest = hashlib.sha256()
    with open(str(path), "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


LIVE_FEATURES = {"installer-config": True, "installer-config-directives": {"console": True}, "live-initrd-network": True}


def live_initramfs(tmp_path, flavour="nestos", features=None, extra=None):
    """A small live initramfs (gzip archive + plain newc) with the stamp and features.json."""
    features = LIVE_FEATURES if features is None else features
    stamp = "etc/%s-live-initramfs" % flavour
    members = {stamp: b"22.03.20240903.0\n", "usr/bin/init": b"\x7fELF", "etc/%s/features.json" % flavour:
               json.dumps(features).encode()}
    members.update(extra or {})
    data = gzip.compress(make_newc({"init": b"#!/bin/sh\n"})) + make_newc(members)
    path = tmp_path / "initrd.img"
    path.write_bytes(data)
    return path
