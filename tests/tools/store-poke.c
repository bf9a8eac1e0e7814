/*
 * store-poke.c: damages a store on purpose, for end-to-end tests of the
 * checks that must catch damage. It writes with LMDB directly, bypassing the
 * store layer, as a newer hvsh or a crash in the middle of a bug would.
 *
 *   store-poke DIR schema N            set meta "schema" to N
 *   store-poke DIR drop-name KIND NAME delete the name-index entry of NAME
 */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

static void
usage(void)
{
	fputs("usage: store-poke DIR schema N\n"
	    "       store-poke DIR drop-name KIND NAME\n", stderr);
	exit(1);
}

static void
fail(const char *what, int mrc)
{
	fprintf(stderr, "store-poke: %s: %s\n", what, mdb_strerror(mrc));
	exit(1);
}

/* Deletes the first name entry (in any scope) whose name part is name. */
static int
drop_name(MDB_txn *txn, MDB_dbi dbi, const char *name)
{
	MDB_cursor	*c;
	MDB_val		 k, v;
	size_t		 n = strlen(name);
	int		 mrc, found = 0;

	if ((mrc = mdb_cursor_open(txn, dbi, &c)) != 0)
		fail("cursor", mrc);
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0;
	    mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size == 8 + n &&
		    memcmp((char *)k.mv_data + 8, name, n) == 0) {
			if ((mrc = mdb_cursor_del(c, 0)) != 0)
				fail("delete", mrc);
			found = 1;
			break;
		}
	}
	mdb_cursor_close(c);
	return found;
}

int
main(int argc, char **argv)
{
	const struct kind_def	*kd;
	MDB_env			*env;
	MDB_txn			*txn;
	MDB_dbi			 dbi;
	MDB_val			 k, v;
	char			 db[128];
	int			 mrc;

	if (argc < 3)
		usage();
	if ((mrc = mdb_env_create(&env)) != 0)
		fail("env", mrc);
	mdb_env_set_maxdbs(env, 128);
	if ((mrc = mdb_env_open(env, argv[1], MDB_NOTLS, 0600)) != 0)
		fail(argv[1], mrc);
	if ((mrc = mdb_txn_begin(env, NULL, 0, &txn)) != 0)
		fail("begin", mrc);
	if (strcmp(argv[2], "schema") == 0 && argc == 4) {
		if ((mrc = mdb_dbi_open(txn, "meta", MDB_CREATE, &dbi)) != 0)
			fail("meta", mrc);
		k.mv_data = "schema";
		k.mv_size = 6;
		v.mv_data = argv[3];
		v.mv_size = strlen(argv[3]);
		if ((mrc = mdb_put(txn, dbi, &k, &v, 0)) != 0)
			fail("put", mrc);
	} else if (strcmp(argv[2], "drop-name") == 0 && argc == 5) {
		if ((kd = kind_by_name(argv[3])) == NULL) {
			fprintf(stderr, "store-poke: no kind '%s'\n", argv[3]);
			return 1;
		}
		snprintf(db, sizeof db, "%s.name", kd->name);
		if ((mrc = mdb_dbi_open(txn, db, 0, &dbi)) != 0)
			fail(db, mrc);
		if (!drop_name(txn, dbi, argv[4])) {
			fprintf(stderr, "store-poke: no %s named '%s'\n",
			    kd->name, argv[4]);
			return 1;
		}
	} else
		usage();
	if ((mrc = mdb_txn_commit(txn)) != 0)
		fail("commit", mrc);
	mdb_env_close(env);
	return 0;
}
