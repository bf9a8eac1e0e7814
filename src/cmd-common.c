/*
 * cmd-common.c: the generic verbs of cmd-common.h.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd-common.h"
#include "dispatch.h"
#include "err.h"
#include "hostops.h"
#include "inventory.h"
#include "util.h"
#include "view.h"

enum kind
cmd_kind(const struct ctx *c)
{
	const struct kind_def	*kd = kind_by_name(c->entry->noun);

	return kd != NULL ? kd->kind : KIND__COUNT;
}

int
cmd_apply_fields(struct ctx *c, struct cmd_args *a, struct store_txn *tx,
    struct record *r)
{
	const struct kind_def	*kd = kind_def(r->kind);
	const struct cmd_opt	*opts[CMD_ALLOPTS];
	const struct field_def	*fd;
	struct record		*ref;
	char *const		*set, *const *unset;
	const char		*val;
	size_t			 n, i;
	int			 f, nset, nunset, rc;

	n = cmd_opts(c->entry, opts);
	for (i = 0; i < n; i++) {
		if (opts[i]->flags & OPT_POSITIONAL)
			continue;
		if ((f = kind_field(kd, opts[i]->name)) < 0)
			continue;
		if ((val = arg_str(a, opts[i]->name)) == NULL)
			continue;
		fd = &kd->fields[f];
		switch (fd->type) {
		case FT_SIZE:
		case FT_INT:
			record_set_i64(r, f, arg_i64(a, opts[i]->name, 0));
			break;
		case FT_REF:
			if ((rc = view_find(tx, fd->ref, val, &ref)) != 0)
				return rc;
			record_setf(r, f, "%" PRIu64, ref->id);
			record_free(ref);
			break;
		default:
			record_set(r, f, val);
			break;
		}
	}
	if ((f = kind_field(kd, "tags")) >= 0) {
		set = arg_multi(a, "tag", &nset);
		unset = arg_multi(a, "untag", &nunset);
		if (nset > 0 || nunset > 0)
			return view_tags(r, f, set, nset, unset, nunset);
	}
	return 0;
}

int
cmd_generic_list(struct ctx *c, struct cmd_args *a)
{
	return view_list(c, a, cmd_kind(c), -1, 0);
}

int
cmd_generic_show(struct ctx *c, struct cmd_args *a)
{
	struct store		*st;
	struct store_txn	*tx;
	struct record		*r = NULL;
	int			 rc;

	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	rc = view_lookup(c, tx, cmd_kind(c), arg_str(a, "name"), &r);
	if (rc == 0)
		rc = view_show(c, a, tx, r);
	record_free(r);
	store_txn_end(tx);
	return rc;
}

struct generic {
	struct ctx	*c;
	struct cmd_args	*a;
	enum kind	 kind;
	const char	*name;
	cmd_init_fn	 init;
	void		*init_arg;
	cmd_check_fn	 check;
};

static int
remove_tx(struct store_txn *tx, void *arg)
{
	struct generic	*g = arg;
	struct record	*r;
	int		 rc;

	if ((rc = view_find(tx, g->kind, g->name, &r)) != 0)
		return rc;
	rc = inventory_remove(tx, g->kind, r->id, arg_flag(g->a, "force"));
	if (rc == 0 && g->check != NULL)
		rc = g->check(tx);
	ctx_set_result(g->c, "removed %s %s (id %" PRIu64 ")",
	    kind_def(g->kind)->name, g->name, r->id);
	record_free(r);
	return rc;
}

static int
set_tx(struct store_txn *tx, void *arg)
{
	struct generic	*g = arg;
	struct record	*r;
	const char	*rename = arg_str(g->a, "rename");
	int		 rc;

	if ((rc = view_find(tx, g->kind, g->name, &r)) != 0)
		return rc;
	if ((rc = cmd_apply_fields(g->c, g->a, tx, r)) != 0)
		goto out;
	if (rename != NULL)
		record_set(r, FI_NAME, rename);
	if ((rc = store_put(tx, r)) == 0 && g->check != NULL)
		rc = g->check(tx);
	ctx_set_result(g->c, "changed %s %s (id %" PRIu64 ")",
	    kind_def(g->kind)->name, g->name, r->id);
out:
	record_free(r);
	return rc;
}

static int
add_tx(struct store_txn *tx, void *arg)
{
	struct generic	*g = arg;
	struct record	*r = record_new(g->kind);
	int		 rc;

	record_set(r, FI_NAME, g->name);
	if ((rc = cmd_apply_fields(g->c, g->a, tx, r)) == 0 &&
	    (g->init == NULL || (rc = g->init(g->c, tx, r, g->init_arg)) == 0) &&
	    (rc = store_put(tx, r)) == 0)
		ctx_set_result(g->c, "added %s %s (id %" PRIu64 ")",
		    kind_def(g->kind)->name, g->name, r->id);
	record_free(r);
	return rc;
}

/* Runs one generic change and confirms it as "<kind> NAME <done>". */
static int
generic_run(struct ctx *c, struct cmd_args *a, store_write_fn fn,
    cmd_init_fn init, void *init_arg, cmd_check_fn check, const char *done)
{
	struct generic	 g = { c, a, cmd_kind(c), arg_str(a, "name"), init,
			    init_arg, check };
	const char	*rename = arg_str(a, "rename");
	int		 rc;

	if ((rc = ctx_write(c, fn, &g)) != 0)
		return rc;
	ctx_info(c, "%s %s %s", kind_def(g.kind)->name,
	    fn == set_tx && rename != NULL ? rename : g.name, done);
	return 0;
}

