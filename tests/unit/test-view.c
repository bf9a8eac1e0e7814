/*
 * test-view.c: unit tests of the presentation of records: tag lists
 * (view_tags), default and full columns per kind, and row values with
 * references resolved to names through a real store in a temporary
 * directory, including the per-view cache of those names.
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
#include "record.h"
#include "store.h"
#include "view.h"

#include "store-fixture.h"

static int
put_fn(struct store_txn *t, void *arg)
{
	return store_put(t, arg);
}

/* Stores r in its own write transaction; returns its new id. */
static uint64_t
put(struct store *st, struct record *r)
{
	assert_int_equal(store_write(st, put_fn, r), 0);
	return r->id;
}

static uint64_t
add_host(struct store *st, const char *name)
{
	struct record	*r = record_new(KIND_HOST);
	uint64_t	 id;

	record_set(r, FI_NAME, name);
	record_set(r, HOST_ADDRESS, "10.0.0.1");
	record_set(r, HOST_DRIVER, "kvm");
	id = put(st, r);
	record_free(r);
	return id;
}

/* Applies view_tags with NULL-terminated lists; returns its code. */
static int
tags(struct record *r, char **set, char **unset)
{
	int	nset = 0, nunset = 0;

	while (set != NULL && set[nset] != NULL)
		nset++;
	while (unset != NULL && unset[nunset] != NULL)
		nunset++;
	return view_tags(r, HOST_TAGS, set, nset, unset, nunset);
}

static void
test_tags_add_replace_remove(void **state)
{
	struct record	*r = record_new(KIND_HOST);

	/* Added tags come out sorted. */
	assert_int_equal(tags(r, (char *[]){ "team=web", "env=prod", NULL },
	    NULL), 0);
	assert_string_equal(record_get(r, HOST_TAGS), "env=prod,team=web");
	assert_int_equal(tags(r, (char *[]){ "az=2", NULL }, NULL), 0);
	assert_string_equal(record_get(r, HOST_TAGS),
	    "az=2,env=prod,team=web");
	/* Setting a key again replaces its value. */
	assert_int_equal(tags(r, (char *[]){ "env=test", NULL }, NULL), 0);
	assert_string_equal(record_get(r, HOST_TAGS),
	    "az=2,env=test,team=web");
	/* Within one call the last value of a key wins. */
	assert_int_equal(tags(r, (char *[]){ "az=3", "az=4", NULL }, NULL), 0);
	assert_string_equal(record_get(r, HOST_TAGS),
	    "az=4,env=test,team=web");
	/* Removing: only that key, not one it is a prefix of. */
	assert_int_equal(tags(r, (char *[]){ "e=1", NULL }, NULL), 0);
	assert_int_equal(tags(r, NULL, (char *[]){ "e", NULL }), 0);
	assert_string_equal(record_get(r, HOST_TAGS),
	    "az=4,env=test,team=web");
	assert_int_equal(tags(r, NULL, (char *[]){ "team", "nosuch", NULL }),
	    0);
	assert_string_equal(record_get(r, HOST_TAGS), "az=4,env=test");
	/* Unset first, then set: a key in both ends up set. */
	assert_int_equal(tags(r, (char *[]){ "az=5", NULL },
	    (char *[]){ "az", NULL }), 0);
	assert_string_equal(record_get(r, HOST_TAGS), "az=5,env=test");
	/* Removing the last tags unsets the field. */
	assert_int_equal(tags(r, NULL, (char *[]){ "az", "env", NULL }), 0);
	assert_null(record_get(r, HOST_TAGS));
	/* Removing from no tags at all is fine. */
	assert_int_equal(tags(r, NULL, (char *[]){ "az", NULL }), 0);
	assert_null(record_get(r, HOST_TAGS));
	/* Nothing to do leaves nothing. */
	assert_int_equal(tags(r, NULL, NULL), 0);
	assert_null(record_get(r, HOST_TAGS));
	record_free(r);
}

static void
test_tags_sorted(void **state)
{
	struct record	*r = record_new(KIND_VM);

	/* An unsorted stored value is put in order by the next change. */
	record_set(r, VM_TAGS, "z=1,m=2,a=3");
	assert_int_equal(view_tags(r, VM_TAGS, NULL, 0, NULL, 0), 0);
	assert_string_equal(record_get(r, VM_TAGS), "a=3,m=2,z=1");
	assert_int_equal(view_tags(r, VM_TAGS, (char *[]){ "b=9" }, 1, NULL,
	    0), 0);
	assert_string_equal(record_get(r, VM_TAGS), "a=3,b=9,m=2,z=1");
	/* Equal sets given in any order compare equal. */
	record_set(r, VM_TAGS, NULL);
	assert_int_equal(view_tags(r, VM_TAGS, (char *[]){ "k2=b", "k1=a",
	    "k3=c" }, 3, NULL, 0), 0);
	assert_string_equal(record_get(r, VM_TAGS), "k1=a,k2=b,k3=c");
	record_free(r);
}

