/*
 * test-drv-vmrun.c: unit tests for the VMware driver. Plans are compared
 * with golden command lines; the readers get batch output built from the
 * samples in shared/hv-formats/samples (read at run time, like
 * test-hvout.c), output captured from the lab's simulator, and every cut
 * and garbled variant of it. The constant scripts also run for real
 * through /bin/sh against a private $HOME with stand-ins for vmrun and
 * vmware-vdiskmanager, so hostile names and paths are seen to stay data.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver.h"
#include "err.h"
#include "hvout.h"
#include "quote.h"
#include "util.h"

#ifndef SAMPLES_FALLBACK
#define SAMPLES_FALLBACK	"/work/shared/hv-formats/samples"
#endif
#define MiB			(1024LL * 1024)
#define PWNED			"/tmp/hvsh-drv-vmrun-pwned"

extern const struct driver drv_vmrun;

/* The driver's plan of op (its slot, which must be there). */
static int
plan_op(const struct driver *drv, enum drv_op op, const struct drv_target *t,
    struct drv_plan *p)
{
	assert_non_null(drv->op[op]);
	return drv->op[op](t, p);
}

static const struct driver *const D = &drv_vmrun;

static char	*samples;

/* ---- helpers ---- */

/* A refresh with a known nonce. */
#define NONCE		"0123456789abcdef"
#define MARK(st)	"@@hvsh-" NONCE ":" #st "@@\n"
static const struct drv_refresh RF = { NONCE };

static int
isdir(const char *path)
{
	struct stat	st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Finds the samples or fails the whole run. */
static int
group_setup(void **state)
{
	const char	*src = getenv("HVSH_SRC");
	char		*d;

	if (src != NULL && *src != '\0') {
		d = xasprintf("%s/../shared/hv-formats/samples", src);
		if (isdir(d)) {
			samples = d;
			return 0;
		}
		free(d);
	}
	if (isdir(SAMPLES_FALLBACK)) {
		samples = xstrdup(SAMPLES_FALLBACK);
		return 0;
	}
	fprintf(stderr, "test-drv-vmrun: no samples: neither "
	    "$HVSH_SRC/../shared/hv-formats/samples nor " SAMPLES_FALLBACK
	    " exists\n");
	printf("not ok - hv-formats samples not found\n");
	return -1;
}

static int
group_teardown(void **state)
{
	free(samples);
	samples = NULL;
	return 0;
}

/* A sample without its "# SOURCE:" line. */
static char *
sample(const char *file)
{
	struct buf	 b = { 0 };
	char		*path, chunk[4096], *nl, *s;
	FILE		*f;
	size_t		 n;

	path = xasprintf("%s/%s", samples, file);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	free(path);
	buf_addc(&b, '\0');
	if (strncmp(b.data, "# SOURCE:", 9) != 0 ||
	    (nl = strchr(b.data, '\n')) == NULL)
		fail_msg("%s: no '# SOURCE:' first line", file);
	s = xstrdup(nl + 1);
	buf_free(&b);
	return s;
}

/* Every line of s behind a '|', as the refresh's .vmx dump sends it. */
static void
add_framed(struct buf *b, const char *path, int suspended, const char *s)
{
	const char	*nl;

	buf_printf(b, "@@vmx %d %s\n", suspended, path);
	while (*s != '\0') {
		nl = strchr(s, '\n');
		buf_addc(b, '|');
		if (nl == NULL) {
			buf_addstr(b, s);
			buf_addc(b, '\n');
			break;
		}
		buf_add(b, s, (size_t)(nl - s + 1));
		s = nl + 1;
	}
	buf_addstr(b, "@@end 0\n");
}

/* A command's result as the transport hands it over. */
static void
res_set(struct tp_result *r, const char *out, size_t outlen, const char *err,
    int status)
{
	memset(r, 0, sizeof *r);
	r->status = status;
	r->out = xmalloc(outlen + 1);
	if (outlen > 0)
		memcpy(r->out, out, outlen);
	r->out[outlen] = '\0';
	r->outlen = outlen;
	r->err = xstrdup(err != NULL ? err : "");
	r->errlen = strlen(r->err);
}

/* Asserts that plan has one step and that it reads want. */
static void
plan_is(struct drv_plan *plan, const char *want)
{
	char	*text;

	assert_int_equal(plan->n, 1);
	text = drv_plan_text(plan, 0);
	if (strcmp(text, want) != 0)
		fail_msg("plan\n  got:  %s\n  want: %s", text, want);
	free(text);
	drv_plan_clear(plan);
}

/* Runs one step of plan through /bin/sh, as the host's login shell would. */
static int
sh_run(const struct drv_plan *plan, size_t step, struct buf *out)
{
	char	*cmd, chunk[4096];
	FILE	*f;
	size_t	 n;
	int	 st;

	cmd = drv_plan_text(plan, step);
	f = popen(cmd, "r");
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(out, chunk, n);
	st = pclose(f);
	free(cmd);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void
write_file(const char *path, const char *text, int mode)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, (mode_t)mode), 0);
}

static char *
read_file(const char *path)
{
	struct buf	 b = { 0 };
	char		 chunk[4096];
	FILE		*f = fopen(path, "rb");
	size_t		 n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	buf_addstr(&b, "");
	return buf_take(&b);
}

/*
 * A private host: $HOME in a temporary directory, and on the PATH a vmrun
 * that answers "list" from $HOME/list and otherwise prints its arguments
 * (NUL after each), and a vmware-vdiskmanager that fails when
 * $HOME/vdisk-fail exists and else records its arguments and makes the
 * file named last.
 */
struct fakehost {
	char	 home[64];
	char	*oldhome;
	char	*oldpath;
};

static const char fake_vmrun[] =
    "#!/bin/sh\n"
    "if [ \"$3\" = list ]; then cat \"$HOME/list\"; exit 0; fi\n"
    "printf '%s\\0' \"$@\"\n";

static const char fake_vdisk[] =
    "#!/bin/sh\n"
    "for f; do :; done\n"
    "echo \"Creating disk '$f'\"\n"
    "if [ -e \"$HOME/vdisk-fail\" ]; then\n"
    "  echo 'Failed to create disk: Invalid disk size.'; exit 1\n"
    "fi\n"
    "printf '%s\\0' \"$@\" >\"$HOME/vdisk-args\"\n"
    ": >\"$f\"\n"
    "echo 'Virtual disk creation successful.'\n";

static void
fake_up(struct fakehost *h)
{
	char	*p, *bin;

	strcpy(h->home, "/tmp/hvsh-drv-vmrun.XXXXXX");
	assert_non_null(mkdtemp(h->home));
	bin = xasprintf("%s/bin", h->home);
	assert_int_equal(mkdir(bin, 0755), 0);
	p = xasprintf("%s/vmrun", bin);
	write_file(p, fake_vmrun, 0755);
	free(p);
	p = xasprintf("%s/vmware-vdiskmanager", bin);
	write_file(p, fake_vdisk, 0755);
	free(p);
	h->oldhome = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;
	h->oldpath = xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	p = xasprintf("%s:%s", bin, h->oldpath);
	setenv("PATH", p, 1);
	setenv("HOME", h->home, 1);
	free(p);
	free(bin);
}

static void
fake_down(struct fakehost *h)
{
	char	*cmd;

	cmd = xasprintf("rm -rf '%s'", h->home);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	setenv("PATH", h->oldpath, 1);
	if (h->oldhome != NULL)
		setenv("HOME", h->oldhome, 1);
	else
		unsetenv("HOME");
	free(h->oldhome);
	free(h->oldpath);
}

/* Asserts that the NUL-separated words in b are exactly want. */
static void
words_are(const struct buf *b, const char *const *want)
{
	size_t	off = 0, i;

	for (i = 0; want[i] != NULL; i++) {
		size_t	n = strlen(want[i]);

		if (off + n + 1 > b->len || memcmp(b->data + off, want[i], n) ||
		    b->data[off + n] != '\0')
			fail_msg("word %zu is not '%s'", i, want[i]);
		off += n + 1;
	}
	assert_int_equal(off, b->len);
}

/* ---- plans ---- */

#define T_PATH	"/vms/web 1/web1.vmx"

static void
test_op_plans_path(void **state)
{
	struct drv_plan		plan = { 0 };
	struct drv_target	t = { .name = "web1", .path = T_PATH };
	static const struct {
		enum drv_op	 op;
		const char	*text;
	} want[] = {
		{ DRV_START, "'vmrun' '-T' 'ws' 'start' '" T_PATH "' 'nogui'" },
		{ DRV_STOP, "'vmrun' '-T' 'ws' 'stop' '" T_PATH "' 'soft'" },
		{ DRV_FORCE_OFF,
		    "'vmrun' '-T' 'ws' 'stop' '" T_PATH "' 'hard'" },
		{ DRV_REBOOT, "'vmrun' '-T' 'ws' 'reset' '" T_PATH "' 'soft'" },
		{ DRV_SUSPEND, "'vmrun' '-T' 'ws' 'suspend' '" T_PATH "'" },
		{ DRV_RESUME, "'vmrun' '-T' 'ws' 'start' '" T_PATH "' 'nogui'" },
		{ DRV_DESTROY, "'vmrun' '-T' 'ws' 'deleteVM' '" T_PATH "'" },
	};
	size_t	i;

	assert_string_equal(D->name, "vmware");
	assert_string_equal(D->cli, "vmrun");
	assert_ptr_equal(driver_find("vmware"), D);
	for (i = 0; i < nitems(want); i++) {
		assert_int_equal(plan_op(D, want[i].op, &t, &plan), 0);
		plan_is(&plan, want[i].text);
	}
}

#define OPS "'sh' '-c' 'n=$1 t=$2 c=$3; shift 3; exec vmrun -T \"$t\" " \
	"\"$c\" \"$HOME/hvsh-vms/$n/$n.vmx\" \"$@\"' 'sh' 'web1' 'ws'"

static void
test_op_plans_name(void **state)
{
	struct drv_plan		plan = { 0 };
	struct drv_target	t = { .name = "web1", .hvsh_id = "7" };
	static const struct {
		enum drv_op	 op;
		const char	*text;
	} want[] = {
		{ DRV_START, OPS " 'start' 'nogui'" },
		{ DRV_STOP, OPS " 'stop' 'soft'" },
		{ DRV_FORCE_OFF, OPS " 'stop' 'hard'" },
		{ DRV_REBOOT, OPS " 'reset' 'soft'" },
		{ DRV_SUSPEND, OPS " 'suspend'" },
		{ DRV_RESUME, OPS " 'start' 'nogui'" },
		{ DRV_DESTROY, OPS " 'deleteVM'" },
	};
	size_t	i;

	for (i = 0; i < nitems(want); i++) {
		assert_int_equal(plan_op(D, want[i].op, &t, &plan), 0);
		plan_is(&plan, want[i].text);
	}
	/* An empty path counts as none. */
	t.path = "";
	assert_int_equal(plan_op(D, DRV_START, &t, &plan), 0);
	plan_is(&plan, OPS " 'start' 'nogui'");
}

/* Paths that are not one absolute .vmx, and names that are not names. */
static void
test_op_plans_refused(void **state)
{
	struct drv_plan		plan = { 0 };
	struct drv_target	t;
	static const char *const paths[] = {
		"web1", "-x.vmx", "rel/web1.vmx", "/vms/web1", "/vms/web1.VMX",
		"/vms/.vmx", "/.vmx", "/vms/a\nb.vmx", "/vms/\033[2Jx.vmx",
		"/vms/x.vmx\n", "/vms/x.vmx.lck",
	};
	static const char *const names[] = {
		"", "a/b", "../x", "-rf", ".hidden", "a b", "$(reboot)",
		"x;y", "a'b", "a\nb",
	};
	size_t	i;
	int	op;

	for (op = 0; op < DRV_OP__COUNT; op++) {
		for (i = 0; i < nitems(paths); i++) {
			memset(&t, 0, sizeof t);
			t.name = "web1";
			t.path = paths[i];
			assert_int_equal(plan_op(D, (enum drv_op)op, &t,
			    &plan), ERR_INVAL);
			assert_int_equal(plan.n, 0);
		}
		for (i = 0; i < nitems(names); i++) {
			memset(&t, 0, sizeof t);
			t.name = names[i];
			assert_int_equal(plan_op(D, (enum drv_op)op, &t,
			    &plan), ERR_INVAL);
			assert_int_equal(plan.n, 0);
		}
		memset(&t, 0, sizeof t);
		assert_int_equal(plan_op(D, (enum drv_op)op, &t, &plan),
		    ERR_INVAL);
		assert_non_null(strstr(err_msg(), "neither"));
	}
	t.path = "/vms/a\nb.vmx";
	assert_int_equal(plan_op(D, DRV_START, &t, &plan), ERR_INVAL);
	assert_non_null(strstr(err_msg(), "control character"));
}

