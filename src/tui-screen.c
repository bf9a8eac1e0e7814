/*
 * tui-screen.c: everything the dashboard draws, and the only file with
 * curses calls. The screen is laid out as
 *
 *	0	header: fleet totals
 *	1	the views, the sort and the filter
 *	2	column titles
 *	3..	rows, then the detail pane when open
 *	H-2	message line, or the '/' or ':' line being edited
 *	H-1	key hints from the keymap's notes
 *
 * Parts are drawn into curses' screen only when what changed names them,
 * and curses sends the terminal only the cells that differ: nothing here
 * clears the screen per frame.
 */
#include <curses.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "keymap.h"
#include "tui.h"

#define MIN_W		80
#define MIN_H		24
#define DETAIL_H	9
#define COL_MAXW	40
#define AGE_MAXW	10	/* "stale 119s" */
#define UPTIME_MAXW	5	/* "1234d" */

enum { PAIR_GREEN = 1, PAIR_YELLOW, PAIR_RED, PAIR_CYAN };

struct tui_screen {
	int		 w, h;
	int		 utf8;
	int		 color;
	int		 small;		/* below 80x24 */
	/* Column widths of the view last laid out. */
	const struct tui_view	*wview;
	unsigned	 wgen;
	int		 width[TUI_MAXCOLS];
};

static int
locale_is_utf8(void)
{
	const char	*cs = nl_langinfo(CODESET);

	return cs != NULL && (strcmp(cs, "UTF-8") == 0 ||
	    strcmp(cs, "utf8") == 0);
}

int
tui_screen_open(struct tui_screen **out)
{
	struct tui_screen	*sc = xcalloc(1, sizeof *sc);
	const char		*nc = getenv("NO_COLOR");

	*out = NULL;
	sc->utf8 = locale_is_utf8();
	/*
	 * The terminal's own size, now and after each resize: curses would
	 * prefer a COLUMNS or LINES from the environment.
	 */
	unsetenv("COLUMNS");
	unsetenv("LINES");
	if (initscr() == NULL) {
		free(sc);
		return -1;
	}
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	idlok(stdscr, TRUE);
	if (has_colors() && (nc == NULL || *nc == '\0')) {
		start_color();
		use_default_colors();
		init_pair(PAIR_GREEN, COLOR_GREEN, -1);
		init_pair(PAIR_YELLOW, COLOR_YELLOW, -1);
		init_pair(PAIR_RED, COLOR_RED, -1);
		init_pair(PAIR_CYAN, COLOR_CYAN, -1);
		sc->color = 1;
	}
	getmaxyx(stdscr, sc->h, sc->w);
	*out = sc;
	return 0;
}

void
tui_screen_close(struct tui_screen *sc)
{
	if (sc == NULL)
		return;
	endwin();
	free(sc);
}

void
tui_screen_resize(struct tui_screen *sc)
{
	getmaxyx(stdscr, sc->h, sc->w);
	sc->wview = NULL;
}

int
tui_screen_key(struct tui_screen *sc)
{
	int	ch, next;

	(void)sc;
	if ((ch = getch()) == ERR)
		return -1;
	switch (ch) {
	case KEY_RESIZE:
		return TUI_KEY_RESIZE;
	case '\r':
	case KEY_ENTER:
		return '\n';
	case 0x7f:
	case '\b':
		return KEY_BACKSPACE;
	case 033:
		/* ESC then a key at once: Meta. */
		if ((next = getch()) == ERR)
			return 033;
		if (next >= 0x20 && next < 0x7f)
			return KM_META | next;
		ungetch(next);
		return 033;
	default:
		return ch;
	}
}

/* Cells s takes on the terminal. */
static int
text_width(const struct tui_screen *sc, const char *s)
{
	mbstate_t	st;
	wchar_t		wc;
	size_t		n;
	int		w = 0, cw;

	if (!sc->utf8)
		return (int)strlen(s);
	memset(&st, 0, sizeof st);
	while (*s != '\0') {
		n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof st);
			w++;
			s++;
			continue;
		}
		cw = wcwidth(wc);
		w += cw < 0 ? 1 : cw;
		s += n;
	}
	return w;
}

