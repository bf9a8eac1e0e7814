/*
 * test-util.c: unit tests for util.c: sizes and times as users type them,
 * integers, the growable buffer, xasprintf and the HVSH_FAKE_TIME hook that
 * the end-to-end tests depend on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

#define GiB	(INT64_C(1) << 30)

/* Asserts that s parses as a size equal to want. */
static void
size_ok(const char *s, int64_t want)
{
	int64_t	v = -12345;

	if (parse_size(s, &v) != 0)
		fail_msg("parse_size(\"%s\") refused", s);
	if (v != want)
		fail_msg("parse_size(\"%s\") = %lld, want %lld", s,
		    (long long)v, (long long)want);
}

/* Asserts that s is refused and the output is left alone. */
static void
size_bad(const char *s)
{
	int64_t	v = -12345;

	if (parse_size(s, &v) == 0)
		fail_msg("parse_size(\"%s\") accepted as %lld", s,
		    (long long)v);
	assert_int_equal(v, -12345);
}

static void
test_parse_size(void **state)
{
	int64_t	v;

	size_ok("2G", 2 * GiB);
	size_ok("2GiB", 2 * GiB);
	size_ok("2GB", 2 * GiB);
	size_ok("2g", 2 * GiB);
	size_ok("512M", INT64_C(512) << 20);
	size_ok("1K", 1024);
	size_ok("1KiB", 1024);
	size_ok("1048576", 1048576);
	size_ok("0", 0);
	size_ok("10B", 10);
	size_ok("3T", INT64_C(3) << 40);
	/* The largest T value that still fits in int64_t. */
	size_ok("8388607T", INT64_C(8388607) << 40);
	size_ok("9223372036854775807", INT64_MAX);

	assert_int_equal(parse_size(NULL, &v), -1);
	size_bad("");
	size_bad("-1");
	size_bad("+1");
	size_bad(" 1");
	size_bad("1 ");
	size_bad("2 G");
	size_bad("2X");
	size_bad("2Gx");
	size_bad("2GiBB");
	size_bad("G");
	size_bad("10BB");
	size_bad("99999999999T");
	size_bad("8388608T");
	size_bad("9223372036854775808");
	size_bad("18446744073709551616");
	size_bad("1.5G");
}

/* Asserts fmt_size(v) == want. */
static void
fmt_size_is(int64_t v, const char *want)
{
	char	buf[32];

	assert_ptr_equal(fmt_size(v, buf, sizeof buf), buf);
	assert_string_equal(buf, want);
}

static void
test_fmt_size(void **state)
{
	char	small[4];

	fmt_size_is(0, "0 B");
	fmt_size_is(1, "1 B");
	fmt_size_is(1023, "1023 B");
	fmt_size_is(1024, "1.0 KiB");
	fmt_size_is(1536, "1.5 KiB");
	fmt_size_is(INT64_C(1) << 20, "1.0 MiB");
	fmt_size_is(2 * GiB, "2.0 GiB");
	fmt_size_is(INT64_C(5) << 40, "5.0 TiB");
	fmt_size_is(INT64_C(3) << 50, "3.0 PiB");
	/* Past the last unit the number grows instead of overflowing units. */
	fmt_size_is(INT64_C(2048) << 50, "2048.0 PiB");

	/* A short buffer is truncated and still terminated. */
	fmt_size(2 * GiB, small, sizeof small);
	assert_string_equal(small, "2.0");
}

/* Asserts that s parses as a time equal to want. */
static void
time_ok(const char *s, int64_t want)
{
	int64_t	v = -12345;

	if (parse_time(s, &v) != 0)
		fail_msg("parse_time(\"%s\") refused", s);
	if (v != want)
		fail_msg("parse_time(\"%s\") = %lld, want %lld", s,
		    (long long)v, (long long)want);
}

/* Asserts that s is refused. */
static void
time_bad(const char *s)
{
	int64_t	v = -12345;

	if (parse_time(s, &v) == 0)
		fail_msg("parse_time(\"%s\") accepted as %lld", s,
		    (long long)v);
}

