/*
 * schema.h: the kinds of record hvsh keeps and their fields. This is pure
 * data (schema.c); the store, the list output, filters, completion and help
 * all read it, so a field is declared once.
 *
 * Every value is held as a string in canonical form: integers and sizes in
 * decimal bytes, times in decimal unix seconds, references as the decimal id
 * of the referenced record. Presentation (names for ids, "2.0 GiB", dates)
 * happens at the edges.
 */
#ifndef HVSH_SCHEMA_H
#define HVSH_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

/* Version of the on-disk layout. Bump it, and add a migration, on change. */
#define SCHEMA_VERSION 1

enum kind {
	KIND_HOST,
	KIND_POOL,
	KIND_IMAGE,
	KIND_VM,
	KIND_VOLUME,
	KIND_SNAPSHOT,
	KIND_USER,
	KIND_AUDIT,
	KIND__COUNT
};

enum ftype {
	FT_STR,		/* free text */
	FT_INT,		/* decimal integer */
	FT_SIZE,	/* bytes, decimal */
	FT_TIME,	/* unix seconds, decimal */
	FT_ENUM,	/* one of field_def.enums */
	FT_REF,		/* id of a record of kind field_def.ref */
	FT_TAGS,	/* "k=v,k=v", keys sorted */
};

#define F_DEFAULT	0x01	/* shown by list without --columns */
#define F_INDEXED	0x02	/* FT_REF with a secondary index (kind.field) */
#define F_REQUIRED	0x04	/* must be set on every record */
#define F_READONLY	0x08	/* maintained by hvsh, not settable by 'set' */
#define F_SECRET	0x10	/* never shown (none yet; reserved) */

/* Field indexes shared by every kind; kind-specific ones follow. */
#define FI_NAME		0
#define FI_CREATED	1
#define FI_UPDATED	2
#define FI_COMMON	3

#define RECORD_MAXFIELDS 24

struct field_def {
	const char		 *name;		/* column, filter and JSON key */
	uint8_t			  tag;		/* stable on-disk tag; never reused */
	enum ftype		  type;
	int			  flags;
	enum kind		  ref;		/* FT_REF: kind referenced */
	const char *const	 *enums;	/* FT_ENUM: NULL-terminated */
	const char		 *help;
};

struct kind_def {
	enum kind		  kind;
	const char		 *name;		/* "host"; also the noun and LMDB db name */
	const char		 *plural;	/* "hosts" */
	const struct field_def	 *fields;	/* fields[0..2] are name, created, updated */
	size_t			  nfields;
	/*
	 * Names are unique per kind, or per value of scope_field when that is
	 * >= 0 (snapshot names are unique per vm).
	 */
	int			  scope_field;
};

const struct kind_def	*kind_def(enum kind);
/* Looks a kind up by name or plural; NULL if none. */
const struct kind_def	*kind_by_name(const char *);
/* Index of field in kind, or -1. */
int			 kind_field(const struct kind_def *, const char *field);
/* 1 if value is in the field's enum list. */
int			 field_enum_ok(const struct field_def *, const char *value);

/* Field indexes per kind, for code that reads records directly. */
enum { HOST_ADDRESS = FI_COMMON, HOST_PORT, HOST_DRIVER, HOST_USER, HOST_KEY,
	HOST_STATUS, HOST_CPUS, HOST_MEMORY, HOST_MEMFREE, HOST_HVVERSION,
	HOST_LASTSEEN, HOST_TAGS, HOST_ACCEL, HOST_PRODUCT, HOST__N };
enum { POOL_ROLE = FI_COMMON, POOL_TYPE, POOL_PATH, POOL_HOST, POOL_CAPACITY,
	POOL_TAGS, POOL_HOSTPATHS, POOL_USED, POOL__N };
enum { IMAGE_KIND = FI_COMMON, IMAGE_FORMAT, IMAGE_OS, IMAGE_ARCH, IMAGE_SIZE,
	IMAGE_SHA256, IMAGE_LOCATION, IMAGE_POOL, IMAGE_OWNER, IMAGE_TAGS,
	IMAGE_VSIZE, IMAGE_PARENT, IMAGE_SOURCEVM, IMAGE_COPIES, IMAGE__N };
enum { VM_HOST = FI_COMMON, VM_IMAGE, VM_STATE, VM_CPUS, VM_MEMORY, VM_DISK,
	VM_OWNER, VM_UUID, VM_LASTSEEN, VM_TAGS, VM_NETWORK, VM__N };
enum { VOLUME_POOL = FI_COMMON, VOLUME_VM, VOLUME_SIZE, VOLUME_FORMAT,
	VOLUME_PATH, VOLUME_STATE, VOLUME_OWNER, VOLUME_TAGS, VOLUME_ROLE,
	VOLUME_MANAGED, VOLUME_HOST, VOLUME_IMAGE, VOLUME_REF, VOLUME_DEVICE,
	VOLUME__N };
enum { SNAPSHOT_VM = FI_COMMON, SNAPSHOT_STATE, SNAPSHOT_DESCRIPTION,
	SNAPSHOT_REF, SNAPSHOT_MEMORY, SNAPSHOT__N };
enum { USER_ROLE = FI_COMMON, USER__N };
enum { AUDIT_TIME = FI_COMMON, AUDIT_USER, AUDIT_COMMAND, AUDIT_STATUS,
	AUDIT_RESULT, AUDIT__N };

extern const char *const host_drivers[];
extern const char *const user_roles[];

#endif
