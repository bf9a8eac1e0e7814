/*
 * probe.h: what an image file is: its size, its format from its magic bytes
 * (qcow2, vmdk, vhd, iso, xva, vmx, else raw), the size of the disk it holds
 * (from the format's header) and its sha256.
 *
 * A file is read once: probe_file() does the whole job for a file on disk,
 * and probe_begin/update/end let a copy (image import) feed the same prober
 * with the blocks it copies, so the hash, the format and the virtual size
 * always describe the bytes that were written.
 */
#ifndef HVSH_PROBE_H
#define HVSH_PROBE_H

#include <stddef.h>
#include <stdint.h>

/* How much of the start and of the end of a file probe_magic() looks at. */
#define PROBE_HEAD_LEN	65536
#define PROBE_TAIL_LEN	512

/*
 * The largest virtual size a header may claim (64 PiB): more than any real
 * disk, little enough that sizes in sectors never overflow.
 */
#define PROBE_VSIZE_MAX	((int64_t)1 << 56)

struct probe_result {
	int64_t	 size;
	int64_t	 vsize;		/* disk size; -1: none (xva, vmx) or bad header */
	char	 format[8];	/* "qcow2", "vmdk", "vhd", "iso", "xva", "vmx", "raw" */
	char	 sha256[65];	/* lowercase hex */
	char	 bad[160];	/* why the header's size was refused; "" if fine */
};

struct evp_md_ctx_st;

/* A prober fed block by block; see probe_begin(). */
struct probe {
	struct evp_md_ctx_st	*md;
	unsigned char		*head;
	size_t			 headlen;
	unsigned char		 tail[PROBE_TAIL_LEN];
	size_t			 taillen;
	int64_t			 total;
};

/* 0, or ERR_IO / ERR_INVAL (not a regular file) with a message. */
int	probe_file(const char *path, struct probe_result *);

/* Starts a prober; 0 or ERR_IO. Always end it with probe_free(). */
int	probe_begin(struct probe *);
/* Hashes the next n bytes and keeps what the format checks need. */
int	probe_update(struct probe *, const void *, size_t n);
/* Finishes the hash and fills res from the bytes seen; 0 or ERR_IO. */
int	probe_end(struct probe *, struct probe_result *res);
void	probe_free(struct probe *);

/* Format from the first bytes and the last 512 (VHD footer); "raw" if none. */
const char *probe_magic(const unsigned char *head, size_t headlen,
	    const unsigned char *tail, size_t taillen);
/*
 * The virtual size of a file of format and size bytes whose first headlen
 * and last taillen bytes are given: from the qcow2 header, the vmdk sparse
 * header or descriptor, the vhd footer; the file size for raw and iso; -1
 * for formats that hold no single disk (xva, vmx). A header that is cut
 * short, claims a negative or huge size or fails its checksum gives -1 and
 * ERR_INVAL with the reason in err_msg(); nothing is allocated from it.
 */
int	probe_vsize(const char *format, const unsigned char *head,
	    size_t headlen, const unsigned char *tail, size_t taillen,
	    int64_t size, int64_t *vsize);

#endif
