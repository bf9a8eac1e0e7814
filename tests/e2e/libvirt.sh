# The libvirt driver (src/drv-libvirt.c) end to end: hosts reached through
# libvirt's C API at a URI instead of over SSH, with host add/check, the
# lifecycle verbs, --dry-run listing API calls, and host watch.
#
# libvirt's test driver (test:///default) needs no daemon, but it lives in
# the process that opens it: each hvsh starts with its one domain "test"
# running, and what a command did is gone for the next. So what spans
# commands runs in one 'hvsh -c' script. What needs two processes at once
# (host watch while vm start runs) uses real libvirt and QEMU: the session
# libvirtd of a lab KVM host, reached through its socket.
. "$(dirname "$0")/lib.sh"
LAB=$HVSH_SRC/tests/lab/lab
export HVSH_LAB_DIR=$T/lab
chmod 711 "$T"	# as root, the lab's users must reach their homes in $T
trap '"$LAB" down >/dev/null 2>&1; kill $wpid 2>/dev/null; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
wpid=
UUID='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
jq_of() { printf '%s' "$out" | jq -r "$1"; }

# --- a host at a URI

hv host add lv1 --address test:///default --driver libvirt
t_status 0 "host add of a libvirt URI (no SSH, no key to confirm)"
hv host show lv1 -o json
t_eq "$(jq_of '.status + " " + (.cpus|tostring) + " " + .address')" \
    "ok 16 test:///default" "the host is ok, with the test node's 16 CPUs"
t_true "its version is the driver's and libvirt's" \
    grep -Eq '^TEST 0\.0\.2 \(libvirt [0-9]+\.[0-9]+\.[0-9]+\)$' \
    <<<"$(jq_of .hv_version)"
t_eq "$(jq_of '[.port, .user, .key] | map(tostring) | join(" ")')" \
    "null null null" "no SSH port, user or key is recorded"
hv host check lv1 -o json
t_status 0 "host check lv1"
t_eq "$(jq_of '.[0].status + " " + (.[0].vms|tostring)')" "ok 1" \
    "host check finds the test driver's one domain"
hv host check lv1 --accept-key SHA256:AAAA
t_status 2 "--accept-key is refused for a libvirt host"

# The address is a strict URI, and nothing in it may run a program here.
before=$(store_dump)
hv host add bad --address 'qemu+ext:///system?command=/bin/sh' --driver libvirt
t_status 2 "the ext transport is refused"
t_err 'ext transport runs a program on the bastion' "and why"
hv host add bad --address 'qemu+ssh://h/system?Command=/bin/sh' --driver libvirt
t_status 2 "a command parameter (any case) is refused"
hv host add bad --address 'qemu+ssh://h/system?no_tty=1&comm%61nd=x' --driver libvirt
t_status 2 "an escaped parameter name is refused"
hv host add bad --address 'qemu:///sys tem' --driver libvirt
t_status 2 "a space is refused"
hv host add bad --address "qemu:///sys'tem" --driver libvirt
t_status 2 "a quote is refused"
hv host add bad --address '-qemu:///system' --driver libvirt
t_status 2 "a leading '-' is refused"
hv host add bad --address 'qemu//system' --driver libvirt
t_status 2 "no :// is refused"
hv host add bad --address test:///default --driver kvm --no-check
t_status 2 "a kvm host's address is no URI"
hv host add bad --address test:///default --driver libvirt --key /etc/hostname
t_status 2 "--key does not apply to a libvirt host"
hv host add bad --address 'nosuch:///x' --driver libvirt
t_status 1 "a URI no driver answers fails"
t_err 'bad: cannot connect to nosuch:///x' "naming the URI"
hv host set lv1 --address 'qemu:///sys tem'
t_status 2 "host set checks the URI too"
t_eq "$(store_dump)" "$before" "nothing refused was recorded"

# --- the lifecycle on the test driver

hv vm create web1 --host lv1 --cpus 1 --memory 32M
t_status 0 "vm create on the test driver"
hv vm show web1 -o json
t_eq "$(jq_of '.state + " " + .host')" "stopped lv1" "web1 is recorded stopped"
t_true "with the domain's uuid" grep -Eq "^$UUID\$" <<<"$(jq_of .uuid)"

