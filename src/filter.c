/*
 * filter.c: the --filter language of every list (grammar in filter.h). A
 * recursive-descent parser builds a small tree once; numbers, times and
 * regular expressions are converted at parse time so that matching a row is
 * only comparisons. Input is bounded in length and nesting because filters
 * also arrive from bastion users.
 */
#include <inttypes.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "filter.h"
#include "text.h"
#include "util.h"

#define FILTER_MAXLEN	4096
#define FILTER_MAXDEPTH	64

enum fop { OP_EQ, OP_NE, OP_LT, OP_GT, OP_LE, OP_GE, OP_RE };

enum fnode_type { FN_AND, FN_OR, FN_NOT, FN_CMP };

struct fnode {
	enum fnode_type	  type;
	struct fnode	**kids;		/* FN_AND, FN_OR, FN_NOT */
	size_t		  nkids;

	size_t		  col;		/* FN_CMP */
	char		 *colname;
	enum col_type	  ctype;
	enum fop	  op;
	char		 *value;	/* numeric columns: canonical decimal */
	int		  isnum;	/* num holds the value */
	int64_t		  num;
	int		  hasre;
	regex_t		  re;
};

struct filter {
	struct fnode	*root;
};

struct parser {
	const char		*s;
	size_t			 pos;
	const struct col_def	*cols;
	size_t			 ncols;
	int			 depth;
};

static const char *const op_names[] = { "=", "!=", "<", ">", "<=", ">=",
	"~" };

static void
fnode_free(struct fnode *n)
{
	size_t	i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkids; i++)
		fnode_free(n->kids[i]);
	free(n->kids);
	free(n->colname);
	free(n->value);
	if (n->hasre)
		regfree(&n->re);
	free(n);
}

void
filter_free(struct filter *f)
{
	if (f == NULL)
		return;
	fnode_free(f->root);
	free(f);
}

static struct fnode *
fnode_new(enum fnode_type type)
{
	struct fnode	*n = xcalloc(1, sizeof *n);

	n->type = type;
	return n;
}

