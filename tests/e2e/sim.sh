# The lab's hypervisor simulators (tests/lab/sim: xe, vmrun,
# vmware-vdiskmanager) against the format references in
# shared/hv-formats: every sample that shows a command and its output is
# reproduced (byte for byte where the sample is exact, after the author's
# whitespace edits are undone where it is not), then error texts, exit
# statuses, stdout/stderr, state across calls, concurrency and the fault
# knobs. Runs the simulators directly; hvsh itself is not used.
. "$(dirname "$0")/lib.sh"

SIM=${HVSH_SRC:?HVSH_SRC must name the source tree}/tests/lab/sim
FMT=$HVSH_SRC/../shared/hv-formats
[ -d "$FMT/samples" ] || FMT=/work/shared/hv-formats
S=$FMT/samples
export HVSH_SIM_SPEED=0
unset HVSH_SIM_HOSTNAME HVSH_SIM_XE_LEGACY HVSH_SIM_MEMORY HVSH_SIM_CPUS \
    HVSH_SIM_ADDRESS

# run CMD...: runs it; $status, and stdout/stderr in the files $T/o, $T/e
# (byte exact; $out and $err hold them as text for the lib.sh checks).
run() {
	_cmd="$*"
	"$@" >"$T/o" 2>"$T/e"
	status=$?
	out=$(tr -d '\000' <"$T/o")
	err=$(tr -d '\000' <"$T/e")
}
xe() { run "$SIM/xe" "$@"; }
vmrun() { run "$SIM/vmrun" "$@"; }
vdm() { run "$SIM/vmware-vdiskmanager" "$@"; }

# state NAME: a fresh simulator state directory for what follows.
state() {
	ST=$T/state-$1
	rm -rf "$ST"
	mkdir -p "$ST"
	export HVSH_SIM_STATE=$ST
}

# sample FILE: the sample without its "# SOURCE:" line.
sample() { tail -n +2 "$S/$1"; }
# block FILE MARKER: the lines after the "=== MARKER..." line, up to the
# next "=== " line.
block() {
	awk -v m="=== $2" 'index($0, m) == 1 { on = 1; next }
		/^=== / { on = 0 } on' "$S/$1"
}

# t_same FILE EXPECTED-FILE DESC: byte comparison, diff on failure.
t_same() {
	if cmp -s "$1" "$2"; then
		_ok "$3"
	else
		_nok "$3"
		diff "$2" "$1" | head -20 | sed 's/^/#   diff: /'
	fi
}
# t_nostdout/t_nostderr DESC: the stream was empty; t_stdout/t_stderr RE
# DESC: some line of it matches the extended regex.
t_nostdout() { if [ ! -s "$T/o" ]; then _ok "$1"; else _nok "$1 (stdout not empty)"; fi; }
t_nostderr() { if [ ! -s "$T/e" ]; then _ok "$1"; else _nok "$1 (stderr not empty)"; fi; }
t_stdout() { if grep -Eq -- "$1" "$T/o"; then _ok "$2"; else _nok "$2 (stdout !~ $1)"; fi; }
t_stderr() { if grep -Eq -- "$1" "$T/e"; then _ok "$2"; else _nok "$2 (stderr !~ $1)"; fi; }

# squeeze: what a transcript author does to xe output: trailing spaces
# dropped, runs of empty lines cut to one, none at the end.
squeeze() {
	sed 's/[[:space:]]*$//' | cat -s | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}
# unwrap: trailing spaces and empty lines dropped, and lines without
# ": " joined, undoing a blog's hard wrapping of a long error paragraph.
unwrap() {
	sed 's/[[:space:]]*$//' | grep -v '^$' | awk '
		/: / { if (p != "") print p; p = ""; print; next }
		{ p = (p == "" ? $0 : p " " $0) }
		END { if (p != "") print p }'
}

seed() { printf '%s\n' "$1" >"$ST/xe-seed.json"; }

# --- xe: the samples ------------------------------------------------------

state vmlist
seed '{"hostname": "xcp-ng-1",
 "dom0": {"uuid": "3a6b8e7c-1d2f-4e5a-9b8c-7d6e5f4a3b2c"},
 "host": {"uuid": "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e"},
 "vms": [{"uuid": "9f0e1d2c-3b4a-5968-7a6b-5c4d3e2f1a0b",
          "name-label": "web01", "power-state": "halted"}]}'
xe vm-list
sample xe-vm-list-default-DERIVED.txt >"$T/want"
t_same "$T/o" "$T/want" "xe vm-list: sample xe-vm-list-default-DERIVED byte for byte"
t_status 0 "xe vm-list exits 0"
t_nostderr "xe vm-list writes nothing on stderr"

xe vm-list --minimal
sample xe-minimal-DERIVED.txt | sed -n 1p >"$T/want"
t_same "$T/o" "$T/want" "xe vm-list --minimal: sample xe-minimal-DERIVED line 2"
xe vm-list params=name-label --minimal
sample xe-minimal-DERIVED.txt | sed -n 2p >"$T/want"
t_same "$T/o" "$T/want" "xe vm-list params=name-label --minimal: sample line 3"
xe vm-list name-label=nope --minimal
sample xe-minimal-DERIVED.txt | sed -n 3p >"$T/want"
t_same "$T/o" "$T/want" "xe --minimal with no match prints one empty line (sample line 4)"
xe vm-list name-label=nope
t_nostdout "xe vm-list with no match prints nothing"
t_status 0 "and exits 0"

