"""The lab itself: media built by `make lab` boot under qemu (TCG) and the real Ignition
applies configs given the ways NestOS takes them (fw_cfg, embedded ISO initrd, appended
PXE initrd, ignition.config.url). Configs are hand-written Ignition 3.3.0 JSON."""
import base64
import hashlib
import json
import re
import time
import urllib.parse

import pytest

from tests.lab import harness, iso9660, media, newc

pytestmark = pytest.mark.lab

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILabLabLabLabLabLabLabLabLabLabLabLabLabLab lab@test"
HASH = "$6$rounds=4096$saltsalt$Lab.hash.not.a.real.one.but.shaped.like.it/0123456789abcdefghijklmnopq"
MOTD = "Welcome to the NestOS lab\n"
SCRIPT = "#!/bin/sh\necho provisioned\n"
UNIT = "[Unit]\nDescription=lab unit\n[Service]\nType=oneshot\nExecStart=/usr/bin/true\n[Install]\nWantedBy=multi-user.target\n"
DROPIN = "[Service]\nEnvironment=LAB=1\n"


def data_url(text):
    return "data:," + urllib.parse.quote(text)


def known_config():
    return {
        "ignition": {"version": "3.3.0"},
        "passwd": {
            "users": [{"name": "nest", "sshAuthorizedKeys": [KEY], "passwordHash": HASH,
                       "groups": ["wheel"]}],
            "groups": [{"name": "labgrp", "gid": 1500}],
        },
        "storage": {
            "files": [
                {"path": "/etc/motd", "mode": 0o644, "contents": {"source": data_url(MOTD)}},
                {"path": "/usr/local/bin/provision.sh", "mode": 0o750,
                 "contents": {"source": "data:;base64," + base64.b64encode(SCRIPT.encode()).decode()}},
                {"path": "/etc/nestos/installer.d/0000-lab.yaml", "mode": 0o600,
                 "contents": {"source": data_url("dest-device: /dev/vda\n")}},
            ],
            "directories": [{"path": "/var/lib/lab", "mode": 0o700}],
            "links": [{"path": "/etc/localtime", "target": "../usr/share/zoneinfo/UTC"}],
        },
        "systemd": {"units": [
            {"name": "lab.service", "enabled": True, "contents": UNIT},
            {"name": "debug-shell.service", "mask": True},
            {"name": "sshd.service", "dropins": [{"name": "10-lab.conf", "contents": DROPIN}]},
        ]},
    }


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture(scope="module")
def lab():
    return media.paths()


def test_fw_cfg_config_comes_back_exactly(lab):
    report = harness.boot_disk(lab["qcow2"], ignition=json.dumps(known_config()).encode())
    assert report.succeeded, report.ignition["messages"]
    assert report.ignition["platform"] == "qemu"
    assert report.ignition["stages"] == {"fetch-offline": 0, "files": 0}
    assert "ignition.platform.id=qemu" in report.cmdline.split()

    declared = {
        "/etc/motd": (0o644, MOTD),
        "/usr/local/bin/provision.sh": (0o750, SCRIPT),
        "/etc/nestos/installer.d/0000-lab.yaml": (0o600, "dest-device: /dev/vda\n"),
        "/etc/systemd/system/lab.service": (0o644, UNIT),
        "/etc/systemd/system/sshd.service.d/10-lab.conf": (0o644, DROPIN),
        "/etc/systemd/system-preset/20-ignition.preset": (0o644, "enable lab.service\n"),
        "/home/nest/.ssh/authorized_keys.d/ignition": (0o600, KEY + "\n"),
    }
    accounts = {"/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow"}
    assert set(report.files) == set(declared) | accounts
    for path, (mode, text) in declared.items():
        entry = report.file(path)
        assert entry["mode"] == mode, path
        assert entry["sha256"] == sha(text), path
        assert entry["size"] == len(text.encode()), path
    assert report.file("/etc/motd")["uid"] == 0
    assert report.file("/home/nest/.ssh/authorized_keys.d/ignition")["uid"] == 1000

    assert report.dirs["/var/lib/lab"] == {"mode": 0o700, "uid": 0, "gid": 0}
    assert report.links["/etc/localtime"]["target"] == "../usr/share/zoneinfo/UTC"

    nest = report.users["nest"]
    assert nest["ssh_authorized_keys"] == [KEY]
    assert nest["password_hash_set"] is True
    assert nest["home"] == "/home/nest"
    assert "wheel" in nest["groups"]
    assert report.groups["labgrp"]["gid"] == 1500
    assert "root" not in report.users

    assert report.units["lab.service"]["enabled"] is True
    assert report.units["lab.service"]["contents"] == UNIT
    assert report.units["debug-shell.service"]["masked"] is True
    assert report.units["sshd.service"]["dropins"] == {"10-lab.conf": DROPIN}
    assert report.installer_d == {"0000-lab.yaml": "dest-device: /dev/vda\n"}
    assert report.dest_ign is None


