# The KVM driver (src/drv-virsh.c) against real libvirt: a private lab of
# two KVM hosts, reached through hvsh's own transport by tests/tools/drvrun.
# Probe, refresh, create, every lifecycle verb, destroy, errors and dry
# runs, each checked by a refresh of the host.
. "$(dirname "$0")/lib.sh"
LAB=$(cd "$(dirname "$0")/../lab" && pwd -P)/lab
DRVRUN=${HVSH_BUILD:?HVSH_BUILD must name the build directory}/tools/drvrun
export HVSH_LAB_DIR=$T/lab
chmod 711 "$T"	# as root, the lab's users must reach their homes in $T
trap '"$LAB" down >/dev/null 2>&1; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT

if ! "$LAB" up --kvm 2 >"$T/up.log" 2>&1; then
	_nok "lab up --kvm 2"
	sed 's/^/#   /' "$T/up.log"
	exit 1
fi
eval "$("$LAB" env)"

# dr HOST ARGS...: drvrun on lab host HOST; sets $status, $out and $err.
dr() {
	local h=$1 n= d a p u v i
	shift
	for ((i = 1; i <= LAB_HOSTS; i++)); do
		v=LAB_HOST_$i
		read -r n d a p u <<<"${!v}"
		[ "$n" = "$h" ] && break
	done
	_cmd="drvrun ($h) $*"
	"$DRVRUN" --driver kvm --address "$a" --port "$p" --user "$u" \
	    --key "$LAB_KEY" --known-hosts "$LAB_KNOWN_HOSTS" "$@" \
	    >"$T/.out" 2>"$T/.err"
	status=$?
	out=$(cat "$T/.out")
	err=$(cat "$T/.err")
}

# is HOST NAME RE DESC: a refresh of HOST shows NAME's line matching RE.
is() {
	dr "$1" refresh
	t_out "^vm $2 $3" "$4"
}
# gone HOST NAME DESC: a refresh of HOST succeeds and does not show NAME.
gone() {
	dr "$1" refresh
	if [ "$status" -eq 0 ] &&
	    ! printf '%s\n' "$out" | grep -q "^vm $2 "; then
		_ok "$3"
	else
		_nok "$3"
	fi
}

UUID='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

dr kvm1 probe
t_out '^version QEMU [0-9.]+ \(libvirt [0-9.]+\)$' \
    "probe reports the QEMU and libvirt versions"
# (A host without virsh: every lab host has one on its PATH, so the unit
# test covers "virsh not found on host" with a fake shell.)

"$LAB" kvm-guest kvm1 g1 >/dev/null
dr kvm1 refresh
t_status 0 "refresh of kvm1"
t_out '^facts cpus=[1-9][0-9]* memory=[1-9][0-9]* mem_free=[1-9][0-9]*$' \
    "reports the host's CPUs and memory"
G1="state=stopped cpus=1 memory=33554432 mem_used=0 cpu_time=0.000"
t_out "^vm g1 $G1 uuid=$UUID hvsh_id=- " \
    "shows lab guest g1 stopped, 1 vCPU, 32 MiB, no hvsh id"
gone kvm2 g1 "kvm2, a hypervisor of its own, has no g1"

dr kvm1 create c1 1 32M 64M
t_out "^vm c1 state=stopped cpus=1 memory=33554432 .*uuid=$UUID " \
    "create c1 reads back the new domain"
is kvm1 c1 "state=stopped cpus=1 memory=33554432 mem_used=0 .*hvsh_id=4242 " \
    "refresh shows c1 with hvsh id 4242"
"$LAB" ssh kvm1 virsh vol-list hvsh >"$T/vols" 2>&1
t_true "its disk is a volume of pool hvsh" grep -q ' c1\.qcow2 ' "$T/vols"

dr kvm1 dry-start c1
t_eq "$out" "'virsh' 'start' 'c1'" "dry-start prints the quoted command"
is kvm1 c1 "state=stopped" "and runs nothing"

dr kvm1 start c1
t_eq "$out" "done start" "start c1"
is kvm1 c1 "state=running cpus=1 memory=33554432 mem_used=33554432 " \
    "c1 is running"
dr kvm1 suspend c1
t_status 0 "suspend c1"
is kvm1 c1 "state=paused" "c1 is paused"
dr kvm1 resume c1
t_status 0 "resume c1"
is kvm1 c1 "state=running" "c1 runs again"
dr kvm1 reboot c1
t_eq "$out" "done reboot" "reboot c1 is accepted"
dr kvm1 stop c1
t_eq "$out" "done stop" "stop c1 asks for a clean shutdown"
dr kvm1 force-off c1
t_eq "$out" "done force-off" "force-off c1"
is kvm1 c1 "state=stopped .*mem_used=0 " "c1 is stopped"
dr kvm1 force-off c1
t_out "^error -5 domain is not running$" \
    "force-off of a stopped domain says why"

dr kvm1 start nosuch
t_status 1 "start of a missing domain fails"
t_out "^error -2 failed to get domain 'nosuch'$" "naming the domain"
dr kvm1 start '-c'
t_out "^error plan instance name may not start with '-'" \
    "a name that virsh would take for an option is refused"

dr kvm1 create c1 1 32M 64M
t_out "^error -3 .*already exists" "create of a taken name fails"
"$LAB" ssh kvm1 virsh vol-list hvsh >"$T/vols" 2>&1
t_true "and leaves c1's disk alone" grep -q ' c1\.qcow2 ' "$T/vols"

dr kvm1 destroy c1
t_eq "$out" "done destroy" "destroy of stopped c1"
gone kvm1 c1 "c1 is gone"
"$LAB" ssh kvm1 virsh vol-list hvsh >"$T/vols" 2>&1
t_true "and so is its disk" eval '! grep -q " c1\.qcow2 " "$T/vols"'

dr kvm1 create c2 2 48M 0
t_status 0 "create c2 without a disk"
dr kvm1 start c2
is kvm1 c2 "state=running cpus=2 memory=50331648 " "c2 is running"
dr kvm1 destroy c2
t_eq "$out" "done destroy" "destroy of running c2"
gone kvm1 c2 "c2 is gone"
is kvm1 g1 "state=stopped" "g1 is still there"
