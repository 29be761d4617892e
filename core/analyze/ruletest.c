/*
 * The rule test harness (triage rules test): each case folder holds a
 * bundle and expect.json (docs/rules.md); the rules are run over the bundle
 * hermetically (built-in rules plus the --rules directories, not the
 * user's XDG or TRIAGE_RULES_PATH) and every expectation is checked, with
 * a PASS or FAIL line per case that says what did not hold.
 */
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "base/io.h"
#include "base/quantity.h"
#include "base/sort.h"
#include "base/json.h"
#include "report/report.h"

static const struct finding *find_finding(const struct report *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nr_findings; i++)
		if (!strcmp(r->findings[i].rule, id))
			return &r->findings[i];
	return NULL;
}

/*
 * "rule_failure": {"id": "class"} (exact) or "rule_reason": {"id": "text"}
 * (substring), checked against every rule result with that id.
 */
static void check_rule_field(const struct report *r, json_object *exp, const char *key, int substring,
			     struct strbuf *why)
{
	json_object *v;

	v = json_get_obj(exp, key);
	if (!v)
		return;
	json_object_object_foreach(v, id, want) {
		const char *w = json_object_get_string(want);
		size_t k;
		int seen = 0;

		for (k = 0; k < r->nr_rules; k++) {
			const char *got = substring ? r->rules[k].reason : r->rules[k].failure;

			if (!r->rules[k].id || strcmp(r->rules[k].id, id))
				continue;
			seen = 1;
			if (!got || (substring ? !strstr(got, w) : !!strcmp(got, w)))
				strbuf_addf(why, "rule %s %s is '%s', want %s'%s'; ", id,
					    substring ? "reason" : "failure", got ? got : "none",
					    substring ? "it to contain " : "", w);
		}
		if (!seen)
			strbuf_addf(why, "rule %s did not run at all; ", id);
	}
}

/* Checks one expectation file; appends each failed expectation to why. */
static void check_case(const char *dir, json_object *exp, const char *const *cli_dirs, size_t nr_cli,
		       struct strbuf *why)
{
	struct analyze_options o;
	struct report r;
	struct strbuf p = STRBUF_INIT, base = STRBUF_INIT, err = STRBUF_INIT;
	const char **dirs = NULL;
	char **owned = NULL;
	size_t nr = 0, i;
	json_object *v;
	const char *s;

