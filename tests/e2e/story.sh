# The whole story on the lab, as an admin would tell it: import an image,
# push it, create instances from it on KVM (real libvirt and QEMU), Xen and
# VMware (simulators), attach a volume, take a snapshot and revert to it,
# capture a template, create from the capture, destroy all, and check on
# every host that nothing hvsh made is left.
. "$(dirname "$0")/lib.sh"
lab_use
export HVSH_CONNECT_TIMEOUT_MS=5000 HVSH_COMMAND_TIMEOUT_MS=30000

lab_up --kvm 1 --xen 1 --vmware 1
on() { local h=$1; shift; "$LAB" ssh "$h" "$@"; }

lab_add_hosts kvm1 xen1 vmw1

# Storage: the repository on the bastion, shared with kvm1 and xen1 (one
# directory stands in for the NFS export); vmw1 does not see it. Primary
# storage: a directory kvm1 and vmw1 share, and xen1's default SR, which
# xen1 sees where XenServer mounts it.
mkdir -p "$T/repo" "$T/prim"
chmod 1777 "$T/repo" "$T/prim"
hv pool add repo --role secondary --type nfs --path "$T/repo" \
    --host-path kvm1 --host-path "xen1=$T/repo"
t_status 0 "pool add repo (secondary, seen by kvm1 and xen1)"
hv pool add prim --role primary --type dir --path "$T/prim" \
    --host-path kvm1 --host-path vmw1
t_status 0 "pool add prim (primary, seen by kvm1 and vmw1)"
sr=$(on xen1 xe pool-list params=default-SR --minimal)
hv pool add xsr --role primary --type lvm --path "/var/run/sr-mount/$sr" --host xen1
t_status 0 "pool add xsr (xen1's default SR)"
hv pool list --refresh -o json
t_eq "$(printf '%s' "$out" | jq -r '[.[] | select(.capacity > 0)] | length')" "3" \
    "pool list --refresh: every pool's capacity from a host or the bastion"
hv pool check
t_status 0 "pool check: each host sees each pool it should"

# An ISO image, made here: 33 sectors of zeros, then the ISO 9660 mark.
{ head -c 32769 /dev/zero; printf 'CD001'; head -c 65536 /dev/zero; } \
    >"$T/boot.iso"
hv image import boot --file "$T/boot.iso" --os tiny --pool repo
t_status 0 "image import boot"
hv image show boot -o json
t_eq "$(printf '%s' "$out" | jq -r '.kind + " " + .format')" "iso iso" \
    "its kind and format are read from its bytes"
sum=$(sha256sum "$T/boot.iso" | cut -d' ' -f1)
t_eq "$(printf '%s' "$out" | jq -r .sha256)" "$sum" "its sha256 is sha256sum's"
t_true "its file is in the repository" test -f "$T/repo/boot.iso"

# Push it to the host that does not see the repository.
hv image push boot --host vmw1 --dry-run
t_status 0 "image push --dry-run"
t_out "^vmw1: 'env' 'LC_ALL=C' 'sh' '-c' .*tee -a.*/boot\.iso' '[0-9a-f]{64}' 'append' < .*/repo/boot\.iso" \
    "the dry run shows the stream into the host, summed as it arrives"
hv image push boot --host vmw1
t_status 0 "image push boot --host vmw1"
dest=$(hv image show boot -o json; printf '%s' "$out" | jq -r .copies | sed 's/^vmw1=//')
t_true "the host has the copy" on vmw1 test -f "$dest"
t_eq "$(on vmw1 sha256sum "$dest" | cut -d' ' -f1)" "$sum" \
    "and its sha256 is the repository's"
hv image push boot --host vmw1
t_out "already on vmw1" "a second push sends nothing"
# An interrupted copy: the host holds the first 40000 bytes of it.
on vmw1 "mv '$dest' '$dest.part' && truncate -s 40000 '$dest.part'"
hv image push boot --host vmw1
t_status 0 "a push after an interruption"
t_out "\(([0-9]+) bytes sent, 40000 resumed\)" "continues where the copy stopped"
t_eq "$(on vmw1 sha256sum "$dest" | cut -d' ' -f1)" "$sum" \
    "and the whole is the repository's image"

# Placement: which host and why.
hv vm create p1 --image boot --memory 32 --disk 64M --dry-run
t_status 0 "vm create --dry-run without --host"
t_out "^placement: [a-z0-9]+: chosen" "the dry run says which host placement took"
t_out "^placement: " "and why the others were not"

# What the simulated hosts hold before: nothing hvsh made may stay.
# (An ISO is a VDI of its ISO SR as xen sees it, not a disk hvsh made.)
xen_disks() {
	on xen1 xe vdi-list params=name-label --minimal | tr ',' '\n' |
	    grep -v '\.iso$' | grep -c .
}
vdis0=$(xen_disks)

