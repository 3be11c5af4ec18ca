import json

from ansible_collections.nestos.lifecycle.plugins.module_utils.common import secrets

HASH = "$6$rounds=4096$saltsalt$Qk0zF1x7o1vLw2c3d4e5f6g7h8i9j0"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyMaterialForTests user@laptop"
CONFIG = {"ignition": {"version": "3.3.0"},
          "passwd": {"users": [{"name": "core", "passwordHash": HASH, "sshAuthorizedKeys": [KEY]}],
                     "groups": [{"name": "g", "passwordHash": "grouphash"}]}}


def test_config_secrets_from_dict_text_and_bytes():
    want = sorted([HASH, KEY, "grouphash"], key=lambda s: (-len(s), s))
    assert secrets.config_secrets(CONFIG) == want
    assert secrets.config_secrets(json.dumps(CONFIG)) == want
    assert secrets.config_secrets(json.dumps(CONFIG).encode()) == want
    assert secrets.config_secrets("not json") == []
    assert secrets.config_secrets({"passwd": {"users": "x"}}) == []


def test_mask_config_leaves_the_input_alone():
    masked = secrets.mask_config(CONFIG)
    text = json.dumps(masked)
    assert HASH not in text and KEY not in text and "grouphash" not in text
    assert masked["passwd"]["users"][0]["sshAuthorizedKeys"] == [secrets.MASK]
    assert CONFIG["passwd"]["users"][0]["passwordHash"] == HASH


def test_redact_raw_and_json_escaped_forms_in_nested_results():
    quoted = 'pw"with\\quote'
    result = {"diff": [{"after": json.dumps({"h": quoted, "k": KEY}, indent=2)}], "msg": "saw " + HASH,
              "items": (HASH, 3, None), HASH: "key"}
    out = secrets.redact(result, [HASH, KEY, quoted])
    text = json.dumps(out)
    assert HASH not in text and KEY not in text and 'with\\\\quote' not in text
    assert out["items"][1:] == (3, None)
    assert secrets.redact("abc", ["a"]) == "abc"  # too short to search for in free text
