/*
 * driver.h: one const vtable per hypervisor kind, in hvsh's vocabulary.
 *
 * A driver knows what to say to its CLI (argv lists) and how to read the
 * answer (the hvout.h parsers); it never runs anything itself. The caller
 * (the lifecycle service) runs the plan through the transport, or, with
 * --dry-run, prints it. So the exact command lines shown by --dry-run are
 * the ones that would run, and SSH stays in the transport.
 *
 * Slots marked optional may be NULL: driver_plan() then fails with
 * "<op> is not supported by <driver>" in one place (as libvirt does).
 *
 * A driver that speaks an API instead of a CLI (libvirt's C API, in
 * drv-libvirt.c) cannot be planned: it fills the "direct" slots instead,
 * leaves the plan slots NULL, and the services call it in place of the
 * transport. For such a host the record's address is what the API
 * connects to (a libvirt URI), and its --dry-run lists the API calls that
 * would be made, which the driver describes itself.
 */
#ifndef HVSH_DRIVER_H
#define HVSH_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "hvout.h"
#include "transport.h"

enum drv_op {
	DRV_START,
	DRV_STOP,		/* clean shutdown, waited for up to a timeout */
	DRV_FORCE_OFF,		/* power off now */
	DRV_REBOOT,
	DRV_SUSPEND,
	DRV_RESUME,
	DRV_DESTROY,		/* remove the instance from the host */
	DRV_OP__COUNT
};

/* How a hypervisor knows one instance; the driver picks what it needs. */
struct drv_target {
	const char	*name;		/* hypervisor's name for it */
	const char	*uuid;		/* hypervisor's uuid, if known */
	const char	*path;		/* vmrun: the .vmx */
	const char	*hvsh_id;	/* our id, written on the object */
	const char	*product;	/* vmware: "ws", "fusion", "player";
					   NULL: ws */
};

/* An instance to create. */
struct drv_spec {
	const char	*name;
	const char	*hvsh_id;
	int		 cpus;
	int64_t		 memory;	/* bytes */
	int64_t		 disk;		/* bytes; 0: no root disk (or, from a
					   template, the template's size) */
	const char	*image_path;	/* on the host; NULL: empty disk */
	const char	*image_kind;	/* "iso", "template", "disk"; NULL
					   with image_path NULL */
	const char	*image_format;	/* "qcow2", "raw", "vmdk", "vhd",
					   "iso", "vmx", "xva" */
	const char	*pool;		/* directory (kvm, vmware) or SR
					   (xen) as the host sees it, for the
					   root disk; NULL: the driver's
					   default place */
	int		 full;		/* 1: a full copy of the template;
					   0: an overlay / linked clone */
	const char	*network;	/* network to attach; NULL: none or
					   the driver's default */
	const char	*domtype;	/* kvm: "kvm" where the host has
					   /dev/kvm, else "qemu"; NULL: qemu */
	const char	*product;	/* vmware: "ws", "fusion", "player";
					   NULL: ws */
};

/*
 * Storage and image calls, besides lifecycle: what the volume, snapshot,
 * pool and image commands ask of a host. Each is an optional slot of
 * struct driver (call[], call_read[]); an empty one is "not supported by
 * <driver>", said in one place (dispatch.c).
 */
enum drv_call {
	DRV_POOL_INFO,		/* capacity and use of req.pool */
	DRV_VOL_CREATE,		/* a data volume req.volume of req.size */
	DRV_VOL_ATTACH,		/* req.vol_path to instance req.vm */
	DRV_VOL_DETACH,		/* req.vol_path from instance req.vm */
	DRV_VOL_RESIZE,		/* req.vol_path to req.size (grow only) */
	DRV_VOL_REMOVE,		/* delete req.vol_path (a disk hvsh made) */
	DRV_SNAP_CREATE,	/* snapshot req.snapshot of req.vm */
	DRV_SNAP_REVERT,	/* req.vm back to req.snapshot */
	DRV_SNAP_REMOVE,	/* delete req.snapshot of req.vm */
	DRV_CAPTURE,		/* req.vm's root disk (req.vol_path), or its
				   snapshot req.snapshot, copied whole to
				   req.dest: a template */
	DRV_IMAGE_SUM,		/* sha256 of the file req.dest on the host */
	DRV_SNAP_LIST,		/* req.vm's snapshots, into reply.snaps */
	DRV_SET_ID,		/* write req.vm.hvsh_id onto the instance
				   (adopt), so later refreshes match by it */
	DRV_CALL__COUNT
};

/*
 * The arguments of a call; each call reads the fields its comment above
 * names, all others are NULL or 0. Names passed hvsh's allow-list; paths
 * were built by hvsh from pool paths and names.
 */
