/*
 * test-inventory.c: unit tests of the rules that span kinds, on a real
 * store in a temporary directory: what refers to a record, the refusal to
 * remove a record in use, and what a forced removal does to the records
 * that referred to it. The store's consistency check must pass after each.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "inventory.h"
#include "record.h"
#include "store.h"

#include "store-fixture.h"

static int
put_fn(struct store_txn *t, void *arg)
{
	return store_put(t, arg);
}

/* Stores r in its own write transaction, frees it, returns its id. */
static uint64_t
put(struct store *st, struct record *r)
{
	uint64_t	id;

	if (store_write(st, put_fn, r) != 0)
		fail_msg("store_put: %s", err_msg());
	id = r->id;
	record_free(r);
	return id;
}

static void
set_ref(struct record *r, int field, uint64_t id)
{
	if (id != 0)
		record_setf(r, field, "%llu", (unsigned long long)id);
}

static uint64_t
add_host(struct store *st, const char *name)
{
	struct record	*r = record_new(KIND_HOST);

	record_set(r, FI_NAME, name);
	record_set(r, HOST_ADDRESS, "10.0.0.1");
	record_set(r, HOST_DRIVER, "kvm");
	return put(st, r);
}

static uint64_t
add_pool(struct store *st, const char *name, uint64_t host)
{
	struct record	*r = record_new(KIND_POOL);

	record_set(r, FI_NAME, name);
	record_set(r, POOL_ROLE, "primary");
	record_set(r, POOL_TYPE, "dir");
	record_set(r, POOL_PATH, "/srv");
	set_ref(r, POOL_HOST, host);
	return put(st, r);
}

static uint64_t
add_image(struct store *st, const char *name, uint64_t pool)
{
	struct record	*r = record_new(KIND_IMAGE);

	record_set(r, FI_NAME, name);
	record_set(r, IMAGE_KIND, "template");
	record_set(r, IMAGE_FORMAT, "qcow2");
	set_ref(r, IMAGE_POOL, pool);
	return put(st, r);
}

static uint64_t
add_vm(struct store *st, const char *name, uint64_t host, uint64_t image)
{
	struct record	*r = record_new(KIND_VM);

	record_set(r, FI_NAME, name);
	record_set(r, VM_STATE, "running");
	set_ref(r, VM_HOST, host);
	set_ref(r, VM_IMAGE, image);
	return put(st, r);
}

static uint64_t
add_volume(struct store *st, const char *name, uint64_t pool, uint64_t vm)
{
	struct record	*r = record_new(KIND_VOLUME);

	record_set(r, FI_NAME, name);
	set_ref(r, VOLUME_POOL, pool);
	set_ref(r, VOLUME_VM, vm);
	record_set(r, VOLUME_STATE, vm != 0 ? "attached" : "available");
	return put(st, r);
}

static uint64_t
add_snapshot(struct store *st, const char *name, uint64_t vm)
{
	struct record	*r = record_new(KIND_SNAPSHOT);

	record_set(r, FI_NAME, name);
	set_ref(r, SNAPSHOT_VM, vm);
	record_set(r, SNAPSHOT_STATE, "running");
	return put(st, r);
}

/* Record (k, id), or NULL when it is gone. The caller frees. */
static struct record *
get(struct store *st, enum kind k, uint64_t id)
{
	struct store_txn	*t;
	struct record		*r = NULL;
	int			 rc;

	assert_int_equal(store_read(st, &t), 0);
	rc = store_get(t, k, id, &r);
	store_txn_end(t);
	if (rc == ERR_NOENT)
		return NULL;
	assert_int_equal(rc, 0);
	return r;
}

/* 1 if (k, id) exists. */
static int
exists(struct store *st, enum kind k, uint64_t id)
{
	struct record	*r = get(st, k, id);

	record_free(r);
	return r != NULL;
}

/* Field f of (k, id), which must exist, copied into buf ("" if unset). */
static const char *
field(struct store *st, enum kind k, uint64_t id, int f, char *buf,
    size_t len)
{
	struct record	*r = get(st, k, id);

	assert_non_null(r);
	snprintf(buf, len, "%s", record_get(r, f) != NULL ? record_get(r, f) :
	    "");
	record_free(r);
	return buf;
}

