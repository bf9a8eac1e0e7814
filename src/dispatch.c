/*
 * dispatch.c: the one way from a command to a driver (see dispatch.h).
 * Everything a command asks of a host passes here, so a driver's missing
 * slot, a dry run, a host's failure and the audit's per-host outcome are
 * each handled in one place, the same for every driver.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "err.h"
#include "fanout.h"
#include "hvout.h"
#include "util.h"

/* What each operation and call is, as a verb for "cannot VERB SUBJECT". */
static const char *const op_verbs[DRV_OP__COUNT] = {
	"start", "stop", "power off", "reboot", "suspend", "resume",
	"destroy"
};

static const char *const call_verbs[DRV_CALL__COUNT] = {
	"read the pool of", "create", "attach", "detach", "resize",
	"remove", "snapshot", "revert", "remove a snapshot of", "capture",
	"checksum", "list the snapshots of", "tag"
};

/* What the user would call a missing slot: "attaching volumes". */
static const char *const call_features[DRV_CALL__COUNT] = {
	"reading pools", "creating volumes", "attaching volumes",
	"detaching volumes", "resizing volumes", "removing volumes",
	"taking snapshots", "reverting to snapshots", "removing snapshots",
	"capturing templates", "checksums of files", "listing snapshots",
	"tagging instances"
};

void
dcall_init(struct dcall *dc, const struct record *host, const char *subject)
{
	memset(dc, 0, sizeof *dc);
	dc->host = host;
	dc->subject = xstrdup(subject != NULL ? subject : "?");
	drv_reply_init(&dc->reply);
	hv_vm_init(&dc->made);
}

void
dcall_clear(struct dcall *dc)
{
	if (dc == NULL)
		return;
	free(dc->subject);
	drv_plan_clear(&dc->plan);
	free(dc->calls);
	free(dc->errmsg);
	free(dc->note);
	drv_reply_clear(&dc->reply);
	hv_vm_clear(&dc->made);
	memset(dc, 0, sizeof *dc);
}

void
dcall_fail(struct dcall *dc, int rc, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	free(dc->errmsg);
	dc->errmsg = xvasprintf(fmt, ap);
	va_end(ap);
	dc->rc = rc != 0 ? rc : ERR_FAIL;
}

static const char *
host_name(const struct dcall *dc)
{
	const char	*n = dc->host != NULL ? record_get(dc->host, FI_NAME) :
			    NULL;

	return n != NULL ? n : "?";
}

static const char *
verb(const struct dcall *dc)
{
	switch (dc->what) {
	case DC_OP:
		return (unsigned)dc->op < DRV_OP__COUNT ? op_verbs[dc->op] :
		    "act on";
	case DC_CREATE:
		return "create";
	case DC_CALL:
		return (unsigned)dc->call < DRV_CALL__COUNT ?
		    call_verbs[dc->call] : "act on";
	}
	return "act on";
}

/* "cannot start vm web1 on kvm1: REASON": hvsh's words, then the host's. */
static void
fail_on_host(struct dcall *dc, int rc, const char *reason)
{
	dcall_fail(dc, rc, "cannot %s %s on %s: %s", verb(dc), dc->subject,
	    host_name(dc), reason != NULL ? reason : "failed");
}

void
dispatch_tp_host(const struct record *h, struct tp_host *th)
{
	memset(th, 0, sizeof *th);
	th->name = record_get(h, FI_NAME);
	th->address = record_get(h, HOST_ADDRESS);
	th->port = (int)record_get_i64(h, HOST_PORT, 22);
	th->user = record_get(h, HOST_USER);
	th->key = record_get(h, HOST_KEY);
}

const struct driver *
dispatch_driver(const struct record *host)
{
	const struct driver	*d;
	const char		*name = record_get(host, HOST_DRIVER);

	if ((d = driver_find(name)) == NULL)
		err_set(ERR_INVAL, "host %s has no driver %s",
		    record_get(host, FI_NAME), name != NULL ? name : "(none)");
	return d;
}

