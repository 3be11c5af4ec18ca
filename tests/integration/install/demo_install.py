"""`make demo-install`: metal_image (through ansible-playbook) writes the lab's NestOS metal image
onto a disk image with an Ignition config and first-boot/permanent kernel arguments, then the disk
boots under qemu and the report shows what the real Ignition applied."""
import sys
import tempfile

from tests.lab import harness, metal
from tests.support import install

CONFIG = {"ignition": {"version": "3.3.0"},
          "storage": {"files": [{"path": "/etc/motd", "mode": 420,
                                 "contents": {"source": "data:,installed%20by%20metal_image%0A"}}]}}


def main():
    image = metal.paths()
    with tempfile.TemporaryDirectory(prefix="demo-install-") as work:
        disk = work + "/node.raw"
        args = {"dest": disk, "image_file": image["xz"], "gpg_keyring": image["keyring"], "ignition": CONFIG,
                "firstboot_args": "demo.firstboot=1", "append_kargs": ["demo.permanent=1"], "platform": "qemu"}
        res, _out = install.run_task("metal_image", args)
        if res.get("failed"):
            print("metal_image failed: %s" % res.get("msg"))
            return 1
        steps = "; ".join(res["steps"][1:])
        print("metal_image: %s; signature %s; %s" % (", ".join(res["reasons"]), res["signature"], steps))
        again, _out = install.run_task("metal_image", args)
        print("second run: changed=%s (%s)" % (again["changed"], again["reasons"][0]))
        print("booting the installed disk under qemu (TCG) ...")
        report = harness.boot_installed(disk, timeout=600)
        print(report.summary())
        ok = (report.succeeded and report.text("/etc/motd") == "installed by metal_image\n"
              and {"ignition.firstboot", "demo.firstboot=1", "demo.permanent=1"} <= set(report.cmdline.split())
              and not again["changed"])
    print("demo-install: %s" % (
        "metal_image wrote a verified NestOS metal image to a disk image, a second run changed nothing, and on first "
        "boot the real Ignition applied the config from the boot partition with the first-boot and permanent "
        "kargs on /proc/cmdline" if ok else "FAILED: the installed disk did not boot with its config"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
