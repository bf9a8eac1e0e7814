# Hosts and instances end to end on the lab: host keys pinned, facts
# recorded, instances created, started and stopped on real virsh and on
# the xe and vmrun simulators, --dry-run, placement, and a host that hangs.
. "$(dirname "$0")/lib.sh"
lab_use
export HVSH_CONNECT_TIMEOUT_MS=3000 HVSH_COMMAND_TIMEOUT_MS=20000

lab_up --kvm 2 --xen 1 --vmware 1

# First contact: an unknown key is not trusted without confirmation.
hv host add kvm1 $(conn kvm1) --driver kvm
t_status 1 "an unknown host key is refused"
t_err "not trusted yet: SHA256:" "the refusal shows the fingerprint"
fp=$(printf '%s' "$err" | grep -o 'SHA256:[A-Za-z0-9+/=]*' | head -1)
hv host list --no-header
t_eq "$out" "" "nothing is recorded for a refused host"
hv host add kvm1 $(conn kvm1) --driver kvm --accept-key SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
t_status 1 "a wrong --accept-key is refused"
hv host add kvm1 $(conn kvm1) --driver kvm --accept-key "$fp"
t_status 0 "host add with the confirmed fingerprint"
hv host show kvm1 -o json
t_eq "$(printf '%s' "$out" | jq -r .status)" "ok" "the host is ok"
t_true "its CPUs are recorded" test "$(printf '%s' "$out" | jq -r .cpus)" -ge 1
t_true "its memory is recorded" test "$(printf '%s' "$out" | jq -r .memory)" -gt 0
t_out '"hv_version": "[^"]*[0-9]' "its hypervisor version is recorded"

lab_add_hosts kvm2 xen1 vmw1

hv host check -o json
t_status 0 "host check of all four"
t_eq "$(printf '%s' "$out" | jq -r '[.[] | select(.status == "ok")] | length')" "4" "all four answer"

# Instances on each kind of host.
hv vm create web1 --host kvm1 --cpus 1 --memory 32M --disk 64M
t_status 0 "vm create on KVM"
hv vm create db1 --host xen1 --cpus 2 --memory 256M
t_status 0 "vm create on Xen"
hv vm create app1 --host vmw1 --cpus 1 --memory 128M --disk 64M
t_status 0 "vm create on VMware"
hv vm show web1 -o json
t_eq "$(printf '%s' "$out" | jq -r '.host + " " + .state')" "kvm1 stopped" "web1 recorded on kvm1, stopped"
t_true "web1 has the hypervisor's uuid" test -n "$(printf '%s' "$out" | jq -r '.uuid // empty')"

hv vm start web1 --dry-run
t_status 0 "vm start --dry-run"
t_out "^kvm1: 'env' 'LC_ALL=C' 'timeout' '-k' '5' '[0-9]+' 'virsh' 'start'" \
    "--dry-run prints the exact quoted command line the host runs"
hv vm list --refresh --filter name=web1 --no-header --columns state
t_eq "$out" "stopped" "--dry-run ran nothing"

hv vm start --filter 'state=stopped'
t_status 0 "vm start --filter starts all three"
t_out 'web1 started' "web1 started"
t_out 'db1 started' "db1 started"
t_out 'app1 started' "app1 started"
hv vm list --refresh --no-header --columns name,state
t_eq "$(printf '%s' "$out" | tr -s ' ' | sort | paste -sd,)" "app1 running,db1 running,web1 running" \
    "all three run, as their hosts say"

hv vm stop db1 app1 web1 --force
t_status 0 "vm stop --force on three hosts"
hv vm list --no-header --columns name,state
t_eq "$(printf '%s' "$out" | tr -s ' ' | sort | paste -sd,)" "app1 stopped,db1 stopped,web1 stopped" \
    "all three stopped"

hv vm start nosuch
t_status 1 "an unknown instance fails"

