"""Property-based fuzzing of Butane input: never a traceback; always a config (that the real
ignition-validate accepts) or a ButaneError with a report."""
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.errors import ButaneError
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.translate import translate
from tests.unit.butane.realval import real_validate

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
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)),
                      max_leaves=25)
HEADS = st.sampled_from([("nestos", "1.0.0"), ("fcos", "1.0.0"), ("fcos", "1.1.0"), ("fcos", "1.2.0"),
                         ("fcos", "1.3.0"), ("fcos", "1.4.0")])


def check(text_or_dict):
    try:
        result = translate(text_or_dict)
    except ButaneError as exc:
        assert str(exc)
        return
    json.loads(result.json)
    code, out = real_validate(result.output())
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
