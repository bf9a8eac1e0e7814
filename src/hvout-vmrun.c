/*
 * hvout-vmrun.c: reads what vmrun prints (shared/hv-formats/vmrun.md) and
 * reads and edits .vmx files. vmrun says little: which VMs run, snapshot
 * names, and one "Error: ..." line on stdout when it fails; a VM's name,
 * size and our id live in its .vmx, which hvsh reads and rewrites as text.
 *
 * vmrun on Windows ends lines with CRLF, so every line here loses a final
 * CR. Fusion may print a log line ("2015-08-31T17:57:29.547| ...") before
 * anything else; such lines are skipped.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "hvout.h"
#include "util.h"

#define MiB	(1024 * 1024)

enum hv_state
hvout_vmrun_state(int listed, int suspended)
{
	/* list shows powered-on VMs only; a suspended one left a .vmss. */
	if (listed)
		return HV_RUNNING;
	return suspended ? HV_SUSPENDED : HV_STOPPED;
}

/* The next line without its CR. */
static int
next_line(struct hvout_lines *li, const char **s, size_t *n)
{
	if (!hvout_lines_next(li, s, n))
		return 0;
	if (*n > 0 && (*s)[*n - 1] == '\r')
		(*n)--;
	return 1;
}

static int
isdig(char c)
{
	return c >= '0' && c <= '9';
}

/* "2013-09-07T15:26:59.560| ServiceImpl_Opener: PID 4119" */
static int
fusion_log(const char *s, size_t n)
{
	return n > 20 && isdig(s[0]) && isdig(s[3]) && s[4] == '-' &&
	    s[7] == '-' && s[10] == 'T' && hvout_find(s, n, "| ") != NULL;
}

/*
 * Reads "<prefix>N" (the count line of list and listSnapshots), skipping
 * log lines before it. Returns ERR_FAIL when vmrun printed an error instead.
 */
static int
count_line(const char *what, struct hvout_lines *li, const char *prefix,
    int64_t *count)
{
	const char	*s;
	size_t		 n, pl = strlen(prefix);

	while (next_line(li, &s, &n)) {
		if (hvout_prefix(s, n, "Error: "))
			return err_set(ERR_FAIL, "%s: vmrun reported an error",
			    what);
		if (hvout_prefix(s, n, prefix)) {
			if (hvout_i64(s + pl, n - pl, count) != 0 || *count < 0)
				return err_set(ERR_INVAL, "%s: bad count on "
				    "line %zu", what, li->no);
			return 0;
		}
	}
	return err_set(ERR_INVAL, "%s: no '%s' line", what, prefix);
}

/*
 * Reads "Total running VMs: N" and the .vmx paths after it. vmrun prints
 * paths raw, so one holding a newline prints as several lines, one of them
 * perhaps another VM's path: *doubt is set when the lines are not N or a
 * line comes twice, and then no line is proof that its VM runs.
 */
static int
list_read(const char *text, size_t len, struct hv_vm_list *out, int *doubt,
    int64_t *countp)
{
	struct hvout_lines	 li;
	struct hv_vm_list	 l = { NULL, 0 };
	struct hv_vm		*vm;
	const char		*s, *base, *sep;
	size_t			 n, bl, i;
	int64_t			 count;
	int			 rc;

	if ((rc = hvout_text_check("vmrun list", text, len)) != 0)
		return rc;
	hvout_lines_init(&li, text, len);
	if ((rc = count_line("vmrun list", &li, "Total running VMs: ",
	    &count)) != 0)
		return rc;
	*doubt = 0;
	while (next_line(&li, &s, &n)) {
		if (n == 0)
			continue;
		for (i = 0; i < l.n; i++)
			if (hvout_eq(s, n, l.v[i].path))
				*doubt = 1;
		vm = hvout_vm_add(&l);
		vm->path = hvout_dup(s, n);
		vm->state = HV_RUNNING;
		/* Until the .vmx is read, the file's name stands for it. */
		base = s;
		for (sep = s; sep < s + n; sep++)
			if (*sep == '/' || *sep == '\\')
				base = sep + 1;
		bl = (size_t)(s + n - base);
		if (bl > 4 && memcmp(base + bl - 4, ".vmx", 4) == 0)
			bl -= 4;
		vm->name = hvout_dup(base, bl);
	}
	if ((int64_t)l.n != count)
		*doubt = 1;
	*countp = count;
	*out = l;
	return 0;
}

