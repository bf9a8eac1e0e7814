/*
 * store-fixture.h: the fixture of unit tests that need a real store: a
 * private temporary directory holding a new store, a fixed clock, and its
 * removal afterwards. Included by test files as their setup and teardown.
 */
#ifndef HVSH_STORE_FIXTURE_H
#define HVSH_STORE_FIXTURE_H

#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "err.h"
#include "record.h"
#include "store.h"
#include "util.h"

struct fix {
	char		 dir[64];
	char		*sdir;		/* the store: a subdirectory of dir */
	struct store	*st;
};

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		chmod(path, 0700);
	return remove(path);
}

/* Removes dir and everything below it, read-only parts included. */
static void
rm_rf(const char *dir)
{
	chmod(dir, 0700);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int
setup(void **state)
{
	struct fix	*fx = calloc(1, sizeof *fx);

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/hvsh-unit.XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	fx->sdir = xasprintf("%s/store", fx->dir);
	setenv("HVSH_FAKE_TIME", "1700000000", 1);
	unsetenv("HVSH_MAPSIZE");
	if (store_open(fx->sdir, 0, &fx->st) != 0) {
		fprintf(stderr, "store_open: %s\n", err_msg());
		return -1;
	}
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fix	*fx = *state;

	store_close(fx->st);
	rm_rf(fx->dir);
	free(fx->sdir);
	free(fx);
	return 0;
}

static inline int
fix_put_fn(struct store_txn *t, void *arg)
{
	return store_put(t, arg);
}

/* Writes r (new: it gets its id) and frees it; its id. */
static inline uint64_t
fix_add(struct store *st, struct record *r)
{
	uint64_t	id;

	assert_int_equal(store_write(st, fix_put_fn, r), 0);
	id = r->id;
	record_free(r);
	return id;
}

#endif
