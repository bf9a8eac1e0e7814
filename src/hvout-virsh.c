/*
 * hvout-virsh.c: reads what virsh prints (shared/hv-formats/virsh.md) into
 * hvout.h's structures: domain lists in both table layouts, dominfo,
 * domstate, domstats, the node's facts, snapshot lists, the error lines on
 * stderr, and our id out of domain XML.
 *
 * virsh pads table cells to the display width of the widest cell, not to its
 * byte length, so a name like "über" shifts every later column of its row by
 * a byte. The parsers therefore find a row's columns from their content (a
 * known state word at the end, a time stamp in the middle) and fall back to
 * the header's display columns only when that fails.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "hvout.h"
#include "util.h"

#define KiB	1024
#define MAXCOLS	8

/* A table header: each column's title and its first display column. */
struct vtable {
	size_t		 ncol;
	const char	*title[MAXCOLS];
	size_t		 titlelen[MAXCOLS];
	size_t		 col[MAXCOLS];
};

/* The state words of virsh list, domstate and dominfo, longest first. */
static const struct {
	const char	*word;
	enum hv_state	 state;
} virsh_states[] = {
	{ "pmsuspended", HV_SUSPENDED },
	{ "in shutdown", HV_RUNNING },	/* still running until it is off */
	{ "shut off", HV_STOPPED },
	{ "no state", HV_UNKNOWN },
	{ "shutdown", HV_RUNNING },
	{ "shutoff", HV_STOPPED },	/* snapshot XML spelling */
	{ "running", HV_RUNNING },
	{ "crashed", HV_CRASHED },
	{ "blocked", HV_RUNNING },	/* old name of idle: waiting on I/O */
	{ "nostate", HV_UNKNOWN },
	{ "paused", HV_PAUSED },
	{ "saved", HV_SUSPENDED },	/* list --managed-save: image on disk */
	{ "idle", HV_RUNNING },
};

static enum hv_state
state_slice(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < nitems(virsh_states); i++)
		if (hvout_eq(s, n, virsh_states[i].word))
			return virsh_states[i].state;
	return HV_UNKNOWN;
}

enum hv_state
hvout_virsh_state(const char *word)
{
	if (word == NULL)
		return HV_UNKNOWN;
	return state_slice(word, strlen(word));
}

/* Numbers of virDomainState, as domstats prints state.state. */
enum hv_state
hvout_virsh_state_num(int64_t n)
{
	switch (n) {
	case 1:		/* running */
	case 2:		/* blocked */
	case 4:		/* being shut down */
		return HV_RUNNING;
	case 3:
		return HV_PAUSED;
	case 5:
		return HV_STOPPED;
	case 6:
		return HV_CRASHED;
	case 7:
		return HV_SUSPENDED;
	}
	return HV_UNKNOWN;
}

/*
 * Length in bytes of the UTF-8 character at s and its display width, close
 * enough to wcwidth() for the columns virsh computes with it: combining
 * marks are 0, East Asian wide and emoji ranges 2. A byte that does not
 * start a valid sequence counts as one narrow character.
 */
static size_t
u8_char(const char *s, size_t n, size_t *width)
{
	const unsigned char	*u = (const unsigned char *)s;
	unsigned int		 c;
	size_t			 len, i;

	*width = 1;
	if (u[0] < 0x80)
		return 1;
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		len = 2;
		c = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		len = 3;
		c = u[0] & 0x0f;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		len = 4;
		c = u[0] & 0x07;
	} else
		return 1;
	if (len > n)
		return 1;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 1;
		c = (c << 6) | (u[i] & 0x3f);
	}
	if ((c >= 0x300 && c <= 0x36f) || (c >= 0x1ab0 && c <= 0x1aff) ||
	    (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0x200b && c <= 0x200f) ||
	    (c >= 0x20d0 && c <= 0x20ff) || (c >= 0xfe00 && c <= 0xfe0f) ||
	    (c >= 0xfe20 && c <= 0xfe2f))
		*width = 0;
	else if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) ||
	    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
	    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
	    (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
	    (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd))
		*width = 2;
	return len;
}

/* The byte offset in row s at which display column col starts. */
static size_t
col_to_byte(const char *s, size_t n, size_t col)
{
	size_t	i = 0, at = 0, w;

	while (i < n && at < col) {
		i += u8_char(s + i, n - i, &w);
		at += w;
	}
	return i;
}

static int
dashes(const char *s, size_t n)
{
	size_t	i;

	if (n < 3)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] != '-')
			return 0;
	return 1;
}

/*
 * Reads a table header: " Title   Title Two   Last". Cells start one space
 * in and are separated by at least two spaces (three in vshTable, two in the
 * old printf layout), while a title itself may hold single spaces.
 */
static int
header_parse(const char *s, size_t n, struct vtable *t)
{
	size_t	i = 0, start;

	memset(t, 0, sizeof *t);
	if (n < 2 || s[0] != ' ' || s[1] == ' ')
		return -1;
	i = 1;
	while (i < n) {
		if (t->ncol == MAXCOLS)
			return -1;
		start = i;
		while (i < n &&
		    !(s[i] == ' ' && (i + 1 == n || s[i + 1] == ' ')))
			i++;
		t->title[t->ncol] = s + start;
		t->titlelen[t->ncol] = i - start;
		t->col[t->ncol] = start;
		t->ncol++;
		while (i < n && s[i] == ' ')
			i++;
	}
	return 0;
}

static int
header_find(const struct vtable *t, const char *title)
{
	size_t	i;

	for (i = 0; i < t->ncol; i++)
		if (hvout_eq(t->title[i], t->titlelen[i], title))
			return (int)i;
	return -1;
}

/* Cell k of a row by the header's display columns, trimmed of spaces. */
static void
cell_by_col(const struct vtable *t, size_t k, const char *s, size_t n,
    const char **cell, size_t *celllen)
{
	size_t	a, b;

	a = col_to_byte(s, n, t->col[k]);
	b = k + 1 < t->ncol ? col_to_byte(s, n, t->col[k + 1]) : n;
	if (b < a)
		b = a;
	*cell = s + a;
	*celllen = b - a;
	hvout_trim(cell, celllen);
}

/*
 * Skips leading blank lines and reads a header with its dashes if there is
 * one. On return *first is the first row (or NULL) and *have_header says
 * whether t was filled.
 */