struct drv_req {
	struct drv_target	 vm;		/* the instance concerned */
	const char		*pool;		/* directory or SR as the host
						   sees it; NULL: default */
	const char		*volume;	/* hvsh's name of the volume */
	const char		*vol_path;	/* volume as the host knows it:
						   a path, or a VDI uuid (xen) */
	const char		*device;	/* attach: target ("vdb"), or
						   NULL: the driver picks */
	int64_t			 size;		/* bytes */
	const char		*format;	/* "qcow2", "raw", "vmdk", "vhd" */
	const char		*snapshot;	/* snapshot name */
	const char		*snap_ref;	/* hypervisor's id for it, if
						   known (xe: its uuid) */
	const char		*description;
	int			 memory;	/* snapshot: memory state too */
	int			 running;	/* the instance is running */
	const char		*dest;		/* capture, sum: a path */
	const char		*product;	/* vmware: "ws", "fusion" ... */
};

/* What a call's last step said; what a call does not fill stays empty. */
struct drv_reply {
	char		*path;		/* vol create, capture: where it is */
	char		*device;	/* attach: the device it became */
	char		*ref;		/* snap create: the hypervisor's id */
	char		*sha256;	/* image sum */
	int64_t		 size;		/* vol create, capture: virtual size */
	int64_t		 capacity;	/* pool info: bytes */
	int64_t		 used;		/* pool info: bytes */
	struct hv_snapshot_list snaps;	/* snap list */
};

void	drv_reply_init(struct drv_reply *);
void	drv_reply_clear(struct drv_reply *);
const char *drv_call_name(enum drv_call);

/*
 * A watched instance changed state: its name, uuid and our id (NULL if
 * the event did not say and the instance is gone), and its new state
 * (HV_UNKNOWN: no longer on the host). Numbers are -1. Non-zero from the
 * callback ends the watch with that value.
 */
typedef int (*drv_watch_fn)(const struct hv_vm *, void *arg);

struct buf;

/* Remote command lines to run in order on one host; each owns its argv. */
#define DRV_PLAN_MAX 8
struct drv_plan {
	char	**argv[DRV_PLAN_MAX];
	size_t	  n;
};

/* Adds a step: the NULL-terminated words. */
void	drv_plan_add(struct drv_plan *, const char *word, ...)
	    __attribute__((sentinel));
void	drv_plan_clear(struct drv_plan *);
/* Every step as the command line that would run ("'virsh' 'start' 'a'"). */
char	*drv_plan_text(const struct drv_plan *, size_t step);

/*
 * A refresh's own: the nonce that the markers between the parts of its
 * output carry, fresh for every refresh (and every detail or state query),
 * so that no text a host prints, made before the nonce was, can pass for a
 * marker. Filled by drv_refresh_init.
 */
#define DRV_NONCE_LEN	16
struct drv_refresh {
	char	nonce[DRV_NONCE_LEN + 1];	/* hex */
};
void	drv_refresh_init(struct drv_refresh *);

/*
 * Batching: one step that runs several commands in one exec, as
 * sh -c 'C1; echo "@@hvsh:$?@@"; C2; ...', each command quoted by
 * quote_argv(), so a refresh is one round trip. cmds is n NULL-terminated
 * argv arrays. Host data never enters the script; only these words do.
 * With a nonce (drv_plan_batch_nonce) the markers are "@@hvsh-NONCE:$?@@".
 */
void	drv_plan_batch(struct drv_plan *, char *const *const *cmds, size_t n);
void	drv_plan_batch_nonce(struct drv_plan *, const char *nonce,
	    char *const *const *cmds, size_t n);
/*
 * The marker line of part k with nonce (k in place of a status, where the
 * CLI itself prints the markers: virsh's echo), into buf of at least
 * DRV_MARK_MAX bytes; returns buf.
 */
#define DRV_MARK_MAX	(DRV_NONCE_LEN + 24)
char	*drv_mark(char *buf, const char *nonce, int k);

/* One command's part of a batch's stdout, and its exit status. */
struct drv_section {
	const char	*text;		/* points into the batch output */
	size_t		 len;
	int		 status;	/* -1 if its marker is missing */
};
/*
 * Splits a batch's stdout into its first n sections. ERR_INVAL when markers
 * are missing or garbled (truncated or broken output); nothing is read
 * past len.
 */
int	drv_sections(const char *out, size_t len, struct drv_section *sec,
	    size_t n);
/* The same for markers that carry nonce; lines like them without it are data. */
int	drv_sections_nonce(const char *out, size_t len, const char *nonce,
	    struct drv_section *sec, size_t n);

struct driver {
	const char	*name;		/* host.driver: "kvm", "xen", "vmware",
					   "libvirt" */
	const char	*cli;		/* "virsh", "xe", "vmrun"; the API's
					   name for a direct driver */
	const char	*capture_format;	/* what DRV_CAPTURE writes:
					   "qcow2", "vhd", "vmx"; NULL if
					   it cannot */

