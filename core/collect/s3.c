/*
 * The S3 client of s3.h: three requests (PUT, GET, ListObjectsV2) over
 * libcurl, which signs them (SigV4). Error bodies are S3's XML
 * (<Code>, <Message>), quoted in the error so "SignatureDoesNotMatch"
 * reaches the person who mistyped the secret.
 */
#include "collect/s3.h"
#include "base/hex.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define S3_DEFAULT_TIMEOUT_S 30
/* SHA-256 of no bytes: the payload hash of a GET */
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/* an error body or a listing page is small; this only stops a runaway */
#define S3_MAX_BODY ((size_t)16 << 20)

void s3_client_init(struct s3_client *c)
{
	memset(c, 0, sizeof(*c));
	c->timeout_s = S3_DEFAULT_TIMEOUT_S;
}

void s3_client_release(struct s3_client *c)
{
	free(c->endpoint);
	free(c->region);
	free(c->access_key);
	free(c->secret_key);
	free(c->session_token);
	s3_client_init(c);
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

int s3_client_from_env(struct s3_client *c, const char *endpoint, struct strbuf *err)
{
	const char *key = env_nonempty("AWS_ACCESS_KEY_ID");
	const char *secret = env_nonempty("AWS_SECRET_ACCESS_KEY");
	const char *region = env_nonempty("AWS_REGION");
	size_t n;

	if (!region)
		region = env_nonempty("AWS_DEFAULT_REGION");
	if (!endpoint)
		endpoint = env_nonempty("AWS_ENDPOINT_URL");
	if (!key || !secret)
		return error_set(err, "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
				 "(and AWS_SESSION_TOKEN for temporary ones), or use a presigned --upload-url");
	if (endpoint && strncmp(endpoint, "http://", 7) && strncmp(endpoint, "https://", 8))
		return error_set(err, "endpoint '%s' is not an http:// or https:// URL", endpoint);
	c->access_key = xstrdup(key);
	c->secret_key = xstrdup(secret);
	if (env_nonempty("AWS_SESSION_TOKEN"))
		c->session_token = xstrdup(getenv("AWS_SESSION_TOKEN"));
	c->region = xstrdup(region ? region : "us-east-1");
	if (endpoint) {
		n = strlen(endpoint);
		while (n && endpoint[n - 1] == '/')
			n--;
		c->endpoint = xstrndup(endpoint, n);
	}
	return 0;
}

int s3_is_url(const char *s)
{
	return s && !strncmp(s, "s3://", 5);
}

int s3_url_parse(const char *url, char **bucket, char **prefix, struct strbuf *err)
{
	const char *b, *slash;

	*bucket = *prefix = NULL;
	if (!s3_is_url(url))
		return error_set(err, "'%s' is not an s3://BUCKET/PREFIX URL", url);
	b = url + 5;
	slash = strchr(b, '/');
	if (slash == b || !*b)
		return error_set(err, "'%s' names no bucket (s3://BUCKET/PREFIX)", url);
	*bucket = slash ? xstrndup(b, (size_t)(slash - b)) : xstrdup(b);
	*prefix = xstrdup(slash ? slash + 1 : "");
	return 0;
}

/* RFC 3986 percent-encoding of a key; '/' stays, as S3 expects in paths. */
static void add_encoded(struct strbuf *sb, const char *s, int keep_slash)
{
	static const char hexd[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_' || ch == '.' || ch == '~' || (keep_slash && ch == '/')) {
			strbuf_addch(sb, (char)ch);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hexd[ch >> 4]);
			strbuf_addch(sb, hexd[ch & 15]);
		}
	}
}

static void object_url(const struct s3_client *c, const char *bucket, const char *key,
		       struct strbuf *url)
{
	if (c->endpoint)
		strbuf_addf(url, "%s/%s/", c->endpoint, bucket);
	else
		strbuf_addf(url, "https://%s.s3.%s.amazonaws.com/", bucket, c->region);
	add_encoded(url, key, 1);
}

/* One request's state: what came back. */
struct s3_call {
	struct strbuf body;	/* error bodies and listings */
	struct strbuf etag;
	FILE *sink;		/* GET: the object goes here on 200 */
	long status;
	char errbuf[CURL_ERROR_SIZE];
};

