"""meta.json model against upstream data: coreos-assembler's fcos.json / rhcos.json fixtures and
the NestOS (nestos-assembler src/v1.json) and upstream (coreos-assembler src/v1.json) schemas.
Our own validator must agree with the reference implementation (jsonschema) on the real
documents and on broken variants of them."""
import copy
import json

import jsonschema
import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler import meta as metalib
from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler.schema import SchemaValidator
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

SCHEMAS = ["nestos-assembler/src/v1.json", "coreos-assembler/src/v1.json"]
DOCS = ["coreos-assembler/fixtures/fcos.json", "coreos-assembler/fixtures/rhcos.json"]


def load(upstream, rel):
    return json.loads((upstream / rel).read_text())


def mutations(doc):
    """Broken variants of a real meta.json (name, document)."""
    out = []
    for key in ("buildid", "name", "ostree-commit", "ostree-timestamp", "ostree-version"):
        d = copy.deepcopy(doc)
        d.pop(key, None)
        out.append(("missing " + key, d))
    d = copy.deepcopy(doc)
    d["ostree-commit"] = "abc"
    out.append(("short commit", d))
    d = copy.deepcopy(doc)
    d["ostree-timestamp"] = "yesterday"
    out.append(("bad timestamp", d))
    d = copy.deepcopy(doc)
    d["images"]["qemu"].pop("sha256")
    out.append(("artifact without sha256", d))
    d = copy.deepcopy(doc)
    d["images"]["qemu"]["size"] = "big"
    out.append(("size not a number", d))
    d = copy.deepcopy(doc)
    d["images"].pop("ostree")
    out.append(("no ostree image", d))
    d = copy.deepcopy(doc)
    d["not-a-field"] = 1
    out.append(("unknown top-level field", d))
    d = copy.deepcopy(doc)
    d["images"]["qemu"]["skip-compression"] = "yes"
    out.append(("skip-compression not bool", d))
    d = copy.deepcopy(doc)
    d["base-oscontainer"] = {"digest": "sha256:00"}
    out.append(("image without image", d))
    return out


@pytest.mark.parametrize("schema_rel", SCHEMAS)
@pytest.mark.parametrize("doc_rel", DOCS)
def test_validator_agrees_with_jsonschema(upstream, schema_rel, doc_rel):
    schema = load(upstream, schema_rel)
    doc = load(upstream, doc_rel)
    ours = SchemaValidator(schema)
    ref = jsonschema.Draft7Validator(schema)
    assert ours.errors(doc) == [] and list(ref.iter_errors(doc)) == []
    for name, broken in mutations(doc):
        ref_ok = not list(ref.iter_errors(broken))
        our_ok = not ours.errors(broken)
        assert our_ok == ref_ok, name


@pytest.mark.parametrize("doc_rel", DOCS)
def test_nestos_schema_required_fields_reported_with_path(upstream, doc_rel, tmp_path):
    doc = load(upstream, doc_rel)
    doc.pop("rpm-ostree-inputhash")
    path = tmp_path / "meta.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(NestosError) as err:
        metalib.validate(metalib.load_json(str(path)), metalib.load_schema(str(upstream / SCHEMAS[0])), str(path))
    assert "rpm-ostree-inputhash" in str(err.value)
    assert err.value.file == str(path)
    assert err.value.path == "$"


@pytest.mark.parametrize("doc_rel", DOCS)
def test_builtin_contract_accepts_real_documents(upstream, doc_rel):
    assert SchemaValidator(metalib.BUILTIN_META_SCHEMA).errors(load(upstream, doc_rel)) == []


@pytest.mark.parametrize("doc_rel", DOCS)
def test_artifacts_from_real_meta(upstream, doc_rel, tmp_path):
    doc = load(upstream, doc_rel)
    arts = metalib.artifacts_of(doc, str(tmp_path))
    assert set(arts) == set(k for k, v in doc["images"].items() if isinstance(v, dict) and "path" in v)
    for key, rec in arts.items():
        src = doc["images"][key]
        assert rec["path"] == str(tmp_path / src["path"])
        assert rec["sha256"] == src["sha256"]
        assert rec["compressed"] == (src["path"].endswith((".xz", ".gz")) or "uncompressed-sha256" in src)
        assert rec["exists"] is False


def test_fcos_compressed_qemu_record(upstream, tmp_path):
    doc = load(upstream, DOCS[0])
    rec = metalib.artifacts_of(doc, str(tmp_path))["qemu"]
    assert rec["compression"] == "xz"
    assert rec["uncompressed_sha256"] == doc["images"]["qemu"]["uncompressed-sha256"]
    assert rec["uncompressed_size"] == doc["images"]["qemu"]["uncompressed-size"]
