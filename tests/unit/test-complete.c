/*
 * test-complete.c: completion asks the command parser where the cursor is
 * (cmd_where), on the words lex.c reads from the line, so it must agree
 * with what running the line would do: after "--", for a value that looks
 * like an option, for --opt=value, with quotes. The cases the earlier,
 * separate completion parser got wrong are here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lex.h"
#include "util.h"

static void
add_cand(const char *cand, void *arg)
{
	struct buf	*b = arg;

	if (b->len > 0)
		buf_addc(b, ' ');
	buf_addstr(b, cand);
}

/*
 * The completions of a line up to the cursor (its end), as the shell asks
 * for them: lex_partial, then cmd_complete. No store is needed here: no
 * case completes names.
 */
static void
completes(const char *line, const char *want)
{
	struct ctx	 c;
	struct buf	 b = { 0 };
	char		**argv, q;
	int		 argc;

	memset(&c, 0, sizeof c);
	c.home = "/nonexistent";
	if (lex_partial(line, &argv, &argc, &q) != 0)
		fail_msg("lex_partial '%s' failed", line);
	cmd_complete(&c, argc, argv, add_cand, &b);
	if (strcmp(b.data != NULL ? b.data : "", want) != 0)
		fail_msg("'%s' completed to '%s', not '%s'", line,
		    b.data != NULL ? b.data : "", want);
	buf_free(&b);
	lex_argv_free(argv);
}

/* Where the parser puts the cursor of line. */
static void
where(const char *line, struct cmd_where *w, char ***argv)
{
	int	argc;
	char	q;

	assert_int_equal(lex_partial(line, argv, &argc, &q), 0);
	cmd_where(argc, *argv, w);
}

static void
test_where(void **state)
{
	struct cmd_where	 w;
	char			**argv;

	where("ho", &w, &argv);
	assert_int_equal(w.at, CMD_AT_COMMAND);
	assert_null(w.noun);
	assert_string_equal(w.word, "ho");
	lex_argv_free(argv);

	where("host s", &w, &argv);
	assert_int_equal(w.at, CMD_AT_COMMAND);
	assert_string_equal(w.noun, "host");
	lex_argv_free(argv);

	where("host show -o json kv", &w, &argv);
	assert_int_equal(w.at, CMD_AT_VALUE);
	assert_string_equal(w.entry->verb, "show");
	assert_true(w.opt->flags & OPT_POSITIONAL);
	assert_string_equal(w.word, "kv");
	assert_int_equal(w.lead, 0);
	lex_argv_free(argv);

	where("host add x --driver=k", &w, &argv);
	assert_int_equal(w.at, CMD_AT_VALUE);
	assert_string_equal(w.opt->name, "driver");
	assert_string_equal(w.word, "k");
	assert_int_equal(w.lead, strlen("--driver="));
	lex_argv_free(argv);

	where("host add x --dr", &w, &argv);
	assert_int_equal(w.at, CMD_AT_OPTION);
	lex_argv_free(argv);

	/* After "--" a word that looks like an option is a positional. */
	where("host show -- --dr", &w, &argv);
	assert_int_equal(w.at, CMD_AT_VALUE);
	assert_true(w.opt->flags & OPT_POSITIONAL);
	lex_argv_free(argv);

	/* An unknown option before the cursor: the parser refuses the line. */
	where("host show --nosuch x", &w, &argv);
	assert_int_equal(w.at, CMD_AT_NONE);
	lex_argv_free(argv);

	where("nosuch thing x", &w, &argv);
	assert_int_equal(w.at, CMD_AT_NONE);
	assert_null(w.entry);
	lex_argv_free(argv);
}

static void
test_complete_like_the_parser(void **state)
{
	/* As before. */
	completes("ho", "host");
	completes("host add new --driver ", "kvm xen vmware libvirt");
	completes("host list -o ", "table wide json csv");
	completes("host list --co", "--columns");
	completes("help ho", "host");
	completes("ui view i", "instances images");
	completes("ui move page-", "page-up page-down");

	/* --driver is the value of --address, and host add has its name. */
	completes("host add new --address --driver ", "");
	/* After "--" there are no options, nor their values. */
	completes("host add -- --driver ", "");
	completes("host add new -- --", "");
	/* "-o" is the filter's value, not the output option. */
	completes("host list --filter -o ", "");
	/* Values given with the option, long or short. */
	completes("host add new --driver=k", "--driver=kvm");
	completes("host add new -dx", "-dxen");
	completes("host list --columns=name,dr", "--columns=name,driver");
	/* An option given once is not offered again; one that repeats is. */
	completes("host list -o json --", "--columns --wide --no-header "
	    "--filter --sort --help");
	completes("host add new --tag a=b --t", "--tag");
	/* After --help the line is help; nothing follows. */
	completes("host add --help --dr", "");
	/* help takes command words, and only those. */
	completes("help host s", "sync show set");
	completes("help host show ", "");
}

/* Quotes are the lexer's: completion sees the words, not the quotes. */
static void
test_quoting(void **state)
{
	completes("host add new --driver 'k", "kvm");
	completes("host add new '--driver' ", "kvm xen vmware libvirt");
	completes("host add new \"--\"driver ", "kvm xen vmware libvirt");
	completes("host add new '--' --driver ", "");
	completes("host add new --driver x; host list -o j", "json");
	completes("'host' 'li", "list");
	completes("host\\ list ", "");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_where),
		cmocka_unit_test(test_complete_like_the_parser),
		cmocka_unit_test(test_quoting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
