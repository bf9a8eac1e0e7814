/*
 * seed.c: fills a store with hosts, images and vms through the store API,
 * for benchmarks and tests that need a large inventory.
 *
 *   seed DIR --hosts N --vms M [--images K] [--batch B]
 *
 * Records go in B per write transaction (default 1000), as a bulk import
 * would; the insert rate is printed to stderr.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "store.h"

struct job {
	enum kind	 kind;
	size_t		 from, n;
	uint64_t	*ids;		/* ids of the new records, by number */
	const uint64_t	*hosts, *images;
	size_t		 nhosts, nimages;
};

/* Builds its records inside the transaction so that a rerun is clean. */
static int
seed_fn(struct store_txn *t, void *arg)
{
	struct job	*j = arg;
	struct record	*r;
	size_t		 i;
	int		 rc = 0;

	for (i = j->from; i < j->from + j->n && rc == 0; i++) {
		r = record_new(j->kind);
		switch (j->kind) {
		case KIND_HOST:
			record_setf(r, FI_NAME, "h%zu", i);
			record_setf(r, HOST_ADDRESS, "10.0.%zu.%zu",
			    (i / 256) % 256, i % 256);
			record_set(r, HOST_DRIVER, "kvm");
			record_set(r, HOST_STATUS, "unchecked");
			break;
		case KIND_IMAGE:
			record_setf(r, FI_NAME, "img%zu", i);
			record_set(r, IMAGE_KIND, "template");
			record_set(r, IMAGE_FORMAT, "qcow2");
			break;
		default:
			record_setf(r, FI_NAME, "vm%zu", i);
			if (j->nhosts > 0)
				record_setf(r, VM_HOST, "%" PRIu64,
				    j->hosts[i % j->nhosts]);
			if (j->nimages > 0)
				record_setf(r, VM_IMAGE, "%" PRIu64,
				    j->images[i % j->nimages]);
			record_set(r, VM_STATE, "stopped");
			record_set(r, VM_CPUS, "1");
			record_set(r, VM_MEMORY, "268435456");
			break;
		}
		rc = store_put(t, r);
		if (rc == 0 && j->ids != NULL)
			j->ids[i] = r->id;
		record_free(r);
	}
	return rc;
}

static int
seed_kind(struct store *st, struct job *j, size_t total, size_t batch)
{
	size_t	i;
	int	rc;

	for (i = 0; i < total; i += batch) {
		j->from = i;
		j->n = total - i < batch ? total - i : batch;
		if ((rc = store_write(st, seed_fn, j)) != 0)
			return rc;
	}
	return 0;
}

static int
get_count(const char *s, size_t *out)
{
	int64_t	v;

	if (parse_i64(s, &v) != 0 || v < 0)
		return -1;
	*out = (size_t)v;
	return 0;
}

static void
usage(void)
{
	fputs("usage: seed DIR --hosts N --vms M [--images K] [--batch B]\n",
	    stderr);
	exit(1);
}

int
main(int argc, char **argv)
{
	struct store	*st = NULL;
	struct job	 j;
	struct timespec	 t0, t1;
	uint64_t	*hosts = NULL, *images = NULL;
	size_t		 nhosts = 0, nvms = 0, nimages = 0, batch = 1000, *p;
	double		 secs;
	int		 i, rc = 1;

	if (argc < 2)
		usage();
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--hosts") == 0)
			p = &nhosts;
		else if (strcmp(argv[i], "--vms") == 0)
			p = &nvms;
		else if (strcmp(argv[i], "--images") == 0)
			p = &nimages;
		else if (strcmp(argv[i], "--batch") == 0)
			p = &batch;
		else
			usage();
		if (++i >= argc || get_count(argv[i], p) != 0)
			usage();
	}
	if (batch == 0)
		usage();
	if (store_open(argv[1], 0, &st) != 0) {
		fprintf(stderr, "seed: %s\n", err_msg());
		return 1;
	}
	hosts = xcalloc(nhosts, sizeof *hosts);
	images = xcalloc(nimages, sizeof *images);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&j, 0, sizeof j);
	j.kind = KIND_HOST;
	j.ids = hosts;
	if (seed_kind(st, &j, nhosts, batch) != 0)
		goto out;
	j.kind = KIND_IMAGE;
	j.ids = images;
	if (seed_kind(st, &j, nimages, batch) != 0)
		goto out;
	j.kind = KIND_VM;
	j.ids = NULL;
	j.hosts = hosts;
	j.nhosts = nhosts;
	j.images = images;
	j.nimages = nimages;
	if (seed_kind(st, &j, nvms, batch) != 0)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	fprintf(stderr, "seed: %zu records in %.3f s (%.0f inserts/s)\n",
	    nhosts + nimages + nvms, secs,
	    secs > 0 ? (double)(nhosts + nimages + nvms) / secs : 0.0);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "seed: %s\n", err_msg());
	free(hosts);
	free(images);
	store_close(st);
	return rc;
}