static size_t on_header(char *buf, size_t size, size_t n, void *ctx)
{
	struct s3_call *call = ctx;
	size_t len = size * n, k = 5;

	/* the status line of each response (100 Continue, then the real one) */
	if (len > 9 && !strncmp(buf, "HTTP/", 5)) {
		const char *sp = memchr(buf, ' ', len);

		if (sp)
			call->status = strtol(sp + 1, NULL, 10);
	}
	if (len > k && !strncasecmp(buf, "etag:", k)) {
		while (k < len && (buf[k] == ' ' || buf[k] == '"'))
			k++;
		strbuf_reset(&call->etag);
		while (k < len && buf[k] != '"' && buf[k] != '\r' && buf[k] != '\n')
			strbuf_addch(&call->etag, buf[k++]);
	}
	return len;
}

static size_t on_body(char *buf, size_t size, size_t n, void *ctx)
{
	struct s3_call *call = ctx;

	if (call->sink && call->status == 200)
		return fwrite(buf, size, n, call->sink) == n ? size * n : 0;
	if (call->body.len + size * n > S3_MAX_BODY)
		return 0;
	strbuf_add(&call->body, buf, size * n);
	return size * n;
}

/* The text between <tag> and </tag> from pos on, NULL when absent; *end after it. */
static char *xml_field(const char *xml, const char *tag, const char **end)
{
	struct strbuf open = STRBUF_INIT, close = STRBUF_INIT, out = STRBUF_INIT;
	const char *a, *b, *s;
	char *ret = NULL;

	strbuf_addf(&open, "<%s>", tag);
	strbuf_addf(&close, "</%s>", tag);
	a = strstr(xml, open.buf);
	b = a ? strstr(a, close.buf) : NULL;
	if (b) {
		/* the five XML entities; S3 escapes keys with them */
		for (s = a + open.len; s < b; s++) {
			static const struct { const char *ent; char c; } ents[] = {
				{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
				{ "&quot;", '"' }, { "&apos;", '\'' },
			};
			size_t i;

			for (i = 0; i < 5; i++) {
				size_t k = strlen(ents[i].ent);

				if (!strncmp(s, ents[i].ent, k)) {
					strbuf_addch(&out, ents[i].c);
					s += k - 1;
					break;
				}
			}
			if (i == 5)
				strbuf_addch(&out, *s);
		}
		ret = strbuf_detach(&out, NULL);
		if (end)
			*end = b + close.len;
	}
	strbuf_release(&open);
	strbuf_release(&close);
	strbuf_release(&out);
	return ret;
}

/* "HTTP 403 SignatureDoesNotMatch: ..." with a hint for the usual causes. */
static void http_error(struct strbuf *err, const char *what, const struct s3_call *call)
{
	char *code = xml_field(strbuf_str(&call->body), "Code", NULL);
	char *msg = xml_field(strbuf_str(&call->body), "Message", NULL);

	error_set(err, "%s: HTTP %ld%s%s%s%s", what, call->status, code ? " " : "", code ? code : "",
		  msg ? ": " : "", msg ? msg : "");
	if (code && (!strcmp(code, "SignatureDoesNotMatch") || !strcmp(code, "InvalidAccessKeyId")))
		strbuf_addstr(err, " (check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)");
	else if (code && !strcmp(code, "NoSuchBucket"))
		strbuf_addstr(err, " (the bucket does not exist)");
	else if (call->status == 403 && !code)
		strbuf_addstr(err, " (forbidden: expired presigned URL or missing permission)");
	free(code);
	free(msg);
}

/*
 * Runs one request. Transport failures (refused, reset, timed out) and
 * HTTP statuses other than 200 both end in -1 with err saying which.
 */
static int perform(const struct s3_client *c, const char *method, const char *url,
		   FILE *upload, curl_off_t upload_size, const char *payload_sha256,
		   struct s3_call *call, long timeout_s, struct strbuf *err)
{
	CURL *e = curl_easy_init();
	struct curl_slist *headers = NULL;
	struct strbuf tmp = STRBUF_INIT;
	CURLcode rc;
	int ret = -1;

	if (!e)
		return error_set(err, "cannot start an HTTP request (curl_easy_init failed)");
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, call->errbuf);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, call);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, call);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, timeout_s);
	/* no total timeout (a big bundle on a slow link is fine), only a stall limit */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, timeout_s);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	if (c) {
		strbuf_addf(&tmp, "aws:amz:%s:s3", c->region);
		curl_easy_setopt(e, CURLOPT_AWS_SIGV4, tmp.buf);
		curl_easy_setopt(e, CURLOPT_USERNAME, c->access_key);
		curl_easy_setopt(e, CURLOPT_PASSWORD, c->secret_key);
		/*
		 * S3 wants the payload's hash signed along (libcurl uses this
		 * header's value in the canonical request): the whole file's
		 * for a PUT, so the store rejects bytes changed on the way.
		 */
		strbuf_reset(&tmp);
		strbuf_addf(&tmp, "x-amz-content-sha256: %s", payload_sha256 ? payload_sha256 : EMPTY_SHA256);
		headers = curl_slist_append(headers, tmp.buf);
		if (c->session_token) {
			strbuf_reset(&tmp);
			strbuf_addf(&tmp, "x-amz-security-token: %s", c->session_token);
			headers = curl_slist_append(headers, tmp.buf);
		}
	}
	if (upload) {
		curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(e, CURLOPT_READDATA, upload);
		curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, upload_size);
		headers = curl_slist_append(headers, "Content-Type: application/gzip");
	} else if (strcmp(method, "GET")) {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	}
	if (headers)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
	/* on_header learns the status before the body arrives, for the sink */
	call->status = 0;
	rc = curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &call->status);
	/* messages show the URL without its query: a presigned URL's is a credential */
	strbuf_reset(&tmp);
	strbuf_addf(&tmp, "%s ", method);
	strbuf_add(&tmp, url, strcspn(url, "?"));
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && call->status != 200)) {
		error_set(err, "%s: %s", tmp.buf, call->errbuf[0] ? call->errbuf : curl_easy_strerror(rc));
		goto out;
	}
	if (call->status != 200) {
		http_error(err, tmp.buf, call);
		goto out;
	}
	ret = 0;
