/*
 * cmd-host.c: host commands. A host is a hypervisor hvsh reaches over SSH,
 * or, with the libvirt driver, through libvirt's API at a URI; here its
 * record is kept, it is checked, and its lifecycle events are watched.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "cmd-common.h"
#include "dispatch.h"
#include "err.h"
#include "hostops.h"
#include "name.h"
#include "view.h"

/*
 * Checks the options shared by add and set before anything is stored;
 * driver is the host's (as it will be), address its address when --address
 * is not given. A host whose driver speaks an API is reached at what that
 * API connects to (a URI), so SSH options do not apply to it.
 */
static int
host_check_opts(struct ctx *c, struct cmd_args *a, const char *driver,
    const char *address)
{
	static const char *const ssh_opts[] = {
		"port", "user", "key", "accept-key"
	};
	const char	*v;
	int64_t		 port = arg_i64(a, "port", 22);
	size_t		 i;

	if ((v = arg_str(a, "address")) == NULL)
		v = address;
	if (v != NULL && dispatch_address_check(driver, v) != 0)
		return ctx_error_last(c);
	for (i = 0; dispatch_is_api(driver) && i < nitems(ssh_opts); i++) {
		if (arg_str(a, ssh_opts[i]) != NULL)
			return ctx_error(c, ERR_USAGE, "--%s does not apply to "
			    "a host of driver %s: its address is what its API "
			    "connects to", ssh_opts[i], driver);
	}
	if (port < 1 || port > 65535)
		return ctx_error(c, ERR_USAGE, "port must be 1 to 65535");
	if ((v = arg_str(a, "user")) != NULL && name_check("remote user", v) != 0)
		return ctx_error(c, ERR_USAGE, "%s", err_msg());
	if ((v = arg_str(a, "key")) != NULL && v[0] == '-')
		return ctx_error(c, ERR_USAGE, "key file may not start with '-'");
	return 0;
}

/* What contacting a new host found, for host_init to record. */
struct host_new {
	struct cmd_args		*a;
	struct host_refresh	*hr;	/* NULL with --no-check */
};

static int
host_init(struct ctx *c, struct store_txn *tx, struct record *r,
    void *arg)
{
	struct host_new	*hn = arg;
	char		 path[PATH_MAX];

	record_set(r, HOST_STATUS, "unchecked");
	if (record_get(r, HOST_PORT) == NULL &&
	    !dispatch_is_api(record_get(r, HOST_DRIVER)))
		record_set(r, HOST_PORT, "22");
	if (record_get(r, HOST_USER) == NULL &&
	    !dispatch_is_api(record_get(r, HOST_DRIVER)))
		record_set(r, HOST_USER, "root");
	/* The key is read later, maybe from another directory: keep it absolute. */
	if (arg_str(hn->a, "key") != NULL) {
		if (realpath(arg_str(hn->a, "key"), path) == NULL)
			return err_set(ERR_INVAL, "key file %s: not found",
			    arg_str(hn->a, "key"));
		record_set(r, HOST_KEY, path);
	}
	if (hn->hr != NULL)
		hostops_set_facts(r, &hn->hr->facts, now_unix());
	return 0;
}

/*
 * Makes sure the host's key is pinned before anything is run there: with
 * --accept-key the key offered must be that one; else the person at the
 * shell (or dashboard) confirms the fingerprint shown, asked through
 * c->ask; else it is refused.
 */
static int
host_trust(struct ctx *c, struct transport *tp, const struct tp_host *th,
    const char *accept)
{
	struct buf	 t = { 0 }, f = { 0 };
	char		*fp = NULL, *type = NULL, *prompt;
	int		 rc;

	if (accept != NULL)
		return tp_hostkey_accept(tp, th, accept);
	/* No one to ask: the contact that follows refuses an unpinned key. */
	if (!c->interactive || c->ask == NULL)
		return 0;
	if ((rc = tp_hostkey_scan(tp, th, &fp, &type)) != 0)
		return rc;
	/* The key's type and fingerprint are the host's words. */
	prompt = xasprintf("The %s host key of %s (%s) is %s.\n"
	    "Accept it? [y/N] ", sanitize(type, &t), th->name, th->address,
	    sanitize(fp, &f));
	if (c->ask(c, prompt) == 1)
		rc = tp_hostkey_accept(tp, th, fp);
	else
		rc = err_set(ERR_PERM, "host key of %s not accepted", th->name);
	free(prompt);
	buf_free(&t);
	buf_free(&f);
	free(fp);
	free(type);
	return rc;
}

