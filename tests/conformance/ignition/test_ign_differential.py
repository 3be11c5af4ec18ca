"""Differential fuzzing: random configs built from the spec vocabulary, ours vs the real
ignition-validate 2.14.0.  Both must agree on accept/reject and on every positioned entry."""
import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.parse import parse
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.serialize import dumps
from tests.conformance.ignition.test_ign_real_validator import our_entries
from tests.support.ignition_validate import NO_PATH, real_validate

paths = st.sampled_from(["/a", "/a/b", "/etc/systemd/system/a.service", "rel", "", "/a/", "/l", "/l/x", "//a"])
urls = st.sampled_from(["http://h/x", "https://h/", "data:,x", "data:;base64,aGk=", "ftp://h", "s3://b/k?versionId=",
                        "gs://b/o", "", "data:,a b", "tftp://h/f", "http://h:x/"])
hashes = st.sampled_from(["sha512-" + "a" * 128, "sha256-" + "b" * 64, "md5-x", "sha512-ab", "nohash"])
opt = st.none()


def maybe(strategy):
    return st.one_of(st.none(), strategy)


def obj(**fields):
    """A dict with a random subset of the given fields (None values dropped)."""
    return st.fixed_dictionaries({}, optional=fields).map(lambda d: {k: v for k, v in d.items() if v is not None})


resource = obj(source=maybe(urls), compression=st.sampled_from(["", "gzip", "xz"]),
               verification=obj(hash=hashes),
               httpHeaders=st.lists(obj(name=st.sampled_from(["A", ""]), value=st.sampled_from(["v", ""])), max_size=2))
node = dict(path=paths, overwrite=st.booleans(), user=obj(id=st.integers(0, 2), name=st.sampled_from(["core", ""])))
file_ = obj(mode=st.sampled_from([0o644, 0o4755, 0o10000, -1]), contents=resource, append=st.lists(resource, max_size=2), **node)
directory = obj(mode=st.sampled_from([0o755, 0o1777]), **node)
link = obj(target=st.sampled_from(["/a", "a", ""]), hard=st.booleans(), **node)
partition = obj(number=st.integers(0, 3), label=st.sampled_from(["root", "a:b", "x" * 37]), sizeMiB=st.integers(0, 20),
                startMiB=st.integers(0, 20), shouldExist=st.booleans(), typeGuid=st.sampled_from(["", "bad"]))
disk = obj(device=st.sampled_from(["/dev/sda", "sda", ""]), wipeTable=st.booleans(), partitions=st.lists(partition, max_size=3))
fs = obj(device=st.sampled_from(["/dev/sda1", "x"]), format=st.sampled_from(["xfs", "vfat", "none", "", "zfs"]),
         path=st.sampled_from(["/var", "var"]), label=st.sampled_from(["lbl", "a-very-long-label"]), wipeFilesystem=st.booleans())
raid = obj(name=st.sampled_from(["md0", "md1"]), level=st.sampled_from(["raid1", "raid0", "bogus", ""]),
           devices=st.lists(st.sampled_from(["/dev/a", "b"]), max_size=2), spares=st.integers(0, 1))
luks = obj(name=st.sampled_from(["root", "a/b"]), device=st.sampled_from(["/dev/a", "", "a"]), keyFile=resource,
           clevis=obj(tpm2=st.booleans(), threshold=st.integers(0, 2),
                      tang=st.lists(obj(url=st.sampled_from(["http://t", "ftp://t"]), thumbprint=st.just("x")), max_size=2),
                      custom=obj(pin=st.sampled_from(["tpm2", "bad", ""]), config=st.sampled_from(["{}", ""]),
                                 needsNetwork=st.booleans())))
unit = obj(name=st.sampled_from(["a.service", "b.timer", "c", "a.service"]), enabled=st.booleans(), mask=st.booleans(),
           contents=st.sampled_from(["[Unit]\nA=b\n", "[Install]\nWantedBy=x\n", "[Unit", "", "x"]),
           dropins=st.lists(obj(name=st.sampled_from(["x.conf", "y"]), contents=st.sampled_from(["[Service]\n", "[X"])),
                            max_size=2))
config = obj(
    storage=obj(files=st.lists(file_, max_size=3), directories=st.lists(directory, max_size=2), links=st.lists(link, max_size=2),
                disks=st.lists(disk, max_size=2), filesystems=st.lists(fs, max_size=2), raid=st.lists(raid, max_size=2),
                luks=st.lists(luks, max_size=2)),
    systemd=obj(units=st.lists(unit, max_size=3)),
    passwd=obj(users=st.lists(obj(name=st.sampled_from(["core", "u"]), sshAuthorizedKeys=st.lists(st.sampled_from(["k1", "k2"]), max_size=2)), max_size=2)),
    kernelArguments=obj(shouldExist=st.lists(st.sampled_from(["a", "b"]), max_size=2),
                        shouldNotExist=st.lists(st.sampled_from(["a", "c"]), max_size=2)),
    ignition=obj(config=obj(merge=st.lists(resource, max_size=2), replace=resource),
                 proxy=obj(httpProxy=st.sampled_from(["http://p", "socks://p"]), httpsProxy=st.sampled_from(["http://p", "https://p"])),
                 security=obj(tls=obj(certificateAuthorities=st.lists(resource, max_size=2)))),
)


