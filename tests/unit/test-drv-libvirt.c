/*
 * test-drv-libvirt.c: unit tests for the libvirt driver (drv-libvirt.c)
 * against libvirt's built-in test driver, test:///default: an in-process
 * hypervisor whose one domain "test" runs, with a fake node (16 CPUs,
 * 3 GiB). Its state lives as long as a connection to it is open; the
 * driver keeps its own open, and this test keeps a second one (the
 * "other" connection below) through which it changes domains behind the
 * driver's back, as another client of the host would, so that the watch
 * has events to see.
 *
 * The tests share that state and run in order; each leaves "test" running
 * and removes what it made.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "driver.h"
#include "err.h"
#include "fanout.h"
#include "hostops.h"
#include "hvout.h"
#include "record.h"
#include "schema.h"
#include "util.h"

#define URI		"test:///default"
#define TEST_UUID	"6695eb01-f6a4-8304-79aa-97f2502e193f"
#define MiB		(1024LL * 1024)

extern const struct driver drv_libvirt;

/* The driver's direct op (its slot, which must be there). */
static int
direct_op(const struct driver *drv, const char *uri, enum drv_op op,
    const struct drv_target *t, struct buf *dry)
{
	assert_non_null(drv->direct_op);
	return drv->direct_op(uri, op, t, dry);
}

static const struct driver *const d = &drv_libvirt;

static virConnectPtr	other;		/* the second connection */

static void
quiet(void *arg, virErrorPtr e)
{
}

static int
group_setup(void **state)
{
	virSetErrorFunc(NULL, quiet);
	other = virConnectOpen(URI);
	return other != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	virConnectClose(other);
	return 0;
}

/* The instance of a refresh called name, or NULL. */
static const struct hv_vm *
find(const struct hv_vm_list *l, const char *name)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

/* name's state as a refresh of the host reads it now (HV_UNKNOWN: gone). */
static enum hv_state
state_of(const char *name)
{
	struct hv_facts		 f;
	struct hv_vm_list	 l = { NULL, 0 };
	const struct hv_vm	*vm;
	enum hv_state		 st;

	hv_facts_init(&f);
	assert_int_equal(d->direct_refresh(URI, &f, &l), 0);
	st = (vm = find(&l, name)) != NULL ? vm->state : HV_UNKNOWN;
	hv_vm_list_free(&l);
	hv_facts_clear(&f);
	return st;
}

static int
op(enum drv_op o, const char *name, const char *uuid)
{
	struct drv_target	t = { .name = name, .uuid = uuid, .path = NULL, .hvsh_id = NULL };

	return direct_op(d, URI, o, &t, NULL);
}

static void
test_shape(void **state)
{
	/* A direct driver: no plans, so nothing can run it through SSH. */
	assert_ptr_equal(driver_find("libvirt"), d);
	assert_true(driver_is_direct(d));
	assert_false(driver_is_direct(driver_find("kvm")));
	assert_null(d->probe);
	assert_null(d->refresh);
	assert_null(d->create);
	assert_non_null(d->direct_op);
	assert_non_null(d->direct_create);
	assert_non_null(d->watch);
}

static void
test_refresh(void **state)
{
	struct hv_facts		 f;
	struct hv_vm_list	 l = { NULL, 0 };
	const struct hv_vm	*vm;

	hv_facts_init(&f);
	assert_int_equal(d->direct_refresh(URI, &f, &l), 0);
	assert_int_equal(f.cpus, 16);
	assert_int_equal(f.memory, 3145728LL * 1024);
	assert_true(f.mem_free >= 0);
	assert_non_null(f.version);
	assert_true(strncmp(f.version, "TEST 0.0.2 (libvirt ", 20) == 0);
	assert_non_null(f.hostname);
	assert_int_equal(l.n, 1);
	vm = find(&l, "test");
	assert_non_null(vm);
	assert_string_equal(vm->uuid, TEST_UUID);
	assert_int_equal(vm->state, HV_RUNNING);
	assert_int_equal(vm->cpus, 2);
	assert_int_equal(vm->memory, 8388608LL * 1024);
	assert_int_equal(vm->mem_used, 2097152LL * 1024);
	assert_true(vm->cpu_time > 0);
	assert_null(vm->hvsh_id);
	hv_vm_list_free(&l);
	hv_facts_clear(&f);
}

