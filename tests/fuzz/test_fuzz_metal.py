"""Fuzzing the metal engine's readers of disk and host input: GPT headers and entry arrays
(valid tables mutated, CRCs recomputed so the parser's deeper checks are reached), BLS entries,
first-boot stamps, partition filters, the installer probes' output and decompression heads.

The engine gets ``NESTOS_FUZZ_EXAMPLES`` inputs in all (10,000 in CI, 1,000,000 with ``make fuzz``),
shared between its tests;
the only exception allowed out of the engine is :class:`NestosError`.
"""
import base64
import binascii
import io
import lzma
import struct

from hypothesis import given, strategies as st

from ansible_collections.nestos.lifecycle.plugins.module_utils.metal import bls, gpt, installer, plan
from ansible_collections.nestos.lifecycle.plugins.module_utils.stream import decompress
from tests.support.fuzzing import only_nestos_errors


LINUX = "0fc63daf-8483-4772-8e79-3d69d8477de4"


def _valid_head():
    parts = [gpt.Partition(1, gpt.BIOS_BOOT_TYPE, "11111111-1111-4111-8111-111111111111", 2048, 4095, 0, "BIOS-BOOT"),
             gpt.Partition(3, LINUX, "33333333-3333-4333-8333-333333333333", 4096, 8191, 0, "boot")]
    primary, _backup = gpt.render(gpt.Table("00000000-0000-4000-a000-000000000001", 34, 0, parts), 16 << 20)
    return primary


VALID = _valid_head()


def _fix_crcs(data):
    data = bytearray(data)
    count, esize = struct.unpack("<II", bytes(data[512 + 80:512 + 88]))
    lba = struct.unpack("<Q", bytes(data[512 + 72:512 + 80]))[0]
    if 2 <= lba < 64 and count * esize < (1 << 20):
        array = bytes(data[lba * 512:lba * 512 + count * esize])
        data[512 + 88:512 + 92] = struct.pack("<I", binascii.crc32(array) & 0xFFFFFFFF)
    hsize = struct.unpack("<I", bytes(data[512 + 12:512 + 16]))[0]
    if 92 <= hsize <= 512:
        head = bytearray(data[512:512 + hsize])
        head[16:20] = b"\0\0\0\0"
        data[512 + 16:512 + 20] = struct.pack("<I", binascii.crc32(bytes(head)) & 0xFFFFFFFF)
    return bytes(data)


mutation = st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), max_size=12)


@given(mutation, st.booleans(), st.integers(0, len(VALID)))
def test_fuzz_gpt_mutated(changes, fix, cut):
    data = bytearray(VALID)
    for offset, value in changes:
        data[offset] = value
    data = _fix_crcs(data) if fix else bytes(data)
    table, _err = only_nestos_errors(gpt.parse, data[:max(cut, 1024)], "fuzz.img")
    if table is not None:
        for part in table.partitions:
            assert table.first_usable <= part.first_lba <= part.last_lba <= table.last_usable
            assert 1 <= part.index <= gpt.MAX_ENTRIES
        only_nestos_errors(gpt.array_bytes_needed, data, "fuzz.img")


@given(st.binary(max_size=20000))
def test_fuzz_gpt_random(data):
    only_nestos_errors(gpt.parse, b"\0" * 512 + b"EFI PART" + data, "fuzz.img")
    only_nestos_errors(gpt.parse, data, "fuzz.img")


bls_line = st.one_of(st.text(max_size=60), st.sampled_from(["options a b $ignition_firstboot", "linux /k",
                                                            "title x", "#c", "", "options"]))


@given(st.lists(bls_line, max_size=12) | st.binary(max_size=300).map(lambda b: [b.decode("latin-1")]),
       st.lists(st.text(max_size=12), max_size=4), st.lists(st.text(max_size=12), max_size=4),
       st.none() | st.text(max_size=10), st.lists(st.text(max_size=10), max_size=2))
def test_fuzz_bls_entry_and_edits(lines, delete, append, platform, console):
    entry, _err = only_nestos_errors(bls.Entry.parse, "e.conf", "\n".join(lines).encode("utf-8", "surrogatepass"))
    if entry is not None:
        opts = bls.edit_options(entry.options, delete, append, platform, console)
        assert isinstance(entry.with_options(opts).render(), str)
        only_nestos_errors(bls.options_satisfied, opts, delete, append, platform, console)


@given(st.binary(max_size=2000), st.text(max_size=40))
def test_fuzz_firstboot_stamp(stamp, args):
    only_nestos_errors(bls.firstboot_args, stamp)
    only_nestos_errors(bls.append_firstboot, stamp, args)
    only_nestos_errors(bls.expand, "a $ignition_firstboot", stamp)


@given(st.lists(st.text(max_size=8), max_size=3), st.lists(st.text(alphabet="0123456789-x ", max_size=8), max_size=4))
def test_fuzz_partition_filters(labels, indexes):
    only_nestos_errors(plan.parse_filters, labels, indexes)


records = st.lists(st.tuples(st.sampled_from(["SIZE", "HEAD", "IMAGE", "ENTRY", "STAMP", "CONFIG", "ABSENT", "NOBOOT",
                                              "X"]),
                             st.one_of(st.text(max_size=30), st.just(base64.b64encode(VALID).decode()),
                                       st.binary(max_size=200).map(lambda b: base64.b64encode(b).decode()))),
                   max_size=8)


@given(records)
def test_fuzz_probe_output(items):
    text = "".join("NESTOS-PROBE %s %s\n" % item for item in items)
    parsed, _err = only_nestos_errors(installer.parse_head, text, "/dev/sda")
    table = parsed[0] if parsed else None
    only_nestos_errors(installer.parse_boot, text, table, None)


XZ = lzma.compress(VALID + b"\0" * 50000, check=lzma.CHECK_CRC32)


@given(st.integers(0, len(XZ)), st.lists(st.tuples(st.integers(0, len(XZ) - 1), st.integers(0, 255)), max_size=4))
def test_fuzz_decompression_head(cut, changes):
    data = bytearray(XZ[:cut])
    for offset, value in changes:
        if offset < len(data):
            data[offset] = value
    only_nestos_errors(decompress.head, io.BytesIO(bytes(data)), "fuzz.xz", gpt.HEAD_BYTES, 1 << 20)
