/* triage show: not built yet; it says so rather than pretending. */
#include <stdio.h>

#include "triage.h"

const char usage_show[] =
	"usage: triage show BUNDLE\n\nList the artifacts a bundle holds, with status, size, time and errors.\n\nNot built yet: this command exits with status 2.\n";

int cmd_show(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "triage show: not built yet in this version of triage\n");
	return EXIT_USAGE;
}
