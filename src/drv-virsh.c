/*
 * drv-virsh.c: the KVM driver. It speaks to libvirt through the host's own
 * virsh (shared/hv-formats/virsh.md) and reads the answers only with the
 * hvout-virsh.c parsers.
 *
 * A refresh is one exec of one virsh process (see virsh_script); hvsh's
 * id in a domain's <metadata> is read only for the domains that need it
 * (the detail). Instances are created from XML that hvsh writes itself,
 * with a root disk in a libvirt dir pool: "hvsh" at $HOME/hvsh-disks, or,
 * for a directory hvsh names, "hvsh-" and a hash of its path, defined on
 * first use. A root disk from a template is a qcow2 overlay of it (or a
 * copy) made with qemu-img, since the template need not be in a pool.
 * Destroy leaves disks alone: hvsh removes those it made itself, by path.
 *
 * The storage and image calls are one exec each, most of them a fixed
 * shell script whose values arrive as positional parameters. Snapshots
 * are libvirt's internal ones (qcow2), so they live in the disk itself.
 *
 * The pool of the default lives in the login user's home (fine for
 * qemu:///session; a qemu:///system host wants a pool that the qemu user
 * can read, which a pool directory named by hvsh gives).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "driver.h"
#include "err.h"
#include "hvout.h"
#include "index.h"
#include "name.h"
#include "util.h"

#define VIRSH_NS	DRV_XML_NS
#define VIRSH_POOL	"hvsh"
#define VIRSH_DOMTYPE	"qemu"
#define VIRSH_REASON	200	/* longest stderr line quoted in a message */
#define VIRSH_POOLPFX	"hvsh-"	/* a named directory's pool: this + hash */

/*
 * Makes sure the pool exists and is active. Two creates at once may both
 * try to define it; the loser's failure is ignored and pool-refresh, which
 * fails on a missing or inactive pool, decides.
 */
#define POOL_SCRIPT \
	"virsh pool-info " VIRSH_POOL " >/dev/null 2>&1 || " \
	"{ mkdir -p \"$HOME/hvsh-disks\" && virsh pool-define-as " \
	VIRSH_POOL " dir --target \"$HOME/hvsh-disks\" >/dev/null && " \
	"virsh pool-autostart " VIRSH_POOL " >/dev/null; }; " \
	"virsh pool-start " VIRSH_POOL " >/dev/null 2>&1; " \
	"virsh pool-refresh " VIRSH_POOL " >/dev/null"

/* The XML goes in as "$1", an argument: data for the shell, never script. */
#define DEFINE_SCRIPT	"printf \"%s\" \"$1\" | virsh define /dev/stdin"

/*
 * Powers a domain off unless it is already off (state.state 5), so that
 * destroy works on a stopped instance too. domstats prints the state as a
 * number whatever the host's locale. If the domain is missing, destroy
 * fails with virsh's own "failed to get domain".
 */
#define OFF_SCRIPT \
	"virsh domstats --state \"$1\" 2>/dev/null | " \
	"grep -qx \"  state.state=5\" || virsh destroy \"$1\""

/*
 * The word that names a target on virsh's command line: the UUID when we
 * have one (it survives renames, and a name like "3" would be taken for a
 * domain id), else the name, which must pass hvsh's allow-list so that it
 * cannot start with '-' and be read as an option.
 */
static int
target_word(const struct drv_target *t, const char **word)
{
	int	rc;

	*word = NULL;
	if (t->uuid != NULL && *t->uuid != '\0') {
		if (!hvout_is_uuid(t->uuid, strlen(t->uuid)))
			return err_set(ERR_INVAL, "kvm: '%s' is not a UUID",
			    t->uuid);
		*word = t->uuid;
		return 0;
	}
	if ((rc = name_check("instance", t->name)) != 0)
		return rc;
	*word = t->name;
	return 0;
}

/* Plans one "virsh VERB TARGET". */
static int
plan_verb(const struct drv_target *t, struct drv_plan *plan,
    const char *verb)
{
	const char	*w;
	int		 rc;

	if ((rc = target_word(t, &w)) != 0)
		return rc;
	drv_plan_add(plan, "virsh", verb, w, NULL);
	return 0;
}

static int
virsh_start(const struct drv_target *t, struct drv_plan *plan)
{
	return plan_verb(t, plan, "start");
}

/* ACPI shutdown; waiting for the domain to go off is the service's job. */
static int
virsh_stop(const struct drv_target *t, struct drv_plan *plan)
{
	return plan_verb(t, plan, "shutdown");
}

/* libvirt's "destroy" pulls the plug; the domain stays defined. */
static int
virsh_force_off(const struct drv_target *t, struct drv_plan *plan)
{
	return plan_verb(t, plan, "destroy");
}

static int
virsh_reboot(const struct drv_target *t, struct drv_plan *plan)
{
	return plan_verb(t, plan, "reboot");
}

/* hvsh's suspend is libvirt's pause: the vCPUs stop, memory stays. */
static int
virsh_suspend(const struct drv_target *t, struct drv_plan *plan)
{
	return plan_verb(t, plan, "suspend");
}

static int
virsh_resume(const struct drv_target *t, struct drv_plan *plan)
{
	return plan_verb(t, plan, "resume");
}

/*
 * Removes the domain: power off unless it is off, then undefine it with
 * its snapshots' metadata, its NVRAM and any managed-save image, each of
 * which would otherwise make undefine refuse or leave files behind. Its
 * disks stay: attached data volumes outlive it, and hvsh removes the root
 * disk it made with DRV_VOL_REMOVE.
 */
static int
virsh_destroy(const struct drv_target *t, struct drv_plan *plan)
{
	const char	*w;
	int		 rc;

	if ((rc = target_word(t, &w)) != 0)
		return rc;
	drv_plan_add(plan, "sh", "-c", OFF_SCRIPT, "sh", w, NULL);
	drv_plan_add(plan, "virsh", "undefine", w, "--snapshots-metadata",
	    "--nvram", "--managed-save", NULL);
	return 0;
}

/*
 * "version" also proves that virsh reaches the hypervisor. Before it, as
 * a batch marker, whether /dev/kvm is there and usable by the user hvsh
 * logs in as (a session libvirt runs QEMU as that user): whether domains
 * of type kvm can run here.
 */
#define PROBE_SCRIPT \
	"test -c /dev/kvm && test -r /dev/kvm && test -w /dev/kvm; " \
	"echo \"@@hvsh:$?@@\"; virsh version"

static int
virsh_probe(struct drv_plan *plan)
{
	drv_plan_add(plan, "sh", "-c", PROBE_SCRIPT, NULL);
	return 0;
}

/* Moves what a facts parser found into facts, which keeps the rest. */
static void
facts_merge(struct hv_facts *facts, struct hv_facts *f)
{
	if (f->cpus >= 0)
		facts->cpus = f->cpus;
	if (f->memory >= 0)
		facts->memory = f->memory;
	if (f->mem_free >= 0)
		facts->mem_free = f->mem_free;
	if (f->version != NULL) {
		free(facts->version);
		facts->version = f->version;
		f->version = NULL;	/* transferred */
	}
	if (f->hostname != NULL) {
		free(facts->hostname);
		facts->hostname = f->hostname;
		f->hostname = NULL;	/* transferred */
	}
}

