"""State and rules of the AWX API double (see server.py for what it stands in for)."""
import copy
import datetime
import json
import re
import secrets
import threading
import urllib.parse

import jinja2
from jinja2 import meta as jinja_meta

ENCRYPTED = "$encrypted$"
PAGE_SIZE, MAX_PAGE_SIZE = 25, 200
PROMPT_MSG = "Field is not configured to prompt on launch."
UNIFIED = ("job_templates", "workflow_job_templates", "projects", "workflow_approval_templates")
SURVEY_TYPES = ("text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect")

# kind -> (type name, unique-together fields, required fields, foreign keys {field: kind}, defaults)
KINDS = {
    "organizations": ("organization", ("name",), ("name",), {"default_environment": "execution_environments"},
                      {"description": "", "max_hosts": 0, "default_environment": None}),
    "execution_environments": ("execution_environment", ("name",), ("name", "image"),
                               {"organization": "organizations", "credential": "credentials"},
                               {"description": "", "organization": None, "credential": None, "pull": "",
                                "managed": False}),
    "credential_types": ("credential_type", ("name", "kind"), ("name", "kind"), {},
                         {"description": "", "inputs": {}, "injectors": {}, "managed": False, "namespace": None}),
    "credentials": ("credential", ("name", "organization", "credential_type"), ("name", "credential_type"),
                    {"organization": "organizations", "credential_type": "credential_types"},
                    {"description": "", "organization": None, "inputs": {}, "managed": False}),
    "projects": ("project", ("name", "organization"), ("name", "organization"),
                 {"organization": "organizations", "credential": "credentials",
                  "default_environment": "execution_environments", "signature_validation_credential": "credentials"},
                 {"description": "", "scm_type": "", "scm_url": "", "scm_branch": "", "scm_refspec": "",
                  "scm_clean": False, "scm_track_submodules": False, "scm_delete_on_update": False,
                  "credential": None, "timeout": 0, "scm_revision": "", "scm_update_on_launch": False,
                  "scm_update_cache_timeout": 0, "allow_override": False, "custom_virtualenv": None,
                  "default_environment": None, "signature_validation_credential": None, "local_path": "",
                  "status": "never updated"}),
    "project_updates": ("project_update", (), (), {}, {}),
    "inventories": ("inventory", ("name", "organization"), ("name", "organization"), {"organization": "organizations"},
                    {"description": "", "kind": "", "host_filter": None, "variables": "",
                     "prevent_instance_group_fallback": False}),
    "hosts": ("host", ("name", "inventory"), ("name", "inventory"), {"inventory": "inventories"},
              {"description": "", "enabled": True, "instance_id": "", "variables": ""}),
    "groups": ("group", ("name", "inventory"), ("name", "inventory"), {"inventory": "inventories"},
               {"description": "", "variables": ""}),
    "job_templates": ("job_template", ("name", "organization"), ("name",),
                      {"organization": "organizations", "project": "projects", "inventory": "inventories",
                       "execution_environment": "execution_environments", "webhook_credential": "credentials"},
                      {"description": "", "job_type": "run", "inventory": None, "project": None, "playbook": "",
                       "scm_branch": "", "forks": 0, "limit": "", "verbosity": 0, "extra_vars": "", "job_tags": "",
                       "force_handlers": False, "skip_tags": "", "start_at_task": "", "timeout": 0,
                       "use_fact_cache": False, "execution_environment": None, "host_config_key": "",
                       "ask_scm_branch_on_launch": False, "ask_diff_mode_on_launch": False,
                       "ask_variables_on_launch": False, "ask_limit_on_launch": False, "ask_tags_on_launch": False,
                       "ask_skip_tags_on_launch": False, "ask_job_type_on_launch": False,
                       "ask_verbosity_on_launch": False, "ask_inventory_on_launch": False,
                       "ask_credential_on_launch": False, "ask_execution_environment_on_launch": False,
                       "ask_labels_on_launch": False, "ask_forks_on_launch": False,
                       "ask_job_slice_count_on_launch": False, "ask_timeout_on_launch": False,
                       "ask_instance_groups_on_launch": False, "survey_enabled": False, "become_enabled": False,
                       "diff_mode": False, "allow_simultaneous": False, "custom_virtualenv": None,
                       "job_slice_count": 1, "webhook_service": "", "webhook_credential": None,
                       "prevent_instance_group_fallback": False, "organization": None}),
    "workflow_job_templates": ("workflow_job_template", ("name", "organization"), ("name",),
                               {"organization": "organizations", "inventory": "inventories",
                                "webhook_credential": "credentials"},
                               {"description": "", "extra_vars": "", "organization": None, "survey_enabled": False,
                                "allow_simultaneous": False, "ask_variables_on_launch": False, "inventory": None,
                                "limit": None, "scm_branch": None, "ask_inventory_on_launch": False,
                                "ask_scm_branch_on_launch": False, "ask_limit_on_launch": False,
                                "ask_labels_on_launch": False, "ask_skip_tags_on_launch": False,
                                "ask_tags_on_launch": False, "webhook_service": "", "webhook_credential": None,
                                "skip_tags": "", "job_tags": ""}),
    "workflow_job_template_nodes": ("workflow_job_template_node", ("identifier", "workflow_job_template"),
                                    ("workflow_job_template",),
                                    {"workflow_job_template": "workflow_job_templates", "inventory": "inventories",
                                     "execution_environment": "execution_environments"},
                                    {"extra_data": {}, "inventory": None, "scm_branch": None, "job_type": None,
                                     "job_tags": None, "skip_tags": None, "limit": None, "diff_mode": None,
                                     "verbosity": None, "execution_environment": None, "forks": None,
                                     "job_slice_count": None, "timeout": None, "unified_job_template": None,
                                     "all_parents_must_converge": False, "identifier": ""}),
    "workflow_approval_templates": ("workflow_approval_template", (), ("name",), {},
                                    {"description": "", "timeout": 0}),
    "labels": ("label", ("name", "organization"), ("name", "organization"), {"organization": "organizations"}, {}),
    "instance_groups": ("instance_group", ("name",), ("name",), {}, {}),
    "notification_templates": ("notification_template", ("name", "organization"), ("name",), {}, {}),
}
# (kind, related name) -> (kind of the associated objects, ordered)
ASSOCIATIONS = {
    ("organizations", "galaxy_credentials"): ("credentials", True),
    ("organizations", "instance_groups"): ("instance_groups", True),
    ("job_templates", "credentials"): ("credentials", False),
    ("job_templates", "labels"): ("labels", False),
    ("job_templates", "instance_groups"): ("instance_groups", True),
    ("workflow_job_templates", "labels"): ("labels", False),
    ("groups", "hosts"): ("hosts", False),
    ("groups", "children"): ("groups", False),
    ("workflow_job_template_nodes", "success_nodes"): ("workflow_job_template_nodes", False),
    ("workflow_job_template_nodes", "failure_nodes"): ("workflow_job_template_nodes", False),
    ("workflow_job_template_nodes", "always_nodes"): ("workflow_job_template_nodes", False),
    ("workflow_job_template_nodes", "credentials"): ("credentials", False),
    ("workflow_job_template_nodes", "labels"): ("labels", False),
    ("workflow_job_template_nodes", "instance_groups"): ("instance_groups", True),
}
for _kind in ("organizations", "projects", "job_templates", "workflow_job_templates"):
    _EVENTS = ("started", "success", "error", "approvals") if _kind in ("organizations", "workflow_job_templates") \
        else ("started", "success", "error")
    for _event in _EVENTS:
        ASSOCIATIONS[(_kind, "notification_templates_" + _event)] = ("notification_templates", False)