def test_rejected_config_is_a_failed_boot(lab):
    bad = {"ignition": {"version": "3.3.0"},
           "storage": {"files": [{"path": "etc/relative", "contents": {"source": "data:,x"}}]}}
    report = harness.boot_disk(lab["qcow2"], ignition=json.dumps(bad).encode())
    assert report.ignition["outcome"] == "failure"
    assert not report.succeeded
    assert report.ignition["stages"]["fetch-offline"] != 0
    assert "files" not in report.ignition["stages"]
    assert any("path not absolute" in m for m in report.ignition["messages"]), report.ignition["messages"]
    assert report.files == {} and report.users == {}


def _area_layout(reader):
    ign = json.loads(reader.read("NESTOS/IGNINFO.JSO"))
    kargs = json.loads(reader.read("NESTOS/KARGS.JSO"))
    return ign, kargs


def test_iso_areas_sit_where_the_metadata_says(lab):
    info = media.info()
    with open(lab["iso"], "rb") as handle:
        image = handle.read()
        reader = iso9660.IsoReader(handle)
        ign, kargs = _area_layout(reader)
        assert reader.volume_id == info["volume_id"]
        assert ign == {"file": "images/ignition.img"}
        rec = reader.record("IMAGES/IGNITION.IMG")
        assert rec["size"] == 262144
        start = rec["extent"] * 2048
        assert image[start:start + 262144] == b"\0" * 262144

        default = kargs["default"]
        assert default.split()[:4] == ["nestos.liveiso=" + info["volume_id"], "ignition.firstboot",
                                       "ignition.platform.id=metal", "console=ttyS0,115200n8"]
        assert kargs["size"] == len(default) + 1024
        assert sorted(f["path"] for f in kargs["files"]) == ["EFI/openEuler/grub.cfg", "isolinux/isolinux.cfg"]
        level1 = {"EFI/openEuler/grub.cfg": "EFI/OPENEULE/GRUB.CFG", "isolinux/isolinux.cfg": "ISOLINUX/ISOLINUX.CFG"}
        found = []
        for entry in kargs["files"]:
            where = reader.lookup(level1[entry["path"]]) + entry["offset"]
            area = image[where:where + kargs["size"]].decode()
            assert area == default + "\n" + "#" * (kargs["size"] - len(default) - 1)
            # the area is followed by the last '#' and the marker, and preceded by the kernel line
            assert image[where + kargs["size"]:where + kargs["size"] + 25] == b"# NESTOS_KARG_EMBED_AREA\n"
            line_start = image.rfind(b"\n", 0, where) + 1
            assert re.match(rb"\s*(linux /images/pxeboot/vmlinuz|append initrd=/images/pxeboot/initrd.img,/images/ignition.img) $",
                            image[line_start:where])
            found.append(where)
        # the marker occurs exactly where kargs.json points, nowhere else
        markers = [m.start() - kargs["size"] for m in re.finditer(rb"# NESTOS_KARG_EMBED_AREA\n", image)]
        assert sorted(markers) == sorted(found)

        features = json.loads(reader.read("NESTOS/FEATURES.JSO"))
        assert features["installer-config"] is True and features["live-initrd-network"] is True
        assert features["installer-config-directives"]["dest-device"] is True
        for name in ("IMAGES/PXEBOOT/VMLINUZ", "IMAGES/PXEBOOT/INITRD.IMG", "IMAGES/PXEBOOT/ROOTFS.IMG"):
            assert reader.record(name)["size"] > 0
    # the PXE trio is the ISO's pxeboot content
    with open(lab["iso"], "rb") as handle:
        reader = iso9660.IsoReader(handle)
        assert reader.read("IMAGES/PXEBOOT/INITRD.IMG") == open(lab["initramfs"], "rb").read()
        assert reader.read("IMAGES/PXEBOOT/VMLINUZ") == open(lab["kernel"], "rb").read()
        assert reader.read("IMAGES/PXEBOOT/ROOTFS.IMG") == open(lab["rootfs"], "rb").read()


