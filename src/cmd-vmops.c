/*
 * cmd-vmops.c: instance lifecycle on hosts: start, stop, reboot, suspend,
 * resume, destroy and create, for one instance, several, or a --filter.
 * Each instance's plan comes from its host's driver; all instances are
 * acted on at once (one host's commands in order), results are reported per
 * instance, and the hosts involved are refreshed so the store says what the
 * hosts say. --dry-run prints each host's command lines and runs none.
 * A host whose driver speaks an API (libvirt) is acted on by that driver's
 * direct calls instead of a plan; its --dry-run lists the API calls.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd-common.h"
#include "err.h"
#include "filter.h"
#include "hostops.h"
#include "inventory.h"
#include "view.h"

/* One instance acted on, with its host and what happened. */
struct vmop {
	struct record		*vm;
	struct record		*host;
	const struct driver	*drv;
	struct drv_plan		 plan;
	char			*calls;		/* direct driver: its API calls */
	int			 rc;
	char			*errmsg;
};

struct vmops {
	struct vmop	*v;
	size_t		 n;
};

static void
vmops_free(struct vmops *ops)
{
	size_t	i;

	for (i = 0; i < ops->n; i++) {
		record_free(ops->v[i].vm);
		record_free(ops->v[i].host);
		drv_plan_clear(&ops->v[i].plan);
		free(ops->v[i].calls);
		free(ops->v[i].errmsg);
	}
	free(ops->v);
	ops->v = NULL;
	ops->n = 0;
}

static void
vmops_push(struct vmops *ops, const struct record *vm)
{
	ops->v = xreallocarray(ops->v, ops->n + 1, sizeof *ops->v);
	memset(&ops->v[ops->n], 0, sizeof ops->v[ops->n]);
	ops->v[ops->n++].vm = record_dup(vm);
}

struct select {
	struct vmops		*ops;
	struct view		*view;
	const struct filter	*f;
	const char		*vals[RECORD_MAXFIELDS + 1];
};

static int
select_vm(const struct record *r, void *arg)
{
	struct select	*s = arg;

	view_vals(s->view, r, s->vals);
	if (filter_match(s->f, s->vals))
		vmops_push(s->ops, r);
	return 0;
}

/* The instances named, or matching --filter, each with its host. */
static int
vmops_select(struct ctx *c, struct cmd_args *a, struct store_txn *tx,
    struct vmops *ops)
{
	struct col_def	 cols[RECORD_MAXFIELDS + 1];
	struct filter	*f = NULL;
	struct select	 s;
	struct record	*r;
	const char	*expr = arg_str(a, "filter");
	char *const	*names;
	size_t		 i, ncols;
	int		 k, n, rc = 0;

	names = arg_multi(a, "name", &n);
	if (n == 0 && expr == NULL)
		return ctx_error(c, ERR_USAGE, "name an instance or give "
		    "--filter");
	for (k = 0; k < n; k++) {
		if ((rc = view_lookup(c, tx, KIND_VM, names[k], &r)) != 0)
			return rc;
		vmops_push(ops, r);
		record_free(r);
	}
	if (expr != NULL) {
		ncols = view_cols(kind_def(KIND_VM), cols);
		if ((rc = filter_parse(expr, cols, ncols, &f)) != 0)
			return ctx_error(c, rc, "%s", err_msg());
		s.ops = ops;
		s.view = view_new(tx);
		s.f = f;
		rc = store_iter(tx, KIND_VM, select_vm, &s);
		view_free(s.view);
		filter_free(f);
		if (rc != 0)
			return rc;
	}
	for (i = 0; i < ops->n; i++) {
		struct vmop	*op = &ops->v[i];
		int64_t		 hid = record_get_i64(op->vm, VM_HOST, 0);

		if (hid <= 0 || store_get(tx, KIND_HOST, (uint64_t)hid,
		    &op->host) != 0) {
			op->rc = ERR_INVAL;
			op->errmsg = xasprintf("%s: not placed on any host",
			    record_get(op->vm, FI_NAME));
			continue;
		}
		if ((op->drv = driver_find(record_get(op->host,
		    HOST_DRIVER))) == NULL) {
			op->rc = ERR_INVAL;
			op->errmsg = xasprintf("%s: host %s has no driver",
			    record_get(op->vm, FI_NAME),
			    record_get(op->host, FI_NAME));
		}
	}
	return 0;
}