int
hvout_vmrun_list_doubt(const char *text, size_t len, struct hv_vm_list *out,
    int *doubt)
{
	int64_t	count;

	return list_read(text, len, out, doubt, &count);
}

/* The same, where a count that differs is a list cut off: ERR_INVAL. */
int
hvout_vmrun_list(const char *text, size_t len, struct hv_vm_list *out)
{
	struct hv_vm_list	 l = { NULL, 0 };
	int64_t			 count;
	int			 rc, doubt;

	if ((rc = list_read(text, len, &l, &doubt, &count)) != 0)
		return rc;
	if ((int64_t)l.n != count) {
		rc = err_set(ERR_INVAL, "vmrun list: %lld VMs announced, "
		    "%zu listed", (long long)count, l.n);
		hv_vm_list_free(&l);
		return rc;
	}
	*out = l;
	return 0;
}

/*
 * listSnapshots prints names one per line; with showTree a child is
 * indented by one tab more than its parent, which gives the parents.
 */
int
hvout_vmrun_snapshots(const char *text, size_t len,
    struct hv_snapshot_list *out)
{
	struct hvout_lines	 li;
	struct hv_snapshot_list	 l = { NULL, 0 };
	struct hv_snapshot	*sn;
	size_t			*stack = NULL, depth, top = 0, listed;
	const char		*s;
	size_t			 n;
	int64_t			 count;
	int			 rc;

	if ((rc = hvout_text_check("vmrun listSnapshots", text, len)) != 0)
		return rc;
	hvout_lines_init(&li, text, len);
	if ((rc = count_line("vmrun listSnapshots", &li, "Total snapshots: ",
	    &count)) != 0)
		return rc;
	while (next_line(&li, &s, &n)) {
		if (n == 0)
			continue;
		for (depth = 0; depth < n && s[depth] == '\t'; depth++)
			;
		if (depth == n || depth > top) {
			rc = err_set(ERR_INVAL, "vmrun listSnapshots: line %zu "
			    "is not a snapshot name", li.no);
			goto out;
		}
		sn = hvout_snapshot_add(&l);
		sn->name = hvout_dup(s + depth, n - depth);
		/* stack[d] is the index of the last snapshot at depth d. */
		stack = xreallocarray(stack, depth + 1, sizeof *stack);
		if (depth > 0)
			sn->parent = xstrdup(l.v[stack[depth - 1]].name);
		stack[depth] = l.n - 1;
		top = depth + 1;
	}
	listed = l.n;
	if ((int64_t)listed != count) {
		rc = err_set(ERR_INVAL, "vmrun listSnapshots: %lld snapshots "
		    "announced, %zu listed", (long long)count, listed);
		goto out;
	}
	*out = l;
	l.v = NULL;	/* transferred */
	l.n = 0;
	rc = 0;
out:
	free(stack);
	hv_snapshot_list_free(&l);
	return rc;
}

/* Which ERR_* a vmrun message means; first match wins. */
static const struct {
	const char	*needle;
	int		 code;
} vmrun_codes[] = {
	{ "is not powered on", ERR_BUSY },
	{ "should not be powered on", ERR_BUSY },
	{ "is in use", ERR_BUSY },
	{ "is already in use", ERR_BUSY },
	{ "VMware Tools are not running", ERR_BUSY },
	{ "Unable to get the IP address", ERR_BUSY },
	{ "cannot be found", ERR_NOENT },
	{ "not found", ERR_NOENT },
	{ "does not exist", ERR_NOENT },
	{ "Cannot read the virtual machine configuration file", ERR_IO },
	{ "Incorrect password", ERR_PERM },
	{ "Invalid user name or password", ERR_PERM },
	{ "already exists", ERR_EXIST },
	{ "does not uniquely identify", ERR_INVAL },
	{ "parameters was invalid", ERR_INVAL },
	{ "Invalid host type", ERR_INVAL },
};

