/*
 * drv-vmrun.c: the VMware Workstation driver. It runs vmrun and
 * vmware-vdiskmanager on the host (shared/hv-formats/vmrun.md) and reads
 * their answers with the parsers of hvout-vmrun.c.
 *
 * vmrun lists only the VMs that run, so hvsh keeps the VMs it manages in
 * one directory on the host, in the home of the account it logs in as:
 *
 *	$HOME/hvsh-vms/NAME/NAME.vmx	the VM, written by hvsh at create
 *	$HOME/hvsh-vms/NAME/NAME.vmdk	its disk
 *
 * A refresh reads every .vmx found there. An operation names the .vmx: the
 * target's path when it has one (an absolute .vmx path, anywhere), else the
 * one above for its name. $HOME is known only to the remote shell, so that
 * path is built on the host by a constant script that gets the name as a
 * positional parameter: names and host data stay data, never script text.
 *
 * vmrun's -T names the product: "ws" (Workstation, which Player accepts
 * too), "fusion" or "player", as the host's facts say (hv_facts.product,
 * from the probe); a target, spec or request without one means "ws". A
 * refresh, which knows no facts, picks by the host's uname -s.
 *
 * Data volumes hvsh makes live in $HOME/hvsh-volumes unless a pool (a
 * directory) is named; they are attached by editing the .vmx while the VM
 * is off (scsi0:N, N from 1, 7 being the controller's), never while VMware
 * holds it open (the .vmx.lck directory).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "err.h"
#include "hvout.h"
#include "name.h"
#include "util.h"

#define MiB		((int64_t)1024 * 1024)
#define GiB		(MiB * 1024)
#define BASE_SNAPSHOT	"hvsh-base"

/*
 * An operation on a VM known by name: $1 the name, $2 the product, $3 the
 * vmrun command, then that command's words after the path.
 */
#define OP_SCRIPT \
	"n=$1 t=$2 c=$3; shift 3; " \
	"exec vmrun -T \"$t\" \"$c\" \"$HOME/hvsh-vms/$n/$n.vmx\" \"$@\""

/*
 * The refresh's look at the managed directory. For each .vmx: a line
 * "@@vmx S PATH" (S is 1 when a .vmss, a suspended VM's memory, is in its
 * directory, which is how vagrant tells suspended from off), every line of
 * the file behind a '|' (so no line of a .vmx can pass for one of these,
 * and a last line without a newline gets one), and "@@end STATUS". A path
 * with a control character cannot be framed on one line; hvsh never makes
 * one (names are allow-listed), so such a file is left out.
 */
#define VMX_SCRIPT \
	"for f in \"$HOME\"/hvsh-vms/*/*.vmx; do " \
	"[ -f \"$f\" ] || continue; " \
	"case $f in *[[:cntrl:]]*) continue;; esac; " \
	"set -- \"${f%/*}\"/*.vmss; s=0; [ -f \"$1\" ] && s=1; " \
	"printf '@@vmx %s %s\\n' \"$s\" \"$f\"; " \
	"awk '{ print \"|\" $0 }' <\"$f\"; " \
	"echo \"@@end $?\"; " \
	"done"

/*
 * The host's CPUs and memory: "@linux", nproc and /proc/meminfo, or
 * "@darwin", sysctl's hw.ncpu and hw.memsize and vm_stat on macOS.
 */
#define HOST_SCRIPT \
	"case $(uname -s) in " \
	"Darwin) echo @darwin; sysctl -n hw.ncpu hw.memsize && vm_stat;; " \
	"*) echo @linux; nproc && cat /proc/meminfo;; esac"

/* vmrun list with the -T of the host: fusion on macOS, else ws. */
#define LIST_SCRIPT \
	"case $(uname -s) in Darwin) t=fusion;; *) t=ws;; esac; " \
	"exec vmrun -T \"$t\" list"

/*
 * The detail of one VM, $1 its .vmx, in words of ours only: "gone" (no
 * such file), "on S", "off S" (S: a .vmss is beside it) or "unknown".
 * readVariable answers only for a powered-on VM and fails with "not
 * powered on" for one that is off, naming the VM by its own path: unlike
 * list, its answer cannot be forged by another VM's path. The value read
 * is thrown away.
 */
#define DETAIL_SCRIPT \
	"v=$1; [ -f \"$v\" ] || { echo gone; exit 0; }; " \
	"s=0; for x in \"${v%/*}\"/*.vmss; do [ -f \"$x\" ] && s=1; done; " \
	"case $(uname -s) in Darwin) t=fusion;; *) t=ws;; esac; " \
	"if o=$(vmrun -T \"$t\" readVariable \"$v\" runtimeConfig " \
	"displayName 2>&1 </dev/null); then echo \"on $s\"; exit 0; fi; " \
	"case $o in 'Error: The virtual machine is not powered on'*) " \
	"echo \"off $s\";; *) echo unknown;; esac"

/*
 * The state of some VMs: $1 the nonce, then per VM its .vmx and "", or ""
 * and its name. vmrun list once, with its marker, then a line "E S PATH"
 * per VM (E: the .vmx is there, S: a .vmss is beside it; PATH empty if it
 * holds a control character) and a last marker.
 */
#define STATE_SCRIPT \
	"m=$1; shift; " \
	"case $(uname -s) in Darwin) t=fusion;; *) t=ws;; esac; " \
	"vmrun -T \"$t\" list </dev/null; echo \"@@hvsh-$m:$?@@\"; " \
	"while [ $# -ge 2 ]; do " \
	"v=$1; [ -n \"$v\" ] || v=$HOME/hvsh-vms/$2/$2.vmx; shift 2; " \
	"e=0; [ -f \"$v\" ] && e=1; " \
	"s=0; for x in \"${v%/*}\"/*.vmss; do [ -f \"$x\" ] && s=1; done; " \
	"case $v in *[[:cntrl:]]*) v=;; esac; " \
	"printf '%s %s %s\\n' \"$e\" \"$s\" \"$v\"; " \
	"done; echo \"@@hvsh-$m:0@@\""

/*
 * What the probe looks at to tell the product: the OS, Fusion's
 * application, and Workstation's and Player's programs.
 */
#define PRODUCT_SCRIPT \
	"printf 'os %s\\n' \"$(uname -s)\"; " \
	"f=0; [ -d '/Applications/VMware Fusion.app' ] && f=1; " \
	"printf 'fusion %s\\n' \"$f\"; " \
	"w=0; command -v vmware >/dev/null 2>&1 && w=1; " \
	"printf 'vmware %s\\n' \"$w\"; " \
	"p=0; command -v vmplayer >/dev/null 2>&1 && p=1; " \
	"printf 'vmplayer %s\\n' \"$p\""

/*
 * Pieces of the scripts that edit a .vmx. The awk programs read their
 * values from the environment (awk -v would undo backslashes), never from
 * their own text. ENTRY splits a line into key (lower case, no blanks)
 * and val (no quotes).
 */
#define AWK_ENTRY \
	"l = $0; sub(/\\r$/, \"\", l); j = index(l, \"=\"); " \
	"if (j == 0) next; key = tolower(substr(l, 1, j - 1)); " \
	"gsub(/[ \\t]/, \"\", key); val = substr(l, j + 1); " \
	"sub(/^[ \\t]*\"?/, \"\", val); sub(/\"?[ \\t]*$/, \"\", val); "

/*
 * vset KV: sets the keys of KV ("key=value" lines; an empty value removes
 * the key) in the .vmx $v: every line of those keys goes, new ones are
 * appended, all other lines stay; written beside it and renamed.
 */
#define SH_VSET \
	"vset() { HVSH_KV=$1 awk '" \
	"BEGIN { n = split(ENVIRON[\"HVSH_KV\"], kv, \"\\n\"); " \
	"for (i = 1; i <= n; i++) { j = index(kv[i], \"=\"); " \
	"if (j == 0) continue; k = substr(kv[i], 1, j - 1); " \
	"o[++m] = tolower(k); key[tolower(k)] = k; " \
	"val[tolower(k)] = substr(kv[i], j + 1) } } " \
	"{ l = $0; sub(/\\r$/, \"\", l); j = index(l, \"=\"); " \
	"if (j > 0) { k = tolower(substr(l, 1, j - 1)); " \
	"gsub(/[ \\t]/, \"\", k); if (k in key) next } print } " \
	"END { for (i = 1; i <= m; i++) if (val[o[i]] != \"\") " \
	"print key[o[i]] \" = \\\"\" val[o[i]] \"\\\"\" }' " \
	"\"$v\" >\"$v.hvsh-tmp\" && mv -f -- \"$v.hvsh-tmp\" \"$v\" || " \
	"{ rm -f -- \"$v.hvsh-tmp\"; echo \"Error: Cannot write the virtual " \
	"machine configuration file: $v\"; exit 255; }; }; "

/* The root disk of the .vmx $1: scsi0:0's, else the first .vmdk named. */
#define SH_ROOT \
	"root() { r=$(awk '{ " AWK_ENTRY \
	"if (key !~ /^(scsi|sata|nvme|ide)[0-9]+:[0-9]+\\.filename$/ || " \
	"tolower(val) !~ /\\.vmdk$/) next; " \
	"if (key == \"scsi0:0.filename\") r = val; " \
	"else if (f == \"\") f = val } " \
	"END { print (r != \"\" ? r : f) }' \"$1\"); " \
	"case $r in \"\" | /*) ;; *) r=\"${1%/*}/$r\";; esac; }; "

/* $v from $1 (a .vmx path) or $2 (a name), and it must exist. */
#define SH_VMX \
	"v=\"${1:-$HOME/hvsh-vms/$2/$2.vmx}\"; " \
	"[ -f \"$v\" ] || { echo \"Error: Cannot open VM: $v, The virtual " \
	"machine cannot be found\"; exit 255; }; "

/* VMware holds a .vmx.lck directory while the VM is powered on. */
#define SH_OFF \
	"if [ -d \"$v.lck\" ]; then echo \"Error: The virtual machine should " \
	"not be powered on. It is already running.\"; exit 255; fi; "

