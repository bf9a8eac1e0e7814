/*
 * shell.c: the interactive shell on top of GNU readline. It is the only
 * readline user in hvsh. On a bastion the shell must not become a way out:
 * lines are split by lex.c and handed to the command table as argv, never
 * to a system shell; readline reads only hvsh's own inputrc; history
 * expansion is off and the history file is private to the store.
 */
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <readline/readline.h>
#include <readline/history.h>

#include "cmd.h"
#include "err.h"
#include "lex.h"
#include "shell.h"
#include "util.h"

#define SHELL_PROMPT	"hvsh> "
#define SHELL_HISTMAX	1000

struct shell {
	struct ctx	*ctx;
	char		*histfile;	/* NULL: no history file */
	int		 nnew;		/* history entries added this session */
	int		 installed;	/* the readline handler is installed */
	int		 done;
	int		 status;	/* of the last command */
	sigset_t	 mask;		/* the signal mask hvsh had before */
};

/* Readline's callbacks take no argument; this is the running shell. */
static struct shell	*shell_cur;

/* Set by the signal handler, acted on by the loop outside it. */
static volatile sig_atomic_t	shell_got_int;
static volatile sig_atomic_t	shell_got_winch;
static volatile sig_atomic_t	shell_got_quit;

static const int	shell_signals[] = { SIGINT, SIGWINCH, SIGTERM, SIGHUP };

static void
shell_on_signal(int sig)
{
	switch (sig) {
	case SIGINT:
		shell_got_int = 1;
		break;
	case SIGWINCH:
		shell_got_winch = 1;
		break;
	default:
		shell_got_quit = 1;
		break;
	}
}

/* Ctrl-C while a command runs: the command gives up at its next wait. */
static void
shell_on_cmd_int(int sig)
{
	(void)sig;
	intr_raise();
}

/*
 * Reads a key for the question of shell_ask. A Ctrl-C interrupts the read
 * (no SA_RESTART) and reads as EOF, which answers no.
 */
static int
shell_ask_getc(FILE *f)
{
	unsigned char	ch;
	ssize_t		n;

	for (;;) {
		n = read(fileno(f), &ch, 1);
		if (n == 1)
			return ch;
		if (n == -1 && errno == EINTR && !intr_pending())
			continue;
		return EOF;
	}
}

/*
 * Asks a yes/no question while a command runs, with readline: the lines
 * before the question are printed, the question is the prompt. The
 * shell's completion and its prompt are put back afterwards.
 */
static int
shell_ask(struct ctx *ctx, const char *prompt)
{
	rl_getc_func_t		*getc_fn = rl_getc_function;
	rl_completion_func_t	*complete_fn = rl_attempted_completion_function;
	const char		*q = strrchr(prompt, '\n');
	char			*question, *line;
	size_t			 n;
	int			 yes;

	(void)ctx;
	q = q != NULL ? q + 1 : prompt;
	fwrite(prompt, 1, (size_t)(q - prompt), rl_outstream);
	fflush(rl_outstream);
	question = xstrdup(q);
	rl_getc_function = shell_ask_getc;
	rl_attempted_completion_function = NULL;
	line = readline(question);
	rl_getc_function = getc_fn;
	rl_attempted_completion_function = complete_fn;
	rl_set_prompt(SHELL_PROMPT);
	free(question);
	if (line == NULL) {
		fputc('\n', rl_outstream);
		fflush(rl_outstream);
		return 0;
	}
	n = strspn(line, " \t");
	yes = strcasecmp(line + n, "y") == 0 ||
	    strcasecmp(line + n, "yes") == 0;
	free(line);
	return yes;
}

static int
shell_width(void)
{
	struct winsize	ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == -1 || ws.ws_col == 0)
		return 0;
	return ws.ws_col;
}

/*
 * Removes the line handler once; readline then restores the terminal and
 * does not print another prompt.
 */
static void
shell_leave(struct shell *sh)
{
	sh->done = 1;
	if (sh->installed) {
		rl_callback_handler_remove();
		sh->installed = 0;
	}
}

/* --- history: private to the store, never expanded --- */

/*
 * Opens (creating, mode 0600) the history file in the store directory and
 * reads it. A store directory that does not exist yet is not created here
 * (that is the store's business); a command may create it before the
 * history is saved.
 */
