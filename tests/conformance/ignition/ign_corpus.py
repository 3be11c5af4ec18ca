"""A corpus of Ignition configs, valid and invalid, for comparing with the real ignition-validate.

Every case is JSON text; nothing here says whether it is valid: the real validator decides.
Cases marked NEWER exercise a rule newer Ignition adds (our default); the comparison
with 2.14.0 runs them with ``newer_checks=False``.
"""
import json

H64 = "a" * 64
H128 = "b" * 128


def cfg(version="3.3.0", **sections):
    d = {"ignition": {"version": version}}
    for k, v in sections.items():
        if k == "ign":
            d["ignition"].update(v)
        else:
            d[k] = v
    return d


def files(*items, **kw):
    st = {"files": list(items)}
    st.update(kw)
    return st


def units(*items):
    return {"units": list(items)}


CASES = {}


def add(name, config, versions=("3.3.0",)):
    for v in versions:
        if isinstance(config, str):
            CASES["%s@%s" % (name, v)] = config.replace("@V@", v)
        else:
            c = json.loads(json.dumps(config).replace("@V@", v))
            c.setdefault("ignition", {})["version"] = v
            CASES["%s@%s" % (name, v)] = json.dumps(c)


ALL = ("3.0.0", "3.1.0", "3.2.0", "3.3.0")
V31 = ("3.1.0", "3.2.0", "3.3.0")
V32 = ("3.2.0", "3.3.0")

# --- versions and JSON -------------------------------------------------------------
for text_name, text in [
    ("empty-object", "{}"), ("array", "[]"), ("string", '"x"'), ("number", "3"), ("null", "null"),
    ("no-version", '{"ignition":{}}'), ("version-2", '{"ignition":{"version":"2.2.0"}}'),
    ("version-short", '{"ignition":{"version":"3.3"}}'), ("version-34", '{"ignition":{"version":"3.4.0"}}'),
    ("version-pre", '{"ignition":{"version":"3.3.0-experimental"}}'),
    ("version-num", '{"ignition":{"version":3}}'), ("ignition-list", '{"ignition":[]}'),
    ("syntax-trailing-comma", '{"ignition":{"version":"3.3.0"},}'),
    ("syntax-eof", '{"ignition":{"version":"3.3.0"}'), ("syntax-garbage", '{"ignition":{"version":"3.3.0"}} x'),
    ("syntax-single-quote", "{'ignition':1}"), ("syntax-ctrl", '{"ignition":{"version":"3.3.0\u0001"}}'.replace("\\u0001", "\x01")),
    ("dup-json-keys", '{"ignition":{"version":"3.3.0"},"storage":{},"storage":{"files":[{"path":"rel"}]}}'),
    ("ws", ' \n\t{ "ignition" : { "version" : "3.3.0" } }\n'),
    ("dupkey-merge-structs",
     '{"ignition":{"version":"3.3.0"},"storage":{"files":[{"path":"rel"}]},"storage":{"directories":[{"path":"/d"}]}}'),
    ("dupkey-empty-array", '{"ignition":{"version":"3.3.0"},"storage":{"files":[{"path":"rel"}]},"storage":{"files":[]}}'),
    ("dupkey-elementwise", '{"ignition":{"version":"3.3.0"},"storage":{"files":[{"path":"/a","mode":420}]},"storage":{"files":[{"overwrite":true}]}}'),
    ("dupkey-unknown-last", '{"ignition":{"version":"3.3.0"},"ignition":{"timeouts":{}},"x":1,"x":{"y":2}}'),
    ("dupkey-null-string", '{"ignition":{"version":"3.3.0"},"storage":{"files":[{"path":"/a","path":null}]}}'),
    ("dupkey-null-pointer",
     '{"ignition":{"version":"3.3.0"},"storage":{"files":[{"path":"/a","mode":99999,"mode":null}],"disks":[{"device":"a"}],"disks":null}}'),
    ("dupkey-version", '{"ignition":{"version":"3.2.0"},"ignition":{"version":"3.3.0"},"kernelArguments":{"shouldExist":["a","a"]}}'),
    ("dupkey-version-kept", '{"ignition":{"version":"3.2.0"},"ignition":{},"kernelArguments":{}}'),
    ("dupkey-nested", '{"ignition":{"version":"3.3.0"},"systemd":{"units":[{"name":"a.service","contents":"[Unit]\\n","enabled":true},'
                      '{"name":"b"}]},"systemd":{"units":[{"enabled":false}]}}'),
    ("syntax-leading-zero", '{"ignition":{"version":"3.3.0"},"storage":{"files":[{"path":"/a","mode":0644}]}}'),
    ("syntax-bad-escape", '{"ignition":{"version":"3.3.0\\q"}}'),
    ("syntax-bad-u", '{"ignition":{"version":"3.3.0\\u12"}}'),
    ("syntax-minus", '{"ignition":{"version":"3.3.0"},"x":-}'),
    ("syntax-dot", '{"ignition":{"version":"3.3.0"},"x":1.}'),
    ("syntax-exp", '{"ignition":{"version":"3.3.0"},"x":1e+}'),
    ("syntax-literal", '{"ignition":{"version":"3.3.0"},"x":nul}'),
    ("syntax-colon", '{"ignition" {"version":"3.3.0"}}'),
    ("syntax-bracket", '{"ignition":{"version":"3.3.0"},"x":[1,]}'),
    ("syntax-bom", '\ufeff{"ignition":{"version":"3.3.0"}}'),
]:
    CASES["json-" + text_name] = text

