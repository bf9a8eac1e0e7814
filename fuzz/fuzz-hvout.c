/*
 * fuzz-hvout.c: a libFuzzer harness for the parsers of hvout.h and for
 * drv_sections(), the code that reads what virsh, xe and vmrun print on a
 * host, which hvsh does not control.
 *
 * The first byte of an input picks a target from targets[] (modulo their
 * number); a target marked with an argument takes one more byte, which
 * picks a key or a value from the tables below. The rest is the host's
 * text, passed as libFuzzer hands it over: no NUL is added, so ASan reports
 * any read past len, which hvout.h promises never happens.
 *
 * Besides crashes and leaks it checks what hvout.h and driver.h promise and
 * aborts when a promise is broken: a failed parser leaves *out as it was,
 * every string in a result is a C string, a .vmx written by vmx_set reads
 * back the value that was set, and drv_sections' parts lie inside the
 * output in order, each followed by its marker.
 *
 * With HVSH_FUZZ_LIST=1 in the environment the binary prints its targets
 * ("index name family nargs") and exits; fuzz/seeds.py reads that to
 * prefix the samples with the right bytes, so the two cannot drift apart.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "err.h"
#include "hvout.h"

#define nelem(a)	(sizeof (a) / sizeof (a)[0])

/* A broken promise: say which, and crash so libFuzzer keeps the input. */
#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz-hvout: %s:%d: check failed: %s\n", \
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* Pointers the parsers must leave alone when they fail. */
static char	untouched[] = "untouched";

/* Keys for xe maps: ones hvsh reads, an odd one and an empty one. */
static const char *const map_keys[] = {
	"hvsh-id", "product_version", "product_brand", "xapi", "cpu_count",
	"memory-actual", "k", "",
};

/* Keys for .vmx files: ones hvsh reads and writes, and two bad ones. */
static const char *const vmx_keys[] = {
	"displayName", "memsize", "numvcpus", "uuid.bios", "hvsh.id",
	"scsi0:0.fileName", "DISPLAYNAME", "bad key", "",
};

/* Values for vmx_set: plain, edge and refused ones. */
static const char *const vmx_values[] = {
	"", "web1", "4096", "a b ", " lead", "C:\\vms\\a b.vmdk", "=#",
	"q\"uote", "pi|pe", "new\nline",
};

/* Fields read out of every xe record, as the typed views do. */
static const char *const xe_fields[] = {
	"uuid", "name-label", "power-state", "other-config", "hostname",
	"software-version", "cpu_info", "is-control-domain",
};

/* Where touch() puts what it read, so the compiler cannot skip reading. */
static volatile size_t	sink;

/* Every string of a result must be a C string we own: read each to NUL. */
static void
touch(const char *s)
{
	if (s != NULL)
		sink += strlen(s);
}

static void
touch_vm(const struct hv_vm *vm)
{
	touch(vm->name);
	touch(vm->uuid);
	touch(vm->hvsh_id);
	touch(vm->path);
	touch(hv_state_name(vm->state));
}

static void
touch_vms(const struct hv_vm_list *l)
{
	size_t	i;

	CHECK(l->n == 0 || l->v != NULL);
	for (i = 0; i < l->n; i++)
		touch_vm(&l->v[i]);
}

static void
touch_snaps(const struct hv_snapshot_list *l)
{
	size_t	i;

	CHECK(l->n == 0 || l->v != NULL);
	for (i = 0; i < l->n; i++) {
		touch(l->v[i].name);
		touch(l->v[i].uuid);
		touch(l->v[i].parent);
		touch(l->v[i].state);
	}
}

static void
touch_error(const struct hv_error *e)
{
	size_t	i;

	touch(e->reason);
	touch(e->api_code);
	CHECK(e->nparams == 0 || e->params != NULL);
	for (i = 0; i < e->nparams; i++)
		touch(e->params[i]);
}

static void
touch_facts(const struct hv_facts *f)
{
	touch(f->version);
	touch(f->hostname);
}

