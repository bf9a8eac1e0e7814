/*
 * test-drv-xe.c: the Xen driver (drv-xe.c). Golden texts of every plan it
 * makes; names and ids that a shell would act on stay data, checked by
 * running the plans through a real /bin/sh against a fake xe that logs the
 * argv it got; the readers on the samples of shared/hv-formats (read at
 * run time, as test-hvout.c does), on refresh output captured from the lab's
 * xe simulator, and on every way that output can arrive broken (cut short,
 * garbled, a failed command). Last, when python3 and the simulator are
 * there, whole plans run through sh against the simulator itself.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
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

extern const struct driver drv_xe;

#define HOST_PARAMS	"params=name-label,hostname,software-version," \
			"cpu_info,memory-total,memory-free"
#define VM_PARAMS	"params=uuid,name-label,power-state,memory-actual," \
			"memory-static-max,VCPUs-number,VCPUs-max," \
			"other-config,is-control-domain"
#define UUID1		"0f2b4c6d-1a3e-4f50-8a9b-0c1d2e3f4a5b"
#define UUID2		"5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"

/* A refresh with a known nonce, and its markers. */
#define NONCE		"0123456789abcdef"
#define MARK(st)	"@@hvsh-" NONCE ":" #st "@@\n"
static const struct drv_refresh RF = { NONCE };
#define PWNED		"/tmp/hvsh-drv-xe-pwned"

/* The create script, golden: a change to it must show up here. */
#define CREATE_SCRIPT \
	"exec </dev/null\n" \
	"t=$1 n=$2 m=$3 c=$4 id=$5 d=$6 k=$7 i=$8 f=$9 p=${10} v=\n" \
	"if [ -n \"$k\" ] && [ ! -f \"$i\" ]; then\n" \
	"    printf 'Error: image file %s not found\\n' \"$i\" >&2; exit 1\n" \
	"fi\n" \
	"if [ \"$k\" = template ] && [ \"$d\" = 0 ]; then\n" \
	"    if [ \"$f\" = vhd ]; then\n" \
	"        [ \"$(tail -c 512 \"$i\" | head -c 8)\" = conectix ] || {\n" \
	"            printf 'Error: %s is not a VHD file\\n' \"$i\" >&2; exit 1; }\n" \
	"        h=$(tail -c 512 \"$i\" | od -An -tx1 -j48 -N8 | tr -d ' \\n') &&\n" \
	"            d=$(printf '%d' \"0x$h\") || exit\n" \
	"    else\n" \
	"        d=$(stat -c %s \"$i\") || exit\n" \
	"    fi\n" \
	"fi\n" \
	"if [ \"$d\" != 0 ]; then\n" \
	"if [ -z \"$p\" ]; then\n" \
	"    sr=$(xe pool-list params=default-SR --minimal)\n" \
	"else\n" \
	"    sr=$(xe sr-list \"$p\" params=uuid --minimal)\n" \
	"fi || exit\n" \
	"case \"$sr\" in\n" \
	"''|'<not in database>') echo 'Error: No matching SRs found' >&2; exit 1 ;;\n" \
	"*,*) echo 'Error: More than one SR matches' >&2; exit 1 ;;\n" \
	"esac\n" \
	"fi\n" \
	"u=$(xe vm-install template=\"$t\" new-name-label=\"$n\") || exit\n" \
	"xe vm-memory-limits-set uuid=\"$u\" static-min=\"$m\" static-max=\"$m\" dynamic-min=\"$m\" dynamic-max=\"$m\" &&\n" \
	"    xe vm-param-set uuid=\"$u\" VCPUs-max=\"$c\" &&\n" \
	"    xe vm-param-set uuid=\"$u\" VCPUs-at-startup=\"$c\" &&\n" \
	"    xe vm-param-set uuid=\"$u\" other-config:hvsh-id=\"$id\" &&\n" \
	"    { [ \"$d\" = 0 ] || {\n" \
	"        v=$(xe vdi-create sr-uuid=\"$sr\" name-label=\"$n root\" type=user virtual-size=\"$d\") &&\n" \
	"        { [ \"$k\" != template ] || xe vdi-import uuid=\"$v\" filename=\"$i\" format=\"$f\"; } &&\n" \
	"        b=$(xe vbd-create vm-uuid=\"$u\" vdi-uuid=\"$v\" device=0 bootable=true mode=RW type=Disk) &&\n" \
	"        xe vbd-param-set uuid=\"$b\" other-config:owner=true; }; } &&\n" \
	"    { [ \"$k\" != iso ] || xe vm-cd-add uuid=\"$u\" cd-name=\"$i\" device=3; } &&\n" \
	"    xe vm-list uuid=\"$u\" params=uuid,name-label,power-state,memory-actual,memory-static-max,VCPUs-number,VCPUs-max,other-config,is-control-domain && echo \"@@hvsh:$?@@\" &&\n" \
	"    { [ -z \"$v\" ] || xe vdi-list uuid=\"$v\" params=uuid,virtual-size; } && echo \"@@hvsh:$?@@\" && exit 0\n" \
	"s=$?\n" \
	"xe vm-uninstall uuid=\"$u\" --force >/dev/null 2>&1\n" \
	"[ -z \"$v\" ] || xe vdi-destroy uuid=\"$v\" >/dev/null 2>&1\n" \
	"exit $s\n"

/*
 * A refresh on the simulator (tests/lab/sim/xe, HVSH_SIM_SPEED=0): dom0,
 * web1 made by the create plan and started, db1 made with a disk, halted.
 */

/* The driver's plan of op (its slot, which must be there). */
static int
plan_op(const struct driver *drv, enum drv_op op, const struct drv_target *t,
    struct drv_plan *p)
{
	assert_non_null(drv->op[op]);
	return drv->op[op](t, p);
}

static const char sim_refresh[] =
	"name-label ( RW)          : xen1\n"
	"    software-version (MRO): product_version: 8.2.1; "
	"product_version_text: 8.2; product_version_text_short: 8.2; "
	"platform_name: XCP; platform_version: 3.2.1; product_brand: "
	"XCP-ng; build_number: release/yangtze/master/58; hostname: "
	"xen1; date: 2022-08-01; dbv: 0.0.1; xapi: 1.20; xen: "
	"4.13.5-9.38; linux: 4.19.0+1; xencenter_min: 2.16; "
	"xencenter_max: 2.16; network_backend: openvswitch; db_schema: "
	"5.602\n"
	"            cpu_info (MRO): cpu_count: 4; socket_count: 1; "
	"vendor: GenuineIntel; speed: 2394.454; modelname: Intel(R) "
	"Xeon(R) CPU E5-2680 v4 @ 2.40GHz; family: 6; model: 79; "
	"stepping: 1; flags: fpu de tsc msr pae mce cx8 apic sep mca "
	"cmov pat clflush acpi mmx fxsr sse sse2 ht syscall nx lm "
	"constant_tsc rep_good nopl nonstop_tsc cpuid pni pclmulqdq "
	"monitor est ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes "
	"xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch "
	"fsgsbase bmi1 hle avx2 bmi2 erms rtm rdseed adx xsaveopt arat "
	"md_clear; features_pv: 1fcbfbff-f7fa3223-2d93fbff-00000023-000"
	"00001-000007ab-00000000-00000000-00001000-8c000000; "
	"features_hvm: 1fcbfbff-f7fa3223-2d93fbff-00000023-00000001-000"
	"007ab-00000000-00000000-00001000-8c000000; features_hvm_host: "
	"1fcbfbff-f7fa3223-2d93fbff-00000023-00000001-000007ab-00000000"
	"-00000000-00001000-8c000000; features_pv_host: "
	"1fcbfbff-f7fa3223-2d93fbff-00000023-00000001-000007ab-00000000"
	"-00000000-00001000-8c000000\n"
	"            hostname ( RO): xen1\n"
	"        memory-total ( RO): 17179869184\n"
	"         memory-free ( RO): 15565062144\n"
	"\n"
	"\n"
	MARK(0)
	"uuid ( RO)                 : 3a6b8e7c-1d2f-4e5a-9b8c-7d6e5f4a3"
	"b2c\n"
	"           name-label ( RW): Control domain on host: xen1\n"
	"    is-control-domain ( RO): true\n"
	"          power-state ( RO): running\n"
	"        memory-actual ( RO): 1073741824\n"
	"    memory-static-max ( RW): 1073741824\n"
	"            VCPUs-max ( RW): 4\n"
	"         other-config (MRW): storage_driver_domain: "
	"OpaqueRef:dc5ad607-e60a-4923-8461-acbcbf6b08a1; "
	"is_system_domain: true; perfmon: \n"
	"         VCPUs-number ( RO): 4\n"
	"\n"
	"\n"
	"uuid ( RO)                 : 0f2b4c6d-1a3e-4f50-8a9b-0c1d2e3f4"
	"a5b\n"
	"           name-label ( RW): web1\n"
	"    is-control-domain ( RO): false\n"
	"          power-state ( RO): running\n"
	"        memory-actual ( RO): 536870912\n"
	"    memory-static-max ( RW): 536870912\n"
	"            VCPUs-max ( RW): 2\n"
	"         other-config (MRW): install-methods: cdrom; "
	"linux_template: true; base_template_name: Other install "
	"media; mac_seed: 3b5e14ef-dad1-4f69-be9d-f58b1e1a2b58; "
	"hvsh-id: 4242\n"
	"         VCPUs-number ( RO): 2\n"
	"\n"
	"\n"
	"uuid ( RO)                 : 5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a"
	"8b9\n"
	"           name-label ( RW): db1\n"
	"    is-control-domain ( RO): false\n"
	"          power-state ( RO): halted\n"
	"        memory-actual ( RO): 0\n"
	"    memory-static-max ( RW): 268435456\n"
	"            VCPUs-max ( RW): 1\n"
	"         other-config (MRW): install-methods: cdrom; "
	"linux_template: true; base_template_name: Other install "
	"media; mac_seed: 8e601bb2-4364-4953-b236-441879a97d9c; "
	"hvsh-id: 4243\n"
	"         VCPUs-number ( RO): 0\n"
	"\n"
	"\n"
	MARK(0)
	UUID1 "," UUID2 "\n"
	MARK(0);

/* Names a shell would act on; xe's own key=value and flag syntax too. */
static const char *const hostile[] = {
	"it's",
	"'",
	"\"double\"",
	"$(touch " PWNED ")",
	"`touch " PWNED "`",
	"x; touch " PWNED,
	"a|b&c<d>e",
	"${HOME}",
	"$HOME",
	"$1",
	"back\\slash\\",
	"  two  spaces  ",
	"tab\there",
	"-n",
	"--force",
	"--multiple",
	"name-label=other",
	"uuid=" UUID1,
	"*",
	"~root",
	"#comment",
	"!!",
	"h\xc3\xa9llo \xe2\x98\x83",
	"\x01\x1b[31m\x7f",
	"\xff\xfe",
};

static char	*samples;
static char	*tmpdir;		/* fake xe, logs */
static char	*orig_path;

static int
isdir(const char *path)
{
	struct stat	st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A fake xe: logs each argument NUL-terminated, then an end mark. */
static const char fake_xe[] =
	"#!/bin/sh\n"
	"for a in \"$@\"; do printf '%s\\0' \"$a\"; done >>\"$XE_LOG\"\n"
	"printf '%s\\0' --end-- >>\"$XE_LOG\"\n"
	"if [ -n \"${XE_FAIL:-}\" ]; then\n"
	"\tfor a in \"$@\"; do\n"
	"\t\tcase $a in \"$XE_FAIL\"*)\n"
	"\t\t\tprintf 'Error code: INVALID_VALUE\\nError parameters: "
	    "%s\\n' \"$a\" >&2\n"
	"\t\t\texit 1 ;;\n"
	"\t\tesac\n"
	"\tdone\n"
	"fi\n"
	"case $1 in\n"
	"vm-install) echo " UUID1 " ;;\n"
	"pool-list) echo 22222222-2222-2222-2222-222222222222 ;;\n"
	"vdi-create) echo 33333333-3333-3333-3333-333333333333 ;;\n"
	"vbd-create) echo 44444444-4444-4444-4444-444444444444 ;;\n"
	"vm-snapshot|vm-checkpoint) echo 55555555-5555-5555-5555-555555555555 ;;\n"
	"vdi-list)\n"
	"\tprintf 'uuid ( RO)            : %s\\n' "
	    "33333333-3333-3333-3333-333333333333\n"
	"\tprintf '    virtual-size ( RO): 1073741824\\n\\n\\n' ;;\n"
	"vm-list)\n"
	"\tprintf 'uuid ( RO)            : %s\\n' " UUID1 "\n"
	"\tprintf '      name-label ( RW): fake\\n'\n"
	"\tprintf '     power-state ( RO): halted\\n'\n"
	"\tprintf '    other-config (MRW): hvsh-id: 4242\\n\\n\\n' ;;\n"
	"esac\n";

/* Finds the samples (or fails the run) and installs the fake xe. */
static int
group_setup(void **state)
{
	const char	*src = getenv("HVSH_SRC");
	char		*d, *p, tmpl[] = "/tmp/test-drv-xe.XXXXXX";
	FILE		*f;

	if (src != NULL && *src != '\0') {
		d = xasprintf("%s/../shared/hv-formats/samples", src);
		if (isdir(d))
			samples = d;
		else
			free(d);
	}
	if (samples == NULL && isdir(SAMPLES_FALLBACK))
		samples = xstrdup(SAMPLES_FALLBACK);
	if (samples == NULL) {
		fprintf(stderr, "test-drv-xe: no samples: neither "
		    "$HVSH_SRC/../shared/hv-formats/samples nor "
		    SAMPLES_FALLBACK " exists\n");
		printf("not ok - hv-formats samples not found\n");
		return -1;
	}
	if (mkdtemp(tmpl) == NULL)
		return -1;
	tmpdir = xstrdup(tmpl);
	p = xasprintf("%s/fake", tmpdir);
	mkdir(p, 0755);
	free(p);
	p = xasprintf("%s/fake/xe", tmpdir);
	if ((f = fopen(p, "w")) == NULL)
		return -1;
	fputs(fake_xe, f);
	fclose(f);
	chmod(p, 0755);
	free(p);
	orig_path = xstrdup(getenv("PATH") != NULL ? getenv("PATH") :
	    "/usr/bin:/bin");
	unlink(PWNED);
	return 0;
}

static int
group_teardown(void **state)
{
	char	*cmd;

	if (tmpdir != NULL) {
		cmd = xasprintf("rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "test-drv-xe: cannot remove %s\n",
			    tmpdir);
		free(cmd);
	}
	free(tmpdir);
	free(samples);
	free(orig_path);
	return 0;
}

/* A sample without its "# SOURCE:" line. */
static char *
sample(const char *file, size_t *lenp)
{
	struct buf	 b = { 0 };
	char		*path, chunk[4096], *nl;
	FILE		*f;
	size_t		 n;

	path = xasprintf("%s/%s", samples, file);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	free(path);
	if (b.data == NULL || strncmp(b.data, "# SOURCE:", 9) != 0 ||
	    (nl = strchr(b.data, '\n')) == NULL)
		fail_msg("%s: no '# SOURCE:' first line", file);
	n = b.len - (size_t)(nl + 1 - b.data);
	memmove(b.data, nl + 1, n + 1);
	*lenp = n;
	return b.data;
}

/* The lines after "=== MARKER..." up to the next "=== " line. */
static char *
block(const char *file, const char *marker)
{
	struct buf	 b = { 0 };
	char		*text, *p, *nl;
	size_t		 len, ml = strlen(marker);
	int		 on = 0, found = 0;

	text = sample(file, &len);
	for (p = text; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p) - 1;
		if (strncmp(p, "=== ", 4) == 0) {
			on = strncmp(p + 4, marker, ml) == 0;
			found |= on;
			continue;
		}
		if (on)
			buf_add(&b, p, (size_t)(nl + 1 - p));
	}
	free(text);
	if (!found)
		fail_msg("%s: no block '%s'", file, marker);
	buf_addstr(&b, "");
	return buf_take(&b);
}

