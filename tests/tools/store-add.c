/*
 * store-add.c: adds one record of any kind through the store API, for
 * end-to-end tests that need records no command makes on its own (an
 * instance made from an image, a disk made from it, a captured image).
 *
 *   store-add DIR KIND NAME [FIELD=VALUE...]
 *
 * A reference field takes the name of the record it refers to.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "store.h"

struct add {
	const struct kind_def	 *kd;
	const char		 *name;
	char			**sets;
	int			  nsets;
};

/* Builds the record inside the transaction so that a rerun is clean. */
static int
add_fn(struct store_txn *t, void *arg)
{
	struct add		*a = arg;
	struct record		*r = record_new(a->kd->kind), *ref;
	const struct field_def	*fd;
	char			*eq;
	int			 i, f, rc = 0;

	record_set(r, FI_NAME, a->name);
	for (i = 0; i < a->nsets && rc == 0; i++) {
		if ((eq = strchr(a->sets[i], '=')) == NULL) {
			rc = err_set(ERR_INVAL, "%s: want FIELD=VALUE",
			    a->sets[i]);
			break;
		}
		*eq = '\0';
		f = kind_field(a->kd, a->sets[i]);
		*eq = '=';
		if (f < 0) {
			rc = err_set(ERR_INVAL, "%s: no such field", a->sets[i]);
			break;
		}
		fd = &a->kd->fields[f];
		if (fd->type == FT_REF) {
			ref = NULL;
			rc = store_get_by_name(t, fd->ref, 0, eq + 1, &ref);
			if (rc == 0)
				record_setf(r, f, "%" PRIu64, ref->id);
			record_free(ref);
		} else
			record_set(r, f, eq + 1);
	}
	if (rc == 0)
		rc = store_put(t, r);
	record_free(r);
	return rc;
}

int
main(int argc, char **argv)
{
	struct store	*st = NULL;
	struct add	 a;
	int		 rc = 1;

	if (argc < 4 || (a.kd = kind_by_name(argv[2])) == NULL) {
		fputs("usage: store-add DIR KIND NAME [FIELD=VALUE...]\n",
		    stderr);
		return 1;
	}
	a.name = argv[3];
	a.sets = argv + 4;
	a.nsets = argc - 4;
	if (store_open(argv[1], 0, &st) == 0 &&
	    store_write(st, add_fn, &a) == 0)
		rc = 0;
	if (rc != 0)
		fprintf(stderr, "store-add: %s\n", err_msg());
	store_close(st);
	return rc;
}
