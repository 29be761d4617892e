/*
 * triage show BUNDLE: the manifest as a table, what someone runs first on a
 * bundle they were handed: what was collected, what failed and why.
 */
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/escape.h"
#include "base/json.h"
#include "base/quantity.h"
#include "bundle/bundle.h"
#include "bundle/vocab.h"
#include "cmd/cmd.h"

const char usage_show[] =
	"usage: triage show [--format text|json] BUNDLE\n"
	"\n"
	"List what a bundle holds: the target, the host, when it was collected,\n"
	"and every artifact with its status, size, collection time and error.\n"
	"--format json prints the manifest itself.\n";

/* A manifest string, escaped for the terminal: e[] holds one per argument of a printf. */
#define MF(i, obj, key, def) text_safe(&e[i], json_get_str(obj, key, def))

int cmd_show(int argc, char **argv)
{
	struct strbuf err = STRBUF_INIT, e[6] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT,
						  STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
	struct bundle b;
	json_object *m, *arts, *target, *coll, *host;
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
		/* printed from the parsed object: raw control bytes in the file come out as \u00NN */
		puts(json_object_to_json_string_ext(m, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		ret = EXIT_OK;
		goto out;
	}
	target = json_get_obj(m, "target");
	coll = json_get_obj(m, "collection");
	host = json_get_obj(m, "host");
	/* every field is the bundle's text: none reaches the terminal raw */
	printf("bundle:   %s (%s, triage %s)\n", text_safe(&e[0], file), MF(1, m, "format", "?"),
	       MF(2, m, "triage_version", "?"));
	if (target)
		printf("target:   pid %" PRId64 "  %s  %s\n", json_get_int(target, "pid", 0),
		       MF(0, target, "exe", "-"), MF(1, target, "go_version", "(Go version unknown)"));
	if (target && json_get_obj(target, MF_TARGET_POD)) {
		json_object *pod = json_get_obj(target, MF_TARGET_POD);

		printf("pod:      %s  container %s  runtime %s  QoS %s  (%s driver)\n",
		       MF(0, pod, MF_POD_UID, "?"), MF(1, pod, MF_POD_CONTAINER_ID, "-"),
		       MF(2, pod, MF_POD_RUNTIME, "-"), MF(3, pod, MF_POD_QOS, "?"),
		       MF(4, pod, MF_POD_CGROUP_DRIVER, "?"));
	}
	if (host)
		printf("host:     %s  kernel %s\n", MF(0, host, "hostname", "?"), MF(1, host, "kernel", "?"));
	if (coll)
		printf("collected: %s .. %s (%" PRId64 " ms)%s\n", MF(0, coll, "start", "?"),
		       MF(1, coll, "end", "?"), json_get_int(coll, "duration_ms", 0),
		       json_object_get_boolean(json_object_object_get(coll, "interrupted")) ? "  INTERRUPTED" : "");
	arts = json_get_array(m, "artifacts");
	if (!arts) {
		error_set(&err, "bundle '%s': manifest.json has no artifacts list", file);
		goto fail;
	}
	n = json_object_array_length(arts);
	printf("\n%-38s %-7s %10s %8s  %s\n", "ARTIFACT", "STATUS", "BYTES", "TIME", "ERROR");
	for (k = 0; k < n; k++) {
		json_object *a = json_object_array_get_idx(arts, k);
		const char *st = json_get_str(a, "status", "?");
		char b[32], t[32];

		format_bytes(b, sizeof(b), json_get_int(a, "bytes", 0));
		snprintf(t, sizeof(t), "%" PRId64 "ms", json_get_int(a, "duration_ms", 0));
		printf("%-38s %-7s %10s %8s  %s\n", MF(0, a, "path", "?"), text_safe(&e[1], st), b, t,
		       MF(2, a, "error", ""));
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
	for (i = 0; i < 6; i++)
		strbuf_release(&e[i]);
	bundle_release(&b);
	strbuf_release(&err);
	return ret;
}
