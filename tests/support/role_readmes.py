"""The variables part of roles/<role>/README.md, from the role's meta/argument_specs.yml.

``python -m tests.support.role_readmes --write`` rewrites, in every role README, the text from
``## Variables`` up to ``## Example`` (every entry point's options); the rest of the README (what
the role does, the example) is written by hand. tests/unit/awx/test_role_readmes.py fails when
an option is missing.
"""
from __future__ import annotations

import json
import pathlib
import re
import sys
from typing import Any, Dict, List

import yaml

TOP = pathlib.Path(__file__).resolve().parents[2]
MARKUP = re.compile(r"\b[CVOIMB]\(([^)]*)\)")
START, END = "## Variables", "## Example"


def _plain(text: Any, sep: str = " ") -> str:
    if isinstance(text, list):
        return sep.join(_plain(t) for t in text)
    return MARKUP.sub(lambda m: "`%s`" % m.group(1), str(text or "")).replace("|", "\\|").strip()


def _row(name: str, spec: Dict[str, Any]) -> str:
    kind = spec.get("type", "str")
    if kind == "list" and spec.get("elements"):
        kind = "list of %s" % spec["elements"]
    if "choices" in spec:
        kind += " (%s)" % ", ".join("`%s`" % c if c != "" else '`""`' for c in spec["choices"])
    if spec.get("required"):
        default = "required"
    elif "default" not in spec:
        default = "see description"
    elif isinstance(spec["default"], str):
        default = "`%s`" % spec["default"] if spec["default"] else '`""`'
    else:
        default = "`%s`" % json.dumps(spec["default"])
    return "| `%s` | %s | %s | %s |" % (name, kind, default.replace("|", "\\|"), _plain(spec.get("description")))


def variables_section(role: str) -> str:
    text = (TOP / "roles" / role / "meta" / "argument_specs.yml").read_text(encoding="utf-8")
    specs = yaml.safe_load(text.replace("!unsafe", ""))["argument_specs"]
    head = ["| Variable | Type | Default | Description |", "|---|---|---|---|"]
    out: List[str] = [START, "", "From [`meta/argument_specs.yml`](meta/argument_specs.yml) (checked when the role "
                      "starts).", ""] + head
    out += [_row(n, s) for n, s in (specs["main"].get("options") or {}).items()]
    for entry, spec in specs.items():
        if entry == "main":
            continue
        out += ["", "## Entry point `%s` (`tasks_from: %s.yml`)" % (entry, entry), "",
                _plain(spec.get("short_description")) + ".", "", _plain(spec.get("description"), "\n\n"), ""] + head
        out += [_row(n, s) for n, s in (spec.get("options") or {}).items()]
    return "\n".join(out) + "\n\n"


def rewrite(role: str) -> bool:
    path = TOP / "roles" / role / "README.md"
    text = path.read_text(encoding="utf-8")
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise SystemExit("%s: needs a '%s' and a later '%s' section" % (path, START, END))
    new = text[:start] + variables_section(role) + text[end:]
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def main(argv: List[str]) -> int:
    if "--write" not in argv:
        print("usage: python -m tests.support.role_readmes --write", file=sys.stderr)
        return 2
    for role in sorted(p.name for p in (TOP / "roles").iterdir() if (p / "meta" / "argument_specs.yml").is_file()):
        if rewrite(role):
            print("rewrote roles/%s/README.md" % role)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
