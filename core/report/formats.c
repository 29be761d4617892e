/*
 * The report formats by name. Adding one: write report/NAME.c with a
 * report_write_NAME() of the writer type, declare it in report.h, add a row
 * below and list the file in core/meson.build. --format, its error message
 * and the man page's list all come from this table.
 */
#include "report/report.h"

#include <string.h>

static const struct report_format formats[] = {
	{ "text", report_write_text },
	{ "markdown", report_write_markdown },
	{ "json", report_write_json },
	{ "html", report_write_html },
	{ NULL, NULL },
};

const struct report_format *report_format_list(void)
{
	return formats;
}

const struct report_format *report_format_find(const char *name)
{
	const struct report_format *f;

	for (f = formats; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

void report_format_names(struct strbuf *sb)
{
	const struct report_format *f;

	for (f = formats; f->name; f++)
		strbuf_addf(sb, "%s%s", f == formats ? "" : f[1].name ? ", " : " or ", f->name);
}
