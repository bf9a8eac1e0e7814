/*
 * tui-live.c: the dashboard's background refresh. Every interval the hosts
 * not still being asked are refreshed at once (hostops_refresh) on the
 * ctx's kept sessions; each host's answer is written to the store as soon
 * as it is whole and the UI told through a pipe, so a hung host delays
 * nobody. Instances' CPU and memory are kept as a short history for the
 * detail pane. No curses here.
 *
 * A host whose driver announces changes (the watch slot: libvirt) is also
 * watched, by a thread of its own through dispatch_watch, as host watch
 * does: each event is recorded at once and the UI told. Such a host is
 * then polled only as a backstop, every 15 intervals (at least 30 s), for
 * its CPU and memory figures. That is slow enough: states, the figures
 * that change what one does, come by events; CPU is an average between
 * two samples, so a slower sample is coarser but not wrong, and a
 * stopped instance's figures drop to 0 at its event. A watch that fails
 * has its host polled at once and then at the normal interval, and is
 * tried again after 1 s, doubling to 60 s. A second after a watch begins
 * (first, or after a failure) its host is polled once more, for what
 * changed before it was subscribed; a poll that began before an event
 * was written is dropped and made again.
 *
 * A watch notices nothing between events (its callback is called only for
 * one), so each lasts one window (the backstop, at most 60 s), and the
 * dashboard does not wait for those blocked when it stops: they find it
 * stopped at their next event or window's end and leave without touching
 * the store, and the last thread out frees what they share.
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

#define BACKSTOP_TIMES	15		/* intervals between polls of a
					   watched host */
#define BACKSTOP_MIN_MS	30000
#define WINDOW_MAX_MS	60000		/* one watch at most */
#define SETTLE_MS	1000		/* from a watch's start to the poll
					   that covers what it missed */
#define RETRY_MIN_MS	1000
#define RETRY_MAX_MS	60000

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

/* A host watched for events, and its thread. */
struct watcher {
	struct tui_live		*lv;
	uint64_t		 host;		/* its id */
	struct record		*rec;		/* during a watch */
	int64_t			 since_ms;	/* this watch began; 0: none */
	int64_t			 polled_ms;	/* start of the last poll kept */
	int64_t			 ask_at;	/* a poll begun then or later is
						   wanted; 0: none */
	unsigned		 gen;		/* counts events */
	int			 retry_ms;
};

struct tui_live {
	struct ctx		*c;
	struct transport	*tp;
	struct store		*st;
	int			 interval_ms;
	int64_t			 backstop_ms;
	int			 window_ms;
	int			 fd;
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	int			 stop, kick, force;
	int			 orphan;	/* stopped; the last thread out
						   frees it */
	int			 inuse;		/* threads at the store or fd */
	uint64_t		*busy;		/* hosts being asked */
	size_t			 nbusy;
	size_t			 nbatches;	/* refresh threads alive */
	struct watcher		**w;		/* one thread each */
	size_t			 nw;
	struct hist		*h;
	size_t			 nh;
};

/* One refresh of some hosts, on a thread of its own. */
struct batch {
	struct tui_live		*lv;
	struct records		 hosts;
	struct host_refresh	*hr;
	unsigned		*gen;		/* each host's events then */
	int64_t			 began_ms;
};

static void
live_free(struct tui_live *lv)
{
	pthread_mutex_destroy(&lv->lock);
	pthread_cond_destroy(&lv->cond);
	free(lv->busy);
	free(lv->w);
	free(lv->h);
	free(lv);
}

/*
 * A thread may use the store or the UI's pipe only between live_enter and
 * live_leave; once stopped, neither may be there any more.
 */
static int
live_enter(struct tui_live *lv)
{
	int	rc = 0;

	pthread_mutex_lock(&lv->lock);
	if (lv->stop)
		rc = ERR_CANCEL;
	else
		lv->inuse++;
	pthread_mutex_unlock(&lv->lock);
	return rc;
}

static void
live_leave(struct tui_live *lv)
{
	pthread_mutex_lock(&lv->lock);
	lv->inuse--;
	pthread_cond_broadcast(&lv->cond);
	pthread_mutex_unlock(&lv->lock);
}

/* Tells the UI that the store changed. Called entered. */
static void
live_notify(struct tui_live *lv)
{
	ssize_t	w;

	do
		w = write(lv->fd, "r", 1);
	while (w == -1 && errno == EINTR);
}

