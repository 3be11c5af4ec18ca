"""The hand-written model covers exactly what each upstream JSON schema (3.0-3.3) defines:
same fields at every object, same JSON types (string / integer / boolean / array / object)."""
import json

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import model as M

KIND_TYPE = {M.KIND_REQ_STR: "string", M.KIND_STR: "string", M.KIND_STR_OMIT: "string", M.KIND_STR_NULL: "string",
             M.KIND_INT: "integer", M.KIND_INT_OMIT: "integer", M.KIND_BOOL: "boolean",
             M.KIND_LIST: "array", M.KIND_LIST_NULL: "array", M.KIND_STRUCT: "object", M.KIND_PSTRUCT: "object"}


def _resolve(root, node):
    while "$ref" in node:
        ref = node["$ref"]
        node = root
        for part in ref[2:].split("/"):
            node = node[part]
    return node


def _props(root, node):
    node = _resolve(root, node)
    if "allOf" in node:
        out = {}
        for sub in node["allOf"]:
            out.update(_props(root, sub))
        return out
    return node.get("properties", {})


def _types(node):
    t = node.get("type")
    return set(t if isinstance(t, list) else [t]) - {"null"} if t else {"object"}


def _walk(root, schema_node, types, struct, path, problems):
    props = _props(root, schema_node)
    fields, index = types[struct]
    if set(props) != set(index):
        problems.append("%s (%s): schema %s, model %s" % (path, struct, sorted(props), sorted(index)))
        return
    for key, kind, target in fields:
        sub = _resolve(root, props[key])
        want = KIND_TYPE[kind]
        got = _types(sub) if "allOf" not in sub else {"object"}
        if want not in got:
            problems.append("%s.%s: schema type %s, model %s" % (path, key, sorted(got), want))
            continue
        if kind in M.LIST_KINDS:
            item = _resolve(root, sub["items"])
            if target == "string":
                if "string" not in _types(item):
                    problems.append("%s.%s[]: schema %s, model string" % (path, key, sorted(_types(item))))
            else:
                _walk(root, item, types, target, "%s.%s[]" % (path, key), problems)
        elif kind in M.STRUCT_KINDS:
            _walk(root, sub, types, target, "%s.%s" % (path, key), problems)


@pytest.mark.parametrize("version", M.SUPPORTED_VERSIONS)
def test_model_matches_schema(upstream, version):
    schema_file = upstream / "ignition" / "config" / ("v" + version[:3].replace(".", "_")) / "schema" / "ignition.json"
    root = json.loads(schema_file.read_text())
    problems = []
    _walk(root, root, M.model(version), "Config", "$", problems)
    assert problems == []


GO_ACRONYMS = {"sshAuthorizedKeys": "SSHAuthorizedKeys", "uid": "UID", "guid": "GUID", "typeGuid": "TypeGUID",
               "uuid": "UUID", "httpHeaders": "HTTPHeaders", "httpProxy": "HTTPProxy", "httpsProxy": "HTTPSProxy",
               "httpResponseHeaders": "HTTPResponseHeaders", "httpTotal": "HTTPTotal", "url": "URL", "id": "ID",
               "tls": "TLS"}


def go_name(key):
    return GO_ACRONYMS.get(key, key[:1].upper() + key[1:])


@pytest.mark.parametrize("version", M.SUPPORTED_VERSIONS)
def test_model_field_order_is_go_order(version):
    # schematyper sorts struct fields by Go field name (byte order); File/Directory/Link
    # embed Node first, then their own fields
    for name, (fields, _index) in M.model(version).items():
        keys = [k for k, _kind, _t in fields]
        groups = [keys[:4], keys[4:]] if name in ("File", "Directory", "Link") else [keys]
        for group in groups:
            assert group == sorted(group, key=go_name), name
