/*
 * hostops.c: the host service of hostops.h.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "dispatch.h"
#include "fanout.h"
#include "hostops.h"
#include "index.h"
#include "util.h"

/* Hosts refreshed at once; the transport caps the handshakes among them. */
#define HOSTOPS_WORKERS	64

int
hostops_transport(const char *home, struct transport **out)
{
	struct tp_opts	 o = { 0 };
	const char	*v;
	char		*kh;
	int64_t		 n;
	int		 rc;

	kh = xasprintf("%s/known_hosts", home);
	o.known_hosts = kh;
	o.connect_timeout_ms = 10000;
	o.command_timeout_ms = 60000;
	if ((v = getenv("HVSH_CONNECT_TIMEOUT_MS")) != NULL &&
	    parse_i64(v, &n) == 0 && n > 0 && n < 3600000)
		o.connect_timeout_ms = (int)n;
	if ((v = getenv("HVSH_COMMAND_TIMEOUT_MS")) != NULL &&
	    parse_i64(v, &n) == 0 && n > 0 && n < 3600000)
		o.command_timeout_ms = (int)n;
	o.max_parallel = 64;
	/* 0: the transport's default (TP_DEFAULT_MAX_HANDSHAKES). */
	if ((v = getenv("HVSH_MAX_HANDSHAKES")) != NULL &&
	    parse_i64(v, &n) == 0 && n > 0 && n <= 1024)
		o.max_handshakes = (int)n;
	rc = tp_new(&o, out);
	free(kh);
	return rc;
}

static void	hr_index_free(struct hr_index *);

void
host_refresh_clear(struct host_refresh *hr)
{
	free(hr->errmsg);
	hr->errmsg = NULL;
	hv_facts_clear(&hr->facts);
	hv_vm_list_free(&hr->vms);
	hr_index_free(hr->ix);
	hr->ix = NULL;
}

/* The driver's reading of a failed step, or a generic one. */
static int
step_failed(const struct driver *d, const char *host,
    const struct tp_result *res)
{
	struct hv_error	e;
	int		rc;

	memset(&e, 0, sizeof e);
	if (d->error_read(res, &e) == 0 && e.reason != NULL)
		rc = err_set(e.code != 0 ? e.code : ERR_FAIL, "%s: %s", host,
		    e.reason);
	else
		rc = err_set(ERR_FAIL, "%s: %s exited with status %d", host,
		    d->cli, res->status);
	hv_error_clear(&e);
	return rc;
}

int
hostops_run(struct transport *tp, const struct record *host,
    const struct driver *d, struct drv_plan *plan, struct tp_result *last)
{
	struct tp_host	th;
	size_t		i;
	int		rc;

	dispatch_tp_host(host, &th);
	memset(last, 0, sizeof *last);
	for (i = 0; i < plan->n; i++) {
		if (i > 0) {
			tp_result_free(last);
			memset(last, 0, sizeof *last);
		}
		if ((rc = tp_run(tp, &th, plan->argv[i], NULL, last)) != 0)
			return err_set(rc, "%s", last->errmsg != NULL ?
			    last->errmsg : "cannot run the command");
		if (last->status != 0)
			return step_failed(d, th.name, last);
	}
	return 0;
}

/*
 * The refresh engine. Each host is one job on a worker of its own: the
 * listing (one exec), then, only if needed, the detail of the instances
 * the listing left unsaid (one exec more), then the host's indexes for
 * matching; its result is handed to want->done as soon as it is whole, so
 * a slow host holds up no other. Timeouts are the transport's, per host.
 */

/* What the store records on one host, read before the refresh. */
struct recorded {
	struct index	*uuids;		/* of recorded instances */
	char		**keep;		/* the uuid strings the index holds */
	size_t		  nkeep;
	size_t		  without;	/* recorded instances without a uuid */
};

struct hr_index {
	struct index	*by_uuid;
	struct index	*by_id;
	struct index	*by_name;
};

/*
 * hvsh's id of a domain as last read by this process, per host and uuid,
 * with the signature of the definition it was read from: a refresh asks a
 * domain's detail again only when its signature changed.
 */