static void
vm_target(const struct record *vm, struct drv_target *t, char *idbuf,
    size_t len)
{
	snprintf(idbuf, len, "%" PRIu64, vm->id);
	memset(t, 0, sizeof *t);
	t->name = record_get(vm, FI_NAME);
	t->uuid = record_get(vm, VM_UUID);
	t->hvsh_id = idbuf;
}

/* Prints "HOST: LINE" for each line of text (API calls). */
static void
print_lines(struct ctx *c, const struct record *host, const char *text)
{
	const char	*p, *nl;

	for (p = text; p != NULL && *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p) - 1;
		fprintf(c->out, "%s: %.*s\n", record_get(host, FI_NAME),
		    (int)(nl - p + (*nl != '\n')), p);
	}
}

/* Prints "HOST: COMMAND" for every step of every plan, or its API calls. */
static void
print_plans(struct ctx *c, struct vmops *ops)
{
	size_t	i, j;
	char	*text;

	for (i = 0; i < ops->n; i++) {
		if (ops->v[i].rc == 0 && ops->v[i].calls != NULL)
			print_lines(c, ops->v[i].host, ops->v[i].calls);
		for (j = 0; ops->v[i].rc == 0 && j < ops->v[i].plan.n; j++) {
			text = drv_plan_text(&ops->v[i].plan, j);
			fprintf(c->out, "%s: %s\n",
			    record_get(ops->v[i].host, FI_NAME), text);
			free(text);
		}
	}
}

/* What run_direct's threads share. */
struct direct_run {
	struct vmops	*ops;
	enum drv_op	 op;
};

/* The operation on one instance of a direct driver's host. */
static void
direct_one(size_t i, void *arg)
{
	struct direct_run	*dr = arg;
	struct vmop		*op = &dr->ops->v[i];
	struct drv_target	 t;
	char			 idbuf[24];
	int			 rc;

	if (op->rc != 0 || !driver_is_direct(op->drv))
		return;
	vm_target(op->vm, &t, idbuf, sizeof idbuf);
	if ((rc = driver_direct_op(op->drv, record_get(op->host, HOST_ADDRESS),
	    dr->op, &t, NULL)) != 0) {
		op->rc = rc;
		op->errmsg = xasprintf("%s: %s", record_get(op->host, FI_NAME),
		    err_msg());
	}
}

/*
 * Acts on every instance whose host's driver speaks an API, all at once;
 * a destroy's power-off is part of the driver's one call there.
 */
static void
run_direct(struct vmops *ops, enum drv_op op)
{
	struct direct_run	dr = { ops, op };

	hostops_each(ops->n, direct_one, &dr);
}

/*
 * Runs every plan, step k of all instances at once, then step k+1 of those
 * whose step k succeeded. A destroy's first step powers the instance off;
 * that it was off already (ERR_BUSY from the driver) is no failure.
 */
