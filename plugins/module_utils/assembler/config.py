# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Idempotent edits of a nestos-config checkout (guide section 5.5), with diffs.

YAML files are edited with ruamel.yaml's round-trip mode, so comments, key order,
quoting and block scalars (the postprocess scripts) survive; a file is rewritten only
when one of its values really changes, so unrelated files stay byte-identical.
``.repo`` files are edited line by line so their comments survive too.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import io
import os
import re
import stat
import unicodedata
import warnings

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import atomic_write, check_destination

try:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString
    from ruamel.yaml.util import load_yaml_guess_indent
    HAS_RUAMEL = True
    RUAMEL_IMPORT_ERROR = None
except ImportError as _err:  # pragma: no cover - exercised by ansible-test's import test
    HAS_RUAMEL = False
    RUAMEL_IMPORT_ERROR = _err

OS_RELEASE_MARKER = "# nestos.lifecycle: os-release"
MANIFEST = "manifest.yaml"
IMAGE = "image.yaml"
POSTPROCESS_MARKER = "# nestos.lifecycle: postprocess "
# nestos-config files are a few KiB; anything larger is refused before it is parsed.
MAX_YAML_BYTES = 4 << 20
# names that go into build ids, artifact names and marker lines (whole string: `\Z`, not `$`, which lets
# a trailing newline through)
_NAME = r"^[A-Za-z0-9._-]+\Z"
LIST_KEYS = ("packages", "exclude-packages", "remove-files", "lockfile-repos")


def _guess_mapping_indent(text):
    """Indent of nested mappings in ``text`` (ruamel only guesses the sequence indent)."""
    lines = [l for l in text.splitlines() if l.strip() and not l.lstrip().startswith("#")]
    for index, line in enumerate(lines[:-1]):
        if line.rstrip().endswith(":") and not line.lstrip().startswith("-"):
            nxt = lines[index + 1]
            deeper = len(nxt) - len(nxt.lstrip())
            here = len(line) - len(line.lstrip())
            if deeper > here and not nxt.lstrip().startswith("-"):
                return deeper - here
    return 2


def _split_trailing(seq, index):
    """Detach the blank lines/comments that follow item ``index`` (keeping its inline comment)."""
    slot = seq.ca.items.get(index)
    if not slot or slot[0] is None:
        return None
    token = slot[0]
    value = token.value
    cut = value.find("\n")
    if cut < 0 or cut == len(value) - 1:
        return None
    head, rest = value[: cut + 1], value[cut + 1:]
    if head.strip():
        token.value = head
    else:
        slot[0] = None
        if not any(slot):
            del seq.ca.items[index]
    moved = copy.copy(token)
    moved.value = "\n" + rest
    return moved


def _attach_trailing(seq, index, token):
    if token is None:
        return
    slot = seq.ca.items.setdefault(index, [None, None, None, None])
    if slot[0] is None:
        slot[0] = token
    else:
        slot[0].value = slot[0].value.rstrip("\n") + token.value


def seq_append(seq, item):
    """Append keeping the blank lines/comments after the list at its end."""
    trailing = _split_trailing(seq, len(seq) - 1) if len(seq) else None
    seq.append(item)
    _attach_trailing(seq, len(seq) - 1, trailing)


def seq_delete(seq, index):
    """Delete keeping the blank lines/comments after the list at its end."""
    trailing = _split_trailing(seq, len(seq) - 1) if index == len(seq) - 1 else None
    del seq[index]
    if len(seq):
        _attach_trailing(seq, len(seq) - 1, trailing)


def _line_of(node, key):
    try:
        return node.lc.key(key)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return None


