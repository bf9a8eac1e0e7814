/*
 * hostops.c: the host service of hostops.h.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "dispatch.h"
#include "fanout.h"
#include "hostops.h"
#include "util.h"

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

void
host_refresh_clear(struct host_refresh *hr)
{
	free(hr->errmsg);
	hr->errmsg = NULL;
	hv_facts_clear(&hr->facts);
	hv_vm_list_free(&hr->vms);
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

/* Refreshes one host whose driver speaks an API: one of fanout_each's. */
static void
refresh_direct(size_t k, void *arg)
{
	struct host_refresh	**direct = arg, *r = direct[k];
	const char		 *name = record_get(r->host, FI_NAME);

	if ((r->rc = r->drv->direct_refresh(record_get(r->host, HOST_ADDRESS),
	    &r->facts, &r->vms)) != 0)
		r->errmsg = xasprintf("%s: %s", name, err_msg());
}

/* The hosts to refresh through their drivers' APIs. */
struct direct_set {
	struct host_refresh	**v;
	size_t			  n;
};

/* Refreshes them all, up to HOSTOPS_THREADS at once. */
static void *
direct_main(void *p)
{
	struct direct_set	*ds = p;

	fanout_each(ds->n, refresh_direct, ds->v);
	return NULL;
}

/*
 * Hosts whose driver runs a CLI get one remote exec each through the
 * transport; hosts whose driver speaks an API are asked by the driver
 * itself, meanwhile, from threads of their own.
 */
void
hostops_refresh(struct transport *tp, struct host_refresh *hr, size_t n)
{
	struct tp_job		 *jobs = xcalloc(n, sizeof *jobs);
	struct tp_host		 *th = xcalloc(n, sizeof *th);
	struct drv_plan		 *plans = xcalloc(n, sizeof *plans);
	struct drv_refresh	 *rf = xcalloc(n, sizeof *rf);
	struct host_refresh	**direct = xcalloc(n, sizeof *direct);
	struct direct_set	  ds = { direct, 0 };
	pthread_t		  dth;
	size_t			  i, nj = 0, *idx = xcalloc(n, sizeof *idx);
	int			  threaded = 0;

	for (i = 0; i < n; i++) {
		hv_facts_init(&hr[i].facts);
		hr[i].drv = driver_find(record_get(hr[i].host, HOST_DRIVER));
		if (hr[i].drv == NULL) {
			hr[i].rc = ERR_INVAL;
			hr[i].errmsg = xasprintf("driver %s is not available",
			    record_get(hr[i].host, HOST_DRIVER));
			continue;
		}
		if (driver_is_direct(hr[i].drv)) {
			direct[ds.n++] = &hr[i];
			continue;
		}
		drv_refresh_init(&rf[i]);
		if (hr[i].drv->refresh(&rf[i], &plans[i]) != 0 ||
		    plans[i].n != 1) {
			hr[i].rc = ERR_FAIL;
			hr[i].errmsg = xstrdup(err_msg());
			continue;
		}
		dispatch_tp_host(hr[i].host, &th[i]);
		jobs[nj].host = &th[i];
		jobs[nj].argv = plans[i].argv[0];
		idx[nj++] = i;
	}
	/* Both kinds at once: neither waits for the other's slowest host. */
	if (ds.n > 0 && nj > 0)
		threaded = pthread_create(&dth, NULL, direct_main, &ds) == 0;
	if (ds.n > 0 && !threaded)
		direct_main(&ds);
	if (nj > 0)
		tp_run_many(tp, jobs, nj);
	if (threaded)
		pthread_join(dth, NULL);
	for (i = 0; i < nj; i++) {
		struct host_refresh	*r = &hr[idx[i]];
		struct tp_result	*res = &jobs[i].res;

		if (res->rc != 0) {
			r->rc = res->rc;
			r->errmsg = xstrdup(res->errmsg != NULL ? res->errmsg :
			    "cannot reach the host");
		} else if (res->status != 0) {
			r->rc = step_failed(r->drv, th[idx[i]].name, res);
			r->errmsg = xstrdup(err_msg());
		} else if (r->drv->refresh_read(&rf[idx[i]], res, &r->facts,
		    &r->vms) != 0) {
			r->rc = ERR_FAIL;
			r->errmsg = xasprintf("%s: unreadable answer: %s",
			    th[idx[i]].name, err_msg());
		}
		tp_result_free(res);
	}
	for (i = 0; i < n; i++)
		drv_plan_clear(&plans[i]);
	free(plans);
	free(rf);
	free(jobs);
	free(th);
	free(idx);
	free(direct);
}

const struct hv_vm *
hostops_match(const struct host_refresh *hr, const struct record *vm)
{
	const char	*uuid = record_get(vm, VM_UUID);
	const char	*name = record_get(vm, FI_NAME);
	char		 id[24];
	size_t		 i;

	snprintf(id, sizeof id, "%" PRIu64, vm->id);
	for (i = 0; i < hr->vms.n; i++) {
		if (hr->vms.v[i].hvsh_id != NULL &&
		    strcmp(hr->vms.v[i].hvsh_id, id) == 0)
			return &hr->vms.v[i];
	}
	for (i = 0; uuid != NULL && i < hr->vms.n; i++) {
		if (hr->vms.v[i].uuid != NULL &&
		    strcmp(hr->vms.v[i].uuid, uuid) == 0)
			return &hr->vms.v[i];
	}
	for (i = 0; name != NULL && i < hr->vms.n; i++) {
		if (hr->vms.v[i].hvsh_id == NULL && hr->vms.v[i].name != NULL &&
		    strcmp(hr->vms.v[i].name, name) == 0)
			return &hr->vms.v[i];
	}
	return NULL;
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

	rc = store_iter_ref(tx, KIND_VM, VM_HOST, hr->host->id, collect_id,
	    &ids);
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
		else
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
