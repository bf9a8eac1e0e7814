/*
 * cmd-common.c: the generic verbs of cmd-common.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-common.h"
#include "err.h"
#include "inventory.h"
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
			rc = store_get_by_name(tx, fd->ref, 0, val, &ref);
			if (rc == ERR_NOENT)
				return err_set(ERR_NOENT, "%s '%s' not found",
				    kind_def(fd->ref)->name, val);
			if (rc != 0)
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

	rc = store_get_by_name(tx, g->kind, 0, g->name, &r);
	if (rc == ERR_NOENT)
		return err_set(ERR_NOENT, "%s '%s' not found",
		    kind_def(g->kind)->name, g->name);
	if (rc != 0)
		return rc;
	rc = inventory_remove(tx, g->kind, r->id, arg_flag(g->a, "force"));
	if (rc == 0 && g->check != NULL)
		rc = g->check(tx);
	ctx_set_result(g->c, "removed %s %s (id %" PRIu64 ")",
	    kind_def(g->kind)->name, g->name, r->id);
	record_free(r);
	return rc;
}

int
cmd_generic_remove(struct ctx *c, struct cmd_args *a)
{
	return cmd_remove(c, a, NULL);
}

int
cmd_remove(struct ctx *c, struct cmd_args *a, cmd_check_fn check)
{
	struct generic	g = { c, a, cmd_kind(c), arg_str(a, "name"), NULL,
			    NULL, check };
	int		rc;

	if ((rc = ctx_write(c, remove_tx, &g)) != 0)
		return rc;
	ctx_info(c, "%s %s removed", kind_def(g.kind)->name, g.name);
	return 0;
}

static int
set_tx(struct store_txn *tx, void *arg)
{
	struct generic	*g = arg;
	struct record	*r;
	const char	*rename = arg_str(g->a, "rename");
	int		 rc;

	rc = store_get_by_name(tx, g->kind, 0, g->name, &r);
	if (rc == ERR_NOENT)
		return err_set(ERR_NOENT, "%s '%s' not found",
		    kind_def(g->kind)->name, g->name);
	if (rc != 0)
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

int
cmd_generic_set(struct ctx *c, struct cmd_args *a)
{
	return cmd_set(c, a, NULL);
}

int
cmd_set(struct ctx *c, struct cmd_args *a, cmd_check_fn check)
{
	struct generic	g = { c, a, cmd_kind(c), arg_str(a, "name"), NULL,
			    NULL, check };
	int		rc;

	if ((rc = ctx_write(c, set_tx, &g)) != 0)
		return rc;
	ctx_info(c, "%s %s changed", kind_def(g.kind)->name,
	    arg_str(a, "rename") != NULL ? arg_str(a, "rename") : g.name);
	return 0;
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

int
cmd_generic_add(struct ctx *c, struct cmd_args *a)
{
	return cmd_add(c, a, NULL, NULL);
}

int
cmd_add(struct ctx *c, struct cmd_args *a, cmd_init_fn init, void *arg)
{
	struct generic	g = { c, a, cmd_kind(c), arg_str(a, "name"), init, arg,
			    NULL };
	int		rc;

	if ((rc = ctx_write(c, add_tx, &g)) != 0)
		return rc;
	ctx_info(c, "%s %s added", kind_def(g.kind)->name, g.name);
	return 0;
}
