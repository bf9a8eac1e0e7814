/*
 * drv-libvirt.c: the libvirt driver. It runs no CLI: it speaks libvirt's C
 * API to a URI (qemu:///system on the bastion itself, qemu+ssh://host/system,
 * test:///default), so it fills the direct slots of driver.h. This is the
 * only file that calls libvirt.
 *
 * Connections are kept open per URI for the life of the process, as the
 * transport keeps its sessions: a shell's commands reuse them, and libvirt's
 * in-process test driver keeps its state from one command of a script to
 * the next. One thread runs libvirt's default event loop for the whole
 * process. It answers the daemons' keepalive probes, so that a dead remote
 * connection fails calls instead of hanging them, and it delivers the
 * lifecycle events that watch reports. Opening a connection has a deadline
 * of its own (HVSH_CONNECT_TIMEOUT_MS, as for SSH), and nobody is ever
 * asked for a password or to accept a key: such a connection fails.
 *
 * Domains are defined with the XML drv-virsh.c's create writes, our id in
 * <metadata> under https://hvsh.invalid/ns/1; a root disk is a qcow2 volume
 * of the libvirt pool "hvsh", which must exist (the kvm driver makes it).
 */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "driver.h"
#include "err.h"
#include "hvout.h"
#include "name.h"
#include "util.h"

/*
 * libvirt is loaded when a libvirt host is first used, not linked: its
 * start-up work costs every hvsh command about 12 ms, and most commands
 * never speak to a libvirt host. Every libvirt function this file calls is
 * in LV_API; the names below are redefined to the loaded pointers.
 */
#define LV_API(X) \
	X(virConnectClose) \
	X(virConnectDomainEventDeregisterAny) \
	X(virConnectDomainEventRegisterAny) \
	X(virConnectGetHostname) \
	X(virConnectGetLibVersion) \
	X(virConnectGetType) \
	X(virConnectGetVersion) \
	X(virConnectIsAlive) \
	X(virConnectListAllDomains) \
	X(virConnectOpenAuth) \
	X(virConnectRef) \
	X(virConnectSetKeepAlive) \
	X(virDomainCreate) \
	X(virDomainDefineXML) \
	X(virDomainDestroy) \
	X(virDomainFree) \
	X(virDomainGetInfo) \
	X(virDomainGetMetadata) \
	X(virDomainGetName) \
	X(virDomainGetState) \
	X(virDomainGetUUIDString) \
	X(virDomainGetXMLDesc) \
	X(virDomainLookupByName) \
	X(virDomainLookupByUUIDString) \
	X(virDomainReboot) \
	X(virDomainResume) \
	X(virDomainShutdown) \
	X(virDomainSuspend) \
	X(virDomainUndefine) \
	X(virDomainUndefineFlags) \
	X(virEventRegisterDefaultImpl) \
	X(virEventRunDefaultImpl) \
	X(virGetLastError) \
	X(virInitialize) \
	X(virNodeGetFreeMemory) \
	X(virNodeGetInfo) \
	X(virNodeGetMemoryStats) \
	X(virResetLastError) \
	X(virSetErrorFunc) \
	X(virStoragePoolCreate) \
	X(virStoragePoolFree) \
	X(virStoragePoolIsActive) \
	X(virStoragePoolLookupByName) \
	X(virStorageVolCreateXML) \
	X(virStorageVolDelete) \
	X(virStorageVolFree) \
	X(virStorageVolLookupByName)

static struct {
#define LV_PTR(f) __typeof__(f) *p_##f;
	LV_API(LV_PTR)
#undef LV_PTR
} lv_api;

#define virConnectClose (*lv_api.p_virConnectClose)
#define virConnectDomainEventDeregisterAny (*lv_api.p_virConnectDomainEventDeregisterAny)
#define virConnectDomainEventRegisterAny (*lv_api.p_virConnectDomainEventRegisterAny)
#define virConnectGetHostname (*lv_api.p_virConnectGetHostname)
#define virConnectGetLibVersion (*lv_api.p_virConnectGetLibVersion)
#define virConnectGetType (*lv_api.p_virConnectGetType)
#define virConnectGetVersion (*lv_api.p_virConnectGetVersion)
#define virConnectIsAlive (*lv_api.p_virConnectIsAlive)
#define virConnectListAllDomains (*lv_api.p_virConnectListAllDomains)
#define virConnectOpenAuth (*lv_api.p_virConnectOpenAuth)
#define virConnectRef (*lv_api.p_virConnectRef)
#define virConnectSetKeepAlive (*lv_api.p_virConnectSetKeepAlive)
#define virDomainCreate (*lv_api.p_virDomainCreate)
#define virDomainDefineXML (*lv_api.p_virDomainDefineXML)
#define virDomainDestroy (*lv_api.p_virDomainDestroy)
#define virDomainFree (*lv_api.p_virDomainFree)
#define virDomainGetInfo (*lv_api.p_virDomainGetInfo)
#define virDomainGetMetadata (*lv_api.p_virDomainGetMetadata)
#define virDomainGetName (*lv_api.p_virDomainGetName)
#define virDomainGetState (*lv_api.p_virDomainGetState)
#define virDomainGetUUIDString (*lv_api.p_virDomainGetUUIDString)
#define virDomainGetXMLDesc (*lv_api.p_virDomainGetXMLDesc)
#define virDomainLookupByName (*lv_api.p_virDomainLookupByName)
#define virDomainLookupByUUIDString (*lv_api.p_virDomainLookupByUUIDString)
#define virDomainReboot (*lv_api.p_virDomainReboot)
#define virDomainResume (*lv_api.p_virDomainResume)
#define virDomainShutdown (*lv_api.p_virDomainShutdown)
#define virDomainSuspend (*lv_api.p_virDomainSuspend)
#define virDomainUndefine (*lv_api.p_virDomainUndefine)
#define virDomainUndefineFlags (*lv_api.p_virDomainUndefineFlags)
#define virEventRegisterDefaultImpl (*lv_api.p_virEventRegisterDefaultImpl)
#define virEventRunDefaultImpl (*lv_api.p_virEventRunDefaultImpl)
#define virGetLastError (*lv_api.p_virGetLastError)
#define virInitialize (*lv_api.p_virInitialize)
#define virNodeGetFreeMemory (*lv_api.p_virNodeGetFreeMemory)
#define virNodeGetInfo (*lv_api.p_virNodeGetInfo)
#define virNodeGetMemoryStats (*lv_api.p_virNodeGetMemoryStats)
#define virResetLastError (*lv_api.p_virResetLastError)
#define virSetErrorFunc (*lv_api.p_virSetErrorFunc)
#define virStoragePoolCreate (*lv_api.p_virStoragePoolCreate)
#define virStoragePoolFree (*lv_api.p_virStoragePoolFree)
#define virStoragePoolIsActive (*lv_api.p_virStoragePoolIsActive)
#define virStoragePoolLookupByName (*lv_api.p_virStoragePoolLookupByName)
#define virStorageVolCreateXML (*lv_api.p_virStorageVolCreateXML)
#define virStorageVolDelete (*lv_api.p_virStorageVolDelete)
#define virStorageVolFree (*lv_api.p_virStorageVolFree)
#define virStorageVolLookupByName (*lv_api.p_virStorageVolLookupByName)