/* Through the service: a libvirt host needs no transport at all. */
static void
test_refresh_service(void **state)
{
	struct host_refresh	 hr[2];
	struct record		*h[2];
	size_t			 i;

	memset(hr, 0, sizeof hr);
	for (i = 0; i < 2; i++) {
		h[i] = record_new(KIND_HOST);
		record_set(h[i], FI_NAME, i == 0 ? "lv1" : "lv2");
		record_set(h[i], HOST_DRIVER, "libvirt");
		record_set(h[i], HOST_ADDRESS, i == 0 ? URI : "nosuch:///x");
		hr[i].host = h[i];
	}
	hostops_refresh(NULL, hr, 2, NULL);
	assert_int_equal(hr[0].rc, 0);
	assert_ptr_equal(hr[0].drv, d);
	assert_int_equal(hr[0].facts.cpus, 16);
	assert_int_equal(hr[0].vms.n, 1);
	assert_int_equal(hr[1].rc, ERR_IO);
	assert_non_null(strstr(hr[1].errmsg, "lv2: cannot connect to "
	    "nosuch:///x: "));
	for (i = 0; i < 2; i++) {
		host_refresh_clear(&hr[i]);
		record_free(h[i]);
	}
}

static void
test_ops(void **state)
{
	assert_int_equal(op(DRV_SUSPEND, "test", NULL), 0);
	assert_int_equal(state_of("test"), HV_PAUSED);
	assert_int_equal(op(DRV_RESUME, "test", NULL), 0);
	assert_int_equal(state_of("test"), HV_RUNNING);
	/* By uuid, as hvsh does when it knows one. */
	assert_int_equal(op(DRV_FORCE_OFF, NULL, TEST_UUID), 0);
	assert_int_equal(state_of("test"), HV_STOPPED);
	assert_int_equal(op(DRV_START, "test", TEST_UUID), 0);
	assert_int_equal(state_of("test"), HV_RUNNING);
	assert_int_equal(op(DRV_REBOOT, "test", NULL), 0);
	assert_int_equal(state_of("test"), HV_RUNNING);
	/* The test driver's guests obey a shutdown at once. */
	assert_int_equal(op(DRV_STOP, "test", NULL), 0);
	assert_int_equal(state_of("test"), HV_STOPPED);
	assert_int_equal(op(DRV_START, "test", NULL), 0);
}

static void
test_op_errors(void **state)
{
	/*
	 * Wrong state: QEMU's "operation invalid" is ERR_BUSY (see
	 * tests/e2e/libvirt.sh); the test driver calls it an internal error,
	 * so ERR_FAIL here.
	 */
	assert_int_equal(op(DRV_START, "test", NULL), ERR_FAIL);
	assert_non_null(strstr(err_msg(), "virDomainCreate(test): "));
	assert_non_null(strstr(err_msg(), "already running"));
	assert_int_equal(op(DRV_RESUME, "test", NULL), ERR_FAIL);
	assert_non_null(strstr(err_msg(), "virDomainResume(test): "));
	/* Missing domains, by name and by uuid. */
	assert_int_equal(op(DRV_START, "nope", NULL), ERR_NOENT);
	assert_non_null(strstr(err_msg(), "virDomainLookupByName(nope): "));
	assert_int_equal(op(DRV_DESTROY, "x",
	    "00000000-0000-0000-0000-000000000001"), ERR_NOENT);
	assert_non_null(strstr(err_msg(), "virDomainLookupByUUIDString("));
	/* Refused before libvirt is asked anything. */
	assert_int_equal(op(DRV_START, "-x", NULL), ERR_INVAL);
	assert_int_equal(op(DRV_START, "a b", NULL), ERR_INVAL);
	assert_int_equal(op(DRV_START, "test", "not-a-uuid"), ERR_INVAL);
	assert_int_equal(op(DRV_START, NULL, NULL), ERR_INVAL);
	assert_int_equal(op(DRV_OP__COUNT, "test", NULL), ERR_INVAL);
	assert_int_equal(state_of("test"), HV_RUNNING);
}

