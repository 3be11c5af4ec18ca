# shellcheck shell=bash
# The execution environment's base image, built from Debian packages (no container registry
# needed): mmdebstrap makes a minimal bookworm root with python3 and pip, podman imports it.
# Built once and cached by a hash of this script's commands (comments left out), ee-pkg and the
# CAs added: the root tarball in
# $NESTOS_EE_CACHE/<hash>/rootfs.tar (default /var/cache/nestos-lifecycle/ee) and the image
# localhost/nestos/ee-base:<hash>. Prints the image name on stdout; progress goes to stderr.
#   bash ee/base-image.sh       build if missing, print the image name
#   bash ee/base-image.sh --name print the image name only (no build)
# Users with a normal registry skip this: EE_BASE_IMAGE=quay.io/... (see docs/execution-environment.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache_root=${NESTOS_EE_CACHE:-/var/cache/nestos-lifecycle/ee}
suite=bookworm
mirror=${EE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${EE_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
# python3-venv: ansible-builder's assemble makes a venv; the rest is what every later stage needs.
packages=python3,python3-pip,python3-venv,ca-certificates
# the package manager front end ansible-builder calls ($PKGMGR, options.package_manager_path)
pkgmgr_src=$here/ee-pkg
# The machine's own site CAs (Debian's place for them) go into the image too, so pip and apt
# work behind a TLS-inspecting proxy; EE_EXTRA_CA_DIR= (empty) leaves them out.
ca_dir=${EE_EXTRA_CA_DIR-/usr/local/share/ca-certificates}
cas=()
if [ -n "$ca_dir" ] && [ -d "$ca_dir" ]; then
    while IFS= read -r -d '' f; do cas+=("$f"); done < <(find "$ca_dir" -maxdepth 1 -type f -name '*.crt' -print0 | sort -z)
fi

hash=$( (grep -v '^[[:space:]]*#' "$0"; cat "$pkgmgr_src"; [ ${#cas[@]} -eq 0 ] || cat "${cas[@]}") | sha256sum | cut -c1-16)
image=localhost/nestos/ee-base:$hash
dir=$cache_root/$hash

if [ "${1:-}" = "--name" ]; then echo "$image"; exit 0; fi
if podman image exists "$image"; then echo "$image"; exit 0; fi

mkdir -p "$dir"
if [ ! -s "$dir/rootfs.tar" ]; then
    command -v mmdebstrap >/dev/null || { echo "ee/base-image.sh: mmdebstrap is not installed (apt-get install mmdebstrap)" >&2; exit 1; }
    echo "ee base: mmdebstrap $suite ($packages) -> $dir/rootfs.tar" >&2
    tmp=$(mktemp --suffix=.tar "$dir/rootfs-partial-XXXXXX")
    trap 'rm -f "$tmp"' EXIT
    mmdebstrap --quiet --variant=minbase --include="$packages" \
        --aptopt='APT::Install-Recommends "false"' \
        --dpkgopt='path-exclude=/usr/share/man/*' \
        --dpkgopt='path-exclude=/usr/share/locale/*' \
        --dpkgopt='path-include=/usr/share/locale/locale.alias' \
        --dpkgopt='path-exclude=/usr/share/doc/*' \
        --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --dpkgopt='path-exclude=/usr/share/info/*' \
        --customize-hook="install -m 0755 '$pkgmgr_src' \"\$1/usr/local/sbin/ee-pkg\"" \
        ${cas[@]:+--customize-hook="cp ${cas[*]@Q} \"\$1/usr/local/share/ca-certificates/\" && chroot \"\$1\" update-ca-certificates >/dev/null"} \
        --customize-hook="rm -rf \"\$1\"/var/cache/apt/*.bin \"\$1\"/var/lib/apt/lists/*" \
        "$suite" "$tmp" \
        "deb $mirror $suite main" "deb $mirror $suite-updates main" "deb $security $suite-security main" >&2
    mv -f "$tmp" "$dir/rootfs.tar"
    trap - EXIT
fi
echo "ee base: podman import -> $image" >&2
podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["/bin/bash"]' \
    "$dir/rootfs.tar" "$image" >/dev/null
echo "$image"