/*
 * Puts s at y, x in exactly width cells: cut with a mark when longer,
 * padded (on the left when right) when shorter. Wide characters are never
 * split; combining ones stay with their base.
 */
static void
put_cell(const struct tui_screen *sc, int y, int x, const char *s, int width,
    int right)
{
	struct buf	 b = { 0 };
	mbstate_t	 st;
	wchar_t		 wc;
	size_t		 n;
	int		 used = 0, cw, total, pad;

	if (width <= 0)
		return;
	total = text_width(sc, s);
	memset(&st, 0, sizeof st);
	while (*s != '\0') {
		if (!sc->utf8) {
			if (used + 1 > (total > width ? width - 1 : width))
				break;
			buf_addc(&b, (unsigned char)*s < 0x80 ? *s : '?');
			used++;
			s++;
			continue;
		}
		n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof st);
			n = 1;
			wc = L'?';
			cw = 1;
		} else
			cw = wcwidth(wc) < 0 ? 1 : wcwidth(wc);
		if (used + cw > (total > width ? width - 1 : width))
			break;
		if (n == 1 && wc == L'?')
			buf_addc(&b, '?');
		else
			buf_add(&b, s, n);
		used += cw;
		s += n;
	}
	if (total > width) {
		buf_addstr(&b, sc->utf8 ? "\xe2\x80\xa6" : "~");
		used++;
	}
	pad = width - used;
	move(y, x);
	if (right && pad > 0)
		printw("%*s", pad, "");
	addstr(b.data != NULL ? b.data : "");
	if (!right && pad > 0)
		printw("%*s", pad, "");
	buf_free(&b);
}

/* A line of text from x to the right edge. */
static void
put_line(const struct tui_screen *sc, int y, int x, const char *s)
{
	if (x < sc->w)
		put_cell(sc, y, x, s, sc->w - x, 0);
}

/* The colour of a state word, or 0. */
static int
state_attr(const struct tui_screen *sc, const char *s)
{
	if (!sc->color || s == NULL)
		return 0;
	if (strcmp(s, "running") == 0 || strcmp(s, "ok") == 0)
		return COLOR_PAIR(PAIR_GREEN);
	if (strcmp(s, "paused") == 0 || strcmp(s, "suspended") == 0 ||
	    strncmp(s, "stale", 5) == 0)
		return COLOR_PAIR(PAIR_YELLOW);
	if (strcmp(s, "crashed") == 0 || strcmp(s, "unknown") == 0 ||
	    strcmp(s, "unreachable") == 0 || strcmp(s, "error") == 0)
		return COLOR_PAIR(PAIR_RED);
	return 0;
}

static int
table_top(void)
{
	return 3;
}

int
tui_screen_page(struct tui_screen *sc, const struct tui_ui *ui)
{
	int	rows = sc->h - 2 - table_top();

	if (ui->model.detail)
		rows -= DETAIL_H;
	return rows > 1 ? rows : 1;
}

static void
draw_header(struct tui_screen *sc, struct tui_ui *ui)
{
	const struct tui_model	*m = &ui->model;
	char			 a[32], b[32], line[256];
	size_t			 busy = tui_live_busy(m->live);

	fmt_size(m->mem_used, a, sizeof a);
	fmt_size(m->mem_total, b, sizeof b);
	snprintf(line, sizeof line, " hvsh  hosts %zu/%zu up  instances %zu/%zu "
	    "running  memory %s/%s%s", m->hosts_up, m->hosts, m->vms_running,
	    m->vms, a, b, busy > 0 ? "  refreshing" : "");
	attron(A_BOLD);
	put_line(sc, 0, 0, line);
	attroff(A_BOLD);
}

