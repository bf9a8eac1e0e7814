# Data volumes end to end: bad input refused before any host is asked,
# with the store unchanged; --dry-run showing the exact lines and changing
# nothing; a driver without storage calls worded by dispatch; then on the
# lab create, attach, detach, resize and remove on KVM, Xen and VMware
# hosts, each checked on the host itself.
. "$(dirname "$0")/lib.sh"
lab_use
export HVSH_CONNECT_TIMEOUT_MS=3000 HVSH_COMMAND_TIMEOUT_MS=30000
jq_of() { printf '%s' "$out" | jq -r "$1"; }
# What the transport puts before every remote command (C locale, a bound
# on the host: the command timeout, 30 s, plus 5).
RUN="'env' 'LC_ALL=C' 'timeout' '-k' '5' '35'"

# --- before any host: records only (a libvirt test host, kvm hosts not
# checked; nothing here connects anywhere)

hv host add lv1 --address test:///default --driver libvirt
t_status 0 "a libvirt host (no storage calls)"
hv host add k0 --address 192.0.2.1 --driver kvm --no-check
t_status 0 "a kvm host that is never reached"
hv pool add plv --role primary --type dir --path /srv/plv --host lv1
hv pool add pk0 --role primary --type dir --path /srv/pk0 --host k0
hv pool add shared --role primary --type dir --path /srv/shared
hv pool add sec --role secondary --type dir --path /srv/sec
t_status 0 "pools: local to lv1, local to k0, shared primary, secondary"
hv vm create w1 --host lv1 --cpus 1 --memory 32M
t_status 0 "an instance on the libvirt host"

before=$(store_dump)
for w in 'x;touch /tmp/hvsh-canary' '$(id)' '-x' 'a b' "a'b" '../etc'; do
	hv volume create "$w" --size 64M --pool pk0
	t_status 2 "volume create refuses the name '$w'"
done
hv volume create d1 --pool pk0
t_status 2 "--size is required"
hv volume create d1 --size 64M
t_status 2 "--pool is required"
hv volume create d1 --size nonsense --pool pk0
t_status 2 "a size that is not one is refused"
hv volume create d1 --size 64M --pool nosuch
t_status 1 "a pool that is not recorded"
t_err "pool 'nosuch' not found" "is named"
hv volume create d1 --size 64M --pool pk0 --host nosuch
t_status 1 "a host that is not recorded"
hv volume create d1 --size 64M --pool shared
t_status 2 "a shared pool needs --host"
t_err 'say which host makes the volume with --host' "and says so"
hv volume create d1 --size 64M --pool pk0 --host lv1
t_status 1 "a pool local to another host"
t_err 'host lv1 does not see pool pk0' "is named"
hv volume create d1 --size 64M --pool sec --host k0
t_status 1 "a secondary pool"
t_err 'pool sec is not primary' "is refused as such"
hv volume create d1 --size 64M --pool pk0 --format qed
t_status 2 "an unknown format"
hv volume attach nosuch --vm w1
t_status 1 "attach of an unknown volume"
hv volume detach nosuch
t_status 1 "detach of an unknown volume"
hv volume resize nosuch --size 1G
t_status 1 "resize of an unknown volume"
hv volume remove nosuch --yes
t_status 1 "remove of an unknown volume"
hv volume list --vm nosuch
t_status 1 "list of an unknown instance's volumes"

# A driver that lacks the slot: dispatch words it, nothing is recorded.
hv volume create d1 --size 64M --pool plv
t_status 1 "a libvirt host cannot make volumes"
t_err '^hvsh: volume create: lv1: creating volumes is not supported by libvirt$' \
    "dispatch says which driver lacks what"
hv volume create d1 --size 64M --pool plv --dry-run
t_status 1 "its dry run fails the same"
t_err 'creating volumes is not supported by libvirt' "with the same words"
t_eq "$out" "" "and shows no line"
t_eq "$(store_dump)" "$before" "the store is unchanged by all of this"

# --dry-run on a kvm host that is never reached: the exact line, nothing done.
hv volume create d1 --size 64M --pool pk0 --dry-run
t_status 0 "volume create --dry-run on a kvm host"
t_eq "$(printf '%s\n' "$out" | wc -l)" 1 "one line: the call is one round trip"
t_out "^k0: $RUN 'sh' '-c' '.*' 'sh' .*'/srv/pk0'.*'d1\.qcow2' '67108864'" \
    "it names the pool's path, the file and the size in bytes"
hv volume create d1 --size 64M --pool shared --host k0 --format raw --dry-run
t_status 0 "--host for a shared pool"
t_out "^k0: $RUN 'sh' .*'/srv/shared'.*'d1\.img' '67108864' 'raw'" "where k0 sees it, as raw"
t_eq "$(store_dump)" "$before" "a dry run changes nothing"
hv audit list --no-header --columns command
t_noout 'volume' "and writes no audit event"

# --- on the lab

lab_up --kvm 2 --xen 1 --vmware 1
onhost() { "$LAB" ssh "$@" 2>&1; }

