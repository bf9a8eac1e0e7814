/*
 * main.c: hvsh's entry point. Picks the front-end from how it was called
 * (words on the command line, -c, -f, commands on standard input, or the
 * dashboard on a terminal) and hands every command to the one command table.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "err.h"
#include "lex.h"
#include "shell.h"
#include "util.h"

/* A script larger than this is refused rather than read into memory. */
#define SCRIPT_MAX (16 * 1024 * 1024)

static void
usage(void)
{
	fputs("usage: hvsh [--home DIR] [-q] COMMAND [ARGS...]\n"
	    "       hvsh [--home DIR] [-q] -c 'COMMAND; ...'\n"
	    "       hvsh [--home DIR] [-q] -f FILE\n"
	    "       hvsh help\n", stderr);
}

/*
 * Ctrl-C in scripted mode: the running command gives up at its next wait
 * (ERR_CANCEL) and the script stops; a second Ctrl-C before that ends hvsh
 * at once, as a shell's child would end.
 */
static void
on_sigint(int sig)
{
	(void)sig;
	if (intr_pending())
		_exit(130);
	intr_raise();
}

/* Installed without SA_RESTART, so that a blocked read or poll returns. */
static void
sigint_install(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sa.sa_flags = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

/*
 * Asks the person at the terminal (a command given on the command line):
 * the question goes to standard error, the answer is one line of input.
 */
static int
term_ask(struct ctx *c, const char *prompt)
{
	char	line[64];
	size_t	n;

	fputs(prompt, c->err);
	fflush(c->err);
	if (fgets(line, sizeof line, stdin) == NULL) {
		/* EOF, or Ctrl-C interrupted the read. */
		fputc('\n', c->err);
		clearerr(stdin);
		return 0;
	}
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	return strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0;
}

/* Runs one command of a script or the command line, Ctrl-C cleared first. */
static int
run_one(struct ctx *c, int argc, char **argv)
{
	int	status;

	intr_clear();
	status = cmd_run(c, argc, argv);
	/* A Ctrl-C that no wait noticed still stops what follows. */
	if (status == 0 && intr_pending()) {
		fprintf(c->err, "hvsh: interrupted\n");
		status = 130;
	}
	return status;
}

/* The store directory: --home, $HVSH_HOME, $XDG_DATA_HOME/hvsh, ~/.local/share/hvsh. */
static char *
default_home(void)
{
	const char	*v;
	struct passwd	*pw;

	if ((v = getenv("HVSH_HOME")) != NULL && *v != '\0')
		return xstrdup(v);
	if ((v = getenv("XDG_DATA_HOME")) != NULL && *v == '/')
		return xasprintf("%s/hvsh", v);
	if ((v = getenv("HOME")) == NULL || *v != '/') {
		pw = getpwuid(geteuid());
		v = pw != NULL ? pw->pw_dir : "/";
	}
	return xasprintf("%s/.local/share/hvsh", v);
}

static int
term_width(void)
{
	struct winsize	 ws;
	const char	*cols;
	int64_t		 n;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 0)
		return ws.ws_col;
	if ((cols = getenv("COLUMNS")) != NULL && parse_i64(cols, &n) == 0 &&
	    n > 0 && n < 10000)
		return (int)n;
	return 0;
}

/* Reads a whole script from fd; NULL with a message if too large or unreadable. */
static char *
read_all(int fd, const char *name)
{
	struct buf	b = { 0 };
	char		chunk[65536];
	ssize_t		n;

	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "hvsh: %s: %s\n", name, strerror(errno));
			buf_free(&b);
			return NULL;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > SCRIPT_MAX) {
			fprintf(stderr, "hvsh: %s: script larger than %d bytes\n",
			    name, SCRIPT_MAX);
			buf_free(&b);
			return NULL;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	return buf_take(&b);
}

/*
 * Runs the commands of a script in order and stops at the first that
 * fails or is interrupted, as 'set -e' would: later commands usually
 * depend on earlier ones.
 */
static int
run_script(struct ctx *c, const char *text, const char *name)
{
	struct lex_result	res;
	size_t			i;
	int			status = 0;

	if (lex_split(text, 1, &res) != 0) {
		fprintf(c->err, "hvsh: %s: %s\n", name, err_msg());
		return 2;
	}
	c->src.file = name;
	for (i = 0; i < res.ncmds; i++) {
		c->src.line = res.cmds[i].line;
		status = run_one(c, res.cmds[i].argc, res.cmds[i].argv);
		if (status != 0)
			break;
	}
	c->src.file = NULL;
	c->src.line = 0;
	lex_result_free(&res);
	return status;
}

int
main(int argc, char **argv)
{
	struct ctx	 c;
	char		*home = NULL, *text = NULL;
	const char	*script = NULL, *file = NULL;
	int		 i, fd, quiet = 0, status;

	setlocale(LC_ALL, "");
	umask(077);

	for (i = 1; i < argc; i++) {
		const char	*a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-')
			break;
		if (strcmp(a, "--home") == 0 && i + 1 < argc) {
			free(home);
			home = xstrdup(argv[++i]);
		} else if (strncmp(a, "--home=", 7) == 0) {
			free(home);
			home = xstrdup(a + 7);
		} else if (strcmp(a, "-c") == 0 && i + 1 < argc) {
			script = argv[++i];
		} else if (strcmp(a, "-f") == 0 && i + 1 < argc) {
			file = argv[++i];
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			quiet = 1;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			struct buf	b = { 0 };

			(void)cmd_help(&b, 0, NULL);
			fputs(b.data, stdout);
			buf_free(&b);
			free(home);
			return 0;
		} else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			printf("hvsh %s\n", HVSH_VERSION);
			free(home);
			return 0;
		} else {
			fprintf(stderr, "hvsh: unknown option '%s'\n", a);
			usage();
			free(home);
			return 2;
		}
	}
	if ((script != NULL || file != NULL) && i < argc) {
		fprintf(stderr, "hvsh: -c and -f take no command words\n");
		free(home);
		return 2;
	}
	if (home == NULL)
		home = default_home();

	ctx_init(&c, home);
	c.quiet = quiet;
	c.width = term_width();

	if (script != NULL || file != NULL || i < argc)
		sigint_install();
	if (script != NULL) {
		status = run_script(&c, script, "-c");
	} else if (file != NULL) {
		if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
			fprintf(stderr, "hvsh: %s: %s\n", file, strerror(errno));
			status = 1;
		} else {
			text = read_all(fd, file);
			close(fd);
			status = text != NULL ? run_script(&c, text, file) : 1;
		}
	} else if (i < argc) {
		/* A person at a terminal can be asked before a destruction. */
		if (isatty(STDIN_FILENO))
			c.ask = term_ask;
		status = run_one(&c, argc - i, argv + i);
	} else if (!isatty(STDIN_FILENO)) {
		text = read_all(STDIN_FILENO, "stdin");
		sigint_install();
		status = text != NULL ? run_script(&c, text, "stdin") : 1;
	} else {
		/* A terminal on both ends: the dashboard; else the shell. */
		char	*front[] = { (char *)(isatty(STDOUT_FILENO) ? "tui" :
		    "shell"), NULL };

		status = cmd_run(&c, 1, front);
	}
	free(text);
	ctx_free(&c);
	free(home);
	return status;
}
