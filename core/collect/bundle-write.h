#ifndef TRIAGE_BUNDLE_WRITE_H
#define TRIAGE_BUNDLE_WRITE_H

#include <json-c/json.h>

#include "bundle/vocab.h"
#include "collect/collect.h"
#include "base/strbuf.h"

/*
 * Writing a bundle: a gzip tarball with manifest.json first, then every
 * artifact. For a file destination the archive goes to a temporary file in
 * the destination directory, mode 0600, renamed into place only when it is
 * complete, so a reader never sees half a bundle and a failure leaves
 * nothing behind. See docs/bundle-format.md.
 */

struct bundle_out {
	char *final_path;	/* NULL for stdout */
	char *tmp_path;
	int fd;
};

/* Creates the temporary file now, so an unwritable destination fails before any work. */
int bundle_out_open(struct bundle_out *o, const char *path, struct strbuf *err);
/*
 * Writes manifest (which gets the "artifacts" array added here) and the
 * artifacts, then renames into place. On failure the temporary file is gone.
 */
int bundle_out_write(struct bundle_out *o, const struct collection *c, json_object *manifest,
		     struct strbuf *err);
/*
 * Where collected bytes wait for the bundle (collection.spool_dir): the
 * bundle's own directory, whose filesystem the user chose for it; for
 * stdout, TMPDIR or /tmp.
 */
void bundle_out_spool_dir(const struct bundle_out *o, struct strbuf *dir);
/* Removes the temporary file if still there and frees. */
void bundle_out_release(struct bundle_out *o);

/* Lower-case hex SHA-256 of data into hex[65]. */
void sha256_hex(const void *data, size_t len, char hex[65]);
/* "2026-11-22T04:01:02.345Z" */
void format_utc_ms(char *buf, size_t len, int64_t ms);

#endif
