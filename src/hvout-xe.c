/*
 * hvout-xe.c: reads what xe prints (shared/hv-formats/xe.md) into hvout.h's
 * structures. xe's record layout is read once, generically, into (field,
 * value) pairs; VM, host, snapshot and SR views are built from those records
 * by field name, so the order and the set of fields (which change between
 * xapi versions and with params=) do not matter.
 *
 * In a record every label ends at the same column ("maxlen" in xapi's
 * cli_printer.ml): the first label is padded on the right, the others on
 * the left. A line whose colon is not at that column is the continuation of
 * a value that held a newline, not a field of its own.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "hvout.h"
#include "util.h"

static const struct {
	const char	*word;
	enum hv_state	 state;
} xe_states[] = {
	{ "running", HV_RUNNING },
	{ "halted", HV_STOPPED },
	{ "paused", HV_PAUSED },
	{ "suspended", HV_SUSPENDED },
	{ "crashed", HV_CRASHED },	/* old xapi enums had it */
};

enum hv_state
hvout_xe_state(const char *word)
{
	size_t	i;

	if (word == NULL)
		return HV_UNKNOWN;
	for (i = 0; i < nitems(xe_states); i++)
		if (strcmp(word, xe_states[i].word) == 0)
			return xe_states[i].state;
	return HV_UNKNOWN;
}

/* One line read as "<pad>name (TAG)<pad>: value". */
struct label {
	const char	*name;
	size_t		 namelen;
	char		 access[4];
	int		 tagged;
	size_t		 lead;		/* spaces before the name */
	size_t		 colon;		/* column of the ':' */
	const char	*val;
	size_t		 vallen;
};

static int
name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

/*
 * Matches a label line. The tag is one of " RO", " RW", "SRO", "SRW",
 * "MRO", "MRW"; " [DEPRECATED]" may follow it. host-cpu-info prints the
 * same layout without tags.
 */
static int
label_parse(const char *s, size_t n, struct label *lb)
{
	size_t	i = 0;

	memset(lb, 0, sizeof *lb);
	while (i < n && s[i] == ' ')
		i++;
	lb->lead = i;
	lb->name = s + i;
	while (i < n && name_char((unsigned char)s[i]))
		i++;
	lb->namelen = i - lb->lead;
	if (lb->namelen == 0)
		return -1;
	if (i + 6 <= n && s[i] == ' ' && s[i + 1] == '(' && s[i + 5] == ')' &&
	    (s[i + 2] == ' ' || s[i + 2] == 'S' || s[i + 2] == 'M') &&
	    s[i + 3] == 'R' && (s[i + 4] == 'O' || s[i + 4] == 'W')) {
		memcpy(lb->access, s + i + 2, 3);
		lb->tagged = 1;
		i += 6;
		if (hvout_prefix(s + i, n - i, " [DEPRECATED]"))
			i += 13;
	}
	while (i < n && s[i] == ' ')
		i++;
	if (i >= n || s[i] != ':')
		return -1;
	lb->colon = i;
	if (i + 1 < n && s[i + 1] != ' ')
		return -1;
	lb->val = s + (i + 2 < n ? i + 2 : n);
	lb->vallen = i + 2 < n ? n - i - 2 : 0;
	return 0;
}

/* The record being read and the value of its last field, still growing. */
struct rstate {
	struct hv_xe_records	 rs;
	struct hv_xe_record	*r;
	struct buf		 val;
	size_t			 col;
	int			 tagged;
	size_t			 blanks;
};

static void
field_end(struct rstate *st)
{
	if (st->r != NULL && st->r->n > 0)
		st->r->f[st->r->n - 1].value = buf_take(&st->val);
}

/* Starts a field; its value grows in st->val until the next one. */
static void
field_add(struct rstate *st, const struct label *lb)
{
	struct hv_xe_record	*r = st->r;
	struct hv_xe_field	*f;

	field_end(st);
	if (r->n == 0 || (r->n & (r->n - 1)) == 0)
		r->f = xreallocarray(r->f, r->n == 0 ? 1 : r->n * 2,
		    sizeof *r->f);
	f = &r->f[r->n++];
	f->name = hvout_dup(lb->name, lb->namelen);
	memcpy(f->access, lb->access, sizeof f->access);
	f->value = NULL;
	buf_reset(&st->val);
	buf_add(&st->val, lb->val, lb->vallen);
}

/* Starts a record, whose first label sets the column of all its colons. */
static void
record_add(struct rstate *st, const struct label *lb)
{
	struct hv_xe_records	*rs = &st->rs;

	field_end(st);
	if (rs->n == 0 || (rs->n & (rs->n - 1)) == 0)
		rs->r = xreallocarray(rs->r, rs->n == 0 ? 1 : rs->n * 2,
		    sizeof *rs->r);
	st->r = &rs->r[rs->n++];
	st->r->f = NULL;
	st->r->n = 0;
	st->col = lb->colon;
	st->tagged = lb->tagged;
	st->blanks = 0;
	field_add(st, lb);
}

