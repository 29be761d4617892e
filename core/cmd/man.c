/*
 * The man page, generated from what --help prints: the command table and
 * each command's usage text. docs/triage.1 is this output, committed so
 * the page reads without a build; tests/man.sh fails when the two differ.
 * After changing a usage text:
 *	build/triage help --man >docs/triage.1
 *
 * A usage text is read as paragraphs separated by blank lines: the
 * "usage:" lines go to SYNOPSIS, an "Options:" paragraph becomes a tagged
 * list, an unindented one is running text and any other is kept as laid
 * out (the expect.json example of "rules").
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "cmd/cmd.h"

static const char man_description[] =
	"Go memory incidents are hard because every number tells part of the story:\n"
	"pprof shows the sampled live heap, process RSS counts what the runtime holds,\n"
	"and the OOM killer acts on the cgroup's usage.\n"
	".B triage\n"
	"collects all of them from a running process into one bundle and walks a\n"
	"decision ladder (business code, libraries, runtime, tooling, environment)\n"
	"over it.\n";

/* What does not fit in a usage text: man-only notes after a command's usage. */
static const struct {
	const char *command, *text;
} man_notes[] = {
	{ "top",
	  "Like pprof, it shows C++ and Rust names demangled without parameters and\n"
	  "template arguments, and cuts stacks with the profile's own drop_frames and\n"
	  "keep_frames patterns; a pattern that does not compile is ignored with a\n"
	  "warning on standard error.\n" },
	{ NULL, NULL },
};

static const char man_tail[] =
	".SH EXIT STATUS\n"
	".TP\n.B 0\nSuccess.\n"
	".TP\n.B 1\nFindings at or above\n.BR \\-\\-fail\\-on .\n"
	".TP\n.B 2\nUsage error or bad input (a malformed profile, a missing file), or an\n"
	"analysis in which rules ran out of memory, instructions or time.\n"
	".TP\n.B 3\nInternal error.\n"
	".SH ENVIRONMENT\n"
	".TP\n.B TRIAGE_DATADIR\nWhere the Lua\n.I plugins/\nand\n.I rules/\n"
	"live. By default\n.I ../share/triage\nnext to the binary, then the configured prefix.\n"
	".TP\n.B TRIAGE_RULES_PATH\nMore rule directories, colon-separated, for\n"
	".B analyze\nand\n.BR \"rules list\" .\n"
	".TP\n.B XDG_CONFIG_HOME\nRules in\n.I $XDG_CONFIG_HOME/triage/rules\nrun too.\n"
	".TP\n.B NO_COLOR\nWhen set to a non-empty value,\n.B analyze\n"
	"prints no colour even on a terminal (https://no-color.org).\n"
	"Set but empty, it is ignored.\n"
	".SH SEE ALSO\n"
	".BR go (1),\n"
	".B go tool pprof\n";

/*
 * Text for a roff line: a backslash is \e, and every hyphen of a word that
 * starts with one ("--pprof-url", "-n") is \- so it renders as the minus
 * a reader types, not as a typographic hyphen.
 */
static void roff_text(FILE *out, const char *s, size_t n)
{
	size_t i;
	int flag = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '-' && (!i || !isalnum((unsigned char)s[i - 1])))
			flag = 1;
		else if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			flag = 0;
		if (s[i] == '\\')
			fputs("\\e", out);
		else if (s[i] == '-' && flag)
			fputs("\\-", out);
		else
			fputc(s[i], out);
	}
}

/* One line of text; a leading '.' or '\'' would be read as a request. */
static void roff_line(FILE *out, const char *s, size_t n)
{
	if (n && (s[0] == '.' || s[0] == '\''))
		fputs("\\&", out);
	roff_text(out, s, n);
	fputc('\n', out);
}

static size_t indent_of(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == ' ')
		i++;
	return i;
}

/* The next line of [*s, end) into (line, len); 0 when none is left. */
static int next_line(const char **s, const char *end, const char **line, size_t *len)
{
	const char *nl;

	if (*s >= end)
		return 0;
	nl = memchr(*s, '\n', (size_t)(end - *s));
	*line = *s;
	*len = nl ? (size_t)(nl - *s) : (size_t)(end - *s);
	*s += *len + 1;
	return 1;
}

