"""One case per Ignition rule, expectations from Ignition's errors.go and types/*.go (v2.14.0)."""
import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.validate import validate

H128 = "0" * 128


def c(version="3.3.0", **kw):
    d = {"ignition": {"version": version}}
    for k, v in kw.items():
        if k == "ign":
            d["ignition"].update(v)
        else:
            d[k] = v
    return d


def st(**kw):
    return kw


CASES = [
    # paths
    (c(storage=st(files=[{"path": "rel"}])), ("error", "$.storage.files.0.path", "path not absolute")),
    (c(storage=st(files=[{"path": ""}])), ("error", "$.storage.files.0.path", "path not specified")),
    (c(storage=st(files=[{"path": "/a/"}])), ("error", "$.storage.files.0.path", "path is not fully simplified")),
    (c(storage=st(files=[{"path": "//a"}])), ("error", "$.storage.files.0.path", "path is not fully simplified")),
    (c(storage=st(directories=[{"path": "/a/../b"}])), ("error", "$.storage.directories.0.path", "path is not fully simplified")),
    # modes
    (c(storage=st(files=[{"path": "/a", "mode": 0o10000}])), ("error", "$.storage.files.0.mode", "illegal file mode")),
    (c(storage=st(files=[{"path": "/a", "mode": -1}])), ("error", "$.storage.files.0.mode", "illegal file mode")),
    (c(storage=st(directories=[{"path": "/a", "mode": 0o1755}])),
     ("warning", "$.storage.directories.0.mode",
      "setuid/setgid/sticky bits are not supported in spec versions older than 3.4.0")),
    # nodes
    (c(storage=st(files=[{"path": "/a", "user": {"id": 1, "name": "x"}}])),
     ("error", "$.storage.files.0.user", "cannot set both id and name")),
    (c(storage=st(files=[{"path": "/a", "overwrite": True}])),
     ("error", "$.storage.files.0.overwrite", "overwrite must be false if source is unspecified")),
    (c(storage=st(files=[{"path": "/l/a"}], links=[{"path": "/l", "target": "/x"}])),
     ("error", "$.storage.files.0", "file path includes link in config")),
    (c(storage=st(directories=[{"path": "/l/a"}], links=[{"path": "/l", "target": "/x"}])),
     ("error", "$.storage.directories.0", "directory path includes link in config")),
    (c(storage=st(links=[{"path": "/l"}])), ("error", "$.storage.links.0.target", "link target is required")),
    (c(storage=st(links=[{"path": "/l", "target": "/d", "hard": True}], directories=[{"path": "/d"}])),
     ("error", "$.storage.links.0", "hard link target is a directory")),
    # duplicates
    (c(storage=st(files=[{"path": "/a"}], links=[{"path": "/a", "target": "/b"}])),
     ("error", "$.storage.links.0", "duplicate entry defined")),
    (c(kernelArguments={"shouldExist": ["quiet"], "shouldNotExist": ["quiet"]}),
     ("error", "$.kernelArguments.shouldNotExist.0", "duplicate entry defined")),
    (c(systemd={"units": [{"name": "a.service"}, {"name": "a.service"}]}),
     ("error", "$.systemd.units.1", "duplicate entry defined")),
    (c(passwd={"users": [{"name": "core", "sshAuthorizedKeys": ["k", "k"]}]}),
     ("error", "$.passwd.users.0.sshAuthorizedKeys.1", "duplicate entry defined")),
    # resources
    (c(storage=st(files=[{"path": "/a", "contents": {"source": "data:,x", "compression": "xz"}}])),
     ("error", "$.storage.files.0.contents.compression", "invalid compression method")),
    (c(storage=st(files=[{"path": "/a", "contents": {"verification": {"hash": "sha512-" + H128}}}])),
     ("error", "$.storage.files.0.contents.verification.hash", "source must be specified if verification is specified")),
    (c(storage=st(files=[{"path": "/a", "contents": {"source": "http://x", "verification": {"hash": "sha512"}}}])),
     ("error", "$.storage.files.0.contents.verification.hash", "malformed hash specifier")),
    (c(storage=st(files=[{"path": "/a", "contents": {"source": "http://x", "verification": {"hash": "md5-00"}}}])),
     ("error", "$.storage.files.0.contents.verification.hash", "unrecognized hash function")),
    (c("3.0.0", storage=st(files=[{"path": "/a", "contents": {"source": "http://x", "verification": {"hash": "sha256-" + "0" * 64}}}])),
     ("error", "$.storage.files.0.contents.verification.hash", "unrecognized hash function")),
    (c(storage=st(files=[{"path": "/a", "contents": {"source": "http://x", "verification": {"hash": "sha256-00"}}}])),
     ("error", "$.storage.files.0.contents.verification.hash", "incorrect size for hash sum")),
    (c(storage=st(files=[{"path": "/a", "contents": {"source": "ftp://x/y"}}])),
     ("error", "$.storage.files.0.contents.source", "invalid url scheme")),
    (c(storage=st(files=[{"path": "/a", "contents": {"source": "http://h:x/"}}])),
     ("error", "$.storage.files.0.contents.source", "unable to parse url")),
    (c(storage=st(files=[{"path": "/a", "contents": {"source": "s3://b/k?versionId="}}])),
     ("error", "$.storage.files.0.contents.source", "invalid S3 object VersionId")),
    (c("3.1.0", storage=st(files=[{"path": "/a", "contents": {"source": "gs://b/k"}}])),
     ("error", "$.storage.files.0.contents.source", "invalid url scheme")),
    (c(storage=st(files=[{"path": "/a", "contents": {"source": "data:,a b"}}])),
     ("error", "$.storage.files.0.contents.source", "invalid data character")),
    (c(storage=st(files=[{"path": "/a", "contents": {"source": "data:,x", "httpHeaders": [{"name": "A", "value": "b"}]}}])),
     ("error", "$.storage.files.0.contents.httpHeaders", "cannot use HTTP headers with this source scheme")),
    (c(storage=st(files=[{"path": "/a", "contents": {"source": "http://x", "httpHeaders": [{"name": "", "value": "b"}]}}])),
     ("error", "$.storage.files.0.contents.httpHeaders.0.name", "HTTP header name can't be empty")),
    (c(storage=st(files=[{"path": "/a", "contents": {"source": "http://x", "httpHeaders": [{"name": "A", "value": ""}]}}])),
     ("error", "$.storage.files.0.contents.httpHeaders.0.value", "unable to parse HTTP header")),
    (c(ign={"config": {"merge": [{"compression": ""}]}}), ("error", "$.ignition.config.merge.0", "source is required")),
    (c(ign={"security": {"tls": {"certificateAuthorities": [{"source": ""}]}}}),
     ("error", "$.ignition.security.tls.certificateAuthorities.0", "source is required")),
    (c(ign={"proxy": {"httpProxy": "socks5://p"}}), ("error", "$.ignition.proxy.httpProxy", "proxies must be http(s)")),
    (c(ign={"proxy": {"httpsProxy": "http://p"}}),
     ("warning", "$.ignition.proxy.httpsProxy", "insecure plaintext HTTP proxy specified for HTTPS resources")),
    # systemd
    (c(systemd={"units": [{"name": "a.conf"}]}), ("error", "$.systemd.units.0.name", "invalid systemd unit extension")),
    (c(systemd={"units": [{"name": "a.service", "contents": "[Unit"}]}),
     ("error", "$.systemd.units.0.contents", "invalid unit content: unable to find end of section")),
    (c(systemd={"units": [{"name": "a.service", "contents": "[Unit]\nX\n"}]}),
     ("error", "$.systemd.units.0.contents",
      "invalid unit content: unexpected newline encountered while parsing option name")),
    (c(systemd={"units": [{"name": "a.service", "enabled": True, "contents": "[Unit]\nA=b\n"}]}),
     ("warning", "$.systemd.units.0.contents",
      'unit "a.service" is enabled, but has no install section so enable does nothing')),
    (c(systemd={"units": [{"name": "a.service", "dropins": [{"name": "x.txt"}]}]}),
     ("error", "$.systemd.units.0.dropins.0.name", "invalid systemd drop-in extension")),
    (c(systemd={"units": [{"name": "a.service", "contents": "[Unit]\n"}]}, storage=st(files=[{"path": "/etc/systemd/system/a.service"}])),
     ("error", "$.storage.files.0.path", "path conflicts with systemd unit or dropin")),
    # filesystems
    (c(storage=st(filesystems=[{"device": "/dev/a", "format": "ntfs"}])),
     ("error", "$.storage.filesystems.0.format", "invalid filesystem format")),
    (c("3.2.0", storage=st(filesystems=[{"device": "/dev/a", "format": "none"}])),
     ("error", "$.storage.filesystems.0.format", "invalid filesystem format")),
    (c(storage=st(filesystems=[{"device": "/dev/a", "path": "/var"}])),
     ("error", "$.storage.filesystems.0.format",
      "format cannot be empty when path, label, uuid, wipeFilesystem, options, or mountOptions is specified")),
    (c(storage=st(filesystems=[{"device": "/dev/a", "label": "x"}])),
     ("error", "$.storage.filesystems.0.label", "filesystem must specify format if label is specified")),
    (c(storage=st(filesystems=[{"device": "/dev/a", "format": "xfs", "label": "x" * 13}])),
     ("error", "$.storage.filesystems.0.label", "filesystem labels cannot be longer than 12 characters when using xfs")),
    (c(storage=st(filesystems=[{"device": "/dev/a", "format": "vfat", "label": "x" * 12}])),
     ("error", "$.storage.filesystems.0.label", "filesystem labels cannot be longer than 11 characters when using vfat")),
    # disks and partitions
    (c(storage=st(disks=[{"wipeTable": True}])), ("error", "$.storage.disks.0.device", "disk device is required")),
    (c(storage=st(disks=[{"device": "/dev/a", "partitions": [{"number": 1, "startMiB": 1, "sizeMiB": 10},
                                                             {"number": 2, "startMiB": 5, "sizeMiB": 10}]}])),
     ("error", "$.storage.disks.0.partitions.1", "partitions overlap")),
    (c(storage=st(disks=[{"device": "/dev/a", "partitions": [{"label": "a"}, {"number": 2, "label": "a"}]}])),
     ("error", "$.storage.disks.0.partitions.1", "cannot use the same partition label twice")),
    (c(storage=st(disks=[{"device": "/dev/a", "partitions": [{"sizeMiB": 5}]}])),
     ("error", "$.storage.disks.0.partitions.0", "a partition number >= 1 or a label must be specified")),
    (c(storage=st(disks=[{"device": "/dev/a", "partitions": [{"number": 1, "shouldExist": False, "sizeMiB": 0}]}])),
     ("error", "$.storage.disks.0.partitions.0", "shouldExist specified false with other options also specified")),
    (c(storage=st(disks=[{"device": "/dev/a", "partitions": [{"number": 1, "shouldExist": False}, {"label": "x"}]}])),
     ("error", "$.storage.disks.0.partitions",
      "shouldExist is false for a partition and other partition(s) has start or size 0")),
    (c(storage=st(disks=[{"device": "/dev/a", "partitions": [{"label": "x" * 37}]}])),
     ("error", "$.storage.disks.0.partitions.0.label", "partition labels may not exceed 36 characters")),
    (c(storage=st(disks=[{"device": "/dev/a", "partitions": [{"label": "a:b"}]}])),
     ("error", "$.storage.disks.0.partitions.0.label", "partition label will be truncated to text before the colon")),
    (c(storage=st(disks=[{"device": "/dev/a", "partitions": [{"number": 1, "typeGuid": "xyz"}]}])),
     ("error", "$.storage.disks.0.partitions.0.typeGuid", 'doesn\'t match the form "01234567-89AB-CDEF-EDCB-A98765432101"')),
    # raid
    (c(storage=st(raid=[{"name": "md", "devices": ["/dev/a"]}])), ("error", "$.storage.raid.0.level", "raid level is required")),
    (c(storage=st(raid=[{"name": "md", "level": "raid9", "devices": ["/dev/a"]}])),
     ("error", "$.storage.raid.0.level", "unrecognized raid level")),
    (c(storage=st(raid=[{"name": "md", "level": "raid0", "spares": 1, "devices": ["/dev/a"]}])),
     ("error", "$.storage.raid.0.level", "spares unsupported for linear and raid0 arrays")),
    (c(storage=st(raid=[{"name": "md", "level": "raid1"}])), ("error", "$.storage.raid.0.devices", "raid devices required")),
    (c(storage=st(raid=[{"name": "md", "level": "raid1", "devices": ["sda"]}])),
     ("error", "$.storage.raid.0.devices.0", "path not absolute")),
    # luks
    (c(storage=st(luks=[{"name": "a/b", "device": "/dev/a"}])), ("error", "$.storage.luks.0.name", "device names cannot contain slashes")),
    (c(storage=st(luks=[{"name": "a"}])), ("error", "$.storage.luks.0.device", "disk device is required")),
    (c(storage=st(luks=[{"name": "a", "device": "/dev/a", "label": "x" * 48}])),
     ("error", "$.storage.luks.0.label", "luks device labels cannot be longer than 47 characters")),
    (c(storage=st(luks=[{"name": "a", "device": "/dev/a", "keyFile": {"source": "ftp://x"}}])),
     ("error", "$.storage.luks.0.keys", "invalid key-file source")),
    (c(storage=st(luks=[{"name": "a", "device": "/dev/a", "clevis": {"tpm2": True, "custom": {"pin": "tpm2", "config": "{}"}}}])),
     ("error", "$.storage.luks.0.clevis", "cannot use custom clevis config with tpm2, tang, or threshold")),
    (c(storage=st(luks=[{"name": "a", "device": "/dev/a", "clevis": {"custom": {"pin": "x", "config": "{}"}}}])),
     ("error", "$.storage.luks.0.clevis.custom.pin", "unsupported clevis pin")),
    (c(storage=st(luks=[{"name": "a", "device": "/dev/a", "clevis": {"custom": {"config": "{}"}}}])),
     ("error", "$.storage.luks.0.clevis.custom.pin", "missing required custom clevis pin")),
    (c(storage=st(luks=[{"name": "a", "device": "/dev/a", "clevis": {"custom": {"pin": "tang"}}}])),
     ("error", "$.storage.luks.0.clevis.custom.config", "missing required custom clevis config")),
    (c(storage=st(luks=[{"name": "a", "device": "/dev/a", "clevis": {"tang": [{"url": "ftp://t", "thumbprint": "x"}]}}])),
     ("error", "$.storage.luks.0.clevis.tang.0.url", "invalid url scheme")),
    (c(storage=st(luks=[{"name": "a", "device": "/dev/a", "clevis": {"tang": [{"url": "http://t"}]}}])),
     ("error", "$.storage.luks.0.clevis.tang.0.thumbprint", "thumbprint is required")),
    # shape
    (c(foo=1), ("warning", "$.foo", "Unused key foo")),
    (c("3.2.0", kernelArguments={}), ("warning", "$.kernelArguments", "Unused key kernelArguments")),
    (c(storage=st(files=[{"path": "/a", "mode": "420"}])),
     ("error", "$.storage.files.0.mode",
      "json: cannot unmarshal string into Go struct field File.storage.files.mode of type int")),
    (c(storage=st(files=[{"path": "/a", "mode": 1.5}])),
     ("error", "$.storage.files.0.mode",
      "json: cannot unmarshal number 1.5 into Go struct field File.storage.files.mode of type int")),
    (c("3.4.0"), ("error", "$.ignition.version", "unsupported config version")),
    (c("3.3"), ("error", "$.ignition.version", "invalid config version (couldn't parse)")),
]


