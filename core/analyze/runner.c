/*
 * Running the rules. Each rule runs with the read-only facts and a fresh
 * reporter; a rule that fails leaves no half of its findings. By default
 * the rules run in a forked copy of the host under a per-rule watchdog,
 * because a rule can be stuck where the instruction cap cannot reach (a C
 * library function such as a pathological string pattern); the copy
 * reports each outcome as a JSON line and a stuck or crashed rule costs
 * that rule only.
 */
#include <errno.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyze/internal.h"
#include "base/io.h"
#include "base/json.h"

static const char *failure_class(enum sandbox_status st)
{
	switch (st) {
	case SANDBOX_INSTRUCTION_LIMIT: return "instruction_limit";
	case SANDBOX_MEMORY_LIMIT: return "memory_limit";
	case SANDBOX_BLOCKED: return "blocked";
	default: return "error";
	}
}

static void run_rule(lua_State *L, struct loaded *x, json_object *status, struct report *r)
{
	struct rule_result *rr = report_add_rule(r);
	struct strbuf err = STRBUF_INIT;
	struct reporter *rp;
	enum sandbox_status st;
	size_t k, before = r->nr_findings, notes_before = r->nr_notes;

	rr->id = xstrdup(x->id);
	rr->file = xstrdup(x->file);
	rr->origin = xstrdup(x->origin);
	rr->rung = x->rung;
	rr->title = x->title ? xstrdup(x->title) : NULL;
	for (k = 0; k < x->nr_requires; k++) {
		if (!fact_available(L, x->requires[k])) {
			missing_reason(status, x->requires[k], &err);
			rr->status = RULE_SKIPPED;
			rr->reason = strbuf_detach(&err, NULL);
			return;
		}
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, x->fn_ref);
	if (push_facts_ro(L, &err) < 0) {
		lua_pop(L, 1);
		rr->status = RULE_ERROR;
		rr->reason = strbuf_detach(&err, NULL);
		rr->failure = xstrdup("error");
		return;
	}
	rp = lua_newuserdatauv(L, sizeof(*rp), 0);
	rp->report = r;
	rp->rule = x;
	rp->emitted = 0;
	rp->noted = 0;
	luaL_setmetatable(L, REPORTER);
	/* keep the reporter reachable to disarm it after the call */
	lua_pushvalue(L, -1);
	lua_insert(L, -4);
	st = sandbox_pcall(L, 2, 0, &err);
	rp = luaL_checkudata(L, -1, REPORTER);
	rp->report = NULL;
	lua_pop(L, 1);
	if (st == SANDBOX_OK) {
		rr->status = RULE_RAN;
	} else {
		/* a rule that failed half way does not get to leave half its findings */
		report_truncate(r, before, notes_before);
		rr->status = RULE_ERROR;
		rr->reason = strbuf_detach(&err, NULL);
		rr->failure = xstrdup(failure_class(st));
	}
	strbuf_release(&err);
}

/* ---- running rules in a forked copy, under a watchdog ---- */

/*
 * One rule's outcome crosses from the child to the parent as a JSON line:
 * its rule_result, its findings and its rung notes.
 */
static json_object *outcome_to_json(const struct report *lr)
{
	json_object *o = json_object_new_object(), *fs = json_object_new_array(), *ns = json_object_new_array();
	const struct rule_result *x = &lr->rules[0];
	size_t i;

	json_object_object_add(o, "status", json_object_new_int(x->status));
	json_object_object_add(o, "reason", json_new_str_or_null(x->reason));
	json_object_object_add(o, "failure", json_new_str_or_null(x->failure));
	for (i = 0; i < lr->nr_findings; i++) {
		const struct finding *f = &lr->findings[i];
		json_object *j = json_object_new_object();

		json_object_object_add(j, "severity", json_object_new_int(f->severity));
		json_object_object_add(j, "confidence", json_object_new_double(f->confidence));
		json_object_object_add(j, "bytes", json_object_new_int64(f->bytes));
		json_object_object_add(j, "title", json_new_str_or_null(f->title));
		json_object_object_add(j, "summary", json_new_str_or_null(f->summary));
		json_object_object_add(j, "evidence", json_from_strlist(&f->evidence));
		json_object_object_add(j, "advice", json_from_strlist(&f->advice));
		json_object_object_add(j, "refs", json_from_strlist(&f->refs));
		json_object_object_add(j, "claims", json_from_strlist(&f->claims));
		json_object_object_add(j, "rung", json_object_new_int(f->rung));
		json_object_array_add(fs, j);
	}
	for (i = 0; i < lr->nr_notes; i++) {
		const struct rung_note *n = &lr->notes[i];
		json_object *j = json_object_new_object();

		json_object_object_add(j, "verdict", json_object_new_int(n->verdict));
		json_object_object_add(j, "reason", json_new_str_or_null(n->reason));
		json_object_object_add(j, "evidence", json_from_strlist(&n->evidence));
		json_object_array_add(ns, j);
	}
	json_object_object_add(o, "findings", fs);
	json_object_object_add(o, "notes", ns);
	return o;
}

