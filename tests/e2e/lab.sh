# The lab end to end: a private lab of 2 KVM, 1 Xen, 1 VMware and 2 plain
# hosts, reached with the stock OpenSSH client as a test would reach it; the
# hosts are what they say (own keys, own hypervisors, the simulators on the
# PATH), and "lab down" leaves none of their processes. Root or not.
. "$(dirname "$0")/lib.sh"
LAB=$(cd "$(dirname "$0")/../lab" && pwd -P)/lab
REPO=$(cd "$(dirname "$0")/../.." && pwd -P)
export HVSH_LAB_DIR=$T/lab
chmod 711 "$T"	# as root, the lab's users must reach their homes in $T
trap '"$LAB" down >/dev/null 2>&1; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT

_skip() { _n=$((_n + 1)); echo "ok $_n - $1 # SKIP $2"; }

# alive PID...: prints those still running (a zombie is gone).
alive() {
	local p s
	for p in "$@"; do
		s=$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$p/stat" 2>/dev/null) ||
		    continue
		[ -n "$s" ] && [ "$s" != Z ] && echo "$p"
	done
}

t0=$EPOCHREALTIME
"$LAB" up --kvm 2 --xen 1 --vmware 1 --plain 2 >"$T/up.log" 2>&1
status=$?
if [ "$status" -ne 0 ]; then
	_nok "lab up starts 6 hosts"
	sed 's/^/#   /' "$T/up.log"
	exit 1
fi
_ok "lab up starts 6 hosts ($(sed -n 's/.*hosts up in \([0-9.]* s\).*/\1/p' "$T/up.log"))"

"$LAB" up --plain 1 >"$T/up2.log" 2>&1
status=$?
t_true "a second lab up fails" [ "$status" -ne 0 ]
t_true "and says why" grep -q 'already up' "$T/up2.log"

"$LAB" status >/dev/null
t_eq "$?" 0 "lab status says the lab is up"

env_out=$("$LAB" env) && eval "$env_out"
t_eq "${LAB_HOSTS:-}" 6 "lab env lists 6 hosts"
t_eq "${LAB_DIR:-}" "$HVSH_LAB_DIR" "lab env names the lab dir"
t_true "LAB_KEY is an ed25519 key without passphrase" \
    eval 'ssh-keygen -y -P "" -f "${LAB_KEY:-/nonexistent}" | grep -q "^ssh-ed25519 "'

declare -A addr port user
names=()
for ((i = 1; i <= ${LAB_HOSTS:-0}; i++)); do
	v=LAB_HOST_$i
	read -r n d a p u <<<"${!v}"
	names+=("$n") addr[$n]=$a port[$n]=$p user[$n]=$u
done
t_eq "${names[*]}" "kvm1 kvm2 xen1 vmw1 plain1 plain2" "hosts are named by kind"

# on HOST CMD: runs CMD on HOST, trusting only LAB_KNOWN_HOSTS.
on() {
	local h=$1
	shift
	ssh -n -F /dev/null -i "$LAB_KEY" -o IdentitiesOnly=yes \
	    -o UserKnownHostsFile="$LAB_KNOWN_HOSTS" \
	    -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes \
	    -o BatchMode=yes -o ConnectTimeout=10 -o LogLevel=ERROR \
	    -p "${port[$h]}" "${user[$h]}@${addr[$h]}" "$@"
}

for n in "${names[@]}"; do
	out=$(on "$n" 'echo ok; id -un' 2>&1)
	t_eq "$out" "ok"$'\n'"${user[$n]}" "$n answers echo ok as ${user[$n]}"
done

keys=$(for n in "${names[@]}"; do
	ssh-keyscan -t ed25519 -p "${port[$n]}" "${addr[$n]}" 2>/dev/null |
	    awk '{ print $3 }'
done | sort -u | grep -c .)
t_eq "$keys" 6 "every host has its own host key"
if [ "$(id -u)" -eq 0 ]; then
	t_eq "$(printf '%s\n' "${user[@]}" | sort -u | grep -c .)" 6 \
	    "as root every host has its own user"
fi