@pytest.mark.parametrize("config, expected", CASES, ids=[e[2][:40] + "-%d" % i for i, (_c, e) in enumerate(CASES)])
def test_rule(config, expected):
    report = validate(config)
    got = [(e.kind, e.path_string, e.message) for e in report]
    assert expected in got
    if expected[0] == "warning":
        assert not report.is_fatal()


@pytest.mark.parametrize("version", ["3.0.0", "3.1.0", "3.2.0", "3.3.0"])
def test_minimal_valid(version):
    assert len(validate({"ignition": {"version": version}})) == 0


def test_newer_checks_can_be_disabled():
    cfg = c(systemd={"units": [{"name": "a.service", "contents": "[Unit]\n"}]},
            storage=st(files=[{"path": "/etc/systemd/system/a.service"}]))
    assert validate(cfg).is_fatal()
    assert not validate(cfg, newer_checks=False).is_fatal()


def test_type_errors_stop_semantic_checks():
    report = validate(c(storage=st(files=[{"path": "rel", "mode": "x"}])))
    assert [e.message.startswith("json: cannot unmarshal") for e in report] == [True]


def test_not_an_object():
    report = validate([1])
    assert report.is_fatal() and report[0].path == ()


def test_parse_semver_known_versions_skip_re_with_the_same_answer():
    # the supported versions take a split instead of the regular expression (Butane CLI start-up)
    import re

    from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import model, validate

    for version in model.SUPPORTED_VERSIONS + ("3.4.0", "3.0.0-experimental", "3.0", "03.0.0", "3.0.0\n"):
        m = re.match(validate._SEMVER, version)
        want = (int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4) or "") if m else None
        assert validate.parse_semver(version) == want, version
