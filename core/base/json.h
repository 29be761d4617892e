#ifndef TRIAGE_JSON_H
#define TRIAGE_JSON_H

#include <stdint.h>
#include <json-c/json.h>

struct strlist;

/*
 * Typed getters for json-c objects read from bundles and child processes:
 * a missing key or a value of another type gives the default, so callers
 * never dereference what a hostile file put in place of what they expect.
 */
const char *json_get_str(json_object *o, const char *key, const char *def);
int64_t json_get_int(json_object *o, const char *key, int64_t def);	/* ints and doubles */
json_object *json_get_obj(json_object *o, const char *key);		/* NULL unless an object */
json_object *json_get_array(json_object *o, const char *key);	/* NULL unless an array */
/* A malloc'd copy of a string member, NULL when absent. */
char *json_dup_str(json_object *o, const char *key);
/* A JSON string, or JSON null for a NULL pointer. */
json_object *json_new_str_or_null(const char *s);
/* A JSON number printed with that many decimals (95.2, not 95.200000000000003). */
json_object *json_new_double_fixed(double v, int decimals);
/* A JSON array of the list's strings. */
json_object *json_from_strlist(const struct strlist *l);
/* Appends the strings of a JSON array to l (anything else is ignored). */
void json_to_strlist(json_object *a, struct strlist *l);

/*
 * The most values (strings, numbers, members, elements) a JSON document
 * from a bundle may hold. json-c spends 100 to 250 bytes on each, so a
 * document of tiny values (a 2.6 MB build info, a 9.6 MB object of 2M
 * keys) once cost over 600 MB; real manifests and build infos hold a few
 * thousand (docs/bundle-format.md).
 */
#define JSON_MAX_VALUES 200000

struct strbuf;

/*
 * Parses len bytes as one JSON document, nested at most depth deep and
 * holding at most max_values values (counted before json-c allocates
 * anything). NULL with the reason in err.
 */
json_object *json_parse_bounded(const char *s, size_t len, int depth, size_t max_values,
				struct strbuf *err);

#endif