static void
draw_tabs(struct tui_screen *sc, struct tui_ui *ui)
{
	const struct tui_view	*v = tui_model_view(&ui->model);
	struct buf		 b = { 0 };
	int			 i, x = 0;
	char			 t[32];

	move(1, 0);
	for (i = 0; i < TUI__NVIEWS && x < sc->w; i++) {
		snprintf(t, sizeof t, " %d %s ", i + 1,
		    tui_view_name((enum tui_vkind)i));
		if (i == (int)v->vk)
			attron(A_REVERSE | A_BOLD);
		put_cell(sc, 1, x, t, (int)strlen(t) < sc->w - x ?
		    (int)strlen(t) : sc->w - x, 0);
		if (i == (int)v->vk)
			attroff(A_REVERSE | A_BOLD);
		x += (int)strlen(t);
	}
	buf_printf(&b, "  %zu/%zu", v->nrows, v->total);
	if (v->nmarks > 0)
		buf_printf(&b, "  %zu marked", v->nmarks);
	if (v->sortcol >= 0)
		buf_printf(&b, "  sort %s%s", v->cols[v->sortcol].name,
		    v->sortrev ? " desc" : "");
	if (v->filter_text != NULL) {
		struct buf	clean = { 0 };

		buf_printf(&b, "  filter %s", sanitize(v->filter_text, &clean));
		buf_free(&clean);
	}
	if (x < sc->w)
		put_line(sc, 1, x, b.data);
	buf_free(&b);
}

/* Widths of the view's shown columns, from every row (cached per load). */
static void
layout_cols(struct tui_screen *sc, const struct tui_view *v)
{
	size_t	i, r;
	int	w;

	if (sc->wview == v && sc->wgen == v->gen)
		return;
	for (i = 0; i < v->nshow; i++) {
		size_t	c = v->show[i];

		sc->width[i] = text_width(sc, v->cols[c].name);
		/* Ages count on between loads: as wide as they can grow. */
		if (v->xcol[c] == TX_AGE || v->xcol[c] == TX_UPTIME) {
			w = v->xcol[c] == TX_AGE ? AGE_MAXW : UPTIME_MAXW;
			if (w > sc->width[i])
				sc->width[i] = w;
			continue;
		}
		/* Over every row read, so a filter leaves the widths be. */
		for (r = 0; r < v->nall; r++) {
			w = text_width(sc, v->all[r].cell[c]);
			if (w > sc->width[i])
				sc->width[i] = w > COL_MAXW ? COL_MAXW : w;
		}
	}
	sc->wview = v;
	sc->wgen = v->gen;
}

static int
col_right(const struct tui_view *v, size_t c)
{
	return v->cols[c].type == COL_INT || v->cols[c].type == COL_SIZE;
}

/* Columns whose words are states, and so coloured. */
static int
col_stateful(const struct tui_view *v, size_t c)
{
	const char	*n = v->cols[c].name;

	return strcmp(n, "state") == 0 || strcmp(n, "status") == 0 ||
	    strcmp(n, "age") == 0;
}

static void
draw_row(struct tui_screen *sc, const struct tui_view *v, int y,
    const struct tui_row *row, int selected)
{
	size_t	i;
	int	x = 2, w, attr, base = 0;

	if (row == NULL) {
		move(y, 0);
		clrtoeol();
		return;
	}
	if (selected)
		base |= A_REVERSE;
	if (row->marked)
		base |= A_BOLD;
	attron(base);
	put_cell(sc, y, 0, row->marked ? "*" : " ", 2, 0);
	for (i = v->left; i < v->nshow && x < sc->w; i++) {
		size_t	c = v->show[i];

		w = sc->width[i];
		if (x + w > sc->w || i + 1 == v->nshow)
			w = sc->w - x;
		attr = col_stateful(v, c) ? state_attr(sc, row->cell[c]) : 0;
		if (attr != 0 && !selected)
			attron(attr);
		put_cell(sc, y, x, row->cell[c], w > 0 ? w : 0,
		    col_right(v, c) && i + 1 < v->nshow);
		if (attr != 0 && !selected)
			attroff(attr);
		x += w;
		if (x < sc->w) {
			put_cell(sc, y, x, " ", 1, 0);
			x++;
		}
	}
	attroff(base);
}

