"""Field translation, YAML typing, resources/data URLs and Butane-level reports.
Expectations come from the Butane/Ignition specs and upstream's translate tests
(coreos/butane base/v0_4/translate_test.go), written by hand."""
import base64
import gzip
import json

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.errors import ButaneError
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.to_ignition import translate

HEAD = "variant: nestos\nversion: 1.0.0\n"
STICKY = "setuid/setgid/sticky bits are not supported in spec versions older than 3.4.0"
DECIMAL = ("unreasonable mode would be reasonable if specified in octal; remember to add a leading zero")


def file_cfg(extra):
    return HEAD + "storage:\n  files:\n    - path: /etc/f\n" + extra


@pytest.mark.parametrize("mode,expected", [("0644", 420), ("0o644", 420), ("0755", 493), ("0600", 384),
                                           ("420", 420), ("0x1a4", 420), ("0_644", 420)])
def test_modes_parse_like_yaml_v3(tr_json, mode, expected):
    out = tr_json(file_cfg("      mode: %s\n" % mode))
    assert out["storage"]["files"][0]["mode"] == expected


def test_decimal_looking_mode_warns_with_position(tr):
    result = tr(file_cfg("      mode: 644\n"))
    # 644 = 0o1204: Ignition 3.3 also warns about the sticky bit
    assert result.warnings == ["warning at $.storage.files.0.mode, line 6 col 13: " + DECIMAL,
                               "warning at $.storage.files.0.mode, line 6 col 13: " + STICKY]
    assert json.loads(result.json)["storage"]["files"][0]["mode"] == 644


def test_decimal_directory_mode_warns(tr):
    result = tr(HEAD + "storage:\n  directories:\n    - path: /var/d\n      mode: 755\n")
    assert result.warnings == ["warning at $.storage.directories.0.mode, line 6 col 13: " + DECIMAL,
                               "warning at $.storage.directories.0.mode, line 6 col 13: " + STICKY]


def test_strict_turns_warning_into_failure():
    with pytest.raises(ButaneError) as err:
        translate(file_cfg("      mode: 644\n"), strict=True)
    text = str(err.value)
    assert DECIMAL in text and "Config produced warnings and --strict was specified" in text
    assert err.value.path == "$.storage.files.0.mode" and err.value.line == 6


def test_string_field_keeps_raw_text(tr_json):
    out = tr_json(HEAD + "passwd:\n  users:\n    - name: yes\n      gecos: 0644\n      home_dir: ~\n")
    assert out["passwd"]["users"] == [{"gecos": "0644", "name": "yes"}]


@pytest.mark.parametrize("text,value", [("true", True), ("yes", True), ("on", True), ("False", False),
                                        ("no", False), ("OFF", False)])
def test_bool_field_accepts_yaml_1_1_words(tr_json, text, value):
    out = tr_json(HEAD + "systemd:\n  units:\n    - name: a.service\n      mask: %s\n" % text)
    assert out["systemd"]["units"][0]["mask"] is value


@pytest.mark.parametrize("body,path,line,col,msg", [
    ("      mode: '420'\n", "$.storage.files.0.mode", 6, 13, "cannot unmarshal !!str `420` into int"),
    ("      mode: [1]\n", "$.storage.files.0.mode", 6, 13, "cannot unmarshal !!seq into int"),
    ("      overwrite: maybe\n", "$.storage.files.0.overwrite", 6, 18, "cannot unmarshal !!str `maybe` into bool"),
    ("      contents: hello\n", "$.storage.files.0.contents", 6, 17,
     "cannot unmarshal !!str `hello` into v0_4.Resource"),
])
def test_type_errors_are_fatal_with_location(body, path, line, col, msg):
    """As yaml.v3 words them (``line N: ...``, no report line); the error still points at
    the field path, line and column."""
    with pytest.raises(ButaneError) as err:
        translate(file_cfg(body), source="cfg.bu")
    assert "yaml: unmarshal errors:\n  line %d: %s" % (line, msg) in str(err.value)
    assert not list(err.value.report)
    assert err.value.path == path and err.value.line == line and err.value.column == col
    assert err.value.file == "cfg.bu"


def test_unused_keys_are_warnings_at_key_position(tr):
    result = tr(HEAD + "storage:\n  files:\n    - path: /a\n      color: red\nextra: 1\n")
    assert result.warnings == ["warning at $.storage.files.0.color, line 6 col 7: Unused key color",
                               "warning at $.extra, line 7 col 1: Unused key extra"]