class YamlDoc(object):
    """One YAML file loaded for round-trip editing."""

    def __init__(self, path, rel):
        self.path = path
        self.rel = rel
        self.modified = False
        with open(path, "rb") as handle:
            raw = handle.read(MAX_YAML_BYTES + 1)
        if len(raw) > MAX_YAML_BYTES:
            raise NestosError("larger than %d MiB; not a nestos-config file" % (MAX_YAML_BYTES >> 20), file=rel)
        try:
            self.text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise NestosError("not UTF-8 text (byte %d)" % err.start, file=rel)
        self.data = self._load(rel)
        if self.data is None:
            self.data = CommentedMap()
        if not isinstance(self.data, dict):
            raise NestosError("the top level must be a mapping", file=rel, line=1)

    def _load(self, rel):
        """Round-trip load; every YAML error becomes a NestosError naming file and line.

        ruamel's warnings (an anchor name used twice, which YAML allows: the later one wins) are
        not the user's to act on and would land on a module's stderr: they are silenced here."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                data, indent, block_seq_indent = load_yaml_guess_indent(self.text)
                del data
                self.yaml = YAML(typ="rt")
                self.yaml.preserve_quotes = True
                self.yaml.width = 4096
                offset = block_seq_indent or 0
                self.yaml.indent(mapping=_guess_mapping_indent(self.text), sequence=max(indent or 2, offset + 2),
                                 offset=offset)
                return self.yaml.load(self.text)
        except MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            raise NestosError("invalid YAML: %s" % (err.problem or err.context), file=rel,
                              line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None)
        except YAMLError as err:
            raise NestosError("invalid YAML: %s" % str(err).splitlines()[0], file=rel)
        except RecursionError:
            raise NestosError("invalid YAML: nested too deep", file=rel)

    def get_list(self, key):
        if key not in self.data:
            return None
        value = self.data[key]
        if value is None:
            return None
        if not isinstance(value, list):
            raise NestosError("%s must be a list" % key, file=self.rel, path="$." + key, line=_line_of(self.data, key))
        return value

    def render(self):
        buf = io.StringIO()
        try:
            self.yaml.dump(self.data, buf)
        except (YAMLError, RecursionError) as err:
            raise NestosError("cannot write the edited YAML back: %s" % str(err).splitlines()[0], file=self.rel)
        text = buf.getvalue()
        # ruamel's round trip can emit YAML it cannot read (complex `? [a]` keys beside an edit, found by
        # `make fuzz`); the file is written only when the edited text reads back.
        try:
            with warnings.catch_warnings():     # as in _load
                warnings.simplefilter("ignore")
                YAML(typ="rt").load(text)
        except (YAMLError, RecursionError) as err:
            raise NestosError("the edited file would not read back as YAML (%s); simplify the construct near "
                              "the edited key (complex keys, anchors) and run again" % str(err).splitlines()[0],
                              file=self.rel)
        return text


class ConfigEditor(object):
    """Collects edits to a nestos-config checkout; ``apply()`` writes them (unless check mode)."""

    def __init__(self, path, manifest=MANIFEST):
        if not HAS_RUAMEL:
            raise NestosError("ruamel.yaml is required to edit nestos-config (pip install ruamel.yaml)")
        self.root = os.path.abspath(path)
        if not os.path.isdir(self.root):
            raise NestosError("config checkout not found; run `nosa init` first or give the right path", file=path)
        self.manifest = manifest
        self.docs = {}
        self.text_files = {}  # abs path -> (before or None, after or None, mode)
        self.changes = []
        self.order = self._include_order(manifest)
        self._image_order = None

    # -- YAML documents -------------------------------------------------------------
    def doc(self, rel):
        if rel not in self.docs:
            path = os.path.join(self.root, rel)
            if not os.path.isfile(path):
                raise NestosError("file not found in the config checkout", file=rel)
            self.docs[rel] = YamlDoc(path, rel)
        return self.docs[rel]

    def _include_order(self, top):
        """Files in treefile include order (``top`` first, then its includes)."""
        order, seen = [], set()

        def walk(rel):
            if rel in seen:
                return
            seen.add(rel)
            if not os.path.isfile(os.path.join(self.root, rel)):
                raise NestosError("included file does not exist", file=rel)
            order.append(rel)
            includes = self.doc(rel).data.get("include")
            if isinstance(includes, str):
                includes = [includes]
            for inc in includes or []:
                walk(os.path.normpath(os.path.join(os.path.dirname(rel), str(inc))))

        walk(top)
        return order

    def image_order(self):
        """image.yaml and its includes (where ``extra-kargs`` lives), in include order."""
        if self._image_order is None:
            if not os.path.isfile(os.path.join(self.root, IMAGE)):
                raise NestosError("%s not found in the config checkout (extra-kargs live there)" % IMAGE, file=IMAGE)
            self._image_order = self._include_order(IMAGE)
        return self._image_order

    def holder(self, key, file=None, order=None):
        """The file whose top level holds ``key`` (first in include order), else the chain's top file."""
        if file:
            return self.doc(file)
        order = order or self.order
        for rel in order:
            if key in self.doc(rel).data:
                return self.doc(rel)
        return self.doc(order[0])

    def _note(self, rel, what):
        self.changes.append("%s: %s" % (rel, what))

    # -- edits ------------------------------------------------------------------------
    def edit_list(self, key, add=None, remove=None, file=None, exact=None, order=None):
        """Add items to (the first file holding) ``key``; remove items from every file of the chain."""
        add = [str(x) for x in (add or [])]
        remove = [str(x) for x in (remove or [])]
        order = order or self.order
        files = [file] if file else order
        if exact is not None:
            current = []
            for rel in files:
                current.extend(str(x) for x in (self.doc(rel).get_list(key) or []))
            remove = [x for x in current if x not in exact]
            add = list(exact)
        for rel in files:
            self._remove_items(rel, key, remove)
        present = set()
        for rel in files:
            present.update(str(x) for x in (self.doc(rel).get_list(key) or []))
        missing = [x for x in add if x not in present]
        if missing:
            self._add_items(self.holder(key, file, order), key, missing)

    def _remove_items(self, rel, key, remove):
        doc = self.doc(rel)
        seq = doc.get_list(key)
        if not seq:
            return
        for item in remove:
            while item in [str(x) for x in seq]:
                seq_delete(seq, [str(x) for x in seq].index(item))
                doc.modified = True
                self._note(rel, "%s: removed %s" % (key, item))

    def _add_items(self, doc, key, missing):
        seq = doc.get_list(key)
        if seq is None:
            seq = CommentedSeq()
            doc.data[key] = seq
        for item in missing:
            if item not in [str(x) for x in seq]:
                seq_append(seq, item)
                self._note(doc.rel, "%s: added %s" % (key, item))
        doc.modified = True

    def set_scalar(self, key, value, file=None, quoted=True):
        doc = self.holder(key, file)
        old = doc.data.get(key)
        if old is not None and str(old) == str(value):
            return
        doc.data[key] = DoubleQuotedScalarString(value) if quoted else value
        doc.modified = True
        self._note(doc.rel, "%s: %r -> %r" % (key, None if old is None else str(old), str(value)))

    def set_mapping_fields(self, key, fields, file=None):
        doc = self.holder(key, file)
        node = doc.data.get(key)
        if node is None:
            node = CommentedMap()
            doc.data[key] = node
        elif not isinstance(node, dict):
            raise NestosError("%s must be a mapping" % key, file=doc.rel, path="$." + key, line=_line_of(doc.data, key))
        for name, value in fields.items():
            if value is None:
                continue
            if isinstance(value, str):
                yaml_text(value, "%s.%s" % (key, name))
            if name in node and str(node[name]) == str(value):
                continue
            node[name] = value
            doc.modified = True
            self._note(doc.rel, "%s.%s: %s" % (key, name, value))

    def set_os_release(self, fields, file=None, buildid_date=False):
        """Put (or replace) the os-release postprocess script of guide section 5.5.4."""
        script = os_release_script(fields, buildid_date)
        if file is None:
            file = "manifests/system-configuration.yaml"
            if not os.path.isfile(os.path.join(self.root, file)):
                file = self.holder("postprocess").rel
        doc = self.doc(file)
        seq = doc.get_list("postprocess")
        if seq is None:
            seq = CommentedSeq()
            doc.data["postprocess"] = seq
        for index, item in enumerate(seq):
            text = str(item)
            if OS_RELEASE_MARKER in text or ("/usr/lib/os-release" in text and "NAME=" in text):
                if text == script:
                    return
                seq[index] = LiteralScalarString(script)
                doc.modified = True
                self._note(file, "postprocess: os-release script replaced")
                return
        seq_append(seq, LiteralScalarString(script))
        doc.modified = True
        self._note(file, "postprocess: os-release script added")

    def edit_remove_from_packages(self, items):
        """``remove-from-packages`` entries ([package, path regex, ...]): each given package's entry holds
        exactly the given paths (``state: absent`` drops the entry)."""
        for index, item in enumerate(items):
            where = "remove_from_packages[%d]" % index
            package = yaml_text(item.get("package") or "", where + ".package")
            if not package:
                raise NestosError("package is required", path=where + ".package")
            paths = [yaml_text(p, "%s.paths[%d]" % (where, number)) for number, p in enumerate(item.get("paths") or [])]
            if item.get("state", "present") == "present" and not paths:
                raise NestosError("paths is required (the files to remove, as regular expressions)",
                                  path=where + ".paths")
            self._remove_from_package(package, paths, item.get("state") or "present", item.get("file"))

    def _remove_from_package(self, package, paths, state, file):
        key = "remove-from-packages"
        found = False
        for rel in [file] if file else self.order:
            doc = self.doc(rel)
            seq = doc.get_list(key) or []
            for index in reversed(range(len(seq))):
                entry = seq[index]
                if not isinstance(entry, list) or not entry or str(entry[0]) != package:
                    continue
                if state == "absent" or found:
                    seq_delete(seq, index)
                    doc.modified = True
                    self._note(rel, "%s: removed the entry of %s" % (key, package))
                    continue
                found = True
                if [str(x) for x in entry[1:]] != paths:
                    seq[index] = _flow_seq([package] + paths)
                    doc.modified = True
                    self._note(rel, "%s: %s now removes %s" % (key, package, ", ".join(paths)))
        if state == "present" and not found:
            doc = self.holder(key, file)
            seq = doc.get_list(key)
            if seq is None:
                seq = doc.data[key] = CommentedSeq()
            seq_append(seq, _flow_seq([package] + paths))
            doc.modified = True
            self._note(doc.rel, "%s: %s removes %s" % (key, package, ", ".join(paths)))

    def edit_postprocess(self, items):
        """Named postprocess scripts: each carries a marker line naming it, so a changed script replaces
        its earlier version, an unchanged one is left alone, and ``state: absent`` removes it."""
        for index, item in enumerate(items):
            name = str(item.get("name") or "")
            where = "postprocess[%d]" % index
            if not re.match(_NAME, name):
                raise NestosError("name identifies the script in the file: use A-Z a-z 0-9 . _ - only",
                                  path=where + ".name")
            state = item.get("state") or "present"
            script = None if state == "absent" else postprocess_script(name, item.get("script"), where)
            self._postprocess(name, script, item.get("file"))

    def _postprocess(self, name, script, file):
        marker = POSTPROCESS_MARKER + name
        found = False
        for rel in [file] if file else self.order:
            doc = self.doc(rel)
            seq = doc.get_list("postprocess") or []
            for index in reversed(range(len(seq))):
                if marker not in str(seq[index]).splitlines():
                    continue
                if script is None or found:
                    seq_delete(seq, index)
                    doc.modified = True
                    self._note(rel, "postprocess: script %s removed" % name)
                    continue
                found = True
                if str(seq[index]) != script:
                    seq[index] = LiteralScalarString(script)
                    doc.modified = True
                    self._note(rel, "postprocess: script %s replaced" % name)
        if script is not None and not found:
            doc = self.holder("postprocess", file)
            seq = doc.get_list("postprocess")
            if seq is None:
                seq = doc.data["postprocess"] = CommentedSeq()
            seq_append(seq, LiteralScalarString(script))
            doc.modified = True
            self._note(doc.rel, "postprocess: script %s added" % name)

    # -- plain files ------------------------------------------------------------------
    def put_file(self, path, content, mode=None):
        # the destination rule: only a regular file is replaced; a symlink, FIFO or device is refused (also in
        # check mode, and before its content is read into a diff)
        check_destination(path)
        if isinstance(content, str):
            content = content.encode("utf-8")
        before = None
        if os.path.isfile(path):
            with open(path, "rb") as handle:
                before = handle.read()
            cur_mode = stat.S_IMODE(os.stat(path).st_mode)
        else:
            cur_mode = None
        want_mode = mode if mode is not None else (cur_mode if cur_mode is not None else 0o644)
        if before == content and cur_mode == want_mode:
            return
        self.text_files[path] = (before, content, want_mode)
        self._note(os.path.relpath(path, self.root), "written" if before != content else "mode %o" % want_mode)

    def remove_file(self, path):
        check_destination(path)
        if os.path.lexists(path):
            with open(path, "rb") as handle:
                before = handle.read()
            self.text_files[path] = (before, None, None)
            self._note(os.path.relpath(path, self.root), "removed")

    def overlay_file(self, rel, content=None, src=None, mode=None, state="present"):
        target = _safe_join(os.path.join(self.root, "overlay.d"), rel, "overlay_files")
        if state == "absent":
            self.remove_file(target)
            return
        self.put_file(target, _content(content, src), mode)

    def edit_repo(self, repo_id, options, file=None, state="present"):
        path = os.path.join(self.root, file) if file else self._repo_file(repo_id)
        before = None
        if os.path.isfile(path):
            with open(path, "rb") as handle:
                before = handle.read().decode("utf-8")
        after = edit_repo_text(before or "", repo_id, options, state)
        if before is None and state == "absent":
            return
        if after != (before or ""):
            self.put_file(path, after)

    def _repo_file(self, repo_id):
        repos = sorted(f for f in os.listdir(self.root) if f.endswith(".repo"))
        for name in repos:
            with open(os.path.join(self.root, name), "rb") as handle:
                if re.search(r"^\s*\[%s\]\s*$" % re.escape(repo_id), handle.read().decode("utf-8"), re.M):
                    return os.path.join(self.root, name)
        return os.path.join(self.root, repos[0] if repos else "nestos-pool.repo")

    # -- result -----------------------------------------------------------------------
    def pending(self):
        """[(abs path, before text or None, after text or None, mode)] for everything that changes."""
        out = []
        for rel in sorted(self.docs):
            doc = self.docs[rel]
            if not doc.modified:
                continue
            after = doc.render()
            if after != doc.text:
                out.append((doc.path, doc.text, after, stat.S_IMODE(os.stat(doc.path).st_mode)))
        for path in sorted(self.text_files):
            before, after, mode = self.text_files[path]
            out.append((path, before, after, mode))
        return out

    def apply(self, check_mode=False):
        pending = self.pending()
        diffs = []
        for path, before, after, mode in pending:
            rel = os.path.relpath(path, self.root) if path.startswith(self.root) else path
            diffs.append({"before_header": rel, "after_header": rel,
                          "before": _text(before), "after": _text(after)})
            if check_mode:
                continue
            if after is None:
                os.unlink(path)
            else:
                folder = os.path.dirname(path)
                if not os.path.isdir(folder):
                    os.makedirs(folder)
                atomic_write(path, after, mode=mode if mode is not None else 0o644)
        return {"changed": bool(pending), "diff": diffs, "changes": self.changes if pending else [],
                "files": [p for p, _b, _a, _m in pending]}


