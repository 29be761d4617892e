/*
 * Source "proc": the target's own view of its memory and limits, copied
 * from /proc/PID, plus its command line and environment after they have
 * been filtered (see collect/proc.h for why).
 */
#include "collect/proc.h"
#include "collect/collect.h"
#include "bundle/vocab.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * A flag or variable whose name contains one of these (case-insensitively)
 * is taken to carry a secret. Matching substrings over-redacts ("--bypass",
 * "--monkey") on purpose: a lost harmless value costs little, a leaked
 * credential a lot.
 */
static const char *const secret_words[] = {
	"password", "passwd", "pass", "pwd",
	"token", "secret", "key", "credential", "auth",
	"cookie", "session", "private", "cert",
	NULL
};

static const char redacted[] = "REDACTED";

/* The Go runtime's memory and scheduling knobs; every other variable stays behind. */
static const char *const environ_allowlist[] = {
	"GOGC", "GOMEMLIMIT", "GODEBUG", "GOMAXPROCS", "GOTRACEBACK",
	NULL
};

int is_secret_name(const char *name, size_t len)
{
	size_t i, wl;
	int w;

	for (w = 0; secret_words[w]; w++) {
		wl = strlen(secret_words[w]);
		for (i = 0; i + wl <= len; i++)
			if (!strncasecmp(name + i, secret_words[w], wl))
				return 1;
	}
	return 0;
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n';
}

static int is_scheme_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '+' || ch == '-' || ch == '.';
}

/* The header names whose values are credentials, as they appear in "-H 'Name: value'". */
static const char *const secret_headers[] = {
	"authorization:", "proxy-authorization:", "cookie:", "x-api-key:", "bearer ",
	NULL
};

/*
 * Where a credential header's value starts in s ("--header=Authorization:
 * Bearer X", "-H" "Cookie: a=b"), or 0 if s holds none. The value is what
 * follows the name and its blanks; "Bearer" or "Basic" before it go too.
 */
static size_t header_value_at(const char *s, size_t len)
{
	size_t i, hl, v;
	int h;

	for (h = 0; secret_headers[h]; h++) {
		hl = strlen(secret_headers[h]);
		for (i = 0; i + hl <= len; i++) {
			if (strncasecmp(s + i, secret_headers[h], hl))
				continue;
			for (v = i + hl; v < len && is_space(s[v]); v++)
				;
			return v < len ? v : 0;
		}
	}
	return 0;
}

/*
 * Appends s with the values of secret-looking query parameters replaced:
 * "?access_token=X", "&api_key=X" (the value ends at '&', '#' or white
 * space).
 */
static int add_without_query_secrets(struct strbuf *out, const char *s, size_t len)
{
	size_t pos = 0, copied = 0, name, eq, end;
	int count = 0;

	while (pos < len) {
		if (s[pos] != '?' && s[pos] != '&') {
			pos++;
			continue;
		}
		name = pos + 1;
		for (eq = name; eq < len && s[eq] != '=' && s[eq] != '&' && s[eq] != '#' &&
			     !is_space(s[eq]); eq++)
			;
		pos = eq;
		if (eq >= len || s[eq] != '=' || eq == name || !is_secret_name(s + name, eq - name))
			continue;
		for (end = eq + 1; end < len && s[end] != '&' && s[end] != '#' && !is_space(s[end]); end++)
			;
		if (end == eq + 1)
			continue;
		strbuf_add(out, s + copied, eq + 1 - copied);
		strbuf_addstr(out, redacted);
		copied = pos = end;
		count++;
	}
	strbuf_add(out, s + copied, len - copied);
	return count;
}

/*
 * Appends s with the userinfo of every "scheme://userinfo@host" replaced,
 * and the values of secret-looking query parameters.
 * The whole userinfo goes, user name included: "https://TOKEN@host" puts
 * the secret where the user name would be. The authority ends at '/', '?',
 * '#' or whitespace; its last '@' ends the userinfo, so an unescaped '@' in
 * a password is still covered.
 */
static int add_without_url_credentials(struct strbuf *final, const char *s, size_t len)
{
	struct strbuf tmp = STRBUF_INIT, *out = &tmp;
	size_t pos = 0, copied = 0, auth, end, at;
	int count = 0;

	while (pos + 3 <= len) {
		if (memcmp(s + pos, "://", 3) || !pos || !is_scheme_char(s[pos - 1])) {
			pos++;
			continue;
		}
		auth = pos + 3;
		at = 0;
		for (end = auth; end < len; end++) {
			char ch = s[end];

			if (ch == '/' || ch == '?' || ch == '#' || is_space(ch))
				break;
			if (ch == '@')
				at = end;
		}
		if (at > auth) {
			strbuf_add(out, s + copied, auth - copied);
			strbuf_addstr(out, redacted);
			copied = at;
			count++;
		}
		pos = auth;
	}
	strbuf_add(out, s + copied, len - copied);
	count += add_without_query_secrets(final, tmp.buf ? tmp.buf : "", tmp.len);
	strbuf_release(&tmp);
	return count;
}

