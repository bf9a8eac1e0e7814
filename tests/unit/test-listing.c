/*
 * test-listing.c: the three output formats against golden text: table
 * alignment, fitting and truncation, --columns, --no-header, JSON read back
 * with jansson, CSV quoting, listing_show, and sanitize() on hostile text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "err.h"
#include "filter.h"
#include "listing.h"
#include "util.h"

#define NCOLS	8

static const struct col_def cols[NCOLS] = {
	{ "name", COL_STR, 0 },
	{ "address", COL_STR, 0 },
	{ "cpus", COL_INT, 0 },
	{ "memory", COL_SIZE, 0 },
	{ "created", COL_TIME, 0 },
	{ "host", COL_STR, 0 },
	{ "state", COL_STR, COL_STATE },
	{ "note", COL_STR, 0 },
};

static const char *const rows[][NCOLS] = {
	{ "web1", "10.0.0.1", "2", "2147483648", "1795428000", "kvm1",
	    "running", NULL },
	{ "db-primary", NULL, "16", "536870912", "1767225600", "kvm2",
	    "stopped", "main, \"prod\" db" },
};

/* Runs a whole list into *text; returns the first failing call's code. */
static int
run(const struct list_opts *o, const char *defaults,
    const char *const (*r)[NCOLS], size_t n, char **text)
{
	struct listing	*l = NULL;
	FILE		*f;
	size_t		 len = 0, i;
	int		 rc;

	*text = NULL;
	f = open_memstream(text, &len);
	assert_non_null(f);
	rc = listing_new(listing_write_file, f, cols, NCOLS, defaults, o, &l);
	if (rc == 0) {
		for (i = 0; i < n; i++)
			assert_int_equal(listing_row(l, r[i]), 0);
		rc = listing_end(l);
	} else
		assert_null(l);
	fclose(f);
	return rc;
}

static char *
list_ok(const struct list_opts *o, const char *defaults,
    const char *const (*r)[NCOLS], size_t n)
{
	char	*text;

	if (run(o, defaults, r, n, &text) != 0)
		fail_msg("listing failed: %s", err_msg());
	return text;
}

static void
assert_no_trailing_space(const char *s)
{
	assert_null(strstr(s, " \n"));
}

static void
test_table(void **state)
{
	struct list_opts	 o = { OUT_TABLE, NULL, NULL, 0, 0, NULL, 0, 0 };
	char			*t;

	t = list_ok(&o, "name,address,cpus,memory,state", rows, 2);
	assert_string_equal(t,
	    "NAME        ADDRESS   CPUS     MEMORY  STATE\n"
	    "web1        10.0.0.1     2    2.0 GiB  running\n"
	    "db-primary  -           16  512.0 MiB  stopped\n");
	free(t);

	/* Times for people; an unset last column is "-". */
	t = list_ok(&o, "name,created,note", rows, 2);
	assert_string_equal(t,
	    "NAME        CREATED               NOTE\n"
	    "web1        2026-11-23T10:00:00Z  -\n"
	    "db-primary  2026-01-01T00:00:00Z  main, \"prod\" db\n");
	free(t);

	/* No rows: the header alone. */
	t = list_ok(&o, "name,state", rows, 0);
	assert_string_equal(t, "NAME  STATE\n");
	free(t);
}

static void
test_table_no_trailing_space(void **state)
{
	static const char *const r[][NCOLS] = {
		{ "a", NULL, NULL, NULL, NULL, NULL, "", NULL },
		{ "bbbbbbbb", NULL, NULL, NULL, NULL, NULL, "x", NULL },
		{ "c", NULL, NULL, NULL, NULL, NULL, "trailing  ", NULL },
	};
	struct list_opts	 o = { OUT_TABLE, NULL, NULL, 0, 0, NULL, 0, 0 };
	char			*t;

	t = list_ok(&o, "state,name", r, 3);
	assert_string_equal(t,
	    "STATE       NAME\n"
	    "            a\n"
	    "x           bbbbbbbb\n"
	    "trailing    c\n");
	free(t);
	t = list_ok(&o, "name,state", r, 3);
	assert_string_equal(t,
	    "NAME      STATE\n"
	    "a\n"
	    "bbbbbbbb  x\n"
	    "c         trailing\n");
	assert_no_trailing_space(t);
	free(t);
}

