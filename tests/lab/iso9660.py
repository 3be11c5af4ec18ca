"""A minimal ISO9660 reader for the lab: walks the Primary Volume Descriptor tree only
(no Rock Ridge, no Joliet), the way nestos-installer locates files, and returns byte
offsets of files inside the image. Independent of the collection's live engine so the
lab can check that engine's results against its own reading of the image."""
import struct

SECTOR = 2048


class IsoError(ValueError):
    pass


class IsoReader:
    def __init__(self, handle):
        self.handle = handle
        pvd = self._read(16 * SECTOR, SECTOR)
        if pvd[0:1] != b"\x01" or pvd[1:6] != b"CD001":
            raise IsoError("no ISO9660 primary volume descriptor at sector 16")
        self.volume_id = pvd[40:72].decode("ascii", "replace").rstrip()
        self.root = self._record(pvd[156:190])

    def _read(self, offset, length):
        self.handle.seek(offset)
        data = self.handle.read(length)
        if len(data) != length:
            raise IsoError("image truncated at offset %d" % offset)
        return data

    @staticmethod
    def _record(raw):
        extent = struct.unpack_from("<I", raw, 2)[0]
        size = struct.unpack_from("<I", raw, 10)[0]
        flags = raw[25]
        name_len = raw[32]
        name = raw[33:33 + name_len]
        if name in (b"\x00", b"\x01"):
            text = name.decode("latin-1")
        else:
            text = name.decode("ascii", "replace").split(";")[0]
            if text.endswith("."):
                text = text[:-1]
        return {"name": text, "extent": extent, "size": size, "dir": bool(flags & 2)}

    def listdir(self, record):
        data = self._read(record["extent"] * SECTOR, record["size"])
        pos, out = 0, []
        while pos < len(data):
            length = data[pos]
            if length == 0:  # records never cross a sector; skip to the next one
                pos = (pos // SECTOR + 1) * SECTOR
                continue
            rec = self._record(data[pos:pos + length])
            if rec["name"] not in ("\x00", "\x01"):
                out.append(rec)
            pos += length
        return out

    def record(self, path):
        """Directory record of an uppercase level-1 path such as 'NESTOS/IGNINFO.JSO'."""
        current = self.root
        for part in [p for p in path.upper().split("/") if p]:
            if not current["dir"]:
                raise IsoError("%s: not a directory on the way to %s" % (current["name"], path))
            for rec in self.listdir(current):
                if rec["name"] == part:
                    current = rec
                    break
            else:
                raise IsoError("%s not found in the ISO (PVD tree)" % path)
        return current

    def lookup(self, path):
        """Byte offset of the file's data in the image."""
        return self.record(path)["extent"] * SECTOR

    def read(self, path):
        rec = self.record(path)
        return self._read(rec["extent"] * SECTOR, rec["size"])