/* A result as the transport would hand it over. */
static void
mkres(struct tp_result *r, const char *out, size_t outlen, const char *err,
    int status)
{
	memset(r, 0, sizeof *r);
	r->status = status;
	r->out = xmalloc(outlen + 1);
	memcpy(r->out, out, outlen);
	r->out[outlen] = '\0';
	r->outlen = outlen;
	r->err = xstrdup(err != NULL ? err : "");
	r->errlen = strlen(r->err);
}

/* Runs argv as sshd would: its quoted text through sh -c, stdin empty. */
static void
run_local(char *const *argv, struct tp_result *r)
{
	struct buf	 out = { 0 }, err = { 0 };
	char		*text, chunk[4096], errpath[256];
	int		 p[2], efd, nul, st;
	ssize_t		 n;
	pid_t		 pid;
	FILE		*f;

	text = quote_argv(argv);
	snprintf(errpath, sizeof errpath, "%s/stderr", tmpdir);
	efd = open(errpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(efd >= 0);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		nul = open("/dev/null", O_RDONLY);
		dup2(nul, 0);
		dup2(p[1], 1);
		dup2(efd, 2);
		close(p[0]);
		execl("/bin/sh", "sh", "-c", text, (char *)NULL);
		_exit(126);
	}
	close(p[1]);
	close(efd);
	while ((n = read(p[0], chunk, sizeof chunk)) > 0)
		buf_add(&out, chunk, (size_t)n);
	close(p[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if ((f = fopen(errpath, "rb")) != NULL) {
		while ((n = (ssize_t)fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_add(&err, chunk, (size_t)n);
		fclose(f);
	}
	free(text);
	memset(r, 0, sizeof *r);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r->outlen = out.len;
	buf_addstr(&out, "");
	r->out = buf_take(&out);
	r->errlen = err.len;
	buf_addstr(&err, "");
	r->err = buf_take(&err);
}

/* Sets PATH to dir, then the original PATH. */
static void
path_first(const char *dir)
{
	char	*p = xasprintf("%s:%s", dir, orig_path);

	setenv("PATH", p, 1);
	free(p);
}

/* Asserts that plan has one step per expected text, in order. */
static void
plan_is(const struct drv_plan *plan, const char *const *want, size_t n)
{
	char	*text;
	size_t	 i;

	assert_int_equal(plan->n, n);
	for (i = 0; i < n; i++) {
		text = drv_plan_text(plan, i);
		assert_string_equal(text, want[i]);
		free(text);
	}
}

static void
op_is(enum drv_op op, const struct drv_target *t, const char *w0,
    const char *w1)
{
	struct drv_plan	 plan = { 0 };
	const char	*want[] = { w0, w1 };

	assert_int_equal(plan_op(&drv_xe, op, t, &plan), 0);
	plan_is(&plan, want, w1 != NULL ? 2 : 1);
	drv_plan_clear(&plan);
}

static void
test_names(void **state)
{
	assert_string_equal(drv_xe.name, "xen");
	assert_string_equal(drv_xe.cli, "xe");
	assert_ptr_equal(driver_find("xen"), &drv_xe);
	assert_non_null(drv_xe.probe);
	assert_non_null(drv_xe.probe_read);
	assert_non_null(drv_xe.refresh);
	assert_non_null(drv_xe.refresh_read);
	assert_non_null(drv_xe.error_read);
	assert_non_null(drv_xe.create);
	assert_non_null(drv_xe.create_read);
}

/* Every operation, by uuid when known, else by name-label. */
static void
test_plan_ops(void **state)
{
	struct drv_target	byuuid = { .name = "web1", .uuid = UUID1, .path = NULL, .hvsh_id = "4242" };
	struct drv_target	byname = { .name = "web1", .uuid = NULL, .path = NULL, .hvsh_id = "4242" };
	struct drv_target	emptyuuid = { .name = "web1", .uuid = "", .path = NULL, .hvsh_id = NULL };

	op_is(DRV_START, &byuuid, "'xe' 'vm-start' 'uuid=" UUID1 "'", NULL);
	op_is(DRV_STOP, &byuuid, "'xe' 'vm-shutdown' 'uuid=" UUID1 "'", NULL);
	op_is(DRV_FORCE_OFF, &byuuid,
	    "'xe' 'vm-shutdown' 'uuid=" UUID1 "' '--force'", NULL);
	op_is(DRV_REBOOT, &byuuid, "'xe' 'vm-reboot' 'uuid=" UUID1 "'", NULL);
	op_is(DRV_SUSPEND, &byuuid, "'xe' 'vm-suspend' 'uuid=" UUID1 "'",
	    NULL);
	op_is(DRV_RESUME, &byuuid, "'xe' 'vm-resume' 'uuid=" UUID1 "'", NULL);
	op_is(DRV_DESTROY, &byuuid,
	    "'xe' 'vm-shutdown' 'uuid=" UUID1 "' '--force'",
	    "'xe' 'vm-uninstall' 'uuid=" UUID1 "' '--force'");

	op_is(DRV_START, &byname, "'xe' 'vm-start' 'name-label=web1'", NULL);
	op_is(DRV_STOP, &byname, "'xe' 'vm-shutdown' 'name-label=web1'", NULL);
	op_is(DRV_FORCE_OFF, &byname,
	    "'xe' 'vm-shutdown' 'name-label=web1' '--force'", NULL);
	op_is(DRV_REBOOT, &byname, "'xe' 'vm-reboot' 'name-label=web1'", NULL);
	op_is(DRV_SUSPEND, &byname, "'xe' 'vm-suspend' 'name-label=web1'",
	    NULL);
	op_is(DRV_RESUME, &byname, "'xe' 'vm-resume' 'name-label=web1'", NULL);
	op_is(DRV_DESTROY, &byname,
	    "'xe' 'vm-shutdown' 'name-label=web1' '--force'",
	    "'xe' 'vm-uninstall' 'name-label=web1' '--force'");
	/* An empty uuid is no uuid. */
	op_is(DRV_START, &emptyuuid, "'xe' 'vm-start' 'name-label=web1'", NULL);
	op_is(DRV_START, &(struct drv_target){ .name = "it's", .uuid = NULL, .path = NULL, .hvsh_id = NULL },
	    "'xe' 'vm-start' 'name-label=it'\\''s'", NULL);
}

static void
test_plan_probe_refresh(void **state)
{
	struct drv_plan	 plan = { 0 };
	const char	*probe[] = {
		"'xe' 'host-list' 'params=name-label,hostname,software-version'"
	};
	const char	*refresh[] = {
		"'sh' '-c' "
		"''\\''xe'\\'' '\\''host-list'\\'' '\\''" HOST_PARAMS "'\\'' "
		"</dev/null; echo \"@@hvsh-" NONCE ":$?@@\"\n"
		"'\\''xe'\\'' '\\''vm-list'\\'' '\\''" VM_PARAMS "'\\'' "
		"</dev/null; echo \"@@hvsh-" NONCE ":$?@@\"\n"
		"'\\''xe'\\'' '\\''vm-list'\\'' "
		"'\\''is-control-domain=false'\\'' '\\''params=uuid'\\'' "
		"'\\''--minimal'\\'' </dev/null; echo \"@@hvsh-" NONCE
		":$?@@\"\n'"
	};

	assert_int_equal(drv_xe.probe(&plan), 0);
	plan_is(&plan, probe, 1);
	drv_plan_clear(&plan);
	assert_int_equal(drv_xe.refresh(&RF, &plan), 0);
	plan_is(&plan, refresh, 1);
	drv_plan_clear(&plan);
}

/* Asserts that step i of plan has exactly the words given, NULL-ended. */
static void
argv_is(const struct drv_plan *plan, size_t i, ...)
{
	va_list		 ap;
	const char	*w;
	size_t		 k = 0;

	assert_true(i < plan->n);
	va_start(ap, i);
	while ((w = va_arg(ap, const char *)) != NULL) {
		assert_non_null(plan->argv[i][k]);
		assert_string_equal(plan->argv[i][k], w);
		k++;
	}
	va_end(ap);
	assert_null(plan->argv[i][k]);
}

static void
test_plan_create(void **state)
{
	struct drv_plan	 plan = { 0 };
	struct drv_spec	 s = { .name = "web1", .hvsh_id = "4242", .cpus = 2, .memory = 512LL << 20, .disk = 0, .image_path = NULL };

	assert_int_equal(drv_xe.create(&s, &plan), 0);
	assert_int_equal(plan.n, 1);
	argv_is(&plan, 0, "sh", "-c", CREATE_SCRIPT, "sh",
	    "Other install media", "web1", "536870912", "2", "4242", "0", "",
	    "", "", "", NULL);
	drv_plan_clear(&plan);
	s.name = "it's";
	s.hvsh_id = "42'42";
	s.cpus = 1;
	s.memory = 256LL << 20;
	s.disk = 1LL << 30;
	s.pool = "Local storage";
	assert_int_equal(drv_xe.create(&s, &plan), 0);
	argv_is(&plan, 0, "sh", "-c", CREATE_SCRIPT, "sh",
	    "Other install media", "it's", "268435456", "1", "42'42",
	    "1073741824", "", "", "", "name-label=Local storage", NULL);
	drv_plan_clear(&plan);
	/* From a template image into an SR given by uuid; from an ISO. */
	s.image_path = "/images/deb 12.vhd";
	s.image_kind = "template";
	s.pool = UUID1;
	s.disk = 0;
	assert_int_equal(drv_xe.create(&s, &plan), 0);
	argv_is(&plan, 0, "sh", "-c", CREATE_SCRIPT, "sh",
	    "Other install media", "it's", "268435456", "1", "42'42", "0",
	    "template", "/images/deb 12.vhd", "vhd", "uuid=" UUID1, NULL);
	drv_plan_clear(&plan);
	s.image_kind = "disk";
	s.image_format = "raw";
	assert_int_equal(drv_xe.create(&s, &plan), 0);
	argv_is(&plan, 0, "sh", "-c", CREATE_SCRIPT, "sh",
	    "Other install media", "it's", "268435456", "1", "42'42", "0",
	    "template", "/images/deb 12.vhd", "raw", "uuid=" UUID1, NULL);
	drv_plan_clear(&plan);
	s.image_path = "/iso/x.iso";
	s.image_kind = "iso";
	s.image_format = "iso";
	s.pool = NULL;
	s.disk = 8LL << 30;
	assert_int_equal(drv_xe.create(&s, &plan), 0);
	argv_is(&plan, 0, "sh", "-c", CREATE_SCRIPT, "sh",
	    "Other install media", "it's", "268435456", "1", "42'42",
	    "8589934592", "iso", "/iso/x.iso", "", "", NULL);
	drv_plan_clear(&plan);
	/* Refused: formats xe cannot import, kinds unknown, bad paths. */
	s.image_kind = "template";
	s.image_format = "qcow2";
	assert_int_equal(drv_xe.create(&s, &plan), ERR_INVAL);
	s.image_format = "vhd";
	s.image_kind = "floppy";
	assert_int_equal(drv_xe.create(&s, &plan), ERR_INVAL);
	s.image_kind = "template";
	s.image_path = "images/x.vhd";
	assert_int_equal(drv_xe.create(&s, &plan), ERR_INVAL);
	s.image_path = "/images/x\n--force.vhd";
	assert_int_equal(drv_xe.create(&s, &plan), ERR_INVAL);
	s.image_path = "/images/x.vhd";
	s.pool = "Local\nstorage";
	assert_int_equal(drv_xe.create(&s, &plan), ERR_INVAL);
	/* A network is refused, not left out. */
	s.pool = NULL;
	s.network = "default";
	assert_int_equal(drv_xe.create(&s, &plan), ERR_INVAL);
	assert_non_null(strstr(err_msg(), "vif-create"));
	assert_int_equal(plan.n, 0);
}

/* What is refused before anything would run, each with a reason. */
static void
test_plan_refused(void **state)
{
	struct drv_plan		plan = { 0 };
	struct drv_target	t = { 0 };
	struct drv_spec		s = { .name = "web1", .hvsh_id = "4242", .cpus = 1, .memory = 256LL << 20, .disk = 0, .image_path = NULL };
	struct drv_spec		bad;

	assert_int_equal(plan_op(&drv_xe, DRV_START, &t, &plan), ERR_INVAL);
	assert_non_null(strstr(err_msg(), "neither a uuid nor a name"));
	t.name = "";
	assert_int_equal(plan_op(&drv_xe, DRV_STOP, &t, &plan), ERR_INVAL);
	/* xe sends its argv one per line: a newline would add an argument. */
	t.name = "x\n--force";
	assert_int_equal(plan_op(&drv_xe, DRV_START, &t, &plan), ERR_INVAL);
	assert_non_null(strstr(err_msg(), "line break"));
	t.name = "x\rY";
	assert_int_equal(plan_op(&drv_xe, DRV_START, &t, &plan), ERR_INVAL);
	t.name = "ok";
	t.uuid = UUID1 "\nuuid=x";
	assert_int_equal(plan_op(&drv_xe, DRV_DESTROY, &t, &plan),
	    ERR_INVAL);
	assert_int_equal(plan.n, 0);

	bad = s;
	bad.name = "a\nb";
	assert_int_equal(drv_xe.create(&bad, &plan), ERR_INVAL);
	bad = s;
	bad.name = NULL;
	assert_int_equal(drv_xe.create(&bad, &plan), ERR_INVAL);
	bad = s;
	bad.hvsh_id = "";
	assert_int_equal(drv_xe.create(&bad, &plan), ERR_INVAL);
	bad = s;
	bad.hvsh_id = "1\n2";
	assert_int_equal(drv_xe.create(&bad, &plan), ERR_INVAL);
	bad = s;
	bad.cpus = 0;
	assert_int_equal(drv_xe.create(&bad, &plan), ERR_INVAL);
	bad = s;
	bad.memory = 0;
	assert_int_equal(drv_xe.create(&bad, &plan), ERR_INVAL);
	bad = s;
	bad.disk = -1;
	assert_int_equal(drv_xe.create(&bad, &plan), ERR_INVAL);
	bad = s;
	bad.image_path = "/images/x.vhd";
	assert_int_equal(drv_xe.create(&bad, &plan), ERR_INVAL);
	assert_non_null(strstr(err_msg(), "image"));
	assert_int_equal(plan.n, 0);
}

/* The calls the fake xe logged: argv arrays, NULL-terminated. */
struct calls {
	char	**argv[32];
	size_t	  n;
};

static void
calls_read(struct calls *c)
{
	struct buf	 b = { 0 };
	char		*path, chunk[4096], *p, *end;
	char		**argv = NULL;
	size_t		 n, na = 0;
	FILE		*f;

	memset(c, 0, sizeof *c);
	path = xasprintf("%s/log", tmpdir);
	if ((f = fopen(path, "rb")) != NULL) {
		while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_add(&b, chunk, n);
		fclose(f);
	}
	unlink(path);
	free(path);
	p = b.data;
	end = b.data + b.len;
	while (p != NULL && p < end) {
		n = strlen(p);
		if (strcmp(p, "--end--") == 0) {
			assert_true(c->n < nitems(c->argv));
			argv = xreallocarray(argv, na + 1, sizeof *argv);
			argv[na] = NULL;
			c->argv[c->n++] = argv;
			argv = NULL;
			na = 0;
		} else {
			argv = xreallocarray(argv, na + 2, sizeof *argv);
			argv[na++] = xstrdup(p);
		}
		p += n + 1;
	}
	assert_null(argv);
	buf_free(&b);
}

static void
calls_free(struct calls *c)
{
	size_t	i, j;

	for (i = 0; i < c->n; i++) {
		for (j = 0; c->argv[i][j] != NULL; j++)
			free(c->argv[i][j]);
		free(c->argv[i]);
	}
	c->n = 0;
}

/* Asserts call i got exactly the words given (NULL-terminated). */
static void
call_is(const struct calls *c, size_t i, ...)
{
	va_list		 ap;
	const char	*w;
	size_t		 j = 0;

	assert_true(i < c->n);
	va_start(ap, i);
	while ((w = va_arg(ap, const char *)) != NULL) {
		assert_non_null(c->argv[i][j]);
		if (strcmp(c->argv[i][j], w) != 0)
			fail_msg("call %zu word %zu: '%s', not '%s'", i, j,
			    c->argv[i][j], w);
		j++;
	}
	va_end(ap);
	if (c->argv[i][j] != NULL)
		fail_msg("call %zu: extra word '%s'", i, c->argv[i][j]);
}

static void
fake_env(const char *fail)
{
	char	*p = xasprintf("%s/fake", tmpdir), *log;

	path_first(p);
	log = xasprintf("%s/log", tmpdir);
	setenv("XE_LOG", log, 1);
	if (fail != NULL)
		setenv("XE_FAIL", fail, 1);
	else
		unsetenv("XE_FAIL");
	unlink(log);
	free(log);
	free(p);
}

/* Each hostile name reaches xe as one argument, unchanged, and runs nothing. */
static void
test_hostile_ops(void **state)
{
	struct drv_plan		 plan = { 0 };
	struct drv_target	 t = { 0 };
	struct tp_result	 r;
	struct calls		 c;
	char			*sel;
	size_t			 i;

	fake_env(NULL);
	for (i = 0; i < nitems(hostile); i++) {
		t.name = hostile[i];
		assert_int_equal(plan_op(&drv_xe, DRV_DESTROY, &t, &plan),
		    0);
		run_local(plan.argv[0], &r);
		assert_int_equal(r.status, 0);
		tp_result_free(&r);
		run_local(plan.argv[1], &r);
		assert_int_equal(r.status, 0);
		tp_result_free(&r);
		drv_plan_clear(&plan);
		calls_read(&c);
		assert_int_equal(c.n, 2);
		sel = xasprintf("name-label=%s", hostile[i]);
		call_is(&c, 0, "vm-shutdown", sel, "--force", NULL);
		call_is(&c, 1, "vm-uninstall", sel, "--force", NULL);
		free(sel);
		calls_free(&c);
	}
	setenv("PATH", orig_path, 1);
	assert_int_not_equal(access(PWNED, F_OK), 0);
}

/* The create script hands every value to xe whole, in order. */
static void
test_hostile_create(void **state)
{
	struct drv_plan		 plan = { 0 };
	struct drv_spec		 s = { .name = NULL, .hvsh_id = NULL, .cpus = 2, .memory = 512LL << 20, .disk = 0, .image_path = NULL };
	struct tp_result	 r;
	struct hv_vm		 vm;
	struct calls		 c;
	char			*nl, *id, *root;
	size_t			 i, k;

	fake_env(NULL);
	for (i = 0; i < nitems(hostile); i++) {
		s.name = hostile[i];
		s.hvsh_id = hostile[nitems(hostile) - 1 - i];
		s.disk = i % 2 == 0 ? 0 : 1LL << 30;
		assert_int_equal(drv_xe.create(&s, &plan), 0);
		run_local(plan.argv[0], &r);
		drv_plan_clear(&plan);
		assert_int_equal(r.status, 0);
		hv_vm_init(&vm);
		assert_int_equal(drv_xe.create_read(&r, &vm), 0);
		assert_string_equal(vm.uuid, UUID1);
		assert_string_equal(vm.hvsh_id, "4242");
		if (s.disk != 0)
			assert_string_equal(vm.disk,
			    "33333333-3333-3333-3333-333333333333");
		else
			assert_null(vm.disk);
		hv_vm_clear(&vm);
		tp_result_free(&r);

		calls_read(&c);
		assert_int_equal(c.n, s.disk == 0 ? 6 : 11);
		nl = xasprintf("new-name-label=%s", hostile[i]);
		id = xasprintf("other-config:hvsh-id=%s", s.hvsh_id);
		k = s.disk == 0 ? 0 : 1;
		if (k)
			call_is(&c, 0, "pool-list", "params=default-SR",
			    "--minimal", NULL);
		call_is(&c, k, "vm-install", "template=Other install media",
		    nl, NULL);
		call_is(&c, k + 1, "vm-memory-limits-set", "uuid=" UUID1,
		    "static-min=536870912", "static-max=536870912",
		    "dynamic-min=536870912", "dynamic-max=536870912", NULL);
		call_is(&c, k + 2, "vm-param-set", "uuid=" UUID1,
		    "VCPUs-max=2", NULL);
		call_is(&c, k + 3, "vm-param-set", "uuid=" UUID1,
		    "VCPUs-at-startup=2", NULL);
		call_is(&c, k + 4, "vm-param-set", "uuid=" UUID1, id, NULL);
		if (s.disk != 0) {
			root = xasprintf("name-label=%s root", hostile[i]);
			call_is(&c, 6, "vdi-create",
			    "sr-uuid=22222222-2222-2222-2222-222222222222",
			    root, "type=user", "virtual-size=1073741824", NULL);
			call_is(&c, 7, "vbd-create", "vm-uuid=" UUID1,
			    "vdi-uuid=33333333-3333-3333-3333-333333333333",
			    "device=0", "bootable=true", "mode=RW", "type=Disk",
			    NULL);
			call_is(&c, 8, "vbd-param-set",
			    "uuid=44444444-4444-4444-4444-444444444444",
			    "other-config:owner=true", NULL);
			call_is(&c, 10, "vdi-list",
			    "uuid=33333333-3333-3333-3333-333333333333",
			    "params=uuid,virtual-size", NULL);
			free(root);
		}
		call_is(&c, s.disk == 0 ? c.n - 1 : 9, "vm-list", "uuid=" UUID1,
		    VM_PARAMS, NULL);
		free(nl);
		free(id);
		calls_free(&c);
	}
	setenv("PATH", orig_path, 1);
	assert_int_not_equal(access(PWNED, F_OK), 0);
}

/* A step that fails after vm-install takes the half-made VM away again. */
static void
test_create_cleanup(void **state)
{
	struct drv_plan		 plan = { 0 };
	struct drv_spec		 s = { .name = "web1", .hvsh_id = "4242", .cpus = 2, .memory = 512LL << 20, .disk = 1LL << 30, .image_path = NULL };
	struct tp_result	 r;
	struct hv_error		 e;
	struct calls		 c;

	/* Before the disk: only the VM is there to remove. */
	fake_env("VCPUs-at-startup");
	assert_int_equal(drv_xe.create(&s, &plan), 0);
	run_local(plan.argv[0], &r);
	assert_int_equal(r.status, 1);
	assert_int_equal(r.outlen, 0);
	memset(&e, 0, sizeof e);
	assert_int_equal(drv_xe.error_read(&r, &e), 0);
	assert_string_equal(e.api_code, "INVALID_VALUE");
	hv_error_clear(&e);
	tp_result_free(&r);
	calls_read(&c);
	assert_int_equal(c.n, 6);
	call_is(&c, 0, "pool-list", "params=default-SR", "--minimal", NULL);
	call_is(&c, 5, "vm-uninstall", "uuid=" UUID1, "--force", NULL);
	calls_free(&c);

	/* The disk made but not attached: it goes too. */
	fake_env("vm-uuid=");
	run_local(plan.argv[0], &r);
	assert_int_equal(r.status, 1);
	tp_result_free(&r);
	calls_read(&c);
	assert_int_equal(c.n, 10);
	call_is(&c, 7, "vbd-create", "vm-uuid=" UUID1,
	    "vdi-uuid=33333333-3333-3333-3333-333333333333", "device=0",
	    "bootable=true", "mode=RW", "type=Disk", NULL);
	call_is(&c, 8, "vm-uninstall", "uuid=" UUID1, "--force", NULL);
	call_is(&c, 9, "vdi-destroy",
	    "uuid=33333333-3333-3333-3333-333333333333", NULL);
	calls_free(&c);

	/* vm-install failing: nothing to clean, its status comes through. */
	fake_env("template=");
	run_local(plan.argv[0], &r);
	assert_int_equal(r.status, 1);
	tp_result_free(&r);
	calls_read(&c);
	assert_int_equal(c.n, 2);
	calls_free(&c);
	drv_plan_clear(&plan);
	unsetenv("XE_FAIL");
	setenv("PATH", orig_path, 1);
}

/* A batch's stdout from sections: text, then its marker with status. */
static char *
batch(size_t *lenp, const char *s1, int st1, const char *s2, int st2)
{
	char	*b = xasprintf("%s@@hvsh:%d@@\n%s@@hvsh:%d@@\n", s1, st1, s2,
	    st2);

	*lenp = strlen(b);
	return b;
}

/*
 * A refresh's stdout: host-list and vm-list parts with their statuses,
 * then the --minimal part (status 0), each after its nonce marker.
 */
static char *
rbatch(size_t *lenp, const char *s1, int st1, const char *s2, int st2,
    const char *minimal)
{
	char	*b = xasprintf("%s@@hvsh-" NONCE ":%d@@\n%s@@hvsh-" NONCE
	    ":%d@@\n%s" MARK(0), s1, st1, s2, st2, minimal);

	*lenp = strlen(b);
	return b;
}

static const struct hv_vm *
vm_named(const struct hv_vm_list *l, const char *name)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].name != NULL && strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

/* Facts and VMs as given before a read; a failed read must keep them. */
static void
prefill(struct hv_facts *f, struct hv_vm_list *l)
{
	struct hv_vm	*v;

	hv_facts_init(f);
	f->cpus = 99;
	f->version = xstrdup("old");
	memset(l, 0, sizeof *l);
	v = hvout_vm_add(l);
	v->name = xstrdup("old-vm");
}

static void
assert_prefilled(const struct hv_facts *f, const struct hv_vm_list *l)
{
	assert_int_equal(f->cpus, 99);
	assert_int_equal(f->memory, -1);
	assert_string_equal(f->version, "old");
	assert_int_equal(l->n, 1);
	assert_string_equal(l->v[0].name, "old-vm");
}

/* The samples' byte-exact host-list and vm-list, as one refresh. */
static void
test_refresh_samples(void **state)
{
	struct tp_result	 r;
	struct hv_facts		 f;
	struct hv_vm_list	 l;
	const struct hv_vm	*v;
	char			*host, *vms, *b;
	size_t			 hl, vl, bl;

	host = sample("xe-host-list-default-DERIVED.txt", &hl);
	vms = sample("xe-vm-list-default-DERIVED.txt", &vl);
	b = rbatch(&bl, host, 0, vms, 0,
	    "9f0e1d2c-3b4a-5968-7a6b-5c4d3e2f1a0b\n");
	mkres(&r, b, bl, "", 0);
	prefill(&f, &l);
	assert_int_equal(drv_xe.refresh_read(&RF, &r, &f, &l), 0);
	/* Only the name is in the default host-list; the rest is kept. */
	assert_string_equal(f.hostname, "xcp-ng-1");
	assert_int_equal(f.cpus, 99);
	assert_string_equal(f.version, "old");
	/*
	 * dom0 is left out. The default vm-list has three fields, not the
	 * refresh's: web01's record is not clean, only its uuid is sure.
	 */
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].uuid,
	    "9f0e1d2c-3b4a-5968-7a6b-5c4d3e2f1a0b");
	assert_true(l.v[0].unsure);
	assert_null(l.v[0].name);
	assert_int_equal(l.v[0].state, HV_UNKNOWN);
	assert_null(l.v[0].hvsh_id);
	assert_null(vm_named(&l, "old-vm"));
	v = &l.v[0];
	assert_int_equal(v->mem_used, -1);
	tp_result_free(&r);
	hv_facts_clear(&f);
	hv_vm_list_free(&l);
	free(b);
	free(host);

	/*
	 * The README capture lost xe's blank lines: real xe output never ends
	 * that way, so it reads as cut short and is refused.
	 */
	host = xstrdup("uuid ( RO)          : b1c2d3e4-f5a6-4b7c-8d9e-"
	    "0f1a2b3c4d5e\n    name-label ( RW): xcp-ng-1\n\n\n");
	free(vms);
	vms = sample("xe-vm-list-and-snapshot-list-readme.txt", &vl);
	*strstr(vms, "--- xe snapshot-list") = '\0';
	b = rbatch(&bl, host, 0, vms, 0, "\n");
	mkres(&r, b, bl, "", 0);
	prefill(&f, &l);
	assert_true(drv_xe.refresh_read(&RF, &r, &f, &l) < 0);
	assert_non_null(strstr(err_msg(), "vm-list"));
	assert_prefilled(&f, &l);
	tp_result_free(&r);
	hv_facts_clear(&f);
	hv_vm_list_free(&l);
	free(b);
	free(host);
	free(vms);
}

/* A refresh as the simulator answered it. */
static void
test_refresh_sim(void **state)
{
	struct tp_result	 r;
	struct hv_facts		 f;
	struct hv_vm_list	 l;
	const struct hv_vm	*v;

	mkres(&r, sim_refresh, sizeof sim_refresh - 1, "", 0);
	prefill(&f, &l);
	assert_int_equal(drv_xe.refresh_read(&RF, &r, &f, &l), 0);
	assert_int_equal(f.cpus, 4);
	assert_int_equal(f.memory, 17179869184LL);
	assert_int_equal(f.mem_free, 15565062144LL);
	assert_string_equal(f.version, "XCP-ng 8.2.1");
	assert_string_equal(f.hostname, "xen1");
	assert_int_equal(l.n, 2);
	assert_non_null(v = vm_named(&l, "web1"));
	assert_string_equal(v->uuid, UUID1);
	assert_int_equal(v->state, HV_RUNNING);
	assert_int_equal(v->cpus, 2);
	assert_int_equal(v->memory, 536870912);
	assert_int_equal(v->mem_used, 536870912);
	assert_string_equal(v->hvsh_id, "4242");
	assert_non_null(v = vm_named(&l, "db1"));
	assert_string_equal(v->uuid, "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9");
	assert_int_equal(v->state, HV_STOPPED);
	assert_int_equal(v->cpus, 1);
	assert_int_equal(v->memory, 268435456);
	assert_int_equal(v->mem_used, 0);
	assert_string_equal(v->hvsh_id, "4243");
	tp_result_free(&r);
	hv_facts_clear(&f);
	hv_vm_list_free(&l);
}

/*
 * Every cut of the simulator's refresh fails and changes nothing (all but
 * the last newline, after which nothing is missing). Buffers are exact, so
 * ASan catches a read past the end.
 */
static void
test_refresh_truncated(void **state)
{
	struct tp_result	 r;
	struct hv_facts		 f;
	struct hv_vm_list	 l;
	size_t			 len = sizeof sim_refresh - 1, n;

	for (n = 0; n + 1 < len; n++) {
		mkres(&r, sim_refresh, n, "", 0);
		prefill(&f, &l);
		err_clear();
		if (drv_xe.refresh_read(&RF, &r, &f, &l) >= 0)
			fail_msg("a refresh cut at %zu of %zu bytes was read",
			    n, len);
		assert_prefilled(&f, &l);
		assert_string_not_equal(err_msg(), "unknown error");
		tp_result_free(&r);
		hv_facts_clear(&f);
		hv_vm_list_free(&l);
	}
	/* Cut by the transport's cap: refused even if it looks whole. */
	mkres(&r, sim_refresh, len, "", 0);
	r.truncated = 1;
	prefill(&f, &l);
	assert_int_equal(drv_xe.refresh_read(&RF, &r, &f, &l), ERR_INVAL);
	assert_non_null(strstr(err_msg(), "cut"));
	assert_prefilled(&f, &l);
	tp_result_free(&r);
	hv_facts_clear(&f);
	hv_vm_list_free(&l);
}

/* A failed command in the batch fails the refresh with xe's reason. */
static void
test_refresh_section_failed(void **state)
{
	struct tp_result	 r;
	struct hv_facts		 f;
	struct hv_vm_list	 l;
	char			*host, *b, *err;
	size_t			 hl, bl;

	host = sample("xe-host-list-default-DERIVED.txt", &hl);
	err = block("xe-errors-DERIVED.txt", "xe no-such-command");
	b = rbatch(&bl, host, 0, "", 1, "\n");
	mkres(&r, b, bl, err, 0);
	prefill(&f, &l);
	assert_int_equal(drv_xe.refresh_read(&RF, &r, &f, &l), ERR_INVAL);
	assert_non_null(strstr(err_msg(), "vm-list"));
	assert_non_null(strstr(err_msg(), "Unknown command: no-such-command"));
	assert_prefilled(&f, &l);
	tp_result_free(&r);
	free(b);
	free(err);

	/* No xe at all: the shell's 127 in both sections. */
	b = rbatch(&bl, "", 127, "", 127, "\n");
	mkres(&r, b, bl, "sh: 1: xe: not found\nsh: 2: xe: not found\n", 0);
	assert_int_equal(drv_xe.refresh_read(&RF, &r, &f, &l), ERR_IO);
	assert_non_null(strstr(err_msg(), "xe not found on host"));
	assert_non_null(strstr(err_msg(), "host-list"));
	assert_prefilled(&f, &l);
	tp_result_free(&r);
	free(b);

	/* A failure with nothing on stderr still says which command. */
	b = rbatch(&bl, host, 0, "", 1, "\n");
	mkres(&r, b, bl, "", 0);
	assert_true(drv_xe.refresh_read(&RF, &r, &f, &l) < 0);
	assert_non_null(strstr(err_msg(), "vm-list"));
	assert_non_null(strstr(err_msg(), "status 1"));
	assert_prefilled(&f, &l);
	tp_result_free(&r);
	free(b);

	/* Both commands succeeded but say nothing: no host facts. */
	b = rbatch(&bl, "", 0, "", 0, "\n");
	mkres(&r, b, bl, "", 0);
	assert_int_equal(drv_xe.refresh_read(&RF, &r, &f, &l), ERR_INVAL);
	assert_prefilled(&f, &l);
	tp_result_free(&r);
	free(b);
	free(host);
	hv_facts_clear(&f);
	hv_vm_list_free(&l);
}

/* Garbled output, with or without markers, is an error, never a crash. */
static void
test_refresh_garbage(void **state)
{
	struct tp_result	 r;
	struct hv_facts		 f;
	struct hv_vm_list	 l;
	char			 g1[600], g2[900], *b;
	size_t			 i, bl;
	unsigned		 seed = 7, round;

	for (round = 0; round < 200; round++) {
		for (i = 0; i < sizeof g1 - 1; i++) {
			seed = seed * 1103515245u + 12345u;
			g1[i] = (char)((seed >> 16) % 255 + 1);
			if ((seed >> 8) % 23 == 0)
				g1[i] = '\n';
		}
		g1[sizeof g1 - 1] = '\0';
		for (i = 0; i < sizeof g2 - 1; i++) {
			seed = seed * 1103515245u + 12345u;
			g2[i] = (char)((seed >> 16) % 255 + 1);
		}
		g2[sizeof g2 - 1] = '\0';
		/* As fault-garbage does it: the markers are sh's, intact. */
		b = rbatch(&bl, g1, 0, g2, 0, "\n");
		mkres(&r, b, bl, "", 0);
		prefill(&f, &l);
		assert_true(drv_xe.refresh_read(&RF, &r, &f, &l) < 0);
		assert_prefilled(&f, &l);
		tp_result_free(&r);
		free(b);
		/* Garbage only: no markers. */
		mkres(&r, g2, sizeof g2 - 1, "", 0);
		assert_true(drv_xe.refresh_read(&RF, &r, &f, &l) < 0);
		assert_prefilled(&f, &l);
		tp_result_free(&r);
		hv_facts_clear(&f);
		hv_vm_list_free(&l);
	}
	/* A NUL inside a section. */
	b = rbatch(&bl, "uuid ( RO)  : x\n\n\n", 0, "", 0, "\n");
	mkres(&r, b, bl, "", 0);
	r.out[3] = '\0';
	prefill(&f, &l);
	assert_true(drv_xe.refresh_read(&RF, &r, &f, &l) < 0);
	assert_prefilled(&f, &l);
	tp_result_free(&r);
	free(b);
	/* A marker with a wrong status word. */
	mkres(&r, "@@hvsh-" NONCE ":x@@\n" MARK(0) MARK(0),
	    sizeof("@@hvsh-" NONCE ":x@@\n" MARK(0) MARK(0)) - 1, "", 0);
	assert_true(drv_xe.refresh_read(&RF, &r, &f, &l) < 0);
	assert_prefilled(&f, &l);
	tp_result_free(&r);
	hv_facts_clear(&f);
	hv_vm_list_free(&l);
}


/* A vm-list record as the refresh's params= print it. */
#define VMREC(uuid, name, st, id) \
	"uuid ( RO)                 : " uuid "\n" \
	"           name-label ( RW): " name "\n" \
	"    is-control-domain ( RO): false\n" \
	"          power-state ( RO): " st "\n" \
	"        memory-actual ( RO): 0\n" \
	"    memory-static-max ( RW): 268435456\n" \
	"            VCPUs-max ( RW): 1\n" \
	"         other-config (MRW): hvsh-id: " id "\n" \
	"         VCPUs-number ( RO): 0\n\n\n"
#define UUID3		"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
#define GHOST		"99999999-9999-4999-8999-999999999999"

/* Reads vms (and the --minimal list) as a refresh; must succeed. */
static void
refresh_vms(const char *vms, const char *minimal, struct hv_vm_list *l)
{
	struct tp_result	 r;
	struct hv_facts		 f;
	char			*host, *b;
	size_t			 hl, bl;

	host = sample("xe-host-list-default-DERIVED.txt", &hl);
	b = rbatch(&bl, host, 0, vms, 0, minimal);
	mkres(&r, b, bl, "", 0);
	hv_facts_init(&f);
	memset(l, 0, sizeof *l);
	if (drv_xe.refresh_read(&RF, &r, &f, l) != 0)
		fail_msg("refresh_read: %s", err_msg());
	hv_facts_clear(&f);
	tp_result_free(&r);
	free(b);
	free(host);
}

static const struct hv_vm *
vm_uuid_of(const struct hv_vm_list *l, const char *uuid)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].uuid, uuid) == 0)
			return &l->v[i];
	return NULL;
}