static void
test_table_fit(void **state)
{
	static const char *const r[][NCOLS] = {
		{ "web1", "an address that is far too long", "4", NULL, NULL,
		    NULL, NULL, "a note that is long as well" },
		{ "db", "short", "12", NULL, NULL, NULL, NULL, "n" },
	};
	struct list_opts	 o = { OUT_TABLE, "name,address,cpus,note", NULL,
		0, 40, NULL, 0, 0 };
	char			*t;

	/*
	 * 4+31+4+27 + 6 = 72 wide; 32 must go. ADDRESS first loses 4 to
	 * match NOTE, then the two share the rest: 13 cells each.
	 */
	t = list_ok(&o, NULL, r, 2);
	assert_string_equal(t,
	    "NAME  ADDRESS        CPUS  NOTE\n"
	    "web1  an address t…     4  a note that …\n"
	    "db    short            12  n\n");
	assert_no_trailing_space(t);
	free(t);

	/* A width that fits needs no change. */
	o.width = 72;
	t = list_ok(&o, NULL, r, 2);
	assert_string_equal(t,
	    "NAME  ADDRESS                          CPUS  NOTE\n"
	    "web1  an address that is far too long     4  a note that is long "
	    "as well\n"
	    "db    short                              12  n\n");
	free(t);

	/*
	 * Too narrow even at 3 cells a column: the lines stay long rather
	 * than lose whole columns. Headers truncate like cells.
	 */
	o.width = 10;
	t = list_ok(&o, NULL, r, 2);
	assert_string_equal(t,
	    "NA…  AD…  CP…  NO…\n"
	    "we…  an…    4  a …\n"
	    "db   sh…   12  n\n");
	free(t);
}

