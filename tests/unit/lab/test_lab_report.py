"""Lab tooling without booting: the console report parser (the newc/xz writer against the real
cpio and xz tools: tests/conformance/lab_tools)."""
import base64

import pytest

from tests.lab import harness


def b64(text):
    return base64.b64encode(text.encode()).decode()


PASSWD0 = "root:x:0:0:root:/root:/bin/sh\n"
GROUP0 = "root:x:0:\nwheel:x:10:\n"
SHADOW0 = "root:*:19000:0:99999:7:::\n"
PASSWD1 = PASSWD0 + "nest:x:1000:1000::/home/nest:/bin/bash\n"
GROUP1 = "root:x:0:\nwheel:x:10:nest\nnest:x:1000:\n"
SHADOW1 = SHADOW0 + "nest:!:20000::::::\n"
KEYS = "ssh-ed25519 AAAA one\nssh-rsa BBBB two\n"
PRESET = "enable a.service\ndisable b.service\n"
LOG = "INFO     : Stage: files\nCRITICAL : files failed: something\nWARNING  : odd\n"


def console(outcome="success"):
    lines = [
        "SeaBIOS noise\r",
        "\x1b[2Jlab-init: running Ignition (platform qemu)",
        "NESTOS-LAB-REPORT-BEGIN 1",
        "K " + b64("ignition.firstboot ignition.platform.id=qemu\n"),
        "O " + outcome,
        "S fetch-offline:0 files:1",
        "P qemu",
        "U initrd",
        "N eth0 192.168.122.5/24",
        "M nestos-live-initramfs " + b64("lab.1234\n"),
        "C " + b64("{}") + " initrd:/config.ign",
        "C " + b64("[connection]\n") + " initrd:/etc/nestos-firstboot-network/eth0.nmconnection",
        "E f 644 0 0 5 abc /etc/hostname",
        "E f 644 0 0 5 def /etc/with space",
        "E f 644 0 0 0 e3b /etc/.pwd.lock",
        "E f 644 0 0 %d s1 /etc/passwd" % len(PASSWD1),
        "E f 644 0 0 %d s2 /etc/group" % len(GROUP1),
        "E f 600 0 0 %d s3 /etc/shadow" % len(SHADOW1),
        "E d 700 1000 1000 - - /home/nest/.ssh",
        "E f 600 1000 1000 30 s4 /home/nest/.ssh/authorized_keys.d/ignition",
        "E l 777 0 0 - %s /etc/systemd/system/b.service" % b64("/dev/null\n"),
        "E f 644 0 0 9 s5 /etc/systemd/system/a.service",
        "E f 644 0 0 9 s6 /etc/systemd/system/c.service.d/10-x.conf",
        "E f 644 0 0 40 s7 /etc/systemd/system-preset/20-ignition.preset",
        "E f 600 0 0 3 s8 /etc/nestos/installer.d/0000-a.yaml",
        "E f 600 0 0 2 s9 /etc/nestos/dest.ign",
        "C " + b64("host\n") + " /etc/hostname",
        "C " + b64("sp") + " /etc/with space",
        "C " + b64(PASSWD1) + " /etc/passwd",
        "C " + b64(GROUP1) + " /etc/group",
        "C " + b64(SHADOW1) + " /etc/shadow",
        "C " + b64(KEYS) + " /home/nest/.ssh/authorized_keys.d/ignition",
        "C " + b64("[Unit]\n") + " /etc/systemd/system/a.service",
        "C " + b64("[Service]\n") + " /etc/systemd/system/c.service.d/10-x.conf",
        "C " + b64(PRESET) + " /etc/systemd/system-preset/20-ignition.preset",
        "C " + b64("a: 1") + " /etc/nestos/installer.d/0000-a.yaml",
        "C " + b64("{}") + " /etc/nestos/dest.ign",
        "B /etc/passwd " + b64(PASSWD0),
        "B /etc/group " + b64(GROUP0),
        "B /etc/shadow " + b64(SHADOW0),
        "L " + b64(LOG),
        "NESTOS-LAB-REPORT-END",
        "reboot: Power down",
    ]
    return "\r\n".join(lines) + "\r\n"


def test_parse_console_reads_every_section():
    report = harness.parse_console(console())
    assert report.cmdline == "ignition.firstboot ignition.platform.id=qemu"
    assert report.ignition["outcome"] == "success" and report.succeeded
    assert report.ignition["stages"] == {"fetch-offline": 0, "files": 1}
    assert report.ignition["user_config"] == "initrd"
    assert report.ignition["messages"] == ["CRITICAL : files failed: something"]
    assert report.ignition["warnings"] == ["WARNING  : odd"]
    assert report.file("/etc/hostname") == {"mode": 0o644, "uid": 0, "gid": 0, "size": 5,
                                            "sha256": "abc", "content": b"host\n"}
    assert report.text("/etc/with space") == "sp"
    assert "/etc/.pwd.lock" not in report.files and "/etc/.pwd.lock" in report.bookkeeping
    assert report.dirs == {"/home/nest/.ssh": {"mode": 0o700, "uid": 1000, "gid": 1000}}
    assert report.links == {"/etc/systemd/system/b.service": {"target": "/dev/null", "uid": 0, "gid": 0}}
    assert report.users == {"nest": {"uid": 1000, "gid": 1000, "gecos": "", "home": "/home/nest",
                                     "shell": "/bin/bash", "groups": ["wheel"],
                                     "ssh_authorized_keys": ["ssh-ed25519 AAAA one", "ssh-rsa BBBB two"],
                                     "password_hash_set": False}}
    assert report.groups == {"wheel": {"gid": 10, "members": ["nest"]}, "nest": {"gid": 1000, "members": []}}
    assert report.units == {
        "a.service": {"contents": "[Unit]\n", "enabled": True, "masked": False, "dropins": {}},
        "b.service": {"contents": None, "enabled": False, "masked": True, "dropins": {}},
        "c.service": {"contents": None, "enabled": None, "masked": False, "dropins": {"10-x.conf": "[Service]\n"}},
    }
    assert report.installer_d == {"0000-a.yaml": "a: 1"}
    assert report.dest_ign == "{}"
    assert report.firstboot_network == {"eth0.nmconnection": "[connection]\n"}
    assert report.initrd_config == b"{}"
    assert report.stamps == {"nestos-live-initramfs": "lab.1234"}
    assert report.network == {"interface": "eth0", "address": "192.168.122.5/24"}
    assert "nest" in report.summary()


def test_last_report_wins_and_serial_log_file(tmp_path):
    text = console("failure") + "rebooting\n" + console("success")
    log = tmp_path / "serial.log"
    log.write_bytes(text.encode())
    assert harness.read_serial_log(str(log)).ignition["outcome"] == "success"
    assert harness.parse_console(console("failure")).succeeded is False


def test_missing_report_raises_with_console_tail():
    with pytest.raises(harness.LabBootError) as err:
        harness.parse_console("Kernel panic - not syncing: no init found\n")
    assert "Kernel panic" in str(err.value)
    with pytest.raises(harness.LabBootError):
        harness.parse_console("NESTOS-LAB-REPORT-BEGIN 1\nO success\n")  # cut short