/* The first non-blank line of a stream, shortened, for messages. */
static char *
first_line(const char *s, size_t len)
{
	const char	*nl;
	size_t		 n;

	while (len > 0 && (*s == '\n' || *s == ' ' || *s == '\t' ||
	    *s == '\r')) {
		s++;
		len--;
	}
	if (len == 0)
		return NULL;
	nl = memchr(s, '\n', len);
	n = nl != NULL ? (size_t)(nl - s) : len;
	if (n > VIRSH_REASON)
		n = VIRSH_REASON;
	return xstrndup(s, n);
}

/*
 * Why a command failed. Exit status 127 is the shell's "not found"; if it
 * names virsh, libvirt's client is not installed. Otherwise virsh's own
 * "error:" lines, else the first line of stderr.
 */
static int
virsh_error_read(const struct tp_result *res, struct hv_error *e)
{
	char	*line;

	memset(e, 0, sizeof *e);
	if (res->status == 127) {
		e->code = ERR_IO;
		if (res->err != NULL && memmem(res->err, res->errlen,
		    "virsh", 5) != NULL) {
			e->reason = xstrdup("virsh not found on host");
			return 0;
		}
		line = first_line(res->err, res->errlen);
		e->reason = xasprintf("command not found on host%s%s",
		    line != NULL ? ": " : "", line != NULL ? line : "");
		free(line);
		return 0;
	}
	if (res->err != NULL && res->errlen > 0 &&
	    hvout_virsh_error(res->err, res->errlen, e) == 0)
		return 0;
	memset(e, 0, sizeof *e);
	e->code = ERR_FAIL;
	if (res->err != NULL &&
	    (line = first_line(res->err, res->errlen)) != NULL)
		e->reason = line;
	else
		e->reason = xasprintf("virsh exited with status %d",
		    res->status);
	return 0;
}

/* A result cut at the transport's output cap is no answer at all. */
static int
result_check(const struct tp_result *res, const char *what)
{
	if (res->truncated)
		return err_set(ERR_IO, "kvm %s: output truncated (more than "
		    "the transport keeps)", what);
	if (res->out == NULL)
		return err_set(ERR_IO, "kvm %s: no output", what);
	return 0;
}

static int
virsh_probe_read(const struct tp_result *res, struct hv_facts *facts)
{
	struct hv_facts	f;
	int		rc;

	struct drv_section	sec[1];
	const char		*v = res->out;
	size_t			 vl = res->outlen;
	int			 accel = -1;

	if ((rc = result_check(res, "probe")) != 0)
		return rc;
	hv_facts_init(&f);
	if (drv_sections(res->out, res->outlen, sec, 1) == 0) {
		accel = sec[0].status == 0;
		v = sec[0].text + sec[0].len;
		vl = res->outlen - (size_t)(v - res->out);
	}
	if ((rc = hvout_virsh_version(v, vl, &f)) != 0)
		goto out;
	facts_merge(facts, &f);
	facts->hw_accel = accel;
out:
	hv_facts_clear(&f);
	return rc;
}

/*
 * A refresh is one virsh process, so one connection to libvirtd, running
 * its parts one after another. After each part virsh's own echo prints the
 * part's marker, which carries the refresh's nonce, on stdout and on stderr
 * (where "echo --err" puts "error: " before it), so that each part's output
 * and errors are told apart. virsh goes on after a part that failed.
 * domstats --raw gives every domain's state, vCPUs, memory and disks in one
 * call; hvsh's id on a domain (in its metadata) is asked only by the
 * detail, for the domains a refresh could not match otherwise.
 */
enum {
	R_NODEINFO,
	R_MEMSTATS,
	R_VERSION,
	R_LIST,
	R_DOMSTATS,
	R__COUNT
};

static const char *const refresh_parts[R__COUNT] = {
	"nodeinfo",
	"nodememstats",
	"version",
	"list --all --uuid --name",
	"domstats --raw --state --balloon --vcpu --cpu-total --block"
};

/* The most parts one virsh process is given (a detail of many domains). */
#define VIRSH_PARTS_MAX	4096

/*
 * virsh's command string for parts: each part, then its markers. The words
 * are hvsh's own or UUIDs that passed hvout_is_uuid; none needs quoting
 * for virsh's parser.
 */
static char *
virsh_script(const char *nonce, const char *const *parts, size_t n)
{
	struct buf	b = { 0 };
	char		m[DRV_MARK_MAX];
	size_t		i;

	for (i = 0; i < n; i++) {
		drv_mark(m, nonce, (int)(i % 256));
		buf_printf(&b, "%s%s; echo %s; echo --err %s", i > 0 ? "; " : "",
		    parts[i], m, m);
	}
	return buf_take(&b);
}

/* One part of a virsh run: its stdout, and its own "error: ..." lines. */
struct vpart {
	const char	*out;
	size_t		 outlen;
	const char	*err;
	size_t		 errlen;
};

/*
 * Splits a run of n parts at its markers. The marker of part i ends in i
 * modulo 256; a marker missing or out of order means the output was cut
 * (virsh killed, or the connection lost), which is an error naming the
 * part.
 */
static int
virsh_split(const char *nonce, const struct tp_result *res,
    const char *const *parts, size_t n, struct vpart *vp, const char *what)
{
	struct drv_section	*sec = xcalloc(n + 1, sizeof *sec);
	char			 m[DRV_MARK_MAX], *em;
	const char		*p, *end, *q;
	size_t			 i, k, ml;
	int			 rc = 0;

	if (drv_sections_nonce(res->out, res->outlen, nonce, sec, n) != 0) {
		/* The first part whose marker is missing. */
		for (k = n; k > 0 && drv_sections_nonce(res->out, res->outlen,
		    nonce, sec, k) != 0; k--)
			;
		rc = err_set(ERR_IO, "kvm %s: output broken off at '%s'", what,
		    parts[k < n ? k : n - 1]);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (sec[i].status != (int)(i % 256)) {
			rc = err_set(ERR_IO, "kvm %s: parts out of order at "
			    "'%s'", what, parts[i]);
			goto out;
		}
		vp[i].out = sec[i].text;
		vp[i].outlen = sec[i].len;
	}
	/* stderr: the same markers, each on a line "error: MARK". */
	p = res->err;
	end = res->err + res->errlen;
	for (i = 0; i < n; i++) {
		drv_mark(m, nonce, (int)(i % 256));
		em = xasprintf("error: %s\n", m);
		ml = strlen(em);
		for (q = p; q < end; q++)
			if ((q == res->err || q[-1] == '\n') &&
			    (size_t)(end - q) >= ml && memcmp(q, em, ml) == 0)
				break;
		free(em);
		if (q >= end) {
			rc = err_set(ERR_IO, "kvm %s: error output broken off "
			    "at '%s'", what, parts[i]);
			goto out;
		}
		vp[i].err = p;
		vp[i].errlen = (size_t)(q - p);
		p = q + ml;
	}
out:
	free(sec);
	return rc;
}

