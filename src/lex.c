/*
 * lex.c: the one reader of command lines, for scripts and the shell alike.
 * It follows the quoting of a plain POSIX shell and nothing more, so that
 * what people already know about quoting holds, while no word is ever
 * expanded: $HOME, *, ~, `x`, $(x) and !! all arrive as typed.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "lex.h"
#include "util.h"

/* The state of one pass over a text. */
struct lexer {
	const char	*p;		/* next character */
	int		 line;		/* line of *p */
	int		 partial;	/* lex_partial: the end is the cursor */
	struct buf	 word;		/* the word being read */
	int		 inword;	/* a word has begun, even an empty '' */
	char		**argv;		/* words of the command being read */
	int		 argc;
	size_t		 argvcap;
	int		 cmdline;	/* line where that command starts */
	struct lex_cmd	*cmds;
	size_t		 ncmds;
	size_t		 cmdscap;
};

static void
lex_start_word(struct lexer *lx)
{
	if (lx->inword)
		return;
	if (lx->argc == 0)
		lx->cmdline = lx->line;
	lx->inword = 1;
	buf_reset(&lx->word);
}

static void
lex_end_word(struct lexer *lx)
{
	if (!lx->inword)
		return;
	/* Room for the word and the NULL that ends argv. */
	if ((size_t)lx->argc + 2 > lx->argvcap) {
		lx->argvcap = lx->argvcap == 0 ? 8 : lx->argvcap * 2;
		lx->argv = xreallocarray(lx->argv, lx->argvcap,
		    sizeof *lx->argv);
	}
	lx->argv[lx->argc++] = buf_take(&lx->word);
	lx->argv[lx->argc] = NULL;
	lx->inword = 0;
}

/* Drops the words read so far (lex_partial keeps only the last command). */
static void
lex_drop_cmd(struct lexer *lx)
{
	int	i;

	for (i = 0; i < lx->argc; i++)
		free(lx->argv[i]);
	lx->argc = 0;
	if (lx->argv != NULL)
		lx->argv[0] = NULL;
}

/* Ends the command being read; an empty one leaves no trace. */
static void
lex_end_cmd(struct lexer *lx)
{
	struct lex_cmd	*c;

	lex_end_word(lx);
	if (lx->partial) {
		lex_drop_cmd(lx);
		return;
	}
	if (lx->argc == 0)
		return;
	if (lx->ncmds == lx->cmdscap) {
		lx->cmdscap = lx->cmdscap == 0 ? 4 : lx->cmdscap * 2;
		lx->cmds = xreallocarray(lx->cmds, lx->cmdscap,
		    sizeof *lx->cmds);
	}
	c = &lx->cmds[lx->ncmds++];
	c->argv = lx->argv;	/* transferred */
	c->argc = lx->argc;
	c->line = lx->cmdline;
	lx->argv = NULL;
	lx->argc = 0;
	lx->argvcap = 0;
}

static void
lex_free_state(struct lexer *lx)
{
	size_t	i;

	lex_drop_cmd(lx);
	free(lx->argv);
	buf_free(&lx->word);
	for (i = 0; i < lx->ncmds; i++)
		lex_argv_free(lx->cmds[i].argv);
	free(lx->cmds);
}

/*
 * Reads a quoted part up to its closing quote. At the end of the text
 * lex_partial accepts an open quote (the cursor is inside it) and reports
 * it through *open; lex_split refuses it.
 */
static int
lex_quoted(struct lexer *lx, char q, char *open)
{
	int	qline = lx->line;
	char	c;

	lex_start_word(lx);
	lx->p++;
	for (;;) {
		c = *lx->p;
		if (c == q) {
			lx->p++;
			return 0;
		}
		if (c == '\0') {
			if (lx->partial) {
				*open = q;
				return 0;
			}
			return err_set(ERR_USAGE, "line %d: unterminated %s "
			    "quote", qline, q == '\'' ? "single" : "double");
		}
		if (c == '\\' && q == '"') {
			c = lx->p[1];
			if (c == '\0') {
				if (lx->partial)
					return err_set(ERR_USAGE, "line %d: "
					    "trailing backslash", lx->line);
				return err_set(ERR_USAGE, "line %d: "
				    "unterminated double quote", qline);
			}
			if (c == '\n') {
				/* A continuation, as in sh: both go. */
				lx->line++;
				lx->p += 2;
				continue;
			}
			if (strchr("\"\\$`", c) != NULL) {
				buf_addc(&lx->word, c);
				lx->p += 2;
				continue;
			}
			/* Any other backslash is itself, as in sh. */
			c = '\\';
		}
		if (c == '\n')
			lx->line++;
		buf_addc(&lx->word, c);
		lx->p++;
	}
}

/*
 * The one scanner behind lex_split and lex_partial: reads the text into
 * lx->cmds (or, partial, leaves the last command's words in lx->argv).
 */
