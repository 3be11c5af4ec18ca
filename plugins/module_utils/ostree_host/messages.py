# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn a failed rpm-ostree command into a clear message that quotes rpm-ostree's own words
and names the kind of failure, so playbooks can react (retry a busy daemon, stop a rollout
on a missing image)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# (kind, substrings searched case-insensitively in stderr+stdout, hint)
_KINDS = (
    ("busy", ("transaction in progress",),
     "another rpm-ostree transaction is running; wait (busy_timeout) or run `rpm-ostree cancel`"),
    ("driver", ("updates and deployments are driven by", "driven by zincati"),
     "an update driver holds the lock; pass bypass_driver=always or stop/disable zincati.service first"),
    ("experimental", ("requires --experimental",),
     "this rpm-ostree needs --experimental for container references; leave experimental=auto"),
    ("staged", ("remove with cleanup -p",),
     "a staged deployment blocks this; run rpm_ostree_cleanup pending=true first"),
    ("no_rollback", ("no rollback deployment found",), "the host has no deployment to roll back to"),
    # the exact refusals, not any output that mentions a signature or a policy: containers/image's
    # policy evaluation (signature/policy_eval*.go: "Source image rejected: …", prReject's "Running
    # image … is rejected by policy.", "A signature was required, but no signature exists", "None of
    # the signatures were accepted, reasons: …", "Signature for identity … is not accepted") and
    # libostree's GPG checks of a commit (ostree-repo-pull.c / ostree-gpg-verify-result.c)
    ("signature", ("source image rejected", "is rejected by policy", "a signature was required, but no signature",
                   "none of the signatures were accepted", "signature for identity", "invalid gpg signature",
                   "gpg verification enabled, but no signatures found",
                   "gpg signatures found, but none are in trusted keyring",
                   "can't check signature: public key not found"),
     "the image signature was refused by /etc/containers/policy.json or the ostree remote's GPG settings"),
    ("auth", ("unauthorized", "authentication required", "denied"),
     "the registry refused access; check /etc/ostree/auth.json or /run/ostree/auth.json"),
    ("not_found", ("manifest unknown", "not found", "no such image", "name unknown", "404",
                   "no such file"),
     "the image or ref does not exist; check the name, tag and registry"),
    ("network", ("connection refused", "no route to host", "timeout", "could not resolve", "tls"),
     "the host could not reach the registry or remote"),
)


def classify(text):
    low = (text or "").lower()
    for kind, needles, hint in _KINDS:
        if any(n in low for n in needles):
            return kind, hint
    return "error", None


def quote_output(stdout, stderr, limit=1500):
    """rpm-ostree's own message: the ``error:`` lines when present, else the tail of stderr."""
    lines = [ln for ln in (stderr or "").splitlines() if ln.strip()]
    errs = [ln.strip() for ln in lines if ln.strip().lower().startswith("error")]
    text = "\n".join(errs) if errs else "\n".join(lines[-8:])
    if not text:
        text = "\n".join([ln for ln in (stdout or "").splitlines() if ln.strip()][-8:])
    if len(text) > limit:
        text = text[:limit] + "…"
    return text


def command_failure(argv, rc, stdout, stderr):
    """(message, kind) for a failed command."""
    quoted = quote_output(stdout, stderr)
    kind, hint = classify((stderr or "") + "\n" + (stdout or ""))
    cmd = " ".join(argv) if isinstance(argv, (list, tuple)) else argv
    msg = "`%s` failed (rc=%s): %s" % (cmd, rc, quoted or "(no output)")
    if hint:
        msg += " [%s: %s]" % (kind, hint)
    return msg, kind
