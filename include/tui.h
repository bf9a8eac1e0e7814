/*
 * tui.h: the dashboard. tui_run() is the front-end; the rest is shared
 * between its files:
 *
 *	tui-model.c	views as rows read from the store: columns, sort,
 *			filter, marks, selection (no curses)
 *	tui-live.c	the background refresh of every host (by events
 *			where its driver has them) and the history of
 *			instances' CPU and memory (no curses)
 *	tui-prompt.c	the line editor of the '/' and ':' lines (no curses)
 *	tui-screen.c	drawing: header, table, detail, message, footer,
 *			prompt, help and questions (the curses calls)
 *	tui-main.c	the loop: keys through the keymap, the ui hook,
 *			commands run on a worker, questions asked for it
 *
 * Actions return what they changed (TUI_CH_*); the loop hands that to the
 * screen, which redraws those parts only and lets curses send the cells
 * that differ.
 */
#ifndef HVSH_TUI_H
#define HVSH_TUI_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "listing.h"
#include "schema.h"
#include "util.h"

struct ctx;
struct store;
struct filter;

/* Runs the dashboard on the terminal until quit; the exit status. */
int	tui_run(struct ctx *);

/* What an action changed: the parts of the screen to draw again. */
#define TUI_CH_HEADER	0x01
#define TUI_CH_TABLE	0x02	/* rows or selection */
#define TUI_CH_DETAIL	0x04
#define TUI_CH_MSG	0x08
#define TUI_CH_FOOTER	0x10
#define TUI_CH_LAYOUT	0x20	/* sizes changed: everything */
#define TUI_CH_QUIT	0x40
#define TUI_CH_REDRAW	0x80	/* the terminal may be garbled: repaint */
#define TUI_CH_ALL	0x3f

enum tui_vkind {
	TUI_HOSTS, TUI_INSTANCES, TUI_IMAGES, TUI_POOLS, TUI_VOLUMES,
	TUI_SNAPSHOTS, TUI_EVENTS, TUI__NVIEWS
};

/* Columns the dashboard adds to a kind's own (live data, counts). */
enum tui_xcol {
	TX_NONE, TX_CPU, TX_MEMUSE, TX_VMS, TX_AGE, TX_UPTIME, TX_USE
};

#define TUI_MAXCOLS	(RECORD_MAXFIELDS + 8)
#define TUI_HISTORY	60	/* samples kept per instance and host */

struct tui_row {
	uint64_t	  id;
	char		**raw;		/* canonical values, per column */
	char		**cell;		/* as shown (sanitised, formatted) */
	const char	 *host;		/* raw[] of the host column, or NULL */
	int		  marked;
	int		  local;	/* events: this session's, not stored */
};

struct tui_view {
	enum tui_vkind	 vk;
	const char	*title;		/* "hosts", also its keymap table */
	enum kind	 kind;
	struct col_def	 cols[TUI_MAXCOLS];
	enum tui_xcol	 xcol[TUI_MAXCOLS];
	int		 field[TUI_MAXCOLS];	/* record column, or -1 */
	size_t		 ncols;
	size_t		 show[TUI_MAXCOLS];	/* columns shown, in order */
	size_t		 nshow;
	struct tui_row	*all;		/* every row read, in store order */
	size_t		 nall, allcap;
	int64_t		 aged;		/* when ages were last counted */
	struct tui_row	*rows;		/* those the filter keeps, sorted:
					   copies of all's, sharing cells */
	size_t		 nrows;
	size_t		 total;		/* before the filter (nall) */
	size_t		 sel;		/* selected row */
	size_t		 top;		/* first row shown */
	size_t		 left;		/* first shown column (scroll) */
	int		 sortcol;	/* index into cols; -1 store order */
	int		 sortrev;
	char		*filter_text;
	struct filter	*filter;
	uint64_t	*marks;		/* ids marked, kept across reloads;
					   sorted */
	size_t		 nmarks;
	unsigned	 gen;		/* counts loads, for cached widths */
};

/* A session event: an action's error, shown in the events view. */
struct tui_event {
	int64_t		 time;
	char		*command;
	int		 status;
	char		*result;
};

struct tui_live;

struct tui_model {
	struct ctx		*ctx;
	struct tui_live		*live;
	struct tui_view		 views[TUI__NVIEWS];
	enum tui_vkind		 cur;
	int			 page;		/* rows on a page */
	int			 detail;	/* detail pane shown */
	struct tui_event	*events;	/* this session's */
	size_t			 nevents;
	/* Fleet totals for the header. */
	size_t			 hosts_up, hosts;
	size_t			 vms_running, vms;
	int64_t			 mem_used, mem_total;
};

void	tui_model_init(struct tui_model *, struct ctx *, struct tui_live *);
void	tui_model_free(struct tui_model *);
struct tui_view *tui_model_view(struct tui_model *);
/*
 * Reads the current view (and the totals) from the store again. Filter
 * and sort work on the rows read, without the store.
 */