/* Finds vmrun's "Error:" line and the line that may explain it. */
int
hvout_vmrun_error(const char *text, size_t len, struct hv_error *out)
{
	struct hvout_lines	 li;
	const char		*s = NULL, *ctx = NULL;
	size_t			 n = 0, i, ctxlen = 0;
	int			 rc, code = ERR_FAIL, found = 0;
	char			*reason;

	if ((rc = hvout_text_check("vmrun", text, len)) != 0)
		return rc;
	hvout_lines_init(&li, text, len);
	while (next_line(&li, &s, &n)) {
		if (hvout_prefix(s, n, "Error: ")) {
			found = 1;
			break;
		}
		/* A line just before the error says what it is about
		   ("Invalid host type 'player' specified"). */
		if (hvout_blank(s, n) || fusion_log(s, n))
			continue;
		ctx = s;
		ctxlen = n;
	}
	if (!found)
		return err_set(ERR_INVAL, "vmrun: no 'Error:' line");
	if (ctx != NULL)
		reason = xasprintf("%.*s: %.*s", (int)ctxlen, ctx,
		    (int)(n - 7), s + 7);
	else
		reason = hvout_dup(s + 7, n - 7);
	for (i = 0; i < nitems(vmrun_codes); i++)
		if (strstr(reason, vmrun_codes[i].needle) != NULL) {
			code = vmrun_codes[i].code;
			break;
		}
	memset(out, 0, sizeof *out);
	out->code = code;
	out->reason = reason;
	return 0;
}

/* One line of a .vmx: a comment or blank (0), an entry (1), neither (-1). */
struct vmx_entry {
	const char	*key;
	size_t		 keylen;
	const char	*val;
	size_t		 vallen;
};

static int
vmx_keychar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
	    c == '-' || c == '[' || c == ']';
}

/*
 * key = "value", as VMware writes it and as packer reads it
 * (^(.+?)\s*=\s*"?(.*?)"?\s*$): spaces around '=' optional, quotes
 * expected but not required.
 */
static int
vmx_parse_line(const char *s, size_t n, struct vmx_entry *e)
{
	size_t	i = 0, k;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == n || s[i] == '#')
		return 0;
	e->key = s + i;
	for (k = i; k < n && vmx_keychar((unsigned char)s[k]); k++)
		;
	e->keylen = k - i;
	while (k < n && (s[k] == ' ' || s[k] == '\t'))
		k++;
	if (e->keylen == 0 || k == n || s[k] != '=')
		return -1;
	k++;
	while (k < n && (s[k] == ' ' || s[k] == '\t'))
		k++;
	while (n > k && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	e->val = s + k;
	e->vallen = n - k;
	if (e->vallen > 0 && e->val[0] == '"') {
		if (e->vallen < 2 || e->val[e->vallen - 1] != '"')
			return -1;
		e->val++;
		e->vallen -= 2;
	}
	return 1;
}

static int
key_is(const struct vmx_entry *e, const char *key)
{
	return e->keylen == strlen(key) &&
	    strncasecmp(e->key, key, e->keylen) == 0;
}

/*
 * Calls fn for every entry of a .vmx text; a line that is neither an entry
 * nor a comment makes the file unreadable, as it is to VMware.
 */
static int
vmx_each(const char *text, size_t len,
    void (*fn)(void *, const struct vmx_entry *), void *arg)
{
	struct hvout_lines	 li;
	struct vmx_entry	 e;
	const char		*s;
	size_t			 n, count = 0;
	int			 rc;

	if ((rc = hvout_text_check(".vmx", text, len)) != 0)
		return rc;
	hvout_lines_init(&li, text, len);
	while (hvout_lines_next(&li, &s, &n)) {
		switch (vmx_parse_line(s, n, &e)) {
		case 1:
			count++;
			if (fn != NULL)
				fn(arg, &e);
			break;
		case 0:
			break;
		default:
			return err_set(ERR_INVAL, ".vmx: line %zu is not "
			    "'key = \"value\"'", li.no);
		}
	}
	if (count == 0)
		return err_set(ERR_INVAL, ".vmx: no settings");
	return 0;
}

