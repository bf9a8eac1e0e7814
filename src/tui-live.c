/*
 * tui-live.c: the dashboard's background refresh. Every interval the hosts
 * not still being asked are refreshed at once (hostops_refresh) on the
 * ctx's kept sessions; each host's answer is written to the store as soon
 * as it is whole and the UI told through a pipe, so a hung host delays
 * nobody. Instances' CPU and memory are kept as a short history for the
 * detail pane. No curses here.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "dispatch.h"
#include "err.h"
#include "hostops.h"
#include "store.h"
#include "tui.h"
#include "view.h"

/* The history of one instance or host. */
struct hist {
	enum kind		 kind;
	uint64_t		 id;
	struct tui_sample	 s[TUI_HISTORY];
	size_t			 n, head;	/* samples, next slot */
	double			 cpu_time;	/* last seen, seconds */
	int64_t			 at_ms;		/* when */
	int64_t			 up_since;	/* seen starting; 0 unknown */
	int			 running;
};

struct tui_live {
	struct ctx		*c;
	struct transport	*tp;
	struct store		*st;
	int			 interval_ms;
	int			 fd;
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	int			 stop, kick;
	uint64_t		*busy;		/* hosts being asked */
	size_t			 nbusy;
	size_t			 nbatches;	/* refresh threads alive */
	struct hist		*h;
	size_t			 nh;
};

/* One refresh of some hosts, on a thread of its own. */
struct batch {
	struct tui_live		*lv;
	struct records		 hosts;
	struct host_refresh	*hr;
};

static int64_t
mono_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The history of kind/id; made when asked to. Called locked. */
static struct hist *
hist_get(struct tui_live *lv, enum kind k, uint64_t id, int make)
{
	size_t	i;

	for (i = 0; i < lv->nh; i++) {
		if (lv->h[i].id == id && lv->h[i].kind == k)
			return &lv->h[i];
	}
	if (!make)
		return NULL;
	lv->h = xreallocarray(lv->h, lv->nh + 1, sizeof *lv->h);
	memset(&lv->h[lv->nh], 0, sizeof *lv->h);
	lv->h[lv->nh].kind = k;
	lv->h[lv->nh].id = id;
	return &lv->h[lv->nh++];
}

static void
hist_add(struct hist *h, double cpu, double mem)
{
	h->s[h->head].cpu = cpu;
	h->s[h->head].mem = mem;
	h->head = (h->head + 1) % TUI_HISTORY;
	if (h->n < TUI_HISTORY)
		h->n++;
}

struct sample_arg {
	struct tui_live			*lv;
	const struct host_refresh	*hr;
	int64_t				 now_ms;
	double				 cpu_sum;
};

/* Samples one recorded instance of a refreshed host. Called locked. */
static int
sample_vm(const struct record *vm, void *arg)
{
	struct sample_arg	*sa = arg;
	const struct hv_vm	*hv = hostops_match(sa->hr, vm);
	struct hist		*h;
	double			 cpu = 0, mem = 0, dt;
	int			 running;

	h = hist_get(sa->lv, KIND_VM, vm->id, 1);
	running = hv != NULL && hv->state == HV_RUNNING;
	if (hv != NULL && h->at_ms > 0 && hv->cpu_time >= h->cpu_time &&
	    running) {
		dt = (double)(sa->now_ms - h->at_ms) / 1000.0;
		if (dt > 0)
			cpu = 100.0 * (hv->cpu_time - h->cpu_time) / dt;
	}
	if (hv != NULL && hv->memory > 0 && running)
		mem = 100.0 * (double)hv->mem_used / (double)hv->memory;
	/* Uptime is known only from a start this process saw. */
	if (running && !h->running && h->at_ms > 0)
		h->up_since = now_unix();
	if (!running)
		h->up_since = 0;
	h->running = running;
	h->cpu_time = hv != NULL ? hv->cpu_time : 0;
	h->at_ms = sa->now_ms;
	hist_add(h, cpu, mem);
	sa->cpu_sum += cpu;
	return 0;
}