/*
 * A name-label holding blank lines and a record of its own: for db1 (shown
 * running, with another id) and for a VM that does not exist. db1 and the
 * forger are flagged, the ghost is dropped, web1 is read as it is.
 */
static void
test_refresh_forged(void **state)
{
	static const char vms[] =
	    VMREC(UUID1, "web1", "running", "4242")
	    VMREC(UUID3, "evil\n\n\n"
		"uuid ( RO)                 : " UUID2 "\n"
		"           name-label ( RW): db1\n"
		"          power-state ( RO): running\n"
		"         other-config (MRW): hvsh-id: 666\n\n\n"
		"uuid ( RO)                 : " GHOST "\n"
		"          power-state ( RO): running", "halted", "88")
	    VMREC(UUID2, "db1", "halted", "4243");
	struct hv_vm_list	 l;
	const struct hv_vm	*v;
	size_t			 i;

	refresh_vms(vms, UUID1 "," UUID3 "," UUID2 "\n", &l);
	assert_int_equal(l.n, 3);
	assert_null(vm_uuid_of(&l, GHOST));
	assert_non_null(v = vm_uuid_of(&l, UUID1));
	assert_false(v->unsure);
	assert_string_equal(v->name, "web1");
	assert_int_equal(v->state, HV_RUNNING);
	assert_string_equal(v->hvsh_id, "4242");
	for (i = 0; i < 2; i++) {
		assert_non_null(v = vm_uuid_of(&l, i == 0 ? UUID2 : UUID3));
		assert_true(v->unsure);
		assert_null(v->name);
		assert_null(v->hvsh_id);
		assert_int_equal(v->state, HV_UNKNOWN);
	}
	hv_vm_list_free(&l);

	/* A field forged inside a value: power-state twice. */
	refresh_vms(VMREC(UUID1, "web1\n          power-state ( RO): running",
	    "halted", "1"), UUID1 "\n", &l);
	assert_int_equal(l.n, 1);
	assert_true(l.v[0].unsure);
	assert_int_equal(l.v[0].state, HV_UNKNOWN);
	hv_vm_list_free(&l);

	/* A second hvsh-id hidden in another key's value. */
	refresh_vms(VMREC(UUID1, "web1", "halted", "1; x: y; hvsh-id: 2"),
	    UUID1 "\n", &l);
	assert_true(l.v[0].unsure);
	hv_vm_list_free(&l);

	/* A VM in the --minimal list without a record: unsure. */
	refresh_vms(VMREC(UUID1, "web1", "halted", "1"), UUID1 "," UUID2 "\n",
	    &l);
	assert_int_equal(l.n, 2);
	assert_false(l.v[0].unsure);
	assert_string_equal(l.v[1].uuid, UUID2);
	assert_true(l.v[1].unsure);
	hv_vm_list_free(&l);
}