/* The part's first "error: " line, without the prefix; NULL if none. */
static char *
part_error(const struct vpart *vp)
{
	const char	*p = vp->err, *end = vp->err + vp->errlen, *nl;
	size_t		 n;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > 7 && memcmp(p, "error: ", 7) == 0) {
			n -= 7;
			return xstrndup(p + 7, n > VIRSH_REASON ?
			    VIRSH_REASON : n);
		}
	}
	return NULL;
}

/* Fails with the part's error, naming it. */
static int
part_failed(const char *what, const char *part, const char *why)
{
	return err_set(ERR_IO, "kvm %s: '%s' failed: %s", what, part, why);
}

/* Prefixes the message of a failed parser with what was being read. */
static int
reread(int rc, const char *what)
{
	char	msg[512];

	snprintf(msg, sizeof msg, "%s", err_msg());
	return err_set(rc, "kvm refresh: %s: %s", what, msg);
}

/* Takes what domstats knew about a domain. */
static void
stats_merge(struct hv_vm *vm, struct hv_vm *s)
{
	vm->state = s->state;
	vm->cpus = s->cpus;
	vm->memory = s->memory;
	vm->mem_used = s->mem_used;
	vm->cpu_time = s->cpu_time;
	vm->sig = s->sig;
	/*
	 * libvirt 9.0 prints a cpu.time for inactive domains too, the same
	 * for all of them (dominfo shows none): it is not the domain's.
	 */
	if (vm->state == HV_STOPPED) {
		vm->cpu_time = 0;
		vm->mem_used = 0;
	}
}

/*
 * Pairs each domain of l (list --uuid --name: the UUIDs) with its domstats
 * record (the name exact, quoted). list trims trailing spaces; domains
 * whose names differ only in them pair up in the order both print them.
 */
static void
stats_pair(struct hv_vm_list *l, struct hv_vm_list *st)
{
	struct index	*ix = index_new(st->n);
	char		*taken = xcalloc(st->n + 1, 1);
	size_t		 i, k, cur, len;

	for (i = 0; i < st->n; i++) {
		if (st->v[i].name == NULL)
			continue;
		len = strlen(st->v[i].name);
		hvout_rtrim(st->v[i].name, &len);
		index_add(ix, st->v[i].name, len, i);
	}
	for (i = 0; i < l->n; i++) {
		l->v[i].id_unread = 1;
		if (l->v[i].name == NULL)
			continue;
		cur = 0;
		while (index_next(ix, l->v[i].name, strlen(l->v[i].name), &cur,
		    &k) && taken[k])
			;
		if (cur == 0 || k >= st->n || taken[k] ||
		    st->v[k].name == NULL)
			continue;
		taken[k] = 1;
		/* domstats quotes the name: it has the spaces list ate. */
		free(l->v[i].name);
		l->v[i].name = st->v[k].name;
		st->v[k].name = NULL;	/* transferred */
		stats_merge(&l->v[i], &st->v[k]);
	}
	free(taken);
	index_free(ix);
}

/*
 * Reads a refresh. list is the set of domains; domstats adds state and
 * numbers. A failed list or domstats fails the refresh (half a host would
 * look like vanished instances); a failed facts part leaves those facts
 * unknown. A domain domstats did not report (gone in between) is unknown.
 */
static int
virsh_refresh_read(const struct drv_refresh *rf, const struct tp_result *res,
    struct hv_facts *facts, struct hv_vm_list *vms)
{
	struct vpart		 vp[R__COUNT];
	struct hv_facts		 f;
	struct hv_vm_list	 l = { NULL, 0 }, st = { NULL, 0 };
	char			*why;
	size_t			 i;
	int			 rc;

	hv_facts_init(&f);
	if ((rc = result_check(res, "refresh")) != 0 ||
	    (rc = virsh_split(rf->nonce, res, refresh_parts, R__COUNT, vp,
	    "refresh")) != 0)
		goto out;
	for (i = R_LIST; i <= R_DOMSTATS; i++) {
		if ((why = part_error(&vp[i])) != NULL) {
			rc = part_failed("refresh", refresh_parts[i], why);
			free(why);
			goto out;
		}
	}
	if ((rc = hvout_virsh_list_uuid(vp[R_LIST].out, vp[R_LIST].outlen,
	    &l)) != 0 || (rc = hvout_virsh_domstats(vp[R_DOMSTATS].out,
	    vp[R_DOMSTATS].outlen, &st)) != 0) {
		/* The parsers' messages name the command already. */
		rc = reread(rc, "unreadable output");
		goto out;
	}
	/* Facts: each part on its own; nodememstats after nodeinfo. */
	if ((why = part_error(&vp[R_NODEINFO])) == NULL)
		(void)hvout_virsh_nodeinfo(vp[R_NODEINFO].out,
		    vp[R_NODEINFO].outlen, &f);
	free(why);
	if ((why = part_error(&vp[R_MEMSTATS])) == NULL)
		(void)hvout_virsh_nodememstats(vp[R_MEMSTATS].out,
		    vp[R_MEMSTATS].outlen, &f);
	free(why);
	if ((why = part_error(&vp[R_VERSION])) == NULL)
		(void)hvout_virsh_version(vp[R_VERSION].out,
		    vp[R_VERSION].outlen, &f);
	free(why);
	stats_pair(&l, &st);
	facts_merge(facts, &f);
	hv_vm_list_free(vms);
	*vms = l;
	l.v = NULL;	/* transferred */
	l.n = 0;
out:
	hv_facts_clear(&f);
	hv_vm_list_free(&l);
	hv_vm_list_free(&st);
	return rc;
}

static int
virsh_refresh(const struct drv_refresh *rf, struct drv_plan *plan)
{
	char	*script = virsh_script(rf->nonce, refresh_parts, R__COUNT);

	drv_plan_add(plan, "virsh", script, NULL);
	free(script);
	return 0;
}

/* Parts "VERB UUID" for each of need, which must have UUIDs. */
static char **
uuid_parts(const char *verb, const char *tail, struct hv_vm *const *need,
    size_t n)
{
	char	**parts = xcalloc(n + 1, sizeof *parts);
	size_t	  i;

	for (i = 0; i < n; i++)
		parts[i] = xasprintf("%s %s%s", verb, need[i]->uuid, tail);
	return parts;
}

static void
parts_free(char **parts, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(parts[i]);
	free(parts);
}

/* One virsh process running parts (which it frees), a step of plan. */
static void
plan_parts(const struct drv_refresh *rf, char **parts, size_t n,
    struct drv_plan *plan)
{
	char	*script = virsh_script(rf->nonce, (const char *const *)parts,
		    n);

	drv_plan_add(plan, "virsh", script, NULL);
	free(script);
	parts_free(parts, n);
}