def test_duplicate_yaml_key_is_an_error():
    with pytest.raises(ButaneError) as err:
        translate(HEAD + "storage:\n  files:\n    - path: /a\n      path: /b\n")
    assert 'mapping key "path" already defined at line 5' in str(err.value)


def test_yaml_merge_keys_and_anchors(tr_json):
    out = tr_json(HEAD + "x-base: &b {mode: 0600, overwrite: true}\nstorage:\n  files:\n"
                  "    - <<: *b\n      path: /a\n      contents: {inline: a}\n")
    assert out["storage"]["files"][0] == {"overwrite": True, "path": "/a",
                                          "contents": {"compression": "", "source": "data:,a"}, "mode": 384}


# ---- resources -------------------------------------------------------------------------------

def contents_of(out, i=0):
    return out["storage"]["files"][i]["contents"]


def test_inline_short_text_is_percent_encoded(tr_json):
    # upstream translate_test: "xyzzy" -> data:,xyzzy with explicit empty compression
    assert contents_of(tr_json(file_cfg("      contents:\n        inline: xyzzy\n"))) == {
        "compression": "", "source": "data:,xyzzy"}


def test_inline_escapes(tr_json):
    got = contents_of(tr_json(file_cfg("      contents:\n        inline: \"file contents\\n\"\n")))
    assert got == {"compression": "", "source": "data:,file%20contents%0A"}


def test_inline_binaryish_uses_base64(tr_json):
    data = "\u00e9\u00e8\u00ea\u00eb"  # 8 UTF-8 bytes, all escaped: 24 chars vs base64 20
    got = contents_of(tr_json(file_cfg("      contents:\n        inline: \"%s\"\n" % data)))
    assert got == {"compression": "", "source": "data:;base64," + base64.b64encode(data.encode()).decode()}


def test_inline_compressible_uses_gzip(tr_json):
    text = "line of text that repeats\n" * 40
    got = contents_of(tr_json(file_cfg("      contents:\n        inline: |\n" +
                                       "".join("          " + ln + "\n" for ln in text.splitlines()))))
    assert got["compression"] == "gzip"
    assert got["source"].startswith("data:;base64,H4sIAAAAAAAC/")
    assert gzip.decompress(base64.b64decode(got["source"][len("data:;base64,"):])).decode() == text


def test_user_compression_is_kept_and_not_recompressed(tr_json):
    got = contents_of(tr_json(file_cfg("      contents:\n        compression: gzip\n        inline: "
                                       + "a" * 300 + "\n")))
    assert got == {"compression": "gzip", "source": "data:," + "a" * 300}


def test_source_with_verification_and_headers(tr_json):
    got = contents_of(tr_json(file_cfg(
        "      contents:\n        source: https://example.com/f\n        http_headers:\n"
        "          - name: Authorization\n            value: Bearer x\n        verification:\n"
        "          hash: sha512-" + "0" * 128 + "\n")))
    assert got == {"httpHeaders": [{"name": "Authorization", "value": "Bearer x"}],
                   "source": "https://example.com/f", "verification": {"hash": "sha512-" + "0" * 128}}


def test_too_many_sources():
    with pytest.raises(ButaneError) as err:
        translate(file_cfg("      contents:\n        inline: a\n        source: http://x/\n"))
    assert ("error at $.storage.files.0.contents.source, line 8 col 17: only one of the following can be set: "
            "inline, local, source") in str(err.value)
    assert "source config is invalid" in str(err.value)


def test_local_reads_files_dir(tr_json, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "motd").write_bytes(b"welcome\n")
    got = contents_of(tr_json(file_cfg("      contents:\n        local: sub/motd\n"), files_dir=str(tmp_path)))
    assert got == {"compression": "", "source": "data:,welcome%0A"}


def test_local_needs_files_dir():
    with pytest.raises(ButaneError) as err:
        translate(file_cfg("      contents:\n        local: motd\n"))
    assert ("error at $.storage.files.0.contents.local, line 7 col 16: local file paths are relative to a files "
            "directory that must be specified with -d/--files-dir") in str(err.value)


