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
#include "name.h"
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
 * Script fragments shared by the calls below. XE_SH_VM finds the one VM
 * that "$s" (uuid=U or name-label=N) selects, in u, and fails with xe's
 * own selector texts when none or several match; XE_SH_SR finds the SR
 * "$p" selects (uuid=U or name-label=N; empty: the pool's default SR), in
 * sr. Both only ever expand values inside double quotes.
 */
#define XE_SH_VM \
	"u=$(xe vm-list \"$s\" params=uuid --minimal) || exit\n" \
	"case \"$u\" in\n" \
	"'') echo 'Error: No matching VMs found' >&2; exit 1 ;;\n" \
	"*,*) echo 'Error: Multiple matches VMs found. --multiple " \
	    "required to complete the operation' >&2; exit 1 ;;\n" \
	"esac\n"
#define XE_SH_SR \
	"if [ -z \"$p\" ]; then\n" \
	"    sr=$(xe pool-list params=default-SR --minimal)\n" \
	"else\n" \
	"    sr=$(xe sr-list \"$p\" params=uuid --minimal)\n" \
	"fi || exit\n" \
	"case \"$sr\" in\n" \
	"''|'<not in database>') echo 'Error: No matching SRs found' >&2; " \
	    "exit 1 ;;\n" \
	"*,*) echo 'Error: More than one SR matches' >&2; exit 1 ;;\n" \
	"esac\n"
/* The one snapshot of VM $u named "$n", in r, unless r is known. */
#define XE_SH_SNAP \
	"[ -n \"$r\" ] || r=$(xe snapshot-list snapshot-of=\"$u\" " \
	    "name-label=\"$n\" params=uuid --minimal) || exit\n" \
	"case \"$r\" in\n" \
	"'') echo 'Error: No matching snapshots found' >&2; exit 1 ;;\n" \
	"*,*) echo 'Error: More than one snapshot matches' >&2; exit 1 ;;\n" \
	"esac\n"

/* The batch marker drv_sections() reads, after each part of an output. */
#define XE_SH_MARK	"echo \"@@hvsh:$?@@\""

/*
 * The whole of a create, as one exec: later commands need the uuid that
 * vm-install prints, and plan steps are fixed before anything runs. The
 * script is constant; the values arrive as positional parameters, quoted
 * by quote_argv() like any argument, and are only ever expanded inside
 * double quotes, so neither they nor the uuids read back are parsed by the
 * shell. stdin is /dev/null, so no xe can sit waiting for an answer.
 *
 * From a template image (k=template) the root disk is a VDI of the
 * image's size (the disk size asked for, else read from the file: a VHD's
 * footer, a raw file's length) in the SR "$p" (empty: the default SR), and
 * the image is imported into it; from an ISO (k=iso) the root disk is new
 * and empty, and the ISO goes in as a CD on device 3. The SR is found
 * before anything is made, so a wrong one leaves nothing behind.
 *
 * If a step after vm-install fails, the half-made VM (and a disk not yet
 * attached) is removed again and the failing xe's status and stderr are
 * what the caller sees; only if vm-install's own answer is lost does a VM
 * without an hvsh-id stay behind, for a later sync to find. The root
 * disk's VBD is marked as the owner of its VDI, as the template
 * provisioner does, so that vm-uninstall deletes the disk with the VM
 * (and only that disk: volumes attached later have no owner mark). The
 * template starts with one vCPU, so VCPUs-max may be raised first and
 * VCPUs-at-startup after it. The script ends by listing the new VM and its
 * root disk, two parts with batch markers, so create_read sees them as the
 * host does.
 */
static const char xe_create_script[] =
	"exec </dev/null\n"
	"t=$1 n=$2 m=$3 c=$4 id=$5 d=$6 k=$7 i=$8 f=$9 p=${10} v=\n"
	"if [ -n \"$k\" ] && [ ! -f \"$i\" ]; then\n"
	"    printf 'Error: image file %s not found\\n' \"$i\" >&2; exit 1\n"
	"fi\n"
	"if [ \"$k\" = template ] && [ \"$d\" = 0 ]; then\n"
	"    if [ \"$f\" = vhd ]; then\n"
	"        [ \"$(tail -c 512 \"$i\" | head -c 8)\" = conectix ] || {\n"
	"            printf 'Error: %s is not a VHD file\\n' \"$i\" >&2; "
	    "exit 1; }\n"
	"        h=$(tail -c 512 \"$i\" | od -An -tx1 -j48 -N8 | "
	    "tr -d ' \\n') &&\n"
	"            d=$(printf '%d' \"0x$h\") || exit\n"
	"    else\n"
	"        d=$(stat -c %s \"$i\") || exit\n"
	"    fi\n"
	"fi\n"
	"if [ \"$d\" != 0 ]; then\n"
	XE_SH_SR
	"fi\n"
	"u=$(xe vm-install template=\"$t\" new-name-label=\"$n\") || exit\n"
	"xe vm-memory-limits-set uuid=\"$u\" static-min=\"$m\" "
	    "static-max=\"$m\" dynamic-min=\"$m\" dynamic-max=\"$m\" &&\n"
	"    xe vm-param-set uuid=\"$u\" VCPUs-max=\"$c\" &&\n"
	"    xe vm-param-set uuid=\"$u\" VCPUs-at-startup=\"$c\" &&\n"
	"    xe vm-param-set uuid=\"$u\" other-config:hvsh-id=\"$id\" &&\n"
	"    { [ \"$d\" = 0 ] || {\n"
	"        v=$(xe vdi-create sr-uuid=\"$sr\" name-label=\"$n root\" "
	    "type=user virtual-size=\"$d\") &&\n"
	"        { [ \"$k\" != template ] || xe vdi-import uuid=\"$v\" "
	    "filename=\"$i\" format=\"$f\"; } &&\n"
	"        b=$(xe vbd-create vm-uuid=\"$u\" vdi-uuid=\"$v\" device=0 "
	    "bootable=true mode=RW type=Disk) &&\n"
	"        xe vbd-param-set uuid=\"$b\" other-config:owner=true; }; "
	    "} &&\n"
	"    { [ \"$k\" != iso ] || xe vm-cd-add uuid=\"$u\" cd-name=\"$i\" "
	    "device=3; } &&\n"
	"    xe vm-list uuid=\"$u\" " XE_VM_PARAMS " && " XE_SH_MARK " &&\n"
	"    { [ -z \"$v\" ] || xe vdi-list uuid=\"$v\" "
	    "params=uuid,virtual-size; } && " XE_SH_MARK " && exit 0\n"
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

/* "uuid=U" when v is uuid-shaped, else "name-label=V"; caller frees. */
static char *
xe_by(const char *v)
{
	if (hvout_is_uuid(v, strlen(v)))
		return xasprintf("uuid=%s", v);
	return xasprintf("name-label=%s", v);
}

/*
 * 1 if a pool is a plain directory of dom0 (a secondary pool's NFS mount),
 * not an SR: a path that is not /var/run/sr-mount/UUID.
 */
static int
xe_pool_is_dir(const char *pool)
{
	const char	*base;

	if (pool == NULL || pool[0] != '/')
		return 0;
	base = strrchr(pool, '/') + 1;
	return !hvout_is_uuid(base, strlen(base)) ||
	    strncmp(pool, "/var/run/sr-mount/", 18) != 0;
}

/*
 * The SR selector for a pool: "" for the default SR; caller frees. A pool
 * is where the host sees it: an SR's mount path, /var/run/sr-mount/UUID,
 * names the SR by that uuid; else a uuid or a name-label.
 */
static int
xe_sr_by(const char *pool, char **out)
{
	const char	*base;
	int		 rc;

	*out = NULL;
	if (pool == NULL) {
		*out = xstrdup("");
		return 0;
	}
	if ((rc = xe_value_check("SR", pool)) != 0)
		return rc;
	base = strrchr(pool, '/');
	if (pool[0] == '/' && base != NULL &&
	    hvout_is_uuid(base + 1, strlen(base + 1))) {
		*out = xasprintf("uuid=%s", base + 1);
		return 0;
	}
	*out = xe_by(pool);
	return 0;
}

/* An absolute path on the host, on one line. */
static int
xe_path_check(const char *what, const char *p)
{
	int	rc;

	if ((rc = xe_value_check(what, p)) != 0)
		return rc;
	if (*p != '/')
		return err_set(ERR_INVAL, "xen: the %s \"%s\" is not an "
		    "absolute path", what, p);
	return 0;
}

/* A VDI, snapshot or other object of xe's named by its uuid. */
static int
xe_uuid_check(const char *what, const char *v)
{
	int	rc;

	if ((rc = xe_value_check(what, v)) != 0)
		return rc;
	if (!hvout_is_uuid(v, strlen(v)))
		return err_set(ERR_INVAL, "xen: the %s \"%s\" is not a uuid",
		    what, v);
	return 0;
}

/*
 * Plans a create as one step (see xe_create_script). Images are imported
 * as VHD or raw files (what vdi-import takes) or attached as ISOs; any
 * other kind or format is refused before anything runs.
 */
static int
xe_create(const struct drv_spec *s, struct drv_plan *plan)
{
	const char	*kind = "", *img = "", *fmt = "";
	char		 mem[32], cpus[16], disk[32], *sr = NULL;
	int		 rc;

	if ((rc = xe_value_check("VM name", s->name)) != 0 ||
	    (rc = xe_value_check("hvsh id", s->hvsh_id)) != 0)
		return rc;
	if (s->cpus < 1)
		return err_set(ERR_INVAL, "xen: a VM needs at least one vCPU");
	if (s->memory <= 0)
		return err_set(ERR_INVAL, "xen: a VM needs some memory");
	if (s->disk < 0)
		return err_set(ERR_INVAL, "xen: negative disk size");
	/* Refused rather than left out: the VM would have no network. */
	if (s->network != NULL)
		return err_set(ERR_INVAL, "xen: hvsh does not attach networks "
		    "on xen yet; create without --network and add a VIF with "
		    "xe vif-create");
	if (s->image_path != NULL) {
		if ((rc = xe_path_check("image path", s->image_path)) != 0)
			return rc;
		img = s->image_path;
		if (s->image_kind != NULL && strcmp(s->image_kind, "iso") == 0)
			kind = "iso";
		else if (s->image_kind != NULL &&
		    (strcmp(s->image_kind, "template") == 0 ||
		    strcmp(s->image_kind, "disk") == 0)) {
			kind = "template";
			fmt = s->image_format != NULL ? s->image_format : "vhd";
			if (strcmp(fmt, "vhd") != 0 && strcmp(fmt, "raw") != 0)
				return err_set(ERR_INVAL, "xen: cannot import "
				    "a %s image (only vhd and raw)", fmt);
		} else
			return err_set(ERR_INVAL, "xen: unknown image kind "
			    "\"%s\"", s->image_kind != NULL ? s->image_kind :
			    "(none)");
	}
	if ((rc = xe_sr_by(s->pool, &sr)) != 0)
		return rc;
	snprintf(mem, sizeof mem, "%" PRId64, s->memory);
	snprintf(cpus, sizeof cpus, "%d", s->cpus);
	snprintf(disk, sizeof disk, "%" PRId64, s->disk);
	/* "sh" is $0, the name sh gives itself in its own messages. */
	drv_plan_add(plan, "sh", "-c", xe_create_script, "sh", XE_TEMPLATE,
	    s->name, mem, cpus, s->hvsh_id, disk, kind, img, fmt, sr,
	    (const char *)NULL);
	free(sr);
	return 0;
}

/* --- storage, snapshot and image calls --------------------------------- */

/* Capacity and use of an SR: one record of sr-list. */
static const char xe_pool_script[] =
	"exec </dev/null\n"
	"p=$1\n"
	XE_SH_SR
	"xe sr-list uuid=\"$sr\" "
	    "params=uuid,name-label,physical-size,physical-utilisation\n";

/* A new VDI, listed back with its size. */
static const char xe_volcreate_script[] =
	"exec </dev/null\n"
	"p=$1 n=$2 z=$3 f=$4\n"
	XE_SH_SR
	"v=$(xe vdi-create sr-uuid=\"$sr\" name-label=\"$n\" type=user "
	    "virtual-size=\"$z\" sm-config:type=\"$f\") || exit\n"
	"xe vdi-list uuid=\"$v\" params=uuid,virtual-size\n";

/*
 * A VBD for the VDI, plugged at once if the VM runs (xe refuses to plug
 * into a halted VM, which plugs its VBDs when it starts); a VBD that
 * cannot be plugged is removed again. Lists the VBD, for its userdevice.
 */
static const char xe_attach_script[] =
	"exec </dev/null\n"
	"s=$1 v=$2 d=$3\n"
	XE_SH_VM
	"b=$(xe vbd-create vm-uuid=\"$u\" vdi-uuid=\"$v\" device=\"$d\" "
	    "bootable=false mode=RW type=Disk) || exit\n"
	"w=$(xe vm-param-get uuid=\"$u\" param-name=power-state) || w=\n"
	"if [ \"$w\" = running ]; then\n"
	"    xe vbd-plug uuid=\"$b\" || {\n"
	"        e=$?; xe vbd-destroy uuid=\"$b\" >/dev/null 2>&1; exit \"$e\"; }\n"
	"fi\n"
	"xe vbd-list uuid=\"$b\" params=uuid,userdevice\n";

/* The VM's VBD of that VDI (on that userdevice, if given) unplugged, gone. */
static const char xe_detach_script[] =
	"exec </dev/null\n"
	"s=$1 v=$2 d=$3\n"
	XE_SH_VM
	"if [ -n \"$d\" ]; then\n"
	"    b=$(xe vbd-list vm-uuid=\"$u\" vdi-uuid=\"$v\" userdevice=\"$d\" "
	    "params=uuid --minimal)\n"
	"else\n"
	"    b=$(xe vbd-list vm-uuid=\"$u\" vdi-uuid=\"$v\" params=uuid "
	    "--minimal)\n"
	"fi || exit\n"
	"case \"$b\" in\n"
	"'') echo 'Error: No matching VBDs found' >&2; exit 1 ;;\n"
	"*,*) echo 'Error: More than one VBD matches' >&2; exit 1 ;;\n"
	"esac\n"
	"a=$(xe vbd-param-get uuid=\"$b\" param-name=currently-attached) || "
	    "exit\n"
	"if [ \"$a\" = true ]; then xe vbd-unplug uuid=\"$b\" || exit; fi\n"
	"xe vbd-destroy uuid=\"$b\"\n";

/* Grows a VDI and lists it back with its new size. */
static const char xe_resize_script[] =
	"exec </dev/null\n"
	"xe vdi-resize uuid=\"$1\" disk-size=\"$2\" online=\"$3\" || exit\n"
	"xe vdi-list uuid=\"$1\" params=uuid,virtual-size\n";

/* Reverts to, or uninstalls with its disks, the snapshot r or named n. */
static const char xe_snap_script[] =
	"exec </dev/null\n"
	"s=$1 r=$2 n=$3 c=$4\n"
	XE_SH_VM
	XE_SH_SNAP
	"case \"$c\" in\n"
	"revert) xe snapshot-revert snapshot-uuid=\"$r\" ;;\n"
	"*) xe snapshot-uninstall snapshot-uuid=\"$r\" --force >/dev/null ;;\n"
	"esac\n";

#define XE_SNAP_PARAMS	"params=uuid,name-label,snapshot-time,parent," \
			    "power-state"
static const char xe_snaplist_script[] =
	"exec </dev/null\n"
	"s=$1\n"
	XE_SH_VM
	"xe snapshot-list snapshot-of=\"$u\" " XE_SNAP_PARAMS "\n";

/*
 * The root disk, or the snapshot's copy of it, exported whole as a VHD
 * file, then listed for its virtual size. The disk is found by its slot:
 * the userdevice the VM has the recorded VDI on, else 0, where create puts
 * the root disk (a revert gives the VM new copies of the snapshot's disks,
 * so the VDI hvsh recorded may be gone); then the VDI in that slot of the
 * VM, or of the snapshot.
 */
static const char xe_capture_script[] =
	"exec </dev/null\n"
	"s=$1 v=$2 r=$3 n=$4 f=$5\n"
	XE_SH_VM
	"d=$(xe vbd-list vm-uuid=\"$u\" vdi-uuid=\"$v\" params=userdevice "
	    "--minimal) || exit\n"
	"[ -n \"$d\" ] || d=0\n"
	"o=$u\n"
	"if [ -n \"$r$n\" ]; then\n"
	XE_SH_SNAP
	"    o=$r\n"
	"fi\n"
	"x=$(xe vbd-list vm-uuid=\"$o\" userdevice=\"$d\" type=Disk "
	    "params=vdi-uuid --minimal) || exit\n"
	"case \"$d$x\" in\n"
	"*,*|*'<not in database>'*|\"$d\") echo \"Error: no disk found on "
	    "device $d\" >&2; exit 1 ;;\n"
	"esac\n"
	"xe vdi-export uuid=\"$x\" filename=\"$f\" format=vhd || exit\n"
	"xe vdi-list uuid=\"$x\" params=uuid,virtual-size\n";

static const char xe_setid_script[] =
	"exec </dev/null\n"
	"s=$1\n"
	XE_SH_VM
	"xe vm-param-set uuid=\"$u\" other-config:hvsh-id=\"$2\"\n";

/* One step "sh -c SCRIPT sh ARGS...". */
#define XE_SH(plan, script, ...) \
	drv_plan_add((plan), "sh", "-c", (script), "sh", __VA_ARGS__, \
	    (const char *)NULL)

static int
xe_pool_info(const struct drv_req *q, struct drv_plan *plan)
{
	char	*sr;
	int	 rc;

	if (xe_pool_is_dir(q->pool)) {
		if ((rc = xe_value_check("directory", q->pool)) != 0)
			return rc;
		drv_plan_add(plan, "df", "-P", "-k", "--", q->pool, NULL);
		return 0;
	}
	if ((rc = xe_sr_by(q->pool, &sr)) != 0)
		return rc;
	XE_SH(plan, xe_pool_script, sr);
	free(sr);
	return 0;
}

/* The sm-config:type vdi-create is given for a format. */
static int
xe_format(const char *f, const char **out)
{
	if (f == NULL || strcmp(f, "vhd") == 0)
		*out = "vhd";
	else if (strcmp(f, "raw") == 0)
		*out = "raw";
	else
		return err_set(ERR_INVAL, "xen: VDIs are vhd or raw, not %s",
		    f);
	return 0;
}

static int
xe_vol_create(const struct drv_req *q, struct drv_plan *plan)
{
	const char	*fmt = NULL;
	char		*sr, size[32];
	int		 rc;

	if ((rc = name_check("volume name", q->volume)) != 0 ||
	    (rc = xe_format(q->format, &fmt)) != 0)
		return rc;
	if (q->size <= 0)
		return err_set(ERR_INVAL, "xen: a volume needs a size");
	if ((rc = xe_sr_by(q->pool, &sr)) != 0)
		return rc;
	snprintf(size, sizeof size, "%" PRId64, q->size);
	XE_SH(plan, xe_volcreate_script, sr, q->volume, size, fmt);
	free(sr);
	return 0;
}

/* A userdevice: a number 0-254 as xe numbers a VM's disk slots. */
static int
xe_device_check(const char *d)
{
	size_t	n = d != NULL ? strspn(d, "0123456789") : 0;

	if (d == NULL || n == 0 || n > 3 || d[n] != '\0' || atoi(d) > 254)
		return err_set(ERR_INVAL, "xen: the device \"%s\" is not a "
		    "VBD userdevice number (0-254)", d != NULL ? d : "");
	return 0;
}

/*
 * Attach and detach: the same checks, the same arguments to their scripts
 * (the VM, the VDI, the device or, when none was given, dflt).
 */
static int
xe_vbd_plan(const struct drv_req *q, struct drv_plan *plan, const char *script,
    const char *dflt)
{
	char	*sel;
	int	 rc;

	if ((rc = xe_uuid_check("VDI", q->vol_path)) != 0 ||
	    (q->device != NULL && (rc = xe_device_check(q->device)) != 0) ||
	    (rc = xe_selector(&q->vm, &sel)) != 0)
		return rc;
	XE_SH(plan, script, sel, q->vol_path,
	    q->device != NULL ? q->device : dflt);
	free(sel);
	return 0;
}

static int
xe_vol_attach(const struct drv_req *q, struct drv_plan *plan)
{
	return xe_vbd_plan(q, plan, xe_attach_script, "autodetect");
}

static int
xe_vol_detach(const struct drv_req *q, struct drv_plan *plan)
{
	return xe_vbd_plan(q, plan, xe_detach_script, "");
}

/* Online when the VM that has the VDI runs: xe resizes it in place. */
static int
xe_vol_resize(const struct drv_req *q, struct drv_plan *plan)
{
	char	size[32];
	int	rc;

	if ((rc = xe_uuid_check("VDI", q->vol_path)) != 0)
		return rc;
	if (q->size <= 0)
		return err_set(ERR_INVAL, "xen: a volume needs a size");
	snprintf(size, sizeof size, "%" PRId64, q->size);
	XE_SH(plan, xe_resize_script, q->vol_path, size,
	    q->running ? "true" : "false");
	return 0;
}

/* vdi-destroy; a VDI already gone is UUID_INVALID, read as ERR_NOENT. */
static int
xe_vol_remove(const struct drv_req *q, struct drv_plan *plan)
{
	char	*arg;
	int	 rc;

	if ((rc = xe_uuid_check("VDI", q->vol_path)) != 0)
		return rc;
	arg = xasprintf("uuid=%s", q->vol_path);
	drv_plan_add(plan, "xe", "vdi-destroy", arg, (const char *)NULL);
	free(arg);
	return 0;
}

/* vm-snapshot, or vm-checkpoint to keep the memory of a running VM too. */
static int
xe_snap_create(const struct drv_req *q, struct drv_plan *plan)
{
	char	*sel, *name, *desc = NULL;
	int	 rc;

	if ((rc = name_check("snapshot name", q->snapshot)) != 0 ||
	    (q->description != NULL && *q->description != '\0' &&
	    (rc = xe_value_check("description", q->description)) != 0) ||
	    (rc = xe_selector(&q->vm, &sel)) != 0)
		return rc;
	name = xasprintf("new-name-label=%s", q->snapshot);
	if (q->description != NULL && *q->description != '\0')
		desc = xasprintf("new-name-description=%s", q->description);
	/* A NULL desc ends the words early, as the sentinel does. */
	drv_plan_add(plan, "xe", q->memory ? "vm-checkpoint" : "vm-snapshot",
	    sel, name, desc, (const char *)NULL);
	free(sel);
	free(name);
	free(desc);
	return 0;
}

/* Revert or remove: by snap_ref when known, else by name under the VM. */
static int
xe_snap_op(const struct drv_req *q, struct drv_plan *plan, const char *op)
{
	const char	*ref = "", *name = "";
	char		*sel;
	int		 rc;

	if (q->snap_ref != NULL && *q->snap_ref != '\0') {
		if ((rc = xe_uuid_check("snapshot uuid", q->snap_ref)) != 0)
			return rc;
		ref = q->snap_ref;
	} else {
		if ((rc = xe_value_check("snapshot name", q->snapshot)) != 0)
			return rc;
		name = q->snapshot;
	}
	if ((rc = xe_selector(&q->vm, &sel)) != 0)
		return rc;
	XE_SH(plan, xe_snap_script, sel, ref, name, op);
	free(sel);
	return 0;
}

static int
xe_snap_revert(const struct drv_req *q, struct drv_plan *plan)
{
	return xe_snap_op(q, plan, "revert");
}

static int
xe_snap_remove(const struct drv_req *q, struct drv_plan *plan)
{
	return xe_snap_op(q, plan, "remove");
}

static int
xe_snap_list(const struct drv_req *q, struct drv_plan *plan)
{
	char	*sel;
	int	 rc;

	if ((rc = xe_selector(&q->vm, &sel)) != 0)
		return rc;
	XE_SH(plan, xe_snaplist_script, sel);
	free(sel);
	return 0;
}

static int
xe_capture(const struct drv_req *q, struct drv_plan *plan)
{
	const char	*ref = "", *name = "";
	char		*sel;
	int		 rc;

	if ((rc = xe_uuid_check("VDI", q->vol_path)) != 0 ||
	    (rc = xe_path_check("destination", q->dest)) != 0)
		return rc;
	if (q->snap_ref != NULL && *q->snap_ref != '\0') {
		if ((rc = xe_uuid_check("snapshot uuid", q->snap_ref)) != 0)
			return rc;
		ref = q->snap_ref;
	} else if (q->snapshot != NULL) {
		if ((rc = xe_value_check("snapshot name", q->snapshot)) != 0)
			return rc;
		name = q->snapshot;
	}
	if ((rc = xe_selector(&q->vm, &sel)) != 0)
		return rc;
	XE_SH(plan, xe_capture_script, sel, q->vol_path, ref, name, q->dest);
	free(sel);
	return 0;
}

/* sha256sum of dom0's coreutils; "--" keeps the path an operand. */
static int
xe_image_sum(const struct drv_req *q, struct drv_plan *plan)
{
	int	rc;

	if ((rc = xe_path_check("image file", q->dest)) != 0)
		return rc;
	drv_plan_add(plan, "sha256sum", "--", q->dest, (const char *)NULL);
	return 0;
}

static int
xe_set_id(const struct drv_req *q, struct drv_plan *plan)
{
	char	*sel;
	int	 rc;

	if ((rc = xe_value_check("hvsh id", q->vm.hvsh_id)) != 0 ||
	    (rc = xe_selector(&q->vm, &sel)) != 0)
		return rc;
	XE_SH(plan, xe_setid_script, sel, q->vm.hvsh_id);
	free(sel);
	return 0;
}

static int
xe_probe(struct drv_plan *plan)
{
	drv_plan_add(plan, "xe", "host-list",
	    "params=name-label,hostname,software-version", (const char *)NULL);
	return 0;
}

/*
 * Refresh: host facts, every VM, and the uuids of the VMs (dom0 left out)
 * as the ground truth of which exist, in one exec (hvout_xe_vm_list_sure).
 */
static int
xe_refresh(const struct drv_refresh *rf, struct drv_plan *plan)
{
	static char *const	 host[] = {
		"xe", "host-list", XE_HOST_PARAMS, NULL
	};
	static char *const	 vms[] = {
		"xe", "vm-list", XE_VM_PARAMS, NULL
	};
	static char *const	 uuids[] = {
		"xe", "vm-list", "is-control-domain=false", "params=uuid",
		"--minimal", NULL
	};
	char *const *const	 cmds[] = { host, vms, uuids };

	drv_plan_batch_nonce(plan, rf->nonce, cmds, nitems(cmds));
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

/* --minimal output, whole: one line, which ends in its newline. */
static int
xe_minimal_read(const struct drv_section *sec, const char *what,
    struct hv_strlist *out)
{
	int	rc;

	if (sec->len == 0 || sec->text[sec->len - 1] != '\n')
		return err_set(ERR_INVAL, "%s: output cut short", what);
	if ((rc = hvout_xe_minimal(sec->text, sec->len, out)) != 0)
		return xe_fail(rc, what);
	return 0;
}

/*
 * Reads a refresh batch. The facts found are merged into f; *vl is
 * replaced by the host's VMs (dom0, templates and snapshots left out),
 * those the listing was unsure of flagged for the detail. A failed
 * command, a missing marker or a record cut short fails the whole refresh
 * and leaves f and vl as they were: half a host is no refresh.
 */
static int
xe_refresh_read(const struct drv_refresh *rf, const struct tp_result *res,
    struct hv_facts *f, struct hv_vm_list *vl)
{
	static const char *const what[] = {
		"xen refresh: xe host-list", "xen refresh: xe vm-list",
		"xen refresh: xe vm-list --minimal"
	};
	struct drv_section	 sec[3];
	struct hv_facts		 nf;
	struct hv_vm_list	 nl = { NULL, 0 };
	struct hv_strlist	 exist = { NULL, 0 };
	size_t			 i;
	int			 rc;

	hv_facts_init(&nf);
	if ((rc = xe_res_check(res, "xen refresh")) != 0)
		return rc;
	if ((rc = drv_sections_nonce(res->out, res->outlen, rf->nonce, sec,
	    nitems(sec))) != 0)
		return xe_fail(rc, "xen refresh");
	for (i = 0; i < nitems(sec); i++) {
		if (sec[i].status != 0)
			return xe_section_error(res, &sec[i], what[i]);
		if (i < 2 && !xe_records_whole(sec[i].text, sec[i].len))
			return err_set(ERR_INVAL, "%s: output ends in the "
			    "middle of a record (cut short?)", what[i]);
	}
	if ((rc = xe_minimal_read(&sec[2], what[2], &exist)) != 0)
		return rc;
	if ((rc = hvout_xe_host_facts(sec[0].text, sec[0].len, &nf)) != 0) {
		rc = xe_fail(rc, what[0]);
		goto out;
	}
	if ((rc = hvout_xe_vm_list_sure(sec[1].text, sec[1].len, &exist,
	    &nl)) != 0) {
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
	hv_strlist_free(&exist);
	hv_facts_clear(&nf);
	hv_vm_list_free(&nl);
	return rc;
}

/*
 * What the detail asks of each VM, one vm-param-get each: values come
 * back alone, raw, each in a part of its own, so a name holding newlines
 * or lines like fields is read as what it is. hvsh-id last: a VM without
 * one makes that get fail ("Key hvsh-id not found in map").
 */
static const char *const xe_detail_params[] = {
	"name-label", "power-state", "memory-static-max", "memory-actual",
	"VCPUs-max", "VCPUs-number", "other-config"
};
#define XE_DETAIL_N	nitems(xe_detail_params)
#define XE_NO_ID	"Error: Key hvsh-id not found in map"

/*
 * Detail: which VMs exist (as the refresh asks it), then every field of
 * each VM needed, alone. Needs each VM's uuid, which the refresh always
 * has.
 */
static int
xe_detail(const struct drv_refresh *rf, struct hv_vm *const *need, size_t n,
    struct drv_plan *plan)
{
	static char *const	 uuids[] = {
		"xe", "vm-list", "is-control-domain=false", "params=uuid",
		"--minimal", NULL
	};
	char *const		**cmds;
	char			**argv;
	size_t			 i, k, c = 0;

	for (i = 0; i < n; i++)
		if (need[i]->uuid == NULL ||
		    !hvout_is_uuid(need[i]->uuid, strlen(need[i]->uuid)))
			return err_set(ERR_INVAL, "xen detail: a VM without "
			    "a uuid");
	cmds = xcalloc(1 + n * XE_DETAIL_N, sizeof *cmds);
	cmds[c++] = uuids;
	for (i = 0; i < n; i++) {
		for (k = 0; k < XE_DETAIL_N; k++) {
			argv = xcalloc(6, sizeof *argv);
			argv[0] = xstrdup("xe");
			argv[1] = xstrdup("vm-param-get");
			argv[2] = xasprintf("uuid=%s", need[i]->uuid);
			argv[3] = xasprintf("param-name=%s",
			    xe_detail_params[k]);
			if (strcmp(xe_detail_params[k], "other-config") == 0)
				argv[4] = xstrdup("param-key=hvsh-id");
			cmds[c++] = argv;
		}
	}
	drv_plan_batch_nonce(plan, rf->nonce, cmds, c);
	for (i = 1; i < c; i++) {
		for (k = 0; cmds[i][k] != NULL; k++)
			free(cmds[i][k]);
		free((void *)cmds[i]);
	}
	free(cmds);
	return 0;
}

/* A vm-param-get's one value: its part without the newline xe adds. */
static char *
xe_value(const struct drv_section *sec)
{
	if (sec->len == 0 || sec->text[sec->len - 1] != '\n')
		return NULL;
	return hvout_dup(sec->text, sec->len - 1);
}

/* A vm-param-get's number, or -1. */
static int64_t
xe_value_num(const struct drv_section *sec)
{
	char	*v = xe_value(sec);
	int64_t	 x;

	if (v == NULL || parse_i64(v, &x) != 0 || x < 0)
		x = -1;
	free(v);
	return x;
}

/* How many lines of text are exactly line. */
static size_t
xe_count_lines(const char *text, size_t len, const char *line)
{
	struct hvout_lines	 li;
	const char		*s;
	size_t			 n, c = 0;

	if (text == NULL)
		return 0;
	hvout_lines_init(&li, text, len);
	while (hvout_lines_next(&li, &s, &n))
		if (hvout_eq(s, n, line))
			c++;
	return c;
}

/*
 * Reads a detail: a VM no longer in the list of VMs gets HV_UNKNOWN; the
 * others are filled in from their values. Any other failed get fails the
 * detail and changes nothing, but a failed hvsh-id get, when xe said as
 * many times that the key is not there, is a VM without an id.
 */
static int
xe_detail_read(const struct drv_refresh *rf, const struct tp_result *res,
    struct hv_vm *const *need, size_t n)
{
	struct drv_section	*sec;
	struct hv_strlist	 exist = { NULL, 0 };
	struct hv_vm		*nv;
	const struct drv_section *v;
	char			*ps;
	size_t			 i, k, c = 1 + n * XE_DETAIL_N, noid = 0;
	int64_t			 x;
	int			 rc, there;

	if ((rc = xe_res_check(res, "xen detail")) != 0)
		return rc;
	sec = xcalloc(c, sizeof *sec);
	nv = xcalloc(n, sizeof *nv);
	for (i = 0; i < n; i++)
		hv_vm_init(&nv[i]);
	if ((rc = drv_sections_nonce(res->out, res->outlen, rf->nonce, sec,
	    c)) != 0) {
		rc = xe_fail(rc, "xen detail");
		goto out;
	}
	if (sec[0].status != 0) {
		rc = xe_section_error(res, &sec[0], "xen detail: xe vm-list");
		goto out;
	}
	if ((rc = xe_minimal_read(&sec[0], "xen detail: xe vm-list",
	    &exist)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		nv[i].uuid = xstrdup(need[i]->uuid);
		for (there = 0, k = 0; k < exist.n && !there; k++)
			there = strcmp(exist.v[k], need[i]->uuid) == 0;
		if (!there)
			continue;	/* gone: HV_UNKNOWN */
		v = &sec[1 + i * XE_DETAIL_N];
		for (k = 0; k + 1 < XE_DETAIL_N; k++) {
			if (v[k].status != 0) {
				rc = xe_section_error(res, &v[k],
				    "xen detail: xe vm-param-get");
				goto out;
			}
		}
		if ((nv[i].name = xe_value(&v[0])) == NULL) {
			rc = err_set(ERR_INVAL, "xen detail: a value cut "
			    "short");
			goto out;
		}
		if (v[6].status == 0)
			nv[i].hvsh_id = xe_value(&v[6]);
		else
			noid++;
		ps = xe_value(&v[1]);
		nv[i].state = hvout_xe_state(ps);
		free(ps);
		nv[i].memory = xe_value_num(&v[2]);
		x = xe_value_num(&v[3]);
		nv[i].mem_used = nv[i].state == HV_STOPPED ? 0 : x;
		if ((x = xe_value_num(&v[5])) <= 0)
			x = xe_value_num(&v[4]);
		if (x > 0 && x <= 1000000)
			nv[i].cpus = (int)x;
	}
	if (noid > xe_count_lines(res->err, res->errlen, XE_NO_ID)) {
		rc = err_set(ERR_FAIL, "xen detail: xe vm-param-get of "
		    "other-config:hvsh-id failed");
		goto out;
	}
	for (i = 0; i < n; i++) {
		nv[i].sig = need[i]->sig;
		hv_vm_clear(need[i]);
		*need[i] = nv[i];
		hv_vm_init(&nv[i]);	/* transferred */
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		hv_vm_clear(&nv[i]);
	free(nv);
	free(sec);
	hv_strlist_free(&exist);
	return rc;
}

/*
 * State: the power state of each target alone, by its selector (uuid=U,
 * else name-label=N). vm-list --minimal prints nothing for a VM that is
 * not there, where vm-param-get would fail like xapi being away would.
 */
static int
xe_state(const struct drv_refresh *rf, const struct drv_target *t, size_t n,
    struct drv_plan *plan)
{
	char	***cmds;
	char	 *sel, **a;
	size_t	  i;
	int	  rc = 0;

	cmds = xcalloc(n == 0 ? 1 : n, sizeof *cmds);
	for (i = 0; i < n; i++) {
		if ((rc = xe_selector(&t[i], &sel)) != 0)
			break;
		cmds[i] = xcalloc(6, sizeof **cmds);
		cmds[i][0] = xstrdup("xe");
		cmds[i][1] = xstrdup("vm-list");
		cmds[i][2] = sel;
		cmds[i][3] = xstrdup("params=power-state");
		cmds[i][4] = xstrdup("--minimal");
	}
	if (rc == 0)
		drv_plan_batch_nonce(plan, rf->nonce,
		    (char *const *const *)cmds, n);
	for (i = 0; i < n && cmds[i] != NULL; i++) {
		for (a = cmds[i]; *a != NULL; a++)
			free(*a);
		free(cmds[i]);
	}
	free(cmds);
	return rc;
}

/* One power state per target; none or several VMs: HV_UNKNOWN. */
static int
xe_state_read(const struct drv_refresh *rf, const struct drv_target *t,
    size_t n, const struct tp_result *res, enum hv_state *out)
{
	struct drv_section	*sec;
	struct hv_strlist	 l;
	enum hv_state		*st;
	size_t			 i;
	int			 rc;

	(void)t;
	if ((rc = xe_res_check(res, "xen state")) != 0)
		return rc;
	sec = xcalloc(n == 0 ? 1 : n, sizeof *sec);
	st = xcalloc(n == 0 ? 1 : n, sizeof *st);
	if ((rc = drv_sections_nonce(res->out, res->outlen, rf->nonce, sec,
	    n)) != 0) {
		rc = xe_fail(rc, "xen state");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (sec[i].status != 0) {
			rc = xe_section_error(res, &sec[i],
			    "xen state: xe vm-list");
			goto out;
		}
		if ((rc = xe_minimal_read(&sec[i], "xen state: xe vm-list",
		    &l)) != 0)
			goto out;
		st[i] = l.n == 1 ? hvout_xe_state(l.v[0]) : HV_UNKNOWN;
		hv_strlist_free(&l);
	}
	memcpy(out, st, n * sizeof *out);
	rc = 0;
out:
	free(st);
	free(sec);
	return rc;
}

/*
 * The one record of a listing (sr-list, vdi-list, vbd-list), whole: 0
 * records is ERR_NOENT, several ERR_INVAL. The caller frees rs.
 */
static int
xe_one_record(const char *text, size_t len, const char *what,
    struct hv_xe_records *rs)
{
	int	rc;

	memset(rs, 0, sizeof *rs);
	if (!xe_records_whole(text, len))
		return err_set(ERR_INVAL, "%s: output ends in the middle of "
		    "a record (cut short?)", what);
	if ((rc = hvout_xe_records(text, len, rs)) != 0)
		return xe_fail(rc, what);
	if (rs->n != 1) {
		rc = err_set(rs->n == 0 ? ERR_NOENT : ERR_INVAL, "%s: expected "
		    "one record, xe listed %zu", what, rs->n);
		hvout_xe_records_free(rs);
		return rc;
	}
	return 0;
}

/* A field holding a whole non-negative number. */
static int
xe_field_num(const struct hv_xe_record *r, const char *name,
    const char *what, int64_t *out)
{
	const char	*v = hvout_xe_get(r, name);

	if (v == NULL || hvout_i64(v, strlen(v), out) != 0 || *out < 0)
		return err_set(ERR_INVAL, "%s: no valid %s in xe's answer",
		    what, name);
	return 0;
}

/* A VDI listed with uuid and virtual-size: its uuid, size into r. */
static int
xe_vdi_read(const struct tp_result *res, const char *what, char **uuid,
    int64_t *size)
{
	struct hv_xe_records	 rs;
	const char		*u;
	int			 rc;

	if ((rc = xe_res_check(res, what)) != 0 ||
	    (rc = xe_one_record(res->out, res->outlen, what, &rs)) != 0)
		return rc;
	u = hvout_xe_get(&rs.r[0], "uuid");
	if (u == NULL || !hvout_is_uuid(u, strlen(u))) {
		rc = err_set(ERR_INVAL, "%s: xe listed no VDI uuid", what);
		goto out;
	}
	if ((rc = xe_field_num(&rs.r[0], "virtual-size", what, size)) != 0)
		goto out;
	if (uuid != NULL)
		*uuid = xstrdup(u);
out:
	hvout_xe_records_free(&rs);
	return rc;
}

static int
xe_pool_info_read(const struct drv_req *q, const struct tp_result *res,
    struct drv_reply *rp)
{
	struct hv_pool_list	l = { NULL, 0 };
	struct hv_xe_records	rs;
	int			rc;

	if ((rc = xe_res_check(res, "xen pool info")) != 0)
		return rc;
	if (xe_pool_is_dir(q->pool))
		return hvout_df(res->out, res->outlen, &rp->capacity,
		    &rp->used);
	if ((rc = xe_one_record(res->out, res->outlen, "xen pool info",
	    &rs)) != 0)
		return rc;
	hvout_xe_records_free(&rs);
	if ((rc = hvout_xe_sr_list(res->out, res->outlen, &l)) != 0)
		return xe_fail(rc, "xen pool info");
	if (l.n != 1 || l.v[0].size < 0 || l.v[0].used < 0) {
		rc = err_set(ERR_INVAL, "xen pool info: the SR reports no "
		    "size (an ISO or removable SR?)");
		goto out;
	}
	rp->capacity = l.v[0].size;
	rp->used = l.v[0].used;
out:
	hv_pool_list_free(&l);
	return rc;
}

static int
xe_vol_create_read(const struct drv_req *q, const struct tp_result *res,
    struct drv_reply *rp)
{
	char	*uuid = NULL;
	int64_t	 size;
	int	 rc;

	(void)q;
	if ((rc = xe_vdi_read(res, "xen volume create", &uuid, &size)) != 0)
		return rc;
	free(rp->path);
	rp->path = uuid;
	rp->size = size;
	return 0;
}

static int
xe_vol_attach_read(const struct drv_req *q, const struct tp_result *res,
    struct drv_reply *rp)
{
	struct hv_xe_records	 rs;
	const char		*d;
	int			 rc;

	(void)q;
	if ((rc = xe_res_check(res, "xen volume attach")) != 0 ||
	    (rc = xe_one_record(res->out, res->outlen, "xen volume attach",
	    &rs)) != 0)
		return rc;
	d = hvout_xe_get(&rs.r[0], "userdevice");
	if (d == NULL || xe_device_check(d) != 0) {
		rc = err_set(ERR_INVAL, "xen volume attach: xe listed no "
		    "valid userdevice");
		goto out;
	}
	free(rp->device);
	rp->device = xstrdup(d);
out:
	hvout_xe_records_free(&rs);
	return rc;
}

static int
xe_vol_resize_read(const struct drv_req *q, const struct tp_result *res,
    struct drv_reply *rp)
{
	(void)q;
	return xe_vdi_read(res, "xen volume resize", NULL, &rp->size);
}

/* vm-snapshot and vm-checkpoint print the new snapshot's uuid alone. */
static int
xe_snap_create_read(const struct drv_req *q, const struct tp_result *res,
    struct drv_reply *rp)
{
	struct hv_strlist	l = { NULL, 0 };
	int			rc;

	(void)q;
	if ((rc = xe_res_check(res, "xen snapshot create")) != 0)
		return rc;
	if (res->outlen == 0 || res->out[res->outlen - 1] != '\n')
		return err_set(ERR_INVAL, "xen snapshot create: xe's answer "
		    "was cut short");
	if ((rc = hvout_xe_minimal(res->out, res->outlen, &l)) != 0)
		return xe_fail(rc, "xen snapshot create");
	if (l.n != 1 || !hvout_is_uuid(l.v[0], strlen(l.v[0]))) {
		rc = err_set(ERR_INVAL, "xen snapshot create: expected the "
		    "snapshot's uuid from xe");
		goto out;
	}
	free(rp->ref);
	rp->ref = xstrdup(l.v[0]);
out:
	hv_strlist_free(&l);
	return rc;
}

static int
xe_snap_list_read(const struct drv_req *q, const struct tp_result *res,
    struct drv_reply *rp)
{
	struct hv_snapshot_list	l = { NULL, 0 };
	int			rc;

	(void)q;
	if ((rc = xe_res_check(res, "xen snapshot list")) != 0)
		return rc;
	if (!xe_records_whole(res->out, res->outlen))
		return err_set(ERR_INVAL, "xen snapshot list: output ends in "
		    "the middle of a record (cut short?)");
	if ((rc = hvout_xe_snapshot_list(res->out, res->outlen, &l)) != 0)
		return xe_fail(rc, "xen snapshot list");
	hv_snapshot_list_free(&rp->snaps);
	rp->snaps = l;
	return 0;
}

static int
xe_capture_read(const struct drv_req *q, const struct tp_result *res,
    struct drv_reply *rp)
{
	int64_t	size;
	int	rc;

	if ((rc = xe_vdi_read(res, "xen image capture", NULL, &size)) != 0)
		return rc;
	free(rp->path);
	rp->path = xstrdup(q->dest);
	rp->size = size;
	return 0;
}

/*
 * "<64 hex>  <path>\n" from sha256sum; a leading backslash marks a name
 * that sha256sum escaped. Only the sum is taken, and only if whole.
 */
static int
xe_image_sum_read(const struct drv_req *q, const struct tp_result *res,
    struct drv_reply *rp)
{
	const char	*p = res->out;
	size_t		 n = res->outlen, i;

	(void)q;
	if (xe_res_check(res, "xen image sum") != 0 || p == NULL)
		return err_set(ERR_INVAL, "xen image sum: no output");
	if (n > 0 && *p == '\\') {
		p++;
		n--;
	}
	for (i = 0; i < 64 && i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		    (p[i] >= 'a' && p[i] <= 'f')))
			break;
	if (i != 64 || n < 67 || p[64] != ' ' || memchr(p, '\n', n) == NULL)
		return err_set(ERR_INVAL, "xen image sum: sha256sum's answer "
		    "is not a sum");
	free(rp->sha256);
	rp->sha256 = hvout_dup(p, 64);
	return 0;
}

/*
 * The new VM and its root disk, as the create script lists them: the VM's
 * record, a marker, the root VDI's record (none without a disk), a marker.
 */
static int
xe_create_read(const struct tp_result *res, struct hv_vm *vm)
{
	struct hv_vm_list	l = { NULL, 0 };
	struct drv_section	sec[2];
	char			*disk = NULL;
	int64_t			 size;
	struct tp_result	 r;
	size_t			 i;
	int			 rc;

	if ((rc = xe_res_check(res, "xen create")) != 0)
		return rc;
	if ((rc = drv_sections(res->out, res->outlen, sec, nitems(sec))) != 0)
		return xe_fail(rc, "xen create");
	for (i = 0; i < nitems(sec); i++)
		if (sec[i].status != 0 ||
		    !xe_records_whole(sec[i].text, sec[i].len))
			return err_set(ERR_INVAL, "xen create: the listing "
			    "ends in the middle of a record (cut short?)");
	if ((rc = hvout_xe_vm_list(sec[0].text, sec[0].len, &l)) != 0)
		return xe_fail(rc, "xen create");
	if (l.n != 1) {
		rc = err_set(ERR_INVAL, "xen create: expected the new VM, "
		    "xe listed %zu", l.n);
		goto out;
	}
	if (sec[1].len > 0) {
		memset(&r, 0, sizeof r);
		r.out = (char *)sec[1].text;
		r.outlen = sec[1].len;
		if ((rc = xe_vdi_read(&r, "xen create", &disk, &size)) != 0)
			goto out;
	}
	hv_vm_clear(vm);
	*vm = l.v[0];
	hv_vm_init(&l.v[0]);	/* transferred */
	vm->disk = disk;
	rc = 0;
out:
	hv_vm_list_free(&l);
	return rc;
}

const struct driver drv_xe = {
	.name = "xen",
	.cli = "xe",
	.capture_format = "vhd",
	.probe = xe_probe,
	.probe_read = xe_probe_read,
	.refresh = xe_refresh,
	.refresh_read = xe_refresh_read,
	.detail = xe_detail,
	.detail_read = xe_detail_read,
	.state = xe_state,
	.state_read = xe_state_read,
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
	.call = {
		[DRV_POOL_INFO] = xe_pool_info,
		[DRV_VOL_CREATE] = xe_vol_create,
		[DRV_VOL_ATTACH] = xe_vol_attach,
		[DRV_VOL_DETACH] = xe_vol_detach,
		[DRV_VOL_RESIZE] = xe_vol_resize,
		[DRV_VOL_REMOVE] = xe_vol_remove,
		[DRV_SNAP_CREATE] = xe_snap_create,
		[DRV_SNAP_REVERT] = xe_snap_revert,
		[DRV_SNAP_REMOVE] = xe_snap_remove,
		[DRV_CAPTURE] = xe_capture,
		[DRV_IMAGE_SUM] = xe_image_sum,
		[DRV_SNAP_LIST] = xe_snap_list,
		[DRV_SET_ID] = xe_set_id,
	},
	.call_read = {
		[DRV_POOL_INFO] = xe_pool_info_read,
		[DRV_VOL_CREATE] = xe_vol_create_read,
		[DRV_VOL_ATTACH] = xe_vol_attach_read,
		[DRV_VOL_RESIZE] = xe_vol_resize_read,
		[DRV_SNAP_CREATE] = xe_snap_create_read,
		[DRV_CAPTURE] = xe_capture_read,
		[DRV_IMAGE_SUM] = xe_image_sum_read,
		[DRV_SNAP_LIST] = xe_snap_list_read,
	},
};