struct idmemo {
	char		*key;		/* "HOSTID/UUID" */
	uint64_t	 sig;
	char		*id;		/* NULL: it has none */
};

static struct {
	pthread_mutex_t	 lock;
	struct idmemo	*v;
	size_t		 n;
	struct index	*ix;
} memo = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, NULL };

static char *
memo_key(const struct record *host, const char *uuid)
{
	return xasprintf("%" PRIu64 "/%s", host->id, uuid);
}

/* Sets vm's id from the memo; 1 if the memo knew it. */
static int
memo_get(const struct record *host, struct hv_vm *vm)
{
	char	*key;
	size_t	 k;
	int	 found = 0;

	if (vm->uuid == NULL || vm->sig == 0)
		return 0;
	key = memo_key(host, vm->uuid);
	pthread_mutex_lock(&memo.lock);
	if (memo.ix != NULL && index_get(memo.ix, key, &k) &&
	    memo.v[k].sig == vm->sig) {
		free(vm->hvsh_id);
		vm->hvsh_id = memo.v[k].id != NULL ? xstrdup(memo.v[k].id) :
		    NULL;
		vm->id_unread = 0;
		found = 1;
	}
	pthread_mutex_unlock(&memo.lock);
	free(key);
	return found;
}

static void
memo_put(const struct record *host, const struct hv_vm *vm)
{
	char	*key;
	size_t	 k;

	if (vm->uuid == NULL || vm->sig == 0 || vm->id_unread || vm->unsure)
		return;
	key = memo_key(host, vm->uuid);
	pthread_mutex_lock(&memo.lock);
	if (memo.ix == NULL)
		memo.ix = index_new(64);
	if (index_get(memo.ix, key, &k)) {
		free(key);
		free(memo.v[k].id);
	} else {
		memo.v = xreallocarray(memo.v, memo.n + 1, sizeof *memo.v);
		k = memo.n++;
		memo.v[k].key = key;
		index_adds(memo.ix, key, k);
	}
	memo.v[k].sig = vm->sig;
	memo.v[k].id = vm->hvsh_id != NULL ? xstrdup(vm->hvsh_id) : NULL;
	pthread_mutex_unlock(&memo.lock);
}

/*
 * The instances whose detail this refresh asks for: every one the listing
 * was unsure of; and of those whose id was not read, none (RF_IDS_NONE),
 * else those that match no recorded uuid (a recorded uuid decides), not
 * known to this process already, and, for matching (RF_IDS_MATCH), only
 * while some recorded instance is not matched by its uuid: only then can
 * an id decide a match.
 */
static size_t
detail_need(struct host_refresh *hr, const struct recorded *rec,
    enum refresh_ids ids, struct hv_vm **need)
{
	size_t	i, k, n = 0, matched = 0;

	for (i = 0; rec != NULL && i < hr->vms.n; i++)
		if (hr->vms.v[i].uuid != NULL &&
		    index_get(rec->uuids, hr->vms.v[i].uuid, &k))
			matched++;
	for (i = 0; i < hr->vms.n; i++) {
		struct hv_vm	*vm = &hr->vms.v[i];

		if (!vm->unsure && vm->id_unread) {
			if (ids == RF_IDS_NONE)
				continue;
			/* Recorded by its uuid: its id decides nothing. */
			if (rec != NULL && vm->uuid != NULL &&
			    index_get(rec->uuids, vm->uuid, &k))
				continue;
			if (ids == RF_IDS_MATCH && rec != NULL &&
			    rec->without == 0 && matched == rec->nkeep)
				continue;
			if (memo_get(hr->host, vm))
				continue;
		}
		if (vm->unsure || vm->id_unread)
			need[n++] = vm;
	}
	return n;
}

/* The second exec: the detail of need. */
static int
refresh_detail(struct transport *tp, const struct tp_host *th,
    const struct driver *d, const struct drv_refresh *rf,
    struct hv_vm **need, size_t n)
{
	struct drv_plan		plan = { 0 };
	struct tp_result	res;
	int			rc;

