#!/usr/bin/env bash
# Image and instance benchmarks on a private lab (tests/lab/lab, one real
# KVM host), each against what a user would otherwise run: `hvsh image
# import` against `sha256sum` of the same file, `hvsh image push` against
# OpenSSH `scp` to the same host, and twenty `hvsh vm create` from one
# qcow2 template against the same host lines run by hand over one ssh
# connection. Timed with hyperfine (medians; both commands in one call, the
# untimed --prepare step resetting the state before every run); the figures
# and their ratios to the targets go to docs/BENCHMARKS.md between the
# markers of the "images" section.
#
#   HVSH_BUILD=build bash bench/images.sh
#   IMAGES_SIZE_MB (1024): the imported file; IMAGES_PUSH_MB (512): the
#   pushed one; IMAGES_RUNS (5): timed runs of each command, after one
#   warm-up; IMAGES_VMS (20): instances per run.
#
# Traffic goes only to the lab's loopback address. Every run is under
# `timeout`; the lab goes down on exit.
set -u -o pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
B=${HVSH_BUILD:-build}
case $B in /*) ;; *) B=$REPO/$B ;; esac
HVSH=$B/hvsh
LAB=$REPO/tests/lab/lab
SIZE=${IMAGES_SIZE_MB:-1024}
PSIZE=${IMAGES_PUSH_MB:-512}
RUNS=${IMAGES_RUNS:-5}
NVMS=${IMAGES_VMS:-20}
T1="timeout -k 5 300"	# bound on one timed run
TMO="timeout -k 5 1800"	# bound on one hyperfine call

say() { echo "images: $*" >&2; }
die() { say "$*"; exit 1; }
. "$REPO/bench/lib.sh"

[ -x "$HVSH" ] || die "$HVSH is missing: make $B/hvsh"
for t in hyperfine jq scp qemu-img openssl; do
	command -v "$t" >/dev/null || die "bench needs $t"
done

W=$(mktemp -d /tmp/hvsh-images.XXXXXX) || die "mktemp failed"
chmod 711 "$W"	# the lab user must reach its home and the pools below it
mkdir -p "$W/log" "$W/repo" "$W/tpl" "$W/prim"
chmod 1777 "$W/repo" "$W/tpl" "$W/prim"
export HVSH_LAB_DIR=$W/lab HVSH_HOME=$W/store
export HVSH_COMMAND_TIMEOUT_MS=300000
cleanup() {
	"$LAB" down >/dev/null 2>&1
	chmod -R u+w "$W" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

load() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD0=$(load)

say "starting a lab of 1 KVM host in $HVSH_LAB_DIR"
"$LAB" up --kvm 1 >"$W/log/lab" 2>&1 ||
    { cat "$W/log/lab" >&2; die "lab up --kvm 1 failed"; }
eval "$("$LAB" env)" || die "lab env failed"
read -r HN _ HA HP HU <<<"$LAB_HOST_1"
unset SSH_AUTH_SOCK	# only the lab key, never an agent's
[ "$HP" = 22 ] && hk=$HA || hk="[$HA]:$HP"
FP=$(ssh-keygen -l -F "$hk" -f "$LAB_KNOWN_HOSTS" | grep -o 'SHA256:[^ ]*' |
    head -1)
[ -n "$FP" ] || die "no key for $hk in $LAB_KNOWN_HOSTS"
# The lab's own OpenSSH client options (tests/lab/lab ssh_to).
SSHO=(-F /dev/null -i "$LAB_KEY" -o IdentitiesOnly=yes
    -o UserKnownHostsFile="$LAB_KNOWN_HOSTS" -o GlobalKnownHostsFile=/dev/null
    -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=10
    -o LogLevel=ERROR)
q() { printf '%q ' "$@"; }	# one shell-quoted line of its arguments

hv() { $T1 "$HVSH" "$@" >>"$W/log/hvsh" 2>&1 || die "hvsh $* failed (see below)
$(tail -5 "$W/log/hvsh")"; }
hv host add "$HN" --address "$HA" --port "$HP" --user "$HU" \
    --key "$LAB_KEY" --driver kvm --accept-key "$FP"
# repo: the bastion's repository, which the host does not see; tpl: a
# secondary pool the host sees; prim: the host's primary storage.
hv pool add repo --role secondary --type dir --path "$W/repo"
hv pool add tpl --role secondary --type dir --path "$W/tpl" --host-path "$HN"
hv pool add prim --role primary --type dir --path "$W/prim"

# hf ID ARGS...: hyperfine with ARGS (commands, prepares), RUNS runs after
# one warm-up; medians in seconds, one per command, into $W/ID.med.
hf() {
	local id=$1
	shift
	say "$id: hyperfine, $RUNS runs of each command"
	$TMO hyperfine -N --style basic --warmup 1 --runs "$RUNS" \
	    --export-json "$W/$id.json" "$@" >"$W/log/$id" 2>&1 ||
	    die "$id: hyperfine failed: $(tail -5 "$W/log/$id")"
	jq -r '.results[].median' "$W/$id.json" >"$W/$id.med"
}
med() { sed -n "$2p" "$W/$1.med"; }	# ID N: the N-th command's median
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
met() { awk "BEGIN { exit !($1) }" && echo "met" || echo "**not met**"; }
ms() { awk -v s="$1" 'BEGIN { printf "%.0f", s * 1000 }'; }
mbs() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s / 1e6 }'; }

# ---------------------------------------------------------------- import

F=$W/src.raw
say "writing $SIZE MiB of random bytes to $F"
head -c $((SIZE * 1048576)) /dev/urandom >"$F" || die "cannot write $F"
# Before every run of every command: the last import's record and file
# gone, the copy of `cp` gone, nothing dirty left, the source in the page
# cache.
cat >"$W/prep-import.sh" <<EOF
$(q "$HVSH") image remove bi --yes >/dev/null 2>&1
[ ! -e $(q "$W/repo/bi.raw") ] || exit 1
rm -f $(q "$W/cp.raw")
sync
cat $(q "$F") >/dev/null
EOF
cat >"$W/cp.sh" <<EOF
cp $(q "$F") $(q "$W/cp.raw") && sync $(q "$W/cp.raw")
EOF
hf import --prepare "bash $W/prep-import.sh" \
    "$T1 $HVSH image import bi --file $F --pool repo" \
    "$T1 sha256sum $F" \
    "$T1 openssl dgst -sha256 $F" \
    "$T1 bash $W/cp.sh"
# One more import, untimed, to check what the timed ones recorded.
sum=$(sha256sum "$F" | cut -d' ' -f1)
bash "$W/prep-import.sh" && hv image import bi --file "$F" --pool repo
isum=$($T1 "$HVSH" image show bi -o json | jq -r .sha256)
[ "$sum" = "$isum" ] || die "import: the recorded sha256 $isum is not $sum"
rm -f "$F" "$W/cp.raw"
$T1 "$HVSH" image remove bi --yes >/dev/null 2>&1

# ---------------------------------------------------------------- push

say "importing $PSIZE MiB for the push"
head -c $((PSIZE * 1048576)) /dev/urandom >"$W/p.raw" || die "cannot write"
hv image import bp --file "$W/p.raw" --pool repo
rm -f "$W/p.raw"
P=$W/repo/bp.raw
hv image push bp --host "$HN"
DEST=$($T1 "$HVSH" image show bp -o json | jq -r .copies | sed "s/^$HN=//")
case $DEST in "$W/prim/"*) ;; *) die "push: the host's copy is at '$DEST'" ;; esac
DDIR=${DEST%/*}
psum=$(sha256sum "$P" | cut -d' ' -f1)
hsum=$("$LAB" ssh "$HN" sha256sum "$DEST" </dev/null | cut -d' ' -f1)
[ "$psum" = "$hsum" ] || die "push: the host's copy differs"
# Before every run: no copy on the host (hvsh would send nothing), the
# source in the page cache.
cat >"$W/prep-push.sh" <<EOF
{ [ -f $(q "$DEST") ] && echo 1 || echo 0; [ -f $(q "$DDIR/scp.raw") ] && echo 1 || echo 0; } |
    tr '\n' ' ' >>$(q "$W/pushed")
echo >>$(q "$W/pushed")
rm -f $(q "$DEST") $(q "$DEST.part") $(q "$DDIR/scp.raw")
sync
cat $(q "$P") >/dev/null
EOF
: >"$W/pushed"
cat >"$W/scp.sh" <<EOF
scp -q $(q "${SSHO[@]}") -P $HP $(q "$P") $(q "$HU@$HA:$DDIR/scp.raw")
EOF
cat >"$W/scpsum.sh" <<EOF
bash $(q "$W/scp.sh") &&
ssh $(q "${SSHO[@]}") -p $HP $(q "$HU@$HA") sha256sum $(q "$DDIR/scp.raw") >/dev/null
EOF
hf push --prepare "bash $W/prep-push.sh" \
    "$T1 $HVSH image push bp --host $HN" \
    "$T1 bash $W/scp.sh" \
    "$T1 bash $W/scpsum.sh"
hsum=$("$LAB" ssh "$HN" sha256sum "$DDIR/scp.raw" </dev/null | cut -d' ' -f1)
[ "$psum" = "$hsum" ] || die "push: scp's copy differs"
# Each hvsh run (and the untimed push before) left a whole copy, each scp
# run its own.
npush=$(grep -c '^1 0 $' "$W/pushed")
nscp=$(grep -c '^0 1 $' "$W/pushed")
[ "$npush" -eq $((RUNS + 2)) ] && [ "$nscp" -eq $((2 * RUNS + 1)) ] ||
    die "push: a run left no copy: $(tr '\n' ',' <"$W/pushed")"
PBYTES=$((PSIZE * 1048576))

# ---------------------------------------------------------------- vm create

say "importing a qcow2 template into the pool $HN sees"
qemu-img create -q -f qcow2 "$W/t.qcow2" 64M || die "qemu-img create failed"
hv image import tmpl --file "$W/t.qcow2" --kind template --pool tpl
# One create and destroy first, untimed: neither side pays for a first use.
hv vm create v0 --image tmpl --host "$HN" --memory 32M
hv vm destroy v0 --yes
: >"$W/create.hv"
: >"$W/hand.sh"
echo 'set -e' >"$W/hand.sh"
for ((i = 1; i <= NVMS; i++)); do
	echo "vm create v$i --image tmpl --host $HN --memory 32M" >>"$W/create.hv"
	# By hand: what hvsh's dry run shows for h$i (the overlay on the
	# template, the same XML, dominfo), as three plain lines.
	$T1 "$HVSH" vm create "h$i" --image tmpl --host "$HN" --memory 32M \
	    --dry-run >"$W/dry" 2>&1 || die "vm create --dry-run failed"
	xml=$(sed -n "s/.*' '\(<domain .*<\/domain>\)' 'h$i'\$/\1/p" "$W/dry")
	read -r tp fmt file < <(sed -n "s/.*'sh' 'overlay' '\([^']*\)' '\([^']*\)' '\([^']*\)' .*/\1 \2 \3/p" "$W/dry")
	[ -n "$xml" ] && [ -n "${file:-}" ] ||
	    die "cannot read the dry run: $(cat "$W/dry")"
	{
		echo "qemu-img create -q -f qcow2 -b $(q "$tp") -F $(q "$fmt") $(q "$file")"
		printf "virsh define /dev/stdin >/dev/null <<'EOF'\n%s\nEOF\n" "$xml"
		echo "virsh dominfo h$i >/dev/null"
	} >>"$W/hand.sh"
