# The command table end to end: help, version, self-test, the CRUD verbs of
# every noun, exit statuses and error format.
. "$(dirname "$0")/lib.sh"

hv version
t_status 0 "version exits 0"
t_out '^hvsh [0-9]+\.[0-9]+\.[0-9]+ \(store schema 1' "version names release and schema"

hv help
t_status 0 "help exits 0"
t_out 'host add' "help lists host add"
t_out 'audit list' "help lists audit list"
t_noout 'complete' "help leaves out hidden commands"

hv help host add
t_out 'usage: hvsh host add NAME --address ADDR --driver DRIVER \[options\]' \
    "help host add shows the usage line from the table"
t_out 'one of: kvm, xen, vmware, libvirt' "help lists an enum's values"
t_out -- '--no-check' "help host add lists its options"

hv host add --help
t_status 0 "--help exits 0"
t_out 'usage: hvsh host add' "--help shows the command's usage"

hv help host add
want=$out
hv host add --help
t_eq "$out" "$want" "--help is 'help' through the table: the same text"

hv host --help
t_status 0 "NOUN --help exits 0"
t_out 'host remove' "and lists the noun's commands"

hv help vm list
t_out -- '-l, --wide' "every list takes -l/--wide"
t_out -- '--sort \[-\]COLUMN' "and --sort"
t_out 'one of: table, wide, json, csv' "the formats come from the listing's table"

hv vm lis
t_status 2 "a mistyped verb exits 2"
t_err "^hvsh: vm: unknown verb 'lis' \(did you mean 'list'\?\)" "and gets a suggestion"

hv self-test
t_status 0 "self-test finds no problem in the table"

hv frobnicate
t_status 2 "unknown command exits 2"
t_err "^hvsh: unknown command 'frobnicate'" "unknown command is named"

hv host
t_status 2 "noun without verb exits 2"
t_err 'missing verb \(add, check, facts, sync, watch, list, show, set, remove\)' "missing verb lists the verbs"

hv host add kvm1 --address 10.0.0.11 --driver kvm --user root --no-check --tag rack=a1
t_status 0 "host add --no-check"
t_out 'host kvm1 added' "host add confirms"

hv host add kvm1 --address 10.0.0.12 --driver kvm --no-check
t_status 1 "duplicate host name exits 1"
t_err "^hvsh: host add: host 'kvm1' already exists" "duplicate is reported with the command"

hv host add kvm2 --address 127.0.0.1 --port 1 --driver kvm
t_status 1 "host add contacts the host first (loopback port 1 refuses)"
t_err "127\.0\.0\.1" "the failure names the address"
hv host show kvm2
t_status 1 "an unreachable new host is not recorded"

hv host add xen1 --address 10.0.0.21 --driver xen --port 2222 --no-check
hv host list
t_status 0 "host list"
t_out '^NAME +ADDRESS +DRIVER +STATUS' "host list has a header"
t_out 'kvm1 +10\.0\.0\.11 +kvm +unchecked' "kvm1 is listed unchecked"
t_out 'xen1 +10\.0\.0\.21 +xen' "xen1 is listed"

hv host show xen1
t_out '^id: +[0-9]+' "show has the id"
t_out 'port: +2222' "show has the port"
t_out 'user: +root' "user defaults to root"

hv host show nosuch
t_status 1 "show of a missing host exits 1"
t_err "host 'nosuch' not found" "missing host is named"

hv host set kvm1 --address 10.0.0.99 --tag rack=b2 --tag row=3
t_status 0 "host set"
hv host show kvm1 -o json
t_eq "$(printf '%s' "$out" | jq -r .address)" "10.0.0.99" "set changed the address"
t_eq "$(printf '%s' "$out" | jq -r .tags)" "rack=b2,row=3" "tags are replaced and sorted"

hv host set kvm1 --untag rack --rename kvm-a
t_status 0 "host set --untag --rename"
hv host show kvm-a -o json
t_eq "$(printf '%s' "$out" | jq -r .tags)" "row=3" "untag removed one tag"
hv host show kvm1
t_status 1 "old name is gone after rename"

hv pool add prim1 --role primary --type dir --path /srv/prim1 --host kvm-a --capacity 100G
t_status 0 "pool add"
hv pool list -o json
t_eq "$(printf '%s' "$out" | jq -r '.[0].host')" "kvm-a" "pool shows its host by name"
t_eq "$(printf '%s' "$out" | jq -r '.[0].capacity')" "107374182400" "capacity is bytes in JSON"
hv pool add bad --role primary --type dir --path /x --host nosuch
t_status 1 "pool on a missing host is refused"
t_err "host 'nosuch' not found" "the missing host is named"

hv host remove kvm-a --yes
t_status 1 "a host a pool refers to is not removed"
t_err "used by 1 pool" "the reason names the pool"
hv host remove kvm-a --force --yes
t_status 0 "host remove --force"
hv pool show prim1 -o json
t_eq "$(printf '%s' "$out" | jq -r .host)" "null" "the pool forgot the removed host"

hv user add root --role viewer
t_status 1 "the first user must be an admin"
hv user list -o json
t_eq "$(printf '%s' "$out" | jq length)" "0" "no user was added"

hv audit list -o json
t_status 0 "audit list"
t_eq "$(printf '%s' "$out" | jq -r '.[0].command')" \
    "host add kvm1 --address 10.0.0.11 --driver kvm --user root --no-check --tag rack=a1" \
    "audit has the first command line"
t_eq "$(printf '%s' "$out" | jq -r '.[0].user')" "$(id -un)" "audit has the Unix user"
t_eq "$(printf '%s' "$out" | jq -r '[.[] | select(.status != 0)] | length')" "0" \
    "failed commands change nothing, so they leave no event"
t_eq "$(printf '%s' "$out" | jq length)" "6" "one event per change"
hv audit list --limit 2 -o json
t_eq "$(printf '%s' "$out" | jq -r '.[1].command')" "host remove kvm-a --force --yes" \
    "--limit keeps the newest, oldest first"

hv store check
t_status 0 "store check passes"
t_true "store directory is mode 700" test "$(stat -c %a "$HVSH_HOME")" = 700
