/*
 * test-lex.c: the command-line reader. It is the one place between what a
 * person types and the argv of a command, so these tests pin down that
 * nothing is ever expanded and that quoting round-trips exactly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "lex.h"
#include "util.h"

/* Splits text, which must succeed, into res. */
static void
split_ok(const char *text, struct lex_result *res)
{
	int	r = lex_split(text, 1, res);

	if (r != 0)
		fail_msg("lex_split(\"%s\"): %s", text, err_msg());
}

/* Checks one command's words against a NULL-terminated list. */
static void
check_cmd(const struct lex_cmd *c, int line, ...)
{
	va_list		 ap;
	const char	*w;
	int		 i = 0;

	assert_int_equal(c->line, line);
	va_start(ap, line);
	while ((w = va_arg(ap, const char *)) != NULL) {
		assert_true(i < c->argc);
		assert_string_equal(c->argv[i], w);
		i++;
	}
	va_end(ap);
	assert_int_equal(c->argc, i);
	assert_null(c->argv[i]);
}

/* Splits text into exactly one command and checks its words. */
#define ONE(text, ...) do {						\
	struct lex_result	res_;					\
	split_ok((text), &res_);					\
	assert_int_equal(res_.ncmds, 1);				\
	check_cmd(&res_.cmds[0], 1, __VA_ARGS__, (const char *)NULL);	\
	lex_result_free(&res_);						\
} while (0)

static void
split_err(const char *text, int first_line, const char *msg)
{
	struct lex_result	res;
	int			r;

	res.cmds = (void *)1;
	r = lex_split(text, first_line, &res);
	assert_int_equal(r, ERR_USAGE);
	assert_string_equal(err_msg(), msg);
	assert_null(res.cmds);
	assert_int_equal(res.ncmds, 0);
}

static void
test_plain(void **state)
{
	ONE("host list", "host", "list");
	ONE("  host\t add   kvm1  ", "host", "add", "kvm1");
	ONE("a", "a");
	ONE("--address=10.0.0.1", "--address=10.0.0.1");
}

static void
test_quotes(void **state)
{
	ONE("'a b' \"c d\"", "a b", "c d");
	ONE("'a\"b' \"a'b\"", "a\"b", "a'b");
	ONE("a'b c'd", "ab cd");
	ONE("'' \"\" x", "", "", "x");
	ONE("'\\n\\'", "\\n\\");
	ONE("'a\nb'", "a\nb");
	ONE("'a;b' \"c;d\" '#e'", "a;b", "c;d", "#e");
}

static void
test_escapes(void **state)
{
	ONE("a\\ b", "a b");
	ONE("\\'x\\\"", "'x\"");
	ONE("\\\\", "\\");
	ONE("a\\;b", "a;b");
	ONE("\\#x", "#x");
	/* In double quotes only \" \\ \$ \` are escapes. */
	ONE("\"\\\" \\\\ \\$ \\` \\n \\a\"", "\" \\ $ ` \\n \\a");
	/* A backslash before a newline continues the line. */
	ONE("host \\\nlist", "host", "list");
	ONE("\"a\\\nb\"", "ab");
}

static void
test_separators(void **state)
{
	struct lex_result	res;

	split_ok("a b; c\nd ;e\n\nf", &res);
	assert_int_equal(res.ncmds, 5);
	check_cmd(&res.cmds[0], 1, "a", "b", (const char *)NULL);
	check_cmd(&res.cmds[1], 1, "c", (const char *)NULL);
	check_cmd(&res.cmds[2], 2, "d", (const char *)NULL);
	check_cmd(&res.cmds[3], 2, "e", (const char *)NULL);
	check_cmd(&res.cmds[4], 4, "f", (const char *)NULL);
	lex_result_free(&res);

	/* first_line offsets every line; quoted newlines are counted. */
	assert_int_equal(lex_split("'x\ny'\nz", 10, &res), 0);
	assert_int_equal(res.ncmds, 2);
	check_cmd(&res.cmds[0], 10, "x\ny", (const char *)NULL);
	check_cmd(&res.cmds[1], 12, "z", (const char *)NULL);
	lex_result_free(&res);

	/* A continuation keeps the line where the command began. */
	split_ok("\na \\\nb\nc", &res);
	assert_int_equal(res.ncmds, 2);
	check_cmd(&res.cmds[0], 2, "a", "b", (const char *)NULL);
	check_cmd(&res.cmds[1], 4, "c", (const char *)NULL);
	lex_result_free(&res);
}

