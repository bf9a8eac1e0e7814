/*
 * keymap.c: a minimal reader of keymap files (include/keymap.h), enough for
 * the dashboard to run; the full one checks each command with the real
 * argument parser. Key codes are ncurses's, written out here so that this
 * file needs no curses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "keymap.h"
#include "lex.h"
#include "util.h"

struct keymap {
	struct keybind	*v;
	size_t		 n;
};

static const struct {
	const char	*name;
	int		 key;
} named[] = {
	{ "Down", 0402 }, { "Up", 0403 }, { "Left", 0404 }, { "Right", 0405 },
	{ "Home", 0406 }, { "BSpace", 0407 }, { "Delete", 0512 },
	{ "PageDown", 0522 }, { "PageUp", 0523 }, { "BTab", 0541 },
	{ "End", 0550 }, { "Enter", '\n' }, { "Tab", '\t' }, { "Space", ' ' },
	{ "Escape", 033 },
};

#define KEY_F0_CODE 0410

int
keymap_key_parse(const char *name, int *key)
{
	size_t	i;
	int	n;

	for (i = 0; i < nitems(named); i++) {
		if (strcmp(named[i].name, name) == 0) {
			*key = named[i].key;
			return 0;
		}
	}
	if (name[0] == 'F' && name[1] >= '1' && name[1] <= '9') {
		n = atoi(name + 1);
		if (n >= 1 && n <= 12) {
			*key = KEY_F0_CODE + n;
			return 0;
		}
	}
	if (strncmp(name, "C-", 2) == 0 && name[2] > ' ' && name[2] < 0x7f &&
	    name[3] == '\0') {
		*key = name[2] & 0x1f;
		return 0;
	}
	if (strncmp(name, "M-", 2) == 0 && name[2] > ' ' && name[2] < 0x7f &&
	    name[3] == '\0') {
		*key = KEYMAP_META | name[2];
		return 0;
	}
	if (name[0] > ' ' && name[0] < 0x7f && name[1] == '\0') {
		*key = name[0];
		return 0;
	}
	return err_set(ERR_USAGE, "unknown key '%s'", name);
}

const char *
keymap_key_name(int key, char *buf, size_t len)
{
	size_t	i;

	for (i = 0; i < nitems(named); i++) {
		if (named[i].key == key) {
			snprintf(buf, len, "%s", named[i].name);
			return buf;
		}
	}
	if (key > KEY_F0_CODE && key <= KEY_F0_CODE + 12)
		snprintf(buf, len, "F%d", key - KEY_F0_CODE);
	else if (key & KEYMAP_META)
		snprintf(buf, len, "M-%c", key & 0x7f);
	else if (key > 0 && key < 0x20)
		snprintf(buf, len, "C-%c", key | 0x60);
	else if (key > ' ' && key < 0x7f)
		snprintf(buf, len, "%c", key);
	else
		snprintf(buf, len, "0x%x", key);
	return buf;
}

static void
bind_free(struct keybind *b)
{
	free((char *)b->table);
	free((char *)b->keyname);
	free((char *)b->command);
	free((char *)b->note);
}

/* Removes table/key from km, if bound. */
static void
keymap_drop(struct keymap *km, const char *table, int key)
{
	size_t	i;

	for (i = 0; i < km->n; i++) {
		if (km->v[i].key == key && strcmp(km->v[i].table, table) == 0) {
			bind_free(&km->v[i]);
			memmove(&km->v[i], &km->v[i + 1],
			    (km->n - i - 1) * sizeof *km->v);
			km->n--;
			return;
		}
	}
}

/* One line; 0, or an ERR_* with the reason in err. */
static int
keymap_line(struct keymap *km, const char *line)
{
	struct lex_result	 res = { 0 };
	struct keybind		 b = { 0 };
	const char		*hash, *table = "main";
	char			*text;
	char			**av;
	int			 ac, k = 1, key, used, rc = 0;

	hash = strstr(line, " # ");
	if (hash == NULL)
		hash = strstr(line, "\t# ");
	text = hash != NULL ? xstrndup(line, (size_t)(hash - line)) :
	    xstrdup(line);
	if ((rc = lex_split(text, 1, &res)) != 0 || res.ncmds == 0)
		goto out;
	av = res.cmds[0].argv;
	ac = res.cmds[0].argc;
	if (strcmp(av[0], "bind") != 0 && strcmp(av[0], "unbind") != 0) {
		rc = err_set(ERR_USAGE, "'%s' is not bind or unbind", av[0]);
		goto out;
	}
	if (k + 1 < ac && strcmp(av[k], "-T") == 0) {
		table = av[k + 1];
		k += 2;
	}
	if (k >= ac) {
		rc = err_set(ERR_USAGE, "missing key");
		goto out;
	}
	if ((rc = keymap_key_parse(av[k], &key)) != 0)
		goto out;
	if (strcmp(av[0], "unbind") == 0) {
		keymap_drop(km, table, key);
		goto out;
	}
	if (k + 1 >= ac) {
		rc = err_set(ERR_USAGE, "missing command");
		goto out;
	}
	if (cmd_find(ac - k - 1, av + k + 1, &used) == NULL) {
		rc = err_set(ERR_USAGE, "unknown command '%s'", av[k + 1]);
		goto out;
	}
	keymap_drop(km, table, key);
	b.table = xstrdup(table);
	b.key = key;
	b.keyname = xstrdup(av[k]);
	b.command = lex_join(av + k + 1, ac - k - 1);
	if (hash != NULL) {
		hash += 3;
		hash += strspn(hash, " \t");
		b.note = xstrndup(hash, strcspn(hash, "\r\n"));
	}
	km->v = xreallocarray(km->v, km->n + 1, sizeof *km->v);
	km->v[km->n++] = b;
out:
	lex_result_free(&res);
	free(text);
	return rc;
}

/* Reads one file into km; ERR_NOENT/ERR_IO if it cannot be read. */
static int
keymap_file(struct keymap *km, const char *path, struct buf *errors)
{
	FILE	*f;
	char	*line = NULL;
	size_t	 cap = 0;
	int	 lineno = 0;

	if ((f = fopen(path, "re")) == NULL)
		return err_set(ERR_NOENT, "%s: cannot read", path);
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (keymap_line(km, line) != 0 && errors != NULL)
			buf_printf(errors, "%s:%d: %s\n", path, lineno,
			    err_msg());
	}
	free(line);
	fclose(f);
	return 0;
}

int
keymap_load(struct keymap **out, const char *shipped_path,
    const char *user_path, struct buf *errors)
{
	struct keymap	*km = xcalloc(1, sizeof *km);
	int		 rc;

	*out = NULL;
	if ((rc = keymap_file(km, shipped_path, errors)) != 0) {
		keymap_free(km);
		return rc;
	}
	if (user_path != NULL)
		(void)keymap_file(km, user_path, NULL);
	*out = km;
	return 0;
}

const struct keybind *
keymap_lookup(const struct keymap *km, const char *table, int key)
{
	size_t	i;

	for (i = 0; i < km->n; i++) {
		if (km->v[i].key == key && strcmp(km->v[i].table, table) == 0)
			return &km->v[i];
	}
	return NULL;
}

size_t
keymap_count(const struct keymap *km)
{
	return km->n;
}

const struct keybind *
keymap_at(const struct keymap *km, size_t i)
{
	return i < km->n ? &km->v[i] : NULL;
}

void
keymap_free(struct keymap *km)
{
	size_t	i;

	if (km == NULL)
		return;
	for (i = 0; i < km->n; i++)
		bind_free(&km->v[i]);
	free(km->v);
	free(km);
}
