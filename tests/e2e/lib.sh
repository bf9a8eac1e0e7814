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
