# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one masking helper: every diff and result that can hold Ignition content goes through it.

An Ignition config carries two kinds of secrets the collection promises never to show:
password hashes (``passwd.users[].passwordHash``, ``passwd.groups[].passwordHash``) and SSH
public keys (``passwd.users[].sshAuthorizedKeys``; a key names its owner's machines).

- :func:`mask_config` returns a copy of a parsed config with those fields replaced by ``MASK``.
- :func:`config_secrets` lists the secret strings a config holds (parsed or as JSON text).
- :func:`redact` replaces every occurrence of those strings in any text or nested structure
  (a diff, a result, an error message), in their raw and JSON-escaped forms.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

MASK = "********"

# Secrets shorter than this are not searched for in free text (a one-letter "hash" would
# mask every occurrence of that letter); they are still masked field by field.
MIN_REDACT_LEN = 4


def _walk_passwd(config):
    passwd = config.get("passwd") if isinstance(config, dict) else None
    if not isinstance(passwd, dict):
        return
    for kind in ("users", "groups"):
        entries = passwd.get(kind)
        if isinstance(entries, list):
            for entry in entries:
                if isinstance(entry, dict):
                    yield kind, entry


def _as_config(config):
    if isinstance(config, (bytes, bytearray)):
        config = bytes(config).decode("utf-8", "replace")
    if isinstance(config, str):
        try:
            config = json.loads(config)
        except ValueError:
            return None
    return config if isinstance(config, dict) else None


def config_secrets(config):
    """The secret strings in ``config`` (a dict, JSON text or bytes); longest first."""
    config = _as_config(config)
    found = set()
    if config is None:
        return []
    for kind, entry in _walk_passwd(config):
        value = entry.get("passwordHash")
        if isinstance(value, str) and value:
            found.add(value)
        if kind == "users":
            keys = entry.get("sshAuthorizedKeys")
            if isinstance(keys, list):
                found.update(k for k in keys if isinstance(k, str) and k)
    return sorted(found, key=lambda s: (-len(s), s))


def mask_config(config):
    """A deep copy of a parsed config with password hashes and SSH keys replaced by MASK."""
    out = json.loads(json.dumps(config))
    for kind, entry in _walk_passwd(out):
        if entry.get("passwordHash"):
            entry["passwordHash"] = MASK
        if kind == "users" and isinstance(entry.get("sshAuthorizedKeys"), list):
            entry["sshAuthorizedKeys"] = [MASK for _key in entry["sshAuthorizedKeys"]]
    return out


def _forms(secret):
    escaped = json.dumps(secret)[1:-1]
    return [secret] if escaped == secret else [secret, escaped]


def redact(value, secrets):
    """``value`` with every secret string replaced by MASK: str, bytes, dict, list, tuple.

    Other types pass through unchanged. Nesting is walked iteratively-safe up to the depth
    Python's recursion allows; results and diffs are shallow, so this is never reached.
    """
    needles = [form for s in secrets if isinstance(s, str) and len(s) >= MIN_REDACT_LEN for form in _forms(s)]
    if not needles:
        return value
    return _redact(value, needles)


def _redact(value, needles):
    if isinstance(value, str):
        for needle in needles:
            if needle in value:
                value = value.replace(needle, MASK)
        return value
    if isinstance(value, bytes):
        return _redact(value.decode("utf-8", "replace"), needles).encode("utf-8")
    if isinstance(value, dict):
        return dict((_redact(k, needles), _redact(v, needles)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(_redact(v, needles) for v in value)
    return value


__all__ = ["MASK", "config_secrets", "mask_config", "redact"]
