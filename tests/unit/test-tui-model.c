/*
 * test-tui-model.c: unit tests of the dashboard's logic without a
 * terminal: views read from a real store in a temporary directory, sorting
 * (numbers as numbers, again to reverse), the filter language with its
 * errors, marks and the selection they make, the selection kept on its row
 * across a reload, moves, ages counted on without the store, and the line
 * editor of the '/' and ':' lines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "record.h"
#include "tui.h"

#include "store-fixture.h"

static uint64_t
add_host(struct store *st, const char *name, const char *status)
{
	struct record	*r = record_new(KIND_HOST);

	record_set(r, FI_NAME, name);
	record_set(r, HOST_ADDRESS, "10.0.0.1");
	record_set(r, HOST_DRIVER, "kvm");
	record_set(r, HOST_STATUS, status);
	record_set(r, HOST_MEMORY, "1000");
	record_set(r, HOST_MEMFREE, "250");
	return fix_add(st, r);
}

static void
add_vm(struct store *st, const char *name, uint64_t host, const char *state,
    const char *cpus)
{
	struct record	*r = record_new(KIND_VM);

	record_set(r, FI_NAME, name);
	record_set_i64(r, VM_HOST, (int64_t)host);
	record_set(r, VM_STATE, state);
	record_set(r, VM_CPUS, cpus);
	fix_add(st, r);
}

/* A model over the fixture's store: kvm1 with web1, web2, db (10 cpus). */
static void
model_open(struct fix *fx, struct ctx *c, struct tui_model *m)
{
	uint64_t	h = add_host(fx->st, "kvm1", "ok");

	add_host(fx->st, "kvm2", "unreachable");
	add_vm(fx->st, "web2", h, "stopped", "9");
	add_vm(fx->st, "web1", h, "running", "2");
	add_vm(fx->st, "db", h, "running", "10");
	ctx_init(c, fx->sdir);
	c->store = fx->st;
	tui_model_init(m, c, NULL);
	m->page = 2;
}

static void
model_close(struct ctx *c, struct tui_model *m)
{
	tui_model_free(m);
	c->store = NULL;	/* the fixture's */
	ctx_free(c);
}

static const char *
cell(struct tui_model *m, size_t row, const char *col)
{
	struct tui_view	*v = tui_model_view(m);
	int		 k = tui_view_col(v, col);

	assert_true(k >= 0);
	assert_true(row < v->nrows);
	return v->rows[row].cell[k];
}

static void
test_views(void **state)
{
	struct tui_model	m;
	struct ctx		c;

	model_open(*state, &c, &m);
	assert_int_equal(tui_model_load(&m), 0);
	assert_int_equal(tui_model_view(&m)->nrows, 2);
	assert_string_equal(cell(&m, 0, "name"), "kvm1");
	assert_string_equal(cell(&m, 0, "vms"), "3");
	assert_string_equal(cell(&m, 0, "mem%"), "75");
	assert_string_equal(cell(&m, 1, "status"), "unreachable");
	assert_int_equal(m.hosts, 2);
	assert_int_equal(m.hosts_up, 1);
	assert_int_equal(m.vms, 3);
	assert_int_equal(m.vms_running, 2);
	assert_int_equal(tui_model_show(&m, "instances"), TUI_CH_ALL);
	assert_int_equal(tui_model_view(&m)->nrows, 3);
	/* Store order is by name; the host's name, not its id. */
	assert_string_equal(cell(&m, 0, "name"), "db");
	assert_string_equal(cell(&m, 0, "host"), "kvm1");
	assert_true(tui_model_show(&m, "nosuch") < 0);
	assert_int_equal(tui_model_show(&m, "prev"), TUI_CH_ALL);
	assert_int_equal(m.cur, TUI_HOSTS);
	assert_int_equal(tui_model_show(&m, "prev"), TUI_CH_ALL);
	assert_int_equal(m.cur, TUI_EVENTS);
	model_close(&c, &m);
}