static void
run_plans(struct transport *tp, struct vmops *ops, enum drv_op op_kind)
{
	struct tp_job	*jobs = xcalloc(ops->n, sizeof *jobs);
	struct tp_host	*th = xcalloc(ops->n, sizeof *th);
	size_t		*idx = xcalloc(ops->n, sizeof *idx);
	size_t		 i, nj, step;

	for (i = 0; i < ops->n; i++)
		if (ops->v[i].host != NULL)
			hostops_tp_host(ops->v[i].host, &th[i]);
	for (step = 0; step < DRV_PLAN_MAX; step++) {
		nj = 0;
		for (i = 0; i < ops->n; i++) {
			if (ops->v[i].rc != 0 || step >= ops->v[i].plan.n)
				continue;
			memset(&jobs[nj], 0, sizeof jobs[nj]);
			jobs[nj].host = &th[i];
			jobs[nj].argv = ops->v[i].plan.argv[step];
			idx[nj++] = i;
		}
		if (nj == 0)
			break;
		tp_run_many(tp, jobs, nj);
		for (i = 0; i < nj; i++) {
			struct vmop		*op = &ops->v[idx[i]];
			struct tp_result	*res = &jobs[i].res;
			struct hv_error		 e;

			if (res->rc != 0) {
				op->rc = res->rc;
				op->errmsg = xstrdup(res->errmsg != NULL ?
				    res->errmsg : "cannot reach the host");
			} else if (res->status != 0) {
				memset(&e, 0, sizeof e);
				op->rc = ERR_FAIL;
				if (op->drv->error_read(res, &e) == 0 &&
				    e.reason != NULL) {
					op->rc = e.code != 0 ? e.code : ERR_FAIL;
					op->errmsg = xasprintf("%s: %s",
					    record_get(op->host, FI_NAME),
					    e.reason);
				} else
					op->errmsg = xasprintf("%s: %s exited "
					    "with status %d",
					    record_get(op->host, FI_NAME),
					    op->drv->cli, res->status);
				hv_error_clear(&e);
				if (op_kind == DRV_DESTROY && step == 0 &&
				    op->plan.n > 1 && op->rc == ERR_BUSY) {
					op->rc = 0;
					free(op->errmsg);
					op->errmsg = NULL;
				}
			}
			tp_result_free(res);
		}
	}
	free(jobs);
	free(th);
	free(idx);
}

struct refresh_set {
	struct host_refresh	*hr;
	size_t			 n;
};

/* Refreshes the distinct hosts of ops (recorded later, in one write). */
static void
refresh_hosts(struct transport *tp, struct vmops *ops, struct refresh_set *rs)
{
	size_t	i, j;

	rs->hr = xcalloc(ops->n, sizeof *rs->hr);
	rs->n = 0;
	for (i = 0; i < ops->n; i++) {
		if (ops->v[i].host == NULL || ops->v[i].drv == NULL)
			continue;
		for (j = 0; j < rs->n; j++)
			if (rs->hr[j].host->id == ops->v[i].host->id)
				break;
		if (j == rs->n)
			rs->hr[rs->n++].host = ops->v[i].host;
	}
	hostops_refresh(tp, rs->hr, rs->n);
}

static void
refresh_free(struct refresh_set *rs)
{
	size_t	i;

	for (i = 0; rs->hr != NULL && i < rs->n; i++)
		host_refresh_clear(&rs->hr[i]);
	free(rs->hr);
	rs->hr = NULL;
	rs->n = 0;
}

/* 1 while some instance of ops has not reached want on its host. */
static int
still_waiting(struct refresh_set *rs, struct vmops *ops, enum hv_state want)
{
	const struct hv_vm	*hv;
	size_t			 i, j;

	for (i = 0; i < ops->n; i++) {
		if (ops->v[i].rc != 0)
			continue;
		for (j = 0; j < rs->n; j++) {
			if (rs->hr[j].host->id != ops->v[i].host->id ||
			    rs->hr[j].rc != 0)
				continue;
			hv = hostops_match(&rs->hr[j], ops->v[i].vm);
			if (hv != NULL && hv->state != want)
				return 1;
		}
	}
	return 0;
}

static const char *const op_done[DRV_OP__COUNT] = {
	"started", "stopped", "powered off", "rebooted", "suspended",
	"resumed", "destroyed"
};

/* What one command records, in its one write transaction. */
struct final {
	struct ctx		*c;
	enum drv_op		 op;
	struct vmops		*ops;
	struct refresh_set	*rs;
	const char		*summary;
};

