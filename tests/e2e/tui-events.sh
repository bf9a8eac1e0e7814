# tui-events.sh: the dashboard follows a libvirt host by its events. The
# lab's KVM host's own libvirtd is recorded as a libvirt-driver host and the
# dashboard polls only every 10 minutes, so what it shows of a domain
# started or stopped with virsh, behind hvsh's back, came by an event.
# Leaving does not wait for the watch, which is blocked between events.
. "$(dirname "$0")/lib.sh"
if ! command -v tmux >/dev/null; then
	echo "ok 1 # SKIP tmux is not installed"
	exit 0
fi
lab_use
SOCK=$T/tmux.sock
trap 'tmux -S "$SOCK" kill-server 2>/dev/null; "$LAB" down >/dev/null 2>&1; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
export HVSH_CONNECT_TIMEOUT_MS=5000 HVSH_COMMAND_TIMEOUT_MS=30000
lab_up --kvm 1
on() { "$LAB" ssh kvm1 "$@" >/dev/null 2>&1; }
jq_of() { printf '%s' "$out" | jq -r "$1"; }
on virsh list			# its libvirtd is up
U="qemu+unix:///session?socket=$LAB_DIR/home/kvm1/run/libvirt/libvirt-sock"

hv host add lv1 --address "$U" --driver libvirt
t_status 0 "host add lv1: the lab's libvirtd, through the libvirt driver"
"$LAB" kvm-guest kvm1 g1 >/dev/null
hv vm adopt g1 --host lv1
t_status 0 "vm adopt g1"


tmux -S "$SOCK" -f /dev/null new-session -d -s t -x 100 -y 30 \
    env HVSH_HOME="$HVSH_HOME" LANG=C.UTF-8 LC_ALL=C.UTF-8 \
    HVSH_TUI_INTERVAL_MS=600000 HVSH_CONNECT_TIMEOUT_MS=5000 \
    HVSH_COMMAND_TIMEOUT_MS=30000 "$HVSH"
t_screen 'lv1 +ok +libvirt' "the dashboard: lv1 answered its first poll"
# A watched host's data is current, whatever its last poll's age.
t_screen 'lv1 +ok +libvirt .* 0s *$' "lv1 is followed by its events"
keys 2
t_screen 'g1 +lv1 .* stopped ' "instances: g1 stopped"
# From the watch's start to its subscription: one call on a kept
# connection. The margin is wide; no poll comes for 10 minutes.
sleep 2

on virsh start g1
t_screen 'g1 +lv1 .* running ' "started with virsh: running on the screen"
t_screen 'g1 +lv1 .* running .* [0-9]+s *$' \
    "with an uptime, from the start the event announced"
hv vm show g1 -o json
t_eq "$(jq_of .state)" "running" "and running in the store"
on virsh destroy g1
t_screen 'g1 +lv1 .* stopped ' "stopped with virsh: stopped on the screen"
hv vm show g1 -o json
t_eq "$(jq_of .state)" "stopped" "and in the store"

# Its daemon gone and back: the watch fails, the host is polled at once
# (unreachable), and the watch, tried again, follows the new daemon.
pid=$(cat "$LAB_DIR/home/kvm1/run/libvirt/libvirtd.pid" 2>/dev/null)
if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
	t_screen 'g1 +lv1 .* unknown ' "its daemon killed: the host is polled at once"
	on virsh list
	keys 1
	t_screen 'lv1 +ok +libvirt .* 0s *$' "the watch is back once the daemon is" 30
	keys 2
	sleep 2
	on virsh start g1
	t_screen 'g1 +lv1 .* running ' "and the next start shows by its event" 30
	on virsh destroy g1
else
	echo "ok $((_n + 1)) # SKIP no libvirtd pid file to stop the daemon by"
	_n=$((_n + 1))
fi

keys q
t_gone "q leaves at once, the watch blocked between events or not"