	if (d->detail == NULL || d->detail_read == NULL)
		return err_set(ERR_INVAL, "%s: the %s driver cannot say more "
		    "of %zu instances its listing left unclear", th->name,
		    d->name, n);
	if ((rc = d->detail(rf, need, n, &plan)) != 0)
		goto out;
	if ((rc = tp_run(tp, th, plan.argv[0], NULL, &res)) != 0)
		rc = err_set(rc, "%s", res.errmsg);
	else if (res.status != 0)
		rc = step_failed(d, th->name, &res);
	else if ((rc = d->detail_read(rf, &res, need, n)) != 0)
		rc = err_set(rc, "%s: unreadable answer: %s", th->name,
		    err_msg());
	tp_result_free(&res);
out:
	drv_plan_clear(&plan);
	return rc;
}

/* Indexes a host's instances by uuid, hvsh id and name, for matching. */
static void
hr_index_build(struct host_refresh *hr)
{
	struct hr_index	*ix = xcalloc(1, sizeof *ix);
	size_t		 i;

	ix->by_uuid = index_new(hr->vms.n);
	ix->by_id = index_new(hr->vms.n);
	ix->by_name = index_new(hr->vms.n);
	for (i = 0; i < hr->vms.n; i++) {
		index_adds(ix->by_uuid, hr->vms.v[i].uuid, i);
		index_adds(ix->by_id, hr->vms.v[i].hvsh_id, i);
		index_adds(ix->by_name, hr->vms.v[i].name, i);
	}
	hr->ix = ix;
}

static void
hr_index_free(struct hr_index *ix)
{
	if (ix == NULL)
		return;
	index_free(ix->by_uuid);
	index_free(ix->by_id);
	index_free(ix->by_name);
	free(ix);
}

/* One refresh call: its hosts, what the store records, the caller's want. */
struct engine {
	struct transport		*tp;
	struct host_refresh		*hr;
	struct recorded			*rec;	/* NULL: nothing known */
	const struct refresh_want	*want;
	pthread_mutex_t			 done_lock;
};

/* Sets e up for hr's n hosts, each with its driver found or its error. */
static void
engine_init(struct engine *e, struct transport *tp, struct host_refresh *hr,
    size_t n, const struct refresh_want *want)
{
	size_t	i;

	memset(e, 0, sizeof *e);
	e->tp = tp;
	e->hr = hr;
	e->want = want;
	pthread_mutex_init(&e->done_lock, NULL);
	for (i = 0; i < n; i++) {
		hv_facts_init(&hr[i].facts);
		hr[i].drv = driver_find(record_get(hr[i].host, HOST_DRIVER));
		if (hr[i].drv == NULL) {
			hr[i].rc = ERR_INVAL;
			hr[i].errmsg = xasprintf("driver %s is not available",
			    record_get(hr[i].host, HOST_DRIVER));
		}
	}
}

/*
 * Runs plan's one step on r's host: 0 if it ran and exited 0, else r->rc
 * and r->errmsg say why (the transport's reason, or the driver's reading
 * of the failure).
 */
static int
run_step(struct transport *tp, struct host_refresh *r,
    const struct tp_host *th, struct drv_plan *plan, struct tp_result *res)
{
	if (tp_run(tp, th, plan->argv[0], NULL, res) != 0) {
		r->rc = res->rc;
		r->errmsg = xstrdup(res->errmsg != NULL ? res->errmsg :
		    "cannot reach the host");
	} else if (res->status != 0) {
		r->rc = step_failed(r->drv, th->name, res);
		r->errmsg = xstrdup(err_msg());
	}
	return r->rc;
}

/* The driver could not read what the host answered. */
static void
unreadable(struct host_refresh *r, const struct tp_host *th)
{
	r->rc = ERR_FAIL;
	r->errmsg = xasprintf("%s: unreadable answer: %s", th->name,
	    err_msg());
}

