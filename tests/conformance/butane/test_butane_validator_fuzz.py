"""Property-based Butane input checked against the real ignition-validate (a few hundred
inputs; tests/fuzz/test_fuzz_butane.py runs the 10,000-input contract): a config that the real
ignition-validate accepts, or a ButaneError with a report. When our Ignition validation rejects
the generated config, the real validator must reject it too."""
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.nestos.lifecycle.plugins.module_utils.butane import to_ignition
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.errors import ButaneError
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.to_ignition import translate
from tests.support.ignition_validate import real_validate

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML is in requirements-dev.txt
    yaml = None

KEYS = ["variant", "version", "ignition", "config", "merge", "replace", "inline", "source", "local", "compression",
        "storage", "files", "directories", "links", "path", "mode", "contents", "append", "overwrite", "target", "hard",
        "user", "group", "id", "name", "systemd", "units", "dropins", "enabled", "mask", "passwd", "users", "groups",
        "password_hash", "ssh_authorized_keys", "disks", "device", "partitions", "label", "number", "size_mib",
        "filesystems", "format", "with_mount_unit", "luks", "clevis", "tang", "url", "tpm2", "raid", "level",
        "devices", "trees", "boot_device", "layout", "mirror", "kernel_arguments", "should_exist", "proxy",
        "http_proxy", "timeouts", "http_total", "verification", "hash", "http_headers", "value", "wipe_table"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10, 70000), st.sampled_from(
    ["/etc/x", "/var/a/b", "x", "", "0644", "yes", "a.service", "x.conf", "ext4", "swap", "/dev/vda", "data:,a",
     "https://e.com/", "gzip", "raid1", "x86_64", "aarch64", "ppc64le", "sha512-00", "1.4.0", "fcos", "nestos"]),
    st.text(max_size=12))


def _containers(inner):
    return st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=4))


VALUES = st.recursive(SCALARS, _containers, max_leaves=25)
HEADS = st.sampled_from([("nestos", "1.0.0"), ("fcos", "1.0.0"), ("fcos", "1.1.0"), ("fcos", "1.2.0"),
                         ("fcos", "1.3.0"), ("fcos", "1.4.0")])


NEWER_THAN_2_14 = "path conflicts with systemd unit or dropin"  # checked by Ignition >= 2.15 only


def _unvalidated(text_or_dict):
    """The generated config without Ignition validation (to show it to the real validator)."""
    saved = to_ignition.ign_validate
    to_ignition.ign_validate = _NoValidation
    try:
        return translate(text_or_dict)
    finally:
        to_ignition.ign_validate = saved


class _NoValidation(object):
    @staticmethod
    def validate(config, **_rules):
        return []


def check(text_or_dict):
    try:
        result = translate(text_or_dict)
    except ButaneError as exc:
        assert str(exc)
        if exc.reason == "config generated was invalid":
            errors = [e for e in exc.report if e.kind == "error"]
            if all(e.message != NEWER_THAN_2_14 for e in errors):
                code, _entries, out = real_validate(_unvalidated(text_or_dict).output())
                assert code != 0, "engine rejected a config the real validator accepts:\n%s" % exc
        return
    json.loads(result.json)
    code, _entries, out = real_validate(result.output())
    assert code == 0, "engine accepted a config the real validator rejects:\n%s\n%s" % (out, result.json)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HEADS, st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=5))
def test_structured_documents(head, body):
    doc = dict(body)
    doc["variant"], doc["version"] = head
    check(yaml.safe_dump(doc, allow_unicode=True))
    check(doc)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text(text):
    check("variant: nestos\nversion: 1.0.0\n" + text)
    check(text)


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=100))
def test_arbitrary_bytes(data):
    check(b"variant: fcos\nversion: 1.4.0\n" + data)


PATHS = st.sampled_from(["/etc/a", "/etc/a/b", "/var/x", "/etc/systemd/system/a.service", "/opt/t", "etc/rel",
                         "/etc/../x", "/etc/a/", "/usr/local/bin/t"])