def _text(data):
    if data is None:
        return ""
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return "<binary, %d bytes>" % len(data)
    return data


def _content(content, src):
    if src:
        try:
            with open(src, "rb") as handle:
                return handle.read()
        except (IOError, OSError) as err:
            raise NestosError("cannot read source: %s" % (err.strerror or err), file=src)
    return content if content is not None else ""


def _safe_join(base, rel, field):
    rel = str(rel).lstrip("/")
    if "\0" in rel:
        raise NestosError("path %r holds a NUL byte" % rel, path=field)
    target = os.path.normpath(os.path.join(base, rel))
    if not target.startswith(os.path.normpath(base) + os.sep):
        raise NestosError("path %r leaves %s" % (rel, base), path=field)
    # a symlinked folder on the way must not lead outside either
    real_base = os.path.realpath(base)
    real_folder = os.path.realpath(os.path.dirname(target))
    if real_folder != real_base and not real_folder.startswith(real_base + os.sep):
        raise NestosError("path %r leads outside %s through a symbolic link" % (rel, base), path=field)
    return target


# YAML reads U+0085, U+2028 and U+2029 as line breaks and cannot keep C0/C1 controls or lone surrogates
# in a plain or block scalar; a value holding one would not read back as written (and a second run would
# "change" it again), so such values are refused before anything is edited.
_YAML_BREAKS = ("\x85", "\u2028", "\u2029", "\ufeff")