# Three instances from it, one per driver.
for h in kvm1 xen1 vmw1; do
	hv vm create "i-$h" --image boot --host $h --cpus 1 --memory 32 --disk 64M
	t_status 0 "vm create i-$h from the iso on $h"
done
hv vm show i-kvm1 -o json
t_eq "$(printf '%s' "$out" | jq -r '.image + " " + .host + " " + (.memory|tostring)')" \
    "boot kvm1 33554432" "i-kvm1 records its image, host, and --memory 32 as MiB"
hv volume list --vm i-kvm1 -o json
t_eq "$(printf '%s' "$out" | jq -r '[.[].role] | sort | join(",")')" "cdrom,root" \
    "i-kvm1's disks are recorded: the root disk and the cdrom"
on kvm1 virsh domblklist i-kvm1 >"$T/blk" 2>&1
t_true "virsh shows the iso as a disk of i-kvm1" grep -q "$T/repo/boot.iso" "$T/blk"

# Lifecycle on a guest with no OS: start twice, a clean stop that cannot
# succeed, then power off.
hv vm start i-kvm1
t_status 0 "vm start i-kvm1"
hv vm start i-kvm1
t_status 0 "starting it again succeeds"
t_out "^i-kvm1 already running$" "with a note"
hv vm stop i-kvm1 --timeout 2
t_status 1 "a clean stop of a guest without an OS fails at its --timeout"
t_err "still not stopped after 2 s \(use --force\)" "and says what to do"
hv audit list -o json
t_eq "$(printf '%s' "$out" | jq -r '.[-1].status')" "1" "the audit records the stop as failed"
# Ctrl-C while a clean stop waits: the wait ends at once, the record
# says what the host says (still running).
"$HVSH" vm stop i-kvm1 --timeout 60 >"$T/int.out" 2>"$T/int.err" &
pid=$!
sleep 2
t0=$(date +%s)
kill -INT $pid
wait $pid
rc=$?
took=$(($(date +%s) - t0))
t_eq "$rc" "130" "Ctrl-C ends the wait for a clean stop (status 130)"
t_true "at once, long before its 60 s timeout ($took s)" test "$took" -le 5
t_true "and says the wait was interrupted" grep -q "interrupted" "$T/int.err"
hv vm show i-kvm1 -o json
t_eq "$(printf '%s' "$out" | jq -r .state)" "running" "the record stays true: running"
hv vm stop i-kvm1 --force
t_status 0 "vm stop --force"
hv vm stop i-kvm1
t_out "^i-kvm1 already stopped$" "stopping a stopped instance succeeds with a note"

# A host that does not see an image gets it pushed by vm create.
{ head -c 32769 /dev/zero; printf 'CD001'; head -c 4096 /dev/urandom; } \
    >"$T/boot2.iso"
hv image import boot2 --file "$T/boot2.iso" --pool repo
hv vm create i-vmw2 --image boot2 --host vmw1 --memory 32 --disk 64M --dry-run
t_status 0 "vm create --dry-run on a host that must get the image first"
t_out "^vmw1: .*tee -a" "the dry run shows the push"
t_out "^vmw1: .*'clone'|^vmw1: .*vmware-vdiskmanager|^vmw1: .*vmx" \
    "then the create"
hv vm create i-vmw2 --image boot2 --host vmw1 --memory 32 --disk 64M
t_status 0 "vm create pushes the image itself"
t_out "pushing it first" "and says so"

# A data volume on kvm1, attached.
hv volume create d1 --size 64M --pool prim --host kvm1
t_status 0 "volume create d1"
hv volume attach d1 --vm i-kvm1
t_status 0 "volume attach d1 --vm i-kvm1"
on kvm1 virsh domblklist i-kvm1 >"$T/blk" 2>&1
t_true "virsh shows d1 attached" grep -q "d1" "$T/blk"

# A snapshot, and back to it.
hv snapshot create i-kvm1 s1 --description "before"
t_status 0 "snapshot create i-kvm1 s1"
on kvm1 virsh snapshot-list i-kvm1 --name >"$T/snaps" 2>&1
t_true "libvirt has the snapshot" grep -qx s1 "$T/snaps"
hv snapshot revert i-kvm1 s1
t_status 2 "snapshot revert needs --yes in a script"
hv snapshot revert i-kvm1 s1 --yes
t_status 0 "snapshot revert i-kvm1 s1"
# A snapshot taken behind hvsh's back is adopted by host sync.
on kvm1 virsh snapshot-create-as i-kvm1 outside1 >/dev/null 2>&1
hv host sync kvm1
t_status 0 "host sync kvm1"
t_out "snapshot outside1" "it lists the snapshot taken outside hvsh"
hv snapshot list i-kvm1 --no-header --columns name
t_eq "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" "outside1 s1 " \
    "and records it with the instance's others"
