/*
 * cmd-vmops.c: instance lifecycle on hosts: start, stop, reboot, suspend,
 * resume, destroy and forget, for one instance, several, or a --filter.
 * Every instance's operation goes through the dispatcher (dispatch.h), all
 * at once; the hosts involved are then asked how things stand, so the
 * store says what the hosts say, and an instance already in the state
 * asked for is a success with a note, not a failure. --dry-run prints each
 * host's exact command lines and runs none.
 *
 * A clean stop is a request to the guest: the command waits for it, up to
 * --timeout, showing on a terminal what it still waits for; Ctrl-C ends
 * the wait (and any remote command running) and the records keep what the
 * hosts said last.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd-common.h"
#include "dispatch.h"
#include "err.h"
#include "filter.h"
#include "hostops.h"
#include "index.h"
#include "inventory.h"
#include "view.h"

/* The instances acted on, each with its host and its call. */
struct vmsel {
	struct record	**vm;
	struct record	**host;		/* NULL: not placed */
	char		**id;		/* the record id, for drv_target */
	struct dcall	 *dc;
	size_t		  n;
};

static void
vmsel_free(struct vmsel *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++) {
		record_free(s->vm[i]);
		record_free(s->host[i]);
		free(s->id[i]);
		dcall_clear(&s->dc[i]);
	}
	free(s->vm);
	free(s->host);
	free(s->id);
	free(s->dc);
	memset(s, 0, sizeof *s);
}

static void
vmsel_push(struct vmsel *s, const struct record *vm)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		if (s->vm[i]->id == vm->id)
			return;		/* named twice, or named and matched */
	s->vm = xreallocarray(s->vm, s->n + 1, sizeof *s->vm);
	s->host = xreallocarray(s->host, s->n + 1, sizeof *s->host);
	s->id = xreallocarray(s->id, s->n + 1, sizeof *s->id);
	s->dc = xreallocarray(s->dc, s->n + 1, sizeof *s->dc);
	s->vm[s->n] = record_dup(vm);
	s->host[s->n] = NULL;
	s->id[s->n] = xasprintf("%" PRIu64, vm->id);
	memset(&s->dc[s->n], 0, sizeof s->dc[s->n]);
	s->n++;
}

struct select {
	struct vmsel		*s;
	struct view		*view;
	const struct filter	*f;
	const char		*vals[RECORD_MAXFIELDS + 1];
};

static int
select_vm(const struct record *r, void *arg)
{
	struct select	*sel = arg;

	view_vals(sel->view, r, sel->vals);
	if (filter_match(sel->f, sel->vals))
		vmsel_push(sel->s, r);
	return 0;
}

/*
 * The instances named, or matching --filter, each with its host and a
 * call set up for op (failed already when it has no host).
 */
static int
vmsel_load(struct ctx *c, struct cmd_args *a, struct vmsel *s, enum drv_op op)
{
	struct col_def	 cols[RECORD_MAXFIELDS + 1];
	struct filter	*f = NULL;
	struct select	 sel;
	struct store	*st;
	struct store_txn *tx;
	struct record	*r;
	struct dcall	*dc;
	const char	*expr = arg_str(a, "filter");
	char *const	*names;
	char		*subject;
	size_t		 i, ncols;
	int64_t		 hid;
	int		 k, n, rc = 0;

	names = arg_multi(a, "name", &n);
	if (n == 0 && expr == NULL)
		return ctx_error(c, ERR_USAGE, "name an instance or give "
		    "--filter");
	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	for (k = 0; k < n; k++) {
		if ((rc = view_lookup(c, tx, KIND_VM, names[k], &r)) != 0)
			goto out;
		vmsel_push(s, r);
		record_free(r);
	}
	if (expr != NULL) {
		ncols = view_cols(kind_def(KIND_VM), cols);
		if ((rc = filter_parse(expr, cols, ncols, &f)) != 0) {
			rc = ctx_error(c, rc, "%s", err_msg());
			goto out;
		}
		sel.s = s;
		sel.view = view_new(tx);
		sel.f = f;
		rc = store_iter(tx, KIND_VM, select_vm, &sel);
		view_free(sel.view);
		filter_free(f);
		if (rc != 0)
			goto out;
	}
	for (i = 0; i < s->n; i++) {
		hid = record_get_i64(s->vm[i], VM_HOST, 0);
		if (hid > 0)
			(void)store_get(tx, KIND_HOST, (uint64_t)hid,
			    &s->host[i]);
		dc = &s->dc[i];
		subject = xasprintf("vm %s", record_get(s->vm[i], FI_NAME));
		dcall_init(dc, s->host[i], subject);
		free(subject);
		dc->what = DC_OP;
		dc->op = op;
		dc->t.name = record_get(s->vm[i], FI_NAME);
		dc->t.uuid = record_get(s->vm[i], VM_UUID);
		dc->t.hvsh_id = s->id[i];
		if (s->host[i] != NULL)
			dc->t.product = record_get(s->host[i], HOST_PRODUCT);
		if (s->host[i] == NULL)
			dcall_fail(dc, ERR_INVAL, "%s: not placed on any host",
			    record_get(s->vm[i], FI_NAME));
	}
out:
	store_txn_end(tx);
	return rc;
}

