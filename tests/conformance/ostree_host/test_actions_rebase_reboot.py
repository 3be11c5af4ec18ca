"""rpm_ostree_facts, rpm_ostree_rebase and nestos_reboot driven through a fake connection
that replays real status documents (and documents derived from them for the "after" state)."""
import json

from ansible.errors import AnsibleConnectionFailure

from tests.conformance.ostree_host.upstream_status import load_status
from tests.support.fleet_harness import FakeConnection, Reply, run_action, status_reply, with_new_deployment

STATUS = r"^rpm-ostree status --json$"
NEW_IMG = "ostree-unverified-registry:registry.example.com/nestos:2"
NEW_DIGEST = "sha256:" + "b" * 64


def after_rebase(doc):
    return with_new_deployment(doc, "a" * 64, **{"container-image-reference": NEW_IMG,
                                                 "container-image-reference-digest": NEW_DIGEST,
                                                 "version": "2.0"})


def test_facts(upstream):
    doc = load_status(upstream, "staged")
    conn = FakeConnection().on(STATUS, status_reply(doc))
    res = run_action("rpm_ostree_facts", {}, conn)
    assert not res.get("failed"), res
    facts = res["ansible_facts"]["rpm_ostree"]
    assert facts["pending_reboot"] is True
    assert facts["staged"]["checksum"] == doc["deployments"][0]["checksum"]
    assert facts["booted"]["checksum"] == doc["deployments"][1]["checksum"]
    assert res["changed"] is False
    assert conn.commands == ["rpm-ostree status --json"]
    res = run_action("rpm_ostree_facts", {"raw": True}, FakeConnection().on(STATUS, status_reply(doc)))
    assert res["rpm_ostree"]["raw"] == doc


def test_facts_quote_rpm_ostree_error():
    conn = FakeConnection().on(STATUS, Reply(1, "", "error: Couldn't start daemon: Error setting owner\n"))
    res = run_action("rpm_ostree_facts", {}, conn)
    assert res["failed"] and "error: Couldn't start daemon" in res["msg"]


def test_rebase_changes_and_reports_after(upstream):
    doc = load_status(upstream, "container")
    conn = FakeConnection().on(STATUS, status_reply(doc), status_reply(after_rebase(doc)))
    conn.on(r"^rpm-ostree rebase ", Reply(0, "Pulling manifest...\nStaging deployment...done\n"))
    res = run_action("rpm_ostree_rebase", {"image": "registry.example.com/nestos:2", "signature": "unverified",
                                           "allow_unverified": True}, conn, diff=True)
    assert not res.get("failed"), res
    assert res["changed"] is True and res["reboot_required"] is True
    assert conn.commands == ["rpm-ostree status --json",
                             "rpm-ostree rebase --experimental --bypass-driver " + NEW_IMG,
                             "rpm-ostree status --json"]
    assert res["image_digest"] == NEW_DIGEST
    assert NEW_IMG in res["diff"]["after"] and NEW_IMG not in res["diff"]["before"]


def test_rebase_second_run_no_change_against_staged(upstream):
    doc = after_rebase(load_status(upstream, "container"))
    conn = FakeConnection().on(STATUS, status_reply(doc))
    res = run_action("rpm_ostree_rebase", {"ref": "ostree-unverified-image:docker://registry.example.com/nestos:2",
                                           "allow_unverified": True}, conn)
    assert res["changed"] is False and conn.commands == ["rpm-ostree status --json"]


def test_rebase_booted_target_drops_other_pending(upstream):
    base = load_status(upstream, "container")
    doc = after_rebase(base)           # staged = NEW_IMG, booted = the fedora image
    conn = FakeConnection().on(STATUS, status_reply(doc), status_reply(base))
    conn.on(r"^rpm-ostree cleanup -p$", Reply(0, "Deployments unchanged.\n"))
    res = run_action("rpm_ostree_rebase", {"ref": "ostree-image-signed:docker://quay.io/fedora/fedora-coreos:stable"},
                     conn)
    assert res["changed"] is True and "rpm-ostree cleanup -p" in conn.commands
    assert res["reboot_required"] is False


