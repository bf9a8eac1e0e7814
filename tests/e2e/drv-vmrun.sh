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

# knob HOST FILE [TEXT]: writes a simulator knob (tests/lab/sim/README.md).
knob() { printf '%s' "${3:-}" >"$LAB_DIR/state/$1/$2"; }
# No operation times: the simulator's delays are not what is tested here.
knob vmw1 speed 0
knob vmw2 speed 0

# dr HOST OP [ARGS]: runs drvrun on HOST; sets $status, $out, $err.
dr() {
	local h=$1
	shift
	_cmd="drvrun $h $*"
	"$DRVRUN" --driver vmware --address "${addr[$h]}" \
	    --port "${port[$h]}" --user "${user[$h]}" --key "$LAB_KEY" \
	    --known-hosts "$LAB_KNOWN_HOSTS" "$@" >"$T/.out" 2>"$T/.err"
	status=$?
	out=$(cat "$T/.out")
	err=$(cat "$T/.err")
}

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

echo "1..$_n"