def yaml_text(value, where, multiline=False):
    """``value`` as text that survives a YAML round trip, or a NestosError naming ``where``."""
    text = str(value)
    for char in text:
        allowed = char == "\t" or (multiline and char == "\n")
        if not allowed and (char in _YAML_BREAKS or unicodedata.category(char) in ("Cc", "Cs")):
            raise NestosError("holds the character U+%04X, which a nestos-config YAML value cannot keep "
                              "(it would not read back as written); remove it" % ord(char), path=where)
    return text


def _flow_seq(items):
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def postprocess_script(name, script, where="postprocess"):
    """The script as stored: its ``#!`` line, then the marker line naming it, then the rest."""
    text = yaml_text(script or "", where + ".script", multiline=True)
    if not text.startswith("#!"):
        raise NestosError("a postprocess script starts with its interpreter line (#!/usr/bin/env bash)",
                          path=where + ".script")
    lines = [line for line in text.splitlines() if line != POSTPROCESS_MARKER + name]
    return "\n".join([lines[0], POSTPROCESS_MARKER + name] + lines[1:]) + "\n"


def os_release_script(fields, buildid_date=False):
    """The postprocess script that rewrites /usr/lib/os-release and /etc/os-release."""
    lines = []
    for key, value in fields.items():
        if not re.match(r"^[A-Z][A-Z0-9_]*\Z", str(key)):
            raise NestosError("os-release field names are upper case (A-Z, 0-9, _): %r" % key, path="os_release." + str(key))
        val = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
        if "\n" in val:
            raise NestosError("os-release values are single lines", path="os_release." + str(key))
        yaml_text(val, "os_release." + str(key))
        lines.append('%s="%s"' % (key, val))
    body = "\n".join(lines)
    script = [
        "#!/usr/bin/env bash",
        OS_RELEASE_MARKER,
        "set -xeuo pipefail",
        "ostree_version=\"$(grep '^OSTREE_VERSION=' /usr/lib/os-release || true)\"",
        "cat > /usr/lib/os-release <<'NESTOS_OS_RELEASE'",
        body,
        "NESTOS_OS_RELEASE",
    ]
    if buildid_date:
        script.append('echo "BUILDID=\\"$(date +%Y%m%d)\\"" >> /usr/lib/os-release')
    script += [
        'if [ -n "$ostree_version" ]; then echo "$ostree_version" >> /usr/lib/os-release; fi',
        "cp -f /usr/lib/os-release /etc/os-release",
    ]
    return "\n".join(script) + "\n"


