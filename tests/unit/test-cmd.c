/*
 * test-cmd.c: unit tests of the command engine, driven through cmd_run()
 * with a ctx whose out and err are memory streams and whose store lives in
 * a temporary directory: exit statuses, option parsing by declared types,
 * error text and routing, the table's self-test, lookup, help, completion,
 * and the audit event a change leaves (and a failure does not).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd.h"
#include "err.h"
#include "lex.h"
#include "util.h"

struct fix {
	char		 dir[64];
	char		*home;		/* the store: a subdirectory of dir */
	struct ctx	 c;
	FILE		*fout, *ferr;
	char		*out, *err;	/* what the last command wrote */
	size_t		 outlen, errlen;
};

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	if (flag == FTW_DP || flag == FTW_D)
		chmod(path, 0700);
	return remove(path);
}

static void
rm_rf(const char *dir)
{
	chmod(dir, 0700);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
streams_close(struct fix *fx)
{
	if (fx->fout != NULL)
		fclose(fx->fout);
	if (fx->ferr != NULL)
		fclose(fx->ferr);
	free(fx->out);
	free(fx->err);
	fx->fout = fx->ferr = NULL;
	fx->out = fx->err = NULL;
}

/* Fresh, empty out and err streams for the next command. */
static void
streams_reset(struct fix *fx)
{
	streams_close(fx);
	fx->fout = open_memstream(&fx->out, &fx->outlen);
	fx->ferr = open_memstream(&fx->err, &fx->errlen);
	assert_non_null(fx->fout);
	assert_non_null(fx->ferr);
	fx->c.out = fx->fout;
	fx->c.err = fx->ferr;
}

static void
streams_flush(struct fix *fx)
{
	fflush(fx->fout);
	fflush(fx->ferr);
}

static int
setup(void **state)
{
	struct fix	*fx = calloc(1, sizeof *fx);

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/hvsh-test-cmd.XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	fx->home = xasprintf("%s/home", fx->dir);
	setenv("HVSH_FAKE_TIME", "1700000000", 1);
	unsetenv("HVSH_MAPSIZE");
	ctx_init(&fx->c, fx->home);
	streams_reset(fx);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fix	*fx = *state;

	ctx_free(&fx->c);
	streams_close(fx);
	rm_rf(fx->dir);
	free(fx->home);
	free(fx);
	return 0;
}

/* Runs argv as one command; out and err then hold what it wrote. */
static int
run_argv(struct fix *fx, int argc, char **argv)
{
	int	rc;

	streams_reset(fx);
	rc = cmd_run(&fx->c, argc, argv);
	streams_flush(fx);
	return rc;
}

/* Runs one command line, split the way a script's line is. */
static int
run(struct fix *fx, const char *line)
{
	struct lex_result	res;
	int			rc;

	memset(&res, 0, sizeof res);
	assert_int_equal(lex_split(line, 1, &res), 0);
	assert_int_equal(res.ncmds, 1);
	rc = run_argv(fx, res.cmds[0].argc, res.cmds[0].argv);
	lex_result_free(&res);
	return rc;
}

/* Runs a line that must succeed, with nothing on err. */
static void
run_ok(struct fix *fx, const char *line)
{
	int	rc = run(fx, line);

	if (rc != 0)
		fail_msg("'%s' returned %d: %s", line, rc, fx->err);
	assert_string_equal(fx->err, "");
}

static void
add_host(struct fix *fx, const char *name)
{
	char	*line;

	line = xasprintf("host add %s --address 10.0.0.1 --driver kvm "
	    "--no-check", name);
	run_ok(fx, line);
	free(line);
}

/* The last command's out as JSON; the caller decrefs. */
static json_t *
out_json(struct fix *fx)
{
	json_error_t	 jerr;
	json_t		*j;

	j = json_loads(fx->out, 0, &jerr);
	if (j == NULL)
		fail_msg("not JSON (%s): %s", jerr.text, fx->out);
	return j;
}

static void
assert_starts(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)) != 0)
		fail_msg("'%s' does not start with '%s'", s, prefix);
}

static void
assert_contains(const char *s, const char *part)
{
	if (strstr(s, part) == NULL)
		fail_msg("'%s' does not contain '%s'", s, part);
}

