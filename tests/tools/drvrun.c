/*
 * drvrun: runs one driver operation on one host through the real transport
 * and prints what the driver read back, one "key value" line each. Tests
 * use it to check a driver against the lab before the commands above it.
 *
 *   drvrun --driver kvm --address A [--port P] --user U --key K \
 *       --known-hosts F [--timeout MS] OP [NAME]
 *   OP: probe | refresh | dry-OP NAME | OP NAME
 *       | detail                    (refresh, then detail of the flagged)
 *       | state NAME...             (NAME: a uuid, .vmx path or name)
 *       | create NAME CPUS MEM DISK [KEY=VALUE...]
 *       | call CALL [KEY=VALUE...]          (dry-call, dry-create too)
 *   create keys: image_path image_kind image_format pool full network
 *       domtype product
 *   call: a drv_call by its name with '-' for ' ' ("volume-create");
 *       keys are the fields of struct drv_req: vm (name and path),
 *       uuid, hvsh_id, pool, volume, vol_path, device, size, format,
 *       snapshot, snap_ref, description, memory, running, dest, product
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "err.h"
#include "transport.h"
#include "util.h"

static void
usage(void)
{
	fputs("usage: drvrun --driver D --address A [--port P] --user U "
	    "--key K --known-hosts F OP [NAME]\n", stderr);
	exit(2);
}

/* s with control characters as \\ooo, so that a name stays on one line. */
static void
print_safe(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '\\')
			printf("\\%03o", (unsigned char)*s);
		else
			putchar(*s);
	}
}

static void
print_vm(const struct hv_vm *v)
{
	fputs("vm ", stdout);
	print_safe(v->name ? v->name : "-");
	printf(" state=%s cpus=%d memory=%" PRId64 " mem_used=%" PRId64
	    " cpu_time=%.3f uuid=%s hvsh_id=%s path=%s\n",
	    hv_state_name(v->state), v->cpus,
	    v->memory, v->mem_used, v->cpu_time, v->uuid ? v->uuid : "-",
	    v->hvsh_id ? v->hvsh_id : "-", v->path ? v->path : "-");
}

/* Sets field KEY of a create spec from "KEY=VALUE"; 0 or -1. */
static int
spec_set(struct drv_spec *s, const char *kv)
{
	const char	*v = strchr(kv, '=');
	size_t		 k;

	if (v == NULL)
		return -1;
	k = (size_t)(v++ - kv);
#define IS(name) (k == strlen(name) && strncmp(kv, name, k) == 0)
	if (IS("image_path")) s->image_path = v;
	else if (IS("image_kind")) s->image_kind = v;
	else if (IS("image_format")) s->image_format = v;
	else if (IS("pool")) s->pool = v;
	else if (IS("full")) s->full = atoi(v);
	else if (IS("network")) s->network = v;
	else if (IS("domtype")) s->domtype = v;
	else if (IS("product")) s->product = v;
	else return -1;
	return 0;
}

/* Sets field KEY of a call's request from "KEY=VALUE"; 0 or -1. */
static int
req_set(struct drv_req *r, const char *kv)
{
	const char	*v = strchr(kv, '=');
	size_t		 k;
	int64_t		 n;

	if (v == NULL)
		return -1;
	k = (size_t)(v++ - kv);
	if (IS("vm")) r->vm.name = r->vm.path = v;
	else if (IS("uuid")) r->vm.uuid = v;
	else if (IS("hvsh_id")) r->vm.hvsh_id = v;
	else if (IS("pool")) r->pool = v;
	else if (IS("volume")) r->volume = v;
	else if (IS("vol_path")) r->vol_path = v;
	else if (IS("device")) r->device = v;
	else if (IS("size")) {
		if (parse_size(v, &n) != 0)
			return -1;
		r->size = n;
	} else if (IS("format")) r->format = v;
	else if (IS("snapshot")) r->snapshot = v;
	else if (IS("snap_ref")) r->snap_ref = v;
	else if (IS("description")) r->description = v;
	else if (IS("memory")) r->memory = atoi(v);
	else if (IS("running")) r->running = atoi(v);
	else if (IS("dest")) r->dest = v;
	else if (IS("product")) r->product = v;
	else return -1;
#undef IS
	return 0;
}

/* The call named like drv_call_name() with '-' for ' ', or -1. */
static int
call_find(const char *name)
{
	char	buf[64];
	size_t	i;
	int	k;

	for (k = 0; k < DRV_CALL__COUNT; k++) {
		snprintf(buf, sizeof buf, "%s", drv_call_name((enum drv_call)k));
		for (i = 0; buf[i] != '\0'; i++)
			if (buf[i] == ' ')
				buf[i] = '-';
		if (strcmp(buf, name) == 0)
			return k;
	}
	return -1;
}

