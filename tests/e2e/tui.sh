# tui.sh: the dashboard driven in tmux against the lab: every view,
# moving, the filter line, sorting, the ':' line with completion, marks and
# a bulk stop seen on the host, a hung host that does not hold up a key and
# a command's progress meanwhile, resizing, 80x24 and smaller, monochrome
# and NO_COLOR, a hostile domain name shown neutralised, wide and combining
# characters aligned, each shipped keymap's help listing every binding, a
# broken user keymap, leaving; inside GNU screen and over ssh -t.
. "$(dirname "$0")/lib.sh"
if ! command -v tmux >/dev/null; then
	echo "ok 1 # SKIP tmux is not installed"
	exit 0
fi
lab_use
SOCK=$T/tmux.0.sock
trap 'for s in "$T"/tmux.*.sock; do tmux -S "$s" kill-server 2>/dev/null; done; "$LAB" down >/dev/null 2>&1; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
export HVSH_CONNECT_TIMEOUT_MS=5000 HVSH_COMMAND_TIMEOUT_MS=30000
lab_up --kvm 1 --xen 1
lab_add_hosts kvm1 xen1
for g in g1 g2 g3; do
	"$LAB" kvm-guest kvm1 "$g" >/dev/null
	hv vm adopt "$g" --host kvm1
done
hv vm start g1 g2
t_status 0 "g1 and g2 started"
on() { "$LAB" ssh "$@" 2>/dev/null | tr -d '\r'; }

# The user's keymap: stop without waiting for a guest that has no OS.
printf '%s\n' 'bind -T instances T vm stop --force {sel}   # stop now' \
    >"$HVSH_HOME/keys"

# tui [ENV=VALUE...]: the dashboard in a 100x30 tmux window of its own.
# Each on a server of its own: a server being killed takes no new session.
nsock=0
newsock() {
	tmux -S "$SOCK" kill-server 2>/dev/null
	nsock=$((nsock + 1))
	SOCK=$T/tmux.$nsock.sock
}
tui() {
	newsock
	tmux -S "$SOCK" -f /dev/null new-session -d -s t -x 100 -y 30 \
	    env HVSH_HOME="$HVSH_HOME" LANG=C.UTF-8 LC_ALL=C.UTF-8 \
	    HVSH_TUI_INTERVAL_MS=1000 HVSH_CONNECT_TIMEOUT_MS=5000 \
	    HVSH_COMMAND_TIMEOUT_MS=30000 "$@" "$HVSH"
}

# --- hvsh with no command on a terminal opens the dashboard ---
tui
t_screen 'hosts 2/2 up' "no command on a terminal: the dashboard, hosts up"
t_screen 'kvm1 +ok +kvm' "hosts view: kvm1 ok, its driver"
t_screen 'xen1 +ok +xen' "hosts view: xen1"
t_screen 'instances 2/3 running' "header: instances running of all"
t_screen 'kvm1 +ok +kvm +[0-9]+ +[0-9]+ +[0-9.]+ [KMG]iB +[0-9]+ +3 ' \
    "kvm1's row: cpus, cpu%, memory, mem%, 3 instances"
t_screen ' [0-9]+s *$' "the data's age"
t_screen '\? these keys +q leave' "footer: help and leaving first, from the keymap's notes"
t_screen 'q leave +C check hosts +Y sync' "then the view's own bindings (the hosts view's C, Y)"

# --- every view ---
keys 2
t_screen ' 2 instances .*3/3' "2: instances"
t_screen 'g1 +kvm1 +- +running' "instances: g1 on kvm1, running"
t_screen 'g3 +kvm1 +- +stopped' "instances: g3 stopped"
keys 3
t_screen 'NAME +KIND +FORMAT|name +kind +format' "3: images"
keys 4
t_screen 'role +type +host +capacity +used +use%' "4: pools with capacity and use"
keys 5
t_screen ' 5 volumes ' "5: volumes"
keys 6
t_screen ' 6 snapshots ' "6: snapshots"
keys 7
t_screen 'vm start g1 g2' "7: events, the audit trail"
ev=$(cap | grep -nE 'vm start g1 g2|vm adopt g1' | cut -d: -f1 | tr '\n' ' ')
set -- $ev
t_true "the start (newer) is above the adopt" test "${1:-0}" -lt "${2:-0}"
keys Tab
t_screen 'name +status +driver' "Tab wraps to the hosts view"
keys 2
t_screen 'g1 +kvm1' "back to instances"

