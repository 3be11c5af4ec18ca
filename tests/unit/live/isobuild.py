"""Build small NestOS-layout live ISOs with xorriso, as nestos-assembler lays them out.

Used by unit, integration and benchmark code. The tree follows the reference (§2, §4.4):
/nestos/{igninfo,kargs,features}.json, a 256 KiB zero images/ignition.img, grub.cfg and
isolinux.cfg carrying the kargs marker layout, images/pxeboot/*.
"""
import json
import os
import shutil
import subprocess

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
    """Substitute the placeholder as NA does; return (text, area offset, area size)."""
    marker = "#" * marker_len + " %s_KARG_EMBED_AREA\n" % tag
    text = template.replace("@@MARKER@@", marker)
    offset = text.index(PLACEHOLDER)
    size = len(kargs) + 1 + marker_len  # kargs, the fixed suffix, newline, the #s but the last
    text = text.replace(PLACEHOLDER, kargs)
    return text, offset


GRUB = ("set timeout=1\nmenuentry 'NestOS' {\n\tlinux /images/pxeboot/vmlinuz @@KERNEL-ARGS@@ "
        "ignition.firstboot ignition.platform.id=metal console=tty1\n@@MARKER@@\tinitrd /images/pxeboot/initrd.img\n}\n")
ISOLINUX = ("default nestos\nlabel nestos\n  kernel /images/pxeboot/vmlinuz\n  append initrd=/images/pxeboot/initrd.img "
            "@@KERNEL-ARGS@@ ignition.firstboot ignition.platform.id=metal console=tty1\n@@MARKER@@")


def build_iso(dest, workdir, volid="nestos-22.03.20240903.0", flavour="nestos", features=None,
              kernel=b"KERNEL", initramfs=b"INITRD", rootfs=b"ROOTFS", extra_kargs="mitigations=auto,nosmt",
              with_kargs=True, with_igninfo=True, pad=None):
    """Build a live ISO at ``dest``; returns a dict describing it (default kargs, area size)."""
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
    if os.path.exists(dest):
        os.unlink(dest)
    subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-joliet-long", "-V", volid[:32],
                    "-o", dest, tree], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    shutil.rmtree(tree)
    return {"default": default, "size": size, "volid": volid[:32], "features": feats, "flavour": flavour}