#define Q	"'\\''"
#define IQ	Q "\\" Q Q
#define PROBE_TEXT "'sh' '-c' '" Q "vmrun" Q " </dev/null; " \
	"echo \"@@hvsh:$?@@\"\n" \
	Q "sh" Q " " Q "-c" Q " " Q \
	"printf " IQ "os %s\\n" IQ " \"$(uname -s)\"; " \
	"f=0; [ -d " IQ "/Applications/VMware Fusion.app" IQ " ] && f=1; " \
	"printf " IQ "fusion %s\\n" IQ " \"$f\"; " \
	"w=0; command -v vmware >/dev/null 2>&1 && w=1; " \
	"printf " IQ "vmware %s\\n" IQ " \"$w\"; " \
	"p=0; command -v vmplayer >/dev/null 2>&1 && p=1; " \
	"printf " IQ "vmplayer %s\\n" IQ " \"$p\"" Q \
	" </dev/null; echo \"@@hvsh:$?@@\"\n'"

/* PRODUCT_SCRIPT's answer on a Linux host with Workstation. */
#define FACTS_WS "os Linux\nfusion 0\nvmware 1\nvmplayer 1\n@@hvsh:0@@\n"

static void
test_probe(void **state)
{
	struct drv_plan		 plan = { 0 };
	struct tp_result	 r;
	struct hv_facts		 f;
	struct buf		 b = { 0 };
	char			*help;

	assert_int_equal(D->probe(&plan), 0);
	plan_is(&plan, PROBE_TEXT);

	help = sample("vmrun-help-ws17-player.txt");
	hv_facts_init(&f);
	/* vmrun 17 heads its usage with its version (the sample starts below). */
	buf_printf(&b, "\nvmrun version 1.17.0 build-23775571\n%s"
	    "@@hvsh:255@@\n" FACTS_WS, help);
	res_set(&r, b.data, b.len, "", 0);
	assert_int_equal(D->probe_read(&r, &f), 0);
	assert_string_equal(f.version, "vmrun 1.17.0 build-23775571");
	tp_result_free(&r);
	buf_reset(&b);

	/* The sample and the lab's simulator print no version line. */
	buf_printf(&b, "%s@@hvsh:255@@\n" FACTS_WS, help);
	res_set(&r, b.data, b.len, "", 0);
	assert_int_equal(D->probe_read(&r, &f), 0);
	assert_string_equal(f.version, "vmrun (version not shown)");
	tp_result_free(&r);

	res_set(&r, "@@hvsh:127@@\n" FACTS_WS, 13 + strlen(FACTS_WS),
	    "sh: 1: vmrun: not found\n", 0);
	assert_int_equal(D->probe_read(&r, &f), ERR_NOENT);
	assert_string_equal(err_msg(), "vmrun not found on host");
	tp_result_free(&r);

	/* Not vmrun's usage, no marker, a cut marker. */
	res_set(&r, "Total running VMs: 0\n@@hvsh:0@@\n" FACTS_WS,
	    32 + strlen(FACTS_WS), "", 0);
	assert_int_equal(D->probe_read(&r, &f), ERR_INVAL);
	tp_result_free(&r);
	res_set(&r, help, strlen(help) / 2, "", 0);
	assert_int_not_equal(D->probe_read(&r, &f), 0);
	tp_result_free(&r);
	res_set(&r, "Usage: vmrun\n@@hvsh:2", 21, "", 0);
	assert_int_not_equal(D->probe_read(&r, &f), 0);
	tp_result_free(&r);
	assert_string_equal(f.version, "vmrun (version not shown)");

	hv_facts_clear(&f);
	buf_free(&b);
	free(help);
}

/* ---- refresh ---- */

#define REFRESH_TEXT \
	"'sh' '-c' '" \
	Q "sh" Q " " Q "-c" Q " " Q "case $(uname -s) in " \
	"Darwin) echo @darwin; sysctl -n hw.ncpu hw.memsize && vm_stat;; " \
	"*) echo @linux; nproc && cat /proc/meminfo;; esac" Q \
	" </dev/null; echo \"@@hvsh-" NONCE ":$?@@\"\n" \
	Q "sh" Q " " Q "-c" Q " " Q "case $(uname -s) in Darwin) " \
	"t=fusion;; *) t=ws;; esac; exec vmrun -T \"$t\" list" Q \
	" </dev/null; echo \"@@hvsh-" NONCE ":$?@@\"\n" \
	Q "sh" Q " " Q "-c" Q " " Q \
	"for f in \"$HOME\"/hvsh-vms/*/*.vmx; do " \
	"[ -f \"$f\" ] || continue; " \
	"case $f in *[[:cntrl:]]*) continue;; esac; " \
	"set -- \"${f%/*}\"/*.vmss; s=0; [ -f \"$1\" ] && s=1; " \
	"printf " Q "\\" Q Q "@@vmx %s %s\\n" Q "\\" Q Q " \"$s\" \"$f\"; " \
	"awk " Q "\\" Q Q "{ print \"|\" $0 }" Q "\\" Q Q " <\"$f\"; " \
	"echo \"@@end $?\"; done" Q " </dev/null; echo \"@@hvsh-" NONCE ":$?@@\"\n'"

static void
test_refresh_plan(void **state)
{
	struct drv_plan	plan = { 0 };

	assert_int_equal(D->refresh(&RF, &plan), 0);
	plan_is(&plan, REFRESH_TEXT);
}

static const char meminfo[] =
    "MemTotal:       16318412 kB\n"
    "MemFree:         1024000 kB\n"
    "MemAvailable:    8159206 kB\n"
    "Buffers:          123456 kB\n";

/*
 * A refresh's output from the samples: the blog's "vmrun list" (two
 * running VMs), the LOVM .vmx as the first of them, and two VMs of hvsh's,
 * one suspended. The second listed VM has no .vmx in the managed directory.
 */
static char *
samples_batch(size_t *lenp)
{
	struct buf	 b = { 0 };
	char		*list, *vmx;

	list = sample("vmrun-list-blog-zh.txt");
	vmx = sample("vmx-centos-lovm-fixture.vmx.txt");
	buf_printf(&b, "@linux\n8\n%s@@hvsh-" NONCE ":0@@\n%s@@hvsh-" NONCE ":0@@\n",
	    meminfo, list);
	add_framed(&b, "/root/vmware/CentOS-mysql/CentOS-mysql.vmx", 0, vmx);
	add_framed(&b, "/root/hvsh-vms/web1/web1.vmx", 1,
	    "displayName = \"web1\"\nmemsize = \"512\"\nnumvcpus = \"2\"\n"
	    "hvsh.id = \"4242\"\n");
	/* A .vmx without a last newline, with CRLF, and no displayName. */
	add_framed(&b, "/root/hvsh-vms/db/db.vmx", 0,
	    "memsize = \"64\"\r\nhvsh.id = \"17\"");
	buf_addstr(&b, "@@hvsh-" NONCE ":0@@\n");
	free(list);
	free(vmx);
	*lenp = b.len;
	return buf_take(&b);
}

static const struct hv_vm *
find_vm(const struct hv_vm_list *l, const char *path)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].path != NULL && strcmp(l->v[i].path, path) == 0)
			return &l->v[i];
	fail_msg("no VM %s", path);
	return NULL;
}

static void
test_refresh_samples(void **state)
{
	struct tp_result	 r;
	struct hv_facts		 f;
	struct hv_vm_list	 l = { 0 };
	const struct hv_vm	*v;
	struct buf		 b = { 0 };
	char			*text, *list;
	size_t			 len;

	text = samples_batch(&len);
	res_set(&r, text, len, "", 0);
	hv_facts_init(&f);
	f.version = xstrdup("vmrun 1.17.0");
	assert_int_equal(D->refresh_read(&RF, &r, &f, &l), 0);
	assert_int_equal(f.cpus, 8);
	assert_int_equal(f.memory, 16318412LL * 1024);
	assert_int_equal(f.mem_free, 8159206LL * 1024);
	assert_string_equal(f.version, "vmrun 1.17.0");	/* kept */
	assert_int_equal(l.n, 4);

	v = find_vm(&l, "/root/vmware/CentOS-mysql/CentOS-mysql.vmx");
	assert_string_equal(v->name, "Clone of centos7");
	assert_int_equal(v->state, HV_RUNNING);
	assert_int_equal(v->cpus, 2);
	assert_int_equal(v->memory, 2048 * MiB);
	assert_string_equal(v->uuid, "564d876b-50be-52c8-8d5b-57ac21f707f2");
	assert_null(v->hvsh_id);

	v = find_vm(&l, "/root/hvsh-vms/web1/web1.vmx");
	assert_string_equal(v->name, "web1");
	assert_int_equal(v->state, HV_SUSPENDED);
	assert_int_equal(v->cpus, 2);
	assert_int_equal(v->memory, 512 * MiB);
	assert_int_equal(v->mem_used, 0);
	assert_string_equal(v->hvsh_id, "4242");

	v = find_vm(&l, "/root/hvsh-vms/db/db.vmx");
	assert_string_equal(v->name, "db");
	assert_int_equal(v->state, HV_STOPPED);
	assert_int_equal(v->cpus, 1);
	assert_int_equal(v->memory, 64 * MiB);
	assert_string_equal(v->hvsh_id, "17");

	/* Running, but not one of the managed directory's: list's word only. */
	v = find_vm(&l, "/root/vmware/CentOS-svn-bak/CentOS-mysql.vmx");
	assert_string_equal(v->name, "CentOS-mysql");
	assert_int_equal(v->state, HV_RUNNING);
	assert_int_equal(v->cpus, -1);
	assert_null(v->hvsh_id);
	hv_vm_list_free(&l);
	tp_result_free(&r);
	free(text);

	/* packer's capture, nothing managed; "//" in $HOME still matches. */
	list = sample("vmrun-list-packer-issue-3878.txt");
	buf_printf(&b, "@linux\n1\n%s@@hvsh-" NONCE ":0@@\n%s@@hvsh-" NONCE ":0@@\n", meminfo,
	    list);
	add_framed(&b, "/opt//packer/output-vmware-vmx/"
	    "windows2012r2-vanilla-1473415423.vmx", 0, "numvcpus = \"4\"\n");
	buf_addstr(&b, "@@hvsh-" NONCE ":0@@\n");
	res_set(&r, b.data, b.len, "", 0);
	assert_int_equal(D->refresh_read(&RF, &r, &f, &l), 0);
	assert_int_equal(f.cpus, 1);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].name, "windows2012r2-vanilla-1473415423");
	assert_int_equal(l.v[0].state, HV_RUNNING);
	assert_int_equal(l.v[0].cpus, 4);
	hv_vm_list_free(&l);
	tp_result_free(&r);
	hv_facts_clear(&f);
	buf_free(&b);
	free(list);
}

/*
 * "drvrun refresh" against the lab's vmw1 (tests/lab), its stdout byte for
 * byte except /proc/meminfo, cut to its first lines: a1 running, b2
 * suspended, c3 created without a disk and never started.
 */
static const char lab_capture[] =
	"@linux\n"
	"2\n"
	"MemTotal:       24684084 kB\n"
	"MemFree:        24211908 kB\n"
	"MemAvailable:   24291148 kB\n"
	"Buffers:            1512 kB\n"
	"Cached:           260488 kB\n"
	"@@hvsh-" NONCE ":0@@\n"
	"Total running VMs: 1\n"
	"/tmp/d3/lab/l/home/vmw1/hvsh-vms/a1/a1.vmx\n"
	"@@hvsh-" NONCE ":0@@\n"
	"@@vmx 0 /tmp/d3/lab/l/home/vmw1/hvsh-vms/a1/a1.vmx\n"
	"|.encoding = \"UTF-8\"\n"
	"|config.version = \"8\"\n"
	"|virtualHW.version = \"16\"\n"
	"|displayName = \"a1\"\n"
	"|guestOS = \"other-64\"\n"
	"|memsize = \"64\"\n"
	"|numvcpus = \"2\"\n"
	"|scsi0.present = \"TRUE\"\n"
	"|scsi0.virtualDev = \"lsilogic\"\n"
	"|scsi0:0.present = \"TRUE\"\n"
	"|scsi0:0.fileName = \"a1.vmdk\"\n"
	"|hvsh.id = \"4242\"\n"
	"|uuid.bios = \"56 4d fb 97 84 d7 22 95-b8 e3 0d a1 16 8b c5 6c\"\n"
	"|uuid.location = \"56 4d fb 97 84 d7 22 95-b8 e3 0d a1 16 8b c5 6c\"\n"
	"@@end 0\n"
	"@@vmx 1 /tmp/d3/lab/l/home/vmw1/hvsh-vms/b2/b2.vmx\n"
	"|.encoding = \"UTF-8\"\n"
	"|config.version = \"8\"\n"
	"|virtualHW.version = \"16\"\n"
	"|displayName = \"b2\"\n"
	"|guestOS = \"other-64\"\n"
	"|memsize = \"32\"\n"
	"|numvcpus = \"1\"\n"
	"|scsi0.present = \"TRUE\"\n"
	"|scsi0.virtualDev = \"lsilogic\"\n"
	"|scsi0:0.present = \"TRUE\"\n"
	"|scsi0:0.fileName = \"b2.vmdk\"\n"
	"|hvsh.id = \"4242\"\n"
	"|uuid.bios = \"56 4d 3c 99 10 7f 76 53-56 45 ab 27 f2 2a ce a2\"\n"
	"|uuid.location = \"56 4d 3c 99 10 7f 76 53-56 45 ab 27 f2 2a ce a2\"\n"
	"@@end 0\n"
	"@@vmx 0 /tmp/d3/lab/l/home/vmw1/hvsh-vms/c3/c3.vmx\n"
	"|.encoding = \"UTF-8\"\n"
	"|config.version = \"8\"\n"
	"|virtualHW.version = \"16\"\n"
	"|displayName = \"c3\"\n"
	"|guestOS = \"other-64\"\n"
	"|memsize = \"100\"\n"
	"|numvcpus = \"4\"\n"
	"|hvsh.id = \"4242\"\n"
	"@@end 0\n"
	"@@hvsh-" NONCE ":0@@\n";

