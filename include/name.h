/*
 * name.h: the allow-list every object name passes before it is stored or
 * sent anywhere: 1 to 64 of letters, digits, '.', '_' and '-', not starting
 * with '-' or '.'.
 */
#ifndef HVSH_NAME_H
#define HVSH_NAME_H

#define NAME_MAXLEN 64

/* 0 if name is acceptable; otherwise ERR_INVAL with a reason via err_set(). */
int	name_check(const char *what, const char *name);

#endif
