/* triage version: the version and the libraries it was built with. */
#include <stdio.h>
#include <string.h>

#include <archive.h>
#include <curl/curl.h>
#include <lua.h>
#include <protobuf-c/protobuf-c.h>
#include <zlib.h>

#include "config.h"
#include "base/datadir.h"
#include "cmd/cmd.h"

const char usage_version[] =
	"usage: triage version [--verbose]\n\n"
	"Print triage's version; --verbose adds the libraries it runs with and\n"
	"where it looks for Lua plugins and rules.\n";

int cmd_version(int argc, char **argv)
{
	int verbose = argc > 1 && (!strcmp(argv[1], "--verbose") || !strcmp(argv[1], "-v"));

	if (argc > 1 && !verbose)
		return command_usage_error("version", "unknown option '%s'", argv[1]);
	printf("triage %s\n", TRIAGE_VERSION);
	if (verbose) {
		printf("lua: %s\n", LUA_RELEASE);
		printf("protobuf-c: %s\n", protobuf_c_version());
		printf("zlib: %s\n", zlibVersion());
		printf("libcurl: %s\n", curl_version_info(CURLVERSION_NOW)->version);
		printf("libarchive: %s\n", archive_version_string());
		printf("data directory: %s\n", triage_datadir());
	}
	return EXIT_OK;
}
