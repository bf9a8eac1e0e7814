/*
 * probe.c: tells what an image file is before it enters the repository: its
 * size, its format from magic bytes and the sha256 of its whole content. One
 * sequential pass serves the hash, the head and the tail, so a multi-gigabyte
 * ISO is read once and the three always describe the same bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "err.h"
#include "probe.h"
#include "util.h"

#define PROBE_BUFSZ	(1024 * 1024)

/* Where a tar header keeps "ustar" (POSIX and GNU), and the header size. */
#define TAR_MAGIC_OFF	257
#define TAR_BLOCK	512

/* True if the len bytes of magic are at off in buf of buflen bytes. */
static int
has_at(const unsigned char *buf, size_t buflen, size_t off, const void *magic,
    size_t len)
{
	if (buf == NULL || buflen < off || buflen - off < len)
		return 0;
	return memcmp(buf + off, magic, len) == 0;
}

/*
 * Checks the head, then the VHD footer, in a fixed order: the text and tar
 * formats are weaker signatures than qcow2's, and ISO 9660 leaves its first
 * 32 KiB free, so a hybrid or embedded image could carry another format's
 * magic at offset 0, which should win.
 */
const char *
probe_magic(const unsigned char *head, size_t headlen,
    const unsigned char *tail, size_t taillen)
{
	static const size_t	iso_offs[] = { 0x8001, 0x8801, 0x9001 };
	size_t			i;

	if (has_at(head, headlen, 0, "QFI\xfb", 4))
		return "qcow2";
	if (has_at(head, headlen, 0, "KDMV", 4) ||
	    has_at(head, headlen, 0, "# Disk DescriptorFile", 21))
		return "vmdk";
	/*
	 * A fixed VHD has its footer only in the last 512 bytes; a dynamic
	 * one also keeps a copy at the start. A shorter tail is not a footer.
	 */
	if ((taillen >= PROBE_TAIL_LEN && has_at(tail, taillen,
	    taillen - PROBE_TAIL_LEN, "conectix", 8)) ||
	    has_at(head, headlen, 0, "conectix", 8))
		return "vhd";
	/* The NUL is compared too: the name must be exactly "ova.xml". */
	if (headlen >= TAR_BLOCK &&
	    has_at(head, headlen, TAR_MAGIC_OFF, "ustar", 5) &&
	    has_at(head, headlen, 0, "ova.xml", 8))
		return "xva";
	for (i = 0; i < nitems(iso_offs); i++) {
		if (has_at(head, headlen, iso_offs[i], "CD001", 5))
			return "iso";
	}
	return "raw";
}

/* read() that retries on EINTR; returns what read() returns otherwise. */
static ssize_t
read_retry(int fd, void *p, size_t len)
{
	ssize_t	n;

	do {
		n = read(fd, p, len);
	} while (n == -1 && errno == EINTR);
	return n;
}

/* Keeps the last PROBE_TAIL_LEN bytes seen, whatever sizes reads return. */
static void
tail_push(unsigned char *tail, size_t *taillen, const unsigned char *p,
    size_t n)
{
	size_t	keep;

	if (n >= PROBE_TAIL_LEN) {
		memcpy(tail, p + n - PROBE_TAIL_LEN, PROBE_TAIL_LEN);
		*taillen = PROBE_TAIL_LEN;
		return;
	}
	keep = PROBE_TAIL_LEN - n;
	if (keep > *taillen)
		keep = *taillen;
	memmove(tail, tail + *taillen - keep, keep);
	memcpy(tail + keep, p, n);
	*taillen = keep + n;
}

/*
 * Opens path following symlinks, insists on a regular file, then reads it
 * once from start to end, hashing everything and keeping the head and tail
 * for probe_magic().
 */
int
probe_file(const char *path, struct probe_result *res)
{
	struct probe_result	 r;
	struct stat		 st;
	EVP_MD_CTX		*ctx = NULL;
	unsigned char		*buf = NULL, *head = NULL;
	unsigned char		 tail[PROBE_TAIL_LEN], md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0, i;
	size_t			 headlen = 0, taillen = 0, n;
	int64_t			 total = 0;
	ssize_t			 got;
	int			 fd = -1, flags, ret = ERR_IO;

	memset(&r, 0, sizeof r);
	/*
	 * O_NONBLOCK so that a FIFO or a device is refused below instead of
	 * blocking open(); it is cleared again before reading.
	 */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		err_set(ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		err_set(ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = err_set(ERR_INVAL, "%s is not a regular file", path);
		goto out;
	}
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1) {
		err_set(ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	/* Only advice: a failure costs speed, not correctness. */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		err_set(ERR_IO, "%s: cannot start sha256", path);
		goto out;
	}
	buf = xmalloc(PROBE_BUFSZ);
	head = xmalloc(PROBE_HEAD_LEN);
	for (;;) {
		if ((got = read_retry(fd, buf, PROBE_BUFSZ)) == -1) {
			err_set(ERR_IO, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		n = (size_t)got;
		if (EVP_DigestUpdate(ctx, buf, n) != 1) {
			err_set(ERR_IO, "%s: sha256 failed", path);
			goto out;
		}
		if (headlen < PROBE_HEAD_LEN) {
			size_t	take = PROBE_HEAD_LEN - headlen;

			if (take > n)
				take = n;
			memcpy(head + headlen, buf, take);
			headlen += take;
		}
		tail_push(tail, &taillen, buf, n);
		total += (int64_t)n;
	}
	/*
	 * The size comes from fstat but the hash from what was read; if they
	 * disagree the file changed under us and the record would lie.
	 */
	if (total != (int64_t)st.st_size) {
		err_set(ERR_IO, "%s changed while it was being read", path);
		goto out;
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32) {
		err_set(ERR_IO, "%s: sha256 failed", path);
		goto out;
	}
	for (i = 0; i < mdlen; i++)
		snprintf(r.sha256 + 2 * i, 3, "%02x", md[i]);
	r.size = (int64_t)st.st_size;
	snprintf(r.format, sizeof r.format, "%s",
	    probe_magic(head, headlen, tail, taillen));
	*res = r;
	ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	free(head);
	if (fd != -1)
		close(fd);
	return ret;
}
