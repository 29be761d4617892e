/*
 * A profile from wherever the user names it: a pprof file (gzip or raw), a
 * bundle (its heap profile, or --profile KIND or an entry path), or
 * BUNDLE:SPEC for an entry inside a bundle ("samples/002"), so both sides
 * of a diff can be samples of one bundle. A bundle's allocs profile may be
 * recorded as derived from its heap profile (docs/bundle-format.md).
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bundle/bundle.h"
#include "bundle/profile-source.h"
#include "bundle/vocab.h"

static const char *bundle_entry_for(const char *name, struct strbuf *buf)
{
	static const char *const known[] = {
		"heap", "allocs", "goroutine", "cpu", "mutex", "block", "threadcreate", NULL,
	};
	const char *const *k;

	if (strchr(name, '/'))
		return name;
	if (!strcmp(name, "profile"))
		name = "cpu";
	for (k = known; *k; k++) {
		if (!strcmp(*k, name)) {
			strbuf_reset(buf);
			strbuf_addf(buf, "profiles/%s.pb.gz", name);
			return buf->buf;
		}
	}
	return NULL;
}

/*
 * "BUNDLE:SPEC" names an entry of a bundle, so that both sides of a diff can
 * be samples of one bundle: SPEC is an entry path, a profile name, or a
 * sample directory ("samples/002", taking the --profile kind, heap by
 * default, from it). Fills path and, when there is a SPEC, the profile
 * name to use; 0, or -1 when FILE names no SPEC.
 */
static int split_entry(const char *file, const char *profile_name, struct strbuf *path,
		       struct strbuf *spec)
{
	const char *colon = strrchr(file, ':');
	const char *kind = profile_name ? profile_name : "heap";

	strbuf_reset(path);
	strbuf_reset(spec);
	/* an existing file whose name has a colon is that file */
	if (!colon || colon == file || !colon[1] || access(file, F_OK) == 0)
		return -1;
	strbuf_add(path, file, (size_t)(colon - file));
	if (!strncmp(colon + 1, ART_SAMPLES_DIR, strlen(ART_SAMPLES_DIR)) && !strstr(colon + 1, ".pb.gz")) {
		strbuf_addstr(spec, colon + 1);
		while (spec->len && spec->buf[spec->len - 1] == '/')
			spec->buf[--spec->len] = '\0';
		if (strchr(kind, '/'))	/* "-p profiles/heap.pb.gz": the same entry in the sample */
			strbuf_addf(spec, "/%s", kind);
		else
			strbuf_addf(spec, "/profiles/%s.pb.gz", !strcmp(kind, "profile") ? "cpu" : kind);
	} else {
		strbuf_addstr(spec, colon + 1);
	}
	return 0;
}

/*
 * Whether a bundle's entry is a view of another (docs/bundle-format.md:
 * allocs derived from heap): fills the entry to read and its sample type.
 */
static int derived_entry(const char *file, const char *entry, struct strbuf *from,
			 struct strbuf *sample)
{
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	json_object *m = NULL;
	const char *f, *s;
	int ret = 0;

	if (bundle_read_entry(file, ART_MANIFEST, &text, 16 << 20, &err) < 0)
		goto out;
	m = json_tokener_parse(text.buf);
	if (m && bundle_derived(m, entry, &f, &s)) {
		strbuf_addstr(from, f);
		strbuf_addstr(sample, s);
		ret = 1;
	}
out:
	json_object_put(m);
	strbuf_release(&text);
	strbuf_release(&err);
	return ret;
}

/* Loads FILE, which may be a profile, a bundle, or BUNDLE:ENTRY; the message names which. */
int profile_load_any(struct profile *p, const char *file, const char *profile_name,
		     const struct profile_options *opt, struct strbuf *name, struct strbuf *err)
{
	struct strbuf entry = STRBUF_INIT, path = STRBUF_INIT, spec = STRBUF_INIT;
	struct strbuf derived = STRBUF_INIT, sample = STRBUF_INIT;
	struct bundle_reader br;
	const char *e;
	int is_bundle, ret = -1;

	if (split_entry(file, profile_name, &path, &spec) == 0) {
		file = path.buf;
		profile_name = spec.buf;
	}
	strbuf_reset(name);
	strbuf_addstr(name, file);
	is_bundle = bundle_sniff(file, err);
	if (is_bundle < 0)
		goto out;
	if (!is_bundle) {
		if (profile_name)
			error_set(err, "--profile applies to bundles, and '%s' is a single profile", file);
		else
			ret = profile_read_file(p, file, opt, err);
		goto out;
	}
	e = bundle_entry_for(profile_name ? profile_name : "heap", &entry);
	if (!e) {
		error_set(err, "unknown profile '%s' (heap, allocs, goroutine, cpu, mutex, block, threadcreate)",
			  profile_name);
		goto out;
	}
	if (derived_entry(file, e, &derived, &sample))
		e = derived.buf;	/* allocs is the heap profile with another default */
	if (bundle_open_entry(&br, file, e, err) < 0) {
		bundle_reader_release(&br);
		goto out;
	}
	strbuf_addf(name, ":%s", e);
	ret = profile_decode(p, bundle_entry_read, &br, name->buf, opt, err);
	bundle_reader_release(&br);
	if (!ret && sample.len) {
		int i = profile_sample_index(p, sample.buf);

		if (i >= 0)
			p->default_sample_type = p->sample_types[i].type;
	}
out:
	strbuf_release(&derived);
	strbuf_release(&sample);
	strbuf_release(&entry);
	strbuf_release(&path);
	strbuf_release(&spec);
	return ret;
}