NODE_PROMPTS = {"limit": "ask_limit_on_launch", "job_slice_count": "ask_job_slice_count_on_launch",
                "inventory": "ask_inventory_on_launch", "job_type": "ask_job_type_on_launch",
                "job_tags": "ask_tags_on_launch", "skip_tags": "ask_skip_tags_on_launch",
                "verbosity": "ask_verbosity_on_launch", "diff_mode": "ask_diff_mode_on_launch",
                "scm_branch": "ask_scm_branch_on_launch", "forks": "ask_forks_on_launch",
                "timeout": "ask_timeout_on_launch", "execution_environment": "ask_execution_environment_on_launch"}
SETTINGS = {"AWX_COLLECTIONS_ENABLED": True, "AWX_ROLES_ENABLED": True, "AWX_ISOLATION_SHOW_PATHS": [],
            "GALAXY_IGNORE_CERTS": False, "PROJECT_UPDATE_VVV": False, "DEFAULT_EXECUTION_ENVIRONMENT": None,
            "AWX_TASK_ENV": {}, "MAX_FORKS": 200, "DEFAULT_JOB_TIMEOUT": 0}
MANAGED_TYPES = [("Machine", "ssh", ["username", "password", "ssh_key_data", "ssh_key_unlock", "become_method",
                                     "become_username", "become_password"]),
                 ("Source Control", "scm", ["username", "password", "ssh_key_data", "ssh_key_unlock"]),
                 ("Container Registry", "registry", ["host", "username", "password", "verify_ssl"]),
                 ("Ansible Galaxy/Automation Hub API Token", "galaxy", ["url", "auth_url", "token"]),
                 ("Vault", "vault", ["vault_password", "vault_id"])]
SECRET_IDS = {"password", "ssh_key_data", "ssh_key_unlock", "become_password", "token", "vault_password"}


class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__(status)
        self.status = status
        self.body = body