static void
test_table_fit_exact(void **state)
{
	static const char *const r[][NCOLS] = {
		{ "web1", NULL, NULL, NULL, NULL, NULL, NULL,
		    "a very long note that goes on" },
	};
	struct list_opts	 o = { OUT_TABLE, "name,note", NULL, 0, 30, NULL, 0, 0 };
	char			*t, *line, *save;

	t = list_ok(&o, NULL, r, 1);
	assert_string_equal(t,
	    "NAME  NOTE\n"
	    "web1  a very long note that g…\n");
	free(t);

	/* In a locale that is not UTF-8 the mark is "~" and widths are bytes. */
	assert_non_null(setlocale(LC_ALL, "C"));
	t = list_ok(&o, NULL, r, 1);
	assert_non_null(setlocale(LC_ALL, "C.UTF-8"));
	assert_string_equal(t,
	    "NAME  NOTE\n"
	    "web1  a very long note that g~\n");
	for (line = strtok_r(t, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		assert_true(strlen(line) <= 30);
	free(t);
}

static void
test_table_wide_chars(void **state)
{
	static const char *const r[][NCOLS] = {
		{ "日本語", NULL, NULL, NULL, NULL, NULL, "ok", NULL },
		{ "café", NULL, NULL, NULL, NULL, NULL, "ok", NULL },
		{ "abcdefghij", NULL, NULL, NULL, NULL, NULL, "ok", NULL },
	};
	struct list_opts	 o = { OUT_TABLE, "name,state", NULL, 0, 0, NULL, 0, 0 };
	char			*t;

	t = list_ok(&o, NULL, r, 3);
	assert_string_equal(t,
	    "NAME        STATE\n"
	    "日本語      ok\n"
	    "café        ok\n"
	    "abcdefghij  ok\n");
	free(t);

	/*
	 * NAME 10 and STATE 5 share a width of 10: both end at 4 cells. A
	 * wide character that does not fit is padded after the mark.
	 */
	o.width = 10;
	t = list_ok(&o, NULL, r, 3);
	assert_string_equal(t,
	    "NAME  STA…\n"
	    "日…   ok\n"
	    "café  ok\n"
	    "abc…  ok\n");
	free(t);
}

static void
test_columns(void **state)
{
	struct list_opts	 o = { OUT_TABLE, "state, name", NULL, 0, 0, NULL, 0, 0 };
	char			*t;

	t = list_ok(&o, "name,address", rows, 2);
	assert_string_equal(t,
	    "STATE    NAME\n"
	    "running  web1\n"
	    "stopped  db-primary\n");
	free(t);

	o.columns = "name,bogus";
	assert_int_equal(run(&o, NULL, rows, 2, &t), ERR_USAGE);
	assert_string_equal(err_msg(), "unknown column 'bogus' (columns: "
	    "name, address, cpus, memory, created, host, state, note)");
	assert_string_equal(t, "");
	free(t);

	o.columns = "name,state,name";
	assert_int_equal(run(&o, NULL, rows, 2, &t), ERR_USAGE);
	assert_string_equal(err_msg(), "column 'name' is given twice");
	free(t);

	o.columns = "name,,state";
	assert_int_equal(run(&o, NULL, rows, 2, &t), ERR_USAGE);
	assert_string_equal(err_msg(), "empty column name in 'name,,state'");
	free(t);

	o.columns = "";
	assert_int_equal(run(&o, NULL, rows, 2, &t), ERR_USAGE);
	free(t);

	o.columns = "na\x1bme";
	assert_int_equal(run(&o, NULL, rows, 2, &t), ERR_USAGE);
	assert_null(strchr(err_msg(), '\x1b'));
	assert_non_null(strstr(err_msg(), "'na\\x1bme'"));
	free(t);

	/* NULL defaults: every column. */
	o.columns = NULL;
	o.format = OUT_CSV;
	t = list_ok(&o, NULL, rows, 0);
	assert_string_equal(t, "name,address,cpus,memory,created,host,state,"
	    "note\r\n");
	free(t);
}

static void
test_no_header(void **state)
{
	struct list_opts	 o = { OUT_TABLE, "name,cpus", NULL, 1, 0, NULL, 0, 0 };
	char			*t;

	t = list_ok(&o, NULL, rows, 2);
	assert_string_equal(t,
	    "web1         2\n"
	    "db-primary  16\n");
	free(t);
	o.format = OUT_CSV;
	t = list_ok(&o, NULL, rows, 2);
	assert_string_equal(t, "web1,2\r\ndb-primary,16\r\n");
	free(t);
	t = list_ok(&o, NULL, rows, 0);
	assert_string_equal(t, "");
	free(t);
	/* JSON has no header to leave out. */
	o.format = OUT_JSON;
	t = list_ok(&o, NULL, rows, 1);
	assert_string_equal(t, "[\n{\"name\":\"web1\",\"cpus\":2}\n]\n");
	free(t);
}

static void
test_filter(void **state)
{
	struct list_opts	 o = { OUT_TABLE, "name", "host=kvm2", 0, 0, NULL, 0, 0 };
	struct listing		*l;
	FILE			*f;
	char			*t;
	size_t			 len;

	/* The filter sees every column, not only the shown ones. */
	t = list_ok(&o, NULL, rows, 2);
	assert_string_equal(t, "NAME\ndb-primary\n");
	free(t);

	o.filter = "memory>1G and note=''";
	t = list_ok(&o, NULL, rows, 2);
	assert_string_equal(t, "NAME\nweb1\n");
	free(t);

	o.filter = "host=kvm1 and state=running";
	f = open_memstream(&t, &len);
	assert_int_equal(listing_new(listing_write_file, f, cols, NCOLS, NULL, &o, &l), 0);
	assert_string_equal(filter_eq(listing_filter(l), "host"), "kvm1");
	assert_int_equal(listing_row(l, rows[0]), 0);
	assert_int_equal(listing_row(l, rows[1]), 0);
	assert_int_equal(listing_count(l), 1);
	assert_int_equal(listing_end(l), 0);
	fclose(f);
	free(t);
	assert_int_equal(listing_end(NULL), 0);

	o.filter = "bogus=1";
	assert_int_equal(run(&o, NULL, rows, 2, &t), ERR_USAGE);
	assert_string_equal(err_msg(), "filter: unknown column 'bogus' at "
	    "position 1 (columns: name, address, cpus, memory, created, host, "
	    "state, note)");
	free(t);
}

static void
test_json(void **state)
{
	struct list_opts	 o = { OUT_JSON, "name,cpus,memory,created,note",
		NULL, 0, 0, NULL, 0, 0 };
	json_error_t		 je;
	json_t			*root, *obj;
	char			*t;

	t = list_ok(&o, NULL, rows, 2);
	assert_string_equal(t,
	    "[\n"
	    "{\"name\":\"web1\",\"cpus\":2,\"memory\":2147483648,"
	    "\"created\":\"2026-11-23T10:00:00Z\",\"note\":null},\n"
	    "{\"name\":\"db-primary\",\"cpus\":16,\"memory\":536870912,"
	    "\"created\":\"2026-01-01T00:00:00Z\","
	    "\"note\":\"main, \\\"prod\\\" db\"}\n"
	    "]\n");
	root = json_loads(t, 0, &je);
	if (root == NULL)
		fail_msg("JSON does not parse: %s", je.text);
	assert_true(json_is_array(root));
	assert_int_equal(json_array_size(root), 2);
	obj = json_array_get(root, 0);
	assert_true(json_is_integer(json_object_get(obj, "cpus")));
	assert_int_equal(json_integer_value(json_object_get(obj, "memory")),
	    2147483648LL);
	assert_true(json_is_null(json_object_get(obj, "note")));
	assert_string_equal(json_string_value(json_object_get(obj,
	    "created")), "2026-11-23T10:00:00Z");
	obj = json_array_get(root, 1);
	assert_string_equal(json_string_value(json_object_get(obj, "note")),
	    "main, \"prod\" db");
	assert_int_equal(json_object_size(obj), 5);
	json_decref(root);
	free(t);

	t = list_ok(&o, NULL, rows, 0);
	assert_string_equal(t, "[]\n");
	free(t);
}

/*
 * The streamed JSON writer escapes strings itself; it must agree with
 * jansson byte for byte and carry the real value, controls included.
 */
static void
test_json_escaper(void **state)
{
	static const char *const nasty[] = {
		"plain", "", "quote \" and backslash \\", "tab\tnl\ncr\r",
		"\x1b[31mred\x1b[0m", "\x01\x02\x1f\x7f", "\b\f", "slash /",
		"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
		"c1 \xc2\x9b" "31m", "bidi \xe2\x80\xae",
	};
	struct list_opts	 o = { OUT_JSON, "note", NULL, 0, 0, NULL, 0, 0 };
	const char		*r[NCOLS] = { 0 };
	json_t			*root, *s;
	char			*t, *want, *got;
	size_t			 i, len;

	for (i = 0; i < nitems(nasty); i++) {
		r[7] = nasty[i];
		t = list_ok(&o, NULL, (const char *const (*)[NCOLS])&r, 1);
		s = json_string(nasty[i]);
		assert_non_null(s);
		want = json_dumps(s, JSON_ENCODE_ANY | JSON_COMPACT);
		json_decref(s);
		/* The value sits between {"note": and }\n]\n. */
		assert_int_equal(strncmp(t, "[\n{\"note\":", 10), 0);
		len = strlen(t);
		assert_true(len > 14);
		got = xstrndup(t + 10, len - 14);
		assert_string_equal(t + len - 4, "}\n]\n");
		assert_string_equal(got, want);
		free(got);
		free(want);
		root = json_loads(t, 0, NULL);
		assert_non_null(root);
		assert_string_equal(json_string_value(json_object_get(
		    json_array_get(root, 0), "note")), nasty[i]);
		json_decref(root);
		free(t);
	}

	/* Invalid UTF-8 cannot travel in JSON: it arrives sanitized. */
	r[7] = "bad \xff\xfe byte\n";
	t = list_ok(&o, NULL, (const char *const (*)[NCOLS])&r, 1);
	assert_string_equal(t, "[\n{\"note\":\"bad \\\\xff\\\\xfe byte"
	    "\\\\n\"}\n]\n");
	root = json_loads(t, 0, NULL);
	assert_non_null(root);
	json_decref(root);
	free(t);

	/* A malformed number stays a string rather than breaking the JSON. */
	o.columns = "cpus,memory,created";
	r[2] = "12abc";
	r[3] = "";
	r[4] = "soon";
	t = list_ok(&o, NULL, (const char *const (*)[NCOLS])&r, 1);
	assert_string_equal(t, "[\n{\"cpus\":\"12abc\",\"memory\":\"\","
	    "\"created\":\"soon\"}\n]\n");
	free(t);
}

static void
test_csv(void **state)
{
	static const char *const r[][NCOLS] = {
		{ "a,b", NULL, "1", "1024", "1795428000", NULL, "say \"hi\"",
		    "line1\nline2\r" },
		{ "\"", "", NULL, NULL, NULL, NULL, "plain", "\x1b[2J" },
	};
	struct list_opts	 o = { OUT_CSV, "name,address,cpus,memory,"
		"created,state,note", NULL, 0, 0, NULL, 0, 0 };
	char			*t;

	t = list_ok(&o, NULL, rows, 2);
	assert_string_equal(t,
	    "name,address,cpus,memory,created,state,note\r\n"
	    "web1,10.0.0.1,2,2147483648,2026-11-23T10:00:00Z,running,\r\n"
	    "db-primary,,16,536870912,2026-01-01T00:00:00Z,stopped,"
	    "\"main, \"\"prod\"\" db\"\r\n");
	free(t);

	/* Newlines are escaped like everywhere else, so rows stay lines. */
	t = list_ok(&o, NULL, r, 2);
	assert_string_equal(t,
	    "name,address,cpus,memory,created,state,note\r\n"
	    "\"a,b\",,1,1024,2026-11-23T10:00:00Z,\"say \"\"hi\"\"\","
	    "line1\\nline2\\r\r\n"
	    "\"\"\"\",,,,,plain,\\x1b[2J\r\n");
	free(t);
}

static void
test_show(void **state)
{
	struct list_opts	 o = { OUT_TABLE, NULL, NULL, 0, 0, NULL, 0, 0 };
	json_t			*root;
	FILE			*f;
	char			*t;
	size_t			 len;

	f = open_memstream(&t, &len);
	assert_int_equal(listing_show(listing_write_file, f, cols, NCOLS, rows[0], &o), 0);
	fclose(f);
	assert_string_equal(t,
	    "name:    web1\n"
	    "address: 10.0.0.1\n"
	    "cpus:    2\n"
	    "memory:  2.0 GiB\n"
	    "created: 2026-11-23T10:00:00Z\n"
	    "host:    kvm1\n"
	    "state:   running\n"
	    "note:    -\n");
	free(t);

	o.columns = "state,name,note";
	f = open_memstream(&t, &len);
	assert_int_equal(listing_show(listing_write_file, f, cols, NCOLS, rows[1], &o), 0);
	fclose(f);
	assert_string_equal(t,
	    "state: stopped\n"
	    "name:  db-primary\n"
	    "note:  main, \"prod\" db\n");
	free(t);

	o.format = OUT_JSON;
	o.columns = "name,cpus,memory,created,note";
	f = open_memstream(&t, &len);
	assert_int_equal(listing_show(listing_write_file, f, cols, NCOLS, rows[0], &o), 0);
	fclose(f);
	assert_string_equal(t,
	    "{\n"
	    "  \"name\": \"web1\",\n"
	    "  \"cpus\": 2,\n"
	    "  \"memory\": 2147483648,\n"
	    "  \"created\": \"2026-11-23T10:00:00Z\",\n"
	    "  \"note\": null\n"
	    "}\n");
	root = json_loads(t, 0, NULL);
	assert_true(json_is_object(root));
	json_decref(root);
	free(t);

	o.format = OUT_CSV;
	o.columns = "name,note";
	f = open_memstream(&t, &len);
	assert_int_equal(listing_show(listing_write_file, f, cols, NCOLS, rows[1], &o), 0);
	fclose(f);
	assert_string_equal(t, "name,note\r\ndb-primary,\"main, \"\"prod\"\" "
	    "db\"\r\n");
	free(t);

	o.no_header = 1;
	f = open_memstream(&t, &len);
	assert_int_equal(listing_show(listing_write_file, f, cols, NCOLS, rows[1], &o), 0);
	fclose(f);
	assert_string_equal(t, "db-primary,\"main, \"\"prod\"\" db\"\r\n");
	free(t);

	o.columns = "nope";
	f = open_memstream(&t, &len);
	assert_int_equal(listing_show(listing_write_file, f, cols, NCOLS, rows[1], &o), ERR_USAGE);
	fclose(f);
	assert_string_equal(t, "");
	free(t);
}

static void
test_show_sanitized(void **state)
{
	static const char *const r[NCOLS] = { "evil\x1b]0;pwned\x07",
		NULL, NULL, NULL, NULL, NULL, NULL, "multi\nline" };
	struct list_opts	 o = { OUT_TABLE, "name,note", NULL, 0, 0, NULL, 0, 0 };
	FILE			*f;
	char			*t;
	size_t			 len;

	f = open_memstream(&t, &len);
	assert_int_equal(listing_show(listing_write_file, f, cols, NCOLS, r, &o), 0);
	fclose(f);
	assert_string_equal(t,
	    "name: evil\\x1b]0;pwned\\x07\n"
	    "note: multi\\nline\n");
	free(t);

	/* JSON carries the real value, escaped the JSON way. */
	o.format = OUT_JSON;
	f = open_memstream(&t, &len);
	assert_int_equal(listing_show(listing_write_file, f, cols, NCOLS, r, &o), 0);
	fclose(f);
	assert_string_equal(t,
	    "{\n"
	    "  \"name\": \"evil\\u001B]0;pwned\\u0007\",\n"
	    "  \"note\": \"multi\\nline\"\n"
	    "}\n");
	free(t);
}

static void
test_sanitize(void **state)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "plain text", "plain text" },
		{ "", "" },
		{ "\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m" },
		{ "a\tb\nc\rd", "a\\tb\\nc\\rd" },
		{ "\x01\x1f\x7f", "\\x01\\x1f\\x7f" },
		{ "back\\slash", "back\\slash" },
		/* C1 controls arrive as UTF-8: CSI and NEL. */
		{ "\xc2\x9b" "31m", "\\xc2\\x9b31m" },
		{ "\xc2\x85", "\\xc2\\x85" },
		{ "\xc2\xa0nbsp", "\xc2\xa0nbsp" },
		/* Invalid UTF-8: stray, truncated, overlong, surrogate, too big. */
		{ "\xff", "\\xff" },
		{ "ab\xc3", "ab\\xc3" },
		{ "\xc3(", "\\xc3(" },
		{ "\xc0\xaf", "\\xc0\\xaf" },
		{ "\xe0\x80\xaf", "\\xe0\\x80\\xaf" },
		{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },
		{ "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },
		{ "\xe2\x82", "\\xe2\\x82" },
		/* A raw 8-bit CSI is an invalid byte too. */
		{ "\x9b" "2J", "\\x9b2J" },
		/* Valid UTF-8 is untouched. */
		{ "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
		    "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80" },
		{ "\xef\xbf\xbd", "\xef\xbf\xbd" },
		/* Bidirectional overrides could disguise a name. */
		{ "abc\xe2\x80\xae" "def", "abc\\xe2\\x80\\xae" "def" },
	};
	struct buf	b = { NULL, 0, 0 };
	size_t		i;

	for (i = 0; i < nitems(cases); i++)
		assert_string_equal(sanitize(cases[i].in, &b), cases[i].out);
	assert_string_equal(sanitize(NULL, &b), "");
	buf_free(&b);
}