/*
 * Records the hosts' answers, forgets destroyed instances, and names the
 * instances changed in the command's audit event.
 */
static int
final_tx(struct store_txn *tx, void *arg)
{
	struct final	*fn = arg;
	size_t		 i;
	int		 rc;

	if ((rc = hostops_apply(tx, fn->rs->hr, fn->rs->n)) != 0)
		return rc;
	for (i = 0; fn->op == DRV_DESTROY && i < fn->ops->n; i++) {
		if (fn->ops->v[i].rc != 0)
			continue;
		rc = inventory_remove(tx, KIND_VM, fn->ops->v[i].vm->id, 1);
		if (rc != 0 && rc != ERR_NOENT)
			return rc;
	}
	ctx_set_result(fn->c, "%s", fn->summary);
	return 0;
}

/*
 * The common verb: select, plan, run (or print), wait for a clean stop,
 * refresh the hosts, report per instance. Fails if any instance failed.
 */
static int
vm_op(struct ctx *c, struct cmd_args *a, enum drv_op op)
{
	struct vmops		 ops = { 0 };
	struct refresh_set	 rs = { 0 };
	struct transport	*tp = NULL;
	struct store		*st;
	struct store_txn	*tx;
	struct drv_target	 t;
	struct final		 fn;
	struct buf		 summary = { 0 }, calls = { 0 };
	char			 idbuf[24];
	int64_t			 timeout = arg_i64(a, "timeout", 60);
	time_t			 deadline;
	size_t			 i, failed = 0;
	int			 rc;

	if (op == DRV_STOP && arg_flag(a, "force"))
		op = DRV_FORCE_OFF;
	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	rc = vmops_select(c, a, tx, &ops);
	store_txn_end(tx);
	if (rc != 0)
		goto out;
	for (i = 0; i < ops.n; i++) {
		if (ops.v[i].rc != 0)
			continue;
		vm_target(ops.v[i].vm, &t, idbuf, sizeof idbuf);
		if (driver_is_direct(ops.v[i].drv)) {
			/* Checked and described now; called in run_direct. */
			if ((rc = driver_direct_op(ops.v[i].drv,
			    record_get(ops.v[i].host, HOST_ADDRESS), op, &t,
			    &calls)) == 0)
				ops.v[i].calls = buf_take(&calls);
		} else
			rc = driver_plan(ops.v[i].drv, op, &t, &ops.v[i].plan);
		if (rc != 0) {
			ops.v[i].rc = rc;
			ops.v[i].errmsg = xasprintf("%s: %s",
			    record_get(ops.v[i].vm, FI_NAME), err_msg());
		}
	}
	if (arg_flag(a, "dry-run")) {
		print_plans(c, &ops);
		rc = 0;
		goto report;
	}
	if ((rc = hostops_transport(c->home, &tp)) != 0)
		goto out;
	run_plans(tp, &ops, op);
	run_direct(&ops, op);
	/* A clean stop is a request: wait for the guests to go down. */
	deadline = time(NULL) + (time_t)timeout;
	for (;;) {
		refresh_free(&rs);
		refresh_hosts(tp, &ops, &rs);
		if (op != DRV_STOP || !still_waiting(&rs, &ops, HV_STOPPED) ||
		    time(NULL) >= deadline)
			break;
		nanosleep(&(struct timespec){ 0, 500000000 }, NULL);
	}
	for (i = 0; (op == DRV_STOP || op == DRV_FORCE_OFF) && i < ops.n; i++) {
		if (ops.v[i].rc != 0 || !still_waiting(&rs,
		    &(struct vmops){ &ops.v[i], 1 }, HV_STOPPED))
			continue;
		ops.v[i].rc = ERR_BUSY;
		ops.v[i].errmsg = xasprintf("%s: still not stopped after %"
		    PRId64 " s%s", record_get(ops.v[i].vm, FI_NAME), timeout,
		    op == DRV_STOP ? " (use --force)" : "");
	}
	for (i = 0; i < ops.n; i++) {
		if (ops.v[i].rc == 0)
			buf_printf(&summary, "%s%s", summary.len ? "," : "",
			    record_get(ops.v[i].vm, FI_NAME));
	}
	buf_printf(&summary, "%s%s", summary.len ? ": " : "none ",
	    op_done[op]);
	fn.c = c;
	fn.op = op;
	fn.ops = &ops;
	fn.rs = &rs;
	fn.summary = summary.data;
	if ((rc = ctx_write(c, final_tx, &fn)) != 0)
		goto out;
report:
	for (i = 0; i < ops.n; i++) {
		if (ops.v[i].rc != 0) {
			failed++;
			ctx_error(c, ops.v[i].rc, "%s", ops.v[i].errmsg);
		} else if (!arg_flag(a, "dry-run"))
			ctx_info(c, "%s %s", record_get(ops.v[i].vm, FI_NAME),
			    op_done[op]);
	}
	rc = failed > 0 ? ERR_FAIL : 0;
out:
	buf_free(&summary);
	buf_free(&calls);
	refresh_free(&rs);
	vmops_free(&ops);
	tp_free(tp);
	return rc;
}

