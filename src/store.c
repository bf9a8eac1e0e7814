/*
 * store.c: the LMDB store behind store.h. Every record lives in its kind's
 * database under a big-endian id, so byte order is id order; the name and
 * ref indexes are kept in step by store_put and store_del inside the
 * caller's transaction, and store_check verifies that they still are.
 *
 * Map growth: LMDB fails a write with MDB_MAP_FULL instead of growing, and
 * the map may only be resized while this process has no transaction open.
 * store_write therefore aborts, grows and reruns the whole transaction, and
 * the store counts its open transactions so that it never remaps under one.
 */
#include <sys/stat.h>
#include <sys/vfs.h>

#include <errno.h>
#include <inttypes.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "store.h"

#define MAP_INITIAL	((size_t)64 << 20)
#define MAP_LIMIT	((size_t)1 << 40)
#define MAX_READERS	126
#define ID_LEN		8
/* LMDB's default key limit; a name key is the scope id and the name. */
#define KEY_MAX		511
#define NAME_MAX_BYTES	(KEY_MAX - ID_LEN)
/* Attempts at a transaction after MDB_MAP_RESIZED before giving up. */
#define RESIZE_TRIES	4

struct store {
	MDB_env		*env;
	char		*dir;
	int		 flags;
	int		 schema;
	pid_t		 pid;		/* the env is not usable after fork */
	MDB_dbi		 meta;
	MDB_dbi		 db[KIND__COUNT];
	MDB_dbi		 name[KIND__COUNT];
	MDB_dbi		 idx[KIND__COUNT][RECORD_MAXFIELDS];
	pthread_mutex_t	 lock;		/* guards ntxn and remapping */
	int		 ntxn;		/* transactions open in this process */
};

struct store_txn {
	struct store	*st;
	MDB_txn		*txn;
	int		 mapfull;	/* a write hit MDB_MAP_FULL */
	int		 write;		/* lives on store_write's stack */
	struct buf	 enc;		/* scratch for encoding records */
};

/*
 * Migrations: migrations[v] turns a store of schema v into schema v + 1
 * inside the open transaction. Schema 1 is the first, so there are none yet;
 * to add one, bump SCHEMA_VERSION and add "[1] = migrate_1_to_2,".
 */
typedef int (*store_migration)(struct store_txn *);
static const store_migration migrations[SCHEMA_VERSION] = {
	NULL,		/* 0 -> 1: stores start at 1 */
};

static void
be64_put(uint8_t *p, uint64_t v)
{
	int	i;

	for (i = 7; i >= 0; i--) {
		p[i] = v & 0xff;
		v >>= 8;
	}
}

static uint64_t
be64_get(const void *data)
{
	const uint8_t	*p = data;
	uint64_t	 v = 0;
	int		 i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Parses a reference: decimal digits only, no sign or spaces. */
static int
parse_id(const char *s, uint64_t *out)
{
	uint64_t	v = 0;
	const char	*p;

	if (s == NULL || *s == '\0')
		return -1;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	return 0;
}

static int
field_is_indexed(const struct field_def *fd)
{
	return (fd->flags & F_INDEXED) != 0 && fd->type == FT_REF;
}

/* Sets the message for an LMDB failure, noting MDB_MAP_FULL for the retry. */
static int
txn_fail(struct store_txn *t, int mrc, const char *what)
{
	if (mrc == MDB_MAP_FULL && t != NULL)
		t->mapfull = 1;
	if (mrc == EACCES)
		return err_set(ERR_PERM, "store: cannot %s: the store is open "
		    "read-only", what);
	return err_set(ERR_IO, "store: cannot %s: %s", what, mdb_strerror(mrc));
}

static int
store_forked(const struct store *st)
{
	if (st->pid != getpid())
		return err_set(ERR_IO, "store at %s was opened before fork() "
		    "and cannot be used in the child", st->dir);
	return 0;
}

int
store_fs_is_remote(long f_type)
{
	switch ((unsigned long)f_type & 0xffffffffUL) {
	case 0x6969:		/* NFS */
	case 0xff534d42:	/* CIFS */
	case 0xfe534d42:	/* SMB2 */
	case 0x517b:		/* SMB */
		return 1;
	}
	return 0;
}

static const char *
remote_fs_name(long f_type)
{
	return ((unsigned long)f_type & 0xffffffffUL) == 0x6969 ? "NFS" :
	    "CIFS/SMB";
}

/*
 * Creates dir and its parents with mode 0700. A component that already
 * exists as a directory is fine whatever mkdir said, since mkdir may report
 * EACCES or EROFS for an existing path.
 */
static int
mkdir_p(const char *dir)
{
	struct stat	 sb;
	char		*path, *p;
	int		 rc = 0, saved;

	path = xstrdup(dir);
	for (p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] != '/') {
			char	c = *p;

			*p = '\0';
			if (mkdir(path, 0700) == -1 && errno != EEXIST) {
				saved = errno;
				if (stat(path, &sb) == -1 ||
				    !S_ISDIR(sb.st_mode)) {
					rc = err_set(saved == EACCES ||
					    saved == EROFS || saved == EPERM ?
					    ERR_PERM : ERR_IO, "cannot create "
					    "store directory %s: %s", path,
					    strerror(saved));
					goto out;
				}
			}
			*p = c;
		}
		if (*p == '\0')
			break;
	}
out:
	free(path);
	return rc;
}

static int
dbi_open(struct store *st, MDB_txn *txn, const char *name, unsigned flags,
    MDB_dbi *dbi)
{
	int	mrc;

	if ((st->flags & STORE_RDONLY) == 0)
		flags |= MDB_CREATE;
	if ((mrc = mdb_dbi_open(txn, name, flags, dbi)) != 0) {
		if (mrc == MDB_NOTFOUND)
			return err_set(ERR_IO, "store at %s lacks database "
			    "'%s'", st->dir, name);
		return err_set(ERR_IO, "store at %s: cannot open database "
		    "'%s': %s", st->dir, name, mdb_strerror(mrc));
	}
	return 0;
}

