// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysfs-write - do what `echo VALUE > PATH` does, and report the errno text.
 *
 * Part of the meminit real-kernel corpus capture (tools/corpus/capture.sh).
 * Built with `gcc -static -O2` into the temporary initramfs at capture time
 * and used by /init for the "echo VALUE > PATH" hotplug actions.
 *
 * Usage: sysfs-write PATH VALUE
 * Opens PATH with O_WRONLY|O_CREAT|O_TRUNC (like the shell's ">") and
 * writes "VALUE\n" with a single write(2) (like echo).  Exit status 0 and
 * no output on success; otherwise exit status 1 and one line on stdout:
 *   open: ERRNO-TEXT      open(2) failed
 *   write: ERRNO-TEXT     write(2) failed
 *   write: short N of M   write(2) took fewer bytes than given
 * where ERRNO-TEXT is strerror(errno), e.g. "Invalid argument" for the
 * kernel's -EINVAL.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t len;
	ssize_t n;
	char *buf;
	int fd;

	if (argc != 3) {
		printf("usage: sysfs-write PATH VALUE\n");
		return 2;
	}
	len = strlen(argv[2]);
	buf = malloc(len + 2);
	if (!buf) {
		printf("write: %s\n", strerror(ENOMEM));
		return 1;
	}
	memcpy(buf, argv[2], len);
	buf[len++] = '\n';
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd < 0) {
		printf("open: %s\n", strerror(errno));
		return 1;
	}
	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		printf("write: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	if ((size_t)n != len) {
		printf("write: short %zd of %zu\n", n, len);
		close(fd);
		return 1;
	}
	if (close(fd) < 0) {
		printf("close: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
