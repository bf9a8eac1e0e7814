/*
 * schema.c: the kinds of record and their fields, as data. Tags are the
 * on-disk identity of a field: never change or reuse one; add new fields with
 * new tags (old records simply lack them).
 */
#include <string.h>

#include "schema.h"

const char *const host_drivers[] = { "kvm", "xen", "vmware", "libvirt", NULL };
const char *const user_roles[] = { "viewer", "operator", "admin", NULL };
static const char *const yes_no[] = { "yes", "no", NULL };

static const char *const host_status[] = { "unchecked", "ok", "unreachable",
	"error", NULL };
static const char *const pool_roles[] = { "primary", "secondary", NULL };
static const char *const pool_types[] = { "dir", "nfs", "iscsi", "zfs", "lvm",
	NULL };
static const char *const image_kinds[] = { "iso", "template", "disk", NULL };
static const char *const image_formats[] = { "qcow2", "raw", "vmdk", "vhd",
	"iso", "xva", "vmx", NULL };
static const char *const vm_states[] = { "running", "stopped", "paused",
	"suspended", "crashed", "unknown", NULL };
static const char *const volume_states[] = { "available", "attached", NULL };
static const char *const volume_roles[] = { "data", "root", "cdrom", NULL };

#define COMMON_FIELDS(what)						\
	{ "name", 1, FT_STR, F_DEFAULT | F_REQUIRED, 0, NULL,		\
	    "name of the " what },					\
	{ "created", 2, FT_TIME, F_READONLY, 0, NULL,			\
	    "when the record was made" },				\
	{ "updated", 3, FT_TIME, F_READONLY, 0, NULL,			\
	    "when the record last changed" }

static const struct field_def host_fields[] = {
	COMMON_FIELDS("host"),
	{ "address", 10, FT_STR, F_DEFAULT | F_REQUIRED, 0, NULL,
	    "DNS name or IP address hvsh connects to" },
	{ "port", 11, FT_INT, 0, 0, NULL, "SSH port" },
	{ "driver", 12, FT_ENUM, F_DEFAULT | F_REQUIRED, 0, host_drivers,
	    "hypervisor driver: kvm, xen, vmware or libvirt" },
	{ "user", 13, FT_STR, 0, 0, NULL, "remote user hvsh logs in as" },
	{ "key", 14, FT_STR, 0, 0, NULL,
	    "private key file on the bastion (else the agent)" },
	{ "status", 15, FT_ENUM, F_DEFAULT | F_READONLY, 0, host_status,
	    "result of the last contact" },
	{ "cpus", 16, FT_INT, F_DEFAULT | F_READONLY, 0, NULL,
	    "CPUs the host has" },
	{ "memory", 17, FT_SIZE, F_DEFAULT | F_READONLY, 0, NULL,
	    "memory the host has" },
	{ "mem_free", 18, FT_SIZE, F_READONLY, 0, NULL,
	    "memory free at last contact" },
	{ "hv_version", 19, FT_STR, F_READONLY, 0, NULL,
	    "hypervisor CLI version" },
	{ "last_seen", 20, FT_TIME, F_DEFAULT | F_READONLY, 0, NULL,
	    "time of the last good contact" },
	{ "tags", 21, FT_TAGS, 0, 0, NULL, "key=value labels" },
	{ "accel", 22, FT_ENUM, F_READONLY, 0, yes_no,
	    "kvm: yes if /dev/kvm is there (domains of type kvm)" },
	{ "product", 23, FT_STR, F_READONLY, 0, NULL,
	    "vmware: ws, fusion or player" },
};

static const struct field_def pool_fields[] = {
	COMMON_FIELDS("pool"),
	{ "role", 10, FT_ENUM, F_DEFAULT | F_REQUIRED, 0, pool_roles,
	    "primary (instance disks) or secondary (images, snapshots)" },
	{ "type", 11, FT_ENUM, F_DEFAULT | F_REQUIRED, 0, pool_types,
	    "dir, nfs, iscsi, zfs or lvm" },
	{ "path", 12, FT_STR, F_DEFAULT | F_REQUIRED, 0, NULL,
	    "where the storage is (directory, export, target)" },
	{ "host", 13, FT_REF, F_DEFAULT | F_INDEXED, KIND_HOST, NULL,
	    "host the pool belongs to, if local to one" },
	{ "capacity", 14, FT_SIZE, F_DEFAULT, 0, NULL, "size of the pool" },
	{ "tags", 15, FT_TAGS, 0, 0, NULL, "key=value labels" },
	{ "host_paths", 16, FT_TAGS, 0, 0, NULL,
	    "hosts that see the pool, and where: host=path,..." },
	{ "used", 17, FT_SIZE, F_DEFAULT | F_READONLY, 0, NULL,
	    "space used, as the hosts last said" },
};