def not_found():
    return ApiError(404, {"detail": "Not found."})


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class API:
    """The objects and the rules. dispatch() is called with the store locked."""

    version = "24.6.1"

    def __init__(self, user, password, log_path, project_update):
        self.user, self.password, self.log_path = user, password, log_path
        self.project_update = project_update
        self.lock = threading.RLock()
        self.objects = {kind: {} for kind in KINDS}
        self.assoc = {}  # (kind, id, related) -> [ids]
        self.surveys = {}  # (kind, id) -> spec
        self.settings = copy.deepcopy(SETTINGS)
        self.tokens = {}
        self.counters = {}
        self.playbooks = {}  # project id -> [paths]
        self._seed()

    # ---- bookkeeping ---------------------------------------------------------------------
    def _next_id(self, kind):
        key = "unified" if kind in UNIFIED or kind == "project_updates" else kind
        self.counters[key] = self.counters.get(key, 0) + 1
        return self.counters[key]

    def _seed(self):
        for name, kind, ids in MANAGED_TYPES:
            fields = [{"id": i, "label": i, "type": "boolean" if i == "verify_ssl" else "string",
                       "secret": i in SECRET_IDS} for i in ids]
            self._store("credential_types", {"name": name, "kind": kind, "managed": True, "namespace": kind,
                                             "inputs": {"fields": fields}, "injectors": {}})
        self._store("organizations", {"name": "Default", "description": ""})
        for name in ("controlplane", "default"):
            self._store("instance_groups", {"name": name})

    def record(self, method, path, status):
        if method == "GET" or not self.log_path:
            return
        with self.lock, open(self.log_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"method": method, "path": path, "status": status}) + "\n")

    def login_valid(self, user, password):
        return user == self.user and secrets.compare_digest(password, self.password)

    def token_valid(self, token):
        return token in self.tokens.values()

    def _store(self, kind, data):
        obj = dict(KINDS[kind][4])
        obj.update(data)
        obj["id"] = self._next_id(kind)
        obj["created"] = obj["modified"] = now()
        self.objects[kind][obj["id"]] = obj
        return obj

    # ---- rendering -----------------------------------------------------------------------
    def url(self, kind, oid):
        return "/api/v2/%s/%d/" % (kind, oid)

    def render(self, kind, obj):
        out = copy.deepcopy(obj)
        out["type"] = KINDS[kind][0]
        out["url"] = self.url(kind, obj["id"])
        related = {rel: out["url"] + rel + "/" for (k, rel) in ASSOCIATIONS if k == kind}
        summary = {}
        for field, fkind in KINDS[kind][3].items():
            target = self.objects[fkind].get(obj.get(field))
            if target is not None:
                related[field] = self.url(fkind, target["id"])
                summary[field] = {"id": target["id"], "name": target.get("name", target.get("identifier"))}
        self._render_extra(kind, obj, out, related, summary)
        out["related"], out["summary_fields"] = related, summary
        return out

    def _render_extra(self, kind, obj, out, related, summary):
        if kind in ("job_templates", "workflow_job_templates"):
            related["survey_spec"] = out["url"] + "survey_spec/"
        if kind == "workflow_job_templates":
            related["workflow_nodes"] = out["url"] + "workflow_nodes/"
        if kind == "project_updates":
            related["stdout"] = out["url"] + "stdout/"
        if kind == "projects":
            related.update(update=out["url"] + "update/", playbooks=out["url"] + "playbooks/")
            if obj.get("_update"):
                upd = self.objects["project_updates"][obj["_update"]]
                summary["current_update"] = summary["last_update"] = {"id": upd["id"], "status": upd["status"]}
        if kind == "credentials":
            ctype = self.objects["credential_types"][obj["credential_type"]]
            secret = {f["id"] for f in ctype["inputs"].get("fields", []) if f.get("secret")}
            out["inputs"] = {k: (ENCRYPTED if k in secret and v != "" else v) for k, v in obj["inputs"].items()}
        if kind == "workflow_job_template_nodes":
            ujt = obj.get("unified_job_template")
            if ujt is not None:
                ukind = self._unified_kind(ujt)
                related["unified_job_template"] = self.url(ukind, ujt)
                summary["unified_job_template"] = {"id": ujt, "name": self.objects[ukind][ujt]["name"],
                                                   "unified_job_type": KINDS[ukind][0]}
            related["create_approval_template"] = out["url"] + "create_approval_template/"
            for rel in ("success_nodes", "failure_nodes", "always_nodes"):
                out[rel] = list(self.assoc.get((kind, obj["id"], rel), []))
        for key in [k for k in out if k.startswith("_")]:
            del out[key]

    def _unified_kind(self, oid):
        for kind in UNIFIED:
            if oid in self.objects[kind]:
                return kind
        return None

    # ---- dispatch ------------------------------------------------------------------------
    def dispatch(self, method, path, query, body):
        with self.lock:
            return self._dispatch(method, path, query, body)

    def _dispatch(self, method, path, query, body):
        parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
        if parts[:1] != ["api"]:
            raise not_found()
        if len(parts) == 1:
            return 200, {"description": "AWX REST API", "current_version": "/api/v2/", "available_versions":
                         {"v2": "/api/v2/"}}
        if parts[1] != "v2":
            raise not_found()
        rest = parts[2:]
        if rest[:1] == ["ping"]:
            return 200, {"ha": False, "version": self.version, "active_node": "awx-double"}
        if rest[:1] == ["tokens"]:
            return self._tokens(method, rest)
        if rest == ["settings", "all"]:
            return self._settings(method, body)
        if rest[:1] == ["unified_job_templates"] and method == "GET":
            return 200, self._list(UNIFIED, [(k, o) for k in UNIFIED for o in self.objects[k].values()], query, path)
        if not rest or rest[0] not in KINDS:
            raise not_found()
        return self._resource(method, rest, query, body, path)

    def _tokens(self, method, rest):
        if method == "POST" and len(rest) == 1:
            tid = len(self.tokens) + 1
            self.tokens[tid] = secrets.token_hex(15)
            return 201, {"id": tid, "type": "o_auth2_access_token", "url": "/api/v2/tokens/%d/" % tid,
                         "token": self.tokens[tid], "scope": "write", "application": None}
        if method == "DELETE" and len(rest) == 2 and rest[1].isdigit() and int(rest[1]) in self.tokens:
            del self.tokens[int(rest[1])]
            return 204, None
        raise not_found()

    def _settings(self, method, body):
        if method == "GET":
            return 200, copy.deepcopy(self.settings)
        if method in ("PATCH", "PUT"):
            errors = {k: ["Not a known setting."] for k in body if k not in SETTINGS}
            if errors:
                raise ApiError(400, errors)
            self.settings.update(body)
            return 200, copy.deepcopy(self.settings)
        raise ApiError(405, {"detail": 'Method "%s" not allowed.' % method})

    def _resource(self, method, rest, query, body, path):
        kind = rest[0]
        if len(rest) == 1:
            if method == "GET":
                return 200, self._list([kind], [(kind, o) for o in self.objects[kind].values()], query, path)
            if method == "POST" and kind not in ("project_updates", "workflow_approval_templates"):
                obj = self.create(kind, body)
                return 201, self.render(kind, obj)
            raise ApiError(405, {"detail": 'Method "%s" not allowed.' % method})
        obj = self._lookup(kind, rest[1])
        if len(rest) == 2:
            return self._detail(method, kind, obj, body)
        return related(self, method, kind, obj, rest[2], body, query, path)

    def _detail(self, method, kind, obj, body):
        if method == "GET":
            return 200, self.render(kind, obj)
        if method in ("PATCH", "PUT"):
            return 200, self.render(kind, self.update(kind, obj, body))
        if method == "DELETE":
            self.delete(kind, obj)
            return 204, None
        raise ApiError(405, {"detail": 'Method "%s" not allowed.' % method})

    def _lookup(self, kind, key):
        if key.isdigit():
            obj = self.objects[kind].get(int(key))
        else:
            obj = next((o for o in self.objects[kind].values() if self.named_url(kind, o) == key), None)
        if obj is None:
            raise not_found()
        return obj

    def named_url(self, kind, obj):
        """AWX's named URL of an object (the NAMED_URL_GRAPH formats)."""
        def org(o):
            target = self.objects["organizations"].get(o.get("organization"))
            return target["name"] if target else ""
        if kind in ("organizations", "execution_environments", "instance_groups"):
            return obj["name"]
        if kind == "credential_types":
            return "%s+%s" % (obj["name"], obj["kind"])
        if kind in ("projects", "inventories", "job_templates", "workflow_job_templates", "labels"):
            return "%s++%s" % (obj["name"], org(obj))
        if kind == "credentials":
            ctype = self.objects["credential_types"][obj["credential_type"]]
            return "%s++%s+%s++%s" % (obj["name"], ctype["name"], ctype["kind"], org(obj))
        if kind in ("hosts", "groups"):
            inv = self.objects["inventories"][obj["inventory"]]
            return "%s++%s++%s" % (obj["name"], inv["name"], org(inv))
        if kind == "workflow_job_template_nodes":
            wf = self.objects["workflow_job_templates"][obj["workflow_job_template"]]
            return "%s++%s++%s" % (obj["identifier"], wf["name"], org(wf))
        return None

    # ---- lists ---------------------------------------------------------------------------
    def _list(self, kinds, items, query, path):
        page = int((query.pop("page", ["1"]) or ["1"])[0] or 1)
        size = min(int((query.pop("page_size", [str(PAGE_SIZE)]) or [PAGE_SIZE])[0]), MAX_PAGE_SIZE)
        query.pop("order_by", None)
        self._check_filters(kinds, query)
        rendered = [self.render(kind, obj) for kind, obj in sorted(items, key=lambda ko: ko[1]["id"])]
        rendered = [r for r in rendered if self._matches(r, query)]
        start = (page - 1) * size
        if start > len(rendered) or page < 1:
            raise ApiError(404, {"detail": "Invalid page."})

        def link(number):
            params = [(k, v) for k, vs in query.items() for v in vs] + [("page", str(number))]
            return "%s?%s" % (path, urllib.parse.urlencode(params))
        return {"count": len(rendered), "next": link(page + 1) if start + size < len(rendered) else None,
                "previous": link(page - 1) if page > 1 else None, "results": rendered[start:start + size]}

    @staticmethod
    def _value_matches(actual, wanted):
        if actual is None:
            return wanted in ("", "None", "null")
        if isinstance(actual, bool):
            return str(actual).lower() == wanted.lower()
        if isinstance(actual, int):
            return wanted.isdigit() and actual == int(wanted)
        return ("" if actual is None else str(actual)) == wanted

    def _matches(self, item, query):
        ors = {k[4:]: v for k, v in query.items() if k.startswith("or__")}
        for field, values in query.items():
            if field.startswith("or__"):
                continue
            if not self._value_matches(item.get(field), values[-1]):
                return False
        if ors:
            return any(self._value_matches(item.get(field), vs[-1]) for field, vs in ors.items())
        return True

    @staticmethod
    def _check_filters(kinds, query):
        """An unknown filter field is a 400, as AWX's field lookup answers."""
        known = {"id", "type", "url", "created", "modified", "name"}
        for kind in kinds:
            known.update(KINDS[kind][4], KINDS[kind][1], KINDS[kind][2], KINDS[kind][3])
        for field in query:
            name = field[4:] if field.startswith("or__") else field
            if name not in known:
                raise ApiError(400, {"detail": "'%s' is not a valid field" % name})

    # ---- writes --------------------------------------------------------------------------
    def create(self, kind, body):
        data = {k: v for k, v in body.items() if k in KINDS[kind][4] or k in ("name", "identifier", "kind",
                                                                              "credential_type", "inventory",
                                                                              "workflow_job_template", "image",
                                                                              "organization", "inputs", "injectors",
                                                                              "project", "playbook")}
        merged = dict(KINDS[kind][4])
        merged.update(data)
        validate(self, kind, merged, None)
        obj = self._store(kind, data)
        self._after_write(kind, obj, data, created=True)
        return obj

    def update(self, kind, obj, body):
        data = {k: v for k, v in body.items() if k in obj or k in KINDS[kind][4]}
        if kind == "credentials" and isinstance(data.get("inputs"), dict):
            data["inputs"] = {k: (obj["inputs"].get(k, "") if v == ENCRYPTED else v)
                              for k, v in data["inputs"].items()}
        merged = dict(obj)
        merged.update(data)
        validate(self, kind, merged, obj["id"])
        obj.update(data)
        obj["modified"] = now()
        self._after_write(kind, obj, data, created=False)
        return obj

    def delete(self, kind, obj):
        del self.objects[kind][obj["id"]]
        for key in [k for k in self.assoc if k[0] == kind and k[1] == obj["id"]]:
            del self.assoc[key]
        for ids in self.assoc.values():
            if obj["id"] in ids:
                ids.remove(obj["id"])

    def _after_write(self, kind, obj, data, created):
        if kind == "projects" and obj.get("scm_type") and (created or {"scm_url", "scm_branch", "scm_type"} & set(data)):
            self.run_project_update(obj)

    def run_project_update(self, project):
        ok, revision, playbooks, output = self.project_update(project["scm_url"], project.get("scm_branch"),
                                                              self.settings.get("AWX_COLLECTIONS_ENABLED"))
        upd = self._store("project_updates", {"project": project["id"], "name": project["name"],
                                              "status": "successful" if ok else "failed", "failed": not ok,
                                              "finished": now(), "scm_revision": revision,
                                              "result_stdout": output, "event_processing_finished": True})
        project["_update"] = upd["id"]
        project["status"] = upd["status"]
        if ok:
            project["scm_revision"] = revision
            self.playbooks[project["id"]] = playbooks
        return upd


