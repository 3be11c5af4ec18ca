"""`make demo` step for the lab: boot the lab live ISO once with a config and print what
the real Ignition applied.

The config is written in Butane (variant nestos 1.0.0) and translated by the collection's
Butane engine; it is embedded in a copy of the ISO's Ignition area (like
``nestos-installer iso ignition embed``) and the copy boots through SeaBIOS and isolinux.
"""
import os
import sys
import tempfile

from tests.lab import harness, media

BUTANE = """\
variant: nestos
version: 1.0.0
passwd:
  users:
    - name: nest
      groups: [wheel]
      ssh_authorized_keys:
        - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxhYmRlbW9sYWJkZW1vbGFiZGVtb2xhYmRlbW8 demo@lab
storage:
  files:
    - path: /etc/hostname
      mode: 0644
      contents:
        inline: nestos-lab-demo
  links:
    - path: /etc/localtime
      target: ../usr/share/zoneinfo/Asia/Shanghai
systemd:
  units:
    - name: hello.service
      enabled: true
      contents: |
        [Unit]
        Description=Hello from the NestOS lab
        [Service]
        Type=oneshot
        ExecStart=/usr/bin/echo hello
        [Install]
        WantedBy=multi-user.target
"""


def config():
    try:
        from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.api import resolve_ignition
    except ImportError as exc:
        raise SystemExit("demo-lab: the Butane engine is not importable (%s); run `make collection`" % exc)
    data, warnings = resolve_ignition(butane=BUTANE)
    for warning in warnings:
        print("butane warning: %s" % warning)
    return data


def main():
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    coll = os.path.join(top, ".build", "collections")
    if coll not in sys.path:
        sys.path.insert(0, coll)
    paths = media.paths()
    ign = config()
    print("== lab demo: Butane (nestos 1.0.0) -> Ignition %d bytes -> embedded in a copy of %s"
          % (len(ign), os.path.basename(paths["iso"])))
    with tempfile.TemporaryDirectory(prefix="nestos-lab-demo-") as work:
        iso = harness.copy_iso_with_config(paths["iso"], os.path.join(work, "demo.iso"), config=ign)
        report = harness.boot_iso(iso)
    print("== booted in %.1f s (qemu TCG, SeaBIOS -> isolinux -> initrd.img + ignition.img)"
          % report["boot_seconds"])
    print(report.summary())
    if not report.succeeded:
        print("demo-lab: Ignition did not succeed", file=sys.stderr)
        return 1
    print("proved: the lab ISO with an embedded config boots under qemu and the real Ignition applies it "
          "(%d file(s), %d unit(s) written)" % (len(report["files"]), len(report.get("units") or {})))
    return 0


if __name__ == "__main__":
    sys.exit(main())