/* The list parsers: a failure leaves the empty list empty. */
#define VM_LIST_TARGET(fn, parser)					\
static void								\
fn(const char *s, size_t n, unsigned arg)				\
{									\
	struct hv_vm_list	l = { NULL, 0 };			\
									\
	if (parser(s, n, &l) != 0) {					\
		CHECK(l.v == NULL && l.n == 0);				\
		return;							\
	}								\
	touch_vms(&l);							\
	hv_vm_list_free(&l);						\
}

#define SNAP_LIST_TARGET(fn, parser)					\
static void								\
fn(const char *s, size_t n, unsigned arg)				\
{									\
	struct hv_snapshot_list	l = { NULL, 0 };			\
									\
	if (parser(s, n, &l) != 0) {					\
		CHECK(l.v == NULL && l.n == 0);				\
		return;							\
	}								\
	touch_snaps(&l);						\
	hv_snapshot_list_free(&l);					\
}

/* One VM: a failure leaves the initialised VM as it was. */
#define VM_TARGET(fn, parser)						\
static void								\
fn(const char *s, size_t n, unsigned arg)				\
{									\
	struct hv_vm	vm, fresh;					\
									\
	hv_vm_init(&vm);						\
	hv_vm_init(&fresh);						\
	if (parser(s, n, &vm) != 0) {					\
		CHECK(memcmp(&vm, &fresh, sizeof vm) == 0);		\
		return;							\
	}								\
	touch_vm(&vm);							\
	hv_vm_clear(&vm);						\
}

/*
 * The facts parsers fill what they find and keep the rest, so they get
 * facts a host already had, strings included: a parser that frees or
 * replaces one wrongly shows up as a leak or a double free.
 */
#define FACTS_TARGET(fn, parser)					\
static void								\
fn(const char *s, size_t n, unsigned arg)				\
{									\
	struct hv_facts	f, before;					\
									\
	hv_facts_init(&f);						\
	if (arg & 1) {							\
		f.cpus = 3;						\
		f.memory = 1 << 30;					\
		f.version = strdup("old version");			\
		f.hostname = strdup("old-host");			\
	}								\
	before = f;							\
	if (parser(s, n, &f) != 0)					\
		CHECK(memcmp(&f, &before, sizeof f) == 0);		\
	touch_facts(&f);						\
	hv_facts_clear(&f);						\
}

/* The error parsers get a zeroed hv_error, as every caller passes. */
#define ERROR_TARGET(fn, parser)					\
static void								\
fn(const char *s, size_t n, unsigned arg)				\
{									\
	struct hv_error	e, zero;					\
									\
	memset(&e, 0, sizeof e);					\
	memset(&zero, 0, sizeof zero);					\
	if (parser(s, n, &e) != 0) {					\
		CHECK(memcmp(&e, &zero, sizeof e) == 0);		\
		return;							\
	}								\
	CHECK(e.reason != NULL);					\
	touch_error(&e);						\
	hv_error_clear(&e);						\
}

VM_LIST_TARGET(t_virsh_list, hvout_virsh_list)
VM_LIST_TARGET(t_virsh_list_name, hvout_virsh_list_name)
VM_LIST_TARGET(t_virsh_list_uuid, hvout_virsh_list_uuid)
VM_TARGET(t_virsh_dominfo, hvout_virsh_dominfo)
VM_LIST_TARGET(t_virsh_domstats, hvout_virsh_domstats)
FACTS_TARGET(t_virsh_nodeinfo, hvout_virsh_nodeinfo)
FACTS_TARGET(t_virsh_nodememstats, hvout_virsh_nodememstats)
FACTS_TARGET(t_virsh_freecell, hvout_virsh_freecell)
FACTS_TARGET(t_virsh_version, hvout_virsh_version)
SNAP_LIST_TARGET(t_virsh_snapshot_list, hvout_virsh_snapshot_list)
SNAP_LIST_TARGET(t_virsh_snapshot_name, hvout_virsh_snapshot_name)
ERROR_TARGET(t_virsh_error, hvout_virsh_error)
VM_LIST_TARGET(t_xe_vm_list, hvout_xe_vm_list)
FACTS_TARGET(t_xe_host_facts, hvout_xe_host_facts)
SNAP_LIST_TARGET(t_xe_snapshot_list, hvout_xe_snapshot_list)
ERROR_TARGET(t_xe_error, hvout_xe_error)
VM_LIST_TARGET(t_vmrun_list, hvout_vmrun_list)
SNAP_LIST_TARGET(t_vmrun_snapshots, hvout_vmrun_snapshots)
ERROR_TARGET(t_vmrun_error, hvout_vmrun_error)
VM_TARGET(t_vmrun_vmx, hvout_vmrun_vmx)

