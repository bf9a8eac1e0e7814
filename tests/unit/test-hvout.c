/*
 * test-hvout.c: golden tests for the hypervisor output parsers. The inputs
 * are the samples in shared/hv-formats/samples, read at run time (CI puts
 * shared/ beside the repository; $HVSH_SRC is the repository), so a change
 * to a sample is tested without a change here. Missing samples fail the run:
 * a parser test that skips itself tests nothing.
 *
 * The second half feeds every parser hostile input: every prefix of every
 * sample, random and mutated bytes, 1 MB lines, NULs and escape sequences.
 * Inputs are copied into buffers of their exact size with no terminating
 * NUL, so under ASan a parser that reads one byte too far dies here.
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

#include "err.h"
#include "hvout.h"
#include "util.h"

#ifndef SAMPLES_FALLBACK
#define SAMPLES_FALLBACK	"/work/shared/hv-formats/samples"
#endif
#define KiB			1024LL
#define MiB			(1024LL * 1024)
#define BIG			(1024 * 1024)

/* Bytes that terminals act on; parsers must hand them through untouched. */
#define NASTY	"e\033]0;pwn\007x\033[2J\xc2\x9b\x01\b\r\ty\x7f"

static char	*samples;

static const char *const sample_files[] = {
	"vdiskmanager-create-captures.txt",
	"virsh-derived-DERIVED.txt",
	"virsh-errors-DERIVED.txt",
	"virsh-info-default-libvirt-test.txt",
	"virsh-lifecycle-libvirt-test.txt",
	"virsh-old-fixed-width-libvirt-test.txt",
	"virsh-snapshot-libvirt-test.txt",
	"virsh-vshtable-unit-test-expectations.txt",
	"vmrun-errors-captured.txt",
	"vmrun-help-ws17-player.txt",
	"vmrun-list-blog-zh.txt",
	"vmrun-list-packer-issue-3878.txt",
	"vmx-centos-lovm-fixture.vmx.txt",
	"xe-blog-add-disk-transcript.txt",
	"xe-errors-DERIVED.txt",
	"xe-host-list-default-DERIVED.txt",
	"xe-minimal-DERIVED.txt",
	"xe-sr-list-default-DERIVED.txt",
	"xe-sr-list-params-ralph.txt",
	"xe-vif-list-params-ralph.txt",
	"xe-vm-list-and-snapshot-list-readme.txt",
	"xe-vm-list-default-DERIVED.txt",
};

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
	fprintf(stderr, "test-hvout: no samples: neither "
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

/* A sample without its "# SOURCE:" line, NUL-terminated for cutting. */
static char *
sample(const char *file, size_t *lenp)
{
	char	*path, *data, *nl;
	FILE	*f;
	long	 size = 0;
	size_t	 len;

	path = xasprintf("%s/%s", samples, file);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		fail_msg("%s: cannot size", path);
	data = xmalloc((size_t)size + 1);
	len = fread(data, 1, (size_t)size, f);
	fclose(f);
	data[len] = '\0';
	if (strncmp(data, "# SOURCE:", 9) != 0 ||
	    (nl = strchr(data, '\n')) == NULL)
		fail_msg("%s: no '# SOURCE:' first line", path);
	len -= (size_t)(nl + 1 - data);
	memmove(data, nl + 1, len + 1);
	free(path);
	*lenp = len;
	return data;
}

/* A copy of n bytes in a buffer of exactly n bytes: no NUL after it. */
static char *
exact(const char *s, size_t n)
{
	char	*p = malloc(n == 0 ? 1 : n);

	assert_non_null(p);
	memcpy(p, s, n);
	return p;
}

struct piece {
	char	*p;
	size_t	 n;
};

static int
line_matches(const char *line, size_t n, const char *pat)
{
	size_t	pl = strlen(pat);

	if (pl > 0 && pat[pl - 1] == '*')
		return n >= pl - 1 && memcmp(line, pat, pl - 1) == 0;
	return n == pl && memcmp(line, pat, n) == 0;
}

/*
 * The lines of a sample after the line marker (the whole line, or its start
 * when marker ends in '*'; NULL: from the top) up to the first line that
 * starts with stop ("" stops at an empty line; NULL: to the end).
 */
static struct piece
cut(const char *file, const char *marker, const char *stop)
{
	struct piece	 pc;
	char		*text, *p, *start = NULL, *end = NULL, *nl;
	size_t		 len, n;

	text = sample(file, &len);
	p = text;
	if (marker == NULL)
		start = text;
	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (start == NULL) {
			if (line_matches(p, n, marker))
				start = nl != NULL ? nl + 1 : p + n;
		} else if (stop != NULL && (*stop == '\0' ? n == 0 :
		    strncmp(p, stop, strlen(stop)) == 0)) {
			end = p;
			break;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (start == NULL)
		fail_msg("%s: no line '%s'", file, marker);
	if (end == NULL)
		end = text + len;
	if (end < start)
		end = start;
	pc.n = (size_t)(end - start);
	pc.p = exact(start, pc.n);
	free(text);
	return pc;
}

static struct piece
lit(const char *s)
{
	struct piece	pc;

	pc.n = strlen(s);
	pc.p = exact(s, pc.n);
	return pc;
}

#define PARSE(fn, pc, out)	do {					\
	int	rc_ = fn((pc).p, (pc).n, (out));			\
	if (rc_ != 0)							\
		fail_msg("%s: %d %s", #fn, rc_, err_msg());		\
} while (0)

#define REFUSE(fn, pc, out)	do {					\
	int	rc_ = fn((pc).p, (pc).n, (out));			\
	if (rc_ >= 0)							\
		fail_msg("%s accepted what it should refuse", #fn);	\
} while (0)

static void
vm_is(const struct hv_vm *vm, const char *name, enum hv_state st)
{
	if (name == NULL)
		assert_null(vm->name);
	else {
		assert_non_null(vm->name);
		assert_string_equal(vm->name, name);
	}
	assert_string_equal(hv_state_name(vm->state), hv_state_name(st));
}

/* ---- vocabulary ---- */

static void
test_states(void **state)
{
	assert_string_equal(hv_state_name(HV_RUNNING), "running");
	assert_string_equal(hv_state_name(HV_STOPPED), "stopped");
	assert_string_equal(hv_state_name(HV_PAUSED), "paused");
	assert_string_equal(hv_state_name(HV_SUSPENDED), "suspended");
	assert_string_equal(hv_state_name(HV_CRASHED), "crashed");
	assert_string_equal(hv_state_name(HV_UNKNOWN), "unknown");
	assert_string_equal(hv_state_name((enum hv_state)42), "unknown");

	assert_int_equal(hvout_virsh_state("running"), HV_RUNNING);
	assert_int_equal(hvout_virsh_state("idle"), HV_RUNNING);
	assert_int_equal(hvout_virsh_state("blocked"), HV_RUNNING);
	assert_int_equal(hvout_virsh_state("in shutdown"), HV_RUNNING);
	assert_int_equal(hvout_virsh_state("paused"), HV_PAUSED);
	assert_int_equal(hvout_virsh_state("shut off"), HV_STOPPED);
	assert_int_equal(hvout_virsh_state("crashed"), HV_CRASHED);
	assert_int_equal(hvout_virsh_state("pmsuspended"), HV_SUSPENDED);
	assert_int_equal(hvout_virsh_state("saved"), HV_SUSPENDED);
	assert_int_equal(hvout_virsh_state("no state"), HV_UNKNOWN);
	assert_int_equal(hvout_virsh_state("Running"), HV_UNKNOWN);
	assert_int_equal(hvout_virsh_state(NULL), HV_UNKNOWN);
	assert_int_equal(hvout_virsh_state_num(0), HV_UNKNOWN);
	assert_int_equal(hvout_virsh_state_num(1), HV_RUNNING);
	assert_int_equal(hvout_virsh_state_num(2), HV_RUNNING);
	assert_int_equal(hvout_virsh_state_num(3), HV_PAUSED);
	assert_int_equal(hvout_virsh_state_num(4), HV_RUNNING);
	assert_int_equal(hvout_virsh_state_num(5), HV_STOPPED);
	assert_int_equal(hvout_virsh_state_num(6), HV_CRASHED);
	assert_int_equal(hvout_virsh_state_num(7), HV_SUSPENDED);
	assert_int_equal(hvout_virsh_state_num(8), HV_UNKNOWN);
	assert_int_equal(hvout_virsh_state_num(-1), HV_UNKNOWN);

	assert_int_equal(hvout_xe_state("running"), HV_RUNNING);
	assert_int_equal(hvout_xe_state("halted"), HV_STOPPED);
	assert_int_equal(hvout_xe_state("paused"), HV_PAUSED);
	assert_int_equal(hvout_xe_state("suspended"), HV_SUSPENDED);
	assert_int_equal(hvout_xe_state("<unknown>"), HV_UNKNOWN);
	assert_int_equal(hvout_xe_state(NULL), HV_UNKNOWN);

	assert_int_equal(hvout_vmrun_state(1, 0), HV_RUNNING);
	assert_int_equal(hvout_vmrun_state(1, 1), HV_RUNNING);
	assert_int_equal(hvout_vmrun_state(0, 1), HV_SUSPENDED);
	assert_int_equal(hvout_vmrun_state(0, 0), HV_STOPPED);
}

static void
test_datetime(void **state)
{
	int64_t	t;

	assert_int_equal(hvout_datetime("2024-05-01 12:00:00 +0200", 25, &t),
	    0);
	assert_int_equal(t, 1714557600);
	assert_int_equal(hvout_datetime("2024-05-01 05:00:00 -0500", 25, &t),
	    0);
	assert_int_equal(t, 1714557600);
	assert_int_equal(hvout_datetime("20240501T10:00:00Z", 18, &t), 0);
	assert_int_equal(t, 1714557600);
	assert_int_equal(hvout_datetime("19700101T00:00:00Z", 18, &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(hvout_datetime("2024-02-30 12:00:00 +0000", 25, &t),
	    -1);
	assert_int_equal(hvout_datetime("2024-05-01 12:00:00 +02x0", 25, &t),
	    -1);
	assert_int_equal(hvout_datetime("20240501T10:00:00", 17, &t), -1);
}

/* ---- virsh ---- */

#define VD	"virsh-derived-DERIVED.txt"

static void
four_domains(const struct hv_vm_list *l)
{
	size_t	i;

	assert_int_equal(l->n, 4);
	vm_is(&l->v[0], "web01", HV_RUNNING);
	vm_is(&l->v[1], "db01", HV_PAUSED);
	vm_is(&l->v[2], "build01", HV_STOPPED);
	vm_is(&l->v[3], "test-vm", HV_STOPPED);
	for (i = 0; i < l->n; i++) {
		assert_null(l->v[i].uuid);
		assert_int_equal(l->v[i].cpus, -1);
		assert_int_equal(l->v[i].memory, -1);
	}
	assert_int_equal(l->v[0].mem_used, -1);
	assert_int_equal(l->v[2].mem_used, 0);
}

static void
test_virsh_list(void **state)
{
	struct hv_vm_list	l;
	struct piece		pc;

	pc = cut(VD, "=== virsh list --all", "=== ");
	PARSE(hvout_virsh_list, pc, &l);
	four_domains(&l);
	hv_vm_list_free(&l);
	free(pc.p);

	pc = cut(VD, "=== virsh -q list --all", "=== ");
	PARSE(hvout_virsh_list, pc, &l);
	four_domains(&l);
	hv_vm_list_free(&l);
	free(pc.p);

	pc = cut(VD, "=== virsh list --all   (no domains)", "=== ");
	PARSE(hvout_virsh_list, pc, &l);
	assert_int_equal(l.n, 0);
	hv_vm_list_free(&l);
	free(pc.p);

	/* A table of pools or a confirmation is not a domain list. */
	pc = cut(VD, "=== virsh pool-list --all", "=== ");
	REFUSE(hvout_virsh_list, pc, &l);
	free(pc.p);
	pc = cut(VD, "=== virsh start build01", "=== ");
	REFUSE(hvout_virsh_list, pc, &l);
	free(pc.p);
}

static void
test_virsh_list_libvirt(void **state)
{
	struct hv_vm_list	l;
	struct piece		pc;

	pc = cut("virsh-info-default-libvirt-test.txt", NULL, "CPU model:");
	PARSE(hvout_virsh_list, pc, &l);
	assert_int_equal(l.n, 1);
	vm_is(&l.v[0], "test", HV_RUNNING);
	hv_vm_list_free(&l);
	free(pc.p);

	pc = cut("virsh-lifecycle-libvirt-test.txt", NULL, "test failure");
	PARSE(hvout_virsh_list, pc, &l);
	assert_int_equal(l.n, 3);
	vm_is(&l.v[0], "fv0", HV_RUNNING);
	vm_is(&l.v[1], "fc4", HV_RUNNING);
	vm_is(&l.v[2], "fc5", HV_RUNNING);
	hv_vm_list_free(&l);
	free(pc.p);

	pc = cut("virsh-vshtable-unit-test-expectations.txt",
	    "=== with header", "=== ");
	PARSE(hvout_virsh_list, pc, &l);
	assert_int_equal(l.n, 2);
	vm_is(&l.v[0], "fedora28", HV_RUNNING);
	vm_is(&l.v[1], "rhel7.5", HV_RUNNING);
	hv_vm_list_free(&l);
	free(pc.p);

	pc = cut("virsh-vshtable-unit-test-expectations.txt",
	    "=== without header*", "=== ");
	PARSE(hvout_virsh_list, pc, &l);
	assert_int_equal(l.n, 2);
	vm_is(&l.v[0], "fedora28", HV_RUNNING);
	vm_is(&l.v[1], "rhel7.5", HV_RUNNING);
	hv_vm_list_free(&l);
	free(pc.p);

	pc = cut("virsh-vshtable-unit-test-expectations.txt",
	    "=== empty table", "=== ");
	PARSE(hvout_virsh_list, pc, &l);
	assert_int_equal(l.n, 0);
	hv_vm_list_free(&l);
	free(pc.p);

	pc = cut("virsh-vshtable-unit-test-expectations.txt",
	    "=== single column", "=== ");
	REFUSE(hvout_virsh_list, pc, &l);
	free(pc.p);
}

static void
test_virsh_list_old(void **state)
{
	struct hv_vm_list	l;
	struct piece		pc;

	pc = cut("virsh-old-fixed-width-libvirt-test.txt", "=== virsh list",
	    "=== ");
	PARSE(hvout_virsh_list, pc, &l);
	assert_int_equal(l.n, 1);
	vm_is(&l.v[0], "test", HV_RUNNING);
	hv_vm_list_free(&l);
	free(pc.p);

	pc = cut("virsh-old-fixed-width-libvirt-test.txt",
	    "=== virsh list (custom testnode.xml)", "=== ");
	PARSE(hvout_virsh_list, pc, &l);
	assert_int_equal(l.n, 2);
	vm_is(&l.v[0], "fv0", HV_RUNNING);
	vm_is(&l.v[1], "fc4", HV_RUNNING);
	hv_vm_list_free(&l);
	free(pc.p);

	/* " %-5s %-30s %s": a name longer than 30 leaves a single space. */
	pc = lit(" Id    Name                           State\n"
	    "----------------------------------------------------\n"
	    " -     a-domain-name-longer-than-thirty-chars shut off\n"
	    " 12    with two  spaces                 in shutdown\n\n");
	PARSE(hvout_virsh_list, pc, &l);
	assert_int_equal(l.n, 2);
	vm_is(&l.v[0], "a-domain-name-longer-than-thirty-chars", HV_STOPPED);
	vm_is(&l.v[1], "with two  spaces", HV_RUNNING);
	hv_vm_list_free(&l);
	free(pc.p);
}

/* Captured from virsh 9.0.0 against test:///default. */
static void
test_virsh_list_captured(void **state)
{
	struct hv_vm_list	l;
	struct piece		pc;

	/* Padding follows display width: "über dom" is 8 wide, 9 bytes. */
	pc = lit(" Id   Name       State\n"
	    "---------------------------\n"
	    " 1    test       running\n"
	    " -    \xc3\xbc" "ber dom   shut off\n\n");
	PARSE(hvout_virsh_list, pc, &l);
	assert_int_equal(l.n, 2);
	vm_is(&l.v[0], "test", HV_RUNNING);
	vm_is(&l.v[1], "\xc3\xbc" "ber dom", HV_STOPPED);
	hv_vm_list_free(&l);
	free(pc.p);

	/* list --title: columns found from the header by display width. */
	pc = lit(" Id   Name       State      Title\n"
	    "------------------------------------------\n"
	    " 1    test       running    \n"
	    " 2    \xe4\xb8\xad\xe6\x96\x87       paused     a title\n"
	    " -    \xc3\xbc" "ber dom   shut off   x\n\n");
	PARSE(hvout_virsh_list, pc, &l);
	assert_int_equal(l.n, 3);
	vm_is(&l.v[0], "test", HV_RUNNING);
	vm_is(&l.v[1], "\xe4\xb8\xad\xe6\x96\x87", HV_PAUSED);
	vm_is(&l.v[2], "\xc3\xbc" "ber dom", HV_STOPPED);
	hv_vm_list_free(&l);
	free(pc.p);

	/* Managed save and an unknown (future or translated) state word. */
	pc = lit(" Id   Name   State\n"
	    "------------------------\n"
	    " -    a      saved\n"
	    " -    b c    frobbed\n\n");
	PARSE(hvout_virsh_list, pc, &l);
	assert_int_equal(l.n, 2);
	vm_is(&l.v[0], "a", HV_SUSPENDED);
	vm_is(&l.v[1], "b c", HV_UNKNOWN);
	hv_vm_list_free(&l);
	free(pc.p);
}

static void
test_virsh_list_name_uuid(void **state)
{
	struct hv_vm_list	l;
	struct piece		pc;

	pc = cut(VD, "=== virsh list --all --name", "=== ");
	PARSE(hvout_virsh_list_name, pc, &l);
	assert_int_equal(l.n, 4);
	vm_is(&l.v[0], "web01", HV_UNKNOWN);
	vm_is(&l.v[1], "db01", HV_UNKNOWN);
	vm_is(&l.v[2], "build01", HV_UNKNOWN);
	vm_is(&l.v[3], "test-vm", HV_UNKNOWN);
	hv_vm_list_free(&l);
	free(pc.p);

	pc = cut(VD, "=== virsh list --uuid   (running only)", "=== ");
	PARSE(hvout_virsh_list_uuid, pc, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].uuid, "6695eb01-f6a4-8304-79aa-97f2502e193f");
	assert_string_equal(l.v[1].uuid, "2f0d1c3e-5a4b-4c6d-8e7f-90a1b2c3d4e5");
	assert_null(l.v[0].name);
	hv_vm_list_free(&l);
	free(pc.p);

	pc = cut(VD, "=== virsh list --all --uuid --name", "=== ");
	PARSE(hvout_virsh_list_uuid, pc, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].uuid, "6695eb01-f6a4-8304-79aa-97f2502e193f");
	assert_string_equal(l.v[0].name, "web01");
	assert_string_equal(l.v[1].uuid, "2f0d1c3e-5a4b-4c6d-8e7f-90a1b2c3d4e5");
	assert_string_equal(l.v[1].name, "db01");
	hv_vm_list_free(&l);
	free(pc.p);

	/* Names are data: no trimming, no interpretation. */
	pc = lit(" lead and trail \n" NASTY "\n\n");
	PARSE(hvout_virsh_list_name, pc, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, " lead and trail ");
	assert_string_equal(l.v[1].name, NASTY);
	hv_vm_list_free(&l);
	free(pc.p);

	pc = lit("web01\n");
	REFUSE(hvout_virsh_list_uuid, pc, &l);
	free(pc.p);

	/* "%-36s %-30s": the padding is not part of the name. */
	pc = lit("6695eb01-f6a4-8304-79aa-97f2502e193f web01                 "
	    "        \n2f0d1c3e-5a4b-4c6d-8e7f-90a1b2c3d4e5 a b   \n\n");
	PARSE(hvout_virsh_list_uuid, pc, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, "web01");
	assert_string_equal(l.v[1].name, "a b");
	hv_vm_list_free(&l);
	free(pc.p);
}

/* pool-info --bytes, vol-info --bytes, vol-path, qemu-img, sha256sum. */
static void
test_virsh_storage(void **state)
{
	struct hv_pool	 p;
	struct piece	 pc;
	char		*line;
	int64_t		 size;

	pc = lit("Name:           hvsh\nUUID:           0bb3a8d5-2b7e-4c36-"
	    "9b36-4d7a8b0c5f11\nState:          running\nPersistent:     "
	    "yes\nAutostart:      yes\nCapacity:       105089261568\n"
	    "Allocation:     52172439552\nAvailable:      52916822016\n\n");
	PARSE(hvout_virsh_pool_info, pc, &p);
	assert_string_equal(p.name, "hvsh");
	assert_int_equal(p.size, 105089261568LL);
	assert_int_equal(p.used, 52172439552LL);
	free(p.name);
	free(pc.p);
	pc = lit("Name:           v1.qcow2\nType:           file\n"
	    "Capacity:       67108864 bytes\nAllocation:     200704 bytes\n\n");
	PARSE(hvout_virsh_pool_info, pc, &p);
	assert_int_equal(p.size, 67108864);
	free(p.name);
	free(pc.p);
	pc = lit("Name:           v1.qcow2\nCapacity:       64.00 MiB\n"
	    "Allocation:     196.00 KiB\n\n");
	REFUSE(hvout_virsh_pool_info, pc, &p);
	free(pc.p);
	pc = lit("Capacity:       67108864\n");
	REFUSE(hvout_virsh_pool_info, pc, &p);
	free(pc.p);
	pc = lit("<pool type='dir'>\n");
	REFUSE(hvout_virsh_pool_info, pc, &p);
	free(pc.p);

	pc = lit("/home/u/hvsh-disks/web1.qcow2\n\n");
	PARSE(hvout_virsh_line, pc, &line);
	assert_string_equal(line, "/home/u/hvsh-disks/web1.qcow2");
	free(line);
	free(pc.p);
	pc = lit("a\nb\n");
	REFUSE(hvout_virsh_line, pc, &line);
	free(pc.p);
	pc = lit("\n\n");
	REFUSE(hvout_virsh_line, pc, &line);
	free(pc.p);

	pc = lit("{\n    \"virtual-size\": 33554432,\n    \"filename\": "
	    "\"/tmp/o.qcow2\",\n    \"format\": \"qcow2\"\n}\n");
	PARSE(hvout_virsh_qemu_img_size, pc, &size);
	assert_int_equal(size, 33554432);
	free(pc.p);
	pc = lit("{\"backing-image\": {\"virtual-size\": 1}}\n");
	REFUSE(hvout_virsh_qemu_img_size, pc, &size);
	free(pc.p);
	pc = lit("{\"virtual-size\": -1}\n");
	REFUSE(hvout_virsh_qemu_img_size, pc, &size);
	free(pc.p);
	pc = lit("qemu-img: Could not open 'x': No such file or directory\n");
	REFUSE(hvout_virsh_qemu_img_size, pc, &size);
	free(pc.p);

	pc = lit("\\e1fdb1fb2b8b0fd7a8e9f41f54858c1c55bbf28060e778f0b74acdf3"
	    "b8d8c723  /srv/a\\nb\n");
	PARSE(hvout_virsh_sha256, pc, &line);
	assert_string_equal(line, "e1fdb1fb2b8b0fd7a8e9f41f54858c1c55bbf28060"
	    "e778f0b74acdf3b8d8c723");
	free(line);
	free(pc.p);
	pc = lit("e1fdb1fb2b8b0fd7a8e9f41f54858c1c55bbf28060e778f0b74acdf3b8d8"
	    "c72  x\n");
	REFUSE(hvout_virsh_sha256, pc, &line);
	free(pc.p);
}

static void
test_virsh_domstate(void **state)
{
	struct hv_vmstate	s;
	struct piece		pc;

	pc = cut(VD, "=== virsh domstate web01", "=== ");
	PARSE(hvout_virsh_domstate, pc, &s);
	assert_int_equal(s.state, HV_RUNNING);
	assert_null(s.reason);
	hv_vmstate_clear(&s);
	free(pc.p);

	pc = cut(VD, "=== virsh domstate build01 --reason", "=== ");
	PARSE(hvout_virsh_domstate, pc, &s);
	assert_int_equal(s.state, HV_STOPPED);
	assert_string_equal(s.reason, "shutdown");
	hv_vmstate_clear(&s);
	free(pc.p);

	pc = cut("virsh-old-fixed-width-libvirt-test.txt",
	    "=== virsh domstate fc4", "=== ");
	PARSE(hvout_virsh_domstate, pc, &s);
	assert_int_equal(s.state, HV_RUNNING);
	hv_vmstate_clear(&s);
	free(pc.p);

	/* Captured: virsh 9.0.0 test driver. */
	pc = lit("paused (user)\n\n");
	PARSE(hvout_virsh_domstate, pc, &s);
	assert_int_equal(s.state, HV_PAUSED);
	assert_string_equal(s.reason, "user");
	hv_vmstate_clear(&s);
	free(pc.p);

	pc = lit("in shutdown (user)\n");
	PARSE(hvout_virsh_domstate, pc, &s);
	assert_int_equal(s.state, HV_RUNNING);
	hv_vmstate_clear(&s);
	free(pc.p);

	pc = lit("running\nrunning\n");
	REFUSE(hvout_virsh_domstate, pc, &s);
	free(pc.p);
	pc = lit("Domain 'x' started\n");
	REFUSE(hvout_virsh_domstate, pc, &s);
	free(pc.p);
}

static void
test_virsh_dominfo(void **state)
{
	struct hv_vm	vm;
	struct piece	pc;

	pc = cut(VD, "=== virsh dominfo build01*", "=== ");
	PARSE(hvout_virsh_dominfo, pc, &vm);
	vm_is(&vm, "build01", HV_STOPPED);
	assert_string_equal(vm.uuid, "8c1b7d2e-0f3a-4e5b-9c6d-7e8f9a0b1c2d");
	assert_int_equal(vm.cpus, 2);
	assert_int_equal(vm.memory, 2097152 * KiB);
	assert_int_equal(vm.mem_used, 0);
	assert_true(vm.cpu_time == 0);
	assert_null(vm.hvsh_id);
	hv_vm_clear(&vm);
	free(pc.p);

	pc = cut("virsh-lifecycle-libvirt-test.txt",
	    "undefine a running domain - by domain name", "");
	PARSE(hvout_virsh_dominfo, pc, &vm);
	vm_is(&vm, "fc4", HV_RUNNING);
	assert_string_equal(vm.uuid, "ef861801-45b9-11cb-88e3-afbfe5370493");
	assert_int_equal(vm.cpus, 1);
	assert_int_equal(vm.memory, 261072 * KiB);
	assert_int_equal(vm.mem_used, 131072 * KiB);
	assert_true(vm.cpu_time == -1);	/* the test harness removed it */
	hv_vm_clear(&vm);
	free(pc.p);

	/* Messages with continuation lines. */
	pc = cut("virsh-lifecycle-libvirt-test.txt",
	    "undefine a running domain - by domain id", "");
	PARSE(hvout_virsh_dominfo, pc, &vm);
	vm_is(&vm, "fc5", HV_RUNNING);
	assert_string_equal(vm.uuid, "08721f99-3d1d-4aec-96eb-97803297bb36");
	assert_int_equal(vm.cpus, 4);
	assert_int_equal(vm.memory, 2097152 * KiB);
	assert_int_equal(vm.mem_used, 2097152 * KiB);
	hv_vm_clear(&vm);
	free(pc.p);

	pc = cut("virsh-old-fixed-width-libvirt-test.txt",
	    "=== virsh dominfo fc4*", "=== ");
	PARSE(hvout_virsh_dominfo, pc, &vm);
	vm_is(&vm, "fc4", HV_RUNNING);
	assert_int_equal(vm.cpus, 1);
	assert_int_equal(vm.memory, 261072 * KiB);
	hv_vm_clear(&vm);
	free(pc.p);

	/* Captured: virsh 9.0.0, a running test domain with CPU time. */
	pc = lit("Id:             1\n"
	    "Name:           test\n"
	    "UUID:           6695eb01-f6a4-8304-79aa-97f2502e193f\n"
	    "OS Type:        linux\n"
	    "State:          running\n"
	    "CPU(s):         2\n"
	    "CPU time:       1795478775.9s\n"
	    "Max memory:     no limit\n"
	    "Used memory:    2097152 KiB\n"
	    "Persistent:     yes\n"
	    "Autostart:      disable\n"
	    "Managed save:   no\n"
	    "Security model: testSecurity\n"
	    "Security DOI:   \n"
	    "Security label: libvirt-test (enforcing)\n\n");
	PARSE(hvout_virsh_dominfo, pc, &vm);
	vm_is(&vm, "test", HV_RUNNING);
	assert_int_equal(vm.cpus, 2);
	assert_true(vm.cpu_time > 1795478775.8 && vm.cpu_time < 1795478776.0);
	assert_int_equal(vm.memory, -1);
	assert_int_equal(vm.mem_used, 2097152 * KiB);
	hv_vm_clear(&vm);
	free(pc.p);

	/* A name is kept from its fixed column, leading spaces and all. */
	pc = lit("Name:             " NASTY "\nState:          paused\n");
	PARSE(hvout_virsh_dominfo, pc, &vm);
	vm_is(&vm, "  " NASTY, HV_PAUSED);
	hv_vm_clear(&vm);
	free(pc.p);

	pc = lit("State:          running\n");
	REFUSE(hvout_virsh_dominfo, pc, &vm);
	free(pc.p);
	pc = cut(VD, "=== virsh list --all", "=== ");
	REFUSE(hvout_virsh_dominfo, pc, &vm);
	free(pc.p);
}

static void
test_virsh_domstats(void **state)
{
	struct hv_vm_list	l;
	struct piece		pc;

	pc = cut(VD, "=== virsh domstats --state web01", "=== ");
	PARSE(hvout_virsh_domstats, pc, &l);
	assert_int_equal(l.n, 1);
	vm_is(&l.v[0], "web01", HV_RUNNING);
	hv_vm_list_free(&l);
	free(pc.p);

	/* The field set of virsh.md section 3 (values illustrative). */
	pc = lit("Domain: 'web01'\n"
	    "  state.state=1\n"
	    "  state.reason=1\n"
	    "  cpu.time=52371234567\n"
	    "  cpu.user=1000000000\n"
	    "  balloon.current=1048576\n"
	    "  balloon.maximum=2097152\n"
	    "  vcpu.current=2\n"
	    "  vcpu.maximum=4\n"
	    "  vcpu.0.state=1\n"
	    "  vcpu.0.time=26000000000\n"
	    "  net.count=1\n"
	    "  net.0.name=vnet0\n"
	    "  block.0.name=vda\n"
	    "  block.0.path=/var/lib/libvirt/images/web01.qcow2\n"
	    "\n"
	    "Domain: 'o'neil'\n"
	    "  state.state=5\n"
	    "  state.reason=0\n"
	    "  balloon.current=524288\n"
	    "  balloon.maximum=524288\n"
	    "  vcpu.maximum=1\n"
	    "\n"
	    "Domain: 'p'\n"
	    "  state.state=7\n\n");
	PARSE(hvout_virsh_domstats, pc, &l);
	assert_int_equal(l.n, 3);
	vm_is(&l.v[0], "web01", HV_RUNNING);
	assert_true(l.v[0].cpu_time > 52.37 && l.v[0].cpu_time < 52.38);
	assert_int_equal(l.v[0].mem_used, 1048576 * KiB);
	assert_int_equal(l.v[0].memory, 2097152 * KiB);
	assert_int_equal(l.v[0].cpus, 2);
	vm_is(&l.v[1], "o'neil", HV_STOPPED);
	assert_int_equal(l.v[1].mem_used, 0);
	assert_int_equal(l.v[1].memory, 524288 * KiB);
	assert_int_equal(l.v[1].cpus, 1);
	vm_is(&l.v[2], "p", HV_SUSPENDED);
	hv_vm_list_free(&l);
	free(pc.p);

	pc = lit("  state.state=1\n");
	REFUSE(hvout_virsh_domstats, pc, &l);
	free(pc.p);
}

static void
test_virsh_facts(void **state)
{
	struct hv_facts	f;
	struct piece	pc;

	/* nodeinfo follows the list and its blank line. */
	hv_facts_init(&f);
	pc = cut("virsh-info-default-libvirt-test.txt", "", NULL);
	PARSE(hvout_virsh_nodeinfo, pc, &f);
	assert_int_equal(f.cpus, 16);
	assert_int_equal(f.memory, 3145728 * KiB);
	assert_int_equal(f.mem_free, -1);
	free(pc.p);

	/* "%-7s: %20llu KiB" (virsh-host.c cmdNodeMemStats) */
	pc = lit("total  :              8048888 KiB\n"
	    "free   :              1234567 KiB\n"
	    "buffers:               102400 KiB\n"
	    "cached :              2048000 KiB\n\n");
	PARSE(hvout_virsh_nodememstats, pc, &f);
	assert_int_equal(f.mem_free, 1234567 * KiB);
	assert_int_equal(f.memory, 8048888 * KiB);
	assert_int_equal(f.cpus, 16);
	free(pc.p);

	/* Captured: virsh 9.0.0 freecell, then freecell --all. */
	pc = lit("Total: 3072 KiB\n\n");
	PARSE(hvout_virsh_freecell, pc, &f);
	assert_int_equal(f.mem_free, 3072 * KiB);
	free(pc.p);
	pc = lit("    0:       2048 KiB\n"
	    "    1:       4096 KiB\n"
	    "--------------------\n"
	    "Total:       6144 KiB\n\n");
	PARSE(hvout_virsh_freecell, pc, &f);
	assert_int_equal(f.mem_free, 6144 * KiB);
	free(pc.p);
	pc = lit("0: 2048 KiB\n\n");
	PARSE(hvout_virsh_freecell, pc, &f);
	assert_int_equal(f.mem_free, 2048 * KiB);
	free(pc.p);
	pc = lit("    0:       2048 KiB\n    1:       4096 KiB\n");
	REFUSE(hvout_virsh_freecell, pc, &f);
	free(pc.p);

	/* Captured: virsh 9.0.0 version, and --version. */
	pc = lit("Compiled against library: libvirt 9.0.0\n"
	    "Using library: libvirt 9.0.0\n"
	    "Using API: QEMU 9.0.0\n"
	    "Running hypervisor: QEMU 7.2.0\n\n");
	PARSE(hvout_virsh_version, pc, &f);
	assert_string_equal(f.version, "QEMU 7.2.0 (libvirt 9.0.0)");
	free(pc.p);
	pc = lit("9.0.0\n");
	PARSE(hvout_virsh_version, pc, &f);
	assert_string_equal(f.version, "libvirt 9.0.0");
	free(pc.p);
	assert_int_equal(f.cpus, 16);
	assert_int_equal(f.mem_free, 2048 * KiB);
	hv_facts_clear(&f);

	hv_facts_init(&f);
	pc = cut(VD, "=== virsh list --all", "=== ");
	REFUSE(hvout_virsh_nodeinfo, pc, &f);
	REFUSE(hvout_virsh_version, pc, &f);
	free(pc.p);
	assert_int_equal(f.cpus, -1);
	hv_facts_clear(&f);
}

static void
test_virsh_snapshots(void **state)
{
	struct hv_snapshot_list	l;
	struct piece		pc;

	pc = cut(VD, "=== virsh snapshot-list web01", "=== ");
	PARSE(hvout_virsh_snapshot_list, pc, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, "snap1");
	assert_int_equal(l.v[0].created, 1714557600);
	assert_string_equal(l.v[0].state, "running");
	assert_null(l.v[0].parent);
	assert_string_equal(l.v[1].name, "snap2");
	assert_int_equal(l.v[1].created, 1714631415);
	assert_string_equal(l.v[1].state, "shutoff");
	hv_snapshot_list_free(&l);
	free(pc.p);

	pc = cut(VD, "=== virsh snapshot-list web01 --name", "=== ");
	PARSE(hvout_virsh_snapshot_name, pc, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, "snap1");
	assert_string_equal(l.v[1].name, "snap2");
	hv_snapshot_list_free(&l);
	free(pc.p);

	pc = cut("virsh-snapshot-libvirt-test.txt", "list roots", "");
	PARSE(hvout_virsh_snapshot_name, pc, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, "s3");
	assert_string_equal(l.v[1].name, "s7");
	hv_snapshot_list_free(&l);
	free(pc.p);

	pc = cut("virsh-snapshot-libvirt-test.txt", "list leaves", "");
	PARSE(hvout_virsh_snapshot_name, pc, &l);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0].name, "s2");
	assert_string_equal(l.v[3].name, "s8");
	hv_snapshot_list_free(&l);
	free(pc.p);

	/* Captured: virsh 9.0.0 snapshot-list --parent, a name with a space. */
	pc = lit(" Name   Creation Time               State     Parent\n"
	    "------------------------------------------------------\n"
	    " s 2    2026-11-24 00:06:15 +0000   running   s1\n"
	    " s1     2026-11-24 00:06:15 +0000   running   \n\n");
	PARSE(hvout_virsh_snapshot_list, pc, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, "s 2");
	assert_string_equal(l.v[0].parent, "s1");
	assert_string_equal(l.v[1].name, "s1");
	assert_null(l.v[1].parent);
	assert_int_equal(l.v[1].created, 1795478775);
	hv_snapshot_list_free(&l);
	free(pc.p);

	/* The old " %-20s %-25s %s" layout, a long name overflowing. */
	pc = lit(" Name                 Creation Time             State\n"
	    "------------------------------------------------------------\n"
	    " before-upgrade       2024-05-01 12:00:00 +0200 disk-snapshot\n"
	    " a-very-long-snapshot-name 2024-05-01 12:00:00 +0200 paused\n\n");
	PARSE(hvout_virsh_snapshot_list, pc, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, "before-upgrade");
	assert_string_equal(l.v[0].state, "disk-snapshot");
	assert_string_equal(l.v[1].name, "a-very-long-snapshot-name");
	assert_int_equal(l.v[1].created, 1714557600);
	hv_snapshot_list_free(&l);
	free(pc.p);

	pc = cut(VD, "=== virsh pool-list --all", "=== ");
	REFUSE(hvout_virsh_snapshot_list, pc, &l);
	free(pc.p);
}