/* Opens every named database; handles outlive the txn once it commits. */
static int
open_dbis(struct store *st, MDB_txn *txn)
{
	const struct kind_def	*kd;
	char			 name[128];
	size_t			 k, f;
	int			 rc;

	for (k = 0; k < KIND__COUNT; k++) {
		kd = kind_def((enum kind)k);
		if ((rc = dbi_open(st, txn, kd->name, 0, &st->db[k])) != 0)
			return rc;
		snprintf(name, sizeof name, "%s.name", kd->name);
		if ((rc = dbi_open(st, txn, name, 0, &st->name[k])) != 0)
			return rc;
		for (f = 0; f < kd->nfields && f < RECORD_MAXFIELDS; f++) {
			if (!field_is_indexed(&kd->fields[f]))
				continue;
			snprintf(name, sizeof name, "%s.%s", kd->name,
			    kd->fields[f].name);
			if ((rc = dbi_open(st, txn, name,
			    MDB_DUPSORT | MDB_DUPFIXED, &st->idx[k][f])) != 0)
				return rc;
		}
	}
	return 0;
}

static size_t
count_dbis(void)
{
	const struct kind_def	*kd;
	size_t			 k, f, n = 1;	/* meta */

	for (k = 0; k < KIND__COUNT; k++) {
		kd = kind_def((enum kind)k);
		n += 2;
		for (f = 0; f < kd->nfields; f++) {
			if (field_is_indexed(&kd->fields[f]))
				n++;
		}
	}
	return n;
}

/*
 * Reads or writes the schema version, refuses newer stores, migrates older
 * ones and opens the database handles, all in one transaction.
 */
static int
store_setup(struct store *st)
{
	struct store_txn	 t;
	MDB_txn			*txn = NULL;
	MDB_val			 k, v;
	char			 num[32];
	int64_t			 ver = SCHEMA_VERSION;
	int			 rdonly = (st->flags & STORE_RDONLY) != 0;
	int			 rc = 0, mrc, tries, fresh = 0;

	memset(&t, 0, sizeof t);
	for (tries = 0;; tries++) {
		mrc = mdb_txn_begin(st->env, NULL, rdonly ? MDB_RDONLY : 0,
		    &txn);
		if (mrc != MDB_MAP_RESIZED || tries >= RESIZE_TRIES)
			break;
		mdb_env_set_mapsize(st->env, 0);
	}
	if (mrc != 0) {
		txn = NULL;
		rc = err_set(ERR_IO, "store at %s: cannot begin transaction: %s",
		    st->dir, mdb_strerror(mrc));
		goto out;
	}
	mrc = mdb_dbi_open(txn, "meta", rdonly ? 0 : MDB_CREATE, &st->meta);
	if (mrc == MDB_NOTFOUND) {
		rc = err_set(ERR_NOENT, "no store at %s", st->dir);
		goto out;
	} else if (mrc != 0) {
		rc = err_set(ERR_IO, "store at %s: cannot open database "
		    "'meta': %s", st->dir, mdb_strerror(mrc));
		goto out;
	}
	k.mv_data = "schema";
	k.mv_size = 6;
	mrc = mdb_get(txn, st->meta, &k, &v);
	if (mrc == MDB_NOTFOUND) {
		if (rdonly) {
			rc = err_set(ERR_NOENT, "no store at %s", st->dir);
			goto out;
		}
		fresh = 1;
	} else if (mrc != 0) {
		rc = err_set(ERR_IO, "store at %s: cannot read schema: %s",
		    st->dir, mdb_strerror(mrc));
		goto out;
	} else {
		if (v.mv_size >= sizeof num)
			v.mv_size = sizeof num - 1;
		memcpy(num, v.mv_data, v.mv_size);
		num[v.mv_size] = '\0';
		if (parse_i64(num, &ver) != 0 || ver < 1) {
			rc = err_set(ERR_VERSION, "store at %s has an unreadable "
			    "schema version '%s'", st->dir, num);
			goto out;
		}
	}
	if (ver > SCHEMA_VERSION) {
		rc = err_set(ERR_VERSION, "store at %s has schema %" PRId64
		    ", newer than this hvsh reads (%d); use a newer hvsh",
		    st->dir, ver, SCHEMA_VERSION);
		goto out;
	}
	if (ver < SCHEMA_VERSION && rdonly) {
		rc = err_set(ERR_VERSION, "store at %s has schema %" PRId64
		    ", older than this hvsh (%d); open it for writing once to "
		    "upgrade it", st->dir, ver, SCHEMA_VERSION);
		goto out;
	}
	if ((rc = open_dbis(st, txn)) != 0)
		goto out;
	st->schema = (int)ver;	/* as found; compared after migrating */
	t.st = st;
	t.txn = txn;
	t.write = 1;
	for (; ver < SCHEMA_VERSION; ver++) {
		if (migrations[ver] == NULL) {
			rc = err_set(ERR_VERSION, "store at %s has schema %"
			    PRId64 ", which this hvsh cannot upgrade", st->dir,
			    ver);
			goto out;
		}
		if ((rc = migrations[ver](&t)) != 0)
			goto out;
	}
	/* Written only on change, so a plain open commits nothing. */
	if (fresh || st->schema != (int)ver) {
		snprintf(num, sizeof num, "%d", SCHEMA_VERSION);
		k.mv_data = "schema";
		k.mv_size = 6;
		v.mv_data = num;
		v.mv_size = strlen(num);
		if ((mrc = mdb_put(txn, st->meta, &k, &v, 0)) != 0) {
			rc = txn_fail(&t, mrc, "write the schema version");
			goto out;
		}
	}
	mrc = mdb_txn_commit(txn);
	txn = NULL;
	if (mrc != 0) {
		rc = err_set(ERR_IO, "store at %s: cannot commit setup: %s",
		    st->dir, mdb_strerror(mrc));
		goto out;
	}
	st->schema = (int)ver;
out:
	if (txn != NULL)
		mdb_txn_abort(txn);
	buf_free(&t.enc);
	return rc;
}

/* Maps an mdb_env_open failure to a message about the directory. */
static int
env_open_fail(const char *dir, int rdonly, int mrc)
{
	switch (mrc) {
	case ENOENT:
		return err_set(ERR_NOENT, "no store at %s", dir);
	case EACCES:
	case EROFS:
	case EPERM:
		if (rdonly)
			return err_set(ERR_PERM, "cannot read store at %s: %s",
			    dir, mdb_strerror(mrc));
		return err_set(ERR_PERM, "store directory %s is not writable: "
		    "%s", dir, mdb_strerror(mrc));
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH:
		return err_set(ERR_IO, "%s does not hold a store this hvsh "
		    "can read: %s", dir, mdb_strerror(mrc));
	}
	return err_set(ERR_IO, "cannot open store at %s: %s", dir,
	    mdb_strerror(mrc));
}

