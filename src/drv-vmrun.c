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
 * Every vmrun call passes "-T ws" (Workstation; Player accepts it too).
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

#define HOST_TYPE	"ws"
#define MiB		((int64_t)1024 * 1024)
#define GiB		(MiB * 1024)

/*
 * An operation on a VM known by name: $1 the name, $2 the vmrun command,
 * then that command's words after the path.
 */
#define OP_SCRIPT \
	"n=$1 c=$2; shift 2; " \
	"exec vmrun -T " HOST_TYPE " \"$c\" \"$HOME/hvsh-vms/$n/$n.vmx\" \"$@\""

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
 * Create: $1 the name, $2 the .vmx text, $3 the disk size for
 * vmware-vdiskmanager ("" for none), $4 a disk image on the host to copy
 * instead ("" for none). The .vmx gets its name only once the disk exists,
 * so a refresh never sees half a VM; a failure removes what was made. Its
 * failures are "Error: ..." lines on stdout with exit status 255, as
 * vmrun's own, so one parser reads both. Prints the .vmx path.
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
	"mkdir -- \"$d\" || " \
	"{ echo \"Error: Cannot create the directory: $d\"; exit 255; }; " \
	"printf '%s' \"$2\" >\"$v.tmp\" || " \
	"fail \"Cannot write the virtual machine configuration file: $v\"; " \
	"if [ -n \"$4\" ]; then " \
	"cp -- \"$4\" \"$k\" || fail \"Cannot copy the disk image: $4\"; " \
	"elif [ -n \"$3\" ]; then " \
	"o=$(vmware-vdiskmanager -c -s \"$3\" -a lsilogic -t 0 \"$k\" 2>&1) || " \
	"{ printf '%s\\n' \"$o\"; " \
	"fail \"Cannot create the virtual disk: $k\"; }; fi; " \
	"mv -- \"$v.tmp\" \"$v\" || " \
	"fail \"Cannot write the virtual machine configuration file: $v\"; " \
	"printf '%s\\n' \"$v\""

