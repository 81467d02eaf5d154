// SPDX-License-Identifier: GPL-2.0-only
/*
 * kpageflags - dump /proc/kpageflags as maximal runs of pfns.
 *
 * Part of the meminit real-kernel corpus capture (tools/corpus/capture.sh).
 * Built with `gcc -static -O2` into the temporary initramfs at capture time.
 *
 * /proc/kpageflags holds one little-endian u64 of flags per pfn, from pfn 0
 * up to the kernel's max_pfn (reads past that return EOF).  We keep only
 *   KPF_RESERVED (bit 32), KPF_BUDDY (bit 10), KPF_NOPAGE (bit 20)
 * and print every maximal run of pfns with the same subset as
 *   0xSTART-0xEND FLAGS
 * (inclusive pfns, lowercase hex; FLAGS is a comma-separated subset of
 * "reserved,buddy,nopage" in that order, or "-" when none is set),
 * between "=== meminit-capture: LABEL ===" and
 * "=== meminit-capture: end LABEL ===".
 *
 * Usage: kpageflags [PATH [LABEL]]   (defaults: /proc/kpageflags, kpageflags)
 * LABEL names the section, e.g. "kpageflags@3" for the capture after
 * hotplug action 3.
 *
 * Note: the kernel sets KPF_BUDDY only on the first page of a free buddy
 * block, so free memory shows as alternating "buddy" / "-" runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define KPF_BUDDY	10
#define KPF_NOPAGE	20
#define KPF_RESERVED	32

#define CHUNK_ENTRIES	8192	/* 64 KiB per read() */

static const char *flag_names(unsigned int f)
{
	static const char *const names[8] = {
		"-",			/* 0 */
		"reserved",		/* 1 */
		"buddy",		/* 2 */
		"reserved,buddy",	/* 3 */
		"nopage",		/* 4 */
		"reserved,nopage",	/* 5 */
		"buddy,nopage",		/* 6 */
		"reserved,buddy,nopage",/* 7 */
	};
	return names[f & 7];
}

static unsigned int classify(uint64_t v)
{
	unsigned int f = 0;

	if (v & (1ULL << KPF_RESERVED))
		f |= 1;
	if (v & (1ULL << KPF_BUDDY))
		f |= 2;
	if (v & (1ULL << KPF_NOPAGE))
		f |= 4;
	return f;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/proc/kpageflags";
	const char *label = argc > 2 ? argv[2] : "kpageflags";
	static uint64_t buf[CHUNK_ENTRIES];
	uint64_t pfn = 0, run_start = 0;
	unsigned int run_flags = 0;
	int have_run = 0, rc = 0;
	size_t carry = 0;	/* bytes of a partial entry kept at buf start */
	int fd;

	printf("=== meminit-capture: %s ===\n", label);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("error: open %s: %s\n", path, strerror(errno));
		rc = 1;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, (char *)buf + carry,
				 sizeof(buf) - carry);
		size_t bytes, entries, i;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			printf("error: read %s at pfn 0x%" PRIx64 ": %s\n",
			       path, pfn, strerror(errno));
			rc = 1;
			break;
		}
		if (n == 0)
			break;
		bytes = carry + (size_t)n;
		entries = bytes / sizeof(uint64_t);
		for (i = 0; i < entries; i++, pfn++) {
			unsigned int f = classify(buf[i]);

			if (!have_run) {
				have_run = 1;
				run_start = pfn;
				run_flags = f;
			} else if (f != run_flags) {
				printf("0x%" PRIx64 "-0x%" PRIx64 " %s\n",
				       run_start, pfn - 1,
				       flag_names(run_flags));
				run_start = pfn;
				run_flags = f;
			}
		}
		carry = bytes - entries * sizeof(uint64_t);
		if (carry)
			memmove(buf, (char *)buf + entries * sizeof(uint64_t),
				carry);
	}
	if (have_run)
		printf("0x%" PRIx64 "-0x%" PRIx64 " %s\n", run_start, pfn - 1,
		       flag_names(run_flags));
	close(fd);
out:
	printf("=== meminit-capture: end %s ===\n", label);
	fflush(stdout);
	return rc;
}
