/*
 * fanout: times one round of a command on many hosts through hvsh's
 * transport, the figure bench/fanout.sh compares with other SSH tools.
 *
 *   fanout --hosts FILE --key K --known-hosts F --rounds N [--cold|--warm]
 *       [--parallel P] [--timeout MS] [--refresh DRIVER | --cmd WORDS...]
 *
 * FILE has one host a line, "name driver address port user" (a lab's
 * hosts file, or `lab env`'s LAB_HOST_i values); blank lines and lines
 * starting with '#' are skipped.
 *
 * --cold: every round creates a transport, runs the command on every host
 *         (connect, host key check, login, channel, exec) and frees it:
 *         what one hvsh process pays.
 * --warm: one transport; every session is opened by an untimed round
 *         first, so a timed round is a channel and an exec per host.
 * --refresh DRIVER: instead of a command, the driver's refresh (one batched
 *         exec) on the hosts of that driver, read back with its
 *         refresh_read, as `hvsh host refresh` does.
 * --cmd WORDS...: the command (default: true); the rest of the line.
 *
 * Prints "round I MS" per timed round, then a summary line. Every job must
 * succeed (and, with --refresh, be read back); else the exit status is 1.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver.h"
#include "err.h"
#include "transport.h"
#include "util.h"

#define MAX_HOSTS	1024
#define MAX_ROUNDS	10000

struct hostent {
	char		*line;	/* owns the strings below */
	struct tp_host	 h;
	const char	*driver;
};

