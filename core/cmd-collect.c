/* triage collect: not built yet; it says so rather than pretending. */
#include <stdio.h>

#include "triage.h"

const char usage_collect[] =
	"usage: triage collect [options] PID\n       triage collect --pprof-url URL [options]\n\nGather heap, allocs, goroutine and CPU profiles, MemStats, /proc/PID,\ncgroup memory, kernel facts and Go build info into one bundle.\n\nNot built yet: this command exits with status 2.\n";

int cmd_collect(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "triage collect: not built yet in this version of triage\n");
	return EXIT_USAGE;
}