out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(e);
	strbuf_release(&tmp);
	return ret;
}

static void call_init(struct s3_call *call)
{
	memset(call, 0, sizeof(*call));
	strbuf_init(&call->body);
	strbuf_init(&call->etag);
}

static void call_release(struct s3_call *call)
{
	strbuf_release(&call->body);
	strbuf_release(&call->etag);
}

/* The file's MD5 (to check the ETag) and SHA-256 (to sign), lower-case hex, in one read. */
static int file_digests(FILE *f, char md5[33], char sha256[65], struct strbuf *err)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new(), *s = EVP_MD_CTX_new();
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	size_t got;
	int ret = -1;

	if (!m || !s || !EVP_DigestInit_ex(m, EVP_md5(), NULL) || !EVP_DigestInit_ex(s, EVP_sha256(), NULL)) {
		error_set(err, "MD5 or SHA-256 is not available in this OpenSSL");
		goto out;
	}
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
		EVP_DigestUpdate(m, buf, got);
		EVP_DigestUpdate(s, buf, got);
	}
	if (ferror(f)) {
		error_set(err, "cannot read the bundle: %s", strerror(errno));
		goto out;
	}
	EVP_DigestFinal_ex(m, md, &n);
	hex_encode(md, n < 16 ? n : 16, md5);
	EVP_DigestFinal_ex(s, md, &n);
	hex_encode(md, n < 32 ? n : 32, sha256);
	rewind(f);
	ret = 0;
out:
	EVP_MD_CTX_free(m);
	EVP_MD_CTX_free(s);
	return ret;
}

static int is_md5_hex(const char *s)
{
	size_t i;

	for (i = 0; i < 32; i++)
		if (!s[i] || !strchr("0123456789abcdefABCDEF", s[i]))
			return 0;
	return s[32] == '\0';
}

static int put_file(const struct s3_client *c, const char *url, const char *file, long timeout_s,
		    struct strbuf *etag, struct strbuf *err)
{
	struct s3_call call;
	struct stat st;
	char md5[33] = "", sha256[65] = "";
	FILE *f = fopen(file, "rb");
	int ret = -1;

	call_init(&call);
	if (!f || fstat(fileno(f), &st) < 0) {
		error_set(err, "cannot read '%s': %s", file, strerror(errno));
		goto out;
	}
	if (file_digests(f, md5, sha256, err) < 0)
		goto out;
	if (perform(c, "PUT", url, f, (curl_off_t)st.st_size, sha256, &call, timeout_s, err) < 0)
		goto out;
	if (!call.etag.len) {
		error_set(err, "PUT %.*s: HTTP 200 but no ETag, so the store did not confirm the object",
			  (int)strcspn(url, "?"), url);
		goto out;
	}
	/* a plain-MD5 ETag must be ours: anything else means the bytes differ */
	if (is_md5_hex(call.etag.buf) && strcasecmp(call.etag.buf, md5)) {
		error_set(err, "PUT %.*s: the store's ETag %s is not the bundle's MD5 %s: the object is corrupt",
			  (int)strcspn(url, "?"), url, call.etag.buf, md5);
		goto out;
	}
	strbuf_reset(etag);
	strbuf_addstr(etag, call.etag.buf);
	ret = 0;
out:
	if (f)
		fclose(f);
	call_release(&call);
	return ret;
}

