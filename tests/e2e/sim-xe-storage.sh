# sim-xe-storage.sh: the xe simulator's storage commands (vdi-create,
# -resize, -import, -export, -copy, -destroy, vbd-*, vm-cd-add, sr-list
# sizes, snapshots and vm-uninstall's owned disks) against
# tests/data/hv-formats/xe-storage.txt and xe.md: outputs, error texts,
# exit statuses, stdout/stderr. Runs the simulator directly.
. "$(dirname "$0")/lib.sh"

SIM=${HVSH_SRC:?HVSH_SRC must name the source tree}/tests/lab/sim
D=$HVSH_SRC/tests/data/hv-formats/xe-storage.txt
export HVSH_SIM_SPEED=0 HVSH_SIM_STATE=$T/state
unset HVSH_SIM_HOSTNAME HVSH_SIM_XE_LEGACY HVSH_SIM_MEMORY HVSH_SIM_CPUS
mkdir -p "$HVSH_SIM_STATE"

xe() {
	_cmd="xe $*"
	"$SIM/xe" "$@" >"$T/o" 2>"$T/e"
	status=$?
	out=$(cat "$T/o")
	err=$(cat "$T/e")
}
# want MARKER: the block of the data file after "=== MARKER", with the
# placeholders <uuid> filled from $1.
want() {
	awk -v m="=== $1" 'index($0, "=== ") == 1 { on = index($0, m) == 1; next }
	    on' "$D" | sed "s/<uuid>/${2:-}/g" >"$T/want"
}
t_same() {
	if cmp -s "$1" "$2"; then _ok "$3"; else
		_nok "$3"; diff "$2" "$1" | sed 's/^/#   /'; fi
}
t_nostdout() { if [ ! -s "$T/o" ]; then _ok "$1"; else _nok "$1 (stdout not empty)"; fi; }
t_nostderr() { if [ ! -s "$T/e" ]; then _ok "$1"; else _nok "$1 (stderr not empty)"; fi; }

xe pool-list params=default-SR --minimal
sr=$out
xe sr-list uuid="$sr" params=physical-size,physical-utilisation
t_eq "$out" "physical-utilisation ( RO)    : 0
           physical-size ( RO): 1099511627776" \
    "sr-list physical-size and physical-utilisation, in record order"

xe vdi-create sr-uuid="$sr" name-label=d1 virtual-size=1GiB
t_status 0 "vdi-create"
t_out '^[0-9a-f-]{36}$' "prints the new uuid"
v=$out
xe sr-list uuid="$sr" params=physical-utilisation --minimal
t_eq "$out" 1073741824 "the SR's use counts the VDI"

xe vdi-resize uuid="$v" disk-size=2GiB
t_status 0 "vdi-resize grows"
t_nostdout "vdi-resize prints nothing"
xe vdi-param-get uuid="$v" param-name=virtual-size
t_eq "$out" 2147483648 "to 2 GiB"
xe vdi-resize uuid="$v" disk-size=1GiB
t_status 1 "vdi-resize does not shrink"
want "xe vdi-resize"
t_same "$T/e" "$T/want" "with SR_BACKEND_FAILURE_79 on stderr"
t_nostdout "and nothing on stdout"
xe vdi-resize uuid=nosuch disk-size=1GiB
t_err '^The uuid you supplied was invalid\.$' "vdi-resize of a bad uuid"

xe vdi-export uuid="$v" filename="$T/d1.vhd" format=vhd
t_status 0 "vdi-export format=vhd"
t_nostdout "prints nothing"
t_eq "$(head -c 8 "$T/d1.vhd")" conectix "writes a VHD (footer copy first)"
t_eq "$(tail -c 512 "$T/d1.vhd" | head -c 8)" conectix "with its footer last"
t_eq "$(tail -c 512 "$T/d1.vhd" | od -An -tx1 -j48 -N8 | tr -d ' \n')" \
    0000000080000000 "whose current size is the VDI's 2 GiB"
xe vdi-export uuid="$v" filename="$T/d1.raw" format=raw
t_eq "$(stat -c %s "$T/d1.raw")" 2147483648 "vdi-export format=raw: a raw image"
xe vdi-export uuid="$v" filename="$T/nodir/x.vhd"
t_status 1 "vdi-export into a missing directory fails"

xe vdi-create sr-uuid="$sr" name-label=d2 virtual-size=2GiB
v2=$out
xe vdi-import uuid="$v2" filename="$T/d1.vhd" format=vhd
t_status 0 "vdi-import of a VHD that fits"
t_nostdout "prints nothing"
xe vdi-create sr-uuid="$sr" name-label=small virtual-size=1MiB
small=$out
xe vdi-import uuid="$small" filename="$T/d1.vhd" format=vhd
t_status 1 "vdi-import into a VDI too small fails"
want "xe vdi-import uuid=<vdi \"small\"" "$small"
t_same "$T/e" "$T/want" "with VDI_TOO_SMALL"
xe vdi-import uuid="$v2" filename=/nonexistent.vhd format=vhd
t_status 1 "vdi-import of a missing file fails"
want "xe vdi-import uuid=<vdi> filename=/nonexistent.vhd"
t_same "$T/e" "$T/want" "Failed to read file"
printf 'not a vhd' >"$T/bad.vhd"
xe vdi-import uuid="$v2" filename="$T/bad.vhd" format=vhd
t_status 1 "vdi-import of a file that is no VHD fails"
head -c 4096 /dev/zero >"$T/small.raw"
xe vdi-import uuid="$small" filename="$T/small.raw"
t_status 0 "vdi-import of a raw file (the default format)"

