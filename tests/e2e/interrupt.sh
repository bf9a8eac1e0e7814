# interrupt.sh: Ctrl-C while a command waits on a host that hangs, in
# scripted mode and in the shell: hvsh gives up at once, says
# "interrupted", leaves the store true, and the shell lives on.
. "$(dirname "$0")/lib.sh"
LAB=$HVSH_SRC/tests/lab/lab
export HVSH_LAB_DIR=$T/lab
chmod 711 "$T"	# as root, the lab's users must reach their homes in $T
export HVSH_CONNECT_TIMEOUT_MS=3000 HVSH_COMMAND_TIMEOUT_MS=30000
sock=hvsh-intr-$$
trap 'tmux -L "$sock" kill-server >/dev/null 2>&1; "$LAB" down >/dev/null 2>&1; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT

if ! "$LAB" up --xen 1 >"$T/lab.log" 2>&1; then
	_nok "lab up"; sed 's/^/# /' "$T/lab.log"; exit 1
fi
eval "$("$LAB" env)"
read -r n d addr port user <<<"$LAB_HOST_1"
echo 0 >"$HVSH_LAB_DIR/state/$n/speed"
hv host add xen1 --address "$addr" --port "$port" --user "$user" --key "$LAB_KEY" --driver xen
fp=$(printf '%s' "$err" | grep -o 'SHA256:[A-Za-z0-9+/=]*' | head -1)
hv host add xen1 --address "$addr" --port "$port" --user "$user" --key "$LAB_KEY" --driver xen --accept-key "$fp"
t_status 0 "host add xen1"

touch "$HVSH_LAB_DIR/state/$n/fault-hang"
# What the store says about hosts and instances (the audit grows).
facts() { store_dump | jq -c '[.host, .vm]'; }
before=$(facts)

# interrupt ARGS...: runs hvsh ARGS in the background, sends SIGINT after
# a second; sets status, err and took (ms from the signal to the exit).
interrupt() {
	_cmd="hvsh $* (SIGINT after 1 s)"
	"$HVSH" "$@" >"$T/.out" 2>"$T/.err" &
	local pid=$! t0
	sleep 1
	t0=$EPOCHREALTIME
	kill -INT "$pid"
	wait "$pid"
	status=$?
	took=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }')
	out=$(cat "$T/.out")
	err=$(cat "$T/.err")
}

interrupt host check xen1
t_status 130 "a command interrupted by Ctrl-C exits 130"
t_err "interrupted" "and says it was interrupted"
t_true "within a second ($took ms)" test "$took" -lt 1000
t_eq "$(facts)" "$before" "the store is unchanged: the host is not marked unreachable"

printf 'host check xen1\nhost add never --address 10.0.0.8 --driver kvm --no-check\n' >"$T/s.hvsh"
interrupt -f "$T/s.hvsh"
t_status 130 "an interrupted script exits 130"
t_true "within a second ($took ms)" test "$took" -lt 1000
hv host show never
t_status 1 "and stops: the next command did not run"

# The shell: Ctrl-C interrupts the command, and the shell goes on.
tm() { tmux -L "$sock" -f /dev/null "$@"; }
screen() { tm capture-pane -p -t sh 2>/dev/null; }
wait_for() {
	local i=0
	while [ $i -lt 50 ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
check() { local d=$1; shift; if "$@"; then _ok "$d"; else out=$(screen); _nok "$d"; fi; }
tm new-session -d -s sh -x 120 -y 30 "env HVSH_HOME=$(printf %q "$HVSH_HOME") HVSH_LAB_DIR=$(printf %q "$HVSH_LAB_DIR") HVSH_COMMAND_TIMEOUT_MS=30000 $(printf %q "$HVSH") shell; echo \"[hvsh exited \$?]\"; sleep 600"
check "the shell starts" wait_for '^hvsh> ?$'
tm send-keys -t sh -l -- "host check xen1"
tm send-keys -t sh Enter
sleep 1
t0=$EPOCHREALTIME
tm send-keys -t sh C-c
check "Ctrl-C interrupts the command" wait_for 'interrupted'
took=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }')
t_true "within a second ($took ms)" test "$took" -lt 1000
check "the prompt comes back" wait_for '^hvsh> ?$'
rm -f "$HVSH_LAB_DIR/state/$n/fault-hang"
tm send-keys -t sh -l -- "host check xen1"
tm send-keys -t sh Enter
check "the shell answers the next command" wait_for '^xen1 +ok'
t_eq "$(tm list-sessions 2>/dev/null | grep -c '^sh:')" 1 "the shell is still running"
check "and did not exit" sh -c '! tmux -L "$1" -f /dev/null capture-pane -p -t sh | grep -q "hvsh exited"' sh "$sock"

echo "1..$_n"