static int
table_start(struct hvout_lines *li, struct vtable *t, int *have_header,
    const char **first, size_t *firstlen)
{
	const char	*s = NULL, *s2;
	size_t		 n = 0, n2;

	memset(t, 0, sizeof *t);
	*have_header = 0;
	*first = NULL;
	*firstlen = 0;
	while (hvout_lines_next(li, &s, &n))
		if (!hvout_blank(s, n))
			break;
	if (li->no == 0 || hvout_blank(s, n))
		return 0;
	{
		struct hvout_lines	peek = *li;

		if (hvout_lines_next(&peek, &s2, &n2) && dashes(s2, n2)) {
			if (header_parse(s, n, t) != 0)
				return -1;
			*have_header = 1;
			*li = peek;
			while (hvout_lines_next(li, &s, &n))
				if (!hvout_blank(s, n)) {
					*first = s;
					*firstlen = n;
					return 0;
				}
			return 0;
		}
	}
	*first = s;
	*firstlen = n;
	return 0;
}

/* Next non-blank line; 0 at the end. */
static int
next_row(struct hvout_lines *li, const char **s, size_t *n)
{
	while (hvout_lines_next(li, s, n))
		if (!hvout_blank(*s, *n))
			return 1;
	return 0;
}

/*
 * A row of the Id Name State table: " <id>  <name>  <state>". The state is
 * the last cell and is never padded, so a known state word at the end of the
 * row delimits the name whatever bytes the name holds; an unknown word is
 * taken to follow the last run of two or more spaces.
 */
static int
list_row(const char *s, size_t n, const struct vtable *t, int have_header,
    struct hv_vm *vm)
{
	size_t		 i, idend, start, k, wl;
	const char	*rest, *state = NULL;
	size_t		 restlen, statelen = 0;

	if (n < 2 || s[0] != ' ')
		return -1;
	for (i = 1; i < n && s[i] != ' '; i++)
		;
	idend = i;
	if (idend == 1)
		return -1;
	if (!(idend == 2 && s[1] == '-')) {
		for (k = 1; k < idend; k++)
			if (s[k] < '0' || s[k] > '9')
				return -1;
	}
	if (have_header && t->col[1] > idend && t->col[1] <= n &&
	    s[t->col[1] - 1] == ' ')
		start = t->col[1];
	else {
		start = idend;
		while (start < n && s[start] == ' ')
			start++;
	}
	if (start >= n)
		return -1;
	rest = s + start;
	restlen = n - start;
	for (k = 0; k < nitems(virsh_states); k++) {
		wl = strlen(virsh_states[k].word);
		if (restlen > wl + 1 && rest[restlen - wl - 1] == ' ' &&
		    memcmp(rest + restlen - wl, virsh_states[k].word,
		    wl) == 0) {
			state = rest + restlen - wl;
			statelen = wl;
			break;
		}
	}
	if (state == NULL) {
		for (k = restlen; k > 2; k--)
			if (rest[k - 1] == ' ' && rest[k - 2] == ' ')
				break;
		if (k <= 2 || k >= restlen)
			return -1;
		state = rest + k;
		statelen = restlen - k;
	}
	restlen = (size_t)(state - rest);
	hvout_rtrim(rest, &restlen);
	if (restlen == 0)
		return -1;
	vm->name = hvout_dup(rest, restlen);
	vm->state = state_slice(state, statelen);
	return 0;
}

/* A row of a list table with other columns (--title, --uuid --table). */
static int
list_row_cols(const char *s, size_t n, const struct vtable *t,
    struct hv_vm *vm)
{
	const char	*c;
	size_t		 cl;
	int		 k;

	if ((k = header_find(t, "Name")) < 0)
		return -1;
	cell_by_col(t, (size_t)k, s, n, &c, &cl);
	if (cl == 0)
		return -1;
	vm->name = hvout_dup(c, cl);
	if ((k = header_find(t, "State")) >= 0) {
		cell_by_col(t, (size_t)k, s, n, &c, &cl);
		vm->state = state_slice(c, cl);
	}
	if ((k = header_find(t, "UUID")) >= 0) {
		cell_by_col(t, (size_t)k, s, n, &c, &cl);
		if (hvout_is_uuid(c, cl))
			vm->uuid = hvout_dup(c, cl);
	}
	return 0;
}

/* Reads the domain table of list, with its header or without (-q). */
int
hvout_virsh_list(const char *text, size_t len, struct hv_vm_list *out)
{
	struct hvout_lines	 li;
	struct vtable		 t;
	struct hv_vm_list	 l = { NULL, 0 };
	const char		*s;
	size_t			 n;
	int			 rc, have_header, plain = 1, more;

	if ((rc = hvout_text_check("virsh list", text, len)) != 0)
		return rc;
	hvout_lines_init(&li, text, len);
	if (table_start(&li, &t, &have_header, &s, &n) != 0)
		return err_set(ERR_INVAL, "virsh list: unreadable header");
	if (have_header) {
		/* Id comes first in every layout of list, not in pool-list. */
		if (header_find(&t, "Id") != 0 || header_find(&t, "Name") < 0)
			return err_set(ERR_INVAL,
			    "virsh list: not a table of domains");
		plain = t.ncol == 3 && header_find(&t, "Id") == 0 &&
		    header_find(&t, "Name") == 1 &&
		    header_find(&t, "State") == 2;
	}
	for (more = s != NULL; more; more = next_row(&li, &s, &n)) {
		struct hv_vm	*vm = hvout_vm_add(&l);

		if (plain)
			rc = list_row(s, n, &t, have_header, vm);
		else
			rc = list_row_cols(s, n, &t, vm);
		if (rc != 0) {
			rc = err_set(ERR_INVAL, "virsh list: line %zu is not "
			    "a row of the domain table", li.no);
			goto out;
		}
		if (vm->state == HV_STOPPED)
			vm->mem_used = 0;
	}
	*out = l;
	l.v = NULL;	/* transferred */
	l.n = 0;
	rc = 0;
out:
	hv_vm_list_free(&l);
	return rc;
}

