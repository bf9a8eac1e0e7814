/*
 * test-probe.c: unit tests for probe.c. Small files of each image format are
 * built in a private temporary directory with their magic bytes where the
 * real formats keep them; hashes are checked against known digests and, for
 * larger files, against the system's sha256sum.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "probe.h"
#include "util.h"

#define MiB		(1024 * 1024)
#define VHD_CUR		48	/* current size in a VHD footer */
#define SHA_EMPTY	\
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_ABC		\
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static char	*tmpdir;

/* Makes the private directory every test writes into. */
static int
setup(void **state)
{
	const char	*base = getenv("TMPDIR");

	if (base == NULL || *base == '\0')
		base = "/tmp";
	tmpdir = xasprintf("%s/hvsh-test-probe-XXXXXX", base);
	if (mkdtemp(tmpdir) == NULL) {
		fprintf(stderr, "mkdtemp %s: %s\n", tmpdir, strerror(errno));
		return -1;
	}
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
teardown(void **state)
{
	int	rc = 0;

	if (tmpdir != NULL)
		rc = nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(tmpdir);
	tmpdir = NULL;
	return rc;
}

/* Returns the path of name in the test directory; the caller frees it. */
static char *
tpath(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* Writes len bytes of data to name in the test directory; returns its path. */
static char *
write_file(const char *name, const void *data, size_t len)
{
	char		*path = tpath(name);
	const char	*p = data;
	ssize_t		 n;
	int		 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd != -1);
	while (len > 0) {
		n = write(fd, p, len);
		assert_true(n > 0);
		p += n;
		len -= (size_t)n;
	}
	assert_int_equal(close(fd), 0);
	return path;
}

/* Fills p with bytes that repeat only over long stretches. */
static void
fill_pattern(unsigned char *p, size_t len, uint32_t seed)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
}

/* Asks the system's sha256sum for path's digest. */
static void
sha256sum_of(const char *path, char out[65])
{
	char	*cmd, line[256];
	FILE	*fp;

	/* Paths here are under mkdtemp's name and ours: no quote in them. */
	assert_null(strchr(path, '\''));
	cmd = xasprintf("sha256sum -- '%s'", path);
	fp = popen(cmd, "r");
	free(cmd);
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof line, fp));
	assert_int_equal(pclose(fp), 0);
	assert_true(strlen(line) > 64 && line[64] == ' ');
	memcpy(out, line, 64);
	out[64] = '\0';
}

/*
 * Probes path and checks format, size and, if sha is NULL, that the digest
 * matches sha256sum's.
 */
static void
probe_expect(const char *path, const char *format, int64_t size,
    const char *sha)
{
	struct probe_result	r;
	char			want[65];

	memset(&r, 0x55, sizeof r);
	err_clear();
	if (probe_file(path, &r) != 0)
		fail_msg("probe_file(%s): %s", path, err_msg());
	assert_string_equal(r.format, format);
	assert_int_equal(r.size, size);
	if (sha == NULL) {
		sha256sum_of(path, want);
		sha = want;
	}
	assert_string_equal(r.sha256, sha);
}

/* Probes path: format as given, and a header refused for reason. */
static void
probe_bad(const char *path, const char *format, const char *reason)
{
	struct probe_result	r;

	if (probe_file(path, &r) != 0)
		fail_msg("probe_file(%s): %s", path, err_msg());
	assert_string_equal(r.format, format);
	assert_int_equal(r.vsize, -1);
	if (strstr(r.bad, reason) == NULL)
		fail_msg("reason \"%s\" does not say \"%s\"", r.bad, reason);
}

/* Probes path: format and virtual size, and a header found good. */
static void
probe_vsize_expect(const char *path, const char *format, int64_t vsize)
{
	struct probe_result	r;

	if (probe_file(path, &r) != 0)
		fail_msg("probe_file(%s): %s", path, err_msg());
	assert_string_equal(r.format, format);
	assert_string_equal(r.bad, "");
	assert_int_equal(r.vsize, vsize);
}