/* Reads records separated by blank lines, keeping fields in order. */
int
hvout_xe_records(const char *text, size_t len, struct hv_xe_records *out)
{
	struct hvout_lines	 li;
	struct rstate		 st;
	struct label		 lb;
	const char		*s;
	size_t			 n;
	int			 rc, ok;

	if ((rc = hvout_text_check("xe", text, len)) != 0)
		return rc;
	memset(&st, 0, sizeof st);
	hvout_lines_init(&li, text, len);
	while (hvout_lines_next(&li, &s, &n)) {
		if (hvout_blank(s, n)) {
			if (st.r != NULL)
				st.blanks++;
			continue;
		}
		ok = label_parse(s, n, &lb) == 0;
		if (st.r == NULL) {
			if (!ok || lb.lead != 0) {
				rc = err_set(ERR_INVAL, "xe: line %zu is not "
				    "the first field of a record", li.no);
				goto out;
			}
			record_add(&st, &lb);
		} else if (st.blanks > 0) {
			/* Blank lines end a record unless a value goes on. */
			if (ok && lb.lead == 0)
				record_add(&st, &lb);
			else {
				for (; st.blanks > 0; st.blanks--)
					buf_addc(&st.val, '\n');
				buf_addc(&st.val, '\n');
				buf_add(&st.val, s, n);
			}
		} else if (ok && lb.colon == st.col && lb.tagged == st.tagged)
			field_add(&st, &lb);
		else {
			buf_addc(&st.val, '\n');
			buf_add(&st.val, s, n);
		}
	}
	field_end(&st);
	*out = st.rs;
	st.rs.r = NULL;	/* transferred */
	st.rs.n = 0;
	rc = 0;
out:
	buf_free(&st.val);
	hvout_xe_records_free(&st.rs);
	return rc;
}

void
hvout_xe_records_free(struct hv_xe_records *rs)
{
	size_t	i, j;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n; i++) {
		for (j = 0; j < rs->r[i].n; j++) {
			free(rs->r[i].f[j].name);
			free(rs->r[i].f[j].value);
		}
		free(rs->r[i].f);
	}
	free(rs->r);
	rs->r = NULL;
	rs->n = 0;
}

const char *
hvout_xe_get(const struct hv_xe_record *r, const char *name)
{
	size_t	i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->f[i].name, name) == 0)
			return r->f[i].value;
	return NULL;
}

/* Splits --minimal's comma list, undoing its two escapes. */
int
hvout_xe_minimal(const char *text, size_t len, struct hv_strlist *out)
{
	struct hv_strlist	 l = { NULL, 0 };
	struct buf		 b = { NULL, 0, 0 };
	size_t			 i;
	int			 rc;

	if ((rc = hvout_text_check("xe --minimal", text, len)) != 0)
		return rc;
	/* One line, but a value may hold a newline: drop only the last. */
	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len == 0) {
		*out = l;
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (text[i] == '\\' && i + 1 < len &&
		    (text[i + 1] == ',' || text[i + 1] == '\\')) {
			buf_addc(&b, text[++i]);
		} else if (text[i] == ',') {
			hvout_strlist_add(&l, buf_take(&b));
		} else
			buf_addc(&b, text[i]);
	}
	hvout_strlist_add(&l, buf_take(&b));
	*out = l;
	return 0;
}

/*
 * xe prints a map as "k1: v1; k2: v2" without escaping, so a value that
 * holds "; " cannot be told from the next pair. Keys are looked for only
 * where a pair may start; the first such key wins.
 */
static int
map_find(const char *map, size_t len, const char *key, char **value)
{
	size_t		 pos = 0, kl = strlen(key), v, e;
	const char	*semi;

	if (map == NULL || kl == 0)
		return -1;
	while (pos < len) {
		if (len - pos >= kl + 1 && memcmp(map + pos, key, kl) == 0 &&
		    map[pos + kl] == ':' &&
		    (pos + kl + 1 == len || map[pos + kl + 1] == ' ')) {
			v = pos + kl + 2 < len ? pos + kl + 2 : len;
			semi = hvout_find(map + v, len - v, "; ");
			e = semi == NULL ? len : (size_t)(semi - map);
			*value = hvout_dup(map + v, e - v);
			return 0;
		}
		semi = hvout_find(map + pos, len - pos, "; ");
		if (semi == NULL)
			break;
		pos = (size_t)(semi - map) + 2;
	}
	return -1;
}

