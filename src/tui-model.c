/*
 * tui-model.c: the dashboard's views as rows read from the store, with the
 * columns of the list commands (view.c) and a few live ones; sorting,
 * filtering (filter.c), marks and the selection. No curses here: every
 * action returns what it changed and the screen decides what to draw.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "filter.h"
#include "store.h"
#include "tui.h"
#include "view.h"

/* Events shown: the newest of the audit trail. */
#define TUI_EVENTS_MAX	500

/* Seconds after which a host's data is called stale (a few rounds). */
static int64_t	stale_after = 8;

static const struct {
	const char	*title;
	enum kind	 kind;
	const char	*show;		/* NULL: the list command's defaults */
} vdefs[TUI__NVIEWS] = {
	{ "hosts", KIND_HOST,
	    "name,status,driver,cpus,cpu%,memory,mem%,vms,age" },
	{ "instances", KIND_VM,
	    "name,host,image,state,cpus,memory,cpu%,mem%,uptime" },
	{ "images", KIND_IMAGE, NULL },
	{ "pools", KIND_POOL, "name,role,type,host,capacity,used,use%,path" },
	{ "volumes", KIND_VOLUME, NULL },
	{ "snapshots", KIND_SNAPSHOT, NULL },
	{ "events", KIND_AUDIT, "time,user,command,status,result" },
};

const char *
tui_view_name(enum tui_vkind vk)
{
	return vdefs[vk].title;
}

static void
add_xcol(struct tui_view *v, const char *name, enum tui_xcol x)
{
	v->cols[v->ncols].name = name;
	v->cols[v->ncols].type = COL_INT;
	v->xcol[v->ncols] = x;
	v->field[v->ncols] = -1;
	v->ncols++;
}

int
tui_view_col(const struct tui_view *v, const char *name)
{
	size_t	i = col_find(v->cols, v->ncols, name, strlen(name));

	return i < v->ncols ? (int)i : -1;
}

/* The columns of a view: its kind's (view.c), then the live ones. */
static void
view_setup(struct tui_view *v, enum tui_vkind vk)
{
	const struct kind_def	*kd = kind_def(vdefs[vk].kind);
	const char		*show;
	char			*copy, *tok, *save = NULL;
	size_t			 i;
	int			 k;

	memset(v, 0, sizeof *v);
	v->vk = vk;
	v->title = vdefs[vk].title;
	v->kind = vdefs[vk].kind;
	v->sortcol = -1;
	v->ncols = view_cols(kd, v->cols);
	for (i = 0; i < v->ncols; i++)
		v->field[i] = (int)i;
	switch (vk) {
	case TUI_HOSTS:
		add_xcol(v, "cpu%", TX_CPU);
		add_xcol(v, "mem%", TX_MEMUSE);
		add_xcol(v, "vms", TX_VMS);
		add_xcol(v, "age", TX_AGE);
		break;
	case TUI_INSTANCES:
		add_xcol(v, "cpu%", TX_CPU);
		add_xcol(v, "mem%", TX_MEMUSE);
		add_xcol(v, "uptime", TX_UPTIME);
		break;
	case TUI_POOLS:
		add_xcol(v, "use%", TX_USE);
		break;
	default:
		break;
	}
	show = vdefs[vk].show != NULL ? vdefs[vk].show :
	    view_defaults(v->kind);
	copy = xstrdup(show);
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((k = tui_view_col(v, tok)) >= 0)
			v->show[v->nshow++] = (size_t)k;
	}
	free(copy);
}

void
tui_model_init(struct tui_model *m, struct ctx *c, struct tui_live *live)
{
	int	i;

	memset(m, 0, sizeof *m);
	m->ctx = c;
	m->live = live;
	m->page = 10;
	for (i = 0; i < TUI__NVIEWS; i++)
		view_setup(&m->views[i], (enum tui_vkind)i);
	m->cur = TUI_HOSTS;
}