/* "-f, --format FORMAT": the flags bold, the value's name italic. */
static void option_tag(FILE *out, const char *s, size_t n)
{
	size_t i = 0;

	fputs(".TP\n", out);
	while (i < n) {
		size_t w = 0, comma;

		while (i < n && s[i] == ' ')
			i++;
		while (i + w < n && s[i + w] != ' ')
			w++;
		if (!w)
			break;
		comma = s[i + w - 1] == ',';
		fputs(s[i] == '-' ? "\\fB" : "\\fI", out);
		roff_text(out, s + i, w - comma);
		fputs("\\fR", out);
		if (comma)
			fputc(',', out);
		i += w;
		if (i < n)
			fputc(' ', out);
	}
	fputc('\n', out);
}

/* "Options:" and its lines: an option starts a tagged item, deeper lines continue it. */
static void options_para(FILE *out, const char *s, const char *end)
{
	const char *cur = s, *p;
	size_t len;

	fputs(".PP\nOptions:\n", out);
	next_line(&cur, end, &p, &len);	/* "Options:" */
	while (next_line(&cur, end, &p, &len)) {
		size_t ind = indent_of(p, len);
		const char *gap;

		if (ind < 8 && ind < len && p[ind] == '-') {
			gap = strstr(p + ind, "  ");
			if (!gap || gap > p + len)
				gap = p + len;
			option_tag(out, p + ind, (size_t)(gap - p - ind));
			while (gap < p + len && *gap == ' ')
				gap++;
			if (gap < p + len)
				roff_line(out, gap, (size_t)(p + len - gap));
		} else {
			roff_line(out, p + ind, len - ind);
		}
	}
}

static void para(FILE *out, const char *s, const char *end)
{
	const char *cur = s, *p;
	int indented = 0;
	size_t len;

	if (!strncmp(s, "Options:\n", 9)) {
		options_para(out, s, end);
		return;
	}
	while (next_line(&cur, end, &p, &len))
		indented |= len && p[0] == ' ';
	fputs(indented ? ".PP\n.nf\n" : ".PP\n", out);
	for (cur = s; next_line(&cur, end, &p, &len);)
		roff_line(out, p, len);
	if (indented)
		fputs(".fi\n", out);
}

/* Calls para() on each paragraph of a usage text, or the synopsis on the "usage:" one. */
static void usage_body(FILE *out, const char *u)
{
	while (*u) {
		const char *end = strstr(u, "\n\n");

		if (!end)
			end = u + strlen(u);
		if (strncmp(u, "usage:", 6))
			para(out, u, end);
		u = end;
		while (*u == '\n')
			u++;
	}
}

/* "usage: triage rules list [--rules DIR]...": the command bold, the rest as written. */
static void synopsis(FILE *out, const char *u)
{
	const char *end = strstr(u, "\n\n"), *cur = u + 6, *p;
	size_t len;

	if (strncmp(u, "usage:", 6))
		return;
	if (!end)
		end = u + strlen(u);
	while (next_line(&cur, end, &p, &len)) {
		size_t ind = indent_of(p, len), cmd_end = ind;

		/* "triage NAME" is the command; what follows is arguments */
		while (cmd_end < len && p[cmd_end] != ' ')
			cmd_end++;
		while (cmd_end < len && p[cmd_end] == ' ')
			cmd_end++;
		while (cmd_end < len && p[cmd_end] != ' ')
			cmd_end++;
		fputs("\\fB", out);
		roff_text(out, p + ind, cmd_end - ind);
		fputs("\\fR", out);
		roff_text(out, p + cmd_end, len - cmd_end);
		fputs("\n.br\n", out);
	}
}

int command_write_man(FILE *out)
{
	const struct command *c;
	size_t i;

	fprintf(out, ".\\\" Generated by 'triage help --man' from the usage texts; do not edit.\n"
		".TH TRIAGE 1 \"2026\" \"triage %s\" \"User Commands\"\n"
		".SH NAME\n"
		"triage \\- find out why a Go service's memory grows until it is killed\n"
		".SH SYNOPSIS\n"
		".B triage\n.I command\n.RI [ options ]\n.PP\n", TRIAGE_VERSION);
	for (c = command_list(); c->name; c++)
		synopsis(out, c->usage);
	fprintf(out, ".SH DESCRIPTION\n%s", man_description);
	fputs(".SH COMMANDS\n", out);
	for (c = command_list(); c->name; c++) {
		fprintf(out, ".SS %s\n", c->name);
		usage_body(out, c->usage);
		for (i = 0; man_notes[i].command; i++)
			if (!strcmp(man_notes[i].command, c->name))
				fprintf(out, ".PP\n%s", man_notes[i].text);
	}
	fputs(man_tail, out);
	return ferror(out) ? -1 : 0;
}