/* Refreshes host k: a job of the engine's workers. */
static void
refresh_host(size_t k, void *arg)
{
	struct engine		*e = arg;
	struct host_refresh	*r = &e->hr[k];
	const char		*name = record_get(r->host, FI_NAME);
	struct drv_refresh	 rf;
	struct drv_plan		 plan = { 0 };
	struct tp_host		 th;
	struct tp_result	 res;
	struct hv_vm		**need = NULL;
	size_t			 n, i;

	memset(&res, 0, sizeof res);
	if (r->drv == NULL)
		goto done;
	if (driver_is_direct(r->drv)) {
		if ((r->rc = r->drv->direct_refresh(record_get(r->host,
		    HOST_ADDRESS), &r->facts, &r->vms)) != 0)
			r->errmsg = xasprintf("%s: %s", name, err_msg());
		goto done;
	}
	drv_refresh_init(&rf);
	dispatch_tp_host(r->host, &th);
	if (r->drv->refresh(&rf, &plan) != 0 || plan.n != 1) {
		r->rc = ERR_FAIL;
		r->errmsg = xstrdup(err_msg());
		goto done;
	}
	if (run_step(e->tp, r, &th, &plan, &res) == 0 &&
	    r->drv->refresh_read(&rf, &res, &r->facts, &r->vms) != 0)
		unreadable(r, &th);
	if (r->rc != 0)
		goto done;
	need = xcalloc(r->vms.n + 1, sizeof *need);
	n = detail_need(r, e->rec != NULL ? &e->rec[k] : NULL,
	    e->want != NULL ? e->want->ids : RF_IDS_ALL, need);
	if (n > 0) {
		drv_refresh_init(&rf);
		if ((r->rc = refresh_detail(e->tp, &th, r->drv, &rf, need,
		    n)) != 0) {
			r->errmsg = xstrdup(err_msg());
			goto done;
		}
		for (i = 0; i < n; i++)
			memo_put(r->host, need[i]);
	}
done:
	if (r->rc == 0)
		hr_index_build(r);
	tp_result_free(&res);
	drv_plan_clear(&plan);
	free(need);
	if (e->want != NULL && e->want->done != NULL) {
		pthread_mutex_lock(&e->done_lock);
		e->want->done(r, e->want->arg);
		pthread_mutex_unlock(&e->done_lock);
	}
}

/* Collects the uuids of the instances recorded on one host. */
static int
collect_uuid(const struct record *r, void *arg)
{
	struct recorded	*rec = arg;
	const char	*u = record_get(r, VM_UUID);

	if (u == NULL || *u == '\0') {
		rec->without++;
		return 0;
	}
	rec->keep = xreallocarray(rec->keep, rec->nkeep + 1,
	    sizeof *rec->keep);
	rec->keep[rec->nkeep++] = xstrdup(u);
	return 0;
}

/* What the store records on each host; NULL if the store cannot say. */
static struct recorded *
recorded_read(struct store *st, struct host_refresh *hr, size_t n)
{
	struct store_txn	*tx;
	struct recorded		*rec;
	size_t			 i, j;

	if (st == NULL || store_read(st, &tx) != 0)
		return NULL;
	rec = xcalloc(n + 1, sizeof *rec);
	for (i = 0; i < n; i++) {
		(void)store_iter_ref(tx, KIND_VM, VM_HOST, hr[i].host->id,
		    collect_uuid, &rec[i]);
		rec[i].uuids = index_new(rec[i].nkeep);
		for (j = 0; j < rec[i].nkeep; j++)
			index_adds(rec[i].uuids, rec[i].keep[j], j);
	}
	store_txn_end(tx);
	return rec;
}

static void
recorded_free(struct recorded *rec, size_t n)
{
	size_t	i, j;

	for (i = 0; rec != NULL && i < n; i++) {
		for (j = 0; j < rec[i].nkeep; j++)
			free(rec[i].keep[j]);
		free(rec[i].keep);
		index_free(rec[i].uuids);
	}
	free(rec);
}

void
hostops_refresh(struct transport *tp, struct host_refresh *hr, size_t n,
    const struct refresh_want *want)
{
	struct engine	e;

	engine_init(&e, tp, hr, n, want);
	if (want != NULL && want->ids != RF_IDS_NONE)
		e.rec = recorded_read(want->store, hr, n);
	fanout_run(n, HOSTOPS_WORKERS, refresh_host, &e);
	recorded_free(e.rec, n);
	pthread_mutex_destroy(&e.done_lock);
}