/* Nothing was stored: the store directory was never even made. */
static void
assert_no_store(struct fix *fx)
{
	struct stat	sb;

	assert_int_equal(stat(fx->home, &sb), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_unknown_command(void **state)
{
	struct fix	*fx = *state;
	char		*ctl[] = { (char *)"fr\x1bob", NULL };

	assert_int_equal(run(fx, "frobnicate"), 2);
	assert_string_equal(fx->err,
	    "hvsh: unknown command 'frobnicate' (see 'hvsh help')\n");
	assert_string_equal(fx->out, "");
	/* A word with control characters is not echoed. */
	assert_int_equal(run_argv(fx, 1, ctl), 2);
	assert_string_equal(fx->err,
	    "hvsh: unknown command (see 'hvsh help')\n");
	/* No words: nothing to do. */
	assert_int_equal(run_argv(fx, 0, ctl + 1), 0);
	assert_string_equal(fx->err, "");
	assert_int_equal(fx->c.nerrors, 2);
	assert_no_store(fx);
}

static void
test_noun_without_verb(void **state)
{
	struct fix	*fx = *state;

	assert_int_equal(run(fx, "host"), 2);
	assert_string_equal(fx->err,
	    "hvsh: host: missing verb (add, check, facts, sync, watch, list, show, set, remove)\n");
	assert_int_equal(run(fx, "audit"), 2);
	assert_string_equal(fx->err, "hvsh: audit: missing verb (list)\n");
	assert_no_store(fx);
}

static void
test_unknown_verb(void **state)
{
	struct fix	*fx = *state;
	char		*ctl[] = { (char *)"host", (char *)"a\tb", NULL };

	assert_int_equal(run(fx, "host frob"), 2);
	assert_string_equal(fx->err, "hvsh: host: unknown verb 'frob' "
	    "(add, check, facts, sync, watch, list, show, set, remove)\n");
	assert_int_equal(run_argv(fx, 2, ctl), 2);
	assert_string_equal(fx->err,
	    "hvsh: host: unknown verb (add, check, facts, sync, watch, list, show, set, remove)\n");
	assert_no_store(fx);
}

static void
test_unknown_option(void **state)
{
	struct fix	*fx = *state;
	char		*line;
	char		 opt[120];

	assert_int_equal(run(fx, "host list --bogus"), 2);
	assert_string_equal(fx->err,
	    "hvsh: host list: unknown option '--bogus'\n"
	    "usage: hvsh host list [options]\n");
	assert_string_equal(fx->out, "");
	assert_int_equal(run(fx, "host list -Z"), 2);
	assert_starts(fx->err, "hvsh: host list: unknown option '-Z'\n");
	/* An option of another command is unknown here. */
	assert_int_equal(run(fx, "host show kvm1 --force"), 2);
	assert_starts(fx->err, "hvsh: host show: unknown option '--force'\n");
	/* Nor is one with control characters. */
	assert_int_equal(run_argv(fx, 3, (char *[]){ "host", "list",
	    "--a\x1b[2J", NULL }), 2);
	assert_starts(fx->err, "hvsh: host list: unknown option\n");
	/* A long unknown option is not echoed. */
	memset(opt, 'x', sizeof opt - 1);
	opt[0] = opt[1] = '-';
	opt[sizeof opt - 1] = '\0';
	line = xasprintf("host list %s", opt);
	assert_int_equal(run(fx, line), 2);
	assert_starts(fx->err, "hvsh: host list: unknown option\n");
	free(line);
	assert_no_store(fx);
}

static void
test_missing_required_option(void **state)
{
	struct fix	*fx = *state;

	assert_int_equal(run(fx, "host add kvm1 --driver kvm --no-check"), 2);
	assert_string_equal(fx->err,
	    "hvsh: host add: missing --address ADDR\n"
	    "usage: hvsh host add NAME --address ADDR --driver DRIVER "
	    "[options]\n");
	assert_int_equal(run(fx, "host add kvm1 -a 10.0.0.1 --no-check"), 2);
	assert_starts(fx->err, "hvsh: host add: missing --driver DRIVER\n");
	/* An option that wants a value, given last without one. */
	assert_int_equal(run(fx, "host add kvm1 -d kvm --no-check --address"),
	    2);
	assert_starts(fx->err,
	    "hvsh: host add: option --address needs a value (ADDR)\n");
	assert_no_store(fx);
}

static void
test_missing_positional(void **state)
{
	struct fix	*fx = *state;

	assert_int_equal(run(fx, "host show"), 2);
	assert_string_equal(fx->err, "hvsh: host show: missing NAME\n"
	    "usage: hvsh host show NAME [options]\n");
	assert_int_equal(run(fx, "host add --address 10.0.0.1 --driver kvm "
	    "--no-check"), 2);
	assert_starts(fx->err, "hvsh: host add: missing NAME\n");
	assert_no_store(fx);
}

static void
test_extra_positional(void **state)
{
	struct fix	*fx = *state;

	assert_int_equal(run(fx, "host show a b"), 2);
	assert_starts(fx->err, "hvsh: host show: unexpected argument 'b'\n");
	assert_int_equal(run(fx, "version now"), 2);
	assert_string_equal(fx->err, "hvsh: version: unexpected argument "
	    "'now'\nusage: hvsh version\n");
	assert_string_equal(fx->out, "");
	assert_no_store(fx);
}

static void
test_option_twice(void **state)
{
	struct fix	*fx = *state;

	assert_int_equal(run(fx, "host add kvm1 -a 10.0.0.1 --address 10.0.0.2 "
	    "-d kvm --no-check"), 2);
	assert_starts(fx->err,
	    "hvsh: host add: option --address given twice\n");
	assert_int_equal(run(fx, "host list -o json --output=csv"), 2);
	assert_starts(fx->err,
	    "hvsh: host list: option --output given twice\n");
	assert_no_store(fx);
	/* A repeating option may repeat. */
	run_ok(fx, "host add kvm1 -a 10.0.0.1 -d kvm --tag b=2 --tag a=1 "
	    "--no-check");
	run_ok(fx, "host list --columns tags -o csv --no-header");
	assert_string_equal(fx->out, "\"a=1,b=2\"\r\n");
}

/* Address, driver and port of host name, read back as JSON. */
static void
assert_host(struct fix *fx, const char *name, const char *addr,
    const char *driver, json_int_t port)
{
	char	*line;
	json_t	*j;

	line = xasprintf("host show %s -o json", name);
	run_ok(fx, line);
	free(line);
	j = out_json(fx);
	assert_string_equal(json_string_value(json_object_get(j, "address")),
	    addr);
	assert_string_equal(json_string_value(json_object_get(j, "driver")),
	    driver);
	assert_int_equal(json_integer_value(json_object_get(j, "port")), port);
	json_decref(j);
}

static void
test_option_forms(void **state)
{
	struct fix	*fx = *state;

	run_ok(fx, "host add h1 --address=10.0.0.1 --driver=kvm --port=2201 "
	    "--no-check");
	assert_string_equal(fx->out, "host h1 added\n");
	run_ok(fx, "host add h2 -a 10.0.0.2 -d xen -p 2202 --no-check");
	run_ok(fx, "host add h3 -a10.0.0.3 -dvmware -p2203 --no-check");
	/* Options may come before the positional; libvirt's are URIs. */
	run_ok(fx, "host add --no-check -a qemu:///system -d libvirt h4");
	assert_host(fx, "h1", "10.0.0.1", "kvm", 2201);
	assert_host(fx, "h2", "10.0.0.2", "xen", 2202);
	assert_host(fx, "h3", "10.0.0.3", "vmware", 2203);
	/* No SSH port for a host reached through libvirt's API. */
	assert_host(fx, "h4", "qemu:///system", "libvirt", 0);
	/* The same forms for an enum of the list options. */
	run_ok(fx, "host list -ocsv --columns=name --no-header");
	assert_string_equal(fx->out, "h1\r\nh2\r\nh3\r\nh4\r\n");
	run_ok(fx, "host ls --output=csv --columns name --no-header");
	assert_string_equal(fx->out, "h1\r\nh2\r\nh3\r\nh4\r\n");
	/* A flag takes no value. */
	assert_int_equal(run(fx, "host add h5 -a 10.0.0.5 -d kvm "
	    "--no-check=yes"), 2);
	assert_starts(fx->err,
	    "hvsh: host add: option --no-check takes no value\n");
	/* "--opt=" is an empty value, not a missing one. */
	assert_int_equal(run(fx, "host add h5 --address= -d kvm --no-check"),
	    2);
	assert_starts(fx->err,
	    "hvsh: host add: address must be 1 to 253 characters\n");
}

static void
test_dashdash(void **state)
{
	struct fix	*fx = *state;

	add_host(fx, "kvm1");
	run_ok(fx, "host show -o csv --columns name -- kvm1");
	assert_string_equal(fx->out, "name\r\nkvm1\r\n");
	/* After "--" options are words like any other. */
	assert_int_equal(run(fx, "host show -- kvm1 -o csv"), 2);
	assert_starts(fx->err, "hvsh: host show: unexpected argument '-o'\n");
	/* After "--" a word starting with '-' is a positional... */
	assert_int_equal(run(fx, "host show -- -x"), 2);
	assert_string_equal(fx->err,
	    "hvsh: host show: host name may not start with '-'\n"
	    "usage: hvsh host show NAME [options]\n");
	/* ...even one that looks like --help. */
	assert_int_equal(run(fx, "host show -- --help"), 2);
	assert_starts(fx->err,
	    "hvsh: host show: host name may not start with '-'\n");
	assert_string_equal(fx->out, "");
	/* A second "--" is a positional too. */
	assert_int_equal(run(fx, "host show -- kvm1 --"), 2);
	assert_starts(fx->err, "hvsh: host show: unexpected argument '--'\n");
	/* A lone "-" is a positional without "--". */
	assert_int_equal(run(fx, "host show -"), 2);
	assert_starts(fx->err,
	    "hvsh: host show: host name may not start with '-'\n");
}

static void
test_int_and_size(void **state)
{
	struct fix	*fx = *state;
	json_t		*j;

	assert_int_equal(run(fx, "host add h -a 10.0.0.1 -d kvm --port abc "
	    "--no-check"), 2);
	assert_starts(fx->err,
	    "hvsh: host add: port: 'abc' is not a whole number\n");
	assert_int_equal(run(fx, "host add h -a 10.0.0.1 -d kvm --port -5 "
	    "--no-check"), 2);
	assert_starts(fx->err,
	    "hvsh: host add: port: '-5' is not a whole number\n");
	assert_int_equal(run(fx, "host add h -a 10.0.0.1 -d kvm --port 22x "
	    "--no-check"), 2);
	assert_int_equal(run(fx, "host add h -a 10.0.0.1 -d kvm --port "
	    "99999999999999999999 --no-check"), 2);
	assert_contains(fx->err, "is not a whole number");
	assert_int_equal(run(fx, "audit list --limit many"), 2);
	assert_starts(fx->err,
	    "hvsh: audit list: limit: 'many' is not a whole number\n");
	assert_no_store(fx);
	/* A whole number out of the command's range is the command's call. */
	assert_int_equal(run(fx, "host add h -a 10.0.0.1 -d kvm --port 70000 "
	    "--no-check"), 2);
	assert_starts(fx->err, "hvsh: host add: port must be 1 to 65535\n");

	assert_int_equal(run(fx, "pool add p --role primary --type dir "
	    "--path /srv --capacity 2X"), 2);
	assert_starts(fx->err, "hvsh: pool add: capacity: '2X' is not a size "
	    "(such as 512M, 2G)\n");
	assert_int_equal(run(fx, "pool add p --role primary --type dir "
	    "--path /srv --capacity -1G"), 2);
	assert_starts(fx->err,
	    "hvsh: pool add: capacity: '-1G' is not a size");
	assert_int_equal(run(fx, "pool add p --role primary --type dir "
	    "--path /srv --capacity 99999999T"), 2);

	run_ok(fx, "pool add p --role primary --type dir --path /srv "
	    "--capacity 2G");
	run_ok(fx, "pool show p -o json");
	j = out_json(fx);
	assert_int_equal(json_integer_value(json_object_get(j, "capacity")),
	    2147483648LL);
	json_decref(j);
	run_ok(fx, "audit list --limit 1 -o csv --columns id --no-header");
	assert_string_equal(fx->out, "1\r\n");
}

static void
test_enum_choices(void **state)
{
	struct fix	*fx = *state;

	assert_int_equal(run(fx, "host add h -a 10.0.0.1 --driver hyperv "
	    "--no-check"), 2);
	assert_string_equal(fx->err, "hvsh: host add: driver: 'hyperv' is not "
	    "one of kvm|xen|vmware|libvirt\n"
	    "usage: hvsh host add NAME --address ADDR --driver DRIVER "
	    "[options]\n");
	assert_int_equal(run(fx, "host list -o yaml"), 2);
	assert_starts(fx->err,
	    "hvsh: host list: output: 'yaml' is not one of table|wide|json|csv\n");
	/* Enum values are matched exactly. */
	assert_int_equal(run(fx, "host list -o JSON"), 2);
	assert_int_equal(run(fx, "pool add p --role tertiary --type dir "
	    "--path /srv"), 2);
	assert_starts(fx->err, "hvsh: pool add: role: 'tertiary' is not one of "
	    "primary|secondary\n");
	assert_no_store(fx);
}

static void
test_control_characters(void **state)
{
	struct fix	*fx = *state;
	char		*tab[] = { (char *)"host", (char *)"add", (char *)"h",
	    (char *)"-a", (char *)"10.0.0.1\t", (char *)"-d", (char *)"kvm",
	    (char *)"--no-check", NULL };
	char		*esc[] = { (char *)"host", (char *)"show",
	    (char *)"kv\x1b[2Jm", NULL };
	char		*del[] = { (char *)"host", (char *)"add", (char *)"h",
	    (char *)"--address=10.0.0.1\x7f", (char *)"-d", (char *)"kvm",
	    (char *)"--no-check", NULL };
	char		*nl[] = { (char *)"host", (char *)"list",
	    (char *)"--filter", (char *)"name=a\nb", NULL };

	assert_int_equal(run_argv(fx, 8, tab), 2);
	assert_starts(fx->err,
	    "hvsh: host add: address: value has control characters\n");
	assert_int_equal(run_argv(fx, 3, esc), 2);
	assert_starts(fx->err,
	    "hvsh: host show: name: value has control characters\n");
	/* The value itself never reaches the error stream. */
	assert_null(strchr(fx->err, '\x1b'));
	assert_int_equal(run_argv(fx, 7, del), 2);
	assert_starts(fx->err,
	    "hvsh: host add: address: value has control characters\n");
	assert_null(strchr(fx->err, '\x7f'));
	assert_int_equal(run_argv(fx, 4, nl), 2);
	assert_starts(fx->err,
	    "hvsh: host list: filter: value has control characters\n");
	assert_no_store(fx);
}

static void
test_long_value(void **state)
{
	struct fix	*fx = *state;
	char		*val = xmalloc(5001);
	char		*argv[] = { (char *)"host", (char *)"add", (char *)"h",
	    (char *)"-a", val, (char *)"-d", (char *)"kvm",
	    (char *)"--no-check", NULL };

	memset(val, 'a', 5000);
	val[5000] = '\0';
	assert_int_equal(run_argv(fx, 8, argv), 2);
	assert_starts(fx->err,
	    "hvsh: host add: address: value is longer than 4096 bytes\n");
	assert_true(fx->errlen < 200);
	/* 4097 bytes are too many; 4096 pass the parser (not the command). */
	val[4097] = '\0';
	assert_int_equal(run_argv(fx, 8, argv), 2);
	assert_starts(fx->err,
	    "hvsh: host add: address: value is longer than 4096 bytes\n");
	/* A long positional as well. */
	val[4096] = 'a';
	argv[2] = val;
	argv[4] = (char *)"10.0.0.1";
	assert_int_equal(run_argv(fx, 8, argv), 2);
	assert_starts(fx->err,
	    "hvsh: host add: name: value is longer than 4096 bytes\n");
	assert_no_store(fx);
	val[4096] = '\0';
	argv[2] = (char *)"h";
	argv[4] = val;
	assert_int_equal(run_argv(fx, 8, argv), 2);
	assert_starts(fx->err,
	    "hvsh: host add: address must be 1 to 253 characters\n");
	free(val);
}

static void
test_help_option(void **state)
{
	struct fix	*fx = *state;
	char		*first;

	assert_int_equal(run(fx, "host add --help"), 0);
	assert_starts(fx->out, "usage: hvsh host add NAME --address ADDR "
	    "--driver DRIVER [options]\n\nrecord a hypervisor host, after "
	    "reaching it\n");
	assert_contains(fx->out, "  -a, --address ADDR ");
	assert_contains(fx->out, "  --no-check ");
	assert_contains(fx->out, "  -h, --help ");
	assert_string_equal(fx->err, "");
	first = xstrdup(fx->out);
	/* -h is the same, and --help wins over missing arguments. */
	assert_int_equal(run(fx, "host add -h"), 0);
	assert_string_equal(fx->out, first);
	assert_int_equal(run(fx, "host add kvm1 --port 22 --help"), 0);
	assert_string_equal(fx->out, first);
	/* "help host add" prints the same. */
	assert_int_equal(run(fx, "help host add"), 0);
	assert_string_equal(fx->out, first);
	free(first);
	assert_int_equal(run(fx, "version --help"), 0);
	assert_starts(fx->out, "usage: hvsh version\n");
	assert_int_equal(run(fx, "host list --help=yes"), 2);
	assert_starts(fx->err,
	    "hvsh: host list: option --help takes no value\n");
	/* Help needs no store. */
	assert_no_store(fx);
}

static void
test_shell_in_shell(void **state)
{
	struct fix	*fx = *state;

	fx->c.interactive = 1;
	assert_int_equal(run(fx, "shell"), 2);
	assert_string_equal(fx->err, "hvsh: shell: already in the shell\n");
	assert_no_store(fx);
}

static void
test_error_prefix(void **state)
{
	struct fix	*fx = *state;

	assert_int_equal(run(fx, "host add kvm1 --driver kvm --no-check"), 2);
	assert_starts(fx->err, "hvsh: host add: missing --address ADDR\n");
	fx->c.src.file = "f.hvsh";
	fx->c.src.line = 3;
	assert_int_equal(run(fx, "host add kvm1 --driver kvm --no-check"), 2);
	assert_starts(fx->err,
	    "hvsh: f.hvsh:3: host add: missing --address ADDR\n");
	assert_int_equal(run(fx, "frob"), 2);
	assert_string_equal(fx->err,
	    "hvsh: f.hvsh:3: unknown command 'frob' (see 'hvsh help')\n");
	/* A failure of the command itself has the same prefix. */
	assert_int_equal(run(fx, "host show nosuch"), 1);
	assert_string_equal(fx->err,
	    "hvsh: f.hvsh:3: host show: host 'nosuch' not found\n");
	/* Without a line number the file is left out. */
	fx->c.src.line = 0;
	assert_int_equal(run(fx, "host show nosuch"), 1);
	assert_string_equal(fx->err,
	    "hvsh: host show: host 'nosuch' not found\n");
	fx->c.src.file = NULL;
}

struct caught {
	char	*msg[8];
	int	 n;
	int	 entry_set;	/* the running entry was known to the hook */
};

static struct caught caught;

static void
catch_error(struct ctx *c, const char *msg)
{
	if (caught.n < (int)nitems(caught.msg))
		caught.msg[caught.n++] = xstrdup(msg);
	if (c->entry != NULL)
		caught.entry_set++;
}

static void
caught_free(void)
{
	int	i;

	for (i = 0; i < caught.n; i++)
		free(caught.msg[i]);
	memset(&caught, 0, sizeof caught);
}

static void
test_on_error_hook(void **state)
{
	struct fix	*fx = *state;

	memset(&caught, 0, sizeof caught);
	fx->c.on_error = catch_error;
	assert_int_equal(run(fx, "host add kvm1 --driver kvm --no-check"), 2);
	assert_int_equal(caught.n, 1);
	assert_string_equal(caught.msg[0], "missing --address ADDR");
	/* The hook has the message; err keeps only the usage note. */
	assert_string_equal(fx->err, "usage: hvsh host add NAME --address ADDR "
	    "--driver DRIVER [options]\n");
	assert_int_equal(run(fx, "host show nosuch"), 1);
	assert_int_equal(caught.n, 2);
	assert_string_equal(caught.msg[1], "host 'nosuch' not found");
	assert_string_equal(fx->err, "");
	/* Contacting a host: loopback port 1 refuses at once. */
	assert_int_equal(run(fx, "host add kvm1 -a 127.0.0.1 -p 1 -d kvm"), 1);
	assert_int_equal(caught.n, 3);
	assert_non_null(strstr(caught.msg[2], "127.0.0.1"));
	assert_int_equal(run(fx, "nosuch"), 2);
	assert_int_equal(caught.n, 4);
	assert_string_equal(caught.msg[3],
	    "unknown command 'nosuch' (see 'hvsh help')");
	assert_string_equal(fx->err, "");
	/* Every error but the last came while a command was known. */
	assert_int_equal(caught.entry_set, 3);
	assert_int_equal(fx->c.nerrors, 4);
	caught_free();
}

static void
test_self_test(void **state)
{
	struct fix			*fx = *state;
	const struct cmd_entry *const	*ep;
	struct buf			 text = { 0 };
	char				*want;
	int				 n = 0;

	assert_int_equal(cmd_self_test(&text), 0);
	assert_int_equal(text.len, 0);
	buf_free(&text);

	for (ep = cmd_table; *ep != NULL; ep++)
		n++;
	assert_int_equal(run(fx, "self-test"), 0);
	want = xasprintf("%d commands, no problems\n", n);
	assert_string_equal(fx->out, want);
	free(want);
	fx->c.quiet = 1;
	assert_int_equal(run(fx, "self-test"), 0);
	assert_string_equal(fx->out, "");
	assert_no_store(fx);
}

static void
test_find(void **state)
{
	const struct cmd_entry	*e;
	char			 name[64];
	int			 used;

	e = cmd_find(2, (char *[]){ "host", "ls", NULL }, &used);
	assert_non_null(e);
	assert_int_equal(used, 2);
	assert_string_equal(cmd_name(e, name, sizeof name), "host list");
	assert_ptr_equal(cmd_find(2, (char *[]){ "host", "list", NULL }, &used),
	    e);
	e = cmd_find(3, (char *[]){ "host", "rm", "kvm1", NULL }, &used);
	assert_non_null(e);
	assert_int_equal(used, 2);
	assert_string_equal(e->verb, "remove");
	e = cmd_find(1, (char *[]){ "version", NULL }, &used);
	assert_non_null(e);
	assert_int_equal(used, 1);
	assert_null(e->noun);
	assert_string_equal(cmd_name(e, name, sizeof name), "version");
	/* A lone word takes one word, whatever follows. */
	e = cmd_find(3, (char *[]){ "help", "host", "add", NULL }, &used);
	assert_non_null(e);
	assert_int_equal(used, 1);
	assert_string_equal(e->verb, "help");

	assert_null(cmd_find(1, (char *[]){ "nonsense", NULL }, &used));
	assert_int_equal(used, 0);
	assert_null(cmd_find(2, (char *[]){ "nonsense", "list", NULL }, &used));
	assert_null(cmd_find(1, (char *[]){ "host", NULL }, &used));
	assert_null(cmd_find(2, (char *[]){ "host", "frob", NULL }, &used));
	assert_null(cmd_find(2, (char *[]){ "list", "host", NULL }, &used));
	/* An alias belongs to its noun only. */
	assert_null(cmd_find(2, (char *[]){ "vm", "rm", NULL }, &used));
	assert_null(cmd_find(2, (char *[]){ "HOST", "list", NULL }, &used));
	assert_null(cmd_find(0, (char *[]){ NULL }, &used));
	assert_int_equal(used, 0);
}

/* cmd_help into a string; *rc set to its return. */
static char *
help_text(int argc, char **argv, int *rc)
{
	struct buf	b = { 0 };

	*rc = cmd_help(&b, argc, argv);
	buf_add(&b, "", 0);
	return buf_take(&b);
}

static void
test_help(void **state)
{
	char	*t;
	int	 rc;

	t = help_text(0, NULL, &rc);
	assert_int_equal(rc, 0);
	assert_starts(t, "usage: hvsh [--home DIR] [-q] COMMAND [ARGS...]\n");
	assert_contains(t, "\nCommands:\n  host add           record a "
	    "hypervisor host, after reaching it\n");
	assert_contains(t, "  audit list         ");
	assert_contains(t, "  version            print hvsh's version\n");
	assert_contains(t, "\nRun 'hvsh help COMMAND' for a command's "
	    "options.\n");
	/* Hidden entries are left out. */
	assert_null(strstr(t, "  complete "));
	free(t);

	t = help_text(1, (char *[]){ "host", NULL }, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(t,
	    "  host add           record a hypervisor host, after reaching it\n"
	    "  host check         reach hosts, verify key and CLI, record facts "
	    "and instance states\n"
	    "  host facts         ask a host for its CPUs, memory, free memory "
	    "and version\n"
	    "  host sync          compare the store with what hosts report; "
	    "adopt outside snapshots\n"
	    "  host watch         record instance states as the host announces "
	    "their changes\n"
	    "  host list          list hosts with their status\n"
	    "  host show          show everything known about a host\n"
	    "  host set           change a host's connection details or "
	    "labels\n"
	    "  host remove        forget a host\n");
	free(t);

	t = help_text(2, (char *[]){ "host", "add", NULL }, &rc);
	assert_int_equal(rc, 0);
	assert_starts(t, "usage: hvsh host add NAME --address ADDR --driver "
	    "DRIVER [options]\n\nrecord a hypervisor host, after reaching it"
	    "\n\nThe host is reached over SSH");
	assert_contains(t, "\n  NAME                         name for the "
	    "host (required)\n");
	assert_contains(t, "\n  -d, --driver DRIVER          hypervisor: ");
	assert_contains(t, "\n                               one of: kvm, xen, "
	    "vmware, libvirt\n");
	assert_contains(t, "\n  --tag KEY=VALUE              label KEY=VALUE "
	    "(may repeat)\n");
	free(t);

	/* Through an alias, and a list command shows the list options. */
	t = help_text(2, (char *[]){ "host", "ls", NULL }, &rc);
	assert_int_equal(rc, 0);
	assert_starts(t, "usage: hvsh host list [options]\n");
	assert_contains(t, "  -o, --output FORMAT ");
	assert_contains(t, "  --filter EXPR ");
	free(t);

	t = help_text(1, (char *[]){ "nonsense", NULL }, &rc);
	assert_int_equal(rc, ERR_USAGE);
	assert_string_equal(t, "");
	free(t);
}

static void
test_help_command(void **state)
{
	struct fix	*fx = *state;

	assert_int_equal(run(fx, "help"), 0);
	assert_starts(fx->out, "usage: hvsh [--home DIR]");
	assert_int_equal(run(fx, "help pool"), 0);
	assert_starts(fx->out, "  pool add           record a storage pool\n");
	assert_int_equal(run(fx, "help nosuch"), 2);
	assert_string_equal(fx->err, "hvsh: help: no command 'nosuch'\n");
	assert_no_store(fx);
}

static void
add_cand(const char *cand, void *arg)
{
	struct buf	*b = arg;

	if (b->len > 0)
		buf_addc(b, ' ');
	buf_addstr(b, cand);
}

/*
 * Completions of words (the last being the word under the cursor), joined
 * by spaces; "" when there are none. The caller frees.
 */
static char *
complete(struct fix *fx, char **words)
{
	struct buf	 b = { 0 };
	char		*s;
	int		 n = 0;

	while (words[n] != NULL)
		n++;
	cmd_complete(&fx->c, n, words, add_cand, &b);
	s = buf_take(&b);
	return s != NULL ? s : xstrdup("");
}

static void
assert_completes(struct fix *fx, char **words, const char *want)
{
	char	*got = complete(fx, words);

	if (strcmp(got, want) != 0)
		fail_msg("completed to '%s', not '%s'", got, want);
	free(got);
}

static void
test_complete_words(void **state)
{
	struct fix	*fx = *state;
	char		*all;

	/* First words: each noun once and the lone words, none hidden. */
	all = complete(fx, (char *[]){ "", NULL });
	assert_string_equal(all, "host pool image vm volume snapshot user "
	    "audit store ui keys help version tui shell self-test");
	free(all);
	assert_completes(fx, (char *[]){ "s", NULL },
	    "snapshot store shell self-test");
	assert_completes(fx, (char *[]){ "ho", NULL }, "host");
	assert_completes(fx, (char *[]){ "zz", NULL }, "");
	/* Verbs of a noun. */
	assert_completes(fx, (char *[]){ "host", "", NULL },
	    "add check facts sync watch list show set remove");
	assert_completes(fx, (char *[]){ "host", "s", NULL }, "sync show set");
	assert_completes(fx, (char *[]){ "audit", "", NULL }, "list");
	assert_completes(fx, (char *[]){ "help", "host", "r", NULL }, "remove");
	assert_completes(fx, (char *[]){ "help", "vo", NULL }, "volume");
	/* Options, and the implied ones of a list. */
	assert_completes(fx, (char *[]){ "host", "add", "kvm1", "--", NULL },
	    "--address --driver --port --user --key --tag --accept-key "
	    "--no-check --help");
	assert_completes(fx, (char *[]){ "host", "add", "--d", NULL },
	    "--driver");
	assert_completes(fx, (char *[]){ "host", "ls", "-", NULL },
	    "--output --columns --wide --no-header --filter --sort --help");
	/* Enum values after the option, long or short. */
	assert_completes(fx, (char *[]){ "host", "add", "kvm1", "--driver", "",
	    NULL }, "kvm xen vmware libvirt");
	assert_completes(fx, (char *[]){ "host", "add", "-d", "x", NULL },
	    "xen");
	assert_completes(fx, (char *[]){ "host", "list", "-o", "", NULL },
	    "table wide json csv");
	assert_completes(fx, (char *[]){ "pool", "add", "p", "--type", "",
	    NULL }, "dir nfs iscsi zfs lvm");
	/* Columns, also after those already chosen. */
	assert_completes(fx, (char *[]){ "host", "list", "--columns", "d",
	    NULL }, "driver");
	assert_completes(fx, (char *[]){ "host", "list", "--columns",
	    "name,ad", NULL }, "name,address");
	/* Free text and flags complete to nothing. */
	assert_completes(fx, (char *[]){ "host", "add", "kvm1", "--address",
	    "", NULL }, "");
	assert_completes(fx, (char *[]){ "nonsense", "", NULL }, "");
	assert_completes(fx, (char *[]){ "version", "", NULL }, "");
}

static void
test_complete_names(void **state)
{
	struct fix	*fx = *state;

	add_host(fx, "kvm2");
	add_host(fx, "web1");
	add_host(fx, "kvm1");
	run_ok(fx, "pool add fast --role primary --type dir --path /srv "
	    "--host kvm1");
	assert_completes(fx, (char *[]){ "host", "show", "", NULL },
	    "kvm1 kvm2 web1");
	assert_completes(fx, (char *[]){ "host", "show", "kv", NULL },
	    "kvm1 kvm2");
	assert_completes(fx, (char *[]){ "host", "rm", "w", NULL }, "web1");
	assert_completes(fx, (char *[]){ "host", "show", "x", NULL }, "");
	/* Options before the name do not count as positionals. */
	assert_completes(fx, (char *[]){ "host", "show", "-o", "json", "k",
	    NULL }, "kvm1 kvm2");
	/* Only one name: after it, nothing more to offer. */
	assert_completes(fx, (char *[]){ "host", "show", "kvm1", "", NULL },
	    "");
	/* A new name is not completed from the existing ones. */
	assert_completes(fx, (char *[]){ "host", "add", "k", NULL }, "");
	/* A name option of another kind. */
	assert_completes(fx, (char *[]){ "pool", "add", "p2", "--host", "",
	    NULL }, "kvm1 kvm2 web1");
	assert_completes(fx, (char *[]){ "pool", "show", "", NULL }, "fast");
	assert_completes(fx, (char *[]){ "help", "host", "show", "k", NULL },
	    "");
}

/* Audit events as JSON, oldest first; the caller decrefs. */
static json_t *
audit_events(struct fix *fx)
{
	json_t	*j;

	run_ok(fx, "audit list -o json");
	j = out_json(fx);
	assert_true(json_is_array(j));
	return j;
}

static void
test_audit_success(void **state)
{
	struct fix		*fx = *state;
	struct lex_result	 res;
	json_t			*j, *ev;
	char			*want;

	memset(&res, 0, sizeof res);
	assert_int_equal(lex_split("host add kvm1 -a 10.0.0.1 --driver=kvm "
	    "--tag 'env=x;y' --no-check", 1, &res), 0);
	assert_int_equal(run_argv(fx, res.cmds[0].argc, res.cmds[0].argv), 0);
	assert_string_equal(fx->out, "host kvm1 added\n");
	assert_string_equal(fx->err, "");
	want = lex_join(res.cmds[0].argv, res.cmds[0].argc);
	/* The word with ';' comes back quoted. */
	assert_string_equal(want, "host add kvm1 -a 10.0.0.1 --driver=kvm "
	    "--tag 'env=x;y' --no-check");
	lex_result_free(&res);

	j = audit_events(fx);
	assert_int_equal(json_array_size(j), 1);
	ev = json_array_get(j, 0);
	assert_int_equal(json_integer_value(json_object_get(ev, "id")), 1);
	assert_string_equal(json_string_value(json_object_get(ev, "command")),
	    want);
	assert_true(json_is_integer(json_object_get(ev, "status")));
	assert_int_equal(json_integer_value(json_object_get(ev, "status")), 0);
	assert_string_equal(json_string_value(json_object_get(ev, "user")),
	    fx->c.user);
	assert_string_equal(json_string_value(json_object_get(ev, "result")),
	    "added host kvm1 (id 1)");
	assert_string_equal(json_string_value(json_object_get(ev, "time")),
	    "2023-11-14T22:13:20Z");
	json_decref(j);
	free(want);

	/* Reading is not audited; another change is. */
	run_ok(fx, "host list");
	run_ok(fx, "host set kvm1 --port 2222");
	assert_string_equal(fx->out, "host kvm1 changed\n");
	j = audit_events(fx);
	assert_int_equal(json_array_size(j), 2);
	ev = json_array_get(j, 1);
	assert_string_equal(json_string_value(json_object_get(ev, "command")),
	    "host set kvm1 --port 2222");
	assert_string_equal(json_string_value(json_object_get(ev, "result")),
	    "changed host kvm1 (id 1)");
	json_decref(j);
}

static void
test_audit_failures(void **state)
{
	struct fix	*fx = *state;
	json_t		*j;

	add_host(fx, "kvm1");
	/* A duplicate, usage errors, a refusal, a missing name. */
	assert_int_equal(run(fx, "host add kvm1 -a 10.0.0.2 -d kvm --no-check"),
	    1);
	assert_contains(fx->err, "kvm1");
	assert_string_equal(fx->out, "");
	assert_int_equal(run(fx, "host add kvm2 -a 10.0.0.2 -d kvm --port x "
	    "--no-check"), 2);
	assert_int_equal(run(fx, "host add kvm2 -a 127.0.0.1 -p 1 -d kvm"), 1);
	assert_int_equal(run(fx, "host add kvm2 -a -bad -d kvm --no-check"), 2);
	assert_starts(fx->err,
	    "hvsh: host add: address may not start with '-'\n");
	assert_int_equal(run(fx, "host add kvm2 -a 10.0.0.2 -d kvm --tag =x "
	    "--no-check"), 2);
	assert_int_equal(run(fx, "host remove nosuch --yes"), 1);
	assert_string_equal(fx->err, "hvsh: host remove: host 'nosuch' not "
	    "found\n");
	assert_int_equal(run(fx, "host set kvm1 --rename bad/name"), 2);
	/* A rule refusing a change: the host has a pool. */
	run_ok(fx, "pool add p1 --role primary --type dir --path /srv "
	    "--host kvm1");
	assert_int_equal(run(fx, "host rm kvm1 -y"), 1);
	assert_string_equal(fx->err, "hvsh: host remove: host 'kvm1' is used "
	    "by 1 pool (use --force to remove it anyway)\n");

	j = audit_events(fx);
	assert_int_equal(json_array_size(j), 2);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(j, 1), "command")), "pool add p1 --role primary "
	    "--type dir --path /srv --host kvm1");
	json_decref(j);
	run_ok(fx, "host list -o csv --columns name --no-header");
	assert_string_equal(fx->out, "kvm1\r\n");

	run_ok(fx, "host rm kvm1 --force --yes");
	assert_string_equal(fx->out, "host kvm1 removed\n");
	j = audit_events(fx);
	assert_int_equal(json_array_size(j), 3);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(j, 2), "result")), "removed host kvm1 (id 1)");
	json_decref(j);
}