done
cat >"$W/hand-run.sh" <<EOF
ssh $(q "${SSHO[@]}") -p $HP $(q "$HU@$HA") sh -s <$(q "$W/hand.sh")
EOF
# Before every run: what the last run made, counted into $W/counts and
# removed (hvsh's through hvsh, the rest by hand).
cat >"$W/prep-vm.sh" <<EOF
{ $(q "$HVSH") vm list --no-header --columns name | grep -c . ;
  $(q "$LAB") ssh $HN virsh list --all --name </dev/null | grep -c . ; } |
    tr '\n' ' ' >>$(q "$W/counts")
echo >>$(q "$W/counts")
$(q "$HVSH") vm destroy --filter host=$HN --yes >/dev/null || exit 1
$(q "$LAB") ssh $HN sh -s $(q "$W/prim") <$(q "$W/clean-host.sh")
EOF
cat >"$W/clean-host.sh" <<'EOF'
for d in $(virsh list --all --name); do virsh undefine "$d" >/dev/null || exit; done
rm -f "$1"/h*.qcow2
EOF
: >"$W/counts"
# A by-hand domain must be as usable as hvsh's: it starts.
bash "$W/prep-vm.sh" && $T1 bash "$W/hand-run.sh" </dev/null >"$W/log/hand" 2>&1 ||
    die "the by-hand script failed: $(tail -3 "$W/log/hand")"