static void
test_empty(void **state)
{
	struct lex_result	res;

	split_ok("", &res);
	assert_int_equal(res.ncmds, 0);
	assert_null(res.cmds);
	lex_result_free(&res);
	split_ok(" ;; \n\t;\n# only a comment\n", &res);
	assert_int_equal(res.ncmds, 0);
	lex_result_free(&res);
	/* An empty quoted word is a word: the command is not empty. */
	split_ok(";'';", &res);
	assert_int_equal(res.ncmds, 1);
	check_cmd(&res.cmds[0], 1, "", (const char *)NULL);
	lex_result_free(&res);
	lex_result_free(NULL);
}

static void
test_comments(void **state)
{
	struct lex_result	res;

	ONE("a#b", "a#b");
	ONE("a #b c", "a");
	ONE("a '#'b", "a", "#b");
	split_ok("# one\nhost list # trailing ; not a command\n#x;y\nz;#w",
	    &res);
	assert_int_equal(res.ncmds, 2);
	check_cmd(&res.cmds[0], 2, "host", "list", (const char *)NULL);
	check_cmd(&res.cmds[1], 4, "z", (const char *)NULL);
	lex_result_free(&res);
	/* Quotes inside a comment are not quotes. */
	split_ok("a # it's\nb", &res);
	assert_int_equal(res.ncmds, 2);
	lex_result_free(&res);
}

static void
test_errors(void **state)
{
	split_err("a 'b", 1, "line 1: unterminated single quote");
	split_err("a\nb \"c\nd", 1, "line 2: unterminated double quote");
	split_err("a\nb\nc\\", 1, "line 3: trailing backslash");
	split_err("x\n'y", 7, "line 8: unterminated single quote");
	split_err("\"a\\\"", 1, "line 1: unterminated double quote");
	split_err("\"a\\", 1, "line 1: unterminated double quote");
	split_err("ok; 'also", 1, "line 1: unterminated single quote");
}

static void
test_no_expansion(void **state)
{
	ONE("echo $HOME * ~ ~/x `x` $(x) !! !ls ${A} a?b [a] {a,b} &x |y",
	    "echo", "$HOME", "*", "~", "~/x", "`x`", "$(x)", "!!", "!ls",
	    "${A}", "a?b", "[a]", "{a,b}", "&x", "|y");
	ONE("\"$HOME `x` $(x) !!\"", "$HOME `x` $(x) !!");
	ONE("a>b <c 2>&1", "a>b", "<c", "2>&1");
}

static const char *const hostile[] = {
	"", " ", "a b", "'", "''", "\"", "\\", "\\\\", "a'b", "'\\''",
	"\n", "a\nb", "\r\n", ";", "a;b", "#", "#a", "a#", "$HOME", "$(id)",
	"`id`", "!!", "!ls", "~", "*", "-", "--", "--x=y", "\t", "\x01\x02\x1b[2J",
	"\x7f", "\xc3\xa9t\xc3\xa9", "\xff\xfe", "a\\nb", "\"'\"'\"", "{}",
	"plain.word_1:2,3@4%5+6=7/8-9",
};

static void
round_trip(const char *w)
{
	struct lex_result	 res;
	char			*q;

	q = lex_quote(w);
	split_ok(q, &res);
	assert_int_equal(res.ncmds, 1);
	assert_int_equal(res.cmds[0].argc, 1);
	assert_string_equal(res.cmds[0].argv[0], w);
	lex_result_free(&res);
	free(q);
}

static void
test_quote_round_trip(void **state)
{
	char	*big, *q;
	size_t	 i;
	int	 c;

	for (i = 0; i < nitems(hostile); i++)
		round_trip(hostile[i]);
	/* Every single byte, alone and inside a word. */
	for (c = 1; c < 256; c++) {
		char	w[4] = { (char)c, '\0' };
		char	v[4] = { 'a', (char)c, 'b', '\0' };

		round_trip(w);
		round_trip(v);
	}
	/* 10 kB of everything. */
	big = xmalloc(10241);
	for (i = 0; i < 10240; i++)
		big[i] = (char)(1 + i % 255);
	big[10240] = '\0';
	round_trip(big);
	free(big);

	/* Plain words stay bare; anything else is single-quoted. */
	q = lex_quote("kvm1.example.com");
	assert_string_equal(q, "kvm1.example.com");
	free(q);
	q = lex_quote("");
	assert_string_equal(q, "''");
	free(q);
	q = lex_quote("a b");
	assert_string_equal(q, "'a b'");
	free(q);
	q = lex_quote("it's");
	assert_string_equal(q, "'it'\\''s'");
	free(q);
	q = lex_quote("$x");
	assert_string_equal(q, "'$x'");
	free(q);
}

