#!/usr/bin/env bash
# Fleet benchmark: hvsh against the tools a user would otherwise run, on
# private labs of real KVM hosts (tests/lab/lab: one sshd, one session
# libvirtd and real QEMU each).
#
#  1. cold: `hvsh vm list --refresh` (a new process, new sessions) on 16,
#     64 and 128 hosts with two guests each recorded, against `xargs -P
#     ssh HOST virsh domstats --raw`, parallel-ssh and clush running the
#     same virsh; again with one guest per host running, at the sizes the
#     machine holds (tried, smallest first);
#  2. warm: the refreshes after the first inside one `hvsh -c`, against
#     OpenSSH ControlMaster + xargs with the masters already up;
#  3. one host with 50 domains: `hvsh vm list --refresh` against `ssh HOST
#     virsh domstats --raw`;
#  4. `host sync` with 1,000 and 2,000 instances in the store;
#  5. a script of 20 commands against one host (`hvsh -f`): the logins
#     that host's sshd logs.
#
# The tools take turns (one untimed warm-up run each, then FLEET_ROUNDS
# cycles of one timed run each), timed by wall clock around the whole
# process; medians. The figures and targets go to docs/BENCHMARKS.md
# between the markers of the "fleet" section.
#
#   HVSH_BUILD=build bash bench/fleet.sh
#   FLEET_SIZES ("16 64 128"), FLEET_ROUNDS (5), FLEET_WARM_K (2),
#   FLEET_RUNNING (1: try running guests; 0: do not), FLEET_DOMAINS (50)
#
# Traffic goes only to the labs' loopback addresses (checked). Every loop
# has a fixed count, every run is under `timeout`; the labs go down on
# exit.
set -u -o pipefail
cd "$(dirname "$0")/.." || exit 1
REPO=$PWD
B=${HVSH_BUILD:-build}
case $B in /*) ;; *) B=$REPO/$B ;; esac
HVSH=$B/hvsh
SEED=$B/tools/seed
STORE_ADD=$B/tools/store-add
LAB=$REPO/tests/lab/lab
SIZES=${FLEET_SIZES:-16 64 128}
ROUNDS=${FLEET_ROUNDS:-5}
WARM_K=${FLEET_WARM_K:-2}
RUNNING=${FLEET_RUNNING:-1}
NDOM=${FLEET_DOMAINS:-50}
SYNC_SMALL=1000 SYNC_LARGE=2000
NSCRIPT=20
PAR=64		# hosts at once, every tool (hvsh's own limit)
MIN_FREE_MB=2048	# running guests must leave this much memory free
MAX_BUSY=25		# and use at most this share of the CPU (percent), idle
T1="timeout -k 5 900"	# bound on any one run of any tool
TS="timeout -k 5 300"	# bound on a set-up step

say() { echo "fleet: $*" >&2; }
die() { say "$*"; exit 1; }

. "$REPO/bench/lib.sh"
need_built "$HVSH" "$SEED" "$STORE_ADD"
need_counts $SIZES $ROUNDS $WARM_K $NDOM

# ---------------------------------------------------------------- tools

bench_tools parallel-ssh=pssh clush=clustershell ssh=openssh-client jq=jq
have jq || die "bench needs jq"

# ---------------------------------------------------------------- labs

W=$(mktemp -d /tmp/hvsh-fleet.XXXXXX) || die "mktemp failed"
chmod 711 "$W"	# the lab users must reach their homes below it
mkdir -p "$W/t" "$W/log" "$W/out" "$W/cm" "$W/home/.config"
LABS=()		# every lab directory started, for the clean-up
CM_HOSTS=	# the hosts file whose ControlMasters are open

close_masters() {
	local n d a p u
	[ -n "$CM_HOSTS" ] && [ -s "$CM_HOSTS" ] || return 0
	while read -r n d a p u; do
		timeout 10 ssh -F /dev/null -o ControlPath="$W/cm/%C" \
		    -O exit -p "$p" "$u@$a" </dev/null >/dev/null 2>&1
	done <"$CM_HOSTS"
	CM_HOSTS=
}
cleanup() {
	local l
	close_masters
	for l in "${LABS[@]}"; do
		HVSH_LAB_DIR=$l timeout -k 5 120 "$LAB" down >/dev/null 2>&1
	done
	chmod -R u+w "$W" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
unset SSH_AUTH_SOCK	# only the lab key, never an agent's

# lab_start DIR ARGS...: lab up ARGS in DIR; its hosts into DIR.hosts as
# "name driver address port user"; sets LAB_KEY, LAB_KNOWN_HOSTS.
lab_start() {
	local dir=$1 envf i v n d a p u
	shift
	LABS+=("$dir")
	say "lab up $* in $dir"
	HVSH_LAB_DIR=$dir $TS "$LAB" up "$@" >"$dir.log" 2>&1 ||
	    { tail -20 "$dir.log" >&2; die "lab up $* failed"; }
	envf=$(HVSH_LAB_DIR=$dir "$LAB" env) || die "lab env failed"
	eval "$envf"
	: >"$dir.hosts"
	for ((i = 1; i <= LAB_HOSTS; i++)); do
		v=LAB_HOST_$i
		read -r n d a p u <<<"${!v}"
		# Nothing but the lab's loopback addresses is ever contacted.
		[[ $a == 127.* ]] || die "lab host $n is at $a, not on loopback"
		echo "$n $d $a $p $u" >>"$dir.hosts"
	done
}
lab_stop() {
	HVSH_LAB_DIR=$1 timeout -k 5 120 "$LAB" down >/dev/null 2>&1
}

# Every OpenSSH client: the lab key only, the lab known_hosts strictly, no
# prompts, no user or system ssh_config.
ssho() {
	SSHO=(-F /dev/null -i "$LAB_KEY" -o IdentitiesOnly=yes
	    -o UserKnownHostsFile="$LAB_KNOWN_HOSTS" -o GlobalKnownHostsFile=/dev/null
	    -o StrictHostKeyChecking=yes -o BatchMode=yes -o LogLevel=ERROR
	    -o ConnectTimeout=10)
	SSHO_STR=${SSHO[*]}	# no spaces in these paths (mktemp's, the lab's)
}
TOOLENV=(env HOME="$W/home" XDG_CONFIG_HOME="$W/home/.config")
export HVSH_CONNECT_TIMEOUT_MS=10000 HVSH_COMMAND_TIMEOUT_MS=300000

# hv STORE ARGS...: hvsh on STORE, bounded; its output to $W/log/hv.
hv() {
	local s=$1
	shift
	HVSH_HOME=$s $TS "$HVSH" "$@" >>"$W/log/hv" 2>&1
}

# store_hosts STORE HOSTSFILE: a store that knows the hosts (recorded
# without a login; their keys are the lab's known_hosts, as an admin who
# accepted each would have them).
store_hosts() {
	local s=$1 n d a p u
	mkdir -p "$s"
	while read -r n d a p u; do
		echo "host add $n --address $a --port $p --user $u --key $LAB_KEY --driver kvm --no-check"
	done <"$2" >"$s.add.hv"
	hv "$s" -f "$s.add.hv" || die "host add failed: $(tail -3 "$W/log/hv")"
	cp "$LAB_KNOWN_HOSTS" "$s/known_hosts" && chmod 600 "$s/known_hosts"
}

# record_domains STORE HOST NAME: records every domain of lab host NAME as
# an instance on store host HOST, matched by uuid (store-add: no tag is
# written on the host, so the host serves several stores).
record_domains() {
	local s=$1 h=$2 dn uu k=0
	while read -r dn uu; do
		[ -n "$dn" ] || continue
		"$STORE_ADD" "$s" vm "$dn" host="$h" uuid="$uu" state=stopped \
		    cpus=1 memory=33554432 >/dev/null || return 1
		k=$((k + 1))
	done < <(HVSH_LAB_DIR=$CUR_LAB $TS "$LAB" ssh "$3" \
	    'for d in $(virsh list --all --name); do echo "$d $(virsh domuuid "$d")"; done' \
	    </dev/null)
	echo "$k"
}

# ---------------------------------------------------------------- timing

declare -A MED=() NR=() NOTE=()

median() {	# FILE of ms, one a line -> median with 1 decimal, or "-"
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.1f\n", m }'
}

# Each tool ID is run by tool_KIND (KIND: ID up to its first dot) with
# the current size's globals, and its output checked by check_KIND, which
# fails with a message on stdout.
run_tool() {	# ID -> output in $W/out/ID, status
	local id=$1
	"tool_${id%%.*}" </dev/null >"$W/out/$id" 2>"$W/log/$id"
}
verify() {	# ID
	local id=$1 why rc
	why=$("check_${id%%.*}" "$W/out/$id")
	rc=$?
	[ "$rc" -eq 0 ] || echo "${why:-its output is not what was expected}"
	return "$rc"
}
failed() {	# ID WHY
	say "$1: $2"
	tail -3 "$W/log/$1" 2>/dev/null | sed 's/^/  /' >&2
	NOTE[$1]="failed: $2"
}
once() {	# ID: one timed run, its ms appended to $W/t/ID
	local id=$1 t0 t1 rc why
	t0=${EPOCHREALTIME/[.,]/}
	run_tool "$id"
	rc=$?
	t1=${EPOCHREALTIME/[.,]/}
	[ "$rc" -eq 0 ] || { failed "$id" "a run exited $rc"; return 1; }
	why=$(verify "$id") || { failed "$id" "$why"; return 1; }
	printf '%d.%03d\n' $(((t1 - t0) / 1000)) $(((t1 - t0) % 1000)) \
	    >>"$W/t/$id"
}

# interleave ID...: an untimed warm-up run of each, then ROUNDS cycles of
# one timed run of each, so that whatever else loads the machine falls on
# all alike. A tool that fails once is dropped, with a note.
interleave() {
	local i id why
	for id; do
		: >"$W/t/$id"
		[ -n "${NOTE[$id]:-}" ] && continue
		say "$id: warm-up run"
		if ! run_tool "$id"; then
			failed "$id" "the warm-up run failed"
		elif ! why=$(verify "$id"); then
			failed "$id" "$why"
		fi
	done
	for ((i = 1; i <= ROUNDS; i++)); do
		say "cycle $i of $ROUNDS: $*"
		for id; do
			[ -z "${NOTE[$id]:-}" ] && once "$id"
		done
	done
	for id; do
		MED[$id]=$(median "$W/t/$id")
		NR[$id]=$(grep -c . "$W/t/$id")
	done
}

# ---------------------------------------------------------------- checks

# Rows of hvsh tables (headers left out), each with a state; none unknown.
# EXPECT: data rows; EXPECT_RUNNING: rows in state running.
check_hvsh() {
	local rows unk run
	rows=$(grep -vc '^NAME ' "$1")
	unk=$(grep -cw unknown "$1")
	run=$(grep -cw running "$1")
	[ "$rows" -eq "$EXPECT" ] || { echo "$rows rows, not $EXPECT"; return 1; }
	[ "$unk" -eq 0 ] || { echo "$unk instances in state unknown"; return 1; }
	[ "$run" -eq "$EXPECT_RUNNING" ] ||
	    { echo "$run running, not $EXPECT_RUNNING"; return 1; }
}
check_w1() { check_hvsh "$@"; }
check_wk() { EXPECT=$((EXPECT * (1 + WARM_K))) EXPECT_RUNNING=$((EXPECT_RUNNING * (1 + WARM_K))) check_hvsh "$@"; }
# virsh domstats --raw output: one "Domain: 'NAME'" per domain, and as
# many with state.state=1 (running) as expected.
check_dom() {
	local n run
	n=$(grep -c "Domain: '" "$1")
	run=$(grep -c 'state\.state=1$' "$1")
	[ "$n" -eq "$EXPECT" ] || { echo "$n domains, not $EXPECT"; return 1; }
	[ "$run" -eq "$EXPECT_RUNNING" ] ||
	    { echo "$run running, not $EXPECT_RUNNING"; return 1; }
}
check_xargs() { check_dom "$@"; }
check_pssh() { check_dom "$@"; }
check_clush() { check_dom "$@"; }
check_cm() { check_dom "$@"; }
check_ssh1() { check_dom "$@"; }
check_hv1() { check_hvsh "$@"; }
# host sync: every recorded instance shown once, NDOM present.
check_sync() {
	local p m
	p=$(awk '$3 == "present"' "$1" | grep -c .)
	m=$(awk '$3 == "missing"' "$1" | grep -c .)
	[ "$p" -eq "$NDOM" ] && [ $((p + m)) -eq "$SYNC_N" ] ||
	    { echo "$p present and $m missing, not $NDOM and $((SYNC_N - NDOM))"; return 1; }
}

# ---------------------------------------------------------------- tools

DS="virsh domstats --raw"
tool_hvsh() { HVSH_HOME=$STORE $T1 "$HVSH" vm list --refresh; }
tool_w1() { HVSH_HOME=$STORE $T1 "$HVSH" -c "vm list --refresh"; }
tool_wk() { HVSH_HOME=$STORE $T1 "$HVSH" -c "$WK_CMDS"; }
tool_xargs() {
	$T1 xargs -a "$HF.xargs" -P "$PAR" -L 1 ssh "${SSHO[@]}"
}
tool_pssh() {
	$T1 "${TOOLENV[@]}" parallel-ssh -i -h "$HF.pssh" -p "$PAR" -t 120 \
	    -x "$SSHO_STR" $DS
}
tool_clush() {
	$T1 "${TOOLENV[@]}" clush -S -f "$PAR" -t 15 -u 120 \
	    -o "$SSHO_STR -o Port=$PORT1" -w "$NODES" $DS
}
tool_cm() {
	$T1 xargs -a "$HF.xargs" -P "$PAR" -L 1 ssh "${SSHO[@]}" \
	    -o ControlPath="$W/cm/%C" -o ControlMaster=no
}
tool_hv1() { HVSH_HOME=$STORE $T1 "$HVSH" vm list --refresh; }
tool_ssh1() {
	$T1 ssh "${SSHO[@]}" -p "$P1" "$U1@$A1" $DS
}
tool_sync() { HVSH_HOME=$SYNC_STORE $T1 "$HVSH" host sync; }

# tool_files HOSTSFILE: the host lists each tool takes; sets HF, NODES,
# PORT1 and a note on clush, which takes one port for all nodes.
tool_files() {
	local n d a p u ports=
	HF=$1 NODES=
	: >"$HF.xargs"
	: >"$HF.pssh"
	while read -r n d a p u; do
		echo "-p $p $u@$a $DS" >>"$HF.xargs"
		echo "$u@$a:$p" >>"$HF.pssh"
		NODES+=${NODES:+,}$u@$a
		ports+=" $p"
	done <"$HF"
	read -r _ _ _ PORT1 _ <"$HF"
	CLUSH_NOTE=
	have clush || CLUSH_NOTE="not installed"
	[ "$(tr ' ' '\n' <<<"$ports" | sort -u | grep -c .)" -eq 1 ] ||
	    CLUSH_NOTE="left out: the hosts use different ports"
}

# open_masters HOSTSFILE: one ControlMaster per host, at most PAR logins
# at once; masters_up says how many answer.
open_masters() {
	local n d a p u pids=()
	CM_HOSTS=$1
	while read -r n d a p u; do
		$TS ssh "${SSHO[@]}" -o ControlPath="$W/cm/%C" \
		    -o ControlPersist=3600 -o ControlMaster=yes -p "$p" "$u@$a" \
		    true </dev/null >/dev/null 2>&1 &
		pids+=($!)
		[ ${#pids[@]} -ge "$PAR" ] && { wait "${pids[@]}"; pids=(); }
	done <"$1"
	wait
}
masters_up() {	# HOSTSFILE: prints how many masters answer
	local n d a p u ok=0
	while read -r n d a p u; do
		timeout 10 ssh -F /dev/null -o ControlPath="$W/cm/%C" -O check \
		    -p "$p" "$u@$a" </dev/null >/dev/null 2>&1 && ok=$((ok + 1))
	done <"$1"
	echo "$ok"
}

# guests_cpu DIR SECONDS: the share of the machine's CPU (percent) the QEMU
# processes of lab DIR used over SECONDS; others' work on this shared
# machine is not counted.
guests_cpu() {
	local dir=$1 p c a=() t0=0 t1=0 hz
	hz=$(getconf CLK_TCK)
	for p in /proc/[0-9]*; do
		c=$({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) || continue
		[[ $c == *qemu-system* && $c == *"$dir/home/"* ]] && a+=("${p#/proc/}")
	done
	ticks() {
		local q s sum=0
		for q in "${a[@]}"; do
			s=$(cat "/proc/$q/stat" 2>/dev/null) || continue
			s=${s##*) }
			set -- $s
			sum=$((sum + ${12} + ${13}))
		done
		echo "$sum"
	}
	t0=$(ticks)
	sleep "$2"
	t1=$(ticks)
	awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$2" -v n="$(nproc)" -v k=${#a[@]} \
	    'BEGIN { printf "%.0f %d\n", 100 * d / (hz * s * n), k }'
}
mem_free_mb() { awk '/^MemAvailable:/ { printf "%d\n", $2 / 1024 }' /proc/meminfo; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# ---------------------------------------------------------------- 1, 2: fleets

LOAD0=$(load)
RUN_TRY=$RUNNING	# 0 once a size could not hold its running guests
RUN_SIZES=() RUN_WHY=
declare -A RUN_MEM=() RUN_BUSY=() REFRESHED=()

fleet() {	# N: the cold and warm rounds on a lab of N KVM hosts
	local n=$1 dir i k why
	dir=$W/lab$n
	CUR_LAB=$dir
	lab_start "$dir" --kvm "$n" --no-check
	ssho
	[ "$(grep -c . "$dir.hosts")" -eq "$n" ] || die "the lab has not $n hosts"
	say "defining 2 guests on each of $n hosts"
	cut -d' ' -f1 "$dir.hosts" | HVSH_LAB_DIR=$dir $T1 xargs -P 4 -I{} \
	    sh -c '"$1" kvm-guest "$2" "$2-a" && "$1" kvm-guest "$2" "$2-b"' \
	    sh "$LAB" {} >"$W/log/guests" 2>&1 ||
	    die "defining guests failed: $(tail -3 "$W/log/guests")"
	STORE=$W/store$n
	store_hosts "$STORE" "$dir.hosts"
	say "adopting the $((2 * n)) guests into $STORE"
	cut -d' ' -f1 "$dir.hosts" | HVSH_HOME=$STORE $T1 xargs -P 4 -I{} \
	    "$HVSH" -q -c 'vm adopt {}-a --host {}; vm adopt {}-b --host {}' \
	    >>"$W/log/hv" 2>&1 || die "vm adopt failed: $(tail -3 "$W/log/hv")"
	k=$(HVSH_HOME=$STORE "$HVSH" vm list --no-header | grep -c .)
	[ "$k" -eq $((2 * n)) ] || die "$k instances recorded, not $((2 * n))"

	tool_files "$dir.hosts"
	WK_CMDS="vm list --refresh"
	for ((i = 1; i <= WARM_K; i++)); do WK_CMDS+="; vm list --refresh"; done
	[ -n "$CLUSH_NOTE" ] && NOTE[clush.$n]=$CLUSH_NOTE
	have parallel-ssh || NOTE[pssh.$n]="not installed"
	say "opening $n OpenSSH ControlMasters"
	open_masters "$dir.hosts"
	k=$(masters_up "$dir.hosts")
	[ "$k" -eq "$n" ] || NOTE[cm.$n]="only $k of $n ControlMasters opened"
	EXPECT=$((2 * n)) EXPECT_RUNNING=0
	interleave "hvsh.$n" "xargs.$n" "pssh.$n" "clush.$n" "w1.$n" "wk.$n" "cm.$n"
	k=$(masters_up "$dir.hosts")
	[ "$k" -eq "$n" ] || NOTE[cm.$n]="only $k of $n ControlMasters were up at the end"
	close_masters

	# Every host refreshed (its last_seen now), no instance unknown.
	local t0 ok seen unk
	t0=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	HVSH_HOME=$STORE $T1 "$HVSH" vm list --refresh -o json >"$W/out/vms.json" 2>>"$W/log/hv"
	HVSH_HOME=$STORE $T1 "$HVSH" host list -o json >"$W/out/hosts.json" 2>>"$W/log/hv"
	ok=$(jq '[.[] | select(.status == "ok")] | length' "$W/out/hosts.json" 2>/dev/null)
	seen=$(jq --arg t "$t0" '[.[] | select(.last_seen >= $t)] | length' "$W/out/hosts.json" 2>/dev/null)
	unk=$(jq '[.[] | select(.state == "unknown")] | length' "$W/out/vms.json" 2>/dev/null)
	REFRESHED[$n]="${seen:-0} ${ok:-0} ${unk:--}"

	# Running guests: one a host, if the machine holds them.
	if [ "$RUN_TRY" = 1 ]; then
		say "starting one guest on each of $n hosts"
		cut -d' ' -f1 "$dir.hosts" | HVSH_LAB_DIR=$dir $TS xargs -P 4 -I{} \
		    "$LAB" ssh {} virsh start {}-a >"$W/log/start" 2>&1
		k=$(grep -c '^Domain .* started' "$W/log/start")
		why=
		if [ "$k" -ne "$n" ]; then
			why="$k of $n guests started"
		else
			sleep 10	# the guests' firmware settles (no OS to boot)
			read -r RUN_BUSY[$n] k < <(guests_cpu "$dir" 5)
			RUN_MEM[$n]=$(mem_free_mb)
			if [ "$k" -ne "$n" ]; then
				why="$k QEMU processes found for $n running guests"
			elif [ "${RUN_MEM[$n]}" -lt "$MIN_FREE_MB" ]; then
				why="${RUN_MEM[$n]} MiB left free with $n guests running"
			elif [ "${RUN_BUSY[$n]}" -gt "$MAX_BUSY" ]; then
				why="$n idle guests used ${RUN_BUSY[$n]}% of the machine's CPU"
			fi
		fi
		if [ -z "$why" ]; then
			RUN_SIZES+=("$n")
			EXPECT=$((2 * n)) EXPECT_RUNNING=$n
			for id in hvsh xargs pssh clush; do
				[ -n "${NOTE[$id.$n]:-}" ] && NOTE[$id.$n.run]=${NOTE[$id.$n]}
			done
			interleave "hvsh.$n.run" "xargs.$n.run" "pssh.$n.run" "clush.$n.run"
		else
			say "running guests: $why; not tried on more hosts"
			RUN_TRY=0 RUN_WHY="at $n hosts, $why"
		fi
	fi
	say "stopping the lab of $n hosts"
	lab_stop "$dir"
}

for n in $SIZES; do fleet "$n"; done
LOAD1=$(load)

# ---------------------------------------------------------------- 3, 4, 5: one host

dir=$W/lab1
CUR_LAB=$dir
lab_start "$dir" --kvm 2
ssho
read -r H1 _ A1 P1 U1 <"$dir.hosts"
read -r H2 _ < <(sed -n 2p "$dir.hosts")
say "defining $NDOM guests on $H1"
seq 1 "$NDOM" | HVSH_LAB_DIR=$dir $TS xargs -P 4 -I{} "$LAB" kvm-guest "$H1" d{} \
    >"$W/log/guests" 2>&1 || die "defining guests failed: $(tail -3 "$W/log/guests")"

# 3: the store records the host and its NDOM domains.
STORE=$W/store-dom
head -1 "$dir.hosts" >"$W/one.hosts"
store_hosts "$STORE" "$W/one.hosts"
k=$(record_domains "$STORE" "$H1" "$H1") || die "store-add failed"
[ "$k" -eq "$NDOM" ] || die "$k domains on $H1, not $NDOM"
EXPECT=$NDOM EXPECT_RUNNING=0
interleave hv1 ssh1

# 4: host sync with SYNC_N instances: NDOM on the host, the rest recorded
# on it but gone (drift "missing"); seed's one host made this lab host.
for SYNC_N in $SYNC_SMALL $SYNC_LARGE; do
	s=$W/sync$SYNC_N
	$TS "$SEED" "$s" --hosts 1 --vms $((SYNC_N - NDOM)) >>"$W/log/hv" 2>&1 ||
	    die "seed failed: $(tail -3 "$W/log/hv")"
	hv "$s" host set h0 --address "$A1" --port "$P1" --user "$U1" --key "$LAB_KEY" ||
	    die "host set failed: $(tail -3 "$W/log/hv")"
	cp "$LAB_KNOWN_HOSTS" "$s/known_hosts" && chmod 600 "$s/known_hosts"
	addr=$(HVSH_HOME=$s "$HVSH" host list --no-header --columns address)
	[ "$addr" = "$A1" ] || die "the store's host is at '$addr', not $A1"
	k=$(record_domains "$s" h0 "$H1") || die "store-add failed"
	k=$(HVSH_HOME=$s "$HVSH" vm list --no-header | grep -c .)
	[ "$k" -eq "$SYNC_N" ] || die "$k instances in $s, not $SYNC_N"
done
# The tool reads SYNC_N and SYNC_STORE; one ID for each size.
tool_sync_small() { SYNC_N=$SYNC_SMALL SYNC_STORE=$W/sync$SYNC_SMALL tool_sync; }
tool_sync_large() { SYNC_N=$SYNC_LARGE SYNC_STORE=$W/sync$SYNC_LARGE tool_sync; }
check_sync_small() { SYNC_N=$SYNC_SMALL check_sync "$@"; }
check_sync_large() { SYNC_N=$SYNC_LARGE check_sync "$@"; }
interleave sync_small sync_large

# 5: twenty commands, each of which reaches the host, in one `hvsh -f`;
# the host's sshd logs each login at LogLevel INFO (the lab's is ERROR:
# raised for this host, and sshd told to reread its config).
S5=$W/store-script
head -2 "$dir.hosts" | tail -1 >"$W/two.hosts"
store_hosts "$S5" "$W/two.hosts"
for g in s1 s2; do
	HVSH_LAB_DIR=$dir $TS "$LAB" kvm-guest "$H2" "$g" >>"$W/log/guests" 2>&1 ||
	    die "defining $g failed"
done
hv "$S5" -c "vm adopt s1 --host $H2; vm adopt s2 --host $H2" ||
    die "vm adopt failed: $(tail -3 "$W/log/hv")"
: >"$W/script.hv"
for ((i = 1; i <= NSCRIPT / 5; i++)); do
	cat >>"$W/script.hv" <<EOF
host facts $H2
vm list --refresh
vm start s1
vm stats
vm stop s1 --force
EOF
done
SSHD_DIR=$dir/host/$H2
sshd_pid=$(cat "$SSHD_DIR/sshd.pid")
sed -i 's/^LogLevel .*/LogLevel INFO/' "$SSHD_DIR/sshd_config"
kill -HUP "$sshd_pid" || die "cannot signal $H2's sshd"
logins() { grep -c '^Accepted publickey' "$SSHD_DIR/sshd.log"; }
# Ready when a login is logged again (bounded).
for ((i = 1; i <= 50; i++)); do
	HVSH_LAB_DIR=$dir timeout 10 "$LAB" ssh "$H2" true </dev/null >/dev/null 2>&1 &&
	    [ "$(logins)" -ge 1 ] && break
	sleep 0.2