static void
verr(const char *file, const char *marker, const char *stop, int code,
    const char *reason)
{
	struct hv_error	e;
	struct piece	pc;

	pc = cut(file, marker, stop);
	PARSE(hvout_virsh_error, pc, &e);
	if (e.code != code)
		fail_msg("%s: code %d, expected %d", marker, e.code, code);
	assert_string_equal(e.reason, reason);
	assert_null(e.api_code);
	hv_error_clear(&e);
	free(pc.p);
}

static void
test_virsh_errors(void **state)
{
	const char	*f = "virsh-errors-DERIVED.txt";
	struct hv_error	 e;
	struct piece	 pc;

	verr(f, "=== virsh dominfo nosuch", "=== ", ERR_NOENT,
	    "failed to get domain 'nosuch'");
	verr(f, "=== (libvirt < ~5.0) virsh dominfo nosuch", "=== ", ERR_NOENT,
	    "failed to get domain 'nosuch'");
	verr(f, "=== virsh start web01   (already running)", "=== ", ERR_BUSY,
	    "Domain is already active");
	verr(f, "=== virsh destroy build01   (not running)", "=== ", ERR_BUSY,
	    "domain is not running");
	verr(f, "=== (libvirt < 7.0) virsh destroy build01", "=== ", ERR_BUSY,
	    "domain is not running");
	verr(f, "=== virsh snapshot-create-as web01 snap1*", "=== ", ERR_EXIST,
	    "domain moment snap1 already exists");
	verr(f, "=== virsh frobnicate", "=== ", ERR_INVAL,
	    "unknown command: 'frobnicate'");

	f = "virsh-lifecycle-libvirt-test.txt";
	verr(f, "test failure when starting already running guest", "",
	    ERR_BUSY, "Domain is already active");
	verr(f, "Domain 'fc4' is being shutdown", "undefine", ERR_NOENT,
	    "failed to get domain 'fc4'");

	f = "virsh-snapshot-libvirt-test.txt";
	verr(f, "Domain snapshot s1 created", "", ERR_EXIST,
	    "domain moment s1 already exists");
	verr(f, "checkpoints cannot be created while snapshots exist", "",
	    ERR_FAIL, "Operation not supported: cannot create checkpoint "
	    "while snapshot exists");
	verr(f, "Domain snapshot s1 deleted", "list roots", ERR_NOENT,
	    "domain 'test' has no current snapshot");

	/* Captured: virsh 9.0.0, two lines and a connection failure. */
	pc = lit("error: Failed to start domain 'x'\n"
	    "error: Requested operation is not valid: domain is already "
	    "running\n");
	PARSE(hvout_virsh_error, pc, &e);
	assert_int_equal(e.code, ERR_BUSY);
	assert_string_equal(e.reason, "domain is already running");
	hv_error_clear(&e);
	free(pc.p);
	pc = lit("error: failed to connect to the hypervisor\n"
	    "error: Failed to connect socket to '/run/libvirt/libvirt-sock': "
	    "No such file or directory\n");
	PARSE(hvout_virsh_error, pc, &e);
	assert_int_equal(e.code, ERR_IO);
	assert_string_equal(e.reason, "failed to connect to the hypervisor: "
	    "Failed to connect socket to '/run/libvirt/libvirt-sock': No such "
	    "file or directory");
	hv_error_clear(&e);
	free(pc.p);
	pc = lit("error: Domain snapshot not found: no domain snapshot with "
	    "matching name 'nosuch'\n\n");
	PARSE(hvout_virsh_error, pc, &e);
	assert_int_equal(e.code, ERR_NOENT);
	hv_error_clear(&e);
	free(pc.p);

	pc = cut(VD, "=== virsh start build01", "=== ");
	REFUSE(hvout_virsh_error, pc, &e);
	free(pc.p);
}