int
hvout_xe_map_get(const char *map, size_t len, const char *key, char **value)
{
	if (map_find(map, len, key, value) != 0)
		return err_set(ERR_NOENT, "xe: no key '%s' in map", key);
	return 0;
}

/* A field as a non-negative number; -1 if absent or not a number. */
static int64_t
num(const struct hv_xe_record *r, const char *name)
{
	const char	*v = hvout_xe_get(r, name);
	int64_t		 x;

	if (v == NULL || parse_i64(v, &x) != 0 || x < 0)
		return -1;
	return x;
}

static int
is_true(const struct hv_xe_record *r, const char *name)
{
	const char	*v = hvout_xe_get(r, name);

	return v != NULL && strcmp(v, "true") == 0;
}

static char *
dup_or_null(const char *s)
{
	return s == NULL ? NULL : xstrdup(s);
}

/* A reference field: its uuid, or NULL for none or a dangling one. */
static char *
ref_uuid(const struct hv_xe_record *r, const char *name)
{
	const char	*v = hvout_xe_get(r, name);

	if (v == NULL || !hvout_is_uuid(v, strlen(v)))
		return NULL;
	return xstrdup(v);
}

#define DOM0_PREFIX	"Control domain on host: "

/* VMs from vm-list records, without dom0, templates and snapshots. */
int
hvout_xe_vm_list(const char *text, size_t len, struct hv_vm_list *out)
{
	struct hv_xe_records	 rs;
	struct hv_vm_list	 l = { NULL, 0 };
	struct hv_vm		*vm;
	const struct hv_xe_record *r;
	const char		*uuid, *name, *ctl, *oc;
	int64_t			 x;
	size_t			 i;
	int			 rc;

	if ((rc = hvout_xe_records(text, len, &rs)) != 0)
		return rc;
	for (i = 0; i < rs.n; i++) {
		r = &rs.r[i];
		uuid = hvout_xe_get(r, "uuid");
		name = hvout_xe_get(r, "name-label");
		if (uuid == NULL || !hvout_is_uuid(uuid, strlen(uuid))) {
			rc = err_set(ERR_INVAL, "xe vm-list: record %zu has "
			    "no uuid", i + 1);
			goto out;
		}
		/* dom0 is in vm-list; its name is the fallback test. */
		ctl = hvout_xe_get(r, "is-control-domain");
		if (ctl != NULL ? strcmp(ctl, "true") == 0 : (name != NULL &&
		    strncmp(name, DOM0_PREFIX, strlen(DOM0_PREFIX)) == 0))
			continue;
		if (is_true(r, "is-a-template") || is_true(r, "is-a-snapshot"))
			continue;
		vm = hvout_vm_add(&l);
		vm->uuid = xstrdup(uuid);
		vm->name = dup_or_null(name);
		vm->state = hvout_xe_state(hvout_xe_get(r, "power-state"));
		if ((x = num(r, "memory-static-max")) >= 0 ||
		    (x = num(r, "memory-dynamic-max")) >= 0 ||
		    (x = num(r, "memory-target")) > 0 ||
		    (x = num(r, "memory-actual")) > 0)
			vm->memory = x;
		vm->mem_used = num(r, "memory-actual");
		if (vm->state == HV_STOPPED)
			vm->mem_used = 0;
		/* Metrics say 0 vCPUs for a halted VM; the config knows. */
		if (((x = num(r, "VCPUs-number")) > 0 ||
		    (x = num(r, "VCPUs-max")) > 0 ||
		    (x = num(r, "VCPUs-at-startup")) > 0) && x <= 1000000)
			vm->cpus = (int)x;
		if ((oc = hvout_xe_get(r, "other-config")) != NULL &&
		    map_find(oc, strlen(oc), "hvsh-id", &vm->hvsh_id) != 0)
			vm->hvsh_id = NULL;
	}
	*out = l;
	l.v = NULL;	/* transferred */
	l.n = 0;
	rc = 0;
out:
	hv_vm_list_free(&l);
	hvout_xe_records_free(&rs);
	return rc;
}

/*
 * The fields a refresh asks vm-list for (drv-xe.c's params=); a record
 * with others, or without one of these, or with one twice, is not one xe
 * printed for a single VM.
 */
static const char *const vm_fields[] = {
	"uuid", "name-label", "is-control-domain", "power-state",
	"memory-actual", "memory-static-max", "VCPUs-max", "other-config",
	"VCPUs-number"
};

/* Where a map pair starts with key (at 0 or after "; "); how many. */
static size_t
map_count(const char *map, const char *key)
{
	size_t		 kl = strlen(key), n = 0;
	const char	*p = map;

	while (p != NULL) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ':')
			n++;
		if ((p = strstr(p, "; ")) != NULL)
			p += 2;
	}
	return n;
}