static void
rows_free(struct tui_view *v)
{
	size_t	i, j;

	for (i = 0; i < v->nall; i++) {
		for (j = 0; j < v->ncols; j++) {
			free(v->all[i].raw[j]);
			free(v->all[i].cell[j]);
		}
		free(v->all[i].raw);
		free(v->all[i].cell);
	}
	free(v->all);
	free(v->rows);
	v->all = v->rows = NULL;
	v->nall = v->allcap = v->nrows = 0;
}

void
tui_model_free(struct tui_model *m)
{
	size_t	i;

	for (i = 0; i < TUI__NVIEWS; i++) {
		rows_free(&m->views[i]);
		filter_free(m->views[i].filter);
		free(m->views[i].filter_text);
		free(m->views[i].marks);
	}
	for (i = 0; i < m->nevents; i++) {
		free(m->events[i].command);
		free(m->events[i].result);
	}
	free(m->events);
}

struct tui_view *
tui_model_view(struct tui_model *m)
{
	return &m->views[m->cur];
}

static int
id_cmp(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Where id is, or would go, in the sorted marks. */
static size_t
mark_pos(const struct tui_view *v, uint64_t id)
{
	size_t	lo = 0, hi = v->nmarks, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v->marks[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
is_marked(const struct tui_view *v, uint64_t id)
{
	size_t	i = mark_pos(v, id);

	return i < v->nmarks && v->marks[i] == id;
}

/* Marks id (on 1) or unmarks it (on 0). */
static void
mark_set(struct tui_view *v, uint64_t id, int on)
{
	size_t	i = mark_pos(v, id);
	int	has = i < v->nmarks && v->marks[i] == id;

	if (on && !has) {
		v->marks = xreallocarray(v->marks, v->nmarks + 1,
		    sizeof *v->marks);
		memmove(&v->marks[i + 1], &v->marks[i],
		    (v->nmarks - i) * sizeof *v->marks);
		v->marks[i] = id;
		v->nmarks++;
	} else if (!on && has) {
		memmove(&v->marks[i], &v->marks[i + 1],
		    (v->nmarks - i - 1) * sizeof *v->marks);
		v->nmarks--;
	}
}

/* "3s", "4m", "2h", "5d": an age or a duration, short. */
static void
fmt_age(int64_t s, char *buf, size_t len)
{
	if (s < 120)
		snprintf(buf, len, "%" PRId64 "s", s);
	else if (s < 7200)
		snprintf(buf, len, "%" PRId64 "m", s / 60);
	else if (s < 172800)
		snprintf(buf, len, "%" PRId64 "h", s / 3600);
	else
		snprintf(buf, len, "%" PRId64 "d", s / 86400);
}

/* A value as a cell shows it: "-" unset, sizes and times for people. */
static char *
cell_of(const struct tui_view *v, size_t col, const char *raw,
    const struct tui_row *row, struct buf *scratch)
{
	char	tmp[64], age[32];
	int64_t	n;

	if (raw == NULL)
		return xstrdup("-");
	switch (v->xcol[col]) {
	case TX_AGE:
		if (parse_i64(raw, &n) != 0)
			return xstrdup("-");
		fmt_age(n, age, sizeof age);
		/* Older than a few rounds: the host is not answering. */
		if (row->raw[HOST_STATUS + 1] != NULL &&
		    strcmp(row->raw[HOST_STATUS + 1], "ok") != 0)
			return xasprintf("%s", age);
		return n > stale_after ? xasprintf("stale %s", age) : xstrdup(age);
	case TX_UPTIME:
		if (parse_i64(raw, &n) != 0)
			return xstrdup("-");
		fmt_age(n, age, sizeof age);
		return xstrdup(age);
	default:
		break;
	}
	if (v->cols[col].type == COL_SIZE && parse_i64(raw, &n) == 0)
		return xstrdup(fmt_size(n, tmp, sizeof tmp));
	if (v->cols[col].type == COL_TIME && parse_i64(raw, &n) == 0)
		return xstrdup(fmt_time(n, 0, tmp, sizeof tmp));
	return xstrdup(sanitize(raw, scratch));
}

struct load {
	struct tui_model	*m;
	struct tui_view		*v;
	struct store_txn	*tx;
	struct view		*view;
	struct buf		 scratch;
	int64_t			 now;
};

/* The live columns of a record. */
static void
live_vals(struct load *ld, const struct record *r, char **raw)
{
	struct tui_view		*v = ld->v;
	struct tui_sample	 h[TUI_HISTORY];
	const char		*a, *b;
	size_t			 i, n = 0, cnt;
	int64_t			 x, y;

	for (i = 0; i < v->ncols; i++) {
		if (v->xcol[i] == TX_NONE)
			continue;
		switch (v->xcol[i]) {
		case TX_CPU:
		case TX_MEMUSE:
			n = tui_live_history(ld->m->live, r->kind, r->id, h);
			if (n > 0 && (v->xcol[i] == TX_CPU ||
			    h[n - 1].mem >= 0))
				raw[i] = xasprintf("%.0f", v->xcol[i] ==
				    TX_CPU ? h[n - 1].cpu : h[n - 1].mem);
			else if (v->xcol[i] == TX_MEMUSE &&
			    r->kind == KIND_HOST &&
			    (a = record_get(r, HOST_MEMORY)) != NULL &&
			    (b = record_get(r, HOST_MEMFREE)) != NULL &&
			    parse_i64(a, &x) == 0 && parse_i64(b, &y) == 0 &&
			    x > 0)
				raw[i] = xasprintf("%" PRId64,
				    (x - y) * 100 / x);
			break;
		case TX_VMS:
			cnt = 0;
			(void)store_count_ref(ld->tx, KIND_VM, VM_HOST, r->id,
			    &cnt);
			raw[i] = xasprintf("%zu", cnt);
			break;
		case TX_AGE:
			/* A host followed by events is current. */
			if (tui_live_watching(ld->m->live, r->id))
				raw[i] = xstrdup("0");
			else if ((a = record_get(r, HOST_LASTSEEN)) != NULL &&
			    parse_i64(a, &x) == 0)
				raw[i] = xasprintf("%" PRId64,
				    ld->now > x ? ld->now - x : 0);
			break;
		case TX_UPTIME:
			if ((x = tui_live_uptime(ld->m->live, r->id)) >= 0)
				raw[i] = xasprintf("%" PRId64, x);
			break;
		case TX_USE:
			if ((a = record_get(r, POOL_CAPACITY)) != NULL &&
			    (b = record_get(r, POOL_USED)) != NULL &&
			    parse_i64(a, &x) == 0 && parse_i64(b, &y) == 0 &&
			    x > 0)
				raw[i] = xasprintf("%" PRId64, y * 100 / x);
			break;
		default:
			break;
		}
	}
}

/* Fills the cells of a row and keeps it among all. */
static void
row_add(struct load *ld, struct tui_row *row)
{
	struct tui_view	*v = ld->v;
	size_t		 i;
	int		 hc;

	row->cell = xcalloc(v->ncols, sizeof *row->cell);
	for (i = 0; i < v->ncols; i++)
		row->cell[i] = cell_of(v, i, row->raw[i], row, &ld->scratch);
	if (v->kind == KIND_HOST)
		row->host = row->raw[FI_NAME + 1];
	else if ((hc = tui_view_col(v, "host")) >= 0)
		row->host = row->raw[hc];
	if (v->nall == v->allcap) {
		v->allcap = v->allcap ? v->allcap * 2 : 64;
		v->all = xreallocarray(v->all, v->allcap, sizeof *v->all);
	}
	v->all[v->nall++] = *row;
}

static int
load_record(const struct record *r, void *arg)
{
	struct load	*ld = arg;
	struct tui_view	*v = ld->v;
	struct tui_row	 row;
	const char	*vals[RECORD_MAXFIELDS + 1];
	size_t		 i, nf = kind_def(r->kind)->nfields + 1;

	memset(&row, 0, sizeof row);
	row.id = r->id;
	row.raw = xcalloc(v->ncols, sizeof *row.raw);
	view_vals(ld->view, r, vals);
	for (i = 0; i < nf; i++)
		row.raw[i] = vals[i] != NULL ? xstrdup(vals[i]) : NULL;
	live_vals(ld, r, row.raw);
	v->total++;
	row_add(ld, &row);
	if (v->kind == KIND_AUDIT && v->total >= TUI_EVENTS_MAX)
		return 1;
	return 0;
}

/* This session's events as rows of the events view. */
static void
load_local_events(struct load *ld)
{
	struct tui_view	*v = ld->v;
	struct tui_row	 row;
	size_t		 i;
	int		 k;

	for (i = 0; i < ld->m->nevents; i++) {
		const struct tui_event	*e = &ld->m->events[i];

		memset(&row, 0, sizeof row);
		row.local = 1;
		row.raw = xcalloc(v->ncols, sizeof *row.raw);
		if ((k = tui_view_col(v, "time")) >= 0)
			row.raw[k] = xasprintf("%" PRId64, e->time);
		if ((k = tui_view_col(v, "user")) >= 0)
			row.raw[k] = xstrdup("(dashboard)");
		if ((k = tui_view_col(v, "command")) >= 0)
			row.raw[k] = xstrdup(e->command);
		if ((k = tui_view_col(v, "status")) >= 0)
			row.raw[k] = xasprintf("%d", e->status);
		if ((k = tui_view_col(v, "result")) >= 0)
			row.raw[k] = xstrdup(e->result);
		v->total++;
		row_add(ld, &row);
	}
}

static const struct tui_view	*sort_view;

/* Numbers as numbers, the rest as text; unset last; then by name. */
static int
row_cmp(const void *pa, const void *pb)
{
	const struct tui_row	*a = pa, *b = pb;
	const struct tui_view	*v = sort_view;
	int			 c = v->sortcol, r = 0;
	const char		*x, *y;
	int64_t			 nx, ny;

	if (c < 0) {
		/* Store order; events by time, newest first. */
		if (v->kind != KIND_AUDIT)
			return 0;
		c = tui_view_col(v, "time");
		x = a->raw[c];
		y = b->raw[c];
		nx = x != NULL ? strtoll(x, NULL, 10) : 0;
		ny = y != NULL ? strtoll(y, NULL, 10) : 0;
		if (nx != ny)
			return nx < ny ? 1 : -1;
		return a->id < b->id ? 1 : a->id > b->id ? -1 : 0;
	}
	x = a->raw[c];
	y = b->raw[c];
	if (x == NULL || y == NULL)
		r = (x == NULL) - (y == NULL);
	else if (v->cols[c].type != COL_STR && parse_i64(x, &nx) == 0 &&
	    parse_i64(y, &ny) == 0)
		r = nx < ny ? -1 : nx > ny;
	else
		r = strcmp(x, y);
	if (v->sortrev)
		r = -r;
	if (r == 0 && a->raw[1] != NULL && b->raw[1] != NULL)
		r = strcmp(a->raw[1], b->raw[1]);
	return r;
}

static void
view_sort(struct tui_view *v)
{
	if (v->nrows < 2 || (v->sortcol < 0 && v->kind != KIND_AUDIT))
		return;
	sort_view = v;
	qsort(v->rows, v->nrows, sizeof *v->rows, row_cmp);
}

/* Keeps the selection on the row it was on, and it in sight. */
static void
view_place(struct tui_view *v, int page)
{
	if (v->nrows == 0) {
		v->sel = v->top = 0;
		return;
	}
	if (v->sel >= v->nrows)
		v->sel = v->nrows - 1;
	if (page < 1)
		page = 1;
	if (v->top > v->sel)
		v->top = v->sel;
	if (v->sel >= v->top + (size_t)page)
		v->top = v->sel - (size_t)page + 1;
	if (v->top + (size_t)page > v->nrows)
		v->top = v->nrows > (size_t)page ? v->nrows - (size_t)page : 0;
}

/* The rows the filter keeps, marked as the marks say, then sorted. */
static void
view_select(struct tui_view *v)
{
	size_t	i;

	free(v->rows);
	v->rows = xcalloc(v->nall + 1, sizeof *v->rows);
	v->nrows = 0;
	for (i = 0; i < v->nall; i++) {
		if (v->filter != NULL && !filter_match(v->filter,
		    (const char *const *)v->all[i].raw))
			continue;
		v->rows[v->nrows] = v->all[i];
		v->rows[v->nrows].marked = v->all[i].id != 0 &&
		    is_marked(v, v->all[i].id);
		v->nrows++;
	}
	v->total = v->nall;
	view_sort(v);
}

/* The selection back on the row with id selid, else at oldsel. */
static void
view_reselect(struct tui_view *v, uint64_t selid, size_t oldsel, int page)
{
	size_t	i;

	v->sel = oldsel;
	for (i = 0; selid != 0 && i < v->nrows; i++) {
		if (v->rows[i].id == selid) {
			v->sel = i;
			break;
		}
	}
	view_place(v, page);
}

/* Fleet totals for the header. */
static int
count_host(const struct record *r, void *arg)
{
	struct tui_model	*m = arg;
	const char		*s = record_get(r, HOST_STATUS);
	const char		*a = record_get(r, HOST_MEMORY);
	const char		*b = record_get(r, HOST_MEMFREE);
	int64_t			 x, y;

	m->hosts++;
	if (s != NULL && strcmp(s, "ok") == 0)
		m->hosts_up++;
	if (a != NULL && parse_i64(a, &x) == 0) {
		m->mem_total += x;
		if (b != NULL && parse_i64(b, &y) == 0 && y <= x)
			m->mem_used += x - y;
	}
	return 0;
}

static int
count_vm(const struct record *r, void *arg)
{
	struct tui_model	*m = arg;
	const char		*s = record_get(r, VM_STATE);

	m->vms++;
	if (s != NULL && strcmp(s, "running") == 0)
		m->vms_running++;
	return 0;
}

int
tui_model_load(struct tui_model *m)
{
	struct tui_view	*v = tui_model_view(m);
	struct load	 ld;
	struct store	*st;
	uint64_t	 selid = 0;
	size_t		 oldsel = v->sel;
	int		 rc;

	if (v->sel < v->nrows)
		selid = v->rows[v->sel].id;
	if ((rc = ctx_store(m->ctx, &st)) != 0)
		return rc;
	stale_after = 3 * tui_live_interval(m->live) / 1000 + 2;
	memset(&ld, 0, sizeof ld);
	ld.m = m;
	ld.v = v;
	ld.now = now_unix();
	if ((rc = store_read(st, &ld.tx)) != 0)
		return rc;
	ld.view = view_new(ld.tx);
	rows_free(v);
	v->total = 0;
	v->gen++;
	v->aged = ld.now;
	if (v->kind == KIND_AUDIT) {
		rc = store_iter_id(ld.tx, KIND_AUDIT, 1, load_record, &ld);
		load_local_events(&ld);
	} else
		rc = store_iter(ld.tx, v->kind, load_record, &ld);
	m->hosts = m->hosts_up = m->vms = m->vms_running = 0;
	m->mem_used = m->mem_total = 0;
	(void)store_iter(ld.tx, KIND_HOST, count_host, m);
	(void)store_iter(ld.tx, KIND_VM, count_vm, m);
	view_free(ld.view);
	store_txn_end(ld.tx);
	buf_free(&ld.scratch);
	view_select(v);
	/* The row selected before, where it is now; else the same place. */
	view_reselect(v, selid, oldsel, m->page);
	return rc < 0 ? rc : 0;
}

int
tui_model_tick(struct tui_model *m)
{
	struct tui_view	*v = tui_model_view(m);
	struct buf	 scratch = { 0 };
	struct tui_row	*row;
	int64_t		 now = now_unix(), d = now - v->aged, n;
	uint64_t	 selid;
	size_t		 i, c;
	int		 ages = 0, resort = 0;

	if (d <= 0)
		return 0;
	v->aged = now;
	for (c = 0; c < v->ncols; c++) {
		if (v->xcol[c] != TX_AGE && v->xcol[c] != TX_UPTIME)
			continue;
		ages = 1;
		/* Rows kept and their order may follow the ages. */
		resort |= (int)c == v->sortcol || filter_uses(v->filter, c);
		for (i = 0; i < v->nall; i++) {
			row = &v->all[i];
			if (row->raw[c] == NULL || parse_i64(row->raw[c], &n) != 0)
				continue;
			/* A host followed by events stays current. */
			if (v->xcol[c] == TX_AGE && n == 0 &&
			    tui_live_watching(m->live, row->id))
				continue;
			free(row->raw[c]);
			free(row->cell[c]);
			row->raw[c] = xasprintf("%" PRId64, n + d);
			row->cell[c] = cell_of(v, c, row->raw[c], row, &scratch);
		}
	}
	buf_free(&scratch);
	if (!ages)
		return 0;
	if (resort) {
		selid = v->sel < v->nrows ? v->rows[v->sel].id : 0;
		view_select(v);
		view_reselect(v, selid, v->sel, m->page);
	}
	return TUI_CH_TABLE | (m->detail ? TUI_CH_DETAIL : 0);
}

void
tui_model_place(struct tui_model *m)
{
	view_place(tui_model_view(m), m->page);
}

int
tui_model_move(struct tui_model *m, const char *how)
{
	struct tui_view	*v = tui_model_view(m);
	size_t		 page = m->page > 1 ? (size_t)m->page : 1;
	size_t		 half = page / 2 > 0 ? page / 2 : 1;
	size_t		 osel = v->sel, otop = v->top, oleft = v->left;

	if (strcmp(how, "up") == 0)
		v->sel = v->sel > 0 ? v->sel - 1 : 0;
	else if (strcmp(how, "down") == 0)
		v->sel++;
	else if (strcmp(how, "top") == 0)
		v->sel = 0;
	else if (strcmp(how, "bottom") == 0)
		v->sel = v->nrows > 0 ? v->nrows - 1 : 0;
	else if (strcmp(how, "page-up") == 0)
		v->sel = v->sel > page ? v->sel - page : 0;
	else if (strcmp(how, "page-down") == 0)
		v->sel += page;
	else if (strcmp(how, "half-up") == 0)
		v->sel = v->sel > half ? v->sel - half : 0;
	else if (strcmp(how, "half-down") == 0)
		v->sel += half;
	else if (strcmp(how, "left") == 0)
		v->left = v->left > 0 ? v->left - 1 : 0;
	else if (strcmp(how, "right") == 0) {
		if (v->left + 1 < v->nshow)
			v->left++;
	} else
		return err_set(ERR_USAGE, "no move '%s'", how);
	view_place(v, m->page);
	if (v->sel == osel && v->top == otop && v->left == oleft)
		return 0;
	return TUI_CH_TABLE | (m->detail ? TUI_CH_DETAIL : 0);
}

int
tui_model_show(struct tui_model *m, const char *name)
{
	int	i, cur = (int)m->cur;

	if (strcmp(name, "next") == 0)
		cur = (cur + 1) % TUI__NVIEWS;
	else if (strcmp(name, "prev") == 0)
		cur = (cur + TUI__NVIEWS - 1) % TUI__NVIEWS;
	else {
		for (i = 0; i < TUI__NVIEWS; i++) {
			if (strcmp(vdefs[i].title, name) == 0)
				break;
		}
		if (i == TUI__NVIEWS)
			return err_set(ERR_USAGE, "no view '%s'", name);
		cur = i;
	}
	m->cur = (enum tui_vkind)cur;
	(void)tui_model_load(m);
	return TUI_CH_ALL;
}

int
tui_model_sort(struct tui_model *m, const char *column)
{
	struct tui_view	*v = tui_model_view(m);
	uint64_t	 selid;
	size_t		 i;
	int		 k;

	if (column == NULL) {
		/* The next shown column after the one sorted by. */
		for (i = 0; i < v->nshow; i++) {
			if ((int)v->show[i] == v->sortcol)
				break;
		}
		k = (int)v->show[i < v->nshow ? (i + 1) % v->nshow : 0];
		v->sortrev = 0;
	} else {
		if ((k = tui_view_col(v, column)) < 0)
			return err_set(ERR_USAGE, "no column '%s' in %s",
			    column, v->title);
		if (k == v->sortcol)
			v->sortrev = !v->sortrev;
		else
			v->sortrev = 0;
	}
	selid = v->sel < v->nrows ? v->rows[v->sel].id : 0;
	v->sortcol = k;
	view_sort(v);
	view_reselect(v, selid, v->sel, m->page);
	return TUI_CH_TABLE | TUI_CH_DETAIL | TUI_CH_HEADER;
}

int
tui_model_filter(struct tui_model *m, const char *expr)
{
	struct tui_view	*v = tui_model_view(m);
	struct filter	*f = NULL;
	int		 rc;

	if (expr != NULL && expr[strspn(expr, " ")] != '\0' &&
	    (rc = filter_parse(expr, v->cols, v->ncols, &f)) != 0)
		return rc;
	filter_free(v->filter);
	free(v->filter_text);
	v->filter = f;
	v->filter_text = f != NULL ? xstrdup(expr) : NULL;
	v->sel = v->top = 0;
	view_select(v);
	view_place(v, m->page);
	return 0;
}

int
tui_model_mark(struct tui_model *m, int how)
{
	struct tui_view	*v = tui_model_view(m);
	struct tui_row	*r;
	size_t		 i;

	if (how == 0) {
		for (i = 0; i < v->nrows; i++)
			v->rows[i].marked = 0;
		v->nmarks = 0;
		return TUI_CH_TABLE | TUI_CH_HEADER;
	}
	if (how == 2) {
		/* Every row shown: the marks sorted again once. */
		for (i = 0; i < v->nrows; i++) {
			r = &v->rows[i];
			if (r->id == 0 || r->marked)
				continue;
			v->marks = xreallocarray(v->marks, v->nmarks + 1,
			    sizeof *v->marks);
			v->marks[v->nmarks++] = r->id;
			r->marked = 1;
		}
		qsort(v->marks, v->nmarks, sizeof *v->marks, id_cmp);
	} else if (v->sel < v->nrows && (r = &v->rows[v->sel])->id != 0) {
		r->marked = !r->marked;
		mark_set(v, r->id, r->marked);
	}
	/* Marking moves on, as in a file manager. */
	if (how == 1 && v->sel + 1 < v->nrows) {
		v->sel++;
		view_place(v, m->page);
	}
	return TUI_CH_TABLE | TUI_CH_HEADER | (m->detail ? TUI_CH_DETAIL : 0);
}

size_t
tui_model_selection(struct tui_model *m, struct tui_row ***out)
{
	struct tui_view	*v = tui_model_view(m);
	size_t		 i, n = 0;

	*out = xcalloc(v->nrows + 1, sizeof **out);
	for (i = 0; i < v->nrows; i++) {
		if (v->rows[i].marked)
			(*out)[n++] = &v->rows[i];
	}
	if (n == 0 && v->sel < v->nrows && v->rows[v->sel].id != 0)
		(*out)[n++] = &v->rows[v->sel];
	return n;
}

void
tui_model_event(struct tui_model *m, const char *command, int status,
    const char *result)
{
	struct tui_event	*e;

	m->events = xreallocarray(m->events, m->nevents + 1,
	    sizeof *m->events);
	e = &m->events[m->nevents++];
	e->time = now_unix();
	e->command = xstrdup(command);
	e->status = status;
	e->result = xstrdup(result);
}
