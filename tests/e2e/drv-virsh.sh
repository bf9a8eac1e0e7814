# The KVM driver (src/drv-virsh.c) against real libvirt: a private lab of
# two KVM hosts, reached through hvsh's own transport by tests/tools/drvrun.
# Probe, refresh, create, every lifecycle verb, destroy, errors and dry
# runs, each checked by a refresh of the host.
. "$(dirname "$0")/lib.sh"
LAB=$(cd "$(dirname "$0")/../lab" && pwd -P)/lab
export HVSH_LAB_DIR=$T/lab
chmod 711 "$T"	# as root, the lab's users must reach their homes in $T
trap '"$LAB" down >/dev/null 2>&1; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT

if ! "$LAB" up --kvm 2 >"$T/up.log" 2>&1; then
	_nok "lab up --kvm 2"
	sed 's/^/#   /' "$T/up.log"
	exit 1
fi
eval "$("$LAB" env)"

# dr HOST ARGS...: drvrun on lab host HOST; sets $status, $out and $err.
dr() { drvrun_on "$@"; }

# is HOST NAME RE DESC: a refresh of HOST shows NAME's line matching RE.
is() {
	dr "$1" detail
	t_out "^vm $2 $3" "$4"
}
# gone HOST NAME DESC: a refresh of HOST succeeds and does not show NAME.
gone() {
	dr "$1" refresh
	if [ "$status" -eq 0 ] &&
	    ! printf '%s\n' "$out" | grep -q "^vm $2 "; then
		_ok "$3"
	else
		_nok "$3"
	fi
}

UUID='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

dr kvm1 probe
t_out '^version QEMU [0-9.]+ \(libvirt [0-9.]+\)$' \
    "probe reports the QEMU and libvirt versions"
# (A host without virsh: every lab host has one on its PATH, so the unit
# test covers "virsh not found on host" with a fake shell.)

"$LAB" kvm-guest kvm1 g1 >/dev/null
dr kvm1 refresh
t_status 0 "refresh of kvm1"
t_out '^facts cpus=[1-9][0-9]* memory=[1-9][0-9]* mem_free=[1-9][0-9]*$' \
    "reports the host's CPUs and memory"
G1="state=stopped cpus=1 memory=33554432 mem_used=0 cpu_time=0.000"
t_out "^vm g1 $G1 uuid=$UUID hvsh_id=- " \
    "shows lab guest g1 stopped, 1 vCPU, 32 MiB, no hvsh id"
gone kvm2 g1 "kvm2, a hypervisor of its own, has no g1"

dr kvm1 create c1 1 32M 64M
t_out "^vm c1 state=stopped cpus=1 memory=33554432 .*uuid=$UUID " \
    "create c1 reads back the new domain"
is kvm1 c1 "state=stopped cpus=1 memory=33554432 mem_used=0 .*hvsh_id=4242 " \
    "refresh shows c1 with hvsh id 4242"
"$LAB" ssh kvm1 virsh vol-list hvsh >"$T/vols" 2>&1
t_true "its disk is a volume of pool hvsh" grep -q ' c1\.qcow2 ' "$T/vols"

dr kvm1 dry-start c1
t_eq "$out" "'virsh' 'start' 'c1'" "dry-start prints the quoted command"
is kvm1 c1 "state=stopped" "and runs nothing"

dr kvm1 start c1
t_eq "$out" "done start" "start c1"
is kvm1 c1 "state=running cpus=1 memory=33554432 mem_used=33554432 " \
    "c1 is running"
dr kvm1 suspend c1
t_status 0 "suspend c1"
is kvm1 c1 "state=paused" "c1 is paused"
dr kvm1 resume c1
t_status 0 "resume c1"
is kvm1 c1 "state=running" "c1 runs again"
dr kvm1 reboot c1
t_eq "$out" "done reboot" "reboot c1 is accepted"
dr kvm1 stop c1
t_eq "$out" "done stop" "stop c1 asks for a clean shutdown"
dr kvm1 force-off c1
t_eq "$out" "done force-off" "force-off c1"
is kvm1 c1 "state=stopped .*mem_used=0 " "c1 is stopped"
dr kvm1 force-off c1
t_out "^error -5 domain is not running$" \
    "force-off of a stopped domain says why"

dr kvm1 start nosuch
t_status 1 "start of a missing domain fails"
t_out "^error -2 failed to get domain 'nosuch'$" "naming the domain"
dr kvm1 start '-c'
t_out "^error plan instance name may not start with '-'" \
    "a name that virsh would take for an option is refused"

dr kvm1 create c1 1 32M 64M
t_out "^error -3 .*already exists" "create of a taken name fails"
"$LAB" ssh kvm1 virsh vol-list hvsh >"$T/vols" 2>&1
t_true "and leaves c1's disk alone" grep -q ' c1\.qcow2 ' "$T/vols"

