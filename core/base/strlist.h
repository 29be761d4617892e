#ifndef TRIAGE_STRLIST_H
#define TRIAGE_STRLIST_H

#include <stddef.h>

/* A growable list of owned strings (evidence lines, advice, paths). */
struct strlist {
	char **items;
	size_t nr, alloc;
};

#define STRLIST_INIT { NULL, 0, 0 }

/* Appends a copy of s. */
void strlist_add(struct strlist *l, const char *s);
/* Sorts bytewise; a no-op on an empty list (qsort never sees NULL). */
void strlist_sort(struct strlist *l);
void strlist_release(struct strlist *l);

#endif