static void
shell_history_open(struct shell *sh)
{
	int	fd;

	using_history();
	stifle_history(SHELL_HISTMAX);
	/* No '!' expansion of any kind, even through a key binding. */
	history_expansion_char = '\0';
	history_subst_char = '\0';
	if (sh->ctx->home == NULL)
		return;
	sh->histfile = xasprintf("%s/history", sh->ctx->home);
	fd = open(sh->histfile, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		if (errno != ENOENT)
			fprintf(sh->ctx->err, "hvsh: %s: %s\n", sh->histfile,
			    strerror(errno));
		return;
	}
	/* Commands may carry names worth keeping from other users. */
	(void)fchmod(fd, 0600);
	close(fd);
	(void)read_history(sh->histfile);
	using_history();
}

/* Adds a line unless it is blank, starts with a space or repeats the last. */
static void
shell_history_add(struct shell *sh, const char *line)
{
	HIST_ENTRY	*last;

	if (line[0] == '\0' || line[0] == ' ' ||
	    line[strspn(line, " \t")] == '\0')
		return;
	last = history_length > 0 ?
	    history_get(history_base + history_length - 1) : NULL;
	if (last != NULL && strcmp(last->line, line) == 0)
		return;
	add_history(line);
	sh->nnew++;
}

/*
 * Appends this session's lines and trims the file; appending keeps the
 * lines of other sessions that ran at the same time.
 */
static void
shell_history_save(struct shell *sh)
{
	int	fd, n, r;

	if (sh->histfile == NULL || sh->nnew == 0)
		return;
	/* The file may have gone; recreate it private before appending. */
	fd = open(sh->histfile, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1) {
		/* No store directory: nothing was kept, nothing to keep. */
		if (errno == ENOENT)
			return;
		fprintf(sh->ctx->err, "hvsh: %s: %s\n", sh->histfile,
		    strerror(errno));
		return;
	}
	(void)fchmod(fd, 0600);
	close(fd);
	n = sh->nnew < history_length ? sh->nnew : history_length;
	if ((r = append_history(n, sh->histfile)) != 0 ||
	    (r = history_truncate_file(sh->histfile, SHELL_HISTMAX)) != 0)
		fprintf(sh->ctx->err, "hvsh: %s: %s\n", sh->histfile,
		    strerror(r));
}

/* --- running lines --- */

/* Whether a command is the shell's own way out. */
static int
shell_is_exit(const struct lex_cmd *c)
{
	return c->argc == 1 && (strcmp(c->argv[0], "exit") == 0 ||
	    strcmp(c->argv[0], "quit") == 0);
}

/* Runs each command of a line in turn; 'exit' or 'quit' ends the shell. */
static void
shell_exec(struct shell *sh, const char *line)
{
	struct ctx		*ctx = sh->ctx;
	struct lex_result	 res;
	struct sigaction	 cmd_sa, shell_sa;
	sigset_t		 blocked;
	size_t			 i;
	int			 w;

	memset(&cmd_sa, 0, sizeof cmd_sa);
	cmd_sa.sa_handler = shell_on_cmd_int;
	sigemptyset(&cmd_sa.sa_mask);

	if (lex_split(line, 1, &res) != 0) {
		fprintf(ctx->err, "hvsh: %s\n", err_msg());
		sh->status = 2;
		return;
	}
	for (i = 0; i < res.ncmds && !sh->done; i++) {
		if (shell_is_exit(&res.cmds[i])) {
			shell_leave(sh);
			break;
		}
		if ((w = shell_width()) > 0)
			ctx->width = w;
		/*
		 * Commands run with the signals unblocked, so that programs
		 * they start do not inherit a blocked SIGINT or SIGTERM. A
		 * Ctrl-C meanwhile interrupts the command (intr_raise, and
		 * no SA_RESTART, so that a blocked wait returns); the shell
		 * stays. A SIGTERM ends the shell after the command.
		 */
		sigaction(SIGINT, &cmd_sa, &shell_sa);
		intr_clear();
		sigprocmask(SIG_SETMASK, &sh->mask, &blocked);
		sh->status = cmd_run(ctx, res.cmds[i].argc,
		    res.cmds[i].argv);
		sigprocmask(SIG_SETMASK, &blocked, NULL);
		sigaction(SIGINT, &shell_sa, NULL);
		intr_clear();
		shell_got_int = 0;
		fflush(ctx->out);
		fflush(ctx->err);
		if (shell_got_quit)
			shell_leave(sh);
	}
	lex_result_free(&res);
}

