/*
 * triage: find out why a Go service's memory grows until it is killed.
 * This file only dispatches; every command lives in core/cmd/ (one file each).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cmd/cmd.h"

static const struct command commands[] = {
	{ "collect", cmd_collect, "gather profiles, /proc, cgroup and build info into a bundle", usage_collect },
	{ "watch", cmd_watch, "collect bundles as a cgroup nears its memory limit; record the OOM kill", usage_watch },
	{ "analyze", cmd_analyze, "walk the decision ladder over a bundle and rank the findings", usage_analyze },
	{ "top", cmd_top, "top functions of a profile, as go tool pprof -top shows them", usage_top },
	{ "show", cmd_show, "list what a bundle holds", usage_show },
	{ "upload", cmd_upload, "upload a bundle to S3 or an S3-compatible store", usage_upload },
	{ "rules", cmd_rules, "list and test Lua rules", usage_rules },
	{ "version", cmd_version, "print the version", usage_version },
	{ "help", cmd_help, "show help for a command", usage_help },
	{ NULL, NULL, NULL, NULL },
};

const struct command *command_list(void)
{
	return commands;
}

const struct command *command_find(const char *name)
{
	const struct command *c;

	for (c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

void command_usage(const struct command *cmd, FILE *out)
{
	fputs(cmd->usage, out);
}

void command_print_list(FILE *out)
{
	const struct command *c;

	for (c = commands; c->name; c++)
		fprintf(out, "  %-9s %s\n", c->name, c->summary);
}

int command_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "triage %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nRun 'triage %s --help' for usage.\n", cmd);
	return EXIT_USAGE;
}

int wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	}
	return 0;
}

static void main_usage(FILE *out)
{
	fprintf(out, "usage: triage <command> [options]\n\n"
		"Find out why a Go service's memory grows until it is killed.\n\n"
		"Commands:\n");
	command_print_list(out);
	fprintf(out, "\nRun 'triage help <command>' or 'triage <command> --help' for details.\n"
		"Exit status: 0 ok, 1 findings at or above --fail-on, 2 usage or bad input\n"
		"(or an analysis whose rules ran out of resources), 3 internal error.\n");
}

/* Damerau-Levenshtein (optimal string alignment) distance, for suggestions. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, r;
	size_t *d;

	if (la > 64 || lb > 64)
		return (size_t)-1;
	d = calloc((la + 1) * (lb + 1), sizeof(*d));
	if (!d)
		return (size_t)-1;
#define D(x, y) d[(x) * (lb + 1) + (y)]
	for (i = 0; i <= la; i++)
		D(i, 0) = i;
	for (j = 0; j <= lb; j++)
		D(0, j) = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = D(i - 1, j) + 1;
			if (D(i, j - 1) + 1 < best)
				best = D(i, j - 1) + 1;
			if (D(i - 1, j - 1) + cost < best)
				best = D(i - 1, j - 1) + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    D(i - 2, j - 2) + 1 < best)
				best = D(i - 2, j - 2) + 1;
			D(i, j) = best;
		}
	}
	r = D(la, lb);
#undef D
	free(d);
	return r;
}

const struct command *command_nearest(const char *name)
{
	const struct command *c, *best = NULL;
	size_t best_d = (size_t)-1;

	for (c = commands; c->name; c++) {
		size_t d = edit_distance(name, c->name);
		/* a prefix ("coll") is as good a hint as a typo */
		if (strlen(name) >= 2 && !strncmp(c->name, name, strlen(name)))
			d = 1;
		if (d < best_d) {
			best_d = d;
			best = c;
		}
	}
	/* beyond half the word it is a different word, not a typo */
	if (best && best_d <= (strlen(best->name) + 1) / 2)
		return best;
	return NULL;
}

void command_suggest(FILE *out, const char *name)
{
	const struct command *near = command_nearest(name);

	if (near)
		fprintf(out, " Did you mean '%s'?", near->name);
}

int main(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		main_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		main_usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return cmd_version(1, argv + 1);
	cmd = command_find(argv[1]);
	if (!cmd) {
		fprintf(stderr, "triage: '%s' is not a triage command.", argv[1]);
		command_suggest(stderr, argv[1]);
		fprintf(stderr, "\nRun 'triage --help' for the list of commands.\n");
		return EXIT_USAGE;
	}
	if (wants_help(argc - 1, argv + 1)) {
		command_usage(cmd, stdout);
		return EXIT_OK;
	}
	return cmd->fn(argc - 1, argv + 1);
}
