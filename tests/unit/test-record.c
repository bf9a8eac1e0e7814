/*
 * test-record.c: unit tests of the record encoding. Decoding reads bytes
 * from disk, so besides round trips these feed it every truncation of a good
 * encoding and random bytes, each in a buffer of exactly that size so that
 * ASan catches any read past the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "record.h"

/* Decodes a private exact-size copy of data[0..len). */
static int
decode_copy(enum kind k, const void *data, size_t len, struct record **out)
{
	void	*p = malloc(len == 0 ? 1 : len);
	int	 rc;

	assert_non_null(p);
	if (len > 0)
		memcpy(p, data, len);
	rc = record_decode(k, 7, len == 0 ? NULL : p, len, out);
	free(p);
	return rc;
}

static struct record *
sample_host(void)
{
	struct record	*r = record_new(KIND_HOST);

	record_set(r, FI_NAME, "kvm1");
	record_set_i64(r, FI_CREATED, 1700000000);
	record_set(r, HOST_ADDRESS, "10.0.0.1");
	record_set(r, HOST_DRIVER, "kvm");
	record_set(r, HOST_USER, "");
	/* Longer than 127 bytes, so its length takes two LEB128 bytes. */
	record_set(r, HOST_TAGS, "a=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	return r;
}

static void
assert_same(const struct record *a, const struct record *b)
{
	size_t	i;

	assert_int_equal(a->kind, b->kind);
	for (i = 0; i < RECORD_MAXFIELDS; i++) {
		if (a->v[i] == NULL)
			assert_null(b->v[i]);
		else {
			assert_non_null(b->v[i]);
			assert_string_equal(a->v[i], b->v[i]);
		}
	}
}

static void
test_round_trip(void **state)
{
	struct record	*r = sample_host(), *d = NULL;
	struct buf	 b = { 0 };

	record_encode(r, &b);
	assert_true(b.len > 1);
	assert_int_equal((unsigned char)b.data[0], 1);
	assert_int_equal(decode_copy(KIND_HOST, b.data, b.len, &d), 0);
	assert_non_null(d);
	assert_int_equal(d->id, 7);
	assert_same(r, d);
	assert_string_equal(record_get(d, HOST_USER), "");
	assert_null(record_get(d, HOST_PORT));
	record_free(d);
	buf_free(&b);
	record_free(r);
}

static void
test_empty_record(void **state)
{
	struct record	*r = record_new(KIND_VM), *d = NULL;
	struct buf	 b = { 0 };

	record_encode(r, &b);
	assert_int_equal(b.len, 1);
	assert_int_equal(decode_copy(KIND_VM, b.data, b.len, &d), 0);
	assert_same(r, d);
	record_free(d);
	assert_int_equal(decode_copy(KIND_VM, b.data, 0, &d), ERR_INVAL);
	assert_null(d);
	buf_free(&b);
	record_free(r);
}

/*
 * Every proper prefix of a good encoding either ends on a field boundary
 * (a valid shorter record) or is rejected with ERR_INVAL.
 */
static void
test_truncation(void **state)
{
	struct record	*r = sample_host(), *d;
	struct buf	 b = { 0 };
	size_t		 len, pos, vlen, boundary[RECORD_MAXFIELDS + 2], nb = 0, i;
	int		 rc, onb;

	record_encode(r, &b);
	/* Walk the encoding to find where each field ends. */
	pos = 1;
	boundary[nb++] = 1;
	while (pos < b.len) {
		unsigned	shift = 0;

		pos++;
		vlen = 0;
		for (;;) {
			unsigned char	c = (unsigned char)b.data[pos++];

			vlen |= (size_t)(c & 0x7f) << shift;
			shift += 7;
			if ((c & 0x80) == 0)
				break;
		}
		pos += vlen;
		boundary[nb++] = pos;
	}
	assert_int_equal(pos, b.len);
	for (len = 0; len < b.len; len++) {
		d = NULL;
		rc = decode_copy(KIND_HOST, b.data, len, &d);
		onb = 0;
		for (i = 0; i < nb; i++)
			if (boundary[i] == len)
				onb = 1;
		if (onb) {
			assert_int_equal(rc, 0);
			assert_non_null(d);
		} else {
			assert_int_equal(rc, ERR_INVAL);
			assert_null(d);
		}
		record_free(d);
	}
	buf_free(&b);
	record_free(r);
}

static void
test_random_bytes(void **state)
{
	unsigned char	 buf[96];
	struct record	*d;
	size_t		 len, i;
	int		 n, rc;

	srand(12345);
	for (n = 0; n < 20000; n++) {
		len = (size_t)rand() % sizeof buf;
		for (i = 0; i < len; i++)
			buf[i] = (unsigned char)rand();
		/* Half the inputs get past the version check. */
		if (len > 0 && (n & 1))
			buf[0] = 1;
		d = NULL;
		rc = decode_copy((enum kind)(n % KIND__COUNT), buf, len, &d);
		if (rc == 0)
			assert_non_null(d);
		else {
			assert_int_equal(rc, ERR_INVAL);
			assert_null(d);
		}
		record_free(d);
	}
}

static void
test_unknown_tags_skipped(void **state)
{
	/* Tag 200 is unknown; tag 1 is name, tag 10 address. */
	static const unsigned char	enc[] = { 1, 200, 3, 'a', 'b', 'c', 1, 2,
	    'h', '1', 250, 0, 10, 1, 'x' };
	struct record			*d = NULL;

	assert_int_equal(decode_copy(KIND_HOST, enc, sizeof enc, &d), 0);
	assert_string_equal(record_get(d, FI_NAME), "h1");
	assert_string_equal(record_get(d, HOST_ADDRESS), "x");
	assert_null(record_get(d, HOST_DRIVER));
	record_free(d);
}

static void
test_malformed(void **state)
{
	static const unsigned char	badver[] = { 2, 1, 1, 'a' };
	static const unsigned char	dup[] = { 1, 1, 1, 'a', 1, 1, 'b' };
	static const unsigned char	nul[] = { 1, 1, 2, 'a', 0 };
	static const unsigned char	huge[] = { 1, 1, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 'a' };
	static const unsigned char	overlong[] = { 1, 1, 0x80, 0x80, 0x80,
	    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 'a' };
	static const unsigned char	past[] = { 1, 1, 5, 'a', 'b' };
	struct record			*d = NULL;

	assert_int_equal(decode_copy(KIND_HOST, badver, sizeof badver, &d),
	    ERR_INVAL);
	assert_int_equal(decode_copy(KIND_HOST, dup, sizeof dup, &d),
	    ERR_INVAL);
	assert_int_equal(decode_copy(KIND_HOST, nul, sizeof nul, &d),
	    ERR_INVAL);
	assert_int_equal(decode_copy(KIND_HOST, huge, sizeof huge, &d),
	    ERR_INVAL);
	assert_int_equal(decode_copy(KIND_HOST, overlong, sizeof overlong, &d),
	    ERR_INVAL);
	assert_int_equal(decode_copy(KIND_HOST, past, sizeof past, &d),
	    ERR_INVAL);
	assert_int_equal(decode_copy(KIND__COUNT, past, sizeof past, &d),
	    ERR_INVAL);
	assert_null(d);
}

static void
test_accessors(void **state)
{
	struct record	*r = record_new(KIND_VM), *c;

	record_free(NULL);
	assert_int_equal(record_set_by_name(r, "cpus", "4"), 0);
	assert_string_equal(record_get(r, VM_CPUS), "4");
	assert_int_equal(record_get_i64(r, VM_CPUS, -1), 4);
	assert_int_equal(record_get_i64(r, VM_MEMORY, -1), -1);
	assert_int_equal(record_set_by_name(r, "nosuch", "x"), ERR_NOENT);
	assert_non_null(strstr(err_msg(), "nosuch"));
	record_set(r, VM_OWNER, "bob");
	assert_int_equal(record_get_i64(r, VM_OWNER, 9), 9);
	/* Setting a field to its own value must not read freed memory. */
	record_set(r, VM_OWNER, record_get(r, VM_OWNER));
	assert_string_equal(record_get(r, VM_OWNER), "bob");
	record_setf(r, VM_MEMORY, "%d", 512);
	assert_int_equal(record_get_i64(r, VM_MEMORY, 0), 512);
	record_set_i64(r, VM_DISK, -5);
	assert_string_equal(record_get(r, VM_DISK), "-5");
	/* Out-of-range fields are ignored. */
	record_set(r, -1, "x");
	record_set(r, VM__N, "x");
	record_setf(r, RECORD_MAXFIELDS, "%s", "x");
	assert_null(record_get(r, VM__N));
	assert_null(record_get(r, -1));
	r->id = 42;
	c = record_dup(r);
	assert_int_equal(c->id, 42);
	assert_same(r, c);
	record_set(c, VM_OWNER, NULL);
	assert_null(record_get(c, VM_OWNER));
	assert_string_equal(record_get(r, VM_OWNER), "bob");
	record_free(c);
	record_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_empty_record),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_unknown_tags_skipped),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_accessors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
