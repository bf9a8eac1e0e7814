/*
 * lex.h: splits a command line into words the way a plain POSIX shell would
 * quote, and no further: whitespace separates words; '...' is literal;
 * "..." allows \" \\ \$ \` escapes; a backslash outside quotes escapes the
 * next character; ';' and newline end a command; '#' at the start of a word
 * begins a comment. Nothing is expanded: no variables, globs, history or
 * command substitution. The words are handed to the command table as argv.
 */
#ifndef HVSH_LEX_H
#define HVSH_LEX_H

#include <stddef.h>

struct lex_cmd {
	char	**argv;		/* NULL-terminated */
	int	  argc;
	int	  line;		/* 1-based line where the command starts */
};

struct lex_result {
	struct lex_cmd	*cmds;
	size_t		 ncmds;
};

/*
 * Splits text into commands. 0 on success; ERR_USAGE with a message naming
 * the line for an unterminated quote or a trailing backslash. Empty commands
 * are dropped.
 */
int	lex_split(const char *text, int first_line, struct lex_result *out);
void	lex_result_free(struct lex_result *);

/*
 * For completion: splits the start of a line (up to the cursor) into the
 * words of the last command. The word being typed, possibly empty, is the
 * last element; *quoted tells whether it was opened with a quote. 0 or
 * ERR_USAGE.
 */
int	lex_partial(const char *text, char ***argv, int *argc, char *quoted);
void	lex_argv_free(char **);

/*
 * For completion: whether the character at pos of text is quoted, that is
 * inside quotes or escaped by a backslash, as lex_split would read it.
 */
int	lex_quoted_at(const char *text, size_t pos);

/* Quotes a word so lex_split reads it back unchanged (for history, audit). */
char	*lex_quote(const char *word);
/* Joins argv into one quoted line. Caller frees. */
char	*lex_join(char *const *argv, int argc);

#endif
