/*
 * probe.h: what an image file is: its size, its format from its magic bytes
 * (qcow2, vmdk, vhd, iso, xva, else raw) and its sha256.
 */
#ifndef HVSH_PROBE_H
#define HVSH_PROBE_H

#include <stddef.h>
#include <stdint.h>

/* How much of the start and of the end of a file probe_magic() looks at. */
#define PROBE_HEAD_LEN	65536
#define PROBE_TAIL_LEN	512

struct probe_result {
	int64_t	 size;
	char	 format[8];	/* "qcow2", "vmdk", "vhd", "iso", "xva", "raw" */
	char	 sha256[65];	/* lowercase hex */
};

/* 0, or ERR_IO / ERR_INVAL (not a regular file) with a message. */
int	probe_file(const char *path, struct probe_result *);
/* Format from the first bytes and the last 512 (VHD footer); "raw" if none. */
const char *probe_magic(const unsigned char *head, size_t headlen,
	    const unsigned char *tail, size_t taillen);

#endif
