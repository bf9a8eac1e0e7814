# drv-xe.sh: the Xen driver end to end. drvrun (tests/tools) runs each
# driver operation on a private lab's two simulated Xen hosts through the
# real transport, and prints what the driver read back: probe, refresh, a
# VM's whole life, hosts kept apart, errors, and the simulator's fault
# knobs (garbage, cut output, a failing call, a hung xe).
. "$(dirname "$0")/lib.sh"
LAB=$(cd "$(dirname "$0")/../lab" && pwd -P)/lab
DRVRUN=${HVSH_BUILD:?HVSH_BUILD must name the build directory}/tools/drvrun
export HVSH_LAB_DIR=$T/lab
chmod 711 "$T"	# as root, the lab's users must reach their homes in $T
trap '"$LAB" down >/dev/null 2>&1; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT

_skip() { _n=$((_n + 1)); echo "ok $_n - $1 # SKIP $2"; }

if ! "$LAB" up --xen 2 >"$T/up.log" 2>&1; then
	_nok "lab up --xen 2"
	sed 's/^/#   /' "$T/up.log"
	exit 1
fi
_ok "lab up --xen 2"
eval "$("$LAB" env)"

declare -A addr port user
for ((i = 1; i <= LAB_HOSTS; i++)); do
	v=LAB_HOST_$i
	read -r n _ a p u <<<"${!v}"
	addr[$n]=$a port[$n]=$p user[$n]=$u
	# No operation times: the simulator's delays are not under test.
	echo 0 >"$LAB_DIR/state/$n/speed"
done

# dr HOST [--timeout MS] OP [ARGS...]: drvrun on HOST; $status, $out, $err.
dr() { drvrun_on "$@"; }
# vm NAME: the refresh's line for NAME ("" if none).
vm() { printf '%s\n' "$out" | grep -E "^vm $1 " || true; }
knob() { touch "$LAB_DIR/state/$1/$2"; }
unknob() { rm -f "$LAB_DIR/state/$1/$2"; }

dr xen1 probe
t_status 0 "probe succeeds"
t_out '^version XCP-ng 8\.2\.1$' "probe reads xe's version"

dr xen1 refresh
t_status 0 "refresh succeeds"
t_out '^facts cpus=4 memory=17179869184 mem_free=[1-9][0-9]*$' \
    "refresh reads the host's CPUs, memory and free memory"
t_noout '^vm ' "a new host has no VMs (dom0 and templates left out)"

dr xen1 dry-start web1
t_eq "$out" "'xe' 'vm-start' 'name-label=web1'" "dry-start prints the xe line"

dr xen1 create web1 1 256M 0
t_status 0 "create succeeds"
t_out '^vm web1 state=stopped cpus=1 memory=268435456 .*hvsh_id=4242 ' \
    "create reads back the new VM"
uuid=$(printf '%s\n' "$out" | sed -n 's/.* uuid=\([0-9a-f-]*\) .*/\1/p')
t_true "create gives the VM's uuid" eval '[ ${#uuid} -eq 36 ]'

dr xen1 refresh
t_out "^vm web1 state=stopped .*uuid=$uuid hvsh_id=4242 " \
    "refresh shows web1 stopped with hvsh_id 4242"

dr xen1 start web1
t_out '^done start$' "start"
dr xen1 refresh
t_out '^vm web1 state=running cpus=1 memory=268435456 mem_used=268435456 ' \
    "refresh shows web1 running, its memory in use"

dr xen1 stop web1
t_out '^done stop$' "stop (clean)"
dr xen1 refresh
t_out '^vm web1 state=stopped ' "refresh shows web1 stopped"

dr xen1 start web1
dr xen1 force-off web1
t_out '^done force-off$' "force-off"
dr xen1 refresh
t_out '^vm web1 state=stopped .*mem_used=0 ' \
    "refresh shows web1 off after force-off"

dr xen1 start web1
dr xen1 reboot web1
t_out '^done reboot$' "reboot"
dr xen1 suspend web1
t_out '^done suspend$' "suspend"
dr xen1 refresh
t_out '^vm web1 state=suspended ' "refresh shows web1 suspended"
dr xen1 resume web1
t_out '^done resume$' "resume"
dr xen1 refresh
t_out '^vm web1 state=running ' "refresh shows web1 running again"