struct vmx_vm {
	struct vmx_entry	name, mem, cpus, uuid, id;
};

/* Keeps the entries hvout_vmrun_vmx() reads. */
static void
vmx_vm_fn(void *arg, const struct vmx_entry *e)
{
	struct vmx_vm	*v = arg;

	/* The last of several lines with one key is the one VMware uses. */
	if (key_is(e, "displayName"))
		v->name = *e;
	else if (key_is(e, "memsize"))
		v->mem = *e;
	else if (key_is(e, "numvcpus"))
		v->cpus = *e;
	else if (key_is(e, "uuid.bios"))
		v->uuid = *e;
	else if (key_is(e, "hvsh.id"))
		v->id = *e;
}

/* "56 4d 87 6b 50 be 52 c8-8d 5b 57 ac 21 f7 07 f2" as a standard UUID. */
static char *
bios_uuid(const char *s, size_t n)
{
	char	hex[33];
	size_t	i, h = 0;

	for (i = 0; i < n; i++) {
		char	c = s[i];

		if (c == ' ' || c == '-')
			continue;
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) ||
		    h == 32)
			return NULL;
		hex[h++] = c;
	}
	if (h != 32)
		return NULL;
	hex[32] = '\0';
	return xasprintf("%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
	    hex + 16, hex + 20);
}

/* A VM as its .vmx describes it; state and path come from elsewhere. */
int
hvout_vmrun_vmx(const char *text, size_t len, struct hv_vm *out)
{
	struct vmx_vm	v;
	struct hv_vm	vm;
	int64_t		x;
	int		rc;

	memset(&v, 0, sizeof v);
	if ((rc = vmx_each(text, len, vmx_vm_fn, &v)) != 0)
		return rc;
	hv_vm_init(&vm);
	if (v.name.key != NULL)
		vm.name = hvout_dup(v.name.val, v.name.vallen);
	if (v.mem.key != NULL && hvout_i64(v.mem.val, v.mem.vallen, &x) == 0 &&
	    x >= 0 && x <= INT64_MAX / MiB)
		vm.memory = x * MiB;
	/* VMware gives a VM one vCPU when numvcpus is not set. */
	if (v.cpus.key == NULL)
		vm.cpus = 1;
	else if (hvout_i64(v.cpus.val, v.cpus.vallen, &x) == 0 && x > 0 &&
	    x <= 1000000)
		vm.cpus = (int)x;
	if (v.uuid.key != NULL)
		vm.uuid = bios_uuid(v.uuid.val, v.uuid.vallen);
	if (v.id.key != NULL && v.id.vallen > 0)
		vm.hvsh_id = hvout_dup(v.id.val, v.id.vallen);
	*out = vm;
	return 0;
}

struct vmx_find {
	const char		*key;
	struct vmx_entry	 e;
	int			 found;
};

static void
vmx_find_fn(void *arg, const struct vmx_entry *e)
{
	struct vmx_find	*f = arg;

	if (key_is(e, f->key)) {
		f->e = *e;
		f->found = 1;
	}
}

/* The value of one key, as VMware would read it. */
int
hvout_vmrun_vmx_get(const char *text, size_t len, const char *key,
    char **value)
{
	struct vmx_find	f;
	int		rc;

	memset(&f, 0, sizeof f);
	f.key = key;
	if ((rc = vmx_each(text, len, vmx_find_fn, &f)) != 0)
		return rc;
	if (!f.found)
		return err_set(ERR_NOENT, ".vmx: no %s", key);
	*value = hvout_dup(f.e.val, f.e.vallen);
	return 0;
}

