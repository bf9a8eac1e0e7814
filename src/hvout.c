/*
 * hvout.c: the vocabulary of hvout.h (state names, freeing results) and the
 * small slice helpers the three parsers share. Parsers work on (pointer,
 * length) slices of the host's text and copy out only what they keep, so
 * none of them depends on a terminating NUL or reads past the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "hvout.h"
#include "util.h"

const char *
hv_state_name(enum hv_state s)
{
	switch (s) {
	case HV_RUNNING:
		return "running";
	case HV_STOPPED:
		return "stopped";
	case HV_PAUSED:
		return "paused";
	case HV_SUSPENDED:
		return "suspended";
	case HV_CRASHED:
		return "crashed";
	case HV_UNKNOWN:
		break;
	}
	return "unknown";
}

void
hv_vm_init(struct hv_vm *vm)
{
	memset(vm, 0, sizeof *vm);
	vm->state = HV_UNKNOWN;
	vm->cpus = -1;
	vm->memory = -1;
	vm->mem_used = -1;
	vm->cpu_time = -1;
}

void
hv_vm_clear(struct hv_vm *vm)
{
	if (vm == NULL)
		return;
	free(vm->name);
	free(vm->uuid);
	free(vm->hvsh_id);
	free(vm->path);
	free(vm->disk);
	hv_vm_init(vm);
}

void
hv_vm_list_free(struct hv_vm_list *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		hv_vm_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
hv_facts_init(struct hv_facts *f)
{
	memset(f, 0, sizeof *f);
	f->cpus = -1;
	f->memory = -1;
	f->mem_free = -1;
	f->hw_accel = -1;
}

void
hv_facts_clear(struct hv_facts *f)
{
	if (f == NULL)
		return;
	free(f->version);
	free(f->hostname);
	free(f->product);
	hv_facts_init(f);
}

void
hv_snapshot_list_free(struct hv_snapshot_list *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].uuid);
		free(l->v[i].parent);
		free(l->v[i].state);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
hv_pool_list_free(struct hv_pool_list *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].uuid);
		free(l->v[i].type);
		free(l->v[i].content);
		free(l->v[i].host);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
hv_strlist_free(struct hv_strlist *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
hv_vmstate_clear(struct hv_vmstate *s)
{
	if (s == NULL)
		return;
	free(s->reason);
	s->reason = NULL;
	s->state = HV_UNKNOWN;
}

void
hv_error_clear(struct hv_error *e)
{
	size_t	i;

	if (e == NULL)
		return;
	free(e->reason);
	free(e->api_code);
	for (i = 0; i < e->nparams; i++)
		free(e->params[i]);
	free(e->params);
	memset(e, 0, sizeof *e);
}

/*
 * Grows an array that holds n elements to hold n + 1. Capacity is implied
 * by n (the next power of two), so the result structs need no cap field and
 * a list of a million lines still costs only twenty reallocations.
 */
static void *
grow(void *v, size_t n, size_t size)
{
	if (n != 0 && (n & (n - 1)) != 0)
		return v;
	return xreallocarray(v, n == 0 ? 1 : n * 2, size);
}

struct hv_vm *
hvout_vm_add(struct hv_vm_list *l)
{
	l->v = grow(l->v, l->n, sizeof *l->v);
	hv_vm_init(&l->v[l->n]);
	return &l->v[l->n++];
}

struct hv_snapshot *
hvout_snapshot_add(struct hv_snapshot_list *l)
{
	struct hv_snapshot	*s;

	l->v = grow(l->v, l->n, sizeof *l->v);
	s = &l->v[l->n++];
	memset(s, 0, sizeof *s);
	s->created = -1;
	return s;
}

void
hvout_strlist_add(struct hv_strlist *l, char *s)
{
	l->v = grow(l->v, l->n, sizeof *l->v);
	l->v[l->n++] = s;
}

void
hvout_error_param(struct hv_error *e, const char *s, size_t n)
{
	e->params = grow(e->params, e->nparams, sizeof *e->params);
	e->params[e->nparams++] = hvout_dup(s, n);
}

