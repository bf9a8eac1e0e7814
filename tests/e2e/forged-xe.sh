# forged-xe.sh: a Xen VM whose name-label holds newlines, blank lines and
# lines shaped like xe's fields and records (another VM's uuid, a running
# power-state) must not create or change another instance. drvrun reads
# the refresh, then the detail of what it flagged, and the state slot,
# on a simulated host seeded with such a VM.
. "$(dirname "$0")/lib.sh"
lab_use
lab_up --xen 1
read -r n _ a p u <<<"$LAB_HOST_1"

VICTIM=11111111-2222-4333-8444-555555555555
OTHER=22222222-3333-4444-8555-666666666666
EVIL=aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee
GHOST=99999999-9999-4999-8999-999999999999
# The seed, before the first xe call makes the host: victim halted with
# our id 77, other running, and evil whose name forges a record for the
# victim (running, id 666), one for a VM that does not exist, and a
# field; other is left alone.
python3 - "$LAB_DIR/state/$n/xe-seed.json" <<PY
import json, sys
pad = "uuid ( RO)                 : %s\n" \
      "           name-label ( RW): %s\n" \
      "    is-control-domain ( RO): false\n" \
      "          power-state ( RO): running\n" \
      "        memory-actual ( RO): 1\n" \
      "    memory-static-max ( RW): 1\n" \
      "            VCPUs-max ( RW): 9\n" \
      "         other-config (MRW): hvsh-id: 666\n" \
      "         VCPUs-number ( RO): 9"
evil = ("evil\n\n\n" + pad % ("$VICTIM", "victim") + "\n\n\n" +
        pad % ("$GHOST", "ghost") + "\n          power-state ( RO): halted")
vm = lambda u, name, st, oc={}: {"uuid": u, "name-label": name,
    "power-state": st, "memory": 268435456, "vcpus": 1, "other-config": oc}
json.dump({"vms": [vm("$VICTIM", "victim", "halted", {"hvsh-id": "77"}),
                   vm("$EVIL", evil, "halted", {"hvsh-id": "88"}),
                   vm("$OTHER", "other", "running", {"hvsh-id": "99"})]},
          open(sys.argv[1], "w"))
PY

dr() { drvrun_on "$n" "$@"; }
line() { printf '%s\n' "$out" | grep -E "^vm .* uuid=$1 " || true; }
count() { printf '%s\n' "$out" | grep -cE "^vm .* uuid=$1 " || true; }

dr refresh
t_status 0 "refresh of a host with a forged name succeeds"
t_eq "$(printf '%s\n' "$out" | grep -c '^vm ')" 3 "three VMs, no more"
t_eq "$(count "$GHOST")" 0 "the forged record's uuid makes no VM"
t_eq "$(count "$VICTIM")" 1 "the victim is listed once"
t_noout "hvsh_id=666" "no VM carries the forged id"
t_noout "^vm victim state=running" "the victim is not read as running"
t_out "^vm - state=unknown .* uuid=$VICTIM hvsh_id=- " \
    "the victim, claimed twice, is flagged: only its uuid is known"
t_out "^vm - state=unknown .* uuid=$EVIL hvsh_id=- " \
    "so is evil, whose record the forged lines split"
t_out "^vm other state=running cpus=1 memory=268435456 mem_used=268435456 .* uuid=$OTHER hvsh_id=99 " \
    "the other VM is read right"

dr detail
t_status 0 "the detail of the flagged VMs succeeds"
t_out '^flagged 2$' "it asks about the two flagged VMs"
t_eq "$(printf '%s\n' "$out" | grep -c '^vm ')" 3 "still three VMs"
t_eq "$(count "$GHOST")" 0 "still no VM of the forged uuid"
t_out "^vm victim state=stopped cpus=1 memory=268435456 mem_used=0 .* uuid=$VICTIM hvsh_id=77 " \
    "the victim is read right: halted, its own id"
t_out "^vm evil.* state=stopped cpus=1 memory=268435456 .* uuid=$EVIL hvsh_id=88 " \
    "evil is read right: halted, its own id"
t_true "evil's name is read as it is, forged lines and all" \
    grep -qF 'vm evil\012\012\012uuid ( RO)                 : '"$VICTIM"'\012' "$T/.out"
t_out "^vm other state=running .* uuid=$OTHER hvsh_id=99 " \
    "the other VM is unchanged"

dr state "$VICTIM" "$EVIL" "$OTHER" "$GHOST" victim other
t_status 0 "state of six targets"
t_out "^state $VICTIM stopped$" "the victim is stopped"
t_out "^state $EVIL stopped$" "evil is stopped"
t_out "^state $OTHER running$" "the other runs"
t_out "^state $GHOST unknown$" "a uuid the host does not have is unknown"
t_out "^state victim stopped$" "by name-label too"
t_out "^state other running$" "and the other by name"

# The victim destroyed: evil's forged record of it makes no VM.
"$LAB" ssh "$n" xe vm-uninstall uuid="$VICTIM" --force >/dev/null 2>&1
dr detail
t_status 0 "a detail after the victim went away succeeds"
t_eq "$(count "$VICTIM")" 0 "the forged record does not bring the victim back"
t_out "^vm evil.* state=stopped .* uuid=$EVIL hvsh_id=88 " \
    "evil is still read right"
dr state "$VICTIM"
t_out "^state $VICTIM unknown$" "and its state is unknown"

echo "1..$_n"