static void
test_refresh_lab(void **state)
{
	struct tp_result	r;
	struct hv_facts		f;
	struct hv_vm_list	l = { 0 };

	res_set(&r, lab_capture, sizeof lab_capture - 1, "", 0);
	hv_facts_init(&f);
	assert_int_equal(D->refresh_read(&RF, &r, &f, &l), 0);
	assert_int_equal(f.cpus, 2);
	assert_int_equal(f.memory, 24684084LL * 1024);
	assert_int_equal(f.mem_free, 24291148LL * 1024);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].name, "a1");
	assert_int_equal(l.v[0].state, HV_RUNNING);
	assert_int_equal(l.v[0].cpus, 2);
	assert_int_equal(l.v[0].memory, 64 * MiB);
	assert_string_equal(l.v[0].uuid,
	    "564dfb97-84d7-2295-b8e3-0da1168bc56c");
	assert_string_equal(l.v[0].hvsh_id, "4242");
	assert_string_equal(l.v[1].name, "b2");
	assert_int_equal(l.v[1].state, HV_SUSPENDED);
	assert_string_equal(l.v[2].name, "c3");
	assert_int_equal(l.v[2].state, HV_STOPPED);
	assert_int_equal(l.v[2].cpus, 4);
	assert_int_equal(l.v[2].memory, 100 * MiB);
	assert_null(l.v[2].uuid);
	assert_string_equal(l.v[2].path,
	    "/tmp/d3/lab/l/home/vmw1/hvsh-vms/c3/c3.vmx");
	hv_vm_list_free(&l);
	hv_facts_clear(&f);
	tp_result_free(&r);
}

/* Reads text as a refresh's output; must fail and leave l and f as they were. */
static void
refresh_fails(const char *text, size_t len, const char *needle)
{
	struct tp_result	r;
	struct hv_facts		f;
	struct hv_vm_list	l = { (struct hv_vm *)&l, 77 };

	res_set(&r, text, len, "", 0);
	hv_facts_init(&f);
	if (D->refresh_read(&RF, &r, &f, &l) == 0)
		fail_msg("refresh_read took %zu bytes: %.300s", len, text);
	assert_ptr_equal(l.v, (struct hv_vm *)&l);
	assert_int_equal(l.n, 77);
	assert_int_equal(f.cpus, -1);
	assert_int_equal(f.memory, -1);
	if (needle != NULL && strstr(err_msg(), needle) == NULL)
		fail_msg("message '%s' lacks '%s'", err_msg(), needle);
	tp_result_free(&r);
}

/* Every cut of the output, also mid-marker, is an error, never a crash. */
static void
test_refresh_truncated(void **state)
{
	struct tp_result	 r;
	struct hv_facts		 f;
	struct hv_vm_list	 l = { 0 };
	char			*text, *cut;
	size_t			 len, n;

	text = samples_batch(&len);
	for (n = 0; n + 1 < len; n++) {
		/* An exact-size copy: ASan catches a read past the cut. */
		cut = xmalloc(n + 1);
		memcpy(cut, text, n);
		cut[n] = '\0';
		refresh_fails(cut, n, NULL);
		free(cut);
	}
	for (n = 0; n + 1 < sizeof lab_capture - 1; n++)
		refresh_fails(lab_capture, n, NULL);
	/* Cut before the last marker: the message says what it thinks. */
	cut = strstr(text, "@@end 0\n@@hvsh-" NONCE ":0@@\n");
	assert_non_null(cut);
	refresh_fails(text, (size_t)(cut - text) + 8, "truncated");
	/* Whole, but the transport says it cut the output at its cap. */
	res_set(&r, text, len, "", 0);
	r.truncated = 1;
	hv_facts_init(&f);
	assert_int_equal(D->refresh_read(&RF, &r, &f, &l), ERR_INVAL);
	assert_non_null(strstr(err_msg(), "cut"));
	tp_result_free(&r);
	free(text);
}

static const char nul_case[] =
    "@linux\n2\nMemTotal: 1 kB\n@@hvsh-" NONCE ":0@@\n"
    "Total running VMs: 0\n@@hvsh-" NONCE ":0@@\n@@vmx 0 /a.vmx\n|a\0b\n"
    "@@end 0\n@@hvsh-" NONCE ":0@@\n";

/* A part that failed, or that says something else than it should. */
static void
test_refresh_garbled(void **state)
{
	static const struct {
		const char	*text;
		const char	*needle;
	} cases[] = {
		/* vmrun list failed: its own reason comes through. */
		{ "@linux\n2\nMemTotal: 1 kB\n@@hvsh-" NONCE ":0@@\n"
		  "Error: Unknown error\n@@hvsh-" NONCE ":255@@\n@@hvsh-" NONCE ":0@@\n",
		  "vmrun list: Unknown error" },
		{ "@linux\n2\nMemTotal: 1 kB\n@@hvsh-" NONCE ":0@@\n"
		  "@@hvsh-" NONCE ":127@@\n@@hvsh-" NONCE ":0@@\n", "vmrun list: not found" },
		{ "@linux\n2\nMemTotal: 1 kB\n@@hvsh-" NONCE ":0@@\n"
		  "xx\n@@hvsh-" NONCE ":1@@\n@@hvsh-" NONCE ":0@@\n", "exit status 1" },
		{ "@@hvsh-" NONCE ":127@@\n"
		  "Total running VMs: 0\n@@hvsh-" NONCE ":0@@\n@@hvsh-" NONCE ":0@@\n",
		  "CPUs and memory: not found" },
		{ "@linux\ntwo\nMemTotal: 1 kB\n@@hvsh-" NONCE ":0@@\n"
		  "Total running VMs: 0\n@@hvsh-" NONCE ":0@@\n@@hvsh-" NONCE ":0@@\n", "nproc" },
		{ "@linux\n2\nMemFree: 1 kB\n@@hvsh-" NONCE ":0@@\n"
		  "Total running VMs: 0\n@@hvsh-" NONCE ":0@@\n@@hvsh-" NONCE ":0@@\n", "MemTotal" },
		{ "@linux\n2\n@@hvsh-" NONCE ":1@@\n"
		  "Total running VMs: 0\n@@hvsh-" NONCE ":0@@\n@@hvsh-" NONCE ":0@@\n",
		  "CPUs and memory" },
		{ "@plan9\n2\n@@hvsh-" NONCE ":0@@\n"
		  "Total running VMs: 0\n@@hvsh-" NONCE ":0@@\n@@hvsh-" NONCE ":0@@\n",
		  "neither Linux nor macOS" },
		{ "@linux\n2\nMemTotal: 1 kB\n@@hvsh-" NONCE ":0@@\n"
		  "\x93\x01q\xfe\n@@hvsh-" NONCE ":0@@\n@@hvsh-" NONCE ":0@@\n", "vmrun list" },
		/* The .vmx dump: cut, unreadable, garbled, not a .vmx. */
		{ "@linux\n2\nMemTotal: 1 kB\n@@hvsh-" NONCE ":0@@\n"
		  "Total running VMs: 0\n@@hvsh-" NONCE ":0@@\n"
		  "@@vmx 0 /h/a/a.vmx\n|memsize = \"4\"\n@@hvsh-" NONCE ":0@@\n",
		  "/h/a/a.vmx is cut off" },
		{ "@linux\n2\nMemTotal: 1 kB\n@@hvsh-" NONCE ":0@@\n"
		  "Total running VMs: 0\n@@hvsh-" NONCE ":0@@\n"
		  "@@vmx 0 /h/a/a.vmx\n@@end 2\n@@hvsh-" NONCE ":0@@\n",
		  "/h/a/a.vmx: cannot read it" },
		{ "@linux\n2\nMemTotal: 1 kB\n@@hvsh-" NONCE ":0@@\n"
		  "Total running VMs: 0\n@@hvsh-" NONCE ":0@@\n"
		  "@@vmx 0 /h/a/a.vmx\nmemsize = \"4\"\n@@end 0\n@@hvsh-" NONCE ":0@@\n",
		  "line 2 is garbled" },
		{ "@linux\n2\nMemTotal: 1 kB\n@@hvsh-" NONCE ":0@@\n"
		  "Total running VMs: 0\n@@hvsh-" NONCE ":0@@\n"
		  "@@vmx 2 /h/a/a.vmx\n@@end 0\n@@hvsh-" NONCE ":0@@\n", "garbled" },
		{ "@linux\n2\nMemTotal: 1 kB\n@@hvsh-" NONCE ":0@@\n"
		  "Total running VMs: 0\n@@hvsh-" NONCE ":0@@\n"
		  "@@vmx 0 /h/a/a.vmx\n@@end x\n@@hvsh-" NONCE ":0@@\n", "garbled" },
		{ "@linux\n2\nMemTotal: 1 kB\n@@hvsh-" NONCE ":0@@\n"
		  "Total running VMs: 0\n@@hvsh-" NONCE ":0@@\n"
		  "@@vmx 0 /h/a/a.vmx\n|\x01\x02garbage\n@@end 0\n@@hvsh-" NONCE ":0@@\n",
		  "/h/a/a.vmx: .vmx: line 1" },
		/* A .vmx cannot fake a VM: its lines stay behind the '|'. */
		{ "@linux\n2\nMemTotal: 1 kB\n@@hvsh-" NONCE ":0@@\n"
		  "Total running VMs: 0\n@@hvsh-" NONCE ":0@@\n"
		  "@@vmx 0 /h/a/a.vmx\n|@@end 0\n|@@vmx 0 /fake.vmx\n"
		  "|memsize = \"4\"\n@@end 0\n@@hvsh-" NONCE ":0@@\n", "/h/a/a.vmx: " },
		{ "@linux\n2\nMemTotal: 1 kB\n@@hvsh-" NONCE ":0@@\n"
		  "Total running VMs: 0\n@@hvsh-" NONCE ":0@@\n@@hvsh-" NONCE ":1@@\n",
		  "reading the .vmx files" },
		{ "garbage\n\n\x01", NULL },
		{ "", "truncated" },
	};
	size_t	i;

	for (i = 0; i < nitems(cases); i++)
		refresh_fails(cases[i].text, strlen(cases[i].text),
		    cases[i].needle);
	/* A NUL byte in the .vmx dump. */
	refresh_fails(nul_case, sizeof nul_case - 1, "NUL");
}


/* Reads a refresh of two managed VMs and list; must succeed. */
static void
refresh_list(const char *list, struct hv_vm_list *l)
{
	struct buf		 b = { 0 };
	struct tp_result	 r;
	struct hv_facts		 f;

	buf_printf(&b, "@linux\n2\nMemTotal: 1 kB\n" MARK(0) "%s" MARK(0),
	    list);
	add_framed(&b, "/h/hvsh-vms/a/a.vmx", 0, "displayName = \"a\"\n");
	add_framed(&b, "/h/hvsh-vms/b/b.vmx", 1, "displayName = \"b\"\n");
	buf_addstr(&b, MARK(0));
	res_set(&r, b.data, b.len, "", 0);
	hv_facts_init(&f);
	memset(l, 0, sizeof *l);
	if (D->refresh_read(&RF, &r, &f, l) != 0)
		fail_msg("refresh_read: %s", err_msg());
	hv_facts_clear(&f);
	tp_result_free(&r);
	buf_free(&b);
}

/*
 * A running VM whose path holds a newline prints a line equal to a's
 * path: the count no longer matches, so a is flagged, not taken as
 * running, and the fragments are flagged too; b, not listed, is read.
 */
