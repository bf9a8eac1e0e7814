/*
 * drv-xe.c: the Xen driver (XenServer, XCP-ng): what to say to xe and how
 * to read its answers through hvout-xe.c. hvsh logs in to dom0 as root,
 * where xe reaches the local xapi over its Unix socket pre-authenticated
 * (shared/hv-formats/xe.md section 1), so no -s, -u or -pw ever appear
 * and there is no password to leak.
 *
 * A VM is named by uuid= when its uuid is known, else by name-label=, an
 * exact match on that one field. vm= would also take a VM whose uuid is
 * spelled like the name, and --multiple is never passed, so xe refuses to
 * act when a name matches several VMs: an operation touches one VM or none.
 *
 * Hosts are taken as pools of one: host-list reports every host of a
 * pool and the first one's facts would win.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "err.h"
#include "hvout.h"
#include "util.h"

/* A template every xapi ships; it has no disks of its own. */
#define XE_TEMPLATE	"Other install media"

#define XE_HOST_PARAMS	"params=name-label,hostname,software-version," \
			    "cpu_info,memory-total,memory-free"
/*
 * memory-static-max and VCPUs-max give the size of a halted VM, whose
 * memory-actual and VCPUs-number are 0. VCPUs-utilisation is an expensive
 * field (only "<expensive field>" in lists), so mem_used is memory-actual
 * and cpu_time is left unknown.
 */
#define XE_VM_PARAMS	"params=uuid,name-label,power-state,memory-actual," \
			    "memory-static-max,VCPUs-number,VCPUs-max," \
			    "other-config,is-control-domain"

/*
 * The whole of a create, as one exec: later commands need the uuid that
 * vm-install prints, and plan steps are fixed before anything runs. The
 * script is constant; the values arrive as positional parameters, quoted
 * by quote_argv() like any argument, and are only ever expanded inside
 * double quotes, so neither they nor the uuids read back are parsed by the
 * shell. stdin is /dev/null, so no xe can sit waiting for an answer.
 *
 * If a step after vm-install fails, the half-made VM (and a disk not yet
 * attached) is removed again and the failing xe's status and stderr are
 * what the caller sees; only if vm-install's own answer is lost does a VM
 * without an hvsh-id stay behind, for a later sync to find. The root
 * disk's VBD is marked as the owner of its VDI, as the template
 * provisioner does, so that vm-uninstall deletes the disk with the VM. The
 * template starts with one vCPU, so VCPUs-max may be raised first and
 * VCPUs-at-startup after it. The script ends by listing the new VM, so
 * create_read sees it as the host does.
 */
static const char xe_create_script[] =
	"exec </dev/null\n"
	"t=$1 n=$2 m=$3 c=$4 id=$5 d=$6 v=\n"
	"u=$(xe vm-install template=\"$t\" new-name-label=\"$n\") || exit\n"
	"xe vm-memory-limits-set uuid=\"$u\" static-min=\"$m\" "
	    "static-max=\"$m\" dynamic-min=\"$m\" dynamic-max=\"$m\" &&\n"
	"    xe vm-param-set uuid=\"$u\" VCPUs-max=\"$c\" &&\n"
	"    xe vm-param-set uuid=\"$u\" VCPUs-at-startup=\"$c\" &&\n"
	"    xe vm-param-set uuid=\"$u\" other-config:hvsh-id=\"$id\" &&\n"
	"    { [ \"$d\" = 0 ] || {\n"
	"        sr=$(xe pool-list params=default-SR --minimal) &&\n"
	"        v=$(xe vdi-create sr-uuid=\"$sr\" name-label=\"$n root\" "
	    "type=user virtual-size=\"$d\") &&\n"
	"        b=$(xe vbd-create vm-uuid=\"$u\" vdi-uuid=\"$v\" device=0 "
	    "bootable=true mode=RW type=Disk) &&\n"
	"        xe vbd-param-set uuid=\"$b\" other-config:owner=true; }; "
	    "} &&\n"
	"    xe vm-list uuid=\"$u\" " XE_VM_PARAMS " && exit 0\n"
	"s=$?\n"
	"xe vm-uninstall uuid=\"$u\" --force >/dev/null 2>&1\n"
	"[ -z \"$v\" ] || xe vdi-destroy uuid=\"$v\" >/dev/null 2>&1\n"
	"exit $s\n";

/* What sh exits with for a command it cannot find, or cannot run. */
#define SH_NOT_FOUND	127
#define SH_NOT_EXEC	126

