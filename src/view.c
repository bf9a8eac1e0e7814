/*
 * view.c: the generic list and show of any kind, and the small pieces every
 * command file needs to present records (reference names, tags).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "filter.h"
#include "name.h"
#include "view.h"

#define VIEW_BUCKETS 1024

struct view_ent {
	enum kind	 kind;
	uint64_t	 id;
	char		*name;		/* NULL: no such record */
	struct view_ent	*next;
};

struct view {
	struct store_txn	*tx;
	struct view_ent		*b[VIEW_BUCKETS];
	char			 idbuf[24];
};

static enum col_type
col_type_of(enum ftype t)
{
	switch (t) {
	case FT_INT:
		return COL_INT;
	case FT_SIZE:
		return COL_SIZE;
	case FT_TIME:
		return COL_TIME;
	default:
		return COL_STR;
	}
}

size_t
view_cols(const struct kind_def *kd, struct col_def *cols)
{
	size_t	i;

	cols[0].name = "id";
	cols[0].type = COL_INT;
	cols[0].flags = 0;
	for (i = 0; i < kd->nfields; i++) {
		cols[i + 1].name = kd->fields[i].name;
		cols[i + 1].type = col_type_of(kd->fields[i].type);
		/* Every kind's "state" is a word a shell may colour. */
		cols[i + 1].flags = strcmp(kd->fields[i].name, "state") == 0 ?
		    COL_STATE : 0;
	}
	return kd->nfields + 1;
}

const char *
view_defaults(enum kind k)
{
	static char		 cache[KIND__COUNT][512];
	const struct kind_def	*kd = kind_def(k);
	size_t			 i, off = 0;
	char			*s = cache[k];

	if (s[0] != '\0')
		return s;
	if (k == KIND_AUDIT)
		off += (size_t)snprintf(s, sizeof cache[k], "id");
	for (i = 0; i < kd->nfields && off < sizeof cache[k]; i++) {
		if (!(kd->fields[i].flags & F_DEFAULT))
			continue;
		off += (size_t)snprintf(s + off, sizeof cache[k] - off, "%s%s",
		    off > 0 ? "," : "", kd->fields[i].name);
	}
	return s;
}

struct view *
view_new(struct store_txn *tx)
{
	struct view	*v = xcalloc(1, sizeof *v);

	v->tx = tx;
	return v;
}

void
view_free(struct view *v)
{
	struct view_ent	*e, *next;
	size_t		 i;

	if (v == NULL)
		return;
	for (i = 0; i < VIEW_BUCKETS; i++) {
		for (e = v->b[i]; e != NULL; e = next) {
			next = e->next;
			free(e->name);
			free(e);
		}
	}
	free(v);
}

const char *
view_ref_name(struct view *v, enum kind k, uint64_t id)
{
	struct view_ent	*e;
	struct record	*r = NULL;
	size_t		 h = (size_t)((id * 0x9E3779B97F4A7C15ULL) >> 54) %
	    VIEW_BUCKETS;

	for (e = v->b[h]; e != NULL; e = e->next) {
		if (e->kind == k && e->id == id)
			return e->name;
	}
	e = xcalloc(1, sizeof *e);
	e->kind = k;
	e->id = id;
	if (store_get(v->tx, k, id, &r) == 0 && record_get(r, FI_NAME) != NULL)
		e->name = xstrdup(record_get(r, FI_NAME));
	record_free(r);
	e->next = v->b[h];
	v->b[h] = e;
	return e->name;
}

void
view_vals(struct view *v, const struct record *r, const char **vals)
{
	const struct kind_def	*kd = kind_def(r->kind);
	size_t			 i;
	int64_t			 id;

	snprintf(v->idbuf, sizeof v->idbuf, "%" PRIu64, r->id);
	vals[0] = v->idbuf;
	for (i = 0; i < kd->nfields; i++) {
		const char	*val = r->v[i];

		if (val != NULL && kd->fields[i].type == FT_REF) {
			if (parse_i64(val, &id) == 0 && id > 0)
				val = view_ref_name(v, kd->fields[i].ref,
				    (uint64_t)id);
			else
				val = NULL;
		}
		vals[i + 1] = val;
	}
}

struct list_state {
	struct listing	*l;
	struct view	*v;
	const char	*vals[RECORD_MAXFIELDS + 1];
	struct record	**held;
	size_t		 nheld;
};

static int
list_row(const struct record *r, void *arg)
{
	struct list_state	*ls = arg;

	view_vals(ls->v, r, ls->vals);
	return listing_row(ls->l, ls->vals);
}

