#!/bin/sh
# Lab double of the nestos-assembler container image's entry point (the `nosa` command).
#
# Stands in for: openeuler-mirror/nestos-assembler @ 0e6572f5 (cmd/coreos-assembler.go and
# src/cmd-{init,fetch,build,buildextend-*,compress,uncompress,prune,clean,list}), which needs
# openEuler package repositories, supermin/KVM and rpm-ostree, none of which run on the CI machine.
# Follows the real outputs: the workdir layout of cmd-init (builds/ cache/ overrides/{rpm,rootfs}
# src/config tmp/), builds/builds.json as cosalib/builds.py writes it (newest first,
# schema-version 1.0.0, timestamp), builds/latest, meta.json with the fields src/v1.json requires,
# nestos-assembler's artifact names (nestos-<build>-<kind>.<arch>.<ext>, live-kernel-<arch>),
# "No changes in input" when nothing changed, buildextend-live's metal/metal4k preconditions,
# compress/uncompress's meta.json bookkeeping (uncompressed-sha256/-size, .gz suffix).
# Differs on purpose: the OS content is not composed from RPMs. `build` makes a real OCI archive
# whose single layer holds busybox, an os-release and the config's overlay.d + overrides/rootfs
# files; qemu/live artifacts are COPIES of the lab media mounted read-only at /lab-media
# (disk.qcow2, live.iso, live-kernel, live-initramfs.img, live-rootfs.img); metal/metal4k are
# small non-bootable raw placeholders. postprocess scripts are not run. Only gzip compression.
# Failure injection for tests: env NOSA_LAB_FAIL=<command> fails that command half-way;
# NOSA_LAB_DELAY=<seconds> makes `build` take that long after its commit step (progress tests).
# shellcheck disable=SC2154  # build fields come from sourced state files
set -eu

SRV=${NOSA_SRV:-/srv}
MEDIA=${NOSA_LAB_MEDIA:-/lab-media}
cd "$SRV"

die() { echo "error: $*" >&2; exit 1; }
log() { echo "$*"; }
basearch() { uname -m; }
ARCH=$(basearch)
case "$ARCH" in x86_64) OCIARCH=amd64 ;; aarch64) OCIARCH=arm64 ;; *) die "unsupported architecture $ARCH (NestOS builds x86_64 and aarch64)" ;; esac

now_utc() { date -u +%Y-%m-%dT%H:%M:%SZ; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }

maybe_fail() {
    if [ "${NOSA_LAB_FAIL:-}" = "$1" ]; then
        log "+ rpm-ostree compose tree --unified-core (lab failure injection)"
        echo "error: Packages not found: lab-injected-failure" >&2
        exit 1
    fi
}

need_init() {
    [ -f src/config/manifest.yaml ] || die "no src/config/manifest.yaml here; run \`nosa init <config>\` first"
    mkdir -p builds cache tmp overrides/rpm overrides/rootfs
}