/*
 * VMware escapes some characters in values as |XX (hex); hvsh does not
 * implement that encoding, so it writes only values that need none.
 */
static int
vmx_value_ok(const char *v)
{
	for (; *v != '\0'; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f || *v == '"' ||
		    *v == '|')
			return 0;
	return 1;
}

/* Rewrites one key in place so the rest of the file stays byte for byte. */
int
hvout_vmrun_vmx_set(const char *text, size_t len, const char *key,
    const char *value, char **out)
{
	struct hvout_lines	 li;
	struct vmx_entry	 e;
	struct buf		 b = { NULL, 0, 0 };
	const char		*s, *eol;
	size_t			 n, i;
	int			 rc, done = 0, crlf;

	for (i = 0; key[i] != '\0'; i++)
		if (!vmx_keychar((unsigned char)key[i]))
			break;
	if (i == 0 || key[i] != '\0')
		return err_set(ERR_INVAL, ".vmx: bad key");
	if (!vmx_value_ok(value))
		return err_set(ERR_INVAL, ".vmx: %s: value has a character "
		    "hvsh does not write", key);
	/* A file hvsh cannot read is not one it should edit. */
	if ((rc = vmx_each(text, len, NULL, NULL)) != 0)
		return rc;
	eol = memchr(text, '\n', len);
	crlf = eol != NULL && eol > text && eol[-1] == '\r';
	hvout_lines_init(&li, text, len);
	while (hvout_lines_next(&li, &s, &n)) {
		int	has_nl = s + n < text + len;

		if (vmx_parse_line(s, n, &e) == 1 && key_is(&e, key)) {
			/* A later duplicate would override ours: drop it. */
			if (done)
				continue;
			done = 1;
			buf_printf(&b, "%s = \"%s\"", key, value);
			if (n > 0 && s[n - 1] == '\r')
				buf_addc(&b, '\r');
		} else
			buf_add(&b, s, n);
		if (has_nl)
			buf_addc(&b, '\n');
	}
	if (!done) {
		if (b.len > 0 && b.data[b.len - 1] != '\n')
			buf_addstr(&b, crlf ? "\r\n" : "\n");
		buf_printf(&b, "%s = \"%s\"%s", key, value,
		    crlf ? "\r\n" : "\n");
	}
	*out = buf_take(&b);
	return 0;
}

