/*
 * test-tui-live.c: unit tests of the dashboard's background refresh
 * (tui-live.c) with a libvirt-driver host on libvirt's in-process test
 * driver (test:///default, whose one domain "test" runs). The refresh
 * polls only every 10 minutes, so a change made through a second
 * connection, behind the driver's back, reaches the store by the watch's
 * event; and stopping does not wait for the watch, blocked between events.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "cmd.h"
#include "record.h"
#include "tui.h"

#include "store-fixture.h"

#define URI		"test:///default"
#define TEST_UUID	"6695eb01-f6a4-8304-79aa-97f2502e193f"

static double
mono_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Waits up to secs for n notes from the refresh; how many came. */
static int
notes(int fd, int n, double secs)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	double		end = mono_s() + secs;
	char		buf[64];
	ssize_t		r;
	int		got = 0;

	while (got < n && mono_s() < end) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		while ((r = read(fd, buf, sizeof buf)) > 0)
			got += (int)r;
	}
	return got;
}

/* The state the store holds of instance id. */
static char *
state_of(struct store *st, uint64_t id)
{
	struct store_txn	*tx;
	struct record		*r = NULL;
	char			*s;

	assert_int_equal(store_read(st, &tx), 0);
	assert_int_equal(store_get(tx, KIND_VM, id, &r), 0);
	store_txn_end(tx);
	s = xstrdup(record_get(r, VM_STATE));
	record_free(r);
	return s;
}

/* Waits up to secs for instance id to be want in the store. */
static int
state_becomes(struct store *st, uint64_t id, const char *want, int fd,
    double secs)
{
	double	end = mono_s() + secs;
	char	*s;
	int	ok = 0;

	while (!ok && mono_s() < end) {
		s = state_of(st, id);
		ok = strcmp(s, want) == 0;
		free(s);
		if (!ok)
			(void)notes(fd, 1, 0.2);
	}
	return ok;
}

static void
quiet(void *arg, virErrorPtr e)
{
}

static void
test_events(void **state)
{
	struct fix		*fx = *state;
	struct ctx		 c;
	struct tui_live		*lv;
	struct record		*r;
	virConnectPtr		 other;
	virDomainPtr		 dom;
	uint64_t		 host, vm;
	double			 t0;
	int			 pfd[2];

	r = record_new(KIND_HOST);
	record_set(r, FI_NAME, "lv1");
	record_set(r, HOST_ADDRESS, URI);
	record_set(r, HOST_DRIVER, "libvirt");
	host = fix_add(fx->st, r);
	r = record_new(KIND_VM);
	record_set(r, FI_NAME, "test");
	record_set_i64(r, VM_HOST, (int64_t)host);
	record_set(r, VM_STATE, "unknown");
	record_set(r, VM_UUID, TEST_UUID);
	vm = fix_add(fx->st, r);

	ctx_init(&c, fx->sdir);
	c.store = fx->st;
	assert_int_equal(pipe2(pfd, O_CLOEXEC | O_NONBLOCK), 0);
	assert_int_equal(tui_live_start(&c, 600000, pfd[1], &lv), 0);
	/* The first poll, then the one a second after the watch began: by
	   then it is subscribed. */
	assert_int_equal(notes(pfd[0], 2, 20), 2);
	assert_true(tui_live_watching(lv, host));
	assert_true(state_becomes(fx->st, vm, "running", pfd[0], 1));

	virSetErrorFunc(NULL, quiet);
	other = virConnectOpen(URI);
	assert_non_null(other);
	dom = virDomainLookupByName(other, "test");
	assert_non_null(dom);
	assert_int_equal(virDomainSuspend(dom), 0);
	assert_true(state_becomes(fx->st, vm, "paused", pfd[0], 10));
	assert_int_equal(virDomainResume(dom), 0);
	assert_true(state_becomes(fx->st, vm, "running", pfd[0], 10));
	/* Its start was seen: the uptime is known. */
	assert_true(tui_live_uptime(lv, vm) >= 0);
	virDomainFree(dom);
	virConnectClose(other);

	/* The watch waits for events up to a minute; stopping does not. */
	t0 = mono_s();
	tui_live_stop(lv);
	assert_true(mono_s() - t0 < 5);

	close(pfd[0]);
	close(pfd[1]);
	c.store = NULL;		/* the fixture's */
	ctx_free(&c);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
