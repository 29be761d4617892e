/* triage help [COMMAND] */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

const char usage_help[] =
	"usage: triage help [COMMAND]\n\n"
	"Show the usage of COMMAND, or the list of commands.\n";

int cmd_help(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		printf("usage: triage <command> [options]\n\nCommands:\n");
		command_print_list(stdout);
		return EXIT_OK;
	}
	/* hidden: docs/triage.1 is this output, so the man page and --help agree */
	if (!strcmp(argv[1], "--man")) {
		if (command_write_man(stdout) < 0 || fflush(stdout)) {
			perror("triage help --man");
			return EXIT_INTERNAL;
		}
		return EXIT_OK;
	}
	cmd = command_find(argv[1]);
	if (!cmd) {
		fprintf(stderr, "triage help: no command '%s'.", argv[1]);
		command_suggest(stderr, argv[1]);
		fputc('\n', stderr);
		return EXIT_USAGE;
	}
	command_usage(cmd, stdout);
	return EXIT_OK;
}