# ---- validation (AWX serializers' rules, the subset the modules can trip) ---------------------
def validate(api, kind, data, oid):
    errors = {}
    for field in KINDS[kind][2]:
        if data.get(field) in (None, ""):
            errors[field] = ["This field is required." if field != "name" else "This field may not be blank."]
    for field, fkind in KINDS[kind][3].items():
        value = data.get(field)
        if value not in (None, "") and (not isinstance(value, int) or value not in api.objects[fkind]):
            errors[field] = ['Invalid pk "%s" - object does not exist.' % value]
    if errors:
        raise ApiError(400, errors)
    check = {"credential_types": _check_credential_type, "credentials": _check_credential,
             "projects": _check_project, "job_templates": _check_job_template,
             "workflow_job_template_nodes": _check_node, "execution_environments": _check_ee}.get(kind)
    if check:
        check(api, data)
    _check_unique(api, kind, data, oid)


def _check_unique(api, kind, data, oid):
    fields = KINDS[kind][1]
    if not fields or any(data.get(f) in (None, "") for f in fields if f in ("name", "identifier")):
        return
    for other in api.objects[kind].values():
        if other["id"] != oid and all(other.get(f) == data.get(f) for f in fields):
            label = KINDS[kind][0].replace("_", " ").title()
            raise ApiError(400, {"__all__": ["%s with this %s already exists." % (
                label, " and ".join(f.replace("_", " ").title() for f in fields))]})