/*
 * Attach: $1 .vmx or "", $2 name, $3 the .vmdk, $4 "scsi0:N" or "" to
 * pick the first free slot. Prints the device.
 */
#define ATTACH_SCRIPT \
	SH_VSET SH_VMX SH_OFF \
	"[ -f \"$3\" ] || { echo \"Error: The virtual disk does not exist: " \
	"$3\"; exit 255; }; " \
	"r=$(K=$3 D=$4 awk 'BEGIN { k = ENVIRON[\"K\"]; d = ENVIRON[\"D\"]; " \
	"sub(/^scsi0:/, \"\", d) } { " AWK_ENTRY \
	"if (key == \"scsi0.virtualdev\") vd = 1; " \
	"if (key !~ /^scsi0:[0-9]+\\./) next; " \
	"s = substr(key, 7); sub(/\\..*/, \"\", s); " \
	"if (key ~ /\\.present$/ && toupper(val) == \"TRUE\") used[s + 0] = 1; " \
	"if (key ~ /\\.filename$/ && val == k) dup = 1 } " \
	"END { if (dup) { print \"dup\"; exit } " \
	"if (d != \"\") { if ((d + 0) in used) print \"busy\"; " \
	"else print (d + 0) \" \" (vd + 0); exit } " \
	"for (i = 1; i < 16; i++) if (i != 7 && !(i in used)) " \
	"{ print i \" \" (vd + 0); exit } print \"full\" }' \"$v\"); " \
	"case $r in " \
	"dup) echo \"Error: The virtual disk already exists in the virtual " \
	"machine: $3\"; exit 255;; " \
	"busy) echo \"Error: The device is already in use: $4\"; exit 255;; " \
	"full) echo \"Error: The virtual machine has no free SCSI slot\"; " \
	"exit 255;; " \
	"[0-9]*) ;; " \
	"*) echo \"Error: Cannot read the virtual machine configuration " \
	"file: $v\"; exit 255;; esac; " \
	"n=${r% *}; c=''; [ \"${r#* }\" = 1 ] || c='\nscsi0.virtualDev=lsilogic'; " \
	"vset \"scsi0.present=TRUE$c\nscsi0:$n.present=TRUE\n" \
	"scsi0:$n.fileName=$3\nscsi0:$n.deviceType=scsi-hardDisk\"; " \
	"printf 'scsi0:%s\\n' \"$n\""

/* Detach: $1 .vmx or "", $2 name, $3 the .vmdk, $4 "scsi0:N" or "". */
#define DETACH_SCRIPT \
	SH_VSET SH_VMX SH_OFF \
	"n=$(K=$3 D=$4 awk 'BEGIN { k = ENVIRON[\"K\"]; d = ENVIRON[\"D\"]; " \
	"sub(/^scsi0:/, \"\", d) } { " AWK_ENTRY \
	"if (key !~ /^scsi0:[0-9]+\\.filename$/ || val != k) next; " \
	"s = substr(key, 7); sub(/\\..*/, \"\", s); " \
	"if (s + 0 > 0 && (d == \"\" || d + 0 == s + 0)) { print s + 0; " \
	"exit } }' \"$v\"); " \
	"[ -n \"$n\" ] || { echo \"Error: The virtual disk cannot be found " \
	"in the virtual machine: $3\"; exit 255; }; " \
	"vset \"scsi0:$n.present=\nscsi0:$n.fileName=\nscsi0:$n.deviceType=\""

/* Resize: $1 the .vmdk, $2 the size, $3 .vmx or "", $4 name or "". */
#define RESIZE_SCRIPT \
	"[ -f \"$1\" ] || { echo \"Error: The virtual disk does not exist: " \
	"$1\"; exit 255; }; " \
	"if [ -n \"$3$4\" ]; then v=\"${3:-$HOME/hvsh-vms/$4/$4.vmx}\"; " \
	SH_OFF "fi; " \
	"if [ -d \"$1.lck\" ]; then echo \"Error: The virtual disk is in use: " \
	"$1\"; exit 255; fi; " \
	"o=$(vmware-vdiskmanager -x \"$2\" \"$1\" 2>&1) || " \
	"{ printf '%s\\n' \"$o\"; echo \"Error: Cannot expand the virtual " \
	"disk: $1\"; exit 255; }; " \
	"printf '%s\\n' \"$1\""

/*
 * Remove: $1 the .vmdk, and the extents its descriptor names beside it
 * (a split or flat disk); vmware-vdiskmanager cannot delete.
 */
#define REMOVE_SCRIPT \
	"[ -e \"$1\" ] || { echo \"Error: The virtual disk does not exist: " \
	"$1\"; exit 255; }; " \
	"if [ -d \"$1.lck\" ]; then echo \"Error: The virtual disk is in use: " \
	"$1\"; exit 255; fi; " \
	"d=${1%/*}; " \
	"LC_ALL=C sed -n 's/^RW [0-9][0-9]* [A-Z][A-Z]* \"\\([^\"/][^\"/]*\\)\".*/\\1/p' " \
	"\"$1\" 2>/dev/null | while IFS= read -r e; do " \
	"[ \"$d/$e\" = \"$1\" ] || rm -f -- \"$d/$e\"; done; " \
	"rm -f -- \"$1\" || { echo \"Error: Cannot delete the virtual disk: " \
	"$1\"; exit 255; }"

/* Pool info: $1 a directory, or "" for the default one. */
#define POOL_SCRIPT \
	"d=\"${1:-$HOME/hvsh-volumes}\"; [ -n \"$1\" ] || mkdir -p -- \"$d\"; " \
	"[ -d \"$d\" ] || { echo \"Error: The directory does not exist: $d\"; " \
	"exit 255; }; " \
	"exec df -P -k -- \"$d\""

/* Volume create: $1 directory or "", $2 the name, $3 the size. */
#define VOLUME_SCRIPT \
	"d=\"${1:-$HOME/hvsh-volumes}\"; [ -n \"$1\" ] || mkdir -p -- \"$d\"; " \
	"[ -d \"$d\" ] || { echo \"Error: The directory does not exist: $d\"; " \
	"exit 255; }; " \
	"k=\"$d/$2.vmdk\"; " \
	"if [ -e \"$k\" ]; then echo \"Error: The file already exists: $k\"; " \
	"exit 255; fi; " \
	"o=$(vmware-vdiskmanager -c -t 0 -s \"$3\" -a lsilogic \"$k\" 2>&1) || " \
	"{ printf '%s\\n' \"$o\"; echo \"Error: Cannot create the virtual " \
	"disk: $k\"; exit 255; }; " \
	"printf '%s\\n' \"$k\""

/*
 * Capture: $1 .vmx or "", $2 name, $3 product, $4 the new .vmx, $5 a
 * snapshot or "". A full clone; prints its .vmx and its root disk's
 * virtual size (the sectors of the descriptor's extents; 0 if unknown).
 */
#define CAPTURE_SCRIPT \
	SH_ROOT SH_VMX \
	"p=$4; [ -d \"${p%/*}/\" ] || { echo \"Error: The directory does not " \
	"exist: ${p%/*}\"; exit 255; }; " \
	"if [ -n \"$5\" ]; then vmrun -T \"$3\" clone \"$v\" \"$p\" full " \
	"\"-snapshot=$5\"; else vmrun -T \"$3\" clone \"$v\" \"$p\" full; " \
	"fi || exit; " \
	"root \"$p\"; n=0; if [ -n \"$r\" ]; then " \
	"n=$(LC_ALL=C grep -a '^RW [0-9]' -- \"$r\" 2>/dev/null | " \
	"awk '{ s += $2 } END { printf \"%.0f\\n\", s * 512 }'); fi; " \
	"printf '%s\\n%s\\n' \"$p\" \"${n:-0}\""

/* Image sum: $1 a file. */
#define SUM_SCRIPT \
	"[ -f \"$1\" ] || { echo \"Error: The file does not exist: $1\"; " \
	"exit 255; }; " \
	"case $(uname -s) in Darwin) exec shasum -a 256 -- \"$1\";; " \
	"*) exec sha256sum -- \"$1\";; esac"

/*
 * Set id: $1 .vmx or "", $2 name, $3 product, $4 the id. Into the .vmx
 * while the VM is off; through vmrun's runtimeConfig while it runs.
 */
#define SETID_SCRIPT \
	SH_VSET SH_VMX \
	"if [ -d \"$v.lck\" ]; then exec vmrun -T \"$3\" writeVariable \"$v\" " \
	"runtimeConfig hvsh.id \"$4\"; fi; " \
	"vset \"hvsh.id=$4\""

/*
 * Create: $1 the name, $2 the .vmx text, $3 the disk size for
 * vmware-vdiskmanager ("" for none), $4 a .vmdk on the host to copy with
 * vmware-vdiskmanager -r instead ("" for none). The .vmx gets its name
 * only once the disk exists, so a refresh never sees half a VM; a failure
 * removes what was made. Its failures are "Error: ..." lines on stdout
 * with exit status 255, as vmrun's own, so one parser reads both. Prints
 * the .vmx path, and the disk's if it made one.
 */
#define CREATE_SCRIPT \
	"d=\"$HOME/hvsh-vms/$1\"; v=\"$d/$1.vmx\"; k=\"$d/$1.vmdk\"; " \
	"fail() { echo \"Error: $1\"; rm -f -- \"$v.tmp\" \"$k\"; " \
	"rmdir -- \"$d\"; exit 255; }; " \
	"mkdir -p -- \"$HOME/hvsh-vms\" || " \
	"{ echo \"Error: Cannot create the directory: $HOME/hvsh-vms\"; " \
	"exit 255; }; " \
	"if [ -e \"$d\" ]; then " \
	"echo \"Error: The file already exists: $d\"; exit 255; fi; " \
	"if [ -n \"$4\" ] && [ ! -f \"$4\" ]; then " \
	"echo \"Error: The virtual disk does not exist: $4\"; exit 255; fi; " \
	"mkdir -- \"$d\" || " \
	"{ echo \"Error: Cannot create the directory: $d\"; exit 255; }; " \
	"printf '%s' \"$2\" >\"$v.tmp\" || " \
	"fail \"Cannot write the virtual machine configuration file: $v\"; " \
	"if [ -n \"$4\" ]; then " \
	"o=$(vmware-vdiskmanager -r \"$4\" -t 0 \"$k\" 2>&1) || " \
	"{ printf '%s\\n' \"$o\"; " \
	"fail \"Cannot copy the virtual disk: $4\"; }; " \
	"elif [ -n \"$3\" ]; then " \
	"o=$(vmware-vdiskmanager -c -s \"$3\" -a lsilogic -t 0 \"$k\" 2>&1) || " \
	"{ printf '%s\\n' \"$o\"; " \
	"fail \"Cannot create the virtual disk: $k\"; }; fi; " \
	"mv -- \"$v.tmp\" \"$v\" || " \
	"fail \"Cannot write the virtual machine configuration file: $v\"; " \
	"printf '%s\\n' \"$v\"; " \
	"if [ -n \"$3$4\" ]; then printf '%s\\n' \"$k\"; fi"

