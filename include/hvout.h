/*
 * hvout.h: what hvsh reads back from the hypervisors' own CLIs, in hvsh's
 * words. The parsers in hvout-virsh.c, hvout-xe.c and hvout-vmrun.c turn
 * the text that virsh, xe and vmrun print (see shared/hv-formats/) into the
 * structures below; the drivers never look at that text themselves.
 *
 * Every parser has the shape
 *
 *	int hvout_<cli>_<what>(const char *text, size_t len, <result> *out);
 *
 * text need not be NUL-terminated and is never read past len, so a fuzzer
 * can call any of them on raw bytes. They return 0, or a negative ERR_* code
 * with a message through err_set(); on failure *out is left as it was. A
 * NUL byte anywhere in text is an error: none of these CLIs prints one, and
 * C strings could not carry it. Strings in results are copied from the host
 * byte for byte: escape sequences and control characters stay as they were
 * and must be neutralised by whoever prints them.
 */
#ifndef HVSH_HVOUT_H
#define HVSH_HVOUT_H

#include <stddef.h>
#include <stdint.h>

enum hv_state {
	HV_RUNNING,
	HV_STOPPED,
	HV_PAUSED,
	HV_SUSPENDED,		/* memory image kept: xe suspend, virsh
				   pmsuspended or managed save, vmrun suspend */
	HV_CRASHED,
	HV_UNKNOWN
};

/* "running", "stopped", "paused", "suspended", "crashed" or "unknown". */
const char	*hv_state_name(enum hv_state);

/*
 * df -P -k (GNU and BSD alike): the size and use of the first file system
 * listed, in bytes. Any driver's hosts answer it the same (it lives in
 * hvout-vmrun.c, where it was first needed).
 */
int	hvout_df(const char *, size_t, int64_t *capacity, int64_t *used);

/*
 * One VM as a hypervisor reports it. Numbers the output did not give are
 * -1; strings it did not give are NULL. Free with hv_vm_clear().
 */
struct hv_vm {
	char		*name;
	char		*uuid;
	enum hv_state	 state;
	int		 cpus;
	int64_t		 memory;	/* bytes configured */
	int64_t		 mem_used;	/* bytes in use; 0 when stopped;
					   -1 unknown */
	double		 cpu_time;	/* seconds */
	char		*hvsh_id;	/* our id written on the object */
	char		*path;		/* vmrun: the .vmx file */
	char		*disk;		/* create: the root disk it made (a
					   path; xe: the VDI uuid), or NULL */
	/* A refresh's: what its listing could not say (driver.h, detail). */
	int		 id_unread;	/* hvsh_id was not asked for */
	int		 unsure;	/* the listing was ambiguous about this
					   one: only uuid is sure */
	uint64_t	 sig;		/* of its definition as listed (vCPUs,
					   memory, disks); 0 unknown: a change
					   of it asks the detail again */
};

struct hv_vm_list {
	struct hv_vm	*v;
	size_t		 n;
};

/* A host's facts. Parsers of facts fill what they find and keep the rest. */
struct hv_facts {
	int		 cpus;
	int64_t		 memory;	/* bytes */
	int64_t		 mem_free;	/* bytes */
	char		*version;	/* "QEMU 7.2.0 (libvirt 9.0.0)" */
	char		*hostname;
	char		*product;	/* vmware: "ws", "fusion", "player";
					   else NULL */
	int		 hw_accel;	/* kvm: 1 /dev/kvm is there, 0 not,
					   -1 unknown */
};

struct hv_snapshot {
	char		*name;
	char		*uuid;		/* xe only: what revert needs */
	char		*parent;	/* parent's name (xe: its uuid) */
	int64_t		 created;	/* unix seconds */
	char		*state;		/* the CLI's own word ("shutoff",
					   "disk-snapshot", "suspended") */
};

struct hv_snapshot_list {
	struct hv_snapshot	*v;
	size_t			 n;
};

/* A storage pool (xe SR). */
struct hv_pool {
	char		*name;
	char		*uuid;
	char		*type;		/* "lvm", "nfs", "iso" ... */
	char		*content;	/* "user", "iso" ... */
	char		*host;		/* host name, or NULL when shared */
	int		 shared;
	int64_t		 size;		/* bytes */
	int64_t		 used;		/* bytes */
};

struct hv_pool_list {
	struct hv_pool	*v;
	size_t		 n;
};

/* A plain list of strings (xe --minimal). */
struct hv_strlist {
	char		**v;
	size_t		  n;
};

/* A VM's state with the hypervisor's reason (virsh domstate --reason). */
struct hv_vmstate {
	enum hv_state	 state;
	char		*reason;	/* "shutdown", "user" ... or NULL */
};

/*
 * Why a command failed on a host. code is the ERR_* value the driver should
 * return: ERR_NOENT (no such object), ERR_EXIST, ERR_BUSY (wrong state or
 * something else in progress), ERR_PERM, ERR_INVAL (bad command or
 * argument), ERR_IO (cannot reach the hypervisor) or ERR_FAIL.
 */
