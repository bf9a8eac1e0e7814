/*
 * test-hostops.c: the refresh engine: every host's result handed to the
 * caller once, whole, as it comes, whatever became of the others; matching
 * by uuid, then hvsh's id, then name. Hosts are libvirt's test driver (an
 * API, in process), a KVM host whose port refuses, and a driver that does
 * not exist.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "hostops.h"
#include "hvout.h"
#include "index.h"
#include "record.h"
#include "schema.h"
#include "transport.h"
#include "util.h"

#define URI		"test:///default"
#define TEST_UUID	"6695eb01-f6a4-8304-79aa-97f2502e193f"

static struct record *
host(const char *name, const char *driver, const char *address, int port)
{
	struct record	*h = record_new(KIND_HOST);

	record_set(h, FI_NAME, name);
	record_set(h, HOST_DRIVER, driver);
	record_set(h, HOST_ADDRESS, address);
	if (port > 0)
		record_set_i64(h, HOST_PORT, port);
	record_set(h, HOST_USER, "nobody");
	return h;
}

/* What the callback saw. */
struct seen {
	int	calls[3];
	int	whole[3];	/* the result was complete when handed over */
	struct host_refresh *base;
};

static void
on_done(struct host_refresh *hr, void *arg)
{
	struct seen	*s = arg;
	size_t		 k = (size_t)(hr - s->base);

	s->calls[k]++;
	/* Whole: an answer with its index built, or an error with its text. */
	s->whole[k] = hr->rc == 0 ? hr->ix != NULL && hr->vms.n > 0 :
	    hr->errmsg != NULL;
}

static void
test_each_host_once(void **state)
{
	struct host_refresh	 hr[3];
	struct record		*h[3];
	struct transport	*tp;
	struct tp_opts		 o = { 0 };
	struct seen		 s;
	struct refresh_want	 w = { 0 };
	char			 kh[] = "/tmp/hvsh-test-kh-XXXXXX";
	int			 fd;
	size_t			 i;

	(void)state;
	fd = mkstemp(kh);
	assert_true(fd >= 0);
	close(fd);
	o.known_hosts = kh;
	o.connect_timeout_ms = 3000;
	assert_int_equal(tp_new(&o, &tp), 0);
	memset(hr, 0, sizeof hr);
	memset(&s, 0, sizeof s);
	h[0] = host("lv", "libvirt", URI, 0);
	h[1] = host("down", "kvm", "127.0.0.1", 1);
	h[2] = host("odd", "nosuch", "127.0.0.1", 0);
	for (i = 0; i < 3; i++)
		hr[i].host = h[i];
	s.base = hr;
	w.ids = RF_IDS_ALL;
	w.done = on_done;
	w.arg = &s;
	hostops_refresh(tp, hr, 3, &w);
	for (i = 0; i < 3; i++) {
		assert_int_equal(s.calls[i], 1);
		assert_int_equal(s.whole[i], 1);
	}
	assert_int_equal(hr[0].rc, 0);
	assert_int_not_equal(hr[1].rc, 0);
	assert_non_null(strstr(hr[2].errmsg, "driver nosuch is not "
	    "available"));
	for (i = 0; i < 3; i++) {
		host_refresh_clear(&hr[i]);
		record_free(h[i]);
	}
	tp_free(tp);
	unlink(kh);
}

static void
test_match_order(void **state)
{
	struct host_refresh	 hr;
	struct record		*h = host("lv", "libvirt", URI, 0);
	struct record		*byuuid = record_new(KIND_VM);
	struct record		*byname = record_new(KIND_VM);
	struct record		*stranger = record_new(KIND_VM);
	const struct hv_vm	*m;

	(void)state;
	memset(&hr, 0, sizeof hr);
	hr.host = h;
	hostops_refresh(NULL, &hr, 1, NULL);
	assert_int_equal(hr.rc, 0);
	/* The recorded uuid decides, whatever the name. */
	byuuid->id = 7;
	record_set(byuuid, FI_NAME, "renamed");
	record_set(byuuid, VM_UUID, TEST_UUID);
	m = hostops_match(&hr, byuuid);
	assert_non_null(m);
	assert_string_equal(m->name, "test");
	/* No uuid: the name, since the domain carries no id. */
	byname->id = 8;
	record_set(byname, FI_NAME, "test");
	assert_ptr_equal(hostops_match(&hr, byname), m);
	/* A uuid the host lacks and a name it lacks: nothing. */
	stranger->id = 9;
	record_set(stranger, FI_NAME, "nope");
	record_set(stranger, VM_UUID, "00000000-0000-0000-0000-000000000001");
	assert_null(hostops_match(&hr, stranger));
	host_refresh_clear(&hr);
	/*
	 * A domain carrying another record's id is not taken by name (a
	 * refresh put together by hand, as an event's is: no index).
	 */
	memset(&hr, 0, sizeof hr);
	hr.host = h;
	hr.vms.v = xcalloc(1, sizeof *hr.vms.v);
	hr.vms.n = 1;
	hv_vm_init(&hr.vms.v[0]);
	hr.vms.v[0].name = xstrdup("test");
	hr.vms.v[0].hvsh_id = xstrdup("7");
	assert_null(hostops_match(&hr, byname));
	assert_ptr_equal(hostops_match(&hr, byuuid), &hr.vms.v[0]);
	host_refresh_clear(&hr);
	record_free(byuuid);
	record_free(byname);
	record_free(stranger);
	record_free(h);
}

/* index.c: many values per key, growth, order kept. */
static void
test_index(void **state)
{
	struct index	*ix = index_new(1);
	char		 keys[200][8];
	size_t		 i, v, cur, n;

	(void)state;
	for (i = 0; i < 200; i++) {
		snprintf(keys[i], sizeof keys[i], "k%zu", i % 50);
		index_adds(ix, keys[i], i);
	}
	for (i = 0; i < 50; i++) {
		cur = 0;
		n = 0;
		while (index_next(ix, keys[i], strlen(keys[i]), &cur, &v)) {
			assert_int_equal(v, i + 50 * n);
			n++;
		}
		assert_int_equal(n, 4);
	}
	assert_false(index_get(ix, "k50", &v));
	assert_false(index_get(ix, NULL, &v));
	index_free(ix);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_each_host_once),
		cmocka_unit_test(test_match_order),
		cmocka_unit_test(test_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