/* The answers the fake person gives, and the questions they were asked. */
static int	 ask_answer;
static int	 ask_count;
static char	*ask_prompt;

static int
fake_ask(struct ctx *c, const char *prompt)
{
	(void)c;
	ask_count++;
	free(ask_prompt);
	ask_prompt = xstrdup(prompt);
	return ask_answer;
}

/* The host names in the store, one per line. */
static char *
host_names(struct fix *fx)
{
	run_ok(fx, "host list -o csv --columns name --no-header");
	return xstrdup(fx->out);
}

static void
test_confirm(void **state)
{
	struct fix	*fx = *state;
	char		*before;
	json_t		*j;
	size_t		 nev;

	add_host(fx, "kvm1");
	add_host(fx, "kvm2");
	j = audit_events(fx);
	nev = json_array_size(j);
	json_decref(j);
	before = host_names(fx);

	/* A script (no one to ask) is refused before anything is touched. */
	assert_int_equal(run(fx, "host remove kvm1"), 2);
	assert_string_equal(fx->err, "hvsh: host remove: refusing to host "
	    "remove without --yes in a script\n");
	assert_string_equal(fx->out, "");
	j = audit_events(fx);
	assert_int_equal(json_array_size(j), nev);
	json_decref(j);
	/* --yes and -y are offered by the engine, and help says so. */
	run_ok(fx, "host remove --help");
	assert_non_null(strstr(fx->out, "--yes"));
	run_ok(fx, "host remove --help");
	assert_non_null(strstr(fx->out, "-y,"));

	/* A person who answers no: cancelled, status 130, nothing changed. */
	fx->c.ask = fake_ask;
	ask_answer = 0;
	ask_count = 0;
	assert_int_equal(run(fx, "host remove kvm1"), 130);
	assert_int_equal(ask_count, 1);
	assert_string_equal(ask_prompt, "remove host kvm1\nGo on? [y/N] ");
	assert_string_equal(fx->err, "hvsh: host remove: cancelled\n");
	{
		char	*now = host_names(fx);

		assert_string_equal(now, before);
		free(now);
	}
	/* Nothing to ask about a host that is not there. */
	assert_int_equal(run(fx, "host remove nosuch"), 1);
	assert_int_equal(ask_count, 1);
	/* --yes asks nobody. */
	run_ok(fx, "pool add p1 --role primary --type dir --path /srv "
	    "--host kvm2");
	ask_answer = 1;
	run_ok(fx, "pool remove p1 --yes");
	assert_int_equal(ask_count, 1);
	/* Yes: done, once. */
	run_ok(fx, "host remove kvm1");
	assert_int_equal(ask_count, 2);
	assert_string_equal(fx->out, "host kvm1 removed\n");
	{
		char	*now = host_names(fx);

		assert_string_equal(now, "kvm2\r\n");
		free(now);
	}
	/* Commands that destroy nothing ask nothing. */
	run_ok(fx, "host set kvm2 --port 2222");
	assert_int_equal(ask_count, 2);
	fx->c.ask = NULL;
	free(ask_prompt);
	ask_prompt = NULL;
	free(before);
}