int
store_open(const char *dir, int flags, struct store **out)
{
	struct store	*st = NULL;
	struct statfs	 sfs;
	struct stat	 sb;
	MDB_envinfo	 ei;
	const char	*ms;
	char		*data = NULL;
	int64_t		 mapsize = 0;
	int		 rc, mrc, dead, rdonly = (flags & STORE_RDONLY) != 0;

	*out = NULL;
	if (dir == NULL || *dir == '\0')
		return err_set(ERR_INVAL, "no store directory given");
	if (rdonly) {
		data = xasprintf("%s/data.mdb", dir);
		if (stat(data, &sb) == -1) {
			if (errno == ENOENT || errno == ENOTDIR)
				rc = err_set(ERR_NOENT, "no store at %s", dir);
			else
				rc = err_set(errno == EACCES ? ERR_PERM : ERR_IO,
				    "cannot read store at %s: %s", dir,
				    strerror(errno));
			goto out;
		}
	} else {
		if ((rc = mkdir_p(dir)) != 0)
			goto out;
		if (stat(dir, &sb) == -1) {
			rc = err_set(ERR_IO, "store directory %s: %s", dir,
			    strerror(errno));
			goto out;
		}
		if (!S_ISDIR(sb.st_mode)) {
			rc = err_set(ERR_INVAL, "store directory %s is not a "
			    "directory", dir);
			goto out;
		}
		/*
		 * Only take permissions away: a directory made read-only on
		 * purpose must stay so, and then fail below with ERR_PERM.
		 */
		if (sb.st_uid == geteuid() && (sb.st_mode & 077) != 0)
			chmod(dir, sb.st_mode & 0700);
	}
	if (statfs(dir, &sfs) == 0 && store_fs_is_remote((long)sfs.f_type)) {
		rc = err_set(ERR_IO, "store directory %s is on %s; LMDB needs "
		    "a local filesystem", dir, remote_fs_name((long)sfs.f_type));
		goto out;
	}

	st = xcalloc(1, sizeof *st);
	st->dir = xstrdup(dir);
	st->flags = flags;
	st->pid = getpid();
	pthread_mutex_init(&st->lock, NULL);
	if ((mrc = mdb_env_create(&st->env)) != 0) {
		st->env = NULL;
		rc = err_set(ERR_IO, "cannot create LMDB environment: %s",
		    mdb_strerror(mrc));
		goto out;
	}
	mdb_env_set_maxdbs(st->env, (MDB_dbi)count_dbis());
	mdb_env_set_maxreaders(st->env, MAX_READERS);
	/* HVSH_MAPSIZE forces a size (tests of growth); else see below. */
	if ((ms = getenv("HVSH_MAPSIZE")) != NULL &&
	    parse_i64(ms, &mapsize) == 0 && mapsize > 0)
		mdb_env_set_mapsize(st->env, (size_t)mapsize);
	else
		mapsize = 0;
	mrc = mdb_env_open(st->env, dir, MDB_NOTLS | (rdonly ? MDB_RDONLY : 0),
	    0600);
	if (mrc != 0) {
		rc = env_open_fail(dir, rdonly, mrc);
		goto out;
	}
	/*
	 * Left unset, LMDB adopts the size recorded in the file, so a map
	 * grown earlier stays grown; only raise it to the initial size.
	 */
	if (mapsize == 0 && !rdonly && mdb_env_info(st->env, &ei) == 0 &&
	    ei.me_mapsize < MAP_INITIAL)
		mdb_env_set_mapsize(st->env, MAP_INITIAL);
	mdb_reader_check(st->env, &dead);
	if ((rc = store_setup(st)) != 0)
		goto out;
	*out = st;
	st = NULL;	/* transferred */
out:
	store_close(st);
	free(data);
	return rc;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->env != NULL)
		mdb_env_close(st->env);
	pthread_mutex_destroy(&st->lock);
	free(st->dir);
	free(st);
}

const char *
store_path(const struct store *st)
{
	return st->dir;
}

static void
txn_count(struct store *st, int delta)
{
	pthread_mutex_lock(&st->lock);
	st->ntxn += delta;
	pthread_mutex_unlock(&st->lock);
}

/*
 * Remaps to size (0: the size another process recorded). Refused while any
 * transaction of this process is open, since remapping would move the pages
 * that its returned data points into.
 */
static int
store_remap(struct store *st, size_t size)
{
	int	rc = 0, mrc;

	pthread_mutex_lock(&st->lock);
	if (st->ntxn > 0) {
		rc = err_set(ERR_BUSY, "store at %s must be remapped, which "
		    "cannot happen while another transaction is open", st->dir);
		goto out;
	}
	if ((mrc = mdb_env_set_mapsize(st->env, size)) != 0)
		rc = err_set(ERR_IO, "store at %s: cannot resize map: %s",
		    st->dir, mdb_strerror(mrc));
out:
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* Doubles the map, up to MAP_LIMIT. */
static int
store_grow(struct store *st)
{
	MDB_envinfo	ei;
	size_t		size;

	if (mdb_env_info(st->env, &ei) != 0)
		return err_set(ERR_IO, "store at %s: cannot read map size",
		    st->dir);
	if (ei.me_mapsize >= MAP_LIMIT)
		return err_set(ERR_IO, "store at %s is full: its map reached "
		    "the limit of 1 TiB", st->dir);
	size = ei.me_mapsize * 2;
	if (size > MAP_LIMIT)
		size = MAP_LIMIT;
	return store_remap(st, size);
}

int
store_read(struct store *st, struct store_txn **out)
{
	struct store_txn	*t;
	int			 rc = 0, mrc, tries;

	*out = NULL;
	if ((rc = store_forked(st)) != 0)
		return rc;
	t = xcalloc(1, sizeof *t);
	t->st = st;
	/* Held across begin so that no remap can slip in between. */
	pthread_mutex_lock(&st->lock);
	for (tries = 0;; tries++) {
		mrc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &t->txn);
		if (mrc != MDB_MAP_RESIZED || tries >= RESIZE_TRIES ||
		    st->ntxn > 0)
			break;
		mdb_env_set_mapsize(st->env, 0);
	}
	if (mrc == 0)
		st->ntxn++;
	pthread_mutex_unlock(&st->lock);
	if (mrc != 0) {
		if (mrc == MDB_MAP_RESIZED)
			rc = err_set(ERR_BUSY, "store at %s grew in another "
			    "process; end open transactions and retry", st->dir);
		else
			rc = err_set(ERR_IO, "store at %s: cannot begin read: "
			    "%s", st->dir, mdb_strerror(mrc));
		free(t);
		return rc;
	}
	*out = t;
	return 0;
}

