# shell.sh: the interactive shell in a real terminal (a private tmux
# server): prompt, commands, Tab completion, Ctrl-C, history, and that no
# line ever reaches a system shell or a user's ~/.inputrc.
. "$(dirname "$0")/lib.sh"

# The shell reading a pipe: no prompt, no banner, exactly what the commands
# print; it goes on after a failure, as typed lines would.
hv host add kvm1 --address 10.0.0.1 --driver kvm --no-check
hv vm list
want=$out
hv_in $'vm list\n' shell
t_status 0 "a piped shell runs"
t_eq "$out" "$want" "a piped 'vm list' prints exactly the table"
t_eq "$err" "" "and nothing on stderr"
hv_in $'host list --columns name --no-header\nversion\n' shell
t_noout 'hvsh>' "no prompt in a piped shell"
t_eq "$(printf '%s' "$out" | head -1)" "kvm1" "the first line is the first command's"
t_out '^hvsh [0-9]' "the second command runs too"
hv_in $'frob\nhost list --columns name --no-header\n' shell
t_status 0 "a failed line does not end a piped shell; the last one counts"
t_err "unknown command 'frob'" "the failure is reported"
t_eq "$out" "kvm1" "and the next line runs"
hv_in $'version\nexit\nhost list\n' shell
t_noout 'kvm1' "exit ends a piped shell"
hv_in $'host remove kvm1\n' shell
t_status 2 "a piped shell has no one to ask: destruction needs --yes"
hv host list --no-header --columns name
t_eq "$out" "kvm1" "the host is kept"
hv_in $'shell\n' shell
t_status 0 "a shell inside a piped shell reads the same (ended) input"
rm -rf "$HVSH_HOME"

if ! command -v tmux >/dev/null 2>&1; then
	echo "ok $((_n + 1)) # SKIP tmux is not installed"
	echo "1..$((_n + 1))"
	exit 0
fi

sock=hvsh-test-$$
trap 'tmux -L "$sock" kill-server >/dev/null 2>&1; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT

tm() { tmux -L "$sock" -f /dev/null "$@"; }

# A hostile ~/.inputrc and a file that 'ls' would show: neither may matter.
mkdir -p "$T/home" "$T/cwd"
printf '"\\C-t": "INPUTRC-WAS-READ"\n' >"$T/home/.inputrc"
: >"$T/cwd/LS-CANARY-FILE"

# start NAME [VAR=VALUE...]: a session running the shell (with the
# variables given); "[hvsh exited N]" marks its end.
start() {
	local cmd v
	cmd="umask 022; cd $(printf %q "$T/cwd") && env -u NO_COLOR HOME=$(printf %q "$T/home")"
	for v in "${@:2}"; do cmd="$cmd $(printf %q "$v")"; done
	cmd="$cmd HVSH_HOME=$(printf %q "$HVSH_HOME") $(printf %q "$HVSH") shell"
	cmd="$cmd; echo \"[hvsh exited \$?]\"; sleep 600"
	tm new-session -d -s "$1" -x 120 -y 30 "$cmd"
	s=$1
}

screen() { tm capture-pane -p -t "$s" 2>/dev/null; }
# screen_sgr: the screen with its colours as escape sequences.
screen_sgr() { tm capture-pane -p -e -t "$s" 2>/dev/null; }
keys() { tm send-keys -t "$s" "$@"; }
text() { tm send-keys -t "$s" -l -- "$1"; }

