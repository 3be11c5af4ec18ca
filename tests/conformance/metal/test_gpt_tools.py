"""The metal engine's GPT reader and writer against util-linux sfdisk and gdisk's sgdisk."""
import json
import subprocess

from ansible_collections.nestos.lifecycle.plugins.module_utils.metal import gpt

MIB = 1024 * 1024


def _sfdisk(path):
    out = subprocess.run(["sfdisk", "--json", str(path)], check=True, stdout=subprocess.PIPE).stdout
    return json.loads(out)["partitiontable"]


def test_reads_what_sgdisk_writes(tmp_path):
    disk = tmp_path / "d.raw"
    with open(disk, "wb") as handle:
        handle.truncate(64 * MIB)
    subprocess.run(["sgdisk", "-o", "-n", "1:2048:+1M", "-t", "1:EF02", "-c", "1:BIOS-BOOT",
                    "-n", "3:0:+8M", "-c", "3:boot", "-A", "3:set:2", "-n", "7:0:+4M", "-c", "7:dàta ünïcode",
                    str(disk)], check=True, stdout=subprocess.DEVNULL)
    table = gpt.parse(disk.read_bytes()[:gpt.HEAD_BYTES], str(disk))
    ref = _sfdisk(disk)
    assert table.disk_guid == ref["id"].lower()
    ours = [(p.index, p.first_lba, p.last_lba - p.first_lba + 1, p.type_guid, p.unique_guid, p.name)
            for p in table.partitions]
    theirs = [(int(p["node"].rsplit("raw", 1)[1]), p["start"], p["size"], p["type"].lower(), p["uuid"].lower(),
               p.get("name", "")) for p in ref["partitions"]]
    assert ours == theirs
    assert table.by_label("boot").attributes == 1 << 2
    assert table.last_usable == ref["lastlba"]


def test_sfdisk_and_sgdisk_accept_what_we_write(tmp_path):
    disk = tmp_path / "d.raw"
    size = 48 * MIB
    parts = [gpt.Partition(1, gpt.BIOS_BOOT_TYPE, "2561117e-ac50-4990-a264-5aed1574b0c7", 2048, 4095, 0, "BIOS-BOOT"),
             gpt.Partition(3, "0fc63daf-8483-4772-8e79-3d69d8477de4", "aea4d1ec-0b61-46a9-a906-3d5d1718829c",
                           4096, 20479, 0, "boot"),
             gpt.Partition(5, "0fc63daf-8483-4772-8e79-3d69d8477de4", "55555555-5555-4555-8555-555555555555",
                           40960, 61439, 0, "data")]
    primary, (at, backup) = gpt.render(gpt.Table("00000000-0000-4000-a000-000000000001", 34, 0, parts), size)
    with open(disk, "wb") as handle:
        handle.truncate(size)
        handle.write(primary)
        handle.seek(at)
        handle.write(backup)
    verify = subprocess.run(["sfdisk", "--verify", str(disk)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, check=False)
    assert verify.returncode == 0 and "No errors detected" in verify.stdout, verify.stdout
    check = subprocess.run(["sgdisk", "-v", str(disk)], stdout=subprocess.PIPE, text=True, check=False)
    assert "No problems found" in check.stdout, check.stdout
    ref = _sfdisk(disk)
    assert [(p.get("name"), p["start"]) for p in ref["partitions"]] == [("BIOS-BOOT", 2048), ("boot", 4096),
                                                                        ("data", 40960)]