int
cmd_add(struct ctx *c, struct cmd_args *a, cmd_init_fn init, void *arg)
{
	return generic_run(c, a, add_tx, init, arg, NULL, "added");
}

int
cmd_set(struct ctx *c, struct cmd_args *a, cmd_check_fn check)
{
	return generic_run(c, a, set_tx, NULL, NULL, check, "changed");
}

/*
 * Asks before a destructive remove, once the record is known to exist, so
 * that the question is never about something that is not there.
 */
static int
remove_confirm(struct ctx *c, struct cmd_args *a)
{
	struct store		*st;
	struct store_txn	*tx;
	struct record		*r = NULL;
	enum kind		 kind = cmd_kind(c);
	char			*what;
	int			 rc;

	if (!(c->entry->flags & CMD_DESTRUCTIVE) || c->confirmed)
		return 0;
	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	rc = view_lookup(c, tx, kind, arg_str(a, "name"), &r);
	record_free(r);
	store_txn_end(tx);
	if (rc != 0)
		return rc;
	what = xasprintf("remove %s %s%s", kind_def(kind)->name,
	    arg_str(a, "name"), arg_flag(a, "force") ?
	    " (--force: even if others refer to it)" : "");
	rc = ctx_confirm(c, what);
	free(what);
	return rc;
}

int
cmd_remove(struct ctx *c, struct cmd_args *a, cmd_check_fn check)
{
	int	rc;

	if ((rc = remove_confirm(c, a)) != 0)
		return rc;
	return generic_run(c, a, remove_tx, NULL, NULL, check, "removed");
}

int
cmd_generic_add(struct ctx *c, struct cmd_args *a)
{
	return cmd_add(c, a, NULL, NULL);
}

int
cmd_generic_set(struct ctx *c, struct cmd_args *a)
{
	return cmd_set(c, a, NULL);
}

int
cmd_generic_remove(struct ctx *c, struct cmd_args *a)
{
	return cmd_remove(c, a, NULL);
}

void
cmd_dry_emit(void *arg, const char *host, const char *line)
{
	struct ctx	*c = arg;

	ctx_printf(c, "%s: %s\n", host, line);
}

int
cmd_at_terminal(const struct ctx *c)
{
	return (c->interactive || c->ask != NULL) && !c->quiet &&
	    (c->emit != NULL || isatty(fileno(c->err)));
}

/* 1 while a progress line stands on the terminal, to be wiped. */
static int progress_shown;

void
cmd_progress(struct ctx *c, const char *fmt, ...)
{
	va_list	ap;

	if (!cmd_at_terminal(c))
		return;
	/* A front-end's hook gets the bare line; a terminal, its rewrite. */
	if (c->emit == NULL)
		ctx_emit(c, CTX_ERR, "\r\033[K", 4);
	va_start(ap, fmt);
	ctx_vemit(c, CTX_ERR, fmt, ap);
	va_end(ap);
	progress_shown = 1;
}

void
cmd_progress_done(struct ctx *c)
{
	if (!progress_shown)
		return;
	if (c->emit == NULL)
		ctx_emit(c, CTX_ERR, "\r\033[K", 4);
	progress_shown = 0;
}

/* How a refresh stands, for its progress line. */
struct refresh_seen {
	struct ctx	*c;
	size_t		 done;
	size_t		 n;
	size_t		 failed;
};