/* Marker lines without this refresh's nonce, inside a part, are data. */
static void
test_refresh_foreign_marker(void **state)
{
	struct hv_vm_list	 l;
	const struct hv_vm	*v;

	refresh_vms(VMREC(UUID1, "a\n@@hvsh:0@@\n@@hvsh-fedcba9876543210:0@@",
	    "halted", "1") VMREC(UUID2, "@@hvsh:0@@", "running", "2"),
	    UUID1 "," UUID2 "\n", &l);
	assert_int_equal(l.n, 2);
	/* A value over several lines is not trusted, but read as data. */
	assert_true(l.v[0].unsure);
	assert_non_null(v = vm_uuid_of(&l, UUID2));
	assert_false(v->unsure);
	assert_string_equal(v->name, "@@hvsh:0@@");
	assert_int_equal(v->state, HV_RUNNING);
	hv_vm_list_free(&l);
}

/* The detail: which VMs exist, then each field alone. */
static void
test_detail(void **state)
{
	struct hv_vm_list	 l = { NULL, 0 };
	struct hv_vm		*need[2];
	struct drv_plan		 plan = { 0 };
	struct tp_result	 r;
	struct buf		 b = { NULL, 0, 0 };
	char			*text;

	(void)hvout_vm_add(&l);
	(void)hvout_vm_add(&l);
	need[0] = &l.v[0];
	need[1] = &l.v[1];
	need[0]->uuid = xstrdup(UUID1);
	need[0]->unsure = 1;
	need[1]->uuid = xstrdup(UUID2);
	need[1]->unsure = 1;
	assert_non_null(drv_xe.detail);
	assert_int_equal(drv_xe.detail(&RF, need, 2, &plan), 0);
	assert_int_equal(plan.n, 1);
	text = drv_plan_text(&plan, 0);
	assert_non_null(strstr(text, "'\\''vm-param-get'\\'' '\\''uuid="
	    UUID2 "'\\'' '\\''param-name=other-config'\\'' "
	    "'\\''param-key=hvsh-id'\\'' </dev/null; echo \"@@hvsh-" NONCE
	    ":$?@@\""));
	free(text);
	drv_plan_clear(&plan);

	/* UUID1 is there: a name of two lines and a marker without nonce. */
	buf_addstr(&b, UUID1 "\n" MARK(0));
	buf_addstr(&b, "web1\n@@hvsh:0@@\nuuid ( RO) : " UUID2 "\n" MARK(0));
	buf_addstr(&b, "running\n" MARK(0) "536870912\n" MARK(0)
	    "536870912\n" MARK(0) "2\n" MARK(0) "2\n" MARK(0));
	buf_addstr(&b, MARK(1));
	/* UUID2 is gone: its gets fail. */
	buf_addstr(&b, MARK(1) MARK(1) MARK(1) MARK(1) MARK(1) MARK(1)
	    MARK(1));
	mkres(&r, b.data, b.len, "Error: Key hvsh-id not found in map\n", 0);
	assert_int_equal(drv_xe.detail_read(&RF, &r, need, 2), 0);
	assert_false(need[0]->unsure);
	assert_string_equal(need[0]->name, "web1\n@@hvsh:0@@\nuuid ( RO) : "
	    UUID2);
	assert_string_equal(need[0]->uuid, UUID1);
	assert_int_equal(need[0]->state, HV_RUNNING);
	assert_int_equal(need[0]->memory, 536870912);
	assert_int_equal(need[0]->cpus, 2);
	assert_null(need[0]->hvsh_id);
	assert_false(need[1]->unsure);
	assert_string_equal(need[1]->uuid, UUID2);
	assert_int_equal(need[1]->state, HV_UNKNOWN);
	tp_result_free(&r);

	/* A failed hvsh-id get that xe does not explain fails the detail. */
	need[0]->unsure = 1;
	mkres(&r, b.data, b.len, "", 0);
	assert_true(drv_xe.detail_read(&RF, &r, need, 2) < 0);
	assert_string_equal(need[0]->name, "web1\n@@hvsh:0@@\nuuid ( RO) : "
	    UUID2);
	assert_true(need[0]->unsure);
	tp_result_free(&r);
	/* Cut short: fails, changes nothing. */
	mkres(&r, b.data, b.len / 2, "", 0);
	assert_true(drv_xe.detail_read(&RF, &r, need, 2) < 0);
	assert_true(need[0]->unsure);
	tp_result_free(&r);
	buf_free(&b);
	hv_vm_list_free(&l);
}