"$LAB" ssh "$HN" virsh start h1 </dev/null >"$W/log/start" 2>&1 &&
    "$LAB" ssh "$HN" virsh destroy h1 </dev/null >>"$W/log/start" 2>&1 ||
    die "a by-hand domain does not start: $(tail -3 "$W/log/start")"
: >"$W/counts"
hf vms --prepare "bash $W/prep-vm.sh" \
    "$T1 $HVSH -f $W/create.hv" \
    "$T1 bash $W/hand-run.sh"
bash "$W/prep-vm.sh"
# The first count line is from before the warm-up (nothing); each one after
# must show NVMS domains, made by hvsh (recorded and on the host) or by hand.
bad=$(awk -v n="$NVMS" 'NR > 1 && !(($1 == n && $2 == n) || ($1 == 0 && $2 == n))' "$W/counts")
[ -z "$bad" ] || die "a run did not make $NVMS instances: $(cat "$W/counts")"
# Where an hvsh create's time goes on the host: its three processes, each
# alone, timed there.
cat >"$W/parts.sh" <<EOF
t() { s=\$(date +%s%N); "\$@" >/dev/null 2>&1; echo \$(( (\$(date +%s%N) - s) / 1000000 )); }
t qemu-img create -q -f qcow2 -b $(q "$tp") -F $(q "$fmt") $(q "$W/prim/x.qcow2")
t virsh dominfo h1
t true
rm -f $(q "$W/prim/x.qcow2")
EOF
bash "$W/prep-vm.sh" && $T1 bash "$W/hand-run.sh" </dev/null >/dev/null 2>&1
parts=$($T1 ssh "${SSHO[@]}" -p "$HP" "$HU@$HA" sh -s <"$W/parts.sh" | tr '\n' ' ')
read -r p_qimg p_dominfo _ <<<"$parts"
bash "$W/prep-vm.sh" >/dev/null 2>&1
libvirtv=$(virsh --version 2>/dev/null)

