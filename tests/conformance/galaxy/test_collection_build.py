"""The real `ansible-galaxy collection build` on a copy of this checkout with caches planted in
it: nothing of them is packed (galaxy.yml build_ignore), and what users need is."""
import pathlib
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

TOP = pathlib.Path(__file__).resolve().parents[3]
ANSIBLE_GALAXY = pathlib.Path(sys.executable).with_name("ansible-galaxy")
# what a developer's checkout holds besides the sources: none of it belongs in the tarball
PLANTED = [".hypothesis/examples/ab/cd", ".pytest_cache/v/cache/lastfailed", ".cache/lab/media.iso",
           ".venv/bin/python3", ".build/collections/x", "tests/output/junit.xml",
           "plugins/module_utils/__pycache__/x.cpython-311.pyc", "tests/unit/awx/.hypothesis/db",
           "tests/unit/.pytest_cache/x", "roles/os_update/x.retry", "nestos-lifecycle-0.0.9.tar.gz",
           ".mypy_cache/x", "tests/lab/doubles/x", "benchmarks/x.py", "mk/x.mk"]
FORBIDDEN = (".hypothesis", ".pytest_cache", ".cache", ".venv", ".build", "tests/output", "__pycache__",
             ".mypy_cache", "tests/lab", "benchmarks", "mk")


def _checkout_copy(dest):
    names = subprocess.run(["git", "-C", str(TOP), "ls-files", "-z", "-co", "--exclude-standard"],
                           capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, names):
        src = TOP / name
        if src.is_file() and not src.is_symlink():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    for name in PLANTED:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_text("planted\n")
    return dest


def _build(src, out):
    out.mkdir()
    proc = subprocess.run([str(ANSIBLE_GALAXY), "collection", "build", "--force", "--output-path", str(out), str(src)],
                          capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    tarball = next(out.glob("nestos-lifecycle-*.tar.gz"))
    with tarfile.open(tarball) as archive:
        return archive.getnames()


def _packed_forbidden(names):
    return sorted(n for n in names if any(n == f or n.startswith(f + "/") or ("/" + f + "/") in "/" + n + "/"
                                          for f in FORBIDDEN) or n.endswith((".pyc", ".retry", ".tar.gz")))


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    return _checkout_copy(tmp_path_factory.mktemp("checkout") / "lifecycle")


def test_caches_are_not_packed(copy, tmp_path):
    names = _build(copy, tmp_path / "dist")
    assert _packed_forbidden(names) == []
    for role in (p.name for p in (TOP / "roles").iterdir() if p.is_dir()):
        assert "roles/%s/README.md" % role in names
    for needed in ("MANIFEST.json", "FILES.json", "README.md", "playbooks/rebase.yml", "meta/runtime.yml",
                   "roles/awx_config/files/surveys/rebase.yml", "roles/awx_config/meta/requirements.yml"):
        assert needed in names


def test_without_build_ignore_the_caches_would_be_packed(copy, tmp_path):
    """The check above can fail: the same copy with an empty build_ignore packs the planted caches."""
    meta = yaml.safe_load((copy / "galaxy.yml").read_text())
    meta["build_ignore"] = []
    bare = tmp_path / "bare"
    shutil.copytree(copy, bare)
    (bare / "galaxy.yml").write_text(yaml.safe_dump(meta))
    packed = _packed_forbidden(_build(bare, tmp_path / "dist"))
    assert ".hypothesis/examples/ab/cd" in packed and "tests/unit/awx/.hypothesis/db" in packed
    assert ".cache/lab/media.iso" in packed and ".build/collections/x" in packed and ".pytest_cache/v/cache/lastfailed" in packed