hv audit list -o json
t_eq "$(printf '%s' "$out" | jq -r '.[-1].result')" "adopted snapshot outside1 of i-kvm1" \
    "one audit event says what host sync adopted"

# The template: captured from the stopped instance, on the repository.
hv volume detach d1
t_status 0 "volume detach d1"
hv image capture tmpl --vm i-kvm1
t_status 0 "image capture tmpl --vm i-kvm1"
hv image show tmpl -o json
t_eq "$(printf '%s' "$out" | jq -r '.kind + " " + .format + " " + .parent + " " + .source_vm')" \
    "template qcow2 boot i-kvm1" "the template records where it came from"
t_true "its file is in the repository" test -f "$T/repo/tmpl.qcow2"
hv vm create from-tmpl --image tmpl --host kvm1 --memory 32M
t_status 0 "vm create from the captured template"
root=$(hv volume list --vm from-tmpl -o json; printf '%s' "$out" | jq -r '.[] | select(.role=="root") | .name')
path=$(hv volume show "$root" -o json; printf '%s' "$out" | jq -r .path)
on kvm1 qemu-img info "$path" >"$T/info" 2>&1
t_true "its disk's backing file is the template" grep -q "backing file: $T/repo/tmpl.qcow2" "$T/info"
hv image remove tmpl --yes
t_status 1 "a template an instance was made from is not removed"
# And on Xen: the root VDI exported as a VHD into the repository.
hv image capture xt --vm i-xen1
t_status 0 "image capture xt --vm i-xen1"
hv image show xt -o json
t_eq "$(printf '%s' "$out" | jq -r '.format + " " + .source_vm + " " + (.virtual_size|tostring)')" \
    "vhd i-xen1 67108864" "a VHD of the instance's 64 MiB disk"
t_true "its file is in the repository" test -f "$T/repo/xt.vhd"

# Destroy it all; only the repository stays.
hv vm destroy i-kvm1 i-xen1 i-vmw1 i-vmw2 from-tmpl
t_status 2 "vm destroy needs --yes in a script"
hv vm destroy i-kvm1 i-xen1 i-vmw1 i-vmw2 from-tmpl --dry-run
t_status 0 "vm destroy --dry-run"
t_out "^kvm1: .*'undefine'" "the dry run shows the undefine"
hv vm destroy i-kvm1 i-xen1 i-vmw1 i-vmw2 from-tmpl --yes
t_status 0 "vm destroy of all four"
t_out "kept disk i-kvm1-cdrom" "the iso hvsh did not make is named as kept"
hv volume remove d1 --yes
t_status 0 "volume remove d1"
hv vm list --no-header
t_eq "$out" "" "no instance is recorded"
hv volume list --no-header --columns name,role
t_noout "root|data" "no disk hvsh made is recorded"

t_eq "$(on kvm1 virsh list --all --name | grep -c .)" "0" "kvm1 has no domain"
t_eq "$(ls "$T/prim" | grep -v '^hvsh-images$' | grep -c .)" "0" \
    "the primary pool holds nothing hvsh made"
t_eq "$(on kvm1 'ls "$HOME/hvsh-disks" 2>/dev/null' | grep -c .)" "0" \
    "nor does kvm1's default pool"
on xen1 xe vm-list is-control-domain=false is-a-template=false --minimal >"$T/xe" 2>&1
t_eq "$(tr -d '\n' <"$T/xe")" "" "xen1 has no VM"
t_eq "$(xen_disks)" "$vdis0" "xen1 keeps no disk hvsh made"
on vmw1 vmrun list >"$T/vmrun" 2>&1
t_true "vmw1 runs no VM" grep -q "^Total running VMs: 0" "$T/vmrun"
t_eq "$(on vmw1 'find "$HOME" -name "i-vmw*" 2>/dev/null' | grep -c .)" "0" \
    "vmw1 keeps no file of i-vmw1"
hv image remove tmpl --yes
t_status 0 "the template goes once nothing is made from it"
hv image remove xt --yes
t_status 0 "so does the Xen one"
t_true "and its file with it" test ! -e "$T/repo/tmpl.qcow2"
hv image list --no-header --columns name
t_eq "$out" "$(printf 'boot\nboot2')" "the repository keeps the images"
hv audit list -o json
t_out 'destroy vm i-xen1 on xen1: ok' "the audit records each host's outcome"
hv store check
t_status 0 "store consistent"
echo "1..$_n"