done
[ "$(logins)" -ge 1 ] || die "$H2's sshd logs no logins at LogLevel INFO"
l0=$(logins)
t0=${EPOCHREALTIME/[.,]/}
HVSH_HOME=$S5 $T1 "$HVSH" -f "$W/script.hv" >"$W/out/script" 2>&1
rc_script=$?
t1=${EPOCHREALTIME/[.,]/}
l1=$(logins)
n_script=$(grep -c . "$W/script.hv")
ms_script=$(((t1 - t0) / 1000))
logins_script=$((l1 - l0))
# The same commands as separate processes, for contrast.
t0=${EPOCHREALTIME/[.,]/}
rc_sep=0
while read -r line; do
	# shellcheck disable=SC2086
	HVSH_HOME=$S5 $T1 "$HVSH" $line </dev/null >>"$W/out/sep" 2>&1 || rc_sep=$?
done <"$W/script.hv"
t1=${EPOCHREALTIME/[.,]/}
l2=$(logins)
ms_sep=$(((t1 - t0) / 1000))
logins_sep=$((l2 - l1))
[ "$rc_script" -eq 0 ] || say "the script exited $rc_script: $(tail -3 "$W/out/script")"
LOAD2=$(load)
lab_stop "$dir"

# ---------------------------------------------------------------- report