/* Opens libvirt and finds each function; ERR_IO naming what is missing. */
static int
lv_load(void)
{
	void	*h;

	if ((h = dlopen("libvirt.so.0", RTLD_NOW | RTLD_LOCAL)) == NULL)
		return err_set(ERR_IO, "libvirt is not available: %s",
		    dlerror());
#define LV_SYM(f)							\
	if ((*(void **)&lv_api.p_##f = dlsym(h, #f)) == NULL)		\
		return err_set(ERR_IO, "libvirt lacks %s", #f);
	LV_API(LV_SYM)
#undef LV_SYM
	return 0;
}

#define LV_NS		DRV_XML_NS
#define LV_POOL		"hvsh"
#define LV_DOMTYPE	"qemu"
#define LV_CONNECT_MS	10000	/* default deadline to open a connection */
#define LV_KEEPALIVE	5	/* seconds between probes of a quiet peer */
#define LV_KEEPCOUNT	3	/* probes unanswered before it is dead */
#define LV_REASON	300	/* longest libvirt message quoted */
#define LV_UNDEFINE	(VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | \
			 VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)

/* A connection kept open, by the URI it was opened with. */
struct lv_conn {
	char		*uri;
	virConnectPtr	 conn;
	struct lv_conn	*next;
};

static pthread_once_t	 lv_once = PTHREAD_ONCE_INIT;
static int		 lv_init_rc;
static pthread_mutex_t	 lv_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lv_conn	*lv_conns;

/* The API call of each operation but destroy, which takes several. */
static const char *const lv_calls[DRV_OP__COUNT] = {
	[DRV_START] = "virDomainCreate",
	[DRV_STOP] = "virDomainShutdown",
	[DRV_FORCE_OFF] = "virDomainDestroy",
	[DRV_REBOOT] = "virDomainReboot",
	[DRV_SUSPEND] = "virDomainSuspend",
	[DRV_RESUME] = "virDomainResume",
};

/* Messages reach the user through err_set(), never libvirt's own stderr. */
static void
lv_quiet(void *arg, virErrorPtr e)
{
}

/* Which ERR_* a libvirt error number means. */
static int
lv_code(int vir)
{
	switch (vir) {
	case VIR_ERR_NO_DOMAIN:
	case VIR_ERR_NO_STORAGE_POOL:
	case VIR_ERR_NO_STORAGE_VOL:
	case VIR_ERR_NO_DOMAIN_METADATA:
		return ERR_NOENT;
	case VIR_ERR_DOM_EXIST:
	case VIR_ERR_STORAGE_VOL_EXIST:
		return ERR_EXIST;
	case VIR_ERR_OPERATION_INVALID:		/* wrong state: not running */
	case VIR_ERR_RESOURCE_BUSY:
		return ERR_BUSY;
	case VIR_ERR_AUTH_FAILED:
	case VIR_ERR_AUTH_CANCELLED:
	case VIR_ERR_AUTH_UNAVAILABLE:
	case VIR_ERR_OPERATION_DENIED:
	case VIR_ERR_ACCESS_DENIED:
		return ERR_PERM;
	case VIR_ERR_NO_SUPPORT:
	case VIR_ERR_OPERATION_UNSUPPORTED:
	case VIR_ERR_CONFIG_UNSUPPORTED:
	case VIR_ERR_INVALID_ARG:
	case VIR_ERR_XML_ERROR:
	case VIR_ERR_XML_DETAIL:
		return ERR_INVAL;
	case VIR_ERR_SYSTEM_ERROR:
	case VIR_ERR_RPC:
	case VIR_ERR_NO_CONNECT:
	case VIR_ERR_OPERATION_TIMEOUT:
	case VIR_ERR_AGENT_UNRESPONSIVE:
		return ERR_IO;
	}
	return ERR_FAIL;
}

/*
 * Turns libvirt's last error in this thread into ours, after what failed
 * ("virDomainCreate(web1): Requested operation is not valid: ...").
 */
static int
lv_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int
lv_fail(const char *fmt, ...)
{
	virErrorPtr	 e = virGetLastError();
	va_list		 ap;
	char		 what[256];
	int		 rc;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	rc = err_set(e != NULL ? lv_code(e->code) : ERR_FAIL, "%s: %.*s",
	    what, LV_REASON, e != NULL && e->message != NULL ? e->message :
	    "failed (libvirt gave no reason)");
	virResetLastError();
	return rc;
}

/* Runs the event loop for the whole process: keepalives and events. */
static void *
lv_loop(void *arg)
{
	for (;;) {
		if (virEventRunDefaultImpl() < 0) {
			virResetLastError();
			nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
		}
	}
	return NULL;
}

/* Closes the kept connections as the process ends (so nothing leaks). */
static void
lv_close_all(void)
{
	struct lv_conn	*c, *next;

	pthread_mutex_lock(&lv_lock);
	for (c = lv_conns; c != NULL; c = next) {
		next = c->next;
		virConnectClose(c->conn);
		free(c->uri);
		free(c);
	}
	lv_conns = NULL;
	pthread_mutex_unlock(&lv_lock);
}

/* A detached thread, or an error. */
static int
lv_thread(void *(*fn)(void *), void *arg)
{
	pthread_attr_t	attr;
	pthread_t	th;
	int		e;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	e = pthread_create(&th, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return e == 0 ? 0 : err_set(ERR_IO, "libvirt: cannot start a thread: "
	    "%s", strerror(e));
}

/*
 * The event implementation must be registered before the first connection
 * is opened, or remote connections would carry no events and keepalives.
 */
static void
lv_init_once(void)
{
	if (lv_load() != 0) {
		lv_init_rc = ERR_IO;
		return;
	}
	virSetErrorFunc(NULL, lv_quiet);
	if (virInitialize() < 0 || virEventRegisterDefaultImpl() < 0) {
		lv_init_rc = ERR_FAIL;
		return;
	}
	if (lv_thread(lv_loop, NULL) != 0) {
		lv_init_rc = ERR_IO;
		return;
	}
	atexit(lv_close_all);
}

static int
lv_init(void)
{
	pthread_once(&lv_once, lv_init_once);
	if (lv_init_rc != 0)
		return err_set(lv_init_rc, "libvirt: cannot load or set up the "
		    "library and its event loop");
	return 0;
}

/* Nobody is asked for a password or to accept a key: the open fails. */
static int
lv_auth_cb(virConnectCredentialPtr cred, unsigned int ncred, void *arg)
{
	return -1;
}

static int lv_credtypes[] = {
	VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE, VIR_CRED_ECHOPROMPT,
	VIR_CRED_NOECHOPROMPT
};

static virConnectAuth lv_auth = {
	lv_credtypes, nitems(lv_credtypes), lv_auth_cb, NULL
};

/*
 * A connection being opened in a thread of its own, so that the caller can
 * give up at its deadline. Whichever of the two lets go last frees it.
 */
struct lv_open {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cv;
	char		*uri;
	virConnectPtr	 conn;
	char		*errmsg;
	int		 code;
	int		 done;
	int		 abandoned;
};

static void
lv_open_free(struct lv_open *o)
{
	if (o->conn != NULL)
		virConnectClose(o->conn);
	pthread_mutex_destroy(&o->lock);
	pthread_cond_destroy(&o->cv);
	free(o->uri);
	free(o->errmsg);
	free(o);
}

static void *
lv_open_main(void *arg)
{
	struct lv_open	*o = arg;
	virConnectPtr	 conn;
	virErrorPtr	 e;
	int		 orphan;

	conn = virConnectOpenAuth(o->uri, &lv_auth, 0);
	pthread_mutex_lock(&o->lock);
	if (conn == NULL) {
		e = virGetLastError();
		o->code = e != NULL ? lv_code(e->code) : ERR_IO;
		o->errmsg = xstrndup(e != NULL && e->message != NULL ?
		    e->message : "cannot connect", LV_REASON);
		virResetLastError();
	}
	o->conn = conn;
	o->done = 1;
	orphan = o->abandoned;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->lock);
	if (orphan)
		lv_open_free(o);
	return NULL;
}

static int
lv_timeout_ms(void)
{
	const char	*v = getenv("HVSH_CONNECT_TIMEOUT_MS");
	int64_t		 n;

	if (v != NULL && parse_i64(v, &n) == 0 && n > 0 && n < 3600000)
		return (int)n;
	return LV_CONNECT_MS;
}

/* ts advanced by ms. */
static void
ts_add(struct timespec *ts, int64_t ms)
{
	ts->tv_sec += (time_t)(ms / 1000);
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static int
ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/*
 * Opens uri, giving up after the connect timeout: an SSH transport that
 * hangs, or a daemon that accepts and never answers, must not hang hvsh.
 * The thread left behind closes what it gets, if it ever gets it.
 */
static int
lv_open(const char *uri, virConnectPtr *out)
{
	struct lv_open		*o = xcalloc(1, sizeof *o);
	pthread_condattr_t	 ca;
	struct timespec		 deadline;
	int			 ms = lv_timeout_ms(), rc = 0;

	*out = NULL;
	pthread_mutex_init(&o->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&o->cv, &ca);
	pthread_condattr_destroy(&ca);
	o->uri = xstrdup(uri);
	if ((rc = lv_thread(lv_open_main, o)) != 0) {
		lv_open_free(o);
		return rc;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	ts_add(&deadline, ms);
	pthread_mutex_lock(&o->lock);
	while (!o->done && pthread_cond_timedwait(&o->cv, &o->lock,
	    &deadline) != ETIMEDOUT)
		;
	if (!o->done) {
		o->abandoned = 1;	/* the thread frees it */
		pthread_mutex_unlock(&o->lock);
		return err_set(ERR_IO, "cannot connect to %s: no answer within "
		    "%d ms", uri, ms);
	}
	pthread_mutex_unlock(&o->lock);
	if (o->conn == NULL)
		rc = err_set(o->code, "cannot connect to %s: %s", uri,
		    o->errmsg);
	*out = o->conn;
	o->conn = NULL;		/* transferred */
	lv_open_free(o);
	return rc;
}

/*
 * The connection to uri, kept or newly opened; the caller lets go of it
 * with virConnectClose. One that died (its daemon restarted, a keepalive
 * went unanswered) is replaced. Two threads that open one URI at once
 * both keep theirs; the newer is found first, the older closed at exit.
 */
static int
lv_connect(const char *uri, virConnectPtr *out)
{
	struct lv_conn	*c, **pp;
	virConnectPtr	 conn, stale = NULL;
	int		 rc;

	*out = NULL;
	if ((rc = lv_init()) != 0)
		return rc;
	pthread_mutex_lock(&lv_lock);
	for (pp = &lv_conns; (c = *pp) != NULL; pp = &c->next)
		if (strcmp(c->uri, uri) == 0)
			break;
	if (c != NULL && virConnectIsAlive(c->conn) == 1) {
		virConnectRef(c->conn);
		*out = c->conn;
		pthread_mutex_unlock(&lv_lock);
		return 0;
	}
	if (c != NULL) {
		*pp = c->next;
		stale = c->conn;
		free(c->uri);
		free(c);
	}
	pthread_mutex_unlock(&lv_lock);
	if (stale != NULL)
		virConnectClose(stale);
	virResetLastError();
	if ((rc = lv_open(uri, &conn)) != 0)
		return rc;
	/* Local drivers have no keepalive; that is no error. */
	if (virConnectSetKeepAlive(conn, LV_KEEPALIVE, LV_KEEPCOUNT) < 0)
		virResetLastError();
	c = xcalloc(1, sizeof *c);
	c->uri = xstrdup(uri);
	c->conn = conn;
	virConnectRef(conn);
	pthread_mutex_lock(&lv_lock);
	c->next = lv_conns;
	lv_conns = c;
	pthread_mutex_unlock(&lv_lock);
	*out = conn;
	return 0;
}

/*
 * The word for a target in messages and dry runs, after checking it: a
 * UUID that is one, else a name on hvsh's allow-list.
 */
static int
lv_target(const struct drv_target *t, const char **word)
{
	int	rc;

	*word = NULL;
	if (t->uuid != NULL && *t->uuid != '\0' &&
	    !hvout_is_uuid(t->uuid, strlen(t->uuid)))
		return err_set(ERR_INVAL, "libvirt: '%s' is not a UUID",
		    t->uuid);
	if (t->name != NULL) {
		if ((rc = name_check("instance", t->name)) != 0)
			return rc;
		*word = t->name;
	} else if (t->uuid != NULL && *t->uuid != '\0')
		*word = t->uuid;
	else
		return err_set(ERR_INVAL, "libvirt: an instance needs a name "
		    "or a UUID");
	return 0;
}

/* The domain t names: by UUID when known (it survives renames), else name. */
static int
lv_lookup(virConnectPtr conn, const struct drv_target *t, virDomainPtr *out)
{
	if (t->uuid != NULL && *t->uuid != '\0') {
		if ((*out = virDomainLookupByUUIDString(conn, t->uuid)) == NULL)
			return lv_fail("virDomainLookupByUUIDString(%s)",
			    t->uuid);
		return 0;
	}
	if ((*out = virDomainLookupByName(conn, t->name)) == NULL)
		return lv_fail("virDomainLookupByName(%s)", t->name);
	return 0;
}

/*
 * The id attribute of what virDomainGetMetadata returns: the element
 * libvirt found under our namespace, printed without it
 * ('<instance id="42"/>'), so hvout_virsh_metadata_id, which looks for
 * the namespace, cannot read it. A string search of the start tag only;
 * the value must pass hvsh's allow-list (ours are decimal record ids).
 */
static int
lv_meta_attr(const char *xml, const char *name, char **id)
{
	const char	*gt, *a, *v, *end;
	char		 quote;

	*id = NULL;
	if (xml[0] != '<' || (gt = strchr(xml, '>')) == NULL)
		return err_set(ERR_INVAL, "libvirt: metadata of %s is not an "
		    "element", name);
	for (a = xml + 1; a + 4 < gt; a++) {
		if ((a[0] != ' ' && a[0] != '\t' && a[0] != '\n') ||
		    strncmp(a + 1, "id=", 3) != 0)
			continue;
		quote = a[4];
		if (quote != '"' && quote != '\'')
			continue;
		v = a + 5;
		if ((end = memchr(v, quote, (size_t)(gt - v))) == NULL)
			break;
		*id = xstrndup(v, (size_t)(end - v));
		if (name_check("hvsh id", *id) != 0) {
			free(*id);
			*id = NULL;
			break;
		}
		return 0;
	}
	return err_set(ERR_INVAL, "libvirt: metadata of %s: our element has "
	    "no readable id", name);
}

/* Our id from the domain's metadata; NULL when it carries none. */
static int
lv_meta_id(virDomainPtr dom, const char *name, char **id)
{
	virErrorPtr	 e;
	char		*meta;
	int		 rc;

	*id = NULL;
	meta = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, LV_NS, 0);
	if (meta == NULL) {
		e = virGetLastError();
		if (e != NULL && e->code != VIR_ERR_NO_DOMAIN_METADATA)
			return lv_fail("virDomainGetMetadata(%s)", name);
		virResetLastError();
		return 0;
	}
	rc = lv_meta_attr(meta, name, id);
	free(meta);
	return rc;
}

/*
 * Fills vm from a domain: what virsh's list, domstats and the metadata
 * loop give the kvm driver, in the same units and with the same states.
 * ERR_NOENT when the domain went away meanwhile.
 */
static int
lv_vm(virDomainPtr dom, struct hv_vm *vm)
{
	virDomainInfo	 di;
	char		 uuid[VIR_UUID_STRING_BUFLEN];
	const char	*name;
	int		 rc;

	if ((name = virDomainGetName(dom)) == NULL)
		return lv_fail("virDomainGetName");
	if (virDomainGetUUIDString(dom, uuid) < 0)
		return lv_fail("virDomainGetUUIDString(%s)", name);
	if (virDomainGetInfo(dom, &di) < 0)
		return lv_fail("virDomainGetInfo(%s)", name);
	vm->name = xstrdup(name);
	vm->uuid = xstrdup(uuid);
	vm->state = hvout_virsh_state_num(di.state);
	vm->cpus = di.nrVirtCpu;
	vm->memory = (int64_t)di.maxMem * 1024;
	if (vm->state == HV_STOPPED) {
		vm->mem_used = 0;
		vm->cpu_time = 0;
	} else {
		vm->mem_used = (int64_t)di.memory * 1024;
		vm->cpu_time = (double)di.cpuTime / 1e9;
	}
	if ((rc = lv_meta_id(dom, name, &vm->hvsh_id)) != 0)
		return rc;
	return 0;
}

/*
 * The host's facts: CPUs from virNodeGetInfo, total and free memory as
 * virsh nodememstats shows them (as the kvm driver records them), else
 * from the older calls (the test driver has no memory stats), and
 * "QEMU 7.2.0 (libvirt 9.0.0)" as virsh version says it.
 */
static int
lv_facts(virConnectPtr conn, struct hv_facts *f)
{
	virNodeInfo		 ni;
	virNodeMemoryStatsPtr	 ms;
	unsigned long		 hv = 0, lib = 0;
	unsigned long long	 fr;
	const char		*type;
	char			*host;
	int			 i, n = 0;

	if (virNodeGetInfo(conn, &ni) < 0)
		return lv_fail("virNodeGetInfo");
	f->cpus = (int)ni.cpus;
	f->memory = (int64_t)ni.memory * 1024;
	if (virNodeGetMemoryStats(conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, NULL,
	    &n, 0) == 0 && n > 0) {
		ms = xcalloc((size_t)n, sizeof *ms);
		if (virNodeGetMemoryStats(conn, VIR_NODE_MEMORY_STATS_ALL_CELLS,
		    ms, &n, 0) == 0) {
			for (i = 0; i < n; i++) {
				if (strcmp(ms[i].field,
				    VIR_NODE_MEMORY_STATS_TOTAL) == 0)
					f->memory = (int64_t)ms[i].value * 1024;
				else if (strcmp(ms[i].field,
				    VIR_NODE_MEMORY_STATS_FREE) == 0)
					f->mem_free = (int64_t)ms[i].value *
					    1024;
			}
		}
		free(ms);
	}
	virResetLastError();
	if (f->mem_free < 0) {
		fr = virNodeGetFreeMemory(conn);
		if (fr == 0 && virGetLastError() != NULL)
			return lv_fail("virNodeGetFreeMemory");
		f->mem_free = (int64_t)fr;
	}
	if ((type = virConnectGetType(conn)) == NULL)
		return lv_fail("virConnectGetType");
	if (virConnectGetLibVersion(conn, &lib) < 0)
		return lv_fail("virConnectGetLibVersion");
	if (virConnectGetVersion(conn, &hv) < 0)
		return lv_fail("virConnectGetVersion");
	free(f->version);
	f->version = xasprintf("%s %lu.%lu.%lu (libvirt %lu.%lu.%lu)", type,
	    hv / 1000000, hv / 1000 % 1000, hv % 1000, lib / 1000000,
	    lib / 1000 % 1000, lib % 1000);
	if ((host = virConnectGetHostname(conn)) != NULL) {
		free(f->hostname);
		f->hostname = xstrdup(host);
		free(host);
	}
	virResetLastError();
	return 0;
}

/*
 * One connection for the facts and every domain with its state, size and
 * our id. A domain that goes away while it is read is left out; any other
 * failure fails the refresh: half a host would look like vanished
 * instances.
 */
static int
lv_refresh(const char *uri, struct hv_facts *facts, struct hv_vm_list *vms)
{
	virConnectPtr		 conn = NULL;
	virDomainPtr		*doms = NULL;
	struct hv_facts		 f;
	struct hv_vm_list	 l = { NULL, 0 };
	struct hv_vm		*vm;
	int			 i, n = 0, rc;

	hv_facts_init(&f);
	if ((rc = lv_connect(uri, &conn)) != 0)
		goto out;
	if ((rc = lv_facts(conn, &f)) != 0)
		goto out;
	if ((n = virConnectListAllDomains(conn, &doms, 0)) < 0) {
		n = 0;
		rc = lv_fail("virConnectListAllDomains");
		goto out;
	}
	for (i = 0; i < n; i++) {
		vm = hvout_vm_add(&l);
		if ((rc = lv_vm(doms[i], vm)) == ERR_NOENT) {
			hv_vm_clear(vm);
			l.n--;
			rc = 0;
		} else if (rc != 0)
			goto out;
	}
	hv_facts_clear(facts);
	*facts = f;
	hv_facts_init(&f);	/* transferred */
	hv_vm_list_free(vms);
	*vms = l;
	l.v = NULL;		/* transferred */
	l.n = 0;
out:
	for (i = 0; i < n; i++)
		virDomainFree(doms[i]);
	free(doms);
	hv_vm_list_free(&l);
	hv_facts_clear(&f);
	if (conn != NULL)
		virConnectClose(conn);
	return rc;
}

/*
 * The volumes of our pool that a domain's XML uses as disks, as libvirt
 * writes them: <source pool='hvsh' volume='NAME'/>. Only names on hvsh's
 * allow-list are taken; at most max.
 */
static size_t
lv_disk_vols(const char *xml, char **vols, size_t max)
{
	const char	*p = xml, *v, *end;
	const char	*pat = "pool='" LV_POOL "' volume='";
	size_t		 n = 0;
	char		*name;

	while (n < max && (p = strstr(p, pat)) != NULL) {
		v = p + strlen(pat);
		if ((end = strchr(v, '\'')) == NULL)
			break;
		name = xstrndup(v, (size_t)(end - v));
		if (name_check("volume", name) == 0)
			vols[n++] = name;
		else
			free(name);
		p = end;
	}
	return n;
}

/* 1 if the last error says the driver knows no such flag. */
static int
lv_unsupported(void)
{
	virErrorPtr	e = virGetLastError();

	return e != NULL && (e->code == VIR_ERR_INVALID_ARG ||
	    e->code == VIR_ERR_NO_SUPPORT);
}

/*
 * Undefines with the domain's managed save, snapshot metadata and NVRAM,
 * as virsh undefine --nvram does. A driver without NVRAM (the test driver)
 * refuses that flag, as virsh then does without it; it then has none to
 * leave behind.
 */
static int
lv_undefine(virDomainPtr dom, const char *w)
{
	if (virDomainUndefineFlags(dom, LV_UNDEFINE |
	    VIR_DOMAIN_UNDEFINE_NVRAM) == 0)
		return 0;
	if (lv_unsupported() && virDomainUndefineFlags(dom, LV_UNDEFINE) == 0)
		return 0;
	return lv_fail("virDomainUndefineFlags(%s)", w);
}

/*
 * Removes a domain as the kvm driver does: powered off unless it is off,
 * undefined with its managed save, snapshot metadata and NVRAM, and its
 * root disk, a volume of our pool, deleted.
 */
static int
lv_remove(virConnectPtr conn, virDomainPtr dom, const char *w)
{
	virStoragePoolPtr	 pool = NULL;
	virStorageVolPtr	 vol;
	char			*xml = NULL, *vols[4];
	size_t			 i, nvols = 0;
	int			 st, reason, rc = 0;

	if (virDomainGetState(dom, &st, &reason, 0) < 0)
		return lv_fail("virDomainGetState(%s)", w);
	if (st != VIR_DOMAIN_SHUTOFF && virDomainDestroy(dom) < 0)
		return lv_fail("virDomainDestroy(%s)", w);
	if ((xml = virDomainGetXMLDesc(dom, 0)) == NULL)
		return lv_fail("virDomainGetXMLDesc(%s)", w);
	nvols = lv_disk_vols(xml, vols, nitems(vols));
	free(xml);
	if ((rc = lv_undefine(dom, w)) != 0)
		goto out;
	for (i = 0; i < nvols; i++) {
		if (pool == NULL &&
		    (pool = virStoragePoolLookupByName(conn, LV_POOL)) == NULL) {
			rc = lv_fail("%s is gone, but not its disk: "
			    "virStoragePoolLookupByName(%s)", w, LV_POOL);
			goto out;
		}
		if ((vol = virStorageVolLookupByName(pool, vols[i])) == NULL) {
			/* Gone already: what we wanted. */
			virResetLastError();
			continue;
		}
		if (virStorageVolDelete(vol, 0) < 0)
			rc = lv_fail("%s is gone, but not its disk: "
			    "virStorageVolDelete(%s/%s)", w, LV_POOL, vols[i]);
		virStorageVolFree(vol);
		if (rc != 0)
			goto out;
	}
out:
	for (i = 0; i < nvols; i++)
		free(vols[i]);
	if (pool != NULL)
		virStoragePoolFree(pool);
	return rc;
}

/* The calls op makes, for --dry-run. */
static void
lv_op_text(enum drv_op op, const char *w, struct buf *dry)
{
	if (op != DRV_DESTROY) {
		buf_printf(dry, "%s(%s%s)\n", lv_calls[op], w,
		    op == DRV_REBOOT ? ", 0" : "");
		return;
	}
	buf_printf(dry, "virDomainDestroy(%s) unless it is shut off\n", w);
	buf_printf(dry, "virDomainUndefineFlags(%s, MANAGED_SAVE|"
	    "SNAPSHOTS_METADATA|NVRAM)\n", w);
	buf_printf(dry, "virStorageVolDelete() of each disk of %s in pool "
	    LV_POOL "\n", w);
}

static int
lv_op(const char *uri, enum drv_op op, const struct drv_target *t,
    struct buf *dry)
{
	virConnectPtr	 conn = NULL;
	virDomainPtr	 dom = NULL;
	const char	*w;
	int		 r, rc;

	if ((unsigned)op >= DRV_OP__COUNT)
		return err_set(ERR_INVAL, "libvirt: no operation %d", (int)op);
	if ((rc = lv_target(t, &w)) != 0)
		return rc;
	if (dry != NULL) {
		lv_op_text(op, w, dry);
		return 0;
	}
	if ((rc = lv_connect(uri, &conn)) != 0)
		return rc;
	if ((rc = lv_lookup(conn, t, &dom)) != 0)
		goto out;
	switch (op) {
	case DRV_START:
		r = virDomainCreate(dom);
		break;
	case DRV_STOP:
		/* ACPI; waiting for the guest to go off is the service's job. */
		r = virDomainShutdown(dom);
		break;
	case DRV_FORCE_OFF:
		r = virDomainDestroy(dom);
		break;
	case DRV_REBOOT:
		r = virDomainReboot(dom, 0);
		break;
	case DRV_SUSPEND:
		r = virDomainSuspend(dom);
		break;
	case DRV_RESUME:
		r = virDomainResume(dom);
		break;
	default:
		rc = lv_remove(conn, dom, w);
		goto out;
	}
	if (r < 0)
		rc = lv_fail("%s(%s)", lv_calls[op], w);
out:
	if (dom != NULL)
		virDomainFree(dom);
	virConnectClose(conn);
	return rc;
}


static char *
lv_vol_xml(const struct drv_spec *s)
{
	return xasprintf("<volume><name>%s.qcow2</name>"
	    "<capacity unit=\"bytes\">%" PRId64 "</capacity>"
	    "<target><format type=\"qcow2\"/></target></volume>",
	    s->name, s->disk);
}

static int
lv_spec_check(const struct drv_spec *s)
{
	int	rc;

	if ((rc = name_check("instance", s->name)) != 0)
		return rc;
	if (s->hvsh_id == NULL || name_check("hvsh id", s->hvsh_id) != 0)
		return err_set(ERR_INVAL, "libvirt create: bad hvsh id");
	if (s->cpus < 1 || s->cpus > 4096)
		return err_set(ERR_INVAL, "libvirt create: %d vCPUs", s->cpus);
	if (s->memory < 1024 * 1024 || s->memory > INT64_MAX / 2)
		return err_set(ERR_INVAL, "libvirt create: memory of %" PRId64
		    " bytes", s->memory);
	if (s->disk < 0)
		return err_set(ERR_INVAL, "libvirt create: disk of %" PRId64
		    " bytes", s->disk);
	if (s->image_path != NULL)
		return err_set(ERR_INVAL, "libvirt create: this driver makes "
		    "empty instances only; a kvm host makes them from images");
	return 0;
}

/*
 * Defines the domain (a taken name fails there, before any storage is
 * touched), then its root disk in our pool; if the disk cannot be made,
 * the domain is undefined again. vm gets the new domain as refresh reads
 * it.
 */
static int
lv_create(const char *uri, const struct drv_spec *s, struct hv_vm *vm,
    struct buf *dry)
{
	virConnectPtr		 conn = NULL;
	virDomainPtr		 dom = NULL;
	virStoragePoolPtr	 pool = NULL;
	virStorageVolPtr	 vol = NULL;
	struct hv_vm		 v;
	char			*xml = NULL, *volxml = NULL;
	int			 rc;

	hv_vm_init(&v);
	if ((rc = lv_spec_check(s)) != 0)
		return rc;
	xml = drv_domain_xml(s, LV_DOMTYPE, LV_POOL, NULL);
	if (s->disk > 0)
		volxml = lv_vol_xml(s);
	if (dry != NULL) {
		if (s->disk > 0)
			buf_printf(dry, "virStoragePoolLookupByName(%s)\n",
			    LV_POOL);
		buf_printf(dry, "virDomainDefineXML(%s)\n", xml);
		if (s->disk > 0)
			buf_printf(dry, "virStorageVolCreateXML(%s, %s)\n",
			    LV_POOL, volxml);
		goto out;
	}
	if ((rc = lv_connect(uri, &conn)) != 0)
		goto out;
	if (s->disk > 0 &&
	    (pool = virStoragePoolLookupByName(conn, LV_POOL)) == NULL) {
		rc = lv_fail("libvirt create: the root disk needs storage pool "
		    "'%s': virStoragePoolLookupByName", LV_POOL);
		goto out;
	}
	if ((dom = virDomainDefineXML(conn, xml)) == NULL) {
		rc = lv_fail("virDomainDefineXML(%s)", s->name);
		goto out;
	}
	if (pool != NULL && virStoragePoolIsActive(pool) == 0 &&
	    virStoragePoolCreate(pool, 0) < 0)
		rc = lv_fail("virStoragePoolCreate(%s)", LV_POOL);
	else if (pool != NULL &&
	    (vol = virStorageVolCreateXML(pool, volxml, 0)) == NULL)
		rc = lv_fail("virStorageVolCreateXML(%s, %s.qcow2)", LV_POOL,
		    s->name);
	if (rc != 0) {
		/* Keep the reason; leave no domain without its disk behind. */
		if (virDomainUndefine(dom) < 0)
			virResetLastError();
		goto out;
	}
	if ((rc = lv_vm(dom, &v)) != 0)
		goto out;
	hv_vm_clear(vm);
	*vm = v;
	hv_vm_init(&v);		/* transferred */
out:
	hv_vm_clear(&v);
	if (vol != NULL)
		virStorageVolFree(vol);
	if (pool != NULL)
		virStoragePoolFree(pool);
	if (dom != NULL)
		virDomainFree(dom);
	if (conn != NULL)
		virConnectClose(conn);
	free(xml);
	free(volxml);
	return rc;
}

/* One lifecycle event as the event thread saw it. */
struct lv_event {
	char	*name;
	char	 uuid[VIR_UUID_STRING_BUFLEN];
	int	 event;
	int	 detail;
};

/*
 * What a watch shares with the event thread: the events not yet taken.
 * Freed by whichever of the watch and libvirt (its callback's free
 * function) lets go last.
 */
struct lv_watch {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cv;
	struct lv_event	*q;
	size_t		 n;
	int		 refs;
};

static void
lv_events_free(struct lv_event *q, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(q[i].name);
	free(q);
}

static void
lv_watch_unref(void *arg)
{
	struct lv_watch	*w = arg;
	int		 last;

	pthread_mutex_lock(&w->lock);
	last = --w->refs == 0;
	pthread_mutex_unlock(&w->lock);
	if (!last)
		return;
	lv_events_free(w->q, w->n);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cv);
	free(w);
}

/* In the event thread: queue the event and wake the watch, nothing more. */
static int
lv_on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail,
    void *arg)
{
	struct lv_watch	*w = arg;
	struct lv_event	*e;
	const char	*name = virDomainGetName(dom);

	pthread_mutex_lock(&w->lock);
	w->q = xreallocarray(w->q, w->n + 1, sizeof *w->q);
	e = &w->q[w->n++];
	memset(e, 0, sizeof *e);
	e->name = xstrdup(name != NULL ? name : "");
	if (virDomainGetUUIDString(dom, e->uuid) < 0)
		e->uuid[0] = '\0';
	e->event = event;
	e->detail = detail;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->lock);
	virResetLastError();
	return 0;
}