/* A field as a number, strictly: 1 if it is one (into *x). */
static int
num_strict(const char *v, int64_t *x)
{
	return v != NULL && *v != '\0' && parse_i64(v, x) == 0 && *x >= 0;
}

/*
 * 1 if r is exactly one record as xe prints it for the refresh's params=:
 * every field once, no other, no value spread over lines, the values of
 * their kinds, and at most one hvsh-id in other-config (its values are
 * printed unescaped, so a value holding "; hvsh-id: " would be a second).
 */
static int
vm_record_clean(const struct hv_xe_record *r)
{
	const char	*v;
	int64_t		 x;
	size_t		 i, j, seen;

	if (r->n != nitems(vm_fields))
		return 0;
	for (i = 0; i < nitems(vm_fields); i++) {
		for (seen = 0, j = 0; j < r->n; j++)
			if (strcmp(r->f[j].name, vm_fields[i]) == 0)
				seen++;
		if (seen != 1)
			return 0;
	}
	for (j = 0; j < r->n; j++)
		if (r->f[j].value == NULL || strchr(r->f[j].value, '\n') != NULL)
			return 0;
	v = hvout_xe_get(r, "uuid");
	if (!hvout_is_uuid(v, strlen(v)))
		return 0;
	if (hvout_xe_state(hvout_xe_get(r, "power-state")) == HV_UNKNOWN)
		return 0;
	v = hvout_xe_get(r, "is-control-domain");
	if (strcmp(v, "false") != 0)
		return 0;
	if (!num_strict(hvout_xe_get(r, "memory-actual"), &x) ||
	    !num_strict(hvout_xe_get(r, "memory-static-max"), &x) ||
	    !num_strict(hvout_xe_get(r, "VCPUs-max"), &x) ||
	    !num_strict(hvout_xe_get(r, "VCPUs-number"), &x))
		return 0;
	return map_count(hvout_xe_get(r, "other-config"), "hvsh-id") <= 1;
}

/* How many records have a uuid field (any of theirs) equal to uuid. */
static size_t
uuid_claims(const struct hv_xe_records *rs, const char *uuid, size_t *last)
{
	size_t	i, j, n = 0;
	int	claims;

	for (i = 0; i < rs->n; i++) {
		claims = 0;
		for (j = 0; j < rs->r[i].n; j++)
			if (strcmp(rs->r[i].f[j].name, "uuid") == 0 &&
			    rs->r[i].f[j].value != NULL &&
			    strcmp(rs->r[i].f[j].value, uuid) == 0)
				claims = 1;
		if (claims) {
			n++;
			*last = i;
		}
	}
	return n;
}

/*
 * vm-list read against the VMs that exist. xe prints values raw, so a
 * name-label holding newlines can print lines that look like fields or
 * like whole records. But a VM's own record always begins on a line of its
 * own (its uuid, after blank lines), so a record forged for a VM makes two
 * that claim its uuid; and a record split by forged lines lacks fields.
 * Hence a VM is read from its record only when that record is the one
 * claiming its uuid and is clean; else it is flagged unsure, with only its
 * uuid. Records of uuids that are not in exist are dropped: exist is
 * "vm-list is-control-domain=false --minimal", uuids that no value can
 * forge. The list is in exist's order.
 */
int
hvout_xe_vm_list_sure(const char *text, size_t len,
    const struct hv_strlist *exist, struct hv_vm_list *out)
{
	struct hv_xe_records	 rs;
	struct hv_vm_list	 l = { NULL, 0 };
	struct hv_vm		*vm;
	const struct hv_xe_record *r;
	size_t			 i, k, at = 0;
	int64_t			 x;
	const char		*oc;
	int			 rc;

	for (k = 0; k < exist->n; k++)
		if (!hvout_is_uuid(exist->v[k], strlen(exist->v[k])))
			return err_set(ERR_INVAL, "xe vm-list --minimal: "
			    "'%s' is not a uuid", exist->v[k]);
	if ((rc = hvout_xe_records(text, len, &rs)) != 0)
		return rc;
	for (k = 0; k < exist->n; k++) {
		vm = hvout_vm_add(&l);
		vm->uuid = xstrdup(exist->v[k]);
		for (i = 0; i < k; i++)
			if (strcmp(exist->v[i], exist->v[k]) == 0)
				break;
		if (i < k || uuid_claims(&rs, exist->v[k], &at) != 1 ||
		    !vm_record_clean(&rs.r[at])) {
			vm->unsure = 1;
			continue;
		}
		r = &rs.r[at];
		vm->name = xstrdup(hvout_xe_get(r, "name-label"));
		vm->state = hvout_xe_state(hvout_xe_get(r, "power-state"));
		(void)num_strict(hvout_xe_get(r, "memory-static-max"), &x);
		vm->memory = x;
		(void)num_strict(hvout_xe_get(r, "memory-actual"), &x);
		vm->mem_used = vm->state == HV_STOPPED ? 0 : x;
		if ((!num_strict(hvout_xe_get(r, "VCPUs-number"), &x) ||
		    x == 0) && !num_strict(hvout_xe_get(r, "VCPUs-max"), &x))
			x = -1;
		if (x > 0 && x <= 1000000)
			vm->cpus = (int)x;
		oc = hvout_xe_get(r, "other-config");
		if (map_find(oc, strlen(oc), "hvsh-id", &vm->hvsh_id) != 0)
			vm->hvsh_id = NULL;
	}
	*out = l;
	l.v = NULL;	/* transferred */
	l.n = 0;
	hv_vm_list_free(&l);
	hvout_xe_records_free(&rs);
	return 0;
}