/* The refreshed instance that is recorded vm: see hostops.h. */
const struct hv_vm *
hostops_match(const struct host_refresh *hr, const struct record *vm)
{
	const char	*uuid = record_get(vm, VM_UUID);
	const char	*name = record_get(vm, FI_NAME);
	const char	*idv;
	char		 id[24];
	size_t		 i, k, cur;

	snprintf(id, sizeof id, "%" PRIu64, vm->id);
	if (hr->ix == NULL) {
		/* A refresh made by hand (an event): a few instances. */
		for (i = 0; uuid != NULL && i < hr->vms.n; i++)
			if (hr->vms.v[i].uuid != NULL &&
			    strcasecmp(hr->vms.v[i].uuid, uuid) == 0)
				return &hr->vms.v[i];
		for (i = 0; i < hr->vms.n; i++)
			if ((idv = hr->vms.v[i].hvsh_id) != NULL &&
			    strcmp(idv, id) == 0)
				return &hr->vms.v[i];
		for (i = 0; name != NULL && i < hr->vms.n; i++)
			if (hr->vms.v[i].hvsh_id == NULL &&
			    !hr->vms.v[i].id_unread &&
			    hr->vms.v[i].name != NULL &&
			    strcmp(hr->vms.v[i].name, name) == 0)
				return &hr->vms.v[i];
		return NULL;
	}
	if (uuid != NULL && index_get(hr->ix->by_uuid, uuid, &k))
		return &hr->vms.v[k];
	if (index_get(hr->ix->by_id, id, &k))
		return &hr->vms.v[k];
	cur = 0;
	while (name != NULL && index_next(hr->ix->by_name, name, strlen(name),
	    &cur, &k))
		if (hr->vms.v[k].hvsh_id == NULL && !hr->vms.v[k].id_unread)
			return &hr->vms.v[k];
	return NULL;
}

/* Asks host k about its instances hr->ask alone: a job of hostops_ask. */
static void
ask_host(size_t k, void *arg)
{
	struct engine		*e = arg;
	struct host_refresh	*r = &e->hr[k];
	struct drv_refresh	 rf;
	struct drv_plan		 plan = { 0 };
	struct drv_target	*t;
	struct tp_host		 th;
	struct tp_result	 res;
	enum hv_state		*st;
	char			**ids;
	size_t			 i;

	if (r->drv == NULL)
		return;
	if (driver_is_direct(r->drv) || r->drv->state == NULL ||
	    r->drv->state_read == NULL || r->nask == 0) {
		refresh_host(k, arg);
		return;
	}
	memset(&res, 0, sizeof res);
	t = xcalloc(r->nask, sizeof *t);
	st = xcalloc(r->nask, sizeof *st);
	ids = xcalloc(r->nask, sizeof *ids);
	for (i = 0; i < r->nask; i++) {
		ids[i] = xasprintf("%" PRIu64, r->ask[i]->id);
		t[i].name = record_get(r->ask[i], FI_NAME);
		t[i].uuid = record_get(r->ask[i], VM_UUID);
		t[i].hvsh_id = ids[i];
		t[i].product = record_get(r->host, HOST_PRODUCT);
	}
	drv_refresh_init(&rf);
	dispatch_tp_host(r->host, &th);
	if (r->drv->state(&rf, t, r->nask, &plan) != 0 || plan.n != 1) {
		r->rc = ERR_FAIL;
		r->errmsg = xstrdup(err_msg());
	} else if (run_step(e->tp, r, &th, &plan, &res) == 0 &&
	    r->drv->state_read(&rf, t, r->nask, &res, st) != 0)
		unreadable(r, &th);
	r->partial = 1;
	for (i = 0; r->rc == 0 && i < r->nask; i++) {
		struct hv_vm	*vm;

		/* Not on the host: left out, so it matches nothing. */
		if (st[i] == HV_UNKNOWN)
			continue;
		vm = hvout_vm_add(&r->vms);
		vm->name = t[i].name != NULL ? xstrdup(t[i].name) : NULL;
		vm->uuid = t[i].uuid != NULL ? xstrdup(t[i].uuid) : NULL;
		vm->hvsh_id = xstrdup(ids[i]);
		vm->state = st[i];
	}
	if (r->rc == 0)
		hr_index_build(r);
	for (i = 0; i < r->nask; i++)
		free(ids[i]);
	free(ids);
	free(t);
	free(st);
	tp_result_free(&res);
	drv_plan_clear(&plan);
}

