/*
 * cmd-sync.c: comparing the store with what hosts report. 'host sync'
 * shows drift (instances present in both, missing from their host, or
 * unmanaged: on a host but not in the store), adopts the snapshots of
 * recorded instances that were taken outside hvsh, and adds or removes no
 * instance;
 * 'vm adopt' records an unmanaged instance; 'vm stats' and 'host facts'
 * show live figures. Each asks its hosts once, all at once.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-common.h"
#include "dispatch.h"
#include "err.h"
#include "hostops.h"
#include "index.h"
#include "name.h"
#include "view.h"

/* A refresh of some hosts, with the store's instances as they were. */
struct survey {
	struct records		 hosts;
	struct records		 vms;
	struct host_refresh	*hr;
	struct transport	*tp;
	struct index		*hix;	/* host id -> its hr, once asked */
	char			**hkeys;	/* the keys hix holds */
	char			**marks;	/* per host: which of its
						   instances are recorded */
};

static void
survey_free(struct survey *sv)
{
	size_t	i;

	for (i = 0; sv->hr != NULL && i < sv->hosts.n; i++) {
		host_refresh_clear(&sv->hr[i]);
		free(sv->hkeys != NULL ? sv->hkeys[i] : NULL);
		free(sv->marks != NULL ? sv->marks[i] : NULL);
	}
	free(sv->hr);
	free(sv->hkeys);
	free(sv->marks);
	index_free(sv->hix);
	records_free(&sv->hosts);
	records_free(&sv->vms);
	memset(sv, 0, sizeof *sv);
}

static int
apply_tx(struct store_txn *tx, void *arg)
{
	struct survey	*sv = arg;

	return hostops_apply(tx, sv->hr, sv->hosts.n);
}

/*
 * Asks the named hosts (all with a driver when none is named) and, if
 * apply, records their facts and instance states in one write (else the
 * caller records them with its own change, in one audited write); the
 * instances are read before, so drift is judged against the store as it
 * was.
 */
static int
survey(struct ctx *c, char *const *names, int nnames, int apply,
    struct survey *sv)
{
	struct store		*st;
	struct store_txn	*tx;
	struct records		 all = { 0 };
	struct record		*h;
	size_t			 i;
	int			 k, rc;

	memset(sv, 0, sizeof *sv);
	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	if (nnames == 0) {
		rc = store_iter(tx, KIND_HOST, records_hold, &all);
		for (i = 0; rc == 0 && i < all.n; i++) {
			if (dispatch_driver(all.v[i]) != NULL)
				records_hold(all.v[i], &sv->hosts);
		}
		records_free(&all);
	}
	for (k = 0; rc == 0 && k < nnames; k++) {
		if ((rc = view_lookup(c, tx, KIND_HOST, names[k], &h)) == 0) {
			records_hold(h, &sv->hosts);
			record_free(h);
		}
	}
	for (i = 0; rc == 0 && i < sv->hosts.n; i++)
		rc = store_iter_ref(tx, KIND_VM, VM_HOST, sv->hosts.v[i]->id,
		    records_hold, &sv->vms);
	store_txn_end(tx);
	if (rc != 0 || (rc = ctx_transport(c, &sv->tp)) != 0)
		return rc;
	sv->hr = xcalloc(sv->hosts.n, sizeof *sv->hr);
	for (i = 0; i < sv->hosts.n; i++)
		sv->hr[i].host = sv->hosts.v[i];
	/* Every instance's id: sync tells hvsh's own from the others. */
	cmd_refresh(c, sv->tp, sv->hr, sv->hosts.n, RF_IDS_ALL);
	return apply ? ctx_write(c, apply_tx, sv) : 0;
}

/* The refresh of the host with id, or NULL. */
static struct host_refresh *
survey_host(struct survey *sv, uint64_t id)
{
	char	key[24];
	size_t	i, k;

	if (sv->hr == NULL)
		return NULL;
	if (sv->hix == NULL) {
		sv->hix = index_new(sv->hosts.n);
		sv->hkeys = xcalloc(sv->hosts.n + 1, sizeof *sv->hkeys);
		for (i = 0; i < sv->hosts.n; i++) {
			sv->hkeys[i] = xasprintf("%" PRIu64,
			    sv->hr[i].host->id);
			index_adds(sv->hix, sv->hkeys[i], i);
		}
	}
	snprintf(key, sizeof key, "%" PRIu64, id);
	return index_get(sv->hix, key, &k) ? &sv->hr[k] : NULL;
}