static void
draw_table(struct tui_screen *sc, struct tui_ui *ui)
{
	struct tui_view	*v = tui_model_view(&ui->model);
	int		 page = tui_screen_page(sc, ui), y, x = 2, w;
	size_t		 i, r;

	layout_cols(sc, v);
	attron(A_BOLD | A_UNDERLINE);
	put_cell(sc, 2, 0, "", 2, 0);
	for (i = v->left; i < v->nshow && x < sc->w; i++) {
		w = sc->width[i];
		if (x + w > sc->w || i + 1 == v->nshow)
			w = sc->w - x;
		put_cell(sc, 2, x, v->cols[v->show[i]].name, w,
		    col_right(v, v->show[i]) && i + 1 < v->nshow);
		x += w;
		if (x < sc->w) {
			put_cell(sc, 2, x, " ", 1, 0);
			x++;
		}
	}
	attroff(A_BOLD | A_UNDERLINE);
	for (y = 0; y < page; y++) {
		r = v->top + (size_t)y;
		draw_row(sc, v, table_top() + y, r < v->nrows ? &v->rows[r] :
		    NULL, r == v->sel);
	}
	if (v->nrows == 0)
		put_line(sc, table_top(), 2, v->total > 0 ?
		    "(no row matches the filter)" : "(none)");
}

/* A sparkline of the last samples, as wide as width. */
static void
sparkline(const struct tui_screen *sc, struct buf *b,
    const struct tui_sample *s, size_t n, int cpu, int width)
{
	static const char *const	blocks[] = { "\xe2\x96\x81",
	    "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84", "\xe2\x96\x85",
	    "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88" };
	static const char		ascii[] = "_.-:=+*#";
	size_t				i, from;
	double				v, max = 100.0;
	int				k;

	from = n > (size_t)width ? n - (size_t)width : 0;
	for (i = from; i < n; i++) {
		v = cpu ? s[i].cpu : s[i].mem;
		if (v > max)
			max = v;
	}
	for (i = from; i < n; i++) {
		v = cpu ? s[i].cpu : s[i].mem;
		if (v < 0) {
			buf_addc(b, ' ');	/* unknown */
			continue;
		}
		k = (int)(v / max * 7.0 + 0.5);
		k = k < 0 ? 0 : k > 7 ? 7 : k;
		if (sc->utf8)
			buf_addstr(b, blocks[k]);
		else
			buf_addc(b, ascii[k]);
	}
}

static void
draw_detail(struct tui_screen *sc, struct tui_ui *ui)
{
	struct tui_model	*m = &ui->model;
	struct tui_view		*v = tui_model_view(m);
	struct tui_sample	 s[TUI_HISTORY];
	struct buf		 b = { 0 };
	const struct tui_row	*row;
	int			 y0, y, colw, x, line = 0;
	size_t			 i, n;

	if (!m->detail)
		return;
	y0 = sc->h - 2 - DETAIL_H;
	attron(A_REVERSE);
	put_line(sc, y0, 0, " detail");
	attroff(A_REVERSE);
	for (y = y0 + 1; y < sc->h - 2; y++) {
		move(y, 0);
		clrtoeol();
	}
	if (v->sel >= v->nrows)
		return;
	row = &v->rows[v->sel];
	/* Instances and hosts: their history first. */
	if ((v->kind == KIND_VM || v->kind == KIND_HOST) && row->id != 0) {
		n = tui_live_history(m->live, v->kind, row->id, s);
		buf_printf(&b, "cpu%% %5.1f ", n > 0 ? s[n - 1].cpu : 0.0);
		sparkline(sc, &b, s, n, 1, sc->w - 12);
		put_line(sc, y0 + 1, 1, b.data);
		buf_reset(&b);
		if (n > 0 && s[n - 1].mem < 0)
			buf_addstr(&b, "mem%     - ");
		else
			buf_printf(&b, "mem%% %5.1f ", n > 0 ? s[n - 1].mem :
			    0.0);
		sparkline(sc, &b, s, n, 0, sc->w - 12);
		put_line(sc, y0 + 2, 1, b.data);
		line = 2;
	}
	colw = (sc->w - 2) / 2;
	for (i = 1; i < v->ncols; i++) {
		y = y0 + 1 + line + (int)((i - 1) / 2);
		if (y >= sc->h - 2)
			break;
		x = 1 + (int)((i - 1) % 2) * colw;
		buf_reset(&b);
		buf_printf(&b, "%s: %s", v->cols[i].name, row->cell[i]);
		put_cell(sc, y, x, b.data, colw - 1, 0);
	}
	buf_free(&b);
}