static void
put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void
put_be64(unsigned char *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static void
put_le64(unsigned char *p, uint64_t v)
{
	int	i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A qcow2 header (72 bytes at least) of version and size in bytes. */
static void
qcow2_header(unsigned char *h, uint32_t version, uint64_t size)
{
	memset(h, 0, 104);
	memcpy(h, "QFI\xfb", 4);
	put_be32(h + 4, version);
	put_be32(h + 20, 16);		/* cluster bits */
	put_be64(h + 24, size);
}

/* A vmdk sparse extent header of capacity sectors into h[512]. */
static void
vmdk_header(unsigned char *h, uint64_t sectors)
{
	memset(h, 0, 512);
	memcpy(h, "KDMV", 4);
	h[4] = 1;			/* version 1, little-endian */
	h[8] = 3;			/* flags */
	put_le64(h + 12, sectors);
	put_le64(h + 20, 128);		/* grain size */
}

/* A VHD footer of disk type and size in bytes, with its checksum. */
static void
vhd_footer(unsigned char *f, uint32_t type, uint64_t size)
{
	uint32_t	sum = 0;
	size_t		i;

	memset(f, 0, 512);
	memcpy(f, "conectix", 8);
	put_be32(f + 8, 2);		/* features */
	put_be32(f + 12, 0x00010000);	/* version */
	memcpy(f + 28, "qem2", 4);
	put_be64(f + 40, size);		/* original size */
	put_be64(f + VHD_CUR, size);
	put_be32(f + 60, type);
	for (i = 0; i < 512; i++)
		sum += f[i];
	put_be32(f + 64, ~sum);
}

/* Probes path, expecting code and a message that names the path. */
static void
probe_refused(const char *path, int code)
{
	struct probe_result	r, untouched;

	memset(&r, 0x55, sizeof r);
	untouched = r;
	err_clear();
	assert_int_equal(probe_file(path, &r), code);
	assert_int_equal(err_code(), code);
	if (strstr(err_msg(), path) == NULL)
		fail_msg("message \"%s\" does not name %s", err_msg(), path);
	/* The output is only written on success. */
	assert_memory_equal(&r, &untouched, sizeof r);
}

static void
test_known_digests(void **state)
{
	char	*p;

	p = write_file("empty", "", 0);
	probe_expect(p, "raw", 0, SHA_EMPTY);
	free(p);

	p = write_file("abc", "abc", 3);
	probe_expect(p, "raw", 3, SHA_ABC);
	probe_expect(p, "raw", 3, NULL);
	free(p);
}

static void
test_large_files(void **state)
{
	static const size_t	 sizes[] = {
		MiB - 1, MiB, MiB + 1, 2 * MiB, 5 * MiB + 12345,
	};
	unsigned char		*data;
	char			*p, name[32];
	size_t			 i;

	data = xmalloc(6 * MiB);
	fill_pattern(data, 6 * MiB, 42);
	/* Keep it raw whatever the generator puts at offset 0. */
	data[0] = 'R';
	for (i = 0; i < nitems(sizes); i++) {
		snprintf(name, sizeof name, "big%zu", i);
		p = write_file(name, data, sizes[i]);
		probe_expect(p, "raw", (int64_t)sizes[i], NULL);
		free(p);
	}
	free(data);
}

static void
test_qcow2(void **state)
{
	unsigned char	 d[1024];
	char		*p;

	fill_pattern(d, sizeof d, 1);
	memcpy(d, "QFI\xfb\0\0\0\3", 8);
	p = write_file("disk.qcow2", d, sizeof d);
	probe_expect(p, "qcow2", sizeof d, NULL);
	free(p);
	/* Random bytes where the size is: the format stands, the size not. */
	memset(d + 24, 0xff, 8);
	p = write_file("random.qcow2", d, sizeof d);
	probe_bad(p, "qcow2", "claims a virtual size");
	free(p);
	qcow2_header(d, 3, (uint64_t)5 << 30);
	p = write_file("good.qcow2", d, sizeof d);
	probe_vsize_expect(p, "qcow2", (int64_t)5 << 30);
	free(p);

	/* Just the magic is enough; three of its four bytes are not. */
	p = write_file("tiny.qcow2", "QFI\xfb", 4);
	probe_expect(p, "qcow2", 4, NULL);
	free(p);
	p = write_file("short.qcow2", "QFI", 3);
	probe_expect(p, "raw", 3, NULL);
	free(p);
}

static void
test_vmdk(void **state)
{
	static const char	 desc[] = "# Disk DescriptorFile\nversion=1\n"
	    "CID=fffffffe\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n"
	    "RW 2048 FLAT \"disk-flat.vmdk\" 0\n";
	unsigned char		 d[2048];
	char			*p;

	memset(d, 0, sizeof d);
	memcpy(d, "KDMV\1\0\0\0", 8);
	p = write_file("sparse.vmdk", d, sizeof d);
	probe_expect(p, "vmdk", sizeof d, NULL);
	free(p);

	p = write_file("desc.vmdk", desc, sizeof desc - 1);
	probe_expect(p, "vmdk", sizeof desc - 1, NULL);
	free(p);

	/* Case matters: this is a comment in some other file. */
	p = write_file("other.txt", "# disk descriptorfile\n", 22);
	probe_expect(p, "raw", 22, NULL);
	free(p);
}

static void
test_vhd(void **state)
{
	unsigned char	*d;
	char		*p;
	size_t		 len;

	/* Fixed VHD: raw data, then the footer in the last 512 bytes. */
	len = 8192 + 512;
	d = xcalloc(1, len);
	fill_pattern(d, 8192, 2);
	d[0] = 'R';
	memcpy(d + 8192, "conectix\0\0\0\2", 12);
	p = write_file("fixed.vhd", d, len);
	probe_expect(p, "vhd", (int64_t)len, NULL);
	free(p);

	/* Dynamic VHD: a copy of the footer at offset 0 as well. */
	memcpy(d, "conectix\0\0\0\2", 12);
	p = write_file("dynamic.vhd", d, len);
	probe_expect(p, "vhd", (int64_t)len, NULL);
	free(p);

	/* "conectix" elsewhere in the last 512 bytes is not a footer. */
	memset(d, 0, len);
	memcpy(d + len - 511, "conectix", 8);
	p = write_file("notvhd", d, len);
	probe_expect(p, "raw", (int64_t)len, NULL);
	free(p);
	free(d);

	/*
	 * The footer split across the first 1 MiB read and the short last
	 * one: the tail must be stitched from both.
	 */
	len = MiB + 100;
	d = xcalloc(1, len);
	memcpy(d + len - 512, "conectix", 8);
	p = write_file("straddle.vhd", d, len);
	probe_expect(p, "vhd", (int64_t)len, NULL);
	free(p);
	free(d);

	/* A file shorter than a footer holds none, but the head still counts. */
	p = write_file("tiny.vhd", "conectix", 8);
	probe_expect(p, "vhd", 8, NULL);
	free(p);
}

/* Writes a ustar header for a regular file of size bytes into h[512]. */
static void
tar_header(unsigned char h[512], const char *name, size_t size)
{
	unsigned int	sum = 0;
	size_t		i;

	memset(h, 0, 512);
	memcpy(h, name, strlen(name));
	memcpy(h + 100, "0000644", 8);
	memcpy(h + 108, "0000000", 8);
	memcpy(h + 116, "0000000", 8);
	snprintf((char *)h + 124, 12, "%011zo", size);
	snprintf((char *)h + 136, 12, "%011o", 1700000000u);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memcpy(h + 265, "root", 4);
	memcpy(h + 297, "root", 4);
	/* The checksum is taken with its own field read as spaces. */
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

/* Writes a one-member tar archive; returns its path. */
static char *
write_tar(const char *file, const char *member, int64_t *size)
{
	static const char	 xml[] = "<?xml version=\"1.0\"?>\n"
	    "<value><struct><member><name>version</name></member></struct>"
	    "</value>\n";
	unsigned char		 d[512 * 5];
	char			*p;

	memset(d, 0, sizeof d);
	tar_header(d, member, sizeof xml - 1);
	memcpy(d + 512, xml, sizeof xml - 1);
	/* One data block, then the two zero blocks that end an archive. */
	p = write_file(file, d, 512 * 4);
	*size = 512 * 4;
	return p;
}

/* Asserts that tar itself lists exactly member in path. */
static void
tar_lists(const char *path, const char *member)
{
	char	*cmd, line[256];
	FILE	*fp;

	cmd = xasprintf("tar -tf '%s' 2>&1", path);
	fp = popen(cmd, "r");
	free(cmd);
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof line, fp));
	line[strcspn(line, "\n")] = '\0';
	assert_string_equal(line, member);
	assert_null(fgets(line, sizeof line, fp));
	assert_int_equal(pclose(fp), 0);
}

static void
test_xva(void **state)
{
	char	*p;
	int64_t	 size;

	p = write_tar("vm.xva", "ova.xml", &size);
	tar_lists(p, "ova.xml");
	probe_expect(p, "xva", size, NULL);
	free(p);

	/* Any other first member is just a tar file. */
	p = write_tar("other.tar", "other.xml", &size);
	tar_lists(p, "other.xml");
	probe_expect(p, "raw", size, NULL);
	free(p);
	p = write_tar("longer.tar", "ova.xml.bak", &size);
	probe_expect(p, "raw", size, NULL);
	free(p);
}

/* Writes a 40 KiB file with an ISO 9660 volume descriptor at off - 1. */
static char *
write_iso(const char *name, size_t off, const void *first4)
{
	unsigned char	*d;
	char		*p;

	d = xcalloc(1, 40 * 1024);
	if (first4 != NULL)
		memcpy(d, first4, 4);
	memcpy(d + off - 1, "\001CD001\001", 7);
	p = write_file(name, d, 40 * 1024);
	free(d);
	return p;
}

static void
test_iso(void **state)
{
	unsigned char	 d[0x8004];
	char		*p;

	p = write_iso("a.iso", 0x8001, NULL);
	probe_expect(p, "iso", 40 * 1024, NULL);
	free(p);
	p = write_iso("b.iso", 0x8801, NULL);
	probe_expect(p, "iso", 40 * 1024, NULL);
	free(p);
	p = write_iso("c.iso", 0x9001, NULL);
	probe_expect(p, "iso", 40 * 1024, NULL);
	free(p);
	p = write_iso("d.iso", 0x8002, NULL);
	probe_expect(p, "raw", 40 * 1024, NULL);
	free(p);

	/* Magic at offset 0 wins over an ISO descriptor further in. */
	p = write_iso("q.iso", 0x8001, "QFI\xfb");
	probe_expect(p, "qcow2", 40 * 1024, NULL);
	free(p);

	/* A file that ends inside the identifier is not read past its end. */
	memset(d, 0, sizeof d);
	memcpy(d + 0x8000, "\001CD0", 4);
	p = write_file("cut.iso", d, sizeof d);
	probe_expect(p, "raw", sizeof d, NULL);
	free(p);
}

static void
test_magic_direct(void **state)
{
	unsigned char	*head, tail[1024];

	assert_string_equal(probe_magic(NULL, 0, NULL, 0), "raw");
	assert_string_equal(probe_magic((const unsigned char *)"QFI\xfb", 4,
	    NULL, 0), "qcow2");
	assert_string_equal(probe_magic((const unsigned char *)"KDMV", 3,
	    NULL, 0), "raw");

	/* Only the last 512 bytes of the tail are the footer. */
	memset(tail, 0, sizeof tail);
	memcpy(tail + 512, "conectix", 8);
	assert_string_equal(probe_magic(NULL, 0, tail, 1024), "vhd");
	assert_string_equal(probe_magic(NULL, 0, tail + 512, 512), "vhd");
	assert_string_equal(probe_magic(NULL, 0, tail + 512, 511), "raw");
	assert_string_equal(probe_magic(NULL, 0, tail, 1023), "raw");

	/* The ISO identifier must lie wholly inside what was read. */
	head = xcalloc(1, PROBE_HEAD_LEN);
	memcpy(head + 0x8001, "CD001", 5);
	assert_string_equal(probe_magic(head, PROBE_HEAD_LEN, NULL, 0), "iso");
	assert_string_equal(probe_magic(head, 0x8006, NULL, 0), "iso");
	assert_string_equal(probe_magic(head, 0x8005, NULL, 0), "raw");

	/* A tar header needs its whole 512 bytes. */
	memset(head, 0, PROBE_HEAD_LEN);
	tar_header(head, "ova.xml", 10);
	assert_string_equal(probe_magic(head, 512, NULL, 0), "xva");
	assert_string_equal(probe_magic(head, 511, NULL, 0), "raw");
	/* Order: a VHD footer beats an XVA head. */
	memcpy(tail + 512, "conectix", 8);
	assert_string_equal(probe_magic(head, 512, tail + 512, 512), "vhd");
	free(head);
}

static void
test_refusals(void **state)
{
	char	*p, *link, *dir;

	/* A directory: open(2) succeeds, so it is fstat that refuses. */
	dir = tpath("adir");
	assert_int_equal(mkdir(dir, 0755), 0);
	probe_refused(dir, ERR_INVAL);
	assert_non_null(strstr(err_msg(), "not a regular file"));

	p = tpath("missing");
	probe_refused(p, ERR_IO);
	assert_non_null(strstr(err_msg(), strerror(ENOENT)));
	free(p);

	/* A FIFO would block open() without O_NONBLOCK: refused at once. */
	p = tpath("fifo");
	assert_int_equal(mkfifo(p, 0644), 0);
	probe_refused(p, ERR_INVAL);
	free(p);

	probe_refused("/dev/null", ERR_INVAL);

	/* A symlink to a directory is refused like the directory. */
	link = tpath("dirlink");
	assert_int_equal(symlink(dir, link), 0);
	probe_refused(link, ERR_INVAL);
	free(link);
	free(dir);

	link = tpath("dangling");
	assert_int_equal(symlink("no-such-target", link), 0);
	probe_refused(link, ERR_IO);
	free(link);
}

static void
test_symlink(void **state)
{
	char	*p, *link;

	p = write_file("target", "abc", 3);
	link = tpath("link");
	assert_int_equal(symlink(p, link), 0);
	probe_expect(link, "raw", 3, SHA_ABC);
	free(link);

	/* A relative link, resolved against its own directory. */
	link = tpath("rellink");
	assert_int_equal(symlink("target", link), 0);
	probe_expect(link, "raw", 3, SHA_ABC);
	free(link);
	free(p);
}

static void
test_unreadable(void **state)
{
	char	*p;

	/* Root reads mode 000 files anyway: nothing to test, so say so. */
	if (geteuid() == 0)
		skip();
	p = write_file("secret", "abc", 3);
	assert_int_equal(chmod(p, 0), 0);
	probe_refused(p, ERR_IO);
	assert_non_null(strstr(err_msg(), strerror(EACCES)));
	free(p);
}

/* probe_vsize() on bytes built here; expects ok (vsize) or a reason. */
static void
vsize_expect(const char *format, const unsigned char *head, size_t headlen,
    const unsigned char *tail, size_t taillen, int64_t size, int64_t want,
    const char *reason)
{
	int64_t	v = 12345;
	int	rc;

	err_clear();
	rc = probe_vsize(format, head, headlen, tail, taillen, size, &v);
	if (reason == NULL) {
		if (rc != 0)
			fail_msg("%s: refused: %s", format, err_msg());
		assert_int_equal(v, want);
		return;
	}
	assert_int_equal(rc, ERR_INVAL);
	assert_int_equal(v, -1);
	if (strstr(err_msg(), reason) == NULL)
		fail_msg("%s: \"%s\" does not say \"%s\"", format, err_msg(),
		    reason);
}

static void
test_vsize_qcow2(void **state)
{
	unsigned char	h[104];

	qcow2_header(h, 2, (uint64_t)1 << 30);
	vsize_expect("qcow2", h, 72, NULL, 0, 72, (int64_t)1 << 30, NULL);
	qcow2_header(h, 3, 0);
	vsize_expect("qcow2", h, sizeof h, NULL, 0, 104, 0, NULL);
	qcow2_header(h, 3, (uint64_t)PROBE_VSIZE_MAX);
	vsize_expect("qcow2", h, sizeof h, NULL, 0, 104, PROBE_VSIZE_MAX,
	    NULL);

	/* Hostile: cut short, unknown version, huge, "negative". */
	qcow2_header(h, 3, 4096);
	vsize_expect("qcow2", h, 71, NULL, 0, 71, 0, "cut short");
	vsize_expect("qcow2", h, 4, NULL, 0, 4, 0, "cut short");
	vsize_expect("qcow2", NULL, 0, NULL, 0, 0, 0, "cut short");
	qcow2_header(h, 1, 4096);
	vsize_expect("qcow2", h, sizeof h, NULL, 0, 104, 0, "version 1");
	qcow2_header(h, 0xffffffffu, 4096);
	vsize_expect("qcow2", h, sizeof h, NULL, 0, 104, 0, "version");
	qcow2_header(h, 3, (uint64_t)PROBE_VSIZE_MAX + 1);
	vsize_expect("qcow2", h, sizeof h, NULL, 0, 104, 0, "claims");
	qcow2_header(h, 3, (uint64_t)1 << 63);
	vsize_expect("qcow2", h, sizeof h, NULL, 0, 104, 0, "claims");
	qcow2_header(h, 3, UINT64_MAX);
	vsize_expect("qcow2", h, sizeof h, NULL, 0, 104, 0, "claims");
}

static void
test_vsize_vmdk(void **state)
{
	static const char	 two[] = "# Disk DescriptorFile\nversion=1\n"
	    "createType=\"twoGbMaxExtentSparse\"\n\n# Extent description\n"
	    "RW 4192256 SPARSE \"d-s001.vmdk\"\n"
	    "RDONLY 2048 SPARSE \"d-s002.vmdk\"\n"
	    "  NOACCESS 10 ZERO\n"
	    "\nddb.virtualHWVersion = \"4\"\n";
	static const char	 none[] = "# Disk DescriptorFile\nversion=1\n"
	    "ddb.adapterType = \"ide\"\n";
	static const char	 huge[] = "# Disk DescriptorFile\n"
	    "RW 99999999999999999999 SPARSE \"a.vmdk\"\n";
	static const char	 over[] = "# Disk DescriptorFile\n"
	    "RW 140737488355328 FLAT \"a.vmdk\" 0\n"
	    "RW 140737488355328 FLAT \"b.vmdk\" 0\n";
	static const char	 word[] = "# Disk DescriptorFile\n"
	    "RW many SPARSE \"a.vmdk\"\n";
	unsigned char		 h[512];
	char			*p;

	vmdk_header(h, 2048);
	vsize_expect("vmdk", h, sizeof h, NULL, 0, 512, MiB, NULL);
	p = write_file("cap.vmdk", h, sizeof h);
	probe_vsize_expect(p, "vmdk", MiB);
	free(p);
	vmdk_header(h, 0);
	vsize_expect("vmdk", h, 20, NULL, 0, 20, 0, NULL);

	vmdk_header(h, 2048);
	vsize_expect("vmdk", h, 19, NULL, 0, 19, 0, "cut short");
	h[4] = 0;
	vsize_expect("vmdk", h, sizeof h, NULL, 0, 512, 0, "version 0");
	vmdk_header(h, (uint64_t)PROBE_VSIZE_MAX / 512 + 1);
	vsize_expect("vmdk", h, sizeof h, NULL, 0, 512, 0, "sectors");
	vmdk_header(h, UINT64_MAX);
	vsize_expect("vmdk", h, sizeof h, NULL, 0, 512, 0, "sectors");

	/* A text descriptor: its extents summed. */
	vsize_expect("vmdk", (const unsigned char *)two, sizeof two - 1, NULL,
	    0, sizeof two - 1, (int64_t)(4192256 + 2048 + 10) * 512, NULL);
	p = write_file("two.vmdk", two, sizeof two - 1);
	probe_vsize_expect(p, "vmdk", (int64_t)(4192256 + 2048 + 10) * 512);
	free(p);
	vsize_expect("vmdk", (const unsigned char *)none, sizeof none - 1,
	    NULL, 0, sizeof none - 1, 0, "no extent");
	vsize_expect("vmdk", (const unsigned char *)huge, sizeof huge - 1,
	    NULL, 0, sizeof huge - 1, 0, "bad extent");
	vsize_expect("vmdk", (const unsigned char *)over, sizeof over - 1,
	    NULL, 0, sizeof over - 1, 0, "claims");
	vsize_expect("vmdk", (const unsigned char *)word, sizeof word - 1,
	    NULL, 0, sizeof word - 1, 0, "bad extent");
	/* Only what was read counts: a descriptor cut inside its number. */
	vsize_expect("vmdk", (const unsigned char *)two, 95, NULL, 0, 95, 0,
	    "bad extent");
}

static void
test_vsize_vhd(void **state)
{
	unsigned char	*d, f[512];
	char		*p;
	size_t		 len;

	/* Fixed: the data, then the footer saying how much data. */
	len = 8192 + 512;
	d = xcalloc(1, len);
	fill_pattern(d, 8192, 3);
	d[0] = 'R';
	vhd_footer(d + 8192, 2, 8192);
	p = write_file("fixed2.vhd", d, len);
	probe_vsize_expect(p, "vhd", 8192);
	free(p);

	/* Dynamic: a footer copy at the start and the footer at the end. */
	vhd_footer(f, 3, (uint64_t)1 << 30);
	memcpy(d, f, 512);
	memcpy(d + 8192, f, 512);
	p = write_file("dyn.vhd", d, len);
	probe_vsize_expect(p, "vhd", (int64_t)1 << 30);
	free(p);
	/* The end damaged: the copy at the start still tells. */
	memset(d + 8192, 0, 512);
	p = write_file("dynhead.vhd", d, len);
	probe_vsize_expect(p, "vhd", (int64_t)1 << 30);
	free(p);

	/* Hostile footers: a wrong checksum, an unknown type, a huge size. */
	memcpy(d + 8192, f, 512);
	memset(d, 0, 512);
	d[8192 + VHD_CUR] ^= 0x40;
	p = write_file("sum.vhd", d, len);
	probe_bad(p, "vhd", "checksum");
	free(p);
	vhd_footer(d + 8192, 9, 8192);
	p = write_file("type.vhd", d, len);
	probe_bad(p, "vhd", "type 9");
	free(p);
	vhd_footer(d + 8192, 2, UINT64_MAX);
	p = write_file("huge.vhd", d, len);
	probe_bad(p, "vhd", "claims");
	free(p);
	vhd_footer(d + 8192, 2, (uint64_t)1 << 63);
	vsize_expect("vhd", NULL, 0, d + 8192, 512, (int64_t)len, 0,
	    "claims");
	free(d);

	/* Cut short: a head copy of fewer than 512 bytes is no footer. */
	vsize_expect("vhd", f, 511, NULL, 0, 511, 0, "cut short");
	p = write_file("tiny2.vhd", "conectix", 8);
	probe_bad(p, "vhd", "cut short");
	free(p);
}

static void
test_vsize_plain(void **state)
{
	unsigned char	*d;
	char		*p;

	/* ISO and raw: the disk is the file. */
	d = xcalloc(1, 40 * 1024);
	memcpy(d + 32769, "CD001", 5);
	p = write_file("v.iso", d, 40 * 1024);
	probe_vsize_expect(p, "iso", 40 * 1024);
	free(p);
	free(d);
	p = write_file("v.raw", "abc", 3);
	probe_vsize_expect(p, "raw", 3);
	free(p);
	p = write_file("v.empty", "", 0);
	probe_vsize_expect(p, "raw", 0);
	free(p);
	vsize_expect("raw", NULL, 0, NULL, 0, -1, 0, "negative");
	/* An XVA holds several disks: none is the image's size. */
	vsize_expect("xva", NULL, 0, NULL, 0, 2048, -1, NULL);
}

static void
test_vmx(void **state)
{
	static const char	 vmx[] = ".encoding = \"UTF-8\"\n"
	    "config.version = \"8\"\nvirtualHW.version = \"19\"\n"
	    "displayName = \"web1\"\n";
	static const char	 v2[] = "#!/usr/bin/vmware\n"
	    "  config.version=\"8\"\n";
	static const char	 nokey[] = "displayName = \"web1\"\n"
	    "note = \".encoding = x\"\nencoding = \"UTF-8\"\n";
	static const char	 nul[] = ".encoding = \"UTF-8\"\n\0binary";
	static const char	 noeq[] = ".encodings are many\n";
	char			*p;

	p = write_file("a.vmx", vmx, sizeof vmx - 1);
	probe_expect(p, "vmx", sizeof vmx - 1, NULL);
	probe_vsize_expect(p, "vmx", -1);
	free(p);
	p = write_file("b.vmx", v2, sizeof v2 - 1);
	probe_expect(p, "vmx", sizeof v2 - 1, NULL);
	free(p);
	p = write_file("c.vmx", nokey, sizeof nokey - 1);
	probe_expect(p, "raw", sizeof nokey - 1, NULL);
	free(p);
	p = write_file("d.vmx", nul, sizeof nul - 1);
	probe_expect(p, "raw", sizeof nul - 1, NULL);
	free(p);
	p = write_file("e.vmx", noeq, sizeof noeq - 1);
	probe_expect(p, "raw", sizeof noeq - 1, NULL);
	free(p);
	assert_string_equal(probe_magic((const unsigned char *)".encoding =",
	    11, NULL, 0), "vmx");
	assert_string_equal(probe_magic((const unsigned char *)".encoding ",
	    10, NULL, 0), "raw");
}

/* Fed in uneven pieces, the prober says what probe_file says. */
static void
test_stream(void **state)
{
	struct probe		 pb;
	struct probe_result	 a, b;
	unsigned char		*d;
	char			*p;
	size_t			 len = 3 * MiB + 777, off = 0, n, step = 1;

	d = xmalloc(len);
	fill_pattern(d, len, 9);
	vhd_footer(d, 3, 123 * MiB);
	vhd_footer(d + len - 512, 3, 123 * MiB);
	p = write_file("stream.vhd", d, len);
	assert_int_equal(probe_file(p, &a), 0);
	assert_int_equal(probe_begin(&pb), 0);
	while (off < len) {
		n = step < len - off ? step : len - off;
		assert_int_equal(probe_update(&pb, d + off, n), 0);
		off += n;
		step = step * 7 + 3;
	}
	assert_int_equal(probe_end(&pb, &b), 0);
	probe_free(&pb);
	assert_string_equal(a.sha256, b.sha256);
	assert_string_equal(b.format, "vhd");
	assert_int_equal(b.size, (int64_t)len);
	assert_int_equal(b.vsize, 123 * MiB);
	assert_int_equal(a.vsize, b.vsize);
	free(p);
	free(d);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_known_digests),
		cmocka_unit_test(test_large_files),
		cmocka_unit_test(test_qcow2),
		cmocka_unit_test(test_vmdk),
		cmocka_unit_test(test_vhd),
		cmocka_unit_test(test_xva),
		cmocka_unit_test(test_iso),
		cmocka_unit_test(test_magic_direct),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_symlink),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_vsize_qcow2),
		cmocka_unit_test(test_vsize_vmdk),
		cmocka_unit_test(test_vsize_vhd),
		cmocka_unit_test(test_vsize_plain),
		cmocka_unit_test(test_vmx),
		cmocka_unit_test(test_stream),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
