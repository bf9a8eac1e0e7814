/*
 * test-filter.c: the --filter language: every operator, precedence,
 * numbers, sizes, times and unset values, filter_eq for index use, and every
 * error, including hostile input that must be refused without harm.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "filter.h"
#include "util.h"

static const struct col_def cols[] = {
	{ "name", COL_STR, 0 },
	{ "host", COL_STR, 0 },
	{ "state", COL_STR, 0 },
	{ "memory", COL_SIZE, 0 },
	{ "cpus", COL_INT, 0 },
	{ "created", COL_TIME, 0 },
	{ "note", COL_STR, 0 },
};

/* 2 GiB, created 2026-01-01, no note. */
static const char *const vm1[] = { "web1", "h1", "running", "2147483648",
	"2", "1767225600", NULL };
/* 512 MiB, created 2026-11-23T10:00:00Z. */
static const char *const vm2[] = { "db1", "h2", "stopped", "536870912", "8",
	"1795428000", "backup" };
/* Memory unset, cpus not a number. */
static const char *const vm3[] = { "odd", "h3", "", NULL, "lots", NULL,
	"" };

static int
match(const char *expr, const char *const *vals)
{
	struct filter	*f = NULL;
	int		 r;

	r = filter_parse(expr, cols, nitems(cols), &f);
	if (r != 0)
		fail_msg("filter_parse(\"%s\"): %s", expr, err_msg());
	r = filter_match(f, vals);
	filter_free(f);
	return r;
}