def test_iso_boots_with_embedded_config_and_kargs(lab, tmp_path):
    config = {"ignition": {"version": "3.3.0"},
              "storage": {"files": [{"path": "/etc/nestos/dest.ign", "mode": 0o600,
                                     "contents": {"source": data_url('{"ignition":{"version":"3.3.0"}}\n')}}]}}
    keyfile = "[connection]\nid=eth0\ntype=ethernet\n"
    kargs = media.info()["live_kargs"] + " lab.custom=1"
    iso = harness.copy_iso_with_config(
        lab["iso"], str(tmp_path / "custom.iso"), config=json.dumps(config).encode(), kargs=kargs,
        extra_members={"etc/nestos-firstboot-network/eth0.nmconnection": keyfile.encode()})
    report = harness.boot_iso(iso)
    assert report.succeeded, report.ignition["messages"]
    assert report.ignition["user_config"] == "initrd"
    assert report.ignition["platform"] == "metal"
    assert "lab.custom=1" in report.cmdline.split()
    assert "initrd=/images/pxeboot/initrd.img,/images/ignition.img" in report.cmdline.split()
    assert report.dest_ign == '{"ignition":{"version":"3.3.0"}}\n'
    assert report.firstboot_network == {"eth0.nmconnection": keyfile}
    assert json.loads(report.initrd_config) == config
    assert report.stamps["nestos-live-initramfs"] == media.info()["build_id"]


def test_pristine_iso_boots_without_config(lab):
    report = harness.boot_iso(lab["iso"])
    assert report.succeeded, report.ignition["messages"]
    assert report.ignition["user_config"] == "none"
    assert report.cmdline.split()[-len(media.info()["live_kargs"].split()):] == media.info()["live_kargs"].split()
    assert report.files == {} and report.users == {} and report.units == {}


def test_pxe_trio_with_appended_config_initrd(lab):
    config = {"ignition": {"version": "3.3.0"},
              "storage": {"files": [{"path": "/etc/pxe-marker", "mode": 0o640,
                                     "contents": {"source": data_url("pxe\n")}}]}}
    wrapped = newc.config_initrd(json.dumps(config).encode())
    assert wrapped.startswith(b"\xfd7zXZ\x00\x00\x01")  # xz stream flags: CRC32 check
    report = harness.boot_pxe(lab["kernel"], [lab["initramfs"], lab["rootfs"], wrapped],
                              "ignition.firstboot ignition.platform.id=metal console=ttyS0")
    assert report.succeeded, report.ignition["messages"]
    assert report.ignition["user_config"] == "initrd"
    assert report.file("/etc/pxe-marker")["mode"] == 0o640
    assert report.file("/etc/pxe-marker")["sha256"] == sha("pxe\n")
    build_id = media.info()["build_id"]
    assert report.stamps == {"nestos-live-initramfs": build_id, "nestos-live-rootfs": build_id}


def test_config_url_over_user_networking(lab):
    config = {"ignition": {"version": "3.3.0"},
              "storage": {"files": [{"path": "/etc/fetched", "contents": {"source": data_url("net\n")}}]}}
    with harness.serve_config(json.dumps(config)) as server:
        report = harness.boot_pxe(lab["kernel"], [lab["initramfs"]],
                                  "ignition.firstboot ignition.platform.id=metal console=ttyS0 "
                                  "ignition.config.url=" + server.url())
    assert report.succeeded, report.ignition["messages"]
    assert server.requests == ["/config.ign"]
    assert report.ignition["stages"] == {"fetch-offline": 0, "fetch": 0, "files": 0}
    assert report.network == {"interface": "eth0", "address": "10.0.2.15/24"}  # qemu user-mode DHCP
    assert report.file("/etc/fetched")["sha256"] == sha("net\n")


def test_timeout_kills_qemu_and_shows_console(lab):
    with pytest.raises(harness.LabBootError) as err:
        harness.boot_pxe(lab["kernel"], [lab["initramfs"]], "console=ttyS0 ignition.firstboot", timeout=1)
    assert "did not power off within 1 s" in str(err.value)


def test_unreachable_config_url_ends_in_failed_boot_report(lab):
    with harness.serve_config("{}") as server:
        url = server.url("missing.ign")  # the server answers 404 for this path
        report = harness.boot_pxe(lab["kernel"], [lab["initramfs"]],
                                  "ignition.firstboot ignition.platform.id=metal console=ttyS0 "
                                  "lab.ignition_timeout=20 ignition.config.url=" + url)
    assert server.requests and set(server.requests) == {"/missing.ign"}
    assert report.ignition["outcome"] == "failure"
    assert report.ignition["stages"].get("fetch", 0) != 0
    assert "files" not in report.ignition["stages"]
    assert any("resource not found" in m for m in report.ignition["messages"]), report.ignition["log"][-2000:]
    assert report.files == {}


def test_kernel_panic_is_reported_at_once(lab, tmp_path):
    # an initramfs whose /init is not executable: the kernel panics ("No working init found")
    arc = newc.Archive()
    arc.add_file("init", "not a program\n", 0o644)
    started = time.monotonic()
    with pytest.raises(harness.LabBootError) as err:
        harness.boot_pxe(lab["kernel"], [newc.gzip_bytes(arc.to_bytes())], "console=ttyS0 panic=0", timeout=80)
    assert "kernel panicked" in str(err.value)
    assert "Kernel panic" in err.value.console
    assert time.monotonic() - started < 60