/* The hosts asked after an operation: each involved host once. */
struct asked {
	struct host_refresh	*hr;
	size_t			 n;
};

static void
asked_free(struct asked *as)
{
	size_t	i;

	for (i = 0; as->hr != NULL && i < as->n; i++) {
		free(as->hr[i].ask);
		host_refresh_clear(&as->hr[i]);
	}
	free(as->hr);
	as->hr = NULL;
	as->n = 0;
}

/*
 * Asks every host of s (whose call got prepared) how its instances of s
 * stand, and only those: one exec per host.
 */
static void
ask_hosts(struct transport *tp, struct vmsel *s, struct asked *as)
{
	struct host_refresh	*h;
	struct index		*ix = index_new(s->n);
	char			**keys = xcalloc(s->n + 1, sizeof *keys);
	size_t			 i, k;

	asked_free(as);
	as->hr = xcalloc(s->n + 1, sizeof *as->hr);
	for (i = 0; i < s->n; i++) {
		if (s->host[i] == NULL || s->dc[i].drv == NULL)
			continue;
		keys[i] = xasprintf("%" PRIu64, s->host[i]->id);
		if (!index_get(ix, keys[i], &k)) {
			k = as->n++;
			index_adds(ix, keys[i], k);
			as->hr[k].host = s->host[i];
			as->hr[k].ask = xcalloc(s->n, sizeof *as->hr[k].ask);
		}
		h = &as->hr[k];
		h->ask[h->nask++] = s->vm[i];
	}
	index_free(ix);
	for (i = 0; i < s->n; i++)
		free(keys[i]);
	free(keys);
	hostops_ask(tp, as->hr, as->n);
}

/*
 * How instance i stands on its host by the last asking: 1 and *state if
 * its host answered and has it, 0 if the host answered without it, -1 if
 * the host did not answer.
 */
static int
standing(const struct vmsel *s, const struct asked *as, size_t i,
    enum hv_state *state)
{
	const struct hv_vm	*hv;
	size_t			 j;

	for (j = 0; s->host[i] != NULL && j < as->n; j++) {
		if (as->hr[j].host->id != s->host[i]->id)
			continue;
		if (as->hr[j].rc != 0)
			return -1;
		if ((hv = hostops_match(&as->hr[j], s->vm[i])) == NULL)
			return 0;
		*state = hv->state;
		return 1;
	}
	return -1;
}

/* 1 if state is what op leads to (no op leads nowhere: reboot). */
static int
reached(enum drv_op op, enum hv_state state)
{
	switch (op) {
	case DRV_START:
	case DRV_RESUME:
		return state == HV_RUNNING;
	case DRV_STOP:
	case DRV_FORCE_OFF:
		return state == HV_STOPPED;
	case DRV_SUSPEND:
		return state == HV_PAUSED || state == HV_SUSPENDED;
	default:
		return 0;
	}
}

/* How many instances of s are still on their way to what op leads to. */
static size_t
waiting(const struct vmsel *s, const struct asked *as, enum drv_op op,
    struct buf *names)
{
	enum hv_state	state;
	size_t		i, n = 0;

	for (i = 0; i < s->n; i++) {
		if (s->dc[i].rc != 0 || standing(s, as, i, &state) != 1 ||
		    reached(op, state))
			continue;
		if (names != NULL)
			buf_printf(names, "%s%s", n > 0 ? ", " : "",
			    record_get(s->vm[i], FI_NAME));
		n++;
	}
	return n;
}

/* The wait's first pause between two askings, and its longest. */
#define WAIT_PAUSE_MS		250
#define WAIT_PAUSE_MAX_MS	2000

/*
 * Waits for a clean stop: asks the hosts about the guests stopped, and
 * only them, first after a quarter second, then at growing pauses up to
 * two seconds, until every guest is off, the timeout passes or the user
 * interrupts. Returns 1 if interrupted.
 */
static int
wait_stopped(struct ctx *c, struct transport *tp, struct vmsel *s,
    struct asked *as, int64_t timeout)
{
	struct buf	names = { 0 };
	time_t		deadline = time(NULL) + (time_t)timeout;
	size_t		n;
	long		pause_ms = WAIT_PAUSE_MS, left_ms, nap_ms;
	int		cancelled = 0;