/*
 * Create from a template: $1 the name, $2 the template's .vmx, $3 the
 * product, $4 "full" or "linked", $5 the keys to set in the clone (vset).
 * A linked clone needs a snapshot of the template: hvsh-base, taken once.
 * A failed clone is deleted again. Prints the .vmx and its root disk.
 */
#define TEMPLATE_SCRIPT \
	SH_VSET SH_ROOT \
	"d=\"$HOME/hvsh-vms/$1\"; v=\"$d/$1.vmx\"; t=$3; " \
	"mkdir -p -- \"$HOME/hvsh-vms\" || " \
	"{ echo \"Error: Cannot create the directory: $HOME/hvsh-vms\"; " \
	"exit 255; }; " \
	"if [ -e \"$d\" ]; then " \
	"echo \"Error: The file already exists: $d\"; exit 255; fi; " \
	"[ -f \"$2\" ] || { echo \"Error: Cannot open VM: $2, The virtual " \
	"machine cannot be found\"; exit 255; }; " \
	"if [ \"$4\" = linked ]; then " \
	"l=$(vmrun -T \"$t\" listSnapshots \"$2\") || " \
	"{ printf '%s\\n' \"$l\"; exit 255; }; " \
	"printf '%s\\n' \"$l\" | grep -qx '" BASE_SNAPSHOT "' || " \
	"{ o=$(vmrun -T \"$t\" snapshot \"$2\" '" BASE_SNAPSHOT "') || " \
	"{ printf '%s\\n' \"$o\"; exit 255; }; }; " \
	"vmrun -T \"$t\" clone \"$2\" \"$v\" linked " \
	"'-snapshot=" BASE_SNAPSHOT "' \"-cloneName=$1\"; " \
	"else vmrun -T \"$t\" clone \"$2\" \"$v\" full \"-cloneName=$1\"; fi || " \
	"{ [ -f \"$v\" ] && vmrun -T \"$t\" deleteVM \"$v\" >/dev/null; " \
	"rmdir -- \"$d\" 2>/dev/null; exit 255; }; " \
	"vset \"$5\"; root \"$v\"; " \
	"printf '%s\\n' \"$v\"; [ -z \"$r\" ] || printf '%s\\n' \"$r\""

/* The parts of a refresh's batch, in order. */
enum {
	R_HOST,
	R_LIST,
	R_VMX,
	R__COUNT
};

/* Puts what in front of the current message, keeping its code. */
static int
wrap_err(const char *what)
{
	char	msg[1024];

	snprintf(msg, sizeof msg, "%s", err_msg());
	return err_set(err_code(), "%s: %s", what, msg);
}

/*
 * Checks a .vmx path given by the caller: absolute, so vmrun never takes
 * it for an option, a .vmx, so deleteVM removes a VM and nothing else, and
 * one line of printable text.
 */
static int
check_path(const char *p)
{
	size_t	n = strlen(p), i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return err_set(ERR_INVAL, "vmware: the .vmx path has a "
			    "control character");
	if (p[0] != '/')
		return err_set(ERR_INVAL, "vmware: the .vmx path is not "
		    "absolute: %s", p);
	if (n < 6 || strcmp(p + n - 4, ".vmx") != 0 || p[n - 5] == '/')
		return err_set(ERR_INVAL, "vmware: not a .vmx file: %s", p);
	return 0;
}

/* The -T word for a product; NULL or "" is Workstation. */
static int
product_word(const char *p, const char **out)
{
	if (p == NULL || *p == '\0')
		p = "ws";
	if (strcmp(p, "ws") != 0 && strcmp(p, "fusion") != 0 &&
	    strcmp(p, "player") != 0)
		return err_set(ERR_INVAL, "vmware: unknown product '%s' (ws, "
		    "fusion or player)", p);
	*out = p;
	return 0;
}

/*
 * Checks an absolute path on the host that hvsh will write into a .vmx or
 * hand to a tool: one line of printable text, no '"' or '|' (which a .vmx
 * would need encoded), ending in suffix unless that is NULL.
 */
static int
check_file(const char *what, const char *p, const char *suffix)
{
	size_t	n, i, sl;

	if (p == NULL || *p == '\0')
		return err_set(ERR_INVAL, "vmware: no %s given", what);
	n = strlen(p);
	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f ||
		    p[i] == '"' || p[i] == '|')
			return err_set(ERR_INVAL, "vmware: the %s has a "
			    "character hvsh does not pass", what);
	if (p[0] != '/')
		return err_set(ERR_INVAL, "vmware: the %s is not absolute: %s",
		    what, p);
	if (suffix != NULL) {
		sl = strlen(suffix);
		if (n <= sl + 1 || strcmp(p + n - sl, suffix) != 0 ||
		    p[n - sl - 1] == '/')
			return err_set(ERR_INVAL, "vmware: the %s is not a %s "
			    "file: %s", what, suffix, p);
	}
	return 0;
}

/*
 * The target as two script parameters: its .vmx path and "", or "" and
 * its name (the script builds the managed path).
 */
static int
target_args(const struct drv_target *t, const char **path, const char **name)
{
	int	rc;

	if (t->path != NULL && *t->path != '\0') {
		if ((rc = check_path(t->path)) != 0)
			return rc;
		*path = t->path;
		*name = "";
		return 0;
	}
	if (t->name == NULL)
		return err_set(ERR_INVAL, "vmware: the VM has neither a .vmx "
		    "path nor a name");
	/* The name becomes a path on the host: no '/', no leading '.'. */
	if ((rc = name_check("VM", t->name)) != 0)
		return rc;
	*path = "";
	*name = t->name;
	return 0;
}

/*
 * Plans "vmrun -T PRODUCT VERB VMX [W1 [W2]]" for the target; product
 * NULL is ws. A NULL word ends the argument list early.
 */
static int
vmrun_cmd(const struct drv_target *t, const char *product,
    struct drv_plan *plan, const char *verb, const char *w1, const char *w2)
{
	const char	*ty = "ws", *path = "", *name = "";
	int		 rc;

	if ((rc = product_word(product, &ty)) != 0 ||
	    (rc = target_args(t, &path, &name)) != 0)
		return rc;
	if (*path != '\0')
		drv_plan_add(plan, "vmrun", "-T", ty, verb, path, w1, w2,
		    NULL);
	else
		drv_plan_add(plan, "sh", "-c", OP_SCRIPT, "sh", name, ty, verb,
		    w1, w2, NULL);
	return 0;
}

/* A lifecycle operation, with the target's product. */
static int
vmrun_op(const struct drv_target *t, struct drv_plan *plan, const char *verb,
    const char *word)
{
	return vmrun_cmd(t, t->product, plan, verb, word, NULL);
}

static int
vmrun_start(const struct drv_target *t, struct drv_plan *plan)
{
	return vmrun_op(t, plan, "start", "nogui");
}

/* A clean shutdown through VMware Tools; vmrun waits for it. */
static int
vmrun_stop(const struct drv_target *t, struct drv_plan *plan)
{
	return vmrun_op(t, plan, "stop", "soft");
}

static int
vmrun_force_off(const struct drv_target *t, struct drv_plan *plan)
{
	return vmrun_op(t, plan, "stop", "hard");
}

static int
vmrun_reboot(const struct drv_target *t, struct drv_plan *plan)
{
	return vmrun_op(t, plan, "reset", "soft");
}

static int
vmrun_suspend(const struct drv_target *t, struct drv_plan *plan)
{
	return vmrun_op(t, plan, "suspend", NULL);
}

/*
 * vmrun has no resume: start brings a suspended VM back from its .vmss
 * (vmrun.md). A paused VM would need unpause, but hvsh never pauses one
 * and cannot tell a paused VM from a running one (list shows both).
 */
static int
vmrun_resume(const struct drv_target *t, struct drv_plan *plan)
{
	return vmrun_op(t, plan, "start", "nogui");
}

/*
 * deleteVM removes the .vmx, the disks it names and the other files of the
 * VM. vmrun refuses it while the VM is powered on ("should not be powered
 * on", ERR_BUSY): the caller powers the VM off first.
 */
static int
vmrun_destroy(const struct drv_target *t, struct drv_plan *plan)
{
	return vmrun_op(t, plan, "deleteVM", NULL);
}

/*
 * vmrun has no version command; run without arguments it prints its usage,
 * headed by "vmrun version 1.17.0 build-..." (exit status 255). Batched, so
 * that the exit status of the step is 0 and probe_read sees vmrun's own,
 * with what tells the product (PRODUCT_SCRIPT) after it.
 */
static int
vmrun_probe(struct drv_plan *plan)
{
	static char *const	 vmrun[] = { "vmrun", NULL };
	static char *const	 product[] = { "sh", "-c", PRODUCT_SCRIPT,
	    NULL };
	char *const *const	 cmds[] = { vmrun, product };

	drv_plan_batch(plan, cmds, nitems(cmds));
	return 0;
}

/*
 * The product from PRODUCT_SCRIPT's lines: macOS or Fusion's application
 * is Fusion; the vmware program is Workstation's (which installs vmplayer
 * too); vmplayer alone is Player; anything else is taken for Workstation.
 */
