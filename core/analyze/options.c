/*
 * Where rules and plugins come from: the rule directories in precedence
 * order (built-in, XDG, TRIAGE_RULES_PATH, --rules) and the *.lua files in
 * them.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/internal.h"
#include "base/datadir.h"
#include "base/io.h"

void analyze_options_init(struct analyze_options *o)
{
	memset(o, 0, sizeof(*o));
	sandbox_limits_init(&o->limits);
	o->rule_timeout_ms = ANALYZE_DEFAULT_RULE_TIMEOUT_MS;
}

void analyze_options_release(struct analyze_options *o)
{
	size_t i;

	for (i = 0; i < o->nr_rule_dirs; i++)
		free((char *)o->rule_dirs[i].path);
	free(o->rule_dirs);
	free((char *)o->plugin_dir);
	o->rule_dirs = NULL;
	o->nr_rule_dirs = 0;
	o->plugin_dir = NULL;
}

static void add_dir(struct analyze_options *o, const char *path, const char *origin)
{
	o->rule_dirs = xreallocarray(o->rule_dirs, o->nr_rule_dirs + 1, sizeof(*o->rule_dirs));
	o->rule_dirs[o->nr_rule_dirs].path = xstrdup(path);
	o->rule_dirs[o->nr_rule_dirs].origin = origin;
	o->nr_rule_dirs++;
}

static void add_dirs(struct analyze_options *o, const char *const *cli_dirs, size_t nr_cli,
		     int user_dirs)
{
	struct strbuf sb = STRBUF_INIT;
	const char *env, *xdg, *home;
	size_t i;

	strbuf_addf(&sb, "%s/rules", triage_datadir());
	add_dir(o, sb.buf, "built-in");
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/plugins", triage_datadir());
	free((char *)o->plugin_dir);
	o->plugin_dir = strbuf_detach(&sb, NULL);

	/* lowest precedence first: later directories override earlier ones */
	if (!user_dirs)
		goto cli;
	xdg = getenv("XDG_CONFIG_HOME");
	home = getenv("HOME");
	if (xdg && *xdg)
		strbuf_addf(&sb, "%s/triage/rules", xdg);
	else if (home && *home)
		strbuf_addf(&sb, "%s/.config/triage/rules", home);
	if (sb.len && is_dir(sb.buf))
		add_dir(o, sb.buf, "XDG_CONFIG_HOME");
	strbuf_reset(&sb);
	env = getenv("TRIAGE_RULES_PATH");
	if (env && *env) {
		/* like PATH, the first entry wins: add them last to first */
		const char *end = env + strlen(env);

		while (end > env) {
			const char *start = end;

			while (start > env && start[-1] != ':')
				start--;
			if (end > start) {
				strbuf_reset(&sb);
				strbuf_add(&sb, start, (size_t)(end - start));
				add_dir(o, sb.buf, "TRIAGE_RULES_PATH");
			}
			end = start > env ? start - 1 : env;
		}
	}
cli:
	for (i = 0; i < nr_cli; i++)
		add_dir(o, cli_dirs[i], "--rules");
	strbuf_release(&sb);
}

void analyze_options_add_default_dirs(struct analyze_options *o, const char *const *cli_dirs,
				      size_t nr_cli)
{
	add_dirs(o, cli_dirs, nr_cli, 1);
}

void analyze_options_add_builtin_dirs(struct analyze_options *o, const char *const *cli_dirs,
				      size_t nr_cli)
{
	add_dirs(o, cli_dirs, nr_cli, 0);
}

/* *.lua files: rules live in rung folders, plugins directly in their directory. */
static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcmp(s + a - b, suf);
}

static void list_lua_at(const char *dir, struct strlist *out, int depth, int recurse)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct strbuf p = STRBUF_INIT;

		if (de->d_name[0] == '.')
			continue;
		strbuf_addf(&p, "%s/%s", dir, de->d_name);
		if (recurse && depth == 0 && is_dir(p.buf)) {
			/* a rule directory's plugins/ and data/ hold plugins and data, not rules */
			if (strcmp(de->d_name, "plugins") && strcmp(de->d_name, "data"))
				list_lua_at(p.buf, out, 1, recurse);
		} else if (has_suffix(de->d_name, ".lua"))
			strlist_add(out, p.buf);
		strbuf_release(&p);
	}
	closedir(d);
}

void list_lua(const char *dir, struct strlist *out, int recurse)
{
	struct strlist found = STRLIST_INIT;
	size_t i;

	/* sorted per call, so a later directory's files still come after an earlier one's */
	list_lua_at(dir, &found, 0, recurse);
	strlist_sort(&found);
	for (i = 0; i < found.nr; i++)
		strlist_add(out, found.items[i]);
	strlist_release(&found);
}