void
hostops_ask(struct transport *tp, struct host_refresh *hr, size_t n)
{
	struct engine	e;

	engine_init(&e, tp, hr, n, NULL);
	fanout_run(n, HOSTOPS_WORKERS, ask_host, &e);
	pthread_mutex_destroy(&e.done_lock);
}

struct vm_ids {
	uint64_t	*v;
	size_t		 n;
};

static int
collect_id(const struct record *r, void *arg)
{
	struct vm_ids	*ids = arg;

	ids->v = xreallocarray(ids->v, ids->n + 1, sizeof *ids->v);
	ids->v[ids->n++] = r->id;
	return 0;
}

/* Updates the instances recorded on one host from its refresh. */
static int
apply_vms(struct store_txn *tx, struct host_refresh *hr, int64_t now)
{
	struct vm_ids		 ids = { 0 };
	struct record		*vm;
	const struct hv_vm	*hv;
	size_t			 i;
	int			 rc;

	if (hr->partial) {
		/* Asked about some instances only: those are updated. */
		for (i = 0; i < hr->nask; i++)
			(void)collect_id(hr->ask[i], &ids);
		rc = 0;
	} else
		rc = store_iter_ref(tx, KIND_VM, VM_HOST, hr->host->id,
		    collect_id, &ids);
	for (i = 0; rc == 0 && i < ids.n; i++) {
		if ((rc = store_get(tx, KIND_VM, ids.v[i], &vm)) != 0)
			break;
		if (hr->rc != 0) {
			record_set(vm, VM_STATE, "unknown");
		} else if ((hv = hostops_match(hr, vm)) == NULL) {
			/* Gone from the host: unknown until sync says more. */
			record_set(vm, VM_STATE, "unknown");
		} else {
			record_set(vm, VM_STATE, hv_state_name(hv->state));
			if (hv->uuid != NULL)
				record_set(vm, VM_UUID, hv->uuid);
			if (hv->cpus > 0)
				record_set_i64(vm, VM_CPUS, hv->cpus);
			if (hv->memory > 0)
				record_set_i64(vm, VM_MEMORY, hv->memory);
			record_set_i64(vm, VM_LASTSEEN, now);
		}
		rc = store_put(tx, vm);
		record_free(vm);
	}
	free(ids.v);
	return rc;
}

int
hostops_apply(struct store_txn *tx, struct host_refresh *hr, size_t n)
{
	struct record	*h;
	int64_t		 now = now_unix();
	size_t		 i;
	int		 rc = 0;

	for (i = 0; rc == 0 && i < n; i++) {
		/* An interrupted refresh learned nothing: keep the records. */
		if (hr[i].rc == ERR_CANCEL)
			continue;
		/* Fresh copy: the borrowed one may be stale by now. */
		if ((rc = store_get(tx, KIND_HOST, hr[i].host->id, &h)) != 0)
			break;
		if (hr[i].rc != 0)
			record_set(h, HOST_STATUS, "unreachable");
		else if (hr[i].partial) {
			record_set(h, HOST_STATUS, "ok");
			record_set_i64(h, HOST_LASTSEEN, now);
		} else
			hostops_set_facts(h, &hr[i].facts, now);
		if ((rc = store_put(tx, h)) == 0)
			rc = apply_vms(tx, &hr[i], now);
		record_free(h);
	}
	return rc;
}