# --- the help screen, from the keymap ---
keys '?'
t_screen 'instances \(this view\):' "? shows the view's bindings first"
t_screen 'S +vm start \{sel\} +start' "? shows the bindings with their notes"
t_screen "vm stop --force '?\\{sel\\}'? +stop now" "the user's own binding among them"
t_screen 'lines 1-[0-9]+ of [0-9]+' "more than fits: it says which lines"
keys Down
t_screen 'lines 2-[0-9]+ of [0-9]+' "a move key scrolls it"
keys x
t_screen 'g1 +kvm1' "another key closes it"

# --- moving and the detail pane ---
keys Enter
t_screen 'name: g1' "Enter: detail of the first row (g1)"
t_screen 'cpu% +[0-9.]+ ' "detail: a CPU line with its history"
keys Down
t_screen 'name: g2' "Down: g2 selected"
keys Down
t_screen 'name: g3' "Down: g3 selected"
keys Down
t_screen 'name: g3' "down at the last row stays there"
keys Home
t_screen 'name: g1' "Home: first row"
keys End
t_screen 'name: g3' "End: last row"
keys Enter
t_noscreen 'name: g3' "Enter again closes the detail"

# --- filter, live, with errors as they are typed ---
keys /
keys -l 'state'
t_screen 'filter: ' "an incomplete filter says why, as it is typed"
keys -l '=running'
t_screen 'g2 +kvm1' "state=running keeps g2"
t_noscreen 'g3 +kvm1' "and drops g3, as it is typed"
keys Enter
t_screen 'filter state=run' "Enter keeps the filter (shown on the tab line)"
keys /
keys C-u
keys -l 'nosuchcol=1'
t_screen 'filter: .*nosuchcol' "an unknown column is named"
keys Escape
t_screen 'filter state=run' "Escape puts the filter back as it was"
keys /
keys C-u Enter
t_screen 'g3 +kvm1' "an empty filter shows every row"

# --- sort by any column, again to reverse ---
keys :
keys -l 'ui sort name'
keys Enter
t_screen 'sort name' "ui sort name"
keys :
keys -l 'ui sort name'
keys Enter
t_screen 'sort name desc' "again: reversed"
first=$(cap | grep -E ' g[123] +kvm1' | head -1 | grep -Eo 'g[123]' | head -1)
t_eq "$first" g3 "reversed by name: g3 first"
keys s
t_screen 'sort host' "s sorts by the next column"

# --- the ':' line: completion and a command's output ---
keys :
keys -l 'vm st'
keys Tab
t_screen '(start|stop|stats) +(start|stop|stats) +(start|stop|stats)' "Tab lists the table's completions"
keys C-u
keys -l 'versio'
keys Tab
t_screen '^:version' "one completion is put in"
keys Enter
t_screen 'hvsh 0\.[0-9]' "a one-line output goes to the message line"
keys :
keys -l 'vm list --columns name,state'
keys Enter
t_screen 'NAME +STATE' "a longer output opens a pane"
t_screen 'Any key closes' "which says how it closes"
keys x
t_screen ' 2 instances ' "a key closes the pane"
keys :
keys -l 'vm start nosuchvm'
keys Enter
t_screen "nosuchvm.*not found" "a failed command: the message line"
keys 7
t_screen '\(dashboard\).*vm start nosuchvm' "and the events view"
keys 2