dr kvm1 destroy c1
t_eq "$out" "done destroy" "destroy of stopped c1"
gone kvm1 c1 "c1 is gone"
"$LAB" ssh kvm1 virsh vol-list hvsh >"$T/vols" 2>&1
t_true "but not its disk, which hvsh removes itself" \
    grep -q ' c1\.qcow2 ' "$T/vols"
dr kvm1 call volume-remove vol_path="$(sed -n 's/^ c1\.qcow2 *//p' "$T/vols")"
t_status 0 "volume remove of c1's disk"
"$LAB" ssh kvm1 virsh vol-list hvsh >"$T/vols" 2>&1
t_true "and now it is gone" eval '! grep -q " c1\.qcow2 " "$T/vols"'

dr kvm1 create c2 2 48M 0
t_status 0 "create c2 without a disk"
dr kvm1 start c2
is kvm1 c2 "state=running cpus=2 memory=50331648 " "c2 is running"
dr kvm1 destroy c2
t_eq "$out" "done destroy" "destroy of running c2"
gone kvm1 c2 "c2 is gone"
is kvm1 g1 "state=stopped" "g1 is still there"

# Storage, snapshots and images, each call checked on the host by virsh
# or qemu-img themselves. h CMD: a shell command on kvm1, output in $T/h.
h() { "$LAB" ssh kvm1 "$1" >"$T/h" 2>&1; }
h 'printf %s "$HOME"'
H=$(cat "$T/h")
V=$H/vols
h 'mkdir -p "$HOME/vols" "$HOME/tpl" && qemu-img create -q -f qcow2 "$HOME/tpl/tiny.qcow2" 32M && truncate -s 1M "$HOME/tpl/boot.iso"'
t_true "a template and an ISO on kvm1" test "$(cat "$T/h")" = ""

dr kvm1 call pool-info pool="$V"
t_out '^reply .* capacity=[1-9][0-9]* used=[0-9]+$' \
    "pool info of a directory defines its pool and reads its size"
h 'for p in $(virsh pool-list --all --name); do virsh pool-dumpxml "$p"; done'
t_true "the pool is a dir pool at that directory" grep -q "<path>$V</path>" "$T/h"

dr kvm1 call volume-create pool="$V" volume=v1 size=64M
t_out "^reply path=$V/v1\.qcow2 .*size=67108864 " "volume create v1"
h "qemu-img info --output=json '$V/v1.qcow2'"
t_true "v1 is a 64 MiB qcow2" grep -q '"virtual-size": 67108864' "$T/h"
dr kvm1 call volume-create pool="$V" volume=v1 size=64M
t_out "^error -3 " "a second v1 is refused (exists)"
dr kvm1 call volume-create pool="$V" volume=-x size=64M
t_out "^error plan " "a hostile volume name is refused before anything runs"

dr kvm1 create t1 1 32M 0 image_path="$H/tpl/tiny.qcow2" \
    image_kind=template image_format=qcow2 pool="$V"
t_out "^vm t1 state=stopped .*uuid=$UUID " "create t1 from the template"
t_out "^disk $V/t1\.qcow2$" "and says where its root disk is"
h "qemu-img info --backing-chain '$V/t1.qcow2'"
t_true "t1's disk is an overlay of the template" \
    grep -q "^backing file: $H/tpl/tiny.qcow2" "$T/h"
t_true "of the template's own size" grep -q 'virtual size: 32 MiB' "$T/h"
is kvm1 t1 "state=stopped .*hvsh_id=4242 " "refresh shows t1"

dr kvm1 create t2 1 32M 48M image_path="$H/tpl/tiny.qcow2" \
    image_kind=template image_format=qcow2 full=1
t_out "^disk $H/hvsh-disks/t2\.qcow2$" "create t2, a full copy, in the default pool"
h "qemu-img info '$H/hvsh-disks/t2.qcow2'"
t_true "t2's disk has no backing file" eval '! grep -q "^backing file" "$T/h"'
t_true "and is grown to 48 MiB" grep -q 'virtual size: 48 MiB' "$T/h"

dr kvm1 create i1 1 32M 16M image_path="$H/tpl/boot.iso" image_kind=iso
t_out "^disk $H/hvsh-disks/i1\.qcow2$" "create i1 from an ISO"
h 'virsh dumpxml i1'
t_true "i1 has the ISO as a read-only CD-ROM" \
    grep -q "<source file='$H/tpl/boot.iso'" "$T/h"
t_true "and boots from it" grep -q "<boot dev='cdrom'/>" "$T/h"