static void
draw_msg(struct tui_screen *sc, struct tui_ui *ui)
{
	int		 y = sc->h - 2, attr = 0;
	char		 pre[2] = { 0, 0 };
	struct buf	 b = { 0 }, clean = { 0 };

	if (ui->prompt.active) {
		/* What the line says back (errors, completions) above it. */
		if (ui->msg != NULL && *ui->msg != '\0') {
			attr = ui->msg_err ? (sc->color ?
			    COLOR_PAIR(PAIR_RED) | A_BOLD : A_BOLD) : A_BOLD;
			attron(attr);
			put_line(sc, y - 1, 0, sanitize(ui->msg, &clean));
			attroff(attr);
		}
		pre[0] = ui->prompt.kind;
		put_line(sc, y, 0, pre);
		put_line(sc, y, 1, sanitize(ui->prompt.text.data, &clean));
		buf_free(&clean);
		return;
	}
	if (ui->busy) {
		buf_printf(&b, "running: %s (%llds)", ui->busy_what,
		    (long long)(now_unix() - ui->busy_since));
		if (ui->busy_note != NULL)
			buf_printf(&b, ": %s", ui->busy_note);
	}
	else if (ui->msg != NULL)
		buf_addstr(&b, ui->msg);
	else
		buf_addstr(&b, "");
	if (ui->msg_err && !ui->busy)
		attr = sc->color ? COLOR_PAIR(PAIR_RED) | A_BOLD : A_BOLD;
	attron(attr);
	put_line(sc, y, 0, sanitize(b.data, &clean));
	attroff(attr);
	buf_free(&b);
	buf_free(&clean);
}

/*
 * One key hint: the first key bound to a note, with the note up to its
 * first ':' or '(' ("check hosts: reach them" hints "check hosts").
 */
static void
hint(struct buf *b, struct buf *seen, const struct keybind *kb)
{
	size_t	len;

	if (kb->note == NULL || (seen->data != NULL &&
	    strstr(seen->data, kb->note) != NULL))
		return;
	buf_printf(seen, "|%s|", kb->note);
	len = strcspn(kb->note, ":(");
	while (len > 0 && kb->note[len - 1] == ' ')
		len--;
	buf_printf(b, "%s%s %.*s", b->len > 0 ? "  " : " ", kb->keyname,
	    (int)len, kb->note);
}

/*
 * Key hints from the keymap's notes: help and leaving first, then the
 * view's own bindings, then main's other ones but the moves.
 */
static void
draw_footer(struct tui_screen *sc, struct tui_ui *ui)
{
	const char		*view = tui_model_view(&ui->model)->title;
	const struct keybind	*kb;
	struct buf		 b = { 0 }, seen = { 0 };
	size_t			 i, n;
	int			 pass, main, first;

	n = ui->keymap != NULL ? keymap_count(ui->keymap) : 0;
	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < n; i++) {
			kb = keymap_at(ui->keymap, i);
			main = strcmp(kb->table, "main") == 0;
			first = strcmp(kb->command, "ui help") == 0 ||
			    strcmp(kb->command, "ui quit") == 0;
			if ((pass == 0 && main && first) ||
			    (pass == 1 && strcmp(kb->table, view) == 0) ||
			    (pass == 2 && main && strncmp(kb->command,
			    "ui move", 7) != 0))
				hint(&b, &seen, kb);
		}
	}
	attron(A_REVERSE);
	put_line(sc, sc->h - 1, 0, b.data != NULL ? b.data : "");
	attroff(A_REVERSE);
	buf_free(&b);
	buf_free(&seen);
}

/* A pane over the table: help or a command's output. */
static void
draw_pane(struct tui_screen *sc, struct tui_ui *ui)
{
	struct buf	clean = { 0 };
	int		y, last = sc->h - 3;
	size_t		i;
	char		more[128];

	attron(A_REVERSE);
	put_line(sc, 1, 0, ui->pane_title != NULL ? ui->pane_title : "");
	attroff(A_REVERSE);
	if (ui->pane_top + (size_t)(last - 2) > ui->npane)
		ui->pane_top = ui->npane > (size_t)(last - 2) ?
		    ui->npane - (size_t)(last - 2) : 0;
	for (y = 2, i = ui->pane_top; y < last; y++, i++) {
		if (i < ui->npane)
			put_line(sc, y, 1, sanitize(ui->pane[i], &clean));
		else {
			move(y, 0);
			clrtoeol();
		}
	}
	snprintf(more, sizeof more, " lines %zu-%zu of %zu: the move keys "
	    "scroll, any other key closes.", ui->npane > 0 ? ui->pane_top + 1 :
	    0, i < ui->npane ? i : ui->npane, ui->npane);
	put_line(sc, last, 0, ui->npane > (size_t)(last - 2) ? more :
	    " Any key closes.");
	buf_free(&clean);
}