static int
read_product(const char *text, size_t len, char **product)
{
	struct hvout_lines	 li;
	const char		*s;
	size_t			 n;
	int			 mac = -1, fusion = -1, ws = -1, player = -1;

	if (hvout_text_check("vmware probe", text, len) != 0)
		return ERR_INVAL;
	hvout_lines_init(&li, text, len);
	while (hvout_lines_next(&li, &s, &n)) {
		if (hvout_prefix(s, n, "os "))
			mac = hvout_eq(s + 3, n - 3, "Darwin");
		else if (hvout_eq(s, n, "fusion 0") || hvout_eq(s, n, "fusion 1"))
			fusion = s[7] == '1';
		else if (hvout_eq(s, n, "vmware 0") || hvout_eq(s, n, "vmware 1"))
			ws = s[7] == '1';
		else if (hvout_eq(s, n, "vmplayer 0") ||
		    hvout_eq(s, n, "vmplayer 1"))
			player = s[9] == '1';
		else
			return err_set(ERR_INVAL, "vmware probe: line %zu of "
			    "the product's facts is garbled", li.no);
	}
	if (mac < 0 || fusion < 0 || ws < 0 || player < 0)
		return err_set(ERR_INVAL, "vmware probe: the product's facts "
		    "are cut off");
	if (mac || fusion)
		*product = xstrdup("fusion");
	else if (!ws && player)
		*product = xstrdup("player");
	else
		*product = xstrdup("ws");
	return 0;
}

/* Finds vmrun's usage text, and its version in the line above it. */
static int
vmrun_probe_read(const struct tp_result *res, struct hv_facts *facts)
{
	struct drv_section	 sec[2];
	struct hvout_lines	 li;
	const char		*s, *ver = NULL;
	char			*product = NULL;
	size_t			 n, vlen = 0;
	int			 usage = 0;

	if (drv_sections(res->out, res->outlen, sec, 2) != 0)
		return wrap_err("vmware probe");
	if (sec[0].status == 127)
		return err_set(ERR_NOENT, "vmrun not found on host");
	if (hvout_text_check("vmrun", sec[0].text, sec[0].len) != 0)
		return wrap_err("vmware probe");
	hvout_lines_init(&li, sec[0].text, sec[0].len);
	while (hvout_lines_next(&li, &s, &n)) {
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (hvout_prefix(s, n, "vmrun version ") && ver == NULL) {
			ver = s + 14;
			vlen = n - 14;
			hvout_trim(&ver, &vlen);
		} else if (hvout_prefix(s, n, "Usage: vmrun"))
			usage = 1;
	}
	if (!usage)
		return err_set(ERR_INVAL, "vmware probe: vmrun printed no usage "
		    "text (exit status %d)", sec[0].status);
	if (sec[1].status != 0)
		return err_set(ERR_FAIL, "vmware probe: the product's facts "
		    "failed (exit status %d)", sec[1].status);
	if (read_product(sec[1].text, sec[1].len, &product) != 0)
		return ERR_INVAL;
	free(facts->version);
	/* Some captures of the usage have no version line. */
	if (ver != NULL && vlen > 0)
		facts->version = xasprintf("vmrun %.*s", (int)vlen, ver);
	else
		facts->version = xstrdup("vmrun (version not shown)");
	free(facts->product);
	facts->product = product;
	return 0;
}

/*
 * One exec: the host's CPUs and memory from the OS (vmrun tells neither),
 * the running VMs, and every managed .vmx with its content.
 */
static int
vmrun_refresh(const struct drv_refresh *rf, struct drv_plan *plan)
{
	static char *const	 host[] = { "sh", "-c", HOST_SCRIPT, NULL };
	static char *const	 list[] = { "sh", "-c", LIST_SCRIPT, NULL };
	static char *const	 vmx[] = { "sh", "-c", VMX_SCRIPT, NULL };
	char *const *const	 cmds[R__COUNT] = { host, list, vmx };

	drv_plan_batch_nonce(plan, rf->nonce, cmds, nitems(cmds));
	return 0;
}

/* nproc's one number. */
static int
read_nproc(const char *s, size_t n, int *cpus)
{
	int64_t	x;

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	hvout_trim(&s, &n);
	if (hvout_i64(s, n, &x) != 0 || x < 1 || x > 1000000)
		return err_set(ERR_INVAL, "nproc: not a CPU count");
	*cpus = (int)x;
	return 0;
}

/*
 * MemTotal and MemAvailable ("MemTotal:   16318412 kB") from
 * /proc/meminfo, in bytes. Kernels before 3.14 have no MemAvailable; then
 * MemFree stands in for it.
 */
static int
read_meminfo(const char *text, size_t len, int64_t *total, int64_t *avail)
{
	struct hvout_lines	 li;
	const char		*s, *colon, *v;
	size_t			 n, vn;
	int64_t			 x, t = -1, a = -1, f = -1;

	if (hvout_text_check("/proc/meminfo", text, len) != 0)
		return ERR_INVAL;
	hvout_lines_init(&li, text, len);
	while (hvout_lines_next(&li, &s, &n)) {
		if ((colon = memchr(s, ':', n)) == NULL)
			continue;
		v = colon + 1;
		vn = (size_t)(s + n - v);
		hvout_trim(&v, &vn);
		if (vn < 3 || memcmp(v + vn - 3, " kB", 3) != 0)
			continue;
		vn -= 3;
		hvout_rtrim(v, &vn);
		if (hvout_i64(v, vn, &x) != 0 || x < 0 ||
		    x > INT64_MAX / 1024)
			continue;
		if (hvout_eq(s, (size_t)(colon - s), "MemTotal"))
			t = x * 1024;
		else if (hvout_eq(s, (size_t)(colon - s), "MemAvailable"))
			a = x * 1024;
		else if (hvout_eq(s, (size_t)(colon - s), "MemFree"))
			f = x * 1024;
	}
	if (t < 0)
		return err_set(ERR_INVAL, "/proc/meminfo: no MemTotal");
	*total = t;
	*avail = a >= 0 ? a : f;
	return 0;
}

/* The next line of text[*off, len) without its newline; 0 at the end. */
static int
take_line(const char *text, size_t len, size_t *off, const char **s,
    size_t *n)
{
	const char	*nl;

	if (*off >= len)
		return 0;
	*s = text + *off;
	nl = memchr(*s, '\n', len - *off);
	*n = nl != NULL ? (size_t)(nl - *s) : len - *off;
	*off += *n + (nl != NULL);
	return 1;
}

/*
 * HOST_SCRIPT's output: "@linux", nproc's number and /proc/meminfo, or
 * "@darwin", hw.ncpu, hw.memsize (bytes) and vm_stat.
 */
static int
read_host(const char *text, size_t len, int *cpus, int64_t *total,
    int64_t *avail)
{
	const char	*s;
	size_t		 n, off = 0;
	int64_t		 x;

	if (hvout_text_check("the host's facts", text, len) != 0)
		return ERR_INVAL;
	if (!take_line(text, len, &off, &s, &n))
		return err_set(ERR_INVAL, "the host's facts: no output");
	if (hvout_eq(s, n, "@linux")) {
		if (!take_line(text, len, &off, &s, &n) ||
		    read_nproc(s, n, cpus) != 0)
			return err_set(ERR_INVAL, "nproc: not a CPU count");
		return read_meminfo(text + off, len - off, total, avail);
	}
	if (!hvout_eq(s, n, "@darwin"))
		return err_set(ERR_INVAL, "the host's facts: neither Linux nor "
		    "macOS");
	if (!take_line(text, len, &off, &s, &n) || read_nproc(s, n, cpus) != 0)
		return err_set(ERR_INVAL, "sysctl hw.ncpu: not a CPU count");
	if (!take_line(text, len, &off, &s, &n) ||
	    hvout_i64(s, n, &x) != 0 || x <= 0)
		return err_set(ERR_INVAL, "sysctl hw.memsize: not a size");
	*total = x;
	return hvout_vmrun_vm_stat(text + off, len - off, avail);
}

/* The file name of a path without ".vmx", which names a VM without one. */
static char *
vmx_base(const char *path)
{
	const char	*b = strrchr(path, '/');
	size_t		 n;

	b = b != NULL ? b + 1 : path;
	n = strlen(b);
	if (n > 4 && strcmp(b + n - 4, ".vmx") == 0)
		n -= 4;
	return xstrndup(b, n);
}

/* Equal paths, "//" counting as "/" ("$HOME" may end in a slash). */
static int
same_path(const char *a, const char *b)
{
	while (*a != '\0' && *b != '\0') {
		if (*a != *b)
			return 0;
		if (*a == '/') {
			while (a[1] == '/')
				a++;
			while (b[1] == '/')
				b++;
		}
		a++;
		b++;
	}
	return *a == *b;
}

/* Adds one .vmx of the dump to l; its state is settled later. */
static int
add_vmx(struct hv_vm_list *l, const char *path, int suspended,
    const struct buf *text)
{
	struct hv_vm	 vm, *p;

	if (hvout_vmrun_vmx(text->data, text->len, &vm) != 0)
		return wrap_err(path);
	vm.path = xstrdup(path);
	if (vm.name == NULL)
		vm.name = vmx_base(path);
	/* Off until list says otherwise; stopped and suspended use no RAM. */
	vm.state = suspended ? HV_SUSPENDED : HV_STOPPED;
	vm.mem_used = 0;
	p = hvout_vm_add(l);
	*p = vm;
	return 0;
}

