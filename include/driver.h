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
};

/* An instance to create. */
struct drv_spec {
	const char	*name;
	const char	*hvsh_id;
	int		 cpus;
	int64_t		 memory;	/* bytes */
	int64_t		 disk;		/* bytes; 0: no root disk */
	const char	*image_path;	/* on the host; NULL: empty disk */
};

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
 * Batching: one step that runs several commands in one exec, as
 * sh -c 'C1; echo "@@hvsh:$?@@"; C2; ...', each command quoted by
 * quote_argv(), so a refresh is one round trip. cmds is n NULL-terminated
 * argv arrays. Host data never enters the script; only these words do.
 */
void	drv_plan_batch(struct drv_plan *, char *const *const *cmds, size_t n);

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

struct driver {
	const char	*name;		/* host.driver: "kvm", "xen", "vmware" */
	const char	*cli;		/* "virsh", "xe", "vmrun" */

	/* Required: is the CLI there, and which version. */
	int	(*probe)(struct drv_plan *);
	int	(*probe_read)(const struct tp_result *, struct hv_facts *);
	/*
	 * Required: one remote exec that prints the host's facts and every
	 * instance with its state and stats (a refresh is one round trip).
	 */
	int	(*refresh)(struct drv_plan *);
	int	(*refresh_read)(const struct tp_result *, struct hv_facts *,
		    struct hv_vm_list *);
	/* Required: why a command failed, from its exit status and stderr. */
	int	(*error_read)(const struct tp_result *, struct hv_error *);

	/* Optional, per operation. */
	int	(*op[DRV_OP__COUNT])(const struct drv_target *, struct drv_plan *);
	int	(*create)(const struct drv_spec *, struct drv_plan *);
	int	(*create_read)(const struct tp_result *, struct hv_vm *);
};

/* The driver for host.driver, or NULL. */
const struct driver *driver_find(const char *name);
const char *drv_op_name(enum drv_op);

/* Plans op, or fails with "<op> is not supported by <driver>". */
int	driver_plan(const struct driver *, enum drv_op,
	    const struct drv_target *, struct drv_plan *);

#endif