static int
host_add(struct ctx *c, struct cmd_args *a)
{
	struct host_new		 hn = { a, NULL };
	struct host_refresh	 hr;
	struct transport	*tp = NULL;
	struct tp_host		 th;
	struct record		*r;
	int			 rc;

	if ((rc = host_check_opts(c, a, arg_str(a, "driver"), NULL)) != 0)
		return rc;
	if (arg_flag(a, "no-check"))
		return cmd_add(c, a, host_init, &hn);
	if (!dispatch_has_driver(arg_str(a, "driver")))
		return ctx_error(c, ERR_INVAL, "driver %s cannot contact hosts "
		    "yet; record the host with --no-check", arg_str(a, "driver"));

	/* A record not stored yet: the host must answer before it is. */
	r = record_new(KIND_HOST);
	record_set(r, FI_NAME, arg_str(a, "name"));
	record_set(r, HOST_ADDRESS, arg_str(a, "address"));
	record_set(r, HOST_DRIVER, arg_str(a, "driver"));
	memset(&hr, 0, sizeof hr);
	hr.host = r;
	/* An API driver reaches its address itself: no SSH, no key to pin. */
	if (!dispatch_is_api(arg_str(a, "driver"))) {
		record_set_i64(r, HOST_PORT, arg_i64(a, "port", 22));
		record_set(r, HOST_USER, arg_str(a, "user") != NULL ?
		    arg_str(a, "user") : "root");
		record_set(r, HOST_KEY, arg_str(a, "key"));
		if ((rc = ctx_transport(c, &tp)) != 0)
			goto out;
		dispatch_tp_host(r, &th);
		if ((rc = host_trust(c, tp, &th,
		    arg_str(a, "accept-key"))) != 0)
			goto out;
	}
	/* A new host: no instance is recorded on it, no id is needed. */
	hostops_refresh(tp, &hr, 1, &(struct refresh_want){
	    .ids = RF_IDS_NONE });
	hostops_probe(tp, &hr, 1);
	if ((rc = hr.rc) != 0) {
		err_set(rc, "%s", hr.errmsg);
		goto out;
	}
	hn.hr = &hr;
	rc = cmd_add(c, a, host_init, &hn);
out:
	host_refresh_clear(&hr);
	record_free(r);
	return rc;
}

/* The address and driver are checked together, as they will be. */
static int
host_set(struct ctx *c, struct cmd_args *a)
{
	struct store		*st;
	struct store_txn	*tx;
	struct record		*h = NULL;
	const char		*driver = arg_str(a, "driver");
	int			 rc;

	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	rc = view_lookup(c, tx, KIND_HOST, arg_str(a, "name"), &h);
	store_txn_end(tx);
	if (rc != 0)
		return rc;
	if (driver == NULL)
		driver = record_get(h, HOST_DRIVER);
	/* A new driver makes the kept address a new question too. */
	rc = host_check_opts(c, a, driver, arg_str(a, "driver") != NULL ?
	    record_get(h, HOST_ADDRESS) : NULL);
	record_free(h);
	if (rc != 0)
		return rc;
	return cmd_set(c, a, NULL);
}

struct apply_arg {
	struct host_refresh	*hr;
	size_t			 n;
};

static int
apply_tx(struct store_txn *tx, void *arg)
{
	struct apply_arg	*aa = arg;

	return hostops_apply(tx, aa->hr, aa->n);
}

/*
 * host check [HOST...]: reach each host (all when none is named) at once,
 * verify its key and CLI, record its facts and its instances' states, and
 * report one row per host. Fails if any host failed.
 */
