/*
 * keymap.c: key bindings read from keymap files (keymap.h). A shipped file
 * and the user's are read by the same code, line by line with the shell's
 * lexer, and every bound command is checked by the command parser, so a
 * binding that could not run is reported where it is written, not when
 * the key is pressed.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "err.h"
#include "keymap.h"
#include "lex.h"
#include "util.h"

#ifndef HVSH_DATADIR
#define HVSH_DATADIR "/usr/local/share/hvsh"
#endif

/* Longest line read; a longer one is refused, not cut. */
#define KM_MAXLINE 4096

const char *const keymap_tables[] = {
	"main", "hosts", "instances", "images", "pools", "volumes",
	"snapshots", "events", NULL
};

/* A binding and where it was written, for "bound twice" messages. */
struct kb_ent {
	struct keybind	 kb;		/* first: keymap_at hands out &kb */
	int		 layer;		/* 0 shipped, 1 the user's */
	int		 line;
};

struct keymap {
	struct kb_ent	*v;
	size_t		 n;
	size_t		 cap;
};

/* Names of the special keys; the first of a code is the one written. */
static const struct {
	const char	*name;
	int		 key;
} km_names[] = {
	{ "Up", KM_KEY_UP },
	{ "Down", KM_KEY_DOWN },
	{ "Left", KM_KEY_LEFT },
	{ "Right", KM_KEY_RIGHT },
	{ "PageUp", KM_KEY_PPAGE },
	{ "PageDown", KM_KEY_NPAGE },
	{ "PgUp", KM_KEY_PPAGE },
	{ "PgDn", KM_KEY_NPAGE },
	{ "Home", KM_KEY_HOME },
	{ "End", KM_KEY_END },
	{ "Enter", '\n' },
	{ "Tab", '\t' },
	{ "BTab", KM_KEY_BTAB },
	{ "Space", ' ' },
	{ "Escape", 0x1b },
	{ "BSpace", KM_KEY_BACKSPACE },
	{ "Delete", KM_KEY_DC },
};

/* Control characters named by the key after "C-" other than a letter. */
static const struct {
	const char	*name;
	int		 key;
} km_ctrl[] = {
	{ "Space", 0 },
	{ "@", 0 },
	{ "[", 0x1b },
	{ "\\", 0x1c },
	{ "]", 0x1d },
	{ "^", 0x1e },
	{ "_", 0x1f },
};

/* A key without modifiers: a special name, F1..F12 or a printable byte. */
static int
key_base(const char *name, int *key)
{
	size_t	i;
	char	*end;
	long	n;

	for (i = 0; i < nitems(km_names); i++) {
		if (strcasecmp(name, km_names[i].name) == 0) {
			*key = km_names[i].key;
			return 0;
		}
	}
	if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' &&
	    name[1] <= '9') {
		n = strtol(name + 1, &end, 10);
		if (*end == '\0' && n >= 1 && n <= 12) {
			*key = KM_KEY_F(n);
			return 0;
		}
	}
	if (name[0] > 0x20 && name[0] < 0x7f && name[1] == '\0') {
		*key = (unsigned char)name[0];
		return 0;
	}
	return ERR_USAGE;
}

int
keymap_key_parse(const char *name, int *key)
{
	int	meta = 0, ctrl = 0, k;
	size_t	i;

	/* Modifiers first ("M-C-x", "C-M-x"), each at most once. */
	for (;;) {
		if (strncmp(name, "M-", 2) == 0 && name[2] != '\0' && !meta)
			meta = 1;
		else if (strncmp(name, "C-", 2) == 0 && name[2] != '\0' &&
		    !ctrl)
			ctrl = 1;
		else
			break;
		name += 2;
	}
	if (ctrl) {
		k = -1;
		if (((name[0] >= 'a' && name[0] <= 'z') ||
		    (name[0] >= 'A' && name[0] <= 'Z')) && name[1] == '\0')
			k = (name[0] | 0x20) - 'a' + 1;
		for (i = 0; k < 0 && i < nitems(km_ctrl); i++) {
			if (strcmp(name, km_ctrl[i].name) == 0)
				k = km_ctrl[i].key;
		}
		if (k < 0)
			return err_set(ERR_USAGE, "no control key C-%s", name);
	} else if (key_base(name, &k) != 0)
		return err_set(ERR_USAGE, "unknown key '%s'", name);
	*key = meta ? (KM_META | k) : k;
	return 0;
}