static void
t_virsh_domstate(const char *s, size_t n, unsigned arg)
{
	struct hv_vmstate	st = { HV_CRASHED, untouched };

	if (hvout_virsh_domstate(s, n, &st) != 0) {
		CHECK(st.state == HV_CRASHED && st.reason == untouched);
		return;
	}
	touch(hv_state_name(st.state));
	touch(st.reason);
	hv_vmstate_clear(&st);
}

static void
t_virsh_metadata_id(const char *s, size_t n, unsigned arg)
{
	char	*id = untouched;

	if (hvout_virsh_metadata_id(s, n, &id) != 0) {
		CHECK(id == untouched);
		return;
	}
	CHECK(id != untouched);
	touch(id);
	free(id);
}

/* Records, then every lookup the typed views make on them. */
static void
t_xe_records(const char *s, size_t n, unsigned arg)
{
	struct hv_xe_records	 rs = { NULL, 0 };
	const char		*v;
	char			*val;
	size_t			 i, j;

	if (hvout_xe_records(s, n, &rs) != 0) {
		CHECK(rs.r == NULL && rs.n == 0);
		return;
	}
	for (i = 0; i < rs.n; i++) {
		for (j = 0; j < rs.r[i].n; j++) {
			touch(rs.r[i].f[j].name);
			touch(rs.r[i].f[j].value);
			CHECK(strlen(rs.r[i].f[j].access) < 4);
		}
		for (j = 0; j < nelem(xe_fields); j++) {
			if ((v = hvout_xe_get(&rs.r[i], xe_fields[j])) == NULL)
				continue;
			val = NULL;
			if (hvout_xe_map_get(v, strlen(v),
			    map_keys[arg % nelem(map_keys)], &val) == 0)
				touch(val);
			free(val);
		}
	}
	hvout_xe_records_free(&rs);
}

static void
t_xe_minimal(const char *s, size_t n, unsigned arg)
{
	struct hv_strlist	l = { NULL, 0 };
	size_t			i;

	if (hvout_xe_minimal(s, n, &l) != 0) {
		CHECK(l.v == NULL && l.n == 0);
		return;
	}
	CHECK(l.n == 0 || l.v != NULL);
	for (i = 0; i < l.n; i++)
		touch(l.v[i]);
	hv_strlist_free(&l);
}

static void
t_xe_map_get(const char *s, size_t n, unsigned arg)
{
	char	*v = untouched;

	if (hvout_xe_map_get(s, n, map_keys[arg % nelem(map_keys)], &v)
	    != 0) {
		CHECK(v == untouched);
		return;
	}
	touch(v);
	free(v);
}

static void
t_xe_sr_list(const char *s, size_t n, unsigned arg)
{
	struct hv_pool_list	l = { NULL, 0 };
	size_t			i;

	if (hvout_xe_sr_list(s, n, &l) != 0) {
		CHECK(l.v == NULL && l.n == 0);
		return;
	}
	CHECK(l.n == 0 || l.v != NULL);
	for (i = 0; i < l.n; i++) {
		touch(l.v[i].name);
		touch(l.v[i].uuid);
		touch(l.v[i].type);
		touch(l.v[i].content);
		touch(l.v[i].host);
	}
	hv_pool_list_free(&l);
}

