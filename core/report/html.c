/*
 * The HTML report: one self-contained file to attach to a ticket and open
 * offline (docs/report-format.md). The text parts, the ledger chart and the
 * climb over time are plain HTML and SVG, readable without JavaScript; the
 * flame graphs are drawn by the page's own script from JSON embedded in
 * the page. A Content-Security-Policy forbids every external load, and
 * every value from the bundle is escaped: function names and paths are
 * whatever the profiled program or a hostile bundle says they are.
 */
#include "report/report.h"

#include <math.h>
#include <string.h>

#include "base/json.h"
#include "bundle/vocab.h"
#include "config.h"
#include "html-assets.h"	/* generated from core/report/html/ */
#include "report/html.h"

/* Text into element content or a quoted attribute value. */
static void esc(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out);
		}
	}
}

static void esc_bytes(FILE *out, int64_t n)
{
	char b[32];

	format_bytes(b, sizeof(b), n);
	esc(out, b);
}

/*
 * JSON inside <script type="application/json">: "</script>" or "<!--" in
 * a string would end or confuse the element, so <, > and & are written as
 * \u escapes; U+2028/2029 are escaped too, for any reader that still
 * treats them as line ends. None of them can occur outside a string.
 */
static void json_script(FILE *out, const char *id, json_object *j)
{
	const char *s = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	fprintf(out, "<script type=\"application/json\" id=\"%s\">", id);
	for (; *s; s++) {
		const unsigned char *u = (const unsigned char *)s;

		if (*s == '<' || *s == '>' || *s == '&')
			fprintf(out, "\\u%04x", *u);
		else if (u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9)) {
			fprintf(out, "\\u%04x", u[2] == 0xa8 ? 0x2028 : 0x2029);
			s += 2;
		} else
			fputc(*s, out);
	}
	fputs("</script>\n", out);
}

static const char *verdict_class(enum verdict v)
{
	return v == VERDICT_IMPLICATED ? "bad" : v == VERDICT_RULED_OUT ? "good" : "unsure";
}

static void dl_row(FILE *out, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	fprintf(out, "<div><dt>%s</dt><dd>", name);
	esc(out, value);
	fputs("</dd></div>\n", out);
}

static void header(const struct report *r, const struct html_data *d, FILE *out)
{
	json_object *mf = d->have_bundle ? d->b.manifest : NULL;
	json_object *target = json_get_obj(mf, MF_TARGET), *host = json_get_obj(mf, MF_HOST);
	json_object *coll = json_get_obj(mf, MF_COLLECTION), *head = json_get_obj(r->ledger, "headline");
	const struct bundle_file *cg = d->have_bundle ? bundle_get(&d->b, ART_CGROUP_INFO) : NULL;
	struct strbuf s = STRBUF_INIT;
	int64_t limit = json_get_int(head, "limit", 0);

	fputs("<header>\n<h1>triage report</h1>\n<dl class=\"facts\">\n", out);
	dl_row(out, "bundle", r->bundle);
	if (target) {
		int64_t pid = json_get_int(target, MF_TARGET_PID, 0);

		strbuf_addstr(&s, json_get_str(target, MF_TARGET_EXE, json_get_str(target, MF_TARGET_PPROF_URL, "")));
		if (pid > 0)
			strbuf_addf(&s, " (pid %lld)", (long long)pid);
		dl_row(out, "target", s.buf);
		dl_row(out, "main module", json_get_str(target, MF_TARGET_MAIN_MODULE, NULL));
		dl_row(out, "Go version", json_get_str(target, MF_TARGET_GO_VERSION, NULL));
	}
	if (host) {
		dl_row(out, "host", json_get_str(host, MF_HOST_HOSTNAME, NULL));
		dl_row(out, "kernel", json_get_str(host, MF_HOST_KERNEL, NULL));
	}
	if (cg) {
		json_object *j = json_tokener_parse((const char *)cg->data);

		strbuf_reset(&s);
		if (json_object_is_type(j, json_type_object))
			strbuf_addf(&s, "v%lld %s", (long long)json_get_int(j, "version", 0), json_get_str(j, "path", ""));
		dl_row(out, "cgroup", s.buf);
		if (j)
			json_object_put(j);
	} else {
		dl_row(out, "cgroup", "none in the bundle");
	}
	dl_row(out, "collected", json_get_str(coll, MF_COLL_START, NULL));
	fputs("<div><dt>headline</dt><dd class=\"headline\">", out);
	if (r->headline_bytes > 0) {
		esc(out, r->headline_name ? r->headline_name : "memory");
		fputs(" <strong>", out);
		esc_bytes(out, r->headline_bytes);
		fputs("</strong>", out);
	} else {
		fputs("unknown (no cgroup or process memory in the bundle)", out);
	}
	fputs("</dd></div>\n", out);
	if (limit > 0) {
		fputs("<div><dt>limit</dt><dd>", out);
		esc_bytes(out, limit);
		if (r->headline_bytes > 0)
			fprintf(out, " (headline is %.0f%% of it)", 100.0 * (double)r->headline_bytes / (double)limit);
		fputs("</dd></div>\n", out);
	}
	fputs("</dl>\n<nav><a href=\"#ladder\">ladder</a> <a href=\"#findings\">findings</a> "
	      "<a href=\"#ledger\">ledger</a> <a href=\"#climb\">over time</a> "
	      "<a href=\"#flames\">flame graphs</a> <a href=\"#rules\">rules</a></nav>\n</header>\n", out);
	strbuf_release(&s);
}