static void
test_virsh_metadata(void **state)
{
	struct piece	 pc;
	char		*id;

	/* Captured: virsh 9.0.0 dumpxml of a domain defined by us. */
	pc = lit("<domain type='test' id='2'>\n"
	    "  <name>\xc3\xbc" "ber dom</name>\n"
	    "  <uuid>110d71bd-cf6a-4685-936c-5fe52bdba5b1</uuid>\n"
	    "  <metadata>\n"
	    "    <hvsh:instance xmlns:hvsh=\"https://hvsh.invalid/ns/1\" "
	    "id=\"i-0042\"/>\n"
	    "  </metadata>\n"
	    "  <memory unit='KiB'>1048576</memory>\n"
	    "</domain>\n\n");
	PARSE(hvout_virsh_metadata_id, pc, &id);
	assert_string_equal(id, "i-0042");
	free(id);
	free(pc.p);

	/* A default namespace declared on the element. */
	pc = lit("<instance xmlns=\"https://hvsh.invalid/ns/1\" id='i-7'/>\n");
	PARSE(hvout_virsh_metadata_id, pc, &id);
	assert_string_equal(id, "i-7");
	free(id);
	free(pc.p);

	pc = lit("<x:i uuid=\"no\" id=\"a&amp;b\"\n xmlns:x='"
	    "https://hvsh.invalid/ns/1'></x:i>");
	PARSE(hvout_virsh_metadata_id, pc, &id);
	assert_string_equal(id, "a&b");
	free(id);
	free(pc.p);

	/* The URI as text, or another namespace: no id, not an error. */
	pc = lit("<domain><description>https://hvsh.invalid/ns/1</description>"
	    "<metadata><o:i xmlns:o=\"https://other/\" id=\"x\"/></metadata>"
	    "</domain>");
	PARSE(hvout_virsh_metadata_id, pc, &id);
	assert_null(id);
	free(pc.p);

	pc = lit("<h:i xmlns:h=\"https://hvsh.invalid/ns/1\"/>");
	REFUSE(hvout_virsh_metadata_id, pc, &id);
	free(pc.p);

	/*
	 * Captured: virsh 9.0.0 metadata DOM --uri https://hvsh.invalid/ns/1,
	 * which prints our element with the namespace taken off, so the
	 * reader of dumpxml finds nothing in it.
	 */
	pc = lit("<instance id=\"4242\"/>\n\n");
	PARSE(hvout_virsh_metadata_id, pc, &id);
	assert_null(id);
	PARSE(hvout_virsh_metadata_elem, pc, &id);
	assert_string_equal(id, "4242");
	free(id);
	free(pc.p);
	/* After the blank line of an earlier part; text inside is data. */
	pc = lit("\n<instance id='a&amp;b'>\n@@hvsh:0@@\n</instance>\n\n");
	PARSE(hvout_virsh_metadata_elem, pc, &id);
	assert_string_equal(id, "a&b");
	free(id);
	free(pc.p);
	pc = lit("<instance/>\n\n");
	REFUSE(hvout_virsh_metadata_elem, pc, &id);
	free(pc.p);
	pc = lit("<instance id=''/>\n");
	REFUSE(hvout_virsh_metadata_elem, pc, &id);
	free(pc.p);
	pc = lit("\n\n");
	REFUSE(hvout_virsh_metadata_elem, pc, &id);
	free(pc.p);
	pc = lit("</instance id='1'>");
	REFUSE(hvout_virsh_metadata_elem, pc, &id);
	free(pc.p);
}