# --- YAML reading (just what the double needs: top-level scalars and lists) ------------
yaml_files() {
    # manifest.yaml and every manifests/*.yaml (treefile includes)
    echo src/config/manifest.yaml
    [ -d src/config/manifests ] && find src/config/manifests -name '*.yaml' | sort
    return 0
}
yaml_scalar() { # key -> first value found in the manifests, unquoted
    for f in $(yaml_files); do
        v=$(sed -n "s/^$1:[[:space:]]*//p" "$f" | head -n1 | sed 's/[[:space:]]*#.*$//; s/^"\(.*\)"$/\1/; s/^'"'"'\(.*\)'"'"'$/\1/')
        if [ -n "$v" ]; then echo "$v"; return 0; fi
    done
    return 0
}
yaml_list() { # key -> items of that top-level list in all manifests
    for f in $(yaml_files); do
        awk -v key="$1:" '
            $0 ~ "^[^ #-]" { inlist = ($1 == key) ; next }
            inlist && /^[[:space:]]*- / { sub(/^[[:space:]]*- */, ""); sub(/[[:space:]]+#.*$/, ""); print }
        ' "$f"
    done
}
rojig_name() {
    for f in $(yaml_files); do
        v=$(awk '/^rojig:/ {r=1; next} r && /^[^ ]/ {r=0} r && $1 == "name:" {print $2; exit}' "$f")
        if [ -n "$v" ]; then echo "$v"; return 0; fi
    done
    echo nestos
}
safe_word() { case "$1" in *[!A-Za-z0-9._-]*|"") die "$2: '$1' must use only A-Z a-z 0-9 . _ -" ;; esac; }

# --- builds.json / meta.json ----------------------------------------------------------
# The double keeps each build's image records in builds/<id>/<arch>/.lab/images/<key>
# (shell assignments) and renders meta.json from them after every change.
latest_build() { sed -n 's/^ *"id": "\(.*\)",*$/\1/p' builds/builds.json 2>/dev/null | head -n1; }
all_builds() { sed -n 's/^ *"id": "\(.*\)",*$/\1/p' builds/builds.json 2>/dev/null; }

write_builds_json() { # ids newest first on stdin
    ts=$(now_utc)
    {
        printf '{\n    "schema-version": "1.0.0",\n    "builds": [\n'
        first=1
        while read -r id; do
            [ -n "$id" ] || continue
            [ $first = 1 ] || printf ',\n'
            first=0
            printf '        {\n            "id": "%s",\n            "arches": [\n                "%s"\n            ]\n        }' "$id" "$ARCH"
        done
        printf '\n    ],\n    "timestamp": "%s"\n}\n' "$ts"
    } > builds/builds.json.tmp
    mv builds/builds.json.tmp builds/builds.json
}

put_image() { # dir key file skip-compression(true|false)
    mkdir -p "$1/.lab/images"
    printf 'path=%s\nsha256=%s\nsize=%s\nskip=%s\nusha=\nusize=\n' "$3" "$(sha "$1/$3")" "$(size "$1/$3")" "$4" > "$1/.lab/images/$2"
}

render_meta() { # dir
    d=$1
    # shellcheck disable=SC1091
    . "$d/.lab/base"
    {
        printf '{\n'
        printf '    "buildid": "%s",\n    "name": "%s",\n    "summary": "%s",\n' "$buildid" "$name" "$summary"
        printf '    "ref": "%s",\n' "$ref"
        printf '    "ostree-commit": "%s",\n    "ostree-content-checksum": "%s",\n' "$commit" "$commit"
        printf '    "ostree-version": "%s",\n    "ostree-timestamp": "%s",\n' "$buildid" "$timestamp"
        printf '    "rpm-ostree-inputhash": "%s",\n' "$inputhash"
        printf '    "coreos-assembler.basearch": "%s",\n' "$ARCH"
        printf '    "coreos-assembler.build-timestamp": "%s",\n' "$timestamp"
        printf '    "coreos-assembler.image-genver": 0,\n'
        printf '    "coreos-assembler.code-source": "nestos-lab-double",\n'
        printf '    "coreos-assembler.config-dirty": "false",\n'
        printf '    "coreos-assembler.overrides-active": %s,\n' "$overrides"
        printf '    "images": {'
        first=1
        for f in "$d"/.lab/images/*; do
            [ -f "$f" ] || continue
            key=${f##*/}
            # shellcheck disable=SC1090
            . "$f"
            [ $first = 1 ] || printf ','
            first=0
            printf '\n        "%s": {\n            "path": "%s",\n            "sha256": "%s"' "$key" "$path" "$sha256"
            case "$key" in live-*) ;; *) printf ',\n            "size": %s' "$size" ;; esac
            [ "$skip" = true ] && printf ',\n            "skip-compression": true'
            [ -n "$usha" ] && printf ',\n            "uncompressed-sha256": "%s",\n            "uncompressed-size": %s' "$usha" "$usize"
            printf '\n        }'
        done
        printf '\n    }\n}\n'
    } > "$d/meta.json.tmp"
    mv "$d/meta.json.tmp" "$d/meta.json"
}

resolve_build() { # [--build ID] -> sets BID BDIR
    BID=${1:-$(latest_build)}
    [ -n "$BID" ] || die "no builds found; run \`nosa build\` first"
    BDIR=builds/$BID/$ARCH
    [ -f "$BDIR/meta.json" ] || die "build $BID has no $ARCH meta.json"
}

# --- OCI archive of the build's rootfs --------------------------------------------------
json_blob() { # layout-dir content -> prints "digest size", stores blob
    printf '%s' "$2" > "$1/blob.tmp"
    h=$(sha "$1/blob.tmp"); s=$(size "$1/blob.tmp")
    mv "$1/blob.tmp" "$1/blobs/sha256/$h"
    echo "$h $s"
}

