# Snapshots end to end: bad input refused before any host is asked, with
# the store unchanged; a driver without snapshot calls worded by dispatch;
# --dry-run showing the exact line and changing nothing; then on the lab
# create, list, revert and remove on KVM, Xen and VMware hosts, each
# checked on the host itself.
. "$(dirname "$0")/lib.sh"
lab_use
export HVSH_CONNECT_TIMEOUT_MS=3000 HVSH_COMMAND_TIMEOUT_MS=30000
jq_of() { printf '%s' "$out" | jq -r "$1"; }
# What the transport puts before every remote command (C locale, a bound
# on the host: the command timeout, 30 s, plus 5).
RUN="'env' 'LC_ALL=C' 'timeout' '-k' '5' '35'"

# --- before any host

hv host add lv1 --address test:///default --driver libvirt
hv vm create w1 --host lv1 --cpus 1 --memory 32M
t_status 0 "an instance on a libvirt host (no snapshot calls)"

before=$(store_dump)
for w in 'x;touch /tmp/hvsh-canary' '$(id)' '-x' 'a b' "a'b"; do
	hv snapshot create w1 "$w"
	t_status 2 "snapshot create refuses the name '$w'"
done
hv snapshot create w1 s1 --description "$(printf 'two\nlines')"
t_status 2 "a description with a newline is refused"
hv snapshot create nosuch s1
t_status 1 "an unknown instance"
t_err "vm 'nosuch' not found" "is named"
hv snapshot create w1
t_status 2 "a snapshot needs a name"
for v in show revert remove; do
	yes=--yes; [ $v = show ] && yes=
	hv snapshot $v w1 nosuch $yes
	t_status 1 "snapshot $v of an unknown snapshot"
	t_err "instance 'w1' has no snapshot 'nosuch'" "says so"
	hv snapshot $v nosuch s1 $yes
	t_status 1 "snapshot $v of an unknown instance"
done
hv snapshot list nosuch
t_status 1 "snapshot list of an unknown instance"
hv snapshot create w1 s1
t_status 1 "a libvirt host cannot take snapshots"
t_err '^hvsh: snapshot create: lv1: taking snapshots is not supported by libvirt$' \
    "dispatch says which driver lacks what"
hv snapshot create w1 s1 --dry-run
t_status 1 "its dry run fails the same"
t_eq "$out" "" "showing no line"
t_eq "$(store_dump)" "$before" "the store is unchanged by all of this"

# --- on the lab

lab_up --kvm 1 --xen 1 --vmware 1
onhost() { "$LAB" ssh "$@" 2>&1; }

lab_add_hosts kvm1 xen1 vmw1
hv vm create web1 --host kvm1 --cpus 1 --memory 32M --disk 64M
t_status 0 "an instance on kvm1"
hv vm create db1 --host xen1 --cpus 1 --memory 128M
t_status 0 "an instance on xen1"
hv vm create app1 --host vmw1 --cpus 1 --memory 128M --disk 64M
t_status 0 "an instance on vmw1"
hv vm show web1 -o json
wuuid=$(jq_of .uuid)

# KVM.
before=$(store_dump)
hv snapshot create web1 s1 --description "before the upgrade" --dry-run
t_status 0 "snapshot create --dry-run"
t_eq "$out" "kvm1: $RUN 'virsh' 'snapshot-create-as' '$wuuid' 's1' '--description' 'before the upgrade'" \
    "the exact line"
t_eq "$(store_dump)" "$before" "a dry run changes nothing"
t_true "and takes no snapshot" test -z "$(onhost kvm1 virsh snapshot-list web1 --name)"

hv snapshot create web1 s1 --description "before the upgrade"
t_status 0 "snapshot create on kvm1"
t_true "virsh snapshot-list shows it" grep -qx s1 <<<"$(onhost kvm1 virsh snapshot-list web1 --name)"
hv snapshot show web1 s1 -o json
t_eq "$(jq_of '[.vm, .state, .description, .memory] | join(",")')" \
    "web1,stopped,before the upgrade,no" "recorded: instance, its state, description, no memory"
hv audit list --no-header --columns result
t_out '^snapshot vm web1 as s1 on kvm1: ok$' "audited with dispatch's outcome"
before=$(store_dump)
hv snapshot create web1 s1
t_status 1 "a taken name on the same instance is refused"
t_err "instance 'web1' already has a snapshot 's1'" "and why"
t_eq "$(store_dump)" "$before" "before any host"