static void
test_table_sanitized(void **state)
{
	static const char *const r[][NCOLS] = {
		{ "\x1b[2Jx", NULL, NULL, NULL, NULL, NULL, "a\nb", NULL },
		{ "ok", NULL, NULL, NULL, NULL, NULL, "\xff", NULL },
	};
	struct list_opts	 o = { OUT_TABLE, "name,state", NULL, 0, 0, NULL, 0, 0 };
	char			*t;

	t = list_ok(&o, NULL, r, 2);
	assert_string_equal(t,
	    "NAME      STATE\n"
	    "\\x1b[2Jx  a\\nb\n"
	    "ok        \\xff\n");
	free(t);
}

static void
test_out_format(void **state)
{
	enum out_format	f = OUT_TABLE;

	assert_int_equal(out_format_parse("json", &f), 0);
	assert_int_equal(f, OUT_JSON);
	assert_int_equal(out_format_parse("csv", &f), 0);
	assert_int_equal(f, OUT_CSV);
	assert_int_equal(out_format_parse("table", &f), 0);
	assert_int_equal(f, OUT_TABLE);
	assert_int_equal(out_format_parse("xml", &f), ERR_USAGE);
	assert_string_equal(err_msg(), "unknown output format 'xml' (table, "
	    "wide, json, csv)");
	assert_int_equal(out_format_parse("x\x1b", &f), ERR_USAGE);
	assert_null(strchr(err_msg(), '\x1b'));
}