	for (;;) {
		ask_hosts(tp, s, as);
		if (intr_pending()) {
			cancelled = 1;
			break;
		}
		buf_reset(&names);
		if ((n = waiting(s, as, DRV_STOP, &names)) == 0 ||
		    time(NULL) >= deadline)
			break;
		if (intr_pending()) {
			cancelled = 1;
			break;
		}
		cmd_progress(c, "waiting for %s to stop (%lld s left, "
		    "Ctrl-C to stop waiting)", names.data,
		    (long long)(deadline - time(NULL)));
		/* Backing off: a guest that stops at once is seen at once. */
		left_ms = (long)(deadline - time(NULL)) * 1000;
		nap_ms = pause_ms < left_ms ? pause_ms : left_ms > 100 ?
		    left_ms : 100;
		nanosleep(&(struct timespec){ nap_ms / 1000,
		    (nap_ms % 1000) * 1000000L }, NULL);
		if (pause_ms < WAIT_PAUSE_MAX_MS)
			pause_ms = pause_ms * 2 > WAIT_PAUSE_MAX_MS ?
			    WAIT_PAUSE_MAX_MS : pause_ms * 2;
		if (intr_pending()) {
			cancelled = 1;
			break;
		}
	}
	cmd_progress_done(c);
	buf_free(&names);
	return cancelled;
}

static const char *const op_done[DRV_OP__COUNT] = {
	"started", "stopped", "powered off", "rebooted", "suspended",
	"resumed", "destroyed"
};

/*
 * After the hosts were asked: a call that failed though its instance
 * stands where op leads is done with a note ("already running"); a clean
 * stop still under way by the timeout, or when the wait was interrupted,
 * is a failure that says so.
 */
static void
settle(struct vmsel *s, const struct asked *as, enum drv_op op,
    int64_t timeout, int cancelled)
{
	enum hv_state	state;
	size_t		i;

	for (i = 0; i < s->n; i++) {
		struct dcall	*dc = &s->dc[i];

		if (dc->prepared && dc->rc != 0 && dc->rc != ERR_CANCEL &&
		    standing(s, as, i, &state) == 1 && reached(op, state)) {
			dc->rc = 0;
			free(dc->errmsg);
			dc->errmsg = NULL;
			dc->note = xasprintf("already %s",
			    hv_state_name(state));
			continue;
		}
		if (dc->rc != 0 || (op != DRV_STOP && op != DRV_FORCE_OFF))
			continue;
		/* Interrupted: only what the host said it did is done. */
		if (cancelled && (standing(s, as, i, &state) != 1 ||
		    !reached(op, state)))
			dcall_fail(dc, ERR_CANCEL, "%s: interrupted while "
			    "waiting for it to stop; it may still stop",
			    record_get(s->vm[i], FI_NAME));
		else if (!cancelled && standing(s, as, i, &state) == 1 &&
		    !reached(op, state))
			dcall_fail(dc, ERR_BUSY, "%s: still not stopped after "
			    "%" PRId64 " s%s", record_get(s->vm[i], FI_NAME),
			    timeout, op == DRV_STOP ? " (use --force)" : "");
	}
}

/* What one command records, in its one write transaction. */
struct final {
	struct ctx		*c;
	struct vmsel		*s;
	struct asked		*as;
	const char		*summary;
};

/* 1 if any call of s failed: the audit says so. */
static int
any_failed(const struct vmsel *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		if (s->dc[i].rc != 0)
			return 1;
	return 0;
}

static int
final_tx(struct store_txn *tx, void *arg)
{
	struct final	*fn = arg;

	ctx_set_result(fn->c, "%s", fn->summary);
	ctx_set_status(fn->c, any_failed(fn->s));
	return hostops_apply(tx, fn->as->hr, fn->as->n);
}

/* Reports each instance: its error, or what was done. */
static int
report(struct ctx *c, struct vmsel *s, enum drv_op op, int dry)
{
	size_t	i, failed = 0;

	for (i = 0; i < s->n; i++) {
		if (s->dc[i].rc != 0) {
			failed++;
			ctx_error(c, s->dc[i].rc, "%s", s->dc[i].errmsg);
		} else if (!dry && s->dc[i].note != NULL)
			ctx_info(c, "%s %s", record_get(s->vm[i], FI_NAME),
			    s->dc[i].note);
		else if (!dry)
			ctx_info(c, "%s %s", record_get(s->vm[i], FI_NAME),
			    op_done[op]);
	}
	if (failed == 0)
		return 0;
	/* All interrupted: the command was, too. */
	for (i = 0; i < s->n; i++)
		if (s->dc[i].rc != ERR_CANCEL)
			return ERR_FAIL;
	return ERR_CANCEL;
}

