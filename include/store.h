/*
 * store.h: the LMDB store, the only place metadata lives.
 *
 * Layout (named databases in one environment):
 *   meta              "schema" -> decimal version; "next.<kind>" -> u64 id counter
 *   <kind>            id (u64 big-endian) -> encoded record
 *   <kind>.name       scope id (u64 BE, 0 when global) + name -> id
 *   <kind>.<field>    for F_INDEXED refs: referenced id -> record ids (dupsort)
 *
 * Audit events are records of KIND_AUDIT; their ids increase with time.
 *
 * All functions return 0 or a negative ERR_* code with a message in err.h.
 * Records handed to iterator callbacks are borrowed for the call only.
 * Records returned through **out belong to the caller.
 */
#ifndef HVSH_STORE_H
#define HVSH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "schema.h"
#include "util.h"

struct store;
struct store_txn;

#define STORE_RDONLY	0x01	/* open for reading only; never create */

/*
 * Opens (creating when missing, mode 0700) the store in dir. Refuses a
 * directory on NFS/CIFS, a store of a newer schema (ERR_VERSION), and
 * migrates an older one. Clears stale readers.
 */
int	store_open(const char *dir, int flags, struct store **out);
void	store_close(struct store *);
/*
 * 1 if a statfs f_type names a network filesystem (NFS, CIFS, SMB), on
 * which LMDB's locking and mmap are unsafe; 0 otherwise.
 */
int	store_fs_is_remote(long f_type);
const char *store_path(const struct store *);

/* A read transaction; readers never block writers. End with store_txn_end. */
int	store_read(struct store *, struct store_txn **out);
void	store_txn_end(struct store_txn *);

/*
 * Runs fn inside one write transaction and commits if it returns 0; aborts
 * otherwise and returns its code. When the map is full, the transaction is
 * aborted, the map grown and fn run again from the start, so fn must have
 * no effect outside the transaction.
 */
typedef int (*store_write_fn)(struct store_txn *, void *arg);
int	store_write(struct store *, store_write_fn fn, void *arg);

int	store_get(struct store_txn *, enum kind, uint64_t id, struct record **out);
int	store_get_by_name(struct store_txn *, enum kind, uint64_t scope,
	    const char *name, struct record **out);
/*
 * Inserts (id 0: a new id is assigned into r->id, created/updated set) or
 * replaces (updated set) a record, keeping the name and index databases in
 * step. ERR_EXIST if the name is taken in its scope; ERR_INVAL if a required
 * field is missing.
 */
int	store_put(struct store_txn *, struct record *r);
/* Deletes a record and its name and index entries. ERR_NOENT if absent. */
int	store_del(struct store_txn *, enum kind, uint64_t id);

/* Return non-zero from the callback to stop; store_iter returns that value. */
typedef int (*store_iter_fn)(const struct record *, void *arg);
/* Every record of kind, in name order (scope, then name). */
int	store_iter(struct store_txn *, enum kind, store_iter_fn, void *arg);
/* Records of kind whose indexed ref field equals ref_id, in id order. */
int	store_iter_ref(struct store_txn *, enum kind, int field, uint64_t ref_id,
	    store_iter_fn, void *arg);
/* Number of records of kind whose indexed field refers to ref_id. */
int	store_count_ref(struct store_txn *, enum kind, int field, uint64_t ref_id,
	    size_t *count);
/* Number of records of kind. */
int	store_count(struct store_txn *, enum kind, size_t *count);
/* Records of kind in id order, newest first when reverse != 0. */
int	store_iter_id(struct store_txn *, enum kind, int reverse,
	    store_iter_fn, void *arg);

/* Calls cb for each global-scope name of kind starting with prefix, in order. */
typedef void (*store_name_fn)(const char *name, void *arg);
int	store_names(struct store_txn *, enum kind, const char *prefix,
	    store_name_fn cb, void *arg);

/* Verifies that every name and index entry matches the records, and back. */
int	store_check(struct store *, struct buf *report, size_t *problems);

struct store_info {
	int		schema;
	size_t		map_size;
	size_t		used;		/* bytes in use (last page * page size) */
	size_t		count[KIND__COUNT];
};
int	store_info(struct store *, struct store_info *);

#endif
