/*
 * test-quote.c: unit tests for quote.c. Beyond the exact output, every
 * hostile argument is sent through a real /bin/sh, which prints each word
 * it received followed by a NUL; the bytes must come back unchanged.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quote.h"
#include "util.h"

/* Runs "printf '%s\0' ARGS" through sh and returns what it printed. */
static char *
sh_echo(char *const argv[], size_t *lenp)
{
	struct buf	 b = { 0 };
	char		*q, *cmd, chunk[4096];
	FILE		*f;
	size_t		 n;

	q = quote_argv(argv);
	cmd = xasprintf("printf '%%s\\0' %s", q);
	f = popen(cmd, "r");
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	assert_int_equal(pclose(f), 0);
	free(cmd);
	free(q);
	*lenp = b.len;
	return buf_take(&b);
}

/* Asserts that sh sees exactly argv. */
static void
round_trip(char *const argv[])
{
	struct buf	 want = { 0 };
	char		*got;
	size_t		 len, i;

	for (i = 0; argv[i] != NULL; i++)
		buf_add(&want, argv[i], strlen(argv[i]) + 1);
	got = sh_echo(argv, &len);
	if (len != want.len || memcmp(got, want.data, len) != 0) {
		char	*q = quote_argv(argv);

		fail_msg("sh changed the arguments; quoted: %.200s", q);
	}
	free(got);
	buf_free(&want);
}

static void
test_exact(void **state)
{
	char	*s;
	char	*argv[] = { "virsh", "start", "web 1", NULL };
	char	*none[] = { NULL };

	s = quote_arg("a'b");
	assert_string_equal(s, "'a'\\''b'");
	free(s);
	s = quote_arg("");
	assert_string_equal(s, "''");
	free(s);
	s = quote_arg("''");
	assert_string_equal(s, "''\\'''\\'''");
	free(s);
	s = quote_argv(argv);
	assert_string_equal(s, "'virsh' 'start' 'web 1'");
	free(s);
	s = quote_argv(none);
	assert_string_equal(s, "");
	free(s);
}

static void
test_hostile(void **state)
{
	char	*argv[] = {
		"plain",
		"",
		"two words",
		"  leading and trailing  ",
		"tab\there",
		"it's",
		"'",
		"''",
		"'\\''",
		"\"double\"",
		"back\\slash\\",
		"\\",
		"$(touch /tmp/hvsh-quote-pwned)",
		"`touch /tmp/hvsh-quote-pwned`",
		"${HOME}",
		"$HOME",
		"$",
		"a;b|c&d<e>f",
		"&& rm -rf /",
		"line1\nline2\n",
		"\n",
		"\r\n",
		"-n",
		"--help",
		"-e",
		"*",
		"?",
		"[a-z]*",
		"~",
		"~root",
		"#comment",
		"!",
		"!!",
		"a=b",
		"{a,b}",
		"h\xc3\xa9llo \xe2\x98\x83",
		"\xff\xfe\x80",
		"\x01\x1b[31m\x7f",
		NULL
	};

	round_trip(argv);
	assert_int_not_equal(access("/tmp/hvsh-quote-pwned", F_OK), 0);
}

/* Long arguments, full of quotes, survive whole. */
static void
test_long(void **state)
{
	char	*a = xmalloc(10241), *b = xmalloc(10241);
	char	*argv[] = { a, b, NULL };
	size_t	 i;

	for (i = 0; i < 10240; i++) {
		a[i] = "a'b\\$`\"; \n*"[i % 12];
		b[i] = (char)(1 + i % 255);
	}
	a[10240] = b[10240] = '\0';
	round_trip(argv);
	free(a);
	free(b);
}

/* Every single byte value (but NUL) alone, and next to a quote. */
static void
test_each_byte(void **state)
{
	char	 args[255][4];
	char	*argv[256];
	int	 c;

	for (c = 1; c < 256; c++) {
		args[c - 1][0] = '\'';
		args[c - 1][1] = (char)c;
		args[c - 1][2] = '\'';
		args[c - 1][3] = '\0';
		argv[c - 1] = args[c - 1];
	}
	argv[255] = NULL;
	round_trip(argv);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_each_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