def _choice(data, field, choices):
    if data.get(field) not in choices:
        raise ApiError(400, {field: ['"%s" is not a valid choice.' % data.get(field)]})


def _check_ee(api, data):
    _choice(data, "pull", ("", "always", "missing", "never"))


def _check_project(api, data):
    _choice(data, "scm_type", ("", "git", "svn", "insights", "archive"))
    if data.get("scm_type") and not data.get("scm_url"):
        raise ApiError(400, {"scm_url": ["SCM URL is required."]})
    if data.get("scm_type") == "git":
        scheme = urllib.parse.urlsplit(data["scm_url"]).scheme
        if scheme not in ("http", "https", "ssh", "git", "git+ssh", "file") and not re.match(r"^[\w.-]+@", data["scm_url"]):
            raise ApiError(400, {"scm_url": ["Invalid %s URL." % data["scm_type"]]})


def _check_credential_type(api, data):
    if not data.get("managed"):
        _choice(data, "kind", ("cloud", "net"))
    inputs, injectors = data.get("inputs") or {}, data.get("injectors") or {}
    fields = inputs.get("fields", [])
    ids = [f.get("id") for f in fields if isinstance(f, dict)]
    problems = []
    for index, field in enumerate(fields):
        if not isinstance(field, dict) or not field.get("id") or not field.get("label"):
            problems.append("$.fields[%d]: id and label are required" % index)
        elif field.get("type", "string") not in ("string", "boolean"):
            problems.append("$.fields[%d].type: %r is not one of ['string', 'boolean']" % (index, field["type"]))
    if len(set(ids)) != len(ids):
        problems.append("field IDs must be unique")
    problems += ["required field %s is not a field" % r for r in inputs.get("required", []) if r not in ids]
    if problems:
        raise ApiError(400, {"inputs": problems})
    _check_injectors(injectors, ids)


