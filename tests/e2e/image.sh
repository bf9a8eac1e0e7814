# The image repository: format from magic bytes, size and sha256 recorded,
# and the rules that protect images and hosts that instances use.
. "$(dirname "$0")/lib.sh"

printf 'QFI\xfb\0\0\0\3' >"$T/disk.qcow2"
head -c 100000 /dev/urandom >>"$T/disk.qcow2"
head -c 40960 /dev/zero >"$T/boot.iso"
printf '\1CD001\1' | dd of="$T/boot.iso" bs=1 seek=$((0x8000)) conv=notrunc 2>/dev/null
head -c 5000 /dev/urandom >"$T/plain.img"

hv image add c9 --file "$T/disk.qcow2" --kind template --os centos9 --arch x86_64 --tag tier=gold
t_status 0 "image add of a qcow2 file"
hv image show c9 -o json
t_eq "$(printf '%s' "$out" | jq -r .format)" "qcow2" "format detected from magic"
t_eq "$(printf '%s' "$out" | jq -r .size)" "$(stat -c %s "$T/disk.qcow2")" "size recorded"
t_eq "$(printf '%s' "$out" | jq -r .sha256)" "$(sha256sum "$T/disk.qcow2" | cut -d' ' -f1)" "sha256 recorded"
t_eq "$(printf '%s' "$out" | jq -r .location)" "$(realpath "$T/disk.qcow2")" "absolute location recorded"
t_eq "$(printf '%s' "$out" | jq -r .owner)" "$(id -un)" "owner defaults to the user"

hv image add boot --file "$T/boot.iso" --kind iso
t_status 0 "image add of an ISO"
hv image show boot -o json
t_eq "$(printf '%s' "$out" | jq -r .format)" "iso" "ISO detected"

hv image add wrong --file "$T/disk.qcow2" --kind disk --format raw
t_status 1 "a format that contradicts the magic is refused"
t_err "qcow2 by its contents" "the refusal says what the file is"
hv image add notiso --file "$T/plain.img" --kind iso
t_status 1 "kind iso needs an ISO file"
hv image add flat --file "$T/plain.img" --kind disk --format vmdk
t_status 0 "a headerless file may be called a flat format"
hv image add gone --file "$T/nosuch" --kind disk
t_status 1 "a missing file is refused"
t_err "nosuch" "and named"
hv image add dir --file "$T" --kind disk
t_status 1 "a directory is refused"

hv image list --filter 'format=qcow2 and size>1K' --no-header --columns name
t_eq "$out" "c9" "filter on detected format and size"
hv image set c9 --os rocky9 --untag tier
hv image show c9 -o json
t_eq "$(printf '%s' "$out" | jq -r '.os + "/" + (.tags|tostring)')" "rocky9/null" "image set"

# Instances made from an image and placed on a host protect both.
"$HVSH_BUILD/tools/seed" "$HVSH_HOME" --hosts 2 --vms 6 --images 1 >/dev/null 2>&1
t_true "seed tool made instances" test "$?" -eq 0
hv vm list --filter 'host=h1' --no-header --columns name,host
t_eq "$(printf '%s\n' "$out" | awk '{print $2}' | sort -u)" "h1" "vm list --filter host= shows only that host"
t_eq "$(printf '%s\n' "$out" | wc -l)" "3" "three instances on h1"
hv vm list --filter 'host=nosuch' --no-header
t_eq "$out" "" "filter on a missing host lists nothing"
hv image remove img0 --yes
t_status 1 "an image instances use is not removed"
t_err "used by 6 vms" "the reason counts them"
hv host remove h0 --yes
t_status 1 "a host with instances is not removed"
hv image remove img0 --force --yes
t_status 0 "image remove --force"
hv vm list -o json
t_eq "$(printf '%s' "$out" | jq -r '[.[].image] | unique | tostring')" '[null]' "instances forgot the removed image"
t_eq "$(printf '%s' "$out" | jq length)" "6" "and are all still there"
hv store check
t_status 0 "store consistent after forced removal"