int s3_put_file(const struct s3_client *c, const char *bucket, const char *key,
		const char *file, struct strbuf *etag, struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT;
	int ret;

	object_url(c, bucket, key, &url);
	ret = put_file(c, url.buf, file, c->timeout_s, etag, err);
	strbuf_release(&url);
	return ret;
}

int s3_put_presigned(const char *url, const char *file, long timeout_s,
		     struct strbuf *etag, struct strbuf *err)
{
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		return error_set(err, "--upload-url '%s' is not an http:// or https:// URL", url);
	return put_file(NULL, url, file, timeout_s > 0 ? timeout_s : S3_DEFAULT_TIMEOUT_S, etag, err);
}

int s3_list(const struct s3_client *c, const char *bucket, const char *prefix,
	    struct strlist *keys, struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT;
	char *token = NULL;
	int ret = -1, pages = 0;

	do {
		struct s3_call call;
		const char *pos, *end;
		char *key, *truncated;

		call_init(&call);
		strbuf_reset(&url);
		if (c->endpoint)
			strbuf_addf(&url, "%s/%s/?list-type=2", c->endpoint, bucket);
		else
			strbuf_addf(&url, "https://%s.s3.%s.amazonaws.com/?list-type=2", bucket, c->region);
		if (token) {
			strbuf_addstr(&url, "&continuation-token=");
			add_encoded(&url, token, 0);
		}
		strbuf_addstr(&url, "&prefix=");
		add_encoded(&url, prefix, 0);
		if (perform(c, "GET", url.buf, NULL, 0, NULL, &call, c->timeout_s, err) < 0) {
			call_release(&call);
			goto out;
		}
		pos = strbuf_str(&call.body);
		while ((key = xml_field(pos, "Key", &end)) != NULL) {
			strlist_add(keys, key);
			free(key);
			pos = end;
		}
		truncated = xml_field(strbuf_str(&call.body), "IsTruncated", NULL);
		free(token);
		token = truncated && !strcmp(truncated, "true") ?
			xml_field(strbuf_str(&call.body), "NextContinuationToken", NULL) : NULL;
		free(truncated);
		call_release(&call);
		/* a store that loops on one token would list forever */
		if (++pages > 100000) {
			error_set(err, "listing s3://%s/%s did not end after %d pages", bucket, prefix, pages);
			goto out;
		}
	} while (token);
	ret = 0;
out:
	free(token);
	strbuf_release(&url);
	return ret;
}

int s3_get_file(const struct s3_client *c, const char *bucket, const char *key,
		const char *file, struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT;
	struct s3_call call;
	int fd, ret = -1;

	call_init(&call);
	object_url(c, bucket, key, &url);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || !(call.sink = fdopen(fd, "wb"))) {
		error_set(err, "cannot write '%s': %s", file, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	/* on_body writes to the file only once the status is 200 */
	ret = perform(c, "GET", url.buf, NULL, 0, NULL, &call, c->timeout_s, err);
	if (fclose(call.sink) && !ret)
		ret = error_set(err, "cannot write '%s': %s", file, strerror(errno));
	call.sink = NULL;
out:
	call_release(&call);
	strbuf_release(&url);
	return ret;
}

int s3_upload_bundle(const char *file, const char *dest, const char *presigned,
		     const char *endpoint, long timeout_s, struct strbuf *where,
		     struct strbuf *etag, struct strbuf *err)
{
	struct s3_client c;
	struct strbuf key = STRBUF_INIT;
	char *bucket = NULL, *prefix = NULL;
	const char *base;
	int ret = -1;

	s3_client_init(&c);
	strbuf_reset(where);
	if (presigned) {
		/* the query is the signature: a credential, kept out of messages */
		strbuf_add(where, presigned, strcspn(presigned, "?"));
		ret = s3_put_presigned(presigned, file, timeout_s, etag, err);
		goto out;
	}
	if (s3_url_parse(dest, &bucket, &prefix, err) < 0 ||
	    s3_client_from_env(&c, endpoint, err) < 0)
		goto out;
	if (timeout_s > 0)
		c.timeout_s = timeout_s;
	base = strrchr(file, '/');
	base = base ? base + 1 : file;
	strbuf_addstr(&key, prefix);
	if (!*prefix || prefix[strlen(prefix) - 1] == '/')
		strbuf_addstr(&key, base);
	strbuf_addf(where, "s3://%s/%s", bucket, key.buf);
	ret = s3_put_file(&c, bucket, key.buf, file, etag, err);
out:
	free(bucket);
	free(prefix);
	strbuf_release(&key);
	s3_client_release(&c);
	return ret;
}