static void
t_vmrun_vmx_get(const char *s, size_t n, unsigned arg)
{
	char	*v = untouched;

	if (hvout_vmrun_vmx_get(s, n, vmx_keys[arg % nelem(vmx_keys)], &v)
	    != 0) {
		CHECK(v == untouched);
		return;
	}
	touch(v);
	free(v);
}

/*
 * vmx_set, then the promise of hvout.h checked on what it wrote: the new
 * text reads back the value set (vmx_get takes the last line of a key, so
 * this also proves that later duplicates were dropped).
 */
static void
t_vmrun_vmx_set(const char *s, size_t n, unsigned arg)
{
	const char	*key = vmx_keys[arg % nelem(vmx_keys)];
	const char	*value = vmx_values[(arg / nelem(vmx_keys)) %
			    nelem(vmx_values)];
	char		*out = untouched, *back = NULL;

	if (hvout_vmrun_vmx_set(s, n, key, value, &out) != 0) {
		CHECK(out == untouched);
		return;
	}
	touch(out);
	if (hvout_vmrun_vmx_get(out, strlen(out), key, &back) != 0) {
		fprintf(stderr, "fuzz-hvout: vmx_set wrote a .vmx that "
		    "vmx_get cannot read %s from: %s\n", key, err_msg());
		abort();
	}
	if (strcmp(back, value) != 0) {
		fprintf(stderr, "fuzz-hvout: vmx_set %s=\"%s\" reads back "
		    "as \"%s\"\n", key, value, back);
		abort();
	}
	free(back);
	free(out);
}

/*
 * drv_sections for n parts: every part inside the output, in order, and
 * followed by the marker that ended it.
 */
static void
sections(const char *s, size_t n, size_t parts)
{
	struct drv_section	sec[8];
	const char		*prev = s;
	size_t			i;

	memset(sec, 0, sizeof sec);
	if (drv_sections(s, n, sec, parts) != 0)
		return;
	for (i = 0; i < parts; i++) {
		CHECK(sec[i].text >= prev);
		CHECK(sec[i].len <= (size_t)(s + n - sec[i].text));
		CHECK((size_t)(s + n - sec[i].text) - sec[i].len >= 10);
		CHECK(memcmp(sec[i].text + sec[i].len, "@@hvsh:", 7) == 0);
		CHECK(sec[i].status >= 0 && sec[i].status <= 255);
		prev = sec[i].text + sec[i].len;
	}
}

static void
t_sections1(const char *s, size_t n, unsigned arg)
{
	sections(s, n, 1);
}

static void
t_sections2(const char *s, size_t n, unsigned arg)
{
	sections(s, n, 2);
}

static void
t_sections4(const char *s, size_t n, unsigned arg)
{
	sections(s, n, 4);
}

static void
t_sections7(const char *s, size_t n, unsigned arg)
{
	sections(s, n, 7);
}

/*
 * The small readers every parser leans on, line by line: the state words
 * (as NUL-terminated C strings, which is how they are called), numbers,
 * UUIDs and the two time stamp formats.
 */
static void
t_words(const char *s, size_t n, unsigned arg)
{
	struct hvout_lines	 li;
	const char		*line, *t;
	char			*word;
	size_t			 len, tl;
	int64_t			 x;

	hvout_lines_init(&li, s, n);
	while (hvout_lines_next(&li, &line, &len)) {
		CHECK(line >= s && len <= (size_t)(s + n - line));
		t = line;
		tl = len;
		hvout_trim(&t, &tl);
		(void)hvout_blank(line, len);
		(void)hvout_is_uuid(t, tl);
		if (hvout_i64(t, tl, &x) == 0)
			touch(hv_state_name(hvout_virsh_state_num(x)));
		(void)hvout_datetime(t, tl, &x);
		if (memchr(t, '\0', tl) != NULL)
			continue;
		word = hvout_dup(t, tl);
		touch(hv_state_name(hvout_virsh_state(word)));
		touch(hv_state_name(hvout_xe_state(word)));
		free(word);
	}
	touch(hv_state_name(hvout_vmrun_state(arg & 1, (arg >> 1) & 1)));
}