_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*$")


def _repo_section(lines, repo_id):
    """(start, end) line indexes of section ``[repo_id]`` (end exclusive), or (None, None)."""
    start = end = None
    for index, line in enumerate(lines):
        match = _SECTION.match(line)
        if match:
            if start is not None and end is None:
                end = index
            if match.group(1).strip() == repo_id:
                start = index
                end = None
    if start is not None and end is None:
        end = len(lines)
    return start, end


def _drop_section(lines, start, end):
    # drop the section and blank lines that trail it
    while end > start and lines[end - 1].strip() == "":
        end -= 1
    del lines[start:end]
    while start < len(lines) and start > 0 and lines[start].strip() == "" and lines[start - 1].strip() == "":
        del lines[start]
    return "".join(lines)


def _new_section(lines, repo_id, options):
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if lines and lines[-1].strip():
        lines.append("\n")
    lines.append("[%s]\n" % repo_id)
    lines.extend("%s=%s\n" % kv for kv in options)
    return "".join(lines)


def _set_options(lines, start, end, options):
    body_end = end
    while body_end > start + 1 and lines[body_end - 1].strip() == "":
        body_end -= 1
    for key, value in options:
        pattern = re.compile(r"^\s*%s\s*=" % re.escape(key), re.I)
        found = [i for i in range(start + 1, body_end) if pattern.match(lines[i])]
        if found:
            current = lines[found[0]].split("=", 1)[1].strip()
            if current != value:
                lines[found[0]] = "%s=%s\n" % (key, value)
        else:
            if body_end > 0 and not lines[body_end - 1].endswith("\n"):
                lines[body_end - 1] += "\n"
            lines.insert(body_end, "%s=%s\n" % (key, value))
            body_end += 1
    return "".join(lines)