/* Wakes the refresh thread for a round now; force: of every host. */
static void
live_wake(struct tui_live *lv, int force)
{
	pthread_mutex_lock(&lv->lock);
	lv->kick = 1;
	lv->force |= force;
	pthread_cond_broadcast(&lv->cond);
	pthread_mutex_unlock(&lv->lock);
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

/* The watcher of host id, or NULL. Called locked. */
static struct watcher *
watcher_get(struct tui_live *lv, uint64_t id)
{
	size_t	i;

	for (i = 0; i < lv->nw; i++) {
		if (lv->w[i]->host == id)
			return lv->w[i];
	}
	return NULL;
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
	/* A figure the host does not give is unknown, not 0. */
	if (hv != NULL && running && (hv->memory <= 0 || hv->mem_used < 0))
		mem = -1;
	else if (hv != NULL && running)
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
	struct sample_arg	 sa = { lv, hr, mono_ms(), 0 };
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

/* What one host of a batch said, to be written. */
struct apply_arg {
	struct batch	*b;
	size_t		 i;
	int		 kept;
	int		 again;		/* ask the host again now */
};

/*
 * Writes what host i of a batch said, unless an event of the host was
 * recorded since the poll began: the answer may be older than the event,
 * so it is dropped and the host asked again. Checked inside the write, so
 * that an event written later is newer. A poll was wanted (ask_at) that
 * began too early to be this one: asked again too.
 */
static int
apply_one(struct store_txn *tx, void *arg)
{
	struct apply_arg	*aa = arg;
	struct batch		*b = aa->b;
	struct watcher		*w;

	pthread_mutex_lock(&b->lv->lock);
	aa->kept = 1;
	aa->again = 0;
	if ((w = watcher_get(b->lv, b->hosts.v[aa->i]->id)) != NULL) {
		if (w->gen != b->gen[aa->i]) {
			aa->kept = 0;
			w->ask_at = mono_ms();
		} else {
			w->polled_ms = b->began_ms;
			if (w->ask_at > 0 && b->began_ms >= w->ask_at)
				w->ask_at = 0;
		}
		aa->again = w->ask_at > 0;
	}
	pthread_mutex_unlock(&b->lv->lock);
	if (!aa->kept)
		return ERR_BUSY;
	return hostops_apply(tx, &b->hr[aa->i], 1);
}

/* A host answered (or could not): record it, tell the UI. */
static void
host_done(struct host_refresh *hr, void *arg)
{
	struct batch		*b = arg;
	struct tui_live		*lv = b->lv;
	struct apply_arg	 aa = { b, (size_t)(hr - b->hr), 0, 0 };
	int			 entered = live_enter(lv) == 0;

	if (entered && hr->rc != ERR_CANCEL) {
		(void)store_write(lv->st, apply_one, &aa);
		if (aa.kept)
			sample_host(lv, hr);
	}
	pthread_mutex_lock(&lv->lock);
	busy_drop(lv, hr->host->id);
	pthread_mutex_unlock(&lv->lock);
	if (aa.again)
		live_wake(lv, 0);
	if (entered) {
		live_notify(lv);
		live_leave(lv);
	}
}

static void *
batch_main(void *arg)
{
	struct batch		*b = arg;
	struct tui_live		*lv = b->lv;
	struct refresh_want	 w = { 0 };
	size_t			 i;
	int			 last;

	w.store = lv->st;
	w.ids = RF_IDS_MATCH;
	w.done = host_done;
	w.arg = b;
	hostops_refresh(lv->tp, b->hr, b->hosts.n, &w);
	for (i = 0; i < b->hosts.n; i++)
		host_refresh_clear(&b->hr[i]);
	free(b->hr);
	free(b->gen);
	records_free(&b->hosts);
	free(b);
	pthread_mutex_lock(&lv->lock);
	lv->nbatches--;
	last = lv->orphan && lv->nbatches == 0 && lv->nw == 0;
	pthread_cond_broadcast(&lv->cond);
	pthread_mutex_unlock(&lv->lock);
	if (last)
		live_free(lv);
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

/*
 * 1 if host id is to be polled in this round: one not watched in each
 * regular round (every interval), a watched one when its backstop is due,
 * and either when a poll of it is wanted (its watch began or failed).
 * Called locked.
 */
static int
poll_due(struct tui_live *lv, uint64_t id, int64_t now, int regular)
{
	struct watcher	*w = watcher_get(lv, id);

	if (w != NULL && w->ask_at > 0 && now >= w->ask_at)
		return 1;
	if (w == NULL || w->since_ms == 0)
		return regular;
	return now - w->polled_ms >= lv->backstop_ms;
}

/* When a poll of a watched host is next wanted, after now; 0: none. */
static int64_t
ask_next(struct tui_live *lv, int64_t now)
{
	int64_t	next = 0;
	size_t	i;

	for (i = 0; i < lv->nw; i++) {
		if (lv->w[i]->ask_at > now &&
		    (next == 0 || lv->w[i]->ask_at < next))
			next = lv->w[i]->ask_at;
	}
	return next;
}

static void *watch_main(void *);

/* Starts watching host h if its driver can and nobody does. Called locked. */
static void
watch_ensure(struct tui_live *lv, const struct record *h)
{
	struct watcher	*w;
	pthread_attr_t	 attr;
	pthread_t	 t;

	if (!dispatch_can_watch(h) || watcher_get(lv, h->id) != NULL)
		return;
	w = xcalloc(1, sizeof *w);
	w->lv = lv;
	w->host = h->id;
	w->retry_ms = RETRY_MIN_MS;
	lv->w = xreallocarray(lv->w, lv->nw + 1, sizeof *lv->w);
	lv->w[lv->nw++] = w;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, watch_main, w) != 0) {
		lv->nw--;		/* polled, then, as any other */
		free(w);
	}
	pthread_attr_destroy(&attr);
}

/*
 * Starts a refresh of every host due (all with force) that is not being
 * asked already.
 */
static void
round_start(struct tui_live *lv, int regular, int force)
{
	struct records		 all = { 0 };
	struct store_txn	*tx;
	struct batch		*b;
	struct watcher		*w;
	pthread_attr_t		 attr;
	pthread_t		 t;
	int64_t			 now = mono_ms();
	size_t			 i;

	if (store_read(lv->st, &tx) != 0)
		return;
	(void)store_iter(tx, KIND_HOST, records_hold, &all);
	store_txn_end(tx);
	b = xcalloc(1, sizeof *b);
	b->lv = lv;
	b->began_ms = now;
	pthread_mutex_lock(&lv->lock);
	for (i = 0; i < all.n; i++) {
		if (is_busy(lv, all.v[i]->id) ||
		    dispatch_driver(all.v[i]) == NULL ||
		    (!force && !poll_due(lv, all.v[i]->id, now, regular))) {
			record_free(all.v[i]);
			continue;
		}
		lv->busy = xreallocarray(lv->busy, lv->nbusy + 1,
		    sizeof *lv->busy);
		lv->busy[lv->nbusy++] = all.v[i]->id;
		b->hosts.v = xreallocarray(b->hosts.v, b->hosts.n + 1,
		    sizeof *b->hosts.v);
		b->gen = xreallocarray(b->gen, b->hosts.n + 1,
		    sizeof *b->gen);
		w = watcher_get(lv, all.v[i]->id);
		b->gen[b->hosts.n] = w != NULL ? w->gen : 0;
		b->hosts.v[b->hosts.n++] = all.v[i];
		/* After the poll's gen: its first events are news to it. */
		watch_ensure(lv, all.v[i]);
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
		free(b->gen);
		free(b->hr);
		free(b);
	}
	pthread_attr_destroy(&attr);
	pthread_mutex_unlock(&lv->lock);
}

/* The CLOCK_REALTIME time ms from now, for pthread_cond_timedwait. */
static void
deadline(struct timespec *until, int64_t ms)
{
	clock_gettime(CLOCK_REALTIME, until);
	until->tv_sec += ms / 1000;
	until->tv_nsec += (long)(ms % 1000) * 1000000;
	if (until->tv_nsec >= 1000000000) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000;
	}
}