static void
test_sort(void **state)
{
	struct tui_model	m;
	struct ctx		c;

	model_open(*state, &c, &m);
	tui_model_show(&m, "instances");
	/* Numbers as numbers: 2 < 9 < 10. */
	assert_true(tui_model_sort(&m, "cpus") > 0);
	assert_string_equal(cell(&m, 0, "name"), "web1");
	assert_string_equal(cell(&m, 2, "name"), "db");
	/* The same column again: reversed. */
	tui_model_sort(&m, "cpus");
	assert_string_equal(cell(&m, 0, "name"), "db");
	assert_true(tui_model_sort(&m, "nosuch") < 0);
	/* No column: the next shown one. */
	tui_model_sort(&m, "name");
	tui_model_sort(&m, NULL);
	assert_string_equal(tui_model_view(&m)->cols[tui_model_view(&m)->sortcol].name,
	    "host");
	model_close(&c, &m);
}

static void
test_filter(void **state)
{
	struct tui_model	m;
	struct ctx		c;

	model_open(*state, &c, &m);
	tui_model_show(&m, "instances");
	assert_int_equal(tui_model_filter(&m, "state=running"), 0);
	assert_int_equal(tui_model_view(&m)->nrows, 2);
	assert_int_equal(tui_model_view(&m)->total, 3);
	/* A bad expression changes nothing and says why. */
	assert_int_equal(tui_model_filter(&m, "state"), ERR_USAGE);
	assert_int_equal(tui_model_view(&m)->nrows, 2);
	assert_int_equal(tui_model_filter(&m, "nosuch=1"), ERR_USAGE);
	assert_non_null(strstr(err_msg(), "nosuch"));
	/* The live columns filter too. */
	assert_int_equal(tui_model_show(&m, "hosts"), TUI_CH_ALL);
	assert_int_equal(tui_model_filter(&m, "vms>0"), 0);
	assert_int_equal(tui_model_view(&m)->nrows, 1);
	assert_int_equal(tui_model_filter(&m, ""), 0);
	assert_int_equal(tui_model_view(&m)->nrows, 2);
	assert_null(tui_model_view(&m)->filter_text);
	model_close(&c, &m);
}

static void
test_marks(void **state)
{
	struct tui_model	 m;
	struct ctx		 c;
	struct tui_row		**sel;
	size_t			 n;

	model_open(*state, &c, &m);
	tui_model_show(&m, "instances");
	/* Nothing marked: the selected row. */
	n = tui_model_selection(&m, &sel);
	assert_int_equal(n, 1);
	assert_string_equal(sel[0]->raw[FI_NAME + 1], "db");
	free(sel);
	/* Space marks and moves on; marks outlive a reload. */
	tui_model_mark(&m, 1);
	assert_int_equal(tui_model_view(&m)->sel, 1);
	tui_model_mark(&m, 1);
	tui_model_load(&m);
	n = tui_model_selection(&m, &sel);
	assert_int_equal(n, 2);
	assert_string_equal(sel[0]->raw[FI_NAME + 1], "db");
	assert_string_equal(sel[1]->raw[FI_NAME + 1], "web1");
	assert_string_equal(sel[0]->host, "kvm1");
	free(sel);
	/* Marking a marked row unmarks it. */
	tui_model_move(&m, "top");
	tui_model_mark(&m, 1);
	assert_int_equal(tui_model_view(&m)->nmarks, 1);
	tui_model_mark(&m, 2);
	assert_int_equal(tui_model_view(&m)->nmarks, 3);
	tui_model_mark(&m, 0);
	assert_int_equal(tui_model_view(&m)->nmarks, 0);
	model_close(&c, &m);
}

static void
test_moves(void **state)
{
	struct tui_model	 m;
	struct ctx		 c;
	struct tui_view		*v;

	model_open(*state, &c, &m);
	tui_model_show(&m, "instances");
	v = tui_model_view(&m);
	assert_int_equal(tui_model_move(&m, "up"), 0);	/* nothing changed */
	assert_true(tui_model_move(&m, "down") & TUI_CH_TABLE);
	assert_true(tui_model_move(&m, "page-down") & TUI_CH_TABLE);
	assert_int_equal(v->sel, 2);
	assert_int_equal(v->top, 1);			/* a page is 2 rows */
	assert_int_equal(tui_model_move(&m, "down"), 0);
	tui_model_move(&m, "top");
	assert_int_equal(v->sel, 0);
	assert_int_equal(v->top, 0);
	tui_model_move(&m, "bottom");
	assert_int_equal(v->sel, 2);
	assert_true(tui_model_move(&m, "sideways") < 0);
	/* The selection stays on its row when the rows move under it. */
	tui_model_move(&m, "top");		/* db */
	tui_model_sort(&m, "cpus");		/* web1 web2 db */
	assert_int_equal(v->sel, 2);
	assert_string_equal(cell(&m, v->sel, "name"), "db");
	model_close(&c, &m);
}

