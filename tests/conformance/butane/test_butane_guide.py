"""The NestOS user guide's Butane examples (playbooks/files/guide/*.bu): expected output
written by hand from the Butane/Ignition specs, checked byte for byte where no gzip is involved."""
import base64
import gzip
import json
import pathlib

import pytest

GUIDE = pathlib.Path(__file__).resolve().parents[3] / "playbooks" / "files" / "guide"
ZEROS = "0" * 128


def test_all_guide_examples_translate_cleanly(tr):
    names = sorted(p.name for p in GUIDE.glob("*.bu"))
    assert len(names) == 5
    for name in names:
        result = tr((GUIDE / name).read_text(), source=name)
        assert result.spec == "3.3.0"
        assert result.warnings == []


def test_files_directories_links_bytes(tr):
    result = tr((GUIDE / "7.4.3-files-directories-links.bu").read_text())
    assert result.json == (
        '{"ignition":{"version":"3.3.0"},"storage":{'
        '"directories":[{"overwrite":true,"path":"/opt/tools"}],'
        '"files":[{"group":{"name":"dnsmasq"},"overwrite":true,"path":"/var/helloworld","user":{"name":"dnsmasq"},'
        '"contents":{"compression":"","source":"data:,Hello%2C%20world!"},"mode":420},'
        '{"overwrite":true,"path":"/opt/tools/transmogrifier","contents":{"compression":"gzip",'
        '"source":"https://mytools.example.com/path/to/archive.gz","verification":{"hash":"sha512-' + ZEROS + '"}},'
        '"mode":365}],'
        '"links":[{"overwrite":true,"path":"/usr/local/bin/transmogrifier","hard":false,'
        '"target":"/opt/tools/transmogrifier"}]}}')


def test_root_password_bytes(tr):
    assert tr((GUIDE / "7.5.1-iso-root-password.bu").read_text()).json == (
        '{"ignition":{"version":"3.3.0"},"passwd":{"users":[{"name":"root",'
        '"passwordHash":"$1$root$CPjzNGH.NqmQ7rh26EeXv1"}]}}')


def test_users_pretty(tr):
    out = tr((GUIDE / "7.4.1-users-groups-ssh.bu").read_text(), pretty=True).output()
    assert out.startswith('{\n  "ignition": {\n    "version": "3.3.0"\n  },\n  "passwd": {\n    "users": [\n'
                          '      {\n        "name": "nest",\n        "sshAuthorizedKeys": [\n'
                          '          "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDHn2eh..."\n        ]\n      },\n')
    users = json.loads(out)["passwd"]["users"]
    assert users[2] == {"groups": ["docker", "wheel"], "name": "miabbott",
                        "passwordHash": "$y$j9T$aUmgEDoFIDPhGxEe2FUjc/$C5A...",
                        "sshAuthorizedKeys": ["ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAACAQDTey7R..."]}


def test_network_interface_gzip_contents(tr_json):
    f = tr_json((GUIDE / "7.4.2-network-interface.bu").read_text())["storage"]["files"][0]
    assert f["path"] == "/etc/NetworkManager/system-connections/ens2.nmconnection"
    assert f["mode"] == 0o600
    assert f["contents"]["compression"] == "gzip"
    raw = gzip.decompress(base64.b64decode(f["contents"]["source"].split(",", 1)[1]))
    assert raw.decode().startswith("[connection]\nid=ens2\ntype=ethernet\n") and raw.endswith(b"method=manual\n")


@pytest.mark.parametrize("needle", ['"enabled":true', '"name":"hello.service"', "WantedBy=multi-user.target\\n",
                                    "sh -c \\\"\\\"trap 'exit 0' INT TERM;"])
def test_systemd_container(tr, needle):
    assert needle in tr((GUIDE / "7.4.4-systemd-container.bu").read_text()).json
