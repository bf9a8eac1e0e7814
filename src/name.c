/*
 * name.c: the one allow-list for object names. Names reach LMDB keys, JSON,
 * terminals and, later, hypervisor command lines; allowing only these
 * characters keeps all of those safe without escaping rules of their own.
 */
#include <string.h>

#include "err.h"
#include "name.h"

int
name_check(const char *what, const char *name)
{
	size_t	len, i;

	if (name == NULL || *name == '\0')
		return err_set(ERR_INVAL, "%s name is empty", what);
	len = strlen(name);
	if (len > NAME_MAXLEN)
		return err_set(ERR_INVAL, "%s name is longer than %d characters",
		    what, NAME_MAXLEN);
	if (name[0] == '-' || name[0] == '.')
		return err_set(ERR_INVAL, "%s name may not start with '%c'",
		    what, name[0]);
	for (i = 0; i < len; i++) {
		unsigned char	ch = (unsigned char)name[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
		    ch == '-')
			continue;
		return err_set(ERR_INVAL, "%s name has a character outside "
		    "letters, digits, '.', '_' and '-' (at position %zu)",
		    what, i + 1);
	}
	return 0;
}