@pytest.mark.parametrize("local", ["../secret", "a/../../secret", "/etc/passwd/../../../x/.."])
def test_local_traversal_refused(tmp_path, local):
    (tmp_path / "d").mkdir()
    (tmp_path / "secret").write_text("s")
    with pytest.raises(ButaneError) as err:
        translate(file_cfg("      contents:\n        local: '%s'\n" % local), files_dir=str(tmp_path / "d"))
    assert "local file path traverses outside the files directory" in str(err.value)


def test_absolute_local_stays_inside(tr_json, tmp_path):
    # Go's filepath.Join(filesDir, "/x") is filesDir/x
    (tmp_path / "x").write_text("y")
    assert contents_of(tr_json(file_cfg("      contents:\n        local: /x\n"), files_dir=str(tmp_path)))["source"] \
        == "data:,y"


def test_append(tr_json):
    out = tr_json(file_cfg("      append:\n        - inline: one\n        - source: https://e.com/x\n"))
    assert out["storage"]["files"][0]["append"] == [{"compression": "", "source": "data:,one"},
                                                    {"source": "https://e.com/x"}]


def test_html_and_control_escaping(tr):
    result = tr(HEAD + "systemd:\n  units:\n    - name: a.service\n      contents: \"<a> & \\b\\f\\u2028\u00e9\"\n")
    assert '"contents":"\\u003ca\\u003e \\u0026 \\u0008\\u000c\\u2028\u00e9"' in result.json


# ---- ignition section ---------------------------------------------------------------------------

def test_ignition_section(tr_json):
    out = tr_json(HEAD + "ignition:\n  config:\n    merge:\n      - source: https://e.com/a.ign\n"
                  "      - inline: '{\"ignition\":{\"version\":\"3.3.0\"}}'\n"
                  "  timeouts:\n    http_total: 30\n    http_response_headers: 5\n"
                  "  proxy:\n    https_proxy: https://p\n    no_proxy: [a, b]\n"
                  "  security:\n    tls:\n      certificate_authorities:\n        - source: https://e.com/ca.pem\n")
    assert out["ignition"] == {
        "config": {"merge": [{"source": "https://e.com/a.ign"},
                             {"compression": "", "source": "data:;base64,eyJpZ25pdGlvbiI6eyJ2ZXJzaW9uIjoiMy4zLjAifX0="}]},
        "proxy": {"httpsProxy": "https://p", "noProxy": ["a", "b"]},
        "security": {"tls": {"certificateAuthorities": [{"source": "https://e.com/ca.pem"}]}},
        "timeouts": {"httpResponseHeaders": 5, "httpTotal": 30},
        "version": "3.3.0"}


def test_ignition_replace_local(tr_json, tmp_path):
    (tmp_path / "r.ign").write_text('{"ignition":{"version":"3.3.0"}}')
    out = tr_json(HEAD + "ignition:\n  config:\n    replace:\n      local: r.ign\n", files_dir=str(tmp_path))
    assert out["ignition"]["config"]["replace"]["source"].startswith("data:")


def test_passwd(tr_json):
    out = tr_json(HEAD + "passwd:\n  users:\n    - name: core\n      password_hash: $y$x\n      groups: [wheel]\n"
                  "      uid: 1001\n      should_exist: true\n      ssh_authorized_keys:\n        - ssh-rsa AAA\n"
                  "  groups:\n    - name: dev\n      system: true\n")
    assert out["passwd"] == {"groups": [{"name": "dev", "system": True}],
                             "users": [{"groups": ["wheel"], "name": "core", "passwordHash": "$y$x",
                                        "shouldExist": True, "sshAuthorizedKeys": ["ssh-rsa AAA"], "uid": 1001}]}