/* Readline's line handler: line is NULL at Ctrl-D on an empty line. */
static void
shell_on_line(char *line)
{
	struct shell	*sh = shell_cur;

	if (line == NULL) {
		fputc('\n', rl_outstream);
		fflush(rl_outstream);
		shell_leave(sh);
		return;
	}
	shell_history_add(sh, line);
	using_history();
	shell_exec(sh, line);
	free(line);
}

/* Ctrl-C: forget the line being typed and start a fresh one. */
static void
shell_discard_line(void)
{
	/* Put the cursor after the text so that "^C" does not overwrite it. */
	rl_point = rl_end;
	rl_redisplay();
	rl_free_line_state();
	rl_callback_sigcleanup();
	rl_replace_line("", 0);
	using_history();
	fputs("^C\n", rl_outstream);
	fflush(rl_outstream);
	rl_on_new_line();
	rl_redisplay();
}

/* --- completion --- */

struct shell_cands {
	char		**v;
	size_t		  n;
	size_t		  cap;
	const char	 *word;		/* the word under the cursor, unquoted */
};

static void
shell_cand_add(const char *cand, void *arg)
{
	struct shell_cands	*c = arg;

	/* Only what extends the typed word can replace it. */
	if (strncmp(cand, c->word, strlen(c->word)) != 0)
		return;
	if (c->n == c->cap) {
		c->cap = c->cap == 0 ? 16 : c->cap * 2;
		c->v = xreallocarray(c->v, c->cap, sizeof *c->v);
	}
	c->v[c->n++] = xstrdup(cand);
}

static int
shell_cand_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The text that replaces readline's word for a candidate s. Inside an open
 * quote q readline replaces only what follows the quote (skip bytes of the
 * word come before it) and closes the quote itself; otherwise it replaces
 * the whole word, so the candidate goes in quoted as lex_quote does. With
 * whole 0 (the common prefix of several) any quote is left open, so that
 * typing goes on inside it.
 */
static char *
shell_insert_form(const char *s, size_t skip, char q, int whole)
{
	struct buf	 b;
	char		*quoted;
	size_t		 len;

	memset(&b, 0, sizeof b);
	if (q == '\0') {
		/* An empty prefix leaves the typed (empty) word alone. */
		if (!whole && *s == '\0')
			return xstrdup("");
		quoted = lex_quote(s);
		len = strlen(quoted);
		if (!whole && quoted[0] == '\'')
			quoted[len - 1] = '\0';
		return quoted;
	}
	s += skip;
	/*
	 * A replacement that starts with the quote makes readline replace
	 * the opening quote too, so give it one back.
	 */
	if (q == '\'' && *s == '\'')
		buf_addc(&b, '\'');
	for (; *s != '\0'; s++) {
		if (q == '\'' && *s == '\'')
			buf_addstr(&b, "'\\''");
		else if (q == '"' && strchr("\"\\$`", *s) != NULL) {
			buf_addc(&b, '\\');
			buf_addc(&b, *s);
		} else
			buf_addc(&b, *s);
	}
	return buf_take(&b);
}

/*
 * How many bytes of the unquoted word come before readline's text, which
 * starts after the open quote q: "ab'cd" is the word abcd, the text cd.
 */
static size_t
shell_quote_skip(const char *word, const char *text, char q)
{
	char	 *s, **argv = NULL, oq;
	int	  argc;
	size_t	  n, skip = 0;

	s = xasprintf("%c%s", q, text);
	if (lex_partial(s, &argv, &argc, &oq) == 0) {
		n = strlen(argv[argc - 1]);
		if (n <= strlen(word))
			skip = strlen(word) - n;
	}
	lex_argv_free(argv);
	free(s);
	return skip;
}

/*
 * Readline's completion entry: the words up to the cursor go through
 * lex_partial and cmd_complete, so the shell completes exactly as the
 * command table parses. Readline's own filename completion never runs.
 */