static void list(FILE *out, const char *cls, const struct strlist *l)
{
	size_t i;

	if (!l->nr)
		return;
	fprintf(out, "<ul class=\"%s\">", cls);
	for (i = 0; i < l->nr; i++) {
		fputs("<li>", out);
		esc(out, l->items[i]);
		fputs("</li>", out);
	}
	fputs("</ul>\n", out);
}

static void ladder(const struct report *r, FILE *out)
{
	int g;

	fputs("<section id=\"ladder\">\n<h2>Ladder</h2>\n<table class=\"ladder\">\n"
	      "<thead><tr><th>#</th><th>rung</th><th>verdict</th><th>evidence</th></tr></thead>\n<tbody>\n", out);
	for (g = 0; g < NR_RUNGS; g++) {
		const struct rung_verdict *v = &r->ladder[g];

		fprintf(out, "<tr><td>%d</td><td>%s</td><td><span class=\"badge %s\">%s</span></td><td>",
			g + 1, rung_name((enum rung)g), verdict_class(v->verdict), verdict_name(v->verdict));
		list(out, "evidence", &v->evidence);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody>\n</table>\n</section>\n", out);
}

static void findings(const struct report *r, FILE *out)
{
	size_t i;

	fputs("<section id=\"findings\">\n<h2>Findings <small>most likely cause first</small></h2>\n", out);
	if (!r->nr_findings)
		fputs("<p>none</p>\n", out);
	for (i = 0; i < r->nr_findings; i++) {
		const struct finding *f = &r->findings[i];

		fprintf(out, "<article class=\"finding sev-%s\">\n<div class=\"fhead\"><span class=\"rank\">#%d</span> "
			"<span class=\"badge sev\">%s</span> <code>%s/", severity_name(f->severity), f->rank,
			severity_name(f->severity), rung_name(f->rung));
		esc(out, f->rule ? f->rule : "?");
		fputs("</code>", out);
		if (f->bytes >= 0) {
			fputs(" <span class=\"bytes\">", out);
			esc_bytes(out, f->bytes);
			if (r->headline_bytes > 0)
				fprintf(out, " (%.0f%% of headline)", 100.0 * (double)f->bytes / (double)r->headline_bytes);
			fputs("</span>", out);
		}
		fprintf(out, " <span class=\"conf\">confidence %.2f</span></div>\n", f->confidence);
		if (f->title) {
			fputs("<h3>", out);
			esc(out, f->title);
			fputs("</h3>\n", out);
		}
		if (f->summary) {
			fputs("<p>", out);
			esc(out, f->summary);
			fputs("</p>\n", out);
		}
		if (f->evidence.nr)
			fputs("<h4>evidence</h4>\n", out);
		list(out, "evidence", &f->evidence);
		if (f->advice.nr)
			fputs("<h4>advice</h4>\n", out);
		list(out, "advice", &f->advice);
		if (f->refs.nr)
			fputs("<h4>references</h4>\n", out);
		list(out, "refs", &f->refs);
		fputs("</article>\n", out);
	}
	fputs("</section>\n", out);
}

struct segment {
	const char *label, *why;
	int64_t bytes;
};

/*
 * The headline as one stacked bar, from the most explained layer out: the
 * heap profile, the rest of HeapInuse, the rest of what Go holds resident,
 * and what Go does not account for. Go's numbers include memory that is not
 * resident, so each segment is capped at what is left of the headline and
 * the segments always add up to it; a cap is said in the legend.
 */
static size_t headline_segments(const struct report *r, const struct html_data *d, struct segment *seg,
				int *capped)
{
	json_object *head = json_get_obj(r->ledger, "headline");
	int64_t H = r->headline_bytes, left = H, want[3] = { -1, -1, -1 };
	static const char *const labels[3] = {
		"heap profile (inuse_space)", "HeapInuse not in the profile",
		"other Go runtime memory",
	};
	static const char *const whys[3] = {
		"sampled live objects as of the last GC",
		"span fragmentation, objects allocated since the last GC, sampling error",
		"idle heap not returned, stacks, runtime metadata: Sys - HeapReleased - HeapInuse",
	};
	size_t n = 0, i;

	*capped = 0;
	want[0] = d->heap_profile >= 0 ? d->heap_profile : json_get_int(head, "profile_inuse", -1);
	if (d->have_ms && MEMSTATS_HAS(&d->ms, MEMSTATS_HEAP_INUSE)) {
		want[1] = (int64_t)d->ms.heap_inuse - (want[0] > 0 ? want[0] : 0);
		if (MEMSTATS_HAS(&d->ms, MEMSTATS_SYS) && MEMSTATS_HAS(&d->ms, MEMSTATS_HEAP_RELEASED))
			want[2] = (int64_t)d->ms.sys - (int64_t)d->ms.heap_released - (int64_t)d->ms.heap_inuse;
	}
	for (i = 0; i < 3; i++) {
		int64_t v = want[i];

		if (v < 0)
			continue;
		if (v > left) {
			*capped = 1;
			v = left;
		}
		seg[n].label = labels[i];
		seg[n].why = whys[i];
		seg[n++].bytes = v;
		left -= v;
	}
	seg[n].label = "outside Go's accounting";
	seg[n].why = !strcmp(json_get_str(head, "source", ""), "cgroup") ?
		"page cache and kernel memory charged to the cgroup, other processes, non-Go (cgo) memory" :
		"file-backed pages (binary, libraries), non-Go (cgo) memory";
	seg[n++].bytes = left;
	return n;
}

static const char *const seg_colors[] = { "#d9622b", "#e8a33d", "#6f9fd8", "#9aa5b1" };

static void ledger_chart(const struct report *r, const struct html_data *d, FILE *out)
{
	struct segment seg[4];
	int capped;
	size_t n = headline_segments(r, d, seg, &capped), i;
	int64_t H = r->headline_bytes, limit = json_get_int(json_get_obj(r->ledger, "headline"), "limit", 0);
	double scale = (double)(limit > H ? limit : H), x = 0, W = 1000;

	fputs("<figure class=\"ledger-chart\">\n<svg viewBox=\"0 0 1000 64\" role=\"img\" "
	      "aria-label=\"the headline, by layer\">\n", out);
	for (i = 0; i < n; i++) {
		double w = (double)seg[i].bytes / scale * W;

		fprintf(out, "<rect class=\"seg\" x=\"%.2f\" y=\"8\" width=\"%.2f\" height=\"40\" fill=\"%s\" "
			"data-bytes=\"%lld\" data-label=\"", x, w, seg_colors[i % 4], (long long)seg[i].bytes);
		esc(out, seg[i].label);
		fputs("\"><title>", out);
		esc(out, seg[i].label);
		fputs(": ", out);
		esc_bytes(out, seg[i].bytes);
		fputs("</title></rect>\n", out);
		if (w > 90) {
			fprintf(out, "<text x=\"%.2f\" y=\"33\" class=\"seglabel\">", x + 6);
			esc_bytes(out, seg[i].bytes);
			fputs("</text>\n", out);
		}
		x += w;
	}
	if (limit > H) {
		fprintf(out, "<rect class=\"headroom\" x=\"%.2f\" y=\"8\" width=\"%.2f\" height=\"40\" "
			"data-bytes=\"%lld\"><title>headroom to the limit: ", x, W - x, (long long)(limit - H));
		esc_bytes(out, limit - H);
		fputs("</title></rect>\n", out);
		fputs("<line class=\"limit\" x1=\"999\" x2=\"999\" y1=\"2\" y2=\"56\"/>\n", out);
	}
	fprintf(out, "<line class=\"hl\" x1=\"%.2f\" x2=\"%.2f\" y1=\"2\" y2=\"56\"/>\n", x, x);
	fputs("</svg>\n<figcaption>\n<ul class=\"legend\">\n", out);
	for (i = 0; i < n; i++) {
		fprintf(out, "<li><span class=\"sw\" style=\"background:%s\"></span><b>", seg_colors[i % 4]);
		esc(out, seg[i].label);
		fputs("</b> ", out);
		esc_bytes(out, seg[i].bytes);
		if (H > 0)
			fprintf(out, " (%.1f%%)", 100.0 * (double)seg[i].bytes / (double)H);
		fputs(" <span class=\"dim\">", out);
		esc(out, seg[i].why);
		fputs("</span></li>\n", out);
	}
	if (limit > H) {
		fputs("<li><span class=\"sw headroom\"></span><b>headroom to the limit</b> ", out);
		esc_bytes(out, limit - H);
		fputs(" <span class=\"dim\">not part of the headline</span></li>\n", out);
	}
	fputs("</ul>\n<p class=\"dim\">The bar is the headline, ", out);
	esc(out, r->headline_name ? r->headline_name : "memory");
	fputs(" ", out);
	esc_bytes(out, H);
	fputs(limit > H ? ", drawn against the limit. " : ". ", out);
	if (capped)
		fputs("Go's own numbers add up to more than the headline (part of what the runtime holds is not "
		      "resident), so the last Go layer is cut at what is left.", out);
	fputs("</p>\n</figcaption>\n</figure>\n", out);
}

/*
 * The top-level layers of the ledger as bars on one scale, the waterfall
 * from the limit down to the heap profile; HTML rather than SVG so the
 * names read at the page's text size.
 */
static void ledger_layers(json_object *rows, FILE *out)
{
	size_t i, n = json_object_array_length(rows);
	int64_t max = 1;

	for (i = 0; i < n; i++) {
		json_object *row = json_object_array_get_idx(rows, i);

		if (json_get_int(row, "depth", 0) == 0 && json_get_int(row, "bytes", 0) > max)
			max = json_get_int(row, "bytes", 0);
	}
	fputs("<div class=\"layers\" role=\"img\" aria-label=\"ledger layers on one scale\">\n", out);
	for (i = 0; i < n; i++) {
		json_object *row = json_object_array_get_idx(rows, i);
		int64_t b = json_get_int(row, "bytes", 0);

		if (json_get_int(row, "depth", 0) != 0)
			continue;
		fputs("<div class=\"layer\"><span class=\"lname\">", out);
		esc(out, json_get_str(row, "name", ""));
		fprintf(out, "</span><span class=\"lbar\"><span style=\"width:%.2f%%\" data-bytes=\"%lld\"></span></span>"
			"<span class=\"lval\">", b > 0 ? 100.0 * (double)b / (double)max : 0.0, (long long)b);
		esc_bytes(out, b);
		fputs("</span></div>\n", out);
	}
	fputs("</div>\n", out);
}

static void ledger(const struct report *r, const struct html_data *d, FILE *out)
{
	json_object *rows = json_get_array(r->ledger, "rows");
	size_t i, n;

	fputs("<section id=\"ledger\">\n<h2>Memory ledger</h2>\n", out);
	if (!rows || r->headline_bytes <= 0) {
		fputs("<p>unavailable</p>\n</section>\n", out);
		return;
	}
	fputs("<div class=\"ledger-wrap\">\n<div class=\"ledger-charts\">\n", out);
	ledger_chart(r, d, out);
	ledger_layers(rows, out);
	fputs("</div>\n<table class=\"ledger\">\n<thead><tr><th>layer</th><th>bytes</th><th>of headline</th>"
	      "<th>note</th></tr></thead>\n<tbody>\n", out);
	n = json_object_array_length(rows);
	for (i = 0; i < n; i++) {
		json_object *row = json_object_array_get_idx(rows, i), *v;
		int64_t depth = json_get_int(row, "depth", 0);

		fprintf(out, "<tr class=\"d%lld\"><td>", (long long)(depth < 0 || depth > 6 ? 0 : depth));
		esc(out, json_get_str(row, "name", ""));
		fputs("</td><td class=\"num\">", out);
		if (json_object_object_get_ex(row, "bytes", &v) && !json_object_is_type(v, json_type_null))
			esc_bytes(out, json_object_get_int64(v));
		fputs("</td><td class=\"num\">", out);
		if (json_object_object_get_ex(row, "share", &v) && json_object_is_type(v, json_type_double))
			fprintf(out, "%.1f%%", json_object_get_double(v) * 100);
		fputs("</td><td class=\"dim\">", out);
		esc(out, json_get_str(row, "note", ""));
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody>\n</table>\n</div>\n</section>\n", out);
}

static void duration_text(char *buf, size_t len, double s)
{
	if (s < 120)
		snprintf(buf, len, "%.0f s", s);
	else if (s < 7200)
		snprintf(buf, len, "%.0f min", s / 60);
	else if (s < 3 * 86400)
		snprintf(buf, len, "%.1f h", s / 3600);
	else
		snprintf(buf, len, "%.1f days", s / 86400);
}

struct metric {
	const char *name;
	size_t off;	/* of the int64_t in struct html_point */
	int bytes;
};

static int64_t point_value(const struct html_point *p, const struct metric *m)
{
	return *(const int64_t *)((const char *)p + m->off);
}

/* One small line chart, in SVG; the limit as a dashed line when given. */
static void climb_chart(const struct html_data *d, const struct metric *m, int64_t limit, FILE *out)
{
	const double W = 380, H = 170, L = 62, T = 12, B = 22;
	/* times unknown: samples evenly spaced by number */
	int by_index = d->points[d->nr_points - 1].seconds <= 0;
	double tmax = by_index ? (double)(d->nr_points - 1) : d->points[d->nr_points - 1].seconds;
	double vmax = (double)limit;
	size_t i;
	char b[32];

	for (i = 0; i < d->nr_points; i++)
		if ((double)point_value(&d->points[i], m) > vmax)
			vmax = (double)point_value(&d->points[i], m);
	if (vmax <= 0)
		return;
	vmax *= 1.08;
	fprintf(out, "<figure class=\"climb\" data-metric=\"%s\">\n<figcaption>%s</figcaption>\n"
		"<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s over time\">\n",
		m->name, m->name, W, H, m->name);
	fprintf(out, "<line class=\"axis\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>\n", L, H - B, W - 8, H - B);
	fprintf(out, "<line class=\"axis\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>\n", L, T, L, H - B);
	if (m->bytes)
		format_bytes(b, sizeof(b), (int64_t)vmax);
	else
		snprintf(b, sizeof(b), "%.0f", vmax);
	fprintf(out, "<text class=\"tick\" x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%s</text>\n", L - 4, T + 4, b);
	fprintf(out, "<text class=\"tick\" x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">0</text>\n", L - 4, H - B);
	if (by_index)
		snprintf(b, sizeof(b), "sample %zu", d->nr_points);
	else
		duration_text(b, sizeof(b), tmax);
	fprintf(out, "<text class=\"tick\" x=\"%.0f\" y=\"%.0f\">%s</text>\n", L, H - 6, by_index ? "sample 1" : "0 s");
	fprintf(out, "<text class=\"tick\" x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%s</text>\n", W - 8, H - 6, b);
	if (limit > 0) {
		double y = T + (H - B - T) * (1 - (double)limit / vmax);

		format_bytes(b, sizeof(b), limit);
		fprintf(out, "<line class=\"limit\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.2f\" y2=\"%.2f\"/>\n"
			"<text class=\"tick limit-label\" x=\"%.0f\" y=\"%.2f\">limit %s</text>\n",
			L, W - 8, y, y, L + 4, y - 4, b);
	}
	fputs("<polyline class=\"series\" points=\"", out);
	for (i = 0; i < d->nr_points; i++) {
		const struct html_point *p = &d->points[i];
		double t = by_index ? (double)i : p->seconds;

		if (point_value(p, m) < 0)
			continue;
		fprintf(out, "%.2f,%.2f ", L + (W - 8 - L) * t / tmax,
			T + (H - B - T) * (1 - (double)point_value(p, m) / vmax));
	}
	fputs("\"/>\n", out);
	for (i = 0; i < d->nr_points; i++) {
		const struct html_point *p = &d->points[i];
		double t = by_index ? (double)i : p->seconds;

		if (point_value(p, m) < 0)
			continue;
		if (m->bytes)
			format_bytes(b, sizeof(b), point_value(p, m));
		else
			snprintf(b, sizeof(b), "%lld", (long long)point_value(p, m));
		fprintf(out, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3.5\" data-value=\"%lld\"><title>sample %s: %s</title></circle>\n",
			L + (W - 8 - L) * t / tmax, T + (H - B - T) * (1 - (double)point_value(p, m) / vmax),
			(long long)point_value(p, m), p->id, b);
	}
	fputs("</svg>\n</figure>\n", out);
}

static void climb(const struct report *r, const struct html_data *d, FILE *out)
{
	static const struct metric metrics[] = {
		{ "headline", offsetof(struct html_point, headline), 1 },
		{ "RSS", offsetof(struct html_point, rss), 1 },
		{ "HeapInuse", offsetof(struct html_point, heap_inuse), 1 },
		{ "goroutines", offsetof(struct html_point, goroutines), 0 },
	};
	int64_t limit = json_get_int(json_get_obj(r->ledger, "headline"), "limit", 0);
	const struct html_point *a, *z;
	size_t i, k;

	fputs("<section id=\"climb\">\n<h2>Over time</h2>\n", out);
	if (d->nr_points < 2) {
		fputs("<p>The bundle has fewer than two samples over time (collect with <code>--samples N</code>).</p>\n"
		      "</section>\n", out);
		return;
	}
	a = &d->points[0];
	z = &d->points[d->nr_points - 1];
	if (a->headline > 0 && z->headline > a->headline && z->seconds > 0) {
		double rate = (double)(z->headline - a->headline) / z->seconds;
		char b[32], t[32];

		format_bytes(b, sizeof(b), (int64_t)(rate * 60));
		fprintf(out, "<p class=\"projection\">The headline grew by %s a minute over %zu samples", b, d->nr_points);
		if (limit > z->headline) {
			duration_text(t, sizeof(t), (double)(limit - z->headline) / rate);
			fprintf(out, "; at that rate it reaches the limit in about <strong>%s</strong>", t);
		}
		fputs(".</p>\n", out);
	} else if (a->headline > 0 && z->headline > a->headline) {
		fputs("<p class=\"projection\">The headline grew from ", out);
		esc_bytes(out, a->headline);
		fputs(" to ", out);
		esc_bytes(out, z->headline);
		fprintf(out, " over %zu samples (when they were taken is not in the bundle).</p>\n", d->nr_points);
	} else if (a->headline > 0 && z->headline > 0) {
		fputs("<p class=\"projection\">The headline did not grow between the first and the last sample.</p>\n", out);
	}
	fputs("<div class=\"climbs\">\n", out);
	for (i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		climb_chart(d, &metrics[i], i == 0 ? limit : 0, out);
	fputs("</div>\n<table class=\"samples\">\n<thead><tr><th>sample</th><th>time</th>", out);
	for (i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		fprintf(out, "<th>%s</th>", metrics[i].name);
	fputs("</tr></thead>\n<tbody>\n", out);
	for (k = 0; k < d->nr_points; k++) {
		fprintf(out, "<tr><td>%s</td><td>", d->points[k].id);
		esc(out, d->points[k].time ? d->points[k].time : "");
		fputs("</td>", out);
		for (i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++) {
			int64_t v = point_value(&d->points[k], &metrics[i]);

			fputs("<td class=\"num\">", out);
			if (v >= 0 && metrics[i].bytes)
				esc_bytes(out, v);
			else if (v >= 0)
				fprintf(out, "%lld", (long long)v);
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody>\n</table>\n</section>\n", out);
}

static void flames(const struct html_data *d, FILE *out)
{
	size_t i, n = d->flames ? json_object_array_length(d->flames) : 0;

	fputs("<section id=\"flames\">\n<h2>Flame graphs</h2>\n", out);
	if (!n) {
		fputs("<p>The bundle has no profile to draw.</p>\n</section>\n", out);
		return;
	}
	fputs("<p class=\"dim\">Root at the top, callees below; a frame's width is its share of the samples "
	      "through its path. Colour says who owns the frame: "
	      "<span class=\"key o0\">main module</span> <span class=\"key o1\">dependency</span> "
	      "<span class=\"key o2\">standard library</span> <span class=\"key o3\">runtime</span> "
	      "<span class=\"key o4\">module not in build info</span>; in a diff, "
	      "<span class=\"key grow\">grew</span> <span class=\"key shrink\">shrank</span>. "
	      "Click a frame to zoom into it, the frames above it to zoom out.</p>\n<ul class=\"views\">\n", out);
	for (i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(d->flames, i);

		fputs("<li><b>", out);
		esc(out, json_get_str(v, "title", ""));
		fputs("</b>: total ", out);
		esc(out, json_get_str(v, "totalText", ""));
		fprintf(out, "; frames under %.2f%% of the total are merged into one box per caller (%lld merged)</li>\n",
			json_object_get_double(json_object_object_get(v, "minShare")) * 100,
			(long long)json_get_int(v, "merged", 0));
	}
	fputs("</ul>\n<noscript><p>The flame graphs need JavaScript; the rest of this page reads without it.</p></noscript>\n"
	      "<div id=\"fg\" hidden>\n<div class=\"fg-bar\"><span id=\"fg-tabs\" role=\"tablist\"></span>"
	      "<input id=\"fg-search\" type=\"search\" placeholder=\"search frames\" aria-label=\"search frames\">"
	      "<button id=\"fg-reset\" type=\"button\">reset zoom</button></div>\n"
	      "<div id=\"fg-status\" aria-live=\"polite\"></div>\n<div id=\"fg-note\" class=\"dim\"></div>\n"
	      "<div id=\"fg-canvas\"></div>\n<div id=\"fg-tip\" hidden></div>\n</div>\n</section>\n", out);
}

static void rules(const struct report *r, FILE *out)
{
	size_t i, ran = 0, skipped = 0, failed = 0;

	for (i = 0; i < r->nr_rules; i++) {
		ran += r->rules[i].status == RULE_RAN;
		skipped += r->rules[i].status == RULE_SKIPPED;
		failed += r->rules[i].status == RULE_ERROR;
	}
	fprintf(out, "<section id=\"rules\">\n<h2>Rules <small>%zu ran, %zu skipped, %zu failed</small></h2>\n<ul class=\"rules\">\n",
		ran, skipped, failed);
	for (i = 0; i < r->nr_rules; i++) {
		const struct rule_result *x = &r->rules[i];

		if (x->status == RULE_RAN)
			continue;
		fprintf(out, "<li class=\"%s\"><code>", rule_status_name(x->status));
		esc(out, x->id ? x->id : x->file);
		fprintf(out, "</code> %s: ", rule_status_name(x->status));
		esc(out, x->reason ? x->reason : "");
		if (x->failure) {
			fputs(" [", out);
			esc(out, x->failure);
			fputc(']', out);
		}
		fputs("</li>\n", out);
	}
	fputs("</ul>\n</section>\n", out);
}

int report_write_html(const struct report *r, FILE *out, int color)
{
	struct html_data d;
	struct strbuf err = STRBUF_INIT;
	json_object *data = json_object_new_object();

	(void)color;
	html_data_init(&d);
	if (html_data_load(r, &d, &err) < 0)
		strbuf_addf(&d.notes, "%s\n", err.buf);
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"triage " TRIAGE_VERSION "\">\n<title>triage report: ", out);
	esc(out, r->bundle ? r->bundle : "bundle");
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", html_css);
	header(r, &d, out);
	fputs("<main>\n", out);
	ladder(r, out);
	findings(r, out);
	ledger(r, &d, out);
	climb(r, &d, out);
	flames(&d, out);
	rules(r, out);
	if (d.notes.len) {
		fputs("<section id=\"notes\">\n<h2>Not shown</h2>\n<pre>", out);
		esc(out, d.notes.buf);
		fputs("</pre>\n</section>\n", out);
	}
	fputs("</main>\n", out);
	json_object_object_add(data, "flames", d.flames ? json_object_get(d.flames) : json_object_new_array());
	json_object_object_add(data, "headline", json_object_new_int64(r->headline_bytes));
	json_script(out, "triage-data", data);
	fprintf(out, "<script>\n%s</script>\n</body>\n</html>\n", html_js);
	json_object_put(data);
	html_data_release(&d);
	strbuf_release(&err);
	return ferror(out) ? -1 : 0;
}