/* Keeps the samples of one host's answer. */
static void
sample_host(struct tui_live *lv, const struct host_refresh *hr)
{
	struct sample_arg	 sa = { lv, hr, mono_now_ms(), 0 };
	struct store_txn	*tx;
	struct hist		*h;
	double			 mem = 0;
	int			 cpus = hr->facts.cpus;

	if (hr->rc != 0 || store_read(lv->st, &tx) != 0)
		return;
	pthread_mutex_lock(&lv->lock);
	(void)store_iter_ref(tx, KIND_VM, VM_HOST, hr->host->id, sample_vm,
	    &sa);
	h = hist_get(lv, KIND_HOST, hr->host->id, 1);
	if (hr->facts.memory > 0 && hr->facts.mem_free >= 0)
		mem = 100.0 * (double)(hr->facts.memory - hr->facts.mem_free) /
		    (double)hr->facts.memory;
	hist_add(h, cpus > 0 ? sa.cpu_sum / cpus : sa.cpu_sum, mem);
	pthread_mutex_unlock(&lv->lock);
	store_txn_end(tx);
}

static int
apply_one(struct store_txn *tx, void *arg)
{
	return hostops_apply(tx, arg, 1);
}

static void
busy_drop(struct tui_live *lv, uint64_t id)
{
	size_t	i;

	for (i = 0; i < lv->nbusy; i++) {
		if (lv->busy[i] == id) {
			lv->busy[i] = lv->busy[--lv->nbusy];
			return;
		}
	}
}

/* A host answered (or could not): record it, tell the UI. */
static void
host_done(struct host_refresh *hr, void *arg)
{
	struct batch	*b = arg;
	struct tui_live	*lv = b->lv;
	ssize_t		 w;

	if (hr->rc != ERR_CANCEL) {
		(void)store_write(lv->st, apply_one, hr);
		sample_host(lv, hr);
	}
	pthread_mutex_lock(&lv->lock);
	busy_drop(lv, hr->host->id);
	pthread_mutex_unlock(&lv->lock);
	do
		w = write(lv->fd, "r", 1);
	while (w == -1 && errno == EINTR);
}

static void *
batch_main(void *arg)
{
	struct batch		*b = arg;
	struct tui_live		*lv = b->lv;
	struct refresh_want	 w = { 0 };
	size_t			 i;

	w.store = lv->st;
	w.ids = RF_IDS_MATCH;
	w.done = host_done;
	w.arg = b;
	hostops_refresh(lv->tp, b->hr, b->hosts.n, &w);
	for (i = 0; i < b->hosts.n; i++)
		host_refresh_clear(&b->hr[i]);
	free(b->hr);
	records_free(&b->hosts);
	free(b);
	pthread_mutex_lock(&lv->lock);
	lv->nbatches--;
	pthread_cond_broadcast(&lv->cond);
	pthread_mutex_unlock(&lv->lock);
	return NULL;
}

static int
is_busy(struct tui_live *lv, uint64_t id)
{
	size_t	i;

	for (i = 0; i < lv->nbusy; i++) {
		if (lv->busy[i] == id)
			return 1;
	}
	return 0;
}

/* Starts a refresh of every host that is not being asked already. */
static void
round_start(struct tui_live *lv)
{
	struct records		 all = { 0 };
	struct store_txn	*tx;
	struct batch		*b;
	pthread_attr_t		 attr;
	pthread_t		 t;
	size_t			 i;

	if (store_read(lv->st, &tx) != 0)
		return;
	(void)store_iter(tx, KIND_HOST, records_hold, &all);
	store_txn_end(tx);
	b = xcalloc(1, sizeof *b);
	b->lv = lv;
	pthread_mutex_lock(&lv->lock);
	for (i = 0; i < all.n; i++) {
		if (is_busy(lv, all.v[i]->id) ||
		    dispatch_driver(all.v[i]) == NULL) {
			record_free(all.v[i]);
			continue;
		}
		lv->busy = xreallocarray(lv->busy, lv->nbusy + 1,
		    sizeof *lv->busy);
		lv->busy[lv->nbusy++] = all.v[i]->id;
		b->hosts.v = xreallocarray(b->hosts.v, b->hosts.n + 1,
		    sizeof *b->hosts.v);
		b->hosts.v[b->hosts.n++] = all.v[i];
	}
	free(all.v);
	if (b->hosts.n == 0) {
		pthread_mutex_unlock(&lv->lock);
		free(b->hosts.v);
		free(b);
		return;
	}
	b->hr = xcalloc(b->hosts.n, sizeof *b->hr);
	for (i = 0; i < b->hosts.n; i++)
		b->hr[i].host = b->hosts.v[i];
	lv->nbatches++;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, batch_main, b) != 0) {
		lv->nbatches--;
		for (i = 0; i < b->hosts.n; i++)
			busy_drop(lv, b->hosts.v[i]->id);
		records_free(&b->hosts);
		free(b->hr);
		free(b);
	}
	pthread_attr_destroy(&attr);
	pthread_mutex_unlock(&lv->lock);
}

