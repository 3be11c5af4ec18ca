# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""GUID partition tables (UEFI 2.10 section 5.3), read and written in pure Python.

Only 512-byte logical sectors are handled (NestOS's 4Kn metal image is a separate artifact).
Reading checks the header signature, its size, the header CRC32 and the entry-array CRC32;
every count is bounded (:data:`MAX_ENTRIES`, :data:`MAX_ENTRY_SIZE`) before anything is
allocated, so a hostile table cannot make the reader allocate or loop without limit.

Writing (:func:`render`) produces the primary header (LBA 1) and entry array (LBA 2..33) and
the backup array and header at the end of the disk, with both CRCs, for a disk of a given
size: this is how a saved partition is put back after the image is written and how the
backup table moves to the end of a disk larger than the image (what ``sgdisk -e`` does).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import binascii
import struct
import uuid

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

SECTOR = 512
SIGNATURE = b"EFI PART"
REVISION = 0x00010000
HEADER_SIZE = 92
HEADER_FMT = "<8sIIIIQQQQ16sQIII"       # up to and including the entry-array CRC
ENTRY_FMT = "<16s16sQQQ72s"             # type, unique, first, last, attributes, name (UTF-16LE)
ENTRY_SIZE = 128
DEFAULT_ENTRIES = 128
ARRAY_SECTORS = DEFAULT_ENTRIES * ENTRY_SIZE // SECTOR   # 32
# limits for tables read from a disk or image (the UEFI minimum array is 16 KiB; real tools
# never write more than a few hundred entries)
MAX_ENTRIES = 4096
MAX_ENTRY_SIZE = 4096
MAX_ARRAY_BYTES = 1024 * 1024
HEAD_BYTES = SECTOR * (2 + ARRAY_SECTORS)  # protective MBR + header + default array: 17408
ZERO_GUID = b"\0" * 16
BIOS_BOOT_TYPE = "21686148-6449-6e6f-744e-656564454649"


def _crc(data):
    return binascii.crc32(data) & 0xFFFFFFFF


def guid_text(raw):
    return str(uuid.UUID(bytes_le=bytes(raw)))


def guid_bytes(text):
    try:
        return uuid.UUID(str(text)).bytes_le
    except ValueError:
        raise NestosError("not a GUID: %r" % (text,))


class Partition(object):
    """One used entry. ``index`` is 1-based (the partition number)."""

    __slots__ = ("index", "type_guid", "unique_guid", "first_lba", "last_lba", "attributes", "name")

    def __init__(self, index, type_guid, unique_guid, first_lba, last_lba, attributes=0, name=""):
        self.index = index
        self.type_guid = type_guid.lower()
        self.unique_guid = unique_guid.lower()
        self.first_lba = first_lba
        self.last_lba = last_lba
        self.attributes = attributes
        self.name = name

    @property
    def start(self):
        return self.first_lba * SECTOR

    @property
    def size(self):
        return (self.last_lba - self.first_lba + 1) * SECTOR

    def overlaps(self, other):
        return self.first_lba <= other.last_lba and other.first_lba <= self.last_lba

    def as_dict(self):
        return {"index": self.index, "label": self.name, "type": self.type_guid, "uuid": self.unique_guid,
                "first_lba": self.first_lba, "last_lba": self.last_lba, "start": self.start, "size": self.size}

    def identity(self):
        """What identifies an image partition until first boot randomizes the GUIDs."""
        return (self.index, self.type_guid, self.unique_guid, self.first_lba, self.last_lba, self.name)

    def entry_bytes(self, size=ENTRY_SIZE):
        name = self.name.encode("utf-16-le")[:72]
        raw = struct.pack(ENTRY_FMT, guid_bytes(self.type_guid), guid_bytes(self.unique_guid),
                          self.first_lba, self.last_lba, self.attributes, name.ljust(72, b"\0"))
        return raw.ljust(size, b"\0")


class Table(object):
    """A GPT: disk GUID, usable range and used partitions (sorted by index)."""

    def __init__(self, disk_guid, first_usable, last_usable, partitions, header_lba=1, backup_lba=None):
        self.disk_guid = disk_guid.lower()
        self.first_usable = first_usable
        self.last_usable = last_usable
        self.partitions = sorted(partitions, key=lambda p: p.index)
        self.header_lba = header_lba
        self.backup_lba = backup_lba

    def by_label(self, label):
        for part in self.partitions:
            if part.name == label:
                return part
        return None

    def by_index(self, index):
        for part in self.partitions:
            if part.index == index:
                return part
        return None

    @property
    def end_lba(self):
        """The last LBA any partition uses (0 without partitions)."""
        return max([p.last_lba for p in self.partitions] or [0])

    def as_list(self):
        return [p.as_dict() for p in self.partitions]


def _header(data, what):
    if len(data) < 2 * SECTOR:
        raise NestosError("%s: too short for a GPT (%d bytes)" % (what, len(data)))
    raw = data[SECTOR:SECTOR + HEADER_SIZE]
    fields = struct.unpack(HEADER_FMT, raw)
    (sig, _rev, hsize, hcrc, _res, cur, backup, first, last, dguid, entries_lba, count, esize,
     array_crc) = fields
    if sig != SIGNATURE:
        return None
    if hsize < HEADER_SIZE or hsize > SECTOR:
        raise NestosError("%s: GPT header size %d is outside 92..512" % (what, hsize))
    check = bytearray(data[SECTOR:SECTOR + hsize])
    check[16:20] = b"\0\0\0\0"
    if _crc(bytes(check)) != hcrc:
        raise NestosError("%s: GPT header CRC32 mismatch (corrupt partition table)" % what)
    if count > MAX_ENTRIES or esize < ENTRY_SIZE or esize > MAX_ENTRY_SIZE or esize % 8 \
            or count * esize > MAX_ARRAY_BYTES:
        raise NestosError("%s: GPT entry array of %d x %d bytes is beyond the limits (%d entries, %d bytes)"
                          % (what, count, esize, MAX_ENTRIES, MAX_ARRAY_BYTES))
    if first > last or cur != 1:
        raise NestosError("%s: GPT header has an impossible layout (current LBA %d, usable %d..%d)"
                          % (what, cur, first, last))
    return dict(backup=backup, first=first, last=last, disk_guid=guid_text(dguid), entries_lba=entries_lba,
                count=count, esize=esize, array_crc=array_crc)


def array_bytes_needed(data, what="disk"):
    """How many bytes from the start of the disk the entry array needs (0 without a GPT)."""
    head = _header(data, what)
    if head is None:
        return 0
    return (head["entries_lba"] * SECTOR) + head["count"] * head["esize"]


def parse(data, what="disk"):
    """The primary GPT in ``data`` (the first bytes of a disk: at least :data:`HEAD_BYTES`, or
    :func:`array_bytes_needed`); None when there is no GPT signature at LBA 1."""
    head = _header(data, what)
    if head is None:
        return None
    start = head["entries_lba"] * SECTOR
    if head["entries_lba"] < 2 or start > MAX_ARRAY_BYTES * 2:
        raise NestosError("%s: GPT entry array at LBA %d is not where a disk holds it"
                          % (what, head["entries_lba"]))
    length = head["count"] * head["esize"]
    array = data[start:start + length]
    if len(array) < length:
        raise NestosError("%s: GPT entry array is truncated (%d of %d bytes)" % (what, len(array), length))
    if _crc(array) != head["array_crc"]:
        raise NestosError("%s: GPT entry array CRC32 mismatch (corrupt partition table)" % what)
    parts = []
    for i in range(head["count"]):
        raw = array[i * head["esize"]:i * head["esize"] + ENTRY_SIZE]
        tguid, uguid, first, last, attrs, name = struct.unpack(ENTRY_FMT, raw)
        if tguid == ZERO_GUID:
            continue
        if first > last or first < head["first"] or last > head["last"]:
            raise NestosError("%s: GPT partition %d spans LBA %d..%d outside the usable %d..%d"
                              % (what, i + 1, first, last, head["first"], head["last"]))
        label = name.decode("utf-16-le", "replace").split("\0", 1)[0]
        parts.append(Partition(i + 1, guid_text(tguid), guid_text(uguid), first, last, attrs, label))
    return Table(head["disk_guid"], head["first"], head["last"], parts, backup_lba=head["backup"])


def render(table, disk_bytes):
    """(primary bytes written at offset 0 — protective MBR, header, array — and
    (backup offset, backup bytes)) for ``table`` on a disk of ``disk_bytes``."""
    sectors = disk_bytes // SECTOR
    last_lba = sectors - 1
    last_usable = last_lba - 1 - ARRAY_SECTORS
    first_usable = 2 + ARRAY_SECTORS
    for part in table.partitions:
        if part.index < 1 or part.index > DEFAULT_ENTRIES:
            raise NestosError("partition number %d is outside 1..%d" % (part.index, DEFAULT_ENTRIES))
        if part.first_lba < first_usable or part.last_lba > last_usable:
            raise NestosError("partition %d (%s) LBA %d..%d does not fit a disk of %d bytes (usable %d..%d)"
                              % (part.index, part.name, part.first_lba, part.last_lba, disk_bytes,
                                 first_usable, last_usable))
    array = bytearray(DEFAULT_ENTRIES * ENTRY_SIZE)
    for part in table.partitions:
        off = (part.index - 1) * ENTRY_SIZE
        array[off:off + ENTRY_SIZE] = part.entry_bytes()
    array = bytes(array)
    array_crc = _crc(array)

    def header(current, backup, entries_lba):
        fields = [SIGNATURE, REVISION, HEADER_SIZE, 0, 0, current, backup, first_usable, last_usable,
                  guid_bytes(table.disk_guid), entries_lba, DEFAULT_ENTRIES, ENTRY_SIZE, array_crc]
        raw = struct.pack(HEADER_FMT, *fields)
        fields[3] = _crc(raw)
        return struct.pack(HEADER_FMT, *fields).ljust(SECTOR, b"\0")

    mbr = bytearray(SECTOR)
    size = min(sectors - 1, 0xFFFFFFFF)
    mbr[446:462] = struct.pack("<B3sB3sII", 0, b"\x00\x02\x00", 0xEE, b"\xff\xff\xff", 1, size)
    mbr[510:512] = b"\x55\xaa"
    primary = bytes(mbr) + header(1, last_lba, 2) + array
    backup = array + header(last_lba, 1, last_lba - ARRAY_SECTORS)
    return primary, ((last_lba - ARRAY_SECTORS) * SECTOR, backup)


def new_table_like(image, partitions):
    """A table with the image's disk GUID holding ``partitions`` (usable range recomputed on render)."""
    return Table(image.disk_guid, image.first_usable, image.last_usable, partitions)
