#ifndef TRIAGE_FLEET_H
#define TRIAGE_FLEET_H

#include <json-c/json.h>
#include <stdio.h>

#include "analyze/analyze.h"
#include "base/strbuf.h"

/*
 * triage analyze --fleet: many bundles at once, the question a platform
 * team asks ("which of our pods have this, and since which version?").
 * Each bundle is analyzed in a forked worker, at most one per core at a
 * time, so a bundle that crashes or exhausts a worker costs that bundle
 * only; a bundle that cannot be read is reported and skipped. The summary
 * is a JSON document, "triage.fleet/1", that the text and Markdown formats
 * render (docs/report-format.md).
 */

struct fleet_options {
	const char *source;		/* a directory of *.tgz, or s3://BUCKET/PREFIX/ */
	const char *endpoint;		/* S3-compatible store, for s3:// */
	int jobs;			/* workers at a time; 0: one per online core */
	const struct analyze_options *analyze;
	int progress;			/* "N/M analyzed" on stderr */
};

/*
 * Analyzes every bundle of the source and returns the summary in *out (the
 * caller puts it). -1 only when the source cannot be listed or holds no
 * bundle at all.
 */
int fleet_run(const struct fleet_options *o, json_object **out, struct strbuf *err);

/* The formats of the summary; the same names as the one-bundle report's. */
int fleet_write_text(json_object *summary, FILE *out);
int fleet_write_markdown(json_object *summary, FILE *out);
int fleet_write_json(json_object *summary, FILE *out);
/* The highest severity of any finding in the fleet, -1 when none. */
int fleet_max_severity(json_object *summary);

#endif