static void
print_reply(const struct drv_reply *r)
{
	size_t	i;

	printf("reply path=%s device=%s ref=%s sha256=%s size=%" PRId64
	    " capacity=%" PRId64 " used=%" PRId64 "\n",
	    r->path ? r->path : "-", r->device ? r->device : "-",
	    r->ref ? r->ref : "-", r->sha256 ? r->sha256 : "-", r->size,
	    r->capacity, r->used);
	for (i = 0; i < r->snaps.n; i++)
		printf("snapshot %s uuid=%s parent=%s created=%" PRId64
		    " state=%s\n", r->snaps.v[i].name ? r->snaps.v[i].name : "-",
		    r->snaps.v[i].uuid ? r->snaps.v[i].uuid : "-",
		    r->snaps.v[i].parent ? r->snaps.v[i].parent : "-",
		    r->snaps.v[i].created,
		    r->snaps.v[i].state ? r->snaps.v[i].state : "-");
}

/* Runs every step of plan; prints each result; returns the last. */
static int
run_plan(struct transport *tp, const struct tp_host *h,
    const struct driver *d, struct drv_plan *plan, struct tp_result *last)
{
	struct hv_error	e;
	size_t		i;

	for (i = 0; i < plan->n; i++) {
		if (i > 0)
			tp_result_free(last);
		memset(last, 0, sizeof *last);
		if (tp_run(tp, h, plan->argv[i], NULL, last) != 0) {
			printf("error transport %s\n", last->errmsg);
			return 1;
		}
		if (last->status != 0) {
			memset(&e, 0, sizeof e);
			if (d->error_read(last, &e) == 0)
				printf("error %d %s\n", e.code, e.reason);
			else
				printf("error unreadable status=%d\n",
				    last->status);
			hv_error_clear(&e);
			return 1;
		}
	}
	return 0;
}

/* NAME as a target: a .vmx path if absolute, a uuid if shaped like one. */
static void
target_of(struct drv_target *t, const char *name)
{
	memset(t, 0, sizeof *t);
	t->name = name;
	if (name[0] == '/')
		t->path = name;
	else if (strlen(name) == 36 && name[8] == '-' && name[13] == '-')
		t->uuid = name;
}

/* The detail of every instance the refresh flagged, in one more exec. */
static int
run_detail(struct transport *tp, const struct tp_host *h,
    const struct driver *d, const struct drv_refresh *rf,
    struct hv_vm_list *vl)
{
	struct drv_plan		 plan = { 0 };
	struct tp_result	 res = { 0 };
	struct hv_vm		**need = xcalloc(vl->n + 1, sizeof *need);
	size_t			 i, n = 0;
	int			 rc = 0;

	for (i = 0; i < vl->n; i++)
		if (vl->v[i].unsure || vl->v[i].id_unread)
			need[n++] = &vl->v[i];
	printf("flagged %zu\n", n);
	if (n == 0 || d->detail == NULL)
		goto out;
	if (d->detail(rf, need, n, &plan) != 0) {
		printf("error plan %s\n", err_msg());
		rc = 1;
	} else if ((rc = run_plan(tp, h, d, &plan, &res)) == 0 &&
	    d->detail_read(rf, &res, need, n) != 0) {
		printf("error read %s\n", err_msg());
		rc = 1;
	}
out:
	tp_result_free(&res);
	drv_plan_clear(&plan);
	free(need);
	return rc;
}

