"""Contract: every survey question of the awx_config job templates agrees with the argument
spec of the variable it sets (type, choices, default, required flag, variable name)."""
import copy
import shutil

import pytest
import yaml

from tests.support import awx_surveys

TEMPLATES = [t for t in awx_surveys.job_templates() if t.get("survey")]


def _survey(key):
    return yaml.safe_load(awx_surveys.survey_path(key).read_text())


def _by_variable(survey, variable):
    return next(q for q in survey["spec"] if q["variable"] == variable)


@pytest.mark.parametrize("template", TEMPLATES, ids=[t["name"] for t in TEMPLATES])
def test_survey_matches_argument_specs(template):
    survey = _survey(template["survey"])
    assert survey["spec"], "an empty survey: %s" % template["survey"]
    assert awx_surveys.check_survey(survey, template["playbook"], template["survey"]) == []


@pytest.mark.parametrize("template", TEMPLATES, ids=[t["name"] for t in TEMPLATES])
def test_survey_file_is_what_the_generator_writes(template):
    assert awx_surveys.generate(template["survey"], template["playbook"]) == {
        k: v for k, v in _survey(template["survey"]).items() if k in ("name", "description", "spec")}


def test_every_template_has_a_survey_and_an_existing_playbook():
    for template in awx_surveys.job_templates():
        assert (awx_surveys.TOP / template["playbook"]).is_file(), template["playbook"]
        assert awx_surveys.survey_path(template["survey"]).is_file(), template["name"]


@pytest.mark.parametrize("field,value,expect", [
    ("type", "textarea", "type is 'textarea'"),
    ("choices", ["signed", "remote"], "choices is ['signed', 'remote']"),
    ("default", "remote", "default is 'remote'"),
    ("required", True, "required is True"),
])
def test_a_mutated_question_is_reported(field, value, expect):
    survey = copy.deepcopy(_survey("rebase"))
    _by_variable(survey, "os_update_signature")[field] = value
    problems = awx_surveys.check_survey(survey, "playbooks/rebase.yml", "rebase")
    assert len(problems) == 1, problems
    assert "os_update_signature" in problems[0] and expect in problems[0]
    assert "roles/os_update/meta/argument_specs.yml" in problems[0]


def test_an_integer_default_that_differs_is_reported():
    survey = copy.deepcopy(_survey("deploy"))
    _by_variable(survey, "libvirt_deploy_memory")["default"] = 4096
    problems = awx_surveys.check_survey(survey, "playbooks/deploy.yml", "deploy")
    assert problems == ["deploy: spec[5]: variable libvirt_deploy_memory: default is 4096, "
                        "roles/libvirt_deploy/meta/argument_specs.yml says 2048"]


def test_a_renamed_variable_is_reported():
    survey = copy.deepcopy(_survey("zincati"))
    _by_variable(survey, "zincati_group")["variable"] = "zincati_groups"
    problems = awx_surveys.check_survey(survey, "playbooks/zincati.yml", "zincati")
    assert problems == ["zincati: spec[4]: variable 'zincati_groups' is not an option of the playbook's roles "
                        "nor a play variable"]


def test_a_variable_of_another_playbooks_role_is_reported():
    survey = copy.deepcopy(_survey("rollback"))
    survey["spec"].append(awx_surveys.question_for("zincati_group", {"type": "str", "default": ""}))
    problems = awx_surveys.check_survey(survey, "playbooks/rollback.yml", "rollback")
    assert len(problems) == 1 and "'zincati_group' is not an option" in problems[0]


@pytest.mark.parametrize("variable,why", [
    ("os_update_auto_rollback", "of type bool"),
    ("os_update_packages", "of type list"),
])
def test_bool_and_list_options_cannot_be_questions(variable, why):
    survey = copy.deepcopy(_survey("rebase"))
    survey["spec"].append({"question_name": "x", "variable": variable, "type": "text", "required": False,
                           "default": ""})
    problems = awx_surveys.check_survey(survey, "playbooks/rebase.yml", "rebase")
    assert len(problems) == 1 and why in problems[0] and "extra_vars" in problems[0]


def test_a_secret_cannot_be_a_question():
    survey = copy.deepcopy(_survey("push"))
    survey["spec"].append({"question_name": "pw", "variable": "nestos_build_push_password", "type": "password",
                           "required": False, "default": ""})
    problems = awx_surveys.check_survey(survey, "playbooks/build.yml", "push")
    assert len(problems) == 1 and "secret" in problems[0] and "credential" in problems[0]


def test_a_question_asked_twice_is_reported():
    survey = copy.deepcopy(_survey("upgrade"))
    survey["spec"].append(copy.deepcopy(survey["spec"][0]))
    problems = awx_surveys.check_survey(survey, "playbooks/upgrade.yml", "upgrade")
    assert any("asked twice" in p for p in problems)


@pytest.fixture
def tree_copy(tmp_path):
    """A copy of the roles and playbooks, to change an argument spec under the surveys."""
    for name in ("roles", "playbooks"):
        shutil.copytree(awx_surveys.TOP / name, tmp_path / name)
    return tmp_path


def test_a_changed_argument_spec_fails_the_unchanged_survey(tree_copy):
    spec_file = tree_copy / "roles" / "libvirt_deploy" / "meta" / "argument_specs.yml"
    data = yaml.safe_load(spec_file.read_text())
    data["argument_specs"]["main"]["options"]["libvirt_deploy_state"]["choices"].append("paused")
    spec_file.write_text(yaml.safe_dump(data))
    problems = awx_surveys.check_survey(_survey("deploy"), "playbooks/deploy.yml", "deploy", top=tree_copy)
    assert len(problems) == 1 and "libvirt_deploy_state: choices" in problems[0] and "paused" in problems[0]


def test_an_empty_choice_is_left_out_and_forbids_required():
    question = awx_surveys.question_for("zincati_strategy", {"type": "str", "choices": ["", "immediate"],
                                                             "default": "immediate"})
    assert question["choices"] == ["immediate"]
    survey = copy.deepcopy(_survey("zincati"))
    _by_variable(survey, "zincati_strategy")["required"] = True
    problems = awx_surveys.check_survey(survey, "playbooks/zincati.yml", "zincati")
    assert any("cannot be required" in p for p in problems)


def test_not_a_survey():
    assert awx_surveys.check_survey(["x"], "playbooks/rebase.yml", "bad") == [
        "bad: a survey is a mapping with name, description and a spec list"]


def test_playbook_roles_reads_plays_and_include_role():
    assert awx_surveys.playbook_roles(awx_surveys.TOP / "playbooks" / "build.yml") == ["build_host", "nestos_build"]
    assert awx_surveys.playbook_roles(awx_surveys.TOP / "playbooks" / "rebase.yml") == ["os_update"]


def test_the_command_line_reports_and_fails(monkeypatch, capsys, tmp_path):
    bad = copy.deepcopy(_survey("zincati"))
    _by_variable(bad, "zincati_state")["default"] = "absent"
    path = tmp_path / "zincati.yml"
    path.write_text(yaml.safe_dump(bad))
    monkeypatch.setattr(awx_surveys, "survey_path", lambda key: path if key == "zincati" else
                        awx_surveys.SURVEY_DIR / ("%s.yml" % key))
    assert awx_surveys.main([]) == 1
    assert "zincati_state: default is 'absent'" in capsys.readouterr().err