/* Many rows go through every format; ASan checks the memory handling. */
static void
test_many_rows(void **state)
{
	static const enum out_format	fmts[] = { OUT_TABLE, OUT_JSON,
		OUT_CSV };
	struct list_opts		o = { OUT_TABLE, NULL, "cpus>=0", 0,
		80, NULL, 0, 0 };
	struct listing			*l;
	const char			*v[NCOLS];
	char				 name[32], cpus[32];
	FILE				*f;
	size_t				 i, k;

	f = fopen("/dev/null", "w");
	assert_non_null(f);
	for (k = 0; k < nitems(fmts); k++) {
		o.format = fmts[k];
		assert_int_equal(listing_new(listing_write_file, f, cols, NCOLS, NULL, &o, &l), 0);
		for (i = 0; i < 20000; i++) {
			snprintf(name, sizeof name, "vm%zu", i);
			snprintf(cpus, sizeof cpus, "%zu", i % 64);
			memcpy(v, rows[i % 2], sizeof v);
			v[0] = name;
			v[2] = cpus;
			assert_int_equal(listing_row(l, v), 0);
		}
		assert_int_equal(listing_count(l), 20000);
		assert_int_equal(listing_end(l), 0);
	}
	fclose(f);
}

/* Wide is the table with every column and nothing cut to the terminal. */
static void
test_wide(void **state)
{
	struct list_opts	 o = { OUT_WIDE, NULL, NULL, 0, 20, NULL, 0, 0 };
	char			*t;

	t = list_ok(&o, "name", rows, 2);
	assert_string_equal(t,
	    "NAME        ADDRESS   CPUS     MEMORY  CREATED               "
	    "HOST  STATE    NOTE\n"
	    "web1        10.0.0.1     2    2.0 GiB  2026-11-23T10:00:00Z  "
	    "kvm1  running  -\n"
	    "db-primary  -           16  512.0 MiB  2026-01-01T00:00:00Z  "
	    "kvm2  stopped  main, \"prod\" db\n");
	free(t);
	/* --columns still picks. */
	o.columns = "state";
	t = list_ok(&o, "name", rows, 2);
	assert_string_equal(t, "STATE\nrunning\nstopped\n");
	free(t);
	/* --wide on a table is the same as -o wide, --columns aside. */
	o.columns = NULL;
	o.format = OUT_TABLE;
	o.all = 1;
	o.width = 0;
	t = list_ok(&o, "name", rows, 1);
	assert_non_null(strstr(t, "CREATED"));
	free(t);
	/* JSON: every column without --columns; CSV: the usual ones. */
	o.all = 0;
	o.format = OUT_JSON;
	t = list_ok(&o, "name", rows, 1);
	assert_non_null(strstr(t, "\"created\":"));
	assert_non_null(strstr(t, "\"note\":null"));
	free(t);
	o.format = OUT_CSV;
	t = list_ok(&o, "name,state", rows, 1);
	assert_string_equal(t, "name,state\r\nweb1,running\r\n");
	free(t);
}