before=$(store_dump)
hv vm start --dry-run web1
t_status 0 "vm start --dry-run"
t_eq "$out" "lv1: virDomainCreate(web1)" "prints the API call it would make"
hv vm stop --force --dry-run web1
t_eq "$out" "lv1: virDomainDestroy(web1)" "stop --force is virDomainDestroy"
hv vm destroy --dry-run web1
t_eq "$out" "lv1: virDomainDestroy(web1) unless it is shut off
lv1: virDomainUndefineFlags(web1, MANAGED_SAVE|SNAPSHOTS_METADATA|NVRAM)
lv1: virStorageVolDelete() of each disk of web1 in pool hvsh" \
    "destroy lists its three calls"
hv vm create web2 --host lv1 --cpus 1 --memory 32M --dry-run
t_out '^lv1: virDomainDefineXML\(<domain type="qemu"><name>web2</name><memory unit="KiB">32768</memory>' \
    "create --dry-run shows the XML it would define"
t_eq "$(store_dump)" "$before" "dry runs change nothing"

# A new process has a fresh test driver: web1 is not there any more.
hv vm start web1
t_status 1 "vm start of a domain the host does not have fails"
t_err 'lv1: virDomainLookupByUUIDString\([0-9a-f-]+\): Domain not found' \
    "with libvirt's reason"
hv vm list --refresh -o json
t_eq "$(jq_of '.[] | select(.name == "web1") | .state')" "unknown" \
    "a refresh marks it unknown"

# One process: every verb, each followed by the state recorded.
st='vm list --no-header --columns name,state --filter name=web3'
hv -c "vm create web3 --host lv1 --cpus 2 --memory 64M; $st;
    vm start web3; $st; vm suspend web3; $st; vm resume web3; $st;
    vm reboot web3; $st; vm stop --force web3; $st; vm start web3;
    vm stop web3; $st; vm start web3; vm list --refresh --no-header --columns name,state --filter name=web3;
    vm destroy web3 --yes; vm list --no-header --filter name=web3"
t_status 0 "create, start, suspend, resume, reboot, stop, destroy in one script"
t_eq "$(printf '%s\n' "$out" | grep '^web3  ' | tr -s ' ' | tr '\n' ,)" \
    "web3 stopped,web3 running,web3 paused,web3 running,web3 running,web3 stopped,web3 stopped,web3 running," \
    "the store follows each change"
t_out 'web3 destroyed' "destroy reports"
hv vm show web3
t_status 1 "and the destroyed instance is forgotten"

# An instance hvsh did not make: adopted, then acted on.
hv vm adopt test --host lv1
t_status 0 "vm adopt test"
hv vm suspend test
t_status 0 "vm suspend test"
hv vm show test -o json
t_eq "$(jq_of .state)" "paused" "recorded paused"

# --- real libvirt and QEMU: a lab KVM host's session daemon

if ! "$LAB" up --kvm 1 >"$T/lab.log" 2>&1; then
	_nok "lab up --kvm 1"; sed 's/^/# /' "$T/lab.log"; exit 1
fi
eval "$("$LAB" env)"
"$LAB" ssh kvm1 virsh list >/dev/null 2>&1	# its libvirtd is up
SOCK=$LAB_DIR/home/kvm1/run/libvirt/libvirt-sock
U="qemu+unix:///session?socket=$SOCK"

hv host add lv2 --address "$U" --driver libvirt
t_status 0 "host add of a session libvirtd's socket"
hv host show lv2 -o json
t_true "its version is QEMU's and libvirt's" \
    grep -Eq '^QEMU [0-9.]+ \(libvirt [0-9.]+\)$' <<<"$(jq_of .hv_version)"
t_true "its free memory is recorded" test "$(jq_of .mem_free)" -gt 0

hv vm create w1 --host lv2 --cpus 1 --memory 32M
t_status 0 "vm create on QEMU"
id=$(hv vm show w1 -o json; jq_of .id)
"$LAB" ssh kvm1 virsh metadata w1 https://hvsh.invalid/ns/1 >"$T/meta" 2>&1
t_true "the domain carries hvsh's id in its metadata" \
    grep -q "id=\"$id\"" "$T/meta"