add("minimal", cfg(), ALL)
add("unknown-top-key", cfg(foo=1, bar={"x": 1}), ALL)
add("unknown-nested-key", cfg(storage=files({"path": "/a", "bogus": True})), ALL)
add("kargs-in-old", cfg(kernelArguments={"shouldExist": ["a"]}), ("3.2.0",))
add("luks-in-old", cfg(storage={"luks": [{"name": "x", "device": "/dev/sda"}]}), ("3.1.0",))

# --- types -----------------------------------------------------------------------
add("mode-string", cfg(storage=files({"path": "/a", "mode": "0644"})), ALL)
add("mode-float", '{"ignition":{"version":"@V@"},"storage":{"files":[{"path":"/a","mode":420.0}]}}', ALL)
add("mode-exp", '{"ignition":{"version":"@V@"},"storage":{"files":[{"path":"/a","mode":4e2}]}}', ALL)
add("mode-huge", '{"ignition":{"version":"@V@"},"storage":{"files":[{"path":"/a","mode":99999999999999999999}]}}', ALL)
add("overwrite-string", cfg(storage=files({"path": "/a", "overwrite": "true"})), ALL)
add("files-object", cfg(storage={"files": {"path": "/a"}}), ALL)
add("storage-list", cfg(storage=[]), ALL)
add("units-strings", cfg(systemd={"units": ["a.service"]}), ALL)
add("ssh-keys-number", cfg(passwd={"users": [{"name": "core", "sshAuthorizedKeys": [1]}]}), ALL)
add("raid-devices-number", cfg(storage={"raid": [{"name": "r", "level": "raid1", "devices": [1]}]}), ALL)
add("raid-devices-string", cfg(storage={"raid": [{"name": "r", "level": "raid1", "devices": "/dev/a"}]}), ALL)
add("kargs-number", cfg(kernelArguments={"shouldExist": [True]}))
add("headers-string", cfg(storage=files({"path": "/a", "contents": {"source": "http://x", "httpHeaders": "A: b"}})), V31)
add("headers-item-string", cfg(storage=files({"path": "/a", "contents": {"source": "http://x", "httpHeaders": ["A"]}})), V31)
add("noproxy-bool", cfg(ign={"proxy": {"noProxy": [False]}}), V31)
add("mountoptions-obj", cfg(storage={"filesystems": [{"device": "/dev/a", "format": "xfs", "mountOptions": [{}]}]}), V31)
add("luks-options-int", cfg(storage={"luks": [{"name": "l", "device": "/dev/a", "options": [3]}]}), V32)
add("user-groups-obj", cfg(passwd={"users": [{"name": "u", "groups": {"a": 1}}]}), ALL)
add("timeouts-string", cfg(ign={"timeouts": {"httpTotal": "10"}}), ALL)
add("partition-number-float", '{"ignition":{"version":"@V@"},"storage":{"disks":[{"device":"/dev/a","partitions":[{"number":1.5}]}]}}', ALL)
add("uid-negative-exp", '{"ignition":{"version":"@V@"},"passwd":{"users":[{"name":"u","uid":-1E3}]}}', ALL)
add("two-type-errors", cfg(storage=files({"path": "/a", "mode": "x"}), systemd={"units": [{"name": 5}]}), ALL)
add("nulls", cfg(storage={"files": [{"path": "/a", "mode": None, "contents": None}], "disks": None},
                 passwd=None), ALL)
