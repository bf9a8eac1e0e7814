/*
 * drv-virsh.c: the KVM driver. It speaks to libvirt through the host's own
 * virsh (shared/hv-formats/virsh.md) and reads the answers only with the
 * hvout-virsh.c parsers.
 *
 * A refresh is one exec: a batch of seven virsh commands, the last a fixed
 * shell loop that prints each domain's XML so that our id can be read from
 * its <metadata>. Instances are created from XML that hvsh writes itself,
 * with a root disk in a libvirt dir pool "hvsh" at $HOME/hvsh-disks, so that
 * "undefine --remove-all-storage" removes the disk with the domain.
 *
 * Two choices here are for the lab and will become settings: domains are
 * <domain type="qemu"> (TCG; type "kvm" needs /dev/kvm) and the pool lives
 * in the login user's home (fine for qemu:///session; a qemu:///system
 * host wants a pool that the qemu user can read).
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
#include "name.h"
#include "util.h"

#define VIRSH_NS	DRV_XML_NS
#define VIRSH_POOL	"hvsh"
#define VIRSH_DOMTYPE	"qemu"
#define VIRSH_REASON	200	/* longest stderr line quoted in a message */

/*
 * The metadata loop. Host data enters it only as "$d", a UUID that virsh
 * printed, expanded inside the remote shell. Every line of the XML is
 * indented by sed, so no text of the host's (a <description>, a CDATA
 * section) can start a line: "<@dom ...>" lines and the batch's own
 * "@@hvsh:" markers can only be ours.
 */
#define META_SCRIPT \
	"set -f; u=$(virsh list --all --uuid) || exit; " \
	"for d in $u; do printf \"<@dom %s>\\n\" \"$d\"; " \
	"virsh dumpxml \"$d\" 2>/dev/null | sed \"s/^/ /\"; done"
#define META_MARK	"<@dom "

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

/* The refresh batch, in order; names are for messages. */
enum {
	R_NODEINFO,
	R_MEMSTATS,
	R_VERSION,
	R_LIST,
	R_DOMSTATS,
	R_UUIDS,
	R_META,
	R__COUNT
};

static char *const c_nodeinfo[] = { "virsh", "nodeinfo", NULL };
static char *const c_memstats[] = { "virsh", "nodememstats", NULL };
static char *const c_version[] = { "virsh", "version", NULL };
static char *const c_list[] = { "virsh", "list", "--all", NULL };
static char *const c_domstats[] = { "virsh", "domstats", "--state",
	"--balloon", "--vcpu", "--cpu-total", NULL };
static char *const c_uuids[] = { "virsh", "list", "--all", "--uuid",
	"--name", NULL };
static char *const c_meta[] = { "sh", "-c", META_SCRIPT, NULL };

static char *const *const refresh_cmds[R__COUNT] = {
	c_nodeinfo, c_memstats, c_version, c_list, c_domstats, c_uuids, c_meta
};

static const char *const refresh_what[R__COUNT] = {
	"virsh nodeinfo", "virsh nodememstats", "virsh version",
	"virsh list --all", "virsh domstats", "virsh list --all --uuid --name",
	"virsh dumpxml (metadata loop)"
};

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
 * its snapshots' metadata, its storage volumes (the root disk is one, in
 * our pool), its NVRAM and any managed-save image, each of which would
 * otherwise make undefine refuse or leave files behind.
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
	    "--remove-all-storage", "--nvram", "--managed-save", NULL);
	return 0;
}

static int
virsh_probe(struct drv_plan *plan)
{
	/* "version" also proves that virsh reaches the hypervisor. */
	drv_plan_add(plan, "virsh", "version", NULL);
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

	if ((rc = result_check(res, "probe")) != 0)
		return rc;
	hv_facts_init(&f);
	if ((rc = hvout_virsh_version(res->out, res->outlen, &f)) != 0)
		goto out;
	facts_merge(facts, &f);
out:
	hv_facts_clear(&f);
	return rc;
}

/* Reports a batched command that exited non-zero, with virsh's reason. */
static int
section_failed(const struct tp_result *res, size_t i, int status)
{
	struct tp_result	one = *res;
	struct hv_error		e;
	int			rc;

	/* The batch's stderr holds every command's; this one's is in it. */
	one.status = status;
	(void)virsh_error_read(&one, &e);
	rc = err_set(ERR_IO, "kvm refresh: '%s' failed (status %d): %s",
	    refresh_what[i], status, e.reason != NULL ? e.reason : "?");
	hv_error_clear(&e);
	return rc;
}

/* Prefixes the message of a failed parser with what was being read. */
static int
reread(int rc, const char *what)
{
	char	msg[512];

	snprintf(msg, sizeof msg, "%s", err_msg());
	return err_set(rc, "kvm refresh: %s: %s", what, msg);
}