static const struct target {
	const char	*name;
	const char	*family;	/* which samples fit: fuzz/seeds.py */
	/* 0: no argument byte; else how many of its values differ. */
	int		 nargs;
	/* The text, and the argument byte (0 if none). */
	void		(*fn)(const char *, size_t, unsigned);
} targets[] = {
	{ "virsh_list", "virsh", 0, t_virsh_list },
	{ "virsh_list_name", "virsh", 0, t_virsh_list_name },
	{ "virsh_list_uuid", "virsh", 0, t_virsh_list_uuid },
	{ "virsh_dominfo", "virsh", 0, t_virsh_dominfo },
	{ "virsh_domstate", "virsh", 0, t_virsh_domstate },
	{ "virsh_domstats", "virsh", 0, t_virsh_domstats },
	{ "virsh_nodeinfo", "virsh", 2, t_virsh_nodeinfo },
	{ "virsh_nodememstats", "virsh", 2, t_virsh_nodememstats },
	{ "virsh_freecell", "virsh", 2, t_virsh_freecell },
	{ "virsh_version", "virsh", 2, t_virsh_version },
	{ "virsh_snapshot_list", "virsh", 0, t_virsh_snapshot_list },
	{ "virsh_snapshot_name", "virsh", 0, t_virsh_snapshot_name },
	{ "virsh_error", "virsh", 0, t_virsh_error },
	{ "virsh_metadata_id", "virsh", 0, t_virsh_metadata_id },
	{ "xe_records", "xe", (int)nelem(map_keys), t_xe_records },
	{ "xe_minimal", "xe", 0, t_xe_minimal },
	{ "xe_map_get", "xe", (int)nelem(map_keys), t_xe_map_get },
	{ "xe_vm_list", "xe", 0, t_xe_vm_list },
	{ "xe_host_facts", "xe", 2, t_xe_host_facts },
	{ "xe_snapshot_list", "xe", 0, t_xe_snapshot_list },
	{ "xe_sr_list", "xe", 0, t_xe_sr_list },
	{ "xe_error", "xe", 0, t_xe_error },
	{ "vmrun_list", "vmrun", 0, t_vmrun_list },
	{ "vmrun_snapshots", "vmrun", 0, t_vmrun_snapshots },
	{ "vmrun_error", "vmrun", 0, t_vmrun_error },
	{ "vmrun_vmx", "vmrun", 0, t_vmrun_vmx },
	{ "vmrun_vmx_get", "vmrun", (int)nelem(vmx_keys),
	    t_vmrun_vmx_get },
	{ "vmrun_vmx_set", "vmrun",
	    (int)(nelem(vmx_keys) * nelem(vmx_values)), t_vmrun_vmx_set },
	{ "sections1", "batch", 0, t_sections1 },
	{ "sections2", "batch", 0, t_sections2 },
	{ "sections4", "batch", 0, t_sections4 },
	{ "sections7", "batch", 0, t_sections7 },
	{ "words", "any", 4, t_words },
};

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*e = getenv("HVSH_FUZZ_LIST");
	size_t		 i;

	if (e == NULL || strcmp(e, "1") != 0)
		return 0;
	for (i = 0; i < nelem(targets); i++)
		printf("%zu %s %s %d\n", i, targets[i].name, targets[i].family,
		    targets[i].nargs);
	exit(0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct target	*t;
	unsigned		 arg = 0;

	if (size < 1)
		return 0;
	t = &targets[data[0] % nelem(targets)];
	data++;
	size--;
	if (t->nargs > 0) {
		if (size < 1)
			return 0;
		arg = data[0];
		data++;
		size--;
	}
	t->fn((const char *)data, size, arg);
	err_clear();
	return 0;
}
