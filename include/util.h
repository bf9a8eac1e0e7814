/*
 * util.h: memory helpers that abort on exhaustion, a growable byte buffer,
 * and small string and time helpers shared by every layer.
 */
#ifndef HVSH_UTIL_H
#define HVSH_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *, va_list);

/* A growable buffer; data is always NUL-terminated after any add. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addstr(struct buf *, const char *);
void	 buf_addc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_reset(struct buf *);
void	 buf_free(struct buf *);
/* Hands the data to the caller (who frees it) and empties the buffer. */
char	*buf_take(struct buf *);

/* Seconds since the epoch. HVSH_FAKE_TIME, if set, fixes it (tests). */
int64_t	 now_unix(void);

/* Milliseconds of the monotonic clock, for intervals. */
int64_t	 mono_ms(void);

/* Parses a decimal integer, whole string; 0 on success, -1 otherwise. */
int	 parse_i64(const char *, int64_t *);
/*
 * Parses a size: a number with an optional suffix K, M, G, T (powers of
 * 1024, optional "i" and "B": 2G, 2GiB, 512M, 1048576). 0 or -1.
 */
int	 parse_size(const char *, int64_t *);
/* Formats bytes for people: "512 B", "2.0 GiB". Returns buf. */
char	*fmt_size(int64_t, char *, size_t);
/*
 * Parses a time: unix seconds, "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS][Z]" or
 * "YYYY-MM-DD HH:MM[:SS]" in UTC. 0 or -1.
 */
int	 parse_time(const char *, int64_t *);
/* Formats a unix time as UTC "YYYY-MM-DDTHH:MM:SSZ" (iso != 0) or "YYYY-MM-DD HH:MM". */
char	*fmt_time(int64_t, int iso, char *, size_t);

/*
 * Interruption (Ctrl-C). A front-end's SIGINT handler calls
 * intr_raise(); code that waits (the transport's poll loops, the wait for
 * a clean stop, an image copy) checks intr_pending() and gives up with
 * ERR_CANCEL, leaving every record true. The front-end clears it before
 * each command. Async-signal-safe.
 */
void	 intr_raise(void);
int	 intr_pending(void);
void	 intr_clear(void);

/* Frees a string after overwriting it (secrets). NULL is a no-op. */
void	 freezero_str(char *);

/* n random bytes from the kernel (getrandom); aborts if it has none. */
void	 random_bytes(void *, size_t);

#endif