NODE_FILE = st.fixed_dictionaries({"path": PATHS}, optional={
    "mode": st.sampled_from([0o644, 0o755, 644, 0o4755, 0o10000, 0]), "overwrite": st.booleans(),
    "contents": st.one_of(st.fixed_dictionaries({"inline": st.text(max_size=300)}),
                          st.fixed_dictionaries({"source": st.sampled_from(["https://e.com/x", "ftp://e.com/x", "data:,x",
                                                                            "s3://b/k?versionId=", "http://[::1"])},
                                                optional={"compression": st.sampled_from(["gzip", "", "xz"])})),
    "user": st.fixed_dictionaries({}, optional={"id": st.integers(0, 5), "name": st.sampled_from(["core", "root"])})})
NODE_LINK = st.fixed_dictionaries({"path": PATHS}, optional={"target": st.sampled_from(["/etc/a", "x", ""]),
                                                             "hard": st.booleans()})
UNIT = st.fixed_dictionaries({"name": st.sampled_from(["a.service", "b.timer", "c.mount", "bad.unit", "d.service"])},
                             optional={"enabled": st.booleans(), "mask": st.booleans(),
                                       "contents": st.sampled_from(["[Unit]\nDescription=x\n", "[Service]\nExecStart=/x\n"
                                                                    "[Install]\nWantedBy=multi-user.target\n",
                                                                    "no section\n", ""]),
                                       "dropins": st.lists(st.fixed_dictionaries(
                                           {"name": st.sampled_from(["a.conf", "b.txt"])},
                                           optional={"contents": st.just("[Service]\nNice=1\n")}), max_size=2)})
FS = st.fixed_dictionaries({"device": st.sampled_from(["/dev/vdb", "/dev/vdc", "/dev/mapper/d"])}, optional={
    "format": st.sampled_from(["ext4", "xfs", "swap", "vfat", "none", "zfs"]),
    "path": st.sampled_from(["/var/srv", "/var/lib/x", "rel"]), "label": st.sampled_from(["data", "x" * 20]),
    "with_mount_unit": st.booleans(), "wipe_filesystem": st.booleans(),
    "mount_options": st.lists(st.sampled_from(["ro", "noatime"]), max_size=2)})
PLAUSIBLE = st.fixed_dictionaries({"variant": st.just("nestos"), "version": st.just("1.0.0")}, optional={
    "storage": st.fixed_dictionaries({}, optional={"files": st.lists(NODE_FILE, max_size=4),
                                                   "links": st.lists(NODE_LINK, max_size=2),
                                                   "directories": st.lists(st.fixed_dictionaries({"path": PATHS}),
                                                                           max_size=2),
                                                   "filesystems": st.lists(FS, max_size=2)}),
    "systemd": st.fixed_dictionaries({"units": st.lists(UNIT, max_size=3)}),
    "passwd": st.fixed_dictionaries({"users": st.lists(st.fixed_dictionaries(
        {"name": st.sampled_from(["core", "nest", ""])},
        optional={"uid": st.integers(0, 2000), "groups": st.lists(st.sampled_from(["wheel", "docker"]), max_size=3)}),
        max_size=3)}),
    "kernel_arguments": st.fixed_dictionaries({}, optional={
        "should_exist": st.lists(st.sampled_from(["quiet", "a=b", "x"]), max_size=3),
        "should_not_exist": st.lists(st.sampled_from(["quiet", "rhgb"]), max_size=2)}),
    "boot_device": st.fixed_dictionaries({}, optional={
        "layout": st.sampled_from(["x86_64", "aarch64", "ppc64le", "s390x"]),
        "luks": st.fixed_dictionaries({}, optional={"tpm2": st.booleans(), "threshold": st.integers(1, 2)}),
        "mirror": st.fixed_dictionaries({"devices": st.lists(st.sampled_from(["/dev/vda", "/dev/vdb", "/dev/vdc"]),
                                                             max_size=3)})}),
})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PLAUSIBLE)
def test_plausible_documents(doc):
    check(doc)