/* Every one of need has a UUID that virsh printed; at most PARTS_MAX. */
static int
detail_check(struct hv_vm *const *need, size_t n)
{
	size_t	i;

	if (n == 0 || n > VIRSH_PARTS_MAX)
		return err_set(ERR_INVAL, "kvm detail: %zu domains", n);
	for (i = 0; i < n; i++)
		if (need[i]->uuid == NULL ||
		    !hvout_is_uuid(need[i]->uuid, strlen(need[i]->uuid)))
			return err_set(ERR_INVAL, "kvm detail: a domain "
			    "without a UUID");
	return 0;
}

#define DETAIL_TAIL	" --uri " VIRSH_NS

/* hvsh's id of each domain of need: its metadata element, one part each. */
static int
virsh_detail(const struct drv_refresh *rf, struct hv_vm *const *need,
    size_t n, struct drv_plan *plan)
{
	char	**parts;
	int	  rc;

	if ((rc = detail_check(need, n)) != 0)
		return rc;
	parts = uuid_parts("metadata", DETAIL_TAIL, need, n);
	plan_parts(rf, parts, n, plan);
	return 0;
}

/*
 * Each part is the domain's hvsh element, or, with no such element, the
 * error "metadata not found"; a domain gone meanwhile fails with "failed to
 * get domain" and is unknown.
 */
static int
virsh_detail_read(const struct drv_refresh *rf, const struct tp_result *res,
    struct hv_vm *const *need, size_t n)
{
	struct vpart	 *vp;
	char		**parts, *why, *id;
	size_t		  i;
	int		  rc;

	if ((rc = detail_check(need, n)) != 0 ||
	    (rc = result_check(res, "detail")) != 0)
		return rc;
	vp = xcalloc(n, sizeof *vp);
	parts = uuid_parts("metadata", DETAIL_TAIL, need, n);
	if ((rc = virsh_split(rf->nonce, res, (const char *const *)parts, n,
	    vp, "detail")) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if ((why = part_error(&vp[i])) != NULL) {
			if (strstr(why, "metadata not found") != NULL) {
				free(need[i]->hvsh_id);
				need[i]->hvsh_id = NULL;
			} else if (strstr(why, "failed to get domain") != NULL)
				need[i]->state = HV_UNKNOWN;
			else
				rc = part_failed("detail", parts[i], why);
			free(why);
			if (rc != 0)
				goto out;
			need[i]->id_unread = 0;
			continue;
		}
		id = NULL;
		if ((rc = hvout_virsh_metadata_elem(vp[i].out, vp[i].outlen,
		    &id)) != 0)
			goto out;
		free(need[i]->hvsh_id);
		need[i]->hvsh_id = id;
		need[i]->id_unread = 0;
	}
out:
	parts_free(parts, n);
	free(vp);
	return rc;
}

/* "domstate W" for each target: its name or UUID, as an op names it. */
static int
state_parts(const struct drv_target *t, size_t n, char ***out)
{
	char		**parts;
	const char	 *w;
	size_t		  i;
	int		  rc;

	if (n == 0 || n > VIRSH_PARTS_MAX)
		return err_set(ERR_INVAL, "kvm state: %zu domains", n);
	parts = xcalloc(n + 1, sizeof *parts);
	for (i = 0; i < n; i++) {
		if ((rc = target_word(&t[i], &w)) != 0) {
			parts_free(parts, i);
			return rc;
		}
		parts[i] = xasprintf("domstate %s", w);
	}
	*out = parts;
	return 0;
}

static int
virsh_state(const struct drv_refresh *rf, const struct drv_target *t,
    size_t n, struct drv_plan *plan)
{
	char	**parts = NULL;
	int	  rc;

	if ((rc = state_parts(t, n, &parts)) != 0)
		return rc;
	plan_parts(rf, parts, n, plan);
	return 0;
}

/* Each part is domstate's one line; a domain the host lacks is unknown. */
static int
virsh_state_read(const struct drv_refresh *rf, const struct drv_target *t,
    size_t n, const struct tp_result *res, enum hv_state *out)
{
	struct vpart		 *vp;
	struct hv_vmstate	  vs;
	char			**parts = NULL, *why;
	size_t			  i;
	int			  rc;

	if ((rc = result_check(res, "state")) != 0 ||
	    (rc = state_parts(t, n, &parts)) != 0)
		return rc;
	vp = xcalloc(n, sizeof *vp);
	if ((rc = virsh_split(rf->nonce, res, (const char *const *)parts, n,
	    vp, "state")) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		out[i] = HV_UNKNOWN;
		if ((why = part_error(&vp[i])) != NULL) {
			if (strstr(why, "failed to get domain") == NULL)
				rc = part_failed("state", parts[i], why);
			free(why);
			if (rc != 0)
				goto out;
			continue;
		}
		memset(&vs, 0, sizeof vs);
		if ((rc = hvout_virsh_domstate(vp[i].out, vp[i].outlen,
		    &vs)) != 0)
			goto out;
		out[i] = vs.state;
		free(vs.reason);
	}
out:
	parts_free(parts, n);
	free(vp);
	return rc;
}


/*
 * Makes sure the pool "$1" for directory "$2" exists and is active, as
 * POOL_SCRIPT does for the default ("$2" empty: $HOME/hvsh-disks, made if
 * missing; a directory hvsh names must exist, or pool-refresh fails);
 * callers append their own commands after it, with the pool in "$p".
 */
#define PREP_SCRIPT \
	"p=$1; d=${2:-$HOME/hvsh-disks}; " \
	"virsh pool-info \"$p\" >/dev/null 2>&1 || " \
	"{ { [ -n \"$2\" ] || mkdir -p \"$d\"; } && virsh pool-define-as " \
	"\"$p\" dir --target \"$d\" >/dev/null && " \
	"virsh pool-autostart \"$p\" >/dev/null; }; " \
	"virsh pool-start \"$p\" >/dev/null 2>&1; " \
	"virsh pool-refresh \"$p\" >/dev/null || exit; "

#define POOLINFO_SCRIPT	PREP_SCRIPT "virsh pool-info --bytes \"$p\""

/* $3 volume name, $4 size in bytes, $5 format; prints its path. */
#define VOLCREATE_SCRIPT \
	PREP_SCRIPT "virsh vol-create-as \"$p\" \"$3\" \"$4\" --format \"$5\" " \
	">/dev/null || exit; virsh vol-path --pool \"$p\" \"$3\""

/*
 * Attaches "$2" to domain "$1" as "$3", or as the first vdX that neither
 * its live nor its persistent XML uses; "$4" is --persistent or --config,
 * "$5" the image format. Prints the target.
 */
#define ATTACH_SCRIPT \
	"t=$3; if [ -z \"$t\" ]; then " \
	"x=$(virsh dumpxml \"$1\" && virsh dumpxml --inactive \"$1\") " \
	"|| exit; for c in b c d e f g h i j k l m n o p q r s t u v w x y z; " \
	"do case $x in *\"dev='vd$c'\"*) ;; *) t=vd$c; break;; esac; done; " \
	"[ -n \"$t\" ] || { echo \"error: no free disk target vdb-vdz\" >&2; " \
	"exit 1; }; fi; " \
	"virsh attach-disk \"$1\" \"$2\" \"$t\" --driver qemu --subdriver " \
	"\"$5\" --targetbus virtio \"$4\" >/dev/null || exit; echo \"$t\""