static void
test_parse_time(void **state)
{
	const int64_t	day = INT64_C(1795392000);	/* 2026-11-23 00:00Z */

	time_ok("0", 0);
	time_ok("1700000000", 1700000000);
	time_ok("2026-11-23", day);
	time_ok("2026-11-23T10:00", day + 36000);
	time_ok("2026-11-23T10:00Z", day + 36000);
	time_ok("2026-11-23T10:00:05", day + 36005);
	time_ok("2026-11-23T10:00:05Z", day + 36005);
	time_ok("2026-11-23 10:00", day + 36000);
	time_ok("2026-11-23 10:00:05", day + 36005);
	time_ok("1970-01-01", 0);
	time_ok("2028-02-29", INT64_C(1835395200));

	time_bad("");
	time_bad("garbage");
	time_bad("yesterday");
	time_bad("2026-11");
	time_bad("2026/11/23");
	time_bad("2026-11-23X");
	time_bad("2026-11-23T");
	time_bad("2026-11-23T10");
	time_bad("2026-11-23T10:0");
	time_bad("2026-11-23T10:00:5");
	time_bad("2026-11-23T10:00:05ZZ");
	time_bad("2026-11-23T10:00 ");
	time_bad("2026-13-01");
	time_bad("2026-00-10");
	time_bad("2026-11-00");
	time_bad("2026-11-32");
	time_bad("2026-11-23T24:00");
	time_bad("2026-11-23T10:60");
	/* Days that the month does not have must not roll into the next. */
	time_bad("2026-02-29");
	time_bad("2026-02-30");
	time_bad("2026-04-31");
}

static void
test_fmt_time(void **state)
{
	char	buf[64];
	int64_t	t = INT64_C(1795428005), back;

	assert_string_equal(fmt_time(t, 1, buf, sizeof buf),
	    "2026-11-23T10:00:05Z");
	assert_int_equal(parse_time(buf, &back), 0);
	assert_int_equal(back, t);

	/* The short form drops the seconds, so the round trip does too. */
	assert_string_equal(fmt_time(t, 0, buf, sizeof buf),
	    "2026-11-23 10:00");
	assert_int_equal(parse_time(buf, &back), 0);
	assert_int_equal(back, t - 5);

	assert_string_equal(fmt_time(0, 1, buf, sizeof buf),
	    "1970-01-01T00:00:00Z");
	assert_int_equal(parse_time(buf, &back), 0);
	assert_int_equal(back, 0);
}