void
store_txn_end(struct store_txn *t)
{
	/* Write transactions belong to store_write, which ends them. */
	if (t == NULL || t->write)
		return;
	if (t->txn != NULL) {
		mdb_txn_abort(t->txn);
		txn_count(t->st, -1);
	}
	buf_free(&t->enc);
	free(t);
}

int
store_write(struct store *st, store_write_fn fn, void *arg)
{
	struct store_txn	t;
	int			rc, mrc, resized = 0;

	if ((rc = store_forked(st)) != 0)
		return rc;
	if (st->flags & STORE_RDONLY)
		return err_set(ERR_PERM, "store at %s is open read-only",
		    st->dir);
	memset(&t, 0, sizeof t);
	t.st = st;
	t.write = 1;
	for (;;) {
		t.mapfull = 0;
		mrc = mdb_txn_begin(st->env, NULL, 0, &t.txn);
		if (mrc == MDB_MAP_RESIZED && resized++ < RESIZE_TRIES) {
			if ((rc = store_remap(st, 0)) != 0)
				goto out;
			continue;
		}
		if (mrc != 0) {
			rc = err_set(mrc == EACCES ? ERR_PERM : ERR_IO,
			    "store at %s: cannot begin write: %s", st->dir,
			    mdb_strerror(mrc));
			goto out;
		}
		txn_count(st, 1);
		rc = fn(&t, arg);
		if (rc == 0 && !t.mapfull) {
			mrc = mdb_txn_commit(t.txn);
			if (mrc == MDB_MAP_FULL)
				t.mapfull = 1;
			else if (mrc != 0)
				rc = err_set(ERR_IO, "store at %s: cannot "
				    "commit: %s", st->dir, mdb_strerror(mrc));
		} else
			mdb_txn_abort(t.txn);
		t.txn = NULL;
		txn_count(st, -1);
		if (!t.mapfull)
			break;
		/* Whatever fn returned, it ran out of room: grow, rerun. */
		if ((rc = store_grow(st)) != 0)
			break;
	}
out:
	buf_free(&t.enc);
	return rc;
}

static const struct kind_def *
kind_check(enum kind k)
{
	const struct kind_def	*kd = kind_def(k);

	if (kd == NULL)
		err_set(ERR_INVAL, "store: unknown kind %d", (int)k);
	return kd;
}

/* The scope id of r: its scope field as an id, or 0 for global names. */
static int
record_scope(const struct kind_def *kd, const struct record *r,
    uint64_t *scope)
{
	const char	*s;

	*scope = 0;
	if (kd->scope_field < 0 || (s = r->v[kd->scope_field]) == NULL)
		return 0;
	if (parse_id(s, scope) != 0)
		return err_set(ERR_INVAL, "%s field '%s' is not an id: '%s'",
		    kd->name, kd->fields[kd->scope_field].name, s);
	return 0;
}

/* Builds the name-index key into key (KEY_MAX bytes). */
static int
name_key(const struct kind_def *kd, uint64_t scope, const char *name,
    uint8_t *key, size_t *len)
{
	size_t	n = strlen(name);

	if (n > NAME_MAX_BYTES)
		return err_set(ERR_INVAL, "%s name is longer than %d bytes",
		    kd->name, NAME_MAX_BYTES);
	be64_put(key, scope);
	memcpy(key + ID_LEN, name, n);
	*len = ID_LEN + n;
	return 0;
}

/* Checks required fields and that references are ids, before any write. */
static int
record_validate(const struct kind_def *kd, const struct record *r)
{
	const struct field_def	*fd;
	uint64_t		 id;
	size_t			 f;

	for (f = 0; f < kd->nfields && f < RECORD_MAXFIELDS; f++) {
		fd = &kd->fields[f];
		if ((fd->flags & F_REQUIRED) &&
		    (r->v[f] == NULL || r->v[f][0] == '\0'))
			return err_set(ERR_INVAL, "%s field '%s' is required",
			    kd->name, fd->name);
		if (fd->type == FT_REF && r->v[f] != NULL &&
		    parse_id(r->v[f], &id) != 0)
			return err_set(ERR_INVAL, "%s field '%s' is not an id: "
			    "'%s'", kd->name, fd->name, r->v[f]);
	}
	return 0;
}

/* Reads meta "next.<kind>": the next id to hand out (1 when absent). */
static int
counter_get(struct store_txn *t, const struct kind_def *kd, char *key,
    size_t keysz, uint64_t *next)
{
	MDB_val	k, v;
	int	mrc;

	snprintf(key, keysz, "next.%s", kd->name);
	k.mv_data = key;
	k.mv_size = strlen(key);
	mrc = mdb_get(t->txn, t->st->meta, &k, &v);
	if (mrc == MDB_NOTFOUND) {
		*next = 1;
		return 0;
	}
	if (mrc != 0)
		return txn_fail(t, mrc, "read id counter");
	if (v.mv_size != ID_LEN)
		return err_set(ERR_IO, "store: id counter of %s is damaged",
		    kd->name);
	*next = be64_get(v.mv_data);
	return 0;
}

/*
 * Makes sure id is never handed out again. Assigns a new id when *id is 0;
 * otherwise (a rerun transaction, an import) raises the counter past it.
 */
static int
counter_take(struct store_txn *t, const struct kind_def *kd, uint64_t *id)
{
	MDB_val		k, v;
	char		key[64];
	uint8_t		num[ID_LEN];
	uint64_t	next;
	int		rc, mrc;

	if ((rc = counter_get(t, kd, key, sizeof key, &next)) != 0)
		return rc;
	if (*id == 0)
		*id = next;
	else if (*id < next)
		return 0;
	if (*id == UINT64_MAX)
		return err_set(ERR_IO, "store: ids of %s are exhausted",
		    kd->name);
	be64_put(num, *id + 1);
	k.mv_data = key;
	k.mv_size = strlen(key);
	v.mv_data = num;
	v.mv_size = sizeof num;
	if ((mrc = mdb_put(t->txn, t->st->meta, &k, &v, 0)) != 0)
		return txn_fail(t, mrc, "write id counter");
	return 0;
}

static int
index_op(struct store_txn *t, enum kind k, int f, const char *ref,
    uint64_t id, int add)
{
	MDB_val		key, val;
	uint8_t		kb[ID_LEN], vb[ID_LEN];
	uint64_t	rid;
	int		mrc;

	if (parse_id(ref, &rid) != 0)
		return 0;	/* only stored records; validated on put */
	be64_put(kb, rid);
	be64_put(vb, id);
	key.mv_data = kb;
	key.mv_size = sizeof kb;
	val.mv_data = vb;
	val.mv_size = sizeof vb;
	if (add)
		mrc = mdb_put(t->txn, t->st->idx[k][f], &key, &val, 0);
	else {
		mrc = mdb_del(t->txn, t->st->idx[k][f], &key, &val);
		if (mrc == MDB_NOTFOUND)
			mrc = 0;
	}
	return mrc != 0 ? txn_fail(t, mrc, "update index") : 0;
}