/* Runs the next commands as Unix user name. */
static void
become(struct fix *fx, const char *name)
{
	free(fx->c.user);
	fx->c.user = xstrdup(name);
}

static void
test_audit_denied(void **state)
{
	struct fix	*fx = *state;
	char		*me = xstrdup(fx->c.user), *line;
	json_t		*j, *ev;

	line = xasprintf("user add %s --role admin", me);
	run_ok(fx, line);
	free(line);
	run_ok(fx, "user add bob --role viewer");
	become(fx, "bob");
	run_ok(fx, "host list");
	assert_int_equal(run(fx, "host add kvm1 -a 10.0.0.1 -d kvm --no-check"),
	    1);
	assert_string_equal(fx->err, "hvsh: host add: denied: needs role "
	    "admin; user bob is viewer\n");
	become(fx, "eve");
	assert_int_equal(run(fx, "host list"), 1);
	assert_string_equal(fx->err, "hvsh: host list: user eve is not "
	    "registered with hvsh (an admin can run 'hvsh user add eve "
	    "--role viewer')\n");
	/* A usage error is found before the role, and not recorded. */
	assert_int_equal(run(fx, "host list --bogus"), 2);
	become(fx, me);

	j = audit_events(fx);
	assert_int_equal(json_array_size(j), 4);
	ev = json_array_get(j, 2);
	assert_int_equal(json_integer_value(json_object_get(ev, "status")), 3);
	assert_string_equal(json_string_value(json_object_get(ev, "user")),
	    "bob");
	assert_string_equal(json_string_value(json_object_get(ev, "command")),
	    "host add kvm1 -a 10.0.0.1 -d kvm --no-check");
	assert_string_equal(json_string_value(json_object_get(ev, "result")),
	    "denied: needs role admin; user bob is viewer");
	ev = json_array_get(j, 3);
	assert_int_equal(json_integer_value(json_object_get(ev, "status")), 3);
	assert_string_equal(json_string_value(json_object_get(ev, "user")),
	    "eve");
	assert_string_equal(json_string_value(json_object_get(ev, "command")),
	    "host list");
	json_decref(j);
	run_ok(fx, "host list -o csv --no-header");
	assert_string_equal(fx->out, "");
	free(me);
}