static int
host_check(struct ctx *c, struct cmd_args *a)
{
	struct records		 hl = { 0 };
	struct host_refresh	*hr = NULL;
	struct transport	*tp = NULL;
	struct store		*st;
	struct store_txn	*tx;
	struct listing		*l = NULL;
	struct apply_arg	 aa;
	struct tp_host		 th;
	struct cmd_facts_row	 row;
	char *const		*names;
	size_t			 i;
	int			 k, n, rc, failed = 0;

	names = arg_multi(a, "host", &n);
	if (arg_str(a, "accept-key") != NULL && n != 1)
		return ctx_error(c, ERR_USAGE, "--accept-key needs exactly "
		    "one host");
	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	if (n == 0)
		rc = store_iter(tx, KIND_HOST, records_hold, &hl);
	for (k = 0; rc == 0 && k < n; k++) {
		struct record	*h;

		if ((rc = view_lookup(c, tx, KIND_HOST, names[k], &h)) == 0) {
			records_hold(h, &hl);
			record_free(h);
		}
	}
	store_txn_end(tx);
	if (rc != 0)
		goto out;
	if ((rc = listing_new(ctx_out_write, c, cmd_facts_cols,
	    CMD_FACTS_NCOLS, CMD_FACTS_DEFAULT, arg_list_opts(a), &l)) != 0) {
		rc = ctx_error(c, rc, "%s", err_msg());
		goto out;
	}
	if ((rc = ctx_transport(c, &tp)) != 0)
		goto out;
	hr = xcalloc(hl.n, sizeof *hr);
	for (i = 0; i < hl.n; i++)
		hr[i].host = hl.v[i];
	if (arg_str(a, "accept-key") != NULL &&
	    dispatch_is_api(record_get(hl.v[0], HOST_DRIVER))) {
		rc = ctx_error(c, ERR_USAGE, "host %s is reached through "
		    "its driver's API: it has no SSH key to accept",
		    record_get(hl.v[0], FI_NAME));
		goto out;
	}
	if (arg_str(a, "accept-key") != NULL) {
		dispatch_tp_host(hl.v[0], &th);
		if ((rc = host_trust(c, tp, &th, arg_str(a, "accept-key"))) != 0)
			goto out;
	}
	cmd_refresh(c, tp, hr, hl.n, RF_IDS_MATCH);
	hostops_probe(tp, hr, hl.n);
	aa.hr = hr;
	aa.n = hl.n;
	if ((rc = ctx_write(c, apply_tx, &aa)) != 0)
		goto out;
	for (i = 0; i < hl.n; i++) {
		cmd_facts_row(&row, record_get(hl.v[i], FI_NAME), &hr[i]);
		listing_row(l, row.vals);
		if (hr[i].rc != 0)
			failed++;
	}
	/* Each failure in full on stderr: the table may cut it to fit. */
	for (i = 0; i < hl.n; i++) {
		if (hr[i].rc != 0)
			ctx_error(c, hr[i].rc, "%s", hr[i].errmsg);
	}
	if (failed > 0)
		rc = ctx_error(c, ERR_FAIL, "%d of %zu host%s failed", failed,
		    hl.n, hl.n == 1 ? "" : "s");
out:
	listing_end(l);
	for (i = 0; hr != NULL && i < hl.n; i++)
		host_refresh_clear(&hr[i]);
	free(hr);
	records_free(&hl);
	return rc;
}

/* What host watch keeps while events arrive. */
struct watch {
	struct ctx		*c;
	struct record		*host;
	const struct hv_vm	*vm;		/* the event being recorded */
	char			*name;		/* its instance's record */
};

static int
watch_tx(struct store_txn *tx, void *arg)
{
	struct watch	*w = arg;
	int		 rc;

	if ((rc = hostops_apply_event(tx, w->host, w->vm, &w->name)) == 0)
		ctx_set_result(w->c, "%s %s", w->name,
		    hv_state_name(w->vm->state));
	return rc;
}

/*
 * One event: written to the store at once, in a write of its own, and
 * shown as "NAME STATE". An instance not recorded is shown by the
 * hypervisor's name for it, marked unmanaged, and nothing is written.
 */
