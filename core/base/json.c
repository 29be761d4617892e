#include "base/json.h"
#include "base/strbuf.h"

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
