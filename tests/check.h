#ifndef TRIAGE_TESTS_CHECK_H
#define TRIAGE_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

/*
 * The checks of the C unit tests (tests/unit-*.c). A failed check prints
 * file:line and why, counts in failures, and the test goes on, so one run
 * shows every failure; main() exits non-zero when failures is not 0.
 *
 *	CHECK(n == 3, "got %d rows, want 3", n);
 *	CHECK_STR(f->rule, "heap-growth");
 *	CHECK_INT(p.nr_samples, 4);
 */
static int failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		failures++; \
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
	} \
} while (0)

/* Two strings are equal; NULL equals only NULL and prints as (null). */
#define CHECK_STR(got, want) do { \
	const char *check_got_ = (got), *check_want_ = (want); \
	CHECK(check_got_ && check_want_ ? !strcmp(check_got_, check_want_) : check_got_ == check_want_, \
	      "%s is '%s', want '%s'", #got, check_got_ ? check_got_ : "(null)", \
	      check_want_ ? check_want_ : "(null)"); \
} while (0)

/* Two integers are equal, compared and printed as long long. */
#define CHECK_INT(got, want) do { \
	long long check_got_ = (long long)(got), check_want_ = (long long)(want); \
	CHECK(check_got_ == check_want_, "%s is %lld, want %lld", #got, check_got_, check_want_); \
} while (0)

#endif
