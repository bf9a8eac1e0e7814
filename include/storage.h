/*
 * storage.h: the storage service: where a host sees a pool, which primary
 * pool holds a new disk on a host, and where a host finds an image. The
 * answers come from the records alone; nothing here reaches a host.
 *
 * A pool is seen by a host at a path:
 * - a pool local to one host (pool.host) by that host, at pool.path;
 * - a pool with host_paths ("kvm1=/mnt/images,xen1=/var/run/sr-mount/x")
 *   by exactly the hosts named there, each at its own path;
 * - a primary pool with neither, by every host, at pool.path;
 * - a secondary pool with neither only by the bastion, where it is mounted
 *   at pool.path: images on it are pushed to the hosts that need them.
 */
#ifndef HVSH_STORAGE_H
#define HVSH_STORAGE_H

#include "record.h"
#include "store.h"

/*
 * The value of key in a tags string "k=v,k=v", copied; NULL if absent.
 * Caller frees.
 */
char	*storage_tag_get(const char *tags, const char *key);

/*
 * Where host sees pool: *path is a copy (caller frees). ERR_NOENT, with a
 * message naming both, when it does not see it.
 */
int	storage_pool_path(const struct record *pool, const struct record *host,
	    char **path);

/*
 * The primary pool for a new disk on host: the one named (ERR_NOENT if
 * the host does not see it, ERR_INVAL if it is not primary), else the
 * first primary pool the host sees, preferring one local to it. *pool is
 * NULL and *path NULL when none is recorded: the driver's default place.
 * Caller frees both.
 */
int	storage_primary(struct store_txn *, const struct record *host,
	    const char *name, struct record **pool, char **path);

/*
 * Where host finds image's file: on a pool the host sees, or where it was
 * pushed to (image.copies). ERR_NOENT when it must be pushed first.
 * *path is a copy; caller frees.
 */
int	storage_image_path(struct store_txn *, const struct record *image,
	    const struct record *host, char **path);

/*
 * Where a push of image to host puts it: "DIR/hvsh-images/NAME.EXT" under
 * the host's primary pool. ERR_NOENT when the host sees no primary pool.
 */
int	storage_push_path(struct store_txn *, const struct record *image,
	    const struct record *host, char **path);

/* The file extension of an image format ("qcow2", "vmdk", "iso" ...). */
const char *storage_ext(const char *format);

#endif