# KVM: two hypervisors, a guest that starts, snapshots and stops.
"$LAB" kvm-guest kvm1 labguest >"$T/guest.log" 2>&1
t_eq "$?" 0 "lab kvm-guest defines a guest on kvm1"
out=$(on kvm1 virsh list --all --name)
t_true "kvm1 lists it" grep -qx labguest <<<"$out"
out=$(on kvm2 virsh list --all --name)
t_true "kvm2 does not: separate hypervisors" eval '! grep -qx labguest <<<"$out"'
t_eq "$(on kvm1 virsh domstate labguest)" "shut off" "the guest is defined, not started"
ts=$EPOCHREALTIME
on kvm1 virsh start labguest >/dev/null
t_eq "$?" 0 "virsh start starts it ($(awk -v a="$ts" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f s", b - a }') over ssh)"
t_eq "$(on kvm1 virsh domstate labguest)" running "it runs"
on kvm1 virsh snapshot-create-as labguest s1 >/dev/null
t_eq "$?" 0 "an internal snapshot is taken"
t_eq "$(on kvm1 virsh snapshot-list --name labguest | grep .)" s1 "and listed"
on kvm1 virsh destroy labguest >/dev/null
t_eq "$?" 0 "virsh destroy stops it"
t_eq "$(on kvm1 virsh domstate labguest)" "shut off" "it is shut off"
on kvm1 virsh start labguest >/dev/null	# left running for lab down

# Xen and VMware: the simulators on the PATH, a state directory of their own.
for hv in xen1:xe vmw1:vmrun; do
	n=${hv%:*} c=${hv#*:}
	out=$(on "$n" 'printf "%s\n" "$PATH"')
	t_true "$n has its simbin first on PATH" \
	    eval '[[ $out == "$LAB_DIR/simbin/$n:"* ]]'
	# (A copy in the lab, as root, when other users cannot reach $REPO.)
	t_true "$n's $c is the simulator" \
	    eval '[[ $(readlink "$LAB_DIR/simbin/$n/$c") == @("$REPO/tests/lab"|"$LAB_DIR")/sim/$c ]]'
	if [ -x "$REPO/tests/lab/sim/$c" ]; then
		t_eq "$(on "$n" command -v "$c")" "$LAB_DIR/simbin/$n/$c" \
		    "command -v $c on $n finds it"
	else
		_skip "command -v $c on $n finds it" "tests/lab/sim/$c is not (yet) executable"
	fi
	t_eq "$(on "$n" 'test -d "$HVSH_SIM_STATE" && test -w "$HVSH_SIM_STATE" && echo "$HVSH_SIM_STATE"')" \
	    "$LAB_DIR/state/$n" "$n has a writable HVSH_SIM_STATE"
done

# lab down: every sshd, libvirtd and qemu of the lab is gone.
pids=()
for f in "$LAB_DIR"/host/*/sshd.pid "$LAB_DIR"/home/kvm*/run/libvirt/libvirtd.pid \
    "$LAB_DIR"/home/kvm1/run/libvirt/qemu/run/labguest.pid; do
	[ -r "$f" ] && pids+=("$(head -c 16 "$f" | tr -dc 0-9)")
done
t_eq "${#pids[@]}" 9 "6 sshd, 2 libvirtd and 1 qemu run"
on plain1 sleep 60 2>/dev/null &	# a session still open at lab down
sleep 0.3
"$LAB" down >/dev/null 2>&1
t_eq "$?" 0 "lab down succeeds"
t_eq "$(alive "${pids[@]}" | tr '\n' ' ')" "" "none of them is left"
wait
"$LAB" status >/dev/null
t_true "lab status says it is down" [ $? -ne 0 ]
if [ "$(id -u)" -eq 0 ]; then
	left=$(for n in "${names[@]}"; do
		ps -u "${user[$n]}" -o stat=,pid=,comm= 2>/dev/null | grep -v '^Z'
	done)
	t_eq "$left" "" "no process of a lab user is left"
fi

# A pidfile that names a stranger is not obeyed.
sleep 30 &
stranger=$!
echo "$stranger" >"$LAB_DIR/host/plain1/sshd.pid"
"$LAB" down >/dev/null 2>&1
t_eq "$(alive "$stranger")" "$stranger" "lab down spares a pid it did not start"
kill "$stranger" 2>/dev/null
wait 2>/dev/null

awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "# lab test took %.1f s\n", b - a }'