make_ociarchive() { # rootfs-dir out-file buildid -> prints layer digest
    lay=tmp/oci-layout
    rm -rf "$lay"; mkdir -p "$lay/blobs/sha256"
    tar -C "$1" -cf "$lay/layer.tar" .
    lh=$(sha "$lay/layer.tar"); ls=$(size "$lay/layer.tar")
    mv "$lay/layer.tar" "$lay/blobs/sha256/$lh"
    cfg='{"architecture":"'$OCIARCH'","os":"linux","config":{"Cmd":["/bin/sh"],"Labels":{"containers.bootc":"1","ostree.bootable":"true","org.opencontainers.image.version":"'$3'"}},"rootfs":{"type":"layers","diff_ids":["sha256:'$lh'"]},"history":[{"created":"'$(now_utc)'","created_by":"nestos-lab-double build"}]}'
    blob=$(json_blob "$lay" "$cfg")
    ch=${blob% *}; cs=${blob#* }
    man='{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:'$ch'","size":'$cs'},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:'$lh'","size":'$ls'}]}'
    blob=$(json_blob "$lay" "$man")
    mh=${blob% *}; ms=${blob#* }
    printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' "$mh" "$ms" "$3" > "$lay/index.json"
    printf '{"imageLayoutVersion":"1.0.0"}' > "$lay/oci-layout"
    tar -C "$lay" -cf "$2" oci-layout index.json blobs
    printf '%s' "$man" > "${2%.ociarchive}-manifest.json"
    rm -rf "$lay"
    echo "$lh"
}

# --- commands ------------------------------------------------------------------------
cmd_init() {
    force=0; src=
    while [ $# -gt 0 ]; do
        case "$1" in
            --force) force=1 ;;
            --transient) ;;
            -b|--branch|-c|--commit|-V|--variant|--yumrepos|--yumrepos-branch) shift ;;
            -*) die "init: unknown option $1" ;;
            *) src=$1 ;;
        esac
        shift
    done
    [ -n "$src" ] || die "init: a config source is required"
    if [ $force = 0 ] && [ -n "$(ls -A . 2>/dev/null)" ]; then
        die "init: current directory is not empty, override with --force"
    fi
    case "$src" in
        http://*|https://*|git@*|ssh://*) die "init: the lab assembler has no network and no git; mount a config checkout and pass its path" ;;
    esac
    [ -f "$src/manifest.yaml" ] || die "init: $src has no manifest.yaml (not a nestos-config checkout)"
    mkdir -p src cache builds tmp overrides/rpm overrides/rootfs
    log "Cloning config from $src into src/config"
    rm -rf src/config
    cp -a "$src" src/config
    chmod -R u+w src/config
    log "Initialized $SRV"
}