/*
 * Grows volume "$1" to "$2" bytes, through domain "$3" (blockresize,
 * which QEMU must do itself) when it runs attached there; then vol-info.
 */
#define RESIZE_SCRIPT \
	"if [ -n \"$3\" ]; then virsh blockresize \"$3\" \"$1\" --size " \
	"\"${2}B\" >/dev/null || exit; else virsh vol-resize \"$1\" \"$2\" " \
	">/dev/null || exit; fi; virsh vol-info --bytes \"$1\""

/*
 * Deletes volume "$1", a disk hvsh made: through libvirt when a pool holds
 * it, else as the plain file it is (a root disk made in a pool directory
 * is one). A file that is not there is "not found".
 */
#define VOLREMOVE_SCRIPT \
	"if [ ! -e \"$1\" ]; then echo \"error: storage volume not found: " \
	"$1\" >&2; exit 1; fi; " \
	"virsh vol-delete \"$1\" >/dev/null 2>&1 && exit 0; " \
	"rm -f -- \"$1\" && exit 0; " \
	"echo \"error: cannot remove $1\" >&2; exit 1"

/*
 * Copies root disk "$1" (or its internal snapshot "$3") whole into a new
 * qcow2 "$2", which must not exist, through "$2.part" so that a failed
 * copy leaves no template behind; then the copy's size.
 */
#define CAPTURE_SCRIPT \
	"if [ -e \"$2\" ]; then echo \"error: $2 already exists\" >&2; " \
	"exit 1; fi; if [ -n \"$3\" ]; then qemu-img convert -O qcow2 -l " \
	"\"snapshot.name=$3\" \"$1\" \"$2.part\"; else qemu-img convert -O " \
	"qcow2 \"$1\" \"$2.part\"; fi || { rm -f \"$2.part\"; exit 1; }; " \
	"mv \"$2.part\" \"$2\" && qemu-img info --output=json \"$2\""

/*
 * Writes our element into the persistent definition, and into the live
 * one unless the domain is off (state.state 5), since a refresh reads
 * the live XML of a running domain.
 */
#define SETID_SCRIPT \
	"virsh metadata \"$1\" \"$2\" --key hvsh --set \"$3\" --config " \
	">/dev/null || exit; virsh domstats --state \"$1\" 2>/dev/null | " \
	"grep -qx \"  state.state=5\" || virsh metadata \"$1\" \"$2\" --key " \
	"hvsh --set \"$3\" --live >/dev/null"

/*
 * A root disk from an image: "$1" overlay (a qcow2 whose backing file is
 * image "$2" of format "$3") or copy (qemu-img convert, then grown to
 * "$6" if given), named "$5" in directory "$4" (empty: the default pool's),
 * which must not exist yet; then pool "$7" is refreshed to know it.
 */
#define IMGDISK_SCRIPT \
	"d=${4:-$HOME/hvsh-disks}/$5; if [ -e \"$d\" ]; then echo " \
	"\"error: volume $d already exists\" >&2; exit 1; fi; " \
	"if [ \"$1\" = copy ]; then qemu-img convert -O qcow2 -f \"$3\" " \
	"\"$2\" \"$d\" && { [ -z \"$6\" ] || qemu-img resize -q \"$d\" " \
	"\"$6\"; }; else qemu-img create -q -f qcow2 -b \"$2\" -F \"$3\" " \
	"\"$d\" ${6:+\"$6\"}; fi || { rm -f \"$d\"; exit 1; }; " \
	"virsh pool-refresh \"$7\" >/dev/null"

/*
 * With a pool directory known, a create is one exec and three processes,
 * as a person would type it: the root disk as the file "$4" (mode "$1":
 * "empty" of "$5" bytes, an "overlay" on image "$2" of format "$3", or a
 * full "copy" of it, "$5" bytes or the image's size), the domain defined
 * from "$6" (whose disk is that file), then dominfo "$7", a batch marker
 * and the disk's path, as INFO_SCRIPT prints them. A file there already
 * is refused; a define that fails removes the disk it made.
 */
#define FILE_CREATE_SCRIPT \
	"d=$4; if [ -e \"$d\" ]; then echo \"error: volume $d already " \
	"exists\" >&2; exit 1; fi; case $1 in " \
	"copy) qemu-img convert -O qcow2 -f \"$3\" \"$2\" \"$d\" && " \
	"{ [ -z \"$5\" ] || qemu-img resize -q \"$d\" \"$5\"; } ;; " \
	"overlay) qemu-img create -q -f qcow2 -b \"$2\" -F \"$3\" \"$d\" " \
	"${5:+\"$5\"} ;; " \
	"*) qemu-img create -q -f qcow2 \"$d\" \"$5\" ;; esac || " \
	"{ rm -f -- \"$d\"; exit 1; }; " \
	"printf \"%s\" \"$6\" | virsh define /dev/stdin >/dev/null || " \
	"{ rm -f -- \"$d\"; exit 1; }; " \
	"virsh dominfo \"$7\" || exit; echo \"@@hvsh:0@@\"; echo \"$d\""

/* dominfo, a batch marker, and the root disk's path (volume "$3"). */
#define INFO_SCRIPT \
	"virsh dominfo \"$1\" || exit; echo \"@@hvsh:0@@\"; " \
	"virsh vol-path --pool \"$2\" \"$3\""

/*
 * A path as hvsh sends it to a host: absolute, no control characters
 * (a newline would end a line of our scripts' output).
 */
