"""The awx_config role against the AWX API double: what it creates, that a second run and a
check-mode run change nothing, that secrets never show, and the errors a user would meet."""
import json

import pytest
import yaml

from tests.support import awx_surveys
from tests.support.awx_api import TOP
from tests.integration.awx_config.conftest import SECRETS, run_role

pytestmark = pytest.mark.slow
DEFAULTS = yaml.safe_load((TOP / "roles" / "awx_config" / "defaults" / "main.yml").read_text())
NEEDS = {"machine": "NestOS fleet SSH", "registry": "NestOS lab registry", "signature": "NestOS lab signatures"}
EE_IMAGE = "127.0.0.1:5005/nestos/lifecycle-ee:latest"


def _writes(awx, since=0):
    """Writes the double saw after the first `since` ones, token handling left out."""
    return [w for w in awx.writes()[since:] if not w["path"].startswith("/api/v2/tokens/")]


def _assert_no_secret(text):
    for secret in SECRETS:
        assert secret not in text, "a secret shows in the output"


@pytest.fixture(scope="module")
def first_run(awx, project_repo, tmp_path_factory, awx_collections):
    rc, counts, text = run_role(awx, project_repo, tmp_path_factory.mktemp("run1"), awx_collections)
    assert rc == 0, text[-6000:]
    return counts, text


def test_first_run_configures_the_controller(first_run):
    counts, text = first_run
    assert counts["failed"] == 0 and counts["changed"] >= 15
    _assert_no_secret(text)


def test_project_ee_settings_and_organization(awx, first_run, project_repo):
    assert awx.get("/api/v2/settings/all/")["AWX_COLLECTIONS_ENABLED"] is True
    org = awx.get("/api/v2/organizations/NestOS/")  # named URL, as a user would browse it
    ee = awx.one("execution_environments", name="NestOS lifecycle EE")
    assert ee["image"] == EE_IMAGE and ee["pull"] == "missing" and ee["organization"] == org["id"]
    assert org["default_environment"] == ee["id"]
    project = awx.get("/api/v2/projects/NestOS%20lifecycle++NestOS/")
    assert project["scm_url"] == "file://%s" % project_repo and project["scm_branch"] == "main"
    assert project["scm_update_on_launch"] is True and project["default_environment"] == ee["id"]
    assert project["summary_fields"]["current_update"]["status"] == "successful"
    # the project update installed collections/requirements.yml, i.e. this collection, as AWX does
    update = awx.get("/api/v2/project_updates/%d/" % project["summary_fields"]["current_update"]["id"])
    assert "nestos.lifecycle:" in awx.get(update["related"]["stdout"])["content"]
    playbooks = awx.get(project["related"]["playbooks"])
    for template in DEFAULTS["awx_config_job_templates"]:
        assert template["playbook"] in playbooks


def test_inventory_groups_and_hosts(awx, first_run):
    inventory = awx.one("inventories", name="NestOS fleet")
    groups = {g["name"]: g for g in awx.all("/api/v2/groups/?inventory=%d" % inventory["id"])}
    assert set(groups) == {"nestos", "nestos_canary", "media_hosts", "hypervisors", "build_hosts"}
    assert [c["name"] for c in awx.all(groups["nestos"]["related"]["children"])] == ["nestos_canary"]
    members = {name: sorted(h["name"] for h in awx.all(g["related"]["hosts"])) for name, g in groups.items()}
    assert members == {"nestos": ["nestos-02", "nestos-03"], "nestos_canary": ["nestos-01"],
                       "media_hosts": ["media-01"], "hypervisors": ["hv-01"], "build_hosts": []}
    assert json.loads(awx.one("hosts", name="nestos-01")["variables"]) == {"ansible_host": "192.0.2.11"}


def test_credential_types_and_credentials(awx, first_run):
    registry = awx.get("/api/v2/credential_types/NestOS%20registry+cloud/")
    inj = registry["injectors"]
    assert inj["extra_vars"]["nestos_build_push_password"] == "{{ password }}"
    assert inj["env"]["REGISTRY_AUTH_FILE"] == "{{ tower.filename.auth_json }}"
    assert "template.auth_json" in inj["file"]
    assert {f["id"] for f in registry["inputs"]["fields"] if f.get("secret")} == {"password", "auth_json"}
    policy = awx.one("credential_types", name="NestOS image signature policy")
    assert set(policy["injectors"]["file"]) == {"template.policy_json", "template.public_keys", "template.registries_d"}
    cred = awx.one("credentials", name="NestOS lab registry")
    assert cred["inputs"] == {"registry": "127.0.0.1:5005", "username": "lab", "password": "$encrypted$"}
    assert awx.one("credentials", name="NestOS fleet SSH")["inputs"]["ssh_key_data"] == "$encrypted$"


@pytest.mark.parametrize("template", DEFAULTS["awx_config_job_templates"], ids=lambda t: t["name"])
def test_job_template(awx, first_run, template):
    jt = awx.one("job_templates", name=template["name"])
    assert jt["playbook"] == template["playbook"]
    assert jt["summary_fields"]["project"]["name"] == "NestOS lifecycle"
    assert jt["summary_fields"]["execution_environment"]["name"] == "NestOS lifecycle EE"
    assert jt["summary_fields"]["inventory"]["name"] == "NestOS fleet"
    assert sorted(c["name"] for c in awx.all(jt["related"]["credentials"])) == sorted(NEEDS[n] for n in template["needs"])
    assert json.loads(jt["extra_vars"]) == template["extra_vars"]
    survey = yaml.safe_load(awx_surveys.survey_path(template["survey"]).read_text())
    assert jt["survey_enabled"] is True and awx.get(jt["related"]["survey_spec"]) == survey
    assert awx_surveys.check_survey(awx.get(jt["related"]["survey_spec"]), jt["playbook"], jt["name"]) == []
    assert jt["ask_limit_on_launch"] is template.get("ask_limit_on_launch", False)


