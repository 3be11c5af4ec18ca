"""Fuzzing the build engines that read host input: builds.json and meta.json of a workdir (the facts the
assembler module returns), and nestos-config YAML edits (build_config). Only NestosError may leave them,
nothing outside the temporary workdir is read or written, and a refused edit leaves the files as they were."""
import json
import os
import shutil
import tempfile

import pytest

from hypothesis import given, strategies as st

from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler import config, meta
from tests.support.fuzzing import only_nestos_errors

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12))
JSONS = st.recursive(SCALARS, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                     st.dictionaries(st.text(max_size=8), kids, max_size=4)),
                     max_leaves=8)
KEYS = st.sampled_from(["buildid", "name", "images", "ostree-commit", "ref", "path", "sha256", "size", "qemu",
                        "ostree", "uncompressed-sha256", "skip-compression", "id", "arches", "builds",
                        "schema-version", "x86_64"])
PATHS = st.sampled_from(["nestos-1-qemu.x86_64.qcow2", "../../etc/passwd", "/etc/passwd", "", ".", "a\0b",
                         "sub/../../x", "nestos-1-ostree.x86_64.ociarchive", "..", "x.gz"])
IDS = st.sampled_from(["1.0", "..", ".", "", "a/b", "x\0y", "25.03-LTS.20250101.0", "latest"])


def _meta(draw):
    artifact = st.fixed_dictionaries({"path": st.one_of(PATHS, JSONS),
                                      "sha256": st.one_of(st.text(max_size=64), JSONS),
                                      "size": st.one_of(st.integers(), JSONS)})
    images = draw(st.dictionaries(st.sampled_from(["qemu", "ostree", "live-iso", "metal"]),
                                  st.one_of(JSONS, artifact), max_size=3))
    doc = {"buildid": draw(st.one_of(IDS, JSONS)), "name": "nestos", "ostree-commit": "0" * 64,
           "coreos-assembler.basearch": "x86_64", "images": images}
    for key in draw(st.lists(KEYS, max_size=3)):
        doc[key] = draw(JSONS)
    return doc


@st.composite
def workdirs(draw):
    """(builds.json text, meta.json text): valid-looking documents, mutated, or raw bytes."""
    build_id = draw(st.one_of(IDS, st.text(max_size=6)))
    arches = draw(st.lists(st.sampled_from(["x86_64", "aarch64", "..", ""]), max_size=2))
    builds = {"schema-version": draw(st.sampled_from(["1.0.0", "2.0.0", "1", ""])),
              "builds": [{"id": build_id, "arches": arches}]}
    kind = draw(st.integers(0, 3))
    if kind == 0:
        builds_text = json.dumps(builds)
    elif kind == 1:
        builds_text = json.dumps(draw(JSONS))
    elif kind == 2:
        builds_text = draw(st.text(max_size=60))
    else:
        builds_text = "[" * draw(st.integers(60, 5000)) + "]" * draw(st.integers(0, 10))
    meta_text = json.dumps(_meta(draw)) if draw(st.booleans()) else draw(st.text(max_size=80))
    return build_id, builds_text, meta_text, draw(st.booleans())


# temporary folders in memory when the host has /dev/shm (creating and removing folders on disk is most of
# an example's time otherwise)
SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


@pytest.fixture(scope="module")
def scratch():
    top = tempfile.mkdtemp(prefix="nestos-fuzz-build-", dir=SCRATCH)
    yield top
    shutil.rmtree(top)


def _fresh(scratch, name):
    path = os.path.join(scratch, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


@given(case=workdirs())
def test_build_metadata_readers(scratch, case):
    build_id, builds_text, meta_text, verify = case
    top = _fresh(scratch, "meta")
    work = os.path.join(top, "work")
    os.makedirs(os.path.join(work, "builds"))
    with open(os.path.join(work, "builds", "builds.json"), "w", encoding="utf-8", errors="surrogatepass") as out:
        out.write(builds_text)
    if isinstance(build_id, str) and build_id and "/" not in build_id and "\0" not in build_id \
            and build_id not in (".", ".."):
        folder = os.path.join(work, "builds", build_id, "x86_64")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "meta.json"), "w", encoding="utf-8", errors="surrogatepass") as out:
            out.write(meta_text)
    facts, _err = only_nestos_errors(meta.build_facts, work, arch="x86_64", verify=verify)
    paths = [record["path"] for record in ((facts or {}).get("artifacts") or {}).values()]
    assert all(path.startswith(os.path.join(work, "builds") + os.sep) for path in paths), paths