static struct rule_result *add_rule_result(struct report *r, const struct loaded *x)
{
	struct rule_result *rr = report_add_rule(r);

	rr->id = xstrdup(x->id);
	rr->file = xstrdup(x->file);
	rr->origin = xstrdup(x->origin);
	rr->rung = x->rung;
	rr->title = x->title ? xstrdup(x->title) : NULL;
	return rr;
}

static void outcome_apply(struct report *r, const struct loaded *x, json_object *o)
{
	struct rule_result *rr = add_rule_result(r, x);
	json_object *a;
	size_t i;
	int st = (int)json_get_int(o, "status", RULE_ERROR);

	rr->status = st == RULE_RAN ? RULE_RAN : st == RULE_SKIPPED ? RULE_SKIPPED : RULE_ERROR;
	rr->reason = json_dup_str(o, "reason");
	rr->failure = json_dup_str(o, "failure");
	if (json_object_object_get_ex(o, "findings", &a) && json_object_is_type(a, json_type_array)) {
		for (i = 0; i < json_object_array_length(a) && i < 100; i++) {
			json_object *j = json_object_array_get_idx(a, i), *v;
			struct finding *f = report_add_finding(r);
			int sev = (int)json_get_int(j, "severity", SEV_INFO);
			int rung = (int)json_get_int(j, "rung", x->rung);

			f->rule = xstrdup(x->id);
			f->rung = rung >= 0 && rung < NR_RUNGS ? (enum rung)rung : x->rung;
			f->severity = sev >= SEV_INFO && sev <= SEV_CRITICAL ? (enum severity)sev : SEV_INFO;
			if (json_object_object_get_ex(j, "confidence", &v))
				f->confidence = json_object_get_double(v);
			if (json_object_object_get_ex(j, "bytes", &v))
				f->bytes = json_object_get_int64(v);
			f->title = json_dup_str(j, "title");
			f->summary = json_dup_str(j, "summary");
			json_to_strlist(json_object_object_get(j, "evidence"), &f->evidence);
			json_to_strlist(json_object_object_get(j, "advice"), &f->advice);
			json_to_strlist(json_object_object_get(j, "refs"), &f->refs);
			json_to_strlist(json_object_object_get(j, "claims"), &f->claims);
		}
	}
	if (json_object_object_get_ex(o, "notes", &a) && json_object_is_type(a, json_type_array)) {
		for (i = 0; i < json_object_array_length(a) && i < 100; i++) {
			json_object *j = json_object_array_get_idx(a, i);
			struct rung_note *n = report_add_note(r);

			n->rule = xstrdup(x->id);
			n->rung = x->rung;
			n->verdict = json_get_int(j, "verdict", -1) == VERDICT_RULED_OUT ? VERDICT_RULED_OUT : VERDICT_INCONCLUSIVE;
			n->reason = json_dup_str(j, "reason");
			json_to_strlist(json_object_object_get(j, "evidence"), &n->evidence);
		}
	}
}

