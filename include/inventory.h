/*
 * inventory.h: rules that span kinds, enforced inside the caller's write
 * transaction: what refers to a record, and how removing it treats those
 * references.
 */
#ifndef HVSH_INVENTORY_H
#define HVSH_INVENTORY_H

#include <stddef.h>
#include <stdint.h>

#include "schema.h"
#include "store.h"

/*
 * Counts the records that refer to (k, id) through an indexed reference;
 * describes them as "3 vms, 1 pool" in desc when desc is not NULL.
 */
int	inventory_refs(struct store_txn *, enum kind, uint64_t id, size_t *total,
	    struct buf *desc);

/*
 * Removes (k, id). While other records refer to it, refuses with ERR_BUSY
 * unless force; with force, references that a record may lack are cleared
 * (an instance forgets its removed image) and records that cannot exist
 * without it go too (a removed instance's snapshots).
 */
int	inventory_remove(struct store_txn *, enum kind, uint64_t id, int force);

#endif