static char **
shell_complete(const char *text, int start, int end)
{
	struct shell		 *sh = shell_cur;
	struct shell_cands	  c;
	char			**argv = NULL, **matches = NULL, *line, *prefix, q;
	size_t			  i, j, lcd, skip = 0;
	int			  argc, dir;

	rl_attempted_completion_over = 1;
	memset(&c, 0, sizeof c);
	line = xstrndup(rl_line_buffer, (size_t)rl_point);
	if (sh == NULL || lex_partial(line, &argv, &argc, &q) != 0)
		goto out;
	/* Should readline and lex.c ever disagree on the word, offer nothing. */
	if (q != (char)rl_completion_quote_character)
		goto out;
	c.word = argv[argc - 1];
	cmd_complete(sh->ctx, argc, argv, shell_cand_add, &c);
	if (c.n == 0)
		goto out;
	qsort(c.v, c.n, sizeof *c.v, shell_cand_cmp);
	for (i = j = 1; i < c.n; i++) {
		if (strcmp(c.v[i], c.v[j - 1]) == 0)
			free(c.v[i]);
		else
			c.v[j++] = c.v[i];
	}
	c.n = j;
	lcd = strlen(c.v[0]);
	for (i = 1; i < c.n; i++)
		for (j = 0; j < lcd; j++)
			if (c.v[i][j] != c.v[0][j]) {
				lcd = j;
				break;
			}
	if (q != '\0')
		skip = shell_quote_skip(c.word, text, q);

	/* matches[0] replaces the word; the others are listed (or cycled). */
	matches = xcalloc(c.n + 2, sizeof *matches);
	if (c.n == 1) {
		/* A directory is completed further, so its quote stays open. */
		dir = c.v[0][0] != '\0' && c.v[0][strlen(c.v[0]) - 1] == '/';
		matches[0] = shell_insert_form(c.v[0], skip, q, !dir);
		if (dir) {
			rl_completion_suppress_append = 1;
			rl_completion_suppress_quote = 1;
		}
	} else {
		prefix = xstrndup(c.v[0], lcd);
		matches[0] = shell_insert_form(prefix, skip, q, 0);
		free(prefix);
		for (i = 0; i < c.n; i++)
			matches[i + 1] = shell_insert_form(c.v[i], skip, q, 1);
	}
out:
	for (i = 0; i < c.n; i++)
		free(c.v[i]);
	free(c.v);
	lex_argv_free(argv);
	free(line);
	return matches;
}

/* Readline's fallback generator: nothing, so it never lists files. */
static char *
shell_no_entries(const char *text, int state)
{
	return NULL;
}

static int
shell_char_is_quoted(char *text, int pos)
{
	return lex_quoted_at(text, (size_t)pos);
}

/*
 * Whether tables may be coloured: a terminal on standard output that is
 * not "dumb", and no NO_COLOR (https://no-color.org: set and not empty).
 */
static int
shell_colour(void)
{
	const char	*v;

	if ((v = getenv("NO_COLOR")) != NULL && *v != '\0')
		return 0;
	if ((v = getenv("TERM")) == NULL || *v == '\0' ||
	    strcmp(v, "dumb") == 0)
		return 0;
	return isatty(STDOUT_FILENO);
}

/*
 * The shell with its input from a pipe or a file: no one types, so there
 * is no prompt, no line editing, no history and no one to ask; each line
 * runs as typed lines would, going on after a failure. Standard output
 * holds exactly what the commands printed.
 */
static int
shell_run_piped(struct ctx *ctx)
{
	struct lex_result	 res;
	char			*line = NULL;
	size_t			 cap = 0, i;
	ssize_t			 n;
	int			 status = 0, done = 0;

	while (!done && (n = getline(&line, &cap, stdin)) != -1) {
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (lex_split(line, 1, &res) != 0) {
			ctx_eprintf(ctx, "hvsh: %s\n", err_msg());
			status = 2;
			continue;
		}
		for (i = 0; i < res.ncmds && !done; i++) {
			if (shell_is_exit(&res.cmds[i])) {
				done = 1;
				break;
			}
			intr_clear();
			status = cmd_run(ctx, res.cmds[i].argc,
			    res.cmds[i].argv);
			/* Ctrl-C ends a shell no one types into. */
			if (intr_pending())
				done = 1;
		}
		lex_result_free(&res);
	}
	free(line);
	ctx_flush(ctx);
	return status;
}

