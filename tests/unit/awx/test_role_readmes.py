"""Every role has a README that documents each option of its meta/argument_specs.yml and
shows an example (galaxy-importer refuses a role without a README)."""
import pathlib
import re

import pytest
import yaml

TOP = pathlib.Path(__file__).resolve().parents[3]
ROLES = sorted(p.name for p in (TOP / "roles").iterdir() if (p / "meta" / "argument_specs.yml").is_file())


def _options(role):
    """Options of every entry point of the role."""
    text = (TOP / "roles" / role / "meta" / "argument_specs.yml").read_text().replace("!unsafe", "")
    options = {}
    for entry in yaml.safe_load(text)["argument_specs"].values():
        options.update(entry.get("options") or {})
    return options


def undocumented(readme, options):
    rows = set(re.findall(r"^\| `([a-z0-9_]+)` \|", readme, re.M))
    return sorted(set(options) - rows)


@pytest.mark.parametrize("role", ROLES)
def test_role_readme_documents_every_option(role):
    readme = (TOP / "roles" / role / "README.md").read_text()
    assert readme.startswith("# nestos.lifecycle.%s\n" % role)
    assert undocumented(readme, _options(role)) == [], "roles/%s/README.md lacks these options" % role
    assert "## Example" in readme and "```yaml" in readme


def test_a_missing_option_is_reported():
    readme = (TOP / "roles" / "zincati" / "README.md").read_text()
    cut = "\n".join(line for line in readme.splitlines() if "`zincati_group`" not in line)
    assert undocumented(cut, _options("zincati")) == ["zincati_group"]


def test_every_role_has_a_readme():
    assert ROLES and all((TOP / "roles" / r / "README.md").is_file() for r in ROLES)
    assert len(ROLES) == len([p for p in (TOP / "roles").iterdir() if p.is_dir()])
