"""zincati, host_file and host_service actions through the fake connection."""
import hashlib
import tomllib

from ansible_collections.nestos.lifecycle.plugins.module_utils.zincati import config
from tests.support.fleet_harness import FakeConnection, Reply

from tests.support.fleet_harness import run_action

LISTING = r"^for d in "
DISABLE = "/usr/lib/zincati/config.d/95-disable-on-dev.toml"


def listing(files):
    return Reply(0, "".join("==> %s <==\n%s\n%s\n" % (p, c, config.END_MARK) for p, c in files.items()))


def stat_reply(content=None, mode="644", owner="root", group="root"):
    if content is None:
        return Reply(0, "__NESTOS_ABSENT__\n")
    sha = hashlib.sha256(content.encode()).hexdigest()
    return Reply(0, "%s %s %s 0 0 regular file\n%s  /x\n" % (mode, owner, group, sha))


def test_zincati_writes_dropin_atomically_and_restarts():
    conn = FakeConnection().on(LISTING, listing({DISABLE: "[updates]\nenabled = false\n"}))
    conn.on(r"^if \[ -e ", stat_reply(None))
    conn.on(r"^install -m 0644 -o root -g root -- ", Reply(0, ""))
    conn.on(r"^systemctl try-restart zincati.service$", Reply(0, ""))
    res = run_action("zincati", {"updates_enabled": True, "cincinnati_base_url": "http://nestos.org.cn:8080",
                                 "strategy": "fleet_lock", "fleet_lock_base_url": "http://fl.example:8080/",
                                 "group": "workers"}, conn, diff=True)
    assert not res.get("failed"), res
    assert res["changed"] and res["restarted"]
    written = [data for dest, data in conn.files.items()]
    assert len(written) == 1
    parsed = tomllib.loads(written[0].decode())
    assert parsed["updates"]["enabled"] is True and parsed["updates"]["fleet_lock"]["base_url"] == "http://fl.example:8080/"
    install = [c for c in conn.commands if c.startswith("install ")][0]
    assert ".99-nestos-lifecycle.toml.nestos-tmp" in install and "mv -f --" in install
    assert res["effective"]["updates"]["enabled"] is True          # 99 sorts after 95
    assert res["diff"]["before"] == "" and "fleet_lock" in res["diff"]["after"]


def test_zincati_idempotent_and_override_warning():
    cfg, _w = config.build(updates_enabled=True)
    content = config.render(cfg)
    path = "/etc/zincati/config.d/90-mine.toml"
    conn = FakeConnection().on(LISTING, listing({DISABLE: "[updates]\nenabled = false\n", path: content}))
    conn.on(r"^if \[ -e ", stat_reply(content))
    res = run_action("zincati", {"name": "90-mine.toml", "updates_enabled": True}, conn)
    assert res["changed"] is False and not res.get("failed"), res
    assert any("overridden by %s" % DISABLE in w for w in res["warnings"])
    assert not [c for c in conn.commands if c.startswith(("install", "systemctl"))]


def test_zincati_check_mode_and_absent():
    conn = FakeConnection().on(LISTING, listing({})).on(r"^if \[ -e ", stat_reply(None))
    res = run_action("zincati", {"updates_enabled": False}, conn, check_mode=True)
    assert res["changed"] and conn.files == {} and len(conn.commands) == 2
    conn = FakeConnection().on(LISTING, listing({"/etc/zincati/config.d/99-nestos-lifecycle.toml": "x = 1\n"}))
    conn.on(r"^if \[ -e ", stat_reply("x = 1\n")).on(r"^rm -f -- ", Reply(0, ""))
    res = run_action("zincati", {"state": "absent", "restart": False}, conn)
    assert res["changed"] and "rm -f -- /etc/zincati/config.d/99-nestos-lifecycle.toml" in conn.commands


def test_host_file_content_mode_owner():
    text = "PasswordAuthentication no\n"
    path = "/etc/ssh/sshd_config.d/40-disable-passwords.conf"
    conn = FakeConnection().on(r"^if \[ -e ", stat_reply(text, mode="600"))
    res = run_action("host_file", {"path": path, "content": text, "mode": "0600"}, conn)
    assert res["changed"] is False and len(conn.commands) == 1
    conn = FakeConnection().on(r"^if \[ -e ", stat_reply(text, mode="644")).on(r"^chmod 0600 -- ", Reply(0, ""))
    res = run_action("host_file", {"path": path, "content": text, "mode": "0600"}, conn)
    assert res["changed"] and res["changes"] == ["mode"]
    conn = FakeConnection().on(r"^if \[ -e ", stat_reply("old\n")).on(r"^if \[ -e .* cat -- ", Reply(0, "old\n"))
    conn.rules.reverse()
    res = run_action("host_file", {"path": path, "content": text}, conn, check_mode=True, diff=True)
    assert res["changed"] and res["changes"] == ["content"] and conn.files == {}
    assert "old" in res["diff"]["before"] and "PasswordAuthentication" in res["diff"]["after"]