static const struct field_def image_fields[] = {
	COMMON_FIELDS("image"),
	{ "kind", 10, FT_ENUM, F_DEFAULT | F_REQUIRED, 0, image_kinds,
	    "iso, template or disk" },
	{ "format", 11, FT_ENUM, F_DEFAULT | F_REQUIRED, 0, image_formats,
	    "qcow2, raw, vmdk, vhd, iso or xva" },
	{ "os", 12, FT_STR, F_DEFAULT, 0, NULL, "operating system" },
	{ "arch", 13, FT_STR, 0, 0, NULL, "architecture (x86_64, aarch64)" },
	{ "size", 14, FT_SIZE, F_DEFAULT | F_READONLY, 0, NULL,
	    "size of the file" },
	{ "sha256", 15, FT_STR, F_READONLY, 0, NULL, "sha256 of the file" },
	{ "location", 16, FT_STR, F_READONLY, 0, NULL,
	    "where the image's bytes live" },
	{ "pool", 17, FT_REF, F_INDEXED, KIND_POOL, NULL,
	    "secondary pool holding the image" },
	{ "owner", 18, FT_STR, F_DEFAULT, 0, NULL, "who owns the image" },
	{ "tags", 19, FT_TAGS, 0, 0, NULL, "key=value labels" },
	{ "virtual_size", 20, FT_SIZE, F_DEFAULT | F_READONLY, 0, NULL,
	    "size of the disk the image holds (qcow2, vmdk, vhd headers)" },
	{ "parent", 21, FT_REF, F_READONLY, KIND_IMAGE, NULL,
	    "image the captured instance was made from" },
	{ "source_vm", 22, FT_STR, F_READONLY, 0, NULL,
	    "instance the image was captured from" },
	{ "copies", 23, FT_TAGS, F_READONLY, 0, NULL,
	    "hosts the image was pushed to: host=path,..." },
};

static const struct field_def vm_fields[] = {
	COMMON_FIELDS("instance"),
	{ "host", 10, FT_REF, F_DEFAULT | F_INDEXED, KIND_HOST, NULL,
	    "host the instance runs on" },
	{ "image", 11, FT_REF, F_DEFAULT | F_INDEXED, KIND_IMAGE, NULL,
	    "image the instance was made from" },
	{ "state", 12, FT_ENUM, F_DEFAULT | F_READONLY, 0, vm_states,
	    "running, stopped, paused, suspended, crashed or unknown" },
	{ "cpus", 13, FT_INT, F_DEFAULT, 0, NULL, "virtual CPUs" },
	{ "memory", 14, FT_SIZE, F_DEFAULT, 0, NULL, "memory" },
	{ "disk", 15, FT_SIZE, 0, 0, NULL, "root disk size" },
	{ "owner", 16, FT_STR, 0, 0, NULL, "who owns the instance" },
	{ "uuid", 17, FT_STR, F_READONLY, 0, NULL,
	    "the hypervisor's identifier" },
	{ "last_seen", 18, FT_TIME, F_READONLY, 0, NULL,
	    "time of the last good state" },
	{ "tags", 19, FT_TAGS, 0, 0, NULL, "key=value labels" },
	{ "network", 20, FT_STR, 0, 0, NULL, "network the instance is on" },
};

static const struct field_def volume_fields[] = {
	COMMON_FIELDS("volume"),
	{ "pool", 10, FT_REF, F_DEFAULT | F_INDEXED, KIND_POOL, NULL,
	    "primary pool holding the volume" },
	{ "vm", 11, FT_REF, F_DEFAULT | F_INDEXED, KIND_VM, NULL,
	    "instance the volume is attached to" },
	{ "size", 12, FT_SIZE, F_DEFAULT, 0, NULL, "size" },
	{ "format", 13, FT_ENUM, F_DEFAULT, 0, image_formats, "disk format" },
	{ "path", 14, FT_STR, 0, 0, NULL, "where the volume lives" },
	{ "state", 15, FT_ENUM, F_DEFAULT | F_READONLY, 0, volume_states,
	    "available or attached" },
	{ "owner", 16, FT_STR, 0, 0, NULL, "who owns the volume" },
	{ "tags", 17, FT_TAGS, 0, 0, NULL, "key=value labels" },
	{ "role", 18, FT_ENUM, F_DEFAULT | F_READONLY, 0, volume_roles,
	    "data (a volume), root (an instance's disk) or cdrom" },
	{ "managed", 19, FT_ENUM, F_READONLY, 0, yes_no,
	    "yes if hvsh made the disk (and removes it)" },
	{ "host", 20, FT_REF, F_READONLY, KIND_HOST, NULL,
	    "host the disk was made on" },
	{ "image", 21, FT_REF, F_READONLY, KIND_IMAGE, NULL,
	    "image the disk was made from" },
	{ "ref", 22, FT_STR, F_READONLY, 0, NULL,
	    "the hypervisor's id for the disk (xe: VDI uuid)" },
	{ "device", 23, FT_STR, F_READONLY, 0, NULL,
	    "device on the instance it is attached to" },
};

