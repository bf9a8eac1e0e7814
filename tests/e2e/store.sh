# The store: schema versions, a read-only store, consistency checks, map
# growth, and the refusal of a store that is not on a local filesystem.
. "$(dirname "$0")/lib.sh"
POKE=$HVSH_BUILD/tools/store-poke

hv host add a --address 10.0.0.1 --driver kvm --no-check
t_status 0 "store created on first use"
t_true "data file is private (600)" test "$(stat -c %a "$HVSH_HOME/data.mdb")" = 600

# A store written by a newer hvsh is refused, and left alone.
cp -a "$HVSH_HOME" "$T/newer"
"$POKE" "$T/newer" schema 99
sum=$(md5sum "$T/newer/data.mdb")
hv --home "$T/newer" host list
t_status 1 "newer schema refused"
t_err "schema 99, newer than this hvsh" "the refusal says why"
hv --home "$T/newer" host add b --address 10.0.0.2 --driver kvm --no-check
t_status 1 "no write to a newer store"
t_eq "$(md5sum "$T/newer/data.mdb")" "$sum" "newer store untouched"

# An inconsistency is found by store check.
cp -a "$HVSH_HOME" "$T/broken"
"$POKE" "$T/broken" drop-name host a
hv --home "$T/broken" store check
t_status 1 "store check fails on a missing name entry"
t_out "." "and reports the problem"
hv store check
t_status 0 "the original is consistent"

# Map growth: a store that starts tiny grows as records arrive.
HVSH_MAPSIZE=65536 hv --home "$T/tiny" -f /dev/null
script=$T/many.hvsh
for i in $(seq 1 600); do
	echo "host add h$i --address 10.1.$((i / 250)).$((i % 250)) --driver kvm --no-check --tag note=$(printf 'x%.0s' $(seq 1 60))"
done >"$script"
HVSH_MAPSIZE=65536 hv --home "$T/tiny" -q -f "$script"
t_status 0 "600 records into a 64 KiB map"
HVSH_MAPSIZE=65536 hv --home "$T/tiny" host list --no-header --columns name
t_eq "$(printf '%s\n' "$out" | wc -l)" "600" "all 600 are there after growth"
hv --home "$T/tiny" store check
t_status 0 "grown store is consistent"

# A read-only store: reads work, writes fail cleanly, nothing changes.
ro=$T/ro
cp -a "$HVSH_HOME" "$ro"
sum=$(md5sum "$ro/data.mdb")
if [ "$(id -u)" -eq 0 ]; then
	# Root ignores file modes: use a read-only bind mount in a private namespace.
	run_ro() { unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" && shift && exec "$@"' sh "$ro" "$@"; }
else
	chmod -R a-w "$ro"
	run_ro() { "$@"; }
fi
_cmd="read-only host list"
run_ro "$HVSH" --home "$ro" host list >"$T/.out" 2>"$T/.err"; status=$?; out=$(cat "$T/.out"); err=$(cat "$T/.err")
t_status 0 "a read-only store can be read"
t_out '^a ' "and lists its hosts"
_cmd="read-only host add"
run_ro "$HVSH" --home "$ro" host add z --address 10.0.0.26 --driver kvm --no-check >"$T/.out" 2>"$T/.err"; status=$?; out=$(cat "$T/.out"); err=$(cat "$T/.err")
t_status 1 "a write to a read-only store exits 1"
t_err "read-only" "and says the store is read-only"
chmod -R u+w "$ro"
t_eq "$(md5sum "$ro/data.mdb")" "$sum" "read-only store unchanged"
