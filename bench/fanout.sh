#!/usr/bin/env bash
# Fan-out benchmark: one round of `true` on 64 real sshd hosts of a private
# lab (tests/lab/lab), through hvsh's transport (bench/fanout.c) cold and
# warm, against a sequential ssh loop, xargs -P64 ssh, parallel-ssh, clush,
# ansible and OpenSSH ControlMaster + xargs; then hvsh's refresh of 4 real
# KVM hosts (libvirt, 10 guests each). Medians and p95 go to
# docs/BENCHMARKS.md between the markers of the "fanout" section.
#
#   HVSH_BUILD=build bash bench/fanout.sh
#   FANOUT_ROUNDS (15), FANOUT_SEQ_ROUNDS (3), FANOUT_HOSTS (64),
#   FANOUT_KVM (4), FANOUT_GUESTS (10)
#
# Traffic goes only to the lab's loopback addresses. Every loop has a fixed
# count and every run is under `timeout`; both labs go down on exit.
set -u -o pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
B=${HVSH_BUILD:-build}
case $B in /*) ;; *) B=$REPO/$B ;; esac
FANOUT=$B/bench/fanout
DRVRUN=$B/tools/drvrun
LAB=$REPO/tests/lab/lab
ROUNDS=${FANOUT_ROUNDS:-15}
SEQ_ROUNDS=${FANOUT_SEQ_ROUNDS:-3}
NHOSTS=${FANOUT_HOSTS:-64}
NKVM=${FANOUT_KVM:-4}
NGUESTS=${FANOUT_GUESTS:-10}
PAR=64
TMO="timeout -k 5 600"	# bound on any one run of any tool

say() { echo "fanout: $*" >&2; }
die() { say "$*"; exit 1; }

for f in "$FANOUT" "$DRVRUN"; do
	[ -x "$f" ] || die "$f is missing: make $B/bench/fanout $B/tools/drvrun"
done

# ---------------------------------------------------------------- tools

. "$REPO/bench/lib.sh"
bench_tools parallel-ssh=pssh clush=clustershell ansible=ansible-core ssh=openssh-client

# ---------------------------------------------------------------- lab

W=$(mktemp -d /tmp/hvsh-fanout.XXXXXX) || die "mktemp failed"
chmod 711 "$W"	# the lab users must reach their homes below it
mkdir -p "$W/t" "$W/log" "$W/cm" "$W/acp" "$W/home/.config"
PLAIN_LAB=$W/plain
KVM_LAB=$W/kvm

close_masters() {	# closes the ControlMasters this script opened
	local hf=$W/plain.hosts n d a p u dir
	[ -s "$hf" ] || return 0
	for dir in "$W/cm" "$W/acp"; do
		[ -n "$(ls -A "$dir" 2>/dev/null)" ] || continue
		while read -r n d a p u; do
			timeout 10 ssh -F /dev/null -o ControlPath="$dir/%C" \
			    -O exit -p "$p" "$u@$a" </dev/null >/dev/null 2>&1
		done <"$hf"
	done
}
cleanup() {
	close_masters
	HVSH_LAB_DIR=$PLAIN_LAB "$LAB" down >/dev/null 2>&1
	HVSH_LAB_DIR=$KVM_LAB "$LAB" down >/dev/null 2>&1
	chmod -R u+w "$W" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# lab_hosts DIR FILE: the lab's hosts, from `lab env`, into FILE, as
# "name driver address port user" lines; sets LAB_KEY, LAB_KNOWN_HOSTS.
lab_hosts() {
	local envf i v
	envf=$(HVSH_LAB_DIR=$1 "$LAB" env) || return 1
	eval "$envf"
	: >"$2"
	for ((i = 1; i <= LAB_HOSTS; i++)); do
		v=LAB_HOST_$i
		echo "${!v}" >>"$2"
	done
}

load() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD0=$(load)

say "starting a lab of $NHOSTS plain hosts in $PLAIN_LAB"
HVSH_LAB_DIR=$PLAIN_LAB "$LAB" up --plain "$NHOSTS" >"$W/log/lab-plain" 2>&1 ||
    { cat "$W/log/lab-plain" >&2; die "lab up --plain $NHOSTS failed"; }
HF=$W/plain.hosts
lab_hosts "$PLAIN_LAB" "$HF" || die "lab env failed"
KEY=$LAB_KEY KH=$LAB_KNOWN_HOSTS
[ "$(wc -l <"$HF")" -eq "$NHOSTS" ] || die "the lab has not $NHOSTS hosts"
unset SSH_AUTH_SOCK	# only the lab key, never an agent's

# Every SSH client: the lab key only, the lab known_hosts strictly, no
# prompts, no user or system ssh_config.
SSHO=(-F /dev/null -i "$KEY" -o IdentitiesOnly=yes
    -o UserKnownHostsFile="$KH" -o GlobalKnownHostsFile=/dev/null
    -o StrictHostKeyChecking=yes -o BatchMode=yes -o LogLevel=ERROR
    -o ConnectTimeout=10)
SSHO_STR=${SSHO[*]}	# for tools that take options as one string (no
			# spaces in these paths: mktemp and the lab's own)
# Third-party tools run with an empty HOME, so no ~/.clush.conf,
# ~/.ansible.cfg or the like interferes.
TOOLENV=(env HOME="$W/home" XDG_CONFIG_HOME="$W/home/.config")

read -r _ _ A1 P1 U1 <"$HF"

# The same hosts for each tool.
: >"$W/xargs.hosts"	# "-p PORT user@addr true" per line, for xargs -L1
: >"$W/pssh.hosts"	# user@addr:port
nodes= ports=
{
	echo "[lab]"
	while read -r n d a p u; do
		echo "-p $p $u@$a true" >>"$W/xargs.hosts"
		echo "$u@$a:$p" >>"$W/pssh.hosts"
		nodes+=${nodes:+,}$u@$a
		ports+=" $p"
		echo "$n ansible_host=$a ansible_port=$p ansible_user=$u"
	done <"$HF"
} >"$W/inventory"
nports=$(tr ' ' '\n' <<<"$ports" | sort -u | grep -c .)
cat >"$W/seq.sh" <<EOF
while read -r n d a p u; do
	ssh $(printf '%q ' "${SSHO[@]}") -p "\$p" "\$u@\$a" true </dev/null || exit 1
done <$(printf '%q' "$HF")
EOF
: >"$W/ansible.cfg"

# ---------------------------------------------------------------- timing

declare -A MED=() P95=() NR=() NOTE=()

# stats FILE: "median p95" in ms of the numbers (ms) in FILE; p95 by
# nearest rank.
stats() {
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "- -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		k = int(0.95 * NR); if (k < 0.95 * NR) k++; if (k < 1) k = 1
		printf "%.1f %.1f\n", m, v[k] }'
}

record() {	# ID: fills MED, P95, NR from $W/t/ID
	local m p
	read -r m p < <(stats "$W/t/$1")
	MED[$1]=$m P95[$1]=$p NR[$1]=$(grep -c . "$W/t/$1")
}

failed() {	# ID WHY
	say "$1: $2 (log: see below)"
	tail -5 "$W/log/$1" 2>/dev/null | sed 's/^/  /' >&2
	NOTE[$1]="failed: $2"
}

# Each tool is a function tool_ID (ID with - as _) that runs one round.
# HV[ID] set: the round's time is bench/fanout's own "round" line, timed
# inside around the transport calls; else the wall time of the function.
declare -A HV=()

# once ID: one timed round of ID, its milliseconds appended to $W/t/ID.
once() {
	local id=$1 t0 t1 rc
	t0=${EPOCHREALTIME/[.,]/}
	"tool_${id//-/_}" </dev/null >"$W/log/$id" 2>&1
	rc=$?
	t1=${EPOCHREALTIME/[.,]/}
	if [ "$rc" -ne 0 ]; then
		failed "$id" "a round exited $rc"
		return 1
	fi
	if [ -n "${HV[$id]:-}" ]; then
		awk '$1 == "round" { print $3 }' "$W/log/$id" >>"$W/t/$id"
		awk '$1 == "round" && $4 == "vms" { print $5 }' "$W/log/$id" \
		    >>"$W/t/$id.vms"
	else
		printf '%d.%03d\n' $(((t1 - t0) / 1000)) $(((t1 - t0) % 1000)) \
		    >>"$W/t/$id"
	fi
}

# interleave N ID[/K]...: one untimed warm-up run of each tool, then N
# cycles in which each tool runs one timed round (an ID/K only every K-th
# cycle), so that whatever else loads the machine falls on all alike. A
# tool that fails once is dropped, with a note.
interleave() {
	local n=$1 i id k spec
	shift
	for spec; do
		id=${spec%/*}
		: >"$W/t/$id"
		: >"$W/t/$id.vms"
		[ -n "${NOTE[$id]:-}" ] && continue
		say "$id: warm-up run"
		"tool_${id//-/_}" </dev/null >"$W/log/$id" 2>&1 ||
		    failed "$id" "the warm-up run failed"
	done
	for ((i = 1; i <= n; i++)); do
		say "cycle $i of $n"
		for spec; do
			id=${spec%/*} k=1
			[[ $spec == */* ]] && k=${spec#*/}
			[ -z "${NOTE[$id]:-}" ] && ((i % k == 0)) && once "$id"
		done
	done
	for spec; do
		id=${spec%/*}
		[ -z "${NOTE[$id]:-}" ] && record "$id"
	done
	return 0
}

# ms_of N CMD...: median wall time in ms of N runs of CMD (a quick check).
ms_of() {
	local n=$1 i t0 t1
	shift
	for ((i = 1; i <= n; i++)); do
		t0=${EPOCHREALTIME/[.,]/}
		$TMO "$@" </dev/null >/dev/null 2>&1 || { echo "failed"; return 1; }
		t1=${EPOCHREALTIME/[.,]/}
		printf '%d.%03d\n' $(((t1 - t0) / 1000)) $(((t1 - t0) % 1000))
	done >"$W/t/check"
	stats "$W/t/check" | cut -d' ' -f1
}

# ---------------------------------------------------------------- checks

say "checking the remote accounts"
remote=$($TMO ssh "${SSHO[@]}" -p "$P1" "$U1@$A1" \
    'echo "$0 $(ls -A "$HOME" | wc -l)"' </dev/null 2>&1) ||
    die "ssh to the lab does not work: $remote"
read -r rshell rfiles <<<"$remote"
t_login=$(ms_of 10 ssh "${SSHO[@]}" -p "$P1" "$U1@$A1" true)
# One ControlMaster per host, opened before anything is timed.
say "opening $NHOSTS OpenSSH ControlMasters"
CMO=(-o ControlPath="$W/cm/%C" -o ControlPersist=600)
while read -r n d a p u; do
	$TMO ssh "${SSHO[@]}" "${CMO[@]}" -o ControlMaster=yes -p "$p" "$u@$a" \
	    true </dev/null >/dev/null 2>&1 &
done <"$HF"
wait
cm_ok=0
while read -r n d a p u; do
	timeout 10 ssh -F /dev/null "${CMO[@]}" -O check -p "$p" "$u@$a" \
	    </dev/null >/dev/null 2>&1 && cm_ok=$((cm_ok + 1))
done <"$HF"
[ "$cm_ok" -eq "$NHOSTS" ] || say "only $cm_ok of $NHOSTS ControlMasters are open"
t_cm1=$(ms_of 20 ssh "${SSHO[@]}" "${CMO[@]}" -o ControlMaster=no \
    -p "$P1" "$U1@$A1" true)
printf '%s\n' "$(head -1 "$HF")" >"$W/one.hosts"
t_hvsh1=$($TMO "$FANOUT" --hosts "$W/one.hosts" --key "$KEY" \
    --known-hosts "$KH" --rounds 20 --warm 2>/dev/null |
    awk '$1 == "summary" { for (i = 1; i < NF; i++)
	if ($i == "median") print $(i + 1) }')
say "remote shell $rshell with $rfiles files in its home; ssh login" \
    "$t_login ms; ssh over an open ControlMaster $t_cm1 ms; hvsh warm" \
    "${t_hvsh1:-?} ms (one host, one command)"
case $t_cm1 in
failed) say "WARNING: ssh over a ControlMaster failed" ;;
*) awk -v t="$t_cm1" 'BEGIN { exit !(t > 30) }' &&
    say "WARNING: a command over an open ControlMaster takes $t_cm1 ms:" \
	"does the remote account run shell rc files?" ;;
esac

FA=(--hosts "$HF" --key "$KEY" --known-hosts "$KH" --parallel "$PAR")
AENV=("${TOOLENV[@]}" ANSIBLE_CONFIG="$W/ansible.cfg"
    ANSIBLE_HOME="$W/home/.ansible" ANSIBLE_LOCAL_TEMP="$W/home/tmp"
    ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_SSH_COMMON_ARGS="$SSHO_STR")
HV[hvsh-cold]=1 HV[hvsh-warm]=1
# A new transport: connect, host key, login, channel, exec, close.
tool_hvsh_cold() { $TMO "$FANOUT" --rounds 1 "${FA[@]}" --cold --cmd true; }
# Opens the sessions (untimed), then times a round on them.
tool_hvsh_warm() { $TMO "$FANOUT" --rounds 1 "${FA[@]}" --warm --cmd true; }
tool_cm_xargs() {
	$TMO xargs -a "$W/xargs.hosts" -P "$PAR" -L 1 \
	    ssh "${SSHO[@]}" "${CMO[@]}" -o ControlMaster=no
}
tool_ssh_seq() { $TMO bash "$W/seq.sh"; }
tool_xargs() {
	$TMO xargs -a "$W/xargs.hosts" -P "$PAR" -L 1 ssh "${SSHO[@]}"
}
tool_pssh() {
	$TMO "${TOOLENV[@]}" parallel-ssh -h "$W/pssh.hosts" -p "$PAR" -t 60 \
	    -x "$SSHO_STR" true
}
tool_clush() {
	$TMO "${TOOLENV[@]}" clush -S -f "$PAR" -t 15 -u 60 \
	    -o "$SSHO_STR -o Port=$P1" -w "$nodes" true
}
tool_ansible() {
	$TMO "${AENV[@]}" \
	    ANSIBLE_SSH_ARGS="-F /dev/null -o ControlMaster=no -o ControlPath=none" \
	    ansible all -i "$W/inventory" -m raw -a true -f "$PAR"
}
# Ansible's own ssh_args, with a ControlPersist long enough to last from one
# cycle to the next; the warm-up run opens a master per host.
tool_ansible_warm() {
	$TMO "${AENV[@]}" \
	    ANSIBLE_SSH_ARGS="-F /dev/null -C -o ControlMaster=auto -o ControlPersist=600s" \
	    ANSIBLE_SSH_CONTROL_PATH_DIR="$W/acp" \
	    ANSIBLE_SSH_CONTROL_PATH='%(directory)s/%%C' \
	    ansible all -i "$W/inventory" -m raw -a true -f "$PAR"
}
have parallel-ssh || NOTE[pssh]="not installed"
have ansible || NOTE[ansible]="not installed" NOTE[ansible-warm]="not installed"
if ! have clush; then
	NOTE[clush]="not installed"
elif [ "$nports" -ne 1 ]; then
	# clush takes one port for all nodes (no ssh_config here to vary it).
	NOTE[clush]="left out: the hosts use different ports"
fi
seq_every=$((ROUNDS / SEQ_ROUNDS))
[ "$seq_every" -ge 1 ] || seq_every=1
interleave "$ROUNDS" hvsh-warm hvsh-cold cm-xargs ansible-warm xargs pssh \
    clush ansible "ssh-seq/$seq_every"
close_masters

# Where a cold round's time goes: hvsh's own CPU against the machine's.
cpu_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat; }
cpu_note=
if [ -x /usr/bin/time ] && [ -z "${NOTE[hvsh-cold]:-}" ]; then
	read -r b0 i0 < <(cpu_ticks)
	/usr/bin/time -f '%U %S %e' -o "$W/t/cpu" $TMO "$FANOUT" --rounds 5 \
	    "${FA[@]}" --cold >/dev/null 2>&1
	read -r b1 i1 < <(cpu_ticks)
	read -r cu cs ce <"$W/t/cpu" 2>/dev/null
	read -r cpu_ms cpu_busy < <(awk -v u="${cu:-0}" -v s="${cs:-0}" \
	    -v b=$((b1 - b0)) -v i=$((i1 - i0)) 'BEGIN { if (b + i > 0)
		printf "%.0f %.0f\n", (u + s) * 1000 / 5, 100 * b / (b + i) }')
	[ -n "${cpu_busy:-}" ] && cpu_note=1
fi
LOAD1=$(load)
say "stopping the plain lab"
HVSH_LAB_DIR=$PLAIN_LAB "$LAB" down >/dev/null 2>&1

# ---------------------------------------------------------------- KVM refresh

kvm_note=
say "starting a lab of $NKVM KVM hosts in $KVM_LAB"
if HVSH_LAB_DIR=$KVM_LAB "$LAB" up --kvm "$NKVM" >"$W/log/lab-kvm" 2>&1 &&
    lab_hosts "$KVM_LAB" "$W/kvm.hosts"; then
	KKEY=$LAB_KEY KKH=$LAB_KNOWN_HOSTS
	say "defining $NGUESTS guests on each KVM host"
	gpids=()
	while read -r n d a p u; do
		(
			for ((g = 1; g <= NGUESTS; g++)); do
				HVSH_LAB_DIR=$KVM_LAB $TMO "$LAB" kvm-guest "$n" \
				    "g$g" >/dev/null || exit 1
			done
		) 2>>"$W/log/guests" &
		gpids+=($!)
	done <"$W/kvm.hosts"
	gbad=0
	for j in "${gpids[@]}"; do wait "$j" || gbad=1; done
	[ "$gbad" -eq 0 ] || kvm_note="defining the guests failed: $(tail -1 "$W/log/guests")"
	read -r kn _ ka kp ku <"$W/kvm.hosts"
	n1=$($TMO "$DRVRUN" --driver kvm --address "$ka" --port "$kp" \
	    --user "$ku" --key "$KKEY" --known-hosts "$KKH" refresh 2>&1 |
	    grep -c '^vm ')
	[ "$n1" -eq "$NGUESTS" ] ||
	    kvm_note="${kvm_note:+$kvm_note; }drvrun refresh saw $n1 guests on $kn"
	KA=(--hosts "$W/kvm.hosts" --key "$KKEY" --known-hosts "$KKH" --parallel "$PAR")
	head -1 "$W/kvm.hosts" >"$W/kvm1.hosts"
	HV[kvm-cold]=1 HV[kvm-warm]=1 HV[kvm1-warm]=1
	tool_kvm_cold() { $TMO "$FANOUT" --rounds 1 "${KA[@]}" --cold --refresh kvm; }
	tool_kvm_warm() { $TMO "$FANOUT" --rounds 1 "${KA[@]}" --warm --refresh kvm; }
	tool_kvm1_warm() {
		$TMO "$FANOUT" --rounds 1 --hosts "$W/kvm1.hosts" --key "$KKEY" \
		    --known-hosts "$KKH" --warm --refresh kvm
	}
	interleave "$ROUNDS" kvm-warm kvm-cold kvm1-warm
	kvm_vms=$(cat "$W/t/kvm-warm.vms" "$W/t/kvm-cold.vms" | sort -u |
	    tr '\n' ' ')
	kvm_vms=${kvm_vms% }
	[ "$kvm_vms" = $((NKVM * NGUESTS)) ] ||
	    kvm_note="${kvm_note:+$kvm_note; }a round read ${kvm_vms:-no} guests, not $((NKVM * NGUESTS))"
else
	tail -5 "$W/log/lab-kvm" | sed 's/^/  /' >&2
	kvm_note="lab up --kvm $NKVM failed: $(tail -1 "$W/log/lab-kvm")"
	NOTE[kvm-cold]=$kvm_note NOTE[kvm-warm]=$kvm_note NOTE[kvm1-warm]=$kvm_note
fi
[ -n "$kvm_note" ] && say "KVM: $kvm_note"
LOAD2=$(load)
HVSH_LAB_DIR=$KVM_LAB "$LAB" down >/dev/null 2>&1

# ---------------------------------------------------------------- report

declare -A LABEL=(
	[hvsh-cold]="hvsh transport, new sessions each round"
	[hvsh-warm]="hvsh transport, sessions kept"
	[ssh-seq]="\`ssh\` one host after another"
	[xargs]="\`xargs -P$PAR ssh\`"
	[pssh]="\`parallel-ssh -p $PAR\` (pssh $(parallel-ssh --version 2>/dev/null))"
	[clush]="\`clush -f $PAR\` (ClusterShell $(clush --version 2>/dev/null | awk '{ print $2 }'))"
	[ansible]="\`ansible all -m raw -a true -f $PAR\`, ControlMaster=no (ansible-core $(ansible --version 2>/dev/null | sed -n '1s/.*core \([0-9.]*\).*/\1/p'))"
	[ansible-warm]="the same with ControlPersist (a master per host kept between runs)"
	[cm-xargs]="OpenSSH ControlMaster + \`xargs -P$PAR ssh\`"
	[kvm-cold]="hvsh refresh of $NKVM KVM hosts, new sessions each round"
	[kvm-warm]="hvsh refresh of $NKVM KVM hosts, sessions kept"
	[kvm1-warm]="hvsh refresh of 1 KVM host, session kept (for scale)"
)
declare -A KIND=([hvsh-cold]=cold [hvsh-warm]=warm [ssh-seq]=cold [xargs]=cold
	[pssh]=cold [clush]=cold [ansible]=cold [ansible-warm]=warm
	[cm-xargs]=warm [kvm-cold]=cold [kvm-warm]=warm [kvm1-warm]=warm)

ratio() {	# A B: A / B with 1 decimal, or "-"
	awk -v a="${1:--}" -v b="${2:--}" 'BEGIN {
		if (a == "-" || b == "-" || b + 0 <= 0) print "-"
		else printf "%.1f\n", a / b }'
}
row() {	# ID
	local id=$1 vs=- base
	if [ -n "${NOTE[$id]:-}" ]; then
		printf '| %s | %s | — | — | — | %s |\n' "${LABEL[$id]}" \
		    "${KIND[$id]}" "${NOTE[$id]}"
		return
	fi
	case $id in
	hvsh-*) ;;
	kvm*) ;;
	*)	base=hvsh-${KIND[$id]}
		vs=$(ratio "${MED[$id]}" "${MED[$base]:-}")
		[ "$vs" = - ] || vs="${vs}x slower than hvsh ${KIND[$id]}" ;;
	esac
	printf '| %s | %s | %s ms | %s ms | %s | %s |\n' "${LABEL[$id]}" \
	    "${KIND[$id]}" "${MED[$id]}" "${P95[$id]}" "${NR[$id]}" "$vs"
}
met() {	# CONDITION (awk) -> "met" / "**not met**"
	awk "BEGIN { exit !($1) }" && echo "met" || echo "**not met**"
}