dr xen1 start web1
t_status 1 "start of a running VM fails"
t_out '^error -5 VM is running; the operation needs it halted$' \
    "and says why (ERR_BUSY)"

dr xen1 destroy web1
t_out '^done destroy$' "destroy of a running VM"
dr xen1 refresh
t_eq "$(vm web1)" "" "web1 is gone"

dr xen1 create only1 2 128M 64M
t_out '^vm only1 state=stopped cpus=2 memory=134217728 ' "create with a disk"
dr xen2 refresh
t_status 0 "xen2 refreshes"
t_eq "$(vm only1)" "" "xen2 does not see xen1's VM"
dr xen2 start only1
t_out '^error -2 No matching VMs found$' "xen2 cannot start xen1's VM"
dr xen1 start nosuch
t_status 1 "an op on a missing VM fails"
t_out '^error -2 No matching VMs found$' "with an error line (ERR_NOENT)"

# destroy's first step on a halted VM: the error the service may pass over.
dr xen1 destroy only1
t_out '^error -5 VM is halted; the operation needs it paused, suspended, running' \
    "destroy of a halted VM stops at its forced shutdown (ERR_BUSY)"

knob xen1 fault-garbage
dr xen1 refresh
t_status 1 "refresh on garbage fails"
t_out '^error read xen refresh: ' "with an error read line, no crash"
unknob xen1 fault-garbage

knob xen1 fault-truncate
dr xen1 refresh
t_status 1 "refresh on cut output fails"
t_out '^error read xen refresh: .*(truncated|cut short)' \
    "with an error read line saying it was cut"
t_noout '^vm ' "and no VM from the half output"
unknob xen1 fault-truncate

echo "xenopsd fell over" >"$LAB_DIR/state/xen1/fault-fail-next"
dr xen1 probe
t_out '^error -1 xapi internal error: xenopsd fell over$' \
    "a failing xe call reads as xapi's internal error"

dr xen1 refresh
t_out '^vm only1 state=stopped ' "after the faults xen1 reads as before"

# A hung xe: the transport's command timeout must end the wait.
dr xen1 --timeout 2000 probe
if [ "$status" -eq 2 ] && printf '%s' "$err" | grep -q usage; then
	_skip "a hung xe returns within the command timeout" \
	    "drvrun has no --timeout"
else
	knob xen1 fault-hang
	t0=$SECONDS
	dr xen1 --timeout 2000 refresh
	took=$((SECONDS - t0))
	unknob xen1 fault-hang
	t_status 1 "refresh on a hung xe fails"
	t_out '^error transport ' "with a transport error line"
	t_true "and returns within the timeout ($took s)" [ "$took" -le 6 ]
fi

# --- storage, snapshot and image calls -------------------------------------
# Each call through drvrun, its result checked with the host's own xe.
hx() { "$LAB" ssh "$1" "${@:2}" 2>&1; }
H1=$LAB_DIR/home/xen1
hx xen1 mkdir -p "$H1/img" >/dev/null
sr=$(hx xen1 xe pool-list params=default-SR --minimal)

dr xen1 call pool-info
t_status 0 "pool-info of the default SR"
t_out '^reply .* capacity=1099511627776 used=[0-9]+$' \
    "reads the SR's physical size and use"
used0=$(printf '%s\n' "$out" | sed -n 's/.* used=\([0-9]*\)$/\1/p')
dr xen1 call pool-info "pool=Local storage"
t_out '^reply .* capacity=1099511627776 ' "pool-info by name-label"
dr xen1 call pool-info "pool=$sr"
t_out '^reply .* capacity=1099511627776 ' "pool-info by uuid"
dr xen1 call pool-info pool=nosuch
t_out '^error -2 No matching SRs found$' "pool-info of a missing SR (ERR_NOENT)"
dr xen1 call pool-info "pool=XCP-ng Tools"
t_out '^error read xen pool info: the SR reports no size' \
    "pool-info of an ISO SR is refused"