static void
test_dry_run(void **state)
{
	struct drv_target	t = { .name = "web1", .uuid = TEST_UUID, .path = NULL, .hvsh_id = "7" };
	struct drv_spec		s = { .name = "web1", .hvsh_id = "7", .cpus = 2, .memory = 64 * MiB, .disk = 0, .image_path = NULL };
	struct buf		b = { 0 };
	struct hv_vm		vm;

	/* A URI that would fail: a dry run connects to nothing. */
	assert_int_equal(d->direct_op("nosuch:///x", DRV_START, &t, &b), 0);
	assert_string_equal(b.data, "virDomainCreate(web1)\n");
	buf_reset(&b);
	assert_int_equal(d->direct_op("nosuch:///x", DRV_STOP, &t, &b), 0);
	assert_int_equal(d->direct_op("nosuch:///x", DRV_FORCE_OFF, &t, &b),
	    0);
	assert_int_equal(d->direct_op("nosuch:///x", DRV_REBOOT, &t, &b), 0);
	assert_int_equal(d->direct_op("nosuch:///x", DRV_SUSPEND, &t, &b), 0);
	assert_int_equal(d->direct_op("nosuch:///x", DRV_RESUME, &t, &b), 0);
	assert_string_equal(b.data, "virDomainShutdown(web1)\n"
	    "virDomainDestroy(web1)\n"
	    "virDomainReboot(web1, 0)\n"
	    "virDomainSuspend(web1)\n"
	    "virDomainResume(web1)\n");
	buf_reset(&b);
	assert_int_equal(d->direct_op("nosuch:///x", DRV_DESTROY, &t, &b), 0);
	assert_string_equal(b.data,
	    "virDomainDestroy(web1) unless it is shut off\n"
	    "virDomainUndefineFlags(web1, MANAGED_SAVE|SNAPSHOTS_METADATA|"
	    "NVRAM)\n"
	    "virStorageVolDelete() of each disk of web1 in pool hvsh\n");
	buf_reset(&b);
	/* The XML is drv-virsh.c's, word for word. */
	hv_vm_init(&vm);
	assert_int_equal(d->direct_create("nosuch:///x", &s, &vm, &b), 0);
	assert_string_equal(b.data, "virDomainDefineXML("
	    "<domain type=\"qemu\"><name>web1</name>"
	    "<memory unit=\"KiB\">65536</memory><vcpu>2</vcpu><metadata>"
	    "<hvsh:instance xmlns:hvsh=\"https://hvsh.invalid/ns/1\" id=\"7\"/>"
	    "</metadata><os><type machine=\"q35\">hvm</type></os><devices>"
	    "<controller type=\"pci\" index=\"0\" model=\"pcie-root\"/>"
	    "<controller type=\"pci\" index=\"1\" model=\"pcie-root-port\"/>"
	    "<controller type=\"pci\" index=\"2\" model=\"pcie-root-port\"/>"
	    "<controller type=\"pci\" index=\"3\" model=\"pcie-root-port\"/>"
	    "<controller type=\"pci\" index=\"4\" model=\"pcie-root-port\"/>"
	    "<controller type=\"usb\" model=\"none\"/><serial type=\"pty\"/>"
	    "<console type=\"pty\"/></devices></domain>)\n");
	assert_null(vm.name);
	buf_reset(&b);
	s.disk = 64 * MiB;
	assert_int_equal(d->direct_create("nosuch:///x", &s, &vm, &b), 0);
	assert_true(strncmp(b.data, "virStoragePoolLookupByName(hvsh)\n"
	    "virDomainDefineXML(<domain ", 60) == 0);
	assert_non_null(strstr(b.data, "<disk type=\"volume\" device=\"disk\">"
	    "<driver name=\"qemu\" type=\"qcow2\"/><source pool=\"hvsh\" "
	    "volume=\"web1.qcow2\"/><target dev=\"vda\" bus=\"virtio\"/>"
	    "</disk>"));
	assert_non_null(strstr(b.data, ")\nvirStorageVolCreateXML(hvsh, "
	    "<volume><name>web1.qcow2</name><capacity unit=\"bytes\">"
	    "67108864</capacity><target><format type=\"qcow2\"/></target>"
	    "</volume>)\n"));
	/* Checked as the real thing would be. */
	t.name = "-web1";
	t.uuid = NULL;
	assert_int_equal(d->direct_op("nosuch:///x", DRV_START, &t, &b),
	    ERR_INVAL);
	s.cpus = 0;
	assert_int_equal(d->direct_create("nosuch:///x", &s, &vm, &b),
	    ERR_INVAL);
	buf_free(&b);
}

