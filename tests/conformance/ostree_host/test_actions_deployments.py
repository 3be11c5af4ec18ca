"""rpm_ostree_upgrade / rollback / pkg / kargs / cleanup driven through the fake connection."""
import json

from tests.conformance.ostree_host.upstream_status import load_status
from tests.support.fleet_harness import FakeConnection, Reply, run_action, status_reply, with_new_deployment

STATUS = r"^rpm-ostree status --json$"


def copy(doc):
    return json.loads(json.dumps(doc))


def test_upgrade_apply_changed_then_unchanged(upstream):
    doc = load_status(upstream, "staged")
    booted_only = copy(doc)
    booted_only["deployments"] = booted_only["deployments"][1:]
    conn = FakeConnection().on(STATUS, status_reply(booted_only), status_reply(doc))
    conn.on(r"^rpm-ostree upgrade --unchanged-exit-77$", Reply(0, "Staging deployment...done\n"))
    res = run_action("rpm_ostree_upgrade", {}, conn, diff=True)
    assert not res.get("failed"), res
    assert res["changed"] is True and res["reboot_required"] is True
    assert "[staged]" in res["diff"]["after"]
    conn = FakeConnection().on(STATUS, status_reply(doc))
    conn.on(r"^rpm-ostree upgrade --unchanged-exit-77$", Reply(77, "No upgrade available.\n"))
    res = run_action("rpm_ostree_upgrade", {}, conn)
    assert res["changed"] is False and not res.get("failed")


def test_upgrade_check_mode_uses_upgrade_check(upstream):
    doc = load_status(upstream, "container")
    conn = FakeConnection().on(STATUS, status_reply(doc))
    conn.on(r"^rpm-ostree upgrade --check$",
            Reply(1, "", "error: Updates and deployments are driven by Zincati (zincati.service)\n"
                         "See Zincati's documentation at https://github.com/coreos/zincati\n"
                         "Use --bypass-driver to bypass Zincati and perform the operation anyways\n"))
    conn.on(r"^rpm-ostree upgrade --check --bypass-driver$",
            Reply(0, "AvailableUpdate:\n        Version: 43.20251110.3.0 (2025-11-10T00:00:00Z)\n"
                     "         Commit: 1234567\n"))
    res = run_action("rpm_ostree_upgrade", {}, conn, check_mode=True)
    assert res["changed"] is True and res["available"] is True
    assert res["update"]["version"] == "43.20251110.3.0"
    assert not [c for c in conn.commands if "unchanged-exit-77" in c]
    res = run_action("rpm_ostree_upgrade", {"mode": "check"}, FakeConnection().on(STATUS, status_reply(doc)).on(
        r"^rpm-ostree upgrade --check", Reply(77, "No updates available.\n")))
    assert res["changed"] is False and res["available"] is False


def test_rollback_idempotent_with_to(upstream):
    doc = load_status(upstream, "workstation")
    old, cur = doc["deployments"][1]["checksum"], doc["deployments"][0]["checksum"]
    rolled = copy(doc)
    rolled["deployments"].reverse()
    conn = FakeConnection().on(STATUS, status_reply(doc), status_reply(rolled))
    conn.on(r"^rpm-ostree rollback$", Reply(0, "Moving '%s.0' to be first deployment\n" % old))
    res = run_action("rpm_ostree_rollback", {"to": old[:10]}, conn, diff=True)
    assert not res.get("failed"), res
    assert res["changed"] and res["target"]["checksum"] == old and res["reboot_required"]
    conn = FakeConnection().on(STATUS, status_reply(rolled))
    res = run_action("rpm_ostree_rollback", {"to": old[:10]}, conn)
    assert res["changed"] is False and conn.commands == ["rpm-ostree status --json"]
    assert cur != old


def test_rollback_staged_runs_cleanup_first(upstream):
    doc = load_status(upstream, "staged")
    cleaned = copy(doc)
    cleaned["deployments"] = cleaned["deployments"][1:]
    conn = FakeConnection().on(STATUS, status_reply(doc), status_reply(cleaned))
    conn.on(r"^rpm-ostree cleanup -p$", Reply(0, ""))
    res = run_action("rpm_ostree_rollback", {}, conn)
    assert not res.get("failed"), res
    assert res["changed"] and conn.commands[1] == "rpm-ostree cleanup -p"
    assert not [c for c in conn.commands if c == "rpm-ostree rollback"]


def test_rollback_quotes_no_rollback(upstream):
    conn = FakeConnection().on(STATUS, status_reply(load_status(upstream, "container")))
    res = run_action("rpm_ostree_rollback", {}, conn)
    assert res["failed"] and "No rollback deployment found" in res["msg"]


