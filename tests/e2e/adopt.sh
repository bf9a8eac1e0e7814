# adopt.sh: 'vm adopt' on the xe simulator: a hypervisor's name that is
# not a valid hvsh name is refused with a hint, --name gives a valid one,
# and the audit records each adopt's real outcome exactly once.
. "$(dirname "$0")/lib.sh"
LAB=$HVSH_SRC/tests/lab/lab
export HVSH_LAB_DIR=$T/lab
chmod 711 "$T"	# as root, the lab's users must reach their homes in $T
export HVSH_CONNECT_TIMEOUT_MS=3000 HVSH_COMMAND_TIMEOUT_MS=20000
trap '"$LAB" down >/dev/null 2>&1; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT

if ! "$LAB" up --xen 1 >"$T/lab.log" 2>&1; then
	_nok "lab up"; sed 's/^/# /' "$T/lab.log"; exit 1
fi
eval "$("$LAB" env)"
read -r n d addr port user <<<"$LAB_HOST_1"
echo 0 >"$HVSH_LAB_DIR/state/$n/speed"
hv host add xen1 --address "$addr" --port "$port" --user "$user" --key "$LAB_KEY" --driver xen
fp=$(printf '%s' "$err" | grep -o 'SHA256:[A-Za-z0-9+/=]*' | head -1)
hv host add xen1 --address "$addr" --port "$port" --user "$user" --key "$LAB_KEY" --driver xen --accept-key "$fp"
t_status 0 "host add xen1"

# Guests made behind hvsh's back, with names hvsh cannot take as they are.
"$LAB" ssh xen1 "xe vm-install template='Other install media' new-name-label='my vm'" >/dev/null
"$LAB" ssh xen1 "xe vm-install template='Other install media' new-name-label=-lead" >/dev/null
"$LAB" ssh xen1 "xe vm-install template='Other install media' new-name-label=\"\$(printf 'caf\\351')\"" >/dev/null
"$LAB" ssh xen1 "xe vm-install template='Other install media' new-name-label=good1" >/dev/null
hv host sync xen1 -o json
t_status 0 "host sync"
uuid_of() { printf '%s' "$sync" | jq -r --arg n "$1" '.[] | select(.vm == $n) | .uuid'; }
sync=$out
u_lead=$(uuid_of -lead)
u_latin=$(printf '%s' "$sync" | jq -r '.[] | select(.vm | startswith("caf")) | .uuid')
t_true "the guests are unmanaged" test -n "$u_lead" -a -n "$u_latin" -a -n "$(uuid_of 'my vm')"

events() { "$HVSH" audit list -o json | jq length; }
facts() { store_dump | jq -c '[.host, .vm]'; }
n0=$(events)
before=$(facts)

hv vm adopt 'my vm' --host xen1
t_status 1 "a name with a space is refused"
t_err "'my vm' on xen1: its name cannot be an hvsh name" "the refusal names the instance"
t_err "with --name NEW" "and suggests --name"
hv vm adopt "$u_lead" --host xen1
t_status 1 "a name starting with '-' is refused"
t_err "--name NEW" "with the hint"
hv vm adopt "$u_latin" --host xen1
t_status 1 "a name that is not UTF-8 is refused"
t_err 'caf\\xe9' "shown with a visible escape"
t_eq "$(events)" "$n0" "failed adopts leave no audit event"
t_eq "$(facts)" "$before" "and change no record"

hv vm adopt 'my vm' --host xen1 --name my-vm
t_status 0 "--name adopts it under a valid name"
hv vm show my-vm -o json
t_eq "$(printf '%s' "$out" | jq -r .host)" "xen1" "recorded on xen1"
t_eq "$(printf '%s' "$out" | jq -r .uuid)" "$(uuid_of 'my vm')" "matched by its uuid"
hv vm adopt "$u_lead" --host xen1 --name lead
t_status 0 "--name for the '-' name"
hv vm adopt good1 --host xen1
t_status 0 "a valid name is taken as it is"
t_eq "$(events)" "$((n0 + 3))" "one audit event per adopt"
hv audit list -o json
t_eq "$(printf '%s' "$out" | jq -r '.[-1].result')" "adopted good1 from xen1 (id $(hv vm show good1 -o json; printf '%s' "$out" | jq -r .id))" \
    "the event says what was adopted"
hv vm adopt good1 --host xen1
t_status 1 "adopting twice is refused"
t_eq "$(events)" "$((n0 + 3))" "and leaves no event"
hv host sync xen1 -o json
t_eq "$(printf '%s' "$out" | jq -r '[.[] | select(.drift == "present")] | length')" "3" "the three are present"
hv store check
t_status 0 "store consistent"

echo "1..$_n"
