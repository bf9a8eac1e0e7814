# The image repository: format from magic bytes, virtual size from headers,
# size and sha256 recorded; import into a pool that leaves nothing behind
# when it fails; verify; and the rules that protect images that instances,
# disks and other images were made from.
. "$(dirname "$0")/lib.sh"

qemu-img create -q -f qcow2 "$T/disk.qcow2" 1G
head -c 40960 /dev/zero >"$T/boot.iso"
printf '\1CD001\1' | dd of="$T/boot.iso" bs=1 seek=$((0x8000)) conv=notrunc 2>/dev/null
head -c 5000 /dev/urandom >"$T/plain.img"
printf 'QFI\373\0\0\0\3' >"$T/fake.qcow2"
head -c 100 /dev/zero >>"$T/fake.qcow2"
printf '\377\377\377\377\377\377\377\377' | dd of="$T/fake.qcow2" bs=1 seek=24 conv=notrunc 2>/dev/null

# qemu-img's own answer for the virtual size of a file.
qvsize() { qemu-img info --output=json "$1" | jq '."virtual-size"'; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

hv image add c9 --file "$T/disk.qcow2" --kind template --os centos9 --arch x86_64 --tag tier=gold
t_status 0 "image add of a qcow2 file"
hv image show c9 -o json
t_eq "$(printf '%s' "$out" | jq -r .format)" "qcow2" "format detected from magic"
t_eq "$(printf '%s' "$out" | jq -r .size)" "$(stat -c %s "$T/disk.qcow2")" "size recorded"
t_eq "$(printf '%s' "$out" | jq -r .virtual_size)" "$(qvsize "$T/disk.qcow2")" "image add records the virtual size"
t_eq "$(printf '%s' "$out" | jq -r .sha256)" "$(sha "$T/disk.qcow2")" "sha256 recorded"
t_eq "$(printf '%s' "$out" | jq -r .location)" "$(realpath "$T/disk.qcow2")" "absolute location recorded"
t_eq "$(printf '%s' "$out" | jq -r .owner)" "$(id -un)" "owner defaults to the user"

hv image add boot --file "$T/boot.iso" --kind iso
t_status 0 "image add of an ISO"
hv image show boot -o json
t_eq "$(printf '%s' "$out" | jq -r .format)" "iso" "ISO detected"
t_eq "$(printf '%s' "$out" | jq -r .virtual_size)" "40960" "an ISO's virtual size is its size"

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
hv image add fake --file "$T/fake.qcow2" --kind disk
t_status 1 "a qcow2 header claiming a huge size is refused"
t_err "fake.qcow2: qcow2 header claims" "with the reason"

hv image list --filter 'format=qcow2 and size>1K' --no-header --columns name
t_eq "$out" "c9" "filter on detected format and size"
hv image list --no-header --columns name,size,virtual_size --filter 'name=c9'
t_out '^c9 +[0-9.]+ KiB +1\.0 GiB$' "list shows file size and virtual size as separate columns"
hv image list
t_out 'VIRTUAL_SIZE' "virtual size is a default column"
hv image set c9 --os rocky9 --untag tier
hv image show c9 -o json
t_eq "$(printf '%s' "$out" | jq -r '.os + "/" + (.tags|tostring)')" "rocky9/null" "image set"

# --- import into a secondary pool ---
P="$T/pool"
mkdir "$P"
hv image import early --file "$T/plain.img"
t_status 1 "import without a secondary pool is refused"
t_err "no secondary pool" "and says why"
hv pool add sec --role secondary --type dir --path "$P"
t_status 0 "pool add secondary"

qemu-img create -q -f vmdk "$T/src.vmdk" 100M
qemu-img create -q -f vpc "$T/dyn.vhd" 64M
qemu-img create -q -f vpc -o subformat=fixed "$T/fixed.vhd" 10M
qemu-img create -q -f qcow2 "$T/src.qcow2" 2G
qemu-io -c 'write -P 0x5a 0 3M' "$T/src.qcow2" >/dev/null 2>&1
dd if=/dev/urandom of="$T/src.raw" bs=1M count=3 2>/dev/null
dd if=/dev/zero of="$T/src.iso" bs=1k count=64 2>/dev/null
printf '\1CD001\1' | dd of="$T/src.iso" bs=1 seek=$((0x8000)) conv=notrunc 2>/dev/null
printf '.encoding = "UTF-8"\nconfig.version = "8"\nvirtualHW.version = "19"\n' >"$T/src.vmx"

# import_ok NAME FILE FORMAT VSIZE: imports and checks the record and the copy.
import_ok() {
	hv image import "$1" --file "$2"
	t_status 0 "import $3"
	hv image show "$1" -o json
	t_eq "$(printf '%s' "$out" | jq -r .format)" "$3" "$3: format detected"
	t_eq "$(printf '%s' "$out" | jq -r .sha256)" "$(sha "$2")" "$3: sha256 equals sha256sum's"
	t_eq "$(printf '%s' "$out" | jq -r .virtual_size)" "$4" "$3: virtual size"
	t_eq "$(printf '%s' "$out" | jq -r .location)" "$(realpath "$P")/$1.$3" "$3: the file lands in the pool as NAME.FORMAT"
	t_eq "$(printf '%s' "$out" | jq -r .pool)" "sec" "$3: the pool is recorded"
	t_true "$3: the copy is identical" cmp -s "$2" "$P/$1.$3"
}
import_ok iq "$T/src.qcow2" qcow2 "$(qvsize "$T/src.qcow2")"
import_ok ivmdk "$T/src.vmdk" vmdk "$(qvsize "$T/src.vmdk")"
import_ok idyn "$T/dyn.vhd" vhd "$(qvsize "$T/dyn.vhd")"
# A fixed VHD: the disk is the data before the footer, as the footer says
# (qemu-img counts the footer in too).
import_ok ifix "$T/fixed.vhd" vhd "$(( $(stat -c %s "$T/fixed.vhd") - 512 ))"
import_ok iraw "$T/src.raw" raw "$(stat -c %s "$T/src.raw")"
import_ok iiso "$T/src.iso" iso "$(stat -c %s "$T/src.iso")"
hv image import ivmx --file "$T/src.vmx" --kind template
t_status 0 "import vmx"
hv image show ivmx -o json
t_eq "$(printf '%s' "$out" | jq -r '.format + "/" + (.virtual_size|tostring)')" "vmx/null" "a .vmx holds no single disk"
t_eq "$(stat -c %a "$P/iq.qcow2")" "644" "imported files are mode 0644"
hv image show iiso -o json
t_eq "$(printf '%s' "$out" | jq -r .kind)" "iso" "an imported ISO is kind iso by default"

hv image import vq --file "$T/src.qcow2" --format vmdk
t_status 1 "import with --format contradicting the magic is refused"
t_err "qcow2 by its contents" "and says what the file is"
t_eq "$(ls -A "$P" | grep -c '^vq\|^\.vq')" "0" "and leaves no file"
hv image import iq --file "$T/src.raw"
t_status 1 "import under a taken name is refused"

ls -A "$P" | sort >"$T/pool.before"
hv image list --no-header --columns name
before=$out
hv image import missing --file "$T/nosuch"
t_status 1 "import of a missing file fails"
hv image import adir --file "$T"
t_status 1 "import of a directory fails"
t_err "not a regular file" "and says why"
hv image import bad --file "$T/fake.qcow2"
t_status 1 "import of a hostile header fails"
mkdir "$T/ro"
if [ "$(id -u)" -ne 0 ]; then
	chmod 555 "$T/ro"
	ro="$T/ro"
else
	# root writes through mode bits: use a directory nobody may create in.
	ro=/sys
fi
hv pool add ro --role secondary --type dir --path "$ro"
hv image import rofile --file "$T/src.raw" --pool ro
t_status 1 "import into a read-only pool directory fails"
hv image import two --file "$T/src.raw"
t_status 1 "with two secondary pools, import wants --pool"
t_err "several secondary pools" "and says so"
hv pool remove ro --yes
t_eq "$(ls -A "$P" | sort)" "$(cat "$T/pool.before")" "failed imports leave no file in the pool"
t_eq "$(ls -A "$ro" | grep -c import)" "0" "nor in the read-only directory"
hv image list --no-header --columns name
t_eq "$out" "$before" "nor any record"

# Ctrl-C during an import from a pipe that stalls: nothing is left.
mkfifo "$T/fifo"
(head -c 3000000 /dev/urandom; sleep 30) >"$T/fifo" &
writer=$!
"$HVSH" image import slow --file "$T/fifo" >"$T/.out" 2>"$T/.err" &
importer=$!
for _ in $(seq 100); do
	ls -A "$P" | grep -q '^\.slow\.import' && break
	sleep 0.1
done
t_true "the import writes a temporary file first" sh -c "ls -A '$P' | grep -q '^\.slow\.import'"
kill -INT "$importer"
wait "$importer"
status=$?
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
err=$(cat "$T/.err")
t_status 130 "an interrupted import fails with the status of a Ctrl-C"
t_err "interrupted" "and says so"
t_eq "$(ls -A "$P" | grep -c slow)" "0" "an interrupted import leaves no file"
hv image show slow
t_status 1 "and no record"

# --- verify ---
hv image verify iq iraw
t_status 0 "verify of intact images"
t_out '^image iq: ok$' "one line per image"
cp "$P/iraw.raw" "$T/iraw.keep"
printf 'X' | dd of="$P/iraw.raw" bs=1 seek=1000 conv=notrunc 2>/dev/null
cmp -s "$P/iraw.raw" "$T/iraw.keep" && printf 'Y' | dd of="$P/iraw.raw" bs=1 seek=1000 conv=notrunc 2>/dev/null
hv image verify
t_status 1 "verify finds a changed byte"
t_err "image iraw: MISMATCH" "and names the image"
t_out '^image iq: ok$' "the others are still checked"
mv "$P/ivmdk.vmdk" "$T/ivmdk.keep"
hv image verify ivmdk iq
t_status 1 "verify finds a missing file"
t_err "image ivmdk: missing" "and names the image"
mv "$T/ivmdk.keep" "$P/ivmdk.vmdk"
cp "$T/iraw.keep" "$P/iraw.raw"
hv image verify
t_status 0 "all good again"

# --- remove ---
"$HVSH_BUILD/tools/store-add" "$HVSH_HOME" vm web1 image=iq
"$HVSH_BUILD/tools/store-add" "$HVSH_HOME" volume d1 image=iq
"$HVSH_BUILD/tools/store-add" "$HVSH_HOME" image child kind=disk format=qcow2 parent=iq
hv image remove iq --yes
t_status 1 "an image things were made from is not removed"
t_err "1 vm \(web1\)" "the refusal names the instance"
t_err "1 volume \(d1\)" "the disk"
t_err "1 image \(child\)" "and the image"
t_true "its file stays" test -f "$P/iq.qcow2"
hv image remove iq --force --yes
t_status 0 "image remove --force"
t_true "the imported file is deleted" test ! -e "$P/iq.qcow2"
hv vm show web1 -o json
t_eq "$(printf '%s' "$out" | jq -r .image)" "null" "the instance forgot the image"
hv image show child -o json
t_eq "$(printf '%s' "$out" | jq -r .parent)" "null" "so did the image made from it"
hv store check
t_status 0 "store consistent after forced removal"
hv image remove iraw
t_status 2 "a script must say --yes to remove an image"
t_true "and nothing is deleted" test -f "$P/iraw.raw"
hv image remove iraw --yes
t_status 0 "an unused imported image is removed"
t_true "with its file" test ! -e "$P/iraw.raw"
hv image remove c9 --yes
t_status 0 "an added image is removed"
t_true "but a file outside the pool stays" test -f "$T/disk.qcow2"

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
t_err "used by 6 vms \(" "the reason counts them and names them"
hv host remove h0 --yes
t_status 1 "a host with instances is not removed"
hv image remove img0 --force --yes
t_status 0 "image remove --force"
hv vm list -o json
t_eq "$(printf '%s' "$out" | jq -r '[.[] | select(.name != "web1") | .image] | unique | tostring')" '[null]' "instances forgot the removed image"
t_eq "$(printf '%s' "$out" | jq length)" "7" "and are all still there"
hv store check
t_status 0 "store consistent after forced removal"