def _check_injectors(injectors, ids):
    unknown = [k for k in injectors if k not in ("file", "env", "extra_vars")]
    if unknown:
        raise ApiError(400, {"injectors": ["Additional properties are not allowed (%s)" % ", ".join(unknown)]})
    files = injectors.get("file", {})
    bad = [k for k in files if k != "template" and not re.match(r"^template\.[a-zA-Z_]+[a-zA-Z0-9_]*$", k)]
    if bad:
        raise ApiError(400, {"injectors": ["%s is not a valid file injector name" % bad[0]]})
    names = {k.split(".", 1)[1] if "." in k else "" for k in files}
    env = jinja2.Environment()
    for section in ("file", "env", "extra_vars"):
        for key, template in injectors.get(section, {}).items():
            try:
                parsed = env.parse(template)
            except jinja2.TemplateSyntaxError as exc:
                raise ApiError(400, {"injectors": ["%s.%s: %s" % (section, key, exc)]}) from exc
            for var in jinja_meta.find_undeclared_variables(parsed):
                if var != "tower" and var not in ids:
                    raise ApiError(400, {"injectors": ["%s uses an undefined field (%s is undefined)" % (key, var)]})
            for ref in re.findall(r"tower\.filename(?:\.(\w+))?", template):
                if ref not in names:
                    raise ApiError(400, {"injectors": ["%s refers to tower.filename.%s, which no file injector "
                                                       "writes" % (key, ref)]})


def _check_credential(api, data):
    ctype = api.objects["credential_types"][data["credential_type"]]
    fields = {f["id"]: f for f in ctype["inputs"].get("fields", [])}
    errors = {}
    for key, value in (data.get("inputs") or {}).items():
        if key not in fields:
            errors[key] = ["'%s' is not a valid field for %s" % (key, ctype["name"])]
        elif fields[key].get("type") == "boolean" and not isinstance(value, bool):
            errors[key] = ["%r is not of type 'boolean'" % (value,)]
        elif fields[key].get("type", "string") == "string" and not isinstance(value, str):
            errors[key] = ["%r is not of type 'string'" % (value,)]
    for key in ctype["inputs"].get("required", []):
        if (data.get("inputs") or {}).get(key) in (None, ""):
            errors[key] = ["required for %s" % ctype["name"]]
    if errors:
        raise ApiError(400, {"inputs": errors})


