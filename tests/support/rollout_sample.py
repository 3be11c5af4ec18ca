"""A rollout with an injected failure, written by hand in the report's documented shape:
batch 0 a canary that succeeded, batch 1 two hosts of which web-2 failed its health check and
was rolled back, batch 2 a host that was unreachable after its reboot."""

T0 = 1765000000.0
OLD = {"image": "127.0.0.1:5005/nestos/nestos:22.03", "digest": "sha256:" + "a" * 64, "checksum": "c" * 64,
       "version": "22.03.20250101"}
NEW = {"image": "127.0.0.1:5005/nestos/nestos:22.03-sp4", "digest": "sha256:" + "b" * 64, "checksum": "d" * 64,
       "version": "22.03.20251201"}


def _events(offset, health="ok", rollback=False, unreachable=False):
    t = T0 + offset
    out = [{"phase": "prefetch", "start": t, "end": t + 3, "status": "ok", "detail": ""},
           {"phase": "apply", "start": t + 3, "end": t + 6, "status": "changed", "detail": ""},
           {"phase": "reboot", "start": t + 6, "end": t + 14, "status": "failed" if unreachable else "ok",
            "detail": "host did not come back within 600 s" if unreachable else ""}]
    if unreachable:
        return out
    out.append({"phase": "health", "start": t + 14, "end": t + 16, "status": health,
                "detail": "check 'curl -fsS localhost:8080/healthz' exited 7" if health == "failed" else ""})
    if rollback:
        out.append({"phase": "rollback", "start": t + 16, "end": t + 25, "status": "changed", "detail": "rolled back to 22.03"})
    out.append({"phase": "verify", "start": t + 25 if rollback else t + 16, "end": t + 27 if rollback else t + 17,
                "status": "ok", "detail": ""})
    return out


def sample():
    return {
        "play": "Rebase the fleet", "action": "rebase", "started": T0, "finished": T0 + 80,
        "hosts": [
            {"host": "canary-1", "batch": 0, "result": "changed", "before": OLD, "after": NEW, "events": _events(0)},
            {"host": "web-1", "batch": 1, "result": "changed", "before": OLD, "after": NEW, "events": _events(20)},
            {"host": "web-2", "batch": 1, "result": "rolled_back", "before": OLD, "after": OLD,
             "events": _events(21, health="failed", rollback=True)},
            {"host": "db-1", "batch": 2, "result": "unreachable", "before": OLD, "after": {},
             "events": _events(50, unreachable=True)},
        ],
    }