xe host-list
sample xe-host-list-default-DERIVED.txt >"$T/want"
t_same "$T/o" "$T/want" "xe host-list: sample xe-host-list-default-DERIVED byte for byte"

# The errors sample, in its order; web01 is started first.
xe vm-start uuid=9f0e1d2c-3b4a-5968-7a6b-5c4d3e2f1a0b
t_status 0 "xe vm-start of a halted VM succeeds"
t_nostdout "xe vm-start prints nothing"
W=9f0e1d2c-3b4a-5968-7a6b-5c4d3e2f1a0b
while IFS='|' read -r m cmd; do
	case $m in
	*"<halted vm>"*) run "$SIM/xe" vm-shutdown uuid=$W ;;
	esac
	eval "run \"\$SIM/xe\" $cmd" </dev/null
	block xe-errors-DERIVED.txt "$m" >"$T/want"
	t_same "$T/e" "$T/want" "error sample '$m': stderr byte for byte"
	t_status 1 "error sample '$m': exit 1"
	t_nostdout "error sample '$m': stdout empty"
done <<EOF
xe vm-start uuid=<running vm>|vm-start uuid=$W
xe vm-shutdown uuid=<halted vm>|vm-shutdown uuid=$W
xe vm-param-get uuid=nonexistent|vm-param-get uuid=nonexistent param-name=power-state
xe vm-start uuid=nonexistent|vm-start uuid=nonexistent
xe vm-param-get uuid=<vm>|vm-param-get uuid=$W param-name=no-such-field
xe no-such-command|no-such-command
xe vm-install template=x|vm-install template=x
xe -s host -u root -pw wrong|-s host -u root -pw wrong vm-list
EOF
xe vm-param-get uuid=9f0e1d2c-3b4a-5968-7a6b-5c4d3e2f1a0b \
    param-name=power-state
t_eq "$out" halted "the clean shutdown of the sample left web01 halted"

state srlist
seed '{"hostname": "xcp-ng-1", "srs": [
 {"uuid": "20f9d73a-f1e5-be80-2fcc-a9863d4112ac", "name-label":
  "Local storage", "type": "lvm", "content-type": "user"},
 {"uuid": "7d1e2f3a-4b5c-6d7e-8f9a-0b1c2d3e4f5a", "name-label":
  "ISO library", "type": "iso", "content-type": "iso", "shared": true,
  "pbds": 2}]}'
xe sr-list
sample xe-sr-list-default-DERIVED.txt >"$T/want"
t_same "$T/o" "$T/want" "xe sr-list: sample xe-sr-list-default-DERIVED byte for byte"

state ralph
seed '{"srs": [
 {"uuid": "81297512-07a6-4642-715a-fae6500a6cae", "type": "iso",
  "content-type": "iso", "physical-size": -1},
 {"uuid": "b9775958-cedc-8698-a437-2dba4e3653ef", "type": "udev",
  "content-type": "disk", "physical-size": 0},
 {"uuid": "9dd5d636-c90a-930d-c04f-897f9624731a", "type": "lvm",
  "content-type": "user", "physical-size": 64768442368},
 {"uuid": "02afb7d7-670a-2175-5926-9c3b6b0e7651", "type": "iso",
  "content-type": "iso", "physical-size": -1},
 {"uuid": "9393c492-4311-4dde-9413-75150afdcd97", "type": "udev",
  "content-type": "iso", "physical-size": 0}],
 "vms": [{"name-label": "win2k8"},
         {"name-label": "Transfer VM for VDI 07f1cca1-056d-4694-879e-adcb2ed989e1"}],
 "vifs": [{"vm": "win2k8", "device": "0", "MAC": "9a:09:b5:66:31:a9"},
          {"vm": "win2k8", "device": "1", "MAC": "8e:b0:fb:7c:c1:00"},
          {"vm": "Transfer VM for VDI 07f1cca1-056d-4694-879e-adcb2ed989e1",
           "device": "0", "MAC": "da:e5:24:41:a4:23"}]}'
xe sr-list params=uuid,physical-size,type
sample xe-sr-list-params-ralph.txt >"$T/want"
t_same "$T/o" "$T/want" "xe sr-list params=uuid,physical-size,type: ralph fixture byte for byte"
xe vif-list params=vm-name-label,MAC
sample xe-vif-list-params-ralph.txt >"$T/want"
t_same "$T/o" "$T/want" "xe vif-list params=vm-name-label,MAC: ralph fixture byte for byte"
xe sr-list params=type,uuid,nonsense,physical-size --minimal
t_eq "$(cut -d, -f1 "$T/o")" 81297512-07a6-4642-715a-fae6500a6cae \
    "params= keeps record order (uuid first) and ignores unknown names"

# README transcript (older xapi: no is-vmss-snapshot; blank lines squeezed
# and trailing spaces dropped by the author).
state readme
touch "$ST/xe-legacy"
seed '{"vms": [
 {"uuid": "5675265a-bdb4-b3d2-05dd-1d03caa0af38", "name-label": "test-store4",
  "other-config": {"readme": "1"}},
 {"uuid": "3d7eb6b9-f3ad-dbcd-4034-3c44829e027f", "name-label": "www1",
  "power-state": "running", "other-config": {"readme": "1"}},
 {"uuid": "5ab706f0-fec1-2f87-7966-22e9797d5dd9", "name-label": "nfs_1",
  "other-config": {"readme": "1"}},
 {"uuid": "6d834684-f97e-0488-1f76-70bf72df34ac", "name-label": "source"}]}'
echo 7f85624c-174e-33fc-5ab6-f8070b8c8f35 >"$ST/uuids"
xe vm-snapshot uuid=6d834684-f97e-0488-1f76-70bf72df34ac \
    new-name-label=export-snapshot
