# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small JSON Schema (draft-07 subset) validator for build metadata.

Covers the keywords nestos-assembler's and coreos-assembler's ``src/v1.json`` use
(``type``, ``properties``, ``required``, ``additionalProperties``, ``items``, ``$ref`` to
local definitions, ``minLength``, ``pattern``) plus a few common ones (``enum``,
``const``, ``minimum``, ``maximum``, ``maxLength``, ``patternProperties``, ``allOf``,
``anyOf``, ``oneOf``, ``minItems``). Annotations such as ``title``, ``default``,
``examples`` and the non-standard ``optional`` are ignored, as real validators do.
jsonschema is not needed at run time (it stays a test-only dependency).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


def _fmt_path(parts):
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += "[%d]" % part
        else:
            out += "." + part
    return out


class SchemaValidator(object):
    """Validate documents against one schema; ``errors(doc)`` lists (path, message)."""

    def __init__(self, schema):
        self.schema = schema
        self._regex = {}

    def _resolve(self, ref):
        if not ref.startswith("#"):
            raise ValueError("only local $ref are supported: %s" % ref)
        node = self.schema
        for token in [t for t in ref[1:].split("/") if t]:
            token = token.replace("~1", "/").replace("~0", "~")
            node = node[token]
        return node

    def _re(self, pattern):
        if pattern not in self._regex:
            self._regex[pattern] = re.compile(pattern)
        return self._regex[pattern]

    def errors(self, doc):
        out = []
        try:
            self._check(doc, self.schema, [], out)
        except (KeyError, TypeError, ValueError, AttributeError, re.error, RecursionError) as err:
            raise NestosError("the metadata schema cannot be used: %s (%s)" % (type(err).__name__, err))
        return out

    def _check(self, value, schema, path, out):
        if schema is True or schema is None:
            return
        if schema is False:
            out.append((_fmt_path(path), "no value is allowed here"))
            return
        if "$ref" in schema:
            # draft-07: $ref overrides its siblings
            self._check(value, self._resolve(schema["$ref"]), path, out)
            return
        expected = schema.get("type")
        if expected is not None:
            names = expected if isinstance(expected, list) else [expected]
            if not any(_TYPES[name](value) for name in names):
                out.append((_fmt_path(path), "expected %s, got %s" % (" or ".join(names), type(value).__name__)))
                return
        for keywords in (self._check_values, self._check_object, self._check_array, self._check_combined):
            keywords(value, schema, path, out)

    def _check_values(self, value, schema, path, out):
        """enum, const, and the string and number keywords."""
        where = _fmt_path(path)
        if "enum" in schema and value not in schema["enum"]:
            out.append((where, "must be one of %s" % ", ".join(repr(x) for x in schema["enum"])))
        if "const" in schema and value != schema["const"]:
            out.append((where, "must be %r" % (schema["const"],)))
        if isinstance(value, str):
            if len(value) < schema.get("minLength", 0):
                out.append((where, "must be at least %d characters long" % schema["minLength"]))
            if "maxLength" in schema and len(value) > schema["maxLength"]:
                out.append((where, "must be at most %d characters long" % schema["maxLength"]))
            if "pattern" in schema and not self._re(schema["pattern"]).search(value):
                out.append((where, "does not match pattern %s" % schema["pattern"]))
        if _TYPES["number"](value):
            if "minimum" in schema and value < schema["minimum"]:
                out.append((where, "must be >= %s" % schema["minimum"]))
            if "maximum" in schema and value > schema["maximum"]:
                out.append((where, "must be <= %s" % schema["maximum"]))

    def _check_object(self, value, schema, path, out):
        if not isinstance(value, dict):
            return
        for key in schema.get("required", []):
            if key not in value:
                out.append((_fmt_path(path), "missing required field %r" % key))
        props = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            subs = ([props[key]] if key in props else []) + [sub for pattern, sub in patterns.items()
                                                             if self._re(pattern).search(key)]
            for sub in subs:
                self._check(item, sub, path + [key], out)
            if subs:
                continue
            if extra is False:
                out.append((_fmt_path(path + [key]), "unknown field %r is not allowed" % key))
            elif isinstance(extra, dict):
                self._check(item, extra, path + [key], out)

    def _check_array(self, value, schema, path, out):
        if not isinstance(value, list):
            return
        items = schema.get("items")
        if isinstance(items, list):
            for index, item in enumerate(value[: len(items)]):
                self._check(item, items[index], path + [index], out)
        elif items is not None:
            for index, item in enumerate(value):
                self._check(item, items, path + [index], out)
        if len(value) < schema.get("minItems", 0):
            out.append((_fmt_path(path), "needs at least %d items" % schema["minItems"]))

    def _check_combined(self, value, schema, path, out):
        for sub in schema.get("allOf", []):
            self._check(value, sub, path, out)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                passing = sum(1 for sub in schema[key] if not self._sub_errors(value, sub, path))
                if passing == 0 or (key == "oneOf" and passing > 1):
                    out.append((_fmt_path(path), "does not match %s of the allowed forms"
                                % ("any" if key == "anyOf" else "exactly one")))

    def _sub_errors(self, value, schema, path):
        out = []
        self._check(value, schema, path, out)
        return out


# The build-metadata contract this collection relies on, written from the rules of
# nestos-assembler's src/v1.json (required top-level fields, the artifact and image
# definitions). Used when no schema file is given; pass the assembler's own v1.json
# (``schema`` option / COSA_META_SCHEMA) for the complete check.
ARTIFACT = {
    "type": "object",
    "required": ["path", "sha256"],
    "properties": {
        "path": {"type": "string", "minLength": 1},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "size": {"type": "number"},
        "uncompressed-sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "uncompressed-size": {"type": "integer"},
        "skip-compression": {"type": "boolean"},
    },
}
IMAGE_REF = {
    "type": "object",
    "required": ["image"],
    "properties": {
        "image": {"type": "string"},
        "digest": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "comment": {"type": "string"},
    },
}
BUILTIN_META_SCHEMA = {
    "type": "object",
    "required": [
        "buildid", "name", "ostree-commit", "ostree-content-checksum",
        "ostree-timestamp", "ostree-version", "rpm-ostree-inputhash",
    ],
    "properties": {
        "buildid": {"type": "string", "minLength": 1},
        "name": {"type": "string", "minLength": 1},
        "ostree-commit": {"type": "string", "minLength": 64},
        "ostree-content-checksum": {"type": "string"},
        "ostree-timestamp": {"type": "string", "pattern": "\\d{4}-\\d{2}-\\d{2}T.*Z$"},
        "ostree-version": {"type": "string"},
        "rpm-ostree-inputhash": {"type": "string"},
        "coreos-assembler.basearch": {"type": "string", "minLength": 1},
        "images": {
            "type": "object",
            "required": ["ostree"],
            "additionalProperties": ARTIFACT,
        },
        "base-oscontainer": IMAGE_REF,
        "oscontainer": IMAGE_REF,
        "extensions-container": IMAGE_REF,
    },
}
BUILDS_SCHEMA = {
    "type": "object",
    "required": ["schema-version", "builds"],
    "properties": {
        "schema-version": {"type": "string", "pattern": "^1\\."},
        "timestamp": {"type": "string"},
        "builds": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "arches"],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "arches": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                },
            },
        },
        "tags": {"type": "array", "items": {"type": "object", "required": ["name", "target"]}},
    },
}