/* Reads the output of VMX_SCRIPT (see there) into a list of VMs. */
static int
read_vmx_dump(const char *text, size_t len, struct hv_vm_list *out)
{
	struct hvout_lines	 li;
	struct hv_vm_list	 l = { NULL, 0 };
	struct buf		 content = { NULL, 0, 0 };
	const char		*s;
	char			*path = NULL;
	size_t			 n;
	int64_t			 st;
	int			 rc, suspended = 0;

	if ((rc = hvout_text_check("the .vmx files", text, len)) != 0)
		return rc;
	hvout_lines_init(&li, text, len);
	while (hvout_lines_next(&li, &s, &n)) {
		if (path == NULL) {
			if (n < 9 || !hvout_prefix(s, n, "@@vmx ") ||
			    (s[6] != '0' && s[6] != '1') || s[7] != ' ') {
				rc = err_set(ERR_INVAL, "the .vmx files: line "
				    "%zu is garbled", li.no);
				goto out;
			}
			suspended = s[6] == '1';
			path = hvout_dup(s + 8, n - 8);
			buf_reset(&content);
		} else if (n > 0 && s[0] == '|') {
			buf_add(&content, s + 1, n - 1);
			buf_addc(&content, '\n');
		} else if (hvout_prefix(s, n, "@@end ")) {
			if (hvout_i64(s + 6, n - 6, &st) != 0) {
				rc = err_set(ERR_INVAL, "the .vmx files: line "
				    "%zu is garbled", li.no);
				goto out;
			}
			if (st != 0) {
				rc = err_set(ERR_IO, "%s: cannot read it (exit "
				    "status %lld)", path, (long long)st);
				goto out;
			}
			if ((rc = add_vmx(&l, path, suspended, &content)) != 0)
				goto out;
			free(path);
			path = NULL;
		} else {
			rc = err_set(ERR_INVAL, "the .vmx files: line %zu is "
			    "garbled", li.no);
			goto out;
		}
	}
	if (path != NULL) {
		rc = err_set(ERR_INVAL, "the .vmx files: %s is cut off", path);
		goto out;
	}
	*out = l;
	l.v = NULL;	/* transferred */
	l.n = 0;
	rc = 0;
out:
	free(path);
	buf_free(&content);
	hv_vm_list_free(&l);
	return rc;
}

/* Why one part of the refresh failed: vmrun's Error line, or its status. */
static int
section_err(const char *what, const struct drv_section *sec)
{
	struct hv_error	e;
	int		rc;

	memset(&e, 0, sizeof e);
	if (sec->status == 127)
		return err_set(ERR_IO, "%s: not found on host", what);
	if (hvout_vmrun_error(sec->text, sec->len, &e) == 0) {
		rc = err_set(e.code, "%s: %s", what, e.reason);
		hv_error_clear(&e);
		return rc;
	}
	return err_set(ERR_FAIL, "%s failed (exit status %d)", what,
	    sec->status);
}

/*
 * The managed .vmx files are the VMs; "vmrun list" says which of them run.
 * A running VM outside the managed directory is listed too (name from its
 * file, nothing else known), so that nothing running on the host is hidden.
 */
static int
vmrun_refresh_read(const struct drv_refresh *rf, const struct tp_result *res,
    struct hv_facts *facts, struct hv_vm_list *out)
{
	struct drv_section	 sec[R__COUNT];
	struct hv_vm_list	 run = { NULL, 0 }, l = { NULL, 0 };
	struct hv_vm		*vm;
	int64_t			 total = -1, avail = -1;
	size_t			 i, j, k;
	unsigned char		*used = NULL;
	int			 rc, cpus = -1, listed, doubt;

	if (res->truncated)
		return err_set(ERR_INVAL, "vmware refresh: the output was cut "
		    "at the transport's limit");
	if (drv_sections_nonce(res->out, res->outlen, rf->nonce, sec,
	    R__COUNT) != 0)
		return wrap_err("vmware refresh");
	if (sec[R_HOST].status != 0)
		return section_err("vmware refresh: the host's CPUs and memory",
		    &sec[R_HOST]);
	if (read_host(sec[R_HOST].text, sec[R_HOST].len, &cpus, &total,
	    &avail) != 0)
		return wrap_err("vmware refresh");
	if (sec[R_LIST].status != 0)
		return section_err("vmware refresh: vmrun list", &sec[R_LIST]);
	if (hvout_vmrun_list_doubt(sec[R_LIST].text, sec[R_LIST].len, &run,
	    &doubt) != 0)
		return wrap_err("vmware refresh");
	if (sec[R_VMX].status != 0) {
		rc = section_err("vmware refresh: reading the .vmx files",
		    &sec[R_VMX]);
		goto out;
	}
	if (read_vmx_dump(sec[R_VMX].text, sec[R_VMX].len, &l) != 0) {
		rc = wrap_err("vmware refresh");
		goto out;
	}
	used = xcalloc(run.n + 1, 1);
	for (i = 0; i < l.n; i++) {
		listed = 0;
		for (j = 0; j < run.n; j++) {
			if (same_path(l.v[i].path, run.v[j].path)) {
				listed = 1;
				used[j] = 1;
			}
		}
		l.v[i].state = hvout_vmrun_state(listed,
		    l.v[i].state == HV_SUSPENDED);
		if (listed)
			l.v[i].mem_used = -1;
		/*
		 * A doubtful list can show a VM that is off; one it does not
		 * show is off all the same, as its path is a line of its own.
		 */
		if (listed && doubt) {
			l.v[i].state = HV_UNKNOWN;
			l.v[i].unsure = 1;
		}
	}
	/* In a doubtful list, a line may be part of a path: once is enough. */
	for (j = 0; doubt && j < run.n; j++)
		for (k = 0; k < j && !used[j]; k++)
			if (strcmp(run.v[k].path, run.v[j].path) == 0)
				used[j] = 1;
	for (j = 0; j < run.n; j++) {
		if (used[j])
			continue;
		vm = hvout_vm_add(&l);
		*vm = run.v[j];
		hv_vm_init(&run.v[j]);	/* transferred */
		if (doubt) {
			vm->state = HV_UNKNOWN;
			vm->unsure = 1;
		}
	}
	facts->cpus = cpus;
	facts->memory = total;
	facts->mem_free = avail;
	*out = l;
	l.v = NULL;	/* transferred */
	l.n = 0;
	rc = 0;
out:
	free(used);
	hv_vm_list_free(&run);
	hv_vm_list_free(&l);
	return rc;
}

/*
 * Whether a VM of the refresh can be asked about: a line of a doubtful
 * list that is no absolute .vmx path (part of a path with a newline) is
 * no VM vmrun could have run, and is not asked.
 */
static int
detail_askable(const struct hv_vm *vm)
{
	return vm->path != NULL && check_path(vm->path) == 0;
}

/*
 * Detail: for each VM, whether it runs, asked of it alone (DETAIL_SCRIPT).
 * Only the state is in doubt after a refresh: the .vmx files are framed
 * so that no line of theirs can pass for another's.
 */
static int
vmrun_detail(const struct drv_refresh *rf, struct hv_vm *const *need,
    size_t n, struct drv_plan *plan)
{
	char	***cmds;
	size_t	  i, k = 0;

	cmds = xcalloc(n + 1, sizeof *cmds);
	for (i = 0; i < n; i++) {
		if (!detail_askable(need[i]))
			continue;
		cmds[k] = xcalloc(6, sizeof **cmds);
		cmds[k][0] = xstrdup("sh");
		cmds[k][1] = xstrdup("-c");
		cmds[k][2] = xstrdup(DETAIL_SCRIPT);
		cmds[k][3] = xstrdup("sh");
		cmds[k][4] = xstrdup(need[i]->path);
		k++;
	}
	drv_plan_batch_nonce(plan, rf->nonce, (char *const *const *)cmds, k);
	for (i = 0; i < k; i++) {
		free(cmds[i][0]);
		free(cmds[i][1]);
		free(cmds[i][2]);
		free(cmds[i][3]);
		free(cmds[i][4]);
		free(cmds[i]);
	}
	free(cmds);
	return 0;
}

/*
 * The words of DETAIL_SCRIPT. A VM that vmrun would not answer for
 * ("unknown": locked, unreadable) stays unsure and HV_UNKNOWN: nothing
 * better can be known of it. A VM not read from a .vmx (cpus unknown: one
 * the refresh took from a list line alone) is listed only while it runs,
 * so off it is no VM of the host's list: HV_UNKNOWN, like one gone; so
 * is one that could not be asked (detail_askable).
 */
static int
vmrun_detail_read(const struct drv_refresh *rf, const struct tp_result *res,
    struct hv_vm *const *need, size_t n)
{
	struct drv_section	*sec;
	enum hv_state		*st;
	const char		*s;
	size_t			 i, k = 0, len;
	int			 rc, *sure;

