/*
 * record.h: one stored object in memory, and its compact on-disk encoding.
 *
 * A record owns its value strings. Values are indexed by the field's
 * position in its kind_def; NULL means unset.
 *
 * Encoding: one byte format version (1), then for each set field its tag
 * (one byte), its length (LEB128 varint) and its bytes. Unknown tags are
 * skipped on decode, so a field may be added without a migration.
 */
#ifndef HVSH_RECORD_H
#define HVSH_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "schema.h"
#include "util.h"

struct record {
	enum kind	 kind;
	uint64_t	 id;		/* 0 until stored */
	char		*v[RECORD_MAXFIELDS];
};

struct record	*record_new(enum kind);
void		 record_free(struct record *);
struct record	*record_dup(const struct record *);
/* Field by index; NULL if unset. */
const char	*record_get(const struct record *, int field);
/* Copies value; NULL unsets. */
void		 record_set(struct record *, int field, const char *value);
void		 record_setf(struct record *, int field, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
void		 record_set_i64(struct record *, int field, int64_t);
/* Integer value of a field, or def if unset or not a number. */
int64_t		 record_get_i64(const struct record *, int field, int64_t def);
/* Field by name; -1 (ERR_NOENT via err_set) if the kind has no such field. */
int		 record_set_by_name(struct record *, const char *field, const char *value);

void		 record_encode(const struct record *, struct buf *out);
/* 0 on success; ERR_INVAL (with err_set) if the bytes are malformed. */
int		 record_decode(enum kind, uint64_t id, const void *, size_t,
		    struct record **out);

#endif