static void
test_quiet(void **state)
{
	struct fix	*fx = *state;

	fx->c.quiet = 1;
	add_host(fx, "kvm1");
	assert_string_equal(fx->out, "");
	run_ok(fx, "host set kvm1 --port 2222");
	assert_string_equal(fx->out, "");
	/* Errors still show; results are not confirmations. */
	assert_int_equal(run(fx, "host show nosuch"), 1);
	assert_string_equal(fx->err,
	    "hvsh: host show: host 'nosuch' not found\n");
	run_ok(fx, "host list -o csv --columns name --no-header");
	assert_string_equal(fx->out, "kvm1\r\n");
	fx->c.quiet = 0;
	add_host(fx, "kvm2");
	assert_string_equal(fx->out, "host kvm2 added\n");
}

/* What an emit hook emitted, per stream. */
struct emitted {
	struct buf	out;
	struct buf	err;
	int		calls;
};

static struct emitted	emitted;

static void
catch_emit(struct ctx *c, int stream, const char *text, size_t len)
{
	assert_true(stream == CTX_OUT || stream == CTX_ERR);
	buf_add(stream == CTX_OUT ? &emitted.out : &emitted.err, text, len);
	emitted.calls++;
}

static void
emitted_reset(void)
{
	buf_free(&emitted.out);
	buf_free(&emitted.err);
	buf_add(&emitted.out, "", 0);
	buf_add(&emitted.err, "", 0);
	emitted.calls = 0;
}