/* "XCP-ng 8.2.1" from software-version's product_brand and version. */
static char *
xe_version(const char *sv)
{
	char	*brand = NULL, *ver = NULL, *xapi = NULL, *v = NULL;
	size_t	 len = strlen(sv);

	(void)map_find(sv, len, "product_brand", &brand);
	(void)map_find(sv, len, "product_version", &ver);
	(void)map_find(sv, len, "xapi", &xapi);
	if (ver != NULL && brand != NULL)
		v = xasprintf("%s %s", brand, ver);
	else if (ver != NULL)
		v = xstrdup(ver);
	else if (xapi != NULL)
		v = xasprintf("xapi %s", xapi);
	free(brand);
	free(ver);
	free(xapi);
	return v;
}

/* Merges the facts found in all records; the first record to give one wins. */
int
hvout_xe_host_facts(const char *text, size_t len, struct hv_facts *out)
{
	struct hv_xe_records	 rs;
	struct hv_facts		 f;
	const struct hv_xe_record *r;
	const char		*v, *label = NULL;
	char			*cc;
	int64_t			 x, free_plain = -1, cpus = -1;
	size_t			 i;
	int			 rc, found;

	if ((rc = hvout_xe_records(text, len, &rs)) != 0)
		return rc;
	hv_facts_init(&f);
	for (i = 0; i < rs.n; i++) {
		r = &rs.r[i];
		if (f.memory < 0 && (x = num(r, "memory-total")) >= 0)
			f.memory = x;
		if (f.mem_free < 0 && (x = num(r, "memory-free-computed")) >= 0)
			f.mem_free = x;
		if (free_plain < 0)
			free_plain = num(r, "memory-free");
		if (f.hostname == NULL &&
		    (v = hvout_xe_get(r, "hostname")) != NULL && *v != '\0')
			f.hostname = xstrdup(v);
		if (label == NULL)
			label = hvout_xe_get(r, "name-label");
		if (f.version == NULL &&
		    (v = hvout_xe_get(r, "software-version")) != NULL)
			f.version = xe_version(v);
		if (cpus < 0 && (v = hvout_xe_get(r, "cpu_info")) != NULL &&
		    map_find(v, strlen(v), "cpu_count", &cc) == 0) {
			if (parse_i64(cc, &x) != 0 || x < 0)
				x = -1;
			cpus = x;
			free(cc);
		}
		if (cpus < 0)
			cpus = num(r, "cpu_count");	/* host-cpu-info */
	}
	if (f.mem_free < 0)
		f.mem_free = free_plain;
	if (f.hostname == NULL && label != NULL && *label != '\0')
		f.hostname = xstrdup(label);
	if (cpus > 0 && cpus <= 1000000)
		f.cpus = (int)cpus;
	hvout_xe_records_free(&rs);
	found = f.cpus >= 0 || f.memory >= 0 || f.mem_free >= 0 ||
	    f.version != NULL || f.hostname != NULL;
	if (!found)
		return err_set(ERR_INVAL, "xe: no host facts in the output");
	/* Fill what was found, keep the rest. */
	if (f.cpus >= 0)
		out->cpus = f.cpus;
	if (f.memory >= 0)
		out->memory = f.memory;
	if (f.mem_free >= 0)
		out->mem_free = f.mem_free;
	if (f.version != NULL) {
		free(out->version);
		out->version = f.version;
	}
	if (f.hostname != NULL) {
		free(out->hostname);
		out->hostname = f.hostname;
	}
	return 0;
}

/* Snapshots from snapshot-list records; revert needs their uuid. */
int
hvout_xe_snapshot_list(const char *text, size_t len,
    struct hv_snapshot_list *out)
{
	struct hv_xe_records	 rs;
	struct hv_snapshot_list	 l = { NULL, 0 };
	struct hv_snapshot	*sn;
	const struct hv_xe_record *r;
	const char		*uuid, *v;
	int64_t			 t;
	size_t			 i;
	int			 rc;