/* ---- xe ---- */

/*
 * Lays out one record as xapi's cli_printer does: maxlen is 4 + the
 * longest label, the first label padded on the right to it, the others on
 * the left, then ": " and the value; two empty lines follow. Arguments are
 * label, value pairs ending in NULL.
 */
static void
xe_rec(struct buf *b, ...)
{
	va_list		 ap;
	const char	*l, *v;
	size_t		 max = 0, first = 1;

	va_start(ap, b);
	while ((l = va_arg(ap, const char *)) != NULL) {
		(void)va_arg(ap, const char *);
		if (strlen(l) > max)
			max = strlen(l);
	}
	va_end(ap);
	max += 4;
	va_start(ap, b);
	while ((l = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (first)
			buf_printf(b, "%-*s: %s\n", (int)max, l, v);
		else
			buf_printf(b, "%*s: %s\n", (int)max, l, v);
		first = 0;
	}
	va_end(ap);
	buf_addstr(b, "\n\n");
}

static struct piece
take(struct buf *b)
{
	struct piece	pc;

	pc.n = b->len;
	pc.p = exact(b->data, b->len);
	buf_free(b);
	return pc;
}

static void
test_xe_records(void **state)
{
	struct hv_xe_records	rs;
	struct hv_vm_list	l;
	struct buf		b = { NULL, 0, 0 };
	struct piece		pc;

	pc = cut("xe-vif-list-params-ralph.txt", NULL, NULL);
	PARSE(hvout_xe_records, pc, &rs);
	assert_int_equal(rs.n, 3);
	assert_int_equal(rs.r[0].n, 2);
	assert_string_equal(rs.r[0].f[0].name, "vm-name-label");
	assert_string_equal(rs.r[0].f[0].access, " RO");
	assert_string_equal(hvout_xe_get(&rs.r[0], "vm-name-label"), "win2k8");
	assert_string_equal(hvout_xe_get(&rs.r[1], "MAC"), "8e:b0:fb:7c:c1:00");
	assert_string_equal(hvout_xe_get(&rs.r[2], "vm-name-label"),
	    "Transfer VM for VDI 07f1cca1-056d-4694-879e-adcb2ed989e1");
	assert_null(hvout_xe_get(&rs.r[2], "uuid"));
	hvout_xe_records_free(&rs);
	free(pc.p);

	pc = cut("xe-host-list-default-DERIVED.txt", NULL, NULL);
	PARSE(hvout_xe_records, pc, &rs);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.r[0].n, 3);
	assert_string_equal(hvout_xe_get(&rs.r[0], "uuid"),
	    "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e");
	assert_string_equal(hvout_xe_get(&rs.r[0], "name-description"),
	    "Default install");
	assert_string_equal(rs.r[0].f[1].access, " RW");
	hvout_xe_records_free(&rs);
	free(pc.p);

	pc = cut("xe-blog-add-disk-transcript.txt", "[root@zenserv ~]# xe "
	    "vbd-list*", "[root@");
	PARSE(hvout_xe_records, pc, &rs);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.r[0].n, 6);
	assert_string_equal(hvout_xe_get(&rs.r[0], "vm-name-label"), "zphome");
	assert_string_equal(hvout_xe_get(&rs.r[0], "empty"), "false");
	assert_string_equal(hvout_xe_get(&rs.r[0], "device"), "");
	hvout_xe_records_free(&rs);
	free(pc.p);

	/*
	 * A value holding newlines goes on below its label; a line whose
	 * colon is not in the record's column is part of it, even if it
	 * looks like a field. Set and map tags, DEPRECATED, host-cpu-info.
	 */
	xe_rec(&b, "uuid ( RO)", "u1",
	    "name-label ( RW)", "two\nline two\n  fake ( RO): not a field\n"
	    "\nafter a blank",
	    "name-description ( RW)", "",
	    "allowed-operations (SRO)", "clone; snapshot",
	    "other-config (MRW)", "a: 1; hvsh-id: i-9",
	    "old-field ( RO) [DEPRECATED]", "d", NULL);
	xe_rec(&b, "cpu_count", "4", "socket_count", "1", "vendor", NASTY,
	    NULL);
	pc = take(&b);
	PARSE(hvout_xe_records, pc, &rs);
	assert_int_equal(rs.n, 2);
	assert_int_equal(rs.r[0].n, 6);
	assert_string_equal(hvout_xe_get(&rs.r[0], "name-label"),
	    "two\nline two\n  fake ( RO): not a field\n\nafter a blank");
	assert_string_equal(hvout_xe_get(&rs.r[0], "name-description"), "");
	assert_string_equal(rs.r[0].f[3].access, "SRO");
	assert_string_equal(rs.r[0].f[4].access, "MRW");
	assert_string_equal(hvout_xe_get(&rs.r[0], "old-field"), "d");
	assert_int_equal(rs.r[1].n, 3);
	assert_string_equal(rs.r[1].f[0].access, "");
	assert_string_equal(hvout_xe_get(&rs.r[1], "cpu_count"), "4");
	assert_string_equal(hvout_xe_get(&rs.r[1], "vendor"), NASTY);
	hvout_xe_records_free(&rs);
	free(pc.p);

	pc = lit("Error: No matching VMs found\n");
	REFUSE(hvout_xe_vm_list, pc, &l);
	free(pc.p);
	pc = lit("  uuid ( RO): x\n");
	REFUSE(hvout_xe_records, pc, &rs);
	free(pc.p);

	/* No records: xe prints nothing. */
	pc = lit("");
	PARSE(hvout_xe_records, pc, &rs);
	assert_int_equal(rs.n, 0);
	hvout_xe_records_free(&rs);
	free(pc.p);
}

