# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PyYAML's libyaml parser for the Butane reader, loaded on first use.

``parser()`` gives a parser class whose nodes keep plain scalars untyped (tag ``?plain``) so the
Butane model can type them as yaml.v3 does. Normally that is a subclass of PyYAML's CSafeLoader
(SafeLoader without libyaml).

Light loading (``light_load(True)``, used by ``tools/nestos-butane`` only): importing PyYAML costs
about twice a bare interpreter start, nearly all of it in Python modules the reader never runs
(regular expressions compiled by its resolver, reader and constructor; ``datetime``; the emitter
and representer). The C extension ``yaml._yaml`` itself only needs ``yaml.error``, ``yaml.tokens``,
``yaml.events``, ``yaml.nodes`` and the error classes of eight other modules when it is
initialised. A light load imports those four small modules for real under a placeholder ``yaml``
package and gives the extension placeholder modules holding only the error classes it asks for.
Nodes, events and ``YAMLError`` are PyYAML's own classes. The extension cannot be initialised a
second time in a process, so the light package stays in ``sys.modules``: a later ``import yaml``
gets it, and any attribute beyond the parser's says that PyYAML was loaded lightly (loudly, never
a second, inconsistent PyYAML). That is why only a process that does nothing but read Butane asks
for it. The light load is only tried when nothing imported PyYAML yet and libyaml is there;
anything unexpected (another PyYAML layout) falls back to the normal import.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

PLAIN = "?plain"
STR_TAG = "tag:yaml.org,2002:str"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"

# the error class each module must hold when yaml._yaml is initialised (PyYAML 5.4 - 6.x)
_EXT_ERRORS = (("reader", "ReaderError"), ("scanner", "ScannerError"), ("parser", "ParserError"),
               ("composer", "ComposerError"), ("constructor", "ConstructorError"),
               ("emitter", "EmitterError"), ("serializer", "SerializerError"),
               ("representer", "RepresenterError"))
_REAL = ("error", "tokens", "events", "nodes")
_MARKED = ("scanner", "parser", "composer", "constructor")

_STATE = {"light": False, "parser": None, "how": None, "error": None, "events": None}


class Unavailable(Exception):
    """PyYAML cannot be imported."""


def light_load(enabled=True):
    """Ask for the light load on first use (a process that only reads Butane: the CLI)."""
    _STATE["light"] = bool(enabled)


def how_loaded():
    """``"light"``, ``"full"`` or None (not loaded yet)."""
    return _STATE["how"]


def parser():
    """The parser class (see the module docstring); raises :class:`Unavailable`."""
    if _STATE["parser"] is None:
        cls = None
        if _STATE["light"] and "yaml" not in sys.modules:
            cls = _light()
        if cls is None:
            cls = _full_parser()
        _STATE["parser"] = cls
    return _STATE["parser"]


def events():
    """The ``yaml.events`` module the parser builds its events from (after :func:`parser`)."""
    return _STATE["events"]


def yaml_error():
    """The base class of the errors the parser raises (after :func:`parser`)."""
    return _STATE["error"]


def full():
    """The whole ``yaml`` module (for writing YAML); raises :class:`Unavailable`."""
    if _STATE["how"] == "light":
        raise Unavailable("PyYAML is loaded lightly in this process (only its parser)")
    try:
        import yaml
    except ImportError as exc:
        raise Unavailable(str(exc))
    return yaml


def _full_parser():
    yaml = full()
    base = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    scalar = yaml.ScalarNode

    class Loader(base):
        """Leaves plain scalars untyped (tag ``?plain``) so the model can type them."""

        def resolve(self, kind, value, implicit):
            if kind is scalar:
                return PLAIN if implicit[0] else STR_TAG
            return base.resolve(self, kind, value, implicit)

    _STATE["error"] = yaml.YAMLError
    _STATE["events"] = yaml.events
    _STATE["how"] = "full"
    return Loader


def _package_dir():
    for entry in sys.path:
        folder = os.path.join(entry or ".", "yaml")
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        if "__init__.py" in names:
            if any(n.startswith("_yaml.") and n.endswith((".so", ".pyd")) for n in names):
                return folder
            return None     # PyYAML without libyaml: the normal import
    return None


def _light():
    """The light load; None when it does not apply (then the caller imports PyYAML)."""
    import types

    folder = _package_dir()
    if folder is None:
        return None
    before = set(sys.modules)
    package = types.ModuleType("yaml")
    package.__path__ = [folder]
    package.__package__ = "yaml"
    package.__getattr__ = _light_getattr
    sys.modules["yaml"] = package
    try:
        for name in _REAL:
            setattr(package, name, __import__("yaml." + name, fromlist=["_"]))
        error = sys.modules["yaml.error"]
        for name, cls in _EXT_ERRORS:
            module = types.ModuleType("yaml." + name)
            if name == "reader":
                setattr(module, cls, _reader_error(error.YAMLError))
            else:
                base = error.MarkedYAMLError if name in _MARKED else error.YAMLError
                setattr(module, cls, type(cls, (base,), {"__module__": module.__name__}))
            sys.modules[module.__name__] = module
            setattr(package, name, module)
        ext = __import__("yaml._yaml", fromlist=["CParser"])
        cls = _light_parser(ext.CParser, package.nodes.ScalarNode)
    except Exception:   # another PyYAML layout: forget everything this load put in sys.modules
        for name in set(sys.modules) - before:
            del sys.modules[name]
        return None
    _STATE["error"] = error.YAMLError
    _STATE["events"] = package.events
    _STATE["how"] = "light"
    return cls


def _reader_error(base):
    """yaml.reader.ReaderError's shape: the extension raises it with five arguments and the
    reader keeps ``reason`` (the Butane reader words its message from it)."""

    class ReaderError(base):
        __module__ = "yaml.reader"

        def __init__(self, name, position, character, encoding, reason):
            super(ReaderError, self).__init__(name, position, character, encoding, reason)
            self.name = name
            self.character = character
            self.position = position
            self.encoding = encoding
            self.reason = reason

        def __str__(self):
            return "%s (%s, position %d)" % (self.reason, self.name, self.position)

    return ReaderError


def _light_getattr(name):
    """``yaml.<anything else>`` in a process that loaded PyYAML lightly: say so."""
    raise AttributeError("PyYAML is loaded lightly in this process (only its parser, for Butane): "
                         "yaml.%s is not there; see plugins/module_utils/butane/libyaml.py" % name)


def _light_parser(cparser, scalar):
    class Parser(cparser):
        """libyaml's parser and composer; tags as :func:`_full_parser`'s Loader gives them."""

        def resolve(self, kind, value, implicit):
            if kind is scalar:
                return PLAIN if implicit[0] else STR_TAG
            return SEQ_TAG if kind.id == "sequence" else MAP_TAG

        def descend_resolver(self, current_node, current_index):
            pass

        def ascend_resolver(self):
            pass

    return Parser
