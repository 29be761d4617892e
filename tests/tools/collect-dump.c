/*
 * collect-dump [--cheap] [--cat PATH] PID: runs the proc, cgroup, host and
 * buildinfo sources on PID, as "triage collect" would, and prints one line
 * per artifact ("PATH<TAB>STATUS<TAB>BYTES<TAB>ERROR"), or with --cat the
 * raw bytes of the artifact PATH alone. For tests/collect-sources.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/collect.h"

int main(int argc, char **argv)
{
	struct collection c;
	const char *cat = NULL;
	int cheap = 0, i, status = 0;
	char *end;
	long pid;
	size_t k;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--cheap"))
			cheap = 1;
		else if (!strcmp(argv[i], "--cat") && i + 1 < argc)
			cat = argv[++i];
		else
			break;
	}
	if (i != argc - 1) {
		fprintf(stderr, "usage: collect-dump [--cheap] [--cat PATH] PID\n");
		return 2;
	}
	pid = strtol(argv[i], &end, 10);
	if (*end || pid <= 0) {
		fprintf(stderr, "collect-dump: bad pid '%s'\n", argv[i]);
		return 2;
	}

	collection_init(&c);
	collect_proc(&c, (pid_t)pid, cheap);
	collect_cgroup(&c, (pid_t)pid, cheap);
	collect_host(&c);
	collect_buildinfo(&c, (pid_t)pid);

	if (cat) {
		const struct artifact *a = collection_find(&c, cat);

		if (!a) {
			fprintf(stderr, "collect-dump: no artifact '%s'\n", cat);
			status = 1;
		} else if (a->data.len && fwrite(a->data.buf, 1, a->data.len, stdout) != a->data.len) {
			status = 1;
		}
	} else {
		for (k = 0; k < c.nr; k++) {
			const struct artifact *a = &c.arts[k];

			printf("%s\t%s\t%zu\t%s\n", a->path, artifact_status_name(a->status), a->data.len,
			       a->error ? a->error : "");
		}
	}
	collection_release(&c);
	if (fflush(stdout) == EOF) {
		perror("collect-dump: stdout");
		status = 1;
	}
	return status;
}