/* With ctx->emit set, every byte of results, errors and help goes to it. */
static void
test_emit_hook(void **state)
{
	struct fix	*fx = *state;
	json_t		*j;

	add_host(fx, "kvm1");
	fx->c.emit = catch_emit;
	emitted_reset();
	assert_int_equal(run(fx, "version"), 0);
	assert_string_equal(fx->out, "");
	assert_starts(emitted.out.data, "hvsh ");
	assert_string_equal(emitted.err.data, "");

	emitted_reset();
	assert_int_equal(run(fx, "host list -o json"), 0);
	assert_string_equal(fx->out, "");
	j = json_loads(emitted.out.data, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j,
	    0), "name")), "kvm1");
	json_decref(j);

	emitted_reset();
	assert_int_equal(run(fx, "host add kvm2 --address 10.0.0.2 --driver "
	    "kvm --no-check"), 0);
	assert_string_equal(emitted.out.data, "host kvm2 added\n");

	emitted_reset();
	assert_int_equal(run(fx, "host frob"), 2);
	assert_string_equal(fx->err, "");
	assert_starts(emitted.err.data, "hvsh: host: unknown verb 'frob'");
	assert_string_equal(emitted.out.data, "");

	emitted_reset();
	assert_int_equal(run(fx, "host list --bogus"), 2);
	assert_string_equal(fx->err, "");
	assert_string_equal(emitted.err.data, "hvsh: host list: unknown option "
	    "'--bogus'\nusage: hvsh host list [options]\n");

	emitted_reset();
	assert_int_equal(run(fx, "host add --help"), 0);
	assert_string_equal(fx->out, "");
	assert_starts(emitted.out.data, "usage: hvsh host add NAME");

	emitted_reset();
	assert_int_equal(run(fx, "store info"), 0);
	assert_string_equal(fx->out, "");
	assert_starts(emitted.out.data, "path:      ");
	assert_int_equal(emitted.calls > 0, 1);
	fx->c.emit = NULL;
	buf_free(&emitted.out);
	buf_free(&emitted.err);
}