xe vdi-copy uuid="$v" sr-uuid="$sr"
t_status 0 "vdi-copy"
t_out '^[0-9a-f-]{36}$' "prints the copy's uuid"
cp=$out
xe vdi-param-get uuid="$cp" param-name=virtual-size
t_eq "$out" 2147483648 "the copy has the size"

xe vm-install template="Other install media" new-name-label=vm1
vm=$out
xe vbd-create vm-uuid="$vm" vdi-uuid="$v2" device=0 bootable=true mode=RW \
    type=Disk
root=$out
xe vbd-param-set uuid="$root" other-config:owner=true
xe vbd-create vm-uuid="$vm" vdi-uuid="$v" device=autodetect mode=RW type=Disk
t_status 0 "vbd-create device=autodetect"
data=$out
xe vbd-list uuid="$data" params=userdevice --minimal
t_eq "$out" 1 "takes the first free userdevice"
xe vbd-plug uuid="$data"
t_status 1 "vbd-plug into a halted VM fails"
t_err '^expected: running$' "VM_BAD_POWER_STATE, expected running"
xe vm-start uuid="$vm"
xe vbd-list uuid="$data" params=currently-attached --minimal
t_eq "$out" true "vm-start plugs the VBDs"
xe vdi-resize uuid="$v" disk-size=3GiB
t_status 1 "vdi-resize of an attached VDI without online=true fails"
t_err '^This operation cannot be performed because this VDI is in use' \
    "with VDI_IN_USE"
xe vdi-resize uuid="$v" disk-size=3GiB online=true
t_status 0 "vdi-resize online=true of an attached VDI"
xe vbd-unplug uuid="$data"
t_status 0 "vbd-unplug"
xe vbd-list uuid="$data" params=currently-attached --minimal
t_eq "$out" false "unplugged"
xe vbd-plug uuid="$data"
t_status 0 "vbd-plug into a running VM"

truncate -s 1M "$T/boot.iso"
xe vm-cd-add uuid="$vm" cd-name="$T/boot.iso" device=3
t_status 0 "vm-cd-add of an ISO file by path"
t_nostdout "prints nothing"
xe vbd-list vm-uuid="$vm" type=CD params=userdevice,mode,currently-attached
t_out '^userdevice \( RW\) *: 3$' "a CD on device 3"
t_out 'mode \( RW\): RO' "read-only"
t_out 'currently-attached \( RO\): true' "plugged as the VM runs"
xe vm-cd-add uuid="$vm" cd-name=nosuch.iso device=3
t_status 1 "vm-cd-add of an unknown CD fails"
want "xe vm-cd-add"
t_same "$T/e" "$T/want" "CD not found"

xe vm-snapshot uuid="$vm" new-name-label=s1 new-name-description=one
t_status 0 "vm-snapshot"
s1=$out
xe vm-checkpoint uuid="$vm" new-name-label=c1
t_status 0 "vm-checkpoint"
c1=$out
xe snapshot-list snapshot-of="$vm" params=uuid,name-label,parent,power-state
t_out "^ *parent \\( RO\\): $s1\$" "c1's parent is s1"
t_out '^ *power-state \( RO\): suspended$' "a checkpoint is suspended"
xe snapshot-revert snapshot-uuid="$s1"
t_status 0 "snapshot-revert"
xe vm-param-get uuid="$vm" param-name=power-state
t_eq "$out" halted "leaves the VM halted"
xe snapshot-uninstall snapshot-uuid="$c1" --force
t_status 0 "snapshot-uninstall --force"
t_out '^All objects destroyed$' "says all went"
xe snapshot-list uuid="$c1" --minimal
t_eq "$out" "" "c1 is gone"

# vm-uninstall takes the disks whose VBD is marked owner, and only those.
xe vbd-list vm-uuid="$vm" userdevice=0 params=vdi-uuid --minimal
rootv=$out
xe vbd-list vm-uuid="$vm" userdevice=1 params=vdi-uuid --minimal
datav=$out
xe vm-uninstall uuid="$vm" --force
t_status 0 "vm-uninstall --force"
t_out "^VDI: $rootv " "lists the owned root disk"
t_noout "^VDI: $datav " "not the data disk"
xe vdi-list uuid="$datav" --minimal
t_eq "$out" "$datav" "the data disk survives"
xe vdi-list uuid="$rootv" --minimal
t_eq "$out" "" "the owned disk is gone"

xe vdi-destroy uuid="$v"
t_status 0 "vdi-destroy"
xe vdi-destroy uuid="$v"
t_status 1 "vdi-destroy of a gone VDI fails"
t_err '^type: VDI$' "with UUID_INVALID"