static void
test_xe_vm_list(void **state)
{
	struct hv_vm_list	l;
	struct piece		pc;

	/* dom0 is listed by xe and left out by us. */
	pc = cut("xe-vm-list-default-DERIVED.txt", NULL, NULL);
	PARSE(hvout_xe_vm_list, pc, &l);
	assert_int_equal(l.n, 1);
	vm_is(&l.v[0], "web01", HV_STOPPED);
	assert_string_equal(l.v[0].uuid, "9f0e1d2c-3b4a-5968-7a6b-5c4d3e2f1a0b");
	assert_int_equal(l.v[0].memory, -1);
	assert_int_equal(l.v[0].cpus, -1);
	assert_null(l.v[0].hvsh_id);
	hv_vm_list_free(&l);
	free(pc.p);

	pc = cut("xe-blog-add-disk-transcript.txt", "[root@zenserv ~]# xe "
	    "vm-list*", "[root@");
	PARSE(hvout_xe_vm_list, pc, &l);
	assert_int_equal(l.n, 1);
	vm_is(&l.v[0], "zphome", HV_STOPPED);
	assert_string_equal(l.v[0].uuid, "ba73ef4f-ad8a-91c9-a9d8-ebea92f5081f");
	hv_vm_list_free(&l);
	free(pc.p);

	/* Blank lines collapsed by the README's author. */
	pc = cut("xe-vm-list-and-snapshot-list-readme.txt", NULL, "--- ");
	PARSE(hvout_xe_vm_list, pc, &l);
	assert_int_equal(l.n, 3);
	vm_is(&l.v[0], "test-store4", HV_STOPPED);
	assert_string_equal(l.v[0].uuid, "5675265a-bdb4-b3d2-05dd-1d03caa0af38");
	vm_is(&l.v[1], "www1", HV_RUNNING);
	vm_is(&l.v[2], "nfs_1", HV_STOPPED);
	hv_vm_list_free(&l);
	free(pc.p);

	/* The fields hvsh asks for, in xapi's record order. */
	pc = lit("uuid ( RO)                 : 3a6b8e7c-1d2f-4e5a-9b8c-"
	    "7d6e5f4a3b2c\n"
	    "           name-label ( RW): Control domain on host: xcp-ng-1\n"
	    "    is-control-domain ( RO): true\n"
	    "          power-state ( RO): running\n"
	    "        memory-actual ( RO): 1073741824\n"
	    "\n\n"
	    "uuid ( RO)                 : 9f0e1d2c-3b4a-5968-7a6b-"
	    "5c4d3e2f1a0b\n"
	    "           name-label ( RW): Control domain on host: lies\n"
	    "    is-control-domain ( RO): false\n"
	    "          power-state ( RO): running\n"
	    "        memory-actual ( RO): 2147483648\n"
	    "    memory-static-max ( RW): 4294967296\n"
	    "         VCPUs-number ( RO): 2\n"
	    "            VCPUs-max ( RW): 4\n"
	    "         other-config (MRW): vgpu_pci: ; hvsh-id: i-0042; "
	    "mac_seed: 1b\n"
	    "\n\n"
	    "uuid ( RO)                 : 7d1e2f3a-4b5c-6d7e-8f9a-"
	    "0b1c2d3e4f5a\n"
	    "           name-label ( RW): " NASTY "\n"
	    "    is-control-domain ( RO): false\n"
	    "          power-state ( RO): suspended\n"
	    "        memory-actual ( RO): <expensive field>\n"
	    "         VCPUs-number ( RO): 0\n"
	    "            VCPUs-max ( RW): 1\n"
	    "         other-config (MRW): \n\n\n");
	PARSE(hvout_xe_vm_list, pc, &l);
	assert_int_equal(l.n, 2);
	vm_is(&l.v[0], "Control domain on host: lies", HV_RUNNING);
	assert_int_equal(l.v[0].memory, 4294967296LL);
	assert_int_equal(l.v[0].mem_used, 2147483648LL);
	assert_int_equal(l.v[0].cpus, 2);
	assert_string_equal(l.v[0].hvsh_id, "i-0042");
	vm_is(&l.v[1], NASTY, HV_SUSPENDED);
	assert_int_equal(l.v[1].mem_used, -1);
	assert_int_equal(l.v[1].cpus, 1);
	assert_null(l.v[1].hvsh_id);
	hv_vm_list_free(&l);
	free(pc.p);

	pc = cut("xe-vif-list-params-ralph.txt", NULL, NULL);
	REFUSE(hvout_xe_vm_list, pc, &l);
	free(pc.p);
}


/* vm-list read against --minimal's uuids: only clean, sole records count. */
static void
test_xe_vm_list_sure(void **state)
{
	static const char text[] =
	    "uuid ( RO)                 : 9f0e1d2c-3b4a-5968-7a6b-5c4d3e2f1a0b\n"
	    "           name-label ( RW): Control domain on host: lies\n"
	    "    is-control-domain ( RO): false\n"
	    "          power-state ( RO): running\n"
	    "        memory-actual ( RO): 2147483648\n"
	    "    memory-static-max ( RW): 4294967296\n"
	    "         VCPUs-number ( RO): 2\n"
	    "            VCPUs-max ( RW): 4\n"
	    "         other-config (MRW): vgpu_pci: ; hvsh-id: i-0042\n\n\n"
	    "uuid ( RO)                 : 7d1e2f3a-4b5c-6d7e-8f9a-0b1c2d3e4f5a\n"
	    "           name-label ( RW): " NASTY "\n"
	    "    is-control-domain ( RO): false\n"
	    "          power-state ( RO): suspended\n"
	    "        memory-actual ( RO): <expensive field>\n"
	    "    memory-static-max ( RW): 1\n"
	    "         VCPUs-number ( RO): 0\n"
	    "            VCPUs-max ( RW): 1\n"
	    "         other-config (MRW): \n\n\n"
	    "uuid ( RO)                 : 11111111-1111-4111-8111-111111111111\n"
	    "           name-label ( RW): not in the list\n\n\n";
	char			*uu[] = {
		"9f0e1d2c-3b4a-5968-7a6b-5c4d3e2f1a0b",
		"7d1e2f3a-4b5c-6d7e-8f9a-0b1c2d3e4f5a",
		"22222222-2222-4222-8222-222222222222",
	};
	struct hv_strlist	 ex = { uu, 3 }, bad = { uu, 1 };
	struct hv_vm_list	 l;
	char			*p, *nouuid = "x";
	size_t			 n;

	assert_int_equal(hvout_xe_vm_list_sure(text, sizeof text - 1, &ex,
	    &l), 0);
	assert_int_equal(l.n, 3);
	vm_is(&l.v[0], "Control domain on host: lies", HV_RUNNING);
	assert_false(l.v[0].unsure);
	assert_int_equal(l.v[0].memory, 4294967296LL);
	assert_int_equal(l.v[0].cpus, 2);
	assert_string_equal(l.v[0].hvsh_id, "i-0042");
	/* Not a number where one belongs: unsure. */
	assert_true(l.v[1].unsure);
	assert_null(l.v[1].name);
	/* In the list, no record: unsure; the record not in it: dropped. */
	assert_true(l.v[2].unsure);
	assert_string_equal(l.v[2].uuid, uu[2]);
	hv_vm_list_free(&l);
	/* A --minimal entry that is no uuid: refused. */
	bad.v = &nouuid;
	assert_true(hvout_xe_vm_list_sure(text, sizeof text - 1, &bad,
	    &l) < 0);
	/* Every cut: an error or a list of ex's VMs, never a crash. */
	for (n = 0; n < sizeof text - 1; n++) {
		p = xmalloc(n + 1);
		memcpy(p, text, n);
		if (hvout_xe_vm_list_sure(p, n, &ex, &l) == 0) {
			assert_int_equal(l.n, 3);
			hv_vm_list_free(&l);
		}
		free(p);
	}
}

static void
test_xe_minimal_map(void **state)
{
	struct hv_strlist	 l;
	struct piece		 pc;
	char			*text, *line2, *line3, *v;
	size_t			 len;

	text = sample("xe-minimal-DERIVED.txt", &len);
	line2 = strchr(text, '\n') + 1;
	line3 = strchr(line2, '\n') + 1;
	pc.n = (size_t)(line2 - text);
	pc.p = exact(text, pc.n);
	PARSE(hvout_xe_minimal, pc, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "3a6b8e7c-1d2f-4e5a-9b8c-7d6e5f4a3b2c");
	assert_string_equal(l.v[1], "9f0e1d2c-3b4a-5968-7a6b-5c4d3e2f1a0b");
	hv_strlist_free(&l);
	free(pc.p);
	pc.n = (size_t)(line3 - line2);
	pc.p = exact(line2, pc.n);
	PARSE(hvout_xe_minimal, pc, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "Control domain on host: xcp-ng-1");
	assert_string_equal(l.v[1], "web01");
	hv_strlist_free(&l);
	free(pc.p);
	pc.n = len - (size_t)(line3 - text);
	pc.p = exact(line3, pc.n);
	assert_int_equal(pc.n, 1);
	PARSE(hvout_xe_minimal, pc, &l);
	assert_int_equal(l.n, 0);
	free(pc.p);
	free(text);

	pc = cut("xe-blog-add-disk-transcript.txt", "[root@zenserv ~]# xe "
	    "vdi-create*", "[root@");
	PARSE(hvout_xe_minimal, pc, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "a65be954-b7a4-44ec-9603-4c2275e1d1f8");
	hv_strlist_free(&l);
	free(pc.p);

	pc = lit("a\\,b,c\\\\d,,\\x,two\nlines,\\\n");
	PARSE(hvout_xe_minimal, pc, &l);
	assert_int_equal(l.n, 6);
	assert_string_equal(l.v[0], "a,b");
	assert_string_equal(l.v[1], "c\\d");
	assert_string_equal(l.v[2], "");
	assert_string_equal(l.v[3], "\\x");
	assert_string_equal(l.v[4], "two\nlines");
	assert_string_equal(l.v[5], "\\");
	hv_strlist_free(&l);
	free(pc.p);

	assert_int_equal(hvout_xe_map_get("a: 1; hvsh-id: i-1; b: 2", 24,
	    "hvsh-id", &v), 0);
	assert_string_equal(v, "i-1");
	free(v);
	assert_int_equal(hvout_xe_map_get("hvsh-id: x", 10, "hvsh-id", &v), 0);
	assert_string_equal(v, "x");
	free(v);
	assert_int_equal(hvout_xe_map_get("k: ", 3, "k", &v), 0);
	assert_string_equal(v, "");
	free(v);
	assert_int_equal(hvout_xe_map_get("k:", 2, "k", &v), 0);
	assert_string_equal(v, "");
	free(v);
	assert_int_equal(hvout_xe_map_get("xhvsh-id: 1; a: hvsh-id: 2", 26,
	    "hvsh-id", &v), ERR_NOENT);
	assert_int_equal(hvout_xe_map_get("", 0, "hvsh-id", &v), ERR_NOENT);
	assert_int_equal(hvout_xe_map_get("hvsh-id", 7, "hvsh-id", &v),
	    ERR_NOENT);
}

static void
test_xe_host_facts(void **state)
{
	struct hv_facts	f;
	struct buf	b = { NULL, 0, 0 };
	struct piece	pc;

	hv_facts_init(&f);
	pc = cut("xe-host-list-default-DERIVED.txt", NULL, NULL);
	PARSE(hvout_xe_host_facts, pc, &f);
	assert_string_equal(f.hostname, "xcp-ng-1");
	assert_int_equal(f.cpus, -1);
	assert_int_equal(f.memory, -1);
	free(pc.p);

	/* host-param-list (abridged) followed by host-cpu-info. */
	pc = lit("uuid ( RO)                    : b1c2d3e4-f5a6-4b7c-8d9e-"
	    "0f1a2b3c4d5e\n"
	    "              name-label ( RW): xcp-ng-1\n"
	    "        software-version (MRO): product_version: 8.2.1; "
	    "product_version_text: 8.2; product_brand: XCP-ng; xapi: 1.20; "
	    "xen: 4.13.4\n"
	    "                cpu_info (MRO): cpu_count: 8; socket_count: 1; "
	    "vendor: GenuineIntel\n"
	    "                hostname ( RO): xcp1.example\n"
	    "            memory-total ( RO): 34359738368\n"
	    "             memory-free ( RO): 17179869184\n"
	    "    memory-free-computed ( RO): 16106127360\n"
	    "\n\n"
	    "cpu_count        : 8\n"
	    "     socket_count: 1\n\n\n");
	PARSE(hvout_xe_host_facts, pc, &f);
	assert_string_equal(f.hostname, "xcp1.example");
	assert_string_equal(f.version, "XCP-ng 8.2.1");
	assert_int_equal(f.cpus, 8);
	assert_int_equal(f.memory, 34359738368LL);
	assert_int_equal(f.mem_free, 16106127360LL);
	free(pc.p);

	xe_rec(&b, "cpu_count", "12", "vendor", "x", NULL);
	pc = take(&b);
	PARSE(hvout_xe_host_facts, pc, &f);
	assert_int_equal(f.cpus, 12);
	assert_string_equal(f.hostname, "xcp1.example");
	free(pc.p);

	pc = cut("xe-vif-list-params-ralph.txt", NULL, NULL);
	REFUSE(hvout_xe_host_facts, pc, &f);
	free(pc.p);
	hv_facts_clear(&f);
}

