#ifndef TRIAGE_BUILDINFO_H
#define TRIAGE_BUILDINFO_H

#include <stddef.h>

struct strbuf;

/*
 * The build information the Go toolchain embeds in every binary: the Go
 * version, the main package, the module graph and the build settings, i.e.
 * what "go version -m BINARY" prints. A memory incident is often explained
 * by a known bug in one Go release or one dependency version, so triage
 * records this for the binary of the process it diagnoses.
 *
 * The input is treated as hostile (it may be /proc/PID/exe of anything):
 * every offset and length is checked against the input and against caps,
 * and a malformed binary gives an error, never a crash.
 *
 * Only ELF is understood: 32 and 64 bit, little and big endian, both the
 * Go >= 1.18 inline format and the older format that points at Go string
 * headers.
 */

struct buildinfo_module {
	char *path;
	char *version;
	char *sum;				/* "" when the line had none */
	struct buildinfo_module *replace;	/* NULL unless a "=>" line followed */
};

struct buildinfo_setting {
	char *key;
	char *value;
};

struct buildinfo {
	char *go_version;		/* "go1.19.8"; never NULL after a successful read */
	char *path;			/* main package; NULL if the binary has none */
	struct buildinfo_module main;	/* main.path is NULL without a "mod" line */
	struct buildinfo_module *deps;
	size_t nr_deps, alloc_deps;
	struct buildinfo_setting *settings;	/* in the order the binary lists them */
	size_t nr_settings, alloc_settings;
	char *build_id;			/* the Go build ID (.note.go.buildid); NULL when absent */
};

void buildinfo_init(struct buildinfo *bi);
void buildinfo_release(struct buildinfo *bi);

/*
 * Reads the build info of the ELF file at path. Only the ELF headers and the
 * few ranges that hold the build info are read, so a large binary (or
 * /proc/PID/exe of a large service) is never loaded whole. On failure
 * returns -1, leaves bi released and explains in err, e.g.
 * "cannot read build info from '/bin/true': not a Go binary (no build info magic)".
 */
int buildinfo_read_file(struct buildinfo *bi, const char *path, struct strbuf *err);

/*
 * The same for an ELF image already in memory (data, len); name is only used
 * in error messages.
 */
int buildinfo_parse(struct buildinfo *bi, const unsigned char *data, size_t len,
		    const char *name, struct strbuf *err);

/*
 * Parses the module-info text alone (the "path", "mod", "dep", "=>" and
 * "build" lines, sentinels already stripped) into bi, keeping bi->go_version.
 * A malformed line fails with its line number, as the Go toolchain does.
 */
int buildinfo_parse_modinfo(struct buildinfo *bi, const char *text, size_t len,
			    const char *name, struct strbuf *err);

/*
 * Appends bi to out in exactly the format of Go 1.19's "go version -m"
 * (quirks included), with name as the file name on the first line, so the
 * output can be diffed against the Go toolchain's.
 */
void buildinfo_format(const struct buildinfo *bi, const char *name, struct strbuf *out);

#endif