static void
usage(void)
{
	fputs("usage: fanout --hosts FILE --key K --known-hosts F "
	    "--rounds N [--cold|--warm]\n"
	    "              [--parallel P] [--timeout MS] "
	    "[--refresh DRIVER | --cmd WORDS...]\n", stderr);
	exit(2);
}

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile of sorted v, nearest rank. */
static double
quantile(const double *v, size_t n, double q)
{
	size_t	k;

	k = (size_t)(q * (double)n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

static double
median(const double *v, size_t n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* Reads FILE; keeps hosts whose driver is want (NULL: all). */
static size_t
read_hosts(const char *path, const char *key, const char *want,
    struct hostent *hs)
{
	FILE	*f;
	char	*line = NULL, *w[5], *p, *save;
	size_t	 cap = 0, n = 0;
	int	 k, port;

	if ((f = fopen(path, "re")) == NULL) {
		fprintf(stderr, "fanout: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	while (getline(&line, &cap, f) != -1) {
		line[strcspn(line, "\r\n")] = '\0';
		p = line + strspn(line, " \t");
		if (*p == '\0' || *p == '#')
			continue;
		p = xstrdup(p);
		for (k = 0, save = NULL; k < 5; k++)
			if ((w[k] = strtok_r(k == 0 ? p : NULL, " \t",
			    &save)) == NULL)
				break;
		port = k == 5 ? atoi(w[3]) : -1;
		if (k < 5 || port < 1 || port > 65535) {
			fprintf(stderr, "fanout: %s: bad line (want \"name "
			    "driver address port user\")\n", path);
			exit(1);
		}
		if (want != NULL && strcmp(w[1], want) != 0) {
			free(p);
			continue;
		}
		if (n == MAX_HOSTS) {
			fprintf(stderr, "fanout: more than %d hosts\n",
			    MAX_HOSTS);
			exit(1);
		}
		hs[n].line = p;
		hs[n].h.name = w[0];
		hs[n].driver = w[1];
		hs[n].h.address = w[2];
		hs[n].h.port = port;
		hs[n].h.user = w[4];
		hs[n].h.key = key;
		n++;
	}
	free(line);
	fclose(f);
	return n;
}

/* The one refresh every round repeats, and reads with its nonce. */
static struct drv_refresh bench_rf;

/*
 * Checks a round's results; with d, reads each host's refresh. Returns the
 * number of failed jobs; *vms gets the instances read back.
 */
static size_t
check_round(struct tp_job *jobs, size_t njobs, size_t per_host,
    const struct driver *d, size_t *vms)
{
	struct hv_facts		f;
	struct hv_vm_list	vl;
	struct tp_result	*r;
	size_t			i, bad = 0;

	*vms = 0;
	for (i = 0; i < njobs; i++) {
		r = &jobs[i].res;
		if (r->rc != 0 || r->status != 0) {
			if (bad++ < 5)
				fprintf(stderr, "fanout: %s: %s\n",
				    jobs[i].host->name, r->rc != 0 ?
				    r->errmsg : "exit status not 0");
			continue;
		}
		/* A host's last step carries the refresh output. */
		if (d == NULL || (i + 1) % per_host != 0)
			continue;
		hv_facts_init(&f);
		memset(&vl, 0, sizeof vl);
		if (d->refresh_read(&bench_rf, r, &f, &vl) != 0) {
			if (bad++ < 5)
				fprintf(stderr, "fanout: %s: %s\n",
				    jobs[i].host->name, err_msg());
		} else
			*vms += vl.n;
		hv_vm_list_free(&vl);
		hv_facts_clear(&f);
	}
	return bad;
}

static void
clear_round(struct tp_job *jobs, size_t njobs)
{
	size_t	i;

	for (i = 0; i < njobs; i++)
		tp_result_free(&jobs[i].res);
}

int
main(int argc, char **argv)
{
	static struct hostent	 hs[MAX_HOSTS];
	struct tp_opts		 o = { 0 };
	struct transport	*tp = NULL;
	struct tp_job		*jobs;
	struct drv_plan		 plan = { 0 };
	const struct driver	*d = NULL;
	const char		*hosts = NULL, *key = NULL, *drvname = NULL;
	char			*defcmd[] = { "true", NULL };
	char			**cmd = defcmd;
	double			*ms, t0;
	size_t			 nh, njobs, per_host, i, s, bad, badall = 0;
	size_t			 vms = 0;
	long			 rounds = 0, r;
	int			 warm = 0, a;

	o.max_parallel = 64;
	o.command_timeout_ms = 30000;
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--cold") == 0)
			warm = 0;
		else if (strcmp(argv[a], "--warm") == 0)
			warm = 1;
		else if (strcmp(argv[a], "--cmd") == 0) {
			if (a + 1 >= argc)
				usage();
			cmd = &argv[a + 1];
			break;
		} else if (a + 1 >= argc)
			usage();
		else if (strcmp(argv[a], "--hosts") == 0)
			hosts = argv[++a];
		else if (strcmp(argv[a], "--key") == 0)
			key = argv[++a];
		else if (strcmp(argv[a], "--known-hosts") == 0)
			o.known_hosts = argv[++a];
		else if (strcmp(argv[a], "--rounds") == 0)
			rounds = strtol(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "--parallel") == 0)
			o.max_parallel = atoi(argv[++a]);
		else if (strcmp(argv[a], "--timeout") == 0)
			o.command_timeout_ms = atoi(argv[++a]);
		else if (strcmp(argv[a], "--refresh") == 0)
			drvname = argv[++a];
		else
			usage();
	}
	if (hosts == NULL || key == NULL || o.known_hosts == NULL ||
	    rounds < 1 || rounds > MAX_ROUNDS || o.max_parallel < 1)
		usage();
	if (drvname != NULL) {
		if (cmd != defcmd) {
			fputs("fanout: --refresh and --cmd exclude each other\n",
			    stderr);
			return 2;
		}
		if ((d = driver_find(drvname)) == NULL) {
			fprintf(stderr, "fanout: no driver '%s'\n", drvname);
			return 2;
		}
		drv_refresh_init(&bench_rf);
		if (d->refresh(&bench_rf, &plan) != 0 || plan.n == 0) {
			fprintf(stderr, "fanout: %s refresh: %s\n", drvname,
			    err_msg());
			return 1;
		}
	}
	if ((nh = read_hosts(hosts, key, drvname, hs)) == 0) {
		fprintf(stderr, "fanout: no %s%shosts in %s\n",
		    drvname ? drvname : "", drvname ? " " : "", hosts);
		return 1;
	}

	/* Jobs grouped by host, a host's steps in order. */
	per_host = d != NULL ? plan.n : 1;
	njobs = nh * per_host;
	jobs = xcalloc(njobs, sizeof *jobs);
	for (i = 0; i < nh; i++)
		for (s = 0; s < per_host; s++) {
			jobs[i * per_host + s].host = &hs[i].h;
			jobs[i * per_host + s].argv = d != NULL ?
			    plan.argv[s] : cmd;
		}
	ms = xcalloc((size_t)rounds, sizeof *ms);

	if (warm) {
		if (tp_new(&o, &tp) != 0) {
			fprintf(stderr, "fanout: %s\n", err_msg());
			return 1;
		}
		/* Opens every session; untimed. */
		tp_run_many(tp, jobs, njobs);
		bad = check_round(jobs, njobs, per_host, d, &vms);
		clear_round(jobs, njobs);
		if (bad > 0) {
			fprintf(stderr, "fanout: %zu of %zu jobs failed while "
			    "opening the sessions\n", bad, njobs);
			return 1;
		}
	}
	for (r = 0; r < rounds; r++) {
		t0 = now_ms();
		if (!warm && tp_new(&o, &tp) != 0) {
			fprintf(stderr, "fanout: %s\n", err_msg());
			return 1;
		}
		tp_run_many(tp, jobs, njobs);
		if (!warm) {
			tp_free(tp);
			tp = NULL;
		}
		ms[r] = now_ms() - t0;
		bad = check_round(jobs, njobs, per_host, d, &vms);
		clear_round(jobs, njobs);
		badall += bad;
		printf("round %ld %.3f", r + 1, ms[r]);
		if (d != NULL)
			printf(" vms %zu", vms);
		if (bad > 0)
			printf(" failed %zu", bad);
		putchar('\n');
		fflush(stdout);
	}
	tp_free(tp);

	qsort(ms, (size_t)rounds, sizeof *ms, cmp_double);
	printf("summary %s %s hosts %zu rounds %ld median %.3f p95 %.3f "
	    "min %.3f max %.3f failed %zu\n", warm ? "warm" : "cold",
	    d != NULL ? "refresh" : "cmd", nh, rounds,
	    median(ms, (size_t)rounds), quantile(ms, (size_t)rounds, 0.95),
	    ms[0], ms[rounds - 1], badall);
	for (i = 0; i < nh; i++)
		free(hs[i].line);
	free(jobs);
	free(ms);
	drv_plan_clear(&plan);
	return badall > 0 ? 1 : 0;
}