static void
test_refresh_forged_list(void **state)
{
	struct hv_vm_list	 l;
	const struct hv_vm	*v;
	size_t			 i;

	refresh_list("Total running VMs: 1\n/x/evil\n/h/hvsh-vms/a/a.vmx\n"
	    ".vmx\n", &l);
	v = find_vm(&l, "/h/hvsh-vms/a/a.vmx");
	assert_true(v->unsure);
	assert_int_equal(v->state, HV_UNKNOWN);
	v = find_vm(&l, "/h/hvsh-vms/b/b.vmx");
	assert_false(v->unsure);
	assert_int_equal(v->state, HV_SUSPENDED);
	assert_int_equal(l.n, 4);
	for (i = 2; i < l.n; i++) {
		assert_true(l.v[i].unsure);
		assert_int_equal(l.v[i].state, HV_UNKNOWN);
	}
	hv_vm_list_free(&l);

	/* The count right, but a line twice: in doubt too. */
	refresh_list("Total running VMs: 2\n/h/hvsh-vms/a/a.vmx\n"
	    "/h/hvsh-vms/a/a.vmx\n", &l);
	assert_int_equal(l.n, 2);
	v = find_vm(&l, "/h/hvsh-vms/a/a.vmx");
	assert_true(v->unsure);
	assert_int_equal(v->state, HV_UNKNOWN);
	hv_vm_list_free(&l);

	/* A clean list is believed; a foreign marker in it is a path. */
	refresh_list("Total running VMs: 2\n/h/hvsh-vms/a/a.vmx\n"
	    "@@hvsh:0@@\n", &l);
	assert_int_equal(l.n, 3);
	v = find_vm(&l, "/h/hvsh-vms/a/a.vmx");
	assert_false(v->unsure);
	assert_int_equal(v->state, HV_RUNNING);
	v = find_vm(&l, "@@hvsh:0@@");
	assert_false(v->unsure);
	hv_vm_list_free(&l);
}

/* Detail: each VM asked alone, in words of the script's own. */
static void
test_detail(void **state)
{
	struct hv_vm_list	 l = { 0 };
	struct hv_vm		*need[4];
	struct drv_plan		 plan = { 0 };
	struct tp_result	 r;
	char			*text;
	size_t			 i;
	static const char	 out[] = "on 0\n" MARK(0) "off 1\n" MARK(0)
	    "off 0\n" MARK(0) "unknown\n" MARK(0);

	for (i = 0; i < 4; i++)
		(void)hvout_vm_add(&l);
	for (i = 0; i < 4; i++) {
		need[i] = &l.v[i];
		need[i]->unsure = 1;
		need[i]->cpus = 1;
	}
	need[0]->path = xstrdup("/h/hvsh-vms/a/a.vmx");
	need[1]->path = xstrdup("/h/hvsh-vms/b/b.vmx");
	need[2]->path = xstrdup("/x/evil.vmx");
	need[2]->cpus = -1;	/* a list line only */
	need[3]->path = xstrdup("/h/hvsh-vms/c/c.vmx");
	assert_int_equal(D->detail(&RF, need, 4, &plan), 0);
	assert_int_equal(plan.n, 1);
	text = drv_plan_text(&plan, 0);
	assert_non_null(strstr(text, "readVariable"));
	assert_non_null(strstr(text, Q "/x/evil.vmx" Q " </dev/null; echo "
	    "\"@@hvsh-" NONCE ":$?@@\""));
	free(text);
	drv_plan_clear(&plan);
	res_set(&r, out, sizeof out - 1, "", 0);
	assert_int_equal(D->detail_read(&RF, &r, need, 4), 0);
	assert_int_equal(need[0]->state, HV_RUNNING);
	assert_false(need[0]->unsure);
	assert_int_equal(need[1]->state, HV_SUSPENDED);
	assert_int_equal(need[1]->mem_used, 0);
	assert_false(need[1]->unsure);
	/* Off and not one of ours: no VM of the list. */
	assert_int_equal(need[2]->state, HV_UNKNOWN);
	assert_false(need[2]->unsure);
	/* vmrun would not say: still unsure. */
	assert_int_equal(need[3]->state, HV_UNKNOWN);
	assert_true(need[3]->unsure);
	tp_result_free(&r);
	/* Garbled or cut: fails. */
	need[0]->state = HV_STOPPED;
	res_set(&r, "on 0\n" MARK(0) "@@hvsh:0@@\n" MARK(0) "gone\n" MARK(0)
	    "gone\n" MARK(0), strlen("on 0\n" MARK(0) "@@hvsh:0@@\n" MARK(0)
	    "gone\n" MARK(0) "gone\n" MARK(0)), "", 0);
	assert_true(D->detail_read(&RF, &r, need, 4) < 0);
	assert_int_equal(need[0]->state, HV_STOPPED);
	tp_result_free(&r);
	res_set(&r, out, sizeof out / 2, "", 0);
	assert_true(D->detail_read(&RF, &r, need, 4) < 0);
	tp_result_free(&r);
	/* Lines that are no .vmx path are not asked about: no VMs. */
	free(need[0]->path);
	need[0]->path = xstrdup("/h/a\n.vmx");
	free(need[2]->path);
	need[2]->path = xstrdup("/x/evil");
	need[0]->unsure = need[2]->unsure = 1;
	assert_int_equal(D->detail(&RF, need, 4, &plan), 0);
	text = drv_plan_text(&plan, 0);
	assert_null(strstr(text, "evil"));
	assert_non_null(strstr(text, "/h/hvsh-vms/b/b.vmx"));
	free(text);
	drv_plan_clear(&plan);
	res_set(&r, "off 0\n" MARK(0) "on 0\n" MARK(0),
	    strlen("off 0\n" MARK(0) "on 0\n" MARK(0)), "", 0);
	assert_int_equal(D->detail_read(&RF, &r, need, 4), 0);
	assert_int_equal(need[0]->state, HV_UNKNOWN);
	assert_false(need[0]->unsure);
	assert_int_equal(need[1]->state, HV_STOPPED);
	assert_int_equal(need[2]->state, HV_UNKNOWN);
	assert_false(need[2]->unsure);
	assert_int_equal(need[3]->state, HV_RUNNING);
	tp_result_free(&r);
	hv_vm_list_free(&l);
}

/* State: vmrun list once, and each target's files. */
static void
test_state(void **state)
{
	struct drv_target	 t[4] = {
		{ .path = "/h/hvsh-vms/a/a.vmx" },
		{ .name = "b" },
		{ .path = "/h/hvsh-vms/c/c.vmx" },
		{ .path = "/h/gone.vmx" },
	};
	enum hv_state		 st[4];
	struct drv_plan		 plan = { 0 };
	struct tp_result	 r;
	struct buf		 b = { 0 };

	assert_int_equal(D->state(&RF, t, 4, &plan), 0);
	assert_int_equal(plan.n, 1);
	assert_string_equal(plan.argv[0][4], NONCE);
	assert_string_equal(plan.argv[0][5], "/h/hvsh-vms/a/a.vmx");
	assert_string_equal(plan.argv[0][6], "");
	assert_string_equal(plan.argv[0][7], "");
	assert_string_equal(plan.argv[0][8], "b");
	assert_null(plan.argv[0][13]);
	drv_plan_clear(&plan);

	buf_addstr(&b, "Total running VMs: 1\n/h/hvsh-vms/a/a.vmx\n" MARK(0)
	    "1 0 /h/hvsh-vms/a/a.vmx\n1 1 /h/hvsh-vms/b/b.vmx\n"
	    "1 0 /h/hvsh-vms/c/c.vmx\n0 0 /h/gone.vmx\n" MARK(0));
	res_set(&r, b.data, b.len, "", 0);
	assert_int_equal(D->state_read(&RF, t, 4, &r, st), 0);
	assert_int_equal(st[0], HV_RUNNING);
	assert_int_equal(st[1], HV_SUSPENDED);
	assert_int_equal(st[2], HV_STOPPED);
	assert_int_equal(st[3], HV_UNKNOWN);
	tp_result_free(&r);
	buf_reset(&b);
	/* A forged line: a is in doubt; c, not listed, is off all the same. */
	buf_addstr(&b, "Total running VMs: 1\n/x/evil\n/h/hvsh-vms/a/a.vmx\n"
	    MARK(0) "1 0 /h/hvsh-vms/a/a.vmx\n1 1 /h/hvsh-vms/b/b.vmx\n"
	    "1 0 /h/hvsh-vms/c/c.vmx\n0 0 /h/gone.vmx\n" MARK(0));
	res_set(&r, b.data, b.len, "", 0);
	assert_int_equal(D->state_read(&RF, t, 4, &r, st), 0);
	assert_int_equal(st[0], HV_UNKNOWN);
	assert_int_equal(st[2], HV_STOPPED);
	tp_result_free(&r);
	buf_reset(&b);
	/* An answer short: fails. */
	buf_addstr(&b, "Total running VMs: 0\n" MARK(0)
	    "1 0 /h/hvsh-vms/a/a.vmx\n" MARK(0));
	res_set(&r, b.data, b.len, "", 0);
	assert_true(D->state_read(&RF, t, 4, &r, st) < 0);
	tp_result_free(&r);
	buf_free(&b);
}

/* ---- errors ---- */

static void
error_is(const char *out, const char *err, int status, int code,
    const char *reason)
{
	struct tp_result	r;
	struct hv_error		e;

	res_set(&r, out, strlen(out), err, status);
	memset(&e, 0, sizeof e);
	assert_int_equal(D->error_read(&r, &e), 0);
	if (e.code != code || strcmp(e.reason, reason) != 0)
		fail_msg("error_read: %d '%s', want %d '%s'", e.code, e.reason,
		    code, reason);
	hv_error_clear(&e);
	tp_result_free(&r);
}

/* One capture of vmrun-errors-captured.txt as a failed command's stdout. */
static void
check_capture(const char *block)
{
	struct tp_result	 r;
	struct hv_error		 e;
	const char		*line;
	size_t			 n, rl;

	line = strstr(block, "Error: ");
	assert_non_null(line);
	line += 7;
	n = strcspn(line, "\n");
	res_set(&r, block, strlen(block), "", 255);
	memset(&e, 0, sizeof e);
	assert_int_equal(D->error_read(&r, &e), 0);
	rl = strlen(e.reason);
	if (rl < n || memcmp(e.reason + rl - n, line, n) != 0)
		fail_msg("reason '%s' for '%.*s'", e.reason, (int)n, line);
	assert_int_not_equal(e.code, 0);
	hv_error_clear(&e);
	tp_result_free(&r);
}

static void
test_error_read(void **state)
{
	char		*text, *p, *nl, *block;
	struct buf	 b = { 0 };
	size_t		 blocks = 0;

	/* Every capture reads, its reason ending in its "Error: " text. */
	text = sample("vmrun-errors-captured.txt");
	for (p = text; *p != '\0'; p = nl) {
		nl = strchr(p, '\n');
		nl = nl != NULL ? nl + 1 : p + strlen(p);
		if (strncmp(p, "=== ", 4) != 0)
			buf_add(&b, p, (size_t)(nl - p));
		if ((*nl == '\0' || strncmp(nl, "=== ", 4) == 0) && b.len > 0) {
			block = buf_take(&b);
			check_capture(block);
			free(block);
			blocks++;
		}
	}
	assert_int_equal(blocks, 11);
	free(text);

	error_is("Error: The virtual machine is not powered on: /v/a.vmx\n",
	    "", 255, ERR_BUSY,
	    "The virtual machine is not powered on: /v/a.vmx");
	error_is("Error: The virtual machine should not be powered on. It is "
	    "already running.\n", "", 255, ERR_BUSY, "The virtual machine "
	    "should not be powered on. It is already running.");
	error_is("Error: Cannot open VM: /x/y.vmx, The virtual machine cannot "
	    "be found\n", "", 255, ERR_NOENT,
	    "Cannot open VM: /x/y.vmx, The virtual machine cannot be found");
	error_is("Error: Cannot open VM: /v/W 11.vmx, Incorrect password\n", "",
	    255, ERR_PERM, "Cannot open VM: /v/W 11.vmx, Incorrect password");
	error_is("2015-08-31T17:57:29.547| ServiceImpl_Opener: PID 5033\n"
	    "Error: The operation was canceled\n", "", 255, ERR_FAIL,
	    "The operation was canceled");
	error_is("Invalid host type 'player' specified\nError: The operation "
	    "is not supported\n", "", 255, ERR_INVAL, "Invalid host type "
	    "'player' specified: The operation is not supported");
	/* An Error line without its newline, and one only on stderr. */
	error_is("Error: Unknown error", "", 255, ERR_FAIL, "Unknown error");
	error_is("", "Error: Unknown error\n", 255, ERR_FAIL, "Unknown error");
	/* The create script speaks vmrun's dialect. */
	error_is("Error: The file already exists: /h/hvsh-vms/web1\n", "", 255,
	    ERR_EXIST, "The file already exists: /h/hvsh-vms/web1");
	error_is("Creating disk '/h/hvsh-vms/w/w.vmdk'\nFailed to create disk: "
	    "Invalid disk size '0GB'.\nError: Cannot create the virtual disk: "
	    "/h/hvsh-vms/w/w.vmdk\n", "", 255, ERR_FAIL, "Failed to create "
	    "disk: Invalid disk size '0GB'.: Cannot create the virtual disk: "
	    "/h/hvsh-vms/w/w.vmdk");
	/* No Error line: what the status and stderr tell. */
	error_is("", "sh: 1: vmrun: not found\n", 127, ERR_IO,
	    "vmrun not found on host");
	error_is("\x93\x01garbage\n\xff", "", 255, ERR_FAIL, "vmrun failed "
	    "(exit status 255) and said why in no 'Error:' line");
	error_is("a\0b", "", 255, ERR_FAIL, "vmrun failed (exit status 255) "
	    "and said why in no 'Error:' line");
	error_is("", "\nsh: 1: cannot open /x: Permission denied\nmore\n", 2,
	    ERR_FAIL, "vmrun failed (exit status 2): sh: 1: cannot open /x: "
	    "Permission denied");
	error_is("", "", -1, ERR_FAIL,
	    "vmrun did not finish (killed or timed out)");
}