# wait_for RE: polls the screen for up to 5 s.
wait_for() {
	local i=0
	while [ $i -lt 50 ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# prompts: how many prompts the screen shows.
prompts() { screen | grep -Ec '^hvsh>( |$)'; }

# wait_prompts N: polls until at least N prompts are on the screen.
wait_prompts() {
	local i=0
	while [ $i -lt 50 ]; do
		[ "$(prompts)" -ge "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# clean: clears the screen (readline's C-l) so checks see one command only.
clean() {
	keys C-l
	tm clear-history -t "$s"
	local i=0
	while [ $i -lt 50 ]; do
		[ "$(screen | grep -c .)" -eq 1 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# run LINE: types a line and waits for the next prompt; out is the screen.
run() {
	clean
	text "$1"
	keys Enter
	wait_prompts 2
	out=$(screen)
	_cmd="shell: $1"
}

check() {	# desc, command...: like t_true, with the screen in the report
	local d=$1
	shift
	if "$@"; then _ok "$d"; else out=$(screen); _nok "$d"; fi
}

start one
check "the prompt appears" wait_for '^hvsh> ?$'

run version
t_out '^hvsh [0-9]+\.[0-9]+' "version prints a version"

run "host add kvm1 --address 10.0.0.1 --driver kvm --no-check"
t_noout 'hvsh: ' "host add works in the shell"
run "host list"
t_out 'kvm1' "host list shows kvm1"

# States in colour at a terminal; the same list in JSON has none.
"$HVSH_BUILD/tools/store-add" "$HVSH_HOME" vm web1 host=kvm1 state=running >/dev/null
"$HVSH_BUILD/tools/store-add" "$HVSH_HOME" vm web2 host=kvm1 state=stopped >/dev/null
run "vm list --columns name,state"
check "the running state is green" sh -c 'printf "%s" "$1" | grep -q "web1 .*$(printf "\033")\[32mrunning"' sh "$(screen_sgr)"
# (tmux marks the colour's end at the next line's start: ESC[39m.)
check "a stopped one is plain" sh -c '! printf "%s" "$1" | grep "web2" | grep -q "$(printf "\033")\[3[0-8]"' sh "$(screen_sgr)"
run "vm list -o json"
check "no colour in JSON" sh -c '! printf "%s" "$1" | grep -q "$(printf "\033")\[3[0-8]"' sh "$(screen_sgr)"

# Completion: the words complete from the command table and the store.
clean
text ho
keys Tab
check "ho + Tab completes to 'host'" wait_for '^hvsh> host$'
text sh
keys Tab
check "host sh + Tab completes to 'host show'" wait_for '^hvsh> host show$'
text kv
keys Tab
check "kv + Tab completes to 'kvm1'" wait_for '^hvsh> host show kvm1$'
keys Enter
check "the completed line runs" wait_for '10\.0\.0\.1'
wait_prompts 2

# A quoted word completes inside its quote.
clean
text "host show 'kv"
keys Tab
check "an open quote completes and closes" wait_for "^hvsh> host show 'kvm1'\$"
keys C-u

# Ctrl-C drops the half-typed line and the shell goes on.
clean
text "host add zzz9 --address 10.0.0.9 --driver kvm --no-check"
# Only once readline has echoed the line does Ctrl-C have a line to drop.
wait_for 'zzz9 --address 10\.0\.0\.9 --driver kvm --no-check$'
keys C-c
check "Ctrl-C prints ^C" wait_for '\^C$'
check "Ctrl-C gives a fresh prompt" wait_for '^hvsh> ?$'
run version
t_out '^hvsh [0-9]+\.[0-9]+' "the shell lives on after Ctrl-C"
run "host list"
t_noout 'zzz9' "the interrupted line was not run"

# A destructive command asks; n keeps, y removes.
run "host add gone1 --address 10.0.0.7 --driver kvm --no-check"
clean
text "host remove gone1"
keys Enter
check "host remove asks what it will do" wait_for '^remove host gone1$'
check "and asks to go on" wait_for '^Go on\? \[y/N\] ?$'
text n
keys Enter
check "n cancels" wait_for '^hvsh: host remove: cancelled$'
wait_prompts 2
run "host list"
t_out 'gone1' "the host is kept"
clean
text "host remove gone1"
keys Enter
wait_for '^Go on\? \[y/N\] ?$'
keys C-c
check "Ctrl-C at the question cancels" wait_for '^hvsh: host remove: cancelled$'
check "and a prompt comes back" wait_prompts 2
run "host list"
t_out 'gone1' "the host is still kept"
clean
text "host remove gone1"
keys Enter
wait_for '^Go on\? \[y/N\] ?$'
text y
keys Enter
check "y removes it" wait_for '^host gone1 removed$'
wait_prompts 2
run "host list"
t_noout 'gone1' "the host is gone"

# A quoting error is reported, not run; a resize is followed.
run "host show 'kvm1"
t_out "^hvsh: line 1: unterminated single quote" "a quoting error is reported"
tm resize-window -t "$s" -x 100 -y 30 >/dev/null 2>&1
run version
t_out '^hvsh [0-9]+\.[0-9]+' "the shell lives on after a resize"

# Readline reads hvsh's inputrc only, not the user's.
clean
keys C-t
sleep 0.3
check "~/.inputrc is not read" sh -c '! printf "%s" "$1" | grep -q INPUTRC-WAS-READ' sh "$(screen)"
keys C-u

# Nothing reaches a system shell: no '!' escape, no history expansion.
run '!ls'
t_out "unknown command '!ls'" "!ls is an unknown command"
t_noout 'LS-CANARY-FILE' "!ls does not run ls"
run '!!'
t_out "unknown command '!!'" "!! is an unknown command, not the last line"
run "!touch $T/canary"
t_out 'unknown command' "!touch is an unknown command"
t_true "!touch did not run" test ! -e "$T/canary"
run "host show \$(touch $T/canary2) \`touch $T/canary3\`"
t_true "\$(...) and \`...\` are not run" test ! -e "$T/canary2" -a ! -e "$T/canary3"

# History: no lines starting with a space, no repeats; saved at Ctrl-D.
run " host list"
run version
run version
run "host show kvm1"
clean
keys C-d
check "Ctrl-D leaves the shell" wait_for '^\[hvsh exited [0-9]+\]$'
h=$HVSH_HOME/history
t_true "the history file exists" test -f "$h"
t_eq "$(stat -c %a "$h" 2>/dev/null)" 600 "the history file has mode 600"
t_true "the history holds the commands" grep -qx 'host list' "$h"
t_true "the history holds completed lines" grep -qx 'host show kvm1' "$h"
t_true "a line starting with a space is not kept" sh -c '! grep -qx " host list" "$1"' sh "$h"
t_eq "$(uniq -d "$h")" "" "repeated lines are kept once"
t_true "the interrupted line is not kept" sh -c '! grep -q zzz9 "$1"' sh "$h"

# A second session recalls the last command with Up.
start two
check "a second session starts" wait_for '^hvsh> ?$'
keys Up
check "Up recalls the last command" wait_for '^hvsh> host show kvm1$'
keys C-u
text exit
keys Enter
check "exit leaves the shell" wait_for '^\[hvsh exited 0\]$'

# NO_COLOR (set, not empty) and a dumb terminal turn colour off.
start three NO_COLOR=1
check "a NO_COLOR session starts" wait_for '^hvsh> ?$'
run "vm list --columns name,state"
t_out 'web1 +running' "the list is shown"
check "NO_COLOR: no colour" sh -c '! printf "%s" "$1" | grep -q "$(printf "\033")\[32m"' sh "$(screen_sgr)"
start four TERM=dumb
check "a dumb terminal's session starts" wait_for '^hvsh> ?$'
run "vm list --columns name,state"
t_out 'web1 +running' "the list is shown on a dumb terminal"
check "TERM=dumb: no colour" sh -c '! printf "%s" "$1" | grep -q "$(printf "\033")\[32m"' sh "$(screen_sgr)"

echo "1..$_n"
