# List options every list takes: -o table|json|csv, --columns, --no-header,
# --filter, and tables that fit the terminal.
. "$(dirname "$0")/lib.sh"

hv -c 'host add a1 --address 10.0.0.1 --driver kvm --no-check --tag env=prod;
       host add b2 --address 10.0.0.2 --driver xen --no-check --tag env=dev;
       host add c3 --address 10.0.0.3 --driver vmware --port 2200 --no-check'
t_status 0 "three hosts added in one -c"

hv host list -o json
t_status 0 "json list"
t_eq "$(printf '%s' "$out" | jq -r 'map(.name) | join(",")')" "a1,b2,c3" "json is one array in name order"
hv host list -o json --columns name,port
t_eq "$(printf '%s' "$out" | jq -c '.[2]')" '{"name":"c3","port":2200}' "json numbers are numbers, --columns picks keys"

hv host list -o csv --columns name,driver,tags
t_eq "$(printf '%s' "$out" | tr -d '\r' | head -1)" "name,driver,tags" "csv header"
t_eq "$(printf '%s' "$out" | tr -d '\r' | sed -n 2p)" "a1,kvm,env=prod" "csv row"
t_true "csv lines end in CRLF (RFC 4180)" grep -q $'\r$' "$T/.out"

hv host list --no-header --columns name
t_eq "$out" "$(printf 'a1\nb2\nc3')" "--no-header --columns name gives bare names"

hv host list --columns name,nosuch
t_status 2 "unknown column exits 2"
t_err "unknown column 'nosuch'" "unknown column is named"

hv host list --filter 'driver=kvm or driver=xen' --no-header --columns name
t_eq "$out" "$(printf 'a1\nb2')" "filter with or"
hv host list --filter 'not driver=kvm and port>100' --no-header --columns name
t_eq "$out" "c3" "filter with not, and, numeric >"
hv host list --filter 'name~^[ab]' --no-header --columns name
t_eq "$out" "$(printf 'a1\nb2')" "filter with regex"
hv host list --filter '(driver!=kvm) and tags~prod' --no-header --columns name
t_eq "$out" "" "filter with parentheses matching nothing"
hv host list --filter "driver=''" --no-header
t_status 0 "a quoted empty value is a value"
hv host list --filter 'driver=kvm and'
t_status 2 "dangling and exits 2"
t_err "filter" "bad filter is explained"
hv host list --filter '((('
t_status 2 "unbalanced parentheses exit 2"
hv host list --filter 'name~(['
t_status 2 "bad regex exits 2"
hv host list --filter 'bogus=1'
t_status 2 "filter on unknown column exits 2"

hv host list -o yaml
t_status 2 "unknown output format exits 2"
t_err "table\|wide\|json\|csv" "formats are listed"

# A table fits the width it is given.
hv host add very-long-host-name-number-one-that-is-long --address 10.0.0.4 --driver kvm --no-check --tag note=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
COLUMNS=40 hv host list --columns name,address,driver,tags
t_true "every line fits 40 columns" test "$(LC_ALL=C.UTF-8 wc -L <"$T/.out")" -le 40
COLUMNS=200 hv host list --columns name,address,driver,tags
t_out 'very-long-host-name-number-one-that-is-long' "a wide terminal shows the whole name"
t_true "no trailing spaces" bash -c "! grep -q ' \$' '$T/.out'"

hv host show c3 -o csv --columns name,port
t_eq "$(printf '%s' "$out" | tr -d '\r')" "$(printf 'name,port\nc3,2200')" "show -o csv"

# -l/--wide and -o wide: every column; -o json every column too.
hv host list
t_noout 'PORT' "the default table has no port column"
hv host list -l
t_out '^ID +NAME +CREATED .*PORT' "-l shows every column, port among them"
hv host list --wide --no-header --columns name,port
t_out '^c3 +2200$' "--wide with --columns shows the columns asked for"
COLUMNS=30 hv host list -o wide
t_true "-o wide is not cut to the terminal" test "$(LC_ALL=C.UTF-8 wc -L <"$T/.out")" -gt 30
hv host list -o json
t_eq "$(printf '%s' "$out" | jq -r '.[0] | has("port") and has("created") and has("tags")')" true "json has every column"
hv host list -o csv
t_eq "$(printf '%s' "$out" | tr -d '\r' | head -1)" "name,address,driver,status,cpus,memory,last_seen" "csv keeps the usual columns"

# --sort COLUMN and --sort -COLUMN, on any list, in any format.
hv host list --sort port --no-header --columns name
t_eq "$(printf '%s' "$out" | head -1)" "a1" "--sort port puts the lowest port first"
t_eq "$(printf '%s' "$out" | tail -1)" "c3" "and the highest last"
hv host list --sort -port --no-header --columns name
t_eq "$(printf '%s' "$out" | head -1)" "c3" "--sort -port: descending"
hv host list --sort -name -o json --columns name
t_eq "$(printf '%s' "$out" | jq -r 'map(.name) | join(",")')" "very-long-host-name-number-one-that-is-long,c3,b2,a1" "json sorted by name, descending"
hv user list --sort -name -o csv --no-header
t_status 0 "user list takes --sort too"
hv host list --sort nosuch
t_status 2 "an unknown sort column exits 2"
t_err "unknown column 'nosuch' to sort by" "and is named"

# A mistyped command, verb or option gets a suggestion.
hv hots list
t_status 2 "a mistyped noun exits 2"
t_err "unknown command 'hots' \(did you mean 'host'\?\)" "did you mean 'host'"
hv host lsit
t_err "unknown verb 'lsit' \(did you mean 'list'\?\)" "did you mean 'list'"
hv host list --colums name
t_err "unknown option '--colums' \(did you mean '--columns'\?\)" "did you mean '--columns'"

# Scripts get no colour, whatever the terminal says.
TERM=xterm-256color hv -c 'host list -l'
t_true "no escape sequences in a script's table" bash -c "! grep -q $'\033' '$T/.out'"

echo "1..$_n"
