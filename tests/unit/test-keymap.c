/*
 * test-keymap.c: keymap files. The shipped keymaps must load cleanly with
 * a note and a runnable command on every binding; a user's file overrides
 * them, and its bad lines are named by file and line while the rest loads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "err.h"
#include "keymap.h"
#include "lex.h"
#include "util.h"

static const char *const shipped[] = { "default", "vi", "emacs" };

static size_t
lines(const char *s)
{
	size_t	n = 0;

	for (; s != NULL && *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* Writes text to a new temporary file; the caller unlinks and frees it. */
static char *
tmpfile_with(const char *text)
{
	char	*path = xstrdup("/tmp/hvsh-test-keymap-XXXXXX");
	int	 fd = mkstemp(path);
	FILE	*f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return path;
}

static struct keymap *
load_ok(const char *shipped_path, const char *user_path, struct buf *errors)
{
	struct keymap	*km = NULL;

	if (keymap_load(&km, shipped_path, user_path, errors) != 0)
		fail_msg("keymap_load %s: %s", shipped_path, err_msg());
	assert_non_null(km);
	return km;
}

static int
key(const char *name)
{
	int	k = -1;

	if (keymap_key_parse(name, &k) != 0)
		fail_msg("key '%s': %s", name, err_msg());
	return k;
}

/* The command of table's binding of the key called name, or NULL. */
static const char *
bound(const struct keymap *km, const char *table, const char *name)
{
	const struct keybind	*kb = keymap_lookup(km, table, key(name));

	return kb != NULL ? kb->command : NULL;
}

/* Every shipped keymap loads without a bad line, each binding runnable. */
static void
test_shipped(void **state)
{
	struct keymap		*km;
	struct buf		 errors = { 0 };
	const struct keybind	*kb;
	struct lex_result	 res;
	char			*path, *cmd, *why, *sel[] = { "web1", "db-2" };
	size_t			 i, j;

	for (i = 0; i < nitems(shipped); i++) {
		if (keymap_find(shipped[i], &path) != 0)
			fail_msg("keymap %s: %s", shipped[i], err_msg());
		km = load_ok(path, NULL, &errors);
		if (errors.len > 0)
			fail_msg("%s", errors.data);
		assert_true(keymap_count(km) >= 30);
		for (j = 0; j < keymap_count(km); j++) {
			kb = keymap_at(km, j);
			if (kb->note == NULL || kb->note[0] == '\0')
				fail_msg("%s: %s has no note", path,
				    kb->keyname);
			/* Runnable once {sel} is filled in. */
			cmd = keymap_expand(kb->command, sel, nitems(sel));
			assert_int_equal(lex_split(cmd, 1, &res), 0);
			assert_int_equal(res.ncmds, 1);
			if (cmd_check(res.cmds[0].argc, res.cmds[0].argv,
			    &why) != 0)
				fail_msg("%s: %s: %s: %s", path, kb->keyname,
				    cmd, why);
			lex_result_free(&res);
			free(cmd);
			/* Its key looks itself up. */
			assert_ptr_equal(keymap_lookup(km, kb->table, kb->key),
			    kb);
		}
		/* The keys every keymap has. */
		assert_string_equal(bound(km, NULL, "q"), "ui quit");
		assert_string_equal(bound(km, NULL, "?"), "ui help");
		assert_string_equal(bound(km, NULL, "Enter"), "ui detail");
		assert_string_equal(bound(km, NULL, "Down"), "ui move down");
		assert_string_equal(bound(km, NULL, "Tab"), "ui view next");
		assert_string_equal(bound(km, NULL, "2"), "ui view instances");
		assert_string_equal(bound(km, "instances", "S"),
		    "vm start {sel}");
		keymap_free(km);
		free(path);
	}
	buf_free(&errors);
}

/* What each keymap is known by. */
static void
test_flavours(void **state)
{
	struct keymap	*km;
	char		*path;

	assert_int_equal(keymap_find("vi", &path), 0);
	km = load_ok(path, NULL, NULL);
	assert_string_equal(bound(km, NULL, "j"), "ui move down");
	assert_string_equal(bound(km, NULL, "G"), "ui move bottom");
	assert_string_equal(bound(km, NULL, "C-f"), "ui move page-down");
	assert_string_equal(bound(km, NULL, "n"), "ui view next");
	keymap_free(km);
	free(path);
	assert_int_equal(keymap_find("emacs", &path), 0);
	km = load_ok(path, NULL, NULL);
	assert_string_equal(bound(km, NULL, "C-n"), "ui move down");
	assert_string_equal(bound(km, NULL, "M-v"), "ui move page-up");
	assert_string_equal(bound(km, NULL, "M->"), "ui move bottom");
	assert_string_equal(bound(km, NULL, "C-s"), "ui filter");
	assert_string_equal(bound(km, NULL, "M-x"), "ui prompt");
	keymap_free(km);
	free(path);
	assert_int_equal(keymap_find("nosuch", &path), ERR_NOENT);
	assert_null(path);
	assert_int_equal(keymap_find("/nonexistent/x.keys", &path), ERR_NOENT);
	assert_int_equal(keymap_find("a b", &path), ERR_USAGE);
	assert_null(path);
	assert_string_equal(keymap_choose("vi"), "vi");
}

