/*
 * storage.c: where hosts see pools and images, from the records alone
 * (see storage.h for the rules).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "storage.h"
#include "util.h"

char *
storage_tag_get(const char *tags, const char *key)
{
	const char	*p, *end, *eq;
	size_t		 klen = strlen(key);

	for (p = tags; p != NULL && *p != '\0'; p = *end ? end + 1 : end) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq != NULL && (size_t)(eq - p) == klen &&
		    memcmp(p, key, klen) == 0)
			return xstrndup(eq + 1, (size_t)(end - eq - 1));
	}
	return NULL;
}

int
storage_pool_path(const struct record *pool, const struct record *host,
    char **path)
{
	const char	*hp = record_get(pool, POOL_HOSTPATHS);
	const char	*role = record_get(pool, POOL_ROLE);
	int64_t		 local = record_get_i64(pool, POOL_HOST, 0);

	*path = NULL;
	if (hp != NULL && *hp != '\0') {
		if ((*path = storage_tag_get(hp, record_get(host, FI_NAME))) !=
		    NULL)
			return 0;
	} else if (local > 0) {
		if ((uint64_t)local == host->id) {
			*path = xstrdup(record_get(pool, POOL_PATH));
			return 0;
		}
	} else if (role != NULL && strcmp(role, "primary") == 0) {
		*path = xstrdup(record_get(pool, POOL_PATH));
		return 0;
	}
	return err_set(ERR_NOENT, "host %s does not see pool %s",
	    record_get(host, FI_NAME), record_get(pool, FI_NAME));
}

/* What storage_primary's walk over the pools keeps. */
struct primary {
	const struct record	*host;
	struct record		*best;
	char			*path;
	int			 local;
};

static int
primary_one(const struct record *p, void *arg)
{
	struct primary	*pr = arg;
	const char	*role = record_get(p, POOL_ROLE);
	char		*path;
	int		 local;

	if (role == NULL || strcmp(role, "primary") != 0 ||
	    storage_pool_path(p, pr->host, &path) != 0)
		return 0;
	local = (uint64_t)record_get_i64(p, POOL_HOST, 0) == pr->host->id;
	if (pr->best == NULL || (local && !pr->local)) {
		record_free(pr->best);
		free(pr->path);
		pr->best = record_dup(p);
		pr->path = path;
		pr->local = local;
	} else
		free(path);
	return 0;
}

int
storage_primary(struct store_txn *tx, const struct record *host,
    const char *name, struct record **pool, char **path)
{
	struct primary	pr = { host, NULL, NULL, 0 };
	struct record	*p = NULL;
	int		 rc;

	*pool = NULL;
	*path = NULL;
	if (name != NULL) {
		if ((rc = store_get_by_name(tx, KIND_POOL, 0, name, &p)) != 0)
			return rc == ERR_NOENT ? err_set(rc, "no pool %s",
			    name) : rc;
		if (strcmp(record_get(p, POOL_ROLE), "primary") != 0) {
			record_free(p);
			return err_set(ERR_INVAL, "pool %s is not primary "
			    "storage", name);
		}
		if ((rc = storage_pool_path(p, host, path)) != 0) {
			record_free(p);
			return rc;
		}
		*pool = p;
		return 0;
	}
	if ((rc = store_iter(tx, KIND_POOL, primary_one, &pr)) != 0) {
		record_free(pr.best);
		free(pr.path);
		return rc;
	}
	*pool = pr.best;
	*path = pr.path;
	return 0;
}

/* The part of an image's location below its pool's path, or NULL. */
static const char *
below(const char *location, const char *dir)
{
	size_t	n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (strncmp(location, dir, n) != 0 || location[n] != '/')
		return NULL;
	return location + n + 1;
}

int
storage_image_path(struct store_txn *tx, const struct record *image,
    const struct record *host, char **path)
{
	struct record	*pool = NULL;
	const char	*loc = record_get(image, IMAGE_LOCATION), *rel;
	char		*dir = NULL;
	int64_t		 pid = record_get_i64(image, IMAGE_POOL, 0);
	int		 rc;

	*path = NULL;
	if ((*path = storage_tag_get(record_get(image, IMAGE_COPIES),
	    record_get(host, FI_NAME))) != NULL)
		return 0;
	if (loc == NULL)
		return err_set(ERR_INVAL, "image %s has no file",
		    record_get(image, FI_NAME));
	if (pid <= 0 || store_get(tx, KIND_POOL, (uint64_t)pid, &pool) != 0)
		return err_set(ERR_NOENT, "image %s is on no pool that host "
		    "%s sees", record_get(image, FI_NAME),
		    record_get(host, FI_NAME));
	rc = storage_pool_path(pool, host, &dir);
	if (rc == 0 && (rel = below(loc, record_get(pool, POOL_PATH))) != NULL)
		*path = xasprintf("%s/%s", dir, rel);
	else if (rc == 0)
		rc = err_set(ERR_INVAL, "image %s lies outside its pool %s",
		    record_get(image, FI_NAME), record_get(pool, FI_NAME));
	free(dir);
	record_free(pool);
	return rc;
}

const char *
storage_ext(const char *format)
{
	if (format == NULL)
		return "img";
	if (strcmp(format, "raw") == 0)
		return "img";
	return format;
}

int
storage_push_path(struct store_txn *tx, const struct record *image,
    const struct record *host, char **path)
{
	struct record	*pool = NULL;
	char		*dir = NULL;
	int		 rc;

	*path = NULL;
	if ((rc = storage_primary(tx, host, NULL, &pool, &dir)) != 0)
		return rc;
	if (pool == NULL)
		rc = err_set(ERR_NOENT, "host %s sees no primary pool to push "
		    "image %s to (pool add --role primary --host-path %s=DIR)",
		    record_get(host, FI_NAME), record_get(image, FI_NAME),
		    record_get(host, FI_NAME));
	else
		*path = xasprintf("%s/hvsh-images/%s.%s", dir,
		    record_get(image, FI_NAME),
		    storage_ext(record_get(image, IMAGE_FORMAT)));
	free(dir);
	record_free(pool);
	return rc;
}
