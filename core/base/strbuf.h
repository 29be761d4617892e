#ifndef TRIAGE_STRBUF_H
#define TRIAGE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable NUL-terminated byte buffer, in the manner of git's strbuf.
 * strbuf_init() starts it empty without allocating; strbuf_release() frees
 * it and leaves it ready for reuse; strbuf_detach() hands the bytes to the
 * caller. Allocation failure aborts: a triage run that cannot get a few
 * bytes for a message has nothing useful left to do.
 */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};

#define STRBUF_INIT { NULL, 0, 0 }

void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_reset(struct strbuf *sb);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Reads a whole file; -1 with errno set on failure. */
int strbuf_read_file(struct strbuf *sb, const char *path, size_t max);

/* The buffer's text, "" while nothing was ever added. */
static inline const char *strbuf_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

/* Whether s ends with suffix ("bundle.tgz", ".tgz"). */
int str_ends_with(const char *s, const char *suffix);

/* Replaces the contents with a formatted message; returns -1 for chaining. */
int error_set(struct strbuf *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* realloc of nmemb * size with the multiplication checked */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Grows (ptr, alloc) so that at least nr elements fit; doubles for amortised O(1). */
#define ALLOC_GROW(ptr, nr, alloc) do { \
	if ((size_t)(nr) > (alloc)) { \
		size_t alloc_grow_n_ = (alloc) ? (alloc) : 16; \
		while (alloc_grow_n_ < (size_t)(nr)) \
			alloc_grow_n_ *= 2; \
		(ptr) = xreallocarray((ptr), alloc_grow_n_, sizeof(*(ptr))); \
		(alloc) = alloc_grow_n_; \
	} \
} while (0)

#endif
