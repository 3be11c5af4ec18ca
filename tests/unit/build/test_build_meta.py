"""builds.json / meta.json model, schema validator and artifact hashing."""
import hashlib
import json
import os

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler import artifacts, meta as metalib
from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler.schema import SchemaValidator
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError


def write(path, doc):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=4))


def test_sha256_stream_matches_hashlib(tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 17)
    path = tmp_path / "f"
    path.write_bytes(data)
    assert artifacts.sha256_stream(str(path)) == (hashlib.sha256(data).hexdigest(), len(data))
    empty = tmp_path / "e"
    empty.write_bytes(b"")
    many = artifacts.verify_many([str(path), str(empty)], workers=2)
    assert many[str(empty)] == (hashlib.sha256(b"").hexdigest(), 0)


def test_builds_json_errors(tmp_path):
    wd = metalib.Workdir(str(tmp_path))
    write(tmp_path / "builds" / "builds.json", {"schema-version": "2.0.0", "builds": []})
    with pytest.raises(NestosError) as err:
        wd.builds()
    assert err.value.path == "$.schema-version"
    (tmp_path / "builds" / "builds.json").write_text('{"schema-version": "1.0.0",\n "builds": [}')
    with pytest.raises(NestosError) as err:
        wd.builds()
    assert err.value.line == 2 and err.value.file.endswith("builds.json")


def test_resolve_defaults_and_errors(tmp_path):
    write(tmp_path / "builds" / "builds.json", {"schema-version": "1.0.0", "builds": [
        {"id": "b2", "arches": ["aarch64"]}, {"id": "b1", "arches": ["x86_64", "aarch64"]}]})
    wd = metalib.Workdir(str(tmp_path))
    assert wd.resolve()[0] == "b2"
    assert wd.resolve("b1", "aarch64") == ("b1", "aarch64")
    with pytest.raises(NestosError, match="not found"):
        wd.resolve("b9")
    with pytest.raises(NestosError, match="no x86_64"):
        wd.resolve("b2", "x86_64")


def test_no_build_yet(tmp_path):
    with pytest.raises(NestosError, match="no build"):
        metalib.build_facts(str(tmp_path))


@pytest.mark.parametrize("schema,doc,ok", [
    ({"type": "string", "minLength": 2}, "a", False),
    ({"type": ["string", "null"]}, None, True),
    ({"type": "integer"}, 3.0, True),
    ({"type": "integer"}, True, False),
    ({"enum": [1, 2]}, 3, False),
    ({"type": "array", "items": {"type": "string"}, "minItems": 1}, [], False),
    ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, 1, True),
    ({"oneOf": [{"type": "number"}, {"type": "integer"}]}, 1, False),
    ({"properties": {"a": {"$ref": "#/definitions/x"}}, "definitions": {"x": {"type": "string"}}}, {"a": 1}, False),
    ({"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": False}, {"x-a": "s"}, True),
    ({"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": False}, {"y": "s"}, False),
])
def test_validator_keywords(schema, doc, ok):
    assert (SchemaValidator(schema).errors(doc) == []) == ok


def test_error_paths():
    schema = {"type": "object", "properties": {"images": {"type": "object", "additionalProperties": {
        "type": "object", "required": ["sha256"]}}}}
    errors = SchemaValidator(schema).errors({"images": {"qemu": {"path": "x"}}})
    assert errors == [("$.images.qemu", "missing required field 'sha256'")]