# The fastest of pssh, clush and ansible (cold): the cold target's rival.
best= best_id=
for id in pssh clush ansible; do
	m=${MED[$id]:-}
	[ -n "$m" ] || continue
	if [ -z "$best" ] || awk -v a="$m" -v b="$best" 'BEGIN { exit !(a < b) }'; then
		best=$m best_id=$id
	fi
done
wm=${MED[hvsh-warm]:-} cm=${MED[cm-xargs]:-} cold=${MED[hvsh-cold]:-}
if [ -n "$wm" ]; then
	tgt1="$wm ms (p95 ${P95[hvsh-warm]} ms) | $(met "$wm < 150")"
else
	tgt1="not measured | **not met**"
fi
r2=$(ratio "$cm" "$wm")
if [ "$r2" != - ]; then
	tgt2="${r2}x ($cm ms against $wm ms) | $(met "$cm / $wm >= 3")"
else
	tgt2="not measured | **not met**"
fi
r3=$(ratio "$best" "$cold")
if [ "$r3" != - ]; then
	tgt3="${r3}x (fastest: $best_id, $best ms, against $cold ms) | $(met "$best / $cold >= 5")"
else
	tgt3="not measured | **not met**"
fi

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
mem=$(free -g | awk '/Mem:/ { print $2 " GiB" }')
sshv=$(ssh -V 2>&1 | cut -d, -f1)
libsshv=$(pkg-config --modversion libssh 2>/dev/null || echo "?")
os=$(. /etc/os-release; echo "$PRETTY_NAME")
result=$(
	cat <<R
Measured $(date -u +%Y-%m-%d) on $(nproc) cores of $cpu, $mem, $os; $sshv, libssh $libsshv.
$NHOSTS lab hosts (\`tests/lab/lab up --plain $NHOSTS\`: one real sshd each, on loopback, on
the same machine as the clients), each round running \`true\` on every host, at most $PAR at
once. Every client uses the lab key, the lab known_hosts with StrictHostKeyChecking=yes,
BatchMode=yes and \`-F /dev/null\`. The tools take turns, so that the load other work puts on
the machine falls on all alike: one untimed warm-up run each, then $ROUNDS cycles in which
each runs one round (the slow sequential loop in $((ROUNDS / seq_every)) of them). A round is timed by wall clock
around the whole command (process start included), except hvsh's: each is a run of
\`bench/fanout --rounds 1\`, timed inside around the transport calls (\`tp_new\`,
\`tp_run_many\` and \`tp_free\` when cold; a warm run opens its sessions first, untimed), so
it leaves out the program's start, about 3 ms. p95 is by nearest rank: with $ROUNDS rounds it
is the slowest. Load average before, after the plain round and at the end (the benchmark's own
64-way runs count in it): $LOAD0 / $LOAD1 / $LOAD2.

| tool | sessions | median | p95 | rounds | compared |
| --- | --- | --- | --- | --- | --- |
$(for id in hvsh-warm hvsh-cold cm-xargs ansible-warm xargs pssh clush ansible ssh-seq; do row "$id"; done)

| target | figure | |
| --- | --- | --- |
| warm $NHOSTS-host round < 150 ms | $tgt1 |
| warm ≥ 3x faster than ControlMaster + xargs | $tgt2 |
| cold ≥ 5x faster than the fastest of pssh, clush, ansible | $tgt3 |

Checks: the remote accounts run \`$rshell\` with $rfiles files in their home (no shell rc files);
one \`ssh ... true\` takes $t_login ms with a new login and $t_cm1 ms over an open
ControlMaster; one command on one host over a kept hvsh session takes ${t_hvsh1:-?} ms (medians).
${cpu_note:+In a cold round hvsh itself used ${cpu_ms:-?} ms of CPU (user + sys, mean of 5 rounds) while the
machine's cores were ${cpu_busy:-?}% busy: the rest is the $NHOSTS sshds' logins (fork, key exchange,
host key signature, authentication) on the same $(nproc) cores, so cold figures here measure the
servers as much as the clients, and every tool pays that share too.}

### Refresh of $NKVM KVM hosts

\`tests/lab/lab up --kvm $NKVM\` (real libvirtd and QEMU, one private session daemon per host) with
$NGUESTS guests defined on each (\`lab kvm-guest\`, not started). One round is the kvm driver's
refresh (one batched exec per host) on all $NKVM hosts through \`tp_run_many\`, read back with
\`refresh_read\`; every round read ${kvm_vms:-?} guests.${kvm_note:+ Note: $kvm_note.} A refresh is bound by the
hosts' own work (the batch runs virsh against each host's libvirtd): compare one host over a
kept session with one command above; the $NKVM hosts' virsh runs share the machine's $(nproc) cores.

| what | sessions | median | p95 | rounds | |
| --- | --- | --- | --- | --- | --- |
$(for id in kvm-warm kvm-cold kvm1-warm; do row "$id"; done)
R
)
printf '%s\n' "$result"

doc_section fanout "Fan-out over SSH" "$result"

# hvsh's own figures must exist; other tools' failures are noted above.
for id in hvsh-cold hvsh-warm; do
	[ -z "${NOTE[$id]:-}" ] || exit 1
done
exit 0