static int
watch_event(const struct hv_vm *vm, void *arg)
{
	struct watch	*w = arg;
	struct buf	 clean = { 0 };
	const char	*what = vm->name != NULL ? vm->name : vm->uuid;
	int		 rc;

	w->vm = vm;
	rc = ctx_write(w->c, watch_tx, w);
	if (rc == 0)
		ctx_printf(w->c, "%s %s\n", w->name,
		    hv_state_name(vm->state));
	else if (rc == ERR_NOENT) {
		/* Text from the host: never raw to a terminal. */
		ctx_printf(w->c, "%s %s (unmanaged)\n",
		    sanitize(what != NULL ? what : "?", &clean),
		    hv_state_name(vm->state));
		rc = 0;
	}
	/* Each event as it comes, also into a pipe. */
	ctx_flush(w->c);
	buf_free(&clean);
	return rc;
}

/*
 * host watch HOST: subscribes to the host's lifecycle events and records
 * each instance's new state as it is announced, until --count events or
 * --timeout seconds. Fewer events than --count by then is a failure.
 */
static int
host_watch(struct ctx *c, struct cmd_args *a)
{
	struct watch		 w = { c, NULL, NULL, NULL };
	struct store		*st;
	struct store_txn	*tx;
	int64_t			 count = arg_i64(a, "count", 0);
	int64_t			 timeout = arg_i64(a, "timeout", 60);
	int			 rc;

	if (count > INT_MAX)
		return ctx_error(c, ERR_USAGE, "--count is at most %d", INT_MAX);
	if (timeout < 1 || timeout > 86400)
		return ctx_error(c, ERR_USAGE, "--timeout must be 1 to 86400 "
		    "seconds");
	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	rc = view_lookup(c, tx, KIND_HOST, arg_str(a, "host"), &w.host);
	store_txn_end(tx);
	if (rc != 0)
		return rc;
	if (!c->quiet) {
		if (count > 0)
			ctx_eprintf(c, "hvsh: host watch: watching %s for "
			    "%" PRId64 " event%s or %" PRId64 " s\n",
			    record_get(w.host, FI_NAME), count,
			    count == 1 ? "" : "s", timeout);
		else
			ctx_eprintf(c, "hvsh: host watch: watching %s for "
			    "%" PRId64 " s\n", record_get(w.host, FI_NAME),
			    timeout);
	}
	rc = dispatch_watch(w.host, watch_event, &w, (int)count,
	    (int)(timeout * 1000));
	if (rc < 0) {
		rc = ctx_error_last(c);
		goto out;
	}
	if (count > 0 && rc < count)
		rc = ctx_error(c, ERR_BUSY, "%d of %" PRId64 " event%s within %"
		    PRId64 " s", rc, count, count == 1 ? "" : "s", timeout);
	else
		rc = 0;
out:
	free(w.name);
	record_free(w.host);
	return rc;
}

#define HOST_OPTS(req)							\
	{ "address", 'a', OPT_STR, req, 0, NULL, "ADDR",		\
	    "DNS name or IP address to reach the host at "		\
	    "(libvirt: a URI)" },					\
	{ "driver", 'd', OPT_ENUM, req, 0, host_drivers, "DRIVER",	\
	    "hypervisor: kvm (virsh), xen (xe), vmware (vmrun), libvirt" }, \
	{ "port", 'p', OPT_INT, 0, 0, NULL, "PORT", "SSH port (22)" },	\
	{ "user", 'u', OPT_STR, 0, 0, NULL, "USER",			\
	    "remote user to log in as (root)" },			\
	{ "key", 'k', OPT_FILE, 0, 0, NULL, "FILE",			\
	    "private key on the bastion (else the SSH agent)" },	\
	OPT_TAGS

#define OPT_ACCEPT_KEY						\
	{ "accept-key", 0, OPT_STR, 0, 0, NULL, "SHA256:...",		\
	    "trust the host key with this fingerprint" }

