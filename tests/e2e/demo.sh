# demo.sh: contrib/demo.sh (make demo) in tmux: it starts its lab, fills
# the demo store, opens the dashboard on the instances made from images;
# q leaves and the lab stops. Without a terminal it prints the lists; a
# failed step and Ctrl-C during set-up also bring the lab down.
. "$(dirname "$0")/lib.sh"
if ! command -v tmux >/dev/null; then
	echo "ok 1 # SKIP tmux is not installed"
	exit 0
fi
DEMO=$HVSH_SRC/contrib/demo.sh
LAB=$HVSH_SRC/tests/lab/lab
chmod 711 "$T"	# as root, the lab's users must reach their homes in $T
SOCK=
trap 'for s in "$T"/tmux.*.sock; do tmux -S "$s" kill-server 2>/dev/null; done
for d in "$T"/demo*; do HVSH_LAB_DIR=$d/lab "$LAB" down >/dev/null 2>&1; done
chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT

# lab_procs DIR: live processes of the lab in DIR/lab (their command lines
# name it, or they run as its own hvlab-* users), one "pid args" a line;
# zombies are dead already.
lab_procs() {
	local l=$1/lab u uids=
	while IFS=: read -r u _ _ _ _ h _; do
		case $h in "$l"/*) uids="$uids,$u" ;; esac
	done </etc/passwd
	{
		ps -eo pid=,stat=,args= | grep -F -- "$l/" | grep -v grep
		[ -n "$uids" ] && ps -o pid=,stat=,args= -u "${uids#,}"
	} 2>/dev/null | awk '$2 !~ /^Z/' | sort -u
}
# lab_gone DIR: waits (widely) for the lab's processes to end; prints what
# is still there after that.
lab_gone() {
	local i left
	for ((i = 0; i < 300; i++)); do
		left=$(lab_procs "$1")
		[ -z "$left" ] && return
		sleep 0.1
	done
	printf '%s\n' "$left"
}

# demo NAME: contrib/demo.sh in a 100x30 tmux window, its exit status
# written to $T/NAME.rc when it ends. Each on a tmux server of its own: a
# server being killed takes no new session.
demo() {
	local n=$1
	[ -n "$SOCK" ] && tmux -S "$SOCK" kill-server 2>/dev/null
	SOCK=$T/tmux.$n.sock
	tmux -S "$SOCK" -f /dev/null new-session -d -s t -x 100 -y 30 \
	    env HVSH_DEMO_DIR="$T/$n" HVSH_BUILD="$HVSH_BUILD" \
	    LANG=C.UTF-8 LC_ALL=C.UTF-8 \
	    bash -c 'bash "$1"; echo $? >"$2.tmp"; mv "$2.tmp" "$2"; sleep 600' \
	    sh "$DEMO" "$T/$n.rc"
}
# wait_rc NAME SECONDS: the demo's exit status, or "none" if it runs on.
wait_rc() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -s "$T/$1.rc" ] && { cat "$T/$1.rc"; return; }
		sleep 0.1
	done
	echo none
}

# --- the demo on a terminal: set-up, the dashboard, q ---
demo d1
# Set-up waits on a lab of real sshd, libvirt and QEMU: a wide margin.
t_screen ' 1 hosts .* 3/3' "the dashboard opens on the demo store's three hosts" 600
t_screen 'hosts 3/3 up' "every demo host is up"
t_screen 'kvm1 +ok +kvm' "kvm1, the KVM host"
t_screen 'xen1 +ok +xen' "xen1, the Xen host"
t_screen 'vmw1 +ok +vmware' "vmw1, the VMware host"
keys 2
t_screen ' 2 instances .* 7/7' "instances view: the seven demo instances"
t_screen 'web1 +kvm1 +debian12-kvm +running' "web1 on kvm1 from the KVM template, running"
t_screen 'build1 +kvm1 +debian-12-netinst +stopped' "build1 on kvm1 from the ISO"
t_screen 'db1 +xen1 +debian12-xen +running' "db1 on xen1 from the Xen template, running"
t_screen 'app1 +vmw1 +debian-12-netinst +running' "app1 on vmw1 from the ISO, running"
t_screen 'app2 +vmw1 +debian-12-netinst +stopped' "app2 on vmw1, stopped"
keys 3
t_screen 'debian12-kvm +template +qcow2' "images view: the KVM template"
t_screen 'debian-12-netinst +iso +iso' "and the ISO"
keys 5
t_screen 'web1-data .*attached|web1-data .*web1' "volumes view: web1's data volume"
keys 6
t_screen 'before-upgrade +web1' "snapshots view: web1's snapshot"
t_true "the lab runs while the dashboard is open" \
    test -n "$(lab_procs "$T/d1")"
keys q
rc=$(wait_rc d1 120)
t_eq "$rc" 0 "q leaves the dashboard and the demo exits 0"
t_screen 'stopping the lab' "it says it stops the lab"
left=$(lab_gone "$T/d1")
t_eq "$left" "" "no process of the demo's lab is left"
printf '%s\n' "$left" | grep . | sed 's/^/#   left: /'

# --- without a terminal: the lists, and how to get the dashboard ---
HVSH_DEMO_DIR=$T/d2 bash "$DEMO" </dev/null >"$T/d2.out" 2>&1
t_eq "$?" 0 "without a terminal the demo exits 0"
t_true "it prints the host list" grep -Eq '^xen1 +[0-9.]+ +xen +ok' "$T/d2.out"
t_true "and the instance list with images" \
    grep -Eq '^db1 +xen1 +debian12-xen +running' "$T/d2.out"
t_true "and says how to get the dashboard" grep -q 'in a terminal for the' "$T/d2.out"
t_true "its set-up is quiet: no output of the steps" \
    sh -c "! grep -Eq 'created on|pushing|imported|started' '$T/d2.out'"
t_eq "$(lab_gone "$T/d2")" "" "and its lab is down"

# --- a failed step: a clear message, the lab down ---
mkdir -p "$T/fake"
cat >"$T/fake/hvsh" <<EOF
#!/bin/sh
case "\$*" in "vm create db1 "*) echo "xen1 is on fire" >&2; exit 1 ;; esac
exec "$HVSH" "\$@"
EOF
chmod 755 "$T/fake/hvsh"
HVSH_DEMO_DIR=$T/d3 HVSH_BUILD=$T/fake bash "$DEMO" </dev/null >"$T/d3.out" 2>&1
t_eq "$?" 1 "a failed step ends the demo with status 1"
t_true "naming the step" grep -q '^demo: failed: vm create db1' "$T/d3.out"
t_true "with what it said" grep -q 'xen1 is on fire' "$T/d3.out"
t_true "and that the lab stops" grep -q 'stopping the demo lab' "$T/d3.out"
t_eq "$(lab_gone "$T/d3")" "" "no process of its lab is left"

# --- Ctrl-C during set-up ---
demo d4
if wait_for 'filling the demo store' 600; then
	keys C-c
	rc=$(wait_rc d4 120)
else
	rc="no set-up seen"
fi
t_eq "$rc" 130 "Ctrl-C during set-up ends the demo (130)"
t_screen 'interrupted; stopping the demo lab' "saying it stops the lab"
t_eq "$(lab_gone "$T/d4")" "" "no process of its lab is left"
echo "1..$_n"