static int
same_value(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Looks up a name key; *id 0 when absent. */
static int
name_lookup(struct store_txn *t, enum kind k, const uint8_t *key, size_t len,
    uint64_t *id)
{
	MDB_val	kv, v;
	int	mrc;

	*id = 0;
	kv.mv_data = (void *)key;
	kv.mv_size = len;
	mrc = mdb_get(t->txn, t->st->name[k], &kv, &v);
	if (mrc == MDB_NOTFOUND)
		return 0;
	if (mrc != 0)
		return txn_fail(t, mrc, "read name index");
	if (v.mv_size != ID_LEN)
		return err_set(ERR_IO, "store: damaged %s name entry; run "
		    "'hvsh store check'", kind_def(k)->name);
	*id = be64_get(v.mv_data);
	return 0;
}

/*
 * Inserts or replaces r. Everything that can be refused (required fields,
 * references, a taken name) is checked before the first write, so a refusal
 * leaves the transaction as it was. A non-zero id that is not stored is
 * inserted under that id: store_write reruns fn after growing the map, and
 * by then store_put has already set r->id.
 */
int
store_put(struct store_txn *t, struct record *r)
{
	const struct kind_def	*kd;
	struct store		*st = t->st;
	struct record		*old = NULL;
	const char		*name, *oname = NULL;
	uint8_t			 nk[KEY_MAX], ok[KEY_MAX], idb[ID_LEN];
	size_t			 nklen = 0, oklen = 0, f;
	uint64_t		 scope, oscope = 0, other;
	MDB_val			 k, v;
	int64_t			 now;
	int			 rc, mrc, isnew = 1, namechg = 1;

	if ((kd = kind_check(r->kind)) == NULL)
		return ERR_INVAL;
	if ((rc = record_validate(kd, r)) != 0 ||
	    (rc = record_scope(kd, r, &scope)) != 0)
		return rc;
	name = r->v[FI_NAME];
	if (name != NULL && (rc = name_key(kd, scope, name, nk, &nklen)) != 0)
		return rc;
	if (r->id != 0) {
		rc = store_get(t, r->kind, r->id, &old);
		if (rc == 0)
			isnew = 0;
		else if (rc != ERR_NOENT)
			goto out;
	}
	if (!isnew) {
		oname = old->v[FI_NAME];
		if ((rc = record_scope(kd, old, &oscope)) != 0)
			goto out;
		if (oname != NULL &&
		    (rc = name_key(kd, oscope, oname, ok, &oklen)) != 0)
			goto out;
		namechg = !(oklen == nklen && same_value(oname, name) &&
		    memcmp(ok, nk, nklen) == 0);
	}
	if (name != NULL && namechg) {
		if ((rc = name_lookup(t, r->kind, nk, nklen, &other)) != 0)
			goto out;
		if (other != 0 && other != r->id) {
			rc = err_set(ERR_EXIST, "%s '%s' already exists",
			    kd->name, name);
			goto out;
		}
	}

	/* From here on only the store itself can fail. */
	now = now_unix();
	if (isnew) {
		/* A rerun or an import keeps its creation time. */
		if (r->id == 0 || r->v[FI_CREATED] == NULL)
			record_set_i64(r, FI_CREATED, now);
		if ((rc = counter_take(t, kd, &r->id)) != 0)
			goto out;
	} else if (r->v[FI_CREATED] == NULL)
		record_set(r, FI_CREATED, old->v[FI_CREATED]);
	record_set_i64(r, FI_UPDATED, now);
	be64_put(idb, r->id);

	if (namechg) {
		if (oname != NULL) {
			k.mv_data = ok;
			k.mv_size = oklen;
			mrc = mdb_del(t->txn, st->name[r->kind], &k, NULL);
			if (mrc != 0 && mrc != MDB_NOTFOUND) {
				rc = txn_fail(t, mrc, "update name index");
				goto out;
			}
		}
		if (name != NULL) {
			k.mv_data = nk;
			k.mv_size = nklen;
			v.mv_data = idb;
			v.mv_size = sizeof idb;
			mrc = mdb_put(t->txn, st->name[r->kind], &k, &v, 0);
			if (mrc != 0) {
				rc = txn_fail(t, mrc, "update name index");
				goto out;
			}
		}
	}
	for (f = 0; f < kd->nfields && f < RECORD_MAXFIELDS; f++) {
		const char	*ov = old != NULL ? old->v[f] : NULL;

		if (!field_is_indexed(&kd->fields[f]) ||
		    same_value(ov, r->v[f]))
			continue;
		if (ov != NULL &&
		    (rc = index_op(t, r->kind, (int)f, ov, r->id, 0)) != 0)
			goto out;
		if (r->v[f] != NULL &&
		    (rc = index_op(t, r->kind, (int)f, r->v[f], r->id, 1)) != 0)
			goto out;
	}

	buf_reset(&t->enc);
	record_encode(r, &t->enc);
	k.mv_data = idb;
	k.mv_size = sizeof idb;
	v.mv_data = t->enc.data;
	v.mv_size = t->enc.len;
	if ((mrc = mdb_put(t->txn, st->db[r->kind], &k, &v, 0)) != 0) {
		rc = txn_fail(t, mrc, "write record");
		goto out;
	}
	rc = 0;
out:
	record_free(old);
	return rc;
}

int
store_del(struct store_txn *t, enum kind kind, uint64_t id)
{
	const struct kind_def	*kd;
	struct record		*old = NULL;
	uint8_t			 nk[KEY_MAX], idb[ID_LEN];
	size_t			 nklen = 0, f;
	uint64_t		 scope, other;
	MDB_val			 k;
	int			 rc, mrc;

	if ((kd = kind_check(kind)) == NULL)
		return ERR_INVAL;
	if ((rc = store_get(t, kind, id, &old)) != 0)
		return rc;
	/* Only remove a name entry that is ours; another may own it now. */
	if (old->v[FI_NAME] != NULL && record_scope(kd, old, &scope) == 0 &&
	    name_key(kd, scope, old->v[FI_NAME], nk, &nklen) == 0) {
		if ((rc = name_lookup(t, kind, nk, nklen, &other)) != 0)
			goto out;
		if (other == id) {
			k.mv_data = nk;
			k.mv_size = nklen;
			mrc = mdb_del(t->txn, t->st->name[kind], &k, NULL);
			if (mrc != 0) {
				rc = txn_fail(t, mrc, "update name index");
				goto out;
			}
		}
	}
	for (f = 0; f < kd->nfields && f < RECORD_MAXFIELDS; f++) {
		if (!field_is_indexed(&kd->fields[f]) || old->v[f] == NULL)
			continue;
		if ((rc = index_op(t, kind, (int)f, old->v[f], id, 0)) != 0)
			goto out;
	}
	be64_put(idb, id);
	k.mv_data = idb;
	k.mv_size = sizeof idb;
	if ((mrc = mdb_del(t->txn, t->st->db[kind], &k, NULL)) != 0)
		rc = txn_fail(t, mrc, "delete record");
out:
	record_free(old);
	return rc;
}

int
store_get(struct store_txn *t, enum kind kind, uint64_t id,
    struct record **out)
{
	const struct kind_def	*kd;
	uint8_t			 idb[ID_LEN];
	MDB_val			 k, v;
	int			 mrc;

	*out = NULL;
	if ((kd = kind_check(kind)) == NULL)
		return ERR_INVAL;
	be64_put(idb, id);
	k.mv_data = idb;
	k.mv_size = sizeof idb;
	mrc = mdb_get(t->txn, t->st->db[kind], &k, &v);
	if (mrc == MDB_NOTFOUND)
		return err_set(ERR_NOENT, "no %s with id %" PRIu64, kd->name,
		    id);
	if (mrc != 0)
		return txn_fail(t, mrc, "read record");
	return record_decode(kind, id, v.mv_data, v.mv_size, out);
}

int
store_get_by_name(struct store_txn *t, enum kind kind, uint64_t scope,
    const char *name, struct record **out)
{
	const struct kind_def	*kd;
	uint8_t			 nk[KEY_MAX];
	size_t			 nklen = 0;
	uint64_t		 id;
	int			 rc;

	*out = NULL;
	if ((kd = kind_check(kind)) == NULL)
		return ERR_INVAL;
	if ((rc = name_key(kd, scope, name, nk, &nklen)) != 0 ||
	    (rc = name_lookup(t, kind, nk, nklen, &id)) != 0)
		return rc;
	if (id == 0)
		return err_set(ERR_NOENT, "no %s named '%s'", kd->name, name);
	if ((rc = store_get(t, kind, id, out)) == ERR_NOENT)
		rc = err_set(ERR_IO, "%s '%s' names missing id %" PRIu64
		    "; run 'hvsh store check'", kd->name, name, id);
	return rc;
}

static int
cursor_open(struct store_txn *t, MDB_dbi dbi, MDB_cursor **c)
{
	int	mrc;

	if ((mrc = mdb_cursor_open(t->txn, dbi, c)) != 0) {
		*c = NULL;
		return txn_fail(t, mrc, "open cursor");
	}
	return 0;
}

/* Fetches record id and hands it to cb; dangling ids are reported. */
static int
iter_one(struct store_txn *t, enum kind kind, const MDB_val *idv,
    store_iter_fn cb, void *arg)
{
	struct record	*r;
	int		 rc;

	if (idv->mv_size != ID_LEN)
		return err_set(ERR_IO, "store: damaged %s index entry; run "
		    "'hvsh store check'", kind_def(kind)->name);
	if ((rc = store_get(t, kind, be64_get(idv->mv_data), &r)) != 0) {
		if (rc == ERR_NOENT)
			rc = err_set(ERR_IO, "store: %s index names missing "
			    "id %" PRIu64 "; run 'hvsh store check'",
			    kind_def(kind)->name, be64_get(idv->mv_data));
		return rc;
	}
	rc = cb(r, arg);
	record_free(r);
	return rc;
}

int
store_iter(struct store_txn *t, enum kind kind, store_iter_fn cb, void *arg)
{
	MDB_cursor	*c;
	MDB_val		 k, v;
	MDB_cursor_op	 op;
	int		 rc, mrc;

	if (kind_check(kind) == NULL)
		return ERR_INVAL;
	if ((rc = cursor_open(t, t->st->name[kind], &c)) != 0)
		return rc;
	for (op = MDB_FIRST; (mrc = mdb_cursor_get(c, &k, &v, op)) == 0;
	    op = MDB_NEXT) {
		if ((rc = iter_one(t, kind, &v, cb, arg)) != 0)
			goto out;
	}
	if (mrc != MDB_NOTFOUND)
		rc = txn_fail(t, mrc, "read name index");
out:
	mdb_cursor_close(c);
	return rc;
}

/* The index database of kind.field, or an error if it has none. */
static int
index_dbi(struct store_txn *t, enum kind kind, int field, MDB_dbi *dbi)
{
	const struct kind_def	*kd;

	if ((kd = kind_check(kind)) == NULL)
		return ERR_INVAL;
	if (field < 0 || (size_t)field >= kd->nfields ||
	    field >= RECORD_MAXFIELDS || !field_is_indexed(&kd->fields[field]))
		return err_set(ERR_INVAL, "store: %s field %d is not indexed",
		    kd->name, field);
	*dbi = t->st->idx[kind][field];
	return 0;
}

int
store_iter_ref(struct store_txn *t, enum kind kind, int field,
    uint64_t ref_id, store_iter_fn cb, void *arg)
{
	MDB_cursor	*c;
	MDB_dbi		 dbi = 0;
	MDB_val		 k, v;
	MDB_cursor_op	 op;
	uint8_t		 kb[ID_LEN];
	int		 rc, mrc;

	if ((rc = index_dbi(t, kind, field, &dbi)) != 0 ||
	    (rc = cursor_open(t, dbi, &c)) != 0)
		return rc;
	be64_put(kb, ref_id);
	k.mv_data = kb;
	k.mv_size = sizeof kb;
	for (op = MDB_SET; (mrc = mdb_cursor_get(c, &k, &v, op)) == 0;
	    op = MDB_NEXT_DUP) {
		if ((rc = iter_one(t, kind, &v, cb, arg)) != 0)
			goto out;
	}
	if (mrc != MDB_NOTFOUND)
		rc = txn_fail(t, mrc, "read index");
out:
	mdb_cursor_close(c);
	return rc;
}

int
store_count_ref(struct store_txn *t, enum kind kind, int field,
    uint64_t ref_id, size_t *count)
{
	MDB_cursor	*c;
	MDB_dbi		 dbi = 0;
	MDB_val		 k, v;
	uint8_t		 kb[ID_LEN];
	int		 rc, mrc;

	*count = 0;
	if ((rc = index_dbi(t, kind, field, &dbi)) != 0 ||
	    (rc = cursor_open(t, dbi, &c)) != 0)
		return rc;
	be64_put(kb, ref_id);
	k.mv_data = kb;
	k.mv_size = sizeof kb;
	mrc = mdb_cursor_get(c, &k, &v, MDB_SET);
	if (mrc == 0)
		mrc = mdb_cursor_count(c, count);
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		rc = txn_fail(t, mrc, "read index");
	mdb_cursor_close(c);
	return rc;
}

int
store_count(struct store_txn *t, enum kind kind, size_t *count)
{
	MDB_stat	ms;
	int		mrc;

	*count = 0;
	if (kind_check(kind) == NULL)
		return ERR_INVAL;
	if ((mrc = mdb_stat(t->txn, t->st->db[kind], &ms)) != 0)
		return txn_fail(t, mrc, "count records");
	*count = ms.ms_entries;
	return 0;
}

int
store_iter_id(struct store_txn *t, enum kind kind, int reverse,
    store_iter_fn cb, void *arg)
{
	MDB_cursor	*c;
	MDB_val		 k, v;
	MDB_cursor_op	 op;
	struct record	*r;
	int		 rc, mrc;

	if (kind_check(kind) == NULL)
		return ERR_INVAL;
	if ((rc = cursor_open(t, t->st->db[kind], &c)) != 0)
		return rc;
	for (op = reverse ? MDB_LAST : MDB_FIRST;
	    (mrc = mdb_cursor_get(c, &k, &v, op)) == 0;
	    op = reverse ? MDB_PREV : MDB_NEXT) {
		if (k.mv_size != ID_LEN) {
			rc = err_set(ERR_IO, "store: damaged %s record key",
			    kind_def(kind)->name);
			goto out;
		}
		if ((rc = record_decode(kind, be64_get(k.mv_data), v.mv_data,
		    v.mv_size, &r)) != 0)
			goto out;
		rc = cb(r, arg);
		record_free(r);
		if (rc != 0)
			goto out;
	}
	if (mrc != MDB_NOTFOUND)
		rc = txn_fail(t, mrc, "read records");
out:
	mdb_cursor_close(c);
	return rc;
}

/* One seek and a walk of adjacent keys: cheap enough for every Tab. */
int
store_names(struct store_txn *t, enum kind kind, const char *prefix,
    store_name_fn cb, void *arg)
{
	MDB_cursor	*c;
	MDB_val		 k, v;
	uint8_t		 kb[KEY_MAX];
	char		 name[KEY_MAX + 1];
	size_t		 plen = prefix != NULL ? strlen(prefix) : 0;
	int		 rc, mrc;

	if (kind_check(kind) == NULL)
		return ERR_INVAL;
	if (plen > NAME_MAX_BYTES)
		return 0;	/* no stored name can be that long */
	be64_put(kb, 0);
	if (plen > 0)
		memcpy(kb + ID_LEN, prefix, plen);
	if ((rc = cursor_open(t, t->st->name[kind], &c)) != 0)
		return rc;
	k.mv_data = kb;
	k.mv_size = ID_LEN + plen;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mrc == 0;
	    mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < ID_LEN + plen ||
		    memcmp(k.mv_data, kb, ID_LEN + plen) != 0)
			break;
		memcpy(name, (const char *)k.mv_data + ID_LEN,
		    k.mv_size - ID_LEN);
		name[k.mv_size - ID_LEN] = '\0';
		cb(name, arg);
	}
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		rc = txn_fail(t, mrc, "read name index");
	mdb_cursor_close(c);
	return rc;
}