/*
 * The rounds: a regular one every interval, and one between whenever woken
 * (a watch failed) or a poll of a watched host is wanted.
 */
static void *
live_main(void *arg)
{
	struct tui_live	*lv = arg;
	struct timespec	 until;
	int64_t		 now, next = 0, ask;
	int		 stop, force = 1, regular;

	for (;;) {
		now = mono_ms();
		if ((regular = force || now >= next))
			next = now + lv->interval_ms;
		round_start(lv, regular, force);
		pthread_mutex_lock(&lv->lock);
		now = mono_ms();
		if ((ask = ask_next(lv, now)) == 0 || ask > next)
			ask = next;
		deadline(&until, ask > now ? ask - now : 1);
		while (!lv->stop && !lv->kick &&
		    pthread_cond_timedwait(&lv->cond, &lv->lock, &until) == 0)
			;
		lv->kick = 0;
		force = lv->force;
		lv->force = 0;
		stop = lv->stop;
		pthread_mutex_unlock(&lv->lock);
		if (stop)
			break;
	}
	return NULL;
}

/* --- events --- */

struct event_arg {
	struct watcher		*w;
	const struct hv_vm	*vm;
	char			*name;		/* the instance's record */
	uint64_t		 id;
};

static int
event_tx(struct store_txn *tx, void *arg)
{
	struct event_arg	*ea = arg;
	struct record		*r = NULL;
	int			 rc;

	if ((rc = hostops_apply_event(tx, ea->w->rec, ea->vm, &ea->name)) != 0)
		return rc;
	/* Counted inside the write: a poll written after it sees it. */
	pthread_mutex_lock(&ea->w->lv->lock);
	ea->w->gen++;
	pthread_mutex_unlock(&ea->w->lv->lock);
	if ((rc = store_get_by_name(tx, KIND_VM, 0, ea->name, &r)) == 0)
		ea->id = r->id;
	record_free(r);
	return rc;
}