/* One name per line; a blank line is the one virsh adds at the end. */
int
hvout_virsh_list_name(const char *text, size_t len, struct hv_vm_list *out)
{
	struct hvout_lines	 li;
	struct hv_vm_list	 l = { NULL, 0 };
	const char		*s;
	size_t			 n;
	int			 rc;

	if ((rc = hvout_text_check("virsh list --name", text, len)) != 0)
		return rc;
	hvout_lines_init(&li, text, len);
	while (hvout_lines_next(&li, &s, &n)) {
		/* A name is printed raw with "%s\n": keep even its spaces. */
		if (n == 0)
			continue;
		hvout_vm_add(&l)->name = hvout_dup(s, n);
	}
	*out = l;
	return 0;
}

/*
 * One UUID per line, or "<uuid> <name>" when --name was given too; the
 * name without the spaces that pad it.
 */
int
hvout_virsh_list_uuid(const char *text, size_t len, struct hv_vm_list *out)
{
	struct hvout_lines	 li;
	struct hv_vm_list	 l = { NULL, 0 };
	struct hv_vm		*vm;
	const char		*s;
	size_t			 n;
	int			 rc;

	if ((rc = hvout_text_check("virsh list --uuid", text, len)) != 0)
		return rc;
	hvout_lines_init(&li, text, len);
	while (hvout_lines_next(&li, &s, &n)) {
		if (n == 0)
			continue;
		if (n < 36 || !hvout_is_uuid(s, 36) ||
		    (n > 36 && (n == 37 || s[36] != ' '))) {
			rc = err_set(ERR_INVAL, "virsh list --uuid: line %zu "
			    "is not a UUID", li.no);
			goto out;
		}
		vm = hvout_vm_add(&l);
		vm->uuid = hvout_dup(s, 36);
		/*
		 * Some virsh versions print "%-36s %-30s": the padding is
		 * not the name's. A name's own trailing spaces cannot be
		 * told from it; the table trims them too, so both agree.
		 */
		n = n > 37 ? n - 37 : 0;
		hvout_rtrim(s + 37, &n);
		if (n > 0)
			vm->name = hvout_dup(s + 37, n);
	}
	*out = l;
	l.v = NULL;	/* transferred */
	l.n = 0;
	rc = 0;
out:
	hv_vm_list_free(&l);
	return rc;
}

/*
 * Splits "Key:   value" as virsh prints it with "%-N s %s": the key with its
 * colon padded to width, one space, the value. The value starts at a fixed
 * column, so leading spaces of a value survive. Returns -1 for a line that
 * has no key.
 */
static int
keyval(const char *s, size_t n, size_t width, const char **key,
    size_t *keylen, const char **val, size_t *vallen)
{
	size_t	i, v;

	for (i = 0; i < n && s[i] != ':'; i++) {
		unsigned char	c = (unsigned char)s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == ' ' || c == '(' ||
		    c == ')' || c == '-' || c == '_'))
			return -1;
	}
	if (i == 0 || i == n || s[0] == ' ')
		return -1;
	*key = s;
	*keylen = i;
	hvout_rtrim(s, keylen);
	v = i + 1;
	if (i + 1 <= width && n > width) {
		for (; v <= width; v++)
			if (s[v] != ' ')
				return -1;
	} else {
		while (v < n && s[v] == ' ')
			v++;
	}
	if (v > n)
		v = n;
	*val = s + v;
	*vallen = n - v;
	return 0;
}

/* "261072 KiB" in bytes; -1 if it is not that ("no limit"). */
static int
kib(const char *s, size_t n, int64_t *bytes)
{
	int64_t	v;

	hvout_trim(&s, &n);
	if (n < 5 || memcmp(s + n - 4, " KiB", 4) != 0)
		return -1;
	n -= 4;
	hvout_rtrim(s, &n);
	if (hvout_i64(s, n, &v) != 0 || v < 0 || v > INT64_MAX / KiB)
		return -1;
	*bytes = v * KiB;
	return 0;
}

static int
small_int(const char *s, size_t n, int *out)
{
	int64_t	v;

	hvout_trim(&s, &n);
	if (hvout_i64(s, n, &v) != 0 || v < 0 || v > 1000000)
		return -1;
	*out = (int)v;
	return 0;
}

/* "114.0s" */
static int
seconds(const char *s, size_t n, double *out)
{
	char	buf[32], *end;
	double	d;

	hvout_trim(&s, &n);
	if (n < 2 || n >= sizeof buf || s[n - 1] != 's')
		return -1;
	memcpy(buf, s, n - 1);
	buf[n - 1] = '\0';
	if (buf[0] < '0' || buf[0] > '9')
		return -1;
	d = strtod(buf, &end);
	if (*end != '\0' || d < 0)
		return -1;
	*out = d;
	return 0;
}

/* Reads dominfo; lines it does not use are checked for shape only. */
int
hvout_virsh_dominfo(const char *text, size_t len, struct hv_vm *out)
{
	struct hvout_lines	 li;
	struct hv_vm		 vm;
	const char		*s, *k, *v;
	size_t			 n, kl, vl;
	int			 rc, have_state = 0;

	if ((rc = hvout_text_check("virsh dominfo", text, len)) != 0)
		return rc;
	hv_vm_init(&vm);
	hvout_lines_init(&li, text, len);
	while (hvout_lines_next(&li, &s, &n)) {
		if (hvout_blank(s, n))
			continue;
		/* Later lines of Messages: the label replaced by spaces. */
		if (n > 16 && hvout_blank(s, 16))
			continue;
		if (keyval(s, n, 15, &k, &kl, &v, &vl) != 0) {
			rc = err_set(ERR_INVAL, "virsh dominfo: line %zu is "
			    "not 'Key: value'", li.no);
			goto out;
		}
		if (hvout_eq(k, kl, "Name") && vm.name == NULL)
			vm.name = hvout_dup(v, vl);
		else if (hvout_eq(k, kl, "UUID") && vm.uuid == NULL &&
		    hvout_is_uuid(v, vl))
			vm.uuid = hvout_dup(v, vl);
		else if (hvout_eq(k, kl, "State")) {
			vm.state = state_slice(v, vl);
			have_state = 1;
		} else if (hvout_eq(k, kl, "CPU(s)"))
			(void)small_int(v, vl, &vm.cpus);
		else if (hvout_eq(k, kl, "CPU time"))
			(void)seconds(v, vl, &vm.cpu_time);
		else if (hvout_eq(k, kl, "Max memory"))
			(void)kib(v, vl, &vm.memory);
		else if (hvout_eq(k, kl, "Used memory"))
			(void)kib(v, vl, &vm.mem_used);
	}
	if (vm.name == NULL || !have_state) {
		rc = err_set(ERR_INVAL, "virsh dominfo: no %s line",
		    vm.name == NULL ? "Name" : "State");
		goto out;
	}
	/* An inactive domain's "used" memory is its configured size. */
	if (vm.state == HV_STOPPED) {
		vm.mem_used = 0;
		if (vm.cpu_time < 0)
			vm.cpu_time = 0;
	}
	*out = vm;
	hv_vm_init(&vm);	/* transferred */
	rc = 0;
out:
	hv_vm_clear(&vm);
	return rc;
}