/* The state: one vm-list --minimal per target. */
static void
test_state(void **state)
{
	struct drv_target	 t[3] = {
		{ .name = "web1", .uuid = UUID1 },
		{ .name = "db1" },
		{ .name = "x", .uuid = GHOST },
	};
	enum hv_state		 st[3];
	struct drv_plan		 plan = { 0 };
	struct tp_result	 r;
	char			*text;
	static const char	 out[] = "running\n" MARK(0) "halted\n" MARK(0)
	    "\n" MARK(0);

	assert_non_null(drv_xe.state);
	assert_int_equal(drv_xe.state(&RF, t, 3, &plan), 0);
	text = drv_plan_text(&plan, 0);
	assert_non_null(strstr(text, "'\\''name-label=db1'\\'' "
	    "'\\''params=power-state'\\'' '\\''--minimal'\\''"));
	free(text);
	drv_plan_clear(&plan);
	mkres(&r, out, sizeof out - 1, "", 0);
	assert_int_equal(drv_xe.state_read(&RF, t, 3, &r, st), 0);
	assert_int_equal(st[0], HV_RUNNING);
	assert_int_equal(st[1], HV_STOPPED);
	assert_int_equal(st[2], HV_UNKNOWN);
	tp_result_free(&r);
	/* Two VMs of that name: unknown. A foreign marker is data. */
	mkres(&r, "running,halted\n" MARK(0) "@@hvsh:0@@\n" MARK(0) "\n"
	    MARK(0), sizeof("running,halted\n" MARK(0) "@@hvsh:0@@\n" MARK(0)
	    "\n" MARK(0)) - 1, "", 0);
	assert_int_equal(drv_xe.state_read(&RF, t, 3, &r, st), 0);
	assert_int_equal(st[0], HV_UNKNOWN);
	assert_int_equal(st[1], HV_UNKNOWN);
	tp_result_free(&r);
	/* A newline in a name is refused at plan time. */
	t[1].name = "a\nb";
	assert_true(drv_xe.state(&RF, t, 3, &plan) < 0);
	assert_int_equal(plan.n, 0);
}

static void
probe_fails(const char *out, const char *why)
{
	struct tp_result	r;
	struct hv_facts		f;

	mkres(&r, out, strlen(out), "", 0);
	hv_facts_init(&f);
	assert_true(drv_xe.probe_read(&r, &f) < 0);
	if (why != NULL && strstr(err_msg(), why) == NULL)
		fail_msg("'%s' does not say '%s'", err_msg(), why);
	assert_null(f.version);
	tp_result_free(&r);
}

static void
test_probe_read(void **state)
{
	struct tp_result	 r;
	struct hv_facts		 f;
	char			*host;
	size_t			 hl;

	/* The host-list part of the simulator's refresh. */
	hl = (size_t)(strstr(sim_refresh, "@@hvsh") - sim_refresh);
	mkres(&r, sim_refresh, hl, "", 0);
	hv_facts_init(&f);
	assert_int_equal(drv_xe.probe_read(&r, &f), 0);
	assert_string_equal(f.version, "XCP-ng 8.2.1");
	assert_string_equal(f.hostname, "xen1");
	hv_facts_clear(&f);
	/* Every cut is refused. */
	for (; hl > 0; hl--) {
		r.outlen = hl - 1;
		hv_facts_init(&f);
		assert_true(drv_xe.probe_read(&r, &f) < 0);
		assert_null(f.version);
	}
	r.outlen = 0;
	tp_result_free(&r);
	/* The default host-list has no version: not proof enough. */
	host = sample("xe-host-list-default-DERIVED.txt", &hl);
	probe_fails(host, "software version");
	free(host);
	probe_fails("", NULL);
	probe_fails("sh: 1: xe: not found\n", NULL);
	probe_fails("name-label ( RW): xen1\n\n\n", "software version");
	/* Old xapi without a brand: xapi's own version will do. */
	host = xstrdup("uuid ( RO)                : b1c2d3e4-f5a6-4b7c-8d9e-"
	    "0f1a2b3c4d5e\n    software-version (MRO): xapi: 1.20\n\n\n");
	mkres(&r, host, strlen(host), "", 0);
	hv_facts_init(&f);
	assert_int_equal(drv_xe.probe_read(&r, &f), 0);
	assert_string_equal(f.version, "xapi 1.20");
	hv_facts_clear(&f);
	tp_result_free(&r);
	free(host);
}

#define VDI_REC \
	"uuid ( RO)            : 33333333-3333-3333-3333-333333333333\n" \
	"    virtual-size ( RO): 1073741824\n\n\n"

static void
test_create_read(void **state)
{
	struct tp_result	 r;
	struct hv_vm		 vm;
	const char		*one, *two;
	char			*rec, *out;
	size_t			 len, cut;

	one = sim_refresh + (strstr(sim_refresh, "uuid ( RO)                 : "
	    UUID1) - sim_refresh);
	two = strstr(one + 1, "uuid ( RO)");
	rec = hvout_dup(one, (size_t)(two - one));
	/* The VM and its root disk. */
	out = batch(&len, rec, 0, VDI_REC, 0);
	mkres(&r, out, len, "", 0);
	hv_vm_init(&vm);
	vm.name = xstrdup("replaced");
	assert_int_equal(drv_xe.create_read(&r, &vm), 0);
	assert_string_equal(vm.uuid, UUID1);
	assert_string_equal(vm.name, "web1");
	assert_string_equal(vm.hvsh_id, "4242");
	assert_int_equal(vm.cpus, 2);
	assert_string_equal(vm.disk, "33333333-3333-3333-3333-333333333333");
	hv_vm_clear(&vm);
	/* Every cut is refused and leaves vm as it was. */
	for (cut = 0; cut + 1 < len; cut++) {
		r.outlen = cut;
		assert_true(drv_xe.create_read(&r, &vm) < 0);
		assert_null(vm.uuid);
	}
	tp_result_free(&r);
	free(out);
	/* Without a disk: no VDI part, no disk. */
	out = batch(&len, rec, 0, "", 0);
	mkres(&r, out, len, "", 0);
	assert_int_equal(drv_xe.create_read(&r, &vm), 0);
	assert_null(vm.disk);
	hv_vm_clear(&vm);
	tp_result_free(&r);
	free(out);
	/* A VDI part that is no VDI, or a failed part, is refused. */
	out = batch(&len, rec, 0, "uuid ( RO)    : nope\n\n\n", 0);
	mkres(&r, out, len, "", 0);
	assert_int_equal(drv_xe.create_read(&r, &vm), ERR_INVAL);
	assert_null(vm.uuid);
	tp_result_free(&r);
	free(out);
	out = batch(&len, rec, 0, "", 1);
	mkres(&r, out, len, "", 0);
	assert_int_equal(drv_xe.create_read(&r, &vm), ERR_INVAL);
	tp_result_free(&r);
	free(out);
	/* Two VMs, or none, is not the one VM made. */
	out = batch(&len, one, 0, "", 0);
	mkres(&r, out, len, "", 0);
	assert_int_equal(drv_xe.create_read(&r, &vm), ERR_INVAL);
	tp_result_free(&r);
	free(out);
	out = batch(&len, "", 0, "", 0);
	mkres(&r, out, len, "", 0);
	assert_int_equal(drv_xe.create_read(&r, &vm), ERR_INVAL);
	tp_result_free(&r);
	free(out);
	/* A bare uuid (vm-install's own output) is not a listing. */
	mkres(&r, UUID1 "\n", strlen(UUID1) + 1, "", 0);
	assert_true(drv_xe.create_read(&r, &vm) < 0);
	assert_null(vm.uuid);
	tp_result_free(&r);
	free(rec);
}

