# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""make demo-butane: translate the NestOS user guide's Butane examples, validate each result with
the collection's Ignition engine and with the real /usr/bin/ignition-validate, print a summary."""

import glob
import json
import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
sys.path.insert(0, os.path.join(TOP, ".build", "collections"))

from ansible_collections.nestos.lifecycle.plugins.module_utils.butane import ign  # noqa: E402
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.errors import ButaneError  # noqa: E402
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.to_ignition import translate  # noqa: E402
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import atomic_write  # noqa: E402


def describe(config):
    parts = []
    passwd = config.get("passwd") or {}
    storage = config.get("storage") or {}
    units = (config.get("systemd") or {}).get("units") or []
    for label, items in (("users", passwd.get("users")), ("files", storage.get("files")),
                         ("dirs", storage.get("directories")), ("links", storage.get("links")), ("units", units)):
        if items:
            parts.append("%d %s" % (len(items), label))
    return ", ".join(parts) or "-"


def main():
    examples = sorted(glob.glob(os.path.join(TOP, "playbooks", "files", "guide", "*.bu")))
    outdir = os.path.join(os.environ.get("NESTOS_DEMO_OUT", os.path.join(TOP, ".cache", "demo", "butane")))
    os.makedirs(outdir, exist_ok=True)
    print("Butane -> Ignition: the NestOS user guide's examples (variant nestos 1.0.0 -> Ignition 3.3.0)")
    print("%-34s %-7s %7s  %-4s %-4s  %s" % ("example", "spec", "bytes", "ours", "real", "contents"))
    failures = 0
    for path in examples:
        name = os.path.basename(path)
        with open(path, "rb") as handle:
            text = handle.read()
        try:
            result = translate(text, pretty=True, source=name)
        except ButaneError as exc:
            print("%-34s FAILED: %s" % (name, exc))
            failures += 1
            continue
        data = result.output().encode("utf-8")
        dest = os.path.join(outdir, name[:-3] + ".ign")
        atomic_write(dest, data, mode=0o600)
        config, entries = ign.check_ignition(data, source=dest)
        ours = config is not None and not any(e.kind == "error" for e in entries)
        proc = subprocess.run(["/usr/bin/ignition-validate", dest], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              check=False)
        real = proc.returncode == 0
        failures += (not ours) + (not real)
        print("%-34s %-7s %7d  %-4s %-4s  %s" % (name, result.spec, len(data), "ok" if ours else "FAIL",
                                                 "ok" if real else "FAIL", describe(result.config)))
        for line in result.warnings:
            print("    %s" % line)
        if not real:
            print("    ignition-validate: %s" % proc.stdout.decode("utf-8", "replace").strip())
    print("Ignition files written to %s (mode 0600)" % outdir)
    sample = os.path.join(outdir, "7.4.2-network-interface.ign")
    if os.path.exists(sample):
        with open(sample) as handle:
            storage = json.load(handle)["storage"]["files"][0]
        print("e.g. %s -> mode %s (0%o), contents %s..."
              % (storage["path"], storage["mode"], storage["mode"], storage["contents"]["source"][:48]))
    if failures:
        print("demo-butane: %d failure(s)" % failures)
        return 1
    print("demo-butane: %d examples translated, all accepted by both validators" % len(examples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
