/*
 * cmd-store.c: the store itself: where it is and how full, a consistency
 * check of names and indexes against the records, and a dump of everything
 * as JSON (for backups and for comparing two states).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cmd-common.h"
#include "err.h"

static int
store_info_cmd(struct ctx *c, struct cmd_args *a)
{
	struct store		*st;
	struct store_info	 si;
	char			 b1[32], b2[32];
	int			 k, rc;

	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_info(st, &si)) != 0)
		return rc;
	ctx_printf(c, "path:      %s\n", store_path(st));
	ctx_printf(c, "schema:    %d\n", si.schema);
	ctx_printf(c, "map size:  %s\n", fmt_size((int64_t)si.map_size, b1,
	    sizeof b1));
	ctx_printf(c, "used:      %s\n", fmt_size((int64_t)si.used, b2,
	    sizeof b2));
	for (k = 0; k < KIND__COUNT; k++)
		ctx_printf(c, "%-10s %zu\n", kind_def((enum kind)k)->plural,
		    si.count[k]);
	return 0;
}

static int
store_check_cmd(struct ctx *c, struct cmd_args *a)
{
	struct store	*st;
	struct buf	 report = { 0 };
	size_t		 problems = 0;
	int		 rc;

	if ((rc = ctx_store(c, &st)) != 0)
		return rc;
	if ((rc = store_check(st, &report, &problems)) != 0) {
		buf_free(&report);
		return rc;
	}
	if (report.len > 0)
		ctx_puts(c, report.data);
	buf_free(&report);
	if (problems > 0)
		return ctx_error(c, ERR_FAIL, "%zu problem%s found", problems,
		    problems == 1 ? "" : "s");
	ctx_info(c, "store is consistent");
	return 0;
}

struct dump {
	struct ctx	*c;
	int		 first;
};

/* Writes one record as a JSON object of its raw fields, id first. */
static int
dump_record(const struct record *r, void *arg)
{
	struct dump		*d = arg;
	const struct kind_def	*kd = kind_def(r->kind);
	json_t			*o = json_object(), *v;
	char			*s;
	size_t			 i;

	json_object_set_new(o, "id", json_integer((json_int_t)r->id));
	for (i = 0; i < kd->nfields; i++) {
		if (r->v[i] == NULL)
			continue;
		/* Values are checked on the way in; null marks a surprise. */
		if ((v = json_string(r->v[i])) == NULL)
			v = json_null();
		json_object_set_new(o, kd->fields[i].name, v);
	}
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	ctx_printf(d->c, "%s\n  %s", d->first ? "" : ",", s != NULL ? s : "{}");
	d->first = 0;
	free(s);
	json_decref(o);
	return 0;
}

static int
store_dump_cmd(struct ctx *c, struct cmd_args *a)
{
	struct store		*st;
	struct store_txn	*tx;
	struct dump		 d = { c, 1 };
	int			 k, rc;

	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	ctx_printf(c, "{\"schema\": %d", SCHEMA_VERSION);
	for (k = 0; k < KIND__COUNT && rc == 0; k++) {
		ctx_printf(c, ",\n\"%s\": [", kind_def((enum kind)k)->name);
		d.first = 1;
		rc = store_iter_id(tx, (enum kind)k, 0, dump_record, &d);
		ctx_puts(c, "]");
	}
	ctx_puts(c, "}\n");
	store_txn_end(tx);
	return rc;
}

static const struct cmd_opt no_opts[] = { { NULL } };

const struct cmd_entry cmd_store_info = {
	"store", "info", NULL, no_opts, 0,
	"where the store is, its size and what it holds", NULL, store_info_cmd
};
const struct cmd_entry cmd_store_check = {
	"store", "check", NULL, no_opts, 0,
	"verify that names and indexes match the records", NULL,
	store_check_cmd
};
const struct cmd_entry cmd_store_dump = {
	"store", "dump", NULL, no_opts, CMD_ADMIN,
	"write every record as JSON", NULL, store_dump_cmd
};
