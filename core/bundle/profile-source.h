#ifndef TRIAGE_PROFILE_SOURCE_H
#define TRIAGE_PROFILE_SOURCE_H

#include "base/strbuf.h"
#include "profile/profile.h"

/*
 * Loads FILE, which may be a profile, a bundle, or BUNDLE:SPEC; profile_name
 * picks the bundle's profile (heap when NULL). name is filled with what was
 * read ("b.tgz:profiles/heap.pb.gz"), for messages. 0, or -1 with err
 * naming the file.
 */
int profile_load_any(struct profile *p, const char *file, const char *profile_name,
		     const struct profile_options *opt, struct strbuf *name, struct strbuf *err);

#endif
