/*
 * probe.c: tells what an image file is before it enters the repository: its
 * size, its format from magic bytes, the size of the disk it holds and the
 * sha256 of its whole content. One sequential pass serves the hash, the head
 * and the tail, so a multi-gigabyte ISO is read once and all of them always
 * describe the same bytes. Headers are untrusted input: every field is read
 * within the bytes kept, and a size a header claims is checked, never used
 * to allocate anything.
 */
#include <errno.h>
#include <inttypes.h>
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
/* How much of a text file is searched for the keys of a .vmx. */
#define VMX_SCAN	8192
/* A VHD footer: cookie, size, type and checksum offsets. */
#define VHD_FOOTER	512
#define VHD_SIZE_OFF	48
#define VHD_TYPE_OFF	60
#define VHD_SUM_OFF	64

/* True if the len bytes of magic are at off in buf of buflen bytes. */
static int
has_at(const unsigned char *buf, size_t buflen, size_t off, const void *magic,
    size_t len)
{
	if (buf == NULL || buflen < off || buflen - off < len)
		return 0;
	return memcmp(buf + off, magic, len) == 0;
}

/* True if line (not NUL-terminated, len bytes) is "KEY = ...", spaces free. */
static int
is_key_line(const unsigned char *line, size_t len, const char *key)
{
	size_t	klen = strlen(key), i = 0;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (len - i < klen || memcmp(line + i, key, klen) != 0)
		return 0;
	for (i += klen; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	return i < len && line[i] == '=';
}

/*
 * A VMware .vmx is text whose lines are "key = value"; it is told by the
 * keys every one of them starts with. A NUL in the first bytes means binary.
 */
static int
is_vmx(const unsigned char *head, size_t headlen)
{
	size_t	len = headlen < VMX_SCAN ? headlen : VMX_SCAN, i, start = 0;

	if (head == NULL || memchr(head, '\0', len) != NULL)
		return 0;
	for (i = 0; i <= len; i++) {
		if (i < len && head[i] != '\n')
			continue;
		if (is_key_line(head + start, i - start, ".encoding") ||
		    is_key_line(head + start, i - start, "config.version"))
			return 1;
		start = i + 1;
	}
	return 0;
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
	if (is_vmx(head, headlen))
		return "vmx";
	return "raw";
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
be64(const unsigned char *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

static uint64_t
le64(const unsigned char *p)
{
	return (uint64_t)le32(p + 4) << 32 | le32(p);
}

/* Refuses a claimed size in bytes above PROBE_VSIZE_MAX (or "negative"). */
static int
vsize_ok(const char *what, uint64_t v, int64_t *vsize)
{
	if (v > (uint64_t)PROBE_VSIZE_MAX)
		return err_set(ERR_INVAL, "%s claims a virtual size of %" PRIu64
		    " bytes (more than %" PRId64 ")", what, v,
		    PROBE_VSIZE_MAX);
	*vsize = (int64_t)v;
	return 0;
}

/* QCOW2: version 2 or 3, size in bytes at 24, big-endian. */
static int
vsize_qcow2(const unsigned char *h, size_t len, int64_t *vsize)
{
	uint32_t	version;

	/* A version 2 header is 72 bytes; version 3 keeps its start. */
	if (len < 72)
		return err_set(ERR_INVAL, "qcow2 header cut short (%zu of 72 "
		    "bytes)", len);
	version = be32(h + 4);
	if (version != 2 && version != 3)
		return err_set(ERR_INVAL, "qcow2 header of unknown version %"
		    PRIu32, version);
	return vsize_ok("qcow2 header", be64(h + 24), vsize);
}

/* Parses the decimal at *p (up to end); 0, or -1 if none or too large. */
static int
parse_sectors(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	const unsigned char	*s = *p;

	*v = 0;
	if (s == end || *s < '0' || *s > '9')
		return -1;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (*v > (uint64_t)PROBE_VSIZE_MAX / 512)
			return -1;
		*v = *v * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	return 0;
}

/*
 * A vmdk text descriptor: the disk is the sum of its extents, lines
 * "RW|RDONLY|NOACCESS SECTORS TYPE ...". Only the bytes kept are read; a
 * descriptor is a few hundred bytes.
 */
static int
vsize_vmdk_desc(const unsigned char *h, size_t len, int64_t *vsize)
{
	static const char *const access[] = { "RW ", "RDONLY ", "NOACCESS " };
	const unsigned char	*line = h, *end = h + len, *nl, *p;
	uint64_t		 sum = 0, n;
	size_t			 i, extents = 0, alen;

	if ((p = memchr(h, '\0', len)) != NULL)
		end = p;
	for (; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		for (p = line; p < nl && (*p == ' ' || *p == '\t'); p++)
			;
		for (i = 0; i < nitems(access); i++) {
			alen = strlen(access[i]);
			if ((size_t)(nl - p) > alen &&
			    memcmp(p, access[i], alen) == 0)
				break;
		}
		if (i == nitems(access))
			continue;
		for (p += alen; p < nl && *p == ' '; p++)
			;
		if (parse_sectors(&p, nl, &n) != 0 || p == nl || *p != ' ')
			return err_set(ERR_INVAL, "vmdk descriptor has a bad "
			    "extent line");
		sum += n;
		if (sum > (uint64_t)PROBE_VSIZE_MAX / 512)
			return vsize_ok("vmdk descriptor", sum * 512, vsize);
		extents++;
	}
	if (extents == 0)
		return err_set(ERR_INVAL, "vmdk descriptor lists no extent");
	return vsize_ok("vmdk descriptor", sum * 512, vsize);
}

/* A vmdk sparse extent header: capacity in sectors at 12, little-endian. */
static int
vsize_vmdk(const unsigned char *h, size_t len, int64_t *vsize)
{
	uint64_t	sectors;
	uint32_t	version;

	if (has_at(h, len, 0, "# Disk DescriptorFile", 21))
		return vsize_vmdk_desc(h, len, vsize);
	if (len < 20)
		return err_set(ERR_INVAL, "vmdk header cut short (%zu of 20 "
		    "bytes)", len);
	version = le32(h + 4);
	if (version < 1 || version > 3)
		return err_set(ERR_INVAL, "vmdk header of unknown version %"
		    PRIu32, version);
	sectors = le64(h + 12);
	if (sectors > (uint64_t)PROBE_VSIZE_MAX / 512)
		return err_set(ERR_INVAL, "vmdk header claims %" PRIu64
		    " sectors (more than %" PRId64 " bytes)", sectors,
		    PROBE_VSIZE_MAX);
	return vsize_ok("vmdk header", sectors * 512, vsize);
}

/*
 * A VHD footer: the one in the last 512 bytes (fixed and dynamic disks), else
 * the copy a dynamic disk keeps at the start. Its checksum must hold; the
 * current size is at 48, big-endian.
 */
static int
vsize_vhd(const unsigned char *h, size_t hlen, const unsigned char *t,
    size_t tlen, int64_t *vsize)
{
	const unsigned char	*f = NULL;
	uint32_t		 sum = 0, type;
	size_t			 i;

	if (tlen >= VHD_FOOTER && has_at(t, tlen, tlen - VHD_FOOTER,
	    "conectix", 8))
		f = t + tlen - VHD_FOOTER;
	else if (hlen >= VHD_FOOTER && has_at(h, hlen, 0, "conectix", 8))
		f = h;
	if (f == NULL)
		return err_set(ERR_INVAL, "vhd footer cut short");
	for (i = 0; i < VHD_FOOTER; i++) {
		if (i < VHD_SUM_OFF || i >= VHD_SUM_OFF + 4)
			sum += f[i];
	}
	if (~sum != be32(f + VHD_SUM_OFF))
		return err_set(ERR_INVAL, "vhd footer checksum does not match");
	type = be32(f + VHD_TYPE_OFF);
	if (type != 2 && type != 3 && type != 4)
		return err_set(ERR_INVAL, "vhd footer of unknown disk type %"
		    PRIu32, type);
	return vsize_ok("vhd footer", be64(f + VHD_SIZE_OFF), vsize);
}

int
probe_vsize(const char *format, const unsigned char *head, size_t headlen,
    const unsigned char *tail, size_t taillen, int64_t size, int64_t *vsize)
{
	*vsize = -1;
	if (head == NULL)
		headlen = 0;
	if (tail == NULL)
		taillen = 0;
	if (strcmp(format, "qcow2") == 0)
		return vsize_qcow2(head, headlen, vsize);
	if (strcmp(format, "vmdk") == 0)
		return vsize_vmdk(head, headlen, vsize);
	if (strcmp(format, "vhd") == 0)
		return vsize_vhd(head, headlen, tail, taillen, vsize);
	if (strcmp(format, "raw") == 0 || strcmp(format, "iso") == 0) {
		if (size < 0)
			return err_set(ERR_INVAL, "negative file size");
		*vsize = size;
	}
	return 0;
}

/* read() that retries on EINTR; returns what read() returns otherwise. */
static ssize_t
read_retry(int fd, void *p, size_t len)
{
	ssize_t	n;

	do {
		n = read(fd, p, len);
	} while (n == -1 && errno == EINTR && !intr_pending());
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

int
probe_begin(struct probe *p)
{
	memset(p, 0, sizeof *p);
	if ((p->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(p->md, EVP_sha256(), NULL) != 1)
		return err_set(ERR_IO, "cannot start sha256");
	p->head = xmalloc(PROBE_HEAD_LEN);
	return 0;
}

int
probe_update(struct probe *p, const void *data, size_t n)
{
	size_t	take;

	if (EVP_DigestUpdate(p->md, data, n) != 1)
		return err_set(ERR_IO, "sha256 failed");
	if (p->headlen < PROBE_HEAD_LEN) {
		take = PROBE_HEAD_LEN - p->headlen;
		if (take > n)
			take = n;
		memcpy(p->head + p->headlen, data, take);
		p->headlen += take;
	}
	tail_push(p->tail, &p->taillen, data, n);
	p->total += (int64_t)n;
	return 0;
}

/* The header's verdict goes into res->bad; only the hash can fail here. */
int
probe_end(struct probe *p, struct probe_result *res)
{
	struct probe_result	r;
	unsigned char		md[EVP_MAX_MD_SIZE];
	unsigned int		mdlen = 0, i;

	memset(&r, 0, sizeof r);
	if (EVP_DigestFinal_ex(p->md, md, &mdlen) != 1 || mdlen != 32)
		return err_set(ERR_IO, "sha256 failed");
	for (i = 0; i < mdlen; i++)
		snprintf(r.sha256 + 2 * i, 3, "%02x", md[i]);
	r.size = p->total;
	snprintf(r.format, sizeof r.format, "%s",
	    probe_magic(p->head, p->headlen, p->tail, p->taillen));
	if (probe_vsize(r.format, p->head, p->headlen, p->tail, p->taillen,
	    r.size, &r.vsize) != 0)
		snprintf(r.bad, sizeof r.bad, "%s", err_msg());
	*res = r;
	return 0;
}

void
probe_free(struct probe *p)
{
	EVP_MD_CTX_free(p->md);
	free(p->head);
	p->md = NULL;
	p->head = NULL;
}

/*
 * Opens path following symlinks, insists on a regular file, then reads it
 * once from start to end through a prober. Ctrl-C stops it (ERR_CANCEL).
 */
int
probe_file(const char *path, struct probe_result *res)
{
	struct probe_result	 r;
	struct probe		 pb;
	struct stat		 st;
	unsigned char		*buf = NULL;
	ssize_t			 got;
	int			 fd = -1, flags, ret = ERR_IO;

	memset(&pb, 0, sizeof pb);
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

	if (probe_begin(&pb) != 0) {
		err_set(ERR_IO, "%s: cannot start sha256", path);
		goto out;
	}
	buf = xmalloc(PROBE_BUFSZ);
	for (;;) {
		if (intr_pending()) {
			ret = err_set(ERR_CANCEL, "%s: interrupted", path);
			goto out;
		}
		if ((got = read_retry(fd, buf, PROBE_BUFSZ)) == -1) {
			if (errno == EINTR)
				continue;
			err_set(ERR_IO, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		if (probe_update(&pb, buf, (size_t)got) != 0) {
			err_set(ERR_IO, "%s: sha256 failed", path);
			goto out;
		}
	}
	/*
	 * The size comes from fstat but the hash from what was read; if they
	 * disagree the file changed under us and the record would lie.
	 */
	if (pb.total != (int64_t)st.st_size) {
		err_set(ERR_IO, "%s changed while it was being read", path);
		goto out;
	}
	if (probe_end(&pb, &r) != 0) {
		err_set(ERR_IO, "%s: sha256 failed", path);
		goto out;
	}
	*res = r;
	ret = 0;
out:
	probe_free(&pb);
	free(buf);
	if (fd != -1)
		close(fd);
	return ret;
}