/*
 * The state an event leaves the domain in, as refresh would read it; 1 if
 * the event changes none (a shutdown begun, a definition updated).
 */
static int
lv_event_state(const struct lv_event *e, enum hv_state *st)
{
	switch (e->event) {
	case VIR_DOMAIN_EVENT_STARTED:
	case VIR_DOMAIN_EVENT_RESUMED:
		*st = HV_RUNNING;
		return 0;
	case VIR_DOMAIN_EVENT_SUSPENDED:
		*st = HV_PAUSED;
		return 0;
	case VIR_DOMAIN_EVENT_STOPPED:
		*st = HV_STOPPED;
		return 0;
	case VIR_DOMAIN_EVENT_PMSUSPENDED:
		*st = HV_SUSPENDED;
		return 0;
	case VIR_DOMAIN_EVENT_CRASHED:
		*st = HV_CRASHED;
		return 0;
	case VIR_DOMAIN_EVENT_UNDEFINED:
		*st = HV_UNKNOWN;	/* gone, as refresh says of it */
		return 0;
	case VIR_DOMAIN_EVENT_DEFINED:
		/* A new domain: stopped, unless it was running already. */
		if (e->detail == VIR_DOMAIN_EVENT_DEFINED_ADDED) {
			*st = HV_STOPPED;
			return 0;
		}
		break;
	}
	return 1;
}