static const struct field_def snapshot_fields[] = {
	COMMON_FIELDS("snapshot"),
	{ "vm", 10, FT_REF, F_DEFAULT | F_REQUIRED | F_INDEXED, KIND_VM, NULL,
	    "instance the snapshot belongs to" },
	{ "state", 11, FT_ENUM, F_DEFAULT, 0, vm_states,
	    "state of the instance when taken" },
	{ "description", 12, FT_STR, F_DEFAULT, 0, NULL, "free text" },
	{ "ref", 13, FT_STR, F_READONLY, 0, NULL,
	    "the hypervisor's id for the snapshot (xe: its uuid)" },
	{ "memory", 14, FT_ENUM, F_READONLY, 0, yes_no,
	    "yes if memory was saved with the disks" },
};

static const struct field_def user_fields[] = {
	COMMON_FIELDS("user"),
	{ "role", 10, FT_ENUM, F_DEFAULT | F_REQUIRED, 0, user_roles,
	    "viewer (read), operator (instances) or admin (everything)" },
};

static const struct field_def audit_fields[] = {
	{ "name", 1, FT_STR, 0, 0, NULL, "event number" },
	{ "created", 2, FT_TIME, F_READONLY, 0, NULL, "when it was recorded" },
	{ "updated", 3, FT_TIME, F_READONLY, 0, NULL, "same as created" },
	{ "time", 10, FT_TIME, F_DEFAULT, 0, NULL, "when it happened" },
	{ "user", 11, FT_STR, F_DEFAULT, 0, NULL, "Unix user who ran it" },
	{ "command", 12, FT_STR, F_DEFAULT, 0, NULL, "the command line" },
	{ "status", 13, FT_INT, F_DEFAULT, 0, NULL,
	    "exit status: 0 done, 1 failed, 2 usage, 3 denied" },
	{ "result", 14, FT_STR, F_DEFAULT, 0, NULL, "what came of it" },
};

#define KIND(k, n, p, f, scope) \
	{ k, n, p, f, sizeof(f) / sizeof((f)[0]), scope }

static const struct kind_def kinds[KIND__COUNT] = {
	KIND(KIND_HOST, "host", "hosts", host_fields, -1),
	KIND(KIND_POOL, "pool", "pools", pool_fields, -1),
	KIND(KIND_IMAGE, "image", "images", image_fields, -1),
	KIND(KIND_VM, "vm", "vms", vm_fields, -1),
	KIND(KIND_VOLUME, "volume", "volumes", volume_fields, -1),
	KIND(KIND_SNAPSHOT, "snapshot", "snapshots", snapshot_fields,
	    SNAPSHOT_VM),
	KIND(KIND_USER, "user", "users", user_fields, -1),
	KIND(KIND_AUDIT, "audit", "audit", audit_fields, -1),
};

/* The per-kind enums in schema.h must match the field arrays above. */
_Static_assert(sizeof(host_fields) / sizeof(host_fields[0]) == HOST__N, "host");
_Static_assert(sizeof(pool_fields) / sizeof(pool_fields[0]) == POOL__N, "pool");
_Static_assert(sizeof(image_fields) / sizeof(image_fields[0]) == IMAGE__N, "image");
_Static_assert(sizeof(vm_fields) / sizeof(vm_fields[0]) == VM__N, "vm");
_Static_assert(sizeof(volume_fields) / sizeof(volume_fields[0]) == VOLUME__N, "volume");
_Static_assert(sizeof(snapshot_fields) / sizeof(snapshot_fields[0]) == SNAPSHOT__N, "snapshot");
_Static_assert(sizeof(user_fields) / sizeof(user_fields[0]) == USER__N, "user");
_Static_assert(sizeof(audit_fields) / sizeof(audit_fields[0]) == AUDIT__N, "audit");
_Static_assert(HOST__N <= RECORD_MAXFIELDS && IMAGE__N <= RECORD_MAXFIELDS &&
    VM__N <= RECORD_MAXFIELDS, "RECORD_MAXFIELDS");

const struct kind_def *
kind_def(enum kind k)
{
	if ((unsigned)k >= KIND__COUNT)
		return NULL;
	return &kinds[k];
}

const struct kind_def *
kind_by_name(const char *name)
{
	size_t	i;

	for (i = 0; i < KIND__COUNT; i++) {
		if (strcmp(kinds[i].name, name) == 0 ||
		    strcmp(kinds[i].plural, name) == 0)
			return &kinds[i];
	}
	return NULL;
}

int
kind_field(const struct kind_def *kd, const char *field)
{
	size_t	i;

	for (i = 0; i < kd->nfields; i++) {
		if (strcmp(kd->fields[i].name, field) == 0)
			return (int)i;
	}
	return -1;
}

int
field_enum_ok(const struct field_def *fd, const char *value)
{
	const char *const	*e;

	if (fd->enums == NULL)
		return 0;
	for (e = fd->enums; *e != NULL; e++) {
		if (strcmp(*e, value) == 0)
			return 1;
	}
	return 0;
}
