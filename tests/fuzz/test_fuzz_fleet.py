"""Fuzzing the fleet engines that read host or user input: Zincati TOML drop-ins (and their
merge), rpm-ostree status JSON, image references, FleetLock answers and settings, and the
phase-session output, the boot entries probe of nestos_reboot boot_once and Zincati's Prometheus
metrics text. Only NestosError may come out."""
import json

from hypothesis import given, strategies as st

from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import bootonce, imageref
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host.status import Status
from ansible_collections.nestos.lifecycle.plugins.module_utils.rollout import fleetlock, phases
from ansible_collections.nestos.lifecycle.plugins.module_utils.rollout import script as phase_script
from ansible_collections.nestos.lifecycle.plugins.module_utils.zincati import metrics, toml
from tests.support.fuzzing import only_nestos_errors

TOML_BITS = st.sampled_from(['[updates]', '[updates.fleet_lock]', '[[updates.periodic.window]]', 'strategy = ',
                             '"fleet_lock"', "'lit'", 'base_url = "http://x:1"', 'enabled = true', '= ', '[',
                             ']', '{', '}', '"""', '#', '\n', ' ', '1e400', '0x1F', '-0', '"\\u00e9"', '"\\',
                             'days = ["Mon", "Tue"]', 'x.y.z = 1', '[identity]', 'group = "w"', '\t', '\r\n'])
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20)
JSON = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=12), inner, max_size=5), max_leaves=30)
DEP_KEYS = ["id", "osname", "checksum", "booted", "staged", "pinned", "version", "origin", "serial", "timestamp",
            "container-image-reference", "container-image-reference-digest", "requested-packages", "packages",
            "base-checksum", "base-commit-meta", "requested-base-removals", "initramfs-args",
            "regenerate-initramfs", "live-replaced", "base-local-replacements"]
REF_BITS = st.sampled_from(["ostree-unverified-registry:", "ostree-image-signed:", "ostree-remote-image:",
                            "docker://", "registry:", "oci:", "nestos:", "quay.io/", "a/b", ":tag", "@sha256:",
                            "a" * 64, "/", ":", "..", "UPPER", "\x00", "é", " ", "%", "localhost:5000/"])


@given(st.lists(TOML_BITS, max_size=40).map("".join) | st.text(max_size=300))
def test_zincati_toml_reader(text):
    cfg, err = only_nestos_errors(toml.loads, text, "/etc/zincati/config.d/90-x.toml")
    if err is None:
        assert isinstance(cfg, dict)
        only_nestos_errors(fleetlock.settings_from_config, cfg, "b08dfa6083e7567a1921a715000001fb")


@given(st.dictionaries(st.sampled_from(["/etc/zincati/config.d/a.toml", "/usr/lib/zincati/config.d/a.toml",
                                        "/run/zincati/config.d/b.toml", "/etc/zincati/config.d/x.txt"]),
                       st.lists(TOML_BITS, max_size=20).map("".join), max_size=4))
def test_zincati_dropins_merge(files):
    only_nestos_errors(phases.zincati_config, files)


@given(st.fixed_dictionaries({}, optional={"deployments": st.lists(
    st.dictionaries(st.sampled_from(DEP_KEYS), JSON, max_size=12), max_size=4), "transaction": JSON,
    "update-driver": JSON, "cached-update": JSON}) | JSON)
def test_rpm_ostree_status_json(doc):
    try:
        text = json.dumps(doc)
    except (ValueError, OverflowError):
        return
    status, err = only_nestos_errors(Status.from_json, text)
    if err is None:
        status.facts()
        status.labels()
        phases.deployment_info(status)


@given(st.text(max_size=400))
def test_rpm_ostree_status_text(text):
    only_nestos_errors(Status.from_json, text)


@given(st.lists(REF_BITS, max_size=12).map("".join) | st.text(max_size=80))
def test_image_references(text):
    ref, err = only_nestos_errors(imageref.parse, text)
    if err is None:
        assert imageref.parse(ref.canonical()).canonical() == ref.canonical()
    only_nestos_errors(imageref.build, text, "unverified")