/*
 * Time passing counts the ages on in memory; sort and filter work on the
 * rows read: a record written since shows only at the next load.
 */
static void
test_tick(void **state)
{
	struct fix		*fx = *state;
	struct tui_model	 m;
	struct ctx		 c;
	struct record		*r;

	setenv("HVSH_FAKE_TIME", "1000", 1);
	r = record_new(KIND_HOST);
	record_set(r, FI_NAME, "kvm3");
	record_set(r, HOST_ADDRESS, "10.0.0.3");
	record_set(r, HOST_DRIVER, "kvm");
	record_set(r, HOST_STATUS, "ok");
	record_set(r, HOST_LASTSEEN, "995");
	fix_add(fx->st, r);
	model_open(fx, &c, &m);
	assert_int_equal(tui_model_load(&m), 0);
	assert_int_equal(tui_model_filter(&m, "age>6"), 0);
	assert_int_equal(tui_model_view(&m)->nrows, 0);
	assert_int_equal(tui_model_tick(&m), 0);	/* no time passed */
	setenv("HVSH_FAKE_TIME", "1002", 1);
	assert_true(tui_model_tick(&m) & TUI_CH_TABLE);
	assert_int_equal(tui_model_view(&m)->nrows, 1);
	assert_string_equal(cell(&m, 0, "age"), "7s");
	/* Older than a few rounds: stale. */
	setenv("HVSH_FAKE_TIME", "1100", 1);
	tui_model_tick(&m);
	assert_string_equal(cell(&m, 0, "age"), "stale 105s");
	assert_int_equal(tui_model_filter(&m, ""), 0);
	assert_int_equal(tui_model_view(&m)->nrows, 3);
	/* Sort and filter use the rows read, not the store. */
	add_host(fx->st, "kvm4", "ok");
	tui_model_sort(&m, "name");
	assert_int_equal(tui_model_view(&m)->nrows, 3);
	assert_int_equal(tui_model_load(&m), 0);
	assert_int_equal(tui_model_view(&m)->nrows, 4);
	unsetenv("HVSH_FAKE_TIME");
	model_close(&c, &m);
}

static void
test_prompt(void **state)
{
	struct tui_prompt	p = { 0 };
	const char		*e = "\xc3\xa9";	/* é */

	(void)state;
	tui_prompt_open(&p, ':', "vm");
	assert_int_equal(tui_prompt_key(&p, ' '), 1);
	assert_int_equal(tui_prompt_key(&p, (unsigned char)e[0]), 1);
	assert_int_equal(tui_prompt_key(&p, (unsigned char)e[1]), 1);
	assert_string_equal(p.text.data, "vm \xc3\xa9");
	/* One BSpace takes the whole character. */
	assert_int_equal(tui_prompt_key(&p, 0407), 1);
	assert_string_equal(p.text.data, "vm ");
	tui_prompt_key(&p, 's');
	tui_prompt_key(&p, 't');
	tui_prompt_replace(&p, 3, "stop ");
	assert_string_equal(p.text.data, "vm stop ");
	assert_int_equal(p.cur, strlen("vm stop "));
	/* Left, then text goes in before the cursor. */
	tui_prompt_key(&p, 0404);
	tui_prompt_key(&p, 'X');
	assert_string_equal(p.text.data, "vm stopX ");
	tui_prompt_key(&p, 'W' & 0x1f);
	assert_string_equal(p.text.data, "vm  ");
	tui_prompt_key(&p, 'U' & 0x1f);
	assert_string_equal(p.text.data, " ");
	assert_int_equal(tui_prompt_key(&p, '\t'), 4);
	assert_int_equal(tui_prompt_key(&p, '\n'), 2);
	assert_int_equal(tui_prompt_key(&p, 033), 3);
	/* Control characters never enter the line. */
	assert_int_equal(tui_prompt_key(&p, 0x07), 0);
	tui_prompt_close(&p);
	buf_free(&p.text);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(test_views, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_marks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_moves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tick, setup, teardown),
		cmocka_unit_test(test_prompt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