	if (res->truncated)
		return err_set(ERR_INVAL, "vmware detail: the output was cut "
		    "at the transport's limit");
	for (i = 0; i < n; i++)
		k += detail_askable(need[i]);
	sec = xcalloc(n + 1, sizeof *sec);
	st = xcalloc(n + 1, sizeof *st);
	sure = xcalloc(n + 1, sizeof *sure);
	if (drv_sections_nonce(res->out, res->outlen, rf->nonce, sec,
	    k) != 0) {
		rc = wrap_err("vmware detail");
		goto out;
	}
	for (k = 0, i = 0; i < n; i++) {
		sure[i] = 1;
		if (!detail_askable(need[i])) {
			st[i] = HV_UNKNOWN;
			continue;
		}
		s = sec[k].text;
		len = sec[k].len;
		if (sec[k].status != 0) {
			rc = section_err("vmware detail", &sec[k]);
			goto out;
		}
		k++;
		if (hvout_eq(s, len, "gone\n"))
			st[i] = HV_UNKNOWN;
		else if (hvout_prefix(s, len, "on ") && len == 5)
			st[i] = HV_RUNNING;
		else if (hvout_prefix(s, len, "off ") && len == 6)
			st[i] = need[i]->cpus < 0 ? HV_UNKNOWN :
			    hvout_vmrun_state(0, s[4] == '1');
		else if (hvout_eq(s, len, "unknown\n")) {
			st[i] = HV_UNKNOWN;
			sure[i] = 0;
		} else {
			rc = err_set(ERR_INVAL, "vmware detail: garbled "
			    "answer for %s", need[i]->path);
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		need[i]->state = st[i];
		need[i]->mem_used = st[i] == HV_STOPPED ||
		    st[i] == HV_SUSPENDED ? 0 : -1;
		need[i]->unsure = !sure[i];
		need[i]->id_unread = 0;
	}
	rc = 0;
out:
	free(sure);
	free(st);
	free(sec);
	return rc;
}

/*
 * Adds a step of n words, copied: drv_plan_add() takes a fixed list, and
 * the state's depends on the number of targets.
 */
static void
plan_words(struct drv_plan *plan, const char *const *w, size_t n)
{
	char	**argv;
	size_t	  i;

	if (plan->n >= DRV_PLAN_MAX)
		abort();	/* a driver bug: plans are short */
	argv = xcalloc(n + 1, sizeof *argv);
	for (i = 0; i < n; i++)
		argv[i] = xstrdup(w[i]);
	plan->argv[plan->n++] = argv;
}

/* State: vmrun list once, and each target's files (STATE_SCRIPT). */
static int
vmrun_state(const struct drv_refresh *rf, const struct drv_target *t,
    size_t n, struct drv_plan *plan)
{
	const char	**argv, *path, *name;
	size_t		  i, k = 0;
	int		  rc;

	argv = xcalloc(5 + 2 * n, sizeof *argv);
	argv[k++] = "sh";
	argv[k++] = "-c";
	argv[k++] = STATE_SCRIPT;
	argv[k++] = "sh";
	argv[k++] = rf->nonce;
	for (i = 0; i < n; i++) {
		if ((rc = target_args(&t[i], &path, &name)) != 0) {
			free(argv);
			return rc;
		}
		argv[k++] = path;
		argv[k++] = name;
	}
	plan_words(plan, argv, k);
	free(argv);
	return 0;
}

/*
 * A target not there is HV_UNKNOWN; one listed runs, unless the list is
 * in doubt (a path with a newline in it), when it is HV_UNKNOWN; one not
 * listed is off, suspended if a .vmss is beside it.
 */
static int
vmrun_state_read(const struct drv_refresh *rf, const struct drv_target *t,
    size_t n, const struct tp_result *res, enum hv_state *out)
{
	struct drv_section	 sec[2];
	struct hv_vm_list	 run = { NULL, 0 };
	enum hv_state		*st;
	const char		*s;
	char			*path;
	size_t			 i, j, len, off = 0;
	int			 rc, doubt, listed;

	(void)t;
	if (res->truncated)
		return err_set(ERR_INVAL, "vmware state: the output was cut "
		    "at the transport's limit");
	if (drv_sections_nonce(res->out, res->outlen, rf->nonce, sec, 2) != 0)
		return wrap_err("vmware state");
	if (sec[0].status != 0)
		return section_err("vmware state: vmrun list", &sec[0]);
	if (hvout_vmrun_list_doubt(sec[0].text, sec[0].len, &run, &doubt) != 0)
		return wrap_err("vmware state");
	st = xcalloc(n + 1, sizeof *st);
	for (i = 0; i < n; i++) {
		if (!take_line(sec[1].text, sec[1].len, &off, &s, &len) ||
		    len < 4 || (s[0] != '0' && s[0] != '1') || s[1] != ' ' ||
		    (s[2] != '0' && s[2] != '1') || s[3] != ' ') {
			rc = err_set(ERR_INVAL, "vmware state: garbled "
			    "answer for VM %zu", i + 1);
			goto out;
		}
		if (s[0] == '0' || len == 4) {
			st[i] = HV_UNKNOWN;
			continue;
		}
		path = hvout_dup(s + 4, len - 4);
		for (listed = 0, j = 0; j < run.n; j++)
			if (same_path(path, run.v[j].path))
				listed = 1;
		free(path);
		st[i] = listed && doubt ? HV_UNKNOWN :
		    hvout_vmrun_state(listed, s[2] == '1');
	}
	if (off != sec[1].len) {
		rc = err_set(ERR_INVAL, "vmware state: more answers than VMs");
		goto out;
	}
	memcpy(out, st, n * sizeof *out);
	rc = 0;
out:
	free(st);
	hv_vm_list_free(&run);
	return rc;
}

/*
 * vmrun reports failures on stdout ("Error: ..."), the create script too,
 * and the shell on stderr; the parser looks at both. With no such line, the
 * exit status and the first line of stderr say what they can.
 */
static int
vmrun_error_read(const struct tp_result *res, struct hv_error *out)
{
	struct buf	 b = { NULL, 0, 0 };
	struct hv_error	 e;
	const char	*s, *nl;
	size_t		 n;

	if (res->rc != 0) {
		memset(out, 0, sizeof *out);
		out->code = res->rc;
		out->reason = xstrdup(res->errmsg != NULL ? res->errmsg :
		    "the command did not run");
		return 0;
	}
	if (res->outlen > 0)
		buf_add(&b, res->out, res->outlen);
	if (b.len > 0 && b.data[b.len - 1] != '\n')
		buf_addc(&b, '\n');
	if (res->errlen > 0)
		buf_add(&b, res->err, res->errlen);
	memset(&e, 0, sizeof e);
	if (b.len > 0 && hvout_vmrun_error(b.data, b.len, &e) == 0) {
		buf_free(&b);
		*out = e;
		return 0;
	}
	buf_free(&b);
	memset(out, 0, sizeof *out);
	if (res->status == 127) {
		out->code = ERR_IO;
		out->reason = xstrdup("vmrun not found on host");
		return 0;
	}
	out->code = ERR_FAIL;
	/* The shell's complaint, if any, is the first line of stderr. */
	s = res->err;
	n = res->errlen;
	while (n > 0 && (*s == '\n' || *s == '\r')) {
		s++;
		n--;
	}
	if (n > 0) {
		if ((nl = memchr(s, '\n', n)) != NULL)
			n = (size_t)(nl - s);
		if (n > 200)
			n = 200;
		out->reason = xasprintf("vmrun failed (exit status %d): %.*s",
		    res->status, (int)n, s);
	} else if (res->status < 0)
		out->reason = xstrdup("vmrun did not finish (killed or timed "
		    "out)");
	else
		out->reason = xasprintf("vmrun failed (exit status %d) and "
		    "said why in no 'Error:' line", res->status);
	return 0;
}

/* Sets key in the .vmx text *text, which is replaced. */
static int
vmx_put(char **text, const char *key, const char *value)
{
	char	*next;
	int	 rc;

	if ((rc = hvout_vmrun_vmx_set(*text, strlen(*text), key, value,
	    &next)) != 0)
		return rc;
	free(*text);
	*text = next;
	return 0;
}

/* VMware takes memory in MiB, a multiple of 4: rounded up. */
static int64_t
memsize_mib(int64_t bytes)
{
	int64_t	mib = bytes / MiB + (bytes % MiB != 0);

	return (mib + 3) / 4 * 4;
}

/*
 * The .vmx hvsh writes for a new VM, built with the .vmx writer, which
 * refuses values that would need VMware's |XX encoding. VMware adds the
 * rest (uuids, MAC addresses, PCI slots) when the VM first starts. iso,
 * if not NULL, is put in the CD-ROM drive (ide1:0).
 */
static int
vmx_text(const struct drv_spec *spec, int disk, const char *iso, char **out)
{
	char	 mem[32], cpus[32], *file, *text;
	int	 rc;

	snprintf(mem, sizeof mem, "%" PRId64, memsize_mib(spec->memory));
	snprintf(cpus, sizeof cpus, "%d", spec->cpus);
	file = xasprintf("%s.vmdk", spec->name);
	text = xstrdup(".encoding = \"UTF-8\"\n");
	if ((rc = vmx_put(&text, "config.version", "8")) != 0 ||
	    (rc = vmx_put(&text, "virtualHW.version", "16")) != 0 ||
	    (rc = vmx_put(&text, "displayName", spec->name)) != 0 ||
	    (rc = vmx_put(&text, "guestOS", "other-64")) != 0 ||
	    (rc = vmx_put(&text, "memsize", mem)) != 0 ||
	    (rc = vmx_put(&text, "numvcpus", cpus)) != 0)
		goto out;
	if (disk && ((rc = vmx_put(&text, "scsi0.present", "TRUE")) != 0 ||
	    (rc = vmx_put(&text, "scsi0.virtualDev", "lsilogic")) != 0 ||
	    (rc = vmx_put(&text, "scsi0:0.present", "TRUE")) != 0 ||
	    (rc = vmx_put(&text, "scsi0:0.fileName", file)) != 0))
		goto out;
	if (iso != NULL && ((rc = vmx_put(&text, "ide1:0.present",
	    "TRUE")) != 0 ||
	    (rc = vmx_put(&text, "ide1:0.deviceType", "cdrom-image")) != 0 ||
	    (rc = vmx_put(&text, "ide1:0.fileName", iso)) != 0))
		goto out;
	if (spec->hvsh_id != NULL &&
	    (rc = vmx_put(&text, "hvsh.id", spec->hvsh_id)) != 0)
		goto out;
	*out = text;
	text = NULL;	/* transferred */
out:
	free(text);
	free(file);
	return rc;
}

/* vmware-vdiskmanager's -s and -x: whole GB when exact, else MB up. */
static void
disk_size(int64_t bytes, char *buf, size_t len)
{
	if (bytes % GiB == 0)
		snprintf(buf, len, "%" PRId64 "GB", bytes / GiB);
	else
		snprintf(buf, len, "%" PRId64 "MB",
		    bytes / MiB + (bytes % MiB != 0));
}

/* The bytes disk_size() asks for. */
static int64_t
disk_bytes(int64_t bytes)
{
	if (bytes % GiB == 0)
		return bytes;
	return (bytes / MiB + (bytes % MiB != 0)) * MiB;
}

/* An id hvsh writes into a .vmx: a short word of letters and digits. */
static int
check_id(const char *id)
{
	size_t	i;

	if (id == NULL || *id == '\0' || strlen(id) > 64)
		return err_set(ERR_INVAL, "vmware: bad hvsh id");
	for (i = 0; id[i] != '\0'; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= 'A' && id[i] <= 'Z') || id[i] == '-' ||
		    id[i] == '_' || id[i] == '.'))
			return err_set(ERR_INVAL, "vmware: bad hvsh id");
	return 0;
}