/* ---- create ---- */

#define CREATE_HEAD "'sh' '-c' '" \
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
	"printf " Q "%s" Q " \"$2\" >\"$v.tmp\" || " \
	"fail \"Cannot write the virtual machine configuration file: $v\"; " \
	"if [ -n \"$4\" ]; then " \
	"o=$(vmware-vdiskmanager -r \"$4\" -t 0 \"$k\" 2>&1) || " \
	"{ printf " Q "%s\\n" Q " \"$o\"; " \
	"fail \"Cannot copy the virtual disk: $4\"; }; " \
	"elif [ -n \"$3\" ]; then " \
	"o=$(vmware-vdiskmanager -c -s \"$3\" -a lsilogic -t 0 \"$k\" " \
	"2>&1) || { printf " Q "%s\\n" Q " \"$o\"; " \
	"fail \"Cannot create the virtual disk: $k\"; }; fi; " \
	"mv -- \"$v.tmp\" \"$v\" || " \
	"fail \"Cannot write the virtual machine configuration file: $v\"; " \
	"printf " Q "%s\\n" Q " \"$v\"; " \
	"if [ -n \"$3$4\" ]; then printf " Q "%s\\n" Q " \"$k\"; fi' 'sh'"

#define VMX_WEB1 \
	".encoding = \"UTF-8\"\n" \
	"config.version = \"8\"\n" \
	"virtualHW.version = \"16\"\n" \
	"displayName = \"web1\"\n" \
	"guestOS = \"other-64\"\n" \
	"memsize = \"512\"\n" \
	"numvcpus = \"2\"\n" \
	"scsi0.present = \"TRUE\"\n" \
	"scsi0.virtualDev = \"lsilogic\"\n" \
	"scsi0:0.present = \"TRUE\"\n" \
	"scsi0:0.fileName = \"web1.vmdk\"\n" \
	"hvsh.id = \"4242\"\n"

static void
test_create_plan(void **state)
{
	struct drv_plan	plan = { 0 };
	struct drv_spec	s = { .name = "web1", .hvsh_id = "4242", .cpus = 2,
	    .memory = 512 * MiB, .disk = 8192 * MiB };

	assert_int_equal(D->create(&s, &plan), 0);
	plan_is(&plan, CREATE_HEAD " 'web1' '" VMX_WEB1 "' '8GB' ''");

	/* No disk, no id; memory rounded up to whole MiB, then to 4 MiB. */
	s.disk = 0;
	s.hvsh_id = NULL;
	s.cpus = 1;
	s.memory = 30 * MiB + 1;
	assert_int_equal(D->create(&s, &plan), 0);
	plan_is(&plan, CREATE_HEAD " 'web1' '.encoding = \"UTF-8\"\n"
	    "config.version = \"8\"\nvirtualHW.version = \"16\"\n"
	    "displayName = \"web1\"\nguestOS = \"other-64\"\n"
	    "memsize = \"32\"\nnumvcpus = \"1\"\n' '' ''");

	/* Sizes: whole GB, else MB rounded up; an image wins over a size. */
	s.memory = 1;
	s.disk = 1536 * MiB;
	assert_int_equal(D->create(&s, &plan), 0);
	assert_string_equal(plan.argv[0][6], "1536MB");
	assert_non_null(strstr(plan.argv[0][5], "memsize = \"4\"\n"));
	assert_non_null(strstr(plan.argv[0][5],
	    "scsi0:0.fileName = \"web1.vmdk\"\n"));
	drv_plan_clear(&plan);
	s.disk = 1024 * MiB + 1;
	assert_int_equal(D->create(&s, &plan), 0);
	assert_string_equal(plan.argv[0][6], "1025MB");
	drv_plan_clear(&plan);
	s.image_path = "/srv/images/centos 9.vmdk";
	assert_int_equal(D->create(&s, &plan), 0);
	assert_string_equal(plan.argv[0][6], "");
	assert_string_equal(plan.argv[0][7], "/srv/images/centos 9.vmdk");
	assert_non_null(strstr(plan.argv[0][5],
	    "scsi0:0.fileName = \"web1.vmdk\"\n"));
	assert_null(plan.argv[0][8]);
	drv_plan_clear(&plan);
}

static void
test_create_refused(void **state)
{
	struct drv_plan	plan = { 0 };
	struct drv_spec	s;
	static const char *const names[] = {
		"", "a/b", "..", "../x", "-rf", ".x", "a b", "a\nb", "$(x)",
	};
	static const char *const ids[] = {
		"a\"b", "a|b", "a\nb", "\033[2J",
	};
	size_t	i;

	for (i = 0; i < nitems(names) + nitems(ids) + 5; i++) {
		memset(&s, 0, sizeof s);
		s.name = "web1";
		s.cpus = 1;
		s.memory = 32 * MiB;
		if (i < nitems(names))
			s.name = names[i];
		else if (i < nitems(names) + nitems(ids))
			s.hvsh_id = ids[i - nitems(names)];
		else switch (i - nitems(names) - nitems(ids)) {
		case 0:
			s.cpus = 0;
			break;
		case 1:
			s.memory = 0;
			break;
		case 2:
			s.disk = -1;
			break;
		case 3:
			s.image_path = "images/x.vmdk";
			break;
		default:
			s.memory = INT64_MAX;
			break;
		}
		assert_int_equal(D->create(&s, &plan), ERR_INVAL);
		assert_int_equal(plan.n, 0);
	}
}

static void
test_create_read(void **state)
{
	struct tp_result	 r;
	struct hv_vm		 vm;
	static const char *const bad[] = {
		"", "\n", "/h/hvsh-vms/we", "/h/hvsh-vms/web1/web1.vmx",
		"/h/hvsh-vms/web1/web1.vm\n", "web1.vmx\n",
		"Creating disk 'x'\n/h/hvsh-vms/web1/web1.vmx\n",
		"/h/a.vmx\n/h/b.vmx\n", "/h/\033]0;x\007.vmx\n",
	};
	size_t	i;

	hv_vm_init(&vm);
	res_set(&r, "/h/hvsh-vms/web1/web1.vmx\n", 26, "", 0);
	assert_int_equal(D->create_read(&r, &vm), 0);
	assert_string_equal(vm.path, "/h/hvsh-vms/web1/web1.vmx");
	assert_string_equal(vm.name, "web1");
	assert_int_equal(vm.state, HV_STOPPED);
	tp_result_free(&r);
	for (i = 0; i < nitems(bad); i++) {
		res_set(&r, bad[i], strlen(bad[i]), "", 0);
		assert_int_not_equal(D->create_read(&r, &vm), 0);
		assert_string_equal(vm.path, "/h/hvsh-vms/web1/web1.vmx");
		tp_result_free(&r);
	}
	res_set(&r, "/h/hvsh-vms/web1/web1.vmx\n", 26, "", 0);
	r.truncated = 1;
	assert_int_not_equal(D->create_read(&r, &vm), 0);
	tp_result_free(&r);
	hv_vm_clear(&vm);
}

/* ---- through a real /bin/sh ---- */

/* Hostile .vmx paths reach vmrun as one argument each, byte for byte. */
static void
test_sh_ops(void **state)
{
	struct fakehost		 h;
	struct drv_plan		 plan = { 0 };
	struct drv_target	 t = { 0 };
	struct buf		 out = { 0 };
	char			*want_path;
	static const char *const paths[] = {
		"/vms/web 1/web1.vmx",
		"/vms/$(touch " PWNED ")/x.vmx",
		"/vms/`touch " PWNED "`;|&<>*?[a]~#!/x.vmx",
		"/vms/it's \"quoted\" \\ $HOME ${HOME}/x.vmx",
		"/vms/\xc3\xa9t\xc3\xa9 \xff\xfe/x.vmx",
		"/-rf/--help.vmx",
	};
	size_t	i;

	unlink(PWNED);
	fake_up(&h);
	for (i = 0; i < nitems(paths); i++) {
		const char	*want[] = { "-T", "ws", "stop", paths[i],
		    "hard", NULL };

		t.path = paths[i];
		assert_int_equal(plan_op(D, DRV_FORCE_OFF, &t, &plan), 0);
		assert_int_equal(sh_run(&plan, 0, &out), 0);
		words_are(&out, want);
		buf_reset(&out);
		drv_plan_clear(&plan);
	}
	/* A name: the path is built on the host, from its $HOME. */
	t.path = NULL;
	t.name = "db-1.prod_x";
	want_path = xasprintf("%s/hvsh-vms/db-1.prod_x/db-1.prod_x.vmx",
	    h.home);
	{
		const char	*want[] = { "-T", "ws", "suspend", want_path,
		    NULL };

		assert_int_equal(plan_op(D, DRV_SUSPEND, &t, &plan), 0);
		assert_int_equal(sh_run(&plan, 0, &out), 0);
		words_are(&out, want);
		buf_reset(&out);
		drv_plan_clear(&plan);
	}
	{
		const char	*want[] = { "-T", "ws", "start", want_path,
		    "nogui", NULL };

		assert_int_equal(plan_op(D, DRV_RESUME, &t, &plan), 0);
		assert_int_equal(sh_run(&plan, 0, &out), 0);
		words_are(&out, want);
		buf_reset(&out);
		drv_plan_clear(&plan);
	}
	free(want_path);
	buf_free(&out);
	fake_down(&h);
	assert_int_not_equal(access(PWNED, F_OK), 0);
}

/* The create script makes the VM, refuses a second, and cleans up a failure. */
static void
test_sh_create(void **state)
{
	struct fakehost		 h;
	struct drv_plan		 plan = { 0 };
	struct drv_spec		 s = { .name = "web1", .cpus = 2,
	    .memory = 512 * MiB, .disk = 8192 * MiB };
	struct buf		 out = { 0 };
	struct tp_result	 r;
	struct hv_vm		 vm;
	struct hv_error		 e;
	char			*p, *got, *vmxpath, *vmx;

	unlink(PWNED);
	fake_up(&h);
	/* Odd but allowed: the id is a value in the .vmx, never script. */
	s.hvsh_id = "$(touch " PWNED ")`touch " PWNED "`'; x";
	assert_int_equal(D->create(&s, &plan), 0);
	vmx = xstrdup(plan.argv[0][5]);
	assert_int_equal(sh_run(&plan, 0, &out), 0);
	vmxpath = xasprintf("%s/hvsh-vms/web1/web1.vmx", h.home);
	p = xasprintf("%s\n%s/hvsh-vms/web1/web1.vmdk\n", vmxpath, h.home);
	assert_string_equal(out.data, p);
	free(p);
	/* The .vmx holds exactly the text the plan carried. */
	got = read_file(vmxpath);
	assert_non_null(got);
	assert_string_equal(got, vmx);
	assert_non_null(strstr(got, "hvsh.id = \"$(touch " PWNED ")`touch "
	    PWNED "`'; x\"\n"));
	free(got);
	p = xasprintf("%s/hvsh-vms/web1/web1.vmdk", h.home);
	assert_int_equal(access(p, F_OK), 0);
	free(p);
	p = xasprintf("%s/vdisk-args", h.home);
	got = read_file(p);
	free(p);
	assert_non_null(got);
	assert_string_equal(got, "-c");
	assert_string_equal(got + 3, "-s");
	assert_string_equal(got + 6, "8GB");
	assert_string_equal(got + 10, "-a");
	assert_string_equal(got + 13, "lsilogic");
	assert_string_equal(got + 22, "-t");
	assert_string_equal(got + 25, "0");
	free(got);
	res_set(&r, out.data, out.len, "", 0);
	hv_vm_init(&vm);
	assert_int_equal(D->create_read(&r, &vm), 0);
	assert_string_equal(vm.path, vmxpath);
	assert_string_equal(vm.name, "web1");
	p = xasprintf("%s/hvsh-vms/web1/web1.vmdk", h.home);
	assert_string_equal(vm.disk, p);
	free(p);
	hv_vm_clear(&vm);
	tp_result_free(&r);

	/* Again: refused, and the first VM is untouched. */
	buf_reset(&out);
	assert_int_equal(sh_run(&plan, 0, &out), 255);
	res_set(&r, out.data, out.len, "", 255);
	memset(&e, 0, sizeof e);
	assert_int_equal(D->error_read(&r, &e), 0);
	assert_int_equal(e.code, ERR_EXIST);
	hv_error_clear(&e);
	tp_result_free(&r);
	got = read_file(vmxpath);
	assert_string_equal(got, vmx);
	free(got);
	drv_plan_clear(&plan);

	/* vmware-vdiskmanager fails: its words come back, nothing is left. */
	p = xasprintf("%s/vdisk-fail", h.home);
	write_file(p, "", 0644);
	free(p);
	s.name = "db";
	assert_int_equal(D->create(&s, &plan), 0);
	buf_reset(&out);
	assert_int_equal(sh_run(&plan, 0, &out), 255);
	res_set(&r, out.data, out.len, "", 255);
	memset(&e, 0, sizeof e);
	assert_int_equal(D->error_read(&r, &e), 0);
	assert_int_equal(e.code, ERR_FAIL);
	assert_non_null(strstr(e.reason, "Failed to create disk: Invalid disk "
	    "size.: Cannot create the virtual disk: "));
	hv_error_clear(&e);
	tp_result_free(&r);
	p = xasprintf("%s/hvsh-vms/db", h.home);
	assert_int_not_equal(access(p, F_OK), 0);
	free(p);
	drv_plan_clear(&plan);

	free(vmx);
	free(vmxpath);
	buf_free(&out);
	fake_down(&h);
	assert_int_not_equal(access(PWNED, F_OK), 0);
}