/* The event as an instance: our id read now, if the domain is still there. */
static int
lv_event_vm(virConnectPtr conn, const struct lv_event *e, struct hv_vm *vm)
{
	virDomainPtr	dom;
	int		st, reason, rc;

	if (lv_event_state(e, &vm->state) != 0)
		return 1;
	vm->name = xstrdup(e->name);
	vm->uuid = e->uuid[0] != '\0' ? xstrdup(e->uuid) : NULL;
	if (vm->uuid == NULL || vm->state == HV_UNKNOWN)
		return 0;
	if ((dom = virDomainLookupByUUIDString(conn, vm->uuid)) == NULL) {
		virResetLastError();	/* gone again: no id to read */
		return 0;
	}
	if (e->event == VIR_DOMAIN_EVENT_DEFINED &&
	    virDomainGetState(dom, &st, &reason, 0) == 0)
		vm->state = hvout_virsh_state_num(st);
	rc = lv_meta_id(dom, e->name, &vm->hvsh_id);
	virDomainFree(dom);
	return rc;
}

/* The state last reported of each domain a watch has seen. */
struct lv_seen {
	char		 uuid[VIR_UUID_STRING_BUFLEN];
	enum hv_state	 state;
};

/*
 * 1 if vm's state is news: QEMU announces a start as "started" and then
 * "resumed", both of which leave the domain running.
 */