dr kvm1 call volume-attach vm=t1 vol_path="$V/v1.qcow2"
t_out '^reply .*device=vdb ' "attach v1 to stopped t1 picks vdb"
h 'virsh domblklist t1'
t_true "domblklist shows v1 as vdb" grep -Eq "vdb +$V/v1\.qcow2" "$T/h"
dr kvm1 call volume-resize vol_path="$V/v1.qcow2" size=96M
t_out '^reply .*size=100663296 ' "resize v1 while t1 is off"

dr kvm1 call snapshot-create vm=t1 snapshot=s1 'description=first one'
t_status 0 "snapshot s1 of t1"
h 'virsh snapshot-list t1 --name'
t_true "virsh lists s1" grep -qx 's1' "$T/h"
dr kvm1 call snapshot-list vm=t1
t_out '^snapshot s1 uuid=- parent=- created=[1-9][0-9]* state=shutoff$' \
    "snapshot list reads s1"
dr kvm1 call snapshot-create vm=t1 snapshot=s1
t_out '^error -3 ' "a second s1 is refused"
dr kvm1 call snapshot-revert vm=t1 snapshot=s1
t_status 0 "revert t1 to s1"
dr kvm1 call snapshot-revert vm=t1 snapshot=nosuch
t_out '^error -2 ' "revert to a missing snapshot: not found"

dr kvm1 call image-capture vm=t1 vol_path="$V/t1.qcow2" dest="$H/tpl/cap.qcow2"
t_out "^reply path=$H/tpl/cap\.qcow2 .*size=33554432 " "capture t1's disk"
h "qemu-img info '$H/tpl/cap.qcow2'"
t_true "the capture is flat" eval '! grep -q "^backing file" "$T/h"'
dr kvm1 call image-capture vm=t1 vol_path="$V/t1.qcow2" dest="$H/tpl/cap.qcow2"
t_out '^error -3 ' "capture over an existing file is refused"
dr kvm1 call image-capture vm=t1 vol_path="$V/t1.qcow2" snapshot=s1 \
    dest="$H/tpl/cap-s1.qcow2"
t_out "^reply path=$H/tpl/cap-s1\.qcow2 " "capture of snapshot s1"
dr kvm1 call image-sum dest="$H/tpl/cap.qcow2"
h "sha256sum '$H/tpl/cap.qcow2'"
t_out "^reply .*sha256=$(cut -c1-64 "$T/h") " "image sum is sha256sum's"

dr kvm1 call set-id vm=t1 hvsh_id=777
t_status 0 "set id of t1"
is kvm1 t1 "state=stopped .*hvsh_id=777 " "refresh reads the new id"

dr kvm1 start t1
dr kvm1 call volume-create pool="$V" volume=v2 size=16M
dr kvm1 call volume-attach vm=t1 vol_path="$V/v2.qcow2" running=1
t_out '^reply .*device=vdc ' "hot-plug v2 into running t1 as vdc"
h 'virsh domblklist t1'
t_true "the live domain has vdc" grep -Eq "vdc +$V/v2\.qcow2" "$T/h"
h 'virsh domblklist t1 --inactive'
t_true "and so has its definition" grep -Eq "vdc +$V/v2\.qcow2" "$T/h"
dr kvm1 call volume-resize vm=t1 running=1 vol_path="$V/v2.qcow2" size=32M
t_out '^reply .*size=33554432 ' "blockresize v2 in running t1"
dr kvm1 force-off t1

dr kvm1 call snapshot-remove vm=t1 snapshot=s1
t_status 0 "remove s1"
h 'virsh snapshot-list t1 --name'
t_true "virsh lists no s1" eval '! grep -qx s1 "$T/h"'
dr kvm1 call volume-detach vm=t1 device=vdb
t_status 0 "detach vdb from stopped t1"
h 'virsh domblklist t1 --inactive'
t_true "t1 has no vdb" eval '! grep -q vdb "$T/h"'

dr kvm1 destroy t1
t_eq "$out" "done destroy" "destroy t1"
h "ls '$V'"
t_true "its root disk and v2 stay" grep -q '^t1\.qcow2$' "$T/h"
t_true "so does v1" grep -q '^v1\.qcow2$' "$T/h"
for f in "$V/t1.qcow2" "$V/v1.qcow2" "$V/v2.qcow2"; do
	dr kvm1 call volume-remove vol_path="$f"
	t_status 0 "volume remove ${f##*/}"
done
h "ls '$V'"
t_true "the pool is empty" test ! -s "$T/h"
dr kvm1 call volume-remove vol_path="$V/v1.qcow2"
t_out '^error -2 ' "removing v1 again: not found"
dr kvm1 call volume-remove vol_path=relative
t_out '^error plan ' "a relative path is refused"
for n in t2 i1; do
	dr kvm1 destroy $n
	t_eq "$out" "done destroy" "destroy $n"
done
