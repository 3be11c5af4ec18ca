#!/bin/bash
# iso extract pxe (files named <stem>-<lowercased name>, same bytes as in the ISO, never
# overwritten) and iso extract minimal-iso (MINISO=1: stream and file agree, liveiso karg
# dropped, rootfs URL injected, corrupt and customized images refused; with MINISO_ERROR=TEXT
# refused with TEXT).
source "$(dirname "$0")/lib.sh"
prefix=${FLAVOUR:-coreos}

$NI iso extract pxe -o pxe "${iso}" > listed.txt
[ -s listed.txt ] || fatal "nothing extracted"
while read -r path; do
    name=$(basename "${path}"); name=${name#test-}
    upper=$(echo "${name}" | tr '[:lower:]' '[:upper:]')
    # ground truth from xorriso, an independent ISO 9660 reader
    xorriso -indev "${iso}" -osirrox on -extract "/IMAGES/PXEBOOT/${upper}" "want-${name}" > /dev/null 2>&1 \
        || xorriso -indev "${iso}" -osirrox on -extract "/images/pxeboot/${name}" "want-${name}" > /dev/null 2>&1 \
        || fatal "xorriso cannot read ${name}"
    cmp "${path}" "want-${name}" || fatal "${path} differs from the ISO's copy"
done < listed.txt
must_fail "File exists" $NI iso extract pxe -o pxe "${iso}"

if [ -n "${MINISO_ERROR:-}" ]; then
    must_fail "${MINISO_ERROR}" $NI iso extract minimal-iso "${iso}" minimal.iso
    [ ! -e minimal.iso ] || fatal "refused extraction left an output file"
    echo "Success."
    exit 0
fi
rootfs_hash=$(digest pxe/test-rootfs.img)
$NI iso extract minimal-iso "${iso}" out
mini_hash=$(digest out)
$NI iso kargs show "${iso}" | grepq "${prefix}.liveiso="
if $NI iso kargs show out | grepq "${prefix}.liveiso="; then fatal "minimal ISO kept the liveiso karg"; fi
same "$($NI iso kargs show --default out)" "$($NI iso kargs show out)" "minimal ISO default kargs"
$NI iso extract minimal-iso "${iso}" > out2
same "$(digest out2)" "${mini_hash}" "stream vs file"
rm out out2
$NI iso extract minimal-iso "${iso}" out --output-rootfs rootfs
same "$(digest out)" "${mini_hash}" "with --output-rootfs"
same "$(digest rootfs)" "${rootfs_hash}" "rootfs"
must_fail "File exists" $NI iso extract minimal-iso "${iso}" out
rm out
must_fail "File exists" $NI iso extract minimal-iso "${iso}" out --output-rootfs rootfs
[ ! -e out ] || fatal "refused extraction left an output file"
$NI iso extract minimal-iso --rootfs-url https://example.com/rootfs "${iso}" out
$NI iso kargs show out | grepq "${prefix}.live.rootfs_url=https://example.com/rootfs"
same "$($NI iso extract minimal-iso --rootfs-url https://example.com/rootfs "${iso}" | digest)" "$(digest out)" "rootfs URL stream vs file"
must_fail "forbidden whitespace" $NI iso extract minimal-iso --rootfs-url "a b" "${iso}" other.iso
# a corrupt image fails the digest check and leaves nothing behind
sed "s/${prefix}.liveiso/codeos.liveiso/" "${iso}" > corrupt
rm out
must_fail "wrong final digest" $NI iso extract minimal-iso corrupt out
[ ! -e out ] || fatal "failed extraction left an output file"
# a customized image is refused until reset
$NI iso kargs modify -a foo=bar "${iso}"
must_fail "Cannot operate on ISO with embedded customizations" $NI iso extract minimal-iso "${iso}" out
$NI iso reset "${iso}"
$NI iso extract minimal-iso "${iso}" out
same "$(digest out)" "${mini_hash}" "after reset"
echo "Success."
