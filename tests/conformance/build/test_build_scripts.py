"""Shell the build engine generates, run with the real shell."""
import subprocess

from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler import config


def test_os_release_script_runs(tmp_path):
    """The generated script really rewrites os-release (run with sh against a fake root)."""
    script = config.os_release_script({"NAME": 'My "NestOS"', "VERSION_ID": "1.0"})
    root = tmp_path / "root"
    (root / "usr" / "lib").mkdir(parents=True)
    (root / "etc").mkdir()
    (root / "usr" / "lib" / "os-release").write_text('NAME="openEuler"\nOSTREE_VERSION=\'24.03\'\n')
    body = script.replace("/usr/lib/os-release", str(root / "usr/lib/os-release")).replace(
        "/etc/os-release", str(root / "etc/os-release"))
    subprocess.run(["bash", "-c", body], check=True, capture_output=True)
    out = (root / "etc" / "os-release").read_text()
    assert out == 'NAME="My \\"NestOS\\""\nVERSION_ID="1.0"\nOSTREE_VERSION=\'24.03\'\n'