static void
test_xe_snapshots_srs(void **state)
{
	struct hv_snapshot_list	sl;
	struct hv_pool_list	pl;
	struct piece		pc;

	pc = cut("xe-vm-list-and-snapshot-list-readme.txt",
	    "--- xe snapshot-list*", NULL);
	PARSE(hvout_xe_snapshot_list, pc, &sl);
	assert_int_equal(sl.n, 1);
	assert_string_equal(sl.v[0].uuid, "7f85624c-174e-33fc-5ab6-f8070b8c8f35");
	assert_string_equal(sl.v[0].name, "export-snapshot");
	assert_int_equal(sl.v[0].created, -1);
	hv_snapshot_list_free(&sl);
	free(pc.p);

	pc = lit("uuid ( RO)                : 7f85624c-174e-33fc-5ab6-"
	    "f8070b8c8f35\n"
	    "          name-label ( RW): before-upgrade\n"
	    "         snapshot-of ( RO): 6d834684-f97e-0488-1f76-70bf72df34ac\n"
	    "       snapshot-time ( RO): 20240501T10:00:00Z\n"
	    "              parent ( RO): <not in database>\n"
	    "         power-state ( RO): suspended\n\n\n");
	PARSE(hvout_xe_snapshot_list, pc, &sl);
	assert_int_equal(sl.n, 1);
	assert_string_equal(sl.v[0].name, "before-upgrade");
	assert_int_equal(sl.v[0].created, 1714557600);
	assert_null(sl.v[0].parent);
	assert_string_equal(sl.v[0].state, "suspended");
	hv_snapshot_list_free(&sl);
	free(pc.p);

	pc = cut("xe-sr-list-default-DERIVED.txt", NULL, NULL);
	PARSE(hvout_xe_sr_list, pc, &pl);
	assert_int_equal(pl.n, 2);
	assert_string_equal(pl.v[0].name, "Local storage");
	assert_string_equal(pl.v[0].uuid, "20f9d73a-f1e5-be80-2fcc-a9863d4112ac");
	assert_string_equal(pl.v[0].host, "xcp-ng-1");
	assert_string_equal(pl.v[0].type, "lvm");
	assert_string_equal(pl.v[0].content, "user");
	assert_int_equal(pl.v[0].shared, 0);
	assert_string_equal(pl.v[1].name, "ISO library");
	assert_null(pl.v[1].host);
	assert_int_equal(pl.v[1].shared, 1);
	assert_int_equal(pl.v[1].size, -1);
	hv_pool_list_free(&pl);
	free(pc.p);

	pc = cut("xe-sr-list-params-ralph.txt", NULL, NULL);
	PARSE(hvout_xe_sr_list, pc, &pl);
	assert_int_equal(pl.n, 5);
	assert_string_equal(pl.v[0].uuid, "81297512-07a6-4642-715a-fae6500a6cae");
	assert_int_equal(pl.v[0].size, -1);
	assert_string_equal(pl.v[0].type, "iso");
	assert_int_equal(pl.v[1].size, 0);
	assert_string_equal(pl.v[1].type, "udev");
	assert_int_equal(pl.v[2].size, 64768442368LL);
	assert_string_equal(pl.v[2].type, "lvm");
	assert_null(pl.v[2].name);
	assert_string_equal(pl.v[4].uuid, "9393c492-4311-4dde-9413-75150afdcd97");
	hv_pool_list_free(&pl);
	free(pc.p);

	pc = cut("xe-blog-add-disk-transcript.txt", "[root@zenserv ~]# xe "
	    "sr-list*", "[root@");
	PARSE(hvout_xe_sr_list, pc, &pl);
	assert_int_equal(pl.n, 1);
	assert_string_equal(pl.v[0].name, "Local storage");
	assert_string_equal(pl.v[0].host, "zenserv");
	hv_pool_list_free(&pl);
	free(pc.p);
}

static void
xerr(const char *marker, const char *stop, int code, const char *api,
    const char *reason, size_t nparams, const char *p0)
{
	const char	*file = "xe-errors-DERIVED.txt";
	struct hv_error	 e;
	struct piece	 pc;

	if (strncmp(marker, "[root@", 6) == 0)
		file = "xe-blog-add-disk-transcript.txt";
	pc = cut(file, marker, stop);
	PARSE(hvout_xe_error, pc, &e);
	if (e.code != code)
		fail_msg("%s: code %d, expected %d", marker, e.code, code);
	if (api == NULL)
		assert_null(e.api_code);
	else
		assert_string_equal(e.api_code, api);
	assert_string_equal(e.reason, reason);
	assert_int_equal(e.nparams, nparams);
	if (p0 != NULL)
		assert_string_equal(e.params[0], p0);
	hv_error_clear(&e);
	free(pc.p);
}

static void
test_xe_errors(void **state)
{
	struct hv_error	e;
	struct piece	pc;

	xerr("=== xe vm-start uuid=<running vm>", "=== ", ERR_BUSY,
	    "VM_BAD_POWER_STATE", "VM is running; the operation needs it "
	    "halted", 3, "9f0e1d2c-3b4a-5968-7a6b-5c4d3e2f1a0b (web01)");
	xerr("=== xe vm-shutdown uuid=<halted vm>*", "=== ", ERR_BUSY,
	    "VM_BAD_POWER_STATE", "VM is halted; the operation needs it "
	    "running", 3, NULL);
	xerr("=== xe vm-param-get uuid=nonexistent param-name=power-state",
	    "=== ", ERR_NOENT, "UUID_INVALID", "no VM with uuid nonexistent", 2,
	    "VM");
	xerr("=== xe vm-start uuid=nonexistent*", "=== ", ERR_NOENT, NULL,
	    "No matching VMs found", 0, NULL);
	xerr("=== xe vm-param-get uuid=<vm> param-name=no-such-field", "=== ",
	    ERR_INVAL, "Missing parameter", "Missing parameter: no-such-field",
	    1, "no-such-field");
	xerr("=== xe no-such-command", "=== ", ERR_INVAL, NULL,
	    "Unknown command: no-such-command", 0, NULL);
	xerr("=== xe vm-install template=x*", "=== ", ERR_INVAL, NULL,
	    "Required parameter not found: new-name-label", 0, NULL);
	xerr("=== xe -s host -u root -pw wrong vm-list", "=== ", ERR_PERM,
	    "SESSION_AUTHENTICATION_FAILED", "Authentication failed", 0, NULL);
	/* Older xapi, double spaces, and the blog wrapped the text. */
	xerr("[root@zenserv ~]# xe vbd-plug*", "[root@", ERR_BUSY,
	    "VM_BAD_POWER_STATE", "VM is halted; the operation needs it "
	    "running", 3, "ba73ef4f-ad8a-91c9-a9d8-ebea92f5081f (zphome)");

	pc = lit("Error code: SR_BACKEND_FAILURE_44\n"
	    "Error parameters: , There is insufficient space, \n");
	PARSE(hvout_xe_error, pc, &e);
	assert_int_equal(e.code, ERR_FAIL);
	assert_string_equal(e.api_code, "SR_BACKEND_FAILURE_44");
	assert_int_equal(e.nparams, 3);
	assert_string_equal(e.params[0], "");
	assert_string_equal(e.params[1], "There is insufficient space");
	hv_error_clear(&e);
	free(pc.p);

	pc = lit("The server failed to handle your request, due to an internal "
	    "error. The given message may give details useful for debugging "
	    "the problem.\nmessage: Db_exn.Uniqueness_constraint_violation\n");
	PARSE(hvout_xe_error, pc, &e);
	assert_string_equal(e.api_code, "INTERNAL_ERROR");
	assert_string_equal(e.reason, "xapi internal error: "
	    "Db_exn.Uniqueness_constraint_violation");
	hv_error_clear(&e);
	free(pc.p);

	pc = lit("Another operation involving the object is currently in "
	    "progress\nclass: VM\nobject: 9f0e (web01)\noperation_type: "
	    "clean_shutdown\noperation_ref: OpaqueRef:1\n");
	PARSE(hvout_xe_error, pc, &e);
	assert_int_equal(e.code, ERR_BUSY);
	assert_string_equal(e.reason, "another operation is in progress on "
	    "this VM");
	assert_int_equal(e.nparams, 4);
	hv_error_clear(&e);
	free(pc.p);

	pc = lit("Something new happened.\nthing: " NASTY "\n");
	PARSE(hvout_xe_error, pc, &e);
	assert_int_equal(e.code, ERR_FAIL);
	assert_null(e.api_code);
	assert_string_equal(e.reason, "Something new happened.");
	assert_string_equal(e.params[0], NASTY);
	hv_error_clear(&e);
	free(pc.p);

	pc = lit("\n\n");
	REFUSE(hvout_xe_error, pc, &e);
	free(pc.p);
}

/* ---- vmrun ---- */

static void
test_vmrun_list(void **state)
{
	struct hv_vm_list	l;
	struct piece		pc;

	pc = cut("vmrun-list-blog-zh.txt", NULL, NULL);
	PARSE(hvout_vmrun_list, pc, &l);
	assert_int_equal(l.n, 2);
	vm_is(&l.v[0], "CentOS-mysql", HV_RUNNING);
	assert_string_equal(l.v[0].path,
	    "/root/vmware/CentOS-mysql/CentOS-mysql.vmx");
	assert_string_equal(l.v[1].path,
	    "/root/vmware/CentOS-svn-bak/CentOS-mysql.vmx");
	hv_vm_list_free(&l);
	free(pc.p);

	pc = cut("vmrun-list-packer-issue-3878.txt", NULL, NULL);
	PARSE(hvout_vmrun_list, pc, &l);
	assert_int_equal(l.n, 1);
	vm_is(&l.v[0], "windows2012r2-vanilla-1473415423", HV_RUNNING);
	assert_string_equal(l.v[0].path, "/opt/packer/output-vmware-vmx/"
	    "windows2012r2-vanilla-1473415423.vmx");
	hv_vm_list_free(&l);
	free(pc.p);

	/* Windows line ends, spaces and non-ASCII in paths, a Fusion log. */
	pc = lit("2015-08-31T17:57:29.547| ServiceImpl_Opener: PID 5033\r\n"
	    "Total running VMs: 2\r\n"
	    "C:\\VMs\\Win 11\\Windows 11 x64.vmx\r\n"
	    "/Users/g/Virtual Machines.localized/k\xc3\xbc" "01/k01.vmx\r\n");
	PARSE(hvout_vmrun_list, pc, &l);
	assert_int_equal(l.n, 2);
	vm_is(&l.v[0], "Windows 11 x64", HV_RUNNING);
	assert_string_equal(l.v[0].path, "C:\\VMs\\Win 11\\Windows 11 x64.vmx");
	assert_string_equal(l.v[1].path,
	    "/Users/g/Virtual Machines.localized/k\xc3\xbc" "01/k01.vmx");
	hv_vm_list_free(&l);
	free(pc.p);

	pc = lit("Total running VMs: 0\n");
	PARSE(hvout_vmrun_list, pc, &l);
	assert_int_equal(l.n, 0);
	hv_vm_list_free(&l);
	free(pc.p);

	/* Truncated: fewer paths than announced. */
	pc = lit("Total running VMs: 2\n/a/a.vmx\n");
	REFUSE(hvout_vmrun_list, pc, &l);
	free(pc.p);
	pc = cut("vmrun-help-ws17-player.txt", NULL, NULL);
	REFUSE(hvout_vmrun_list, pc, &l);
	free(pc.p);
	pc = cut("vmrun-errors-captured.txt", "=== hashicorp/vagrant-vmware-"
	    "desktop issue #78*", "=== ");
	REFUSE(hvout_vmrun_list, pc, &l);
	free(pc.p);
}


/* list with doubt: a path holding a newline, or a line twice. */
static void
test_vmrun_list_doubt(void **state)
{
	struct hv_vm_list	l;
	struct piece		pc;
	int			doubt = -1;

	pc = lit("Total running VMs: 1\n/x/a\n/h/b.vmx\n");
	assert_int_equal(hvout_vmrun_list_doubt(pc.p, pc.n, &l, &doubt), 0);
	assert_int_equal(doubt, 1);
	assert_int_equal(l.n, 2);
	hv_vm_list_free(&l);
	free(pc.p);
	pc = lit("Total running VMs: 2\n/h/b.vmx\n/h/b.vmx\n");
	assert_int_equal(hvout_vmrun_list_doubt(pc.p, pc.n, &l, &doubt), 0);
	assert_int_equal(doubt, 1);
	hv_vm_list_free(&l);
	/* The strict reader takes a line twice, as before. */
	PARSE(hvout_vmrun_list, pc, &l);
	assert_int_equal(l.n, 2);
	hv_vm_list_free(&l);
	free(pc.p);
	pc = lit("Total running VMs: 2\n/h/a.vmx\n/h/b.vmx\n");
	assert_int_equal(hvout_vmrun_list_doubt(pc.p, pc.n, &l, &doubt), 0);
	assert_int_equal(doubt, 0);
	hv_vm_list_free(&l);
	free(pc.p);
	pc = cut("vmrun-help-ws17-player.txt", NULL, NULL);
	assert_true(hvout_vmrun_list_doubt(pc.p, pc.n, &l, &doubt) < 0);
	free(pc.p);
}