t_eq "$out" 7f85624c-174e-33fc-5ab6-f8070b8c8f35 \
    "xe vm-snapshot prints the new snapshot's uuid (taken from the uuids knob)"
xe vm-list other-config:readme=1
squeeze <"$T/o" >"$T/got"
sample xe-vm-list-and-snapshot-list-readme.txt | sed '/^--- /,$d' >"$T/want"
t_same "$T/got" "$T/want" "xe vm-list other-config:readme=1: README transcript (squeezed)"
xe snapshot-list snapshot-of=6d834684-f97e-0488-1f76-70bf72df34ac
squeeze <"$T/o" >"$T/got"
sample xe-vm-list-and-snapshot-list-readme.txt | sed '1,/^--- /d' >"$T/want"
t_same "$T/got" "$T/want" "xe snapshot-list snapshot-of=...: README transcript (squeezed)"
rm "$ST/xe-legacy"
xe snapshot-list snapshot-of=6d834684-f97e-0488-1f76-70bf72df34ac
t_stdout '^    is-vmss-snapshot \( RO\): false$' \
    "current xapi lists is-vmss-snapshot in snapshot-list, same width"

# The blog transcript (older xapi, double spaces; wrapped and trimmed by
# the author): replayed command by command.
state blog
touch "$ST/xe-legacy"
seed '{"hostname": "zenserv", "srs": [
 {"uuid": "20f9d73a-f1e5-be80-2fcc-a9863d4112ac", "name-label":
  "Local storage", "type": "lvm", "content-type": "user"}],
 "vms": [{"uuid": "ba73ef4f-ad8a-91c9-a9d8-ebea92f5081f",
          "name-label": "zphome"}]}'
printf '%s\n' a65be954-b7a4-44ec-9603-4c2275e1d1f8 \
    ce5f0688-ff5f-fb1b-0196-7cd836b639d9 >"$ST/uuids"