int
dispatch_has_driver(const char *driver)
{
	return driver_find(driver) != NULL;
}

int
dispatch_is_api(const char *driver)
{
	return driver_is_direct(driver_find(driver));
}

int
dispatch_address_check(const char *driver, const char *s)
{
	const struct driver	*d = driver_find(driver);
	size_t			 i, n = strlen(s);

	if (d != NULL && d->address_check != NULL)
		return d->address_check(s);
	/*
	 * A DNS name, an IPv4 or an IPv6 address: letters, digits, '.', '-',
	 * ':' and '[' ']'; never a leading '-', as it later becomes an
	 * argument of the transport.
	 */
	if (n == 0 || n > 253)
		return err_set(ERR_USAGE, "address must be 1 to 253 "
		    "characters");
	if (s[0] == '-')
		return err_set(ERR_USAGE, "address may not start with '-'");
	for (i = 0; i < n; i++) {
		if (isalnum((unsigned char)s[i]) ||
		    strchr(".-:[]", s[i]) != NULL)
			continue;
		return err_set(ERR_USAGE, "address has a character outside "
		    "letters, digits, '.', '-', ':', '[' and ']'");
	}
	return 0;
}

int
dispatch_can_call(const struct record *host, enum drv_call call)
{
	const struct driver	*d = driver_find(record_get(host, HOST_DRIVER));

	return d != NULL && (unsigned)call < DRV_CALL__COUNT &&
	    d->call[call] != NULL;
}

int
dispatch_can_create(const struct record *host)
{
	const struct driver	*d = driver_find(record_get(host, HOST_DRIVER));

	return d != NULL && (d->create != NULL || d->direct_create != NULL);
}

/* The one place a missing slot is worded. */
static void
unsupported(struct dcall *dc)
{
	const char	*what = "this";

	switch (dc->what) {
	case DC_OP:
		what = drv_op_name(dc->op);
		break;
	case DC_CREATE:
		what = "creating instances";
		break;
	case DC_CALL:
		if ((unsigned)dc->call < DRV_CALL__COUNT)
			what = call_features[dc->call];
		break;
	}
	dcall_fail(dc, ERR_INVAL, "%s: %s is not supported by %s",
	    host_name(dc), what, dc->drv->name);
}

/* Plans one call, or has an API driver describe it. */
static void
prepare_one(struct dcall *dc)
{
	const struct driver	*d;
	struct buf		 b = { 0 };
	int			 rc = 0, api;

	if (dc->rc != 0 || dc->prepared)
		return;
	if ((d = dc->drv = dispatch_driver(dc->host)) == NULL) {
		dcall_fail(dc, ERR_INVAL, "%s", err_msg());
		return;
	}
	api = driver_is_direct(d);
	switch (dc->what) {
	case DC_OP:
		if ((unsigned)dc->op >= DRV_OP__COUNT ||
		    (api ? d->direct_op == NULL : d->op[dc->op] == NULL))
			goto unsupported;
		rc = api ? d->direct_op(record_get(dc->host, HOST_ADDRESS),
		    dc->op, &dc->t, &b) : d->op[dc->op](&dc->t, &dc->plan);
		break;
	case DC_CREATE:
		if (api ? d->direct_create == NULL : d->create == NULL)
			goto unsupported;
		rc = api ? d->direct_create(record_get(dc->host,
		    HOST_ADDRESS), &dc->spec, NULL, &b) :
		    d->create(&dc->spec, &dc->plan);
		break;
	case DC_CALL:
		/* API drivers have no storage calls yet. */
		if ((unsigned)dc->call >= DRV_CALL__COUNT || api ||
		    d->call[dc->call] == NULL)
			goto unsupported;
		rc = d->call[dc->call](&dc->req, &dc->plan);
		break;
	}
	if (0) {
unsupported:
		unsupported(dc);
		return;
	}
	if (rc != 0) {
		drv_plan_clear(&dc->plan);
		buf_free(&b);
		dcall_fail(dc, rc, "cannot %s %s on %s: %s", verb(dc),
		    dc->subject, host_name(dc), err_msg());
		return;
	}
	if (api)
		dc->calls = buf_take(&b);
	dc->prepared = 1;
}