/* Names to ncurses's codes and back. */
static void
test_key_names(void **state)
{
	static const char *const names[] = {
		"j", "G", "/", "?", ":", "#", "~", "1", "C-a", "C-z", "C-Space",
		"C-]", "C-_", "M-x", "M-<", "M->", "M-C-f", "M-Up", "Up", "Down",
		"Left", "Right", "PageUp", "PageDown", "Home", "End", "Enter",
		"Tab", "BTab", "Space", "Escape", "BSpace", "Delete", "F1",
		"F12",
	};
	static const char *const bad[] = {
		"", "jj", "C-", "M-", "C-1", "F0", "F13", "Foo", "C-C-a", "\x01",
		"\xc3\xa9",
	};
	char	buf[32], buf2[32];
	size_t	i;
	int	k, k2;

	for (i = 0; i < nitems(names); i++) {
		k = key(names[i]);
		keymap_key_name(k, buf, sizeof buf);
		if (strcmp(buf, names[i]) != 0)
			fail_msg("'%s' is named back '%s'", names[i], buf);
	}
	/* Every code a name gives names itself back. */
	for (k = 0; k < 0x600; k++) {
		keymap_key_name(k, buf, sizeof buf);
		if (strcmp(buf, "?") == 0)
			continue;
		k2 = key(buf);
		assert_int_equal(k2, k);
		keymap_key_name(k | KM_META, buf2, sizeof buf2);
		assert_int_equal(key(buf2), k | KM_META);
	}
	for (i = 0; i < nitems(bad); i++) {
		if (keymap_key_parse(bad[i], &k) != ERR_USAGE)
			fail_msg("'%s' parsed as a key", bad[i]);
	}
	/* ncurses's codes, and the other spellings of a few keys. */
	assert_int_equal(key("Up"), 0403);
	assert_int_equal(key("PageDown"), 0522);
	assert_int_equal(key("F1"), 0411);
	assert_int_equal(key("C-f"), 6);
	assert_int_equal(key("C-F"), 6);
	assert_int_equal(key("C-i"), '\t');
	assert_int_equal(key("C-["), 0x1b);
	assert_int_equal(key("M-x"), 0x10000 | 'x');
	assert_int_equal(key("pgdn"), 0522);
	assert_int_equal(key("space"), ' ');
}

/* A user's file overrides, adds, unbinds; its bad lines are reported. */
static void
test_user_file(void **state)
{
	struct keymap		*km;
	struct buf		 errors = { 0 };
	const struct keybind	*kb;
	char			*ship, *user;
	size_t			 n;

	ship = tmpfile_with(
	    "# shipped\n"
	    "bind j ui move down # down\n"
	    "bind k ui move up # up\n"
	    "bind q ui quit # leave\n"
	    "bind -T instances S vm start {sel} # start\n");
	user = tmpfile_with(
	    "bind j ui move bottom # to the end\n"	/* 1: replaces */
	    "bind x ui mark\n"				/* 2: new, no note */
	    "unbind q\n"				/* 3 */
	    "bind Foo ui quit # bad key\n"		/* 4 */
	    "bind y vm stopp {sel} # bad command\n"	/* 5 */
	    "bind z ui move sideways # bad value\n"	/* 6 */
	    "bind 'w ui quit\n"				/* 7: open quote */
	    "bind -T nosuch a ui quit\n"		/* 8 */
	    "bind j ui quit # twice\n"			/* 9 */
	    "bind -T instances S vm stop {sel} # stop instead\n" /* 10 */
	    "frob a\n"					/* 11 */
	    "bind v vm start x{sel}\n"			/* 12 */
	    "unbind k extra\n"				/* 13 */
	    "bind '#' ui help # a quoted '#' # is a key\n"	/* 14 */
	    "bind a ui prompt 'vm create ' # prefilled\n");	/* 15 */
	km = load_ok(ship, user, &errors);
	n = keymap_count(km);
	assert_int_equal(n, 6);
	/* The replaced binding keeps its place; the new ones follow. */
	kb = keymap_at(km, 0);
	assert_string_equal(kb->keyname, "j");
	assert_string_equal(kb->command, "ui move bottom");
	assert_string_equal(kb->note, "to the end");
	assert_string_equal(bound(km, NULL, "x"), "ui mark");
	assert_null(keymap_lookup(km, NULL, key("x"))->note);
	assert_null(bound(km, NULL, "q"));
	assert_string_equal(bound(km, NULL, "k"), "ui move up");
	assert_string_equal(bound(km, "instances", "S"), "vm stop {sel}");
	assert_string_equal(bound(km, NULL, "#"), "ui help");
	assert_string_equal(keymap_lookup(km, NULL, '#')->note,
	    "a quoted '#' # is a key");
	assert_string_equal(bound(km, NULL, "a"), "ui prompt 'vm create '");
	/* Each bad line by file and line, and nothing else. */
#define HAS(line, what) do {						\
	char *want_ = xasprintf("%s:%d: %s", user, (line), (what));	\
	if (strstr(errors.data, want_) == NULL)				\
		fail_msg("no '%s' in:\n%s", want_, errors.data);	\
	free(want_);							\
} while (0)
	HAS(4, "unknown key 'Foo'");
	HAS(5, "vm: unknown verb 'stopp'");
	HAS(6, "ui move: where: 'sideways' is not one of up|down");
	HAS(7, "unterminated single quote");
	HAS(8, "no table 'nosuch'");
	HAS(9, "j is bound already on line 1");
	HAS(11, "'frob' is neither bind nor unbind");
	HAS(12, "{sel} must be a word of its own");
	HAS(13, "unbind takes only a key");
