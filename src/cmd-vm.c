/*
 * cmd-vm.c: the view of one recorded instance. Listing, creating and
 * driving instances are in cmd-vmops.c; volumes and snapshots have files
 * of their own (cmd-volume.c, cmd-snapshot.c).
 */
#include "cmd-common.h"

static const struct cmd_opt vm_name_opts[] = {
	OPT_NAME_OLD(KIND_VM, "the instance"),
	{ NULL }
};

const struct cmd_entry cmd_vm_show = {
	"vm", "show", NULL, vm_name_opts, CMD_SHOW,
	"show an instance: host, image, size, state", NULL, cmd_generic_show
};
