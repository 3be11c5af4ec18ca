"""Fuzzing what the machines engine reads from the host: libvirt's domain XML (domainxml.parse, which reads every
existing domain before deciding anything) and the plain qemu backend's state file (<name>.json). Only NestosError
may leave them."""
import json
import os
import shutil
import tempfile

import pytest
from hypothesis import given, strategies as st

from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt import converge, domainxml, qemu_direct
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt.model import Interface, MachineDef
from tests.support.fuzzing import only_nestos_errors

VALID = domainxml.render(MachineDef(
    name="m1", disk="/s/m1.qcow2", ignition_file="/s/m1.ign", console_log="/s/m1.log", cdrom="/i.iso",
    shares=[("/w", "workdir")], interfaces=[Interface("network", "default", "52:54:00:01:02:03")],
    metadata={"managed-by": "nestos.lifecycle.libvirt_vm", "ignition-sha256": "0" * 64}))
TAGS = st.sampled_from(["domain", "name", "memory", "vcpu", "os", "type", "devices", "disk", "source", "interface",
                        "mac", "model", "serial", "sysinfo", "entry", "metadata", "driver", "filesystem", "target",
                        "{https://nestos.openeuler.org/xmlns/lifecycle/1.0}machine",
                        "{http://libvirt.org/schemas/domain/qemu/1.0}commandline",
                        "{http://libvirt.org/schemas/domain/qemu/1.0}arg"])
ATTRS = st.dictionaries(st.sampled_from(["type", "unit", "file", "name", "address", "network", "bridge", "device",
                                         "arch", "machine", "firmware", "value", "dir", "path", "discard"]),
                        st.text(max_size=10), max_size=3)
TEXTS = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["256", "²", "-1", "1e3", "99999999999999999999",
                                                                   "-fw_cfg", "name=opt/com.coreos/config,file"]))


def _xml(tree):
    tag, attrs, text, kids = tree
    body = "".join(_xml(kid) for kid in kids)
    esc = (text or "").replace("&", "&amp;").replace("<", "&lt;")
    attr = "".join(' %s="%s"' % (k, v.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;"))
                   for k, v in attrs.items())
    if tag.startswith("{"):
        ns, local = tag[1:].split("}")
        return '<x:%s xmlns:x="%s"%s>%s%s</x:%s>' % (local, ns, attr, esc, body, local)
    return "<%s%s>%s%s</%s>" % (tag, attr, esc, body, tag)


TREES = st.recursive(st.tuples(TAGS, ATTRS, TEXTS, st.just([])),
                     lambda kids: st.tuples(TAGS, ATTRS, TEXTS, st.lists(kids, max_size=4)), max_leaves=12)


@st.composite
def domain_xml(draw):
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return _xml(("domain", draw(ATTRS), None, draw(st.lists(TREES, max_size=5))))
    if kind == 1:  # the valid document with a slice replaced
        start = draw(st.integers(0, len(VALID)))
        end = draw(st.integers(start, min(len(VALID), start + 40)))
        return VALID[:start] + draw(st.text(max_size=20)) + VALID[end:]
    if kind == 2:
        return draw(st.text(max_size=80))
    return "<domain>" + "<devices>" * draw(st.integers(1, 3000)) + "</domain>"


@given(text=domain_xml())
def test_domain_xml_reader(text):
    mdef, _err = only_nestos_errors(domainxml.parse, text)
    # what was read renders again (the diff's "before" side)
    assert mdef is None or isinstance(only_nestos_errors(domainxml.render, mdef)[0] or "", str)


SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
JSONS = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
                     lambda kids: st.one_of(st.lists(kids, max_size=3),
                                            st.dictionaries(st.text(max_size=6), kids, max_size=3)),
                     max_leaves=8)


@pytest.fixture(scope="module")
def storage():
    top = tempfile.mkdtemp(prefix="nestos-fuzz-qemu-", dir=SCRATCH)
    yield top
    shutil.rmtree(top)


@st.composite
def state_files(draw):
    state = {"managed-by": "nestos.lifecycle.libvirt_vm", "ignition-sha256": draw(st.one_of(JSONS, st.just("0"))),
             "base": draw(JSONS), "accel": draw(st.one_of(st.sampled_from(["kvm", "tcg"]), JSONS)),
             "nics": draw(st.one_of(JSONS, st.lists(st.dictionaries(
                 st.sampled_from(["kind", "source", "mac", "model", "ssh_forward"]), JSONS, max_size=5), max_size=3))),
             "argv": draw(JSONS)}
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return json.dumps(state)
    if kind == 1:
        return json.dumps(draw(JSONS))
    return draw(st.text(max_size=60))


@given(text=state_files())
def test_qemu_state_file_reader(storage, text):
    with open(os.path.join(storage, "q1.json"), "w") as out:
        out.write(text)
    req = converge.Request(name="q1", storage_dir=storage, networks=[{"user": True}], state="present",
                           arch="x86_64", domain_type="qemu")
    backend = qemu_direct.QemuBackend(req)
    backend.run = converge.Run(req, backend, True)
    current, _err = only_nestos_errors(backend.load)
    if current is not None:
        only_nestos_errors(backend.describe, current)
        only_nestos_errors(converge._desired, backend.run, current, "0" * 64, True)
