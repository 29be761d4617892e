/*
 * triage show BUNDLE: the manifest as a table, what someone runs first on a
 * bundle they were handed: what was collected, what failed and why.
 */
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bundle/bundle.h"
#include "cmd/cmd.h"

const char usage_show[] =
	"usage: triage show [--format text|json] BUNDLE\n"
	"\n"
	"List what a bundle holds: the target, the host, when it was collected,\n"
	"and every artifact with its status, size, collection time and error.\n"
	"--format json prints the manifest itself.\n";

static const char *jstr(json_object *o, const char *key, const char *def)
{
	json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return def;
}

static int64_t jint(json_object *o, const char *key, int64_t def)
{
	json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) &&
	    (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return json_object_get_int64(v);
	return def;
}

static json_object *jobj(json_object *o, const char *key)
{
	json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_object))
		return v;
	return NULL;
}

static void human_bytes(char *buf, size_t len, int64_t n)
{
	if (n < 10240)
		snprintf(buf, len, "%" PRId64, n);
	else if (n < 10 * 1048576)
		snprintf(buf, len, "%.1fK", n / 1024.0);
	else
		snprintf(buf, len, "%.1fM", n / 1048576.0);
}

int cmd_show(int argc, char **argv)
{
	struct strbuf err = STRBUF_INIT;
	struct bundle b;
	json_object *m, *arts = NULL, *target, *coll, *host;
	const char *file = NULL;
	int json = 0, i, ret = EXIT_USAGE;
	size_t k, n, ok = 0, failed = 0, skipped = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--format") && i + 1 < argc) {
			i++;
			if (!strcmp(argv[i], "json"))
				json = 1;
			else if (strcmp(argv[i], "text"))
				return command_usage_error("show", "--format is text or json, not '%s'", argv[i]);
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return command_usage_error("show", "unknown option '%s'", argv[i]);
		} else if (file) {
			return command_usage_error("show", "one BUNDLE at a time ('%s' is extra)", argv[i]);
		} else {
			file = argv[i];
		}
	}
	if (!file)
		return command_usage_error("show", "which bundle? give a BUNDLE");
	bundle_init(&b);
	if (bundle_load(&b, file, &err) < 0)
		goto fail;
	m = b.manifest;
	if (!m) {
		error_set(&err, "bundle '%s' has no manifest.json", file);
		goto fail;
	}
	if (json) {
		fputs((const char *)bundle_get(&b, "manifest.json")->data, stdout);
		ret = EXIT_OK;
		goto out;
	}
	target = jobj(m, "target");
	coll = jobj(m, "collection");
	host = jobj(m, "host");
	printf("bundle:   %s (%s, triage %s)\n", file, jstr(m, "format", "?"), jstr(m, "triage_version", "?"));
	if (target)
		printf("target:   pid %" PRId64 "  %s  %s\n", jint(target, "pid", 0), jstr(target, "exe", "-"),
		       jstr(target, "go_version", "(Go version unknown)"));
	if (host)
		printf("host:     %s  kernel %s\n", jstr(host, "hostname", "?"), jstr(host, "kernel", "?"));
	if (coll)
		printf("collected: %s .. %s (%" PRId64 " ms)%s\n", jstr(coll, "start", "?"), jstr(coll, "end", "?"),
		       jint(coll, "duration_ms", 0),
		       json_object_get_boolean(json_object_object_get(coll, "interrupted")) ? "  INTERRUPTED" : "");
	if (!json_object_object_get_ex(m, "artifacts", &arts) || !json_object_is_type(arts, json_type_array)) {
		error_set(&err, "bundle '%s': manifest.json has no artifacts list", file);
		goto fail;
	}
	n = json_object_array_length(arts);
	printf("\n%-38s %-7s %8s %8s  %s\n", "ARTIFACT", "STATUS", "BYTES", "TIME", "ERROR");
	for (k = 0; k < n; k++) {
		json_object *a = json_object_array_get_idx(arts, k);
		const char *st = jstr(a, "status", "?");
		char b[32], t[32];

		human_bytes(b, sizeof(b), jint(a, "bytes", 0));
		snprintf(t, sizeof(t), "%" PRId64 "ms", jint(a, "duration_ms", 0));
		printf("%-38s %-7s %8s %8s  %s\n", jstr(a, "path", "?"), st, b, t, jstr(a, "error", ""));
		if (!strcmp(st, "ok"))
			ok++;
		else if (!strcmp(st, "skipped"))
			skipped++;
		else
			failed++;
	}
	printf("\n%zu artifacts: %zu ok, %zu error, %zu skipped\n", n, ok, failed, skipped);
	ret = EXIT_OK;
	goto out;
fail:
	fprintf(stderr, "triage show: %s\n", strbuf_str(&err));
	ret = EXIT_USAGE;
out:
	bundle_release(&b);
	strbuf_release(&err);
	return ret;
}
