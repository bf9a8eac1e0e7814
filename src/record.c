/*
 * record.c: records in memory and their compact encoding. Decoding takes
 * bytes from the store, which may be damaged or written by a newer hvsh, so
 * it checks every length before it reads and skips tags it does not know.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "record.h"

#define RECORD_FORMAT	1

/* Number of usable field slots of a record: its kind's fields, capped. */
static size_t
record_nfields(const struct record *r)
{
	const struct kind_def	*kd = kind_def(r->kind);

	if (kd == NULL)
		return 0;
	return kd->nfields < RECORD_MAXFIELDS ? kd->nfields : RECORD_MAXFIELDS;
}

struct record *
record_new(enum kind k)
{
	struct record	*r;

	r = xcalloc(1, sizeof *r);
	r->kind = k;
	return r;
}

void
record_free(struct record *r)
{
	size_t	i;

	if (r == NULL)
		return;
	for (i = 0; i < RECORD_MAXFIELDS; i++)
		free(r->v[i]);
	free(r);
}

struct record *
record_dup(const struct record *r)
{
	struct record	*n;
	size_t		 i;

	if (r == NULL)
		return NULL;
	n = record_new(r->kind);
	n->id = r->id;
	for (i = 0; i < RECORD_MAXFIELDS; i++) {
		if (r->v[i] != NULL)
			n->v[i] = xstrdup(r->v[i]);
	}
	return n;
}

const char *
record_get(const struct record *r, int field)
{
	if (field < 0 || (size_t)field >= record_nfields(r))
		return NULL;
	return r->v[field];
}

/*
 * Out-of-range fields are ignored rather than stored, because the encoder
 * only writes the kind's fields and a stray slot would vanish silently later.
 */
void
record_set(struct record *r, int field, const char *value)
{
	char	*copy;

	if (field < 0 || (size_t)field >= record_nfields(r))
		return;
	/* Copy before freeing: value may be the current string itself. */
	copy = value != NULL ? xstrdup(value) : NULL;
	free(r->v[field]);
	r->v[field] = copy;
}

void
record_setf(struct record *r, int field, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	if (field < 0 || (size_t)field >= record_nfields(r)) {
		free(s);
		return;
	}
	free(r->v[field]);
	r->v[field] = s;	/* transferred */
}

void
record_set_i64(struct record *r, int field, int64_t v)
{
	char	buf[32];

	snprintf(buf, sizeof buf, "%" PRId64, v);
	record_set(r, field, buf);
}

int64_t
record_get_i64(const struct record *r, int field, int64_t def)
{
	const char	*s = record_get(r, field);
	int64_t		 v;

	if (s == NULL || parse_i64(s, &v) != 0)
		return def;
	return v;
}

int
record_set_by_name(struct record *r, const char *field, const char *value)
{
	const struct kind_def	*kd = kind_def(r->kind);
	int			 i;

	if (kd == NULL)
		return err_set(ERR_INVAL, "record of unknown kind %d", r->kind);
	if ((i = kind_field(kd, field)) < 0)
		return err_set(ERR_NOENT, "%s has no field '%s'", kd->name,
		    field);
	record_set(r, i, value);
	return 0;
}

/* Appends v as an unsigned LEB128 varint. */
static void
leb_put(struct buf *b, uint64_t v)
{
	uint8_t	tmp[10];
	size_t	n = 0;

	do {
		tmp[n] = v & 0x7f;
		v >>= 7;
		if (v != 0)
			tmp[n] |= 0x80;
		n++;
	} while (v != 0);
	buf_add(b, tmp, n);
}

/* Reads a LEB128 varint at *pos; -1 if it runs past len or overflows. */
static int
leb_get(const uint8_t *p, size_t len, size_t *pos, uint64_t *out)
{
	uint64_t	v = 0;
	unsigned	shift = 0;
	uint8_t		b;

	for (;;) {
		if (*pos >= len || shift > 63)
			return -1;
		b = p[(*pos)++];
		/* The tenth byte may only carry the top bit of 64. */
		if (shift == 63 && (b & 0x7e) != 0)
			return -1;
		v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			break;
		shift += 7;
	}
	*out = v;
	return 0;
}

/* Appends the encoding of r to out (which is not reset). */
void
record_encode(const struct record *r, struct buf *out)
{
	const struct kind_def	*kd = kind_def(r->kind);
	size_t			 i, n = record_nfields(r), len;

	buf_addc(out, RECORD_FORMAT);
	for (i = 0; i < n; i++) {
		if (r->v[i] == NULL)
			continue;
		len = strlen(r->v[i]);
		buf_addc(out, (char)kd->fields[i].tag);
		leb_put(out, len);
		buf_add(out, r->v[i], len);
	}
}

/*
 * Field index of tag in kd, or -1. Fields are encoded in declaration order,
 * so the search starts just after the previous hit and a whole record
 * decodes in one pass over the field table.
 */
static int
tag_field(const struct kind_def *kd, size_t n, uint8_t tag, size_t *hint)
{
	size_t	i, j;

	for (i = 0; i < n; i++) {
		j = (*hint + i) % n;
		if (kd->fields[j].tag == tag) {
			*hint = j + 1;
			return (int)j;
		}
	}
	return -1;
}

int
record_decode(enum kind k, uint64_t id, const void *data, size_t len,
    struct record **out)
{
	const struct kind_def	*kd = kind_def(k);
	const uint8_t		*p = data;
	struct record		*r = NULL;
	size_t			 pos = 1, hint = 0, n;
	uint64_t		 vlen;
	uint8_t			 tag;
	int			 f, rc = ERR_INVAL;

	*out = NULL;
	if (kd == NULL)
		return err_set(ERR_INVAL, "record of unknown kind %d", k);
	if (len < 1 || p == NULL) {
		err_set(ERR_INVAL, "%s %" PRIu64 ": empty record", kd->name, id);
		goto out;
	}
	if (p[0] != RECORD_FORMAT) {
		err_set(ERR_INVAL, "%s %" PRIu64 ": unknown record format %u",
		    kd->name, id, p[0]);
		goto out;
	}
	r = record_new(k);
	r->id = id;
	n = record_nfields(r);
	while (pos < len) {
		tag = p[pos++];
		if (leb_get(p, len, &pos, &vlen) != 0 || vlen > len - pos) {
			err_set(ERR_INVAL, "%s %" PRIu64 ": record truncated",
			    kd->name, id);
			goto out;
		}
		if ((f = tag_field(kd, n, tag, &hint)) >= 0) {
			if (r->v[f] != NULL) {
				err_set(ERR_INVAL, "%s %" PRIu64 ": field '%s' "
				    "appears twice", kd->name, id,
				    kd->fields[f].name);
				goto out;
			}
			/* A NUL inside would silently cut the value short. */
			if (memchr(p + pos, '\0', vlen) != NULL) {
				err_set(ERR_INVAL, "%s %" PRIu64 ": field '%s' "
				    "contains a NUL byte", kd->name, id,
				    kd->fields[f].name);
				goto out;
			}
			r->v[f] = xmalloc(vlen + 1);
			memcpy(r->v[f], p + pos, vlen);
			r->v[f][vlen] = '\0';
		}
		pos += vlen;
	}
	*out = r;
	r = NULL;	/* transferred */
	rc = 0;
out:
	record_free(r);
	return rc;
}