static int
path_check(const char *what, const char *path)
{
	const unsigned char	*p;

	if (path == NULL || *path != '/')
		return err_set(ERR_INVAL, "kvm: %s must be an absolute path",
		    what);
	for (p = (const unsigned char *)path; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return err_set(ERR_INVAL, "kvm: %s has a control "
			    "character", what);
	return 0;
}

/*
 * The libvirt pool for directory dir (NULL: the default pool "hvsh"):
 * "hvsh-" and 12 hex digits of a hash (FNV-1a) of the path without
 * trailing slashes, so the same directory always maps to the same pool
 * and the name is safe whatever the path holds. *dirp is that path, or ""
 * for the default. Caller frees both.
 */
static int
pool_of(const char *dir, char **namep, char **dirp)
{
	uint64_t	h = 0xcbf29ce484222325ULL;
	size_t		n, i;
	int		rc;

	*namep = *dirp = NULL;
	if (dir == NULL) {
		*namep = xstrdup(VIRSH_POOL);
		*dirp = xstrdup("");
		return 0;
	}
	if ((rc = path_check("pool", dir)) != 0)
		return rc;
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	for (i = 0; i < n; i++) {
		h ^= (unsigned char)dir[i];
		h *= 0x100000001b3ULL;
	}
	*namep = xasprintf(VIRSH_POOLPFX "%012" PRIx64,
	    (uint64_t)(h & 0xffffffffffffULL));
	*dirp = xstrndup(dir, n);
	return 0;
}

/* Formats virsh and qemu-img both know; NULL is qcow2. */
static int
format_check(const char *fmt, const char **out)
{
	if (fmt == NULL)
		fmt = "qcow2";
	if (strcmp(fmt, "qcow2") != 0 && strcmp(fmt, "raw") != 0)
		return err_set(ERR_INVAL, "kvm: format '%s' is not qcow2 or "
		    "raw", fmt);
	*out = fmt;
	return 0;
}

/* A disk target: a few lowercase letters, then letters or digits. */
static int
device_check(const char *dev)
{
	size_t	i, n;

	n = dev != NULL ? strlen(dev) : 0;
	if (n < 2 || n > 16 || dev[0] < 'a' || dev[0] > 'z')
		return err_set(ERR_INVAL, "kvm: bad disk target '%s'",
		    dev != NULL ? dev : "");
	for (i = 0; i < n; i++)
		if (!((dev[i] >= 'a' && dev[i] <= 'z') ||
		    (dev[i] >= '0' && dev[i] <= '9')))
			return err_set(ERR_INVAL, "kvm: bad disk target '%s'",
			    dev);
	return 0;
}

static int
size_check(int64_t size)
{
	if (size <= 0)
		return err_set(ERR_INVAL, "kvm: size of %" PRId64 " bytes",
		    size);
	return 0;
}

static int
call_pool_info(const struct drv_req *r, struct drv_plan *plan)
{
	char	*name, *dir;
	int	 rc;

	if ((rc = pool_of(r->pool, &name, &dir)) != 0)
		return rc;
	drv_plan_add(plan, "sh", "-c", POOLINFO_SCRIPT, "sh", name, dir, NULL);
	free(name);
	free(dir);
	return 0;
}

static int
read_pool_info(const struct drv_req *r, const struct tp_result *res,
    struct drv_reply *reply)
{
	struct hv_pool	p;
	int		rc;

	(void)r;
	if ((rc = result_check(res, "pool info")) != 0)
		return rc;
	if ((rc = hvout_virsh_pool_info(res->out, res->outlen, &p)) != 0)
		return rc;
	reply->capacity = p.size;
	reply->used = p.used;
	free(p.name);
	return 0;
}

/* A volume "NAME.qcow2" (or ".img" for raw) of the pool's directory. */
static int
call_vol_create(const struct drv_req *r, struct drv_plan *plan)
{
	const char	*fmt;
	char		*name, *dir, *vol, *size;
	int		 rc;

	if ((rc = name_check("volume", r->volume)) != 0 ||
	    (rc = size_check(r->size)) != 0 ||
	    (rc = format_check(r->format, &fmt)) != 0)
		return rc;
	if ((rc = pool_of(r->pool, &name, &dir)) != 0)
		return rc;
	vol = xasprintf("%s.%s", r->volume, strcmp(fmt, "raw") == 0 ?
	    "img" : "qcow2");
	size = xasprintf("%" PRId64, r->size);
	drv_plan_add(plan, "sh", "-c", VOLCREATE_SCRIPT, "sh", name, dir, vol,
	    size, fmt, NULL);
	free(name);
	free(dir);
	free(vol);
	free(size);
	return 0;
}

/* The path vol-path printed; an absolute one or it is not an answer. */
static int
read_vol_create(const struct drv_req *r, const struct tp_result *res,
    struct drv_reply *reply)
{
	char	*path = NULL;
	int	 rc;

	if ((rc = result_check(res, "volume create")) != 0)
		return rc;
	if ((rc = hvout_virsh_line(res->out, res->outlen, &path)) != 0)
		return rc;
	if (path_check("vol-path's answer", path) != 0) {
		free(path);
		return err_set(ERR_INVAL, "kvm volume create: vol-path did "
		    "not print a path");
	}
	reply->path = path;
	reply->size = r->size;
	return 0;
}

static int
call_vol_attach(const struct drv_req *r, struct drv_plan *plan)
{
	const char	*w, *fmt;
	int		 rc;

	if ((rc = target_word(&r->vm, &w)) != 0 ||
	    (rc = path_check("volume", r->vol_path)) != 0 ||
	    (rc = format_check(r->format, &fmt)) != 0)
		return rc;
	if (r->device != NULL && (rc = device_check(r->device)) != 0)
		return rc;
	drv_plan_add(plan, "sh", "-c", ATTACH_SCRIPT, "sh", w, r->vol_path,
	    r->device != NULL ? r->device : "",
	    r->running ? "--persistent" : "--config", fmt, NULL);
	return 0;
}

static int
read_vol_attach(const struct drv_req *r, const struct tp_result *res,
    struct drv_reply *reply)
{
	char	*dev = NULL;
	int	 rc;

	(void)r;
	if ((rc = result_check(res, "volume attach")) != 0)
		return rc;
	if ((rc = hvout_virsh_line(res->out, res->outlen, &dev)) != 0)
		return rc;
	if (device_check(dev) != 0) {
		free(dev);
		return err_set(ERR_INVAL, "kvm volume attach: no disk target "
		    "in the answer");
	}
	reply->device = dev;
	return 0;
}

/* By target if attach said it, else by path (detach-disk takes both). */
static int
call_vol_detach(const struct drv_req *r, struct drv_plan *plan)
{
	const char	*w;
	int		 rc;

	if ((rc = target_word(&r->vm, &w)) != 0)
		return rc;
	if (r->device != NULL) {
		if ((rc = device_check(r->device)) != 0)
			return rc;
	} else if ((rc = path_check("volume", r->vol_path)) != 0)
		return rc;
	drv_plan_add(plan, "virsh", "detach-disk", w,
	    r->device != NULL ? r->device : r->vol_path,
	    r->running ? "--persistent" : "--config", NULL);
	return 0;
}

static int
call_vol_resize(const struct drv_req *r, struct drv_plan *plan)
{
	const char	*w = "";
	char		*size;
	int		 rc;

	if ((rc = path_check("volume", r->vol_path)) != 0 ||
	    (rc = size_check(r->size)) != 0)
		return rc;
	if (r->running && (rc = target_word(&r->vm, &w)) != 0)
		return rc;
	size = xasprintf("%" PRId64, r->size);
	drv_plan_add(plan, "sh", "-c", RESIZE_SCRIPT, "sh", r->vol_path, size,
	    w, NULL);
	free(size);
	return 0;
}

/* The new size as vol-info --bytes reads it back. */
static int
read_vol_resize(const struct drv_req *r, const struct tp_result *res,
    struct drv_reply *reply)
{
	struct hv_pool	p;
	int		rc;

	(void)r;
	if ((rc = result_check(res, "volume resize")) != 0)
		return rc;
	if ((rc = hvout_virsh_pool_info(res->out, res->outlen, &p)) != 0)
		return rc;
	reply->size = p.size;
	free(p.name);
	return 0;
}

static int
call_vol_remove(const struct drv_req *r, struct drv_plan *plan)
{
	int	rc;

	if ((rc = path_check("volume", r->vol_path)) != 0)
		return rc;
	drv_plan_add(plan, "sh", "-c", VOLREMOVE_SCRIPT, "sh", r->vol_path,
	    NULL);
	return 0;
}

/* A description may say anything but must stay one line. */
static int
text_check(const char *what, const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return err_set(ERR_INVAL, "kvm: %s has a control "
			    "character", what);
	return 0;
}

/*
 * An internal snapshot: of a running domain it holds the memory too
 * (libvirt has no internal snapshot of a running domain without it), of
 * a stopped one the disks. Never --disk-only, which makes external ones.
 */
static int
call_snap_create(const struct drv_req *r, struct drv_plan *plan)
{
	const char	*w;
	int		 rc;

	if ((rc = target_word(&r->vm, &w)) != 0 ||
	    (rc = name_check("snapshot", r->snapshot)) != 0)
		return rc;
	if (r->description == NULL) {
		drv_plan_add(plan, "virsh", "snapshot-create-as", w,
		    r->snapshot, NULL);
		return 0;
	}
	if ((rc = text_check("description", r->description)) != 0)
		return rc;
	drv_plan_add(plan, "virsh", "snapshot-create-as", w, r->snapshot,
	    "--description", r->description, NULL);
	return 0;
}

/* snapshot-revert or snapshot-delete DOM NAME. */
static int
plan_snap(const struct drv_req *r, struct drv_plan *plan, const char *verb)
{
	const char	*w;
	int		 rc;

	if ((rc = target_word(&r->vm, &w)) != 0 ||
	    (rc = name_check("snapshot", r->snapshot)) != 0)
		return rc;
	drv_plan_add(plan, "virsh", verb, w, r->snapshot, NULL);
	return 0;
}

static int
call_snap_revert(const struct drv_req *r, struct drv_plan *plan)
{
	return plan_snap(r, plan, "snapshot-revert");
}

static int
call_snap_remove(const struct drv_req *r, struct drv_plan *plan)
{
	return plan_snap(r, plan, "snapshot-delete");
}

static int
call_snap_list(const struct drv_req *r, struct drv_plan *plan)
{
	const char	*w;
	int		 rc;

	if ((rc = target_word(&r->vm, &w)) != 0)
		return rc;
	drv_plan_add(plan, "virsh", "snapshot-list", w, "--parent", NULL);
	return 0;
}

static int
read_snap_list(const struct drv_req *r, const struct tp_result *res,
    struct drv_reply *reply)
{
	struct hv_snapshot_list	l = { NULL, 0 };
	int			rc;

	(void)r;
	if ((rc = result_check(res, "snapshot list")) != 0)
		return rc;
	if ((rc = hvout_virsh_snapshot_list(res->out, res->outlen, &l)) != 0)
		return rc;
	hv_snapshot_list_free(&reply->snaps);
	reply->snaps = l;
	return 0;
}

static int
call_capture(const struct drv_req *r, struct drv_plan *plan)
{
	int	rc;

	if ((rc = path_check("root disk", r->vol_path)) != 0 ||
	    (rc = path_check("destination", r->dest)) != 0)
		return rc;
	if (r->snapshot != NULL &&
	    (rc = name_check("snapshot", r->snapshot)) != 0)
		return rc;
	drv_plan_add(plan, "sh", "-c", CAPTURE_SCRIPT, "sh", r->vol_path,
	    r->dest, r->snapshot != NULL ? r->snapshot : "", NULL);
	return 0;
}

static int
read_capture(const struct drv_req *r, const struct tp_result *res,
    struct drv_reply *reply)
{
	int64_t	size;
	int	rc;

	if ((rc = result_check(res, "image capture")) != 0)
		return rc;
	if ((rc = hvout_virsh_qemu_img_size(res->out, res->outlen,
	    &size)) != 0)
		return rc;
	reply->path = xstrdup(r->dest);
	reply->size = size;
	return 0;
}

static int
call_image_sum(const struct drv_req *r, struct drv_plan *plan)
{
	int	rc;

	if ((rc = path_check("image", r->dest)) != 0)
		return rc;
	drv_plan_add(plan, "sha256sum", "--", r->dest, NULL);
	return 0;
}

static int
read_image_sum(const struct drv_req *r, const struct tp_result *res,
    struct drv_reply *reply)
{
	char	*hex = NULL;
	int	 rc;

	(void)r;
	if ((rc = result_check(res, "image sum")) != 0)
		return rc;
	if ((rc = hvout_virsh_sha256(res->out, res->outlen, &hex)) != 0)
		return rc;
	reply->sha256 = hex;
	return 0;
}

/*
 * Our id as drv_domain_xml writes it: <hvsh:instance id="N"/> in our
 * namespace, which virsh metadata prefixes with the key "hvsh".
 */
static int
call_set_id(const struct drv_req *r, struct drv_plan *plan)
{
	const char	*w;
	char		*el;
	int		 rc;

	if ((rc = target_word(&r->vm, &w)) != 0)
		return rc;
	if (r->vm.hvsh_id == NULL || name_check("hvsh id", r->vm.hvsh_id) != 0)
		return err_set(ERR_INVAL, "kvm set id: bad hvsh id");
	el = xasprintf("<instance id=\"%s\"/>", r->vm.hvsh_id);
	drv_plan_add(plan, "sh", "-c", SETID_SCRIPT, "sh", w, VIRSH_NS, el,
	    NULL);
	free(el);
	return 0;
}

/* What create accepts of an image; sets *fromimg for template or disk. */
static int
create_image_check(const struct drv_spec *s, int *fromimg)
{
	const char	*fmt;
	int		 rc;

	*fromimg = 0;
	if (s->image_path == NULL)
		return s->image_kind == NULL ? 0 : err_set(ERR_INVAL,
		    "kvm create: an image kind without an image");
	if ((rc = path_check("image", s->image_path)) != 0)
		return rc;
	if (s->image_kind == NULL)
		return err_set(ERR_INVAL, "kvm create: image kind missing");
	if (strcmp(s->image_kind, "iso") == 0) {
		if (s->image_format != NULL &&
		    strcmp(s->image_format, "iso") != 0 &&
		    strcmp(s->image_format, "raw") != 0)
			return err_set(ERR_INVAL, "kvm create: an ISO of "
			    "format '%s'", s->image_format);
		return 0;
	}
	if (strcmp(s->image_kind, "template") != 0 &&
	    strcmp(s->image_kind, "disk") != 0)
		return err_set(ERR_INVAL, "kvm create: image kind '%s' is not "
		    "iso, template or disk", s->image_kind);
	if ((rc = format_check(s->image_format, &fmt)) != 0)
		return rc;
	*fromimg = 1;
	return 0;
}

/*
 * Defines the domain first: a name that is taken fails there, before any
 * storage is touched. Then the root disk in its pool: empty (vol-create-as,
 * which refuses to overwrite an existing volume) or from the image; then
 * dominfo, and the disk's path for create_read.
 */
static int
virsh_create(const struct drv_spec *s, struct drv_plan *plan)
{
	struct drv_spec	 x;
	const char	*domtype, *ifmt = NULL;
	char		*xml = NULL, *vol = NULL, *size = NULL;
	char		*pool = NULL, *dir = NULL, *file = NULL;
	int		 rc, fromimg;

	if ((rc = name_check("instance", s->name)) != 0)
		return rc;
	if (s->hvsh_id == NULL || name_check("hvsh id", s->hvsh_id) != 0)
		return err_set(ERR_INVAL, "kvm create: bad hvsh id");
	if (s->cpus < 1 || s->cpus > 4096)
		return err_set(ERR_INVAL, "kvm create: %d vCPUs", s->cpus);
	if (s->memory < 1024 * 1024 || s->memory > INT64_MAX / 2)
		return err_set(ERR_INVAL, "kvm create: memory of %" PRId64
		    " bytes", s->memory);
	if (s->disk < 0)
		return err_set(ERR_INVAL, "kvm create: disk of %" PRId64
		    " bytes", s->disk);
	if ((rc = create_image_check(s, &fromimg)) != 0)
		return rc;
	if (fromimg)
		(void)format_check(s->image_format, &ifmt);
	domtype = s->domtype != NULL ? s->domtype : VIRSH_DOMTYPE;
	if (strcmp(domtype, "qemu") != 0 && strcmp(domtype, "kvm") != 0)
		return err_set(ERR_INVAL, "kvm create: domain type '%s' is "
		    "not kvm or qemu", domtype);
	if (s->network != NULL &&
	    (rc = name_check("network", s->network)) != 0)
		return rc;
	if ((rc = pool_of(s->pool, &pool, &dir)) != 0)
		return rc;
	/* From an image there is a root disk even of the image's size. */
	x = *s;
	if (fromimg && x.disk == 0)
		x.disk = 1;
	vol = xasprintf("%s.qcow2", s->name);
	size = s->disk > 0 ? xasprintf("%" PRId64, s->disk) : xstrdup("");
	if (s->pool != NULL && x.disk > 0) {
		/* A directory hvsh knows: the disk is a file of it. */
		file = xasprintf("%s/%s", dir, vol);
		xml = drv_domain_xml(&x, domtype, pool, file);
		drv_plan_add(plan, "sh", "-c", FILE_CREATE_SCRIPT, "sh",
		    !fromimg ? "empty" : s->full ? "copy" : "overlay",
		    fromimg ? s->image_path : "", fromimg ? ifmt : "", file,
		    size, xml, s->name, NULL);
		goto out;
	}
	xml = drv_domain_xml(&x, domtype, pool, NULL);
	if (x.disk > 0)
		drv_plan_add(plan, "sh", "-c", POOL_SCRIPT, NULL);
	drv_plan_add(plan, "sh", "-c", DEFINE_SCRIPT, "sh", xml, NULL);
	if (fromimg)
		drv_plan_add(plan, "sh", "-c", IMGDISK_SCRIPT, "sh",
		    s->full ? "copy" : "overlay", s->image_path, ifmt, dir,
		    vol, size, pool, NULL);
	else if (x.disk > 0)
		drv_plan_add(plan, "virsh", "vol-create-as", pool, vol, size,
		    "--format", "qcow2", NULL);
	if (x.disk > 0)
		drv_plan_add(plan, "sh", "-c", INFO_SCRIPT, "sh", s->name, pool,
		    vol, NULL);
	else
		drv_plan_add(plan, "virsh", "dominfo", s->name, NULL);
out:
	free(file);
	free(xml);
	free(vol);
	free(size);
	free(pool);
	free(dir);
	return 0;
}

/*
 * The new domain as dominfo shows it: name, UUID, state, size; after a
 * marker line, if the domain has a root disk, the disk's path.
 */
static int
virsh_create_read(const struct tp_result *res, struct hv_vm *vm)
{
	struct drv_section	 sec[1];
	struct hv_vm		 v;
	const char		*info, *rest = NULL;
	size_t			 infolen, restlen = 0;
	char			*disk = NULL;
	int			 rc;

	if ((rc = result_check(res, "create")) != 0)
		return rc;
	info = res->out;
	infolen = res->outlen;
	if (drv_sections(res->out, res->outlen, sec, 1) == 0) {
		info = sec[0].text;
		infolen = sec[0].len;
		rest = sec[0].text + sec[0].len;
		restlen = res->outlen - (size_t)(rest - res->out);
		/* Past the marker line itself. */
		while (restlen > 0 && *rest != '\n') {
			rest++;
			restlen--;
		}
	}
	if (rest != NULL) {
		if ((rc = hvout_virsh_line(rest, restlen, &disk)) != 0)
			return rc;
		if (path_check("root disk", disk) != 0) {
			free(disk);
			return err_set(ERR_INVAL, "kvm create: vol-path did "
			    "not print a path");
		}
	}
	hv_vm_init(&v);
	if ((rc = hvout_virsh_dominfo(info, infolen, &v)) != 0) {
		free(disk);
		return rc;
	}
	if (v.uuid == NULL) {
		hv_vm_clear(&v);
		free(disk);
		return err_set(ERR_INVAL, "kvm create: dominfo shows no UUID");
	}
	v.disk = disk;
	hv_vm_clear(vm);
	*vm = v;	/* transferred */
	return 0;
}

const struct driver drv_virsh = {
	.name = "kvm",
	.cli = "virsh",
	.capture_format = "qcow2",
	.probe = virsh_probe,
	.probe_read = virsh_probe_read,
	.refresh = virsh_refresh,
	.refresh_read = virsh_refresh_read,
	.detail = virsh_detail,
	.detail_read = virsh_detail_read,
	.state = virsh_state,
	.state_read = virsh_state_read,
	.error_read = virsh_error_read,
	.op = {
		[DRV_START] = virsh_start,
		[DRV_STOP] = virsh_stop,
		[DRV_FORCE_OFF] = virsh_force_off,
		[DRV_REBOOT] = virsh_reboot,
		[DRV_SUSPEND] = virsh_suspend,
		[DRV_RESUME] = virsh_resume,
		[DRV_DESTROY] = virsh_destroy,
	},
	.create = virsh_create,
	.create_read = virsh_create_read,
	.call = {
		[DRV_POOL_INFO] = call_pool_info,
		[DRV_VOL_CREATE] = call_vol_create,
		[DRV_VOL_ATTACH] = call_vol_attach,
		[DRV_VOL_DETACH] = call_vol_detach,
		[DRV_VOL_RESIZE] = call_vol_resize,
		[DRV_VOL_REMOVE] = call_vol_remove,
		[DRV_SNAP_CREATE] = call_snap_create,
		[DRV_SNAP_REVERT] = call_snap_revert,
		[DRV_SNAP_REMOVE] = call_snap_remove,
		[DRV_SNAP_LIST] = call_snap_list,
		[DRV_CAPTURE] = call_capture,
		[DRV_IMAGE_SUM] = call_image_sum,
		[DRV_SET_ID] = call_set_id,
	},
	.call_read = {
		[DRV_POOL_INFO] = read_pool_info,
		[DRV_VOL_CREATE] = read_vol_create,
		[DRV_VOL_ATTACH] = read_vol_attach,
		[DRV_VOL_RESIZE] = read_vol_resize,
		[DRV_SNAP_LIST] = read_snap_list,
		[DRV_CAPTURE] = read_capture,
		[DRV_IMAGE_SUM] = read_image_sum,
	},
};