static void
test_vmrun_snapshots(void **state)
{
	struct hv_snapshot_list	l;
	struct piece		pc;

	pc = lit("Total snapshots: 2\nsnap1\nsnap 2\n");
	PARSE(hvout_vmrun_snapshots, pc, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, "snap1");
	assert_string_equal(l.v[1].name, "snap 2");
	assert_null(l.v[1].parent);
	assert_int_equal(l.v[1].created, -1);
	hv_snapshot_list_free(&l);
	free(pc.p);

	/* showTree: one tab per level below the parent. */
	pc = lit("Total snapshots: 5\r\nbase\r\n\tupdates\r\n\t\tapp\r\n"
	    "\tother\r\nsecond-root\r\n");
	PARSE(hvout_vmrun_snapshots, pc, &l);
	assert_int_equal(l.n, 5);
	assert_null(l.v[0].parent);
	assert_string_equal(l.v[1].name, "updates");
	assert_string_equal(l.v[1].parent, "base");
	assert_string_equal(l.v[2].parent, "updates");
	assert_string_equal(l.v[3].name, "other");
	assert_string_equal(l.v[3].parent, "base");
	assert_null(l.v[4].parent);
	hv_snapshot_list_free(&l);
	free(pc.p);

	pc = lit("Total snapshots: 0\n");
	PARSE(hvout_vmrun_snapshots, pc, &l);
	assert_int_equal(l.n, 0);
	hv_snapshot_list_free(&l);
	free(pc.p);

	pc = lit("Total snapshots: 1\n\t\torphan\n");
	REFUSE(hvout_vmrun_snapshots, pc, &l);
	free(pc.p);
	pc = lit("Total snapshots: 3\na\nb\n");
	REFUSE(hvout_vmrun_snapshots, pc, &l);
	free(pc.p);
	pc = lit("Total running VMs: 0\n");
	REFUSE(hvout_vmrun_snapshots, pc, &l);
	free(pc.p);
}

static void
rerr(const char *marker, int code, const char *reason)
{
	struct hv_error	e;
	struct piece	pc;

	pc = cut("vmrun-errors-captured.txt", marker, "=== ");
	PARSE(hvout_vmrun_error, pc, &e);
	if (e.code != code)
		fail_msg("%s: code %d, expected %d", marker, e.code, code);
	assert_string_equal(e.reason, reason);
	assert_null(e.api_code);
	assert_int_equal(e.nparams, 0);
	hv_error_clear(&e);
	free(pc.p);
}

static void
test_vmrun_errors(void **state)
{
	struct hv_error	e;
	struct piece	pc;

	rerr("=== cbednarski/lovm vmware/notes.md @036d*", ERR_BUSY,
	    "The virtual machine is not powered on: "
	    "/home/cbednarski/code/epic/.lovm/epic/epic.vmx");
	rerr("=== cbednarski/lovm vmware/notes.md : `vmrun deleteVM*",
	    ERR_BUSY, "The virtual machine should not be powered on. It is "
	    "already running.");
	rerr("=== hashicorp/packer issue #1300*", ERR_BUSY,
	    "The virtual machine is not powered on: C:\\github\\misheska\\"
	    "windows-vm.winrm\\output-vmware-iso_win7x64-enterprise\\"
	    "win7x64-enterprise.vmx");
	rerr("=== cloudfoundry-attic/bosh-lite issue #257*", ERR_IO,
	    "Cannot open VM: /Volumes/LaCie/Vagrant/.vagrant/machines/default/"
	    "vmware_fusion/567e8798-09c4-45f0-a765-014aeca6a986/owz.vmx, "
	    "Cannot read the virtual machine configuration file");
	rerr("=== public notes (index id 4666530628)*", ERR_NOENT,
	    "Cannot open VM: /Users/huatai/Virtual\\ Machines.localized/"
	    "centos7_base.vmwarevm/centos7_base.vmx, The virtual machine "
	    "cannot be found");
	rerr("=== public notes (index id 58025880755)*", ERR_PERM,
	    "Cannot open VM: /home/chesszyh/vmware/Windows11/Windows 11 "
	    "x64.vmx, Incorrect password");
	rerr("=== vagrant issue output quoted in index id 4670678172*",
	    ERR_BUSY, "The VMware Tools are not running in the virtual "
	    "machine: /Users/jconover/src/vagrant/pe-vagrant-all/.vagrant/"
	    "machines/master/vmware_fusion/722ef238-ad01-428c-adf7-"
	    "f979c9aee6bf/packer-centos-6.6-x86_64.vmx");
	rerr("=== hashicorp/vagrant issue #2159*", ERR_FAIL,
	    "Cannot connect to the virtual machine");
	rerr("=== hashicorp/vagrant issue #9224*", ERR_FAIL, "Unknown error");
	rerr("=== hashicorp/vagrant issue #6216*", ERR_FAIL,
	    "The operation was canceled");
	rerr("=== hashicorp/vagrant-vmware-desktop issue #78*", ERR_INVAL,
	    "Invalid host type 'player' specified: The operation is not "
	    "supported");

	pc = lit("Error: One of the parameters was invalid\r\n");
	PARSE(hvout_vmrun_error, pc, &e);
	assert_int_equal(e.code, ERR_INVAL);
	assert_string_equal(e.reason, "One of the parameters was invalid");
	hv_error_clear(&e);
	free(pc.p);

	pc = cut("vmrun-help-ws17-player.txt", NULL, NULL);
	REFUSE(hvout_vmrun_error, pc, &e);
	free(pc.p);
	pc = cut("vmrun-list-blog-zh.txt", NULL, NULL);
	REFUSE(hvout_vmrun_error, pc, &e);
	free(pc.p);
}

static void
test_vmx(void **state)
{
	struct hv_vm	 vm;
	struct piece	 pc, pc2;
	char		*out, *v, *text;
	size_t		 len;

	pc = cut("vmx-centos-lovm-fixture.vmx.txt", NULL, NULL);
	PARSE(hvout_vmrun_vmx, pc, &vm);
	vm_is(&vm, "Clone of centos7", HV_UNKNOWN);
	assert_int_equal(vm.memory, 2048 * MiB);
	assert_int_equal(vm.cpus, 2);
	assert_string_equal(vm.uuid, "564d876b-50be-52c8-8d5b-57ac21f707f2");
	assert_null(vm.hvsh_id);
	assert_null(vm.path);
	hv_vm_clear(&vm);

	assert_int_equal(hvout_vmrun_vmx_get(pc.p, pc.n, "GUESTOS", &v), 0);
	assert_string_equal(v, "centos7-64");
	free(v);
	assert_int_equal(hvout_vmrun_vmx_get(pc.p, pc.n, "vc.uuid", &v), 0);
	assert_string_equal(v, "");
	free(v);
	assert_int_equal(hvout_vmrun_vmx_get(pc.p, pc.n, "hvsh.id", &v),
	    ERR_NOENT);

	/* Append our id: the file is the same plus one line. */
	assert_int_equal(hvout_vmrun_vmx_set(pc.p, pc.n, "hvsh.id", "i-0042",
	    &out), 0);
	assert_int_equal(strlen(out), pc.n + strlen("hvsh.id = \"i-0042\"\n"));
	assert_memory_equal(out, pc.p, pc.n);
	assert_string_equal(out + pc.n, "hvsh.id = \"i-0042\"\n");
	pc2.n = strlen(out);
	pc2.p = exact(out, pc2.n);
	free(out);
	PARSE(hvout_vmrun_vmx, pc2, &vm);
	assert_string_equal(vm.hvsh_id, "i-0042");
	hv_vm_clear(&vm);

	/* Replace in place, whatever the case of the key in the file. */
	assert_int_equal(hvout_vmrun_vmx_set(pc2.p, pc2.n, "displayname",
	    "web01", &out), 0);
	text = sample("vmx-centos-lovm-fixture.vmx.txt", &len);
	assert_non_null(strstr(text, "displayName = \"Clone of centos7\"\n"));
	assert_non_null(strstr(out, "\ndisplayname = \"web01\"\n"));
	assert_null(strstr(out, "Clone of centos7"));
	assert_int_equal(strlen(out), len + strlen("hvsh.id = \"i-0042\"\n") -
	    strlen("displayName = \"Clone of centos7\"") +
	    strlen("displayname = \"web01\""));
	free(text);
	free(pc2.p);
	pc2.n = strlen(out);
	pc2.p = exact(out, pc2.n);
	free(out);
	PARSE(hvout_vmrun_vmx, pc2, &vm);
	vm_is(&vm, "web01", HV_UNKNOWN);
	hv_vm_clear(&vm);
	free(pc2.p);
	free(pc.p);

	/* Duplicates: the last one counts; setting drops the later ones. */
	pc = lit("memsize = \"512\"\r\nnumvcpus = 4\r\n# c\r\n"
	    "MEMSIZE = \"1024\"\r\ndisplayName = \"" NASTY "\"");
	PARSE(hvout_vmrun_vmx, pc, &vm);
	assert_int_equal(vm.memory, 1024 * MiB);
	assert_int_equal(vm.cpus, 4);
	assert_string_equal(vm.name, NASTY);
	assert_null(vm.uuid);
	hv_vm_clear(&vm);
	assert_int_equal(hvout_vmrun_vmx_set(pc.p, pc.n, "memsize", "2048",
	    &out), 0);
	assert_string_equal(out, "memsize = \"2048\"\r\nnumvcpus = 4\r\n"
	    "# c\r\ndisplayName = \"" NASTY "\"");
	free(out);
	assert_int_equal(hvout_vmrun_vmx_set(pc.p, pc.n, "hvsh.id", "x",
	    &out), 0);
	assert_string_equal(out + pc.n, "\r\nhvsh.id = \"x\"\r\n");
	free(out);
	assert_int_equal(hvout_vmrun_vmx_set(pc.p, pc.n, "hvsh.id", "a\"b",
	    &out), ERR_INVAL);
	assert_int_equal(hvout_vmrun_vmx_set(pc.p, pc.n, "hvsh.id", "a\nb",
	    &out), ERR_INVAL);
	assert_int_equal(hvout_vmrun_vmx_set(pc.p, pc.n, "bad key", "x",
	    &out), ERR_INVAL);
	assert_int_equal(hvout_vmrun_vmx_set(pc.p, pc.n, "", "x", &out),
	    ERR_INVAL);
	free(pc.p);

	pc = lit("displayName = \"x\"\n");
	PARSE(hvout_vmrun_vmx, pc, &vm);
	assert_int_equal(vm.cpus, 1);	/* VMware's default */
	assert_int_equal(vm.memory, -1);
	hv_vm_clear(&vm);
	free(pc.p);

	/* Not a .vmx: refused, and not edited either. */
	pc = cut("vmrun-help-ws17-player.txt", NULL, NULL);
	REFUSE(hvout_vmrun_vmx, pc, &vm);
	assert_true(hvout_vmrun_vmx_set(pc.p, pc.n, "hvsh.id", "x", &out) < 0);
	free(pc.p);
	pc = lit("displayName = \"unterminated\n");
	REFUSE(hvout_vmrun_vmx, pc, &vm);
	free(pc.p);
}

/* ---- robustness ---- */

#define FREE_RESULT(type, fn, freefn)					\
static int								\
w_##fn(const char *t, size_t n)						\
{									\
	type	r;							\
	int	rc = fn(t, n, &r);					\
	if (rc == 0)							\
		freefn(&r);						\
	else if (rc > 0)						\
		fail_msg(#fn " returned %d", rc);			\
	return rc;							\
}

static void
vm_list_walk(struct hv_vm_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		/* strlen() makes ASan check every string it is handed. */
		if (l->v[i].name != NULL)
			assert_true(strlen(l->v[i].name) < (size_t)-1);
		if (l->v[i].uuid != NULL)
			assert_int_equal(strlen(l->v[i].uuid), 36);
		assert_true(l->v[i].state <= HV_UNKNOWN);
	}
	hv_vm_list_free(l);
}

static void
snap_walk(struct hv_snapshot_list *l)
{
	size_t	i;

	/* xe without name-label in params= gives unnamed snapshots. */
	for (i = 0; i < l->n; i++)
		assert_true(l->v[i].name != NULL || l->v[i].uuid != NULL);
	hv_snapshot_list_free(l);
}

static void
err_walk(struct hv_error *e)
{
	size_t	i;

	assert_true(e->code < 0);
	assert_non_null(e->reason);
	for (i = 0; i < e->nparams; i++)
		assert_non_null(e->params[i]);
	hv_error_clear(e);
}

static void
facts_walk(struct hv_facts *f)
{
	hv_facts_clear(f);
}

static void
vm_walk(struct hv_vm *vm)
{
	hv_vm_clear(vm);
}

static void
str_walk(char **s)
{
	free(*s);
}

