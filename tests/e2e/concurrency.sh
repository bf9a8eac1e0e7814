# Two writers at once lose nothing; a writer killed at any moment leaves a
# store that opens and whose indexes match its records.
. "$(dirname "$0")/lib.sh"

for w in x y; do
	for i in $(seq 1 1000); do
		echo "host add $w$i --address 10.0.$((i / 250)).$((i % 250)) --driver kvm --no-check"
	done >"$T/$w.hvsh"
done
hv -f /dev/null
"$HVSH" -q -f "$T/x.hvsh" >"$T/x.out" 2>&1 & px=$!
"$HVSH" -q -f "$T/y.hvsh" >"$T/y.out" 2>&1 & py=$!
wait $px; sx=$?
wait $py; sy=$?
t_eq "$sx$sy" "00" "both writers succeed"
hv host list --no-header --columns name
t_eq "$(printf '%s\n' "$out" | wc -l)" "2000" "all 2,000 hosts are there"
hv audit list -o csv --no-header --columns id
t_eq "$(printf '%s\n' "$out" | wc -l)" "2000" "audit has 2,000 events"
hv store check
t_status 0 "store consistent after concurrent writers"

# kill -9 in the middle of a bulk run, 20 times.
for i in $(seq 1 3000); do
	echo "host add kROUND-$i --address 10.2.$((i / 250)).$((i % 250)) --driver kvm --no-check --tag run=r"
done >"$T/bulk.tmpl"
bad=0
for round in $(seq 1 20); do
	sed "s/ROUND/$round/" "$T/bulk.tmpl" >"$T/bulk.hvsh"
	"$HVSH" -q --home "$T/crash" -f "$T/bulk.hvsh" >/dev/null 2>&1 &
	pid=$!
	sleep "0.$((RANDOM % 4 + 1))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if ! "$HVSH" --home "$T/crash" store check >/dev/null 2>&1; then
		bad=$((bad + 1))
		echo "# round $round: store check failed"
	fi
done
t_eq "$bad" "0" "store consistent after 20 kill -9s"
hv --home "$T/crash" host list --no-header --columns name
n=$(printf '%s\n' "$out" | grep -c .)
t_true "the killed runs stored work ($n hosts)" test "$n" -gt 0
hv --home "$T/crash" audit list --no-header --columns id -o csv
t_eq "$(printf '%s\n' "$out" | grep -c .)" "$n" "every stored host has its audit event"