/* The parts of a refresh's batch, in order. */
enum {
	R_NPROC,
	R_MEMINFO,
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

/*
 * Plans "vmrun -T ws VERB VMX [WORD]" for the target. word may be NULL: it
 * then ends the argument list early.
 */
static int
vmrun_op(const struct drv_target *t, struct drv_plan *plan, const char *verb,
    const char *word)
{
	int	rc;

	if (t->path != NULL && *t->path != '\0') {
		if ((rc = check_path(t->path)) != 0)
			return rc;
		drv_plan_add(plan, "vmrun", "-T", HOST_TYPE, verb, t->path,
		    word, NULL);
		return 0;
	}
	if (t->name == NULL)
		return err_set(ERR_INVAL, "vmware: the VM has neither a .vmx "
		    "path nor a name");
	/* The name becomes a path on the host: no '/', no leading '.'. */
	if ((rc = name_check("VM", t->name)) != 0)
		return rc;
	drv_plan_add(plan, "sh", "-c", OP_SCRIPT, "sh", t->name, verb, word,
	    NULL);
	return 0;
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
 * that the exit status of the step is 0 and probe_read sees vmrun's own.
 */
static int
vmrun_probe(struct drv_plan *plan)
{
	static char *const	 vmrun[] = { "vmrun", NULL };
	char *const *const	 cmds[] = { vmrun };

	drv_plan_batch(plan, cmds, nitems(cmds));
	return 0;
}

/* Finds vmrun's usage text, and its version in the line above it. */
static int
vmrun_probe_read(const struct tp_result *res, struct hv_facts *facts)
{
	struct drv_section	 sec;
	struct hvout_lines	 li;
	const char		*s, *ver = NULL;
	size_t			 n, vlen = 0;
	int			 usage = 0;

	if (drv_sections(res->out, res->outlen, &sec, 1) != 0)
		return wrap_err("vmware probe");
	if (sec.status == 127)
		return err_set(ERR_NOENT, "vmrun not found on host");
	if (hvout_text_check("vmrun", sec.text, sec.len) != 0)
		return wrap_err("vmware probe");
	hvout_lines_init(&li, sec.text, sec.len);
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
		    "text (exit status %d)", sec.status);
	free(facts->version);
	/* Some captures of the usage have no version line. */
	if (ver != NULL && vlen > 0)
		facts->version = xasprintf("vmrun %.*s", (int)vlen, ver);
	else
		facts->version = xstrdup("vmrun (version not shown)");
	return 0;
}

/*
 * One exec: the host's CPUs and memory from the OS (vmrun tells neither),
 * the running VMs, and every managed .vmx with its content.
 */
static int
vmrun_refresh(struct drv_plan *plan)
{
	static char *const	 nproc[] = { "nproc", NULL };
	static char *const	 meminfo[] = { "cat", "/proc/meminfo", NULL };
	static char *const	 list[] = { "vmrun", "-T", HOST_TYPE, "list",
	    NULL };
	static char *const	 vmx[] = { "sh", "-c", VMX_SCRIPT, NULL };
	char *const *const	 cmds[R__COUNT] = { nproc, meminfo, list, vmx };

	drv_plan_batch(plan, cmds, nitems(cmds));
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
vmrun_refresh_read(const struct tp_result *res, struct hv_facts *facts,
    struct hv_vm_list *out)
{
	struct drv_section	 sec[R__COUNT];
	struct hv_vm_list	 run = { NULL, 0 }, l = { NULL, 0 };
	struct hv_vm		*vm;
	int64_t			 total = -1, avail = -1;
	size_t			 i, j;
	unsigned char		*used = NULL;
	int			 rc, cpus = -1, listed;

	if (res->truncated)
		return err_set(ERR_INVAL, "vmware refresh: the output was cut "
		    "at the transport's limit");
	if (drv_sections(res->out, res->outlen, sec, R__COUNT) != 0)
		return wrap_err("vmware refresh");
	if (sec[R_NPROC].status != 0)
		return section_err("vmware refresh: nproc", &sec[R_NPROC]);
	if (read_nproc(sec[R_NPROC].text, sec[R_NPROC].len, &cpus) != 0)
		return wrap_err("vmware refresh");
	if (sec[R_MEMINFO].status != 0)
		return section_err("vmware refresh: cat /proc/meminfo",
		    &sec[R_MEMINFO]);
	if (read_meminfo(sec[R_MEMINFO].text, sec[R_MEMINFO].len, &total,
	    &avail) != 0)
		return wrap_err("vmware refresh");
	if (sec[R_LIST].status != 0)
		return section_err("vmware refresh: vmrun list", &sec[R_LIST]);
	if (hvout_vmrun_list(sec[R_LIST].text, sec[R_LIST].len, &run) != 0)
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
	}
	for (j = 0; j < run.n; j++) {
		if (used[j])
			continue;
		vm = hvout_vm_add(&l);
		*vm = run.v[j];
		hv_vm_init(&run.v[j]);	/* transferred */
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

/*
 * The .vmx hvsh writes for a new VM, built with the .vmx writer, which
 * refuses values that would need VMware's |XX encoding. VMware adds the
 * rest (uuids, MAC addresses, PCI slots) when the VM first starts.
 */
static int
vmx_text(const struct drv_spec *spec, int disk, char **out)
{
	char	 mem[32], cpus[32], *file, *text;
	int64_t	 mib;
	int	 rc;

	/* VMware takes memory in MiB, a multiple of 4: round up. */
	mib = spec->memory / MiB + (spec->memory % MiB != 0);
	mib = (mib + 3) / 4 * 4;
	snprintf(mem, sizeof mem, "%" PRId64, mib);
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

/* vmware-vdiskmanager's -s: whole GB when exact, else MB rounded up. */
static void
disk_size(int64_t bytes, char *buf, size_t len)
{
	if (bytes % GiB == 0)
		snprintf(buf, len, "%" PRId64 "GB", bytes / GiB);
	else
		snprintf(buf, len, "%" PRId64 "MB",
		    bytes / MiB + (bytes % MiB != 0));
}

/*
 * One step: CREATE_SCRIPT with the name, the .vmx text, the disk size and
 * the image as its parameters. Not a drv_plan_batch: its exit status must
 * say whether the VM was made, for error_read.
 */
static int
vmrun_create(const struct drv_spec *spec, struct drv_plan *plan)
{
	char		 size[32] = "";
	char		*vmx = NULL;
	const char	*image = "";
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
		if (spec->image_path[0] != '/')
			return err_set(ERR_INVAL, "vmware: the image path is "
			    "not absolute");
		image = spec->image_path;
	} else if (spec->disk > 0)
		disk_size(spec->disk, size, sizeof size);
	disk = *image != '\0' || spec->disk > 0;
	if ((rc = vmx_text(spec, disk, &vmx)) != 0)
		return wrap_err("vmware create");
	drv_plan_add(plan, "sh", "-c", CREATE_SCRIPT, "sh", spec->name, vmx,
	    size, image, NULL);
	free(vmx);
	return 0;
}

/* The create script's one line: the new .vmx. */
static int
vmrun_create_read(const struct tp_result *res, struct hv_vm *vm)
{
	const char	*s = res->out;
	size_t		 n = res->outlen;
	char		*path;

	if (res->truncated || s == NULL || n < 2 || s[n - 1] != '\n')
		return err_set(ERR_INVAL, "vmware create: no .vmx path in its "
		    "output (cut off?)");
	n--;
	if (hvout_text_check("vmware create", s, n) != 0 ||
	    memchr(s, '\n', n) != NULL)
		return err_set(ERR_INVAL, "vmware create: the output is more "
		    "than the .vmx path");
	path = hvout_dup(s, n);
	if (check_path(path) != 0) {
		free(path);
		return wrap_err("vmware create");
	}
	hv_vm_clear(vm);
	vm->path = path;
	vm->name = vmx_base(path);
	vm->state = HV_STOPPED;
	return 0;
}

const struct driver drv_vmrun = {
	.name = "vmware",
	.cli = "vmrun",
	.probe = vmrun_probe,
	.probe_read = vmrun_probe_read,
	.refresh = vmrun_refresh,
	.refresh_read = vmrun_refresh_read,
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
};
