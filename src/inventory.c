/*
 * inventory.c: cross-kind rules on top of the store. The schema says which
 * fields refer to which kinds; these functions walk those declarations, so a
 * new reference field is covered without code here.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "inventory.h"
#include "util.h"

int
inventory_refs(struct store_txn *tx, enum kind k, uint64_t id, size_t *total,
    struct buf *desc)
{
	const struct kind_def	*kd;
	size_t			 n, i;
	int			 rk, rc;

	*total = 0;
	for (rk = 0; rk < KIND__COUNT; rk++) {
		kd = kind_def((enum kind)rk);
		for (i = 0; i < kd->nfields; i++) {
			if (!(kd->fields[i].flags & F_INDEXED) ||
			    kd->fields[i].ref != k)
				continue;
			rc = store_count_ref(tx, (enum kind)rk, (int)i, id, &n);
			if (rc != 0)
				return rc;
			if (n == 0)
				continue;
			*total += n;
			if (desc != NULL)
				buf_printf(desc, "%s%zu %s", desc->len > 0 ?
				    ", " : "", n, n == 1 ? kd->name :
				    kd->plural);
		}
	}
	return 0;
}

struct ids {
	uint64_t	*v;
	size_t		 n;
};

static int
collect(const struct record *r, void *arg)
{
	struct ids	*ids = arg;

	ids->v = xreallocarray(ids->v, ids->n + 1, sizeof *ids->v);
	ids->v[ids->n++] = r->id;
	return 0;
}

/* Clears or removes every record referring to (k, id) through field i of rk. */
static int
release(struct store_txn *tx, enum kind rk, size_t field, uint64_t id)
{
	const struct kind_def	*kd = kind_def(rk);
	struct ids		 ids = { 0 };
	struct record		*r;
	size_t			 j;
	int			 rc;

	/* Collect first: the index changes under the updates. */
	if ((rc = store_iter_ref(tx, rk, (int)field, id, collect, &ids)) != 0)
		goto out;
	for (j = 0; j < ids.n; j++) {
		if (kd->fields[field].flags & F_REQUIRED) {
			rc = inventory_remove(tx, rk, ids.v[j], 1);
		} else {
			if ((rc = store_get(tx, rk, ids.v[j], &r)) != 0)
				goto out;
			record_set(r, (int)field, NULL);
			if (rk == KIND_VOLUME && field == VOLUME_VM)
				record_set(r, VOLUME_STATE, "available");
			rc = store_put(tx, r);
			record_free(r);
		}
		if (rc != 0)
			goto out;
	}
out:
	free(ids.v);
	return rc;
}

int
inventory_remove(struct store_txn *tx, enum kind k, uint64_t id, int force)
{
	const struct kind_def	*kd;
	struct record		*r = NULL;
	struct buf		 desc = { 0 };
	size_t			 total, i;
	int			 rk, rc;

	if ((rc = store_get(tx, k, id, &r)) != 0)
		return rc;
	if ((rc = inventory_refs(tx, k, id, &total, &desc)) != 0)
		goto out;
	if (total > 0 && !force) {
		rc = err_set(ERR_BUSY, "%s '%s' is used by %s (use --force to "
		    "remove it anyway)", kind_def(k)->name,
		    record_get(r, FI_NAME), desc.data);
		goto out;
	}
	for (rk = 0; total > 0 && rk < KIND__COUNT; rk++) {
		kd = kind_def((enum kind)rk);
		for (i = 0; i < kd->nfields; i++) {
			if (!(kd->fields[i].flags & F_INDEXED) ||
			    kd->fields[i].ref != k)
				continue;
			if ((rc = release(tx, (enum kind)rk, i, id)) != 0)
				goto out;
		}
	}
	rc = store_del(tx, k, id);
out:
	buf_free(&desc);
	record_free(r);
	return rc;
}
