#ifndef TRIAGE_SORT_H
#define TRIAGE_SORT_H

#include <stdlib.h>

/*
 * qsort for arrays that may be empty: an empty array's pointer is often
 * NULL, and qsort(NULL, 0, ...) is undefined behaviour (glibc's declaration
 * says nonnull; UBSan aborts on it). Every sort in triage goes through here.
 */
static inline void sort_array(void *base, size_t nr, size_t size,
			      int (*cmp)(const void *, const void *))
{
	if (nr > 1)
		qsort(base, nr, size, cmp);
}

#endif