static void
test_create(void **state)
{
	struct drv_spec		 s = { .name = "c1", .hvsh_id = "4242", .cpus = 1, .memory = 32 * MiB, .disk = 0, .image_path = NULL };
	struct hv_facts		 f;
	struct hv_vm_list	 l = { NULL, 0 };
	const struct hv_vm	*r;
	struct hv_vm		 vm;
	char			*uuid;

	hv_vm_init(&vm);
	assert_int_equal(d->direct_create(URI, &s, &vm, NULL), 0);
	assert_string_equal(vm.name, "c1");
	assert_non_null(vm.uuid);
	assert_true(hvout_is_uuid(vm.uuid, strlen(vm.uuid)));
	assert_int_equal(vm.state, HV_STOPPED);
	assert_int_equal(vm.cpus, 1);
	assert_int_equal(vm.memory, 32 * MiB);
	assert_string_equal(vm.hvsh_id, "4242");
	uuid = xstrdup(vm.uuid);
	hv_vm_clear(&vm);

	/* A refresh reads our id back from the metadata. */
	hv_facts_init(&f);
	assert_int_equal(d->direct_refresh(URI, &f, &l), 0);
	assert_int_equal(l.n, 2);
	assert_non_null(r = find(&l, "c1"));
	assert_string_equal(r->uuid, uuid);
	assert_string_equal(r->hvsh_id, "4242");
	assert_int_equal(r->state, HV_STOPPED);
	assert_int_equal(r->mem_used, 0);
	assert_null(find(&l, "test")->hvsh_id);
	hv_vm_list_free(&l);
	hv_facts_clear(&f);

	/* A taken name fails at the define, with libvirt's reason. */
	assert_true(d->direct_create(URI, &s, &vm, NULL) < 0);
	assert_non_null(strstr(err_msg(), "virDomainDefineXML(c1): "));
	assert_non_null(strstr(err_msg(), "already exists"));
	assert_null(vm.name);

	assert_int_equal(op(DRV_START, "c1", uuid), 0);
	assert_int_equal(state_of("c1"), HV_RUNNING);
	/* Destroy powers it off first, then removes it. */
	assert_int_equal(op(DRV_DESTROY, "c1", uuid), 0);
	assert_int_equal(state_of("c1"), HV_UNKNOWN);
	assert_int_equal(op(DRV_DESTROY, "c1", uuid), ERR_NOENT);
	free(uuid);
}

static void
test_create_errors(void **state)
{
	struct drv_spec	s = { .name = "c2", .hvsh_id = "5", .cpus = 1, .memory = 32 * MiB, .disk = 64 * MiB, .image_path = NULL };
	struct hv_vm	vm;

	/* The test host has no pool "hvsh": nothing is defined. */
	hv_vm_init(&vm);
	assert_int_equal(d->direct_create(URI, &s, &vm, NULL), ERR_NOENT);
	assert_non_null(strstr(err_msg(), "storage pool 'hvsh'"));
	assert_int_equal(state_of("c2"), HV_UNKNOWN);
	s.disk = 0;
	s.image_path = "/x.qcow2";
	assert_int_equal(d->direct_create(URI, &s, &vm, NULL), ERR_INVAL);
	s.image_path = NULL;
	s.name = "bad name";
	assert_int_equal(d->direct_create(URI, &s, &vm, NULL), ERR_INVAL);
	s.name = "c2";
	s.hvsh_id = NULL;
	assert_int_equal(d->direct_create(URI, &s, &vm, NULL), ERR_INVAL);
	s.hvsh_id = "5";
	s.memory = 1000;
	assert_int_equal(d->direct_create(URI, &s, &vm, NULL), ERR_INVAL);
	assert_null(vm.name);
	assert_int_equal(state_of("c2"), HV_UNKNOWN);
}

/* What the watch reported, for the test to look at afterwards. */
#define SEEN_MAX 16
struct seen {
	char		*name[SEEN_MAX];
	char		*uuid[SEEN_MAX];
	char		*id[SEEN_MAX];
	enum hv_state	 state[SEEN_MAX];
	int		 n;
	int		 stop_at;	/* cb returns ERR_BUSY at this count */
};