/* Names the first command whose output is missing or garbled. */
static int
batch_broken(const struct tp_result *res, struct drv_section *sec, int rc)
{
	char	msg[512];
	size_t	k;

	snprintf(msg, sizeof msg, "%s", err_msg());
	for (k = R__COUNT - 1; k > 0; k--)
		if (drv_sections(res->out, res->outlen, sec, k) == 0)
			break;
	return err_set(rc, "kvm refresh: output broken off or garbled at "
	    "'%s' (%s)", refresh_what[k], msg);
}

static struct hv_vm *
vm_by_name(struct hv_vm_list *l, const char *name)
{
	size_t	i;

	for (i = 0; name != NULL && i < l->n; i++)
		if (l->v[i].name != NULL && strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

static struct hv_vm *
vm_by_uuid(struct hv_vm_list *l, const char *uuid, size_t len)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].uuid != NULL && strlen(l->v[i].uuid) == len &&
		    strncasecmp(l->v[i].uuid, uuid, len) == 0)
			return &l->v[i];
	return NULL;
}

/* Takes what domstats knew about a domain over what list said. */
static void
stats_merge(struct hv_vm *vm, const struct hv_vm *s)
{
	if (s->state != HV_UNKNOWN)
		vm->state = s->state;
	if (s->cpus >= 0)
		vm->cpus = s->cpus;
	if (s->memory >= 0)
		vm->memory = s->memory;
	if (s->mem_used >= 0)
		vm->mem_used = s->mem_used;
	if (s->cpu_time >= 0)
		vm->cpu_time = s->cpu_time;
	/*
	 * libvirt 9.0 prints a cpu.time for inactive domains too, the same
	 * for all of them (dominfo shows none): it is not the domain's.
	 */
	if (vm->state == HV_STOPPED) {
		vm->cpu_time = 0;
		vm->mem_used = 0;
	}
}

/* Reads one domain's XML, as the loop printed it, for our id. */
static int
meta_one(struct hv_vm_list *l, char *seen, const char *uuid, size_t ulen,
    const char *xml, size_t xlen)
{
	struct hv_vm	*vm;
	char		*id = NULL;
	int		 rc;

	/* A domain defined after "list --uuid --name" ran: next time. */
	if ((vm = vm_by_uuid(l, uuid, ulen)) == NULL)
		return 0;
	if (seen[vm - l->v]++)
		return err_set(ERR_INVAL, "kvm refresh: the metadata loop "
		    "printed domain %.*s twice", (int)ulen, uuid);
	if ((rc = hvout_virsh_metadata_id(xml, xlen, &id)) != 0)
		return reread(rc, refresh_what[R_META]);
	free(vm->hvsh_id);
	vm->hvsh_id = id;
	return 0;
}

/*
 * Splits the metadata loop's output at its "<@dom UUID>" lines; every
 * other line is indented XML. A line of neither kind means the output is
 * not what the loop prints.
 */
static int
meta_read(const char *text, size_t len, struct hv_vm_list *l)
{
	const char	*p = text, *end = text + len, *nl, *uuid = NULL;
	const char	*xml = NULL;
	size_t		 n, ulen = 0, mlen = strlen(META_MARK);
	char		*seen = xcalloc(l->n + 1, 1);
	int		 rc = 0;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n == 0 || *p == ' ')
			continue;
		if (n < mlen + 2 || memcmp(p, META_MARK, mlen) != 0 ||
		    p[n - 1] != '>' || !hvout_is_uuid(p + mlen, n - mlen - 1)) {
			rc = err_set(ERR_INVAL, "kvm refresh: %s: a line is "
			    "neither a domain marker nor XML",
			    refresh_what[R_META]);
			goto out;
		}
		if (uuid != NULL && (rc = meta_one(l, seen, uuid, ulen, xml,
		    (size_t)(p - xml))) != 0)
			goto out;
		uuid = p + mlen;
		ulen = n - mlen - 1;
		xml = nl < end ? nl + 1 : end;
	}
	if (uuid != NULL)
		rc = meta_one(l, seen, uuid, ulen, xml, (size_t)(end - xml));
out:
	free(seen);
	return rc;
}

/*
 * Reads the refresh batch. "list --all" is the list of domains; domstats
 * adds state and numbers, "list --uuid --name" the UUIDs, the loop our ids.
 * The commands run one after another, so a domain that came or went in
 * between is taken as list saw it. Any failed or unreadable part fails the
 * whole refresh: half a host would look like vanished instances.
 */
static int
virsh_refresh_read(const struct tp_result *res, struct hv_facts *facts,
    struct hv_vm_list *vms)
{
	struct drv_section	 sec[R__COUNT];
	struct hv_facts		 f;
	struct hv_vm_list	 l = { NULL, 0 }, st = { NULL, 0 };
	struct hv_vm_list	 uu = { NULL, 0 };
	struct hv_vm		*vm;
	size_t			 i;
	int			 rc;