@settings(max_examples=int(os.environ.get("IGN_FUZZ_EXAMPLES", "250")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config, st.sampled_from(["3.0.0", "3.1.0", "3.2.0", "3.3.0"]), st.booleans())
def test_random_configs_agree(cfg, version, pretty):
    cfg = dict(cfg)
    cfg["ignition"] = dict(cfg.get("ignition", {}), version=version)
    text = json.dumps(cfg, indent=2 if pretty else None)
    rc, theirs, out = real_validate(text)
    parsed, report = parse(text, newer_checks=False)
    assert (rc == 0) == (not report.is_fatal()), "real:\n%s\nours:\n%s\n%s" % (out, report.format(), text)
    if "json: " not in out and "couldn't parse config" not in out and "error at line" not in out:
        assert our_entries(report) == theirs, "real:\n%s\nours:\n%s\n%s" % (out, report.format(), text)
    if parsed is not None and not report.is_fatal() and not any(e.message.startswith("Unused key") for e in report):
        # what we write for an accepted config is accepted by the real validator too
        rc2, _entries, out2 = real_validate(dumps(parsed, pretty=pretty))
        assert rc2 == 0, out2


def _unit_text(draw_seed):
    import random
    rnd = random.Random(draw_seed)
    pre = rnd.choice(["", "# c\n", ";x\\\n y\n"]) + "[Unit]\n" + "".join(
        rnd.choice(["K%d=%s\n", "  K%d = %s \\\n cont\n", "#%d %s\n", "\n\n%d%s=x\n"])
        % (j, rnd.choice(["v", u"é"]) * rnd.randint(0, 600)) for j in range(rnd.randint(0, 30)))
    size = rnd.choice([2040, 2047, 2048, 2049, 2100, 3000, 4095, 4097])
    return (pre + rnd.choice(["A=", "#", "[", "  "]) + rnd.choice(["y", u"é"]) * size
            + rnd.choice(["\n[Install]\nB=c\n", "]\n", "\r\n"]) + "D=e\n" * rnd.randint(0, 5))


@settings(max_examples=int(os.environ.get("IGN_UNIT_EXAMPLES", "60")), deadline=None)
@given(st.integers(0, 2 ** 32))
def test_long_unit_lines_agree(seed):
    """go-systemd's 'line too long' depends on its 4 KiB read buffer: simulated exactly."""
    text = json.dumps({"ignition": {"version": "3.3.0"},
                       "systemd": {"units": [{"name": "a.service", "enabled": True, "contents": _unit_text(seed)}]}})
    rc, theirs, out = real_validate(text)
    _config, report = parse(text)
    assert (rc == 0) == (not report.is_fatal()), out
    assert our_entries(report) == theirs, out


URL_PIECES = list("abcXYZ019:/?#[]@!$&'()*+,;=%-._~ \"<>\\^`{|}\t\n\x7f") + [
    u"é", "%20", "%zz", "%4", "://", "//", "[::1]", ":80", ":x", "@", "%25", "%C3%A9", "[fe80::1%25en0]",
    "?versionId=", "?versionId=1&", "&versionId", "+"]
URL_SCHEMES = ["http", "https", "HTTP", "s3", "gs", "tftp", "data", "ftp", "", "1x", "x+y", "a.b", ":"]
fuzzy_urls = st.builds(lambda s, sep, rest: s + sep + "".join(rest), st.sampled_from(URL_SCHEMES),
                       st.sampled_from([":", "://", ":/", ""]), st.lists(st.sampled_from(URL_PIECES), max_size=12))


@settings(max_examples=int(os.environ.get("IGN_URL_EXAMPLES", "80")), deadline=None)
@given(fuzzy_urls, st.sampled_from(["3.0.0", "3.1.0", "3.2.0", "3.3.0"]))
def test_urls_agree(url, version):
    """Go net/url + Ignition's scheme rules, for resources, proxies and Tang servers."""
    cfg = {"ignition": {"version": version}, "storage": {"files": [{"path": "/a", "contents": {"source": url}}]}}
    if version >= "3.1.0":
        cfg["ignition"]["proxy"] = {"httpProxy": url, "httpsProxy": url}
        cfg["storage"]["files"][0]["contents"]["httpHeaders"] = [{"name": "a", "value": "b"}]
    if version >= "3.2.0":
        cfg["storage"]["luks"] = [{"name": "l", "device": "/dev/a", "clevis": {"tang": [{"url": url, "thumbprint": "t"}]}}]
    text = json.dumps(cfg)
    rc, theirs, out = real_validate(text)
    _config, report = parse(text)
    assert (rc == 0) == (not report.is_fatal()), out
    assert our_entries(report) == theirs, out


DATA_PIECES = ["text", "/", "plain", ";", "base64", ",", "charset", "=", "utf-8", '"', "a b", "\\", "x-", "X-foo",
               "image", "png", "%", "%2", "%41", "%zz", "aGk=", "aGk", "+", u"\u00e9", "\t", " ", "#", "?",
               "application", "json", "message", "multipart", "(", ")", "@", ":", "\n", "\x7f"]


@settings(max_examples=int(os.environ.get("IGN_URL_EXAMPLES", "80")), deadline=None)
@given(st.lists(st.sampled_from(DATA_PIECES), max_size=10))
def test_data_urls_agree(pieces):
    """RFC 2397 parsing as Ignition's dataurl package does it, and its error messages."""
    url = "data:" + "".join(pieces)
    text = json.dumps({"ignition": {"version": "3.3.0"}, "storage": {"files": [{"path": "/a", "contents": {"source": url}}]}})
    rc, theirs, out = real_validate(text)
    _config, report = parse(text)
    assert (rc == 0) == (not report.is_fatal()), out
    assert our_entries(report) == theirs, out


UNIT_PIECES = ["[", "]", "Unit", "Install", "Service", "\n", "\r\n", "\r", "=", "A", "B", " ", "\t", "#", ";", "\\", "x",
               u"\u00e9", "\x0b", "\x1c", u"\u00a0", u"\u2028", "[Install]\n", "WantedBy=a\n", "\x07", u"\u0085",
               u"\U0001F600", u"\u200b", '"', "\x00"]


@settings(max_examples=int(os.environ.get("IGN_UNIT_EXAMPLES", "60")), deadline=None)
@given(st.lists(st.sampled_from(UNIT_PIECES), max_size=14),
       st.sampled_from(["a.service", u"\u00a0x.service", "a\tb.service", u"\u00e9\x07.service", "a.conf"]))
def test_unit_contents_agree(pieces, name):
    """go-systemd's lexer errors, the install-section warning and Go's %q quoting."""
    body = "".join(pieces)
    text = json.dumps({"ignition": {"version": "3.3.0"}, "systemd": {"units": [
        {"name": name, "enabled": True, "contents": body, "dropins": [{"name": "x.conf", "contents": body}]}]}})
    rc, theirs, out = real_validate(text)
    _config, report = parse(text)
    assert (rc == 0) == (not report.is_fatal()), out
    assert our_entries(report) == theirs, out


JSON_PIECES = ['{', '}', '[', ']', ',', ':', '"ignition"', '"version"', '"3.3.0"', '"storage"', '"files"', '"path"', '"/a"',
               '"mode"', '420', '1.5', '-', '0', '01', '1e5', '1.', '1e', '1e+', 'tr', 'true', 'false', 'null', 'nul', ' ',
               '\n', '"x', '\\u12', '"\\q"', u'"\u00e9"', u'\ufeff', '"\t"', '{"ignition":{"version":"3.3.0"}', '}}',
               u'\u00a0', u'\u00e9', '\x7f', "'", '\x01', u'\u0085']


@settings(max_examples=int(os.environ.get("IGN_JSON_EXAMPLES", "80")), deadline=None)
@given(st.lists(st.sampled_from(JSON_PIECES), min_size=1, max_size=16), st.booleans())
def test_json_text_agrees(pieces, prefixed):
    """Broken JSON: same accept/reject and Go's first error message."""
    text = ('{"ignition":{"version":"3.3.0"},"storage":' if prefixed else "") + "".join(pieces)
    rc, theirs, out = real_validate(text)
    _config, report = parse(text)
    assert (rc == 0) == (not report.is_fatal()), out
    unpositioned = [m.group(1) for m in map(NO_PATH.match, out.splitlines()) if m]
    if unpositioned:
        assert report.errors[0].message == unpositioned[0], out
    elif "couldn't parse config" not in out:
        assert our_entries(report) == theirs, out


@settings(max_examples=int(os.environ.get("IGN_FUZZ_EXAMPLES", "60")) // 2 or 1, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(config, config, st.sampled_from(["3.0.0", "3.1.0", "3.2.0", "3.3.0"]))
def test_duplicate_keys_agree(first, second, version):
    """A section written twice: Go decodes the second into the first (objects merge, arrays
    element by element); positions and unknown keys come from the last occurrence."""
    parts = ['"ignition":{"version":"%s"}' % version]
    for cfg in (first, second):
        for key, val in cfg.items():
            if key != "ignition":
                parts.append("%s:%s" % (json.dumps(key), json.dumps(val)))
    text = "{" + ",".join(parts) + "}"
    rc, theirs, out = real_validate(text)
    _config, report = parse(text, newer_checks=False)
    assert (rc == 0) == (not report.is_fatal()), "real:\n%s\nours:\n%s\n%s" % (out, report.format(), text)
    if "json: " not in out and "couldn't parse config" not in out and "error at line" not in out:
        assert our_entries(report) == theirs, "real:\n%s\nours:\n%s\n%s" % (out, report.format(), text)
