#!/bin/bash
# dev show iso: descriptors and records as upstream prints them (checked against isoinfo, an
# independent reader), and the embed-area headers.
source "$(dirname "$0")/lib.sh"
$NI dev show iso "${iso}" > inspect.json
jq -e '.header.descriptors|length > 0' inspect.json > /dev/null
jq -e '.header.descriptors[]|select(.type == "primary")' inspect.json > /dev/null
same "$(jq -r '.header.descriptors[]|select(.type == "primary")|.volume_id' inspect.json)" \
     "$(isoinfo -d -i "${iso}" | sed -n 's/^Volume id: //p')" "volume id"
same "$(jq -r '.header.descriptors[]|select(.type == "primary")|.volume_space_size' inspect.json)" \
     "$(isoinfo -d -i "${iso}" | sed -n 's/^Volume size is: //p')" "volume size"
if isoinfo -d -i "${iso}" | grepq "El Torito"; then
    jq -e '.header.descriptors[]|select(.type == "boot")|.boot_system_id|contains("EL TORITO")' inspect.json > /dev/null
fi
# every path isoinfo lists (ISO 9660 names without ;1 and trailing dots) is in the records
isoinfo -f -i "${iso}" | sed -e 's/;1$//' -e 's/\.$//' -e 's|^/||' | sort > want.txt
jq -r '.records[]' inspect.json | sort > got.txt
diff want.txt got.txt || fatal "records differ from isoinfo -f"
if [ "${LIVE:-1}" = 1 ]; then
    $NI dev show iso --ignition "${iso}" | jq -e '.offset > 0 and .length > 0' > /dev/null
    rc=0; $NI dev show iso --ignition --kargs "${iso}" 2> err.txt || rc=$?
    same "${rc}" 2 "--ignition with --kargs is a usage error"
fi
echo "Success."