add("null-in-list", cfg(storage={"files": [None]}), ALL)

# --- paths, nodes --------------------------------------------------------------
for i, p in enumerate(["/a", "a", "", "/a/", "/a//b", "/a/./b", "/a/../b", "//a", "/", "/a b/ü"]):
    add("file-path-%d" % i, cfg(storage=files({"path": p})), ALL)
    add("dir-path-%d" % i, cfg(storage={"directories": [{"path": p}]}), ("3.3.0",))
    add("link-path-%d" % i, cfg(storage={"links": [{"path": p, "target": "/t"}]}), ("3.3.0",))
add("file-no-path", cfg(storage=files({"mode": 420})), ALL)
for m in [0, 420, 0o7777, 0o10000, -1, 0o4755, 0o1777, 0o2755]:
    add("file-mode-%d" % m, cfg(storage=files({"path": "/a", "mode": m})), ALL)
    add("dir-mode-%d" % m, cfg(storage={"directories": [{"path": "/d", "mode": m}]}), ("3.3.0",))
add("user-id-and-name", cfg(storage=files({"path": "/a", "user": {"id": 0, "name": "root"}})), ALL)
add("group-id-and-name", cfg(storage={"directories": [{"path": "/a", "group": {"id": 1, "name": "g"}}]}), ALL)
add("user-id-and-empty-name", cfg(storage=files({"path": "/a", "user": {"id": 0, "name": ""}})), ALL)
add("overwrite-no-source", cfg(storage=files({"path": "/a", "overwrite": True})), ALL)
add("overwrite-empty-source", cfg(storage=files({"path": "/a", "overwrite": True, "contents": {"source": ""}})), ALL)
add("overwrite-with-source", cfg(storage=files({"path": "/a", "overwrite": True, "contents": {"source": "data:,x"}})), ALL)
add("file-under-link", cfg(storage={"files": [{"path": "/l/f"}], "links": [{"path": "/l", "target": "/t"}]}), ALL)
add("dir-under-link", cfg(storage={"directories": [{"path": "/l/d/e"}], "links": [{"path": "/l", "target": "/t"}]}), ALL)
add("link-under-link", cfg(storage={"links": [{"path": "/l/x", "target": "/y"}, {"path": "/l", "target": "/t"}]}), ALL)
add("link-prefix-not-under", cfg(storage={"files": [{"path": "/lx"}], "links": [{"path": "/l", "target": "/t"}]}), ALL)
add("link-no-target", cfg(storage={"links": [{"path": "/l"}]}), ALL)
add("link-empty-target", cfg(storage={"links": [{"path": "/l", "target": ""}]}), ALL)
add("hardlink-to-dir", cfg(storage={"links": [{"path": "/l", "target": "/d", "hard": True}],
                                    "directories": [{"path": "/d"}]}), ALL)
add("hardlink-to-dir-rel", cfg(storage={"links": [{"path": "/l", "target": "d", "hard": True}],
                                        "directories": [{"path": "/l/d"}]}), ALL)
add("softlink-to-dir", cfg(storage={"links": [{"path": "/l", "target": "/d"}], "directories": [{"path": "/d"}]}), ALL)
add("hardlink-to-dir-unclean", cfg(storage={"links": [{"path": "/l", "target": "/d/", "hard": True}],
                                            "directories": [{"path": "/d"}]}), ALL)