#undef HAS
	assert_int_equal(lines(errors.data), 9);
	keymap_free(km);
	buf_free(&errors);
	unlink(user);
	free(user);

	/* A user file that is not there is no error; a shipped one is. */
	km = load_ok(ship, "/nonexistent/keys", &errors);
	assert_int_equal(errors.len, 0);
	assert_int_equal(keymap_count(km), 4);
	keymap_free(km);
	km = (struct keymap *)1;
	assert_int_equal(keymap_load(&km, "/nonexistent/x.keys", NULL, &errors),
	    ERR_NOENT);
	assert_null(km);
	unlink(ship);
	free(ship);
}

/* -T tables: a view's binding wins in that view only; main fills in. */
static void
test_tables(void **state)
{
	struct keymap	*km;
	struct buf	 errors = { 0 };
	char		*ship;

	ship = tmpfile_with(
	    "bind s ui sort # sort\n"
	    "bind -T instances s vm start {sel} # start\n"
	    "bind -T hosts s host check {sel} # check\n"
	    "bind Enter ui detail # detail\n"
	    "bind BSpace ui mark-none # unmark\n"
	    "bind C-h ui help # help\n"
	    "bind -T events s ui refresh # refresh\n"
	    "unbind -T events s\n");
	km = load_ok(ship, NULL, &errors);
	assert_int_equal(errors.len, 0);
	assert_string_equal(bound(km, NULL, "s"), "ui sort");
	assert_string_equal(bound(km, "main", "s"), "ui sort");
	assert_string_equal(bound(km, "instances", "s"), "vm start {sel}");
	assert_string_equal(bound(km, "hosts", "s"), "host check {sel}");
	assert_string_equal(bound(km, "events", "s"), "ui sort");
	assert_string_equal(bound(km, "images", "Enter"), "ui detail");
	assert_string_equal(keymap_lookup(km, "instances", 's')->table,
	    "instances");
	/* What terminals send for Enter and Backspace finds them. */
	assert_string_equal(keymap_lookup(km, NULL, '\r')->command,
	    "ui detail");
	assert_string_equal(keymap_lookup(km, NULL, 0527)->command,
	    "ui detail");
	assert_string_equal(keymap_lookup(km, NULL, 0x7f)->command,
	    "ui mark-none");
	/* But a key bound as itself is found as itself. */
	assert_string_equal(keymap_lookup(km, NULL, 0x08)->command, "ui help");
	assert_null(keymap_lookup(km, NULL, 'z'));
	keymap_free(km);
	unlink(ship);
	free(ship);
}

/* {sel} becomes the names, each one word for the lexer. */
static void
test_expand(void **state)
{
	char	*names[] = { "web1", "it's", "a b" }, *s;

	s = keymap_expand("vm stop --force {sel}", names, 3);
	assert_string_equal(s, "vm stop --force web1 'it'\\''s' 'a b'");
	free(s);
	s = keymap_expand("vm start {sel}", names, 0);
	assert_string_equal(s, "vm start");
	free(s);
	s = keymap_expand("ui prompt 'vm create '", names, 1);
	assert_string_equal(s, "ui prompt 'vm create '");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_flavours),
		cmocka_unit_test(test_key_names),
		cmocka_unit_test(test_user_file),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_expand),
	};

	unsetenv("HVSH_KEYMAP_DIR");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
