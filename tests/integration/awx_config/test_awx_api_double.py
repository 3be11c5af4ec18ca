"""The AWX API double answers as AWX 24.6.1 does where awx.awx looks: auth, pagination, named
URLs, lookups, error shapes, secrets, surveys, workflow prompts and edges."""
import subprocess

import pytest


@pytest.fixture(scope="module")
def api(awx):
    """An organization, a project-less inventory set and a credential to play with."""
    status, org = awx.request("POST", "/api/v2/organizations/", {"name": "Probe"})
    assert status == 201
    return awx, org


def test_auth_and_product_headers(awx):
    assert awx.request("GET", "/api/v2/organizations/", auth=False) == (
        401, {"detail": "Authentication credentials were not provided."})
    status, token = awx.request("POST", "/api/v2/tokens/", {"scope": "write"})
    assert status == 201 and token["token"] and token["id"]
    assert awx.request("DELETE", "/api/v2/tokens/%d/" % token["id"])[0] == 204


def test_pagination_and_lookups(api):
    awx, org = api
    for index in range(30):
        body = {"name": "inv-%02d" % index, "organization": org["id"]}
        assert awx.request("POST", "/api/v2/inventories/", body)[0] == 201
    first = awx.get("/api/v2/inventories/?organization=%d" % org["id"])
    assert first["count"] == 30 and len(first["results"]) == 25 and first["previous"] is None
    assert first["next"].startswith("/api/v2/inventories/?organization=%d" % org["id"]) and "page=2" in first["next"]
    assert [i["name"] for i in awx.all("/api/v2/inventories/?organization=%d" % org["id"])] == [
        "inv-%02d" % i for i in range(30)]
    named = awx.get("/api/v2/inventories/inv-07++Probe/")
    assert named["name"] == "inv-07" and named["url"] == "/api/v2/inventories/%d/" % named["id"]
    by_or = awx.get("/api/v2/inventories/?or__id=%d&or__name=%d" % (named["id"], named["id"]))
    assert by_or["count"] == 1
    assert awx.request("GET", "/api/v2/inventories/?nmae=x") == (400, {"detail": "'nmae' is not a valid field"})
    assert awx.request("GET", "/api/v2/inventories/999999/") == (404, {"detail": "Not found."})


def test_error_shapes(api):
    awx, org = api
    status, body = awx.request("POST", "/api/v2/inventories/", {"name": "inv-00", "organization": org["id"]})
    assert (status, body) == (400, {"__all__": ["Inventory with this Name and Organization already exists."]})
    assert awx.request("POST", "/api/v2/inventories/", {"name": "x"}) == (
        400, {"organization": ["This field is required."]})
    assert awx.request("POST", "/api/v2/projects/", {"name": "p", "organization": org["id"], "scm_type": "cvs",
                                                     "scm_url": "x"}) == (400, {"scm_type": ['"cvs" is not a valid choice.']})
    assert awx.request("DELETE", "/api/v2/settings/all/")[0] == 405


def test_secret_inputs_read_back_encrypted(api):
    awx, org = api
    machine = awx.get("/api/v2/credential_types/Machine+ssh/")
    status, cred = awx.request("POST", "/api/v2/credentials/", {
        "name": "probe", "organization": org["id"], "credential_type": machine["id"],
        "inputs": {"username": "u", "password": "p4ss"}})
    assert status == 201 and cred["inputs"] == {"username": "u", "password": "$encrypted$"}
    assert awx.request("PATCH", cred["url"], {"inputs": {"username": "v", "password": "$encrypted$"}})[0] == 200
    after = awx.get(cred["url"])
    assert after["inputs"] == {"username": "v", "password": "$encrypted$"}
    status, body = awx.request("POST", "/api/v2/credentials/", {
        "name": "bad", "organization": org["id"], "credential_type": machine["id"], "inputs": {"colour": "x"}})
    assert status == 400 and body == {"inputs": {"colour": ["'colour' is not a valid field for Machine"]}}


def test_credential_type_injectors_are_checked(awx):
    body = {"name": "bad type", "kind": "cloud", "inputs": {"fields": [{"id": "a", "label": "A"}]},
            "injectors": {"env": {"X": "{{ b }}"}}}
    assert awx.request("POST", "/api/v2/credential_types/", body) == (
        400, {"injectors": ["X uses an undefined field (b is undefined)"]})
    body["injectors"] = {"env": {"X": "{{ tower.filename.f }}"}}
    assert awx.request("POST", "/api/v2/credential_types/", body)[0] == 400
    body["kind"] = "ssh"
    assert awx.request("POST", "/api/v2/credential_types/", body) == (400, {"kind": ['"ssh" is not a valid choice.']})