static int
on_event(const struct hv_vm *vm, void *arg)
{
	struct seen	*s = arg;

	assert_true(s->n < SEEN_MAX);
	s->name[s->n] = xstrdup(vm->name);
	s->uuid[s->n] = vm->uuid != NULL ? xstrdup(vm->uuid) : NULL;
	s->id[s->n] = vm->hvsh_id != NULL ? xstrdup(vm->hvsh_id) : NULL;
	s->state[s->n] = vm->state;
	s->n++;
	return s->stop_at > 0 && s->n >= s->stop_at ? ERR_BUSY : 0;
}

static void
seen_free(struct seen *s)
{
	int	i;

	for (i = 0; i < s->n; i++) {
		free(s->name[i]);
		free(s->uuid[i]);
		free(s->id[i]);
	}
}

/*
 * The other client: every 30 ms, "off" then "on" then "off" ... on a
 * domain, until told to stop; then "on" if "off" came last.
 */
struct toggler {
	const char		*name;
	int			 (*on)(virDomainPtr);
	int			 (*off)(virDomainPtr);
	volatile int		 stop;
};

static void *
toggle_main(void *arg)
{
	struct toggler	*t = arg;
	virDomainPtr	 dom;
	int		 i;

	dom = virDomainLookupByName(other, t->name);
	for (i = 0; dom != NULL && !t->stop && i < 200; i++) {
		nanosleep(&(struct timespec){ 0, 30000000 }, NULL);
		(void)(i % 2 == 0 ? t->off(dom) : t->on(dom));
	}
	if (dom != NULL) {
		/* Leave it "on", as it was. */
		if (i % 2 == 1)
			t->on(dom);
		virDomainFree(dom);
	}
	return NULL;
}

static void
test_watch(void **state)
{
	struct toggler	 t = { "test", virDomainResume, virDomainSuspend, 0 };
	struct seen	 s;
	pthread_t	 th;
	int		 i, rc;

	memset(&s, 0, sizeof s);
	assert_int_equal(pthread_create(&th, NULL, toggle_main, &t), 0);
	rc = d->watch(URI, on_event, &s, 4, 10000);
	t.stop = 1;
	pthread_join(th, NULL);
	assert_int_equal(rc, 4);
	assert_int_equal(s.n, 4);
	for (i = 0; i < 4; i++) {
		assert_string_equal(s.name[i], "test");
		assert_string_equal(s.uuid[i], TEST_UUID);
		assert_null(s.id[i]);
		assert_true(s.state[i] == HV_PAUSED ||
		    s.state[i] == HV_RUNNING);
		/* Only changes: never the same state twice in a row. */
		if (i > 0)
			assert_int_not_equal(s.state[i], s.state[i - 1]);
	}
	seen_free(&s);
	assert_int_equal(state_of("test"), HV_RUNNING);
}

/* Our own instance: the event carries our id, read from the metadata. */
static void
test_watch_ours(void **state)
{
	struct drv_spec	 sp = { .name = "c3", .hvsh_id = "77", .cpus = 1, .memory = 32 * MiB, .disk = 0, .image_path = NULL };
	/* c3 is off: its "off" is a start, its "on" a power-off. */
	struct toggler	 t = { "c3", virDomainDestroy, virDomainCreate, 0 };
	struct toggler	 u = { "c3", virDomainUndefine, virDomainUndefine, 0 };
	struct seen	 s;
	struct hv_vm	 vm;
	pthread_t	 th;
	int		 i, rc;

	hv_vm_init(&vm);
	assert_int_equal(d->direct_create(URI, &sp, &vm, NULL), 0);
	hv_vm_clear(&vm);
	memset(&s, 0, sizeof s);
	assert_int_equal(pthread_create(&th, NULL, toggle_main, &t), 0);
	rc = d->watch(URI, on_event, &s, 3, 10000);
	t.stop = 1;
	pthread_join(th, NULL);
	assert_int_equal(rc, 3);
	for (i = 0; i < 3; i++) {
		assert_string_equal(s.name[i], "c3");
		assert_string_equal(s.id[i], "77");
		assert_true(s.state[i] == HV_RUNNING ||
		    s.state[i] == HV_STOPPED);
	}
	seen_free(&s);

	/* Its removal is an event too: gone, so the state is unknown. */
	memset(&s, 0, sizeof s);
	assert_int_equal(pthread_create(&th, NULL, toggle_main, &u), 0);
	rc = d->watch(URI, on_event, &s, 1, 10000);
	u.stop = 1;
	pthread_join(th, NULL);
	assert_int_equal(rc, 1);
	assert_string_equal(s.name[0], "c3");
	assert_int_equal(s.state[0], HV_UNKNOWN);
	seen_free(&s);
	assert_int_equal(state_of("c3"), HV_UNKNOWN);
}