/*
 * The common verb: select, plan, run (or print), wait for a clean stop,
 * ask the hosts, report per instance. Fails if any instance failed.
 */
static int
vm_op(struct ctx *c, struct cmd_args *a, enum drv_op op)
{
	struct vmsel		 s = { 0 };
	struct asked		 as = { 0 };
	struct transport	*tp = NULL;
	struct final		 fn;
	char			*summary = NULL;
	int64_t			 timeout = arg_i64(a, "timeout", 60);
	int			 rc, cancelled = 0;

	if (op == DRV_STOP && arg_flag(a, "force"))
		op = DRV_FORCE_OFF;
	if (timeout < 1 || timeout > 86400)
		return ctx_error(c, ERR_USAGE, "--timeout must be 1 to 86400 "
		    "seconds");
	if ((rc = vmsel_load(c, a, &s, op)) != 0)
		goto out;
	dispatch_prepare(s.dc, s.n);
	if ((rc = ctx_transport(c, &tp)) != 0)
		goto out;
	if (arg_flag(a, "dry-run")) {
		dispatch_dry(tp, s.dc, s.n, cmd_dry_emit, c);
		rc = report(c, &s, op, 1);
		goto out;
	}
	dispatch_run(tp, s.dc, s.n);
	if (op == DRV_STOP && !intr_pending())
		cancelled = wait_stopped(c, tp, &s, &as, timeout);
	else if (!intr_pending())
		ask_hosts(tp, &s, &as);
	else
		cancelled = 1;
	settle(&s, &as, op, timeout, cancelled);
	summary = dispatch_outcome(s.dc, s.n);
	fn.c = c;
	fn.s = &s;
	fn.as = &as;
	fn.summary = summary;
	if ((rc = ctx_write(c, final_tx, &fn)) != 0)
		goto out;
	rc = report(c, &s, op, 0);
out:
	free(summary);
	asked_free(&as);
	vmsel_free(&s);
	return rc;
}

static int vm_start(struct ctx *c, struct cmd_args *a) { return vm_op(c, a, DRV_START); }
static int vm_stop(struct ctx *c, struct cmd_args *a) { return vm_op(c, a, DRV_STOP); }
static int vm_reboot(struct ctx *c, struct cmd_args *a) { return vm_op(c, a, DRV_REBOOT); }
static int vm_suspend(struct ctx *c, struct cmd_args *a) { return vm_op(c, a, DRV_SUSPEND); }
static int vm_resume(struct ctx *c, struct cmd_args *a) { return vm_op(c, a, DRV_RESUME); }

/* A disk of an instance being destroyed, and what becomes of it. */
struct disk {
	struct record	*vol;
	size_t		 owner;		/* index of its instance in vmsel */
	int		 remove;	/* hvsh made it: remove it */
	struct dcall	 dc;		/* the removal */
};

struct disks {
	struct disk	*v;
	size_t		 n;
	size_t		 owner;		/* while collecting */
};

static int
disk_hold(const struct record *r, void *arg)
{
	struct disks	*d = arg;
	struct disk	*k;
	const char	*role = record_get(r, VOLUME_ROLE);
	const char	*managed = record_get(r, VOLUME_MANAGED);

	d->v = xreallocarray(d->v, d->n + 1, sizeof *d->v);
	k = &d->v[d->n++];
	memset(k, 0, sizeof *k);
	k->vol = record_dup(r);
	k->owner = d->owner;
	/* Data volumes outlive their instance; disks hvsh made go with it. */
	k->remove = role != NULL && strcmp(role, "data") != 0 &&
	    managed != NULL && strcmp(managed, "yes") == 0;
	return 0;
}

static void
disks_free(struct disks *d)
{
	size_t	i;

	for (i = 0; i < d->n; i++) {
		record_free(d->v[i].vol);
		dcall_clear(&d->v[i].dc);
	}
	free(d->v);
	memset(d, 0, sizeof *d);
}

/* The disks and volumes of every instance of s. */
static int
disks_load(struct ctx *c, struct vmsel *s, struct disks *d)
{
	struct store	*st;
	struct store_txn *tx;
	size_t		 i;
	int		 rc;

	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	for (i = 0; rc == 0 && i < s->n; i++) {
		d->owner = i;
		rc = store_iter_ref(tx, KIND_VOLUME, VOLUME_VM, s->vm[i]->id,
		    disk_hold, d);
	}
	store_txn_end(tx);
	return rc;
}

