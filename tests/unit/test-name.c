/*
 * test-name.c: unit tests for name_check(), the allow-list that keeps shell,
 * terminal and path metacharacters out of every stored name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "name.h"
#include "util.h"

/* Asserts that name is accepted. */
static void
name_ok(const char *name)
{
	err_clear();
	if (name_check("vm", name) != 0)
		fail_msg("\"%s\" refused: %s", name, err_msg());
}

/*
 * Asserts that name is refused with ERR_INVAL and a message naming the kind
 * of object, so the user learns which argument was wrong.
 */
static void
name_bad(const char *what, const char *name, const char *label)
{
	int	rc;

	err_clear();
	rc = name_check(what, name);
	if (rc != ERR_INVAL)
		fail_msg("%s: got %d, want ERR_INVAL", label, rc);
	assert_int_equal(err_code(), ERR_INVAL);
	if (strstr(err_msg(), what) == NULL)
		fail_msg("%s: message \"%s\" does not mention \"%s\"", label,
		    err_msg(), what);
}

static void
test_accepts(void **state)
{
	char	name[NAME_MAXLEN + 1];

	name_ok("web1");
	name_ok("a");
	name_ok("A.b_c-d");
	name_ok("0");
	name_ok("_x");
	name_ok("x-");
	name_ok("x.");
	name_ok("debian-12.5_amd64.iso");

	memset(name, 'n', NAME_MAXLEN);
	name[NAME_MAXLEN] = '\0';
	assert_int_equal(strlen(name), 64);
	name_ok(name);
}

static void
test_refuses(void **state)
{
	static const struct {
		const char	*name;
		const char	*label;
	} bad[] = {
		{ "", "empty" },
		{ "-x", "leading dash" },
		{ ".x", "leading dot" },
		{ "..", "dot dot" },
		{ "a b", "space" },
		{ "a\tb", "tab" },
		{ "a/b", "slash" },
		{ "a\\b", "backslash" },
		{ "a;b", "semicolon" },
		{ "a$b", "dollar" },
		{ "a`b", "backquote" },
		{ "a\nb", "newline" },
		{ "a'b", "single quote" },
		{ "a\"b", "double quote" },
		{ "a|b", "pipe" },
		{ "a&b", "ampersand" },
		{ "a*b", "star" },
		{ "a:b", "colon" },
		{ "x\x7f", "DEL" },
		{ "\x1b[31m", "escape sequence" },
		{ "\xc3\xa9", "non-ASCII e-acute" },
		{ "caf\xc3\xa9", "non-ASCII inside" },
	};
	static const char *const whats[] = { "vm", "image", "host" };
	char	long65[NAME_MAXLEN + 2];
	char	*huge;
	size_t	i, j;

	for (i = 0; i < nitems(bad); i++) {
		for (j = 0; j < nitems(whats); j++)
			name_bad(whats[j], bad[i].name, bad[i].label);
	}

	memset(long65, 'n', NAME_MAXLEN + 1);
	long65[NAME_MAXLEN + 1] = '\0';
	assert_int_equal(strlen(long65), 65);
	name_bad("image", long65, "65 characters");

	huge = xmalloc(10 * 1024 + 1);
	memset(huge, 'a', 10 * 1024);
	huge[10 * 1024] = '\0';
	name_bad("host", huge, "10 kB");
	free(huge);

	name_bad("vm", NULL, "NULL");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_accepts),
		cmocka_unit_test(test_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
