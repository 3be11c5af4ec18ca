# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""zincati: one Zincati drop-in in /etc/zincati/config.d, written without Python on the host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import posixpath

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import fleet as specs
from ansible_collections.nestos.lifecycle.plugins.module_utils.zincati import config, toml
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import HostAction, HostCommandError, check_mode_arg


class ActionModule(HostAction):
    ARGSPEC = specs.ZINCATI

    def _run(self, args, task_vars, remote):
        name = args["name"]
        if "/" in name or not name.endswith(".toml"):
            raise NestosError("name must be a file name ending in .toml (Zincati ignores other files), got %r"
                              % name, path="name")
        folder = args["path"].rstrip("/") or "/"
        path = posixpath.join(folder, name)
        mode = check_mode_arg(args["mode"])
        cfg, warnings = config.build(
            updates_enabled=args["updates_enabled"], allow_downgrade=args["allow_downgrade"],
            strategy=args["strategy"], fleet_lock_base_url=args["fleet_lock_base_url"],
            periodic_time_zone=args["periodic_time_zone"], periodic_windows=args["periodic_windows"],
            group=args["group"], node_uuid=args["node_uuid"], rollout_wariness=args["rollout_wariness"],
            cincinnati_base_url=args["cincinnati_base_url"], steady_interval_secs=args["steady_interval_secs"])
        present = args["state"] == "present"
        content = config.render(cfg) if present else None
        folders = list(config.DIRS) + ([folder] if folder not in config.DIRS else [])
        res = remote.run(config.listing_command(folders))
        if res.rc != 0:
            raise HostCommandError(res, "cannot list the Zincati drop-ins")
        files = config.split_listing(res.stdout)
        st = remote.stat(path)
        before = files.get(path) if st.get("exists") else None
        changed = False
        if present:
            want_sha = hashlib.sha256(content.encode("utf-8")).hexdigest()
            changed = (not st.get("exists") or st.get("sha256") != want_sha or int(st["mode"], 8) != int(mode, 8)
                       or not _same_id(st, "owner", args["owner"]) or not _same_id(st, "group", args["file_group"]))
            for key, other in config.overridden(files, path, cfg):
                warnings.append("%s set here is overridden by %s, which Zincati reads later" % (key, other))
        else:
            changed = bool(st.get("exists"))
        after_files = dict(files)
        if present:
            after_files[path] = content
        else:
            after_files.pop(path, None)
        effective = config.merge([_parse(after_files[p], p, warnings) for p in config.effective_order(after_files)])
        result = {"path": path, "changed": changed, "config": cfg, "effective": effective, "content": content,
                  "dropins": config.effective_order(after_files)}
        if warnings:
            result["warnings"] = warnings
        if self.diff_mode:
            result["diff"] = {"before": before or "", "after": content or "", "before_header": path,
                              "after_header": path}
        if not changed or self.check_mode:
            result["restarted"] = False
            return result
        if present:
            remote.write_file(path, content, mode=mode, owner=args["owner"], group=args["file_group"])
        else:
            rm = remote.run(["rm", "-f", "--", path])
            if rm.rc != 0:
                raise HostCommandError(rm, "cannot remove %s" % path)
        result["restarted"] = False
        if args["restart"]:
            rs = remote.run(["systemctl", "try-restart", "zincati.service"])
            if rs.rc != 0:
                raise HostCommandError(rs, "drop-in written, but zincati.service did not restart")
            result["restarted"] = True
        return result


def _same_id(st, key, want):
    if want is None:
        return True
    return str(want) in (st.get(key), st.get(key[0] + "id"))


def _parse(text, path, warnings):
    try:
        return toml.loads(text or "", path)
    except NestosError as exc:
        warnings.append("cannot read %s: %s" % (path, exc))
        return {}