/* Sets up the removal of every disk hvsh made, on its instance's host. */
static void
disks_plan(struct vmsel *s, struct disks *d)
{
	struct disk	*k;
	const char	*path;
	char		*subject;
	size_t		 i;

	for (i = 0; i < d->n; i++) {
		k = &d->v[i];
		if (!k->remove)
			continue;
		path = record_get(k->vol, VOLUME_REF) != NULL ?
		    record_get(k->vol, VOLUME_REF) :
		    record_get(k->vol, VOLUME_PATH);
		subject = xasprintf("disk %s", record_get(k->vol, FI_NAME));
		dcall_init(&k->dc, s->host[k->owner], subject);
		free(subject);
		k->dc.what = DC_CALL;
		k->dc.call = DRV_VOL_REMOVE;
		k->dc.req.volume = record_get(k->vol, FI_NAME);
		k->dc.req.vol_path = path;
		if (s->host[k->owner] != NULL)
			k->dc.req.product = record_get(s->host[k->owner],
			    HOST_PRODUCT);
		if (s->host[k->owner] == NULL || path == NULL)
			dcall_fail(&k->dc, ERR_INVAL, "disk %s: not known "
			    "on any host", record_get(k->vol, FI_NAME));
		else
			dispatch_prepare(&k->dc, 1);
	}
}

/* Emits every prepared removal (for --dry-run), after the destroys. */
static void
disks_dry(struct ctx *c, const struct transport *tp, struct disks *d)
{
	size_t	i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].remove)
			dispatch_dry(tp, &d->v[i].dc, 1, cmd_dry_emit, c);
}

/*
 * Removes the disks hvsh made of the instances destroyed now; a disk
 * already gone from its host is no failure.
 */
static void
disks_remove(struct transport *tp, struct vmsel *s, struct disks *d)
{
	struct dcall	*dc = xcalloc(d->n + 1, sizeof *dc);
	size_t		*idx = xcalloc(d->n + 1, sizeof *idx);
	size_t		 i, n = 0;

	for (i = 0; i < d->n; i++) {
		if (!d->v[i].remove || s->dc[d->v[i].owner].rc != 0 ||
		    d->v[i].dc.rc != 0)
			continue;
		dc[n] = d->v[i].dc;	/* moved, and back below */
		idx[n++] = i;
	}
	dispatch_run(tp, dc, n);
	for (i = 0; i < n; i++) {
		if (dc[i].rc == ERR_NOENT) {
			dc[i].rc = 0;
			free(dc[i].errmsg);
			dc[i].errmsg = NULL;
			dc[i].note = xstrdup("already gone");
		}
		d->v[idx[i]].dc = dc[i];
	}
	free(dc);
	free(idx);
}

/* The text a person confirms: each instance, host and disk. */
static char *
destroy_text(struct vmsel *s, struct disks *d)
{
	struct buf	b = { 0 };
	const char	*p;
	size_t		i, j;

	for (i = 0; i < s->n; i++) {
		if (s->dc[i].rc != 0)
			continue;
		buf_printf(&b, "destroy vm %s on %s\n",
		    record_get(s->vm[i], FI_NAME),
		    record_get(s->host[i], FI_NAME));
		for (j = 0; j < d->n; j++) {
			if (d->v[j].owner != i)
				continue;
			p = record_get(d->v[j].vol, VOLUME_PATH);
			buf_printf(&b, "  %s %s %s (%s)\n", d->v[j].remove ?
			    "remove" : "keep", record_get(d->v[j].vol,
			    VOLUME_ROLE) != NULL && strcmp(record_get(
			    d->v[j].vol, VOLUME_ROLE), "data") == 0 ?
			    "volume" : "disk", record_get(d->v[j].vol,
			    FI_NAME), d->v[j].remove ? "made by hvsh" :
			    p != NULL ? p : "not made by hvsh");
		}
	}
	return buf_take(&b);
}

/* What a destroy records, in its one write transaction. */
struct destroy {
	struct ctx	*c;
	struct vmsel	*s;
	struct disks	*d;
	struct asked	*as;
	const char	*summary;
};

/*
 * Forgets the instances destroyed (or gone) and the disks removed with
 * them; volumes and disks that stay are released (inventory_remove) and
 * keep their records.
 */