const char *
keymap_key_name(int key, char *buf, size_t len)
{
	char	 rest[32];
	size_t	 i;

	if (key & KM_META) {
		snprintf(buf, len, "M-%s", keymap_key_name(key & ~KM_META,
		    rest, sizeof rest));
		return buf;
	}
	for (i = 0; i < nitems(km_names); i++) {
		if (km_names[i].key == key) {
			snprintf(buf, len, "%s", km_names[i].name);
			return buf;
		}
	}
	if (key >= KM_KEY_F(1) && key <= KM_KEY_F(12))
		snprintf(buf, len, "F%d", key - KM_KEY_F0);
	else if (key == 0)
		snprintf(buf, len, "C-Space");
	else if (key >= 1 && key <= 26)
		snprintf(buf, len, "C-%c", 'a' + key - 1);
	else if (key >= 0x1c && key <= 0x1f)
		snprintf(buf, len, "C-%c", "\\]^_"[key - 0x1c]);
	else if (key > 0x20 && key < 0x7f)
		snprintf(buf, len, "%c", key);
	else
		snprintf(buf, len, "?");
	return buf;
}

static int
table_known(const char *t)
{
	const char *const	*p;

	for (p = keymap_tables; *p != NULL; p++) {
		if (strcmp(*p, t) == 0)
			return 1;
	}
	return 0;
}

/* The static name of a known table. */
static const char *
table_name(const char *t)
{
	const char *const	*p;

	for (p = keymap_tables; *p != NULL; p++) {
		if (strcmp(*p, t) == 0)
			return *p;
	}
	return keymap_tables[0];
}

static struct kb_ent *
km_find(const struct keymap *km, const char *table, int key)
{
	size_t	i;

	for (i = 0; i < km->n; i++) {
		if (km->v[i].kb.key == key &&
		    strcmp(km->v[i].kb.table, table) == 0)
			return &km->v[i];
	}
	return NULL;
}

static void
kb_clear(struct kb_ent *e)
{
	free((char *)e->kb.keyname);
	free((char *)e->kb.command);
	free((char *)e->kb.note);
}

static void
km_remove(struct keymap *km, struct kb_ent *e)
{
	size_t	i = (size_t)(e - km->v);

	kb_clear(e);
	memmove(&km->v[i], &km->v[i + 1], (km->n - i - 1) * sizeof *km->v);
	km->n--;
}

/*
 * The command line kept for a binding: its words quoted for lex.c, but
 * {sel} left bare so that keymap_expand finds it.
 */
static char *
command_join(char **argv, int argc)
{
	struct buf	 b = { 0 };
	char		*q;
	int		 i;

	for (i = 0; i < argc; i++) {
		if (i > 0)
			buf_addc(&b, ' ');
		if (strcmp(argv[i], "{sel}") == 0) {
			buf_addstr(&b, argv[i]);
			continue;
		}
		q = lex_quote(argv[i]);
		buf_addstr(&b, q);
		free(q);
	}
	return buf_take(&b);
}

/*
 * Checks a bound command with the command parser, a name standing in for
 * {sel}. 0, or ERR_USAGE with the reason in *why.
 */
