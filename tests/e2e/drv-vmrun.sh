# drv-vmrun.sh: the VMware driver (src/drv-vmrun.c) end to end. drvrun runs
# each of its plans through the real transport on two lab VMware hosts,
# where the vmrun and vmware-vdiskmanager simulators answer, and reads the
# answers with the driver; a refresh after each operation shows its effect.
. "$(dirname "$0")/lib.sh"
LAB=$(cd "$(dirname "$0")/../lab" && pwd -P)/lab
DRVRUN=${HVSH_BUILD:-build}/tools/drvrun
export HVSH_LAB_DIR=$T/lab
chmod 711 "$T"	# as root, the lab's users must reach their homes in $T
trap '"$LAB" down >/dev/null 2>&1; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT

if [ ! -x "$DRVRUN" ]; then
	_nok "drvrun is built ($DRVRUN)"
	exit 1
fi
if ! "$LAB" up --vmware 2 >"$T/up.log" 2>&1; then
	_nok "lab up --vmware 2"
	sed 's/^/#   /' "$T/up.log"
	exit 1
fi
eval "$("$LAB" env)"
declare -A addr port user
for ((i = 1; i <= ${LAB_HOSTS:-0}; i++)); do
	v=LAB_HOST_$i
	read -r n d a p u <<<"${!v}"
	addr[$n]=$a port[$n]=$p user[$n]=$u
done
if [ -z "${addr[vmw1]:-}" ] || [ -z "${addr[vmw2]:-}" ]; then
	_nok "lab up --vmware 2 gives vmw1 and vmw2"
	exit 1
fi
_ok "lab up --vmware 2"

# not CMD...: CMD fails.
not() { ! "$@"; }
# knob HOST FILE [TEXT]: writes a simulator knob (tests/lab/sim/README.md).
knob() { printf '%s' "${3:-}" >"$LAB_DIR/state/$1/$2"; }
# No operation times: the simulator's delays are not what is tested here.
knob vmw1 speed 0
knob vmw2 speed 0

# dr HOST OP [ARGS]: runs drvrun on HOST; sets $status, $out, $err.
dr() { drvrun_on "$@"; }

# state HOST VM: the VM's state in a fresh refresh of HOST ("" if absent).
state() {
	dr "$1" refresh
	sed -n "s/^vm $2 state=\([a-z]*\) .*/\1/p" <<<"$out"
}

# op OP STATE: runs OP on the VM, then checks that refresh shows STATE.
op() {
	dr vmw1 "$1" "$P"
	t_out "^done $1\$" "$1 runs"
	t_eq "$(state vmw1 web1)" "$2" "after $1 web1 is $2"
}

dr vmw1 probe
t_status 0 "probe runs vmrun"
t_out '^version vmrun ' "probe reads a version"

dr vmw1 refresh
t_status 0 "refresh of an empty host"
t_out '^facts cpus=[1-9][0-9]* memory=[1-9][0-9]* mem_free=[1-9][0-9]*$' \
    "refresh reads the host's CPUs and memory"
t_noout '^vm ' "an empty host has no VMs"

dr vmw1 create web1 1 32M 64M
t_status 0 "create web1"
t_out '^vm web1 state=stopped .* path=/.*/hvsh-vms/web1/web1\.vmx$' \
    "create prints the new .vmx"
P=$(sed -n 's/^vm web1 .* path=//p' <<<"$out")
t_true "the .vmx is in the host's managed directory" \
    [ -f "$LAB_DIR/home/vmw1/hvsh-vms/web1/web1.vmx" ]
t_true "and its disk beside it" \
    [ -f "$LAB_DIR/home/vmw1/hvsh-vms/web1/web1.vmdk" ]

dr vmw1 refresh
t_out '^vm web1 state=stopped cpus=1 memory=33554432 .* hvsh_id=4242 ' \
    "refresh shows web1 stopped, 1 vCPU, 32 MiB, hvsh_id 4242"

dr vmw2 refresh
t_status 0 "refresh of vmw2"
t_noout '^vm ' "vmw2 does not see vmw1's VM"

dr vmw1 dry-start "$P"
t_eq "$out" "'vmrun' '-T' 'ws' 'start' '$P' 'nogui'" "dry-start prints the plan"

op start running
op reboot running
op stop stopped
op start running
op suspend suspended
op start running
op suspend suspended
op resume running

dr vmw1 destroy "$P"
t_status 1 "destroy of a running VM fails"
t_out '^error -5 The virtual machine should not be powered on' \
    "and says it is powered on"

op force-off stopped

dr vmw1 stop "$P"
t_status 1 "stop of a stopped VM fails"
t_out "^error -5 The virtual machine is not powered on: $P\$" \
    "and says it is not powered on"

dr vmw1 create web1 1 32M 64M
t_status 1 "a second create of web1 fails"
t_out '^error -3 The file already exists: ' "and says it exists"