/* Expects expr to be refused with ERR_USAGE and a message holding want. */
static void
refused(const char *expr, const char *want)
{
	struct filter	*f = (struct filter *)1;
	int		 r;

	err_clear();
	r = filter_parse(expr, cols, nitems(cols), &f);
	assert_int_equal(r, ERR_USAGE);
	assert_null(f);
	if (strstr(err_msg(), want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err_msg(), want);
	if (strstr(err_msg(), "at position ") == NULL)
		fail_msg("message \"%s\" names no position", err_msg());
	if (strncmp(err_msg(), "filter: ", 8) != 0)
		fail_msg("message \"%s\" lacks the filter: prefix", err_msg());
}

static void
test_eq_ne(void **state)
{
	assert_true(match("state=running", vm1));
	assert_false(match("state=running", vm2));
	assert_false(match("state!=running", vm1));
	assert_true(match("state!=running", vm2));
	assert_true(match("state = running", vm1));
	assert_true(match("  state  !=  running  ", vm2));
	/* Text equality is exact and case-sensitive. */
	assert_false(match("state=Running", vm1));
	assert_false(match("state=run", vm1));
	/* Numeric columns compare as numbers: 2G is 2147483648. */
	assert_true(match("memory=2G", vm1));
	assert_true(match("memory=2147483648", vm1));
	assert_true(match("memory=2GiB", vm1));
	assert_false(match("memory=2G", vm2));
	assert_true(match("memory!=2G", vm2));
	assert_true(match("cpus=2", vm1));
	assert_true(match("cpus=02", vm1));
}

static void
test_ordering(void **state)
{
	assert_true(match("memory>1G", vm1));
	assert_false(match("memory>1G", vm2));
	assert_true(match("memory>=2G", vm1));
	assert_false(match("memory>2G", vm1));
	assert_true(match("memory <= 512M", vm2));
	assert_false(match("memory<512M", vm2));
	assert_true(match("memory<1073741824", vm2));
	assert_true(match("cpus<8", vm1));
	assert_false(match("cpus<8", vm2));
	assert_true(match("cpus>=8", vm2));
	assert_true(match("cpus>-1", vm1));
	/* Numbers, not text: "8" > "16" as text but not as numbers. */
	assert_false(match("cpus>16", vm2));
	/* Text columns order as text. */
	assert_true(match("name<m", vm2));
	assert_false(match("name<m", vm1));
	assert_true(match("name>=web1", vm1));
}

static void
test_regex(void **state)
{
	assert_true(match("name~'^web[0-9]+$'", vm1));
	assert_false(match("name~'^web[0-9]+$'", vm2));
	assert_true(match("name~^db", vm2));
	assert_true(match("name~\"b[0-9]\"", vm1));
	assert_true(match("note~back", vm2));
	assert_true(match("name~'(web|db)1'", vm2));
	/* Regex on a number sees the raw value. */
	assert_true(match("memory~^2147", vm1));
	/* Case-sensitive, like '='. */
	assert_false(match("name~WEB", vm1));
}

static void
test_bool(void **state)
{
	assert_true(match("state=running and host=h1", vm1));
	assert_false(match("state=running and host=h2", vm1));
	assert_true(match("state=running or host=h2", vm2));
	assert_false(match("state=running or host=h3", vm2));
	/* and binds tighter: running or (x and h2). */
	assert_true(match("state=running or name=x and host=h2", vm1));
	assert_false(match("(state=running or name=x) and host=h2", vm1));
	assert_true(match("name=x and host=h2 or state=running", vm1));
	assert_false(match("name=x and (host=h2 or state=running)", vm1));
	assert_true(match("not state=running", vm2));
	assert_false(match("not state=running", vm1));
	assert_true(match("not not state=running", vm1));
	assert_true(match("not (state=running or host=h1)", vm2));
	/* not binds tighter than and. */
	assert_true(match("not state=stopped and host=h1", vm1));
	assert_true(match("not(state=stopped)", vm1));
	assert_true(match("((state=running))", vm1));
	assert_true(match("(state=running)and(host=h1)", vm1));
	/* Keywords in any case. */
	assert_true(match("state=running AND host=h1", vm1));
	assert_true(match("state=x Or host=h1", vm1));
	assert_true(match("NOT state=x", vm1));
	/* Keywords are whole words: "order" is a value, not "or" + "der". */
	assert_false(match("state=order", vm1));
	assert_true(match("state=stopped and note=backup or name=web1", vm1));
}

static void
test_quotes(void **state)
{
	static const char *const spaced[] = { "web 1", "h1", "a'b", NULL,
		NULL, NULL, "x\"y" };

	assert_true(match("name='web 1'", spaced));
	assert_true(match("name=\"web 1\"", spaced));
	assert_true(match("state=\"a'b\"", spaced));
	assert_true(match("note='x\"y'", spaced));
	assert_true(match("name='(web|db)1'", vm1) == 0);
	assert_true(match("note=''", vm3));
}

static void
test_times(void **state)
{
	assert_true(match("created>2026-06-01", vm2));
	assert_false(match("created>2026-06-01", vm1));
	assert_true(match("created=2026-01-01", vm1));
	assert_true(match("created<2026-01-01T00:00:01Z", vm1));
	assert_true(match("created>='2026-11-23 10:00'", vm2));
	assert_false(match("created>'2026-11-23 10:00'", vm2));
	assert_true(match("created<1767225601", vm1));
}

static void
test_unset(void **state)
{
	/* Unset equals only the empty string. */
	assert_true(match("note=''", vm1));
	assert_false(match("note!=''", vm1));
	assert_false(match("note=backup", vm1));
	assert_true(match("note!=backup", vm1));
	assert_true(match("note~'^$'", vm1));
	assert_false(match("note~.", vm1));
	/* ...and never satisfies an ordering. */
	assert_false(match("note<z", vm1));
	assert_false(match("note>''", vm1));
	assert_false(match("memory>1", vm3));
	assert_false(match("memory<1", vm3));
	assert_false(match("memory<=1", vm3));
	assert_false(match("memory>=0", vm3));
	assert_false(match("memory=1", vm3));
	assert_true(match("memory!=1", vm3));
	assert_true(match("memory=''", vm3));
	assert_false(match("memory=''", vm1));
	assert_true(match("memory!=''", vm1));
	/* A set value that is not a number behaves like unset. */
	assert_false(match("cpus>1", vm3));
	assert_false(match("cpus<1", vm3));
	assert_true(match("cpus!=1", vm3));
	assert_false(match("created<2030-01-01", vm3));
}

static const char *
eq_of(const char *expr, const char *col, char *out, size_t len)
{
	struct filter	*f = NULL;
	const char	*v;

	if (filter_parse(expr, cols, nitems(cols), &f) != 0)
		fail_msg("filter_parse(\"%s\"): %s", expr, err_msg());
	v = filter_eq(f, col);
	if (v != NULL)
		snprintf(out, len, "%s", v);
	filter_free(f);
	return v != NULL ? out : NULL;
}

static void
test_filter_eq(void **state)
{
	char	b[64];

	assert_string_equal(eq_of("host=h1", "host", b, sizeof b), "h1");
	assert_string_equal(eq_of("host=h1 and state=running", "host", b,
	    sizeof b), "h1");
	assert_string_equal(eq_of("state=running and host=h1", "host", b,
	    sizeof b), "h1");
	assert_string_equal(eq_of("host=h1 and state=running", "state", b,
	    sizeof b), "running");
	assert_string_equal(eq_of("(host = 'h1') and name~web", "host", b,
	    sizeof b), "h1");
	assert_string_equal(eq_of("state=x and (cpus>1 and host=h9)", "host",
	    b, sizeof b), "h9");
	/* Numeric values come back canonical. */
	assert_string_equal(eq_of("memory=2G", "memory", b, sizeof b),
	    "2147483648");
	assert_null(eq_of("host=h1 or state=x", "host", b, sizeof b));
	assert_null(eq_of("host=h1 or name=y", "host", b, sizeof b));
	assert_null(eq_of("not host=h1", "host", b, sizeof b));
	assert_null(eq_of("host!=h1", "host", b, sizeof b));
	assert_null(eq_of("host~h1", "host", b, sizeof b));
	assert_null(eq_of("host>h1", "host", b, sizeof b));
	assert_null(eq_of("host=h1", "state", b, sizeof b));
	assert_null(eq_of("state=x and (host=h1 or name=y)", "host", b,
	    sizeof b));
	/* "host=''" also matches unset hosts, which an index cannot find. */
	assert_null(eq_of("host=''", "host", b, sizeof b));
	assert_null(filter_eq(NULL, "host"));
}

/* Which columns an expression compares, at any depth. */
static void
test_filter_uses(void **state)
{
	struct filter	*f = NULL;

	assert_int_equal(filter_parse("state=x and not (cpus>1 or host~h)",
	    cols, nitems(cols), &f), 0);
	assert_true(filter_uses(f, 2));		/* state */
	assert_true(filter_uses(f, 4));		/* cpus, under not and or */
	assert_true(filter_uses(f, 1));		/* host */
	assert_false(filter_uses(f, 0));	/* name */
	assert_false(filter_uses(f, 3));	/* memory */
	filter_free(f);
	assert_false(filter_uses(NULL, 0));
}

static void
test_errors(void **state)
{
	refused("", "empty expression at position 1");
	refused("   ", "empty expression at position 4");
	refused("(state=running", "'(' is not closed at position 1");
	refused("state=x and (host=h1 or (name=y)", "not closed at position 13");
	refused("state=running)", "unexpected ')' at position 14");
	refused(")", "unexpected ')' at position 1");
	refused("()", "unexpected ')' at position 2");
	refused("state=", "missing value after '=' at position 7");
	refused("state!= ", "missing value after '!=' at position 9");
	refused("(state=)", "missing value after '=' at position 8");
	refused("state=running host=h1", "unexpected 'host' at position 15");
	refused("state=running andhost=h1", "unexpected 'andhost' at "
	    "position 15");
	refused("name~^(a|b)$", "unexpected '(' at position 7");
	refused("state=running and", "expected a condition at position 18");
	refused("not", "expected a condition at position 4");
	refused("memory>lots", "bad number 'lots' for column 'memory' at "
	    "position 8");
	refused("memory > 2X", "bad number '2X' for column 'memory' at "
	    "position 10");
	refused("cpus<''", "bad number '' for column 'cpus' at position 6");
	refused("created>yesterday", "bad time 'yesterday' for column "
	    "'created' at position 9");
	refused("bogus=1", "unknown column 'bogus' at position 1");
	refused("state=x and bogus=1", "unknown column 'bogus' at position 13");
	refused("name~'('", "bad regular expression");
	refused("name~'('", "at position 6");
	refused("name", "expected an operator after 'name' at position 5 "
	    "(= != < > <= >= ~)");
	refused("name=>x", "unexpected '>' after '=' at position 6");
	refused("name==x", "unexpected '=' after '=' at position 6");
	refused("name=\"web", "unterminated quote at position 6");
	refused("=x", "expected a column name, found '=' at position 1");
	refused("state=x or or", "at position 12");
}

static void
test_hostile(void **state)
{
	char	*s;
	size_t	 i, n;

	/* Text from the expression reaches the message escaped. */
	refused("bogus\x1b[2J=1", "unknown column 'bogus\\x1b[2J'");
	assert_null(strchr(err_msg(), '\x1b'));
	refused("state=x \x9b" "31m", "unexpected '\\x9b31m'");
	assert_null(strchr(err_msg(), (char)0x9b));

	/* 10 kB of garbage. */
	s = malloc(10241);
	for (i = 0; i < 10240; i++)
		s[i] = (char)(1 + (i * 7919) % 255);
	s[10240] = '\0';
	refused(s, "longer than 4096 bytes");
	/* Garbage under the length limit is refused too, without a crash. */
	s[4000] = '\0';
	assert_int_equal(filter_parse(s, cols, nitems(cols),
	    &(struct filter *){ NULL }), ERR_USAGE);
	free(s);

	/* 1000 nested parentheses, and 1000 nots. */
	s = malloc(4096);
	n = 0;
	for (i = 0; i < 1000; i++)
		s[n++] = '(';
	memcpy(s + n, "name=x", 6);
	n += 6;
	for (i = 0; i < 1000; i++)
		s[n++] = ')';
	s[n] = '\0';
	refused(s, "nesting deeper than 64 levels at position 65");
	n = 0;
	for (i = 0; i < 1000; i++) {
		memcpy(s + n, "not ", 4);
		n += 4;
	}
	strcpy(s + n, "name=x");
	refused(s, "nesting deeper than 64 levels");
	free(s);
}

static void
test_limits(void **state)
{
	char	buf[4200];
	size_t	i, n = 0;

	/* 64 levels are allowed, 65 are not. */
	for (i = 0; i < 64; i++)
		buf[n++] = '(';
	memcpy(buf + n, "name=web1", 9);
	n += 9;
	for (i = 0; i < 64; i++)
		buf[n++] = ')';
	buf[n] = '\0';
	assert_true(match(buf, vm1));
	memmove(buf + 1, buf, n + 1);
	buf[0] = '(';
	strcat(buf, ")");
	refused(buf, "nesting deeper than 64 levels");

	/* A long flat chain is fine: 'or' is not nesting. */
	n = 0;
	while (n + 20 < 4096) {
		memcpy(buf + n, "name=x or ", 10);
		n += 10;
	}
	memcpy(buf + n, "name=web1", 10);
	assert_true(strlen(buf) <= 4096);
	assert_true(match(buf, vm1));
	assert_false(match(buf, vm2));

	/* Exactly 4096 bytes pass, 4097 do not. */
	memset(buf, ' ', 4096);
	memcpy(buf + 4096 - 9, "name=web1", 9);
	buf[4096] = '\0';
	assert_true(match(buf, vm1));
	buf[4096] = ' ';
	buf[4097] = '\0';
	refused(buf, "longer than 4096 bytes at position 4097");
}

static void
test_null(void **state)
{
	assert_true(filter_match(NULL, vm1));
	filter_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_eq_ne),
		cmocka_unit_test(test_ordering),
		cmocka_unit_test(test_regex),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_unset),
		cmocka_unit_test(test_filter_eq),
		cmocka_unit_test(test_filter_uses),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