static int vm_start(struct ctx *c, struct cmd_args *a) { return vm_op(c, a, DRV_START); }
static int vm_stop(struct ctx *c, struct cmd_args *a) { return vm_op(c, a, DRV_STOP); }
static int vm_reboot(struct ctx *c, struct cmd_args *a) { return vm_op(c, a, DRV_REBOOT); }
static int vm_suspend(struct ctx *c, struct cmd_args *a) { return vm_op(c, a, DRV_SUSPEND); }
static int vm_resume(struct ctx *c, struct cmd_args *a) { return vm_op(c, a, DRV_RESUME); }
static int vm_destroy(struct ctx *c, struct cmd_args *a) { return vm_op(c, a, DRV_DESTROY); }

#define VMOP_TARGETS							\
	{ "name", 0, OPT_NAME, OPT_POSITIONAL | OPT_MULTI | OPT_EXISTING, \
	    KIND_VM, NULL, "NAME", "instances to act on" },		\
	{ "filter", 0, OPT_STR, 0, 0, NULL, "EXPR",			\
	    "act on every instance matching EXPR" }

static const struct cmd_opt vmop_opts[] = {
	VMOP_TARGETS,
	{ NULL }
};

static const struct cmd_opt vm_stop_opts[] = {
	VMOP_TARGETS,
	{ "force", 'f', OPT_FLAG, 0, 0, NULL, NULL,
	    "power off at once instead of a clean shutdown" },
	{ "timeout", 't', OPT_INT, 0, 0, NULL, "SECONDS",
	    "how long a clean shutdown may take (60)" },
	{ NULL }
};

#define VMOP_ENTRY(verb, fn, opts, summary)				\
const struct cmd_entry cmd_vm_##fn = {					\
	"vm", verb, NULL, opts, CMD_WRITE | CMD_OPERATOR | CMD_HOSTS,	\
	summary, NULL, vm_##fn						\
}

VMOP_ENTRY("start", start, vmop_opts, "start instances on their hosts");
VMOP_ENTRY("stop", stop, vm_stop_opts,
    "shut instances down cleanly, or power them off with --force");
VMOP_ENTRY("reboot", reboot, vmop_opts, "reboot instances");
VMOP_ENTRY("suspend", suspend, vmop_opts, "pause instances in memory");
VMOP_ENTRY("resume", resume, vmop_opts, "resume suspended instances");
const struct cmd_entry cmd_vm_destroy = {
	"vm", "destroy", NULL, vmop_opts,
	CMD_WRITE | CMD_OPERATOR | CMD_HOSTS | CMD_DESTRUCTIVE,
	"remove instances and their disks from their hosts, and forget them",
	NULL, vm_destroy
};