@pytest.fixture(scope="module")
def template(api, project_repo):
    """A project (its update clones this checkout), a job template and a workflow with two nodes."""
    awx, org = api
    status, project = awx.request("POST", "/api/v2/projects/", {
        "name": "probe project", "organization": org["id"], "scm_type": "git", "scm_url": "file://%s" % project_repo,
        "scm_branch": "main"})
    assert status == 201 and project["summary_fields"]["current_update"]["status"] == "successful"
    assert "playbooks/rebase.yml" in awx.get(project["related"]["playbooks"])
    update = awx.get("/api/v2/project_updates/%d/" % project["summary_fields"]["current_update"]["id"])
    content = awx.get(update["related"]["stdout"])["content"]
    assert "nestos.lifecycle:" in content and "was installed successfully" in content, content
    inventory = awx.one("inventories", name="inv-01")
    status, body = awx.request("POST", "/api/v2/job_templates/", {
        "name": "probe jt", "organization": org["id"], "project": project["id"], "playbook": "playbooks/rebse.yml",
        "inventory": inventory["id"]})
    assert (status, body) == (400, {"playbook": ["Playbook not found for project."]})
    status, jt = awx.request("POST", "/api/v2/job_templates/", {
        "name": "probe jt", "organization": org["id"], "project": project["id"], "playbook": "playbooks/rebase.yml",
        "inventory": inventory["id"]})
    assert status == 201
    status, workflow = awx.request("POST", "/api/v2/workflow_job_templates/", {"name": "probe wf",
                                                                               "organization": org["id"]})
    assert status == 201
    nodes = {}
    for ident in ("a", "b"):
        status, nodes[ident] = awx.request("POST", "/api/v2/workflow_job_template_nodes/", {
            "workflow_job_template": workflow["id"], "identifier": ident, "unified_job_template": jt["id"]})
        assert status == 201
    return jt, workflow, nodes


def test_survey_rules(api, template):
    awx, _org = api
    url = template[0]["related"]["survey_spec"]
    assert awx.get(url) == {}
    bad = {"name": "", "description": "", "spec": [{"question_name": "q", "variable": "v", "required": False,
                                                    "type": "multiplechoice", "choices": ["a"], "default": "b"}]}
    assert awx.request("POST", url, bad) == (400, {"error": "Default choice must be answered from the choices listed."})
    bad["spec"][0].update(type="integer", default="10")
    assert awx.request("POST", url, bad) == (400, {"error": "Default value 10 in survey question 0 expected to be int."})
    assert awx.request("POST", url, {"name": "", "spec": []}) == (400, {"error": "'description' missing from survey spec."})
    good = {"name": "", "description": "", "spec": [{"question_name": "q", "variable": "v", "required": False,
                                                     "type": "password", "default": "s3"}]}
    assert awx.request("POST", url, good) == (200, None)
    assert awx.get(url)["spec"][0]["default"] == "$encrypted$"


def test_workflow_prompts_and_cycles(api, template):
    awx, _org = api
    jt, workflow, nodes = template
    status, body = awx.request("POST", "/api/v2/workflow_job_template_nodes/", {
        "workflow_job_template": workflow["id"], "identifier": "probe", "unified_job_template": jt["id"],
        "limit": "x"})
    assert (status, body) == (400, {"limit": ["Field is not configured to prompt on launch."]})
    assert awx.request("POST", nodes["a"]["related"]["success_nodes"], {"id": nodes["b"]["id"]}) == (204, None)
    assert awx.request("POST", nodes["b"]["related"]["failure_nodes"], {"id": nodes["a"]["id"]}) == (
        400, {"Error": "Cycle detected."})
    assert awx.get(nodes["a"]["url"])["success_nodes"] == [nodes["b"]["id"]]


def test_a_project_whose_requirements_fail_to_install_fails_its_update(api, tmp_path):
    awx, org = api
    repo = tmp_path / "broken"
    (repo / "collections").mkdir(parents=True)
    (repo / "site.yml").write_text("- hosts: all\n  tasks: []\n")
    (repo / "collections" / "requirements.yml").write_text(
        "collections:\n  - name: nestos.missing\n    type: dir\n    source: ./nowhere\n")
    git = ["git", "-C", str(repo), "-c", "user.name=lab", "-c", "user.email=lab@localhost"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "broken"], check=True)
    status, project = awx.request("POST", "/api/v2/projects/", {
        "name": "broken project", "organization": org["id"], "scm_type": "git", "scm_url": "file://%s" % repo})
    assert status == 201
    update = awx.get("/api/v2/project_updates/%d/" % project["summary_fields"]["current_update"]["id"])
    assert update["status"] == "failed" and update["failed"] is True
    assert "nowhere" in awx.get(update["related"]["stdout"])["content"]
    assert awx.get(project["related"]["playbooks"]) == []
