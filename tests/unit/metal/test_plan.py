"""The install planner and nestos-installer's command line (pure)."""
import base64

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.metal import bls, gpt, installer, plan

LINUX = "0fc63daf-8483-4772-8e79-3d69d8477de4"
ENTRY = bls.Entry.parse("ostree-1-nestos.conf", b"title t\noptions ignition.platform.id=metal $ignition_firstboot\n"
                                                b"linux /k\n")


def _table(extra=()):
    parts = [gpt.Partition(3, LINUX, "33333333-3333-4333-8333-333333333333", 4096, 8191, 0, "boot"),
             gpt.Partition(4, LINUX, "44444444-4444-4444-8444-444444444444", 8192, 9000, 0, "root")] + list(extra)
    return gpt.Table("00000000-0000-4000-a000-000000000001", 34, 20000, parts)


def _state(stamp=b"", config="a" * 64, entry=ENTRY, extra=()):
    return plan.DiskState(table=_table(extra), entry=entry, stamp=stamp, config_sha256=config)


def test_empty_disk_installs_and_booted_disk_is_left_alone():
    assert plan.plan(plan.Desired(), plan.DiskState()).install
    booted = plan.plan(plan.Desired(config_sha256="b" * 64), _state(stamp=None))
    assert not booted.install and "has booted" in booted.reasons[0]
    assert plan.plan(plan.Desired(force=True), _state(stamp=None)).install


def test_installed_disk_compares_config_kargs_firstboot_and_partitions():
    same = plan.Desired(config_sha256="a" * 64)
    assert not plan.plan(same, _state()).install
    assert "Ignition config differs" in plan.plan(plan.Desired(config_sha256="b" * 64), _state()).reasons[0]
    assert "kernel arguments" in plan.plan(plan.Desired(config_sha256="a" * 64, append=["x=1"]), _state()).reasons[0]
    assert "first-boot" in plan.plan(plan.Desired(config_sha256="a" * 64, firstboot_args="ip=dhcp"),
                                     _state()).reasons[0]
    data = gpt.Partition(5, LINUX, "55555555-5555-4555-8555-555555555555", 10000, 12000, 0, "data")
    extra = plan.plan(same, _state(extra=[data]))
    assert extra.install and "would not be saved" in extra.reasons[0]
    kept = plan.plan(plan.Desired(config_sha256="a" * 64, save_labels=["d*"]), _state(extra=[data]))
    assert not kept.install and [p.name for p in kept.saved] == ["data"]


def test_image_identity_and_saved_partition_conflicts():
    image = _table()
    assert not plan.plan(plan.Desired(config_sha256="a" * 64, image_table=image), _state()).install
    other = gpt.Table(image.disk_guid, 34, 20000, [gpt.Partition(3, LINUX, "99999999-3333-4333-8333-333333333333",
                                                                 4096, 8191, 0, "boot")])
    assert "image differs" in plan.plan(plan.Desired(config_sha256="a" * 64, image_table=other), _state()).reasons[0]
    with pytest.raises(NestosError, match="overlaps image partition"):
        clash = gpt.Partition(6, LINUX, "66666666-6666-4666-8666-666666666666", 8000, 8500, 0, "data")
        plan.plan(plan.Desired(save_labels=["data"], image_table=image), _state(extra=[clash]))


@pytest.mark.parametrize("ranges,message", [(["0"], "cannot be zero"), (["-"], "cannot be open"),
                                            (["5-3"], "greater than end"), (["x"], "couldn't parse"),
                                            (["1-2-3"], "couldn't parse partition index range")])
def test_partition_filters_as_upstream(ranges, message):
    with pytest.raises(NestosError, match=message):
        plan.parse_filters((), ranges)


def test_installer_argv_uses_long_flags_and_insecure_only_when_asked():
    opts = {"dest_device": "/dev/sda", "image_url": "https://x/metal.raw.xz", "platform": "qemu",
            "console": ["ttyS0,115200n8"], "append_kargs": ["a=1", "b"], "delete_kargs": ["quiet"],
            "firstboot_args": "ip=dhcp", "save_partlabel": ["data*"], "save_partindex": ["5-"],
            "copy_network": True, "network_dir": "/etc/nm", "fetch_retries": "infinite", "insecure": False,
            "preserve_on_error": True, "architecture": "x86_64"}
    argv = installer.installer_argv(opts, "/tmp/c.ign")
    assert argv[:2] == ["nestos-installer", "install"] and argv[-1] == "/dev/sda"
    text = " ".join(argv)
    for part in ("--image-url https://x/metal.raw.xz", "--platform qemu", "--console ttyS0,115200n8",
                 "--append-karg a=1 --append-karg b", "--delete-karg quiet", "--firstboot-args ip=dhcp",
                 "--save-partlabel data*", "--save-partindex 5-", "--copy-network", "--network-dir /etc/nm",
                 "--fetch-retries infinite", "--preserve-on-error", "--ignition-file /tmp/c.ign"):
        assert part in text
    assert "--insecure" not in argv and "--architecture" not in argv
    assert "--insecure" in installer.installer_argv(dict(opts, insecure=True))
    with pytest.raises(NestosError, match="infinite"):
        installer.installer_argv(dict(opts, fetch_retries="forever"))


def test_probe_output_parses_into_state():
    table = _table()
    primary, _backup = gpt.render(table, 20035 * 512)
    head = "NESTOS-PROBE SIZE %d\nNESTOS-PROBE HEAD %s\n" % (20035 * 512, base64.b64encode(primary).decode())
    parsed, size, image = installer.parse_head(head, "/dev/sda")
    assert [p.name for p in parsed.partitions] == ["boot", "root"] and size == 20035 * 512 and image is None
    boot = "NESTOS-PROBE ENTRY ostree-1-nestos.conf %s\nNESTOS-PROBE STAMP %s\nNESTOS-PROBE CONFIG %s\n" % (
        base64.b64encode(ENTRY.render().encode()).decode(), base64.b64encode(b"").decode() or "", "c" * 64)
    state = installer.parse_boot(boot, parsed, size)
    assert state.kind == "installed" and state.config_sha256 == "c" * 64
    gone = installer.parse_boot(boot.replace("STAMP \n", "STAMP -\n"), parsed, size)
    assert gone.kind == "booted"
    with pytest.raises(NestosError, match="does not exist"):
        installer.parse_head("NESTOS-PROBE ABSENT\n", "/dev/sdz")