	/* Required: is the CLI there, and which version. */
	int	(*probe)(struct drv_plan *);
	int	(*probe_read)(const struct tp_result *, struct hv_facts *);
	/*
	 * Required: one remote exec that prints the host's facts and every
	 * instance with its state and stats (a refresh is one round trip),
	 * its parts divided by markers carrying rf->nonce. What the listing
	 * could not say of an instance is flagged on it (hv_vm.id_unread,
	 * hv_vm.unsure) for the detail slots.
	 */
	int	(*refresh)(const struct drv_refresh *rf, struct drv_plan *);
	int	(*refresh_read)(const struct drv_refresh *rf,
		    const struct tp_result *, struct hv_facts *,
		    struct hv_vm_list *);
	/*
	 * Optional: one exec asking about the n instances need (from
	 * refresh_read's list) alone: hvsh's id on each, and, for one the
	 * listing was unsure of, all of it. detail_read fills them in and
	 * clears their flags; an instance the host no longer has gets state
	 * HV_UNKNOWN. Needed by a driver that sets either flag.
	 */
	int	(*detail)(const struct drv_refresh *rf, struct hv_vm *const *need,
		    size_t n, struct drv_plan *);
	int	(*detail_read)(const struct drv_refresh *rf,
		    const struct tp_result *, struct hv_vm *const *need,
		    size_t n);
	/*
	 * Optional: one exec for the state of n instances only (the wait
	 * after start, stop or reboot); state_read fills out[n], HV_UNKNOWN
	 * for an instance the host does not have. Without it the wait
	 * refreshes the whole host.
	 */
	int	(*state)(const struct drv_refresh *rf,
		    const struct drv_target *t, size_t n, struct drv_plan *);
	int	(*state_read)(const struct drv_refresh *rf,
		    const struct drv_target *t, size_t n,
		    const struct tp_result *, enum hv_state *out);
	/* Required: why a command failed, from its exit status and stderr. */
	int	(*error_read)(const struct tp_result *, struct hv_error *);

	/* Optional, per operation. */
	int	(*op[DRV_OP__COUNT])(const struct drv_target *, struct drv_plan *);
	int	(*create)(const struct drv_spec *, struct drv_plan *);
	int	(*create_read)(const struct tp_result *, struct hv_vm *);

	/*
	 * Optional, per storage or image call: its plan, and a reader of the
	 * last step's output (NULL: the call says nothing back).
	 */
	int	(*call[DRV_CALL__COUNT])(const struct drv_req *,
		    struct drv_plan *);
	int	(*call_read[DRV_CALL__COUNT])(const struct drv_req *,
		    const struct tp_result *, struct drv_reply *);

	/*
	 * Direct drivers: set instead of every slot above but name. uri is
	 * the host's address. Each call may block up to the connect timeout
	 * (HVSH_CONNECT_TIMEOUT_MS) to reach the host, may be made from
	 * several threads at once, and returns 0 or an ERR_* code with a
	 * message through err_set(). A driver is direct iff direct_refresh
	 * is set; the others are optional.
	 */
	int	(*direct_refresh)(const char *uri, struct hv_facts *,
		    struct hv_vm_list *);
	/*
	 * With dry non-NULL, direct_op and direct_create check their
	 * arguments, append the API calls they would make to dry, one line
	 * each ("virDomainCreate(web1)"), and connect to nothing.
	 */
	int	(*direct_op)(const char *uri, enum drv_op,
		    const struct drv_target *, struct buf *dry);
	int	(*direct_create)(const char *uri, const struct drv_spec *,
		    struct hv_vm *, struct buf *dry);
	/*
	 * Calls cb for each instance whose state changes on the host, as
	 * the hypervisor announces it, until max_events were reported (0:
	 * no limit) or timeout_ms passed. Returns the number reported, or
	 * an ERR_* code (the connection was lost: ERR_IO).
	 */
	int	(*watch)(const char *uri, drv_watch_fn cb, void *arg,
		    int max_events, int timeout_ms);
	/*
	 * Optional: checks a host's address by the driver's own rules (an
	 * API driver's URI); NULL: a DNS name or IP address for SSH.
	 * ERR_USAGE with a message.
	 */
	int	(*address_check)(const char *address);
};

/* The namespace of the element hvsh writes into a libvirt domain's metadata. */
#define DRV_XML_NS "https://hvsh.invalid/ns/1"

/*
 * A libvirt domain for spec, all of it ours: the name and id passed the
 * allow-list (nothing in them needs escaping in XML), the rest are numbers.
 * q35 with spare PCIe root ports so volumes can be hot-plugged, a serial
 * console, no graphics; the root disk, if any, the qcow2 file at file, or
 * (file NULL) a qcow2 volume of pool. Used by the kvm (virsh) and libvirt
 * drivers alike. Caller frees.
 */
char	*drv_domain_xml(const struct drv_spec *, const char *domtype,
	    const char *pool, const char *file);

/* The driver for host.driver, or NULL. */
const struct driver *driver_find(const char *name);
const char *drv_op_name(enum drv_op);


/* 1 if d speaks an API (the direct slots) rather than running a CLI. */
int	driver_is_direct(const struct driver *d);

#endif
