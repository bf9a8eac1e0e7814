#!/usr/bin/env bash
# Installs the Debian 12 packages hvsh needs to build, test and demo, when
# they are missing. As root it runs apt-get; otherwise it prints the exact
# command and stops, so nothing is half-installed behind the user's back.
set -eu

pkgs=(
	build-essential pkg-config
	liblmdb-dev lmdb-utils libjansson-dev libreadline-dev libssl-dev
	libncurses-dev libssh-dev libvirt-dev
	libcmocka-dev tmux screen jq util-linux
	# the test lab (tests/lab): real sshd hosts, libvirt and QEMU
	libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
	qemu-system-x86 qemu-utils openssh-server openssh-client iproute2 procps
	# the xe and vmrun simulators (tests/lab/sim)
	python3
)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd=(apt-get install -y --no-install-recommends "${missing[@]}")
if [ "$(id -u)" -ne 0 ]; then
	echo "hvsh needs these Debian packages; as root, run:" >&2
	echo "  apt-get update && ${cmd[*]}" >&2
	exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
"${cmd[@]}" >/dev/null
