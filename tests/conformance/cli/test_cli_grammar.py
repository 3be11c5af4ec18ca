"""The command line's grammar as scripts see it: --help everywhere, exit codes 0/1/2, usage
errors, the two program names, stdout refusing a terminal, errors that name the problem."""
import json
import os
import pty
import subprocess

import pytest

from tests.support import cli

GROUPS = [[], ["iso"], ["iso", "ignition"], ["iso", "network"], ["iso", "kargs"], ["iso", "extract"], ["pxe"],
          ["pxe", "ignition"], ["pxe", "network"], ["dev"], ["dev", "show"], ["dev", "extract"]]
COMMANDS = [["iso", "customize"], ["iso", "ignition", "embed"], ["iso", "ignition", "show"],
            ["iso", "ignition", "remove"], ["iso", "network", "embed"], ["iso", "network", "extract"],
            ["iso", "network", "remove"], ["iso", "kargs", "modify"], ["iso", "kargs", "reset"],
            ["iso", "kargs", "show"], ["iso", "extract", "pxe"], ["iso", "extract", "minimal-iso"],
            ["iso", "reset"], ["pxe", "customize"], ["pxe", "ignition", "wrap"], ["pxe", "ignition", "unwrap"],
            ["pxe", "network", "wrap"], ["pxe", "network", "unwrap"], ["dev", "show", "iso"],
            ["dev", "show", "initrd"], ["dev", "extract", "initrd"]]
# flags upstream's cmdline/mod.rs declares for each command (read from upstream, not from our grammar)
UPSTREAM_FLAGS = {
    "iso customize": ["--dest-ignition", "--dest-device", "--dest-console", "--dest-karg-append",
                      "--dest-karg-delete", "--network-keyfile", "--network-nmstate", "--ignition-ca",
                      "--pre-install", "--post-install", "--installer-config", "--live-ignition",
                      "--live-karg-append", "--live-karg-delete", "--live-karg-replace", "--force", "--output"],
    "iso ignition embed": ["--force", "--ignition-file", "--output"],
    "iso kargs modify": ["--append", "--delete", "--replace", "--output"],
    "iso kargs show": ["--default"],
    "iso network embed": ["--keyfile", "--force", "--output"],
    "iso network extract": ["--directory"],
    "iso extract pxe": ["--output-dir"],
    "iso extract minimal-iso": ["--output-rootfs", "--rootfs-url"],
    "pxe customize": ["--dest-ignition", "--network-keyfile", "--live-ignition", "--output"],
    "pxe ignition wrap": ["--ignition-file", "--output"],
    "dev show iso": ["--ignition", "--kargs"],
    "dev extract initrd": ["--directory", "--verbose"],
}


@pytest.mark.parametrize("name", ["nestos-installer", "coreos-installer"])
@pytest.mark.parametrize("words", COMMANDS, ids=" ".join)
def test_help_of_every_command(words, name):
    proc = cli.run(words + ["--help"], name=name)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode()
    assert "Usage: %s %s [OPTIONS]" % (name, " ".join(words)) in text
    assert "-h, --help" in text
    for flag in UPSTREAM_FLAGS.get(" ".join(words), []):
        assert flag in text, flag


@pytest.mark.parametrize("words", GROUPS, ids=lambda w: " ".join(w) or "top")
def test_groups_list_their_commands_and_need_one(words):
    proc = cli.run(words + ["--help"])
    assert proc.returncode == 0 and b"Commands:" in proc.stdout
    bare = cli.run(words)
    assert bare.returncode == 2 and b"Usage:" in bare.stderr and bare.stdout == b""


def test_usage_errors_exit_2_errors_exit_1(tmp_path):
    missing = cli.run(["iso", "kargs", "show"])
    assert missing.returncode == 2 and b"error:" in missing.stderr and b"<ISO>" in missing.stderr
    unknown = cli.run(["iso", "kargs", "show", "--bogus", "x.iso"])
    assert unknown.returncode == 2 and b"--bogus" in unknown.stderr
    sub = cli.run(["iso", "frobnicate"])
    assert sub.returncode == 2 and b"unrecognized subcommand 'frobnicate'" in sub.stderr
    absent = cli.run(["iso", "kargs", "show", tmp_path / "absent.iso"])
    assert absent.returncode == 1
    assert absent.stderr.decode().startswith("Error: ") and "absent.iso" in absent.stderr.decode()
    assert b"Traceback" not in absent.stderr


def test_version():
    proc = cli.run(["--version"], name="coreos-installer")
    assert proc.returncode == 0 and proc.stdout.startswith(b"coreos-installer ")


def test_binary_output_refuses_a_terminal(tmp_path):
    """`-o -` and pxe wraps without -o never write binary data to a terminal (as upstream)."""
    main, sub = pty.openpty()
    try:
        proc = subprocess.run([str(cli.TOOLS / "nestos-installer"), "pxe", "ignition", "wrap"],
                              stdin=subprocess.DEVNULL, stdout=sub, stderr=subprocess.PIPE, env=cli.env(),
                              timeout=60)
    finally:
        os.close(sub)
        os.close(main)
    assert proc.returncode == 1
    assert b"Refusing to write binary data to terminal" in proc.stderr