struct check {
	struct store_txn	*t;
	const struct kind_def	*kd;
	struct buf		*report;
	size_t			 problems;
};

static void
problem(struct check *ck, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
problem(struct check *ck, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_printf(ck->report, "%s %s\n", ck->kd->name, s);
	free(s);
	ck->problems++;
}

/* "'web1' (id 5)" or "id 5" for messages about a record. */
static const char *
who(const struct record *r, char *buf, size_t len)
{
	if (r->v[FI_NAME] != NULL)
		snprintf(buf, len, "'%s' (id %" PRIu64 ")", r->v[FI_NAME],
		    r->id);
	else
		snprintf(buf, len, "id %" PRIu64, r->id);
	return buf;
}

/* Every record of the kind decodes and has its name and index entries. */
static int
check_records(struct check *ck, uint64_t *maxid)
{
	struct store_txn	*t = ck->t;
	enum kind		 kind = ck->kd->kind;
	MDB_cursor		*c, *ic = NULL;
	MDB_val			 k, v, ik, iv;
	struct record		*r = NULL;
	uint8_t			 nk[KEY_MAX], kb[ID_LEN], vb[ID_LEN];
	size_t			 nklen = 0, f;
	uint64_t		 scope, other, ref;
	char			 w[600];
	int			 rc, mrc, m2;

	*maxid = 0;
	if ((rc = cursor_open(t, t->st->db[kind], &c)) != 0)
		return rc;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0;
	    mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != ID_LEN) {
			problem(ck, "record with a key of %zu bytes", k.mv_size);
			continue;
		}
		*maxid = be64_get(k.mv_data);
		if (record_decode(kind, *maxid, v.mv_data, v.mv_size, &r)
		    != 0) {
			problem(ck, "id %" PRIu64 " does not decode: %s",
			    *maxid, err_msg());
			continue;
		}
		who(r, w, sizeof w);
		if (record_validate(ck->kd, r) != 0)
			problem(ck, "%s: %s", w, err_msg());
		if (r->v[FI_NAME] != NULL && record_scope(ck->kd, r, &scope)
		    == 0 && name_key(ck->kd, scope, r->v[FI_NAME], nk, &nklen)
		    == 0) {
			if ((rc = name_lookup(t, kind, nk, nklen, &other)) != 0)
				goto out;
			if (other == 0)
				problem(ck, "%s: name entry missing", w);
			else if (other != r->id)
				problem(ck, "%s: name entry points to id %"
				    PRIu64, w, other);
		}
		for (f = 0; f < ck->kd->nfields && f < RECORD_MAXFIELDS; f++) {
			if (!field_is_indexed(&ck->kd->fields[f]) ||
			    r->v[f] == NULL || parse_id(r->v[f], &ref) != 0)
				continue;
			if (ic != NULL)
				mdb_cursor_close(ic);
			if ((rc = cursor_open(t, t->st->idx[kind][f], &ic))
			    != 0)
				goto out;
			be64_put(kb, ref);
			be64_put(vb, r->id);
			ik.mv_data = kb;
			ik.mv_size = sizeof kb;
			iv.mv_data = vb;
			iv.mv_size = sizeof vb;
			m2 = mdb_cursor_get(ic, &ik, &iv, MDB_GET_BOTH);
			if (m2 == MDB_NOTFOUND)
				problem(ck, "%s: %s index entry for %" PRIu64
				    " missing", w, ck->kd->fields[f].name, ref);
			else if (m2 != 0) {
				rc = txn_fail(t, m2, "read index");
				goto out;
			}
		}
		record_free(r);
		r = NULL;
	}
	if (mrc != MDB_NOTFOUND)
		rc = txn_fail(t, mrc, "read records");
