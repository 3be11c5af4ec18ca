"""The status model against real `rpm-ostree status --json` documents (upstream fixtures)."""
import json

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host.status import Status

CONTAINER = "zincati/tests/fixtures/rpm-ostree-status.json"
ANNOTATION = "zincati/tests/fixtures/rpm-ostree-status-annotation.json"
STAGED = "zincati/tests/fixtures/rpm-ostree-staged.json"
WORKSTATION = "rpm-ostree/rust/rpmostree-client/tests/fixtures/workstation-status.json"


def load(upstream, rel):
    return Status.from_json((upstream / rel).read_text())


def test_container_deployment(upstream):
    st = load(upstream, CONTAINER)
    facts = st.facts()
    assert facts["image"] == "ostree-image-signed:docker://quay.io/fedora/fedora-coreos:stable"
    assert facts["image_digest"] == "sha256:ca99893c80a7b84dd84d4143bd27538207c2f38ab6647a58d9c8caa251f9a087"
    assert facts["image_ref"]["policy"] == "signed"
    assert facts["image_ref"]["repository"] == "quay.io/fedora/fedora-coreos"
    assert facts["version"] == "43.20251024.3.0"
    assert facts["checksum"] == "36ff46d732a070a1bf10f7157f764e316f99a836dcdbf56702798e5042411fe9"
    assert facts["origin"] is None
    assert facts["pending_reboot"] is False
    assert facts["staged"] is None and facts["rollback"] is None and facts["pending"] is None
    assert facts["update_driver"] == {"driver-name": "Zincati", "driver-sd-unit": "zincati.service"}
    assert st.driver_unit == "zincati.service"
    assert facts["stream"] == "stable"
    assert facts["layered_packages"] == []
    json.dumps(facts)


def test_stream_from_manifest_annotation(upstream):
    st = load(upstream, ANNOTATION)
    assert "fedora-coreos.stream" not in st.booted.base_commit_meta
    assert st.booted.stream == "stable"


def test_staged_classic_document(upstream):
    st = load(upstream, STAGED)
    assert st.update_driver is None                     # key absent in this capture
    assert st.staged.checksum.startswith("967b7b8d")
    assert st.staged.finalization_locked is True
    assert st.booted.staged is False                    # no 'staged' key on the booted entry
    assert st.booted.pending_base_checksum == st.staged.checksum
    assert st.pending is st.staged and st.rollback is None
    assert st.pending_reboot is True
    assert st.booted.origin_ref.remote == "fedora"
    facts = st.facts()
    assert facts["staged"]["finalization_locked"] is True
    assert facts["pending"]["version"] == "31.20200517.3.0"
    assert facts["booted"]["pending_base_version"] == "31.20200517.3.0"


def test_older_layered_document(upstream):
    st = load(upstream, WORKSTATION)
    booted = st.booted
    assert booted.index == 0 and st.rollback.index == 1
    assert booted.base_checksum.startswith("229387d3")
    assert booted.base_commit == booted.base_checksum
    assert "libvirt" in booted.packages and "libvirt" in booted.requested_packages
    assert booted.origin_ref.remote is None and booted.origin_ref.ref == "fedora/33/x86_64/silverblue"
    assert st.staged is None and st.update_driver is None
    assert st.facts()["layered_packages"] == sorted(booted.packages)


@pytest.mark.parametrize("rel", [CONTAINER, ANNOTATION, STAGED, WORKSTATION])
def test_every_fixture_round_trips_through_facts(upstream, rel):
    st = load(upstream, rel)
    facts = st.facts()
    assert [d["checksum"] for d in facts["deployments"]] == [d["checksum"] for d in st.raw["deployments"]]
    assert len([d for d in facts["deployments"] if d["booted"]]) == 1


@pytest.mark.parametrize("mutate,path", [
    (lambda d: d["deployments"][0].__setitem__("booted", "yes"), "$.deployments[0].booted"),
    (lambda d: d["deployments"][0].__setitem__("serial", "0"), "$.deployments[0].serial"),
    (lambda d: d["deployments"][0].pop("checksum"), "$.deployments[0].checksum"),
    (lambda d: d.__setitem__("deployments", {}), "$.deployments"),
    (lambda d: d["deployments"][0].__setitem__("container-image-reference", "ostree-x:y"),
     "$.deployments[0].container-image-reference"),
])
def test_broken_documents_name_the_field(upstream, mutate, path):
    doc = json.loads((upstream / CONTAINER).read_text())
    mutate(doc)
    with pytest.raises(NestosError) as err:
        Status(doc)
    assert err.value.path == path
    assert err.value.file == "rpm-ostree status --json"


def test_not_json():
    with pytest.raises(NestosError, match="not JSON.*error: Transaction in progress"):
        Status.from_json("error: Transaction in progress: rebase\n")
