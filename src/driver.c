/*
 * driver.c: what every driver shares: the table of drivers, plans of remote
 * steps, batching several commands into one exec, and the one place an
 * unsupported operation is reported.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "err.h"
#include "quote.h"
#include "util.h"

#define BATCH_MARK	"@@hvsh:"
#define BATCH_NONCE	"@@hvsh-"	/* then the nonce and ':' */

extern const struct driver drv_virsh, drv_xe, drv_vmrun, drv_libvirt;

static const struct driver *const drivers[] = {
	&drv_virsh, &drv_xe, &drv_vmrun, &drv_libvirt, NULL
};

static const char *const op_names[DRV_OP__COUNT] = {
	"start", "stop", "force-off", "reboot", "suspend", "resume", "destroy"
};

static const char *const call_names[DRV_CALL__COUNT] = {
	"pool info", "volume create", "volume attach", "volume detach",
	"volume resize", "volume remove", "snapshot create",
	"snapshot revert", "snapshot remove", "image capture", "image sum",
	"snapshot list", "set id"
};

const char *
drv_call_name(enum drv_call call)
{
	return (unsigned)call < DRV_CALL__COUNT ? call_names[call] : "?";
}

void
drv_reply_init(struct drv_reply *r)
{
	memset(r, 0, sizeof *r);
	r->size = -1;
	r->capacity = -1;
	r->used = -1;
}

void
drv_reply_clear(struct drv_reply *r)
{
	if (r == NULL)
		return;
	free(r->path);
	free(r->device);
	free(r->ref);
	free(r->sha256);
	hv_snapshot_list_free(&r->snaps);
	drv_reply_init(r);
}

const struct driver *
driver_find(const char *name)
{
	size_t	i;

	for (i = 0; name != NULL && drivers[i] != NULL; i++) {
		if (strcmp(drivers[i]->name, name) == 0)
			return drivers[i];
	}
	return NULL;
}

const char *
drv_op_name(enum drv_op op)
{
	return (unsigned)op < DRV_OP__COUNT ? op_names[op] : "?";
}

int
driver_is_direct(const struct driver *d)
{
	return d != NULL && d->direct_refresh != NULL;
}

/* Appends argv (owned by the plan) as the next step. */
static void
plan_push(struct drv_plan *plan, char **argv)
{
	if (plan->n >= DRV_PLAN_MAX) {
		/* A driver bug, not input: plans are short and fixed. */
		fprintf(stderr, "hvsh: driver plan longer than %d steps\n",
		    DRV_PLAN_MAX);
		abort();
	}
	plan->argv[plan->n++] = argv;
}

void
drv_plan_add(struct drv_plan *plan, const char *word, ...)
{
	va_list		 ap;
	char		**argv = NULL;
	const char	*w;
	size_t		 n = 0;

	va_start(ap, word);
	for (w = word; w != NULL; w = va_arg(ap, const char *)) {
		argv = xreallocarray(argv, n + 2, sizeof *argv);
		argv[n++] = xstrdup(w);
	}
	va_end(ap);
	argv = xreallocarray(argv, n + 1, sizeof *argv);
	argv[n] = NULL;
	plan_push(plan, argv);
}

void
drv_plan_clear(struct drv_plan *plan)
{
	size_t	i, j;

	for (i = 0; i < plan->n; i++) {
		for (j = 0; plan->argv[i][j] != NULL; j++)
			free(plan->argv[i][j]);
		free(plan->argv[i]);
	}
	plan->n = 0;
}

char *
drv_plan_text(const struct drv_plan *plan, size_t step)
{
	return quote_argv(plan->argv[step]);
}

void
drv_refresh_init(struct drv_refresh *rf)
{
	unsigned char	r[DRV_NONCE_LEN / 2];
	size_t		i;

	random_bytes(r, sizeof r);
	for (i = 0; i < sizeof r; i++)
		snprintf(rf->nonce + 2 * i, 3, "%02x", r[i]);
}

char *
drv_mark(char *buf, const char *nonce, int k)
{
	snprintf(buf, DRV_MARK_MAX, BATCH_NONCE "%s:%d@@", nonce, k);
	return buf;
}

void
drv_plan_batch(struct drv_plan *plan, char *const *const *cmds, size_t n)
{
	drv_plan_batch_nonce(plan, NULL, cmds, n);
}

void
drv_plan_batch_nonce(struct drv_plan *plan, const char *nonce,
    char *const *const *cmds, size_t n)
{
	struct buf	 script = { 0 };
	char		*line, **argv;
	size_t		 i;

	for (i = 0; i < n; i++) {
		line = quote_argv(cmds[i]);
		/* stdin from /dev/null: no command may eat the next's input. */
		if (nonce != NULL)
			buf_printf(&script, "%s </dev/null; echo \""
			    BATCH_NONCE "%s:$?@@\"\n", line, nonce);
		else
			buf_printf(&script, "%s </dev/null; echo \""
			    BATCH_MARK "$?@@\"\n", line);
		free(line);
	}
	argv = xcalloc(4, sizeof *argv);
	argv[0] = xstrdup("sh");
	argv[1] = xstrdup("-c");
	argv[2] = buf_take(&script);
	plan_push(plan, argv);
}

int
drv_sections(const char *out, size_t len, struct drv_section *sec, size_t n)
{
	return drv_sections_nonce(out, len, NULL, sec, n);
}

