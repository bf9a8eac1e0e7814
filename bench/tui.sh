#!/usr/bin/env bash
# Dashboard benchmark: `hvsh tui` against htop, each on a pseudo-terminal
# of the same size driven by bench/ptykeys.
#
#  1. A store of 10,000 instances on 500 hosts (tests/tools/seed), the
#     hosts pointed at a closed loopback port and the refresh interval an
#     hour, so that what is timed is the dashboard's own work: from exec to
#     the first whole screen; then 1,000 keys in the instances view (Up and
#     Down, PageDown and PageUp, a filter typed after '/', the sort key),
#     each timed from its write to the last byte of the screen's answer,
#     with the bytes written; a full redraw (C-l) for the size of a screen.
#     The dashboard left alone on that store, for its CPU.
#  2. htop on the same terminal with the same kinds of keys: Up and Down,
#     PageDown and PageUp, its '\' filter, its sort keys M, T, N, P.
#  3. Idle: the dashboard on 64 live lab KVM hosts (two guests each, as
#     bench/fleet.sh has them), default interval, and htop beside it on a
#     pty of its own: the CPU seconds of each process over the same 30 s.
#
# The figures and targets go to docs/BENCHMARKS.md between the markers of
# the "tui" section.
#
#   HVSH_BUILD=build bash bench/tui.sh
#   TUI_VMS (10000), TUI_HOSTS (500), TUI_KEYS (1000), TUI_LIVE (64: lab
#   hosts; 0 leaves the idle part out), TUI_IDLE_S (30), TUI_WARM_S (15),
#   TUI_COLS (120), TUI_ROWS (40), TUI_QUIET_MS (10), TUI_FIRST_RUNS (5),
#   TUI_PERF (1: where the time goes, if perf is installed)
#
# Traffic goes only to loopback addresses (checked). Every run is under
# `timeout`; the lab goes down on exit.
set -u -o pipefail
cd "$(dirname "$0")/.." || exit 1
REPO=$PWD
B=${HVSH_BUILD:-build}
case $B in /*) ;; *) B=$REPO/$B ;; esac
HVSH=$B/hvsh
SEED=$B/tools/seed
PTYKEYS=$B/bench/ptykeys
LAB=$REPO/tests/lab/lab
NVMS=${TUI_VMS:-10000}
NHOSTS=${TUI_HOSTS:-500}
NKEYS=${TUI_KEYS:-1000}
LIVE=${TUI_LIVE:-64}
IDLE=${TUI_IDLE_S:-30}
WARM=${TUI_WARM_S:-15}
COLS=${TUI_COLS:-120}
ROWS=${TUI_ROWS:-40}
QUIET=${TUI_QUIET_MS:-10}
FIRST_RUNS=${TUI_FIRST_RUNS:-5}
PERF=${TUI_PERF:-1}
CLOSED=127.0.0.1:9	# the seeded hosts' address: must refuse (checked)
T1="timeout -k 5 900"	# bound on any one run
TS="timeout -k 5 300"	# bound on a set-up step

say() { echo "tui: $*" >&2; }
die() { say "$*"; exit 1; }

. "$REPO/bench/lib.sh"
need_built "$HVSH" "$SEED" "$PTYKEYS"
need_counts $NVMS $NHOSTS $NKEYS $IDLE $COLS $ROWS $QUIET $FIRST_RUNS
[[ $LIVE =~ ^[0-9]+$ && $WARM =~ ^[0-9]+$ ]] || die "not a count: '$LIVE' '$WARM'"

bench_tools htop=htop jq=jq
have htop || die "bench needs htop"
have jq || die "bench needs jq"
have perf || PERF=0

W=$(mktemp -d /tmp/hvsh-tui.XXXXXX) || die "mktemp failed"
chmod 711 "$W"	# the lab users must reach their homes below it
mkdir -p "$W/log" "$W/out" "$W/keys"
LABDIR=

cleanup() {
	[ -n "$LABDIR" ] &&
	    HVSH_LAB_DIR=$LABDIR timeout -k 5 120 "$LAB" down >/dev/null 2>&1
	chmod -R u+w "$W" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
unset SSH_AUTH_SOCK

load() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD0=$(load)
TERMENV=(env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color)
PK=("$PTYKEYS" -c "$COLS" -r "$ROWS" -q "$QUIET" -s 1000 -w 2000)

# ---------------------------------------------------------------- keys

# keyfile NAME: the lines of bench/ptykeys' key files (KIND KEY).
rep() { local i; for ((i = 0; i < $2; i++)); do echo "$1"; done; }
# One cycle, 120 keys for hvsh: a filter typed and cleared, 40 rows
# down (the last 6 scroll the table) and back, 8 pages down and back, the
# sort key. Cycled until NKEYS.
{
	echo "filter /"
	for c in h o s t = h 1 7; do echo "filter $c"; done
	echo "filter Enter"
	echo "filter /"
	rep "filter BSpace" 8
	echo "filter Enter"
	rep "line Down" 40
	rep "line Up" 40
	rep "page PageDown" 8
	rep "page PageUp" 8
	rep "sort s" 4
} >"$W/keys/hvsh"
echo "view 2" >"$W/keys/hvsh.pre"
rep "full C-l" 3 >"$W/keys/full"
# htop: the same shape with its keys ('\' filters the command lines; M,
# T, N, P sort by memory, time, PID, CPU).
{
	echo "filter \\"
	for c in b a s h; do echo "filter $c"; done
	echo "filter Enter"
	echo "filter \\"
	rep "filter BSpace" 4
	echo "filter Enter"
	rep "line Down" 40
	rep "line Up" 40
	rep "page PageDown" 8
	rep "page PageUp" 8
	for c in M T N P; do echo "sort $c"; done
} >"$W/keys/htop"

# ---------------------------------------------------------------- figures

# pct FILE Q: the Q-th percentile (nearest rank) of the numbers in FILE.
pct() {
	sort -g "$1" | awk -v q="$2" '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		k = int(q * NR / 100); if (k < q * NR / 100) k++; if (k < 1) k = 1
		printf "%.1f\n", v[k] }'
}
# keys OUT KIND... -> file of the times of those kinds' answered keys
keys_ms() {
	local out=$1
	shift
	awk -v k=" $* " '$1 == "key" && index(k, " " $3 " ") && $5 >= 0 { print $5 }' "$out"
}
keys_bytes() {
	local out=$1
	shift
	awk -v k=" $* " '$1 == "key" && index(k, " " $3 " ") && $5 >= 0 { print $6 }' "$out"
}
# row OUT KIND...: "p50 | p99 | max | bytes (median) | keys" of those kinds
row() {
	local out=$1 f=$W/out/row n none
	shift
	keys_ms "$out" "$@" >"$f"
	n=$(grep -c . "$f")
	none=$(awk -v k=" $* " '$1 == "key" && index(k, " " $3 " ") && $5 < 0' "$out" | grep -c .)
	printf '%s ms | %s ms | %s ms | ' "$(pct "$f" 50)" "$(pct "$f" 99)" "$(pct "$f" 100)"
	keys_bytes "$out" "$@" >"$f"
	printf '%s | %s%s' "$(pct "$f" 50 | cut -d. -f1)" "$n" \
	    "$([ "$none" -gt 0 ] && echo " (+$none unchanged)")"
}
mean() { awk '{ s += $1; n++ } END { if (n) printf "%.0f\n", s / n; else print "-" }' "$1"; }
met() { if awk "BEGIN { exit !($1) }"; then echo met; else echo '**not met**'; fi; }

# first_frames NAME READY CMD...: FIRST_RUNS starts after one untimed,
# the first frame's ms of each into $W/out/NAME.first.
first_frames() {
	local name=$1 ready=$2 i
	shift 2
	: >"$W/out/$name.first"
	for ((i = 0; i <= FIRST_RUNS; i++)); do
		mkdir -p "$W/home.$name.$i"
		HOME=$W/home.$name.$i $T1 "${TERMENV[@]}" "${PK[@]}" -R "$ready" \
		    -- "$@" >"$W/out/$name.ff" 2>>"$W/log/$name" ||
		    die "$name: a start failed: $(tail -3 "$W/log/$name")"
		grep -q '^exit 0$' "$W/out/$name.ff" ||
		    die "$name did not quit: $(tail -1 "$W/out/$name.ff")"
		[ "$i" -gt 0 ] && awk '$1 == "first" { print $2, $3 }' "$W/out/$name.ff" \
		    >>"$W/out/$name.first"
	done
}

# ---------------------------------------------------------------- 1: store

STORE=$W/store
say "seeding $NVMS instances on $NHOSTS hosts"
$TS "$SEED" "$STORE" --hosts "$NHOSTS" --vms "$NVMS" --images 20 \
    >>"$W/log/seed" 2>&1 || die "seed failed: $(tail -3 "$W/log/seed")"
# Nothing answers there: a refresh fails at once, and no traffic leaves
# the machine.
(exec 3<>"/dev/tcp/${CLOSED%:*}/${CLOSED#*:}") 2>/dev/null &&
    die "$CLOSED accepts connections; it must be closed"
for ((i = 0; i < NHOSTS; i++)); do
	echo "host set h$i --address ${CLOSED%:*} --port ${CLOSED#*:}"
done >"$W/set.hv"
HVSH_HOME=$STORE $TS "$HVSH" -q -f "$W/set.hv" >>"$W/log/seed" 2>&1 ||
    die "host set failed: $(tail -3 "$W/log/seed")"
k=$(HVSH_HOME=$STORE "$HVSH" host list --no-header --columns address |
    grep -vcx "${CLOSED%:*}")
[ "$k" -eq 0 ] || die "$k hosts not at ${CLOSED%:*}"
k=$(HVSH_HOME=$STORE "$HVSH" vm list --no-header | grep -c .)
[ "$k" -eq "$NVMS" ] || die "$k instances in the store, not $NVMS"

HV=(env HVSH_HOME="$STORE" HVSH_TUI_INTERVAL_MS=3600000
    HVSH_CONNECT_TIMEOUT_MS=2000 "$HVSH" tui)
# The hosts view's key hints, the screen's last line: its first one.
HV_READY="check hosts"
HT_READY="Quit"

say "hvsh: first frame, $FIRST_RUNS starts"
first_frames hvsh "$HV_READY" "${HV[@]}"
say "htop: first frame, $FIRST_RUNS starts"
first_frames htop "$HT_READY" htop -d 100

say "hvsh: $NKEYS keys"
$T1 "${TERMENV[@]}" "${PK[@]}" -R "$HV_READY" -p "$W/keys/hvsh.pre" \
    -k "$W/keys/hvsh" -n "$NKEYS" -t "$W/keys/full" -- "${HV[@]}" \
    >"$W/out/hvsh.keys" 2>>"$W/log/hvsh" || die "hvsh: the key run failed"
grep -q '^exit 0$' "$W/out/hvsh.keys" || die "hvsh did not quit after the keys"
say "htop: $NKEYS keys"
mkdir -p "$W/home.htop.keys"
HOME=$W/home.htop.keys $T1 "${TERMENV[@]}" "${PK[@]}" -R "$HT_READY" \
    -k "$W/keys/htop" -n "$NKEYS" -t "$W/keys/full" -- htop -d 100 \
    >"$W/out/htop.keys" 2>>"$W/log/htop" || die "htop: the key run failed"
grep -q '^exit 0$' "$W/out/htop.keys" || die "htop did not quit after the keys"

# Every key of hvsh's mix must have changed the screen: the mix is made
# so that each does.
k=$(awk '$1 == "key" && $5 < 0' "$W/out/hvsh.keys" | grep -c .)
[ "$k" -eq 0 ] || say "hvsh: $k keys changed nothing on the screen"

say "hvsh: left alone for $IDLE s on the store, instances view"
$T1 "${TERMENV[@]}" "${PK[@]}" -R "$HV_READY" -p "$W/keys/hvsh.pre" \
    -i "$IDLE" -W 5 -- "${HV[@]}" \
    >"$W/out/hvsh.idle0" 2>>"$W/log/hvsh" || die "hvsh: the idle run failed"
read -r _ _ cpu_idle0 _ < <(grep '^idle ' "$W/out/hvsh.idle0")

# Where the time goes: the key run again under perf, the share of the
# samples in the dashboard's parts (inclusive, inlined functions named).
PERF_TXT=
if [ "$PERF" = 1 ]; then
	say "hvsh: the keys again under perf"
	if $T1 "${TERMENV[@]}" "${PK[@]}" -R "$HV_READY" -p "$W/keys/hvsh.pre" \
	    -k "$W/keys/hvsh" -n "$NKEYS" -- perf record -q -F 499 \
	    --call-graph dwarf,16384 -o "$W/perf.data" "${HV[@]}" \
	    >"$W/out/hvsh.perf" 2>>"$W/log/perf" &&
	    $TS perf report -i "$W/perf.data" --children --sort symbol -g none \
	    --stdio 2>>"$W/log/perf" >"$W/out/perf.txt"; then
		# Shares of the UI loop's samples and of the reload's, which
		# stay put if some stacks cannot be unwound.
		PERF_TXT=$(awk '
			/^ *[0-9.]+%/ && !($4 in v) { v[$4] = $1 + 0 }
			function of(a, b) { return v[b] > 0 ? sprintf("%.0f%%", 100 * v[a] / v[b]) : "?" }
			END {
				printf "the reload (`tui_model_load`) took %s of the UI loop'"'"'s samples", of("tui_model_load", "loop")
				printf " and drawing (`tui_screen_draw`) %s, of which %s went to column widths measured over every row (`layout_cols`)", of("tui_screen_draw", "loop"), of("layout_cols", "tui_screen_draw")
				printf "; within the reload, %s went to LMDB reads of the records and of the host and image names each row shows (`store_get`),", of("store_get", "tui_model_load")
				printf " %s to formatting and copying the cells (`cell_of`) and %s to freeing the rows before (`rows_free`)", of("cell_of", "tui_model_load"), of("rows_free", "tui_model_load")
				printf ". The filter keys (`tui_model_filter`) account for %s of the UI loop, the sort key (`tui_model_sort`) %s", of("tui_model_filter", "loop"), of("tui_model_sort", "loop")
			}' "$W/out/perf.txt")
	else
		say "perf failed: $(tail -2 "$W/log/perf")"
	fi
fi
LOAD1=$(load)

# ---------------------------------------------------------------- 3: idle

IDLE_TXT=
if [ "$LIVE" -gt 0 ]; then
	LABDIR=$W/lab
	say "lab up --kvm $LIVE"
	HVSH_LAB_DIR=$LABDIR $TS "$LAB" up --kvm "$LIVE" --no-check \
	    >"$W/log/lab" 2>&1 || { tail -20 "$W/log/lab" >&2; die "lab up failed"; }
	envf=$(HVSH_LAB_DIR=$LABDIR "$LAB" env) || die "lab env failed"
	eval "$envf"
	[ "$LAB_HOSTS" -eq "$LIVE" ] || die "the lab has $LAB_HOSTS hosts, not $LIVE"
	LSTORE=$W/live
	mkdir -p "$LSTORE"
	: >"$W/lab.hosts"
	for ((i = 1; i <= LAB_HOSTS; i++)); do
		v=LAB_HOST_$i
		read -r n d a p u <<<"${!v}"
		[[ $a == 127.* ]] || die "lab host $n is at $a, not on loopback"
		echo "$n" >>"$W/lab.hosts"
		echo "host add $n --address $a --port $p --user $u --key $LAB_KEY --driver kvm --no-check"
	done >"$W/add.hv"
	HVSH_HOME=$LSTORE $TS "$HVSH" -q -f "$W/add.hv" >>"$W/log/lab" 2>&1 ||
	    die "host add failed: $(tail -3 "$W/log/lab")"
	cp "$LAB_KNOWN_HOSTS" "$LSTORE/known_hosts" && chmod 600 "$LSTORE/known_hosts"
	say "defining and adopting 2 guests on each of $LIVE hosts"
	HVSH_LAB_DIR=$LABDIR $T1 xargs -P 4 -I{} sh -c \
	    '"$1" kvm-guest "$2" "$2-a" && "$1" kvm-guest "$2" "$2-b"' \
	    sh "$LAB" {} <"$W/lab.hosts" >>"$W/log/lab" 2>&1 ||
	    die "defining guests failed: $(tail -3 "$W/log/lab")"
	HVSH_HOME=$LSTORE $T1 xargs -P 4 -I{} "$HVSH" -q -c \
	    'vm adopt {}-a --host {}; vm adopt {}-b --host {}' \
	    <"$W/lab.hosts" >>"$W/log/lab" 2>&1 ||
	    die "vm adopt failed: $(tail -3 "$W/log/lab")"
	k=$(HVSH_HOME=$LSTORE "$HVSH" vm list --no-header | grep -c .)
	[ "$k" -eq $((2 * LIVE)) ] || die "$k instances recorded, not $((2 * LIVE))"

	say "hvsh (default interval) and htop side by side: $WARM s, then $IDLE s"
	t_window=$(date -u -d "@$(($(date +%s) + WARM))" +%Y-%m-%dT%H:%M:%SZ)
	HVSH_HOME=$LSTORE HVSH_CONNECT_TIMEOUT_MS=10000 \
	    HVSH_COMMAND_TIMEOUT_MS=60000 $T1 "${TERMENV[@]}" "${PK[@]}" \
	    -R "$HV_READY" -i "$IDLE" -W "$WARM" -- "$HVSH" tui \
	    >"$W/out/hvsh.idle" 2>>"$W/log/hvsh" &
	p_hv=$!
	mkdir -p "$W/home.htop.idle"
	HOME=$W/home.htop.idle $T1 "${TERMENV[@]}" "${PK[@]}" -R "$HT_READY" \
	    -i "$IDLE" -W "$WARM" -- htop >"$W/out/htop.idle" 2>>"$W/log/htop" &
	p_ht=$!
	wait "$p_hv" || die "hvsh: the idle run failed"
	wait "$p_ht" || die "htop: the idle run failed"
	# The dashboard kept refreshing every host: each was seen during the
	# window.
	HVSH_HOME=$LSTORE "$HVSH" host list -o json >"$W/out/live.json" 2>>"$W/log/hvsh"
	up=$(jq --arg t "$t_window" '[.[] | select(.status == "ok" and
	    .last_seen >= $t)] | length' "$W/out/live.json")
	read -r _ _ cpu_hv bytes_hv cpu_hv0 < <(grep '^idle ' "$W/out/hvsh.idle")
	read -r _ _ cpu_ht bytes_ht cpu_ht0 < <(grep '^idle ' "$W/out/htop.idle")
	IDLE_TXT=$(cat <<R

### Idle, on $LIVE live KVM hosts

\`tests/lab/lab up --kvm $LIVE\` (an sshd, a session libvirtd and QEMU each, on this machine),
two guests defined on each and adopted, as in the fleet benchmark. The dashboard (its hosts
view, the first shown) with its
default interval (2 s: every host refreshed over its kept session, the view reloaded after
the answers) and htop with its default delay (1.5 s), each on a ${COLS}x${ROWS} pty of its own,
started together; after the first frame and $WARM s (the dashboard's first logins to every
host), the CPU time of each process (utime + stime from /proc/PID/stat, all threads) over
the same $IDLE s with no key pressed. $up of the $LIVE hosts were seen (status ok) during those
$IDLE s, from the store the dashboard writes each answer to.

| program | CPU over $IDLE s | share of one core | written to the terminal | CPU before ($WARM s + start) |
| --- | --- | --- | --- | --- |
| \`hvsh tui\`, $LIVE hosts, $((2 * LIVE)) instances | ${cpu_hv} s | $(awk -v c="$cpu_hv" -v s="$IDLE" 'BEGIN { printf "%.1f%%", 100 * c / s }') | ${bytes_hv} bytes | ${cpu_hv0} s |
| \`htop\` | ${cpu_ht} s | $(awk -v c="$cpu_ht" -v s="$IDLE" 'BEGIN { printf "%.1f%%", 100 * c / s }') | ${bytes_ht} bytes | ${cpu_ht0} s |
R
)
	HVSH_LAB_DIR=$LABDIR timeout -k 5 120 "$LAB" down >/dev/null 2>&1
	LABDIR=
fi
LOAD2=$(load)

# ---------------------------------------------------------------- report

K=$W/out/hvsh.keys H=$W/out/htop.keys
keys_ms "$K" line page filter sort >"$W/out/all.ms"
p50=$(pct "$W/out/all.ms" 50) p99=$(pct "$W/out/all.ms" 99)
n_all=$(grep -c . "$W/out/all.ms")
ff=$(cut -d' ' -f1 "$W/out/hvsh.first" >"$W/out/ff"; pct "$W/out/ff" 50)
ff_max=$(pct "$W/out/ff" 100)
ff_bytes=$(cut -d' ' -f2 "$W/out/hvsh.first" | sort -g | tail -1)
ht_ff=$(cut -d' ' -f1 "$W/out/htop.first" >"$W/out/hff"; pct "$W/out/hff" 50)
keys_bytes "$K" line >"$W/out/line.b"
step=$(mean "$W/out/line.b") step_max=$(sort -g "$W/out/line.b" | tail -1)
keys_bytes "$K" full >"$W/out/full.b"
full=$(pct "$W/out/full.b" 50 | cut -d. -f1)
keys_bytes "$H" line >"$W/out/hline.b"
keys_bytes "$H" full >"$W/out/hfull.b"
view_ms=$(awk '$1 == "key" && $3 == "view" { printf "%.1f\n", $5 }' "$K")
n_line=$(grep -c . "$W/out/line.b")
n_scroll=$((40 - (ROWS - 5) + 1))	# the table has ROWS - 5 rows
[ "$n_scroll" -lt 0 ] && n_scroll=0
t_idle=
[ -n "$IDLE_TXT" ] && t_idle="| idle CPU beside htop's ($LIVE live hosts, $IDLE s) | hvsh ${cpu_hv} s, htop ${cpu_ht} s | reported |"

PERF_PARA=
[ -n "$PERF_TXT" ] && PERF_PARA="

Where hvsh's time goes, from \`perf record --call-graph dwarf\` over the same key run (samples
of each function with what it calls): $PERF_TXT."
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
mem=$(free -g | awk '/Mem:/ { print $2 " GiB" }')
ncv=$(infocmp -V 2>/dev/null | awk '{ print $2 }')
result=$(cat <<R
Measured $(date -u +%Y-%m-%d) on $(nproc) cores of $cpu, $mem, $(. /etc/os-release; echo "$PRETTY_NAME");
$(htop --version 2>/dev/null | head -1), ${ncv:-ncurses}. Each program runs on a pseudo-terminal of ${COLS}x${ROWS}
(\`bench/ptykeys\`; TERM=xterm-256color, LANG=C.UTF-8). A key is written, the output read
until the terminal has been quiet for $QUIET ms, and its time is from the write to the read
of the last byte of the answer (the quiet wait not counted); its bytes are all it wrote.
Percentiles by nearest rank. Load average before, before the idle part and at the end (other
work shares the machine): $LOAD0 / $LOAD1 / $LOAD2.

| target | figure | |
| --- | --- | --- |
| p99 key to screen < 16 ms ($n_all keys, $NVMS instances) | p99 $p99 ms, p50 $p50 ms | $(met "$p99 < 16") |
| first frame < 100 ms (median of $FIRST_RUNS starts) | $ff ms (slowest $ff_max ms) | $(met "$ff < 100") |
| a line step writes less than a full screen | $step bytes (mean of $n_line; largest $step_max) against $full | $(met "$step < $full") |
$t_idle

### Keys, with $NVMS instances on $NHOSTS hosts

The store holds $NVMS instances on $NHOSTS hosts and 20 images (\`tests/tools/seed\`); every host
is at $CLOSED, which refuses connections, and the dashboard's interval is an hour
(HVSH_TUI_INTERVAL_MS), so that the hosts cost it one failed round at the start and nothing
after. After the first frame (the hosts view) and a second of quiet, \`2\` opens the
instances view ($view_ms ms, not counted), then $NKEYS keys in cycles of 120: \`/host=h17\`
typed and Enter (the filter applies at each character), \`/\`, 8 Backspaces and Enter (the
filter cleared), Down 40 times (the last $n_scroll scroll the table) and Up 40 times, PageDown and
PageUp 8 times each, \`s\` (sort by the next column) 4 times. Then C-l 3 times, a whole
screen redrawn. htop (\`htop -d 100\`: an update every 10 s, so that its own updates seldom
fall inside a key's answer) gets the same shape of cycle with its keys: \`\\bash\` and Enter,
\`\\\`, 4 Backspaces and Enter; Down, Up, PageDown, PageUp as above; its sort keys M, T, N, P.
htop lists this machine's processes and threads (a few hundred rows), not $NVMS; a key that
changed nothing (PageDown past its last row) is left out and counted as unchanged. htop's
sort keys mark the new sort column at once and reorder the rows at its next update, so its
sort figure is the header alone.

| keys | hvsh p50 | p99 | max | bytes (median) | keys | htop p50 | p99 | max | bytes (median) | keys |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
| all of the mix | $(row "$K" line page filter sort) | $(row "$H" line page filter sort) |
| Up, Down | $(row "$K" line) | $(row "$H" line) |
| PageDown, PageUp | $(row "$K" page) | $(row "$H" page) |
| filter: \`/\` or \`\\\`, the text, Backspaces, Enter | $(row "$K" filter) | $(row "$H" filter) |
| sort | $(row "$K" sort) | $(row "$H" sort) |
| C-l (the whole screen) | $(row "$K" full) | $(row "$H" full) |

A line step of hvsh wrote $step bytes on average (largest $step_max), htop's $(mean "$W/out/hline.b");
a whole screen is $full bytes for hvsh and $(pct "$W/out/hfull.b" 50 | cut -d. -f1) for htop.

First frame, from exec to the last byte of the first whole screen (the hosts view for hvsh,
its first line of key hints seen, then quiet for $QUIET ms), median of $FIRST_RUNS starts after an
untimed one: hvsh $ff ms ($ff_bytes bytes), htop $ht_ff ms (htop reads /proc twice, a moment
apart, before it draws, for its CPU figures).

Left alone for $IDLE s on this store in the instances view (no host answers, so no refresh;
after \`2\` and 5 s), the dashboard used ${cpu_idle0:-?} s of CPU (its ages grow once a
second, counted on in memory; the store is read again only when a host answers).$PERF_PARA
$IDLE_TXT
R
)
printf '%s\n' "$result"

doc_section tui Dashboard "$result"
exit 0