sample xe-blog-add-disk-transcript.txt >"$T/blog"
while IFS=: read -r line cmd; do
	args=${cmd#*# xe }
	eval "run \"\$SIM/xe\" $args" </dev/null
	cat "$T/o" "$T/e" | unwrap >"$T/got"
	awk -v s="$line" 'NR > s && /^\[root@zenserv ~\]# / { exit } NR > s' \
	    "$T/blog" | unwrap >"$T/want"
	t_same "$T/got" "$T/want" "blog transcript: xe ${args%% *} (whitespace as the author left it)"
done < <(grep -n '^\[root@zenserv ~\]# xe ' "$T/blog")

# --- xe: usage, parsing and errors -------------------------------------------

state basics
xe
t_status 0 "xe with no arguments exits 0"
t_nostdout "xe with no arguments prints nothing on stdout"
t_stderr '^Usage: xe <cmd> \[-s server\]' "and the usage on stderr"
xe --help
t_status 0 "xe --help exits 0"
t_stderr '^A full list of commands can be obtained by running $' \
    "xe --help prints the usage on stderr"
xe name-label=x vm-list
t_status 1 "a token with '=' where the command goes is a syntax error"
t_eq "$err" "$(printf "Syntax error: \nFor usage run: 'xe help'")" \
    "syntax error text"
xe vm-list foo=bar
t_status 1 "filtering on an unknown field fails"
t_eq "$err" "Error: Unknown field 'foo'" "unknown field text"
xe help
t_status 0 "xe help exits 0"
t_stdout '^Common command list$' "xe help lists the common commands"
xe help vm-start
t_stdout '^command name            : vm-start$' "xe help CMD shows the command"

U=$("$SIM/xe" vm-install template="Debian Bookworm 12" new-name-label=web1)
t_true "vm-install prints the new uuid" grep -Eqx '[0-9a-f-]{36}' <<<"$U"
xe vm-param-get uuid="$U" param-name=name-description
t_eq "$out" "Installed via xe CLI" "an installed VM's description"
xe vm-disk-list uuid="$U"
t_stdout '^Disk 0 VDI:$' "vm-install provisioned the template's disk"
t_stdout '^     virtual-size \( RO\): 10737418240$' "of the template's size"
xe vm-install template="No such template" new-name-label=x
t_eq "$err" "Error: No templates matched" "vm-install with an unknown template"
xe vm-param-set uuid="$U" other-config:hvsh-id=42 name-label=web1b
t_status 0 "vm-param-set of a map key and name-label"
t_nostdout "vm-param-set prints nothing"
xe vm-list other-config:hvsh-id=42 --minimal
t_eq "$out" "$U" "filter other-config:key=value finds it"
xe vm-list name-label=web1b params=uuid --minimal
t_eq "$out" "$U" "the new name-label is kept across calls"
xe vm-param-get uuid="$U" param-name=other-config param-key=hvsh-id
t_eq "$out" 42 "vm-param-get param-key"
xe vm-param-get uuid="$U" param-name=other-config param-key=nope
t_eq "$err" "Error: Key nope not found in map" "a missing map key"
xe vm-param-set uuid="$U" power-state=running
t_eq "$err" "Error: Field 'power-state' is read-only." "setting a read-only field"
xe vm-param-set uuid="$U" other-config=x
t_eq "$err" "Error: Field 'other-config' is a map or set. use the 'name:key=value' syntax." \
    "setting a map as a whole"
xe vm-param-remove uuid="$U" param-name=other-config param-key=hvsh-id
xe vm-param-get uuid="$U" param-name=other-config param-key=hvsh-id
t_status 1 "vm-param-remove took the key out"
xe vm-param-set uuid="$U" VCPUs-max=4 VCPUs-at-startup=2
t_status 0 "VCPUs-max and VCPUs-at-startup set on a halted VM"
xe vm-param-set uuid="$U" VCPUs-at-startup=8
t_status 1 "VCPUs-at-startup above VCPUs-max fails"
xe vm-memory-limits-set uuid="$U" static-min=512MiB dynamic-min=512MiB \
    dynamic-max=2GiB static-max=2GiB
t_status 0 "vm-memory-limits-set with size suffixes"
xe vm-param-get uuid="$U" param-name=memory-static-max
t_eq "$out" 2147483648 "memory-static-max in bytes"
xe vm-param-set uuid="$U" memory-dynamic-max=3GiB
t_eq "$(head -1 "$T/e")" "The dynamic memory range violates constraint static_min <= dynamic_min <= dynamic_max <= static_max." \
    "memory out of order is refused"
xe vm-param-set uuid="$U" memory-static-max=abc
t_eq "$err" "Error: Failed to parse field 'memory-static-max': expecting an integer (possibly with suffix KiB, MiB, GiB, TiB), got 'abc'" \
    "a bad size"

xe vm-start uuid="$U"
t_status 0 "vm-start"
xe vm-list uuid="$U" params=power-state,VCPUs-number,memory-actual
cat >"$T/want" <<'EOF'
power-state ( RO)      : running
    memory-actual ( RO): 2147483648
     VCPUs-number ( RO): 2


EOF
t_same "$T/o" "$T/want" "a running VM's memory-actual and VCPUs-number, in record order"
xe vm-list uuid="$U" params=VCPUs-utilisation
t_stdout '^VCPUs-utilisation \(MRO\)    : <expensive field>$' \
    "expensive fields are not computed in lists"
xe vm-param-get uuid="$U" param-name=VCPUs-utilisation
t_true "VCPUs-utilisation: one %.3f value per VCPU" \
    grep -Eqx '0: [0-9]\.[0-9]{3}; 1: [0-9]\.[0-9]{3}' "$T/o"
xe vm-data-source-query uuid="$U" data-source=memory
t_eq "$out" 2147483648.000000 "vm-data-source-query prints %f"
xe vm-param-set uuid="$U" memory-static-max=4GiB
t_stderr '^actual: running$' "static memory cannot change while running"
xe vm-suspend uuid="$U"
xe vm-param-get uuid="$U" param-name=power-state
t_eq "$out" suspended "vm-suspend"
xe vm-start uuid="$U"
t_eq "$(tail -2 "$T/e")" "$(printf 'expected: halted\nactual: suspended')" \
    "vm-start of a suspended VM: VM_BAD_POWER_STATE"
xe vm-resume uuid="$U"
xe vm-pause uuid="$U"
xe vm-param-get uuid="$U" param-name=power-state
t_eq "$out" paused "vm-resume then vm-pause"
xe vm-shutdown uuid="$U"
t_eq "$(tail -3 "$T/e")" "$(printf 'vm: %s (web1b)\nexpected: running\nactual: paused' "$U")" \
    "clean shutdown of a paused VM names the VM, expected and actual"
xe vm-reboot uuid="$U" --force
t_status 0 "vm-reboot --force of a paused VM"
xe vm-shutdown uuid="$U" --force
xe vm-shutdown uuid="$U" --force
t_eq "$(sed -n 3p "$T/e")" "expected: paused, suspended, running" \
    "hard shutdown of a halted VM: the expected states of xe.md"
xe vm-unpause uuid="$U"
t_eq "$(sed -n 3p "$T/e")" "expected: paused" "vm-unpause of a halted VM"

S1=$("$SIM/xe" vm-snapshot uuid="$U" new-name-label=before)
xe snapshot-list params=uuid --minimal
t_eq "$out" "$S1" "snapshot-list shows the snapshot"
xe vm-list uuid="$S1"
t_nostdout "vm-list leaves snapshots out"
xe vm-param-set uuid="$U" VCPUs-at-startup=1
xe snapshot-revert snapshot-uuid="$S1"
t_status 0 "snapshot-revert"
xe vm-param-get uuid="$U" param-name=VCPUs-at-startup
t_eq "$out" 2 "the revert restored the snapshot's settings"
xe snapshot-revert snapshot-uuid="$U"
t_eq "$err" "Error: This operation can only be performed on a VM snapshot. $U is not a VM snapshot." \
    "revert to something that is not a snapshot"
xe snapshot-uninstall snapshot-uuid="$S1" --force
t_stdout '^All objects destroyed$' "snapshot-uninstall --force"

SR=$("$SIM/xe" sr-list name-label="Local storage" --minimal)
D=$("$SIM/xe" vdi-create sr-uuid="$SR" name-label=data virtual-size=1GiB)
t_true "vdi-create prints the VDI uuid" grep -Eqx '[0-9a-f-]{36}' <<<"$D"
xe vdi-create sr-uuid="$SR" name-label=x virtual-size=abc
t_eq "$err" "Error: Failed to parse field 'virtual-size': expecting an integer (possibly with suffix KiB, MiB, GiB, TiB), got 'abc'" \
    "vdi-create with a bad size"
xe vdi-create sr-uuid=nosuch name-label=x virtual-size=1
t_eq "$err" "$(printf 'The uuid you supplied was invalid.\ntype: SR\nuuid: nosuch')" \
    "vdi-create on an unknown SR: UUID_INVALID"
B=$("$SIM/xe" vbd-create vm-uuid="$U" vdi-uuid="$D" device=1)
xe vbd-create vm-uuid="$U" vdi-uuid="$D" device=1
t_eq "$(head -1 "$T/e")" "A device with the name given already exists on the selected VM" \
    "vbd-create on a used device"
xe vbd-create vm-uuid="$U" device=5
t_eq "$err" "Error: Empty VBDs can only be made for type=CD" "an empty Disk VBD"
xe vbd-list vm-uuid="$U" params=vdi-uuid --minimal
t_true "vbd-list shows the new VBD" grep -q "$D" "$T/o"
xe vm-start uuid="$U"
xe vbd-param-get uuid="$B" param-name=device
t_eq "$out" xvdb "a started VM's VBD is attached as xvdb"
xe vdi-destroy uuid="$D"
t_eq "$(sed -n 3p "$T/e")" "operation: destroy" "vdi-destroy of an attached disk: VDI_IN_USE"
xe vbd-unplug uuid="$B"
xe vbd-destroy uuid="$B"
xe vdi-destroy uuid="$D"
t_status 0 "unplug, vbd-destroy and vdi-destroy"
xe vdi-list uuid="$D"
t_nostdout "the VDI is gone"

xe vm-destroy uuid="$U"
t_eq "$(sed -n 3p "$T/e")" "expected: halted, suspended" "vm-destroy of a running VM"
xe vm-uninstall uuid="$U" --force
t_stdout '^VM : .* \(web1b\)$' "vm-uninstall lists the VM"
t_stdout '^VDI: [0-9a-f-]{36} \(0\) $' "and the provisioned disk, with the trailing space of xapi"
t_stdout '^All objects destroyed$' "and destroys them"
xe vm-list uuid="$U"
t_nostdout "the VM is gone"

H=$("$SIM/xe" host-list --minimal)
xe host-param-get uuid="$H" param-name=cpu_info param-key=cpu_count
t_eq "$out" 4 "host-param-get cpu_info cpu_count"
xe host-cpu-info
t_stdout '^cpu_count            : 4$' "host-cpu-info"
xe host-param-get uuid="$H" param-name=memory-total
t_eq "$out" 17179869184 "host memory-total"
xe host-compute-free-memory
t_eq "$out" 16106127360 "free memory: total less dom0"
xe host-compute-free-memory --minimal
t_eq "$(od -An -c "$T/o" | tr -d ' ')" '\n' "--minimal drops plain messages"

# --- xe: concurrency -----------------------------------------------------------

state conc
C1=$("$SIM/xe" vm-install template="Other install media" new-name-label=c1)
mkdir -p "$T/c"
for i in 1 2 3 4 5 6 7 8 9 10; do
	("$SIM/xe" vm-start uuid="$C1" >/dev/null 2>"$T/c/se$i"; echo $? >"$T/c/s$i") &
	("$SIM/xe" vm-shutdown uuid="$C1" --force >/dev/null 2>"$T/c/he$i"; echo $? >"$T/c/h$i") &
done
wait
starts=$(cat "$T"/c/s[0-9]* | grep -c '^0$')
stops=$(cat "$T"/c/h[0-9]* | grep -c '^0$')
ps=$("$SIM/xe" vm-param-get uuid="$C1" param-name=power-state)
want=halted
[ $((starts - stops)) -eq 1 ] && want=running
t_true "20 concurrent vm-start/vm-shutdown: starts and stops alternate ($starts/$stops)" \
    test $((starts - stops)) -ge 0 -a $((starts - stops)) -le 1
t_eq "$ps" "$want" "and the final power state agrees"
t_true "every refused call got VM_BAD_POWER_STATE" \
    sh -c "cat '$T'/c/se* '$T'/c/he* | grep '^You attempted' | wc -l | grep -qx $((20 - starts - stops))"
t_true "the state file is valid JSON" \
    sh -c "python3 -m json.tool '$ST/xe.json' >/dev/null"
for i in $(seq 20); do
	"$SIM/xe" vm-install template="Other install media" new-name-label="p$i" >/dev/null &
done
wait
xe vm-list name-label=p7 --minimal
t_true "20 concurrent vm-install calls each stored their VM" \
    test "$("$SIM/xe" vm-list is-control-domain=false --minimal | tr , '\n' | wc -l)" -eq 21
for u in $("$SIM/xe" vm-list is-control-domain=false power-state=halted --minimal | tr , ' '); do
	"$SIM/xe" vm-start uuid="$u" &
done
wait
xe vm-list is-control-domain=false power-state=running --minimal
t_eq "$(tr , '\n' <"$T/o" | wc -l)" 21 "21 VMs started at once all run"
xe host-compute-free-memory
t_eq "$out" $((16106127360 - 21 * (268435456 + 2097152))) \
    "and the host's free memory accounts for each of them"

# --- xe: fault knobs ---------------------------------------------------------------

state faults
xe vm-list --minimal
normal=$out
: >"$ST/fault-fail-next"
xe vm-list --minimal
t_status 1 "fault-fail-next: the next call fails"
t_stderr '^The server failed to handle your request, due to an internal error\.' \
    "with xapi's internal error text on stderr"
t_stderr '^message: ' "and a message line"
t_true "fault-fail-next is used up" test ! -e "$ST/fault-fail-next"
xe vm-list --minimal
t_eq "$out" "$normal" "the call after it succeeds"
echo "custom failure" >"$ST/fault-fail-next"
xe vm-list
t_eq "$(sed -n 2p "$T/e")" "message: custom failure" "fault-fail-next's text becomes the message"
touch "$ST/fault-truncate"
"$SIM/xe" vm-list >"$T/full" 2>&1
rm "$ST/fault-truncate"
"$SIM/xe" vm-list >"$T/o"
head -c $(($(wc -c <"$T/o") / 2)) "$T/o" >"$T/want"
t_same "$T/full" "$T/want" "fault-truncate: only the first half of the output"
touch "$ST/fault-garbage"
xe vm-list
t_status 0 "fault-garbage keeps the exit status"
t_true "fault-garbage: the output is not the record" sh -c "! grep -q 'name-label ( RW)' '$T/o'"
rm "$ST/fault-garbage"
touch "$ST/fault-hang"
timeout 1 "$SIM/xe" vm-list >/dev/null 2>&1
status=$?
t_status 124 "fault-hang: the call never answers (killed by timeout)"
rm "$ST/fault-hang"
V=$("$SIM/xe" vm-install template="Other install media" new-name-label=h)
echo after >"$ST/fault-hang"
timeout 1 "$SIM/xe" vm-start uuid="$V" >/dev/null 2>&1
status=$?
rm "$ST/fault-hang"
t_status 124 "fault-hang 'after': the call hangs too"
xe vm-param-get uuid="$V" param-name=power-state
t_eq "$out" running "but only once the operation took effect"
echo "xe vm-list 0.6" >"$ST/delays"
t0=$(date +%s%N)
HVSH_SIM_SPEED=1 "$SIM/xe" vm-list >/dev/null
t1=$(date +%s%N)
t_true "the delays knob and HVSH_SIM_SPEED set operation times" \
    test $(((t1 - t0) / 1000000)) -ge 600
# A delay far longer than any call takes, even on a loaded machine: the
# call ends long before it only if the delay is off.
echo "xe vm-list 30" >"$ST/delays"
echo 0 >"$ST/speed"
t0=$(date +%s%N)
env -u HVSH_SIM_SPEED "$SIM/xe" vm-list >/dev/null
t1=$(date +%s%N)
t_true "a speed file of 0 turns the delays off" \
    test $(((t1 - t0) / 1000000)) -lt 15000

# --- vmrun: the samples --------------------------------------------------------------

# mkvm PATH [KEY=VALUE...]: a small .vmx in the format of vmrun.md section 5.
mkvm() {
	local p=$1
	shift
	mkdir -p "$(dirname "$p")"
	{
		echo '.encoding = "UTF-8"'
		echo "displayName = \"$(basename "${p%.vmx}")\""
		echo 'config.version = "8"'
		echo 'virtualHW.version = "19"'
		echo 'guestOS = "otherlinux-64"'
		echo 'memsize = "32"'
		echo 'numvcpus = "1"'
		echo 'ethernet0.present = "TRUE"'
		echo 'ethernet0.connectionType = "nat"'
		echo 'hvsh.id = "vm-0001"'
		for kv in "$@"; do echo "${kv%%=*} = \"${kv#*=}\""; done
	} >"$p"
}

state vmrun
mkvm "$T/root/vmware/CentOS-mysql/CentOS-mysql.vmx"
mkvm "$T/root/vmware/CentOS-svn-bak/CentOS-mysql.vmx"
vmrun list
t_eq "$out" "Total running VMs: 0" "vmrun list with nothing running: the header only"
vmrun start "$T/root/vmware/CentOS-mysql/CentOS-mysql.vmx" nogui
t_status 0 "vmrun start exits 0"
t_nostdout "vmrun start prints nothing"
vmrun -T ws start "$T/root/vmware/CentOS-svn-bak/CentOS-mysql.vmx"
vmrun list
sed "s#^$T##" "$T/o" >"$T/got"
sample vmrun-list-blog-zh.txt >"$T/want"
t_same "$T/got" "$T/want" "vmrun list: sample vmrun-list-blog-zh (the lab's prefix taken off)"

state packer
mkvm "$T/opt/packer/output-vmware-vmx/windows2012r2-vanilla-1473415423.vmx"
(cd "$T/opt/packer" &&
    "$SIM/vmrun" -T ws start output-vmware-vmx/windows2012r2-vanilla-1473415423.vmx nogui)
vmrun -T ws list
sed "s#^$T##" "$T/o" >"$T/got"
sample vmrun-list-packer-issue-3878.txt >"$T/want"
t_same "$T/got" "$T/want" "vmrun -T ws list: sample from packer #3878 (a relative start is listed absolute)"

state vmrunerr
E=vmrun-errors-captured.txt
mkvm "$T/home/cbednarski/code/epic/.lovm/epic/epic.vmx"
cd "$T/home/cbednarski/code/epic" || exit 1
vmrun stop .lovm/epic/epic.vmx
sed "s#: $T/#: /#" "$T/o" >"$T/got"
block $E "cbednarski/lovm vmware/notes.md @" >"$T/want"
t_same "$T/got" "$T/want" "vmrun stop of a stopped VM: relative path in, absolute out (lovm)"
t_status 255 "vmrun errors exit 255"
t_nostderr "vmrun errors go to stdout, stderr empty"
"$SIM/vmrun" start .lovm/epic/epic.vmx nogui
vmrun deleteVM .lovm/epic/epic.vmx
block $E "cbednarski/lovm vmware/notes.md : \`vmrun deleteVM" >"$T/want"
t_same "$T/o" "$T/want" "vmrun deleteVM of a running VM (lovm)"
cd "$T" || exit 1
p="$T/Volumes/LaCie/Vagrant/.vagrant/machines/default/vmware_fusion/567e8798-09c4-45f0-a765-014aeca6a986/owz.vmx"
mkdir -p "$(dirname "$p")"
printf '\000\001garbage, not a vmx\n' >"$p"
vmrun start "$p" nogui
sed "s#: $T/#: /#" "$T/o" >"$T/got"
block $E "cloudfoundry-attic/bosh-lite" >"$T/want"
t_same "$T/got" "$T/want" "vmrun start of an unreadable vmx (bosh-lite)"
vmrun start '/Users/huatai/Virtual\ Machines.localized/centos7_base.vmwarevm/centos7_base.vmx'
block $E "public notes (index id 4666530628)" >"$T/want"
t_same "$T/o" "$T/want" "vmrun start of a missing vmx, byte for byte"
p="$T/home/chesszyh/vmware/Windows11/Windows 11 x64.vmx"
mkvm "$p" "encryption.keySafe=sim:right"
vmrun -vp wrong start "$p"
sed "s#: $T/#: /#" "$T/o" >"$T/got"
block $E "public notes (index id 58025880755)" >"$T/want"
t_same "$T/got" "$T/want" "vmrun -vp with the wrong password of an encrypted VM"
vmrun -vp right start "$p"
t_status 0 "and with the right one it starts"
p="$T/Users/jconover/src/vagrant/pe-vagrant-all/.vagrant/machines/master/vmware_fusion/722ef238-ad01-428c-adf7-f979c9aee6bf/packer-centos-6.6-x86_64.vmx"
mkvm "$p"
"$SIM/vmrun" start "$p" nogui
printf '%s\n' "$p" >"$ST/vmrun-no-tools"
vmrun addSharedFolder "$p" share /tmp
sed "s#: $T/#: /#" "$T/o" >"$T/got"
block $E "vagrant issue output quoted" >"$T/want"
t_same "$T/got" "$T/want" "vmrun addSharedFolder without VMware Tools running"
rm "$ST/vmrun-no-tools"
for m in "hashicorp/vagrant issue #2159" "hashicorp/vagrant issue #9224" \
    "hashicorp/vagrant issue #6216"; do
	block $E "$m" >"$ST/fault-fail-next"
	vmrun start "$p" nogui
	block $E "$m" >"$T/want"
	t_same "$T/o" "$T/want" "fault-fail-next replays the Fusion failure of $m"
	t_status 255 "and exits 255"
done
echo fusion >"$ST/vmrun-product"
vmrun -T player list
block $E "hashicorp/vagrant-vmware-desktop issue #78" >"$T/want"
t_same "$T/o" "$T/want" "vmrun -T player list on Fusion (vagrant-vmware-desktop #78)"
rm "$ST/vmrun-product"

vmrun
sample vmrun-help-ws17-player.txt >"$T/want"
t_same "$T/o" "$T/want" "vmrun with no arguments: the usage text of vmrun 17 byte for byte"
t_status 255 "and exits 255"
vmrun frobnicate x.vmx
t_eq "$out" "Error: Unrecognized command: frobnicate" "an unknown vmrun command"

# The .vmx of the LOVM fixture survives the simulator untouched.
state vmx
mkdir -p "$T/vmx/centos"
sample vmx-centos-lovm-fixture.vmx.txt >"$T/vmx/centos/centos.vmx"
cp "$T/vmx/centos/centos.vmx" "$T/fixture"
vmrun start "$T/vmx/centos/centos.vmx" nogui
t_same "$T/vmx/centos/centos.vmx" "$T/fixture" "starting the lovm fixture VM leaves its .vmx byte for byte"
vmrun writeVariable "$T/vmx/centos/centos.vmx" runtimeConfig memsize 4096
sed 's/^memsize = "2048"$/memsize = "4096"/' "$T/fixture" >"$T/want"
t_same "$T/vmx/centos/centos.vmx" "$T/want" "writeVariable runtimeConfig changes that one line only"
vmrun readVariable "$T/vmx/centos/centos.vmx" runtimeConfig MEMSIZE
t_eq "$out" 4096 "readVariable runtimeConfig (keys match without case)"
vmrun readVariable "$T/vmx/centos/centos.vmx" runtimeConfig displayName
t_eq "$out" "Clone of centos7" "readVariable runtimeConfig displayName"
vmrun writeVariable "$T/vmx/centos/centos.vmx" guestVar color blue
vmrun readVariable "$T/vmx/centos/centos.vmx" guestVar color
t_eq "$out" blue "guestVar round trip"
vmrun stop "$T/vmx/centos/centos.vmx" hard
vmrun readVariable "$T/vmx/centos/centos.vmx" guestVar color
t_eq "$out" "Error: The virtual machine is not powered on: $T/vmx/centos/centos.vmx" \
    "readVariable of a powered-off VM"

# vmware-vdiskmanager, the docker-machine capture.
state vdm
vdm -c -t 0 -s 20GB -a lsilogic "$T/default.vmdk"
printf "Creating disk '%s'\nVirtual disk creation successful.\n" "$T/default.vmdk" >"$T/got"
block vdiskmanager-create-captures.txt "(docker-machine)" |
    sed "s#'C:.*'#'$T/default.vmdk'#" >"$T/want"
t_same "$T/o" "$T/want" "vmware-vdiskmanager -c: the docker-machine capture (path substituted)"
t_status 0 "vmware-vdiskmanager exits 0"
t_true "it wrote a disk descriptor" grep -q '^ddb.adapterType = "lsilogic"$' "$T/default.vmdk"
vdm -c -t 0 -s 20GB -a lsilogic "$T/default.vmdk"
t_true "it refuses to overwrite a disk" test "$status" -ne 0

# --- vmrun: behaviour -----------------------------------------------------------

state vmrun2
VM=$T/vms/a/a.vmx
mkvm "$VM" 'scsi0.present=TRUE' 'scsi0:0.present=TRUE' 'scsi0:0.fileName=a.vmdk'
"$SIM/vmware-vdiskmanager" -c -s 1GB -a lsilogic -t 0 "$T/vms/a/a.vmdk" >/dev/null
vmrun start "$VM" nogui
t_true "start gives the NIC a generated MAC in the .vmx" \
    grep -q '^ethernet0.generatedAddress = "00:0c:29:' "$VM"
t_true "and keeps custom keys" grep -q '^hvsh.id = "vm-0001"$' "$VM"
vmrun start "$VM" nogui
t_status 0 "start of a running VM succeeds quietly"
vmrun getGuestIPAddress "$VM"
t_true "getGuestIPAddress prints an IPv4 address" grep -Eqx '192\.168\.[0-9]+\.[0-9]+' "$T/o"
vmrun checkToolsState "$VM"
t_eq "$out" running "checkToolsState of a running VM"
vmrun pause "$VM"
vmrun list
t_eq "$(sed -n 2p "$T/o")" "$VM" "a paused VM is still listed"
vmrun unpause "$VM"
vmrun snapshot "$VM" one
vmrun snapshot "$VM" two
vmrun revertToSnapshot "$VM" one
vmrun snapshot "$VM" three
vmrun listSnapshots "$VM" showTree
printf 'Total snapshots: 3\none\n\ttwo\n\tthree\n' >"$T/want"
t_same "$T/o" "$T/want" "listSnapshots showTree indents children by a tab"
vmrun list
t_eq "$out" "Total running VMs: 0" "revert to a snapshot of the running VM leaves it suspended, unlisted"
t_true "suspended VMs have a .vmss file (as vagrant checks)" test -e "$T/vms/a/a.vmss"
vmrun snapshot "$VM" one
vmrun deleteSnapshot "$VM" one
t_eq "$out" "Error: The name does not uniquely identify one snapshot" "an ambiguous snapshot name"
vmrun deleteSnapshot "$VM" one/two
t_status 0 "a snapshot path disambiguates"
vmrun revertToSnapshot "$VM" nope
t_status 255 "revert to a missing snapshot fails"
vmrun clone "$VM" "$T/vms/b/b.vmx" full -cloneName=bee
t_status 0 "clone full"
t_true "the clone has its own disk" test -e "$T/vms/b/a-cl1.vmdk"
vmrun readVariable "$T/vms/b/b.vmx" runtimeConfig displayName
t_eq "$out" "Error: The virtual machine is not powered on: $T/vms/b/b.vmx" \
    "the clone is not running"
t_true "the clone is named by -cloneName" grep -q '^displayName = "bee"$' "$T/vms/b/b.vmx"
vmrun start "$VM"
vmrun suspend "$VM"
vmrun stop "$VM"
t_eq "$out" "Error: The virtual machine is not powered on: $VM" "stop of a suspended VM"
vmrun start "$VM"
printf '%s\n' '*' >"$ST/vmrun-no-tools"
vmrun stop "$VM" soft
t_eq "$out" "Error: The VMware Tools are not running in the virtual machine: $VM" \
    "a soft stop needs VMware Tools"
vmrun stop "$VM" hard
t_status 0 "a hard stop does not"
rm "$ST/vmrun-no-tools"
vmrun deleteVM "$VM"
t_true "deleteVM removes the VM's files" test ! -e "$VM" -a ! -e "$T/vms/a/a.vmdk"

state vmconc
for i in $(seq 20); do mkvm "$T/c/v$i/v$i.vmx"; done
for i in $(seq 20); do "$SIM/vmrun" start "$T/c/v$i/v$i.vmx" nogui & done
wait
vmrun list
t_eq "$(head -1 "$T/o")" "Total running VMs: 20" "20 concurrent vmrun start calls: all listed"
for i in $(seq 20); do "$SIM/vmrun" stop "$T/c/v$i/v$i.vmx" hard & done
for i in $(seq 20); do "$SIM/vmrun" start "$T/c/v$i/v$i.vmx" nogui & done
wait
vmrun list
n=$(($(wc -l <"$T/o") - 1))
t_eq "$(head -1 "$T/o")" "Total running VMs: $n" "mixed concurrent starts and stops: the count matches the list"

# vmrun faults.
: >"$ST/fault-fail-next"
vmrun list
t_eq "$out" "Error: Unknown error" "vmrun fault-fail-next: a generic error"
t_status 255 "exit 255"
vmrun list
t_status 0 "then normal again"
touch "$ST/fault-hang"
timeout 1 "$SIM/vmrun" list >/dev/null 2>&1
status=$?
t_status 124 "vmrun fault-hang"
rm "$ST/fault-hang"
touch "$ST/fault-truncate"
"$SIM/vmrun" list >"$T/half"
rm "$ST/fault-truncate"
"$SIM/vmrun" list >"$T/o"
head -c $(($(wc -c <"$T/o") / 2)) "$T/o" >"$T/want"
t_same "$T/half" "$T/want" "vmrun fault-truncate"
touch "$ST/fault-garbage"
"$SIM/vmrun" list >"$T/g"
rm "$ST/fault-garbage"
t_true "vmrun fault-garbage" sh -c "! grep -q 'Total running VMs' '$T/g'"
