/*
 * Pod identity from a cgroup path (pod.h). Pure string work: the cgroup
 * names are the kubelet's and the runtimes' conventions, so the tests run
 * on literal paths and tests/pod-e2e.sh on real cgroups with those names.
 */
#include "parse/pod.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"

void pod_identity_init(struct pod_identity *p)
{
	memset(p, 0, sizeof(*p));
}

void pod_identity_release(struct pod_identity *p)
{
	free(p->pod_uid);
	free(p->qos);
	free(p->container_id);
	free(p->runtime);
	free(p->driver);
	memset(p, 0, sizeof(*p));
}

/* A pod UID is a UUID: hex and dashes (systemd spells the dashes '_'). */
static int uid_ok(const char *s, size_t n)
{
	size_t i;

	if (n < 8 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

static char *uid_dup(const char *s, size_t n)
{
	char *u = xstrndup(s, n), *c;

	for (c = u; *c; c++)
		if (*c == '_')
			*c = '-';
	return u;
}

static const char *qos_name(const char *s, size_t n)
{
	if (n == 9 && !memcmp(s, "burstable", 9))
		return "Burstable";
	if (n == 10 && !memcmp(s, "besteffort", 10))
		return "BestEffort";
	return NULL;
}

static int has_prefix(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && !memcmp(s, prefix, k);
}

static int has_suffix(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

/*
 * The container component: strips the runtime's prefix and ".scope".
 * CRI-O's "crio-conmon-<id>.scope" holds the monitor, not the container,
 * and is reported as such so nobody mistakes conmon's memory for the app's.
 */
static void set_container(struct pod_identity *p, const char *s, size_t n)
{
	static const struct { const char *prefix, *runtime; } kinds[] = {
		{ "cri-containerd-", "containerd" },
		{ "crio-conmon-", "cri-o (conmon)" },
		{ "crio-", "cri-o" },
		{ "docker-", "docker" },
		{ "cri-containerd:", "containerd" },	/* after "slice:" in containerd's systemd form */
		{ "crio:", "cri-o" },
		{ "docker:", "docker" },
	};
	size_t i;

	if (has_suffix(s, n, ".scope"))
		n -= 6;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (has_prefix(s, n, kinds[i].prefix)) {
			size_t k = strlen(kinds[i].prefix);

			p->runtime = xstrdup(kinds[i].runtime);
			p->container_id = xstrndup(s + k, n - k);
			return;
		}
	}
	/* cgroupfs with containerd or docker: the bare ID, which names no runtime */
	if (n)
		p->container_id = xstrndup(s, n);
}

/* systemd: "kubepods[-QOS]-pod<uid>.slice"; 1 when comp is one. */
static int systemd_pod(struct pod_identity *p, const char *s, size_t n)
{
	const char *pod, *end;
	size_t qn;

	if (!has_prefix(s, n, "kubepods-"))
		return 0;
	end = s + n;
	if (has_suffix(s, n, ".slice"))
		end -= 6;
	else
		return 0;
	pod = s + 9;
	if (end - pod > 3 && !memcmp(pod, "pod", 3)) {
		qn = 0;
	} else {
		const char *dash = memchr(pod, '-', (size_t)(end - pod));

		if (!dash || end - dash < 4 || memcmp(dash + 1, "pod", 3))
			return 0;
		qn = (size_t)(dash - pod);
		if (!qos_name(pod, qn))
			return 0;
		pod = dash + 1;
	}
	if (!uid_ok(pod + 3, (size_t)(end - pod - 3)))
		return 0;
	p->pod_uid = uid_dup(pod + 3, (size_t)(end - pod - 3));
	p->qos = xstrdup(qn ? qos_name(s + 9, qn) : "Guaranteed");
	p->driver = xstrdup("systemd");
	return 1;
}

int pod_identity_from_path(const char *path, struct pod_identity *p)
{
	const char *comp[64];
	size_t len[64], nr = 0, i;
	const char *s = path;
	int kubepods = -1;

	pod_identity_init(p);
	if (!path)
		return 0;
	while (*s && nr < 64) {
		size_t n;

		while (*s == '/')
			s++;
		n = strcspn(s, "/\n");
		if (!n)
			break;
		comp[nr] = s;
		len[nr++] = n;
		s += n;
		if (*s == '\n')
			break;
	}
	for (i = 0; i < nr; i++) {
		const char *c = comp[i];
		size_t n = len[i];
		const char *colon = memchr(c, ':', n);

		if (n == 8 && !memcmp(c, "kubepods", 8)) {
			kubepods = (int)i;
			continue;
		}
		/* containerd's systemd form puts the container after the slice */
		if (colon && systemd_pod(p, c, (size_t)(colon - c))) {
			set_container(p, colon + 1, n - (size_t)(colon - c) - 1);
			return 1;
		}
		if (systemd_pod(p, c, n)) {
			if (i + 1 < nr)
				set_container(p, comp[i + 1], len[i + 1]);
			return 1;
		}
		/* cgroupfs: kubepods/[qos/]pod<uid>[/<id>] */
		if (kubepods >= 0 && has_prefix(c, n, "pod") && uid_ok(c + 3, n - 3) &&
		    ((size_t)kubepods + 1 == i ||
		     ((size_t)kubepods + 2 == i && qos_name(comp[i - 1], len[i - 1])))) {
			p->pod_uid = uid_dup(c + 3, n - 3);
			p->qos = xstrdup((size_t)kubepods + 1 == i ? "Guaranteed"
					 : qos_name(comp[i - 1], len[i - 1]));
			p->driver = xstrdup("cgroupfs");
			if (i + 1 < nr)
				set_container(p, comp[i + 1], len[i + 1]);
			return 1;
		}
	}
	return 0;
}

/* The path of a "ID:CONTROLLERS:PATH" line whose controllers match want (NULL: any). */
static int try_lines(const char *text, const char *want, struct pod_identity *p)
{
	const char *line = text;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		const char *c1 = memchr(line, ':', n);
		const char *c2 = c1 ? memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - line)) : NULL;

		if (c2) {
			size_t cn = (size_t)(c2 - c1 - 1);
			int match = !want ||
				(!*want ? cn == 0 : (cn >= strlen(want) && strstr(c1 + 1, want) &&
						     strstr(c1 + 1, want) < c2));
			char *path = xstrndup(c2 + 1, n - (size_t)(c2 + 1 - line));

			if (match && pod_identity_from_path(path, p)) {
				free(path);
				return 1;
			}
			free(path);
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

int pod_identity_from_proc_cgroup(const char *text, struct pod_identity *p)
{
	pod_identity_init(p);
	if (!text)
		return 0;
	return try_lines(text, "memory", p) || try_lines(text, "", p) || try_lines(text, NULL, p);
}