out:
	if (rc != 0)
		record_free(r);
	if (ic != NULL)
		mdb_cursor_close(ic);
	mdb_cursor_close(c);
	return rc;
}

/* Every name entry leads to a record of that name and scope. */
static int
check_names(struct check *ck)
{
	struct store_txn	*t = ck->t;
	enum kind		 kind = ck->kd->kind;
	MDB_cursor		*c;
	MDB_val			 k, v;
	struct record		*r;
	uint64_t		 id, scope;
	char			 name[KEY_MAX + 1];
	int			 rc, mrc;

	if ((rc = cursor_open(t, t->st->name[kind], &c)) != 0)
		return rc;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0;
	    mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < ID_LEN || v.mv_size != ID_LEN) {
			problem(ck, "damaged name entry");
			continue;
		}
		memcpy(name, (const char *)k.mv_data + ID_LEN,
		    k.mv_size - ID_LEN);
		name[k.mv_size - ID_LEN] = '\0';
		id = be64_get(v.mv_data);
		rc = store_get(t, kind, id, &r);
		if (rc == ERR_NOENT) {
			problem(ck, "name '%s' points to missing id %" PRIu64,
			    name, id);
			continue;
		} else if (rc == ERR_INVAL)
			continue;	/* reported by check_records */
		else if (rc != 0)
			goto out;
		if (r->v[FI_NAME] == NULL || strcmp(r->v[FI_NAME], name) != 0 ||
		    record_scope(ck->kd, r, &scope) != 0 ||
		    scope != be64_get(k.mv_data))
			problem(ck, "name '%s' points to id %" PRIu64 ", which "
			    "has another name or scope", name, id);
		record_free(r);
	}
	rc = 0;
	if (mrc != MDB_NOTFOUND)
		rc = txn_fail(t, mrc, "read name index");