/*
 * Which of hr's instances a recorded instance of its host matches, one
 * flag each, for all hosts in one pass over the recorded instances, on
 * first use.
 */
static const char *
managed_marks(struct survey *sv, const struct host_refresh *hr)
{
	const struct hv_vm	*hv;
	struct host_refresh	*h;
	size_t			 i;

	if (sv->marks == NULL) {
		sv->marks = xcalloc(sv->hosts.n + 1, sizeof *sv->marks);
		for (i = 0; i < sv->hosts.n; i++)
			sv->marks[i] = xcalloc(sv->hr[i].vms.n + 1, 1);
		for (i = 0; i < sv->vms.n; i++) {
			h = survey_host(sv, (uint64_t)record_get_i64(
			    sv->vms.v[i], VM_HOST, 0));
			if (h != NULL && h->rc == 0 &&
			    (hv = hostops_match(h, sv->vms.v[i])) != NULL)
				sv->marks[h - sv->hr][hv - h->vms.v] = 1;
		}
	}
	return sv->marks[hr - sv->hr];
}

/* 1 if hv was matched to a recorded instance of its host. */
static int
is_managed(struct survey *sv, const struct host_refresh *hr,
    const struct hv_vm *hv)
{
	return managed_marks(sv, hr)[hv - hr->vms.v];
}

static const struct col_def sync_cols[] = {
	{ "host", COL_STR, 0 },
	{ "vm", COL_STR, 0 },
	{ "drift", COL_STR, 0 },
	{ "state", COL_STR, COL_STATE },
	{ "uuid", COL_STR, 0 },
	{ "hvsh_id", COL_STR, 0 },
	{ "error", COL_STR, 0 },
};

/* The snapshots of recorded instances, as their hosts list them. */
struct snapsync {
	struct ctx	*c;
	struct survey	*sv;		/* its refresh is recorded too */
	struct dcall	*dc;
	struct record	**vm;		/* borrowed from the survey */
	size_t		 n;
	struct buf	 result;
};

static void
snapsync_free(struct snapsync *ss)
{
	size_t	i;

	for (i = 0; i < ss->n; i++)
		dcall_clear(&ss->dc[i]);
	free(ss->dc);
	free(ss->vm);
	buf_free(&ss->result);
}

/* Asks the host of every recorded instance it has for its snapshots. */
static void
snapsync_ask(struct survey *sv, struct snapsync *ss)
{
	struct host_refresh	*hr;
	const struct hv_vm	*hv;
	char			*subject;
	size_t			 i;

	ss->dc = xcalloc(sv->vms.n + 1, sizeof *ss->dc);
	ss->vm = xcalloc(sv->vms.n + 1, sizeof *ss->vm);
	for (i = 0; i < sv->vms.n; i++) {
		hr = survey_host(sv, (uint64_t)record_get_i64(sv->vms.v[i],
		    VM_HOST, 0));
		if (hr == NULL || hr->rc != 0 ||
		    !dispatch_can_call(hr->host, DRV_SNAP_LIST) ||
		    (hv = hostops_match(hr, sv->vms.v[i])) == NULL)
			continue;
		subject = xasprintf("vm %s", record_get(sv->vms.v[i], FI_NAME));
		dcall_init(&ss->dc[ss->n], hr->host, subject);
		free(subject);
		ss->dc[ss->n].what = DC_CALL;
		ss->dc[ss->n].call = DRV_SNAP_LIST;
		ss->dc[ss->n].req.vm.name = hv->name;
		ss->dc[ss->n].req.vm.uuid = hv->uuid;
		ss->dc[ss->n].req.vm.path = hv->path;
		ss->dc[ss->n].req.vm.product = ss->dc[ss->n].req.product =
		    record_get(hr->host, HOST_PRODUCT);
		ss->vm[ss->n++] = sv->vms.v[i];
	}
	dispatch_prepare(ss->dc, ss->n);
	dispatch_run(sv->tp, ss->dc, ss->n);
}

/*
 * Records the hosts' refresh and each snapshot a host lists that the
 * store lacks, under its instance; a name hvsh would refuse is left out
 * (and said).
 */