# --- duplicates -----------------------------------------------------------------
add("dup-files", cfg(storage=files({"path": "/a"}, {"path": "/a"})), ALL)
add("dup-file-dir", cfg(storage={"files": [{"path": "/a"}], "directories": [{"path": "/a"}]}), ALL)
add("dup-dir-link", cfg(storage={"links": [{"path": "/a", "target": "/x"}], "directories": [{"path": "/a"}]}), ALL)
add("dup-units", cfg(systemd=units({"name": "a.service"}, {"name": "a.service"})), ALL)
add("dup-dropins", cfg(systemd=units({"name": "a.service", "dropins": [{"name": "x.conf"}, {"name": "x.conf"}]})), ALL)
add("dup-users", cfg(passwd={"users": [{"name": "u"}, {"name": "u"}]}), ALL)
add("dup-groups", cfg(passwd={"groups": [{"name": "g"}, {"name": "g"}]}), ALL)
add("dup-user-groups", cfg(passwd={"users": [{"name": "u", "groups": ["wheel", "wheel"]}]}), ALL)
add("dup-ssh-keys", cfg(passwd={"users": [{"name": "u", "sshAuthorizedKeys": ["k", "k"]}]}), ALL)
add("dup-disks", cfg(storage={"disks": [{"device": "/dev/sda"}, {"device": "/dev/sda"}]}), ALL)
add("dup-filesystems", cfg(storage={"filesystems": [{"device": "/dev/sda"}, {"device": "/dev/sda"}]}), ALL)
add("dup-raid", cfg(storage={"raid": [{"name": "r", "level": "raid1", "devices": ["/dev/a"]},
                                      {"name": "r", "level": "raid1", "devices": ["/dev/b"]}]}), ALL)
add("dup-raid-devices", cfg(storage={"raid": [{"name": "r", "level": "raid1", "devices": ["/dev/a", "/dev/a"]}]}), ALL)
add("dup-luks", cfg(storage={"luks": [{"name": "l", "device": "/dev/a"}, {"name": "l", "device": "/dev/b"}]}), V32)
add("dup-merge", cfg(ign={"config": {"merge": [{"source": "http://a/"}, {"source": "http://a/"}]}}), ALL)
add("dup-cas", cfg(ign={"security": {"tls": {"certificateAuthorities": [{"source": "http://a/"}, {"source": "http://a/"}]}}}), ALL)
add("dup-append-ok", cfg(storage=files({"path": "/a", "append": [{"source": "data:,x"}, {"source": "data:,x"}]})), ALL)
add("dup-fs-options-ok", cfg(storage={"filesystems": [{"device": "/dev/a", "format": "xfs", "options": ["-f", "-f"]}]}), ALL)
add("dup-mount-options-ok", cfg(storage={"filesystems": [{"device": "/dev/a", "format": "xfs", "mountOptions": ["ro", "ro"]}]}), V31)
add("dup-raid-options-ok", cfg(storage={"raid": [{"name": "r", "level": "raid1", "devices": ["/dev/a"], "options": ["x", "x"]}]}), ALL)
add("dup-kargs", cfg(kernelArguments={"shouldExist": ["a", "a"]}))
add("dup-kargs-cross", cfg(kernelArguments={"shouldExist": ["a"], "shouldNotExist": ["a"]}))
add("dup-headers", cfg(storage=files({"path": "/a", "contents": {"source": "http://x/", "httpHeaders": [
    {"name": "A", "value": "1"}, {"name": "A", "value": "2"}]}})), V31)
add("dup-noproxy", cfg(ign={"proxy": {"noProxy": ["a", "a"]}}), V31)
add("dup-tang", cfg(storage={"luks": [{"name": "l", "device": "/dev/a", "clevis": {"tang": [
    {"url": "http://t", "thumbprint": "x"}, {"url": "http://t", "thumbprint": "y"}]}}]}), V32)
add("dup-partitions-number", cfg(storage={"disks": [{"device": "/dev/sda", "partitions": [{"number": 1}, {"number": 1}]}]}), ALL)
add("dup-partitions-nokey", cfg(storage={"disks": [{"device": "/dev/sda", "partitions": [{"sizeMiB": 1}, {"sizeMiB": 2}]}]}), ALL)
add("dup-merge-nosource", cfg(ign={"config": {"merge": [{"verification": {}}, {"verification": {}}]}}), ALL)