static void
error_is(const char *err, int status, int code, const char *api,
    const char *reason)
{
	struct tp_result	r;
	struct hv_error		e;

	mkres(&r, "", 0, err, status);
	memset(&e, 0, sizeof e);
	assert_int_equal(drv_xe.error_read(&r, &e), 0);
	assert_int_equal(e.code, code);
	if (api == NULL)
		assert_null(e.api_code);
	else
		assert_string_equal(e.api_code, api);
	assert_non_null(e.reason);
	if (strstr(e.reason, reason) == NULL)
		fail_msg("reason '%s' does not say '%s'", e.reason, reason);
	hv_error_clear(&e);
	tp_result_free(&r);
}

static void
test_error_read(void **state)
{
	struct tp_result	 r;
	struct hv_error		 e;
	char			*s;
	size_t			 len;

	s = block("xe-errors-DERIVED.txt", "xe vm-start uuid=<running vm>");
	error_is(s, 1, ERR_BUSY, "VM_BAD_POWER_STATE",
	    "VM is running; the operation needs it halted");
	free(s);
	/* What destroy's first step says on a halted VM: tolerable. */
	s = block("xe-errors-DERIVED.txt", "xe vm-shutdown uuid=<halted vm>");
	mkres(&r, "", 0, s, 1);
	memset(&e, 0, sizeof e);
	assert_int_equal(drv_xe.error_read(&r, &e), 0);
	assert_int_equal(e.code, ERR_BUSY);
	assert_string_equal(e.api_code, "VM_BAD_POWER_STATE");
	assert_true(e.nparams >= 1);
	assert_string_equal(e.params[e.nparams - 1], "halted");
	hv_error_clear(&e);
	tp_result_free(&r);
	free(s);
	s = block("xe-errors-DERIVED.txt", "xe vm-param-get uuid=nonexistent");
	error_is(s, 1, ERR_NOENT, "UUID_INVALID",
	    "no VM with uuid nonexistent");
	free(s);
	s = block("xe-errors-DERIVED.txt", "xe vm-start uuid=nonexistent");
	error_is(s, 1, ERR_NOENT, NULL, "No matching VMs found");
	free(s);
	s = block("xe-errors-DERIVED.txt", "xe no-such-command");
	error_is(s, 1, ERR_INVAL, NULL, "Unknown command: no-such-command");
	free(s);
	s = block("xe-errors-DERIVED.txt", "xe vm-install template=x");
	error_is(s, 1, ERR_INVAL, NULL, "new-name-label");
	free(s);
	s = block("xe-errors-DERIVED.txt", "xe -s host -u root -pw wrong");
	error_is(s, 1, ERR_PERM, "SESSION_AUTHENTICATION_FAILED",
	    "Authentication failed");
	free(s);
	/* The older wording, hard-wrapped by the blog that captured it. */
	s = sample("xe-blog-add-disk-transcript.txt", &len);
	*strstr(s, "[root@zenserv ~]# xe vbd-list") = '\0';
	error_is(strstr(s, "You attempted"), 1, ERR_BUSY, "VM_BAD_POWER_STATE",
	    "VM is halted; the operation needs it running");
	free(s);
	error_is("sh: 1: xe: not found\n", 127, ERR_IO, NULL,
	    "xe not found on host");
	error_is("sh: 1: xe: Permission denied\n", 126, ERR_IO, NULL,
	    "xe cannot be run");
	error_is("", 1, ERR_FAIL, NULL, "status 1");
	error_is("\n  \n", 3, ERR_FAIL, NULL, "status 3");
	error_is("", -1, ERR_FAIL, NULL, "killed");
	error_is("The server failed to handle your request, due to an internal "
	    "error. The given message may give details useful for debugging "
	    "the problem.\nmessage: xenopsd timeout\n", 1, ERR_FAIL,
	    "INTERNAL_ERROR", "xenopsd timeout");
	/* Unreadable stderr: an error from error_read itself. */
	mkres(&r, "", 0, "x", 1);
	r.err[0] = '\0';
	r.errlen = 1;
	memset(&e, 0, sizeof e);
	assert_true(drv_xe.error_read(&r, &e) < 0);
	assert_null(e.reason);
	tp_result_free(&r);
}

/* The simulator, when python3 and tests/lab/sim are here. */
static char *
sim_dir(void)
{
	const char	*src = getenv("HVSH_SRC");
	char		*d;

	if (system("python3 -c '' >/dev/null 2>&1") != 0)
		return NULL;
	d = xasprintf("%s/tests/lab/sim", src != NULL && *src != '\0' ? src :
	    ".");
	if (access(d, F_OK) == 0) {
		char	*xe = xasprintf("%s/xe", d);
		int	 ok = access(xe, X_OK) == 0;

		free(xe);
		if (ok)
			return d;
	}
	free(d);
	return NULL;
}

/* Runs every step of plan; the last result in r, 0 or the failing step+1. */
static size_t
run_plan(const struct drv_plan *plan, struct tp_result *r)
{
	size_t	i;

	memset(r, 0, sizeof *r);
	for (i = 0; i < plan->n; i++) {
		tp_result_free(r);
		run_local(plan->argv[i], r);
		if (r->status != 0)
			return i + 1;
	}
	return 0;
}

static void
sim_refresh_now(struct hv_facts *f, struct hv_vm_list *l)
{
	struct drv_plan		plan = { 0 };
	struct tp_result	r;

	assert_int_equal(drv_xe.refresh(&RF, &plan), 0);
	assert_int_equal(run_plan(&plan, &r), 0);
	if (drv_xe.refresh_read(&RF, &r, f, l) != 0)
		fail_msg("refresh: %s", err_msg());
	tp_result_free(&r);
	drv_plan_clear(&plan);
}

/*
 * The plans as they are, through sh, against the simulator: a VM with a
 * hostile name and id is made, listed, started, refused a second start,
 * destroyed with its disk; a create that fails on its disk leaves nothing.
 */
