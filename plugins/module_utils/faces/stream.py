# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument specs and glue of the stream faces: ``image_download`` and ``stream_info``
(modules; Python runs where they run: the controller or a build host)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nestos.lifecycle.plugins.module_utils.stream import download, verify

_STREAM = dict(
    stream=dict(type="str"),
    stream_base_url=dict(type="str"),
    stream_url=dict(type="str"),
    architecture=dict(type="str", default="x86_64"),
    validate_certs=dict(type="bool", default=True),
    timeout=dict(type="int", default=60),
)

IMAGE_DOWNLOAD = dict(
    argument_spec=dict(
        platform=dict(type="str", default="metal"),
        format=dict(type="str", default="raw.xz"),
        url=dict(type="str"),
        sha256=dict(type="str"),
        signature_url=dict(type="str"),
        gpg_keyring=dict(type="path"),
        insecure=dict(type="bool", default=False),
        decompress=dict(type="bool", default=False),
        save_signature=dict(type="bool", default=False),
        max_decompressed_size=dict(type="int", default=verify.MAX_DECOMPRESSED_BYTES),
        dest=dict(type="path", required=True),
        force=dict(type="bool", default=False),
        fetch_retries=dict(type="int", default=3),
        progress_file=dict(type="path"),
        **_STREAM
    ),
    mutually_exclusive=[["url", "stream"], ["url", "stream_url"], ["stream", "stream_url"]],
    required_one_of=[["url", "stream", "stream_url"]],
    supports_check_mode=True,
)

STREAM_INFO = dict(
    argument_spec=dict(
        platform=dict(type="str"),
        format=dict(type="str"),
        **_STREAM
    ),
    mutually_exclusive=[["stream", "stream_url"]],
    required_together=[["platform", "format"]],
    supports_check_mode=True,
)


class ProgressFile(object):
    """Progress lines (``<url> <done> <total or ?> <percent>``) appended to a file, one per 10%."""

    def __init__(self, path):
        self.path = path
        self.last = {}

    def __call__(self, url, done, total):
        step = (done * 10 // total) if total else done // (64 * 1024 * 1024)
        if self.last.get(url) == step:
            return
        self.last[url] = step
        pct = "%d%%" % (done * 100 // total) if total else "?"
        with open(self.path, "a") as handle:
            handle.write("%s %d %s %s\n" % (url, done, total if total is not None else "?", pct))


def options(params):
    """Engine Options from the module's parameters."""
    return download.Options(
        insecure=params["insecure"], gpg_keyring=params["gpg_keyring"], decompress=params["decompress"],
        force=params["force"], timeout=params["timeout"], validate_certs=params["validate_certs"],
        retries=max(params["fetch_retries"], 0), decompress_limit=params["max_decompressed_size"],
        progress=ProgressFile(params["progress_file"]) if params["progress_file"] else None,
        save_signature=params["save_signature"])


def sources(params):
    """(metadata URL or None, release or None, Sources) for the module's parameters."""
    if params["url"]:
        return None, None, [download.direct_source(params["url"], params["sha256"], params["signature_url"])]
    url, stream = download.fetch_stream(params["stream"], params["stream_base_url"], params["stream_url"],
                                        params["timeout"], params["validate_certs"])
    release, found = download.select_sources(stream, params["architecture"], params["platform"], params["format"])
    return url, release, found


def download_result(metadata_url, release, steps, results, check_mode, diff):
    """The module's result: every artifact, and the single one's fields at top level."""
    if check_mode:
        results = [dict(step.to_dict(), changed=step.action != "keep" or step.signature_file == "absent",
                        sha256=step.before, resumed=step.offset) for step in steps]
    out = dict(changed=any(r["changed"] for r in results), artifacts=results)
    if metadata_url:
        out.update(stream_url=metadata_url, release=release)
    if len(results) == 1:
        one = results[0]
        out.update(path=one["path"], url=one["url"], sha256=one.get("sha256"), size=one.get("size"),
                   resumed=one.get("resumed", 0))
    if diff:
        out["diff"] = dict(
            before="".join("%s: %s\n" % (s.path, s.before or "absent") for s in steps),
            after="".join("%s: %s\n" % (r["path"], r.get("sha256") if not check_mode or r["action"] == "keep"
                                        else "(%s %s)" % (r["action"], r["url"])) for r in results))
    return out


def info_result(metadata_url, stream, params):
    """``stream_info``'s result: rows, and one selection's artifacts when platform/format are given."""
    out = dict(changed=False, stream_url=metadata_url, stream=stream.name, last_modified=stream.last_modified,
               rows=[dict(architecture=a, platform=p, format=f) for a, p, f in stream.rows()],
               architectures=sorted(stream.artifacts))
    if params["platform"]:
        release, kinds = stream.select(params["architecture"], params["platform"], params["format"])
        out.update(release=release, artifacts=dict((k, a.to_dict()) for k, a in kinds.items()))
    return out
