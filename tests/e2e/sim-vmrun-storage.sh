# The commands the VMware driver's storage, snapshot and image calls use,
# run on the lab's simulators directly (tests/lab/sim): vmware-vdiskmanager
# -x and -r reproduce tests/data/hv-formats/vmrun-vdiskmanager.txt byte
# for byte, and vmrun clone with -snapshot= and -cloneName= (capture and
# create from a template), listSnapshots and deleteVM behave as vmrun.md
# says.
. "$(dirname "$0")/lib.sh"

SIM=${HVSH_SRC:?HVSH_SRC must name the source tree}/tests/lab/sim
DATA=$HVSH_SRC/tests/data/hv-formats
export HVSH_SIM_SPEED=0 HVSH_SIM_STATE=$T/state
mkdir -p "$T/state"

run() {
	_cmd="$*"
	"$@" >"$T/o" 2>"$T/e"
	status=$?
	out=$(cat "$T/o")
	err=$(cat "$T/e")
}
vmrun() { run "$SIM/vmrun" -T ws "$@"; }
vdm() { run "$SIM/vmware-vdiskmanager" "$@"; }
# block MARKER: the lines of vmrun-vdiskmanager.txt after "=== MARKER".
block() {
	awk -v m="=== $1" 'index($0, m) == 1 { on = 1; next }
		/^=== / { on = 0 } on' "$DATA/vmrun-vdiskmanager.txt"
}
t_same() {
	if cmp -s "$1" "$2"; then _ok "$3"; else
		_nok "$3"
		diff "$2" "$1" | head -20 | sed 's/^/#   diff: /'
	fi
}

# vmware-vdiskmanager -x: the texts, paths substituted.
mkdir -p "$T/vols" "$T/images" "$T/vms/web1"
vdm -c -t 0 -s 1GB -a lsilogic "$T/vols/data1.vmdk"
t_status 0 "-c makes the disk to grow"
vdm -x 2GB "$T/vols/data1.vmdk"
block "vmware-vdiskmanager -x 2GB" >"$T/want"
t_same "$T/o" "$T/want" "-x: the success line"
t_status 0 "-x exits 0"
t_true "the extent has the new size" grep -q '^RW 4194304 SPARSE "data1.vmdk"$' \
    "$T/vols/data1.vmdk"
vdm -x 1GB "$T/vols/data1.vmdk"
block "vmware-vdiskmanager -x 1GB /vols/data1" | sed "s#/vols/#$T/vols/#" >"$T/want"
t_same "$T/o" "$T/want" "-x to a smaller size: the failure line"
t_status 1 "and exit status 1"
vdm -x 1GB "$T/vols/none.vmdk"
block "vmware-vdiskmanager -x 1GB /vols/none" | sed "s#/vols/#$T/vols/#" >"$T/want"
t_same "$T/o" "$T/want" "-x of a missing disk: the failure line"

# -r: a copy of another type.
vdm -c -t 0 -s 1GB -a lsilogic "$T/images/base.vmdk"
vdm -r "$T/images/base.vmdk" -t 0 "$T/vms/web1/web1.vmdk"
block "vmware-vdiskmanager -r" | sed "s#/vms/#$T/vms/#" >"$T/want"
t_same "$T/o" "$T/want" "-r: the two lines"
t_status 0 "-r exits 0"
t_true "the copy has the source's size" grep -q '^RW 2097152 SPARSE "web1.vmdk"$' \
    "$T/vms/web1/web1.vmdk"
vdm -r "$T/images/base.vmdk" -t 0 "$T/vms/web1/web1.vmdk"
t_status 1 "-r refuses to overwrite"
t_out "already exists" "and says so"
vdm -r "$T/images/base.vmdk" -x 2GB "$T/x.vmdk"
t_status 1 "two operations at once: usage"
t_out '^Usage: vmware-vdiskmanager' "the usage text"

# vmrun: a VM with that disk, snapshots, the clones hvsh makes.
VM=$T/vms/web1/web1.vmx
printf '%s\n' '.encoding = "UTF-8"' 'displayName = "web1"' 'memsize = "32"' \
    'scsi0.present = "TRUE"' 'scsi0:0.present = "TRUE"' \
    'scsi0:0.fileName = "web1.vmdk"' >"$VM"
vmrun snapshot "$VM" s1
t_status 0 "snapshot"
t_nostdout() { if [ ! -s "$T/o" ]; then _ok "$1"; else _nok "$1 (stdout not empty)"; fi; }
t_nostdout "snapshot prints nothing"
vmrun listSnapshots "$VM" showTree
t_eq "$out" "$(printf 'Total snapshots: 1\ns1')" "listSnapshots"
vmrun clone "$VM" "$T/tpl/t1.vmx" full -snapshot=s1
t_status 0 "clone full -snapshot= (capture)"
t_true "the template has its own disk" grep -q '^RW 2097152 ' "$T/tpl/web1-cl1.vmdk"
t_true "named Clone of ..." grep -qx 'displayName = "Clone of web1"' "$T/tpl/t1.vmx"
vmrun clone "$T/tpl/t1.vmx" "$T/vms/web2/web2.vmx" linked -cloneName=web2
t_status 255 "a linked clone of a template without a snapshot fails"
t_eq "$out" "Error: One of the parameters was invalid" "with vmrun's text"
vmrun snapshot "$T/tpl/t1.vmx" hvsh-base
vmrun clone "$T/tpl/t1.vmx" "$T/vms/web2/web2.vmx" linked -snapshot=hvsh-base \
    -cloneName=web2
t_status 0 "linked clone from the base snapshot"
t_true "named by -cloneName" grep -qx 'displayName = "web2"' "$T/vms/web2/web2.vmx"
t_true "its disk names its parent" grep -q "^parentFileNameHint=\"$T/tpl/" \
    "$T/vms/web2/web1-cl1-cl1.vmdk"
vmrun clone "$T/tpl/t1.vmx" "$T/vms/web2/web2.vmx" full
t_eq "$out" "Error: The file already exists" "a clone onto an existing .vmx"
vmrun revertToSnapshot "$VM" nope
t_status 255 "revert to a missing snapshot fails"
vmrun deleteVM "$T/vms/web2/web2.vmx"
t_status 0 "deleteVM of the clone"
t_true "takes its files" test ! -e "$T/vms/web2"
t_true "but not the template's disk" test -e "$T/tpl/web1-cl1.vmdk"
# Player has no clones.
echo player >"$T/state/vmrun-product"
run "$SIM/vmrun" -T player clone "$VM" "$T/vms/web3/web3.vmx" full
t_eq "$out" "Error: The operation is not supported for the specified parameters" \
    "Player refuses clone"

echo "1..$_n"
