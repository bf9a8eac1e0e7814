/*
 * keymap.h: key bindings for the dashboard, read from text files in the
 * way tmux reads its own: each binding maps a key to an hvsh command line,
 * checked by the command parser when it is loaded, with a note that the
 * help screen shows.
 *
 *	# comment
 *	bind [-T TABLE] KEY COMMAND... [# note]
 *	unbind [-T TABLE] KEY
 *
 * Lines are split by the shell's lexer (lex.c). TABLE is "main" (the
 * default) or a view's name (hosts, instances, ...) for bindings of that
 * view only. In COMMAND, the word {sel} stands for the names of the marked
 * rows (or the selected row's), each quoted (keymap_expand).
 *
 * Key codes are ncurses's, so that the dashboard looks up what getch()
 * returns: a character as itself, a control character as its byte, the
 * special keys as KEY_UP and so on (the KM_ values below are those of
 * <curses.h>, restated here so that this file needs no curses), and
 * M-x (escape, then x) as KM_META | x.
 */
#ifndef HVSH_KEYMAP_H
#define HVSH_KEYMAP_H

#include <stddef.h>

#include "util.h"

#define KM_KEY_DOWN	0402
#define KM_KEY_UP	0403
#define KM_KEY_LEFT	0404
#define KM_KEY_RIGHT	0405
#define KM_KEY_HOME	0406
#define KM_KEY_BACKSPACE 0407
#define KM_KEY_F0	0410
#define KM_KEY_F(n)	(KM_KEY_F0 + (n))
#define KM_KEY_DC	0512
#define KM_KEY_NPAGE	0522
#define KM_KEY_PPAGE	0523
#define KM_KEY_ENTER	0527
#define KM_KEY_BTAB	0541
#define KM_KEY_END	0550
#define KM_META		0x10000

/* The tables a binding may name: "main" and the dashboard's views. */
extern const char *const keymap_tables[];

struct keybind {
	const char	*table;		/* "main" or a view's name */
	int		 key;
	const char	*keyname;	/* as keymap_key_name writes it */
	const char	*command;	/* a command line, {sel} left as is */
	const char	*note;		/* for the help screen; NULL if none */
};

struct keymap;

/*
 * Reads the shipped keymap file, then the user's (NULL or a missing file:
 * none), whose bindings replace those of the same table and key. A bad
 * line is reported in errors as "FILE:LINE: why\n" and left out; the rest
 * loads. Returns 0, even with bad lines, or an ERR_* code (with err_msg)
 * if the shipped file cannot be read. *out is set only on success.
 */
int	keymap_load(struct keymap **out, const char *shipped_path,
	    const char *user_path, struct buf *errors);
void	keymap_free(struct keymap *);

/*
 * The binding of key in table: a view's own, else main's. table NULL is
 * main. Enter, Backspace and their other codes ('\r', KEY_ENTER, DEL, ^H)
 * find the binding of Enter or BSpace. NULL if the key is not bound. Valid
 * until the keymap is freed.
 */
const struct keybind *keymap_lookup(const struct keymap *, const char *table,
	    int key);
/* The bindings in file order (shipped, then the user's new ones). */
size_t	keymap_count(const struct keymap *);
const struct keybind *keymap_at(const struct keymap *, size_t i);

/* A key's name ("j", "C-f", "M-<", "PageDown") to its code. 0 or ERR_USAGE. */
int	keymap_key_parse(const char *name, int *key);
/* A code's name, written into buf; "?" for a code no name gives. */
const char *keymap_key_name(int key, char *buf, size_t len);

/*
 * A binding's command line with each {sel} word replaced by the names,
 * each quoted for lex.c. The caller frees.
 */
char	*keymap_expand(const char *command, char *const *names, size_t n);

/*
 * Where the keymap called name is: name itself if it holds a '/';
 * else NAME.keys in $HVSH_KEYMAP_DIR, in the installed keymaps
 * ($(PREFIX)/share/hvsh/keymaps), or in the source tree's keymaps/ beside
 * the build directory of the running binary. The caller frees *path.
 * 0, ERR_NOENT or ERR_USAGE (a name that is no plain word).
 */
int	keymap_find(const char *name, char **path);
/* The keymap to use: name if set, else $HVSH_KEYMAP, else "default". */
const char *keymap_choose(const char *name);
/* The user's override file: $HVSH_HOME/keys (home is the hvsh directory). */
char	*keymap_user_path(const char *home);

#endif
