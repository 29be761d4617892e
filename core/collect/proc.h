#ifndef TRIAGE_COLLECT_PROC_H
#define TRIAGE_COLLECT_PROC_H

#include <stddef.h>
#include <sys/types.h>

struct strbuf;

/*
 * The /proc/PID source (collect_proc() in collect.h) and the two filters
 * that stand between the target's command line and environment and the
 * bundle. A bundle travels (tickets, chat, vendors), so anything that looks
 * like a credential is removed before it reaches an artifact.
 * The filters are pure so tests/unit-collect.c can check them exhaustively.
 */

/*
 * Copies a NUL-separated argument vector (the bytes of /proc/PID/cmdline)
 * to out, in the same form (a trailing NUL only if the input had one),
 * with the values of secret-looking arguments replaced by "REDACTED":
 * "--password=x" and "-token=x" keep their name, in "--password x" the next
 * argument goes, "PASSWORD=x" loses its value and the credentials of
 * "scheme://user:pass@host" in any argument go, and so do the values of
 * "-p", of secret-looking URL query parameters ("?access_token=x") and of
 * credential headers ("--header=Authorization: Bearer x"). Returns how
 * many values were redacted.
 */
int cmdline_redact(const char *in, size_t len, struct strbuf *out);

/* 1 if a flag, variable, expvar or label name looks like it holds a secret. */
int is_secret_name(const char *name, size_t len);

/*
 * Copies to out only the NAME=value entries of a NUL-separated environment
 * (the bytes of /proc/PID/environ) whose NAME is on the Go runtime allowlist:
 * GOGC, GOMEMLIMIT, GODEBUG, GOMAXPROCS, GOTRACEBACK. Each kept entry is
 * followed by a NUL. Returns how many entries were kept.
 */
int environ_filter(const char *in, size_t len, struct strbuf *out);

/*
 * 0 if /proc/PID exists and this process may read it (the files that need
 * ptrace access, not just status); otherwise -1 and err says which:
 * "no process with pid 123", "not permitted to read process 123: ...".
 */
int pid_check(pid_t pid, struct strbuf *err);

#endif
