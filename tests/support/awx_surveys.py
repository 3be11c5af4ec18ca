"""AWX surveys against the roles' argument specifications.

A survey question of a job template sets an extra variable of the template's playbook. Its
type, choices, default, required flag and variable name must agree with the specification of
that variable: a role's ``meta/argument_specs.yml`` (the roles the playbook runs) or
``roles/awx_config/meta/play_variables.yml`` (variables a playbook reads itself).

Rules (one place, used by the generator and by the contract test):
- ``str``/``path`` without choices -> ``text`` (min 0, max 1024); with choices ->
  ``multiplechoice`` with the same choices, the empty choice left out (AWX cannot offer an
  empty answer; such a question must then not be required); ``raw`` -> ``textarea``;
  ``int`` -> ``integer``; ``float`` -> ``float``.
- ``bool``, ``list`` and ``dict`` options cannot be survey questions: AWX answers are strings
  (multiplechoice ``true``/``false`` arrives as the string ``"false"``, which ansible-core 2.19
  refuses in a conditional). They go into the template's ``extra_vars``, typed.
- Secrets (``no_log``, a name with password/secret/token, "never logged") never are survey
  questions: they come from credentials.
- ``default`` is the specification's default (``""`` for a text option without one);
  ``required`` is the specification's ``required``.

``python -m tests.support.awx_surveys --write`` regenerates every survey file under
roles/awx_config/files/surveys/ from the variables it lists (question names are kept).
"""
from __future__ import annotations

import pathlib
import re
import sys
from typing import Any, Dict, List, Tuple

import yaml

TOP = pathlib.Path(__file__).resolve().parents[2]
ROLE_DIR = TOP / "roles" / "awx_config"
SURVEY_DIR = ROLE_DIR / "files" / "surveys"
PLAY_VARS_FILE = ROLE_DIR / "meta" / "play_variables.yml"
COLLECTION_PREFIX = "nestos.lifecycle."
TEXT_MAX = 1024
SECRET_NAME = re.compile(r"password|secret|token|passphrase", re.I)
MARKUP = re.compile(r"\b[CVOIMB]\(([^)]*)\)")

Spec = Dict[str, Any]


class SurveyError(Exception):
    """An option that cannot be a survey question, or a survey file that cannot be read."""