static const struct cmd_opt host_add_opts[] = {
	OPT_NAME_NEW(KIND_HOST, "name for the host"),
	HOST_OPTS(OPT_REQUIRED),
	OPT_ACCEPT_KEY,
	{ "no-check", 0, OPT_FLAG, 0, 0, NULL, NULL,
	    "record the host without contacting it (status unchecked)" },
	{ NULL }
};

static const struct cmd_opt host_check_opts_decl[] = {
	{ "host", 0, OPT_NAME, OPT_POSITIONAL | OPT_MULTI | OPT_EXISTING,
	    KIND_HOST, NULL, "HOST", "hosts to check (default: all)" },
	OPT_ACCEPT_KEY,
	{ NULL }
};

static const struct cmd_opt host_set_opts[] = {
	OPT_NAME_OLD(KIND_HOST, "the host"),
	HOST_OPTS(0),
	OPT_UNTAG,
	OPT_RENAME(KIND_HOST),
	{ NULL }
};

static const struct cmd_opt host_name_opts[] = {
	OPT_NAME_OLD(KIND_HOST, "the host"),
	{ NULL }
};

static const struct cmd_opt host_remove_opts[] = {
	OPT_NAME_OLD(KIND_HOST, "the host"),
	OPT_FORCE("remove it even if instances or pools refer to it "
	    "(they keep their records)"),
	{ NULL }
};

static const struct cmd_opt host_watch_opts[] = {
	{ "host", 0, OPT_NAME, OPT_POSITIONAL | OPT_REQUIRED | OPT_EXISTING,
	    KIND_HOST, NULL, "HOST", "the host" },
	{ "count", 'n', OPT_INT, 0, 0, NULL, "N",
	    "stop after N events (default: at the timeout)" },
	{ "timeout", 't', OPT_INT, 0, 0, NULL, "SECONDS",
	    "stop after SECONDS (60)" },
	{ NULL }
};

static const struct cmd_opt no_opts[] = { { NULL } };

const struct cmd_entry cmd_host_add = {
	"host", "add", NULL, host_add_opts, CMD_WRITE | CMD_ADMIN,
	"record a hypervisor host, after reaching it",
	"The host is reached over SSH as USER with KEY (or the agent) and "
	"driven with its hypervisor's own CLI. Its key must be confirmed: "
	"with --accept-key, or at the prompt on a terminal. Nothing is "
	"recorded unless the host answers (or --no-check is given).",
	host_add
};
const struct cmd_entry cmd_host_check = {
	"host", "check", NULL, host_check_opts_decl, CMD_WRITE | CMD_LIST,
	"reach hosts, verify key and CLI, record facts and instance states",
	"All named hosts (or all hosts) are reached at once, one remote exec "
	"each. A host that cannot be reached is marked unreachable and its "
	"instances unknown.",
	host_check
};
const struct cmd_entry cmd_host_watch = {
	"host", "watch", NULL, host_watch_opts, CMD_WRITE,
	"record instance states as the host announces their changes",
	"Subscribes to the host's lifecycle events (libvirt hosts) and "
	"records each instance's new state as it arrives, one write each, "
	"printing 'NAME STATE' per event, until --count events or --timeout "
	"seconds. Fewer than --count events by the timeout is a failure.",
	host_watch
};
const struct cmd_entry cmd_host_list = {
	"host", "list", "ls", no_opts, CMD_LIST,
	"list hosts with their status", NULL, cmd_generic_list
};
const struct cmd_entry cmd_host_show = {
	"host", "show", NULL, host_name_opts, CMD_SHOW,
	"show everything known about a host", NULL, cmd_generic_show
};
const struct cmd_entry cmd_host_set = {
	"host", "set", NULL, host_set_opts, CMD_WRITE | CMD_ADMIN,
	"change a host's connection details or labels", NULL, host_set
};
const struct cmd_entry cmd_host_remove = {
	"host", "remove", "rm", host_remove_opts,
	CMD_WRITE | CMD_ADMIN | CMD_DESTRUCTIVE,
	"forget a host",
	"Refused while instances or pools refer to the host, unless --force.",
	cmd_generic_remove
};
