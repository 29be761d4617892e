/*
 * Source "buildinfo": the Go version, module graph and build settings of
 * the target's executable (core/parse/buildinfo.h), both as "go version -m" prints
 * them (for humans and for diffing) and as JSON (for rules). A memory
 * incident is often a known bug in one Go release or one dependency.
 */
#include "parse/buildinfo.h"
#include "collect/collect.h"
#include "base/json.h"
#include "bundle/vocab.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

static struct json_object *module_json(const struct buildinfo_module *m)
{
	struct json_object *o;

	if (!m->path)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "path", json_new_str_or_null(m->path));
	json_object_object_add(o, "version", json_new_str_or_null(m->version));
	json_object_object_add(o, "sum", json_new_str_or_null(m->sum));
	return o;
}

static struct json_object *buildinfo_json(const struct buildinfo *bi)
{
	struct json_object *o = json_object_new_object();
	struct json_object *deps = json_object_new_array();
	struct json_object *settings = json_object_new_object();
	size_t i;

	json_object_object_add(o, "go_version", json_new_str_or_null(bi->go_version));
	if (bi->build_id)
		json_object_object_add(o, "build_id", json_object_new_string(bi->build_id));
	json_object_object_add(o, "path", json_new_str_or_null(bi->path));
	json_object_object_add(o, "main", module_json(&bi->main));
	for (i = 0; i < bi->nr_deps; i++) {
		const struct buildinfo_module *d = &bi->deps[i];
		struct json_object *dep = module_json(d);

		if (!dep)
			continue;
		json_object_object_add(dep, "replace", d->replace ? module_json(d->replace) : NULL);
		json_object_array_add(deps, dep);
	}
	json_object_object_add(o, "deps", deps);
	/* a repeated key keeps its last value, as Go's debug.BuildInfo readers see it */
	for (i = 0; i < bi->nr_settings; i++)
		json_object_object_add(settings, bi->settings[i].key,
				       json_new_str_or_null(bi->settings[i].value));
	json_object_object_add(o, "settings", settings);
	return o;
}

void collect_buildinfo(struct collection *c, pid_t pid)
{
	struct strbuf err = STRBUF_INIT, text = STRBUF_INIT;
	struct buildinfo bi;
	struct artifact *a;
	struct json_object *o;
	char exe[64], name[PATH_MAX];
	ssize_t n;

	buildinfo_init(&bi);
	snprintf(exe, sizeof(exe), "/proc/%ld/exe", (long)pid);
	if (buildinfo_read_file(&bi, exe, &err) < 0) {
		artifact_fail(collection_add(c, ART_BUILDINFO_TEXT, SOURCE_BUILDINFO),
			      "%s", strbuf_str(&err));
		artifact_fail(collection_add(c, ART_BUILDINFO_JSON, SOURCE_BUILDINFO),
			      "%s", strbuf_str(&err));
		goto cleanup;
	}

	/* name the binary as it was started, not as /proc/PID/exe */
	n = readlink(exe, name, sizeof(name) - 1);
	if (n < 0)
		n = snprintf(name, sizeof(name), "%s", exe);
	name[n] = '\0';

	a = collection_add(c, ART_BUILDINFO_TEXT, SOURCE_BUILDINFO);
	buildinfo_format(&bi, name, &text);
	artifact_append(c, a, text.buf, text.len);
	artifact_ok(a);

	o = buildinfo_json(&bi);
	artifact_add_json(c, collection_add(c, ART_BUILDINFO_JSON, SOURCE_BUILDINFO), o);
	json_object_put(o);

cleanup:
	buildinfo_release(&bi);
	strbuf_release(&err);
	strbuf_release(&text);
}