@given(st.integers(min_value=-1, max_value=999) | st.sampled_from([200, 409, 500]),
       st.binary(max_size=300) | JSON.map(lambda v: json.dumps(v).encode()))
def test_fleetlock_answers(code, body):
    out, err = only_nestos_errors(fleetlock.parse_answer, code, body)
    if err is None:
        done, kind, text = out
        assert done == (code == 200) and kind and isinstance(text, str)


@given(JSON, st.text(max_size=40))
def test_fleetlock_settings(cfg, machine_id):
    only_nestos_errors(fleetlock.settings_from_config, cfg, machine_id)


NONCE = "0123456789abcdef"
FRAMES = st.sampled_from(["\n%s %s begin a\n" % (phase_script.MARK, NONCE), "%s %s end a 0\n" % (
    phase_script.MARK, NONCE), "%s %s end b 1\n" % (phase_script.MARK, NONCE), "%s %s end a x\n" % (
    phase_script.MARK, NONCE), "text\n", "\r\n", "\r", "\x00", "%s %s begin " % (phase_script.MARK, NONCE)])


@given(st.lists(FRAMES, max_size=20).map("".join) | st.text(max_size=200))
def test_phase_session_output(text):
    secs, err = only_nestos_errors(phase_script.parse, text, NONCE, ["a"])
    if err is None:
        spec = phases.Spec(action="none")
        sections = dict(secs)
        for name in ("status", "boot_id", "machine_id", "zincati", "zincati_config"):
            sections.setdefault(name, secs["a"])
        only_nestos_errors(phases.judge_read, sections, spec)


PROM_BITS = st.sampled_from(["# HELP ", "# TYPE ", "zincati_x", "_bucket", "_sum", " gauge", " counter",
                             " histogram", " weird", "{", "}", "=", '"', "\\", "\\n", ",", "le", " 1", " -2",
                             " 1e400", " NaN", " +Inf", " 0.5", " 1563360122000", "\n", " ", "#", "é", "\x00"])
PROBE_BITS = st.sampled_from([bootonce.MARK + " tool grub2-editenv\n", bootonce.MARK + " env\n",
                              bootonce.MARK + " entry ostree-1-nestos.conf\n", bootonce.MARK + " target ",
                              "/sysroot/ostree/deploy/nestos/deploy/" + "a" * 64 + ".0\n", bootonce.MARK + " grubcfg\n",
                              bootonce.MARK + " usercfg\n", bootonce.MARK + " usercfg-exists\n",
                              bootonce.MARK + " bootro\n", bootonce.MARK + " end\n", "next_entry=ostree-1-nestos\n",
                              "title NestOS (ostree:1)\n", "options a ostree=/ostree/boot.1/nestos/b/0\n",
                              "garbage\n", "=\n", "1\n", "\n", "save_env next_entry\n"])
TWO_DEPLOYMENTS = Status.from_json(json.dumps({"deployments": [
    {"id": "nestos-%s.0" % c, "osname": "nestos", "checksum": c, "serial": 0, "booted": b, "staged": False}
    for c, b in (("b" * 64, True), ("a" * 64, False))]}))


@given(st.lists(PROM_BITS, max_size=60).map("".join) | st.text(max_size=300))
def test_zincati_metrics_text(text):
    fams, err = only_nestos_errors(metrics.parse, text)
    if err is None:
        assert isinstance(fams, dict)


@given(st.lists(PROBE_BITS, max_size=30).map("".join) | st.text(max_size=300),
       st.sampled_from(["rollback", "1", "0", "a" * 10, "v1", ""]))
def test_boot_once_probe(text, spec):
    probe, err = only_nestos_errors(bootonce.parse_probe, text)
    if err is None:
        only_nestos_errors(bootonce.plan_boot_once, TWO_DEPLOYMENTS, probe, spec)