dr xen1 call volume-create volume=data1 size=1G
t_status 0 "volume-create"
t_out '^reply path=[0-9a-f-]{36} .* size=1073741824 ' \
    "gives the VDI uuid and its size"
vdi=$(printf '%s\n' "$out" | sed -n 's/^reply path=\([^ ]*\) .*/\1/p')
t_eq "$(hx xen1 xe vdi-list uuid="$vdi" params=name-label --minimal)" \
    data1 "the host lists VDI data1"
dr xen1 call pool-info
used1=$(printf '%s\n' "$out" | sed -n 's/.* used=\([0-9]*\)$/\1/p')
t_eq "$((used1 - used0))" 1073741824 "the SR's use grew by the volume"
dr xen1 dry-call volume-create volume=-x size=1G
t_out '^error plan' "a hostile volume name is refused before anything runs"

dr xen1 create vol1 1 128M 64M
t_out '^disk [0-9a-f-]{36}$' "create reports the root disk it made"
root=$(printf '%s\n' "$out" | sed -n 's/^disk //p')
dr xen1 call volume-attach vm=vol1 vol_path="$vdi"
t_status 0 "volume-attach to a halted VM"
t_out '^reply .*device=1 ' "attach names the userdevice it took"
t_eq "$(hx xen1 xe vbd-list vdi-uuid="$vdi" params=vm-name-label --minimal)" \
    vol1 "the host has the VBD of data1 on vol1"
dr xen1 call volume-resize vol_path="$vdi" size=2G
t_out '^reply .* size=2147483648 ' "volume-resize grows it"
t_eq "$(hx xen1 xe vdi-param-get uuid="$vdi" param-name=virtual-size)" \
    2147483648 "the host says 2 GiB"
dr xen1 call volume-resize vol_path="$vdi" size=1G
t_out '^error -1 .*shrinking not allowed' "shrinking is refused by xe"
dr xen1 start vol1
dr xen1 call volume-detach vm=vol1 vol_path="$vdi" device=1
t_status 0 "volume-detach from a running VM (unplug, destroy)"
t_eq "$(hx xen1 xe vbd-list vdi-uuid="$vdi" --minimal)" "" \
    "the host has no VBD of data1"
dr xen1 call volume-attach vm=vol1 vol_path="$vdi" device=4
t_out '^reply .*device=4 ' "attach to a running VM on device 4"
t_eq "$(hx xen1 xe vbd-list vdi-uuid="$vdi" params=currently-attached --minimal)" \
    true "and the VBD is plugged"

dr xen1 call snapshot-create vm=vol1 snapshot=s1 description="first one"
t_out '^reply .*ref=[0-9a-f-]{36} ' "snapshot-create gives the uuid"
s1=$(printf '%s\n' "$out" | sed -n 's/.* ref=\([^ ]*\) .*/\1/p')
t_eq "$(hx xen1 xe snapshot-param-get uuid="$s1" param-name=name-description)" \
    "first one" "the host has snapshot s1 with its description"
dr xen1 call snapshot-create vm=vol1 snapshot=c1 memory=1
t_out '^reply .*ref=' "snapshot-create with memory (checkpoint)"
c1=$(printf '%s\n' "$out" | sed -n 's/.* ref=\([^ ]*\) .*/\1/p')
t_eq "$(hx xen1 xe snapshot-param-get uuid="$c1" param-name=power-state)" \
    suspended "the checkpoint holds the memory (suspended)"
dr xen1 call snapshot-list vm=vol1
t_out "^snapshot s1 uuid=$s1 .*created=[1-9][0-9]* state=halted" \
    "snapshot-list lists s1"
t_out "^snapshot c1 uuid=$c1 parent=$s1 .*state=suspended" \
    "and c1, whose parent is s1"
dr xen1 call snapshot-revert vm=vol1 snapshot=s1
t_status 0 "snapshot-revert by name"
t_eq "$(hx xen1 xe vm-list name-label=vol1 params=parent --minimal)" "$s1" \
    "the host's vol1 now descends from s1"
# A revert gives the VM new copies of the snapshot's disks.
root2=$(hx xen1 xe vbd-list vm-name-label=vol1 userdevice=0 params=vdi-uuid \
    --minimal)
