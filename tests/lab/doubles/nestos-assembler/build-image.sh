#!/bin/sh
# Build the lab nestos-assembler image (a test double, see nosa.sh) with buildah FROM scratch:
# busybox-static + the POSIX sh `nosa` entry point. Writes a docker-archive that the build_host
# role loads (`podman load`), tagged TAG (default localhost/nestos-assembler:lab; the lab uses a
# tag derived from this folder's content so that a changed double is loaded again).
#   build-image.sh OUT.tar [STATE_DIR] [TAG]
# Uses a private containers storage under STATE_DIR (default: dirname OUT/buildah) and
# --isolation chroot; needs no network.
set -eu
out=$1
here=$(cd "$(dirname "$0")" && pwd)
state=${2:-$(dirname "$out")/buildah}
tag=${3:-localhost/nestos-assembler:lab}
mkdir -p "$state"
conf=$state/storage.conf
printf '[storage]\ndriver = "vfs"\nrunroot = "%s/run"\ngraphroot = "%s/root"\n' "$state" "$state" > "$conf"
export CONTAINERS_STORAGE_CONF="$conf"
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs/bin" "$rootfs/usr/bin" "$rootfs/tmp" "$rootfs/srv" "$rootfs/lab-media" "$rootfs/etc"
cp /bin/busybox "$rootfs/bin/busybox"
for app in $(/bin/busybox --list); do
    [ "$app" = busybox ] || ln -s busybox "$rootfs/bin/$app"
done
cp "$here/nosa.sh" "$rootfs/usr/bin/nosa"
chmod 0755 "$rootfs/usr/bin/nosa"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\n' > "$rootfs/etc/group"
ctr=$(buildah --isolation chroot from scratch)
buildah copy "$ctr" "$rootfs/" / >/dev/null
buildah config --entrypoint '["/usr/bin/nosa"]' --cmd '' --workingdir /srv \
    --env PATH=/usr/bin:/bin --label org.opencontainers.image.title="nestos-assembler lab double" "$ctr"
buildah commit --quiet "$ctr" "$tag" >/dev/null
buildah rm "$ctr" >/dev/null
rm -f "$out.tmp"
buildah push --quiet "$tag" "docker-archive:$out.tmp:$tag"
mv "$out.tmp" "$out"
echo "$out"