static int
apply_only_tx(struct store_txn *tx, void *arg)
{
	struct refresh_set	*rs = arg;

	return hostops_apply(tx, rs->hr, rs->n);
}

/* Refreshes every recorded host that has a driver, and records the answers. */
static int
refresh_all(struct ctx *c, struct transport *tp)
{
	struct records		 hosts = { 0 };
	struct refresh_set	 rs = { 0 };
	struct store		*st;
	struct store_txn	*tx;
	size_t			 i;
	int			 rc;

	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	rc = store_iter(tx, KIND_HOST, records_hold, &hosts);
	store_txn_end(tx);
	if (rc != 0)
		goto out;
	rs.hr = xcalloc(hosts.n, sizeof *rs.hr);
	for (i = 0; i < hosts.n; i++) {
		if (driver_find(record_get(hosts.v[i], HOST_DRIVER)) != NULL)
			rs.hr[rs.n++].host = hosts.v[i];
	}
	hostops_refresh(tp, rs.hr, rs.n);
	rc = ctx_write(c, apply_only_tx, &rs);
out:
	refresh_free(&rs);
	records_free(&hosts);
	return rc;
}

static int
vm_list(struct ctx *c, struct cmd_args *a)
{
	struct transport	*tp = NULL;
	int			 rc;

	if (arg_flag(a, "refresh")) {
		if ((rc = hostops_transport(c->home, &tp)) != 0)
			return rc;
		rc = refresh_all(c, tp);
		tp_free(tp);
		if (rc != 0)
			return rc;
	}
	return view_list(c, a, KIND_VM, -1, 0);
}

/*
 * Picks a host for a new instance: of the hosts whose driver can create,
 * the reachable one (asked now) with the most free memory that fits.
 */
static int
place(struct ctx *c, struct transport *tp, int64_t memory,
    struct record **out)
{
	struct records		 hosts = { 0 };
	struct refresh_set	 rs = { 0 };
	struct store		*st;
	struct store_txn	*tx;
	const struct driver	*d;
	size_t			 i, best = SIZE_MAX;
	int			 rc;

	*out = NULL;
	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	rc = store_iter(tx, KIND_HOST, records_hold, &hosts);
	store_txn_end(tx);
	if (rc != 0)
		goto out;
	rs.hr = xcalloc(hosts.n, sizeof *rs.hr);
	for (i = 0; i < hosts.n; i++) {
		d = driver_find(record_get(hosts.v[i], HOST_DRIVER));
		if (d != NULL && (d->create != NULL || d->direct_create != NULL))
			rs.hr[rs.n++].host = hosts.v[i];
	}
	hostops_refresh(tp, rs.hr, rs.n);
	for (i = 0; i < rs.n; i++) {
		if (rs.hr[i].rc != 0 || rs.hr[i].facts.mem_free < memory)
			continue;
		if (best == SIZE_MAX ||
		    rs.hr[i].facts.mem_free > rs.hr[best].facts.mem_free)
			best = i;
	}
	if (best == SIZE_MAX)
		rc = ctx_error(c, ERR_BUSY, "no reachable host can create an "
		    "instance with %" PRId64 " bytes of memory", memory);
	else
		*out = record_dup(rs.hr[best].host);
out:
	refresh_free(&rs);
	records_free(&hosts);
	return rc;
}

struct create {
	struct ctx		*c;
	struct cmd_args		*a;
	struct record		*host;
	uint64_t		 id;		/* the new record's */
	const struct hv_vm	*made;		/* what the host reported */
	const char		*failure;	/* why the host refused */
};

