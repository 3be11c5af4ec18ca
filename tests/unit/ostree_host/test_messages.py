"""rpm-ostree's failure messages are quoted and classified (reference/hosts-and-updates.md 2.3, 2.4, 2.6)."""
import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import messages

CASES = [
    ("busy", "error: Transaction in progress: upgrade\n You can cancel the current transaction with `rpm-ostree cancel`"),
    ("driver", "error: Updates and deployments are driven by Zincati (zincati.service)\nSee Zincati's documentation "
               "at https://github.com/coreos/zincati\nUse --bypass-driver to bypass Zincati and perform the "
               "operation anyways"),
    ("experimental", "error: Rebasing to a container image reference requires --experimental"),
    ("staged", "error: Staged deployment (remove with cleanup -p)"),
    ("no_rollback", "error: No rollback deployment found"),
    ("signature", "error: Creating importer: failed to invoke method OpenImage: Source image rejected: Running image "
                  "docker://r.example/nestos:1 is rejected by policy."),
    ("signature", "error: Creating importer: failed to invoke method OpenImage: failed to invoke method OpenImage: "
                  "Source image rejected: A signature was required, but no signature exists"),
    ("signature", "error: Creating importer: failed to invoke method OpenImage: Source image rejected: None of the "
                  "signatures were accepted, reasons: Signature for identity r.example/nestos:1 is not accepted"),
    ("signature", "error: While pulling nestos/x86_64/stable: GPG verification enabled, but no signatures found (use "
                  "gpg-verify=false in remote config to disable)"),
    ("signature", "error: Commit 3f2a: GPG signatures found, but none are in trusted keyring"),
    ("not_found", "error: Creating importer: failed to invoke method OpenImage: reading manifest 9 in "
                  "r.example/nestos: manifest unknown"),
    ("auth", "error: Creating importer: failed to invoke method OpenImage: reading manifest 1 in r.example/nestos: "
             "unauthorized: access to the requested resource is not authorized"),
    ("network", "error: Creating importer: failed to invoke method OpenImage: pinging container registry r.example: "
                "Get \"https://r.example/v2/\": dial tcp 10.0.0.1:443: connect: connection refused"),
    ("error", "error: something else entirely"),
    # mentioning a signature, a policy or gpg is not a signature refusal
    ("error", "error: Failed to write signature policy cache: disk full"),
    ("error", "error: Updating gpg-verify setting of remote nestos: read-only file system"),
    ("not_found", "error: Fetching signature for r.example/nestos:1: manifest unknown"),
]


@pytest.mark.parametrize("kind,stderr", CASES)
def test_classify_and_quote(kind, stderr):
    msg, got = messages.command_failure(["rpm-ostree", "rebase", "X"], 1, "", "Pulling manifest...\n" + stderr + "\n")
    assert got == kind
    assert msg.startswith("`rpm-ostree rebase X` failed (rc=1): error:")
    assert "Pulling manifest" not in msg           # only rpm-ostree's error lines are quoted
    first_error_line = [ln for ln in stderr.splitlines() if ln.startswith("error")][0]
    assert first_error_line in msg


def test_quote_falls_back_to_tail_and_stdout():
    assert messages.quote_output("", "line1\nline2\n") == "line1\nline2"
    assert messages.quote_output("only stdout\n", "") == "only stdout"
    assert messages.command_failure("x", 3, "", "")[0] == "`x` failed (rc=3): (no output)"
