#ifndef TRIAGE_KERNEL_H
#define TRIAGE_KERNEL_H

struct strbuf;

/*
 * The kernel release (uname -r, /proc/sys/kernel/osrelease) as numbers.
 * Some explanations depend on it: MADV_FREE needs Linux >= 4.5, and the
 * 3.10 kernels of RHEL/CentOS 7 reclaim a v1 cgroup's page cache poorly
 * (reference/go-memory.md section 4, casebook case 4).
 *
 * Accepts "3.10.0-1160.el7.x86_64", "6.1.0-13-amd64", "5.15.0-1049-aws",
 * "4.4" (patch 0), "2.6.32-754.el6.x86_64" (the fourth number is ignored),
 * with surrounding white space such as osrelease's newline.
 */
struct kernel_version {
	int major, minor, patch;
};

/* 0, or -1 with k zeroed when release does not start with "N.N". */
int kernel_parse(const char *release, struct kernel_version *k, struct strbuf *err);

/* Whether k is at least major.minor. */
int kernel_at_least(const struct kernel_version *k, int major, int minor);

#endif