/* Reads domstate's one line, with the reason --reason adds. */
int
hvout_virsh_domstate(const char *text, size_t len, struct hv_vmstate *out)
{
	struct hvout_lines	 li;
	const char		*s, *line = NULL, *p;
	size_t			 n, linelen = 0, wl;
	enum hv_state		 st;
	int			 rc;

	if ((rc = hvout_text_check("virsh domstate", text, len)) != 0)
		return rc;
	hvout_lines_init(&li, text, len);
	while (hvout_lines_next(&li, &s, &n)) {
		if (hvout_blank(s, n))
			continue;
		if (line != NULL)
			return err_set(ERR_INVAL, "virsh domstate: more than "
			    "one line");
		line = s;
		linelen = n;
	}
	if (line == NULL)
		return err_set(ERR_INVAL, "virsh domstate: no output");
	/* "shut off (shutdown)": the reason in the last parentheses. */
	wl = linelen;
	p = NULL;
	if (linelen > 3 && line[linelen - 1] == ')') {
		size_t	i;

		for (i = linelen - 1; i > 1; i--)
			if (line[i - 1] == '(' && line[i - 2] == ' ') {
				p = line + i;
				wl = i - 2;
				break;
			}
	}
	st = state_slice(line, wl);
	if (st == HV_UNKNOWN && !hvout_eq(line, wl, "no state") &&
	    !hvout_eq(line, wl, "nostate"))
		return err_set(ERR_INVAL, "virsh domstate: unknown state");
	out->state = st;
	out->reason = p == NULL ? NULL :
	    hvout_dup(p, (size_t)(line + linelen - 1 - p));
	return 0;
}

/* "Domain: 'name'"; virsh does not escape quotes inside the name. */
static int
domstats_name(const char *s, size_t n, char **name)
{
	const char	*a, *b;

	if (!hvout_prefix(s, n, "Domain: "))
		return -1;
	a = s + 8;
	n -= 8;
	if (n >= 2 && a[0] == '\'' && a[n - 1] == '\'') {
		a++;
		n -= 2;
	}
	b = a + n;
	if (b == a)
		return -1;
	*name = hvout_dup(a, (size_t)(b - a));
	return 0;
}

/*
 * Whether a domstats field is of the domain's definition rather than its
 * run: its maximum vCPUs and memory, its disks. A change of any changes
 * the signature a refresh compares (hv_vm.sig). Not the disks' paths:
 * libvirt shows a pool volume's path only while the domain runs.
 */
static int
definition_field(const char *k, size_t kl)
{
	return hvout_eq(k, kl, "balloon.maximum") ||
	    hvout_eq(k, kl, "vcpu.maximum") || hvout_eq(k, kl, "block.count") ||
	    (hvout_prefix(k, kl, "block.") && kl > 5 &&
	    memcmp(k + kl - 5, ".name", 5) == 0);
}

/* FNV-1a over "key=value\n", chained from the signature so far. */
static uint64_t
sig_mix(uint64_t h, const char *k, size_t kl, const char *v, size_t vl)
{
	size_t	i;

	if (h == 0)
		h = 1469598103934665603ULL;
	for (i = 0; i < kl + 1 + vl + 1; i++) {
		h ^= (unsigned char)(i < kl ? k[i] : i == kl ? '=' :
		    i < kl + 1 + vl ? v[i - kl - 1] : '\n');
		h *= 1099511628211ULL;
	}
	return h != 0 ? h : 1;
}

/* Takes the domstats fields hvsh uses; numbers are KiB, ns and counts. */
static void
domstats_field(struct hv_vm *vm, const char *k, size_t kl, const char *v,
    size_t vl, int *have_current)
{
	int64_t	x;

	if (definition_field(k, kl))
		vm->sig = sig_mix(vm->sig, k, kl, v, vl);
	if (hvout_i64(v, vl, &x) != 0 || x < 0)
		return;
	if (hvout_eq(k, kl, "state.state"))
		vm->state = hvout_virsh_state_num(x);
	else if (hvout_eq(k, kl, "cpu.time"))
		vm->cpu_time = (double)x / 1e9;
	else if (hvout_eq(k, kl, "balloon.current") && x <= INT64_MAX / KiB)
		vm->mem_used = x * KiB;
	else if (hvout_eq(k, kl, "balloon.maximum") && x <= INT64_MAX / KiB)
		vm->memory = x * KiB;
	else if (hvout_eq(k, kl, "vcpu.current") && x <= 1000000) {
		vm->cpus = (int)x;
		*have_current = 1;
	} else if (hvout_eq(k, kl, "vcpu.maximum") && x <= 1000000 &&
	    !*have_current)
		vm->cpus = (int)x;
}

/* Reads "Domain: 'name'" records of "  field=value" lines. */
int
hvout_virsh_domstats(const char *text, size_t len, struct hv_vm_list *out)
{
	struct hvout_lines	 li;
	struct hv_vm_list	 l = { NULL, 0 };
	struct hv_vm		*vm = NULL;
	const char		*s, *eq;
	size_t			 n, i;
	int			 rc, have_current = 0, bad = 0;

	if ((rc = hvout_text_check("virsh domstats", text, len)) != 0)
		return rc;
	hvout_lines_init(&li, text, len);
	while (hvout_lines_next(&li, &s, &n)) {
		if (n == 0)
			continue;
		if (s[0] != ' ') {
			vm = hvout_vm_add(&l);
			have_current = 0;
			if (domstats_name(s, n, &vm->name) != 0) {
				bad = 1;
				break;
			}
			continue;
		}
		if (vm == NULL || n < 3 || s[1] != ' ' || s[2] == ' ' ||
		    (eq = memchr(s, '=', n)) == NULL) {
			bad = 1;
			break;
		}
		i = (size_t)(eq - s);
		domstats_field(vm, s + 2, i - 2, eq + 1, n - i - 1,
		    &have_current);
	}
	if (bad) {
		rc = err_set(ERR_INVAL, "virsh domstats: line %zu is neither "
		    "'Domain: ...' nor '  field=value'", li.no);
		goto out;
	}
	for (i = 0; i < l.n; i++)
		if (l.v[i].state == HV_STOPPED)
			l.v[i].mem_used = 0;
	*out = l;
	l.v = NULL;	/* transferred */
	l.n = 0;
	rc = 0;
out:
	hv_vm_list_free(&l);
	return rc;
}