def edit_repo_text(text, repo_id, options, state="present"):
    """Set ``options`` in section ``[repo_id]`` of a .repo file, keeping everything else."""
    lines = text.splitlines(True)
    start, end = _repo_section(lines, repo_id)
    if state == "absent":
        return text if start is None else _drop_section(lines, start, end)
    options = [(str(k), _repo_value(v)) for k, v in options.items() if v is not None]
    if start is None:
        return _new_section(lines, repo_id, options)
    return _set_options(lines, start, end, options)


def _repo_value(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value)


def apply_overrides(workdir, rootfs=None, rpms=None, check_mode=False):
    """Files under <workdir>/overrides/rootfs and RPMs in <workdir>/overrides/rpm."""
    base = os.path.abspath(workdir)
    editor = _PlainEditor(base)
    for item in rootfs or []:
        target = _safe_join(os.path.join(base, "overrides", "rootfs"), item["path"], "overrides_rootfs")
        if item.get("state", "present") == "absent":
            editor.remove_file(target)
        else:
            editor.put_file(target, _content(item.get("content"), item.get("src")), item.get("mode"))
    for item in rpms or []:
        src = item["src"]
        if not src.endswith(".rpm"):
            raise NestosError("overrides/rpm takes .rpm files", file=src, path="overrides_rpm")
        target = os.path.join(base, "overrides", "rpm", os.path.basename(src))
        if item.get("state", "present") == "absent":
            editor.remove_file(target)
        else:
            editor.put_file(target, _content(None, src), 0o644)
    return editor.apply(check_mode)