static int
destroy_tx(struct store_txn *tx, void *arg)
{
	struct destroy	*de = arg;
	struct record	*v;
	size_t		 i;
	int		 rc;

	ctx_set_result(de->c, "%s", de->summary);
	ctx_set_status(de->c, any_failed(de->s));
	for (i = 0; i < de->d->n; i++)
		if (de->d->v[i].remove && de->d->v[i].dc.rc != 0 &&
		    de->s->dc[de->d->v[i].owner].rc == 0)
			ctx_set_status(de->c, 1);
	if ((rc = hostops_apply(tx, de->as->hr, de->as->n)) != 0)
		return rc;
	for (i = 0; i < de->d->n; i++) {
		struct disk	*k = &de->d->v[i];

		if (de->s->dc[k->owner].rc != 0)
			continue;
		if (k->remove && k->dc.rc == 0) {
			rc = store_del(tx, KIND_VOLUME, k->vol->id);
		} else if ((rc = store_get(tx, KIND_VOLUME, k->vol->id,
		    &v)) == 0) {
			record_set(v, VOLUME_DEVICE, NULL);
			rc = store_put(tx, v);
			record_free(v);
		}
		if (rc != 0 && rc != ERR_NOENT)
			return rc;
	}
	for (i = 0; i < de->s->n; i++) {
		if (de->s->dc[i].rc != 0)
			continue;
		rc = inventory_remove(tx, KIND_VM, de->s->vm[i]->id, 1);
		if (rc != 0 && rc != ERR_NOENT)
			return rc;
	}
	return 0;
}

/*
 * With --force, an instance its host no longer has (a destroy that failed
 * for that reason) is forgotten; without, the error says how.
 */
static void
destroy_gone(struct vmsel *s, const struct asked *as, int force)
{
	enum hv_state	state;
	size_t		i;
	char		*msg;

	for (i = 0; i < s->n; i++) {
		if (!s->dc[i].prepared || s->dc[i].rc == 0 ||
		    s->dc[i].rc == ERR_CANCEL || standing(s, as, i, &state) != 0)
			continue;
		if (force) {
			s->dc[i].rc = 0;
			free(s->dc[i].errmsg);
			s->dc[i].errmsg = NULL;
			s->dc[i].note = xstrdup("already gone from its host; "
			    "record forgotten");
		} else {
			msg = xasprintf("%s (its host no longer has it: "
			    "'vm destroy --force' or 'vm forget' forgets the "
			    "record)", s->dc[i].errmsg);
			free(s->dc[i].errmsg);
			s->dc[i].errmsg = msg;
		}
	}
}

/* Names what stays of each destroyed instance: disks hvsh did not make. */
static void
report_kept(struct ctx *c, struct vmsel *s, struct disks *d)
{
	struct disk	*k;
	size_t		 i;

	for (i = 0; i < d->n; i++) {
		k = &d->v[i];
		if (s->dc[k->owner].rc != 0)
			continue;
		if (!k->remove)
			ctx_info(c, "%s: kept %s %s%s%s",
			    record_get(s->vm[k->owner], FI_NAME),
			    strcmp(record_get(k->vol, VOLUME_ROLE) ?
			    record_get(k->vol, VOLUME_ROLE) : "data",
			    "data") == 0 ? "volume" : "disk",
			    record_get(k->vol, FI_NAME),
			    record_get(k->vol, VOLUME_PATH) ? " at " : "",
			    record_get(k->vol, VOLUME_PATH) ?
			    record_get(k->vol, VOLUME_PATH) : "");
		else if (k->dc.rc != 0)
			ctx_error(c, k->dc.rc, "%s (its record is kept)",
			    k->dc.errmsg);
	}
}

static int
vm_destroy(struct ctx *c, struct cmd_args *a)
{
	struct vmsel		 s = { 0 };
	struct disks		 d = { 0 };
	struct asked		 as = { 0 };
	struct transport	*tp = NULL;
	struct destroy		 de;
	struct buf		 sum = { 0 };
	char			*text = NULL, *outcome = NULL;
	size_t			 i;
	int			 rc;

	if ((rc = vmsel_load(c, a, &s, DRV_DESTROY)) != 0 ||
	    (rc = disks_load(c, &s, &d)) != 0)
		goto out;
	dispatch_prepare(s.dc, s.n);
	disks_plan(&s, &d);
	if ((rc = ctx_transport(c, &tp)) != 0)
		goto out;
	if (arg_flag(a, "dry-run")) {
		dispatch_dry(tp, s.dc, s.n, cmd_dry_emit, c);
		disks_dry(c, tp, &d);
		rc = report(c, &s, DRV_DESTROY, 1);
		goto out;
	}
	text = destroy_text(&s, &d);
	if (text != NULL && (rc = ctx_confirm(c, text)) != 0)
		goto out;
	dispatch_run(tp, s.dc, s.n);
	ask_hosts(tp, &s, &as);
	destroy_gone(&s, &as, arg_flag(a, "force"));
	disks_remove(tp, &s, &d);
	outcome = dispatch_outcome(s.dc, s.n);
	buf_addstr(&sum, outcome);
	for (i = 0; i < d.n; i++) {
		if (d.v[i].remove && s.dc[d.v[i].owner].rc == 0) {
			free(outcome);
			outcome = dispatch_outcome(&d.v[i].dc, 1);
			buf_printf(&sum, "; %s", outcome);
		}
	}
	de.c = c;
	de.s = &s;
	de.d = &d;
	de.as = &as;
	de.summary = sum.data;
	if ((rc = ctx_write(c, destroy_tx, &de)) != 0)
		goto out;
	rc = report(c, &s, DRV_DESTROY, 0);
	report_kept(c, &s, &d);
	for (i = 0; rc == 0 && i < d.n; i++)
		if (d.v[i].remove && d.v[i].dc.rc != 0 &&
		    s.dc[d.v[i].owner].rc == 0)
			rc = ERR_FAIL;
out:
	free(text);
	free(outcome);
	buf_free(&sum);
	asked_free(&as);
	disks_free(&d);
	vmsel_free(&s);
	return rc;
}