/* Records the instance before the host makes it, so it has an id to carry. */
static int
create_record_tx(struct store_txn *tx, void *arg)
{
	struct create	*cr = arg;
	struct record	*r = record_new(KIND_VM);
	int		 rc;

	record_set(r, FI_NAME, arg_str(cr->a, "name"));
	record_set_i64(r, VM_HOST, (int64_t)cr->host->id);
	record_set(r, VM_STATE, "unknown");
	record_set(r, VM_OWNER, cr->c->user);
	if ((rc = cmd_apply_fields(cr->c, cr->a, tx, r)) == 0 &&
	    (rc = store_put(tx, r)) == 0) {
		cr->id = r->id;
		ctx_set_result(cr->c, "creating %s on %s (id %" PRIu64 ")",
		    arg_str(cr->a, "name"), record_get(cr->host, FI_NAME),
		    r->id);
	}
	record_free(r);
	return rc;
}

/* Completes the record with what the host made, or forgets it. */
static int
create_done_tx(struct store_txn *tx, void *arg)
{
	struct create	*cr = arg;
	struct record	*r;
	int		 rc;

	if (cr->failure != NULL) {
		ctx_set_result(cr->c, "not created: %s", cr->failure);
		return inventory_remove(tx, KIND_VM, cr->id, 1);
	}
	if ((rc = store_get(tx, KIND_VM, cr->id, &r)) != 0)
		return rc;
	if (cr->made->uuid != NULL)
		record_set(r, VM_UUID, cr->made->uuid);
	record_set(r, VM_STATE, "stopped");
	record_set_i64(r, VM_LASTSEEN, now_unix());
	rc = store_put(tx, r);
	ctx_set_result(cr->c, "created %s on %s (id %" PRIu64 ")",
	    arg_str(cr->a, "name"), record_get(cr->host, FI_NAME), cr->id);
	record_free(r);
	return rc;
}

/* Creates through a driver that speaks an API; messages name the host. */
static int
create_direct(const struct driver *d, const struct record *host,
    const struct drv_spec *spec, struct hv_vm *made)
{
	char	msg[512];
	int	rc;

	if ((rc = d->direct_create(record_get(host, HOST_ADDRESS), spec, made,
	    NULL)) != 0) {
		snprintf(msg, sizeof msg, "%s", err_msg());
		rc = err_set(rc, "%s: %s", record_get(host, FI_NAME), msg);
	}
	return rc;
}