static int
snapsync_tx(struct store_txn *tx, void *arg)
{
	struct snapsync		*ss = arg;
	struct hv_snapshot	*sn;
	struct record		*r, *old = NULL;
	size_t			 i, j;
	int			 rc;

	buf_reset(&ss->result);
	if ((rc = hostops_apply(tx, ss->sv->hr, ss->sv->hosts.n)) != 0)
		return rc;
	for (i = 0; i < ss->n; i++) {
		for (j = 0; ss->dc[i].rc == 0 && j < ss->dc[i].reply.snaps.n;
		    j++) {
			sn = &ss->dc[i].reply.snaps.v[j];
			if (sn->name == NULL || name_check("snapshot",
			    sn->name) != 0)
				continue;
			rc = store_get_by_name(tx, KIND_SNAPSHOT, ss->vm[i]->id,
			    sn->name, &old);
			record_free(old);
			old = NULL;
			if (rc == 0)
				continue;
			if (rc != ERR_NOENT)
				return rc;
			r = record_new(KIND_SNAPSHOT);
			record_set(r, FI_NAME, sn->name);
			record_set_i64(r, SNAPSHOT_VM, (int64_t)ss->vm[i]->id);
			record_set(r, SNAPSHOT_REF, sn->uuid);
			record_set(r, SNAPSHOT_DESCRIPTION, "taken outside hvsh");
			rc = store_put(tx, r);
			record_free(r);
			if (rc != 0)
				return rc;
			buf_printf(&ss->result, "%sadopted snapshot %s of %s",
			    ss->result.len ? "; " : "", sn->name,
			    record_get(ss->vm[i], FI_NAME));
		}
	}
	ctx_set_result(ss->c, "%s", ss->result.len ? ss->result.data :
	    "no snapshot to adopt");
	return 0;
}

static int
host_sync(struct ctx *c, struct cmd_args *a)
{
	struct survey		 sv;
	struct listing		*l = NULL;
	struct host_refresh	*hr;
	const struct hv_vm	*hv;
	const char		*vals[nitems(sync_cols)];
	char *const		*names;
	const char		*marks;
	char			*snapname;
	struct snapsync		 ss;
	size_t			 i, j, drift = 0, failed = 0;
	int			 n, rc;

	memset(&ss, 0, sizeof ss);
	ss.c = c;
	names = arg_multi(a, "host", &n);
	if ((rc = listing_new(ctx_out_write, c, sync_cols, nitems(sync_cols),
	    "host,vm,drift,state,uuid", arg_list_opts(a), &l)) != 0)
		return ctx_error(c, rc, "%s", err_msg());
	/* The refresh is recorded with the snapshots adopted, in one write. */
	if ((rc = survey(c, names, n, 0, &sv)) != 0)
		goto out;
	ss.sv = &sv;
	for (i = 0; i < sv.hosts.n; i++) {
		hr = &sv.hr[i];
		memset(vals, 0, sizeof vals);
		vals[0] = record_get(hr->host, FI_NAME);
		if (hr->rc != 0) {
			vals[2] = "unreachable";
			vals[6] = hr->errmsg;
			listing_row(l, vals);
			failed++;
			continue;
		}
		marks = managed_marks(&sv, hr);
		for (j = 0; j < hr->vms.n; j++) {
			hv = &hr->vms.v[j];
			vals[1] = hv->name;
			vals[2] = marks[j] ? "present" : "unmanaged";
			vals[3] = hv_state_name(hv->state);
			vals[4] = hv->uuid;
			vals[5] = hv->hvsh_id;
			if (strcmp(vals[2], "unmanaged") == 0)
				drift++;
			listing_row(l, vals);
		}
	}
	for (i = 0; i < sv.vms.n; i++) {
		hr = survey_host(&sv, (uint64_t)record_get_i64(sv.vms.v[i],
		    VM_HOST, 0));
		if (hr == NULL || hr->rc != 0 || hostops_match(hr, sv.vms.v[i]))
			continue;
		memset(vals, 0, sizeof vals);
		vals[0] = record_get(hr->host, FI_NAME);
		vals[1] = record_get(sv.vms.v[i], FI_NAME);
		vals[2] = "missing";
		vals[4] = record_get(sv.vms.v[i], VM_UUID);
		listing_row(l, vals);
		drift++;
	}
	snapsync_ask(&sv, &ss);
	if ((rc = ctx_write(c, snapsync_tx, &ss)) != 0)
		goto out;
	for (i = 0; i < ss.n; i++) {
		struct hv_snapshot_list	*sl = &ss.dc[i].reply.snaps;

		memset(vals, 0, sizeof vals);
		vals[0] = record_get(ss.dc[i].host, FI_NAME);
		vals[1] = record_get(ss.vm[i], FI_NAME);
		if (ss.dc[i].rc != 0) {
			vals[2] = "snapshots unread";
			vals[6] = ss.dc[i].errmsg;
			listing_row(l, vals);
			continue;
		}
		for (j = 0; j < sl->n; j++) {
			if (sl->v[j].name == NULL)
				continue;
			snapname = xasprintf("snapshot %s%s", sl->v[j].name,
			    name_check("snapshot", sl->v[j].name) != 0 ?
			    " (name refused: not adopted)" : "");
			vals[2] = snapname;
			vals[4] = sl->v[j].uuid;
			listing_row(l, vals);
			free(snapname);
		}
	}
	if (failed > 0)
		rc = ctx_error(c, ERR_FAIL, "%zu host%s could not be reached",
		    failed, failed == 1 ? "" : "s");
	else if (drift > 0 && !c->quiet)
		ctx_eprintf(c, "hvsh: host sync: %zu instance%s differ; "
		    "nothing was changed ('vm adopt' records an unmanaged "
		    "one)\n", drift, drift == 1 ? "" : "s");
out:
	listing_end(l);
	snapsync_free(&ss);
	survey_free(&sv);
	return rc;
}