/* Prefixes the message a callee left with what was being done. */
static int
xe_fail(int rc, const char *what)
{
	char	msg[768];

	snprintf(msg, sizeof msg, "%s", err_msg());
	return err_set(rc, "%s: %s", what, msg);
}

/*
 * xe sends its argv to xapi one argument per line (xe.md section 1), so a
 * newline inside a value would become an argument of its own: a name
 * "x\n--force" would add --force. Everything else is plain data to xe and
 * to the quoting.
 */
static int
xe_value_check(const char *what, const char *v)
{
	if (v == NULL || *v == '\0')
		return err_set(ERR_INVAL, "xen: the %s is empty", what);
	if (strpbrk(v, "\n\r") != NULL)
		return err_set(ERR_INVAL, "xen: the %s holds a line break, "
		    "which xe would split into two arguments", what);
	return 0;
}

/* "uuid=U" or "name-label=N" for the target; caller frees. */
static int
xe_selector(const struct drv_target *t, char **out)
{
	int	rc;

	*out = NULL;
	if (t->uuid != NULL && *t->uuid != '\0') {
		if ((rc = xe_value_check("VM uuid", t->uuid)) != 0)
			return rc;
		*out = xasprintf("uuid=%s", t->uuid);
		return 0;
	}
	if (t->name == NULL || *t->name == '\0')
		return err_set(ERR_INVAL, "xen: the VM has neither a uuid nor "
		    "a name");
	if ((rc = xe_value_check("VM name", t->name)) != 0)
		return rc;
	*out = xasprintf("name-label=%s", t->name);
	return 0;
}

/* One step "xe CMD SELECTOR [FLAG]". */
static int
xe_vm_cmd(const struct drv_target *t, struct drv_plan *plan,
    const char *cmd, const char *flag)
{
	char	*sel;
	int	 rc;

	if ((rc = xe_selector(t, &sel)) != 0)
		return rc;
	/* A NULL flag ends the words early, as the sentinel does. */
	drv_plan_add(plan, "xe", cmd, sel, flag, (const char *)NULL);
	free(sel);
	return 0;
}

static int
xe_start(const struct drv_target *t, struct drv_plan *plan)
{
	return xe_vm_cmd(t, plan, "vm-start", NULL);
}

/* Clean shutdown: xe waits until the guest has halted. */
static int
xe_stop(const struct drv_target *t, struct drv_plan *plan)
{
	return xe_vm_cmd(t, plan, "vm-shutdown", NULL);
}

static int
xe_force_off(const struct drv_target *t, struct drv_plan *plan)
{
	return xe_vm_cmd(t, plan, "vm-shutdown", "--force");
}

static int
xe_reboot(const struct drv_target *t, struct drv_plan *plan)
{
	return xe_vm_cmd(t, plan, "vm-reboot", NULL);
}

static int
xe_suspend(const struct drv_target *t, struct drv_plan *plan)
{
	return xe_vm_cmd(t, plan, "vm-suspend", NULL);
}

static int
xe_resume(const struct drv_target *t, struct drv_plan *plan)
{
	return xe_vm_cmd(t, plan, "vm-resume", NULL);
}

/*
 * Two steps, because xapi destroys only halted or suspended VMs: a forced
 * shutdown, then vm-uninstall, which removes the VM with the disks it owns.
 * The caller may skip step 0 when it knows the VM is halted. If it runs it
 * on a halted VM, xe refuses with VM_BAD_POWER_STATE (error_read: ERR_BUSY,
 * api_code "VM_BAD_POWER_STATE", last parameter the actual state
 * "halted"), which means the VM is already off: go on with step 1.
 */
static int
xe_destroy(const struct drv_target *t, struct drv_plan *plan)
{
	int	rc;

	if ((rc = xe_vm_cmd(t, plan, "vm-shutdown", "--force")) != 0)
		return rc;
	return xe_vm_cmd(t, plan, "vm-uninstall", "--force");
}

/*
 * Plans a create as one step (see xe_create_script). Disks come from
 * images only by import, which is not done yet: a spec with an image is
 * refused rather than quietly given an empty disk.
 */