static void
test_parse_i64(void **state)
{
	int64_t	v = 7;

	assert_int_equal(parse_i64("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_i64("-5", &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(parse_i64("9223372036854775807", &v), 0);
	assert_true(v == INT64_MAX);
	assert_int_equal(parse_i64("-9223372036854775808", &v), 0);
	assert_true(v == INT64_MIN);

	v = 7;
	assert_int_equal(parse_i64(NULL, &v), -1);
	assert_int_equal(parse_i64("", &v), -1);
	assert_int_equal(parse_i64(" 1", &v), -1);
	assert_int_equal(parse_i64("1 ", &v), -1);
	assert_int_equal(parse_i64("12a", &v), -1);
	assert_int_equal(parse_i64("0x10", &v), -1);
	assert_int_equal(parse_i64("9223372036854775808", &v), -1);
	assert_int_equal(parse_i64("-9223372036854775809", &v), -1);
	assert_int_equal(v, 7);
}

static void
test_buf_growth(void **state)
{
	struct buf	 b = { 0 };
	char		 chunk[1000];
	size_t		 i, total = 1500 * sizeof chunk;
	char		*p;

	for (i = 0; i < total / sizeof chunk; i++) {
		memset(chunk, 'a' + (int)(i % 26), sizeof chunk);
		buf_add(&b, chunk, sizeof chunk);
		assert_true(b.len < b.cap);
		assert_int_equal(b.data[b.len], '\0');
	}
	assert_int_equal(b.len, total);
	assert_true(b.cap > (size_t)1 << 20);
	for (i = 0; i < total; i++) {
		if (b.data[i] != 'a' + (int)((i / sizeof chunk) % 26))
			fail_msg("byte %zu is wrong", i);
	}
	/* Embedded NULs are data, not terminators. */
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	buf_add(&b, "x\0y", 3);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "x\0y", 4);
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);

	/* Adding nothing to an empty buffer still gives a string. */
	buf_add(&b, NULL, 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	buf_free(&b);
	buf_free(&b);

	/* A single add bigger than everything before it. */
	p = xmalloc((size_t)3 << 20);
	memset(p, 'z', (size_t)3 << 20);
	buf_addstr(&b, "head");
	buf_add(&b, p, (size_t)3 << 20);
	assert_int_equal(b.len, 4 + ((size_t)3 << 20));
	assert_int_equal(b.data[b.len - 1], 'z');
	assert_int_equal(b.data[b.len], '\0');
	free(p);
	buf_free(&b);
}

static void
test_buf_printf(void **state)
{
	struct buf	 b = { 0 };
	char		 big[5000];

	buf_printf(&b, "%s", "");
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	buf_printf(&b, "%d-%s", 42, "x");
	buf_addc(&b, '|');
	buf_addstr(&b, "str");
	buf_printf(&b, "[%5.1f]", 2.5);
	assert_string_equal(b.data, "42-x|str[  2.5]");
	assert_int_equal(b.len, strlen(b.data));

	/* Output longer than the current capacity. */
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_reset(&b);
	buf_printf(&b, "<%s>", big);
	assert_int_equal(b.len, sizeof big + 1);
	assert_int_equal(b.data[0], '<');
	assert_int_equal(b.data[b.len - 1], '>');
	assert_int_equal(b.data[b.len], '\0');
	buf_free(&b);
}

static void
test_buf_take(void **state)
{
	struct buf	 b = { 0 };
	char		*p;

	/* Taking from a never-used buffer yields an empty, freeable string. */
	p = buf_take(&b);
	assert_non_null(p);
	assert_string_equal(p, "");
	free(p);

	buf_addstr(&b, "hello");
	p = buf_take(&b);
	assert_string_equal(p, "hello");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);

	/* The buffer is usable again and does not share p. */
	buf_addstr(&b, "again");
	assert_true(b.data != p);
	assert_string_equal(p, "hello");
	free(p);
	p = buf_take(&b);
	assert_string_equal(p, "again");
	free(p);
	buf_free(&b);
}

static void
test_xasprintf(void **state)
{
	char	*p, *q, big[3000];

	p = xasprintf("%s-%d-%c", "vm", 7, 'x');
	assert_string_equal(p, "vm-7-x");
	free(p);

	p = xasprintf("%s", "");
	assert_string_equal(p, "");
	free(p);

	memset(big, 'b', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	p = xasprintf("%s%s", big, big);
	assert_int_equal(strlen(p), 2 * (sizeof big - 1));
	free(p);

	p = xstrndup("abcdef", 3);
	assert_string_equal(p, "abc");
	q = xstrndup("ab", 10);
	assert_string_equal(q, "ab");
	free(p);
	free(q);

	freezero_str(NULL);
	freezero_str(xstrdup("secret"));
}

static void
test_fake_time(void **state)
{
	int64_t	t, real;

	assert_int_equal(setenv("HVSH_FAKE_TIME", "1795428005", 1), 0);
	assert_int_equal(now_unix(), 1795428005);
	assert_int_equal(setenv("HVSH_FAKE_TIME", "0", 1), 0);
	assert_int_equal(now_unix(), 0);

	/* Something that is not a number is ignored, not read as 0. */
	assert_int_equal(setenv("HVSH_FAKE_TIME", "soon", 1), 0);
	real = (int64_t)time(NULL);
	t = now_unix();
	assert_true(t >= real && t <= real + 5);

	assert_int_equal(unsetenv("HVSH_FAKE_TIME"), 0);
	real = (int64_t)time(NULL);
	t = now_unix();
	assert_true(t >= real && t <= real + 5);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_fmt_size),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_fmt_time),
		cmocka_unit_test(test_parse_i64),
		cmocka_unit_test(test_buf_growth),
		cmocka_unit_test(test_buf_printf),
		cmocka_unit_test(test_buf_take),
		cmocka_unit_test(test_xasprintf),
		cmocka_unit_test(test_fake_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