ratio() {	# A B: A / B with 2 decimals, or "-"
	awk -v a="${1:--}" -v b="${2:--}" 'BEGIN {
		if (a == "-" || b == "-" || b + 0 <= 0) print "-"
		else printf "%.2f\n", a / b }'
}
met() {	# CONDITION (awk) -> "met" / "**not met**"
	awk "BEGIN { exit !($1) }" && echo "met" || echo "**not met**"
}
fig() {	# ID: "median ms", or the note
	if [ -n "${NOTE[$1]:-}" ]; then echo "${NOTE[$1]}"
	elif [ "${MED[$1]:--}" = - ]; then echo "not measured"
	else echo "${MED[$1]} ms"; fi
}
# fastest ID...: the ID with the smallest median among those measured.
words() {	# A B C -> "A, B and C"
	local out=$1
	shift
	while [ $# -gt 1 ]; do out+=", $1"; shift; done
	[ $# -eq 1 ] && out+=" and $1"
	echo "$out"
}
fastest() {
	local id best='' best_id=''
	for id; do
		[ -z "${NOTE[$id]:-}" ] && [ "${MED[$id]:--}" != - ] || continue
		if [ -z "$best" ] || awk -v a="${MED[$id]}" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=${MED[$id]} best_id=$id
		fi
	done
	echo "$best_id"
}
cold_row() {	# N SUFFIX
	local n=$1 x=$2 f r
	f=$(fastest "xargs.$n$x" "pssh.$n$x" "clush.$n$x")
	r=$(ratio "${MED[hvsh.$n$x]:--}" "${MED[$f]:--}")
	if [ "$r" = - ]; then
		r="- | **not met** (not measured)"
	else
		r="${r}x (${f%%.*}) | $(met "$r <= 0.8")"
	fi
	printf '| %s | %s | %s | %s | %s | %s |\n' "$n" "$(fig "hvsh.$n$x")" \
	    "$(fig "xargs.$n$x")" "$(fig "pssh.$n$x")" "$(fig "clush.$n$x")" "$r"
}
warm_ms() {	# N: hvsh's per-refresh warm time, or "-"
	local a=${MED[w1.$1]:--} b=${MED[wk.$1]:--}
	[ -z "${NOTE[w1.$1]:-}${NOTE[wk.$1]:-}" ] || { echo -; return; }
	awk -v a="$a" -v b="$b" -v k="$WARM_K" 'BEGIN {
		if (a == "-" || b == "-") print "-"; else printf "%.1f\n", (b - a) / k }'
}
warm_row() {	# N
	local n=$1 w r
	w=$(warm_ms "$n")
	r=$(ratio "$w" "${MED[cm.$n]:--}")
	if [ "$r" = - ]; then
		r="- | **not met** (not measured)"
	else
		r="${r}x | $(met "$r <= 1.0")"
	fi
	[ "$w" = - ] || w="$w ms"
	printf '| %s | %s | %s | %s | %s | %s |\n' "$n" "$(fig "w1.$n")" \
	    "$(fig "wk.$n")" "$(fig "cm.$n")" "$w" "$r"
}

NMAX=$(tr ' ' '\n' <<<"$SIZES" | sort -n | tail -1)
read -r r_seen r_ok r_unk <<<"${REFRESHED[$NMAX]:-0 0 -}"
t_all="$r_seen of $NMAX hosts refreshed (status ok: $r_ok), $r_unk instances unknown | $(met "$r_seen == $NMAX && $r_ok == $NMAX && \"$r_unk\" == \"0\"")"
r_dom=$(ratio "${MED[hv1]:--}" "${MED[ssh1]:--}")
[ "$r_dom" = - ] && t_dom="not measured | **not met**" ||
    t_dom="${r_dom}x ($(fig hv1) against $(fig ssh1)) | $(met "$r_dom <= 1.2")"