FREE_RESULT(struct hv_vm_list, hvout_virsh_list, vm_list_walk)
FREE_RESULT(struct hv_vm_list, hvout_virsh_list_name, vm_list_walk)
FREE_RESULT(struct hv_vm_list, hvout_virsh_list_uuid, vm_list_walk)
FREE_RESULT(struct hv_vm, hvout_virsh_dominfo, vm_walk)
FREE_RESULT(struct hv_vmstate, hvout_virsh_domstate, hv_vmstate_clear)
FREE_RESULT(struct hv_vm_list, hvout_virsh_domstats, vm_list_walk)
FREE_RESULT(struct hv_snapshot_list, hvout_virsh_snapshot_list, snap_walk)
FREE_RESULT(struct hv_snapshot_list, hvout_virsh_snapshot_name, snap_walk)
FREE_RESULT(struct hv_error, hvout_virsh_error, err_walk)
FREE_RESULT(char *, hvout_virsh_metadata_id, str_walk)
FREE_RESULT(char *, hvout_virsh_metadata_elem, str_walk)
FREE_RESULT(struct hv_xe_records, hvout_xe_records, hvout_xe_records_free)
FREE_RESULT(struct hv_strlist, hvout_xe_minimal, hv_strlist_free)
FREE_RESULT(struct hv_vm_list, hvout_xe_vm_list, vm_list_walk)
FREE_RESULT(struct hv_snapshot_list, hvout_xe_snapshot_list, snap_walk)
FREE_RESULT(struct hv_pool_list, hvout_xe_sr_list, hv_pool_list_free)
FREE_RESULT(struct hv_error, hvout_xe_error, err_walk)
FREE_RESULT(struct hv_vm_list, hvout_vmrun_list, vm_list_walk)
FREE_RESULT(struct hv_snapshot_list, hvout_vmrun_snapshots, snap_walk)
FREE_RESULT(struct hv_error, hvout_vmrun_error, err_walk)
FREE_RESULT(struct hv_vm, hvout_vmrun_vmx, vm_walk)

/* Facts parsers fill a struct that already holds facts. */
#define FACTS(fn)							\
static int								\
w_##fn(const char *t, size_t n)						\
{									\
	struct hv_facts	f;						\
	int		rc;						\
	hv_facts_init(&f);						\
	f.version = xstrdup("old");					\
	rc = fn(t, n, &f);						\
	assert_non_null(f.version);					\
	facts_walk(&f);							\
	return rc;							\
}

FACTS(hvout_virsh_nodeinfo)
FACTS(hvout_virsh_nodememstats)
FACTS(hvout_virsh_freecell)
FACTS(hvout_virsh_version)
FACTS(hvout_xe_host_facts)

static int
w_map_get(const char *t, size_t n)
{
	char	*v;
	int	 rc = hvout_xe_map_get(t, n, "hvsh-id", &v);

	if (rc == 0)
		free(v);
	return rc;
}

static int
w_vmx_get(const char *t, size_t n)
{
	char	*v;
	int	 rc = hvout_vmrun_vmx_get(t, n, "displayName", &v);

	if (rc == 0)
		free(v);
	return rc;
}

static int
w_vmx_set(const char *t, size_t n)
{
	char	*v;
	int	 rc = hvout_vmrun_vmx_set(t, n, "hvsh.id", "i-1", &v);

	if (rc == 0) {
		assert_true(strlen(v) >= strlen("hvsh.id = \"i-1\""));
		free(v);
	}
	return rc;
}

static const struct parser {
	const char	*name;
	int		(*fn)(const char *, size_t);
} parsers[] = {
#define P(fn)	{ #fn, w_##fn }
	P(hvout_virsh_list), P(hvout_virsh_list_name),
	P(hvout_virsh_list_uuid), P(hvout_virsh_dominfo),
	P(hvout_virsh_domstate), P(hvout_virsh_domstats),
	P(hvout_virsh_nodeinfo), P(hvout_virsh_nodememstats),
	P(hvout_virsh_freecell), P(hvout_virsh_version),
	P(hvout_virsh_snapshot_list), P(hvout_virsh_snapshot_name),
	P(hvout_virsh_error), P(hvout_virsh_metadata_id),
	P(hvout_virsh_metadata_elem),
	P(hvout_xe_records), P(hvout_xe_minimal), P(map_get),
	P(hvout_xe_vm_list), P(hvout_xe_host_facts),
	P(hvout_xe_snapshot_list), P(hvout_xe_sr_list), P(hvout_xe_error),
	P(hvout_vmrun_list), P(hvout_vmrun_snapshots), P(hvout_vmrun_error),
	P(hvout_vmrun_vmx), P(vmx_get), P(vmx_set),
#undef P
};

/* Every parser on s: results freed, return codes 0 or negative. */
static void
all_parsers(const char *s, size_t n)
{
	char	*p = exact(s, n);
	size_t	 i;
	int	 rc;

	for (i = 0; i < nitems(parsers); i++) {
		rc = parsers[i].fn(p, n);
		if (rc > 0)
			fail_msg("%s returned %d", parsers[i].name, rc);
	}
	free(p);
}

static void
test_prefixes(void **state)
{
	char	*text;
	size_t	 len, i, k;

	for (i = 0; i < nitems(sample_files); i++) {
		text = sample(sample_files[i], &len);
		for (k = 0; k <= len; k++)
			all_parsers(text, k);
		free(text);
	}
}

static uint64_t	rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Bytes the parsers care about, and some they should not. */
static char
rnd_byte(void)
{
	static const char	interesting[] = " \n\n\t\r:=\"'()-,;\\|#<>/"
	    "0123456789abcRWOSM\033\x7f\xc3\xbc\x80\xff";

	if (rnd() % 3 == 0)
		return (char)(rnd() & 0xff);
	return interesting[rnd() % (sizeof interesting - 1)];
}

static void
test_random(void **state)
{
	char	 buf[4096], *text;
	size_t	 i, k, n, len;

	for (i = 0; i < 2000; i++) {
		n = (size_t)(rnd() % sizeof buf);
		for (k = 0; k < n; k++)
			buf[k] = rnd_byte();
		all_parsers(buf, n);
	}
	/* Samples with a few bytes changed, dropped or doubled. */
	for (i = 0; i < nitems(sample_files); i++) {
		text = sample(sample_files[i], &len);
		for (k = 0; k < 150 && len > 0; k++) {
			char	*m = xmalloc(len * 2 + 1);
			size_t	 j, ml = 0, cuts = 1 + rnd() % 4;

			memcpy(m, text, len);
			ml = len;
			for (j = 0; j < cuts; j++) {
				size_t	at = (size_t)(rnd() % ml);

				switch (rnd() % 3) {
				case 0:
					m[at] = rnd_byte();
					break;
				case 1:
					memmove(m + at, m + at + 1,
					    ml - at - 1);
					ml--;
					break;
				default:
					if (ml < len * 2) {
						memmove(m + at + 1, m + at,
						    ml - at);
						ml++;
					}
					break;
				}
				if (ml == 0)
					break;
			}
			all_parsers(m, ml);
			free(m);
		}
		free(text);
	}
}

/* Each sample with a NUL put in: refused by everyone. */
static void
test_nul(void **state)
{
	char	*text, *p;
	size_t	 len, i, k, j, at;

	for (i = 0; i < nitems(sample_files); i++) {
		text = sample(sample_files[i], &len);
		for (k = 0; k < 4; k++) {
			at = k == 0 ? 0 : k == 3 ? len - 1 :
			    (size_t)(rnd() % len);
			p = exact(text, len);
			p[at] = '\0';
			for (j = 0; j < nitems(parsers); j++)
				if (parsers[j].fn(p, len) >= 0)
					fail_msg("%s took a NUL at %zu of %s",
					    parsers[j].name, at,
					    sample_files[i]);
			free(p);
		}
		free(text);
	}
}

/* A buffer of pre, n copies of fill, post. */
static struct piece
big(const char *pre, char fill, size_t n, const char *post)
{
	struct piece	pc;
	size_t		pl = strlen(pre), ql = strlen(post);

	pc.n = pl + n + ql;
	pc.p = malloc(pc.n);
	assert_non_null(pc.p);
	memcpy(pc.p, pre, pl);
	memset(pc.p + pl, fill, n);
	memcpy(pc.p + pl + n, post, ql);
	return pc;
}

static void
test_big(void **state)
{
	static const char	fills[] = "a \t\n-:=,\033";
	struct hv_vm_list	l;
	struct hv_xe_records	rs;
	struct hv_vm		vm;
	struct piece		pc;
	size_t			i;

	for (i = 0; i < sizeof fills - 1; i++) {
		pc = big("", fills[i], BIG, "");
		all_parsers(pc.p, pc.n);
		free(pc.p);
		pc = big("", fills[i], BIG, "\n");
		all_parsers(pc.p, pc.n);
		free(pc.p);
	}

	pc = big("", 'n', BIG, "\n\n");
	PARSE(hvout_virsh_list_name, pc, &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(strlen(l.v[0].name), BIG);
	hv_vm_list_free(&l);
	free(pc.p);

	pc = big(" Id   Name   State\n-------------------\n -    ", 'n', BIG,
	    "   shut off\n\n");
	PARSE(hvout_virsh_list, pc, &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(strlen(l.v[0].name), BIG);
	assert_int_equal(l.v[0].state, HV_STOPPED);
	hv_vm_list_free(&l);
	free(pc.p);
	pc = big(" Id   Name   State\n------\n -    ", ' ', BIG, "x\n");
	all_parsers(pc.p, pc.n);
	free(pc.p);

	pc = big("Domain: '", 'd', BIG, "'\n  state.state=1\n");
	PARSE(hvout_virsh_domstats, pc, &l);
	assert_int_equal(strlen(l.v[0].name), BIG);
	hv_vm_list_free(&l);
	free(pc.p);

	pc = big("uuid ( RO)          : ", 'u', BIG,
	    "\n    name-label ( RW): x\n");
	PARSE(hvout_xe_records, pc, &rs);
	assert_int_equal(strlen(rs.r[0].f[0].value), BIG);
	hvout_xe_records_free(&rs);
	free(pc.p);

	pc = big("Total running VMs: 1\n/", 'p', BIG, ".vmx\n");
	PARSE(hvout_vmrun_list, pc, &l);
	assert_int_equal(strlen(l.v[0].path), BIG + 5);
	hv_vm_list_free(&l);
	free(pc.p);

	pc = big("displayName = \"", 'v', BIG, "\"\n");
	PARSE(hvout_vmrun_vmx, pc, &vm);
	assert_int_equal(strlen(vm.name), BIG);
	hv_vm_clear(&vm);
	free(pc.p);

	/* Many lines, many items, a deep tree, a URI repeated. */
	pc = big("", '\n', BIG, "");
	for (i = 0; i < BIG; i += 2)
		pc.p[i] = 'x';
	all_parsers(pc.p, pc.n);
	free(pc.p);
	pc = big("", ',', BIG, "\n");
	all_parsers(pc.p, pc.n);
	free(pc.p);
	pc = big("Total snapshots: 1\n", '\t', BIG, "x\n");
	all_parsers(pc.p, pc.n);
	free(pc.p);
	{
		const char	*uri = " xmlns=\"https://hvsh.invalid/ns/1\"";
		size_t		 ul = strlen(uri), n = BIG / ul;

		pc.n = n * ul + 1;
		pc.p = malloc(pc.n);
		assert_non_null(pc.p);
		for (i = 0; i < n; i++)
			memcpy(pc.p + i * ul, uri, ul);
		pc.p[pc.n - 1] = '>';
		all_parsers(pc.p, pc.n);
		free(pc.p);
	}
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_datetime),
		cmocka_unit_test(test_virsh_list),
		cmocka_unit_test(test_virsh_list_libvirt),
		cmocka_unit_test(test_virsh_list_old),
		cmocka_unit_test(test_virsh_list_captured),
		cmocka_unit_test(test_virsh_list_name_uuid),
		cmocka_unit_test(test_virsh_storage),
		cmocka_unit_test(test_virsh_domstate),
		cmocka_unit_test(test_virsh_dominfo),
		cmocka_unit_test(test_virsh_domstats),
		cmocka_unit_test(test_virsh_facts),
		cmocka_unit_test(test_virsh_snapshots),
		cmocka_unit_test(test_virsh_errors),
		cmocka_unit_test(test_virsh_metadata),
		cmocka_unit_test(test_xe_records),
		cmocka_unit_test(test_xe_vm_list),
		cmocka_unit_test(test_xe_vm_list_sure),
		cmocka_unit_test(test_xe_minimal_map),
		cmocka_unit_test(test_xe_host_facts),
		cmocka_unit_test(test_xe_snapshots_srs),
		cmocka_unit_test(test_xe_errors),
		cmocka_unit_test(test_vmrun_list),
		cmocka_unit_test(test_vmrun_list_doubt),
		cmocka_unit_test(test_vmrun_snapshots),
		cmocka_unit_test(test_vmrun_errors),
		cmocka_unit_test(test_vmx),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_big),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