/* Makes $HOME/hvsh-vms/DIR/FILE with text. */
static void
put_vmx(const struct fakehost *h, const char *dir, const char *file,
    const char *text)
{
	char	*p;

	p = xasprintf("%s/hvsh-vms", h->home);
	mkdir(p, 0755);
	free(p);
	p = xasprintf("%s/hvsh-vms/%s", h->home, dir);
	mkdir(p, 0755);
	free(p);
	p = xasprintf("%s/hvsh-vms/%s/%s", h->home, dir, file);
	write_file(p, text, 0644);
	free(p);
}

/*
 * The whole refresh through sh on a private host: real nproc and
 * /proc/meminfo, the stand-in's list, and .vmx files as odd as a host may
 * hold them.
 */
static void
test_sh_refresh(void **state)
{
	struct fakehost		 h;
	struct drv_plan		 plan = { 0 };
	struct buf		 out = { 0 };
	struct tp_result	 r;
	struct hv_facts		 f;
	struct hv_vm_list	 l = { 0 };
	const struct hv_vm	*v;
	char			*p, *q;

	fake_up(&h);
	assert_int_equal(D->refresh(&RF, &plan), 0);

	/* Nothing yet: no directory at all. */
	p = xasprintf("%s/list", h.home);
	write_file(p, "Total running VMs: 0\n", 0644);
	free(p);
	assert_int_equal(sh_run(&plan, 0, &out), 0);
	res_set(&r, out.data, out.len, "", 0);
	hv_facts_init(&f);
	assert_int_equal(D->refresh_read(&RF, &r, &f, &l), 0);
	assert_true(f.cpus >= 1);
	assert_true(f.memory > 0);
	assert_true(f.mem_free > 0 && f.mem_free <= f.memory);
	assert_int_equal(l.n, 0);
	tp_result_free(&r);
	buf_reset(&out);

	put_vmx(&h, "web1", "web1.vmx", "displayName = \"web1\"\n"
	    "numvcpus = \"2\"\nmemsize = \"64\"\nhvsh.id = \"1\"\n");
	put_vmx(&h, "sus", "sus.vmx", "displayName = \"sus\"\n");
	put_vmx(&h, "sus", "sus.vmss", "memory\n");
	/* No last newline; a line that looks like our own framing. */
	put_vmx(&h, "nonl", "nonl.vmx", "# @@hvsh:0@@\ndisplayName = \"nonl\"");
	put_vmx(&h, "it's \"odd\" $(x)", "it's.vmx", "memsize = \"4\"\n");
	/* Not framable on one line: left out. */
	put_vmx(&h, "nl\nx", "nl.vmx", "displayName = \"nl\"\n");
	/* Not a .vmx, and a half-made one. */
	put_vmx(&h, "web1", "web1.vmdk", "disk\n");
	put_vmx(&h, "new", "new.vmx.tmp", "displayName = \"new\"\n");
	p = xasprintf("%s/list", h.home);
	q = xasprintf("Total running VMs: 2\n%s/hvsh-vms/web1/web1.vmx\n"
	    "/elsewhere/other.vmx\n", h.home);
	write_file(p, q, 0644);
	free(p);
	free(q);
	assert_int_equal(sh_run(&plan, 0, &out), 0);
	res_set(&r, out.data, out.len, "", 0);
	assert_int_equal(D->refresh_read(&RF, &r, &f, &l), 0);
	assert_int_equal(l.n, 5);
	p = xasprintf("%s/hvsh-vms/web1/web1.vmx", h.home);
	v = find_vm(&l, p);
	free(p);
	assert_string_equal(v->name, "web1");
	assert_int_equal(v->state, HV_RUNNING);
	assert_int_equal(v->cpus, 2);
	assert_string_equal(v->hvsh_id, "1");
	p = xasprintf("%s/hvsh-vms/sus/sus.vmx", h.home);
	v = find_vm(&l, p);
	free(p);
	assert_int_equal(v->state, HV_SUSPENDED);
	p = xasprintf("%s/hvsh-vms/nonl/nonl.vmx", h.home);
	v = find_vm(&l, p);
	free(p);
	assert_string_equal(v->name, "nonl");
	assert_int_equal(v->state, HV_STOPPED);
	p = xasprintf("%s/hvsh-vms/it's \"odd\" $(x)/it's.vmx", h.home);
	v = find_vm(&l, p);
	free(p);
	assert_string_equal(v->name, "it's");
	assert_int_equal(v->memory, 4 * MiB);
	v = find_vm(&l, "/elsewhere/other.vmx");
	assert_string_equal(v->name, "other");
	assert_int_equal(v->state, HV_RUNNING);
	hv_vm_list_free(&l);
	tp_result_free(&r);
	buf_reset(&out);

	/* One .vmx VMware could not read either: the refresh says which. */
	put_vmx(&h, "bad", "bad.vmx", "this is not a vmx\n");
	assert_int_equal(sh_run(&plan, 0, &out), 0);
	res_set(&r, out.data, out.len, "", 0);
	assert_int_equal(D->refresh_read(&RF, &r, &f, &l), ERR_INVAL);
	assert_non_null(strstr(err_msg(), "/hvsh-vms/bad/bad.vmx: .vmx: "
	    "line 1"));
	tp_result_free(&r);

	hv_facts_clear(&f);
	drv_plan_clear(&plan);
	buf_free(&out);
	fake_down(&h);
}

/* ---- storage, snapshot and image calls ---- */

