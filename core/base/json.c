#include "base/json.h"

#include <limits.h>

#include "base/strbuf.h"
#include "base/strlist.h"

#include <stdio.h>

static json_object *member(json_object *o, const char *key, json_type t)
{
	json_object *v;

	if (o && json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, key, &v) && json_object_is_type(v, t))
		return v;
	return NULL;
}

const char *json_get_str(json_object *o, const char *key, const char *def)
{
	json_object *v = member(o, key, json_type_string);

	return v ? json_object_get_string(v) : def;
}

int64_t json_get_int(json_object *o, const char *key, int64_t def)
{
	json_object *v = member(o, key, json_type_int);

	if (!v)
		v = member(o, key, json_type_double);
	return v ? json_object_get_int64(v) : def;
}

json_object *json_get_obj(json_object *o, const char *key)
{
	return member(o, key, json_type_object);
}

json_object *json_get_array(json_object *o, const char *key)
{
	return member(o, key, json_type_array);
}

char *json_dup_str(json_object *o, const char *key)
{
	const char *s = json_get_str(o, key, NULL);

	return s ? xstrdup(s) : NULL;
}

json_object *json_new_str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

json_object *json_from_strlist(const struct strlist *l)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < l->nr; i++)
		json_object_array_add(a, json_object_new_string(l->items[i]));
	return a;
}

void json_to_strlist(json_object *a, struct strlist *l)
{
	size_t i;

	if (!a || !json_object_is_type(a, json_type_array))
		return;
	for (i = 0; i < json_object_array_length(a); i++) {
		json_object *v = json_object_array_get_idx(a, i);

		if (json_object_is_type(v, json_type_string))
			strlist_add(l, json_object_get_string(v));
	}
}

json_object *json_new_double_fixed(double v, int decimals)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	return json_object_new_double_s(v, buf);
}

/*
 * Values in a JSON text, roughly: the commas, colons and openings outside
 * strings, plus one. Enough to refuse a document before json-c builds it.
 */
static size_t count_values(const char *s, size_t len)
{
	size_t i, n = 1;
	int in_str = 0;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == ',' || c == ':' || c == '[' || c == '{') {
			n++;
		}
	}
	return n;
}

json_object *json_parse_bounded(const char *s, size_t len, int depth, size_t max_values,
				struct strbuf *err)
{
	enum json_tokener_error jerr;
	json_tokener *tok;
	json_object *j;

	if (len > INT_MAX) {
		error_set(err, "%zu bytes of JSON is more than json-c reads", len);
		return NULL;
	}
	if (count_values(s, len) > max_values) {
		error_set(err, "more than %zu JSON values (the bound for a bundle's JSON)", max_values);
		return NULL;
	}
	tok = json_tokener_new_ex(depth);
	if (!tok) {
		error_set(err, "out of memory");
		return NULL;
	}
	j = json_tokener_parse_ex(tok, s, (int)len);
	jerr = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (jerr != json_tokener_success) {
		if (j)
			json_object_put(j);
		error_set(err, "%s", json_tokener_error_desc(jerr));
		return NULL;
	}
	return j;
}