t_true "vol1 has a root disk after the revert" [ ${#root2} -eq 36 ]
dr xen1 call snapshot-remove vm=vol1 snap_ref="$c1"
t_status 0 "snapshot-remove by uuid"
t_eq "$(hx xen1 xe snapshot-list uuid="$c1" --minimal)" "" "c1 is gone"
dr xen1 call snapshot-remove vm=vol1 snapshot=nosuch
t_out '^error -2 No matching snapshots found$' \
    "snapshot-remove of a missing snapshot (ERR_NOENT)"

dr xen1 call image-capture vm=vol1 vol_path="$root" dest="$H1/img/vol1.vhd"
t_out "^reply path=$H1/img/vol1.vhd .* size=67108864 " \
    "image-capture writes the root disk as a VHD"
t_eq "$(hx xen1 head -c 8 "$H1/img/vol1.vhd")" conectix "a VHD file is there"
dr xen1 call image-capture vm=vol1 vol_path="$root" snapshot=s1 \
    dest="$H1/img/s1.vhd"
t_out "^reply path=$H1/img/s1.vhd " "image-capture of snapshot s1"
dr xen1 call image-sum dest="$H1/img/vol1.vhd"
t_out '^reply .*sha256=[0-9a-f]{64} ' "image-sum"
t_eq "$(printf '%s\n' "$out" | sed -n 's/.*sha256=\([0-9a-f]*\) .*/\1/p')" \
    "$(sha256sum <"$H1/img/vol1.vhd" | cut -d' ' -f1)" "the sum is right"
dr xen1 call image-sum dest=img/vol1.vhd
t_out '^error plan' "image-sum of a relative path is refused"

dr xen1 create fromimg 1 128M 0 image_path="$H1/img/vol1.vhd" \
    image_kind=template
t_status 0 "create from a template image"
t_out '^vm fromimg state=stopped ' "reads the new VM back"
fdisk=$(printf '%s\n' "$out" | sed -n 's/^disk //p')
t_eq "$(hx xen1 xe vdi-param-get uuid="$fdisk" param-name=virtual-size)" \
    67108864 "its root VDI has the image's size"
t_eq "$(hx xen1 xe vbd-list vdi-uuid="$fdisk" params=vm-name-label --minimal)" \
    fromimg "and belongs to fromimg"
dr xen1 create fromnone 1 128M 0 image_path="$H1/img/none.vhd" \
    image_kind=template
t_out '^error -2 .*not found' "create from a missing image fails (ERR_NOENT)"
t_eq "$(hx xen1 xe vm-list name-label=fromnone --minimal)" "" \
    "and leaves no VM"
hx xen1 truncate -s 1M "$H1/img/boot.iso" >/dev/null
dr xen1 create fromiso 1 128M 256M image_path="$H1/img/boot.iso" \
    image_kind=iso
t_status 0 "create from an ISO"
t_eq "$(hx xen1 xe vbd-list vm-name-label=fromiso type=CD params=userdevice --minimal)" \
    3 "the ISO is a CD on device 3"

dr xen1 call set-id vm=fromiso hvsh_id=9999
t_status 0 "set-id"
t_eq "$(hx xen1 xe vm-list name-label=fromiso params=other-config --minimal | \
    grep -o 'hvsh-id: [0-9]*')" "hvsh-id: 9999" "the host has hvsh-id 9999"

dr xen1 start vol1
dr xen1 destroy vol1
t_out '^done destroy$' "destroy of vol1 with a data volume attached"
t_eq "$(hx xen1 xe vdi-list uuid="$vdi" --minimal)" "$vdi" \
    "the data volume survives"
t_eq "$(hx xen1 xe vdi-list uuid="$root2" --minimal)" "" \
    "the root disk (owned by the VM) went with it"
dr xen1 call volume-remove vol_path="$root"
t_out '^error -2 ' "volume-remove of the gone root disk: ERR_NOENT"
dr xen1 call volume-remove vol_path="$vdi"
t_out '^done volume-remove$' "volume-remove of the data volume"
t_eq "$(hx xen1 xe vdi-list uuid="$vdi" --minimal)" "" "it is gone"
