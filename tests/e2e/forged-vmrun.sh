# forged-vmrun.sh: a VMware VM whose .vmx path holds a newline, so that
# vmrun list prints a line equal to another VM's .vmx path, must not make
# that VM look running. drvrun reads the refresh, the detail of what it
# flagged (each VM asked alone) and the state slot on a simulated host.
. "$(dirname "$0")/lib.sh"
lab_use
lab_up --vmware 1
read -r n _ a p u <<<"$LAB_HOST_1"

dr() { drvrun_on "$n" "$@"; }
rsh() { "$LAB" ssh "$n" "$@"; }

dr create web1 1 64M 0
t_status 0 "create web1"
dr create web2 1 64M 0
t_status 0 "create web2"
H=$(rsh 'printf %s "$HOME"')
V1=$H/hvsh-vms/web1/web1.vmx
V2=$H/hvsh-vms/web2/web2.vmx
dr start "$V2"
t_out '^done start$' "web2 runs"

# evil: a VM outside hvsh's directory whose path ends in a line that is
# web1's path; started, vmrun list prints that line.
rsh sh -s <<'EOS'
d="$HOME/evil
$HOME/hvsh-vms/web1"
mkdir -p "$d" && printf 'displayName = "evil"\n' >"$d/web1.vmx" &&
    vmrun -T ws start "$d/web1.vmx" nogui
EOS
t_true "vmrun list prints web1's path, web1 being off" \
    eval "rsh vmrun -T ws list | grep -qxF '$V1'"

dr refresh
t_status 0 "refresh with a forged list line succeeds"
t_noout "^vm web1 state=running" "web1 is not read as running"
t_out "^vm web1 state=unknown .* path=$V1\$" \
    "web1, shown by a doubtful list, is flagged: state unknown"
t_out "^vm web2 state=unknown .* path=$V2\$" \
    "web2 is listed too, so it is in doubt as well"

dr detail
t_status 0 "the detail of the flagged VMs succeeds"
t_out "^vm web1 state=stopped .* path=$V1\$" "web1 is read right: stopped"
t_out "^vm web2 state=running .* path=$V2\$" "web2 is read right: running"
t_eq "$(printf '%s\n' "$out" | grep -c "path=$V1\$")" 1 \
    "web1 is one VM, not two"

dr state "$V1" "$V2" web1 "$H/hvsh-vms/none/none.vmx"
t_status 0 "state of four targets"
t_out "^state $V1 unknown\$" "web1 by path: in doubt, unknown"
t_out "^state $V2 unknown\$" "web2 by path: in doubt too"
t_out "^state web1 unknown\$" "web1 by name: the same"
t_out "^state $H/hvsh-vms/none/none.vmx unknown\$" "a missing .vmx: unknown"

# Once evil is off, the list is believed again.
rsh sh -s <<'EOS'
vmrun -T ws stop "$HOME/evil
$HOME/hvsh-vms/web1/web1.vmx" hard
EOS
dr state "$V1" "$V2"
t_out "^state $V1 stopped\$" "with evil off, web1 is stopped"
t_out "^state $V2 running\$" "and web2 runs"
dr refresh
t_out "^vm web1 state=stopped .* path=$V1\$" "refresh: web1 stopped"
t_out "^vm web2 state=running .* path=$V2\$" "refresh: web2 running"

echo "1..$_n"