	hv_facts_init(&f);
	if ((rc = result_check(res, "refresh")) != 0)
		goto out;
	if ((rc = drv_sections(res->out, res->outlen, sec, R__COUNT)) != 0) {
		rc = batch_broken(res, sec, rc);
		goto out;
	}
	for (i = 0; i < R__COUNT; i++) {
		if (sec[i].status != 0) {
			rc = section_failed(res, i, sec[i].status);
			goto out;
		}
	}
	/* nodememstats after nodeinfo: its total and free go together. */
	if ((rc = hvout_virsh_nodeinfo(sec[R_NODEINFO].text,
	    sec[R_NODEINFO].len, &f)) != 0 ||
	    (rc = hvout_virsh_nodememstats(sec[R_MEMSTATS].text,
	    sec[R_MEMSTATS].len, &f)) != 0 ||
	    (rc = hvout_virsh_version(sec[R_VERSION].text,
	    sec[R_VERSION].len, &f)) != 0 ||
	    (rc = hvout_virsh_list(sec[R_LIST].text, sec[R_LIST].len,
	    &l)) != 0 ||
	    (rc = hvout_virsh_domstats(sec[R_DOMSTATS].text,
	    sec[R_DOMSTATS].len, &st)) != 0 ||
	    (rc = hvout_virsh_list_uuid(sec[R_UUIDS].text, sec[R_UUIDS].len,
	    &uu)) != 0) {
		/* The parsers' messages name the command already. */
		rc = reread(rc, "unreadable output");
		goto out;
	}
	for (i = 0; i < st.n; i++)
		if ((vm = vm_by_name(&l, st.v[i].name)) != NULL)
			stats_merge(vm, &st.v[i]);
	for (i = 0; i < uu.n; i++) {
		if ((vm = vm_by_name(&l, uu.v[i].name)) != NULL &&
		    vm->uuid == NULL) {
			vm->uuid = uu.v[i].uuid;
			uu.v[i].uuid = NULL;	/* transferred */
		}
	}
	if ((rc = meta_read(sec[R_META].text, sec[R_META].len, &l)) != 0)
		goto out;
	facts_merge(facts, &f);
	*vms = l;
	l.v = NULL;	/* transferred */
	l.n = 0;
out:
	hv_facts_clear(&f);
	hv_vm_list_free(&l);
	hv_vm_list_free(&st);
	hv_vm_list_free(&uu);
	return rc;
}

/* One exec for everything a refresh needs (see refresh_cmds). */
static int
virsh_refresh(struct drv_plan *plan)
{
	drv_plan_batch(plan, refresh_cmds, R__COUNT);
	return 0;
}


/*
 * Defines the domain first: a name that is taken fails there, before any
 * storage is touched. Then the root disk as a volume of our pool (which
 * refuses to overwrite an existing one), then dominfo for create_read.
 */
static int
virsh_create(const struct drv_spec *s, struct drv_plan *plan)
{
	char	*xml = NULL, *vol = NULL, *size = NULL;
	int	 rc;

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
	if (s->image_path != NULL)
		return err_set(ERR_INVAL, "kvm create: a disk from an image "
		    "is not supported by kvm yet");
	xml = drv_domain_xml(s, VIRSH_DOMTYPE, VIRSH_POOL);
	if (s->disk > 0)
		drv_plan_add(plan, "sh", "-c", POOL_SCRIPT, NULL);
	drv_plan_add(plan, "sh", "-c", DEFINE_SCRIPT, "sh", xml, NULL);
	if (s->disk > 0) {
		vol = xasprintf("%s.qcow2", s->name);
		size = xasprintf("%" PRId64, s->disk);
		drv_plan_add(plan, "virsh", "vol-create-as", VIRSH_POOL, vol,
		    size, "--format", "qcow2", NULL);
	}
	drv_plan_add(plan, "virsh", "dominfo", s->name, NULL);
	free(xml);
	free(vol);
	free(size);
	return 0;
}

/* The new domain as dominfo shows it: name, UUID, state, size. */
static int
virsh_create_read(const struct tp_result *res, struct hv_vm *vm)
{
	struct hv_vm	v;
	int		rc;

	if ((rc = result_check(res, "create")) != 0)
		return rc;
	hv_vm_init(&v);
	if ((rc = hvout_virsh_dominfo(res->out, res->outlen, &v)) != 0)
		return rc;
	if (v.uuid == NULL) {
		hv_vm_clear(&v);
		return err_set(ERR_INVAL, "kvm create: dominfo shows no UUID");
	}
	hv_vm_clear(vm);
	*vm = v;	/* transferred */
	return 0;
}

const struct driver drv_virsh = {
	.name = "kvm",
	.cli = "virsh",
	.probe = virsh_probe,
	.probe_read = virsh_probe_read,
	.refresh = virsh_refresh,
	.refresh_read = virsh_refresh_read,
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
};
