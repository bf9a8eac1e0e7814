# lib.sh: sourced by every end-to-end script. Each script gets a fresh store
# in a private temporary directory and reports in TAP ("ok N - ...").
#
#   hv ARGS...          runs hvsh; sets $status, $out (stdout), $err (stderr)
#   t_status N DESC     passes if the last hv exited N
#   t_out RE DESC       passes if stdout matches the extended regex
#   t_err RE DESC       passes if stderr matches
#   t_eq A B DESC       passes if A = B
#   t_true DESC CMD...  passes if CMD succeeds
set -u
: "${HVSH:?HVSH must name the hvsh binary}"
T=$(mktemp -d)
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
export HVSH_HOME="$T/store"
export COLUMNS=200
unset HVSH_FAKE_TIME
_n=0

_ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
_nok() {
	_n=$((_n + 1))
	echo "not ok $_n - $*"
	echo "#   last command: ${_cmd:-}"
	echo "#   status: ${status:-}"
	printf '%s\n' "${out:-}" | head -15 | sed 's/^/#   out: /'
	printf '%s\n' "${err:-}" | head -15 | sed 's/^/#   err: /'
}

hv() {
	_cmd="hvsh $*"
	"$HVSH" "$@" >"$T/.out" 2>"$T/.err"
	status=$?
	out=$(cat "$T/.out")
	err=$(cat "$T/.err")
}

# hv_in INPUT ARGS...: like hv with INPUT on standard input.
hv_in() {
	local input=$1
	shift
	_cmd="hvsh $* <<< ..."
	printf '%s' "$input" | "$HVSH" "$@" >"$T/.out" 2>"$T/.err"
	status=$?
	out=$(cat "$T/.out")
	err=$(cat "$T/.err")
}

t_status() { if [ "$status" -eq "$1" ]; then _ok "$2"; else _nok "$2 (want status $1)"; fi; }
t_out() { if printf '%s' "$out" | grep -Eq -- "$1"; then _ok "$2"; else _nok "$2 (stdout !~ $1)"; fi; }
t_noout() { if printf '%s' "$out" | grep -Eq -- "$1"; then _nok "$2 (stdout =~ $1)"; else _ok "$2"; fi; }
t_err() { if printf '%s' "$err" | grep -Eq -- "$1"; then _ok "$2"; else _nok "$2 (stderr !~ $1)"; fi; }
t_eq() { if [ "$1" = "$2" ]; then _ok "$3"; else _nok "$3 ('$1' != '$2')"; fi; }
t_true() { local d=$1; shift; if "$@"; then _ok "$d"; else _nok "$d"; fi; }

# Snapshot of everything the store holds, for "the store is unchanged".
store_dump() { "$HVSH" store dump 2>&1; }

# lab_use: this script's own lab in $T/lab (LAB is its command), brought
# down when the script ends, before $T goes.
lab_use() {
	LAB=$HVSH_SRC/tests/lab/lab
	export HVSH_LAB_DIR=$T/lab
	chmod 711 "$T"	# as root, the lab's users must reach their homes in $T
	trap '"$LAB" down >/dev/null 2>&1; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
}

# lab_up ARGS...: starts the lab (lab up ARGS; a failure ends the script
# as a failed test), reads its hosts into A_NAME, P_NAME and U_NAME, and
# turns the simulators' operation times off.
lab_up() {
	local i v n d addr port user h
	if ! "$LAB" up "$@" >"$T/lab.log" 2>&1; then
		_nok "lab up $*"; sed 's/^/# /' "$T/lab.log"; exit 1
	fi
	eval "$("$LAB" env)"
	for ((i = 1; i <= LAB_HOSTS; i++)); do
		v=LAB_HOST_$i
		read -r n d addr port user <<<"${!v}"
		declare -g "A_$n=$addr" "P_$n=$port" "U_$n=$user"
		case $d in xen|vmware)
			echo 0 >"$HVSH_LAB_DIR/state/$n/speed" 2>/dev/null ;;
		esac
	done
}

# conn HOST: the options of 'host add' that reach lab host HOST.
conn() { local a=A_$1 p=P_$1 u=U_$1; echo "--address ${!a} --port ${!p} --user ${!u} --key $LAB_KEY"; }

# lab_add_hosts HOST...: records each lab host (driver by its name: kvm*,
# xen*, vmw*), confirming the key it shows as an admin would.
lab_add_hosts() {
	local h d f
	for h; do
		case $h in kvm*) d=kvm ;; xen*) d=xen ;; vmw*) d=vmware ;; esac
		hv host add "$h" $(conn "$h") --driver $d
		f=$(printf '%s' "$err" | grep -o 'SHA256:[A-Za-z0-9+/=]*' | head -1)
		hv host add "$h" $(conn "$h") --driver $d --accept-key "$f"
		t_status 0 "host add $h ($d)"
	done
}

# drvrun_on HOST ARGS...: tests/tools/drvrun, with lab host HOST's driver
# and login, runs ARGS (options such as --timeout MS first); sets $status,
# $out and $err as hv does.
drvrun_on() {
	local h=$1 i v n= d= a= p= u=
	shift
	for ((i = 1; i <= LAB_HOSTS; i++)); do
		v=LAB_HOST_$i
		read -r n d a p u <<<"${!v}"
		[ "$n" = "$h" ] && break
	done
	_cmd="drvrun ($h) $*"
	"$HVSH_BUILD/tools/drvrun" --driver "$d" --address "$a" --port "$p" \
	    --user "$u" --key "$LAB_KEY" --known-hosts "$LAB_KNOWN_HOSTS" "$@" \
	    >"$T/.out" 2>"$T/.err"
	status=$?
	out=$(cat "$T/.out")
	err=$(cat "$T/.err")
}

# A program on a terminal: tmux session t on the server at $SOCK (a test
# sets SOCK, and starts the session with 'tmux -S "$SOCK" new-session').
cap() { tmux -S "$SOCK" capture-pane -p -t t 2>/dev/null; }
keys() { tmux -S "$SOCK" send-keys -t t "$@"; }
# wait_for RE [SECONDS]: until the screen shows RE; 1 if it never does.
wait_for() {
	local i n=$(( ${2:-10} * 20 ))
	for ((i = 0; i < n; i++)); do
		cap | grep -Eq -- "$1" && return 0
		sleep 0.05
	done
	return 1
}
# t_screen RE DESC [SECONDS]: the screen shows RE within SECONDS (10).
t_screen() {
	if wait_for "$1" "${3:-10}"; then _ok "$2"
	else _nok "$2 (screen !~ $1)"; cap | sed 's/^/#   | /'; fi
}
# t_noscreen RE DESC: the screen does not show RE now.
t_noscreen() {
	if cap | grep -Eq -- "$1"; then _nok "$2 (screen =~ $1)"; cap | sed 's/^/#   | /'
	else _ok "$2"; fi
}
# t_gone DESC [SECONDS]: the session ends (its program left) within
# SECONDS (5).
t_gone() {
	local i n=$(( ${2:-5} * 20 ))
	for ((i = 0; i < n; i++)); do
		tmux -S "$SOCK" has-session -t t 2>/dev/null || { _ok "$1"; return; }
		sleep 0.05
	done
	_nok "$1 (still running)"
	cap | sed 's/^/#   | /'
}
