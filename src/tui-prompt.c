/*
 * tui-prompt.c: the line editor of the dashboard's '/' and ':' lines. It
 * edits bytes of UTF-8 text, a character at a time; drawing is the
 * screen's. No curses here: keys arrive as ncurses codes, whose values the
 * keymap module spells out too.
 */
#include <stdlib.h>
#include <string.h>

#include "keymap.h"
#include "tui.h"


static int
is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

void
tui_prompt_open(struct tui_prompt *p, char kind, const char *text)
{
	tui_prompt_close(p);
	p->active = 1;
	p->kind = kind;
	buf_reset(&p->text);
	buf_add(&p->text, "", 0);
	if (text != NULL)
		buf_addstr(&p->text, text);
	p->cur = p->text.len;
}

void
tui_prompt_close(struct tui_prompt *p)
{
	p->active = 0;
	free(p->saved);
	p->saved = NULL;
}

static void
del_range(struct tui_prompt *p, size_t from, size_t to)
{
	memmove(p->text.data + from, p->text.data + to, p->text.len - to + 1);
	p->text.len -= to - from;
	p->cur = from;
}

int
tui_prompt_key(struct tui_prompt *p, int key)
{
	char	*s = p->text.data;
	size_t	 k;

	switch (key) {
	case '\n':
		return 2;
	case 033:
		return 3;
	case '\t':
		return 4;
	case KM_KEY_LEFT:
	case 'B' & 0x1f:
		while (p->cur > 0 && is_cont((unsigned char)s[--p->cur]))
			;
		return 0;
	case KM_KEY_RIGHT:
	case 'F' & 0x1f:
		if (p->cur < p->text.len)
			p->cur++;
		while (p->cur < p->text.len && is_cont((unsigned char)s[p->cur]))
			p->cur++;
		return 0;
	case KM_KEY_HOME:
	case 'A' & 0x1f:
		p->cur = 0;
		return 0;
	case KM_KEY_END:
	case 'E' & 0x1f:
		p->cur = p->text.len;
		return 0;
	case KM_KEY_BACKSPACE:
		if (p->cur == 0)
			return 0;
		k = p->cur;
		while (k > 0 && is_cont((unsigned char)s[--k]))
			;
		del_range(p, k, p->cur);
		return 1;
	case KM_KEY_DC:
	case 'D' & 0x1f:
		if (p->cur >= p->text.len)
			return 0;
		k = p->cur + 1;
		while (k < p->text.len && is_cont((unsigned char)s[k]))
			k++;
		del_range(p, p->cur, k);
		return 1;
	case 'U' & 0x1f:
		del_range(p, 0, p->cur);
		return 1;
	case 'W' & 0x1f:
		k = p->cur;
		while (k > 0 && s[k - 1] == ' ')
			k--;
		while (k > 0 && s[k - 1] != ' ')
			k--;
		del_range(p, k, p->cur);
		return 1;
	default:
		break;
	}
	/* Text: printable ASCII and the bytes of UTF-8 characters. */
	if (key < 0x20 || key == 0x7f || key > 0xff)
		return 0;
	buf_addc(&p->text, ' ');
	s = p->text.data;
	memmove(s + p->cur + 1, s + p->cur, p->text.len - 1 - p->cur);
	s[p->cur++] = (char)key;
	return 1;
}

void
tui_prompt_replace(struct tui_prompt *p, size_t start, const char *word)
{
	struct buf	nb = { 0 };
	size_t		cur;

	if (start > p->cur)
		start = p->cur;
	buf_add(&nb, p->text.data, start);
	buf_addstr(&nb, word);
	cur = nb.len;
	buf_addstr(&nb, p->text.data + p->cur);
	buf_free(&p->text);
	p->text = nb;
	p->cur = cur;
}