static int
lex_scan(struct lexer *lx, char *open)
{
	char	c;
	int	r;

	for (;;) {
		c = *lx->p;
		switch (c) {
		case '\0':
			return 0;
		case ' ':
		case '\t':
			lex_end_word(lx);
			lx->p++;
			break;
		case '\n':
		case ';':
			lex_end_cmd(lx);
			if (c == '\n')
				lx->line++;
			lx->p++;
			break;
		case '\\':
			if (lx->p[1] == '\0')
				return err_set(ERR_USAGE, "line %d: trailing "
				    "backslash", lx->line);
			if (lx->p[1] == '\n') {
				/* A continuation joins lines; no word begins. */
				lx->line++;
				lx->p += 2;
				break;
			}
			lex_start_word(lx);
			buf_addc(&lx->word, lx->p[1]);
			lx->p += 2;
			break;
		case '\'':
		case '"':
			if ((r = lex_quoted(lx, c, open)) != 0)
				return r;
			if (*open != '\0')
				return 0;
			break;
		case '#':
			/* Only at the start of a word: a#b is one word. */
			if (!lx->inword) {
				while (*lx->p != '\0' && *lx->p != '\n')
					lx->p++;
				if (*lx->p == '\0' && lx->partial)
					return err_set(ERR_USAGE, "line %d: "
					    "inside a comment", lx->line);
				break;
			}
			/* FALLTHROUGH */
		default:
			lex_start_word(lx);
			buf_addc(&lx->word, c);
			lx->p++;
			break;
		}
	}
}

int
lex_split(const char *text, int first_line, struct lex_result *out)
{
	struct lexer	lx;
	char		open = '\0';
	int		r;

	out->cmds = NULL;
	out->ncmds = 0;
	memset(&lx, 0, sizeof lx);
	lx.p = text;
	lx.line = first_line;
	if ((r = lex_scan(&lx, &open)) != 0)
		goto out;
	lex_end_cmd(&lx);
	out->cmds = lx.cmds;	/* transferred */
	out->ncmds = lx.ncmds;
	lx.cmds = NULL;
	lx.ncmds = 0;
out:
	lex_free_state(&lx);
	return r;
}

void
lex_result_free(struct lex_result *res)
{
	size_t	i;

	if (res == NULL)
		return;
	for (i = 0; i < res->ncmds; i++)
		lex_argv_free(res->cmds[i].argv);
	free(res->cmds);
	res->cmds = NULL;
	res->ncmds = 0;
}

int
lex_partial(const char *text, char ***argv, int *argc, char *quoted)
{
	struct lexer	lx;
	char		open = '\0';
	int		r;

	*argv = NULL;
	*argc = 0;
	*quoted = '\0';
	memset(&lx, 0, sizeof lx);
	lx.p = text;
	lx.line = 1;
	lx.partial = 1;
	if ((r = lex_scan(&lx, &open)) != 0)
		goto out;
	/* The word under the cursor is always there, if only empty. */
	lex_start_word(&lx);
	lex_end_word(&lx);
	*argv = lx.argv;	/* transferred */
	*argc = lx.argc;
	*quoted = open;
	lx.argv = NULL;
	lx.argc = 0;
out:
	lex_free_state(&lx);
	return r;
}

void
lex_argv_free(char **argv)
{
	char	**p;

	if (argv == NULL)
		return;
	for (p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}

/*
 * Mirrors lex_scan's quoting for one position, so that readline breaks
 * words where hvsh does.
 */
int
lex_quoted_at(const char *text, size_t pos)
{
	size_t	i;
	char	q = '\0';

	for (i = 0; i < pos && text[i] != '\0'; i++) {
		if (q == '\'') {
			if (text[i] == '\'')
				q = '\0';
		} else if (text[i] == '\\') {
			/* The next character is escaped (or, in "", literal). */
			if (++i == pos)
				return 1;
			if (text[i] == '\0')
				return 0;
		} else if (q == '"') {
			if (text[i] == '"')
				q = '\0';
		} else if (text[i] == '\'' || text[i] == '"')
			q = text[i];
	}
	return q != '\0';
}

static int
lex_plain(const char *word)
{
	const char	*p;

	if (*word == '\0')
		return 0;
	for (p = word; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("_./:=,@%+-", *p) != NULL)
			continue;
		return 0;
	}
	return 1;
}

/* Appends word to b, quoted: single quotes keep everything literal. */
static void
lex_quote_into(struct buf *b, const char *word)
{
	const char	*p;

	if (lex_plain(word)) {
		buf_addstr(b, word);
		return;
	}
	buf_addc(b, '\'');
	for (p = word; *p != '\0'; p++) {
		if (*p == '\'')
			buf_addstr(b, "'\\''");
		else
			buf_addc(b, *p);
	}
	buf_addc(b, '\'');
}

char *
lex_quote(const char *word)
{
	struct buf	b;

	memset(&b, 0, sizeof b);
	lex_quote_into(&b, word);
	return buf_take(&b);
}

char *
lex_join(char *const *argv, int argc)
{
	struct buf	b;
	int		i;

	memset(&b, 0, sizeof b);
	for (i = 0; i < argc; i++) {
		if (i > 0)
			buf_addc(&b, ' ');
		lex_quote_into(&b, argv[i]);
	}
	return buf_take(&b);
}