/*
 * A VM cloned from a template .vmx (TEMPLATE_SCRIPT), then given its
 * CPUs, memory and our id.
 */
static int
create_template(const struct drv_spec *spec, struct drv_plan *plan)
{
	const char	*ty;
	char		*kv;
	int		 rc;

	if (spec->image_format != NULL && strcmp(spec->image_format, "vmx"))
		return err_set(ERR_INVAL, "vmware: a template must be a .vmx, "
		    "not %s", spec->image_format);
	if ((rc = check_file("template", spec->image_path, ".vmx")) != 0 ||
	    (rc = product_word(spec->product, &ty)) != 0)
		return rc;
	if (spec->hvsh_id != NULL && (rc = check_id(spec->hvsh_id)) != 0)
		return rc;
	kv = xasprintf("numvcpus=%d\nmemsize=%" PRId64 "%s%s", spec->cpus,
	    memsize_mib(spec->memory), spec->hvsh_id != NULL ? "\nhvsh.id=" :
	    "", spec->hvsh_id != NULL ? spec->hvsh_id : "");
	drv_plan_add(plan, "sh", "-c", TEMPLATE_SCRIPT, "sh", spec->name,
	    spec->image_path, ty, spec->full ? "full" : "linked", kv, NULL);
	free(kv);
	return 0;
}

/*
 * One step: CREATE_SCRIPT with the name, the .vmx text, the disk size and
 * the disk image as its parameters, or TEMPLATE_SCRIPT for a template.
 * Not a drv_plan_batch: its exit status must say whether the VM was made,
 * for error_read.
 */
static int
vmrun_create(const struct drv_spec *spec, struct drv_plan *plan)
{
	char		 size[32] = "";
	char		*vmx = NULL;
	const char	*image = "", *iso = NULL, *kind;
	int		 rc, disk;

	if ((rc = name_check("VM", spec->name)) != 0)
		return rc;
	if (spec->cpus < 1)
		return err_set(ERR_INVAL, "vmware: a VM needs at least one "
		    "vCPU");
	if (spec->memory <= 0 || spec->memory > (int64_t)64 << 40)
		return err_set(ERR_INVAL, "vmware: memory must be between 1 "
		    "byte and 64 TiB");
	if (spec->disk < 0 || spec->disk > (int64_t)62 << 40)
		return err_set(ERR_INVAL, "vmware: disk must be at most 62 TiB");
	if (spec->image_path != NULL && *spec->image_path != '\0') {
		kind = spec->image_kind != NULL ? spec->image_kind : "disk";
		if (strcmp(kind, "template") == 0)
			return create_template(spec, plan);
		if (strcmp(kind, "iso") == 0) {
			if (spec->image_format != NULL &&
			    strcmp(spec->image_format, "iso") != 0)
				return err_set(ERR_INVAL, "vmware: a CD image "
				    "must be an ISO, not %s",
				    spec->image_format);
			if ((rc = check_file("ISO image", spec->image_path,
			    NULL)) != 0)
				return rc;
			if (spec->disk <= 0)
				return err_set(ERR_INVAL, "vmware: a VM that "
				    "boots from an ISO needs a disk size");
			iso = spec->image_path;
			disk_size(spec->disk, size, sizeof size);
		} else if (strcmp(kind, "disk") == 0) {
			if (spec->image_format != NULL &&
			    strcmp(spec->image_format, "vmdk") != 0)
				return err_set(ERR_INVAL, "vmware: a disk image "
				    "must be a .vmdk, not %s",
				    spec->image_format);
			if ((rc = check_file("disk image", spec->image_path,
			    ".vmdk")) != 0)
				return rc;
			image = spec->image_path;
		} else
			return err_set(ERR_INVAL, "vmware: unknown image kind "
			    "'%s'", kind);
	} else if (spec->disk > 0)
		disk_size(spec->disk, size, sizeof size);
	disk = *image != '\0' || *size != '\0';
	if ((rc = vmx_text(spec, disk, iso, &vmx)) != 0)
		return wrap_err("vmware create");
	drv_plan_add(plan, "sh", "-c", CREATE_SCRIPT, "sh", spec->name, vmx,
	    size, image, NULL);
	free(vmx);
	return 0;
}

/*
 * Splits a script's output into at most max lines, each a path or a
 * number checked by the caller; ERR_INVAL for anything else or a cut
 * last line.
 */
static int
out_lines(const char *what, const struct tp_result *res, const char **v,
    size_t *vn, size_t min, size_t max, size_t *count)
{
	const char	*s = res->out;
	size_t		 n = res->outlen, off = 0, k = 0, ln;
	const char	*l;

	if (res->truncated || s == NULL || n == 0 || s[n - 1] != '\n')
		return err_set(ERR_INVAL, "%s: its output is cut off", what);
	if (hvout_text_check(what, s, n) != 0)
		return ERR_INVAL;
	while (take_line(s, n, &off, &l, &ln)) {
		if (k == max || ln == 0)
			return err_set(ERR_INVAL, "%s: its output is not what "
			    "hvsh expects", what);
		v[k] = l;
		vn[k++] = ln;
	}
	if (k < min)
		return err_set(ERR_INVAL, "%s: its output is cut off", what);
	*count = k;
	return 0;
}

/* The create script's lines: the new .vmx, then its root disk if any. */
static int
vmrun_create_read(const struct tp_result *res, struct hv_vm *vm)
{
	const char	*v[2];
	size_t		 vn[2], k;
	char		*path, *disk = NULL;

	if (out_lines("vmware create", res, v, vn, 1, 2, &k) != 0)
		return ERR_INVAL;
	path = hvout_dup(v[0], vn[0]);
	if (check_path(path) != 0) {
		free(path);
		return wrap_err("vmware create");
	}
	if (k == 2) {
		disk = hvout_dup(v[1], vn[1]);
		if (check_file("root disk", disk, ".vmdk") != 0) {
			free(path);
			free(disk);
			return wrap_err("vmware create");
		}
	}
	hv_vm_clear(vm);
	vm->path = path;
	vm->disk = disk;
	vm->name = vmx_base(path);
	vm->state = HV_STOPPED;
	return 0;
}

/* ---- storage, snapshot and image calls ---- */

/* An optional directory: NULL or "" is the default, else absolute. */
static int
pool_arg(const char *pool, const char **out)
{
	int	rc;

	if (pool == NULL || *pool == '\0') {
		*out = "";
		return 0;
	}
	if ((rc = check_file("pool directory", pool, NULL)) != 0)
		return rc;
	*out = pool;
	return 0;
}

/* The size of a volume call: more than nothing, at most 62 TiB. */
static int
size_arg(int64_t size, char *buf, size_t len)
{
	if (size <= 0 || size > (int64_t)62 << 40)
		return err_set(ERR_INVAL, "vmware: a disk size must be between "
		    "1 byte and 62 TiB");
	disk_size(size, buf, len);
	return 0;
}

static int
call_pool_info(const struct drv_req *req, struct drv_plan *plan)
{
	const char	*dir;
	int		 rc;

	if ((rc = pool_arg(req->pool, &dir)) != 0)
		return rc;
	drv_plan_add(plan, "sh", "-c", POOL_SCRIPT, "sh", dir, NULL);
	return 0;
}

static int
read_pool_info(const struct drv_req *req, const struct tp_result *res,
    struct drv_reply *reply)
{
	if (res->truncated)
		return err_set(ERR_INVAL, "vmware pool info: the output was "
		    "cut off");
	if (hvout_df(res->out, res->outlen, &reply->capacity,
	    &reply->used) != 0)
		return wrap_err("vmware pool info");
	return 0;
}

static int
call_vol_create(const struct drv_req *req, struct drv_plan *plan)
{
	const char	*dir;
	char		 size[32];
	int		 rc;

	if (req->format != NULL && strcmp(req->format, "vmdk") != 0)
		return err_set(ERR_INVAL, "vmware: volumes are .vmdk, not %s",
		    req->format);
	if ((rc = pool_arg(req->pool, &dir)) != 0 ||
	    (rc = name_check("volume", req->volume)) != 0 ||
	    (rc = size_arg(req->size, size, sizeof size)) != 0)
		return rc;
	drv_plan_add(plan, "sh", "-c", VOLUME_SCRIPT, "sh", dir, req->volume,
	    size, NULL);
	return 0;
}

/* One line, the path of a .vmdk; into *path. */
static int
read_vmdk_line(const char *what, const struct tp_result *res, char **path)
{
	const char	*v[1];
	size_t		 vn[1], k;
	char		*p;

	if (out_lines(what, res, v, vn, 1, 1, &k) != 0)
		return ERR_INVAL;
	p = hvout_dup(v[0], vn[0]);
	if (check_file("disk", p, ".vmdk") != 0) {
		free(p);
		return wrap_err(what);
	}
	*path = p;
	return 0;
}

static int
read_vol_create(const struct drv_req *req, const struct tp_result *res,
    struct drv_reply *reply)
{
	if (read_vmdk_line("vmware volume create", res, &reply->path) != 0)
		return ERR_INVAL;
	reply->size = disk_bytes(req->size);
	return 0;
}

/* "scsi0:N" with N a SCSI disk slot hvsh may use (1-15 but 7), or NULL. */
static int
device_arg(const char *dev, const char **out)
{
	int64_t	n;

	if (dev == NULL || *dev == '\0') {
		*out = "";
		return 0;
	}
	if (strncmp(dev, "scsi0:", 6) != 0 ||
	    hvout_i64(dev + 6, strlen(dev + 6), &n) != 0 || n < 1 || n > 15 ||
	    n == 7 || dev[6] == '+' || dev[6] == '-' || dev[6] == ' ' ||
	    (dev[6] == '0' && dev[7] != '\0'))
		return err_set(ERR_INVAL, "vmware: a device is scsi0:1 to "
		    "scsi0:15 (not scsi0:7), not %s", dev);
	*out = dev;
	return 0;
}