/*
 * A secret flag or assignment name: one with a secret word, and "-p"
 * alone (mysql's and many tools' password flag; a port given as -p is
 * lost, which costs little).
 */
static int is_secret_flag(const char *tok, size_t name_start, size_t name_len)
{
	if (name_start == 1 && name_len == 1 && tok[1] == 'p')
		return 1;
	return is_secret_name(tok + name_start, name_len);
}

/*
 * Where the name of a flag ("-name", "--name") or assignment ("NAME=")
 * starting at tok lies, for tokens that are one; 0 otherwise.
 */
static int token_name(const char *tok, size_t len, size_t *name_start, size_t *name_len)
{
	size_t i = 0;

	if (len >= 2 && tok[0] == '-') {
		i = tok[1] == '-' ? 2 : 1;
		*name_start = i;
		while (i < len && tok[i] != '=')
			i++;
		*name_len = i - *name_start;
		return *name_len && tok[*name_start] != '-';
	}
	if (len && (isalpha((unsigned char)tok[0]) || tok[0] == '_')) {
		while (i < len && (isalnum((unsigned char)tok[i]) || tok[i] == '_' ||
				   tok[i] == '-' || tok[i] == '.'))
			i++;
		if (i < len && tok[i] == '=') {
			*name_start = 0;
			*name_len = i;
			return 1;
		}
	}
	return 0;
}

/*
 * One argument. Usually it is one token, but programs that rewrite their
 * argv (setproctitle) or pass a whole shell line leave several
 * whitespace-separated ones, so every token is looked at. A secret value
 * takes the rest of the argument with it, since a value may hold spaces.
 * Sets *redact_next when the argument ends with a secret flag whose value
 * is the next argument.
 */
static int redact_arg(const char *arg, size_t len, struct strbuf *out, int *redact_next)
{
	size_t pos = 0, tok, tok_len, name_start, name_len, after;
	int count = 0;

	*redact_next = 0;
	/* "--header=Authorization: Bearer X": the value goes, whatever the flag */
	after = header_value_at(arg, len);
	if (after) {
		strbuf_add(out, arg, after);
		strbuf_addstr(out, redacted);
		return 1;
	}
	while (pos < len) {
		tok = pos;
		while (tok < len && is_space(arg[tok]))
			tok++;
		strbuf_add(out, arg + pos, tok - pos);
		if (tok == len)
			break;
		for (tok_len = 0; tok + tok_len < len && !is_space(arg[tok + tok_len]); tok_len++)
			;
		pos = tok + tok_len;
		if (!token_name(arg + tok, tok_len, &name_start, &name_len) ||
		    !is_secret_flag(arg + tok, name_start, name_len)) {
			count += add_without_url_credentials(out, arg + tok, tok_len);
			continue;
		}
		after = tok + name_start + name_len;
		if (after < len && arg[after] == '=') {
			strbuf_add(out, arg + tok, after + 1 - tok);
			if (after + 1 < len) {
				strbuf_addstr(out, redacted);
				count++;
			}
			return count;
		}
		strbuf_add(out, arg + tok, tok_len);
		/* "--password hunter2" inside one argument */
		while (pos < len && is_space(arg[pos]))
			strbuf_addch(out, arg[pos++]);
		if (pos < len) {
			strbuf_addstr(out, redacted);
			count++;
			return count;
		}
		*redact_next = 1;
	}
	return count;
}

int cmdline_redact(const char *in, size_t len, struct strbuf *out)
{
	size_t pos = 0, arg_len;
	int count = 0, redact_next = 0;
	const char *nul;

	while (pos < len) {
		nul = memchr(in + pos, '\0', len - pos);
		arg_len = nul ? (size_t)(nul - (in + pos)) : len - pos;
		if (redact_next) {
			/*
			 * Go's flag package takes the next argument as the
			 * value even when it starts with '-', so it always goes.
			 */
			redact_next = 0;
			if (arg_len) {
				strbuf_addstr(out, redacted);
				count++;
			}
		} else {
			count += redact_arg(in + pos, arg_len, out, &redact_next);
		}
		pos += arg_len;
		if (nul) {
			strbuf_addch(out, '\0');
			pos++;
		}
	}
	return count;
}

int environ_filter(const char *in, size_t len, struct strbuf *out)
{
	size_t pos = 0, entry_len, name_len;
	const char *nul, *eq;
	int kept = 0, i;

	while (pos < len) {
		nul = memchr(in + pos, '\0', len - pos);
		entry_len = nul ? (size_t)(nul - (in + pos)) : len - pos;
		eq = memchr(in + pos, '=', entry_len);
		/* an entry without '=' is not a variable; nothing to keep */
		if (eq) {
			name_len = (size_t)(eq - (in + pos));
			for (i = 0; environ_allowlist[i]; i++) {
				if (strlen(environ_allowlist[i]) == name_len &&
				    !memcmp(in + pos, environ_allowlist[i], name_len)) {
					strbuf_add(out, in + pos, entry_len);
					strbuf_addch(out, '\0');
					kept++;
					break;
				}
			}
		}
		pos += entry_len + (nul ? 1 : 0);
	}
	return kept;
}

