/*
 * ptykeys: runs a full-screen program on a pseudo-terminal of a fixed
 * size and times how fast it answers keys, the figures bench/tui.sh
 * compares with htop.
 *
 *   ptykeys [-c COLS] [-r ROWS] [-q QUIET_MS] [-s SETTLE_MS] [-w WAIT_MS]
 *       [-R READY] [-p PRELUDE] [-k KEYS] [-n N] [-t TAIL]
 *       [-i IDLE_S] [-W WARM_S] [-x QUITKEY] -- PROG [ARG...]
 *
 * The program is started with TERM=xterm-256color (unless TERM is set) on
 * a COLSxROWS terminal. Its first frame is the output up to READY (a text
 * that only a whole screen holds, such as its last line), and on until the
 * terminal has been quiet for QUIET_MS; then it is left until quiet for
 * SETTLE_MS. Then, one after another: the lines of PRELUDE once, the
 * lines of KEYS over and over for N keys, the lines of TAIL once. A line
 * is "KIND KEY": KIND is a label copied to the output, KEY a key name (Up,
 * Down, Left, Right, PageUp, PageDown, Home, End, Enter, Tab, BSpace, Esc,
 * Space, F1-F10, C-x) or one character. For each key: it is written, the
 * output read until the terminal has been quiet for QUIET_MS, and the time
 * from the write to the read of the last byte recorded with the bytes
 * read. The quiet wait is not counted. A key with no output in WAIT_MS is
 * recorded with a time of -1.
 *
 * With -i, no settling: after the first frame, the PRELUDE keys and WARM_S
 * more seconds, the CPU time of the program (utime + stime of
 * /proc/PID/stat) over IDLE_S seconds with no keys, the output being read
 * all along.
 *
 * Prints, one a line:
 *	first MS BYTES		exec to the first frame's last byte
 *	settle MS BYTES		exec to the end of the settling
 *	key I KIND NAME MS BYTES
 *	idle SECONDS CPU_S BYTES CPU0_S	CPU0_S: used before the window
 *	exit STATUS		after QUITKEY (default q), or "exit killed"
 */
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_KEYS	1000000
#define READY_MAX	65536	/* output searched for READY, at most */
#define SETTLE_CAP_MS	120000	/* settling never waits longer */

struct key {
	char	*kind;
	char	*name;
	char	 seq[16];
	size_t	 len;
};

struct keys {
	struct key	*v;
	size_t		 n;
};

static int	 master = -1;
static pid_t	 child = -1;
static int	 quiet_ms = 10, settle_ms = 1000, wait_ms = 2000;

static void
usage(void)
{
	fputs("usage: ptykeys [-c COLS] [-r ROWS] [-q QUIET_MS] "
	    "[-s SETTLE_MS] [-w WAIT_MS]\n"
	    "    [-R READY] [-p PRELUDE] [-k KEYS] [-n N] [-t TAIL] "
	    "[-i IDLE_S] [-W WARM_S]\n"
	    "    [-x QUITKEY] -- PROG [ARG...]\n", stderr);
	exit(2);
}

static void
fatal(const char *what)
{
	fprintf(stderr, "ptykeys: %s: %s\n", what, strerror(errno));
	if (child > 0)
		kill(child, SIGKILL);
	exit(1);
}

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
count(const char *s, int lo, int hi)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		usage();
	return (int)v;
}

/* The bytes xterm sends for a key name (application cursor keys, as
   curses asks for with keypad_xmit); -1 if unknown. */
static int
key_seq(const char *name, char *seq, size_t *len)
{
	static const struct { const char *name, *seq; } named[] = {
		{ "Up", "\033OA" }, { "Down", "\033OB" },
		{ "Right", "\033OC" }, { "Left", "\033OD" },
		{ "Home", "\033OH" }, { "End", "\033OF" },
		{ "PageUp", "\033[5~" }, { "PageDown", "\033[6~" },
		{ "Enter", "\r" }, { "Tab", "\t" }, { "BSpace", "\177" },
		{ "Esc", "\033" }, { "Space", " " },
		{ "F1", "\033OP" }, { "F2", "\033OQ" }, { "F3", "\033OR" },
		{ "F4", "\033OS" }, { "F5", "\033[15~" }, { "F6", "\033[17~" },
		{ "F7", "\033[18~" }, { "F8", "\033[19~" },
		{ "F9", "\033[20~" }, { "F10", "\033[21~" },
	};
	size_t	i;

	for (i = 0; i < sizeof named / sizeof named[0]; i++) {
		if (strcmp(name, named[i].name) == 0) {
			*len = strlen(named[i].seq);
			memcpy(seq, named[i].seq, *len);
			return 0;
		}
	}
	if (name[0] == 'C' && name[1] == '-' && name[2] != '\0' &&
	    name[3] == '\0') {
		seq[0] = (char)(name[2] & 0x1f);
		*len = 1;
		return 0;
	}
	if (name[0] != '\0' && name[1] == '\0') {
		seq[0] = name[0];
		*len = 1;
		return 0;
	}
	return -1;
}