size_t
dispatch_prepare(struct dcall *dc, size_t n)
{
	size_t	i, failed = 0;

	for (i = 0; i < n; i++) {
		prepare_one(&dc[i]);
		if (dc[i].rc != 0)
			failed++;
	}
	return failed;
}

/* Calls emit for each line of text (an API driver's description). */
static void
emit_lines(const char *host, const char *text, dispatch_emit_fn emit,
    void *arg)
{
	const char	*p, *nl;
	char		*line;

	for (p = text; p != NULL && *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		line = xstrndup(p, (size_t)(nl - p));
		emit(arg, host, line);
		free(line);
		if (*nl == '\0')
			break;
	}
}

void
dispatch_dry(const struct transport *tp, const struct dcall *dc, size_t n,
    dispatch_emit_fn emit, void *arg)
{
	size_t	i, j;
	char	*text;

	for (i = 0; i < n; i++) {
		if (dc[i].rc != 0 || !dc[i].prepared)
			continue;
		if (dc[i].calls != NULL)
			emit_lines(host_name(&dc[i]), dc[i].calls, emit, arg);
		for (j = 0; j < dc[i].plan.n; j++) {
			text = tp_command_line(tp, dc[i].plan.argv[j]);
			emit(arg, host_name(&dc[i]), text);
			free(text);
		}
	}
}

/* Reads a failed step's stderr through the driver, in hvsh's words. */
static void
step_failed(struct dcall *dc, const struct tp_result *res)
{
	struct hv_error	e;
	char		*why;

	memset(&e, 0, sizeof e);
	if (dc->drv->error_read(res, &e) == 0 && e.reason != NULL) {
		fail_on_host(dc, e.code != 0 ? e.code : ERR_FAIL, e.reason);
	} else {
		why = xasprintf("%s exited with status %d", dc->drv->cli,
		    res->status);
		fail_on_host(dc, ERR_FAIL, why);
		free(why);
	}
	hv_error_clear(&e);
}

/* Reads what the last step printed: the new instance, or a call's reply. */
static void
read_last(struct dcall *dc, const struct tp_result *res)
{
	int	rc = 0;

	if (dc->what == DC_CREATE && dc->drv->create_read != NULL)
		rc = dc->drv->create_read(res, &dc->made);
	else if (dc->what == DC_CALL && dc->drv->call_read[dc->call] != NULL)
		rc = dc->drv->call_read[dc->call](&dc->req, res, &dc->reply);
	if (rc != 0)
		fail_on_host(dc, rc, err_msg());
}

/*
 * Runs step k of every plan at once, then step k + 1 of the plans whose
 * step k succeeded. A destroy's first step powers the instance off; that
 * it was off already (ERR_BUSY from the driver) is no failure.
 */
