/*
 * cmd-image.c: the image repository: ISO images, templates and disk images
 * with their metadata. 'image add' records a file that already exists: its
 * size, its format read from its magic bytes, and its sha256.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-common.h"
#include "err.h"
#include "probe.h"

static const char *const image_kinds[] = { "iso", "template", "disk", NULL };
static const char *const image_formats[] = { "qcow2", "raw", "vmdk", "vhd",
	"iso", "xva", NULL };

struct image_add {
	struct probe_result	 pr;
	char			 path[PATH_MAX];
};

/*
 * Fills what the file says about itself. A format given by the user must
 * agree with the magic, except that a file with no magic may be called any
 * headerless format (a flat vmdk extent is raw bytes).
 */
static int
image_init(struct ctx *c, struct store_txn *tx, struct record *r,
    void *arg)
{
	struct image_add	*ia = arg;
	const char		*given = record_get(r, IMAGE_FORMAT);
	const char		*kind = record_get(r, IMAGE_KIND);

	if (given != NULL && strcmp(given, ia->pr.format) != 0 &&
	    strcmp(ia->pr.format, "raw") != 0)
		return err_set(ERR_INVAL, "%s is %s by its contents, not %s",
		    ia->path, ia->pr.format, given);
	if (given == NULL)
		record_set(r, IMAGE_FORMAT, ia->pr.format);
	if (kind != NULL && strcmp(kind, "iso") == 0 &&
	    strcmp(record_get(r, IMAGE_FORMAT), "iso") != 0)
		return err_set(ERR_INVAL, "%s is %s, not an ISO image",
		    ia->path, record_get(r, IMAGE_FORMAT));
	record_set_i64(r, IMAGE_SIZE, ia->pr.size);
	record_set(r, IMAGE_SHA256, ia->pr.sha256);
	record_set(r, IMAGE_LOCATION, ia->path);
	if (record_get(r, IMAGE_OWNER) == NULL)
		record_set(r, IMAGE_OWNER, c->user);
	return 0;
}

static int
image_add(struct ctx *c, struct cmd_args *a)
{
	struct image_add	ia;
	const char		*file = arg_str(a, "file");

	/* Hash before the transaction: a large file must not hold the writer. */
	if (probe_file(file, &ia.pr) != 0)
		return ctx_error_last(c);
	if (realpath(file, ia.path) == NULL)
		return ctx_error(c, ERR_IO, "%s: cannot resolve path", file);
	return cmd_add(c, a, image_init, &ia);
}

#define IMAGE_META_OPTS							\
	{ "os", 0, OPT_STR, 0, 0, NULL, "OS", "operating system, e.g. centos9" }, \
	{ "arch", 0, OPT_STR, 0, 0, NULL, "ARCH",			\
	    "architecture, e.g. x86_64" },				\
	{ "owner", 0, OPT_STR, 0, 0, NULL, "OWNER",			\
	    "who owns it (default: you)" },				\
	OPT_TAGS

static const struct cmd_opt image_add_opts[] = {
	OPT_NAME_NEW(KIND_IMAGE, "name for the image"),
	{ "file", 0, OPT_FILE, OPT_REQUIRED, 0, NULL, "FILE",
	    "the image file (ISO, qcow2, raw, vmdk, vhd, xva)" },
	{ "kind", 'k', OPT_ENUM, OPT_REQUIRED, 0, image_kinds, "KIND",
	    "iso, template or disk" },
	{ "format", 0, OPT_ENUM, 0, 0, image_formats, "FORMAT",
	    "format, when the contents cannot tell (default: detected)" },
	{ "pool", 0, OPT_NAME, OPT_EXISTING, KIND_POOL, NULL, "POOL",
	    "secondary pool that holds the file" },
	IMAGE_META_OPTS,
	{ NULL }
};

static const struct cmd_opt image_set_opts[] = {
	OPT_NAME_OLD(KIND_IMAGE, "the image"),
	{ "kind", 'k', OPT_ENUM, 0, 0, image_kinds, "KIND",
	    "iso, template or disk" },
	IMAGE_META_OPTS,
	OPT_UNTAG,
	OPT_RENAME(KIND_IMAGE),
	{ NULL }
};

static const struct cmd_opt image_name_opts[] = {
	OPT_NAME_OLD(KIND_IMAGE, "the image"),
	{ NULL }
};

static const struct cmd_opt image_remove_opts[] = {
	OPT_NAME_OLD(KIND_IMAGE, "the image"),
	OPT_FORCE("remove it even if instances were made from it "
	    "(they keep their records)"),
	{ NULL }
};

static const struct cmd_opt no_opts[] = { { NULL } };

const struct cmd_entry cmd_image_add = {
	"image", "add", NULL, image_add_opts, CMD_WRITE | CMD_ADMIN,
	"record an image file in the repository",
	"Reads the whole file once for its sha256; the format comes from its "
	"magic bytes.",
	image_add
};
const struct cmd_entry cmd_image_list = {
	"image", "list", "ls", no_opts, CMD_LIST,
	"list images", NULL, cmd_generic_list
};
const struct cmd_entry cmd_image_show = {
	"image", "show", NULL, image_name_opts, CMD_SHOW,
	"show an image's metadata", NULL, cmd_generic_show
};
const struct cmd_entry cmd_image_set = {
	"image", "set", NULL, image_set_opts, CMD_WRITE | CMD_ADMIN,
	"change an image's metadata", NULL, cmd_generic_set
};
const struct cmd_entry cmd_image_remove = {
	"image", "remove", "rm", image_remove_opts,
	CMD_WRITE | CMD_ADMIN | CMD_DESTRUCTIVE,
	"forget an image (the file stays)",
	"Refused while instances made from the image exist, unless --force.",
	cmd_generic_remove
};