/*
 * Reads "Key: value" lines into facts, calling fn for each; a line of
 * another shape is an error, as is output in which fn found nothing.
 */
static int
facts_lines(const char *what, const char *text, size_t len, size_t width,
    int (*fn)(void *, const char *, size_t, const char *, size_t), void *arg)
{
	struct hvout_lines	 li;
	const char		*s, *k, *v;
	size_t			 n, kl, vl;
	int			 rc, found = 0;

	if ((rc = hvout_text_check(what, text, len)) != 0)
		return rc;
	hvout_lines_init(&li, text, len);
	while (hvout_lines_next(&li, &s, &n)) {
		if (hvout_blank(s, n) || dashes(s, n))
			continue;
		if (keyval(s, n, width, &k, &kl, &v, &vl) != 0) {
			/* freecell --all indents the cell numbers. */
			const char	*t = s;
			size_t		 tl = n;

			hvout_trim(&t, &tl);
			if (t == s || keyval(t, tl, 0, &k, &kl, &v, &vl) != 0)
				return err_set(ERR_INVAL, "%s: line %zu is not "
				    "'Key: value'", what, li.no);
		}
		found += fn(arg, k, kl, v, vl);
	}
	if (!found)
		return err_set(ERR_INVAL, "%s: nothing recognised", what);
	return 0;
}

/* CPU(s) and Memory size of nodeinfo. */
static int
nodeinfo_fn(void *arg, const char *k, size_t kl, const char *v, size_t vl)
{
	struct hv_facts	*f = arg;
	int64_t		 b;
	int		 c;

	if (hvout_eq(k, kl, "CPU(s)") && small_int(v, vl, &c) == 0) {
		f->cpus = c;
		return 1;
	}
	if (hvout_eq(k, kl, "Memory size") && kib(v, vl, &b) == 0) {
		f->memory = b;
		return 1;
	}
	return 0;
}

int
hvout_virsh_nodeinfo(const char *text, size_t len, struct hv_facts *out)
{
	struct hv_facts	f = *out;
	int		rc;

	if ((rc = facts_lines("virsh nodeinfo", text, len, 20, nodeinfo_fn,
	    &f)) != 0)
		return rc;
	*out = f;
	return 0;
}

/* "free   :              1234567 KiB" (virsh prints "%-7s: %20llu KiB"). */
static int
memstats_fn(void *arg, const char *k, size_t kl, const char *v, size_t vl)
{
	struct hv_facts	*f = arg;
	int64_t		 b;

	if (kib(v, vl, &b) != 0)
		return 0;
	if (hvout_eq(k, kl, "free")) {
		f->mem_free = b;
		return 1;
	}
	if (hvout_eq(k, kl, "total")) {
		f->memory = b;
		return 1;
	}
	return 0;
}

int
hvout_virsh_nodememstats(const char *text, size_t len, struct hv_facts *out)
{
	struct hv_facts	f = *out;
	int		rc;

	if ((rc = facts_lines("virsh nodememstats", text, len, 0,
	    memstats_fn, &f)) != 0)
		return rc;
	*out = f;
	return 0;
}

/*
 * freecell prints "Total: N KiB" alone, or one "    0:  N KiB" line per
 * NUMA cell, dashes and "Total:  N KiB" with --all, or one cell's line with
 * --cellno. The total wins; a single cell line stands for itself.
 */
struct freecell {
	struct hv_facts	*f;
	int		 total;
	int		 cells;
};

static int
freecell_fn(void *arg, const char *k, size_t kl, const char *v, size_t vl)
{
	struct freecell	*fc = arg;
	int64_t		 b, cell;

	if (kib(v, vl, &b) != 0)
		return 0;
	if (hvout_eq(k, kl, "Total")) {
		fc->f->mem_free = b;
		fc->total = 1;
		return 1;
	}
	if (hvout_i64(k, kl, &cell) == 0) {
		if (!fc->total)
			fc->f->mem_free = fc->cells == 0 ? b : -1;
		fc->cells++;
		return 1;
	}
	return 0;
}

/* Free memory from freecell, in any of its three shapes. */
int
hvout_virsh_freecell(const char *text, size_t len, struct hv_facts *out)
{
	struct hv_facts	f = *out;
	struct freecell	acc = { &f, 0, 0 };
	int		rc;

	f.mem_free = -1;
	rc = facts_lines("virsh freecell", text, len, 0, freecell_fn, &acc);
	if (rc != 0)
		return rc;
	if (f.mem_free < 0)
		return err_set(ERR_INVAL, "virsh freecell: several cells and "
		    "no total");
	*out = f;
	return 0;
}

/* "9.0.0": digits and dots, as virsh --version prints. */
static int
version_number(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n > 31 || s[0] < '0' || s[0] > '9')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] != '.' && (s[i] < '0' || s[i] > '9'))
			return 0;
	return 1;
}

/*
 * version: "Using library: libvirt 9.0.0" and "Running hypervisor: QEMU
 * 7.2.0" become "QEMU 7.2.0 (libvirt 9.0.0)"; --version prints the bare
 * library version.
 */