static int
vm_create(struct ctx *c, struct cmd_args *a)
{
	struct create		 cr = { c, a, NULL, 0, NULL, NULL };
	struct transport	*tp = NULL;
	struct store		*st;
	struct store_txn	*tx;
	const struct driver	*d;
	struct drv_spec		 spec = { 0 };
	struct drv_plan		 plan = { 0 };
	struct tp_result	 res = { 0 };
	struct hv_vm		 made;
	struct record		*other = NULL;
	struct buf		 calls = { 0 };
	char			 idbuf[24], *text, *why = NULL;
	size_t			 i;
	int			 rc;

	hv_vm_init(&made);
	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	/* Refuse a taken name before any host is asked. */
	rc = store_get_by_name(tx, KIND_VM, 0, arg_str(a, "name"), &other);
	if (rc == 0)
		rc = ctx_error(c, ERR_EXIST, "vm '%s' already exists",
		    arg_str(a, "name"));
	else if (rc == ERR_NOENT && arg_str(a, "host") != NULL)
		rc = view_lookup(c, tx, KIND_HOST, arg_str(a, "host"), &cr.host);
	else if (rc == ERR_NOENT)
		rc = 0;
	record_free(other);
	store_txn_end(tx);
	if (rc != 0)
		goto out;
	if ((rc = hostops_transport(c->home, &tp)) != 0)
		goto out;
	if (cr.host == NULL &&
	    (rc = place(c, tp, arg_i64(a, "memory", 0), &cr.host)) != 0)
		goto out;
	d = driver_find(record_get(cr.host, HOST_DRIVER));
	if (d == NULL || (d->create == NULL && d->direct_create == NULL)) {
		rc = ctx_error(c, ERR_INVAL, "creating instances is not "
		    "supported by %s", record_get(cr.host, HOST_DRIVER));
		goto out;
	}
	spec.name = arg_str(a, "name");
	spec.cpus = (int)arg_i64(a, "cpus", 1);
	spec.memory = arg_i64(a, "memory", 0);
	spec.disk = arg_i64(a, "disk", 0);
	spec.hvsh_id = "NEW";
	if (arg_flag(a, "dry-run") && d->create == NULL) {
		if ((rc = d->direct_create(record_get(cr.host, HOST_ADDRESS),
		    &spec, NULL, &calls)) == 0)
			print_lines(c, cr.host, calls.data);
		goto out;
	}
	if (arg_flag(a, "dry-run")) {
		if ((rc = d->create(&spec, &plan)) != 0)
			goto out;
		for (i = 0; i < plan.n; i++) {
			text = drv_plan_text(&plan, i);
			fprintf(c->out, "%s: %s\n", record_get(cr.host, FI_NAME),
			    text);
			free(text);
		}
		goto out;
	}
	if ((rc = ctx_write(c, create_record_tx, &cr)) != 0)
		goto out;
	snprintf(idbuf, sizeof idbuf, "%" PRIu64, cr.id);
	spec.hvsh_id = idbuf;
	if (d->create == NULL)
		rc = create_direct(d, cr.host, &spec, &made);
	else if ((rc = d->create(&spec, &plan)) == 0 &&
	    (rc = hostops_run(tp, cr.host, d, &plan, &res)) == 0 &&
	    d->create_read != NULL)
		rc = d->create_read(&res, &made);
	if (rc != 0) {
		/* Keep the host's reason; the record goes. */
		why = xstrdup(err_msg());
		rc = ctx_error_last(c);
		cr.failure = why;
		(void)ctx_write(c, create_done_tx, &cr);
		goto out;
	}
	cr.made = &made;
	if ((rc = ctx_write(c, create_done_tx, &cr)) != 0)
		goto out;
	ctx_info(c, "vm %s created on %s", spec.name,
	    record_get(cr.host, FI_NAME));
out:
	buf_free(&calls);
	free(why);
	hv_vm_clear(&made);
	tp_result_free(&res);
	drv_plan_clear(&plan);
	record_free(cr.host);
	tp_free(tp);
	return rc;
}

static const struct cmd_opt vm_list_opts[] = {
	{ "refresh", 'r', OPT_FLAG, 0, 0, NULL, NULL,
	    "ask every host first (one exec each, all at once)" },
	{ NULL }
};

static const struct cmd_opt vm_create_opts[] = {
	{ "name", 0, OPT_NAME, OPT_POSITIONAL | OPT_REQUIRED, KIND_VM, NULL,
	    "NAME", "name for the instance" },
	{ "host", 0, OPT_NAME, OPT_EXISTING, KIND_HOST, NULL, "HOST",
	    "host to create it on (default: placement)" },
	{ "cpus", 'c', OPT_INT, OPT_REQUIRED, 0, NULL, "N", "virtual CPUs" },
	{ "memory", 'm', OPT_SIZE, OPT_REQUIRED, 0, NULL, NULL,
	    "memory, e.g. 512M" },
	{ "disk", 0, OPT_SIZE, 0, 0, NULL, NULL, "root disk size (empty)" },
	OPT_TAGS,
	{ NULL }
};

const struct cmd_entry cmd_vm_list = {
	"vm", "list", "ls", vm_list_opts, CMD_LIST,
	"list instances",
	"'--filter host=NAME' and 'image=NAME' are answered from an index. "
	"--refresh asks the hosts first and records what they say.",
	vm_list
};

const struct cmd_entry cmd_vm_create = {
	"vm", "create", NULL, vm_create_opts,
	CMD_WRITE | CMD_OPERATOR | CMD_HOSTS,
	"create an empty instance on a host",
	"Without --host, placement picks the reachable host whose driver can "
	"create, with the most free memory that fits.",
	vm_create
};