def test_rebase_check_mode_touches_nothing(upstream):
    doc = load_status(upstream, "container")
    conn = FakeConnection().on(STATUS, status_reply(doc))
    res = run_action("rpm_ostree_rebase", {"image": "registry.example.com/nestos:2", "signature": "unverified",
                                           "allow_unverified": True}, conn, check_mode=True, diff=True)
    assert res["changed"] is True
    assert conn.commands == ["rpm-ostree status --json"]
    assert res["commands"][0][-1] == NEW_IMG
    assert "(new)" in res["diff"]["after"]


def test_rebase_refuses_unverified_without_consent(upstream):
    conn = FakeConnection()
    res = run_action("rpm_ostree_rebase", {"ref": NEW_IMG}, conn)
    assert res["failed"] and "allow_unverified" in res["msg"] and res["path"] == "ref"
    assert conn.commands == []


def test_rebase_quotes_image_not_found(upstream):
    doc = load_status(upstream, "container")
    err = ('error: Creating importer: failed to invoke method OpenImage: failed to invoke method OpenImage: '
           'reading manifest 2 in registry.example.com/nestos: manifest unknown\n')
    conn = FakeConnection().on(STATUS, status_reply(doc)).on(r"^rpm-ostree rebase ", Reply(1, "", err))
    res = run_action("rpm_ostree_rebase", {"image": "registry.example.com/nestos:2", "signature": "unverified",
                                           "allow_unverified": True}, conn)
    assert res["failed"] and res["error_kind"] == "not_found"
    assert "manifest unknown" in res["msg"]


def test_rebase_busy_daemon_is_waited_for(upstream, monkeypatch):
    import time
    monkeypatch.setattr(time, "sleep", lambda s: None)
    doc = load_status(upstream, "container")
    busy = json.loads(json.dumps(doc))
    busy["transaction"] = ["upgrade", "zincati", "/org/projectatomic/rpmostree1/fedora_coreos"]
    conn = FakeConnection().on(STATUS, status_reply(busy), status_reply(doc), status_reply(after_rebase(doc)))
    conn.on(r"^rpm-ostree rebase ", Reply(1, "", "error: Transaction in progress: upgrade\n You can cancel the "
                                                 "current transaction with `rpm-ostree cancel`\n"), Reply(0, "ok"))
    res = run_action("rpm_ostree_rebase", {"image": "registry.example.com/nestos:2", "signature": "unverified",
                                           "allow_unverified": True, "busy_timeout": 30}, conn)
    assert not res.get("failed"), res
    assert [c for c in conn.commands if c.startswith("rpm-ostree rebase")].__len__() == 2
    # without busy_timeout the transaction is quoted at once
    conn = FakeConnection().on(STATUS, status_reply(busy))
    res = run_action("rpm_ostree_rebase", {"image": "registry.example.com/nestos:2", "signature": "unverified",
                                           "allow_unverified": True}, conn)
    assert res["failed"] and "Transaction in progress: upgrade zincati" in res["msg"] and res["error_kind"] == "busy"


def booted_after_reboot(doc):
    """The staged deployment booted, the old booted one becomes the rollback."""
    doc = json.loads(json.dumps(doc))
    deps = doc["deployments"]
    deps[0]["booted"], deps[0]["staged"] = True, False
    deps[0].pop("finalization-locked", None)
    deps[1]["booted"] = False
    return doc


