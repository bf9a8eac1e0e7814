# Completion from the command table and the store, through 'hvsh complete'
# and through the bash completion script.
. "$(dirname "$0")/lib.sh"

hv -c 'host add kvm1 --address 10.0.0.1 --driver kvm --no-check;
       host add kvm2 --address 10.0.0.2 --driver kvm --no-check;
       host add xen1 --address 10.0.0.3 --driver xen --no-check'

hv complete -- ho
t_eq "$out" "host" "noun"
hv complete -- host ''
t_eq "$(printf '%s' "$out" | paste -sd' ')" "add check facts sync watch list show set remove" "verbs of a noun"
hv complete -- host show kv
t_eq "$(printf '%s' "$out" | paste -sd' ')" "kvm1 kvm2" "names from the store"
hv complete -- host add new --driver ''
t_eq "$(printf '%s' "$out" | paste -sd' ')" "kvm xen vmware libvirt" "enum values"
hv complete -- host list --co
t_eq "$out" "--columns" "option names"
hv complete -- host list --columns name,dr
t_eq "$out" "name,driver" "columns after a comma"
hv complete -- host add ''
t_eq "$out" "" "a new name is not completed from the store"
hv complete -- help ho
t_eq "$out" "host" "help completes commands"
hv complete -- ''
t_out '^audit$' "empty word offers every noun"
t_noout '^complete$' "but not hidden commands"

mkdir -p "$T/bin" && ln -s "$HVSH" "$T/bin/hvsh"
got=$(PATH="$T/bin:$PATH" bash -c '
	source "$1"
	COMP_WORDS=(hvsh host show x); COMP_CWORD=3; _hvsh
	printf "%s " "${COMPREPLY[@]}"' sh "$HVSH_SRC/contrib/hvsh.bash-completion")
t_eq "$got" "xen1 " "bash completion script completes names"

# Completion runs the command parser on the words, so it agrees with it.
hv complete -- host add new --address --driver ''
t_eq "$out" "" "an option's value that looks like an option is a value"
hv complete -- host add -- --driver ''
t_eq "$out" "" "after -- there are no options"
hv complete -- host show -- k
t_eq "$(printf '%s' "$out" | paste -sd' ')" "kvm1 kvm2" "after -- names still complete"
hv complete -- host add new --driver=k
t_eq "$out" "--driver=kvm" "--option=value completes the value"
hv complete -- host list -o json -
t_noout '^--output$' "an option given once is not offered again"
hv complete -- ui view ''
t_eq "$(printf '%s' "$out" | paste -sd' ')" "hosts instances images pools volumes snapshots events next prev" "ui commands complete like the others"
hv complete -- keys --
t_out '^--keymap$' "keys' options complete"

got=$(PATH="$T/bin:$PATH" bash -c '
	source "$1"
	COMP_WORDS=(hvsh host add new --driver = k); COMP_CWORD=6; _hvsh
	printf "%s " "${COMPREPLY[@]}"' sh "$HVSH_SRC/contrib/hvsh.bash-completion")
t_eq "$got" "kvm " "bash completion completes --driver=VALUE split at ="
got=$(PATH="$T/bin:$PATH" bash -c '
	source "$1"
	COMP_WORDS=(hvsh --home "$HVSH_HOME" host add -- --driver ""); COMP_CWORD=7; _hvsh
	printf "%s " "${COMPREPLY[@]}"' sh "$HVSH_SRC/contrib/hvsh.bash-completion")
t_eq "$got" " " "bash completion agrees with the parser after --"
