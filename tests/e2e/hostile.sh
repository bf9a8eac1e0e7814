# Bad input of every kind gets a clear error, exit 1 or 2, and leaves the
# store exactly as it was.
. "$(dirname "$0")/lib.sh"

hv host add good --address 10.0.0.1 --driver kvm --no-check
before=$(store_dump)
canary=$T/canary

long=$(head -c 10240 /dev/zero | tr '\0' a)
names=(
	"bad name" "a;touch $canary" 'a$(touch '"$canary"')' 'a`touch '"$canary"'`'
	"a|b" "a&b" "a>b" "a/b" "../x" ".hidden" "-rf" "--no-check" "a'b" 'a"b'
	$'a\nb' $'a\tb' $'\e[31mred' $'\e]0;title\a' $'a\x7fb' "é" "$long" ""
)
for n in "${names[@]}"; do
	hv host add "$n" --address 10.0.0.2 --driver kvm --no-check
	label=$(printf '%q' "$n" | cut -c1-30)
	if [ "$status" -eq 1 ] || [ "$status" -eq 2 ]; then
		_ok "hostile name $label refused with status $status"
	else
		_nok "hostile name $label refused (status $status)"
	fi
	if printf '%s' "$err" | grep -q $'\e'; then
		_nok "error for $label carries no raw escape"
	fi
done
t_true "no hostile name ran anything" test ! -e "$canary"

hv host add ok2 --address 'x;touch '"$canary" --driver kvm --no-check
t_status 2 "address with ';' refused"
hv host add ok2 --address -oProxyCommand=x --driver kvm --no-check
t_status 2 "address with leading '-' refused"
hv host add ok2 --address 10.0.0.3 --driver hyperv --no-check
t_status 2 "unknown driver refused"
t_err "not one of kvm\|xen\|vmware\|libvirt" "driver choices are listed"
hv host add ok2 --address 10.0.0.3 --driver kvm --port 70000 --no-check
t_status 2 "port out of range refused"
hv host add ok2 --address 10.0.0.3 --driver kvm --port abc --no-check
t_status 2 "port not a number refused"
hv host add ok2 --driver kvm --no-check
t_status 2 "missing --address exits 2"
t_err "missing --address" "missing option is named"
t_err "usage: hvsh host add" "usage is shown"
hv host add
t_status 2 "missing name exits 2"
hv host add ok2 --address 10.0.0.3 --driver kvm --no-check --bogus
t_status 2 "unknown option exits 2"
t_err "unknown option '--bogus'" "unknown option is named"
hv host add ok2 --address 10.0.0.3 --driver kvm --no-check extra
t_status 2 "extra argument exits 2"
hv host add ok2 --address 10.0.0.3 --address 10.0.0.4 --driver kvm --no-check
t_status 2 "an option given twice exits 2"
hv host add ok2 --address 10.0.0.3 --driver kvm --no-check --tag $'k=v\e[2J'
t_status 2 "tag with an escape refused"
t_true "the escape is not echoed raw" bash -c "! grep -q $'\e' '$T/.err'"
hv host add ok2 --address 10.0.0.3 --driver kvm --no-check --tag 'k=a,b'
t_status 2 "tag value with ',' refused"
hv host add ok2 --address 10.0.0.3 --driver kvm --no-check --tag 'noequals'
t_status 2 "tag without '=' refused"
hv $'\e[31mhost' list
t_status 2 "escape in a command word refused"
t_true "the escape is not echoed raw" bash -c "! grep -q $'\e' '$T/.err'"
hv host list --filter "$long"
t_status 2 "10 kB filter refused"
hv host list --filter "$(printf '(%.0s' $(seq 1 200))name=a$(printf ')%.0s' $(seq 1 200))"
t_status 2 "deeply nested filter refused"
hv host show "$long"
t_status 2 "10 kB name to show refused"

t_eq "$(store_dump)" "$before" "the store is unchanged after all of the above"