	analyze_options_init(&o);
	report_init(&r);
	for (i = 0; i < nr_cli; i++) {
		dirs = xreallocarray(dirs, nr + 1, sizeof(*dirs));
		dirs[nr++] = cli_dirs[i];
	}
	if ((v = json_get_array(exp, "rules"))) {
		for (i = 0; i < json_object_array_length(v); i++) {
			struct strbuf d = STRBUF_INIT;

			strbuf_addf(&d, "%s/%s", dir, json_object_get_string(json_object_array_get_idx(v, i)));
			owned = xreallocarray(owned, i + 1, sizeof(*owned));
			owned[i] = strbuf_detach(&d, NULL);
			dirs = xreallocarray(dirs, nr + 1, sizeof(*dirs));
			dirs[nr++] = owned[i];
		}
	}
	/* hermetic: a case sees the built-in rules and the ones it names, not the user's */
	analyze_options_add_builtin_dirs(&o, dirs, nr);
	{
		static const char *const known[] = { "bundle", "base", "rules", "top", "findings", "absent",
			"verdicts", "max_severity", "rule_status", "rule_failure", "rule_reason",
			"rule_timeout_ms", "max_memory", "description", "notes", NULL };

		json_object_object_foreach(exp, key, val) {
			const char *const *k;

			(void)val;
			for (k = known; *k && strcmp(*k, key); k++)
				;
			if (!*k)
				strbuf_addf(why, "expect.json: unknown key '%s'; ", key);
		}
		if (why->len)
			goto out;
	}
	s = json_get_str(exp, "bundle", NULL);
	if (!s) {
		strbuf_addstr(why, "expect.json has no \"bundle\"");
		goto out;
	}
	strbuf_addf(&p, "%s/%s", dir, s);
	if (json_object_object_get_ex(exp, "rule_timeout_ms", &v))
		o.rule_timeout_ms = json_object_get_int(v);
	/* a small cap makes a memory-hungry case hit it long before any watchdog */
	if (json_object_object_get_ex(exp, "max_memory", &v)) {
		uint64_t m;

		if (parse_size(json_object_get_string(v), &m) < 0 || m < (1 << 20) || m > SIZE_MAX) {
			strbuf_addf(why, "expect.json: max_memory '%s' is not a size of 1M or more",
				    json_object_get_string(v));
			goto out;
		}
		o.limits.max_memory = (size_t)m;
	}
	if ((s = json_get_str(exp, "base", NULL))) {
		strbuf_addf(&base, "%s/%s", dir, s);
		o.base_bundle = base.buf;
	}
	if (analyze_bundle(p.buf, &o, &r, &err) < 0) {
		strbuf_addf(why, "cannot analyze: %s", err.buf);
		goto out;
	}
	if (json_object_object_get_ex(exp, "top", &v)) {
		const char *id = json_get_str(v, "id", NULL), *rung = json_get_str(v, "rung", NULL);

		if (!id && !rung)
			strbuf_addstr(why, "top: give an id or a rung; ");
		else if (!r.nr_findings)
			strbuf_addf(why, "top: no findings (want %s); ", id ? id : rung);
		else if ((id && strcmp(r.findings[0].rule, id)) ||
			 (rung && strcmp(rung_name(r.findings[0].rung), rung)))
			strbuf_addf(why, "top: got %s/%s, want %s/%s; ", rung_name(r.findings[0].rung),
				    r.findings[0].rule, rung ? rung : "*", id ? id : "*");
	}
	if ((v = json_get_array(exp, "findings"))) {
		for (i = 0; i < json_object_array_length(v); i++) {
			json_object *e = json_object_array_get_idx(v, i);
			const char *id = json_get_str(e, "id", NULL), *rung = json_get_str(e, "rung", NULL);
			const char *ms = json_get_str(e, "min_severity", NULL);
			const struct finding *f = id ? find_finding(&r, id) : NULL;
			enum severity want;

			if (!id) {
				strbuf_addstr(why, "a findings entry has no id; ");
				continue;
			}
			if (!f) {
				strbuf_addf(why, "finding %s did not fire; ", id);
				continue;
			}
			if (rung && strcmp(rung_name(f->rung), rung))
				strbuf_addf(why, "finding %s is on rung %s, want %s; ", id, rung_name(f->rung), rung);
			if (ms && severity_parse(ms, &want) < 0)
				strbuf_addf(why, "finding %s: min_severity '%s' is not a severity; ", id, ms);
			else if (ms && f->severity < want)
				strbuf_addf(why, "finding %s is %s, want at least %s; ", id, severity_name(f->severity), ms);
		}
	}
	if ((v = json_get_array(exp, "absent"))) {
		for (i = 0; i < json_object_array_length(v); i++) {
			const char *id = json_object_get_string(json_object_array_get_idx(v, i));

			if (id && find_finding(&r, id))
				strbuf_addf(why, "finding %s fired but must not; ", id);
		}
	}
	if ((v = json_get_obj(exp, "verdicts"))) {
		json_object_object_foreach(v, rung, want) {
			enum rung g;
			enum verdict vd;

			if (rung_parse(rung, &g) < 0 || verdict_parse(json_object_get_string(want), &vd) < 0) {
				strbuf_addf(why, "bad verdict expectation %s: %s; ", rung, json_object_get_string(want));
				continue;
			}
			if (r.ladder[g].verdict != vd)
				strbuf_addf(why, "rung %s is %s, want %s; ", rung, verdict_name(r.ladder[g].verdict),
					    verdict_name(vd));
		}
	}
	if ((s = json_get_str(exp, "max_severity", NULL))) {
		enum severity ms;

		if (severity_parse(s, &ms) < 0) {
			strbuf_addf(why, "bad max_severity '%s'; ", s);
		} else {
			for (i = 0; i < r.nr_findings; i++)
				if (r.findings[i].severity > ms)
					strbuf_addf(why, "finding %s is %s, above the allowed %s; ", r.findings[i].rule,
						    severity_name(r.findings[i].severity), s);
		}
	}
	if ((v = json_get_obj(exp, "rule_status"))) {
		json_object_object_foreach(v, id, want) {
			const char *w = json_object_get_string(want);
			size_t k;
			int seen = 0;

			for (k = 0; k < r.nr_rules; k++) {
				if (!r.rules[k].id || strcmp(r.rules[k].id, id))
					continue;
				seen = 1;
				if (strcmp(rule_status_name(r.rules[k].status), w))
					strbuf_addf(why, "rule %s %s (%s), want %s; ", id,
						    rule_status_name(r.rules[k].status),
						    r.rules[k].reason ? r.rules[k].reason : "", w);
			}
			if (!seen)
				strbuf_addf(why, "rule %s did not run at all; ", id);
		}
	}
	/* "rule_failure": {"id": "instruction_limit"}, "rule_reason": {"id": "substring"} */
	check_rule_field(&r, exp, "rule_failure", 0, why);
	check_rule_field(&r, exp, "rule_reason", 1, why);
	/* "notes": {"rule-id": "text"}: the rule ruled its rung out (or left it open) saying text */
	if ((v = json_get_obj(exp, "notes"))) {
		json_object_object_foreach(v, id, want) {
			const char *w = json_object_get_string(want);
			size_t k;
			int seen = 0;

			for (k = 0; k < r.nr_notes && !seen; k++)
				seen = r.notes[k].rule && !strcmp(r.notes[k].rule, id) &&
				       r.notes[k].reason && strstr(r.notes[k].reason, w);
			if (!seen)
				strbuf_addf(why, "no note from rule %s says '%s'; ", id, w);
		}
	}
out:
	if (owned)
		for (i = 0; i < json_object_array_length(json_object_object_get(exp, "rules")); i++)
			free(owned[i]);
	free(owned);
	free(dirs);
	report_release(&r);
	analyze_options_release(&o);
	strbuf_release(&p);
	strbuf_release(&base);
	strbuf_release(&err);
}