struct adopt {
	struct ctx		*c;
	struct cmd_args		*a;
	struct survey		*sv;
	const struct record	*host;
	const struct hv_vm	*hv;
	const char		*name;
	uint64_t		 id;		/* the new record's */
};

/*
 * Records the host's refresh and the unmanaged instance in one write, so
 * that the audit has one event with the adopt's real outcome; matching
 * later goes by the instance's uuid.
 */
static int
adopt_tx(struct store_txn *tx, void *arg)
{
	struct adopt	*ad = arg;
	struct record	*r;
	int		 rc;

	if ((rc = hostops_apply(tx, ad->sv->hr, ad->sv->hosts.n)) != 0)
		return rc;
	r = record_new(KIND_VM);
	record_set(r, FI_NAME, ad->name);
	record_set_i64(r, VM_HOST, (int64_t)ad->host->id);
	record_set(r, VM_STATE, hv_state_name(ad->hv->state));
	record_set(r, VM_UUID, ad->hv->uuid);
	if (ad->hv->cpus > 0)
		record_set_i64(r, VM_CPUS, ad->hv->cpus);
	if (ad->hv->memory > 0)
		record_set_i64(r, VM_MEMORY, ad->hv->memory);
	record_set(r, VM_OWNER, ad->c->user);
	record_set_i64(r, VM_LASTSEEN, now_unix());
	if ((rc = cmd_apply_fields(ad->c, ad->a, tx, r)) == 0 &&
	    (rc = store_put(tx, r)) == 0) {
		ad->id = r->id;
		ctx_set_result(ad->c, "adopted %s from %s (id %" PRIu64 ")",
		    ad->name, record_get(ad->host, FI_NAME), r->id);
	}
	record_free(r);
	return rc;
}

/*
 * Writes hvsh's id onto the adopted instance, so later refreshes match it
 * by that id as they match instances hvsh made. The record stands either
 * way (it is matched by uuid); a host that cannot take the id is named.
 */
static void
tag_adopted(struct ctx *c, struct survey *sv, struct adopt *ad)
{
	struct dcall	dc;
	char		id[24], *subject;

	snprintf(id, sizeof id, "%" PRIu64, ad->id);
	subject = xasprintf("vm %s", ad->name);
	dcall_init(&dc, ad->host, subject);
	free(subject);
	dc.what = DC_CALL;
	dc.call = DRV_SET_ID;
	dc.req.vm.name = ad->hv->name;
	dc.req.vm.uuid = ad->hv->uuid;
	dc.req.vm.path = ad->hv->path;
	dc.req.vm.hvsh_id = id;
	dc.req.vm.product = record_get(ad->host, HOST_PRODUCT);
	dc.req.product = dc.req.vm.product;
	dc.req.running = ad->hv->state == HV_RUNNING;
	if (dispatch_one(sv->tp, &dc) != 0)
		ctx_info(c, "note: %s; it is matched by its uuid instead",
		    dc.errmsg);
	dcall_clear(&dc);
}