lab_add_hosts kvm1 kvm2 xen1 vmw1
POOL=$T/pool
mkdir -m 1777 "$POOL"
hv pool add p1 --role primary --type dir --path "$POOL"
t_status 0 "a primary pool every host sees"

hv vm create web1 --host kvm1 --cpus 1 --memory 32M --disk 64M
t_status 0 "an instance on kvm1"
hv vm create web2 --host kvm2 --cpus 1 --memory 32M --disk 64M
t_status 0 "an instance on kvm2"
hv vm create db1 --host xen1 --cpus 1 --memory 128M
t_status 0 "an instance on xen1"
hv vm create app1 --host vmw1 --cpus 1 --memory 128M --disk 64M
t_status 0 "an instance on vmw1"

# KVM: a qcow2 file in the pool, attached to a stopped and a running domain.
hv volume create kd1 --size 64M --pool p1 --host kvm1 --tag team=web
t_status 0 "volume create on kvm1"
hv volume show kd1 -o json
t_eq "$(jq_of '[.pool, .host, .state, .role, .managed, .format, (.size|tostring)] | join(" ")')" \
    "p1 kvm1 available data yes qcow2 67108864" "recorded: pool, host, available data, managed, qcow2, size"
kpath=$(jq_of .path)
t_eq "$kpath" "$POOL/kd1.qcow2" "its path is in the pool"
t_eq "$(jq_of .owner)" "$(id -un)" "its owner is who made it"
t_eq "$(jq_of .tags)" "team=web" "its tags"
t_true "the file is on kvm1" test -f "$kpath"
hv audit list --no-header --columns result
t_out 'create volume kd1 on kvm1: ok' "the audit event is dispatch's outcome"

before=$(store_dump)
hv volume create kd1 --size 64M --pool p1 --host kvm1
t_status 1 "a taken name is refused"
t_err "volume 'kd1' already exists" "and why"
hv volume attach kd1 --vm web2
t_status 1 "an instance on another host is refused"
t_err 'volume kd1 is on host kvm1 and instance web2 is not' "and why"
hv volume attach kd1 --vm nosuch
t_status 1 "an unknown instance is refused"
hv volume resize kd1 --size 32M
t_status 1 "shrinking is refused"
t_err 'it can only grow' "and why"
hv volume resize kd1 --size 64M
t_status 1 "the same size is refused"
t_eq "$(store_dump)" "$before" "none of it changed the store"

hv vm show web1 -o json
wuuid=$(jq_of .uuid)
hv volume attach kd1 --vm web1 --dry-run
t_status 0 "volume attach --dry-run"
t_out "^kvm1: $RUN 'sh' '-c' .*'sh' '$wuuid' '$POOL/kd1.qcow2' '' '--config' 'qcow2'\$" \
    "shows the line with the domain, the file and its format"
t_eq "$(store_dump)" "$before" "and changes nothing"
t_true "nothing attached on kvm1" test -z "$(onhost kvm1 virsh domblklist web1 | grep kd1)"

hv volume attach kd1 --vm web1
t_status 0 "volume attach to a stopped instance on kvm1"
hv volume show kd1 -o json
kdev=$(jq_of .device)
t_eq "$(jq_of '.state + " " + .vm')" "attached web1" "recorded attached to web1"
t_true "a device is recorded ($kdev)" test -n "$kdev" -a "$kdev" != null
t_true "virsh domblklist shows it" grep -Eq "^ *$kdev +$kpath" <<<"$(onhost kvm1 virsh domblklist web1)"
hv volume list --vm web1 --no-header --columns name --filter role=data
t_eq "$out" "kd1" "volume list --vm web1"
hv volume list --vm web2 --no-header --columns name --filter role=data
t_eq "$out" "" "web2 has none"
before=$(store_dump)
hv volume attach kd1 --vm web1
t_status 1 "attaching twice is refused"
t_err 'already attached to web1' "and names the instance"
hv volume remove kd1 --yes
t_status 1 "removing an attached volume is refused"
t_err 'attached to web1' "naming the instance"
t_eq "$(store_dump)" "$before" "the store is unchanged"
t_true "the file is still there" test -f "$kpath"

hv volume resize kd1 --size 128M
t_status 0 "resize an attached volume (stopped instance)"
hv volume show kd1 -o json
t_eq "$(jq_of .size)" 134217728 "the new size is recorded"
t_true "qemu-img says 128 MiB" grep -q '134217728' <<<"$(onhost kvm1 qemu-img info "$kpath")"

hv volume detach kd1 --dry-run
t_status 0 "volume detach --dry-run"
t_eq "$out" "kvm1: $RUN 'virsh' 'detach-disk' '$wuuid' '$kdev' '--config'" "the exact line"
hv volume detach kd1
t_status 0 "volume detach"
hv volume show kd1 -o json
t_eq "$(jq_of '.state + " " + (.vm // "-") + " " + (.device // "-")')" "available - -" "available again, no instance or device"
t_true "virsh domblklist no longer shows it" test -z "$(onhost kvm1 virsh domblklist web1 | grep "$kpath")"