static int
lv_news(struct lv_seen **seen, size_t *n, const struct hv_vm *vm)
{
	size_t	i;

	if (vm->uuid == NULL)
		return 1;
	for (i = 0; i < *n; i++) {
		if (strcmp((*seen)[i].uuid, vm->uuid) != 0)
			continue;
		if ((*seen)[i].state == vm->state)
			return 0;
		(*seen)[i].state = vm->state;
		return 1;
	}
	*seen = xreallocarray(*seen, *n + 1, sizeof **seen);
	snprintf((*seen)[*n].uuid, sizeof (*seen)[*n].uuid, "%s", vm->uuid);
	(*seen)[(*n)++].state = vm->state;
	return 1;
}

/*
 * Subscribes to lifecycle events and reports those that change a state,
 * until max_events or the deadline. The event thread only queues; ids are
 * read here, outside libvirt's dispatch. Every second without an event the
 * connection is checked, so a lost one ends the watch at once.
 */
static int
lv_watch(const char *uri, drv_watch_fn cb, void *arg, int max_events,
    int timeout_ms)
{
	virConnectPtr		 conn = NULL;
	struct lv_watch		*w;
	struct lv_event		*q = NULL;
	struct timespec		 now, deadline, wake;
	pthread_condattr_t	 ca;
	struct hv_vm		 vm;
	struct lv_seen		*seen = NULL;
	size_t			 n = 0, nseen = 0, i;
	int			 id, r, rc = 0, count = 0, done = 0;

	if ((rc = lv_connect(uri, &conn)) != 0)
		return rc;
	w = xcalloc(1, sizeof *w);
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	w->refs = 2;		/* ours, and libvirt's until it frees it */
	id = virConnectDomainEventRegisterAny(conn, NULL,
	    VIR_DOMAIN_EVENT_ID_LIFECYCLE,
	    VIR_DOMAIN_EVENT_CALLBACK(lv_on_lifecycle), w, lv_watch_unref);
	if (id < 0) {
		/* libvirt calls no free function when it did not register. */
		w->refs = 1;
		rc = lv_fail("virConnectDomainEventRegisterAny(%s)", uri);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	ts_add(&deadline, timeout_ms > 0 ? timeout_ms : INT32_MAX);
	while (!done) {
		pthread_mutex_lock(&w->lock);
		while (w->n == 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (!ts_before(&now, &deadline))
				break;
			wake = now;
			ts_add(&wake, 1000);
			if (ts_before(&deadline, &wake))
				wake = deadline;
			if (pthread_cond_timedwait(&w->cv, &w->lock,
			    &wake) == ETIMEDOUT)
				break;
		}
		q = w->q;
		n = w->n;
		w->q = NULL;
		w->n = 0;
		pthread_mutex_unlock(&w->lock);
		if (n == 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (!ts_before(&now, &deadline))
				done = 1;
			else if (virConnectIsAlive(conn) != 1) {
				rc = err_set(ERR_IO, "libvirt: the connection "
				    "to %s was lost", uri);
				done = 1;
			}
			continue;
		}
		for (i = 0; i < n && rc == 0; i++) {
			if (max_events > 0 && count >= max_events)
				break;
			hv_vm_init(&vm);
			r = lv_event_vm(conn, &q[i], &vm);
			if (r < 0)
				rc = r;
			else if (r == 0 && lv_news(&seen, &nseen, &vm)) {
				count++;
				rc = cb(&vm, arg);
			}
			hv_vm_clear(&vm);
		}
		lv_events_free(q, n);
		if (rc != 0 || (max_events > 0 && count >= max_events))
			done = 1;
	}
	if (virConnectDomainEventDeregisterAny(conn, id) < 0)
		virResetLastError();
out:
	free(seen);
	lv_watch_unref(w);
	virConnectClose(conn);
	return rc != 0 ? rc : count;
}

/* 1 if the n bytes at s are key, ignoring case. */
static int
key_is(const char *s, size_t n, const char *key)
{
	return n == strlen(key) && strncasecmp(s, key, n) == 0;
}

/*
 * A libvirt host's address is a URI: a driver of letters ("qemu", "test"),
 * maybe '+' and a transport ("qemu+ssh"), "://", then printable ASCII
 * without spaces, quotes or backslashes. What would run a program on the
 * bastion is refused: the "ext" transport and a "command" parameter
 * (libvirt reads parameter names without regard to case, and decodes
 * %-escapes in them, so no '%' is allowed in a name).
 */
static int
lv_address_check(const char *s)
{
	const char	*p = s, *tr = NULL, *q, *k, *eq;
	size_t		 n = strlen(s), kl;

	if (n == 0 || n > 1024)
		return err_set(ERR_USAGE, "a libvirt URI must be 1 to 1024 "
		    "characters");
	while (isalpha((unsigned char)*p))
		p++;
	if (p == s)
		return err_set(ERR_USAGE, "a libvirt URI starts with its "
		    "driver's name, e.g. qemu:///system");
	if (*p == '+') {
		tr = ++p;
		if (!isalpha((unsigned char)*p))
			return err_set(ERR_USAGE, "a libvirt URI's transport "
			    "follows '+', e.g. qemu+ssh://host/system");
		while (isalnum((unsigned char)*p))
			p++;
	}
	if (strncmp(p, "://", 3) != 0 || p[3] == '\0')
		return err_set(ERR_USAGE, "a libvirt URI looks like "
		    "DRIVER[+TRANSPORT]://[HOST]/PATH");
	if (tr != NULL && key_is(tr, (size_t)(p - tr), "ext"))
		return err_set(ERR_USAGE, "the ext transport runs a program on "
		    "the bastion: refused");
	for (q = p + 3; *q != '\0'; q++) {
		if (*q <= ' ' || *q > '~' || strchr("\"'`\\", *q) != NULL)
			return err_set(ERR_USAGE, "a libvirt URI has only "
			    "printable ASCII, without spaces, quotes or "
			    "backslashes");
	}
	if ((q = strchr(p, '?')) == NULL)
		return 0;
	for (k = q + 1; *k != '\0'; k += kl + (k[kl] != '\0')) {
		kl = strcspn(k, "&;");
		eq = memchr(k, '=', kl);
		if (memchr(k, '%', eq != NULL ? (size_t)(eq - k) : kl) != NULL)
			return err_set(ERR_USAGE, "a libvirt URI's parameter "
			    "names may not hold '%%'");
		if (key_is(k, eq != NULL ? (size_t)(eq - k) : kl, "command"))
			return err_set(ERR_USAGE, "the command parameter runs a "
			    "program on the bastion: refused");
	}
	return 0;
}

const struct driver drv_libvirt = {
	.name = "libvirt",
	.cli = "libvirt",
	.direct_refresh = lv_refresh,
	.direct_op = lv_op,
	.direct_create = lv_create,
	.watch = lv_watch,
	.address_check = lv_address_check,
};