class _PlainEditor(ConfigEditor):
    """Only the plain-file part of ConfigEditor (for the workdir's overrides/)."""

    def __init__(self, root):  # pylint: disable=super-init-not-called
        self.root = root
        self.docs = {}
        self.text_files = {}
        self.changes = []


def _list_edit(spec, option):
    spec = spec or {}
    add = [yaml_text(item, "%s.add[%d]" % (option, index)) for index, item in enumerate(spec.get("add") or [])]
    return add, spec.get("remove") or [], spec.get("file")


def _repo_edits(editor, params):
    repo_ids_added, repo_ids_removed = [], []
    for repo in params.get("repos") or []:
        options = {}
        for key in ("name", "baseurl", "metalink", "mirrorlist", "enabled", "gpgcheck", "gpgkey"):
            if repo.get(key) is not None:
                options[key] = repo[key]
        options.update(repo.get("options") or {})
        state = repo.get("state") or "present"
        editor.edit_repo(repo["id"], options, repo.get("file"), state)
        if repo.get("lockfile", True):
            (repo_ids_added if state == "present" else repo_ids_removed).append(repo["id"])
    if params.get("lockfile_repos") is not None:
        editor.edit_list("lockfile-repos", exact=[str(x) for x in params["lockfile_repos"]])
    elif repo_ids_added or repo_ids_removed:
        editor.edit_list("lockfile-repos", add=repo_ids_added, remove=repo_ids_removed)


