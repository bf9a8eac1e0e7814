# Roles: while no user is recorded the store's owner is admin; afterwards
# each command needs its role, refusals are audited, and the last admin
# cannot be removed or demoted.
. "$(dirname "$0")/lib.sh"
me=$(id -un)

hv host add a --address 10.0.0.1 --driver kvm --no-check
t_status 0 "with no users recorded, the owner is admin"

# Someone else as the only admin locks out an unregistered user.
hv --home "$T/other" user add someone-else --role admin
t_status 0 "first user added as admin"
hv --home "$T/other" host list
t_status 1 "an unregistered user is refused"
t_err "user $me is not registered" "and told why"

hv user add "$me" --role admin
hv user add ops --role operator
hv user add "$me" --role viewer
t_status 1 "a user name is unique"
hv user list --no-header --columns name,role
t_eq "$(printf '%s' "$out" | tr -s ' ')" "$(printf '%s\n' "$me admin" "ops operator" | sort)" "users listed"
hv user set "$me" --role viewer
t_status 1 "the last admin cannot be demoted"
t_err "no admin" "and the reason says so"
hv user remove "$me"
t_status 1 "the last admin cannot be removed"
hv user set ops --role admin
t_status 0 "a second admin"
hv user set "$me" --role operator
t_status 0 "now the first may step down"

hv host add b --address 10.0.0.2 --driver kvm --no-check
t_status 1 "an operator may not add hosts"
t_err "denied: needs role admin; user $me is operator" "the refusal names both roles"
hv host list --no-header --columns name
t_status 0 "an operator may list"
t_eq "$out" "a" "and the refused host is not there"
hv audit list --limit 1 -o json
t_eq "$(printf '%s' "$out" | jq -r '.[0].status')" "3" "the refusal is audited with status 3"
t_eq "$(printf '%s' "$out" | jq -r '.[0].command')" "host add b --address 10.0.0.2 --driver kvm --no-check" \
    "with the refused command line"
hv user add x --role viewer
t_status 1 "an operator may not add users"
hv store dump
t_status 1 "an operator may not dump the store"