struct hv_error {
	int		  code;
	char		 *reason;	/* one line for people */
	char		 *api_code;	/* xe: "VM_BAD_POWER_STATE" or NULL */
	char		**params;	/* xe: the error's parameters */
	size_t		  nparams;
};

void	hv_vm_init(struct hv_vm *);
void	hv_vm_clear(struct hv_vm *);
void	hv_vm_list_free(struct hv_vm_list *);
void	hv_facts_init(struct hv_facts *);
void	hv_facts_clear(struct hv_facts *);
void	hv_snapshot_list_free(struct hv_snapshot_list *);
void	hv_pool_list_free(struct hv_pool_list *);
void	hv_strlist_free(struct hv_strlist *);
void	hv_vmstate_clear(struct hv_vmstate *);
void	hv_error_clear(struct hv_error *);

/*
 * virsh (hvout-virsh.c). Each takes one command's stdout (the error parser
 * its stderr), with or without the blank line virsh adds after a command.
 */
enum hv_state	hvout_virsh_state(const char *word);	/* "shut off" ... */
enum hv_state	hvout_virsh_state_num(int64_t);	/* domstats state.state */
/* list [--all]: the table, new (vshTable) or old (fixed width), or -q. */
int	hvout_virsh_list(const char *, size_t, struct hv_vm_list *);
/* list --name: names only; states are HV_UNKNOWN. */
int	hvout_virsh_list_name(const char *, size_t, struct hv_vm_list *);
/* list --uuid, and list --uuid --name ("<uuid> <name>" lines). */
int	hvout_virsh_list_uuid(const char *, size_t, struct hv_vm_list *);
int	hvout_virsh_dominfo(const char *, size_t, struct hv_vm *);
/* domstate [--reason] */
int	hvout_virsh_domstate(const char *, size_t, struct hv_vmstate *);
/* domstats (any groups, any number of domains) */
int	hvout_virsh_domstats(const char *, size_t, struct hv_vm_list *);
/* These four fill the facts they find (see struct hv_facts). */
int	hvout_virsh_nodeinfo(const char *, size_t, struct hv_facts *);
int	hvout_virsh_nodememstats(const char *, size_t, struct hv_facts *);
int	hvout_virsh_freecell(const char *, size_t, struct hv_facts *);
int	hvout_virsh_version(const char *, size_t, struct hv_facts *);
/* snapshot-list [--parent]: the table, new or old. */
int	hvout_virsh_snapshot_list(const char *, size_t,
	    struct hv_snapshot_list *);
/* snapshot-list --name */
int	hvout_virsh_snapshot_name(const char *, size_t,
	    struct hv_snapshot_list *);
/* The "error: ..." lines virsh writes to stderr. */
int	hvout_virsh_error(const char *, size_t, struct hv_error *);
/*
 * Our id from domain XML (dumpxml or metadata): the id attribute of the
 * element in the https://hvsh.invalid/ns/1 namespace. *id is NULL when the
 * XML has no such element.
 */
int	hvout_virsh_metadata_id(const char *, size_t, char **id);
/*
 * Our id from "virsh metadata DOM --uri NS", which prints our element
 * without its namespace ('<instance id="42"/>').
 */
int	hvout_virsh_metadata_elem(const char *, size_t, char **id);

/* pool-info --bytes, vol-info --bytes: name, size (Capacity), used. */
int	hvout_virsh_pool_info(const char *, size_t, struct hv_pool *);
/* The one line a command prints (vol-path, a disk target), trimmed. */
int	hvout_virsh_line(const char *, size_t, char **);
/* qemu-img info --output=json: the image's own virtual-size, bytes. */
int	hvout_virsh_qemu_img_size(const char *, size_t, int64_t *);
/* sha256sum FILE: the digest as 64 lowercase hex digits. */
int	hvout_virsh_sha256(const char *, size_t, char **);

/* xe (hvout-xe.c). xe's own records, for fields the typed views skip. */
struct hv_xe_field {
	char		*name;		/* "power-state" */
	char		 access[4];	/* " RO", "MRW" ...; "" if none */
	char		*value;		/* continuation lines joined by \n */
};

struct hv_xe_record {
	struct hv_xe_field	*f;
	size_t			 n;
};

struct hv_xe_records {
	struct hv_xe_record	*r;
	size_t			 n;
};

enum hv_state	hvout_xe_state(const char *word);	/* "halted" ... */
/* Any *-list or *-param-list output, also host-cpu-info's untagged one. */
int	hvout_xe_records(const char *, size_t, struct hv_xe_records *);
void	hvout_xe_records_free(struct hv_xe_records *);
/* The first field of that name, or NULL; valid while the record lives. */
const char *hvout_xe_get(const struct hv_xe_record *, const char *name);
/* --minimal: the comma list, with \, and \\ undone. */
int	hvout_xe_minimal(const char *, size_t, struct hv_strlist *);
/* One key of a map value ("k1: v1; k2: v2"); ERR_NOENT if absent. */
int	hvout_xe_map_get(const char *map, size_t len, const char *key,
	    char **value);