# --- marks and a bulk stop, confirmed, checked on the host ---
keys :
keys -l 'ui sort name'
keys Enter
t_screen 'sort name$|sort name ' "sorted by name"
keys Home Space Space
t_screen '2 marked' "Space marks two rows"
keys T
t_screen 'On 2 instances' "a bulk action asks first"
t_screen 'vm stop --force g1 +on kvm1' "listing what runs on which host (g1)"
t_screen 'vm stop --force g2 +on kvm1' "and g2"
keys n
t_screen 'cancelled' "n: nothing done"
t_eq "$(on kvm1 virsh domstate g1 | head -1)" running "g1 still runs"
keys T
t_screen 'On 2 instances' "asked again"
keys y
t_screen 'g1 powered off' "y: the stop runs, its output in a pane" 30
t_screen 'g2 powered off' "both stopped"
keys x
t_eq "$(on kvm1 virsh domstate g1 | head -1)" "shut off" "g1 is shut off on kvm1"
t_eq "$(on kvm1 virsh domstate g2 | head -1)" "shut off" "g2 is shut off on kvm1"
t_screen 'g1 +kvm1 +- +stopped' "the view shows g1 stopped"
keys u

# --- destructive: confirms exactly as the shell ---
keys Down Down
keys :
keys -l 'vm destroy g3'
keys Enter
t_screen 'Go on\? \[y/N\]' "vm destroy asks, as in the shell"
keys n
t_screen 'cancelled' "and no means no"
t_eq "$(on kvm1 virsh domstate g3 | head -1)" "shut off" "g3 is still there"

# --- a hung host: the UI answers at once, the age grows ---
HANG=$HVSH_LAB_DIR/hang
cat >"$HVSH_LAB_DIR/simbin/kvm1/virsh" <<WRAP
#!/bin/sh
while [ -e "$HANG" ]; do sleep 0.2; done
exec /usr/bin/virsh "\$@"
WRAP
chmod 755 "$HVSH_LAB_DIR/simbin/kvm1/virsh"
touch "$HANG"
keys 1
t_screen 'kvm1 .*stale [0-9]+s' "a hung host's data goes stale" 30
best=99999
for i in 1 2 3 4 5; do
	for v in 2 1; do
		case $v in 1) want=' 1 hosts .*[0-9]+/2' ;; 2) want='g1 +kvm1' ;; esac
		t0=$EPOCHREALTIME
		keys $v
		wait_for "$want" 10
		ms=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }')
		[ "$ms" -lt "$best" ] && best=$ms
	done
done
t_true "a key is answered within 100 ms while kvm1 hangs (best ${best} ms)" \
    test "$best" -lt 100
t_screen 'xen1 +ok' "the other host is still shown"
# A command that waits on the hung host shows its progress meanwhile.
keys :
keys -l 'vm list --refresh'
keys Enter
t_screen 'running: vm list --refresh \([0-9]+s\): refreshing: 1 of 2 hosts answered' \
    "a long command's progress in the message line" 20
keys 2
t_screen 'g1 +kvm1' "keys still answered while it runs"
rm -f "$HANG"
for ((i = 0; i < 800; i++)); do
	cap | grep -q 'running: vm list' || break
	sleep 0.05
done
t_noscreen 'running: vm list' "the command ends once kvm1 answers"
t_screen 'Any key closes' "its output in a pane"
keys x
keys 1
t_screen 'kvm1 +ok .* [0-9]s *$' "kvm1 fresh again once it answers" 40

# --- hostile names from a host, neutralised ---
# XML refuses ESC itself; a C1 CSI (U+009B) and a bidi override it takes.
evil=$'ev\u009b31mil\u202eab'
on kvm1 "virsh dumpxml g3 | sed -e '/<uuid>/d' -e 's|<name>g3</name>|<name>$evil</name>|' >evil.xml && virsh define evil.xml" >/dev/null
t_true "a domain with a CSI and a bidi override in its name" \
    sh -c "\"$LAB\" ssh kvm1 virsh list --all --name 2>/dev/null | grep -q 'ev.*il'"
keys :
keys -l 'host sync kvm1'
keys Enter
t_screen 'ev\\xc2\\x9b31mil\\xe2\\x80\\xaeab' "host sync's output shows the name escaped" 30
tmux -S "$SOCK" capture-pane -p -e -t t >"$T/raw"
t_true "no CSI from the name reached the screen" \
    sh -c "! grep -q \"\$(printf '\\302\\233')\" '$T/raw'"