out:
	mdb_cursor_close(c);
	return rc;
}

/* Every index entry leads to a record whose field has that value. */
static int
check_index(struct check *ck, size_t f)
{
	struct store_txn	*t = ck->t;
	enum kind		 kind = ck->kd->kind;
	const char		*fname = ck->kd->fields[f].name;
	MDB_cursor		*c;
	MDB_val			 k, v;
	struct record		*r;
	uint64_t		 id, ref, have;
	int			 rc, mrc;

	if ((rc = cursor_open(t, t->st->idx[kind][f], &c)) != 0)
		return rc;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0;
	    mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != ID_LEN || v.mv_size != ID_LEN) {
			problem(ck, "damaged %s index entry", fname);
			continue;
		}
		ref = be64_get(k.mv_data);
		id = be64_get(v.mv_data);
		rc = store_get(t, kind, id, &r);
		if (rc == ERR_NOENT) {
			problem(ck, "%s index: %" PRIu64 " -> missing id %"
			    PRIu64, fname, ref, id);
			continue;
		} else if (rc == ERR_INVAL)
			continue;
		else if (rc != 0)
			goto out;
		if (r->v[f] == NULL || parse_id(r->v[f], &have) != 0 ||
		    have != ref)
			problem(ck, "%s index: %" PRIu64 " -> id %" PRIu64
			    ", whose %s is %s", fname, ref, id, fname,
			    r->v[f] != NULL ? r->v[f] : "unset");
		record_free(r);
	}
	rc = 0;
	if (mrc != MDB_NOTFOUND)
		rc = txn_fail(t, mrc, "read index");
out:
	mdb_cursor_close(c);
	return rc;
}

int
store_check(struct store *st, struct buf *report, size_t *problems)
{
	struct store_txn	*t = NULL;
	struct check		 ck;
	char			 key[64];
	uint64_t		 maxid, next;
	size_t			 k, f;
	int			 rc;

	*problems = 0;
	if ((rc = store_read(st, &t)) != 0)
		return rc;
	memset(&ck, 0, sizeof ck);
	ck.t = t;
	ck.report = report;
	for (k = 0; k < KIND__COUNT; k++) {
		ck.kd = kind_def((enum kind)k);
		if ((rc = check_records(&ck, &maxid)) != 0 ||
		    (rc = check_names(&ck)) != 0)
			goto out;
		for (f = 0; f < ck.kd->nfields && f < RECORD_MAXFIELDS; f++) {
			if (field_is_indexed(&ck.kd->fields[f]) &&
			    (rc = check_index(&ck, f)) != 0)
				goto out;
		}
		if ((rc = counter_get(t, ck.kd, key, sizeof key, &next)) != 0)
			goto out;
		if (maxid != 0 && next <= maxid)
			problem(&ck, "id counter %" PRIu64 " is not above the "
			    "largest id %" PRIu64, next, maxid);
	}
	*problems = ck.problems;
out:
	store_txn_end(t);
	return rc;
}

int
store_info(struct store *st, struct store_info *info)
{
	struct store_txn	*t = NULL;
	MDB_envinfo		 ei;
	MDB_stat		 ms;
	size_t			 k;
	int			 rc, mrc;

	memset(info, 0, sizeof *info);
	if ((rc = store_read(st, &t)) != 0)
		return rc;
	if ((mrc = mdb_env_info(st->env, &ei)) != 0 ||
	    (mrc = mdb_env_stat(st->env, &ms)) != 0) {
		rc = err_set(ERR_IO, "store at %s: %s", st->dir,
		    mdb_strerror(mrc));
		goto out;
	}
	info->schema = st->schema;
	info->map_size = ei.me_mapsize;
	info->used = (ei.me_last_pgno + 1) * ms.ms_psize;
	for (k = 0; k < KIND__COUNT; k++) {
		if ((rc = store_count(t, (enum kind)k, &info->count[k])) != 0)
			goto out;
	}
out:
	store_txn_end(t);
	return rc;
}