/* A question in a box over the table; the answer is a key. */
static void
draw_question(struct tui_screen *sc, struct tui_ui *ui)
{
	const char	*p, *nl;
	char		*line;
	int		 n = 1, y, top, w = sc->w - 8, maxl = sc->h - 8;
	struct buf	 clean = { 0 };

	for (p = ui->question; *p != '\0'; p++)
		n += *p == '\n';
	if (n > maxl)
		n = maxl;
	top = (sc->h - n - 2) / 2;
	attron(A_BOLD);
	mvhline(top, 3, ACS_HLINE, w + 2);
	mvhline(top + n + 1, 3, ACS_HLINE, w + 2);
	mvvline(top + 1, 3, ACS_VLINE, n);
	mvvline(top + 1, 4 + w + 1, ACS_VLINE, n);
	mvaddch(top, 3, ACS_ULCORNER);
	mvaddch(top, 4 + w + 1, ACS_URCORNER);
	mvaddch(top + n + 1, 3, ACS_LLCORNER);
	mvaddch(top + n + 1, 4 + w + 1, ACS_LRCORNER);
	attroff(A_BOLD);
	for (y = 0, p = ui->question; y < n && *p != '\0'; y++) {
		nl = p + strcspn(p, "\n");
		line = xstrndup(p, (size_t)(nl - p));
		put_cell(sc, top + 1 + y, 4, sanitize(line, &clean), w + 1, 0);
		free(line);
		p = *nl != '\0' ? nl + 1 : nl;
	}
	buf_free(&clean);
}

void
tui_screen_draw(struct tui_screen *sc, struct tui_ui *ui, int what)
{
	char	line[128];

	if (what & TUI_CH_REDRAW)
		clearok(curscr, TRUE);
	if (what & (TUI_CH_LAYOUT | TUI_CH_REDRAW)) {
		erase();
		what |= TUI_CH_ALL;
	}
	sc->small = sc->w < MIN_W || sc->h < MIN_H;
	if (sc->small) {
		if (what & TUI_CH_LAYOUT) {
			snprintf(line, sizeof line, "terminal too small: %dx%d "
			    "(needs %dx%d)", sc->w, sc->h, MIN_W, MIN_H);
			mvaddnstr(0, 0, line, sc->w);
		}
		curs_set(0);
		refresh();
		return;
	}
	if (ui->npane > 0 || ui->pane_title != NULL) {
		draw_header(sc, ui);
		draw_pane(sc, ui);
		what |= TUI_CH_MSG | TUI_CH_FOOTER;
	} else {
		if (what & TUI_CH_HEADER) {
			draw_header(sc, ui);
			draw_tabs(sc, ui);
		}
		if (what & (TUI_CH_TABLE | TUI_CH_HEADER))
			draw_table(sc, ui);
		if (what & (TUI_CH_DETAIL | TUI_CH_TABLE))
			draw_detail(sc, ui);
	}
	if (what & TUI_CH_FOOTER)
		draw_footer(sc, ui);
	if (ui->question != NULL)
		draw_question(sc, ui);
	if (what & TUI_CH_MSG || ui->prompt.active || ui->busy)
		draw_msg(sc, ui);
	if (ui->prompt.active && ui->question == NULL) {
		struct buf	clean = { 0 };
		char		*head = xstrndup(ui->prompt.text.data,
		    ui->prompt.cur);
		int		x = 1 + text_width(sc, sanitize(head, &clean));

		free(head);
		buf_free(&clean);
		curs_set(1);
		move(sc->h - 2, x < sc->w ? x : sc->w - 1);
	} else
		curs_set(0);
	refresh();
}