static void
test_sort(void **state)
{
	static const char *const r[][NCOLS] = {
		{ "b", NULL, "10", "2048", NULL, NULL, "x", NULL },
		{ "a", NULL, "9", NULL, NULL, NULL, "x", NULL },
		{ "c", NULL, NULL, "1024", NULL, NULL, "y", NULL },
		{ "d", NULL, "100", "4096", NULL, NULL, "x", NULL },
	};
	struct list_opts	 o = { OUT_TABLE, "name", NULL, 1, 0, "cpus", 0,
		0 };
	struct listing		*l = NULL;
	char			*t;

	/* Numbers as numbers (9 < 10 < 100); unset last either way. */
	t = list_ok(&o, NULL, r, 4);
	assert_string_equal(t, "a\nb\nd\nc\n");
	free(t);
	o.sort = "-cpus";
	t = list_ok(&o, NULL, r, 4);
	assert_string_equal(t, "d\nb\na\nc\n");
	free(t);
	/* Text bytewise; equal keys keep the order they came in. */
	o.sort = "state";
	t = list_ok(&o, NULL, r, 4);
	assert_string_equal(t, "b\na\nd\nc\n");
	free(t);
	o.sort = "-state";
	t = list_ok(&o, NULL, r, 4);
	assert_string_equal(t, "c\nb\na\nd\n");
	free(t);
	/* A column not shown can order the rows; the filter still applies. */
	o.sort = "memory";
	o.filter = "state=x";
	t = list_ok(&o, NULL, r, 4);
	assert_string_equal(t, "b\nd\na\n");
	free(t);
	/* Streaming formats hold their rows too. */
	o.filter = NULL;
	o.format = OUT_CSV;
	o.sort = "-name";
	t = list_ok(&o, NULL, r, 4);
	assert_string_equal(t, "d\r\nc\r\nb\r\na\r\n");
	free(t);
	o.format = OUT_JSON;
	t = list_ok(&o, NULL, r, 2);
	assert_string_equal(t, "[\n{\"name\":\"b\"},\n{\"name\":\"a\"}\n]\n");
	free(t);
	o.sort = "nosuch";
	assert_int_equal(listing_new(listing_write_file, stdout, cols, NCOLS,
	    NULL, &o, &l), ERR_USAGE);
	assert_null(l);
	assert_non_null(strstr(err_msg(), "unknown column 'nosuch' to sort "
	    "by"));
	o.sort = "-";
	assert_int_equal(listing_new(listing_write_file, stdout, cols, NCOLS,
	    NULL, &o, &l), ERR_USAGE);
}