/* What forget records: the instances whose hosts no longer have them. */
static int
forget_tx(struct store_txn *tx, void *arg)
{
	struct final	*fn = arg;
	size_t		 i;
	int		 rc;

	ctx_set_result(fn->c, "%s", fn->summary);
	ctx_set_status(fn->c, any_failed(fn->s));
	if ((rc = hostops_apply(tx, fn->as->hr, fn->as->n)) != 0)
		return rc;
	for (i = 0; i < fn->s->n; i++) {
		if (fn->s->dc[i].rc != 0)
			continue;
		rc = inventory_remove(tx, KIND_VM, fn->s->vm[i]->id, 1);
		if (rc != 0 && rc != ERR_NOENT)
			return rc;
	}
	return 0;
}

/*
 * Forgets instances whose hosts say they are gone, touching no host. An
 * instance still there is refused (destroy it); one whose host does not
 * answer, or that has no host, is forgotten only with --force.
 */
static int
vm_forget(struct ctx *c, struct cmd_args *a)
{
	struct vmsel		 s = { 0 };
	struct asked		 as = { 0 };
	struct transport	*tp = NULL;
	struct final		 fn;
	struct buf		 sum = { 0 };
	enum hv_state		 state;
	size_t			 i, failed = 0;
	int			 rc, force = arg_flag(a, "force");

	if ((rc = vmsel_load(c, a, &s, DRV_DESTROY)) != 0)
		goto out;
	for (i = 0; i < s.n; i++)
		if (s.host[i] != NULL)
			s.dc[i].drv = dispatch_driver(s.host[i]);
	if ((rc = ctx_transport(c, &tp)) != 0)
		goto out;
	ask_hosts(tp, &s, &as);
	for (i = 0; i < s.n; i++) {
		struct dcall	*dc = &s.dc[i];
		int		 st = s.host[i] != NULL ?
				    standing(&s, &as, i, &state) : -1;

		free(dc->errmsg);
		dc->errmsg = NULL;
		dc->rc = 0;
		if (st == 1)
			dcall_fail(dc, ERR_BUSY, "%s is still on host %s "
			    "(%s): 'vm destroy' removes it",
			    record_get(s.vm[i], FI_NAME),
			    record_get(s.host[i], FI_NAME),
			    hv_state_name(state));
		else if (st < 0 && !force)
			dcall_fail(dc, ERR_BUSY, "%s: %s does not answer, so "
			    "it cannot say the instance is gone (--force "
			    "forgets it anyway)", record_get(s.vm[i], FI_NAME),
			    s.host[i] != NULL ? record_get(s.host[i],
			    FI_NAME) : "no host");
		buf_printf(&sum, "%s%s: %s", i > 0 ? "; " : "",
		    record_get(s.vm[i], FI_NAME), dc->rc == 0 ? "forgotten" :
		    "kept");
	}
	fn.c = c;
	fn.s = &s;
	fn.as = &as;
	fn.summary = sum.data;
	if ((rc = ctx_write(c, forget_tx, &fn)) != 0)
		goto out;
	for (i = 0; i < s.n; i++) {
		if (s.dc[i].rc != 0) {
			failed++;
			ctx_error(c, s.dc[i].rc, "%s", s.dc[i].errmsg);
		} else
			ctx_info(c, "%s forgotten", record_get(s.vm[i],
			    FI_NAME));
	}
	rc = failed > 0 ? ERR_FAIL : 0;
out:
	buf_free(&sum);
	asked_free(&as);
	vmsel_free(&s);
	return rc;
}

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

static const struct cmd_opt vm_destroy_opts[] = {
	VMOP_TARGETS,
	OPT_FORCE("forget instances their hosts no longer have"),
	{ NULL }
};

