# refresh.sh: a KVM refresh at the transport's speed, on the real libvirt:
# one virsh process per refresh, no per-domain detail for domains hvsh
# already knows, the detail only where a match needs it, the wait after a
# stop asking only about the guest stopped, and hvsh's view agreeing with
# virsh's own for every domain.
. "$(dirname "$0")/lib.sh"
lab_use
export HVSH_CONNECT_TIMEOUT_MS=5000 HVSH_COMMAND_TIMEOUT_MS=30000
lab_up --kvm 1
lab_add_hosts kvm1
for g in g1 g2 g3 g4 g5; do "$LAB" kvm-guest kvm1 "$g" >/dev/null; done

# A virsh in front of the real one that logs each run's arguments.
LOG=$HVSH_LAB_DIR/home/kvm1/virsh-runs.log
cat >"$HVSH_LAB_DIR/simbin/kvm1/virsh" <<WRAP
#!/bin/sh
printf '%s\n' "\$*" >>"$LOG"
exec /usr/bin/virsh "\$@"
WRAP
chmod 755 "$HVSH_LAB_DIR/simbin/kvm1/virsh"
runs() { [ -f "$LOG" ] && wc -l <"$LOG" || echo 0; }
fresh() { rm -f "$LOG"; }

for g in g1 g2; do
	hv vm adopt "$g" --host kvm1
	t_status 0 "adopt $g"
done

fresh
hv vm list --refresh -o json
t_status 0 "vm list --refresh"
t_eq "$(runs)" 1 "one refresh is one virsh process"
t_true "no domain's detail asked for (all recorded by uuid)" \
    sh -c "! grep -Eq 'dumpxml|metadata' '$LOG'"
t_eq "$(printf '%s' "$out" | jq -r '[.[] | select(.name == "g1" or .name == "g2") | .state] | join(",")')" \
    "stopped,stopped" "both recorded guests read as stopped"

# Domains hvsh does not record change nothing: still one process.
"$LAB" kvm-guest kvm1 g6 >/dev/null
fresh
hv vm list --refresh
t_eq "$(runs)" 1 "a new unrecorded domain: still one virsh process"

# A recorded domain redefined with a new uuid (its XML, hvsh's id in it,
# kept): only then is the detail asked, of the domains no record has.
"$LAB" ssh kvm1 'virsh dumpxml g1 | sed "/<uuid>/d" >g1.xml && virsh undefine g1 >/dev/null && virsh define g1.xml >/dev/null'
newu=$("$LAB" ssh kvm1 virsh domuuid g1 | head -1)
fresh
hv vm list --refresh -o json
t_status 0 "refresh after g1 was redefined"
t_eq "$(runs)" 2 "a record not matched by uuid: one detail process more"
t_true "the detail asks only about domains no record has" \
    sh -c "grep metadata '$LOG' | grep -q '$newu' && ! grep metadata '$LOG' | grep -q \"\$(\"$HVSH\" vm show g2 -o json | jq -r .uuid)\""
t_eq "$(printf '%s' "$out" | jq -r '.[] | select(.name == "g1") | .state')" stopped \
    "g1 found again by the id hvsh wrote on it"
hv vm show g1 -o json
t_eq "$(printf '%s' "$out" | jq -r .uuid)" "$newu" "g1's record has its new uuid"
fresh
hv vm list --refresh
t_eq "$(runs)" 1 "next refresh: one process again"

# host sync reads the ids of the unrecorded domains, once per process.
fresh
hv -c 'host sync kvm1; host sync kvm1'
t_status 0 "two host syncs in one process"
t_eq "$(grep -c metadata "$LOG")" 1 "the second sync asks no detail again"
t_true "the detail skips the recorded domains" \
    sh -c "! grep metadata '$LOG' | grep -q '$newu'"

# vm stop of one guest: while waiting, only that guest is asked.
"$LAB" ssh kvm1 'virsh start g1 >/dev/null && virsh start g3 >/dev/null && virsh start g4 >/dev/null'
u1=$newu
fresh
hv vm stop g1 --timeout 3
t_status 1 "a guest without an OS does not stop cleanly in 3 s"
t_err "still not stopped" "and says so"
asked=$(grep -c 'domstate' "$LOG")
t_true "the wait asked the host ($asked times)" test "$asked" -ge 2
t_true "every ask named only g1" \
    sh -c "grep -v '^shutdown ' '$LOG' | grep -v '^list\$' | awk '!/domstate $u1;/ { bad = 1 } END { exit bad }'"
t_true "no whole refresh while waiting" sh -c "! grep -q domstats '$LOG'"
hv vm stop g1 --force
t_status 0 "vm stop --force"

# Forged markers: names and descriptions holding marker text without the
# refresh's nonce are data; no other domain is harmed.
"$LAB" ssh kvm1 'for n in "@@hvsh:0@@" "@@hvsh-0123456789abcdef:3@@" "error: @@hvsh-0:1@@"; do
	printf "<domain type=\"qemu\"><name>%s</name><description>\n@@hvsh:0@@\n@@hvsh-0123456789abcdef:4@@\nerror: x\n</description><memory>32768</memory><os><type>hvm</type></os></domain>" "$n" >f.xml
	virsh define f.xml >/dev/null || exit 1
done'
t_true "forged names defined" test $? -eq 0
hv host sync kvm1 -o json
t_status 0 "host sync with forged names"
for n in '@@hvsh:0@@' '@@hvsh-0123456789abcdef:3@@' 'error: @@hvsh-0:1@@'; do
	t_eq "$(printf '%s' "$out" | jq -r --arg n "$n" '[.[] | select(.vm == $n)] | length')" 1 	    "domain '$n' read as one domain of that name"
done
hv vm list --refresh -o json
t_eq "$(printf '%s' "$out" | jq -r '[.[] | select(.name == "g1" or .name == "g2") | .state] | join(",")')"     "stopped,stopped" "recorded guests unharmed by them"

# hvsh's view agrees with virsh's own, domain by domain.
"$LAB" ssh kvm1 'virsh suspend g4 >/dev/null'
hv host sync kvm1 -o json
t_status 0 "host sync for the comparison"
mine=$(printf '%s' "$out" | jq -r '.[] | "\(.uuid) \(.state)"' | sort)
theirs=$("$LAB" ssh kvm1 'for u in $(virsh list --all --uuid); do printf "%s %s\n" "$u" "$(virsh domstate "$u" | head -1)"; done' |
    sed -e 's/ running$/ running/' -e 's/ shut off$/ stopped/' -e 's/ paused$/ paused/' | sort)
t_eq "$mine" "$theirs" "every domain's uuid and state as virsh says"
n_mine=$(printf '%s\n' "$mine" | grep -c .)
t_eq "$n_mine" 9 "all nine domains seen"
"$LAB" ssh kvm1 'virsh destroy g3 >/dev/null; virsh destroy g4 >/dev/null' 
echo "1..$_n"