cmd_fetch() {
    need_init
    maybe_fail fetch
    log "Validating config"
    for repo in $(yaml_list lockfile-repos); do
        grep -qs "^\[$repo\]" src/config/*.repo || die "lockfile-repos names repo '$repo' but no src/config/*.repo file defines [$repo]"
    done
    for p in $(yaml_list packages) $(yaml_list "packages-$ARCH"); do
        log "Fetching package $p (lab: not downloaded)"
    done
    date -u > cache/fetched-stamp
    log "Fetch complete"
}

inputhash() {
    { find src/config overrides -type f ! -path '*/.git/*' | sort | while read -r f; do sha256sum "$f"; done; } | sha256sum | cut -d' ' -f1
}

build_extend_file() { # key -> prints file name for the build
    case "$1" in
        qemu) echo "$NAME-$BID-qemu.$ARCH.qcow2" ;;
        openstack) echo "$NAME-$BID-openstack.$ARCH.qcow2" ;;
        metal) echo "$NAME-$BID-metal.$ARCH.raw" ;;
        metal4k) echo "$NAME-$BID-metal4k.$ARCH.raw" ;;
    esac
}

media() {
    [ -f "$MEDIA/$1" ] || die "lab media $MEDIA/$1 is missing: mount the lab media into the container (run \`make lab\`)"
    echo "$MEDIA/$1"
}

extend_disk() { # key
    [ -n "${BID:-}" ] || resolve_build
    # shellcheck disable=SC1091
    . "$BDIR/.lab/base"; NAME=$name
    if [ -f "$BDIR/.lab/images/$1" ] && [ "${FORCE:-0}" = 0 ]; then
        log "$1 image already exists for build $BID"
        return 0
    fi
    f=$(build_extend_file "$1")
    log "Building $1 image $f"
    case "$1" in
        qemu|openstack) cp "$(media disk.qcow2)" "$BDIR/$f" ;;
        metal|metal4k)
            # non-bootable placeholder: a label followed by zeros
            { printf 'NESTOS-LAB-PLACEHOLDER %s %s %s\n' "$1" "$BID" "$ARCH"; } > "$BDIR/$f"
            dd if=/dev/zero bs=1024 count=1024 2>/dev/null >> "$BDIR/$f" ;;
    esac
    put_image "$BDIR" "$1" "$f" false
    render_meta "$BDIR"
}

cmd_build() {
    need_init
    force=0; targets=; version=
    while [ $# -gt 0 ]; do
        case "$1" in
            --force|--force-image) force=1 ;;
            --skip-prune|--strict|--delay-meta-merge|--prepare-only) ;;
            --tag|--parent|--parent-build) shift ;;
            --version) shift; version=$1 ;;
            container|ostree|qemu|metal|metal4k) targets="$targets $1" ;;
            secex) die "build: target secex is not covered by the lab assembler" ;;
            *) die "build: unknown argument $1" ;;
        esac
        shift
    done
    [ -n "$targets" ] || targets=qemu
    log "+ rpm-ostree compose tree --unified-core src/config/manifest.yaml (lab)"
    ih=$(inputhash)
    prev=$(latest_build)
    if [ -n "$prev" ] && [ $force = 0 ] && [ -f "builds/$prev/$ARCH/.lab/base" ]; then
        # shellcheck disable=SC1090
        prev_hash=$(. "builds/$prev/$ARCH/.lab/base"; echo "$inputhash")
        if [ "$prev_hash" = "$ih" ]; then
            log "No changes in input; latest build is $prev"
            BID=$prev; BDIR=builds/$prev/$ARCH
            for t in $targets; do
                case "$t" in qemu|metal|metal4k) FORCE=0 extend_disk "$t" ;; esac
            done
            return 0
        fi
    fi
    maybe_fail build
    releasever=$(yaml_scalar releasever)
    safe_word "$releasever" releasever
    NAME=$(rojig_name)
    safe_word "$NAME" rojig.name
    if [ -n "$version" ]; then
        BID=$version
    else
        prefix=$releasever.$(date -u +%Y%m%d)
        n=0
        while [ -d "builds/$prefix.$n" ]; do n=$((n + 1)); done
        BID=$prefix.$n
    fi
    safe_word "$BID" version
    BDIR=builds/$BID/$ARCH
    rm -rf "$BDIR" "tmp/rootfs"
    mkdir -p "$BDIR/.lab/images" tmp/rootfs/usr/bin tmp/rootfs/usr/lib tmp/rootfs/etc tmp/rootfs/tmp
    log "Committing rootfs for $NAME $BID"
    [ -z "${NOSA_LAB_DELAY:-}" ] || sleep "$NOSA_LAB_DELAY"
    cp /bin/busybox tmp/rootfs/usr/bin/busybox
    for app in sh cat ls echo mkdir rm cp touch grep sed true false; do ln -s busybox "tmp/rootfs/usr/bin/$app"; done
    ln -s usr/bin tmp/rootfs/bin
    ln -s usr/bin tmp/rootfs/sbin
    printf 'NAME="NestOS"\nVERSION="%s"\nID="nestos"\nVERSION_ID="%s"\nPRETTY_NAME="NestOS %s (lab)"\nVARIANT_ID="nestos"\nOSTREE_VERSION='"'"'%s'"'"'\n' \
        "$releasever" "$releasever" "$BID" "$BID" > tmp/rootfs/usr/lib/os-release
    cp tmp/rootfs/usr/lib/os-release tmp/rootfs/etc/os-release
    for d in src/config/overlay.d/*/; do
        [ -d "$d" ] && cp -a "$d." tmp/rootfs/
    done
    overrides=false
    if [ -n "$(ls -A overrides/rootfs 2>/dev/null)" ]; then cp -a overrides/rootfs/. tmp/rootfs/; overrides=true; fi
    oci=$NAME-$BID-ostree.$ARCH.ociarchive
    log "Writing OCI archive $oci"
    commit=$(make_ociarchive tmp/rootfs "$BDIR/$oci" "$BID")
    rm -rf tmp/rootfs
    ts=$(now_utc)
    summary=$(sed -n '/^rojig:/,/^[^ ]/s/^ *summary: *//p' src/config/manifests/*.yaml 2>/dev/null | head -n1 | tr -d '"')
    stream=$(awk '/^variables:/ {v=1; next} v && /^[^ ]/ {v=0} v && $1 == "stream:" {print $2; exit}' src/config/manifest.yaml)
    printf 'buildid=%s\nname=%s\nsummary='"'"'%s'"'"'\nref=%s\ncommit=%s\ntimestamp=%s\ninputhash=%s\noverrides=%s\n' \
        "$BID" "$NAME" "${summary:-NestOS}" "openEuler/$ARCH/$NAME/${stream:-stable}" "$commit" "$ts" "$ih" "$overrides" > "$BDIR/.lab/base"
    put_image "$BDIR" ostree "$oci" true
    put_image "$BDIR" oci-manifest "${oci%.ociarchive}-manifest.json" true
    render_meta "$BDIR"
    { echo "$BID"; all_builds | grep -vx "$BID" || true; } | write_builds_json
    ln -sfn "$BID" builds/latest
    log "New build $BID"
    for t in $targets; do
        case "$t" in qemu|metal|metal4k) FORCE=1 extend_disk "$t" ;; esac
    done
}

cmd_buildextend() { # key args...
    key=$1; shift
    b=; FORCE=0; fast=0
    while [ $# -gt 0 ]; do
        case "$1" in
            --build) shift; b=$1 ;;
            --force) FORCE=1 ;;
            --fast) fast=1 ;;
            --fixture|--compress|--skip-compression) ;;
            *) die "buildextend-$key: unknown argument $1" ;;
        esac
        shift
    done
    need_init
    resolve_build "$b"
    maybe_fail "buildextend-$key"
    if [ "$key" != live ]; then extend_disk "$key"; return 0; fi
    if [ $fast = 0 ]; then
        [ -f "$BDIR/.lab/images/metal" ] || die "Live image generation requires \`metal\` image"
        [ -f "$BDIR/.lab/images/metal4k" ] || die "Live image generation requires \`metal4k\` image (use --fast to ignore)"
    fi
    if [ -f "$BDIR/.lab/images/live-iso" ] && [ $FORCE = 0 ]; then
        log "Image live-iso already exists for build $BID"
        return 0
    fi
    # shellcheck disable=SC1091
    . "$BDIR/.lab/base"
    log "Generating live ISO and PXE media"
    cp "$(media live.iso)" "$BDIR/$name-$BID-live.$ARCH.iso"
    cp "$(media live-kernel)" "$BDIR/$name-$BID-live-kernel-$ARCH"
    cp "$(media live-initramfs.img)" "$BDIR/$name-$BID-live-initramfs.$ARCH.img"
    cp "$(media live-rootfs.img)" "$BDIR/$name-$BID-live-rootfs.$ARCH.img"
    put_image "$BDIR" live-iso "$name-$BID-live.$ARCH.iso" true
    put_image "$BDIR" live-kernel "$name-$BID-live-kernel-$ARCH" true
    put_image "$BDIR" live-initramfs "$name-$BID-live-initramfs.$ARCH.img" true
    put_image "$BDIR" live-rootfs "$name-$BID-live-rootfs.$ARCH.img" true
    render_meta "$BDIR"
}

cmd_compress() { # also uncompress with mode=un
    mode=$1; shift
    b=; fast=0; only=; comp=gzip
    while [ $# -gt 0 ]; do
        case "$1" in
            --build) shift; b=$1 ;;
            --artifact) shift; only="$only $1" ;;
            --fast) fast=1 ;;
            --compressor) shift; comp=$1 ;;
            *) die "$mode""compress: unknown argument $1" ;;
        esac
        shift
    done
    [ "$comp" = gzip ] || die "compress: compressor $comp is not available in the lab assembler (gzip only)"
    need_init
    resolve_build "$b"
    maybe_fail "${mode}compress"
    changed=0
    for f in "$BDIR"/.lab/images/*; do
        key=${f##*/}
        if [ -n "$only" ]; then case " $only " in *" $key "*) ;; *) continue ;; esac; fi
        # shellcheck disable=SC1090
        . "$f"
        [ "$skip" = true ] && continue
        if [ "$mode" = "" ]; then
            [ -n "$usha" ] && continue
            log "Compressing $path"
            if [ $fast = 1 ]; then gzip -1 -c "$BDIR/$path" > "$BDIR/$path.gz"; else gzip -6 -c "$BDIR/$path" > "$BDIR/$path.gz"; fi
            rm -f "$BDIR/$path"
            printf 'path=%s\nsha256=%s\nsize=%s\nskip=false\nusha=%s\nusize=%s\n' "$path.gz" "$(sha "$BDIR/$path.gz")" "$(size "$BDIR/$path.gz")" "$sha256" "$size" > "$f"
        else
            [ -n "$usha" ] || continue
            log "Uncompressing $path"
            plain=${path%.gz}
            gzip -d -c "$BDIR/$path" > "$BDIR/$plain"
            got=$(sha "$BDIR/$plain")
            [ "$got" = "$usha" ] || die "uncompress: $plain has sha256 $got, meta.json says $usha"
            rm -f "$BDIR/$path"
            put_image "$BDIR" "$key" "$plain" false
        fi
        changed=1
        render_meta "$BDIR"
    done
    [ $changed = 1 ] || log "Nothing to ${mode}compress in build $BID"
}

