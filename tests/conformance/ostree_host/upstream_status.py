"""Real `rpm-ostree status --json` documents from the upstream fixtures, for the action tests."""
import json

STATUS_FIXTURES = {
    "container": "zincati/tests/fixtures/rpm-ostree-status.json",
    "annotation": "zincati/tests/fixtures/rpm-ostree-status-annotation.json",
    "staged": "zincati/tests/fixtures/rpm-ostree-staged.json",
    "workstation": "rpm-ostree/rust/rpmostree-client/tests/fixtures/workstation-status.json",
}


def load_status(upstream, name):
    """The parsed status document ``name`` (a key of STATUS_FIXTURES) below ``upstream``."""
    with open(str(upstream / STATUS_FIXTURES[name])) as handle:
        return json.load(handle)