# Placement: no --host picks a reachable host with room.
hv vm create placed1 --cpus 1 --memory 32M
t_status 0 "vm create without --host"
hv vm show placed1 -o json
t_true "placement chose a host" test -n "$(printf '%s' "$out" | jq -r '.host // empty')"

# A host that hangs: its sshd is stopped, the others still answer.
"$HVSH_SRC/tests/lab/lab" ssh kvm2 true >/dev/null 2>&1
hv vm create hang1 --host kvm2 --cpus 1 --memory 32M
spid=$(cat "$HVSH_LAB_DIR/host/kvm2/sshd.pid")
kill -STOP "$spid"
start=$(date +%s)
hv host check -o json
took=$(($(date +%s) - start))
kill -CONT "$spid"
t_status 1 "host check fails when one host hangs"
t_eq "$(printf '%s' "$out" | jq -r '.[] | select(.host == "kvm2") | .status')" "unreachable" "the hanging host is named unreachable"
t_eq "$(printf '%s' "$out" | jq -r '[.[] | select(.status == "ok")] | length')" "3" "the other hosts answer"
t_true "it returns within the timeout ($took s)" test "$took" -le 15
hv vm show hang1 -o json
t_eq "$(printf '%s' "$out" | jq -r .state)" "unknown" "instances of an unreachable host are unknown, not stopped"

# Hostile words never run anything on a host.
for w in 'x;touch /tmp/hvsh-canary-'$$ '$(touch /tmp/hvsh-canary-'$$')' '`touch /tmp/hvsh-canary-'$$'`' "-oProxyCommand=touch /tmp/hvsh-canary-$$"; do
	hv vm create "$w" --host kvm1 --cpus 1 --memory 32M
	t_status 2 "a hostile name is refused before any host"
	hv vm start "$w"
	t_true "and refused by vm start" test "$status" -ne 0
done
hv vm start --filter "name=x;touch /tmp/hvsh-canary-$$"
t_true "no canary on the bastion" test ! -e /tmp/hvsh-canary-$$
for h in kvm1 kvm2 xen1 vmw1; do
	t_true "no canary on $h" test "$("$LAB" ssh $h "ls /tmp/hvsh-canary-$$ 2>/dev/null | wc -l")" = 0
done

# Drift: a guest made behind hvsh's back is unmanaged; adopt records it.
"$LAB" kvm-guest kvm1 stray1 >/dev/null 2>&1
"$LAB" ssh kvm2 true >/dev/null 2>&1
hv host sync kvm1 -o json
t_status 0 "host sync"
t_eq "$(printf '%s' "$out" | jq -r '.[] | select(.vm == "stray1") | .drift')" "unmanaged" "a guest made outside hvsh is unmanaged"
t_eq "$(printf '%s' "$out" | jq -r '.[] | select(.vm == "web1") | .drift')" "present" "web1 is present"
hv vm list --no-header --columns name
t_noout '^stray1$' "sync records nothing"
hv vm adopt stray1 --host kvm1
t_status 0 "vm adopt"
hv vm show stray1 -o json
t_eq "$(printf '%s' "$out" | jq -r '.host + " " + .state')" "kvm1 stopped" "the adopted guest is recorded with its state"
hv vm adopt stray1 --host kvm1
t_status 1 "adopting twice is refused"
hv host sync kvm1 -o json
t_eq "$(printf '%s' "$out" | jq -r '.[] | select(.vm == "stray1") | .drift')" "present" "after adopt it is present"
"$LAB" ssh kvm1 virsh undefine stray1 >/dev/null 2>&1
hv host sync kvm1 -o json
t_eq "$(printf '%s' "$out" | jq -r '.[] | select(.vm == "stray1") | .drift')" "missing" "undefined behind hvsh's back: missing"
hv vm show stray1
t_status 0 "a missing instance stays recorded"