/*
 * What an event says of an instance's history: a start seen as it
 * happened begins its uptime; a stop ends it, and its figures are 0.
 */
static void
hist_event(struct tui_live *lv, uint64_t id, enum hv_state st)
{
	struct hist	*h;
	int		 running = st == HV_RUNNING;

	pthread_mutex_lock(&lv->lock);
	h = hist_get(lv, KIND_VM, id, 1);
	if (running && !h->running)
		h->up_since = now_unix();
	if (!running) {
		h->up_since = 0;
		if (h->running)
			hist_add(h, 0, 0);
	}
	h->running = running;
	pthread_mutex_unlock(&lv->lock);
}

/*
 * One event of a watched host: recorded as host watch records it, in a
 * write of its own, and the UI told. An instance not recorded is left
 * alone. Once the dashboard stops, the watch is ended instead.
 */
static int
on_event(const struct hv_vm *vm, void *arg)
{
	struct watcher		*w = arg;
	struct tui_live		*lv = w->lv;
	struct event_arg	 ea = { w, vm, NULL, 0 };

	if (live_enter(lv) != 0)
		return ERR_CANCEL;
	if (store_write(lv->st, event_tx, &ea) == 0) {
		hist_event(lv, ea.id, vm->state);
		live_notify(lv);
	}
	live_leave(lv);
	free(ea.name);
	return 0;
}

/* Waits ms or until stopped; 1 if stopped. */
static int
live_sleep(struct tui_live *lv, int ms)
{
	struct timespec	until;
	int		stop;

	deadline(&until, ms);
	pthread_mutex_lock(&lv->lock);
	while (!lv->stop &&
	    pthread_cond_timedwait(&lv->cond, &lv->lock, &until) == 0)
		;
	stop = lv->stop;
	pthread_mutex_unlock(&lv->lock);
	return stop;
}

/* Host id as the store has it now, if it is still to be watched. */
static int
watch_host(struct tui_live *lv, uint64_t id, struct record **out)
{
	struct store_txn	*tx;
	int			 rc;

	*out = NULL;
	if ((rc = live_enter(lv)) != 0)
		return rc;
	if ((rc = store_read(lv->st, &tx)) == 0) {
		rc = store_get(tx, KIND_HOST, id, out);
		store_txn_end(tx);
	}
	live_leave(lv);
	if (rc == 0 && !dispatch_can_watch(*out)) {
		record_free(*out);
		*out = NULL;
		rc = ERR_INVAL;
	}
	return rc;
}

/*
 * A watched host's thread: one watch per window, at once again after one
 * that ran its window; after one that failed, the host is polled at the
 * normal interval and the watch tried again later, each time later up to
 * RETRY_MAX_MS (from the start again after a watch that lasted). Ends
 * when the dashboard stops or the host is gone or not watchable.
 */
