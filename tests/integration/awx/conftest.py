"""Fixtures for the AWX-style jobs: the execution environment `make ee` built (pulled back from
the lab registry, as AWX pulls an EE), and a private data dir laid out by a project update."""
import pytest

from tests.support import awx_runner


@pytest.fixture(scope="session")
def ee_image():
    """The EE's registry reference; a clear failure (not a skip) when `make ee` has not run."""
    try:
        return awx_runner.ee_image()
    except awx_runner.EEMissing as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def project_collections(tmp_path_factory):
    """One project update for the session: the collections AWX would install for this project."""
    return awx_runner.project_update(tmp_path_factory.mktemp("project-update") / awx_runner.REQ_COLLECTIONS)


@pytest.fixture
def pdd(tmp_path, project_collections):
    """A job's private data dir: project/ (playbooks, collections/requirements.yml) and the
    project update's collections, as AWX lays them out."""
    return awx_runner.prepare(tmp_path / "job", collections=project_collections)