/*
 * schema.h promises FT_TAGS values with their keys sorted. Keys may hold
 * '-', '.' and digits, which sort before '=': sorting whole "k=v" strings
 * puts "a1=x" before "a=y", so the keys come out as a1, a.
 */
static void
test_tags_sorted_by_key(void **state)
{
	struct record	*r = record_new(KIND_HOST);
	char		 got[64];
	int		 rc;

	rc = tags(r, (char *[]){ "a=1", "a1=2", "a-b=3", "a.c=4", "b=5",
	    NULL }, NULL);
	snprintf(got, sizeof got, "%s", record_get(r, HOST_TAGS));
	record_free(r);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "a=1,a-b=3,a.c=4,a1=2,b=5");
}

/* view_tags(set) must fail with ERR_USAGE and leave the tags as they were. */
static void
assert_tag_refused(struct record *r, const char *tag)
{
	char	*set[] = { (char *)tag, NULL };
	int	 rc;

	err_clear();
	rc = tags(r, set, NULL);
	if (rc != ERR_USAGE)
		fail_msg("tag '%s': %d, not ERR_USAGE", tag, rc);
	assert_non_null(strstr(err_msg(), "is not KEY=VALUE"));
	assert_string_equal(record_get(r, HOST_TAGS), "env=prod");
}

static void
test_tags_refused(void **state)
{
	struct record	*r = record_new(KIND_HOST);
	char		 big[200];

	assert_int_equal(tags(r, (char *[]){ "env=prod", NULL }, NULL), 0);
	/* Bad keys. */
	assert_tag_refused(r, "=x");
	assert_tag_refused(r, "-k=x");
	assert_tag_refused(r, ".k=x");
	assert_tag_refused(r, "a b=x");
	assert_tag_refused(r, "a,b=x");
	assert_tag_refused(r, "k\x01=x");
	/* Bad values. */
	assert_tag_refused(r, "k=a,b");
	assert_tag_refused(r, "k=a=b");
	assert_tag_refused(r, "k=a b");
	assert_tag_refused(r, "k= ");
	assert_tag_refused(r, "k=a\tb");
	assert_tag_refused(r, "k=\x7f");
	assert_tag_refused(r, "k=caf\xc3\xa9");
	/* A good tag before a bad one in the same call is not kept either. */
	assert_int_equal(tags(r, (char *[]){ "ok=1", "k=a b", NULL }, NULL),
	    ERR_USAGE);
	assert_string_equal(record_get(r, HOST_TAGS), "env=prod");
	/* Values up to 128 bytes. */
	snprintf(big, sizeof big, "k=%0128d", 0);
	assert_int_equal(tags(r, (char *[]){ big, NULL }, NULL), 0);
	assert_int_equal(tags(r, NULL, (char *[]){ "k", NULL }), 0);
	snprintf(big, sizeof big, "k=%0129d", 0);
	assert_tag_refused(r, big);
	/* An empty value and punctuation are allowed. */
	assert_int_equal(tags(r, (char *[]){ "k=", "p=a;b:c/d", NULL }, NULL),
	    0);
	assert_string_equal(record_get(r, HOST_TAGS), "env=prod,k=,p=a;b:c/d");
	record_free(r);
}

static void
test_defaults(void **state)
{
	const char	*d;

	d = view_defaults(KIND_HOST);
	assert_string_equal(d,
	    "name,address,driver,status,cpus,memory,last_seen");
	assert_int_equal(strncmp(d, "name,address,driver", 19), 0);
	/* Static storage: the same string again. */
	assert_ptr_equal(view_defaults(KIND_HOST), d);
	d = view_defaults(KIND_AUDIT);
	assert_string_equal(d, "id,time,user,command,status,result");
	assert_string_equal(view_defaults(KIND_VM),
	    "name,host,image,state,cpus,memory");
	assert_string_equal(view_defaults(KIND_SNAPSHOT),
	    "name,vm,state,description");
	assert_string_equal(view_defaults(KIND_USER), "name,role");
	/* Every kind but the audit's begins with its name. */
	assert_int_equal(strncmp(view_defaults(KIND_POOL), "name,", 5), 0);
	assert_int_equal(strncmp(view_defaults(KIND_IMAGE), "name,", 5), 0);
	assert_int_equal(strncmp(view_defaults(KIND_VOLUME), "name,", 5), 0);
}