int
hvout_virsh_version(const char *text, size_t len, struct hv_facts *out)
{
	struct hvout_lines	 li;
	const char		*s, *lib = NULL, *hv = NULL, *bare = NULL;
	size_t			 n, libl = 0, hvl = 0, barel = 0;
	int			 rc;

	if ((rc = hvout_text_check("virsh version", text, len)) != 0)
		return rc;
	hvout_lines_init(&li, text, len);
	while (hvout_lines_next(&li, &s, &n)) {
		if (hvout_blank(s, n))
			continue;
		if (hvout_prefix(s, n, "Using library: ")) {
			lib = s + 15;
			libl = n - 15;
		} else if (hvout_prefix(s, n, "Running hypervisor: ")) {
			hv = s + 20;
			hvl = n - 20;
		} else if (bare == NULL && version_number(s, n)) {
			bare = s;
			barel = n;
		}
	}
	if (lib == NULL && hv == NULL && bare == NULL)
		return err_set(ERR_INVAL, "virsh version: no version found");
	free(out->version);
	if (hv != NULL && lib != NULL)
		out->version = xasprintf("%.*s (%.*s)", (int)hvl, hv,
		    (int)libl, lib);
	else if (hv != NULL)
		out->version = hvout_dup(hv, hvl);
	else if (lib != NULL)
		out->version = hvout_dup(lib, libl);
	else
		out->version = xasprintf("libvirt %.*s", (int)barel, bare);
	return 0;
}

/*
 * A row of snapshot-list: " <name>  <YYYY-MM-DD HH:MM:SS +ZZZZ>  <state>
 * [<parent>]". The time stamp has a fixed shape, so it delimits the name
 * (which may hold spaces and wide characters) in both the vshTable and the
 * old " %-20s %-25s %s" layout, where a long name leaves one space.
 */
static int
snapshot_row(const char *s, size_t n, const struct vtable *t,
    struct hv_snapshot *sn)
{
	size_t		 i, j, namelen;
	int64_t		 when;
	const char	*c;
	size_t		 cl;
	int		 k;

	if (n < 2 || s[0] != ' ')
		return -1;
	for (i = 2; i + 25 <= n; i++) {
		if (s[i - 1] != ' ' || s[i] < '0' || s[i] > '9')
			continue;
		if (hvout_datetime(s + i, 25, &when) == 0)
			break;
	}
	if (i + 25 > n) {
		/* An unexpected time format: go by the header's columns. */
		if ((k = header_find(t, "Name")) < 0)
			return -1;
		cell_by_col(t, (size_t)k, s, n, &c, &cl);
		if (cl == 0)
			return -1;
		sn->name = hvout_dup(c, cl);
		if ((k = header_find(t, "State")) >= 0) {
			cell_by_col(t, (size_t)k, s, n, &c, &cl);
			sn->state = cl ? hvout_dup(c, cl) : NULL;
		}
		if ((k = header_find(t, "Parent")) >= 0) {
			cell_by_col(t, (size_t)k, s, n, &c, &cl);
			sn->parent = cl ? hvout_dup(c, cl) : NULL;
		}
		return 0;
	}
	namelen = i - 1;
	hvout_rtrim(s + 1, &namelen);
	if (namelen == 0)
		return -1;
	sn->name = hvout_dup(s + 1, namelen);
	sn->created = when;
	for (i += 25; i < n && s[i] == ' '; i++)
		;
	for (j = i; j < n && s[j] != ' '; j++)
		;
	if (j > i)
		sn->state = hvout_dup(s + i, j - i);
	/* Only --parent adds a column after State; it may be empty. */
	while (j < n && s[j] == ' ')
		j++;
	cl = n - j;
	hvout_rtrim(s + j, &cl);
	if (cl > 0)
		sn->parent = hvout_dup(s + j, cl);
	return 0;
}

/* Reads snapshot-list's table, new or old, with or without Parent. */
int
hvout_virsh_snapshot_list(const char *text, size_t len,
    struct hv_snapshot_list *out)
{
	struct hvout_lines	 li;
	struct vtable		 t;
	struct hv_snapshot_list	 l = { NULL, 0 };
	const char		*s;
	size_t			 n;
	int			 rc, have_header, more;

	if ((rc = hvout_text_check("virsh snapshot-list", text, len)) != 0)
		return rc;
	hvout_lines_init(&li, text, len);
	if (table_start(&li, &t, &have_header, &s, &n) != 0)
		return err_set(ERR_INVAL, "virsh snapshot-list: unreadable "
		    "table header");
	if (have_header && (header_find(&t, "Name") != 0 ||
	    header_find(&t, "Creation Time") < 0))
		return err_set(ERR_INVAL, "virsh snapshot-list: not a "
		    "snapshot table");
	for (more = s != NULL; more; more = next_row(&li, &s, &n)) {
		if (snapshot_row(s, n, &t, hvout_snapshot_add(&l)) != 0) {
			rc = err_set(ERR_INVAL, "virsh snapshot-list: line "
			    "%zu is not a row of the table", li.no);
			goto out;
		}
	}
	*out = l;
	l.v = NULL;	/* transferred */
	l.n = 0;
	rc = 0;
out:
	hv_snapshot_list_free(&l);
	return rc;
}

/* One snapshot name per line (snapshot-list --name). */
int
hvout_virsh_snapshot_name(const char *text, size_t len,
    struct hv_snapshot_list *out)
{
	struct hvout_lines	 li;
	struct hv_snapshot_list	 l = { NULL, 0 };
	const char		*s;
	size_t			 n;
	int			 rc;

	if ((rc = hvout_text_check("virsh snapshot-list --name", text,
	    len)) != 0)
		return rc;
	hvout_lines_init(&li, text, len);
	while (hvout_lines_next(&li, &s, &n))
		if (n > 0)
			hvout_snapshot_add(&l)->name = hvout_dup(s, n);
	*out = l;
	return 0;
}

/* Which ERR_* a virsh or libvirt message means; first match wins. */
static const struct {
	const char	*needle;
	int		 code;
} virsh_codes[] = {
	{ "failed to get domain", ERR_NOENT },
	{ "not found", ERR_NOENT },
	{ "no domain with matching", ERR_NOENT },
	{ "no domain snapshot with matching", ERR_NOENT },
	{ "has no current snapshot", ERR_NOENT },
	{ "already exists", ERR_EXIST },
	{ "exists already", ERR_EXIST },	/* vol-create-as */
	{ "already active", ERR_BUSY },
	{ "is not running", ERR_BUSY },
	{ "Requested operation is not valid", ERR_BUSY },
	{ "in use", ERR_BUSY },
	{ "authentication failed", ERR_PERM },
	{ "Authentication failed", ERR_PERM },
	{ "Permission denied", ERR_PERM },
	{ "access denied", ERR_PERM },
	{ "failed to connect to the hypervisor", ERR_IO },
	{ "unknown command", ERR_INVAL },
	{ "requires <", ERR_INVAL },
	{ "doesn't support option", ERR_INVAL },
	{ "invalid argument", ERR_INVAL },
};

