/*
 * util.c: allocation that never returns NULL, the growable buffer, and the
 * parsing and formatting of sizes and times shared by every layer.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "util.h"

static void
fatal_oom(void)
{
	fputs("hvsh: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t size)
{
	void	*p = malloc(size == 0 ? 1 : size);

	if (p == NULL)
		fatal_oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);

	if (p == NULL)
		fatal_oom();
	return p;
}

void *
xrealloc(void *p, size_t size)
{
	p = realloc(p, size == 0 ? 1 : size);
	if (p == NULL)
		fatal_oom();
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		fatal_oom();
	return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;
	size_t	 len = strnlen(s, n);

	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char	*p;
	va_list	 ap2;
	int	 n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		fatal_oom();
	p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

static void
buf_grow(struct buf *b, size_t more)
{
	size_t	need = b->len + more + 1;

	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < need)
		b->cap *= 2;
	b->data = xrealloc(b->data, b->cap);
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_addstr(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *
buf_take(struct buf *b)
{
	char	*p = b->data;

	if (p == NULL)
		p = xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

int64_t
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
now_unix(void)
{
	const char	*fake = getenv("HVSH_FAKE_TIME");
	int64_t		 t;

	if (fake != NULL && parse_i64(fake, &t) == 0)
		return t;
	return (int64_t)time(NULL);
}

int
parse_i64(const char *s, int64_t *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = (int64_t)v;
	return 0;
}

int
parse_size(const char *s, int64_t *out)
{
	char			*end;
	unsigned long long	 v;
	int			 shift = 0;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case '\0':
		break;
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	case 'T':
		shift = 40;
		break;
	case 'B':
		if (end[1] == '\0') {
			end++;
			break;
		}
		return -1;
	default:
		return -1;
	}
	if (shift != 0) {
		end++;
		if (*end == 'i')
			end++;
		if (*end == 'B' || *end == 'b')
			end++;
	}
	if (*end != '\0')
		return -1;
	if (v > ((unsigned long long)INT64_MAX >> shift))
		return -1;
	*out = (int64_t)(v << shift);
	return 0;
}

char *
fmt_size(int64_t v, char *buf, size_t len)
{
	static const char *const	units[] = { "KiB", "MiB", "GiB", "TiB",
		"PiB" };
	double				d = (double)v;
	size_t				u = 0;

	if (v < 1024) {
		snprintf(buf, len, "%" PRId64 " B", v);
		return buf;
	}
	d /= 1024;
	while (d >= 1024 && u + 1 < nitems(units)) {
		d /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", d, units[u]);
	return buf;
}

int
parse_time(const char *s, int64_t *out)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	struct tm	 tm;
	int		 y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	char		 sep;
	const char	*p;

	if (parse_i64(s, out) == 0)
		return 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	p = s + n;
	if (*p != '\0') {
		sep = *p++;
		if (sep != 'T' && sep != ' ')
			return -1;
		n = 0;
		if (sscanf(p, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5)
			return -1;
		p += n;
		if (*p == ':') {
			n = 0;
			if (sscanf(p + 1, "%2d%n", &sec, &n) != 1 || n != 2)
				return -1;
			p += 3;
		}
		if (*p == 'Z')
			p++;
		if (*p != '\0')
			return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60 || h < 0 || mi < 0 || sec < 0)
		return -1;
	/* timegm() would quietly turn February 30 into March 2. */
	if (d > mdays[mo - 1] + (mo == 2 && ((y % 4 == 0 && y % 100 != 0) ||
	    y % 400 == 0)))
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = (int64_t)timegm(&tm);
	return 0;
}

char *
fmt_time(int64_t t, int iso, char *buf, size_t len)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL) {
		snprintf(buf, len, "%" PRId64, t);
		return buf;
	}
	strftime(buf, len, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M", &tm);
	return buf;
}

void
freezero_str(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static volatile sig_atomic_t intr_flag;

void
intr_raise(void)
{
	intr_flag = 1;
}

int
intr_pending(void)
{
	return intr_flag != 0;
}

void
intr_clear(void)
{
	intr_flag = 0;
}

void
random_bytes(void *p, size_t n)
{
	unsigned char	*b = p;
	ssize_t		 r;

	while (n > 0) {
		r = getrandom(b, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "hvsh: no random bytes from the "
			    "kernel\n");
			abort();
		}
		b += r;
		n -= (size_t)r;
	}
}