int
drv_sections_nonce(const char *out, size_t len, const char *nonce,
    struct drv_section *sec, size_t n)
{
	const char	*p = out, *end = out + len, *m, *q;
	char		 mark[DRV_MARK_MAX];
	size_t		 i, mlen;
	int		 st, digits;

	if (nonce != NULL)
		snprintf(mark, sizeof mark, BATCH_NONCE "%s:", nonce);
	else
		snprintf(mark, sizeof mark, "%s", BATCH_MARK);
	mlen = strlen(mark);
	for (i = 0; i < n; i++) {
		/* The marker stands at the start of a line of its own. */
		for (m = p; m < end; m++) {
			if ((m == out || m[-1] == '\n') &&
			    (size_t)(end - m) >= mlen &&
			    memcmp(m, mark, mlen) == 0)
				break;
		}
		if (m >= end)
			return err_set(ERR_INVAL, "output ends before part %zu "
			    "of %zu (truncated?)", i + 1, n);
		sec[i].text = p;
		sec[i].len = (size_t)(m - p);
		/* The status: 1 to 3 digits, read within len. */
		st = 0;
		digits = 0;
		for (q = m + mlen; q < end && *q >= '0' && *q <= '9' &&
		    digits < 3; q++, digits++)
			st = st * 10 + (*q - '0');
		if (digits == 0 || st > 255 || (size_t)(end - q) < 2 ||
		    memcmp(q, "@@", 2) != 0)
			return err_set(ERR_INVAL, "garbled marker after part "
			    "%zu", i + 1);
		sec[i].status = st;
		p = q + 2;
		if (p < end && *p == '\n')
			p++;
	}
	/* What follows part n is not read: callers may ask for a prefix. */
	return 0;
}

/* Appends s with the five XML special characters escaped. */
static void
xml_add(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			buf_addstr(b, "&amp;");
			break;
		case '<':
			buf_addstr(b, "&lt;");
			break;
		case '>':
			buf_addstr(b, "&gt;");
			break;
		case '"':
			buf_addstr(b, "&quot;");
			break;
		case '\'':
			buf_addstr(b, "&apos;");
			break;
		default:
			buf_addc(b, *s);
		}
	}
}

/*
 * An ISO (image_kind "iso") becomes a read-only SATA CD-ROM the domain
 * boots from; the network, if any, a virtio interface on that libvirt
 * network. The ISO's path is the only text here that is not a name or a
 * number, so it is escaped.
 */
char *
drv_domain_xml(const struct drv_spec *s, const char *domtype,
    const char *pool, const char *file)
{
	struct buf	b = { NULL, 0, 0 };
	int		i, iso;

	iso = s->image_path != NULL && s->image_kind != NULL &&
	    strcmp(s->image_kind, "iso") == 0;
	buf_printf(&b, "<domain type=\"%s\"><name>%s</name>"
	    "<memory unit=\"KiB\">%" PRId64 "</memory><vcpu>%d</vcpu>"
	    "<metadata><hvsh:instance xmlns:hvsh=\"%s\" id=\"%s\"/>"
	    "</metadata>"
	    "<os><type machine=\"q35\">hvm</type>%s</os><devices>",
	    domtype, s->name, (s->memory + 1023) / 1024, s->cpus,
	    DRV_XML_NS, s->hvsh_id,
	    iso ? "<boot dev=\"cdrom\"/><boot dev=\"hd\"/>" : "");
	if (s->disk > 0 && file != NULL) {
		buf_addstr(&b, "<disk type=\"file\" device=\"disk\">"
		    "<driver name=\"qemu\" type=\"qcow2\"/><source file=\"");
		xml_add(&b, file);
		buf_addstr(&b, "\"/><target dev=\"vda\" bus=\"virtio\"/>"
		    "</disk>");
	} else if (s->disk > 0)
		buf_printf(&b, "<disk type=\"volume\" device=\"disk\">"
		    "<driver name=\"qemu\" type=\"qcow2\"/>"
		    "<source pool=\"%s\" volume=\"%s.qcow2\"/>"
		    "<target dev=\"vda\" bus=\"virtio\"/></disk>",
		    pool, s->name);
	if (iso) {
		buf_addstr(&b, "<disk type=\"file\" device=\"cdrom\">"
		    "<driver name=\"qemu\" type=\"raw\"/><source file=\"");
		xml_add(&b, s->image_path);
		buf_addstr(&b, "\"/><target dev=\"sda\" bus=\"sata\"/>"
		    "<readonly/></disk>");
	}
	if (s->network != NULL) {
		buf_addstr(&b, "<interface type=\"network\"><source "
		    "network=\"");
		xml_add(&b, s->network);
		buf_addstr(&b, "\"/><model type=\"virtio\"/></interface>");
	}
	buf_addstr(&b, "<controller type=\"pci\" index=\"0\" "
	    "model=\"pcie-root\"/>");
	for (i = 1; i <= 4; i++)
		buf_printf(&b, "<controller type=\"pci\" index=\"%d\" "
		    "model=\"pcie-root-port\"/>", i);
	buf_addstr(&b, "<controller type=\"usb\" model=\"none\"/>"
	    "<serial type=\"pty\"/><console type=\"pty\"/>"
	    "</devices></domain>");
	return buf_take(&b);
}
