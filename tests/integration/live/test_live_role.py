"""playbooks/customize.yml (role live_media) on the lab media: outputs, idempotency, and boots."""
import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

from tests.lab import harness, media

pytestmark = [pytest.mark.lab, pytest.mark.slow]
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUTANE = """variant: nestos
version: 1.0.0
passwd:
  users:
    - name: nest
      ssh_authorized_keys: [ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIlab lab@example]
storage:
  files:
    - path: /etc/role-marker
      mode: 0644
      contents:
        inline: from the live_media role
"""


def run_playbook(varsfile, check=False):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, ".build", "collections"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    cmd = [os.path.join(TOP, ".venv", "bin", "ansible-playbook"), os.path.join(TOP, "playbooks", "customize.yml"),
           "-e", "@" + str(varsfile), "-e", "ansible_python_interpreter=" + os.path.join(TOP, ".venv", "bin", "python")]
    if check:
        cmd.append("--check")
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600,
                          check=False)
    assert proc.returncode == 0, proc.stdout[-4000:]
    recap = re.search(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)", proc.stdout)
    return int(recap.group(2)), proc.stdout


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    lab = dict(media.paths())
    out = tmp_path_factory.mktemp("media")
    # a private copy: the two playbook runs must see the same source even if the lab is rebuilt meanwhile
    for key in ("iso", "rootfs"):
        copy = out.parent / os.path.basename(lab[key])
        shutil.copyfile(lab[key], str(copy))
        lab[key] = str(copy)
    varsfile = out.parent / "vars.yml"
    varsfile.write_text(yaml.safe_dump({
        "live_media_iso": lab["iso"], "live_media_output_dir": str(out / "media"),
        "live_media_butane": BUTANE, "live_media_base_url": "http://10.0.2.2:8080/nestos",
        "live_media_dest_console": ["ttyS0,115200n8"], "live_media_firstboot_kargs": ["ip=dhcp"],
        "live_media_machines": [
            {"name": "web1", "hostname": "web1.example.com", "dest_device": "/dev/vda",
             "mac": "52:54:00:12:34:56",
             "network": {"interface": "eth0", "address": "10.0.2.15/24", "gateway": "10.0.2.2", "dns": ["10.0.2.3"]}},
            {"name": "db1", "firstboot_kargs": ["nameserver=10.0.2.3"]},
        ]}))
    changed, log = run_playbook(varsfile)
    assert changed > 0
    return out / "media", varsfile, lab


def test_outputs_and_boot_entries(outputs):
    out, _varsfile, _lab = outputs
    names = set(os.listdir(str(out)))
    for expected in ("web1.iso", "db1.iso", "web1-initramfs.img", "db1-initramfs.img", "web1.ign", "db1.ign",
                     "web1.ipxe", "grub.cfg", "pxelinux.cfg", "nestos-live-vmlinuz", "nestos-live-initrd.img",
                     "nestos-live-rootfs.img", "web1-eth0.nmconnection"):
        assert expected in names, sorted(names)
    # the configs are built in memory with the filters: no intermediate base config on disk
    assert "base.ign" not in names
    assert oct(os.stat(str(out / "web1.ign")).st_mode & 0o777) == "0o600"
    assert oct(os.stat(str(out / "web1.iso")).st_mode & 0o777) == "0o600"
    pxe = (out / "pxelinux.cfg" / "web1").read_text()
    assert "KERNEL nestos-live-vmlinuz" in pxe
    assert ("APPEND initrd=nestos-live-initrd.img,nestos-live-rootfs.img ignition.firstboot ignition.platform.id=metal "
            "nestos.inst.install_dev=/dev/vda nestos.inst.ignition_url=http://10.0.2.2:8080/nestos/web1.ign ip=dhcp") in pxe
    assert (out / "pxelinux.cfg" / "01-52-54-00-12-34-56").read_text() == pxe
    assert "nameserver=10.0.2.3" in (out / "pxelinux.cfg" / "db1").read_text()
    grub = (out / "grub.cfg").read_text()
    assert grub.count("menuentry") == 2 and "nestos.inst.install_dev=/dev/sda" in grub
    ipxe = (out / "web1.ipxe").read_text()
    assert ipxe.startswith("#!ipxe") and "initrd --name main http://10.0.2.2:8080/nestos/nestos-live-initrd.img" in ipxe
    keyfile = (out / "web1-eth0.nmconnection").read_text()
    assert "address1=10.0.2.15/24,10.0.2.2" in keyfile and "dns=10.0.2.3;" in keyfile


def test_second_run_changes_nothing(outputs):
    _media, varsfile, _lab = outputs
    changed, log = run_playbook(varsfile)
    assert changed == 0, log[-3000:]
    changed, log = run_playbook(varsfile, check=True)
    assert changed == 0, log[-3000:]


def test_machine_iso_boots_with_its_config(outputs):
    out, _varsfile, _lab = outputs
    report = harness.boot_iso(str(out / "web1.iso"), timeout=180)
    assert report.succeeded, report.ignition
    dest = json.loads(report.dest_ign)
    # the role merges the Butane base and the machine's additions in memory: the installed system's
    # config is that one config, as the role also serves it (<name>.ign), not a merge indirection
    assert dest["ignition"]["version"] == "3.3.0" and "config" not in dest["ignition"]
    assert dest == json.loads((out / "web1.ign").read_text())
    assert "dest-device: /dev/vda" in report.installer_d["0000-customize.yaml"]
    assert "copy-network: true" in report.installer_d["0000-customize.yaml"]
    assert "web1-eth0.nmconnection" in report.firstboot_network


def test_machine_pxe_initramfs_boots(outputs):
    out, _varsfile, lab = outputs
    # boot what the generated PXELINUX "nestos-embedded" entry names, with its kernel arguments
    entry = (out / "pxelinux.cfg" / "db1").read_text().split("LABEL nestos-embedded", 1)[1]
    kernel = re.search(r"KERNEL (\S+)", entry).group(1)
    append = re.search(r"APPEND (.*)", entry).group(1).split()
    initrds = append[0][len("initrd="):].split(",")
    assert initrds == ["db1-initramfs.img", "nestos-live-rootfs.img"]
    kargs = " ".join(append[1:] + ["console=ttyS0,115200n8", "loglevel=3"])
    report = harness.boot_pxe(str(out / kernel), [str(out / name) for name in initrds], kargs, timeout=180)
    assert report.succeeded, report.ignition
    assert "nameserver=10.0.2.3" in report.cmdline.split()
    assert "dest-device: /dev/sda" in report.installer_d["0000-customize.yaml"]
    # the installed system's config carries the machine's hostname over the Butane base
    dest = json.loads(report.dest_ign)
    merged = json.loads(open(str(out / "db1.ign")).read())
    assert dest == merged
