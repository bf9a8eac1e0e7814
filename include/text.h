/*
 * text.h: text on its way to a terminal. Values come from hosts and users;
 * sanitize() makes any of them safe to show, and the UTF-8 decoder is the
 * one the listing measures widths with.
 */
#ifndef HVSH_TEXT_H
#define HVSH_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/*
 * Copies s into out with control characters (C0, DEL, C1 and ESC sequences'
 * introducers) replaced by visible escapes such as "\x1b", and invalid UTF-8
 * bytes shown as "\xNN". Returns out->data.
 */
const char *sanitize(const char *s, struct buf *out);
/* Appends s to b with sanitize()'s escapes. */
void	sanitize_add(struct buf *b, const char *s);

/*
 * Length of the well-formed UTF-8 sequence at p (1 to 4) with its code point
 * in *cp, or 0 when p starts an invalid one.
 */
size_t	utf8_seq(const unsigned char *p, uint32_t *cp);
/* Whether all of s is well-formed UTF-8, which JSON requires. */
int	utf8_valid(const char *s);

#endif
