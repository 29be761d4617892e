/* triage help [COMMAND] */
#include <stdio.h>

#include "cmd/cmd.h"

const char usage_help[] =
	"usage: triage help [COMMAND]\n\n"
	"Show the usage of COMMAND, or the list of commands.\n";

const struct command *command_nearest(const char *name);

int cmd_help(int argc, char **argv)
{
	const struct command *cmd, *c;

	if (argc < 2) {
		printf("usage: triage <command> [options]\n\nCommands:\n");
		for (c = command_list(); c->name; c++)
			printf("  %-9s %s\n", c->name, c->summary);
		return EXIT_OK;
	}
	cmd = command_find(argv[1]);
	if (!cmd) {
		const struct command *near = command_nearest(argv[1]);

		fprintf(stderr, "triage help: no command '%s'.", argv[1]);
		if (near)
			fprintf(stderr, " Did you mean '%s'?", near->name);
		fputc('\n', stderr);
		return EXIT_USAGE;
	}
	command_usage(cmd, stdout);
	return EXIT_OK;
}