/* State words in colour when asked, in tables only, widths unchanged. */
static void
test_colour(void **state)
{
	struct list_opts	 o = { OUT_TABLE, "name,state,cpus", NULL, 0, 0,
		NULL, 0, 1 };
	char			*t;

	t = list_ok(&o, NULL, rows, 2);
	assert_string_equal(t,
	    "NAME        STATE    CPUS\n"
	    "web1        \033[32mrunning\033[m     2\n"
	    "db-primary  stopped    16\n");
	free(t);
	o.format = OUT_JSON;
	t = list_ok(&o, NULL, rows, 2);
	assert_null(strchr(t, '\033'));
	free(t);
	o.format = OUT_CSV;
	t = list_ok(&o, NULL, rows, 2);
	assert_null(strchr(t, '\033'));
	free(t);
	/* Only a column marked as a state: "host" holds no colour. */
	o.format = OUT_TABLE;
	o.columns = "host";
	t = list_ok(&o, NULL, rows, 2);
	assert_null(strchr(t, '\033'));
	free(t);
}

/* A writer gets the pieces in order and one call of length 0 at the end. */
struct pieces {
	struct buf	text;
	int		ends;
	int		fail;
};

static int
pieces_write(void *arg, const char *text, size_t len)
{
	struct pieces	*p = arg;

	if (len == 0) {
		p->ends++;
		return 0;
	}
	assert_int_equal(p->ends, 0);
	buf_add(&p->text, text, len);
	return p->fail ? err_set(ERR_IO, "cannot write") : 0;
}