static int
hold_row(const struct record *r, void *arg)
{
	struct list_state	*ls = arg;

	ls->held = xreallocarray(ls->held, ls->nheld + 1, sizeof *ls->held);
	ls->held[ls->nheld++] = record_dup(r);
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	const struct record	*ra = *(struct record *const *)a;
	const struct record	*rb = *(struct record *const *)b;
	const char		*na = record_get(ra, FI_NAME);
	const char		*nb = record_get(rb, FI_NAME);

	return strcmp(na != NULL ? na : "", nb != NULL ? nb : "");
}

struct recent {
	struct list_state	*ls;
	size_t			 limit;
};

static int
hold_recent(const struct record *r, void *arg)
{
	struct recent	*rc = arg;

	hold_row(r, rc->ls);
	return rc->ls->nheld >= rc->limit;
}

/* Lists in id order; with a limit, only the newest that many. */
static int
list_recent(struct store_txn *tx, enum kind k, size_t limit,
    struct list_state *ls)
{
	struct recent	rec = { ls, limit };
	size_t		i;
	int		rc;

	if (limit == 0)
		return store_iter_id(tx, k, 0, list_row, ls);
	rc = store_iter_id(tx, k, 1, hold_recent, &rec);
	if (rc < 0)
		return rc;
	for (i = ls->nheld; i > 0; i--) {
		if ((rc = list_row(ls->held[i - 1], ls)) != 0)
			return rc;
	}
	return 0;
}

/*
 * Picks an index for the listing: the restriction the command asked for, or
 * an indexed reference the filter pins to one name. Returns 1 and sets
 * field/id when one applies, 0 to scan, -1 when the pinned name does not
 * exist (nothing can match).
 */
static int
pick_index(struct store_txn *tx, const struct kind_def *kd,
    const struct filter *f, int *field, uint64_t *id)
{
	struct record	*ref = NULL;
	const char	*want;
	size_t		 i;

	if (f == NULL)
		return 0;
	for (i = 0; i < kd->nfields; i++) {
		if (!(kd->fields[i].flags & F_INDEXED))
			continue;
		if ((want = filter_eq(f, kd->fields[i].name)) == NULL)
			continue;
		if (store_get_by_name(tx, kd->fields[i].ref, 0, want, &ref) != 0)
			return -1;
		*field = (int)i;
		*id = ref->id;
		record_free(ref);
		return 1;
	}
	return 0;
}

int
view_list(struct ctx *c, const struct cmd_args *a, enum kind k,
    int restrict_field, uint64_t restrict_id)
{
	const struct kind_def	*kd = kind_def(k);
	struct col_def		 cols[RECORD_MAXFIELDS + 1];
	struct list_state	 ls = { 0 };
	struct store		*st;
	struct store_txn	*tx = NULL;
	size_t			 ncols, i;
	int			 rc, use;

	ncols = view_cols(kd, cols);
	rc = listing_new(ctx_out_write, c, cols, ncols, view_defaults(k),
	    arg_list_opts(a), &ls.l);
	if (rc != 0)
		return ctx_error(c, rc, "%s", err_msg());
	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		goto out;
	ls.v = view_new(tx);
	if (restrict_field >= 0)
		use = 1;
	else
		use = pick_index(tx, kd, listing_filter(ls.l), &restrict_field,
		    &restrict_id);
	if (use == 0 && !(kd->fields[FI_NAME].flags & F_REQUIRED)) {
		/* Unnamed records (audit events) list in the order they came. */
		rc = list_recent(tx, k, (size_t)arg_i64(a, "limit", 0), &ls);
	} else if (use == 0) {
		rc = store_iter(tx, k, list_row, &ls);
	} else if (use > 0) {
		/* The index gives id order; sort to match a full list's order. */
		rc = store_iter_ref(tx, k, restrict_field, restrict_id,
		    hold_row, &ls);
		if (rc == 0 && ls.nheld > 1)
			qsort(ls.held, ls.nheld, sizeof *ls.held, by_name);
		for (i = 0; rc == 0 && i < ls.nheld; i++)
			rc = list_row(ls.held[i], &ls);
	}
out:
	for (i = 0; i < ls.nheld; i++)
		record_free(ls.held[i]);
	free(ls.held);
	if (listing_end(ls.l) != 0 && rc == 0)
		rc = err_set(ERR_IO, "cannot write the output");
	view_free(ls.v);
	store_txn_end(tx);
	return rc;
}

int
view_show(struct ctx *c, const struct cmd_args *a, struct store_txn *tx,
    const struct record *r)
{
	const struct kind_def	*kd = kind_def(r->kind);
	struct col_def		 cols[RECORD_MAXFIELDS + 1];
	const char		*vals[RECORD_MAXFIELDS + 1];
	struct view		*v = view_new(tx);
	size_t			 ncols;
	int			 rc;

	ncols = view_cols(kd, cols);
	view_vals(v, r, vals);
	rc = listing_show(ctx_out_write, c, cols, ncols, vals, arg_list_opts(a));
	view_free(v);
	if (rc != 0)
		return ctx_error(c, rc, "%s", err_msg());
	return 0;
}