	if ((rc = hvout_xe_records(text, len, &rs)) != 0)
		return rc;
	for (i = 0; i < rs.n; i++) {
		r = &rs.r[i];
		if ((uuid = hvout_xe_get(r, "uuid")) == NULL ||
		    !hvout_is_uuid(uuid, strlen(uuid))) {
			rc = err_set(ERR_INVAL, "xe snapshot-list: record "
			    "%zu has no uuid", i + 1);
			goto out;
		}
		sn = hvout_snapshot_add(&l);
		sn->uuid = xstrdup(uuid);
		sn->name = dup_or_null(hvout_xe_get(r, "name-label"));
		sn->parent = ref_uuid(r, "parent");
		sn->state = dup_or_null(hvout_xe_get(r, "power-state"));
		if ((v = hvout_xe_get(r, "snapshot-time")) != NULL &&
		    hvout_datetime(v, strlen(v), &t) == 0)
			sn->created = t;
	}
	*out = l;
	l.v = NULL;	/* transferred */
	l.n = 0;
	rc = 0;
out:
	hv_snapshot_list_free(&l);
	hvout_xe_records_free(&rs);
	return rc;
}

/* Storage repositories from sr-list records. */
int
hvout_xe_sr_list(const char *text, size_t len, struct hv_pool_list *out)
{
	struct hv_xe_records	 rs;
	struct hv_pool_list	 l = { NULL, 0 };
	struct hv_pool		*p;
	const struct hv_xe_record *r;
	const char		*uuid, *host;
	size_t			 i;
	int			 rc;

	if ((rc = hvout_xe_records(text, len, &rs)) != 0)
		return rc;
	for (i = 0; i < rs.n; i++) {
		r = &rs.r[i];
		if ((uuid = hvout_xe_get(r, "uuid")) == NULL ||
		    !hvout_is_uuid(uuid, strlen(uuid))) {
			rc = err_set(ERR_INVAL, "xe sr-list: record %zu has "
			    "no uuid", i + 1);
			goto out;
		}
		if (l.n == 0 || (l.n & (l.n - 1)) == 0)
			l.v = xreallocarray(l.v, l.n == 0 ? 1 : l.n * 2,
			    sizeof *l.v);
		p = &l.v[l.n++];
		memset(p, 0, sizeof *p);
		p->uuid = xstrdup(uuid);
		p->name = dup_or_null(hvout_xe_get(r, "name-label"));
		p->type = dup_or_null(hvout_xe_get(r, "type"));
		p->content = dup_or_null(hvout_xe_get(r, "content-type"));
		/* sr-list's host: a name, "<shared>" or "<not in database>". */
		host = hvout_xe_get(r, "host");
		if (host != NULL && strcmp(host, "<shared>") == 0)
			p->shared = 1;
		else if (host != NULL && *host != '\0' && *host != '<')
			p->host = xstrdup(host);
		if (is_true(r, "shared"))
			p->shared = 1;
		p->size = num(r, "physical-size");
		p->used = num(r, "physical-utilisation");
	}
	*out = l;
	l.v = NULL;	/* transferred */
	l.n = 0;
	rc = 0;
out:
	hv_pool_list_free(&l);
	hvout_xe_records_free(&rs);
	return rc;
}

/*
 * XenAPI errors that xe prints as their documentation text followed by
 * "name: value" lines (xe.md section 7). doc is the start of the text as
 * xapi >= 1.178 words it; older xapi has two spaces after full stops, which
 * the comparison folds.
 */
static const struct {
	const char	*code;
	const char	*doc;
	int		 err;
} xe_known[] = {
	{ "VM_BAD_POWER_STATE", "You attempted an operation on a VM that "
	    "was not in an appropriate power state", ERR_BUSY },
	{ "UUID_INVALID", "The uuid you supplied was invalid.", ERR_NOENT },
	{ "HANDLE_INVALID", "You gave an invalid object reference.",
	    ERR_NOENT },
	{ "OPERATION_NOT_ALLOWED", "You attempted an operation that was not "
	    "allowed.", ERR_BUSY },
	{ "VM_IS_TEMPLATE", "The operation attempted is not valid for a "
	    "template VM", ERR_INVAL },
	{ "HOST_NOT_ENOUGH_FREE_MEMORY", "Not enough server memory is "
	    "available to perform this operation.", ERR_FAIL },
	{ "SR_FULL", "The SR is full.", ERR_FAIL },
	{ "NO_HOSTS_AVAILABLE", "There were no servers available to complete "
	    "the specified operation.", ERR_FAIL },
	{ "OTHER_OPERATION_IN_PROGRESS", "Another operation involving the "
	    "object is currently in progress", ERR_BUSY },
	{ "VM_MISSING_PV_DRIVERS", "You attempted an operation on a VM which "
	    "requires PV drivers", ERR_FAIL },
};

