/*
 * view.h: records as the user sees them. Turns a record into the raw row
 * values of listing.h (references resolved to names), and runs the generic
 * list and show of a kind, using a secondary index whenever the filter pins
 * an indexed reference ("host=kvm1").
 */
#ifndef HVSH_VIEW_H
#define HVSH_VIEW_H

#include <stdint.h>

#include "listing.h"
#include "schema.h"
#include "store.h"

struct ctx;
struct cmd_args;
struct view;

/* Columns of kind: "id", then every field. cols holds RECORD_MAXFIELDS + 1. */
size_t	view_cols(const struct kind_def *, struct col_def *cols);
/* The default columns of kind, "name,address,driver,...". Static storage. */
const char *view_defaults(enum kind);

/* A view resolves reference ids to names within one read transaction. */
struct view *view_new(struct store_txn *);
void	view_free(struct view *);
/* Name of record id of kind, or NULL if there is none. Valid as long as the view. */
const char *view_ref_name(struct view *, enum kind, uint64_t id);
/* Fills vals (nfields + 1) for r; pointers valid until the next call. */
void	view_vals(struct view *, const struct record *r, const char **vals);

/*
 * Lists kind with the command's list options. When restrict_field >= 0, only
 * records whose indexed reference restrict_field equals restrict_id.
 */
int	view_list(struct ctx *, const struct cmd_args *, enum kind,
	    int restrict_field, uint64_t restrict_id);
/* Shows one record with the command's show options. */
int	view_show(struct ctx *, const struct cmd_args *, struct store_txn *,
	    const struct record *);

/*
 * Looks up a record by (global) name; ERR_NOENT with "<kind> 'NAME' not
 * found" through err_set. Caller frees *out.
 */
int	view_find(struct store_txn *, enum kind, const char *name,
	    struct record **out);
/* view_find for a command: reports the error itself. */
int	view_lookup(struct ctx *, struct store_txn *, enum kind,
	    const char *name, struct record **out);

/* A list of records copied out of a transaction; the list owns them. */
struct records {
	struct record	**v;
	size_t		  n;
};

/* A store_iter_fn that appends a copy of each record to a struct records. */
int	records_hold(const struct record *, void *records);
void	records_free(struct records *);

/* Changes a FT_TAGS field: adds/replaces KEY=VALUE tags, removes KEYs. */
int	view_tags(struct record *, int field, char *const *set, int nset,
	    char *const *unset, int nunset);

#endif