/* A host answered (or failed to): called by the engine, one at a time. */
static void
refresh_one_done(struct host_refresh *hr, void *arg)
{
	struct refresh_seen	*rs = arg;

	rs->done++;
	if (hr->rc != 0)
		rs->failed++;
	if (rs->done < rs->n)
		cmd_progress(rs->c, "refreshing: %zu of %zu hosts answered%s",
		    rs->done - rs->failed, rs->n, rs->failed > 0 ?
		    ", some failed" : "");
}

void
cmd_refresh(struct ctx *c, struct transport *tp, struct host_refresh *hr,
    size_t n, int ids)
{
	struct refresh_seen	rs = { c, 0, n, 0 };
	struct refresh_want	w = { 0 };

	w.store = c->store;
	w.ids = (enum refresh_ids)ids;
	w.done = refresh_one_done;
	w.arg = &rs;
	if (n > 1)
		cmd_progress(c, "refreshing %zu hosts", n);
	hostops_refresh(tp, hr, n, &w);
	cmd_progress_done(c);
}

const struct col_def cmd_facts_cols[CMD_FACTS_NCOLS] = {
	{ "host", COL_STR, 0 },
	{ "status", COL_STR, 0 },
	{ "cpus", COL_INT, 0 },
	{ "memory", COL_SIZE, 0 },
	{ "mem_free", COL_SIZE, 0 },
	{ "hv_version", COL_STR, 0 },
	{ "vms", COL_INT, 0 },
	{ "error", COL_STR, 0 },
};

void
cmd_facts_row(struct cmd_facts_row *row, const char *name,
    const struct host_refresh *hr)
{
	const struct hv_facts	*f = &hr->facts;

	memset(row->vals, 0, sizeof row->vals);
	row->vals[0] = name;
	row->vals[1] = hr->rc == 0 ? "ok" : "unreachable";
	row->vals[7] = hr->errmsg;
	if (hr->rc != 0)
		return;
	snprintf(row->cpus, sizeof row->cpus, "%d", f->cpus);
	snprintf(row->mem, sizeof row->mem, "%" PRId64, f->memory);
	snprintf(row->mfree, sizeof row->mfree, "%" PRId64, f->mem_free);
	snprintf(row->nvms, sizeof row->nvms, "%zu", hr->vms.n);
	row->vals[2] = f->cpus > 0 ? row->cpus : NULL;
	row->vals[3] = f->memory > 0 ? row->mem : NULL;
	row->vals[4] = f->mem_free >= 0 ? row->mfree : NULL;
	row->vals[5] = f->version;
	row->vals[6] = row->nvms;
}

/* The first failed call's code, after reporting every failure. */
static int
dispatch_failures(struct ctx *c, const struct dcall *dc, size_t n)
{
	size_t	i;
	int	rc = 0;

	for (i = 0; i < n; i++) {
		if (dc[i].rc == 0)
			continue;
		ctx_error(c, dc[i].rc, "%s", dc[i].errmsg != NULL ?
		    dc[i].errmsg : "failed");
		if (rc == 0)
			rc = dc[i].rc;
	}
	return rc;
}

int
cmd_dispatch(struct ctx *c, struct cmd_args *a, struct dcall *dc, size_t n,
    const char *confirm)
{
	struct transport	*tp = NULL;
	int			 rc;

	if (dispatch_prepare(dc, n) > 0)
		return dispatch_failures(c, dc, n);
	if ((rc = ctx_transport(c, &tp)) != 0)
		return ctx_error_last(c);
	if (arg_flag(a, "dry-run")) {
		/* The lines as the transport would send them. */
		dispatch_dry(tp, dc, n, cmd_dry_emit, c);
		rc = 1;
	} else if (confirm == NULL || (rc = ctx_confirm(c, confirm)) == 0) {
		dispatch_run(tp, dc, n);
		rc = dispatch_failures(c, dc, n);
	}
	return rc;
}

int
cmd_list_of_vm(struct ctx *c, struct cmd_args *a, enum kind k, int field)
{
	struct store		*st;
	struct store_txn	*tx;
	struct record		*vm = NULL;
	const char		*name = arg_str(a, "vm");
	uint64_t		 id;
	int			 rc;

	if (name == NULL)
		return view_list(c, a, k, -1, 0);
	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	rc = view_lookup(c, tx, KIND_VM, name, &vm);
	id = vm != NULL ? vm->id : 0;
	record_free(vm);
	store_txn_end(tx);
	if (rc != 0)
		return rc;
	return view_list(c, a, k, field, id);
}