/* Reads "KIND KEY" lines; blank lines and '#' lines are skipped. */
static void
keys_read(const char *path, struct keys *k)
{
	FILE	*f;
	char	 line[256], kind[64], name[64];

	if ((f = fopen(path, "r")) == NULL)
		fatal(path);
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "%63s %63s", kind, name) != 2 ||
		    kind[0] == '#')
			continue;
		k->v = realloc(k->v, (k->n + 1) * sizeof *k->v);
		if (k->v == NULL)
			fatal("realloc");
		if (key_seq(name, k->v[k->n].seq, &k->v[k->n].len) != 0) {
			fprintf(stderr, "ptykeys: %s: no key '%s'\n", path,
			    name);
			exit(2);
		}
		if ((k->v[k->n].kind = strdup(kind)) == NULL ||
		    (k->v[k->n].name = strdup(name)) == NULL)
			fatal("strdup");
		k->n++;
	}
	fclose(f);
}

/* The program on the slave side of a new pty, as its controlling tty. */
static void
spawn(int cols, int rows, char **argv)
{
	struct winsize	 ws;
	char		*name;
	int		 slave;

	if ((master = posix_openpt(O_RDWR | O_NOCTTY)) == -1 ||
	    grantpt(master) != 0 || unlockpt(master) != 0 ||
	    (name = ptsname(master)) == NULL)
		fatal("pty");
	memset(&ws, 0, sizeof ws);
	ws.ws_col = (unsigned short)cols;
	ws.ws_row = (unsigned short)rows;
	if ((child = fork()) == -1)
		fatal("fork");
	if (child == 0) {
		setsid();
		if ((slave = open(name, O_RDWR)) == -1)
			_exit(127);
		(void)ioctl(slave, TIOCSCTTY, 0);
		(void)ioctl(slave, TIOCSWINSZ, &ws);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		if (slave > 2)
			close(slave);
		close(master);
		setenv("TERM", "xterm-256color", 0);
		unsetenv("COLUMNS");
		unsetenv("LINES");
		execvp(argv[0], argv);
		_exit(127);
	}
	(void)fcntl(master, F_SETFD, FD_CLOEXEC);
}

/*
 * Reads what is there within ms: bytes read, 0 on a timeout, -1 when the
 * program has gone. *last is when the last bytes were read.
 */
static ssize_t
drain(int ms, double *last, char *keep, size_t *kept)
{
	struct pollfd	pfd = { master, POLLIN, 0 };
	char		buf[65536];
	ssize_t		n;
	int		r;

	r = poll(&pfd, 1, ms);
	if (r == -1 && errno == EINTR)
		return 0;
	if (r == -1)
		fatal("poll");
	if (r == 0)
		return 0;
	n = read(master, buf, sizeof buf);
	if (n == -1 && errno == EINTR)
		return 0;
	if (n <= 0)
		return -1;	/* EIO: the slave side is closed */
	*last = now_ms();
	if (keep != NULL && *kept < READY_MAX) {
		size_t	room = READY_MAX - *kept;
		size_t	take = (size_t)n < room ? (size_t)n : room;

		memcpy(keep + *kept, buf, take);
		*kept += take;
	}
	return n;
}

/* Reads until quiet for ms (or gone); the bytes read. */
static long
until_quiet(int ms, double *last, double cap_ms)
{
	double	start = now_ms();
	long	total = 0;
	ssize_t	n;

	while ((n = drain(ms, last, NULL, NULL)) > 0) {
		total += n;
		if (now_ms() - start > cap_ms)
			break;
	}
	return total;
}

/* Reads for ms whatever comes; the bytes read. */
static long
read_for(double ms)
{
	double	end = now_ms() + ms, last, left;
	long	total = 0;
	ssize_t	n;

	while ((left = end - now_ms()) > 0) {
		n = drain(left > 100 ? 100 : (int)left + 1, &last, NULL, NULL);
		if (n < 0)
			break;
		total += n;
	}
	return total;
}

static int
has_text(const char *hay, size_t n, const char *needle)
{
	size_t	len = strlen(needle), i;

	for (i = 0; len > 0 && i + len <= n; i++) {
		if (memcmp(hay + i, needle, len) == 0)
			return 1;
	}
	return 0;
}

/* The first frame: up to READY (if given), then until quiet. */
static void
first_frame(double t0, const char *ready)
{
	char	*keep;
	size_t	 kept = 0;
	double	 last = t0;
	long	 total = 0;
	ssize_t	 n;

	if ((keep = malloc(READY_MAX)) == NULL)
		fatal("malloc");
	while (ready != NULL && !has_text(keep, kept, ready)) {
		if ((n = drain(SETTLE_CAP_MS, &last, keep, &kept)) <= 0) {
			fprintf(stderr, "ptykeys: no '%s' on the screen\n",
			    ready);
			kill(child, SIGKILL);
			exit(1);
		}
		total += n;
	}
	if (ready == NULL) {
		if ((n = drain(SETTLE_CAP_MS, &last, NULL, NULL)) <= 0) {
			fprintf(stderr, "ptykeys: no output\n");
			kill(child, SIGKILL);
			exit(1);
		}
		total += n;
	}
	total += until_quiet(quiet_ms, &last, SETTLE_CAP_MS);
	printf("first %.3f %ld\n", last - t0, total);
	free(keep);
}