t_true "no bidi override reached the screen" \
    sh -c "! grep -q \"\$(printf '\\342\\200\\256')\" '$T/raw'"
keys x

# --- wide and combining characters keep the columns aligned ---
# Two CJK characters (two cells each) and an e with a combining acute (one
# cell for two characters), in a command the events view shows.
wide=$'\u5bbd\u540de\u0301'
hv snapshot create g3 w -d "$wide"
t_status 0 "a snapshot described in wide and combining characters"
keys 7
t_screen "$wide" "the events view shows the command"
# col LINE-PATTERN NWIDE NCOMB: the cell where the column after the command
# starts on the line matching, from its characters and the known widths.
col() {
	(
		export LC_ALL=C.UTF-8
		local line pre rest
		local tail
		line=$(cap | grep -F -- "$1" | head -1)
		pre=${line%%"$1"*}$1
		rest=${line#"$pre"}
		tail=${rest%%' '*}	# the rest of the cell, a quote
		rest=${rest#"$tail"}
		rest=${rest%%[! ]*}
		echo $(( ${#pre} + $2 - $3 + ${#tail} + ${#rest} ))
	)
}
a=$(col "$wide" 2 1)
b=$(col 'vm start g1 g2' 0 0)
t_eq "$a" "$b" "the column after a wide command starts where the others' does"
keys 1

# --- resize, 80x24, smaller ---
tmux -S "$SOCK" resize-window -t t -x 120 -y 40
t_screen 'hosts 2/2 up' "resized to 120x40: redrawn"
t_true "the footer is on the last line" sh -c "tmux -S '$SOCK' capture-pane -p -t t | sed -n 40p | grep -q 'q leave'"
tmux -S "$SOCK" resize-window -t t -x 80 -y 24
t_screen 'hosts 2/2 up' "80x24 works"
t_true "80x24: the footer on line 24" sh -c "tmux -S '$SOCK' capture-pane -p -t t | sed -n 24p | grep -q 'q leave'"
tmux -S "$SOCK" resize-window -t t -x 70 -y 20
t_screen 'terminal too small' "70x20: 'terminal too small'"
tmux -S "$SOCK" resize-window -t t -x 100 -y 30
t_screen 'hosts 2/2 up' "and back"

# --- leaving ---
keys q
t_gone "q leaves the dashboard"

# --- monochrome and NO_COLOR ---
colors() { tmux -S "$SOCK" capture-pane -p -e -t t | grep -cE $'\e\\[[0-9;]*3[1-3]m'; }
tui TERM=xterm-mono
t_screen 'kvm1 +ok' "TERM=xterm-mono: the dashboard works"
t_eq "$(colors)" 0 "and uses no colour"
tui NO_COLOR=1
t_screen 'kvm1 +ok' "NO_COLOR: the dashboard works"
t_eq "$(colors)" 0 "and uses no colour"
tui
t_screen 'kvm1 +ok' "colour terminal"
t_true "states are coloured there" test "$(colors)" -gt 0

# --- a scroll step writes a few lines, not the screen ---
newsock
REC=$T/tty.rec
tmux -S "$SOCK" -f /dev/null new-session -d -s t -x 100 -y 30 \
    script -q -f -c "env HVSH_HOME='$HVSH_HOME' LANG=C.UTF-8 LC_ALL=C.UTF-8 HVSH_TUI_INTERVAL_MS=600000 '$HVSH' tui" "$REC"
t_screen 'kvm1 +ok' "the dashboard, its output recorded"
keys 2
t_screen 'g1 +kvm1' "instances"
sleep 1.5
a=$(stat -c %s "$REC"); keys Down; t_screen 'g1 +kvm1'  "scrolled"
sleep 0.3; b=$(stat -c %s "$REC")
t_true "a scroll step wrote $((b - a)) bytes, under a screen's 3000" \
    test $((b - a)) -gt 0 -a $((b - a)) -lt 1000
keys q

# --- each shipped keymap: the help lists every binding it makes ---
# "TABLE KEY" of each binding the help pane shows, under its table's title.
help_keys() {
	cap | awk '/^ [a-z]+( \(this view\))?:$/ { t = $1; sub(":", "", t); next }
		t != "" && /^   [^ ]/ { print t, $1 }' | sort
}
for km in default vi emacs; do
	tui HVSH_KEYMAP=$km
	tmux -S "$SOCK" resize-window -t t -x 120 -y 150
	t_screen 'hosts 2/2 up' "HVSH_KEYMAP=$km: the dashboard"
	keys '?'
	t_screen 'hosts \(this view\):|main:' "$km: ? opens the help"
	want=$(HVSH_KEYMAP=$km "$HVSH" keys -o csv --no-header --columns table,key |
	    tr -d '\r' | tr , ' ' | sort)
	got=$(help_keys)
	t_eq "$got" "$want" "$km: the help lists every binding ($(printf '%s\n' "$want" | wc -l))"
done

# --- a broken user keymap: named by file:line, the rest loads ---
cp "$HVSH_HOME/keys" "$T/keys.good"
printf '%s\n' 'bind -T instances T vm stop --force {sel}   # stop now' \
    'bind Nope ui quit # a key that is not' 'bind -T hosts Z ui view instances # go' \
    >"$HVSH_HOME/keys"
tui
t_screen "$HVSH_HOME/keys:2: unknown key 'Nope'" "the bad line, by file and line"
keys Z
t_screen 'g1 +kvm1' "the lines after it still load (Z on hosts)"
keys q
cp "$T/keys.good" "$HVSH_HOME/keys"

# --- inside GNU screen ---
if command -v screen >/dev/null; then
	newsock
	mkdir -p "$T/screens"
	chmod 700 "$T/screens"
	tmux -S "$SOCK" -f /dev/null new-session -d -s t -x 100 -y 30 \
	    env SCREENDIR="$T/screens" screen -q -S hv env HVSH_HOME="$HVSH_HOME" \
	    LANG=C.UTF-8 LC_ALL=C.UTF-8 HVSH_TUI_INTERVAL_MS=1000 "$HVSH" tui
	t_screen 'hosts 2/2 up' "inside GNU screen: the dashboard"
	keys 2
	t_screen 'g1 +kvm1' "keys reach it through screen"
	keys q
	t_gone "q leaves it, and screen ends"
else
	_nok "inside GNU screen: screen is not installed (contrib/install-deps.sh installs it)"
fi

# --- over ssh -t: on the terminal sshd makes, as another user ---
R=$T/remote
mkdir -p "$R/bin" "$R/keymaps"
cp "$HVSH" "$R/bin/hvsh"
cp "$HVSH_SRC"/keymaps/*.keys "$R/keymaps/"
chmod -R a+rX "$R"
newsock
tmux -S "$SOCK" -f /dev/null new-session -d -s t -x 100 -y 30 \
    ssh -t -F /dev/null -i "$LAB_KEY" -o IdentitiesOnly=yes \
    -o UserKnownHostsFile="$LAB_KNOWN_HOSTS" -o GlobalKnownHostsFile=/dev/null \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -o LogLevel=ERROR \
    -p "$P_kvm1" "$U_kvm1@$A_kvm1" \
    env 'HVSH_HOME=$HOME/hvsh-over-ssh' HVSH_KEYMAP_DIR="$R/keymaps" \
    LANG=C.UTF-8 LC_ALL=C.UTF-8 "$R/bin/hvsh"
t_screen 'hosts 0/0 up' "over ssh -t: hvsh alone opens the dashboard" 20
keys '?'
t_screen 'main:' "its keymap is read, its help shown"
keys x q
t_gone "q leaves it, and the ssh session ends" 10

# --- hvsh tui needs a terminal ---
hv tui
t_status 2 "hvsh tui without a terminal fails"
t_err "needs a terminal" "and says why"
hv ui move down
t_status 1 "ui commands outside the dashboard fail"
t_err "only in the dashboard" "and say so"
