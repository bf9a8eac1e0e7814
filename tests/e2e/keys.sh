# Keymaps through 'hvsh keys': each shipped keymap lists every binding it
# has, with its note; a user's file overrides them; 'keys --check' names a
# broken file's bad lines; ui commands fail outside the dashboard.
. "$(dirname "$0")/lib.sh"

unset HVSH_KEYMAP HVSH_KEYMAP_DIR
mkdir -p "$HVSH_HOME"

# "TABLE KEY" of each binding a keymap file makes, in file order.
file_keys() {
	awk '$1 == "bind" { t = "main"; k = 2
		if ($2 == "-T") { t = $3; k = 4 }
		print t, $k }' "$1"
}

for km in default vi emacs; do
	f=$HVSH_SRC/keymaps/$km.keys
	hv keys --keymap "$km" -o csv --no-header --columns table,key
	t_status 0 "keys --keymap $km"
	t_eq "$(printf '%s\n' "$out" | tr -d '\r' | tr , ' ')" "$(file_keys "$f")" \
	    "keys --keymap $km lists every binding of $km.keys, in order"
	hv keys --keymap "$km" -o json
	t_eq "$(printf '%s' "$out" | jq '[.[] | select(.note == null or .note == "")] | length')" \
	    0 "every binding of $km has a note"
	hv keys --check "$f"
	t_status 0 "keys --check $km.keys"
	t_out "^$f: [0-9]+ bindings, no problems$" "--check says it is clean"
done

# Which keymap: --keymap, else $HVSH_KEYMAP, else default.
hv keys
t_out '^main +F10 +leave +ui quit' "default keymap without a choice"
HVSH_KEYMAP=vi hv keys
t_out '^main +j +down one row +ui move down' "HVSH_KEYMAP picks vi"
hv keys --keymap "$HVSH_SRC/keymaps/emacs.keys"
t_out '^main +M-x +run an hvsh command +ui prompt' "a keymap by path"
hv keys --keymap nosuch
t_status 1 "an unknown keymap fails"
t_err "no keymap 'nosuch'" "and says so"
mkdir -p "$T/km"
printf 'bind x ui quit # only x\n' >"$T/km/default.keys"
HVSH_KEYMAP_DIR=$T/km hv keys -o csv --no-header --columns key,command
t_eq "$(printf '%s' "$out" | tr -d '\r')" "x,ui quit" "HVSH_KEYMAP_DIR is looked in first"

# A user's file overrides; its bad lines are named and the rest loads.
cat >"$HVSH_HOME/keys" <<'EOF'
# mine
bind q ui redraw # not quit
bind Z vm stop {sel} # stop them
bind Foo ui quit # bad key
unbind F10
bind w ui move nowhere # bad value
EOF
hv keys
t_status 1 "keys with a bad user line fails"
t_out '^main +q +not quit +ui redraw' "the user's binding replaces the shipped one"
t_out '^main +Z +stop them +vm stop \{sel\}' "the user's new binding is listed"
t_noout 'F10' "unbind takes a binding away"
t_out '^main +/ +filter rows' "the shipped bindings stay"
t_err "$HVSH_HOME/keys:4: unknown key 'Foo'" "a bad key is named by file:line"
t_err "$HVSH_HOME/keys:6: ui move: where: 'nowhere' is not one of" \
    "a bad command is named by file:line"
t_noout '^main +w ' "the bad lines are left out"
rm "$HVSH_HOME/keys"

# keys --check FILE, usable by people and by tests.
cat >"$T/bad.keys" <<'EOF'
bind j ui move down # fine
bind k vm frobnicate # no such verb
bind -T nosuch l ui quit # no such table
bind j ui move up # j again
bind 'm ui mark
EOF
hv keys --check "$T/bad.keys"
t_status 1 "--check of a broken file fails"
t_err "$T/bad.keys:2: vm: unknown verb 'frobnicate'" "line 2 named"
t_err "$T/bad.keys:3: no table 'nosuch'" "line 3 named"
t_err "$T/bad.keys:4: j is bound already on line 1" "line 4 named"
t_err "$T/bad.keys:5: unterminated single quote" "line 5 named"
t_err "4 bad lines in $T/bad.keys" "and counted"
t_noout . "nothing on stdout"
hv keys --check "$T/nosuch.keys"
t_status 1 "--check of a missing file fails"

# The ui commands are commands of the table, for the dashboard alone.
hv help ui
t_out 'ui move' "help lists the ui commands"
for cmd in "ui move down" "ui view instances" "ui sort name" "ui filter" \
    "ui prompt vm list" "ui mark" "ui quit"; do
	# shellcheck disable=SC2086
	hv $cmd
	t_status 1 "$cmd outside the dashboard exits 1"
	t_err "^hvsh: $(echo "$cmd" | cut -d' ' -f1-2): only in the dashboard$" \
	    "$cmd says it runs only in the dashboard"
done
hv -c 'ui refresh'
t_status 1 "a ui command in a -c script fails"
t_err 'ui refresh: only in the dashboard' "with the same message"
hv_in 'ui help
' shell
t_status 1 "a ui command in a piped shell fails"
t_err 'ui help: only in the dashboard' "with the same message"
hv ui move sideways
t_status 2 "a bad ui word is a usage error"
t_err "'sideways' is not one of up\|down" "naming the words"