static void *
watch_main(void *arg)
{
	struct watcher	*w = arg;
	struct tui_live	*lv = w->lv;
	struct record	*host;
	int64_t		 began;
	size_t		 i;
	int		 rc, wait_ms = 0, fresh = 1, last;

	for (;;) {
		if (wait_ms > 0 && live_sleep(lv, wait_ms))
			break;
		if (watch_host(lv, w->host, &host) != 0)
			break;
		began = mono_ms();
		pthread_mutex_lock(&lv->lock);
		w->since_ms = began;
		w->rec = host;
		/* What changed before it was subscribed: one poll more. */
		if (fresh)
			w->ask_at = began + SETTLE_MS;
		pthread_mutex_unlock(&lv->lock);
		if (fresh)
			live_wake(lv, 0);
		rc = dispatch_watch(host, on_event, w, 0, lv->window_ms);
		pthread_mutex_lock(&lv->lock);
		w->rec = NULL;
		if (rc < 0) {
			w->since_ms = 0;
			w->ask_at = mono_ms();
		}
		pthread_mutex_unlock(&lv->lock);
		record_free(host);
		/* A window ended: again at once. The backstop poll sees
		   what changed in between. */
		fresh = rc < 0;
		if (rc >= 0) {
			w->retry_ms = RETRY_MIN_MS;
			wait_ms = 0;
			continue;
		}
		if (rc == ERR_CANCEL)
			break;
		/* Lost: a poll at once, the normal ones after, the watch
		   later. */
		live_wake(lv, 0);
		if (mono_ms() - began >= RETRY_MAX_MS)
			w->retry_ms = RETRY_MIN_MS;
		wait_ms = w->retry_ms;
		if (w->retry_ms < RETRY_MAX_MS / 2)
			w->retry_ms *= 2;
		else
			w->retry_ms = RETRY_MAX_MS;
	}
	pthread_mutex_lock(&lv->lock);
	for (i = 0; i < lv->nw; i++) {
		if (lv->w[i] == w) {
			lv->w[i] = lv->w[--lv->nw];
			break;
		}
	}
	last = lv->orphan && lv->nbatches == 0 && lv->nw == 0;
	pthread_cond_broadcast(&lv->cond);
	pthread_mutex_unlock(&lv->lock);
	free(w);
	if (last)
		live_free(lv);
	return NULL;
}

/* --- the interface --- */

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
	lv->backstop_ms = (int64_t)lv->interval_ms * BACKSTOP_TIMES;
	if (lv->backstop_ms < BACKSTOP_MIN_MS)
		lv->backstop_ms = BACKSTOP_MIN_MS;
	lv->window_ms = lv->backstop_ms < WINDOW_MAX_MS ?
	    (int)lv->backstop_ms : WINDOW_MAX_MS;
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
	live_wake(lv, 1);
}

void
tui_live_stop(struct tui_live *lv)
{
	struct timespec	until;
	int		free_now;

	if (lv == NULL)
		return;
	pthread_mutex_lock(&lv->lock);
	lv->stop = 1;
	pthread_cond_broadcast(&lv->cond);
	pthread_mutex_unlock(&lv->lock);
	pthread_join(lv->thread, NULL);
	/* A host that hangs gives up at once, as on a Ctrl-C. */
	intr_raise();
	deadline(&until, 10000);
	pthread_mutex_lock(&lv->lock);
	while ((lv->nbatches > 0 || lv->inuse > 0) &&
	    pthread_cond_timedwait(&lv->cond, &lv->lock, &until) == 0)
		;
	intr_clear();
	/* Watches blocked between events are not waited for. */
	free_now = lv->nbatches == 0 && lv->nw == 0;
	lv->orphan = !free_now;
	pthread_mutex_unlock(&lv->lock);
	if (free_now)
		live_free(lv);
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

int
tui_live_watching(struct tui_live *lv, uint64_t host_id)
{
	struct watcher	*w;
	int		 on;

	if (lv == NULL)
		return 0;
	pthread_mutex_lock(&lv->lock);
	on = (w = watcher_get(lv, host_id)) != NULL && w->since_ms > 0;
	pthread_mutex_unlock(&lv->lock);
	return on;
}