static int
command_check(char **argv, int argc, char **why)
{
	char	**v, sel[] = "sel";
	int	  i, rc;

	*why = NULL;
	v = xcalloc((size_t)argc + 1, sizeof *v);
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "{sel}") == 0)
			v[i] = sel;
		else if (strstr(argv[i], "{sel}") != NULL) {
			*why = xstrdup("{sel} must be a word of its own");
			free(v);
			return ERR_USAGE;
		} else
			v[i] = argv[i];
	}
	rc = cmd_check(argc, v, why);
	free(v);
	return rc;
}

/* The note of a line: what follows its first unquoted " #", trimmed. */
static char *
line_note(char *line)
{
	size_t	 i, len = strlen(line);
	char	*note, *end;

	for (i = 1; i < len; i++) {
		if (line[i] != '#' || (line[i - 1] != ' ' &&
		    line[i - 1] != '\t') || lex_quoted_at(line, i))
			continue;
		line[i] = '\0';
		note = line + i + 1;
		note += strspn(note, " \t");
		end = note + strlen(note);
		while (end > note && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		return *note != '\0' ? xstrdup(note) : NULL;
	}
	return NULL;
}

/*
 * Reads one line: a binding, an unbinding, a comment or nothing. A bad
 * line is refused with ERR_USAGE and the reason in *why; nothing changes.
 */
static int
load_line(struct keymap *km, char *line, int layer, int lineno, char **why)
{
	struct lex_result	 res = { 0 };
	struct kb_ent		*e;
	const char		*table = "main";
	char			**argv, *note, *cmdwhy, kn[32];
	int			 argc, k = 1, key, unbind, rc = ERR_USAGE;

	*why = NULL;
	note = line_note(line);
	if (lex_split(line, lineno, &res) != 0) {
		/* lex.c names the line; the caller does too. */
		*why = xstrdup(strncmp(err_msg(), "line ", 5) == 0 &&
		    strstr(err_msg(), ": ") != NULL ?
		    strstr(err_msg(), ": ") + 2 : err_msg());
		goto out;
	}
	if (res.ncmds == 0) {
		rc = 0;
		goto out;
	}
	if (res.ncmds > 1) {
		*why = xstrdup("more than one command on the line "
		    "(write a ';' of the command as '\\;')");
		goto out;
	}
	argv = res.cmds[0].argv;
	argc = res.cmds[0].argc;
	if (strcmp(argv[0], "bind") != 0 && strcmp(argv[0], "unbind") != 0) {
		*why = xasprintf("'%s' is neither bind nor unbind", argv[0]);
		goto out;
	}
	unbind = argv[0][0] == 'u';
	while (k < argc && argv[k][0] == '-' && argv[k][1] != '\0') {
		if (strcmp(argv[k], "-T") != 0) {
			*why = xasprintf("unknown flag '%s' (only -T TABLE)",
			    argv[k]);
			goto out;
		}
		if (++k >= argc) {
			*why = xstrdup("-T needs a table");
			goto out;
		}
		if (!table_known(argv[k])) {
			*why = xasprintf("no table '%s' (main or a view)",
			    argv[k]);
			goto out;
		}
		table = table_name(argv[k++]);
	}
	if (k >= argc) {
		*why = xasprintf("%s needs a key", argv[0]);
		goto out;
	}
	if (keymap_key_parse(argv[k], &key) != 0) {
		*why = xstrdup(err_msg());
		goto out;
	}
	k++;
	e = km_find(km, table, key);
	if (unbind) {
		if (k < argc) {
			*why = xasprintf("unbind takes only a key, not '%s'",
			    argv[k]);
			goto out;
		}
		if (e != NULL)
			km_remove(km, e);
		rc = 0;
		goto out;
	}
	if (k >= argc) {
		*why = xstrdup("bind needs a command after the key");
		goto out;
	}
	if (command_check(argv + k, argc - k, &cmdwhy) != 0) {
		*why = cmdwhy;
		goto out;
	}
	if (e != NULL && e->layer == layer) {
		*why = xasprintf("%s is bound already on line %d%s%s",
		    keymap_key_name(key, kn, sizeof kn), e->line,
		    strcmp(table, "main") == 0 ? "" : " of table ",
		    strcmp(table, "main") == 0 ? "" : table);
		goto out;
	}
	/* The user's binding replaces the shipped one where it stood. */
	if (e != NULL)
		kb_clear(e);
	else {
		if (km->n == km->cap) {
			km->cap = km->cap == 0 ? 64 : km->cap * 2;
			km->v = xreallocarray(km->v, km->cap, sizeof *km->v);
		}
		e = &km->v[km->n++];
	}
	e->kb.table = table;
	e->kb.key = key;
	e->kb.keyname = xstrdup(keymap_key_name(key, kn, sizeof kn));
	e->kb.command = command_join(argv + k, argc - k);
	e->kb.note = note;
	note = NULL;	/* transferred */
	e->layer = layer;
	e->line = lineno;
	rc = 0;
out:
	free(note);
	lex_result_free(&res);
	return rc;
}

/* Reads path's lines into km; bad ones go to errors. ERR_* if unreadable. */
static int
load_file(struct keymap *km, const char *path, int layer, struct buf *errors)
{
	FILE	*f;
	char	*line = NULL, *why;
	size_t	 cap = 0;
	ssize_t	 len;
	int	 lineno = 0;

	if ((f = fopen(path, "r")) == NULL)
		return err_set(errno == ENOENT ? ERR_NOENT : ERR_IO,
		    "%s: %s", path, strerror(errno));
	while ((len = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len > KM_MAXLINE)
			why = xasprintf("line longer than %d bytes", KM_MAXLINE);
		else if ((ssize_t)strlen(line) != len)
			why = xstrdup("a NUL byte in the line");
		else if (load_line(km, line, layer, lineno, &why) == 0)
			continue;
		if (errors != NULL)
			buf_printf(errors, "%s:%d: %s\n", path, lineno, why);
		free(why);
	}
	free(line);
	if (ferror(f)) {
		fclose(f);
		return err_set(ERR_IO, "%s: %s", path, strerror(errno));
	}
	fclose(f);
	return 0;
}

int
keymap_load(struct keymap **out, const char *shipped_path,
    const char *user_path, struct buf *errors)
{
	struct keymap	*km;
	int		 rc;

	*out = NULL;
	km = xcalloc(1, sizeof *km);
	if ((rc = load_file(km, shipped_path, 0, errors)) != 0) {
		keymap_free(km);
		return rc;
	}
	/* The user's file is optional; one that cannot be read is a bad line. */
	if (user_path != NULL &&
	    (rc = load_file(km, user_path, 1, errors)) != 0 &&
	    rc != ERR_NOENT && errors != NULL)
		buf_printf(errors, "%s\n", err_msg());
	*out = km;
	return 0;
}

void
keymap_free(struct keymap *km)
{
	size_t	i;

	if (km == NULL)
		return;
	for (i = 0; i < km->n; i++)
		kb_clear(&km->v[i]);
	free(km->v);
	free(km);
}

/* Other codes terminals send for Enter and Backspace. */
static int
key_alias(int key)
{
	switch (key) {
	case '\r':
	case KM_KEY_ENTER:
		return '\n';
	case 0x7f:
	case 0x08:
		return KM_KEY_BACKSPACE;
	default:
		return -1;
	}
}

const struct keybind *
keymap_lookup(const struct keymap *km, const char *table, int key)
{
	const struct kb_ent	*e = NULL;
	int			 alias = key_alias(key);

	if (table != NULL && strcmp(table, "main") != 0) {
		if ((e = km_find(km, table, key)) == NULL && alias >= 0)
			e = km_find(km, table, alias);
	}
	if (e == NULL && (e = km_find(km, "main", key)) == NULL && alias >= 0)
		e = km_find(km, "main", alias);
	return e != NULL ? &e->kb : NULL;
}

size_t
keymap_count(const struct keymap *km)
{
	return km->n;
}

const struct keybind *
keymap_at(const struct keymap *km, size_t i)
{
	return i < km->n ? &km->v[i].kb : NULL;
}

char *
keymap_expand(const char *command, char *const *names, size_t n)
{
	struct lex_result	 res;
	struct buf		 b = { 0 };
	char			*q;
	size_t			 j;
	int			 i, first = 1;

	/* The command was joined by command_join, so it splits back whole. */
	if (lex_split(command, 1, &res) != 0 || res.ncmds != 1) {
		lex_result_free(&res);
		return xstrdup(command);
	}
	for (i = 0; i < res.cmds[0].argc; i++) {
		const char	*w = res.cmds[0].argv[i];

		for (j = 0; j < (strcmp(w, "{sel}") == 0 ? n : 1); j++) {
			if (!first)
				buf_addc(&b, ' ');
			first = 0;
			q = lex_quote(strcmp(w, "{sel}") == 0 ? names[j] : w);
			buf_addstr(&b, q);
			free(q);
		}
	}
	lex_result_free(&res);
	return b.data != NULL ? buf_take(&b) : xstrdup("");
}

/* dir/NAME.keys if it is a file: the path, else NULL. */
static char *
try_dir(const char *dir, const char *name)
{
	struct stat	 st;
	char		*p = xasprintf("%s/%s.keys", dir, name), *real = NULL;

	if (stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
	    (real = realpath(p, NULL)) == NULL)
		real = xstrdup(p);
	free(p);
	return real;
}

/*
 * The keymaps that came with the running binary: bin/../share/hvsh/keymaps
 * for an installed one, ../keymaps of the build directory (build/hvsh, or
 * build/tests/test-* for the unit tests) for one in the source tree.
 */
static char *
try_beside_binary(const char *name)
{
	static const char *const rel[] = {
		"../share/hvsh/keymaps", "../keymaps", "../../keymaps",
	};
	char	 exe[PATH_MAX], *slash, *dir, *p = NULL;
	ssize_t	 n;
	size_t	 i;

	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) <= 0)
		return NULL;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return NULL;
	*slash = '\0';
	for (i = 0; i < nitems(rel) && p == NULL; i++) {
		dir = xasprintf("%s/%s", exe, rel[i]);
		p = try_dir(dir, name);
		free(dir);
	}
	return p;
}