/* One blank-separated word of s from *i on; 0 when there is none. */
static int
next_word(const char *s, size_t n, size_t *i, const char **w, size_t *wn)
{
	while (*i < n && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
	if (*i == n)
		return 0;
	*w = s + *i;
	while (*i < n && s[*i] != ' ' && s[*i] != '\t')
		(*i)++;
	*wn = (size_t)(s + *i - *w);
	return 1;
}

/*
 * df -P prints a header and one line per file system: "Filesystem
 * 1024-blocks Used Available Capacity Mounted on". The device and the
 * mount point may hold blanks, so the numbers are found as three
 * integers followed by a word ending in '%'.
 */
int
hvout_df(const char *text, size_t len, int64_t *capacity,
    int64_t *used)
{
	struct hvout_lines	 li;
	const char		*s, *w[64];
	size_t			 n, wn[64], i, k, nw;
	int64_t			 x[3];
	int			 rc;

	if ((rc = hvout_text_check("df", text, len)) != 0)
		return rc;
	hvout_lines_init(&li, text, len);
	while (next_line(&li, &s, &n)) {
		if (hvout_blank(s, n) || hvout_prefix(s, n, "Filesystem "))
			continue;
		for (i = 0, nw = 0; nw < nitems(w) &&
		    next_word(s, n, &i, &w[nw], &wn[nw]); nw++)
			;
		for (k = 0; k + 3 < nw; k++) {
			if (hvout_i64(w[k], wn[k], &x[0]) != 0 ||
			    hvout_i64(w[k + 1], wn[k + 1], &x[1]) != 0 ||
			    hvout_i64(w[k + 2], wn[k + 2], &x[2]) != 0 ||
			    wn[k + 3] < 2 || w[k + 3][wn[k + 3] - 1] != '%')
				continue;
			if (x[0] < 0 || x[1] < 0 || x[0] > INT64_MAX / 1024 ||
			    x[1] > INT64_MAX / 1024)
				break;
			*capacity = x[0] * 1024;
			*used = x[1] * 1024;
			return 0;
		}
		return err_set(ERR_INVAL, "df: line %zu has no sizes", li.no);
	}
	return err_set(ERR_INVAL, "df: no file system listed");
}

/* "Pages free:    12345." as a count. */
static int
vm_stat_pages(const char *s, size_t n, const char *name, int64_t *pages)
{
	const char	*v;
	size_t		 vn;

	if (!hvout_prefix(s, n, name))
		return 0;
	v = s + strlen(name);
	vn = n - strlen(name);
	hvout_trim(&v, &vn);
	if (vn > 0 && v[vn - 1] == '.')
		vn--;
	if (hvout_i64(v, vn, pages) != 0 || *pages < 0 ||
	    *pages > INT64_MAX / 4 / 65536)
		return -1;
	return 1;
}

/*
 * vm_stat's page size is in its first line ("Mach Virtual Memory
 * Statistics: (page size of 16384 bytes)"); the memory a new VM can take
 * without paging is what is free, inactive or speculative, as macOS's own
 * memory_pressure counts it.
 */
int
hvout_vmrun_vm_stat(const char *text, size_t len, int64_t *avail)
{
	struct hvout_lines	 li;
	const char		*s, *p;
	size_t			 n;
	int64_t			 page = -1, fr = -1, in = 0, sp = 0, x;
	int			 rc, r;

	if ((rc = hvout_text_check("vm_stat", text, len)) != 0)
		return rc;
	hvout_lines_init(&li, text, len);
	while (next_line(&li, &s, &n)) {
		if (hvout_prefix(s, n, "Mach Virtual Memory Statistics:")) {
			if ((p = hvout_find(s, n, "page size of ")) == NULL)
				break;
			p += 13;
			n = (size_t)(s + n - p);
			if (n < 7 || memcmp(p + n - 7, " bytes)", 7) != 0 ||
			    hvout_i64(p, n - 7, &page) != 0 || page < 512 ||
			    page > 65536)
				return err_set(ERR_INVAL, "vm_stat: bad page "
				    "size");
			continue;
		}
		r = vm_stat_pages(s, n, "Pages free:", &x);
		if (r == 1)
			fr = x;
		else if (r == 0 &&
		    (r = vm_stat_pages(s, n, "Pages inactive:", &x)) == 1)
			in = x;
		else if (r == 0 &&
		    (r = vm_stat_pages(s, n, "Pages speculative:", &x)) == 1)
			sp = x;
		if (r < 0)
			return err_set(ERR_INVAL, "vm_stat: line %zu is "
			    "garbled", li.no);
	}
	if (page < 0 || fr < 0)
		return err_set(ERR_INVAL, "vm_stat: no page size or no free "
		    "pages");
	*avail = (fr + in + sp) * page;
	return 0;
}

/* "<64 hex>  <file>" (or " *<file>" in binary mode). */
int
hvout_vmrun_sha256(const char *text, size_t len, char **hex)
{
	struct hvout_lines	 li;
	const char		*s;
	size_t			 n, i;
	int			 rc;

	if ((rc = hvout_text_check("sha256", text, len)) != 0)
		return rc;
	hvout_lines_init(&li, text, len);
	/* A name with a backslash or newline gets a leading '\'. */
	if (!next_line(&li, &s, &n))
		return err_set(ERR_INVAL, "sha256: no output");
	if (n > 0 && s[0] == '\\') {
		s++;
		n--;
	}
	if (n < 66 || s[64] != ' ')
		return err_set(ERR_INVAL, "sha256: not a checksum line");
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return err_set(ERR_INVAL, "sha256: not a checksum "
			    "line");
	*hex = hvout_dup(s, 64);
	return 0;
}