# Revert: web1 runs, goes back to the stopped snapshot; its host says so.
hv vm start web1
t_status 0 "web1 started"
hv snapshot revert web1 s1 --dry-run
t_eq "$out" "kvm1: $RUN 'virsh' 'snapshot-revert' '$wuuid' 's1'" "snapshot revert --dry-run: the exact line"
hv vm show web1 -o json
t_eq "$(jq_of .state)" running "and web1 still runs"
hv snapshot revert web1 s1 --yes
t_status 0 "snapshot revert on kvm1"
t_true "the domain is off on kvm1" grep -q 'shut off' <<<"$(onhost kvm1 virsh domstate web1)"
hv vm show web1 -o json
t_eq "$(jq_of .state)" stopped "the record says what the host says"
hv audit list --no-header --columns result
t_out '^revert vm web1 to snapshot s1 on kvm1: ok$' "the revert is audited"

hv snapshot create web1 s2 --memory
t_status 0 "a second snapshot, --memory of a stopped instance"
hv snapshot show web1 s2 -o json
t_eq "$(jq_of .memory)" no "a stopped instance has no memory to save"
hv snapshot list web1 --no-header --columns name
t_eq "$(printf '%s' "$out" | paste -sd,)" "s1,s2" "snapshot list web1"

before=$(store_dump)
hv snapshot remove web1 s1
t_status 2 "snapshot remove in a script needs --yes"
hv snapshot revert web1 s1
t_status 2 "snapshot revert in a script needs --yes"
t_eq "$(store_dump)" "$before" "neither changed the store"
t_true "s1 is still on kvm1" grep -qx s1 <<<"$(onhost kvm1 virsh snapshot-list web1 --name)"
hv snapshot remove web1 s1 --dry-run
t_eq "$out" "kvm1: $RUN 'virsh' 'snapshot-delete' '$wuuid' 's1'" "snapshot remove --dry-run: the exact line"
hv snapshot remove web1 s1 --yes
t_status 0 "snapshot remove on kvm1"
t_true "virsh snapshot-list no longer shows it" test -z "$(onhost kvm1 virsh snapshot-list web1 --name | grep -x s1)"
hv snapshot show web1 s1
t_status 1 "and it is forgotten"
hv audit list --no-header --columns result
t_out '^remove a snapshot of vm web1 \(s1\) on kvm1: ok$' "the remove is audited"

# Xen: the snapshot's uuid is its ref.
hv snapshot create db1 s1 --description "xen one"
t_status 0 "snapshot create on xen1 (a name used by another instance)"
hv snapshot show db1 s1 -o json
xref=$(jq_of .ref)
t_true "the xe snapshot uuid is recorded" grep -Eq '^[0-9a-f-]{36}$' <<<"$xref"
t_true "xe snapshot-list knows it" grep -q "$xref" <<<"$(onhost xen1 xe snapshot-list uuid="$xref")"
hv snapshot list --no-header --columns vm,name
t_eq "$(printf '%s' "$out" | tr -s ' ' | sort | paste -sd,)" "db1 s1,web1 s2" "snapshot list: every instance's"
hv vm start db1
hv snapshot revert db1 s1 --yes
t_status 0 "snapshot revert on xen1"
hv vm show db1 -o json
t_eq "$(jq_of .state)" "$(onhost xen1 xe vm-param-get uuid="$(jq_of .uuid)" param-name=power-state | sed 's/halted/stopped/')" \
    "the record says what xen1 says"
hv snapshot remove db1 s1 --yes
t_status 0 "snapshot remove on xen1"
t_true "xe snapshot-list no longer knows it" test -z "$(onhost xen1 xe snapshot-list uuid="$xref" | grep "$xref")"

# VMware.
hv snapshot create app1 s1
t_status 0 "snapshot create on vmw1"
vmx=$HVSH_LAB_DIR/home/vmw1/hvsh-vms/app1/app1.vmx
snaps() { onhost vmw1 vmrun -T ws listSnapshots "$vmx"; }
t_true "vmrun listSnapshots shows it" grep -qx s1 <<<"$(snaps)"
hv snapshot revert app1 s1 --yes
t_status 0 "snapshot revert on vmw1"
hv snapshot remove app1 s1 --yes
t_status 0 "snapshot remove on vmw1"
t_true "vmrun listSnapshots no longer shows it" test -z "$(snaps | grep -x s1)"

hv snapshot list --no-header --columns vm,name
t_eq "$(printf '%s' "$out" | tr -s ' ')" "web1 s2" "only web1's s2 is left"