# Attach to a running instance: live.
hv vm start web1
t_status 0 "web1 started"
hv volume attach kd1 --vm web1
t_status 0 "volume attach to a running instance"
t_true "the live domain has it" grep -q "$kpath" <<<"$(onhost kvm1 virsh domblklist web1)"
hv volume detach kd1
t_status 0 "volume detach from a running instance"
hv vm stop web1 --force

before=$(store_dump)
hv volume remove kd1
t_status 2 "volume remove in a script needs --yes"
t_err 'without --yes' "and says so"
t_true "the file stays" test -f "$kpath"
t_eq "$(store_dump)" "$before" "and the record"
hv volume remove kd1 --dry-run
t_status 0 "volume remove --dry-run"
t_out "^kvm1: $RUN 'sh' '-c' .*'$kpath'" "the exact line names the file"
t_true "the file stays" test -f "$kpath"
hv volume remove kd1 --yes
t_status 0 "volume remove"
t_true "the file is gone from kvm1" test ! -e "$kpath"
hv volume show kd1
t_status 1 "and the record"
hv audit list --no-header --columns result
t_out 'remove volume kd1 on kvm1: ok' "audited with dispatch's outcome"

# A disk already gone from its host: removed anyway.
hv volume create kd2 --size 64M --pool p1 --host kvm1
onhost kvm1 rm -f "$POOL/kd2.qcow2" >/dev/null
hv volume remove kd2 --yes
t_status 0 "a volume whose disk is already gone is forgotten"
hv volume show kd2
t_status 1 "its record is gone"

# A host that fails: nothing is recorded.
before=$(store_dump)
touch "$POOL/kd3.qcow2"
chmod 444 "$POOL/kd3.qcow2"
hv volume create kd3 --size 64M --pool p1 --host kvm1
t_status 1 "the host refuses a volume whose file exists"
t_err 'cannot create volume kd3 on kvm1' "in dispatch's words"
t_eq "$(store_dump)" "$before" "and no record stays"
rm -f "$POOL/kd3.qcow2"

# Xen: a VDI in an SR; its uuid is the volume's path and ref. The xe
# driver finds an SR by uuid or name-label, and hvsh records a pool by its
# path: the default SR is named by the path of its mount here, and a pool
# local to xen1 records that path.
sr=$(onhost xen1 xe pool-list params=default-SR --minimal)
XSR=/var/run/sr-mount/$sr
onhost xen1 xe sr-param-set uuid="$sr" name-label="$XSR" >/dev/null
hv pool add xsr --role primary --type dir --path "$XSR" --host xen1
t_status 0 "a pool local to xen1: its default SR"
hv volume create xd1 --size 64M --pool xsr
t_status 0 "volume create on xen1"
hv volume show xd1 -o json
xref=$(jq_of .ref)
t_true "the VDI uuid is recorded as ref" grep -Eq '^[0-9a-f-]{36}$' <<<"$xref"
t_eq "$(jq_of .path)" "$xref" "and as path"
t_true "xe vdi-list knows it" grep -q "$xref" <<<"$(onhost xen1 xe vdi-list uuid="$xref")"
hv volume attach xd1 --vm db1
t_status 0 "volume attach on xen1"
t_true "xe vbd-list shows the VDI on db1" grep -q "$xref" <<<"$(onhost xen1 xe vbd-list vm-name-label=db1)"
hv volume resize xd1 --size 128M
t_status 0 "volume resize on xen1"
hv volume show xd1 -o json
t_eq "$(jq_of .size)" 134217728 "the new size is recorded"
hv volume detach xd1
t_status 0 "volume detach on xen1"
t_true "xe vbd-list no longer shows it" test -z "$(onhost xen1 xe vbd-list vm-name-label=db1 | grep "$xref")"
hv volume remove xd1 --yes
t_status 0 "volume remove on xen1"
t_true "xe vdi-list no longer knows it" test -z "$(onhost xen1 xe vdi-list uuid="$xref" | grep "$xref")"

# VMware: a .vmdk in the pool, named in the instance's .vmx.
hv volume create vd1 --size 64M --pool p1 --host vmw1
t_status 0 "volume create on vmw1"
hv volume show vd1 -o json
vpath=$(jq_of .path)
t_eq "$(jq_of .format)" "vmdk" "a vmdk"
t_true "the .vmdk is on vmw1" test -f "$vpath"
hv volume attach vd1 --vm app1
t_status 0 "volume attach on vmw1"
hv volume show vd1 -o json
vdev=$(jq_of .device)
vmx=$HVSH_LAB_DIR/home/vmw1/hvsh-vms/app1/app1.vmx
t_true "the .vmx names the disk at $vdev" grep -qx "$vdev.fileName = \"$vpath\"" "$vmx"
hv volume resize vd1 --size 128M
t_status 0 "volume resize on vmw1"
hv volume detach vd1
t_status 0 "volume detach on vmw1"
t_true "the .vmx no longer names it" test -z "$(grep -F "$vpath" "$vmx")"
hv volume remove vd1 --yes
t_status 0 "volume remove on vmw1"
t_true "the .vmdk is gone" test ! -e "$vpath"

hv volume list --no-header --filter role=data
t_eq "$out" "" "no volume is left"