/* A text of tests/data/hv-formats without its "# SOURCE:" line. */
static char *
data_file(const char *file)
{
	const char	*src = getenv("HVSH_SRC");
	char		*path, *text, *nl, *s;

	path = xasprintf("%s/tests/data/hv-formats/%s",
	    src != NULL && *src != '\0' ? src : ".", file);
	text = read_file(path);
	if (text == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	free(path);
	if (strncmp(text, "# SOURCE:", 9) != 0 ||
	    (nl = strchr(text, '\n')) == NULL)
		fail_msg("%s: no '# SOURCE:' first line", file);
	s = xstrdup(nl + 1);
	free(text);
	return s;
}

/* The block of a data file after the marker line starting with mark. */
static char *
data_block(const char *text, const char *mark)
{
	const char	*b, *e;

	b = strstr(text, mark);
	if (b == NULL)
		fail_msg("no block '%s'", mark);
	b = strchr(b, '\n') + 1;
	e = strstr(b, "\n=== ");
	return e != NULL ? xstrndup(b, (size_t)(e - b + 1)) : xstrdup(b);
}

/* The plan's words after "sh -c SCRIPT sh" are exactly want. */
static void
script_args_are(struct drv_plan *plan, const char *const *want)
{
	char	**a;
	size_t	  i;

	assert_int_equal(plan->n, 1);
	a = plan->argv[0];
	assert_string_equal(a[0], "sh");
	assert_string_equal(a[1], "-c");
	assert_string_equal(a[3], "sh");
	for (i = 0; want[i] != NULL; i++) {
		if (a[4 + i] == NULL || strcmp(a[4 + i], want[i]) != 0)
			fail_msg("word %zu: '%s', not '%s'", i,
			    a[4 + i] != NULL ? a[4 + i] : "(end)", want[i]);
	}
	assert_null(a[4 + i]);
	drv_plan_clear(plan);
}

#define VMX1	"/vms/web 1/web1.vmx"
#define VOL1	"/vols/data 1.vmdk"

static void
test_call_plans(void **state)
{
	struct drv_plan	plan = { 0 };
	struct drv_req	q;

	memset(&q, 0, sizeof q);
	assert_int_equal(D->call[DRV_POOL_INFO](&q, &plan), 0);
	assert_non_null(strstr(plan.argv[0][2], "exec df -P -k -- \"$d\""));
	script_args_are(&plan, (const char *[]){ "", NULL });
	q.pool = "/srv/vmware pool";
	assert_int_equal(D->call[DRV_POOL_INFO](&q, &plan), 0);
	script_args_are(&plan, (const char *[]){ "/srv/vmware pool", NULL });

	q.volume = "data1";
	q.size = 10 * 1024 * MiB;
	assert_int_equal(D->call[DRV_VOL_CREATE](&q, &plan), 0);
	assert_non_null(strstr(plan.argv[0][2], "vmware-vdiskmanager -c -t 0 "
	    "-s \"$3\" -a lsilogic \"$k\""));
	script_args_are(&plan, (const char *[]){ "/srv/vmware pool", "data1",
	    "10GB", NULL });
	q.pool = NULL;
	q.size = 100 * MiB + 1;
	q.format = "vmdk";
	assert_int_equal(D->call[DRV_VOL_CREATE](&q, &plan), 0);
	script_args_are(&plan, (const char *[]){ "", "data1", "101MB",
	    NULL });

	memset(&q, 0, sizeof q);
	q.vm.path = VMX1;
	q.vol_path = VOL1;
	assert_int_equal(D->call[DRV_VOL_ATTACH](&q, &plan), 0);
	script_args_are(&plan, (const char *[]){ VMX1, "", VOL1, "", NULL });
	q.device = "scsi0:3";
	assert_int_equal(D->call[DRV_VOL_DETACH](&q, &plan), 0);
	script_args_are(&plan, (const char *[]){ VMX1, "", VOL1, "scsi0:3",
	    NULL });
	q.vm.path = NULL;
	q.vm.name = "web1";
	assert_int_equal(D->call[DRV_VOL_ATTACH](&q, &plan), 0);
	script_args_are(&plan, (const char *[]){ "", "web1", VOL1, "scsi0:3",
	    NULL });

	q.size = 2 * 1024 * MiB;
	assert_int_equal(D->call[DRV_VOL_RESIZE](&q, &plan), 0);
	assert_non_null(strstr(plan.argv[0][2],
	    "vmware-vdiskmanager -x \"$2\" \"$1\""));
	script_args_are(&plan, (const char *[]){ VOL1, "2GB", "", "web1",
	    NULL });
	memset(&q.vm, 0, sizeof q.vm);
	assert_int_equal(D->call[DRV_VOL_RESIZE](&q, &plan), 0);
	script_args_are(&plan, (const char *[]){ VOL1, "2GB", "", "", NULL });
	assert_int_equal(D->call[DRV_VOL_REMOVE](&q, &plan), 0);
	script_args_are(&plan, (const char *[]){ VOL1, NULL });

	memset(&q, 0, sizeof q);
	q.vm.path = VMX1;
	q.snapshot = "before-upgrade";
	assert_int_equal(D->call[DRV_SNAP_CREATE](&q, &plan), 0);
	plan_is(&plan, "'vmrun' '-T' 'ws' 'snapshot' '" VMX1
	    "' 'before-upgrade'");
	q.product = "fusion";
	assert_int_equal(D->call[DRV_SNAP_REVERT](&q, &plan), 0);
	plan_is(&plan, "'vmrun' '-T' 'fusion' 'revertToSnapshot' '" VMX1
	    "' 'before-upgrade'");
	q.product = "player";
	assert_int_equal(D->call[DRV_SNAP_REMOVE](&q, &plan), 0);
	plan_is(&plan, "'vmrun' '-T' 'player' 'deleteSnapshot' '" VMX1
	    "' 'before-upgrade'");
	q.product = NULL;
	assert_int_equal(D->call[DRV_SNAP_LIST](&q, &plan), 0);
	plan_is(&plan, "'vmrun' '-T' 'ws' 'listSnapshots' '" VMX1
	    "' 'showTree'");
	q.vm.path = NULL;
	q.vm.name = "web1";
	assert_int_equal(D->call[DRV_SNAP_CREATE](&q, &plan), 0);
	plan_is(&plan, OPS " 'snapshot' 'before-upgrade'");

	q.dest = "/srv/templates/t1.vmx";
	assert_int_equal(D->call[DRV_CAPTURE](&q, &plan), 0);
	assert_non_null(strstr(plan.argv[0][2], "vmrun -T \"$3\" clone \"$v\" "
	    "\"$p\" full \"-snapshot=$5\""));
	script_args_are(&plan, (const char *[]){ "", "web1", "ws",
	    "/srv/templates/t1.vmx", "before-upgrade", NULL });
	q.snapshot = NULL;
	q.vm.path = VMX1;
	q.product = "fusion";
	assert_int_equal(D->call[DRV_CAPTURE](&q, &plan), 0);
	script_args_are(&plan, (const char *[]){ VMX1, "", "fusion",
	    "/srv/templates/t1.vmx", "", NULL });

	q.dest = "/srv/images/centos 9.iso";
	assert_int_equal(D->call[DRV_IMAGE_SUM](&q, &plan), 0);
	assert_non_null(strstr(plan.argv[0][2], "Darwin) exec shasum -a 256 "
	    "-- \"$1\";; *) exec sha256sum -- \"$1\";;"));
	script_args_are(&plan, (const char *[]){ "/srv/images/centos 9.iso",
	    NULL });

	q.vm.hvsh_id = "4242";
	assert_int_equal(D->call[DRV_SET_ID](&q, &plan), 0);
	assert_non_null(strstr(plan.argv[0][2], "writeVariable \"$v\" "
	    "runtimeConfig hvsh.id \"$4\""));
	script_args_are(&plan, (const char *[]){ VMX1, "", "fusion", "4242",
	    NULL });

	/* What the lifecycle ops pass to -T. */
	{
		struct drv_target	t = { .path = VMX1, .product = "fusion" };

		assert_int_equal(plan_op(D, DRV_START, &t, &plan), 0);
		plan_is(&plan, "'vmrun' '-T' 'fusion' 'start' '" VMX1
		    "' 'nogui'");
		t.path = NULL;
		t.name = "web1";
		t.product = "player";
		assert_int_equal(plan_op(D, DRV_STOP, &t, &plan), 0);
		plan_is(&plan, "'sh' '-c' 'n=$1 t=$2 c=$3; shift 3; exec vmrun "
		    "-T \"$t\" \"$c\" \"$HOME/hvsh-vms/$n/$n.vmx\" \"$@\"' 'sh' "
		    "'web1' 'player' 'stop' 'soft'");
		t.product = "esx";
		assert_int_equal(plan_op(D, DRV_STOP, &t, &plan),
		    ERR_INVAL);
		assert_int_equal(plan.n, 0);
	}
}

/* Hostile or wrong arguments: ERR_INVAL (ERR_BUSY: running) and no plan. */
static void
test_call_refused(void **state)
{
	static const char *const names[] = {
		"", "-rf", "a\nb", "a/b", "..", "$(x)", "a b", "'",
	};
	static const char *const paths[] = {
		"", "rel/x.vmdk", "/a\nb.vmdk", "/a\"b.vmdk", "/a|b.vmdk",
		"-x.vmdk", "/x.vmdk\n", "/\033[2J.vmdk", "/vols/.vmdk",
		"/vols/x.qcow2", "/vols/",
	};
	static const char *const devices[] = {
		"scsi0:0", "scsi0:7", "scsi0:16", "scsi0:-1", "scsi0:01",
		"scsi0:", "ide0:1", "vdb", "scsi0:1 ", "scsi0:+1",
	};
	struct drv_plan	plan = { 0 };
	struct drv_req	q, g;
	size_t		i;
	int		c;

	memset(&g, 0, sizeof g);
	g.vm.path = VMX1;
	g.vm.hvsh_id = "7";
	g.volume = "data1";
	g.vol_path = VOL1;
	g.size = 1024 * MiB;
	g.snapshot = "s1";
	g.dest = "/srv/t/t1.vmx";
	/* The good request plans every call. */
	for (c = 0; c < DRV_CALL__COUNT; c++) {
		assert_non_null(D->call[c]);
		assert_int_equal(D->call[c](&g, &plan), 0);
		drv_plan_clear(&plan);
	}
#define REFUSED(k, code) do {					\
	assert_int_equal(D->call[k](&q, &plan), code);		\
	assert_int_equal(plan.n, 0);					\
} while (0)
	for (i = 0; i < nitems(names); i++) {
		q = g;
		q.volume = names[i];
		REFUSED(DRV_VOL_CREATE, ERR_INVAL);
		q = g;
		q.snapshot = names[i];
		REFUSED(DRV_SNAP_CREATE, ERR_INVAL);
		REFUSED(DRV_SNAP_REVERT, ERR_INVAL);
		REFUSED(DRV_SNAP_REMOVE, ERR_INVAL);
		if (*names[i] != '\0')
			REFUSED(DRV_CAPTURE, ERR_INVAL);
		q = g;
		q.vm.path = NULL;
		q.vm.name = names[i];
		for (c = 0; c < DRV_CALL__COUNT; c++) {
			if (c == DRV_POOL_INFO || c == DRV_VOL_CREATE ||
			    c == DRV_VOL_REMOVE || c == DRV_IMAGE_SUM)
				continue;
			REFUSED(c, ERR_INVAL);
		}
		q = g;
		q.vm.hvsh_id = names[i];
		if (*names[i] == '\0' || strchr(names[i], '/') != NULL ||
		    strchr(names[i], '$') != NULL || strchr(names[i], '\n') ||
		    strchr(names[i], '\'') != NULL || strchr(names[i], ' '))
			REFUSED(DRV_SET_ID, ERR_INVAL);
	}
	for (i = 0; i < nitems(paths); i++) {
		q = g;
		q.vol_path = paths[i];
		REFUSED(DRV_VOL_ATTACH, ERR_INVAL);
		REFUSED(DRV_VOL_DETACH, ERR_INVAL);
		REFUSED(DRV_VOL_RESIZE, ERR_INVAL);
		REFUSED(DRV_VOL_REMOVE, ERR_INVAL);
		q = g;
		q.pool = paths[i];
		if (*paths[i] != '\0' && strcmp(paths[i], "/vols/") != 0 &&
		    strcmp(paths[i], "/vols/.vmdk") != 0 &&
		    strcmp(paths[i], "/vols/x.qcow2") != 0) {
			REFUSED(DRV_POOL_INFO, ERR_INVAL);
			REFUSED(DRV_VOL_CREATE, ERR_INVAL);
		}
		q = g;
		q.dest = paths[i];
		REFUSED(DRV_CAPTURE, ERR_INVAL);
		if (strchr(paths[i], '/') != paths[i] ||
		    strpbrk(paths[i], "\n\"|\033") != NULL)
			REFUSED(DRV_IMAGE_SUM, ERR_INVAL);
		q = g;
		q.vm.path = paths[i];
		if (*paths[i] != '\0')
			REFUSED(DRV_SNAP_LIST, ERR_INVAL);
	}
	for (i = 0; i < nitems(devices); i++) {
		q = g;
		q.device = devices[i];
		REFUSED(DRV_VOL_ATTACH, ERR_INVAL);
		REFUSED(DRV_VOL_DETACH, ERR_INVAL);
	}
	q = g;
	q.size = 0;
	REFUSED(DRV_VOL_CREATE, ERR_INVAL);
	REFUSED(DRV_VOL_RESIZE, ERR_INVAL);
	q.size = -1;
	REFUSED(DRV_VOL_CREATE, ERR_INVAL);
	q = g;
	q.format = "qcow2";
	REFUSED(DRV_VOL_CREATE, ERR_INVAL);
	q = g;
	q.product = "esx";
	REFUSED(DRV_SNAP_CREATE, ERR_INVAL);
	REFUSED(DRV_CAPTURE, ERR_INVAL);
	REFUSED(DRV_SET_ID, ERR_INVAL);
	q = g;
	q.vm.path = NULL;
	REFUSED(DRV_SNAP_LIST, ERR_INVAL);
	assert_non_null(strstr(err_msg(), "neither"));
	/* A running VM's .vmx is VMware's: no attach, detach or resize. */
	q = g;
	q.running = 1;
	REFUSED(DRV_VOL_ATTACH, ERR_BUSY);
	assert_non_null(strstr(err_msg(), "powered off"));
	REFUSED(DRV_VOL_DETACH, ERR_BUSY);
	REFUSED(DRV_VOL_RESIZE, ERR_BUSY);
	q.snapshot = NULL;
	REFUSED(DRV_CAPTURE, ERR_BUSY);
#undef REFUSED
}

/* Runs reader on text; 0 or its error. */
static int
read_call(enum drv_call c, const struct drv_req *q, const char *text,
    size_t len, struct drv_reply *rep)
{
	struct tp_result	r;
	int			rc;

	res_set(&r, text, len, "", 0);
	rc = D->call_read[c](q, &r, rep);
	tp_result_free(&r);
	return rc;
}

/* Every cut of text, and garbage, fails the reader and fills nothing. */
static void
reader_rejects_cuts(enum drv_call c, const struct drv_req *q,
    const char *text, size_t keep)
{
	static const char *const junk[] = {
		"", "\n", "garbage\n", "\x01\x02\xff\n", "Error: x\n",
		"a\0b\n",
	};
	struct drv_reply	rep;
	size_t			n, len = strlen(text);
	char			*cut;

	for (n = 0; n + keep < len; n++) {
		cut = xmalloc(n + 1);
		memcpy(cut, text, n);
		cut[n] = '\0';
		drv_reply_init(&rep);
		if (read_call(c, q, cut, n, &rep) == 0)
			fail_msg("%s took a cut at %zu: '%s'",
			    drv_call_name(c), n, cut);
		assert_null(rep.path);
		assert_null(rep.device);
		assert_null(rep.sha256);
		assert_int_equal(rep.snaps.n, 0);
		drv_reply_clear(&rep);
		free(cut);
	}
	for (n = 0; n < nitems(junk); n++) {
		drv_reply_init(&rep);
		assert_int_not_equal(read_call(c, q, junk[n],
		    n == nitems(junk) - 1 ? 4 : strlen(junk[n]), &rep), 0);
		assert_int_equal(rep.capacity, -1);
		drv_reply_clear(&rep);
	}
}