static void
run_plans(struct transport *tp, struct dcall *dc, size_t n)
{
	struct tp_job	*jobs = xcalloc(n, sizeof *jobs);
	struct tp_host	*th = xcalloc(n, sizeof *th);
	size_t		*idx = xcalloc(n, sizeof *idx);
	size_t		 i, nj, step;

	for (i = 0; i < n; i++)
		dispatch_tp_host(dc[i].host, &th[i]);
	for (step = 0; step < DRV_PLAN_MAX; step++) {
		nj = 0;
		for (i = 0; i < n; i++) {
			if (dc[i].rc != 0 || !dc[i].prepared ||
			    dc[i].calls != NULL || step >= dc[i].plan.n)
				continue;
			memset(&jobs[nj], 0, sizeof jobs[nj]);
			jobs[nj].host = &th[i];
			jobs[nj].argv = dc[i].plan.argv[step];
			idx[nj++] = i;
		}
		if (nj == 0)
			break;
		if (tp == NULL) {
			for (i = 0; i < nj; i++)
				dcall_fail(&dc[idx[i]], ERR_INVAL, "%s: no "
				    "transport", host_name(&dc[idx[i]]));
			break;
		}
		tp_run_many(tp, jobs, nj);
		for (i = 0; i < nj; i++) {
			struct dcall		*d = &dc[idx[i]];
			struct tp_result	*res = &jobs[i].res;

			if (res->rc != 0)
				fail_on_host(d, res->rc, res->errmsg != NULL ?
				    res->errmsg : "cannot reach the host");
			else if (res->status != 0) {
				step_failed(d, res);
				if (d->what == DC_OP && d->op == DRV_DESTROY &&
				    step == 0 && d->plan.n > 1 &&
				    d->rc == ERR_BUSY) {
					d->rc = 0;
					free(d->errmsg);
					d->errmsg = NULL;
				}
			} else if (step + 1 == d->plan.n)
				read_last(d, res);
			tp_result_free(res);
		}
	}
	free(jobs);
	free(th);
	free(idx);
}

/* One call of an API driver: one of fanout_each's. */
static void
run_api(size_t i, void *arg)
{
	struct dcall	*dc = &((struct dcall *)arg)[i];
	const char	*uri;
	int		 rc;

	if (dc->rc != 0 || !dc->prepared || dc->calls == NULL)
		return;
	uri = record_get(dc->host, HOST_ADDRESS);
	if (dc->what == DC_OP)
		rc = dc->drv->direct_op(uri, dc->op, &dc->t, NULL);
	else if (dc->what == DC_CREATE)
		rc = dc->drv->direct_create(uri, &dc->spec, &dc->made, NULL);
	else
		rc = ERR_INVAL;
	if (rc != 0)
		fail_on_host(dc, rc, err_msg());
}

void
dispatch_run(struct transport *tp, struct dcall *dc, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (intr_pending() && dc[i].rc == 0)
			dcall_fail(&dc[i], ERR_CANCEL, "%s: interrupted "
			    "before it ran", dc[i].subject);
	run_plans(tp, dc, n);
	fanout_each(n, run_api, dc);
}

int
dispatch_one(struct transport *tp, struct dcall *dc)
{
	dispatch_prepare(dc, 1);
	if (dc->rc == 0)
		dispatch_run(tp, dc, 1);
	if (dc->rc != 0)
		err_set(dc->rc, "%s", dc->errmsg != NULL ? dc->errmsg :
		    "failed");
	return dc->rc;
}

char *
dispatch_outcome(const struct dcall *dc, size_t n)
{
	struct buf	b = { 0 };
	size_t		i;

	for (i = 0; i < n; i++) {
		buf_printf(&b, "%s%s %s on %s: ", i > 0 ? "; " : "", verb(&dc[i]),
		    dc[i].subject, host_name(&dc[i]));
		if (dc[i].rc == 0)
			buf_addstr(&b, dc[i].note != NULL ? dc[i].note : "ok");
		else
			buf_printf(&b, "failed (%s)", dc[i].errmsg != NULL ?
			    dc[i].errmsg : "?");
	}
	if (b.data == NULL)
		buf_addstr(&b, "nothing to do");
	return buf_take(&b);
}

int
dispatch_can_watch(const struct record *host)
{
	const struct driver	*d = dispatch_driver(host);

	return d != NULL && d->watch != NULL;
}

int
dispatch_watch(const struct record *host, drv_watch_fn cb, void *arg,
    int max_events, int timeout_ms)
{
	const struct driver	*d;

	if ((d = dispatch_driver(host)) == NULL)
		return ERR_INVAL;
	if (d->watch == NULL)
		return err_set(ERR_INVAL, "%s: watching events is not "
		    "supported by %s", record_get(host, FI_NAME), d->name);
	return d->watch(record_get(host, HOST_ADDRESS), cb, arg, max_events,
	    timeout_ms);
}