r_sync=$(ratio "${MED[sync_large]:--}" "${MED[sync_small]:--}")
[ "$r_sync" = - ] && t_sync="not measured | **not met**" ||
    t_sync="${r_sync}x ($(fig sync_large) against $(fig sync_small)) | $(met "$r_sync <= 2.2")"
t_script="$logins_script login(s) for $n_script commands (exit status $rc_script) | $(met "$logins_script == 1 && $rc_script == 0")"
cold_t=
for n in $SIZES; do
	f=$(fastest "xargs.$n" "pssh.$n" "clush.$n")
	r=$(ratio "${MED[hvsh.$n]:--}" "${MED[$f]:--}")
	cold_t+="| cold, $n hosts, ≤ 0.8x the fastest of xargs, pssh, clush | "
	[ "$r" = - ] && cold_t+="not measured | **not met** |"$'\n' ||
	    cold_t+="${r}x ($(fig "hvsh.$n") against ${f%%.*} $(fig "$f")) | $(met "$r <= 0.8") |"$'\n'
done
warm_t=
for n in $SIZES; do
	w=$(warm_ms "$n")
	r=$(ratio "$w" "${MED[cm.$n]:--}")
	warm_t+="| warm, $n hosts, ≤ 1.0x ControlMaster + xargs | "
	[ "$r" = - ] && warm_t+="not measured | **not met** |"$'\n' ||
	    warm_t+="${r}x ($w ms against $(fig "cm.$n")) | $(met "$r <= 1.0") |"$'\n'