static void
test_watch_ends(void **state)
{
	struct toggler	 t = { "test", virDomainResume, virDomainSuspend, 0 };
	struct seen	 s;
	struct timespec	 a, b;
	pthread_t	 th;
	double		 secs;
	int		 rc;

	/* Nothing happens: the deadline ends it, with no event. */
	memset(&s, 0, sizeof s);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(d->watch(URI, on_event, &s, 1, 300), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	assert_true(secs >= 0.29 && secs < 2);
	assert_int_equal(s.n, 0);

	/* The callback ends it, with its own code. */
	s.stop_at = 2;
	assert_int_equal(pthread_create(&th, NULL, toggle_main, &t), 0);
	rc = d->watch(URI, on_event, &s, 0, 10000);
	t.stop = 1;
	pthread_join(th, NULL);
	assert_int_equal(rc, ERR_BUSY);
	assert_int_equal(s.n, 2);
	seen_free(&s);

	/* No such host. */
	assert_int_equal(d->watch("nosuch:///x", on_event, &s, 1, 300),
	    ERR_IO);
	assert_int_equal(state_of("test"), HV_RUNNING);
}

/*
 * A daemon that accepts and never answers: the open gives up at the
 * connect timeout instead of hanging (its thread is left to libvirt).
 */
static void
test_connect_timeout(void **state)
{
	struct sockaddr_un	 sa;
	struct hv_facts		 f;
	struct hv_vm_list	 l = { NULL, 0 };
	struct timespec		 a, b;
	char			 dir[] = "/tmp/hvsh-lvt-XXXXXX", *uri;
	double			 secs;
	int			 fd;

	assert_non_null(mkdtemp(dir));
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/sock", dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(fd, 4), 0);
	uri = xasprintf("qemu+unix:///system?socket=%s", sa.sun_path);
	setenv("HVSH_CONNECT_TIMEOUT_MS", "300", 1);
	hv_facts_init(&f);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(d->direct_refresh(uri, &f, &l), ERR_IO);
	clock_gettime(CLOCK_MONOTONIC, &b);
	unsetenv("HVSH_CONNECT_TIMEOUT_MS");
	secs = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	assert_true(secs >= 0.29 && secs < 3);
	assert_non_null(strstr(err_msg(), "no answer within 300 ms"));
	assert_int_equal(l.n, 0);
	assert_int_equal(f.cpus, -1);
	close(fd);
	unlink(sa.sun_path);
	rmdir(dir);
	free(uri);
}

/* The service's own thread pool: every index once, from several threads. */
static void
count_one(size_t i, void *arg)
{
	int	*hits = arg;

	__atomic_add_fetch(&hits[i], 1, __ATOMIC_SEQ_CST);
}

static void
test_each(void **state)
{
	int	hits[100];
	size_t	i;

	memset(hits, 0, sizeof hits);
	fanout_each(100, count_one, hits);
	for (i = 0; i < 100; i++)
		assert_int_equal(hits[i], 1);
	fanout_each(0, count_one, hits);
	fanout_each(1, count_one, hits);
	assert_int_equal(hits[0], 2);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_refresh),
		cmocka_unit_test(test_refresh_service),
		cmocka_unit_test(test_ops),
		cmocka_unit_test(test_op_errors),
		cmocka_unit_test(test_dry_run),
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_watch),
		cmocka_unit_test(test_watch_ours),
		cmocka_unit_test(test_watch_ends),
		cmocka_unit_test(test_connect_timeout),
		cmocka_unit_test(test_each),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