static void
test_did_you_mean(void **state)
{
	struct fix	*fx = *state;

	assert_int_equal(run(fx, "hots list"), 2);
	assert_string_equal(fx->err,
	    "hvsh: unknown command 'hots' (did you mean 'host'?)\n");
	assert_int_equal(run(fx, "verison"), 2);
	assert_string_equal(fx->err,
	    "hvsh: unknown command 'verison' (did you mean 'version'?)\n");
	assert_int_equal(run(fx, "host lsit"), 2);
	assert_string_equal(fx->err,
	    "hvsh: host: unknown verb 'lsit' (did you mean 'list'?)\n");
	assert_int_equal(run(fx, "vm destory web1"), 2);
	assert_string_equal(fx->err,
	    "hvsh: vm: unknown verb 'destory' (did you mean 'destroy'?)\n");
	assert_int_equal(run(fx, "host list --colums name"), 2);
	assert_string_equal(fx->err,
	    "hvsh: host list: unknown option '--colums' (did you mean "
	    "'--columns'?)\nusage: hvsh host list [options]\n");
	assert_int_equal(run(fx, "host list --filtr=name=a"), 2);
	assert_starts(fx->err, "hvsh: host list: unknown option "
	    "'--filtr=name=a' (did you mean '--filter'?)\n");
	/* Nothing near enough: no guess. */
	assert_int_equal(run(fx, "host list --zzzzzz"), 2);
	assert_starts(fx->err, "hvsh: host list: unknown option '--zzzzzz'\n");
	assert_int_equal(run(fx, "xq"), 2);
	assert_string_equal(fx->err,
	    "hvsh: unknown command 'xq' (see 'hvsh help')\n");
	assert_no_store(fx);
}

