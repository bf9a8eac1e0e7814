/*
 * tui-main.c: the dashboard's loop and its place in the command table
 * ('hvsh tui'). Keys are looked up in the keymap and their command strings
 * run through the command table like any other line: the ui commands act
 * on the dashboard through the ctx's ui hook, at once; every other command
 * runs on a worker thread with its output caught for the message line or a
 * pane, so the dashboard keeps answering keys while hosts work. A
 * question the command asks (ctx->ask) is shown as a modal box.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "err.h"
#include "keymap.h"
#include "lex.h"
#include "tui.h"

#define TUI_DEFAULT_INTERVAL_MS	2000
/* Reloads of the view after host answers, at most this often. */
#define TUI_RELOAD_MS		200

/* A command line running on the worker. */
/* What a command outputs, caught to be shown when it is done. */
struct caught {
	struct buf		 out;
	struct buf		 err;
};

struct job {
	struct tui		*t;
	char			*line;		/* as shown */
	struct lex_result	 cmds;
	struct caught		 caught;
	int			 status;
	int			 done;
};

struct tui {
	struct ctx		*c;
	struct tui_ui		 ui;
	struct tui_screen	*sc;
	struct tui_live		*live;
	int			 pipefd[2];
	int			 changes;	/* of the ui hook */
	int			 pane_moved;	/* a move scrolled the pane */
	int			 quit;
	/* The worker and its questions. */
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	pthread_t		 worker;
	struct job		*job;
	char			*q_text;	/* a question of the worker */
	int			 q_pending, q_answered, q_answer;
	char			*confirm_line;	/* waits for the person's yes */
	char			*progress;	/* the worker's, not yet shown */
};

static struct tui		*tui_cur;
static volatile sig_atomic_t	 tui_got_term;

static void
notify(int fd, char what)
{
	ssize_t	w;

	do
		w = write(fd, &what, 1);
	while (w == -1 && errno == EINTR);
}

