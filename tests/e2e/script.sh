# Scripted mode: -c, -f, commands on standard input, exit statuses, and the
# line numbers errors carry.
. "$(dirname "$0")/lib.sh"

hv -c 'host add a --address 10.0.0.1 --driver kvm --no-check; host list --no-header --columns name'
t_status 0 "-c runs commands separated by ;"
t_out '^a$' "-c output"

cat >"$T/setup.hvsh" <<'S'
# a comment line
host add b --address 10.0.0.2 --driver kvm --no-check   # trailing comment
host add 'c' --address "10.0.0.3" --driver xen \
    --no-check

host list --no-header --columns name
S
hv -f "$T/setup.hvsh"
t_status 0 "-f with comments, quotes and continuation"
t_eq "$out" "$(printf 'host b added\nhost c added\na\nb\nc')" "-f output in order"

printf 'host add d --address 10.0.0.4 --driver kvm --no-check\nhost add d --address 10.0.0.4 --driver kvm --no-check\nhost add e --address 10.0.0.5 --driver kvm --no-check\n' >"$T/dup.hvsh"
hv -f "$T/dup.hvsh"
t_status 1 "-f stops with status 1 at a failing command"
t_err "^hvsh: $T/dup.hvsh:2: host add: host 'd' already exists" "the error names file and line"
hv host show e
t_status 1 "commands after the failure did not run"

printf 'host list --bogus\n' >"$T/usage.hvsh"
hv -f "$T/usage.hvsh"
t_status 2 "usage error in a script exits 2"

printf "host add 'unterminated\n" >"$T/quote.hvsh"
hv -f "$T/quote.hvsh"
t_status 2 "unterminated quote exits 2"
t_err "line 1" "and names the line"

hv -f "$T/nosuch.hvsh"
t_status 1 "missing script exits 1"
t_err "nosuch.hvsh" "and names it"

hv_in 'host list --no-header --columns name --filter name=b' 
t_status 0 "commands on standard input"
t_eq "$out" "b" "stdin output"

hv_in $'host show nosuch\n'
t_status 1 "stdin stops with the failing status"
t_err "^hvsh: stdin:1: host show: host 'nosuch' not found" "stdin errors name the line"

hv -c 'host list $(touch '"$T"'/canary); host list `touch '"$T"'/canary`'
t_true "no command substitution in -c" test ! -e "$T/canary"
hv_in '!touch '"$T"'/canary'
t_status 2 "'!' is no shell escape"
t_true "nothing ran" test ! -e "$T/canary"

# Destructive commands need --yes where no one can be asked.
hv -c 'pool add pz --role primary --type dir --path /srv --host b'
before=$(store_dump)
hv host remove a
t_status 2 "host remove without --yes from a script exits 2"
t_err "refusing to host remove without --yes in a script" "and says why"
hv -c 'host remove a'
t_status 2 "the same in -c"
hv_in 'pool remove pz'
t_status 2 "the same on standard input"
printf 'host remove a\nhost add never --address 10.0.0.8 --driver kvm --no-check\n' >"$T/rm.hvsh"
hv -f "$T/rm.hvsh"
t_status 2 "the same in -f, which stops there"
t_eq "$(store_dump)" "$before" "the store is unchanged"
hv host remove a --yes
t_status 0 "with --yes it is removed"
hv -c 'pool rm pz -y'
t_status 0 "-y is --yes"
hv host show a
t_status 1 "the host is gone"

hv -q host add q --address 10.0.0.9 --driver kvm --no-check
t_eq "$out" "" "-q silences confirmations"
hv --bogus
t_status 2 "unknown global option exits 2"