# --- resources, URLs, hashes ---------------------------------------------------------
URLS = ["http://example.com/x", "https://example.com/x", "tftp://h/x", "s3://b/k", "s3://b/k?versionId=1",
        "s3://b/k?versionId=", "s3://b/k?versionId", "gs://b/o", "data:,hello", "data:;base64,aGk=",
        "data:;base64,aGk", "data:text/plain;charset=utf-8,x%20y", "data:foo/bar,x", "data:,a b", "data:,%zz",
        "data:", "ftp://x/y", "file:///etc/x", "/abs/path", "rel", "", ":foo", "http://[::1]:80/", "http://[::1/",
        "http://h:port/", "http://h:80/p%zz", "http://h/#%zz", "HTTP://Example.com/", "http://a b/", "http://h/\x7f",
        "http://user:pw@h/", "http://us er@h/", "https://h/?a=%zz", "data:text/plain;base64;x=y,aGk=",
        "data:text/plain;x=\"a b\",q", "data:application/json,{}", "oem:///x", "data:x-custom/y,1"]
for i, u in enumerate(URLS):
    add("file-source-%d" % i, cfg(storage=files({"path": "/a", "contents": {"source": u}})), ALL)
for i, u in enumerate(URLS[:12] + ["", "rel", "data:,x"]):
    add("merge-source-%d" % i, cfg(ign={"config": {"merge": [{"source": u}]}}), ALL)
    add("replace-source-%d" % i, cfg(ign={"config": {"replace": {"source": u}}}), ALL)
    add("ca-source-%d" % i, cfg(ign={"security": {"tls": {"certificateAuthorities": [{"source": u}]}}}), ALL)
add("merge-no-source", cfg(ign={"config": {"merge": [{"verification": {"hash": "sha512-" + H128}}]}}), ALL)
add("ca-no-source", cfg(ign={"security": {"tls": {"certificateAuthorities": [{}]}}}), ALL)
add("replace-no-source", cfg(ign={"config": {"replace": {"verification": {"hash": "sha512-" + H128}}}}), ALL)
for comp in ["", "gzip", "xz", "GZIP"]:
    add("compression-%s" % (comp or "empty"), cfg(storage=files({"path": "/a", "contents": {"source": "data:,x", "compression": comp}})), ALL)
for i, h in enumerate(["sha512-" + H128, "sha256-" + H64, "sha512-" + H64, "md5-abc", "sha512", "sha1-" + "c" * 40,
                       "sha512-" + "z" * 128, "sha256-" + H128, "-" + H64, "sha512-"]):
    add("hash-%d" % i, cfg(storage=files({"path": "/a", "contents": {"source": "http://x/", "verification": {"hash": h}}})), ALL)
add("hash-no-source", cfg(storage=files({"path": "/a", "contents": {"verification": {"hash": "sha512-" + H128}}})), ALL)
add("headers-ok", cfg(storage=files({"path": "/a", "contents": {"source": "https://x/", "httpHeaders": [{"name": "A", "value": "b"}]}})), V31)
add("headers-data", cfg(storage=files({"path": "/a", "contents": {"source": "data:,x", "httpHeaders": [{"name": "A", "value": "b"}]}})), V31)
add("headers-nosource", cfg(storage=files({"path": "/a", "contents": {"httpHeaders": [{"name": "A", "value": "b"}]}})), V31)
add("headers-empty-name", cfg(storage=files({"path": "/a", "contents": {"source": "http://x/", "httpHeaders": [{"name": "", "value": "b"}]}})), V31)
add("headers-empty-value", cfg(storage=files({"path": "/a", "contents": {"source": "http://x/", "httpHeaders": [{"name": "A", "value": ""}]}})), V31)
add("headers-no-value", cfg(storage=files({"path": "/a", "contents": {"source": "http://x/", "httpHeaders": [{"name": "A"}]}})), V31)
add("append-bad", cfg(storage=files({"path": "/a", "append": [{"source": "ftp://x"}, {"compression": "zz", "source": "data:,x"}]})), ALL)
for i, (hp, hsp) in enumerate([("http://p:3128", "https://p:3128"), ("https://p", "http://p"), ("ftp://p", None),
                               (None, "socks5://p"), ("p:3128", None), ("http://p:x", None), ("", None)]):
    proxy = {}
    if hp is not None:
        proxy["httpProxy"] = hp
    if hsp is not None:
        proxy["httpsProxy"] = hsp
    add("proxy-%d" % i, cfg(ign={"proxy": proxy}), V31)
add("timeouts", cfg(ign={"timeouts": {"httpResponseHeaders": 10, "httpTotal": -1}}), ALL)

