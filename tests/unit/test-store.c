/*
 * test-store.c: unit tests of the LMDB store. Each test gets a fresh store
 * in its own temporary directory. Damage (a lost name entry, a newer schema)
 * is made by opening LMDB directly, as a crash or a newer hvsh would leave
 * it, and the store must notice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <ftw.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "store.h"

#include "store-fixture.h"

/* Reopens the store, so that LMDB can be used directly in between. */
static void
reopen(struct fix *fx, int flags)
{
	store_close(fx->st);
	fx->st = NULL;
	assert_int_equal(store_open(fx->sdir, flags, &fx->st), 0);
}

/* Runs op (MDB_put or del) on db directly with LMDB; the store is closed. */
static void
lmdb_poke(const char *dir, const char *db, const void *key, size_t klen,
    const void *val, size_t vlen, unsigned dbflags)
{
	MDB_env	*env;
	MDB_txn	*txn;
	MDB_dbi	 dbi;
	MDB_val	 k, v;

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 64), 0);
	assert_int_equal(mdb_env_open(env, dir, MDB_NOTLS, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, db, MDB_CREATE | dbflags, &dbi), 0);
	k.mv_data = (void *)key;
	k.mv_size = klen;
	if (val != NULL) {
		v.mv_data = (void *)val;
		v.mv_size = vlen;
		assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	} else if (vlen > 0) {
		v.mv_data = (void *)((const char *)key + klen);
		v.mv_size = vlen;
		assert_int_equal(mdb_del(txn, dbi, &k, &v), 0);
	} else
		assert_int_equal(mdb_del(txn, dbi, &k, NULL), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

struct put_arg {
	struct record	**r;
	size_t		  n;
};

static int
put_fn(struct store_txn *t, void *arg)
{
	struct put_arg	*pa = arg;
	size_t		 i;
	int		 rc;

	for (i = 0; i < pa->n; i++) {
		if ((rc = store_put(t, pa->r[i])) != 0)
			return rc;
	}
	return 0;
}

/* Stores r (one write transaction) and returns store_write's code. */
static int
put1(struct store *st, struct record *r)
{
	struct put_arg	pa = { &r, 1 };

	return store_write(st, put_fn, &pa);
}

struct del_arg {
	enum kind	kind;
	uint64_t	id;
};

static int
del_fn(struct store_txn *t, void *arg)
{
	struct del_arg	*da = arg;

	return store_del(t, da->kind, da->id);
}

static uint64_t
add_host(struct store *st, const char *name)
{
	struct record	*r = record_new(KIND_HOST);
	uint64_t	 id;

	record_set(r, FI_NAME, name);
	record_set(r, HOST_ADDRESS, "10.0.0.1");
	record_set(r, HOST_DRIVER, "kvm");
	assert_int_equal(put1(st, r), 0);
	id = r->id;
	record_free(r);
	return id;
}

static uint64_t
add_vm(struct store *st, const char *name, uint64_t host)
{
	struct record	*r = record_new(KIND_VM);
	uint64_t	 id;

	record_set(r, FI_NAME, name);
	if (host != 0)
		record_setf(r, VM_HOST, "%llu", (unsigned long long)host);
	assert_int_equal(put1(st, r), 0);
	id = r->id;
	record_free(r);
	return id;
}

static struct record *
get_name(struct store *st, enum kind k, uint64_t scope, const char *name,
    int want)
{
	struct store_txn	*t;
	struct record		*r = NULL;

	assert_int_equal(store_read(st, &t), 0);
	assert_int_equal(store_get_by_name(t, k, scope, name, &r), want);
	store_txn_end(t);
	return r;
}

static size_t
count_ref(struct store *st, enum kind k, int f, uint64_t ref)
{
	struct store_txn	*t;
	size_t			 n;

	assert_int_equal(store_read(st, &t), 0);
	assert_int_equal(store_count_ref(t, k, f, ref, &n), 0);
	store_txn_end(t);
	return n;
}

static size_t
count(struct store *st, enum kind k)
{
	struct store_txn	*t;
	size_t			 n;

	assert_int_equal(store_read(st, &t), 0);
	assert_int_equal(store_count(t, k, &n), 0);
	store_txn_end(t);
	return n;
}

static size_t
check(struct store *st, struct buf *report)
{
	size_t	problems = 99;

	buf_reset(report);
	assert_int_equal(store_check(st, report, &problems), 0);
	return problems;
}

static void
test_create_put_get(void **state)
{
	struct fix		*fx = *state;
	struct store_txn	*t;
	struct record		*r;
	struct stat		 sb;
	uint64_t		 id;

	assert_int_equal(stat(fx->sdir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_string_equal(store_path(fx->st), fx->sdir);
	id = add_host(fx->st, "kvm1");
	assert_int_equal(id, 1);
	assert_int_equal(add_host(fx->st, "kvm2"), 2);

	assert_int_equal(store_read(fx->st, &t), 0);
	assert_int_equal(store_get(t, KIND_HOST, id, &r), 0);
	assert_int_equal(r->id, id);
	assert_string_equal(record_get(r, FI_NAME), "kvm1");
	assert_string_equal(record_get(r, HOST_ADDRESS), "10.0.0.1");
	assert_string_equal(record_get(r, FI_CREATED), "1700000000");
	assert_string_equal(record_get(r, FI_UPDATED), "1700000000");
	record_free(r);
	assert_int_equal(store_get(t, KIND_HOST, 99, &r), ERR_NOENT);
	assert_null(r);
	assert_int_equal(store_get(t, KIND_VM, id, &r), ERR_NOENT);
	store_txn_end(t);

	r = get_name(fx->st, KIND_HOST, 0, "kvm2", 0);
	assert_int_equal(r->id, 2);
	record_free(r);
	assert_null(get_name(fx->st, KIND_HOST, 0, "nope", ERR_NOENT));

	/* Survives a reopen, and ids continue. */
	reopen(fx, 0);
	r = get_name(fx->st, KIND_HOST, 0, "kvm1", 0);
	record_free(r);
	assert_int_equal(add_host(fx->st, "kvm3"), 3);
	assert_int_equal(count(fx->st, KIND_HOST), 3);
}

static void
test_duplicate_and_required(void **state)
{
	struct fix	*fx = *state;
	struct record	*r = record_new(KIND_HOST);

	add_host(fx->st, "kvm1");
	record_set(r, FI_NAME, "kvm1");
	record_set(r, HOST_ADDRESS, "10.0.0.2");
	record_set(r, HOST_DRIVER, "xen");
	assert_int_equal(put1(fx->st, r), ERR_EXIST);
	assert_string_equal(err_msg(), "host 'kvm1' already exists");
	assert_int_equal(r->id, 0);

	record_set(r, FI_NAME, "kvm2");
	record_set(r, HOST_DRIVER, NULL);
	assert_int_equal(put1(fx->st, r), ERR_INVAL);
	assert_string_equal(err_msg(), "host field 'driver' is required");
	record_set(r, FI_NAME, NULL);
	assert_int_equal(put1(fx->st, r), ERR_INVAL);
	assert_string_equal(err_msg(), "host field 'name' is required");
	record_free(r);

	r = record_new(KIND_VM);
	record_set(r, FI_NAME, "vm1");
	record_set(r, VM_HOST, "abc");
	assert_int_equal(put1(fx->st, r), ERR_INVAL);
	record_set(r, VM_HOST, "-1");
	assert_int_equal(put1(fx->st, r), ERR_INVAL);
	record_free(r);

	assert_int_equal(count(fx->st, KIND_HOST), 1);
	assert_int_equal(count(fx->st, KIND_VM), 0);
}

static void
test_rename(void **state)
{
	struct fix	*fx = *state;
	struct record	*r;
	struct buf	 rep = { 0 };

	add_host(fx->st, "a");
	add_host(fx->st, "b");
	r = get_name(fx->st, KIND_HOST, 0, "a", 0);
	record_set(r, FI_NAME, "c");
	setenv("HVSH_FAKE_TIME", "1700000100", 1);
	assert_int_equal(put1(fx->st, r), 0);
	record_free(r);
	assert_null(get_name(fx->st, KIND_HOST, 0, "a", ERR_NOENT));
	r = get_name(fx->st, KIND_HOST, 0, "c", 0);
	assert_int_equal(r->id, 1);
	assert_string_equal(record_get(r, FI_CREATED), "1700000000");
	assert_string_equal(record_get(r, FI_UPDATED), "1700000100");

	/* Renaming onto a taken name is refused and changes nothing. */
	record_set(r, FI_NAME, "b");
	assert_int_equal(put1(fx->st, r), ERR_EXIST);
	record_free(r);
	r = get_name(fx->st, KIND_HOST, 0, "b", 0);
	assert_int_equal(r->id, 2);
	/* An update that keeps the name is fine. */
	record_set(r, HOST_PORT, "2222");
	assert_int_equal(put1(fx->st, r), 0);
	record_free(r);
	assert_int_equal(count(fx->st, KIND_HOST), 2);
	assert_int_equal(check(fx->st, &rep), 0);
	buf_free(&rep);
}

struct collect {
	char		names[16][16];
	uint64_t	ids[16];
	size_t		n;
	size_t		stop_at;
};

static int
collect_fn(const struct record *r, void *arg)
{
	struct collect	*c = arg;
	const char	*name = record_get(r, FI_NAME);

	if (c->n < 16) {
		snprintf(c->names[c->n], sizeof c->names[0], "%s",
		    name != NULL ? name : "-");
		c->ids[c->n] = r->id;
	}
	c->n++;
	return c->stop_at != 0 && c->n == c->stop_at ? 77 : 0;
}

static void
collect_name(const char *name, void *arg)
{
	struct collect	*c = arg;

	if (c->n < 16)
		snprintf(c->names[c->n], sizeof c->names[0], "%s", name);
	c->n++;
}

static void
test_indexes(void **state)
{
	struct fix		*fx = *state;
	struct store_txn	*t;
	struct record		*r;
	struct collect		 c;
	struct buf		 rep = { 0 };
	uint64_t		 h1, h2, v1, v2;

	h1 = add_host(fx->st, "h1");
	h2 = add_host(fx->st, "h2");
	v1 = add_vm(fx->st, "v1", h1);
	v2 = add_vm(fx->st, "v2", h1);
	add_vm(fx->st, "v3", 0);
	assert_int_equal(count_ref(fx->st, KIND_VM, VM_HOST, h1), 2);
	assert_int_equal(count_ref(fx->st, KIND_VM, VM_HOST, h2), 0);

	/* Move v1 to h2: the index follows. */
	r = get_name(fx->st, KIND_VM, 0, "v1", 0);
	record_setf(r, VM_HOST, "%llu", (unsigned long long)h2);
	assert_int_equal(put1(fx->st, r), 0);
	/* Unset it: the entry goes. */
	record_set(r, VM_HOST, NULL);
	assert_int_equal(put1(fx->st, r), 0);
	assert_int_equal(count_ref(fx->st, KIND_VM, VM_HOST, h2), 0);
	record_setf(r, VM_HOST, "%llu", (unsigned long long)h2);
	assert_int_equal(put1(fx->st, r), 0);
	record_free(r);
	assert_int_equal(count_ref(fx->st, KIND_VM, VM_HOST, h1), 1);
	assert_int_equal(count_ref(fx->st, KIND_VM, VM_HOST, h2), 1);

	memset(&c, 0, sizeof c);
	assert_int_equal(store_read(fx->st, &t), 0);
	assert_int_equal(store_iter_ref(t, KIND_VM, VM_HOST, h1, collect_fn,
	    &c), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.ids[0], v2);
	memset(&c, 0, sizeof c);
	assert_int_equal(store_iter_ref(t, KIND_VM, VM_HOST, h2, collect_fn,
	    &c), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.ids[0], v1);
	memset(&c, 0, sizeof c);
	assert_int_equal(store_iter_ref(t, KIND_VM, VM_HOST, 999, collect_fn,
	    &c), 0);
	assert_int_equal(c.n, 0);
	/* Only indexed refs have an index. */
	assert_int_equal(store_iter_ref(t, KIND_VM, VM_CPUS, h1, collect_fn,
	    &c), ERR_INVAL);
	store_txn_end(t);
	assert_int_equal(check(fx->st, &rep), 0);
	buf_free(&rep);
}

static void
test_del(void **state)
{
	struct fix	*fx = *state;
	struct del_arg	 da;
	struct buf	 rep = { 0 };
	uint64_t	 h1, v1;

	h1 = add_host(fx->st, "h1");
	v1 = add_vm(fx->st, "v1", h1);
	add_vm(fx->st, "v2", h1);
	da.kind = KIND_VM;
	da.id = v1;
	assert_int_equal(store_write(fx->st, del_fn, &da), 0);
	assert_int_equal(count_ref(fx->st, KIND_VM, VM_HOST, h1), 1);
	assert_null(get_name(fx->st, KIND_VM, 0, "v1", ERR_NOENT));
	assert_int_equal(count(fx->st, KIND_VM), 1);
	assert_int_equal(store_write(fx->st, del_fn, &da), ERR_NOENT);
	/* The name is free again, and ids are not reused. */
	assert_int_equal(add_vm(fx->st, "v1", h1), 3);
	assert_int_equal(check(fx->st, &rep), 0);
	buf_free(&rep);
}

static void
test_iteration_order(void **state)
{
	struct fix		*fx = *state;
	struct store_txn	*t;
	struct collect		 c;

	add_vm(fx->st, "b", 0);
	add_vm(fx->st, "a", 0);
	add_vm(fx->st, "c", 0);
	assert_int_equal(store_read(fx->st, &t), 0);
	memset(&c, 0, sizeof c);
	assert_int_equal(store_iter(t, KIND_VM, collect_fn, &c), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.names[0], "a");
	assert_string_equal(c.names[1], "b");
	assert_string_equal(c.names[2], "c");

	memset(&c, 0, sizeof c);
	assert_int_equal(store_iter_id(t, KIND_VM, 0, collect_fn, &c), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.names[0], "b");
	assert_string_equal(c.names[2], "c");
	memset(&c, 0, sizeof c);
	assert_int_equal(store_iter_id(t, KIND_VM, 1, collect_fn, &c), 0);
	assert_int_equal(c.ids[0], 3);
	assert_int_equal(c.ids[2], 1);

	/* A callback's non-zero return stops the walk and is returned. */
	memset(&c, 0, sizeof c);
	c.stop_at = 2;
	assert_int_equal(store_iter(t, KIND_VM, collect_fn, &c), 77);
	assert_int_equal(c.n, 2);
	memset(&c, 0, sizeof c);
	assert_int_equal(store_iter(t, KIND_HOST, collect_fn, &c), 0);
	assert_int_equal(c.n, 0);
	store_txn_end(t);
}

static void
test_names_prefix(void **state)
{
	struct fix		*fx = *state;
	struct store_txn	*t;
	struct collect		 c;
	struct record		*r;
	uint64_t		 v;

	add_vm(fx->st, "vm2", 0);
	add_vm(fx->st, "web1", 0);
	v = add_vm(fx->st, "vm10", 0);
	add_vm(fx->st, "vm1", 0);
	add_vm(fx->st, "x", 0);
	/* Scoped snapshot names are not offered as global ones. */
	r = record_new(KIND_SNAPSHOT);
	record_set(r, FI_NAME, "vm-snap");
	record_setf(r, SNAPSHOT_VM, "%llu", (unsigned long long)v);
	assert_int_equal(put1(fx->st, r), 0);
	record_free(r);

	assert_int_equal(store_read(fx->st, &t), 0);
	memset(&c, 0, sizeof c);
	assert_int_equal(store_names(t, KIND_VM, "vm", collect_name, &c), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.names[0], "vm1");
	assert_string_equal(c.names[1], "vm10");
	assert_string_equal(c.names[2], "vm2");
	memset(&c, 0, sizeof c);
	assert_int_equal(store_names(t, KIND_VM, "", collect_name, &c), 0);
	assert_int_equal(c.n, 5);
	memset(&c, 0, sizeof c);
	assert_int_equal(store_names(t, KIND_VM, "zz", collect_name, &c), 0);
	assert_int_equal(c.n, 0);
	memset(&c, 0, sizeof c);
	assert_int_equal(store_names(t, KIND_SNAPSHOT, "", collect_name, &c),
	    0);
	assert_int_equal(c.n, 0);
	store_txn_end(t);
}

static void
test_snapshot_scope(void **state)
{
	struct fix	*fx = *state;
	struct record	*r;
	struct buf	 rep = { 0 };
	uint64_t	 v1, v2;

	v1 = add_vm(fx->st, "v1", 0);
	v2 = add_vm(fx->st, "v2", 0);
	r = record_new(KIND_SNAPSHOT);
	record_set(r, FI_NAME, "s1");
	record_setf(r, SNAPSHOT_VM, "%llu", (unsigned long long)v1);
	assert_int_equal(put1(fx->st, r), 0);
	r->id = 0;
	record_setf(r, SNAPSHOT_VM, "%llu", (unsigned long long)v2);
	assert_int_equal(put1(fx->st, r), 0);
	r->id = 0;
	assert_int_equal(put1(fx->st, r), ERR_EXIST);
	/* Moving s1 of v2 to v1 collides with v1's s1. */
	r->id = 2;
	record_setf(r, SNAPSHOT_VM, "%llu", (unsigned long long)v1);
	assert_int_equal(put1(fx->st, r), ERR_EXIST);
	record_free(r);
	r = get_name(fx->st, KIND_SNAPSHOT, v2, "s1", 0);
	assert_int_equal(r->id, 2);
	record_free(r);
	assert_null(get_name(fx->st, KIND_SNAPSHOT, 0, "s1", ERR_NOENT));
	assert_int_equal(count_ref(fx->st, KIND_SNAPSHOT, SNAPSHOT_VM, v1), 1);
	assert_int_equal(check(fx->st, &rep), 0);
	buf_free(&rep);
}

static void
test_audit_unnamed(void **state)
{
	struct fix		*fx = *state;
	struct store_txn	*t;
	struct record		*r;
	struct collect		 c;
	struct buf		 rep = { 0 };
	int			 i;

	for (i = 0; i < 3; i++) {
		r = record_new(KIND_AUDIT);
		record_set(r, AUDIT_COMMAND, "vm list");
		record_set(r, AUDIT_STATUS, "0");
		assert_int_equal(put1(fx->st, r), 0);
		assert_int_equal(r->id, (uint64_t)i + 1);
		record_free(r);
	}
	assert_int_equal(count(fx->st, KIND_AUDIT), 3);
	assert_int_equal(store_read(fx->st, &t), 0);
	memset(&c, 0, sizeof c);
	assert_int_equal(store_iter(t, KIND_AUDIT, collect_fn, &c), 0);
	assert_int_equal(c.n, 0);
	memset(&c, 0, sizeof c);
	assert_int_equal(store_iter_id(t, KIND_AUDIT, 1, collect_fn, &c), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.ids[0], 3);
	store_txn_end(t);
	assert_int_equal(check(fx->st, &rep), 0);
	buf_free(&rep);
}

static void
test_check_finds_damage(void **state)
{
	struct fix	*fx = *state;
	struct buf	 rep = { 0 };
	unsigned char	 key[16] = { 0 }, pair[16] = { 0 };
	uint64_t	 h1;

	h1 = add_host(fx->st, "h1");
	add_vm(fx->st, "vm0", h1);
	add_vm(fx->st, "vm1", h1);
	assert_int_equal(check(fx->st, &rep), 0);
	assert_int_equal(rep.len, 0);

	/* Lose vm0's name entry. */
	store_close(fx->st);
	fx->st = NULL;
	memcpy(key + 8, "vm0", 3);
	lmdb_poke(fx->sdir, "vm.name", key, 11, NULL, 0, 0);
	reopen(fx, 0);
	assert_true(check(fx->st, &rep) > 0);
	assert_non_null(strstr(rep.data, "'vm0'"));
	assert_non_null(strstr(rep.data, "name entry missing"));

	/* Lose vm1's host index entry as well: one more problem. */
	store_close(fx->st);
	fx->st = NULL;
	pair[7] = (unsigned char)h1;	/* key: host id */
	pair[15] = 2;			/* value: vm1's id */
	lmdb_poke(fx->sdir, "vm.host", pair, 8, NULL, 8,
	    MDB_DUPSORT | MDB_DUPFIXED);
	reopen(fx, STORE_RDONLY);
	assert_int_equal(check(fx->st, &rep), 2);
	assert_non_null(strstr(rep.data, "host index entry"));

	/* A name entry pointing nowhere. */
	store_close(fx->st);
	fx->st = NULL;
	memcpy(key + 8, "ghost", 5);
	memset(pair, 0, sizeof pair);
	pair[7] = 99;
	lmdb_poke(fx->sdir, "vm.name", key, 13, pair, 8, 0);
	reopen(fx, 0);
	assert_int_equal(check(fx->st, &rep), 3);
	assert_non_null(strstr(rep.data, "missing id 99"));
	buf_free(&rep);
}

struct bulk {
	size_t	from, n;
	int	calls;
};

/* Builds its records inside the transaction, as fn must to be rerun. */
static int
bulk_fn(struct store_txn *t, void *arg)
{
	struct bulk	*b = arg;
	struct record	*r;
	size_t		 i;
	int		 rc = 0;

	b->calls++;
	for (i = b->from; i < b->from + b->n && rc == 0; i++) {
		r = record_new(KIND_VM);
		record_setf(r, FI_NAME, "vm%zu", i);
		record_set(r, VM_TAGS, "team=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
		record_set(r, VM_HOST, "1");
		rc = store_put(t, r);
		record_free(r);
	}
	return rc;
}

static void
test_map_growth(void **state)
{
	struct fix		*fx = *state;
	struct store_info	 si;
	struct bulk		 b;
	struct record		*r;
	struct buf		 rep = { 0 };
	char			 name[32];
	size_t			 i, n = 20000, batch = 2000;
	int			 calls = 0;

	store_close(fx->st);
	fx->st = NULL;
	rm_rf(fx->sdir);
	setenv("HVSH_MAPSIZE", "1048576", 1);
	assert_int_equal(store_open(fx->sdir, 0, &fx->st), 0);
	assert_int_equal(store_info(fx->st, &si), 0);
	assert_int_equal(si.map_size, 1048576);
	for (i = 0; i < n; i += batch) {
		memset(&b, 0, sizeof b);
		b.from = i;
		b.n = batch;
		assert_int_equal(store_write(fx->st, bulk_fn, &b), 0);
		calls += b.calls;
	}
	/* Some transactions had to be run again after growing. */
	assert_true(calls > (int)(n / batch));
	assert_int_equal(store_info(fx->st, &si), 0);
	assert_true(si.map_size >= 8 * 1048576);
	assert_true(si.used <= si.map_size);
	assert_int_equal(si.count[KIND_VM], n);
	assert_int_equal(si.schema, SCHEMA_VERSION);
	for (i = 0; i < n; i += 997) {
		snprintf(name, sizeof name, "vm%zu", i);
		r = get_name(fx->st, KIND_VM, 0, name, 0);
		assert_int_equal(r->id, i + 1);
		record_free(r);
	}
	assert_int_equal(count_ref(fx->st, KIND_VM, VM_HOST, 1), n);
	assert_int_equal(check(fx->st, &rep), 0);
	buf_free(&rep);
}

/*
 * Records built outside fn get their ids on the first run; the rerun after
 * growth must store them under the same ids, not treat them as updates of
 * missing records or skip ids.
 */
static void
test_growth_rerun_keeps_ids(void **state)
{
	struct fix	*fx = *state;
	struct put_arg		 pa;
	struct store_info	 si;
	struct record		*rs[3000];
	size_t		 i, n = 3000;

	store_close(fx->st);
	fx->st = NULL;
	rm_rf(fx->sdir);
	setenv("HVSH_MAPSIZE", "1048576", 1);
	assert_int_equal(store_open(fx->sdir, 0, &fx->st), 0);
	for (i = 0; i < n; i++) {
		rs[i] = record_new(KIND_VM);
		record_setf(rs[i], FI_NAME, "v%zu", i);
		record_set(rs[i], VM_OWNER, "ooooooooooooooooooooooooooooooooooo"
		    "oooooooooooooooooooooooooooooooooooooooooooooooooooooooooo"
		    "oooooooooooooooooooooooooooooooooooooooooooooooooooooooooo"
		    "oooooooooooooooooooooooooooooooooooooooooooooooooooooooooo");
	}
	pa.r = rs;
	pa.n = n;
	assert_int_equal(store_write(fx->st, put_fn, &pa), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(rs[i]->id, i + 1);
		record_free(rs[i]);
	}
	assert_int_equal(count(fx->st, KIND_VM), n);
	assert_int_equal(store_info(fx->st, &si), 0);
	assert_true(si.map_size > 1048576);
	assert_int_equal(add_vm(fx->st, "next", 0), n + 1);
}

static void
test_newer_schema(void **state)
{
	struct fix	*fx = *state;
	struct store	*st = NULL;

	add_host(fx->st, "h1");
	store_close(fx->st);
	fx->st = NULL;
	lmdb_poke(fx->sdir, "meta", "schema", 6, "99", 2, 0);
	assert_int_equal(store_open(fx->sdir, 0, &st), ERR_VERSION);
	assert_null(st);
	assert_non_null(strstr(err_msg(), "has schema 99, newer than this "
	    "hvsh reads (1); use a newer hvsh"));
	assert_int_equal(store_open(fx->sdir, STORE_RDONLY, &st), ERR_VERSION);
	lmdb_poke(fx->sdir, "meta", "schema", 6, "x1", 2, 0);
	assert_int_equal(store_open(fx->sdir, 0, &st), ERR_VERSION);
	lmdb_poke(fx->sdir, "meta", "schema", 6, "1", 1, 0);
	assert_int_equal(store_open(fx->sdir, 0, &fx->st), 0);
}

static void
test_rdonly(void **state)
{
	struct fix	*fx = *state;
	struct store	*st = NULL;
	struct record	*r;
	char		*missing;
	struct stat	 sb;

	missing = xasprintf("%s/missing", fx->dir);
	assert_int_equal(store_open(missing, STORE_RDONLY, &st), ERR_NOENT);
	assert_null(st);
	assert_non_null(strstr(err_msg(), "no store at"));
	assert_int_equal(stat(missing, &sb), -1);
	/* An empty directory is no store either. */
	assert_int_equal(mkdir(missing, 0700), 0);
	assert_int_equal(store_open(missing, STORE_RDONLY, &st), ERR_NOENT);
	free(missing);

	add_host(fx->st, "h1");
	reopen(fx, STORE_RDONLY);
	r = get_name(fx->st, KIND_HOST, 0, "h1", 0);
	assert_int_equal(put1(fx->st, r), ERR_PERM);
	record_free(r);
}

static void
test_fs_is_remote(void **state)
{
	assert_int_equal(store_fs_is_remote(0x6969), 1);
	assert_int_equal(store_fs_is_remote(0xFF534D42L), 1);
	assert_int_equal(store_fs_is_remote(0xFE534D42L), 1);
	assert_int_equal(store_fs_is_remote(0x517B), 1);
	/* Where f_type is a signed 32-bit value, CIFS comes out negative. */
	assert_int_equal(store_fs_is_remote((long)(int32_t)0xFF534D42U), 1);
	assert_int_equal(store_fs_is_remote(0xEF53), 0);	/* ext4 */
	assert_int_equal(store_fs_is_remote(0x01021994), 0);	/* tmpfs */
	assert_int_equal(store_fs_is_remote(0x58465342), 0);	/* xfs */
	assert_int_equal(store_fs_is_remote(0), 0);
}

static void
test_readonly_dir(void **state)
{
	struct fix	*fx = *state;
	struct store	*st = NULL;
	char		*ro, *sub;

	if (geteuid() == 0)
		skip();	/* root ignores directory modes */
	ro = xasprintf("%s/ro", fx->dir);
	sub = xasprintf("%s/sub", ro);
	assert_int_equal(mkdir(ro, 0700), 0);
	assert_int_equal(chmod(ro, 0500), 0);
	assert_int_equal(store_open(ro, 0, &st), ERR_PERM);
	assert_null(st);
	assert_non_null(strstr(err_msg(), ro));
	assert_int_equal(store_open(sub, 0, &st), ERR_PERM);
	assert_null(st);
	chmod(ro, 0700);
	free(sub);
	free(ro);
}

static void
test_dir_mode_tightened(void **state)
{
	struct fix	*fx = *state;
	struct stat	 sb;

	store_close(fx->st);
	fx->st = NULL;
	assert_int_equal(chmod(fx->sdir, 0755), 0);
	assert_int_equal(store_open(fx->sdir, 0, &fx->st), 0);
	assert_int_equal(stat(fx->sdir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_create_put_get),
		T(test_duplicate_and_required),
		T(test_rename),
		T(test_indexes),
		T(test_del),
		T(test_iteration_order),
		T(test_names_prefix),
		T(test_snapshot_scope),
		T(test_audit_unnamed),
		T(test_check_finds_damage),
		T(test_map_growth),
		T(test_growth_rerun_keeps_ids),
		T(test_newer_schema),
		T(test_rdonly),
		T(test_fs_is_remote),
		T(test_readonly_dir),
		T(test_dir_mode_tightened),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