static void
test_cols(void **state)
{
	struct col_def	 cols[RECORD_MAXFIELDS + 1];
	const char	*types[] = { "str", "int", "size", "time" };
	size_t		 n, i;
	int		 k;

	for (k = 0; k < KIND__COUNT; k++) {
		const struct kind_def	*kd = kind_def((enum kind)k);

		memset(cols, 0, sizeof cols);
		n = view_cols(kd, cols);
		assert_int_equal(n, kd->nfields + 1);
		assert_string_equal(cols[0].name, "id");
		assert_int_equal(cols[0].type, COL_INT);
		for (i = 0; i < kd->nfields; i++) {
			enum col_type	want;

			switch (kd->fields[i].type) {
			case FT_INT:
				want = COL_INT;
				break;
			case FT_SIZE:
				want = COL_SIZE;
				break;
			case FT_TIME:
				want = COL_TIME;
				break;
			default:
				want = COL_STR;
				break;
			}
			assert_string_equal(cols[i + 1].name,
			    kd->fields[i].name);
			if (cols[i + 1].type != want)
				fail_msg("%s.%s: column type %s, not %s",
				    kd->name, kd->fields[i].name,
				    types[cols[i + 1].type], types[want]);
		}
	}
	/* A few by hand. */
	n = view_cols(kind_def(KIND_HOST), cols);
	assert_string_equal(cols[1].name, "name");
	assert_int_equal(cols[1].type, COL_STR);
	assert_string_equal(cols[1 + FI_CREATED].name, "created");
	assert_int_equal(cols[1 + FI_CREATED].type, COL_TIME);
	assert_string_equal(cols[1 + HOST_PORT].name, "port");
	assert_int_equal(cols[1 + HOST_PORT].type, COL_INT);
	assert_string_equal(cols[1 + HOST_MEMORY].name, "memory");
	assert_int_equal(cols[1 + HOST_MEMORY].type, COL_SIZE);
	assert_int_equal(cols[1 + HOST_DRIVER].type, COL_STR);
	assert_int_equal(cols[1 + HOST_TAGS].type, COL_STR);
	assert_string_equal(cols[1 + HOST_TAGS].name, "tags");
	/* References show as names: text. */
	view_cols(kind_def(KIND_VM), cols);
	assert_string_equal(cols[1 + VM_HOST].name, "host");
	assert_int_equal(cols[1 + VM_HOST].type, COL_STR);
}

static void
test_vals(void **state)
{
	struct fix		*fx = *state;
	struct store_txn	*tx;
	struct view		*v;
	struct record		*vm;
	const char		*vals[RECORD_MAXFIELDS + 1];
	uint64_t		 h1, h2;
	size_t			 i;

	h1 = add_host(fx->st, "kvm1");
	h2 = add_host(fx->st, "kvm2");
	vm = record_new(KIND_VM);
	record_set(vm, FI_NAME, "web1");
	record_setf(vm, VM_HOST, "%llu", (unsigned long long)h2);
	record_set(vm, VM_MEMORY, "2147483648");
	put(fx->st, vm);
	assert_int_equal(vm->id, 1);

	assert_int_equal(store_read(fx->st, &tx), 0);
	v = view_new(tx);
	for (i = 0; i < nitems(vals); i++)
		vals[i] = "unset";
	view_vals(v, vm, vals);
	assert_string_equal(vals[0], "1");
	assert_string_equal(vals[1 + FI_NAME], "web1");
	assert_string_equal(vals[1 + FI_CREATED], "1700000000");
	/* The reference shows as the host's name, not its id. */
	assert_string_equal(vals[1 + VM_HOST], "kvm2");
	assert_null(vals[1 + VM_IMAGE]);
	assert_string_equal(vals[1 + VM_MEMORY], "2147483648");
	assert_null(vals[1 + VM_TAGS]);
	/* The values after the kind's fields are not touched. */
	assert_string_equal(vals[VM__N + 1], "unset");

	/* A dangling id, a malformed one and id 0 give no name. */
	record_set(vm, VM_HOST, "99");
	record_setf(vm, VM_IMAGE, "%llu", (unsigned long long)h1);
	view_vals(v, vm, vals);
	assert_null(vals[1 + VM_HOST]);
	/* The image id is host kvm1's, but no image has it. */
	assert_null(vals[1 + VM_IMAGE]);
	record_set(vm, VM_HOST, "abc");
	view_vals(v, vm, vals);
	assert_null(vals[1 + VM_HOST]);
	record_set(vm, VM_HOST, "0");
	view_vals(v, vm, vals);
	assert_null(vals[1 + VM_HOST]);
	record_set(vm, VM_HOST, "-1");
	view_vals(v, vm, vals);
	assert_null(vals[1 + VM_HOST]);
	record_setf(vm, VM_HOST, "%llu", (unsigned long long)h1);
	view_vals(v, vm, vals);
	assert_string_equal(vals[1 + VM_HOST], "kvm1");
	view_free(v);
	store_txn_end(tx);
	record_free(vm);
}

