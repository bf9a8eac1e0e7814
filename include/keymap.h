/*
 * keymap.h: key bindings of the dashboard, read from text files
 * (keymaps/NAME.keys, and the user's own), one binding per line:
 *
 *	bind [-T TABLE] KEY COMMAND... [# note]
 *	unbind [-T TABLE] KEY
 *
 * COMMAND is an hvsh command line, checked against the command table.
 * Key codes are ncurses's: a control character as its byte, M-x as
 * 0x10000 | x, named keys as KEY_UP and friends.
 */
#ifndef HVSH_KEYMAP_H
#define HVSH_KEYMAP_H

#include <stddef.h>

#include "util.h"

#define KEYMAP_META	0x10000

struct keymap;

struct keybind {
	const char	*table;		/* "main" or a view name */
	int		 key;
	const char	*keyname;
	const char	*command;
	const char	*note;		/* may be NULL */
};

/*
 * Loads the shipped keymap, then the user's (may be NULL or missing),
 * whose bindings override. A bad line is reported in errors as
 * "FILE:LINE: why" and the rest still loads. 0 even with bad lines; an
 * ERR_* code only if the shipped file cannot be read.
 */
int	keymap_load(struct keymap **out, const char *shipped_path,
	    const char *user_path, struct buf *errors);
const struct keybind *keymap_lookup(const struct keymap *, const char *table,
	    int key);
size_t	keymap_count(const struct keymap *);
const struct keybind *keymap_at(const struct keymap *, size_t i);
void	keymap_free(struct keymap *);

/* A key's name ("j", "C-x", "Up") to its code; 0 or ERR_USAGE. */
int	keymap_key_parse(const char *name, int *key);
const char *keymap_key_name(int key, char *buf, size_t len);

#endif