void
hostops_set_facts(struct record *h, const struct hv_facts *f, int64_t now)
{
	record_set(h, HOST_STATUS, "ok");
	record_set_i64(h, HOST_LASTSEEN, now);
	if (f->cpus > 0)
		record_set_i64(h, HOST_CPUS, f->cpus);
	if (f->memory > 0)
		record_set_i64(h, HOST_MEMORY, f->memory);
	if (f->mem_free >= 0)
		record_set_i64(h, HOST_MEMFREE, f->mem_free);
	if (f->version != NULL)
		record_set(h, HOST_HVVERSION, f->version);
	if (f->hw_accel >= 0)
		record_set(h, HOST_ACCEL, f->hw_accel ? "yes" : "no");
	if (f->product != NULL)
		record_set(h, HOST_PRODUCT, f->product);
}

int
hostops_apply_event(struct store_txn *tx, const struct record *host,
    const struct hv_vm *vm, char **name)
{
	struct host_refresh	 one;
	struct vm_ids		 ids = { 0 };
	struct record		*r = NULL;
	size_t			 i;
	int			 rc;

	/* A refresh that found only vm, to match it as a refresh would. */
	memset(&one, 0, sizeof one);
	one.host = (struct record *)host;	/* only read */
	one.vms.v = (struct hv_vm *)vm;		/* only read */
	one.vms.n = 1;
	rc = store_iter_ref(tx, KIND_VM, VM_HOST, host->id, collect_id, &ids);
	for (i = 0; rc == 0 && i < ids.n; i++) {
		if ((rc = store_get(tx, KIND_VM, ids.v[i], &r)) != 0)
			break;
		if (hostops_match(&one, r) != NULL)
			break;
		record_free(r);
		r = NULL;
	}
	if (rc == 0 && r == NULL)
		rc = err_set(ERR_NOENT, "no instance recorded on %s is %s",
		    record_get(host, FI_NAME), vm->name != NULL ? vm->name :
		    vm->uuid != NULL ? vm->uuid : "?");
	if (rc == 0) {
		record_set(r, VM_STATE, hv_state_name(vm->state));
		/* Gone from the host: unknown, and last seen when it was. */
		if (vm->state != HV_UNKNOWN) {
			if (vm->uuid != NULL)
				record_set(r, VM_UUID, vm->uuid);
			record_set_i64(r, VM_LASTSEEN, now_unix());
		}
		if ((rc = store_put(tx, r)) == 0) {
			free(*name);
			*name = xstrdup(record_get(r, FI_NAME));
		}
	}
	record_free(r);
	free(ids.v);
	return rc;
}

void
hostops_probe(struct transport *tp, struct host_refresh *hr, size_t n)
{
	struct tp_job	*jobs = xcalloc(n + 1, sizeof *jobs);
	struct tp_host	*th = xcalloc(n + 1, sizeof *th);
	struct drv_plan	*plans = xcalloc(n + 1, sizeof *plans);
	size_t		 i, nj = 0, *idx = xcalloc(n + 1, sizeof *idx);

	for (i = 0; i < n; i++) {
		if (hr[i].rc != 0 || hr[i].drv == NULL ||
		    driver_is_direct(hr[i].drv) || hr[i].drv->probe == NULL ||
		    hr[i].drv->probe(&plans[i]) != 0 || plans[i].n != 1)
			continue;
		dispatch_tp_host(hr[i].host, &th[i]);
		jobs[nj].host = &th[i];
		jobs[nj].argv = plans[i].argv[0];
		idx[nj++] = i;
	}
	if (nj > 0 && tp != NULL)
		tp_run_many(tp, jobs, nj);
	for (i = 0; i < nj; i++) {
		struct tp_result	*res = &jobs[i].res;

		/* Facts only: a probe that fails leaves the refresh as it is. */
		if (tp != NULL && res->rc == 0 && res->status == 0)
			(void)hr[idx[i]].drv->probe_read(res, &hr[idx[i]].facts);
		tp_result_free(res);
	}
	for (i = 0; i < n; i++)
		drv_plan_clear(&plans[i]);
	free(plans);
	free(jobs);
	free(th);
	free(idx);
}