/* Attach and detach: the .vmx is edited, so the VM must be off. */
static int
attach_args(const struct drv_req *req, const char **path, const char **name,
    const char **dev)
{
	int	rc;

	if ((rc = target_args(&req->vm, path, name)) != 0 ||
	    (rc = check_file("volume path", req->vol_path, ".vmdk")) != 0 ||
	    (rc = device_arg(req->device, dev)) != 0)
		return rc;
	if (req->running)
		return err_set(ERR_BUSY, "vmware: a disk is attached or "
		    "detached only while the VM is powered off");
	return 0;
}

static int
call_vol_attach(const struct drv_req *req, struct drv_plan *plan)
{
	const char	*path = "", *name = "", *dev = "";
	int		 rc;

	if ((rc = attach_args(req, &path, &name, &dev)) != 0)
		return rc;
	drv_plan_add(plan, "sh", "-c", ATTACH_SCRIPT, "sh", path, name,
	    req->vol_path, dev, NULL);
	return 0;
}

static int
read_vol_attach(const struct drv_req *req, const struct tp_result *res,
    struct drv_reply *reply)
{
	const char	*v[1], *dev;
	size_t		 vn[1], k;
	char		*d;

	if (out_lines("vmware volume attach", res, v, vn, 1, 1, &k) != 0)
		return ERR_INVAL;
	d = hvout_dup(v[0], vn[0]);
	if (device_arg(d, &dev) != 0 || *dev == '\0') {
		free(d);
		return err_set(ERR_INVAL, "vmware volume attach: not a device "
		    "in its output");
	}
	reply->device = d;
	return 0;
}

static int
call_vol_detach(const struct drv_req *req, struct drv_plan *plan)
{
	const char	*path = "", *name = "", *dev = "";
	int		 rc;

	if ((rc = attach_args(req, &path, &name, &dev)) != 0)
		return rc;
	drv_plan_add(plan, "sh", "-c", DETACH_SCRIPT, "sh", path, name,
	    req->vol_path, dev, NULL);
	return 0;
}

static int
call_vol_resize(const struct drv_req *req, struct drv_plan *plan)
{
	const char	*path = "", *name = "";
	char		 size[32];
	int		 rc;

	if ((rc = check_file("volume path", req->vol_path, ".vmdk")) != 0 ||
	    (rc = size_arg(req->size, size, sizeof size)) != 0)
		return rc;
	if ((req->vm.path != NULL && *req->vm.path != '\0') ||
	    req->vm.name != NULL) {
		if ((rc = target_args(&req->vm, &path, &name)) != 0)
			return rc;
	}
	if (req->running)
		return err_set(ERR_BUSY, "vmware: a disk is resized only while "
		    "its VM is powered off");
	drv_plan_add(plan, "sh", "-c", RESIZE_SCRIPT, "sh", req->vol_path,
	    size, path, name, NULL);
	return 0;
}

static int
read_vol_resize(const struct drv_req *req, const struct tp_result *res,
    struct drv_reply *reply)
{
	char	*p;

	if (read_vmdk_line("vmware volume resize", res, &p) != 0)
		return ERR_INVAL;
	free(p);
	reply->size = disk_bytes(req->size);
	return 0;
}

static int
call_vol_remove(const struct drv_req *req, struct drv_plan *plan)
{
	int	rc;

	if ((rc = check_file("volume path", req->vol_path, ".vmdk")) != 0)
		return rc;
	drv_plan_add(plan, "sh", "-c", REMOVE_SCRIPT, "sh", req->vol_path,
	    NULL);
	return 0;
}

/* A snapshot call: vmrun VERB VMX NAME [WORD]. */
static int
snap_cmd(const struct drv_req *req, struct drv_plan *plan, const char *verb)
{
	int	rc;

	if ((rc = name_check("snapshot", req->snapshot)) != 0)
		return rc;
	return vmrun_cmd(&req->vm, req->product, plan, verb, req->snapshot,
	    NULL);
}

/* vmrun takes the memory too when the VM runs; it has no choice. */
static int
call_snap_create(const struct drv_req *req, struct drv_plan *plan)
{
	return snap_cmd(req, plan, "snapshot");
}

static int
call_snap_revert(const struct drv_req *req, struct drv_plan *plan)
{
	return snap_cmd(req, plan, "revertToSnapshot");
}

static int
call_snap_remove(const struct drv_req *req, struct drv_plan *plan)
{
	return snap_cmd(req, plan, "deleteSnapshot");
}

static int
call_snap_list(const struct drv_req *req, struct drv_plan *plan)
{
	return vmrun_cmd(&req->vm, req->product, plan, "listSnapshots",
	    "showTree", NULL);
}

static int
read_snap_list(const struct drv_req *req, const struct tp_result *res,
    struct drv_reply *reply)
{
	struct hv_snapshot_list	l = { NULL, 0 };

	if (res->truncated)
		return err_set(ERR_INVAL, "vmware snapshot list: the output was "
		    "cut off");
	if (hvout_vmrun_snapshots(res->out, res->outlen, &l) != 0)
		return wrap_err("vmware snapshot list");
	hv_snapshot_list_free(&reply->snaps);
	reply->snaps = l;
	return 0;
}

static int
call_capture(const struct drv_req *req, struct drv_plan *plan)
{
	const char	*path = "", *name = "", *ty = "ws", *snap = "";
	int		 rc;

	if ((rc = target_args(&req->vm, &path, &name)) != 0 ||
	    (rc = product_word(req->product, &ty)) != 0 ||
	    (rc = check_file("template path", req->dest, ".vmx")) != 0)
		return rc;
	if (req->snapshot != NULL && *req->snapshot != '\0') {
		if ((rc = name_check("snapshot", req->snapshot)) != 0)
			return rc;
		snap = req->snapshot;
	} else if (req->running)
		return err_set(ERR_BUSY, "vmware: a running VM is captured "
		    "only from a snapshot");
	drv_plan_add(plan, "sh", "-c", CAPTURE_SCRIPT, "sh", path, name, ty,
	    req->dest, snap, NULL);
	return 0;
}

static int
read_capture(const struct drv_req *req, const struct tp_result *res,
    struct drv_reply *reply)
{
	const char	*v[2];
	size_t		 vn[2], k;
	int64_t		 size;
	char		*p;

	if (out_lines("vmware capture", res, v, vn, 2, 2, &k) != 0)
		return ERR_INVAL;
	if (hvout_i64(v[1], vn[1], &size) != 0 || size < 0)
		return err_set(ERR_INVAL, "vmware capture: not a size in its "
		    "output");
	p = hvout_dup(v[0], vn[0]);
	if (check_path(p) != 0) {
		free(p);
		return wrap_err("vmware capture");
	}
	reply->path = p;
	reply->size = size > 0 ? size : -1;
	return 0;
}

static int
call_image_sum(const struct drv_req *req, struct drv_plan *plan)
{
	int	rc;

	if ((rc = check_file("image path", req->dest, NULL)) != 0)
		return rc;
	drv_plan_add(plan, "sh", "-c", SUM_SCRIPT, "sh", req->dest, NULL);
	return 0;
}

static int
read_image_sum(const struct drv_req *req, const struct tp_result *res,
    struct drv_reply *reply)
{
	char	*hex;

	if (res->truncated)
		return err_set(ERR_INVAL, "vmware image sum: the output was cut "
		    "off");
	if (hvout_vmrun_sha256(res->out, res->outlen, &hex) != 0)
		return wrap_err("vmware image sum");
	free(reply->sha256);
	reply->sha256 = hex;
	return 0;
}

static int
call_set_id(const struct drv_req *req, struct drv_plan *plan)
{
	const char	*path = "", *name = "", *ty = "ws";
	int		 rc;

	if ((rc = target_args(&req->vm, &path, &name)) != 0 ||
	    (rc = product_word(req->product, &ty)) != 0 ||
	    (rc = check_id(req->vm.hvsh_id)) != 0)
		return rc;
	drv_plan_add(plan, "sh", "-c", SETID_SCRIPT, "sh", path, name, ty,
	    req->vm.hvsh_id, NULL);
	return 0;
}

const struct driver drv_vmrun = {
	.name = "vmware",
	.cli = "vmrun",
	.capture_format = "vmx",
	.probe = vmrun_probe,
	.probe_read = vmrun_probe_read,
	.refresh = vmrun_refresh,
	.refresh_read = vmrun_refresh_read,
	.detail = vmrun_detail,
	.detail_read = vmrun_detail_read,
	.state = vmrun_state,
	.state_read = vmrun_state_read,
	.error_read = vmrun_error_read,
	.op = {
		[DRV_START] = vmrun_start,
		[DRV_STOP] = vmrun_stop,
		[DRV_FORCE_OFF] = vmrun_force_off,
		[DRV_REBOOT] = vmrun_reboot,
		[DRV_SUSPEND] = vmrun_suspend,
		[DRV_RESUME] = vmrun_resume,
		[DRV_DESTROY] = vmrun_destroy,
	},
	.create = vmrun_create,
	.create_read = vmrun_create_read,
	.call = {
		[DRV_POOL_INFO] = call_pool_info,
		[DRV_VOL_CREATE] = call_vol_create,
		[DRV_VOL_ATTACH] = call_vol_attach,
		[DRV_VOL_DETACH] = call_vol_detach,
		[DRV_VOL_RESIZE] = call_vol_resize,
		[DRV_VOL_REMOVE] = call_vol_remove,
		[DRV_SNAP_CREATE] = call_snap_create,
		[DRV_SNAP_REVERT] = call_snap_revert,
		[DRV_SNAP_REMOVE] = call_snap_remove,
		[DRV_SNAP_LIST] = call_snap_list,
		[DRV_CAPTURE] = call_capture,
		[DRV_IMAGE_SUM] = call_image_sum,
		[DRV_SET_ID] = call_set_id,
	},
	.call_read = {
		[DRV_POOL_INFO] = read_pool_info,
		[DRV_VOL_CREATE] = read_vol_create,
		[DRV_VOL_ATTACH] = read_vol_attach,
		[DRV_VOL_RESIZE] = read_vol_resize,
		[DRV_SNAP_LIST] = read_snap_list,
		[DRV_CAPTURE] = read_capture,
		[DRV_IMAGE_SUM] = read_image_sum,
	},
};
