/*
 * cmd-host.c: host commands. A host is a hypervisor hvsh reaches over SSH;
 * here its record is kept (contacting it arrives with the transport).
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-common.h"
#include "err.h"
#include "name.h"

/*
 * An address is a DNS name, an IPv4 address or an IPv6 address, so only
 * letters, digits, '.', '-', ':' and '[' ']' are needed, and none may start
 * it with '-' (it later becomes an argument of the transport).
 */
static int
address_check(const char *s)
{
	size_t	i, n = strlen(s);

	if (n == 0 || n > 253)
		return err_set(ERR_USAGE, "address must be 1 to 253 characters");
	if (s[0] == '-')
		return err_set(ERR_USAGE, "address may not start with '-'");
	for (i = 0; i < n; i++) {
		if (isalnum((unsigned char)s[i]) || strchr(".-:[]", s[i]) != NULL)
			continue;
		return err_set(ERR_USAGE, "address has a character outside "
		    "letters, digits, '.', '-', ':', '[' and ']'");
	}
	return 0;
}

/* Checks the options shared by add and set before anything is stored. */
static int
host_check_opts(struct ctx *c, struct cmd_args *a)
{
	const char	*v;
	int64_t		 port = arg_i64(a, "port", 22);

	if ((v = arg_str(a, "address")) != NULL && address_check(v) != 0)
		return ctx_error_last(c);
	if (port < 1 || port > 65535)
		return ctx_error(c, ERR_USAGE, "port must be 1 to 65535");
	if ((v = arg_str(a, "user")) != NULL && name_check("remote user", v) != 0)
		return ctx_error(c, ERR_USAGE, "%s", err_msg());
	if ((v = arg_str(a, "key")) != NULL && v[0] == '-')
		return ctx_error(c, ERR_USAGE, "key file may not start with '-'");
	return 0;
}

static int
host_init(struct ctx *c, struct store_txn *tx, struct record *r,
    void *arg)
{
	struct cmd_args	*a = arg;
	char		 path[PATH_MAX];

	record_set(r, HOST_STATUS, "unchecked");
	if (record_get(r, HOST_PORT) == NULL)
		record_set(r, HOST_PORT, "22");
	if (record_get(r, HOST_USER) == NULL)
		record_set(r, HOST_USER, "root");
	/* The key is read later, maybe from another directory: keep it absolute. */
	if (arg_str(a, "key") != NULL) {
		if (realpath(arg_str(a, "key"), path) == NULL)
			return err_set(ERR_INVAL, "key file %s: not found",
			    arg_str(a, "key"));
		record_set(r, HOST_KEY, path);
	}
	return 0;
}

static int
host_add(struct ctx *c, struct cmd_args *a)
{
	int	rc;

	if ((rc = host_check_opts(c, a)) != 0)
		return rc;
	if (!arg_flag(a, "no-check"))
		return ctx_error(c, ERR_FAIL, "this hvsh cannot contact hosts "
		    "yet; record the host with --no-check");
	return cmd_add(c, a, host_init, a);
}

static int
host_set(struct ctx *c, struct cmd_args *a)
{
	int	rc;

	if ((rc = host_check_opts(c, a)) != 0)
		return rc;
	return cmd_set(c, a, NULL);
}

#define HOST_OPTS(req)							\
	{ "address", 'a', OPT_STR, req, 0, NULL, "ADDR",		\
	    "DNS name or IP address to reach the host at" },		\
	{ "driver", 'd', OPT_ENUM, req, 0, host_drivers, "DRIVER",	\
	    "hypervisor: kvm (virsh), xen (xe), vmware (vmrun), libvirt" }, \
	{ "port", 'p', OPT_INT, 0, 0, NULL, "PORT", "SSH port (22)" },	\
	{ "user", 'u', OPT_STR, 0, 0, NULL, "USER",			\
	    "remote user to log in as (root)" },			\
	{ "key", 'k', OPT_FILE, 0, 0, NULL, "FILE",			\
	    "private key on the bastion (else the SSH agent)" },	\
	OPT_TAGS

static const struct cmd_opt host_add_opts[] = {
	OPT_NAME_NEW(KIND_HOST, "name for the host"),
	HOST_OPTS(OPT_REQUIRED),
	{ "no-check", 0, OPT_FLAG, 0, 0, NULL, NULL,
	    "record the host without contacting it (status unchecked)" },
	{ NULL }
};

static const struct cmd_opt host_set_opts[] = {
	OPT_NAME_OLD(KIND_HOST, "the host"),
	HOST_OPTS(0),
	OPT_UNTAG,
	OPT_RENAME(KIND_HOST),
	{ NULL }
};

static const struct cmd_opt host_name_opts[] = {
	OPT_NAME_OLD(KIND_HOST, "the host"),
	{ NULL }
};

static const struct cmd_opt host_remove_opts[] = {
	OPT_NAME_OLD(KIND_HOST, "the host"),
	OPT_FORCE("remove it even if instances or pools refer to it "
	    "(they keep their records)"),
	{ NULL }
};

static const struct cmd_opt no_opts[] = { { NULL } };

const struct cmd_entry cmd_host_add = {
	"host", "add", NULL, host_add_opts, CMD_WRITE | CMD_ADMIN,
	"record a hypervisor host",
	"The host is reached over SSH as USER with KEY (or the agent) and "
	"driven with its hypervisor's own CLI.",
	host_add
};
const struct cmd_entry cmd_host_list = {
	"host", "list", "ls", no_opts, CMD_LIST,
	"list hosts with their status", NULL, cmd_generic_list
};
const struct cmd_entry cmd_host_show = {
	"host", "show", NULL, host_name_opts, CMD_SHOW,
	"show everything known about a host", NULL, cmd_generic_show
};
const struct cmd_entry cmd_host_set = {
	"host", "set", NULL, host_set_opts, CMD_WRITE | CMD_ADMIN,
	"change a host's connection details or labels", NULL, host_set
};
const struct cmd_entry cmd_host_remove = {
	"host", "remove", "rm", host_remove_opts, CMD_WRITE | CMD_ADMIN,
	"forget a host",
	"Refused while instances or pools refer to the host, unless --force.",
	cmd_generic_remove
};