static void
test_join(void **state)
{
	struct lex_result	 res;
	char			*argv[nitems(hostile) + 1];
	char			*j;
	size_t			 i;

	for (i = 0; i < nitems(hostile); i++)
		argv[i] = (char *)hostile[i];
	argv[i] = NULL;
	j = lex_join(argv, (int)nitems(hostile));
	split_ok(j, &res);
	assert_int_equal(res.ncmds, 1);
	assert_int_equal(res.cmds[0].argc, (int)nitems(hostile));
	for (i = 0; i < nitems(hostile); i++)
		assert_string_equal(res.cmds[0].argv[i], hostile[i]);
	lex_result_free(&res);
	free(j);

	argv[0] = "host";
	argv[1] = "add";
	argv[2] = "my host";
	argv[3] = "";
	j = lex_join(argv, 4);
	assert_string_equal(j, "host add 'my host' ''");
	free(j);
	j = lex_join(argv, 0);
	assert_string_equal(j, "");
	free(j);
}

/* Runs lex_partial, which must succeed, and checks words and quote. */
static void
partial_ok(const char *text, char quoted, ...)
{
	va_list		  ap;
	char		**argv;
	const char	 *w;
	int		  argc, i = 0;
	char		  q;

	if (lex_partial(text, &argv, &argc, &q) != 0)
		fail_msg("lex_partial(\"%s\"): %s", text, err_msg());
	assert_int_equal(q, quoted);
	va_start(ap, quoted);
	while ((w = va_arg(ap, const char *)) != NULL) {
		assert_true(i < argc);
		assert_string_equal(argv[i], w);
		i++;
	}
	va_end(ap);
	assert_int_equal(argc, i);
	assert_null(argv[argc]);
	lex_argv_free(argv);
}

static void
test_partial(void **state)
{
	char	**argv;
	int	  argc;
	char	  q;

	partial_ok("", 0, "", (const char *)NULL);
	partial_ok("ho", 0, "ho", (const char *)NULL);
	partial_ok("host ", 0, "host", "", (const char *)NULL);
	partial_ok("host sh", 0, "host", "sh", (const char *)NULL);
	partial_ok("host show\t", 0, "host", "show", "", (const char *)NULL);
	partial_ok("host show 'kv", '\'', "host", "show", "kv",
	    (const char *)NULL);
	partial_ok("host show \"a b", '"', "host", "show", "a b",
	    (const char *)NULL);
	partial_ok("host show ab'c d", '\'', "host", "show", "abc d",
	    (const char *)NULL);
	partial_ok("host show 'a b'c", 0, "host", "show", "a bc",
	    (const char *)NULL);
	partial_ok("host show a\\ b", 0, "host", "show", "a b",
	    (const char *)NULL);
	partial_ok("host show ''", 0, "host", "show", "", (const char *)NULL);
	partial_ok("host list; vm l", 0, "vm", "l", (const char *)NULL);
	partial_ok("host list;", 0, "", (const char *)NULL);
	partial_ok("host list ';' x", 0, "host", "list", ";", "x",
	    (const char *)NULL);
	partial_ok("a # c\nvm ", 0, "vm", "", (const char *)NULL);
	partial_ok("a 'x\ny' b", 0, "a", "x\ny", "b", (const char *)NULL);
	/*
	 * Completion hands these words to the command parser: a quoted "--"
	 * is the word -- as when the line runs, and --opt=value one word.
	 */
	partial_ok("host add '--' --dr", 0, "host", "add", "--", "--dr",
	    (const char *)NULL);
	partial_ok("host add x --driver=k", 0, "host", "add", "x",
	    "--driver=k", (const char *)NULL);
	partial_ok("host add x \"--driver=k", '"', "host", "add", "x",
	    "--driver=k", (const char *)NULL);

	argv = (char **)1;
	assert_int_equal(lex_partial("host # sh", &argv, &argc, &q),
	    ERR_USAGE);
	assert_null(argv);
	assert_int_equal(argc, 0);
	assert_int_equal(lex_partial("host sh\\", &argv, &argc, &q),
	    ERR_USAGE);
	assert_null(argv);
	lex_argv_free(NULL);
}

static void
test_quoted_at(void **state)
{
	const char	*s = "a\\ b 'c d' \"e\\\" f\" g";
	size_t		 i;
	/* Which positions of s are quoted, as lex_split reads it. */
	const char	*want = "001000111100111111000";

	assert_int_equal(strlen(want), strlen(s) + 1);
	for (i = 0; i <= strlen(s); i++)
		if (lex_quoted_at(s, i) != want[i] - '0')
			fail_msg("position %zu ('%c')", i, s[i]);
	/* keymap.c finds a binding's note by the first unquoted " #". */
	s = "bind '#' x \\# y # n";
	assert_true(lex_quoted_at(s, 6));
	assert_true(lex_quoted_at(s, 12));
	assert_false(lex_quoted_at(s, 16));
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_separators),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_no_expansion),
		cmocka_unit_test(test_quote_round_trip),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_quoted_at),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