def _check_job_template(api, data):
    _choice(data, "job_type", ("run", "check"))
    _choice(data, "verbosity", (0, 1, 2, 3, 4, 5))
    errors = {}
    if not data.get("project"):
        errors["project"] = ["Job Templates must have a project assigned."]
    elif data.get("playbook") not in api.playbooks.get(data["project"], []):
        errors["playbook"] = ["Playbook not found for project."]
    if not data.get("inventory") and not data.get("ask_inventory_on_launch"):
        errors["inventory"] = ["Job Template must provide 'inventory' or allow prompting for it."]
    if not isinstance(data.get("job_slice_count"), int) or data["job_slice_count"] < 0:
        errors["job_slice_count"] = ["Ensure this value is greater than or equal to 0."]
    try:
        json.loads(data.get("extra_vars") or "{}")
    except ValueError:
        errors["extra_vars"] = ["Cannot parse as JSON (error: Expecting value) or YAML."]
    if errors:
        raise ApiError(400, errors)


def _check_node(api, data):
    ujt = data.get("unified_job_template")
    if ujt is None:
        return
    kind = api._unified_kind(ujt)  # pylint: disable=protected-access
    if kind is None:
        raise ApiError(400, {"unified_job_template": ['Invalid pk "%s" - object does not exist.' % ujt]})
    template = api.objects[kind][ujt]
    errors = {}
    for field, ask in NODE_PROMPTS.items():
        if data.get(field) not in (None, "") and not template.get(ask, False):
            errors[field] = [PROMPT_MSG]
    extra = data.get("extra_data") or {}
    survey_vars = {q["variable"] for q in api.surveys.get((kind, ujt), {}).get("spec", [])} \
        if template.get("survey_enabled") else set()
    if extra and not template.get("ask_variables_on_launch") and set(extra) - survey_vars:
        errors["extra_data"] = ["Variables %s are not allowed on launch. Check the Prompt on Launch setting on the "
                                "Template to include Extra Variables." % ", ".join(sorted(set(extra) - survey_vars))]
    if errors:
        raise ApiError(400, errors)


# ---- related endpoints ---------------------------------------------------------------------
def related(api, method, kind, obj, rel, body, query, path):  # pylint: disable=too-many-arguments
    if rel == "survey_spec" and kind in ("job_templates", "workflow_job_templates"):
        return _survey(api, method, kind, obj, body)
    if kind == "project_updates" and rel == "stdout" and method == "GET":
        return 200, {"range": {"start": 0, "end": obj["result_stdout"].count("\n")}, "content": obj["result_stdout"]}
    if kind == "projects" and rel == "playbooks" and method == "GET":
        return 200, list(api.playbooks.get(obj["id"], []))
    if kind == "projects" and rel == "update" and method == "POST":
        upd = api.run_project_update(obj)
        return 202, {"project_update": upd["id"], "id": upd["id"], "url": api.url("project_updates", upd["id"])}
    if kind == "workflow_job_template_nodes" and rel == "create_approval_template" and method == "POST":
        return _create_approval(api, obj, body)
    if kind == "workflow_job_templates" and rel == "workflow_nodes" and method == "GET":
        nodes = [("workflow_job_template_nodes", n) for n in api.objects["workflow_job_template_nodes"].values()
                 if n["workflow_job_template"] == obj["id"]]
        return 200, api._list(["workflow_job_template_nodes"], nodes, query, path)  # pylint: disable=protected-access
    if (kind, rel) not in ASSOCIATIONS:
        raise not_found()
    target, _ordered = ASSOCIATIONS[(kind, rel)]
    ids = api.assoc.setdefault((kind, obj["id"], rel), [])
    if method == "GET":
        return 200, api._list([target], [(target, api.objects[target][i]) for i in ids if i in api.objects[target]],  # pylint: disable=protected-access
                              query, path)
    if method == "POST":
        return associate(api, kind, obj, rel, target, ids, body)
    raise ApiError(405, {"detail": 'Method "%s" not allowed.' % method})


def associate(api, kind, obj, rel, target, ids, body):  # pylint: disable=too-many-arguments
    sub_id = body.get("id")
    if not isinstance(sub_id, int) or sub_id not in api.objects[target]:
        raise ApiError(400, {"msg": "Related object %r does not exist." % (sub_id,)})
    if body.get("disassociate"):
        if sub_id in ids:
            ids.remove(sub_id)
        return 204, None
    if sub_id in ids:
        return 204, None
    if kind == "workflow_job_template_nodes" and rel.endswith("_nodes"):
        _check_edge(api, obj, api.objects[target][sub_id])
    if kind == "groups" and rel == "children":
        if sub_id == obj["id"] or obj["id"] in _descendants(api, sub_id):
            raise ApiError(400, {"error": "Cyclical Group association."})
    if kind == "job_templates" and rel == "credentials":
        new_type = api.objects["credentials"][sub_id]["credential_type"]
        if any(api.objects["credentials"][i]["credential_type"] == new_type for i in ids):
            raise ApiError(400, {"error": "Cannot assign multiple %s credentials." %
                                 api.objects["credential_types"][new_type]["name"]})
    ids.append(sub_id)
    return 204, None


