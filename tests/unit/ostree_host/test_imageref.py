"""Container image reference and ostree refspec parsing (reference/hosts-and-updates.md 2.2)."""
import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import imageref

D = "sha256:" + "ab" * 32

TABLE = [
    # text, policy, remote, transport, name, canonical
    ("ostree-unverified-registry:registry.example.com/nestos:1.0", "unverified", None, "registry",
     "registry.example.com/nestos:1.0", "ostree-unverified-registry:registry.example.com/nestos:1.0"),
    ("ostree-unverified-image:docker://hub.oepkgs.net/nestos/nestos:22.03-LTS-SP1.20221230.0-x86_64", "unverified",
     None, "registry", "hub.oepkgs.net/nestos/nestos:22.03-LTS-SP1.20221230.0-x86_64",
     "ostree-unverified-registry:hub.oepkgs.net/nestos/nestos:22.03-LTS-SP1.20221230.0-x86_64"),
    ("ostree-unverified-image:registry:localhost:5000/nestos:2", "unverified", None, "registry",
     "localhost:5000/nestos:2", "ostree-unverified-registry:localhost:5000/nestos:2"),
    ("ostree-unverified-image:oci:/var/tmp/img:latest", "unverified", None, "oci", "/var/tmp/img:latest",
     "ostree-unverified-image:oci:/var/tmp/img:latest"),
    ("ostree-unverified-image:oci-archive:/var/tmp/nestos.ociarchive", "unverified", None, "oci-archive",
     "/var/tmp/nestos.ociarchive", "ostree-unverified-image:oci-archive:/var/tmp/nestos.ociarchive"),
    ("ostree-unverified-image:containers-storage:localhost/nestos:1", "unverified", None, "containers-storage",
     "localhost/nestos:1", "ostree-unverified-image:containers-storage:localhost/nestos:1"),
    ("ostree-remote-registry:openEuler:registry.example.com/nestos:1", "remote", "openEuler", "registry",
     "registry.example.com/nestos:1", "ostree-remote-image:openEuler:docker://registry.example.com/nestos:1"),
    ("ostree-remote-image:openEuler:docker://registry.example.com/nestos:1", "remote", "openEuler", "registry",
     "registry.example.com/nestos:1", "ostree-remote-image:openEuler:docker://registry.example.com/nestos:1"),
    ("ostree-image-signed:docker://quay.io/fedora/fedora-coreos:stable", "signed", None, "registry",
     "quay.io/fedora/fedora-coreos:stable", "ostree-image-signed:docker://quay.io/fedora/fedora-coreos:stable"),
    ("ostree-image-signed:registry:quay.io/fedora/fedora-coreos:stable", "signed", None, "registry",
     "quay.io/fedora/fedora-coreos:stable", "ostree-image-signed:docker://quay.io/fedora/fedora-coreos:stable"),
    ("ostree-unverified-registry:registry.example.com/nestos@" + D, "unverified", None, "registry",
     "registry.example.com/nestos@" + D, "ostree-unverified-registry:registry.example.com/nestos@" + D),
]


@pytest.mark.parametrize("text,policy,remote,transport,name,canonical", TABLE)
def test_parse_table(text, policy, remote, transport, name, canonical):
    ref = imageref.parse(text)
    assert ref.is_container
    assert (ref.policy, ref.remote, ref.transport, ref.name) == (policy, remote, transport, name)
    assert ref.canonical() == canonical
    # the canonical spelling parses back to the same target
    assert imageref.parse(canonical) == ref


def test_spellings_of_the_same_image_are_equal():
    a = imageref.parse("ostree-unverified-registry:r.example/n:1")
    b = imageref.parse("ostree-unverified-image:docker://r.example/n:1")
    c = imageref.parse("ostree-unverified-image:registry:r.example/n:1")
    assert a == b == c
    assert a != imageref.parse("ostree-image-signed:docker://r.example/n:1")
    assert a.same_image(imageref.parse("ostree-image-signed:docker://r.example/n:1"))


def test_name_parts():
    ref = imageref.parse("ostree-unverified-registry:localhost:5000/ns/nestos:1.0@" + D)
    assert (ref.repository, ref.tag, ref.digest) == ("localhost:5000/ns/nestos", "1.0", D)
    ref = imageref.parse("ostree-unverified-registry:localhost:5000/ns/nestos")
    assert (ref.repository, ref.tag, ref.digest) == ("localhost:5000/ns/nestos", None, None)


def test_classic_refs():
    ref = imageref.parse("openEuler:openEuler/x86_64/nestos/stable")
    assert (ref.kind, ref.remote, ref.ref) == ("ostree", "openEuler", "openEuler/x86_64/nestos/stable")
    ref = imageref.parse("fedora/33/x86_64/silverblue")
    assert (ref.kind, ref.remote, ref.ref) == ("ostree", None, "fedora/33/x86_64/silverblue")


@pytest.mark.parametrize("text,needle", [
    ("", "required"),
    ("ostree-bogus:docker://x/y", "unknown container reference type"),
    ("docker://registry.example.com/nestos:1", "no signature policy"),
    ("ostree-unverified-image:ftp://x/y", "no known transport"),
    ("ostree-remote-image:bad$:docker://x", "not a valid ostree remote name"),
    ("ostree-remote-image:docker://x", "no known transport"),
    ("ostree-unverified-registry:r.example/n@sha256:1234", "not a digest"),
    ("ostree-unverified-registry:r.example/n:", "not a valid registry image name"),
    ("ostree-unverified-registry:a b", "white space"),
])
def test_bad_references_name_the_field(text, needle):
    with pytest.raises(NestosError) as err:
        imageref.parse(text, field="ref")
    assert needle in str(err.value)
    assert err.value.path == "ref"


def test_build_and_digest_pinning():
    ref = imageref.build("r.example/nestos:1.0", "unverified", digest=D)
    assert ref.canonical() == "ostree-unverified-registry:r.example/nestos@" + D
    assert ref.digest == D and ref.tag is None
    ref = imageref.build("r.example/nestos:1.0", "remote", remote="openEuler")
    assert ref.canonical() == "ostree-remote-image:openEuler:docker://r.example/nestos:1.0"
    with pytest.raises(NestosError, match="needs the ostree remote"):
        imageref.build("r.example/nestos:1.0", "remote")
    with pytest.raises(NestosError, match="transport prefix"):
        imageref.build("docker://r.example/nestos:1.0", "signed")
    with pytest.raises(NestosError, match="pins"):
        imageref.build("r.example/nestos@" + D, "signed", digest="sha256:" + "cd" * 32)