dr vmw1 start /nonexistent/ghost/ghost.vmx
t_status 1 "start of a missing VM fails"
t_out '^error -2 Cannot open VM: /nonexistent/ghost/ghost\.vmx, The virtual machine cannot be found$' \
    "and names the missing .vmx"

dr vmw1 start ghost
t_status 1 "a name where a .vmx path belongs is refused"
t_out '^error plan vmware: the \.vmx path is not absolute: ghost$' \
    "before anything runs"

knob vmw1 fault-fail-next
dr vmw1 start "$P"
t_out '^error -1 Unknown error$' "a failing vmrun is reported"
t_eq "$(state vmw1 web1)" stopped "and changed nothing"

# Faults: garbage and cut output are errors, never a crash or a wrong list.
dr vmw1 start "$P"
knob vmw1 fault-garbage
dr vmw1 refresh
t_status 1 "refresh with vmrun printing garbage fails"
t_out '^error read vmware refresh: ' "with an error line"
t_noout '^vm ' "and no VMs"
dr vmw1 probe
t_status 1 "probe with garbage fails"
t_out '^error read vmware probe: ' "with an error line"
rm -f "$LAB_DIR/state/vmw1/fault-garbage"

knob vmw1 fault-truncate
dr vmw1 refresh
t_status 1 "refresh with vmrun's output cut in half fails"
# The cut list has no last newline, so the batch's next marker is lost.
t_out '^error read vmware refresh: .*(truncated|vmrun list)' \
    "and says the output is cut"
knob vmw1 fault-garbage
dr vmw1 destroy "$P"
t_status 1 "an error that comes back garbled"
t_out '^error -1 vmrun failed \(exit status 255\)' "is still an error line"
rm -f "$LAB_DIR/state/vmw1/fault-truncate" "$LAB_DIR/state/vmw1/fault-garbage"
t_eq "$(state vmw1 web1)" running "without the faults web1 runs on"

dr vmw1 force-off "$P"
dr vmw1 destroy "$P"
t_status 0 "destroy of the stopped VM"
t_eq "$(state vmw1 web1)" "" "web1 is gone from refresh"
t_true "and its files from the host" [ ! -e "$P" ]
dr vmw1 refresh
t_noout '^vm ' "vmw1 has no VMs left"

# ---- storage, snapshot and image calls, against vmw2 ----
H=$LAB_DIR/home/vmw2
dr vmw2 call pool-info
t_status 0 "pool info of the default directory"
t_out '^reply .* capacity=[1-9][0-9]* used=[0-9]+$' "reads df's size and use"
t_true "the default directory was made" [ -d "$H/hvsh-volumes" ]
dr vmw2 call pool-info pool=/nonexistent/pool
t_out '^error -2 The directory does not exist: /nonexistent/pool$' \
    "pool info of a missing directory is ERR_NOENT"

dr vmw2 call volume-create volume=data1 size=1G
t_status 0 "volume create"
t_out "^reply path=$H/hvsh-volumes/data1\\.vmdk .* size=1073741824 " \
    "gives the .vmdk and its size"
t_true "the .vmdk is on the host" grep -q '^RW 2097152 SPARSE' \
    "$H/hvsh-volumes/data1.vmdk"
V=$H/hvsh-volumes/data1.vmdk
dr vmw2 call volume-create volume=data1 size=1G
t_out '^error -3 The file already exists: ' "a second one is ERR_EXIST"
dr vmw2 call volume-create volume=-rf size=1G
t_out '^error plan ' "a hostile volume name is refused before anything runs"

dr vmw2 create web2 1 32M 64M
W=$(sed -n 's/^vm web2 .* path=//p' <<<"$out")
t_out "^disk $H/hvsh-vms/web2/web2\\.vmdk\$" "create gives its root disk"
dr vmw2 call volume-attach "vm=$W" "vol_path=$V"
t_status 0 "volume attach"
t_out '^reply path=- device=scsi0:1 ' "attach picks scsi0:1"
t_true "the .vmx names the disk" grep -qx "scsi0:1.fileName = \"$V\"" "$W"
t_true "as a hard disk" grep -qx 'scsi0:1.deviceType = "scsi-hardDisk"' "$W"
dr vmw2 call volume-attach "vm=$W" "vol_path=$V" running=1
t_out '^error plan .*powered off' "attach to a running VM is refused"
dr vmw2 start "$W"
dr vmw2 call volume-detach "vm=$W" "vol_path=$V" device=scsi0:1
t_out '^error -5 The virtual machine should not be powered on' \
    "the script refuses a VM VMware holds open"