# --- systemd --------------------------------------------------------------------------
GOOD_UNIT = "[Unit]\nDescription=x\n\n[Service]\nExecStart=/bin/true\n\n[Install]\nWantedBy=multi-user.target\n"
for i, n in enumerate(["a.service", "a.timer", "a.scope", "a", "a.conf", "a.service.d", ".service", "a@.service", "a@b.socket"]):
    add("unit-name-%d" % i, cfg(systemd=units({"name": n})), ALL)
for i, c in enumerate([GOOD_UNIT, "", "[Unit]\nDescription=x\n", "garbage", "[Unit", "[Unit] x\nA=b\n", "[Unit]\nNoEquals\n",
                       "[Unit]\nA=b\\\n c\n", "# c\n[Unit]\nA=b", "; c\n[Install]\nWantedBy=x", "[Unit]\r\nA=b\r\n[Install]\r\nB=c\r\n",
                       "[Install]\nWantedBy=x\n[Unit]\nA", "x" * 3000, "[Unit]\nA=" + "y" * 2100 + "\n[Install]\nB=c\n",
                       "[Unit]\n  \n\tA = b \n", "[Unit]\nA=b\n[install]\nx=y"]):
    add("unit-contents-%d" % i, cfg(systemd=units({"name": "a.service", "contents": c})), ALL)
    add("unit-contents-enabled-%d" % i, cfg(systemd=units({"name": "a.service", "enabled": True, "contents": c})), ("3.3.0",))
    add("dropin-contents-%d" % i, cfg(systemd=units({"name": "a.service", "dropins": [{"name": "x.conf", "contents": c}]})), ("3.3.0",))
add("unit-enabled-no-contents", cfg(systemd=units({"name": "a.service", "enabled": True})), ALL)
add("unit-enabled-masked", cfg(systemd=units({"name": "a.service", "enabled": True, "mask": True, "contents": "[Unit]\n"})), ALL)
for i, n in enumerate(["x.conf", "x", "x.service", ".conf", "x.CONF"]):
    add("dropin-name-%d" % i, cfg(systemd=units({"name": "a.service", "dropins": [{"name": n}]})), ALL)
add("unit-file-conflict", cfg(systemd=units({"name": "a.service", "contents": GOOD_UNIT}),
                              storage=files({"path": "/etc/systemd/system/a.service"})), ALL)
add("dropin-dir-conflict", cfg(systemd=units({"name": "a.service", "dropins": [{"name": "x.conf", "contents": "[Unit]\n"}]}),
                               storage={"directories": [{"path": "/etc/systemd/system/a.service.d/x.conf"}]}), ALL)
add("unit-file-no-conflict-without-contents", cfg(systemd=units({"name": "a.service", "enabled": True}),
                                                  storage=files({"path": "/etc/systemd/system/a.service"})), ALL)

# --- storage: filesystems, disks, partitions, raid, luks ----------------------------------
for fmt in ["ext4", "btrfs", "xfs", "swap", "vfat", "none", "ntfs", "", None]:
    fs = {"device": "/dev/sda1", "path": "/var"}
    if fmt is not None:
        fs["format"] = fmt
    add("fs-format-%s" % fmt, cfg(storage={"filesystems": [fs]}), ALL)
for fmt, n in [("ext4", 16), ("btrfs", 256), ("xfs", 12), ("swap", 15), ("vfat", 11)]:
    for k in (n, n + 1):
        add("fs-label-%s-%d" % (fmt, k), cfg(storage={"filesystems": [{"device": "/dev/sda1", "format": fmt, "label": "L" * k}]}), ALL)
add("fs-label-no-format", cfg(storage={"filesystems": [{"device": "/dev/sda1", "label": "x"}]}), ALL)
add("fs-uuid-no-format", cfg(storage={"filesystems": [{"device": "/dev/sda1", "uuid": "x"}]}), ALL)
add("fs-wipe-no-format", cfg(storage={"filesystems": [{"device": "/dev/sda1", "wipeFilesystem": True}]}), ALL)
add("fs-wipe-false-no-format", cfg(storage={"filesystems": [{"device": "/dev/sda1", "wipeFilesystem": False}]}), ALL)
add("fs-options-no-format", cfg(storage={"filesystems": [{"device": "/dev/sda1", "options": ["-f"]}]}), ALL)
add("fs-mountopts-no-format", cfg(storage={"filesystems": [{"device": "/dev/sda1", "mountOptions": ["ro"]}]}), V31)
add("fs-rel-device", cfg(storage={"filesystems": [{"device": "sda1", "format": "xfs"}]}), ALL)
add("fs-no-device", cfg(storage={"filesystems": [{"format": "xfs"}]}), ALL)
add("fs-rel-path", cfg(storage={"filesystems": [{"device": "/dev/sda1", "format": "xfs", "path": "var"}]}), ALL)
add("fs-empty-path", cfg(storage={"filesystems": [{"device": "/dev/sda1", "format": "xfs", "path": ""}]}), ALL)
add("disk-no-device", cfg(storage={"disks": [{"wipeTable": True, "partitions": [{"label": "a:b"}]}]}), ALL)
add("disk-rel-device", cfg(storage={"disks": [{"device": "sda"}]}), ALL)