hv vm start web1
hv vm stats web1 -o json
t_status 0 "vm stats"
t_eq "$(printf '%s' "$out" | jq -r '.[0].state')" "running" "stats show the live state"
t_true "stats show memory" test "$(printf '%s' "$out" | jq -r '.[0].memory')" -gt 0
hv host facts xen1 -o json
t_status 0 "host facts"
t_true "facts show CPUs" test "$(printf '%s' "$out" | jq -r .cpus)" -ge 1

# Text from hosts never reaches the terminal raw: an instance made on the
# Xen host outside hvsh carries escape sequences in its name.
"$LAB" ssh xen1 "xe vm-install template='Other install media' new-name-label=\"\$(printf 'evil\\033]0;pwned\\007\\033[2J')\"" >/dev/null
hv host sync xen1
t_status 0 "host sync lists the instance with the hostile name"
t_true "no escape character reaches the terminal" bash -c "! grep -q \$'\\e' '$T/.out' '$T/.err'"
t_out 'evil\\x1b\]0;pwned\\x07' "the name is shown with visible escapes"
hv host sync xen1 -o json
t_eq "$(printf '%s' "$out" | jq -r '.[] | select(.vm | startswith("evil")) | .vm' | od -c | head -1 | grep -c '033')" "1" \
    "JSON carries the real bytes for scripts"
touch "$HVSH_LAB_DIR/state/xen1/fault-garbage"
hv host check xen1
t_status 1 "garbage from a host is an error, not a crash"
t_true "and no escape character reaches the terminal" bash -c "! grep -q \$'\\e' '$T/.out' '$T/.err'"
rm -f "$HVSH_LAB_DIR/state/xen1/fault-garbage"

# A command that hangs on a host: the others answer, the hang is cut at
# the command timeout and named.
touch "$HVSH_LAB_DIR/state/xen1/fault-hang"
start=$(date +%s)
HVSH_COMMAND_TIMEOUT_MS=2000 hv host check -o json
took=$(($(date +%s) - start))
t_status 1 "host check fails when a command hangs on one host"
t_eq "$(printf '%s' "$out" | jq -r '.[] | select(.host == "xen1") | .error' | grep -c 'timed out')" "1" \
    "the hanging host is named with a timeout"
t_eq "$(printf '%s' "$out" | jq -r '[.[] | select(.status == "ok")] | length')" "3" "the other hosts answer"
t_true "it returns at the command timeout ($took s)" test "$took" -le 8

# A connection that dies in the middle of a command.
(HVSH_COMMAND_TIMEOUT_MS=30000 "$HVSH" host check xen1 >"$T/die.out" 2>"$T/die.err"; echo $? >"$T/die.rc") &
bg=$!
sleep 1.5
spid=$(cat "$HVSH_LAB_DIR/host/xen1/sshd.pid")
# Every process of the connection (monitor, session, command) holds the
# socket: all of them go, the listener stays. Found by pid, below ours.
below() { local c; for c in $(ps -o pid= --ppid "$1"); do below "$c"; echo "$c"; done; }
for p in $(below "$spid"); do kill -9 "$p" 2>/dev/null; done
start=$(date +%s)
wait "$bg"
took=$(($(date +%s) - start))
rm -f "$HVSH_LAB_DIR/state/xen1/fault-hang"
t_eq "$(cat "$T/die.rc")" "1" "a connection lost mid-command fails the command"
t_true "at once, not at the timeout ($took s)" test "$took" -le 5
t_true "naming the host" grep -q xen1 "$T/die.err" "$T/die.out"
hv host check xen1
t_status 0 "the host is reachable again afterwards"

hv vm destroy web1 db1 app1 --yes
t_status 0 "vm destroy on three hosts"
hv vm list --refresh --no-header --columns name
t_noout '^(web1|db1|app1)$' "destroyed instances are forgotten"
hv audit list -o json
t_out '"result":"destroy vm web1 on kvm1: ok; destroy vm db1 on [a-z0-9]+: ok; destroy vm app1 on [a-z0-9]+: ok' \
    "the audit records each host's outcome of the destroy"
hv store check
t_status 0 "store consistent"
