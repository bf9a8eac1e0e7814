/*
 * test-dispatch.c: unit tests of the one way from a command to a driver
 * (dispatch.c) and of the storage service's rules (storage.c): a missing
 * slot worded once, plans and the exact dry-run lines, failures in hvsh's
 * words, the per-host outcome for the audit; where hosts see pools and
 * images. Nothing here reaches a host.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "err.h"
#include "record.h"
#include "storage.h"
#include "util.h"

static struct record *
host(const char *name, const char *driver, uint64_t id)
{
	struct record	*r = record_new(KIND_HOST);

	r->id = id;
	record_set(r, FI_NAME, name);
	record_set(r, HOST_ADDRESS, strcmp(driver, "libvirt") == 0 ?
	    "test:///default" : "10.0.0.1");
	record_set(r, HOST_DRIVER, driver);
	record_set(r, HOST_USER, "root");
	return r;
}

/* What dispatch_dry emitted, "HOST: LINE\n" each. */
static void
collect(void *arg, const char *h, const char *line)
{
	buf_printf(arg, "%s: %s\n", h, line);
}

static void
test_unsupported_once(void **state)
{
	struct record	*h = host("lv1", "libvirt", 1);
	struct dcall	 dc;

	(void)state;
	dcall_init(&dc, h, "volume d1");
	dc.what = DC_CALL;
	dc.call = DRV_VOL_CREATE;
	dc.req.pool = "/p";
	dc.req.volume = "d1";
	dc.req.size = 1 << 20;
	assert_int_equal(dispatch_prepare(&dc, 1), 1);
	assert_int_equal(dc.rc, ERR_INVAL);
	assert_string_equal(dc.errmsg,
	    "lv1: creating volumes is not supported by libvirt");
	assert_false(dispatch_can_call(h, DRV_VOL_CREATE));
	dcall_clear(&dc);
	record_free(h);
}

static void
test_dry_lines_exact(void **state)
{
	struct record	*h = host("kvm1", "kvm", 1);
	struct dcall	 dc;
	struct buf	 b = { 0 };

	(void)state;
	dcall_init(&dc, h, "vm web1");
	dc.what = DC_OP;
	dc.op = DRV_START;
	dc.t.name = "web1";
	assert_int_equal(dispatch_prepare(&dc, 1), 0);
	dispatch_dry(NULL, &dc, 1, collect, &b);
	assert_string_equal(b.data, "kvm1: 'env' 'LC_ALL=C' 'timeout' '-k' "
	    "'5' '65' 'virsh' 'start' 'web1'\n");
	buf_free(&b);
	dcall_clear(&dc);
	record_free(h);
}

static void
test_bad_input_worded(void **state)
{
	struct record	*h = host("kvm1", "kvm", 1);
	struct dcall	 dc;

	(void)state;
	dcall_init(&dc, h, "vm -rf");
	dc.what = DC_OP;
	dc.op = DRV_START;
	dc.t.name = "-rf";
	assert_int_equal(dispatch_prepare(&dc, 1), 1);
	assert_non_null(strstr(dc.errmsg, "cannot start vm -rf on kvm1: "));
	dcall_clear(&dc);
	record_free(h);
}

static void
test_outcome(void **state)
{
	struct record	*h1 = host("kvm1", "kvm", 1), *h2 = host("xen1", "xen", 2);
	struct dcall	 dc[2];
	char		*s;

	(void)state;
	dcall_init(&dc[0], h1, "vm a");
	dc[0].what = DC_OP;
	dc[0].op = DRV_STOP;
	dcall_init(&dc[1], h2, "vm b");
	dc[1].what = DC_OP;
	dc[1].op = DRV_STOP;
	dcall_fail(&dc[1], ERR_BUSY, "b: still not stopped after 5 s");
	dc[0].note = xstrdup("already stopped");
	s = dispatch_outcome(dc, 2);
	assert_string_equal(s, "stop vm a on kvm1: already stopped; stop vm b "
	    "on xen1: failed (b: still not stopped after 5 s)");
	free(s);
	dcall_clear(&dc[0]);
	dcall_clear(&dc[1]);
	record_free(h1);
	record_free(h2);
}

