# Host keys through hvsh: at a terminal the fingerprint is shown and must be
# confirmed (tmux is the terminal); "n" records nothing; "y" pins the key
# in hvsh's own known_hosts; a pinned key that changes is refused with both
# fingerprints named.
. "$(dirname "$0")/lib.sh"
LAB=$HVSH_SRC/tests/lab/lab
export HVSH_LAB_DIR=$T/lab
chmod 711 "$T"	# as root, the lab's users must reach their homes in $T
sock=hvsh-hostkey-$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'tm kill-server >/dev/null 2>&1; "$LAB" down >/dev/null 2>&1; rm -rf "$T"' EXIT

if ! "$LAB" up --xen 1 >"$T/lab.log" 2>&1; then
	_nok "lab up"; sed 's/^/# /' "$T/lab.log"; exit 1
fi
eval "$("$LAB" env)"
read -r n d addr port user <<<"$LAB_HOST_1"
echo 0 >"$HVSH_LAB_DIR/state/$n/speed"
want=$(ssh-keygen -lf "$LAB_KNOWN_HOSTS" -E sha256 | awk '{ print $2; exit }')
line="host add $n --address $addr --port $port --user $user --key $LAB_KEY --driver xen"

tm new-session -d -s k -x 200 -y 30 "env HVSH_HOME=$(printf %q "$HVSH_HOME") $(printf %q "$HVSH") shell; sleep 600"
screen() { tm capture-pane -p -t k 2>/dev/null; }
wait_for() {
	local i=0
	while [ $i -lt 100 ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
check() { local d=$1; shift; if "$@"; then _ok "$d"; else out=$(screen); _nok "$d"; fi; }

check "the shell starts" wait_for '^hvsh> ?$'
tm send-keys -t k -l -- "$line"
tm send-keys -t k Enter
check "the fingerprint is shown and confirmation asked" wait_for 'Accept it\? \[y/N\]'
check "it is the host's real fingerprint" wait_for "is $(printf '%s' "$want" | sed 's/[][\\.*^$+?(){}|/]/\\&/g')\\."
tm send-keys -t k -l -- n
tm send-keys -t k Enter
check "'n' refuses the key" wait_for 'not accepted'
hv host list --no-header
t_eq "$out" "" "nothing is recorded after 'n'"
tm send-keys -t k C-l
tm send-keys -t k -l -- "$line"
tm send-keys -t k Enter
check "asked again" wait_for 'Accept it\? \[y/N\]'
tm send-keys -t k -l -- y
tm send-keys -t k Enter
check "'y' pins the key and adds the host" wait_for "host $n added"
t_true "hvsh's known_hosts holds the key, mode 600" test "$(stat -c %a "$HVSH_HOME/known_hosts")" = 600
hv host check "$n"
t_status 0 "the pinned host answers scripted commands"

# The host's key changes (another key pinned in its place): refused, loudly.
ssh-keygen -q -t ed25519 -N '' -f "$T/other" >/dev/null
other=$(ssh-keygen -lf "$T/other.pub" -E sha256 | awk '{ print $2 }')
key=$(awk '{ print $1 " " $2 }' "$T/other.pub")
sed -i "s|^\\(\\S*\\) ssh-ed25519 .*|\\1 $key|" "$HVSH_HOME/known_hosts"
hv host check "$n"
t_status 1 "a changed host key is refused"
t_err "host key of $n has CHANGED" "the refusal says the key changed"
t_true "both fingerprints are named" bash -c "grep -q -- '$want' '$T/.out' '$T/.err' && grep -q -- '$other' '$T/.out' '$T/.err'"
hv host show "$n" -o json
t_eq "$(printf '%s' "$out" | jq -r .status)" "unreachable" "and the host is not trusted"