# A small nestos-config (manifest with an include, image.yaml with an include, a .repo file), written per example.
CONFIG = {
    "manifest.yaml": "# top\nreleasever: \"1\"\ninclude: manifests/nestos.yaml\n",
    "manifests/nestos.yaml": "packages:\n  - bash   # shell\n  - zincati\n\nlockfile-repos:\n  - nestos\n",
    "image.yaml": "include: image-base.yaml\n",
    "image-base.yaml": "size: 10\nextra-kargs:\n  - mitigations=auto,nosmt\n",
    "nestos-pool.repo": "[nestos]\nname=nestos\nbaseurl=https://repo.example/\n",
}
YAML_BITS = st.sampled_from([
    "packages:\n  - a\n", "packages: x\n", "packages:\n- [a, b]\n", "postprocess:\n  - |\n    #!/bin/sh\n    true\n",
    "remove-from-packages:\n  - [systemd, /x]\n  - 7\n  - []\n", "include: missing.yaml\n", "include: [manifest.yaml]\n",
    "default-target: 3\n", "rojig: [1]\n", "a: &x [1]\nb: *x\n", "- top\n- list\n", "key: [unclosed\n", "\t bad\n",
    "initramfs-args: {a: 1}\n", "# comment only\n", "packages:\n  - a  # c\n\n# trailing\n", ":\n", "? [a]\n: b\n",
    "extra-kargs: null\n", "x: " + "[" * 300 + "]" * 300 + "\n", "!!python/object:os.system {}\n",
])
EDITS = st.fixed_dictionaries({}, optional={
    "packages": st.fixed_dictionaries({}, optional={"add": st.lists(st.text(max_size=6), max_size=2),
                                                    "remove": st.lists(st.sampled_from(["a", "bash", "zincati"]),
                                                                       max_size=2)}),
    "initramfs_args": st.fixed_dictionaries({"add": st.lists(st.text(max_size=6), max_size=2)}),
    "extra_kargs": st.fixed_dictionaries({"add": st.lists(st.text(max_size=6), max_size=2)}),
    "default_target": st.one_of(st.just("multi-user.target"), st.text(max_size=12)),
    "remove_from_packages": st.lists(st.fixed_dictionaries(
        {"package": st.one_of(st.just("systemd"), st.text(max_size=6))},
        optional={"paths": st.lists(st.text(max_size=8), max_size=2),
                  "state": st.sampled_from(["present", "absent"])}), max_size=2),
    "postprocess": st.lists(st.fixed_dictionaries(
        {"name": st.one_of(st.just("p1"), st.text(max_size=6))},
        optional={"script": st.one_of(st.just("#!/bin/sh\ntrue\n"), st.text(max_size=20)),
                  "state": st.sampled_from(["present", "absent"])}), max_size=2),
    "releasever": st.text(max_size=8),
})


@given(bits=st.lists(YAML_BITS, max_size=4), noise=st.text(max_size=40),
       target=st.sampled_from(["manifest.yaml", "manifests/nestos.yaml", "image-base.yaml"]), edits=EDITS)
def test_nestos_config_edits(scratch, bits, noise, target, edits):
    top = _fresh(scratch, "config")
    cfg = os.path.join(top, "config")
    for rel, text in CONFIG.items():
        os.makedirs(os.path.dirname(os.path.join(cfg, rel)), exist_ok=True)
        with open(os.path.join(cfg, rel), "w") as out:
            out.write(text)
    with open(os.path.join(cfg, target), "a", encoding="utf-8", errors="surrogatepass") as out:
        out.write("".join(bits) + noise)
    before = _snapshot(cfg)
    params = dict(edits, path=cfg)
    result, err = only_nestos_errors(config.execute, params)
    if err is not None:
        assert _snapshot(cfg) == before, "a refused edit changed files"
    else:
        again, err2 = only_nestos_errors(config.execute, params)
        assert err2 is None and again["changed"] is False, (again, result)
    assert os.listdir(top) == ["config"]


def _snapshot(folder):
    out = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                out[path] = handle.read()
    return out
