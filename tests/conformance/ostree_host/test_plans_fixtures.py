"""Plan decisions against the real status documents."""
import json

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import imageref
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import plan as P
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host.status import Status

CONTAINER = "zincati/tests/fixtures/rpm-ostree-status.json"
STAGED = "zincati/tests/fixtures/rpm-ostree-staged.json"
WORKSTATION = "rpm-ostree/rust/rpmostree-client/tests/fixtures/workstation-status.json"
BOOTED_IMAGE = "ostree-image-signed:docker://quay.io/fedora/fedora-coreos:stable"
BOOTED_DIGEST = "sha256:ca99893c80a7b84dd84d4143bd27538207c2f38ab6647a58d9c8caa251f9a087"


def load(upstream, rel):
    return Status.from_json((upstream / rel).read_text())


@pytest.mark.parametrize("spelling", [
    BOOTED_IMAGE,
    "ostree-image-signed:registry:quay.io/fedora/fedora-coreos:stable",
    "ostree-image-signed:docker://quay.io/fedora/fedora-coreos@" + BOOTED_DIGEST,
])
def test_rebase_to_booted_image_is_no_change(upstream, spelling):
    st = load(upstream, CONTAINER)
    plan = P.plan_rebase(st, imageref.parse(spelling))
    assert plan.changed is False and plan.commands == []
    assert plan.after_labels() == plan.before_labels()
    assert plan.reboot_required is False


def test_rebase_to_other_image_predicts_new_staged_deployment(upstream):
    st = load(upstream, CONTAINER)
    ref = imageref.parse("ostree-unverified-registry:registry.example.com/nestos:2")
    plan = P.plan_rebase(st, ref)
    assert plan.changed is True
    # the capture has Zincati registered as update driver -> --bypass-driver; container ref -> --experimental
    assert plan.commands == [["rpm-ostree", "rebase", "--experimental", "--bypass-driver",
                              "ostree-unverified-registry:registry.example.com/nestos:2"]]
    assert len(plan.after) == 2
    assert plan.after[0].container_image_reference == "ostree-unverified-registry:registry.example.com/nestos:2"
    assert plan.after[0].staged and not plan.after[0].booted
    assert plan.after[1].checksum == st.booted.checksum
    assert plan.reboot_required is True
    assert "(new)" in plan.after_labels()[0]


def test_rebase_options(upstream):
    st = load(upstream, CONTAINER)
    ref = imageref.parse("ostree-unverified-registry:registry.example.com/nestos:2")
    plan = P.plan_rebase(st, ref, download_only=True, bypass_driver="never", experimental="never")
    assert plan.commands == [["rpm-ostree", "rebase", "--download-only",
                              "ostree-unverified-registry:registry.example.com/nestos:2"]]
    assert plan.after_labels() == plan.before_labels()      # prefetch makes no deployment


def test_rebase_idempotent_against_staged(upstream):
    st = load(upstream, STAGED)
    plan = P.plan_rebase(st, imageref.parse("fedora:fedora/x86_64/coreos/stable"))
    assert plan.changed is False
    assert "staged" in plan.msg


def test_rebase_classic_ref_no_experimental_no_bypass_without_driver(upstream):
    st = load(upstream, WORKSTATION)
    plan = P.plan_rebase(st, imageref.parse("fedora:fedora/34/x86_64/silverblue"))
    assert plan.commands == [["rpm-ostree", "rebase", "fedora:fedora/34/x86_64/silverblue"]]
    # layered packages carry over to the new deployment; the old pending one is not there to replace
    assert plan.after[0].requested_packages == st.booted.requested_packages
    assert [d.checksum for d in plan.after[1:]] == [d.checksum for d in st.deployments]


def test_matches_checksum_prefix_and_version(upstream):
    doc = json.loads((upstream / STAGED).read_text())
    st = Status(doc)
    assert st.booted.matches(st.booted.checksum[:10])
    assert st.staged.matches("31.20200517.3.0")


def test_rollback_semantics(upstream):
    ws = load(upstream, WORKSTATION)
    plan = P.plan_rollback(ws)
    assert plan.commands == [["rpm-ostree", "rollback"]]
    assert [d.checksum for d in plan.after] == [ws.deployments[1].checksum, ws.deployments[0].checksum]
    assert plan.reboot_required
    # the `to` guard: after the rollback, asking again for the same target changes nothing
    target = ws.deployments[1].checksum
    assert P.plan_rollback(ws, to=target).changed is True
    with pytest.raises(NestosError, match="not"):
        P.plan_rollback(ws, to=ws.deployments[0].checksum[:12] + "0")


def test_rollback_with_staged_cleans_up_first(upstream):
    st = load(upstream, STAGED)
    plan = P.plan_rollback(st)
    # staged pending + no rollback deployment: undo = drop the staged deployment
    assert plan.commands == [["rpm-ostree", "cleanup", "-p"]]
    assert [d.checksum for d in plan.after] == [st.booted.checksum]
    assert plan.reboot_required is False


def test_rollback_without_target_is_rpm_ostrees_error(upstream):
    st = load(upstream, CONTAINER)
    with pytest.raises(NestosError, match="No rollback deployment found"):
        P.plan_rollback(st)


def test_rollback_to_current_default_is_no_change(upstream):
    st = load(upstream, CONTAINER)
    assert P.plan_rollback(st, to=BOOTED_DIGEST).changed is False


def test_packages_idempotent_from_status(upstream):
    ws = load(upstream, WORKSTATION)
    assert P.plan_packages(ws, present=["libvirt", "tmux"]).changed is False
    assert P.plan_packages(ws, absent=["htop"]).changed is False
    plan = P.plan_packages(ws, present=["htop", "tmux"], absent=["fish"])
    assert plan.commands == [["rpm-ostree", "install", "--idempotent", "--uninstall=fish", "htop"]]
    assert "htop" in plan.after[0].requested_packages and "fish" not in plan.after[0].requested_packages
    plan = P.plan_packages(ws, absent=["fish", "gdb"])
    assert plan.commands == [["rpm-ostree", "uninstall", "fish", "gdb"]]


def test_cleanup(upstream):
    st = load(upstream, STAGED)
    plan = P.plan_cleanup(st, pending=True)
    assert plan.changed and plan.commands == [["rpm-ostree", "cleanup", "-p"]]
    assert P.plan_cleanup(st, rollback=True).changed is False
    ws = load(upstream, WORKSTATION)
    plan = P.plan_cleanup(ws, pending=True, rollback=True)
    assert plan.commands == [["rpm-ostree", "cleanup", "-r"]] and len(plan.after) == 1
    plan = P.plan_cleanup(ws, base=True)
    assert plan.commands == [["rpm-ostree", "cleanup", "-b"]] and plan.changed is False


def test_upgrade_commands(upstream):
    st = load(upstream, CONTAINER)
    assert P.plan_upgrade(st, "apply").commands == [["rpm-ostree", "upgrade", "--bypass-driver", "--unchanged-exit-77"]]
    assert P.plan_upgrade(st, "check").commands == [["rpm-ostree", "upgrade", "--check"]]
    assert P.plan_upgrade(st, "download_only", bypass_driver="never").commands == [
        ["rpm-ostree", "upgrade", "--download-only"]]


def test_checksum_names_one_deployment_not_its_base(upstream):
    ws = load(upstream, WORKSTATION)
    booted = ws.booted
    assert booted.base_checksum and not booted.matches(booted.base_checksum)
    assert booted.matches(booted.checksum) and booted.matches(booted.checksum[:7])
    assert not booted.matches(booted.checksum[:6])          # too short to be a checksum prefix