int	tui_model_load(struct tui_model *);
/* Time passed: ages and uptimes counted on, without the store; changes. */
int	tui_model_tick(struct tui_model *);
int	tui_model_move(struct tui_model *, const char *how);
/* Keeps the selection in sight after the page changed. */
void	tui_model_place(struct tui_model *);
int	tui_model_show(struct tui_model *, const char *name);
int	tui_model_sort(struct tui_model *, const char *column);
/* Sets the filter; on a bad expression, ERR_USAGE with err_msg(). */
int	tui_model_filter(struct tui_model *, const char *expr);
int	tui_model_mark(struct tui_model *, int how);	/* 1 row, 2 all, 0 none */
/* The marked rows (or the selected one): pointers into the view. */
size_t	tui_model_selection(struct tui_model *, struct tui_row ***out);
/* A column by name in the view, or -1. */
int	tui_view_col(const struct tui_view *, const char *name);
void	tui_model_event(struct tui_model *, const char *command, int status,
	    const char *result);
const char *tui_view_name(enum tui_vkind);

/* --- live refresh (tui-live.c) --- */

struct tui_sample {
	double	cpu;		/* percent of one CPU */
	double	mem;		/* percent of configured memory; < 0 unknown */
};

/*
 * Starts refreshing every host of the store each interval_ms, on the
 * ctx's transport; each host's answer is written to the store as it
 * comes, and a byte written to notify_fd. A host whose driver can watch
 * is followed by its events, written and notified as each comes, and
 * polled only every 15 intervals (at least 30 s).
 */
int	tui_live_start(struct ctx *, int interval_ms, int notify_fd,
	    struct tui_live **out);
/* Refreshes every host now (what is not already being asked). */
void	tui_live_kick(struct tui_live *);
/* Stops: cancels what hangs, waits for the threads. NULL is a no-op. */
void	tui_live_stop(struct tui_live *);
/*
 * The newest samples of an instance (kind KIND_VM) or a host, oldest
 * first, into out[TUI_HISTORY]; returns how many. 0 if none.
 */
size_t	tui_live_history(struct tui_live *, enum kind, uint64_t id,
	    struct tui_sample *out);
/* Seconds an instance has been seen running without a break; -1 unknown. */
int64_t	tui_live_uptime(struct tui_live *, uint64_t vm_id);
/* Hosts being asked now. */
size_t	tui_live_busy(struct tui_live *);
int	tui_live_interval(struct tui_live *);
/*
 * 1 while the host's changes come by events (a watch of it is on): its
 * states are current, however old its last poll.
 */
int	tui_live_watching(struct tui_live *, uint64_t host_id);

/* --- the line editor (tui-prompt.c) --- */

struct tui_prompt {
	int		 active;
	char		 kind;		/* '/' or ':' */
	struct buf	 text;		/* NUL-terminated */
	size_t		 cur;		/* byte offset of the cursor */
	char		*saved;		/* '/': the filter before editing */
};

void	tui_prompt_open(struct tui_prompt *, char kind, const char *text);
void	tui_prompt_close(struct tui_prompt *);
/*
 * Feeds a key (ncurses code): 1 the text changed, 2 Enter, 3 Escape,
 * 4 Tab (complete), 0 nothing.
 */
int	tui_prompt_key(struct tui_prompt *, int key);
/* Replaces the word under the cursor (from byte start) with word. */
void	tui_prompt_replace(struct tui_prompt *, size_t start, const char *word);

/* --- drawing (tui-screen.c) --- */

struct tui_screen;

struct tui_ui {
	struct tui_model	 model;
	struct tui_prompt	 prompt;
	struct keymap		*keymap;
	char			*msg;		/* message line */
	int			 msg_err;	/* shown as an error */
	char			**pane;		/* lines of output or help */
	size_t			 npane;
	char			*pane_title;
	size_t			 pane_top;	/* first line shown */
	char			*question;	/* a modal question */
	int			 busy;		/* a command runs */
	char			*busy_what;
	int64_t			 busy_since;
	char			*busy_note;	/* its last progress line */
};

int	tui_screen_open(struct tui_screen **out);
void	tui_screen_close(struct tui_screen *);
/* Draws the parts named by what; then one update of the terminal. */
void	tui_screen_draw(struct tui_screen *, struct tui_ui *, int what);
/* Rows of the table as laid out now. */
int	tui_screen_page(struct tui_screen *, const struct tui_ui *);
/*
 * Next key, or -1 when none waits, TUI_KEY_RESIZE after a resize.
 * Normalises Enter to '\n', DEL and ^H to BSpace, ESC x to M-x.
 */
#define TUI_KEY_RESIZE	(-2)
int	tui_screen_key(struct tui_screen *);
/* The terminal was resized; takes the new size. */
void	tui_screen_resize(struct tui_screen *);

#endif
