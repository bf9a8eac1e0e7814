/*
 * fuzz-drivers.c: a libFuzzer harness for the drivers' readers, the
 * refresh_read, error_read, probe_read and create_read slots of the kvm,
 * xen and vmware drivers (driver.h). These take a whole struct tp_result
 * as the transport hands it over, so they are fuzzed through the same door:
 * batch splitting, exit statuses, stderr and the truncation flag included.
 *
 * An input is
 *
 *	byte 0		which driver and reader: driver (b % 12) / 4,
 *			reader (b % 12) % 4 in the order above
 *	byte 1		the exit status; 255 stands for -1 (killed)
 *	byte 2		bit 0: truncated; bit 1: error_read gets rc ERR_IO,
 *			as when the command did not run at all; bit 2: the
 *			facts start as a known host's, not blank
 *	the rest	stdout, then "~~stderr~~\n" and stderr if present
 *
 * Both streams are copied into buffers of their own with a NUL after them,
 * as tp_run() returns them. The readers get what their callers pass
 * (hostops.c, cmd-vmops.c): fresh facts or facts the host already had, an
 * empty VM list, a zeroed hv_error, an initialised hv_vm; every result is
 * freed as those callers free it, so LeakSanitizer sees any leak.
 *
 * With HVSH_FUZZ_LIST=1 in the environment the binary prints its selectors
 * ("index driver reader") and exits, for fuzz/seeds.py.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "err.h"
#include "hvout.h"
#include "transport.h"

#define nelem(a)	(sizeof (a) / sizeof (a)[0])

#define STDERR_SEP	"~~stderr~~\n"

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz-drivers: %s:%d: check failed: %s\n", \
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

static const char *const driver_names[] = { "kvm", "xen", "vmware" };

enum { RD_REFRESH, RD_ERROR, RD_PROBE, RD_CREATE, RD_CALL, RD__COUNT };

static const char *const reader_names[RD__COUNT] = {
	"refresh_read", "error_read", "probe_read", "create_read", "call_read"
};

/* Where touch() puts what it read, so the compiler cannot skip reading. */
static volatile size_t	sink;

/* Every string of a result must be a C string: read each to its NUL. */
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