static void
test_call_readers(void **state)
{
	struct drv_req		 q;
	struct drv_reply	 rep;
	struct tp_result	 r;
	char			*df, *blk, *snaps;
	static const char	 sum[] =
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	    "  /srv/images/centos 9.iso\n";

	memset(&q, 0, sizeof q);
	df = data_file("vmrun-df.txt");
	blk = data_block(df, "=== Linux");
	drv_reply_init(&rep);
	assert_int_equal(read_call(DRV_POOL_INFO, &q, blk, strlen(blk), &rep),
	    0);
	assert_int_equal(rep.capacity, 102626232LL * 1024);
	assert_int_equal(rep.used, 41234560LL * 1024);
	drv_reply_clear(&rep);
	/* Only the header is not enough; every cut of the line fails. */
	reader_rejects_cuts(DRV_POOL_INFO, &q, blk,
	    strlen(blk) - (size_t)(strchr(blk, '%') - blk));
	free(blk);
	blk = data_block(df, "=== macOS");
	assert_int_equal(read_call(DRV_POOL_INFO, &q, blk, strlen(blk), &rep),
	    0);
	assert_int_equal(rep.capacity, 971350180LL * 1024);
	assert_int_equal(rep.used, 612345678LL * 1024);
	drv_reply_clear(&rep);
	free(blk);
	free(df);

	q.size = 1536 * MiB;
	assert_int_equal(read_call(DRV_VOL_CREATE, &q, "/vols/d 1.vmdk\n", 15,
	    &rep), 0);
	assert_string_equal(rep.path, "/vols/d 1.vmdk");
	assert_int_equal(rep.size, 1536 * MiB);
	drv_reply_clear(&rep);
	reader_rejects_cuts(DRV_VOL_CREATE, &q, "/vols/d 1.vmdk\n", 0);
	assert_int_not_equal(read_call(DRV_VOL_CREATE, &q,
	    "/vols/a.vmdk\n/vols/b.vmdk\n", 26, &rep), 0);
	assert_int_not_equal(read_call(DRV_VOL_CREATE, &q,
	    "Creating disk 'x'\n", 18, &rep), 0);
	q.size = 1024 * MiB + 1;
	assert_int_equal(read_call(DRV_VOL_RESIZE, &q, "/vols/d 1.vmdk\n", 15,
	    &rep), 0);
	assert_int_equal(rep.size, 1025 * MiB);
	drv_reply_clear(&rep);
	reader_rejects_cuts(DRV_VOL_RESIZE, &q, "/vols/d 1.vmdk\n", 0);

	assert_int_equal(read_call(DRV_VOL_ATTACH, &q, "scsi0:12\n", 9, &rep),
	    0);
	assert_string_equal(rep.device, "scsi0:12");
	drv_reply_clear(&rep);
	reader_rejects_cuts(DRV_VOL_ATTACH, &q, "scsi0:12\n", 0);
	assert_int_not_equal(read_call(DRV_VOL_ATTACH, &q, "scsi0:7\n", 8,
	    &rep), 0);
	assert_int_not_equal(read_call(DRV_VOL_ATTACH, &q, "scsi0:0\n", 8,
	    &rep), 0);

	/* listSnapshots showTree (vmrun.md section 3). */
	snaps = xstrdup("Total snapshots: 3\nbase\n\tpatched\nother\n");
	assert_int_equal(read_call(DRV_SNAP_LIST, &q, snaps, strlen(snaps),
	    &rep), 0);
	assert_int_equal(rep.snaps.n, 3);
	assert_string_equal(rep.snaps.v[1].name, "patched");
	assert_string_equal(rep.snaps.v[1].parent, "base");
	assert_null(rep.snaps.v[2].parent);
	drv_reply_clear(&rep);
	assert_int_equal(read_call(DRV_SNAP_LIST, &q, "Total snapshots: 0\n",
	    19, &rep), 0);
	assert_int_equal(rep.snaps.n, 0);
	reader_rejects_cuts(DRV_SNAP_LIST, &q, snaps, 6);
	res_set(&r, snaps, strlen(snaps), "", 0);
	r.truncated = 1;
	assert_int_equal(D->call_read[DRV_SNAP_LIST](&q, &r, &rep), ERR_INVAL);
	tp_result_free(&r);
	free(snaps);

	assert_int_equal(read_call(DRV_CAPTURE, &q,
	    "/srv/t/t1.vmx\n8589934592\n", 25, &rep), 0);
	assert_string_equal(rep.path, "/srv/t/t1.vmx");
	assert_int_equal(rep.size, 8589934592LL);
	drv_reply_clear(&rep);
	assert_int_equal(read_call(DRV_CAPTURE, &q, "/srv/t/t1.vmx\n0\n", 16,
	    &rep), 0);
	assert_int_equal(rep.size, -1);
	drv_reply_clear(&rep);
	reader_rejects_cuts(DRV_CAPTURE, &q, "/srv/t/t1.vmx\n8589934592\n", 0);
	assert_int_not_equal(read_call(DRV_CAPTURE, &q,
	    "/srv/t/t1.vmdk\n1\n", 17, &rep), 0);
	assert_int_not_equal(read_call(DRV_CAPTURE, &q,
	    "/srv/t/t1.vmx\n-5\n", 17, &rep), 0);

	assert_int_equal(read_call(DRV_IMAGE_SUM, &q, sum, strlen(sum), &rep),
	    0);
	assert_string_equal(rep.sha256, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	drv_reply_clear(&rep);
	/* A name with a backslash: sha256sum puts '\' first. */
	assert_int_equal(read_call(DRV_IMAGE_SUM, &q, "\\e3b0c44298fc1c149afbf"
	    "4c8996fb92427ae41e4649b934ca495991b7852b855  /a\\\\b\n", 72,
	    &rep), 0);
	drv_reply_clear(&rep);
	reader_rejects_cuts(DRV_IMAGE_SUM, &q, sum, strlen(sum) - 65);
	assert_int_not_equal(read_call(DRV_IMAGE_SUM, &q, "E3B0C44298FC1C149A"
	    "FBF4C8996FB92427AE41E4649B934CA495991B7852B855  x\n", 68, &rep),
	    0);
}

/* The probe's product facts and the refresh on a macOS host. */
static void
test_product_and_macos(void **state)
{
	static const struct {
		const char	*facts;
		const char	*product;
	} cases[] = {
		{ "os Linux\nfusion 0\nvmware 1\nvmplayer 1\n", "ws" },
		{ "os Linux\nfusion 0\nvmware 0\nvmplayer 1\n", "player" },
		{ "os Linux\nfusion 0\nvmware 0\nvmplayer 0\n", "ws" },
		{ "os Darwin\nfusion 0\nvmware 0\nvmplayer 0\n", "fusion" },
		{ "os Linux\nfusion 1\nvmware 1\nvmplayer 0\n", "fusion" },
		{ "os Linux\nfusion 0\nvmware 1\n", NULL },
		{ "os Linux\nfusion 2\nvmware 1\nvmplayer 0\n", NULL },
		{ "\x01garbage\n", NULL },
	};
	struct tp_result	 r;
	struct hv_facts		 f;
	struct hv_vm_list	 l = { 0 };
	struct buf		 b = { 0 };
	char			*mac;
	size_t			 i;

	hv_facts_init(&f);
	for (i = 0; i < nitems(cases); i++) {
		buf_reset(&b);
		buf_printf(&b, "Usage: vmrun [AUTHENTICATION-FLAGS]\n"
		    "@@hvsh:255@@\n%s@@hvsh:0@@\n", cases[i].facts);
		res_set(&r, b.data, b.len, "", 0);
		if (cases[i].product != NULL) {
			assert_int_equal(D->probe_read(&r, &f), 0);
			assert_string_equal(f.product, cases[i].product);
		} else
			assert_int_not_equal(D->probe_read(&r, &f), 0);
		tp_result_free(&r);
	}
	hv_facts_clear(&f);

	mac = data_file("vmrun-macos-facts-DERIVED.txt");
	buf_reset(&b);
	buf_printf(&b, "%s@@hvsh-" NONCE ":0@@\nTotal running VMs: 0\n@@hvsh-" NONCE ":0@@\n"
	    "@@hvsh-" NONCE ":0@@\n", mac);
	res_set(&r, b.data, b.len, "", 0);
	hv_facts_init(&f);
	assert_int_equal(D->refresh_read(&RF, &r, &f, &l), 0);
	assert_int_equal(f.cpus, 10);
	assert_int_equal(f.memory, 17179869184LL);
	assert_int_equal(f.mem_free, (3813LL + 267442 + 2829) * 16384);
	assert_int_equal(l.n, 0);
	tp_result_free(&r);
	hv_facts_clear(&f);
	/* Every cut of the facts fails. */
	for (i = 0; i + 40 < strlen(mac); i += 7) {
		buf_reset(&b);
		buf_add(&b, mac, i);
		buf_printf(&b, "@@hvsh-" NONCE ":0@@\nTotal running VMs: 0\n"
		    "@@hvsh-" NONCE ":0@@\n@@hvsh-" NONCE ":0@@\n");
		if (i > strlen(mac) - strlen(strstr(mac, "Pages inactive")))
			break;	/* from here on the free pages are there */
		refresh_fails(b.data, b.len, NULL);
	}
	buf_reset(&b);
	buf_printf(&b, "@darwin\n10\n17179869184\nMach Virtual Memory "
	    "Statistics: (page size of lots bytes)\nPages free: 1.\n"
	    "@@hvsh-" NONCE ":0@@\nTotal running VMs: 0\n@@hvsh-" NONCE ":0@@\n@@hvsh-" NONCE ":0@@\n");
	refresh_fails(b.data, b.len, "page size");
	buf_reset(&b);
	buf_printf(&b, "@darwin\n10\nlots\n@@hvsh-" NONCE ":0@@\nTotal running VMs: 0\n"
	    "@@hvsh-" NONCE ":0@@\n@@hvsh-" NONCE ":0@@\n");
	refresh_fails(b.data, b.len, "hw.memsize");
	buf_free(&b);
	free(mac);
}

/*
 * The .vmx-editing scripts run for real: attach picks scsi0:1, then the
 * next, refuses a duplicate and a running VM, detach takes it out again,
 * set-id writes the id; hostile paths stay data.
 */
static void
test_sh_attach(void **state)
{
	struct fakehost		 h;
	struct drv_plan		 plan = { 0 };
	struct drv_req		 q;
	struct buf		 out = { 0 };
	char			*vmx, *vol, *vol2, *got, *lck;

	unlink(PWNED);
	fake_up(&h);
	put_vmx(&h, "web1", "web1.vmx", "displayName = \"web1\"\r\n"
	    "scsi0:0.present = \"TRUE\"\r\nscsi0:0.fileName = \"web1.vmdk\"\r\n"
	    "SCSI0:1.Present = \"FALSE\"\r\n");
	vmx = xasprintf("%s/hvsh-vms/web1/web1.vmx", h.home);
	vol = xasprintf("%s/d $(cd; touch pwned) `cd; touch pwned` 1.vmdk",
	    h.home);
	vol2 = xasprintf("%s/d2.vmdk", h.home);
	write_file(vol, "x", 0644);
	write_file(vol2, "x", 0644);
	memset(&q, 0, sizeof q);
	q.vm.name = "web1";
	q.vol_path = vol;
	assert_int_equal(D->call[DRV_VOL_ATTACH](&q, &plan), 0);
	assert_int_equal(sh_run(&plan, 0, &out), 0);
	assert_string_equal(out.data, "scsi0:1\n");
	drv_plan_clear(&plan);
	got = read_file(vmx);
	assert_non_null(strstr(got, "scsi0:0.fileName = \"web1.vmdk\"\r\n"));
	assert_null(strstr(got, "Present = \"FALSE\""));
	assert_non_null(strstr(got, "scsi0.present = \"TRUE\"\n"
	    "scsi0.virtualDev = \"lsilogic\"\nscsi0:1.present = \"TRUE\"\n"));
	assert_non_null(strstr(got, "scsi0:1.fileName = \""));
	assert_non_null(strstr(got, "scsi0:1.deviceType = \"scsi-hardDisk\""));
	free(got);
	/* The same disk again: refused (EXIST). */
	buf_reset(&out);
	assert_int_equal(D->call[DRV_VOL_ATTACH](&q, &plan), 0);
	assert_int_equal(sh_run(&plan, 0, &out), 255);
	assert_non_null(strstr(out.data, "Error: The virtual disk already "
	    "exists"));
	drv_plan_clear(&plan);
	/* Another: the next slot. */
	q.vol_path = vol2;
	buf_reset(&out);
	assert_int_equal(D->call[DRV_VOL_ATTACH](&q, &plan), 0);
	assert_int_equal(sh_run(&plan, 0, &out), 0);
	assert_string_equal(out.data, "scsi0:2\n");
	drv_plan_clear(&plan);
	/* Powered on (VMware's lock directory): refused, BUSY. */
	lck = xasprintf("%s.lck", vmx);
	assert_int_equal(mkdir(lck, 0755), 0);
	buf_reset(&out);
	assert_int_equal(D->call[DRV_VOL_DETACH](&q, &plan), 0);
	assert_int_equal(sh_run(&plan, 0, &out), 255);
	assert_non_null(strstr(out.data, "should not be powered on"));
	drv_plan_clear(&plan);
	rmdir(lck);
	/* Detach by path: scsi0:2 goes, scsi0:1 stays. */
	buf_reset(&out);
	assert_int_equal(D->call[DRV_VOL_DETACH](&q, &plan), 0);
	assert_int_equal(sh_run(&plan, 0, &out), 0);
	drv_plan_clear(&plan);
	got = read_file(vmx);
	assert_null(strstr(got, "scsi0:2."));
	assert_non_null(strstr(got, "scsi0:1.present"));
	free(got);
	buf_reset(&out);
	assert_int_equal(D->call[DRV_VOL_DETACH](&q, &plan), 0);
	assert_int_equal(sh_run(&plan, 0, &out), 255);
	assert_non_null(strstr(out.data, "cannot be found"));
	drv_plan_clear(&plan);
	/* Set id while off: into the .vmx. */
	q.vm.hvsh_id = "99";
	assert_int_equal(D->call[DRV_SET_ID](&q, &plan), 0);
	buf_reset(&out);
	assert_int_equal(sh_run(&plan, 0, &out), 0);
	drv_plan_clear(&plan);
	got = read_file(vmx);
	assert_non_null(strstr(got, "hvsh.id = \"99\"\n"));
	free(got);
	/* Remove: the file and its extents, nothing else. */
	write_file(vol2, "# Disk DescriptorFile\nRW 2048 FLAT \"d2-flat.vmdk\" 0\n"
	    "RW 2048 FLAT \"../escape.vmdk\" 0\n", 0644);
	got = xasprintf("%s/d2-flat.vmdk", h.home);
	write_file(got, "x", 0644);
	q.vol_path = vol2;
	assert_int_equal(D->call[DRV_VOL_REMOVE](&q, &plan), 0);
	buf_reset(&out);
	assert_int_equal(sh_run(&plan, 0, &out), 0);
	assert_int_not_equal(access(vol2, F_OK), 0);
	assert_int_not_equal(access(got, F_OK), 0);
	buf_reset(&out);
	assert_int_equal(sh_run(&plan, 0, &out), 255);
	assert_non_null(strstr(out.data, "does not exist"));
	drv_plan_clear(&plan);
	free(got);
	free(lck);
	free(vmx);
	free(vol);
	free(vol2);
	got = xasprintf("%s/pwned", h.home);
	assert_int_not_equal(access(got, F_OK), 0);
	free(got);
	buf_free(&out);
	fake_down(&h);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_op_plans_path),
		cmocka_unit_test(test_op_plans_name),
		cmocka_unit_test(test_op_plans_refused),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_refresh_plan),
		cmocka_unit_test(test_refresh_samples),
		cmocka_unit_test(test_refresh_lab),
		cmocka_unit_test(test_refresh_truncated),
		cmocka_unit_test(test_refresh_garbled),
		cmocka_unit_test(test_refresh_forged_list),
		cmocka_unit_test(test_detail),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_error_read),
		cmocka_unit_test(test_create_plan),
		cmocka_unit_test(test_create_refused),
		cmocka_unit_test(test_create_read),
		cmocka_unit_test(test_sh_ops),
		cmocka_unit_test(test_sh_create),
		cmocka_unit_test(test_sh_refresh),
		cmocka_unit_test(test_call_plans),
		cmocka_unit_test(test_call_refused),
		cmocka_unit_test(test_call_readers),
		cmocka_unit_test(test_product_and_macos),
		cmocka_unit_test(test_sh_attach),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