def P(**kw):
    return kw


for i, parts in enumerate([
    [P(number=1, sizeMiB=100, startMiB=1), P(number=2, sizeMiB=100, startMiB=101)],
    [P(number=1, sizeMiB=100, startMiB=1), P(number=2, sizeMiB=100, startMiB=50)],
    [P(number=1, sizeMiB=0, startMiB=10), P(number=2, sizeMiB=5, startMiB=8)],
    [P(number=1, sizeMiB=100, startMiB=0), P(number=2, sizeMiB=100, startMiB=0)],
    [P(number=1, sizeMiB=10, startMiB=5), P(number=1, sizeMiB=10, startMiB=5)],
    [P(number=1, label="a"), P(number=2, label="a")],
    [P(label="a")], [P(number=0)], [P(number=-1)], [P(label="")],
    [P(number=1, shouldExist=False)], [P(number=1, shouldExist=False, label="x")],
    [P(number=1, shouldExist=False, sizeMiB=0)], [P(number=1, shouldExist=False, typeGuid="")],
    [P(number=1, shouldExist=False), P(label="x")],
    [P(label="x" * 36)], [P(label="x" * 37)], [P(label="é" * 19)], [P(label="a:b")],
    [P(number=1, guid="01234567-89ab-CDEF-EDCB-A98765432101")], [P(number=1, guid="0123456789")],
    [P(number=1, typeGuid="")], [P(number=1, typeGuid="01234567-89AB-CDEF-EDCB-A98765432101\n")],
    [P(number=1, typeGuid="G1234567-89AB-CDEF-EDCB-A98765432101")],
    [P(number=3, sizeMiB=10, startMiB=100), P(number=4, sizeMiB=300, startMiB=50)],
    [P(number=1, resize=True, sizeMiB=10)],
]):
    add("partitions-%d" % i, cfg(storage={"disks": [{"device": "/dev/sda", "partitions": parts}]}),
        V32 if any("resize" in p for p in parts) else ALL)
for i, raid in enumerate([
    {"name": "md0", "level": "raid1", "devices": ["/dev/a", "/dev/b"]},
    {"name": "md0", "level": "raid0", "devices": ["/dev/a"], "spares": 1},
    {"name": "md0", "level": "stripe", "devices": ["/dev/a"], "spares": 0},
    {"name": "md0", "level": "raid7", "devices": ["/dev/a"]},
    {"name": "md0", "devices": ["/dev/a"]},
    {"name": "md0", "level": "", "devices": ["/dev/a"]},
    {"name": "md0", "level": "mirror"},
    {"name": "md0", "level": "10", "devices": [], "spares": 2},
    {"level": "raid5", "devices": ["rel"]},
]):
    add("raid-%d" % i, cfg(storage={"raid": [raid]}), ALL)