/* The child: runs rules from index start on, one line per event. */
static void child_run(lua_State *L, struct loadset *rules, const size_t *order, size_t nr,
		      size_t start, json_object *status, int fd)
{
	struct strbuf line = STRBUF_INIT;
	size_t k;

	for (k = start; k < nr; k++) {
		struct report lr;
		json_object *o;

		strbuf_reset(&line);
		strbuf_addf(&line, "S %zu\n", k);
		if (write_all(fd, line.buf, line.len) < 0)
			break;
		report_init(&lr);
		run_rule(L, &rules->items[order[k]], status, &lr);
		o = outcome_to_json(&lr);
		strbuf_reset(&line);
		strbuf_addf(&line, "R %zu %s\n", k, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
		report_release(&lr);
		if (write_all(fd, line.buf, line.len) < 0)
			break;
	}
	write_all(fd, "E\n", 2);
	strbuf_release(&line);
}

/*
 * The parent: reads the child's lines, applies outcomes, and kills the
 * child when one rule runs past the timeout. Returns the index to go on
 * from (nr when every rule is done).
 */
static size_t supervise(pid_t pid, int fd, struct loadset *rules, const size_t *order, size_t nr,
			size_t start, struct report *r, int timeout_ms)
{
	struct strbuf buf = STRBUF_INIT;
	size_t current = (size_t)-1, next = start;
	int64_t deadline = 0;
	int status = 0, done = 0;

	while (!done) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int wait_ms = current == (size_t)-1 ? -1 : (int)(deadline - clock_mono_ms());
		char chunk[65536];
		ssize_t n;
		char *nl;

		if (current != (size_t)-1 && wait_ms <= 0) {
			struct rule_result *rr;

			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			rr = add_rule_result(r, &rules->items[order[current]]);
			rr->status = RULE_ERROR;
			rr->failure = xstrdup("timeout");
			strbuf_reset(&buf);
			strbuf_addf(&buf, "%s: ran for more than %d ms (stuck in C code the instruction cap cannot interrupt, such as a pathological string pattern)",
				    rules->items[order[current]].file, timeout_ms);
			rr->reason = strbuf_detach(&buf, NULL);
			next = current + 1;
			goto out;
		}
		if (poll(&pfd, 1, wait_ms) < 0 && errno != EINTR)
			break;
		if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		strbuf_add(&buf, chunk, (size_t)n);
		while ((nl = memchr(buf.buf, '\n', buf.len))) {
			size_t len = (size_t)(nl - buf.buf) + 1;
			size_t k;

			*nl = '\0';
			if (buf.buf[0] == 'S' && sscanf(buf.buf, "S %zu", &k) == 1 && k < nr) {
				current = k;
				deadline = clock_mono_ms() + timeout_ms;
			} else if (buf.buf[0] == 'R' && sscanf(buf.buf, "R %zu", &k) == 1 && k < nr) {
				const char *js = strchr(buf.buf + 2, ' ');
				json_object *o = js ? json_tokener_parse(js + 1) : NULL;

				if (o) {
					outcome_apply(r, &rules->items[order[k]], o);
					json_object_put(o);
				}
				current = (size_t)-1;
				next = k + 1;
			} else if (buf.buf[0] == 'E') {
				done = 1;
				next = nr;
			}
			memmove(buf.buf, buf.buf + len, buf.len - len);
			buf.len -= len;
			buf.buf[buf.len] = '\0';
		}
	}
	waitpid(pid, &status, 0);
	if (!done && current != (size_t)-1) {
		/* the child died inside a rule: that rule caused it */
		struct rule_result *rr = add_rule_result(r, &rules->items[order[current]]);

		rr->status = RULE_ERROR;
		rr->failure = xstrdup("crash");
		strbuf_reset(&buf);
		if (WIFSIGNALED(status))
			strbuf_addf(&buf, "%s: the analysis process died (signal %d) while this rule ran",
				    rules->items[order[current]].file, WTERMSIG(status));
		else
			strbuf_addf(&buf, "%s: the analysis process exited (%d) while this rule ran",
				    rules->items[order[current]].file, WEXITSTATUS(status));
		rr->reason = strbuf_detach(&buf, NULL);
		next = current + 1;
	}
out:
	strbuf_release(&buf);
	return next;
}

void run_rules(lua_State *L, struct loadset *rules, const size_t *order, size_t nr,
		      json_object *status, struct report *r, int timeout_ms)
{
	struct strbuf err = STRBUF_INIT;
	size_t next = 0;

	if (timeout_ms > 0) {
		/* decode profiles once here, so each child inherits them instead of decoding again */
		facts_warm(L, &err);
	}
	while (next < nr && timeout_ms > 0) {
		int fds[2];
		pid_t pid;

		if (pipe2(fds, O_CLOEXEC) < 0)
			break;
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			close(fds[0]);
			close(fds[1]);
			break;
		}
		if (pid == 0) {
			close(fds[0]);
			child_run(L, rules, order, nr, next, status, fds[1]);
			_exit(0);
		}
		close(fds[1]);
		next = supervise(pid, fds[0], rules, order, nr, next, r, timeout_ms);
		close(fds[0]);
	}
	/* no watchdog asked for, or no process to be had: run in process */
	for (; next < nr; next++)
		run_rule(L, &rules->items[order[next]], status, r);
	strbuf_release(&err);
}

