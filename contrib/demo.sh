#!/usr/bin/env bash
# make demo: hvsh on its own lab. Starts the test lab (two KVM hosts with
# real libvirt and QEMU, a Xen and a VMware host with the xe and vmrun
# simulators), records the hosts with their keys confirmed, creates and
# starts a few instances, then opens the shell. Leaving the shell (Ctrl-D)
# stops the lab. HVSH_DEMO_DIR says where (default /tmp/hvsh-demo-UID).
set -eu
cd "$(dirname "$0")/.."
B=${HVSH_BUILD:-build}
HVSH=$PWD/$B/hvsh
LAB=$PWD/tests/lab/lab
D=${HVSH_DEMO_DIR:-/tmp/hvsh-demo-$(id -u)}
export HVSH_LAB_DIR=$D/lab HVSH_HOME=$D/store
mkdir -p "$D"
chmod 711 "$D"	# as root, the lab's users must reach their homes in it
"$LAB" down >/dev/null 2>&1 || true
rm -rf "$HVSH_HOME"
echo "starting the demo lab in $D ..."
"$LAB" up --kvm 2 --xen 1 --vmware 1
trap '"$LAB" down >/dev/null 2>&1' EXIT
eval "$("$LAB" env)"

for ((i = 1; i <= LAB_HOSTS; i++)); do
	v=LAB_HOST_$i
	read -r name driver addr port user <<<"${!v}"
	set -- --address "$addr" --port "$port" --user "$user" --key "$LAB_KEY" \
	    --driver "$driver"
	# The key hvsh is offered must be the one the lab made for this host.
	fp=$("$HVSH" host add "$name" "$@" 2>&1 | grep -o 'SHA256:[A-Za-z0-9+/=]*' |
	    head -n 1 || true)
	"$HVSH" host add "$name" "$@" --accept-key "$fp"
done
"$HVSH" vm create web1 --host kvm1 --cpus 1 --memory 32M --disk 64M
"$HVSH" vm create web2 --host kvm2 --cpus 1 --memory 32M
"$HVSH" vm create db1 --host xen1 --cpus 2 --memory 256M
"$HVSH" vm create app1 --host vmw1 --cpus 1 --memory 128M --disk 64M
"$HVSH" vm start web1 db1
echo
"$HVSH" host list
echo
"$HVSH" vm list
echo
if [ -t 0 ] && [ -t 1 ]; then
	echo "hvsh shell on the demo lab: try 'help', 'vm list --refresh',"
	echo "'vm stop web1 --force', 'host sync'. Ctrl-D leaves and stops the lab."
	"$HVSH" shell
else
	echo "(no terminal: the lab stops now; run 'make demo' in a terminal for the shell)"
fi
