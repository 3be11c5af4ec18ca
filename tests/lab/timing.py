"""Boot each lab medium once and print wall and qemu CPU times (CPU time hardly depends on
the load of other jobs; wall time does) (`make lab-timing`): PXE (PVH kernel),
disk through SeaBIOS + syslinux with an fw_cfg config, ISO through SeaBIOS + isolinux."""
import json
import os
import resource
import sys
import time

from tests.lab import harness, media, newc

CONFIG = json.dumps({"ignition": {"version": "3.3.0"},
                     "storage": {"files": [{"path": "/etc/timing", "contents": {"source": "data:,t"}}]}}).encode()


def main():
    paths = media.paths()
    meta = media.info()
    print("lab media (build %s, built in %s s):" % (meta["build_id"], meta["build_seconds"]))
    for key in ("iso", "kernel", "initramfs", "rootfs", "qcow2"):
        print("  %-9s %6.1f MB  %s" % (key, os.path.getsize(paths[key]) / 1e6, os.path.basename(paths[key])))
    runs = (
        ("pxe (PVH) + config initrd", lambda: harness.boot_pxe(
            paths["kernel"], [paths["initramfs"], newc.config_initrd(CONFIG)],
            "ignition.firstboot ignition.platform.id=metal console=ttyS0")),
        ("disk + fw_cfg", lambda: harness.boot_disk(paths["qcow2"], ignition=CONFIG)),
        ("iso (isolinux)", lambda: harness.boot_iso(paths["iso"])),
    )
    failed = 0
    for name, boot in runs:
        started = time.monotonic()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        report = boot()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print("  boot %-28s %5.1f s wall, %4.1f s qemu CPU  Ignition %s" % (
            name, time.monotonic() - started, cpu, report.ignition["outcome"]))
        failed += not report.succeeded
    load = os.getloadavg()[0]
    print("  (load average %.1f on %d CPUs while measuring)" % (load, os.cpu_count()))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