def _load_yaml(path: pathlib.Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SurveyError("%s: %s" % (path, exc)) from exc


def role_options(role: str, top: pathlib.Path = TOP) -> Dict[str, Spec]:
    """Options of roles/<role>/meta/argument_specs.yml, entry point main."""
    path = top / "roles" / role / "meta" / "argument_specs.yml"
    data = _load_yaml(path) or {}
    return dict(((data.get("argument_specs") or {}).get("main") or {}).get("options") or {})


def play_options(path: pathlib.Path = PLAY_VARS_FILE) -> Dict[str, Spec]:
    data = _load_yaml(path) or {}
    return dict(((data.get("argument_specs") or {}).get("plays") or {}).get("options") or {})


def _role_name(value: Any) -> str:
    name = value.get("role", value.get("name", "")) if isinstance(value, dict) else value
    name = str(name or "")
    return name[len(COLLECTION_PREFIX):] if name.startswith(COLLECTION_PREFIX) else ""


def playbook_roles(playbook: pathlib.Path) -> List[str]:
    """Roles of this collection a playbook runs (play roles, include_role, import_role)."""
    plays = _load_yaml(playbook) or []
    found: List[str] = []

    def walk_tasks(tasks: Any) -> None:
        for task in tasks or []:
            if not isinstance(task, dict):
                continue
            for key in ("ansible.builtin.include_role", "ansible.builtin.import_role", "include_role", "import_role"):
                if key in task:
                    found.append(_role_name(task[key]))
            for key in ("block", "rescue", "always"):
                walk_tasks(task.get(key))

    for play in plays:
        if not isinstance(play, dict):
            continue
        for role in play.get("roles") or []:
            found.append(_role_name(role))
        for key in ("pre_tasks", "tasks", "post_tasks"):
            walk_tasks(play.get(key))
    return sorted({name for name in found if name})


def playbook_options(playbook: str, top: pathlib.Path = TOP) -> Dict[str, Tuple[Spec, str]]:
    """Every variable a survey of this playbook may set: {name: (spec, where it is specified)}."""
    path = top / playbook
    if not path.is_file():
        raise SurveyError("%s: no such playbook" % path)
    options: Dict[str, Tuple[Spec, str]] = {}
    text = path.read_text(encoding="utf-8")
    for name, spec in play_options(top / PLAY_VARS_FILE.relative_to(TOP)).items():
        if re.search(r"\b%s\b" % re.escape(name), text):
            options[name] = (spec, str(PLAY_VARS_FILE.relative_to(TOP)))
    for role in playbook_roles(path):
        source = "roles/%s/meta/argument_specs.yml" % role
        for name, spec in role_options(role, top).items():
            options[name] = (spec, source)
    return options


def plain_description(spec: Spec) -> str:
    desc = spec.get("description", "")
    if isinstance(desc, list):
        desc = " ".join(str(d) for d in desc)
    return MARKUP.sub(r"\1", str(desc)).strip()


def is_secret(name: str, spec: Spec) -> bool:
    return bool(spec.get("no_log")) or bool(SECRET_NAME.search(name)) or "never logged" in plain_description(spec).lower()


def question_for(name: str, spec: Spec, question_name: str = "") -> Dict[str, Any]:
    """The survey question the rules derive from an option's specification."""
    kind = spec.get("type", "str")
    if is_secret(name, spec):
        raise SurveyError("%s is a secret: give it through a credential, not a survey" % name)
    if kind in ("bool", "list", "dict"):
        raise SurveyError(
            "%s is of type %s: AWX survey answers are strings; set it typed in the template's extra_vars" % (name, kind))
    question: Dict[str, Any] = {
        "question_name": question_name or name.replace("_", " "),
        "question_description": plain_description(spec),
        "required": bool(spec.get("required", False)),
        "variable": name,
    }
    choices = [c for c in spec.get("choices") or [] if c != ""]
    if kind in ("str", "path") and choices:
        question.update(type="multiplechoice", choices=[str(c) for c in choices], default=str(spec.get("default", "")))
    elif kind in ("str", "path"):
        question.update(type="text", min=0, max=TEXT_MAX, default=str(spec.get("default", "")))
    elif kind == "raw":
        default = spec.get("default", "")
        question.update(type="textarea", min=0, max=TEXT_MAX * 64, default=default if isinstance(default, str) else "")
    elif kind in ("int", "float"):
        question["type"] = "integer" if kind == "int" else "float"
        if "default" in spec:
            question["default"] = spec["default"]
    else:
        raise SurveyError("%s: type %s has no survey question type" % (name, kind))
    return question


def check_question(question: Dict[str, Any], options: Dict[str, Tuple[Spec, str]], where: str) -> List[str]:
    """Differences between one question and what its option's specification demands."""
    variable = question.get("variable")
    if variable not in options:
        return ["%s: variable %r is not an option of the playbook's roles nor a play variable" % (where, variable)]
    spec, source = options[variable]
    try:
        expected = question_for(variable, spec)
    except SurveyError as exc:
        return ["%s: %s (%s)" % (where, exc, source)]
    problems = []
    for field in ("type", "choices", "default", "required"):
        if question.get(field, None) != expected.get(field, None):
            problems.append("%s: variable %s: %s is %r, %s says %r" % (
                where, variable, field, question.get(field), source, expected.get(field)))
    if "" in (spec.get("choices") or []) and question.get("required"):
        problems.append("%s: variable %s offers an empty choice in %s, so it cannot be required" % (where, variable, source))
    return problems


def check_survey(survey: Any, playbook: str, name: str, top: pathlib.Path = TOP) -> List[str]:
    """Every difference between a survey and the argument specs of the playbook it serves."""
    if not isinstance(survey, dict) or not isinstance(survey.get("spec"), list):
        return ["%s: a survey is a mapping with name, description and a spec list" % name]
    options = playbook_options(playbook, top)
    problems: List[str] = []
    seen = set()
    for index, question in enumerate(survey["spec"]):
        where = "%s: spec[%d]" % (name, index)
        if not isinstance(question, dict):
            problems.append("%s: a question is a mapping" % where)
            continue
        if question.get("variable") in seen:
            problems.append("%s: variable %r asked twice" % (where, question.get("variable")))
        seen.add(question.get("variable"))
        problems.extend(check_question(question, options, where))
    return problems


def survey_path(key: str) -> pathlib.Path:
    return SURVEY_DIR / ("%s.yml" % key)


def generate(key: str, playbook: str, top: pathlib.Path = TOP) -> Dict[str, Any]:
    """The survey file for a template, its questions refreshed from the specifications."""
    current = _load_yaml(survey_path(key))
    options = playbook_options(playbook, top)
    spec = []
    for question in current["spec"]:
        variable = question["variable"]
        if variable not in options:
            raise SurveyError("%s: %s is not an option of %s" % (survey_path(key), variable, playbook))
        spec.append(question_for(variable, options[variable][0], question.get("question_name", "")))
    return {"name": current.get("name", ""), "description": current.get("description", ""), "spec": spec}


class _IndentedDumper(yaml.SafeDumper):  # pylint: disable=too-many-ancestors
    """Lists indented under their key, as yamllint (ansible-lint's yaml rule) wants."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


HEADER = ("---\n# Survey of one AWX job template. Questions are derived from the argument specs of the roles\n"
          "# the playbook runs: python -m tests.support.awx_surveys --write; checked by\n"
          "# tests/unit/awx/test_survey_contract.py. Edit the variables and question names only.\n")


def job_templates(top: pathlib.Path = TOP) -> List[Dict[str, Any]]:
    defaults = _load_yaml(top / "roles" / "awx_config" / "defaults" / "main.yml")
    return list(defaults["awx_config_job_templates"])


def main(argv: List[str]) -> int:
    write = "--write" in argv
    status = 0
    for template in job_templates():
        key = template.get("survey")
        if not key:
            continue
        playbook = template["playbook"]
        try:
            if write:
                text = HEADER + yaml.dump(generate(key, playbook), Dumper=_IndentedDumper, sort_keys=False, width=110)
                survey_path(key).write_text(text, encoding="utf-8")
            path = survey_path(key)
            where = str(path.relative_to(TOP)) if path.is_relative_to(TOP) else str(path)
            problems = check_survey(_load_yaml(path), playbook, where)
        except SurveyError as exc:
            problems = [str(exc)]
        for problem in problems:
            print(problem, file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
