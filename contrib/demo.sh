#!/usr/bin/env bash
# make demo: hvsh's dashboard on a small lab of its own. Starts the test
# lab (a KVM host with real libvirt and QEMU, a Xen and a VMware host with
# the xe and vmrun simulators), records the hosts with their keys
# confirmed, fills a demo store (pools, an ISO and templates in the
# repository, instances made from them on each host, data volumes,
# snapshots), then opens the dashboard (hvsh tui) on a terminal, or prints
# the hosts and instances without one. Leaving the dashboard (q), a failed
# step or Ctrl-C stops the lab. HVSH_DEMO_DIR says where (default
# /tmp/hvsh-demo-UID).
set -u
cd "$(dirname "$0")/.."
B=${HVSH_BUILD:-build}
case $B in /*) ;; *) B=$PWD/$B ;; esac
HVSH=$B/hvsh
LAB=$PWD/tests/lab/lab
D=${HVSH_DEMO_DIR:-/tmp/hvsh-demo-$(id -u)}
case $D in /*) ;; *) D=$PWD/$D ;; esac
export HVSH_LAB_DIR=$D/lab HVSH_HOME=$D/store
export HVSH_CONNECT_TIMEOUT_MS=${HVSH_CONNECT_TIMEOUT_MS:-5000}
export HVSH_COMMAND_TIMEOUT_MS=${HVSH_COMMAND_TIMEOUT_MS:-60000}
LOG=$D/step.log

say() { printf '%s\n' "$*"; }
die() {
	printf 'demo: %s\n' "$*" >&2
	$labup && echo "demo: stopping the demo lab" >&2
	exit 1
}
labup=false

[ -x "$HVSH" ] || die "$HVSH is missing: run 'make demo', or 'make' first"
mkdir -p "$D" || die "cannot create $D"
chmod 711 "$D"	# as root, the lab's users must reach their homes in it

# The lab comes down however the script ends; a Ctrl-C ends it at the step
# it interrupts (130), and cannot interrupt the stopping itself.
stopped=false
stop_lab() {
	$stopped && return
	stopped=true
	trap '' INT TERM HUP
	"$LAB" down >/dev/null 2>&1
}
trap 'stop_lab' EXIT
trap 'printf "\ndemo: interrupted; stopping the demo lab\n" >&2; exit 130' \
    INT TERM HUP

# step DESC CMD...: runs CMD with its output kept aside; shown, with DESC,
# only if it fails, and then the demo ends (the lab comes down). The output
# is redirected in a subshell: a trap run as CMD ends writes to ours.
step() {
	local desc=$1
	shift
	if ! (exec >"$LOG" 2>&1; "$@"); then
		printf 'demo: failed: %s\n  $ %s\n' "$desc" "$*" >&2
		sed 's/^/  | /' "$LOG" >&2
		$labup && echo "demo: stopping the demo lab" >&2
		exit 1
	fi
}
hv() { "$HVSH" "$@"; }
on() { local h=$1; shift; "$LAB" ssh "$h" "$@"; }

"$LAB" down >/dev/null 2>&1
chmod -R u+w "$HVSH_HOME" "$D/repo" "$D/prim" 2>/dev/null
rm -rf "$HVSH_HOME" "$D/repo" "$D/prim" "$D/files"
mkdir -p "$D/repo" "$D/prim" "$D/files"
chmod 1777 "$D/repo" "$D/prim"
t0=$(date +%s)

say "hvsh demo in $D"
say "starting the lab: kvm1 (libvirt and QEMU), xen1 and vmw1 (simulators) ..."
labup=true
step "lab up" "$LAB" up --kvm 1 --xen 1 --vmware 1
eval "$("$LAB" env)"

say "filling the demo store ..."
for ((i = 1; i <= LAB_HOSTS; i++)); do
	v=LAB_HOST_$i
	read -r name driver addr port user <<<"${!v}"
	# The simulators answer at once rather than at a real host's pace.
	case $driver in xen|vmware) echo 0 >"$HVSH_LAB_DIR/state/$name/speed" ;; esac
	set -- --address "$addr" --port "$port" --user "$user" --key "$LAB_KEY" \
	    --driver "$driver"
	# The key hvsh is offered must be the one the lab made for this host.
	fp=$(hv host add "$name" "$@" 2>&1 | grep -o 'SHA256:[A-Za-z0-9+/=]*' |
	    head -n 1)
	[ -n "$fp" ] || die "host add $name: no host key offered"
	step "host add $name" hv host add "$name" "$@" --accept-key "$fp"
done

# Storage: a repository on the bastion that kvm1 and xen1 see (one
# directory stands in for the NFS export); vmw1 gets images pushed.
# Primary storage: a directory kvm1 and vmw1 share, and xen1's default SR.
step "pool add repo" hv pool add repo --role secondary --type nfs \
    --path "$D/repo" --host-path kvm1 --host-path "xen1=$D/repo"
step "pool add disks" hv pool add disks --role primary --type dir \
    --path "$D/prim" --host-path kvm1 --host-path vmw1
sr=$(on xen1 xe pool-list params=default-SR --minimal 2>/dev/null | tr -d '\r')
[ -n "$sr" ] || die "xen1 has no default SR"
step "pool add xsr" hv pool add xsr --role primary --type lvm \
    --path "/var/run/sr-mount/$sr" --host xen1

# Images: an installer ISO made here (zeros, then the ISO 9660 mark), a
# qcow2 template for KVM and a VHD template for Xen (empty disks).
{ head -c 32769 /dev/zero; printf 'CD001'; head -c 65536 /dev/zero; } \
    >"$D/files/debian-12-netinst.iso"
step "qemu-img create (qcow2)" qemu-img create -q -f qcow2 \
    "$D/files/debian12.qcow2" 256M
step "qemu-img create (vhd)" qemu-img create -q -f vpc \
    "$D/files/debian12.vhd" 256M
step "image import debian-12-netinst" hv image import debian-12-netinst \
    --file "$D/files/debian-12-netinst.iso" --os debian12 --arch x86_64 \
    --pool repo
step "image import debian12-kvm" hv image import debian12-kvm \
    --file "$D/files/debian12.qcow2" --kind template --os debian12 \
    --arch x86_64 --pool repo --tag role=golden
step "image import debian12-xen" hv image import debian12-xen \
    --file "$D/files/debian12.vhd" --kind template --os debian12 \
    --arch x86_64 --pool repo --tag role=golden

# Instances made from those images, on each host.
step "vm create web1" hv vm create web1 --image debian12-kvm --host kvm1 \
    --cpus 1 --memory 32M
step "vm create web2" hv vm create web2 --image debian12-kvm --host kvm1 \
    --cpus 1 --memory 32M
step "vm create build1" hv vm create build1 --image debian-12-netinst \
    --host kvm1 --cpus 1 --memory 32M --disk 64M
step "vm create db1" hv vm create db1 --image debian12-xen --host xen1 \
    --cpus 2 --memory 256M
step "vm create db2" hv vm create db2 --image debian-12-netinst --host xen1 \
    --cpus 2 --memory 256M --disk 64M
step "vm create app1" hv vm create app1 --image debian-12-netinst \
    --host vmw1 --cpus 1 --memory 128M --disk 64M
step "vm create app2" hv vm create app2 --image debian-12-netinst \
    --host vmw1 --cpus 1 --memory 128M --disk 64M

# Data volumes, attached; snapshots; then some of them running.
step "volume create web1-data" hv volume create web1-data --size 64M \
    --pool disks --host kvm1
step "volume attach web1-data" hv volume attach web1-data --vm web1
step "volume create db1-data" hv volume create db1-data --size 64M \
    --pool xsr --host xen1
step "volume attach db1-data" hv volume attach db1-data --vm db1
step "snapshot create web1" hv snapshot create web1 before-upgrade \
    --description "before the upgrade"
step "snapshot create db1" hv snapshot create db1 nightly \
    --description "nightly"
step "vm start" hv vm start web1 web2 db1 app1
step "vm list --refresh" hv vm list --refresh
step "pool list --refresh" hv pool list --refresh
say "ready in $(($(date +%s) - t0)) s"

if [ -t 0 ] && [ -t 1 ]; then
	hv tui
	rc=$?
	say "leaving the demo: stopping the lab ..."
	stop_lab
	exit $rc
fi
echo
hv host list
echo
hv vm list
echo
say "(no terminal: the lab stops now; run 'make demo' in a terminal for the"
say "dashboard, hvsh tui)"