/* Reference field f of (k, id) as an id; 0 if unset. */
static uint64_t
field_id(struct store *st, enum kind k, uint64_t id, int f)
{
	char	b[32];

	return strtoull(field(st, k, id, f, b, sizeof b), NULL, 10);
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
count_ref(struct store *st, enum kind k, int f, uint64_t ref)
{
	struct store_txn	*t;
	size_t			 n;

	assert_int_equal(store_read(st, &t), 0);
	assert_int_equal(store_count_ref(t, k, f, ref, &n), 0);
	store_txn_end(t);
	return n;
}

/* inventory_refs of (k, id) in a read transaction; desc into *desc. */
static size_t
refs(struct store *st, enum kind k, uint64_t id, struct buf *desc)
{
	struct store_txn	*t;
	size_t			 total = 99;

	buf_reset(desc);
	assert_int_equal(store_read(st, &t), 0);
	assert_int_equal(inventory_refs(t, k, id, &total, desc), 0);
	store_txn_end(t);
	return total;
}

struct rm_arg {
	enum kind	kind;
	uint64_t	id;
	int		force;
};

static int
rm_fn(struct store_txn *t, void *arg)
{
	struct rm_arg	*ra = arg;

	return inventory_remove(t, ra->kind, ra->id, ra->force);
}

/* inventory_remove in its own write transaction; its code. */
static int
rm(struct store *st, enum kind k, uint64_t id, int force)
{
	struct rm_arg	ra = { k, id, force };

	return store_write(st, rm_fn, &ra);
}

static void
assert_consistent(struct store *st)
{
	struct buf	rep = { 0 };
	size_t		problems = 99;

	assert_int_equal(store_check(st, &rep, &problems), 0);
	if (problems != 0)
		fail_msg("%zu problems: %s", problems, rep.data);
	buf_free(&rep);
}

static void
test_refs(void **state)
{
	struct fix		*fx = *state;
	struct store_txn	*t;
	struct buf		 desc = { 0 };
	size_t			 total;
	uint64_t		 h1, h2, p1, v1;

	h1 = add_host(fx->st, "h1");
	h2 = add_host(fx->st, "h2");
	assert_int_equal(refs(fx->st, KIND_HOST, h1, &desc), 0);
	assert_int_equal(desc.len, 0);

	v1 = add_vm(fx->st, "v1", h1, 0);
	assert_int_equal(refs(fx->st, KIND_HOST, h1, &desc), 1);
	assert_string_equal(desc.data, "1 vm");
	add_vm(fx->st, "v2", h1, 0);
	add_vm(fx->st, "v3", h2, 0);
	add_vm(fx->st, "v4", 0, 0);
	p1 = add_pool(fx->st, "p1", h1);
	assert_int_equal(refs(fx->st, KIND_HOST, h1, &desc), 3);
	/* Kinds in schema order: pools come before vms. */
	assert_string_equal(desc.data, "1 pool, 2 vms");
	assert_int_equal(refs(fx->st, KIND_HOST, h2, &desc), 1);
	assert_string_equal(desc.data, "1 vm");
	/* Only references to that kind count: id 1 is also a pool's. */
	assert_int_equal(p1, h1);
	add_image(fx->st, "i1", p1);
	add_volume(fx->st, "vol1", p1, v1);
	add_volume(fx->st, "vol2", p1, 0);
	assert_int_equal(refs(fx->st, KIND_POOL, p1, &desc), 3);
	assert_string_equal(desc.data, "1 image, 2 volumes");
	add_snapshot(fx->st, "s1", v1);
	add_snapshot(fx->st, "s2", v1);
	assert_int_equal(refs(fx->st, KIND_VM, v1, &desc), 3);
	assert_string_equal(desc.data, "1 volume, 2 snapshots");
	assert_int_equal(refs(fx->st, KIND_HOST, h1, &desc), 3);
	/* Nothing refers to a snapshot or to a missing record. */
	assert_int_equal(refs(fx->st, KIND_SNAPSHOT, 1, &desc), 0);
	assert_int_equal(refs(fx->st, KIND_HOST, 999, &desc), 0);

	/* desc may be NULL. */
	assert_int_equal(store_read(fx->st, &t), 0);
	total = 99;
	assert_int_equal(inventory_refs(t, KIND_HOST, h1, &total, NULL), 0);
	assert_int_equal(total, 3);
	store_txn_end(t);
	buf_free(&desc);
}

/* A host with vms, a pool and, under those, images, volumes, snapshots. */
struct world {
	uint64_t	h1, h2, p1, p2, i1, v1, v2, v3, vol1, vol2, vol3,
			s1, s2, s3;
};

static void
build(struct store *st, struct world *w)
{
	w->h1 = add_host(st, "h1");
	w->h2 = add_host(st, "h2");
	w->p1 = add_pool(st, "p1", w->h1);
	w->p2 = add_pool(st, "p2", 0);
	w->i1 = add_image(st, "i1", w->p2);
	w->v1 = add_vm(st, "v1", w->h1, w->i1);
	w->v2 = add_vm(st, "v2", w->h1, 0);
	w->v3 = add_vm(st, "v3", w->h2, w->i1);
	w->vol1 = add_volume(st, "vol1", w->p1, w->v1);
	w->vol2 = add_volume(st, "vol2", w->p1, w->v1);
	w->vol3 = add_volume(st, "vol3", w->p1, w->v3);
	w->s1 = add_snapshot(st, "s1", w->v1);
	w->s2 = add_snapshot(st, "s2", w->v1);
	/* The same name under another vm. */
	w->s3 = add_snapshot(st, "s1", w->v3);
	assert_consistent(st);
}

static void
test_remove_refused(void **state)
{
	struct fix	*fx = *state;
	struct world	 w;

	build(fx->st, &w);
	assert_int_equal(rm(fx->st, KIND_HOST, w.h1, 0), ERR_BUSY);
	assert_string_equal(err_msg(), "host 'h1' is used by 1 pool, 2 vms "
	    "(use --force to remove it anyway)");
	assert_int_equal(rm(fx->st, KIND_VM, w.v1, 0), ERR_BUSY);
	assert_string_equal(err_msg(), "vm 'v1' is used by 2 volumes, "
	    "2 snapshots (use --force to remove it anyway)");
	assert_int_equal(rm(fx->st, KIND_IMAGE, w.i1, 0), ERR_BUSY);
	assert_int_equal(rm(fx->st, KIND_POOL, w.p1, 0), ERR_BUSY);
	/* Nothing changed. */
	assert_true(exists(fx->st, KIND_HOST, w.h1));
	assert_true(exists(fx->st, KIND_VM, w.v1));
	assert_int_equal(count(fx->st, KIND_VM), 3);
	assert_int_equal(count(fx->st, KIND_SNAPSHOT), 3);
	assert_int_equal(count(fx->st, KIND_VOLUME), 3);
	assert_int_equal(count_ref(fx->st, KIND_VM, VM_HOST, w.h1), 2);
	assert_int_equal(count_ref(fx->st, KIND_POOL, POOL_HOST, w.h1), 1);
	assert_int_equal(count_ref(fx->st, KIND_SNAPSHOT, SNAPSHOT_VM, w.v1),
	    2);
	assert_consistent(fx->st);

	/* A record nothing refers to goes without force. */
	assert_int_equal(rm(fx->st, KIND_SNAPSHOT, w.s1, 0), 0);
	assert_false(exists(fx->st, KIND_SNAPSHOT, w.s1));
	assert_int_equal(rm(fx->st, KIND_SNAPSHOT, w.s1, 0), ERR_NOENT);
	assert_int_equal(rm(fx->st, KIND_HOST, 999, 1), ERR_NOENT);
	assert_consistent(fx->st);
}

static void
test_remove_host_forced(void **state)
{
	struct fix	*fx = *state;
	struct world	 w;
	char		 b[64];

	build(fx->st, &w);
	assert_int_equal(rm(fx->st, KIND_HOST, w.h1, 1), 0);
	assert_false(exists(fx->st, KIND_HOST, w.h1));
	/* The vms and the pool stay, without their host. */
	assert_string_equal(field(fx->st, KIND_VM, w.v1, VM_HOST, b, sizeof b),
	    "");
	assert_string_equal(field(fx->st, KIND_VM, w.v2, VM_HOST, b, sizeof b),
	    "");
	assert_string_equal(field(fx->st, KIND_POOL, w.p1, POOL_HOST, b,
	    sizeof b), "");
	/* Their other references and fields are untouched. */
	assert_int_equal(field_id(fx->st, KIND_VM, w.v1, VM_IMAGE), w.i1);
	assert_string_equal(field(fx->st, KIND_VM, w.v1, VM_STATE, b, sizeof b),
	    "running");
	assert_int_equal(field_id(fx->st, KIND_VM, w.v3, VM_HOST), w.h2);
	/* The vms keep their snapshots and volumes. */
	assert_int_equal(count(fx->st, KIND_VM), 3);
	assert_int_equal(count(fx->st, KIND_SNAPSHOT), 3);
	assert_int_equal(count(fx->st, KIND_VOLUME), 3);
	assert_string_equal(field(fx->st, KIND_VOLUME, w.vol1, VOLUME_STATE, b,
	    sizeof b), "attached");
	assert_int_equal(count_ref(fx->st, KIND_VM, VM_HOST, w.h1), 0);
	assert_int_equal(count_ref(fx->st, KIND_POOL, POOL_HOST, w.h1), 0);
	assert_int_equal(count_ref(fx->st, KIND_VM, VM_HOST, w.h2), 1);
	assert_consistent(fx->st);
	/* Now h2 goes without force only once v3 is gone. */
	assert_int_equal(rm(fx->st, KIND_HOST, w.h2, 0), ERR_BUSY);
	assert_int_equal(rm(fx->st, KIND_VM, w.v3, 1), 0);
	assert_int_equal(rm(fx->st, KIND_HOST, w.h2, 0), 0);
	assert_consistent(fx->st);
}

static void
test_remove_vm_forced(void **state)
{
	struct fix	*fx = *state;
	struct world	 w;
	struct record	*r;
	char		 b[64];

	build(fx->st, &w);
	assert_int_equal(rm(fx->st, KIND_VM, w.v1, 1), 0);
	assert_false(exists(fx->st, KIND_VM, w.v1));
	/* Its snapshots cannot exist without it. */
	assert_false(exists(fx->st, KIND_SNAPSHOT, w.s1));
	assert_false(exists(fx->st, KIND_SNAPSHOT, w.s2));
	assert_int_equal(count_ref(fx->st, KIND_SNAPSHOT, SNAPSHOT_VM, w.v1),
	    0);
	/* Another vm's snapshot of the same name stays. */
	r = get(fx->st, KIND_SNAPSHOT, w.s3);
	assert_non_null(r);
	assert_string_equal(record_get(r, FI_NAME), "s1");
	record_free(r);
	/* Its volumes stay, available and attached to nothing. */
	assert_string_equal(field(fx->st, KIND_VOLUME, w.vol1, VOLUME_VM, b,
	    sizeof b), "");
	assert_string_equal(field(fx->st, KIND_VOLUME, w.vol1, VOLUME_STATE, b,
	    sizeof b), "available");
	assert_string_equal(field(fx->st, KIND_VOLUME, w.vol2, VOLUME_VM, b,
	    sizeof b), "");
	assert_string_equal(field(fx->st, KIND_VOLUME, w.vol2, VOLUME_STATE, b,
	    sizeof b), "available");
	assert_int_equal(field_id(fx->st, KIND_VOLUME, w.vol1, VOLUME_POOL),
	    w.p1);
	/* Another vm's volume stays attached. */
	assert_string_equal(field(fx->st, KIND_VOLUME, w.vol3, VOLUME_STATE, b,
	    sizeof b), "attached");
	assert_int_equal(count_ref(fx->st, KIND_VOLUME, VOLUME_VM, w.v3), 1);
	assert_int_equal(count(fx->st, KIND_VOLUME), 3);
	assert_int_equal(count(fx->st, KIND_SNAPSHOT), 1);
	/* The host and the image lost a referrer. */
	assert_int_equal(count_ref(fx->st, KIND_VM, VM_HOST, w.h1), 1);
	assert_int_equal(count_ref(fx->st, KIND_VM, VM_IMAGE, w.i1), 1);
	assert_consistent(fx->st);
}

static void
test_remove_pool_and_image_forced(void **state)
{
	struct fix	*fx = *state;
	struct world	 w;
	char		 b[64];

	build(fx->st, &w);
	/* An image removed: the vms made from it forget it. */
	assert_int_equal(rm(fx->st, KIND_IMAGE, w.i1, 1), 0);
	assert_string_equal(field(fx->st, KIND_VM, w.v1, VM_IMAGE, b, sizeof b),
	    "");
	assert_string_equal(field(fx->st, KIND_VM, w.v3, VM_IMAGE, b, sizeof b),
	    "");
	assert_int_equal(count(fx->st, KIND_VM), 3);
	/* A pool removed: its volumes stay, attached as they were. */
	assert_int_equal(rm(fx->st, KIND_POOL, w.p1, 1), 0);
	assert_int_equal(count(fx->st, KIND_VOLUME), 3);
	assert_string_equal(field(fx->st, KIND_VOLUME, w.vol1, VOLUME_POOL, b,
	    sizeof b), "");
	assert_int_equal(field_id(fx->st, KIND_VOLUME, w.vol1, VOLUME_VM),
	    w.v1);
	assert_string_equal(field(fx->st, KIND_VOLUME, w.vol1, VOLUME_STATE, b,
	    sizeof b), "attached");
	assert_int_equal(count_ref(fx->st, KIND_VOLUME, VOLUME_POOL, w.p1), 0);
	/* The pool no longer refers to h1 either. */
	assert_int_equal(count_ref(fx->st, KIND_POOL, POOL_HOST, w.h1), 0);
	assert_consistent(fx->st);
	/* Everything, forced, in an order that leaves references behind. */
	assert_int_equal(rm(fx->st, KIND_HOST, w.h1, 1), 0);
	assert_int_equal(rm(fx->st, KIND_HOST, w.h2, 1), 0);
	assert_int_equal(rm(fx->st, KIND_VM, w.v1, 1), 0);
	assert_int_equal(rm(fx->st, KIND_VM, w.v3, 1), 0);
	assert_int_equal(rm(fx->st, KIND_POOL, w.p2, 0), 0);
	assert_int_equal(count(fx->st, KIND_SNAPSHOT), 0);
	assert_int_equal(count(fx->st, KIND_VM), 1);
	assert_int_equal(count(fx->st, KIND_HOST), 0);
	assert_consistent(fx->st);
}

/* A refusal in the middle of a transaction undoes all of it. */
struct two_arg {
	uint64_t	first, second;
};

static int
two_fn(struct store_txn *t, void *arg)
{
	struct two_arg	*ta = arg;
	int		 rc;

	if ((rc = inventory_remove(t, KIND_VM, ta->first, 1)) != 0)
		return rc;
	return inventory_remove(t, KIND_HOST, ta->second, 0);
}

static void
test_remove_atomic(void **state)
{
	struct fix	*fx = *state;
	struct world	 w;
	struct two_arg	 ta;
	char		 b[64];

	build(fx->st, &w);
	ta.first = w.v1;
	ta.second = w.h1;
	assert_int_equal(store_write(fx->st, two_fn, &ta), ERR_BUSY);
	assert_true(exists(fx->st, KIND_VM, w.v1));
	assert_true(exists(fx->st, KIND_SNAPSHOT, w.s1));
	assert_string_equal(field(fx->st, KIND_VOLUME, w.vol1, VOLUME_STATE, b,
	    sizeof b), "attached");
	assert_int_equal(count(fx->st, KIND_SNAPSHOT), 3);
	assert_consistent(fx->st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_refs),
		T(test_remove_refused),
		T(test_remove_host_forced),
		T(test_remove_vm_forced),
		T(test_remove_pool_and_image_forced),
		T(test_remove_atomic),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