/* A copy with a NUL after it, in a buffer of exactly that size. */
static char *
copy(const uint8_t *p, size_t n)
{
	char	*s = malloc(n + 1);

	if (s == NULL)
		abort();
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* Facts as a refresh starts from: blank, or what the host had last time. */
static void
facts_start(struct hv_facts *f, int known)
{
	hv_facts_init(f);
	if (!known)
		return;
	f->cpus = 2;
	f->memory = (int64_t)4 << 30;
	f->mem_free = (int64_t)1 << 30;
	if ((f->version = strdup("old version")) == NULL ||
	    (f->hostname = strdup("old-host")) == NULL)
		abort();
}

static void
run_refresh(const struct driver *d, const struct tp_result *res, int known)
{
	struct hv_facts		f, before;
	struct hv_vm_list	l = { NULL, 0 };
	size_t			i;

	facts_start(&f, known);
	before = f;
	if (d->refresh_read(res, &f, &l) != 0) {
		/* drv-xe.c promises that a failed refresh changes nothing. */
		if (strcmp(d->name, "xen") == 0) {
			CHECK(memcmp(&f, &before, sizeof f) == 0);
			CHECK(l.v == NULL && l.n == 0);
		}
	} else {
		CHECK(l.n == 0 || l.v != NULL);
		for (i = 0; i < l.n; i++)
			touch_vm(&l.v[i]);
	}
	touch(f.version);
	touch(f.hostname);
	hv_facts_clear(&f);
	hv_vm_list_free(&l);
}

static void
run_error(const struct driver *d, const struct tp_result *res)
{
	struct hv_error	e;
	size_t		i;

	memset(&e, 0, sizeof e);
	if (d->error_read(res, &e) == 0) {
		touch(e.reason);
		touch(e.api_code);
		CHECK(e.nparams == 0 || e.params != NULL);
		for (i = 0; i < e.nparams; i++)
			touch(e.params[i]);
	}
	/* Callers clear it whatever error_read returned. */
	hv_error_clear(&e);
}

static void
run_probe(const struct driver *d, const struct tp_result *res, int known)
{
	struct hv_facts	f;

	facts_start(&f, known);
	(void)d->probe_read(res, &f);
	touch(f.version);
	touch(f.hostname);
	hv_facts_clear(&f);
}

static void
run_create(const struct driver *d, const struct tp_result *res)
{
	struct hv_vm	vm;

	hv_vm_init(&vm);
	if (d->create_read(res, &vm) == 0)
		touch_vm(&vm);
	hv_vm_clear(&vm);
}

/* A storage or image call's reader (chosen by which) on the output. */
static void
run_call(const struct driver *d, const struct tp_result *res, unsigned which)
{
	struct drv_req		req;
	struct drv_reply	rp;
	size_t			i, k;

	memset(&req, 0, sizeof req);
	req.vm.name = "web1";
	req.vm.path = "/vms/web1/web1.vmx";
	req.pool = "/srv/pool";
	req.volume = "d1";
	req.vol_path = "/srv/pool/d1.qcow2";
	req.snapshot = "s1";
	req.dest = "/srv/images/t.qcow2";
	req.size = (int64_t)1 << 30;
	for (i = 0, k = which; i < DRV_CALL__COUNT; i++, k++)
		if (d->call_read[k % DRV_CALL__COUNT] != NULL)
			break;
	if (i == DRV_CALL__COUNT)
		return;
	drv_reply_init(&rp);
	if (d->call_read[k % DRV_CALL__COUNT](&req, res, &rp) == 0) {
		touch(rp.path);
		touch(rp.device);
		touch(rp.ref);
		touch(rp.sha256);
		for (i = 0; i < rp.snaps.n; i++) {
			touch(rp.snaps.v[i].name);
			touch(rp.snaps.v[i].uuid);
			touch(rp.snaps.v[i].parent);
			touch(rp.snaps.v[i].state);
		}
	}
	drv_reply_clear(&rp);
}

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*e = getenv("HVSH_FUZZ_LIST");
	size_t		 i;

	for (i = 0; i < nelem(driver_names); i++)
		if (driver_find(driver_names[i]) == NULL) {
			fprintf(stderr, "fuzz-drivers: no driver %s\n",
			    driver_names[i]);
			exit(1);
		}
	if (e == NULL || strcmp(e, "1") != 0)
		return 0;
	for (i = 0; i < nelem(driver_names) * RD__COUNT; i++)
		printf("%zu %s %s\n", i, driver_names[i / RD__COUNT],
		    reader_names[i % RD__COUNT]);
	exit(0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tp_result	 res;
	const struct driver	*d;
	const uint8_t		*sep;
	size_t			 sel, outlen, seplen = strlen(STDERR_SEP);
	unsigned		 flags;

	if (size < 3)
		return 0;
	sel = data[0] % (nelem(driver_names) * RD__COUNT);
	d = driver_find(driver_names[sel / RD__COUNT]);
	memset(&res, 0, sizeof res);
	res.status = data[1] == 255 ? -1 : data[1];
	flags = data[2];
	data += 3;
	size -= 3;

	sep = memmem(data, size, STDERR_SEP, seplen);
	outlen = sep != NULL ? (size_t)(sep - data) : size;
	res.out = copy(data, outlen);
	res.outlen = outlen;
	if (sep != NULL) {
		res.errlen = size - outlen - seplen;
		res.err = copy(sep + seplen, res.errlen);
	} else
		res.err = copy(data, 0);
	res.truncated = flags & 1;

	switch (sel % RD__COUNT) {
	case RD_REFRESH:
		run_refresh(d, &res, flags & 4);
		break;
	case RD_ERROR:
		if (flags & 2) {
			res.rc = ERR_IO;
			if ((res.errmsg = strdup("fuzz: the command did not "
			    "run")) == NULL)
				abort();
		}
		run_error(d, &res);
		break;
	case RD_PROBE:
		run_probe(d, &res, flags & 4);
		break;
	case RD_CREATE:
		run_create(d, &res);
		break;
	case RD_CALL:
		run_call(d, &res, flags >> 3);
		break;
	}
	tp_result_free(&res);
	err_clear();
	return 0;
}