done
if [ "$RUNNING" != 1 ]; then
	run_note="Running guests were not tried (FLEET_RUNNING=0)."
elif [ ${#RUN_SIZES[@]} -eq 0 ]; then
	run_note="No size held running guests: ${RUN_WHY:-?}."
else
	run_note="One guest per host running on $(words "${RUN_SIZES[@]}") hosts"
	for n in "${RUN_SIZES[@]}"; do
		run_note+="; at $n, the idle guests used ${RUN_BUSY[$n]}% of the CPU, ${RUN_MEM[$n]} MiB left free"
	done
	run_note+=${RUN_WHY:+; not on more hosts: $RUN_WHY}
	run_note+=" (held: every guest started, at least $MIN_FREE_MB MiB left free, the idle guests' QEMU at most $MAX_BUSY% of the CPU)."
fi
run_rows=$(for n in "${RUN_SIZES[@]}"; do cold_row "$n" .run; done)

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
mem=$(free -g | awk '/Mem:/ { print $2 " GiB" }')
os=$(. /etc/os-release; echo "$PRETTY_NAME")
sshv=$(ssh -V 2>&1 | cut -d, -f1)
libsshv=$(pkg-config --modversion libssh 2>/dev/null || echo "?")
libvirtv=$(virsh --version 2>/dev/null || echo "?")
psshv=$(parallel-ssh --version 2>/dev/null || echo "-")
clushv=$(clush --version 2>/dev/null | awk '{ print $2 }')
result=$(
	cat <<R
Measured $(date -u +%Y-%m-%d) on $(nproc) cores of $cpu, $mem, $os; $sshv, libssh $libsshv,
libvirt $libvirtv, pssh $psshv, ClusterShell ${clushv:--}. Labs of real KVM hosts (\`tests/lab/lab up --kvm N\`: an sshd on
its own loopback address, a session libvirtd and real QEMU each), all on this machine. Every
OpenSSH client uses the lab key, the lab known_hosts with StrictHostKeyChecking=yes,
BatchMode=yes and \`-F /dev/null\`; hvsh its own known_hosts (a copy of the lab's). At most $PAR
hosts at once, every tool (hvsh's own limit). The tools take turns: one untimed warm-up run each,
then $ROUNDS cycles of one timed run each; wall clock around the whole process; medians. Every run's
output is checked (every domain listed, none \`unknown\`, the running ones running) and a tool with
a wrong run is dropped with a note. Fleets of $(words $SIZES) hosts (FLEET_SIZES; the full run
is 16, 64 and 128). Load average before, after the fleets and at the end (the labs' sshd,
libvirtd and QEMU share the machine with the clients): $LOAD0 / $LOAD1 / $LOAD2.

| target | figure | |
| --- | --- | --- |
${cold_t}${warm_t}| $NMAX hosts: every host refreshed, none \`unknown\` | $t_all |
| $NDOM domains on one host ≤ 1.2x \`ssh HOST virsh domstats --raw\` | $t_dom |
| \`host sync\` with $SYNC_LARGE instances ≤ 2.2x with $SYNC_SMALL | $t_sync |
| a script of $n_script commands against one host: one session | $t_script |

### Cold: one refresh of every host, from a new process

Each host has two guests (\`lab kvm-guest\`, 32 MiB, no OS), both adopted into the store
(\`vm adopt\`); hvsh: \`hvsh vm list --refresh\` (new sessions, the refresh recorded, the table
printed). The others fetch the same facts the way a user otherwise would: \`virsh domstats
--raw\` on every host, over \`xargs -P$PAR -L1 ssh\`, \`parallel-ssh -i -p $PAR\` and \`clush -f
$PAR\`, each a new login per host.

| hosts | hvsh | \`xargs -P$PAR ssh\` | \`parallel-ssh\` | \`clush\` | hvsh against the fastest | ≤ 0.8x |
| --- | --- | --- | --- | --- | --- | --- |
$(for n in $SIZES; do cold_row "$n" ""; done)

The same with one guest per host running (\`virsh start\`: QEMU TCG, its firmware finds no OS
and waits). $run_note

| hosts | hvsh | \`xargs -P$PAR ssh\` | \`parallel-ssh\` | \`clush\` | hvsh against the fastest | ≤ 0.8x |
| --- | --- | --- | --- | --- | --- | --- |
${run_rows:-| - | not measured | | | | | |}

### Warm: a refresh on sessions already open

hvsh: \`hvsh -c 'vm list --refresh'\` and the same with $((1 + WARM_K)) refreshes in one process; a
warm refresh is the difference over $WARM_K. Against it: OpenSSH with a ControlMaster per host
opened before the rounds (ControlPersist), \`xargs -P$PAR ssh -o ControlMaster=no HOST virsh
domstats --raw\`.

| hosts | hvsh, 1 refresh | hvsh, $((1 + WARM_K)) refreshes | ControlMaster + xargs | hvsh per warm refresh | ≤ 1.0x |
| --- | --- | --- | --- | --- | --- |
$(for n in $SIZES; do warm_row "$n"; done)

After the cold rounds, one more \`vm list --refresh\` on each fleet, then \`host list\`:
$(for n in $SIZES; do read -r s o u <<<"${REFRESHED[$n]:-0 0 -}"; echo "$n hosts: $s refreshed now (status ok: $o), $u instances \`unknown\`;"; done | tr '\n' ' ' | sed 's/; $/./')

### One host with $NDOM domains

$NDOM guests defined on one lab host, recorded in the store by their uuids (\`tests/tools/store-add\`).
hvsh: \`hvsh vm list --refresh\`; by hand: \`ssh HOST virsh domstats --raw\`; both cold.

| command | median | runs | |
| --- | --- | --- | --- |
| \`hvsh vm list --refresh\` | $(fig hv1) | ${NR[hv1]:-0} | ${r_dom}x ssh |
| \`ssh HOST virsh domstats --raw\` | $(fig ssh1) | ${NR[ssh1]:-0} | 1.00x |

### \`host sync\` and the size of the store

Two stores, each of one host (that lab host): $SYNC_SMALL and $SYNC_LARGE instances recorded on it,
of which its $NDOM domains are present and the rest (\`tests/tools/seed\`) are gone from it, so
that the sync matches and reports every one (drift \`missing\`) and lists the snapshots of the
$NDOM present. \`hvsh host sync\`, a new process each run.

| instances in the store | median | runs | |
| --- | --- | --- | --- |
| $SYNC_SMALL | $(fig sync_small) | ${NR[sync_small]:-0} | 1.00x |
| $SYNC_LARGE | $(fig sync_large) | ${NR[sync_large]:-0} | ${r_sync}x |

### A script against one host

\`hvsh -f\` of $n_script commands, each reaching the host (host facts, vm list --refresh, vm
start, vm stats, vm stop --force, four times), on a second lab host whose sshd logs each
login (LogLevel INFO): $logins_script login(s), $ms_script ms in all. The same $n_script commands
as separate \`hvsh\` runs: $logins_sep logins, $ms_sep ms (exit status $rc_sep).
R
)
printf '%s\n' "$result"

doc_section fleet Fleet "$result"

# hvsh's own cold figures must exist; other tools' failures are noted.
for n in $SIZES; do
	[ -z "${NOTE[hvsh.$n]:-}" ] || exit 1
done
exit 0
