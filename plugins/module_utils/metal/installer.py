# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""nestos-installer on a live-booted host without Python: the shell probes that read the
target disk's state with plain commands, their parsers, and the ``nestos-installer install``
command line (coreos-installer's ``install`` CLI, which the fork keeps).

The probes only use POSIX sh, ``head``, ``od``, ``base64``, ``sha256sum`` and either mtools
(``mdir``/``mtype`` at the partition's byte offset, works on files and devices) or a
read-only ``mount`` of the partition labelled ``boot``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import hashlib
import re
import shlex

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.metal import bls, gpt, plan

HEAD_BYTES = 65536
MARK = "NESTOS-PROBE"
_DECOMPRESS = ('m=$(head -c 6 {f} | od -An -tx1 | tr -d " \\n"); case "$m" in fd377a585a00) c="xz -dc";; '
               '1f8b*) c="gzip -dc";; 28b52ffd*) c="zstd -dcq";; *) c=cat;; esac; $c <{f} 2>/dev/null')


def head_probe(dest, image_file=None):
    """Shell printing the disk's first bytes and size (and the image's first bytes)."""
    d = shlex.quote(dest)
    lines = ['if [ ! -e {d} ]; then echo "{m} ABSENT"; exit 0; fi'.format(d=d, m=MARK),
             'echo "{m} SIZE $(blockdev --getsize64 {d} 2>/dev/null || stat -c %s {d})"'.format(d=d, m=MARK),
             'echo "{m} HEAD $(head -c {n} {d} | base64 -w0)"'.format(d=d, m=MARK, n=HEAD_BYTES)]
    if image_file:
        f = shlex.quote(image_file)
        lines.append('if [ -f {f} ]; then echo "{m} IMAGE $( ({dec}) | head -c {n} | base64 -w0)"; '
                     'else echo "{m} IMAGE -"; fi'.format(f=f, m=MARK, n=HEAD_BYTES, dec=_DECOMPRESS.format(f=f)))
    return "\n".join(lines)


def boot_probe(dest, offset):
    """Shell printing the boot partition's BLS entries, stamp and the config's sha256."""
    d = shlex.quote(dest)
    return r'''D={d}; O={o}; export MTOOLS_SKIP_CHECK=1
if command -v mtype >/dev/null 2>&1 && mdir -b -i "$D@@$O" ::/ >/dev/null 2>&1; then
  entries() {{ mdir -b -i "$D@@$O" ::/loader/entries 2>/dev/null | sed 's#.*/##'; }}
  get() {{ mtype -i "$D@@$O" "::/$1" 2>/dev/null; }}
  has() {{ mtype -i "$D@@$O" "::/$1" >/dev/null 2>&1; }}
else
  P=$(lsblk -lnpo NAME,PARTLABEL "$D" 2>/dev/null | awk '$2 == "boot" {{ print $1; exit }}')
  [ -n "$P" ] || {{ echo "{m} NOBOOT"; exit 0; }}
  B=$(mktemp -d); mount -o ro "$P" "$B" || {{ echo "{m} NOBOOT"; exit 0; }}
  trap 'umount "$B"; rmdir "$B"' EXIT
  entries() {{ ls "$B/loader/entries" 2>/dev/null; }}
  get() {{ cat "$B/$1" 2>/dev/null; }}
  has() {{ [ -f "$B/$1" ]; }}
fi
for e in $(entries); do
  case "$e" in *.conf) echo "{m} ENTRY $e $(get "loader/entries/$e" | head -c 65536 | base64 -w0)" ;; esac
done
if has ignition.firstboot; then echo "{m} STAMP $(get ignition.firstboot | head -c 65536 | base64 -w0)"; else echo "{m} STAMP -"; fi
if has ignition/config.ign; then echo "{m} CONFIG $(get ignition/config.ign | sha256sum | cut -d' ' -f1)"; else echo "{m} CONFIG -"; fi
'''.format(d=d, o=int(offset), m=MARK)


def _records(text):
    out = {}
    for line in text.splitlines():
        if line.startswith(MARK + " "):
            parts = line[len(MARK) + 1:].split(" ", 2)
            out.setdefault(parts[0], []).append(parts[1:])
    return out


def _b64(value, what):
    if value in ("", "-"):
        return b""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise NestosError("the host's probe output for %s is not base64" % what)


def parse_head(text, dest):
    """(gpt.Table or None, disk size or None, image table or None, absent) from head_probe output."""
    rec = _records(text)
    if "ABSENT" in rec:
        raise NestosError("the target device does not exist on the host", file=dest, path="dest_device")
    try:
        size = int(rec.get("SIZE", [[""]])[0][0])
    except (ValueError, IndexError):
        size = None
    data = _b64((rec.get("HEAD") or [[""]])[0][0], "HEAD")
    table = gpt.parse(data, dest) if len(data) >= 2 * gpt.SECTOR else None
    image_table = None
    if "IMAGE" in rec:
        raw = _b64(rec["IMAGE"][0][0], "IMAGE")
        image_table = gpt.parse(raw, "image") if len(raw) >= 2 * gpt.SECTOR else None
    return table, size, image_table


def parse_boot(text, table, size):
    rec = _records(text)
    if "NOBOOT" in rec:
        return plan.DiskState(table=table, size=size)
    names = {}
    for item in rec.get("ENTRY", []):
        if len(item) == 2:
            names[item[0]] = _b64(item[1], "ENTRY")
        elif item:
            names[item[0]] = b""
    if not names:
        return plan.DiskState(table=table, size=size)
    name = bls.pick_entry(list(names))
    entry = bls.Entry.parse(name, names[name])
    stamp_field = (rec.get("STAMP") or [["-"]])[0]
    stamp = None if not stamp_field or stamp_field[0] == "-" else _b64(stamp_field[0], "STAMP")
    config = (rec.get("CONFIG") or [["-"]])[0]
    digest = config[0] if config and re.match(r"^[0-9a-f]{64}$", config[0] or "") else None
    return plan.DiskState(table=table, entry=entry, stamp=stamp, config_sha256=digest, size=size)


def desired_config_sha256(config=None, ignition_hash=None, file_sha256=None):
    """sha256 of the config the task wants on disk, when it can be known without fetching."""
    if config is not None:
        return hashlib.sha256(config).hexdigest()
    if file_sha256:
        return file_sha256
    if ignition_hash and ignition_hash.startswith("sha256-"):
        return ignition_hash[len("sha256-"):].lower()
    return None


_FLAGS = (("stream", "--stream"), ("image_url", "--image-url"), ("image_file", "--image-file"),
          ("ignition_url", "--ignition-url"), ("ignition_hash", "--ignition-hash"),
          ("architecture", "--architecture"), ("platform", "--platform"),
          ("firstboot_args", "--firstboot-args"), ("stream_base_url", "--stream-base-url"),
          ("fetch_retries", "--fetch-retries"))
_LISTS = (("console", "--console"), ("append_kargs", "--append-karg"), ("delete_kargs", "--delete-karg"),
          ("save_partlabel", "--save-partlabel"), ("save_partindex", "--save-partindex"))
_BOOLS = (("copy_network", "--copy-network"), ("offline", "--offline"), ("insecure", "--insecure"),
          ("insecure_ignition", "--insecure-ignition"), ("preserve_on_error", "--preserve-on-error"))


def check_fetch_retries(value):
    text = str(value).strip()
    if text != "infinite" and not text.isdigit():
        raise NestosError("must be a number of retries or 'infinite', got %r" % (value,), path="fetch_retries")
    return text


def installer_argv(opts, ignition_path=None):
    """``nestos-installer install`` with the task's options (long option names)."""
    argv = [opts.get("installer") or "nestos-installer", "install"]
    for key, flag in _FLAGS:
        value = opts.get(key)
        if key == "architecture" and value == "x86_64":
            continue
        if key == "fetch_retries":
            value = check_fetch_retries(value)
            if value == "0":
                continue
        if value not in (None, ""):
            argv += [flag, str(value)]
    if ignition_path:
        argv += ["--ignition-file", ignition_path]
    for key, flag in _LISTS:
        for value in opts.get(key) or ():
            argv += [flag, str(value)]
    for key, flag in _BOOLS:
        if opts.get(key):
            argv.append(flag)
    if opts.get("copy_network") and opts.get("network_dir") and \
            opts["network_dir"] != "/etc/NetworkManager/system-connections":
        argv += ["--network-dir", opts["network_dir"]]
    argv.append(opts["dest_device"])
    return argv


def installer_steps(stderr):
    """The progress lines nestos-installer printed (its messages go to stderr)."""
    return [line.strip() for line in (stderr or "").replace("\r", "").splitlines() if line.strip()]