int pid_check(pid_t pid, struct strbuf *err)
{
	char path[64];
	struct stat st;
	int fd;

	if (pid <= 0)
		return error_set(err, "invalid pid %ld", (long)pid);
	snprintf(path, sizeof(path), "/proc/%ld", (long)pid);
	if (stat(path, &st) < 0) {
		if (errno == ENOENT || errno == ESRCH)
			return error_set(err, "no process with pid %ld", (long)pid);
		return error_set(err, "cannot look up process %ld: %s: %s",
				 (long)pid, path, strerror(errno));
	}
	/*
	 * status is readable by anyone; smaps_rollup (maps before 4.14) needs
	 * the same ptrace access as the rest of the collection, so it tells
	 * whether collecting is worth starting.
	 */
	snprintf(path, sizeof(path), "/proc/%ld/smaps_rollup", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		snprintf(path, sizeof(path), "/proc/%ld/maps", (long)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		if (errno == EACCES || errno == EPERM)
			return error_set(err, "not permitted to read process %ld: %s: %s",
					 (long)pid, path, strerror(errno));
		if (errno == ENOENT || errno == ESRCH)
			return error_set(err, "no process with pid %ld", (long)pid);
		return error_set(err, "cannot read process %ld: %s: %s",
				 (long)pid, path, strerror(errno));
	}
	close(fd);
	return 0;
}

/*
 * Reads file whole and stores only what filter lets through; the raw bytes
 * never reach the artifact, not even on a failed read.
 */
static void collect_filtered(struct collection *c, const char *path, const char *file,
			     int (*filter)(const char *, size_t, struct strbuf *))
{
	struct artifact *a = collection_add(c, path, SOURCE_PROC);
	struct strbuf raw = STRBUF_INIT, clean = STRBUF_INIT;

	if (strbuf_read_file(&raw, file, (size_t)c->max_artifact_bytes) < 0) {
		artifact_fail(a, "cannot read %s: %s", file, strerror(errno));
		goto out;
	}
	filter(raw.buf, raw.len, &clean);
	if (clean.len)
		artifact_append(c, a, clean.buf, clean.len);
	artifact_ok(a);
out:
	strbuf_release(&raw);
	strbuf_release(&clean);
}

/*
 * /proc/PID/smaps: per-mapping RSS (which file, shared or private, huge
 * pages). It grows with the number of mappings, so it has a cap of its own
 * below the per-artifact one; past it the artifact is cut and marked so.
 */
static void collect_smaps(struct collection *c, pid_t pid)
{
	uint64_t cap = c->max_artifact_bytes;
	char file[64];

	snprintf(file, sizeof(file), "/proc/%ld/smaps", (long)pid);
	if (c->max_artifact_bytes > SMAPS_ARTIFACT_CAP)
		c->max_artifact_bytes = SMAPS_ARTIFACT_CAP;
	collect_file(c, ART_PROC_SMAPS, SOURCE_PROC, file, 0);
	c->max_artifact_bytes = cap;
}

void collect_proc(struct collection *c, pid_t pid, int cheap_only)
{
	/*
	 * Each is /proc/PID/ and the name after ART_PROC_DIR. The first two
	 * are cheap enough to repeat for every sample.
	 */
	static const char *const paths[] = {
		ART_PROC_STATUS, ART_PROC_SMAPS_ROLLUP,
		ART_PROC_MAPS, ART_PROC_LIMITS, ART_PROC_CGROUP, ART_PROC_MOUNTINFO,
		ART_PROC_OOM_SCORE, ART_PROC_OOM_SCORE_ADJ, ART_PROC_STAT, ART_PROC_IO,
		NULL
	};
	const size_t dir = strlen(ART_PROC_DIR);
	char file[64];
	int i;

	for (i = 0; paths[i]; i++) {
		if (collection_interrupted(c) || (cheap_only && i >= 2))
			return;
		snprintf(file, sizeof(file), "/proc/%ld/%s", (long)pid, paths[i] + dir);
		collect_file(c, paths[i], SOURCE_PROC, file, 0);
	}
	if (collection_interrupted(c))
		return;
	if (!cheap_only)
		collect_smaps(c, pid);
	if (collection_interrupted(c))
		return;
	snprintf(file, sizeof(file), "/proc/%ld/%s", (long)pid, &ART_PROC_CMDLINE[dir]);
	collect_filtered(c, ART_PROC_CMDLINE, file, cmdline_redact);
	snprintf(file, sizeof(file), "/proc/%ld/%s", (long)pid, &ART_PROC_ENVIRON[dir]);
	collect_filtered(c, ART_PROC_ENVIRON, file, environ_filter);
}
