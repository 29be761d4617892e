/*
 * buildinfo-dump FILE...: prints the Go build info of each FILE exactly as
 * "go version -m FILE" does, so tests/buildinfo.sh can diff the two.
 * buildinfo-dump --build-id FILE: the Go build ID, as "go tool buildid".
 */
#include <stdio.h>
#include <string.h>

#include "parse/buildinfo.h"
#include "base/strbuf.h"

int main(int argc, char **argv)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	int i, status = 0, build_id = 0;

	if (argc > 1 && !strcmp(argv[1], "--build-id")) {
		build_id = 1;
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: buildinfo-dump FILE...\n");
		return 2;
	}
	for (i = 1; i < argc; i++) {
		struct buildinfo bi;

		buildinfo_init(&bi);
		if (buildinfo_read_file(&bi, argv[i], &err) < 0) {
			fprintf(stderr, "buildinfo-dump: %s\n", strbuf_str(&err));
			status = 1;
			continue;
		}
		strbuf_reset(&out);
		if (build_id)
			strbuf_addf(&out, "%s\n", bi.build_id ? bi.build_id : "");
		else
			buildinfo_format(&bi, argv[i], &out);
		fputs(strbuf_str(&out), stdout);
		buildinfo_release(&bi);
	}
	strbuf_release(&out);
	strbuf_release(&err);
	if (fflush(stdout) == EOF) {
		perror("buildinfo-dump: stdout");
		status = 1;
	}
	return status;
}