static int
rename_fn(struct store_txn *t, void *arg)
{
	struct record	*r;
	int		 rc;

	if ((rc = store_get(t, KIND_HOST, *(uint64_t *)arg, &r)) != 0)
		return rc;
	record_set(r, FI_NAME, "renamed");
	rc = store_put(t, r);
	record_free(r);
	return rc;
}

static void
test_ref_name_cache(void **state)
{
	struct fix		*fx = *state;
	struct store_txn	*tx;
	struct view		*v;
	const char		*a, *b;
	uint64_t		 h1, h2, i;

	h1 = add_host(fx->st, "kvm1");
	h2 = add_host(fx->st, "kvm2");
	assert_int_equal(store_read(fx->st, &tx), 0);
	v = view_new(tx);
	a = view_ref_name(v, KIND_HOST, h1);
	assert_string_equal(a, "kvm1");
	b = view_ref_name(v, KIND_HOST, h1);
	assert_ptr_equal(a, b);
	b = view_ref_name(v, KIND_HOST, h2);
	assert_string_equal(b, "kvm2");
	assert_ptr_not_equal(a, b);
	assert_ptr_equal(view_ref_name(v, KIND_HOST, h2), b);
	/* The same id of another kind is another record. */
	assert_null(view_ref_name(v, KIND_POOL, h1));
	assert_null(view_ref_name(v, KIND_POOL, h1));
	assert_ptr_equal(view_ref_name(v, KIND_HOST, h1), a);
	/* Missing records are remembered as missing. */
	assert_null(view_ref_name(v, KIND_HOST, 12345));
	assert_null(view_ref_name(v, KIND_HOST, 12345));
	/* Many ids share buckets; each keeps its own answer. */
	for (i = 1000; i < 4000; i++)
		assert_null(view_ref_name(v, KIND_HOST, i));
	assert_ptr_equal(view_ref_name(v, KIND_HOST, h1), a);
	assert_ptr_equal(view_ref_name(v, KIND_HOST, h2), b);

	/* A view sees its transaction: a rename after it began is not seen. */
	assert_int_equal(store_write(fx->st, rename_fn, &h1), 0);
	assert_string_equal(view_ref_name(v, KIND_HOST, h1), "kvm1");
	view_free(v);
	store_txn_end(tx);
	assert_int_equal(store_read(fx->st, &tx), 0);
	v = view_new(tx);
	assert_string_equal(view_ref_name(v, KIND_HOST, h1), "renamed");
	view_free(v);
	store_txn_end(tx);
	view_free(NULL);
}

static void
test_find(void **state)
{
	struct fix		*fx = *state;
	struct store_txn	*tx;
	struct record		*r = NULL;

	add_host(fx->st, "kvm1");
	assert_int_equal(store_read(fx->st, &tx), 0);
	assert_int_equal(view_find(tx, KIND_HOST, "kvm1", &r), 0);
	assert_string_equal(record_get(r, FI_NAME), "kvm1");
	record_free(r);
	assert_int_equal(view_find(tx, KIND_HOST, "kvm9", &r), ERR_NOENT);
	assert_null(r);
	assert_string_equal(err_msg(), "host 'kvm9' not found");
	assert_int_equal(view_find(tx, KIND_VM, "kvm1", &r), ERR_NOENT);
	assert_string_equal(err_msg(), "vm 'kvm1' not found");
	store_txn_end(tx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tags_add_replace_remove),
		cmocka_unit_test(test_tags_sorted),
		cmocka_unit_test(test_tags_sorted_by_key),
		cmocka_unit_test(test_tags_refused),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_cols),
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_vals),
		T(test_ref_name_cache),
		T(test_find),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