static void
test_sim(void **state)
{
	struct drv_plan		 plan = { 0 };
	struct drv_spec		 s = { .name = NULL, .hvsh_id = NULL, .cpus = 2, .memory = 256LL << 20, .disk = 64LL << 20, .image_path = NULL };
	struct drv_target	 t = { 0 };
	struct tp_result	 r;
	struct hv_facts		 f;
	struct hv_vm_list	 l = { NULL, 0 };
	struct hv_vm		 vm;
	struct hv_error		 e;
	struct hv_strlist	 sl;
	const struct hv_vm	*v;
	char			*dir, *st, *uuid, *root;
	char			*vdis[] = { "xe", "vdi-list", NULL, "--minimal",
				     NULL };
	const char		*name = "it's $(touch " PWNED ") `x` \"q\" ;|&",
				*id = "id'$(touch " PWNED ")";

	if ((dir = sim_dir()) == NULL)
		skip();
	st = xasprintf("%s/sim", tmpdir);
	mkdir(st, 0700);
	setenv("HVSH_SIM_STATE", st, 1);
	setenv("HVSH_SIM_SPEED", "0", 1);
	setenv("HVSH_SIM_HOSTNAME", "xen9", 1);
	unsetenv("HVSH_SIM_XE_LEGACY");
	unsetenv("HVSH_SIM_MEMORY");
	unsetenv("HVSH_SIM_CPUS");
	path_first(dir);

	/* probe */
	assert_int_equal(drv_xe.probe(&plan), 0);
	assert_int_equal(run_plan(&plan, &r), 0);
	hv_facts_init(&f);
	assert_int_equal(drv_xe.probe_read(&r, &f), 0);
	assert_string_equal(f.version, "XCP-ng 8.2.1");
	assert_string_equal(f.hostname, "xen9");
	tp_result_free(&r);
	drv_plan_clear(&plan);

	/* create */
	s.name = name;
	s.hvsh_id = id;
	assert_int_equal(drv_xe.create(&s, &plan), 0);
	assert_int_equal(run_plan(&plan, &r), 0);
	hv_vm_init(&vm);
	if (drv_xe.create_read(&r, &vm) != 0)
		fail_msg("create_read: %s", err_msg());
	assert_string_equal(vm.name, name);
	assert_string_equal(vm.hvsh_id, id);
	assert_int_equal(vm.state, HV_STOPPED);
	assert_int_equal(vm.cpus, 2);
	assert_int_equal(vm.memory, 256LL << 20);
	uuid = xstrdup(vm.uuid);
	hv_vm_clear(&vm);
	tp_result_free(&r);
	drv_plan_clear(&plan);

	/* refresh */
	sim_refresh_now(&f, &l);
	assert_int_equal(f.cpus, 4);
	assert_true(f.memory > 0 && f.mem_free > 0 && f.mem_free <= f.memory);
	assert_int_equal(l.n, 1);
	assert_non_null(v = vm_uuid_of(&l, uuid));
	assert_string_equal(v->name, name);
	assert_string_equal(v->hvsh_id, id);

	/* start by name, then again: refused as busy */
	t.name = name;
	assert_int_equal(plan_op(&drv_xe, DRV_START, &t, &plan), 0);
	assert_int_equal(run_plan(&plan, &r), 0);
	tp_result_free(&r);
	sim_refresh_now(&f, &l);
	assert_non_null(v = vm_uuid_of(&l, uuid));
	assert_int_equal(v->state, HV_RUNNING);
	assert_int_equal(v->mem_used, 256LL << 20);
	assert_int_equal(run_plan(&plan, &r), 1);
	memset(&e, 0, sizeof e);
	assert_int_equal(drv_xe.error_read(&r, &e), 0);
	assert_int_equal(e.code, ERR_BUSY);
	assert_string_equal(e.api_code, "VM_BAD_POWER_STATE");
	hv_error_clear(&e);
	tp_result_free(&r);
	drv_plan_clear(&plan);

	/* destroy by uuid: the VM and its disk go */
	root = xasprintf("name-label=%s root", name);
	vdis[2] = root;
	run_local(vdis, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(hvout_xe_minimal(r.out, r.outlen, &sl), 0);
	assert_int_equal(sl.n, 1);
	hv_strlist_free(&sl);
	tp_result_free(&r);
	t.name = "not used";
	t.uuid = uuid;
	assert_int_equal(plan_op(&drv_xe, DRV_DESTROY, &t, &plan), 0);
	assert_int_equal(run_plan(&plan, &r), 0);
	tp_result_free(&r);
	drv_plan_clear(&plan);
	sim_refresh_now(&f, &l);
	assert_int_equal(l.n, 0);
	run_local(vdis, &r);
	assert_int_equal(hvout_xe_minimal(r.out, r.outlen, &sl), 0);
	assert_int_equal(sl.n, 0);
	hv_strlist_free(&sl);
	tp_result_free(&r);

	/* an op on a VM that is gone */
	assert_int_equal(plan_op(&drv_xe, DRV_STOP, &t, &plan), 0);
	assert_int_equal(run_plan(&plan, &r), 1);
	memset(&e, 0, sizeof e);
	assert_int_equal(drv_xe.error_read(&r, &e), 0);
	assert_int_equal(e.code, ERR_NOENT);
	hv_error_clear(&e);
	tp_result_free(&r);
	drv_plan_clear(&plan);

	/* a disk larger than the SR: SR_FULL, and no VM is left behind */
	s.name = "big";
	s.disk = 1LL << 50;
	assert_int_equal(drv_xe.create(&s, &plan), 0);
	assert_int_equal(run_plan(&plan, &r), 1);
	memset(&e, 0, sizeof e);
	assert_int_equal(drv_xe.error_read(&r, &e), 0);
	assert_string_equal(e.api_code, "SR_FULL");
	hv_error_clear(&e);
	tp_result_free(&r);
	drv_plan_clear(&plan);
	sim_refresh_now(&f, &l);
	assert_int_equal(l.n, 0);

	/* no xe on the PATH */
	setenv("PATH", "/usr/bin:/bin", 1);
	assert_int_equal(drv_xe.probe(&plan), 0);
	assert_int_equal(run_plan(&plan, &r), 1);
	assert_int_equal(r.status, 127);
	memset(&e, 0, sizeof e);
	assert_int_equal(drv_xe.error_read(&r, &e), 0);
	assert_int_equal(e.code, ERR_IO);
	assert_string_equal(e.reason, "xe not found on host");
	hv_error_clear(&e);
	tp_result_free(&r);
	drv_plan_clear(&plan);

	setenv("PATH", orig_path, 1);
	assert_int_not_equal(access(PWNED, F_OK), 0);
	free(root);
	free(uuid);
	free(st);
	free(dir);
	hv_facts_clear(&f);
	hv_vm_list_free(&l);
}

/* --- storage, snapshot and image calls ------------------------------------ */

#define VDI1		"33333333-3333-3333-3333-333333333333"
#define SNAP1		"55555555-5555-5555-5555-555555555555"

/* Plans call c for q; asserts one step, returns it for argv_is. */
static void
call_plan(enum drv_call c, const struct drv_req *q, struct drv_plan *plan)
{
	assert_non_null(drv_xe.call[c]);
	if (drv_xe.call[c](q, plan) != 0)
		fail_msg("%s: %s", drv_call_name(c), err_msg());
	assert_int_equal(plan->n, 1);
}

/* The plan of every call, word for word; scripts by their argv[2]. */
static void
test_call_plans(void **state)
{
	struct drv_plan	 p = { 0 };
	struct drv_req	 q;
	size_t		 c;

	for (c = 0; c < DRV_CALL__COUNT; c++)
		assert_non_null(drv_xe.call[c]);
	memset(&q, 0, sizeof q);
	call_plan(DRV_POOL_INFO, &q, &p);
	assert_string_equal(p.argv[0][0], "sh");
	assert_non_null(strstr(p.argv[0][2], "params=uuid,name-label,"
	    "physical-size,physical-utilisation"));
	argv_is(&p, 0, "sh", "-c", p.argv[0][2], "sh", "", NULL);
	drv_plan_clear(&p);
	q.pool = "Local storage";
	call_plan(DRV_POOL_INFO, &q, &p);
	argv_is(&p, 0, "sh", "-c", p.argv[0][2], "sh",
	    "name-label=Local storage", NULL);
	drv_plan_clear(&p);

	q.pool = UUID1;
	q.volume = "data1";
	q.size = 1LL << 30;
	call_plan(DRV_VOL_CREATE, &q, &p);
	assert_non_null(strstr(p.argv[0][2], "xe vdi-create sr-uuid=\"$sr\" "
	    "name-label=\"$n\" type=user virtual-size=\"$z\" "
	    "sm-config:type=\"$f\""));
	argv_is(&p, 0, "sh", "-c", p.argv[0][2], "sh", "uuid=" UUID1,
	    "data1", "1073741824", "vhd", NULL);
	drv_plan_clear(&p);
	q.format = "raw";
	call_plan(DRV_VOL_CREATE, &q, &p);
	argv_is(&p, 0, "sh", "-c", p.argv[0][2], "sh", "uuid=" UUID1,
	    "data1", "1073741824", "raw", NULL);
	drv_plan_clear(&p);

	memset(&q, 0, sizeof q);
	q.vm.name = "web 1";
	q.vol_path = VDI1;
	call_plan(DRV_VOL_ATTACH, &q, &p);
	argv_is(&p, 0, "sh", "-c", p.argv[0][2], "sh", "name-label=web 1",
	    VDI1, "autodetect", NULL);
	drv_plan_clear(&p);
	q.vm.uuid = UUID1;
	q.device = "4";
	call_plan(DRV_VOL_ATTACH, &q, &p);
	argv_is(&p, 0, "sh", "-c", p.argv[0][2], "sh", "uuid=" UUID1, VDI1,
	    "4", NULL);
	drv_plan_clear(&p);
	call_plan(DRV_VOL_DETACH, &q, &p);
	assert_non_null(strstr(p.argv[0][2], "xe vbd-unplug uuid=\"$b\""));
	argv_is(&p, 0, "sh", "-c", p.argv[0][2], "sh", "uuid=" UUID1, VDI1,
	    "4", NULL);
	drv_plan_clear(&p);
	q.device = NULL;
	call_plan(DRV_VOL_DETACH, &q, &p);
	argv_is(&p, 0, "sh", "-c", p.argv[0][2], "sh", "uuid=" UUID1, VDI1,
	    "", NULL);
	drv_plan_clear(&p);

	q.size = 2LL << 30;
	call_plan(DRV_VOL_RESIZE, &q, &p);
	argv_is(&p, 0, "sh", "-c", "exec </dev/null\n"
	    "xe vdi-resize uuid=\"$1\" disk-size=\"$2\" online=\"$3\" || "
	    "exit\nxe vdi-list uuid=\"$1\" params=uuid,virtual-size\n", "sh",
	    VDI1, "2147483648", "false", NULL);
	drv_plan_clear(&p);
	q.running = 1;
	call_plan(DRV_VOL_RESIZE, &q, &p);
	assert_string_equal(p.argv[0][6], "true");
	drv_plan_clear(&p);
	call_plan(DRV_VOL_REMOVE, &q, &p);
	argv_is(&p, 0, "xe", "vdi-destroy", "uuid=" VDI1, NULL);
	drv_plan_clear(&p);

	memset(&q, 0, sizeof q);
	q.vm.name = "web1";
	q.snapshot = "s1";
	call_plan(DRV_SNAP_CREATE, &q, &p);
	argv_is(&p, 0, "xe", "vm-snapshot", "name-label=web1",
	    "new-name-label=s1", NULL);
	drv_plan_clear(&p);
	q.memory = 1;
	q.description = "before it's upgraded";
	call_plan(DRV_SNAP_CREATE, &q, &p);
	argv_is(&p, 0, "xe", "vm-checkpoint", "name-label=web1",
	    "new-name-label=s1", "new-name-description=before it's upgraded",
	    NULL);
	drv_plan_clear(&p);
	call_plan(DRV_SNAP_REVERT, &q, &p);
	argv_is(&p, 0, "sh", "-c", p.argv[0][2], "sh", "name-label=web1", "",
	    "s1", "revert", NULL);
	drv_plan_clear(&p);
	q.snap_ref = SNAP1;
	call_plan(DRV_SNAP_REMOVE, &q, &p);
	assert_non_null(strstr(p.argv[0][2], "xe snapshot-uninstall "
	    "snapshot-uuid=\"$r\" --force"));
	argv_is(&p, 0, "sh", "-c", p.argv[0][2], "sh", "name-label=web1",
	    SNAP1, "", "remove", NULL);
	drv_plan_clear(&p);
	call_plan(DRV_SNAP_LIST, &q, &p);
	assert_non_null(strstr(p.argv[0][2], "xe snapshot-list "
	    "snapshot-of=\"$u\" params=uuid,name-label,snapshot-time,parent,"
	    "power-state"));
	argv_is(&p, 0, "sh", "-c", p.argv[0][2], "sh", "name-label=web1",
	    NULL);
	drv_plan_clear(&p);

	q.vol_path = VDI1;
	q.dest = "/srv/images/web 1.vhd";
	call_plan(DRV_CAPTURE, &q, &p);
	assert_non_null(strstr(p.argv[0][2], "xe vdi-export uuid=\"$x\" "
	    "filename=\"$f\" format=vhd"));
	argv_is(&p, 0, "sh", "-c", p.argv[0][2], "sh", "name-label=web1",
	    VDI1, SNAP1, "", "/srv/images/web 1.vhd", NULL);
	drv_plan_clear(&p);
	q.snap_ref = NULL;
	q.snapshot = NULL;
	call_plan(DRV_CAPTURE, &q, &p);
	argv_is(&p, 0, "sh", "-c", p.argv[0][2], "sh", "name-label=web1",
	    VDI1, "", "", "/srv/images/web 1.vhd", NULL);
	drv_plan_clear(&p);
	call_plan(DRV_IMAGE_SUM, &q, &p);
	argv_is(&p, 0, "sha256sum", "--", "/srv/images/web 1.vhd", NULL);
	drv_plan_clear(&p);
	q.vm.hvsh_id = "4242";
	call_plan(DRV_SET_ID, &q, &p);
	assert_non_null(strstr(p.argv[0][2], "xe vm-param-set uuid=\"$u\" "
	    "other-config:hvsh-id=\"$2\""));
	argv_is(&p, 0, "sh", "-c", p.argv[0][2], "sh", "name-label=web1",
	    "4242", NULL);
	drv_plan_clear(&p);
}

/* Refused before anything runs: bad names, paths, uuids, sizes. */
static void
test_call_refused(void **state)
{
	struct drv_plan	 p = { 0 };
	struct drv_req	 q, g;

	memset(&g, 0, sizeof g);
	g.vm.name = "web1";
	g.volume = "data1";
	g.size = 1LL << 30;
	g.vol_path = VDI1;
	g.snapshot = "s1";
	g.dest = "/srv/x.vhd";
	g.vm.hvsh_id = "4242";
#define REFUSED(which, field, value) do {				\
	q = g;								\
	q.field = value;						\
	assert_int_equal(drv_xe.call[which](&q, &p), ERR_INVAL);	\
	assert_int_equal(p.n, 0);					\
} while (0)
	REFUSED(DRV_POOL_INFO, pool, "Local\nstorage");
	REFUSED(DRV_POOL_INFO, pool, "");
	REFUSED(DRV_VOL_CREATE, volume, "-x");
	REFUSED(DRV_VOL_CREATE, volume, "a\nb");
	REFUSED(DRV_VOL_CREATE, volume, NULL);
	REFUSED(DRV_VOL_CREATE, size, 0);
	REFUSED(DRV_VOL_CREATE, size, -1);
	REFUSED(DRV_VOL_CREATE, format, "qcow2");
	REFUSED(DRV_VOL_CREATE, pool, "a\nb");
	REFUSED(DRV_VOL_ATTACH, vol_path, "/dev/sdb");
	REFUSED(DRV_VOL_ATTACH, vol_path, VDI1 "\n--force");
	REFUSED(DRV_VOL_ATTACH, device, "xvdb");
	REFUSED(DRV_VOL_ATTACH, device, "-1");
	REFUSED(DRV_VOL_ATTACH, device, "255");
	REFUSED(DRV_VOL_ATTACH, vm.name, "web\n1");
	REFUSED(DRV_VOL_ATTACH, vm.name, NULL);
	REFUSED(DRV_VOL_DETACH, vol_path, "nope");
	REFUSED(DRV_VOL_DETACH, device, "1 ");
	REFUSED(DRV_VOL_RESIZE, size, 0);
	REFUSED(DRV_VOL_RESIZE, vol_path, "");
	REFUSED(DRV_VOL_REMOVE, vol_path, "uuid=" VDI1);
	REFUSED(DRV_SNAP_CREATE, snapshot, "-s");
	REFUSED(DRV_SNAP_CREATE, snapshot, "s\n1");
	REFUSED(DRV_SNAP_CREATE, description, "two\nlines");
	REFUSED(DRV_SNAP_REVERT, snapshot, "s\n1");
	REFUSED(DRV_SNAP_REVERT, snap_ref, "not-a-uuid");
	REFUSED(DRV_SNAP_REMOVE, snapshot, NULL);
	REFUSED(DRV_SNAP_LIST, vm.name, "a\rb");
	REFUSED(DRV_CAPTURE, dest, "srv/x.vhd");
	REFUSED(DRV_CAPTURE, dest, "/srv/x\n.vhd");
	REFUSED(DRV_CAPTURE, vol_path, "/srv/disk.vhd");
	REFUSED(DRV_CAPTURE, snap_ref, "s1");
	REFUSED(DRV_IMAGE_SUM, dest, "x.vhd");
	REFUSED(DRV_IMAGE_SUM, dest, "/x\n");
	REFUSED(DRV_IMAGE_SUM, dest, NULL);
	REFUSED(DRV_SET_ID, vm.hvsh_id, "42\n42");
	REFUSED(DRV_SET_ID, vm.hvsh_id, NULL);
#undef REFUSED
}

/* Runs call c's reader on out; returns its code, reply in rp. */
static int
reads(enum drv_call c, const struct drv_req *q, const char *out,
    size_t len, struct drv_reply *rp)
{
	struct tp_result	r;
	int			rc;

	mkres(&r, out, len, "", 0);
	drv_reply_init(rp);
	rc = drv_xe.call_read[c](q, &r, rp);
	tp_result_free(&r);
	return rc;
}

/* Every cut of a good answer is refused (but one that only loses the
   last newline of a whole listing is not a record cut). */
static void
cuts_refused(enum drv_call c, const struct drv_req *q, const char *out)
{
	struct drv_reply	rp;
	size_t			n;

	for (n = 0; n + 1 < strlen(out); n++) {
		if (reads(c, q, out, n, &rp) == 0)
			fail_msg("%s: a cut at %zu of %zu was read",
			    drv_call_name(c), n, strlen(out));
		drv_reply_clear(&rp);
	}
}

#define SR_REC \
	"uuid ( RO)                    : 9dd5d636-c90a-930d-c04f-897f9624731a\n" \
	"              name-label ( RW): Local storage\n" \
	"    physical-utilisation ( RO): 1073741824\n" \
	"           physical-size ( RO): 64768442368\n\n\n"
#define VBD_REC \
	"uuid ( RO)          : 44444444-4444-4444-4444-444444444444\n" \
	"    userdevice ( RW): 1\n\n\n"
#define SNAP_RECS \
	"uuid ( RO)                : " SNAP1 "\n" \
	"          name-label ( RW): s1\n" \
	"       snapshot-time ( RO): 20240101T12:00:00Z\n" \
	"              parent ( RO): <not in database>\n" \
	"         power-state ( RO): halted\n\n\n" \
	"uuid ( RO)                : 66666666-6666-6666-6666-666666666666\n" \
	"          name-label ( RW): c1\n" \
	"       snapshot-time ( RO): 20240102T12:00:00Z\n" \
	"              parent ( RO): " SNAP1 "\n" \
	"         power-state ( RO): suspended\n\n\n"
#define SUM \
	"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static void