/* ERR_* for an error code word ("Error code: X"). */
static int
api_code_err(const char *code)
{
	static const struct {
		const char	*code;
		int		 err;
	} more[] = {
		{ "SESSION_AUTHENTICATION_FAILED", ERR_PERM },
		{ "PERMISSION_DENIED", ERR_PERM },
		{ "RBAC_PERMISSION_DENIED", ERR_PERM },
		{ "Missing parameter", ERR_INVAL },
		{ "VM_NOT_FOUND", ERR_NOENT },
	};
	size_t	i;

	for (i = 0; i < nitems(xe_known); i++)
		if (strcmp(code, xe_known[i].code) == 0)
			return xe_known[i].err;
	for (i = 0; i < nitems(more); i++)
		if (strcmp(code, more[i].code) == 0)
			return more[i].err;
	return ERR_FAIL;
}

/* ERR_* for a CLI failure ("Error: <message>"). */
static int
cli_err(const char *s, size_t n)
{
	static const struct {
		const char	*needle;
		int		 err;
	} needles[] = {
		{ "No matching", ERR_NOENT },
		{ "not found", ERR_NOENT },
		{ "No templates matched", ERR_NOENT },
		{ "Multiple matches", ERR_INVAL },
		{ "More than one", ERR_INVAL },
		{ "Unknown field", ERR_INVAL },
		{ "read-only", ERR_INVAL },
		{ "Failed to parse", ERR_INVAL },
		{ "can only be performed", ERR_INVAL },
		{ "Can only", ERR_INVAL },
		{ "can only be made", ERR_INVAL },
	};
	size_t	i;

	for (i = 0; i < nitems(needles); i++)
		if (hvout_find(s, n, needles[i].needle) != NULL)
			return needles[i].err;
	return ERR_FAIL;
}

