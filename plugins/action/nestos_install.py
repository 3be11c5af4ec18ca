# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""nestos_install: run the live host's own ``nestos-installer install``, idempotent from the
target disk's state. Decisions live in module_utils/metal (planner, probes, command line);
this action only runs what they say over the connection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import shlex

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.secrets import redact
from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import install as face
from ansible_collections.nestos.lifecycle.plugins.module_utils.metal import installer, plan
from ansible_collections.nestos.lifecycle.plugins.module_utils.metal.api import check_ignition_hash
from ansible_collections.nestos.lifecycle.plugins.plugin_utils.remote import HostAction, HostCommandError

TMP_PREFIX = "/tmp/.nestos-install-"


class InstallerError(HostCommandError):
    """nestos-installer exited non-zero: its own messages (stderr, or stdout on a pty) say why."""

    def __init__(self, result):
        super(InstallerError, self).__init__(result)
        lines = installer.installer_steps(result.stdout + "\n" + result.stderr)
        errors = [line for line in lines if line.startswith("Error:")] or lines[-3:]
        self.message = "nestos-installer failed (rc %d): %s" % (result.rc, " / ".join(errors))
        self.args = (self.message,)
        self.kind = "installer"


class ActionModule(HostAction):
    ARGSPEC = face.NESTOS_INSTALL

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        secrets = face.secrets_of(self._task.args)
        return redact(result, secrets) if secrets else result

    # ---- reading the target -------------------------------------------------------------------
    def _state(self, remote, args, image_file=None):
        dest = args["dest_device"]
        res = remote.run(installer.head_probe(dest, image_file))
        if res.rc != 0:
            raise HostCommandError(res, "cannot read %s" % dest)
        table, size, image_table = installer.parse_head(res.stdout, dest)
        boot = table.by_label(plan.BOOT_LABEL) if table else None
        if boot is None:
            return plan.DiskState(table=table, size=size), image_table
        res = remote.run(installer.boot_probe(dest, boot.start))
        if res.rc != 0:
            raise HostCommandError(res, "cannot read the boot partition of %s" % dest)
        return installer.parse_boot(res.stdout, table, size), image_table

    def _config(self, args):
        """(bytes to upload or None, sha256 known on the controller or None)."""
        if args.get("ignition") is not None:
            value = args["ignition"]
            data = (json.dumps(value, sort_keys=True, separators=(",", ":")) if isinstance(value, dict)
                    else str(value)).encode("utf-8")
            return data, hashlib.sha256(data).hexdigest()
        if args.get("ignition_src"):
            try:
                path = self._find_needle("files", args["ignition_src"])
                with open(path, "rb") as handle:
                    data = handle.read()
            except (AnsibleError, IOError, OSError) as err:
                raise NestosError("cannot read the Ignition config: %s" % err, file=args["ignition_src"],
                                  path="ignition_src")
            return data, hashlib.sha256(data).hexdigest()
        return None, None

    # ---- the task ---------------------------------------------------------------------------------
    def _run(self, args, task_vars, remote):
        installer.check_fetch_retries(args["fetch_retries"])
        data, config_sha = self._config(args)
        file_sha = None
        if args.get("ignition_file"):
            st = remote.stat(args["ignition_file"])
            if not st.get("exists"):
                raise NestosError("Ignition config not found on the host", file=args["ignition_file"],
                                  path="ignition_file")
            file_sha = st.get("sha256")
        if data is not None and args.get("ignition_hash"):
            check_ignition_hash(data, args["ignition_hash"])
        state, image_table = self._state(remote, args, args.get("image_file"))
        wanted_sha = config_sha or installer.desired_config_sha256(None, args.get("ignition_hash"), file_sha)
        if wanted_sha is None and args.get("ignition_url"):
            # unknown without fetching it (give ignition_hash sha256-...): never a reason to wipe a disk
            wanted_sha = state.config_sha256
        desired = plan.Desired(config_sha256=wanted_sha, firstboot_args=args.get("firstboot_args"),
                               append=args["append_kargs"], delete=args["delete_kargs"],
                               platform=args.get("platform"), console=args["console"],
                               save_labels=args["save_partlabel"], save_indexes=args["save_partindex"],
                               image_table=image_table, force=args["force"])
        decision = plan.plan(desired, state)
        result = {"changed": decision.install, "reasons": decision.reasons, "state_before": state.kind,
                  "saved_partitions": [p.as_dict() for p in decision.saved]}
        if self.diff_mode:
            result["diff"] = {"before": state.summary(), "after": decision.after_summary(desired),
                              "before_header": "%s (disk)" % args["dest_device"],
                              "after_header": "%s (disk, planned)" % args["dest_device"]}
        if not decision.install or self.check_mode:
            result["state_after"] = "installed" if decision.install else state.kind
            return result
        result.update(self._install(remote, args, data))
        after, _img = self._state(remote, args)
        result.update(state_after=after.kind, kargs=after.entry.options if after.entry else None,
                      ignition_sha256=after.config_sha256,
                      partitions=after.table.as_list() if after.table else [])
        if self.diff_mode:
            result["diff"]["after"] = after.summary()
            result["diff"]["after_header"] = "%s (disk)" % args["dest_device"]
        return result

    def _install(self, remote, args, data):
        cleanup = []
        opts = dict(args)
        try:
            token = hashlib.sha256(to_bytes(args["dest_device"]) + to_bytes(str(id(self)))).hexdigest()[:12]
            ignition_path = args.get("ignition_file")
            if data is not None:
                ignition_path = TMP_PREFIX + token + ".ign"
                remote.write_file(ignition_path, data, mode="0600")
                cleanup.append(ignition_path)
            if args.get("image_sha256"):
                opts["image_file"] = self._verified_image(remote, args, token, cleanup)
                opts["image_url"] = None
            argv = installer.installer_argv(opts, ignition_path)
            res = remote.run(argv)
            if res.rc != 0:
                raise InstallerError(res)
            return {"cmd": argv, "steps": installer.installer_steps(res.stdout + "\n" + res.stderr)}
        finally:
            if cleanup:
                remote.run("rm -f -- " + " ".join(shlex.quote(p) for p in cleanup))

    def _verified_image(self, remote, args, token, cleanup):
        """With image_sha256: the image is checked on the host before the installer sees it
        (a URL is downloaded first, with its .sig if there is one)."""
        want = args["image_sha256"].lower().split(":", 1)[-1]
        path = args.get("image_file")
        if args.get("image_url"):
            path = TMP_PREFIX + token + ".image"
            cleanup += [path, path + ".sig"]
            url = shlex.quote(args["image_url"])
            res = remote.run("wget -q -O %s %s && { wget -q -O %s %s.sig || rm -f %s; }" % (
                shlex.quote(path), url, shlex.quote(path + ".sig"), url, shlex.quote(path + ".sig")))
            if res.rc != 0:
                raise HostCommandError(res, "cannot download %s" % args["image_url"])
        elif not path:
            raise NestosError("image_sha256 needs image_file or image_url", path="image_sha256")
        st = remote.stat(path)
        if not st.get("exists") or st.get("sha256") != want:
            raise NestosError("sha256 mismatch: %s is %s, expected %s; nothing was written" % (
                args.get("image_url") or path, st.get("sha256") or "absent", want), path="image_sha256")
        return path