/*
 * Points readline at hvsh's own inputrc (or none) before it initialises,
 * and takes signals and completion away from it.
 */
static void
shell_setup_readline(struct ctx *ctx)
{
	struct stat	 st;
	char		*rc = NULL;

	if (ctx->home != NULL) {
		rc = xasprintf("%s/inputrc", ctx->home);
		if (stat(rc, &st) == -1 || !S_ISREG(st.st_mode)) {
			free(rc);
			rc = NULL;
		}
	}
	/* A user's ~/.inputrc or /etc/inputrc must not be read here. */
	setenv("INPUTRC", rc != NULL ? rc : "/dev/null", 1);
	free(rc);

	rl_readline_name = "hvsh";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_attempted_completion_function = shell_complete;
	rl_completion_entry_function = shell_no_entries;
	rl_completer_quote_characters = "'\"";
	rl_completer_word_break_characters = " \t\n;";
	rl_char_is_quoted_p = shell_char_is_quoted;
	rl_completion_append_character = ' ';
}

int
shell_run(struct ctx *ctx)
{
	struct shell		 sh;
	struct sigaction	 sa, old[nitems(shell_signals)];
	sigset_t		 block, waitmask;
	fd_set			 fds;
	size_t			 i;
	int			 n, interactive = ctx->interactive;
	int			 colour = ctx->colour;
	int			(*ask)(struct ctx *, const char *);

	if (!isatty(STDIN_FILENO))
		return shell_run_piped(ctx);
	memset(&sh, 0, sizeof sh);
	sh.ctx = ctx;
	ctx->interactive = 1;
	ctx->colour = shell_colour();
	ask = ctx->ask;
	ctx->ask = shell_ask;
	shell_setup_readline(ctx);
	shell_history_open(&sh);

	/*
	 * The signals are blocked except inside pselect (and while a command
	 * runs), so a flag set by the handler is always seen before the loop
	 * sleeps again, and readline is never interrupted half way.
	 */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = shell_on_signal;
	/* pselect is interrupted all the same; commands' I/O is not. */
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (i = 0; i < nitems(shell_signals); i++)
		sigaddset(&block, shell_signals[i]);
	sigprocmask(SIG_BLOCK, &block, &sh.mask);
	waitmask = sh.mask;
	for (i = 0; i < nitems(shell_signals); i++) {
		sigdelset(&waitmask, shell_signals[i]);
		sigaction(shell_signals[i], &sa, &old[i]);
	}
	shell_got_int = shell_got_winch = shell_got_quit = 0;

	shell_cur = &sh;
	rl_callback_handler_install(SHELL_PROMPT, shell_on_line);
	sh.installed = 1;
	while (!sh.done) {
		FD_ZERO(&fds);
		FD_SET(STDIN_FILENO, &fds);
		n = pselect(STDIN_FILENO + 1, &fds, NULL, NULL, NULL, &waitmask);
		if (n == -1 && errno != EINTR) {
			fprintf(ctx->err, "hvsh: shell: %s\n", strerror(errno));
			sh.status = 1;
			break;
		}
		if (shell_got_quit)
			break;
		if (shell_got_winch) {
			shell_got_winch = 0;
			rl_resize_terminal();
		}
		if (shell_got_int) {
			shell_got_int = 0;
			shell_discard_line();
		}
		if (n > 0 && FD_ISSET(STDIN_FILENO, &fds))
			rl_callback_read_char();
	}
	if (sh.installed) {
		/* Left by a signal or an error: end the half-typed line. */
		rl_callback_handler_remove();
		sh.installed = 0;
		fputc('\n', rl_outstream);
		fflush(rl_outstream);
	}
	shell_cur = NULL;
	shell_history_save(&sh);
	free(sh.histfile);

	/* Unblock first: a pending Ctrl-C must reach our handler, not kill. */
	sigprocmask(SIG_SETMASK, &sh.mask, NULL);
	for (i = 0; i < nitems(shell_signals); i++)
		sigaction(shell_signals[i], &old[i], NULL);
	ctx->interactive = interactive;
	ctx->colour = colour;
	ctx->ask = ask;
	return sh.status;
}