test_call_read(void **state)
{
	struct drv_reply	 rp;
	struct drv_req		 q;
	char			*s, *ralph;
	size_t			 len;

	memset(&q, 0, sizeof q);
	q.dest = "/srv/x.vhd";
	/* pool info: the record, from the ralph sample's layout too. */
	assert_int_equal(reads(DRV_POOL_INFO, &q, SR_REC, strlen(SR_REC),
	    &rp), 0);
	assert_int_equal(rp.capacity, 64768442368LL);
	assert_int_equal(rp.used, 1073741824);
	drv_reply_clear(&rp);
	cuts_refused(DRV_POOL_INFO, &q, SR_REC);
	ralph = sample("xe-sr-list-params-ralph.txt", &len);
	/* Five SRs are not one; an ISO SR's -1 is no size. */
	assert_int_equal(reads(DRV_POOL_INFO, &q, ralph, len, &rp), ERR_INVAL);
	s = strstr(ralph, "\n\n\nuuid") + 3;
	assert_int_equal(reads(DRV_POOL_INFO, &q, ralph,
	    (size_t)(s - ralph), &rp), ERR_INVAL);
	free(ralph);
	assert_int_equal(reads(DRV_POOL_INFO, &q, "", 0, &rp), ERR_NOENT);
	assert_true(reads(DRV_POOL_INFO, &q, "garbage\x01\n\n\n", 11, &rp)
	    < 0);
	/* vol create, resize, capture: a VDI record. */
	assert_int_equal(reads(DRV_VOL_CREATE, &q, VDI_REC, strlen(VDI_REC),
	    &rp), 0);
	assert_string_equal(rp.path, VDI1);
	assert_int_equal(rp.size, 1073741824);
	drv_reply_clear(&rp);
	cuts_refused(DRV_VOL_CREATE, &q, VDI_REC);
	assert_int_equal(reads(DRV_VOL_RESIZE, &q, VDI_REC, strlen(VDI_REC),
	    &rp), 0);
	assert_int_equal(rp.size, 1073741824);
	assert_null(rp.path);
	drv_reply_clear(&rp);
	assert_int_equal(reads(DRV_CAPTURE, &q, VDI_REC, strlen(VDI_REC),
	    &rp), 0);
	assert_string_equal(rp.path, "/srv/x.vhd");
	assert_int_equal(rp.size, 1073741824);
	drv_reply_clear(&rp);
	cuts_refused(DRV_CAPTURE, &q, VDI_REC);
	s = "uuid ( RO)            : " VDI1 "\n"
	    "    virtual-size ( RO): -1\n\n\n";
	assert_int_equal(reads(DRV_VOL_CREATE, &q, s, strlen(s), &rp),
	    ERR_INVAL);
	s = "uuid ( RO)            : x\n    virtual-size ( RO): 1\n\n\n";
	assert_int_equal(reads(DRV_VOL_CREATE, &q, s, strlen(s), &rp),
	    ERR_INVAL);
	assert_null(rp.path);
	/* attach: the VBD's userdevice. */
	assert_int_equal(reads(DRV_VOL_ATTACH, &q, VBD_REC, strlen(VBD_REC),
	    &rp), 0);
	assert_string_equal(rp.device, "1");
	drv_reply_clear(&rp);
	cuts_refused(DRV_VOL_ATTACH, &q, VBD_REC);
	s = "uuid ( RO)          : x\n    userdevice ( RW): $(x)\n\n\n";
	assert_int_equal(reads(DRV_VOL_ATTACH, &q, s, strlen(s), &rp),
	    ERR_INVAL);
	/* snapshot create: the uuid xe prints. */
	assert_int_equal(reads(DRV_SNAP_CREATE, &q, SNAP1 "\n",
	    strlen(SNAP1) + 1, &rp), 0);
	assert_string_equal(rp.ref, SNAP1);
	drv_reply_clear(&rp);
	cuts_refused(DRV_SNAP_CREATE, &q, SNAP1 "\n");
	assert_int_equal(reads(DRV_SNAP_CREATE, &q, SNAP1 "," SNAP1 "\n",
	    strlen(SNAP1) * 2 + 2, &rp), ERR_INVAL);
	assert_int_equal(reads(DRV_SNAP_CREATE, &q, "\n", 1, &rp),
	    ERR_INVAL);
	/* snapshot list. */
	assert_int_equal(reads(DRV_SNAP_LIST, &q, SNAP_RECS,
	    strlen(SNAP_RECS), &rp), 0);
	assert_int_equal(rp.snaps.n, 2);
	assert_string_equal(rp.snaps.v[0].name, "s1");
	assert_string_equal(rp.snaps.v[0].uuid, SNAP1);
	assert_null(rp.snaps.v[0].parent);
	assert_int_equal(rp.snaps.v[0].created, 1704110400);
	assert_string_equal(rp.snaps.v[1].parent, SNAP1);
	assert_string_equal(rp.snaps.v[1].state, "suspended");
	drv_reply_clear(&rp);
	assert_int_equal(reads(DRV_SNAP_LIST, &q, "", 0, &rp), 0);
	assert_int_equal(rp.snaps.n, 0);
	/*
	 * Every cut within a record is refused; one at a record's end (or
	 * at 0) reads as fewer snapshots, as xe's own output would.
	 */
	for (len = 1; len + 1 < strlen(SNAP_RECS); len++) {
		if (len == (size_t)(strstr(SNAP_RECS, "\n\n\nuuid") + 3 -
		    SNAP_RECS))
			continue;
		assert_true(reads(DRV_SNAP_LIST, &q, SNAP_RECS, len, &rp) < 0);
		assert_int_equal(rp.snaps.n, 0);
	}
	/* The snapshot-list sample (blank lines collapsed by its author). */
	s = sample("xe-vm-list-and-snapshot-list-readme.txt", &len);
	assert_true(reads(DRV_SNAP_LIST, &q, s, len, &rp) < 0);
	free(s);
	/* image sum. */
	s = SUM "  /srv/x.vhd\n";
	assert_int_equal(reads(DRV_IMAGE_SUM, &q, s, strlen(s), &rp), 0);
	assert_string_equal(rp.sha256, SUM);
	drv_reply_clear(&rp);
	s = "\\" SUM "  /srv/x\\\\y.vhd\n";
	assert_int_equal(reads(DRV_IMAGE_SUM, &q, s, strlen(s), &rp), 0);
	assert_string_equal(rp.sha256, SUM);
	drv_reply_clear(&rp);
	cuts_refused(DRV_IMAGE_SUM, &q, SUM "  /srv/x.vhd\n");
	s = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"
	    "  /x\n";
	assert_int_equal(reads(DRV_IMAGE_SUM, &q, s, strlen(s), &rp),
	    ERR_INVAL);
	assert_int_equal(reads(DRV_IMAGE_SUM, &q, "garbage\n", 8, &rp),
	    ERR_INVAL);
	assert_null(rp.sha256);
	/* Calls that say nothing back have no reader. */
	assert_null(drv_xe.call_read[DRV_VOL_DETACH]);
	assert_null(drv_xe.call_read[DRV_VOL_REMOVE]);
	assert_null(drv_xe.call_read[DRV_SNAP_REVERT]);
	assert_null(drv_xe.call_read[DRV_SNAP_REMOVE]);
	assert_null(drv_xe.call_read[DRV_SET_ID]);
}

/* Runs call c's plan through sh; the reply, or the error's code. */
static int
sim_call(enum drv_call c, const struct drv_req *q, struct drv_reply *rp)
{
	struct drv_plan		 plan = { 0 };
	struct tp_result	 r;
	struct hv_error		 e;
	int			 rc;

	drv_reply_init(rp);
	if ((rc = drv_xe.call[c](q, &plan)) != 0)
		return rc;
	if (run_plan(&plan, &r) != 0) {
		memset(&e, 0, sizeof e);
		assert_int_equal(drv_xe.error_read(&r, &e), 0);
		rc = e.code;
		hv_error_clear(&e);
	} else if (drv_xe.call_read[c] != NULL)
		rc = drv_xe.call_read[c](q, &r, rp);
	tp_result_free(&r);
	drv_plan_clear(&plan);
	return rc;
}

/*
 * The calls through sh against the simulator, with names a shell would
 * act on: a volume made, attached, grown, detached; snapshots made,
 * listed, reverted to, removed; the disk captured and summed; and a VM
 * made from that image.
 */
static void
test_call_sim(void **state)
{
	struct drv_plan		 plan = { 0 };
	struct drv_spec		 s = { .name = "vm 'one' $(x)", .hvsh_id = "id`x`", .cpus = 1, .memory = 128LL << 20, .disk = 64LL << 20, .image_path = NULL };
	struct drv_reply	 rp;
	struct drv_req		 q;
	struct tp_result	 r;
	struct hv_vm		 vm;
	char			*dir, *st, *vdi, *root, *snap, *img;

	if ((dir = sim_dir()) == NULL)
		skip();
	st = xasprintf("%s/simcalls", tmpdir);
	mkdir(st, 0700);
	setenv("HVSH_SIM_STATE", st, 1);
	setenv("HVSH_SIM_SPEED", "0", 1);
	path_first(dir);

	assert_int_equal(drv_xe.create(&s, &plan), 0);
	assert_int_equal(run_plan(&plan, &r), 0);
	drv_plan_clear(&plan);
	hv_vm_init(&vm);
	assert_int_equal(drv_xe.create_read(&r, &vm), 0);
	tp_result_free(&r);
	assert_non_null(vm.disk);
	root = xstrdup(vm.disk);
	hv_vm_clear(&vm);

	memset(&q, 0, sizeof q);
	assert_int_equal(sim_call(DRV_POOL_INFO, &q, &rp), 0);
	assert_int_equal(rp.capacity, 1LL << 40);
	assert_int_equal(rp.used, 64LL << 20);
	q.pool = "nosuch";
	assert_int_equal(sim_call(DRV_POOL_INFO, &q, &rp), ERR_NOENT);
	q.pool = NULL;
	q.volume = "data_1";
	q.size = 1LL << 30;
	assert_int_equal(sim_call(DRV_VOL_CREATE, &q, &rp), 0);
	vdi = rp.path;
	rp.path = NULL;
	q.vm.name = s.name;
	q.vol_path = vdi;
	assert_int_equal(sim_call(DRV_VOL_ATTACH, &q, &rp), 0);
	assert_string_equal(rp.device, "1");
	drv_reply_clear(&rp);
	q.size = 2LL << 30;
	assert_int_equal(sim_call(DRV_VOL_RESIZE, &q, &rp), 0);
	assert_int_equal(rp.size, 2LL << 30);
	assert_int_equal(sim_call(DRV_VOL_DETACH, &q, &rp), 0);
	assert_int_equal(sim_call(DRV_VOL_DETACH, &q, &rp), ERR_NOENT);
	assert_int_equal(sim_call(DRV_VOL_REMOVE, &q, &rp), 0);
	assert_int_equal(sim_call(DRV_VOL_REMOVE, &q, &rp), ERR_NOENT);

	q.snapshot = "s_1";
	q.description = "it's $(x)";
	assert_int_equal(sim_call(DRV_SNAP_CREATE, &q, &rp), 0);
	snap = rp.ref;
	rp.ref = NULL;
	assert_int_equal(sim_call(DRV_SNAP_LIST, &q, &rp), 0);
	assert_int_equal(rp.snaps.n, 1);
	assert_string_equal(rp.snaps.v[0].uuid, snap);
	drv_reply_clear(&rp);
	assert_int_equal(sim_call(DRV_SNAP_REVERT, &q, &rp), 0);
	img = xasprintf("%s/t 'x'.vhd", st);
	q.vol_path = root;
	q.dest = img;
	q.snap_ref = snap;
	assert_int_equal(sim_call(DRV_CAPTURE, &q, &rp), 0);
	assert_string_equal(rp.path, img);
	assert_int_equal(rp.size, 64LL << 20);
	drv_reply_clear(&rp);
	assert_int_equal(sim_call(DRV_IMAGE_SUM, &q, &rp), 0);
	assert_int_equal(strlen(rp.sha256), 64);
	drv_reply_clear(&rp);
	assert_int_equal(sim_call(DRV_SNAP_REMOVE, &q, &rp), 0);
	assert_int_equal(sim_call(DRV_SNAP_LIST, &q, &rp), 0);
	assert_int_equal(rp.snaps.n, 0);
	q.vm.hvsh_id = "9'9";
	assert_int_equal(sim_call(DRV_SET_ID, &q, &rp), 0);

	/* A VM from the captured image: its root disk of the image's size. */
	s.name = "from image";
	s.disk = 0;
	s.image_path = img;
	s.image_kind = "template";
	assert_int_equal(drv_xe.create(&s, &plan), 0);
	assert_int_equal(run_plan(&plan, &r), 0);
	drv_plan_clear(&plan);
	hv_vm_init(&vm);
	assert_int_equal(drv_xe.create_read(&r, &vm), 0);
	tp_result_free(&r);
	assert_non_null(vm.disk);
	memset(&q, 0, sizeof q);
	q.vol_path = vm.disk;
	q.size = 64LL << 20;
	assert_int_equal(sim_call(DRV_VOL_RESIZE, &q, &rp), 0);
	assert_int_equal(rp.size, 64LL << 20);
	hv_vm_clear(&vm);

	setenv("PATH", orig_path, 1);
	assert_int_not_equal(access(PWNED, F_OK), 0);
	free(vdi);
	free(root);
	free(snap);
	free(img);
	free(st);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_plan_ops),
		cmocka_unit_test(test_plan_probe_refresh),
		cmocka_unit_test(test_plan_create),
		cmocka_unit_test(test_plan_refused),
		cmocka_unit_test(test_hostile_ops),
		cmocka_unit_test(test_hostile_create),
		cmocka_unit_test(test_create_cleanup),
		cmocka_unit_test(test_refresh_samples),
		cmocka_unit_test(test_refresh_sim),
		cmocka_unit_test(test_refresh_truncated),
		cmocka_unit_test(test_refresh_section_failed),
		cmocka_unit_test(test_refresh_garbage),
		cmocka_unit_test(test_refresh_forged),
		cmocka_unit_test(test_refresh_foreign_marker),
		cmocka_unit_test(test_detail),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_probe_read),
		cmocka_unit_test(test_create_read),
		cmocka_unit_test(test_error_read),
		cmocka_unit_test(test_sim),
		cmocka_unit_test(test_call_plans),
		cmocka_unit_test(test_call_refused),
		cmocka_unit_test(test_call_read),
		cmocka_unit_test(test_call_sim),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