def test_storage_nodes_links_disks_raid_luks(tr_json):
    out = tr_json(HEAD + "storage:\n"
                  "  links:\n    - path: /etc/l\n      target: /etc/t\n      hard: false\n"
                  "      user: {name: core}\n      group: {id: 0}\n"
                  "  disks:\n    - device: /dev/vdb\n      wipe_table: true\n      partitions:\n"
                  "        - label: data\n          number: 1\n          size_mib: 1024\n          start_mib: 0\n"
                  "          type_guid: 0FC63DAF-8483-4772-8E79-3D69D8477DE4\n          resize: false\n"
                  "        - label: rest\n          number: 0\n"
                  "  raid:\n    - name: md0\n      level: raid1\n      devices: [/dev/vdc, /dev/vdd]\n      spares: 0\n"
                  "  luks:\n    - name: data\n      device: /dev/disk/by-partlabel/data\n"
                  "      clevis:\n        tpm2: true\n      options: [--cipher, aes-xts-plain64]\n")
    s = out["storage"]
    assert s["links"] == [{"group": {"id": 0}, "path": "/etc/l", "user": {"name": "core"}, "hard": False,
                           "target": "/etc/t"}]
    assert s["disks"] == [{"device": "/dev/vdb", "partitions": [
        {"label": "data", "number": 1, "resize": False, "sizeMiB": 1024, "startMiB": 0,
         "typeGuid": "0FC63DAF-8483-4772-8E79-3D69D8477DE4"},
        {"label": "rest"}], "wipeTable": True}]
    assert s["raid"] == [{"devices": ["/dev/vdc", "/dev/vdd"], "level": "raid1", "name": "md0", "spares": 0}]
    assert s["luks"] == [{"clevis": {"tpm2": True}, "device": "/dev/disk/by-partlabel/data", "name": "data",
                          "options": ["--cipher", "aes-xts-plain64"]}]


def test_units_and_dropins(tr):
    result = tr(HEAD + "systemd:\n  units:\n    - name: x.service\n      enabled: false\n"
                "      dropins:\n        - name: o.conf\n          contents: |\n            [Service]\n            Nice=5\n")
    assert result.json == ('{"ignition":{"version":"3.3.0"},"systemd":{"units":[{"dropins":[{"contents":'
                           '"[Service]\\nNice=5\\n","name":"o.conf"}],"enabled":false,"name":"x.service"}]}}')


def test_embedded_configs_are_validated_as_ignition():
    with pytest.raises(ButaneError) as err:
        translate(HEAD + "ignition:\n  config:\n    merge:\n"
                  "      - inline: '{\"ignition\":{\"version\":\"3.3.0\"},\"storage\":{\"files\":[{\"path\":\"rel\"}]}}'\n")
    assert "error at $.ignition.config.merge.0.inline, line 6 col 17: path not absolute" in str(err.value)
    assert err.value.reason == "source config is invalid"


def test_embedded_config_with_unknown_version_is_a_warning(tr):
    result = tr(HEAD + "ignition:\n  config:\n    replace:\n      inline: '{\"ignition\":{\"version\":\"3.9.0\"}}'\n")
    assert result.warnings == ["warning at $.ignition.config.replace.version, line 6 col 7: skipping validation for "
                               "the merge/replace ignition config due to an unkown version"]


def test_embedded_local_config_not_json(tmp_path):
    (tmp_path / "c.ign").write_text("not json")
    with pytest.raises(ButaneError) as err:
        translate(HEAD + "ignition:\n  config:\n    merge:\n      - local: c.ign\n", files_dir=str(tmp_path))
    assert "error at $.ignition.config.merge.0.local, line 6 col 16: " in str(err.value)


@pytest.mark.parametrize("mode,directory,suspicious", [
    (0o600, False, False), (600, False, True), (0o1770, True, False), (1770, True, True), (644, False, True),
    (755, True, True), (0o755, True, False), (0, False, False), (7777, False, False), (420, False, False),
    (8888, False, False), (1000, False, False)])
def test_decimal_mode_rule(mode, directory, suspicious):
    # cases from coreos/butane base/v0_4 validate_test.go and base/util/file.go's rule
    from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.to_ignition import decimal_mode_suspicious
    assert decimal_mode_suspicious(mode, directory) is suspicious


@pytest.mark.parametrize("fields,reported", [
    ("        source: data:,hello\n        inline: hello\n", "source"),
    ("        source: data:,hello\n        local: hello\n", "source"),
    ("        inline: hello\n        local: hello\n", "inline"),
    ("        source: data:,hello\n        inline: hello\n        local: hello\n", "source"),
])
def test_too_many_sources_field(tmp_path, fields, reported):
    with pytest.raises(ButaneError) as err:
        translate(file_cfg("      contents:\n        compression: gzip\n" + fields), files_dir=str(tmp_path))
    assert "error at $.storage.files.0.contents.%s, " % reported in str(err.value)
    assert "only one of the following can be set: inline, local, source" in str(err.value)
