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
dr() {
	local h=$1 extra=()
	shift
	if [ "$1" = --timeout ]; then
		extra=(--timeout "$2")
		shift 2
	fi
	_cmd="drvrun $h $*"
	"$DRVRUN" --driver xen --address "${addr[$h]}" --port "${port[$h]}" \
	    --user "${user[$h]}" --key "$LAB_KEY" \
	    --known-hosts "$LAB_KNOWN_HOSTS" "${extra[@]}" "$@" \
	    >"$T/.out" 2>"$T/.err"
	status=$?
	out=$(cat "$T/.out")
	err=$(cat "$T/.err")
}
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