/* "name: value" as xe prints an error's parameters; name in [a-z_]. */
static int
param_line(const char *s, size_t n, size_t *namelen)
{
	size_t	i;

	for (i = 0; i < n && ((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_');
	    i++)
		;
	if (i == 0 || i >= n || s[i] != ':' || (i + 1 < n && s[i + 1] != ' '))
		return 0;
	*namelen = i;
	return 1;
}

/* Appends s to b with every run of spaces folded to one. */
static void
add_folded(struct buf *b, const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (s[i] == ' ' && b->len > 0 && b->data[b->len - 1] == ' ')
			continue;
		buf_addc(b, s[i]);
	}
}

/* The value of a named parameter line, or "?". */
static const char *
pval(char *const *names, char *const *vals, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return vals[i];
	return "?";
}

/* A short reason for a recognised XenAPI error, from its parameters. */
static char *
known_reason(const char *code, char *const *nm, char *const *v, size_t n)
{
	if (strcmp(code, "VM_BAD_POWER_STATE") == 0)
		return xasprintf("VM is %s; the operation needs it %s",
		    pval(nm, v, n, "actual"), pval(nm, v, n, "expected"));
	if (strcmp(code, "UUID_INVALID") == 0)
		return xasprintf("no %s with uuid %s", pval(nm, v, n, "type"),
		    pval(nm, v, n, "uuid"));
	if (strcmp(code, "HANDLE_INVALID") == 0)
		return xasprintf("invalid %s reference %s",
		    pval(nm, v, n, "class"), pval(nm, v, n, "handle"));
	if (strcmp(code, "OPERATION_NOT_ALLOWED") == 0)
		return xasprintf("operation not allowed: %s",
		    pval(nm, v, n, "reason"));
	if (strcmp(code, "VM_IS_TEMPLATE") == 0)
		return xstrdup("the VM is a template");
	if (strcmp(code, "HOST_NOT_ENOUGH_FREE_MEMORY") == 0)
		return xasprintf("not enough free memory on the host (needed "
		    "%s, available %s)", pval(nm, v, n, "needed"),
		    pval(nm, v, n, "available"));
	if (strcmp(code, "SR_FULL") == 0)
		return xasprintf("storage repository is full (requested %s, "
		    "maximum %s)", pval(nm, v, n, "requested"),
		    pval(nm, v, n, "maximum"));
	if (strcmp(code, "NO_HOSTS_AVAILABLE") == 0)
		return xstrdup("no host is available for the operation");
	if (strcmp(code, "OTHER_OPERATION_IN_PROGRESS") == 0)
		return xasprintf("another operation is in progress on this %s",
		    pval(nm, v, n, "class"));
	if (strcmp(code, "VM_MISSING_PV_DRIVERS") == 0)
		return xstrdup("the VM has no PV drivers");
	return NULL;
}

/*
 * A XenAPI error printed as its documentation text (possibly wrapped over
 * several lines by whoever captured it) and "name: value" lines.
 */
static void
doc_error(struct hvout_lines *li, const char *s, size_t n,
    struct hv_error *e)
{
	struct buf	 doc = { NULL, 0, 0 };
	char		**names = NULL;
	size_t		 nnames = 0, nl, i;
	int		 params = 0;

	do {
		if (hvout_blank(s, n))
			continue;
		if (param_line(s, n, &nl) && (params || doc.len > 0)) {
			params = 1;
			names = xreallocarray(names, nnames + 1,
			    sizeof *names);
			names[nnames++] = hvout_dup(s, nl);
			hvout_error_param(e, s + nl + (nl + 1 < n ? 2 : 1),
			    n - nl - (nl + 1 < n ? 2 : 1));
		} else if (!params) {
			if (doc.len > 0)
				buf_addc(&doc, ' ');
			add_folded(&doc, s, n);
		}
	} while (hvout_lines_next(li, &s, &n));
	e->code = ERR_FAIL;
	for (i = 0; i < nitems(xe_known); i++) {
		if (doc.data != NULL && strncmp(doc.data, xe_known[i].doc,
		    strlen(xe_known[i].doc)) == 0) {
			e->api_code = xstrdup(xe_known[i].code);
			e->code = xe_known[i].err;
			e->reason = known_reason(xe_known[i].code, names,
			    e->params, e->nparams);
			break;
		}
	}
	if (e->reason == NULL)
		e->reason = buf_take(&doc);
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	buf_free(&doc);
}

/* Recognises the error shapes of xe.md section 7 by their first line. */
int
hvout_xe_error(const char *text, size_t len, struct hv_error *out)
{
	struct hvout_lines	 li;
	struct hv_error		 e;
	const char		*s = NULL, *p, *comma;
	size_t			 n = 0, pl;
	int			 rc, found;

	if ((rc = hvout_text_check("xe", text, len)) != 0)
		return rc;
	memset(&e, 0, sizeof e);
	hvout_lines_init(&li, text, len);
	while (hvout_lines_next(&li, &s, &n))
		if (!hvout_blank(s, n))
			break;
	if (li.no == 0 || hvout_blank(s, n))
		return err_set(ERR_INVAL, "xe: no error message");
	if (hvout_prefix(s, n, "Error code: ")) {
		e.api_code = hvout_dup(s + 12, n - 12);
		e.code = api_code_err(e.api_code);
		if (hvout_lines_next(&li, &s, &n) &&
		    hvout_prefix(s, n, "Error parameters: ")) {
			/* ", "-joined; an empty line is no parameters. */
			p = s + 18;
			pl = n - 18;
			while (pl > 0 || p > s + 18) {
				comma = hvout_find(p, pl, ", ");
				if (comma == NULL) {
					hvout_error_param(&e, p, pl);
					break;
				}
				hvout_error_param(&e, p, (size_t)(comma - p));
				pl -= (size_t)(comma - p) + 2;
				p = comma + 2;
			}
			e.reason = n > 18 ? xasprintf("%s: %.*s", e.api_code,
			    (int)(n - 18), s + 18) : xstrdup(e.api_code);
		} else
			e.reason = xstrdup(e.api_code);
	} else if (hvout_prefix(s, n, "Error: ")) {
		e.code = cli_err(s + 7, n - 7);
		e.reason = hvout_dup(s + 7, n - 7);
	} else if (hvout_prefix(s, n, "Unknown command: ") ||
	    hvout_prefix(s, n, "Required parameter not found: ") ||
	    hvout_prefix(s, n, "Syntax error: ")) {
		e.code = ERR_INVAL;
		e.reason = hvout_dup(s, n);
	} else if (hvout_eq(s, n, "Authentication failed")) {
		e.code = ERR_PERM;
		e.api_code = xstrdup("SESSION_AUTHENTICATION_FAILED");
		e.reason = hvout_dup(s, n);
	} else if (hvout_prefix(s, n, "Username/password must be")) {
		e.code = ERR_PERM;
		e.reason = hvout_dup(s, n);
	} else if (hvout_prefix(s, n, "The server failed to handle your "
	    "request, due to an internal error.")) {
		e.code = ERR_FAIL;
		e.api_code = xstrdup("INTERNAL_ERROR");
		while ((found = hvout_lines_next(&li, &s, &n)) != 0)
			if (hvout_prefix(s, n, "message: "))
				break;
		if (found) {
			hvout_error_param(&e, s + 9, n - 9);
			e.reason = xasprintf("xapi internal error: %.*s",
			    (int)(n - 9), s + 9);
		} else
			e.reason = xstrdup("xapi internal error");
	} else
		doc_error(&li, s, n, &e);
	*out = e;
	return 0;
}