/* --wide and -o json show every column; --sort orders any list. */
static void
test_wide_sort(void **state)
{
	struct fix	*fx = *state;
	json_t		*j;

	run_ok(fx, "host add b2 --address 10.0.0.2 --driver kvm --port 2222 "
	    "--no-check");
	run_ok(fx, "host add a1 --address 10.0.0.1 --driver xen --no-check");
	run_ok(fx, "host add c3 --address 10.0.0.3 --driver kvm --port 2200 "
	    "--no-check");

	run_ok(fx, "host list");
	assert_null(strstr(fx->out, "PORT"));
	run_ok(fx, "host list -l");
	assert_non_null(strstr(fx->out, "PORT"));
	assert_non_null(strstr(fx->out, "CREATED"));
	run_ok(fx, "host list --wide --no-header --columns name,port");
	assert_string_equal(fx->out, "a1    22\nb2  2222\nc3  2200\n");
	run_ok(fx, "host list -o wide");
	assert_non_null(strstr(fx->out, "PORT"));

	run_ok(fx, "host list -o json");
	j = out_json(fx);
	assert_non_null(json_object_get(json_array_get(j, 0), "port"));
	assert_non_null(json_object_get(json_array_get(j, 0), "created"));
	json_decref(j);
	/* CSV keeps the usual columns. */
	run_ok(fx, "host list -o csv");
	assert_starts(fx->out, "name,address,driver,status,");

	run_ok(fx, "host list --sort port --no-header --columns name");
	assert_string_equal(fx->out, "a1\nc3\nb2\n");
	run_ok(fx, "host list --sort -port --no-header --columns name");
	assert_string_equal(fx->out, "b2\nc3\na1\n");
	/* Ties keep the list's own order (by name). */
	run_ok(fx, "host list --sort driver --no-header --columns name");
	assert_string_equal(fx->out, "b2\nc3\na1\n");
	run_ok(fx, "host list --sort -name -o csv --columns name");
	assert_string_equal(fx->out, "name\r\nc3\r\nb2\r\na1\r\n");
	run_ok(fx, "host list --sort -address -o json --columns name");
	assert_string_equal(fx->out, "[\n{\"name\":\"c3\"},\n{\"name\":\"b2\"},"
	    "\n{\"name\":\"a1\"}\n]\n");
	assert_int_equal(run(fx, "host list --sort nosuch"), 2);
	assert_starts(fx->err, "hvsh: host list: unknown column 'nosuch' to "
	    "sort by");
	/* Every list takes it, from the one place list options come from. */
	run_ok(fx, "audit list --sort -id --columns id --no-header");
	assert_starts(fx->out, "3\n2\n1\n");
}

/* Colour is for tables only, and only when the front-end asks for it. */
static void
test_colour(void **state)
{
	struct fix	*fx = *state;

	run_ok(fx, "vm list");
	assert_null(strchr(fx->out, '\033'));
	fx->c.colour = 1;
	run_ok(fx, "host list");
	assert_null(strchr(fx->out, '\033'));	/* no state column */
	run_ok(fx, "host list -o json");
	assert_null(strchr(fx->out, '\033'));
	fx->c.colour = 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_unknown_command),
		T(test_confirm),
		T(test_noun_without_verb),
		T(test_unknown_verb),
		T(test_unknown_option),
		T(test_missing_required_option),
		T(test_missing_positional),
		T(test_extra_positional),
		T(test_option_twice),
		T(test_option_forms),
		T(test_dashdash),
		T(test_int_and_size),
		T(test_enum_choices),
		T(test_control_characters),
		T(test_long_value),
		T(test_help_option),
		T(test_shell_in_shell),
		T(test_error_prefix),
		T(test_on_error_hook),
		T(test_self_test),
		T(test_find),
		T(test_help),
		T(test_help_command),
		T(test_complete_words),
		T(test_complete_names),
		T(test_audit_success),
		T(test_audit_failures),
		T(test_audit_denied),
		T(test_quiet),
		T(test_emit_hook),
		T(test_did_you_mean),
		T(test_wide_sort),
		T(test_colour),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
