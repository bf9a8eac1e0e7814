# sessions.sh: the transport's sessions as hvsh uses them, on 16 simulated
# Xen hosts: one login per host for all the commands of a process; a
# session killed between two commands is reopened; a host that hangs during
# a refresh costs the command timeout and no more, and leaves the others
# right; a host that is down is not waited for twice (backoff).
. "$(dirname "$0")/lib.sh"
lab_use
export HVSH_CONNECT_TIMEOUT_MS=3000 HVSH_COMMAND_TIMEOUT_MS=20000
N=16

lab_up --xen $N
hosts=()
for ((i = 1; i <= N; i++)); do hosts+=("xen$i"); done
lab_add_hosts "${hosts[@]}"

# One guest per host, g1..g16, adopted; those of odd hosts run.
for ((i = 1; i <= N; i++)); do
	"$LAB" ssh "xen$i" "xe vm-install template='Other install media' new-name-label=g$i" >/dev/null
	((i % 2)) && "$LAB" ssh "xen$i" "xe vm-start vm=g$i" >/dev/null
	hv vm adopt "g$i" --host "xen$i"
	[ "$status" -eq 0 ] || _nok "vm adopt g$i"
done
want_state() { if (($1 % 2)); then echo running; else echo stopped; fi; }

# logins HOST: how many logins the host's sshd accepted (LogLevel INFO).
logins() { grep -c 'Accepted publickey' "$HVSH_LAB_DIR/host/$1/sshd.log"; }
all_logins() { local h; for h in "${hosts[@]}"; do printf '%s ' "$(logins "$h")"; done; }
plus_one() { local a; for a in $1; do printf '%s ' $((a + 1)); done; }
ms_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }'; }

# --- a. one session per host for every command of a process

before=$(all_logins)
hv -c 'vm list --refresh; vm list --refresh'
t_status 0 "-c: two refreshes of $N hosts"
t_eq "$(all_logins)" "$(plus_one "$before")" "one login per host for both"

for ((i = 0; i < 20; i++)); do echo "host check xen3"; done >"$T/twenty.hvsh"
before=$(logins xen3)
hv -f "$T/twenty.hvsh"
t_status 0 "-f: a script of 20 commands on xen3"
t_eq "$(printf '%s\n' "$out" | grep -c '^xen3  *ok')" 20 "all 20 ran"
t_eq "$(logins xen3)" $((before + 1)) "one login for all 20"

# --- b. a session killed between two commands is reopened
#
# A script (-f, -c, stdin) is read whole before it runs, so the commands
# are fed to the shell through a fifo, one at a time.

mkfifo "$T/fifo"
before=$(logins xen5)
"$HVSH" shell <"$T/fifo" >"$T/sh.out" 2>"$T/sh.err" &
shpid=$!
exec 3>"$T/fifo"
echo "host check xen5" >&3
for ((i = 0; i < 100; i++)); do
	[ "$(grep -c '^xen5  *ok' "$T/sh.out")" -ge 1 ] && break
	sleep 0.1
done
t_eq "$(logins xen5)" $((before + 1)) "the shell's first command logged in"
# The session's processes: the child of xen5's sshd (its privileged
# monitor) and that one's child, which holds the connection. Killing only
# the monitor can leave the connection up until the next exec request,
# and a command that went out is never sent twice, so both go.
sshd=$(cat "$HVSH_LAB_DIR/host/xen5/sshd.pid")
kids=$(ps -o pid= --ppid "$sshd" | tr -d ' ' | paste -sd' ')
t_true "xen5's sshd has the session's process ($kids)" test -n "$kids"
for k in $kids; do
	kids="$kids $(ps -o pid= --ppid "$k" | tr -d ' ' | paste -sd' ')"
done
[ -n "$kids" ] && kill -KILL $kids
echo "host check xen5" >&3
exec 3>&-
wait "$shpid"
status=$?
out=$(cat "$T/sh.out") err=$(cat "$T/sh.err")
t_status 0 "the shell ends well"
t_eq "$(grep -c '^xen5  *ok' "$T/sh.out")" 2 "the second command succeeded on a new session"
t_eq "$(logins xen5)" $((before + 2)) "which logged in once more"

# --- c. a host that hangs during a refresh of all 16
#
# xen7's xe hangs (the simulator's fault-hang). The command gives up on it
# at its command timeout; the other hosts answer.

touch "$HVSH_LAB_DIR/state/xen7/fault-hang"
echo "vm list --refresh -o json" >"$T/list.hvsh"
t0=$EPOCHREALTIME
HVSH_COMMAND_TIMEOUT_MS=4000 hv -f "$T/list.hvsh"
took=$(ms_since "$t0")
t_status 1 "a script whose vm list --refresh met a hung host exits 1"
t_true "within its command timeout, 4000 ms ($took ms)" test "$took" -lt 12000
t_err 'xen7: command timed out after 4000 ms' "and names xen7, timed out"
echo "host check" >"$T/check.hvsh"
HVSH_COMMAND_TIMEOUT_MS=4000 hv -f "$T/check.hvsh"
rm -f "$HVSH_LAB_DIR/state/xen7/fault-hang"
t_status 1 "host check with the hung host exits 1"
t_out '^xen7 .*timed out after 4000 ms' "xen7 timed out"
t_eq "$(printf '%s\n' "$out" | grep -Ec '^xen[0-9]+  *ok ')" $((N - 1)) "the $((N - 1)) others are ok"
hv vm list -o json
bad=
for ((i = 1; i <= N; i++)); do
	s=$(printf '%s' "$out" | jq -r --arg n "g$i" '.[] | select(.name == $n) | .state')
	if [ "$i" -eq 7 ]; then w=unknown; else w=$(want_state "$i"); fi
	[ "$s" = "$w" ] || bad="$bad g$i=$s(not $w)"
done
t_eq "$bad" "" "every guest as its host says, the hung host's unknown"

# --- d. backoff: a host that is down is not waited for twice

#
# xen9's sshd is stopped (SIGSTOP): a connect times out. The second refresh
# comes within the first backoff window (1 s after the failure): it names
# xen9 alone, so that nothing else stands between the two.

kill -STOP "$(cat "$HVSH_LAB_DIR/host/xen9/sshd.pid")"
t0=$EPOCHREALTIME
# The shell, which goes on after a failed command (a script would stop).
HVSH_CONNECT_TIMEOUT_MS=6000 hv_in 'vm list --refresh -o json
host check xen9
' shell
took=$(ms_since "$t0")
kill -CONT "$(cat "$HVSH_LAB_DIR/host/xen9/sshd.pid")"
t_status 1 "the second refresh fails for the host that is down"
t_true "one connect timeout (6000 ms) for both refreshes, not two ($took ms)" \
    test "$took" -ge 5900 -a "$took" -lt 11000
t_err 'vm list: xen9: cannot connect.*its instances are unknown' \
    "the first names the host that did not answer"
t_out '^xen9 .*cannot connect.*\(next try in [0-9]+ s\)' \
    "the second says when the next try is"
t_eq "$(printf '%s' "$out" | sed -n '/^\[/,/^\]/p' | jq -r '.[] | select(.name == "g9") | .state')" \
    unknown "the first refresh marked xen9's guest unknown"

echo "1..$_n"
