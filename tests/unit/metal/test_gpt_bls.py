"""GPT and BLS readers/writers of the metal engine (pure Python, no binaries)."""
import struct

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.metal import bls, gpt

MIB = 1024 * 1024
LINUX = "0fc63daf-8483-4772-8e79-3d69d8477de4"


def _table():
    parts = [gpt.Partition(1, gpt.BIOS_BOOT_TYPE, "11111111-1111-4111-8111-111111111111", 2048, 4095, 0, "BIOS-BOOT"),
             gpt.Partition(3, LINUX, "33333333-3333-4333-8333-333333333333", 4096, 8191, 4, "boot"),
             gpt.Partition(5, LINUX, "55555555-5555-4555-8555-555555555555", 8192, 10239, 0, "data")]
    return gpt.Table("00000000-0000-4000-a000-000000000001", 34, 0, parts)


def _disk(table, size=8 * MIB):
    disk = bytearray(size)
    primary, (at, backup) = gpt.render(table, size)
    disk[:len(primary)] = primary
    disk[at:at + len(backup)] = backup
    return bytes(disk)


def test_render_then_parse_round_trips():
    disk = _disk(_table())
    table = gpt.parse(disk[:gpt.HEAD_BYTES])
    assert table.disk_guid == "00000000-0000-4000-a000-000000000001"
    assert [(p.index, p.name, p.first_lba, p.last_lba, p.attributes) for p in table.partitions] == [
        (1, "BIOS-BOOT", 2048, 4095, 0), (3, "boot", 4096, 8191, 4), (5, "data", 8192, 10239, 0)]
    assert table.by_label("boot").start == 4096 * 512
    assert table.last_usable == 8 * MIB // 512 - 34 and table.backup_lba == 8 * MIB // 512 - 1
    # the backup header sits in the last sector and names the primary
    last = disk[-512:]
    assert last[:8] == b"EFI PART" and struct.unpack("<QQ", last[24:40]) == (8 * MIB // 512 - 1, 1)
    assert disk[510:512] == b"\x55\xaa" and disk[450] == 0xEE


def test_no_signature_is_no_table():
    assert gpt.parse(bytes(gpt.HEAD_BYTES)) is None


@pytest.mark.parametrize("offset,message", [(512 + 16, "header CRC32"), (1024 + 40, "entry array CRC32")])
def test_corruption_is_named(offset, message):
    disk = bytearray(_disk(_table()))
    disk[offset] ^= 0xFF
    with pytest.raises(NestosError, match=message):
        gpt.parse(bytes(disk[:gpt.HEAD_BYTES]), "disk.img")


def test_hostile_entry_count_is_refused_before_reading():
    disk = bytearray(_disk(_table()))
    disk[512 + 80:512 + 84] = struct.pack("<I", 1 << 30)
    crc_area = bytearray(disk[512:512 + 92])
    crc_area[16:20] = b"\0\0\0\0"
    import binascii
    disk[512 + 16:512 + 20] = struct.pack("<I", binascii.crc32(bytes(crc_area)) & 0xFFFFFFFF)
    with pytest.raises(NestosError, match="beyond the limits"):
        gpt.parse(bytes(disk[:gpt.HEAD_BYTES]))


def test_render_refuses_a_partition_past_the_disk():
    with pytest.raises(NestosError, match="does not fit a disk"):
        gpt.render(_table(), 4 * MIB)


ENTRY = ("title NestOS 22.03 (ostree:0)\nversion 1\n"
         "options ignition.platform.id=metal console=tty0 console=ttyS0 $ignition_firstboot root=UUID=x rw\n"
         "linux /ostree/x/vmlinuz\ninitrd /ostree/x/initramfs.img\n")


def test_bls_edits_as_nestos_installer_orders_them():
    entry = bls.Entry.parse("ostree-1-nestos.conf", ENTRY.encode())
    opts = bls.edit_options(entry.options, delete=["rw"], append=["mitigations=auto,nosmt", "rw"],
                            platform="qemu", console=["ttyS1,9600"])
    assert opts == ("ignition.platform.id=qemu $ignition_firstboot root=UUID=x mitigations=auto,nosmt rw "
                    "console=ttyS1,9600")
    assert bls.options_satisfied(opts, delete=["quiet"], append=["rw"], platform="qemu", console=["ttyS1,9600"])
    assert not bls.options_satisfied(opts, append=["quiet"])
    new = entry.with_options(opts).render()
    assert new.splitlines()[2] == "options " + opts and new.splitlines()[0] == entry.lines[0]


def test_firstboot_stamp_and_expansion():
    stamp = bls.append_firstboot("", "ip=dhcp rd.neednet=1")
    assert stamp == 'set ignition_network_kcmdline="ip=dhcp rd.neednet=1"\n'
    assert bls.firstboot_args(stamp) == "ip=dhcp rd.neednet=1"
    assert bls.firstboot_args("") is None
    assert bls.expand("a $ignition_firstboot b", stamp) == "a ignition.firstboot ip=dhcp rd.neednet=1 b"
    assert bls.expand("a $ignition_firstboot b", None) == "a b"
    with pytest.raises(NestosError, match="double quotes"):
        bls.append_firstboot("", 'x="y"')


def test_bls_entry_errors_name_the_file_and_line():
    with pytest.raises(NestosError) as err:
        bls.Entry.parse("e.conf", b"title x\nbogus\nlinux /k\n")
    assert err.value.file == "e.conf" and err.value.line == 2
    with pytest.raises(NestosError, match="no linux line"):
        bls.Entry.parse("e.conf", b"title x\n")
    with pytest.raises(NestosError, match="not UTF-8"):
        bls.Entry.parse("e.conf", b"title \xff\nlinux /k\n")
