/* triage rules: not built yet; it says so rather than pretending. */
#include <stdio.h>

#include "triage.h"

const char usage_rules[] =
	"usage: triage rules list [--rules DIR]...\n       triage rules test DIR...\n\nList the Lua rules triage would run, or run rule test cases.\n\nNot built yet: this command exits with status 2.\n";

int cmd_rules(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "triage rules: not built yet in this version of triage\n");
	return EXIT_USAGE;
}