static void run_case(const char *dir, const char *const *cli_dirs, size_t nr_cli, int *passed, int *failed)
{
	struct strbuf p = STRBUF_INIT, why = STRBUF_INIT;
	json_object *exp;

	strbuf_addf(&p, "%s/expect.json", dir);
	exp = json_object_from_file(p.buf);
	if (!exp || !json_object_is_type(exp, json_type_object))
		strbuf_addf(&why, "cannot read %s: %s", p.buf, json_util_get_last_err());
	else
		check_case(dir, exp, cli_dirs, nr_cli, &why);
	if (why.len) {
		printf("FAIL %s: %s\n", dir, why.buf);
		(*failed)++;
	} else {
		printf("PASS %s\n", dir);
		(*passed)++;
	}
	if (exp)
		json_object_put(exp);
	strbuf_release(&p);
	strbuf_release(&why);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rules_test(const char *const *cases, size_t nr_cases, const char *const *dirs, size_t nr_dirs)
{
	int passed = 0, failed = 0;
	size_t i, j;

	for (i = 0; i < nr_cases; i++) {
		struct strbuf p = STRBUF_INIT;
		DIR *d;
		struct dirent *de;
		char **subs = NULL;
		size_t nr_subs = 0;

		strbuf_addf(&p, "%s/expect.json", cases[i]);
		if (!access(p.buf, F_OK)) {
			run_case(cases[i], dirs, nr_dirs, &passed, &failed);
			strbuf_release(&p);
			continue;
		}
		d = opendir(cases[i]);
		if (!d) {
			printf("FAIL %s: cannot open: %s\n", cases[i], strerror(errno));
			failed++;
			strbuf_release(&p);
			continue;
		}
		while ((de = readdir(d))) {
			struct strbuf s = STRBUF_INIT;

			if (de->d_name[0] == '.')
				continue;
			strbuf_addf(&s, "%s/%s", cases[i], de->d_name);
			strbuf_reset(&p);
			strbuf_addf(&p, "%s/expect.json", s.buf);
			if (is_dir(s.buf) && !access(p.buf, F_OK)) {
				subs = xreallocarray(subs, nr_subs + 1, sizeof(*subs));
				subs[nr_subs++] = strbuf_detach(&s, NULL);
			}
			strbuf_release(&s);
		}
		closedir(d);
		if (!nr_subs) {
			printf("FAIL %s: no expect.json here or one level down\n", cases[i]);
			failed++;
		}
		sort_array(subs, nr_subs, sizeof(*subs), name_cmp);
		for (j = 0; j < nr_subs; j++) {
			run_case(subs[j], dirs, nr_dirs, &passed, &failed);
			free(subs[j]);
		}
		free(subs);
		strbuf_release(&p);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

