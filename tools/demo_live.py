"""`make demo-live`: customize the lab media with playbooks/customize.yml, then boot one machine's
ISO and another's PXE initramfs in qemu and print what the real Ignition applied."""
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

from tests.lab import harness, media

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUTANE = """variant: nestos
version: 1.0.0
passwd:
  users:
    - name: nest
      ssh_authorized_keys: [ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIdemo demo@example]
storage:
  files:
    - path: /etc/motd
      mode: 0644
      contents:
        inline: customized by nestos.lifecycle.live_media
"""


def main():
    lab = media.paths()
    work = tempfile.mkdtemp(prefix="demo-live-", dir=os.path.join(TOP, ".cache"))
    out = os.path.join(work, "media")
    varsfile = os.path.join(work, "vars.yml")
    with open(varsfile, "w") as handle:
        yaml.safe_dump({"live_media_iso": lab["iso"], "live_media_output_dir": out, "live_media_butane": BUTANE,
                        "live_media_base_url": "http://10.0.2.2:8080/nestos",
                        "live_media_machines": [{"name": "web1", "dest_device": "/dev/vda"},
                                                {"name": "db1", "dest_device": "/dev/vdb"}]}, handle)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, ".build", "collections"))
    cmd = [os.path.join(TOP, ".venv", "bin", "ansible-playbook"), os.path.join(TOP, "playbooks", "customize.yml"),
           "-e", "@" + varsfile, "-e", "ansible_python_interpreter=" + sys.executable]
    print("$ ansible-playbook playbooks/customize.yml  (2 machines, ISO %s)" % os.path.basename(lab["iso"]))
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    print("\n".join(proc.stdout.splitlines()[-4:]))
    if proc.returncode:
        print(proc.stdout[-3000:])
        return 1
    print("outputs: %s" % ", ".join(sorted(os.listdir(out))))
    print("\n== booting web1.iso (SeaBIOS + isolinux, embedded config) ==")
    report = harness.boot_iso(os.path.join(out, "web1.iso"), timeout=180)
    print(report.summary())
    print("\n== PXE boot: kernel + db1-initramfs.img + rootfs ==")
    report2 = harness.boot_pxe(os.path.join(out, "nestos-live-vmlinuz"),
                               [os.path.join(out, "db1-initramfs.img"), lab["rootfs"]],
                               "ignition.firstboot ignition.platform.id=metal console=ttyS0,115200n8 loglevel=3",
                               timeout=180)
    print(report2.summary())
    ok = report.succeeded and report2.succeeded and report.dest_ign and report2.dest_ign
    shutil.rmtree(work, ignore_errors=True)
    print("\ndemo-live: %s" % ("both media booted and Ignition applied the customization" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