int
view_find(struct store_txn *tx, enum kind k, const char *name,
    struct record **out)
{
	int	rc;

	*out = NULL;
	rc = store_get_by_name(tx, k, 0, name, out);
	if (rc == ERR_NOENT)
		return err_set(ERR_NOENT, "%s '%s' not found",
		    kind_def(k)->name, name);
	return rc;
}

int
view_lookup(struct ctx *c, struct store_txn *tx, enum kind k,
    const char *name, struct record **out)
{
	if (view_find(tx, k, name, out) != 0)
		return ctx_error_last(c);
	return 0;
}

int
records_hold(const struct record *r, void *arg)
{
	struct records	*rs = arg;

	rs->v = xreallocarray(rs->v, rs->n + 1, sizeof *rs->v);
	rs->v[rs->n++] = record_dup(r);
	return 0;
}

void
records_free(struct records *rs)
{
	size_t	i;

	for (i = 0; i < rs->n; i++)
		record_free(rs->v[i]);
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}

/* A tag value: printable ASCII without ',' or '=', at most 128 bytes. */
static int
tag_value_ok(const char *v)
{
	size_t	n = 0;

	for (; *v != '\0'; v++, n++) {
		if (*v <= ' ' || *v > '~' || *v == ',' || *v == '=')
			return 0;
	}
	return n <= 128;
}

/* Removes key from the "k=v,k=v" list in b, if there. */
static void
tags_drop(struct buf *b, const char *key)
{
	struct buf	 nb = { 0 };
	char		*save = NULL, *tok, *copy;
	size_t		 klen = strlen(key);

	copy = xstrdup(b->data != NULL ? b->data : "");
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (strncmp(tok, key, klen) == 0 && tok[klen] == '=')
			continue;
		if (nb.len > 0)
			buf_addc(&nb, ',');
		buf_addstr(&nb, tok);
	}
	free(copy);
	buf_free(b);
	*b = nb;
}

/* Orders "k=v" tags by key alone: '-', '.' and digits sort before '='. */
static int
cmp_tag(const void *a, const void *b)
{
	const char	*ta = *(char *const *)a, *tb = *(char *const *)b;
	size_t		 la = strcspn(ta, "="), lb = strcspn(tb, "=");
	int		 c = strncmp(ta, tb, la < lb ? la : lb);

	if (c != 0)
		return c;
	return la < lb ? -1 : la > lb;
}

int
view_tags(struct record *r, int field, char *const *set, int nset,
    char *const *unset, int nunset)
{
	struct buf	 b = { 0 };
	char		*key, *copy, *save = NULL, *tok, **v = NULL;
	const char	*eq;
	size_t		 nv = 0, i;
	int		 k, rc = 0;

	if (record_get(r, field) != NULL)
		buf_addstr(&b, record_get(r, field));
	for (k = 0; k < nunset; k++)
		tags_drop(&b, unset[k]);
	for (k = 0; k < nset; k++) {
		if ((eq = strchr(set[k], '=')) == NULL) {
			rc = err_set(ERR_USAGE, "tag '%s' is not KEY=VALUE",
			    set[k]);
			goto out;
		}
		key = xstrndup(set[k], (size_t)(eq - set[k]));
		if (name_check("tag", key) != 0 || !tag_value_ok(eq + 1)) {
			rc = err_set(ERR_USAGE, "tag '%s' is not KEY=VALUE with "
			    "a name as key and printable ASCII without ',' or "
			    "'=' as value", set[k]);
			free(key);
			goto out;
		}
		tags_drop(&b, key);
		if (b.len > 0)
			buf_addc(&b, ',');
		buf_addstr(&b, set[k]);
		free(key);
	}
	/* Keep tags sorted so that equal sets compare equal. */
	copy = xstrdup(b.data != NULL ? b.data : "");
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		v = xreallocarray(v, nv + 1, sizeof *v);
		v[nv++] = tok;
	}
	if (nv > 1)
		qsort(v, nv, sizeof *v, cmp_tag);
	buf_reset(&b);
	for (i = 0; i < nv; i++) {
		if (i > 0)
			buf_addc(&b, ',');
		buf_addstr(&b, v[i]);
	}
	record_set(r, field, b.len > 0 ? b.data : NULL);
	free(v);
	free(copy);
out:
	buf_free(&b);
	return rc;
}