def test_pxe_ignition_wrap_unwrap_round_trip(tmp_path):
    config = b'{"ignition":{"version":"3.3.0"}}\n'
    wrapped = cli.run(["pxe", "ignition", "wrap"], input=config)
    assert wrapped.returncode == 0 and wrapped.stdout[:6] == b"\xfd7zXZ\x00"
    # the kernel only unpacks xz with CRC32 (or no) checks: flags byte 7 of the stream header
    assert wrapped.stdout[7] & 0x0F in (0, 1)
    (tmp_path / "ign.img").write_bytes(wrapped.stdout)
    back = cli.run(["pxe", "ignition", "unwrap", tmp_path / "ign.img"])
    assert back.returncode == 0 and back.stdout == config
    from_stdin = cli.run(["pxe", "ignition", "unwrap"], input=wrapped.stdout)
    assert from_stdin.stdout == config
    # -o FILE writes the same bytes, mode 0600 (the config may hold secrets)
    assert cli.run(["pxe", "ignition", "wrap", "-i", "/dev/stdin", "-o", tmp_path / "o.img"],
                   input=config).returncode == 0
    assert (tmp_path / "o.img").read_bytes() == wrapped.stdout
    assert (tmp_path / "o.img").stat().st_mode & 0o777 == 0o600
    # an invalid config is refused by the Ignition engine, nothing written
    bad = cli.run(["pxe", "ignition", "wrap", "-o", tmp_path / "bad.img"], input=b'{"ignition":{}}')
    assert bad.returncode == 1 and b"version" in bad.stderr and not (tmp_path / "bad.img").exists()
    # a symlink destination is refused (destination rule)
    os.symlink(tmp_path / "elsewhere", tmp_path / "link.img")
    link = cli.run(["pxe", "ignition", "wrap", "-o", tmp_path / "link.img"], input=config)
    assert link.returncode == 1 and b"symbolic link" in link.stderr
    assert not (tmp_path / "elsewhere").exists()


@pytest.mark.parametrize("name,folder", [("nestos-installer", "etc/nestos-firstboot-network"),
                                         ("coreos-installer", "etc/coreos-firstboot-network")])
def test_pxe_network_wrap_uses_the_flavour_of_the_program_name(tmp_path, name, folder):
    (tmp_path / "eth0.nmconnection").write_bytes(b"[connection]\nid=eth0\n")
    proc = cli.run(["pxe", "network", "wrap", "-k", tmp_path / "eth0.nmconnection", "-o", tmp_path / "net.img"],
                   name=name)
    assert proc.returncode == 0, proc.stderr
    listing = cli.run(["dev", "show", "initrd", tmp_path / "net.img"])
    assert listing.stdout.decode().split() == ["%s/eth0.nmconnection" % folder]
    out = cli.run(["pxe", "network", "unwrap", tmp_path / "net.img"])
    assert out.stdout == b"########## eth0.nmconnection ##########\n[connection]\nid=eth0\n"


def test_dev_extract_initrd_refuses_traversal_and_existing_files(upstream, tmp_path):
    fixtures = upstream / "coreos-installer/fixtures/initrd"
    for name in ("traversal-absolute.img", "traversal-relative.img"):
        proc = cli.run(["dev", "extract", "initrd", "-C", tmp_path / "x", fixtures / name])
        assert proc.returncode == 1 and b"path traversal" in proc.stderr, proc.stderr
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").rglob("*"))
    import lzma
    redundant = tmp_path / "redundant.img"
    redundant.write_bytes(lzma.decompress((fixtures / "redundant.img.xz").read_bytes()))
    proc = cli.run(["dev", "extract", "initrd", "-v", "-C", tmp_path / "y", redundant])
    assert proc.returncode == 0, proc.stderr
    files = sorted(p for p in (tmp_path / "y").rglob("*") if p.is_file())
    assert files and all(p.read_bytes() for p in files)
    assert b"third\n" in [p.read_bytes() for p in files]  # the last archive wins
    again = cli.run(["dev", "extract", "initrd", "-C", tmp_path / "y", redundant])
    assert again.returncode == 1 and b"File exists" in again.stderr


def test_kargs_header_json_matches_dev_show_iso(upstream, tmp_path):
    import lzma
    iso = tmp_path / "t.iso"
    iso.write_bytes(lzma.decompress((upstream / "coreos-installer/fixtures/iso/embed-areas-2021-09.iso.xz").read_bytes()))
    header = cli.run(["iso", "kargs", "show", "--header", iso]).stdout
    shown = cli.run(["dev", "show", "iso", "--kargs", iso]).stdout
    assert header == shown
    # the values upstream's unit tests assert for this fixture
    data = json.loads(shown)
    assert data["length"] == 1139 and sorted(k["offset"] for k in data["kargs"]) == [98126, 371658]
    ign = json.loads(cli.run(["dev", "show", "iso", "--ignition", iso]).stdout)
    assert ign == {"offset": 102400, "length": 262144}