def test_rebase_template_is_sliced(awx, first_run):
    jt = awx.one("job_templates", name="NestOS rebase")
    assert jt["job_slice_count"] == DEFAULTS["awx_config_rebase_slices"] == 4
    assert jt["ask_job_slice_count_on_launch"] is True


def _graph(awx, name):
    workflow = awx.one("workflow_job_templates", name=name)
    nodes = awx.all(workflow["related"]["workflow_nodes"])
    ident = {n["id"]: n["identifier"] for n in nodes}
    edges = {(n["identifier"], kind[:-6], ident[child]) for n in nodes
             for kind in ("success_nodes", "failure_nodes", "always_nodes") for child in n[kind]}
    return {n["identifier"]: n for n in nodes}, edges


def test_build_workflow(awx, first_run):
    nodes, edges = _graph(awx, "NestOS build to machines")
    assert edges == {("build", "success", "push"), ("push", "success", "customize"),
                     ("customize", "success", "deploy")}
    assert {k: n["summary_fields"]["unified_job_template"]["name"] for k, n in nodes.items()} == {
        "build": "NestOS build", "push": "NestOS push image", "customize": "NestOS customize media",
        "deploy": "NestOS deploy machines"}


def test_canary_rebase_workflow(awx, first_run):
    nodes, edges = _graph(awx, "NestOS canary rebase")
    assert edges == {("canary", "success", "approve"), ("canary", "failure", "rollback-canary"),
                     ("approve", "success", "rest"), ("approve", "failure", "rollback-canary"),
                     ("rest", "failure", "rollback-rest"), ("rest", "always", "zincati")}
    approval = nodes["approve"]["summary_fields"]["unified_job_template"]
    assert approval["unified_job_type"] == "workflow_approval_template"
    assert awx.get(nodes["approve"]["related"]["unified_job_template"])["timeout"] == 86400
    assert (nodes["canary"]["limit"], nodes["canary"]["job_slice_count"]) == ("nestos_canary", 1)
    assert nodes["rest"]["limit"] == nodes["rollback-rest"]["limit"] == "nestos:!nestos_canary"
    assert nodes["rollback-canary"]["summary_fields"]["unified_job_template"]["name"] == "NestOS rollback"
    workflow = awx.one("workflow_job_templates", name="NestOS canary rebase")
    survey = yaml.safe_load(awx_surveys.survey_path("rebase").read_text())
    assert workflow["survey_enabled"] is True and awx.get(workflow["related"]["survey_spec"]) == survey


def test_second_run_changes_nothing(awx, first_run, project_repo, tmp_path_factory, awx_collections):
    before = len(awx.writes())
    # -vv shows every module's arguments and result: the secrets must still not show
    rc, counts, text = run_role(awx, project_repo, tmp_path_factory.mktemp("run2"), awx_collections, args=["-vv"])
    assert rc == 0, text[-6000:]
    assert counts["changed"] == 0, text[-6000:]
    assert _writes(awx, before) == []
    _assert_no_secret(text)


def test_check_mode_changes_nothing_then_a_run_repairs(awx, first_run, project_repo, tmp_path_factory,
                                                       awx_collections):
    jt = awx.one("job_templates", name="NestOS upgrade")
    assert awx.request("PATCH", jt["url"], {"description": "edited by hand"})[0] == 200
    rest = awx.one("workflow_job_template_nodes", identifier="rest")
    zincati = awx.one("workflow_job_template_nodes", identifier="zincati")
    assert awx.request("POST", rest["related"]["always_nodes"], {"id": zincati["id"], "disassociate": True})[0] == 204
    before = len(awx.writes())
    rc, counts, text = run_role(awx, project_repo, tmp_path_factory.mktemp("check"), awx_collections,
                                args=["--check"])
    assert rc == 0, text[-6000:]
    assert counts["changed"] >= 2
    assert _writes(awx, before) == []
    assert awx.one("job_templates", name="NestOS upgrade")["description"] == "edited by hand"
    rc, counts, text = run_role(awx, project_repo, tmp_path_factory.mktemp("repair"), awx_collections)
    assert rc == 0 and counts["changed"] == 2, text[-6000:]
    assert awx.one("job_templates", name="NestOS upgrade")["description"] == "Rolling upgrade (same tag or ref, newer content)"
    assert ("rest", "always", "zincati") in _graph(awx, "NestOS canary rebase")[1]


def test_a_playbook_the_project_lacks_is_refused(awx, first_run, project_repo, tmp_path_factory, awx_collections):
    bad = [{"name": "NestOS typo", "playbook": "playbooks/rebse.yml", "needs": [], "extra_vars": {}}]
    rc, _counts, text = run_role(awx, project_repo, tmp_path_factory.mktemp("bad"), awx_collections,
                                 extra={"awx_config_job_templates": bad, "awx_config_workflows": []})
    assert rc != 0
    assert "Playbook not found for project" in text and "NestOS typo" in text
    assert awx.all("/api/v2/job_templates/?name=NestOS+typo") == []


def test_without_awx_awx_the_role_says_how_to_get_it(awx, project_repo, tmp_path_factory, tmp_path):
    before = len(awx.writes())
    rc, _counts, text = run_role(awx, project_repo, tmp_path_factory.mktemp("noawx"), tmp_path / "none")
    assert rc != 0
    assert "needs the awx.awx collection" in text and "ansible==12.*" in text
    assert awx.writes()[before:] == []