static void *
live_main(void *arg)
{
	struct tui_live	*lv = arg;
	struct timespec	 until;
	int		 stop;

	for (;;) {
		round_start(lv);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += lv->interval_ms / 1000;
		until.tv_nsec += (long)(lv->interval_ms % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_mutex_lock(&lv->lock);
		while (!lv->stop && !lv->kick &&
		    pthread_cond_timedwait(&lv->cond, &lv->lock, &until) == 0)
			;
		lv->kick = 0;
		stop = lv->stop;
		pthread_mutex_unlock(&lv->lock);
		if (stop)
			break;
	}
	return NULL;
}

int
tui_live_start(struct ctx *c, int interval_ms, int notify_fd,
    struct tui_live **out)
{
	struct tui_live	*lv;
	sigset_t	 block, old;
	int		 rc;

	*out = NULL;
	lv = xcalloc(1, sizeof *lv);
	lv->c = c;
	lv->interval_ms = interval_ms > 100 ? interval_ms : 100;
	lv->fd = notify_fd;
	if ((rc = ctx_store(c, &lv->st)) != 0 ||
	    (rc = ctx_transport(c, &lv->tp)) != 0) {
		free(lv);
		return rc;
	}
	pthread_mutex_init(&lv->lock, NULL);
	pthread_cond_init(&lv->cond, NULL);
	/* Signals are the UI thread's (resize, Ctrl-C): every thread made
	   from here on inherits this mask. */
	sigemptyset(&block);
	sigaddset(&block, SIGWINCH);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTSTP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	rc = pthread_create(&lv->thread, NULL, live_main, lv);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_mutex_destroy(&lv->lock);
		pthread_cond_destroy(&lv->cond);
		free(lv);
		return err_set(ERR_FAIL, "cannot start the refresh: %s",
		    strerror(rc));
	}
	*out = lv;
	return 0;
}

void
tui_live_kick(struct tui_live *lv)
{
	pthread_mutex_lock(&lv->lock);
	lv->kick = 1;
	pthread_cond_broadcast(&lv->cond);
	pthread_mutex_unlock(&lv->lock);
}

void
tui_live_stop(struct tui_live *lv)
{
	struct timespec	until;

	if (lv == NULL)
		return;
	pthread_mutex_lock(&lv->lock);
	lv->stop = 1;
	pthread_cond_broadcast(&lv->cond);
	pthread_mutex_unlock(&lv->lock);
	pthread_join(lv->thread, NULL);
	/* A host that hangs gives up at once, as on a Ctrl-C. */
	intr_raise();
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&lv->lock);
	while (lv->nbatches > 0 &&
	    pthread_cond_timedwait(&lv->cond, &lv->lock, &until) == 0)
		;
	pthread_mutex_unlock(&lv->lock);
	intr_clear();
	if (lv->nbatches > 0)
		return;		/* still in use: leaked rather than freed */
	pthread_mutex_destroy(&lv->lock);
	pthread_cond_destroy(&lv->cond);
	free(lv->busy);
	free(lv->h);
	free(lv);
}

size_t
tui_live_history(struct tui_live *lv, enum kind k, uint64_t id,
    struct tui_sample *out)
{
	struct hist	*h;
	size_t		 i, n = 0;

	if (lv == NULL)
		return 0;
	pthread_mutex_lock(&lv->lock);
	if ((h = hist_get(lv, k, id, 0)) != NULL) {
		n = h->n;
		for (i = 0; i < n; i++)
			out[i] = h->s[(h->head + TUI_HISTORY - n + i) %
			    TUI_HISTORY];
	}
	pthread_mutex_unlock(&lv->lock);
	return n;
}

int64_t
tui_live_uptime(struct tui_live *lv, uint64_t vm_id)
{
	struct hist	*h;
	int64_t		 up = -1;

	if (lv == NULL)
		return -1;
	pthread_mutex_lock(&lv->lock);
	if ((h = hist_get(lv, KIND_VM, vm_id, 0)) != NULL && h->up_since > 0)
		up = now_unix() - h->up_since;
	pthread_mutex_unlock(&lv->lock);
	return up;
}

size_t
tui_live_busy(struct tui_live *lv)
{
	size_t	n;

	if (lv == NULL)
		return 0;
	pthread_mutex_lock(&lv->lock);
	n = lv->nbusy;
	pthread_mutex_unlock(&lv->lock);
	return n;
}

int
tui_live_interval(struct tui_live *lv)
{
	return lv != NULL ? lv->interval_ms : 2000;
}