def test_host_file_errors():
    res = run_action("host_file", {"path": "relative/x", "content": "x"}, FakeConnection())
    assert res["failed"] and res["path"] == "path"
    res = run_action("host_file", {"path": "/x", "content": "x", "mode": "u+rw"}, FakeConnection())
    assert res["failed"] and "octal" in res["msg"]
    conn = FakeConnection().on(r"^if \[ -e ", Reply(0, "755 root root 0 0 directory\n-\n"))
    res = run_action("host_file", {"path": "/etc", "content": "x"}, conn)
    assert res["failed"] and "directory" in res["msg"]


def test_host_service_idempotent():
    q = r"^e=\$\(systemctl is-enabled"
    conn = FakeConnection().on(q, Reply(0, "enabled=disabled\nactive=inactive\n"),
                               Reply(0, "enabled=enabled\nactive=active\n"))
    conn.on(r"^systemctl enable docker$", Reply(0, "Created symlink ...\n"))
    conn.on(r"^systemctl start docker$", Reply(0, ""))
    res = run_action("host_service", {"name": "docker", "enabled": True, "state": "started"}, conn, diff=True)
    assert not res.get("failed"), res
    assert res["changed"] and res["status"] == {"enabled": "enabled", "active": "active"}
    assert "enabled: disabled" in res["diff"]["before"] and "enabled: enabled" in res["diff"]["after"]
    conn = FakeConnection().on(q, Reply(0, "enabled=enabled\nactive=active\n"))
    res = run_action("host_service", {"name": "docker", "enabled": True, "state": "started"}, conn)
    assert res["changed"] is False and len(conn.commands) == 1


def test_host_service_missing_and_masked():
    q = r"^e=\$\(systemctl is-enabled"
    res = run_action("host_service", {"name": "nope", "enabled": True}, FakeConnection().on(q, Reply(0, "enabled=\nactive=inactive\n")))
    assert res["failed"] and "not found" in res["msg"]
    res = run_action("host_service", {"name": "x", "enabled": True}, FakeConnection().on(q, Reply(0, "enabled=masked\nactive=inactive\n")))
    assert res["failed"] and "masked" in res["msg"]


def test_host_file_writes_through_install_and_mv():
    conn = FakeConnection().on(r"^if \[ -e ", stat_reply(None))
    conn.on(r"^install -m 0600 -o core -g wheel -- /home/core/.ansible/tmp/ansible-tmp-[^ ]+/content "
            r"/etc/app/\.secret\.nestos-tmp && mv -f -- /etc/app/\.secret\.nestos-tmp /etc/app/secret ", Reply(0, ""))
    res = run_action("host_file", {"path": "/etc/app/secret", "content": "token\n", "mode": "600", "owner": "core",
                                   "group": "wheel"}, conn)
    assert not res.get("failed"), res
    assert res["changed"] and list(conn.files.values()) == [b"token\n"]
    assert res["sha256"] == hashlib.sha256(b"token\n").hexdigest()
    assert any(c.startswith("rm -f -r ") for c in conn.commands)     # the private temp folder is removed


def test_host_file_failed_install_leaves_no_temp_and_quotes_install():
    conn = FakeConnection().on(r"^if \[ -e ", stat_reply(None))
    conn.on(r"^install -m ", Reply(1, "", "install: invalid user 'nosuchuser'\n"))
    res = run_action("host_file", {"path": "/etc/app/conf", "content": "x\n", "owner": "nosuchuser"}, conn)
    assert res["failed"] and "invalid user 'nosuchuser'" in res["msg"] and "/etc/app/conf" in res["msg"]
    install = [c for c in conn.commands if c.startswith("install ")][0]
    assert "rm -f -- /etc/app/.conf.nestos-tmp" in install            # the shell removes its temp file
    assert any(c.startswith("rm -f -r ") for c in conn.commands)     # and the private upload folder goes
