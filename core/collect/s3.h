#ifndef TRIAGE_S3_H
#define TRIAGE_S3_H

#include "base/strbuf.h"
#include "base/strlist.h"

/*
 * Bundles to and from S3 and S3-compatible object stores (MinIO, Ceph,
 * OSS's S3 API, s3rver), signed with AWS Signature Version 4 by libcurl
 * (CURLOPT_AWS_SIGV4), so triage carries no crypto of its own. With an
 * endpoint the URLs are path-style (ENDPOINT/BUCKET/KEY), which every
 * S3-compatible store accepts; without one, AWS's virtual-hosted style
 * (https://BUCKET.s3.REGION.amazonaws.com/KEY).
 *
 * A PUT counts as done only on HTTP 200 with an ETag, and when the ETag is
 * a plain MD5 (a single-part upload without KMS) it must be the file's MD5:
 * the caller deletes nothing before that.
 */

struct s3_client {
	char *endpoint;		/* "http://127.0.0.1:9000", no trailing '/'; NULL: AWS */
	char *region;		/* default us-east-1 */
	char *access_key, *secret_key, *session_token;
	long timeout_s;		/* connect and stall timeout */
};

void s3_client_init(struct s3_client *c);
void s3_client_release(struct s3_client *c);
/*
 * Credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN (optional) and AWS_REGION (or AWS_DEFAULT_REGION); the
 * endpoint from endpoint when not NULL, else AWS_ENDPOINT_URL. -1 when a
 * key is missing or the endpoint is not an http(s) URL.
 */
int s3_client_from_env(struct s3_client *c, const char *endpoint, struct strbuf *err);

/* "s3://BUCKET/PREFIX" into bucket and prefix ("" when none). */
int s3_url_parse(const char *url, char **bucket, char **prefix, struct strbuf *err);
/* Whether s starts with "s3://". */
int s3_is_url(const char *s);

/* PUT file as bucket/key; etag gets the server's ETag (quotes removed). */
int s3_put_file(const struct s3_client *c, const char *bucket, const char *key,
		const char *file, struct strbuf *etag, struct strbuf *err);
/* PUT file to a presigned URL: no credentials at all. */
int s3_put_presigned(const char *url, const char *file, long timeout_s,
		     struct strbuf *etag, struct strbuf *err);
/* Every key under prefix (ListObjectsV2, all pages), in the store's order. */
int s3_list(const struct s3_client *c, const char *bucket, const char *prefix,
	    struct strlist *keys, struct strbuf *err);
/* GET bucket/key into file (created 0600, replaced). */
int s3_get_file(const struct s3_client *c, const char *bucket, const char *key,
		const char *file, struct strbuf *err);

/*
 * What `triage upload` and `collect --upload` do: file to dest
 * ("s3://BUCKET/PREFIX/": the key is PREFIX plus the file's base name;
 * "s3://BUCKET/KEY" without the trailing '/': that key), credentials from
 * the environment, or to the presigned URL when presigned is not NULL
 * (dest is then ignored). where gets "s3://BUCKET/KEY" or the URL without
 * its query, etag the ETag. The file is never touched.
 */
int s3_upload_bundle(const char *file, const char *dest, const char *presigned,
		     const char *endpoint, long timeout_s, struct strbuf *where,
		     struct strbuf *etag, struct strbuf *err);

#endif