static int
vm_adopt(struct ctx *c, struct cmd_args *a)
{
	struct survey		 sv;
	struct adopt		 ad = { c, a, NULL, NULL, NULL, NULL, 0 };
	char			*host = (char *)arg_str(a, "host");
	const char		*want = arg_str(a, "instance");
	struct host_refresh	*hr;
	size_t			 j;
	int			 rc;

	if ((rc = survey(c, &host, 1, 0, &sv)) != 0)
		goto out;
	hr = &sv.hr[0];
	if (hr->rc != 0) {
		rc = ctx_error(c, hr->rc, "%s", hr->errmsg);
		goto out;
	}
	for (j = 0; j < hr->vms.n; j++) {
		if ((hr->vms.v[j].name != NULL &&
		    strcmp(hr->vms.v[j].name, want) == 0) ||
		    (hr->vms.v[j].uuid != NULL &&
		    strcmp(hr->vms.v[j].uuid, want) == 0))
			break;
	}
	if (j == hr->vms.n) {
		rc = ctx_error(c, ERR_NOENT, "host %s has no instance '%s'",
		    host, want);
		goto out;
	}
	if (is_managed(&sv, hr, &hr->vms.v[j])) {
		rc = ctx_error(c, ERR_EXIST, "instance '%s' on %s is recorded "
		    "already", want, host);
		goto out;
	}
	if (hr->vms.v[j].uuid == NULL) {
		rc = ctx_error(c, ERR_INVAL, "instance '%s' on %s has no uuid "
		    "to match it by", want, host);
		goto out;
	}
	/*
	 * The record's name is hvsh's, checked as 'vm create' checks it; a
	 * hypervisor's name may hold anything.
	 */
	ad.name = arg_str(a, "name");
	if (ad.name == NULL) {
		ad.name = hr->vms.v[j].name != NULL ? hr->vms.v[j].name : want;
		if (name_check("vm", ad.name) != 0) {
			rc = ctx_error(c, ERR_INVAL, "instance '%s' on %s: its "
			    "name cannot be an hvsh name: %s; adopt it under "
			    "another with --name NEW", ad.name, host,
			    err_msg());
			goto out;
		}
	}
	ad.sv = &sv;
	ad.host = hr->host;
	ad.hv = &hr->vms.v[j];
	if ((rc = ctx_write(c, adopt_tx, &ad)) == 0) {
		ctx_info(c, "vm %s adopted from %s", ad.name, host);
		tag_adopted(c, &sv, &ad);
	}
out:
	survey_free(&sv);
	return rc;
}

static const struct col_def stats_cols[] = {
	{ "name", COL_STR, 0 },
	{ "host", COL_STR, 0 },
	{ "state", COL_STR, COL_STATE },
	{ "cpus", COL_INT, 0 },
	{ "memory", COL_SIZE, 0 },
	{ "mem_used", COL_SIZE, 0 },
	{ "cpu_time", COL_STR, 0 },
};

/* vm stats [NAME...]: live figures of recorded instances, from their hosts. */
static int
vm_stats(struct ctx *c, struct cmd_args *a)
{
	struct survey		 sv;
	struct listing		*l = NULL;
	struct host_refresh	*hr;
	const struct hv_vm	*hv;
	const char		*vals[nitems(stats_cols)];
	char			 cpus[16], mem[24], used[24], cpu[32];
	char *const		*names;
	size_t			 i;
	int			 k, n, rc, shown;

	names = arg_multi(a, "name", &n);
	if ((rc = listing_new(ctx_out_write, c, stats_cols, nitems(stats_cols),
	    "name,host,state,cpus,memory,mem_used,cpu_time",
	    arg_list_opts(a), &l)) != 0)
		return ctx_error(c, rc, "%s", err_msg());
	if ((rc = survey(c, NULL, 0, 1, &sv)) != 0)
		goto out;
	for (k = 0; k < n; k++) {
		for (i = 0; i < sv.vms.n; i++)
			if (strcmp(record_get(sv.vms.v[i], FI_NAME),
			    names[k]) == 0)
				break;
		if (i == sv.vms.n) {
			rc = ctx_error(c, ERR_NOENT, "vm '%s' not found or "
			    "not on a host", names[k]);
			goto out;
		}
	}
	for (i = 0; i < sv.vms.n; i++) {
		const struct record	*vm = sv.vms.v[i];

		for (k = 0, shown = n == 0; k < n && !shown; k++)
			shown = strcmp(record_get(vm, FI_NAME), names[k]) == 0;
		if (!shown)
			continue;
		hr = survey_host(&sv, (uint64_t)record_get_i64(vm, VM_HOST, 0));
		hv = hr != NULL && hr->rc == 0 ? hostops_match(hr, vm) : NULL;
		memset(vals, 0, sizeof vals);
		vals[0] = record_get(vm, FI_NAME);
		vals[1] = hr != NULL ? record_get(hr->host, FI_NAME) : NULL;
		vals[2] = hv != NULL ? hv_state_name(hv->state) : "unknown";
		if (hv != NULL) {
			snprintf(cpus, sizeof cpus, "%d", hv->cpus);
			snprintf(mem, sizeof mem, "%" PRId64, hv->memory);
			snprintf(used, sizeof used, "%" PRId64, hv->mem_used);
			snprintf(cpu, sizeof cpu, "%.2f s", hv->cpu_time);
			vals[3] = hv->cpus > 0 ? cpus : NULL;
			vals[4] = hv->memory >= 0 ? mem : NULL;
			vals[5] = hv->mem_used >= 0 ? used : NULL;
			vals[6] = hv->cpu_time >= 0 ? cpu : NULL;
		}
		listing_row(l, vals);
	}
out:
	listing_end(l);
	survey_free(&sv);
	return rc;
}