dr vmw2 force-off "$W"
dr vmw2 call volume-resize "vol_path=$V" size=2G
t_status 0 "volume resize"
t_out '^reply .* size=2147483648 ' "to 2 GiB"
t_true "the disk grew on the host" grep -q '^RW 4194304 SPARSE' "$V"
dr vmw2 call volume-resize "vol_path=$V" size=1G
t_out '^error -1 .*must be larger' "shrinking is refused by vdiskmanager"
dr vmw2 call volume-detach "vm=$W" "vol_path=$V" device=scsi0:1
t_status 0 "volume detach"
t_true "the .vmx no longer names it" not grep -q 'scsi0:1\.' "$W"
t_true "the disk stays" [ -f "$V" ]

dr vmw2 call snapshot-create "vm=$W" snapshot=s1
t_status 0 "snapshot create"
dr vmw2 call snapshot-create "vm=$W" snapshot=s2
dr vmw2 call snapshot-list "vm=$W"
t_out '^snapshot s1 .*parent=- ' "snapshot list shows s1"
t_out '^snapshot s2 .*parent=s1 ' "and s2 under it"
dr vmw2 call snapshot-revert "vm=$W" snapshot=s1
t_status 0 "snapshot revert"
dr vmw2 call snapshot-remove "vm=$W" snapshot=s2
t_status 0 "snapshot remove"
dr vmw2 call snapshot-list "vm=$W"
t_noout '^snapshot s2 ' "s2 is gone"
dr vmw2 call snapshot-revert "vm=$W" snapshot=nope
t_status 1 "revert to a missing snapshot fails"

# The template goes where the host's account may write.
dr vmw2 call image-capture "vm=$W" "dest=$H/hvsh-volumes/t1.vmx"
t_status 0 "capture"
t_out "^reply path=$H/hvsh-volumes/t1\\.vmx .* size=67108864 " \
    "gives the template and its virtual size"
t_true "the template is on the host" [ -f "$H/hvsh-volumes/t1.vmx" ]
dr vmw2 call image-sum "dest=$H/hvsh-volumes/t1.vmx"
t_out "^reply .* sha256=$(sha256sum "$H/hvsh-volumes/t1.vmx" | cut -c1-64) " \
    "image sum is the file's sha256"
dr vmw2 call image-sum dest=/nonexistent/x.iso
t_out '^error -2 ' "image sum of a missing file is ERR_NOENT"

dr vmw2 create web3 2 64M 0 "image_path=$H/hvsh-volumes/t1.vmx" \
    image_kind=template image_format=vmx full=1
t_status 0 "create from a template (full clone)"
t_out "^disk $H/hvsh-vms/web3/" "with a root disk of its own"
t_true "its .vmx has its id and size" grep -qx 'hvsh.id = "4242"' \
    "$H/hvsh-vms/web3/web3.vmx"
t_true "and 2 vCPUs" grep -qx 'numvcpus = "2"' "$H/hvsh-vms/web3/web3.vmx"
dr vmw2 create web4 1 32M 0 "image_path=$H/hvsh-volumes/t1.vmx" \
    image_kind=template image_format=vmx full=0
t_status 0 "create from a template (linked clone)"
t_true "the template got its base snapshot" grep -q 'hvsh-base' \
    "$H/hvsh-volumes/t1.vmsd"
dr vmw2 create web5 1 32M 0 "image_path=$V" image_kind=disk \
    image_format=vmdk
t_status 0 "create from a disk image"
t_true "its disk is a copy" grep -q '^RW 4194304 ' \
    "$H/hvsh-vms/web5/web5.vmdk"
echo iso >"$H/boot.iso"
dr vmw2 create web6 1 32M 1G "image_path=$H/boot.iso" image_kind=iso
t_status 0 "create from an ISO"
t_true "the ISO is its CD" grep -qx "ide1:0.fileName = \"$H/boot.iso\"" \
    "$H/hvsh-vms/web6/web6.vmx"
dr vmw2 refresh
t_out '^vm web3 state=stopped cpus=2 ' "refresh sees the clones"

dr vmw2 call set-id "vm=$W" hvsh_id=77
t_status 0 "set id"
t_true "into the .vmx" grep -qx 'hvsh.id = "77"' "$W"

dr vmw2 call volume-remove "vol_path=$V"
t_status 0 "volume remove"
t_true "the disk is gone" [ ! -e "$V" ]
dr vmw2 call volume-remove "vol_path=$V"
t_out '^error -2 ' "a second remove is ERR_NOENT"

# Player has no snapshots; -T comes from the request.
knob vmw2 vmrun-product player
dr vmw2 call snapshot-list "vm=$W" product=player
t_out '^error -1 The operation is not supported' \
    "Player refuses snapshots (-T player accepted)"
dr vmw2 dry-call snapshot-list "vm=$W" product=fusion
t_eq "$out" "'vmrun' '-T' 'fusion' 'listSnapshots' '$W' 'showTree'" \
    "the product goes into -T"
rm -f "$LAB_DIR/state/vmw2/vmrun-product"

echo "1..$_n"