/*
 * libvirt prefixes its messages with the error's class ("Requested
 * operation is not valid: domain is not running"); after these classes the
 * rest is the reason people need. Classes that say something themselves
 * ("Operation not supported", "internal error") are kept.
 */
static const char *const libvirt_classes[] = {
	"Requested operation is not valid: ",
	"operation failed: ",
	"Domain not found: ",
	"Domain snapshot not found: ",
	"invalid argument: ",
};

/* Turns virsh's "error:" lines into a code and one short reason. */
int
hvout_virsh_error(const char *text, size_t len, struct hv_error *out)
{
	struct hvout_lines	 li;
	const char		*s, *first = NULL, *last = NULL;
	size_t			 n, firstl = 0, lastl = 0, i, count = 0;
	int			 rc, code = ERR_FAIL, matched = 0;

	if ((rc = hvout_text_check("virsh", text, len)) != 0)
		return rc;
	hvout_lines_init(&li, text, len);
	while (hvout_lines_next(&li, &s, &n)) {
		if (!hvout_prefix(s, n, "error: "))
			continue;
		s += 7;
		n -= 7;
		if (count++ == 0) {
			first = s;
			firstl = n;
		}
		last = s;
		lastl = n;
		for (i = 0; i < nitems(virsh_codes) && !matched; i++)
			if (hvout_find(s, n, virsh_codes[i].needle) != NULL) {
				code = virsh_codes[i].code;
				matched = 1;
			}
	}
	if (count == 0)
		return err_set(ERR_INVAL, "virsh: no 'error:' line");
	memset(out, 0, sizeof *out);
	out->code = code;
	/* The lookup line is clearer than what older libvirt adds to it. */
	if (hvout_prefix(first, firstl, "failed to get domain"))
		out->reason = hvout_dup(first, firstl);
	else if (count > 1 && hvout_prefix(first, firstl, "failed to connect"))
		out->reason = xasprintf("%.*s: %.*s", (int)firstl, first,
		    (int)lastl, last);
	else {
		for (i = 0; i < nitems(libvirt_classes); i++)
			if (hvout_prefix(last, lastl, libvirt_classes[i]) &&
			    lastl > strlen(libvirt_classes[i])) {
				last += strlen(libvirt_classes[i]);
				lastl -= strlen(libvirt_classes[i]);
				break;
			}
		out->reason = hvout_dup(last, lastl);
	}
	return 0;
}

/* Undoes the five predefined XML entities; anything else stays as is. */
static char *
xml_unescape(const char *s, size_t n)
{
	static const struct {
		const char	*ent;
		char		 c;
	} ents[] = {
		{ "&quot;", '"' }, { "&apos;", '\'' }, { "&lt;", '<' },
		{ "&gt;", '>' }, { "&amp;", '&' },
	};
	struct buf	b = { NULL, 0, 0 };
	size_t		i, k;

	for (i = 0; i < n; i++) {
		if (s[i] == '&') {
			for (k = 0; k < nitems(ents); k++)
				if (hvout_prefix(s + i, n - i, ents[k].ent))
					break;
			if (k < nitems(ents)) {
				buf_addc(&b, ents[k].c);
				i += strlen(ents[k].ent) - 1;
				continue;
			}
		}
		buf_addc(&b, s[i]);
	}
	return buf_take(&b);
}

#define HVSH_NS	"https://hvsh.invalid/ns/1"
#define TAGMAX	4096	/* longest start tag looked at around the URI */

/*
 * The id attribute of the start tag from lt ('<') to gt ('>'): 0 with *id
 * set, 1 if the tag has none (or an empty one).
 */
static int
tag_id(const char *lt, const char *gt, char **id)
{
	const char	*a;
	size_t		 k;
	char		 quote;

	for (a = lt + 1; a + 4 < gt; a++) {
		if ((a[0] != ' ' && a[0] != '\t' && a[0] != '\n') ||
		    a[1] != 'i' || a[2] != 'd' || a[3] != '=')
			continue;
		quote = a[4];
		if (quote != '"' && quote != '\'')
			continue;
		a += 5;
		for (k = 0; a + k < gt && a[k] != quote; k++)
			;
		if (a + k >= gt || k == 0)
			return 1;
		*id = xml_unescape(a, k);
		return 0;
	}
	return 1;
}

/*
 * Finds the element that declares our namespace (xmlns:hvsh="..." or a
 * default xmlns="...") and returns its id attribute. A string search, not
 * an XML parser: the element is one we wrote, and the namespace URI
 * anchors it whatever prefix libvirt keeps.
 */
int
hvout_virsh_metadata_id(const char *text, size_t len, char **id)
{
	const char	*p, *end, *lt, *gt, *q, *lo;
	size_t		 off = 0;
	int		 rc;

	if ((rc = hvout_text_check("virsh dumpxml", text, len)) != 0)
		return rc;
	end = text + len;
	while (off < len &&
	    (p = hvout_find(text + off, len - off, HVSH_NS)) != NULL) {
		off = (size_t)(p - text) + 1;
		/* The URI must be an xmlns attribute's value. */
		if (p - text < 8 || (p[-1] != '"' && p[-1] != '\'') ||
		    p + strlen(HVSH_NS) >= end || p[strlen(HVSH_NS)] != p[-1])
			continue;
		/* Bounded scans: a long run of URIs must not cost n^2. */
		lo = p - text > TAGMAX ? p - TAGMAX : text;
		for (q = p - 2; q > lo && *q != ' ' && *q != '\t' &&
		    *q != '\n' && *q != '<' && *q != '>'; q--)
			;
		if (!hvout_prefix(q + 1, (size_t)(end - q - 1), "xmlns"))
			continue;
		for (lt = q; lt > lo && *lt != '<' && *lt != '>'; lt--)
			;
		if (*lt != '<')
			continue;
		gt = memchr(p, '>', (size_t)(end - p) < TAGMAX ?
		    (size_t)(end - p) : TAGMAX);
		if (gt == NULL)
			continue;
		if (tag_id(lt, gt, id) == 0)
			return 0;
		return err_set(ERR_INVAL, "virsh dumpxml: our metadata "
		    "element has no id");
	}
	*id = NULL;
	return 0;
}