/* host facts HOST: what the host says of itself now, recorded too. */
static int
host_facts(struct ctx *c, struct cmd_args *a)
{
	struct survey	 sv;
	char		*host = (char *)arg_str(a, "host");
	struct cmd_facts_row row;
	int		 rc;

	if ((rc = survey(c, &host, 1, 1, &sv)) != 0)
		goto out;
	cmd_facts_row(&row, host, &sv.hr[0]);
	if ((rc = listing_show(ctx_out_write, c, cmd_facts_cols,
	    CMD_FACTS_NCOLS, row.vals, arg_list_opts(a))) != 0)
		rc = ctx_error(c, rc, "%s", err_msg());
	else if (sv.hr[0].rc != 0)
		rc = ctx_error(c, sv.hr[0].rc, "%s", sv.hr[0].errmsg);
out:
	survey_free(&sv);
	return rc;
}

static const struct cmd_opt host_sync_opts[] = {
	{ "host", 0, OPT_NAME, OPT_POSITIONAL | OPT_MULTI | OPT_EXISTING,
	    KIND_HOST, NULL, "HOST", "hosts to compare (default: all)" },
	{ NULL }
};

static const struct cmd_opt host_facts_opts[] = {
	{ "host", 0, OPT_NAME, OPT_POSITIONAL | OPT_REQUIRED | OPT_EXISTING,
	    KIND_HOST, NULL, "HOST", "the host" },
	{ NULL }
};

static const struct cmd_opt vm_adopt_opts[] = {
	{ "instance", 0, OPT_STR, OPT_POSITIONAL | OPT_REQUIRED, 0, NULL,
	    "INSTANCE", "the hypervisor's name or uuid of the instance" },
	{ "host", 0, OPT_NAME, OPT_REQUIRED | OPT_EXISTING, KIND_HOST, NULL,
	    "HOST", "the host it runs on" },
	{ "name", 0, OPT_NAME, 0, KIND_VM, NULL, "NAME",
	    "record it under this name (default: its own, if it is a valid "
	    "name)" },
	OPT_TAGS,
	{ NULL }
};

static const struct cmd_opt vm_stats_opts[] = {
	{ "name", 0, OPT_NAME, OPT_POSITIONAL | OPT_MULTI | OPT_EXISTING,
	    KIND_VM, NULL, "NAME", "instances (default: all)" },
	{ NULL }
};

const struct cmd_entry cmd_host_sync = {
	"host", "sync", NULL, host_sync_opts, CMD_WRITE | CMD_LIST,
	"compare the store with what hosts report; adopt outside snapshots",
	"drift is present (in both), missing (recorded, gone from the host) "
	"or unmanaged (on the host, not recorded). Facts and states are "
	"refreshed; each recorded instance's snapshots are listed, and those "
	"taken outside hvsh are recorded. Instances are neither added nor "
	"removed ('vm adopt', 'vm forget').",
	host_sync
};
const struct cmd_entry cmd_host_facts = {
	"host", "facts", NULL, host_facts_opts, CMD_WRITE | CMD_SHOW,
	"ask a host for its CPUs, memory, free memory and version", NULL,
	host_facts
};
const struct cmd_entry cmd_vm_adopt = {
	"vm", "adopt", NULL, vm_adopt_opts, CMD_WRITE | CMD_OPERATOR,
	"record an unmanaged instance found on a host",
	"The instance is matched by its uuid afterwards.", vm_adopt
};
const struct cmd_entry cmd_vm_stats = {
	"vm", "stats", NULL, vm_stats_opts, CMD_WRITE | CMD_LIST,
	"live state, CPU and memory of instances, from their hosts", NULL,
	vm_stats
};