static const struct cmd_opt vm_forget_opts[] = {
	VMOP_TARGETS,
	OPT_FORCE("forget them even if their hosts do not answer"),
	{ NULL }
};

#define VMOP_ENTRY(verb, fn, opts, flags, summary, help)		\
const struct cmd_entry cmd_vm_##fn = {					\
	"vm", verb, NULL, opts, CMD_WRITE | CMD_OPERATOR | (flags),	\
	summary, help, vm_##fn						\
}

VMOP_ENTRY("start", start, vmop_opts, CMD_HOSTS,
    "start instances on their hosts",
    "An instance already running is a success with a note.");
VMOP_ENTRY("stop", stop, vm_stop_opts, CMD_HOSTS,
    "shut instances down cleanly, or power them off with --force",
    "Waits up to --timeout seconds for the guests to go down, showing "
    "what it waits for on a terminal; Ctrl-C stops waiting. An instance "
    "already stopped is a success with a note.");
VMOP_ENTRY("reboot", reboot, vmop_opts, CMD_HOSTS, "reboot instances", NULL);
VMOP_ENTRY("suspend", suspend, vmop_opts, CMD_HOSTS,
    "pause instances in memory", NULL);
VMOP_ENTRY("resume", resume, vmop_opts, CMD_HOSTS,
    "resume suspended instances", NULL);
VMOP_ENTRY("destroy", destroy, vm_destroy_opts, CMD_HOSTS | CMD_DESTRUCTIVE,
    "remove instances and the disks hvsh made from their hosts, and "
    "forget them",
    "Lists what it will remove and asks; scripts need --yes. Data volumes "
    "and disks hvsh did not make stay, and are named. --force also "
    "forgets an instance its host no longer has.");
VMOP_ENTRY("forget", forget, vm_forget_opts, 0,
    "forget instances their hosts no longer have",
    "Touches no host: asks each instance's host, and forgets the record "
    "only if the host answers without it (or, with --force, does not "
    "answer).");

static int
apply_only_tx(struct store_txn *tx, void *arg)
{
	struct asked	*as = arg;

	return hostops_apply(tx, as->hr, as->n);
}

/*
 * Asks every recorded host that has a driver, records the answers, and
 * reports each host that did not answer; *failed counts them.
 */
static int
refresh_all(struct ctx *c, struct transport *tp, size_t *failed)
{
	struct records	 hosts = { 0 };
	struct asked	 as = { 0 };
	struct store	*st;
	struct store_txn *tx;
	size_t		 i;
	int		 rc;

	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	rc = store_iter(tx, KIND_HOST, records_hold, &hosts);
	store_txn_end(tx);
	if (rc != 0)
		goto out;
	as.hr = xcalloc(hosts.n + 1, sizeof *as.hr);
	for (i = 0; i < hosts.n; i++) {
		if (dispatch_driver(hosts.v[i]) != NULL)
			as.hr[as.n++].host = hosts.v[i];
	}
	cmd_refresh(c, tp, as.hr, as.n, RF_IDS_MATCH);
	for (i = 0; i < as.n; i++)
		if (as.hr[i].rc != 0)
			(*failed)++;
	ctx_set_status(c, *failed > 0);
	if ((rc = ctx_write(c, apply_only_tx, &as)) != 0)
		goto out;
	/* Each host that did not answer, by name: its instances are unknown. */
	for (i = 0; i < as.n; i++)
		if (as.hr[i].rc != 0)
			ctx_error(c, as.hr[i].rc, "%s (its instances are "
			    "unknown)", as.hr[i].errmsg);
out:
	asked_free(&as);
	records_free(&hosts);
	return rc;
}

static int
vm_list(struct ctx *c, struct cmd_args *a)
{
	struct transport	*tp = NULL;
	size_t			 failed = 0;
	int			 rc;

	if (arg_flag(a, "refresh")) {
		if ((rc = ctx_transport(c, &tp)) != 0)
			return rc;
		rc = refresh_all(c, tp, &failed);
		if (rc != 0)
			return rc;
	}
	/* The list shows what is known; a host that failed fails the command. */
	if ((rc = view_list(c, a, KIND_VM, -1, 0)) == 0 && failed > 0)
		rc = ERR_IO;
	return rc;
}

static const struct cmd_opt vm_list_opts[] = {
	{ "refresh", 'r', OPT_FLAG, 0, 0, NULL, NULL,
	    "ask every host first (one exec each, all at once)" },
	{ NULL }
};

const struct cmd_entry cmd_vm_list = {
	"vm", "list", "ls", vm_list_opts, CMD_LIST,
	"list instances",
	"'--filter host=NAME' and 'image=NAME' are answered from an index. "
	"--refresh asks the hosts first and records what they say.",
	vm_list
};