# list options: option -> (key, which include chain holds it)
LIST_OPTIONS = (
    ("packages", "packages", "manifest"),
    ("exclude_packages", "exclude-packages", "manifest"),
    ("remove_files", "remove-files", "manifest"),
    ("initramfs_args", "initramfs-args", "manifest"),
    ("extra_kargs", "extra-kargs", "image"),
)


def _list_edits(editor, params):
    for option, key, chain in LIST_OPTIONS:
        if params.get(option):
            add, remove, file = _list_edit(params[option], option)
            order = editor.image_order() if chain == "image" else None
            editor.edit_list(key, add=add, remove=remove, file=file, order=order)
    for arch, spec in sorted((params.get("packages_arch") or {}).items()):
        if arch not in ("x86_64", "aarch64"):
            raise NestosError("NestOS builds x86_64 and aarch64 only, not %r" % arch, path="packages_arch")
        add, remove, file = _list_edit(spec, "packages_arch.%s" % arch)
        editor.edit_list("packages-%s" % arch, add=add, remove=remove, file=file)
    if params.get("remove_from_packages"):
        editor.edit_remove_from_packages(params["remove_from_packages"])


def _scalar_edits(editor, params):
    if params.get("releasever") is not None:
        value = str(params["releasever"])
        if not re.match(_NAME, value):
            raise NestosError("releasever goes into build ids: use A-Z a-z 0-9 . _ - only", path="releasever")
        editor.set_scalar("releasever", value)
    if params.get("default_target") is not None:
        value = str(params["default_target"])
        if not re.match(r"^[A-Za-z0-9:_.@-]+\.target\Z", value):
            raise NestosError("default_target is a systemd target unit such as multi-user.target, not %r" % value,
                              path="default_target")
        editor.set_scalar("default-target", value, quoted=False)
    if params.get("rojig"):
        fields = dict((k, v) for k, v in params["rojig"].items() if v is not None)
        if "name" in fields and not re.match(_NAME, str(fields["name"])):
            raise NestosError("rojig.name goes into artifact names: use A-Z a-z 0-9 . _ - only", path="rojig.name")
        editor.set_mapping_fields("rojig", fields)


def _file_edits(editor, params):
    if params.get("os_release"):
        editor.set_os_release(params["os_release"], params.get("os_release_file"),
                              params.get("os_release_buildid_date", False))
    if params.get("postprocess"):
        editor.edit_postprocess(params["postprocess"])
    for item in params.get("overlay_files") or []:
        editor.overlay_file(item["path"], item.get("content"), item.get("src"), _mode(item.get("mode")),
                            item.get("state") or "present")


def execute(params, check_mode=False):
    """The whole `build_config` module: collect the edits, write them, report diffs."""
    result = {"changed": False, "diff": [], "changes": [], "files": []}
    if params.get("path") and check_mode and not os.path.isdir(params["path"]):
        # check mode on a fresh workdir: `nosa init` has not really run, so there is nothing to read
        result.update({"changed": True, "msg": "%s does not exist yet (nosa init did not run in check mode); "
                                               "the edits would be applied after it" % params["path"]})
        return result
    if params.get("path"):
        editor = ConfigEditor(params["path"], params.get("manifest") or MANIFEST)
        for edits in (_repo_edits, _list_edits, _scalar_edits, _file_edits):
            edits(editor, params)
        result = editor.apply(check_mode)
    if params.get("overrides_rootfs") or params.get("overrides_rpm"):
        if not params.get("workdir"):
            raise NestosError("overrides_rootfs / overrides_rpm need workdir (the nosa workdir)", path="workdir")
        rootfs = [dict(item, mode=_mode(item.get("mode"))) for item in params.get("overrides_rootfs") or []]
        more = apply_overrides(params["workdir"], rootfs, params.get("overrides_rpm"), check_mode)
        for key in ("diff", "changes", "files"):
            result[key] = result[key] + more[key]
        result["changed"] = result["changed"] or more["changed"]
    return result


def _mode(value):
    if value is None:
        return None
    if isinstance(value, int):
        return value
    text = str(value)
    if not re.match(r"^0?[0-7]{3,4}$", text):
        raise NestosError("mode must be octal like '0644', got %r" % text, path="mode")
    return int(text, 8)