/*
 * virsh metadata DOM --uri NS prints the one element libvirt keeps in that
 * namespace with the namespace taken off ('<instance id="42"/>'), so it is
 * ours by where it came from: its start tag's id attribute.
 */
int
hvout_virsh_metadata_elem(const char *text, size_t len, char **id)
{
	const char	*s = text, *gt;
	size_t		 n = len;
	int		 rc;

	if ((rc = hvout_text_check("virsh metadata", text, len)) != 0)
		return rc;
	/* virsh's blank lines around it. */
	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n')) {
		s++;
		n--;
	}
	if (n < 3 || s[0] != '<' || s[1] == '/' || s[1] == '?' ||
	    s[1] == '!' || (gt = memchr(s, '>', n)) == NULL)
		return err_set(ERR_INVAL, "virsh metadata: not an element");
	if (tag_id(s, gt, id) != 0)
		return err_set(ERR_INVAL, "virsh metadata: our element has "
		    "no id");
	return 0;
}

/* Capacity and Allocation of pool-info --bytes. */
static int
capacity_fn(void *arg, const char *k, size_t kl, const char *v, size_t vl)
{
	struct hv_pool	*p = arg;
	int64_t		 b;

	hvout_trim(&v, &vl);
	/* vol-info --bytes says "N bytes", pool-info --bytes just N. */
	if (vl > 6 && memcmp(v + vl - 6, " bytes", 6) == 0)
		vl -= 6;
	if (hvout_eq(k, kl, "Name") && p->name == NULL && vl > 0) {
		p->name = hvout_dup(v, vl);
		return 0;
	}
	if (!hvout_eq(k, kl, "Capacity") && !hvout_eq(k, kl, "Allocation"))
		return 0;
	if (hvout_i64(v, vl, &b) != 0 || b < 0)
		return 0;	/* "20.00 GiB": not --bytes */
	if (hvout_eq(k, kl, "Capacity"))
		p->size = b;
	else
		p->used = b;
	return 1;
}

/*
 * pool-info --bytes ("%-15s %llu") and vol-info --bytes ("%-15s %llu
 * bytes"): name, size
 * (Capacity) and used (Allocation). Both numbers must be there, in bytes.
 */
int
hvout_virsh_pool_info(const char *text, size_t len, struct hv_pool *out)
{
	struct hv_pool	p;
	int		rc;

	memset(&p, 0, sizeof p);
	p.size = -1;
	p.used = -1;
	rc = facts_lines("virsh pool-info", text, len, 15, capacity_fn, &p);
	if (rc == 0 && (p.size < 0 || p.used < 0))
		rc = err_set(ERR_INVAL, "virsh pool-info: no Capacity and "
		    "Allocation in bytes");
	if (rc != 0) {
		free(p.name);
		return rc;
	}
	*out = p;
	return 0;
}

/*
 * The one non-blank line of a command that prints one thing (vol-path,
 * the target our attach script chose), without surrounding spaces.
 */
int
hvout_virsh_line(const char *text, size_t len, char **line)
{
	struct hvout_lines	 li;
	const char		*s, *got = NULL;
	size_t			 n, gotlen = 0;
	int			 rc;

	if ((rc = hvout_text_check("virsh", text, len)) != 0)
		return rc;
	hvout_lines_init(&li, text, len);
	while (hvout_lines_next(&li, &s, &n)) {
		if (hvout_blank(s, n))
			continue;
		if (got != NULL)
			return err_set(ERR_INVAL, "virsh: more than one line "
			    "where one was expected");
		got = s;
		gotlen = n;
	}
	if (got == NULL)
		return err_set(ERR_INVAL, "virsh: no output where a line was "
		    "expected");
	hvout_trim(&got, &gotlen);
	*line = hvout_dup(got, gotlen);
	return 0;
}

/*
 * The top-level "virtual-size" of qemu-img info --output=json: the first
 * key of that name at depth one (nested images in "children" or
 * "backing-image" are deeper). Strings are skipped with their escapes.
 */
int
hvout_virsh_qemu_img_size(const char *text, size_t len, int64_t *size)
{
	static const char	 key[] = "\"virtual-size\"";
	size_t			 i, j, kl = sizeof key - 1;
	int			 depth = 0, rc;
	int64_t			 v;

	if ((rc = hvout_text_check("qemu-img info", text, len)) != 0)
		return rc;
	for (i = 0; i < len; i++) {
		switch (text[i]) {
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			depth--;
			break;
		case '"':
			if (depth == 1 && len - i > kl &&
			    memcmp(text + i, key, kl) == 0) {
				for (j = i + kl; j < len && (text[j] == ' ' ||
				    text[j] == '\t' || text[j] == '\n'); j++)
					;
				if (j >= len || text[j] != ':')
					break;
				for (j++; j < len && (text[j] == ' ' ||
				    text[j] == '\t'); j++)
					;
				for (i = j; j < len && text[j] >= '0' &&
				    text[j] <= '9'; j++)
					;
				if (hvout_i64(text + i, j - i, &v) != 0 ||
				    v < 0)
					return err_set(ERR_INVAL, "qemu-img "
					    "info: virtual-size is not a "
					    "number");
				*size = v;
				return 0;
			}
			for (i++; i < len && text[i] != '"'; i++)
				if (text[i] == '\\')
					i++;
			break;
		}
	}
	return err_set(ERR_INVAL, "qemu-img info: no virtual-size");
}

/*
 * sha256sum's line: 64 hex digits, two characters, the name (a leading
 * backslash when the name needed escapes). The digest, lowercase.
 */
int
hvout_virsh_sha256(const char *text, size_t len, char **hex)
{
	struct hvout_lines	 li;
	const char		*s;
	size_t			 n, i;
	int			 rc;

	if ((rc = hvout_text_check("sha256sum", text, len)) != 0)
		return rc;
	hvout_lines_init(&li, text, len);
	while (hvout_lines_next(&li, &s, &n) && hvout_blank(s, n))
		;
	if (li.no == 0 || hvout_blank(s, n))
		return err_set(ERR_INVAL, "sha256sum: no output");
	if (n > 0 && s[0] == '\\') {
		s++;
		n--;
	}
	if (n < 66 || s[64] != ' ')
		return err_set(ERR_INVAL, "sha256sum: not a digest line");
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return err_set(ERR_INVAL, "sha256sum: not a digest "
			    "line");
	*hex = hvout_dup(s, 64);
	return 0;
}
