/* triage analyze: not built yet; it says so rather than pretending. */
#include <stdio.h>

#include "triage.h"

const char usage_analyze[] =
	"usage: triage analyze [options] BUNDLE\n\nWalk the decision ladder (business code, libraries, runtime, tooling,\nenvironment) over a bundle and rank the findings.\n\nNot built yet: this command exits with status 2.\n";

int cmd_analyze(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "triage analyze: not built yet in this version of triage\n");
	return EXIT_USAGE;
}