def _descendants(api, gid):
    seen, todo = set(), [gid]
    while todo:
        for child in api.assoc.get(("groups", todo.pop(), "children"), []):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def _check_edge(api, parent, child):
    if parent["workflow_job_template"] != child["workflow_job_template"]:
        raise ApiError(400, {"Error": "Cannot associate a node of another workflow."})
    if parent["id"] == child["id"]:
        raise ApiError(400, {"Error": "Cycle detected."})
    # a cycle: the parent is reachable from the child
    seen, todo = set(), [child["id"]]
    while todo:
        current = todo.pop()
        if current == parent["id"]:
            raise ApiError(400, {"Error": "Cycle detected."})
        for rel in ("success_nodes", "failure_nodes", "always_nodes"):
            for nxt in api.assoc.get(("workflow_job_template_nodes", current, rel), []):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
    for rel in ("success_nodes", "failure_nodes", "always_nodes"):
        if child["id"] in api.assoc.get(("workflow_job_template_nodes", parent["id"], rel), []):
            raise ApiError(400, {"Error": "Relationship not allowed."})


def _create_approval(api, node, body):
    data = {k: body[k] for k in ("name", "description", "timeout") if k in body}
    merged = dict(KINDS["workflow_approval_templates"][4])
    merged.update(data)
    validate(api, "workflow_approval_templates", merged, None)
    current = node.get("unified_job_template")
    if current in api.objects["workflow_approval_templates"]:
        approval = api.update("workflow_approval_templates", api.objects["workflow_approval_templates"][current],
                              data)
    else:
        approval = api._store("workflow_approval_templates", merged)  # pylint: disable=protected-access
        node["unified_job_template"] = approval["id"]
    return 201, api.render("workflow_approval_templates", approval)


def _survey(api, method, kind, obj, body):
    key = (kind, obj["id"])
    if method == "GET":
        spec = copy.deepcopy(api.surveys.get(key, {}))
        for question in spec.get("spec", []):
            if question.get("type") == "password" and question.get("default"):
                question["default"] = ENCRYPTED
        return 200, spec
    if method == "DELETE":
        api.surveys.pop(key, None)
        return 200, None
    if method == "POST":
        error = survey_error(body)
        if error:
            raise ApiError(400, {"error": error})
        api.surveys[key] = copy.deepcopy(body)
        return 200, None
    raise ApiError(405, {"detail": 'Method "%s" not allowed.' % method})


def survey_error(spec):  # noqa: C901  AWX's own rules, in its order
    for key in ("name", "description"):
        if key not in spec:
            return "'%s' missing from survey spec." % key
    if not isinstance(spec.get("spec"), list):
        return "'spec' must be a list of items."
    if not spec["spec"]:
        return "'spec' doesn't contain any items."
    variables = set()
    for idx, question in enumerate(spec["spec"]):
        if not isinstance(question, dict):
            return "Survey question %s is not a json object." % idx
        for key in ("type", "question_name", "variable", "required"):
            if key not in question:
                return "'%s' missing from survey question %s." % (key, idx)
        if question["type"] not in SURVEY_TYPES:
            return "'%s' in survey question %s is not one of '%s' allowed question types." % (
                question["type"], idx, ", ".join(SURVEY_TYPES))
        if question["variable"] in variables:
            return "'variable' '%s' duplicated in survey question %s." % (question["variable"], idx)
        variables.add(question["variable"])
        error = _question_error(question, idx)
        if error:
            return error
    return None


def _question_error(question, idx):
    default, kind = question.get("default"), question["type"]
    if kind in ("multiplechoice", "multiselect"):
        choices = question.get("choices")
        choices = choices.split("\n") if isinstance(choices, str) else choices
        if not isinstance(choices, list) or not [c for c in choices if c]:
            return "Survey question %s of type %s must specify choices." % (idx, kind)
        if default not in (None, "") and kind == "multiplechoice" and default not in choices:
            return "Default choice must be answered from the choices listed."
    if kind == "integer" and default not in (None, "") and (not isinstance(default, int) or isinstance(default, bool)):
        return "Default value %s in survey question %s expected to be int." % (default, idx)
    if kind in ("text", "textarea", "password") and default not in (None, "") and not isinstance(default, str):
        return "Default value %s in survey question %s expected to be string." % (default, idx)
    if kind in ("text", "textarea", "password") and isinstance(default, str) and default:
        low, high = question.get("min"), question.get("max")
        if (isinstance(low, int) and len(default) < low) or (isinstance(high, int) and len(default) > high):
            return "'default' value %s of survey question %s is out of range." % (default, idx)
    return None