# ---------------------------------------------------------------- report

LOAD1=$(load)
t_imp=$(med import 1) t_sum=$(med import 2) t_ossl=$(med import 3) t_cp=$(med import 4)
t_push=$(med push 1) t_scp=$(med push 2) t_scpsum=$(med push 3)
t_hv=$(med vms 1) t_hand=$(med vms 2)
r1=$(ratio "$t_imp" "$t_sum")
t_hsum=$(awk -v a="$t_scpsum" -v b="$t_scp" 'BEGIN { print a - b }')
t_send=$(awk -v a="$t_push" -v b="$t_hsum" 'BEGIN { print a - b }')
r2=$(ratio "$t_scp" "$t_push")	# push throughput over scp's
r3=$(ratio "$t_hv" "$t_hand")
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
mem=$(free -g | awk '/Mem:/ { print $2 " GiB" }')
os=$(. /etc/os-release; echo "$PRETTY_NAME")
sshv=$(ssh -V 2>&1 | cut -d, -f1)
libsshv=$(pkg-config --modversion libssh 2>/dev/null || echo "?")
fs=$(df -T "$W" | awk 'NR==2 { print $2 }')
qv=$(qemu-img --version | sed -n '1s/.*version \([0-9.]*\).*/\1/p')
result=$(
	cat <<R
Measured $(date -u +%Y-%m-%d) on $(nproc) cores of $cpu, $mem, $os, files on $fs;
$sshv, libssh $libsshv, libvirt ${libvirtv:-?}, QEMU $qv; $(hyperfine --version).
One lab KVM host (\`tests/lab/lab up --kvm 1\`: a real sshd on a loopback address, real libvirtd
and QEMU), reached by hvsh and by OpenSSH as the same user with the same key and the lab's
known_hosts. Each table is one hyperfine call over all its commands: one warm-up run, then
$RUNS timed runs of each (hyperfine runs one command's runs, then the next's); medians. Before
every run, an untimed \`--prepare\` script resets the state, the same for every command. Sizes
chosen so that the whole benchmark takes about a quarter of an hour on this machine: a
$SIZE MiB import, a $PSIZE MiB push, $NVMS instances. Load average before and after (other
work shares the machine): $LOAD0 / $LOAD1.

| target | figure | |
| --- | --- | --- |
| \`image import\` of $SIZE MiB ≤ 1.1x \`sha256sum\` | ${r1}x ($(ms "$t_imp") ms against $(ms "$t_sum") ms) | $(met "$r1 <= 1.1") |
| \`image push\` ≥ 0.8x the throughput of \`scp\` | ${r2}x ($(mbs $PBYTES "$t_push") MB/s against $(mbs $PBYTES "$t_scp") MB/s) | $(met "$r2 >= 0.8") |
| $NVMS \`vm create\` from a template ≤ 1.3x by hand over one ssh | ${r3}x ($(ms "$t_hv") ms against $(ms "$t_hand") ms) | $(met "$r3 <= 1.3") |

### Import of a $SIZE MiB file

Random bytes. Before each run: the last import removed (\`hvsh image remove --yes\`, its file
with it), \`sync\`, then \`cat FILE >/dev/null\`, so every command reads the file from the page
cache. The import copies the file into a secondary \`dir\` pool on the same file system while
computing its sha256, format and virtual size, and fsyncs the copy and its directory before it
records the image; \`sha256sum\` only reads. Two more commands, for where the time goes: the
hash alone with OpenSSL's libcrypto (which hvsh uses) and the durable copy alone.

| command | median | | |
| --- | --- | --- | --- |
| \`hvsh image import bi --file FILE --pool repo\` | $(ms "$t_imp") ms | $(mbs $((SIZE * 1048576)) "$t_imp") MB/s | ${r1}x sha256sum |
| \`sha256sum FILE\` (coreutils) | $(ms "$t_sum") ms | $(mbs $((SIZE * 1048576)) "$t_sum") MB/s | 1.00x |
| \`openssl dgst -sha256 FILE\` | $(ms "$t_ossl") ms | $(mbs $((SIZE * 1048576)) "$t_ossl") MB/s | $(ratio "$t_ossl" "$t_sum")x |
| \`cp FILE COPY && sync COPY\` | $(ms "$t_cp") ms | $(mbs $((SIZE * 1048576)) "$t_cp") MB/s | $(ratio "$t_cp" "$t_sum")x |

### Push of a $PSIZE MiB image to the host

The image is in the bastion's repository, which the host does not see; hvsh streams it over its
SSH session into the host's primary pool (\`hvsh-images/\`) in one exec in which the host
computes its sha256 as the bytes arrive (\`tee\` into \`openssl dgst -sha256\`, which this host has), compares it with the
recorded one and renames the copy into place. Before each run: the host's copy (and a
\`.part\`, and scp's copy) removed, \`sync\`, the source read into the page cache. \`scp\`
(OpenSSH's default, the SFTP protocol) copies the same file to the same directory on the same
host; the third line adds the host's \`sha256sum\` after it, over a second login, which is what
a careful user would do and what hvsh does. MB = 10^6 bytes.

| command | median | throughput | |
| --- | --- | --- | --- |
| \`hvsh image push bp --host $HN\` (sent, summed on the host) | $(ms "$t_push") ms | $(mbs $PBYTES "$t_push") MB/s | ${r2}x scp |
| \`scp FILE HOST:DIR/\` | $(ms "$t_scp") ms | $(mbs $PBYTES "$t_scp") MB/s | 1.00x |
| \`scp\`, then \`ssh HOST sha256sum\` | $(ms "$t_scpsum") ms | $(mbs $PBYTES "$t_scpsum") MB/s | $(ratio "$t_scp" "$t_scpsum")x |

### $NVMS instances from one qcow2 template

The template (an empty 64 MiB qcow2) is imported into a secondary pool the host sees
(\`--host-path $HN\`). hvsh: one \`hvsh -f FILE\` run of $NVMS lines \`vm create vN --image tmpl
--host $HN --memory 32M\`, each its own command (records, placement checks, plan, the host
call, the records again), on one SSH session kept for the whole script. By hand: one \`ssh
HOST sh -s\` reading a script of what hvsh's \`--dry-run\` shows for each instance, as three
lines: \`qemu-img create -q -f qcow2 -b TEMPLATE -F qcow2 OVERLAY\`, \`virsh define\` of the
same XML, \`virsh dominfo\` (checked: a by-hand domain starts). Before each run, the last run's
instances are counted ($NVMS each time, checked) and removed: \`hvsh vm destroy --filter
host=$HN --yes\`, then \`virsh undefine\` and \`rm\` of the rest over ssh. One untimed create
and destroy first.

| command | median | per instance | |
| --- | --- | --- | --- |
| \`hvsh -f FILE\`, $NVMS \`vm create\` | $(ms "$t_hv") ms | $(awk -v s="$t_hv" -v n="$NVMS" 'BEGIN { printf "%.0f", s * 1000 / n }') ms | ${r3}x by hand |
| by hand, one \`ssh HOST sh -s\` | $(ms "$t_hand") ms | $(awk -v s="$t_hand" -v n="$NVMS" 'BEGIN { printf "%.0f", s * 1000 / n }') ms | 1.00x |

An hvsh create is one exec on the kept session, running the same three processes as the
script by hand (the disk a file of the pool's directory, so no libvirt pool upkeep). Each
alone, run once on the host: \`qemu-img create\` $p_qimg ms, \`virsh dominfo\` $p_dominfo ms.
R
)
printf '%s\n' "$result"

doc_section images "Images and instances" "$result"
exit 0