int
keymap_find(const char *name, char **path)
{
	const char	*env = getenv("HVSH_KEYMAP_DIR"), *s;
	char		*p = NULL;

	*path = NULL;
	if (strchr(name, '/') != NULL) {
		if (access(name, R_OK) != 0)
			return err_set(ERR_NOENT, "%s: %s", name,
			    strerror(errno));
		*path = xstrdup(name);
		return 0;
	}
	for (s = name; *s != '\0'; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			break;
	}
	if (*name == '\0' || *s != '\0')
		return err_set(ERR_USAGE, "'%s' is not a keymap name (such as "
		    "default, vi, emacs) nor a path", name);
	if (env != NULL && *env != '\0')
		p = try_dir(env, name);
	if (p == NULL)
		p = try_beside_binary(name);
	if (p == NULL)
		p = try_dir(HVSH_DATADIR "/keymaps", name);
	if (p == NULL)
		return err_set(ERR_NOENT, "no keymap '%s' (looked in %s%s"
		    "beside hvsh and in %s)", name,
		    env != NULL && *env != '\0' ? env : "",
		    env != NULL && *env != '\0' ? ", " : "",
		    HVSH_DATADIR "/keymaps");
	*path = p;
	return 0;
}

const char *
keymap_choose(const char *name)
{
	const char	*env;

	if (name != NULL && *name != '\0')
		return name;
	if ((env = getenv("HVSH_KEYMAP")) != NULL && *env != '\0')
		return env;
	return "default";
}

char *
keymap_user_path(const char *home)
{
	return home != NULL ? xasprintf("%s/keys", home) : NULL;
}