/* One key: the time from its write to the last byte of the answer. */
static void
press(size_t i, const struct key *k)
{
	double	t, last;
	long	total;
	ssize_t	n;

	t = now_ms();
	if (write(master, k->seq, k->len) != (ssize_t)k->len)
		fatal("write");
	n = drain(wait_ms, &last, NULL, NULL);
	if (n <= 0) {
		printf("key %zu %s %s -1 0\n", i, k->kind, k->name);
		return;
	}
	total = n + until_quiet(quiet_ms, &last, SETTLE_CAP_MS);
	printf("key %zu %s %s %.3f %ld\n", i, k->kind, k->name, last - t,
	    total);
}

/* utime + stime of the program, in seconds. */
static double
cpu_s(void)
{
	char	path[64], buf[4096], *p;
	unsigned long long	ut, st;
	FILE	*f;
	size_t	n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)child);
	if ((f = fopen(path, "r")) == NULL)
		fatal(path);
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* utime and stime are fields 14 and 15; the command (field 2) may
	   hold spaces, so count from its closing parenthesis. */
	if ((p = strrchr(buf, ')')) == NULL || sscanf(p + 2,
	    "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
	    &ut, &st) != 2) {
		fprintf(stderr, "ptykeys: cannot read %s\n", path);
		exit(1);
	}
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Quits the program with its key, or kills it. */
static void
finish(const char *quit)
{
	char	seq[16];
	size_t	len;
	double	end, last;
	int	status, r;

	if (key_seq(quit, seq, &len) == 0)
		(void)write(master, seq, len);
	end = now_ms() + 10000;
	while ((r = waitpid(child, &status, WNOHANG)) == 0 && now_ms() < end)
		(void)drain(50, &last, NULL, NULL);
	if (r == 0) {
		kill(child, SIGKILL);
		(void)waitpid(child, &status, 0);
		puts("exit killed");
		return;
	}
	printf("exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status));
}

int
main(int argc, char **argv)
{
	struct keys	 pre = { 0 }, cyc = { 0 }, tail = { 0 };
	const char	*ready = NULL, *quit = "q";
	double		 t0, last, c0, c1;
	long		 bytes;
	size_t		 i, nkeys = 0, at = 0;
	int		 ch, cols = 120, rows = 40, idle = 0, warm = 0;

	while ((ch = getopt(argc, argv, "c:r:q:s:w:R:p:k:n:t:i:W:x:")) != -1) {
		switch (ch) {
		case 'c': cols = count(optarg, 10, 1000); break;
		case 'r': rows = count(optarg, 5, 1000); break;
		case 'q': quiet_ms = count(optarg, 1, 10000); break;
		case 's': settle_ms = count(optarg, 1, 60000); break;
		case 'w': wait_ms = count(optarg, 1, 60000); break;
		case 'R': ready = optarg; break;
		case 'p': keys_read(optarg, &pre); break;
		case 'k': keys_read(optarg, &cyc); break;
		case 'n': nkeys = (size_t)count(optarg, 0, MAX_KEYS); break;
		case 't': keys_read(optarg, &tail); break;
		case 'i': idle = count(optarg, 1, 3600); break;
		case 'W': warm = count(optarg, 0, 3600); break;
		case 'x': quit = optarg; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || (nkeys > 0 && cyc.n == 0))
		usage();
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	t0 = now_ms();
	spawn(cols, rows, argv);
	first_frame(t0, ready);
	if (idle == 0) {
		last = now_ms();
		bytes = until_quiet(settle_ms, &last, SETTLE_CAP_MS);
		printf("settle %.3f %ld\n", now_ms() - t0, bytes);
	}
	for (i = 0; i < pre.n; i++)
		press(at++, &pre.v[i]);
	if (idle > 0) {
		(void)read_for(warm * 1000.0);
		c0 = cpu_s();
		bytes = read_for(idle * 1000.0);
		c1 = cpu_s();
		printf("idle %d %.3f %ld %.3f\n", idle, c1 - c0, bytes, c0);
	} else if (pre.n > 0) {
		last = now_ms();
		(void)until_quiet(settle_ms, &last, SETTLE_CAP_MS);
	}
	for (i = 0; i < nkeys; i++)
		press(at++, &cyc.v[i % cyc.n]);
	for (i = 0; i < tail.n; i++)
		press(at++, &tail.v[i]);
	finish(quit);
	return 0;
}
