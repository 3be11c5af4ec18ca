"""Fuzzing the live engine's readers of host input: ISO metadata (igninfo/kargs/features JSON),
the ISO9660 reader, initrd/cpio archives (newc, gzip/xz/zstd members) and miniso tables.

Each test runs ``NESTOS_FUZZ_EXAMPLES`` inputs (10,000 in CI, 1,000,000 with ``make fuzz``);
the only exception allowed out of the engine is :class:`NestosError`.
"""
import gzip
import io
import json
import lzma
import shutil
import struct
import subprocess

from hypothesis import given, strategies as st

from ansible_collections.nestos.lifecycle.plugins.module_utils.live import metadata
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.initrd import Limits, make_newc, read_initrd
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.iso9660 import IsoFs
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.miniso import MAGIC, VERSION, parse_miniso
from tests.support.fuzzing import only_nestos_errors

SMALL = Limits(member=1 << 20, total=4 << 20, kept=2 << 20)

json_scalars = st.none() | st.booleans() | st.integers(min_value=-(1 << 70), max_value=1 << 70) | \
    st.floats(allow_nan=False) | st.text(max_size=30)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4) |
                           st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)
# values for the fields the readers know, of every type
field = json_scalars | st.lists(json_scalars, max_size=3) | \
    st.dictionaries(st.text(max_size=5), json_scalars, max_size=3)
kargs_entry = st.fixed_dictionaries({}, optional={"path": field | st.sampled_from(["EFI/x/grub.cfg", "a"]),
                                                  "offset": field | st.integers(-5000, 5000),
                                                  "pad": field | st.sampled_from(["#", "\0", "##", "\ud800"]),
                                                  "end": field})


@given(st.one_of(json_values, st.fixed_dictionaries({}, optional={"file": field | st.just("images/ignition.img"),
                                                                  "offset": field | st.integers(-10, 1 << 20),
                                                                  "length": field | st.integers(-10, 1 << 20)})),
       st.integers(min_value=0, max_value=1 << 20))
def test_fuzz_igninfo(obj, file_length):
    info, _err = only_nestos_errors(metadata.parse_igninfo, obj, "igninfo.json")
    if info is not None:
        area, _err = only_nestos_errors(info.area, file_length, "igninfo.json")
        if area is not None:
            offset, length = area
            assert 0 <= offset and 0 < length and offset + length <= file_length


@given(st.one_of(json_values, st.fixed_dictionaries({}, optional={
    "size": field | st.integers(-5, 3000), "default": field | st.text(max_size=40),
    "files": field | st.lists(kargs_entry | json_values, max_size=4)})))
def test_fuzz_kargs_json(obj):
    info, _err = only_nestos_errors(metadata.parse_kargs_info, obj, "kargs.json")
    if info is not None:
        assert 0 < info.size <= metadata.KARG_AREA_MAX
        for entry in info.files:
            assert entry.offset >= 0 and len(entry.pad.encode()) == 1 and len(entry.end.encode()) == 1
            only_nestos_errors(entry.check_extent, info.size, 4096, "kargs.json", "$.files")


@given(st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()))
def test_fuzz_features_json(raw):
    obj, _err = only_nestos_errors(metadata.decode_json, raw, "features.json")
    features = metadata.normalize_features(obj)
    assert set(features) == {"installer-config", "installer-config-directives", "live-initrd-network"}


def _zstd(data):
    exe = shutil.which("zstd")
    assert exe, "zstd is an apt package of this area (mk/live.mk)"
    return subprocess.run([exe, "-q", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout


SEEDS = [make_newc({"config.ign": b"{}", "etc/nestos-firstboot-network/eth0": b"[c]\n"}),
         make_newc({"a/b/c": b"x" * 300, "d": b""})]
PACKED = [s for seed in SEEDS for s in (seed, gzip.compress(seed), lzma.compress(seed, check=lzma.CHECK_CRC32),
                                        _zstd(seed))]


@st.composite
def mutated_archives(draw):
    parts = draw(st.lists(st.sampled_from(PACKED), min_size=1, max_size=3))
    data = bytearray(b"".join(p + b"\0" * draw(st.integers(0, 5)) for p in parts))
    for _edit in range(draw(st.integers(0, 4))):
        pos = draw(st.integers(0, len(data) - 1))
        action = draw(st.integers(0, 2))
        if action == 0:
            data[pos] = draw(st.integers(0, 255))
        elif action == 1:
            del data[pos:pos + draw(st.integers(1, 16))]
        else:
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
    return bytes(data)


@given(mutated_archives() | st.binary(max_size=400))
def test_fuzz_initrd_reader(data):
    members, _err = only_nestos_errors(read_initrd, data, name="initrd.img", limits=SMALL)
    if members is not None:
        assert all(isinstance(k, str) and isinstance(v, bytes) for k, v in members.items())


@given(mutated_archives())
def test_fuzz_initrd_reader_filtered_stream(data):
    only_nestos_errors(read_initrd, io.BytesIO(data), name="initrd.img", keep=lambda m: m == "config.ign",
                       limits=SMALL)


def _varint(n):
    if n < 251:
        return bytes([n])
    for code, fmt in ((251, "<H"), (252, "<I"), (253, "<Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([code]) + struct.pack(fmt, n)
    return b"\xfe"


@st.composite
def miniso_tables(draw):
    ints = st.integers(0, 1 << 40) | st.integers(0, 300)
    out = MAGIC + _varint(draw(st.sampled_from([VERSION, VERSION + 1, 0])))
    app = draw(st.binary(max_size=10))
    out += _varint(len(app)) + app
    entries = draw(st.lists(st.tuples(ints, ints, ints), max_size=5))
    out += _varint(draw(st.sampled_from([len(entries), 1 << 60, 0])))
    for triple in entries:
        out += b"".join(_varint(v) for v in triple)
    out += draw(st.binary(min_size=0, max_size=40))
    return out


@given(miniso_tables() | st.binary(max_size=200))
def test_fuzz_miniso_table(data):
    only_nestos_errors(parse_miniso, data, name="miniso.dat")


ISO_HEAD = bytearray(36 * 2048)
ISO_HEAD[16 * 2048:16 * 2048 + 6] = b"\x01CD001"


@given(st.lists(st.tuples(st.integers(16 * 2048, 36 * 2048 - 1), st.integers(0, 255)), max_size=40))
def test_fuzz_iso9660_reader(pokes):
    data = bytearray(ISO_HEAD)
    for pos, value in pokes:
        data[pos] = value

    def walk():
        fs = IsoFs(io.BytesIO(bytes(data)), name="fuzz.iso")
        fs.exists("NESTOS/KARGS.JSO")
        return list(fs.walk())
    only_nestos_errors(walk)