static int
xe_create(const struct drv_spec *s, struct drv_plan *plan)
{
	char	mem[32], cpus[16], disk[32];
	int	rc;

	if ((rc = xe_value_check("VM name", s->name)) != 0 ||
	    (rc = xe_value_check("hvsh id", s->hvsh_id)) != 0)
		return rc;
	if (s->image_path != NULL)
		return err_set(ERR_INVAL, "xen: creating a VM from an image "
		    "file is not supported yet");
	if (s->cpus < 1)
		return err_set(ERR_INVAL, "xen: a VM needs at least one vCPU");
	if (s->memory <= 0)
		return err_set(ERR_INVAL, "xen: a VM needs some memory");
	if (s->disk < 0)
		return err_set(ERR_INVAL, "xen: negative disk size");
	snprintf(mem, sizeof mem, "%" PRId64, s->memory);
	snprintf(cpus, sizeof cpus, "%d", s->cpus);
	snprintf(disk, sizeof disk, "%" PRId64, s->disk);
	/* "sh" is $0, the name sh gives itself in its own messages. */
	drv_plan_add(plan, "sh", "-c", xe_create_script, "sh", XE_TEMPLATE,
	    s->name, mem, cpus, s->hvsh_id, disk, (const char *)NULL);
	return 0;
}

static int
xe_probe(struct drv_plan *plan)
{
	drv_plan_add(plan, "xe", "host-list",
	    "params=name-label,hostname,software-version", (const char *)NULL);
	return 0;
}

/* Refresh: host facts and every VM, in one exec. */
static int
xe_refresh(struct drv_plan *plan)
{
	static char *const	 host[] = {
		"xe", "host-list", XE_HOST_PARAMS, NULL
	};
	static char *const	 vms[] = {
		"xe", "vm-list", XE_VM_PARAMS, NULL
	};
	char *const *const	 cmds[] = { host, vms };

	drv_plan_batch(plan, cmds, nitems(cmds));
	return 0;
}

/*
 * xe ends every record with two empty lines (xe.md section 2), so record
 * output that ends otherwise was cut short, and the half record at its end
 * would read as a whole one with a shortened value.
 */
static int
xe_records_whole(const char *s, size_t n)
{
	return n == 0 || (n >= 3 && memcmp(s + n - 3, "\n\n\n", 3) == 0);
}

/* Moves the facts found in src into dst, keeping dst's others. */
static void
xe_facts_merge(struct hv_facts *dst, struct hv_facts *src)
{
	if (src->cpus >= 0)
		dst->cpus = src->cpus;
	if (src->memory >= 0)
		dst->memory = src->memory;
	if (src->mem_free >= 0)
		dst->mem_free = src->mem_free;
	if (src->version != NULL) {
		free(dst->version);
		dst->version = src->version;
		src->version = NULL;	/* transferred */
	}
	if (src->hostname != NULL) {
		free(dst->hostname);
		dst->hostname = src->hostname;
		src->hostname = NULL;	/* transferred */
	}
}

/*
 * Why xe failed, from its status and stderr. A missing xe is told apart
 * first: it is the shell's message, not xe's, and the host is then no
 * Xen host at all (or xe is not on the login PATH).
 */
static int
xe_error_read(const struct tp_result *res, struct hv_error *out)
{
	struct hv_error	e;
	int		rc;

	memset(&e, 0, sizeof e);
	if (res->status == SH_NOT_FOUND) {
		e.code = ERR_IO;
		e.reason = xstrdup("xe not found on host");
	} else if (res->status == SH_NOT_EXEC) {
		e.code = ERR_IO;
		e.reason = xstrdup("xe cannot be run on host");
	} else if (res->err == NULL || res->errlen == 0 ||
	    strspn(res->err, " \t\r\n") == res->errlen) {
		e.code = ERR_FAIL;
		if (res->status < 0)
			e.reason = xstrdup("xe was killed or did not finish");
		else
			e.reason = xasprintf("xe exited with status %d and "
			    "no message", res->status);
	} else if ((rc = hvout_xe_error(res->err, res->errlen, &e)) != 0)
		return xe_fail(rc, "xen");
	*out = e;
	return 0;
}

/* The error of one failed command of a batch, from the batch's stderr. */
static int
xe_section_error(const struct tp_result *res, const struct drv_section *sec,
    const char *what)
{
	struct tp_result	r = *res;
	struct hv_error		e;
	int			rc;

	memset(&e, 0, sizeof e);
	r.status = sec->status;
	if (xe_error_read(&r, &e) != 0)
		return xe_fail(ERR_FAIL, what);
	rc = err_set(e.code != 0 ? e.code : ERR_FAIL, "%s: %s", what,
	    e.reason);
	hv_error_clear(&e);
	return rc;
}

/* Refuses output the transport had to cut at its cap. */
static int
xe_res_check(const struct tp_result *res, const char *what)
{
	if (res->truncated)
		return err_set(ERR_INVAL, "%s: the output was cut at the "
		    "transport's limit", what);
	if (res->out == NULL && res->outlen != 0)
		return err_set(ERR_INVAL, "%s: no output", what);
	return 0;
}