static void
test_writer(void **state)
{
	struct list_opts	 o = { OUT_CSV, "name", NULL, 0, 0, NULL, 0, 0 };
	struct pieces		 p = { { NULL, 0, 0 }, 0, 0 };
	struct listing		*l;

	assert_int_equal(listing_new(pieces_write, &p, cols, NCOLS, NULL, &o,
	    &l), 0);
	assert_int_equal(listing_row(l, rows[0]), 0);
	assert_int_equal(listing_end(l), 0);
	assert_string_equal(p.text.data, "name\r\nweb1\r\n");
	assert_int_equal(p.ends, 1);
	buf_free(&p.text);

	memset(&p, 0, sizeof p);
	assert_int_equal(listing_show(pieces_write, &p, cols, NCOLS, rows[0],
	    &o), 0);
	assert_string_equal(p.text.data, "name\r\nweb1\r\n");
	assert_int_equal(p.ends, 1);
	buf_free(&p.text);

	/* A failed write is the listing's failure. */
	memset(&p, 0, sizeof p);
	p.fail = 1;
	assert_int_equal(listing_new(pieces_write, &p, cols, NCOLS, NULL, &o,
	    &l), 0);
	assert_int_equal(listing_row(l, rows[0]), 0);
	assert_int_equal(listing_end(l), ERR_IO);
	buf_free(&p.text);
}

static int
setup(void **state)
{
	return setlocale(LC_ALL, "C.UTF-8") == NULL ? -1 : 0;
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_no_trailing_space),
		cmocka_unit_test(test_table_fit),
		cmocka_unit_test(test_table_fit_exact),
		cmocka_unit_test(test_table_wide_chars),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_no_header),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_escaper),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_show),
		cmocka_unit_test(test_show_sanitized),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_table_sanitized),
		cmocka_unit_test(test_out_format),
		cmocka_unit_test(test_many_rows),
		cmocka_unit_test(test_wide),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_colour),
		cmocka_unit_test(test_writer),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
