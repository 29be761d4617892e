#ifndef TRIAGE_REPORT_HTML_H
#define TRIAGE_REPORT_HTML_H

/*
 * What the HTML report needs beyond the report model, read again from the
 * bundle the report is about (html-data.c): the profiles as flame graph
 * trees, the samples over time, MemStats and the manifest. html.c prints
 * the page from it.
 */

#include <json-c/json.h>
#include <stdint.h>

#include "bundle/bundle.h"
#include "parse/memstats.h"
#include "report/report.h"
#include "base/strbuf.h"

/*
 * Frames lighter than this share of a view's total are merged, one box per
 * parent, and the share doubles until a view has at most HTML_FLAME_MAX_NODES
 * nodes: a 262k-stack heap profile must give a page of a few MB that draws
 * in well under a second.
 */
#define HTML_FLAME_MIN_SHARE 0.0001
#define HTML_FLAME_MAX_NODES 12000

/* One sample over time; a value not in the bundle is -1. */
struct html_point {
	char id[16];		/* "000" */
	char *time;		/* as the manifest has it, NULL when unknown */
	double seconds;		/* since the first sample */
	int64_t headline, rss, heap_inuse, goroutines;
};

struct html_data {
	struct bundle b;
	int have_bundle;
	json_object *flames;	/* array of views for the page's script (html-data.c says what a view holds) */
	struct html_point *points;
	size_t nr_points;
	struct memstats ms;
	int have_ms;
	int64_t heap_profile;	/* inuse_space total of the heap profile, -1 when none */
	struct strbuf notes;	/* what could not be read, one line each, shown on the page */
};

void html_data_init(struct html_data *d);
void html_data_release(struct html_data *d);
/*
 * Reads r->bundle again. Never fails the report: what cannot be read is
 * left out, with a line in d->notes; -1 only for a bundle that cannot be
 * opened at all (then the page has the report's text parts only).
 */
int html_data_load(const struct report *r, struct html_data *d, struct strbuf *err);

#endif