/* Refuses what no parser can take: no text at all, or a NUL inside it. */
int
hvout_text_check(const char *what, const char *text, size_t len)
{
	if (text == NULL && len != 0)
		return err_set(ERR_INVAL, "%s: no output", what);
	if (len != 0 && memchr(text, '\0', len) != NULL)
		return err_set(ERR_INVAL, "%s: output has a NUL byte", what);
	return 0;
}

void
hvout_lines_init(struct hvout_lines *li, const char *text, size_t len)
{
	li->p = text;
	li->end = text == NULL ? NULL : text + len;
	li->no = 0;
}

/* The next line without its '\n'; 0 when there is none. */
int
hvout_lines_next(struct hvout_lines *li, const char **line, size_t *len)
{
	const char	*nl;

	if (li->p == NULL || li->p >= li->end)
		return 0;
	nl = memchr(li->p, '\n', (size_t)(li->end - li->p));
	*line = li->p;
	if (nl == NULL) {
		*len = (size_t)(li->end - li->p);
		li->p = li->end;
	} else {
		*len = (size_t)(nl - li->p);
		li->p = nl + 1;
	}
	li->no++;
	return 1;
}

/* True if the slice is empty or only spaces, tabs and a CR. */
int
hvout_blank(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* Drops spaces (only spaces: a tab or CR may be data) from both ends. */
void
hvout_trim(const char **s, size_t *n)
{
	while (*n > 0 && **s == ' ') {
		(*s)++;
		(*n)--;
	}
	hvout_rtrim(*s, n);
}

void
hvout_rtrim(const char *s, size_t *n)
{
	while (*n > 0 && s[*n - 1] == ' ')
		(*n)--;
}

int
hvout_prefix(const char *s, size_t n, const char *prefix)
{
	size_t	pl = strlen(prefix);

	return n >= pl && memcmp(s, prefix, pl) == 0;
}

int
hvout_eq(const char *s, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

/* The first occurrence of needle in the slice, or NULL. */
const char *
hvout_find(const char *s, size_t n, const char *needle)
{
	size_t	nl = strlen(needle);

	if (nl == 0)
		return s;
	return memmem(s, n, needle, nl);
}

char *
hvout_dup(const char *s, size_t n)
{
	char	*p = xmalloc(n + 1);

	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* A whole slice as a decimal integer; -1 if it is anything else. */
int
hvout_i64(const char *s, size_t n, int64_t *out)
{
	char	buf[32];

	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return parse_i64(buf, out);
}

/* 8-4-4-4-12 hex digits. */
int
hvout_is_uuid(const char *s, size_t n)
{
	size_t	i;

	if (n != 36)
		return 0;
	for (i = 0; i < n; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	}
	return 1;
}

static int
digits(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/*
 * The two time stamps the CLIs print: virsh's "2024-05-01 12:00:00 +0200"
 * (strftime "%F %T %z", local time of the host) and xapi's
 * "20240501T12:00:00Z". Returns unix seconds, -1 if neither.
 */
int
hvout_datetime(const char *s, size_t n, int64_t *out)
{
	char	buf[24];
	int64_t	t;
	int	off = 0;

	if (n == 25 && s[10] == ' ' && s[19] == ' ' &&
	    (s[20] == '+' || s[20] == '-') && digits(s + 21, 4)) {
		memcpy(buf, s, 19);
		buf[19] = '\0';
		off = ((s[21] - '0') * 10 + (s[22] - '0')) * 3600 +
		    ((s[23] - '0') * 10 + (s[24] - '0')) * 60;
		if (s[20] == '-')
			off = -off;
	} else if (n == 18 && s[8] == 'T' && s[17] == 'Z' && digits(s, 8)) {
		snprintf(buf, sizeof buf, "%.4s-%.2s-%.2s %.8s", s, s + 4,
		    s + 6, s + 9);
	} else
		return -1;
	if (parse_time(buf, &t) != 0)
		return -1;
	*out = t - off;
	return 0;
}