cmd_list() {
    for id in $(all_builds); do
        echo "$id"
        d=builds/$id/$ARCH
        echo "   $ARCH"
        for f in "$d"/.lab/images/*; do
            [ -f "$f" ] || continue
            echo "      ${f##*/}"
        done
    done
}

cmd_prune() {
    keep=3; dry=0
    while [ $# -gt 0 ]; do
        case "$1" in
            --keep-last-n|--keep) shift; keep=$1 ;;
            --dry-run) dry=1 ;;
            --pkgcache) ;;
            *) die "prune: unknown argument $1" ;;
        esac
        shift
    done
    n=0; kept=
    for id in $(all_builds); do
        n=$((n + 1))
        if [ $n -le "$keep" ]; then kept="$kept $id"; continue; fi
        log "Pruning build $id"
        [ $dry = 1 ] || rm -rf "builds/$id"
    done
    [ $dry = 1 ] || for id in $kept; do echo "$id"; done | write_builds_json
}

cmd_clean() {
    rm -rf builds/* tmp/*
    [ "${1:-}" = --all ] && rm -rf cache/*
    log "Cleaned"
}

not_covered() { die "command $1 is not covered by the lab assembler (no VM, no network)"; }

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
    init) cmd_init "$@" ;;
    fetch) cmd_fetch "$@" ;;
    build) cmd_build "$@" ;;
    buildextend-live) cmd_buildextend live "$@" ;;
    buildextend-metal) cmd_buildextend metal "$@" ;;
    buildextend-metal4k) cmd_buildextend metal4k "$@" ;;
    buildextend-qemu) cmd_buildextend qemu "$@" ;;
    buildextend-openstack) cmd_buildextend openstack "$@" ;;
    compress) cmd_compress "" "$@" ;;
    uncompress|decompress) cmd_compress un "$@" ;;
    list) cmd_list ;;
    prune) cmd_prune "$@" ;;
    clean) cmd_clean "$@" ;;
    basearch) basearch ;;
    shell) exec /bin/sh "$@" ;;
    aliyun-replicate|aws-replicate|buildinitramfs-fast|dev-overlay|dev-synthesize-osupdate|\
    dev-synthesize-osupdatecontainer|koji-upload|oc-adm-release|powervs-replicate|remote-prune|sign|\
    update-variant|upload-oscontainer|buildextend-aliyun|buildextend-applehv|buildextend-aws|\
    buildextend-azure|buildextend-azurestack|buildextend-dasd|buildextend-digitalocean|\
    buildextend-exoscale|buildextend-gcp|buildextend-hyperv|buildextend-ibmcloud|buildextend-kubevirt|\
    buildextend-nutanix|buildextend-powervs|buildextend-virtualbox|buildextend-vmware|buildextend-vultr)
        echo "Command $cmd is not applicable to NestOS" >&2; exit 1 ;;
    "") die "usage: nosa <command> [args]" ;;
    *) not_covered "$cmd" ;;
esac
