"""The image scripts (tests/support/cli/images) over every upstream fixture ISO, as coreos-installer.

Capabilities per fixture come from upstream's fixtures/iso/INDEX (a human description of each
image), not from our code: where a fixture lacks a feature the scripts assert the refusal.
"""
import pytest

from tests.support import cli

NO_KARGS = "No karg embed areas found"
NO_MINISO = "does not support extracting a minimal ISO"
# fixture: (kargs areas, live-initrd-network, installer-config-directives, minimal ISO refusal or None)
FIXTURES = {
    "embed-areas-2020-09.iso.xz": (False, False, False, NO_KARGS),
    "embed-areas-2021-01.iso.xz": (True, False, False, NO_MINISO),
    "embed-areas-2021-09.iso.xz": (True, False, False, NO_MINISO),
    "embed-areas-2021-12.iso.xz": (True, True, False, None),
    "embed-areas-2022-02.iso.xz": (True, True, False, None),
    "embed-areas-2022-09.iso.xz": (True, True, True, None),
    "embed-areas-2023-03.x86_64.iso.xz": (True, True, True, None),
    "embed-areas-2023-03.s390x.iso.xz": (False, True, True, NO_KARGS),
    "embed-areas-2023-07.x86_64.iso.xz": (True, True, True, None),
    "embed-areas-2023-07.s390x.iso.xz": (True, True, True, None),
}


def test_every_upstream_fixture_iso_is_covered(upstream):
    found = sorted(p.name for p in (upstream / "coreos-installer/fixtures/iso").glob("embed-areas-*.iso.xz"))
    assert found == sorted(FIXTURES)


@pytest.mark.parametrize("script", cli.SCRIPTS)
@pytest.mark.parametrize("fixture", sorted(FIXTURES))
def test_image_script(upstream, script, fixture):
    kargs, network, console, miniso = FIXTURES[fixture]
    iso = upstream / "coreos-installer/fixtures/iso" / fixture
    code, output = cli.run_script(script, iso, NI="coreos-installer", FLAVOUR="coreos",
                                  FIXTURES=upstream / "coreos-installer/fixtures", KARGS=int(kargs),
                                  NETWORK=int(network), CONSOLE=int(console), MINISO_ERROR=miniso or "")
    assert code == 0 and output.rstrip().endswith("Success."), output[-3000:]


def test_dev_show_iso_on_a_plain_iso9660_image(upstream):
    """synthetic.iso is no live ISO: dev show iso still lists it, live commands refuse it."""
    iso = upstream / "coreos-installer/fixtures/iso/synthetic.iso.xz"
    code, output = cli.run_script("dev-show-iso.sh", iso, NI="coreos-installer", LIVE=0)
    assert code == 0 and output.rstrip().endswith("Success."), output[-3000:]


@pytest.fixture
def synthetic(upstream, tmp_path):
    import lzma
    path = tmp_path / "synthetic.iso"
    path.write_bytes(lzma.decompress((upstream / "coreos-installer/fixtures/iso/synthetic.iso.xz").read_bytes()))
    return path


@pytest.mark.parametrize("args", [["iso", "ignition", "embed"], ["iso", "ignition", "show"],
                                  ["iso", "extract", "pxe", "-o", "out"]])
def test_not_a_live_iso_is_refused_as_upstream_words_it(synthetic, tmp_path, args):
    proc = cli.run(args + [synthetic], name="coreos-installer", input=b'{"ignition": {"version": "3.0.0"}}',
                   cwd=tmp_path)
    assert proc.returncode == 1
    assert b"Unrecognized CoreOS ISO image" in proc.stderr, proc.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