static void
test_no_driver(void **state)
{
	struct record	*h = host("x", "kvm", 1);
	struct dcall	 dc;

	(void)state;
	record_set(h, HOST_DRIVER, "hyperv");
	dcall_init(&dc, h, "vm a");
	dc.what = DC_OP;
	dc.op = DRV_START;
	assert_int_equal(dispatch_prepare(&dc, 1), 1);
	assert_string_equal(dc.errmsg, "host x has no driver hyperv");
	dcall_clear(&dc);
	record_free(h);
}

static void
test_address_check(void **state)
{
	(void)state;
	assert_int_equal(dispatch_address_check("kvm", "10.0.0.1"), 0);
	assert_int_equal(dispatch_address_check("kvm", "-oProxyCommand=x"),
	    ERR_USAGE);
	assert_int_equal(dispatch_address_check("kvm", "a b"), ERR_USAGE);
	assert_int_equal(dispatch_address_check("libvirt", "qemu:///system"),
	    0);
	assert_int_equal(dispatch_address_check("libvirt",
	    "qemu+ext:///system"), ERR_USAGE);
	assert_true(dispatch_is_api("libvirt"));
	assert_false(dispatch_is_api("kvm"));
}

static struct record *
pool(const char *role, const char *path, const char *host_paths,
    uint64_t local)
{
	struct record	*r = record_new(KIND_POOL);

	r->id = 7;
	record_set(r, FI_NAME, "p");
	record_set(r, POOL_ROLE, role);
	record_set(r, POOL_TYPE, "dir");
	record_set(r, POOL_PATH, path);
	record_set(r, POOL_HOSTPATHS, host_paths);
	if (local)
		record_set_i64(r, POOL_HOST, (int64_t)local);
	return r;
}

static void
test_pool_paths(void **state)
{
	struct record	*k1 = host("kvm1", "kvm", 1), *k2 = host("kvm2", "kvm", 2);
	struct record	*p;
	char		*path;

	(void)state;
	/* A primary pool with neither host nor host_paths: every host. */
	p = pool("primary", "/srv/prim", NULL, 0);
	assert_int_equal(storage_pool_path(p, k2, &path), 0);
	assert_string_equal(path, "/srv/prim");
	free(path);
	record_free(p);
	/* A secondary pool with neither: only the bastion. */
	p = pool("secondary", "/srv/repo", NULL, 0);
	assert_int_equal(storage_pool_path(p, k1, &path), ERR_NOENT);
	assert_null(path);
	record_free(p);
	/* host_paths: exactly the hosts named, each at its path. */
	p = pool("secondary", "/srv/repo", "kvm1=/mnt/repo,xen1=/x", 0);
	assert_int_equal(storage_pool_path(p, k1, &path), 0);
	assert_string_equal(path, "/mnt/repo");
	free(path);
	assert_int_equal(storage_pool_path(p, k2, &path), ERR_NOENT);
	record_free(p);
	/* Local to one host. */
	p = pool("primary", "/local", NULL, 2);
	assert_int_equal(storage_pool_path(p, k1, &path), ERR_NOENT);
	assert_int_equal(storage_pool_path(p, k2, &path), 0);
	assert_string_equal(path, "/local");
	free(path);
	record_free(p);
	record_free(k1);
	record_free(k2);
}

static void
test_tag_get(void **state)
{
	char	*v;

	(void)state;
	v = storage_tag_get("a=1,kvm1=/x/y,kvm10=/z", "kvm1");
	assert_string_equal(v, "/x/y");
	free(v);
	v = storage_tag_get("a=1,kvm10=/z", "kvm1");
	assert_null(v);
	assert_null(storage_tag_get(NULL, "a"));
	assert_null(storage_tag_get("", "a"));
	v = storage_tag_get("a=", "a");
	assert_string_equal(v, "");
	free(v);
	assert_string_equal(storage_ext("raw"), "img");
	assert_string_equal(storage_ext("qcow2"), "qcow2");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unsupported_once),
		cmocka_unit_test(test_dry_lines_exact),
		cmocka_unit_test(test_bad_input_worded),
		cmocka_unit_test(test_outcome),
		cmocka_unit_test(test_no_driver),
		cmocka_unit_test(test_address_check),
		cmocka_unit_test(test_pool_paths),
		cmocka_unit_test(test_tag_get),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