static void
fnode_add(struct fnode *n, struct fnode *kid)
{
	n->kids = xreallocarray(n->kids, n->nkids + 1, sizeof *n->kids);
	n->kids[n->nkids++] = kid;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Characters that end a column name or keyword. */
static int
is_word(char c)
{
	return c != '\0' && !is_space(c) && strchr("()=!<>~'\"", c) == NULL;
}

static void
skip_space(struct parser *p)
{
	while (is_space(p->s[p->pos]))
		p->pos++;
}

static size_t
word_len(const struct parser *p)
{
	size_t	n = 0;

	while (is_word(p->s[p->pos + n]))
		n++;
	return n;
}

/* Whether the next word is kw as a whole word, in any case. */
static int
at_keyword(const struct parser *p, const char *kw)
{
	size_t	len = strlen(kw);

	return word_len(p) == len && strncasecmp(p->s + p->pos, kw, len) == 0;
}

/*
 * Sets a usage error saying what went wrong and where (pos is 0-based),
 * then any hint, so that the position always follows the problem.
 */
static int __attribute__((format(printf, 3, 4)))
perr_hint(size_t pos, const char *hint, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	err_set(ERR_USAGE, "filter: %s at position %zu%s%s%s", msg, pos + 1,
	    hint != NULL ? " (" : "", hint != NULL ? hint : "",
	    hint != NULL ? ")" : "");
	free(msg);
	return ERR_USAGE;
}

#define perr(pos, ...)	perr_hint(pos, NULL, __VA_ARGS__)

/*
 * A copy of s (at most max bytes) fit for a message: text from the
 * expression may come from anyone and goes to a terminal.
 */
static char *
clean(const char *s, size_t max)
{
	struct buf	 b = { NULL, 0, 0 };
	char		*cut = xstrndup(s, max), *r;

	sanitize(cut, &b);
	r = buf_take(&b);
	free(cut);
	return r;
}

/* Reports the token at the parser's position: a word or one character. */
static int
perr_token(const struct parser *p, const char *what, const char *hint)
{
	size_t	 n = 0;
	char	*tok;

	while (is_word(p->s[p->pos + n]) && n < 32)
		n++;
	tok = clean(p->s + p->pos, n == 0 ? 1 : n);
	perr_hint(p->pos, hint, "%s '%s'", what, tok);
	free(tok);
	return ERR_USAGE;
}

static int	parse_or(struct parser *, struct fnode **);

/* Reads the value after an operator: quoted (no escapes) or a bare word. */
static int
parse_value(struct parser *p, enum fop op, char **out)
{
	const char	*s = p->s + p->pos, *end;
	size_t		 n = 0;
	char		 q;

	*out = NULL;
	if (*s == '\'' || *s == '"') {
		q = *s;
		if ((end = strchr(s + 1, q)) == NULL)
			return perr(p->pos, "unterminated quote");
		*out = xstrndup(s + 1, (size_t)(end - s - 1));
		p->pos += (size_t)(end - s) + 1;
		return 0;
	}
	/* "name==x" and "a=>b" are typos far more often than values. */
	if (*s != '\0' && strchr("=!<>~", *s) != NULL)
		return perr_hint(p->pos, "quote a value that starts with it",
		    "unexpected '%c' after '%s'", *s, op_names[op]);
	/* Parentheses end a bare value so that "(a=b)" reads naturally. */
	while (s[n] != '\0' && !is_space(s[n]) && s[n] != '(' && s[n] != ')')
		n++;
	if (n == 0)
		return perr(p->pos, "missing value after '%s'",
		    op_names[op]);
	*out = xstrndup(s, n);
	p->pos += n;
	return 0;
}

/* Reads an operator, two-character ones first so "<=" is not "<" "=". */
static int
parse_op(struct parser *p, enum fop *op)
{
	const char	*s = p->s + p->pos;

	if (s[0] == '!' && s[1] == '=')
		*op = OP_NE;
	else if (s[0] == '<' && s[1] == '=')
		*op = OP_LE;
	else if (s[0] == '>' && s[1] == '=')
		*op = OP_GE;
	else if (s[0] == '=')
		*op = OP_EQ;
	else if (s[0] == '<')
		*op = OP_LT;
	else if (s[0] == '>')
		*op = OP_GT;
	else if (s[0] == '~')
		*op = OP_RE;
	else
		return -1;
	p->pos += strlen(op_names[*op]);
	return 0;
}

/* Reports a value that does not fit its column's type. */
static int
perr_value(size_t pos, const char *what, const char *hint,
    const struct fnode *n)
{
	char	*v = clean(n->value, 64);

	perr_hint(pos, hint, "bad %s '%s' for column '%s'", what, v,
	    n->colname);
	free(v);
	return ERR_USAGE;
}

/*
 * Converts a comparison's value once: a regex is compiled, a number or time
 * parsed. An empty value on a numeric column with = or != stays text, since
 * that is how one asks for unset values.
 */
static int
prepare_cmp(struct fnode *n, size_t vpos)
{
	char	errbuf[256];
	int	rc;

	if (n->op == OP_RE) {
		if ((rc = regcomp(&n->re, n->value, REG_EXTENDED |
		    REG_NOSUB)) != 0) {
			regerror(rc, &n->re, errbuf, sizeof errbuf);
			return perr_hint(vpos, errbuf, "bad regular "
			    "expression");
		}
		n->hasre = 1;
		return 0;
	}
	if (n->ctype == COL_STR)
		return 0;
	if (n->value[0] == '\0' && (n->op == OP_EQ || n->op == OP_NE))
		return 0;
	if (n->ctype == COL_TIME) {
		if (parse_time(n->value, &n->num) != 0)
			return perr_value(vpos, "time", "use YYYY-MM-DD, "
			    "YYYY-MM-DDTHH:MM[:SS] or unix seconds", n);
	} else if (parse_i64(n->value, &n->num) != 0 &&
	    parse_size(n->value, &n->num) != 0)
		return perr_value(vpos, "number", "sizes take K, M, G, T",
		    n);
	n->isnum = 1;
	free(n->value);
	n->value = xasprintf("%" PRId64, n->num);
	return 0;
}

/* COLUMN OP VALUE */
static int
parse_cmp(struct parser *p, struct fnode **out)
{
	struct buf	 names = { NULL, 0, 0 };
	struct fnode	*n = NULL;
	size_t		 len, i, start = p->pos, vpos;
	char		*name = NULL;
	int		 r;

	*out = NULL;
	if ((len = word_len(p)) == 0) {
		r = perr_token(p, "expected a column name, found", NULL);
		goto out;
	}
	if ((i = col_find(p->cols, p->ncols, p->s + start, len)) == p->ncols) {
		buf_addstr(&names, "columns: ");
		col_names(p->cols, p->ncols, &names);
		name = clean(p->s + start, len < 64 ? len : 64);
		r = perr_hint(start, names.data, "unknown column '%s'", name);
		goto out;
	}
	name = xstrndup(p->s + start, len);
	n = fnode_new(FN_CMP);
	n->col = i;
	n->ctype = p->cols[i].type;
	n->colname = name;
	name = NULL;	/* transferred */
	p->pos += len;
	skip_space(p);
	if (parse_op(p, &n->op) != 0) {
		r = perr_hint(p->pos, "= != < > <= >= ~", "expected an "
		    "operator after '%s'", n->colname);
		goto out;
	}
	skip_space(p);
	vpos = p->pos;
	if ((r = parse_value(p, n->op, &n->value)) != 0)
		goto out;
	if ((r = prepare_cmp(n, vpos)) != 0)
		goto out;
	*out = n;
	n = NULL;	/* transferred */
 out:
	buf_free(&names);
	free(name);
	fnode_free(n);
	return r;
}

/* 'not' unary | '(' expr ')' | comparison; nesting is bounded. */
static int
parse_unary(struct parser *p, struct fnode **out)
{
	struct fnode	*n = NULL, *kid = NULL;
	size_t		 open;
	int		 r = 0;

	*out = NULL;
	skip_space(p);
	if (at_keyword(p, "not") || p->s[p->pos] == '(') {
		if (p->depth >= FILTER_MAXDEPTH)
			return perr(p->pos, "nesting deeper than %d levels",
			    FILTER_MAXDEPTH);
		p->depth++;
	}
	if (at_keyword(p, "not")) {
		p->pos += 3;
		if ((r = parse_unary(p, &kid)) != 0)
			goto out;
		n = fnode_new(FN_NOT);
		fnode_add(n, kid);
		kid = NULL;	/* transferred */
	} else if (p->s[p->pos] == '(') {
		open = p->pos++;
		if ((r = parse_or(p, &n)) != 0)
			goto out;
		skip_space(p);
		if (p->s[p->pos] == '\0') {
			r = perr(open, "unbalanced parentheses: '(' is not "
			    "closed");
			goto out;
		}
		if (p->s[p->pos] != ')') {
			r = perr_token(p, "unexpected", "expected 'and', "
			    "'or' or ')'");
			goto out;
		}
		p->pos++;
	} else if (p->s[p->pos] == '\0') {
		return perr(p->pos, "expected a condition");
	} else if (p->s[p->pos] == ')') {
		return perr(p->pos, "unbalanced parentheses: unexpected "
		    "')'");
	} else
		return parse_cmp(p, out);
	p->depth--;
	*out = n;
	n = NULL;	/* transferred */
 out:
	fnode_free(kid);
	fnode_free(n);
	return r;
}

/* One level of a left-to-right chain of 'and' or 'or', held n-ary. */
static int
parse_chain(struct parser *p, const char *kw, enum fnode_type type,
    int (*sub)(struct parser *, struct fnode **), struct fnode **out)
{
	struct fnode	*first = NULL, *chain = NULL, *next = NULL;
	int		 r;

	*out = NULL;
	if ((r = sub(p, &first)) != 0)
		goto out;
	for (;;) {
		skip_space(p);
		if (!at_keyword(p, kw))
			break;
		p->pos += strlen(kw);
		if ((r = sub(p, &next)) != 0)
			goto out;
		if (chain == NULL) {
			chain = fnode_new(type);
			fnode_add(chain, first);
			first = NULL;	/* transferred */
		}
		fnode_add(chain, next);
		next = NULL;	/* transferred */
	}
	if (chain != NULL) {
		*out = chain;
		chain = NULL;	/* transferred */
	} else {
		*out = first;
		first = NULL;	/* transferred */
	}
 out:
	fnode_free(first);
	fnode_free(chain);
	fnode_free(next);
	return r;
}

static int
parse_and(struct parser *p, struct fnode **out)
{
	return parse_chain(p, "and", FN_AND, parse_unary, out);
}

static int
parse_or(struct parser *p, struct fnode **out)
{
	return parse_chain(p, "or", FN_OR, parse_and, out);
}

int
filter_parse(const char *expr, const struct col_def *cols, size_t ncols,
    struct filter **out)
{
	struct parser	 p;
	struct fnode	*root = NULL;
	size_t		 len;
	int		 r;

	*out = NULL;
	memset(&p, 0, sizeof p);
	p.s = expr;
	p.cols = cols;
	p.ncols = ncols;
	if ((len = strnlen(expr, FILTER_MAXLEN + 1)) > FILTER_MAXLEN)
		return perr(FILTER_MAXLEN, "expression longer than %d bytes",
		    FILTER_MAXLEN);
	skip_space(&p);
	if (expr[p.pos] == '\0')
		return perr(p.pos, "empty expression");
	if ((r = parse_or(&p, &root)) != 0)
		goto out;
	skip_space(&p);
	if (expr[p.pos] == ')') {
		r = perr(p.pos, "unbalanced parentheses: unexpected ')'");
		goto out;
	}
	if (expr[p.pos] != '\0') {
		r = perr_token(&p, "unexpected", "expected 'and', 'or' or "
		    "the end; quote values that hold spaces or parentheses");
		goto out;
	}
	*out = xcalloc(1, sizeof **out);
	(*out)->root = root;
	root = NULL;	/* transferred */
 out:
	fnode_free(root);
	return r;
}

/* Record values of numeric columns are canonical decimals (times: or dates). */
static int
record_num(const struct fnode *n, const char *v, int64_t *num)
{
	if (v == NULL)
		return -1;
	if (parse_i64(v, num) == 0)
		return 0;
	return n->ctype == COL_TIME ? parse_time(v, num) : -1;
}

/*
 * One comparison. Unset compares as the empty string for = != and ~, and
 * never satisfies an ordering; a record value that is not a number only
 * satisfies != against a number.
 */
static int
cmp_match(const struct fnode *n, const char *v)
{
	int64_t	num;
	int	c;

	if (n->op == OP_RE)
		return regexec(&n->re, v != NULL ? v : "", 0, NULL, 0) == 0;
	if (n->isnum) {
		if (record_num(n, v, &num) != 0)
			return n->op == OP_NE;
		c = num < n->num ? -1 : num > n->num;
	} else {
		if (v == NULL && n->op != OP_EQ && n->op != OP_NE)
			return 0;
		c = strcmp(v != NULL ? v : "", n->value);
	}
	switch (n->op) {
	case OP_EQ:
		return c == 0;
	case OP_NE:
		return c != 0;
	case OP_LT:
		return c < 0;
	case OP_GT:
		return c > 0;
	case OP_LE:
		return c <= 0;
	case OP_GE:
		return c >= 0;
	case OP_RE:
		break;
	}
	return 0;
}

static int
node_match(const struct fnode *n, const char *const *vals)
{
	size_t	i;

	switch (n->type) {
	case FN_AND:
		for (i = 0; i < n->nkids; i++) {
			if (!node_match(n->kids[i], vals))
				return 0;
		}
		return 1;
	case FN_OR:
		for (i = 0; i < n->nkids; i++) {
			if (node_match(n->kids[i], vals))
				return 1;
		}
		return 0;
	case FN_NOT:
		return !node_match(n->kids[0], vals);
	case FN_CMP:
		return cmp_match(n, vals[n->col]);
	}
	return 0;
}

int
filter_match(const struct filter *f, const char *const *vals)
{
	if (f == NULL)
		return 1;
	return node_match(f->root, vals);
}

/* Searches n and the 'and's directly under it for "col=V" with V not empty. */
static const char *
node_eq(const struct fnode *n, const char *col)
{
	const char	*v;
	size_t		 i;

	if (n->type == FN_CMP)
		return n->op == OP_EQ && n->value[0] != '\0' &&
		    strcmp(n->colname, col) == 0 ? n->value : NULL;
	if (n->type != FN_AND)
		return NULL;
	for (i = 0; i < n->nkids; i++) {
		if ((v = node_eq(n->kids[i], col)) != NULL)
			return v;
	}
	return NULL;
}

static int
node_uses(const struct fnode *n, size_t col)
{
	size_t	i;

	if (n->type == FN_CMP)
		return n->col == col;
	for (i = 0; i < n->nkids; i++) {
		if (node_uses(n->kids[i], col))
			return 1;
	}
	return 0;
}

int
filter_uses(const struct filter *f, size_t col)
{
	return f != NULL && node_uses(f->root, col);
}

const char *
filter_eq(const struct filter *f, const char *col)
{
	if (f == NULL)
		return NULL;
	return node_eq(f->root, col);
}