# watch_bg ARGS...: host watch in the background, once it is subscribed.
watch_bg() {
	"$HVSH" host watch "$@" >"$T/w.out" 2>"$T/w.err" &
	wpid=$!
	for _ in $(seq 50); do
		grep -q 'watching' "$T/w.err" 2>/dev/null && break
		sleep 0.1
	done
	sleep 0.2	# from the note to the subscription: one call
}
watch_wait() { wait "$wpid"; wst=$?; wpid=; }

watch_bg lv2 --count 1 --timeout 20
hv vm start w1
t_status 0 "vm start w1 while host watch runs"
watch_wait
t_eq "$wst" 0 "host watch ends after its one event"
t_eq "$(cat "$T/w.out")" "w1 running" "and printed it"
hv vm show w1 -o json
t_eq "$(jq_of .state)" "running" "the store holds the new state"
hv audit list -o json
t_eq "$(jq_of '[.[] | select(.command | startswith("host watch"))][-1].result')" \
    "w1 running" "the watch's write is audited"

hv vm start w1
t_status 0 "starting a running domain succeeds: it is where start leads"
t_out '^w1 already running$' "with a note that says so"
hv audit list --limit 1 -o json
t_out 'start vm w1 on lv2: already running' "the audit records the host's real outcome"

# Changes made behind hvsh's back are recorded too.
watch_bg lv2 --count 2 --timeout 20
"$LAB" ssh kvm1 virsh suspend w1 >/dev/null
"$LAB" ssh kvm1 virsh resume w1 >/dev/null
watch_wait
t_eq "$wst" 0 "host watch of two events"
t_eq "$(cat "$T/w.out" | tr '\n' ,)" "w1 paused,w1 running," \
    "sees a suspend and a resume made with virsh"

"$LAB" kvm-guest kvm1 g1 >/dev/null
before=$(hv vm list; echo "$out")
watch_bg lv2 --count 1 --timeout 20
"$LAB" ssh kvm1 virsh start g1 >/dev/null
watch_wait
t_eq "$(cat "$T/w.out")" "g1 running (unmanaged)" \
    "a domain hvsh does not manage is shown as such"
t_eq "$(hv vm list; echo "$out")" "$before" "and nothing is recorded of it"
"$LAB" ssh kvm1 virsh destroy g1 >/dev/null

hv host watch lv2 --count 1 --timeout 1
t_status 1 "a watch that sees fewer events than --count fails"
t_err '0 of 1 event within 1 s' "saying so"
hv host add kvmx --address 127.0.0.1 --driver kvm --no-check
hv host watch kvmx --timeout 1
t_status 1 "host watch of an SSH host"
t_err 'watching events is not supported by kvm' "is not supported"

hv vm stop --force w1
t_status 0 "vm stop --force w1"
hv vm show w1 -o json
t_eq "$(jq_of .state)" "stopped" "recorded stopped"

# A root disk: a volume of the pool "hvsh", removed with the domain.
hv vm create d1 --host lv2 --cpus 1 --memory 32M --disk 64M
t_status 1 "a disk without the pool hvsh is refused"
t_err "storage pool 'hvsh'" "naming the pool"
hv vm show d1
t_status 1 "and nothing is recorded"
"$LAB" ssh kvm1 'mkdir -p $HOME/hvsh-disks && virsh pool-define-as hvsh dir --target $HOME/hvsh-disks >/dev/null && virsh pool-start hvsh >/dev/null'
hv vm create d1 --host lv2 --cpus 1 --memory 32M --disk 64M
t_status 0 "vm create with a disk"
"$LAB" ssh kvm1 virsh vol-list hvsh >"$T/vols" 2>&1
t_true "its disk is a volume of pool hvsh" grep -q ' d1\.qcow2 ' "$T/vols"
hv vm start d1
t_status 0 "it starts"
hv vm destroy d1 w1 --yes
t_status 0 "vm destroy d1 w1 (one running, one stopped)"
"$LAB" ssh kvm1 virsh list --all --name >"$T/doms" 2>&1
t_true "both are gone from the host" \
    test -z "$(grep -E '^(d1|w1)$' "$T/doms")"
"$LAB" ssh kvm1 virsh vol-list hvsh >"$T/vols" 2>&1
t_true "and so is the disk" test -z "$(grep ' d1\.qcow2 ' "$T/vols")"
hv vm list --no-header --filter host=lv2
t_eq "$out" "" "and from the store"