for i, luks in enumerate([
    {"name": "root", "device": "/dev/sda4"},
    {"name": "a/b", "device": "/dev/sda4"},
    {"name": "root"},
    {"name": "root", "device": ""},
    {"name": "root", "device": "sda4"},
    {"name": "root", "device": "/dev/sda4", "label": "x" * 47},
    {"name": "root", "device": "/dev/sda4", "label": "x" * 48},
    {"name": "root", "device": "/dev/sda4", "keyFile": {"source": "ftp://x"}},
    {"name": "root", "device": "/dev/sda4", "keyFile": {"source": "data:,secret", "compression": "bz2"}},
    {"name": "root", "device": "/dev/sda4", "clevis": {"tpm2": True}},
    {"name": "root", "device": "/dev/sda4", "clevis": {"tang": [{"url": "http://t", "thumbprint": "x"}], "threshold": 1}},
    {"name": "root", "device": "/dev/sda4", "clevis": {"tang": [{"url": "ftp://t", "thumbprint": "x"}]}},
    {"name": "root", "device": "/dev/sda4", "clevis": {"tang": [{"url": "http://t"}]}},
    {"name": "root", "device": "/dev/sda4", "clevis": {"tang": [{"thumbprint": "x"}]}},
    {"name": "root", "device": "/dev/sda4", "clevis": {"custom": {"pin": "tpm2", "config": "{}"}}},
    {"name": "root", "device": "/dev/sda4", "clevis": {"custom": {"pin": "tpm2", "config": "{}"}, "tpm2": True}},
    {"name": "root", "device": "/dev/sda4", "clevis": {"custom": {"pin": "yubikey", "config": "{}"}}},
    {"name": "root", "device": "/dev/sda4", "clevis": {"custom": {"pin": "tang"}}},
    {"name": "root", "device": "/dev/sda4", "clevis": {"custom": {"config": "{}"}}},
    {"name": "root", "device": "/dev/sda4", "clevis": {"custom": {"needsNetwork": True}}},
    {"name": "root", "device": "/dev/sda4", "clevis": {"custom": {}}},
    {"name": "root", "device": "/dev/sda4", "clevis": {"custom": {}, "threshold": 2}},
    {"name": "root", "device": "/dev/sda4", "clevis": {"threshold": 0, "tpm2": False}},
    {"name": "root", "device": "/dev/sda4", "clevis": {"custom": {"pin": "", "config": ""}}},
]):
    add("luks-%d" % i, cfg(storage={"luks": [luks]}), V32)

# --- passwd -------------------------------------------------------------------------
add("users", cfg(passwd={"users": [{"name": "core", "passwordHash": "$6$x", "sshAuthorizedKeys": ["ssh-ed25519 A"],
                                    "uid": 1000, "groups": ["wheel"], "homeDir": "/home/core", "shell": "/bin/bash",
                                    "noCreateHome": False, "system": False, "noLogInit": True, "noUserGroup": False,
                                    "primaryGroup": "core", "gecos": "x"}],
                         "groups": [{"name": "g", "gid": 5, "system": True, "passwordHash": "x"}]}), ALL)
add("users-should-exist", cfg(passwd={"users": [{"name": "u", "shouldExist": False}], "groups": [{"name": "g", "shouldExist": False}]}), ALL)
add("user-empty-name", cfg(passwd={"users": [{"name": ""}]}), ALL)

# --- a realistic config -----------------------------------------------------------------
add("realistic", cfg(
    ign={"config": {"merge": [{"source": "https://example.com/a.ign",
                               "verification": {"hash": "sha512-" + H128}}]},
         "timeouts": {"httpTotal": 30}},
    passwd={"users": [{"name": "core", "sshAuthorizedKeys": ["ssh-ed25519 AAAA"]}]},
    storage={"files": [{"path": "/etc/hostname", "mode": 420, "overwrite": True,
                        "contents": {"source": "data:,node1%0A", "compression": ""}},
                       {"path": "/etc/motd", "append": [{"source": "data:;base64,aGVsbG8K"}]}],
             "directories": [{"path": "/var/lib/x", "mode": 493, "user": {"name": "core"}}],
             "links": [{"path": "/usr/local/bin/t", "target": "/usr/bin/true"}],
             "disks": [{"device": "/dev/vdb", "wipeTable": True,
                        "partitions": [{"label": "data", "number": 1, "sizeMiB": 0, "startMiB": 0}]}],
             "filesystems": [{"device": "/dev/disk/by-partlabel/data", "format": "xfs", "path": "/var/data",
                              "label": "data", "wipeFilesystem": True}]},
    systemd=units({"name": "hello.service", "enabled": True, "contents": GOOD_UNIT},
                  {"name": "zincati.service", "dropins": [{"name": "10-x.conf", "contents": "[Service]\nEnvironment=A=1\n"}]})),
    ALL)

# rules newer Ignition adds (path conflicts with systemd units): compare with newer_checks=False
NEWER = {k for k in CASES if k.startswith(("unit-file-conflict", "dropin-dir-conflict"))}