static int
xe_probe_read(const struct tp_result *res, struct hv_facts *f)
{
	struct hv_facts	nf;
	int		rc;

	hv_facts_init(&nf);
	if ((rc = xe_res_check(res, "xen probe")) != 0)
		return rc;
	if (!xe_records_whole(res->out, res->outlen))
		return err_set(ERR_INVAL, "xen probe: xe host-list output "
		    "ends in the middle of a record (cut short?)");
	if ((rc = hvout_xe_host_facts(res->out, res->outlen, &nf)) != 0)
		return xe_fail(rc, "xen probe");
	if (nf.version == NULL) {
		hv_facts_clear(&nf);
		return err_set(ERR_INVAL, "xen probe: xe host-list gave no "
		    "software version");
	}
	xe_facts_merge(f, &nf);
	hv_facts_clear(&nf);
	return 0;
}

/*
 * Reads a refresh batch. The facts found are merged into f; *vl is
 * replaced by the host's VMs (dom0, templates and snapshots left out). A
 * failed command, a missing marker or a record cut short fails the whole
 * refresh and leaves f and vl as they were: half a host is no refresh.
 */
static int
xe_refresh_read(const struct tp_result *res, struct hv_facts *f,
    struct hv_vm_list *vl)
{
	static const char *const what[] = {
		"xen refresh: xe host-list", "xen refresh: xe vm-list"
	};
	struct drv_section	 sec[2];
	struct hv_facts		 nf;
	struct hv_vm_list	 nl = { NULL, 0 };
	size_t			 i;
	int			 rc;

	hv_facts_init(&nf);
	if ((rc = xe_res_check(res, "xen refresh")) != 0)
		return rc;
	if ((rc = drv_sections(res->out, res->outlen, sec, nitems(sec))) != 0)
		return xe_fail(rc, "xen refresh");
	for (i = 0; i < nitems(sec); i++) {
		if (sec[i].status != 0)
			return xe_section_error(res, &sec[i], what[i]);
		if (!xe_records_whole(sec[i].text, sec[i].len))
			return err_set(ERR_INVAL, "%s: output ends in the "
			    "middle of a record (cut short?)", what[i]);
	}
	if ((rc = hvout_xe_host_facts(sec[0].text, sec[0].len, &nf)) != 0)
		return xe_fail(rc, what[0]);
	if ((rc = hvout_xe_vm_list(sec[1].text, sec[1].len, &nl)) != 0) {
		rc = xe_fail(rc, what[1]);
		goto out;
	}
	xe_facts_merge(f, &nf);
	hv_vm_list_free(vl);
	*vl = nl;
	nl.v = NULL;	/* transferred */
	nl.n = 0;
	rc = 0;
out:
	hv_facts_clear(&nf);
	hv_vm_list_free(&nl);
	return rc;
}

/* The new VM as xe lists it at the end of the create script. */
static int
xe_create_read(const struct tp_result *res, struct hv_vm *vm)
{
	struct hv_vm_list	l = { NULL, 0 };
	int			rc;

	if ((rc = xe_res_check(res, "xen create")) != 0)
		return rc;
	if (!xe_records_whole(res->out, res->outlen))
		return err_set(ERR_INVAL, "xen create: xe vm-list output ends "
		    "in the middle of a record (cut short?)");
	if ((rc = hvout_xe_vm_list(res->out, res->outlen, &l)) != 0)
		return xe_fail(rc, "xen create");
	if (l.n != 1) {
		rc = err_set(ERR_INVAL, "xen create: expected the new VM, "
		    "xe listed %zu", l.n);
		goto out;
	}
	hv_vm_clear(vm);
	*vm = l.v[0];
	hv_vm_init(&l.v[0]);	/* transferred */
	rc = 0;
out:
	hv_vm_list_free(&l);
	return rc;
}

const struct driver drv_xe = {
	.name = "xen",
	.cli = "xe",
	.probe = xe_probe,
	.probe_read = xe_probe_read,
	.refresh = xe_refresh,
	.refresh_read = xe_refresh_read,
	.error_read = xe_error_read,
	.op = {
		[DRV_START] = xe_start,
		[DRV_STOP] = xe_stop,
		[DRV_FORCE_OFF] = xe_force_off,
		[DRV_REBOOT] = xe_reboot,
		[DRV_SUSPEND] = xe_suspend,
		[DRV_RESUME] = xe_resume,
		[DRV_DESTROY] = xe_destroy,
	},
	.create = xe_create,
	.create_read = xe_create_read,
};