def test_pkg_layer_and_idempotent(upstream):
    doc = load_status(upstream, "workstation")
    layered = with_new_deployment(doc, "c" * 64, **{
        "requested-packages": doc["deployments"][0]["requested-packages"] + ["htop"],
        "packages": sorted(doc["deployments"][0]["packages"] + ["htop"])})
    conn = FakeConnection().on(STATUS, status_reply(doc), status_reply(layered))
    conn.on(r"^rpm-ostree install --idempotent htop$", Reply(0, "Staging deployment...done\nAdded:\n  htop-3.2\n"))
    res = run_action("rpm_ostree_pkg", {"name": ["htop", "tmux"]}, conn)
    assert not res.get("failed"), res
    assert res["changed"] and res["installed"] == ["htop"]
    conn = FakeConnection().on(STATUS, status_reply(layered))
    res = run_action("rpm_ostree_pkg", {"name": ["htop", "tmux"]}, conn)
    assert res["changed"] is False and conn.commands == ["rpm-ostree status --json"]


def test_pkg_detects_silent_failure(upstream):
    doc = load_status(upstream, "workstation")
    conn = FakeConnection().on(STATUS, status_reply(doc))           # nothing changed on the host
    conn.on(r"^rpm-ostree uninstall fish$", Reply(0, ""))
    res = run_action("rpm_ostree_pkg", {"name": ["fish"], "state": "absent"}, conn)
    assert res["failed"] and "still requests fish" in res["msg"]


def test_kargs_change_and_noop(upstream):
    doc = load_status(upstream, "container")
    before = "rw console=tty0 quiet ignition.platform.id=qemu\n"
    after_doc = with_new_deployment(doc, "d" * 64, staged=False)
    conn = FakeConnection().on(STATUS, status_reply(doc), status_reply(after_doc))
    conn.on(r"^rpm-ostree kargs$", Reply(0, before), Reply(0, "rw console=tty0 ignition.platform.id=qemu nosmt\n"))
    conn.on(r"^rpm-ostree kargs --delete=quiet --append=nosmt$", Reply(0, "Kernel arguments updated.\n"))
    res = run_action("rpm_ostree_kargs", {"append": ["nosmt", "rw"], "delete": ["quiet"]}, conn, diff=True)
    assert not res.get("failed"), res
    assert res["changed"] and "nosmt" in res["kargs_after"] and "quiet" not in res["kargs_after"]
    assert res["diff"][1]["before"].splitlines() == before.split()
    conn = FakeConnection().on(STATUS, status_reply(doc)).on(r"^rpm-ostree kargs$", Reply(0, before))
    res = run_action("rpm_ostree_kargs", {"append": ["quiet"], "delete": ["nosmt"]}, conn)
    assert res["changed"] is False and conn.commands == ["rpm-ostree status --json", "rpm-ostree kargs"]


def test_cleanup_only_when_needed(upstream):
    doc = load_status(upstream, "staged")
    cleaned = copy(doc)
    cleaned["deployments"] = cleaned["deployments"][1:]
    conn = FakeConnection().on(STATUS, status_reply(doc), status_reply(cleaned)).on(r"^rpm-ostree cleanup -p$",
                                                                                    Reply(0, ""))
    res = run_action("rpm_ostree_cleanup", {"pending": True, "rollback": True}, conn)
    assert res["changed"] and "rpm-ostree cleanup -p" in conn.commands
    conn = FakeConnection().on(STATUS, status_reply(cleaned))
    res = run_action("rpm_ostree_cleanup", {"pending": True, "rollback": True}, conn)
    assert res["changed"] is False and conn.commands == ["rpm-ostree status --json"]


def test_initramfs_predicts_in_check_mode_then_runs_and_reads_back(upstream):
    # the shared carry-out of rpm_ostree_initramfs/apply_live/deploy/override (HostAction._carry_out)
    doc = load_status(upstream, "container")
    change = r"^rpm-ostree initramfs --enable --arg=-I --arg=/etc/x$"
    args = {"enabled": True, "args": ["-I", "/etc/x"]}
    conn = FakeConnection().on(STATUS, status_reply(doc))
    res = run_action("rpm_ostree_initramfs", args, conn, check_mode=True)
    assert res["changed"] is True and "(new)" in res["deployments_after"][0]  # predicted, nothing ran
    assert conn.commands == ["rpm-ostree status --json"]
    staged = with_new_deployment(doc, "f" * 64, **{"regenerate-initramfs": True, "initramfs-args": ["-I", "/etc/x"]})
    conn = FakeConnection().on(STATUS, status_reply(doc), status_reply(staged)).on(change, Reply(0, ""))
    res = run_action("rpm_ostree_initramfs", args, conn)
    assert not res.get("failed"), res
    assert res["changed"] is True and res["reboot_required"] is True
    assert conn.commands == ["rpm-ostree status --json", "rpm-ostree initramfs --enable --arg=-I --arg=/etc/x",
                             "rpm-ostree status --json"]
    assert "(ffffffffffff) [staged]" in res["deployments_after"][0]  # read back from the host
    conn = FakeConnection().on(STATUS, status_reply(doc))
    res = run_action("rpm_ostree_initramfs", {"enabled": False}, conn)
    assert res["changed"] is False and conn.commands == ["rpm-ostree status --json"]