static void
set_msg(struct tui *t, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_msg(struct tui *t, int err, const char *fmt, ...)
{
	va_list	ap;

	free(t->ui.msg);
	va_start(ap, fmt);
	t->ui.msg = xvasprintf(fmt, ap);
	va_end(ap);
	t->ui.msg_err = err;
	t->changes |= TUI_CH_MSG;
}

static void
pane_free(struct tui_ui *ui)
{
	size_t	i;

	for (i = 0; i < ui->npane; i++)
		free(ui->pane[i]);
	free(ui->pane);
	free(ui->pane_title);
	ui->pane = NULL;
	ui->npane = 0;
	ui->pane_top = 0;
	ui->pane_title = NULL;
}

static void
pane_add(struct tui_ui *ui, const char *line)
{
	ui->pane = xreallocarray(ui->pane, ui->npane + 1, sizeof *ui->pane);
	ui->pane[ui->npane++] = xstrdup(line);
}

/* Splits text into the pane's lines. */
static void
pane_text(struct tui_ui *ui, const char *text)
{
	const char	*p = text, *nl;
	char		*line;

	while (*p != '\0') {
		nl = p + strcspn(p, "\n");
		line = xstrndup(p, (size_t)(nl - p));
		pane_add(ui, line);
		free(line);
		p = *nl != '\0' ? nl + 1 : nl;
	}
}

/* The help pane: every binding, the view's own first. */
static void
help_pane(struct tui *t)
{
	const char		*view = tui_model_view(&t->ui.model)->title;
	const char		*table;
	const struct keybind	*kb;
	size_t			 i, n, k;
	int			 titled;
	char			*line;

	pane_free(&t->ui);
	t->ui.pane_title = xstrdup(" keys (from the keymap)");
	n = t->ui.keymap != NULL ? keymap_count(t->ui.keymap) : 0;
	/* The view's own table, main's, then the other views'. */
	for (k = 0; k == 0 || keymap_tables[k - 1] != NULL; k++) {
		table = k == 0 ? view : keymap_tables[k - 1];
		if (k > 0 && strcmp(table, view) == 0)
			continue;
		titled = 0;
		for (i = 0; i < n; i++) {
			kb = keymap_at(t->ui.keymap, i);
			if (strcmp(kb->table, table) != 0)
				continue;
			if (!titled++) {
				line = xasprintf("%s%s:", table, k == 0 ?
				    " (this view)" : "");
				pane_add(&t->ui, line);
				free(line);
			}
			line = xasprintf("  %-10s %-32s %s", kb->keyname,
			    kb->command, kb->note != NULL ? kb->note : "");
			pane_add(&t->ui, line);
			free(line);
		}
	}
}

/* A move while a pane is open scrolls it. */
static void
pane_move(struct tui *t, const char *how)
{
	struct tui_ui	*ui = &t->ui;
	size_t		 page = t->ui.model.page > 1 ? (size_t)ui->model.page : 1;

	if (strcmp(how, "up") == 0 && ui->pane_top > 0)
		ui->pane_top--;
	else if (strcmp(how, "down") == 0)
		ui->pane_top++;
	else if (strcmp(how, "page-up") == 0 || strcmp(how, "half-up") == 0)
		ui->pane_top = ui->pane_top > page ? ui->pane_top - page : 0;
	else if (strcmp(how, "page-down") == 0 ||
	    strcmp(how, "half-down") == 0)
		ui->pane_top += page;
	else if (strcmp(how, "top") == 0)
		ui->pane_top = 0;
	else if (strcmp(how, "bottom") == 0)
		ui->pane_top = ui->npane;
	t->pane_moved = 1;
}

/* The ui commands' hook: the dashboard's actions. */
static int
tui_ui(struct ctx *c, const char *action, int argc, char **argv)
{
	struct tui		*t = tui_cur;
	struct tui_model	*m = &t->ui.model;
	struct tui_view		*v = tui_model_view(m);
	char			*text;
	int			 r;

	if (strcmp(action, "move") == 0 && t->ui.npane > 0) {
		pane_move(t, argv[0]);
		r = TUI_CH_TABLE;
	} else if (strcmp(action, "move") == 0)
		r = tui_model_move(m, argv[0]);
	else if (strcmp(action, "view") == 0)
		r = tui_model_show(m, argv[0]);
	else if (strcmp(action, "sort") == 0)
		r = tui_model_sort(m, argc > 0 ? argv[0] : NULL);
	else if (strcmp(action, "filter") == 0) {
		tui_prompt_open(&t->ui.prompt, '/', v->filter_text);
		t->ui.prompt.saved = v->filter_text != NULL ?
		    xstrdup(v->filter_text) : NULL;
		r = TUI_CH_MSG;
	} else if (strcmp(action, "prompt") == 0) {
		text = lex_join(argv, argc);
		tui_prompt_open(&t->ui.prompt, ':', text);
		free(text);
		r = TUI_CH_MSG;
	} else if (strcmp(action, "mark") == 0)
		r = tui_model_mark(m, 1);
	else if (strcmp(action, "mark-all") == 0)
		r = tui_model_mark(m, 2);
	else if (strcmp(action, "mark-none") == 0)
		r = tui_model_mark(m, 0);
	else if (strcmp(action, "detail") == 0) {
		m->detail = !m->detail;
		r = TUI_CH_LAYOUT;
	} else if (strcmp(action, "help") == 0) {
		help_pane(t);
		r = TUI_CH_LAYOUT;
	} else if (strcmp(action, "refresh") == 0) {
		tui_live_kick(t->live);
		set_msg(t, 0, "refreshing every host");
		r = TUI_CH_HEADER;
	} else if (strcmp(action, "redraw") == 0)
		r = TUI_CH_REDRAW | TUI_CH_LAYOUT;
	else if (strcmp(action, "quit") == 0)
		r = TUI_CH_QUIT;
	else
		return ctx_error(c, ERR_USAGE, "no action '%s'", action);
	if (r < 0)
		return ctx_error_last(c);
	t->changes |= r;
	return 0;
}

/* Where the running thread's command output goes. */
static __thread struct caught	*caught_cur;

/*
 * A command's output into caught_cur; a progress line (no newline), or
 * anything said outside a command, goes to the message line at once,
 * through the pipe.
 */
static void
caught_emit(struct ctx *c, int stream, const char *text, size_t len)
{
	struct tui	*t = tui_cur;

	(void)c;
	if (caught_cur == NULL ||
	    (stream == CTX_ERR && text[len - 1] != '\n')) {
		pthread_mutex_lock(&t->lock);
		free(t->progress);
		t->progress = xstrndup(text, len);
		pthread_mutex_unlock(&t->lock);
		notify(t->pipefd[1], 'p');
		return;
	}
	buf_add(stream == CTX_OUT ? &caught_cur->out : &caught_cur->err, text,
	    len);
}

/* Reports an error of a command into its caught error stream. */
static void
caught_error(struct ctx *c, const char *msg)
{
	struct buf	line = { 0 };

	ctx_error_text(c, msg, &line);
	ctx_emit(c, CTX_ERR, line.data, line.len);
	buf_free(&line);
}

/* The worker's questions go to the person as a modal box. */
static int
worker_ask(struct ctx *c, const char *prompt)
{
	struct tui	*t = tui_cur;
	int		 yes;

	(void)c;
	pthread_mutex_lock(&t->lock);
	free(t->q_text);
	t->q_text = xstrdup(prompt);
	t->q_pending = 1;
	t->q_answered = 0;
	pthread_mutex_unlock(&t->lock);
	notify(t->pipefd[1], 'q');
	pthread_mutex_lock(&t->lock);
	while (!t->q_answered)
		pthread_cond_wait(&t->cond, &t->lock);
	yes = t->q_answer;
	t->q_answered = 0;
	pthread_mutex_unlock(&t->lock);
	return yes;
}

static void *
worker_main(void *arg)
{
	struct job	*j = arg;
	struct tui	*t = j->t;
	struct ctx	 wc;
	size_t		 i;

	caught_cur = &j->caught;
	/* A ctx of its own sharing the store and the kept sessions. */
	ctx_init(&wc, t->c->home);
	wc.store = t->c->store;
	wc.store_rdonly = t->c->store_rdonly;
	wc.tp = t->c->tp;
	wc.emit = caught_emit;
	wc.interactive = 1;
	wc.width = t->c->width;
	wc.on_error = caught_error;
	wc.ask = worker_ask;
	for (i = 0; i < j->cmds.ncmds; i++) {
		intr_clear();
		j->status = cmd_run(&wc, j->cmds.cmds[i].argc,
		    j->cmds.cmds[i].argv);
		if (j->status != 0)
			break;
	}
	wc.store = NULL;
	wc.tp = NULL;
	ctx_free(&wc);
	pthread_mutex_lock(&t->lock);
	j->done = 1;
	pthread_mutex_unlock(&t->lock);
	notify(t->pipefd[1], 'j');
	return NULL;
}

/* Shows what a command said: one line in the message line, more in a pane. */
static void
show_output(struct tui *t, const char *line, int status,
    const struct caught *caught)
{
	const char	*out = caught->out.data, *err = caught->err.data;
	struct buf	 all = { 0 };
	size_t		 nl;
	char		*first;

	if (out != NULL)
		buf_addstr(&all, out);
	if (err != NULL && *err != '\0') {
		if (all.len > 0 && all.data[all.len - 1] != '\n')
			buf_addc(&all, '\n');
		buf_addstr(&all, err);
	}
	while (all.len > 0 && all.data[all.len - 1] == '\n')
		all.data[--all.len] = '\0';
	if (status != 0) {
		/* Errors go to the message line and the events view. */
		first = err != NULL && *err != '\0' ? xstrndup(err,
		    strcspn(err, "\n")) : xasprintf("failed (status %d)",
		    status);
		tui_model_event(&t->ui.model, line, status, first);
		set_msg(t, 1, "%s", first);
		free(first);
		if (t->ui.model.cur == TUI_EVENTS)
			t->changes |= TUI_CH_TABLE;
	} else if (all.len == 0)
		set_msg(t, 0, "done: %s", line);
	nl = all.len > 0 ? (size_t)(strchr(all.data, '\n') != NULL) : 0;
	if (nl == 0 && status == 0 && all.len > 0)
		set_msg(t, 0, "%s", all.data);
	else if (nl > 0) {
		pane_free(&t->ui);
		t->ui.pane_title = xasprintf(" %s", line);
		pane_text(&t->ui, all.data);
		t->changes |= TUI_CH_LAYOUT;
	}
	buf_free(&all);
}

/* Runs a command in this thread: the ui commands, help, version. */
static void
run_here(struct tui *t, const char *line, int argc, char **argv)
{
	struct caught	 caught = { { 0 }, { 0 } };
	int		 status;

	caught_cur = &caught;
	status = cmd_run(t->c, argc, argv);
	caught_cur = NULL;
	if (status != 0 || caught.out.len > 0 || caught.err.len > 0)
		show_output(t, line, status, &caught);
	buf_free(&caught.out);
	buf_free(&caught.err);
}

static void
job_start(struct tui *t, const char *line, struct lex_result *cmds)
{
	struct job	*j = xcalloc(1, sizeof *j);
	sigset_t	 block, old;

	j->t = t;
	j->line = xstrdup(line);
	j->cmds = *cmds;
	memset(cmds, 0, sizeof *cmds);
	sigemptyset(&block);
	sigaddset(&block, SIGWINCH);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	if (pthread_create(&t->worker, NULL, worker_main, j) != 0) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		set_msg(t, 1, "cannot start: %s", line);
		lex_result_free(&j->cmds);
		free(j->line);
		free(j);
		return;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	t->job = j;
	t->ui.busy = 1;
	free(t->ui.busy_what);
	t->ui.busy_what = xstrdup(line);
	t->ui.busy_since = now_unix();
	t->changes |= TUI_CH_MSG;
}

static void
job_finish(struct tui *t)
{
	struct job	*j = t->job;

	if (j == NULL || !j->done)
		return;
	pthread_join(t->worker, NULL);
	t->job = NULL;
	t->ui.busy = 0;
	free(t->ui.busy_note);
	t->ui.busy_note = NULL;
	show_output(t, j->line, j->status, &j->caught);
	(void)tui_model_load(&t->ui.model);
	t->changes |= TUI_CH_HEADER | TUI_CH_TABLE | TUI_CH_DETAIL;
	lex_result_free(&j->cmds);
	free(j->line);
	buf_free(&j->caught.out);
	buf_free(&j->caught.err);
	free(j);
}

/* 1 if every command of cmds runs in this thread (no store, no host). */
static int
runs_here(const struct lex_result *cmds)
{
	const struct cmd_entry	*e;
	size_t			 i;
	int			 used;

	for (i = 0; i < cmds->ncmds; i++) {
		e = cmd_find(cmds->cmds[i].argc, cmds->cmds[i].argv, &used);
		if (e != NULL && !(e->flags & CMD_NOSTORE))
			return 0;
	}
	return 1;
}

/* Runs a line now: here, or on the worker if it is free. */
static void
run_now(struct tui *t, const char *line)
{
	struct lex_result	res;
	size_t			i;

	if (lex_split(line, 1, &res) != 0) {
		set_msg(t, 1, "%s", err_msg());
		return;
	}
	if (res.ncmds == 0) {
		lex_result_free(&res);
		return;
	}
	if (runs_here(&res)) {
		for (i = 0; i < res.ncmds; i++)
			run_here(t, line, res.cmds[i].argc, res.cmds[i].argv);
		lex_result_free(&res);
		return;
	}
	if (t->job != NULL) {
		set_msg(t, 1, "still running: %s", t->job->line);
		lex_result_free(&res);
		return;
	}
	job_start(t, line, &res);
}

/* A key's command while a pane is open: only what runs here runs. */
static void
run_pane_key(struct tui *t, const char *line)
{
	struct lex_result	res;

	if (lex_split(line, 1, &res) != 0)
		return;
	if (res.ncmds == 1 && runs_here(&res))
		run_here(t, line, res.cmds[0].argc, res.cmds[0].argv);
	lex_result_free(&res);
}

/* A name as a word of a command line: quoted only when it must be. */
static char *
word_of(const char *name)
{
	if (*name != '\0' && name[strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789._-")] == '\0' &&
	    name[0] != '-')
		return xstrdup(name);
	return lex_quote(name);
}

/* word with each {sel} in it replaced by name. */
static char *
subst(const char *word, const char *name)
{
	struct buf	 b = { 0 };
	const char	*p, *hit;

	for (p = word; (hit = strstr(p, "{sel}")) != NULL; p = hit + 5) {
		buf_add(&b, p, (size_t)(hit - p));
		buf_addstr(&b, name);
	}
	buf_addstr(&b, p);
	return buf_take(&b);
}

/*
 * The command line of cmds with every word holding {sel} repeated for
 * each of the n rows, that row's name in its place.
 */
static char *
expand(const struct lex_result *cmds, struct tui_row **rows, size_t n)
{
	struct buf	 b = { 0 };
	const char	*name;
	char		*w, *q;
	size_t		 i, r;
	int		 k;

	for (i = 0; i < cmds->ncmds; i++) {
		if (i > 0)
			buf_addstr(&b, "; ");
		for (k = 0; k < cmds->cmds[i].argc; k++) {
			const char	*word = cmds->cmds[i].argv[k];

			for (r = 0; r < (strstr(word, "{sel}") ? n : 1); r++) {
				name = rows[r]->raw[FI_NAME + 1];
				w = strstr(word, "{sel}") ? subst(word,
				    name != NULL ? name : "") : xstrdup(word);
				q = word_of(w);
				buf_printf(&b, "%s%s", b.len > 0 &&
				    b.data[b.len - 1] != ' ' ? " " : "", q);
				free(q);
				free(w);
			}
		}
	}
	return buf_take(&b);
}

/*
 * A binding's command: {sel} becomes the marked rows' names (or the
 * selected row's), each a word of its own. On more than one row, what
 * will run on which host is shown first and the person says yes.
 */
static void
run_binding(struct tui *t, const char *command)
{
	struct tui_row		**sel = NULL;
	struct tui_view		 *v = tui_model_view(&t->ui.model);
	struct lex_result	  res = { 0 };
	struct buf		  q = { 0 };
	char			 *line = NULL, *one;
	size_t			  n, i;

	if (strstr(command, "{sel}") == NULL) {
		run_now(t, command);
		return;
	}
	n = tui_model_selection(&t->ui.model, &sel);
	if (n == 0) {
		set_msg(t, 1, "no row selected");
		goto out;
	}
	if (lex_split(command, 1, &res) != 0) {
		set_msg(t, 1, "%s", err_msg());
		goto out;
	}
	line = expand(&res, sel, n);
	if (n == 1) {
		run_now(t, line);
		goto out;
	}
	buf_printf(&q, "On %zu %s:\n", n, v->title);
	for (i = 0; i < n && i < 40; i++) {
		one = expand(&res, &sel[i], 1);
		buf_printf(&q, "  %s   on %s\n", one,
		    sel[i]->host != NULL ? sel[i]->host : "-");
		free(one);
	}
	if (n > 40)
		buf_printf(&q, "  ... and %zu more\n", n - 40);
	buf_addstr(&q, "Go on? [y/N]");
	free(t->confirm_line);
	t->confirm_line = line;
	line = NULL;	/* transferred */
	free(t->ui.question);
	t->ui.question = buf_take(&q);
	t->changes |= TUI_CH_LAYOUT;
out:
	lex_result_free(&res);
	buf_free(&q);
	free(line);
	free(sel);
}

/* Answers the question shown: the worker's, or a bulk action's. */
static void
answer(struct tui *t, int yes)
{
	char	*line;

	free(t->ui.question);
	t->ui.question = NULL;
	t->changes |= TUI_CH_LAYOUT;
	if (t->confirm_line != NULL) {
		line = t->confirm_line;
		t->confirm_line = NULL;
		if (yes)
			run_now(t, line);
		else
			set_msg(t, 0, "cancelled");
		free(line);
		return;
	}
	pthread_mutex_lock(&t->lock);
	t->q_answer = yes;
	t->q_answered = 1;
	t->q_pending = 0;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

struct cands {
	char	**v;
	size_t	  n;
};

static void
add_cand(const char *cand, void *arg)
{
	struct cands	*cs = arg;

	if (cs->n >= 1000)
		return;
	cs->v = xreallocarray(cs->v, cs->n + 1, sizeof *cs->v);
	cs->v[cs->n++] = xstrdup(cand);
}

/* Tab on the ':' line: the table's completion of the word at the cursor. */
static void
complete(struct tui *t)
{
	struct tui_prompt	*p = &t->ui.prompt;
	struct cands		 cs = { 0 };
	struct buf		 list = { 0 };
	char			*head, **av = NULL, quoted = 0, *word;
	size_t			 i, k, common, start;
	int			 ac = 0;

	head = xstrndup(p->text.data, p->cur);
	if (lex_partial(head, &av, &ac, &quoted) != 0 || ac < 1) {
		free(head);
		lex_argv_free(av);
		return;
	}
	cmd_complete(t->c, ac, av, add_cand, &cs);
	start = p->cur >= strlen(av[ac - 1]) ? p->cur - strlen(av[ac - 1]) : 0;
	if (cs.n == 0)
		set_msg(t, 0, "no completion");
	else if (cs.n == 1 && !quoted) {
		word = xasprintf("%s ", cs.v[0]);
		tui_prompt_replace(p, start, word);
		free(word);
	} else {
		common = strlen(cs.v[0]);
		for (i = 1; i < cs.n; i++) {
			for (k = 0; k < common && cs.v[i][k] == cs.v[0][k]; k++)
				;
			common = k;
		}
		if (!quoted && common > strlen(av[ac - 1])) {
			word = xstrndup(cs.v[0], common);
			tui_prompt_replace(p, start, word);
			free(word);
		}
		for (i = 0; i < cs.n && list.len < 400; i++)
			buf_printf(&list, "%s%s", i > 0 ? "  " : "", cs.v[i]);
		set_msg(t, 0, "%s", list.data);
	}
	for (i = 0; i < cs.n; i++)
		free(cs.v[i]);
	free(cs.v);
	buf_free(&list);
	lex_argv_free(av);
	free(head);
	t->changes |= TUI_CH_MSG;
}

/* A key while the '/' or ':' line is open. */
static void
prompt_key(struct tui *t, int key)
{
	struct tui_prompt	*p = &t->ui.prompt;
	char			*line;
	int			 r = tui_prompt_key(p, key);

	/* The line above the prompt is the table's when nothing is said. */
	t->changes |= TUI_CH_MSG | TUI_CH_TABLE | TUI_CH_DETAIL;
	if (p->kind == '/') {
		if (r == 3) {
			/* Escape: the filter as it was. */
			(void)tui_model_filter(&t->ui.model, p->saved);
			tui_prompt_close(p);
			set_msg(t, 0, "%s", "");
		} else if (r == 1 || r == 2) {
			/* Live: each change filters, or says why it cannot. */
			if (tui_model_filter(&t->ui.model, p->text.data) != 0)
				set_msg(t, 1, "filter: %s", err_msg());
			else {
				set_msg(t, 0, "%s", "");
				if (r == 2)
					tui_prompt_close(p);
			}
		}
		t->changes |= TUI_CH_TABLE | TUI_CH_HEADER | TUI_CH_DETAIL;
		return;
	}
	if (r == 1)
		set_msg(t, 0, "%s", "");
	if (r == 3) {
		tui_prompt_close(p);
		set_msg(t, 0, "%s", "");
	} else if (r == 4)
		complete(t);
	else if (r == 2) {
		line = xstrdup(p->text.data);
		tui_prompt_close(p);
		set_msg(t, 0, "%s", "");
		run_now(t, line);
		free(line);
	}
}

/* The binding of a key: the view's own table first, then main. */
static const struct keybind *
lookup(struct tui *t, int key)
{
	return keymap_lookup(t->ui.keymap, tui_model_view(&t->ui.model)->title,
	    key);
}

static void
key(struct tui *t, int k)
{
	const struct keybind	*kb;
	char			 name[32];

	if (k == TUI_KEY_RESIZE) {
		tui_screen_resize(t->sc);
		t->changes |= TUI_CH_LAYOUT;
		return;
	}
	if (t->ui.question != NULL) {
		answer(t, k == 'y' || k == 'Y');
		return;
	}
	if (t->ui.npane > 0 || t->ui.pane_title != NULL) {
		/* The move keys scroll it; any other key closes it. */
		t->pane_moved = 0;
		if ((kb = lookup(t, k)) != NULL && strstr(kb->command,
		    "{sel}") == NULL)
			run_pane_key(t, kb->command);
		if (!t->pane_moved) {
			pane_free(&t->ui);
			t->changes |= TUI_CH_LAYOUT;
		}
		return;
	}
	if (t->ui.prompt.active) {
		prompt_key(t, k);
		return;
	}
	if ((kb = lookup(t, k)) == NULL) {
		set_msg(t, 0, "%s is not bound (? lists the keys)",
		    keymap_key_name(k, name, sizeof name));
		return;
	}
	run_binding(t, kb->command);
}

/* What a byte from the pipe says: hosts answered, the worker is done or asks. */
static int
pipe_read(struct tui *t)
{
	char	buf[256];
	ssize_t	n;
	int	hosts = 0, had_job;

	while ((n = read(t->pipefd[0], buf, sizeof buf)) > 0) {
		if (memchr(buf, 'r', (size_t)n) != NULL)
			hosts = 1;
	}
	had_job = t->job != NULL;
	job_finish(t);
	pthread_mutex_lock(&t->lock);
	if (t->progress != NULL && t->job != NULL) {
		free(t->ui.busy_note);
		t->ui.busy_note = t->progress;
		t->changes |= TUI_CH_MSG;
	} else if (t->progress != NULL && !had_job) {
		set_msg(t, 0, "%s", t->progress);
		free(t->progress);
	} else
		free(t->progress);	/* a finished command's: stale */
	t->progress = NULL;
	if (t->q_pending && t->ui.question == NULL && t->q_text != NULL) {
		t->ui.question = t->q_text;
		t->q_text = NULL;
		t->changes |= TUI_CH_LAYOUT;
	}
	pthread_mutex_unlock(&t->lock);
	return hosts;
}

/* The keymap keymap_choose names, and the user's overrides. */
static void
keymap_open(struct tui *t)
{
	const char	*want = keymap_choose(NULL);
	char		*path = NULL, *user;
	struct buf	 errors = { 0 };

	user = keymap_user_path(t->c->home);
	if (keymap_find(want, &path) != 0 ||
	    keymap_load(&t->ui.keymap, path, user, &errors) != 0)
		set_msg(t, 1, "no keymap '%s' found: only ':' works", want);
	else if (errors.len > 0)
		set_msg(t, 1, "%.*s", (int)strcspn(errors.data, "\n"),
		    errors.data);
	if (t->ui.keymap == NULL) {
		/* Nothing bound: a keymap of nothing, so lookups say so. */
		(void)keymap_load(&t->ui.keymap, "/dev/null", NULL, NULL);
	}
	buf_free(&errors);
	free(path);
	free(user);
}

static void
on_term(int sig)
{
	(void)sig;
	tui_got_term = 1;
}

static int
interval_ms(int64_t opt)
{
	const char	*e = getenv("HVSH_TUI_INTERVAL_MS");
	int64_t		 v;

	if (opt > 0)
		return opt > INT_MAX ? INT_MAX : (int)opt;
	if (e != NULL && parse_i64(e, &v) == 0 && v > 0 && v < INT_MAX)
		return (int)v;
	return TUI_DEFAULT_INTERVAL_MS;
}

static void
loop(struct tui *t)
{
	struct pollfd	 pfd[2];
	int64_t		 last_load = 0, last_tick = mono_ms(), now;
	int64_t		 gap = TUI_RELOAD_MS;
	int		 dirty = 0, timeout, k;

	t->changes = TUI_CH_LAYOUT;
	while (!t->quit && !tui_got_term) {
		if (t->changes & TUI_CH_LAYOUT) {
			t->ui.model.page = tui_screen_page(t->sc, &t->ui);
			tui_model_place(&t->ui.model);
		}
		if (t->changes != 0)
			tui_screen_draw(t->sc, &t->ui, t->changes);
		if (t->changes & TUI_CH_QUIT)
			break;
		t->changes = 0;
		now = mono_ms();
		timeout = (int)(1000 - (now - last_tick));
		if (dirty && gap - (now - last_load) < timeout)
			timeout = (int)(gap - (now - last_load));
		if (timeout < 0)
			timeout = 0;
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = t->pipefd[0];
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		(void)poll(pfd, 2, timeout);
		if (pfd[1].revents & POLLIN)
			dirty |= pipe_read(t);
		/* Keys first: each is answered before anything else is read. */
		while ((k = tui_screen_key(t->sc)) != -1) {
			key(t, k);
			if (t->changes & TUI_CH_QUIT)
				break;
		}
		now = mono_ms();
		if (dirty && now - last_load >= gap) {
			(void)tui_model_load(&t->ui.model);
			t->changes |= TUI_CH_HEADER | TUI_CH_TABLE |
			    TUI_CH_DETAIL;
			last_load = mono_ms();
			/* Keys keep most of the time, however big the view. */
			gap = 4 * (last_load - now);
			if (gap < TUI_RELOAD_MS)
				gap = TUI_RELOAD_MS;
			dirty = 0;
		}
		if (now - last_tick >= 1000) {
			/* Ages grow, counted on in memory. */
			last_tick = now;
			t->changes |= tui_model_tick(&t->ui.model);
			if (t->ui.busy)
				t->changes |= TUI_CH_MSG;
		}
	}
}

/* Waits for a command still running; its questions are answered no. */
static void
worker_wait(struct tui *t)
{
	if (t->job == NULL)
		return;
	intr_raise();
	pthread_mutex_lock(&t->lock);
	while (!t->job->done) {
		if (t->q_pending) {
			t->q_answer = 0;
			t->q_answered = 1;
			t->q_pending = 0;
			pthread_cond_broadcast(&t->cond);
		}
		pthread_mutex_unlock(&t->lock);
		usleep(10000);
		pthread_mutex_lock(&t->lock);
	}
	pthread_mutex_unlock(&t->lock);
	job_finish(t);
	intr_clear();
}

static int
tui_start(struct ctx *c, int ms)
{
	struct tui		 t;
	struct store		*st;
	struct transport	*tp;
	struct sigaction	 sa, oterm, ohup;
	void			(*on_error)(struct ctx *, const char *);
	int			 rc, devnull, saved_err = -1;

	memset(&t, 0, sizeof t);
	t.c = c;
	if ((rc = ctx_store(c, &st)) != 0 || (rc = ctx_transport(c, &tp)) != 0)
		return ctx_error_last(c);
	if (pipe2(t.pipefd, O_CLOEXEC | O_NONBLOCK) != 0)
		return ctx_error(c, ERR_IO, "pipe: %s", strerror(errno));
	pthread_mutex_init(&t.lock, NULL);
	pthread_cond_init(&t.cond, NULL);
	tui_cur = &t;
	c->ui = tui_ui;
	c->interactive = 1;
	on_error = c->on_error;
	keymap_open(&t);
	/* Nothing but the screen may write to the terminal from here on. */
	fflush(stderr);
	if ((devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) >= 0) {
		saved_err = dup(STDERR_FILENO);
		dup2(devnull, STDERR_FILENO);
		close(devnull);
	}
	if ((rc = tui_live_start(c, ms, t.pipefd[1], &t.live)) != 0) {
		rc = ctx_error_last(c);
		goto out;
	}
	tui_model_init(&t.ui.model, c, t.live);
	if (tui_screen_open(&t.sc) != 0) {
		rc = ctx_error(c, ERR_FAIL, "cannot open the terminal");
		goto out;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, &oterm);
	sigaction(SIGHUP, &sa, &ohup);
	t.ui.model.page = tui_screen_page(t.sc, &t.ui);
	(void)tui_model_load(&t.ui.model);
	c->on_error = caught_error;
	c->emit = caught_emit;
	loop(&t);
	worker_wait(&t);
	c->emit = NULL;
	c->on_error = on_error;
	tui_screen_close(t.sc);
	sigaction(SIGTERM, &oterm, NULL);
	sigaction(SIGHUP, &ohup, NULL);
	rc = 0;
out:
	tui_live_stop(t.live);
	if (saved_err >= 0) {
		dup2(saved_err, STDERR_FILENO);
		close(saved_err);
	}
	tui_model_free(&t.ui.model);
	tui_prompt_close(&t.ui.prompt);
	buf_free(&t.ui.prompt.text);
	pane_free(&t.ui);
	keymap_free(t.ui.keymap);
	free(t.ui.msg);
	free(t.ui.question);
	free(t.ui.busy_what);
	free(t.ui.busy_note);
	free(t.q_text);
	free(t.confirm_line);
	free(t.progress);
	close(t.pipefd[0]);
	close(t.pipefd[1]);
	pthread_mutex_destroy(&t.lock);
	pthread_cond_destroy(&t.cond);
	c->ui = NULL;
	c->interactive = 0;
	tui_cur = NULL;
	return rc;
}

/* --interval of 'tui', for tui_run. */
static int64_t	tui_interval_opt;

int
tui_run(struct ctx *c)
{
	return tui_start(c, interval_ms(tui_interval_opt));
}

static int
tui_cmd(struct ctx *c, struct cmd_args *a)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return ctx_error(c, ERR_USAGE, "the dashboard needs a terminal");
	tui_interval_opt = arg_i64(a, "interval", 0);
	return tui_run(c);
}

static const struct cmd_opt tui_opts[] = {
	{ "interval", 0, OPT_INT, 0, 0, NULL, "MS",
	    "refresh every host this often (default 2000, or "
	    "HVSH_TUI_INTERVAL_MS)" },
	{ NULL }
};

const struct cmd_entry cmd_tui = {
	NULL, "tui", NULL, tui_opts, CMD_INTERACTIVE,
	"the dashboard: hosts, instances, storage and events, live",
	"Refreshes every host in the background over kept sessions; keys "
	"come from the keymap (HVSH_KEYMAP, and $HVSH_HOME/keys).",
	tui_cmd
};