/*
 * vm-list, best with params=uuid,name-label,power-state,memory-actual,
 * memory-static-max,VCPUs-number,VCPUs-max,other-config,is-control-domain.
 * dom0, templates and snapshots are left out; hvsh_id is other-config's
 * hvsh-id.
 */
int	hvout_xe_vm_list(const char *, size_t, struct hv_vm_list *);
/*
 * vm-list with those params, read against exist, the uuids of the VMs
 * (vm-list is-control-domain=false --minimal): one VM per uuid of exist, in
 * its order, read from its record if exactly one record claims the uuid
 * and it is clean (every field above once, no other, none over several
 * lines); else flagged unsure with only its uuid. Records of other uuids
 * are dropped. So no value a VM's record prints can add or change another.
 */
int	hvout_xe_vm_list_sure(const char *, size_t,
	    const struct hv_strlist *exist, struct hv_vm_list *);
/* host-param-list (or host-list params=...), plus host-cpu-info. */
int	hvout_xe_host_facts(const char *, size_t, struct hv_facts *);
int	hvout_xe_snapshot_list(const char *, size_t,
	    struct hv_snapshot_list *);
int	hvout_xe_sr_list(const char *, size_t, struct hv_pool_list *);
/* What xe wrote to stderr when it failed. */
int	hvout_xe_error(const char *, size_t, struct hv_error *);

/* vmrun and .vmx files (hvout-vmrun.c). */
/* listed: in "vmrun list"; suspended: a .vmss file is beside the .vmx. */
enum hv_state	hvout_vmrun_state(int listed, int suspended);
/* list: running VMs; name is the .vmx file's name until the .vmx is read. */
int	hvout_vmrun_list(const char *, size_t, struct hv_vm_list *);
/*
 * list as the refresh reads it: a path holding a newline prints as several
 * lines, perhaps another VM's path; *doubt is set when the lines are not
 * the count announced or one comes twice. Not an error either way.
 */
int	hvout_vmrun_list_doubt(const char *, size_t, struct hv_vm_list *,
	    int *doubt);
/* listSnapshots [showTree]: names, with parents from showTree's tabs. */
int	hvout_vmrun_snapshots(const char *, size_t, struct hv_snapshot_list *);
/* The "Error: ..." line vmrun writes (to stdout). */
int	hvout_vmrun_error(const char *, size_t, struct hv_error *);
/* displayName, memsize, numvcpus (default 1), uuid.bios and hvsh.id. */
int	hvout_vmrun_vmx(const char *, size_t, struct hv_vm *);
/* The value of key (case-insensitive; the last one wins); ERR_NOENT. */
int	hvout_vmrun_vmx_get(const char *, size_t, const char *key,
	    char **value);
/*
 * A copy of the .vmx text with key set to value: the first line of that key
 * rewritten, later duplicates dropped, or a line appended; every other line
 * and the line endings kept as they were.
 */
int	hvout_vmrun_vmx_set(const char *, size_t, const char *key,
	    const char *value, char **out);
/* macOS vm_stat: free, inactive and speculative pages, in bytes. */
int	hvout_vmrun_vm_stat(const char *, size_t, int64_t *avail);
/* sha256sum or shasum -a 256: the 64 lowercase hex digits of one line. */
int	hvout_vmrun_sha256(const char *, size_t, char **hex);

/* Helpers shared by the hvout-*.c parsers; other modules have no use. */
struct hvout_lines {
	const char	*p;
	const char	*end;
	size_t		 no;		/* number of the last line returned */
};

int	 hvout_text_check(const char *what, const char *, size_t);
void	 hvout_lines_init(struct hvout_lines *, const char *, size_t);
int	 hvout_lines_next(struct hvout_lines *, const char **, size_t *);
int	 hvout_blank(const char *, size_t);
void	 hvout_trim(const char **, size_t *);
void	 hvout_rtrim(const char *, size_t *);
int	 hvout_prefix(const char *, size_t, const char *);
int	 hvout_eq(const char *, size_t, const char *);
const char *hvout_find(const char *, size_t, const char *);
char	*hvout_dup(const char *, size_t);
int	 hvout_i64(const char *, size_t, int64_t *);
int	 hvout_is_uuid(const char *, size_t);
int	 hvout_datetime(const char *, size_t, int64_t *);
struct hv_vm *hvout_vm_add(struct hv_vm_list *);
struct hv_snapshot *hvout_snapshot_add(struct hv_snapshot_list *);
void	 hvout_strlist_add(struct hv_strlist *, char *);
void	 hvout_error_param(struct hv_error *, const char *, size_t);

#endif