int
main(int argc, char **argv)
{
	struct tp_opts		 o = { 0 };
	struct tp_host		 h = { 0 };
	struct transport	*tp;
	const struct driver	*d = NULL;
	struct drv_plan		 plan = { 0 };
	struct drv_target	 t = { 0 }, *ts = NULL;
	enum hv_state		*sts = NULL;
	size_t			 nt = 0;
	struct drv_spec		 spec = { .name = 0 };
	struct drv_req		 req = { .pool = NULL };
	struct drv_reply	 reply;
	int			 call = -1;
	struct tp_result	 res = { 0 };
	struct hv_facts		 f;
	struct drv_refresh	 rf;
	struct hv_vm_list	 vl = { 0 };
	struct hv_vm		 vm;
	const char		*op;
	char			*text;
	int			 i, k, rc = 0, dry = 0;
	int64_t			 n;

	for (i = 1; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--driver") == 0)
			d = driver_find(argv[i + 1]);
		else if (strcmp(argv[i], "--address") == 0)
			h.address = argv[i + 1];
		else if (strcmp(argv[i], "--port") == 0)
			h.port = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--user") == 0)
			h.user = argv[i + 1];
		else if (strcmp(argv[i], "--key") == 0)
			h.key = argv[i + 1];
		else if (strcmp(argv[i], "--known-hosts") == 0)
			o.known_hosts = argv[i + 1];
		else if (strcmp(argv[i], "--timeout") == 0)
			o.command_timeout_ms = atoi(argv[i + 1]);
		else
			usage();
	}
	/* A driver that speaks an API has no plans to run. */
	if (d == NULL || driver_is_direct(d) || h.address == NULL || i >= argc)
		usage();
	h.name = h.address;
	op = argv[i++];
	if (strncmp(op, "dry-", 4) == 0) {
		dry = 1;
		op += 4;
	}
	if (tp_new(&o, &tp) != 0) {
		fprintf(stderr, "drvrun: %s\n", err_msg());
		return 1;
	}
	hv_facts_init(&f);
	drv_reply_init(&reply);
	drv_refresh_init(&rf);
	if (strcmp(op, "probe") == 0) {
		rc = d->probe(&plan);
	} else if (strcmp(op, "refresh") == 0 || strcmp(op, "detail") == 0) {
		rc = d->refresh(&rf, &plan);
	} else if (strcmp(op, "state") == 0) {
		if (i >= argc || d->state == NULL)
			usage();
		nt = (size_t)(argc - i);
		ts = xcalloc(nt, sizeof *ts);
		sts = xcalloc(nt, sizeof *sts);
		for (k = 0; (size_t)k < nt; k++)
			target_of(&ts[k], argv[i + k]);
		rc = d->state(&rf, ts, nt, &plan);
	} else if (strcmp(op, "create") == 0) {
		if (i + 4 > argc || d->create == NULL)
			usage();
		spec.name = argv[i];
		spec.hvsh_id = "4242";
		spec.cpus = atoi(argv[i + 1]);
		if (parse_size(argv[i + 2], &n) != 0)
			usage();
		spec.memory = n;
		if (parse_size(argv[i + 3], &n) != 0)
			usage();
		spec.disk = n;
		for (k = i + 4; k < argc; k++)
			if (spec_set(&spec, argv[k]) != 0)
				usage();
		rc = d->create(&spec, &plan);
	} else if (strcmp(op, "call") == 0) {
		if (i >= argc || (call = call_find(argv[i])) < 0)
			usage();
		for (k = i + 1; k < argc; k++)
			if (req_set(&req, argv[k]) != 0)
				usage();
		if (d->call[call] == NULL)
			rc = err_set(ERR_INVAL, "%s: no such slot in %s",
			    drv_call_name((enum drv_call)call), d->name);
		else
			rc = d->call[call](&req, &plan);
	} else {
		for (k = 0; k < DRV_OP__COUNT; k++) {
			if (strcmp(op, drv_op_name((enum drv_op)k)) == 0)
				break;
		}
		if (k == DRV_OP__COUNT || i >= argc)
			usage();
		t.name = argv[i];
		t.path = argv[i];
		rc = d->op[k] != NULL ? d->op[k](&t, &plan) :
		    err_set(ERR_INVAL, "%s: no such slot in %s", op, d->name);
	}
	if (rc != 0) {
		printf("error plan %s\n", err_msg());
		rc = 1;
		goto out;
	}
	if (dry) {
		for (k = 0; (size_t)k < plan.n; k++) {
			text = drv_plan_text(&plan, (size_t)k);
			printf("%s\n", text);
			free(text);
		}
		goto out;
	}
	if ((rc = run_plan(tp, &h, d, &plan, &res)) != 0)
		goto out;
	if (strcmp(op, "probe") == 0) {
		if ((rc = d->probe_read(&res, &f)) == 0)
			printf("version %s\n", f.version ? f.version : "-");
	} else if (strcmp(op, "refresh") == 0) {
		if ((rc = d->refresh_read(&rf, &res, &f, &vl)) == 0) {
			printf("facts cpus=%d memory=%" PRId64 " mem_free=%"
			    PRId64 "\n", f.cpus, f.memory, f.mem_free);
			for (k = 0; (size_t)k < vl.n; k++)
				print_vm(&vl.v[k]);
		}
	} else if (strcmp(op, "detail") == 0) {
		if ((rc = d->refresh_read(&rf, &res, &f, &vl)) == 0 &&
		    (rc = run_detail(tp, &h, d, &rf, &vl)) == 0) {
			for (k = 0; (size_t)k < vl.n; k++)
				print_vm(&vl.v[k]);
		} else if (rc > 0)
			goto out;
	} else if (strcmp(op, "state") == 0) {
		if ((rc = d->state_read(&rf, ts, nt, &res, sts)) == 0)
			for (k = 0; (size_t)k < nt; k++)
				printf("state %s %s\n", argv[i + k],
				    hv_state_name(sts[k]));
	} else if (strcmp(op, "create") == 0) {
		hv_vm_init(&vm);
		if (d->create_read != NULL && (rc = d->create_read(&res, &vm)) == 0)
			print_vm(&vm);
		if (rc == 0 && vm.disk != NULL)
			printf("disk %s\n", vm.disk);
		hv_vm_clear(&vm);
	} else if (call >= 0) {
		if (d->call_read[call] != NULL &&
		    (rc = d->call_read[call](&req, &res, &reply)) == 0)
			print_reply(&reply);
		else if (d->call_read[call] == NULL)
			printf("done %s\n", argv[i]);
	} else {
		printf("done %s\n", op);
	}
	if (rc != 0) {
		printf("error read %s\n", err_msg());
		rc = 1;
	}
out:
	free(ts);
	free(sts);
	tp_result_free(&res);
	drv_reply_clear(&reply);
	hv_vm_list_free(&vl);
	hv_facts_clear(&f);
	drv_plan_clear(&plan);
	tp_free(tp);
	return rc;
}