def test_reboot_waits_for_new_boot_id_and_checks_deployment(upstream, monkeypatch):
    import time
    monkeypatch.setattr(time, "sleep", lambda s: None)
    doc = load_status(upstream, "staged")
    conn = FakeConnection().on(STATUS, status_reply(doc), status_reply(booted_after_reboot(doc)))
    conn.on(r"^cat /proc/sys/kernel/random/boot_id$", Reply(0, "id-1\n"),
            Reply(raise_exc=AnsibleConnectionFailure("ssh: connect to host 127.0.0.1 port 22101: Connection refused")),
            Reply(0, "id-1\n"), Reply(0, "id-2\n"))
    conn.on(r"^systemctl reboot ", Reply(0, ""))
    res = run_action("nestos_reboot", {"delay": 0}, conn)
    assert not res.get("failed"), res
    assert res["rebooted"] and res["boot_id_before"] == "id-1" and res["boot_id_after"] == "id-2"
    assert res["booted"]["checksum"] == doc["deployments"][0]["checksum"]
    assert conn.resets >= 2
    assert "systemctl reboot </dev/null >/dev/null 2>&1" in conn.commands


def test_reboot_wrong_deployment_fails(upstream, monkeypatch):
    import time
    monkeypatch.setattr(time, "sleep", lambda s: None)
    doc = load_status(upstream, "staged")
    conn = FakeConnection().on(STATUS, status_reply(doc))       # came back on the old deployment
    conn.on(r"boot_id$", Reply(0, "id-1\n"), Reply(0, "id-2\n"))
    conn.on(r"^systemctl reboot ", Reply(0, ""))
    res = run_action("nestos_reboot", {"delay": 0}, conn)
    assert res["failed"] and res["error_kind"] == "wrong_deployment"
    assert doc["deployments"][0]["checksum"] in res["msg"]


def test_reboot_timeout_is_clear(upstream, monkeypatch):
    import time
    clock = [1000.0]
    monkeypatch.setattr(time, "sleep", lambda s: clock.__setitem__(0, clock[0] + max(s, 1)))
    monkeypatch.setattr(time, "time", lambda: clock[0])
    doc = load_status(upstream, "staged")
    conn = FakeConnection().on(STATUS, status_reply(doc))
    conn.on(r"boot_id$", Reply(0, "id-1\n"), Reply(raise_exc=AnsibleConnectionFailure("Connection timed out")))
    conn.on(r"^systemctl reboot ", Reply(0, ""))
    res = run_action("nestos_reboot", {"delay": 5, "reboot_timeout": 60}, conn)
    assert res["failed"] and "did not come back within reboot_timeout=60s" in res["msg"]
    assert "Connection timed out" in res["msg"] and "went down" in res["msg"]
    assert res["error_kind"] == "reboot_timeout"


def test_reboot_only_if_pending_and_check_mode(upstream):
    doc = load_status(upstream, "container")
    conn = FakeConnection().on(STATUS, status_reply(doc))
    res = run_action("nestos_reboot", {"only_if_pending": True}, conn)
    assert res["changed"] is False and conn.commands == ["rpm-ostree status --json"]
    doc = load_status(upstream, "staged")
    conn = FakeConnection().on(STATUS, status_reply(doc))
    res = run_action("nestos_reboot", {}, conn, check_mode=True)
    assert res["changed"] is True and res["rebooted"] is False and conn.commands == ["rpm-ostree status --json"]


def test_become_wraps_every_command_in_sudo(upstream):
    from ansible.plugins.loader import become_loader
    doc = load_status(upstream, "container")
    conn = FakeConnection()
    conn.rules = []                                   # commands arrive wrapped in sudo: match anywhere
    conn.on(r"rpm-ostree status --json", status_reply(doc))
    sudo = become_loader.get("sudo")
    sudo.set_options(direct={"become_user": "root"})
    conn.become = sudo
    res = run_action("rpm_ostree_facts", {}, conn)
    assert not res.get("failed"), res
    assert len(conn.raw_commands) == 1
    assert conn.raw_commands[0].startswith("/bin/sh -c 'sudo ") and "-u root" in conn.raw_commands[0]
    assert "python" not in conn.raw_commands[0]
