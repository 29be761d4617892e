/*
 * triage upload: a bundle to S3 or an S3-compatible store (core/collect/s3.h),
 * for bundles collected before, or where collect --upload is not wanted.
 * The local file is never removed: this command only copies.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "collect/s3.h"

const char usage_upload[] =
	"usage: triage upload [options] BUNDLE s3://BUCKET/PREFIX/\n"
	"       triage upload --upload-url URL BUNDLE\n"
	"\n"
	"Upload a bundle to S3 or an S3-compatible object store, signed with AWS\n"
	"Signature V4. A destination ending in '/' is a prefix: the key is the\n"
	"prefix plus the bundle's file name. The upload counts only when the store\n"
	"answers HTTP 200 with an ETag (checked against the bundle's MD5 when it\n"
	"is one); the local bundle is left in place either way.\n"
	"\n"
	"Credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and\n"
	"AWS_SESSION_TOKEN, the region from AWS_REGION (default us-east-1).\n"
	"\n"
	"Options:\n"
	"      --endpoint URL      an S3-compatible store (MinIO, Ceph, ...), with\n"
	"                          path-style URLs (default: AWS_ENDPOINT_URL, else AWS)\n"
	"      --upload-url URL    a presigned PUT URL instead: no credentials needed\n"
	"      --timeout SECONDS   connect timeout and longest stall (default 30)\n"
	"  -h, --help              show this help\n"
	"\n"
	"Prints s3://BUCKET/KEY (or the URL without its query) when done.\n";

int cmd_upload(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "endpoint", required_argument, NULL, 'e' },
		{ "upload-url", required_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct strbuf err = STRBUF_INIT, where = STRBUF_INIT, etag = STRBUF_INIT;
	const char *endpoint = NULL, *presigned = NULL, *file, *dest = NULL;
	long timeout = 0;
	int c, ret = EXIT_USAGE;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'e': endpoint = optarg; break;
		case 'u': presigned = optarg; break;
		case 't':
			if (opt_seconds("upload", "--timeout", optarg, 1, 3600, &timeout))
				goto out;
			break;
		default:
			ret = command_usage_error("upload", "unknown option '%s'", argv[optind - 1]);
			goto out;
		}
	}
	if (optind >= argc) {
		ret = command_usage_error("upload", "which bundle? give a BUNDLE and s3://BUCKET/PREFIX/");
		goto out;
	}
	file = argv[optind++];
	if (optind < argc)
		dest = argv[optind++];
	if (optind < argc) {
		ret = command_usage_error("upload", "one BUNDLE at a time ('%s' is extra)", argv[optind]);
		goto out;
	}
	if (!presigned && !dest) {
		ret = command_usage_error("upload", "where to? give s3://BUCKET/PREFIX/ or --upload-url URL");
		goto out;
	}
	if (presigned && dest) {
		ret = command_usage_error("upload", "give s3://... or --upload-url, not both");
		goto out;
	}
	if (access(file, R_OK) < 0) {
		fprintf(stderr, "triage upload: cannot read '%s'\n", file);
		goto out;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (s3_upload_bundle(file, dest, presigned, endpoint, timeout, &where, &etag, &err) < 0) {
		fprintf(stderr, "triage upload: %s\n", err.buf);
		fprintf(stderr, "triage upload: not uploaded; the bundle is still at %s\n", file);
		ret = EXIT_INTERNAL;
		goto out;
	}
	printf("%s\n", where.buf);
	fprintf(stderr, "triage upload: confirmed (ETag %s)\n", etag.buf);
	ret = EXIT_OK;
out:
	strbuf_release(&err);
	strbuf_release(&where);
	strbuf_release(&etag);
	return ret;
}
